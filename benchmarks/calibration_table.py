"""Calibration table of every number in nof1's default tables (and of the ones left out).

Usage::

    python benchmarks/calibration_table.py [--n 4000] [--n-slow 300] [--seed 1]

Scenario (``tests/calibration_sim.py``): 6 pairs of 14-day periods, 7-day analytic
wash-out, AR(1) daily noise (SD 1) with rho in {0, 0.3, 0.6, 0.8}, between-period drift
(SD 0.3), a linear trend of 0.01 points a day and 10% of days missing at random. Type I
error: no effect; coverage: a constant effect of -1 (no trend, baseline 6, for the
percent change). Each cell shows the rate and its Monte Carlo SE. ``--n`` trials for the
vectorized analyses, ``--n-slow`` for the per-trial ones (randomization interval, Wilcoxon,
percent change, GLS, day-level NAP/SMD intervals).

The Bayesian grid: pair differences iid N(-0.5, sigma^2) with MCID 1, sigma/MCID in
{0.25, 0.5, 1, 2, 4}, 3 to 12 pairs; coverage of the 95% credible interval under the
reference (default) and the weakly informative (former default) prior.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from calibration_sim import (  # noqa: E402
    PERIOD_DAYS,
    WASHOUT,
    mc_se,
    pair_arrays,
    simulate_days,
    simulate_period_means,
)

from nof1.analysis import (  # noqa: E402
    bayes_paired,
    gls_ar1,
    naive_day_ttest,
    nap,
    paired_period_test,
    percent_change,
    randomization_test,
    wilcoxon_period_test,
    within_person_smd,
)
from nof1.analysis._primary import _randomization  # noqa: E402

RHOS = (0.0, 0.3, 0.6, 0.8)


def cell(x: float, n: int) -> str:
    return f"{x:.3f} ± {mc_se(x, n):.3f}"


def type_one(rho: float, n: int, n_slow: int, rng: np.random.Generator) -> dict[str, str]:
    means, labels, design = simulate_period_means(n, rho=rho, rng=rng)
    g = randomization_test(means, labels, design=design, alternative="greater")
    le = randomization_test(means, labels, design=design, alternative="less")
    p = np.minimum(1, 2 * np.minimum(g.pvalue, le.pvalue))
    a, b = pair_arrays(means, labels)
    tt = paired_period_test(a, b)
    bay = bayes_paired(a - b, mcid=1.0, higher_is_better=False)
    w = np.array([wilcoxon_period_test(a[i], b[i]).pvalue for i in range(n_slow)])
    y, assign, design = simulate_days(n_slow, rho=rho, rng=rng)
    keep = np.tile(np.arange(PERIOD_DAYS) >= WASHOUT, design.n_units)
    period = np.repeat(np.arange(1, design.n_units + 1), PERIOD_DAYS)[keep]
    blocks = (period - 1) // 2 + 1
    t_index = np.arange(keep.size, dtype=float)[keep]
    gls, naive = [], []
    for i in range(n_slow):
        yi = y[i, keep]
        lab = np.where(np.repeat(assign[i], PERIOD_DAYS)[keep] == 0, "A", "B")
        ok = np.isfinite(yi)
        gls.append(gls_ar1(yi[ok], lab[ok], time=t_index[ok], blocks=blocks[ok],
                           periods=period[ok]).pvalue)
        naive.append(naive_day_ttest(yi[ok], lab[ok]).pvalue)
    return {"randomization p <= 0.05 (headline; exact size 2/64 = 0.031)":
            cell(np.mean(p <= 0.05), n),
            "paired t p <= 0.05": cell(np.mean(np.asarray(tt.pvalue) <= 0.05), n),
            "Wilcoxon p <= 0.05 (attainable 2/64)": cell(np.mean(w <= 0.05), n_slow),
            "Bayes (reference) P(benefit) >= 0.975 (nominal 0.025)":
            cell(np.mean(np.asarray(bay.p_benefit) >= 0.975), n),
            "GLS AR(1) p <= 0.05 (sensitivity)": cell(np.mean(np.asarray(gls) <= 0.05), n_slow),
            "naive day t p <= 0.05 (not in default tables)":
            cell(np.mean(np.asarray(naive) <= 0.05), n_slow)}


def coverage(rho: float, n: int, n_slow: int, rng: np.random.Generator) -> dict[str, str]:
    effect, baseline = -1.0, 6.0
    kw = dict(rho=rho, effect=effect, trend=0.0, baseline=baseline)
    means, labels, design = simulate_period_means(n, rng=rng, **kw)
    a, b = pair_arrays(means, labels)
    tt = paired_period_test(a, b)
    bay = bayes_paired(a - b, mcid=1.0, higher_is_better=False)
    rand = 0
    pct = 0
    for i in range(n_slow):
        _, lo, hi, _, _, _ = _randomization(means[i], labels[i], "A-B", confidence_level=0.95,
                                            rng=rng, sign=1.0, rkw=dict(design=design))
        rand += lo <= effect <= hi
        pc = percent_change(a[i], b[i])
        pct += pc.ci_low <= 100 * effect / baseline <= pc.ci_high
    # day-level NAP / SMD intervals (left out of the default tables): truth from the model
    y, assign, design = simulate_days(n_slow, rng=rng, **kw)
    keep = np.tile(np.arange(PERIOD_DAYS) >= WASHOUT, design.n_units)
    sd_total = np.sqrt(1.0 + 0.3 ** 2)
    smd_truth = effect / sd_total
    from scipy import stats
    nap_truth = stats.norm.cdf(-effect / (np.sqrt(2) * sd_total))  # lower is better
    nap_hit = smd_hit = 0
    for i in range(n_slow):
        yi = y[i, keep]
        cond = np.repeat(assign[i], PERIOD_DAYS)[keep]
        ya, yb = yi[(cond == 0) & np.isfinite(yi)], yi[(cond == 1) & np.isfinite(yi)]
        r = nap(ya, yb, higher_is_better=False)
        nap_hit += r.ci_low <= nap_truth <= r.ci_high
        s = within_person_smd(ya, yb)
        smd_hit += s.ci_low <= smd_truth <= s.ci_high
    return {"randomization 95% CI (headline; attained level 0.969)": cell(rand / n_slow, n_slow),
            "paired t 95% CI": cell(float(np.mean((np.asarray(tt.ci_low) <= effect)
                                                  & (effect <= np.asarray(tt.ci_high)))), n),
            "Bayes (reference) 95% credible interval": cell(float(np.mean(
                (np.asarray(bay.ci_low) <= effect) & (effect <= np.asarray(bay.ci_high)))), n),
            "percent change 95% CI (Fieller)": cell(pct / n_slow, n_slow),
            "NAP 95% CI, day level (not shown)": cell(nap_hit / n_slow, n_slow),
            "SMD 95% CI, day level (not shown)": cell(smd_hit / n_slow, n_slow)}


def bayes_grid(n: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for prior in ("reference", "weakly_informative"):
        for ratio in (0.25, 0.5, 1.0, 2.0, 4.0):
            row = {"prior": prior, "sigma/MCID": ratio}
            for k in (3, 4, 6, 8, 10, 12):
                d = rng.normal(-0.5, ratio, size=(n, k))
                res = bayes_paired(d, mcid=1.0, higher_is_better=False, prior=prior)
                row[f"k={k}"] = float(np.mean((np.asarray(res.ci_low) <= -0.5)
                                              & (-0.5 <= np.asarray(res.ci_high))))
            rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--n-slow", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    t1 = pd.DataFrame({f"rho={r}": type_one(r, args.n, args.n_slow, rng) for r in RHOS})
    print(f"Type I error at alpha = 0.05 ({args.n} trials; per-trial analyses "
          f"{args.n_slow}); 6 pairs, trend, drift, 10% missing days")
    print(t1.to_string())
    cov = pd.DataFrame({f"rho={r}": coverage(r, args.n, args.n_slow, rng) for r in RHOS})
    print(f"\nCoverage of the intervals (true effect -1; {args.n} / {args.n_slow} trials)")
    print(cov.to_string())
    grid = bayes_grid(args.n, rng)
    print(f"\n95% credible-interval coverage, iid normal pair differences ({args.n} trials "
          f"per cell; MC SE about {mc_se(0.95, args.n):.4f})")
    print(grid.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    print(f"\n{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
