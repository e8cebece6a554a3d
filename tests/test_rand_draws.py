"""Vectorized design draws (``Design.draw(rng, size=...)``), used by Monte Carlo tests.

Each draw must be admissible, reproducible for a seed, and uniform over the
admissible set (chi-square goodness of fit over the enumerated set).
"""

from __future__ import annotations

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.design import Design
from nof1.design._combinatorics import random_combinations

DESIGNS = [
    PairedDesign(4),
    PhaseDesign("ABAB", 24, 4),
    PhaseDesign("ABABAB", 14, 2),  # few slots: the random-keys branch of random subsets
    PhaseDesign("AB", 12, 3),
    AlternatingDesign(10),
    AlternatingDesign(12, max_run=2),
    AlternatingDesign(10, max_run=1),
]


@pytest.mark.parametrize("design", DESIGNS, ids=repr)
def test_vectorized_draws_uniform_and_admissible(design):
    allowed = design.all_assignments()
    index = {tuple(row): i for i, row in enumerate(allowed.tolist())}
    n_draws = 40 * design.n_assignments
    draws = design.draw(rng=20240601, size=n_draws)
    assert draws.shape == (n_draws, design.n_units) and draws.dtype == np.int8
    keys = [index.get(tuple(row)) for row in draws.tolist()]
    assert None not in keys, "a draw is not admissible"
    counts = np.bincount(keys, minlength=design.n_assignments)
    if design.n_assignments > 1:
        # expected 40 per assignment; a correct sampler fails this with probability 1e-4
        assert stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize("design", DESIGNS[:3] + DESIGNS[5:6], ids=repr)
def test_vectorized_draws_reproducible(design):
    a = design.draw(rng=5, size=50)
    np.testing.assert_array_equal(a, design.draw(rng=np.random.default_rng(5), size=50))
    assert design.draw(rng=5, size=0).shape == (0, design.n_units)


def test_size_none_keeps_single_draw():
    design = PairedDesign(3)
    assert design.draw(rng=12345).shape == (6,)
    with pytest.raises(ValueError, match="`size` must be >= 0"):
        design.draw(rng=1, size=-1)
    with pytest.raises(TypeError, match="`size` must be an integer"):
        design.draw(rng=1, size=2.0)


def test_fallback_loop_for_other_designs():
    """A Design subclass without a vectorized draw still supports size= (one draw at a time)."""

    class Fixed(Design):
        kind = "fixed"
        n_units = 2
        n_assignments = 2
        scrt_design = "Custom"

        def _draw(self, rng):
            return np.array([0, 1]) if rng.random() < 0.5 else np.array([1, 0])

        def _iter(self, chunk_size):
            yield np.array([[0, 1], [1, 0]])

        def to_dict(self):
            return {"kind": "fixed"}

        def _is_admissible(self, assignment):
            return assignment.sum() == 1

    draws = Fixed().draw(rng=1, size=400)
    assert draws.shape == (400, 2)
    assert 150 < draws[:, 0].sum() < 250


@pytest.mark.parametrize(("n", "r"), [(10, 3), (5, 5), (7, 5), (40, 1), (6, 0)])
def test_random_combinations_uniform(n, r):
    rows = random_combinations(np.random.default_rng(9), n, r, 20_000)
    assert rows.shape == (20_000, r)
    assert np.all(np.diff(rows, axis=1) > 0) and (rows.size == 0 or rows.max() < n)
    _, counts = np.unique(rows, axis=0, return_counts=True)
    assert counts.size == comb(n, r)
    if counts.size > 1:
        assert stats.chisquare(counts).pvalue > 1e-4


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6).flatmap(lambda r: st.lists(
    st.lists(st.integers(-3, 8), min_size=r, max_size=r), min_size=1, max_size=40)))
def test_sorted_distinct_is_sort_and_diff(rows):
    """The sorting network used for change points sorts rows exactly as np.sort does
    and flags the rows without a repeated entry, ties included."""
    from nof1.design._combinatorics import _sorted_distinct

    a = np.array(rows, dtype=np.int64)
    got, ok = _sorted_distinct(a)
    np.testing.assert_array_equal(got, np.sort(a, axis=1))
    np.testing.assert_array_equal(ok, np.all(np.diff(np.sort(a, axis=1), axis=1) > 0, axis=1))
