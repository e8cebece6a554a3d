"""Properties of the randomization test (Hypothesis) and calibration under the null.

Calibration: when the assignment is drawn from the design independently of the
data, the randomization test is exact whatever the noise (autocorrelation,
trends): with continuous data, P(p <= alpha) = floor(alpha N) / N for a
one-sided test over N equally likely assignments. The simulations check the
rejection rates against these values within Monte Carlo error.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import signal

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.analysis import randomization_test

SMALL_DESIGNS = [PairedDesign(1), PairedDesign(3), PairedDesign(6), AlternatingDesign(6),
                 AlternatingDesign(10, max_run=2), AlternatingDesign(12, max_run=3),
                 PhaseDesign("AB", 10, 2), PhaseDesign("ABA", 13, 3),
                 PhaseDesign("ABAB", 16, 3)]


@st.composite
def trials(draw):
    design = draw(st.sampled_from(SMALL_DESIGNS))
    labels = design.draw(rng=draw(st.integers(0, 2**32 - 1)))
    quarters = draw(st.lists(st.integers(-40, 40), min_size=design.n_units,
                             max_size=design.n_units))
    scores = np.array(quarters, dtype=float) / 4  # exact binary fractions, many ties
    missing = draw(st.lists(st.booleans(), min_size=design.n_units, max_size=design.n_units))
    scores[np.array(missing) & (np.arange(design.n_units) % 3 == 0)] = np.nan
    defined = ~np.isnan(scores)
    assume((defined & (labels == 0)).any() and (defined & (labels == 1)).any())
    return design, labels, scores


@settings(max_examples=60, deadline=None)
@given(trials(), st.sampled_from(["two-sided", "greater", "less"]))
def test_pvalue_in_unit_interval_and_multiple_of_one_over_n(trial, alternative):
    design, labels, scores = trial
    res = randomization_test(scores, labels, design=design, alternative=alternative)
    assert 0 < res.pvalue <= 1
    count = res.pvalue * res.n_assignments
    assert count == pytest.approx(round(count), abs=1e-9)
    assert res.pvalue >= 1 / res.n_assignments


@settings(max_examples=60, deadline=None)
@given(trials())
def test_two_sided_at_least_one_sided_in_observed_direction(trial):
    design, labels, scores = trial
    two = randomization_test(scores, labels, design=design)
    side = "greater" if two.statistic >= 0 else "less"
    one = randomization_test(scores, labels, design=design, alternative=side)
    assert two.pvalue >= one.pvalue


@settings(max_examples=60, deadline=None)
@given(trials(), st.integers(-1000, 1000), st.sampled_from(["two-sided", "greater", "less"]))
def test_invariant_to_adding_a_constant(trial, constant, alternative):
    design, labels, scores = trial
    base = randomization_test(scores, labels, design=design, alternative=alternative)
    shifted = randomization_test(scores + constant, labels, design=design,
                                 alternative=alternative)
    assert shifted.pvalue == base.pvalue
    assert shifted.statistic == pytest.approx(base.statistic, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(trials())
def test_swapping_labels_maps_greater_to_less(trial):
    design, labels, scores = trial
    greater = randomization_test(scores, labels, design=design, alternative="greater")
    if design.symmetric:  # B/A swapped is admissible: same scores, mirrored labels
        swapped = randomization_test(scores, 1 - labels, design=design, alternative="less")
        assert swapped.statistic == pytest.approx(-greater.statistic, abs=1e-12)
    else:  # phase order is fixed: mirror the scores instead
        swapped = randomization_test(-scores, labels, design=design, alternative="less")
    assert swapped.pvalue == greater.pvalue


@settings(max_examples=30, deadline=None)
@given(trials(), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_monte_carlo_pvalue_bounds(trial, n_resamples, seed):
    design, labels, scores = trial
    res = randomization_test(scores, labels, design=design, n_resamples=n_resamples, rng=seed)
    if n_resamples >= design.n_assignments:  # scipy's convention: exact
        count = res.pvalue * design.n_assignments
        assert res.exact and count == pytest.approx(round(count), abs=1e-9)
        return
    assert 1 / (n_resamples + 1) <= res.pvalue <= 1
    b = res.pvalue * (n_resamples + 1) - 1
    assert b == pytest.approx(round(b), abs=1e-9)


# --- calibration under H0 -----------------------------------------------------------------

def ar1(rng, n_sims, n_days, rho, burn_in=100):
    """Stationary-ish AR(1) daily noise (unit innovations), shape (n_sims, n_days)."""
    e = rng.normal(size=(n_sims, n_days + burn_in))
    return signal.lfilter([1.0], [1.0, -rho], e, axis=1)[:, burn_in:]


def rate_ok(rejections, n_sims, size, alpha):
    se = np.sqrt(size * (1 - size) / n_sims)
    rate = rejections / n_sims
    return abs(rate - size) <= 4 * se and rate <= alpha + 3 * np.sqrt(alpha * (1 - alpha)
                                                                      / n_sims)


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6])
@pytest.mark.parametrize("trend", [0.0, 0.05])
def test_paired_design_calibrated_under_ar1_noise(rho, trend):
    """6 pairs of 7-day periods; the period means of AR(1) days (plus a linear trend)."""
    rng = np.random.default_rng(int(rho * 10) + int(trend * 100))
    design = PairedDesign(6)  # N = 64
    n_sims, days = 3000, 7
    noise = ar1(rng, n_sims, 12 * days, rho) + trend * np.arange(12 * days)
    scores = noise.reshape(n_sims, 12, days).mean(axis=2)
    labels = design.draw(rng, size=n_sims)  # each simulated trial randomized on its own
    two = randomization_test(scores, labels, design=design).pvalue
    one = randomization_test(scores, labels, design=design, alternative="greater").pvalue
    # two-sided p is a multiple of 2/64 (mirror orders tie in |T|): size 2/64 at 0.05
    assert rate_ok(np.sum(two <= 0.05), n_sims, 2 / 64, 0.05)
    assert rate_ok(np.sum(one <= 0.05), n_sims, 3 / 64, 0.05)
    assert rate_ok(np.sum(one <= 0.10), n_sims, 6 / 64, 0.10)


@pytest.mark.parametrize("rho", [0.3, 0.6])
def test_phase_design_calibrated_under_ar1_noise(rho):
    """ABAB over 40 days, min phase 5 (286 assignments), wash-out 1, daily AR(1) noise."""
    rng = np.random.default_rng(7)
    design = PhaseDesign("ABAB", 40, 5)
    n_sims = 1500
    scores = ar1(rng, n_sims, 40, rho)
    labels = design.draw(rng, size=n_sims)
    p = randomization_test(scores, labels, design=design, alternative="greater",
                           washout=1).pvalue
    assert rate_ok(np.sum(p <= 0.05), n_sims, 14 / 286, 0.05)
