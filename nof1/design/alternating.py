"""Alternating (completely randomized) design over periods, with an optional run cap."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np

from .._validation import check_int
from ._base import Design, DesignOption

__all__ = ["AlternatingDesign"]


class AlternatingDesign(Design):
    """2m periods, m of each condition, in random order; optionally a cap on runs.

    Without a cap the reference set has ``C(2m, m)`` orders (SCRT ``"CRD"``);
    with ``max_run=r`` only orders with no more than ``r`` consecutive periods
    of the same condition are admissible (SCRT ``"ATD"`` with ``limit=r``).
    Draws are exactly uniform over the admissible set (counting by dynamic
    programming, then sampling sequentially), not by rejection.

    Parameters
    ----------
    n_periods : int
        Total number of periods, even, at least 2.
    max_run : int or None
        Largest allowed number of consecutive periods with the same condition.

    Examples
    --------
    >>> from nof1 import AlternatingDesign
    >>> AlternatingDesign(n_periods=16, max_run=2).n_assignments
    1296
    >>> AlternatingDesign(n_periods=8).draw(rng=12345)
    array([1, 0, 1, 0, 0, 1, 1, 0], dtype=int8)
    >>> AlternatingDesign(n_periods=8, max_run=2).draw(rng=12345, size=2)
    array([[0, 1, 0, 1, 1, 0, 1, 0],
           [0, 1, 0, 0, 1, 1, 0, 1]], dtype=int8)
    """

    kind = "alternating"
    options = (
        DesignOption("periods", "n_periods", 12, "number of periods, even (default 12)"),
        DesignOption("max_run", "max_run", None,
                     "at most this many periods of one treatment in a row"),
        DesignOption("period_days", "unit_days", 14, "days per period (default 14)"),
    )

    def __init__(self, n_periods: int = 12, max_run: int | None = None):
        n_periods = check_int(n_periods, "n_periods", minimum=2, maximum=200)
        if n_periods % 2:
            raise ValueError(f"`n_periods` must be even (m periods of each condition), "
                             f"got {n_periods}")
        self.n_periods = n_periods
        if max_run is not None:
            max_run = check_int(max_run, "max_run", minimum=1)
            if max_run >= n_periods // 2:
                max_run = None  # no constraint in effect
        self.max_run = max_run
        if self.n_assignments == 0:
            raise ValueError(f"no admissible order of {n_periods} periods with max_run={max_run}")

    @property
    def n_units(self) -> int:
        return self.n_periods

    @property
    def _cap(self) -> int:
        return self.max_run if self.max_run is not None else self.n_periods

    @property
    def n_assignments(self) -> int:
        m = self.n_periods // 2
        return _count(m, m, -1, 0, self._cap)

    @property
    def scrt_design(self) -> str:
        return "CRD" if self.max_run is None else "ATD"

    @property
    def symmetric(self) -> bool:
        return True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "n_periods": self.n_periods, "max_run": self.max_run}

    def describe(self, unit_days: int) -> str:
        cap = "" if self.max_run is None else f", at most {self.max_run} in a row"
        return f"alternating, {self.n_periods} periods of {unit_days} days{cap}"

    def plain_words(self, unit_days: int) -> str:
        return f"{self.n_periods} periods of {unit_days} days in random order"

    def _draw(self, rng: np.random.Generator) -> np.ndarray:
        m = self.n_periods // 2
        cap = self._cap
        ra, rb, last, run = m, m, -1, 0
        out = np.empty(self.n_periods, dtype=np.int8)
        for i in range(self.n_periods):
            total = _count(ra, rb, last, run, cap)
            n_a = _count_after(0, ra, rb, last, run, cap)
            # exact integer comparison: P(A next) = n_a / total
            pick = _randbelow(rng, total)
            c = 0 if pick < n_a else 1
            out[i] = c
            ra, rb, last, run = _step(c, ra, rb, last, run)
        return out

    def _draw_many(self, rng: np.random.Generator, size: int) -> np.ndarray:
        m = self.n_periods // 2
        if self.max_run is None:
            # a uniform random order of m A's and m B's
            base = np.repeat(np.array([0, 1], dtype=np.int8), m)
            return rng.permuted(np.tile(base, (size, 1)), axis=1)
        # Sequential draws as in _draw, vectorized over rows: the probability of A next
        # is (completions starting with A) / (all completions) for each row's state.
        cap = self._cap
        state = np.tile(np.array([m, m, -1, 0], dtype=np.int64), (size, 1))  # ra, rb, last, run
        out = np.empty((size, self.n_periods), dtype=np.int8)
        for i in range(self.n_periods):
            uniq, inverse = np.unique(state, axis=0, return_inverse=True)
            p_a = np.array([_count_after(0, *map(int, s), cap) / _count(*map(int, s), cap)
                            for s in uniq])
            c = (rng.random(size) >= p_a[inverse.ravel()]).astype(np.int8)
            out[:, i] = c
            ra, rb, last, run = state.T
            state = np.stack([ra - (c == 0), rb - (c == 1), c,
                              np.where(last == c, run + 1, 1)], axis=1)
        return out

    def _iter(self, chunk_size: int) -> Iterator[np.ndarray]:
        m = self.n_periods // 2
        yield from _enumerate(np.zeros(0, dtype=np.int8), (m, m, -1, 0), self._cap,
                              self.n_periods, chunk_size)

    def _is_admissible(self, assignment: np.ndarray) -> bool:
        a = np.asarray(assignment)
        if a.sum() != self.n_periods // 2:
            return False
        change = np.flatnonzero(np.diff(a) != 0)
        runs = np.diff(np.concatenate([[-1], change, [a.size - 1]]))
        return bool(runs.max() <= self._cap)


def _step(c: int, ra: int, rb: int, last: int, run: int) -> tuple[int, int, int, int]:
    run = run + 1 if c == last else 1
    return (ra - 1, rb, 0, run) if c == 0 else (ra, rb - 1, 1, run)


def _count_after(c: int, ra: int, rb: int, last: int, run: int, cap: int) -> int:
    """Number of admissible completions that continue with condition ``c``."""
    if (ra if c == 0 else rb) == 0 or (c == last and run >= cap):
        return 0
    return _count(*_step(c, ra, rb, last, run), cap)


@cache
def _count(ra: int, rb: int, last: int, run: int, cap: int) -> int:
    """Admissible completions with ``ra`` A's and ``rb`` B's left (exact integer)."""
    if ra == 0 and rb == 0:
        return 1
    return (_count_after(0, ra, rb, last, run, cap)
            + _count_after(1, ra, rb, last, run, cap))


def _randbelow(rng: np.random.Generator, n: int) -> int:
    """Uniform integer in [0, n), exact for integers beyond 64 bits too."""
    if n < 2**63:
        return int(rng.integers(0, n))
    bits = n.bit_length()
    while True:  # rejection over whole words; expected < 2 rounds
        words = rng.integers(0, 2**32, size=(bits + 31) // 32, dtype=np.uint64)
        value = 0
        for w in words:
            value = (value << 32) | int(w)
        value >>= 32 * len(words) - bits
        if value < n:
            return value


def _enumerate(prefix: np.ndarray, state: tuple[int, int, int, int], cap: int,
               length: int, chunk_size: int) -> Iterator[np.ndarray]:
    """Depth-first over prefixes until a subtree fits in a chunk, then breadth-first."""
    ra, rb, last, run = state
    if _count(ra, rb, last, run, cap) <= chunk_size:
        yield _expand_all(prefix, state, cap, length)
        return
    for c in (0, 1):
        if _count_after(c, *state, cap):
            yield from _enumerate(np.append(prefix, np.int8(c)),
                                  _step(c, *state), cap, length, chunk_size)


def _expand_all(prefix: np.ndarray, state: tuple[int, int, int, int], cap: int,
                length: int) -> np.ndarray:
    """All admissible completions of ``prefix``, vectorized one position at a time."""
    ra, rb, last, run = state
    rows = prefix[None, :].astype(np.int8)
    s_ra = np.array([ra])
    s_rb = np.array([rb])
    s_last = np.array([last])
    s_run = np.array([run])
    for _ in range(length - prefix.size):
        new_rows, new_state = [], []
        for c in (0, 1):
            left = s_ra if c == 0 else s_rb
            ok = (left > 0) & ~((s_last == c) & (s_run >= cap))
            # keep only prefixes that can still be completed
            nra = s_ra - (c == 0)
            nrb = s_rb - (c == 1)
            nrun = np.where(s_last == c, s_run + 1, 1)
            idx = np.flatnonzero(ok)
            if idx.size:
                feasible = np.array([
                    _count(int(nra[i]), int(nrb[i]), c, int(nrun[i]), cap) > 0 for i in idx
                ], dtype=bool) if idx.size < 64 else _feasible_vec(nra[idx], nrb[idx], c,
                                                                  nrun[idx], cap)
                idx = idx[feasible]
            if idx.size:
                block = np.empty((idx.size, rows.shape[1] + 1), dtype=np.int8)
                block[:, :-1] = rows[idx]
                block[:, -1] = c
                new_rows.append(block)
                new_state.append((nra[idx], nrb[idx], np.full(idx.size, c), nrun[idx]))
        rows = np.concatenate(new_rows, axis=0)
        s_ra, s_rb, s_last, s_run = (np.concatenate(parts)
                                     for parts in zip(*new_state, strict=True))
    # lexicographic order, so that the order does not depend on the chunk size
    return rows[np.lexsort(rows.T[::-1])]


def _feasible_vec(ra: np.ndarray, rb: np.ndarray, last: int, run: np.ndarray,
                  cap: int) -> np.ndarray:
    """Vectorized feasibility via a small lookup over the distinct states."""
    keys = np.stack([ra, rb, run], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    ok = np.array([_count(int(a), int(b), last, int(r), cap) > 0 for a, b, r in uniq])
    return ok[inverse.ravel()]
