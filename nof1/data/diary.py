"""Read and validate the participant's diary onto the trial's calendar grid."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DiaryError, DiaryWarning
from ..outcomes import DEFAULT_OUTCOMES, Outcome
from ..schedule import Schedule
from ._parse import parse_dates, parse_scores, parse_yes_no, read_text_table

__all__ = ["Diary", "DiaryIssue", "read_diary", "DIARY_TEXT_COLUMNS", "MIN_ADHERENCE"]

#: columns the diary template has besides the outcomes
DIARY_TEXT_COLUMNS = ("side_effects", "notes", "blinding_guess")
_GRID_COLUMNS = ("day", "period", "pack", "phase", "analysed")
#: periods with a smaller share of days with the pack taken are flagged (docs/methods.md §4.3)
MIN_ADHERENCE = 0.8


@dataclasses.dataclass(frozen=True)
class DiaryIssue:
    """A problem found while reading a diary that does not stop the analysis."""

    kind: str  #: "missing_days", "outside_schedule", "low_adherence", "decimal_comma"
    message: str


@dataclasses.dataclass(frozen=True, eq=False)
class Diary:
    """A diary on the calendar grid: one row per scheduled day, NaN where nothing was entered.

    Attributes
    ----------
    data : pandas.DataFrame
        Columns ``date``, ``day``, ``period``, ``pair`` (when known), ``analysed``, one
        column per outcome, ``took_pack`` (nullable boolean), ``side_effects``,
        ``notes``, ``blinding_guess``; plus ``condition`` and ``treatment`` when the
        diary was read against an unblinded :class:`~nof1.Schedule`.
    outcomes : tuple of Outcome
    issues : tuple of DiaryIssue
        Warnings recorded while reading (missing days, dates outside the schedule,
        low adherence, decimal commas read as points).
    """

    data: pd.DataFrame
    outcomes: tuple[Outcome, ...]
    issues: tuple[DiaryIssue, ...]

    @property
    def outcome_names(self) -> list[str]:
        return [o.name for o in self.outcomes]

    def completeness(self) -> pd.DataFrame:
        """Per period: analysed days and the share of them with a score, per outcome."""
        d = self.data[self.data["analysed"] & self.data["period"].notna()]
        g = d.groupby("period")
        out = pd.DataFrame({"n_analysed": g.size()})
        for name in self.outcome_names:
            out[name] = g[name].apply(lambda s: s.notna().mean())
        return out.reset_index()

    def adherence(self) -> pd.DataFrame:
        """Per period: days with an adherence entry and the share with the pack taken."""
        d = self.data[self.data["period"].notna()]
        g = d.groupby("period")["took_pack"]
        return pd.DataFrame({
            "n_recorded": g.count(),
            "adherence": g.apply(lambda s: s.dropna().astype(float).mean()
                                 if s.notna().any() else np.nan),
        }).reset_index()

    def summary(self) -> str:
        lines = [f"Diary: {len(self.data)} scheduled days, outcomes "
                 f"{', '.join(self.outcome_names)}"]
        analysed = self.data[self.data["analysed"]]
        for name in self.outcome_names:
            lines.append(f"  {name}: {analysed[name].notna().sum()} of {len(analysed)} analysed "
                         f"days scored")
        lines += [f"  warning: {i.message}" for i in self.issues]
        return "\n".join(lines)


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


def read_diary(source: str | Path | pd.DataFrame, schedule: Schedule | pd.DataFrame, *,
               outcomes: Sequence[Outcome] | None = None, warn: bool = True) -> Diary:
    """Read a diary (CSV path or DataFrame) and lay it on the schedule's calendar grid.

    Parameters
    ----------
    source : path or DataFrame
        The diary: a ``date`` column (ISO ``YYYY-MM-DD``), one column per outcome,
        and optionally ``took_pack`` (yes/no), ``side_effects``, ``notes``,
        ``blinding_guess``; ``day``, ``period`` and ``pack`` are accepted and ignored
        (the schedule is authoritative).
    schedule : Schedule or DataFrame
        The trial schedule, or the participant's ``schedule.csv`` as a frame
        (columns ``date``, ``period``, ``analysed``): reading does not need the
        allocation.
    outcomes : sequence of Outcome, optional
        The outcomes to read (default: pain, stress, sleep on 0-10).
    warn : bool
        Also emit one :class:`~nof1.exceptions.DiaryWarning` summarising the
        recorded issues (they are always in ``Diary.issues``).

    Returns
    -------
    Diary

    Raises
    ------
    DiaryError
        Unparseable or duplicate dates, scores that are not numbers or lie outside
        their scale, unknown columns, a missing outcome column, bad yes/no entries.

    Notes
    -----
    What people type is tolerated: blank cells and ``NA``/``-`` mean missing,
    surrounding spaces are ignored, ``7.5`` is a score. A decimal comma (``7,5``)
    is read as 7.5 — it is the usual way to type a decimal in much of Europe and a
    single score cannot mean anything else — and each such cell is recorded as an
    issue so the reading can be checked. Semicolon-separated files (European
    spreadsheet exports) are detected from the header. Missing days stay in the
    grid as NaN; nothing is dropped silently.

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
    outcomes = _check_outcomes(outcomes)
    grid = _grid(schedule)
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
        raw.columns = [str(c).strip().lower() for c in raw.columns]
        raw = raw.reset_index(drop=True)
    elif isinstance(source, (str, Path)):
        raw = read_text_table(source)
    else:
        raise TypeError("`source` must be a path to a CSV file or a pandas DataFrame")

    names = [o.name for o in outcomes]
    known = {"date", "took_pack", *DIARY_TEXT_COLUMNS, *_GRID_COLUMNS, *names}
    unknown = [c for c in raw.columns if c not in known and not c.startswith("unnamed")]
    if unknown:
        raise DiaryError(f"unknown column {unknown[0]!r} in the diary (outcomes: "
                         f"{', '.join(names)}; declare other outcomes to read them)")
    if "date" not in raw.columns:
        raise DiaryError("the diary has no 'date' column")
    absent = [n for n in names if n not in raw.columns]
    if absent:
        raise DiaryError(f"the diary has no column for outcome {absent[0]!r}")

    issues: list[DiaryIssue] = []
    # rows where nothing at all was entered besides the template's prefilled fields
    dates = parse_dates(raw["date"])
    dup = dates[dates.duplicated(keep=False)]
    if len(dup):
        first = pd.Timestamp(dup.iloc[0]).date().isoformat()
        raise DiaryError(f"date {first} appears {int((dates == dup.iloc[0]).sum())} times "
                         f"in the diary; keep one row per day")

    values = pd.DataFrame({"date": dates})
    for o in outcomes:
        values[o.name], commas = parse_scores(raw[o.name], o.name, dates, o.low, o.high)
        if commas:
            issues.append(DiaryIssue("decimal_comma",
                                     f"{o.name}: decimal comma read as a point on "
                                     f"{len(commas)} day(s) ({', '.join(commas[:3])}"
                                     f"{', ...' if len(commas) > 3 else ''})"))
    values["took_pack"] = (parse_yes_no(raw["took_pack"], "took_pack", dates)
                           if "took_pack" in raw.columns
                           else pd.Series(pd.array([pd.NA] * len(raw), dtype="boolean")))
    for col in DIARY_TEXT_COLUMNS:
        text = raw[col] if col in raw.columns else pd.Series([""] * len(raw))
        values[col] = [("" if v is None or (isinstance(v, float) and np.isnan(v))
                        else str(v).strip()) for v in text]

    outside = ~values["date"].isin(grid["date"])
    if outside.any():
        shown = ", ".join(d.date().isoformat() for d in values.loc[outside, "date"][:3])
        issues.append(DiaryIssue("outside_schedule",
                                 f"{int(outside.sum())} diary row(s) dated outside the schedule "
                                 f"were left out ({shown}{', ...' if outside.sum() > 3 else ''})"))
    values = values[~outside]

    data = grid.merge(values, on="date", how="left", validate="one_to_one")
    data["took_pack"] = data["took_pack"].astype("boolean")
    for col in DIARY_TEXT_COLUMNS:
        data[col] = data[col].fillna("")
    diary = Diary(data=data, outcomes=outcomes, issues=())
    issues += _missing_issues(diary) + _adherence_issues(diary)
    diary = dataclasses.replace(diary, issues=tuple(issues))
    if warn and issues:
        warnings.warn("; ".join(i.message for i in issues), DiaryWarning, stacklevel=2)
    return diary


def _missing_issues(diary: Diary) -> list[DiaryIssue]:
    d = diary.data[diary.data["analysed"]]
    if d.empty:
        return []
    scored = d[diary.outcome_names].notna().any(axis=1)
    n_missing = int((~scored).sum())
    if not n_missing:
        return []
    per = d.loc[~scored].groupby("period").size()
    detail = ", ".join(f"period {int(p)}: {int(n)}" for p, n in per.items())
    return [DiaryIssue("missing_days", f"{n_missing} of {len(d)} analysed days have no score "
                                       f"({detail})")]


def _adherence_issues(diary: Diary) -> list[DiaryIssue]:
    adh = diary.adherence()
    low = adh[adh["adherence"] < MIN_ADHERENCE]
    if low.empty:
        return []
    detail = ", ".join(f"period {int(r.period)}: {r.adherence:.0%}" for r in low.itertuples())
    return [DiaryIssue("low_adherence",
                       f"pack taken on fewer than {MIN_ADHERENCE:.0%} of recorded days ({detail})")]
