"""Period and pair tables against the pandas group-by formulation they replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nof1 import PairedDesign, PhaseDesign, make_schedule
from nof1.analysis._tables import MIN_COMPLETENESS, pair_table, period_table
from nof1.data import read_diary
from nof1.planning.simulate import simulate_diary


def reference_period_table(data: pd.DataFrame, outcome: str,
                           min_completeness: float = MIN_COMPLETENESS) -> pd.DataFrame:
    """The group-by implementation of commit fc157a6, kept verbatim as the reference."""
    per = data[data["period"].notna()]
    rows = []
    for period, g in per.groupby("period", sort=True):
        analysed = g[g["analysed"].astype(bool)]
        scores = analysed[outcome].astype(float)
        n_scored = int(scores.notna().sum())
        n_analysed = len(analysed)
        complete = n_scored / n_analysed if n_analysed else 0.0
        rows.append({
            "period": int(period),
            "pair": g["pair"].iloc[0] if "pair" in g else pd.NA,
            "condition": g["condition"].iloc[0],
            "treatment": g["treatment"].iloc[0] if "treatment" in g else None,
            "start": g["date"].min().date(),
            "end": g["date"].max().date(),
            "n_analysed": n_analysed,
            "n_scored": n_scored,
            "completeness": complete,
            "mean": float(scores.mean()) if n_scored and complete >= min_completeness
            else np.nan,
            "sd": float(scores.std(ddof=1)) if n_scored > 1 else np.nan,
        })
    out = pd.DataFrame(rows)
    out["pair"] = out["pair"].astype("Int64")
    return out


def reference_pair_table(periods: pd.DataFrame) -> pd.DataFrame:
    """The pivot-table implementation of commit fc157a6."""
    wide = periods.pivot_table(index="pair", columns="condition", values="mean",
                               aggfunc="first", dropna=False)
    wide = wide.reindex(columns=["A", "B"])
    out = pd.DataFrame({
        "pair": wide.index.astype(int),
        "mean_a": wide["A"].to_numpy(dtype=float),
        "mean_b": wide["B"].to_numpy(dtype=float),
    })
    out["difference"] = out["mean_a"] - out["mean_b"]
    return out.reset_index(drop=True)


def diaries():
    for seed in range(12):
        rng = np.random.default_rng(seed)
        design = PairedDesign(int(rng.integers(2, 9))) if seed % 3 else \
            PhaseDesign("ABAB", n_occasions=84, min_phase=7)
        days = 14 if design.kind == "paired" else 1
        s = make_schedule(design, start="2026-01-05", period_days=days,
                          washout_days=7 if design.kind == "paired" else 0, rng=seed)
        d = read_diary(simulate_diary(s, rng=seed), s, warn=False).data
        d = d.merge(s.days[["date", "condition", "treatment", "pair"]], on="date",
                    how="left", suffixes=("_diary", "")) if "condition" not in d else d
        # missing scores, including whole periods below the completeness rule
        out = d.copy()
        for col in ("pain", "sleep"):
            if col in out:
                out.loc[rng.random(len(out)) < 0.2 * (seed % 4), col] = np.nan
        if seed % 4 == 3:
            out.loc[out["period"] == 2, "pain"] = np.nan
        yield seed, out


@pytest.mark.parametrize("seed,data", list(diaries()))
def test_period_and_pair_tables_equal_groupby_reference(seed, data):
    for outcome in ("pain", "sleep"):
        for level in (0.5, 0.9):
            got = period_table(data, outcome, level)
            want = reference_period_table(data, outcome, level)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-13,
                                          atol=1e-13, check_dtype=False)
            np.testing.assert_array_equal(np.isnan(got["mean"]), np.isnan(want["mean"]))
            if "pair" in data and data["pair"].notna().any():
                pd.testing.assert_frame_equal(pair_table(got), reference_pair_table(want),
                                              check_exact=False, rtol=1e-13, atol=1e-13)


# -- the diary reader's tables, against the group-by formulations they replaced ----------
def reference_adherence(data: pd.DataFrame) -> pd.DataFrame:
    """``Diary.adherence`` of commit 47df35a, kept verbatim as the reference."""
    d = data[data["period"].notna()]
    g = d.groupby("period")["took_pack"]
    return pd.DataFrame({
        "n_recorded": g.count(),
        "adherence": g.apply(lambda s: s.dropna().astype(float).mean()
                             if s.notna().any() else np.nan),
    }).reset_index()


def reference_missing_message(data: pd.DataFrame, outcomes) -> list[str]:
    """``missing_issues`` of commit 47df35a (its messages)."""
    d = data[data["analysed"]]
    if d.empty:
        return []
    parts = []
    for name in outcomes:
        missing = d[name].isna()
        n = int(missing.sum())
        if n:
            per = d.loc[missing].groupby("period").size()
            detail = ", ".join(f"period {int(p)}: {int(k)}" for p, k in per.items())
            parts.append(f"{name} {n} ({detail})")
    if not parts:
        return []
    none = int(d[list(outcomes)].isna().all(axis=1).sum())
    return [f"of {len(d)} analysed days, scores are missing for " + "; ".join(parts)
            + f"; {none} day(s) have no score at all"]


def reference_guess_table(data: pd.DataFrame, treatments) -> pd.DataFrame:
    """``guess_table`` of commit 47df35a."""
    from nof1.data._checks import DONT_KNOW

    rows = []
    names = {t.casefold(): t for t in treatments}
    per = data[data["period"].notna()]
    for p, g in per.groupby("period", sort=True):
        typed = [str(x).strip() for x in g["blinding_guess"] if str(x).strip()]
        if not typed:
            continue
        raw = typed[-1]
        key = raw.casefold().replace("’", "'")
        guess = names.get(key) or ("don't know" if key in DONT_KNOW else "unrecognised")
        actual = g["treatment"].iloc[0] if "treatment" in g else None
        rows.append({"period": int(p), "guess": guess, "typed": raw, "actual": actual,
                     "correct": (guess == actual) if guess in treatments else pd.NA})
    return pd.DataFrame(rows, columns=["period", "guess", "typed", "actual", "correct"])


@pytest.mark.parametrize("seed,data", list(diaries()))
def test_diary_tables_equal_groupby_reference(seed, data):
    from nof1.analysis._tables import guess_table
    from nof1.data._checks import missing_issues
    from nof1.data.diary import adherence_table

    rng = np.random.default_rng(seed)
    data = data.copy()
    # adherence: taken, not taken and not recorded, including whole periods unrecorded
    took = rng.choice(np.array([True, False, pd.NA], dtype=object), size=len(data),
                      p=[0.6, 0.25, 0.15])
    data["took_pack"] = pd.array(took, dtype="boolean")
    if seed % 2:
        data.loc[data["period"] == 1, "took_pack"] = pd.NA
    pd.testing.assert_frame_equal(adherence_table(data), reference_adherence(data))
    outcomes = ["pain", "stress", "sleep"]
    assert [i.message for i in missing_issues(data, outcomes)] == \
        reference_missing_message(data, outcomes)
    choices = np.array(["", " magnesium ", "Placebo", "don’t know", "dunno", ""], dtype=object)
    data["blinding_guess"] = rng.choice(choices, size=len(data))
    pd.testing.assert_frame_equal(guess_table(data, ("magnesium", "placebo")),
                                  reference_guess_table(data, ("magnesium", "placebo")))
