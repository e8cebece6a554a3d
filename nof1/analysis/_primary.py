"""The design-faithful primary analysis of one outcome, reused by the sensitivity analyses."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._constants import MIN_ADHERENCE
from .._results import Deferred, deferrable
from ..design.schedule import Schedule
from ..outcomes import Outcome
from . import bayes, period, randomization
from ._tables import PeriodIndex, pair_frame, pair_means


@dataclasses.dataclass(frozen=True, eq=False)
class Primary:
    """Estimate, interval and p-value of one procedure, and the tests behind them.

    ``pvalue`` is the equal-tailed two-sided p-value (twice the smaller one-sided
    p-value, at most 1) whose inversion gives ``ci_low``/``ci_high``: the interval
    excludes 0 exactly when ``pvalue <= 1 - confidence_level``.
    ``attained_level`` is the smallest coverage the interval guarantees given the
    number of assignments (>= the nominal level; 1 when the interval is unbounded).
    ``n_periods`` counts the periods with a mean; ``periods`` (the period table) and
    ``pairs`` are None for a sensitivity analysis, which reports only the primary
    procedure; both tables are built when first read. ``pair_a`` and ``pair_b`` are
    the pairs' condition means (the columns ``mean_a``/``mean_b`` of ``pairs``).
    """

    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float
    method: str
    periods: pd.DataFrame | None = deferrable()
    pairs: pd.DataFrame | None = deferrable()
    tests: dict[str, Any]
    attained_level: float = float("nan")
    n_reference: int = 0
    min_pvalue: float = float("nan")
    note: str = ""
    n_periods: int = 0
    pair_a: np.ndarray | None = None
    pair_b: np.ndarray | None = None


def attainable(n_reference: int, confidence_level: float) -> tuple[float, float]:
    """(attained coverage, smallest two-sided p) of an inverted exact randomization test.

    Each one-sided p-value is a multiple of ``1/n_reference``; the interval keeps
    the effects whose one-sided p-values both exceed alpha/2, so it excludes the
    truth with probability at most ``2 floor(n alpha/2) / n`` (less with ties).
    """
    alpha = 1.0 - confidence_level
    c = int(np.floor(alpha / 2 * n_reference * (1 + 1e-12)))
    return 1.0 - 2.0 * c / n_reference, min(1.0, 2.0 / n_reference)


def attainable_note(n_reference: int, confidence_level: float, exact: bool) -> str:
    """Explain the attainable levels of a small reference set, in words (or '')."""
    level, min_p = attainable(n_reference, confidence_level)
    what = (f"{n_reference:,} equally likely assignments" if exact else
            f"{n_reference - 1:,} random assignments plus the observed one")
    pct = f"{100 * confidence_level:g}%"
    if level >= 1.0:
        return (f"With {what}, the smallest possible two-sided p-value is {min_p:.3g}, above "
                f"{1 - confidence_level:.3g}: no {pct} interval can be bounded, and no result "
                f"can reach p <= {1 - confidence_level:.3g}.")
    if level - confidence_level > 0.001:
        return (f"With {what}, p-values move in steps of {min_p:.3g}, so the {pct} interval "
                f"is in fact a {100 * level:.1f}% interval (the nearest attainable level at "
                f"or above {pct}); the smallest possible two-sided p-value is {min_p:.3g}.")
    return ""


def _randomization(scores: np.ndarray, labels: np.ndarray, stat: str, *, confidence_level: float,
                   rng: np.random.Generator, sign: float, rkw: dict[str, Any],
                   cache: dict[Any, Any] | None = None
                   ) -> tuple[float, float, float, float, Any, Any]:
    """Estimate, CI and equal-tailed p of one randomization test, on the same reference set.

    The same seed is given to both one-sided tests and to the interval, so that a Monte
    Carlo reference set is the same draws in all three. With a ``cache`` (one per
    ``analyze`` call), an exact result is reused when a sensitivity analysis gives the
    test the same data as the primary analysis (e.g. the all-days analysis of a design
    without wash-out, or per protocol when no period is left out); the seed is drawn
    either way, so that every later analysis sees the same random numbers.
    """
    seed = int(rng.integers(2**63 - 1))
    key = None
    if cache is not None:
        key = ("randomization", np.ascontiguousarray(scores, dtype=float).tobytes(),
               np.asarray(labels).tobytes(), np.asarray(labels).dtype.str, stat,
               confidence_level, sign, rkw.get("washout"), id(rkw["design"]))
        if key in cache:
            return cache[key]
    greater, p_less, ci = randomization.tails_and_interval(
        scores, labels, statistic=stat, confidence_level=confidence_level, rng=seed, **rkw)
    p = min(1.0, 2.0 * min(float(greater.pvalue), p_less))
    estimate = sign * float(ci.estimate)
    low, high = sorted((sign * float(ci.ci_low), sign * float(ci.ci_high)))
    test = dataclasses.replace(greater, pvalue=p, alternative="two-sided")
    out = estimate, low, high, p, test, ci
    if key is not None and ci.exact and greater.exact:
        cache[key] = out  # exact: the seed plays no part
    return out


def primary_analysis(data: pd.DataFrame, schedule: Schedule, o: Outcome, *,
                     confidence_level: float, min_completeness: float, prior: Any,
                     rng: np.random.Generator, washout: int | None = None) -> Primary:
    """Period means, the design's own randomization test (the primary procedure) and,
    for paired designs, the secondary period-level procedures.

    ``data`` is oriented so that condition "A" is the active treatment; the randomization
    test is given the design's own role letters, which differ when a phase design's
    roles were randomized, and its estimate is re-signed accordingly. Estimate, interval
    and p-value all come from the randomization test (see :class:`Primary`).
    """
    idx = PeriodIndex(data)
    return primary_from_index(idx, idx.scores(data, o.name), schedule, o,
                              confidence_level=confidence_level,
                              min_completeness=min_completeness, prior=prior, rng=rng,
                              washout=washout)


def primary_from_index(idx: PeriodIndex, scores: np.ndarray, schedule: Schedule, o: Outcome, *,
                       confidence_level: float, min_completeness: float, prior: Any,
                       rng: np.random.Generator, washout: int | None = None,
                       analysed: np.ndarray | None = None,
                       summary: dict[str, np.ndarray] | None = None,
                       secondary: bool = True) -> Primary:
    """:func:`primary_analysis` of the period days' ``scores`` (``idx.scores(data, name)``).

    ``analysed`` replaces the index's analysed flags (the all-days sensitivity analysis);
    ``summary`` is ``idx.summarise(scores, analysed, min_completeness)`` when the caller
    has it already. Without ``secondary`` (the sensitivity analyses, which report only
    the primary procedure) the paired t, Wilcoxon and Bayesian tests, the pair table and
    the period frame are left out (``periods`` and ``pairs`` are None).
    """
    design = schedule.design
    washout = schedule.washout_days if washout is None else washout
    if summary is None:
        summary = idx.summarise(scores, analysed, min_completeness)
    mean = summary["mean"]
    tests: dict[str, Any] = {}
    flip = schedule.roles_swapped
    if not design.units_are_periods:
        # units are days; the wash-out is re-applied for every admissible assignment
        units = scores
        labels = idx.columns["condition"].astype(str)
        rkw: dict[str, Any] = dict(design=design, washout=washout)
    else:
        units = mean
        labels = idx.firsts("condition").astype(str)
        rkw = dict(design=design)
    if flip:
        labels = np.where(labels == "A", "B", "A")
    stat = design.primary_statistic
    sign = -1.0 if flip else 1.0
    estimate, low, high, p, rand, ci = _randomization(
        units, labels, stat, confidence_level=confidence_level, rng=rng, sign=sign, rkw=rkw,
        cache=idx.cache)
    tests["randomization"] = rand
    pairs = a = b = None
    if design.pairs_are_blocks and secondary:
        uniq, a, b = pair_means(idx.firsts("pair"), idx.firsts("condition"), mean)
        pairs = Deferred(lambda: pair_frame(uniq, a, b))
        d = a - b
        if np.isfinite(d).sum() >= 2:
            tests["paired_t"] = period.paired_period_test(a, b,
                                                          confidence_level=confidence_level)
        if np.any(np.isfinite(d) & (d != 0)):
            tests["wilcoxon"] = period.wilcoxon_period_test(a, b)
        d = d[np.isfinite(d)]
        if d.size >= 2 and np.ptp(d) > 0:
            tests["bayes"] = bayes.bayes_paired(d, mcid=o.mcid,
                                                higher_is_better=o.higher_is_better,
                                                prior=prior, credible_level=confidence_level)
    exact = bool(ci.exact)
    n_ref = int(ci.n_assignments) if exact else int(ci.n_resamples) + 1
    level, min_p = attainable(n_ref, confidence_level)
    return Primary(estimate=estimate, ci_low=low, ci_high=high, pvalue=p,
                   method=design.primary_procedure,
                   periods=Deferred(lambda: idx.table(summary)) if secondary else None,
                   pairs=pairs, tests=tests, attained_level=level, n_reference=n_ref,
                   min_pvalue=min_p, note=attainable_note(n_ref, confidence_level, exact),
                   n_periods=int(np.count_nonzero(~np.isnan(mean))), pair_a=a, pair_b=b)


def per_protocol_drop(data: pd.DataFrame, idx: PeriodIndex) -> np.ndarray | None:
    """Period days left out per protocol (low adherence in their period, or off protocol).

    None when the diary records neither adherence nor an off-protocol day (then there
    is no per-protocol analysis). Computed once per diary and kept on ``idx``.
    """
    key = "per_protocol_drop"
    if key in idx.cache:
        return idx.cache[key]
    took = data["took_pack"] if "took_pack" in data else None
    off = data["off_protocol"].astype(bool).to_numpy() if "off_protocol" in data else None
    has_took = took is not None and took.notna().any()
    drop = None
    if has_took or (off is not None and off.any()):
        drop = np.zeros(idx.inv.size, dtype=bool)
        if has_took:
            t = idx.kept(took.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
            seen = ~np.isnan(t)
            n = np.bincount(idx.inv, weights=seen, minlength=idx.m)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.bincount(idx.inv, weights=np.where(seen, t, 0.0),
                                    minlength=idx.m) / n
            drop |= (share < MIN_ADHERENCE)[idx.inv]
        if off is not None:
            drop |= idx.kept(off)
    idx.cache[key] = drop
    return drop


def sensitivity_analyses(data: pd.DataFrame, schedule: Schedule, o: Outcome, *,
                         confidence_level: float, min_completeness: float, prior: Any,
                         rng: np.random.Generator, index: PeriodIndex | None = None,
                         scores: np.ndarray | None = None) -> pd.DataFrame:
    """The pre-registered sensitivity analyses (:func:`sensitivity_rows`) as a frame."""
    return pd.DataFrame(sensitivity_rows(
        data, schedule, o, confidence_level=confidence_level,
        min_completeness=min_completeness, prior=prior, rng=rng, index=index, scores=scores))


def sensitivity_rows(data: pd.DataFrame, schedule: Schedule, o: Outcome, *,
                     confidence_level: float, min_completeness: float, prior: Any,
                     rng: np.random.Generator, index: PeriodIndex | None = None,
                     scores: np.ndarray | None = None) -> list[dict[str, Any]]:
    """The pre-registered sensitivity analyses: all period days, and per protocol.

    - ``all_days``: no analytic wash-out (every period day analysed);
    - ``per_protocol``: periods with the pack taken on fewer than 80% of the days with an
      adherence entry are left out (docs/methods.md §4.3), and so are the days on
      which the diary's pack or period contradicts the schedule (``off_protocol``: the
      participant took another pack than planned).

    ``index`` and ``scores`` are ``PeriodIndex(data)`` and the outcome's scores on its
    period days, when the caller has them already.
    """
    idx = PeriodIndex(data) if index is None else index
    scores = idx.scores(data, o.name) if scores is None else scores
    rows = []
    variants: list[tuple[str, np.ndarray, np.ndarray | None, int | None]] = [
        ("all_days", scores, np.ones(idx.inv.size, dtype=bool), 0)]
    drop = per_protocol_drop(data, idx)
    if drop is not None:
        variants.append(("per_protocol", np.where(drop, np.nan, scores), None, None))
    for name, values, analysed, washout in variants:
        try:
            res = primary_from_index(idx, values, schedule, o,
                                     confidence_level=confidence_level,
                                     min_completeness=min_completeness, prior=prior, rng=rng,
                                     washout=washout, analysed=analysed, secondary=False)
            rows.append({"analysis": name, "estimate": res.estimate, "ci_low": res.ci_low,
                         "ci_high": res.ci_high, "pvalue": res.pvalue,
                         "n_periods": res.n_periods})
        except ValueError as exc:  # e.g. every period of one condition excluded
            rows.append({"analysis": name, "estimate": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "pvalue": np.nan, "n_periods": 0,
                         "note": str(exc)})
    return rows
