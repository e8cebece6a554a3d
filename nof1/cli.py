"""The ``nof1`` command line: a thin shell over the public functions.

Subcommands::

    nof1 design DIR [options]   write a new trial folder and print a design summary
    nof1 verify DIR             check helper/key.json against the participant's commitment
    nof1 groups DIR             (helper) write a group key: which packs match, not what they hold
    nof1 analyze DIR            unblind, analyse the diary, print a table, write a report
    nof1 demo DIR               the whole pipeline on a simulated diary
    nof1 power [options]        simulated power of a paired design (planning)

Exit codes: 0 success; 1 the key does not match the commitment (``verify``);
2 any other expected error (bad option or date, existing folder, unreadable
file). Expected errors print exactly one line, ``nof1: error: ...``, on
stderr and no traceback; nothing is left half-written.

To add a subcommand, write ``_add_<name>_parser(subparsers)`` and
``_cmd_<name>(args) -> int`` and list the pair in ``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .design import AlternatingDesign, Design, PairedDesign, PhaseDesign
from .exceptions import KeyMismatchError, Nof1Error
from .outcomes import DEFAULT_OUTCOMES, Outcome

__all__ = ["main", "run"]

EXIT_MISMATCH = 1
EXIT_ERROR = 2


class _UsageError(Exception):
    """A command-line usage error (already formatted as one line)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line, raised instead of printed."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# -- argument types ---------------------------------------------------------------
def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _nonnegative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a date written YYYY-MM-DD, got {text!r}") from None


def _time(text: str) -> _dt.time:
    try:
        return _dt.time.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a time written HH:MM, got {text!r}") from None


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _outcome(spec: str) -> Outcome:
    """'pain' (a default outcome) or 'name:lower' / 'name:higher' (a 0-10 scale)."""
    name, _, direction = spec.partition(":")
    name, direction = name.strip().lower(), direction.strip().lower()
    if not direction and name in DEFAULT_OUTCOMES:
        return DEFAULT_OUTCOMES[name]
    if direction not in ("lower", "higher"):
        raise ValueError(f"outcome {spec!r}: use one of {', '.join(DEFAULT_OUTCOMES)}, or "
                         f"NAME:lower / NAME:higher (which direction is better) for a 0-10 scale")
    return Outcome(name=name, question=f"{name} today (0-10)", higher_is_better=direction
                   == "higher", mcid=1.0,
                   mcid_source="1 point on a 0-10 scale, pre-registered by convention "
                               "(no published anchor)")


def _next_monday(today: _dt.date | None = None) -> _dt.date:
    today = today or _dt.date.today()
    return today + _dt.timedelta(days=7 - today.weekday())


# -- nof1 design -------------------------------------------------------------------
def _add_design_parser(sub: Any) -> None:
    p = sub.add_parser(
        "design", help="write a new trial folder (participant/ and helper/)",
        description="Draw a randomized schedule and write a trial folder: participant/ "
                    "(schedule, calendar, diary template, protocol) and helper/ (key, pack "
                    "sheet). Defaults suit magnesium, which acts slowly: 14-day periods, the "
                    "first 7 days of each not analysed, a 7-day run-in.")
    p.add_argument("directory", type=Path, help="new folder to create (must not exist)")
    p.add_argument("--design", choices=["paired", "phase", "alternating"], default="paired",
                   help="randomization scheme (default: paired)")
    p.add_argument("--pairs", type=_positive_int, help="paired: number of pairs (default 6, "
                   "the fewest whose smallest two-sided p-value, 2/64, is below 0.05)")
    p.add_argument("--periods", type=_positive_int,
                   help="alternating: number of periods, even (default 12)")
    p.add_argument("--max-run", type=_positive_int,
                   help="alternating: at most this many periods of one treatment in a row")
    p.add_argument("--phases", help="phase: phase order, e.g. AB, ABA, ABAB (default ABAB)")
    p.add_argument("--days", type=_positive_int,
                   help="phase: days after the run-in (default 84)")
    p.add_argument("--min-phase", type=_positive_int,
                   help="phase: minimum days per phase (default 14)")
    p.add_argument("--period-days", type=_positive_int,
                   help="paired/alternating: days per period (default 14)")
    p.add_argument("--washout-days", type=_nonnegative_int, default=7,
                   help="first days of each period left out of the analysis (default 7)")
    p.add_argument("--run-in-days", type=_nonnegative_int, default=7,
                   help="diary-only days before the first period (default 7)")
    p.add_argument("--start", type=_date, help="first day, YYYY-MM-DD (default: next Monday)")
    p.add_argument("--treatments", type=_names,
                   help="treatment,control (default 'magnesium,placebo'; open-label: "
                        "'magnesium,no magnesium')")
    p.add_argument("--open-label", action="store_true",
                   help="no placebo available: an open-label trial, marked unblinded everywhere")
    p.add_argument("--outcomes", type=_names, default=list(DEFAULT_OUTCOMES),
                   help="daily outcomes (default pain,stress,sleep); other names as "
                        "NAME:lower or NAME:higher (which direction is better, 0-10 scale)")
    p.add_argument("--primary", help="primary outcome (default pain, else the first outcome)")
    p.add_argument("--diary-time", type=_time, default=_dt.time(20, 0),
                   help="time of the daily diary reminder, HH:MM (default 20:00)")
    p.add_argument("--seed", type=_nonnegative_int,
                   help="allocation seed, to reproduce a schedule; keep it secret, as it "
                        "reveals the allocation (default: fresh randomness)")


def _build_design(args: argparse.Namespace) -> tuple[Design, int]:
    """The design and period length from the options; flags of other designs are errors."""
    own = {"paired": {"pairs", "period_days"}, "alternating": {"periods", "max_run",
                                                               "period_days"},
           "phase": {"phases", "days", "min_phase"}}[args.design]
    for flag in ("pairs", "periods", "max_run", "phases", "days", "min_phase", "period_days"):
        if getattr(args, flag) is not None and flag not in own:
            raise _UsageError(f"--{flag.replace('_', '-')} does not apply to a "
                              f"{args.design} design")
    if args.design == "paired":
        return PairedDesign(n_pairs=args.pairs or 6), args.period_days or 14
    if args.design == "alternating":
        return (AlternatingDesign(n_periods=args.periods or 12, max_run=args.max_run),
                args.period_days or 14)
    return PhaseDesign(args.phases or "ABAB", n_occasions=args.days or 84,
                       min_phase=args.min_phase or 14), 1


def _cmd_design(args: argparse.Namespace) -> int:
    from .trial import create_trial

    design, period_days = _build_design(args)
    outcomes = [_outcome(spec) for spec in args.outcomes]
    trial = create_trial(args.directory, design=design, start=args.start or _next_monday(),
                         period_days=period_days, run_in_days=args.run_in_days,
                         washout_days=args.washout_days, treatments=args.treatments,
                         outcomes=outcomes, primary=args.primary,
                         blinded=not args.open_label, rng=args.seed,
                         diary_time=args.diary_time)
    print(trial.summary())
    print(f"Participant files: {trial.participant_dir}{Path('/')}  (schedule.csv, "
          f"calendar.ics, diary.csv, protocol.json, schedule.html)")
    print(f"Helper files:      {trial.helper_dir}{Path('/')}  (key.json, packs.html)")
    if trial.protocol.blinded:
        print("Keep helper/ away from the participant until the analysis: it reveals which "
              "pack holds what.")
    if args.seed is not None:
        print("The seed reproduces the allocation: keep it with the helper, not the "
              "participant.")
    return 0


# -- nof1 verify ---------------------------------------------------------------------
def _add_verify_parser(sub: Any) -> None:
    p = sub.add_parser("verify", help="check the helper's key against the commitment",
                       description="Check helper/key.json against the commitment in "
                                   "participant/protocol.json. Exit code 1 if they do not "
                                   "match, 2 if a file cannot be read.")
    p.add_argument("directory", type=Path, help="the trial folder")


def _cmd_verify(args: argparse.Namespace) -> int:
    from .blinding import short_commitment
    from .trial import verify_trial

    commitment = verify_trial(args.directory)
    print(f"key matches the commitment {short_commitment(commitment)}")
    return 0


# -- nof1 groups ---------------------------------------------------------------------------
def _add_groups_parser(sub: Any) -> None:
    p = sub.add_parser("groups", help="(helper) write a group key for a blinded analysis",
                       description="From helper/key.json, write a group key that says which "
                                   "packs hold the same thing (groups X and Y) but not which "
                                   "is which treatment, so the analysis can be run and "
                                   "checked before unblinding: nof1 analyze DIR --groups FILE.")
    p.add_argument("directory", type=Path, help="the trial folder")
    p.add_argument("--output", type=Path, default=None,
                   help="where to write it (default DIR/helper/groups.json; never overwritten)")


def _cmd_groups(args: argparse.Namespace) -> int:
    import json

    from .blinded_analysis import group_key
    from .blinding import load_key
    from .trial._atomic import write_file_atomic

    output = args.output or args.directory / "helper" / "groups.json"
    if output.exists():
        raise FileExistsError(f"{output} exists; remove it or choose --output")
    groups = group_key(load_key(args.directory / "helper" / "key.json"))
    write_file_atomic(output, (json.dumps(groups, indent=2) + "\n").encode("utf-8"))
    print(f"Group key: {output} ({len(groups['groups'])} packs in groups X and Y; "
          f"it does not say which group is which treatment)")
    print(f"Blinded analysis: nof1 analyze {args.directory} --groups {output}")
    return 0


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

    from .report import render_report, write_report
    from .workflow import analyze_folder

    report = args.report
    if report is None and args.format == "table":
        report = args.directory / "report.html"
    if report is not None and report.exists() and not args.force:
        raise FileExistsError(f"{report} exists; use --force to replace it or --report to "
                              f"choose another file")
    out = analyze_folder(args.directory, groups=args.groups)
    if report is not None:
        write_report(render_report(out.result, out.diary), report, overwrite=args.force)
    if args.format == "json":
        print(json.dumps(out.result.to_dict(), indent=2, default=_json_default))
    else:
        _print_analysis(out)
        print(f"Report: {report}")
    return 0


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (_dt.date, Path)):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


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
    from .workflow import run_demo

    out, report = run_demo(args.directory, seed=args.seed)
    print(out.trial.summary())
    print()
    print("Simulated diary: participant/diary.csv (simulated data, for demonstration)")
    _print_analysis(out)
    print(f"Report: {report}")
    return 0


# -- nof1 power ----------------------------------------------------------------------------
def _int_list(text: str) -> list[int]:
    try:
        if "-" in text and "," not in text:
            lo, hi = (int(x) for x in text.split("-", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be numbers like 3-10 or 7,14,21, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"must be positive whole numbers, got {text!r}")
    return values


def _add_power_parser(sub: Any) -> None:
    p = sub.add_parser("power", help="simulated power of a paired design",
                       description="Simulate personal trials (AR(1) daily noise, "
                                   "between-period drift) through the real design and "
                                   "analysis code and report power per method; with "
                                   "--grid-pairs/--grid-period-days also power against "
                                   "the number of pairs and the period length.")
    p.add_argument("--pairs", type=_positive_int, default=6)
    p.add_argument("--period-days", type=_positive_int, default=14)
    p.add_argument("--washout-days", type=_nonnegative_int, default=7)
    p.add_argument("--effect", type=float, default=-1.0,
                   help="true difference treatment − control (default -1: one point lower)")
    p.add_argument("--sd", type=float, default=1.5, help="SD of daily scores (default 1.5)")
    p.add_argument("--rho", type=float, default=0.3, help="lag-1 autocorrelation (0.3)")
    p.add_argument("--period-sd", type=float, default=0.3,
                   help="SD of between-period drift (default 0.3)")
    p.add_argument("--onset-days", type=float, default=0.0,
                   help="time constant of gradual onset/offset (default 0)")
    p.add_argument("--mcid", type=float, default=1.0)
    p.add_argument("--higher-is-better", action="store_true")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--sims", type=_positive_int, default=10_000,
                   help="simulated trials (default 10000; GLS uses --gls-sims)")
    p.add_argument("--gls-sims", type=_nonnegative_int, default=200)
    p.add_argument("--grid-pairs", type=_int_list, default=None, metavar="LIST",
                   help="numbers of pairs for the grid, e.g. 3-10")
    p.add_argument("--grid-period-days", type=_int_list, default=None, metavar="LIST",
                   help="period lengths for the grid, e.g. 7,14,21")
    p.add_argument("--plot", type=Path, default=None,
                   help="write a PNG plot of the grid (power against pairs)")
    p.add_argument("--seed", type=_nonnegative_int, default=None)


def _cmd_power(args: argparse.Namespace) -> int:
    from .power import power_grid, simulate_power

    if args.plot is not None and args.plot.exists():
        raise FileExistsError(f"{args.plot} exists; choose another file name")
    rng = np.random.default_rng(args.seed)
    common = dict(effect=args.effect, sd=args.sd, rho=args.rho, period_sd=args.period_sd,
                  washout_days=args.washout_days, onset_days=args.onset_days,
                  mcid=args.mcid, higher_is_better=args.higher_is_better, alpha=args.alpha)
    res = simulate_power(PairedDesign(args.pairs), period_days=args.period_days,
                         n_sims=args.sims, n_sims_gls=args.gls_sims, rng=rng, **common)
    print(res.summary())
    if args.grid_pairs or args.grid_period_days or args.plot:
        grid = power_grid(n_pairs=args.grid_pairs or list(range(2, 11)),
                          period_days=args.grid_period_days or [args.period_days],
                          n_sims=min(args.sims, 4000), progress=True, rng=rng, **common)
        wide = grid.pivot(index="n_pairs", columns="period_days", values="power")
        wide.columns = [f"{c}-day" for c in wide.columns]
        print("\nPower of the randomization test against the number of pairs "
              f"({min(args.sims, 4000)} simulated trials each):")
        print(wide.to_string(float_format=lambda x: f"{x:.2f}"))
        if args.plot is not None:
            from .plots import close, plot_power
            from .trial._atomic import write_file_atomic

            ax = plot_power(grid)
            buf = io.BytesIO()
            ax.figure.savefig(buf, format="png", dpi=110)
            close(ax)
            write_file_atomic(args.plot, buf.getvalue())
            print(f"Plot: {args.plot}")
    return 0


_COMMANDS: dict[str, tuple[Callable[[Any], None], Callable[[argparse.Namespace], int]]] = {
    "design": (_add_design_parser, _cmd_design),
    "verify": (_add_verify_parser, _cmd_verify),
    "groups": (_add_groups_parser, _cmd_groups),
    "analyze": (_add_analyze_parser, _cmd_analyze),
    "demo": (_add_demo_parser, _cmd_demo),
    "power": (_add_power_parser, _cmd_power),
}


def _parser() -> _Parser:
    from . import __version__

    parser = _Parser(prog="nof1", description="Personal (N-of-1) trials. A research and "
                                              "self-tracking tool, not medical advice.")
    parser.add_argument("--version", action="version", version=f"nof1 {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add, _ in _COMMANDS.values():
        add(sub)
    return parser


#: parameter names in library messages -> the option a command-line user typed
_FLAGS = {"n_pairs": "--pairs", "n_periods": "--periods", "max_run": "--max-run",
          "phases": "--phases", "n_occasions": "--days", "min_phase": "--min-phase",
          "period_days": "--period-days", "washout_days": "--washout-days",
          "run_in_days": "--run-in-days", "start": "--start", "treatments": "--treatments",
          "outcomes": "--outcomes", "primary": "--primary", "rng": "--seed"}


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, Nof1Error) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror}:{where}" if where else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    for name, flag in _FLAGS.items():
        text = text.replace(f"`{name}`", flag)
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after the program name.

    Returns
    -------
    int
        0 on success, 1 when ``verify`` finds a key that does not match its
        commitment, 2 for any other expected error (one line on stderr).

    Examples
    --------
    >>> main(["--version"])
    nof1 ...
    0
    """
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command][1](args)
    except KeyMismatchError as exc:
        print(f"nof1: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_MISMATCH
    except (_UsageError, Nof1Error, ValueError, OSError) as exc:
        print(f"nof1: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("nof1: error: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point: ``sys.exit(main())``."""
    sys.exit(main())


if __name__ == "__main__":
    run()
