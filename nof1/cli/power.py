"""``nof1 power``: simulated power of a paired design (planning)."""

from __future__ import annotations

import argparse
import dataclasses
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pandas is imported where the simulation runs, not for `nof1 --help`
    import pandas as pd

from ..design import PairedDesign
from ._common import _nonnegative_int, _positive_int

#: human names of the methods (the machine names stay in the tables)
METHOD_LABELS = {
    "randomization": "randomization test (exact, period means)",
    "paired_t": "paired t-test on period means",
    "bayes": "Bayesian decision rule",
    "gls_ar1": "GLS with AR(1) errors (day level)",
}
GRID_SIMS_CAP = 4000
#: marks in the grid: a period length with no analysed day; p < alpha unattainable
NO_ANALYSED_DAY = "n/a"
UNATTAINABLE = "0*"


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
                                   "analysis code and report power per method and the "
                                   "probability of each decision of the pre-registered "
                                   "rule (sceptical prior); with "
                                   "--grid-pairs/--grid-period-days also power against "
                                   "the number of pairs and the period length. The noise "
                                   "values are assumptions: set them from your own run-in "
                                   "diary if you have one.")
    p.add_argument("--pairs", type=_positive_int, default=6,
                   help="number of pairs of periods (default 6)")
    p.add_argument("--period-days", type=_positive_int, default=14,
                   help="days per period (default 14)")
    p.add_argument("--washout-days", type=_nonnegative_int, default=7,
                   help="first days of each period not analysed (default 7)")
    p.add_argument("--effect", type=float, default=-1.0,
                   help="true difference treatment − control (default -1: one point lower)")
    p.add_argument("--sd", type=float, default=1.5, help="SD of daily scores (default 1.5)")
    p.add_argument("--rho", type=float, default=0.3,
                   help="lag-1 autocorrelation of daily scores (default 0.3)")
    p.add_argument("--period-sd", type=float, default=0.3,
                   help="SD of between-period drift (default 0.3)")
    p.add_argument("--onset-days", type=float, default=0.0,
                   help="time constant of gradual onset/offset (default 0)")
    p.add_argument("--mcid", type=float, default=1.0,
                   help="minimal clinically important difference, for the Bayesian "
                        "decision rule (default 1)")
    p.add_argument("--higher-is-better", action="store_true",
                   help="higher scores are better (default: lower is better, as for pain)")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="two-sided significance level (default 0.05)")
    p.add_argument("--decision-threshold", type=float, default=0.8,
                   help="posterior probability of a benefit of at least the MCID that the "
                        "pre-registered rule requires (default 0.8, as in the protocol)")
    p.add_argument("--sims", type=_positive_int, default=10_000,
                   help="simulated trials (default 10000; GLS uses --gls-sims; the grid at "
                        f"most {GRID_SIMS_CAP} per cell)")
    p.add_argument("--gls-sims", type=_nonnegative_int, default=200,
                   help="simulated trials for GLS, which fits a model per trial "
                        "(default 200; 0 leaves it out)")
    p.add_argument("--grid-pairs", type=_int_list, default=None, metavar="LIST",
                   help="numbers of pairs for the grid, e.g. 3-10")
    p.add_argument("--grid-period-days", type=_int_list, default=None, metavar="LIST",
                   help="period lengths for the grid, e.g. 7,14,21")
    p.add_argument("--plot", type=Path, default=None,
                   help="write a PNG plot of the grid (power against pairs)")
    p.add_argument("--seed", type=_nonnegative_int, default=None,
                   help="seed of the simulation, to reproduce the numbers (default: fresh)")


def _scenario(args: argparse.Namespace) -> str:
    analysed = args.pairs * 2 * (args.period_days - args.washout_days)
    better = "higher" if args.higher_is_better else "lower"
    onset = (f"gradual onset/offset with time constant {args.onset_days:g} days"
             if args.onset_days else "immediate onset")
    return "\n".join([
        f"Power of a paired design: {args.pairs} pairs of {args.period_days}-day periods, "
        f"the first {args.washout_days} days of each not analysed ({analysed} analysed days).",
        f"Assumed: true effect {args.effect:g} (treatment − control; {better} is better), "
        f"daily SD {args.sd:g}, day-to-day correlation {args.rho:g}, period-to-period SD "
        f"{args.period_sd:g}, {onset}; two-sided alpha {args.alpha:g}; MCID {args.mcid:g}.",
    ])


def _method_table(res: Any, design: PairedDesign, alpha: float) -> str:
    lines = [f"  {'method':<14} {'':<41} {'power':>6} {'± MC SE':>8}  simulated trials"]
    for r in res.table.itertuples():
        extra = (f"; right decision {r.correct_decision:.1%}"
                 if np.isfinite(r.correct_decision) else "")
        lines.append(f"  {r.method:<14} {METHOD_LABELS[r.method]:<41} {r.rejection_rate:6.1%} "
                     f"{r.mc_se:8.1%}  {r.n_sims}{extra}")
    lines.append(f"  closed-form paired t-test power: {res.closed_form_paired_t:.1%}")
    min_p = design.min_pvalue("two-sided")
    if "randomization" in set(res.table["method"]) and min_p > alpha:
        lines.append(f"  Note: with {design.n_pairs} pairs the randomization test cannot reach "
                     f"p < {alpha:g} (smallest two-sided p = 2/2^{design.n_pairs} = "
                     f"{min_p:.4g}), so its power is 0 whatever the effect.")
    return "\n".join(lines)


def _simulate(args: argparse.Namespace, rng: np.random.Generator,
              common: dict[str, Any]) -> Any:
    """One method at a time, so that a progress bar can follow them."""
    from tqdm.auto import tqdm

    from ..planning.power import METHODS, simulate_power

    methods = [m for m in METHODS if m != "gls_ar1" or args.gls_sims]
    design = PairedDesign(args.pairs)
    parts = []
    for method in tqdm(methods, desc="simulating", unit="method",
                       disable=not sys.stderr.isatty()):
        parts.append(simulate_power(design, period_days=args.period_days, n_sims=args.sims,
                                    n_sims_gls=args.gls_sims, methods=(method,), rng=rng,
                                    decision_threshold=args.decision_threshold, **common))
    import pandas as pd

    table = pd.concat([p.table for p in parts], ignore_index=True)
    with_rule = [p for p in parts if len(p.decisions)]
    rule = ({"decisions": with_rule[0].decisions, "rule": with_rule[0].rule}
            if with_rule else {})
    return dataclasses.replace(parts[0], table=table, **rule)


def _decision_table(res: Any) -> str:
    """The probability of each verdict of the pre-registered decision rule."""
    if not len(res.decisions):
        return ""
    r = res.rule
    lines = [f"Pre-registered decision rule ({r.get('prior')} prior; 'met' when P(benefit >= "
             f"MCID) >= {r.get('probability_threshold'):g}, 'not worthwhile' when P(any "
             f"benefit) < {r.get('no_benefit_threshold'):g}):"]
    for d in res.decisions.itertuples():
        lines.append(f"  {d.decision:<15} {d.probability:6.1%} ± {d.mc_se:.1%}")
    return "\n".join(lines)


def _grid_text(args: argparse.Namespace, rng: np.random.Generator,
               common: dict[str, Any]) -> tuple[str, pd.DataFrame | None]:
    import pandas as pd

    from ..planning.power import power_grid

    pairs = args.grid_pairs or list(range(2, 11))
    lengths = args.grid_period_days or [args.period_days]
    usable = [p for p in lengths if p > args.washout_days]
    n_sims = min(args.sims, GRID_SIMS_CAP)
    grid = None
    table = pd.DataFrame(index=pd.Index(pairs, name="n_pairs"),
                         columns=[f"{p}-day" for p in lengths], dtype=object)
    if usable:
        grid = power_grid(n_pairs=pairs, period_days=usable, n_sims=n_sims,
                          progress=sys.stderr.isatty(), rng=rng, **common)
        for r in grid.itertuples():
            table.loc[r.n_pairs, f"{r.period_days}-day"] = f"{r.power:.2f}"
    notes = []
    for p in lengths:
        if p <= args.washout_days:
            table[f"{p}-day"] = NO_ANALYSED_DAY
            notes.append(f"{NO_ANALYSED_DAY}: a {p}-day period with {args.washout_days} wash-out "
                         f"days has no analysed day; not simulated (shorten --washout-days).")
    impossible = [k for k in pairs if PairedDesign(k).min_pvalue("two-sided") > args.alpha]
    if impossible and usable:
        for k in impossible:
            for p in usable:
                table.loc[k, f"{p}-day"] = UNATTAINABLE
        shown = ", ".join(str(k) for k in impossible)
        notes.append(f"{UNATTAINABLE}: with {shown} pair(s) the randomization test cannot "
                     f"reach p < {args.alpha:g} (its smallest two-sided p is 2/2^pairs), so "
                     f"its power is 0 whatever the effect.")
    header = (f"Power of the randomization test against the number of pairs (rows) and the "
              f"period length (columns), {n_sims} simulated trials per cell:")
    text = "\n".join([header, table.to_string(), *notes])
    return text, grid


def _cmd_power(args: argparse.Namespace) -> int:
    if args.plot is not None and args.plot.exists():
        raise FileExistsError(f"{args.plot} exists; choose another file name")
    rng = np.random.default_rng(args.seed)
    common = dict(effect=args.effect, sd=args.sd, rho=args.rho, period_sd=args.period_sd,
                  washout_days=args.washout_days, onset_days=args.onset_days,
                  mcid=args.mcid, higher_is_better=args.higher_is_better, alpha=args.alpha)
    res = _simulate(args, rng, common)
    print(_scenario(args))
    print(_method_table(res, PairedDesign(args.pairs), args.alpha))
    print(_decision_table(res))
    if args.grid_pairs or args.grid_period_days or args.plot:
        text, grid = _grid_text(args, rng, common)
        print()
        print(text)
        if args.plot is not None and grid is not None:
            from ..report.plots import close, plot_power
            from ..trial._atomic import write_file_atomic

            ax = plot_power(grid)
            buf = io.BytesIO()
            ax.figure.savefig(buf, format="png", dpi=110)
            close(ax)
            write_file_atomic(args.plot, buf.getvalue())
            print(f"Plot: {args.plot}")
        elif args.plot is not None:
            print(f"Plot: not written ({args.plot}): no period length has an analysed day.")
    return 0
