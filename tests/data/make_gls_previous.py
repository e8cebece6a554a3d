"""Outputs of gls_ar1 as implemented before the speed work (commit fc157a6, Nelder-Mead).

Writes ``gls_previous_data.csv`` (30 simulated diaries: 3-12 pairs of 14-day periods,
7 wash-out days, AR(1) days with rho 0-0.8, period drift SD 0-0.8, some missing days)
and ``gls_previous.csv`` (estimate, se, p-value, rho, variance ratio; REML and ML, with
and without period intercepts) computed by that commit's code, imported beside the
current one with ``benchmarks/_previous.py``. ``tests/test_gls_reference.py`` checks
the current implementation against these numbers. Run from the repository root:

    python tests/data/make_gls_previous.py
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
from _previous import load_previous  # noqa: E402


def main() -> None:
    prev = load_previous("fc157a6")
    from nof1_prev.analysis import gls_ar1
    from nof1_prev.simulate import simulate_scores

    rng = np.random.default_rng(11)
    frames, rows = [], []
    for i in range(30):
        k = int(rng.integers(3, 13))
        rho, psd = float(rng.choice([0.0, 0.3, 0.6, 0.8])), float(rng.choice([0.0, 0.3, 0.8]))
        assign = np.concatenate([rng.permutation([0, 1]) for _ in range(k)])
        days = np.repeat(assign, 14)
        period = np.repeat(np.arange(2 * k), 14)
        y = simulate_scores(days[None], period + 1, effect=float(rng.choice([0.0, -1.0])),
                            sd=1.5, rho=rho, period_sd=psd, baseline=5.0, rng=rng)[0]
        keep = np.tile(np.arange(14) >= 7, 2 * k)
        y = y[keep]
        if i % 3 == 0:
            y[rng.choice(y.size, size=4, replace=False)] = np.nan
        f = pd.DataFrame({"dataset": i, "t": np.arange(days.size)[keep], "y": y,
                          "cond": np.where(days[keep] == 0, "A", "B"),
                          "block": (period // 2)[keep], "period": period[keep]})
        frames.append(f)
        for estimation in ("reml", "ml"):
            for periods in (True, False):
                g = gls_ar1(f.y.to_numpy(), f.cond.to_numpy(), time=f.t.to_numpy(),
                            blocks=f.block.to_numpy(), estimation=estimation,
                            periods=f.period.to_numpy() if periods else None)
                rows.append({"dataset": i, "estimation": estimation, "periods": periods,
                             "estimate": g.estimate, "se": g.se, "pvalue": g.pvalue,
                             "rho": g.rho, "variance_ratio": g.variance_ratio,
                             "df": g.df})
    assert prev is not None
    pd.concat(frames).to_csv(HERE / "gls_previous_data.csv", index=False, float_format="%.17g")
    pd.DataFrame(rows).to_csv(HERE / "gls_previous.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
