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

from ._model import (
    Headline,
    NullView,
    OutcomeDetail,
    ReportView,
    SeriesView,
    Table,
    benefit_sentence,
    ci_text,
    finite,
    num,
    prob,
    pval,
)

NOT_AVAILABLE = "not available"

#: provenance keys, in display order, with their human labels
PROVENANCE_LABELS = {
    "trial_id": "Trial id",
    "commitment": "Commitment (SHA-256, printed on the participant's papers)",
    "key_verified": "Helper's key checked against the commitment",
    "diary_sha256": "Diary file (SHA-256)",
    "toolkit_version": "nof1 version",
}

#: other names the same provenance facts may carry in a result
_PROVENANCE_ALIASES = {"toolkit_version": ("nof1_version", "version"),
                       "diary_sha256": ("diary_hash",), "commitment": ("full_commitment",)}

_TEST_LABELS = {
    "randomization": "Randomization test over the design's own assignments",
    "paired_t": "Paired t-test on period means",
    "wilcoxon": "Wilcoxon signed-rank test on pair differences",
    "bayes": "Bayesian analysis of pair differences",
    "gls_ar1": "Day-level regression with AR(1) errors (model-based)",
    "naive_day_t": "Day-level t-test ignoring autocorrelation (comparison only)",
}
_SENSITIVITY_LABELS = {
    "all_days": "All period days (no analytic wash-out)",
    "per_protocol": "Per protocol (periods with the pack taken on < 80% of days, and days "
                    "whose pack or period contradicts the schedule, left out)",
}
_EFFECT_SIZE_LABELS = {
    "nap": "Non-overlap of all pairs (NAP), days; 0.5 = no effect",
    "within_person_smd": "Standardized mean difference, days",
    "percent_change": "Percent change of period means",
}
_VERDICT_WORDS = {"met": "worthwhile", "not met": "not worthwhile",
                  "inconclusive": "inconclusive", "not evaluable": "not evaluable"}


def _detail(interpretation: str) -> str:
    """The interval against the MCID, from the interpretation (the headline says the rest).

    The first sentence (the effect and interval) and the posterior probabilities
    (shown in the tables) are left out.
    """
    head, sep, rest = interpretation.partition("). ")
    rest = rest if sep else interpretation
    return rest.split(" Posterior probability")[0]


# -- tables ------------------------------------------------------------------------------
def _test_row(name: str, res: Any) -> tuple[str, ...]:
    f = res.to_frame().iloc[0].to_dict() if hasattr(res, "to_frame") else {}
    details = []
    if "n_assignments" in f and f.get("n_assignments") is not None:
        kind = "exact" if f.get("exact") else "Monte Carlo"
        details.append(f"{int(f['n_assignments']):,} assignments ({kind})")
    if finite(f.get("df")):
        details.append(f"df {num(f['df'])}")
    if finite(f.get("rho")):
        details.append(f"autocorrelation ρ = {num(f['rho'], 2)}")
    if name == "bayes":
        details.append(f"{str(f.get('prior', '')).replace('_', ' ')} prior; "
                       f"P(any benefit) {prob(f.get('p_benefit'))}, P(benefit ≥ MCID) "
                       f"{prob(f.get('p_benefit_mcid'))}")
    return (_TEST_LABELS.get(name, name), num(f.get("estimate", f.get("statistic"))),
            ci_text(f.get("ci_low"), f.get("ci_high")),
            num(f.get("statistic")) if name != "bayes" else "–",
            pval(f.get("pvalue")), "; ".join(details) or "–")


def _methods(r: Any, level: str, active: str, control: str) -> Table:
    rows = tuple(_test_row(name, res) for name, res in r.tests.items())
    return Table(
        caption=f"{r.outcome}: every analysis ({active} − {control})",
        columns=("Analysis", "Effect", f"{level} interval", "Test statistic", "p-value",
                 "Details"),
        rows=rows,
        note=f"Headline: {r.method}. The randomization test's statistic is the effect "
             f"itself; the Bayesian row shows the posterior mean and credible interval.")


def _sensitivity(r: Any, level: str) -> Table:
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
                 rows=rows)


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


def _summary(result: Any, level: str, active: str, control: str) -> Table:
    frame = result.to_frame()
    rows = []
    for row in frame.to_dict("records"):
        rows.append((row["outcome"], "primary" if row["primary"] else "secondary",
                     num(row["estimate"]), ci_text(row["ci_low"], row["ci_high"]),
                     pval(row["pvalue"]),
                     "–" if row["primary"] else pval(row["pvalue_holm"]),
                     prob(row.get("p_benefit")), prob(row.get("p_benefit_mcid")),
                     num(row["mcid"]), prob(row["completeness"]), prob(row["adherence"])))
    return Table(caption="All outcomes",
                 columns=("Outcome", "Role", f"Effect ({active} − {control})", f"{level} CI",
                          "p-value", "Holm-adjusted p", "P(any benefit)",
                          "P(benefit ≥ MCID)", "MCID", "Days scored", "Packs taken"),
                 rows=tuple(rows),
                 note="p-value: randomization test over the design's own admissible "
                      "assignments (two-sided). Holm-adjusted across the secondary "
                      "outcomes. Probabilities of benefit: Bayesian analysis of the pair "
                      "differences (weakly informative prior). Days scored: share of the "
                      "analysed days with a score. Packs taken: share of period days with "
                      "the pack taken.")


def _guesses(result: Any) -> tuple[str, Table | None]:
    b = result.blinding
    if not b["n_periods_guessed"]:
        return "No end-of-period guesses were recorded.", None
    text = (f"{b['n_correct']} of {b['n_definite']} definite end-of-period guesses named the "
            f"right treatment ({b['n_periods_guessed'] - b['n_definite']} \"don't know\" or "
            f"other); exact binomial test against guessing at chance: p = "
            f"{pval(b['pvalue'])}. Many right guesses would suggest the blinding was broken.")
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

    found: dict[str, Any] = {"toolkit_version": __version__}
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


def _forest_row(r: Any) -> tuple[str, bool, float, float, float, float]:
    sign = 1.0 if r.higher_is_better else -1.0
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


def _design_words(s: Any) -> str:
    design = s.design
    n_assign = f"{int(design.n_assignments):,} possible schedules"
    if design.kind == "paired":
        return (f"{s.n_periods} periods of {s.period_days} days in {s.n_periods // 2} pairs, "
                f"order randomized within each pair ({n_assign})")
    if design.kind == "phase":
        return f"phase design {design!r} ({n_assign})"
    return f"{s.n_periods} periods of {s.period_days} days in random order ({n_assign})"


# -- the view ----------------------------------------------------------------------------
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
    headlines, details = [], []
    for r in result.outcomes.values():
        role = "primary outcome" if r.primary else "secondary outcome"
        sentence = benefit_sentence(r.outcome, r.estimate, r.ci_low, r.ci_high,
                                    higher_is_better=r.higher_is_better, active=active,
                                    control=control, level=level)
        if r.primary:
            rule = rule_text
        else:
            rule = f"secondary outcome: no decision rule (Holm-adjusted p = {pval(r.pvalue_holm)})"
        headlines.append(Headline(outcome=r.outcome, role=role, sentence=sentence, rule=rule,
                                  detail=_detail(r.interpretation)))
        o = r.spec
        pairs, singles = _pairs(r)
        details.append(OutcomeDetail(
            name=r.outcome, role=role, methods=_methods(r, level, active, control),
            sensitivity=_sensitivity(r, level), priors=_priors(r, level),
            effect_sizes=_effect_sizes(r), periods=_periods(r),
            series=_series(diary, o, s), pairs=pairs, singles=singles,
            definition=(f"{r.outcome} ({role})",
                        f"“{o.question}” Scale {o.low:g}–{o.high:g}; {o.direction} is better. "
                        f"Minimal clinically important difference {o.mcid:g} point(s): "
                        f"{o.mcid_source}.")))
    blinding, guesses = _guesses(result)
    better = [f"{'higher' if r.higher_is_better else 'lower'} {r.outcome}"
              for r in result.outcomes.values()]
    trial_line = (f"{active} vs {control} · {_design_words(s)} · {s.start.isoformat()} to "
                  f"{s.end.isoformat()} ({s.n_days} days; {s.run_in_days}-day run-in; the "
                  f"first {s.washout_days} days of each period not analysed)")
    return ReportView(
        title=title, active=active, control=control, trial_line=trial_line,
        effect_note=(f"Each outcome is described in its own direction of benefit "
                     f"({_and(better)} {'is' if len(better) == 1 else 'are'} better), in "
                     f"points of its scale; the technical tables give raw differences, "
                     f"{active} − {control}."),
        confidence=level, headlines=tuple(headlines), decision=decision_text,
        warnings=tuple(i.message for i in result.issues),
        provenance=_provenance(result, provenance),
        summary=_summary(result, level, active, control), outcomes=tuple(details),
        blinding=blinding, guesses=guesses,
        forest=tuple(_forest_row(r) for r in result.outcomes.values()),
        names={"A": active, "B": control}, dates=(s.start.isoformat(), s.end.isoformat()),
        null=_null(result))
