"""Timings of the design-faithful randomization test (and its confidence interval).

Run from the repository root::

    python benchmarks/bench_randomization.py            # full table
    python benchmarks/bench_randomization.py --quick    # fewer repeats

Each case is timed with ``time.perf_counter``; the table shows the best of
several repeats (after one warm-up call). When R with SCRT 1.3.1 is installed
(``benchmarks/_scrt.py``), SCRT's ``pvalue.systematic`` runs the same two-sided test on
the same data in the same run (one call after a warm-up, timed inside R) and the
p-values are compared; otherwise the column "SCRT (recorded)" holds figures recorded
elsewhere (R 4.2.2, another machine: about 4.9 s for 18 pairs, 1.4 s for ABAB over 84
days with min phase 7), and the ratio beside it is indicative only. ``bench_speed.py``
compares with the previous implementation and scipy in the same run. Times depend on
the machine; the figures in ``benchmarks/README.md`` say where they were taken.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable

import _scrt
import numpy as np

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.analysis import randomization_ci, randomization_test

#: seconds SCRT 1.3.1 needed for the same size (pvalue.systematic), recorded on another
#: machine and NOT measured in this run
SCRT_SECONDS = {"paired k=18": 4.9, "ABAB 84 days, min 7": 1.4}


def best_of(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _paired_case(k: int, rng: np.random.Generator):
    design = PairedDesign(k)
    labels = design.draw(rng)
    scores = rng.normal(5, 1, size=design.n_units) - 0.5 * (labels == 0)
    return design, labels, scores


def _phase_case(n: int, min_phase: int, rng: np.random.Generator):
    design = PhaseDesign("ABAB", n_occasions=n, min_phase=min_phase)
    labels = design.draw(rng)
    scores = np.round(rng.normal(5, 1.5, size=n) - 0.5 * (labels == 0), 1)
    return design, labels, scores


def _scrt_case(scrt_design: str, labels: np.ndarray, scores: np.ndarray,
               limit: int | None = None) -> dict:
    """The same two-sided test in SCRT's terms (statistic '|A-B|')."""
    letters = np.where(np.asarray(labels) == 0, "A", "B")
    if scrt_design in ("ABA", "ABAB"):  # SCRT numbers the repeated phases: A1 B1 A2 B2
        phase = np.cumsum(np.concatenate([[True], letters[1:] != letters[:-1]]))
        letters = np.array([f"{c}{(p + 1) // 2}" for c, p in zip(letters, phase, strict=True)])
    return {"design": scrt_design, "statistic": "|A-B|", "limit": limit,
            "labels": letters.tolist(), "scores": np.asarray(scores, dtype=float).tolist()}


def cases(rng: np.random.Generator
          ) -> list[tuple[str, int, Callable[[], object], int, dict | None]]:
    """(name, number of assignments, call, repeats factor, the same test for SCRT or None)."""
    out = []
    for k in range(10, 21):
        design, labels, scores = _paired_case(k, rng)
        out.append((f"paired k={k}", design.n_assignments,
                    lambda d=design, la=labels, s=scores: randomization_test(s, la, design=d), 1,
                    _scrt_case("RBD", labels, scores) if k <= 18 else None))
    design, labels, scores = _phase_case(84, 7, rng)
    out.append(("ABAB 84 days, min 7", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_test(s, la, design=d), 1,
                _scrt_case("ABAB", labels, scores, 7)))
    scores_missing = scores.copy()
    scores_missing[rng.choice(84, size=8, replace=False)] = np.nan
    out.append(("ABAB 84/7, 8 missing, PA-PB, washout 2", design.n_assignments,
                lambda d=design, la=labels, s=scores_missing: randomization_test(
                    s, la, design=d, statistic="PA-PB", washout=2), 1, None))
    design, labels, scores = _phase_case(365, 14, rng)
    out.append(("ABAB 365 days, min 14", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_test(s, la, design=d), 0, None))
    for k in (30, 40):
        design, labels, scores = _paired_case(k, rng)
        out.append((f"paired k={k} (meet-in-the-middle)", design.n_assignments,
                    lambda d=design, la=labels, s=scores: randomization_test(s, la, design=d), 0,
                    None))
    design = AlternatingDesign(20, max_run=3)
    labels = design.draw(rng)
    scores = rng.normal(size=20)
    out.append(("alternating 20 periods, max run 3", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_test(s, la, design=d), 1, None))
    design = AlternatingDesign(20)
    labels = design.draw(rng)
    out.append(("alternating 20 periods (CRD)", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_test(s, la, design=d), 1,
                _scrt_case("CRD", labels, scores)))
    design, labels, scores = _paired_case(8, rng)
    batch_labels = design.draw(rng, size=10_000)
    batch = rng.normal(size=(10_000, 16)) - 0.5 * (batch_labels == 0)
    out.append(("batch: 10,000 trials x paired k=8", 10_000 * design.n_assignments,
                lambda d=design, la=batch_labels, s=batch: randomization_test(s, la, design=d), 1,
                None))
    design, labels, scores = _phase_case(365, 14, rng)
    out.append(("Monte Carlo 9,999 draws, ABAB 365/14", 9_999,
                lambda d=design, la=labels, s=scores: randomization_test(
                    s, la, design=d, n_resamples=9_999, rng=1), 1, None))
    design, labels, scores = _paired_case(18, rng)
    out.append(("CI, paired k=18", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_ci(s, la, design=d), 1, None))
    design, labels, scores = _phase_case(84, 7, rng)
    out.append(("CI, ABAB 84/7", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_ci(s, la, design=d), 1, None))
    design, labels, scores = _phase_case(365, 14, rng)
    out.append(("CI, ABAB 365/14", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_ci(s, la, design=d), 0, None))
    design, labels, scores = _paired_case(30, rng)
    out.append(("CI, paired k=30 (search)", design.n_assignments,
                lambda d=design, la=labels, s=scores: randomization_ci(s, la, design=d), 0, None))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    rng = np.random.default_rng(20240601)
    print(f"nof1 randomization test benchmark (Python {platform.python_version()}, "
          f"numpy {np.__version__}, {platform.machine()}); best of {repeats} (large cases: 2)")
    all_cases = cases(rng)
    twins = [c[4] for c in all_cases if c[4] is not None]
    measured = _scrt.time_cases(twins, repeats=1)
    print(_scrt.status_line())
    if measured is None:
        print("'SCRT (recorded)' is a figure recorded on another machine, so its ratio is "
              "indicative only.")
    column = "SCRT (this run)" if measured is not None else "SCRT (recorded)"
    header = (f"{'case':<42} {'assignments':>17} {'time':>10} {column:>16} "
              f"{'ratio':>9}  same p")
    print(header)
    print("-" * len(header))
    scrt_of = iter(measured or [])
    for name, n, fn, factor, twin in all_cases:
        seconds = best_of(fn, repeats if factor else 2)
        same = ""
        if measured is not None:
            scrt, p_scrt = None, None
            if twin is not None:
                p_scrt, scrt = next(scrt_of)
                same = "yes" if np.isclose(fn().pvalue, p_scrt, rtol=1e-12, atol=0) else "NO"
            approx = ""
        else:
            scrt, approx = SCRT_SECONDS.get(name), "~"
        scrt_txt = f"{scrt:.3f} s" if scrt is not None else ""
        ratio = f"{approx}{scrt / seconds:,.0f}x" if scrt else ""
        print(f"{name:<42} {n:>17,} {seconds * 1e3:>8.2f}ms {scrt_txt:>16} {ratio:>9}  {same}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
