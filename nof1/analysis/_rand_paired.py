"""Exact paired randomization tests and intervals by integer dynamic programming.

A paired design has 2**k assignments: in each pair, the first or the second
period is condition A. The statistic mean(A) - mean(B) depends on an
assignment only through the number n_A of non-missing A periods and their sum
S_A. When the scores lie on a grid -- every score is an integer multiple of
1/L, as period means of whole-number daily scores are -- S_A is an integer in
units of 1/L, and the number of assignments giving each (n_A, S_A) is counted
exactly by a dynamic programme over the pairs (one shifted addition per pair,
a subset-sum count). The p-value then compares rationals in integer
arithmetic: no rounding and no tie tolerance. Its cost is the number of pairs
times the range of S_A, whatever 2**k is.

The grid is detected honestly (:func:`grid_scale`): each score ``x`` must be
the double nearest to ``q / d`` for an integer ``q`` and a denominator
``d <= MAX_DENOMINATOR`` (``q / d == x`` in floating point, which is how a
mean of whole numbers is computed), and ``L`` is the least common multiple of
the denominators. The test is then exact for the rational scores ``q / d``.
Data not on such a grid go to meet-in-the-middle (``_rand_engine``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._rand_engine import doubling

__all__ = ["MAX_DENOMINATOR", "grid_scale", "dp_pvalue", "dp_feasible", "SubsetCounts"]

#: largest denominator of one score tried by the grid detection (period means of up
#: to 840 days, or of scores with one or two decimals over up to 8 days)
MAX_DENOMINATOR = 840
#: largest common denominator L of all scores
MAX_SCALE = 1 << 20
#: largest DP table (cells times pairs) before meet-in-the-middle takes over
MAX_WORK = 60_000_000
#: int64 counts are exact up to this many pairs that can flip (2**62 < 2**63)
MAX_INT64_PAIRS = 62
_DENOMS = np.arange(1, MAX_DENOMINATOR + 1, dtype=float)


def grid_scale(x: np.ndarray) -> int | None:
    """Smallest L such that every finite score is (the double nearest to) an integer / L.

    Returns None when some score has no denominator up to ``MAX_DENOMINATOR`` or
    the least common multiple exceeds ``MAX_SCALE``.
    """
    v = x[~np.isnan(x)]
    if v.size == 0:
        return 1
    if np.all(v == np.rint(v)):
        return 1
    if np.abs(v).max() * MAX_SCALE >= 2.0**52:
        return None
    left = np.unique(v[v != np.rint(v)])
    denoms = []
    for lo, hi in ((0, 32), (32, MAX_DENOMINATOR)):
        d = _DENOMS[lo:hi]
        q = np.rint(left[:, None] * d[None, :])
        ok = (q / d[None, :]) == left[:, None]
        found = ok.any(axis=1)
        denoms.append(d[np.argmax(ok[found], axis=1)].astype(np.int64))
        left = left[~found]
        if not left.size:
            break
    if left.size:
        return None
    scale = int(np.lcm.reduce(np.unique(np.concatenate(denoms))))
    return scale if scale <= MAX_SCALE else None


def _integers(x: np.ndarray, scale: int) -> np.ndarray:
    """Scores times ``scale`` as int64 (0 where missing)."""
    return np.where(np.isnan(x), 0, np.rint(np.nan_to_num(x) * scale)).astype(np.int64)


def _pair_options(x: np.ndarray, scale: int):
    """Per pair: (count, value) of the A periods when the first / the second period is A."""
    q = _integers(x, scale)
    m = ~np.isnan(x)
    c0, c1 = m[0::2].astype(np.int64), m[1::2].astype(np.int64)
    v0, v1 = q[0::2], q[1::2]
    return c0, v0, c1, v1


def dp_feasible(x: np.ndarray, scale: int) -> bool:
    """Whether the DP table is small enough (and its integers cannot overflow)."""
    c0, v0, c1, v1 = _pair_options(x, scale)
    width = int(np.abs(v0 - v1).sum()) + 1
    rows = int(np.count_nonzero(c0 != c1)) + 1
    n = int(c0.sum() + c1.sum())
    sum_abs = int(np.abs(v0).sum() + np.abs(v1).sum())
    no_overflow = n**3 * (sum_abs + 1) < 2**61
    return no_overflow and width * rows * max(1, c0.size) <= MAX_WORK


def _count_table(c0, v0, c1, v1):
    """Number of assignments for each (n_A - min n_A, S_A - min S_A), and a factor 2**z.

    Returns ``(table, min n_A, min S_A, z)``. Pairs whose two options coincide
    (both periods missing, or equal scores) double every count; they are left out
    of the table (their A count and sum are in the minima) and returned as ``z``.
    """
    same = (c0 == c1) & (v0 == v1)
    z = int(same.sum())
    c_same, v_same = int(c0[same].sum()), int(v0[same].sum())
    c0, v0, c1, v1 = c0[~same], v0[~same], c1[~same], v1[~same]
    cmin, vmin = np.minimum(c0, c1), np.minimum(v0, v1)
    dc0, dv0, dc1, dv1 = c0 - cmin, v0 - vmin, c1 - cmin, v1 - vmin
    rows = int(np.count_nonzero(c0 != c1)) + 1
    width = int((dv0 + dv1).sum()) + 1
    dtype = np.int64 if c0.size <= MAX_INT64_PAIRS else object
    table = np.zeros((rows, width), dtype=dtype)
    table[0, 0] = 1
    r_hi, w_hi = 1, 1  # extent of the non-zero part
    for a_c, a_v, b_c, b_v in zip(dc0.tolist(), dv0.tolist(), dc1.tolist(), dv1.tolist(),
                                  strict=True):
        # new[c, s] = old[c - a_c, s - a_v] + old[c - b_c, s - b_v]; one of each offset is 0
        nr, nw = r_hi + max(a_c, b_c), w_hi + max(a_v, b_v)
        old = table[:r_hi, :w_hi].copy()
        table[:nr, :nw] = 0
        table[a_c:a_c + r_hi, a_v:a_v + w_hi] += old
        table[b_c:b_c + r_hi, b_v:b_v + w_hi] += old
        r_hi, w_hi = nr, nw
    return table, int(cmin.sum()) + c_same, int(vmin.sum()) + v_same, z


def dp_pvalue(x: np.ndarray, obs: np.ndarray, scale: int, tail: str) -> tuple[int, int]:
    """Exact count of assignments at least as extreme as the observed one, and 2**k.

    ``x`` is one row of period scores (NaN = missing) on the grid ``1/scale``;
    ``obs`` the observed assignment (0 = A). ``tail`` as in ``count_extreme``.
    Assignments whose statistic is undefined (no A or no B score) count as
    extreme. The observed statistic must be defined.
    """
    c0, v0, c1, v1 = _pair_options(x, scale)
    k = c0.size
    n_tot = int(c0.sum() + c1.sum())
    s_tot = int(v0.sum() + v1.sum())
    first_a = obs[0::2] == 0
    na_o = int(np.where(first_a, c0, c1).sum())
    sa_o = int(np.where(first_a, v0, v1).sum())
    nb_o = n_tot - na_o
    num_o, den_o = n_tot * sa_o - na_o * s_tot, na_o * nb_o  # T_obs * den_o * scale
    table, cmin, vmin, z = _count_table(c0, v0, c1, v1)
    s = np.arange(table.shape[1], dtype=np.int64) + vmin
    hits = 0
    for r in range(table.shape[0]):
        row = table[r]
        n_a = cmin + r
        n_b = n_tot - n_a
        if n_a == 0 or n_b == 0:  # undefined statistic: extreme
            hits += int(row.sum())
            continue
        lhs = (n_tot * s - n_a * s_tot) * den_o  # T(a) * n_a n_b den_o * scale
        rhs = num_o * (n_a * n_b)
        if tail == "greater":
            hit = lhs >= rhs
        elif tail == "less":
            hit = lhs <= rhs
        else:
            hit = np.abs(lhs) >= abs(rhs)
        hits += int(row[hit].sum())
    return hits << z, 1 << k


class SubsetCounts:
    """Subsets of the complete pairs counted by size and sum of their observed differences.

    ``e`` are the observed differences A - B of the complete pairs in grid units,
    ``table[m, s - neg]`` the number of subsets of size ``m`` with sum ``s`` (``neg``
    the sum of the negative ``e``), ``const = 2**z`` for the ``z`` wholly missing pairs.
    Flipping the set F of pairs (relative to the observed assignment) after
    subtracting ``delta`` from the A scores moves the statistic to or above the
    observed one exactly when F is empty or ``mean_F(e) <= delta`` (at least, for
    the lower tail). So the count of assignments at least as large as the observed
    one is ``const * (1 + #{F nonempty: mean_F(e) <= delta})``, and an interval bound
    is the smallest ``delta`` where that count reaches the needed one: a subset mean
    s / m, identified as an exact fraction (:meth:`bounds`). At ``delta = 0`` the
    counts are the two one-sided p-values' numerators (:meth:`tail_counts`). Only
    for pairs that are complete or wholly missing (:meth:`of` returns None otherwise).
    """

    #: tables with at most this many cells find their bounds by sorting the cells'
    #: means; larger ones by bisection on cumulative counts (same fractions)
    MAX_SORT_CELLS = 1 << 16

    def __init__(self, e: np.ndarray, z: int):
        self.e, self.n, self.const = e, int(e.size), 1 << z
        self.neg = neg = int(e[e < 0].sum())
        self.width = width = int(np.abs(e).sum()) + 1
        dtype = np.int64 if self.n <= MAX_INT64_PAIRS else object
        table = np.zeros((self.n + 1, width), dtype=dtype)  # [size, sum - neg]
        table[0, -neg] = 1
        for j, v in enumerate(e.tolist()):
            rows = slice(0, j + 1)
            if v >= 0:
                add = table[rows, :width - v].copy()
                table[1:j + 2, v:] += add
            else:
                add = table[rows, -v:].copy()
                table[1:j + 2, :width + v] += add
        self.table = table

    @classmethod
    def of(cls, x: np.ndarray, obs: np.ndarray, scale: int) -> SubsetCounts | None:
        """The counts for one row of scores on the grid ``1/scale``; None when a pair
        has exactly one missing period."""
        m = ~np.isnan(x)
        if np.any(m[0::2] != m[1::2]):
            return None
        both = m[0::2] & m[1::2]
        q = _integers(x, scale)
        first_a = obs[0::2] == 0
        e = np.where(first_a, q[0::2] - q[1::2], q[1::2] - q[0::2])[both]
        return cls(e, int((~both).sum()))

    def tail_counts(self) -> tuple[int, int]:
        """Assignments with a statistic at least / at most the observed one (delta = 0)."""
        zero = -self.neg  # column of sum 0
        nonempty = self.table[1:]
        at_most = int(nonempty[:, :zero + 1].sum())
        at_least = int(nonempty[:, zero:].sum())
        return self.const * (1 + at_most), self.const * (1 + at_least)

    def bounds(self, need: int, scale: int) -> tuple[float, float]:
        """Interval bounds (in score units) whose tail counts reach ``need``."""
        if need <= self.const:
            return -math.inf, math.inf
        target = need // self.const - 1 + (need % self.const > 0)  # nonempty subsets needed
        if self.table.dtype == np.int64 and self.n * self.width <= self.MAX_SORT_CELLS:
            low, high = self._sorted_bounds(target)
        else:
            low, high = self._bisected_bounds(target)
        return (math.inf if low is None else float(low / scale),  # correctly rounded
                -math.inf if high is None else float(high / scale))

    def _sorted_bounds(self, target: int) -> tuple[Fraction | None, Fraction | None]:
        """The target-th smallest and largest subset mean, by sorting the table's cells.

        Two distinct means s/m with m <= 62 differ by at least 1/m^2, far more than
        the rounding of s/m in floating point, so sorting the rounded means orders the
        fractions exactly (equal fractions round alike).
        """
        size, col = np.nonzero(self.table[1:])
        count = self.table[1:][size, col]
        sums, sizes = col + self.neg, size + 1
        order = np.argsort(sums / sizes, kind="stable")
        out: list[Fraction | None] = []
        for o in (order, order[::-1]):
            cum = np.cumsum(count[o])
            if cum[-1] < target:
                out.append(None)
                continue
            j = o[int(np.searchsorted(cum, target))]
            out.append(Fraction(int(sums[j]), int(sizes[j])))
        return out[0], out[1]

    def _bisected_bounds(self, target: int) -> tuple[Fraction | None, Fraction | None]:
        n, neg, width, e = self.n, self.neg, self.width, self.e
        cum = np.cumsum(self.table[1:], axis=1)  # cum[m - 1, i]: size m, sum <= i + neg
        cum_rev = np.cumsum(self.table[1:, ::-1], axis=1)[:, ::-1]  # sum >= i + neg
        sizes = np.arange(1, n + 1)

        def count_le(d: float) -> int:  # subsets (nonempty) with mean <= d (grid units)
            i = np.floor(d * sizes).astype(np.int64) - neg
            ok = i >= 0
            i = np.minimum(i, width - 1)
            return int(cum[sizes[ok] - 1, i[ok]].sum())

        def count_ge(d: float) -> int:
            i = np.ceil(d * sizes).astype(np.int64) - neg
            ok = i <= width - 1
            i = np.maximum(i, 0)
            return int(cum_rev[sizes[ok] - 1, i[ok]].sum())

        lo_e, hi_e = float(e.min()) - 1.0, float(e.max()) + 1.0
        low = _smallest(count_le, target, lo_e, hi_e, n)
        high = _smallest(lambda d: count_ge(-d), target, -hi_e, -lo_e, n)
        return low, None if high is None else -high


def _smallest(count, target: int, lo: float, hi: float, n: int) -> Fraction | None:
    """Smallest fraction s/m (m <= n) with ``count(s/m) >= target``; count nondecreasing.

    None when ``count(hi) < target`` (no such fraction below ``hi``).
    """
    if count(hi) < target:
        return None
    gap = 1.0 / (4.0 * n * n)  # distinct fractions with denominators <= n differ by > 1/n^2
    while hi - lo > gap:
        mid = 0.5 * (lo + hi)
        if count(mid) >= target:
            hi = mid
        else:
            lo = mid
    # the jump lies in (lo, hi]: the one fraction s/m there with the smallest value
    lo_f, hi_f = Fraction(lo), Fraction(hi)
    best = None
    for m_ in range(1, n + 1):
        f = Fraction(math.floor(lo_f * m_) + 1, m_)
        if f <= hi_f and (best is None or f < best):
            best = f
    if best is None:  # pragma: no cover - the gap argument above rules this out
        raise RuntimeError("interval bound not identified")
    return best


#: rows handled together by :func:`mitm_complete_counts` (bounds the offsets added per row)
_MITM_BLOCK = 256


def mitm_complete_counts(xc: np.ndarray, t: np.ndarray, gamma: np.ndarray,
                         tail: str) -> np.ndarray:
    """Exact counts for many complete rows of a paired design, by vectorised meet-in-the-middle.

    For complete rows (no missing period) ``k * T(a) = sum_j eps_j d_j`` with
    ``d_j`` the first minus the second period of pair j and ``eps_j = +1`` when
    the first period is A. Each row's 2**h left sums and 2**(k-h) right sums
    are listed by doubling; the right sums are sorted per row, scaled into
    [-1, 1] and shifted by 8 per row, so one ``searchsorted`` over the
    concatenated rows counts, for every left sum, the right sums beyond the
    threshold within its own row. Ties use the tolerance ``gamma`` as the
    enumeration does (the scaling and shift cost at most 1e-12 of the row's
    range, far below ``gamma``).
    """
    n_rows, n_units = xc.shape
    k = n_units // 2
    h = k // 2
    d = xc[:, 0::2] - xc[:, 1::2]
    out = np.zeros(n_rows, dtype=np.int64)
    for r0 in range(0, n_rows, _MITM_BLOCK):
        rows = slice(r0, min(n_rows, r0 + _MITM_BLOCK))
        dd = d[rows]
        b = dd.shape[0]
        scale = np.abs(dd).sum(axis=1) + k * np.abs(t[rows]) + 1e-300
        left = doubling(dd[:, :h], -dd[:, :h]) / scale[:, None]
        right = np.sort(doubling(dd[:, h:], -dd[:, h:]) / scale[:, None], axis=1)
        n_r = right.shape[1]
        shift = 8.0 * np.arange(b)[:, None]
        flat = (right + shift).ravel()
        base = (np.arange(b) * n_r)[:, None]

        def below(q: np.ndarray, side: str, flat=flat, shift=shift, base=base,
                  n_r=n_r) -> np.ndarray:
            """Per row, how many right sums are < q (side 'left') or <= q ('right').

            The queries are sorted within their row first: the counts are summed per
            row, so their order does not matter, and sorted queries walk the right sums
            in order (about 2.5x faster lookups)."""
            q = np.sort(q, axis=1)
            pos = np.searchsorted(flat, (q + shift).ravel(), side=side).reshape(q.shape)
            return np.clip(pos - base, 0, n_r).sum(axis=1)

        n_pairs_total = left.shape[1] * n_r
        tt, gg = t[rows, None], gamma[rows, None]
        if tail == "greater":
            c = k * (tt - gg) / scale[:, None] - left
            out[rows] = n_pairs_total - below(c, "left")
        elif tail == "less":
            c = k * (tt + gg) / scale[:, None] - left
            out[rows] = below(c, "right")
        else:
            mag = k * (np.abs(tt) - gg) / scale[:, None]
            hi = n_pairs_total - below(mag - left, "left")
            lo = below(-mag - left, "right")
            out[rows] = np.where(mag[:, 0] <= 0, n_pairs_total, hi + lo)
    return out
