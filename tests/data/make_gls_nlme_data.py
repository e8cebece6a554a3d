"""Write the data sets of tests/data/gls_nlme.R (run once; the R output is kept beside it).

Six-pair trials with 14-day periods, 7 wash-out days left out (time keeps the
calendar gaps), AR(1) days and period drift; a few missing days in the last set.

    python tests/data/make_gls_nlme_data.py && Rscript tests/data/gls_nlme.R
"""

from pathlib import Path

import numpy as np
import pandas as pd

from nof1.planning.simulate import simulate_scores

HERE = Path(__file__).parent


def main() -> None:
    rng = np.random.default_rng(20261128)
    frames = []
    for dataset, (k, rho, period_sd, effect) in enumerate(
            [(6, 0.3, 0.5, -0.8), (6, 0.6, 0.8, 0.0), (8, 0.5, 0.6, -1.0), (5, 0.4, 1.0, -0.5)]):
        assign = np.concatenate([rng.permutation([0, 1]) for _ in range(k)])
        days = np.repeat(assign, 14)
        period = np.repeat(np.arange(2 * k), 14)
        y = simulate_scores(days[None], period + 1, effect=effect, sd=1.5, rho=rho,
                            period_sd=period_sd, baseline=5.0, rng=rng)[0]
        keep = np.tile(np.arange(14) >= 7, 2 * k)
        frame = pd.DataFrame({"dataset": dataset, "t": np.arange(y.size)[keep],
                              "y": y[keep], "cond": np.where(days[keep] == 0, "A", "B"),
                              "block": (period // 2)[keep], "period": period[keep]})
        if dataset == 3:
            frame = frame.drop(index=frame.index[[3, 10, 11, 40]])
        frames.append(frame)
    pd.concat(frames).to_csv(HERE / "gls_nlme_data.csv", index=False, float_format="%.10g")


if __name__ == "__main__":
    main()
