"""Result classes of the randomization test and of its confidence interval."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._results import BatchResultMixin, ResultMixin
from ..design import design_from_dict
from ._rand_ci import invert

__all__ = ["RandomizationTestResult", "RandomizationCIResult", "ConfidenceInterval",
           "describe_statistic"]


class ConfidenceInterval(NamedTuple):
    """Bounds of a confidence interval, as ``scipy.stats`` results return them."""

    low: float
    high: float

_QUANTITY = {
    "A-B": "mean(A) - mean(B)",
    "B-A": "mean(B) - mean(A)",
    "|A-B|": "|mean(A) - mean(B)|",
    "PA-PB": "mean of A-phase means - mean of B-phase means",
    "PB-PA": "mean of B-phase means - mean of A-phase means",
    "|PA-PB|": "|mean of A-phase means - mean of B-phase means|",
}

_H0 = ("H0: the condition has no effect; every score would have been the same under any "
       "admissible assignment of the design (sharp null).")


def describe_statistic(name: str) -> str:
    """Words for a statistic name, e.g. ``'A-B'`` -> ``'mean(A) - mean(B)'``."""
    return _QUANTITY[name]


def _design_text(design: dict[str, Any]) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in design.items() if k != "kind")
    return f"{design_from_dict(design).kind} design ({params})"


@dataclasses.dataclass(frozen=True, eq=False)
class RandomizationTestResult(BatchResultMixin):
    """Result of :func:`~nof1.analysis.randomization_test`.

    For a batch of data sets (2-D ``scores``), ``statistic`` and ``pvalue`` are
    arrays with one entry per data set, ``null_distribution`` has one row per
    data set, and ``to_frame`` gives one row per data set.

    Attributes
    ----------
    statistic : float or ndarray
        Observed value of the named statistic (``statistic_name``).
    pvalue : float or ndarray
        Randomization p-value (exact: a multiple of ``1 / n_assignments``; Monte
        Carlo: ``(b + 1) / (n_resamples + 1)``). NaN for a batch row whose
        observed statistic cannot be computed.
    null_distribution : ndarray or None
        The named statistic under every admissible assignment, in the design's
        enumeration order (exact), or under each Monte Carlo draw (the observed
        assignment not included); ``None`` when it has more than 2**20 values,
        was counted without being listed (paired designs beyond 12 pairs unless
        ``keep_null=True``: dynamic programme or meet-in-the-middle), or
        ``keep_null=False``.
    n_assignments : int
        Size of the design's admissible set.
    n_resamples : int or None
        Monte Carlo draws, or ``None`` for an exact test.
    exact : bool
        Whether the p-value is over the whole admissible set.
    alternative : str
        ``'two-sided'``, ``'greater'`` or ``'less'`` (for the named statistic).
    statistic_name : str
        The statistic as SCRT names it (``'A-B'``, ``'|A-B|'``, ``'PA-PB'``, ...).
    design : dict
        The design's parameters (``Design.to_dict()``).
    method : str
        ``'exact enumeration'`` (every assignment listed), ``'exact dynamic
        programme'`` (paired designs, scores on a grid: counted exactly in
        integer arithmetic), ``'exact meet-in-the-middle'`` (paired designs off
        a grid), both joined by ``' + '`` for a batch that used both, or
        ``'Monte Carlo'``.
    washout : int
        Occasions left out at the start of every phase (phase designs).
    note : str
        Empty, or why the p-value is Monte Carlo although no ``n_resamples`` was
        asked for (exact counting impossible).
    """

    statistic: Any
    pvalue: Any
    null_distribution: np.ndarray | None
    n_assignments: int
    n_resamples: int | None
    exact: bool
    alternative: str
    statistic_name: str
    design: dict[str, Any]
    method: str
    washout: int = 0
    note: str = ""
    _inputs: dict[str, Any] | None = dataclasses.field(default=None, repr=False)

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "statistic", "pvalue", "n_assignments", "n_resamples", "exact", "alternative",
        "statistic_name", "method", "washout",
    )

    def confidence_interval(self, confidence_level: float = 0.95) -> ConfidenceInterval:
        """Interval for a constant additive effect, by inverting this test.

        Calls :func:`~nof1.analysis.randomization_ci` on the same data, design,
        wash-out and reference set (signed statistic: ``'|A-B|'`` gives the
        interval for A - B). One data set only.

        Parameters
        ----------
        confidence_level : float
            Default 0.95.

        Returns
        -------
        ConfidenceInterval
            ``(low, high)``, as ``scipy.stats`` results return intervals.

        Raises
        ------
        ValueError
            For a batch of data sets.
        """
        if self._inputs is None or self.is_batch:
            raise ValueError("confidence_interval() needs a test of one data set")
        statistic = self.statistic_name.strip("|")
        ci = invert(**self._inputs, statistic=statistic, confidence_level=confidence_level)
        return ConfidenceInterval(ci["ci_low"], ci["ci_high"])

    def summary(self) -> str:
        quantity = describe_statistic(self.statistic_name)
        if self.alternative == "two-sided":
            h1 = "A and B differ (in either direction)"
        elif self.alternative == "greater":
            h1 = f"{quantity} is larger than under H0 (one-sided)"
        else:
            h1 = f"{quantity} is smaller than under H0 (one-sided)"
        if self.exact:
            ref = f"{self.method}: all {self.n_assignments:,} admissible assignments"
        else:
            ref = (f"Monte Carlo: {self.n_resamples:,} draws from {self.n_assignments:,} "
                   f"admissible assignments, observed assignment included")
        lines = [
            f"Randomization test ({ref} of the {_design_text(self.design)})",
            f"statistic {self.statistic_name}: {quantity}"
            + (f"; first {self.washout} occasions of every phase left out" if self.washout
               else ""),
            _H0,
            f"H1: {h1}.",
        ]
        if self.is_batch:
            p = np.asarray(self.pvalue, dtype=float)
            ok = p[~np.isnan(p)]
            share = f"{np.mean(ok <= 0.05):.1%}" if ok.size else "none"
            lines.append(f"{p.size:,} data sets; p <= 0.05 in {share} of the {ok.size:,} "
                         f"with a computable statistic")
        else:
            lines.append(f"observed statistic = {self.statistic:.6g}, p-value = {self.pvalue:.6g}"
                         " (ties count as extreme)")
        if self.note:
            lines.append(f"Note: {self.note}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True, eq=False)
class RandomizationCIResult(ResultMixin):
    """Result of :func:`~nof1.analysis.randomization_ci`.

    Attributes
    ----------
    estimate : float
        The observed statistic (difference of condition means, or of mean phase
        means), in the outcome's units.
    ci_low, ci_high : float
        Bounds of the confidence interval for a constant additive effect; -inf /
        inf when the design cannot reach the needed level (see ``note``).
    confidence_level : float
    statistic_name : str
        ``'A-B'``, ``'B-A'``, ``'PA-PB'`` or ``'PB-PA'``: the effect the interval is for.
    n_assignments : int
    n_resamples : int or None
    exact : bool
    method : str
        How the bounds were found: ``'subset means'`` (paired designs on a grid:
        exact order statistics of subset means of the pair differences, counted
        by a dynamic programme), ``'crossing points'`` (solved exactly over the
        reference set) or ``'search'`` (paired designs beyond 20 pairs off a
        grid: a bracketed root search on meet-in-the-middle counts).
    min_pvalue : float
        Smallest one-sided p-value the reference set can give (as the shift goes
        to -inf); the interval is bounded only if it is at most
        ``(1 - confidence_level) / 2``.
    note : str
        Empty, or why a bound is infinite.
    design : dict
    washout : int
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    statistic_name: str
    n_assignments: int
    n_resamples: int | None
    exact: bool
    method: str
    min_pvalue: float
    note: str
    design: dict[str, Any]
    washout: int = 0

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "ci_low", "ci_high", "confidence_level", "statistic_name", "n_assignments",
        "n_resamples", "exact", "method", "min_pvalue", "note", "washout",
    )

    def confidence_interval(self) -> ConfidenceInterval:
        """``(ci_low, ci_high)`` as a named tuple, as ``scipy.stats`` results return it."""
        return ConfidenceInterval(self.ci_low, self.ci_high)

    def summary(self) -> str:
        quantity = describe_statistic(self.statistic_name)
        level = f"{self.confidence_level:.0%}" if (100 * self.confidence_level).is_integer() \
            else f"{self.confidence_level:g}"
        ref = (f"all {self.n_assignments:,} admissible assignments" if self.exact
               else f"{self.n_resamples:,} Monte Carlo draws plus the observed assignment")
        lines = [
            f"{level} randomization confidence interval for a constant additive effect "
            f"({quantity}), {_design_text(self.design)}",
            f"estimate = {self.estimate:.6g}, interval [{self.ci_low:.6g}, {self.ci_high:.6g}]",
            f"The interval holds every shift d for which H0: effect = d (d subtracted from the "
            f"A scores) is not rejected by either one-sided randomization test at level "
            f"{(1 - self.confidence_level) / 2:.4g}, over {ref}.",
        ]
        if self.note:
            lines.append(f"Note: {self.note}")
        return "\n".join(lines)
