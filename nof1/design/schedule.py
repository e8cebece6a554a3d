"""Lay one drawn assignment on the calendar: the trial's day-by-day schedule."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import re
from typing import Any

import numpy as np
import pandas as pd

from .._validation import check_date, check_int, check_treatments
from ._base import Design, as_assignment, design_from_dict

__all__ = ["Schedule", "make_schedule", "seed_entropy", "mix_seed", "ENTROPY_BITS"]

#: bits of secret entropy mixed into the seed of a blinded trial (:func:`mix_seed`)
ENTROPY_BITS = 256
_HEX_ENTROPY = re.compile(rf"^[0-9a-f]{{{ENTROPY_BITS // 4}}}$")


@dataclasses.dataclass(frozen=True, eq=False)
class Schedule:
    """One randomized assignment laid on the calendar.

    Build it with :func:`make_schedule`. Every unit of the design (a period
    for paired and alternating designs, an occasion for phase designs) lasts
    ``period_days`` days; the trial starts with ``run_in_days`` unanalysed
    days, and the first ``washout_days`` of each period are not analysed
    (analytic wash-out).

    Attributes
    ----------
    design : Design
    assignment : numpy.ndarray
        Condition per unit: 0 = A = ``treatments[0]``, 1 = B = ``treatments[1]``.
    treatments : tuple of str
    start : datetime.date
        First day of the trial (first run-in day, or first period day).
    period_days, run_in_days, washout_days : int
    seed : int
        Seed entropy the assignment was drawn with:
        ``make_schedule(design, ..., rng=seed)`` reproduces it. In a blinded
        trial this is the *mixed* seed (:func:`mix_seed`), which only the
        helper's key can rebuild; the user's ``--seed`` alone does not.
    roles_swapped : bool
        True when ``randomize_roles`` made the control play condition A (then
        ``treatments`` is ``(control, treatment)``; :attr:`active` names the treatment).
    """

    design: Design
    assignment: np.ndarray
    treatments: tuple[str, str]
    start: _dt.date
    period_days: int
    run_in_days: int
    washout_days: int
    seed: int
    roles_swapped: bool = False

    @property
    def active(self) -> str:
        """The treatment under test (the first name given to :func:`make_schedule`)."""
        return self.treatments[1] if self.roles_swapped else self.treatments[0]

    @property
    def control(self) -> str:
        """The comparator (placebo, or nothing in an open-label trial)."""
        return self.treatments[0] if self.roles_swapped else self.treatments[1]

    # -- derived tables ---------------------------------------------------
    @property
    def n_days(self) -> int:
        """Total number of days, run-in included."""
        return self.run_in_days + self.design.n_units * self.period_days

    @property
    def end(self) -> _dt.date:
        """Last day of the trial."""
        return self.start + _dt.timedelta(days=self.n_days - 1)

    @property
    def unit_periods(self) -> np.ndarray:
        """Period number (1-based) of each design unit."""
        return self.design.unit_periods(self.assignment)

    @property
    def n_periods(self) -> int:
        return int(self.unit_periods.max())

    @property
    def period_conditions(self) -> np.ndarray:
        """Condition (0 = A, 1 = B) of each period, in order."""
        periods = self.unit_periods
        first = np.concatenate([[True], periods[1:] != periods[:-1]])
        return self.assignment[first]

    @property
    def days(self) -> pd.DataFrame:
        """One row per day: date, day, pair, period, day_in_period, condition,
        treatment, analysed."""
        return _days_frame(self)

    @property
    def periods(self) -> pd.DataFrame:
        """One row per period: period, pair, condition, treatment, start, end,
        n_days, n_analysed."""
        d = self.days
        d = d[d["period"].notna()]
        g = d.groupby("period", sort=True)
        out = pd.DataFrame({
            "period": g["period"].first().astype(int).to_numpy(),
            "pair": g["pair"].first().to_numpy(),
            "condition": g["condition"].first().to_numpy(),
            "treatment": g["treatment"].first().to_numpy(),
            "start": g["date"].min().dt.date.to_numpy(),
            "end": g["date"].max().dt.date.to_numpy(),
            "n_days": g.size().to_numpy(),
            "n_analysed": g["analysed"].sum().astype(int).to_numpy(),
        })
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly parameters *including the allocation and the seed*.

        This reveals the allocation: it belongs in the helper's key, never in
        the participant's files.
        """
        return {
            "design": self.design.to_dict(),
            "assignment": [int(x) for x in self.assignment],
            "treatments": list(self.treatments),
            "start": self.start.isoformat(),
            "period_days": self.period_days,
            "run_in_days": self.run_in_days,
            "washout_days": self.washout_days,
            "seed": int(self.seed),
            "roles_swapped": bool(self.roles_swapped),
        }

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> Schedule:
        """Rebuild a schedule written by :meth:`to_dict` (checks admissibility)."""
        design = design_from_dict(spec["design"])
        assignment = as_assignment(spec["assignment"], design.n_units)
        if not design.is_admissible(assignment):
            raise ValueError("the recorded assignment is not admissible under its design")
        return cls(design=design, assignment=assignment,
                   treatments=check_treatments(spec["treatments"]),
                   start=check_date(spec["start"], "start"),
                   period_days=check_int(spec["period_days"], "period_days", minimum=1),
                   run_in_days=check_int(spec["run_in_days"], "run_in_days", minimum=0),
                   washout_days=check_int(spec["washout_days"], "washout_days", minimum=0),
                   seed=check_int(spec["seed"], "seed", minimum=0),
                   roles_swapped=bool(spec.get("roles_swapped", False)))

    def __repr__(self) -> str:
        return (f"Schedule({self.design!r}, start={self.start.isoformat()}, "
                f"end={self.end.isoformat()}, n_days={self.n_days}, "
                f"period_days={self.period_days}, run_in_days={self.run_in_days}, "
                f"washout_days={self.washout_days})")


def _days_frame(s: Schedule) -> pd.DataFrame:
    n_run = s.run_in_days
    unit = np.repeat(np.arange(s.design.n_units), s.period_days)
    cond = s.assignment[unit]
    period = s.unit_periods[unit]
    pair = s.design.unit_pairs(s.assignment)[unit]
    # day index within its period (0-based), for the analytic wash-out
    starts = np.concatenate([[True], period[1:] != period[:-1]])
    idx = np.arange(period.size)
    day_in_period = idx - np.maximum.accumulate(np.where(starts, idx, 0))
    dates = pd.date_range(pd.Timestamp(s.start), periods=s.n_days, freq="D")
    letters = np.array(["A", "B"], dtype=object)
    names = np.array(s.treatments, dtype=object)
    none = np.full(n_run, None, dtype=object)
    run_in = np.ones(n_run, dtype=bool)

    def nullable(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
        # Int64 with <NA> on run-in days (and, for pairs, designs without pairs)
        return pd.arrays.IntegerArray(np.concatenate([np.zeros(n_run, np.int64),
                                                      values.astype(np.int64)]),
                                      np.concatenate([run_in, missing]))

    no_day = np.zeros(period.size, dtype=bool)
    frame = pd.DataFrame({
        "date": dates,
        "day": np.arange(1, s.n_days + 1),
        "pair": nullable(pair, pair == 0),  # pair 0: a design without pairs
        "period": nullable(period, no_day),
        "day_in_period": nullable(day_in_period + 1, no_day),
        "condition": np.concatenate([none, letters[cond]]),
        "treatment": np.concatenate([none, names[cond]]),
        "analysed": np.concatenate([np.zeros(n_run, bool), day_in_period >= s.washout_days]),
    })
    return frame


def seed_entropy(rng: Any) -> int:
    """Seed entropy to record: the int itself, fresh OS entropy for None, or a
    value drawn from a Generator (so the draw can be reproduced from the int).

    Parameters
    ----------
    rng : None, int or numpy.random.Generator
        The ``rng`` a user passed: None for fresh entropy from the operating
        system, a non-negative integer seed, or a Generator (one integer is drawn
        from it, which advances it).

    Returns
    -------
    int
        A non-negative integer; ``numpy.random.default_rng(seed)`` is the
        generator :func:`make_schedule` draws from.

    Raises
    ------
    TypeError
        If ``rng`` is of another type (booleans included).
    ValueError
        If ``rng`` is a negative integer.

    Examples
    --------
    >>> import numpy as np
    >>> seed_entropy(12345)
    12345
    >>> seed_entropy(np.random.default_rng(12345))
    2096804712593481934
    >>> seed_entropy(None) >= 0      # fresh entropy, different every time
    True
    """
    if rng is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63))
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return check_int(rng, "rng", minimum=0)
    raise TypeError("`rng` must be None, a non-negative integer seed or a numpy.random.Generator")


def mix_seed(seed: int | None, entropy: str) -> int:
    """The allocation seed of a blinded trial: the user's seed mixed with secret entropy.

    ``int(sha256(b"nof1-allocation-v2:" + entropy bytes + b":" + str(seed)))``, the
    whole 256-bit digest read as a big-endian integer (``seed`` ``None`` is written
    ``"none"``). Knowing ``seed`` without ``entropy`` says nothing about the result:
    the entropy's 256 bits come from :mod:`secrets` and are written only to the
    helper's key, which then reproduces (and audits) the allocation exactly.

    Parameters
    ----------
    seed : int or None
        The user's seed (``nof1 design --seed``), or None.
    entropy : str
        Secret entropy, :data:`ENTROPY_BITS` bits as lower-case hex
        (``secrets.token_hex(32)``).

    Returns
    -------
    int
        A non-negative integer below ``2**256``, used as ``make_schedule(rng=...)``.

    Raises
    ------
    ValueError, TypeError
        If ``entropy`` is not 64 lower-case hex digits or ``seed`` not a
        non-negative integer.

    Examples
    --------
    >>> mix_seed(2026, "00" * 32) == mix_seed(2026, "00" * 31 + "01")
    False
    >>> mix_seed(2026, "ab" * 32) == mix_seed(2026, "ab" * 32)    # reproducible from the key
    True
    """
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    if not isinstance(entropy, str) or not _HEX_ENTROPY.match(entropy):
        raise ValueError(f"`entropy` must be {ENTROPY_BITS // 4} lower-case hex digits")
    text = "none" if seed is None else str(seed)
    digest = hashlib.sha256(b"nof1-allocation-v2:" + bytes.fromhex(entropy) + b":"
                            + text.encode("ascii")).digest()
    return int.from_bytes(digest, "big")


def make_schedule(design: Design, *, start: Any, period_days: int | None = None,
                  run_in_days: int = 0, washout_days: int = 0,
                  treatments: tuple[str, str] = ("magnesium", "placebo"),
                  randomize_roles: bool = False, rng: Any = None) -> Schedule:
    """Draw an assignment from ``design`` and lay it on the calendar.

    Parameters
    ----------
    design : Design
        The randomization scheme (paired, phase or alternating).
    start : datetime.date or str
        First day of the trial (ISO ``YYYY-MM-DD`` accepted).
    period_days : int, optional
        Days per design unit (default ``design.default_unit_days``: 14 per period
        for paired and alternating designs, 1 per occasion for phase designs).
    run_in_days : int
        Unanalysed days before the first period (default 0).
    washout_days : int
        Analytic wash-out: the first ``washout_days`` of every period are not
        analysed. Must be shorter than the shortest period the design allows
        (:meth:`Design.check_washout`), whatever the draw.
    treatments : pair of str
        Names of condition A (the treatment) and condition B (the control).
    randomize_roles : bool
        If True, a fair coin (from the same generator, drawn after the
        assignment) decides which treatment plays condition A; the outcome is
        recorded in ``Schedule.treatments``. A design with a fixed order
        (phase designs; ``design.needs_role_coin``) needs this when blinded; for
        a symmetric design it is equivalent to the design's own mirror
        symmetry. The coin is only as secret as ``rng``: a blinded trial
        (:func:`nof1.create_trial`) draws it from a seed mixed with secret
        entropy (:func:`mix_seed`), never from the user's seed alone.
    rng : None, int or numpy.random.Generator
        Randomness. The seed entropy actually used is stored in ``seed``;
        passing it back as ``rng`` reproduces the schedule on any machine.
        This is for simulation and open-label trials: a seed that can be
        guessed gives the allocation away, so :func:`nof1.create_trial` mixes
        the seed of a blinded trial with secret entropy first.

    Returns
    -------
    Schedule

    Raises
    ------
    TypeError
        If ``design`` is not a nof1 Design, ``randomize_roles`` not a bool, or an
        argument has the wrong type.
    ValueError
        If an argument is out of range, or ``washout_days`` leaves no analysed day
        in the shortest period the design allows.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> s = make_schedule(PairedDesign(n_pairs=2), start="2026-01-05", period_days=14,
    ...                   run_in_days=7, washout_days=7, rng=12345)
    >>> s.periods[["period", "pair", "treatment", "start", "end", "n_analysed"]]
       period  pair  treatment       start         end  n_analysed
    0       1     1    placebo  2026-01-12  2026-01-25           7
    1       2     1  magnesium  2026-01-26  2026-02-08           7
    2       3     2  magnesium  2026-02-09  2026-02-22           7
    3       4     2    placebo  2026-02-23  2026-03-08           7
    >>> s.end, s.n_days
    (datetime.date(2026, 3, 8), 63)
    """
    if not isinstance(design, Design):
        raise TypeError(f"`design` must be a nof1 Design, got {type(design).__name__}")
    start = check_date(start, "start")
    if period_days is None:
        period_days = design.default_unit_days
    period_days = check_int(period_days, "period_days", minimum=1, maximum=366)
    run_in_days = check_int(run_in_days, "run_in_days", minimum=0, maximum=366)
    washout_days = design.check_washout(washout_days, period_days)
    treatments = check_treatments(treatments)
    if not isinstance(randomize_roles, bool):
        raise TypeError("`randomize_roles` must be True or False")
    seed = seed_entropy(rng)
    gen = np.random.default_rng(seed)
    assignment = design.draw(gen)
    swapped = bool(randomize_roles and gen.integers(0, 2) == 1)
    if swapped:
        treatments = (treatments[1], treatments[0])
    schedule = Schedule(design=design, assignment=assignment, treatments=treatments,
                        start=start, period_days=period_days, run_in_days=run_in_days,
                        washout_days=washout_days, seed=seed, roles_swapped=swapped)
    return schedule
