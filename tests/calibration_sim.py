"""Simulated paired trials for the calibration tests and ``benchmarks/calibration_table.py``.

One scenario: a paired design with ``k`` pairs of 14-day periods (order AB or BA at random
in each pair, drawn from the design), the first 7 days of every period unanalysed, daily
AR(1) noise (marginal SD ``sd``, lag-1 correlation ``rho``, from
:func:`nof1.planning.simulate.simulate_scores`), a between-period drift (SD ``period_sd``), a linear
time trend (``trend`` points per day) and a share ``missing`` of days left blank at random
(a period with fewer than half of its analysed days scored is missing, as in ``analyze``).
The effect is a constant additive shift under treatment A.
"""

from __future__ import annotations

import numpy as np

from nof1 import PairedDesign
from nof1.planning.simulate import simulate_scores

PERIOD_DAYS, WASHOUT = 14, 7


def simulate_days(n: int, *, k: int = 6, rho: float = 0.3, effect: float = 0.0,
                  sd: float = 1.0, period_sd: float = 0.3, trend: float = 0.01,
                  missing: float = 0.1, baseline: float = 0.0, rng: np.random.Generator):
    """Daily scores (n, n_days) with NaN for missing days, assignments (n, 2k), design."""
    design = PairedDesign(k)
    assign = design.draw(rng, size=n)
    cond_days = np.repeat(assign, PERIOD_DAYS, axis=1)
    period = np.repeat(np.arange(1, design.n_units + 1), PERIOD_DAYS)
    y = simulate_scores(cond_days, period, effect=effect, sd=sd, rho=rho, period_sd=period_sd,
                        baseline=baseline, n_sims=n, rng=rng)
    y = y + trend * np.arange(period.size)
    y[rng.random(y.shape) < missing] = np.nan
    return y, assign, design


def simulate_period_means(n: int, *, rng: np.random.Generator, **kwargs):
    """Period means (n, 2k) with NaN for missing periods, labels 'A'/'B' (n, 2k), design.

    Keyword arguments as :func:`simulate_days`.
    """
    y, assign, design = simulate_days(n, rng=rng, **kwargs)
    y = y.reshape(n, design.n_units, PERIOD_DAYS)[:, :, WASHOUT:]
    scored = np.isfinite(y).sum(axis=2)
    means = _nanmean(y)
    means[scored < 0.5 * (PERIOD_DAYS - WASHOUT)] = np.nan
    labels = np.where(assign == 0, "A", "B")
    return means, labels, design


def _nanmean(y: np.ndarray) -> np.ndarray:
    count = np.isfinite(y).sum(axis=2)
    total = np.where(np.isfinite(y), y, 0.0).sum(axis=2)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def pair_arrays(means: np.ndarray, labels: np.ndarray):
    """Treatment and control period means per pair, (n, k) each."""
    a_first = labels[:, 0::2] == "A"
    a = np.where(a_first, means[:, 0::2], means[:, 1::2])
    b = np.where(a_first, means[:, 1::2], means[:, 0::2])
    return a, b


def mc_se(p: float, n: int) -> float:
    """Monte Carlo standard error of a proportion p estimated from n trials."""
    return float(np.sqrt(p * (1 - p) / n))
