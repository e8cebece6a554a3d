"""The trial protocol: what will be done and how it will be judged, fixed before the first dose.

The protocol is the participant's record (``participant/protocol.json``), in the
spirit of SPENT 2019 (Porcino et al., BMJ 2020;368:m122): design and its
parameters, dates, outcomes with scale, direction of benefit and MCID (with its
source), which outcome is primary, the analytic wash-out, the analysis plan and
decision rule, the commitment to the helper's key, the creation time and the
toolkit version. It holds **no allocation**: no assignment, no seed, no salt,
and the compared treatments only as an alphabetical list.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._constants import DISCLAIMER
from .._jsonfile import json_text, read_json
from .._validation import check_date, check_float, check_int
from ..design import Design, design_from_dict
from ..design.schedule import Schedule
from ..exceptions import TrialFileError
from ..outcomes import Outcome, outcome_from_dict
from ._atomic import write_file_atomic
from .blinding import _is_digest

__all__ = ["Protocol", "make_protocol", "read_protocol", "write_protocol", "DISCLAIMER"]

PROTOCOL_FORMAT = "nof1-protocol"
#: two-sided level used to describe randomization-test results
ALPHA = 0.05

_DATE_FIELDS = ("start", "end")


@dataclasses.dataclass(frozen=True)
class Protocol:
    """The participant's pre-registered protocol (no allocation in it).

    Attributes
    ----------
    trial_id : str
    created : str
        UTC creation time, ISO 8601 (``...Z``).
    nof1_version : str
    blinded : bool
        False for an open-label trial.
    treatments : tuple of str
        The two compared treatments in alphabetical order (never in role order).
    control : str
        Which of them is the comparator (``Schedule.control``): effects are
        treatment − control.
    design : dict
        ``Design.to_dict()`` (parameters only).
    n_assignments : int
        Size of the design's reference set.
    min_pvalue : dict
        Smallest attainable randomization p-value, ``"two-sided"`` and ``"one-sided"``.
    start, end : datetime.date
        First and last day of the trial (run-in included).
    run_in_days, period_days, washout_days, n_days : int
    packs : tuple of dict
        Per period: ``period``, ``code``, ``start``, ``end`` (ISO), ``n_days``,
        ``first_analysed`` (ISO). No contents.
    outcomes : tuple of Outcome
    primary : str
        Name of the primary outcome.
    analysis_plan, decision_rule : dict
    commitment : str
        SHA-256 commitment to the helper's key (see :mod:`nof1.trial.blinding`).
    disclaimer : str
    """

    trial_id: str
    created: str
    nof1_version: str
    blinded: bool
    treatments: tuple[str, str]
    control: str
    design: dict[str, Any]
    n_assignments: int
    min_pvalue: dict[str, float]
    start: _dt.date
    end: _dt.date
    run_in_days: int
    period_days: int
    washout_days: int
    n_days: int
    packs: tuple[dict[str, Any], ...]
    outcomes: tuple[Outcome, ...]
    primary: str
    analysis_plan: dict[str, Any]
    decision_rule: dict[str, Any]
    commitment: str
    disclaimer: str = DISCLAIMER

    @property
    def primary_outcome(self) -> Outcome:
        """The :class:`~nof1.Outcome` named by ``primary``."""
        return next(o for o in self.outcomes if o.name == self.primary)

    @property
    def outcome_names(self) -> list[str]:
        return [o.name for o in self.outcomes]

    @property
    def active(self) -> str:
        """The treatment that is not the control."""
        return next(t for t in self.treatments if t != self.control)

    @property
    def n_periods(self) -> int:
        return len(self.packs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict, as written to ``protocol.json``."""
        out: dict[str, Any] = {"format": PROTOCOL_FORMAT, "version": 1}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _DATE_FIELDS:
                value = value.isoformat()
            elif f.name == "outcomes":
                value = [o.to_dict() for o in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def plan(self) -> dict[str, Any]:
        """The pre-registration the commitment binds: :meth:`to_dict` without ``commitment``.

        Design and parameters, dates and packs, outcomes (scale, direction, MCID
        and source), primary outcome, analytic wash-out, analysis plan with its
        sensitivity analyses and interim rule, and the decision rule with its
        prior. The helper's key stores a copy and its commitment covers it
        (:func:`nof1.trial.blinding.seal_key`).
        """
        out = self.to_dict()
        del out["commitment"]
        return out

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> Protocol:
        """Rebuild a protocol from :meth:`to_dict` output (checks format, fields and types).

        Every field is type-checked: an error names the field and what it must be
        (e.g. ``protocol field 'blinded' must be true or false, got 'no'``).
        """
        if not isinstance(spec, dict) or spec.get("format") != PROTOCOL_FORMAT:
            raise TrialFileError(f"not a nof1 protocol (format {PROTOCOL_FORMAT!r})")
        if spec.get("version") != 1:
            raise TrialFileError(f"unsupported protocol version {spec.get('version')!r}")
        names = [f.name for f in dataclasses.fields(cls)]
        missing = [n for n in names if n not in spec and n != "disclaimer"]
        if missing:
            raise TrialFileError(f"the protocol has no {missing[0]!r} field")
        _check_field_types(spec)
        try:
            kw = {n: spec[n] for n in names if n in spec}
            kw["start"] = check_date(spec["start"], "start")
            kw["end"] = check_date(spec["end"], "end")
            kw["outcomes"] = tuple(outcome_from_dict(o) for o in spec["outcomes"])
            kw["treatments"] = tuple(spec["treatments"])
            kw["packs"] = tuple(dict(p) for p in spec["packs"])
            design_from_dict(kw["design"])
            protocol = cls(**kw)
        except (TypeError, ValueError, KeyError) as exc:
            raise TrialFileError(f"the protocol cannot be read: {exc}") from None
        if protocol.primary not in protocol.outcome_names:
            raise TrialFileError(f"the protocol's primary outcome {protocol.primary!r} is "
                                 f"not among its outcomes")
        return protocol


# -- type checks on load ------------------------------------------------------
def _bad(field: str, what: str, value: Any) -> TrialFileError:
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return TrialFileError(f"protocol field {field!r} must be {what}, got {shown}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_field_types(spec: dict[str, Any]) -> None:
    """Raise TrialFileError naming the first protocol field of the wrong type."""
    for name in ("trial_id", "created", "nof1_version", "control", "primary", "start", "end"):
        if not isinstance(spec[name], str) or not spec[name]:
            raise _bad(name, "a non-empty string", spec[name])
    if "disclaimer" in spec and not isinstance(spec["disclaimer"], str):
        raise _bad("disclaimer", "a string", spec["disclaimer"])
    if not isinstance(spec["blinded"], bool):
        raise _bad("blinded", "true or false", spec["blinded"])
    t = spec["treatments"]
    if (not isinstance(t, list) or len(t) != 2 or not all(isinstance(x, str) and x for x in t)
            or t[0] == t[1]):
        raise _bad("treatments", "a list of two different names", t)
    if spec["control"] not in t:
        raise _bad("control", f"one of the treatments {t}", spec["control"])
    for name in ("n_assignments", "period_days", "n_days"):
        if not _is_int(spec[name]) or spec[name] < 1:
            raise _bad(name, "a whole number of at least 1", spec[name])
    for name in ("run_in_days", "washout_days"):
        if not _is_int(spec[name]) or spec[name] < 0:
            raise _bad(name, "a whole number of at least 0", spec[name])
    if not isinstance(spec["design"], dict):
        raise _bad("design", "an object", spec["design"])
    mp = spec["min_pvalue"]
    if (not isinstance(mp, dict) or set(mp) != {"two-sided", "one-sided"}
            or not all(_is_real(v) and 0 < v <= 1 for v in mp.values())):
        raise _bad("min_pvalue", "an object with two-sided and one-sided p-values in (0, 1]",
                   mp)
    packs = spec["packs"]
    if not isinstance(packs, list) or not packs:
        raise _bad("packs", "a non-empty list", packs)
    for i, pack in enumerate(packs):
        where = f"packs[{i}]"
        if not isinstance(pack, dict):
            raise _bad(where, "an object", pack)
        for name in ("period", "n_days"):
            if not _is_int(pack.get(name)) or pack[name] < 1:
                raise _bad(f"{where}.{name}", "a whole number of at least 1", pack.get(name))
        for name in ("code", "start", "end", "first_analysed"):
            if not isinstance(pack.get(name), str) or not pack[name]:
                raise _bad(f"{where}.{name}", "a non-empty string", pack.get(name))
    outs = spec["outcomes"]
    if not isinstance(outs, list) or not outs or not all(isinstance(o, dict) for o in outs):
        raise _bad("outcomes", "a non-empty list of objects", outs)
    for i, o in enumerate(outs):
        for name in ("low", "high", "mcid"):
            if name in o and not _is_real(o[name]):
                raise _bad(f"outcomes[{i}].{name}", "a finite number", o[name])
        if "higher_is_better" in o and not isinstance(o["higher_is_better"], bool):
            raise _bad(f"outcomes[{i}].higher_is_better", "true or false",
                       o["higher_is_better"])
        for name in ("name", "question", "mcid_source"):
            if name in o and not isinstance(o[name], str):
                raise _bad(f"outcomes[{i}].{name}", "a string", o[name])
    _check_plan_types(spec["analysis_plan"], spec["primary"])
    _check_rule_types(spec["decision_rule"], spec["primary"])
    c = spec["commitment"]
    if not _is_digest(c):
        raise _bad("commitment", "64 lower-case hex digits (a SHA-256 digest)", c)


def _check_plan_types(plan: Any, primary: str) -> None:
    if not isinstance(plan, dict):
        raise _bad("analysis_plan", "an object", plan)
    if plan.get("primary_outcome") != primary:
        raise _bad("analysis_plan.primary_outcome", f"the primary outcome {primary!r}",
                   plan.get("primary_outcome"))
    alpha = plan.get("alpha")
    if not _is_real(alpha) or not 0 < alpha < 1:
        raise _bad("analysis_plan.alpha", "a number between 0 and 1", alpha)
    sens = plan.get("sensitivity")
    if not isinstance(sens, list) or not all(isinstance(x, str) for x in sens):
        raise _bad("analysis_plan.sensitivity", "a list of strings", sens)
    sec = plan.get("secondary_outcomes")
    if not isinstance(sec, list) or not all(isinstance(x, str) for x in sec):
        raise _bad("analysis_plan.secondary_outcomes", "a list of outcome names", sec)
    interim = plan.get("unblinded_interim", False)
    if not isinstance(interim, bool):
        raise _bad("analysis_plan.unblinded_interim", "true or false", interim)


def _check_rule_types(rule: Any, primary: str) -> None:
    if not isinstance(rule, dict):
        raise _bad("decision_rule", "an object", rule)
    thr = rule.get("probability_threshold")
    if not _is_real(thr) or not 0.5 < thr < 1:
        raise _bad("decision_rule.probability_threshold", "a probability above 0.5 and "
                   "below 1", thr)
    nb = rule.get("no_benefit_threshold")
    if not _is_real(nb) or not 0 < nb <= thr:
        raise _bad("decision_rule.no_benefit_threshold", "a probability above 0 and at "
                   "most the probability threshold", nb)
    mcid = rule.get("mcid")
    if not _is_real(mcid) or mcid <= 0:
        raise _bad("decision_rule.mcid", "a positive number", mcid)
    if rule.get("outcome") != primary:
        raise _bad("decision_rule.outcome", f"the primary outcome {primary!r}",
                   rule.get("outcome"))
    if rule.get("prior", "sceptical") != "sceptical":
        raise _bad("decision_rule.prior", "'sceptical' (the prior the rule is evaluated "
                   "under)", rule.get("prior"))
    version = rule.get("prior_version", 1)        # absent: the legacy prior (version 1)
    if not _is_int(version) or version not in (1, RULE_PRIOR_VERSION):
        raise _bad("decision_rule.prior_version", f"1 or {RULE_PRIOR_VERSION}", version)
    if "prior_spec" in rule and not isinstance(rule["prior_spec"], dict):
        raise _bad("decision_rule.prior_spec", "an object", rule["prior_spec"])
    if not isinstance(rule.get("text"), str):
        raise _bad("decision_rule.text", "a string", rule.get("text"))


# -- building ---------------------------------------------------------------
def _analysis_plan(design: Design, primary: Outcome, secondary: list[str],
                   washout_days: int, n_assignments: int,
                   unblinded_interim: bool = False) -> dict[str, Any]:
    window = ("run-in days and the first "
              f"{washout_days} day(s) of every period are not analysed (analytic wash-out)"
              if washout_days else "run-in days are not analysed")
    ttest, statistic = design.plan_estimate, design.plan_statistic
    return {
        "unit": "period",
        "analysed_days": window,
        "effect": ("mean under treatment − mean under control, in the outcome's units; "
                   "benefit is the effect re-signed by the outcome's direction"),
        "primary_outcome": primary.name,
        "primary": (f"{primary.name}: per-period means of analysed days; {ttest}; and the exact "
                    f"randomization test over all {n_assignments:,} admissible assignments "
                    f"of the design (statistic: {statistic}; two-sided: twice the smaller "
                    f"one-sided p-value; ties count as extreme). Estimate, interval and "
                    f"p-value all come from this one test"),
        "alpha": ALPHA,
        "secondary_outcomes": secondary,
        "secondary": ("the same analyses for each secondary outcome, with Holm-adjusted "
                      "p-values over the secondary outcomes" if secondary else "none"),
        "sensitivity": [
            "paired t-test and Wilcoxon signed-rank test on the pair differences (secondary)",
            "day-level GLS with AR(1) errors, pair (block) effects and an optional linear trend",
            "Bayesian model of the pair differences: P(benefit > 0), P(benefit >= MCID) and "
            "P(|effect| < MCID) under the reference prior p(effect, variance) ∝ 1/variance, "
            "with a prior-sensitivity table (sceptical prior: effect Cauchy around no effect "
            "with scale MCID/1.5 and reference prior for the variance; enthusiastic prior: "
            "the same around a benefit of one MCID)",
            "all period days analysed (no analytic wash-out)",
            "per-protocol: periods with the pack taken on fewer than 80% of days excluded, and "
            "days on which the diary's pack or period contradicts the schedule",
        ],
        "missing_data": ("missing days stay missing (never filled in); a period's mean uses "
                         "the analysed days with a score, and a period with fewer than half "
                         "of its analysed days scored counts as missing"),
        "unblinded_interim": bool(unblinded_interim),
        "interim": ("an unblinded interim look was pre-registered: an analysis before the last "
                    "analysed day may name the treatments" if unblinded_interim else
                    "no unblinded interim look: before the last analysed day only data "
                    "completeness, or a blinded analysis of groups X and Y, is shown"),
    }


#: version of the decision rule's prior definitions written into new protocols
#: (``nof1.analysis.PRIOR_VERSION``; a stored rule without ``prior_version`` is version 1,
#: the legacy normal-inverse-gamma sceptical prior, and keeps that meaning)
RULE_PRIOR_VERSION = 2
#: the version-2 sceptical prior in words (as ``DecisionRule.prior_label`` says it)
_PRIOR_WORDS = ("sceptical prior: effect centred on no effect, Cauchy with scale MCID/1.5, "
                "independent of the noise, reference prior for the variance")


def _decision_rule(primary: Outcome, threshold: float) -> dict[str, Any]:
    """The rule as ``nof1.analysis.DecisionRule.to_dict()`` writes it (a test checks this)."""
    unit = "point" if primary.mcid == 1 else "points"
    return {
        "outcome": primary.name,
        "mcid": primary.mcid,
        "probability_threshold": threshold,
        "no_benefit_threshold": 0.5,
        "prior": "sceptical",
        "mcid_source": primary.mcid_source,
        "prior_version": RULE_PRIOR_VERSION,
        "prior_spec": {"name": "sceptical", "version": RULE_PRIOR_VERSION,
                       "family": ("Student-t effect (df = 1: Cauchy), reference prior for "
                                  "the variance"),
                       "m0": 0.0, "effect_scale": float(primary.mcid / 1.5),
                       "effect_df": 1.0, "variance": "p(sigma^2) ∝ 1/sigma^2"},
        "text": (f"Pre-registered rule: the treatment is judged worthwhile for this person if "
                 f"the posterior probability that it improves {primary.name} by at least the "
                 f"MCID ({primary.mcid:g} {unit}) is at least {threshold:g} (Bayesian model "
                 f"of the pair differences, {_PRIOR_WORDS}); judged not "
                 f"worthwhile if the probability of any benefit is below 0.5; otherwise the "
                 f"result is inconclusive. Any change of treatment is decided with a "
                 f"clinician."),
    }


def make_protocol(schedule: Schedule, key: dict[str, Any], *, outcomes: Sequence[Outcome],
                  primary: str, blinded: bool,
                  decision_threshold: float = 0.8, unblinded_interim: bool = False) -> Protocol:
    """The participant's protocol for a drawn schedule and its key.

    Parameters
    ----------
    schedule : Schedule
        The drawn schedule (only its public parameters and dates are used).
    key : dict
        The helper's key from :func:`nof1.trial.blinding.make_key` (trial id, pack codes,
        creation time and commitment are copied; contents are not).
    outcomes : sequence of Outcome
        The daily outcomes, in diary order.
    primary : str
        Name of the primary outcome.
    blinded : bool
        False for an open-label trial.
    decision_threshold : float
        Posterior probability of a benefit of at least the MCID needed to judge the
        treatment worthwhile (default 0.8; docs/methods.md §2.5).
    unblinded_interim : bool
        Pre-register an unblinded interim look (default False: an analysis before
        the last analysed day shows completeness or groups X and Y only).

    Returns
    -------
    Protocol

    Raises
    ------
    ValueError
        If ``primary`` is not among the outcomes or the threshold is outside (0.5, 1).

    Notes
    -----
    The compared treatments are listed alphabetically, so that their order
    cannot hint at which one plays condition A. The primary analysis is at
    the period level (days within a period are not independent); the
    randomization test's reference set is the design's admissible set.

    References
    ----------
    .. [1] Porcino AJ et al. SPIRIT extension and elaboration for n-of-1 trials:
       SPENT 2019 checklist. BMJ 2020;368:m122.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.outcomes import default_outcomes
    >>> s = make_schedule(PairedDesign(6), start="2026-01-05", rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> p.treatments, p.control, p.n_assignments, p.min_pvalue["two-sided"]
    (('magnesium', 'placebo'), 'placebo', 64, 0.03125)
    >>> print(p.decision_rule["text"][:74])
    Pre-registered rule: the treatment is judged worthwhile for this person if
    """
    from .. import __version__

    outcomes = tuple(outcomes)
    names = [o.name for o in outcomes]
    if primary not in names:
        raise ValueError(f"`primary` must be one of the outcomes {names}, got {primary!r}")
    threshold = check_float(decision_threshold, "decision_threshold", minimum=0.5, maximum=1.0,
                            inclusive=False)
    if not isinstance(unblinded_interim, bool):
        raise TypeError("`unblinded_interim` must be True or False")
    design = schedule.design
    periods = schedule.periods
    packs = tuple(
        {"period": int(row.period), "code": pack["code"], "start": row.start.isoformat(),
         "end": row.end.isoformat(), "n_days": int(row.n_days),
         "first_analysed": (row.start + _dt.timedelta(days=schedule.washout_days)).isoformat()}
        for row, pack in zip(periods.itertuples(), key["packs"], strict=True))
    by_name = {o.name: o for o in outcomes}
    return Protocol(
        trial_id=key["trial_id"], created=key["created"], nof1_version=__version__,
        blinded=bool(blinded), treatments=tuple(sorted(schedule.treatments)),  # type: ignore
        control=schedule.control, design=design.to_dict(),
        n_assignments=int(design.n_assignments),
        min_pvalue={"two-sided": design.min_pvalue("two-sided"),
                    "one-sided": design.min_pvalue("greater")},
        start=schedule.start, end=schedule.end, run_in_days=schedule.run_in_days,
        period_days=schedule.period_days, washout_days=schedule.washout_days,
        n_days=check_int(schedule.n_days, "n_days", minimum=1), packs=packs,
        outcomes=outcomes, primary=primary,
        analysis_plan=_analysis_plan(design, by_name[primary],
                                     [n for n in names if n != primary],
                                     schedule.washout_days, int(design.n_assignments),
                                     unblinded_interim=bool(unblinded_interim)),
        decision_rule=_decision_rule(by_name[primary], threshold),
        commitment=key["commitment"])


# -- files --------------------------------------------------------------------------
def protocol_json(protocol: Protocol) -> str:
    """The text of ``protocol.json``.

    Parameters
    ----------
    protocol : Protocol
        The protocol to serialize.

    Returns
    -------
    str
        ``Protocol.to_dict()`` as indented UTF-8 JSON, ending with a newline.

    Examples
    --------
    >>> import json
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.outcomes import default_outcomes
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> text = protocol_json(p)
    >>> list(json.loads(text))[:4]
    ['format', 'version', 'trial_id', 'created']
    >>> '"salt"' in text, '"seed"' in text
    (False, False)
    """
    return json_text(protocol.to_dict())


def write_protocol(protocol: Protocol, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``protocol.json`` atomically; refuses to overwrite unless asked.

    Parameters
    ----------
    protocol : Protocol
        The protocol to write (e.g. from :func:`make_protocol`).
    path : str or Path
        Destination; its folder must exist.
    overwrite : bool
        Replace an existing file (default False).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    TrialExistsError
        If ``path`` exists and ``overwrite`` is False.
    TrialFileError
        If the destination folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.exceptions import TrialExistsError
    >>> from nof1.outcomes import default_outcomes
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_protocol(p, pathlib.Path(tmp) / "protocol.json")
    ...     try:
    ...         write_protocol(p, path)          # an existing file is kept
    ...     except TrialExistsError:
    ...         print("refused")
    ...     _ = write_protocol(p, path, overwrite=True)
    ...     print(path.name, read_protocol(path) == p)
    refused
    protocol.json True
    """
    return write_file_atomic(path, protocol_json(protocol).encode("utf-8"), overwrite=overwrite)


def read_protocol(path: str | Path) -> Protocol:
    """Read ``protocol.json``.

    Parameters
    ----------
    path : str or Path
        Usually ``participant/protocol.json`` in a trial folder.

    Returns
    -------
    Protocol
        The protocol, with its dates parsed and its outcomes rebuilt.

    Raises
    ------
    TrialFileError
        If the file is missing, unreadable, not JSON or not a nof1 protocol.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, create_trial
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp) / "trial"
    ...     _ = create_trial(folder, design=PairedDesign(6), start="2026-01-05", rng=12345)
    ...     p = read_protocol(folder / "participant" / "protocol.json")
    ...     try:
    ...         read_protocol(folder / "participant" / "schedule.csv")
    ...     except TrialFileError:
    ...         print("not a protocol")
    not a protocol
    >>> p.treatments, p.primary, p.n_periods, p.start
    (('magnesium', 'placebo'), 'pain', 12, datetime.date(2026, 1, 5))
    """
    path = Path(path)
    spec = read_json(path, "protocol file")
    try:
        return Protocol.from_dict(spec)
    except TrialFileError as exc:
        raise TrialFileError(f"{path}: {exc}") from None
