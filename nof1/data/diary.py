"""Read and validate the participant's diary onto the trial's calendar grid."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._constants import MIN_ADHERENCE
from ..design.schedule import Schedule
from ..exceptions import DiaryError, DiaryWarning
from ..outcomes import DEFAULT_OUTCOMES, Outcome
from ._checks import (
    OUTCOME_NAME,
    DiaryIssue,
    guess_issues,
    low_adherence_issues,
    missing_issues,
    schedule_contradictions,
)
from ._parse import (
    is_number_column,
    parse_dates,
    parse_scores,
    parse_yes_no,
    read_text_table,
    text_cells,
)

__all__ = ["Diary", "DiaryIssue", "read_diary", "DIARY_TEXT_COLUMNS", "MIN_ADHERENCE"]

#: columns the diary template has besides the outcomes
DIARY_TEXT_COLUMNS = ("side_effects", "notes", "blinding_guess")
_GRID_COLUMNS = ("day", "period", "pack", "phase", "analysed")
#: names a diary column cannot take (they are the schedule's or the reader's own)
_RESERVED = frozenset({"pair", "condition", "treatment", "day_in_period", "off_protocol"})
#: dates this far before the first or after the last scheduled day still decide the
#: order of day and month in ``1/5/2026``-style dates
_DATE_MARGIN = pd.Timedelta(days=14)


@dataclasses.dataclass(frozen=True, eq=False)
class Diary:
    """A diary on the calendar grid: one row per scheduled day, NaN where nothing was entered.

    Attributes
    ----------
    data : pandas.DataFrame
        Columns ``date``, ``day``, ``period``, ``pair`` (when known), ``analysed``, one
        column per outcome, ``took_pack`` (nullable boolean), ``side_effects``,
        ``notes``, ``blinding_guess``, ``off_protocol`` (the diary's pack or period
        contradicts the schedule that day), one column per unplanned column; plus
        ``condition`` and ``treatment`` when the diary was read against an unblinded
        :class:`~nof1.Schedule`.
    outcomes : tuple of Outcome
    issues : tuple of DiaryIssue
        Warnings recorded while reading (missing values, dates outside the schedule,
        low adherence, decimal commas read as points, a non-ISO date format, packs or
        periods that contradict the schedule, unrecognised blinding guesses, unplanned
        columns).
    unplanned : tuple of str
        Numeric columns the protocol does not name (added during the trial): kept in
        ``data`` and analysed only as exploratory outcomes, never as planned ones.
    """

    data: pd.DataFrame
    outcomes: tuple[Outcome, ...]
    issues: tuple[DiaryIssue, ...]
    unplanned: tuple[str, ...] = ()

    @property
    def outcome_names(self) -> list[str]:
        return [o.name for o in self.outcomes]

    @property
    def off_protocol(self) -> pd.Series:
        """Dates on which the diary's pack or period contradicts the schedule."""
        d = self.data
        flag = d["off_protocol"] if "off_protocol" in d else pd.Series(False, index=d.index)
        return d.loc[flag.astype(bool), "date"].reset_index(drop=True)

    def completeness(self) -> pd.DataFrame:
        """Per period: analysed days and the share of them with a score, per outcome.

        Each outcome is counted on its own: a day with pain scored and sleep left
        blank counts as scored for pain and as missing for sleep.
        """
        d = self.data[self.data["analysed"] & self.data["period"].notna()]
        g = d.groupby("period")
        out = pd.DataFrame({"n_analysed": g.size()})
        for name in self.outcome_names:
            out[name] = g[name].apply(lambda s: s.notna().mean())
        return out.reset_index()

    def adherence(self) -> pd.DataFrame:
        """Per period: days with an adherence entry and the share with the pack taken."""
        return adherence_table(self.data)

    def on_schedule(self, schedule: Schedule) -> Diary:
        """This diary with ``schedule``'s allocation, for analysing it with that schedule.

        The days, periods and the analysed/wash-out split come from ``schedule``; the
        typed values are kept. A diary read against another calendar (other dates or
        periods) is refused rather than silently re-labelled.

        Raises
        ------
        TypeError
            If ``schedule`` is not a :class:`~nof1.Schedule`.
        ValueError
            If the diary's days or periods are not ``schedule``'s.

        Examples
        --------
        >>> from nof1 import PairedDesign, make_schedule
        >>> from nof1.planning.simulate import simulate_diary
        >>> s = make_schedule(PairedDesign(2), start="2026-01-05", period_days=3, rng=1)
        >>> other = make_schedule(PairedDesign(2), start="2026-01-05", period_days=3, rng=2)
        >>> diary = read_diary(simulate_diary(s, rng=1), s, warn=False)
        >>> moved = diary.on_schedule(other)
        >>> moved.data["condition"].equals(other.days["condition"])
        True
        """
        if not isinstance(schedule, Schedule):
            raise TypeError("`schedule` must be a nof1 Schedule")
        return self._on_days(schedule.days)

    def _on_days(self, days: pd.DataFrame, *, checked: bool = False) -> Diary:
        """:meth:`on_schedule` given the schedule's ``days`` frame; ``checked`` skips the
        calendar checks (for a diary just read against these very days)."""
        data = self.data
        if not checked:
            same_dates = len(data) == len(days) and (
                data["date"].to_numpy() == days["date"].to_numpy()).all()
            if not same_dates:
                raise ValueError("the diary was read against another calendar (its days are "
                                 "not the schedule's); read it again with this schedule")
            mine, theirs = (pd.to_numeric(d["period"], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan) for d in (data, days))
            if not np.array_equal(np.nan_to_num(mine, nan=-1.0),
                                  np.nan_to_num(theirs, nan=-1.0)):
                raise ValueError("the diary's periods are not the schedule's; read it again "
                                 "with this schedule")
        own = [c for c in ("pair", "day_in_period", "condition", "treatment", "analysed",
                           "day") if c in days]
        kept = data.drop(columns=[c for c in own if c in data])
        merged = kept.assign(**{c: days[c].to_numpy() for c in own})
        order = [c for c in days.columns if c in merged] + \
            [c for c in merged.columns if c not in days.columns]
        return dataclasses.replace(self, data=merged[order])

    def summary(self) -> str:
        lines = [f"Diary: {len(self.data)} scheduled days, outcomes "
                 f"{', '.join(self.outcome_names)}"]
        analysed = self.data[self.data["analysed"]]
        for name in self.outcome_names:
            lines.append(f"  {name}: {analysed[name].notna().sum()} of {len(analysed)} analysed "
                         f"days scored")
        lines += [f"  warning: {i.message}" for i in self.issues]
        return "\n".join(lines)


def _adherence(data: pd.DataFrame) -> tuple[pd.Series, np.ndarray, np.ndarray, Any]:
    """(period of each row of the table, days recorded, share taken, dtype of the counts)."""
    period = data["period"]
    keep = period.notna().to_numpy()
    values = period[keep]
    uniq, first, inv = np.unique(values.to_numpy(dtype=float), return_index=True,
                                 return_inverse=True)
    column = data["took_pack"]
    took = column.to_numpy(dtype=float, na_value=np.nan)[keep]
    # as pandas' count: nullable integers for a nullable (masked) column
    counts = "Int64" if isinstance(column.array, pd.arrays.BooleanArray) else np.int64
    seen = ~np.isnan(took)
    n = np.bincount(inv, weights=seen, minlength=uniq.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.bincount(inv, weights=np.where(seen, took, 0.0), minlength=uniq.size) / n
    return values.iloc[first].reset_index(drop=True), n, np.where(n > 0, share, np.nan), \
        counts


def adherence_table(data: pd.DataFrame) -> pd.DataFrame:
    """:meth:`Diary.adherence` of a diary frame (``numpy.bincount`` over the periods;
    ``tests/test_tables.py`` compares it with the pandas group-by it replaced)."""
    periods, n, share, counts = _adherence(data)
    return pd.DataFrame({"period": periods,
                         "n_recorded": pd.array(n.astype(np.int64), dtype=counts),
                         "adherence": share})


def _grid(schedule: Schedule | pd.DataFrame) -> pd.DataFrame:
    if isinstance(schedule, Schedule):
        g = schedule.days.copy()
    elif isinstance(schedule, pd.DataFrame):
        missing = {"date", "period", "analysed"} - set(schedule.columns)
        if missing:
            raise ValueError(f"`schedule` frame lacks columns {sorted(missing)}")
        g = schedule.copy()
        g["date"] = pd.to_datetime(g["date"])
        if not pd.api.types.is_bool_dtype(g["analysed"]):
            g["analysed"] = g["analysed"].astype(str).str.strip().str.lower().isin(
                ["yes", "true", "1"])
        if "period" in g.columns:
            g["period"] = pd.to_numeric(g["period"], errors="coerce").astype("Int64")
    else:
        raise TypeError("`schedule` must be a nof1 Schedule or a schedule DataFrame")
    return g.reset_index(drop=True)


def _check_outcomes(outcomes: Sequence[Outcome] | None) -> tuple[Outcome, ...]:
    if outcomes is None:
        return tuple(DEFAULT_OUTCOMES.values())
    outcomes = tuple(outcomes)
    if not outcomes or not all(isinstance(o, Outcome) for o in outcomes):
        raise TypeError("`outcomes` must be a non-empty sequence of nof1 Outcome objects")
    names = [o.name for o in outcomes]
    if len(set(names)) != len(names):
        raise ValueError(f"`outcomes` has duplicate names: {names}")
    return outcomes


def _packs(grid: pd.DataFrame, calendar: pd.DataFrame | None) -> pd.Series | None:
    """Scheduled pack code per date, from the participant's calendar if known."""
    source = calendar if calendar is not None else grid if "pack" in grid else None
    if source is None:
        return None
    if not {"date", "pack"} <= set(source.columns):
        raise ValueError("`calendar` must have columns 'date' and 'pack' (participant/"
                         "schedule.csv)")
    dates = pd.to_datetime(source["date"])
    return pd.Series(text_cells(source["pack"]), index=dates.to_numpy())


def _treatments(schedule: Schedule | pd.DataFrame,
                treatments: Sequence[str] | None) -> tuple[str, ...] | None:
    if treatments is not None:
        if isinstance(treatments, str) or not all(isinstance(t, str) for t in treatments):
            raise TypeError("`treatments` must be a sequence of treatment names")
        return tuple(treatments)
    if isinstance(schedule, Schedule):
        return tuple(schedule.treatments)
    return None


def read_diary(source: str | Path | pd.DataFrame, schedule: Schedule | pd.DataFrame, *,
               outcomes: Sequence[Outcome] | None = None,
               calendar: pd.DataFrame | None = None,
               treatments: Sequence[str] | None = None, warn: bool = True) -> Diary:
    """Read a diary (CSV path or DataFrame) and lay it on the schedule's calendar grid.

    Parameters
    ----------
    source : path or DataFrame
        The diary: a ``date`` column, one column per outcome, and optionally
        ``took_pack`` (yes/no), ``side_effects``, ``notes``, ``blinding_guess``, and
        the template's ``day``, ``period`` and ``pack``.
    schedule : Schedule or DataFrame
        The trial schedule, or the participant's ``schedule.csv`` as a frame
        (columns ``date``, ``period``, ``analysed``, optionally ``pack``): reading does
        not need the allocation.
    outcomes : sequence of Outcome, optional
        The outcomes to read (default: pain, stress, sleep on 0-10).
    calendar : DataFrame, optional
        The participant's ``schedule.csv`` (``date``, ``pack``), to check the diary's
        pack codes when ``schedule`` is a :class:`~nof1.Schedule` (which has none).
    treatments : sequence of str, optional
        The names a blinding guess may use (default: the schedule's treatments, when
        ``schedule`` is a Schedule; otherwise guesses are not checked).
    warn : bool
        Also emit one :class:`~nof1.exceptions.DiaryWarning` summarising the
        recorded issues (they are always in ``Diary.issues``).

    Returns
    -------
    Diary

    Raises
    ------
    DiaryError
        A row with more or fewer fields than the header, unparseable, ambiguous or
        duplicate dates, scores that are not numbers or lie outside their scale, a
        missing outcome column, bad yes/no entries.

    Notes
    -----
    What people type is tolerated: blank cells and ``NA``/``-`` mean missing,
    surrounding spaces are ignored, ``7.5`` is a score. A decimal comma in a cell
    (``"7,5"`` quoted, or in a ``;``-separated file) is read as 7.5 and recorded as an
    issue. Dates may be ISO (``2026-01-05``) or as spreadsheets rewrite them
    (``05.01.2026``; ``1/5/2026`` when only one order of day and month fits the
    schedule); a non-ISO format is recorded as an issue. A row whose field count
    differs from the header's is an error naming its line, never re-aligned: an
    unquoted ``6,5`` in a comma-separated file would otherwise shift every value after
    it into the next column.

    Nothing is dropped silently: missing days stay in the grid as NaN; a ``pack`` or
    ``period`` that contradicts the schedule marks the day ``off_protocol`` (an issue;
    the per-protocol sensitivity analysis leaves those days out); an unrecognised
    blinding guess is an issue; a numeric column the protocol does not name is kept as
    an *unplanned* outcome (an issue; analysed only as exploratory), a text column is
    kept as text.

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.data import read_diary
    >>> s = make_schedule(PairedDesign(1), start="2026-01-05", period_days=3, rng=1)
    >>> typed = pd.DataFrame({"date": ["2026-01-05", " 2026-01-06", "2026-01-08"],
    ...                       "pain": ["6", "5,5", ""], "stress": [3, 4, 4], "sleep": [5, 6, 7]})
    >>> diary = read_diary(typed, s, warn=False)
    >>> diary.data[["date", "period", "pain"]].head(4)
            date  period  pain
    0 2026-01-05       1   6.0
    1 2026-01-06       1   5.5
    2 2026-01-07       1   NaN
    3 2026-01-08       2   NaN
    >>> [issue.kind for issue in diary.issues]
    ['decimal_comma', 'missing_days']
    """
    diary = _read_diary(source, schedule, _grid(schedule), outcomes=outcomes,
                        calendar=calendar, treatments=treatments)
    if warn and diary.issues:
        warnings.warn("; ".join(i.message for i in diary.issues), DiaryWarning, stacklevel=2)
    return diary


def _read_diary(source: str | Path | pd.DataFrame, schedule: Schedule | pd.DataFrame,
                grid: pd.DataFrame, *, outcomes: Sequence[Outcome] | None = None,
                calendar: pd.DataFrame | None = None,
                treatments: Sequence[str] | None = None) -> Diary:
    """:func:`read_diary` onto ``grid`` (``_grid(schedule)``, or ``schedule.days`` itself:
    it is not modified), without the warning."""
    outcomes = _check_outcomes(outcomes)
    lines = None
    if isinstance(source, pd.DataFrame):
        raw = source.copy(deep=False)  # copy-on-write: the caller's frame is never changed
        raw.columns = [str(c).strip().lower() for c in raw.columns]
        named = [not c.startswith("unnamed:") for c in raw.columns]  # pandas' index
        if not all(named):
            raw = raw.loc[:, named]
        if not raw.index.equals(pd.RangeIndex(len(raw))):
            raw = raw.reset_index(drop=True)
    elif isinstance(source, (str, Path)):
        table = read_text_table(source)
        raw, lines = table.frame, table.lines
    else:
        raise TypeError("`source` must be a path to a CSV file or a pandas DataFrame")

    names = [o.name for o in outcomes]
    if "date" not in raw.columns:
        raise DiaryError("the diary has no 'date' column")
    absent = [n for n in names if n not in raw.columns]
    if absent:
        raise DiaryError(f"the diary has no column for outcome {absent[0]!r}")
    known = {"date", "took_pack", *DIARY_TEXT_COLUMNS, *_GRID_COLUMNS, *names}
    reserved = [c for c in raw.columns if c in _RESERVED]
    if reserved:
        raise DiaryError(f"the diary has a column {reserved[0]!r}, a name the schedule uses; "
                         f"rename it")
    extra = [c for c in raw.columns if c not in known]

    issues: list[DiaryIssue] = []
    first, last = grid["date"].min(), grid["date"].max()
    dates, fmt = parse_dates(raw["date"], lines=lines,
                             date_range=(first - _DATE_MARGIN, last + _DATE_MARGIN))
    if fmt is not None:
        issues.append(DiaryIssue("date_format", (
            f"dates are written {fmt.name}, not YYYY-MM-DD, and were read as such "
            f"(e.g. {fmt.example!r} as {fmt.read_as}); check them, or let the spreadsheet "
            f"keep ISO dates")))
    dup = dates[dates.duplicated(keep=False)]
    if len(dup):
        day0 = pd.Timestamp(dup.iloc[0]).date().isoformat()
        raise DiaryError(f"date {day0} appears {int((dates == dup.iloc[0]).sum())} times "
                         f"in the diary; keep one row per day")

    # the typed columns, one entry per diary row (a Series keeps the diary's index)
    cols: dict[str, Any] = {}
    for o in outcomes:
        cols[o.name], commas = parse_scores(raw[o.name], o.name, dates, o.low, o.high)
        if commas:
            issues.append(DiaryIssue("decimal_comma",
                                     f"{o.name}: decimal comma read as a point on "
                                     f"{len(commas)} day(s) ({', '.join(commas[:3])}"
                                     f"{', ...' if len(commas) > 3 else ''})"))
    cols["took_pack"] = (parse_yes_no(raw["took_pack"], "took_pack", dates)
                         if "took_pack" in raw.columns
                         else pd.Series(pd.array([pd.NA] * len(raw), dtype="boolean")))
    for col in DIARY_TEXT_COLUMNS:
        cols[col] = text_cells(raw[col]) if col in raw.columns else [""] * len(raw)
    unplanned, extra_issues = _unplanned(raw, extra, cols, dates)
    issues += extra_issues

    inside = dates.isin(grid["date"]).to_numpy()
    everything = bool(inside.all())
    off, mismatch = schedule_contradictions(pd.DataFrame({"date": dates[inside]}),
                                            raw if everything else raw[inside], grid,
                                            _packs(grid, calendar))
    issues += mismatch
    off_protocol = np.zeros(len(raw), dtype=bool)
    off_protocol[inside] = off.to_numpy(dtype=bool)
    cols["off_protocol"] = off_protocol
    known_treatments = _treatments(schedule, treatments)
    if known_treatments is not None:
        guesses = np.asarray(cols["blinding_guess"], dtype=object)[inside].tolist()
        issues += guess_issues(guesses, dates[inside], known_treatments)
    if (~inside).any():
        n_out = int((~inside).sum())
        shown_dates = ", ".join(d.date().isoformat() for d in dates[~inside][:3])
        issues.append(DiaryIssue("outside_schedule",
                                 f"{n_out} diary row(s) dated outside the schedule "
                                 f"were left out ({shown_dates}{', ...' if n_out > 3 else ''})"))
    data = _on_grid(grid, dates, cols, inside)
    diary = Diary(data=data, outcomes=outcomes, issues=(), unplanned=unplanned)
    periods, _, shares, _ = _adherence(data)
    issues += missing_issues(data, names) + low_adherence_issues(
        periods.to_numpy(), shares, MIN_ADHERENCE)
    return dataclasses.replace(diary, issues=tuple(issues))


def _on_grid(grid: pd.DataFrame, dates: pd.Series, cols: dict[str, Any],
             inside: np.ndarray, *, merge: bool = False) -> pd.DataFrame:
    """The grid with the typed columns of the diary rows ``inside`` it, NaN (text: "")
    on days without a row.

    Each grid day takes its row by position (a ``get_indexer`` on the dates); with
    ``merge`` (or when the grid repeats a date or shares a column name with the diary)
    the frame is built as it was first written, with a pandas merge:
    ``tests/test_diary.py`` checks that both give the same frame.
    """
    merge = merge or not grid["date"].is_unique or any(c in grid.columns for c in cols)
    if merge:
        values = pd.DataFrame({"date": dates})
        for col, v in cols.items():
            values[col] = v
        data = grid.merge(values[inside], on="date", how="left", validate="one_to_one",
                          suffixes=("", "_typed"))
        data["took_pack"] = data["took_pack"].astype("boolean")
        data["off_protocol"] = data["off_protocol"].fillna(False).astype(bool)
        for col in DIARY_TEXT_COLUMNS:
            data[col] = data[col].fillna("")
        return data
    n = len(grid)
    rows = np.flatnonzero(inside)
    at = pd.Index(grid["date"]).get_indexer(dates.to_numpy()[rows])
    out: dict[str, Any] = {c: grid[c].array for c in grid.columns}
    # the merge's key column has the finer of the two date resolutions
    out["date"] = grid["date"].to_numpy().astype(np.result_type(grid["date"].dtype,
                                                                dates.dtype))
    for col, v in cols.items():
        if col == "took_pack":
            typed = pd.array(v, dtype="boolean")[rows]
            value, unknown = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
            value[at] = typed.to_numpy(dtype=bool, na_value=False)
            unknown[at] = typed.isna()
            out[col] = pd.arrays.BooleanArray(value, unknown)
            continue
        values = v.to_numpy() if isinstance(v, pd.Series) else v if isinstance(
            v, np.ndarray) else np.asarray(v, dtype=object)
        if values.dtype == bool or np.issubdtype(values.dtype, np.floating):
            column = np.full(n, False if values.dtype == bool else np.nan, values.dtype)
        else:
            column = np.full(n, "" if col in DIARY_TEXT_COLUMNS else np.nan, dtype=object)
        column[at] = values[rows]
        out[col] = column
    return pd.DataFrame(out)


def _unplanned(raw: pd.DataFrame, extra: list[str], values: dict[str, Any],
               dates: pd.Series) -> tuple[tuple[str, ...], list[DiaryIssue]]:
    """Columns the protocol does not name: numbers become exploratory outcomes, text stays."""
    numeric, issues = [], []
    for col in extra:
        if OUTCOME_NAME.match(col) and is_number_column(raw[col]):
            values[col], _ = parse_scores(raw[col], col, dates, -np.inf, np.inf)
            numeric.append(col)
            issues.append(DiaryIssue("unplanned_column", (
                f"column {col!r} is not in the protocol: it is kept and analysed only as an "
                f"exploratory outcome (not pre-registered)")))
        else:
            values[col] = text_cells(raw[col])
            if not any(values[col]):
                why = "and empty"
            elif not is_number_column(raw[col]):
                why = "and not a numeric score"
            else:
                why = "and its name is not usable as an outcome name (a-z, 0-9, _)"
            issues.append(DiaryIssue("unplanned_column", (
                f"column {col[:40]!r} is not in the protocol {why}: it is kept as text and "
                f"not analysed")))
    return tuple(numeric), issues
