"""Vectorized evaluation of the test statistic over a design's reference set.

An evaluator holds one or more rows of scores (NaN = missing) and computes the
*base* statistic (``'A-B'``, difference of condition means, or ``'PA-PB'``,
mean of phase means; always oriented A minus B) for

- the observed assignment of each row (:meth:`observed`),
- a set of assignments shared by all rows (:meth:`from_assignments`; Monte Carlo),
- the design's whole admissible set, in the design's enumeration order
  (:meth:`exact_chunks`).

No Python loop runs over assignments:

- paired designs build the 2**k values of the statistic by doubling (one array
  operation per pair) and, beyond 2**20 assignments, count exactly by
  meet-in-the-middle (:func:`paired_mitm_count`);
- phase designs use prefix sums, so an assignment costs a few look-ups per
  phase whatever the number of occasions;
- other designs (alternating) use matrix products over enumerated chunks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..design import AlternatingDesign, Design, PairedDesign, PhaseDesign
from ._rand_phase import MAX_PRODUCT_CELLS, PhaseProduct, product_cells

__all__ = ["TIE_RTOL", "make_evaluator", "count_extreme", "tie_tolerance", "diff_means",
           "paired_mitm_count", "doubling", "mc_draws"]

#: relative tolerance for ties: |T - t| <= TIE_RTOL * (|t| + max |centred score|) is a tie
TIE_RTOL = 1e-10
#: rows x assignments evaluated per chunk (bounds memory use)
CHUNK_ELEMENTS = 1 << 20
#: paired designs up to this many pairs enumerate all 2**k values (kept as null distribution)
MAX_DOUBLING_PAIRS = 20
#: Monte Carlo draws are made in chunks of this size (fixed, so draws do not
#: depend on the number of data sets analysed at once)
DRAW_CHUNK = 1 << 14
#: alternating designs list the 2**h strings of each half up to this half length
MAX_HALF = 22


def diff_means(sum_a: np.ndarray, n_a: np.ndarray, sum_b: np.ndarray,
               n_b: np.ndarray) -> np.ndarray:
    """mean(A) - mean(B) from sums and counts; NaN where a condition has no data."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = sum_a / n_a - sum_b / n_b
    return np.where((n_a > 0) & (n_b > 0), out, np.nan)


def tie_tolerance(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Absolute tie tolerance per row, relative to the observed statistic and the data scale."""
    scale = np.nanmax(np.abs(x), axis=1)
    return TIE_RTOL * (np.abs(t) + scale)


def count_extreme(values: np.ndarray, t: np.ndarray, gamma: np.ndarray,
                  tail: str, may_be_nan: bool = True) -> np.ndarray:
    """Per row, how many ``values`` are at least as extreme as ``t`` (NaN counts as extreme).

    ``may_be_nan=False`` skips the NaN pass (complete data: every assignment's
    statistic is defined).
    """
    t = t[:, None]
    gamma = gamma[:, None]
    if tail == "greater":
        hit = values >= t - gamma
    elif tail == "less":
        hit = values <= t + gamma
    else:
        hit = np.abs(values) >= np.abs(t) - gamma
    if may_be_nan:
        hit |= np.isnan(values)
    return np.count_nonzero(hit, axis=1)


def doubling(opt0: np.ndarray, opt1: np.ndarray) -> np.ndarray:
    """All 2**k sums choosing ``opt0[:, j]`` or ``opt1[:, j]`` for each column j.

    Column order is the binary code with column 0 as the most significant bit
    (bit 0 = ``opt0``): the order of ``PairedDesign.iter_assignments``.
    """
    out = np.zeros((opt0.shape[0], 1))
    for j in range(opt0.shape[1] - 1, -1, -1):
        out = np.concatenate([out + opt0[:, j:j + 1], out + opt1[:, j:j + 1]], axis=1)
    return out


class _Evaluator:
    """Difference of condition means for any design, by matrix products.

    This generic evaluator needs only the :class:`~nof1.design.Design` interface
    (``iter_assignments``, ``draw``), so a new design class is tested correctly
    without an entry in :data:`EVALUATORS`; an entry only makes it faster.
    """

    #: the exact test can count extreme assignments without listing them
    #: (``randomization._paired_exact``: a dynamic programme or meet-in-the-middle)
    counts_without_listing = False
    #: Monte Carlo draws can be made per pair of units, from the pair bits alone
    draws_pair_bits = False
    #: Monte Carlo draws can be made as change points (no assignment rows)
    draws_changepoints = False
    #: base statistics it computes, and whether it re-applies a wash-out per assignment
    bases: tuple[str, ...] = ("A-B",)
    applies_washout = False

    def __init__(self, design: Design, x: np.ndarray, base: str, washout: int):
        self.design = design
        self.base = base
        self.washout = washout
        self.x = x
        self.m = ~np.isnan(x)
        self.xm = np.where(self.m, x, 0.0)
        self.mf = self.m.astype(float)
        self.has_missing = not self.m.all()
        self.n_batch = x.shape[0]

    @property
    def chunk_rows(self) -> int:
        return max(1, CHUNK_ELEMENTS // self.n_batch)

    def product(self) -> PhaseProduct | None:
        """The reference set as a union of products (exact counts without listing), or None."""
        return None

    def observed(self, obs: np.ndarray) -> np.ndarray:
        a = obs == 0
        return diff_means((self.xm * a).sum(axis=1), (self.m & a).sum(axis=1),
                          (self.xm * ~a).sum(axis=1), (self.m & ~a).sum(axis=1))

    def from_assignments(self, assignments: np.ndarray) -> np.ndarray:
        a = (assignments == 0).astype(float).T
        sum_a = self.xm @ a
        n_a = self.mf @ a
        total = self.xm.sum(axis=1, keepdims=True)
        count = self.mf.sum(axis=1, keepdims=True)
        return diff_means(sum_a, n_a, total - sum_a, count - n_a)

    def exact_chunks(self) -> Iterator[tuple[slice, slice | np.ndarray, np.ndarray]]:
        """Yield ``(rows, columns, values)`` blocks covering the whole reference set.

        ``values[i, j]`` is the statistic of data row ``rows[i]`` under the
        assignment at position ``columns[j]`` of the design's enumeration order.
        """
        col = 0
        for chunk in self.design.iter_assignments(self.chunk_rows):
            values = self.from_assignments(chunk)
            yield slice(None), slice(col, col + values.shape[1]), values
            col += values.shape[1]


class _PairedEvaluator(_Evaluator):
    """Paired designs: per pair, the first or the second period is condition A."""

    counts_without_listing = True
    draws_pair_bits = True

    def __init__(self, design: PairedDesign, x: np.ndarray, base: str, washout: int):
        super().__init__(design, x, base, washout)
        self.opt = (self.xm[:, 0::2], self.xm[:, 1::2])
        self.cnt = (self.mf[:, 0::2], self.mf[:, 1::2])

    def exact_chunks(self) -> Iterator[tuple[slice, slice | np.ndarray, np.ndarray]]:
        k = self.design.n_pairs
        block = max(1, CHUNK_ELEMENTS >> k)
        for start in range(0, self.n_batch, block):
            rows = slice(start, min(self.n_batch, start + block))
            sum_a = doubling(self.opt[0][rows], self.opt[1][rows])
            if self.has_missing:
                n_a = doubling(self.cnt[0][rows], self.cnt[1][rows])
            else:
                n_a = np.full(1, float(k))
            total = self.xm[rows].sum(axis=1, keepdims=True)
            count = self.mf[rows].sum(axis=1, keepdims=True)
            yield rows, slice(None), diff_means(sum_a, n_a, total - sum_a, count - n_a)


class _PhaseEvaluator(_Evaluator):
    """Phase designs: phase sums from prefix sums at the phase boundaries."""

    draws_changepoints = True
    bases = ("A-B", "PA-PB")
    applies_washout = True

    def __init__(self, design: PhaseDesign, x: np.ndarray, base: str, washout: int):
        super().__init__(design, x, base, washout)
        zero = np.zeros((self.n_batch, 1))
        self.csum = np.concatenate([zero, np.cumsum(self.xm, axis=1)], axis=1)
        self.ccnt = np.concatenate([zero, np.cumsum(self.mf, axis=1)], axis=1)

    def product(self) -> PhaseProduct | None:
        d = self.design
        if (self.base != "PA-PB" or d.n_phases < 3 or product_cells(
                d.n_occasions, d.n_phases, d.min_phase) > MAX_PRODUCT_CELLS):
            return None
        return PhaseProduct(self)

    def _bounds(self, cps: np.ndarray) -> np.ndarray:
        """Change points ``(..., P-1)`` -> phase boundaries ``(..., P+1)``."""
        n = self.design.n_occasions
        lead = np.zeros(cps.shape[:-1] + (1,), dtype=np.int64)
        return np.concatenate([lead, cps, lead + n], axis=-1)

    def _from_bounds(self, bounds: np.ndarray, per_row: bool) -> np.ndarray:
        """Statistic from phase boundaries: one row per data row, or shared by all rows."""
        def gather(table: np.ndarray, idx: np.ndarray) -> np.ndarray:
            if per_row:
                return np.take_along_axis(table, idx, axis=1)
            return table[:, idx]

        # wash-out < min_phase, so every phase keeps occasions [start + washout, end)
        ends = bounds[..., 1:]
        starts = bounds[..., :-1] + self.washout
        sums = gather(self.csum, ends) - gather(self.csum, starts)
        if self.has_missing:
            counts = gather(self.ccnt, ends) - gather(self.ccnt, starts)
        else:
            counts = (ends - starts).astype(float)
        return self._combine([(sums[..., p], counts[..., p]) for p in range(sums.shape[-1])])

    def observed(self, obs: np.ndarray) -> np.ndarray:
        rows, cols = np.nonzero(np.diff(obs, axis=1))
        cps = (cols + 1).reshape(obs.shape[0], self.design.n_phases - 1)
        return self._from_bounds(self._bounds(cps), per_row=True)

    def from_assignments(self, assignments: np.ndarray) -> np.ndarray:
        rows, cols = np.nonzero(np.diff(assignments, axis=1))
        cps = (cols + 1).reshape(assignments.shape[0], self.design.n_phases - 1)
        return self._from_bounds(self._bounds(cps), per_row=False)

    def exact_chunks(self) -> Iterator[tuple[slice, slice | np.ndarray, np.ndarray]]:
        """All admissible change points, in lexicographic order (``iter_changepoints``).

        The last one or two change points (the *tail*) are vectorized: their
        admissible values for the earliest possible start form one table, sorted
        lexicographically, and for a given prefix of earlier change points the
        admissible tail rows are a suffix of it. Phase sums are differences of
        prefix sums looked up once per table column; a Python loop runs only over
        the prefixes (one per value of the first change point for ABAB).
        """
        design = self.design
        n, p, mp, w = design.n_occasions, design.n_phases, design.min_phase, self.washout
        n_tail = min(2, p - 1)
        n_prefix = p - 1 - n_tail
        tail = _tail_table(n, n_tail, mp, lo=(n_prefix + 1) * mp)
        first = tail[:, 0]
        rows_per_block = max(1, CHUNK_ELEMENTS // max(1, tail.shape[0]))
        for r0 in range(0, self.n_batch, rows_per_block):
            rows = slice(r0, min(self.n_batch, r0 + rows_per_block))
            csum, ccnt = self.csum[rows], self.ccnt[rows]

            def phase(start, end, csum=csum, ccnt=ccnt):
                """(sum, count) of the analysed occasions of phase [start, end)."""
                start, end = np.atleast_1d(start), np.atleast_1d(end)
                s = csum[:, end] - csum[:, start + w]
                if self.has_missing:
                    return s, ccnt[:, end] - ccnt[:, start + w]
                return s, np.asarray(end - start - w, dtype=float)

            tail_phases = [phase(tail[:, j], tail[:, j + 1]) for j in range(n_tail - 1)]
            tail_phases.append(phase(tail[:, -1], n))
            col = 0
            for prefix in _prefixes(n, n_prefix, n_tail, mp):
                bounds = (0, *prefix)
                start = bounds[-1]
                off = int(np.searchsorted(first, start + mp))
                phases = [phase(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
                phases.append(phase(start, first[off:]))
                phases.extend((s[:, off:], c[..., off:]) for s, c in tail_phases)
                values = self._combine(phases)
                yield rows, slice(col, col + values.shape[1]), values
                col += values.shape[1]

    def _combine(self, phases: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """The statistic from per-phase (sum, count) arrays (broadcastable)."""
        cond = self.design.phase_conditions
        if self.base == "A-B":
            tot = [[0.0, 0.0], [0.0, 0.0]]
            for (s, c), k in zip(phases, cond, strict=True):
                tot[k][0] = tot[k][0] + s
                tot[k][1] = tot[k][1] + c
            return diff_means(tot[0][0], np.asarray(tot[0][1]), tot[1][0], np.asarray(tot[1][1]))
        acc = [[0.0, 0.0], [0.0, 0.0]]
        with np.errstate(divide="ignore", invalid="ignore"):
            for (s, c), k in zip(phases, cond, strict=True):
                if self.has_missing:
                    has = np.asarray(c) > 0
                    acc[k][0] = acc[k][0] + np.where(has, s / c, 0.0)
                    acc[k][1] = acc[k][1] + has
                else:
                    acc[k][0] = acc[k][0] + s / c
                    acc[k][1] = acc[k][1] + 1
        return diff_means(acc[0][0], np.asarray(acc[0][1]), acc[1][0], np.asarray(acc[1][1]))


def _tail_table(n: int, n_tail: int, min_phase: int, lo: int) -> np.ndarray:
    """Lexicographic table of the last ``n_tail`` (1 or 2) change points, first one >= lo."""
    hi = n - min_phase  # the last phase needs min_phase occasions
    if n_tail == 1:
        return np.arange(lo, hi + 1, dtype=np.int64)[:, None]
    firsts = np.arange(lo, hi - min_phase + 1, dtype=np.int64)
    lengths = hi - (firsts + min_phase) + 1
    a = np.repeat(firsts, lengths)
    starts = np.cumsum(lengths) - lengths
    b = np.arange(a.size, dtype=np.int64) - np.repeat(starts, lengths) + a + min_phase
    return np.stack([a, b], axis=1)


def _prefixes(n: int, n_prefix: int, n_tail: int, min_phase: int,
              start: int = 0) -> Iterator[tuple[int, ...]]:
    """Admissible leading change points, lexicographic, leaving room for the tail."""
    if n_prefix == 0:
        yield ()
        return
    last = n - (n_prefix + n_tail) * min_phase  # room for the later phases
    for c in range(start + min_phase, last + 1):
        for rest in _prefixes(n, n_prefix - 1, n_tail, min_phase, c):
            yield (c, *rest)


class _AlternatingEvaluator(_Evaluator):
    """Alternating designs, enumerated as a left half joined to a right half.

    Every 0/1 string of the first h = n/2 periods (left) and of the rest (right)
    is listed with its A sum, A count, and leading/trailing runs. A left and a
    right string join into an admissible order when the A counts add to m and
    no run (including the one across the junction) exceeds the cap. Lexicographic
    order of the whole order is left-major, so each block is written at its
    position in ``iter_assignments`` order.
    """

    def exact_chunks(self) -> Iterator[tuple[slice, slice | np.ndarray, np.ndarray]]:
        design = self.design
        n = design.n_periods
        m, h = n // 2, n // 2
        cap = design._cap
        if n - h > MAX_HALF:  # halves too long to list: the design's own enumeration
            yield from super().exact_chunks()
            return
        zeros_l, zeros_r = np.zeros((self.n_batch, h)), np.zeros((self.n_batch, n - h))
        sum_l, sum_r = doubling(self.xm[:, :h], zeros_l), doubling(self.xm[:, h:], zeros_r)
        cnt_l, cnt_r = doubling(self.mf[:, :h], zeros_l), doubling(self.mf[:, h:], zeros_r)
        left, right = _half_strings(h, cap), _half_strings(n - h, cap)
        total = self.xm.sum(axis=1, keepdims=True)
        count = self.mf.sum(axis=1, keepdims=True)
        # compatible right strings for each kind of left string
        groups = []
        n_compat = np.zeros(left["n_a"].size, dtype=np.int64)
        keys = np.stack([left["n_a"], left["last"], left["last_len"]], axis=1)[left["ok"]]
        for n_a, last, last_len in np.unique(keys, axis=0):
            lefts = np.flatnonzero(left["ok"] & (left["n_a"] == n_a) & (left["last"] == last)
                                   & (left["last_len"] == last_len))
            rights = np.flatnonzero(right["ok"] & (right["n_a"] == m - n_a)
                                    & ((right["first"] != last)
                                       | (right["first_len"] + last_len <= cap)))
            n_compat[lefts] = rights.size
            groups.append((lefts, rights))
        offset = np.cumsum(n_compat) - n_compat
        for lefts, rights in groups:
            if not rights.size:
                continue
            per_block = max(1, CHUNK_ELEMENTS // (self.n_batch * rights.size))
            for i in range(0, lefts.size, per_block):
                lf = lefts[i:i + per_block]
                sum_a = (sum_l[:, lf, None] + sum_r[:, None, rights]).reshape(self.n_batch, -1)
                n_a = (cnt_l[:, lf, None] + cnt_r[:, None, rights]).reshape(self.n_batch, -1)
                cols = (offset[lf, None] + np.arange(rights.size)).ravel()
                yield slice(None), cols, diff_means(sum_a, n_a, total - sum_a, count - n_a)


def _half_strings(length: int, cap: int) -> dict[str, np.ndarray]:
    """All 0/1 strings of ``length`` in lexicographic order, with their run structure."""
    codes = np.arange(1 << length, dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(length - 1, -1, -1)) & 1).astype(np.int8)
    change = np.diff(bits, axis=1) != 0
    # length of the leading and trailing runs (a sentinel change closes the string)
    stop = np.ones((codes.size, 1), dtype=bool)
    first_len = np.argmax(np.concatenate([change, stop], axis=1), axis=1) + 1
    last_len = np.argmax(np.concatenate([change[:, ::-1], stop], axis=1), axis=1) + 1
    # no run longer than cap: no window of cap + 1 equal values
    ok = np.ones(codes.size, dtype=bool)
    if cap < length:
        csum = np.concatenate([np.zeros((codes.size, 1), dtype=np.int64),
                               np.cumsum(bits, axis=1)], axis=1)
        window = csum[:, cap + 1:] - csum[:, :-(cap + 1)]
        ok = ~((window == 0) | (window == cap + 1)).any(axis=1)
    return {"n_a": length - bits.sum(axis=1), "first": bits[:, 0], "first_len": first_len,
            "last": bits[:, -1], "last_len": last_len, "ok": ok}


#: the evaluator of each design class: the one place the engine looks at a design's class.
#: A class not listed (a new design) gets the evaluator of its nearest listed base class,
#: at least the generic one, which works through the Design interface alone.
EVALUATORS: dict[type[Design], type[_Evaluator]] = {
    Design: _Evaluator,
    PairedDesign: _PairedEvaluator,
    PhaseDesign: _PhaseEvaluator,
    AlternatingDesign: _AlternatingEvaluator,
}


def evaluator_class(design: Design) -> type[_Evaluator]:
    """The evaluator registered for ``type(design)`` or its nearest base class."""
    return next(EVALUATORS[c] for c in type(design).__mro__ if c in EVALUATORS)


def make_evaluator(design: Design, x: np.ndarray, base: str, washout: int) -> _Evaluator:
    cls = evaluator_class(design)
    if base not in cls.bases or (washout and not cls.applies_washout):
        # a design may allow what no evaluator registered for it computes: refuse, never
        # return a statistic that silently ignores the statistic or the wash-out asked for
        raise ValueError(f"the randomization test of {design!r} has no evaluator for "
                         f"statistic {base!r} with washout={washout}")
    return cls(design, x, base, washout)


def paired_mitm_count(x: np.ndarray, t: float, gamma: float, tail: str) -> int:
    """Exact count of extreme assignments of a paired design, by meet-in-the-middle.

    ``x`` holds one row of (centred) period scores, NaN = missing. The pairs are
    split into two halves; each half's 2**(k/2) partial sums of the A scores
    (and A counts) are enumerated, and for every combination of A counts the
    pairs of partial sums beyond the threshold are counted with ``searchsorted``
    on the sorted second half. For a fixed number n_A of non-missing A periods,
    ``T = s * M / (n_A n_B) - S / n_B`` increases with the A sum ``s``, so
    ``T >= theta`` is ``s >= (theta + S / n_B) n_A n_B / M``.
    """
    m = ~np.isnan(x)
    xm = np.where(m, x, 0.0)
    mf = m.astype(float)
    k = x.size // 2
    half = k // 2
    total, count = float(xm.sum()), round(float(mf.sum()))

    def enum(sl: slice) -> dict[int, np.ndarray]:
        sums = doubling(xm[None, 0::2][:, sl], xm[None, 1::2][:, sl])[0]
        cnts = np.rint(doubling(mf[None, 0::2][:, sl], mf[None, 1::2][:, sl])[0]).astype(int)
        return {int(c): np.sort(sums[cnts == c]) for c in np.unique(cnts)}

    left = enum(slice(0, half))
    right = enum(slice(half, k))
    hits = 0
    for c1, s1 in left.items():
        s1_desc = s1[::-1]
        for c2, s2 in right.items():
            n_a, n_b = c1 + c2, count - c1 - c2
            if n_a == 0 or n_b == 0:  # statistic undefined: counts as extreme
                hits += s1.size * s2.size
                continue
            coef = count / (n_a * n_b)
            offset = total / n_b

            def at_least(theta: float, s1_desc: np.ndarray = s1_desc,
                         s2: np.ndarray = s2, coef: float = coef,
                         offset: float = offset) -> int:
                q = (theta + offset) / coef - s1_desc
                return int(s2.size * s1_desc.size - np.searchsorted(s2, q, side="left").sum())

            def at_most(theta: float, s1_desc: np.ndarray = s1_desc,
                        s2: np.ndarray = s2, coef: float = coef,
                        offset: float = offset) -> int:
                q = (theta + offset) / coef - s1_desc
                return int(np.searchsorted(s2, q, side="right").sum())

            if tail == "greater":
                hits += at_least(t - gamma)
            elif tail == "less":
                hits += at_most(t + gamma)
            else:
                c = abs(t) - gamma
                hits += s1.size * s2.size if c <= 0 else at_least(c) + at_most(-c)
    return hits


def mc_draws(design: Design, rng: np.random.Generator, n: int):
    """``n`` Monte Carlo draws from the design, in chunks of :data:`DRAW_CHUNK` rows."""
    for start in range(0, n, DRAW_CHUNK):
        yield design.draw(rng, size=min(DRAW_CHUNK, n - start))
