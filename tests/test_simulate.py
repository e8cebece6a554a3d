"""The trial simulator: its noise, drift and onset behave as documented."""

from __future__ import annotations

import numpy as np
import pytest

from nof1 import PairedDesign, make_schedule
from nof1.data import read_diary
from nof1.planning.simulate import exposure, simulate_diary, simulate_scores


def test_ar1_noise_has_the_requested_sd_and_autocorrelation():
    n_days = 400
    cond = np.ones(n_days, dtype=int)
    per = np.ones(n_days, dtype=int)
    y = simulate_scores(cond, per, effect=0.0, sd=2.0, rho=0.6, period_sd=0.0,
                        baseline=0.0, n_sims=400, rng=1)
    # 160,000 values: SE of the SD estimate is far below the 2% tolerance
    assert y.std() == pytest.approx(2.0, rel=0.02)
    lag1 = np.mean([np.corrcoef(row[:-1], row[1:])[0, 1] for row in y])
    # lag-1 estimate is biased down by about (1 + 4 rho)/n = 0.008; MC SE ~ 0.002
    assert lag1 == pytest.approx(0.6, abs=0.02)
    # the first day is drawn from the stationary distribution too
    assert y[:, 0].std() == pytest.approx(2.0, rel=0.1)


def test_effect_and_period_shift():
    cond = np.repeat([0, 1] * 4, 10)
    per = np.repeat(np.arange(1, 9), 10)
    y = simulate_scores(cond, per, effect=-1.5, sd=1.0, rho=0.0, period_sd=0.5,
                        n_sims=4000, rng=2)
    diff = y[:, cond == 0].mean(axis=1) - y[:, cond == 1].mean(axis=1)
    assert diff.mean() == pytest.approx(-1.5, abs=0.02)
    # SD of a period mean = sqrt(0.5^2 + 1/10)
    means = y.reshape(4000, 8, 10).mean(axis=2)
    centred = means - np.where(np.arange(8) % 2 == 0, -1.5, 0.0) - 5.0
    assert centred.std() == pytest.approx(np.sqrt(0.25 + 0.1), rel=0.03)


def test_onset_builds_up_and_fades():
    g = exposure(np.repeat([1, 0, 1], 20), onset_days=3.0)
    assert g[:20].max() == 0
    assert g[20] == pytest.approx(1 - np.exp(-1 / 3))
    assert g[39] > 0.99 and 0 < g[40] < g[39]
    np.testing.assert_array_equal(exposure(np.array([0, 1, -1])), [1.0, 0.0, 0.0])


def test_simulated_diary_reads_back():
    s = make_schedule(PairedDesign(3), start="2026-01-05", period_days=10, run_in_days=5,
                      washout_days=3, rng=4)
    d = simulate_diary(s, missing=0.1, rng=5)
    diary = read_diary(d, s, warn=False)
    assert len(diary.data) == s.n_days
    scores = diary.data["pain"].dropna()
    assert ((scores >= 0) & (scores <= 10) & (scores == scores.round())).all()
    assert 0.02 < diary.data["pain"].isna().mean() < 0.25


def test_bad_arguments():
    with pytest.raises(ValueError, match="rho"):
        simulate_scores(np.zeros(3), np.ones(3), effect=0, rho=1.0)
    with pytest.raises(ValueError, match="same number of days"):
        simulate_scores(np.zeros(3), np.ones(4), effect=0)
