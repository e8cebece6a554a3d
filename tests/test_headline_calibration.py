"""Calibration of every number in the default tables: the headline and its companions.

Scenario (``calibration_sim.py``): 6 pairs of 14-day periods, 7-day analytic wash-out,
AR(1) daily noise with rho in {0, 0.3, 0.6, 0.8}, between-period drift (SD 0.3), a linear
trend (0.01 points a day) and 10% of days missing at random. Tolerances are 4 Monte Carlo
standard errors at the number of simulated trials used (fixed seeds). The full table with
more trials is printed by ``benchmarks/calibration_table.py``.

What the default report shows, and how each number is checked here:

- headline (randomization test): p-value size, interval coverage, coherence of the two;
- paired t-test (secondary): size and coverage;
- Wilcoxon signed-rank test (secondary): size at most its attainable level;
- Bayesian analysis under the reference prior (secondary): credible-interval coverage over
  sigma/MCID in [0.25, 4] and 3 to 12 pairs, and P(benefit) >= 0.975 under no effect;
- percent change (Fieller interval on period means): coverage;
- NAP and within-person SMD: shown without an interval (checked in ``test_analyze.py``);
  the naive day-level t-test is not in the default tables.

Day-level GLS with AR(1) errors is a sensitivity analysis whose calibration is tested in
``test_calibration.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from calibration_sim import mc_se, pair_arrays, simulate_period_means

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign, analyze, make_schedule
from nof1.analysis import (
    bayes_paired,
    paired_period_test,
    percent_change,
    randomization_test,
    wilcoxon_period_test,
)
from nof1.analysis._primary import _randomization, attainable
from nof1.planning.simulate import simulate_diary

ALPHA = 0.05
RHOS = (0.0, 0.3, 0.6, 0.8)


def _headline(scores, labels, design, rng, confidence_level=0.95, **rkw):
    return _randomization(scores, labels, "PA-PB" if design.kind == "phase" else "A-B",
                          confidence_level=confidence_level, rng=rng, sign=1.0,
                          rkw=dict(design=design, **rkw))


# coherence ---------------------------------------------------------------------------
@pytest.mark.parametrize(("k", "confidence_level", "seed"),
                         [(6, 0.95, 1), (8, 0.95, 2), (10, 0.9, 3)])
def test_headline_interval_excludes_zero_exactly_when_p_is_at_most_alpha(k, confidence_level,
                                                                         seed):
    rng = np.random.default_rng(seed)
    n = 1000
    # effects spread so that p-values fall on both sides of alpha
    effects = rng.uniform(-1.5, 1.5, size=n)
    means, labels, design = simulate_period_means(n, k=k, rho=0.6, rng=rng)
    means = means + effects[:, None] * (labels == "A")
    agree, rejected = 0, 0
    for i in range(n):
        if np.isnan(means[i]).all(axis=None):
            continue
        est, low, high, p, _, _ = _headline(means[i], labels[i], design, rng,
                                            confidence_level=confidence_level)
        excludes = low > 0 or high < 0
        agree += excludes == (p <= 1 - confidence_level)
        rejected += excludes
    assert agree == n
    assert 0.1 * n < rejected < 0.9 * n  # both kinds of result were checked


def test_coherence_for_alternating_and_phase_designs():
    rng = np.random.default_rng(4)
    alt = AlternatingDesign(10)
    for _ in range(150):
        lab = np.where(alt.draw(rng) == 0, "A", "B")
        x = rng.normal(size=10) + rng.uniform(-2, 2) * (lab == "A")
        _, low, high, p, _, _ = _headline(x, lab, alt, rng)
        assert (low > 0 or high < 0) == (p <= ALPHA)
    phase = PhaseDesign("ABAB", 40, 5)
    for _ in range(60):
        a = phase.draw(rng)
        lab = np.where(a == 0, "A", "B")
        x = rng.normal(size=40) + rng.uniform(-2, 2) * (lab == "A")
        _, low, high, p, _, _ = _headline(x, lab, phase, rng, washout=1)
        assert (low > 0 or high < 0) == (p <= ALPHA)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_demo_headlines_are_coherent(seed):
    """The demo seeds of the issue: one procedure behind estimate, interval and p."""
    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, run_in_days=7,
                      washout_days=7, rng=seed)
    res = analyze(simulate_diary(s, rng=seed), s, rng=seed)
    for r in res.outcomes.values():
        assert (r.ci_low > 0 or r.ci_high < 0) == (r.pvalue <= ALPHA), r.outcome
        row = r.analyses.iloc[0]
        assert (row["estimate"], row["ci_low"], row["ci_high"], row["pvalue"]) == (
            r.estimate, r.ci_low, r.ci_high, r.pvalue)
        assert "excludes no" not in r.interpretation


# type I error -------------------------------------------------------------------------
@pytest.mark.parametrize("rho", RHOS)
def test_type_one_error_of_the_default_tests_under_autocorrelation_trend_and_missing(rho):
    n = 4000
    rng = np.random.default_rng(100 + int(10 * rho))
    means, labels, design = simulate_period_means(n, rho=rho, rng=rng)
    greater = randomization_test(means, labels, design=design, alternative="greater")
    less = randomization_test(means, labels, design=design, alternative="less")
    p_rand = np.minimum(1, 2 * np.minimum(greater.pvalue, less.pvalue))
    size, _ = attainable(design.n_assignments, 1 - ALPHA)
    size = 1 - size                                                 # 2/64
    rate = np.mean(p_rand <= ALPHA)
    assert rate <= size + 4 * mc_se(size, n)
    assert rate >= size - 4 * mc_se(size, n)   # exact: not conservative beyond ties
    a, b = pair_arrays(means, labels)
    tt = paired_period_test(a, b)
    rate_t = np.mean(np.asarray(tt.pvalue) <= ALPHA)
    assert abs(rate_t - ALPHA) <= 4 * mc_se(ALPHA, n)
    bayes = bayes_paired(a - b, mcid=1.0, higher_is_better=False)
    rate_b = np.mean(np.asarray(bayes.p_benefit) >= 0.975)
    assert abs(rate_b - 0.025) <= 4 * mc_se(0.025, n)
    m = 1000
    p_w = np.array([wilcoxon_period_test(a[i], b[i]).pvalue for i in range(m)])
    assert np.mean(p_w <= ALPHA) <= 2 / 64 + 4 * mc_se(2 / 64, m)


# coverage ------------------------------------------------------------------------------
@pytest.mark.parametrize("rho", RHOS)
def test_coverage_of_the_default_intervals(rho):
    effect, baseline = -1.0, 6.0
    rng = np.random.default_rng(200 + int(10 * rho))
    n = 600
    means, labels, design = simulate_period_means(n, rho=rho, effect=effect, trend=0.0,
                                                  baseline=baseline, rng=rng)
    covered = 0
    for i in range(n):
        _, low, high, _, _, _ = _headline(means[i], labels[i], design, rng)
        covered += low <= effect <= high
    level = 1 - 2 / 64                                 # attained level of the 95% interval
    assert covered / n >= level - 4 * mc_se(level, n)
    a, b = pair_arrays(means, labels)
    tt = paired_period_test(a, b)
    cov_t = np.mean((np.asarray(tt.ci_low) <= effect) & (effect <= np.asarray(tt.ci_high)))
    assert abs(cov_t - 0.95) <= 4 * mc_se(0.95, n)
    truth = 100 * effect / baseline
    hits = 0
    for i in range(n):
        pc = percent_change(a[i], b[i])
        hits += pc.ci_low <= truth <= pc.ci_high
    assert abs(hits / n - 0.95) <= 4 * mc_se(0.95, n)


# Bayesian credible intervals over sigma/MCID x pairs ---------------------------------
RATIOS = (0.25, 0.5, 1.0, 2.0, 4.0)
PAIRS = (3, 4, 6, 8, 10, 12)


def _credible_coverage(prior, ratio, k, n, rng):
    mcid, delta = 1.0, -0.5
    d = rng.normal(delta, ratio * mcid, size=(n, k))
    res = bayes_paired(d, mcid=mcid, higher_is_better=False, prior=prior)
    return float(np.mean((np.asarray(res.ci_low) <= delta) & (delta <= np.asarray(res.ci_high))))


def test_default_prior_credible_intervals_cover_over_the_whole_grid():
    rng = np.random.default_rng(300)
    n = 4000
    for ratio in RATIOS:
        for k in PAIRS:
            cov = _credible_coverage("reference", ratio, k, n, rng)
            assert abs(cov - 0.95) <= 4 * mc_se(0.95, n), (ratio, k, cov)


def test_former_default_prior_undercovers_when_differences_vary_more_than_the_mcid():
    """Why the default changed: one pseudo-observation at SD = MCID is overconfident."""
    rng = np.random.default_rng(301)
    n = 4000
    worst = min(_credible_coverage("weakly_informative", 4.0, k, n, rng) for k in (3, 4, 6))
    assert worst < 0.94 - 4 * mc_se(0.94, n)


# long runs (pytest -m slow) ------------------------------------------------------------
@pytest.mark.slow
def test_coherence_over_ten_thousand_trials_and_exact_size():
    rng = np.random.default_rng(400)
    n = 10_000
    effects = rng.uniform(-1.5, 1.5, size=n)
    means, labels, design = simulate_period_means(n, k=6, rho=0.8, rng=rng)
    means = means + effects[:, None] * (labels == "A")
    for i in range(n):
        _, low, high, p, _, _ = _headline(means[i], labels[i], design, rng)
        assert (low > 0 or high < 0) == (p <= ALPHA), i
    n = 40_000
    for rho in RHOS:
        means, labels, design = simulate_period_means(n, rho=rho, rng=rng)
        g = randomization_test(means, labels, design=design, alternative="greater")
        le = randomization_test(means, labels, design=design, alternative="less")
        rate = np.mean(np.minimum(1, 2 * np.minimum(g.pvalue, le.pvalue)) <= ALPHA)
        assert abs(rate - 2 / 64) <= 4 * mc_se(2 / 64, n), rho
