"""Simulate daily scores of a personal trial (for demos, planning and calibration).

Model for day t of one simulated trial (Percha et al. 2019 style, simplified)::

    y_t = baseline + effect * g_t + u_p(t) + e_t

- ``e_t`` is stationary AR(1) noise with marginal SD ``sd`` and lag-1 correlation ``rho``;
- ``u_p`` is a between-period shift, N(0, ``period_sd ** 2``), one per period (slow drift
  that the period-level analysis must absorb);
- ``g_t`` in [0, 1] is the exposure to the treatment. With ``onset_days = 0`` it is 1 on
  days of condition A and 0 otherwise; with ``onset_days = tau > 0`` it approaches its
  target exponentially, ``g_t = g_{t-1} + (target_t - g_{t-1}) (1 - exp(-1/tau))``, so the
  effect builds up after a switch to A and fades after a switch to B (carry-over that
  an analytic wash-out is meant to absorb).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from .._validation import as_rng, check_float, check_int
from ..design.schedule import Schedule
from ..outcomes import DEFAULT_OUTCOMES, Outcome

__all__ = ["simulate_scores", "simulate_diary", "exposure"]

#: values per block of trials in :func:`simulate_scores` (about 256 KB)
_BLOCK_VALUES = 1 << 15


def exposure(condition: np.ndarray, onset_days: float = 0.0) -> np.ndarray:
    """Treatment exposure per day (0..1) from day conditions (0 = A, 1 = B, -1 = run-in).

    Parameters
    ----------
    condition : array of int, shape (n_days,) or (n_sims, n_days)
        Condition per day: 0 = A (treatment), 1 = B (control), -1 = run-in.
        Days run along the last axis.
    onset_days : float
        Time constant ``tau`` of the exponential build-up and fade, in days
        (default 0: exposure is 1 on every day of A and 0 otherwise).

    Returns
    -------
    numpy.ndarray
        Same shape as ``condition``: ``g_t = g_{t-1} + (target_t - g_{t-1})
        (1 - exp(-1/tau))`` with ``g`` starting from 0 and ``target_t`` = 1 on days
        of A (see the module docstring).

    Raises
    ------
    ValueError, TypeError
        If ``onset_days`` is negative, not finite or not a number.

    Examples
    --------
    >>> import numpy as np
    >>> exposure(np.array([-1, 0, 0, 0, 1, 1]), onset_days=1.0).round(3)
    array([0.   , 0.632, 0.865, 0.95 , 0.35 , 0.129])
    """
    condition = np.asarray(condition)
    target = (condition == 0).astype(float)
    onset_days = check_float(onset_days, "onset_days", minimum=0.0)
    if onset_days == 0:
        return target
    alpha = 1.0 - np.exp(-1.0 / onset_days)
    # g_t = (1 - alpha) g_{t-1} + alpha target_t, starting from 0 (along the last axis)
    return signal.lfilter([alpha], [1.0, -(1.0 - alpha)], target, axis=-1)


def simulate_scores(condition: np.ndarray, period: np.ndarray, *, effect: float,
                    sd: float = 1.5, rho: float = 0.3, period_sd: float = 0.3,
                    baseline: float = 5.0, onset_days: float = 0.0, n_sims: int = 1,
                    rng: Any = None) -> np.ndarray:
    """Simulate daily scores for ``n_sims`` trials that share one day layout.

    Parameters
    ----------
    condition : array of int, shape (n_days,) or (n_sims, n_days)
        Condition per day: 0 = A (treatment), 1 = B (control), -1 = run-in.
        A 2-D array gives each simulated trial its own allocation.
    period : array of int, shape (n_days,)
        Period number per day (0 or negative for run-in days).
    effect : float
        Difference A - B at full exposure, in outcome units.
    sd, rho : float
        Marginal SD and lag-1 autocorrelation of the daily AR(1) noise.
    period_sd : float
        SD of the between-period shift.
    baseline : float
        Mean score under B.
    onset_days : float
        Time constant of the exposure's exponential build-up and fade (0 = instant).
    n_sims : int
        Number of simulated trials.
    rng : None, int or Generator
        Randomness.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_sims, n_days)``, unrounded and unbounded.

    Raises
    ------
    ValueError
        If ``condition`` and ``period`` differ in their number of days, or a
        parameter is out of range (e.g. ``sd < 0``, ``|rho| >= 0.999``).
    TypeError
        If a parameter is not a number (or ``rng`` not a seed or Generator).

    Examples
    --------
    >>> import numpy as np
    >>> cond = np.repeat([0, 1, 1, 0], 7)
    >>> per = np.repeat([1, 2, 3, 4], 7)
    >>> y = simulate_scores(cond, per, effect=-1.0, n_sims=2000, rng=12345)
    >>> y.shape
    (2000, 28)
    >>> round(float(y[:, cond == 0].mean() - y[:, cond == 1].mean()), 1)
    -1.0
    """
    rng = as_rng(rng)
    n_sims = check_int(n_sims, "n_sims", minimum=1)
    sd = check_float(sd, "sd", minimum=0.0)
    rho = check_float(rho, "rho", minimum=-0.999, maximum=0.999)
    period_sd = check_float(period_sd, "period_sd", minimum=0.0)
    effect = check_float(effect, "effect")
    baseline = check_float(baseline, "baseline")
    condition = np.asarray(condition)
    period = np.asarray(period)
    n_days = period.shape[-1]
    if condition.shape[-1] != n_days:
        raise ValueError("`condition` and `period` must have the same number of days")
    if onset_days == 0:  # effect * exposure without the 0/1 array (the same numbers)
        eg = np.atleast_2d(np.where(condition == 0, effect, effect * 0.0))
    else:
        eg = np.atleast_2d(effect * exposure(condition, onset_days))
    eg = np.broadcast_to(eg, (n_sims, n_days))
    # stationary AR(1): first innovation scaled to the marginal variance
    innov = rng.standard_normal((n_sims, n_days))
    first = rng.standard_normal(n_sims) * sd
    labels, inverse = np.unique(period, return_inverse=True)
    shifts = rng.standard_normal((n_sims, labels.size)) * period_sd
    shifts[:, labels <= 0] = 0.0  # run-in has no period shift
    runs = n_days // labels.size
    equal = runs * labels.size == n_days and np.array_equal(
        inverse, np.repeat(np.arange(labels.size), runs))  # periods of equal length, in order
    innov_sd = np.sqrt(1.0 - rho**2)
    # baseline + effect * g + shift + noise, added in that order, in blocks of trials that
    # stay in cache (the same numbers as whole-array operations)
    step = max(1, _BLOCK_VALUES // n_days)
    for lo in range(0, n_sims, step):
        sl = slice(lo, lo + step)
        z = innov[sl]
        z *= sd
        z *= innov_sd
        z[:, 0] = first[sl]
        noise = signal.lfilter([1.0], [1.0, -rho], z, axis=-1)
        y = innov[sl]                               # the block's scores replace its draws
        np.add(eg[sl], baseline, out=y)
        if equal:
            y.reshape(y.shape[0], labels.size, runs)[...] += shifts[sl, :, None]
        else:
            y += shifts[sl][:, inverse]
        y += noise
    return innov


def simulate_diary(schedule: Schedule, *, effects: dict[str, float] | None = None,
                   baselines: dict[str, float] | None = None, sd: float = 1.2,
                   rho: float = 0.4, period_sd: float = 0.3, onset_days: float = 3.0,
                   missing: float = 0.05, adherence: float = 0.95,
                   outcomes: list[Outcome] | None = None, rng: Any = None) -> pd.DataFrame:
    """A filled-in diary for a schedule, as a participant would type it (whole numbers).

    Scores are simulated with :func:`simulate_scores`, rounded to whole numbers and
    clipped to each outcome's scale; a share ``missing`` of days is left blank and the
    pack is recorded as taken with probability ``adherence``. The default effects are
    for demonstration only (pain -1.5, stress -1.0, sleep +0.8 under condition A).

    Parameters
    ----------
    schedule : Schedule
        The unblinded schedule (its conditions drive the simulated effects).
    effects : dict of str to float, optional
        Effect A − B at full exposure per outcome name, in scale units (default
        ``{"pain": -1.5, "stress": -1.0, "sleep": 0.8}``); outcomes not listed get 0.
    baselines : dict of str to float, optional
        Mean score under B per outcome name (default ``{"pain": 6.0, "stress": 5.0,
        "sleep": 4.5}``); outcomes not listed get the middle of their scale.
    sd, rho : float
        Marginal SD and lag-1 autocorrelation of the daily AR(1) noise.
    period_sd : float
        SD of the between-period shift.
    onset_days : float
        Time constant of the effect's gradual onset and offset (default 3 days).
    missing : float
        Probability that a day is left blank, in [0, 1] (default 0.05).
    adherence : float
        Probability that the pack is recorded as taken on a period day, in [0, 1].
    outcomes : list of Outcome, optional
        The outcomes to simulate (default: pain, stress, sleep on 0-10).
    rng : None, int or Generator
        Randomness.

    Returns
    -------
    pandas.DataFrame
        Columns ``date, day, period, pack, <outcomes>, took_pack, side_effects, notes,
        blinding_guess`` (``pack`` left empty), ready for :func:`nof1.data.read_diary`.

    Raises
    ------
    ValueError, TypeError
        If ``missing``, ``adherence`` or a noise parameter is out of range or not a
        number.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", period_days=7, rng=1)
    >>> d = simulate_diary(s, rng=12345)
    >>> list(d.columns[:7])
    ['date', 'day', 'period', 'pack', 'pain', 'stress', 'sleep']
    """
    rng = as_rng(rng)
    outcomes = list(DEFAULT_OUTCOMES.values()) if outcomes is None else list(outcomes)
    effects = {"pain": -1.5, "stress": -1.0, "sleep": 0.8} if effects is None else effects
    baselines = {"pain": 6.0, "stress": 5.0, "sleep": 4.5} if baselines is None else baselines
    missing = check_float(missing, "missing", minimum=0.0, maximum=1.0)
    adherence = check_float(adherence, "adherence", minimum=0.0, maximum=1.0)
    days = schedule.days
    cond = days["condition"].map({"A": 0, "B": 1}).fillna(-1).to_numpy(dtype=int)
    per = days["period"].fillna(0).to_numpy(dtype=int)
    out = pd.DataFrame({
        "date": days["date"].dt.date.astype(str),
        "day": days["day"],
        "period": days["period"].astype("string").fillna(""),
        "pack": "",
    })
    blank = rng.random(len(days)) < missing
    for o in outcomes:
        mid = (o.low + o.high) / 2
        y = simulate_scores(cond, per, effect=effects.get(o.name, 0.0),
                            baseline=baselines.get(o.name, mid), sd=sd, rho=rho,
                            period_sd=period_sd, onset_days=onset_days, rng=rng)[0]
        y = np.clip(np.rint(y), o.low, o.high)
        out[o.name] = np.where(blank, "", [f"{v:g}" for v in y])
    took = rng.random(len(days)) < adherence
    out["took_pack"] = np.where(days["period"].isna(), "",
                                np.where(blank, "", np.where(took, "yes", "no")))
    out["side_effects"] = ""
    out["notes"] = ""
    per_filled = days["period"].fillna(0).to_numpy(dtype=int)
    last_day = (per_filled > 0) & (per_filled != np.append(per_filled[1:], -1))
    out["blinding_guess"] = np.where(last_day & ~blank, "don't know", "")
    return out
