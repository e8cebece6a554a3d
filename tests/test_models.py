"""Day-level GLS with AR(1) errors, cross-checked with statsmodels; naive Welch t vs scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import linalg, stats
from scipy.signal import lfilter
from statsmodels.tsa.arima.model import ARIMA

from nof1.analysis import gls_ar1, naive_day_ttest
from nof1.analysis._period_effects import PeriodModel
from nof1.analysis.models import _neg_profile_loglik

LABELS = np.repeat([0, 1, 1, 0, 0, 1, 1, 0], 14)          # A B B A A B B A, 14 days each
BLOCKS = np.repeat([1, 2, 3, 4], 28)


def _ar1(n: int, rho: float, rng: np.random.Generator, sd: float = 1.0) -> np.ndarray:
    """Stationary AR(1) series with marginal SD ``sd``."""
    u = rng.normal(0, sd * np.sqrt(1 - rho ** 2), size=n)
    u[0] = rng.normal(0, sd)
    return lfilter([1.0], [1.0, -rho], u)


def _trial(seed: int, rho: float = 0.5, effect: float = -0.7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 3.0 + effect * (LABELS == 0) + _ar1(LABELS.size, rho, rng)


def _design(labels=LABELS, blocks=BLOCKS, time=None):
    cols = [np.ones(labels.size), (labels == 0).astype(float)]
    cols += [(blocks == b).astype(float) for b in np.unique(blocks)[1:]]
    if time is not None:
        cols.append(time - time.mean())
    return np.column_stack(cols)


# (a) rho fixed at 0 is ordinary least squares ----------------------------------
@pytest.mark.parametrize("trend", [False, True])
def test_rho_zero_equals_statsmodels_ols(trend):
    y = _trial(1)
    t = np.arange(y.size, dtype=float)
    res = gls_ar1(y, LABELS, blocks=BLOCKS, trend=trend, rho=0.0)
    # reference: statsmodels.api.OLS(y, [1, A, block dummies (, trend)]).fit()
    ols = sm.OLS(y, _design(time=t if trend else None)).fit()
    np.testing.assert_allclose(res.estimate, ols.params[1], rtol=1e-10)
    np.testing.assert_allclose(res.se, ols.bse[1], rtol=1e-10)
    np.testing.assert_allclose(res.pvalue, ols.pvalues[1], rtol=1e-9)
    np.testing.assert_allclose([res.ci_low, res.ci_high], ols.conf_int()[1], rtol=1e-10)
    assert res.df == ols.df_resid and res.estimation == "fixed" and res.rho == 0.0


# (b) ML estimate agrees with the exact MLE of statsmodels ARIMA ------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ml_matches_statsmodels_arima_exact_mle(seed):
    y = _trial(seed)
    res = gls_ar1(y, LABELS, blocks=BLOCKS, estimation="ml")
    x = _design()[:, 1:]                       # ARIMA adds the constant (trend="c")
    # reference: ARIMA(y, exog=x, order=(1, 0, 0), trend="c").fit() — regression with
    # stationary AR(1) errors by exact (Kalman filter) maximum likelihood. It is the same
    # model and likelihood, so beta and rho agree up to the two optimizers' tolerances
    # (ARIMA's L-BFGS stops at about 1e-5 relative), hence atol 2e-4, not 1e-9.
    arima = ARIMA(y, exog=x, order=(1, 0, 0), trend="c").fit()
    np.testing.assert_allclose(res.estimate, arima.params[1], atol=2e-4)
    np.testing.assert_allclose(res.rho, arima.params[-2], atol=2e-4)
    # The standard errors differ by design when rho is estimated (ARIMA's joint Hessian
    # includes the uncertainty in rho, ours is conditional on rho). With rho fixed at our
    # estimate, ARIMA's observed-information SE equals the GLS SE up to the ML/REML
    # scale factor sqrt(n / (n - p)).
    model = ARIMA(y, exog=x, order=(1, 0, 0), trend="c")
    with model.fix_params({"ar.L1": res.rho}):
        fixed = model.fit(cov_type="oim")
    n, p = y.size, x.shape[1] + 1
    np.testing.assert_allclose(fixed.bse[1] * np.sqrt(n / (n - p)), res.se, rtol=1e-4)
    np.testing.assert_allclose(fixed.params[1], res.estimate, atol=2e-4)


def test_ml_close_to_statsmodels_glsar_iterative_fit():
    # GLSAR(rho=1).iterative_fit is Cochrane-Orcutt-like: it drops the first day and
    # estimates rho by regressing residuals on their lag, so it is not the exact MLE;
    # with 112 days it agrees to a few hundredths (chosen tolerance 0.05).
    y = _trial(1)
    res = gls_ar1(y, LABELS, blocks=BLOCKS, estimation="ml")
    glsar = sm.GLSAR(y, _design(), rho=1).iterative_fit(maxiter=100)
    assert abs(glsar.params[1] - res.estimate) < 0.05
    assert abs(glsar.model.rho[0] - res.rho) < 0.05


# the likelihood on the actual time index ---------------------------------------
@pytest.mark.parametrize("rho", [-0.6, -0.2, 0.0, 0.35, 0.8])
@pytest.mark.parametrize("reml", [False, True])
def test_profile_likelihood_equals_dense_computation_with_gaps(rho, reml):
    rng = np.random.default_rng(4)
    t = np.sort(rng.choice(200, size=60, replace=False)).astype(float)   # irregular days
    x = np.column_stack([np.ones(60), rng.integers(0, 2, 60)])
    y = rng.normal(size=60)
    # dense reference: R[i, j] = rho**|t_i - t_j|, GLS by Cholesky, profile log-likelihood
    r = rho ** np.abs(t[:, None] - t[None, :])
    chol = np.linalg.cholesky(r)
    yw, xw = np.linalg.solve(chol, y), np.linalg.solve(chol, x)
    beta = np.linalg.lstsq(xw, yw, rcond=None)[0]
    rss = ((yw - xw @ beta) ** 2).sum()
    logdet = 2 * np.log(np.diag(chol)).sum()
    n, p = x.shape
    if reml:
        expected = 0.5 * ((n - p) * np.log(rss) + logdet + np.linalg.slogdet(xw.T @ xw)[1])
    else:
        expected = 0.5 * (n * np.log(rss) + logdet)
    got = _neg_profile_loglik(rho, np.diff(t), np.column_stack([y, x]), reml)
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_missing_days_equal_dropping_them_with_their_day_index():
    y = _trial(5)
    y_missing = y.copy()
    gone = [3, 4, 20, 50, 51, 52, 90]
    y_missing[gone] = np.nan
    keep = np.setdiff1d(np.arange(y.size), gone)
    res_nan = gls_ar1(y_missing, LABELS, blocks=BLOCKS)
    res_drop = gls_ar1(y[keep], LABELS[keep], blocks=BLOCKS[keep], time=keep)
    assert res_nan.n_dropped == 7 and res_nan.n_obs == y.size - 7
    np.testing.assert_allclose([res_nan.estimate, res_nan.se, res_nan.rho],
                               [res_drop.estimate, res_drop.se, res_drop.rho], rtol=1e-9)
    # the compressed series (no time index) is a different, wrong model
    res_compressed = gls_ar1(y[keep], LABELS[keep], blocks=BLOCKS[keep])
    assert abs(res_compressed.rho - res_drop.rho) > 1e-3


def test_fixed_rho_equals_statsmodels_gls_with_that_sigma():
    y = _trial(6)
    keep = np.flatnonzero(np.tile(np.arange(14) >= 5, 8))      # 5 wash-out days per period
    res = gls_ar1(y[keep], LABELS[keep], time=keep, blocks=BLOCKS[keep], rho=0.4)
    sigma = 0.4 ** np.abs(keep[:, None] - keep[None, :])
    ref = sm.GLS(y[keep], _design(LABELS[keep], BLOCKS[keep]), sigma=sigma).fit()
    np.testing.assert_allclose([res.estimate, res.se], [ref.params[1], ref.bse[1]], rtol=1e-10)


# (c) the estimated rho is near the truth on a long series ------------------------
@pytest.mark.parametrize("estimation", ["reml", "ml"])
@pytest.mark.parametrize("true_rho", [-0.4, 0.3, 0.7])
def test_rho_recovered_on_long_series(estimation, true_rho):
    rng = np.random.default_rng(21)
    n = 1500
    labels = np.repeat(np.tile([0, 1], n // 28 + 1), 14)[:n]
    y = 0.5 * (labels == 0) + _ar1(n, true_rho, rng)
    res = gls_ar1(y, labels, estimation=estimation)
    # SE of rho-hat is about sqrt((1 - rho^2) / n) <= 0.024; tolerance 0.075 is > 3 SE
    assert abs(res.rho - true_rho) < 0.075
    assert abs(res.estimate - 0.5) < 4 * res.se


def test_rho_recovered_with_missing_days_only_on_the_real_time_index():
    rng = np.random.default_rng(8)
    n = 1500
    labels = np.repeat(np.tile([0, 1], n // 28 + 1), 14)[:n]
    y = _ar1(n, 0.7, rng)
    keep = np.sort(rng.choice(n, size=n // 2, replace=False))      # half the days missing
    # Over 20 seeds (measured): time-aware rho-hat 0.703 (SD 0.022); the compressed series,
    # which treats every gap as one day, gives 0.54 (SD 0.029). Bounds are > 3 SDs away.
    res = gls_ar1(y[keep], labels[keep], time=keep)
    assert abs(res.rho - 0.7) < 0.075
    compressed = gls_ar1(y[keep], labels[keep])
    assert compressed.rho < 0.63


def test_gls_one_sided_and_validation():
    y = _trial(2, effect=-1.0)
    two = gls_ar1(y, LABELS, blocks=BLOCKS)
    less = gls_ar1(y, LABELS, blocks=BLOCKS, alternative="less")
    np.testing.assert_allclose(less.pvalue, two.pvalue / 2, rtol=1e-10)
    assert less.ci_low == -np.inf and less.ci_high > two.estimate
    letters = np.where(LABELS == 0, "A", "B")
    np.testing.assert_allclose(gls_ar1(y, letters, blocks=BLOCKS).estimate, two.estimate,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="labels"):
        gls_ar1(y, LABELS + 1)
    with pytest.raises(ValueError, match="integer-valued"):
        gls_ar1(y, LABELS, time=np.arange(y.size) + 0.5)
    with pytest.raises(ValueError, match="repeat"):
        gls_ar1(y, LABELS, time=np.zeros(y.size))
    with pytest.raises(ValueError, match="both conditions"):
        gls_ar1(y, np.zeros(y.size, dtype=int))
    with pytest.raises(ValueError, match="rank-deficient"):
        gls_ar1(y, LABELS, blocks=np.repeat(np.arange(8), 14))      # block = period
    with pytest.raises(ValueError, match="rho"):
        gls_ar1(y, LABELS, rho=1.0)
    with pytest.raises(ValueError, match="estimation"):
        gls_ar1(y, LABELS, estimation="bayes")


def test_gls_result_frame_and_summary():
    res = gls_ar1(_trial(3), LABELS, blocks=BLOCKS, trend=True)
    frame = res.to_frame()
    assert len(frame) == 1 and frame.loc[0, "n_blocks"] == 4 and bool(frame.loc[0, "trend"])
    text = res.summary()
    assert "H0:" in text and "H1:" in text and "rho" in text


# naive day-level Welch t-test -------------------------------------------------------
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_naive_matches_scipy_welch(alternative):
    y = _trial(9)
    y[[5, 40]] = np.nan
    res = naive_day_ttest(y, LABELS, alternative=alternative, confidence_level=0.9)
    a, b = y[LABELS == 0], y[LABELS == 1]
    # reference: scipy.stats.ttest_ind(a, b, equal_var=False, nan_policy="omit")
    ref = stats.ttest_ind(a[~np.isnan(a)], b[~np.isnan(b)], equal_var=False,
                          alternative=alternative)
    ci = ref.confidence_interval(0.9)
    np.testing.assert_allclose([res.statistic, res.pvalue, res.df],
                               [ref.statistic, ref.pvalue, ref.df], rtol=1e-10)
    np.testing.assert_allclose([res.ci_low, res.ci_high], [ci.low, ci.high], rtol=1e-10)
    assert (res.n_a, res.n_b) == (55, 55)


def test_naive_batch_with_shared_and_per_row_labels():
    rng = np.random.default_rng(10)
    y = rng.normal(size=(20, LABELS.size))
    shared = naive_day_ttest(y, LABELS)
    per_row = np.array([rng.permutation(LABELS) for _ in range(20)])
    own = naive_day_ttest(y, per_row)
    for i in (0, 19):
        ref = stats.ttest_ind(y[i][LABELS == 0], y[i][LABELS == 1], equal_var=False)
        np.testing.assert_allclose(shared.pvalue[i], ref.pvalue, rtol=1e-10)
        ref = stats.ttest_ind(y[i][per_row[i] == 0], y[i][per_row[i] == 1], equal_var=False)
        np.testing.assert_allclose(own.pvalue[i], ref.pvalue, rtol=1e-10)
    assert len(own.to_frame()) == 20
    with pytest.raises(ValueError, match="shape"):
        naive_day_ttest(y[0], per_row)


def test_naive_is_labelled_anti_conservative():
    res = naive_day_ttest(_trial(1), LABELS)
    assert "ANTI-CONSERVATIVE" in res.method
    assert "ANTI-CONSERVATIVE" in res.to_frame().loc[0, "method"]
    assert "not" in res.summary() and "H0:" in res.summary()
    with pytest.raises(ValueError, match="at least 2"):
        naive_day_ttest([1.0, 2.0, 3.0], [0, 1, 1])


# random period intercepts ------------------------------------------------------------
PERIODS = np.repeat(np.arange(8), 14)


def _period_trial(seed: int, rho: float = 0.4, period_sd: float = 0.6,
                  effect: float = -0.7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    drift = np.repeat(rng.normal(0, period_sd, size=8), 14)
    return 3.0 + effect * (LABELS == 0) + drift + _ar1(LABELS.size, rho, rng)


def _period_model(y, labels, blocks, periods, time, trend=False):
    x = _design(labels, blocks, time if trend else None)
    z = (periods[:, None] == np.unique(periods)[None, :]).astype(float)
    return PeriodModel(y, x, z, time.astype(float)), x, z


def _covariance(time, z, rho, lam):
    return rho ** np.abs(time[:, None] - time[None, :]) + lam * z @ z.T


@pytest.mark.parametrize(("rho", "lam"), [(0.0, 0.0), (0.5, 0.0), (-0.4, 0.3), (0.3, 0.05),
                                          (0.8, 2.0), (0.6, 500.0)])
@pytest.mark.parametrize("reml", [False, True])
def test_period_likelihood_equals_dense_multivariate_normal(rho, lam, reml):
    rng = np.random.default_rng(11)
    keep = np.sort(rng.choice(LABELS.size, size=90, replace=False))    # irregular days
    y = _period_trial(12)[keep]
    model, x, z = _period_model(y, LABELS[keep], BLOCKS[keep], PERIODS[keep], keep)
    # dense reference: V = R(rho) + lam Z Z^T (n x n), beta by dense GLS, then
    # scipy.stats.multivariate_normal.logpdf with the full covariance
    v = _covariance(keep, z, rho, lam)
    vinv = np.linalg.inv(v)
    beta = np.linalg.solve(x.T @ vinv @ x, x.T @ vinv @ y)
    n, p = x.shape
    if reml:
        # density of the error contrasts K^T y, K an orthonormal basis of null(X^T)
        k = linalg.null_space(x.T)
        kv = k.T @ v @ k
        q = k.T @ y
        s2 = q @ np.linalg.solve(kv, q) / (n - p)
        expected = stats.multivariate_normal(np.zeros(n - p), s2 * kv).logpdf(q)
    else:
        r = y - x @ beta
        s2 = r @ vinv @ r / n
        expected = stats.multivariate_normal(x @ beta, s2 * v).logpdf(y)
    np.testing.assert_allclose(model.loglik(rho, lam, reml), expected, rtol=1e-9)


@pytest.mark.parametrize("reml", [False, True])
def test_period_likelihood_at_lam_zero_is_the_ar1_likelihood(reml):
    y = _period_trial(13)
    t = np.arange(y.size, dtype=float)
    model, x, _ = _period_model(y, LABELS, BLOCKS, PERIODS, t)
    n, p = x.shape
    k = n - p if reml else n
    for rho in (-0.3, 0.0, 0.45, 0.9):
        old = _neg_profile_loglik(rho, np.diff(t), np.column_stack([y, x]), reml)
        # the AR(1)-only objective omits the constants k/2 (log(2 pi / k) + 1) and,
        # for REML, log|X^T X| / 2
        const = -0.5 * k * (np.log(2 * np.pi / k) + 1)
        if reml:
            const += 0.5 * np.linalg.slogdet(x.T @ x)[1]
        np.testing.assert_allclose(model.loglik(rho, 0.0, reml), const - old, rtol=1e-12)


def test_variance_ratio_zero_reproduces_the_ar1_only_fit():
    y = _period_trial(14, period_sd=0.0)
    base = gls_ar1(y, LABELS, blocks=BLOCKS, rho=0.35)
    zero = gls_ar1(y, LABELS, blocks=BLOCKS, rho=0.35, periods=PERIODS, variance_ratio=0.0)
    np.testing.assert_allclose([zero.estimate, zero.se, zero.sigma],
                               [base.estimate, base.se, base.sigma], rtol=1e-10)
    assert zero.period_sd == 0.0 and zero.estimation == "fixed"
    # only the reference distribution changes: between-period df = 4 pairs - 1
    assert zero.df == 3 and base.df == y.size - 5
    np.testing.assert_allclose(zero.pvalue, 2 * stats.t.sf(abs(zero.statistic), 3), rtol=1e-12)
    # with rho estimated too the two optimizers (L-BFGS-B over (rho, lam) with lam fixed,
    # bounded Brent over rho) agree to their tolerances
    base = gls_ar1(y, LABELS, blocks=BLOCKS)
    zero = gls_ar1(y, LABELS, blocks=BLOCKS, periods=PERIODS, variance_ratio=0.0)
    np.testing.assert_allclose([zero.rho, zero.estimate, zero.se],
                               [base.rho, base.estimate, base.se], rtol=1e-5)


@pytest.mark.parametrize(("rho", "lam"), [(0.4, 0.3), (None, None)])
def test_period_fit_equals_statsmodels_gls_with_the_full_covariance(rho, lam):
    rng = np.random.default_rng(15)
    keep = np.sort(rng.choice(LABELS.size, size=95, replace=False))
    y = _period_trial(15)[keep]
    res = gls_ar1(y, LABELS[keep], time=keep, blocks=BLOCKS[keep], periods=PERIODS[keep],
                  rho=rho, variance_ratio=lam)
    _, x, z = _period_model(y, LABELS[keep], BLOCKS[keep], PERIODS[keep], keep)
    # reference: statsmodels.api.GLS(y, X, sigma=R(rho) + lam Z Z^T).fit() at our (rho, lam)
    ref = sm.GLS(y, x, sigma=_covariance(keep, z, res.rho, res.variance_ratio)).fit()
    np.testing.assert_allclose([res.estimate, res.se, res.sigma ** 2],
                               [ref.params[1], ref.bse[1], ref.scale], rtol=1e-9)
    np.testing.assert_allclose(res.period_sd, np.sqrt(res.variance_ratio * ref.scale),
                               rtol=1e-12)
    model, *_ = _period_model(y, LABELS[keep], BLOCKS[keep], PERIODS[keep], keep)
    beta, cov, scale = model.gls(res.rho, res.variance_ratio)
    np.testing.assert_allclose(beta, ref.params, rtol=1e-9)
    np.testing.assert_allclose(scale * cov, ref.cov_params(), rtol=1e-9)


@pytest.mark.parametrize("seed", [1, 3, 6])
@pytest.mark.parametrize("reml", [True, False])
def test_rho_zero_is_the_random_intercept_model_of_statsmodels_mixedlm(seed, reml):
    # Unbalanced days (30 of 140 missing), so that beta depends on the variance component.
    labels = np.repeat([0, 1, 1, 0, 0, 1, 1, 0, 1, 0], 14)
    blocks, periods = np.repeat(np.arange(1, 6), 28), np.repeat(np.arange(10), 14)
    keep = np.sort(np.random.default_rng(7).choice(140, size=110, replace=False))
    rng = np.random.default_rng(seed)
    y = 3 - 0.7 * (labels == 0) + np.repeat(rng.normal(0, 0.6, 10), 14) + rng.normal(size=140)
    y, labels, blocks, periods = y[keep], labels[keep], blocks[keep], periods[keep]
    res = gls_ar1(y, labels, time=keep, blocks=blocks, periods=periods, rho=0.0,
                  estimation="reml" if reml else "ml")
    # reference: statsmodels 0.15 MixedLM, smf.mixedlm("y ~ treat + C(block)", data,
    # groups=data["period"]).fit(reml=..., method="powell") -- a random intercept per period,
    # independent days (Powell: its default BFGS stops short of the ML optimum at seeds 1, 6)
    data = pd.DataFrame({"y": y, "treat": (labels == 0).astype(float), "block": blocks,
                         "period": periods})
    mixed = smf.mixedlm("y ~ treat + C(block)", data, groups=data["period"]).fit(reml=reml,
                                                                          method="powell")
    lam_ref = float(mixed.cov_re.iloc[0, 0]) / mixed.scale
    # (1) the same likelihood, exactly: ours at MixedLM's variance ratio equals its llf
    # (its REML log-likelihood omits the constant log|X^T X| / 2 of Harville's form)
    model, x, _ = _period_model(y, labels, blocks, periods, keep)
    const = 0.5 * np.linalg.slogdet(x.T @ x)[1] if reml else 0.0
    np.testing.assert_allclose(model.loglik(0.0, lam_ref, reml), mixed.llf + const, rtol=1e-10)
    assert model.loglik(0.0, res.variance_ratio, reml) >= mixed.llf + const - 1e-9
    # (2) the same estimates up to MixedLM's optimizer tolerance: it stops with the
    # variance ratio about 1e-4 (relative) from the maximum, which moves beta and its SE
    # by about as much; rtol 2e-3 leaves a margin of 10.
    np.testing.assert_allclose(res.variance_ratio, lam_ref, rtol=2e-3)
    np.testing.assert_allclose(res.estimate, mixed.params["treat"], rtol=2e-3)
    if reml:     # REML scale r'V^-1 r / (n - p) is MixedLM's; ML divides by n instead
        np.testing.assert_allclose([res.se, res.period_sd ** 2, res.sigma ** 2],
                                   [mixed.bse["treat"], mixed.cov_re.iloc[0, 0], mixed.scale],
                                   rtol=2e-3)


@pytest.mark.parametrize("seed", [21, 22, 23, 24])
@pytest.mark.parametrize("reml", [True, False])
def test_estimates_attain_the_maximum_over_a_fine_grid(seed, reml):
    # period SD 0.3 with 7 analysed days per period: the REML variance ratio is 0 in
    # about a third of such trials, so the boundary is exercised too
    keep = np.flatnonzero(np.tile(np.arange(14) >= 7, 8))
    y = _period_trial(seed, rho=0.5, period_sd=0.3)[keep]
    res = gls_ar1(y, LABELS[keep], time=keep, blocks=BLOCKS[keep], periods=PERIODS[keep],
                  estimation="reml" if reml else "ml")
    model, *_ = _period_model(y, LABELS[keep], BLOCKS[keep], PERIODS[keep], keep)
    best = model.loglik(res.rho, res.variance_ratio, reml)
    rhos = np.linspace(-0.95, 0.99, 98)
    lams = np.concatenate([[0.0], np.geomspace(1e-4, 1e3, 71)])
    grid = max(model.loglik(r, lm, reml) for r in rhos for lm in lams)
    assert best >= grid - 1e-9
    # and no direction within the box improves it (first-order optimality, bounds aware)
    h = 1e-5
    for dr, dl in ((h, 0), (-h, 0), (0, h), (0, -h)):
        r, lm = res.rho + dr, res.variance_ratio + dl
        if abs(r) <= 0.99 and lm >= 0:
            assert model.loglik(r, lm, reml) <= best + 1e-9


def test_boundary_variance_ratio_zero_is_reached_exactly():
    hits = 0
    keep = np.flatnonzero(np.tile(np.arange(14) >= 7, 8))
    for seed in range(30, 40):
        y = _period_trial(seed, rho=0.3, period_sd=0.0)[keep]
        res = gls_ar1(y, LABELS[keep], time=keep, blocks=BLOCKS[keep], periods=PERIODS[keep])
        model, *_ = _period_model(y, LABELS[keep], BLOCKS[keep], PERIODS[keep], keep)
        # the restricted likelihood decreases into the interior from lam = 0 exactly when
        # the estimate is 0 (checked by a one-sided difference)
        slope = model.loglik(res.rho, 1e-6, True) - model.loglik(res.rho, 0.0, True)
        if res.variance_ratio == 0.0:
            hits += 1
            assert slope < 0 and res.period_sd == 0.0
        else:
            assert res.variance_ratio > 1e-6
    # without drift the estimate sits on the boundary in about half the trials
    assert hits >= 2


def test_between_period_degrees_of_freedom():
    # containment df: the reference for ML fits (REML fits use Satterthwaite df)
    y = _period_trial(25)
    t = np.arange(y.size)
    res = gls_ar1(y, LABELS, blocks=BLOCKS, periods=PERIODS, estimation="ml")
    assert res.df == 3 and res.df_method == "between-period" and res.n_periods == 8
    np.testing.assert_allclose(res.pvalue, 2 * stats.t.sf(abs(res.statistic), 3), rtol=1e-12)
    q = stats.t.ppf(0.975, 3)
    np.testing.assert_allclose([res.ci_low, res.ci_high],
                               [res.estimate - q * res.se, res.estimate + q * res.se],
                               rtol=1e-12)
    # a trend costs one more, no blocks gives back k - 1: 8 - 2 (intercept, treatment)
    assert gls_ar1(y, LABELS, blocks=BLOCKS, periods=PERIODS, trend=True, estimation="ml").df == 2
    assert gls_ar1(y, LABELS, periods=PERIODS, estimation="ml").df == 6
    # a period without any analysed day does not count: 7 periods, rank 5 (4 blocks + A)
    gone = PERIODS != 2
    res = gls_ar1(y[gone], LABELS[gone], time=t[gone], blocks=BLOCKS[gone],
                  periods=PERIODS[gone], estimation="ml")
    assert res.n_periods == 7 and res.df == 2
    # AB with 2 periods: nothing left for the period variance unless it is fixed;
    # then df is guarded at 1
    ab = np.repeat([0, 1], 14)
    with pytest.raises(ValueError, match="period variance cannot be separated"):
        gls_ar1(y[:28], ab, periods=np.repeat([1, 2], 14), estimation="ml")
    fixed = gls_ar1(y[:28], ab, periods=np.repeat([1, 2], 14), variance_ratio=0.5)
    assert fixed.df == 1 and fixed.estimation == "reml"


def test_large_period_variance_gives_the_period_mean_contrast():
    # lam -> infinity with independent days (rho = 0): the period means have covariance
    # about lam I, so beta becomes the mean of the pair differences of the period means
    # (the paired t-test's estimate), however many days each period kept. The gap shrinks
    # as 1/lam (1.3e-5 at lam = 1e3, 1.3e-7 at 1e5): at lam = 1e5, rtol 1e-6.
    rng = np.random.default_rng(26)
    keep = np.sort(rng.choice(LABELS.size, size=80, replace=False))
    y = _period_trial(26)[keep]
    res = gls_ar1(y, LABELS[keep], time=keep, blocks=BLOCKS[keep], periods=PERIODS[keep],
                  rho=0.0, variance_ratio=1e5)
    means = np.array([y[PERIODS[keep] == j].mean() for j in range(8)])
    a = means[[0, 3, 4, 7]]
    b = means[[1, 2, 5, 6]]
    np.testing.assert_allclose(res.estimate, np.mean(a - b), rtol=1e-6)


def test_period_fit_invariant_to_input_order_and_period_names():
    y = _period_trial(27)
    res = gls_ar1(y, LABELS, blocks=BLOCKS, periods=PERIODS)
    perm = np.random.default_rng(27).permutation(y.size)
    names = np.array(list("hgfedcba"))[PERIODS]
    shuffled = gls_ar1(y[perm], LABELS[perm], time=np.arange(y.size)[perm], blocks=BLOCKS[perm],
                       periods=names[perm])
    np.testing.assert_allclose(
        [shuffled.estimate, shuffled.se, shuffled.rho, shuffled.variance_ratio],
        [res.estimate, res.se, res.rho, res.variance_ratio], rtol=1e-6, atol=1e-9)


def test_period_validation_and_result():
    y = _period_trial(28)
    with pytest.raises(ValueError, match="single condition"):
        gls_ar1(y, LABELS, periods=BLOCKS)                       # a pair is not a period
    with pytest.raises(ValueError, match="single block"):
        gls_ar1(y, LABELS, blocks=(np.arange(y.size) + 7) // 28, periods=PERIODS)
    with pytest.raises(ValueError, match="one entry per score"):
        gls_ar1(y, LABELS, periods=PERIODS[:-1])
    with pytest.raises(ValueError, match="missing"):
        gls_ar1(y, LABELS, periods=np.where(PERIODS == 3, np.nan, PERIODS))
    with pytest.raises(ValueError, match="needs `periods`"):
        gls_ar1(y, LABELS, variance_ratio=0.1)
    with pytest.raises(ValueError, match="variance_ratio"):
        gls_ar1(y, LABELS, periods=PERIODS, variance_ratio=-0.1)
    with pytest.raises(ValueError, match="variance_ratio"):
        gls_ar1(y, LABELS, periods=PERIODS, variance_ratio=1e7)
    res = gls_ar1(y, LABELS, blocks=BLOCKS, periods=PERIODS, trend=True)
    frame = res.to_frame()
    assert frame.loc[0, "n_periods"] == 8 and frame.loc[0, "df_method"] == "Satterthwaite"
    assert np.isfinite(frame.loc[0, "period_sd"])
    text = res.summary()
    assert "period SD" in text and "Satterthwaite df" in text and "H0:" in text
    plain = gls_ar1(y, LABELS, blocks=BLOCKS).to_frame()
    assert plain.loc[0, "n_periods"] == 0 and np.isnan(plain.loc[0, "period_sd"])


def test_period_intercepts_calibration_quick_check():
    # The default run's share of tests/test_calibration.py's calibration (600 null trials
    # per rho there, marked slow): 150 null trials at rho = 0.6 with a linear trend,
    # period drift and 10% missing days, as analyze() fits them. Bound: 3 binomial SEs
    # above 0.05 (SE 0.018, so 0.103) and at most 0.05 + 3 SE below it (rate >= 0):
    # a smoke check that catches a broken df or variance (liberal rates of 0.15-0.30),
    # not a small bias; the interval is the same procedure (t(df) around the estimate).
    from test_calibration import gls_day_trials

    res = gls_day_trials(150, rho=0.6, effect=0.0, seed=77)
    rate = np.mean([r.pvalue < 0.05 for r in res])
    assert rate <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 150)
    assert all(r.df_method == "Satterthwaite" and 1 <= r.df <= r.n_obs for r in res)
    assert all(r.ci_low < r.estimate < r.ci_high for r in res)
