"""Bayesian analysis: closed forms and quadrature vs numerical integration and Gibbs sampling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special, stats

from nof1.analysis import (
    EffectPrior,
    NormalInverseGammaPrior,
    bayes_paired,
    make_prior,
    prior_sensitivity,
)
from nof1.analysis.bayes import posterior_benefit

D = np.array([-1.2, -0.4, -0.9, 0.1, -1.5, -0.7])          # pair differences A - B (pain)
CUSTOM = NormalInverseGammaPrior(m0=0.3, k0=1.5, a0=3.0, b0=2.0, name="custom")
CUSTOM_NORMAL = EffectPrior(m0=-0.4, scale=1.3, df=math.inf, name="custom normal")
CUSTOM_T = EffectPrior(m0=0.2, scale=0.5, df=4.0, name="custom t")
ALL_PRIORS = ["reference", "weakly_informative", "sceptical", "enthusiastic", CUSTOM,
              CUSTOM_NORMAL, CUSTOM_T]


def _log_effect_prior(delta, prior):
    """log density of the effect prior: Student t (scipy.stats.t) or normal."""
    if math.isinf(prior.df):
        return stats.norm.logpdf(delta, prior.m0, prior.scale)
    return stats.t.logpdf(delta, prior.df, prior.m0, prior.scale)


def _prior(prior, mcid=1.0, higher=False, version=2):
    if isinstance(prior, str):
        return make_prior(prior, mcid=mcid, higher_is_better=higher, version=version)
    return prior


def _log_joint(delta: float, log_s2: float, d: np.ndarray, prior: NormalInverseGammaPrior):
    """log p(d | delta, s2) + log p(delta | s2) + log p(s2) + log|ds2/dlog_s2|."""
    s2 = math.exp(log_s2)
    n = d.size
    loglik = -0.5 * n * math.log(2 * math.pi * s2) - ((d - delta) ** 2).sum() / (2 * s2)
    if prior.name == "reference":  # p(delta, s2) ∝ 1/s2, written directly (not as NIG)
        return loglik - log_s2 + log_s2
    if isinstance(prior, EffectPrior):  # t or normal effect prior x 1/s2, written directly
        return loglik + _log_effect_prior(delta, prior) - log_s2 + log_s2
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


@pytest.mark.parametrize(("prior", "version"),
                         [(p, v) for p in ALL_PRIORS for v in (1, 2)
                          if v == 2 or isinstance(p, str)])  # explicit priors have no version
def test_posterior_matches_two_dimensional_numerical_integration(prior, version):
    """Closed form (normal-inverse-gamma) or 1-D quadrature (normal effect prior) against
    adaptive 2-D quadrature over (delta, log sigma^2) of the joint density (scipy)."""
    pr = _prior(prior, version=version)
    res = bayes_paired(D, mcid=1.0, higher_is_better=False, prior=pr)
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


def _gibbs_effect_prior(d, prior, rng, n_chains=20_000, n_iter=80):
    """Gibbs chains for a t effect prior and p(s2) ∝ 1/s2, the t written as a normal with a
    Gamma(df/2, df/2) precision weight w: all three full conditionals are standard."""
    n = d.size
    s2 = np.full(n_chains, d.var(ddof=1))
    w = np.ones(n_chains)
    for _ in range(n_iter):
        prior_prec = w / prior.scale ** 2
        prec = prior_prec + n / s2
        mean = (prior.m0 * prior_prec + d.sum() / s2) / prec
        delta = mean + rng.standard_normal(n_chains) / np.sqrt(prec)
        rate = 0.5 * ((d[None, :] - delta[:, None]) ** 2).sum(axis=1)
        s2 = rate / rng.gamma(n / 2, size=n_chains)
        if math.isfinite(prior.df):
            w = rng.gamma((prior.df + 1) / 2, size=n_chains) / (
                0.5 * (prior.df + ((delta - prior.m0) / prior.scale) ** 2))
    return delta


@pytest.mark.parametrize("prior", ["sceptical", "enthusiastic", CUSTOM, CUSTOM_NORMAL,
                                   CUSTOM_T, "sceptical-v1"])
def test_posterior_matches_gibbs_sampling(prior):
    pr = (make_prior("sceptical", mcid=1.0, higher_is_better=False, version=1)
          if prior == "sceptical-v1" else _prior(prior))
    sampler = _gibbs_effect_prior if isinstance(pr, EffectPrior) else _gibbs
    draws = sampler(D, pr, np.random.default_rng(12345))
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
@pytest.mark.parametrize("prior", ALL_PRIORS)
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
        # version 2: effect ~ Cauchy(0, MCID/1.5) in outcome units, whatever sd_guess
        scep = make_prior("sceptical", mcid=mcid, higher_is_better=False, sd_guess=sd_guess)
        assert isinstance(scep, EffectPrior) and scep.df == 1.0           # Cauchy
        assert (scep.m0, scep.scale) == (0.0, pytest.approx(mcid / 1.5, rel=1e-15))
        enth = make_prior("enthusiastic", mcid=mcid, higher_is_better=True)
        assert (enth.m0, enth.scale, enth.df) == (mcid, scep.scale, 1.0)
        assert make_prior("enthusiastic", mcid=mcid, higher_is_better=False).m0 == -mcid
        # version 1 (legacy): at sigma = s0 the prior SD of delta is MCID / 1.5
        old = make_prior("sceptical", mcid=mcid, higher_is_better=False, sd_guess=sd_guess,
                         version=1)
        np.testing.assert_allclose(s0 / math.sqrt(old.k0), mcid / 1.5, rtol=1e-12)
        assert (old.a0, old.b0) == (0.5, pytest.approx(s0 ** 2 / 2, rel=1e-15))
        np.testing.assert_allclose(old.delta_scale, mcid / 1.5, rtol=1e-12)
        weak = make_prior("weakly_informative", mcid=mcid, higher_is_better=True,
                          sd_guess=sd_guess)
        np.testing.assert_allclose(weak.delta_scale, 10 * s0, rtol=1e-12)
        assert make_prior("weakly_informative", mcid=mcid, higher_is_better=True,
                          sd_guess=sd_guess, version=1) == weak
    # the legacy marginal prior of delta is the Cauchy(0, MCID / 1.5) of version 2
    # (2/pi atan(1.5) = 0.626 within ±MCID): sample it and compare
    rng = np.random.default_rng(1)
    s2 = old.b0 / rng.gamma(old.a0, size=200_000)
    delta = rng.normal(old.m0, np.sqrt(s2 / old.k0))
    frac = np.mean(np.abs(delta) < 0.5)
    expected = 2 / math.pi * math.atan(1.5)
    assert abs(frac - expected) < 4 * math.sqrt(expected * (1 - expected) / delta.size)
    with pytest.raises(ValueError, match="version"):
        make_prior("sceptical", mcid=1.0, higher_is_better=False, version=3)
    assert stats.cauchy.cdf(1.5) * 2 - 1 == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="scale"):
        EffectPrior(m0=0.0, scale=0.0)
    with pytest.raises(ValueError, match="df"):
        EffectPrior(m0=0.0, scale=1.0, df=0.5)


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


@pytest.mark.parametrize("prior", ["sceptical", CUSTOM])
def test_batch_matches_rowwise(prior):
    rng = np.random.default_rng(5)
    d = rng.normal(-0.5, 1.0, size=(40, 6)) * rng.uniform(0.05, 20, size=(40, 1))
    d[2, 3] = np.nan
    d[5, :] = -25.0 + 0.01 * np.arange(6)            # far from the prior: a wide grid
    batch = bayes_paired(d, mcid=1.0, higher_is_better=False, prior=prior,
                         credible_level=0.9)
    assert batch.is_batch and len(batch.to_frame()) == 40
    p_mcid, p_any, n = posterior_benefit(d, _prior(prior), mcid=1.0, higher_is_better=False)
    np.testing.assert_array_equal(p_mcid, batch.p_benefit_mcid)
    np.testing.assert_array_equal(p_any, batch.p_benefit)
    for i in (0, 2, 5, 39):
        one = bayes_paired(d[i], mcid=1.0, higher_is_better=False, prior=prior,
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
    assert table["prior_scale"].isna().tolist() == [True, False, False]
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
    # all equal: under the reference variance prior the posterior is its limit, a point mass
    point = bayes_paired([-1.5, -1.5, -1.5], mcid=1.0, higher_is_better=False,
                         prior="sceptical")
    assert (point.estimate, point.ci_low, point.ci_high, point.posterior_sd) == (
        -1.5, -1.5, -1.5, 0.0)
    assert (point.p_benefit, point.p_benefit_mcid, point.p_within_mcid) == (1.0, 1.0, 0.0)
    zero = bayes_paired([0.0, 0.0], mcid=1.0, higher_is_better=False, prior="sceptical")
    assert (zero.p_benefit, zero.p_within_mcid) == (0.5, 1.0)     # a tie counts one half
    # ... and it is the limit: nearly equal differences give nearly the same answer
    near = bayes_paired([-1.5, -1.5 + 1e-6, -1.5 - 1e-6], mcid=1.0, higher_is_better=False,
                        prior="sceptical")
    assert near.estimate == pytest.approx(-1.5, abs=1e-5) and near.p_benefit_mcid > 1 - 1e-9
    legacy = make_prior("sceptical", mcid=1.0, higher_is_better=False, version=1)
    assert np.isfinite(bayes_paired([0.5, 0.5], mcid=1.0, higher_is_better=False,
                                    prior=legacy).estimate)


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


# the normal effect prior's quadrature against 1-D adaptive quadrature over delta ----------
def _quad_over_delta(d, prior, mcid, level=0.95):
    """Posterior summaries from p(delta | d) ∝ prior(delta) [S + n (d̄ - delta)^2]^(-n/2),
    integrated over delta with scipy.integrate.quad; quantiles by scipy.optimize.brentq."""
    d = np.asarray(d, dtype=float)
    n, dbar = d.size, d.mean()
    ss = ((d - dbar) ** 2).sum()
    m0, sd = prior.m0, prior.scale
    se = math.sqrt(ss / (n * (n - 1)))

    def logk(x):
        return _log_effect_prior(x, prior) - n / 2 * np.log(ss + n * (dbar - x) ** 2)

    grid = np.concatenate([np.linspace(m0 - 12 * sd, m0 + 12 * sd, 5001),
                           np.linspace(dbar - 60 * se, dbar + 60 * se, 5001)])
    top = float(np.max(logk(grid)))
    breaks = sorted({m0, dbar, -mcid, 0.0, mcid} | {c + k * w for c, w in ((m0, sd), (dbar, se))
                                                     for k in (-10, -1, 1, 10)})

    def quad(f, u, v):
        return integrate.quad(f, u, v, limit=500, epsabs=0, epsrel=1e-11)[0]

    def dens(x):
        return math.exp(float(logk(x)) - top)

    edges = [-math.inf] + breaks + [math.inf]
    pieces = [quad(dens, u, v) for u, v in zip(edges[:-1], edges[1:], strict=True)]
    upto = np.concatenate([[0.0], np.cumsum(pieces)])     # mass below each edge
    z = upto[-1]

    def cdf(q):
        i = int(np.searchsorted(breaks, q))                 # breaks[i-1] <= q < breaks[i]
        return (upto[i] + (quad(dens, breaks[i - 1], q) if i else quad(dens, -math.inf, q))) / z

    mean = sum(quad(lambda x: x * dens(x), u, v)
               for u, v in zip(edges[:-1], edges[1:], strict=True)) / z
    return {"mean": mean, "p_lt0": cdf(0.0), "p_le": cdf(-mcid), "p_ge": 1 - cdf(mcid),
            "ci": [optimize.brentq(lambda q, p=p: cdf(q) - p, breaks[0], breaks[-1],
                                   xtol=1e-13)
                   for p in ((1 - level) / 2, (1 + level) / 2)]}


#: data sets that stress the quadrature: 2 to 40 pairs, noise from 0.1 to 8 MCIDs, data
#: near the prior and far from it (prior and likelihood in conflict), near-equal differences
_rng = np.random.default_rng(2024)
STRESS = ([_rng.normal(mu, sig, n) for n, sig, mu in
           [(2, 1.0, -2.0), (2, 0.1, 0.1), (3, 4.0, -0.5), (3, 0.1, -5.0), (3, 0.25, 3.0),
            (4, 8.0, 1.0), (6, 1.0, -1.0), (6, 0.5, -20.0), (12, 0.1, -0.5), (20, 8.0, -0.3),
            (40, 0.25, 3.0), (40, 2.0, -1.0)]]
          + [np.array([1e-3, 2e-3, 1.5e-3])])


@pytest.mark.parametrize("prior", ["sceptical", "enthusiastic", CUSTOM_NORMAL, CUSTOM_T])
@pytest.mark.parametrize("case", range(len(STRESS)))
def test_normal_effect_quadrature_matches_adaptive_quadrature_over_delta(prior, case):
    # tolerance: 1e-8 absolute on probabilities, 1e-7 (relative to the posterior SD) on the
    # mean and the interval ends; the trapezoidal rule's error is below 1e-8 on these cases
    d = STRESS[case]
    pr = _prior(prior)
    res = bayes_paired(d, mcid=1.0, higher_is_better=False, prior=pr)
    ref = _quad_over_delta(d, pr, 1.0)
    assert res.p_benefit == pytest.approx(ref["p_lt0"], abs=1e-8)
    assert res.p_benefit_mcid == pytest.approx(ref["p_le"], abs=1e-8)
    assert res.p_harm_mcid == pytest.approx(ref["p_ge"], abs=1e-8)
    scale = res.posterior_sd
    assert abs(res.estimate - ref["mean"]) <= 1e-7 * scale
    assert abs(res.ci_low - ref["ci"][0]) <= 1e-7 * scale
    assert abs(res.ci_high - ref["ci"][1]) <= 1e-7 * scale


# -- the decision-only quadrature (benefit_verdicts) ---------------------------------------
def _sweep(seed, rows):
    """Summaries (n, d̄, S) over 3-80 pairs: half of the rows with data SD 0.01-50 and
    mean effects 0.02-20 MCID, half with SD 1e-3 to 1e7 and mean effects up to 1e6 MCID,
    in either direction: priors far narrower and far wider than the data, and conflicts."""
    rng = np.random.default_rng(seed)
    n = rng.integers(3, 81, rows)
    wide = np.arange(rows) % 2 == 1
    sd = np.exp(np.where(wide, rng.uniform(math.log(1e-3), math.log(1e7), rows),
                         rng.uniform(math.log(0.01), math.log(50.0), rows)))
    dbar = rng.normal(0.0, 1.0, rows) * np.exp(np.where(wide, rng.uniform(-5.0, 14.0, rows),
                                                        rng.uniform(-4.0, 3.0, rows)))
    ss = sd ** 2 * rng.chisquare(n - 1)
    return n, dbar, ss


@pytest.mark.parametrize("m0", [0.0, -1.0, 1.0])
def test_fast_cauchy_quadrature_matches_the_full_panel_quadrature(m0):
    # FAST_MARGIN (1e-3) is what the fast path's error must stay far below: it is checked
    # here at 1e-5 (observed maximum about 7e-7) on the rows the fast path covers, over
    # 6,000 extreme rows per prior centre (uncovered rows, whose prior factor is too narrow
    # in theta, go to the full quadrature)
    from nof1.analysis.bayes import FAST_MARGIN, _cauchy_cdfs, _PanelPosterior

    n, dbar, ss = _sweep(11 + int(m0), 6000)
    pr = EffectPrior(m0, 2 / 3)
    cuts = (-1.0, 0.0, 1.0)
    fast, covered = _cauchy_cdfs(n, dbar, ss, pr.m0, pr.scale, cuts)
    full = _PanelPosterior(n, dbar, ss, pr, cuts)
    assert covered.sum() > 2500     # (a power grid's rows are nearly all covered:
    #                                 tests/test_decision.py)
    for c, p in zip(cuts, fast, strict=True):
        err = np.abs(p - full.cdf(c))[covered]
        assert err.max() < 1e-5 <= FAST_MARGIN / 100, (c, err.max())


def test_fast_cauchy_quadrature_matches_adaptive_quadrature_over_delta():
    from nof1.analysis.bayes import _cauchy_cdfs, _summaries

    checked = 0
    for prior in ("sceptical", "enthusiastic"):
        pr = _prior(prior)
        for d in STRESS:
            if d.size < 3:
                continue
            _, n, dbar, ss = _summaries(d[None])
            (p_le, p_lt0, p_lt1), covered = _cauchy_cdfs(n, dbar, ss, pr.m0, pr.scale,
                                                         (-1.0, 0.0, 1.0))
            if not covered[0]:              # strong conflicts: the full quadrature's job
                continue
            ref = _quad_over_delta(d, pr, 1.0)
            assert p_le[0] == pytest.approx(ref["p_le"], abs=1e-5)
            assert p_lt0[0] == pytest.approx(ref["p_lt0"], abs=1e-5)
            assert 1 - p_lt1[0] == pytest.approx(ref["p_ge"], abs=1e-5)
            checked += 1
    assert checked >= 12


@pytest.mark.parametrize("prior", ALL_PRIORS)
def test_credible_interval_alone_is_bayes_paired_interval(prior):
    from nof1.analysis.bayes import credible_interval

    rng = np.random.default_rng(4)
    d = rng.normal(-0.8, 1.1, size=(300, 5))
    d[0, 1:] = np.nan                       # one pair: improper, NaN
    d[1] = 0.7                              # all equal
    d[2, 3] = np.nan                        # another df (the t quantile per distinct df)
    res = bayes_paired(d, mcid=1.0, higher_is_better=False, prior=_prior(prior),
                       credible_level=0.9)
    low, high = credible_interval(d, mcid=1.0, higher_is_better=False, prior=_prior(prior),
                                  credible_level=0.9)
    np.testing.assert_array_equal(low, res.ci_low)
    np.testing.assert_array_equal(high, res.ci_high)
    one = bayes_paired(d[2, [0, 1, 2, 4]], mcid=1.0, higher_is_better=False,
                       prior=_prior(prior), credible_level=0.9)
    # (the panel quadrature's Newton steps run over the whole batch: equal to rounding)
    assert low[2] == pytest.approx(one.ci_low, rel=1e-13)
    assert high[2] == pytest.approx(one.ci_high, rel=1e-13)


@pytest.mark.parametrize("higher", [False, True])
@pytest.mark.parametrize("d", [D, D[:2], np.array([0.4, 0.4, 0.4]),
                               np.array([-2.0, np.nan, -1.1, -0.3, 5.0])])
def test_prior_sensitivity_rows_are_each_priors_own_analysis_bit_for_bit(d, higher):
    # effect priors that differ only in their centre are computed together (one panel
    # quadrature, one row per prior); every row must still be exactly bayes_paired's
    near = EffectPrior(m0=0.5, scale=2 / 3, name="near")
    other_df = EffectPrior(m0=0.1, scale=2 / 3, df=4.0, name="other df")
    priors = ["reference", "sceptical", near, CUSTOM, "enthusiastic", other_df, CUSTOM_NORMAL]
    if np.isnan(d).sum() == 0 and np.ptp(d) == 0:
        priors = priors[1:]                 # the reference prior is improper here
    table = prior_sensitivity(d, mcid=1.0, higher_is_better=higher, priors=priors,
                              credible_level=0.9)
    rows = pd.concat([bayes_paired(d, mcid=1.0, higher_is_better=higher, prior=p,
                                   credible_level=0.9).to_frame() for p in priors],
                     ignore_index=True)
    pd.testing.assert_frame_equal(table, rows, check_exact=True)


def test_prior_sensitivity_raises_what_the_first_failing_prior_raises():
    with pytest.raises(ValueError, match="reference prior needs at least two"):
        prior_sensitivity([0.4, 0.4, 0.4], mcid=1.0, higher_is_better=False)
    with pytest.raises(ValueError, match="sceptical prior needs at least two"):
        prior_sensitivity([0.4], mcid=1.0, higher_is_better=False,
                          priors=["sceptical", "reference"])
    with pytest.raises(TypeError, match="prior"):
        prior_sensitivity(D, mcid=1.0, higher_is_better=False, priors=["sceptical", 3])
