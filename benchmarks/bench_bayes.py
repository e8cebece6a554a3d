"""Speed of the Bayesian analysis: one trial (inside analyze) and batches (power planning).

Run:  python benchmarks/bench_bayes.py

Prints, measured in the same run:

- per outcome of one trial (6 pairs): ``prior_sensitivity`` (reference, sceptical,
  enthusiastic priors) and the decision rule (``DecisionRule.decide(...).to_dict()``),
  and their total for 3 outcomes (the budget inside ``analyze`` is about 2 ms);
- the same under the legacy version-1 priors (closed form), for the ratio;
- batches of 4000 trials of 3, 6 and 20 pairs: the verdicts alone
  (``DecisionRule.verdicts``, the decision-only path ``simulate_power`` and ``nof1 power``
  run), the full rule (``decide``, with its probabilities) and ``bayes_paired`` with
  credible intervals;
- ``prior_sensitivity`` and the batch verdicts of commit ``cdaff71`` (before the
  decision-only path and the batched sensitivity table), imported beside the current
  package (``benchmarks/_previous.py``), for the ratio.

Best of several repeats; on a shared machine the figures are noisy.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _previous import load_previous  # noqa: E402

from nof1.analysis import DecisionRule, bayes_paired, make_prior, prior_sensitivity  # noqa: E402

#: the commit before the decision-only path (version-2 prior by full quadrature)
BEFORE = "cdaff71"


def best(fn: Callable[[], object], repeats: int = 7, inner: int = 1) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(1)
    d = rng.normal(-0.8, 1.0, size=6)
    rule = DecisionRule(outcome="pain", mcid=1.0)
    legacy_rule = DecisionRule(outcome="pain", mcid=1.0, prior_version=1)
    legacy = [make_prior(p, mcid=1.0, higher_is_better=False, version=1)
              for p in ("reference", "sceptical", "enthusiastic")]
    before = load_previous(BEFORE, "nof1_before_fast_rule")
    sens = best(lambda: prior_sensitivity(d, mcid=1.0, higher_is_better=False), inner=20)
    sens0 = best(lambda: before.analysis.prior_sensitivity(d, mcid=1.0,
                                                           higher_is_better=False), inner=20)
    sens1 = best(lambda: prior_sensitivity(d, mcid=1.0, higher_is_better=False,
                                           priors=legacy), inner=20)
    dec = best(lambda: rule.decide(d, higher_is_better=False).to_dict(), inner=50)
    dec1 = best(lambda: legacy_rule.decide(d, higher_is_better=False).to_dict(), inner=50)
    print("one trial, 6 pairs (per outcome):")
    print(f"  prior_sensitivity  v2 {1e3 * sens:7.3f} ms   v1 {1e3 * sens1:7.3f} ms   "
          f"ratio {sens / sens1:5.2f}")
    print(f"  decision rule      v2 {1e3 * dec:7.3f} ms   v1 {1e3 * dec1:7.3f} ms "
          f"(v1 includes the v2 comparison)")
    print(f"  3 outcomes + rule  v2 {1e3 * (3 * sens + dec):7.3f} ms   "
          f"v1 {1e3 * (3 * sens1 + dec1):7.3f} ms")
    print(f"  prior_sensitivity v2 at {BEFORE}: {1e3 * sens0:7.3f} ms (now "
          f"{sens0 / sens:4.2f}x faster)")
    rule0 = before.analysis.DecisionRule(outcome="pain", mcid=1.0)
    prior = make_prior("sceptical", mcid=1.0, higher_is_better=False)
    print("batches of 4000 trials:")
    for k in (3, 6, 20):
        x = rng.normal(-0.5, 2.0, size=(4000, k))
        verdicts = rule.verdicts(x, higher_is_better=False)
        assert (verdicts == rule0.decide(x, higher_is_better=False).verdict).all()
        t_ver = best(lambda x=x: rule.verdicts(x, higher_is_better=False), repeats=5)
        t_dec = best(lambda x=x: rule.decide(x, higher_is_better=False), repeats=3)
        t_dec0 = best(lambda x=x: rule0.decide(x, higher_is_better=False), repeats=3)
        t_full = best(lambda x=x: bayes_paired(x, mcid=1.0, higher_is_better=False,
                                               prior=prior), repeats=3)
        print(f"  k={k:2d}: verdicts {1e3 * t_ver:6.1f} ms (decide at {BEFORE} "
              f"{1e3 * t_dec0:6.1f} ms, {t_dec0 / t_ver:4.1f}x; same verdicts)   decide "
              f"{1e3 * t_dec:6.1f} ms   bayes_paired with intervals {1e3 * t_full:6.1f} ms")


if __name__ == "__main__":
    main()
