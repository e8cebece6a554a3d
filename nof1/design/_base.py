"""The Design abstraction: a randomization scheme over a sequence of units.

An *assignment* is an ``int8`` array with one entry per unit (a period for the
paired and alternating designs, a measurement occasion for phase designs):
``0`` means condition A (the first treatment) and ``1`` condition B (the
second). ``np.array(["A", "B"])[assignment]`` gives the labels.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from .._validation import as_rng, check_alternative, check_int

LABELS = np.array(["A", "B"])

#: default number of assignments per chunk when enumerating
DEFAULT_CHUNK = 1 << 16


class Design(abc.ABC):
    """A randomization scheme: draw, count and enumerate admissible assignments."""

    #: short machine name: "paired", "phase" or "alternating"
    kind: str = ""

    #: every concrete design class by its ``kind``; a subclass registers itself
    #: when it is defined, so serialisation needs no list of the subclasses
    _by_kind: ClassVar[dict[str, type[Design]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            Design._by_kind[cls.kind] = cls

    @property
    @abc.abstractmethod
    def n_units(self) -> int:
        """Number of units (periods or occasions) one assignment covers."""

    @property
    @abc.abstractmethod
    def n_assignments(self) -> int:
        """Number of admissible assignments (the size of the reference set)."""

    @property
    @abc.abstractmethod
    def scrt_design(self) -> str:
        """The equivalent design name in the R package SCRT (``quantity(design=...)``)."""

    @property
    def symmetric(self) -> bool:
        """Whether swapping A and B in an admissible assignment gives another one."""
        return False

    @abc.abstractmethod
    def _draw(self, rng: np.random.Generator) -> np.ndarray:
        """Draw one assignment uniformly from the admissible set."""

    @abc.abstractmethod
    def _iter(self, chunk_size: int) -> Iterator[np.ndarray]:
        """Yield all admissible assignments, in a fixed order, in chunks."""

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Parameters as a JSON-friendly dict (``{"kind": ..., ...}``)."""

    def draw(self, rng: Any = None, size: int | None = None) -> np.ndarray:
        """Draw assignments uniformly at random from the admissible set.

        Parameters
        ----------
        rng : None, int or numpy.random.Generator
            Source of randomness (``np.random.default_rng(rng)``).
        size : int or None
            ``None`` (default) draws one assignment. An integer draws that many
            independent assignments at once (vectorized; used by Monte Carlo
            randomization tests and power simulations).

        Returns
        -------
        numpy.ndarray
            ``int8`` array of length ``n_units`` (0 for condition A, 1 for B), or
            of shape ``(size, n_units)`` when ``size`` is given.
        """
        rng = as_rng(rng)
        if size is None:
            return np.asarray(self._draw(rng), dtype=np.int8)
        size = check_int(size, "size", minimum=0)
        out = np.asarray(self._draw_many(rng, size), dtype=np.int8)
        return out.reshape(size, self.n_units)

    def _draw_many(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` assignments; subclasses replace this loop by a vectorized draw."""
        out = np.empty((size, self.n_units), dtype=np.int8)
        for i in range(size):
            out[i] = self._draw(rng)
        return out

    def iter_assignments(self, chunk_size: int = DEFAULT_CHUNK) -> Iterator[np.ndarray]:
        """Yield every admissible assignment, in chunks of at most ``chunk_size`` rows.

        Memory use is bounded by the chunk size, so a design with 2**20 or more
        assignments can be enumerated without holding them all.
        """
        chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
        for chunk in self._iter(chunk_size):
            yield np.asarray(chunk, dtype=np.int8)

    def all_assignments(self, *, max_assignments: int = 5_000_000) -> np.ndarray:
        """All admissible assignments as one ``(n_assignments, n_units)`` int8 array.

        Raises
        ------
        ValueError
            If there are more than ``max_assignments`` (use ``iter_assignments``).
        """
        if self.n_assignments > max_assignments:
            raise ValueError(
                f"this design admits {self.n_assignments:,} assignments, more than "
                f"max_assignments={max_assignments:,}; use iter_assignments() instead"
            )
        return np.concatenate(list(self.iter_assignments()), axis=0)

    def is_admissible(self, assignment: Any) -> bool:
        """Whether ``assignment`` (0/1 or 'A'/'B' per unit) belongs to the admissible set."""
        a = as_assignment(assignment, self.n_units)
        return bool(self._is_admissible(a))

    @abc.abstractmethod
    def _is_admissible(self, assignment: np.ndarray) -> bool: ...

    def min_pvalue(self, alternative: str = "two-sided") -> float:
        """Smallest p-value the exact randomization test can attain.

        One-sided: ``1 / n_assignments``. Two-sided: twice that when the
        design is symmetric (an assignment and its mirror give the same
        ``|statistic|``), as for the paired and alternating designs.
        """
        alternative = check_alternative(alternative)
        n = self.n_assignments
        if alternative == "two-sided" and self.symmetric:
            return min(1.0, 2.0 / n)
        return 1.0 / n

    def unit_periods(self, assignment: np.ndarray) -> np.ndarray:
        """Period number (1-based) of each unit: one period per unit by default."""
        return np.arange(1, self.n_units + 1)

    def unit_pairs(self, assignment: np.ndarray) -> np.ndarray:
        """Pair (block) number of each unit, or 0 where the design has no pairs."""
        return np.zeros(self.n_units, dtype=int)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "kind")
        return f"{type(self).__name__}({params})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.to_dict() == other.to_dict()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.to_dict().items()))))


def as_assignment(assignment: Any, n_units: int | None = None) -> np.ndarray:
    """Normalize 0/1, booleans or 'A'/'B' labels to an int8 assignment array."""
    arr = np.asarray(assignment)
    if arr.ndim != 1:
        raise ValueError("an assignment must be one-dimensional (one entry per unit)")
    if arr.dtype.kind in "USO":
        labels = np.char.upper(np.char.strip(arr.astype(str)))
        bad = ~np.isin(labels, LABELS)
        if bad.any():
            raise ValueError(f"assignment labels must be 'A' or 'B', got {labels[bad][0]!r}")
        out = (labels == "B").astype(np.int8)
    else:
        if not np.isin(arr, (0, 1)).all():
            raise ValueError("assignment values must be 0 (A) or 1 (B)")
        out = arr.astype(np.int8)
    if n_units is not None and out.size != n_units:
        raise ValueError(f"assignment has {out.size} units, the design has {n_units}")
    return out


def design_from_dict(spec: dict[str, Any]) -> Design:
    """Rebuild a design from ``Design.to_dict()`` output."""
    kinds = Design._by_kind
    if not isinstance(spec, dict) or spec.get("kind") not in kinds:
        raise ValueError(f"design spec must have kind in {sorted(kinds)}, got {spec!r}")
    params = {k: v for k, v in spec.items() if k != "kind"}
    return kinds[spec["kind"]](**params)
