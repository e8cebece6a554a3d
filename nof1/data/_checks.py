"""Checks of a parsed diary against its schedule: each finding becomes a recorded issue.

None of these stop the analysis and none change a typed value: a pack or period that
contradicts the schedule marks the day ``off_protocol`` (the per-protocol sensitivity
analysis leaves such days out), an unrecognised blinding guess is reported as typed,
a column the protocol does not know is kept as an unplanned, exploratory outcome.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._parse import MISSING_TOKENS, _day, shown, text_cells

__all__ = ["DiaryIssue", "DONT_KNOW", "schedule_contradictions", "guess_issues",
           "missing_issues"]

#: answers meaning "I cannot tell" to the end-of-period blinding question
DONT_KNOW = frozenset({"don't know", "dont know", "do not know", "?", "unsure", "not sure",
                       "no idea", "weiß nicht", "weiss nicht", "je ne sais pas", "no sé"})
#: a column name usable as an (unplanned) outcome name
OUTCOME_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class DiaryIssue:
    """A problem found while reading a diary that does not stop the analysis.

    ``kind`` is one of ``"missing_days"``, ``"outside_schedule"``, ``"low_adherence"``,
    ``"decimal_comma"``, ``"date_format"``, ``"pack_mismatch"``, ``"period_mismatch"``,
    ``"unrecognised_guess"``, ``"unplanned_column"``.

    Attributes
    ----------
    kind : str
        The kind of problem, one of the names above.
    message : str
        One line for the participant: what was found, on which dates, and what the
        analysis did about it.
    """

    kind: str
    message: str


def _dates_text(dates: Sequence[pd.Timestamp]) -> str:
    shown_dates = ", ".join(_day(d) for d in list(dates)[:3])
    return shown_dates + (", ..." if len(dates) > 3 else "")


def schedule_contradictions(values: pd.DataFrame, raw: pd.DataFrame, grid: pd.DataFrame,
                            packs: pd.Series | None) -> tuple[pd.Series, list[DiaryIssue]]:
    """Days whose typed ``pack`` or ``period`` contradicts the schedule.

    ``values`` holds the parsed dates (same rows as ``raw``); ``packs`` maps a date to
    its scheduled pack code (None when unknown: then only periods are checked). A blank
    cell contradicts nothing.

    Returns
    -------
    (Series of bool, list of DiaryIssue)
        Per diary row, whether it contradicts the schedule; and the issues.
    """
    off = pd.Series(False, index=values.index)
    issues: list[DiaryIssue] = []
    checks: list[tuple[str, pd.Series | None, str]] = [("period", None, "period_mismatch")]
    if packs is not None:
        checks.append(("pack", packs, "pack_mismatch"))
    for col, planned, kind in checks:
        if col not in raw.columns:
            continue
        if planned is None:  # the schedule's period of each date
            planned = pd.Series(grid["period"].array, index=pd.Index(grid["date"]))
        bad = []
        lookup = _lookup(planned)
        keys = _day_keys(values["date"]).tolist() if isinstance(lookup, dict) \
            else values["date"]
        dates = values["date"]
        verdicts: dict[tuple[str, str], bool] = {}
        for j, (typed, key) in enumerate(zip(text_cells(raw[col]), keys, strict=True)):
            if typed.lower() in MISSING_TOKENS or key not in lookup:
                continue
            if isinstance(lookup, dict):
                want_text = lookup[key]
            else:
                want = lookup.loc[key]
                want_text = "" if pd.isna(want) else str(want)
            same = verdicts.get((typed, want_text))
            if same is None:
                if col == "period":
                    try:
                        same = float(typed) == float(want_text) if want_text else False
                    except ValueError:
                        same = False
                else:
                    same = typed.casefold() == want_text.casefold()
                verdicts[(typed, want_text)] = same
            if not same:
                bad.append((j, dates.iloc[j], typed, want_text))
        if not bad:
            continue
        off.iloc[[j for j, *_ in bad]] = True
        _, date0, typed0, want0 = bad[0]
        scheduled = f"the schedule's {want0!r}" if want0 else "no pack (a run-in day)" \
            if col == "pack" else "no period (a run-in day)"
        issues.append(DiaryIssue(kind, (
            f"{col} written in the diary differs from the schedule on {len(bad)} day(s) "
            f"({_dates_text([b[1] for b in bad])}; e.g. {_day(date0)}: {shown(typed0)} "
            f"instead of {scheduled}); these days are left out of the per-protocol "
            f"analysis")))
    return off, issues


def _day_keys(dates: Any) -> np.ndarray:
    """Dates as integer nanoseconds (dict keys that hash fast and ignore the unit)."""
    return np.asarray(dates, dtype="datetime64[ns]").view(np.int64)


def _lookup(planned: pd.Series) -> dict[Any, str] | pd.Series:
    """``planned`` as a dict from date (:func:`_day_keys`) to its value as text (a plain
    dict lookup per diary row instead of a pandas ``.loc``); the Series itself when its
    dates repeat."""
    if not planned.index.is_unique:
        return planned
    return {key: "" if pd.isna(want) else str(want)
            for key, want in zip(_day_keys(planned.index).tolist(), planned.array,
                                 strict=True)}


def guess_issues(guesses: Sequence[str], dates: pd.Series,
                 treatments: Sequence[str]) -> list[DiaryIssue]:
    """Blinding guesses that name neither treatment nor "don't know"."""
    known = {t.casefold() for t in treatments}
    bad = [(g, d) for g, d in zip(guesses, dates, strict=True)
           if g and g.casefold().replace("’", "'") not in known | DONT_KNOW]
    if not bad:
        return []
    return [DiaryIssue("unrecognised_guess", (
        f"blinding guess {shown(bad[0][0])} on {_day(bad[0][1])} names neither "
        f"{' nor '.join(repr(t) for t in treatments)} nor \"don't know\" "
        f"({len(bad)} such guess(es): {_dates_text([d for _, d in bad])}); they are not "
        f"counted as guesses; correct the spelling to count them"))]


def missing_issues(data: pd.DataFrame, outcomes: Sequence[str]) -> list[DiaryIssue]:
    """Analysed days without a score, counted per outcome (a half-filled day is scored
    for the outcomes it has)."""
    analysed = data["analysed"].to_numpy(dtype=bool)
    n_days = int(analysed.sum())
    if n_days == 0:
        return []
    period = pd.to_numeric(data["period"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)[analysed]
    parts = []
    none = np.ones(n_days, dtype=bool)
    for name in outcomes:
        column = data[name]
        missing = (np.isnan(column.to_numpy()) if column.dtype == np.float64
                   else column.isna().to_numpy())[analysed]
        none &= missing
        n = int(missing.sum())
        if n:
            where = period[missing]
            per, counts = np.unique(where[~np.isnan(where)], return_counts=True)
            detail = ", ".join(f"period {int(p)}: {int(k)}" for p, k in zip(per, counts,
                                                                         strict=True))
            parts.append(f"{name} {n} ({detail})")
    if not parts:
        return []
    return [DiaryIssue("missing_days", (
        f"of {n_days} analysed days, scores are missing for " + "; ".join(parts)
        + f"; {int(none.sum())} day(s) have no score at all"))]


def adherence_issues(adherence: pd.DataFrame, minimum: float) -> list[DiaryIssue]:
    """Periods with the pack taken on fewer than ``minimum`` of the recorded days."""
    return low_adherence_issues(adherence["period"].to_numpy(),
                                adherence["adherence"].to_numpy(dtype=float), minimum)


def low_adherence_issues(periods: np.ndarray, shares: np.ndarray,
                         minimum: float) -> list[DiaryIssue]:
    """:func:`adherence_issues` from the periods and their shares of days with the pack
    taken (NaN: no day recorded)."""
    low = shares < minimum
    if not low.any():
        return []
    detail = ", ".join(f"period {int(p)}: {a:.0%}"
                       for p, a in zip(periods[low], shares[low], strict=True))
    return [DiaryIssue("low_adherence",
                       f"pack taken on fewer than {minimum:.0%} of recorded days ({detail})")]
