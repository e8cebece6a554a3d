"""Day-level inputs and the naive day-level Welch t-test (comparison only).

The naive test treats every day as independent; it is anti-conservative for
autocorrelated diaries and is provided only to contrast with the period-level
analysis and the day-level GLS model (:mod:`.models`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from .._inference import t_interval, t_pvalue
from .._results import BatchResultMixin
from .._validation import check_alternative, check_confidence_level
from ..design import parse_labels
from .period import _HYPOTHESES

__all__ = ["DayTTestResult", "naive_day_ttest"]

def _as_labels(labels: Any, n: int) -> np.ndarray:
    """Condition per observation as a boolean 'is A' array (:func:`nof1.design.parse_labels`)."""
    lab = np.asarray(labels)
    if lab.ndim != 1 or lab.size != n:
        raise ValueError(f"`labels` must be 1-D with one entry per score ({n}); "
                         f"got shape {lab.shape}")
    return parse_labels(lab) == 0


def _as_scores(scores: Any, name: str = "scores") -> np.ndarray:
    try:
        y = np.asarray(scores, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be array-like of numbers") from exc
    if np.isinf(y).any():
        raise ValueError(f"`{name}` must be finite (NaN marks a missing day)")
    return y


# ---------------------------------------------------------------------------
# naive day-level Welch t-test (comparison only)
# ---------------------------------------------------------------------------
NAIVE_METHOD = ("naive day-level Welch t-test on pooled days (ANTI-CONSERVATIVE under "
                "autocorrelation; shown only for comparison)")


@dataclasses.dataclass(frozen=True)
class DayTTestResult(BatchResultMixin):
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
        return "\n".join(head + [f"n_a = {self.n_a} days, n_b = {self.n_b} days",
                                  *self._t_lines(df_format=".4g")])


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
    p = t_pvalue(t, df, alternative)
    low, high = t_interval(est, se, df, alternative, confidence_level)

    def out(x: np.ndarray) -> Any:
        return x[0].item() if one else x

    return DayTTestResult(statistic=out(t), pvalue=out(p), df=out(df), estimate=out(est),
                          ci_low=out(low), ci_high=out(high), n_a=out(n_a), n_b=out(n_b),
                          alternative=alternative, confidence_level=confidence_level)
