"""Argument checking for the randomization test and its confidence interval.

Everything is validated here, at the top, and returned normalized: scores as a
2-D float array (one row per analysed data set), observed assignments as a 2-D
``int8`` array, and the statistic/alternative pair as a :class:`StatSpec`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .._validation import check_alternative, check_choice, check_int
from ..design import Design
from ..design import parse_labels as label_codes
from ._rand_engine import MAX_DOUBLING_PAIRS, evaluator_class

__all__ = ["STATISTICS", "StatSpec", "parse_statistic", "parse_scores", "parse_labels",
           "check_design", "check_washout", "check_n_resamples", "check_admissible", "prepare",
           "choose_method"]

#: designs with at most this many assignments are enumerated (exact test) by default
MAX_EXACT_ASSIGNMENTS = 10_000_000
#: paired designs off a grid are exact up to this many pairs (meet-in-the-middle)
MAX_EXACT_PAIRS = 40
#: paired designs up to this many pairs list all 2**k values by default (the null distribution)
MAX_LISTED_PAIRS = 12
#: Monte Carlo draws when the admissible set is too large and n_resamples is None
DEFAULT_RESAMPLES = 9_999
#: exact sets at least this large are counted without listing when the design allows it
#: (phase designs with 3+ phases and statistic 'PA-PB': ``_rand_phase``) and no null
#: distribution is kept
MIN_PRODUCT_ASSIGNMENTS = 100_000
#: statistics as SCRT names them
STATISTICS = ("A-B", "B-A", "|A-B|", "PA-PB", "PB-PA", "|PA-PB|")


@dataclasses.dataclass(frozen=True)
class StatSpec:
    """A statistic name and alternative, reduced to one oriented statistic and one tail.

    ``base`` is ``'A-B'`` (difference of condition means) or ``'PA-PB'`` (mean of
    phase means), always oriented A minus B; ``tail`` is the tail of ``base``
    that counts as extreme. The reported statistic is ``sign * base``, or
    ``|base|`` when ``absolute``.
    """

    name: str
    alternative: str
    base: str
    sign: int
    absolute: bool
    tail: str

    def report(self, values: Any) -> Any:
        """Map values of ``base`` to the statistic the user named."""
        values = np.asarray(values, dtype=float)
        return np.abs(values) if self.absolute else self.sign * values


def parse_statistic(statistic: Any, alternative: Any, design: Design) -> StatSpec:
    """Validate ``statistic`` and ``alternative`` together and against ``design``."""
    statistic = check_choice(statistic, "statistic", STATISTICS)
    alternative = check_alternative(alternative)
    base = "PA-PB" if "P" in statistic else "A-B"
    if base not in design.statistic_bases:
        raise ValueError(
            f"statistic={statistic!r} (mean of phase means) needs a PhaseDesign; "
            f"{type(design).__name__} has no phases. Use 'A-B', 'B-A' or '|A-B|'."
        )
    absolute = statistic.startswith("|")
    if absolute:
        if alternative == "less":
            raise ValueError(
                f"statistic={statistic!r} with alternative='less' is contradictory: "
                f"an absolute difference is tested two-sided. Use alternative='two-sided' "
                f"(or 'greater', SCRT's reading of {statistic!r})."
            )
        return StatSpec(statistic, "two-sided", base, 1, True, "two-sided")
    sign = -1 if statistic.startswith(("B-", "PB-")) else 1
    if alternative == "two-sided":
        tail = "two-sided"
    elif sign == 1:
        tail = alternative
    else:  # B minus A: its upper tail is the lower tail of A minus B
        tail = "less" if alternative == "greater" else "greater"
    return StatSpec(statistic, alternative, base, sign, False, tail)


def check_design(design: Any) -> Design:
    if not isinstance(design, Design):
        raise TypeError(
            "`design` must be a nof1 Design (PairedDesign, PhaseDesign or "
            f"AlternatingDesign), got {type(design).__name__}"
        )
    return design


def check_washout(washout: Any, design: Design) -> int:
    """Occasions left out at the start of each period: the design's one wash-out rule."""
    return design.check_washout(washout, name="washout")


def check_n_resamples(n_resamples: Any) -> int | None:
    if n_resamples is None:
        return None
    return check_int(n_resamples, "n_resamples", minimum=1)


def parse_scores(scores: Any, n_units: int) -> tuple[np.ndarray, bool]:
    """Scores as a float ``(n_batch, n_units)`` array (NaN = missing) and a batch flag."""
    try:
        x = np.array(scores, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("`scores` must be numbers (NaN for missing values)") from None
    if x.ndim not in (1, 2):
        raise ValueError(f"`scores` must be 1-D (one score per unit) or 2-D (n_batch, n_units); "
                         f"got {x.ndim} dimensions")
    batch = x.ndim == 2
    x = np.atleast_2d(x)
    if x.shape[1] != n_units:
        raise ValueError(f"`scores` has {x.shape[1]} entries per data set, but the design has "
                         f"{n_units} units")
    if x.shape[0] == 0:
        raise ValueError("`scores` has no rows")
    if np.isinf(x).any():
        raise ValueError("`scores` must be finite or NaN (missing); found an infinite value")
    if np.isnan(x).all(axis=1).any():
        raise ValueError("`scores` has a data set with no non-missing value")
    return x, batch


def parse_labels(labels: Any, n_units: int, n_batch: int) -> np.ndarray:
    """Observed assignments as ``int8`` rows (0 = A, 1 = B), broadcast to ``n_batch`` rows.

    Labels are read by :func:`nof1.design.parse_labels` (the one rule: 'A'/'B', SCRT's
    phase labels 'A1', 'B1', ..., 0/1 numbers or booleans).
    """
    arr = np.asarray(labels)
    if arr.ndim not in (1, 2):
        raise ValueError("`labels` must be 1-D (one label per unit) or 2-D (n_batch, n_units)")
    out = label_codes(arr)
    return _shape_labels(out, n_units, n_batch)


def _shape_labels(out: np.ndarray, n_units: int, n_batch: int) -> np.ndarray:
    if out.shape[-1] != n_units:
        raise ValueError(f"`labels` has {out.shape[-1]} entries per data set, but the design has "
                         f"{n_units} units (and `scores` has as many)")
    if out.ndim == 2 and out.shape[0] != n_batch:
        raise ValueError(f"`labels` has {out.shape[0]} rows, `scores` has {n_batch}")
    return np.broadcast_to(out, (n_batch, n_units))


def check_admissible(design: Design, obs: np.ndarray) -> None:
    """Raise if any observed assignment is outside the design's admissible set."""
    rows = np.flatnonzero(~design.admissible_rows(obs))
    if rows.size:
        where = f" (row {rows[0]})" if obs.shape[0] > 1 else ""
        labels = "".join("AB"[v] for v in obs[rows[0]])
        raise ValueError(
            f"`labels`{where} is not an admissible assignment of {design!r}: {labels}. "
            f"The test's reference set is the design's own admissible set, so the observed "
            f"assignment must belong to it."
        )


def prepare(scores: Any, labels: Any, design: Any, statistic: Any, alternative: Any,
            washout: Any) -> tuple[Design, StatSpec, int, np.ndarray, np.ndarray, bool]:
    """Every argument checked and normalized: design, statistic, wash-out, scores (2-D),
    observed assignments (2-D) and whether the scores were a batch."""
    design = check_design(design)
    spec = parse_statistic(statistic, alternative, design)
    washout = check_washout(washout, design)
    x, batch = parse_scores(scores, design.n_units)
    obs = parse_labels(labels, design.n_units, x.shape[0])
    check_admissible(design, obs)
    return design, spec, washout, x, obs, batch


def choose_method(design: Design, n_resamples: int | None,
                  keep_null: bool | None = None) -> str:
    """'exact enumeration', 'exact paired' (counted without listing) or 'Monte Carlo'.

    ``n_resamples`` at least the number of assignments means exact, as in
    ``scipy.stats.permutation_test``.
    """
    if n_resamples is not None and n_resamples < design.n_assignments:
        return "Monte Carlo"
    if evaluator_class(design).counts_without_listing:
        if keep_null and design.n_pairs > MAX_DOUBLING_PAIRS:
            raise ValueError(f"keep_null=True lists all 2**{design.n_pairs} values of the "
                             f"statistic; that is possible up to {MAX_DOUBLING_PAIRS} pairs")
        listed = MAX_DOUBLING_PAIRS if keep_null else MAX_LISTED_PAIRS
        if keep_null is not False and design.n_pairs <= listed:
            return "exact enumeration"
        return "exact paired"
    if design.n_assignments <= MAX_EXACT_ASSIGNMENTS:
        return "exact enumeration"
    return "Monte Carlo"
