"""`analyze`: every outcome of a personal trial, with design-faithful tests.

The result classes live in :mod:`nof1.analysis.results`, the decision rule in
:mod:`nof1.analysis.decision` and the primary procedure in
:mod:`nof1.analysis._primary`; this module runs them for each outcome.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._constants import MIN_ADHERENCE
from .._results import Deferred, replace, unbuilt
from .._validation import as_rng, check_confidence_level
from ..data import Diary
from ..data.diary import _read_diary
from ..design.schedule import Schedule
from ..outcomes import Outcome
from . import bayes, effect_sizes, models
from ._exploratory import exploratory_analyses
from ._primary import primary_from_index, sensitivity_rows
from ._tables import MIN_COMPLETENESS, PeriodIndex, guess_table
from .bayes import PRIOR_VERSION, PRIOR_VERSIONS
from .decision import DecisionRule
from .interpret import compare_with_mcid, describe_blinded, describe_effect, interpret_effect
from .multiplicity import holm
from .results import ANALYSIS_COLUMNS, OutcomeResult, TrialResult

__all__ = ["analyze", "evaluate_decision_rule", "OutcomeResult", "TrialResult",
           "is_blinded_schedule"]

#: treatments of a blinded (group key) schedule, see :func:`nof1.schedule_from_groups`
BLINDED_TREATMENTS = ("group X", "group Y")

_NO_DAY_INTERVAL = ("no interval: days within a period are correlated, and a day-level "
                    "interval would be too narrow (it covers 68-73% at lag-1 correlation 0.8)")


def is_blinded_schedule(schedule: Schedule) -> bool:
    """True for a schedule built from a group key (conditions "group X" and "group Y")."""
    return tuple(schedule.treatments) == BLINDED_TREATMENTS


def _row(analysis: str, role: str, res: Any, note: str = "", *, pvalue: bool = True,
         ci: bool = True) -> dict[str, Any]:
    nan = float("nan")
    return {"analysis": analysis, "role": role, "estimate": float(res.estimate),
            "ci_low": float(res.ci_low) if ci else nan,
            "ci_high": float(res.ci_high) if ci else nan,
            "pvalue": float(res.pvalue) if pvalue else nan, "note": note}


class _Days:
    """Per-diary arrays shared by the analyses of every outcome (built once per call)."""

    def __init__(self, data: pd.DataFrame):
        self.data = data
        self.index = PeriodIndex(data)
        analysed = data["analysed"].astype(bool).to_numpy()
        self.analysed = analysed
        self.labels = data["condition"].to_numpy(dtype=str)[analysed]
        self.time = data["day"].to_numpy(float)[analysed]
        pair = data["pair"][analysed] if "pair" in data else None
        self.blocks = None if pair is None or not pair.notna().all() else \
            pair.to_numpy(int)
        self._periods = data["period"][analysed]
        took = self.index.kept(data["took_pack"].to_numpy(dtype=float, na_value=np.nan)) \
            if "took_pack" in data else np.array([])
        recorded = took[~np.isnan(took)]
        self.adherence = float(recorded.mean()) if recorded.size else float("nan")

    @property
    def periods(self) -> np.ndarray:
        return self._periods.to_numpy(int)


def _degenerate_note(idx: PeriodIndex, scores: np.ndarray, summary: dict[str, np.ndarray],
                     o: Outcome, min_completeness: float) -> str:
    """Why an outcome cannot be analysed (constant or nearly empty), or ''.

    ``scores`` are the outcome's scores on the period days, ``summary`` their
    ``idx.summarise``.
    """
    analysed = scores[idx.analysed]
    present = analysed[~np.isnan(analysed)]
    if present.size == 0:
        return f"{o.name}: no score on any analysed day, so there is nothing to analyse."
    if np.unique(present).size == 1:
        return (f"{o.name} was {present[0]:g} on every analysed day, so there is "
                f"no difference to analyse.")
    cond = idx.firsts("condition")
    has_mean = ~np.isnan(summary["mean"])
    if min(np.count_nonzero(has_mean & (cond == c)) for c in ("A", "B")) < 1:
        return (f"{o.name}: too few days scored ({present.size} of "
                f"{analysed.size} analysed days): no period of one condition has at least "
                f"{min_completeness:.0%} of its analysed days scored.")
    return ""


def _unanalysed(o: Outcome, *, primary: bool, note: str, confidence_level: float,
                blinded: bool, periods: Deferred) -> OutcomeResult:
    nan = float("nan")
    return OutcomeResult(
        outcome=o.name, primary=primary, direction=o.direction, mcid=o.mcid,
        higher_is_better=o.higher_is_better, estimate=nan, ci_low=nan, ci_high=nan,
        pvalue=nan, pvalue_holm=nan, method="not analysed", interpretation=note,
        completeness=nan, adherence=nan, periods=periods,
        pairs=None, tests={}, effect_sizes={}, spec=o, sensitivity=pd.DataFrame(),
        priors=None, headline=note, note=note, confidence_level=confidence_level,
        blinded=blinded)


def _analyse_outcome(days: _Days, schedule: Schedule, o: Outcome, *, primary: bool,
                     confidence_level: float, prior: Any, min_completeness: float,
                     rng: np.random.Generator, blinded: bool = False,
                     day_level_ttest: bool = False,
                     prior_version: int = PRIOR_VERSION) -> tuple[OutcomeResult, np.ndarray]:
    """One outcome's result, and its pair differences A - B (empty without pairs)."""
    data, idx = days.data, days.index
    scores = idx.scores(data, o.name)
    summary = idx.summarise(scores, None, min_completeness)
    common = dict(primary=primary, confidence_level=confidence_level, blinded=blinded)
    note = _degenerate_note(idx, scores, summary, o, min_completeness)
    if note:
        return _unanalysed(o, note=note, periods=Deferred(lambda: idx.table(summary)),
                           **common), np.array([])
    kw = dict(confidence_level=confidence_level, min_completeness=min_completeness,
              prior=prior, rng=rng)
    try:
        main = primary_from_index(idx, scores, schedule, o, summary=summary, **kw)
    except ValueError as exc:  # e.g. every period of one condition missing
        return _unanalysed(o, note=f"{o.name} could not be analysed: {exc}",
                           periods=Deferred(lambda: idx.table(summary)),
                           **common), np.array([])
    tests = dict(main.tests)
    if blinded:
        tests.pop("bayes", None)  # P(benefit) needs to know which group is the treatment
    rows = [{"analysis": "randomization test", "role": "primary", "estimate": main.estimate,
             "ci_low": main.ci_low, "ci_high": main.ci_high, "pvalue": main.pvalue,
             "note": "CI by inverting the test" + (f"; {main.note}" if main.note else "")}]
    if "paired_t" in tests:
        rows.append(_row("paired t-test", "secondary", tests["paired_t"],
                         "period means; assumes normal pair differences"))
    if "wilcoxon" in tests:
        rows.append(_row("Wilcoxon signed-rank", "secondary", tests["wilcoxon"],
                         "Hodges-Lehmann estimate; no interval", ci=False))
    if "bayes" in tests:
        b_res = tests["bayes"]
        rows.append(_row(f"Bayes ({b_res.prior} prior)", "secondary", b_res,
                         f"posterior mean and {100 * confidence_level:g}% credible interval; "
                         f"P(benefit) = {b_res.p_benefit:.2f}", pvalue=False))
    sizes: dict[str, Any] = {}
    day_scores = data[o.name].to_numpy(dtype=float)[days.analysed]
    day_labels = days.labels
    keep = ~np.isnan(day_scores)
    if keep.sum() >= 6 and len(set(day_labels[keep])) == 2:
        blocks = days.blocks
        gls_kw = dict(time=days.time[keep],
                      blocks=None if blocks is None else blocks[keep],
                      confidence_level=confidence_level)
        try:  # random period intercept: the level may drift between periods
            try:
                tests["gls_ar1"] = models.gls_ar1(
                    day_scores[keep], day_labels[keep],
                    periods=days.periods[keep], **gls_kw)
            except ValueError:  # too few periods to separate drift from the effect (AB)
                tests["gls_ar1"] = models.gls_ar1(day_scores[keep], day_labels[keep],
                                                  **gls_kw)
            gls_note = "model-based: AR(1) errors, pair effects, period intercepts"
            if tests["gls_ar1"].df_method == "Satterthwaite":
                # its simulated calibration (models.NOTE_SATTERTHWAITE), next to the number
                gls_note += ("; somewhat conservative (type I error 0.027-0.040 at nominal "
                             "0.05 in simulation)")
            rows.append(_row("GLS AR(1), day level", "sensitivity", tests["gls_ar1"],
                             gls_note))
        except (ValueError, np.linalg.LinAlgError):
            pass
        if day_level_ttest:
            t = models.naive_day_ttest(day_scores[keep], day_labels[keep])
            tests["naive_day_t"] = t
            rows.append(_row("naive day-level t-test", "comparison only", t,
                             "treats days as independent: anti-conservative under "
                             "autocorrelation (not a valid test)"))
    a_days = day_scores[keep & (day_labels == "A")]
    b_days = day_scores[keep & (day_labels == "B")]
    nan = float("nan")
    if a_days.size and b_days.size and not blinded:
        try:
            res = effect_sizes.nap(a_days, b_days, higher_is_better=o.higher_is_better,
                                   confidence_level=confidence_level)
            sizes["nap"] = dataclasses.replace(res, ci_low=nan, ci_high=nan, se=nan,
                                               method=f"{res.method}; {_NO_DAY_INTERVAL}")
        except ValueError:  # one scored day under a condition: no NAP (it aborted analyze)
            pass
    if a_days.size > 1 and b_days.size > 1:
        try:
            res = effect_sizes.within_person_smd(a_days, b_days)
            sizes["within_person_smd"] = dataclasses.replace(
                res, ci_low=nan, ci_high=nan, se=nan,
                method=f"{res.method}; {_NO_DAY_INTERVAL}")
        except ValueError:  # no variation within the conditions: undefined
            pass
    diff = None if main.pair_a is None else main.pair_a - main.pair_b
    complete = diff is not None and np.isfinite(diff).sum() >= 2
    if complete:
        try:
            sizes["percent_change"] = effect_sizes.percent_change(
                main.pair_a, main.pair_b, confidence_level=confidence_level)
        except ValueError:  # e.g. a control mean of 0
            pass
    priors = None
    if complete and not blinded and np.ptp(diff[~np.isnan(diff)]) > 0:
        # the sceptical and enthusiastic rows in the version the pre-registered rule uses
        # (a protocol committed with the legacy version-1 prior keeps it here too)
        presets = [name if name == "reference" else
                   bayes.make_prior(name, mcid=o.mcid, higher_is_better=o.higher_is_better,
                                    version=prior_version)
                   for name in bayes.SENSITIVITY_PRIORS]
        columns = bayes.prior_sensitivity_columns(
            diff[~np.isnan(diff)], priors=presets, mcid=o.mcid,
            higher_is_better=o.higher_is_better, credible_level=confidence_level)
        priors = Deferred(lambda: bayes.sensitivity_frame(columns))
    sens_rows = sensitivity_rows(data, schedule, o, index=idx, scores=scores, **kw)
    for r in sens_rows:
        label = {"all_days": "all period days (no wash-out)",
                 "per_protocol": f"per protocol (adherence >= {MIN_ADHERENCE:.0%})",
                 }.get(r["analysis"], r["analysis"])
        rows.append({"analysis": label, "role": "sensitivity", "estimate": r["estimate"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"], "pvalue": r["pvalue"],
                     "note": "randomization test, as the primary"})
    b_res = tests.get("bayes")
    if blinded:
        interpretation = headline = describe_blinded(
            o, main.estimate, main.ci_low, main.ci_high, main.pvalue,
            confidence_level=confidence_level)
    else:
        effect = describe_effect(o, main.estimate, main.ci_low, main.ci_high,
                                 treatment=schedule.active, control=schedule.control,
                                 confidence_level=confidence_level)
        versus = compare_with_mcid(o, main.ci_low, main.ci_high, treatment=schedule.active)
        headline = f"{effect} {versus}".strip()
        interpretation = interpret_effect(
            o, main.estimate, main.ci_low, main.ci_high, treatment=schedule.active,
            control=schedule.control, confidence_level=confidence_level,
            p_benefit=None if b_res is None else float(b_res.p_benefit),
            p_benefit_mcid=None if b_res is None else float(b_res.p_benefit_mcid),
            prior="reference" if b_res is None else b_res.prior)
    if main.note:
        interpretation += " " + main.note
    if math.isfinite(main.pvalue):
        interpretation += (f" Two-sided p = {main.pvalue:.2g} (randomization test over the "
                           f"design's {main.n_reference:,} assignments).")
    scored = summary["n_scored"].sum() / max(summary["n_analysed"].sum(), 1)
    adherence = days.adherence
    return OutcomeResult(
        outcome=o.name, primary=primary, direction=o.direction, mcid=o.mcid,
        higher_is_better=o.higher_is_better, estimate=main.estimate, ci_low=main.ci_low,
        ci_high=main.ci_high, pvalue=main.pvalue, pvalue_holm=main.pvalue, method=main.method,
        interpretation=interpretation, completeness=float(scored), adherence=adherence,
        periods=unbuilt(main, "periods"), pairs=unbuilt(main, "pairs"), tests=tests,
        effect_sizes=sizes, spec=o,
        sensitivity=Deferred(lambda: pd.DataFrame(sens_rows)), priors=priors,
        headline=headline, note=main.note, confidence_level=confidence_level,
        attained_level=main.attained_level,
        analyses=Deferred(lambda: pd.DataFrame(rows, columns=list(ANALYSIS_COLUMNS))),
        blinded=blinded), np.array([]) if diff is None else diff


def evaluate_decision_rule(result: OutcomeResult,
                           rule: DecisionRule | dict[str, Any] | None = None) -> dict[str, Any]:
    """Evaluate the protocol's pre-registered decision rule for the primary outcome.

    Parameters
    ----------
    result : OutcomeResult
        The primary outcome's result (its pair differences are used).
    rule : DecisionRule or dict, optional
        The rule (``Protocol.decision_rule`` as stored, or a :class:`DecisionRule`);
        default: ``DecisionRule(outcome=result.outcome, mcid=result.mcid)`` (current
        sceptical prior, thresholds 0.8 and 0.5). A dict is read as a stored rule
        (:meth:`DecisionRule.from_dict`: without ``prior_version`` it is the legacy
        version-1 prior, and the verdict says so); without ``outcome``/``mcid`` it takes
        them from ``result``.

    Returns
    -------
    dict
        :meth:`nof1.analysis.Decision.to_dict`: ``verdict`` ('met', 'not worthwhile',
        'inconclusive' or 'not evaluable'), ``p_benefit_mcid``, ``p_benefit``, the
        thresholds, the prior and ``text``.
    """
    pairs = result.pairs
    d = np.array([]) if pairs is None else pairs["difference"].to_numpy(dtype=float)
    return _decide(result, rule, d)


def _decide(result: OutcomeResult, rule: DecisionRule | dict[str, Any] | None,
            differences: np.ndarray) -> dict[str, Any]:
    """:func:`evaluate_decision_rule` given the pair differences (A - B, NaN allowed)."""
    if rule is None:
        rule = DecisionRule(outcome=result.outcome, mcid=result.mcid)
    elif not isinstance(rule, DecisionRule):   # a stored rule: no prior_version = version 1
        rule = DecisionRule.from_dict({"outcome": result.outcome, "mcid": result.mcid, **rule})
    return rule.decide(differences, higher_is_better=result.higher_is_better).to_dict()


def _flag_disagreement(decision: dict[str, Any], r: OutcomeResult) -> dict[str, Any]:
    """Say so when the rule's verdict and the headline interval point different ways."""
    if not r.analysed or decision.get("verdict") not in ("met", "not worthwhile"):
        return decision
    lo, hi = sorted((r.spec.benefit(r.ci_low), r.spec.benefit(r.ci_high)))
    if decision["verdict"] == "met" and lo <= 0:
        note = ("The rule is met, but the headline interval (randomization test, no model) "
                "still contains 0: the rule's normal model of the pair differences is more "
                "certain than the design-based interval.")
    elif decision["verdict"] == "not worthwhile" and lo > 0:
        note = ("The rule says 'not worthwhile', but the whole headline interval "
                "(randomization test) shows a benefit.")
    else:
        return decision
    return {**decision, "note": note, "text": f"{decision['text']} {note}"}


def _blinded_decision(primary: str) -> dict[str, Any]:
    return {"verdict": None, "outcome": primary,
            "text": ("No decision in a blinded analysis: the pre-registered decision rule "
                     "needs to know which group is the treatment, and is applied after the "
                     "key is opened. Until then only the size of the difference between the "
                     "groups, in either direction, is known.")}


def analyze(diary: Diary | pd.DataFrame | str, schedule: Schedule, *,
            outcomes: Sequence[str] | None = None, primary: str | None = None,
            confidence_level: float = 0.95, prior: Any = bayes.DEFAULT_PRIOR,
            min_completeness: float = MIN_COMPLETENESS,
            decision_rule: DecisionRule | dict[str, Any] | None = None,
            day_level_ttest: bool = False, rng: Any = None) -> TrialResult:
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
        Prior of the secondary Bayesian analysis of the pair differences (default the
        reference prior, whose credible interval is the paired t interval).
    min_completeness : float
        A period whose analysed days are scored less often than this is treated as
        missing (default 0.5).
    decision_rule : DecisionRule or dict, optional
        The protocol's pre-registered rule (``Protocol.decision_rule``); default
        sceptical prior, thresholds 0.8 and 0.5. See :func:`evaluate_decision_rule`.
    day_level_ttest : bool
        Also run the naive day-level t-test (labelled "comparison only": it treats
        days as independent and is anti-conservative under autocorrelation).
    rng : None, int or Generator
        Used only when a randomization test has to fall back to Monte Carlo.

    Returns
    -------
    TrialResult

    Notes
    -----
    The period is the unit of the primary analysis, and one procedure gives the headline
    estimate, interval and p-value: the design's randomization test over its own
    admissible assignments (for a paired design the ``2**k`` orders), whose statistic is
    the estimate (difference of the condition means of period means; for phase designs
    of phase means, the wash-out re-applied for each admissible set of phase-change
    days), whose inversion is the interval and whose equal-tailed two-sided p-value is
    the p-value, so the interval excludes 0 exactly when p <= 1 - ``confidence_level``.
    Secondary procedures (paired t-test, Wilcoxon signed-rank test, Bayesian analysis of
    the pair differences) and sensitivity analyses (day-level GLS with AR(1) errors,
    all period days, per protocol) each have their own row in
    ``OutcomeResult.analyses``. Day-level effect sizes (NAP, within-person SMD) are
    shown without an interval. A blinded analysis (a schedule from a group key)
    reports only two-sided group differences X − Y, with no decision.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule, analyze
    >>> from nof1.planning.simulate import simulate_diary
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
    blinded = is_blinded_schedule(schedule)
    days = schedule.days
    if not isinstance(diary, Diary):  # read_diary(diary, schedule): on this calendar
        diary = _read_diary(diary, schedule, days)
        data = diary.data
    else:  # the given schedule's allocation, always
        data = diary._on_days(days).data
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
    shared = _Days(data)
    if isinstance(decision_rule, DecisionRule):
        prior_version = decision_rule.prior_version
    elif isinstance(decision_rule, dict):   # a stored rule: no prior_version = version 1
        # (a malformed version is refused by evaluate_decision_rule below)
        v = decision_rule.get("prior_version", 1)
        prior_version = v if not isinstance(v, bool) and v in PRIOR_VERSIONS else PRIOR_VERSION
    else:
        prior_version = PRIOR_VERSION
    results, differences = {}, {}
    for n in names:
        results[n], differences[n] = _analyse_outcome(
            shared, schedule, available[n], primary=(n == primary),
            confidence_level=confidence_level, prior=prior,
            min_completeness=min_completeness, rng=rng, blinded=blinded,
            day_level_ttest=day_level_ttest, prior_version=prior_version)
    secondary = [n for n in names if n != primary and results[n].analysed]
    if secondary:
        adjusted = holm([results[n].pvalue for n in secondary]).pvalue_adjusted
        for n, p in zip(secondary, np.atleast_1d(adjusted), strict=True):
            results[n] = replace(results[n], pvalue_holm=float(p))
    if blinded:
        guesses = pd.DataFrame(columns=["period", "guess", "treatment", "correct"])
        decision = _blinded_decision(primary)
    else:
        cond = data["condition"].to_numpy()
        held = np.where(cond == "A", schedule.active,
                        np.where(cond == "B", schedule.control, None))
        guesses = Deferred(lambda: guess_table(data, (schedule.active, schedule.control),
                                               treatment=held))
        decision = _decide(results[primary], decision_rule, differences[primary])
        decision = _flag_disagreement(decision, results[primary])
    exploratory = exploratory_analyses(data, schedule, diary.unplanned,
                                       confidence_level=confidence_level,
                                       min_completeness=min_completeness, rng=rng,
                                       index=shared.index)
    return TrialResult(outcomes=results, primary=primary, schedule=schedule,
                       issues=diary.issues, confidence_level=confidence_level,
                       decision=decision, guesses=guesses, blinded=blinded,
                       exploratory=exploratory)
