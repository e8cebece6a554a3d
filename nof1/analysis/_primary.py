"""The design-faithful primary analysis of one outcome, reused by the sensitivity analyses."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from .._constants import MIN_ADHERENCE
from ..design.schedule import Schedule
from ..outcomes import Outcome
from . import bayes, period, randomization
from ._tables import pair_table, period_table


@dataclasses.dataclass(frozen=True, eq=False)
class Primary:
    """Estimate, interval and p-value of one procedure, and the tests behind them.

    ``pvalue`` is the equal-tailed two-sided p-value (twice the smaller one-sided
    p-value, at most 1) whose inversion gives ``ci_low``/``ci_high``: the interval
    excludes 0 exactly when ``pvalue <= 1 - confidence_level``.
    ``attained_level`` is the smallest coverage the interval guarantees given the
    number of assignments (>= the nominal level; 1 when the interval is unbounded).
    """

    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float
    method: str
    periods: pd.DataFrame
    pairs: pd.DataFrame | None
    tests: dict[str, Any]
    attained_level: float = float("nan")
    n_reference: int = 0
    min_pvalue: float = float("nan")
    note: str = ""


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
                   rng: np.random.Generator, sign: float, rkw: dict[str, Any]
                   ) -> tuple[float, float, float, float, Any, Any]:
    """Estimate, CI and equal-tailed p of one randomization test, on the same reference set.

    The same seed is given to both one-sided tests and to the interval, so that a Monte
    Carlo reference set is the same draws in all three.
    """
    seed = int(rng.integers(2**63 - 1))
    greater = randomization.randomization_test(scores, labels, statistic=stat,
                                               alternative="greater", rng=seed, **rkw)
    less = randomization.randomization_test(scores, labels, statistic=stat,
                                            alternative="less", rng=seed, **rkw)
    p = min(1.0, 2.0 * min(float(greater.pvalue), float(less.pvalue)))
    ci = randomization.randomization_ci(scores, labels, statistic=stat,
                                        confidence_level=confidence_level, rng=seed, **rkw)
    estimate = sign * float(ci.estimate)
    low, high = sorted((sign * float(ci.ci_low), sign * float(ci.ci_high)))
    test = dataclasses.replace(greater, pvalue=p, alternative="two-sided")
    return estimate, low, high, p, test, ci


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
    design = schedule.design
    washout = schedule.washout_days if washout is None else washout
    per = period_table(data, o.name, min_completeness)
    tests: dict[str, Any] = {}
    flip = schedule.roles_swapped
    if not design.units_are_periods:
        # units are days; the wash-out is re-applied for every admissible assignment
        units = data[data["period"].notna()]
        scores = units[o.name].to_numpy(dtype=float)
        labels = units["condition"].to_numpy(dtype=str)
        rkw: dict[str, Any] = dict(design=design, washout=washout)
    else:
        scores = per["mean"].to_numpy(dtype=float)
        labels = per["condition"].to_numpy(dtype=str)
        rkw = dict(design=design)
    if flip:
        labels = np.where(labels == "A", "B", "A")
    stat = design.primary_statistic
    sign = -1.0 if flip else 1.0
    estimate, low, high, p, rand, ci = _randomization(
        scores, labels, stat, confidence_level=confidence_level, rng=rng, sign=sign, rkw=rkw)
    tests["randomization"] = rand
    pairs = None
    if design.pairs_are_blocks:
        pairs = pair_table(per)
        a, b = pairs["mean_a"].to_numpy(), pairs["mean_b"].to_numpy()
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
                   method=design.primary_procedure, periods=per, pairs=pairs, tests=tests,
                   attained_level=level, n_reference=n_ref, min_pvalue=min_p,
                   note=attainable_note(n_ref, confidence_level, exact))


def sensitivity_analyses(data: pd.DataFrame, schedule: Schedule, o: Outcome, *,
                         confidence_level: float, min_completeness: float, prior: Any,
                         rng: np.random.Generator) -> pd.DataFrame:
    """The pre-registered sensitivity analyses: all period days, and per protocol.

    - ``all_days``: no analytic wash-out (every period day analysed);
    - ``per_protocol``: periods with the pack taken on fewer than 80% of the days with an
      adherence entry are left out (docs/methods.md §4.3), and so are the days on
      which the diary's pack or period contradicts the schedule (``off_protocol``: the
      participant took another pack than planned).
    """
    rows = []
    all_days = data.assign(analysed=data["period"].notna())
    variants = [("all_days", all_days, 0)]
    took = data["took_pack"] if "took_pack" in data else None
    off = data["off_protocol"].astype(bool) if "off_protocol" in data else None
    has_took = took is not None and took.notna().any()
    if has_took or (off is not None and off.any()):
        pp = data.copy()
        if has_took:
            share = (data.assign(t=took.astype("Float64"))
                     .groupby("period")["t"].mean())
            low = share[share < MIN_ADHERENCE].index
            pp.loc[pp["period"].isin(low), o.name] = np.nan
        if off is not None:
            pp.loc[off.to_numpy(), o.name] = np.nan
        variants.append(("per_protocol", pp, None))
    for name, frame, washout in variants:
        try:
            res = primary_analysis(frame, schedule, o, confidence_level=confidence_level,
                                   min_completeness=min_completeness, prior=prior, rng=rng,
                                   washout=washout)
            rows.append({"analysis": name, "estimate": res.estimate, "ci_low": res.ci_low,
                         "ci_high": res.ci_high, "pvalue": res.pvalue,
                         "n_periods": int(res.periods["mean"].notna().sum())})
        except ValueError as exc:  # e.g. every period of one condition excluded
            rows.append({"analysis": name, "estimate": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "pvalue": np.nan, "n_periods": 0,
                         "note": str(exc)})
    return pd.DataFrame(rows)
