"""Paired (block) design: in each pair of periods the order is AB or BA at random."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validation import check_int
from ._base import Design, DesignOption

__all__ = ["PairedDesign"]


class PairedDesign(Design):
    """k pairs of periods; each pair is AB or BA with probability 1/2, independently.

    The reference set of the randomization test is the ``2**n_pairs`` orders.
    SCRT calls this a randomized block design (``"RBD"``) with one score per period.

    Parameters
    ----------
    n_pairs : int
        Number of pairs (blocks), at least 1.

    Examples
    --------
    >>> from nof1 import PairedDesign
    >>> design = PairedDesign(n_pairs=3)
    >>> design.n_assignments
    8
    >>> design.draw(rng=12345)
    array([1, 0, 0, 1, 1, 0], dtype=int8)
    >>> design.min_pvalue("two-sided")
    0.25
    >>> design.draw(rng=12345, size=2)
    array([[1, 0, 0, 1, 1, 0],
           [0, 1, 0, 1, 1, 0]], dtype=int8)
    """

    kind = "paired"
    pairs_are_blocks = True
    primary_procedure = (
        "randomization test over the design's 2^k orders: difference between the mean "
        "of the treatment periods and the mean of the control periods (the mean pair "
        "difference when every period is scored); CI by inverting the test")
    plan_estimate = ("mean pair difference of period means (treatment − control) with a 95% "
                     "confidence interval from inverting the randomization test")
    plan_statistic = "mean pair difference"
    options = (
        DesignOption("pairs", "n_pairs", 6, "number of pairs (default 6, the fewest whose "
                     "smallest two-sided p-value, 2/64, is below 0.05)"),
        DesignOption("period_days", "unit_days", 14, "days per period (default 14)"),
    )

    def __init__(self, n_pairs: int = 6):
        self.n_pairs = check_int(n_pairs, "n_pairs", minimum=1, maximum=62)

    @property
    def n_units(self) -> int:
        return 2 * self.n_pairs

    @property
    def n_assignments(self) -> int:
        return 2 ** self.n_pairs

    @property
    def scrt_design(self) -> str:
        return "RBD"

    @property
    def symmetric(self) -> bool:
        return True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "n_pairs": self.n_pairs}

    @staticmethod
    def _expand(first: np.ndarray) -> np.ndarray:
        """From the condition of each pair's first period to all periods."""
        first = np.asarray(first, dtype=np.int8)
        out = np.empty(first.shape[:-1] + (2 * first.shape[-1],), dtype=np.int8)
        out[..., 0::2] = first
        out[..., 1::2] = 1 - first
        return out

    def _draw(self, rng: np.random.Generator) -> np.ndarray:
        return self._expand(rng.integers(0, 2, size=self.n_pairs))

    def _draw_many(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self._expand(rng.integers(0, 2, size=(size, self.n_pairs)))

    def _iter(self, chunk_size: int) -> Iterator[np.ndarray]:
        k = self.n_pairs
        total = self.n_assignments
        shifts = np.arange(k - 1, -1, -1, dtype=np.int64)
        for start in range(0, total, chunk_size):
            codes = np.arange(start, min(start + chunk_size, total), dtype=np.int64)
            first = ((codes[:, None] >> shifts) & 1).astype(np.int8)
            yield self._expand(first)

    def _is_admissible(self, assignment: np.ndarray) -> bool:
        return bool(np.all(assignment[0::2] + assignment[1::2] == 1))

    def admissible_rows(self, assignments: np.ndarray) -> np.ndarray:
        rows = np.asarray(assignments)
        return np.all(rows[:, 0::2] + rows[:, 1::2] == 1, axis=1)

    def unit_pairs(self, assignment: np.ndarray) -> np.ndarray:
        return np.repeat(np.arange(1, self.n_pairs + 1), 2)

    def describe(self, unit_days: int) -> str:
        return (f"paired, {self.n_pairs} pairs = {self.n_units} periods of "
                f"{unit_days} days")

    def plain_words(self, unit_days: int) -> str:
        return (f"{self.n_units} periods of {unit_days} days in {self.n_pairs} pairs, "
                f"order randomized within each pair")
