"""The end-to-end steps behind the CLI: analyse a trial folder, run the demo.

Thin glue over the public functions, so that the CLI only parses and prints.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from pathlib import Path
from typing import Any

from .analysis.trial import TrialResult, analyze
from .blinded_analysis import load_group_key, schedule_from_groups
from .data import Diary, read_diary
from .design import PairedDesign
from .exceptions import TrialFileError
from .report import render_report, write_report
from .simulate import simulate_diary
from .trial import Trial, create_trial, read_trial
from .trial._atomic import write_file_atomic

__all__ = ["AnalysisOutput", "analyze_folder", "run_demo"]


@dataclasses.dataclass(frozen=True, eq=False)
class AnalysisOutput:
    """What :func:`analyze_folder` produced."""

    trial: Trial
    diary: Diary
    result: TrialResult


def analyze_folder(directory: str | os.PathLike[str], *, groups: str | os.PathLike[str] | None
                   = None, confidence_level: float = 0.95, rng: Any = None) -> AnalysisOutput:
    """Read ``participant/diary.csv``, unblind with ``helper/key.json`` and analyse.

    Parameters
    ----------
    directory : path
        A trial folder made by ``nof1 design``.
    groups : path, optional
        A group key (``nof1.blinding.group_key``) for a blinded analysis: the
        conditions are "group X" and "group Y" and the key is not read.
    confidence_level : float
        Level of the confidence intervals (default 0.95).
    rng : None, int or Generator
        Only used if a randomization test falls back to Monte Carlo.

    Returns
    -------
    AnalysisOutput
        The trial as read, the diary laid on the schedule, and the
        :class:`~nof1.TrialResult` (primary outcome and decision rule from the
        protocol).

    Raises
    ------
    TrialFileError, KeyMismatchError, DiaryError
        Missing or malformed files, a key that fails the participant's commitment,
        a diary that cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, create_trial
    >>> from nof1.simulate import simulate_diary
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
    """
    directory = Path(directory)
    if groups is None:
        trial = read_trial(directory, unblind=True)
        schedule = trial.schedule
    else:
        trial = read_trial(directory)
        schedule = schedule_from_groups(load_group_key(groups), trial.protocol)
    if schedule is None:  # pragma: no cover - read_trial(unblind=True) always sets it
        raise TrialFileError(f"{directory}: the schedule could not be unblinded")
    p = trial.protocol
    diary = read_diary(directory / "participant" / "diary.csv", schedule,
                       outcomes=list(p.outcomes), calendar=trial.calendar,
                       treatments=p.treatments, warn=False)
    result = analyze(diary, schedule, primary=p.primary, confidence_level=confidence_level,
                     decision_rule=p.decision_rule, rng=rng)
    return AnalysisOutput(trial=trial, diary=diary, result=result)


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
        analysis (pack codes and trial id are always new).
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
    trial = create_trial(directory, design=PairedDesign(6), start=start, period_days=14,
                         run_in_days=7, washout_days=7, rng=seed)
    schedule = read_trial(trial.directory, unblind=True).schedule
    if schedule is None:  # pragma: no cover
        raise TrialFileError("the demo trial could not be unblinded")
    filled = simulate_diary(schedule, rng=seed)
    write_file_atomic(trial.directory / "participant" / "diary.csv",
                       filled.to_csv(index=False).encode("utf-8"), overwrite=True)
    out = analyze_folder(trial.directory, rng=seed)
    report = write_report(render_report(out.result, out.diary, title="nof1 demo: simulated "
                                        "magnesium trial"), trial.directory / "report.html")
    return out, report
