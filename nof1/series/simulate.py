"""Simulate a series of personal trials (for notebooks, calibration and benchmarks).

Every person follows the same paired design and calendar; each draws their own
allocation (reproducible from the recorded seed, as :func:`nof1.make_schedule` does)
and their own effect. Days are simulated with the model of :mod:`nof1.planning.simulate`
(AR(1) noise, between-period shifts, gradual onset), all persons at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validation import as_rng, check_float, check_int
from ..design import PairedDesign
from ..outcomes import DEFAULT_OUTCOMES, Outcome
from ..planning.simulate import exposure, simulate_scores
from .data import TRIAL_COLUMNS, Series, validate_series

__all__ = ["simulate_series", "draw_cohort_2022", "MILD_MODERATE_MAX"]

#: DASS-42 stress <= 25 is "mild/moderate" in the 2022 trial's subgroups (Macian et al.,
#: Nutrients 2022;14:2088; sample_data/trial2022/README.md); >= 26 is severe
MILD_MODERATE_MAX = 25


def draw_cohort_2022(n_persons: int, *, rng: Any = None) -> pd.DataFrame:
    """Person-level covariates drawn like the 2022 trial's cohort.

    Baseline DASS-42 stress is an integer above 18 (the trial's inclusion criterion),
    drawn from a normal distribution with mean 26 and SD 6 truncated to 19-42; women
    aged 25-65 (the registry restricted the trial to women). The distribution inside the
    inclusion range is an assumption: the article's baseline table could not be read
    (see sample_data/trial2022/README.md for what is and is not published).

    Returns
    -------
    DataFrame
        ``person``, ``baseline_stress``, ``stress_band`` ('mild/moderate' for 19-25,
        'severe' for 26+), ``age``, ``sex``.

    Examples
    --------
    >>> c = draw_cohort_2022(5, rng=12345)
    >>> c["baseline_stress"].between(19, 42).all()
    np.True_
    """
    rng = as_rng(rng)
    n = check_int(n_persons, "n_persons", minimum=1)
    stress = np.empty(0)
    while stress.size < n:
        draw = np.rint(rng.normal(26.0, 6.0, size=2 * n))
        stress = np.concatenate([stress, draw[(draw >= 19) & (draw <= 42)]])
    stress = stress[:n].astype(int)
    return pd.DataFrame({
        "person": [f"P{i + 1:0{max(3, len(str(n)))}d}" for i in range(n)],
        "baseline_stress": stress,
        "stress_band": np.where(stress <= MILD_MODERATE_MAX, "mild/moderate", "severe"),
        "age": rng.integers(25, 66, size=n),
        "sex": "female",
    })


def _per_person(value: Any, n: int, name: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite")
    return arr


def simulate_series(n_persons: int, *, n_pairs: int | np.ndarray = 6, period_days: int = 14,
                    washout_days: int = 7, run_in_days: int = 7,
                    effects: Mapping[str, Any] | None = None,
                    baselines: Mapping[str, float] | None = None, sd: float = 1.2,
                    rho: float = 0.4, period_sd: float = 0.3, onset_days: float = 3.0,
                    missing: float = 0.05, adherence: float = 0.95,
                    covariates: pd.DataFrame | None = None,
                    outcomes: list[Outcome] | None = None, start: str = "2026-01-05",
                    rng: Any = None, validate: bool = True) -> Series:
    """A simulated series: ``n_persons`` paired trials with per-person effects.

    Parameters
    ----------
    n_persons : int
    n_pairs : int or array of int
        Pairs of periods per person; an array gives each person their own design.
    period_days, washout_days, run_in_days : int
        The calendar (as :func:`nof1.make_schedule`).
    effects : mapping of outcome name to float or array, optional
        Each person's true effect (treatment − control at full exposure); an array of
        length ``n_persons`` gives per-person effects. Default: no effect.
    baselines : mapping, optional
        Mean score under control per outcome (default pain 6, stress 5, sleep 4.5).
    sd, rho, period_sd, onset_days, missing, adherence : float
        As :func:`nof1.planning.simulate.simulate_diary`.
    covariates : DataFrame, optional
        Person-level covariates (one row per person, in order; a ``person`` column
        names the persons). Default: ``person`` only.
    outcomes : list of Outcome, optional
        Default pain, stress, sleep on 0-10.
    start : str
        First day of every trial.
    rng : None, int or Generator
    validate : bool
        Run :func:`~nof1.series.validate_series` on the result (default True).

    Returns
    -------
    Series

    Examples
    --------
    >>> s = simulate_series(3, n_pairs=4, effects={"pain": -1.0}, rng=12345)
    >>> len(s), s.diary.shape
    (3, (357, 6))
    """
    rng = as_rng(rng)
    n = check_int(n_persons, "n_persons", minimum=1)
    outcomes = list(DEFAULT_OUTCOMES.values()) if outcomes is None else list(outcomes)
    effects = dict(effects or {})
    unknown = set(effects) - {o.name for o in outcomes}
    if unknown:
        raise ValueError(f"`effects` names unknown outcome(s) {sorted(unknown)}")
    baselines = {"pain": 6.0, "stress": 5.0, "sleep": 4.5} if baselines is None else baselines
    missing = check_float(missing, "missing", minimum=0.0, maximum=1.0)
    adherence = check_float(adherence, "adherence", minimum=0.0, maximum=1.0)
    k_all = np.broadcast_to(np.asarray(n_pairs), (n,)).astype(int)
    if covariates is None:
        covariates = pd.DataFrame({"person": [f"P{i + 1:0{max(3, len(str(n)))}d}"
                                              for i in range(n)]})
    if len(covariates) != n or "person" not in covariates:
        raise ValueError("`covariates` must have one row per person and a `person` column")
    eff = {o.name: _per_person(effects.get(o.name, 0.0), n, f"effects[{o.name!r}]")
           for o in outcomes}
    seeds = rng.integers(0, 2**63 - 1, size=n, dtype=np.int64)
    out_json = json.dumps([o.to_dict() for o in outcomes], sort_keys=True)
    start_ts = pd.Timestamp(start)
    trial_rows, diary_parts = [], []
    persons = covariates["person"].astype(str).to_numpy()
    for k in np.unique(k_all):
        idx = np.flatnonzero(k_all == k)
        design = PairedDesign(int(k))
        assign = np.stack([design.draw(np.random.default_rng(int(s))) for s in seeds[idx]])
        units = design.n_units
        n_days = run_in_days + units * period_days
        unit_of_day = np.repeat(np.arange(units), period_days)
        cond = np.concatenate([np.full((idx.size, run_in_days), -1),
                               assign[:, unit_of_day]], axis=1)
        period = np.concatenate([np.zeros(run_in_days, int), unit_of_day + 1])
        g = exposure(cond, onset_days)
        blank = rng.random((idx.size, n_days)) < missing
        frame: dict[str, Any] = {
            "person": np.repeat(persons[idx], n_days),
            "date": np.tile(pd.date_range(start_ts, periods=n_days, freq="D").to_numpy(),
                            idx.size),
        }
        for o in outcomes:
            y = simulate_scores(cond, period, effect=0.0,
                                baseline=baselines.get(o.name, (o.low + o.high) / 2), sd=sd,
                                rho=rho, period_sd=period_sd, n_sims=idx.size, rng=rng)
            y = y + eff[o.name][idx, None] * g
            y = np.clip(np.rint(y), o.low, o.high)
            frame[o.name] = np.where(blank, np.nan, y).ravel()
        took = rng.random((idx.size, n_days)) < adherence
        in_period = np.broadcast_to(period > 0, took.shape)
        frame["took_pack"] = pd.array(np.where(in_period & ~blank, took, False).ravel(),
                                      dtype="boolean")
        frame["took_pack"][~(in_period & ~blank).ravel()] = pd.NA
        diary_parts.append(pd.DataFrame(frame))
        spec = json.dumps(design.to_dict(), sort_keys=True)
        for j, i in enumerate(idx):
            trial_rows.append({
                "person": persons[i], "trial_id": persons[i], "design": spec,
                "assignment": "".join("AB"[v] for v in assign[j]),
                "treatment_a": "magnesium", "treatment_b": "placebo",
                "roles_swapped": False, "start": start_ts.strftime("%Y-%m-%d"),
                "period_days": period_days, "run_in_days": run_in_days,
                "washout_days": washout_days, "seed": int(seeds[i]), "outcomes": out_json,
                "primary": outcomes[0].name})
    trials = pd.DataFrame(trial_rows, columns=list(TRIAL_COLUMNS))
    trials = trials.merge(covariates.assign(person=persons), on="person", how="left")
    diary = pd.concat(diary_parts, ignore_index=True)
    if validate:
        return validate_series(trials, diary)
    order = np.argsort(trials["person"].to_numpy(), kind="stable")
    return Series(trials=trials.iloc[order].reset_index(drop=True),
                  diary=diary.sort_values(["person", "date"], kind="stable")
                  .reset_index(drop=True), outcomes=tuple(outcomes), primary=outcomes[0].name)
