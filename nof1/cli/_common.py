"""Shared pieces of the command line: exit codes, one-line errors, argument types."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .._constants import START_RANGE

EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_ERROR = 2
EXIT_PLAN = 3
EXIT_NOT_FINISHED = 4
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
#: every exit code of ``nof1`` and what it means (printed by ``nof1 --help``)
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_MISMATCH: "the helper's key does not match its commitment",
    EXIT_ERROR: "usage error or bad input (one line on stderr)",
    EXIT_PLAN: "the plan (protocol) or a printed copy of the commitment disagrees with "
               "the commitment",
    EXIT_NOT_FINISHED: "the trial is not finished (use --interim for an interim analysis)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_TERMINATED: "terminated (SIGTERM); temporary files are removed",
}


class _UsageError(Exception):
    """A command-line usage error (already formatted as one line)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line, raised instead of printed."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# -- argument types ---------------------------------------------------------------
def _whole_number(text: str, minimum: int, bound: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1, "at least 1")


def _nonnegative_int(text: str) -> int:
    return _whole_number(text, 0, "0 or more")


def _date(text: str) -> _dt.date:
    try:
        value = _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a date written YYYY-MM-DD, got {text[:40]!r}") from None
    low, high = START_RANGE
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(
            f"must be a date between {low} and {high}, got {value}")
    return value


def _time(text: str) -> _dt.time:
    try:
        return _dt.time.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a time written HH:MM, got {text!r}") from None


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (_dt.date, Path)):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _finite_or_none(value: Any) -> Any:
    """NaN and infinities become None (JSON null): bare NaN is not JSON."""
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _json_text(value: Any) -> str:
    """Standard JSON (RFC 8259) for standard output: missing numbers are ``null``.

    >>> _json_text({"p": float("nan"), "n": [1.5, float("inf")]})
    '{"p": null, "n": [1.5, null]}'
    """
    return json.dumps(_finite_or_none(value), default=_json_default, allow_nan=False)
