"""``nof1 design``: draw a schedule and write a new trial folder."""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any

from ..design import AlternatingDesign, Design, PairedDesign, PhaseDesign
from ..outcomes import DEFAULT_OUTCOMES, Outcome
from ._common import _date, _names, _nonnegative_int, _positive_int, _time, _UsageError


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
                   help="allocation seed. Open-label trials: the same seed reproduces the "
                        "allocation. Blinded trials: the seed is mixed with 256 bits of "
                        "secret entropy kept only in helper/key.json, so the seed alone "
                        "reproduces nothing and a guessed seed reveals nothing; the key "
                        "reproduces and audits the allocation (default: no seed)")
    p.add_argument("--unblinded-interim", action="store_true",
                   help="pre-register an unblinded interim look (default: an analysis before "
                        "the last analysed day shows completeness or groups X/Y only)")


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
    from ..trial import create_trial

    design, period_days = _build_design(args)
    outcomes = [_outcome(spec) for spec in args.outcomes]
    trial = create_trial(args.directory, design=design, start=args.start or _next_monday(),
                         period_days=period_days, run_in_days=args.run_in_days,
                         washout_days=args.washout_days, treatments=args.treatments,
                         outcomes=outcomes, primary=args.primary,
                         blinded=not args.open_label, rng=args.seed,
                         diary_time=args.diary_time,
                         unblinded_interim=args.unblinded_interim)
    print(trial.summary())
    print(f"Participant files: {trial.participant_dir}{Path('/')}  (schedule.csv, "
          f"calendar.ics, diary.csv, protocol.json, schedule.html)")
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
