"""Day-level GLS with AR(1) errors, cross-checked with statsmodels; naive Welch t vs scipy."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.signal import lfilter
from statsmodels.tsa.arima.model import ARIMA

from nof1.analysis import gls_ar1, naive_day_ttest
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
