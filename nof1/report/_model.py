"""The report's view model: plain values to show, and how numbers are put into words.

Nothing here reads an analysis result; :mod:`._view` fills these dataclasses.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class Table:
    """A table ready to print: human column labels and formatted cells."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Headline:
    """One outcome's first-screen statement, in its own direction of benefit."""

    outcome: str
    role: str
    sentence: str
    rule: str
    detail: str


@dataclasses.dataclass(frozen=True)
class SeriesView:
    """One outcome's daily scores on the calendar (for its figure)."""

    outcome: str
    dates: tuple[Any, ...]
    scores: np.ndarray
    analysed: np.ndarray
    periods: tuple[tuple[int, int, str], ...]  # first day index, last day index, condition
    low: float
    high: float
    better: str


@dataclasses.dataclass(frozen=True)
class OutcomeDetail:
    """The technical tables and figure data of one outcome."""

    name: str
    role: str
    methods: Table
    sensitivity: Table
    priors: Table | None
    effect_sizes: Table | None
    periods: Table
    series: SeriesView
    #: (pair, control mean, treatment mean) of complete pairs; None unless paired
    pairs: tuple[tuple[int, float, float], ...] | None
    #: condition letter -> means of periods outside a complete pair
    singles: dict[str, list[float]]
    definition: tuple[str, str]  # (label, text)


@dataclasses.dataclass(frozen=True)
class NullView:
    """The primary outcome's randomization distribution (for its figure)."""

    outcome: str
    null_distribution: np.ndarray
    statistic: float
    pvalue: float
    n_assignments: int
    exact: bool


@dataclasses.dataclass(frozen=True)
class ReportView:
    """Everything the report shows, as plain values."""

    title: str
    active: str
    control: str
    trial_line: str
    effect_note: str
    confidence: str
    headlines: tuple[Headline, ...]
    decision: str
    warnings: tuple[str, ...]
    provenance: tuple[tuple[str, str], ...]
    summary: Table
    outcomes: tuple[OutcomeDetail, ...]
    blinding: str
    guesses: Table | None
    #: outcome, higher is better, benefit estimate, benefit CI low, high, MCID
    forest: tuple[tuple[str, bool, float, float, float, float], ...]
    names: dict[str, str]  # condition letter -> treatment name
    dates: tuple[str, str]
    null: NullView | None


# -- formatting --------------------------------------------------------------------------
def finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def num(x: Any, digits: int = 3) -> str:
    """A number to ``digits`` significant figures; '–' when missing."""
    return f"{float(x):.{digits}g}" if finite(x) else "–"


def pval(p: Any) -> str:
    """A p-value: three decimals, '< 0.001' below."""
    if not finite(p):
        return "–"
    return "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def prob(p: Any) -> str:
    """A probability as a percentage that never rounds to a false 0% or 100%."""
    if not finite(p):
        return "–"
    p = float(p)
    return ">99%" if p > 0.99 else "<1%" if p < 0.01 else f"{p:.0%}"


def ci_text(low: Any, high: Any) -> str:
    return f"{num(low)} to {num(high)}" if finite(low) and finite(high) else "–"


def _points(x: float) -> str:
    text = f"{abs(x):.1f}" if abs(x) >= 0.095 else f"{abs(x):.2g}"
    return f"{text} point{'' if text == '1.0' else 's'}"


def _bare(x: float) -> str:
    return _points(x).split()[0]


# -- headline ----------------------------------------------------------------------------
def benefit_sentence(name: str, estimate: float, ci_low: float, ci_high: float, *,
                     higher_is_better: bool, active: str, control: str, level: str) -> str:
    """The effect in the outcome's own direction of benefit, in one sentence.

    Examples
    --------
    >>> benefit_sentence("pain", -1.2, -1.7, -0.7, higher_is_better=False,
    ...                  active="magnesium", control="placebo", level="95%")
    'pain was 1.2 points lower on magnesium than on placebo; 95% CI 0.7 to 1.7 points lower'
    >>> print(benefit_sentence("sleep", -0.3, -1.1, 0.5, higher_is_better=True,
    ...                        active="magnesium", control="placebo", level="95%"))
    sleep was 0.3 points lower on magnesium than on placebo; 95% CI 1.1 points lower to
    0.5 points higher
    """
    if not finite(estimate):
        return f"{name}: not enough data to estimate the effect"
    good, bad = ("higher", "lower") if higher_is_better else ("lower", "higher")
    sign = 1.0 if higher_is_better else -1.0
    b = sign * estimate
    if b == 0:
        head = f"{name} was the same on {active} and on {control}"
    else:
        head = (f"{name} was {_points(b)} {good if b > 0 else bad} on {active} than on "
                f"{control}")
    if not (finite(ci_low) and finite(ci_high)):
        return f"{head}; no {level} interval (too few assignments or scored periods)"
    lo, hi = sorted((sign * ci_low, sign * ci_high))
    if lo >= 0:
        ci = f"{_bare(lo)} to {_points(hi)} {good}"
    elif hi <= 0:
        ci = f"{_bare(-hi)} to {_points(-lo)} {bad}"
    else:
        ci = f"{_points(-lo)} {bad} to {_points(hi)} {good}"
    return f"{head}; {level} CI {ci}"
