"""The design-faithful primary analysis of one outcome, reused by the sensitivity analyses."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from ..outcomes import Outcome
from ..schedule import Schedule
from . import bayes, period, randomization
from ._tables import pair_table, period_table

#: statistic of the randomization test per design kind (as pre-registered in the protocol)
STATISTIC = {"paired": "A-B", "alternating": "A-B", "phase": "PA-PB"}
#: periods with the pack taken on fewer days than this share are left out per protocol
PER_PROTOCOL_ADHERENCE = 0.8


@dataclasses.dataclass(frozen=True, eq=False)
class Primary:
    """Estimate, interval, p-value and the tests behind them, for one outcome."""

    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float
    method: str
    periods: pd.DataFrame
    pairs: pd.DataFrame | None
    tests: dict[str, Any]


def primary_analysis(data: pd.DataFrame, schedule: Schedule, o: Outcome, *,
                     confidence_level: float, min_completeness: float, prior: Any,
                     rng: np.random.Generator, washout: int | None = None) -> Primary:
    """Period means, then the design's own randomization test (and paired tests for pairs).

    ``data`` is oriented so that condition "A" is the active treatment; the randomization
    test is given the design's own role letters, which differ when a phase design's
    roles were randomized, and its estimate is re-signed accordingly.
    """
    design = schedule.design
    washout = schedule.washout_days if washout is None else washout
    per = period_table(data, o.name, min_completeness)
    tests: dict[str, Any] = {}
    flip = schedule.roles_swapped
    if design.kind == "phase":
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
    stat = STATISTIC[design.kind]
    sign = -1.0 if flip else 1.0
    rand = randomization.randomization_test(scores, labels, statistic=stat,
                                            alternative="two-sided", rng=rng, **rkw)
    tests["randomization"] = rand
    pairs = None
    if design.kind == "paired":
        pairs = pair_table(per)
        a, b = pairs["mean_a"].to_numpy(), pairs["mean_b"].to_numpy()
        tt = period.paired_period_test(a, b, confidence_level=confidence_level)
        tests["paired_t"] = tt
        d = a - b
        if np.any(np.isfinite(d) & (d != 0)):
            tests["wilcoxon"] = period.wilcoxon_period_test(a, b)
        d = d[np.isfinite(d)]
        if d.size >= 2:
            tests["bayes"] = bayes.bayes_paired(d, mcid=o.mcid,
                                                higher_is_better=o.higher_is_better,
                                                prior=prior, credible_level=confidence_level)
        estimate, low, high = float(tt.estimate), float(tt.ci_low), float(tt.ci_high)
        method = ("paired t-test on period means (estimate, CI); exact randomization test "
                  "over the design's 2^k orders (p)")
    else:
        ci = randomization.randomization_ci(scores, labels, statistic=stat,
                                            confidence_level=confidence_level, rng=rng, **rkw)
        estimate = sign * float(ci.estimate)
        low, high = sorted((sign * float(ci.ci_low), sign * float(ci.ci_high)))
        what = "mean of phase means" if stat == "PA-PB" else "difference of period means"
        method = (f"randomization test over the design's admissible assignments ({what}; "
                  f"p; CI by test inversion)")
    return Primary(estimate=estimate, ci_low=low, ci_high=high, pvalue=float(rand.pvalue),
                   method=method, periods=per, pairs=pairs, tests=tests)


def sensitivity_analyses(data: pd.DataFrame, schedule: Schedule, o: Outcome, *,
                         confidence_level: float, min_completeness: float, prior: Any,
                         rng: np.random.Generator) -> pd.DataFrame:
    """The pre-registered sensitivity analyses: all period days, and per protocol.

    - ``all_days``: no analytic wash-out (every period day analysed);
    - ``per_protocol``: periods with the pack taken on fewer than 80% of the days with an
      adherence entry are left out (docs/methods.md §4.3).
    """
    rows = []
    all_days = data.assign(analysed=data["period"].notna())
    variants = [("all_days", all_days, 0)]
    took = data["took_pack"] if "took_pack" in data else None
    if took is not None and took.notna().any():
        share = (data.assign(t=took.astype("Float64"))
                 .groupby("period")["t"].mean())
        low = share[share < PER_PROTOCOL_ADHERENCE].index
        pp = data.copy()
        pp.loc[pp["period"].isin(low), o.name] = np.nan
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
