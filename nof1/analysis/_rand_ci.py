"""Confidence bounds by inverting the randomization test for a constant additive effect.

Subtracting ``delta`` from the scores observed under A changes the statistic of
assignment ``a`` to ``T_0(a) - delta * g(a)``, where ``g(a)`` is the statistic of
the indicator ``z`` of the observed A units (same missing values). As
``g(a_obs) = 1`` and ``g(a) <= 1``, assignment ``a`` is at least as large as the
observed one exactly when ``delta >= (T_0(a_obs) - T_0(a)) / (1 - g(a))``: every
one-sided p-value is a monotone step function of ``delta`` whose steps are these
crossing points, and a bound is an order statistic of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..design import Design, PairedDesign
from ._rand_engine import doubling, make_evaluator, paired_mitm_count, tie_tolerance

__all__ = ["crossing_points", "search_paired", "min_count"]

#: 1 - g(a) at or below this is 0 (g is a ratio of small integers, exact when it equals 1)
_FLAT = 1e-12


def min_count(alpha: float, n_total: int) -> int:
    """Smallest count c with ``c / n_total > alpha / 2`` in floating point."""
    c = max(0, int(np.floor(alpha / 2 * n_total)) - 1)
    while c / n_total <= alpha / 2:
        c += 1
    return c


def _indicator(xc: np.ndarray, obs: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(xc), np.nan, (obs == 0).astype(float))


def crossing_points(design: Design, xc: np.ndarray, obs: np.ndarray, base: str, washout: int,
                    alpha: float, draws: Iterable[np.ndarray] | None
                    ) -> tuple[float, float, float]:
    """Exact bounds over the enumerated set (``draws is None``) or Monte Carlo draws.

    With draws, the observed assignment is added to them (``N = B + 1``), as in
    the Monte Carlo test. Returns ``(low, high, min_pvalue)``.
    """
    rows = np.vstack([xc, _indicator(xc, obs)])
    ev = make_evaluator(design, rows, base, washout)
    t0 = ev.observed(np.vstack([obs, obs]))[0]
    gamma = float(tie_tolerance(np.array([t0]), xc)[0])

    def blocks():
        if draws is None:
            buffer = None  # for engines that deliver one data row at a time
            for rows, cols, values in ev.exact_chunks():
                if values.shape[0] == 2:
                    yield values
                else:
                    if buffer is None:
                        buffer = np.empty((2, design.n_assignments))
                    buffer[rows, cols] = values
            if buffer is not None:
                yield buffer
        else:
            for chunk in draws:
                for start in range(0, chunk.shape[0], ev.chunk_rows):
                    yield ev.from_assignments(chunk[start:start + ev.chunk_rows])

    const_g = const_l = 0 if draws is None else 1  # Monte Carlo: the observed assignment
    n_total = const_g
    crossings = []
    for values in blocks():
        r = values[0] - t0
        h = 1.0 - values[1]
        undefined = np.isnan(r)
        flat = ~undefined & (h <= _FLAT)
        moving = ~undefined & ~flat
        n_undef = int(undefined.sum())
        const_g += n_undef + int((flat & (r >= -gamma)).sum())
        const_l += n_undef + int((flat & (r <= gamma)).sum())
        # T_delta(a) >= T_delta(a_obs) exactly when delta >= c, and <= when delta <= c
        crossings.append(-r[moving] / h[moving])
        n_total += values.shape[1]
    c = np.concatenate(crossings)
    k = min_count(alpha, n_total)
    need = k - const_g
    low = -np.inf if need <= 0 else np.partition(c, need - 1)[need - 1]
    need = k - const_l
    high = np.inf if need <= 0 else np.partition(c, c.size - need)[c.size - need]
    return float(low), float(high), max(const_g, const_l) / n_total


def _undefined_or_flat(xc: np.ndarray) -> int:
    """Paired design: assignments whose statistic is undefined or does not move with delta.

    An assignment keeps the observed A/B split of the non-missing periods only by
    flipping pairs whose two periods are both missing; its statistic is
    undefined when no non-missing period is A (or B).
    """
    m = ~np.isnan(xc)
    both_missing = int(np.sum(~m[0::2] & ~m[1::2]))
    c0, c1 = m[0::2].astype(float)[None], m[1::2].astype(float)[None]
    k = c0.shape[1]
    half = k // 2
    left = np.unique(np.rint(doubling(c0[:, :half], c1[:, :half])[0]), return_counts=True)
    right = np.unique(np.rint(doubling(c0[:, half:], c1[:, half:])[0]), return_counts=True)
    total = int(m.sum())
    undefined = 0
    for a, na in zip(*left, strict=True):
        for b, nb in zip(*right, strict=True):
            if a + b == 0 or a + b == total:
                undefined += int(na) * int(nb)
    # flat assignments are the observed split up to both-missing pairs; they are defined
    # because the observed statistic is
    return undefined + 2**both_missing


def search_paired(xc: np.ndarray, obs: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Bounds for a large paired design: a bracketed search on meet-in-the-middle counts.

    Each bound is the place where a monotone count of extreme assignments reaches
    ``k = min_count(alpha, 2**n_pairs)``. It is bracketed from a normal
    approximation, then narrowed by regula falsi with the Illinois modification
    (bisecting whenever three steps have not halved the bracket) to a width of
    1e-10 relative to the data scale; the upper end of the final bracket is
    returned (the count reaches ``k`` there).
    """
    design = PairedDesign(xc.size // 2)
    z = _indicator(xc, obs)
    ev = make_evaluator(design, xc[None], "A-B", 0)
    t0 = float(ev.observed(obs[None])[0])
    gamma = float(tie_tolerance(np.array([t0]), xc[None])[0])
    n_total = design.n_assignments
    k = min_count(alpha, n_total)
    const = _undefined_or_flat(xc)
    min_p = const / n_total
    if const >= k:
        return -np.inf, np.inf, min_p

    scale = float(np.nanmax(np.abs(xc)) + abs(t0)) or 1.0
    a, b = xc[0::2], xc[1::2]
    e = np.where(obs[0::2] == 0, a - b, b - a)  # A minus B per pair
    e = e[~np.isnan(e)]
    se = float(np.sqrt(np.sum((e - t0) ** 2)) / max(e.size, 1)) or scale
    half_width = 2.5 * se  # about the normal-approximation half-width at 95% and beyond

    def upper(delta: float) -> int:  # nondecreasing in delta
        return paired_mitm_count(xc - delta * z, t0 - delta, gamma, "greater")

    def lower(delta: float) -> int:  # nondecreasing in delta (the 'less' count at -delta)
        return paired_mitm_count(xc + delta * z, t0 + delta, gamma, "less")

    tol = 1e-10 * scale
    low = _first_reaching(upper, k, t0 - half_width, half_width / 4, tol)
    high = -_first_reaching(lower, k, -t0 - half_width, half_width / 4, tol)
    return low, high, min_p


def _first_reaching(count, k: int, guess: float, step: float, tol: float) -> float:
    """Smallest ``d`` (within ``tol``) with ``count(d) >= k``, for a nondecreasing step count."""
    lo = hi = guess
    c_lo = c_hi = count(guess)
    while c_hi < k:  # bracket: count(lo) < k <= count(hi)
        lo, c_lo = hi, c_hi
        hi += step
        step *= 2
        c_hi = count(hi)
    while c_lo >= k:
        hi, c_hi = lo, c_lo
        lo -= step
        step *= 2
        c_lo = count(lo)
    # regula falsi on f = count - (k - 1/2), Illinois modification
    f_lo, f_hi = c_lo - (k - 0.5), c_hi - (k - 0.5)
    side = 0
    widths = [hi - lo]
    while hi - lo > tol:
        mid = hi - f_hi * (hi - lo) / (f_hi - f_lo)
        if not lo < mid < hi or (len(widths) > 2 and widths[-1] > 0.5 * widths[-3]):
            mid = 0.5 * (lo + hi)  # safeguard: a jump in the count stalls regula falsi
        f = count(mid) - (k - 0.5)
        if f > 0:
            hi, f_hi = mid, f
            if side == 1:
                f_lo *= 0.5
            side = 1
        else:
            lo, f_lo = mid, f
            if side == -1:
                f_hi *= 0.5
            side = -1
        widths.append(hi - lo)
    return hi
