"""Create, read and verify a trial folder.

::

    my-trial/
      participant/  schedule.csv  calendar.ics  diary.csv  protocol.json  schedule.html
      helper/       key.json  packs.html          (kept away from the participant)

The whole folder is written at once (see :mod:`nof1.trial._atomic`): it
appears complete or not at all, and an existing non-empty folder is never
touched. An *empty* existing folder is accepted and filled.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._constants import MAX_DAYS, START_RANGE
from .._jsonfile import json_text
from .._validation import check_int, check_treatments
from ..design import Design, design_from_dict
from ..design.schedule import Schedule, make_schedule, mix_seed, seed_entropy
from ..exceptions import KeyMismatchError, PlanMismatchError, TrialExistsError, TrialFileError
from ..outcomes import DEFAULT_OUTCOMES, Outcome
from ._atomic import write_tree_atomic
from .blinding import _canonical, load_key, make_key, seal_key, unblind
from .diary_page import (
    DIARY_EXTRA_COLUMNS,
    DIARY_FIXED_COLUMNS,
    diary_columns,
    diary_page_html,
)
from .html import HelperKit, packs_html, schedule_html
from .ics import calendar_ics
from .paper_diary import paper_diary_html
from .protocol import Protocol, make_protocol, protocol_json, read_protocol

__all__ = ["Trial", "create_trial", "read_trial", "verify_trial", "check_printed_copies",
           "check_plan", "SCHEDULE_COLUMNS",
           "DIARY_FIXED_COLUMNS", "DIARY_EXTRA_COLUMNS", "PARTICIPANT_FILES", "HELPER_FILES"]

SCHEDULE_COLUMNS = ("date", "day", "period", "pack", "phase", "analysed")
PARTICIPANT_FILES = ("schedule.csv", "calendar.ics", "diary.csv", "protocol.json",
                     "schedule.html", "diary.html", "paper-diary.html")
HELPER_FILES = ("key.json", "packs.html")
_RESERVED = set(SCHEDULE_COLUMNS) | set(DIARY_EXTRA_COLUMNS) | {"pair", "condition",
                                                                "treatment"}


@dataclasses.dataclass(frozen=True, eq=False)
class Trial:
    """A trial folder and what was read from (or written to) it.

    Attributes
    ----------
    directory : pathlib.Path
    protocol : Protocol
    calendar : pandas.DataFrame
        ``participant/schedule.csv``: ``date``, ``day``, ``period``, ``pack``,
        ``phase``, ``analysed`` (bool). No allocation.
    schedule : Schedule or None
        The unblinded schedule (from the helper's key), when known.
    key : dict or None
        The helper's key, when known.
    """

    directory: Path
    protocol: Protocol
    calendar: pd.DataFrame
    schedule: Schedule | None = None
    key: dict[str, Any] | None = None

    @property
    def participant_dir(self) -> Path:
        return self.directory / "participant"

    @property
    def helper_dir(self) -> Path:
        return self.directory / "helper"

    def summary(self) -> str:
        """A short description of the design, its dates and what the test can attain."""
        p = self.protocol
        shape = design_from_dict(p.design).describe(p.period_days)
        extras = [f"run-in {p.run_in_days} days" if p.run_in_days else "no run-in",
                  f"wash-out: first {p.washout_days} days of each period not analysed"
                  if p.washout_days else "no analytic wash-out"]
        two, one = p.min_pvalue["two-sided"], p.min_pvalue["one-sided"]
        primary = p.primary_outcome
        secondary = [n for n in p.outcome_names if n != p.primary]
        lines = [
            f"Trial {p.trial_id}: " + ("blinded" if p.blinded else "OPEN-LABEL (not blinded)"),
            f"Design: {shape}",
            "; ".join(extras).capitalize(),
            f"Dates: {p.start.isoformat()} to {p.end.isoformat()} ({p.n_days} days)",
            f"Admissible assignments: {p.n_assignments:,}; smallest attainable p-value "
            f"{two:.4g} (two-sided), {one:.4g} (one-sided)",
            f"Primary outcome: {primary.name} (MCID {primary.mcid:g})"
            + (f"; secondary: {', '.join(secondary)}" if secondary else ""),
            ("Allocation: drawn from the seed (if any) mixed with 256 bits of secret "
             "entropy kept only in helper/key.json; the seed alone does not reproduce it"
             if p.blinded else
             "Allocation: reproducible from the seed (open-label); the seed is in "
             "helper/key.json"),
            f"Commitment (SHA-256 of the key and this plan; keep a copy): {p.commitment}",
        ]
        if two >= 0.05:
            lines.append(f"WARNING: the randomization test cannot reach p < 0.05 with this "
                         f"design (smallest two-sided p = {two:.4g}); add periods, or read "
                         f"the result as an estimate only.")
        return "\n".join(lines)


# -- rendering ------------------------------------------------------------------
def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _calendar_rows(schedule: Schedule, codes: dict[int, str]) -> list[list[Any]]:
    rows = []
    for r in schedule.days.itertuples():
        run_in = pd.isna(r.period)
        rows.append([r.date.date().isoformat(), int(r.day),
                     "" if run_in else int(r.period),
                     "" if run_in else codes[int(r.period)],
                     "run-in" if run_in else "period",
                     "yes" if r.analysed else "no"])
    return rows


def _render(schedule: Schedule, key: dict[str, Any], protocol: Protocol,
            diary_time: _dt.time, helper_kit: HelperKit | None = None) -> dict[str, bytes]:
    codes = {int(p["period"]): p["code"] for p in key["packs"]}
    rows = _calendar_rows(schedule, codes)
    blank = [""] * (len(protocol.outcome_names) + len(DIARY_EXTRA_COLUMNS))
    return {
        "participant/schedule.csv": _csv(SCHEDULE_COLUMNS, rows),
        "participant/calendar.ics": calendar_ics(protocol, diary_time=diary_time),
        "participant/diary.csv": _csv(diary_columns(protocol),
                                      [row[:len(DIARY_FIXED_COLUMNS)] + blank for row in rows]),
        "participant/protocol.json": protocol_json(protocol).encode("utf-8"),
        "participant/schedule.html": schedule_html(protocol),
        "participant/diary.html": diary_page_html(protocol),
        "participant/paper-diary.html": paper_diary_html(protocol),
        "helper/key.json": json_text(key).encode("utf-8"),
        "helper/packs.html": packs_html(protocol, key, kit=helper_kit),
    }


# -- validation -------------------------------------------------------------------
def _check_outcomes(outcomes: Sequence[Outcome | str] | None) -> tuple[Outcome, ...]:
    if outcomes is None:
        return tuple(DEFAULT_OUTCOMES.values())
    if isinstance(outcomes, (str, Outcome)):
        outcomes = [outcomes]
    out = []
    for o in outcomes:
        if isinstance(o, str):
            if o not in DEFAULT_OUTCOMES:
                raise ValueError(f"unknown outcome {o!r}: use one of "
                                 f"{', '.join(DEFAULT_OUTCOMES)} or pass an Outcome")
            o = DEFAULT_OUTCOMES[o]
        if not isinstance(o, Outcome):
            raise TypeError("`outcomes` must be Outcome objects or names of default outcomes")
        if o.name in _RESERVED:
            raise ValueError(f"outcome name {o.name!r} is reserved for a diary column")
        out.append(o)
    names = [o.name for o in out]
    if not out or len(set(names)) != len(names):
        raise ValueError(f"`outcomes` must be non-empty with distinct names, got {names}")
    return tuple(out)


def _check_target(directory: Any) -> Path:
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError("`directory` must be a path")
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise TrialExistsError(f"{target} already exists and is not empty; choose a new folder "
                               f"(an existing trial is never overwritten)")
    return target


# -- public API ---------------------------------------------------------------------
def create_trial(directory: str | os.PathLike[str], *, design: Design, start: Any,
                 period_days: int | None = None, run_in_days: int = 7, washout_days: int = 7,
                 treatments: Sequence[str] | None = None,
                 outcomes: Sequence[Outcome | str] | None = None, primary: str | None = None,
                 blinded: bool = True, rng: Any = None,
                 diary_time: _dt.time = _dt.time(20, 0),
                 decision_threshold: float = 0.8, unblinded_interim: bool = False,
                 entropy: str | None = None,
                 helper_kit: HelperKit | None = None) -> Trial:
    """Draw a schedule and write a complete trial folder (participant/ and helper/).

    Parameters
    ----------
    directory : path
        The folder to create. It must not exist, or be empty; its parent must exist.
    design : Design
        Paired, phase or alternating design.
    start : datetime.date or str
        First day of the trial (the run-in's first day).
    period_days : int, optional
        Days per design unit (default 14; 1 for phase designs, whose units are days).
    run_in_days : int
        Diary-only days before the first period (default 7).
    washout_days : int
        Analytic wash-out: the first days of every period not analysed (default 7).
    treatments : pair of str, optional
        Treatment, then control. Default ``("magnesium", "placebo")``, or
        ``("magnesium", "no magnesium")`` for an open-label trial.
    outcomes : sequence of Outcome or str, optional
        Daily outcomes (default pain, stress, sleep on 0-10); strings name default outcomes.
    primary : str, optional
        Primary outcome (default ``"pain"`` if measured, else the first outcome).
    blinded : bool
        False for an open-label trial: every output is marked "OPEN-LABEL (not blinded)".
    rng : None, int or numpy.random.Generator
        Allocation seed. In an open-label trial the same integer seed gives the
        same allocation. In a blinded trial it is mixed with 256 bits of secret
        entropy (:func:`nof1.design.schedule.mix_seed`) recorded only in the helper's
        key, so the seed alone reproduces nothing and a guessed seed reveals
        nothing; the key reproduces and audits the allocation exactly
        (:func:`nof1.trial.blinding.audit_key`). Pack codes, trial id and salt always
        come from :mod:`secrets`.
    diary_time : datetime.time
        Clock time of the daily diary reminder in the calendar.
    decision_threshold : float
        Pre-registered posterior probability for the decision rule (default 0.8).
    unblinded_interim : bool
        Pre-register an unblinded interim look (default False).
    entropy : str, optional
        The secret entropy of a blinded trial, 64 lower-case hex digits (default:
        fresh from :mod:`secrets`, which is what a real trial must use). A given
        value makes the allocation computable from the seed: use it only to make a
        simulated example reproducible. Not allowed for an open-label trial.
    helper_kit : HelperKit, optional
        Products and doses per day for the helper's sheet (``helper/packs.html``).

    Returns
    -------
    Trial
        With ``schedule`` and ``key`` filled in.

    Raises
    ------
    TrialExistsError
        If ``directory`` exists and is not empty (it is left untouched).
    TrialFileError
        If the parent folder does not exist.
    ValueError, TypeError
        For invalid arguments (nothing is written).

    Notes
    -----
    Phase designs fix the order of phases, so for a blinded phase design a
    coin decides which treatment plays A. There is one role mechanism: the
    coin is drawn after the assignment from the same mixed (secret) seed
    (``make_schedule(randomize_roles=True)``), so it is as secret as the
    allocation and the key reproduces it. Paired and alternating designs are
    symmetric (the mirror order is part of their randomization) and keep the
    given order. Open-label phase designs keep the given order (the first
    treatment starts).

    The commitment printed on every participant file covers the key *and* the
    whole plan (:meth:`Protocol.plan`), so no field of ``protocol.json`` can
    change after the start without :func:`verify_trial` noticing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(tmp.name) / "trial"
    >>> trial = create_trial(folder, design=PairedDesign(4), start="2026-01-05", rng=12345)
    >>> print(trial.summary())
    Trial ...: blinded
    Design: paired, 4 pairs = 8 periods of 14 days
    Run-in 7 days; wash-out: first 7 days of each period not analysed
    Dates: 2026-01-05 to 2026-05-03 (119 days)
    Admissible assignments: 16; smallest attainable p-value 0.125 (two-sided), 0.0625 (one-sided)
    Primary outcome: pain (MCID 1); secondary: stress, sleep
    Allocation: drawn from the seed (if any) mixed with 256 bits of secret entropy ...
    Commitment (SHA-256 of the key and this plan; keep a copy): ...
    WARNING: the randomization test cannot reach p < 0.05 with this design ...
    >>> sorted(p.name for p in (folder / "participant").iterdir())
    ['calendar.ics', 'diary.csv', 'diary.html', 'paper-diary.html', 'protocol.json',
     'schedule.csv', 'schedule.html']
    >>> verify_trial(folder) == trial.protocol.commitment
    True
    >>> tmp.cleanup()
    """
    target = _check_target(directory)
    if not isinstance(design, Design):
        raise TypeError(f"`design` must be a nof1 Design, got {type(design).__name__}")
    if not isinstance(blinded, bool):
        raise TypeError("`blinded` must be True or False")
    if period_days is None:
        period_days = design.default_unit_days
    period_days = check_int(period_days, "period_days", minimum=1, maximum=366)
    washout_days = design.check_washout(washout_days, period_days)
    if treatments is None:
        treatments = ("magnesium", "placebo") if blinded else ("magnesium", "no magnesium")
    treatments = check_treatments(treatments)
    outs = _check_outcomes(outcomes)
    if primary is None:
        primary = "pain" if any(o.name == "pain" for o in outs) else outs[0].name
    if not isinstance(diary_time, _dt.time):
        raise TypeError("`diary_time` must be a datetime.time")

    if not isinstance(unblinded_interim, bool):
        raise TypeError("`unblinded_interim` must be True or False")

    roles = bool(blinded and design.needs_role_coin)
    if entropy is not None and not blinded:
        raise ValueError("`entropy` applies to blinded trials only")
    if blinded:
        user_seed = None if rng is None else seed_entropy(rng)
        entropy = secrets.token_hex(32) if entropy is None else entropy
        drawn_seed: int = mix_seed(user_seed, entropy)
        allocation = {"seed": user_seed, "entropy": entropy}
    else:
        drawn_seed = seed_entropy(rng)
        allocation = {"seed": drawn_seed, "entropy": None}
    allocation.update(randomize_roles=roles, treatments=list(treatments))
    schedule = make_schedule(design, start=start, period_days=period_days,
                             run_in_days=run_in_days, washout_days=washout_days,
                             treatments=treatments, randomize_roles=roles, rng=drawn_seed)
    _check_plausible(schedule)
    key = make_key(schedule, allocation=allocation)
    draft = make_protocol(schedule, key, outcomes=outs, primary=primary, blinded=blinded,
                          decision_threshold=decision_threshold,
                          unblinded_interim=unblinded_interim)
    key = seal_key(key, draft.plan())
    protocol = dataclasses.replace(draft, commitment=key["commitment"])
    if helper_kit is not None and not isinstance(helper_kit, HelperKit):
        raise TypeError("`helper_kit` must be a nof1.trial.HelperKit")
    files = _render(schedule, key, protocol, diary_time, helper_kit)
    write_tree_atomic(target, files)
    return Trial(directory=target, protocol=protocol, calendar=_read_calendar(target),
                 schedule=schedule, key=key)


#: the longest trial a folder may hold, run-in included: five years of days (a longer
#: personal trial is almost certainly a typing error, e.g. --period-days 366 for 36)
MAX_TRIAL_DAYS = MAX_DAYS


def _check_plausible(schedule: Schedule) -> None:
    """Refuse implausible trials (a start in year 1, a trial of decades) with the range."""
    low, high = START_RANGE
    if not low <= schedule.start <= high:
        raise ValueError(f"`start` must be between {low} and {high}, got {schedule.start}")
    if schedule.n_days > MAX_TRIAL_DAYS:
        raise ValueError(f"the trial would last {schedule.n_days} days; a trial folder may "
                         f"last at most {MAX_TRIAL_DAYS} days (five years): use fewer or "
                         f"shorter periods")


def _read_calendar(directory: Path) -> pd.DataFrame:
    path = directory / "participant" / "schedule.csv"
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise TrialFileError(f"schedule file not found: {path}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise TrialFileError(f"cannot read {path}: {exc}") from None
    if tuple(frame.columns) != SCHEDULE_COLUMNS:
        raise TrialFileError(f"{path} must have columns {', '.join(SCHEDULE_COLUMNS)}")
    try:
        dates = pd.to_datetime(frame["date"], format="%Y-%m-%d")
        if len(dates):  # the resolution Schedule.days uses, so that frames merge cleanly
            dates = dates.dt.as_unit(pd.Timestamp(dates.iloc[0].date()).unit)
        return pd.DataFrame({
            "date": dates,
            "day": frame["day"].astype(int),
            "period": pd.array([int(v) if v else pd.NA for v in frame["period"]],
                               dtype="Int64"),
            "pack": frame["pack"].replace("", pd.NA),
            "phase": frame["phase"],
            "analysed": frame["analysed"].map({"yes": True, "no": False}).astype(bool),
        })
    except (TypeError, ValueError) as exc:
        raise TrialFileError(f"{path} cannot be read: {exc}") from None


def read_trial(directory: str | os.PathLike[str], *, unblind: bool = False) -> Trial:
    """Read a trial folder: the participant's protocol and schedule, optionally unblinded.

    Parameters
    ----------
    directory : path
        The trial folder (holding ``participant/`` and, to unblind, ``helper/``).
    unblind : bool
        Also read ``helper/key.json``, check it against the participant's
        commitment and fill ``Trial.schedule`` and ``Trial.key``.

    Returns
    -------
    Trial

    Raises
    ------
    TrialFileError
        A file is missing or malformed.
    KeyMismatchError
        ``unblind=True`` and the key fails the commitment.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp) / "trial"
    ...     made = create_trial(folder, design=PairedDesign(6), start="2026-01-05")
    ...     blind = read_trial(folder)
    ...     full = read_trial(folder, unblind=True)
    >>> blind.schedule is None, blind.calendar.shape
    (True, (175, 6))
    >>> full.schedule.periods["treatment"].tolist() == made.schedule.periods["treatment"].tolist()
    True
    """
    directory = Path(directory)
    if not (directory / "participant").is_dir():
        raise TrialFileError(f"{directory} is not a trial folder (no participant/ folder)")
    protocol = read_protocol(directory / "participant" / "protocol.json")
    calendar = _read_calendar(directory)
    schedule = key = None
    if unblind:
        check_printed_copies(directory, protocol.commitment)
        key, schedule = _unblind(directory, protocol)
    return Trial(directory=directory, protocol=protocol, calendar=calendar,
                 schedule=schedule, key=key)


def _unblind(directory: Path, protocol: Protocol) -> tuple[dict[str, Any], Schedule]:
    key = load_key(directory / "helper" / "key.json")
    schedule = unblind(key, protocol.commitment)
    check_plan(protocol, key)
    codes = [p["code"] for p in key["packs"]]
    if codes != [p["code"] for p in protocol.packs]:
        raise KeyMismatchError("the participant's pack codes differ from the key's")
    return key, schedule


def check_plan(protocol: Protocol, key: dict[str, Any]) -> None:
    """Check that the protocol's plan is the one the (verified) key committed to.

    Parameters
    ----------
    protocol : Protocol
        The participant's protocol.
    key : dict
        The helper's key, already checked against ``protocol.commitment``.

    Raises
    ------
    PlanMismatchError
        Naming the first field of ``protocol.json`` that differs from the
        committed plan (exit code 3 on the command line).

    Examples
    --------
    >>> import dataclasses, tempfile, pathlib
    >>> from nof1 import PairedDesign
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     trial = create_trial(pathlib.Path(tmp) / "t", design=PairedDesign(6),
    ...                          start="2026-01-05")
    >>> check_plan(trial.protocol, trial.key)        # intact: returns None
    >>> edited = dataclasses.replace(trial.protocol, primary="sleep")
    >>> check_plan(edited, trial.key)
    Traceback (most recent call last):
    ...
    nof1.exceptions.PlanMismatchError: protocol.json field 'primary' differs from ...
    """
    committed = key.get("plan")
    if not isinstance(committed, dict):
        raise KeyMismatchError("the key holds no committed plan")
    plan = protocol.plan()
    differ = [name for name in sorted(set(plan) | set(committed))
              if name not in plan or name not in committed
              or _canonical({"v": plan[name]}) != _canonical({"v": committed[name]})]
    if differ:
        fields = ", ".join(repr(name) for name in differ)
        raise PlanMismatchError(
            f"protocol.json field{'s' if len(differ) > 1 else ''} {fields} "
            f"differ{'' if len(differ) > 1 else 's'} from the plan committed to at the "
            f"start (commitment {protocol.commitment}): the protocol was edited")


_HTML_HASH = re.compile(r'class="hash">([0-9a-fA-F]+)<')
#: how calendar.ics and paper-diary.html print the commitment
_TEXT_HASH = re.compile(r"commitment ([0-9a-fA-F]{16,64})")
#: the diary pages print the commitment's first 16 hex digits (a page header, not a seal);
#: they are checked when present, so that a re-committed protocol.json cannot hide there
_DIARY_PAGE_HASH = re.compile(r'"commitment":"([0-9a-fA-F]{16,64})"')


def _printed(path: Path, pattern: re.Pattern[str], *, unfold: bool = False) -> list[str]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise TrialFileError(f"{path.name} not found in {path.parent}: every printed copy of "
                             f"the commitment is checked") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrialFileError(f"cannot read {path}: {exc}") from None
    if unfold:  # RFC 5545 line folding: CRLF followed by one space or tab
        text = re.sub(r"\r?\n[ \t]", "", text)
    return pattern.findall(text)


def check_printed_copies(directory: str | os.PathLike[str], commitment: str) -> None:
    """Check every printed copy of the commitment in ``participant/`` against ``commitment``.

    ``schedule.html`` (short and full digest) and ``calendar.ics`` (full digest in
    every event) must show the commitment of ``protocol.json``; so must the diary
    pages (``diary.html``, ``paper-diary.html``: the first 16 digits) when present.
    A key swapped and re-committed in ``protocol.json`` alone is caught here.

    Parameters
    ----------
    directory : path
        The trial folder.
    commitment : str
        The commitment in ``participant/protocol.json``.

    Raises
    ------
    PlanMismatchError
        If a copy is missing from a file or differs (exit code 3 on the command line).
    TrialFileError
        If a file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     trial = create_trial(pathlib.Path(tmp) / "t", design=PairedDesign(6),
    ...                          start="2026-01-05")
    ...     check_printed_copies(trial.directory, trial.protocol.commitment)
    ...     try:
    ...         check_printed_copies(trial.directory, "0" * 64)
    ...     except PlanMismatchError as exc:
    ...         print(str(exc)[:45])
    schedule.html shows the commitment ...
    """
    folder = Path(directory) / "participant"
    commitment = str(commitment).lower()
    for name, pattern, unfold in (("schedule.html", _HTML_HASH, False),
                                  ("calendar.ics", _TEXT_HASH, True)):
        found = _printed(folder / name, pattern, unfold=unfold)
        full = [c.lower() for c in found if len(c) == 64]
        if not full:
            raise PlanMismatchError(f"{name} shows no full commitment; protocol.json says "
                                    f"{commitment}")
        for copy in sorted(found, key=len, reverse=True):  # full digests first
            if not commitment.startswith(copy.lower()) or len(copy) not in (16, 64):
                raise PlanMismatchError(
                    f"{name} shows the commitment {copy.lower()} but protocol.json says "
                    f"{commitment}: the protocol or the key was changed after the start")
    for name, pattern in (("diary.html", _DIARY_PAGE_HASH),
                          ("paper-diary.html", _TEXT_HASH)):
        if not (folder / name).exists():  # pages added later; older folders lack them
            continue
        for copy in _printed(folder / name, pattern):
            if not commitment.startswith(copy.lower()) or len(copy) not in (16, 64):
                raise PlanMismatchError(
                    f"{name} shows the commitment {copy.lower()} but protocol.json says "
                    f"{commitment}: the protocol or the key was changed after the start")


def verify_trial(directory: str | os.PathLike[str]) -> str:
    """Check ``helper/key.json`` against the commitment in ``participant/protocol.json``.

    Parameters
    ----------
    directory : path
        The trial folder, holding both ``participant/`` and ``helper/``.

    Returns
    -------
    str
        The commitment (64 hex digits), when everything agrees.

    Raises
    ------
    KeyMismatchError
        The key was edited, belongs to another trial, or its allocation is not
        the one its seed and entropy draw (exit code 1).
    PlanMismatchError
        ``protocol.json`` differs from the committed plan, or a printed copy of
        the commitment (``schedule.html``, ``calendar.ics``) differs from
        ``protocol.json`` (exit code 3).
    TrialFileError
        A file is missing, unreadable or malformed.

    Notes
    -----
    Checks, in order: the printed copies against ``protocol.json``; the key
    against the commitment (:func:`nof1.trial.blinding.verify_key`); the key's
    packs against its schedule and the allocation against a redraw from the
    key's seed and entropy (:func:`nof1.trial.blinding.unblind`); the participant's
    pack codes; every field of the protocol against the committed plan
    (:func:`check_plan`).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from nof1 import PairedDesign
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp) / "trial"
    ...     trial = create_trial(folder, design=PairedDesign(6), start="2026-01-05",
    ...                          rng=12345)
    ...     print(verify_trial(folder) == trial.protocol.commitment)
    ...     key_path = folder / "helper" / "key.json"
    ...     key = json.loads(key_path.read_text())
    ...     first = key["packs"][0]
    ...     first["treatment"] = {"magnesium": "placebo", "placebo": "magnesium"}[
    ...         first["treatment"]]                         # edited after the fact
    ...     _ = key_path.write_text(json.dumps(key))
    ...     try:
    ...         verify_trial(folder)
    ...     except KeyMismatchError:
    ...         print("the key fails the commitment")
    True
    the key fails the commitment
    """
    directory = Path(directory)
    protocol = read_protocol(directory / "participant" / "protocol.json")
    check_printed_copies(directory, protocol.commitment)
    _unblind(directory, protocol)
    return protocol.commitment
