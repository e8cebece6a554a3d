"""Between-arm comparisons at the end visit and of change from baseline.

Welch and pooled t-tests, the Mann-Whitney test, and ANCOVA of the end value
adjusted for baseline, all on a wide table with one row per participant.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ResultMixin
from .._validation import check_alternative, check_choice
from ._data import (
    arm_indicator,
    check_column,
    check_frame,
    check_level,
    check_visits,
    endpoint_values,
    ols_coefficient,
)

__all__ = ["ArmComparisonResult", "compare_arms", "arm_comparisons", "COMPARISON_METHODS"]

#: methods of :func:`compare_arms`
COMPARISON_METHODS: tuple[str, ...] = ("welch", "pooled", "mann-whitney", "ancova")

_DEFAULT_TESTS = (("end", "welch"), ("end", "mann-whitney"), ("change", "welch"),
                  ("change", "mann-whitney"), ("change", "ancova"))

_NULL = {
    "welch": "the mean {what} is the same in both arms",
    "pooled": "the mean {what} is the same in both arms (equal variances assumed)",
    "mann-whitney": "the {what} has the same distribution in both arms",
    "ancova": "arm has no effect on the end value given the baseline value",
}
_NAME = {"welch": "Welch t-test", "pooled": "Student t-test (pooled variance)",
         "mann-whitney": "Mann-Whitney U test", "ancova": "ANCOVA (end ~ arm + baseline, OLS)"}


@dataclasses.dataclass(frozen=True)
class ArmComparisonResult(ResultMixin):
    """Result of :func:`compare_arms` (estimate = treatment - control).

    Attributes
    ----------
    outcome : str
        Column stem of the outcome, e.g. ``"dass_stress"``.
    endpoint : {'change', 'end'}
        Change from baseline (end - baseline) or the end-visit value.
    method : {'welch', 'pooled', 'mann-whitney', 'ancova'}
        The test (:data:`COMPARISON_METHODS`).
    treatment, control : str
        Arm labels; ``estimate`` is treatment minus control.
    n_treatment, n_control : int
        Participants with a complete ``endpoint`` (and baseline, for ANCOVA).
    mean_treatment, mean_control : float
        Mean of the endpoint in each arm.
    estimate : float
        Difference of means (Welch, pooled), Hodges-Lehmann shift (Mann-Whitney:
        the median of all treatment - control differences) or the arm
        coefficient adjusted for baseline (ANCOVA).
    ci_low, ci_high : float
        Confidence interval of ``estimate`` (one-sided for one-sided
        alternatives); NaN for Mann-Whitney.
    statistic : float
        t statistic, or U of the treatment sample for Mann-Whitney.
    df : float
        Degrees of freedom (Welch-Satterthwaite, n1 + n2 - 2, or residual df of
        the ANCOVA); NaN for Mann-Whitney.
    pvalue : float
        P-value for ``alternative``.
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float
    visits : tuple of str
        Baseline and end visit.
    """

    outcome: str
    endpoint: str
    method: str
    treatment: str
    control: str
    n_treatment: int
    n_control: int
    mean_treatment: float
    mean_control: float
    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    pvalue: float
    alternative: str
    confidence_level: float
    visits: tuple[str, str] = ("d0", "d28")

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "endpoint", "method", "treatment", "control", "n_treatment", "n_control",
        "mean_treatment", "mean_control", "estimate", "ci_low", "ci_high", "statistic", "df",
        "pvalue", "alternative", "confidence_level")

    def summary(self) -> str:
        what = (f"change from {self.visits[0]} to {self.visits[1]}" if self.endpoint == "change"
                else f"value at {self.visits[1]}")
        contrast = f"{self.treatment} - {self.control}"
        h1 = {"two-sided": f"{contrast} differs from 0",
              "less": f"{contrast} is below 0 (lower under {self.treatment})",
              "greater": f"{contrast} is above 0 (higher under {self.treatment})"}
        est = ("Hodges-Lehmann shift" if self.method == "mann-whitney"
               else "adjusted difference" if self.method == "ancova" else "difference in means")
        ci = ("" if np.isnan(self.ci_low) else
              f", {100 * self.confidence_level:g}% CI [{self.ci_low:.3g}, {self.ci_high:.3g}]")
        df = "" if np.isnan(self.df) else f", df = {self.df:.3g}"
        return (f"{_NAME[self.method]}: {self.outcome}, {what}, {self.treatment} "
                f"(n = {self.n_treatment}) vs {self.control} (n = {self.n_control}).\n"
                f"H0: {_NULL[self.method].format(what=what)}.\n"
                f"H1 ({self.alternative}): {h1[self.alternative]}.\n"
                f"{est} ({contrast}) = {self.estimate:.4g}{ci}; "
                f"statistic = {self.statistic:.4g}{df}; p = {self.pvalue:.4g}.")


def compare_arms(data: pd.DataFrame, outcome: str, *, endpoint: str = "change",
                 method: str = "welch", arm: str = "arm",
                 treatments: Sequence[str] = ("magnesium", "placebo"),
                 visits: Sequence[str] = ("d0", "d28"), alternative: str = "two-sided",
                 confidence_level: float = 0.95) -> ArmComparisonResult:
    """Compare the two arms of a parallel-group trial at the end visit or on change.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant, with columns ``f"{outcome}_{visit}"``.
    outcome : str
        Column stem, e.g. ``"dass_stress"``.
    endpoint : {'change', 'end'}
        Compare change from baseline (end - baseline) or the end-visit value.
    method : {'welch', 'pooled', 'mann-whitney', 'ancova'}
        Welch t-test, Student t-test with pooled variance, Mann-Whitney U
        test, or ANCOVA (OLS of the end value on arm and baseline value).
    arm : str, default 'arm'
        Column with the arm of each participant.
    treatments : (str, str), default ('magnesium', 'placebo')
        Treatment and control names as they appear in ``arm``.
    visits : (str, str), default ('d0', 'd28')
        Baseline and end visit labels.
    alternative : {'two-sided', 'less', 'greater'}
        'less': the treatment's values are lower than the control's.
    confidence_level : float, default 0.95
        For the confidence interval (one-sided for one-sided alternatives).

    Returns
    -------
    ArmComparisonResult
        ``estimate`` (treatment - control), ``ci_low``, ``ci_high``,
        ``statistic``, ``df``, ``pvalue``, the arm sizes and means of the
        endpoint.

    Raises
    ------
    ValueError
        If columns are missing or not numeric, an arm label is not one of
        ``treatments``, an arm has fewer than 2 complete rows, or an option
        is not allowed.

    Notes
    -----
    Participants missing a value the endpoint needs (and, for ANCOVA, the
    baseline) are left out; ``n_treatment`` and ``n_control`` say how many
    were used.

    - ``welch``: t = (m1 - m2) / sqrt(s1^2/n1 + s2^2/n2) with
      Welch-Satterthwaite df; ``pooled``: the same with the pooled variance
      and n1 + n2 - 2 df (``scipy.stats.ttest_ind``). H0: equal means.
    - ``mann-whitney``: U of the treatment sample (``scipy.stats.mannwhitneyu``,
      exact without ties in small samples, otherwise the normal approximation
      with tie and continuity corrections). H0: the same distribution in both
      arms. The estimate is the Hodges-Lehmann shift, the median of all
      treatment - control differences; no interval is given (NaN).
    - ``ancova``: OLS ``end ~ arm + baseline``; the estimate is the arm
      coefficient, tested with t on n - 3 df. The estimate and p-value are the
      same for ``endpoint='end'`` and ``'change'`` (change = end - baseline
      only shifts the baseline coefficient by 1); ``mean_*`` are raw means of
      the chosen endpoint.

    References
    ----------
    .. [1] Welch BL. The generalization of "Student's" problem when several
       different population variances are involved. Biometrika 1947;34:28-35.
    .. [2] Vickers AJ, Altman DG. Analysing controlled trials with baseline and
       follow up measurements. BMJ 2001;323:1123-1124.

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1.cohort import compare_arms
    >>> df = pd.DataFrame({"arm": ["magnesium"] * 4 + ["placebo"] * 4,
    ...                    "stress_d0": [22, 20, 24, 23, 21, 22, 20, 25],
    ...                    "stress_d28": [12, 15, 10, 18, 22, 19, 24, 23]})
    >>> res = compare_arms(df, "stress", endpoint="change")
    >>> round(res.estimate, 2), round(res.pvalue, 4)
    (-8.5, 0.0223)
    """
    data = check_frame(data)
    endpoint = check_choice(endpoint, "endpoint", ("change", "end"))
    method = check_choice(method, "method", COMPARISON_METHODS)
    alternative = check_alternative(alternative)
    level = check_level(confidence_level)
    ind, treatments = arm_indicator(data, arm, treatments)
    visits = check_visits(visits, minimum=2)
    y, base = endpoint_values(data, outcome, visits, endpoint)
    ok = ~(ind.isna() | y.isna())
    if method == "ancova":
        ok &= ~base.isna()
    t_mask = (ok & (ind == 1)).to_numpy()
    c_mask = (ok & (ind == 0)).to_numpy()
    yt, yc = y.to_numpy()[t_mask], y.to_numpy()[c_mask]
    for name, values in zip(treatments, (yt, yc), strict=True):
        if values.size < 2:
            raise ValueError(f"arm {name!r} has {values.size} complete row(s) for "
                             f"{outcome!r}; at least 2 are needed")
    df = np.nan
    ci = (np.nan, np.nan)
    if method in ("welch", "pooled"):
        res = stats.ttest_ind(yt, yc, equal_var=method == "pooled", alternative=alternative)
        estimate = float(yt.mean() - yc.mean())
        statistic, pvalue, df = float(res.statistic), float(res.pvalue), float(res.df)
        interval = res.confidence_interval(level)
        ci = (float(interval.low), float(interval.high))
    elif method == "mann-whitney":
        res = stats.mannwhitneyu(yt, yc, alternative=alternative)
        estimate = float(np.median(np.subtract.outer(yt, yc)))
        statistic, pvalue = float(res.statistic), float(res.pvalue)
    else:
        m = ok.to_numpy()
        exog = np.column_stack([np.ones(m.sum()), ind.to_numpy()[m], base.to_numpy()[m]])
        test = ols_coefficient(y.to_numpy()[m], exog, 1, alternative, level)
        estimate, statistic, pvalue, df = test.estimate, test.statistic, test.pvalue, test.df
        ci = (test.ci_low, test.ci_high)
    return ArmComparisonResult(
        outcome=outcome, endpoint=endpoint, method=method, treatment=treatments[0],
        control=treatments[1], n_treatment=int(yt.size), n_control=int(yc.size),
        mean_treatment=float(yt.mean()), mean_control=float(yc.mean()), estimate=estimate,
        ci_low=ci[0], ci_high=ci[1], statistic=statistic, df=df, pvalue=pvalue,
        alternative=alternative, confidence_level=level, visits=(visits[0], visits[1]))


def arm_comparisons(data: pd.DataFrame, outcome: str, *, by: str | None = None,
                    tests: Sequence[tuple[str, str]] = _DEFAULT_TESTS, overall: bool = True,
                    arm: str = "arm", treatments: Sequence[str] = ("magnesium", "placebo"),
                    visits: Sequence[str] = ("d0", "d28"), alternative: str = "two-sided",
                    confidence_level: float = 0.95) -> pd.DataFrame:
    """A table of :func:`compare_arms` results, for each subgroup and each test.

    Parameters
    ----------
    data, outcome, arm, treatments, visits, alternative, confidence_level
        As for :func:`compare_arms`.
    by : str, optional
        Column defining subgroups; each subgroup is analysed separately.
    tests : sequence of (endpoint, method)
        Default: end-visit Welch and Mann-Whitney, change Welch and
        Mann-Whitney, and ANCOVA (listed once, under 'change': its estimate
        is the same for both endpoints).
    overall : bool, default True
        With ``by``, also analyse the whole sample (subgroup ``"all"``).

    Returns
    -------
    pandas.DataFrame
        A ``subgroup`` column followed by the columns of
        ``ArmComparisonResult.to_frame()``; one row per subgroup and test.

    Notes
    -----
    These are separate tests within each subgroup. They do not test whether
    the effect differs between subgroups: that is
    :func:`subgroup_interaction`. Each row's p-value is unadjusted for the
    other rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1.cohort import arm_comparisons
    >>> df = pd.DataFrame({"arm": ["magnesium"] * 4 + ["placebo"] * 4,
    ...                    "stress_d0": [22, 20, 24, 23, 21, 22, 20, 25],
    ...                    "stress_d28": [12, 15, 10, 18, 22, 19, 24, 23]})
    >>> table = arm_comparisons(df, "stress", tests=[("change", "welch"), ("end", "welch")])
    >>> table[["subgroup", "endpoint", "method", "estimate"]]
      subgroup endpoint method  estimate
    0      all   change  welch     -8.50
    1      all      end  welch     -8.25
    """
    data = check_frame(data)
    if isinstance(tests, (str, tuple)) and len(tests) == 2 and isinstance(tests[0], str):
        tests = [tests]  # a single (endpoint, method) pair
    tests = [tuple(t) for t in tests]
    if not tests:
        raise ValueError("`tests` must list at least one (endpoint, method) pair")
    groups: list[tuple[Any, pd.DataFrame]] = []
    if by is not None:
        check_column(data, by, "by")
        sub = data[by]
        levels = (list(sub.cat.categories) if isinstance(sub.dtype, pd.CategoricalDtype)
                  else sorted(sub.dropna().unique(), key=str))
        groups += [(level, data[sub == level]) for level in levels if (sub == level).any()]
    if by is None or overall:
        groups.append(("all", data))
    frames = []
    for level, part in groups:
        for endpoint, method in tests:
            res = compare_arms(part, outcome, endpoint=endpoint, method=method, arm=arm,
                               treatments=treatments, visits=visits, alternative=alternative,
                               confidence_level=confidence_level)
            row = res.to_frame()
            row.insert(0, "subgroup", level)
            frames.append(row)
    return pd.concat(frames, ignore_index=True)
