"""Calibration: type I error and coverage of the analyses on simulated personal trials.

Simulated trial (no treatment effect unless stated): a paired design with 6
pairs of 14-day periods (order AB or BA at random in each pair), the first 7
days of every period unanalysed (analytic wash-out), daily AR(1) noise with
marginal SD 1 and lag-1 correlation rho, plus a random period effect
(between-period drift) with SD 0.3.

Rejection rates at alpha = 0.05 measured with this simulation (paired t and
naive t: 2,000 trials at the seeds used below; GLS with REML, blocks = pairs,
time = day: a separate run of 2,000 trials; Monte Carlo SE about 0.005):

=======  ================  ==================  ==============
rho      period paired t   naive day Welch t   GLS AR(1)
=======  ================  ==================  ==============
0.0      0.049             0.10                0.11
0.3      0.046             0.18                0.085
0.6      0.051             0.30                0.088
=======  ================  ==================  ==============

The 400-trial GLS run in the test below gives 0.070 at rho = 0.6. Without
drift (SD 0) GLS gives 0.055 / 0.074 / 0.081 and the naive test about
0.05 / 0.14 / 0.27. GLS is liberal for two reasons: it treats rho as known
(REML underestimates it on 7-day segments), and AR(1) does not describe
period-level drift. Maximum likelihood instead of REML is worse (0.15 at
rho = 0.6). Hence the period-level test is the primary analysis. The paired-t
95% interval covered the true effect in 94.1% of 2,000 trials (rho = 0.6).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import lfilter

from nof1.analysis import (
    NormalInverseGammaPrior,
    bayes_paired,
    gls_ar1,
    make_prior,
    naive_day_ttest,
    paired_period_test,
    wilcoxon_period_test,
)
from nof1.analysis.models import NOTE_SATTERTHWAITE

K, PERIOD_DAYS, WASHOUT, DRIFT_SD = 6, 14, 7, 0.3
ALPHA = 0.05


def simulate_trials(n_trials: int, *, rho: float, rng: np.random.Generator,
                    effect: float = 0.0, drift_sd: float = DRIFT_SD):
    """Daily scores (n_trials, n_days), day labels, period assignment and analysed-day mask."""
    n_periods = 2 * K
    n_days = n_periods * PERIOD_DAYS
    u = rng.normal(size=(n_trials, n_days)) * math.sqrt(1 - rho ** 2)
    u[:, 0] /= math.sqrt(1 - rho ** 2)                    # stationary start
    noise = lfilter([1.0], [1.0, -rho], u, axis=-1)
    first = rng.integers(0, 2, size=(n_trials, K))
    assignment = np.empty((n_trials, n_periods), dtype=np.int8)
    assignment[:, 0::2], assignment[:, 1::2] = first, 1 - first
    period_level = rng.normal(0, drift_sd, size=(n_trials, n_periods))
    period_level = period_level + effect * (assignment == 0)
    scores = noise + np.repeat(period_level, PERIOD_DAYS, axis=1)
    labels = np.repeat(assignment, PERIOD_DAYS, axis=1)
    analysed = np.tile(np.arange(PERIOD_DAYS) >= WASHOUT, n_periods)
    return scores, labels, assignment, analysed


def period_means(scores, assignment, analysed):
    """Treatment and control period means per pair, shape (n_trials, K) each."""
    n = scores.shape[0]
    means = scores.reshape(n, 2 * K, PERIOD_DAYS)[:, :, analysed[:PERIOD_DAYS]].mean(axis=-1)
    a_first = assignment[:, 0::2] == 0
    a = np.where(a_first, means[:, 0::2], means[:, 1::2])
    b = np.where(a_first, means[:, 1::2], means[:, 0::2])
    return a, b


def mc_se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize(("rho", "seed"), [(0.0, 101), (0.3, 102), (0.6, 103)])
def test_period_paired_t_holds_its_level_and_naive_day_test_does_not(rho, seed):
    n = 2000
    scores, labels, assignment, analysed = simulate_trials(n, rho=rho,
                                                           rng=np.random.default_rng(seed))
    a, b = period_means(scores, assignment, analysed)
    paired = np.mean(paired_period_test(a, b).pvalue < ALPHA)
    assert abs(paired - ALPHA) < 3 * mc_se(ALPHA, n)
    naive = np.mean(naive_day_ttest(scores[:, analysed], labels[:, analysed]).pvalue < ALPHA)
    # measured 0.11 / 0.18 / 0.30 (module docstring); bounds leave > 8 MC SEs of margin
    assert naive > {0.0: 0.07, 0.3: 0.12, 0.6: 0.20}[rho]


def test_paired_t_interval_covers_the_true_effect():
    n, effect = 2000, -0.6
    scores, _, assignment, analysed = simulate_trials(n, rho=0.6, effect=effect,
                                                      rng=np.random.default_rng(104))
    a, b = period_means(scores, assignment, analysed)
    res = paired_period_test(a, b)
    covered = np.mean((res.ci_low <= effect) & (effect <= res.ci_high))
    assert abs(covered - 0.95) < 3 * mc_se(0.95, n)


def test_wilcoxon_level_is_the_attainable_one():
    # with 6 pairs the only two-sided p-value below 0.05 is 2/64 = 0.03125
    n = 1000
    scores, _, assignment, analysed = simulate_trials(n, rho=0.6,
                                                      rng=np.random.default_rng(105))
    a, b = period_means(scores, assignment, analysed)
    rate = np.mean([wilcoxon_period_test(a[i], b[i]).pvalue < ALPHA for i in range(n)])
    assert abs(rate - 2 / 64) < 3 * mc_se(2 / 64, n)


def test_gls_ar1_type_i_error_near_nominal_at_rho_06():
    # Model-based test on 84 analysed days: measured 0.088 with 2,000 trials (docstring).
    # Bound: 0.13 = that figure + 3 MC SEs of this 400-trial run; it must also be far
    # below the naive day-level test (about 0.30 in the same setting).
    n = 400
    scores, labels, _, analysed = simulate_trials(n, rho=0.6, rng=np.random.default_rng(106))
    time = np.flatnonzero(analysed)
    blocks = np.repeat(np.arange(K), 2 * PERIOD_DAYS)[analysed]
    pvalues = np.array([gls_ar1(scores[i, analysed], labels[i, analysed], time=time,
                                blocks=blocks).pvalue for i in range(n)])
    rate = np.mean(pvalues < ALPHA)
    assert rate < 0.13
    naive = np.mean(naive_day_ttest(scores[:, analysed], labels[:, analysed]).pvalue < ALPHA)
    assert rate < naive - 0.1


# Bayesian calibration under the prior predictive ---------------------------------------
@pytest.mark.parametrize("prior", [   # proper conjugate priors (the version-1 presets)
    make_prior("sceptical", mcid=1.0, higher_is_better=False, version=1),
    make_prior("enthusiastic", mcid=1.0, higher_is_better=False, version=1),
    NormalInverseGammaPrior(m0=0.5, k0=0.2, a0=3.0, b0=2.0),
])
def test_credible_interval_coverage_under_the_prior_predictive(prior):
    # draw (delta, sigma^2) from the prior, data from the model; a correct posterior
    # covers delta with probability exactly the credible level, and P(benefit) is
    # calibrated: E[P(delta < 0 | data)] = P(delta < 0).
    n, k = 20_000, 6
    rng = np.random.default_rng(107)
    s2 = prior.b0 / rng.gamma(prior.a0, size=n)
    delta = rng.normal(prior.m0, np.sqrt(s2 / prior.k0))
    d = delta[:, None] + rng.normal(size=(n, k)) * np.sqrt(s2)[:, None]
    res = bayes_paired(d, mcid=1.0, higher_is_better=False, prior=prior, credible_level=0.9)
    covered = np.mean((res.ci_low <= delta) & (delta <= res.ci_high))
    assert abs(covered - 0.9) < 3 * mc_se(0.9, n)
    # benefit indicator minus its posterior probability has mean 0 (SD <= 0.5)
    gap = (delta < 0) - res.p_benefit
    assert abs(gap.mean()) < 3 * gap.std() / math.sqrt(n)
    gap_mcid = (delta <= -1.0) - res.p_benefit_mcid
    assert abs(gap_mcid.mean()) < 3 * gap_mcid.std() / math.sqrt(n)


# GLS with AR(1) errors and random period intercepts ------------------------------------
def _period_gls(scores, labels, analysed, **kw):
    """gls_ar1 with periods, blocks = pairs, time = day, for every simulated trial."""
    time = np.flatnonzero(analysed)
    blocks = np.repeat(np.arange(K), 2 * PERIOD_DAYS)[analysed]
    periods = np.repeat(np.arange(2 * K), PERIOD_DAYS)[analysed]
    return [gls_ar1(scores[i, analysed], labels[i, analysed], time=time, blocks=blocks,
                    periods=periods, **kw) for i in range(scores.shape[0])]


@pytest.mark.parametrize(("rho", "seed"), [(0.0, 108), (0.3, 109), (0.6, 110)])
def test_gls_with_period_effects_holds_its_level(rho, seed):
    # Satterthwaite df (REML): 0.033 / 0.037 / 0.043 in 300-trial runs at these seeds;
    # containment df k - 1 gave 0.013 / 0.017 / 0.020 (and 0.022 / 0.024 / 0.021 with
    # 2,000 trials): too conservative. Bound: nominal level +- 3 MC SEs (0.017 to 0.083)
    n = 400
    scores, labels, _, analysed = simulate_trials(n, rho=rho, rng=np.random.default_rng(seed))
    res = _period_gls(scores, labels, analysed)
    rate = np.mean([r.pvalue < ALPHA for r in res])
    assert abs(rate - ALPHA) <= 3 * mc_se(ALPHA, n)
    assert all(r.df_method == "Satterthwaite" and r.df >= 1 for r in res)
    containment = _period_gls(scores[:100], labels[:100], analysed, estimation="ml")
    assert all(r.df == K - 1 for r in containment)


def test_gls_with_period_effects_interval_and_power_against_paired_t():
    # Same 400 trials (effect -0.8, rho 0.3, drift SD 0.3) for both analyses, both with
    # df = K - 1 = 5. Measured with 2,000 trials (docstring): coverage 0.977 vs 0.951,
    # power 0.42 vs 0.49, mean interval width 1.74 vs 1.62; this run: coverage 0.983,
    # power 0.46 vs 0.51, width ratio 1.06.
    n, effect = 400, -0.8
    scores, labels, assignment, analysed = simulate_trials(n, rho=0.3, effect=effect,
                                                           rng=np.random.default_rng(111))
    a, b = period_means(scores, assignment, analysed)
    paired = paired_period_test(a, b)
    res = _period_gls(scores, labels, analysed)
    low, high = np.array([r.ci_low for r in res]), np.array([r.ci_high for r in res])
    covered = np.mean((low <= effect) & (effect <= high))
    assert covered >= 0.95 - 3 * mc_se(0.95, n)
    # not absurdly wide or weak: the width ratio varies by about 0.01 between runs, the
    # paired power difference by about 0.016 (SE); bounds leave > 3 SEs of margin
    width = np.mean(high - low) / np.mean(paired.ci_high - paired.ci_low)
    assert width < 1.15
    power = np.mean([r.pvalue < ALPHA for r in res])
    power_paired = np.mean(paired.pvalue < ALPHA)
    assert power >= power_paired - 0.12


# GLS with period intercepts where the diary is harder: trend, drift and missing days -----
def gls_day_trials(n: int, *, rho: float, effect: float, seed: int, k: int = 6):
    """gls_ar1 as ``analyze`` calls it (periods, blocks = pairs, time = day) on trials
    simulated by ``calibration_sim.simulate_days``: 14-day periods, first 7 days unanalysed,
    AR(1) days (SD 1), period drift SD 0.3, linear trend 0.01 per day, 10% missing days."""
    from calibration_sim import PERIOD_DAYS as days
    from calibration_sim import WASHOUT, simulate_days

    y, assign, _ = simulate_days(n, k=k, rho=rho, effect=effect,
                                 rng=np.random.default_rng(seed))
    cond = np.repeat(assign, days, axis=1)
    period = np.repeat(np.arange(2 * k), days)
    analysed = np.tile(np.arange(days) >= WASHOUT, 2 * k)
    day = np.arange(period.size)
    out = []
    for i in range(n):
        keep = analysed & ~np.isnan(y[i])
        out.append(gls_ar1(y[i, keep], np.where(cond[i, keep] == 0, "A", "B"),
                           time=day[keep], blocks=period[keep] // 2,
                           periods=period[keep]))
    return out


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6, 0.8])
def test_gls_period_intercepts_level_and_coverage_with_trend_and_missing_days(rho):
    # Issue 9: type I error and coverage of the 95% interval under AR(1) rho in
    # {0, 0.3, 0.6, 0.8} with a linear trend, period drift and 10% missing days.
    # Measured with 1,000 null trials per rho (seeds 1000 + 10 rho; Monte Carlo SE
    # 0.007): 0.038 / 0.040 / 0.027 / 0.036, i.e. within Monte Carlo error of 0.05 at
    # rho = 0 and 0.3 but conservative at rho = 0.6 (3.3 SEs below 0.05) and 0.8;
    # coverage with effect -1 (500 trials): 0.952 / 0.968 / 0.938 / 0.962. The level is
    # therefore not held to within Monte Carlo error in every setting, and the result's
    # note (NOTE_SATTERTHWAITE in nof1/analysis/models.py) says so next to the number.
    # Checks, each with 3 binomial SEs of tolerance (a correct claim fails about 3 times
    # in 1,000): the test is valid (600 null trials: rate <= 0.05 + 0.027), no more
    # conservative than the note says (rate >= 0.027 - 0.021, SE at 0.027), and the
    # interval covers (300 trials with effect -1: 0.912 <= coverage <= 0.99).
    seed = 900 + int(10 * rho)
    null = gls_day_trials(600, rho=rho, effect=0.0, seed=seed)
    # Satterthwaite's df unless the likelihood's Hessian is not positive definite (then
    # the between-period df and their note): a handful of these trials at rho >= 0.6
    satt = [r.df_method == "Satterthwaite" for r in null]
    assert np.mean(satt) >= 0.97
    assert all(r.note == NOTE_SATTERTHWAITE for r in null if r.df_method == "Satterthwaite")
    rate = np.mean([r.pvalue < ALPHA for r in null])
    assert rate <= ALPHA + 3 * mc_se(ALPHA, 600), rate
    assert rate >= 0.027 - 3 * mc_se(0.027, 600), rate
    effect = -1.0
    shifted = gls_day_trials(300, rho=rho, effect=effect, seed=seed + 1)
    covered = np.mean([r.ci_low <= effect <= r.ci_high for r in shifted])
    assert 0.95 - 3 * mc_se(0.95, 300) <= covered <= 0.99, covered
