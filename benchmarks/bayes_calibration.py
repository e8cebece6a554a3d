"""Calibration table of the sceptical prior and the decision rule (σ/MCID × pairs).

Run:  python benchmarks/bayes_calibration.py [--n 4000] [--seed 1]

Pair differences d_j ~ N(delta, sigma²), MCID = 1, lower is better; fixed seed. Columns:

- ``met@MCID``: share of trials the rule says "met" at a true benefit of exactly the MCID
  (the threshold allows at most 1 − 0.8 = 0.2), for the version-2 sceptical prior, the
  legacy version-1 prior and the reference prior (exactly 0.2 in theory);
- ``met@0``: the same under no effect;
- ``gap``: mean P(benefit ≥ MCID | data) minus the share of true benefits ≥ MCID when
  effects are drawn from the sceptical prior's Cauchy(0, MCID/1.5) (0 = calibrated;
  positive = overstated), with its Monte Carlo SE;
- ``cov``: coverage of the sceptical 95% credible interval at true effects 0, ±MCID/2
  (the smallest of the three) and ±MCID (the smaller of the two).

The assertions on these numbers are in ``tests/test_bayes_calibration.py``.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from nof1.analysis import bayes_paired, make_prior
from nof1.analysis.bayes import posterior_benefit

MCID = 1.0
PRIORS = {"v2": make_prior("sceptical", mcid=MCID, higher_is_better=False),
          "v1": make_prior("sceptical", mcid=MCID, higher_is_better=False, version=1),
          "ref": make_prior("reference", mcid=MCID, higher_is_better=False)}


def p_mcid(d, prior):
    return posterior_benefit(d, prior, mcid=MCID, higher_is_better=False)[0]


def coverage(d, delta):
    r = bayes_paired(d, mcid=MCID, higher_is_better=False, prior=PRIORS["v2"])
    return float(np.mean((r.ci_low <= delta) & (delta <= r.ci_high)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=4000, help="simulated trials per cell")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.n
    print(f"{n} simulated trials per cell; MC SE of a rate p is sqrt(p(1-p)/{n}) "
          f"(0.2: {math.sqrt(0.16 / n):.4f}; 0.95: {math.sqrt(0.0475 / n):.4f})")
    print("σ/MCID  k | met@MCID v2    v1   ref | met@0 v2    v1 | gap v2 (se)       "
          "gap v1 (se)      | cov 0,±½  cov ±1")
    t0 = time.perf_counter()
    for ratio in (0.25, 0.5, 1.0, 2.0, 4.0):
        for k in (3, 6, 12):
            d1 = rng.normal(-MCID, ratio, size=(n, k))
            d0 = rng.normal(0.0, ratio, size=(n, k))
            met1 = [np.mean(p_mcid(d1, PRIORS[p]) >= 0.8) for p in ("v2", "v1", "ref")]
            met0 = [np.mean(p_mcid(d0, PRIORS[p]) >= 0.8) for p in ("v2", "v1")]
            delta = rng.standard_cauchy(n) * PRIORS["v2"].scale
            d = delta[:, None] + rng.normal(0.0, ratio, size=(n, k))
            gaps = []
            for p in ("v2", "v1"):
                g = p_mcid(d, PRIORS[p]) - (delta <= -MCID)
                gaps.append((g.mean(), g.std(ddof=1) / math.sqrt(n)))
            cov_in = min(coverage(rng.normal(t, ratio, size=(n, k)), t)
                         for t in (-0.5, 0.0, 0.5))
            cov_out = min(coverage(rng.normal(t, ratio, size=(n, k)), t) for t in (-1.0, 1.0))
            print(f"{ratio:6g} {k:2d} |       {met1[0]:.3f} {met1[1]:.3f} {met1[2]:.3f} | "
                  f"  {met0[0]:.3f} {met0[1]:.3f} | {gaps[0][0]:+.4f} ({gaps[0][1]:.4f}) "
                  f"{gaps[1][0]:+.4f} ({gaps[1][1]:.4f}) |    {cov_in:.3f}   {cov_out:.3f}",
                  flush=True)
    print(f"total {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
