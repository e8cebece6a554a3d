"""Cost of the integrity checks: designing a trial, verifying it, auditing the key, status.

Run from the repository root::

    python benchmarks/bench_integrity.py            # best of 7 repeats
    python benchmarks/bench_integrity.py --quick    # best of 3

Each case is timed with ``time.perf_counter`` after one warm-up call; the table shows
the best time per call and its ratio to ``read_trial`` (the participant's files only,
no checks beyond parsing), measured in the same run. ``verify_trial`` does everything
``nof1 verify`` does: printed copies, key commitment, allocation audit (a full redraw),
pack codes and the plan field by field.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from nof1 import PairedDesign, PhaseDesign, create_trial, read_trial
from nof1.trial import verify_trial
from nof1.trial.blinding import audit_key, load_key
from nof1.workflow import trial_status


def _best(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    repeats = 3 if parser.parse_args(argv).quick else 7
    designs = {"paired, 6 pairs (175 days)": (PairedDesign(6), 14),
               "phase ABAB, 84 days": (PhaseDesign("ABAB", n_occasions=84, min_phase=14), 1)}
    print(f"{'design':<28} {'step':<22} {'best (ms)':>10} {'x read_trial':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, (design, period_days)) in enumerate(designs.items()):
            counter = iter(range(10_000))

            def make(design=design, period_days=period_days, counter=counter, n=n):
                return create_trial(Path(tmp) / f"{n}-{next(counter)}", design=design,
                                    start="2026-01-05", period_days=period_days)

            trial = make()
            key = load_key(trial.helper_dir / "key.json")
            base = _best(lambda trial=trial: read_trial(trial.directory), repeats)
            cases = {
                "read_trial": base,
                "create_trial": _best(make, repeats),
                "verify_trial": _best(lambda trial=trial: verify_trial(trial.directory), repeats),
                "audit_key": _best(lambda key=key: audit_key(key), repeats),
                "trial_status": _best(lambda trial=trial: trial_status(
                    trial.directory, today=dt.date(2026, 2, 1)), repeats),
            }
            for step, seconds in cases.items():
                print(f"{label:<28} {step:<22} {seconds * 1e3:>10.1f} {seconds / base:>13.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
