"""SCRT 1.3.1 (R) timed in the same run as nof1, when R with SCRT is installed.

SCRT is not a Debian package. Installed from the CRAN source (the package is pure R)::

    R CMD INSTALL SCRT_1.3.1.tar.gz        # or a checkout of github.com/cran/SCRT
    apt-get install r-cran-jsonlite         # the cases travel to R as JSON

Every function returns None when ``Rscript``, SCRT or jsonlite is missing, so that the
benchmarks can say "not measured in this run" instead of quoting figures taken elsewhere.

A case is a dict with SCRT's arguments: ``design`` ('RBD', 'AB', 'ABAB', ...),
``statistic`` ('A-B', 'B-A', '|A-B|', 'PA-PB', ...), ``limit`` (None for RBD/CRD),
``labels`` (SCRT's labels: 'A'/'B' per unit, or 'A1', 'B1', 'A2', 'B2' for phases) and
``scores``.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

#: R code that times ``pvalue.systematic`` on each case, in one R process: one warm-up
#: call, then the best of ``repeats`` timed calls (``proc.time`` elapsed seconds)
_TIMING_R = r"""
suppressPackageStartupMessages({library(SCRT); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)
repeats <- as.integer(args[2])
out <- list()
for (case in cases) {
  data <- data.frame(labels = unlist(case$labels), scores = unlist(case$scores))
  limit <- if (is.null(case$limit)) 1 else case$limit
  run <- function() pvalue.systematic(design = case$design, statistic = case$statistic,
                                      limit = limit, data = data)
  p <- run()
  best <- Inf
  for (r in seq_len(repeats)) {
    t0 <- proc.time()[["elapsed"]]
    run()
    best <- min(best, proc.time()[["elapsed"]] - t0)
  }
  out[[length(out) + 1]] <- list(pvalue = p, seconds = best)
}
cat(toJSON(out, auto_unbox = TRUE, digits = NA))
"""


@functools.cache
def version() -> str | None:
    """'SCRT x.y.z, R a.b.c' when Rscript, SCRT and jsonlite are installed, else None."""
    if shutil.which("Rscript") is None:
        return None
    code = ('suppressPackageStartupMessages({library(SCRT); library(jsonlite)}); '
            'cat("SCRT", as.character(packageVersion("SCRT")), "with",'
            ' R.version$version.string)')
    try:
        done = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def status_line() -> str:
    """One line for a benchmark's header: what was, or was not, measured."""
    v = version()
    if v is None:
        return ("SCRT: NOT measured in this run (Rscript with SCRT and jsonlite is not "
                "installed; see benchmarks/_scrt.py)")
    return f"SCRT: measured in this run ({v}), pvalue.systematic in one R process"


def time_cases(cases: list[dict[str, Any]], repeats: int = 3
               ) -> list[tuple[float, float]] | None:
    """(p-value, best seconds) of ``pvalue.systematic`` per case, or None without SCRT.

    The seconds are measured inside R (no start-up); the p-value is SCRT's, to check
    that both programs computed the same thing.
    """
    if version() is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cases.json"
        path.write_text(json.dumps([_plain(c) for c in cases]))
        script = Path(tmp) / "time.R"
        script.write_text(_TIMING_R)
        done = subprocess.run(["Rscript", str(script), str(path), str(repeats)],
                              capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"SCRT timing failed: {done.stderr.strip()[-400:]}")
    return [(float(r["pvalue"]), float(r["seconds"])) for r in json.loads(done.stdout)]


def process_seconds(case: dict[str, Any], repeats: int = 3) -> float | None:
    """Best wall time of a whole ``Rscript`` process (start-up, library(SCRT), one
    ``pvalue.systematic``), or None without SCRT."""
    if version() is None:
        return None
    c = _plain(case)
    labels = ", ".join(f'"{v}"' for v in c["labels"])
    scores = ", ".join(repr(v) for v in c["scores"])
    limit = 1 if c["limit"] is None else c["limit"]
    code = (f'suppressPackageStartupMessages(library(SCRT)); '
            f'd <- data.frame(labels = c({labels}), scores = c({scores})); '
            f'cat(pvalue.systematic(design = "{c["design"]}", statistic = "{c["statistic"]}", '
            f'limit = {limit}, data = d))')
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(["Rscript", "-e", code], capture_output=True, check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def _plain(case: dict[str, Any]) -> dict[str, Any]:
    return {"design": case["design"], "statistic": case["statistic"],
            "limit": case.get("limit"), "labels": [str(v) for v in case["labels"]],
            "scores": [float(v) for v in case["scores"]]}
