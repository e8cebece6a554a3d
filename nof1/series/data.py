"""The data model of a series of personal trials: a trials table and a long diary table.

**Trials table** — one row per person (one trial each)::

    person, trial_id, design (JSON), assignment ("ABBA..."), treatment_a, treatment_b,
    roles_swapped, start, period_days, run_in_days, washout_days, seed,
    outcomes (JSON list of outcome definitions), primary, <covariates...>

``assignment`` holds the schedule's condition letter of every design unit (A =
``treatment_a``); with ``roles_swapped`` the control plays A (phase designs only).
Covariates are any further columns (``baseline_stress``, ``age``, ``sex``, ...).

**Diary table** — one row per person and scheduled day::

    person, date, <outcome columns>, took_pack, blinding_guess

The schedule is authoritative: day, period and analysed flags are recomputed from the
trials table. Both tables are written as CSV or Parquet (``trials.csv``/``diary.csv``
or ``trials.parquet``/``diary.parquet``) in one folder.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..design import Design, design_from_dict
from ..design.schedule import Schedule
from ..exceptions import Nof1Error
from ..outcomes import Outcome, outcome_from_dict

__all__ = ["Series", "SeriesError", "TRIAL_COLUMNS", "DIARY_COLUMNS", "validate_series",
           "read_series", "write_series", "series_from_schedules", "schedule_of", "design_of"]

TRIAL_COLUMNS = ("person", "trial_id", "design", "assignment", "treatment_a", "treatment_b",
                 "roles_swapped", "start", "period_days", "run_in_days", "washout_days",
                 "seed", "outcomes", "primary")
DIARY_COLUMNS = ("person", "date")
DIARY_OPTIONAL = ("took_pack", "blinding_guess")


class SeriesError(Nof1Error, ValueError):
    """A series cannot be used: tables that disagree, duplicated persons, mixed outcomes."""


@dataclasses.dataclass(frozen=True, eq=False)
class Series:
    """A validated series: the trials table, the diary table, and the shared outcomes.

    Attributes
    ----------
    trials : pandas.DataFrame
        One row per person (see the module docstring), sorted by ``person``.
    diary : pandas.DataFrame
        One row per person and day, ``date`` as datetime64, outcomes as float.
    outcomes : tuple of Outcome
        The outcome definitions, identical in every trial.
    primary : str
        The primary outcome (identical in every trial).
    """

    trials: pd.DataFrame
    diary: pd.DataFrame
    outcomes: tuple[Outcome, ...]
    primary: str

    @property
    def persons(self) -> list[str]:
        return self.trials["person"].tolist()

    @property
    def covariates(self) -> list[str]:
        """Person-level columns of the trials table beyond the fixed ones."""
        return [c for c in self.trials.columns if c not in TRIAL_COLUMNS]

    @property
    def outcome_names(self) -> list[str]:
        return [o.name for o in self.outcomes]

    def outcome(self, name: str) -> Outcome:
        for o in self.outcomes:
            if o.name == name:
                return o
        raise ValueError(f"`outcome` must be one of {self.outcome_names}, got {name!r}")

    def __len__(self) -> int:
        return len(self.trials)

    def summary(self) -> str:
        specs = self.trials["design"]
        kind_of = {s: design_from_dict(json.loads(s)).kind for s in specs.unique()}
        kinds = specs.map(kind_of).value_counts()
        return (f"Series of {len(self)} personal trials ("
                + ", ".join(f"{n} {k}" for k, n in kinds.items())
                + f"); outcomes {', '.join(self.outcome_names)} (primary {self.primary}); "
                f"{len(self.diary)} diary days; covariates: "
                + (", ".join(self.covariates) or "none"))


def schedule_of(row: Any) -> Schedule:
    """Rebuild the unblinded :class:`~nof1.Schedule` of one trials-table row.

    Examples
    --------
    >>> from nof1.series.simulate import simulate_series
    >>> s = simulate_series(3, n_pairs=4, rng=12345)
    >>> schedule_of(s.trials.iloc[0]).design
    PairedDesign(n_pairs=4)
    """
    spec = {"design": json.loads(row["design"]),
            "assignment": [0 if c == "A" else 1 for c in str(row["assignment"])],
            "treatments": [row["treatment_a"], row["treatment_b"]],
            "start": str(pd.Timestamp(row["start"]).date()),
            "period_days": int(row["period_days"]), "run_in_days": int(row["run_in_days"]),
            "washout_days": int(row["washout_days"]), "seed": int(row["seed"]),
            "roles_swapped": bool(row["roles_swapped"])}
    return Schedule.from_dict(spec)


def _rows(frame: pd.DataFrame, mask: Any, limit: int = 5) -> str:
    idx = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(i + 2) for i in idx[:limit])  # +2: header line, 1-based
    more = f" and {idx.size - limit} more" if idx.size > limit else ""
    return f"row{'s' if idx.size > 1 else ''} {shown}{more}"


def _as_bool(col: pd.Series, name: str) -> pd.Series:
    if col.dtype == bool:
        return col
    mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
    out = col.astype(str).str.strip().str.lower().map(mapping)
    if out.isna().any():
        raise SeriesError(f"trials table: `{name}` must be true/false ({_rows(col, out.isna())})")
    return out.astype(bool)


def _outcomes_of(trials: pd.DataFrame) -> tuple[tuple[Outcome, ...], str]:
    specs = trials["outcomes"].astype(str)
    first = specs.iloc[0]
    differ = specs != first
    if differ.any():
        raise SeriesError(
            f"trials table: mixed outcome definitions ({_rows(trials, differ)} differ from "
            f"row 2, person {trials['person'].iloc[0]!r}); a series pools one definition")
    prim = trials["primary"].astype(str)
    if (prim != prim.iloc[0]).any():
        raise SeriesError(f"trials table: mixed primary outcomes "
                          f"({_rows(trials, prim != prim.iloc[0])} differ from row 2)")
    try:
        outs = tuple(outcome_from_dict(d) for d in json.loads(first))
    except (ValueError, TypeError, KeyError) as exc:
        raise SeriesError(f"trials table: unreadable outcome definitions: {exc}") from None
    if prim.iloc[0] not in [o.name for o in outs]:
        raise SeriesError(f"trials table: primary outcome {prim.iloc[0]!r} is not defined")
    return outs, prim.iloc[0]


def validate_series(trials: pd.DataFrame, diary: pd.DataFrame) -> Series:
    """Check and normalise the two tables of a series.

    Parameters
    ----------
    trials : DataFrame
        One row per person (columns :data:`TRIAL_COLUMNS` plus covariates).
    diary : DataFrame
        One row per person and day (``person``, ``date``, outcome columns, and
        optionally ``took_pack``, ``blinding_guess``).

    Returns
    -------
    Series

    Raises
    ------
    SeriesError
        Missing columns; a person twice in the trials table; a person in one table and
        not the other; a person-date twice in the diary; mixed outcome definitions; a
        design or assignment that cannot be read; a score outside its scale; a diary date
        outside the person's schedule. The message names the rows (numbered as in a CSV
        file: row 2 is the first data row).

    Examples
    --------
    >>> from nof1.series.simulate import simulate_series
    >>> s = simulate_series(4, n_pairs=3, rng=12345)
    >>> validate_series(s.trials, s.diary.drop(index=0)).summary()
    'Series of 4 personal trials (4 paired); outcomes pain, stress, sleep (primary pain); ...'
    >>> validate_series(s.trials.iloc[:3], s.diary)
    Traceback (most recent call last):
    ...
    nof1.series.data.SeriesError: diary table: person 'P004' has no trial (rows ...)
    """
    if not isinstance(trials, pd.DataFrame) or not isinstance(diary, pd.DataFrame):
        raise TypeError("`trials` and `diary` must be pandas DataFrames")
    missing = [c for c in TRIAL_COLUMNS if c not in trials.columns]
    if missing:
        raise SeriesError(f"trials table: missing column(s) {', '.join(missing)}")
    if len(trials) == 0:
        raise SeriesError("trials table: no trials")
    trials = trials.reset_index(drop=True).copy()
    trials["person"] = trials["person"].astype(str)
    dup = trials["person"].duplicated(keep=False)
    if dup.any():
        raise SeriesError(f"trials table: duplicated person(s) "
                          f"{sorted(set(trials.loc[dup, 'person']))} ({_rows(trials, dup)})")
    outcomes, primary = _outcomes_of(trials)
    trials["roles_swapped"] = _as_bool(trials["roles_swapped"], "roles_swapped")
    for col in ("period_days", "run_in_days", "washout_days", "seed"):
        num = pd.to_numeric(trials[col], errors="coerce")
        if num.isna().any() or (num != num.round()).any():
            raise SeriesError(f"trials table: `{col}` must be whole numbers "
                              f"({_rows(trials, num.isna() | (num != num.round()))})")
        trials[col] = num.astype(np.int64)
    start = pd.to_datetime(trials["start"].astype(str), format="%Y-%m-%d", errors="coerce")
    if start.isna().any():
        raise SeriesError(f"trials table: `start` must be YYYY-MM-DD "
                          f"({_rows(trials, start.isna())})")
    trials["start"] = start.dt.strftime("%Y-%m-%d")
    trials["assignment"] = trials["assignment"].astype(str)
    bad = []
    combos = pd.DataFrame({"d": trials["design"].astype(str), "a": trials["assignment"]})
    for (spec, letters), rows in combos.groupby(["d", "a"], sort=False,
                                                dropna=False).indices.items():
        try:  # one check per distinct design and assignment
            design: Design = design_from_dict(json.loads(spec))
            ok = (len(letters) == design.n_units and set(letters) <= {"A", "B"}
                  and design.is_admissible([0 if c == "A" else 1 for c in letters]))
        except (ValueError, TypeError, KeyError):
            ok = False
        if not ok:
            bad.extend(rows.tolist())
    if bad:
        mask = np.isin(np.arange(len(trials)), bad)
        raise SeriesError(f"trials table: design or assignment cannot be read or is not "
                          f"admissible ({_rows(trials, mask)})")
    # -- diary
    miss = [c for c in DIARY_COLUMNS if c not in diary.columns]
    names = [o.name for o in outcomes]
    miss += [n for n in names if n not in diary.columns]
    if miss:
        raise SeriesError(f"diary table: missing column(s) {', '.join(miss)}")
    diary = diary.reset_index(drop=True).copy()
    if not pd.api.types.is_string_dtype(diary["person"]):
        diary["person"] = diary["person"].astype(str)
    where = pd.Index(trials["person"]).get_indexer(diary["person"])
    stray = where < 0
    if stray.any():
        who = diary["person"].iloc[int(np.flatnonzero(stray)[0])]
        raise SeriesError(f"diary table: person {who!r} has no trial ({_rows(diary, stray)})")
    absent = np.bincount(where, minlength=len(trials)) == 0
    if absent.any():
        raise SeriesError(f"trials table: person(s) {trials.loc[absent, 'person'].tolist()[:5]}"
                          f" have no diary rows ({_rows(trials, absent)})")
    if pd.api.types.is_datetime64_any_dtype(diary["date"]):
        dates = diary["date"].dt.normalize()
    else:
        dates = pd.to_datetime(diary["date"].astype(str).str.slice(0, 10),
                               format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise SeriesError(f"diary table: unreadable date ({_rows(diary, dates.isna())})")
    diary["date"] = dates
    key = pd.Series(where.astype(np.int64) * 1_000_000
                    + dates.to_numpy().astype("datetime64[D]").astype(np.int64))
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        raise SeriesError(f"diary table: the same person and date twice ({_rows(diary, dup)})")
    for o in outcomes:
        raw = diary[o.name]
        if pd.api.types.is_numeric_dtype(raw):
            val = raw.astype(float)
            bad_num = np.zeros(len(raw), bool)
        else:
            val = pd.to_numeric(raw, errors="coerce").astype(float)
            typed = raw.notna() & (raw.astype(str).str.strip() != "")
            bad_num = typed & val.isna()
        out_of = (val < o.low) | (val > o.high)
        if bad_num.any() or out_of.any():
            raise SeriesError(f"diary table: `{o.name}` must be a number in [{o.low:g}, "
                              f"{o.high:g}] ({_rows(diary, bad_num | out_of)})")
        diary[o.name] = val
    if "took_pack" in diary:
        took = diary["took_pack"]
        if took.dtype != bool and str(took.dtype) != "boolean":
            mapped = took.astype("string").str.strip().str.lower().map(
                {"yes": True, "no": False, "true": True, "false": False, "1": True, "0": False,
                 "": pd.NA})
            bad_took = took.notna() & (took.astype("string").str.strip() != "") & mapped.isna()
            if bad_took.any():
                raise SeriesError(f"diary table: `took_pack` must be yes/no "
                                  f"({_rows(diary, bad_took)})")
            diary["took_pack"] = mapped.astype("boolean")
    # dates inside each person's schedule
    first = pd.to_datetime(trials["start"]).to_numpy().astype("datetime64[D]")
    units = {spec: design_from_dict(json.loads(spec)).n_units
             for spec in pd.unique(trials["design"])}
    length = (trials["design"].map(units).to_numpy() * trials["period_days"].to_numpy()
              + trials["run_in_days"].to_numpy())
    day = (diary["date"].to_numpy().astype("datetime64[D]") - first[where]).astype(np.int64) + 1
    outside = (day < 1) | (day > length[where])
    if outside.any():
        raise SeriesError(f"diary table: date outside the person's schedule "
                          f"({_rows(diary, outside)})")
    trials = trials.sort_values("person", kind="stable").reset_index(drop=True)
    diary = diary.sort_values(["person", "date"], kind="stable").reset_index(drop=True)
    return Series(trials=trials, diary=diary, outcomes=outcomes, primary=primary)


def series_from_schedules(schedules: Sequence[Schedule], diaries: Sequence[pd.DataFrame], *,
                          persons: Sequence[str], outcomes: Sequence[Outcome],
                          primary: str, trial_ids: Sequence[str] | None = None,
                          covariates: pd.DataFrame | None = None) -> Series:
    """Build a series from schedules and diaries (read with :func:`nof1.read_diary`).

    Parameters
    ----------
    schedules : sequence of Schedule
        One unblinded schedule per person.
    diaries : sequence of DataFrame
        The diary of each person: ``Diary.data`` or a raw diary with ``date`` and
        outcome columns.
    persons : sequence of str
        Person identifiers, one per schedule.
    outcomes : sequence of Outcome
        Outcome definitions (the same for everyone).
    primary : str
        The primary outcome.
    trial_ids : sequence of str, optional
        Trial identifiers (default: the person identifiers).
    covariates : DataFrame, optional
        Person-level covariates with a ``person`` column (one row per person).

    Returns
    -------
    Series
    """
    if not (len(schedules) == len(diaries) == len(persons)):
        raise ValueError("`schedules`, `diaries` and `persons` must have the same length")
    outs = json.dumps([o.to_dict() for o in outcomes], sort_keys=True)
    rows = []
    for s, p, tid in zip(schedules, persons, trial_ids or persons, strict=True):
        rows.append({"person": str(p), "trial_id": str(tid),
                     "design": json.dumps(s.design.to_dict(), sort_keys=True),
                     "assignment": "".join("AB"[int(v)] for v in s.assignment),
                     "treatment_a": s.treatments[0], "treatment_b": s.treatments[1],
                     "roles_swapped": bool(s.roles_swapped), "start": s.start.isoformat(),
                     "period_days": s.period_days, "run_in_days": s.run_in_days,
                     "washout_days": s.washout_days, "seed": int(s.seed), "outcomes": outs,
                     "primary": primary})
    trials = pd.DataFrame(rows, columns=list(TRIAL_COLUMNS))
    trials = _merge_covariates(trials, covariates)
    names = [o.name for o in outcomes]
    frames = []
    for d, p in zip(diaries, persons, strict=True):
        keep = ["date"] + names + [c for c in DIARY_OPTIONAL if c in d.columns]
        f = d[keep].copy()
        f.insert(0, "person", str(p))
        frames.append(f)
    return validate_series(trials, pd.concat(frames, ignore_index=True))


def _merge_covariates(trials: pd.DataFrame, covariates: pd.DataFrame | None) -> pd.DataFrame:
    if covariates is None:
        return trials
    if "person" not in covariates.columns:
        raise SeriesError("covariates table: no `person` column")
    cov = covariates.copy()
    cov["person"] = cov["person"].astype(str)
    dup = cov["person"].duplicated(keep=False)
    if dup.any():
        raise SeriesError(f"covariates table: duplicated person(s) ({_rows(cov, dup)})")
    clash = [c for c in cov.columns if c in TRIAL_COLUMNS and c != "person"]
    if clash:
        raise SeriesError(f"covariates table: column(s) {clash} are reserved")
    extra = ~cov["person"].isin(set(trials["person"]))
    if extra.any():
        raise SeriesError(f"covariates table: person(s) {cov.loc[extra, 'person'].tolist()[:5]}"
                          f" have no trial ({_rows(cov, extra)})")
    lacking = ~trials["person"].isin(set(cov["person"]))
    if lacking.any():
        raise SeriesError(f"covariates table: no row for person(s) "
                          f"{trials.loc[lacking, 'person'].tolist()[:5]}")
    return trials.merge(cov, on="person", how="left", validate="one_to_one")


# -- files --------------------------------------------------------------------------
def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover - optional extra
        return False
    return True


def _to_bytes(frame: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    out = frame.copy()
    if "date" in out and pd.api.types.is_datetime64_any_dtype(out["date"]):
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n").encode()


def write_series(series: Series, directory: str | os.PathLike[str], *,
                 format: str = "csv") -> Path:
    """Write ``trials.<ext>`` and ``diary.<ext>`` into a new folder, atomically.

    Parameters
    ----------
    series : Series
    directory : path
        The folder to create; it must not exist (or be empty).
    format : {'csv', 'parquet'}
        Parquet needs pyarrow (the ``series`` extra).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TrialExistsError
        If ``directory`` exists and is not empty (nothing is changed in it).
    """
    from ..trial._atomic import write_tree_atomic

    if format not in ("csv", "parquet"):
        raise ValueError(f"`format` must be 'csv' or 'parquet', got {format!r}")
    if format == "parquet" and not _has_pyarrow():  # pragma: no cover
        raise ValueError("Parquet needs pyarrow: pip install 'nof1[series]'")
    diary = series.diary.copy()
    if "took_pack" in diary:
        diary["took_pack"] = diary["took_pack"].astype("boolean")
    files = {f"trials.{format}": _to_bytes(series.trials, format),
             f"diary.{format}": _to_bytes(diary, format)}
    return write_tree_atomic(directory, files)


def read_series(directory: str | os.PathLike[str]) -> Series:
    """Read and validate a series folder written by :func:`write_series` (CSV or Parquet).

    Raises
    ------
    SeriesError
        No ``trials``/``diary`` table in the folder, or the tables fail
        :func:`validate_series`.
    """
    directory = Path(directory)
    frames: dict[str, pd.DataFrame] = {}
    for name in ("trials", "diary"):
        pq, csv = directory / f"{name}.parquet", directory / f"{name}.csv"
        if pq.is_file():
            if not _has_pyarrow():  # pragma: no cover
                raise SeriesError(f"{pq} needs pyarrow: pip install 'nof1[series]'")
            frames[name] = pd.read_parquet(pq)
        elif csv.is_file():
            try:
                frames[name] = pd.read_csv(csv, dtype={"person": str, "trial_id": str},
                                           keep_default_na=True)
            except (ValueError, UnicodeDecodeError) as exc:
                raise SeriesError(f"cannot read {csv}: {exc}") from None
        else:
            raise SeriesError(f"{directory} has no {name}.csv or {name}.parquet")
    return validate_series(frames["trials"], frames["diary"])


def design_of(spec: str) -> Design:
    """The :class:`~nof1.Design` of a trials-table ``design`` cell (JSON)."""
    return design_from_dict(json.loads(spec))
