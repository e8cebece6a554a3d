"""Simulated trials for the analyze() regression test, and a serialiser of its results.

Shared by ``tests/data/make_analyze_previous.py`` (which stores the results of the
implementation before the speed work, commit 47df35a) and ``tests/test_analyze_regression.py``
(which recomputes them with the current code). The diaries are generated here with
numpy only (not :mod:`nof1.planning.simulate`), and every schedule is rebuilt from its stored
``Schedule.to_dict()``, so that the inputs do not change when the simulator or the
randomization engines do: only the analysis is compared.

Each case varies what takes a different path through ``analyze``: design (paired,
alternating, phase), pairs, period length, wash-out, run-in, swapped roles, blinded
group labels, missing days (up to periods below the completeness rule and outcomes
with no score), low adherence (per-protocol exclusions), a typed period contradicting
the schedule (off-protocol days), a constant outcome, an unplanned numeric column
(exploratory analysis), decimal commas, blinding guesses, the day-level t-test.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

OUTCOMES = (("pain", 6.0, -1.5), ("stress", 5.0, -1.0), ("sleep", 4.5, 0.8))


def case_params(i: int) -> dict[str, Any]:
    """Parameters of case ``i`` (a pure function of ``i``)."""
    r = np.random.default_rng([20261128, i])
    if i % 25 == 24:
        kind = "phase"
    elif i % 25 == 23:
        kind = "alternating"
    else:
        kind = "paired"
    p: dict[str, Any] = {"i": i, "kind": kind, "seed": int(r.integers(2**31))}
    if kind == "paired":
        p["n_pairs"] = int(r.choice([2, 3, 4, 5, 6, 6, 6, 8, 10, 13]))
        p["period_days"] = int(r.choice([4, 7, 10, 14, 14, 21]))
    elif kind == "alternating":
        p["n_periods"] = int(r.choice([4, 6, 8, 10]))
        p["period_days"] = int(r.choice([5, 7, 14]))
    else:
        p["phases"] = str(r.choice(["AB", "ABA", "ABAB"]))
        p["n_occasions"] = int(r.choice([30, 42, 56]))
        p["min_phase"] = int(r.choice([5, 7]))
    if kind != "phase":
        p["washout_days"] = int(r.choice([0, 0, 1, 3])) if p["period_days"] > 3 else 0
        p["run_in_days"] = int(r.choice([0, 0, 0, 5]))
    else:
        p["washout_days"] = int(r.choice([0, 0, 2]))
        p["run_in_days"] = 0
    p["randomize_roles"] = bool(r.random() < 0.2)
    p["blinded"] = bool(r.random() < 0.08)
    p["missing"] = float(r.choice([0.0, 0.05, 0.05, 0.15, 0.35, 0.6]))
    p["adherence"] = float(r.choice([1.0, 0.95, 0.95, 0.75]))
    p["no_took_pack"] = bool(r.random() < 0.1)
    p["rho"] = float(r.choice([0.0, 0.4, 0.8]))
    p["effect_scale"] = float(r.choice([0.0, 0.5, 1.0, 2.0]))
    p["wrong_period"] = bool(r.random() < 0.1)
    p["constant"] = bool(r.random() < 0.05)
    p["empty"] = bool(r.random() < 0.03)
    p["unplanned"] = bool(r.random() < 0.1)
    p["commas"] = bool(r.random() < 0.1)
    p["day_level_ttest"] = bool(r.random() < 0.1)
    p["confidence_level"] = float(r.choice([0.95, 0.95, 0.95, 0.9]))
    return p


def make_schedule_dict(lib: Any, p: dict[str, Any]) -> dict[str, Any]:
    """Draw the case's schedule with ``lib`` (nof1 or an earlier copy) as a dict."""
    if p["kind"] == "paired":
        design = lib.PairedDesign(p["n_pairs"])
    elif p["kind"] == "alternating":
        design = lib.AlternatingDesign(p["n_periods"])
    else:
        design = lib.PhaseDesign(p["phases"], p["n_occasions"], p["min_phase"])
    treatments = ("group X", "group Y") if p["blinded"] else ("magnesium", "placebo")
    s = lib.make_schedule(design, start="2026-01-05", period_days=p.get("period_days"),
                          washout_days=p["washout_days"], run_in_days=p["run_in_days"],
                          treatments=treatments, randomize_roles=p["randomize_roles"],
                          rng=p["seed"])
    return s.to_dict()


def make_diary(days: pd.DataFrame, p: dict[str, Any]) -> pd.DataFrame:
    """The diary a participant would type for ``days`` (``Schedule.days``), as text."""
    r = np.random.default_rng([p["seed"], 7])
    n = len(days)
    cond_a = (days["condition"] == "A").to_numpy()
    period = days["period"].fillna(0).to_numpy(dtype=int)
    blank = r.random(n) < p["missing"]
    out = pd.DataFrame({
        "date": [d.date().isoformat() for d in days["date"]],
        "day": days["day"].to_numpy(),
        "period": [str(int(x)) if x > 0 else "" for x in period],
        "pack": "",
    })
    shift = r.normal(0, 0.4, size=period.max() + 1)
    shift[0] = 0.0
    for name, base, effect in OUTCOMES:
        e = np.zeros(n)
        y = np.empty(n)
        for t in range(n):
            e[t] = (p["rho"] * e[t - 1] if t else 0.0) + r.normal(0, 1.2) * math.sqrt(
                1 - p["rho"] ** 2)
        y = base + p["effect_scale"] * effect * cond_a + shift[period] + e
        y = np.clip(np.rint(y), 0, 10)
        if p["constant"] and name == "stress":
            y[:] = 4.0
        cells = [f"{v:g}" for v in y]
        if p["commas"] and name == "sleep":
            for j in r.choice(n, size=min(3, n), replace=False):
                cells[j] = f'{y[j] - 0.5:g}'.replace(".", ",") if y[j] >= 1 else cells[j]
        miss = blank | (r.random(n) < 0.03)
        if p["empty"] and name == "sleep":
            miss[:] = True
        out[name] = np.where(miss, "", cells)
    if not p["no_took_pack"]:
        took = r.random(n) < p["adherence"]
        out["took_pack"] = np.where(period == 0, "", np.where(blank, "",
                                                              np.where(took, "yes", "no")))
    out["side_effects"] = ""
    out["notes"] = ""
    last = (period > 0) & (period != np.append(period[1:], -1))
    guesses = np.array(["don't know", "magnesium", "placebo", "Magnesium", "group X", "dunno"])
    pick = guesses[r.integers(0, len(guesses), size=n)]
    out["blinding_guess"] = np.where(last & ~blank, pick, "")
    if p["wrong_period"]:
        j = int(r.integers(0, n))
        if out.loc[j, "period"]:
            out.loc[j, "period"] = str(int(out.loc[j, "period"]) + 1)
    if p["unplanned"]:
        out["energy"] = np.where(r.random(n) < 0.1, "",
                                 [f"{v:g}" for v in r.integers(0, 11, size=n)])
    return out


# -- serialising results ------------------------------------------------------------------
def run_analyze(lib: Any, p: dict[str, Any], schedule: Any) -> Any:
    """``lib.analyze`` of case ``p`` on ``schedule`` (its warnings silenced), as every
    reference script and the regression test run it."""
    diary = make_diary(schedule.days, p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.analyze(diary, schedule, confidence_level=p["confidence_level"],
                           day_level_ttest=p["day_level_ttest"], rng=p["seed"])


def plain(x: Any) -> Any:
    """A JSON-ready copy of ``x`` (floats kept exactly; NaN/inf as JSON extensions)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return [plain(v) for v in x.tolist()]
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    if isinstance(x, (pd.Timestamp, _dt.date)):
        return x.isoformat()
    if isinstance(x, str):
        return x
    return repr(x)


def frame(df: pd.DataFrame | None) -> Any:
    """A DataFrame as columns, dtypes and column-wise values."""
    if df is None:
        return None
    return {"columns": [str(c) for c in df.columns], "dtypes": [str(t) for t in df.dtypes],
            "values": {str(c): plain(df[c].tolist()) for c in df.columns}}


def _result_dict(res: Any) -> Any:
    if res is None:
        return None
    return plain(res.to_dict())


#: keys of an outcome's to_dict() that come from the Bayesian analyses (nof1.analysis.bayes)
BAYES_KEYS = ("p_benefit", "p_benefit_mcid", "p_within_mcid", "pvalue_bayes")


def summary_sha256_without_gls(summary: str) -> str:
    """sha256 of a summary without its GLS rows.

    The GLS numbers are compared with their own tolerances (a numerical optimum); a
    change in their last printed digit must not hide, or be mistaken for, a change in
    the rest of the text.
    """
    kept = [line for line in summary.splitlines() if "GLS" not in line]
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def snapshot(result: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(numbers independent of the Bayesian analyses, numbers that depend on them).

    An outcome's ``to_dict()`` is the outcome's row of ``to_frame()``, stored once.

    The second part holds the decision rule's verdict, the prior-sensitivity tables,
    the Bayes rows and columns and the texts that quote posterior probabilities; it is
    compared separately because the sceptical prior is being revised (issue 11 is
    about speed only).
    """
    d = result.to_dict()
    tf = result.to_frame()
    bayes_cols = [c for c in tf.columns if c in BAYES_KEYS]
    main: dict[str, Any] = {
        "to_frame": frame(tf.drop(columns=bayes_cols)),
        "to_frame_columns": [str(c) for c in tf.columns],
        "to_dict": plain({k: v for k, v in d.items()
                          if k not in ("decision", "outcomes")}),
        "guesses": frame(result.guesses),
        "outcomes": {},
    }
    text = result.summary()
    summary = hashlib.sha256(text.encode()).hexdigest()
    extra: dict[str, Any] = {"decision": plain(d["decision"]), "summary_sha256": summary,
                             "summary_sha256_without_gls": summary_sha256_without_gls(text),
                             "outcomes": {}}
    for name, r in result.outcomes.items():
        od = r.to_dict()
        analyses = r.analyses
        is_bayes = analyses["analysis"].astype(str).str.startswith("Bayes")
        main["outcomes"][name] = {
            "analyses": frame(analyses[~is_bayes].reset_index(drop=True)),
            "periods": frame(r.periods),
            "pairs": frame(r.pairs),
            "sensitivity": frame(r.sensitivity),
            "tests": {k: _result_dict(v) for k, v in r.tests.items() if k != "bayes"},
            "effect_sizes": {k: _result_dict(v) for k, v in r.effect_sizes.items()},
        }
        extra["outcomes"][name] = {
            "bayes_to_dict": plain({k: v for k, v in od.items() if k in BAYES_KEYS}),
            "bayes_rows": frame(analyses[is_bayes].reset_index(drop=True)),
            "bayes": _result_dict(r.tests.get("bayes")),
            "priors": frame(r.priors),
            "interpretation": r.interpretation,
        }
    return main, extra
