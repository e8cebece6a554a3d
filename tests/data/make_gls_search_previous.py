"""Outputs of gls_ar1 as implemented before the batched Newton search (commit 47df35a).

That implementation profiled the likelihood over rho (grid and bounded Brent search) with
a Newton search in log lam per rho. Writes ``gls_search_previous_data.csv`` (60 simulated
diaries: 2-8 pairs of 7-, 14- or 21-day periods, wash-out 0-7 days, AR(1) days with rho
-0.3 to 0.95, period drift SD 0 to 2, a linear trend in half of them, 0-30% missing days)
and ``gls_search_previous.csv`` (estimate, se, p-value, df, rho, variance ratio; REML and
ML, with and without period intercepts, with the trend term where the data have one),
computed by that commit's code, imported beside the current one with
``benchmarks/_previous.py``. ``tests/test_gls_reference.py`` checks the current
implementation against these numbers. Run from the repository root::

    python tests/data/make_gls_search_previous.py
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
from _previous import load_previous  # noqa: E402

REVISION = "47df35a"


def main() -> None:
    prev = load_previous(REVISION)
    gls_ar1 = prev.analysis.gls_ar1
    simulate_scores = prev.simulate.simulate_scores

    rng = np.random.default_rng(47)
    frames, rows = [], []
    for i in range(60):
        k = int(rng.integers(2, 9))
        days = int(rng.choice([7, 14, 21]))
        wash = int(rng.choice([0, 3, 7])) if days > 7 else 0
        rho = float(rng.choice([-0.3, 0.0, 0.3, 0.6, 0.8, 0.95]))
        drift = float(rng.choice([0.0, 0.3, 0.8, 2.0]))
        trend = bool(i % 2)
        assign = np.concatenate([rng.permutation([0, 1]) for _ in range(k)])
        cond = np.repeat(assign, days)
        period = np.repeat(np.arange(2 * k), days)
        y = simulate_scores(cond[None], period + 1, effect=float(rng.choice([0.0, -1.0])),
                            sd=1.5, rho=rho, period_sd=drift, baseline=5.0, rng=rng)[0]
        y = y + (0.02 * np.arange(y.size) if trend else 0.0)
        keep = np.tile(np.arange(days) >= wash, 2 * k)
        y = np.where(rng.random(y.size) < float(rng.choice([0.0, 0.1, 0.3])), np.nan, y)
        f = pd.DataFrame({"dataset": i, "t": np.arange(y.size)[keep], "y": y[keep],
                          "cond": np.where(cond[keep] == 0, "A", "B"),
                          "block": (period // 2)[keep], "period": period[keep],
                          "trend": trend})
        frames.append(f)
        for estimation in ("reml", "ml"):
            for periods in (True, False):
                try:
                    g = gls_ar1(f.y.to_numpy(), f.cond.to_numpy(), time=f.t.to_numpy(),
                                blocks=f.block.to_numpy(), trend=trend,
                                estimation=estimation,
                                periods=f.period.to_numpy() if periods else None)
                except ValueError as exc:     # e.g. too few periods for the period variance
                    rows.append({"dataset": i, "estimation": estimation, "periods": periods,
                                 "error": str(exc)})
                    continue
                rows.append({"dataset": i, "estimation": estimation, "periods": periods,
                             "estimate": g.estimate, "se": g.se, "pvalue": g.pvalue,
                             "df": g.df, "df_method": g.df_method, "rho": g.rho,
                             "variance_ratio": g.variance_ratio, "error": ""})
    pd.concat(frames).to_csv(HERE / "gls_search_previous_data.csv", index=False,
                             float_format="%.17g")
    pd.DataFrame(rows).to_csv(HERE / "gls_search_previous.csv", index=False,
                              float_format="%.17g")


if __name__ == "__main__":
    main()
