"""``nof1 power``: simulated power of a paired design (planning)."""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

import numpy as np

from ..design import PairedDesign
from ._common import _nonnegative_int, _positive_int


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
    p.add_argument("--decision-threshold", type=float, default=0.8,
                   help="posterior probability of a benefit of at least the MCID that the "
                        "pre-registered rule requires (default 0.8, as in the protocol)")
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
    from ..power import power_grid, simulate_power

    if args.plot is not None and args.plot.exists():
        raise FileExistsError(f"{args.plot} exists; choose another file name")
    rng = np.random.default_rng(args.seed)
    common = dict(effect=args.effect, sd=args.sd, rho=args.rho, period_sd=args.period_sd,
                  washout_days=args.washout_days, onset_days=args.onset_days,
                  mcid=args.mcid, higher_is_better=args.higher_is_better, alpha=args.alpha)
    res = simulate_power(PairedDesign(args.pairs), period_days=args.period_days,
                         n_sims=args.sims, n_sims_gls=args.gls_sims, rng=rng,
                         decision_threshold=args.decision_threshold, **common)
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
            from ..plots import close, plot_power
            from ..trial._atomic import write_file_atomic

            ax = plot_power(grid)
            buf = io.BytesIO()
            ax.figure.savefig(buf, format="png", dpi=110)
            close(ax)
            write_file_atomic(args.plot, buf.getvalue())
            print(f"Plot: {args.plot}")
    return 0
