"""One-stage model (lme4/nlme), Bayesian quadrature (a sampler) and the series
randomization test (brute-force enumeration)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nof1.series import analyze_series
from nof1.series.bayes import bayes_series
from nof1.series.onestage import one_stage
from nof1.series.randtest import series_randomization_test
from nof1.series.simulate import simulate_series

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "series_reference.json").read_text())
PAIRS = pd.read_csv(DATA / "series_pairs.csv")


# -- one-stage ---------------------------------------------------------------------------
# statsmodels' REML optimiser stops at a gradient tolerance: agreement with lme4 (itself
# optimised to 1e-12) is to about 1e-5 relative; lme4 and nlme differ by 1e-6
@pytest.mark.parametrize("mods,key", [(None, "lmer_intercept"),
                                       ("baseline_stress", "lmer_stress")])
def test_one_stage_matches_lme4(mods, key):
    res = one_stage(PAIRS, mods=mods)
    ref = REF[key]
    assert res.converged
    np.testing.assert_allclose(res.coefficients["estimate"], ref["coef"], rtol=1e-5)
    np.testing.assert_allclose(res.coefficients["se"], ref["se"], rtol=1e-4)
    np.testing.assert_allclose(res.tau2, ref["tau2"], rtol=1e-4)
    np.testing.assert_allclose(res.sigma2, ref["sigma2"], rtol=1e-5)


def test_one_stage_equals_the_period_means_model():
    """lmer(y ~ 0 + pair + treat + (0 + treat | person)) on period means: same mu and tau^2,
    period-level residual variance sigma^2 / 2 (differencing removes the pair intercepts)."""
    res = one_stage(PAIRS)
    ref = REF["lmer_period_means"]
    np.testing.assert_allclose(res.estimate, ref["coef"], rtol=1e-5)
    np.testing.assert_allclose(res.se, ref["se"], rtol=1e-4)
    np.testing.assert_allclose(res.tau2, ref["tau2"], rtol=1e-4)
    np.testing.assert_allclose(res.sigma2 / 2, ref["sigma2_period"], rtol=1e-5)


def test_one_stage_matches_nlme():
    res = one_stage(PAIRS)
    ref = REF["lme_intercept"]
    np.testing.assert_allclose(res.estimate, ref["coef"], rtol=1e-5)
    np.testing.assert_allclose(res.tau2, ref["tau2"], rtol=1e-4)


def test_one_stage_band_interaction_agrees_with_two_stage_direction():
    res = one_stage(PAIRS, mods="stress_band")
    row = res.coefficients.set_index("term").loc["stress_band[severe]"]
    assert row["estimate"] > 0 and res.mods_pvalue == pytest.approx(row["pvalue"], rel=1e-9)
    assert "stress_band[severe]" in res.summary()


# -- Bayesian quadrature vs an importance sampler --------------------------------------
def test_bayes_quadrature_agrees_with_importance_sampling():
    rng = np.random.default_rng(20260601)
    y = np.array([-1.6, -0.2, -1.1, 0.4, -0.9, -2.0, -0.5, 0.1])
    p = pd.DataFrame({"person": [f"p{i}" for i in range(8)], "estimate": y, "n_pairs": 4,
                      "sd_difference": 1.5, "mcid": 1.0, "higher_is_better": False})
    res = bayes_series(p, tau_prior="half-Cauchy", tau_scale=0.5)
    v = res.persons["vi"].to_numpy()
    # proposal: mu ~ N(mean y, 1.5^2), tau from its prior; target: prior x likelihood
    n = 400_000
    mu = rng.normal(y.mean(), 1.5, n)
    tau = np.abs(stats.cauchy.rvs(scale=0.5, size=n, random_state=rng))
    logw = stats.norm.logpdf(mu, 0, 10) - stats.norm.logpdf(mu, y.mean(), 1.5)
    for yi, vi in zip(y, v, strict=True):
        logw += stats.norm.logpdf(yi, mu, np.sqrt(vi + tau**2))
    w = np.exp(logw - logw.max())
    w /= w.sum()
    ess = 1 / np.sum(w**2)

    def check(values, expected):
        est = w @ values
        se = np.sqrt(w @ (values - est) ** 2 / ess)  # Monte Carlo SE of the weighted mean
        assert abs(est - expected) < 4 * se + 1e-12, (est, expected, se)

    check(mu, res.estimate)
    check((mu < 0).astype(float), res.p_benefit)
    check((mu < -1).astype(float), res.p_benefit_mcid)
    check(tau, res.tau_mean)
    # person 0: theta | mu, tau, y is normal; average its tail probability over draws
    b = v[0] / (v[0] + tau**2)
    m0 = (1 - b) * y[0] + b * mu
    s0 = np.sqrt(v[0] * (1 - b))
    check(m0, res.persons["theta"].iloc[0])
    check(stats.norm.cdf((-1 - m0) / s0), res.persons["p_benefit_mcid"].iloc[0])


def test_bayes_shrinks_towards_the_mean():
    s = simulate_series(30, n_pairs=3, effects={"pain": -1.0}, rng=7)
    res = bayes_series(analyze_series(s, outcomes=["pain"]).persons)
    per = res.persons
    assert (np.abs(per["theta"] - res.estimate) <= np.abs(per["yi"] - res.estimate)).all()
    assert res.within == "pooled" and "half-normal" in res.prior


# -- series randomization test -----------------------------------------------------------
def _brute(pairs, weights, alternative):
    codes, _ = pd.factorize(pairs["person"])
    k = np.bincount(codes)
    n = k.size
    c = np.full(n, 1 / n) if weights == "equal" else k / k.sum()
    a = pairs["difference"].to_numpy() * (c / k)[codes]
    t = a.sum()
    null = np.array([np.dot(s, a) for s in itertools.product([-1, 1], repeat=a.size)])
    tol = 1e-9
    if alternative == "two-sided":
        return np.mean(np.abs(null) >= abs(t) - tol)
    if alternative == "greater":
        return np.mean(null >= t - tol)
    return np.mean(null <= t + tol)


@pytest.mark.parametrize("weights", ["equal", "pairs"])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_exact_convolution_equals_enumeration(weights, alternative):
    s = simulate_series(4, n_pairs=np.array([2, 3, 4, 3]), effects={"pain": -0.8},
                        missing=0.2, rng=99)
    pairs = analyze_series(s, outcomes=["pain"]).pairs.dropna(subset=["difference"])
    res = series_randomization_test(pairs, weights=weights, alternative=alternative)
    assert res.exact
    assert res.pvalue == pytest.approx(_brute(pairs, weights, alternative), abs=1e-12)


def test_monte_carlo_when_no_grid():
    rng = np.random.default_rng(3)
    pairs = pd.DataFrame({"person": np.repeat(["a", "b", "c"], 4),
                          "difference": rng.normal(-0.3, 1, 12) * np.pi})
    res = series_randomization_test(pairs, n_resamples=None, rng=1)
    assert not res.exact and res.n_resamples == 9_999 and "Monte Carlo" in res.summary()
    exact = _brute(pairs, "equal", "two-sided")
    se = np.sqrt(exact * (1 - exact) / 9_999)
    assert abs(res.pvalue - exact) < 4 * se + 1 / 10_000


@pytest.mark.parametrize("analysis", [series_randomization_test, one_stage])
def test_outcome_is_chosen_by_one_rule(analysis):
    # the per-outcome table of analyze_series: one outcome must be named, and a name
    # the table lacks is refused (the randomization test used to find "no complete pair")
    pairs = pd.DataFrame({"person": np.repeat(["a", "b", "c"], 4).tolist() * 2,
                          "outcome": ["pain"] * 12 + ["sleep"] * 12,
                          "difference": np.linspace(-1, 1, 24)})
    with pytest.raises(ValueError, match="`outcome` must be given"):
        analysis(pairs)
    with pytest.raises(ValueError, match=r"`outcome` must be one of \['pain', 'sleep'\], "
                                         r"got 'mood'"):
        analysis(pairs, outcome="mood")
