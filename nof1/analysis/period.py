"""Period-level paired tests: the period, not the day, is the unit of the primary analysis.

For a paired design each pair j of periods gives one treatment period mean
``a[j]`` (condition A) and one control period mean ``b[j]`` (condition B).
The pair differences ``d[j] = a[j] - b[j]`` are analysed with the paired
t-test (:func:`paired_period_test`) or the Wilcoxon signed-rank test
(:func:`wilcoxon_period_test`).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
from scipy import stats

from .._inference import t_interval, t_pvalue
from .._results import BatchResultMixin, ResultMixin
from .._validation import check_alternative, check_confidence_level

__all__ = ["PairedTestResult", "WilcoxonResult", "paired_period_test", "wilcoxon_period_test"]

_HYPOTHESES = {
    "two-sided": "is not 0",
    "less": "is below 0 (treatment A lower than control B)",
    "greater": "is above 0 (treatment A higher than control B)",
}


#: kept under its old name for the modules that import it from here
_ArrayResultMixin = BatchResultMixin


def _as_pairs(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate two equally shaped 1-D or 2-D float arrays of period means."""
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("`a` and `b` must be array-like of numbers (period means)") from exc
    if a.ndim not in (1, 2):
        raise ValueError(f"`a` must be 1-D (pairs) or 2-D (batch, pairs); got ndim={a.ndim}")
    if a.shape != b.shape:
        raise ValueError(f"`a` and `b` must have the same shape; got {a.shape} and {b.shape}")
    if np.isinf(a).any() or np.isinf(b).any():
        raise ValueError("`a` and `b` must be finite (NaN marks a missing period mean)")
    return a, b


def _scalarize(x: np.ndarray, one: bool) -> Any:
    return x[0].item() if one else x


# ---------------------------------------------------------------------------
# paired t-test
# ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PairedTestResult(_ArrayResultMixin):
    """Paired t-test on period-level pair differences ``d = a - b``.

    Scalars for one trial; arrays (one entry per row of the input) for a batch.

    Attributes
    ----------
    statistic : float
        t = mean(d) / (sd(d) / sqrt(n_pairs)).
    pvalue : float
    df : float
        Degrees of freedom, ``n_pairs - 1``.
    estimate : float
        Mean pair difference, treatment A minus control B, in outcome units.
    se : float
        Standard error of the estimate, sd(d) / sqrt(n_pairs).
    ci_low, ci_high : float
        Confidence interval for the mean difference (one-sided alternatives
        give an infinite bound, as scipy does).
    alternative : str
    confidence_level : float
    n_pairs : int
        Complete pairs analysed.
    n_dropped : int
        Pairs dropped because a period mean was missing (NaN).
    method : str
    """

    statistic: Any
    pvalue: Any
    df: Any
    estimate: Any
    se: Any
    ci_low: Any
    ci_high: Any
    alternative: str
    confidence_level: float
    n_pairs: Any
    n_dropped: Any
    method: str = "paired t-test on period-level pair differences"

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "se", "ci_low", "ci_high", "statistic", "df", "pvalue", "alternative",
        "confidence_level", "n_pairs", "n_dropped", "method")

    def summary(self) -> str:
        head = [self.method,
                "H0: the mean pair difference (treatment A - control B) is 0.",
                f"H1: the mean pair difference {_HYPOTHESES[self.alternative]}."]
        if self.is_batch:
            n = np.size(self.pvalue)
            return "\n".join(head + [f"batch of {n} analyses; use to_frame() for the values"])
        return "\n".join(head + [
            f"n_pairs = {self.n_pairs} ({self.n_dropped} dropped for missing period means)",
            *self._t_lines()])


def paired_period_test(a: Any, b: Any, *, alternative: str = "two-sided",
                       confidence_level: float = 0.95) -> PairedTestResult:
    """Paired t-test on the period means of the two conditions, one value per pair.

    Parameters
    ----------
    a, b : array_like
        Period means of condition A (treatment) and condition B (control):
        ``a[j]``, ``b[j]`` belong to pair j. 1-D of length k, or 2-D of
        shape ``(n_batch, k)`` to analyse many trials at once (the test runs
        along the last axis and every result field becomes an array).
        NaN marks a missing period mean; such pairs are dropped and counted.
    alternative : {'two-sided', 'less', 'greater'}
        Alternative hypothesis about the mean difference A - B.
    confidence_level : float
        Confidence level of the interval for the mean difference.

    Returns
    -------
    PairedTestResult

    Raises
    ------
    ValueError
        Shapes differ, the input is not 1-D/2-D, contains infinities, or
        (1-D input) fewer than 2 complete pairs remain. In a batch, rows
        with fewer than 2 complete pairs give NaN results instead.

    Notes
    -----
    With d_j = a_j - b_j for the k complete pairs, d̄ their mean and s_d
    their standard deviation,

        t = d̄ / (s_d / √k),   df = k - 1,
        CI = d̄ ± t_{k-1, 1-α/2} · s_d / √k

    (``docs/methods.md`` §2.1). The null hypothesis is that the pair
    differences have mean 0; the p-value is from Student's t distribution
    with k - 1 degrees of freedom, assuming the pair differences are
    independent and roughly normal. Because the period is the unit, the test
    is robust to autocorrelation of the daily scores within a period. This
    is the same test as ``scipy.stats.ttest_rel(a, b)`` (after dropping
    incomplete pairs). If all differences are equal, s_d = 0 and the
    statistic is infinite (or NaN if they are all 0).

    References
    ----------
    .. [1] Chen X, Chen P (2014). A comparison of four methods for the analysis
       of N-of-1 trials. PLoS ONE 9:e87752.

    Examples
    --------
    >>> import numpy as np
    >>> from nof1.analysis import paired_period_test
    >>> rng = np.random.default_rng(12345)
    >>> b = 5 + rng.normal(0, 0.5, size=6)          # control (placebo) period means
    >>> a = b - 0.8 + rng.normal(0, 0.4, size=6)    # treatment period means
    >>> res = paired_period_test(a, b)
    >>> round(res.estimate, 3), round(res.pvalue, 4), res.n_pairs
    (-0.733, 0.0364, 6)
    """
    a, b = _as_pairs(a, b)
    alternative = check_alternative(alternative)
    confidence_level = check_confidence_level(confidence_level)
    one = a.ndim == 1
    d = np.atleast_2d(a - b)
    ok = ~np.isnan(d)
    k = ok.sum(axis=-1)
    n_dropped = d.shape[-1] - k
    if one and k[0] < 2:
        raise ValueError(f"at least 2 complete pairs are needed; got {int(k[0])}")
    dz = np.where(ok, d, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = dz.sum(axis=-1) / k
        ss = (np.where(ok, d - mean[:, None], 0.0) ** 2).sum(axis=-1)
        df = (k - 1).astype(float)
        df[df < 1] = np.nan
        se = np.sqrt(ss / df / k)
        t = mean / se
    p = np.clip(t_pvalue(t, df, alternative), 0.0, 1.0)
    low, high = t_interval(mean, se, df, alternative, confidence_level)
    low = np.where(np.isnan(mean) | np.isnan(df), np.nan, low)
    high = np.where(np.isnan(mean) | np.isnan(df), np.nan, high)
    return PairedTestResult(
        statistic=_scalarize(t, one), pvalue=_scalarize(p, one), df=_scalarize(df, one),
        estimate=_scalarize(mean, one), se=_scalarize(se, one),
        ci_low=_scalarize(low, one), ci_high=_scalarize(high, one),
        alternative=alternative, confidence_level=confidence_level,
        n_pairs=_scalarize(k, one), n_dropped=_scalarize(n_dropped, one),
    )


# ---------------------------------------------------------------------------
# Wilcoxon signed-rank test
# ---------------------------------------------------------------------------
#: largest number of non-zero differences for which the exact distribution is computed
_EXACT_MAX = 200


@dataclasses.dataclass(frozen=True)
class WilcoxonResult(ResultMixin):
    """Wilcoxon signed-rank test on period-level pair differences ``d = a - b``.

    Attributes
    ----------
    statistic : float
        W+ = sum of the ranks of |d| over the positive differences (for every
        ``alternative``; scipy reports min(W+, W-) for the two-sided test).
    pvalue : float
    estimate : float
        Hodges-Lehmann estimate: the median of the Walsh averages
        (d_i + d_j)/2, i <= j, over all complete pairs.
    alternative : str
    n_pairs : int
        Complete pairs.
    n_zero : int
        Pairs with d = 0, discarded from the ranking (Wilcoxon's convention).
    n_dropped : int
        Pairs dropped because a period mean was missing (NaN).
    exact : bool
        Whether the p-value comes from the exact permutation distribution.
    min_pvalue : float
        The smallest p-value attainable with this many non-zero differences
        (2 / 2**n two-sided, 1 / 2**n one-sided, for the exact test).
    method : str
    """

    statistic: float
    pvalue: float
    estimate: float
    alternative: str
    n_pairs: int
    n_zero: int
    n_dropped: int
    exact: bool
    min_pvalue: float
    method: str = "Wilcoxon signed-rank test on period-level pair differences"

    def summary(self) -> str:
        return "\n".join([
            self.method,
            "H0: the pair differences (treatment A - control B) are symmetric about 0.",
            f"H1: their centre {_HYPOTHESES[self.alternative]}.",
            f"n_pairs = {self.n_pairs} ({self.n_zero} zero differences, "
            f"{self.n_dropped} dropped for missing period means)",
            f"Hodges-Lehmann estimate = {self.estimate:.4g}",
            f"W+ = {self.statistic:g}, p = {self.pvalue:.4g} "
            f"({'exact' if self.exact else 'normal approximation'}; smallest attainable "
            f"p = {self.min_pvalue:.4g})",
        ])


def _signed_rank_null(ranks2: np.ndarray) -> np.ndarray:
    """Exact null distribution of 2*W+ given doubled (integer) ranks: P(2W+ = s)."""
    total = int(ranks2.sum())
    dist = np.zeros(total + 1)
    dist[0] = 1.0
    for r in ranks2.astype(int):
        shifted = np.zeros_like(dist)
        shifted[r:] = dist[:total + 1 - r]
        dist = 0.5 * (dist + shifted)
    return dist


def wilcoxon_period_test(a: Any, b: Any, *, alternative: str = "two-sided") -> WilcoxonResult:
    """Wilcoxon signed-rank test on the pair differences of period means.

    Parameters
    ----------
    a, b : array_like
        1-D period means of condition A (treatment) and B (control), one per
        pair. NaN marks a missing period mean; such pairs are dropped.
    alternative : {'two-sided', 'less', 'greater'}
        'greater': the differences A - B tend to be positive.

    Returns
    -------
    WilcoxonResult

    Raises
    ------
    ValueError
        Shapes differ, the input is not 1-D, or no non-zero difference remains.

    Notes
    -----
    Zero differences are discarded (Wilcoxon's convention, scipy's
    ``zero_method='wilcox'``); the |d| of the others are ranked with
    mid-ranks for ties, and W+ is the sum of the ranks of the positive
    differences. Under the null hypothesis (differences symmetric about 0)
    every sign pattern is equally likely, so the exact null distribution of
    W+ is that of the 2**n sign flips of the ranks; it is computed exactly
    (also with ties, conditionally on the tied ranks) for n <= 200 non-zero
    differences and by the normal approximation with tie correction above.
    One-sided p-values are P(W+ >= observed) ('greater') or P(W+ <= observed)
    ('less'); the two-sided p-value is twice the smaller, capped at 1. This
    agrees with ``scipy.stats.wilcoxon(a - b)`` where scipy is exact (n <= 50
    without ties; n <= 13 with ties or zeros).

    **With few pairs the test is coarse:** its smallest attainable two-sided
    p-value is 2 / 2**n — 0.25 with 3 pairs, 0.125 with 4, 0.0625 with 5,
    0.031 with 6 — so fewer than 6 pairs can never give two-sided p < 0.05,
    whatever the data. ``min_pvalue`` reports this bound.

    References
    ----------
    .. [1] Wilcoxon F (1945). Individual comparisons by ranking methods.
       Biometrics Bulletin 1:80-83.
    .. [2] Hodges JL, Lehmann EL (1963). Estimates of location based on rank
       tests. Ann Math Stat 34:598-611.

    Examples
    --------
    >>> import numpy as np
    >>> from nof1.analysis import wilcoxon_period_test
    >>> rng = np.random.default_rng(12345)
    >>> b = 5 + rng.normal(0, 0.5, size=6)
    >>> a = b - 0.8 + rng.normal(0, 0.4, size=6)
    >>> res = wilcoxon_period_test(a, b)
    >>> res.statistic, res.pvalue, res.min_pvalue
    (1.0, 0.0625, 0.03125)
    """
    a, b = _as_pairs(a, b)
    if a.ndim != 1:
        raise ValueError("`a` and `b` must be 1-D (one period mean per pair)")
    alternative = check_alternative(alternative)
    d_all = a - b
    complete = ~np.isnan(d_all)
    d_all = d_all[complete]
    n_dropped = int((~complete).sum())
    zero = d_all == 0
    d = d_all[~zero]
    n = d.size
    if n == 0:
        raise ValueError("no non-zero pair difference: the signed-rank test is undefined")
    ranks = stats.rankdata(np.abs(d))
    w_plus = float(ranks[d > 0].sum())
    exact = n <= _EXACT_MAX
    if exact:
        ranks2 = np.rint(2 * ranks).astype(np.int64)
        dist = _signed_rank_null(ranks2)
        obs = int(np.rint(2 * w_plus))
        p_greater = float(dist[obs:].sum())
        p_less = float(dist[:obs + 1].sum())
    else:  # normal approximation with tie correction
        _, counts = np.unique(ranks, return_counts=True)
        mean = n * (n + 1) / 4
        var = n * (n + 1) * (2 * n + 1) / 24 - (counts ** 3 - counts).sum() / 48
        z = (w_plus - mean) / np.sqrt(var)
        p_greater, p_less = float(stats.norm.sf(z)), float(stats.norm.cdf(z))
    if alternative == "greater":
        p = p_greater
    elif alternative == "less":
        p = p_less
    else:
        p = min(1.0, 2 * min(p_greater, p_less))
    min_p = 0.5 ** n if alternative != "two-sided" else min(1.0, 2 * 0.5 ** n)
    i, j = np.triu_indices(d_all.size)
    walsh = (d_all[i] + d_all[j]) / 2
    return WilcoxonResult(
        statistic=w_plus, pvalue=min(max(p, 0.0), 1.0), estimate=float(np.median(walsh)),
        alternative=alternative, n_pairs=int(d_all.size), n_zero=int(zero.sum()),
        n_dropped=n_dropped, exact=exact, min_pvalue=min_p,
    )
