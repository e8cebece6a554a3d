"""Day-level models: GLS with AR(1) errors (and random period intercepts) on the calendar.

The primary analysis of a paired trial uses period means (:mod:`.period`).
The day-level model here uses every analysed day and accounts for serial
correlation with AR(1) errors whose correlation decays with the *actual*
distance in days, so that missing days and unanalysed wash-out days are
handled correctly. With ``periods`` it adds a random intercept per period,
which absorbs between-period drift, and takes its degrees of freedom from
the periods. The naive Welch t-test on pooled days (:func:`naive_day_ttest`,
kept in ``_daytest``) is provided only for comparison: it ignores
autocorrelation and is anti-conservative.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.linalg import lapack

from .._inference import t_interval, t_pvalue
from .._results import BatchResultMixin
from .._validation import check_alternative, check_choice, check_confidence_level, check_float
from ._daytest import DayTTestResult, _as_labels, _as_scores, naive_day_ttest
from ._period_effects import (
    RHO_BOUND,
    PeriodLayout,
    PeriodModel,
    _whiten,
    containment_df,
    gram,
    satterthwaite_df,
)
from .period import _HYPOTHESES

__all__ = ["GLSResult", "DayTTestResult", "gls_ar1", "naive_day_ttest"]

MAX_VARIANCE_RATIO = 1e6
METHOD_AR1 = "GLS regression with AR(1) errors on the calendar time index"
#: calibration caveats (measured in tests/test_calibration.py and gls_ar1's Notes)
NOTE_PERIODS = ("conservative when the period-to-period variance is small: in simulated "
                "6-pair trials the type I error at nominal 0.05 was 0.011 to 0.041 and the "
                "95% interval covered 0.96 to 0.99 of the time")
NOTE_ZERO = "the period variance was estimated at 0, so the df (periods) may understate " \
    "the information: "
NOTE_SATTERTHWAITE = ("Satterthwaite df; somewhat conservative: in simulated 6-pair diaries "
                      "(AR(1) rho 0 to 0.8, period drift SD 0.3, linear trend, 10% missing "
                      "days) the type I error at nominal 0.05 was 0.027 to 0.040 (1,000 "
                      "trials each, Monte Carlo SE 0.007; below 0.05 by more than Monte "
                      "Carlo error at rho 0.6 and 0.8) and the 95% interval covered 0.94 to "
                      "0.97 of the time")
NOTE_AR1 = ("liberal: without period intercepts the test ignores period drift and the "
            "uncertainty in rho (simulated type I error 0.085 to 0.11 at nominal 0.05)")
METHOD_PERIODS = ("GLS regression with AR(1) errors and random period intercepts on the "
                  "calendar time index")


# ---------------------------------------------------------------------------
# GLS with AR(1) errors in continuous (calendar) time
# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class GLSResult(BatchResultMixin):
    """Treatment effect from a day-level GLS regression with AR(1) errors (and period effects).

    Attributes
    ----------
    estimate : float
        beta = mean(A) - mean(B) adjusted for block effects (and trend).
    se : float
        GLS standard error of beta, conditional on the estimated rho (and
        period variance).
    statistic : float
        t = estimate / se.
    df : float
        Degrees of freedom of the t reference: n_obs minus the number of
        regression coefficients; with ``periods`` and REML estimates,
        Satterthwaite's df (``df_method``); otherwise with ``periods`` the
        between-period (containment) df, n_periods minus the rank of the fixed
        effects at the period level (k - 1 for k pairs with block effects).
    pvalue : float
    ci_low, ci_high : float
    rho : float
        Lag-1 (one day) autocorrelation of the errors, estimated or fixed.
    sigma : float
        Estimated standard deviation of the AR(1) error component (without
        ``periods``: the marginal residual SD).
    n_obs : int
        Days analysed (non-missing scores).
    n_dropped : int
        Days dropped because the score was missing.
    n_blocks : int
        Number of blocks (1 when no blocks were given).
    trend : bool
    estimation : str
        'reml', 'ml' or 'fixed' (every covariance parameter given by the
        caller).
    alternative : str
    confidence_level : float
    method : str
    period_sd : float
        Estimated SD of the random period intercept, sigma * sqrt(variance_ratio)
        (NaN without ``periods``).
    variance_ratio : float
        lam = period variance / AR(1) variance, estimated or fixed (NaN
        without ``periods``).
    n_periods : int
        Periods with at least one analysed day (0 without ``periods``).
    df_method : str
        'residual' (n_obs - p), 'Satterthwaite' (periods, REML, covariance
        parameters estimated) or 'between-period' (containment df: ML, a fixed
        ``variance_ratio``, or a degenerate likelihood surface).
    note : str
        Empty, or a calibration caveat to print next to the p-value and interval.
        With ``periods`` and Satterthwaite df: somewhat conservative (simulated type I
        error 0.027 to 0.040 at nominal 0.05 with trend, drift and missing days,
        interval coverage 0.94 to 0.97). With between-period df: conservative when the
        period variance is small or estimated at 0 (simulated type I error 0.011 to
        0.041, interval coverage 0.96 to 0.99; ``tests/test_calibration.py``).
        Without ``periods``: liberal (see Notes of :func:`gls_ar1`).
    """

    estimate: float
    se: float
    statistic: float
    df: float
    pvalue: float
    ci_low: float
    ci_high: float
    rho: float
    sigma: float
    n_obs: int
    n_dropped: int
    n_blocks: int
    trend: bool
    estimation: str
    alternative: str
    confidence_level: float
    method: str = METHOD_AR1
    period_sd: float = math.nan
    variance_ratio: float = math.nan
    n_periods: int = 0
    df_method: str = "residual"
    note: str = ""

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "se", "ci_low", "ci_high", "statistic", "df", "df_method", "pvalue", "rho",
        "sigma", "period_sd", "variance_ratio", "n_obs", "n_dropped", "n_periods", "n_blocks",
        "trend", "estimation", "alternative", "confidence_level", "method")

    def summary(self) -> str:
        pct = f"{100 * self.confidence_level:g}%"
        extras = ["block effects" if self.n_blocks > 1 else None,
                  "linear trend" if self.trend else None]
        model = ", ".join(x for x in extras if x) or "no other terms"
        lines = [
            self.method + f" ({model})",
            "H0: the adjusted difference between condition A (treatment) and B (control) is 0.",
            f"H1: the adjusted difference A - B {_HYPOTHESES[self.alternative]}.",
            f"n_obs = {self.n_obs} days ({self.n_dropped} missing), rho = {self.rho:.3f} "
            f"({self.estimation})",
        ]
        if self.n_periods:
            lines.append(f"n_periods = {self.n_periods}, period SD = {self.period_sd:.4g} "
                         f"(variance ratio {self.variance_ratio:.4g}), day SD = {self.sigma:.4g}")
            caveat = f"({self.df_method} df)"
        else:
            caveat = "(conditional on rho; may be somewhat liberal in short series)"
        return "\n".join(lines + [
            f"estimate = {self.estimate:.4g} ({pct} CI {self.ci_low:.4g} to {self.ci_high:.4g})",
            f"t({self.df:g}) = {self.statistic:.4g}, p = {self.pvalue:.4g} " + caveat,
        ] + ([f"Note: {self.note}"] if self.note else []))


def _whitened_gram(rho: float, gaps: np.ndarray, yx: np.ndarray) -> tuple[np.ndarray, float]:
    """Cholesky factor (lower) of the Gram matrix of the whitened [X y], and log|R|.

    ``yx`` has y in column 0; the Gram matrix is ordered (X, y) so that the last
    diagonal entry of the factor is the square root of the GLS residual sum of squares.
    """
    w, logdet = _whiten(rho, gaps, yx)
    wxy = np.concatenate([w[:, 1:], w[:, :1]], axis=1)
    return np.linalg.cholesky(gram(wxy)), logdet


def _neg_profile_loglik(rho: float, gaps: np.ndarray, yx: np.ndarray, reml: bool) -> float:
    chol, logdet = _whitened_gram(rho, gaps, yx)
    n, p = yx.shape[0], yx.shape[1] - 1
    rss = float(chol[p, p]) ** 2
    if reml:
        logdet_xx = 2.0 * float(np.log(chol.diagonal()[:p]).sum())
        return 0.5 * ((n - p) * np.log(rss) + logdet + logdet_xx)
    return 0.5 * (n * np.log(rss) + logdet)


def _estimate_rho(gaps: np.ndarray, yx: np.ndarray, reml: bool) -> float:
    """Maximise the profile (or restricted) likelihood over rho in [-0.99, 0.99]."""
    grid = np.linspace(-RHO_BOUND, RHO_BOUND, 45)
    values = np.array([_neg_profile_loglik(r, gaps, yx, reml) for r in grid])
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = optimize.minimize_scalar(_neg_profile_loglik, bounds=(lo, hi), method="bounded",
                                   args=(gaps, yx, reml), options={"xatol": 1e-8})
    return float(res.x) if res.fun <= values[i] else float(grid[i])


def _gls_whitened(rho: float, gaps: np.ndarray, y: np.ndarray, x: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, float]:
    """GLS by O(n) AR(1) whitening: coefficients, (X^T R^-1 X)^-1 and rss / (n - p).

    The same numbers as ``statsmodels.api.GLS(y, x, sigma=rho**|t_i - t_j|)``
    (``tests/test_models.py``), without the dense n x n covariance.
    """
    yx = np.column_stack([y - y.mean(), x])
    chol, _ = _whitened_gram(rho, gaps, yx)
    p = x.shape[1]
    lxx_inv = np.linalg.inv(chol[:p, :p])
    beta = lxx_inv.T @ chol[p, :p]
    beta[0] += y.mean()                      # y was centred; X[:, 0] is the intercept
    cov = lxx_inv.T @ lxx_inv
    return beta, cov, float(chol[p, p]) ** 2 / (y.size - p)


def _t_inference(est: float, se: float, df: float, alternative: str,
                 confidence_level: float) -> tuple[float, float, float, float]:
    """Student-t statistic, p-value and interval (``nof1._inference``) for ``est`` and ``se``."""
    stat = est / se
    low, high = t_interval(est, se, df, alternative, confidence_level)
    return float(stat), float(t_pvalue(stat, df, alternative)), float(low), float(high)


def _as_groups(values: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.shape != shape:
        raise ValueError(f"`{name}` must have one entry per score")
    if pd.isna(arr).any():
        raise ValueError(f"`{name}` must not contain missing values")
    return arr


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes 0..m-1 in order of first appearance."""
    if values.dtype.kind in "biu" and values.ndim == 1:     # integers: without a dict
        uniq, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        rank = np.empty(uniq.size, dtype=np.intp)
        rank[np.argsort(first)] = np.arange(uniq.size)
        return rank[inverse], int(uniq.size)
    index = {v: i for i, v in enumerate(dict.fromkeys(values.tolist()))}
    return np.array([index[v] for v in values.tolist()], dtype=np.intp), len(index)


def gls_ar1(scores: Any, labels: Any, *, time: Any = None, blocks: Any = None,
            trend: bool = False, rho: float | None = None, estimation: str = "reml",
            alternative: str = "two-sided", confidence_level: float = 0.95,
            periods: Any = None, variance_ratio: float | None = None) -> GLSResult:
    """Day-level treatment effect by GLS with AR(1) errors on the actual day index.

    Model: y_t = mu + beta*[condition A] + block effects (+ gamma*t) (+ u_period) + e_t,
    with Corr(e_s, e_t) = rho**|s - t| for days s, t and, when ``periods``
    is given, an independent random intercept u ~ N(0, lam sigma^2) per period.

    Parameters
    ----------
    scores : array_like
        Daily scores (1-D). NaN marks a missing day; it is dropped, and the
        calendar distance between the remaining days is kept.
    labels : array_like
        Condition of each day: 0 or 'A' for condition A (treatment), 1 or
        'B' for condition B (control).
    time : array_like of int, optional
        Day index of each score (e.g. day number in the trial; integer-valued
        and distinct). Default ``0, 1, ..., n-1`` (consecutive days). Pass
        it whenever days are missing from the arrays or wash-out days were
        left out, so that the correlation decays with the real distance.
    blocks : array_like, optional
        Block (pair) label of each day; adds one fixed effect per block
        (treatment-coded, first block as reference).
    trend : bool
        Add a linear trend in ``time``.
    rho : float, optional
        Fix the autocorrelation instead of estimating it (|rho| < 1);
        ``rho=0`` without ``periods`` gives ordinary least squares.
    estimation : {'reml', 'ml'}
        Estimate the covariance parameters (rho, and lam with ``periods``)
        by maximising the restricted (default) or the profile likelihood.
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float
    periods : array_like, optional
        Period label of each day (any hashable labels, e.g. the schedule's
        period number). Adds a random intercept per period and switches the
        degrees of freedom to the between-period count (see Notes). Each
        period must hold one condition and lie within one block. Recommended
        for diaries, whose level drifts from period to period.
    variance_ratio : float, optional
        With ``periods``: fix lam = Var(period intercept) / Var(AR(1) error)
        (0 <= lam <= 1e6) instead of estimating it; ``variance_ratio=0``
        gives the AR(1)-only fit with between-period degrees of freedom.
        (As lam grows the estimate tends to the contrast of period means;
        beyond 1e6 rounding would dominate.)

    Returns
    -------
    GLSResult

    Raises
    ------
    ValueError
        Shapes differ, labels are not A/B, time is not integer-valued or
        repeats, one condition has no day, the design matrix is rank
        deficient (e.g. a block with only one condition and a trend), a
        period mixes conditions or blocks, or (lam estimated) there are no
        more periods than period-level fixed effects, so that the period
        variance cannot be separated from the treatment effect.

    Notes
    -----
    With integer day indices t_1 < ... < t_n and gaps h_i = t_i - t_{i-1},
    the AR(1) process sampled on those days is Markov: e_i - rho**h_i e_{i-1}
    is independent of the past with variance sigma^2 (1 - rho**(2 h_i)).
    This whitening gives the exact Gaussian log-likelihood in O(n), which is
    profiled over beta and sigma^2 (ML) or integrated over beta (REML,
    the default: less biased for rho in short series) and maximised over rho
    with ``scipy.optimize.minimize_scalar`` (after a coarse grid). The
    effect is then estimated by least squares on the whitened data, which
    equals ``statsmodels.api.GLS`` with ``sigma[i, j] = rho**|t_i - t_j|``
    without forming that n x n matrix. Unlike statsmodels' ``GLSAR``,
    which works on the compressed series, gaps (missing days, unanalysed
    wash-out days) do not become one-day steps.

    **Random period intercepts** (``periods`` given). The error covariance
    is sigma^2 [R(rho) + lam Z Z^T], R(rho)[i, j] = rho**|t_i - t_j|, Z the
    day-by-period indicator matrix. (rho, lam) maximise the restricted (or
    profile) likelihood over rho in [-0.99, 0.99] and lam in [0, 9999]: a
    coarse grid (8 values of rho by 5 of lam, one batch) brackets the
    maximum, and Newton's method in (atanh rho, log lam), with derivatives
    by finite differences of batched likelihood evaluations and a
    Levenberg-Marquardt safeguard, converges to it; lam = 0 is a boundary
    the search enters when it is at least as likely, and a second start
    from the best grid point in another rho basin guards against the two
    maxima a ridge between (high rho, small lam) and (low rho, large lam)
    can hold. The likelihood, beta and its covariance
    sigma^2 (X^T V^-1 X)^-1, with sigma^2 = r^T V^-1 r / (n - p), come from
    the AR(1) whitening and a Cholesky factorisation of the small Gram
    matrix of [Z X y] augmented by the period indicators (Bates et al.
    2015); the Gram matrix is assembled in O(n) (no n x n matrix: the
    whitened period indicators have two non-zero entries per day). They equal
    a dense multivariate normal computation, ``statsmodels.api.GLS`` with
    the full covariance and, with rho = 0, statsmodels' ``MixedLM``
    (``tests/test_models.py``). The treatment varies only between periods,
    so the t reference uses the between-period ("containment") degrees of
    freedom: df = (periods with data) - (rank of the fixed effects counted
    at the period level: intercept, treatment, block effects, trend); for
    k pairs with block effects df = k - 1, as in the paired t-test on
    period means. df is at least 1 (with a fixed ``variance_ratio``;
    estimating lam needs df >= 1). That test is conservative when the
    drift is small: REML then often puts lam at 0 (when the periods vary
    less than the days predict), the standard error rests on the pooled
    day-level variance, larger than the between-period variance the paired
    t-test uses in those trials, and the df stay at k - 1 (type I error
    0.011 to 0.041 at nominal 0.05). So with REML estimates the default
    reference is Satterthwaite's: df = 2 v^2 / (g^T A g) for v = Var(beta),
    g its gradient in the covariance parameters (sigma^2, period variance,
    rho) and A the inverse Hessian of the restricted likelihood, a variance
    estimated at 0 held fixed (Satterthwaite 1946; Giesbrecht & Burns 1985;
    as SAS PROC MIXED and lmerTest compute it). In the simulation below it
    gave type I error 0.033 / 0.037 / 0.043 for rho = 0 / 0.3 / 0.6 (300
    trials each, Monte Carlo SE 0.013) where k - 1 df gave 0.013 / 0.017 /
    0.020. In harder simulated diaries (6 pairs, AR(1) rho 0 / 0.3 / 0.6 /
    0.8, period drift SD 0.3, a linear trend of 0.01 per day, 10% of days
    missing; 1,000 trials each, Monte Carlo SE 0.007) the Satterthwaite
    test gave 0.038 / 0.040 / 0.027 / 0.036 and its 95% interval covered
    0.952 / 0.968 / 0.938 / 0.962 of the time (500 trials each with effect
    -1): valid, but conservative beyond Monte Carlo error at rho = 0.6,
    which ``note`` says (``tests/test_calibration.py``). The containment df
    remain for ML fits and a fixed ``variance_ratio``.

    The null hypothesis is beta = 0. The p-value and interval use Student's
    t and treat the covariance parameters as known. Without ``periods``
    they use the residual degrees of freedom n - p and ignore both the
    uncertainty in rho and drift of the periods, so they are liberal: in
    simulated 6-pair trials (14-day periods, 7 wash-out days, AR(1) days,
    period drift SD 0.3) the type I error at nominal 0.05 was
    0.11 / 0.085 / 0.088 for rho = 0 / 0.3 / 0.6, against 0.05 for the
    period-level paired t-test and 0.10 / 0.18 / 0.30 for the naive
    day-level t-test; ML instead of REML gave 0.15 at rho = 0.6. With
    ``periods`` (REML, containment df) the same simulation gave 0.022 /
    0.024 / 0.021, 95% interval coverage 0.98, and power 0.59 / 0.42 / 0.27 for an effect
    of -0.8 against 0.63 / 0.49 / 0.32 for the paired t-test (2,000 trials
    each; ``tests/test_calibration.py``); with ML, 0.070 / 0.048 / 0.068
    (ML often puts lam at 0). So with ``periods`` the test holds its level
    and costs some power relative to the paired t-test in a complete
    paired design; it is the recommended day-level model, and it weights
    the days by the model, so it handles missing days and unequal period
    lengths.

    References
    ----------
    .. [1] Tang J, Landes RD (2020). Some t-tests for N-of-1 trials with serial
       correlation. PLoS ONE 15:e0228077.
    .. [2] Harville DA (1974). Bayesian inference for variance components using
       only error contrasts. Biometrika 61:383-385.
    .. [3] Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear
       mixed-effects models using lme4. J Stat Softw 67(1):1-48.
    .. [4] Schluchter MD, Elashoff JT (1990). Small-sample adjustments to tests
       with unbalanced repeated measures assuming several covariance
       structures. J Stat Comput Simul 37:69-87.

    Examples
    --------
    >>> import numpy as np
    >>> from nof1.analysis import gls_ar1
    >>> rng = np.random.default_rng(12345)
    >>> labels = np.repeat([0, 1, 1, 0, 0, 1, 1, 0], 14)   # A B B A A B B A, 14 days each
    >>> noise = np.zeros(labels.size)
    >>> for t in range(1, labels.size):
    ...     noise[t] = 0.5 * noise[t - 1] + rng.normal(0, 0.8)
    >>> scores = 5.0 - 1.0 * (labels == 0) + noise
    >>> res = gls_ar1(scores, labels, blocks=np.repeat([1, 2, 3, 4], 28))
    >>> round(res.estimate, 2), round(res.rho, 2), res.n_obs
    (-1.19, 0.47, 112)

    When the level drifts from period to period, add a random intercept per
    period; the t reference then has Satterthwaite's degrees of freedom, here
    close to k - 1 = 3:

    >>> drift = np.repeat(rng.normal(0, 0.5, size=8), 14)
    >>> res = gls_ar1(scores + drift, labels, blocks=np.repeat([1, 2, 3, 4], 28),
    ...               periods=np.repeat(np.arange(8), 14))
    >>> round(res.estimate, 2), round(res.period_sd, 2), round(res.pvalue, 3)
    (-1.16, 0.32, 0.037)
    >>> res.df_method, round(res.df, 2)
    ('Satterthwaite', 3.21)
    """
    y = _as_scores(scores)
    if y.ndim != 1:
        raise ValueError(f"`scores` must be 1-D; got ndim={y.ndim}")
    n_all = y.size
    is_a = _as_labels(labels, n_all)
    if time is None:
        t = np.arange(n_all, dtype=float)
    else:
        t = _as_time(time, y.shape)
    if blocks is not None:
        blocks = np.asarray(blocks)
        if blocks.shape != y.shape:
            raise ValueError("`blocks` must have one entry per score")
    if periods is not None:
        periods = _as_groups(periods, y.shape, "periods")
    if not isinstance(trend, bool):
        raise TypeError("`trend` must be True or False")
    if rho is not None:
        rho = check_float(rho, "rho", minimum=-1.0, maximum=1.0, inclusive=False)
    if variance_ratio is not None:
        if periods is None:
            raise ValueError("`variance_ratio` needs `periods`")
        variance_ratio = check_float(variance_ratio, "variance_ratio", minimum=0.0,
                                     maximum=MAX_VARIANCE_RATIO)
    estimation = check_choice(estimation, "estimation", ("reml", "ml"))
    alternative = check_alternative(alternative)
    confidence_level = check_confidence_level(confidence_level)

    keep = ~np.isnan(y)
    order = np.argsort(t[keep], kind="stable")
    y, is_a, t = y[keep][order], is_a[keep][order], t[keep][order]
    n = y.size
    blk = None if blocks is None else blocks[keep][order]
    x, n_blocks = _design(is_a, blk, t, trend)
    logdet_xx = _full_rank_logdet(x)
    fields = dict(n_dropped=int(n_all - n), n_blocks=n_blocks, trend=trend,
                  alternative=alternative, confidence_level=confidence_level)
    if periods is not None:
        codes, m = _codes(periods[keep][order])
        layout = PeriodLayout.of(x, t, codes, m)
        fit = _fit_periods(y, x, t, codes, m, blk, layout, logdet_xx, rho=rho,
                           lam=variance_ratio, reml=estimation == "reml",
                           confidence_level=confidence_level, alternative=alternative)
        return _period_result(fit, y.size, m, estimation, **fields)

    p = x.shape[1]
    gaps = np.diff(t)
    if rho is None:
        rho_hat = _estimate_rho(gaps, np.column_stack([y, x]), estimation == "reml")
        how = estimation
    else:
        rho_hat, how = rho, "fixed"
    beta, cov, scale = _gls_whitened(rho_hat, gaps, y, x)
    est, se = float(beta[1]), float(np.sqrt(scale * cov[1, 1]))
    df = float(n - p)
    stat, pval, low, high = _t_inference(est, se, df, alternative, confidence_level)
    return GLSResult(
        estimate=est, se=se, statistic=stat, df=df, pvalue=pval,
        ci_low=low, ci_high=high, rho=float(rho_hat),
        sigma=float(np.sqrt(scale)), n_obs=int(n), estimation=how, note=NOTE_AR1, **fields)


def _as_time(time: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Validated day indices: one finite, integer-valued, distinct value per score."""
    t = _as_scores(time, "time")
    if t.shape != shape or np.isnan(t).any():
        raise ValueError("`time` must be 1-D, one finite day index per score")
    if not np.all(t == np.round(t)):
        raise ValueError("`time` must be integer-valued day indices")
    if t.size > 1 and not np.all(np.diff(np.sort(t)) > 0):
        raise ValueError("`time` must not repeat a day")
    return t


def _design(is_a: np.ndarray, blk: np.ndarray | None, t: np.ndarray,
            trend: bool) -> tuple[np.ndarray, int]:
    """Design matrix [1, A, block dummies (first block the reference), trend] and n_blocks.

    Days sorted by ``t``; raises when both conditions are not present.
    """
    n = is_a.size
    if is_a.all() or not is_a.any():
        raise ValueError("both conditions need at least one non-missing day")
    n_blocks = 1
    cols = [np.ones(n), is_a.astype(float)]
    if blk is not None:
        codes, n_blocks = _codes(blk)
        cols.append((codes[:, None] == np.arange(1, n_blocks)).astype(float))
    if trend:
        cols.append(t - t.mean())
    return np.column_stack(cols), n_blocks


def _full_rank_logdet(x: np.ndarray) -> float:
    """log|X^T X|, after checking that X (n x p) has full column rank with n > p.

    The rank comes from the diagonal of R in X = QR (Householder, no pivoting: LAPACK's
    dgeqrf): a column that is a linear combination of the earlier ones has R_jj = 0 up
    to rounding, and |R_jj| is compared with ``np.linalg.matrix_rank``'s default
    tolerance, max |R_jj| * max(n, p) * machine epsilon. log|X^T X| = 2 sum log |R_jj|
    comes with it.
    """
    n, p = x.shape
    diag = np.abs(np.diagonal(lapack.dgeqrf(x)[0])) if n > p else np.zeros(1)
    if n - p < 1 or diag.min() <= diag.max() * n * np.finfo(float).eps:
        raise ValueError("the model cannot be estimated: too few days or a rank-deficient "
                         "design (check blocks and trend)")
    return 2.0 * float(np.log(diag).sum())


def _check_nested(codes: np.ndarray, m: int, values: np.ndarray, name: str) -> None:
    """Raise unless ``values`` (one per day) is constant within each period."""
    first = np.empty(m, dtype=values.dtype)
    first[codes] = values
    if np.any(first[codes] != values):
        what = "condition" if name == "labels" else "block"
        raise ValueError(f"`periods`: each period must hold a single {what} "
                         f"(periods are nested in `{name}`)")


def _fit_periods(y: np.ndarray, x: np.ndarray, t: np.ndarray, codes: np.ndarray, m: int,
                 blk: np.ndarray | None, layout: PeriodLayout, logdet_xx: float, *,
                 rho: float | None, lam: float | None, reml: bool, confidence_level: float,
                 alternative: str) -> tuple[Any, ...]:
    """gls_ar1 with a random period intercept (inputs validated, sorted by day).

    Returns (estimate, se, statistic, df, pvalue, ci_low, ci_high, rho, scale, lam,
    estimated, df_method, note); ``estimated`` is False when rho and lam were both fixed.
    """
    _check_nested(codes, m, x[:, 1], "labels")
    if blk is not None:
        _check_nested(codes, m, blk, "blocks")
    df_raw, rank = containment_df(x, codes, m)
    if lam is None and df_raw < 1:
        raise ValueError(f"`periods`: {m} periods with data but {rank} period-level fixed "
                         "effects; the period variance cannot be separated from the "
                         "treatment effect (fix `variance_ratio` or drop `periods`)")
    model = PeriodModel(y, x, None, t, layout=layout, logdet_xx=logdet_xx)
    estimated = rho is None or lam is None
    if estimated:
        rho_hat, lam_hat = model.estimate(rho=rho, lam=lam, reml=reml,
                                          satterthwaite=reml and lam is None)
    else:
        rho_hat, lam_hat = rho, lam
    beta, cov, scale = model.gls(rho_hat, lam_hat)
    est, se = float(beta[1]), math.sqrt(scale * cov[1, 1])
    df, df_method = max(df_raw, 1.0), "between-period"
    note = (NOTE_ZERO if lam_hat == 0 else "") + NOTE_PERIODS
    if reml and estimated and lam is None:
        satt = satterthwaite_df(model, rho_hat, lam_hat, scale, free_rho=rho is None,
                                free_lam=True)
        if satt is not None and np.isfinite(satt):
            df = float(min(max(satt, 1.0), y.size - x.shape[1]))
            df_method, note = "Satterthwaite", NOTE_SATTERTHWAITE
    stat, pval, low, high = _t_inference(est, se, df, alternative, confidence_level)
    return (est, se, stat, df, pval, low, high, float(rho_hat), scale, float(lam_hat),
            estimated, df_method, note)


def _period_result(fit: tuple[Any, ...], n_obs: int, m: int, estimation: str,
                   **fields: Any) -> GLSResult:
    est, se, stat, df, pval, low, high, rho_hat, scale, lam_hat, estimated, df_method, \
        note = fit
    return GLSResult(
        estimate=est, se=se, statistic=stat, df=df, pvalue=pval, ci_low=low, ci_high=high,
        rho=rho_hat, sigma=math.sqrt(scale), n_obs=int(n_obs),
        estimation=estimation if estimated else "fixed", method=METHOD_PERIODS,
        period_sd=math.sqrt(lam_hat * scale), variance_ratio=lam_hat, n_periods=m,
        df_method=df_method, note=note, **fields)


def gls_period_trials(scores: Any, is_a: Any, *, time: Any, blocks: Any, periods: Any,
                      confidence_level: float = 0.95
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`gls_ar1` with period intercepts (REML, two-sided) on many trials with the same days.

    For the trials of a power simulation: row i gives the same numbers as
    ``gls_ar1(scores[i], np.where(is_a[i], "A", "B"), time=time, blocks=blocks,
    periods=periods, confidence_level=confidence_level)``. The days, blocks and periods,
    which the rows share, are validated, sorted and laid out once
    (:class:`~nof1.analysis._period_effects.PeriodLayout`); each row then goes through
    the same design, checks and fit as :func:`gls_ar1` (a row with a missing score
    through :func:`gls_ar1` itself).

    Parameters
    ----------
    scores : array_like, shape (n_trials, n_days)
    is_a : array_like of bool, shape (n_trials, n_days)
        True on the days of condition A (treatment).
    time, blocks, periods : array_like, shape (n_days,)
        As in :func:`gls_ar1`.
    confidence_level : float

    Returns
    -------
    pvalue, ci_low, ci_high : ndarray, shape (n_trials,)

    Raises
    ------
    ValueError
        As :func:`gls_ar1` would for the first row it rejects.

    Examples
    --------
    >>> import numpy as np
    >>> from nof1.analysis import gls_ar1
    >>> from nof1.analysis.models import gls_period_trials
    >>> rng = np.random.default_rng(3)
    >>> periods = np.repeat(np.arange(6), 7)
    >>> is_a = np.repeat(rng.permuted(np.tile([True, False], (4, 3)), axis=1), 7, axis=1)
    >>> scores = rng.normal(size=(4, 42)) - 0.8 * is_a
    >>> p, low, high = gls_period_trials(scores, is_a, time=np.arange(42),
    ...                                  blocks=periods // 2, periods=periods)
    >>> one = gls_ar1(scores[2], np.where(is_a[2], "A", "B"), time=np.arange(42),
    ...               blocks=periods // 2, periods=periods)
    >>> bool(p[2] == one.pvalue and low[2] == one.ci_low and high[2] == one.ci_high)
    True
    """
    y_all = _as_scores(scores)
    is_a = np.asarray(is_a, dtype=bool)
    if y_all.ndim != 2 or is_a.shape != y_all.shape:
        raise ValueError("`scores` and `is_a` must be 2-D arrays of the same shape")
    n_all = y_all.shape[1]
    t_all = _as_time(time, (n_all,))
    blocks = np.asarray(blocks)
    if blocks.shape != (n_all,):
        raise ValueError("`blocks` must have one entry per score")
    periods = _as_groups(periods, (n_all,), "periods")
    confidence_level = check_confidence_level(confidence_level)
    order = np.argsort(t_all, kind="stable")
    t, blk = t_all[order], blocks[order]
    codes, m = _codes(periods[order])
    base: np.ndarray | None = None
    layout: PeriodLayout | None = None
    out = np.empty((y_all.shape[0], 3))
    for i, y in enumerate(y_all):
        if np.isnan(y).any():
            res = gls_ar1(y, np.where(is_a[i], "A", "B"), time=time, blocks=blocks,
                          periods=periods, confidence_level=confidence_level)
            out[i] = res.pvalue, res.ci_low, res.ci_high
            continue
        a = is_a[i][order]
        if base is None:
            base = _design(a, blk, t, False)[0]
        elif a.all() or not a.any():
            raise ValueError("both conditions need at least one non-missing day")
        x = base.copy()
        x[:, 1] = a                  # the other columns do not depend on the trial
        logdet_xx = _full_rank_logdet(x)
        if layout is None:
            layout = PeriodLayout.of(x, t, codes, m)
        fit = _fit_periods(y[order], x, t, codes, m, blk, layout, logdet_xx, rho=None,
                           lam=None, reml=True, confidence_level=confidence_level,
                           alternative="two-sided")
        out[i] = fit[4], fit[5], fit[6]
    return out[:, 0], out[:, 1], out[:, 2]
