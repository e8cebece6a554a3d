"""Conjugate Bayesian analysis: closed form vs numerical integration and Gibbs sampling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from nof1.analysis import NormalInverseGammaPrior, bayes_paired, make_prior, prior_sensitivity

D = np.array([-1.2, -0.4, -0.9, 0.1, -1.5, -0.7])          # pair differences A - B (pain)
CUSTOM = NormalInverseGammaPrior(m0=0.3, k0=1.5, a0=3.0, b0=2.0, name="custom")


def _log_joint(delta: float, log_s2: float, d: np.ndarray, prior: NormalInverseGammaPrior):
    """log p(d | delta, s2) + log p(delta | s2) + log p(s2) + log|ds2/dlog_s2|."""
    s2 = math.exp(log_s2)
    n = d.size
    loglik = -0.5 * n * math.log(2 * math.pi * s2) - ((d - delta) ** 2).sum() / (2 * s2)
    if prior.name == "reference":  # p(delta, s2) ∝ 1/s2, written directly (not as NIG)
        return loglik - log_s2 + log_s2
    logp_delta = (-0.5 * math.log(2 * math.pi * s2 / prior.k0)
                  - prior.k0 * (delta - prior.m0) ** 2 / (2 * s2))
    logp_s2 = (prior.a0 * math.log(prior.b0) - special.gammaln(prior.a0)
               - (prior.a0 + 1) * log_s2 - prior.b0 / s2)
    return loglik + logp_delta + logp_s2 + log_s2


def _numerical_posterior(d, prior, mcid):
    """Posterior summaries by 2-D quadrature over (delta, log sigma^2)."""
    centre, spread = d.mean(), d.std(ddof=1) + 0.1
    shift = _log_joint(centre, math.log(spread ** 2), d, prior)
    lo_d, hi_d = centre - 60 * spread, centre + 60 * spread
    lo_v, hi_v = math.log(spread ** 2) - 15, math.log(spread ** 2) + 15

    def marginal(delta):            # integrate out log sigma^2
        return integrate.quad(lambda v: math.exp(_log_joint(delta, v, d, prior) - shift),
                              lo_v, hi_v, epsabs=0, epsrel=1e-9, limit=100)[0]

    def over(f, a, b):
        return integrate.quad(f, a, b, epsabs=0, epsrel=1e-8, limit=100,
                              points=[x for x in (-mcid, 0.0, mcid, centre) if a < x < b])[0]

    z = over(marginal, lo_d, hi_d)
    return {
        "mean": over(lambda x: x * marginal(x), lo_d, hi_d) / z,
        "p_lt0": over(marginal, lo_d, 0.0) / z,
        "p_le_minus_mcid": over(marginal, lo_d, -mcid) / z,
        "p_ge_mcid": over(marginal, mcid, hi_d) / z,
    }


@pytest.mark.parametrize("prior", ["reference", "weakly_informative", "sceptical",
                                   "enthusiastic", CUSTOM])
def test_closed_form_matches_numerical_integration(prior):
    res = bayes_paired(D, mcid=1.0, higher_is_better=False, prior=prior)
    pr = prior if isinstance(prior, NormalInverseGammaPrior) else make_prior(
        prior, mcid=1.0, higher_is_better=False)
    num = _numerical_posterior(D, pr, 1.0)
    np.testing.assert_allclose(res.estimate, num["mean"], rtol=1e-6)
    np.testing.assert_allclose(res.p_benefit, num["p_lt0"], rtol=1e-6)
    np.testing.assert_allclose(res.p_benefit_mcid, num["p_le_minus_mcid"], rtol=1e-6)
    np.testing.assert_allclose(res.p_harm_mcid, num["p_ge_mcid"], rtol=1e-5, atol=1e-9)


def _gibbs(d, prior, rng, n_chains=20_000, n_iter=60):
    """Independent Gibbs chains from the full conditionals of (delta, sigma^2)."""
    n = d.size
    s2 = np.full(n_chains, d.var(ddof=1))
    delta = np.zeros(n_chains)
    for _ in range(n_iter):
        prec = (n + prior.k0) / s2
        mean = (d.sum() + prior.k0 * prior.m0) / (n + prior.k0)
        delta = mean + rng.standard_normal(n_chains) / np.sqrt(prec)
        shape = prior.a0 + (n + 1) / 2
        rate = prior.b0 + 0.5 * (((d[None, :] - delta[:, None]) ** 2).sum(axis=1)
                                 + prior.k0 * (delta - prior.m0) ** 2)
        s2 = rate / rng.gamma(shape, size=n_chains)
    return delta


@pytest.mark.parametrize("prior", ["sceptical", CUSTOM])
def test_closed_form_matches_gibbs_sampling(prior):
    pr = prior if isinstance(prior, NormalInverseGammaPrior) else make_prior(
        prior, mcid=1.0, higher_is_better=False)
    draws = _gibbs(D, pr, np.random.default_rng(12345))
    res = bayes_paired(D, mcid=1.0, higher_is_better=False, prior=pr)
    m = draws.size
    # tolerance: 4 Monte Carlo standard errors (the chains are independent)
    assert abs(draws.mean() - res.estimate) < 4 * draws.std() / math.sqrt(m)
    for p_hat, p in [((draws < 0).mean(), res.p_benefit),
                     ((draws <= -1).mean(), res.p_benefit_mcid),
                     ((np.abs(draws) < 1).mean(), res.p_within_mcid),
                     (((draws >= res.ci_low) & (draws <= res.ci_high)).mean(), 0.95)]:
        assert abs(p_hat - p) < 4 * math.sqrt(p * (1 - p) / m) + 1e-12


def test_posterior_concentrates_at_the_truth():
    rng = np.random.default_rng(3)
    widths = []
    for k in (10, 100, 10_000):
        d = rng.normal(-0.8, 1.0, size=k)
        res = bayes_paired(d, mcid=1.0, higher_is_better=False)
        assert abs(res.estimate - (-0.8)) < 4 / math.sqrt(k)
        assert res.ci_low < -0.8 < res.ci_high or k < 100
        widths.append(res.ci_high - res.ci_low)
    np.testing.assert_allclose(widths[-1], 2 * 1.96 / 100, rtol=0.05)
    assert widths[0] > widths[1] > widths[2]
    assert res.p_benefit > 0.999999 and res.p_within_mcid > 0.999


@pytest.mark.parametrize("higher", [True, False])
@pytest.mark.parametrize("prior", ["reference", "weakly_informative", "sceptical",
                                   "enthusiastic"])
def test_probabilities_are_coherent(higher, prior):
    res = bayes_paired(D, mcid=0.5, higher_is_better=higher, prior=prior)
    assert 0 <= res.p_benefit_mcid <= res.p_benefit <= 1
    np.testing.assert_allclose(res.p_within_mcid + res.p_benefit_mcid + res.p_harm_mcid, 1.0,
                               rtol=1e-12)
    assert res.ci_low < res.estimate < res.ci_high


def test_direction_of_benefit_mirrors():
    lower = bayes_paired(D, mcid=1.0, higher_is_better=False, prior="sceptical")
    higher = bayes_paired(-D, mcid=1.0, higher_is_better=True, prior="sceptical")
    np.testing.assert_allclose([lower.p_benefit, lower.p_benefit_mcid, lower.p_harm_mcid],
                               [higher.p_benefit, higher.p_benefit_mcid, higher.p_harm_mcid],
                               rtol=1e-12)
    np.testing.assert_allclose(lower.estimate, -higher.estimate, rtol=1e-12)
    # the enthusiastic prior leans towards benefit, the sceptical one towards no effect
    enth = bayes_paired(D, mcid=1.0, higher_is_better=False, prior="enthusiastic")
    weak = bayes_paired(D, mcid=1.0, higher_is_better=False)
    assert enth.p_benefit_mcid > weak.p_benefit_mcid > lower.p_benefit_mcid


def test_presets_match_their_documented_properties():
    for mcid, sd_guess in [(1.0, None), (2.0, 0.7), (0.5, 3.0)]:
        s0 = mcid if sd_guess is None else sd_guess
        scep = make_prior("sceptical", mcid=mcid, higher_is_better=False, sd_guess=sd_guess)
        # at sigma = s0 the prior SD of delta is MCID / 1.5 (docs/methods.md §2.5)
        np.testing.assert_allclose(s0 / math.sqrt(scep.k0), mcid / 1.5, rtol=1e-12)
        # marginal prior: Cauchy with scale MCID / 1.5
        np.testing.assert_allclose(scep.delta_scale, mcid / 1.5, rtol=1e-12)
        weak = make_prior("weakly_informative", mcid=mcid, higher_is_better=True,
                          sd_guess=sd_guess)
        np.testing.assert_allclose(weak.delta_scale, 10 * s0, rtol=1e-12)
        enth = make_prior("enthusiastic", mcid=mcid, higher_is_better=True, sd_guess=sd_guess)
        assert enth.m0 == mcid and enth.k0 == scep.k0
    # P(|delta| < MCID) under the sceptical prior, by sampling it (Cauchy: 2/pi atan(1.5))
    rng = np.random.default_rng(1)
    s2 = scep.b0 / rng.gamma(scep.a0, size=200_000)
    delta = rng.normal(scep.m0, np.sqrt(s2 / scep.k0))
    frac = np.mean(np.abs(delta) < 0.5)
    expected = 2 / math.pi * math.atan(1.5)
    assert abs(frac - expected) < 4 * math.sqrt(expected * (1 - expected) / delta.size)


def test_strong_prior_dominates_and_no_data_returns_the_prior():
    strong = NormalInverseGammaPrior(m0=-0.25, k0=1e9, a0=2.0, b0=1.0)
    res = bayes_paired(D, mcid=1.0, higher_is_better=False, prior=strong)
    np.testing.assert_allclose(res.estimate, -0.25, atol=1e-8)
    batch = bayes_paired(np.array([D, np.full(D.size, np.nan)]), mcid=1.0,
                         higher_is_better=False, prior=CUSTOM)
    assert batch.n_pairs[1] == 0 and batch.n_dropped[1] == D.size
    np.testing.assert_allclose([batch.posterior_loc[1], batch.posterior_df[1],
                                batch.posterior_scale[1]],
                               [CUSTOM.m0, 2 * CUSTOM.a0, CUSTOM.delta_scale], rtol=1e-12)


def test_batch_matches_rowwise():
    rng = np.random.default_rng(5)
    d = rng.normal(-0.5, 1.0, size=(40, 6))
    d[2, 3] = np.nan
    batch = bayes_paired(d, mcid=1.0, higher_is_better=False, prior="sceptical",
                         credible_level=0.9)
    assert batch.is_batch and len(batch.to_frame()) == 40
    for i in (0, 2, 39):
        one = bayes_paired(d[i], mcid=1.0, higher_is_better=False, prior="sceptical",
                           credible_level=0.9)
        for field in ("estimate", "posterior_sd", "ci_low", "ci_high", "p_benefit",
                      "p_benefit_mcid", "p_within_mcid", "p_harm_mcid"):
            np.testing.assert_allclose(getattr(batch, field)[i], getattr(one, field),
                                       rtol=1e-12)
    assert batch.n_pairs[2] == 5 and batch.n_dropped[2] == 1


def test_prior_sensitivity_table():
    table = prior_sensitivity(D, mcid=1.0, higher_is_better=False)
    assert list(table["prior"]) == ["reference", "sceptical", "enthusiastic"]
    custom = prior_sensitivity(D, mcid=1.0, higher_is_better=False,
                               priors=["sceptical", CUSTOM])
    assert list(custom["prior"]) == ["sceptical", "custom"]
    row = bayes_paired(D, mcid=1.0, higher_is_better=False, prior=CUSTOM).to_frame()
    pd.testing.assert_frame_equal(custom.iloc[[1]].reset_index(drop=True), row)


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"mcid": 0.0}, ValueError, "mcid"),
    ({"higher_is_better": 1}, TypeError, "higher_is_better"),
    ({"prior": "flat"}, ValueError, "prior"),
    ({"prior": 3}, TypeError, "prior"),
    ({"credible_level": 1.5}, ValueError, "credible_level"),
])
def test_bayes_validates_arguments(kwargs, exc, match):
    args = {"mcid": 1.0, "higher_is_better": False} | kwargs
    with pytest.raises(exc, match=match):
        bayes_paired(D, **args)


def test_prior_and_input_validation():
    with pytest.raises(ValueError, match="k0"):
        NormalInverseGammaPrior(m0=0.0, k0=-0.1, a0=1.0, b0=1.0)
    with pytest.raises(ValueError, match="a0"):
        NormalInverseGammaPrior(m0=0.0, k0=1.0, a0=-0.6, b0=1.0)
    with pytest.raises(ValueError, match="at least two"):
        bayes_paired([1.0, np.nan], mcid=1.0, higher_is_better=False)
    with pytest.raises(ValueError, match="not all equal"):
        bayes_paired([1.0, 1.0, 1.0], mcid=1.0, higher_is_better=False)
    batch = bayes_paired([[1.0, np.nan, np.nan], [1.0, 2.0, 0.5]], mcid=1.0,
                         higher_is_better=False)
    assert np.isnan(batch.ci_low[0]) and np.isfinite(batch.ci_low[1])
    with pytest.raises(ValueError, match="no complete pair"):
        bayes_paired([np.nan, np.nan], mcid=1.0, higher_is_better=False)
    with pytest.raises(ValueError, match="finite"):
        bayes_paired([np.inf, 1.0], mcid=1.0, higher_is_better=False)
    with pytest.raises(ValueError, match="1-D"):
        prior_sensitivity(np.ones((2, 3)), mcid=1.0, higher_is_better=False)


def test_summary_states_probabilities_without_a_test():
    res = bayes_paired(D, mcid=1.0, higher_is_better=False)
    text = res.summary()
    assert "P(benefit)" in text and "No hypothesis test" in text and "pre-registered" in text


def test_reference_prior_interval_is_the_paired_t_interval():
    """Reference value: scipy.stats.ttest_1samp(...).confidence_interval() (independent code)."""
    from scipy import stats

    res = bayes_paired(D, mcid=1.0, higher_is_better=False, credible_level=0.9)
    ci = stats.ttest_1samp(D, 0.0).confidence_interval(0.9)
    assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-12)
    # P(delta < 0 | d) = P(T_{n-1} > t) = the one-sided p-value for 'greater'
    p_greater = stats.ttest_1samp(D, 0.0, alternative="greater").pvalue
    assert res.p_benefit == pytest.approx(p_greater, rel=1e-12)
