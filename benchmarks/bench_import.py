"""Benchmark: start-up time of ``import nof1`` and ``nof1 --help``, now and before.

Targets (issue #10): ``import nof1`` under 0.5 s and ``nof1 --help`` under 0.7 s.
Also timed: a whole process that runs one exact paired randomization test.

Every figure is the best of N runs, each in a fresh Python subprocess: the wall
clock around ``subprocess.run`` (interpreter start-up included; ``python -c pass``
is printed as the floor) and the CPU time the process used (user + system; on a
shared machine this is the steadier figure). The targets apply to the wall clock.
The same three commands are timed on an earlier commit of this repository,
exported with ``git archive`` into a temporary folder and put first on
``PYTHONPATH``, so the ratio compares both trees on the same machine, in the same
run, under the same load. By default the earlier commit is
the parent of the commit that made the top-level namespace lazy; ``--base REV``
picks another.

Run: python benchmarks/bench_import.py [--repeats 7] [--base REV]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the console script's own code path: import the entry point, then call it
HELP = "import sys; sys.argv[0] = 'nof1'; from nof1.cli import run; run()"

TARGETS = {"import nof1": 0.5, "nof1 --help": 0.7}

#: a whole process that runs one exact paired test (14 pairs, 16,384 assignments), the
#: size at which SCRT, as a whole ``Rscript`` process, used to be faster than nof1
#: (``bench_speed.py scrt`` times SCRT itself when it is installed)
ONE_TEST = ("from nof1 import PairedDesign; from nof1.analysis import randomization_test; "
            "d = PairedDesign(14); randomization_test([float(i % 5) for i in range(28)], "
            "d.draw(1), design=d)")


def best_of(argv: list[str], repeats: int, env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Best wall-clock time and best CPU time (user + system, of the process and its
    children) of ``repeats`` fresh runs of ``argv``, after one warm-up run.

    On a loaded machine the wall clock includes waiting for a core; the CPU time
    does not, so it shows what the start-up costs when the machine is idle."""
    walls, cpus = [], []
    for i in range(repeats + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:                            # the first run warms the file-system cache
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def default_base() -> str:
    """The parent of the commit that introduced the lazy top-level namespace."""
    out = subprocess.run(["git", "log", "--format=%H", "-S", "lazy_loader", "--reverse",
                          "--", "nof1/__init__.py"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return f"{out[0]}~1" if out else "HEAD"


def export_tree(rev: str, into: Path) -> Path:
    """Write the ``nof1/`` package of ``rev`` into ``into`` (``git archive``)."""
    into.mkdir()
    archive = into / "tree.tar"
    with archive.open("wb") as fh:
        subprocess.run(["git", "archive", "--format=tar", rev, "nof1"], cwd=ROOT,
                       stdout=fh, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def commands(python: str) -> dict[str, list[str]]:
    return {"python -c pass": [python, "-c", "pass"],
            "import nof1": [python, "-c", "import nof1"],
            "nof1 --help": [python, "-c", HELP, "--help"],
            "one exact test": [python, "-c", ONE_TEST]}


def check_origin(python: str, env: dict[str, str], cwd: Path, expected: Path) -> None:
    """Stop unless ``import nof1`` in this environment loads the tree under ``expected``."""
    where = subprocess.run([python, "-c", "import nof1; print(nof1.__file__)"], env=env,
                           cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).resolve().is_relative_to(expected.resolve()):
        sys.exit(f"bench_import: nof1 was imported from {where}, not from {expected}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per figure (best of)")
    parser.add_argument("--base", default=None, help="earlier commit to compare with")
    args = parser.parse_args()
    python = sys.executable
    base = args.base or default_base()
    label = subprocess.run(["git", "rev-parse", "--short", base], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.strip()

    env_now = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env_now["PYTHONPATH"] = str(ROOT)
    tmp = Path(tempfile.mkdtemp(prefix="nof1-bench-import-"))
    try:
        before = export_tree(base, tmp / "before")
        env_before = dict(env_now, PYTHONPATH=str(before))
        cwd = tmp / "cwd"                # empty: ``python -c`` puts the cwd first on sys.path
        cwd.mkdir()
        check_origin(python, env_now, cwd, ROOT / "nof1")
        check_origin(python, env_before, cwd, before / "nof1")
        print(f"nof1 start-up (Python {sys.version.split()[0]}, {os.cpu_count()} CPUs); "
              f"best of {args.repeats} fresh processes; 'before' is {label}")
        print(f"{'':<16} {'wall clock':^28} {'CPU time':^28}")
        print(f"{'command':<16} {'now':>8} {'before':>8} {'speed-up':>9}  "
              f"{'now':>8} {'before':>8} {'speed-up':>9}  {'target':>6}  met")
        for name, argv in commands(python).items():
            now, now_cpu = best_of(argv, args.repeats, env_now, cwd)
            then, then_cpu = best_of(argv, args.repeats, env_before, cwd)
            target = TARGETS.get(name)
            met = "" if target is None else ("yes" if now < target else "NO")
            shown = "" if target is None else f"{target:.1f}s"
            print(f"{name:<16} {now:>7.3f}s {then:>7.3f}s {then / now:>8.1f}x  "
                  f"{now_cpu:>7.3f}s {then_cpu:>7.3f}s {then_cpu / now_cpu:>8.1f}x  "
                  f"{shown:>6}  {met}")
        script = shutil.which("nof1", path=str(Path(python).parent))
        if script:
            now, now_cpu = best_of([script, "--help"], args.repeats, env_now, cwd)
            print(f"{'(console script)':<16} {now:>7.3f}s {'':>18}  {now_cpu:>7.3f}s"
                  f"   (the installed `nof1 --help`)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
