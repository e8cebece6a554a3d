"""Effect sizes against published SingleCaseES / scan numbers and scipy.

Published values are from ``research/peers.md`` (conformance cases C7, C10, C14),
with the R call that produced each beside it. They are printed to 7 significant
digits (SingleCaseES) or rounded percentages (scan), so they are compared at the
printed precision.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nof1.analysis import mean_difference, nap, percent_change, within_person_smd
from nof1.analysis.effect_sizes import _newcombe5

# Parker, Vannest & Davis (2011) data, as in the SingleCaseES vignette (peers.md C14):
# baseline (control) phase A and treatment phase B; improvement = "increase".
PVD_A = [20, 20, 26, 25, 22, 23]
PVD_B = [28, 25, 24, 27, 30, 30, 29]
PRINTED = 5e-7           # half a unit in the 7th significant digit of values ~0.1-3

# R's uniroot() default tolerance, used by SingleCaseES for the Newcombe interval
R_UNIROOT_TOL = np.finfo(float).eps ** 0.25


# NAP --------------------------------------------------------------------------
def test_nap_singlecasees_parker_vannest_davis():
    # SingleCaseES::NAP(A_data = A, B_data = B)  -> Est 0.9166667, SE 0.06900656,
    #                                              CI 0.5973406 - 0.9860176
    res = nap(PVD_B, PVD_A, higher_is_better=True)
    assert res.estimate == 38.5 / 42          # test-parker-vannest-davis-2011.R: NAP 38.5/42
    np.testing.assert_allclose(res.se, 0.06900656, atol=5e-9)
    # Our interval solves the same equation to 1e-14; SingleCaseES stops uniroot at
    # its default tolerance (1.2e-4), so the published bounds differ from the exact
    # roots by up to that much ...
    np.testing.assert_allclose([res.ci_low, res.ci_high], [0.5973406, 0.9860176],
                               atol=R_UNIROOT_TOL)
    # ... and solving with R's tolerance reproduces them to the printed digits.
    np.testing.assert_allclose(_newcombe5(res.estimate, 6, 7, 0.95, xtol=R_UNIROOT_TOL),
                               [0.5973406, 0.9860176], atol=PRINTED)


@pytest.mark.parametrize(("level", "low", "high"), [
    (0.99, 0.4875014, 0.9907377),     # NAP(A, B, confidence = .99)
    (0.90, 0.6591091, 0.9822249),     # NAP(A, B, confidence = .90)
])
def test_nap_singlecasees_other_levels(level, low, high):
    res = nap(PVD_B, PVD_A, higher_is_better=True, confidence_level=level)
    np.testing.assert_allclose([res.ci_low, res.ci_high], [low, high], atol=R_UNIROOT_TOL)
    np.testing.assert_allclose(_newcombe5(res.estimate, 6, 7, level, xtol=R_UNIROOT_TOL),
                               [low, high], atol=PRINTED)


def test_nap_singlecasees_decrease():
    # NAP(A, B, improvement = "decrease") -> 0.08333333, SE 0.06900656, CI 0.01398242-0.4026594
    res = nap(PVD_B, PVD_A, higher_is_better=False)
    np.testing.assert_allclose(res.estimate, 0.08333333, atol=PRINTED)
    np.testing.assert_allclose(res.se, 0.06900656, atol=5e-9)
    np.testing.assert_allclose([res.ci_low, res.ci_high], [0.01398242, 0.4026594],
                               atol=R_UNIROOT_TOL)


def test_nap_singlecasees_three_phase_example():
    # vignette: outcome = c(A, B), condition = rep(c("A", "B", "C"), c(5, 5, 3))
    outcome = PVD_A + PVD_B
    a_phase, b_phase, c_phase = outcome[:5], outcome[5:10], outcome[10:]
    # NAP(A vs B) 0.78, SE 0.155, CI 0.4115567 - 0.9423658
    res = nap(b_phase, a_phase, higher_is_better=True)
    np.testing.assert_allclose([res.estimate, res.se], [0.78, 0.155], atol=1e-12)
    np.testing.assert_allclose(_newcombe5(0.78, 5, 5, 0.95, xtol=R_UNIROOT_TOL),
                               [0.4115567, 0.9423658], atol=PRINTED)
    # NAP(A vs C) = 1, SE 0.06346478, CI 1 - 1 (degenerate at the boundary)
    res = nap(c_phase, a_phase, higher_is_better=True)
    assert (res.estimate, res.ci_low, res.ci_high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(("baseline", "treatment", "higher", "printed", "tol"), [
    # scan: nap(scdf(c(A = 12, 14, 9, 10, B = 10, 6, 4, 5, 3, 4)), decreasing = TRUE) -> 93.75
    ([12, 14, 9, 10], [10, 6, 4, 5, 3, 4], False, 93.75, 1e-9),
    # scan: nap(Grosche2011) -> Eva 69.23, Georg 47.90, Olaf 44.79 (two decimals)
    ([3.39, 2.09, 1.46, 3.23, 3.06, 2.83],
     [2.44, 1.86, 2.17, 2.59, 3.92, 4.14, 3.31, 2.69, 4.27, 4.66, 3.2, 4.98, 4.42],
     True, 69.23, 0.005),
    ([13.0, 17.4, 13.0, 7.74, 8.82, 7.5, 5.82],
     [6.26, 5.6, 12.79, 9.17, 10.59, 9.23, 10.71, 7.61, 9.78, 8.33, 12.0, 12.19, 10.7,
      11.36, 7.89, 10.82, 11.56], True, 47.90, 0.005),
    ([7.69, 7.27, 7.02, 5.37, 4.57, 3.02, 4.68, 4.97, 5.73, 7.63, 6.98, 7.5],
     [6.91, 4.86, 6.71, 5.67, 5.0, 6.14, 8.14, 4.53], True, 44.79, 0.005),
    # scan: nap(exampleAB) -> Karolina 96.67, Johanna 100
    ([41, 59, 56, 51, 52],
     [57, 56, 67, 75, 66, 69, 68, 73, 77, 79, 86, 82, 75, 83, 89], True, 96.67, 0.005),
    ([54, 53, 56, 58, 52],
     [61, 62, 71, 66, 64, 78, 70, 74, 82, 77, 86, 68, 80, 86, 87], True, 100.0, 1e-9),
    # scan: overlap(Huitema2000, decreasing = TRUE) -> NAP 70 (integer percent)
    ([58, 70, 79, 85, 93, 94, 105, 110, 122, 130],
     [122, 110, 103, 88, 81, 68, 53, 50, 36, 31], False, 70, 0.5),
])
def test_nap_scan_published(baseline, treatment, higher, printed, tol):
    res = nap(treatment, baseline, higher_is_better=higher)
    np.testing.assert_allclose(100 * res.estimate, printed, atol=tol)


def test_nap_scan_abab_pooled_phases_pawel():
    # scan: overlap(exampleA1B1A2B2, phases = list(c("A1","A2"), c("B1","B2"))), Pawel:
    # NAP 94.5 (exactly; peers.md C10 "verified")
    a1 = [10, 19, 11, 6, 16, 16, 17, 18, 12, 12]
    b1 = [39, 18, 25, 31, 29, 24, 37, 17, 21, 18]
    a2 = [16, 17, 19, 21, 10, 11, 23, 11, 10, 9]
    b2 = [34, 35, 28, 30, 22, 21, 21, 22, 23, 34]
    res = nap(b1 + b2, a1 + a2, higher_is_better=True)
    np.testing.assert_allclose(100 * res.estimate, 94.5, rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=2, max_size=20),
       st.lists(st.integers(0, 10), min_size=2, max_size=20))
def test_nap_equals_mann_whitney_auc_and_is_direction_symmetric(a, b):
    up = nap(a, b, higher_is_better=True)
    down = nap(a, b, higher_is_better=False)
    # reference: scipy.stats.mannwhitneyu(a, b).statistic = #(a > b) + 0.5 #(a == b)
    u = stats.mannwhitneyu(a, b).statistic
    np.testing.assert_allclose(up.estimate, u / (len(a) * len(b)), rtol=1e-12)
    np.testing.assert_allclose(up.estimate + down.estimate, 1.0, rtol=1e-12)
    assert 0.0 <= up.ci_low <= up.estimate <= up.ci_high <= 1.0


def test_nap_drops_missing_and_validates():
    res = nap([1.0, np.nan, 3.0], [0.0, 2.0, np.nan], higher_is_better=True)
    assert (res.n_a, res.n_b) == (2, 2)
    with pytest.raises(TypeError, match="higher_is_better"):
        nap([1, 2], [3, 4], higher_is_better="yes")
    with pytest.raises(ValueError, match="at least 2"):
        nap([1.0], [2.0, 3.0], higher_is_better=True)
    assert "independent" in res.method


# within-person SMD ------------------------------------------------------------------
def test_smd_pooled_singlecasees():
    # SingleCaseES::SMD(A_data = A, B_data = B, std_dev = "pool")
    #   -> Est 1.876247, SE 0.6374216, CI 0.6269241 - 3.125571 (pooled_SD 2.431752)
    res = within_person_smd(PVD_B, PVD_A, standardizer="pooled")
    np.testing.assert_allclose([res.estimate, res.se, res.ci_low, res.ci_high],
                               [1.876247, 0.6374216, 0.6269241, 3.125571], atol=PRINTED * 10)
    assert res.measure == "smd_pooled" and "not comparable" in res.method


def test_smd_control_sd_singlecasees():
    # SingleCaseES::SMD(A_data = A, B_data = B)   (baseline SD, the package default)
    #   -> Est 1.649932, SE 0.6340935, CI 0.4071314 - 2.892732 (baseline_SD 2.503331)
    res = within_person_smd(PVD_B, PVD_A, standardizer="control")
    np.testing.assert_allclose([res.estimate, res.se, res.ci_low, res.ci_high],
                               [1.649932, 0.6340935, 0.4071314, 2.892732], atol=PRINTED * 10)


def test_smd_sign_follows_a_minus_b_and_validates():
    assert within_person_smd(PVD_A, PVD_B).estimate < 0
    with pytest.raises(ValueError, match="do not vary"):
        within_person_smd([1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="standardizer"):
        within_person_smd(PVD_A, PVD_B, standardizer="baseline")


# mean difference and percent change -----------------------------------------------------
A_PERIODS = np.array([4.1, 3.8, 4.5, 3.9, 4.6, 4.0])
B_PERIODS = np.array([5.0, 4.6, 4.9, 5.2, 5.1, 4.4])


def test_mean_difference_is_the_paired_t_interval():
    res = mean_difference(A_PERIODS, B_PERIODS, confidence_level=0.9)
    ci = stats.ttest_rel(A_PERIODS, B_PERIODS).confidence_interval(0.9)
    np.testing.assert_allclose([res.ci_low, res.ci_high], [ci.low, ci.high], rtol=1e-10)
    assert res.n_a == res.n_b == 6


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_percent_change_fieller_inverts_the_paired_t_test(level):
    res = percent_change(A_PERIODS, B_PERIODS, confidence_level=level)
    np.testing.assert_allclose(res.estimate, 100 * (A_PERIODS.mean() / B_PERIODS.mean() - 1),
                               rtol=1e-12)
    # at each Fieller limit r, the paired t-test of a - r*b = 0 has p exactly 1 - level
    # reference: scipy.stats.ttest_1samp(a - r * b, 0)
    for pct in (res.ci_low, res.ci_high):
        r = 1 + pct / 100
        p = stats.ttest_1samp(A_PERIODS - r * B_PERIODS, 0.0).pvalue
        np.testing.assert_allclose(p, 1 - level, rtol=1e-8)


def test_percent_change_delta_method():
    res = percent_change(A_PERIODS, B_PERIODS, method="delta")
    k = A_PERIODS.size
    ratio = A_PERIODS.mean() / B_PERIODS.mean()
    grad = np.array([1 / B_PERIODS.mean(), -ratio / B_PERIODS.mean()])
    se = np.sqrt(grad @ (np.cov(A_PERIODS, B_PERIODS) / k) @ grad)
    tq = stats.t.ppf(0.975, k - 1)
    np.testing.assert_allclose(res.se, 100 * se, rtol=1e-12)
    np.testing.assert_allclose([res.ci_low, res.ci_high],
                               100 * (ratio + np.array([-tq, tq]) * se - 1), rtol=1e-12)
    fieller = percent_change(A_PERIODS, B_PERIODS)
    # precise control mean: the two intervals nearly agree (chosen tolerance 1 point)
    np.testing.assert_allclose([res.ci_low, res.ci_high], [fieller.ci_low, fieller.ci_high],
                               atol=1.0)


def test_percent_change_unbounded_and_invalid():
    # control mean indistinguishable from 0: the Fieller set is unbounded -> NaN limits
    res = percent_change([1.0, 2.0, 1.5], [0.1, 3.0, 0.05])
    assert np.isnan(res.ci_low) and np.isnan(res.ci_high)
    with pytest.raises(ValueError, match="positive control mean"):
        percent_change([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="method"):
        percent_change(A_PERIODS, B_PERIODS, method="bootstrap")
    with pytest.raises(ValueError, match="2 complete pairs"):
        percent_change([1.0, np.nan], [2.0, 2.0])


def test_effect_size_frame_and_summary():
    res = nap(PVD_B, PVD_A, higher_is_better=True)
    frame = res.to_frame()
    assert list(frame.columns) == ["measure", "estimate", "se", "ci_low", "ci_high",
                                   "confidence_level", "n_a", "n_b", "method"]
    assert "95% CI" in res.summary()
