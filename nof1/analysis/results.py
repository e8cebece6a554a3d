"""Result objects of :func:`nof1.analyze`: one outcome, and the whole trial."""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._constants import DISCLAIMER
from .._results import Deferred, ResultMixin, deferrable
from ..design.schedule import Schedule
from ..outcomes import Outcome
from ._exploratory import ExploratoryResult

__all__ = ["OutcomeResult", "TrialResult", "ANALYSIS_COLUMNS"]

#: columns of ``OutcomeResult.analyses``
ANALYSIS_COLUMNS = ("analysis", "role", "estimate", "ci_low", "ci_high", "pvalue", "note")


@dataclasses.dataclass(frozen=True, eq=False)
class OutcomeResult(ResultMixin):
    """All analyses of one outcome.

    The effect is treatment − control (condition A − condition B) in the outcome's
    units (group X − group Y in a blinded analysis). ``estimate``, ``ci_low``,
    ``ci_high`` and ``pvalue`` all come from one procedure, the primary one
    (``method``): the design's randomization test, whose statistic is the estimate,
    whose inversion gives the interval and whose equal-tailed two-sided p-value is
    ``pvalue`` — so the interval excludes 0 exactly when ``pvalue <= 1 -
    confidence_level``. ``attained_level`` is the coverage the interval guarantees
    given the design's number of assignments (``note`` explains it when it differs
    from the nominal level). ``pvalue_holm`` is the Holm-adjusted ``pvalue`` across
    the secondary outcomes (equal to ``pvalue`` for the primary outcome).

    ``analyses`` has one row per procedure (primary, secondary and sensitivity), each
    with its own estimate, interval and p-value. ``headline`` is the plain-language
    sentence shown by the report and the CLI. An outcome that cannot be analysed
    (e.g. the same score every day) has NaN numbers and says why in ``note``.

    The tables (``periods``, ``pairs``, ``sensitivity``, ``priors``, ``analyses``)
    hold numbers computed by :func:`nof1.analyze`; each pandas frame is built the first
    time it is read (``nof1._results.deferrable``), which is most of the time a frame
    costs.

    Attributes
    ----------
    outcome : str
        The outcome's name (its diary column).
    primary : bool
        True for the pre-registered primary outcome.
    direction : str
        Which way is better, ``'higher'`` or ``'lower'``.
    mcid : float
        The minimal clinically important difference, in the outcome's units.
    higher_is_better : bool
        True when higher scores are better (``direction == 'higher'``).
    estimate, ci_low, ci_high : float
        The primary effect (treatment − control) and its interval from inverting
        the randomization test; NaN when the outcome could not be analysed.
    pvalue : float
        The primary procedure's two-sided p-value.
    pvalue_holm : float
        ``pvalue`` Holm-adjusted across the secondary outcomes.
    method : str
        The primary procedure (``'not analysed'`` when there is none).
    interpretation : str
        A plain-language paragraph: effect, interval, comparison with the MCID and,
        unblinded, the posterior probabilities of benefit.
    completeness : float
        Share of the analysed days with a score for this outcome.
    adherence : float
        Share of period days on which the day's pack was recorded as taken (NaN when
        the diary does not record it).
    periods : pandas.DataFrame
        One row per period: condition, days analysed and scored, mean score.
    pairs : pandas.DataFrame or None
        One row per pair of periods (``mean_a``, ``mean_b``, ``difference``); None
        for designs without pairs or an unanalysed outcome.
    tests : dict
        The secondary and sensitivity results by name (``'paired_t'``,
        ``'wilcoxon'``, ``'bayes'``, ``'gls_ar1'``, ...).
    effect_sizes : dict
        Descriptive effect sizes by name (``'nap'``, ``'within_person_smd'``,
        ``'percent_change'``).
    spec : Outcome
        The outcome's specification from the protocol.
    sensitivity : pandas.DataFrame
        The pre-registered sensitivity analyses (all period days, per protocol).
    priors : pandas.DataFrame or None
        The Bayesian analysis under each prior (:func:`nof1.prior_sensitivity`);
        None in a blinded analysis or when the pair differences do not vary.
    headline : str
        The one-sentence summary shown by the report and the CLI.
    note : str
        Why the outcome was not analysed, or a caveat of the primary procedure.
    confidence_level : float
        The nominal level of every interval.
    attained_level : float
        The coverage the primary interval guarantees given the design.
    analyses : pandas.DataFrame
        One row per procedure, columns ``ANALYSIS_COLUMNS``.
    blinded : bool
        True for an analysis by group X/Y before the key is opened.
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
    periods: pd.DataFrame = deferrable()
    pairs: pd.DataFrame | None = deferrable()
    tests: dict[str, Any]
    effect_sizes: dict[str, Any]
    spec: Outcome
    sensitivity: pd.DataFrame = deferrable()
    priors: pd.DataFrame | None = deferrable()
    headline: str = ""
    note: str = ""
    confidence_level: float = 0.95
    attained_level: float = float("nan")
    analyses: pd.DataFrame = deferrable(
        Deferred(lambda: pd.DataFrame(columns=list(ANALYSIS_COLUMNS))))
    blinded: bool = False

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "primary", "direction", "mcid", "higher_is_better", "estimate", "ci_low",
        "ci_high", "pvalue", "pvalue_holm", "confidence_level", "attained_level", "method",
        "completeness", "adherence", "note")

    @property
    def analysed(self) -> bool:
        """False when the outcome could not be analysed (see ``note``)."""
        return math.isfinite(self.estimate)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["headline"] = self.headline
        for name, res in self.tests.items():
            p = getattr(res, "pvalue", None)
            if p is not None:
                out[f"pvalue_{name}"] = float(p)
        gls = self.tests.get("gls_ar1")
        if gls is not None:
            out["gls_estimate"] = float(gls.estimate)
            out["gls_rho"] = float(gls.rho)
        b = self.tests.get("bayes")
        if b is not None and not self.blinded:
            out["p_benefit"] = float(b.p_benefit)
            out["p_benefit_mcid"] = float(b.p_benefit_mcid)
            out["p_within_mcid"] = float(b.p_within_mcid)
        for name, res in self.effect_sizes.items():
            out[name] = float(res.estimate)
        return out

    def summary(self) -> str:
        role = "primary" if self.primary else "secondary"
        if self.blinded:
            head = f"{self.outcome} ({role} outcome; blinded: group X − group Y)"
        else:
            head = (f"{self.outcome} ({role} outcome; {self.direction} is better; "
                    f"MCID {self.mcid:g})")
        lines = [head, f"  {self.interpretation}"]
        if not self.analysed:
            return "\n".join(lines)
        lines.append(f"  primary: {self.method}")
        for r in self.analyses.itertuples():
            p = "" if not np.isfinite(r.pvalue) else f"; p = {r.pvalue:.3g}"
            lines.append(f"  {r.role:<15} {r.analysis:<44} {r.estimate:8.3g} "
                         f"[{r.ci_low:.3g}, {r.ci_high:.3g}]{p}")
        if not self.primary:
            lines.append(f"  Holm-adjusted p = {self.pvalue_holm:.4g}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class TrialResult(ResultMixin):
    """Results for every analysed outcome of a trial.

    ``to_frame()`` has one row per outcome; ``outcomes`` maps names to
    :class:`OutcomeResult`; ``issues`` are the diary's recorded warnings;
    ``decision`` is the pre-registered decision rule's verdict
    (:meth:`nof1.analysis.Decision.to_dict`); a blinded analysis has none.

    Attributes
    ----------
    outcomes : dict of str to OutcomeResult
        Every planned outcome's result, primary first.
    primary : str
        The name of the primary outcome.
    schedule : Schedule
        The schedule analysed (with groups X/Y in a blinded analysis).
    issues : tuple
        The diary's recorded warnings (:class:`nof1.data.DiaryIssue`).
    confidence_level : float
        The nominal level of every interval.
    decision : dict
        The decision rule's verdict (:meth:`nof1.analysis.Decision.to_dict`);
        empty in a blinded analysis.
    guesses : pandas.DataFrame
        The participant's end-of-period guesses of the condition, one row per period.
    blinded : bool
        True for an analysis by group X/Y before the key is opened.
    exploratory : tuple of ExploratoryResult
        Unplanned diary columns, analysed only as exploratory.
    """

    outcomes: dict[str, OutcomeResult]
    primary: str
    schedule: Schedule
    issues: tuple[Any, ...]
    confidence_level: float
    decision: dict[str, Any]
    guesses: pd.DataFrame = deferrable()
    blinded: bool = False
    #: unplanned diary columns, analysed only as exploratory (:mod:`._exploratory`)
    exploratory: tuple[ExploratoryResult, ...] = ()

    @property
    def blinding(self) -> dict[str, Any]:
        """How often the participant's end-of-period guesses named the right treatment.

        ``pvalue`` is the exact two-sided binomial test of "guessing at chance" (1/2)
        among the periods with a definite guess; many correct guesses suggest the
        blinding was broken (e.g. by side effects), which the analysis cannot undo.
        In a blinded analysis the guesses cannot be scored (``scored`` is False).
        """
        g = self.guesses
        if self.blinded:
            return {"scored": False, "n_periods_guessed": 0, "n_definite": 0, "n_correct": 0,
                    "share_correct": float("nan"), "pvalue": float("nan"),
                    "note": "the blinding guesses are scored after the key is opened"}
        definite = g.dropna(subset=["correct"]) if len(g) else g
        n, k = len(definite), int(definite["correct"].sum()) if len(definite) else 0
        p = float(stats.binomtest(k, n, 0.5).pvalue) if n else float("nan")
        return {"scored": True, "n_periods_guessed": len(g), "n_definite": n, "n_correct": k,
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
                "blinded": self.blinded, "exploratory": [e.to_dict() for e in self.exploratory],
                "design": self.schedule.design.to_dict(),
                "outcomes": [r.to_dict() for r in self.outcomes.values()],
                "decision": self.decision,
                "blinding": self.blinding,
                "issues": [i.message for i in self.issues]}

    def summary(self) -> str:
        s = self.schedule
        effect = ("Effects are group X − group Y (blinded: which group is which treatment is "
                  "unknown)." if self.blinded else
                  "Effects are treatment − control in each outcome's units.")
        head = [f"Personal trial {s.active} vs {s.control}: "
                f"{s.design!r}, {s.start.isoformat()} to {s.end.isoformat()}",
                f"{effect} {DISCLAIMER}"]
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
