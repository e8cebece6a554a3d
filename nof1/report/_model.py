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
    #: the first column names the row (on a phone: the title of the row's card)
    row_heads: bool = False


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
    #: None for an outcome that could not be analysed (``note`` says why)
    methods: Table | None
    sensitivity: Table | None
    priors: Table | None
    effect_sizes: Table | None
    periods: Table | None
    series: SeriesView
    #: (pair, control mean, treatment mean) of complete pairs; None unless paired
    pairs: tuple[tuple[int, float, float], ...] | None
    #: condition letter -> means of periods outside a complete pair
    singles: dict[str, list[float]]
    definition: tuple[str, str]  # (label, text)
    note: str = ""  # why the outcome was not analysed ('' when it was)


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
    #: outcome, higher is better, benefit estimate, benefit CI low, high, MCID (blinded:
    #: the raw X − Y difference and its interval)
    forest: tuple[tuple[str, bool, float, float, float, float], ...]
    names: dict[str, str]  # condition letter -> treatment name
    dates: tuple[str, str]
    null: NullView | None
    #: a blinded (group X vs group Y) analysis: no verdict, no benefit language
    blinded: bool = False
    #: unplanned diary columns, analysed as exploratory only
    exploratory: Table | None = None
    priors_note: str = ""
    #: where the headline numbers come from, and the design's note on its interval
    interval_note: str = ""


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


def _bound(x: Any) -> str:
    x = float(x)
    return num(x) if math.isfinite(x) else ("∞" if x > 0 else "−∞")


def ci_text(low: Any, high: Any, attained: Any = None, nominal: Any = None) -> str:
    """An interval; unbounded ends as ±∞; the attained level when it exceeds the nominal.

    Examples
    --------
    >>> ci_text(-3.26, -0.114), ci_text(float("-inf"), float("inf")), ci_text(None, 1)
    ('-3.26 to -0.114', '−∞ to ∞', '–')
    >>> ci_text(-3.26, -0.114, 0.96875, 0.95)
    '-3.26 to -0.114 (attains 96.9%)'
    """
    try:
        lo, hi = float(low), float(high)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(lo) or math.isnan(hi):
        return "–"
    text = f"{_bound(lo)} to {_bound(hi)}"
    more = attained_note(attained, nominal)
    return f"{text} ({more})" if more and math.isfinite(lo) and math.isfinite(hi) else text


def attained_note(attained: Any, nominal: Any) -> str:
    """'attains 96.9%' when a design-based interval's coverage exceeds the nominal level."""
    if not (finite(attained) and finite(nominal)) or float(attained) >= 1:
        return ""
    if float(attained) - float(nominal) < 5e-4:
        return ""
    return f"attains {100 * float(attained):.3g}%"


def _size(x: float) -> str:
    """Two significant figures, as the CLI's sentences (:mod:`nof1.analysis.interpret`)."""
    x = abs(float(f"{x:.2g}"))
    return f"{x:.2f}".rstrip("0").rstrip(".") if x < 1 else f"{x:g}"


def _points(x: float) -> str:
    text = _size(x)
    return f"{text} point{'' if text == '1' else 's'}"


def _bare(x: float) -> str:
    return _points(x).split()[0]


# -- headline ----------------------------------------------------------------------------
def benefit_sentence(name: str, estimate: float, ci_low: float, ci_high: float, *,
                     higher_is_better: bool, active: str, control: str, level: str,
                     attained: str = "") -> str:
    """The effect in the outcome's own direction of benefit, in one sentence.

    Numbers have two significant figures, as the sentences the command line prints.
    ``attained``: e.g. ``"attains 96.9%"``, said after the interval when a
    design-based interval covers more than ``level``.

    Examples
    --------
    >>> benefit_sentence("pain", -1.2, -1.7, -0.7, higher_is_better=False,
    ...                  active="magnesium", control="placebo", level="95%")
    'pain was 1.2 points lower on magnesium than on placebo; 95% CI 0.7 to 1.7 points lower'
    >>> print(benefit_sentence("sleep", -0.3, -1.1, 0.5, higher_is_better=True,
    ...                        active="magnesium", control="placebo", level="95%",
    ...                        attained="attains 96.9%"))
    sleep was 0.3 points lower on magnesium than on placebo; 95% CI 1.1 points lower to
    0.5 points higher (attains 96.9%)
    """
    if not finite(estimate):
        return f"{name}: not enough data to estimate the effect"
    good, bad = ("higher", "lower") if higher_is_better else ("lower", "higher")
    sign = 1.0 if higher_is_better else -1.0
    b = sign * estimate
    if _size(b) == "0":
        head = f"{name} was the same on {active} and on {control}"
    else:
        head = (f"{name} was {_points(b)} {good if b > 0 else bad} on {active} than on "
                f"{control}")
    try:
        lo, hi = sorted((sign * float(ci_low), sign * float(ci_high)))
    except (TypeError, ValueError):
        lo = hi = math.nan
    if math.isnan(lo) or math.isnan(hi) or (math.isinf(lo) and math.isinf(hi)):
        return f"{head}; no {level} interval (too few assignments or scored periods)"
    if math.isinf(lo):  # bounded on the side of benefit only
        end = (f"{_points(hi)} {good}" if hi > 0 else f"{_points(-hi)} {bad}"
               if hi < 0 else "0")
        ci = f"from no bound on the {bad} side to {end}"
    elif math.isinf(hi):
        end = (f"{_points(lo)} {good}" if lo > 0 else f"{_points(-lo)} {bad}"
               if lo < 0 else "0")
        ci = f"from {end} to no bound on the {good} side"
    elif lo >= 0:
        ci = f"{_bare(lo)} to {_points(hi)} {good}"
    elif hi <= 0:
        ci = f"{_bare(-hi)} to {_points(-lo)} {bad}"
    else:
        ci = f"{_points(-lo)} {bad} to {_points(hi)} {good}"
    return f"{head}; {level} CI {ci}" + (f" ({attained})" if attained else "")


def difference_sentence(name: str, estimate: float, ci_low: float, ci_high: float,
                        pvalue: float, *, level: str, attained: str = "") -> str:
    """A blinded group difference X − Y in words: two-sided, no direction of benefit.

    Examples
    --------
    >>> import textwrap
    >>> print(textwrap.fill(difference_sentence("pain", 0.8, -0.2, 1.9, 0.094, level="95%")))
    pain was 0.8 points higher in group X than in group Y; 95% CI from 0.2
    points lower to 1.9 points higher; two-sided p = 0.094
    """
    if not finite(estimate):
        return f"{name}: not enough data to estimate the difference"
    side = "higher" if estimate > 0 else "lower"
    head = (f"{name} was the same in group X and in group Y" if _size(estimate) == "0" else
            f"{name} was {_points(estimate)} {side} in group X than in group Y")
    p = f"; two-sided p = {pval(pvalue)}" if finite(pvalue) else ""
    if not (finite(ci_low) and finite(ci_high)):
        return f"{head}; no {level} interval (too few assignments or scored periods){p}"

    def word(x: float) -> str:
        return "0" if _size(x) == "0" else f"{_points(x)} {'higher' if x > 0 else 'lower'}"

    lo, hi = sorted((float(ci_low), float(ci_high)))
    more = f" ({attained})" if attained else ""
    return f"{head}; {level} CI from {word(lo)} to {word(hi)}{more}{p}"
