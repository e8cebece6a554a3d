"""`analyze`: every outcome of a personal trial, with design-faithful tests."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ResultMixin
from .._validation import as_rng, check_confidence_level
from ..data import Diary, read_diary
from ..outcomes import Outcome
from ..schedule import Schedule
from . import bayes, effect_sizes, models
from ._exploratory import ExploratoryResult, exploratory_analyses
from ._primary import primary_analysis, sensitivity_analyses
from ._tables import MIN_COMPLETENESS, guess_table
from .interpret import interpret_effect
from .multiplicity import holm

__all__ = ["analyze", "evaluate_decision_rule", "OutcomeResult", "TrialResult"]


@dataclasses.dataclass(frozen=True, eq=False)
class OutcomeResult(ResultMixin):
    """All analyses of one outcome.

    The effect is treatment − control (condition A − condition B) in the outcome's
    units. For a paired design ``estimate``/``ci_low``/``ci_high`` come from the
    period-level paired t-test and ``pvalue`` from the exact randomization test over
    the design's own reference set; for other designs both come from the
    randomization test (estimate = observed difference, CI by test inversion).
    ``pvalue_holm`` is the Holm-adjusted ``pvalue`` across the secondary outcomes
    (equal to ``pvalue`` for the primary outcome).
    """

    outcome: str
    primary: bool
    direction: str
    mcid: float
    higher_is_better: bool
    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float
    pvalue_holm: float
    method: str
    interpretation: str
    completeness: float
    adherence: float
    periods: pd.DataFrame
    pairs: pd.DataFrame | None
    tests: dict[str, Any]
    effect_sizes: dict[str, Any]
    spec: Outcome
    sensitivity: pd.DataFrame
    priors: pd.DataFrame | None

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "primary", "direction", "mcid", "higher_is_better", "estimate", "ci_low",
        "ci_high", "pvalue", "pvalue_holm", "method", "completeness", "adherence")

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        for name, res in self.tests.items():
            p = getattr(res, "pvalue", None)
            if p is not None:
                out[f"pvalue_{name}"] = float(p)
        gls = self.tests.get("gls_ar1")
        if gls is not None:
            out["gls_estimate"] = float(gls.estimate)
            out["gls_rho"] = float(gls.rho)
        b = self.tests.get("bayes")
        if b is not None:
            out["p_benefit"] = float(b.p_benefit)
            out["p_benefit_mcid"] = float(b.p_benefit_mcid)
            out["p_within_mcid"] = float(b.p_within_mcid)
        for name, res in self.effect_sizes.items():
            out[name] = float(res.estimate)
        return out

    def summary(self) -> str:
        lines = [f"{self.outcome} ({'primary' if self.primary else 'secondary'} outcome; "
                 f"{self.direction} is better; MCID {self.mcid:g})",
                 f"  {self.interpretation}",
                 f"  estimate {self.estimate:.3g} [{self.ci_low:.3g}, {self.ci_high:.3g}]; "
                 f"{self.method}"]
        for name, res in self.tests.items():
            p = getattr(res, "pvalue", None)
            if p is not None:
                lines.append(f"  {name:<14} p = {float(p):.4g}")
        if not self.primary:
            lines.append(f"  Holm-adjusted p = {self.pvalue_holm:.4g}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class TrialResult(ResultMixin):
    """Results for every analysed outcome of a trial.

    ``to_frame()`` has one row per outcome; ``outcomes`` maps names to
    :class:`OutcomeResult`; ``issues`` are the diary's recorded warnings.
    """

    outcomes: dict[str, OutcomeResult]
    primary: str
    schedule: Schedule
    issues: tuple[Any, ...]
    confidence_level: float
    decision: dict[str, Any]
    guesses: pd.DataFrame
    #: unplanned diary columns, analysed only as exploratory (:mod:`._exploratory`)
    exploratory: tuple[ExploratoryResult, ...] = ()

    @property
    def blinding(self) -> dict[str, Any]:
        """How often the participant's end-of-period guesses named the right treatment.

        ``pvalue`` is the exact two-sided binomial test of "guessing at chance" (1/2)
        among the periods with a definite guess; many correct guesses suggest the
        blinding was broken (e.g. by side effects), which the analysis cannot undo.
        """
        g = self.guesses
        definite = g.dropna(subset=["correct"]) if len(g) else g
        n, k = len(definite), int(definite["correct"].sum()) if len(definite) else 0
        p = float(stats.binomtest(k, n, 0.5).pvalue) if n else float("nan")
        return {"n_periods_guessed": len(g), "n_definite": n, "n_correct": k,
                "share_correct": k / n if n else float("nan"), "pvalue": p}

    def __getitem__(self, name: str) -> OutcomeResult:
        return self.outcomes[name]

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([r.to_dict() for r in self.outcomes.values()])
        if self.exploratory:  # labelled rows after the planned outcomes
            frame = pd.concat([frame.assign(exploratory=False),
                               pd.DataFrame([e.to_dict() for e in self.exploratory])],
                              ignore_index=True)
        return frame

    def to_dict(self) -> dict[str, Any]:  # JSON-friendly
        return {"primary": self.primary, "confidence_level": self.confidence_level,
                "design": self.schedule.design.to_dict(),
                "outcomes": [r.to_dict() for r in self.outcomes.values()],
                "decision": self.decision,
                "blinding": self.blinding,
                "issues": [i.message for i in self.issues],
                "exploratory": [e.to_dict() for e in self.exploratory]}

    def summary(self) -> str:
        s = self.schedule
        head = [f"Personal trial {s.active} vs {s.control}: "
                f"{s.design!r}, {s.start.isoformat()} to {s.end.isoformat()}",
                "Effects are treatment − control in each outcome's units. "
                "A research and self-tracking tool, not medical advice."]
        body = [r.summary() for r in self.outcomes.values()]
        warn = [f"warning: {i.message}" for i in self.issues]
        b = self.blinding
        blind = ([f"Blinding guesses: {b['n_correct']} of {b['n_definite']} definite guesses "
                  f"named the right treatment (binomial test against chance p = "
                  f"{b['pvalue']:.3g})."] if b["n_definite"] else [])
        extra = [e.summary() for e in self.exploratory]
        return "\n".join(head + [""] + body + ["", self.decision["text"]] + blind
                         + ([""] + extra if extra else []) + ([""] + warn if warn else []))

    def _repr_html_(self) -> str:
        cols = ["outcome", "primary", "estimate", "ci_low", "ci_high", "pvalue", "pvalue_holm",
                "p_benefit", "p_benefit_mcid"]
        frame = self.to_frame()
        table = frame[[c for c in cols if c in frame]].to_html(
            index=False, float_format=lambda x: f"{x:.3g}")
        text = "".join(f"<p>{html.escape(r.interpretation)}</p>"
                       for r in self.outcomes.values())
        return f"<div>{table}{text}</div>"


def _analyse_outcome(data: pd.DataFrame, schedule: Schedule, o: Outcome, *, primary: bool,
                     confidence_level: float, prior: Any, min_completeness: float,
                     rng: np.random.Generator) -> OutcomeResult:
    kw = dict(confidence_level=confidence_level, min_completeness=min_completeness,
              prior=prior, rng=rng)
    main = primary_analysis(data, schedule, o, **kw)
    tests = dict(main.tests)
    sizes: dict[str, Any] = {}
    analysed = data[data["analysed"].astype(bool)]
    day_scores = analysed[o.name].to_numpy(dtype=float)
    day_labels = analysed["condition"].to_numpy(dtype=str)
    keep = ~np.isnan(day_scores)
    if keep.sum() >= 6 and len(set(day_labels[keep])) == 2:
        blocks = analysed["pair"] if "pair" in analysed and analysed["pair"].notna().all() \
            else None
        gls_kw = dict(time=analysed["day"].to_numpy(float)[keep],
                      blocks=None if blocks is None else blocks.to_numpy(int)[keep],
                      confidence_level=confidence_level)
        try:  # random period intercept: the level may drift between periods
            tests["gls_ar1"] = models.gls_ar1(
                day_scores[keep], day_labels[keep],
                periods=analysed["period"].to_numpy(int)[keep], **gls_kw)
        except ValueError:  # too few periods to separate drift from the effect (AB)
            tests["gls_ar1"] = models.gls_ar1(day_scores[keep], day_labels[keep], **gls_kw)
        tests["naive_day_t"] = models.naive_day_ttest(day_scores[keep], day_labels[keep])
    a_days = day_scores[keep & (day_labels == "A")]
    b_days = day_scores[keep & (day_labels == "B")]
    if a_days.size and b_days.size:
        sizes["nap"] = effect_sizes.nap(a_days, b_days, higher_is_better=o.higher_is_better,
                                        confidence_level=confidence_level)
        if a_days.size > 1 and b_days.size > 1:
            sizes["within_person_smd"] = effect_sizes.within_person_smd(a_days, b_days)
    if main.pairs is not None and np.isfinite(main.pairs["difference"]).sum() >= 2:
        sizes["percent_change"] = effect_sizes.percent_change(
            main.pairs["mean_a"].to_numpy(), main.pairs["mean_b"].to_numpy(),
            confidence_level=confidence_level)
    priors = None
    if main.pairs is not None and np.isfinite(main.pairs["difference"]).sum() >= 2:
        priors = bayes.prior_sensitivity(main.pairs["difference"].dropna().to_numpy(),
                                         mcid=o.mcid, higher_is_better=o.higher_is_better,
                                         credible_level=confidence_level)
    b_res = tests.get("bayes")
    interpretation = interpret_effect(
        o, main.estimate, main.ci_low, main.ci_high, treatment=schedule.active,
        control=schedule.control, confidence_level=confidence_level,
        p_benefit=None if b_res is None else float(b_res.p_benefit),
        p_benefit_mcid=None if b_res is None else float(b_res.p_benefit_mcid))
    per = main.periods
    scored = per["n_scored"].sum() / max(per["n_analysed"].sum(), 1)
    took = data.loc[data["period"].notna(), "took_pack"] if "took_pack" in data else None
    adherence = float(took.dropna().astype(float).mean()) if took is not None and \
        took.notna().any() else float("nan")
    return OutcomeResult(
        outcome=o.name, primary=primary, direction=o.direction, mcid=o.mcid,
        higher_is_better=o.higher_is_better, estimate=main.estimate, ci_low=main.ci_low,
        ci_high=main.ci_high, pvalue=main.pvalue, pvalue_holm=main.pvalue, method=main.method,
        interpretation=interpretation, completeness=float(scored), adherence=adherence,
        periods=per, pairs=main.pairs, tests=tests, effect_sizes=sizes, spec=o,
        sensitivity=sensitivity_analyses(data, schedule, o, **kw), priors=priors)


def evaluate_decision_rule(result: OutcomeResult, rule: dict[str, Any] | None = None
                           ) -> dict[str, Any]:
    """Evaluate the protocol's pre-registered decision rule for the primary outcome.

    The rule (``Protocol.decision_rule``): the condition for "worthwhile" is met when the
    posterior probability of a benefit of at least the MCID, under the sceptical prior,
    reaches ``probability_threshold`` (default 0.8); it is "not met" when the probability
    of any benefit is below ``no_benefit_threshold`` (default 0.5); otherwise the result is
    inconclusive. Only the pair differences of a paired design are modelled.

    Returns
    -------
    dict
        ``verdict`` ('met', 'not met', 'inconclusive' or 'not evaluable'),
        ``p_benefit_mcid``, ``p_benefit``, ``probability_threshold``, ``text``.
    """
    rule = rule or {}
    thr = float(rule.get("probability_threshold", 0.8))
    no_benefit = float(rule.get("no_benefit_threshold", 0.5))
    out: dict[str, Any] = {"probability_threshold": thr, "no_benefit_threshold": no_benefit,
                           "prior": "sceptical"}
    pairs = result.pairs
    if pairs is None or np.isfinite(pairs["difference"]).sum() < 2:
        return {**out, "verdict": "not evaluable", "p_benefit_mcid": np.nan,
                "p_benefit": np.nan,
                "text": "The decision rule needs at least two complete pairs."}
    b = bayes.bayes_paired(pairs["difference"].dropna().to_numpy(), mcid=result.mcid,
                           higher_is_better=result.higher_is_better, prior="sceptical")
    p_mcid, p_any = float(b.p_benefit_mcid), float(b.p_benefit)
    if p_mcid >= thr:
        verdict = "met"
    elif p_any < no_benefit:
        verdict = "not met"
    else:
        verdict = "inconclusive"
    text = (f"Pre-registered decision rule ({result.outcome}, sceptical prior): "
            f"P(benefit >= MCID) = {p_mcid:.2f} (threshold {thr:g}), P(any benefit) = "
            f"{p_any:.2f} (below {no_benefit:g} counts as no benefit): "
            + {"met": "the condition for 'worthwhile' is met.",
               "not met": "the condition for 'not worthwhile' is met.",
               "inconclusive": "inconclusive."}[verdict])
    return {**out, "verdict": verdict, "p_benefit_mcid": p_mcid, "p_benefit": p_any,
            "text": text}


def analyze(diary: Diary | pd.DataFrame | str, schedule: Schedule, *,
            outcomes: Sequence[str] | None = None, primary: str | None = None,
            confidence_level: float = 0.95, prior: Any = "weakly_informative",
            min_completeness: float = MIN_COMPLETENESS,
            decision_rule: dict[str, Any] | None = None, rng: Any = None) -> TrialResult:
    """Analyse every outcome of a personal trial.

    Parameters
    ----------
    diary : Diary, DataFrame or path
        The diary; a DataFrame or path is read with :func:`nof1.data.read_diary`.
    schedule : Schedule
        The unblinded schedule (from the helper's key, or the group key for a blinded
        analysis with groups X and Y). Its allocation is the one analysed, also when
        ``diary`` was read against another schedule of the same calendar
        (:meth:`Diary.on_schedule`); a diary of another calendar raises ValueError.
    outcomes : sequence of str, optional
        Outcome names to analyse (default: all the diary's outcomes).
    primary : str, optional
        The primary outcome (default: the first). The others are secondary and get
        Holm-adjusted p-values.
    confidence_level : float
        For confidence and credible intervals.
    prior : str or NormalInverseGammaPrior
        Prior of the Bayesian analysis of the pair differences.
    min_completeness : float
        A period whose analysed days are scored less often than this is treated as
        missing (default 0.5).
    decision_rule : dict, optional
        The protocol's pre-registered rule (``Protocol.decision_rule``); default
        thresholds 0.8 and 0.5. See :func:`evaluate_decision_rule`.
    rng : None, int or Generator
        Used only when a randomization test has to fall back to Monte Carlo.

    Returns
    -------
    TrialResult

    Notes
    -----
    The period is the unit of the primary analysis. For a paired design: means of the
    analysed days of each period, pair differences, the paired t-test (estimate and CI),
    the exact randomization test over the design's ``2**k`` orders (p-value), the
    Wilcoxon signed-rank test and a conjugate Bayesian analysis. For phase designs the
    randomization test uses the daily scores and re-applies the wash-out for each
    admissible set of phase-change days. Day-level GLS with AR(1) errors and pair
    effects is reported as a secondary, model-based analysis; the naive day-level
    t-test is shown only for comparison (it is anti-conservative under
    autocorrelation).

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule, analyze
    >>> from nof1.simulate import simulate_diary
    >>> s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14,
    ...                   washout_days=7, rng=12345)
    >>> result = analyze(simulate_diary(s, rng=12345), s)
    >>> result.to_frame()[["outcome", "estimate", "pvalue"]].round(3)
      outcome  estimate  pvalue
    0    pain    -1.321   0.062
    1  stress    -1.651   0.031
    2   sleep     0.329   0.500
    """
    if not isinstance(schedule, Schedule):
        raise TypeError("`schedule` must be a nof1 Schedule (unblinded from the key)")
    confidence_level = check_confidence_level(confidence_level)
    rng = as_rng(rng)
    if not isinstance(diary, Diary):
        diary = read_diary(diary, schedule, warn=False)
    data = diary.on_schedule(schedule).data  # the given schedule's allocation, always
    if schedule.roles_swapped:  # orient: "A" is the active treatment from here on
        data = data.assign(condition=data["condition"].map({"A": "B", "B": "A"}))
    available = {o.name: o for o in diary.outcomes}
    names = list(available) if outcomes is None else list(outcomes)
    unknown = [n for n in names if n not in available]
    if unknown or not names:
        raise ValueError(f"`outcomes` must be among {list(available)}, got {names}")
    primary = names[0] if primary is None else primary
    if primary not in names:
        raise ValueError(f"`primary` must be one of the analysed outcomes {names}, "
                         f"got {primary!r}")
    results = {n: _analyse_outcome(data, schedule, available[n], primary=(n == primary),
                                   confidence_level=confidence_level, prior=prior,
                                   min_completeness=min_completeness, rng=rng)
               for n in names}
    secondary = [n for n in names if n != primary]
    if secondary:
        adjusted = holm([results[n].pvalue for n in secondary]).pvalue_adjusted
        for n, p in zip(secondary, np.atleast_1d(adjusted), strict=True):
            results[n] = dataclasses.replace(results[n], pvalue_holm=float(p))
    guesses = guess_table(data.assign(treatment=data["condition"].map(
        {"A": schedule.active, "B": schedule.control})), (schedule.active, schedule.control))
    exploratory = exploratory_analyses(data, schedule, diary.unplanned,
                                       confidence_level=confidence_level,
                                       min_completeness=min_completeness, rng=rng)
    return TrialResult(outcomes=results, primary=primary, schedule=schedule,
                       issues=diary.issues, confidence_level=confidence_level,
                       decision=evaluate_decision_rule(results[primary], decision_rule),
                       guesses=guesses, exploratory=exploratory)
