"""Benchmark: simulated power of a 6-pair, 14-day-period design with daily data.

Target (issue #4): 10,000 simulated trials, each analysed with the exact randomization
test and the paired t-test, in under 2 s on a 2-core machine. Slower methods (GLS) run on
fewer simulations; their time per trial is printed too.

Run: python benchmarks/bench_power.py
"""

from __future__ import annotations

import time

from nof1 import PairedDesign
from nof1.planning.power import simulate_power


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    design = PairedDesign(6)
    kw = dict(effect=-1.0, sd=1.5, rho=0.3, period_sd=0.3, period_days=14, washout_days=7)
    print(f"{'case':<58} {'sims':>6} {'seconds':>8} {'target':>7} {'ratio':>6}")
    for methods, n, target in [
        (("randomization", "paired_t"), 10_000, 2.0),
        (("randomization", "paired_t", "bayes"), 10_000, 2.0),
    ]:
        sec = best_of(lambda m=methods, n=n: simulate_power(design, n_sims=n, methods=m,
                                                            rng=1, **kw))
        name = "6 pairs x 14 days, daily AR(1): " + " + ".join(methods)
        print(f"{name:<58} {n:>6} {sec:>8.3f} {target:>7.1f} {target / sec:>5.1f}x")
    n_gls = 200
    sec = best_of(lambda: simulate_power(design, n_sims=n_gls, n_sims_gls=n_gls,
                                         methods=("gls_ar1",), rng=1, **kw), repeats=1)
    print(f"{'6 pairs x 14 days: GLS AR(1) (one model fit per trial)':<58} {n_gls:>6} "
          f"{sec:>8.3f} {'':>7} {1000 * sec / n_gls:>4.1f}ms/trial")


if __name__ == "__main__":
    main()
