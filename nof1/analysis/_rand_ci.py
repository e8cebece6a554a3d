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
from typing import Any

import numpy as np

from .._validation import as_rng, check_confidence_level
from ..design import Design, PairedDesign
from . import _rand_inputs, _rand_paired
from ._rand_engine import (
    MAX_DOUBLING_PAIRS,
    doubling,
    make_evaluator,
    mc_draws,
    paired_mitm_count,
    tie_tolerance,
)
from ._rand_inputs import (
    DEFAULT_RESAMPLES,
    MAX_EXACT_PAIRS,
    check_n_resamples,
    choose_method,
    prepare,
)
from ._rand_phase import MARGIN

__all__ = ["invert", "invert_with_tails", "crossing_points", "product_bounds",
           "search_paired", "min_count"]

#: 1 - g(a) at or below this is 0 (g is a ratio of small integers, exact when it equals 1)
_FLAT = 1e-12


def invert(scores: Any, labels: Any, *, design: Design, confidence_level: float = 0.95,
           statistic: str = "A-B", washout: int = 0, n_resamples: int | None = None,
           rng: Any = None) -> dict[str, Any]:
    """The randomization interval of :func:`~nof1.analysis.randomization_ci` (see there),
    as the fields of :class:`~nof1.analysis.RandomizationCIResult`.

    Lives here, below the result classes, so that
    ``RandomizationTestResult.confidence_interval`` can call it.
    """
    return invert_with_tails(scores, labels, design=design, confidence_level=confidence_level,
                             statistic=statistic, washout=washout, n_resamples=n_resamples,
                             rng=rng)[0]


def invert_with_tails(scores: Any, labels: Any, *, design: Design,
                      confidence_level: float = 0.95, statistic: str = "A-B",
                      washout: int = 0, n_resamples: int | None = None, rng: Any = None
                      ) -> tuple[dict[str, Any], tuple[int, int] | None]:
    """:func:`invert`, and the exact counts of assignments whose statistic is at least /
    at most the observed one when the interval came from a subset table (method
    'subset means', which holds them at no cost), else None.

    The counts are of the named ``statistic`` (for ``'B-A'`` the tails of ``'A-B'``
    swap); divided by ``n_assignments`` they are the one-sided p-values of
    :func:`~nof1.analysis.randomization_test`.
    """
    design, spec, washout, x, obs, batch = prepare(scores, labels, design, statistic,
                                                   "two-sided", washout)
    if spec.absolute:
        raise ValueError(f"statistic={spec.name!r} has no sign; a confidence interval needs a "
                         f"signed effect: 'A-B', 'B-A', 'PA-PB' or 'PB-PA'")
    if batch or obs.shape[0] != 1:
        raise ValueError("randomization_ci takes one data set: 1-D `scores` and `labels`")
    confidence_level = check_confidence_level(confidence_level)
    n_resamples = check_n_resamples(n_resamples)
    rng = as_rng(rng)
    method = choose_method(design, n_resamples, keep_null=False)
    estimate = make_evaluator(design, x, spec.base, washout).observed(obs)[0]
    if np.isnan(estimate):
        raise ValueError("the observed statistic cannot be computed: a condition (or every "
                         "phase of one condition) has no non-missing score")
    alpha = 1.0 - confidence_level
    xc = x - np.nanmean(x, axis=1, keepdims=True)
    n_total = design.n_assignments
    tails = None
    if method == "exact paired":
        found = None
        scale = _rand_paired.grid_scale(x[0])
        if scale is not None and _rand_paired.dp_feasible(x[0], scale):
            found = _rand_paired.SubsetCounts.of(x[0], obs[0], scale)
        if found is not None:
            low, high = found.bounds(min_count(alpha, n_total), scale)
            min_p = found.const / n_total
            how = "subset means"
            tails = found.tail_counts()
        elif design.n_pairs <= MAX_DOUBLING_PAIRS:
            method = "exact enumeration"
        elif design.n_pairs <= MAX_EXACT_PAIRS:
            low, high, min_p = search_paired(xc[0], obs[0], alpha)
            how = "search"
        else:
            method = "Monte Carlo"
    if method in ("exact enumeration", "Monte Carlo"):
        if method == "Monte Carlo" and (n_resamples is None or n_resamples >= n_total):
            n_resamples = DEFAULT_RESAMPLES if n_resamples is None else n_resamples
        draws = None if method == "exact enumeration" else mc_draws(design, rng, n_resamples)
        found = None
        if draws is None and n_total >= _rand_inputs.MIN_PRODUCT_ASSIGNMENTS:
            found = product_bounds_of(design, xc, obs, spec.base, washout, alpha)
        low, high, min_p = found or crossing_points(design, xc, obs, spec.base,
                                                             washout, alpha, draws)
        how = "crossing points"
        n_total = design.n_assignments if draws is None else n_resamples + 1
    note = ""
    if not (np.isfinite(low) and np.isfinite(high)):
        note = (f"the reference set ({n_total:,} assignments) cannot reach one-sided p <= "
                f"{alpha / 2:.4g}: the smallest attainable p-value is {min_p:.4g}, so the "
                f"{confidence_level:g} interval is unbounded; use more periods/occasions or a "
                f"lower confidence level")
    if spec.sign < 0:
        estimate, low, high = -estimate, -high, -low
        tails = None if tails is None else tails[::-1]
    exact = method != "Monte Carlo"
    return dict(
        estimate=float(estimate), ci_low=float(low), ci_high=float(high),
        confidence_level=confidence_level, statistic_name=spec.name,
        n_assignments=design.n_assignments, n_resamples=None if exact else n_resamples,
        exact=exact, method=how, min_pvalue=float(min_p), note=note,
        design=design.to_dict(), washout=washout,
    ), tails


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


def product_bounds_of(design: Design, xc: np.ndarray, obs: np.ndarray, base: str,
                      washout: int, alpha: float) -> tuple[float, float, float] | None:
    """:func:`product_bounds` when the design's reference set is a union of products, else None."""
    rows = np.vstack([xc, _indicator(xc, obs)])
    ev = make_evaluator(design, rows, base, washout)
    prod = ev.product()
    if prod is None:
        return None
    t0 = float(ev.observed(np.vstack([obs, obs]))[0])
    gamma = float(tie_tolerance(np.array([t0]), xc)[0])
    return product_bounds(prod, t0, gamma, alpha)


#: pairs drawn to place the first guess of a bound (product path); speed only, not the result
_GUESS_DRAWS = 1 << 14


def product_bounds(prod, t0: float, gamma: float, alpha: float
                   ) -> tuple[float, float, float] | None:
    """:func:`crossing_points` (exact) over a phase design's product structure.

    ``prod`` is the :class:`~nof1.analysis._rand_phase.PhaseProduct` of the rows
    ``[xc, z]`` (centred scores, indicator of the observed A occasions); ``t0``
    and ``gamma`` as in :func:`crossing_points`. The result is the same, bit for
    bit, without evaluating every assignment:

    - the flat assignments (``1 - g(a) <= 1e-12``) are among the few pairs with
      ``g(a) >= 1 - 1e-9``, listed from the product and evaluated exactly;
    - the lower bound is the ``need``-th smallest crossing point. For a trial
      shift ``delta``, the assignments crossing at or below ``delta`` are those
      whose ``(xc - delta z)``-statistic is at least ``t0 - delta``; the product
      lists them (with a margin). If at least ``need`` of them cross at or below
      ``delta``, their ``need``-th smallest crossing point is the overall one
      (:func:`_kth_crossing` finds it exactly). ``delta`` starts at a quantile
      of the crossing points of random pairs a few standard deviations beyond
      ``need / N``, so that little more than ``need`` assignments are listed.
      Likewise for the upper bound.

    Returns None when no trial shift lists enough assignments (the caller then
    enumerates the reference set).
    """
    n_total = prod.n_total
    k = min_count(alpha, n_total)
    y, z = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    const_g = const_l = prod.n_undefined
    for block, pairs in prod.pairs_at_least(z, 1.0 - 1e-9):
        if pairs[0].size:
            values = prod.exact(block, pairs)
            r, h = values[0] - t0, 1.0 - values[1]
            flat = h <= _FLAT
            const_g += int((flat & (r >= -gamma)).sum())
            const_l += int((flat & (r <= gamma)).sum())
    draws = []
    for block, pairs in prod.sample(_GUESS_DRAWS):
        h = 1.0 - prod.approx(block, pairs, z)
        moving = h > _NEAR_FLAT
        draws.append(-(prod.approx(block, pairs, y)[moving] - t0) / h[moving])
    sample = np.concatenate(draws)
    bounds = []
    for side, const in ((1, const_g), (-1, const_l)):
        need = k - const
        if need <= 0:
            bounds.append(-side * np.inf)
            continue
        found = _select(prod, t0, need, side, _trial_shifts(side * sample, need, prod))
        if found is None:
            return None
        bounds.append(found)
    return float(bounds[0]), float(bounds[1]), max(const_g, const_l) / n_total


#: assignments with 1 - g(a) below this are evaluated exactly before their crossing point is
#: compared (a small 1 - g(a) magnifies the rounding of the crossing point)
_NEAR_FLAT = 1e-6


def _trial_shifts(signed: np.ndarray, need: int, prod) -> list[float]:
    """Trial shifts (signed: larger lists more) that should list ``need`` assignments, then more."""
    m = signed.size
    f = need / prod.n_defined
    sd = np.sqrt(m * f * (1.0 - f))
    ordered = np.sort(signed)
    out = []
    for z in (4.0, 8.0, 16.0):
        rank = int(np.ceil(f * m + z * sd + 3))
        if rank >= ordered.size:
            break
        out.append(float(ordered[rank]))
    return out


def _select(prod, t0: float, need: int, side: int, shifts: list[float]) -> float | None:
    """The ``need``-th smallest (side 1) or largest (side -1) crossing point, or None."""
    y, z = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    previous = -np.inf
    for signed_delta in shifts:
        # past the previous trial, which may have stopped inside a cluster of near-ties
        if np.isfinite(previous):
            signed_delta = max(signed_delta, previous + 1e-9 * (prod.scale + abs(previous)))
        previous = signed_delta
        delta = side * signed_delta
        eps = 10 * MARGIN * (prod.scale + abs(t0)) * (1.0 + abs(delta))
        # side * (crossing - delta) <= 0  <=>  side * ((y - delta z) @ T - (t0 - delta)) >= 0
        listed = prod.pairs_at_least(side * (y - delta * z), side * (t0 - delta) - eps)
        found = _kth_crossing(prod, listed, t0, need, side)
        if found is not None and side * (found - delta) <= 0:
            return found
    return None


def _kth_crossing(prod, listed, t0: float, need: int, side: int) -> float | None:
    """The ``need``-th smallest (side 1) / largest (side -1) crossing point among ``listed``.

    Crossing points are first computed from the product's terms (``a``, within
    ``e = 1e-8 (scale + |t0| + |a|)`` of the engine's value when
    ``1 - g >= 1e-6``); the assignments near the candidate ``v`` (within
    ``2m + 4e``, ``m = 1e-6 (scale + |t0| + |v|)``) and the near-flat ones are
    evaluated exactly. The others keep their side of ``v`` with a gap of ``2m``,
    so if the exact candidate lies within ``2m`` of ``v`` it is the answer, as
    the engine computes it. None if the listed set is too small or the check fails.
    """
    y, z = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    approx, exact_vals, far_pairs = [], [], []
    for block, pairs in listed:
        if not pairs[0].size:
            continue
        h = 1.0 - prod.approx(block, pairs, z)
        near = h <= _NEAR_FLAT
        if near.any():
            values = prod.exact(block, tuple(p[near] for p in pairs))
            r, hh = values[0] - t0, 1.0 - values[1]
            moving = hh > _FLAT
            exact_vals.append(side * (-r[moving] / hh[moving]))
        keep = ~near
        a = side * (-(prod.approx(block, tuple(p[keep] for p in pairs), y) - t0) / h[keep])
        approx.append(a)
        far_pairs.append((block, tuple(p[keep] for p in pairs)))
    a = np.concatenate(approx) if approx else np.zeros(0)
    known = np.concatenate(exact_vals) if exact_vals else np.zeros(0)
    if a.size + known.size < need:
        return None
    v = float(np.partition(np.concatenate([a, known]), need - 1)[need - 1])
    m = 1e-6 * (prod.scale + abs(t0) + abs(v))
    err = 1e-8 * (prod.scale + abs(t0) + np.abs(a))
    band = np.abs(a - v) <= 2 * m + 4 * err
    below = int(np.count_nonzero((a < v) & ~band))
    start = 0
    for block, pairs in far_pairs:
        n = pairs[0].size
        sel = band[start:start + n]
        start += n
        if sel.any():
            values = prod.exact(block, tuple(p[sel] for p in pairs))
            r, hh = values[0] - t0, 1.0 - values[1]
            known = np.concatenate([known, side * (-r / hh)])  # moving: 1 - g > 1e-6
    rank = need - below
    if not 1 <= rank <= known.size:
        return None
    exact_v = float(np.partition(known, rank - 1)[rank - 1])
    if abs(exact_v - v) > 2 * m:
        return None
    return side * exact_v


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
