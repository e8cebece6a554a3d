"""Tolerant parsing of what people type into a diary spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DiaryError

MISSING_TOKENS = {"", "na", "n/a", "nan", "none", "-", "--", "?", "missing", "null"}
TRUE_TOKENS = {"yes", "y", "true", "t", "1", "x", "taken", "ja", "oui", "si", "sí"}
FALSE_TOKENS = {"no", "n", "false", "f", "0", "not taken", "nein", "non"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_text_table(source: str | Path) -> pd.DataFrame:
    """Read a CSV file as strings (comma or semicolon separated, UTF-8 with or without BOM)."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DiaryError(f"diary file not found: {path}") from None
    except UnicodeDecodeError:
        raise DiaryError(f"{path} is not UTF-8 text; save the diary as CSV (UTF-8)") from None
    except OSError as exc:
        raise DiaryError(f"cannot read diary {path}: {exc.strerror}") from None
    if not text.strip():
        raise DiaryError(f"diary {path} is empty")
    first = text.splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    header = [h.strip().lower() for h in rows[0]]
    width = len(header)
    body = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        if len(row) > width:
            extra = [c for c in row[width:] if c.strip()]
            if extra:
                raise DiaryError(
                    f"line {line_no} of {path.name} has more fields than the header; a decimal "
                    f"comma such as 7,5 must be written 7.5 (or the cell quoted)")
            row = row[:width]
        body.append(row + [""] * (width - len(row)))
    return pd.DataFrame(body, columns=header, dtype=object)


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO dates (YYYY-MM-DD, surrounding spaces allowed, a time part ignored)."""
    out = []
    for i, raw in zip(values.index, values, strict=True):
        s = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw).strip()
        if isinstance(raw, pd.Timestamp):
            out.append(raw.normalize())
            continue
        s = s.split("T")[0].split(" ")[0]
        if not _ISO_DATE.match(s):
            shown = str(raw).strip() if raw is not None else ""
            raise DiaryError(f"row {_row(i)}: date {shown!r} is not a date in the form YYYY-MM-DD")
        try:
            out.append(pd.Timestamp(s))
        except ValueError:
            raise DiaryError(f"row {_row(i)}: date {s!r} does not exist") from None
    return pd.Series(out, index=values.index, dtype="datetime64[ns]")


def parse_scores(values: pd.Series, name: str, dates: pd.Series,
                 low: float, high: float) -> tuple[pd.Series, list[str]]:
    """Numbers from typed text; returns the scores and the dates where a decimal comma was read."""
    out = np.full(len(values), np.nan)
    comma_dates: list[str] = []
    for j, (raw, date) in enumerate(zip(values, dates, strict=True)):
        if isinstance(raw, (int, float, np.number)) and not isinstance(raw, bool):
            value = float(raw)
            if np.isnan(value):
                continue
        else:
            s = "" if raw is None else str(raw).strip()
            if s.lower() in MISSING_TOKENS:
                continue
            if not _NUMBER.match(s):
                raise DiaryError(f"{name} on {_day(date)}: {s!r} is not a number "
                                 f"(leave the cell empty for a missing day)")
            if "," in s:
                comma_dates.append(_day(date))
                s = s.replace(",", ".")
            value = float(s)
        if not low <= value <= high:
            raise DiaryError(f"{name} score {value:g} on {_day(date)} is outside its scale "
                             f"{low:g}-{high:g}")
        out[j] = value
    return pd.Series(out, index=values.index), comma_dates


def parse_yes_no(values: pd.Series, name: str, dates: pd.Series) -> pd.Series:
    """yes/no-like entries to a nullable boolean."""
    out: list[Any] = []
    for raw, date in zip(values, dates, strict=True):
        s = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw)
        s = s.strip().lower()
        if s in MISSING_TOKENS - {"0"}:
            out.append(pd.NA)
        elif s in TRUE_TOKENS:
            out.append(True)
        elif s in FALSE_TOKENS:
            out.append(False)
        else:
            raise DiaryError(f"{name} on {_day(date)}: {s!r} is not yes or no")
    return pd.Series(pd.array(out, dtype="boolean"), index=values.index)


def _row(index: Any) -> str:
    return str(index + 2) if isinstance(index, (int, np.integer)) else str(index)


def _day(date: Any) -> str:
    try:
        return pd.Timestamp(date).date().isoformat()
    except (TypeError, ValueError):
        return str(date)
