"""``nof1 design``: draw a schedule and write a new trial folder."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path
from typing import Any

from ..design import Design, DesignOption, PairedDesign, design_from_dict
from ..outcomes import DEFAULT_OUTCOMES, Outcome, parse_outcome_spec, read_outcomes_file
from ._common import _date, _names, _nonnegative_int, _positive_int, _time, _UsageError


def _outcome(spec: str) -> Outcome:
    """An outcome from its one-line spec (see :func:`nof1.outcomes.parse_outcome_spec`)."""
    return parse_outcome_spec(spec)


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
    kinds = _design_kinds()
    p.add_argument("--design", choices=list(kinds), default=DEFAULT_DESIGN.kind,
                   help=f"randomization scheme (default: {DEFAULT_DESIGN.kind})")
    for flag, declared in _design_options().items():
        helps: dict[str, list[str]] = {}
        for kind, option in declared:
            helps.setdefault(option.help, []).append(kind)
        p.add_argument("--" + flag.replace("_", "-"),
                       type=None if declared[0][1].text else _positive_int,
                       help="; ".join(f"{'/'.join(kinds)}: {text}"
                                      for text, kinds in helps.items()))
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
    p.add_argument("--outcomes", type=_names, default=None,
                   help="daily outcomes, comma-separated (default pain,stress,sleep); other "
                        "names as NAME:lower or NAME:higher (which direction is better, 0-10 "
                        "scale); see also --outcome")
    p.add_argument("--primary", help="primary outcome (default pain, else the first outcome)")
    p.add_argument("--diary-time", type=_time, default=_dt.time(20, 0),
                   help="time of the daily diary reminder, HH:MM (default 20:00)")
    p.add_argument("--seed", type=_nonnegative_int,
                   help="allocation seed. Open-label trials: the same seed reproduces the "
                        "allocation. Blinded trials: the seed is mixed with 256 bits of "
                        "secret entropy kept only in helper/key.json, so the seed alone "
                        "reproduces nothing and a guessed seed reveals nothing; the key "
                        "reproduces and audits the allocation (default: no seed)")
    p.add_argument("--unblinded-interim", action="store_true",
                   help="pre-register an unblinded interim look (default: an analysis before "
                        "the last analysed day shows completeness or groups X/Y only)")
    _add_people_options(p)


#: the design ``nof1 design`` draws unless told otherwise
DEFAULT_DESIGN: type[Design] = PairedDesign


def _design_kinds() -> dict[str, type[Design]]:
    """Every design the command line offers, the default first (the design classes' own
    registry: a new Design subclass brings its kind and options without an edit here)."""
    kinds = Design.registered()
    return {DEFAULT_DESIGN.kind: DEFAULT_DESIGN,
            **{k: c for k, c in kinds.items() if c is not DEFAULT_DESIGN}}


def _design_options() -> dict[str, list[tuple[str, DesignOption]]]:
    """Each option flag of any design, with (kind, declaration) of every design taking it;
    options of one design first, then those several designs share."""
    out: dict[str, list[tuple[str, DesignOption]]] = {}
    for kind, cls in _design_kinds().items():
        for option in cls.options:
            out.setdefault(option.flag, []).append((kind, option))
    return dict(sorted(out.items(), key=lambda item: len(item[1]) > 1))


def _add_people_options(p: Any) -> None:
    """Options for the people around the trial: outcomes they define, the helper's kit."""
    p.add_argument("--outcome", action="append", default=[], metavar="SPEC",
                   help="an outcome defined in full, repeatable: NAME[:LOW-HIGH]"
                        "[:lower|higher][:mcid=X][:question=TEXT][:low=ANCHOR][:high=ANCHOR]"
                        "[:source=TEXT], e.g. 'mood:0-10:higher:mcid=1.5:question=How was "
                        "your mood today?'; with --outcome (or --outcomes-file) the diary asks "
                        "exactly the outcomes listed (add 'pain' etc. to keep a default one)")
    p.add_argument("--outcomes-file", type=Path, default=None, metavar="FILE",
                   help="outcomes from a text file, one SPEC (as for --outcome) per line; "
                        "blank lines and lines starting with # are skipped")
    p.add_argument("--product", default="", metavar="TEXT",
                   help="what the treatment packs hold, e.g. 'magnesium citrate 300 mg'; "
                        "printed on the helper's sheet (and, with the control product, the "
                        "same on every label)")
    p.add_argument("--control-product", default="", metavar="TEXT",
                   help="what the control packs hold, e.g. 'placebo capsule, same size and "
                        "colour'")
    p.add_argument("--doses-per-day", type=_positive_int, default=1, metavar="N",
                   help="doses (capsules) per day, for the counts the helper prepares "
                        "(default 1)")
    p.add_argument("--yes", action="store_true",
                   help="do not ask: accept a start date in the past")


def _outcomes_from_args(args: argparse.Namespace) -> list[Outcome]:
    """--outcomes, --outcome and --outcomes-file together; the defaults when none is given."""
    listed = [_outcome(spec) for spec in args.outcomes or []]
    listed += [_outcome(spec) for spec in args.outcome]
    if args.outcomes_file is not None:
        listed += read_outcomes_file(args.outcomes_file)
    return listed or list(DEFAULT_OUTCOMES.values())


def _confirm_past_start(start: _dt.date, yes: bool, today: _dt.date | None = None) -> None:
    """Warn about a start date in the past; ask on a terminal, refuse without one (exit 2)."""
    today = today or _dt.date.today()
    if start >= today:
        return
    days = (today - start).days
    warning = (f"nof1: warning: the start date {start.isoformat()} is {days} day(s) in the "
               f"past: the calendar's first pack changes and reminders are already over")
    if yes:
        print(warning, file=sys.stderr)
        return
    if not sys.stdin.isatty():
        raise _UsageError(f"the start date {start.isoformat()} is in the past; choose --start "
                          f"(default: next Monday) or pass --yes to create the trial anyway")
    print(warning, file=sys.stderr)
    try:
        answer = input("Create the trial with this start date anyway? [y/N] ")
    except EOFError:
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise _UsageError("nothing written: the start date is in the past")


def _helper_kit(args: argparse.Namespace) -> Any:
    from ..trial import HelperKit

    return HelperKit(product=args.product.strip(), control_product=args.control_product.strip(),
                     doses_per_day=args.doses_per_day)


#: assumed noise for the power printed by ``nof1 design``, per 10 points of scale
#: (the defaults of ``nof1 power``; see its --sd, --rho and --period-sd)
DESIGN_POWER_NOISE = {"sd": 1.5, "rho": 0.3, "period_sd": 0.3}
DESIGN_POWER_SIMS = 2000
DESIGN_POWER_SEED = 20260105
#: above this many assignments the exact test is slow to simulate: the paired t-test is shown
_EXACT_SIM_LIMIT = 2**14


def _power_text(protocol: Any) -> str:
    """The power of the chosen design for the primary outcome's MCID, under stated noise."""
    from ..planning.power import simulate_power

    design = design_from_dict(protocol.design)
    o = protocol.primary_outcome
    if not design.pairs_are_blocks:
        return (f"Power: not simulated for a {design.kind} design ('nof1 power' plans paired "
                f"designs).")
    scale = (o.high - o.low) / 10.0
    sd, rho, period_sd = (DESIGN_POWER_NOISE["sd"] * scale, DESIGN_POWER_NOISE["rho"],
                          DESIGN_POWER_NOISE["period_sd"] * scale)
    effect = o.mcid if o.higher_is_better else -o.mcid
    method = "randomization" if protocol.n_assignments <= _EXACT_SIM_LIMIT else "paired_t"
    res = simulate_power(design, effect=effect, sd=sd, rho=rho,
                         period_sd=period_sd, period_days=protocol.period_days,
                         washout_days=protocol.washout_days, mcid=o.mcid,
                         higher_is_better=o.higher_is_better, n_sims=DESIGN_POWER_SIMS,
                         methods=(method,), rng=DESIGN_POWER_SEED)
    row = res.table.iloc[0]
    test = ("the randomization test" if method == "randomization" else
            "the period-level paired t-test (close to the randomization test at this size)")
    lines = [f"Power: {row['rejection_rate']:.0%} (± {row['mc_se']:.0%}) that {test}",
             f"  reaches two-sided p < 0.05 if the treatment changes {o.name} by its MCID "
             f"({o.mcid:g}),",
             f"  assuming daily SD {sd:g}, day-to-day correlation {rho:g} and "
             f"period-to-period SD {period_sd:g}",
             f"  (assumed, not estimated from data; {DESIGN_POWER_SIMS} simulated trials, "
             f"seed {DESIGN_POWER_SEED})."]
    if protocol.min_pvalue["two-sided"] >= 0.05:
        lines.append("  (p < 0.05 is impossible with this design, so the power is 0.)")
    lines.append(f"  Other assumptions: nof1 power --pairs {design.n_units // 2} --period-days "
                 f"{protocol.period_days} --washout-days {protocol.washout_days} --effect "
                 f"{effect:g} --sd {sd:g} --rho {rho:g} --period-sd {period_sd:g}")
    return "\n".join(lines)


def _build_design(args: argparse.Namespace) -> tuple[Design, int]:
    """The design and period length from the options; flags of other designs are errors."""
    cls = _design_kinds()[args.design]
    own = {option.flag for option in cls.options}
    for flag in _design_options():
        if getattr(args, flag) is not None and flag not in own:
            raise _UsageError(f"--{flag.replace('_', '-')} does not apply to a "
                              f"{args.design} design")
    return cls.from_options({flag: getattr(args, flag) for flag in own})


def _cmd_design(args: argparse.Namespace) -> int:
    from ..trial import create_trial

    design, period_days = _build_design(args)
    outcomes = _outcomes_from_args(args)
    start = args.start or _next_monday()
    _confirm_past_start(start, args.yes)
    trial = create_trial(args.directory, design=design, start=start, helper_kit=_helper_kit(args),
                         period_days=period_days, run_in_days=args.run_in_days,
                         washout_days=args.washout_days, treatments=args.treatments,
                         outcomes=outcomes, primary=args.primary,
                         blinded=not args.open_label, rng=args.seed,
                         diary_time=args.diary_time,
                         unblinded_interim=args.unblinded_interim)
    print(trial.summary())
    print(_power_text(trial.protocol))
    print(f"Participant files: {trial.participant_dir}{Path('/')}  (diary.html, "
          f"paper-diary.html, schedule.html, calendar.ics, diary.csv, schedule.csv, "
          f"protocol.json)")
    print(f"Helper files:      {trial.helper_dir}{Path('/')}  (key.json, packs.html)")
    if trial.protocol.blinded:
        print("Keep helper/ away from the participant until the analysis: it reveals which "
              "pack holds what.")
    if args.seed is not None and not trial.protocol.blinded:
        print("The seed reproduces the allocation of this open-label trial.")
    elif args.seed is not None:
        print("The seed alone does not reproduce this blinded allocation: it was mixed with "
              "secret entropy that only helper/key.json holds.")
    print("Keep a copy of the full commitment (print it, or e-mail it to yourself): "
          "nof1 verify checks the folder against it.")
    return 0
