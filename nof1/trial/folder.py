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
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._validation import check_int, check_treatments
from ..blinding import load_key, make_key, short_commitment, unblind
from ..design import Design
from ..exceptions import KeyMismatchError, TrialExistsError, TrialFileError
from ..outcomes import DEFAULT_OUTCOMES, Outcome
from ..protocol import Protocol, make_protocol, protocol_json, read_protocol
from ..schedule import Schedule, make_schedule
from ._atomic import write_tree_atomic
from .diary_page import diary_page_html
from .html import HelperKit, packs_html, schedule_html
from .ics import calendar_ics
from .paper_diary import paper_diary_html

__all__ = ["Trial", "create_trial", "read_trial", "verify_trial", "SCHEDULE_COLUMNS",
           "DIARY_FIXED_COLUMNS", "DIARY_EXTRA_COLUMNS", "PARTICIPANT_FILES", "HELPER_FILES"]

SCHEDULE_COLUMNS = ("date", "day", "period", "pack", "phase", "analysed")
DIARY_FIXED_COLUMNS = ("date", "day", "period", "pack")
DIARY_EXTRA_COLUMNS = ("took_pack", "side_effects", "notes", "blinding_guess")
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
        d = p.design
        if d["kind"] == "paired":
            shape = (f"paired, {d['n_pairs']} pairs = {p.n_periods} periods of "
                     f"{p.period_days} days")
        elif d["kind"] == "alternating":
            cap = "" if d["max_run"] is None else f", at most {d['max_run']} in a row"
            shape = f"alternating, {p.n_periods} periods of {p.period_days} days{cap}"
        else:
            unit = "days" if p.period_days == 1 else f"occasions of {p.period_days} days"
            shape = (f"phase {d['phases']} over {d['n_occasions']} {unit}, every phase at "
                     f"least {d['min_phase'] * p.period_days} days")
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
            f"Commitment: {short_commitment(p.commitment)}",
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
    outcome_names = protocol.outcome_names
    blank = [""] * (len(outcome_names) + len(DIARY_EXTRA_COLUMNS))
    return {
        "participant/schedule.csv": _csv(SCHEDULE_COLUMNS, rows),
        "participant/calendar.ics": calendar_ics(protocol, diary_time=diary_time),
        "participant/diary.csv": _csv(
            [*DIARY_FIXED_COLUMNS, *outcome_names, *DIARY_EXTRA_COLUMNS],
            [row[:4] + blank for row in rows]),
        "participant/protocol.json": protocol_json(protocol).encode("utf-8"),
        "participant/schedule.html": schedule_html(protocol),
        "participant/diary.html": diary_page_html(protocol),
        "participant/paper-diary.html": paper_diary_html(protocol),
        "helper/key.json": (json.dumps(key, indent=2, ensure_ascii=False) + "\n").encode(),
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


def _check_washout(design: Design, period_days: int, washout_days: int) -> None:
    shortest = period_days * (design.min_phase if design.kind == "phase" else 1)  # type: ignore
    if washout_days >= shortest:
        raise ValueError(f"`washout_days`={washout_days} must be shorter than the shortest "
                         f"period ({shortest} days), so that every period has analysed days")


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
                 decision_threshold: float = 0.8,
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
        Allocation randomness; the same integer seed gives the same allocation.
        Pack codes, trial id and salt always come from :mod:`secrets`.
    diary_time : datetime.time
        Clock time of the daily diary reminder in the calendar.
    decision_threshold : float
        Pre-registered posterior probability for the decision rule (default 0.8).
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
    coin decides which treatment plays A. The coin comes from :mod:`secrets`,
    not from ``rng``, and is recorded only in the helper's key: the
    participant sees the phase-change days, which the seed determines, so a
    guessable seed (``--seed 1``) must not also reveal which treatment came
    first. The seed therefore reproduces the phase-change days; the key holds
    the roles. Paired and alternating designs are symmetric (the mirror order
    is part of their randomization) and keep the given order. Open-label phase
    designs keep the given order (the first treatment starts).

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
    Commitment: ...
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
        period_days = 1 if design.kind == "phase" else 14
    period_days = check_int(period_days, "period_days", minimum=1, maximum=366)
    washout_days = check_int(washout_days, "washout_days", minimum=0)
    _check_washout(design, period_days, washout_days)
    if treatments is None:
        treatments = ("magnesium", "placebo") if blinded else ("magnesium", "no magnesium")
    treatments = check_treatments(treatments)
    outs = _check_outcomes(outcomes)
    if primary is None:
        primary = "pain" if any(o.name == "pain" for o in outs) else outs[0].name
    if not isinstance(diary_time, _dt.time):
        raise TypeError("`diary_time` must be a datetime.time")

    schedule = make_schedule(design, start=start, period_days=period_days,
                             run_in_days=run_in_days, washout_days=washout_days,
                             treatments=treatments, rng=rng)
    if blinded and design.kind == "phase" and secrets.randbits(1):
        schedule = dataclasses.replace(schedule, treatments=treatments[::-1],
                                       roles_swapped=True)
    key = make_key(schedule)
    protocol = make_protocol(schedule, key, outcomes=outs, primary=primary, blinded=blinded,
                             decision_threshold=decision_threshold)
    if helper_kit is not None and not isinstance(helper_kit, HelperKit):
        raise TypeError("`helper_kit` must be a nof1.trial.HelperKit")
    files = _render(schedule, key, protocol, diary_time, helper_kit)
    write_tree_atomic(target, files)
    return Trial(directory=target, protocol=protocol, calendar=_read_calendar(target),
                 schedule=schedule, key=key)


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
    ...     _ = create_trial(folder, design=PairedDesign(6), start="2026-01-05", rng=12345)
    ...     blind = read_trial(folder)
    ...     full = read_trial(folder, unblind=True)
    >>> blind.schedule is None, blind.calendar.shape
    (True, (175, 6))
    >>> full.schedule.periods["treatment"].tolist()[:4]
    ['placebo', 'magnesium', 'magnesium', 'placebo']
    """
    directory = Path(directory)
    if not (directory / "participant").is_dir():
        raise TrialFileError(f"{directory} is not a trial folder (no participant/ folder)")
    protocol = read_protocol(directory / "participant" / "protocol.json")
    calendar = _read_calendar(directory)
    schedule = key = None
    if unblind:
        key, schedule = _unblind(directory, protocol)
    return Trial(directory=directory, protocol=protocol, calendar=calendar,
                 schedule=schedule, key=key)


def _unblind(directory: Path, protocol: Protocol) -> tuple[dict[str, Any], Schedule]:
    key = load_key(directory / "helper" / "key.json")
    schedule = unblind(key, protocol.commitment)
    codes = [p["code"] for p in key["packs"]]
    if codes != [p["code"] for p in protocol.packs]:
        raise KeyMismatchError("the participant's pack codes differ from the key's")
    return key, schedule


def verify_trial(directory: str | os.PathLike[str]) -> str:
    """Check ``helper/key.json`` against the commitment in ``participant/protocol.json``.

    Parameters
    ----------
    directory : path
        The trial folder, holding both ``participant/`` and ``helper/``.

    Returns
    -------
    str
        The commitment, when the key matches.

    Raises
    ------
    KeyMismatchError
        The key was edited, or belongs to another trial.
    TrialFileError
        A file is missing, unreadable or malformed.

    Notes
    -----
    Besides the commitment, checks that the key's packs agree with its
    schedule and carry the participant's pack codes (:func:`nof1.blinding.unblind`).

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
    ...     key["packs"][0]["treatment"] = "magnesium"      # edited after the fact
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
    _unblind(directory, protocol)
    return protocol.commitment
