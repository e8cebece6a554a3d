"""Timings of diary reading (``nof1.data.read_diary``) on files of growing length.

Run from the repository root::

    python benchmarks/bench_diary.py            # best of 5 repeats
    python benchmarks/bench_diary.py --quick    # best of 2

Each diary is a CSV file as a participant's spreadsheet writes it (a simulated
diary with the template's columns), read against its schedule: field-count
checks, dates, scores, yes/no, schedule contradictions, issues. Two variants per
length: ISO dates, and ``D/M/YYYY`` dates (the order of day and month decided
against the schedule). The table shows the best time, the time per 1,000 rows and
the ratio of the slashed-date variant to the ISO one, measured in the same run.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from nof1 import PairedDesign, make_schedule
from nof1.data import read_diary
from nof1.planning.simulate import simulate_diary


def best_of(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 5
    print(f"python {sys.version.split()[0]}, pandas {pd.__version__}, {platform.machine()}")
    print(f"{'pairs':>5} {'rows':>6} {'ISO s':>8} {'ms/1000 rows':>13} {'D/M/Y s':>8} "
          f"{'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for pairs in (2, 6, 24, 62):
            s = make_schedule(PairedDesign(pairs), start="2026-01-05", period_days=14,
                              run_in_days=7, washout_days=7, rng=1)
            frame = simulate_diary(s, rng=1)
            iso = Path(tmp) / f"iso{pairs}.csv"
            frame.to_csv(iso, index=False)
            slashed = Path(tmp) / f"dmy{pairs}.csv"
            frame.assign(date=pd.to_datetime(frame["date"]).dt.strftime("%d/%m/%Y")).to_csv(
                slashed, index=False)
            t_iso = best_of(lambda p=iso, s=s: read_diary(p, s, warn=False), repeats)
            t_dmy = best_of(lambda p=slashed, s=s: read_diary(p, s, warn=False), repeats)
            rows = len(frame)
            print(f"{pairs:>5} {rows:>6} {t_iso:>8.4f} {1000 * t_iso / rows * 1000:>13.2f} "
                  f"{t_dmy:>8.4f} {t_dmy / t_iso:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
