"""``nof1 analyze`` and ``nof1 demo``: analyse a trial folder, print a table, write a report."""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any

import numpy as np

from .._constants import DISCLAIMER
from ._common import _json_text, _nonnegative_int
from .status import _participant_commitment, _refuse


# -- nof1 analyze ----------------------------------------------------------------------
def _add_analyze_parser(sub: Any) -> None:
    p = sub.add_parser("analyze", help="analyse the diary of a trial folder",
                       description="Check helper/key.json, the protocol and every printed "
                                   "copy against the participant's commitment, read "
                                   "participant/diary.csv, analyse every outcome, print a "
                                   "compact table and write an HTML report. Refuses before "
                                   "the day after the schedule's last analysed day (exit 4) "
                                   "unless --interim. Exit 1: the key does not match the "
                                   "commitment; 3: the protocol or a printed copy disagrees.")
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
    p.add_argument("--interim", action="store_true",
                   help="before the end: an interim look that never reveals the allocation "
                        "(data completeness only, or groups X/Y with --groups), unless the "
                        "protocol pre-registered an unblinded interim look")


def _table(result: Any) -> str:
    frame = result.to_frame()
    cols = ["outcome", "estimate", "ci_low", "ci_high", "pvalue", "pvalue_holm", "p_benefit",
            "p_benefit_mcid"]
    shown = frame[[c for c in cols if c in frame]].copy()
    exploratory = frame["exploratory"].fillna(False).astype(bool) if "exploratory" in frame \
        else np.zeros(len(frame), dtype=bool)
    shown.insert(1, "role", np.where(frame["primary"].astype(bool), "primary",
                                     np.where(exploratory, "exploratory", "secondary")))
    return shown.to_string(index=False, float_format=lambda x: f"{x:.3g}")


def _print_analysis(out: Any) -> None:
    result = out.result
    s = result.schedule
    if result.blinded:
        print(f"Trial {out.trial.protocol.trial_id} (blinded analysis): effects are group X − "
              f"group Y; which group is which treatment is unknown until the key is opened")
    else:
        print(f"Trial {out.trial.protocol.trial_id}: {s.active} vs {s.control}; effects are "
              f"{s.active} − {s.control}")
    print(_table(result))
    for r in result.outcomes.values():
        print(f"- {r.headline}")
    notes = {r.note for r in result.outcomes.values() if r.note and r.analysed}
    for note in sorted(notes):
        print(f"note: {note}")
    print(result.decision["text"])
    for issue in result.issues:
        print(f"warning: {issue.message}")
    level = f"{100 * result.confidence_level:g}%"
    bayes = ("" if result.blinded else
             "; p_benefit, p_benefit_mcid: posterior probability (reference prior) of any "
             "benefit / of a benefit of at least the MCID")
    print(f"estimate, ci_low/ci_high ({level}) and pvalue: one procedure, the randomization "
          f"test over the design's own assignments (CI by inverting it; two-sided); "
          f"pvalue_holm: Holm-adjusted (secondary outcomes){bayes}. Secondary and "
          f"sensitivity analyses are in the report. {DISCLAIMER}")
    print(_provenance_line(out.provenance))


def _provenance_line(prov: dict[str, Any]) -> str:
    if not prov:
        return ""
    checked = ("key verified (allocation audited; plan and printed copies agree)"
               if prov.get("key_verified") else
               "blinded analysis: key not read (printed copies agree)")
    interim = "; INTERIM analysis" if prov.get("interim") else ""
    return (f"Provenance: trial {prov['trial_id']}; commitment {prov['commitment']}; "
            f"{checked}{interim}; diary SHA-256 {prov['diary_sha256']}; "
            f"analysed {prov['analysed_on']} with nof1 {prov['nof1_version']}")


def _interim_completeness(directory: Path) -> int:
    """An interim look that reveals nothing: status and per-period completeness."""
    from ..data import read_diary
    from ..trial import read_trial
    from ..workflow import trial_status

    status = trial_status(directory)
    trial = read_trial(directory)
    diary = read_diary(directory / "participant" / "diary.csv", trial.calendar,
                       outcomes=list(trial.protocol.outcomes), warn=False)
    print(status.summary())
    print("Interim look (no allocation shown): share of analysed days with a score, per "
          "period so far")
    table = diary.completeness()
    table = table[table["period"] <= (status.period or trial.protocol.n_periods)]
    print(table.to_string(index=False, float_format=lambda x: f"{x:.0%}"))
    print("No effects are shown before the end: the protocol pre-registered no unblinded "
          "interim look. For a blinded check of the analysis, ask the helper for a group "
          f"key ('nof1 groups') and run: nof1 analyze {directory} --interim --groups FILE")
    return 0


def _needs_blind_interim(directory: Path, groups: Path | None) -> bool:
    """True when an interim look must show completeness only (nothing else is allowed)."""
    from ..trial import read_trial
    from ..workflow import last_analysed_day

    if groups is not None:
        return False
    trial = read_trial(directory)
    if last_analysed_day(trial) < _dt.date.today():
        return False
    return trial.protocol.blinded and trial.protocol.analysis_plan.get(
        "unblinded_interim") is not True


def _cmd_analyze(args: argparse.Namespace) -> int:
    from ..exceptions import KeyMismatchError, PlanMismatchError, TrialNotFinishedError
    from ..workflow import analyze_folder

    report = args.report
    if report is None and args.format == "table":
        report = args.directory / "report.html"
    try:
        if args.interim and _needs_blind_interim(args.directory, args.groups):
            if args.format == "json":
                raise TrialNotFinishedError(
                    "an interim look without a group key shows completeness only; use "
                    "'nof1 status DIR --format json', or --groups FILE")
            return _interim_completeness(args.directory)
        out = analyze_folder(args.directory, groups=args.groups, interim=args.interim)
    except (PlanMismatchError, TrialNotFinishedError) as exc:
        return _refuse(exc, _participant_commitment(args.directory)
                       if isinstance(exc, PlanMismatchError) else None)
    except KeyMismatchError as exc:
        return _refuse(exc, _participant_commitment(args.directory))
    # the results first: a report that cannot be written must not hide them
    if args.format == "json":
        print(_json_text({**out.result.to_dict(), "provenance": out.provenance}))
    else:
        _print_analysis(out)
    if report is not None:
        _write_report(out, report, force=args.force)
        if args.format != "json":
            print(f"Report: {report}")
    return 0


def _write_report(out: Any, report: Path, *, force: bool) -> None:
    """Render and write the HTML report; refuse (one line, exit 2) to replace one."""
    from ..report import render_report, write_report

    if report.exists() and not force:
        raise FileExistsError(f"{report} exists, so the report was not written (the results "
                              f"are above); use --force to replace it or --report to choose "
                              f"another file")
    write_report(render_report(out.result, out.diary, provenance=out.provenance), report,
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
