"""The end-to-end steps behind the CLI: analyse a trial folder, run the demo.

Thin glue over the public functions, so that the CLI only parses and prints.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import os
from pathlib import Path
from typing import Any

from .analysis.trial import TrialResult, analyze
from .data import Diary, read_diary
from .design import PairedDesign
from .exceptions import PlanMismatchError, TrialFileError, TrialNotFinishedError
from .planning.simulate import simulate_diary
from .report import render_report, write_report
from .trial import Trial, create_trial, read_trial
from .trial._atomic import write_file_atomic
from .trial.blinded_analysis import load_group_key, schedule_from_groups
from .trial.blinding import plan_digest
from .trial.folder import check_printed_copies

__all__ = ["AnalysisOutput", "TrialStatus", "analyze_folder", "last_analysed_day",
           "run_demo", "trial_status"]


@dataclasses.dataclass(frozen=True, eq=False)
class AnalysisOutput:
    """What :func:`analyze_folder` produced.

    Attributes
    ----------
    trial : Trial
        The trial folder analysed.
    diary : Diary
        The diary as read and checked.
    result : TrialResult
        Every outcome's analysis and the decision rule's verdict.
    provenance : dict
        What was analysed and what was checked, for the report and the JSON
        output: ``trial_id``, ``commitment`` (full SHA-256), ``key_verified``
        (the key matched the commitment and its allocation audit; False for a
        blinded analysis with a group key, which does not read the key),
        ``plan_verified`` (every protocol field equals the committed plan),
        ``printed_copies_verified``, ``analysis`` (``"unblinded"`` or
        ``"blinded (groups X and Y)"``), ``interim``, ``diary_sha256`` (of the
        bytes of ``participant/diary.csv`` analysed), ``analysed_on`` and
        ``nof1_version``.
    """

    trial: Trial
    diary: Diary
    result: TrialResult
    provenance: dict[str, Any] = dataclasses.field(default_factory=dict)


def last_analysed_day(trial: Trial) -> _dt.date:
    """The schedule's last analysed day (from the participant's ``schedule.csv``).

    Parameters
    ----------
    trial : Trial
        A trial read with :func:`nof1.read_trial` (the key is not needed).

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, create_trial
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     trial = create_trial(pathlib.Path(tmp) / "t", design=PairedDesign(2),
    ...                          start="2026-01-05")
    >>> last_analysed_day(trial)
    datetime.date(2026, 3, 8)
    """
    cal = trial.calendar
    analysed = cal.loc[cal["analysed"], "date"]
    if analysed.empty:
        raise TrialFileError(f"{trial.directory}: schedule.csv has no analysed day")
    return analysed.max().date()


def _check_group_plan(spec: dict[str, Any], protocol: Any) -> bool:
    """Check a group key's plan digest (written by ``nof1 groups``), if it has one."""

    digest = spec.get("plan_sha256")
    if digest is None:
        return False
    if digest != plan_digest(protocol.plan()):
        raise PlanMismatchError(
            f"protocol.json differs from the plan the group key was made from (commitment "
            f"{protocol.commitment}): the protocol was edited")
    return True


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise TrialFileError(f"diary not found: {path}") from None
    except OSError as exc:
        raise TrialFileError(f"cannot read {path}: {exc.strerror}") from None


def _check_finished(trial: Trial, today: _dt.date, *, interim: bool,
                    blinded_groups: bool) -> bool:
    """True for an interim analysis; raise when it is not allowed."""
    last = last_analysed_day(trial)
    if today > last:
        return False
    if not interim:
        raise TrialNotFinishedError(
            f"the trial is not finished: its last analysed day is {last.isoformat()} (today "
            f"{today.isoformat()}); see 'nof1 status', or use --interim for a look that does "
            f"not reveal the allocation")
    pre_registered = trial.protocol.analysis_plan.get("unblinded_interim") is True
    if not blinded_groups and not pre_registered and trial.protocol.blinded:
        raise TrialNotFinishedError(
            "an interim analysis with the key would reveal the allocation and the protocol "
            "pre-registered no unblinded interim look: use a group key from the helper "
            "('nof1 groups'), or wait until after " + last.isoformat())
    return True


def analyze_folder(directory: str | os.PathLike[str], *, groups: str | os.PathLike[str] | None
                   = None, confidence_level: float = 0.95, rng: Any = None,
                   interim: bool = False, today: _dt.date | None = None) -> AnalysisOutput:
    """Verify the folder, read ``participant/diary.csv``, unblind with ``helper/key.json``
    and analyse.

    Parameters
    ----------
    directory : path
        A trial folder made by ``nof1 design``.
    groups : path, optional
        A group key (``nof1.trial.blinding.group_key``) for a blinded analysis: the
        conditions are "group X" and "group Y" and the key is not read.
    confidence_level : float
        Level of the confidence intervals (default 0.95).
    rng : None, int or Generator
        Only used if a randomization test falls back to Monte Carlo.
    interim : bool
        Allow an analysis on or before the schedule's last analysed day. Unless
        the protocol pre-registered an unblinded interim look, it must then be
        blinded (``groups``), so that it never reveals the allocation.
    today : datetime.date, optional
        The day of the analysis (default: today's date).

    Returns
    -------
    AnalysisOutput
        The trial as read, the diary laid on the schedule, the
        :class:`~nof1.TrialResult` (primary outcome and decision rule from the
        protocol) and its provenance.

    Raises
    ------
    TrialFileError, DiaryError
        Missing or malformed files, a diary that cannot be read.
    KeyMismatchError
        The key fails the participant's commitment or its allocation audit.
    PlanMismatchError
        The protocol differs from the committed plan, or a printed copy of the
        commitment in ``participant/`` differs from ``protocol.json``.
    TrialNotFinishedError
        Before the day after the last analysed day without ``interim``; or an
        interim analysis that would reveal the allocation.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, create_trial
    >>> from nof1.planning.simulate import simulate_diary
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp) / "trial"
    ...     trial = create_trial(folder, design=PairedDesign(4), start="2026-01-05",
    ...                          rng=12345)
    ...     filled = simulate_diary(trial.schedule, rng=12345)   # the participant's entries
    ...     filled.to_csv(folder / "participant" / "diary.csv", index=False)
    ...     out = analyze_folder(folder, rng=12345)
    >>> out.result.primary, out.diary.data.shape
    ('pain', (119, 16))
    >>> out.result.to_frame()["outcome"].tolist()
    ['pain', 'stress', 'sleep']
    >>> out.provenance["key_verified"], len(out.provenance["diary_sha256"])
    (True, 64)
    """
    from . import __version__

    directory = Path(directory)
    today = _dt.date.today() if today is None else today
    if not isinstance(today, _dt.date):
        raise TypeError("`today` must be a datetime.date")
    if not isinstance(interim, bool):
        raise TypeError("`interim` must be True or False")
    participant = read_trial(directory)
    check_printed_copies(directory, participant.protocol.commitment)
    is_interim = _check_finished(participant, today, interim=interim,
                                 blinded_groups=groups is not None)
    if groups is None:
        trial = read_trial(directory, unblind=True)  # key, audit, plan: all checked
        schedule = trial.schedule
        plan_checked = True
    else:
        trial = participant
        spec = load_group_key(groups)
        schedule = schedule_from_groups(spec, trial.protocol)
        plan_checked = _check_group_plan(spec, trial.protocol)
    if schedule is None:  # pragma: no cover - read_trial(unblind=True) always sets it
        raise TrialFileError(f"{directory}: the schedule could not be unblinded")
    p = trial.protocol
    diary_path = directory / "participant" / "diary.csv"
    digest = _sha256(diary_path)
    diary = read_diary(diary_path, schedule, outcomes=list(p.outcomes), calendar=trial.calendar,
                       treatments=p.treatments, warn=False)
    if _sha256(diary_path) != digest:
        raise TrialFileError(f"{diary_path} changed while it was being read; run again")
    result = analyze(diary, schedule, primary=p.primary, confidence_level=confidence_level,
                     decision_rule=p.decision_rule, rng=rng)
    provenance = {
        "trial_id": p.trial_id, "commitment": p.commitment,
        "key_verified": groups is None,
        "plan_verified": plan_checked,
        "printed_copies_verified": True,
        "analysis": "unblinded" if groups is None else "blinded (groups X and Y)",
        "interim": is_interim, "diary_sha256": digest,
        "analysed_on": today.isoformat(), "nof1_version": __version__,
    }
    return AnalysisOutput(trial=trial, diary=diary, result=result, provenance=provenance)


@dataclasses.dataclass(frozen=True)
class TrialStatus:
    """Where a trial stands on a given day, from the participant's files only.

    Nothing here depends on the allocation: the same status is computed from
    ``participant/`` whatever the packs hold.

    Attributes
    ----------
    trial_id : str
        The trial's identifier.
    today : datetime.date
        The day the status describes.
    stage : str
        ``"not started"``, ``"run-in"``, ``"period"`` or ``"finished"``.
    period : int or None
        Today's period (None outside the periods).
    n_periods : int
        Number of treatment periods in the schedule.
    pack : str or None
        Today's pack code (None outside the periods).
    days_recorded : int
        Days up to today whose diary row has at least one outcome scored.
    days_missing : int
        Days of the trial up to today (today excluded) with no outcome scored.
    days_elapsed : int
        Days of the trial up to and including today.
    next_change : datetime.date or None
        First day of the next pack (or of the first pack during the run-in).
    next_pack : str or None
        The pack code that starts on ``next_change``.
    last_analysed : datetime.date
        The schedule's last analysed day; ``nof1 analyze`` runs from the day after.
    end : datetime.date
        The trial's last day.
    commitment : str
        The protocol's SHA-256 commitment (see :mod:`nof1.trial.blinding`).
    """

    trial_id: str
    today: _dt.date
    stage: str
    period: int | None
    n_periods: int
    pack: str | None
    days_recorded: int
    days_missing: int
    days_elapsed: int
    next_change: _dt.date | None
    next_pack: str | None
    last_analysed: _dt.date
    end: _dt.date
    commitment: str

    def summary(self) -> str:
        """A few lines for the participant (no allocation)."""
        if self.stage == "period":
            where = f"period {self.period} of {self.n_periods}, pack {self.pack}"
        else:
            where = self.stage
        lines = [f"Trial {self.trial_id} on {self.today.isoformat()}: {where}",
                 f"Diary: {self.days_recorded} day(s) recorded, {self.days_missing} missing "
                 f"(of {max(self.days_elapsed - 1, 0)} day(s) before today)"]
        if self.next_change is not None:
            lines.append(f"Next pack: {self.next_pack} from {self.next_change.isoformat()}")
        else:
            lines.append("Next pack: none (this is the last pack)" if self.stage == "period"
                         else "Next pack: none")
        ready = self.last_analysed + _dt.timedelta(days=1)
        lines.append(f"Last analysed day {self.last_analysed.isoformat()}; trial ends "
                     f"{self.end.isoformat()}; analysis possible from {ready.isoformat()}")
        lines.append(f"Commitment: {self.commitment}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly (dates as ISO strings)."""
        return {k: (v.isoformat() if isinstance(v, _dt.date) else v)
                for k, v in dataclasses.asdict(self).items()}


def trial_status(directory: str | os.PathLike[str], *, today: _dt.date | None = None
                 ) -> TrialStatus:
    """Where the trial stands today, read from ``participant/`` only (never the key).

    Parameters
    ----------
    directory : path
        A trial folder (only ``participant/`` is read).
    today : datetime.date, optional
        The day to report on (default: today's date).

    Returns
    -------
    TrialStatus

    Raises
    ------
    TrialFileError, DiaryError
        A participant file is missing or cannot be read.
    PlanMismatchError
        A printed copy of the commitment differs from ``protocol.json``.

    Examples
    --------
    >>> import datetime, tempfile, pathlib
    >>> from nof1 import PairedDesign, create_trial
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     trial = create_trial(pathlib.Path(tmp) / "t", design=PairedDesign(2),
    ...                          start="2026-01-05")
    ...     st = trial_status(trial.directory, today=datetime.date(2026, 1, 20))
    >>> st.stage, st.period, st.days_recorded, st.days_missing, st.next_change
    ('period', 1, 0, 15, datetime.date(2026, 1, 26))
    """
    today = _dt.date.today() if today is None else today
    if not isinstance(today, _dt.date):
        raise TypeError("`today` must be a datetime.date")
    trial = read_trial(directory)
    p = trial.protocol
    check_printed_copies(trial.directory, p.commitment)
    cal = trial.calendar
    diary = read_diary(trial.directory / "participant" / "diary.csv", cal,
                       outcomes=list(p.outcomes), warn=False)
    data = diary.data
    dates = data["date"].dt.date
    scored = data[diary.outcome_names].notna().any(axis=1)
    upto = dates <= today
    before = dates < today
    days_recorded = int((scored & upto).sum())
    days_missing = int((~scored & before).sum())
    days_elapsed = int(upto.sum())
    row = cal[cal["date"].dt.date == today]
    if today < p.start:
        stage, period, pack = "not started", None, None
    elif today > p.end:
        stage, period, pack = "finished", None, None
    elif row["period"].isna().all():
        stage, period, pack = "run-in", None, None
    else:
        stage = "period"
        period = int(row["period"].iloc[0])
        pack = str(row["pack"].iloc[0])
    upcoming = [pk for pk in p.packs if _dt.date.fromisoformat(pk["start"]) > today]
    next_change = _dt.date.fromisoformat(upcoming[0]["start"]) if upcoming else None
    next_pack = upcoming[0]["code"] if upcoming else None
    return TrialStatus(trial_id=p.trial_id, today=today, stage=stage, period=period,
                       n_periods=p.n_periods, pack=pack, days_recorded=days_recorded,
                       days_missing=days_missing, days_elapsed=days_elapsed,
                       next_change=next_change, next_pack=next_pack,
                       last_analysed=last_analysed_day(trial), end=p.end,
                       commitment=p.commitment)


def run_demo(directory: str | os.PathLike[str], *, seed: int = 1,
             start: _dt.date = _dt.date(2026, 1, 5)) -> tuple[AnalysisOutput, Path]:
    """The whole pipeline on simulated data: design, a filled diary, analysis, report.

    Creates ``directory`` with a 6-pair magnesium-vs-placebo trial (14-day periods,
    7-day run-in, 7-day analytic wash-out), fills ``participant/diary.csv`` with a
    simulated diary (magnesium lowers pain by 1.5 points and stress by 1 point and
    raises sleep quality by 0.8 in the simulation — invented values for the demo),
    analyses it and writes ``report.html``.

    Parameters
    ----------
    directory : path
        The folder to create for the demo trial (it must not exist, or be empty;
        its parent must exist).
    seed : int
        Seed of the allocation, of the simulated diary and of any Monte Carlo
        fallback (default 1); the same seed gives the same schedule, diary and
        analysis (pack codes and trial id are always new). The demo is a
        simulation, so the entropy mixed into its allocation seed is derived from
        the seed and public (``sha256("nof1-demo:<seed>")``); a real trial
        (``nof1 design``) draws secret entropy instead.
    start : datetime.date or str
        First day of the demo trial (default 2026-01-05).

    Returns
    -------
    (AnalysisOutput, pathlib.Path)
        The analysis and the report's path (``directory / "report.html"``).

    Raises
    ------
    TrialExistsError
        If ``directory`` exists and is not empty (it is left untouched).
    TrialFileError
        If the parent folder does not exist.
    ValueError, TypeError
        For an invalid ``seed`` or ``start``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out, report = run_demo(pathlib.Path(tmp) / "demo", seed=12345)
    ...     print(report.name, report.is_file())
    report.html True
    >>> out.result.primary, out.trial.protocol.n_periods
    ('pain', 12)
    """
    public = hashlib.sha256(f"nof1-demo:{int(seed)}".encode("ascii")).hexdigest()
    trial = create_trial(directory, design=PairedDesign(6), start=start, period_days=14,
                         run_in_days=7, washout_days=7, rng=seed, entropy=public)
    schedule = read_trial(trial.directory, unblind=True).schedule
    if schedule is None:  # pragma: no cover
        raise TrialFileError("the demo trial could not be unblinded")
    filled = simulate_diary(schedule, rng=seed)
    write_file_atomic(trial.directory / "participant" / "diary.csv",
                       filled.to_csv(index=False).encode("utf-8"), overwrite=True)
    # the simulated diary covers the whole trial: analyse it as on the day after the end
    out = analyze_folder(trial.directory, rng=seed,
                         today=trial.protocol.end + _dt.timedelta(days=1))
    report = write_report(render_report(out.result, out.diary, title="nof1 demo: simulated "
                                        "magnesium trial", provenance=out.provenance),
                          trial.directory / "report.html")
    return out, report
