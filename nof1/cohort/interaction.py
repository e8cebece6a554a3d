"""Treatment-by-subgroup interaction: does the arm effect differ between two subgroups?"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import check_alternative
from ._data import (
    arm_indicator,
    check_column,
    check_frame,
    check_level,
    check_visits,
    endpoint_values,
    ols_coefficient,
)

__all__ = ["InteractionResult", "subgroup_interaction"]


@dataclasses.dataclass(frozen=True)
class InteractionResult(ResultMixin):
    """Result of :func:`subgroup_interaction`.

    ``estimate`` is the difference of differences: the arm effect (treatment
    - control) in ``other_level`` minus the arm effect in ``reference_level``.

    Attributes
    ----------
    outcome : str
        Column stem of the outcome.
    endpoint : {'change', 'end'}
        Change from baseline or the end-visit value.
    subgroup : str
        The subgroup column.
    reference_level, other_level : str
        The two subgroup levels; effects are relative to ``reference_level``.
    treatment, control : str
        Arm labels.
    effect_reference, effect_other : float
        Arm effect (treatment - control) within each subgroup, from the model.
    estimate : float
        ``effect_other - effect_reference``, the interaction coefficient.
    ci_low, ci_high : float
        Confidence interval of ``estimate`` (one-sided for one-sided alternatives).
    statistic, df, pvalue : float
        t statistic, residual degrees of freedom and p-value of the interaction.
    n : int
        Participants in the model (complete rows).
    adjust_baseline : bool
        Whether the baseline value is a covariate.
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float
    """

    outcome: str
    endpoint: str
    subgroup: str
    reference_level: str
    other_level: str
    treatment: str
    control: str
    effect_reference: float
    effect_other: float
    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    pvalue: float
    n: int
    adjust_baseline: bool
    alternative: str
    confidence_level: float

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "endpoint", "subgroup", "reference_level", "other_level", "treatment",
        "control", "effect_reference", "effect_other", "estimate", "ci_low", "ci_high",
        "statistic", "df", "pvalue", "n", "adjust_baseline", "alternative", "confidence_level")

    def summary(self) -> str:
        contrast = f"{self.treatment} - {self.control}"
        adj = ", adjusted for baseline" if self.adjust_baseline else ""
        h1 = {"two-sided": "the effects differ",
              "less": f"the effect is lower in {self.other_level!r}",
              "greater": f"the effect is higher in {self.other_level!r}"}
        return (f"Treatment-by-subgroup interaction (OLS{adj}): {self.outcome} "
                f"({self.endpoint}), subgroups of {self.subgroup!r}, n = {self.n}.\n"
                f"H0: the effect ({contrast}) is the same in {self.reference_level!r} and "
                f"{self.other_level!r}.\n"
                f"H1 ({self.alternative}): {h1[self.alternative]}.\n"
                f"effect in {self.reference_level!r} = {self.effect_reference:.4g}; "
                f"in {self.other_level!r} = {self.effect_other:.4g}; difference of differences "
                f"= {self.estimate:.4g}, {100 * self.confidence_level:g}% CI "
                f"[{self.ci_low:.3g}, {self.ci_high:.3g}]; t = {self.statistic:.4g}, "
                f"df = {self.df:.4g}; p = {self.pvalue:.4g}.")


def subgroup_interaction(data: pd.DataFrame, outcome: str, *, subgroup: str,
                         endpoint: str = "change", reference: Any = None, arm: str = "arm",
                         treatments: Sequence[str] = ("magnesium", "placebo"),
                         visits: Sequence[str] = ("d0", "d28"), adjust_baseline: bool = False,
                         alternative: str = "two-sided",
                         confidence_level: float = 0.95) -> InteractionResult:
    """Test whether the between-arm effect differs between two subgroups.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant, with columns ``f"{outcome}_{visit}"``.
    outcome : str
        Column stem, e.g. ``"dass_stress"``.
    subgroup : str
        Column with exactly two subgroup levels (missing values are left out).
    endpoint : {'change', 'end'}
        Model change from baseline or the end value.
    reference : optional
        The reference subgroup level (default: the first category of a
        categorical column, else the first in sorted order).
    arm, treatments, visits
        As for :func:`compare_arms`.
    adjust_baseline : bool, default False
        Add the baseline value as a covariate (ANCOVA with interaction).
    alternative : {'two-sided', 'less', 'greater'}
        For the interaction coefficient ('less': the effect is lower in the
        non-reference subgroup).
    confidence_level : float, default 0.95
        For the interval of the difference of differences.

    Returns
    -------
    InteractionResult
        ``effect_reference`` and ``effect_other`` (the arm effect in each
        subgroup, from the model), ``estimate`` (their difference), its
        interval, ``statistic`` (t), ``df`` and ``pvalue``.

    Raises
    ------
    ValueError
        If the subgroup column does not have exactly two levels, a column is
        missing, or a subgroup x arm cell has fewer than 2 complete rows.

    Notes
    -----
    Model (OLS, statsmodels; in formula notation)::

        y ~ treat + other + treat:other [+ baseline]

    with ``treat`` = 1 for the treatment arm and ``other`` = 1 for the
    non-reference subgroup. The coefficient of ``treat:other`` is the
    difference of differences; H0: it is 0 (the arm effect is the same in
    both subgroups). Without baseline adjustment it equals the difference of
    the four cell means, (T_o - C_o) - (T_r - C_r), with a pooled residual
    variance (n - 4 df).

    This is the test that speaks to "does the effect depend on the
    subgroup". A significant effect in one subgroup and not in the other is
    not evidence of a difference between subgroups.

    References
    ----------
    .. [1] Altman DG, Bland JM. Interaction revisited: the difference between
       two estimates. BMJ 2003;326:219.
    .. [2] Brookes ST, et al. Subgroup analyses in randomised controlled
       trials: quantifying the risks of false-positives and false-negatives.
       Health Technol Assess 2001;5(33).

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1.cohort import subgroup_interaction
    >>> df = pd.DataFrame({
    ...     "arm": ["magnesium", "placebo"] * 6,
    ...     "band": ["moderate"] * 6 + ["severe"] * 6,
    ...     "stress_d0": [22, 21, 24, 23, 20, 22, 30, 29, 33, 31, 28, 30],
    ...     "stress_d28": [12, 22, 15, 24, 11, 20, 25, 24, 29, 27, 22, 26]})
    >>> res = subgroup_interaction(df, "stress", subgroup="band")
    >>> round(res.effect_reference, 2), round(res.effect_other, 2), round(res.estimate, 2)
    (-9.33, -0.67, 8.67)
    """
    data = check_frame(data)
    alternative = check_alternative(alternative)
    level = check_level(confidence_level)
    check_column(data, subgroup, "subgroup")
    if not isinstance(adjust_baseline, bool):
        raise TypeError("`adjust_baseline` must be True or False")
    ind, treatments = arm_indicator(data, arm, treatments)
    visits = check_visits(visits, minimum=2)
    y, base = endpoint_values(data, outcome, visits, endpoint)
    sub = data[subgroup]
    if isinstance(sub.dtype, pd.CategoricalDtype):
        levels = [c for c in sub.cat.categories if (sub == c).any()]
    else:
        levels = sorted(sub.dropna().unique(), key=str)
    if len(levels) != 2:
        raise ValueError(f"`subgroup` column {subgroup!r} must have exactly 2 levels, "
                         f"found {len(levels)}: {levels!r}")
    if reference is None:
        reference = levels[0]
    elif reference not in levels:
        raise ValueError(f"`reference` must be one of {levels!r}, got {reference!r}")
    other = levels[1] if reference == levels[0] else levels[0]
    ok = ~(ind.isna() | y.isna() | sub.isna())
    if adjust_baseline:
        ok &= ~base.isna()
    ok = ok.to_numpy()
    treat = ind.to_numpy()[ok]
    is_other = (sub == other).to_numpy()[ok].astype(float)
    for lv, o in ((reference, 0.0), (other, 1.0)):
        for name, t in zip(treatments, (1.0, 0.0), strict=True):
            count = int(((is_other == o) & (treat == t)).sum())
            if count < 2:
                raise ValueError(f"subgroup {lv!r} x arm {name!r} has {count} complete row(s); "
                                 f"at least 2 are needed")
    # the model y ~ treat * other [+ baseline]; its interaction coefficient is the test
    columns = [np.ones_like(treat), treat, is_other, treat * is_other]
    if adjust_baseline:
        columns.append(base.to_numpy()[ok])
    test = ols_coefficient(y.to_numpy()[ok], np.column_stack(columns), 3, alternative, level)
    estimate, effect_reference = test.estimate, float(test.params[1])
    return InteractionResult(
        outcome=outcome, endpoint=endpoint, subgroup=str(subgroup),
        reference_level=str(reference), other_level=str(other), treatment=treatments[0],
        control=treatments[1], effect_reference=effect_reference,
        effect_other=effect_reference + estimate, estimate=estimate, ci_low=test.ci_low,
        ci_high=test.ci_high, statistic=test.statistic, df=test.df, pvalue=test.pvalue,
        n=int(treat.size),
        adjust_baseline=adjust_baseline, alternative=alternative, confidence_level=level)

