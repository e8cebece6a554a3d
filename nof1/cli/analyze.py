"""``nof1 analyze`` and ``nof1 demo``: analyse a trial folder, print a table, write a report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ._common import _json_default, _nonnegative_int


# -- nof1 analyze ----------------------------------------------------------------------
def _add_analyze_parser(sub: Any) -> None:
    p = sub.add_parser("analyze", help="analyse the diary of a trial folder",
                       description="Check helper/key.json against the participant's "
                                   "commitment, read participant/diary.csv, analyse every "
                                   "outcome, print a compact table and write an HTML report.")
    p.add_argument("directory", type=Path, help="the trial folder")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table (default) or machine-readable JSON on standard output")
    p.add_argument("--report", type=Path, default=None,
                   help="where to write the HTML report (default DIR/report.html with "
                        "--format table; none with --format json unless given)")
    p.add_argument("--force", action="store_true",
                   help="replace an existing report file")
    p.add_argument("--groups", type=Path, default=None,
                   help="blinded analysis: a group key from the helper (packs as groups X "
                        "and Y) instead of helper/key.json")


def _table(result: Any) -> str:
    frame = result.to_frame()
    cols = ["outcome", "estimate", "ci_low", "ci_high", "pvalue", "pvalue_holm", "p_benefit",
            "p_benefit_mcid"]
    shown = frame[[c for c in cols if c in frame]].copy()
    shown.insert(1, "role", np.where(frame["primary"], "primary", "secondary"))
    return shown.to_string(index=False, float_format=lambda x: f"{x:.3g}")


def _print_analysis(out: Any) -> None:
    result = out.result
    s = result.schedule
    print(f"Trial {out.trial.protocol.trial_id}: {s.active} vs {s.control}; effects are "
          f"{s.active} − {s.control}")
    print(_table(result))
    for r in result.outcomes.values():
        print(f"- {r.interpretation}")
    print(result.decision["text"])
    for issue in result.issues:
        print(f"warning: {issue.message}")
    print("pvalue: exact randomization test over the design's assignments; pvalue_holm: "
          "Holm-adjusted (secondary outcomes). A research and self-tracking tool, not "
          "medical advice.")


def _cmd_analyze(args: argparse.Namespace) -> int:
    import json

    from ..workflow import analyze_folder

    report = args.report
    if report is None and args.format == "table":
        report = args.directory / "report.html"
    out = analyze_folder(args.directory, groups=args.groups)
    # the results first: a report that cannot be written must not hide them
    if args.format == "json":
        print(json.dumps(out.result.to_dict(), indent=2, default=_json_default))
    else:
        _print_analysis(out)
    if report is not None:
        _write_report(out, report, force=args.force, groups=args.groups is not None)
        if args.format != "json":
            print(f"Report: {report}")
    return 0


def _write_report(out: Any, report: Path, *, force: bool, groups: bool) -> None:
    """Render and write the HTML report; refuse (one line, exit 2) to replace one."""
    from ..report import render_report, write_report

    if report.exists() and not force:
        raise FileExistsError(f"{report} exists, so the report was not written (the results "
                              f"are above); use --force to replace it or --report to choose "
                              f"another file")
    protocol = out.trial.protocol
    provenance = {"trial_id": getattr(protocol, "trial_id", None),
                  "commitment": getattr(protocol, "commitment", None),
                  # read_trial(unblind=True) raises unless the key matches the commitment
                  "key_verified": "not read (blinded analysis with a group key)" if groups
                  else True}
    write_report(render_report(out.result, out.diary, provenance=provenance), report,
                 overwrite=force)


# -- nof1 demo -----------------------------------------------------------------------------
def _add_demo_parser(sub: Any) -> None:
    p = sub.add_parser("demo", help="run the whole pipeline on a simulated diary",
                       description="Design a 6-pair magnesium-vs-placebo trial into DIR, fill "
                                   "its diary with simulated scores, analyse it and write "
                                   "DIR/report.html. The simulated effects are invented.")
    p.add_argument("directory", type=Path, help="a new folder for the demo trial")
    p.add_argument("--seed", type=_nonnegative_int, default=1,
                   help="seed of the demo's allocation and simulated diary (default 1)")


def _cmd_demo(args: argparse.Namespace) -> int:
    from ..workflow import run_demo

    out, report = run_demo(args.directory, seed=args.seed)
    print(out.trial.summary())
    print()
    print("Simulated diary: participant/diary.csv (simulated data, for demonstration)")
    _print_analysis(out)
    print(f"Report: {report}")
    return 0
