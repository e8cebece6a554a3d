"""Re-reading published summary statistics: t-tests from mean, SD and n, and which
group sizes are consistent with a published p-value."""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._inference import t_interval, t_pvalue
from .._results import ResultMixin
from .._validation import check_alternative, check_float, check_int
from ._data import check_level

__all__ = ["SummaryTTestResult", "ttest_from_summary", "change_sd", "group_sizes_for_pvalue"]


@dataclasses.dataclass(frozen=True)
class SummaryTTestResult(ResultMixin):
    """Result of :func:`ttest_from_summary` (estimate = mean1 - mean2).

    Attributes
    ----------
    method : {'welch', 'pooled'}
        Welch's unequal-variance t-test or Student's pooled-variance t-test.
    n1, n2 : int
        Group sizes.
    estimate : float
        ``mean1 - mean2``.
    se : float
        Standard error of ``estimate``.
    ci_low, ci_high : float
        Confidence interval of ``estimate`` (one-sided for one-sided alternatives).
    statistic : float
        t statistic, ``estimate / se``.
    df : float
        Degrees of freedom (Welch-Satterthwaite, or n1 + n2 - 2).
    pvalue : float
        P-value for ``alternative``.
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float
    """

    method: str
    n1: int
    n2: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    pvalue: float
    alternative: str
    confidence_level: float

    def summary(self) -> str:
        h1 = {"two-sided": "mean1 - mean2 differs from 0", "less": "mean1 - mean2 is below 0",
              "greater": "mean1 - mean2 is above 0"}
        name = "Welch t-test" if self.method == "welch" else "Student t-test (pooled variance)"
        return (f"{name} from summary statistics (n1 = {self.n1}, n2 = {self.n2}).\n"
                f"H0: the two population means are equal.\n"
                f"H1 ({self.alternative}): {h1[self.alternative]}.\n"
                f"mean1 - mean2 = {self.estimate:.4g} (SE {self.se:.4g}), "
                f"{100 * self.confidence_level:g}% CI [{self.ci_low:.4g}, {self.ci_high:.4g}]; "
                f"t = {self.statistic:.4g}, df = {self.df:.4g}; p = {self.pvalue:.4g}.")


def _t_from_stats(m1: Any, s1: Any, n1: Any, m2: Any, s2: Any, n2: Any,
                  equal_var: bool) -> tuple[Any, Any, Any]:
    """t statistic, df and standard error (broadcasting over arrays)."""
    v1, v2 = np.square(s1), np.square(s2)
    if equal_var:
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
        se = np.sqrt(pooled * (1 / n1 + 1 / n2))
        df = (n1 + n2 - 2) * np.ones_like(se)
    else:
        a, b = v1 / n1, v2 / n2
        se = np.sqrt(a + b)
        df = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))
    return (m1 - m2) / se, df, se


def ttest_from_summary(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int,
                       *, equal_var: bool = False, alternative: str = "two-sided",
                       confidence_level: float = 0.95) -> SummaryTTestResult:
    """Two-sample t-test from published means, standard deviations and group sizes.

    Parameters
    ----------
    mean1, sd1, n1 : float, float, int
        Mean, sample SD (> 0) and size (>= 2) of group 1 (e.g. the treatment).
    mean2, sd2, n2 : float, float, int
        The same for group 2.
    equal_var : bool, default False
        False: Welch's test; True: Student's test with pooled variance.
    alternative : {'two-sided', 'less', 'greater'}
        'less': mean1 < mean2.
    confidence_level : float, default 0.95
        For the interval of mean1 - mean2.

    Returns
    -------
    SummaryTTestResult
        ``estimate`` (mean1 - mean2), ``se``, ``ci_low``, ``ci_high``,
        ``statistic``, ``df``, ``pvalue``.

    Raises
    ------
    ValueError
        If an SD is not positive or a group has fewer than 2 members.

    Notes
    -----
    Welch: t = (m1 - m2) / sqrt(s1^2/n1 + s2^2/n2), df = (a + b)^2 /
    (a^2/(n1 - 1) + b^2/(n2 - 1)) with a = s1^2/n1, b = s2^2/n2. Pooled:
    s^2 = ((n1 - 1) s1^2 + (n2 - 1) s2^2) / (n1 + n2 - 2), df = n1 + n2 - 2.
    H0: equal population means. Same numbers as
    ``scipy.stats.ttest_ind_from_stats``, plus the confidence interval.
    Published means and SDs are rounded; see :func:`group_sizes_for_pvalue`
    for what that rounding allows.

    References
    ----------
    .. [1] Welch BL. The generalization of "Student's" problem when several
       different population variances are involved. Biometrika 1947;34:28-35.

    Examples
    --------
    >>> from nof1.cohort import ttest_from_summary
    >>> res = ttest_from_summary(12.3, 7.0, 15, 22.9, 11.9, 15)
    >>> round(res.statistic, 3), round(res.df, 1), round(res.pvalue, 4)
    (-2.974, 22.7, 0.0069)
    """
    m1 = check_float(mean1, "mean1")
    m2 = check_float(mean2, "mean2")
    s1 = check_float(sd1, "sd1", minimum=0.0, inclusive=False)
    s2 = check_float(sd2, "sd2", minimum=0.0, inclusive=False)
    k1 = check_int(n1, "n1", minimum=2)
    k2 = check_int(n2, "n2", minimum=2)
    if not isinstance(equal_var, bool):
        raise TypeError("`equal_var` must be True or False")
    alternative = check_alternative(alternative)
    level = check_level(confidence_level)
    t, df, se = _t_from_stats(m1, s1, k1, m2, s2, k2, equal_var)
    ci = t_interval(m1 - m2, float(se), float(df), alternative, level)
    return SummaryTTestResult(
        method="pooled" if equal_var else "welch", n1=k1, n2=k2, estimate=m1 - m2,
        se=float(se), ci_low=float(ci[0]), ci_high=float(ci[1]), statistic=float(t),
        df=float(df), pvalue=float(t_pvalue(t, df, alternative)), alternative=alternative,
        confidence_level=level)


def change_sd(sd_baseline: Any, sd_end: Any, correlation: Any) -> Any:
    """Standard deviation of change (end - baseline) from the two visit SDs and their correlation.

    Parameters
    ----------
    sd_baseline, sd_end : float or array-like
        SDs at baseline and at the end visit (>= 0).
    correlation : float or array-like
        Assumed correlation between baseline and end values, in [-1, 1].

    Returns
    -------
    float or numpy.ndarray
        sqrt(sd_baseline^2 + sd_end^2 - 2 r sd_baseline sd_end).

    Raises
    ------
    ValueError
        If an SD is negative or not finite, or a correlation is outside [-1, 1].

    Notes
    -----
    Var(end - baseline) = Var(end) + Var(baseline) - 2 Cov(end, baseline).
    Trial reports rarely give the correlation, so any SD of change derived
    this way rests on an assumption; scan a range of correlations.

    References
    ----------
    .. [1] Higgins JPT, et al. (eds). Cochrane Handbook for Systematic Reviews
       of Interventions, version 6, section 6.5.2.8 (imputing standard
       deviations for changes from baseline).

    Examples
    --------
    >>> from nof1.cohort import change_sd
    >>> round(change_sd(2.8, 7.0, 0.5), 3)
    6.102
    >>> change_sd(3.0, 4.0, 0.0)
    5.0
    """
    s0 = np.asarray(sd_baseline, dtype=float)
    s1 = np.asarray(sd_end, dtype=float)
    r = np.asarray(correlation, dtype=float)
    if not (np.all(np.isfinite(s0)) and np.all(s0 >= 0)):
        raise ValueError("`sd_baseline` must be finite and >= 0")
    if not (np.all(np.isfinite(s1)) and np.all(s1 >= 0)):
        raise ValueError("`sd_end` must be finite and >= 0")
    if not (np.all(np.isfinite(r)) and np.all(np.abs(r) <= 1)):
        raise ValueError("`correlation` must lie in [-1, 1]")
    out = np.sqrt(np.maximum(s0 ** 2 + s1 ** 2 - 2 * r * s0 * s1, 0.0))
    return float(out) if out.ndim == 0 else out


def _sizes(values: Any, name: str) -> np.ndarray:
    if isinstance(values, numbers.Integral):
        values = [values]
    if not isinstance(values, Iterable):
        raise TypeError(f"`{name}` must be an iterable of group sizes, e.g. range(2, 61)")
    out = np.array([check_int(v, name, minimum=2) for v in values], dtype=np.int64)
    if out.size == 0:
        raise ValueError(f"`{name}` must hold at least one group size")
    return np.unique(out)


def group_sizes_for_pvalue(mean1: float, sd1: float, mean2: float, sd2: float, pvalue: float,
                           *, decimals: int = 3, n1: Iterable[int] = range(2, 61),
                           n2: Iterable[int] = range(2, 61), mean_tolerance: float = 0.05,
                           sd_tolerance: float = 0.05, equal_var: bool = False,
                           alternative: str = "two-sided",
                           only_consistent: bool = True) -> pd.DataFrame:
    """Group sizes (n1, n2) for which a t-test on published summaries gives the published p.

    Parameters
    ----------
    mean1, sd1, mean2, sd2 : float
        The published means and SDs (as printed, i.e. rounded).
    pvalue : float
        The published p-value, e.g. 0.003.
    decimals : int, default 3
        Decimals the p-value was printed with: any p in
        ``[pvalue - 0.5e-decimals, pvalue + 0.5e-decimals]`` matches.
    n1, n2 : iterable of int, default range(2, 61)
        Group sizes to scan.
    mean_tolerance, sd_tolerance : float, default 0.05
        Half-width of the rounding of each mean and each SD (0.05 for one
        printed decimal). Use larger values for derived quantities, e.g.
        0.1 for a mean change computed from two rounded means.
    equal_var : bool, default False
        Welch (False) or pooled (True) t-test.
    alternative : {'two-sided', 'less', 'greater'}
        Alternative of the published test.
    only_consistent : bool, default True
        Return only the consistent pairs (otherwise every scanned pair, with a
        ``consistent`` flag).

    Returns
    -------
    pandas.DataFrame
        Columns ``n1, n2, statistic, df, pvalue`` (at the printed means and
        SDs), ``pvalue_min, pvalue_max`` (over the rounding intervals) and
        ``consistent``.

    Raises
    ------
    ValueError
        If an SD is not positive, the p-value is outside (0, 1], or a size is
        below 2.

    Notes
    -----
    A pair (n1, n2) is consistent when some means and SDs that round to the
    printed ones give a p-value that rounds to the printed one: the range
    [pvalue_min, pvalue_max] over the box (each mean +- mean_tolerance, each
    SD +- sd_tolerance) overlaps the printed p-value's rounding interval.
    The p-value is monotone in the mean difference, so the box is searched
    at its extreme differences (and 0, when the box contains it) and on a
    5 x 5 grid of the two SDs including the corners; for the pooled test the
    extremes lie exactly at the corners.

    The answer is only as good as the assumed test: if the published p came
    from another test (ANCOVA, a mixed model, a rank test), or from change
    scores whose SD had to be assumed (see :func:`change_sd`), the consistent
    sizes shift. This is a plausibility check, not a reconstruction.

    References
    ----------
    .. [1] Brown NJL, Heathers JAJ. The GRIM test: a simple technique detects
       numerous errors in the reporting of means in psychology. Soc Psychol
       Personal Sci 2017;8:363-369.

    Examples
    --------
    >>> from nof1.cohort import group_sizes_for_pvalue
    >>> sizes = group_sizes_for_pvalue(21.8, 9.6, 21.6, 10.8, 0.930, n1=range(39, 42),
    ...                                n2=range(39, 42), mean_tolerance=0.0, sd_tolerance=0.0)
    >>> sizes[["n1", "n2", "pvalue"]].round(4)
       n1  n2  pvalue
    0  39  41  0.9304
    1  40  40  0.9305
    2  40  41  0.9300
    3  41  40  0.9301
    4  41  41  0.9296
    """
    m1, m2 = check_float(mean1, "mean1"), check_float(mean2, "mean2")
    s1 = check_float(sd1, "sd1", minimum=0.0, inclusive=False)
    s2 = check_float(sd2, "sd2", minimum=0.0, inclusive=False)
    p = check_float(pvalue, "pvalue", minimum=0.0, maximum=1.0)
    if p == 0:
        raise ValueError("`pvalue` must be > 0 (a p printed as 0.000 or '< 0.001' is an "
                         "inequality; pass its upper bound with suitable `decimals`)")
    decimals = check_int(decimals, "decimals", minimum=1, maximum=12)
    mt = check_float(mean_tolerance, "mean_tolerance", minimum=0.0)
    st = check_float(sd_tolerance, "sd_tolerance", minimum=0.0)
    if not isinstance(equal_var, bool):
        raise TypeError("`equal_var` must be True or False")
    alternative = check_alternative(alternative)
    a1 = _sizes(n1, "n1")[:, None]
    a2 = _sizes(n2, "n2")[None, :]
    t, df, _ = _t_from_stats(m1, s1, a1, m2, s2, a2, equal_var)
    p_nominal = t_pvalue(t, df, alternative)
    d = m1 - m2
    diffs = {d - 2 * mt, d + 2 * mt}
    if alternative == "two-sided" and d - 2 * mt < 0 < d + 2 * mt:
        diffs.add(0.0)
    dv = np.array(sorted(diffs))[:, None, None]
    tiny = 1e-12
    g1 = np.unique(np.linspace(max(s1 - st, tiny), s1 + st, 5))[None, :, None]
    g2 = np.unique(np.linspace(max(s2 - st, tiny), s2 + st, 5))[None, None, :]
    tb, dfb, _ = _t_from_stats(dv, g1, a1[..., None, None, None], 0.0, g2,
                               a2[..., None, None, None], equal_var)
    pb = t_pvalue(tb, dfb, alternative)
    p_min = pb.min(axis=(-3, -2, -1))
    p_max = pb.max(axis=(-3, -2, -1))
    half = 0.5 * 10.0 ** -decimals
    consistent = (p_max >= p - half) & (p_min <= p + half)
    n1g, n2g = np.broadcast_arrays(a1, a2)
    out = pd.DataFrame({
        "n1": n1g.ravel(), "n2": n2g.ravel(), "statistic": np.ravel(t), "df": np.ravel(df),
        "pvalue": np.ravel(p_nominal), "pvalue_min": p_min.ravel(),
        "pvalue_max": p_max.ravel(), "consistent": consistent.ravel()})
    if only_consistent:
        out = out[out["consistent"]].reset_index(drop=True)
    return out
