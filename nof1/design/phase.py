"""Phase designs (AB, ABA, ABAB, ...): fixed order, random phase-change points."""

from __future__ import annotations

from collections.abc import Iterator
from math import comb
from typing import Any

import numpy as np

from .._constants import MAX_DAYS
from .._validation import check_int
from ._base import Design, DesignOption
from ._combinatorics import combinations_chunks, random_combinations

__all__ = ["PhaseDesign"]


#: the most occasions a phase design may have: five years of daily measurements
MAX_OCCASIONS = MAX_DAYS

class PhaseDesign(Design):
    """A fixed phase sequence over ``n_occasions`` with random phase-change points.

    Every phase has at least ``min_phase`` occasions; all admissible sets of
    phase-change points are equally likely (Onghena 1992). The number of
    admissible assignments is ``C(N - P*n + P - 1, P - 1)`` for ``P`` phases,
    as in SCRT's ``quantity(design="ABAB", MT=N, limit=n)``.

    Parameters
    ----------
    phases : str
        The phase sequence, alternating letters A and B, e.g. ``"AB"``,
        ``"ABA"``, ``"ABAB"``.
    n_occasions : int
        Number of measurement occasions (days, usually), at most
        :data:`MAX_OCCASIONS` (five years of days: a longer personal trial is almost
        certainly a typing error).
    min_phase : int
        Minimum number of occasions in every phase.

    Examples
    --------
    >>> from nof1 import PhaseDesign
    >>> design = PhaseDesign("ABAB", n_occasions=24, min_phase=4)
    >>> design.n_assignments
    165
    >>> design.changepoints(design.draw(rng=12345))
    array([ 6, 13, 18])
    >>> design.draw(rng=12345, size=1000).shape
    (1000, 24)
    """

    kind = "phase"
    default_unit_days = 1
    units_are_periods = False
    statistic_bases = ("A-B", "PA-PB")
    primary_statistic = "PA-PB"
    primary_procedure = (
        "randomization test over the design's admissible phase-change days: mean of "
        "phase means (wash-out re-applied per assignment); CI by inverting the test")
    plan_estimate = ("difference of the means of phase means (treatment − control) with a 95% "
                     "confidence interval from inverting the randomization test")
    plan_statistic = "mean of phase means (PA−PB), wash-out re-applied for every assignment"
    options = (
        DesignOption("phases", "phases", "ABAB", "phase order, e.g. AB, ABA, ABAB "
                     "(default ABAB)", text=True),
        DesignOption("days", "n_occasions", 84, "days after the run-in (default 84)"),
        DesignOption("min_phase", "min_phase", 14, "minimum days per phase (default 14)"),
    )

    def __init__(self, phases: str = "ABAB", n_occasions: int = 84, min_phase: int = 7):
        if not isinstance(phases, str):
            raise TypeError("`phases` must be a string such as 'ABAB'")
        phases = phases.strip().upper()
        if (len(phases) < 2 or set(phases) - {"A", "B"}
                or any(a == b for a, b in zip(phases, phases[1:], strict=False))):
            raise ValueError(
                f"`phases` must alternate A and B with at least two phases "
                f"(e.g. 'AB', 'ABA', 'ABAB'); got {phases!r}"
            )
        self.phases = phases
        self.min_phase = check_int(min_phase, "min_phase", minimum=1)
        self.n_occasions = check_int(n_occasions, "n_occasions", minimum=len(phases),
                                     maximum=MAX_OCCASIONS)
        if self.n_occasions < len(phases) * self.min_phase:
            raise ValueError(
                f"`n_occasions`={self.n_occasions} is too short for {len(phases)} phases of "
                f"at least min_phase={self.min_phase} occasions "
                f"(needs {len(phases) * self.min_phase})"
            )

    @property
    def n_phases(self) -> int:
        return len(self.phases)

    @property
    def n_units(self) -> int:
        return self.n_occasions

    @property
    def _slack(self) -> int:
        return self.n_occasions - self.n_phases * self.min_phase

    @property
    def n_assignments(self) -> int:
        p = self.n_phases
        return comb(self._slack + p - 1, p - 1)

    @property
    def scrt_design(self) -> str:
        return self.phases

    @property
    def min_period_units(self) -> int:
        return self.min_phase

    def describe(self, unit_days: int) -> str:
        unit = "days" if unit_days == 1 else f"occasions of {unit_days} days"
        return (f"phase {self.phases} over {self.n_occasions} {unit}, every phase at "
                f"least {self.min_phase * unit_days} days")

    def plain_words(self, unit_days: int) -> str:
        return f"phase design {self!r}"

    @property
    def phase_conditions(self) -> np.ndarray:
        """Condition (0 = A, 1 = B) of each phase in order."""
        return np.array([0 if c == "A" else 1 for c in self.phases], dtype=np.int8)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "phases": self.phases, "n_occasions": self.n_occasions,
                "min_phase": self.min_phase}

    # -- change points -------------------------------------------------
    def _bars_to_changepoints(self, bars: np.ndarray) -> np.ndarray:
        """Stars-and-bars positions -> 0-based start occasion of phases 2..P."""
        j = np.arange(1, self.n_phases, dtype=np.int64)
        return bars + j * self.min_phase - (j - 1)

    def iter_changepoints(self, chunk_size: int = 1 << 16) -> Iterator[np.ndarray]:
        """Yield all admissible change-point vectors, shape ``(rows, n_phases - 1)``.

        Entry ``j`` is the 0-based occasion at which phase ``j + 2`` starts.
        Order is lexicographic, the same as ``iter_assignments``.
        """
        p = self.n_phases
        for bars in combinations_chunks(self._slack + p - 1, p - 1, chunk_size):
            yield self._bars_to_changepoints(bars)

    def draw_changepoints(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` change-point vectors drawn uniformly, shape ``(size, n_phases - 1)``.

        The same random numbers :meth:`draw` uses for ``size`` assignments, so a Monte
        Carlo test can work with change points instead of whole assignment rows.
        """
        p = self.n_phases
        return self._bars_to_changepoints(random_combinations(rng, self._slack + p - 1,
                                                              p - 1, size))

    def changepoints(self, assignment: np.ndarray) -> np.ndarray:
        """Start occasions (0-based) of phases 2..P of an assignment."""
        a = np.asarray(assignment)
        return np.flatnonzero(np.diff(a) != 0) + 1

    def assignments_from_changepoints(self, cps: np.ndarray) -> np.ndarray:
        """Expand change-point rows to 0/1 assignment rows."""
        cps = np.atleast_2d(cps)
        t = np.arange(self.n_occasions)
        phase_index = (t[None, :, None] >= cps[:, None, :]).sum(axis=2)
        return self.phase_conditions[phase_index]

    # -- Design interface ------------------------------------------------
    def _draw(self, rng: np.random.Generator) -> np.ndarray:
        p = self.n_phases
        bars = np.sort(rng.choice(self._slack + p - 1, size=p - 1, replace=False))
        return self.assignments_from_changepoints(self._bars_to_changepoints(bars))[0]

    def _draw_many(self, rng: np.random.Generator, size: int) -> np.ndarray:
        cps = self.draw_changepoints(rng, size)
        # phase index of each occasion: number of change points at or before it
        marks = np.zeros((size, self.n_occasions + 1), dtype=np.int8)
        np.put_along_axis(marks, cps, 1, axis=1)
        phase_index = np.cumsum(marks[:, :-1], axis=1)
        return self.phase_conditions[phase_index]

    def _iter(self, chunk_size: int) -> Iterator[np.ndarray]:
        for cps in self.iter_changepoints(chunk_size):
            yield self.assignments_from_changepoints(cps)

    def _is_admissible(self, assignment: np.ndarray) -> bool:
        cps = self.changepoints(assignment)
        if cps.size != self.n_phases - 1 or assignment[0] != self.phase_conditions[0]:
            return False
        lengths = np.diff(np.concatenate([[0], cps, [self.n_occasions]]))
        return bool(np.all(lengths >= self.min_phase))

    def unit_periods(self, assignment: np.ndarray) -> np.ndarray:
        a = np.asarray(assignment)
        return np.concatenate([[1], 1 + np.cumsum(np.diff(a) != 0)])

    def unit_pairs(self, assignment: np.ndarray) -> np.ndarray:
        return (self.unit_periods(assignment) + 1) // 2

    def phase_labels(self, assignment: np.ndarray) -> np.ndarray:
        """SCRT-style labels per occasion: 'A1', 'B1', 'A2', 'B2', ..."""
        a = np.asarray(assignment)
        periods = self.unit_periods(a)
        letters = np.array(["A", "B"])[a]
        return np.array([f"{c}{(p + 1) // 2}" for c, p in zip(letters, periods, strict=False)])
