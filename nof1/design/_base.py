"""The Design abstraction: a randomization scheme over a sequence of units.

An *assignment* is an ``int8`` array with one entry per unit (a period for the
paired and alternating designs, a measurement occasion for phase designs):
``0`` means condition A (the first treatment) and ``1`` condition B (the
second). ``np.array(["A", "B"])[assignment]`` gives the labels.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from .._validation import as_rng, check_alternative, check_int

LABELS = np.array(["A", "B"])

#: default number of assignments per chunk when enumerating
DEFAULT_CHUNK = 1 << 16


@dataclasses.dataclass(frozen=True)
class DesignOption:
    """One command-line option of a design: ``--flag VALUE`` sets ``parameter``.

    The command line builds its options from these (:meth:`Design.from_options`),
    so a design brings its own.

    Attributes
    ----------
    flag : str
        The option's name with ``_`` for ``-`` (``"max_run"`` is ``--max-run``).
    parameter : str
        The constructor argument it sets, or ``"unit_days"`` for the days each
        unit lasts on the calendar.
    default : object
        Value used when the option is not given.
    help : str
        Help text, without the design's name.
    text : bool
        A text value (else a positive integer).
    """

    flag: str
    parameter: str
    default: Any
    help: str
    text: bool = False


class Design(abc.ABC):
    """A randomization scheme: draw, count and enumerate admissible assignments.

    Everything that depends on the kind of design lives on the design: the
    calendar length of a unit, the wash-out rule, whether roles need a coin, the
    primary statistic and how it is described, the command-line options. Code
    outside :mod:`nof1.design` asks the design and never branches on its kind.
    """

    #: short machine name: "paired", "phase" or "alternating"
    kind: str = ""

    #: days one unit lasts on the calendar unless the schedule says otherwise
    default_unit_days: ClassVar[int] = 14
    #: whether a unit is a whole period, scored by its period mean (else a unit is one
    #: occasion of a period that spans several units, as in phase designs)
    units_are_periods: ClassVar[bool] = True
    #: whether units ``2p`` and ``2p + 1`` form a randomization block holding one period
    #: of each condition, so that pair differences are defined by design
    pairs_are_blocks: ClassVar[bool] = False
    #: oriented statistics (SCRT names) the design's randomization test can compute
    statistic_bases: ClassVar[tuple[str, ...]] = ("A-B",)
    #: statistic of the primary randomization test (pre-registered in the protocol)
    primary_statistic: ClassVar[str] = "A-B"
    #: the primary procedure in words, as the analysis reports it
    primary_procedure: ClassVar[str] = (
        "randomization test over the design's admissible assignments: difference of "
        "period means; CI by inverting the test")
    #: the protocol's words for the primary estimate and for the test statistic
    plan_estimate: ClassVar[str] = (
        "difference of the condition means of period means (treatment − control) with a "
        "95% confidence interval from inverting the randomization test")
    plan_statistic: ClassVar[str] = "difference of condition means (A−B)"
    #: command-line options (``nof1 design --design KIND ...``), see :meth:`from_options`
    options: ClassVar[tuple[DesignOption, ...]] = ()

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

    # -- what the rest of the package asks the design ---------------------------------
    @property
    def min_period_units(self) -> int:
        """Fewest units any period of this design has (1 when a unit is a period)."""
        return 1

    def shortest_period_days(self, unit_days: int = 1) -> int:
        """Days in the shortest period any assignment can have, at ``unit_days`` per unit."""
        return self.min_period_units * check_int(unit_days, "unit_days", minimum=1)

    def check_washout(self, washout_days: Any, unit_days: int = 1, *,
                      name: str = "washout_days") -> int:
        """The wash-out rule: every period of every admissible assignment keeps analysed days.

        The first ``washout_days`` days of each period are not analysed, so the
        wash-out must be shorter than the shortest period the design *allows*
        (not the shortest one drawn): a rule that depended on the draw would accept
        a trial for some seeds and refuse its analysis, which re-applies the
        wash-out to every admissible assignment. Schedules, trial folders, power
        simulations and the randomization test all use this one rule.

        Parameters
        ----------
        washout_days : int
            Days (or, with ``unit_days=1``, units) left out at the start of each period.
        unit_days : int
            Days per unit on the calendar.
        name : str
            The argument's name in error messages.

        Returns
        -------
        int
            ``washout_days``, checked.

        Raises
        ------
        ValueError
            If the wash-out leaves a period of the design without an analysed day.

        Examples
        --------
        >>> from nof1 import PhaseDesign
        >>> PhaseDesign("ABAB", n_occasions=40, min_phase=5).check_washout(4)
        4
        >>> PhaseDesign("ABAB", n_occasions=40, min_phase=5).check_washout(6)
        Traceback (most recent call last):
        ...
        ValueError: `washout_days`=6 must be shorter than the shortest period ... (5 days), ...
        """
        washout_days = check_int(washout_days, name, minimum=0)
        shortest = self.shortest_period_days(unit_days)
        if washout_days >= shortest:
            hint = ""
            if self.units_are_periods and unit_days == 1:
                hint = ("; a unit of this design is a whole period, scored by its mean, so "
                        "leave wash-out days out before taking the period means (a wash-out "
                        "of units applies to designs whose periods span several units, such "
                        "as phase designs)")
            raise ValueError(
                f"`{name}`={washout_days} must be shorter than the shortest period the "
                f"design allows ({shortest} day{'s' if shortest != 1 else ''}), so that "
                f"every period keeps analysed days{hint}")
        return washout_days

    @property
    def needs_role_coin(self) -> bool:
        """Whether a blinded trial must draw which treatment plays condition A.

        A symmetric design (paired, alternating) admits every assignment and its
        mirror, so its own draw already decides which treatment comes when. A design
        whose order is fixed (phase ``"ABAB"``) does not: there a coin, drawn from the
        trial's secret seed, decides which treatment is A.
        """
        return not self.symmetric

    def admissible_rows(self, assignments: np.ndarray) -> np.ndarray:
        """Whether each row of a 2-D 0/1 array is an admissible assignment (bool array)."""
        rows = np.asarray(assignments)
        uniq, inverse = np.unique(rows, axis=0, return_inverse=True)
        ok = np.array([bool(self._is_admissible(u)) for u in uniq], dtype=bool)
        return ok[inverse.ravel()]

    def describe(self, unit_days: int) -> str:
        """The design in one line, for the trial summary (``nof1 design``)."""
        return f"{self!r}, {self.n_units} units of {unit_days} day(s)"

    def plain_words(self, unit_days: int) -> str:
        """The design in plain words, for the participant's report."""
        return f"{self!r}, {self.n_units} units of {unit_days} day(s) in random order"

    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> tuple[Design, int]:
        """The design and its days per unit from command-line values (None: not given).

        Parameters
        ----------
        values : mapping
            Option flag (see :attr:`options`) to value; a missing or ``None`` value
            takes the option's default.

        Returns
        -------
        (Design, int)
            The design and the days each unit lasts.

        Examples
        --------
        >>> from nof1 import PhaseDesign
        >>> PhaseDesign.from_options({"phases": "AB", "days": 30})
        (PhaseDesign(phases='AB', n_occasions=30, min_phase=14), 1)
        """
        params: dict[str, Any] = {}
        unit_days = cls.default_unit_days
        for option in cls.options:
            value = values.get(option.flag)
            value = option.default if value is None else value
            if option.parameter == "unit_days":
                unit_days = value
            else:
                params[option.parameter] = value
        return cls(**params), unit_days

    @staticmethod
    def registered() -> dict[str, type[Design]]:
        """Every concrete design class by its ``kind``, in the order they were defined."""
        return dict(Design._by_kind)

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


def parse_labels(labels: Any, name: str = "labels") -> np.ndarray:
    """Condition labels of any shape as ``int8`` (0 = condition A, 1 = condition B).

    The one rule for labels everywhere in nof1 (assignments, randomization tests,
    day-level tests): text is stripped and upper-cased, and a trailing phase number is
    dropped (SCRT writes the phases of an ABAB design as 'A1', 'B1', 'A2', 'B2'), so
    ``' a '``, ``'A'`` and ``'A2'`` are all condition A; numbers must be 0 or 1
    (booleans, integers or floats such as 1.0).

    Parameters
    ----------
    labels : array_like
        Strings, 0/1 numbers or booleans.
    name : str
        How errors name the argument.

    Returns
    -------
    numpy.ndarray
        ``int8`` array of the same shape.

    Raises
    ------
    ValueError
        A label that is neither A nor B, or a number other than 0 and 1.
    TypeError
        Neither text nor numbers.

    Examples
    --------
    >>> from nof1.design import parse_labels
    >>> parse_labels([" a", "B", "A2", "b1"]).tolist(), parse_labels([0, 1.0, True]).tolist()
    ([0, 1, 0, 1], [0, 1, 1])
    """
    arr = np.asarray(labels)
    if arr.dtype.kind in "USO":
        is_b = arr == "B"
        if np.all(is_b | (arr == "A")):  # plain labels: no text clean-up needed
            return is_b.astype(np.int8)
        text = np.char.upper(np.char.strip(arr.astype(str)))
        text = np.char.strip(np.char.rstrip(text, "0123456789"))
        bad = ~np.isin(text, LABELS)
        if bad.any():
            first = arr[bad].ravel()[0]
            first = first.item() if isinstance(first, np.generic) else first
            raise ValueError(f"`{name}` must be 'A'/'B' (or SCRT's 'A1', 'B1', ...), "
                             f"got {first!r}")
        return (text == "B").astype(np.int8)
    if arr.dtype.kind in "biuf":
        if arr.size and not np.isin(arr, (0, 1)).all():
            bad = arr[~np.isin(arr, (0, 1))].ravel()[0].item()
            raise ValueError(f"numeric `{name}` must be 0 (condition A) or 1 (condition B), "
                             f"got {bad!r}")
        return arr.astype(np.int8)
    raise TypeError(f"`{name}` must be 'A'/'B' strings, 0/1 numbers or booleans, "
                    f"got {arr.dtype}")


def as_assignment(assignment: Any, n_units: int | None = None) -> np.ndarray:
    """Normalize 0/1, booleans or 'A'/'B' labels (:func:`parse_labels`) to an int8 array."""
    arr = np.asarray(assignment)
    if arr.ndim != 1:
        raise ValueError("an assignment must be one-dimensional (one entry per unit)")
    out = parse_labels(arr, "assignment")
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
