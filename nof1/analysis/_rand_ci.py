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

from ..design import Design
from ._rand_engine import doubling, make_evaluator, paired_mitm_count, tie_tolerance

__all__ = ["crossing_points", "bisect_paired", "min_count"]

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


def bisect_paired(xc: np.ndarray, obs: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """Bounds for a large paired design by bisection on meet-in-the-middle counts."""
    from ..design import PairedDesign

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

    def count(delta: float, tail: str) -> int:
        return paired_mitm_count(xc - delta * z, t0 - delta, gamma, tail)

    step = float(np.nanmax(np.abs(xc)) + abs(t0)) or 1.0
    tol = 1e-10 * step

    # lower bound: smallest delta with count(delta, 'greater') >= k (nondecreasing in delta)
    hi, s = t0, step
    while count(hi, "greater") < k:
        hi, s = hi + s, 2 * s
    lo, s = hi - step, 2 * step
    while count(lo, "greater") >= k:
        lo, s = lo - s, 2 * s
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if count(mid, "greater") >= k:
            hi = mid
        else:
            lo = mid
    low = hi

    # upper bound: largest delta with count(delta, 'less') >= k (nonincreasing in delta)
    lo, s = t0, step
    while count(lo, "less") < k:
        lo, s = lo - s, 2 * s
    hi, s = lo + step, 2 * step
    while count(hi, "less") >= k:
        hi, s = hi + s, 2 * s
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if count(mid, "less") >= k:
            lo = mid
        else:
            hi = mid
    return low, lo, min_p
