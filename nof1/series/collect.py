"""Collect trial folders into a series, verifying every key against its commitment."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..data import read_diary
from ..exceptions import DiaryError, KeyMismatchError, TrialFileError
from ..trial import read_trial, verify_trial
from .data import Series, SeriesError, series_from_schedules

__all__ = ["collect_series"]


def collect_series(directories: Sequence[str | os.PathLike[str]], *,
                   covariates: pd.DataFrame | str | os.PathLike[str] | None = None
                   ) -> Series:
    """Build a series from trial folders (one person each).

    Every folder's ``helper/key.json`` is checked against the commitment in its
    ``participant/protocol.json`` (:func:`nof1.verify_trial`) before anything is read;
    the diary is read against the unblinded schedule (:func:`nof1.read_diary`).

    Parameters
    ----------
    directories : sequence of path
        Trial folders. The person identifier is the folder's name.
    covariates : DataFrame or path to a CSV, optional
        Person-level covariates (``person`` column plus e.g. ``baseline_stress``,
        ``age``, ``sex``), one row per collected person.

    Returns
    -------
    Series

    Raises
    ------
    KeyMismatchError
        A key fails its commitment; the message names the trial folder.
    SeriesError
        A folder cannot be read, two folders share a name or a trial id, the trials
        define their outcomes differently, or the covariates do not match the persons.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, create_trial
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> folders = [create_trial(tmp / f"p{i}", design=PairedDesign(3), start="2026-01-05",
    ...                         rng=i).directory for i in range(3)]
    >>> collect_series(folders).summary()
    'Series of 3 personal trials (3 paired); outcomes pain, stress, sleep (primary pain); ...'
    """
    dirs = [Path(d) for d in directories]
    if not dirs:
        raise SeriesError("no trial folders given")
    names = [d.name for d in dirs]
    seen: dict[str, Path] = {}
    for d in dirs:
        if d.name in seen:
            raise SeriesError(f"trial folders {seen[d.name]} and {d} share the person name "
                              f"{d.name!r}")
        seen[d.name] = d
    schedules, diaries, ids, outcome_sets, primaries = [], [], [], [], []
    for d in dirs:
        try:
            verify_trial(d)
        except KeyMismatchError as exc:
            raise KeyMismatchError(f"trial {d}: {exc}; nothing was written") from None
        except (TrialFileError, OSError, ValueError) as exc:
            raise SeriesError(f"trial {d}: {exc}") from None
        try:
            trial = read_trial(d, unblind=True)
            diary = read_diary(d / "participant" / "diary.csv", trial.schedule,
                               outcomes=trial.protocol.outcomes, warn=False)
        except (DiaryError, TrialFileError, OSError, ValueError) as exc:
            raise SeriesError(f"trial {d}: {exc}") from None
        schedules.append(trial.schedule)
        diaries.append(diary.data)
        ids.append(trial.protocol.trial_id)
        outcome_sets.append(trial.protocol.outcomes)
        primaries.append(trial.protocol.primary)
    for d, outs, prim in zip(dirs, outcome_sets, primaries, strict=True):
        if outs != outcome_sets[0] or prim != primaries[0]:
            raise SeriesError(f"trial {d}: its outcome definitions differ from those of "
                              f"{dirs[0]}; a series pools one definition")
    dup = pd.Series(ids).duplicated(keep=False)
    if dup.any():
        which = [str(dirs[i]) for i in dup[dup].index]
        raise SeriesError(f"the same trial was collected twice: {', '.join(which)}")
    if covariates is not None and not isinstance(covariates, pd.DataFrame):
        path = Path(covariates)
        try:
            covariates = pd.read_csv(path, dtype={"person": str})
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise SeriesError(f"cannot read covariates {path}: {exc}") from None
    return series_from_schedules(schedules, diaries, persons=names,
                                 outcomes=outcome_sets[0], primary=primaries[0],
                                 trial_ids=ids, covariates=covariates)
