"""Period-level paired tests against scipy (ttest_rel, wilcoxon)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from nof1.analysis import paired_period_test, wilcoxon_period_test

ALTERNATIVES = ["two-sided", "less", "greater"]
RTOL = 1e-10


def _pairs(k: int, seed: int, shift: float = -0.5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    b = 5 + rng.normal(0, 1, size=k)
    a = b + shift + rng.normal(0, 0.7, size=k)
    return a, b


# ---------------------------------------------------------------------------
# paired t-test
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("confidence_level", [0.9, 0.95, 0.99])
@pytest.mark.parametrize("k", [2, 4, 8])
def test_paired_t_matches_scipy_ttest_rel(alternative, confidence_level, k):
    a, b = _pairs(k, seed=k)
    res = paired_period_test(a, b, alternative=alternative, confidence_level=confidence_level)
    # reference: scipy.stats.ttest_rel(a, b, alternative=...) and its confidence_interval()
    ref = stats.ttest_rel(a, b, alternative=alternative)
    ci = ref.confidence_interval(confidence_level)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=RTOL)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)
    assert res.df == ref.df == k - 1
    np.testing.assert_allclose([res.ci_low, res.ci_high], [ci.low, ci.high], rtol=RTOL)
    np.testing.assert_allclose(res.estimate, np.mean(a - b), rtol=RTOL)
    np.testing.assert_allclose(res.se, np.std(a - b, ddof=1) / np.sqrt(k), rtol=RTOL)
    assert (res.n_pairs, res.n_dropped) == (k, 0)


def test_paired_t_sign_convention_is_a_minus_b():
    a, b = np.array([3.0, 3.5, 2.8, 3.1]), np.array([5.0, 4.9, 5.2, 4.4])
    res = paired_period_test(a, b, alternative="less")
    assert res.estimate < 0 and res.statistic < 0 and res.pvalue < 0.01


def test_paired_t_drops_incomplete_pairs_and_counts_them():
    a, b = _pairs(7, seed=3)
    a[2] = np.nan
    b[5] = np.nan
    res = paired_period_test(a, b)
    keep = ~(np.isnan(a) | np.isnan(b))
    ref = stats.ttest_rel(a[keep], b[keep])
    np.testing.assert_allclose([res.statistic, res.pvalue], [ref.statistic, ref.pvalue],
                               rtol=RTOL)
    assert (res.n_pairs, res.n_dropped) == (5, 2)


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_paired_t_batch_matches_rowwise(alternative):
    rng = np.random.default_rng(11)
    a = rng.normal(0, 1, size=(50, 6))
    b = rng.normal(0.3, 1, size=(50, 6))
    a[3, 1] = np.nan            # rows with different numbers of complete pairs
    b[7, [0, 4]] = np.nan
    batch = paired_period_test(a, b, alternative=alternative, confidence_level=0.9)
    assert batch.is_batch and batch.pvalue.shape == (50,)
    for i in [0, 3, 7, 49]:
        one = paired_period_test(a[i], b[i], alternative=alternative, confidence_level=0.9)
        for field in ("statistic", "pvalue", "df", "estimate", "se", "ci_low", "ci_high"):
            np.testing.assert_allclose(getattr(batch, field)[i], getattr(one, field),
                                       rtol=RTOL)
        assert batch.n_pairs[i] == one.n_pairs and batch.n_dropped[i] == one.n_dropped
    ref = stats.ttest_rel(a, b, axis=-1, alternative=alternative, nan_policy="omit")
    np.testing.assert_allclose(batch.pvalue, ref.pvalue, rtol=RTOL)
    frame = batch.to_frame()
    assert len(frame) == 50 and frame["pvalue"].to_numpy()[7] == batch.pvalue[7]


def test_paired_t_batch_row_with_too_few_pairs_is_nan():
    a = np.array([[1.0, 2.0, 3.0], [1.0, np.nan, np.nan]])
    b = np.array([[0.5, 2.5, 2.0], [0.0, 1.0, 1.0]])
    res = paired_period_test(a, b)
    assert np.isfinite(res.pvalue[0]) and np.isnan(res.pvalue[1])
    assert np.isnan(res.ci_low[1]) and res.n_pairs[1] == 1


def test_paired_t_1d_needs_two_complete_pairs():
    with pytest.raises(ValueError, match="at least 2 complete pairs"):
        paired_period_test([1.0, np.nan], [2.0, 3.0])


@pytest.mark.parametrize(("a", "b", "kwargs", "exc", "match"), [
    ([1, 2, 3], [1, 2], {}, ValueError, "same shape"),
    ([[[1.0]]], [[[1.0]]], {}, ValueError, "1-D"),
    ([1, 2, np.inf], [1, 2, 3], {}, ValueError, "finite"),
    ([1, 2, 3], [1, 2, 4], {"alternative": "bigger"}, ValueError, "alternative"),
    ([1, 2, 3], [1, 2, 4], {"confidence_level": 1.0}, ValueError, "confidence_level"),
    (["x", "y"], [1, 2], {}, TypeError, "array-like"),
])
def test_paired_t_validates_arguments(a, b, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        paired_period_test(a, b, **kwargs)


def test_paired_t_result_frame_and_summary():
    a, b = _pairs(5, seed=1)
    res = paired_period_test(a, b)
    frame = res.to_frame()
    assert list(frame.columns)[:4] == ["estimate", "se", "ci_low", "ci_high"]
    assert len(frame) == 1 and isinstance(frame.loc[0, "pvalue"], float)
    two = pd.concat([frame, paired_period_test(b, a).to_frame()], ignore_index=True)
    assert two.shape == (2, frame.shape[1])
    text = res.summary()
    assert "H0:" in text and "H1:" in text and "n_pairs = 5" in text
    assert "<pre>" in res._repr_html_()


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(3, 12)),
                  elements=st.floats(-10, 10, allow_nan=False)),
       st.floats(-3, 3), st.sampled_from(ALTERNATIVES))
def test_paired_t_property_matches_scipy(b, shift, alternative):
    rng = np.random.default_rng(b.size)
    a = b + shift + rng.normal(0, 1, size=b.size)
    res = paired_period_test(a, b, alternative=alternative)
    ref = stats.ttest_rel(a, b, alternative=alternative)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(res.statistic, ref.statistic, rtol=1e-8)


# ---------------------------------------------------------------------------
# Wilcoxon signed-rank
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("alternative", ALTERNATIVES)
@pytest.mark.parametrize("k", [3, 6, 10, 25])
def test_wilcoxon_matches_scipy_exact_without_ties(alternative, k):
    a, b = _pairs(k, seed=100 + k, shift=-0.3)
    res = wilcoxon_period_test(a, b, alternative=alternative)
    # reference: scipy.stats.wilcoxon(a - b, alternative=..., method="exact")
    ref = stats.wilcoxon(a - b, alternative=alternative, method="exact")
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=RTOL)
    w_minus = k * (k + 1) / 2 - res.statistic
    expected_stat = min(res.statistic, w_minus) if alternative == "two-sided" else res.statistic
    assert expected_stat == ref.statistic
    assert res.exact and res.n_pairs == k and res.n_zero == 0


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon_matches_scipy_with_ties_and_zeros(alternative):
    # scipy (>= 1.15) computes the exact permutation distribution when there
    # are ties or zeros and n <= 13 (method="auto"); zeros are dropped first.
    d = np.array([1.0, -0.5, 1.0, 2.0, 0.0, 1.0, -1.0, 0.5, 2.0, 3.0])
    res = wilcoxon_period_test(d, np.zeros_like(d), alternative=alternative)
    ref = stats.wilcoxon(d, alternative=alternative)
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-9)
    assert res.n_zero == 1 and res.n_pairs == 10


@pytest.mark.parametrize("alternative", ALTERNATIVES)
def test_wilcoxon_normal_approximation_for_many_pairs(alternative):
    a, b = _pairs(260, seed=5, shift=0.1)
    res = wilcoxon_period_test(a, b, alternative=alternative)
    # reference: scipy.stats.wilcoxon(d, method="asymptotic"), no continuity correction
    ref = stats.wilcoxon(a - b, alternative=alternative, method="asymptotic")
    assert not res.exact
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-9)


@pytest.mark.parametrize(("k", "two_sided"), [(3, 0.25), (4, 0.125), (5, 0.0625), (6, 0.03125)])
def test_wilcoxon_smallest_pvalue_is_coarse(k, two_sided):
    # every difference negative: the most extreme sign pattern (docs/methods.md §2.3 table)
    a, b = np.zeros(k), np.arange(1.0, k + 1)
    res = wilcoxon_period_test(a, b)
    assert res.pvalue == res.min_pvalue == two_sided
    one = wilcoxon_period_test(a, b, alternative="less")
    assert one.pvalue == one.min_pvalue == two_sided / 2


def test_wilcoxon_hodges_lehmann_estimate():
    # Walsh averages of (1, 2, 3, 10): 1, 1.5, 2, 5.5, 2, 2.5, 6, 3, 6.5, 10 -> median 2.75
    res = wilcoxon_period_test([1.0, 2.0, 3.0, 10.0], [0.0, 0.0, 0.0, 0.0])
    assert res.estimate == 2.75


def test_wilcoxon_drops_missing_and_validates():
    res = wilcoxon_period_test([1.0, np.nan, 3.0, -1.0], [0.0, 1.0, 0.0, 0.5])
    assert res.n_dropped == 1 and res.n_pairs == 3
    with pytest.raises(ValueError, match="non-zero"):
        wilcoxon_period_test([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        wilcoxon_period_test(np.ones((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="alternative"):
        wilcoxon_period_test([1.0, 2.0], [0.0, 0.0], alternative="two_sided")


def test_wilcoxon_summary_mentions_coarseness():
    res = wilcoxon_period_test([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    text = res.summary()
    assert "H0:" in text and "smallest attainable p = 0.25" in text
    assert res.to_frame().loc[0, "min_pvalue"] == 0.25


def test_shared_t_inference_equals_scipy_stats_t():
    # nof1._inference calls scipy.special directly; scipy.stats.t is the reference
    from nof1._inference import t_interval, t_pvalue

    rng = np.random.default_rng(11)
    t, df = rng.normal(0, 3, 500), rng.uniform(0.5, 300, 500)
    np.testing.assert_allclose(t_pvalue(t, df, "two-sided"), 2 * stats.t.sf(np.abs(t), df),
                               rtol=1e-12)
    np.testing.assert_allclose(t_pvalue(t, df, "less"), stats.t.cdf(t, df), rtol=1e-12)
    np.testing.assert_allclose(t_pvalue(t, df, "greater"), stats.t.sf(t, df), rtol=1e-12)
    low, high = t_interval(t, 1.5, df, "two-sided", 0.9)
    np.testing.assert_allclose(high - t, 1.5 * stats.t.ppf(0.95, df), rtol=1e-12)
    low, high = t_interval(t, 1.5, df, "greater", 0.9)
    np.testing.assert_allclose(t - low, 1.5 * stats.t.ppf(0.9, df), rtol=1e-12)
    assert np.isinf(high).all()
