"""Time ``render_report`` against the previous implementation, in the same run.

The previous implementation (matplotlib figures saved as PNG, one per plot, with a
constrained layout) is loaded from git at the commit before the report was rebuilt
(``PREVIOUS``), into a throw-away package, so both are timed on the same machine,
the same analysis results and the same Python. Without git (or that commit) only the
current implementation is timed, and the table says so.

Run from the repository root::

    python benchmarks/bench_report.py            # best of 5 (previous: best of 3)
    python benchmarks/bench_report.py --quick    # best of 2 (previous: 1)

Each case is analysed once (``nof1.analyze``, not timed); then ``render_report`` is
called once to warm up and timed with ``time.perf_counter``; the table shows the
best time, the page size and the number of embedded images. The target (issue 11)
is a report in at most 500 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: the last commit with the matplotlib/PNG report (nof1/report.py and nof1/plots.py)
PREVIOUS = "fc157a6f2bde56b807868aeea85097678c762756"
ROOT = Path(__file__).resolve().parents[1]


def _cases():
    from nof1 import PairedDesign, PhaseDesign, analyze, make_schedule, read_diary
    from nof1.planning.simulate import simulate_diary

    specs = [
        ("paired, 6 pairs of 14-day periods (the demo)",
         PairedDesign(6), dict(period_days=14, run_in_days=7, washout_days=7)),
        ("paired, 16 pairs of 14-day periods",
         PairedDesign(16), dict(period_days=14, run_in_days=7, washout_days=7)),
        ("ABAB phase design, 84 days, minimum phase 7",
         PhaseDesign("ABAB", n_occasions=84, min_phase=7), dict(washout_days=2)),
    ]
    for name, design, kw in specs:
        s = make_schedule(design, start="2026-01-05", rng=11, **kw)
        diary = read_diary(simulate_diary(s, rng=11), s, warn=False)
        yield name, s, diary, analyze(diary, s, rng=11)


def _previous_render():
    """``render_report`` of commit PREVIOUS, or None when git cannot provide it."""
    tmp = Path(tempfile.mkdtemp(prefix="nof1_previous_"))
    pkg = tmp / "nof1_previous"
    pkg.mkdir()
    try:
        for name in ("report.py", "plots.py"):
            text = subprocess.run(["git", "-C", str(ROOT), "show", f"{PREVIOUS}:nof1/{name}"],
                                  check=True, capture_output=True, text=True).stdout
            (pkg / name).write_text(text, encoding="utf-8")
    except (OSError, subprocess.CalledProcessError):
        return None
    (pkg / "__init__.py").write_text("__version__ = 'previous'\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("nof1_previous", pkg / "__init__.py",
                                                  submodule_search_locations=[str(pkg)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["nof1_previous"] = module
    spec.loader.exec_module(module)
    import matplotlib

    matplotlib.use("Agg")
    from nof1_previous.report import render_report  # type: ignore[import-not-found]

    return render_report


def _best(fn, repeats: int) -> tuple[float, str]:
    page = fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        page = fn()
        times.append(time.perf_counter() - t0)
    return min(times), page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats, repeats_previous = (2, 1) if args.quick else (5, 3)

    import nof1  # noqa: F401 - the package (pandas, scipy) is not part of either figure

    t0 = time.perf_counter()
    from nof1.report import render_report
    import_new = time.perf_counter() - t0
    t0 = time.perf_counter()
    previous = _previous_render()
    import_previous = time.perf_counter() - t0

    import numpy as np

    print(f"nof1 report benchmark (Python {platform.python_version()}, numpy "
          f"{np.__version__}, {platform.machine()}); best of {repeats} "
          f"(previous: best of {repeats_previous})")
    print(f"import after `import nof1`: nof1.report {import_new * 1e3:.0f} ms (no "
          f"matplotlib)" + (f"; previous report + plots + matplotlib "
                            f"{import_previous * 1e3:.0f} ms" if previous else ""))
    if previous is None:
        print(f"previous implementation (git {PREVIOUS[:7]}) not available: not measured")
    head = (f"{'case':<46}{'days':>5}{'page':>9}{'imgs':>5}{'time':>10}"
            f"{'previous':>10}{'p.page':>9}{'ratio':>8}")
    print(head)
    print("-" * len(head))
    for name, s, diary, result in _cases():
        t_new, page = _best(lambda r=result, d=diary: render_report(r, d), repeats)
        n_img = len(re.findall(r"<img ", page))
        row = (f"{name:<46}{s.n_days:>5}{len(page) / 1e3:>8.0f}k{n_img:>5}"
               f"{t_new * 1e3:>8.1f}ms")
        if previous is not None:
            t_old, old_page = _best(lambda r=result, d=diary: previous(r, d),
                                    repeats_previous)
            row += (f"{t_old * 1e3:>8.0f}ms{len(old_page) / 1e3:>8.0f}k"
                    f"{t_old / t_new:>7.0f}x")
        print(row)
    print("target: render_report <= 500 ms per report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
