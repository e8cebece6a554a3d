"""Vectorized combinatorics used by the designs: combinations in lexicographic chunks,
uniform random subsets."""

from __future__ import annotations

from collections.abc import Iterator
from math import comb

import numpy as np


def combinations_chunks(n: int, r: int, chunk_size: int) -> Iterator[np.ndarray]:
    """Yield all r-subsets of ``range(n)`` in lexicographic order, as int64 arrays.

    Each chunk has shape ``(rows, r)`` with at most about ``chunk_size`` rows
    (a single block that cannot be split further may be larger only when
    ``r == 0``). The loop runs over prefixes, never over combinations.
    """
    if r == 0:
        yield np.zeros((1, 0), dtype=np.int64)
        return
    if comb(n, r) <= chunk_size:
        yield _all_combinations(n, r)
        return
    # Split on the first element: subsets starting with `first`.
    for first in range(n - r + 1):
        for rest in combinations_chunks(n - first - 1, r - 1, chunk_size):
            out = np.empty((rest.shape[0], r), dtype=np.int64)
            out[:, 0] = first
            out[:, 1:] = rest + first + 1
            yield out


def _all_combinations(n: int, r: int) -> np.ndarray:
    """All r-subsets of range(n), lexicographic, built column by column."""
    if r == 0:
        return np.zeros((1, 0), dtype=np.int64)
    if r == 1:
        return np.arange(n, dtype=np.int64)[:, None]
    blocks = []
    for first in range(n - r + 1):
        rest = _all_combinations(n - first - 1, r - 1) + first + 1
        block = np.empty((rest.shape[0], r), dtype=np.int64)
        block[:, 0] = first
        block[:, 1:] = rest
        blocks.append(block)
    return np.concatenate(blocks, axis=0)


def random_combinations(rng: np.random.Generator, n: int, r: int, size: int) -> np.ndarray:
    """``size`` independent uniform r-subsets of ``range(n)``, each sorted: shape ``(size, r)``.

    Rows of ``r`` independent uniform integers are kept when all entries differ
    (each subset is then equally likely) and redrawn otherwise; when that is
    unlikely to succeed, the ``r`` smallest of ``n`` random keys are used instead.
    """
    if r == 0:
        return np.zeros((size, 0), dtype=np.int64)
    accept = 1.0
    for i in range(r):
        accept *= 1.0 - i / n
    if accept < 0.25:
        keys = rng.random((size, n))
        return np.sort(np.argpartition(keys, r - 1, axis=1)[:, :r], axis=1).astype(np.int64)
    out = np.empty((size, r), dtype=np.int64)
    todo = np.arange(size)
    while todo.size:
        rows, ok = _sorted_distinct(rng.integers(0, n, size=(todo.size, r)))
        out[todo[ok]] = rows[ok]
        todo = todo[~ok]
    return out


#: compare-exchange steps that sort 2, 3 or 4 columns (optimal sorting networks)
_NETWORKS = {2: ((0, 1),), 3: ((0, 1), (1, 2), (0, 1)),
             4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2))}


def _sorted_distinct(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row sorted, and whether its entries are all different.

    The same as ``np.sort(rows, axis=1)`` and ``np.all(np.diff(...) > 0, axis=1)``;
    up to four columns by a sorting network on whole columns, which is about twice
    as fast for the short rows of phase designs' change points.
    """
    r = rows.shape[1]
    if r in _NETWORKS:
        cols = [rows[:, i] for i in range(r)]
        for i, j in _NETWORKS[r]:
            cols[i], cols[j] = np.minimum(cols[i], cols[j]), np.maximum(cols[i], cols[j])
        rows = np.stack(cols, axis=1)
    else:
        rows = np.sort(rows, axis=1)
        cols = [rows[:, i] for i in range(r)]
    ok = np.ones(rows.shape[0], dtype=bool)
    for i in range(r - 1):
        ok &= cols[i] < cols[i + 1]
    return rows, ok
