"""How long ``nof1 design`` spends on the power it prints, against writing the folder.

    python benchmarks/bench_design_power.py            # best of 3
    python benchmarks/bench_design_power.py --quick    # best of 1

For paired designs of k pairs (14-day periods, 7 wash-out days) the script times,
in the same run: writing the trial folder (``create_trial``, which also renders
diary.html and paper-diary.html), and the power printout (``_power_text``: 2000
simulated trials of the exact randomization test up to 2^14 assignments, of the
paired t-test above). It also times the randomization-test simulation one step
beyond the limit, to show why the limit is there, and prints the sizes of the
diary page and the paper diary.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from nof1 import PairedDesign
from nof1.cli.design import DESIGN_POWER_NOISE, DESIGN_POWER_SIMS, _power_text
from nof1.planning.power import simulate_power
from nof1.trial import create_trial


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    repeats = 1 if "--quick" in sys.argv else 3
    print(f"best of {repeats}; times in seconds")
    print(f"{'pairs':>5} {'assignments':>11} {'write folder':>12} {'power text':>10} "
          f"{'ratio':>6}  method")
    with tempfile.TemporaryDirectory() as tmp:
        for k in (4, 6, 8, 10, 12, 14, 15):
            counter = iter(range(10**6))

            def write(k=k, counter=counter):
                return create_trial(Path(tmp) / f"t{k}-{next(counter)}", design=PairedDesign(k),
                                    start="2030-01-07", rng=1)

            t_write = best(write, repeats)
            trial = write()
            t_power = best(lambda trial=trial: _power_text(trial.protocol), repeats)
            method = "randomization" if 2**k <= 2**14 else "paired_t"
            print(f"{k:>5} {2**k:>11,} {t_write:>12.3f} {t_power:>10.3f} "
                  f"{t_power / t_write:>6.1f}  {method}")
        part = trial.participant_dir
        for name in ("diary.html", "paper-diary.html"):
            print(f"{name} for 15 pairs: {(part / name).stat().st_size:,} bytes")
    t_exact = best(lambda: simulate_power(
        PairedDesign(15), effect=-1.0, n_sims=DESIGN_POWER_SIMS, methods=("randomization",),
        rng=1, **DESIGN_POWER_NOISE), 1)
    print(f"exact randomization test simulated for 15 pairs ({2**15:,} assignments, "
          f"{DESIGN_POWER_SIMS} trials): {t_exact:.2f} s (not used by nof1 design)")


if __name__ == "__main__":
    main()
