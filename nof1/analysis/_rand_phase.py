"""A phase design's admissible set as a union of products: exact counts without listing it.

Fix the middle change point ``v`` of a phase design with ``P >= 3`` phases. The
phases before ``v`` depend only on the earlier change points (a *left* chain),
the phases after it only on the later ones (a *right* chain), and every left
chain that fits before ``v`` combines with every right chain that fits after it.
For the mean of phase means (``'PA-PB'``), once the numbers of A and B phases
that have data are fixed, the statistic of a left/right pair is a sum ``L + R``
of a left and a right term, each linear in the data. So the admissible set is
a union of products (one per ``v`` and per pattern of phases with data), and

- ``#{a : T(a) >= theta}`` is, per ``v``, a sorted-merge count: about n^2 log n
  operations for ABAB instead of the n^3 / 6 assignments (5,013,320 for ABAB
  365/14);
- the pairs beyond a threshold can be listed without looking at the others.

``L + R`` rounds differently from the engine, which adds the phase means phase
by phase. Every comparison is therefore made with a margin far above that
rounding (:data:`MARGIN` of the data scale), and the pairs inside the margin
are evaluated again with the engine's own arithmetic
(``_PhaseEvaluator._from_bounds``, the arithmetic of its exact enumeration), so
counts and selected values equal those of the enumeration bit for bit.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from itertools import combinations
from math import comb

import numpy as np

__all__ = ["PhaseProduct", "MARGIN", "MAX_PRODUCT_CELLS", "product_cells"]

#: comparisons of L + R are made this far (relative to the data scale) on either side of a
#: threshold; L + R differs from the engine's value by a few units of 1e-16 of the scale
MARGIN = 1e-11

#: products with more (split, chain) cells than this are not built (memory)
MAX_PRODUCT_CELLS = 1 << 22


def product_cells(n: int, n_phases: int, min_phase: int) -> int:
    """Number of (split, left chain) plus (split, right chain) cells of the product."""
    p, mp = n_phases, min_phase
    j = (p - 2) // 2
    n_v = n - (p - 1 - j) * mp - (j + 1) * mp + 1

    def chains(m: int, lo: int, hi: int) -> int:
        return 1 if m == 0 else comb(max(0, hi - (m - 1) * (mp - 1) - lo + 1), m)

    v_lo, v_hi = (j + 1) * mp, n - (p - 1 - j) * mp
    return n_v * (chains(j, mp, v_hi - mp) + chains(p - 2 - j, v_lo + mp, n - mp))


@dataclasses.dataclass(frozen=True)
class _Block:
    """Left and right terms of one pattern of phases with data, one row per split ``v``.

    ``left[r, v, i]`` is the left term of data row ``r`` for left chain ``i``;
    ``lmask[v, i]`` says whether that chain fits before ``v`` and has the
    block's pattern (likewise ``right``/``rmask`` for right chains).
    """

    left: np.ndarray
    right: np.ndarray
    lmask: np.ndarray
    rmask: np.ndarray
    active: np.ndarray  # split rows with at least one pair

    @property
    def n_pairs(self) -> int:
        return int(self.lmask.sum(axis=1) @ self.rmask.sum(axis=1))

#: candidate (left cell, right cell) combinations below which pairs are listed directly
_FEW_CELLS = 1 << 16


def _chains(m: int, lo: int, hi: int, min_phase: int) -> np.ndarray:
    """All chains ``c_0 < ... < c_{m-1}`` with ``c_0 >= lo``, gaps >= min_phase, ``c_{m-1} <= hi``.

    Lexicographic order; shape ``(count, m)`` (one empty chain when ``m == 0``).
    """
    if m == 0:
        return np.zeros((1, 0), dtype=np.int64)
    top = hi - (m - 1) * (min_phase - 1)
    if top < lo:
        return np.zeros((0, m), dtype=np.int64)
    e = np.array(list(combinations(range(lo, top + 1), m)), dtype=np.int64).reshape(-1, m)
    return e + np.arange(m, dtype=np.int64) * (min_phase - 1)


@lru_cache(maxsize=16)
def _geometry(n: int, p: int, mp: int):
    """Split values, left chains (by last element), right chains and which fit each split."""
    j = (p - 2) // 2
    v = np.arange((j + 1) * mp, n - (p - 1 - j) * mp + 1, dtype=np.int64)
    left = _chains(j, mp, int(v[-1]) - mp, mp)
    left = left[np.argsort(left[:, -1], kind="stable")] if j else left
    right = _chains(p - 2 - j, int(v[0]) + mp, n - mp, mp)
    left_last = left[:, -1] if j else np.zeros(1, dtype=np.int64)
    fits_l = left_last[None, :] <= (v - mp)[:, None]
    fits_r = right[:, 0][None, :] >= (v + mp)[:, None]
    for a in (v, left, right, fits_l, fits_r):
        a.flags.writeable = False
    return v, left, right, fits_l, fits_r


def _patterns(codes: np.ndarray, fits: np.ndarray):
    """``(code, mask)`` for every code taken where ``fits``; usually one (no phase lacks data)."""
    first = codes[fits][:1]
    if first.size and np.all((codes == first[0]) | ~fits):
        return [(int(first[0]), fits)]
    return [(int(c), fits & (codes == c)) for c in np.unique(codes[fits])]


class PhaseProduct:
    """The admissible set of a phase design as products of left and right chains.

    Parameters
    ----------
    ev : _PhaseEvaluator
        Evaluator of the data rows (statistic ``'PA-PB'``). All rows must have
        the same missing values (a data row and its indicator row, for instance).
    """

    def __init__(self, ev) -> None:
        design = ev.design
        n, p, mp, w = design.n_occasions, design.n_phases, design.min_phase, ev.washout
        if p < 3 or ev.base != "PA-PB":
            raise ValueError("a product needs a phase design with at least 3 phases and "
                             "the statistic 'PA-PB'")
        if ev.n_batch > 1 and not (ev.m == ev.m[:1]).all():
            raise ValueError("every row must have the same missing values")
        self.ev = ev
        j = (p - 2) // 2  # index of the split change point
        self.v, left, right, fits_l, fits_r = _geometry(n, p, mp)
        self.left_chains, self.right_chains = left, right

        csum, ccnt = ev.csum, ev.ccnt[0]
        cond = design.phase_conditions

        def phase(start: np.ndarray, start_axis: int, end: np.ndarray, end_axis: int):
            """Means per row and has-data flags of the analysed occasions of [start, end).

            ``start``/``end`` index the split values (axis 0) or the chains (axis 1);
            the result broadcasts to ``(rows, n_splits, n_chains)``.
            """
            def at(table, idx, axis):
                g = table[..., idx]
                return g[..., :, None] if axis == 0 else g[..., None, :]

            s = at(csum, end, end_axis) - at(csum, start + w, start_axis)
            c = at(ccnt, end, end_axis) - at(ccnt, start + w, start_axis)
            has = c > 0
            inv = np.divide(1.0, c, out=np.zeros(c.shape), where=has)
            return s * inv, has

        def accumulate(phases, conds):
            sums, counts = [0.0, 0.0], [0, 0]
            for (mean, has), k in zip(phases, conds, strict=True):
                sums[k] = sums[k] + mean
                counts[k] = counts[k] + has.astype(np.int64)
            return sums, counts

        # left: phases 0..j; phase j runs from the last left change point to v
        bounds_l = np.concatenate([np.zeros((left.shape[0], 1), dtype=np.int64), left], axis=1)
        phases_l = [phase(bounds_l[:, q], 1, bounds_l[:, q + 1], 1) for q in range(j)]
        phases_l.append(phase(bounds_l[:, j], 1, self.v, 0))
        sums_l, counts_l = accumulate(phases_l, cond[:j + 1])
        # right: phases j+1..P-1; phase j+1 runs from v to the first right change point
        bounds_r = np.concatenate([right, np.full((right.shape[0], 1), n, dtype=np.int64)],
                                  axis=1)
        phases_r = [phase(self.v, 0, bounds_r[:, 0], 1)]
        phases_r += [phase(bounds_r[:, q], 1, bounds_r[:, q + 1], 1) for q in range(p - 2 - j)]
        sums_r, counts_r = accumulate(phases_r, cond[j + 1:])
        shape_l, shape_r = fits_l.shape, fits_r.shape
        sums_l = [np.broadcast_to(a, (ev.n_batch, *shape_l)) for a in sums_l]
        sums_r = [np.broadcast_to(a, (ev.n_batch, *shape_r)) for a in sums_r]
        counts_l = [np.broadcast_to(a, shape_l) for a in counts_l]
        counts_r = [np.broadcast_to(a, shape_r) for a in counts_r]

        self.blocks: list[_Block] = []
        self.n_undefined = 0
        self.n_total = int(fits_l.sum(axis=1) @ fits_r.sum(axis=1))
        if ev.has_missing:
            pats_l = _patterns(counts_l[0] * (p + 1) + counts_l[1], fits_l)
            pats_r = _patterns(counts_r[0] * (p + 1) + counts_r[1], fits_r)
        else:  # every phase has data (the wash-out is shorter than the shortest phase)
            n_a_l = int(np.sum(cond[:j + 1] == 0))
            n_a_r = int(np.sum(cond[j + 1:] == 0))
            pats_l = [(n_a_l * (p + 1) + j + 1 - n_a_l, fits_l)]
            pats_r = [(n_a_r * (p + 1) + p - j - 1 - n_a_r, fits_r)]
        for code_l, lmask in pats_l:
            a_l, b_l = divmod(int(code_l), p + 1)
            for code_r, rmask in pats_r:
                a_r, b_r = divmod(int(code_r), p + 1)
                n_a, n_b = a_l + a_r, b_l + b_r
                if n_a == 0 or n_b == 0:  # statistic undefined: counts as extreme
                    self.n_undefined += int(lmask.sum(axis=1) @ rmask.sum(axis=1))
                    continue
                self.blocks.append(_Block(left=sums_l[0] / n_a - sums_l[1] / n_b,
                                          right=sums_r[0] / n_a - sums_r[1] / n_b,
                                          lmask=lmask, rmask=rmask,
                                          active=np.flatnonzero(lmask.any(axis=1)
                                                                & rmask.any(axis=1))))
        self.n_defined = self.n_total - self.n_undefined
        self.scale = float(np.nanmax(np.abs(ev.x))) if ev.m.any() else 1.0

    # -- evaluation ------------------------------------------------------------------
    def exact(self, block: _Block, pairs: tuple[np.ndarray, np.ndarray, np.ndarray]
              ) -> np.ndarray:
        """The engine's values ``(rows, len(pairs))`` for pairs ``(v index, left, right)``."""
        vi, li, ri = pairs
        cps = np.concatenate([self.left_chains[li], self.v[vi, None], self.right_chains[ri]],
                             axis=1)
        return self.ev._from_bounds(self.ev._bounds(cps), per_row=False)

    @staticmethod
    def keys(block: _Block, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Left and right terms of ``coef @ rows`` (one weight per data row)."""
        lkey = rkey = None
        for r, c in enumerate(np.asarray(coef, dtype=float).tolist()):
            if c:
                lt = block.left[r] if c == 1.0 else c * block.left[r]
                rt = block.right[r] if c == 1.0 else c * block.right[r]
                lkey = lt if lkey is None else lkey + lt
                rkey = rt if rkey is None else rkey + rt
        if lkey is None:
            return np.zeros(block.lmask.shape), np.zeros(block.rmask.shape)
        return lkey, rkey

    def approx(self, block: _Block, pairs, coef: np.ndarray) -> np.ndarray:
        """``coef @ (L + R)`` for pairs ``(v index, left, right)`` (within rounding of T)."""
        vi, li, ri = pairs
        lkey, rkey = self.keys(block, coef)
        return (np.take(lkey, vi * lkey.shape[1] + li)
                + np.take(rkey, vi * rkey.shape[1] + ri))

    # -- counting and listing --------------------------------------------------------
    @staticmethod
    def _search(block: _Block, lkey: np.ndarray, rkey: np.ndarray, thetas: list[float],
                with_order: bool = True):
        """Per split row: right keys sorted, left keys sorted (descending), and for each
        threshold and sorted left key the position of the first right key
        ``>= theta - left key``.

        Masked right keys are -inf (never reached); masked left keys are -inf, sort
        last and reach nothing. Returns ``(right order, left order, positions)``, the
        positions of shape ``(n_thresholds, n_splits, n_left)``; the orders are None
        unless ``with_order``.
        """
        r = np.where(block.rmask, rkey, -np.inf)
        lk = np.where(block.lmask, -lkey, np.inf)  # minus the left keys, ascending
        if with_order:
            r_order = np.argsort(r, axis=1)
            rs = np.take_along_axis(r, r_order, axis=1)
            l_order = np.argsort(lk, axis=1)
            ls = np.take_along_axis(lk, l_order, axis=1)
        else:
            r_order = l_order = None
            rs, ls = np.sort(r, axis=1), np.sort(lk, axis=1)
        n_t, (n_v, n_l), n_r = len(thetas), ls.shape, rs.shape[1]
        needles = (np.asarray(thetas, dtype=float)[None, :, None] + ls[:, None, :]
                   ).reshape(n_v, n_t * n_l)
        pos = np.full((n_v, n_t * n_l), n_r, dtype=np.intp)
        for row in block.active.tolist():
            pos[row] = rs[row].searchsorted(needles[row])
        return r_order, l_order, pos.reshape(n_v, n_t, n_l).transpose(1, 0, 2)

    @staticmethod
    def _pairs(r_order: np.ndarray, l_order: np.ndarray, start: np.ndarray, stop: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs at sorted right positions ``start..stop - 1`` of each (split, sorted left)."""
        size = stop - start
        vi, lj = np.nonzero(size > 0)
        cnt = size[vi, lj]
        offsets = np.cumsum(cnt) - cnt
        pos = np.repeat(start[vi, lj] - offsets, cnt) + np.arange(int(offsets[-1] + cnt[-1])
                                                                 if cnt.size else 0)
        li = l_order[vi, lj]
        vi, li = np.repeat(vi, cnt), np.repeat(li, cnt)
        return vi, li, r_order[vi, pos]

    def count_at_least(self, coef: np.ndarray, theta: float) -> int:
        """Exactly ``#{defined a : coef @ T(a) >= theta}``, T computed as the engine does.

        ``coef`` weighs the data rows (e.g. ``[1]`` or ``[-1]`` for one row).
        """
        eps = MARGIN * (self.scale * float(np.abs(coef).sum()) + abs(theta))
        hits = 0
        for block in self.blocks:
            lkey, rkey = self.keys(block, coef)
            _, _, (hi, lo) = self._search(block, lkey, rkey, [theta + eps, theta - eps],
                                          with_order=False)
            hits += int(block.rmask.shape[1] * hi.size - hi.sum())
            if (hi != lo).any():  # values within the margin: listed, then evaluated exactly
                r_order, l_order, (hi, lo) = self._search(block, lkey, rkey,
                                                          [theta + eps, theta - eps])
                band = self._pairs(r_order, l_order, lo, hi)
                hits += int(np.count_nonzero(coef @ self.exact(block, band) >= theta))
        return hits

    def pairs_at_least(self, coef: np.ndarray, theta: float):
        """Per block, the pairs with ``coef @ (L + R) >= theta`` (no margin: the caller's).

        When few (split, chain) cells can reach ``theta`` at all (a left key plus the
        largest right key of its split, and vice versa), the pairs are found among
        those cells directly; otherwise by sorting (:meth:`_search`).
        """
        out = []
        for block in self.blocks:
            lkey, rkey = self.keys(block, coef)
            lk = np.where(block.lmask, lkey, -np.inf)
            rk = np.where(block.rmask, rkey, -np.inf)
            l_cells = lk + rk.max(axis=1, keepdims=True) >= theta
            r_cells = rk + lk.max(axis=1, keepdims=True) >= theta
            n_l, n_r = l_cells.sum(axis=1), r_cells.sum(axis=1)
            if int(n_l @ n_r) <= _FEW_CELLS:
                vl, li = np.nonzero(l_cells)
                vr, ri = np.nonzero(r_cells)
                # every candidate left cell against every candidate right cell of its split
                starts = np.searchsorted(vr, vl, side="left")
                cnt = n_r[vl]
                offsets = np.cumsum(cnt) - cnt
                k = (np.repeat(starts - offsets, cnt) + np.arange(int(cnt.sum()))
                     if cnt.size else np.zeros(0, dtype=np.intp))
                vi, li, ri = np.repeat(vl, cnt), np.repeat(li, cnt), ri[k]
                ok = lk[vi, li] + rk[vi, ri] >= theta
                out.append((block, (vi[ok], li[ok], ri[ok])))
                continue
            r_order, l_order, (pos,) = self._search(block, lkey, rkey, [theta])
            stop = np.full_like(pos, block.rmask.shape[1])
            out.append((block, self._pairs(r_order, l_order, pos, stop)))
        return out

    def sample(self, size: int, seed: int = 0):
        """Uniform draws (with replacement) from the defined pairs, per block."""
        rng = np.random.default_rng(seed)
        weights = np.array([b.n_pairs for b in self.blocks], dtype=float)
        per_block = rng.multinomial(size, weights / weights.sum())
        out = []
        for block, m in zip(self.blocks, per_block.tolist(), strict=True):
            n_l, n_r = block.lmask.sum(axis=1), block.rmask.sum(axis=1)
            cells = n_l * n_r
            u = rng.integers(0, cells.sum(), size=m)
            vi = np.searchsorted(np.cumsum(cells), u, side="right")
            u = u - (np.cumsum(cells) - cells)[vi]
            li_rank, ri_rank = u // n_r[vi], u % n_r[vi]
            l_idx = np.argsort(~block.lmask, axis=1, kind="stable")
            r_idx = np.argsort(~block.rmask, axis=1, kind="stable")
            out.append((block, (vi, l_idx[vi, li_rank], r_idx[vi, ri_rank])))
        return out
