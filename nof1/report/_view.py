"""The one adapter between analysis results and the report: a plain view model.

Every access to a field of a :class:`~nof1.TrialResult` (or its outcome results,
tests and tables) made by the report happens in this module. The rest of the
report (figures, HTML) sees only the plain dataclasses of :mod:`._model`: headline rows,
technical tables with human column labels, provenance, and the data each figure
draws. Machine column names stay in ``to_frame()``; human labels live here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._constants import MIN_ADHERENCE
from ..analysis.interpret import compare_with_mcid
from ._model import (
    Headline,
    NullView,
    OutcomeDetail,
    ReportView,
    SeriesView,
    Table,
    attained_note,
    benefit_sentence,
    ci_text,
    difference_sentence,
    finite,
    num,
    prob,
    pval,
)

NOT_AVAILABLE = "not available"

#: provenance keys (those of ``nof1.workflow.analyze_folder(...).provenance``), in display
#: order, with their human labels
PROVENANCE_LABELS = {
    "trial_id": "Trial id",
    "commitment": "Commitment (SHA-256, printed on the participant's papers)",
    "key_verified": "Helper's key checked against the commitment",
    "plan_verified": "Plan (protocol) checked against the commitment",
    "printed_copies_verified": "Printed copies of the commitment agree with the protocol",
    "analysis": "Analysis",
    "interim": "Interim analysis (before the trial's end)",
    "diary_sha256": "Diary file (SHA-256)",
    "analysed_on": "Analysed on",
    "nof1_version": "nof1 version",
}

#: other names the same provenance facts may carry in a result
_PROVENANCE_ALIASES = {"nof1_version": ("toolkit_version", "version"),
                       "diary_sha256": ("diary_hash",), "commitment": ("full_commitment",)}

_PER_PROTOCOL = (f"Per protocol (periods with the pack taken on < {MIN_ADHERENCE:.0%} of days, "
                 "and days whose pack or period contradicts the schedule, left out)")
#: human labels of the procedures in ``OutcomeResult.analyses`` (others are shown as named)
_ANALYSIS_LABELS = {
    "randomization test": "Randomization test over the design's own assignments "
                          "(interval by inverting the test)",
    "paired t-test": "Paired t-test on period means",
    "wilcoxon signed-rank": "Wilcoxon signed-rank test on pair differences",
    "gls ar(1), day level": "Day-level regression with AR(1) errors (model-based)",
    "naive day-level t-test": "Day-level t-test ignoring autocorrelation (not a valid test)",
    "all period days (no wash-out)": "All period days (no analytic wash-out)",
    f"per protocol (adherence >= {MIN_ADHERENCE:.0%})": _PER_PROTOCOL,
}
#: role of each procedure; the analysis calls the headline procedure "primary"
_ROLE_LABELS = {"primary": "headline", "headline": "headline", "secondary": "secondary",
                "sensitivity": "sensitivity", "comparison only": "comparison only"}
_SENSITIVITY_LABELS = {
    "all_days": "All period days (no analytic wash-out)",
    "per_protocol": _PER_PROTOCOL,
}
_EFFECT_SIZE_LABELS = {
    "nap": "Non-overlap of all pairs (NAP), days; 0.5 = no effect",
    "within_person_smd": "Standardized mean difference, days",
    "percent_change": "Percent change of period means",
}
#: the verdicts of :class:`nof1.analysis.DecisionRule`, as the first screen says them
_VERDICT_WORDS = {"met": "met (worthwhile)", "not worthwhile": "not worthwhile",
                  "inconclusive": "inconclusive", "not evaluable": "not evaluable"}


def _analysis_label(name: str) -> str:
    name = str(name)
    if name.lower().startswith("bayes"):  # "Bayes (reference prior)"
        prior = name[name.find("(") + 1:name.rfind(")")] if "(" in name else ""
        return ("Bayesian analysis of pair differences"
                + (f" ({prior.replace('_', ' ')})" if prior else ""))
    return _ANALYSIS_LABELS.get(name.lower(), name[:1].upper() + name[1:])


def _detail(r: Any, active: str, shared: str) -> str:
    """The interval against the MCID, the p-value and the outcome's own note, in words.

    ``shared``: the note every outcome has (about the design), said once for all.
    """
    parts = []
    if not r.blinded:
        parts.append(compare_with_mcid(r.spec, r.ci_low, r.ci_high, treatment=active))
    if finite(r.pvalue) and not r.blinded:  # the blinded sentence has it already
        parts.append(f"Two-sided p = {pval(r.pvalue)}.")
    if r.note and str(r.note) != shared:
        parts.append(str(r.note))
    if r.blinded:
        parts.append("Which group is which treatment is unknown until the key is opened; "
                     "then this difference becomes treatment − control or its negative, and "
                     "is judged against the MCID and the decision rule.")
    return " ".join(p for p in parts if p)


# -- tables ------------------------------------------------------------------------------
def _extra(r: Any, analysis: str) -> str:
    """Facts a procedure's own result adds to its note (assignments, df, ρ)."""
    name = analysis.lower()
    key = ("randomization" if name == "randomization test" else "gls_ar1"
           if name.startswith("gls") else "")
    res = r.tests.get(key) if key else None
    if res is None or not hasattr(res, "to_frame"):
        return ""
    f = res.to_frame().iloc[0].to_dict()
    if key == "randomization" and f.get("n_assignments") is not None:
        kind = "exact" if f.get("exact") else "Monte Carlo"
        return f"{int(f['n_assignments']):,} assignments ({kind})"
    facts = []
    if finite(f.get("df")):
        facts.append(f"df {num(f['df'])}")
    if finite(f.get("rho")):
        facts.append(f"autocorrelation ρ = {num(f['rho'], 2)}")
    return "; ".join(facts)


def _methods(r: Any, level: str, active: str, control: str) -> Table:
    rows = []
    for a in r.analyses.to_dict("records"):
        role = _ROLE_LABELS.get(str(a["role"]), str(a["role"]))
        attained = ((r.attained_level, r.confidence_level) if role == "headline"
                    else (None, None))
        note = "; ".join(x for x in (_extra(r, str(a["analysis"])),
                                     str(a.get("note") or "")) if x)
        rows.append((_analysis_label(a["analysis"]), role, num(a["estimate"]),
                     ci_text(a["ci_low"], a["ci_high"], *attained), pval(a["pvalue"]),
                     note or "–"))
    return Table(
        caption=f"{r.outcome}: every analysis ({active} − {control})",
        columns=("Analysis", "Role", "Effect", f"{level} interval", "p-value", "Note"),
        rows=tuple(rows),
        note=("Headline: one procedure gives the first screen's effect, interval and "
              "p-value. Secondary analyses answer the same question with other "
              "assumptions; sensitivity analyses change the data or the model. The "
              "Bayesian row shows the posterior mean and credible interval."))


def _sensitivity(r: Any, level: str) -> Table | None:
    if not len(r.sensitivity):
        return None
    rows = []
    for row in r.sensitivity.to_dict("records"):
        note = row.get("note")
        rows.append((_SENSITIVITY_LABELS.get(row["analysis"], str(row["analysis"])),
                     num(row.get("estimate")), ci_text(row.get("ci_low"), row.get("ci_high")),
                     pval(row.get("pvalue")), str(int(row.get("n_periods", 0))),
                     str(note) if isinstance(note, str) else ""))
    return Table(caption=f"{r.outcome}: pre-registered sensitivity analyses",
                 columns=("Analysis", "Effect", f"{level} CI", "p-value", "Periods analysed",
                          "Note"),
                 rows=tuple(rows))


#: what the credible intervals of the three priors are worth (tests/test_bayes_calibration.py,
#: docs/methods.md §2.5)
PRIOR_TABLE_NOTE = ("The reference prior's interval is the paired t interval: it covers the "
                    "true effect with the stated probability for normally distributed pair "
                    "differences. The sceptical and enthusiastic intervals are pulled towards "
                    "their centres on purpose: in simulation they cover about 94% or more of true "
                    "effects within half an MCID of their centre, but as little as 90% of "
                    "effects a whole MCID away.")


def _priors(r: Any, level: str) -> Table | None:
    if r.priors is None:
        return None
    rows = tuple((str(p["prior"]).replace("_", " ").capitalize(), num(p["estimate"]),
                  ci_text(p["ci_low"], p["ci_high"]), prob(p["p_benefit"]),
                  prob(p["p_benefit_mcid"]), prob(p["p_within_mcid"]))
                 for p in r.priors.to_dict("records"))
    return Table(caption=f"{r.outcome}: Bayesian analysis under three priors",
                 columns=("Prior", "Posterior mean", f"{level} credible interval",
                          "P(any benefit)", "P(benefit ≥ MCID)", "P(within ± MCID)"),
                 rows=rows, note=PRIOR_TABLE_NOTE)


def _effect_sizes(r: Any) -> Table | None:
    if not r.effect_sizes:
        return None
    rows = tuple((_EFFECT_SIZE_LABELS.get(name, name), num(res.estimate),
                  ci_text(res.ci_low, res.ci_high)) for name, res in r.effect_sizes.items())
    return Table(caption=f"{r.outcome}: effect sizes", columns=("Measure", "Estimate",
                                                                "Interval"), rows=rows)


def _periods(r: Any) -> Table:
    rows = []
    for p in r.periods.to_dict("records"):
        pair = p.get("pair")
        rows.append((str(int(p["period"])), str(int(pair)) if finite(pair) else "–",
                     str(p.get("treatment", p.get("condition", ""))),
                     f"{pd.Timestamp(p['start']).date()} to {pd.Timestamp(p['end']).date()}"
                     if "start" in p else "–",
                     str(int(p["n_analysed"])), str(int(p["n_scored"])), num(p["mean"]),
                     num(p.get("sd"))))
    return Table(caption=f"{r.outcome}: period means",
                 columns=("Period", "Pair", "Treatment", "Dates", "Days analysed",
                          "Days scored", "Mean", "SD"),
                 rows=tuple(rows))


def _summary(result: Any, level: str, active: str, control: str, blinded: bool,
             prior: str) -> Table:
    rows = []
    for r in result.outcomes.values():
        row = r.to_dict()
        holm = "–" if r.primary else pval(r.pvalue_holm)
        effect = num(r.estimate) if r.analysed else "not analysed"
        cells = [r.outcome, "primary" if r.primary else "secondary", effect,
                 ci_text(r.ci_low, r.ci_high, r.attained_level, r.confidence_level),
                 pval(r.pvalue), holm]
        if not blinded:
            cells += [prob(row.get("p_benefit")), prob(row.get("p_benefit_mcid"))]
        cells += [num(r.mcid), prob(r.completeness), prob(r.adherence)]
        rows.append(tuple(cells))
    columns = ["Outcome", "Role", f"Effect ({active} − {control})", f"{level} CI", "p-value",
               "Holm-adjusted p"]
    if not blinded:
        columns += ["P(any benefit)", "P(benefit ≥ MCID)"]
    columns += ["MCID", "Days scored", "Packs taken"]
    bayes = ("" if blinded else
             f"Probabilities of benefit: Bayesian analysis of the pair differences ({prior} "
             f"prior, the default). ")
    return Table(caption="All outcomes", columns=tuple(columns), rows=tuple(rows),
                 row_heads=True,
                 note="Effect, CI and p-value: one procedure, the randomization test over the "
                      "design's own admissible assignments (two-sided; the CI by inverting "
                      "it, so it excludes 0 exactly when p is below 1 − the level; "
                      "'attains' gives its actual coverage when the design allows only "
                      "coarser levels). Holm-adjusted across the secondary outcomes. "
                      + bayes + "Days scored: share of the analysed days with a score. "
                      "Packs taken: share of period days with the pack taken.")


def _exploratory(result: Any, level: str, active: str, control: str) -> Table | None:
    rows = tuple(
        (e.outcome, "exploratory (not pre-registered)", num(e.estimate),
         ci_text(e.ci_low, e.ci_high), pval(e.pvalue), str(int(e.n_periods)), str(e.note))
        for e in getattr(result, "exploratory", ()))
    if not rows:
        return None
    return Table(caption="Exploratory (unplanned) outcomes",
                 columns=("Outcome", "Status", f"Effect ({active} − {control})",
                          f"{level} CI", "p-value", "Periods analysed", "Note"),
                 rows=rows, row_heads=True,
                 note="Diary columns the protocol did not plan: each is analysed with the "
                      "headline procedure, but has no direction of benefit, no MCID and no "
                      "multiplicity adjustment, and plays no part in the decision rule. Read "
                      "them as ideas for a future trial, not as results.")


def _guesses(result: Any) -> tuple[str, Table | None]:
    b = result.blinding
    if b.get("scored") is False:
        return (f"Blinded analysis: {b.get('note', 'the guesses are scored after unblinding')}"
                "."), None
    if not b["n_periods_guessed"]:
        return "No end-of-period guesses were recorded.", None
    if not b["n_definite"]:
        text = (f"None of the {b['n_periods_guessed']} end-of-period guesses named a "
                f"treatment (\"don't know\" or other), so whether the blinding held cannot "
                f"be tested.")
    else:
        text = (f"{b['n_correct']} of {b['n_definite']} definite end-of-period guesses named "
                f"the right treatment ({b['n_periods_guessed'] - b['n_definite']} \"don't "
                f"know\" or other); exact binomial test against guessing at chance: p = "
                f"{pval(b['pvalue'])}. Many right guesses would suggest the blinding was "
                f"broken.")
    rows = []
    for g in result.guesses.to_dict("records"):
        right = g.get("correct")
        rows.append((str(int(g["period"])), str(g.get("typed") or g.get("guess") or ""),
                     str(g.get("actual", "")),
                     "–" if right is None or right is pd.NA else ("yes" if right else "no")))
    return text, Table(caption="End-of-period guesses", columns=("Period", "Guess",
                                                                  "Actual", "Right?"),
                       rows=tuple(rows))


def _provenance(result: Any, given: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    from .. import __version__

    found: dict[str, Any] = {"nof1_version": __version__}
    attached = getattr(result, "provenance", None)
    for source in (attached, given):
        if source is None:
            continue
        for key in PROVENANCE_LABELS:
            for name in (key, *_PROVENANCE_ALIASES.get(key, ())):
                value = (source.get(name) if isinstance(source, Mapping)
                         else getattr(source, name, None))
                if value is not None:
                    found[key] = value
                    break

    def show(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return tuple((label, show(found[key]) if key in found else NOT_AVAILABLE)
                 for key, label in PROVENANCE_LABELS.items())


def _series(diary: Any, o: Any, schedule: Any) -> SeriesView:
    data = diary.data
    # colour by treatment name, from the schedule (a diary read against the
    # participant's blinded calendar has no treatments of its own)
    treatment = pd.to_datetime(data["date"]).map(
        dict(zip(pd.to_datetime(schedule.days["date"]), schedule.days["treatment"],
                 strict=True)))
    letters = np.where(treatment.astype(object) == schedule.active, "A", "B")
    periods = []
    period = data["period"].to_numpy(dtype=float)
    for p in pd.unique(period[np.isfinite(period)]):
        idx = np.flatnonzero(period == p)
        periods.append((int(idx[0]), int(idx[-1]), str(letters[idx[0]])))
    return SeriesView(
        outcome=o.name, dates=tuple(pd.to_datetime(data["date"]).dt.date),
        scores=data[o.name].to_numpy(dtype=float),
        analysed=data["analysed"].to_numpy(dtype=bool), periods=tuple(periods),
        low=float(o.low), high=float(o.high),
        better="higher" if o.higher_is_better else "lower")


def _pairs(r: Any) -> tuple[tuple[tuple[int, float, float], ...] | None,
                            dict[str, list[float]]]:
    if r.pairs is None:
        return None, {}
    per = r.periods.dropna(subset=["mean"])
    complete = r.pairs.dropna(subset=["mean_a", "mean_b"])
    rows = tuple((int(p), float(b), float(a)) for p, a, b in
                 zip(complete["pair"], complete["mean_a"], complete["mean_b"], strict=True))
    done = {p for p, _, _ in rows}
    rest = per[~per["pair"].isin(done)]
    singles = {letter: rest.loc[rest["condition"] == letter, "mean"].astype(float).tolist()
               for letter in ("A", "B")}
    return rows, singles


def _forest_row(r: Any, blinded: bool) -> tuple[str, bool, float, float, float, float]:
    sign = 1.0 if r.higher_is_better or blinded else -1.0
    low, high = sorted((sign * float(r.ci_low), sign * float(r.ci_high)))
    return (r.outcome, bool(r.higher_is_better), sign * float(r.estimate), low, high,
            float(r.mcid))


def _null(result: Any) -> NullView | None:
    r = result.outcomes[result.primary]
    rand = r.tests.get("randomization")
    null = getattr(rand, "null_distribution", None)
    if null is None:
        return None
    return NullView(outcome=r.outcome, null_distribution=np.asarray(null, dtype=float),
                    statistic=float(rand.statistic), pvalue=float(rand.pvalue),
                    n_assignments=int(rand.n_assignments), exact=bool(rand.exact))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _n_schedules(s: Any) -> str:
    return f"{int(s.design.n_assignments):,} possible schedules"


def _design_words(s: Any) -> str:
    return f"{s.design.plain_words(s.period_days)} ({_n_schedules(s)})"


# -- the view ----------------------------------------------------------------------------
def _rule_prior(result: Any) -> str:
    """The prior of the secondary Bayesian analysis (the default: reference)."""
    for r in result.outcomes.values():
        b = r.tests.get("bayes")
        if b is not None and getattr(b, "prior", None):
            return str(b.prior).replace("_", " ")
    return "reference"


def _priors_note(result: Any) -> str:
    names = []
    for r in result.outcomes.values():
        if r.priors is not None and "prior" in r.priors:
            names = [str(x).replace("_", " ") for x in r.priors["prior"]]
            break
    if not names:
        return ""
    decision = getattr(result, "decision", None) or {}
    default = _rule_prior(result)
    shown = [f"{n} (the default: Jeffreys' prior, whose credible interval is the paired "
             f"t interval)" if n == "reference" and default == "reference" else n
             for n in names]
    rule = decision.get("prior")
    rule_text = (f" The pre-registered decision rule uses the {str(rule).replace('_', ' ')} "
                 f"prior." if rule and not getattr(result, "blinded", False) else "")
    return (f"Posterior of the mean pair difference (treatment − control) under the "
            f"{_and(shown)} priors.{rule_text}")


def build_view(result: Any, diary: Any, *, title: str,
               provenance: Mapping[str, Any] | None = None) -> ReportView:
    """Turn a :class:`~nof1.TrialResult` into a :class:`ReportView`."""
    s = result.schedule
    active, control = s.active, s.control
    level = f"{100 * result.confidence_level:g}%"
    decision = getattr(result, "decision", None) or {}
    # a blinded analysis compares anonymous groups: it reports effects, never a verdict
    blinded = bool(getattr(result, "blinded", False)) or (active, control) == ("group X",
                                                                                "group Y")
    verdict = decision.get("verdict")
    if blinded or verdict is None:
        rule_text = ("blinded analysis of groups X and Y: no verdict before unblinding"
                     if blinded else "the pre-registered rule: not evaluated")
        decision_text = ""
    else:
        rule_text = f"the pre-registered rule: {_VERDICT_WORDS.get(str(verdict), verdict)}"
        decision_text = str(decision.get("text", ""))
    notes = {str(r.note) for r in result.outcomes.values() if r.analysed}
    shared = notes.pop() if len(notes) == 1 else ""
    headlines, details = [], []
    for r in result.outcomes.values():
        role = "primary outcome" if r.primary else "secondary outcome"
        if not r.analysed:
            sentence = f"{r.outcome}: not analysed"
            detail = str(r.note or r.interpretation)
        elif blinded:
            sentence = difference_sentence(
                r.outcome, r.estimate, r.ci_low, r.ci_high, r.pvalue, level=level,
                attained=attained_note(r.attained_level, r.confidence_level))
            detail = _detail(r, active, shared)
        else:
            sentence = benefit_sentence(
                r.outcome, r.estimate, r.ci_low, r.ci_high,
                higher_is_better=r.higher_is_better, active=active, control=control,
                level=level, attained=attained_note(r.attained_level, r.confidence_level))
            detail = _detail(r, active, shared)
        if r.primary:
            rule = rule_text
        elif r.analysed:
            rule = f"secondary outcome: no decision rule (Holm-adjusted p = {pval(r.pvalue_holm)})"
        else:
            rule = "secondary outcome: no decision rule"
        headlines.append(Headline(outcome=r.outcome, role=role, sentence=sentence, rule=rule,
                                  detail=detail))
        o = r.spec
        if r.analysed:
            pairs, singles = _pairs(r)
            tables = dict(methods=_methods(r, level, active, control),
                          sensitivity=_sensitivity(r, level), priors=_priors(r, level),
                          effect_sizes=_effect_sizes(r), periods=_periods(r))
        else:  # the note says why; no table or figure of numbers that do not exist
            pairs, singles = None, {}
            tables = dict(methods=None, sensitivity=None, priors=None, effect_sizes=None,
                          periods=None)
        better = ("" if blinded else f"{o.direction} is better. ")
        details.append(OutcomeDetail(
            name=r.outcome, role=role, **tables,
            series=_series(diary, o, s), pairs=pairs, singles=singles,
            definition=(f"{r.outcome} ({role})",
                        f"“{o.question}” Scale {o.low:g}–{o.high:g}; {better}"
                        f"Minimal clinically important difference {o.mcid:g} point(s): "
                        f"{o.mcid_source}."),
            note="" if r.analysed else str(r.note or r.interpretation)))
    blinding, guesses = _guesses(result)
    trial_line = (f"{active} vs {control} · {_design_words(s)} · {s.start.isoformat()} to "
                  f"{s.end.isoformat()} ({s.n_days} days; {s.run_in_days}-day run-in; the "
                  f"first {s.washout_days} days of each period not analysed)")
    if blinded:
        effect_note = ("Blinded analysis: each outcome's difference group X − group Y, in "
                       "points of its scale, with a two-sided p-value. Which group is which "
                       "treatment is unknown until the key is opened, so there is no verdict "
                       "yet.")
    else:
        better = [f"{'higher' if r.higher_is_better else 'lower'} {r.outcome}"
                  for r in result.outcomes.values()]
        effect_note = (f"Each outcome is described in its own direction of benefit "
                       f"({_and(better)} {'is' if len(better) == 1 else 'are'} better), in "
                       f"points of its scale; the technical tables give raw differences, "
                       f"{active} − {control}.")
    analysed = [r for r in result.outcomes.values() if r.analysed]
    interval_note = ""
    if analysed:
        alpha = f"{1 - result.confidence_level:.2g}"
        interval_note = (f"Effects, intervals and p-values come from one procedure: the "
                         f"randomization test over the design's {_n_schedules(s)}, whose "
                         f"interval (by inverting the test) excludes 0 exactly when p ≤ "
                         f"{alpha}. " + shared).strip()
    return ReportView(
        title=title, active=active, control=control, trial_line=trial_line,
        interval_note=interval_note,
        effect_note=effect_note,
        confidence=level, headlines=tuple(headlines), decision=decision_text,
        warnings=tuple(i.message for i in result.issues),
        provenance=_provenance(result, provenance),
        summary=_summary(result, level, active, control, blinded, _rule_prior(result)),
        outcomes=tuple(details), blinding=blinding, guesses=guesses,
        forest=tuple(_forest_row(r, blinded) for r in result.outcomes.values()),
        names={"A": active, "B": control}, dates=(s.start.isoformat(), s.end.isoformat()),
        null=_null(result), blinded=blinded,
        exploratory=_exploratory(result, level, active, control),
        priors_note=_priors_note(result))
