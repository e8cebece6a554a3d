"""Benchmark: a series of personal trials, per person and pooled, in process and on Dask.

Targets (issue #12):

1. the vectorised per-person batch at >= 500 trials/s per core (no day-level GLS), against a
   loop over ``nof1.analyze`` measured in the same run;
2. 10,000 simulated 6-pair trials analysed and pooled in under 30 s (with a progress bar);
3. 100,000 simulated trials through a ``distributed.LocalCluster`` (2 worker processes,
   one task per part of 5,000 trials), printing trials/s.

Simulating the diaries is not part of the timed work (it is printed separately).

Run: python benchmarks/bench_series.py [--n-cluster 100000] [--quick] [--only 1|2|3]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nof1 import analyze
from nof1.series import analyze_series, schedule_of
from nof1.series.pipeline import pool_outcome
from nof1.series.scale import analyze_partitioned
from nof1.series.simulate import draw_cohort_2022, simulate_series


def _raw(series, person):
    d = series.diary[series.diary["person"] == person]
    raw = pd.DataFrame({"date": d["date"].dt.strftime("%Y-%m-%d")})
    for name in series.outcome_names:
        raw[name] = d[name].map(lambda v: "" if np.isnan(v) else f"{v:g}").to_numpy()
    return raw


def batch_vs_loop(n: int, n_loop: int) -> None:
    s = simulate_series(n, n_pairs=6, effects={"pain": -1.0}, rng=1)
    t0 = time.perf_counter()
    analyze_series(s, outcomes=["pain"])
    batch = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _, row in s.trials.head(n_loop).iterrows():
        analyze(_raw(s, row["person"]), schedule_of(row), outcomes=["pain"])
    loop = (time.perf_counter() - t0) / n_loop
    rate = n / batch
    print(f"1. per-person batch, {n} trials (6 pairs, 1 outcome): {batch:.2f} s = "
          f"{rate:,.0f} trials/s in one process (target 500/s per core: "
          f"{rate / 500:.1f}x)")
    print(f"   loop over analyze() (with GLS, sensitivity analyses): {loop * 1000:.0f} ms per "
          f"trial ({n_loop} trials) = {1 / loop:.1f} trials/s; batch is "
          f"{rate * loop:.0f}x faster")


def ten_thousand(n: int) -> None:
    t0 = time.perf_counter()
    cohort = draw_cohort_2022(n, rng=2)
    s = simulate_series(n, n_pairs=6, effects={"stress": -0.8}, covariates=cohort, rng=2)
    sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = analyze_series(s, outcomes=["stress"], progress=True)
    t1 = time.perf_counter()
    pooled = pool_outcome(res, "stress", moderator="baseline_stress", prespecified=True)
    t2 = time.perf_counter()
    print(f"2. {n:,} trials analysed and pooled: {t2 - t0:.1f} s (per person {t1 - t0:.1f} s, "
          f"pooling incl. meta-regression and Bayes {t2 - t1:.1f} s; one-stage model "
          f"{'fitted' if pooled.one_stage is not None else 'skipped above 5,000 persons'})"
          f"; target 30 s: {30 / (t2 - t0):.1f}x. (Simulating them took {sim:.1f} s.)")


def cluster(n: int, part: int) -> None:
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "series"
        (root / "trials").mkdir(parents=True)
        (root / "diary").mkdir()
        t0 = time.perf_counter()
        rng = np.random.default_rng(3)
        for i, start in enumerate(range(0, n, part)):
            m = min(part, n - start)
            cov = pd.DataFrame({"person": [f"P{start + j:07d}" for j in range(m)]})
            s = simulate_series(m, n_pairs=6, effects={"pain": -0.5}, covariates=cov,
                                outcomes=None, rng=rng)
            for name, frame in (("trials", s.trials), ("diary", s.diary)):
                buf = io.BytesIO()
                frame.to_parquet(buf, index=False)
                (root / name / f"part-{i:05d}.parquet").write_bytes(buf.getvalue())
        sim = time.perf_counter() - t0
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as lc, Client(lc) as client:
            t0 = time.perf_counter()
            res = analyze_partitioned(root, outcomes=["pain"], client=client, progress=True)
            t1 = time.perf_counter()
            pool_outcome(res, "pain")
            t2 = time.perf_counter()
        print(f"3. {n:,} trials on a LocalCluster (2 worker processes, parts of {part:,}): "
              f"per person {t1 - t0:.1f} s = {n / (t1 - t0):,.0f} trials/s; pooling on the "
              f"client {t2 - t1:.1f} s. (Simulating and writing them took {sim:.1f} s.)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-cluster", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--only", type=int, choices=(1, 2, 3), default=None,
                    help="run one part only")
    args = ap.parse_args()
    q = args.quick
    print("Timings on a shared machine are noisy; ratios are within one run.")
    if args.only in (None, 1):
        batch_vs_loop(2_000 if not q else 500, 20 if not q else 5)
    if args.only in (None, 2):
        ten_thousand(10_000 if not q else 2_000)
    if args.only in (None, 3):
        cluster(args.n_cluster if not q else 10_000, 5_000 if not q else 2_000)


if __name__ == "__main__":
    main()
