"""Exploratory analysis of diary columns the protocol did not plan (added mid-trial).

Such a column was not pre-registered: it has no direction of benefit, no MCID and
no place in the decision rule or the Holm family. It is analysed with the design's
own primary procedure (period means, randomization test) so that its estimate,
interval and p-value come from one procedure, and every row says it is exploratory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._results import ResultMixin
from ..design.schedule import Schedule
from ..outcomes import Outcome
from ._primary import primary_from_index
from ._tables import PeriodIndex

__all__ = ["ExploratoryResult", "exploratory_analyses"]

EXPLORATORY_NOTE = ("exploratory: an unplanned diary column, not pre-registered (no direction "
                    "of benefit, MCID or multiplicity adjustment); effect = treatment − control")


@dataclasses.dataclass(frozen=True, eq=False)
class ExploratoryResult(ResultMixin):
    """Estimate, interval and p-value of an unplanned outcome (exploratory only).

    Attributes
    ----------
    outcome : str
        The unplanned diary column.
    estimate, ci_low, ci_high : float
        Treatment − control and its interval, from the same randomization test as a
        planned primary outcome; NaN when the column could not be analysed.
    pvalue : float
        Two-sided p-value of that test, not adjusted for multiplicity.
    method : str
        The procedure (``'not analysed'`` when there is none).
    note : str
        Why the result is exploratory, and why it was not analysed if so.
    n_periods : int
        Periods with a mean score for the column.
    """

    outcome: str
    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float
    method: str
    note: str
    n_periods: int

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "estimate", "ci_low", "ci_high", "pvalue", "method", "note", "n_periods")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "primary": False, "exploratory": True}

    def summary(self) -> str:
        return (f"{self.outcome} (EXPLORATORY, unplanned column): estimate {self.estimate:.3g} "
                f"[{self.ci_low:.3g}, {self.ci_high:.3g}], p = {self.pvalue:.3g}; {self.note}")


def exploratory_analyses(data: pd.DataFrame, schedule: Schedule, names: Sequence[str], *,
                         confidence_level: float, min_completeness: float,
                         rng: np.random.Generator,
                         index: PeriodIndex | None = None) -> tuple[ExploratoryResult, ...]:
    """One :class:`ExploratoryResult` per unplanned numeric column in ``data``.

    A column that cannot be analysed (too few scored periods) still gets a row, with
    NaN numbers and the reason in ``note``: it is reported, never dropped. ``index`` is
    ``PeriodIndex(data)`` when the caller has it already.
    """
    out = []
    idx = PeriodIndex(data) if index is None and names else index
    for name in names:
        scores = pd.to_numeric(data[name], errors="coerce")
        finite = scores[np.isfinite(scores)]
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        if not low < high:
            low, high = low - 1.0, high + 1.0
        spec = Outcome(name=name, question=f"{name} (unplanned column)", low=low, high=high,
                       mcid=(high - low) / 2)
        try:
            res = primary_from_index(idx, idx.scores(data, name), schedule, spec,
                                     confidence_level=confidence_level,
                                     min_completeness=min_completeness,
                                     prior="weakly_informative", rng=rng)
            out.append(ExploratoryResult(
                outcome=name, estimate=res.estimate, ci_low=res.ci_low, ci_high=res.ci_high,
                pvalue=res.pvalue, method=res.method, note=EXPLORATORY_NOTE,
                n_periods=res.n_periods))
        except ValueError as exc:
            out.append(ExploratoryResult(
                outcome=name, estimate=np.nan, ci_low=np.nan, ci_high=np.nan, pvalue=np.nan,
                method="not analysed", note=f"{EXPLORATORY_NOTE}; not analysed: {exc}",
                n_periods=0))
    return tuple(out)
