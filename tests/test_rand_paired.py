"""Exact paired counting without listing assignments: the grid DP and batch meet-in-the-middle.

The reference is brute force in exact rational arithmetic (fractions.Fraction) over all
2**k assignments, independent of any floating-point tolerance.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nof1 import PairedDesign
from nof1.analysis import _rand_ci, _rand_paired, randomization_ci, randomization_test
from nof1.analysis._rand_engine import paired_mitm_count, tie_tolerance


def fraction_count(values: list[Fraction | None], observed: np.ndarray, tail: str) -> int:
    """Brute force: assignments at least as extreme as the observed one, in exact arithmetic."""
    k = len(values) // 2

    def stat(first_a: tuple[bool, ...]):
        a, b = [], []
        for j, fa in enumerate(first_a):
            pa, pb = (values[2 * j], values[2 * j + 1]) if fa else (values[2 * j + 1],
                                                                     values[2 * j])
            if pa is not None:
                a.append(pa)
            if pb is not None:
                b.append(pb)
        if not a or not b:
            return None
        return sum(a) / len(a) - sum(b) / len(b)

    t = stat(tuple(bool(v == 0) for v in observed[0::2]))
    hits = 0
    for first_a in itertools.product((True, False), repeat=k):
        s = stat(first_a)
        if s is None:
            hits += 1
        elif tail == "greater":
            hits += s >= t
        elif tail == "less":
            hits += s <= t
        else:
            hits += abs(s) >= abs(t)
    return hits


def period_means(rng: np.random.Generator, n_units: int, p_missing: float):
    """Means of 10-14 whole-number days, as floats and as exact fractions (None = missing)."""
    exact, floats = [], []
    for _ in range(n_units):
        if rng.random() < p_missing:
            exact.append(None)
            floats.append(np.nan)
            continue
        days = rng.integers(0, 11, size=int(rng.integers(10, 15)))
        exact.append(Fraction(int(days.sum()), days.size))
        floats.append(days.sum() / days.size)
    return exact, np.array(floats)


def test_grid_scale_detects_denominators_honestly():
    assert _rand_paired.grid_scale(np.array([1.0, 2.0, np.nan, -3.0])) == 1
    assert _rand_paired.grid_scale(np.array([53 / 14, 4 / 13, 2.0])) == 14 * 13
    assert _rand_paired.grid_scale(np.array([0.1, 0.25, 7.0])) == 20
    assert _rand_paired.grid_scale(np.array([np.pi, 1.0])) is None
    assert _rand_paired.grid_scale(np.array([1 / 841, 1.0])) is None  # beyond MAX_DENOMINATOR
    # a value that is only close to a fraction is not taken for it
    assert _rand_paired.grid_scale(np.array([53 / 14 + 1e-12])) is None


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.sampled_from(["greater", "less", "two-sided"]),
       st.floats(0.0, 0.4), st.integers(0, 2**32 - 1))
def test_dp_equals_exact_fraction_enumeration(k, tail, p_missing, seed):
    rng = np.random.default_rng(seed)
    exact, x = period_means(rng, 2 * k, p_missing)
    design = PairedDesign(k)
    obs = design.draw(rng)
    a_present = ~np.isnan(x[obs == 0])
    b_present = ~np.isnan(x[obs == 1])
    if not a_present.any() or not b_present.any():
        return  # observed statistic undefined: rejected by the public function
    scale = _rand_paired.grid_scale(x)
    assert scale is not None
    hits, total = _rand_paired.dp_pvalue(x, obs, scale, tail)
    assert total == 2**k
    assert hits == fraction_count(exact, obs, tail)


def test_dp_beyond_62_pairs_matches_binomial_counts():
    # every pair differs by one point: k * T = sum of +-1 signs, a binomial count
    k = 80
    x = np.zeros(2 * k)
    x[0::2] = 1.0
    obs = np.zeros(2 * k, dtype=np.int8)
    obs[1::2] = 1
    obs[0:20:2], obs[1:20:2] = 1, 0  # 10 pairs against the direction: sum = 60
    hits, total = _rand_paired.dp_pvalue(x, obs, 1, "greater")
    assert total == 2**k
    # sum of signs >= 60 <=> at most 10 negative signs
    assert hits == sum(math.comb(k, i) for i in range(11))
    two, _ = _rand_paired.dp_pvalue(x, obs, 1, "two-sided")
    assert two == 2 * hits


def test_public_dp_is_exact_where_floats_tie_badly():
    # centred floats of these fractions do not tie exactly; the DP compares fractions
    rng = np.random.default_rng(3)
    k = 25
    exact, x = period_means(rng, 2 * k, 0.0)
    design = PairedDesign(k)
    obs = design.draw(rng)
    res = randomization_test(x, obs, design=design, alternative="greater")
    assert res.method == "exact dynamic programme" and res.exact
    mitm = paired_mitm_count(x - x.mean(), res.statistic,
                             float(tie_tolerance(np.array([res.statistic]),
                                                 (x - x.mean())[None])[0]), "greater")
    assert res.pvalue == mitm / 2**k


@pytest.mark.parametrize("k", [13, 16, 24])
@pytest.mark.parametrize("tail", ["greater", "less", "two-sided"])
def test_batch_mitm_equals_one_row_mitm(k, tail):
    rng = np.random.default_rng(k)
    design = PairedDesign(k)
    obs = design.draw(rng, size=300)
    x = rng.normal(size=(300, 2 * k)) - 0.3 * (obs == 0)
    x[:5] = np.round(x[:5])  # ties
    xc = x - x.mean(axis=1, keepdims=True)
    first_a = obs[:, 0::2] == 0
    t = np.where(first_a, xc[:, 0::2] - xc[:, 1::2], xc[:, 1::2] - xc[:, 0::2]).mean(axis=1)
    gamma = tie_tolerance(t, xc)
    got = _rand_paired.mitm_complete_counts(xc, t, gamma, tail)
    want = [paired_mitm_count(xc[i], t[i], gamma[i], tail) for i in range(300)]
    np.testing.assert_array_equal(got, want)


def test_batch_with_missing_rows_and_methods():
    rng = np.random.default_rng(4)
    design = PairedDesign(14)
    obs = design.draw(rng, size=50)
    x = rng.normal(size=(50, 28))
    x[3, 5] = np.nan
    res = randomization_test(x, obs, design=design)
    for i in (0, 3):
        one = randomization_test(x[i], obs[i], design=design)
        assert res.pvalue[i] == one.pvalue
    assert res.method == "exact meet-in-the-middle"


def subset_mean_bounds(e: list[Fraction], need: int, n_total: int):
    """Brute force interval: order statistics of the means of all nonempty subsets."""
    means = sorted(sum(s) / len(s) for r in range(1, len(e) + 1)
                   for s in itertools.combinations(e, r))
    target = need - 1  # the observed assignment counts once
    return means[target - 1], means[len(means) - target]


@pytest.mark.parametrize("k", [5, 7, 9])
def test_subset_bounds_equal_subset_means_in_exact_arithmetic(k):
    rng = np.random.default_rng(k)
    exact, x = period_means(rng, 2 * k, 0.0)
    design = PairedDesign(k)
    obs = design.draw(rng)
    alpha = 0.1
    need = _rand_ci.min_count(alpha, 2**k)
    scale = _rand_paired.grid_scale(x)
    sub = _rand_paired.SubsetCounts.of(x, obs, scale)
    (low, high), const = sub.bounds(need, scale), sub.const
    e = [exact[2 * j] - exact[2 * j + 1] if obs[2 * j] == 0 else exact[2 * j + 1] - exact[2 * j]
         for j in range(k)]
    lo_ref, hi_ref = subset_mean_bounds(e, need, 2**k)
    assert const == 1
    assert low == float(lo_ref) and high == float(hi_ref)


@pytest.mark.parametrize("k,missing", [(10, []), (13, [4, 5]), (16, [0, 1, 6, 7]), (18, [])])
def test_public_ci_subset_means_equal_crossing_points(k, missing):
    rng = np.random.default_rng(10 + k)
    _, x = period_means(rng, 2 * k, 0.0)
    x[missing] = np.nan  # whole pairs missing
    design = PairedDesign(k)
    obs = design.draw(rng)
    ci = randomization_ci(x, obs, design=design, confidence_level=0.9)
    assert ci.method == "subset means" and ci.exact
    xc = (x - np.nanmean(x))[None]
    low, high, min_p = _rand_ci.crossing_points(design, xc, obs[None], "A-B", 0, 0.1, None)
    assert ci.ci_low == pytest.approx(low, rel=1e-12, abs=1e-12)
    assert ci.ci_high == pytest.approx(high, rel=1e-12, abs=1e-12)
    assert ci.min_pvalue == min_p


def test_confidence_interval_methods():
    rng = np.random.default_rng(6)
    design = PairedDesign(8)
    obs = design.draw(rng)
    x = np.round(rng.normal(5, 1, size=16) - 1.0 * (obs == 0), 1)
    ci = randomization_ci(x, obs, design=design)
    assert tuple(ci.confidence_interval()) == (ci.ci_low, ci.ci_high)
    res = randomization_test(x, obs, design=design)
    assert res.confidence_interval() == ci.confidence_interval()
    assert res.confidence_interval(0.8).low > ci.ci_low
    batch = randomization_test(np.vstack([x, x]), obs, design=design)
    with pytest.raises(ValueError, match="one data set"):
        batch.confidence_interval()


@pytest.mark.parametrize("k,missing", [(3, []), (6, []), (8, [2, 3]), (11, [0, 1, 10, 11]),
                                       (14, [])])
def test_subset_counts_sorted_and_bisected_bounds_agree_and_tails_match_enumeration(
        k, missing, monkeypatch):
    """One subset table gives both one-sided p-values of the enumeration and the same
    bounds whether the cells' means are sorted or the table is bisected."""
    rng = np.random.default_rng(100 + k)
    design = PairedDesign(k)
    for _ in range(5):
        _, x = period_means(rng, 2 * k, 0.0)
        x[missing] = np.nan  # whole pairs missing
        obs = design.draw(rng)
        sub = _rand_paired.SubsetCounts.of(x, obs, _rand_paired.grid_scale(x))
        n_greater, n_less = sub.tail_counts()
        for count, tail in ((n_greater, "greater"), (n_less, "less")):
            res = randomization_test(x, obs, design=design, alternative=tail, keep_null=True)
            assert res.method == "exact enumeration"
            assert count / 2**k == res.pvalue
        for alpha in (0.05, 0.2, 0.5):
            need = _rand_ci.min_count(alpha, 2**k)
            scale = _rand_paired.grid_scale(x)
            sorted_bounds = sub.bounds(need, scale)
            monkeypatch.setattr(_rand_paired.SubsetCounts, "MAX_SORT_CELLS", 0)
            bisected = sub.bounds(need, scale)
            monkeypatch.undo()
            assert sorted_bounds == bisected
