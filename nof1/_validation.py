"""Argument validation shared by the public functions (scipy's ``_<name>_iv`` habit).

Each helper checks one argument and returns it normalized; error messages name
the parameter and the allowed values.
"""

from __future__ import annotations

import datetime as _dt
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

ALTERNATIVES = ("two-sided", "less", "greater")


def check_int(value: Any, name: str, *, minimum: int | None = None,
              maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise naming ``name`` and the allowed range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"`{name}` must be <= {maximum}, got {value}")
    return value


def check_float(value: Any, name: str, *, minimum: float | None = None,
                maximum: float | None = None, inclusive: bool = True) -> float:
    """Return ``value`` as a finite float within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value}")
    if minimum is not None and (value < minimum or (not inclusive and value == minimum)):
        op = ">=" if inclusive else ">"
        raise ValueError(f"`{name}` must be {op} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (not inclusive and value == maximum)):
        op = "<=" if inclusive else "<"
        raise ValueError(f"`{name}` must be {op} {maximum}, got {value}")
    return value


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"`{name}` must be one of {allowed}; got {value!r}")
    return value


def check_alternative(value: Any) -> str:
    """Validate scipy's ``alternative`` keyword."""
    return check_choice(value, "alternative", ALTERNATIVES)


def check_confidence_level(value: Any) -> float:
    """Validate a confidence level in the open interval (0, 1)."""
    return check_float(value, "confidence_level", minimum=0.0, maximum=1.0, inclusive=False)


def check_date(value: Any, name: str) -> _dt.date:
    """Return a ``datetime.date`` from a date, datetime or ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"`{name}` must be a date in ISO format YYYY-MM-DD, got {value!r}"
            ) from None
    raise TypeError(f"`{name}` must be a date or an ISO date string, got {type(value).__name__}")


def check_treatments(value: Any) -> tuple[str, str]:
    """Two distinct, non-empty treatment names (first = treatment A, second = control B)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise TypeError("`treatments` must be a pair of names, e.g. ('magnesium', 'placebo')")
    names = tuple(value)
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ValueError(f"`treatments` must be exactly two names, got {names!r}")
    names = tuple(n.strip() for n in names)
    if not all(names) or names[0].casefold() == names[1].casefold():
        raise ValueError(f"`treatments` must be two distinct non-empty names, got {names!r}")
    return names  # type: ignore[return-value]


def as_rng(rng: Any) -> np.random.Generator:
    """``np.random.default_rng`` with a clear error for unsupported inputs (SPEC 7)."""
    if isinstance(rng, bool):
        raise TypeError("`rng` must be None, an integer seed or a numpy.random.Generator")
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "`rng` must be None, an integer seed or a numpy.random.Generator"
        ) from exc
