"""Moderators: does the effect depend on a person-level covariate (the 2022 subgroup logic)?

Macian et al. (Nutrients 2022;14:2088) found a benefit of magnesium on stress and pain
only in people with mild/moderate baseline DASS-42 stress (<= 25), not in those with
severe stress (>= 26): a subgroup finding between arms of a parallel-group trial. A series
estimates the same moderation from within-person contrasts: meta-regression and a
one-stage interaction on the continuous covariate (preferred), subgroup estimates with
a test for subgroup difference, and the credibility caveats of ICEMAN (Schandelmaier et
al., CMAJ 2020;192:E901) and Sun et al. (BMJ 2010;340:c117).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import check_int
from .batch import PersonResults
from .meta import MetaRegressionResult, meta_analysis, meta_regression
from .onestage import OneStageResult, one_stage
from .simulate import MILD_MODERATE_MAX

__all__ = ["ModeratorResult", "moderator_analysis", "stress_group_2022"]


def stress_group_2022(stress: Any) -> np.ndarray:
    """The 2022 trial's grouping of baseline DASS-42 stress: 'mild/moderate' or 'severe'.

    Scores <= 25 are 'mild/moderate' (in a cohort with stress > 18 that is the moderate
    band 19-25 of Lovibond & Lovibond 1995); 26 and above (severe and extremely severe)
    are 'severe' (Macian et al., Nutrients 2022;14:2088; docs/methods.md §2.10).

    Examples
    --------
    >>> stress_group_2022([19, 25, 26, 40]).tolist()
    ['mild/moderate', 'mild/moderate', 'severe', 'severe']
    """
    s = np.asarray(stress, dtype=float)
    if np.isnan(s).any():
        raise ValueError("baseline stress is missing for some persons")
    return np.where(s <= MILD_MODERATE_MAX, "mild/moderate", "severe").astype(object)


@dataclasses.dataclass(frozen=True, eq=False)
class ModeratorResult(ResultMixin):
    """Moderation of the effect by one person-level covariate.

    Attributes
    ----------
    outcome : str
        The outcome whose per-person effects are examined.
    moderator : str
        The person-level covariate.
    grouping : str
        How persons were put into subgroups (the 2022 cut of DASS-42 stress, a cut of a
        numeric covariate, or the covariate's levels).
    statistic, pvalue
        The interaction test: the meta-regression's Knapp-Hartung t-test of the moderator
        (continuous), or of the subgroup indicator (grouped).
    pvalue_adjusted
        Bonferroni over ``n_moderators_tried`` (equal to ``pvalue`` when pre-specified).
    prespecified : bool
        True when the moderator was named in the protocol (no adjustment).
    n_moderators_tried : int
        Moderators examined in all, for the Bonferroni adjustment.
    meta_regression, one_stage, subgroup_test
        The two-stage and one-stage models of the continuous moderator (when numeric) and
        the meta-regression on the subgroup indicator.
    subgroups : DataFrame
        Per subgroup: ``group, n_persons, estimate, ci_low, ci_high, tau2, pi_low,
        pi_high`` (separate random-effects meta-analyses).
    caveats : tuple of str
        The credibility notes printed with the result (pre-specification, number of
        moderators examined, units of the test).
    """

    outcome: str
    moderator: str
    grouping: str
    statistic: float
    pvalue: float
    pvalue_adjusted: float
    prespecified: bool
    n_moderators_tried: int
    meta_regression: MetaRegressionResult | None
    one_stage: OneStageResult | None
    subgroup_test: MetaRegressionResult | None
    subgroups: pd.DataFrame
    caveats: tuple[str, ...]

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "moderator", "grouping", "statistic", "pvalue", "pvalue_adjusted",
        "prespecified", "n_moderators_tried")

    def summary(self) -> str:
        lines = [f"Moderation of the effect on {self.outcome} by {self.moderator} "
                 f"({'pre-specified' if self.prespecified else 'exploratory'})"]
        if self.meta_regression is not None:
            c = self.meta_regression.coefficients.iloc[1]
            lines.append(f"  meta-regression: slope {c['estimate']:.3g} per unit "
                         f"(95% CI {c['ci_low']:.3g} to {c['ci_high']:.3g}), "
                         f"p = {c['pvalue']:.3g}")
        if self.one_stage is not None:
            c = self.one_stage.coefficients.iloc[1]
            lines.append(f"  one-stage interaction: {c['estimate']:.3g} per unit, "
                         f"p = {c['pvalue']:.3g}")
        for r in self.subgroups.itertuples():
            lines.append(f"  {r.group:<16} n = {r.n_persons:<4} effect {r.estimate:.3g} "
                         f"(95% CI {r.ci_low:.3g} to {r.ci_high:.3g})")
        if self.subgroup_test is not None:
            lines.append(f"  test for subgroup difference: p = {self.subgroup_test.pvalue:.3g}")
        lines += [f"  caveat: {c}" for c in self.caveats]
        return "\n".join(lines)


def moderator_analysis(results: PersonResults, moderator: str, *, outcome: str,
                       groups: str | None = None, cut: float | None = None,
                       prespecified: bool = False, n_moderators_tried: int = 1,
                       within: str = "auto", one_stage_model: bool = True
                       ) -> ModeratorResult:
    """Meta-regression, one-stage interaction and subgroups for one moderator.

    Parameters
    ----------
    results : PersonResults
        From :func:`~nof1.series.analyze_series` (with the covariates).
    moderator : str
        A person-level covariate. Numeric: modelled continuously, and grouped for the
        subgroup estimates by ``groups``/``cut``. Text: the subgroups themselves.
    outcome : str
    groups : {'2022'}, optional
        ``'2022'``: baseline DASS-42 stress grouped as the 2022 trial did
        (:func:`stress_group_2022`). Default for a moderator named ``baseline_stress``.
    cut : float, optional
        Group a numeric moderator at ``<= cut`` vs ``> cut`` (default: the median).
    prespecified : bool
        Whether this moderator was named in the protocol before the data were seen.
    n_moderators_tried : int
        How many moderators were examined in all (for the caveat and the Bonferroni
        adjustment of exploratory analyses).
    within : {'auto', 'pooled', 'person'}
        Within-person variance of the two-stage models.
    one_stage_model : bool
        Also fit the one-stage interaction (slower for very large series).

    Returns
    -------
    ModeratorResult

    Examples
    --------
    >>> from nof1.series.simulate import draw_cohort_2022, simulate_series
    >>> from nof1.series import analyze_series
    >>> cohort = draw_cohort_2022(60, rng=12345)
    >>> effect = (cohort["baseline_stress"] <= 25) * -1.5
    >>> s = simulate_series(60, effects={"stress": effect}, covariates=cohort, rng=12345)
    >>> res = moderator_analysis(analyze_series(s, outcomes=["stress"]), "baseline_stress",
    ...                          outcome="stress", prespecified=True)
    >>> res.subgroups[["group", "n_persons"]]
               group  n_persons
    0  mild/moderate         19
    1         severe         41
    >>> res.subgroup_test.pvalue < 0.05
    True
    """
    n_tried = check_int(n_moderators_tried, "n_moderators_tried", minimum=1)
    if not isinstance(prespecified, bool):
        raise TypeError("`prespecified` must be True or False")
    cov = results.covariates
    if moderator not in cov.columns:
        raise ValueError(f"`moderator` must be a person-level covariate, one of "
                         f"{[c for c in cov.columns if c != 'person']}; got {moderator!r}")
    persons = results.persons[results.persons["outcome"] == outcome]
    if persons.empty:
        raise ValueError(f"no results for outcome {outcome!r}")
    pairs = results.pairs[results.pairs["outcome"] == outcome]
    col = cov[moderator]
    numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    if groups is None and moderator == "baseline_stress" and cut is None:
        groups = "2022"
    mr = os_ = None
    if numeric:
        mr = meta_regression(persons, moderator, covariates=cov, within=within)
        if one_stage_model:
            os_ = one_stage(pairs, mods=moderator, covariates=cov)
        if groups == "2022":
            labels = stress_group_2022(col)
            grouping = "2022 grouping: DASS-42 stress <= 25 vs >= 26"
        elif groups is not None:
            raise ValueError(f"`groups` must be '2022' or None, got {groups!r}")
        else:
            c = float(np.median(col)) if cut is None else float(cut)
            labels = np.where(col <= c, f"<= {c:g}", f"> {c:g}").astype(object)
            grouping = f"cut at {c:g}" + (" (the median)" if cut is None else "")
    else:
        labels = col.astype(str).to_numpy(dtype=object)
        grouping = "levels of the covariate"
    gcov = pd.DataFrame({"person": cov["person"], "_group": labels})
    rows = []
    for g in sorted(pd.unique(labels)):
        who = set(gcov.loc[gcov["_group"] == g, "person"])
        sub = persons[persons["person"].isin(who)]
        try:
            m = meta_analysis(sub, within=within)
            rows.append({"group": g, "n_persons": m.n_persons, "estimate": m.estimate,
                         "ci_low": m.ci_low, "ci_high": m.ci_high, "tau2": m.tau2,
                         "pi_low": m.pi_low, "pi_high": m.pi_high})
        except ValueError:
            rows.append({"group": g, "n_persons": len(sub), "estimate": np.nan,
                         "ci_low": np.nan, "ci_high": np.nan, "tau2": np.nan,
                         "pi_low": np.nan, "pi_high": np.nan})
    subgroups = pd.DataFrame(rows)
    st = None
    if subgroups["n_persons"].min() >= 1 and len(subgroups) >= 2:
        st = meta_regression(persons, "_group", covariates=gcov, within=within)
    main = mr if mr is not None else st
    if main is None:
        raise ValueError("the moderator has a single value: nothing to compare")
    if mr is not None:
        stat = float(mr.coefficients["statistic"].iloc[1])
        p = float(mr.coefficients["pvalue"].iloc[1])
    else:
        stat, p = main.statistic, main.pvalue
    caveats = [
        ("pre-specified moderator" if prespecified else
         "exploratory: the moderator was not named in the protocol; treat the finding as a "
         "hypothesis for a new series"),
        f"{n_tried} moderator(s) examined in all" + ("" if prespecified or n_tried == 1 else
                                                    f"; Bonferroni-adjusted p = "
                                                    f"{min(1.0, p * n_tried):.3g}"),
        "the evidence is the interaction test, not separate p-values within subgroups",
        "a continuous moderator is preferred over cut-offs" if numeric else
        "subgroups defined by a categorical covariate",
        "persons, not periods, are the units for a person-level moderator: "
        f"{int(subgroups['n_persons'].sum())} persons",
    ]
    return ModeratorResult(
        outcome=outcome, moderator=moderator, grouping=grouping, statistic=stat, pvalue=p,
        pvalue_adjusted=p if prespecified else min(1.0, p * n_tried),
        prespecified=prespecified, n_moderators_tried=n_tried, meta_regression=mr,
        one_stage=os_, subgroup_test=st, subgroups=subgroups, caveats=tuple(caveats))
