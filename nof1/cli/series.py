"""``nof1 series``: collect trial folders into a series; analyse and pool a series.

::

    nof1 series collect DIR... --out SERIES [--covariates FILE] [--format csv|parquet]
    nof1 series analyze SERIES [--outcome NAME] [--moderator COLUMN] [--prespecified]
                               [--moderators-tried N] [--out DIR] [--dask-scheduler ADDRESS]

Exit codes as for every command: 1 when a trial's key fails its commitment (``collect``),
2 for bad input. Nothing is half-written: the output folder appears complete or not at all.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from ._common import _Parser, _positive_int, _UsageError


def _add_series_parser(sub: Any) -> None:
    p = sub.add_parser("series", help="pool a series of personal trials",
                       description="Series of personal trials: collect trial folders into "
                                   "one series, then analyse each person and pool them.")
    ss = p.add_subparsers(dest="series_command", metavar="SUBCOMMAND", required=True,
                          parser_class=_Parser)
    c = ss.add_parser("collect", help="build a series from trial folders",
                      description="Verify each trial folder's key against its commitment, "
                                  "read its diary, and write trials and diary tables. A key "
                                  "that fails stops everything (exit 1); nothing is written.")
    c.add_argument("directories", nargs="+", type=Path, metavar="DIR",
                   help="trial folders (the folder name is the person)")
    c.add_argument("--out", type=Path, required=True, help="the series folder to create")
    c.add_argument("--covariates", type=Path, default=None,
                   help="CSV of person-level covariates (person, baseline_stress, age, ...)")
    c.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="table format (parquet needs the 'series' extra)")
    a = ss.add_parser("analyze", help="per-person results and pooled effects of a series",
                      description="Analyse every person's trial (vectorised), pool them "
                                  "(random-effects meta-analysis, one-stage model, Bayesian "
                                  "hierarchical model, series randomization test), and "
                                  "write report.html and the per-person table.")
    a.add_argument("directory", type=Path, metavar="SERIES",
                   help="a series folder (from 'collect', or partitioned Parquet)")
    a.add_argument("--outcome", action="append", default=None,
                   help="outcome to pool (repeatable; default: the primary outcome)")
    a.add_argument("--moderator", default=None,
                   help="a person-level covariate, e.g. baseline_stress")
    a.add_argument("--prespecified", action="store_true",
                   help="the moderator was named in the protocol (default: exploratory)")
    a.add_argument("--moderators-tried", type=_positive_int, default=1,
                   help="how many moderators were examined in all (default 1)")
    a.add_argument("--out", type=Path, default=None,
                   help="folder to create for the report (default SERIES/analysis)")
    a.add_argument("--dask-scheduler", default=None, metavar="ADDRESS",
                   help="run the per-person analysis on this Dask scheduler "
                        "(partitioned series)")
    a.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none when standard error is not a terminal)")


def _cmd_series(args: argparse.Namespace) -> int:
    if args.series_command == "collect":
        return _collect(args)
    return _analyze(args)


def _collect(args: argparse.Namespace) -> int:
    from ..series import collect_series, write_series

    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise _UsageError(f"{args.out} exists and is not empty; choose a new --out folder")
    series = collect_series(args.directories, covariates=args.covariates)
    write_series(series, args.out, format=args.format)
    print(series.summary())
    print(f"Series written to {args.out}")
    return 0


def _analyze(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..series import analyze_series, read_series
    from ..series.data import _has_pyarrow
    from ..series.pipeline import pool_outcome
    from ..series.report import render_series_report
    from ..series.scale import analyze_partitioned, is_partitioned
    from ..trial._atomic import write_tree_atomic

    out = args.out or args.directory / "analysis"
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise _UsageError(f"{out} exists and is not empty; choose a new --out folder")
    # a bar only where someone watches: a log file or a pipe gets none
    progress = not args.no_progress and sys.stderr.isatty()
    if is_partitioned(args.directory):
        first = sorted((args.directory / "trials").glob("part-*.parquet"))
        if not first:
            raise _UsageError(f"{args.directory}/trials holds no part files")
        head = pd.read_parquet(first[0])
        primary = str(head["primary"].iloc[0])
        outcomes = args.outcome or [primary]
        results = analyze_partitioned(args.directory, outcomes=outcomes,
                                      scheduler=args.dask_scheduler, progress=progress)
    else:
        if args.dask_scheduler:
            raise _UsageError("--dask-scheduler needs a partitioned series "
                              "(trials/ and diary/ folders of Parquet parts)")
        series = read_series(args.directory)
        outcomes = args.outcome or [series.primary]
        for o in outcomes:
            series.outcome(o)
        results = analyze_series(series, outcomes=outcomes, progress=progress)
    if args.moderator is not None and args.moderator not in results.covariates.columns:
        covs = [c for c in results.covariates.columns if c != "person"]
        raise _UsageError(f"--moderator must be a person-level covariate, one of {covs}; "
                          f"got {args.moderator!r}")
    analyses = [pool_outcome(results, o, moderator=args.moderator,
                             prespecified=args.prespecified,
                             n_moderators_tried=args.moderators_tried) for o in outcomes]
    page = render_series_report(analyses)
    table = pd.concat([a.persons_table() for a in analyses], ignore_index=True)
    files = {"report.html": page.encode("utf-8"),
             "persons.csv": table.to_csv(index=False, lineterminator="\n").encode(),
             "pooled.csv": pd.concat([a.to_frame() for a in analyses])
             .to_csv(index=False, lineterminator="\n").encode()}
    if _has_pyarrow():
        buf = io.BytesIO()
        table.to_parquet(buf, index=False)
        files["persons.parquet"] = buf.getvalue()
    write_tree_atomic(out, files)
    for a in analyses:
        print(a.meta.summary())
        if a.moderator is not None:
            print(a.moderator.summary())
    print(f"Report: {out / 'report.html'}; per-person table: {out / 'persons.csv'}")
    return 0
