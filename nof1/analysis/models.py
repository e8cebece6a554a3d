"""Day-level models: GLS with AR(1) errors on the calendar, and the naive day t-test.

The primary analysis of a paired trial uses period means (:mod:`.period`).
The day-level model here uses every analysed day and accounts for serial
correlation with AR(1) errors whose correlation decays with the *actual*
distance in days, so that missing days and unanalysed wash-out days are
handled correctly. The naive Welch t-test on pooled days is provided only for
comparison: it ignores autocorrelation and is anti-conservative.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats

from .._validation import check_alternative, check_choice, check_confidence_level, check_float
from .period import _HYPOTHESES, _ArrayResultMixin

__all__ = ["GLSResult", "DayTTestResult", "gls_ar1", "naive_day_ttest"]

RHO_BOUND = 0.99


def _as_labels(labels: Any, n: int) -> np.ndarray:
    """Condition per observation as a boolean 'is A' array (0/'A' = A, 1/'B' = B)."""
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.size != n:
        raise ValueError(f"`labels` must be 1-D with one entry per score ({n}); "
                         f"got shape {lab.shape}")
    if lab.dtype.kind in "iub":
        values = set(np.unique(lab).tolist())
        if not values <= {0, 1}:
            raise ValueError("`labels` must contain only 0 (condition A) and 1 (condition B), "
                             f"got values {sorted(values)}")
        return lab == 0
    if lab.dtype.kind in "UO":
        values = set(np.unique(lab.astype(str)).tolist())
        if not values <= {"A", "B"}:
            raise ValueError("`labels` must contain only 'A' and 'B' (or 0 and 1), "
                             f"got values {sorted(values)}")
        return lab.astype(str) == "A"
    raise TypeError("`labels` must be integers 0/1 or strings 'A'/'B'")


def _as_scores(scores: Any, name: str = "scores") -> np.ndarray:
    try:
        y = np.asarray(scores, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be array-like of numbers") from exc
    if np.isinf(y).any():
        raise ValueError(f"`{name}` must be finite (NaN marks a missing day)")
    return y


# ---------------------------------------------------------------------------
# GLS with AR(1) errors in continuous (calendar) time
# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class GLSResult(_ArrayResultMixin):
    """Treatment effect from a day-level GLS regression with AR(1) errors.

    Attributes
    ----------
    estimate : float
        beta = mean(A) - mean(B) adjusted for block effects (and trend).
    se : float
        GLS standard error of beta, conditional on the estimated rho.
    statistic : float
        t = estimate / se.
    df : float
        Residual degrees of freedom, n_obs minus the number of regression
        coefficients.
    pvalue : float
    ci_low, ci_high : float
    rho : float
        Lag-1 (one day) autocorrelation of the errors, estimated or fixed.
    sigma : float
        Estimated marginal residual standard deviation.
    n_obs : int
        Days analysed (non-missing scores).
    n_dropped : int
        Days dropped because the score was missing.
    n_blocks : int
        Number of blocks (1 when no blocks were given).
    trend : bool
    estimation : str
        'reml', 'ml' or 'fixed' (rho given by the caller).
    alternative : str
    confidence_level : float
    method : str
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
    method: str = "GLS regression with AR(1) errors on the calendar time index"

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "se", "ci_low", "ci_high", "statistic", "df", "pvalue", "rho", "sigma",
        "n_obs", "n_dropped", "n_blocks", "trend", "estimation", "alternative",
        "confidence_level", "method")

    def summary(self) -> str:
        pct = f"{100 * self.confidence_level:g}%"
        extras = ["block effects" if self.n_blocks > 1 else None,
                  "linear trend" if self.trend else None]
        model = ", ".join(x for x in extras if x) or "no other terms"
        return "\n".join([
            self.method + f" ({model})",
            "H0: the adjusted difference between condition A (treatment) and B (control) is 0.",
            f"H1: the adjusted difference A - B {_HYPOTHESES[self.alternative]}.",
            f"n_obs = {self.n_obs} days ({self.n_dropped} missing), rho = {self.rho:.3f} "
            f"({self.estimation})",
            f"estimate = {self.estimate:.4g} ({pct} CI {self.ci_low:.4g} to {self.ci_high:.4g})",
            f"t({self.df:g}) = {self.statistic:.4g}, p = {self.pvalue:.4g} "
            "(conditional on rho; may be somewhat liberal in short series)",
        ])


def _whiten(rho: float, gaps: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, float]:
    """Whiten rows of ``m`` (sorted by time) for AR(1) errors; return (whitened, log|R|).

    e_i - rho**h_i e_{i-1} has variance sigma^2 (1 - rho**(2 h_i)) for a gap of
    h_i days, so dividing by its square root gives independent errors.
    """
    phi = rho ** gaps
    v = 1.0 - phi ** 2
    out = m.copy()
    out[1:] = (m[1:] - phi[:, None] * m[:-1]) / np.sqrt(v)[:, None]
    return out, float(np.log(v).sum())


def _neg_profile_loglik(rho: float, gaps: np.ndarray, yx: np.ndarray, reml: bool) -> float:
    w, logdet = _whiten(rho, gaps, yx)
    y, x = w[:, 0], w[:, 1:]
    n, p = x.shape
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    rss = float(((y - x @ coef) ** 2).sum())
    if reml:
        _, logdet_xx = np.linalg.slogdet(x.T @ x)
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


def gls_ar1(scores: Any, labels: Any, *, time: Any = None, blocks: Any = None,
            trend: bool = False, rho: float | None = None, estimation: str = "reml",
            alternative: str = "two-sided", confidence_level: float = 0.95) -> GLSResult:
    """Day-level treatment effect by GLS with AR(1) errors on the actual day index.

    Model: y_t = mu + beta*[condition A] + block effects (+ gamma*t) + e_t,
    with Corr(e_s, e_t) = rho**|s - t| for days s, t.

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
        ``rho=0`` gives ordinary least squares.
    estimation : {'reml', 'ml'}
        Estimate rho by maximising the restricted (default) or the profile
        likelihood over [-0.99, 0.99].
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float

    Returns
    -------
    GLSResult

    Raises
    ------
    ValueError
        Shapes differ, labels are not A/B, time is not integer-valued or
        repeats, one condition has no day, or the design matrix is rank
        deficient (e.g. a block with only one condition and a trend).

    Notes
    -----
    With integer day indices t_1 < ... < t_n and gaps h_i = t_i - t_{i-1},
    the AR(1) process sampled on those days is Markov: e_i - rho**h_i e_{i-1}
    is independent of the past with variance sigma^2 (1 - rho**(2 h_i)).
    This whitening gives the exact Gaussian log-likelihood in O(n), which is
    profiled over beta and sigma^2 (ML) or integrated over beta (REML,
    the default: less biased for rho in short series) and maximised over rho
    with ``scipy.optimize.minimize_scalar`` (after a coarse grid). The
    effect is then estimated by ``statsmodels.api.GLS`` with
    ``sigma[i, j] = rho**|t_i - t_j|``. Unlike statsmodels' ``GLSAR``,
    which works on the compressed series, gaps (missing days, unanalysed
    wash-out days) do not become one-day steps.

    The null hypothesis is beta = 0. The p-value and interval use Student's
    t with the residual degrees of freedom n - p (p regression coefficients)
    and treat rho as known; they ignore the uncertainty in rho and in the
    AR(1) form, so with a few dozen days they can be somewhat liberal. When
    the periods themselves drift (between-period variation beyond AR(1)),
    the period-level paired test is the safer primary analysis. In simulated
    6-pair trials (14-day periods, 7 wash-out days, AR(1) days, period drift
    SD 0.3) its type I error at nominal 0.05 was 0.11 / 0.085 / 0.088 for
    rho = 0 / 0.3 / 0.6, against 0.05 for the period-level paired t-test and
    0.10 / 0.18 / 0.30 for the naive day-level t-test
    (``tests/test_calibration.py``); ML instead of REML gave 0.15 at rho = 0.6.

    References
    ----------
    .. [1] Tang J, Landes RD (2020). Some t-tests for N-of-1 trials with serial
       correlation. PLoS ONE 15:e0228077.
    .. [2] Harville DA (1974). Bayesian inference for variance components using
       only error contrasts. Biometrika 61:383-385.

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
    """
    y = _as_scores(scores)
    if y.ndim != 1:
        raise ValueError(f"`scores` must be 1-D; got ndim={y.ndim}")
    n_all = y.size
    is_a = _as_labels(labels, n_all)
    if time is None:
        t = np.arange(n_all, dtype=float)
    else:
        t = _as_scores(time, "time")
        if t.shape != y.shape or np.isnan(t).any():
            raise ValueError("`time` must be 1-D, one finite day index per score")
        if not np.all(t == np.round(t)):
            raise ValueError("`time` must be integer-valued day indices")
        if np.unique(t).size != t.size:
            raise ValueError("`time` must not repeat a day")
    if blocks is not None:
        blocks = np.asarray(blocks)
        if blocks.shape != y.shape:
            raise ValueError("`blocks` must have one entry per score")
    if not isinstance(trend, bool):
        raise TypeError("`trend` must be True or False")
    if rho is not None:
        rho = check_float(rho, "rho", minimum=-1.0, maximum=1.0, inclusive=False)
    estimation = check_choice(estimation, "estimation", ("reml", "ml"))
    alternative = check_alternative(alternative)
    confidence_level = check_confidence_level(confidence_level)

    keep = ~np.isnan(y)
    order = np.argsort(t[keep], kind="stable")
    y, is_a, t = y[keep][order], is_a[keep][order], t[keep][order]
    n = y.size
    if is_a.all() or not is_a.any():
        raise ValueError("both conditions need at least one non-missing day")
    cols = [np.ones(n), is_a.astype(float)]
    n_blocks = 1
    if blocks is not None:
        blk = blocks[keep][order]
        levels = list(dict.fromkeys(blk.tolist()))
        n_blocks = len(levels)
        cols += [(blk == lev).astype(float) for lev in levels[1:]]
    if trend:
        cols.append(t - t.mean())
    x = np.column_stack(cols)
    p = x.shape[1]
    if n - p < 1 or np.linalg.matrix_rank(x) < p:
        raise ValueError("the model cannot be estimated: too few days or a rank-deficient "
                         "design (check blocks and trend)")

    gaps = np.diff(t)
    if rho is None:
        rho_hat = _estimate_rho(gaps, np.column_stack([y, x]), estimation == "reml")
        how = estimation
    else:
        rho_hat, how = rho, "fixed"
    lags = np.abs(t[:, None] - t[None, :])
    sigma = rho_hat ** lags
    fit = sm.GLS(y, x, sigma=sigma).fit()
    est, se = float(fit.params[1]), float(fit.bse[1])
    df = float(fit.df_resid)
    stat = est / se
    if alternative == "two-sided":
        pval = 2 * stats.t.sf(abs(stat), df)
        q = stats.t.ppf(0.5 + confidence_level / 2, df)
        low, high = est - q * se, est + q * se
    elif alternative == "less":
        pval = stats.t.cdf(stat, df)
        low, high = -np.inf, est + stats.t.ppf(confidence_level, df) * se
    else:
        pval = stats.t.sf(stat, df)
        low, high = est - stats.t.ppf(confidence_level, df) * se, np.inf
    return GLSResult(
        estimate=est, se=se, statistic=float(stat), df=df, pvalue=float(pval),
        ci_low=float(low), ci_high=float(high), rho=float(rho_hat),
        sigma=float(np.sqrt(fit.scale)), n_obs=int(n), n_dropped=int(n_all - n),
        n_blocks=n_blocks, trend=trend, estimation=how, alternative=alternative,
        confidence_level=confidence_level,
    )


# ---------------------------------------------------------------------------
# naive day-level Welch t-test (comparison only)
# ---------------------------------------------------------------------------
NAIVE_METHOD = ("naive day-level Welch t-test on pooled days (ANTI-CONSERVATIVE under "
                "autocorrelation; shown only for comparison)")


@dataclasses.dataclass(frozen=True)
class DayTTestResult(_ArrayResultMixin):
    """Welch t-test on pooled daily scores (comparison only: anti-conservative).

    Attributes
    ----------
    statistic, pvalue, df : float
        Welch t, its p-value and Welch-Satterthwaite degrees of freedom.
    estimate : float
        mean(A days) - mean(B days).
    ci_low, ci_high : float
    n_a, n_b : int
        Non-missing days under A and under B.
    alternative : str
    confidence_level : float
    method : str
    """

    statistic: Any
    pvalue: Any
    df: Any
    estimate: Any
    ci_low: Any
    ci_high: Any
    n_a: Any
    n_b: Any
    alternative: str
    confidence_level: float
    method: str = NAIVE_METHOD

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "ci_low", "ci_high", "statistic", "df", "pvalue", "n_a", "n_b",
        "alternative", "confidence_level", "method")

    def summary(self) -> str:
        head = [self.method,
                "H0: the mean daily score is the same under A (treatment) and B (control).",
                f"H1: the difference A - B {_HYPOTHESES[self.alternative]}.",
                "Days are treated as independent, which they are not: p-values are too small "
                "and intervals too narrow when days are autocorrelated."]
        if self.is_batch:
            return "\n".join(head + [f"batch of {np.size(self.pvalue)} analyses"])
        pct = f"{100 * self.confidence_level:g}%"
        return "\n".join(head + [
            f"n_a = {self.n_a} days, n_b = {self.n_b} days",
            f"estimate = {self.estimate:.4g} ({pct} CI {self.ci_low:.4g} to {self.ci_high:.4g})",
            f"t({self.df:.4g}) = {self.statistic:.4g}, p = {self.pvalue:.4g}",
        ])


def naive_day_ttest(scores: Any, labels: Any, *, alternative: str = "two-sided",
                    confidence_level: float = 0.95) -> DayTTestResult:
    """Welch t-test of A days vs B days, ignoring autocorrelation (for comparison only).

    Parameters
    ----------
    scores : array_like
        Daily scores, 1-D, or 2-D ``(n_batch, n_days)`` for many simulated
        trials sharing the same ``labels`` (fields become arrays). NaN marks
        a missing day and is left out.
    labels : array_like
        Condition of each day: 0/'A' (treatment) or 1/'B' (control); 1-D
        (shared by every row of a 2-D ``scores``) or 2-D with the shape of
        ``scores`` (one assignment per simulated trial).
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float

    Returns
    -------
    DayTTestResult

    Raises
    ------
    ValueError
        Bad shapes or labels; (1-D input) fewer than 2 days in a condition.

    Notes
    -----
    **This test is anti-conservative for daily diary data.** It treats every
    day as an independent observation, but daily scores are positively
    autocorrelated and periods drift, so the standard error is too small and
    the type I error far above its nominal level (``tests/test_calibration.py``
    measures it). It is shown only to contrast with the period-level analysis,
    as some apps report it. Formula: t = (ȳ_A - ȳ_B) / sqrt(s_A²/n_A + s_B²/n_B)
    with Welch-Satterthwaite degrees of freedom; equal to
    ``scipy.stats.ttest_ind(a_days, b_days, equal_var=False)``.

    References
    ----------
    .. [1] Welch BL (1947). The generalization of 'Student's' problem when several
       different population variances are involved. Biometrika 34:28-35.

    Examples
    --------
    >>> import numpy as np
    >>> from nof1.analysis import naive_day_ttest
    >>> rng = np.random.default_rng(12345)
    >>> labels = np.repeat([0, 1, 1, 0], 14)
    >>> scores = 5 + rng.normal(0, 1, size=labels.size)
    >>> res = naive_day_ttest(scores, labels)
    >>> res.n_a, res.n_b, round(res.pvalue, 3)
    (28, 28, 0.989)
    """
    y = _as_scores(scores)
    if y.ndim not in (1, 2):
        raise ValueError(f"`scores` must be 1-D or 2-D (batch, days); got ndim={y.ndim}")
    if np.ndim(labels) == 2:
        if y.ndim != 2 or np.shape(labels) != y.shape:
            raise ValueError("2-D `labels` must have the shape of 2-D `scores`")
        is_a = _as_labels(np.ravel(labels), y.size).reshape(y.shape)
    else:
        is_a = _as_labels(labels, y.shape[-1])
    alternative = check_alternative(alternative)
    confidence_level = check_confidence_level(confidence_level)
    one = y.ndim == 1
    y = np.atleast_2d(y)
    ok = ~np.isnan(y)

    def moments(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m = ok & mask
        n = m.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(m, y, 0.0).sum(axis=-1) / n
            var = (np.where(m, y - mean[:, None], 0.0) ** 2).sum(axis=-1) / (n - 1)
        return n, mean, var

    n_a, mean_a, var_a = moments(is_a)
    n_b, mean_b, var_b = moments(~is_a)
    if one and (n_a[0] < 2 or n_b[0] < 2):
        raise ValueError("each condition needs at least 2 non-missing days")
    with np.errstate(divide="ignore", invalid="ignore"):
        va, vb = var_a / n_a, var_b / n_b
        se = np.sqrt(va + vb)
        est = mean_a - mean_b
        t = est / se
        df = (va + vb) ** 2 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
    if alternative == "two-sided":
        p = 2 * stats.t.sf(np.abs(t), df)
        q = stats.t.ppf(0.5 + confidence_level / 2, df)
        low, high = est - q * se, est + q * se
    elif alternative == "less":
        p = stats.t.cdf(t, df)
        low, high = np.full_like(est, -np.inf), est + stats.t.ppf(confidence_level, df) * se
    else:
        p = stats.t.sf(t, df)
        low, high = est - stats.t.ppf(confidence_level, df) * se, np.full_like(est, np.inf)

    def out(x: np.ndarray) -> Any:
        return x[0].item() if one else x

    return DayTTestResult(statistic=out(t), pvalue=out(p), df=out(df), estimate=out(est),
                          ci_low=out(low), ci_high=out(high), n_a=out(n_a), n_b=out(n_b),
                          alternative=alternative, confidence_level=confidence_level)
