"""Tolerant parsing of what people type into a diary spreadsheet.

Tolerant means: spaces, blank cells, ``NA``, a decimal comma in a *single* cell, a
semicolon-separated file and the date formats spreadsheets rewrite ISO dates into
are read. It never means guessing where a value belongs: a row whose number of
fields differs from the header's is an error, because re-aligning it would move a
typed number into another column.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DiaryError

MISSING_TOKENS = {"", "na", "n/a", "nan", "none", "-", "--", "?", "missing", "null"}
TRUE_TOKENS = {"yes", "y", "true", "t", "1", "x", "taken", "ja", "oui", "si", "sí"}
FALSE_TOKENS = {"no", "n", "false", "f", "0", "not taken", "nein", "non"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
#: the longest cell shown in an error message (the rest is elided)
_SHOWN = 40
#: the longest cell the reader accepts (the csv module's default limit)
MAX_CELL = 131072


def shown(value: Any) -> str:
    """``repr`` of a typed value, cut to a length that fits on one line."""
    s = "" if value is None else str(value).strip()
    s = " ".join(s.split())
    return repr(s if len(s) <= _SHOWN else s[:_SHOWN] + "...")


@dataclasses.dataclass(frozen=True)
class TextTable:
    """A diary file read as text: its cells, and the file line each row started on."""

    frame: pd.DataFrame
    lines: tuple[int, ...]


def read_text_table(source: str | Path) -> TextTable:
    """Read a CSV file as strings (comma or semicolon separated, UTF-8 with or without BOM).

    Raises
    ------
    DiaryError
        If the file cannot be read, or a row has more or fewer fields than the header
        (a decimal comma such as ``6,5`` in a comma-separated file splits a cell in two;
        the row is refused rather than re-aligned).
    """
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DiaryError(f"diary file not found: {path}") from None
    except IsADirectoryError:
        raise DiaryError(f"{path} is a folder, not a diary file") from None
    except UnicodeDecodeError:
        raise DiaryError(f"{path} is not UTF-8 text; save the diary as CSV (UTF-8)") from None
    except OSError as exc:
        raise DiaryError(f"cannot read diary {path}: {exc.strerror}") from None
    if not text.strip():
        raise DiaryError(f"diary {path} is empty")
    first = text.splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] = []
    start = 1
    try:
        for row in reader:
            if not header:
                header = [h.strip().lower() for h in row]
                start = reader.line_num + 1
                continue
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise DiaryError(f"line {start} of {path.name} has a cell longer than {MAX_CELL} "
                             f"characters; shorten it (a note of that length is almost "
                             f"certainly a pasting accident)") from None
        raise DiaryError(f"line {start} of {path.name} cannot be read as CSV "
                         f"({' '.join(str(exc).split())})") from None
    width = len(header)
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            raise DiaryError(_ragged_message(path.name, line, len(row), width, sep))
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    return TextTable(frame=_drop_blank_unnamed(frame, path.name), lines=tuple(lines))


def _ragged_message(name: str, line: int, n: int, width: int, sep: str) -> str:
    what = "more" if n > width else "fewer"
    if sep == ",":
        fix = ("a decimal comma such as 6,5 splits a cell in two: write 6.5, quote the "
               "cell (\"6,5\"), or save the file with ';' as the separator")
    else:
        fix = "a ';' inside a note splits it: quote the cell or remove the ';'"
    return (f"line {line} of {name} has {n} fields but the header has {width} ({what}); "
            f"nothing was read, because the values cannot be put in their columns safely: "
            f"{fix}; keep one field per column, empty ones included")


def _drop_blank_unnamed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Columns without a header name are dropped only when every cell in them is blank."""
    keep = []
    for j, col in enumerate(frame.columns):
        if col == "" or col.startswith("unnamed"):
            cells = frame.iloc[:, j]
            if any(str(c).strip() for c in cells):
                raise DiaryError(f"column {j + 1} of {name} has entries but no name in the "
                                 f"header; name the column or remove it")
            continue
        keep.append(j)
    out = frame.iloc[:, keep]
    dup = out.columns[out.columns.duplicated()]
    if len(dup):
        raise DiaryError(f"the diary header names column {dup[0]!r} twice; keep one")
    return out


# -- dates -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class DateFormat:
    """How the diary's dates were written, when not ISO (``YYYY-MM-DD``)."""

    name: str  #: e.g. "DD.MM.YYYY", "M/D/YYYY"
    example: str  #: one cell as typed
    read_as: str  #: the same cell as an ISO date


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if len(text) == 2 else y


#: the first and last whole days a ``datetime64[ns]`` (pandas.Timestamp) can hold
_FIRST_DAY, _LAST_DAY = _dt.datetime(1677, 9, 22), _dt.datetime(2262, 4, 11)


def _make(y: int, m: int, d: int) -> _dt.datetime | None:
    """The day, or None if it does not exist (or lies outside pandas' time range)."""
    try:
        day = _dt.datetime(y, m, d)
    except ValueError:
        return None
    return day if _FIRST_DAY <= day <= _LAST_DAY else None


def cells(values: Any) -> Any:
    """The cells of a column for a Python loop (a Series as an object array: iterating a
    pandas string column cell by cell is ten times slower)."""
    return values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values


def parse_dates(values: pd.Series, *, lines: Sequence[int] | None = None,
                date_range: tuple[pd.Timestamp, pd.Timestamp] | None = None
                ) -> tuple[pd.Series, DateFormat | None]:
    """Dates as typed or as a spreadsheet rewrote them.

    ISO ``YYYY-MM-DD`` (a time part is ignored) and ``YYYY/MM/DD`` are read as
    they are; ``DD.MM.YYYY`` is day first (the only order in use with dots);
    ``D/M/YYYY`` or ``M/D/YYYY`` is read in the one order under which every such
    date of the column exists and falls inside ``date_range`` (the schedule's first
    to last day, give or take two weeks); if both orders fit, or neither does, the
    dates are ambiguous and an error asks for ISO dates. Two-digit years are 20YY.

    Returns
    -------
    (Series, DateFormat or None)
        The dates, and the non-ISO format that was read (None when all were ISO).
    """
    fast = _iso_dates(values)
    if fast is not None:
        return fast, None
    parsed: list[Any] = [None] * len(values)
    slashed: list[tuple[int, int, int, int]] = []  # (position, a, b, year)
    fmt: DateFormat | None = None
    fmt_at = -1
    index = values.index
    for j, raw in enumerate(cells(values)):
        if isinstance(raw, (pd.Timestamp, np.datetime64)) or hasattr(raw, "isoformat"):
            try:
                stamp = pd.Timestamp(raw)
            except (TypeError, ValueError):
                stamp = pd.NaT
            if pd.isna(stamp):
                raise DiaryError(f"{_where(j, index[j], lines)}: the date is missing; every "
                                 f"row needs its date")
            parsed[j] = stamp.normalize()
            continue
        s = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        s = s.strip().split("T")[0].split(" ")[0]
        if m := _ISO_DATE.match(s) or _YMD_SLASH.match(s):
            day = _make(int(m[1]), int(m[2]), int(m[3]))
            if "/" in s and fmt is None:
                fmt, fmt_at = DateFormat("YYYY/MM/DD", s, ""), j
        elif m := _DOTTED.match(s):
            day = _make(_year(m[3]), int(m[2]), int(m[1]))
            if fmt is None or fmt.name == "YYYY/MM/DD":
                fmt, fmt_at = DateFormat("DD.MM.YYYY", s, ""), j
        elif m := _SLASHED.match(s):
            slashed.append((j, int(m[1]), int(m[2]), _year(m[3])))
            continue
        else:
            raise DiaryError(f"{_where(j, index[j], lines)}: date {shown(raw)} is not a date; "
                             f"write dates as YYYY-MM-DD (2026-01-05)")
        if day is None:
            raise DiaryError(f"{_where(j, index[j], lines)}: date {shown(raw)} does not exist")
        parsed[j] = day
    if slashed:
        order = _slash_order(slashed, values, lines, date_range)
        for j, a, b, y in slashed:
            parsed[j] = _make(y, a, b) if order == "M/D/YYYY" else _make(y, b, a)
            if parsed[j] is None:
                raise DiaryError(f"{_where(j, values.index[j], lines)}: date "
                                 f"{shown(values.iloc[j])} does not exist")
        fmt_at = next((j for j, a, b, _ in slashed if a != b), slashed[0][0])
        fmt = DateFormat(order, str(values.iloc[fmt_at]).strip(), "")
    out = pd.Series(parsed, index=values.index, dtype="datetime64[ns]")
    if fmt is not None:
        fmt = dataclasses.replace(fmt, read_as=out.iloc[fmt_at].date().isoformat())
    return out, fmt


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_dates(values: pd.Series) -> pd.Series | None:
    """The dates when every cell is exactly ``YYYY-MM-DD`` and exists (the common case,
    parsed by numpy in one call), else None (then :func:`parse_dates` reads cell by cell
    and names the cell at fault)."""
    typed = cells(values)
    if not all(isinstance(x, str) and _ISO_DAY.match(x) for x in typed):
        return None
    try:
        days = np.array(typed, dtype="datetime64[D]")
    except ValueError:  # a day that does not exist
        return None
    if days.size and not (np.datetime64(_FIRST_DAY, "D") <= days.min()
                          and days.max() <= np.datetime64(_LAST_DAY, "D")):
        return None
    return pd.Series(days.astype("datetime64[ns]"), index=values.index)


def _slash_order(slashed: list[tuple[int, int, int, int]], values: pd.Series,
                 lines: Sequence[int] | None,
                 date_range: tuple[pd.Timestamp, pd.Timestamp] | None) -> str:
    """'D/M/YYYY' or 'M/D/YYYY': the one order under which every slashed date exists and,
    if both orders give existing dates, the one under which all fall in ``date_range``."""
    lo, hi = date_range if date_range is not None else (pd.Timestamp.min, pd.Timestamp.max)
    exists, inside = {}, {}
    for order in ("D/M/YYYY", "M/D/YYYY"):
        days = [_make(y, a, b) if order == "M/D/YYYY" else _make(y, b, a)
                for _, a, b, y in slashed]
        exists[order] = all(d is not None for d in days)
        inside[order] = exists[order] and all(lo <= d <= hi for d in days if d is not None)
    if all(a == b for _, a, b, _ in slashed):  # 5/5/2026 reads the same either way
        return "D/M/YYYY"
    for fits in (exists, inside):
        if fits["D/M/YYYY"] != fits["M/D/YYYY"]:
            return "D/M/YYYY" if fits["D/M/YYYY"] else "M/D/YYYY"
    j = next(s[0] for s in slashed if s[1] != s[2])
    where = _where(j, values.index[j], lines)
    typed = shown(values.iloc[j])
    if all(inside.values()):
        raise DiaryError(f"{where}: date {typed} is ambiguous (day/month and month/day both "
                         f"fit the schedule's dates); write dates as YYYY-MM-DD")
    raise DiaryError(f"{where}: date {typed} and the other dates written with '/' fit the "
                     f"schedule's dates neither as day/month nor as month/day; write dates "
                     f"as YYYY-MM-DD")


# -- scores and yes/no -------------------------------------------------------------------
def parse_scores(values: pd.Series, name: str, dates: pd.Series,
                 low: float, high: float) -> tuple[pd.Series, list[str]]:
    """Numbers from typed text; returns the scores and the dates where a decimal comma was read.

    A diary column holds few distinct entries (``"5"``, ``"6"``, ...): each distinct
    text is parsed once.
    """
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiu":
        # a column of numbers (a DataFrame, not typed text): checked at once
        out = values.to_numpy(dtype=float, copy=True)
        outside = np.flatnonzero(~np.isnan(out) & ~((out >= low) & (out <= high)))
        if outside.size:
            j = int(outside[0])
            raise DiaryError(f"{name} score {out[j]:g} on {_day(dates.iloc[j])} is outside its "
                             f"scale {low:g}-{high:g}")
        return pd.Series(out, index=values.index), []
    out = np.full(len(values), np.nan)
    comma_dates: list[str] = []
    seen: dict[str, tuple[float, bool]] = {}
    for j, raw in enumerate(cells(values)):
        if isinstance(raw, str) and raw in seen:
            value, comma = seen[raw]
        elif isinstance(raw, (int, float, np.number)) and not isinstance(raw, bool):
            value, comma = float(raw), False
        else:
            s = "" if raw is None else str(raw).strip()
            if s.lower() in MISSING_TOKENS:
                value, comma = np.nan, False
            else:
                if not _NUMBER.match(s):
                    raise DiaryError(f"{name} on {_day(dates.iloc[j])}: {shown(s)} is not a "
                                     f"number (leave the cell empty for a missing day)")
                comma = "," in s
                value = float(s.replace(",", ".")) if comma else float(s)
            if isinstance(raw, str):
                seen[raw] = (value, comma)
        if np.isnan(value):
            continue
        if comma:
            comma_dates.append(_day(dates.iloc[j]))
        if not low <= value <= high:
            raise DiaryError(f"{name} score {value:g} on {_day(dates.iloc[j])} is outside its "
                             f"scale {low:g}-{high:g}")
        out[j] = value
    return pd.Series(out, index=values.index), comma_dates


def is_number_column(values: pd.Series) -> bool:
    """True if every non-missing cell is a number (with a point or a decimal comma)."""
    seen = False
    for raw in cells(values):
        if isinstance(raw, (int, float, np.number)) and not isinstance(raw, bool):
            if not np.isnan(float(raw)):
                seen = True
            continue
        s = "" if raw is None else str(raw).strip()
        if s.lower() in MISSING_TOKENS:
            continue
        if not _NUMBER.match(s):
            return False
        seen = True
    return seen


def parse_yes_no(values: pd.Series, name: str, dates: pd.Series) -> pd.Series:
    """yes/no-like entries to a nullable boolean."""
    n = len(values)
    value, unknown = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    missing = MISSING_TOKENS - {"0"}
    for i, raw in enumerate(cells(values)):
        s = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        s = s.strip().lower()
        if s in missing:
            unknown[i] = True
        elif s in TRUE_TOKENS:
            value[i] = True
        elif s not in FALSE_TOKENS:
            raise DiaryError(f"{name} on {_day(dates.iloc[i])}: {shown(s)} is not yes or no")
    return pd.Series(pd.arrays.BooleanArray(value, unknown), index=values.index)


def text_cells(values: pd.Series) -> list[str]:
    """Cells as stripped text; missing (None, NaN) as empty."""
    return [("" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
             else str(v).strip()) for v in cells(values)]


def _where(position: int, index: Any, lines: Sequence[int] | None) -> str:
    if lines is not None:
        return f"line {lines[position]}"
    return f"row {index + 2}" if isinstance(index, (int, np.integer)) else f"row {index}"


def _day(date: Any) -> str:
    try:
        return pd.Timestamp(date).date().isoformat()
    except (TypeError, ValueError):
        return str(date)
