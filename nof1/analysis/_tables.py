"""Period-level tables from a diary: the period, not the day, is the unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: periods with fewer scored analysed days than this share are treated as missing
MIN_COMPLETENESS = 0.5


def period_table(data: pd.DataFrame, outcome: str,
                 min_completeness: float = MIN_COMPLETENESS) -> pd.DataFrame:
    """One row per period: pair, condition, treatment, mean of analysed days, counts.

    ``mean`` is NaN when fewer than ``min_completeness`` of the period's analysed days
    have a score (a pre-specified period-validity rule, docs/methods.md §1.7).
    """
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


def pair_table(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: mean under A, mean under B, and their difference A - B."""
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


_DONT_KNOW = {"don't know", "dont know", "do not know", "?", "unsure", "not sure", "no idea"}


def guess_table(data: pd.DataFrame, treatments: tuple[str, str]) -> pd.DataFrame:
    """Per period: the participant's last blinding guess and what the pack held.

    A guess naming one of ``treatments`` (case-insensitive) counts as that treatment;
    "don't know" and the like as ``"don't know"``; anything else as ``"other"``. Periods
    without a guess are left out.
    """
    rows = []
    names = {t.casefold(): t for t in treatments}
    per = data[data["period"].notna()]
    for p, g in per.groupby("period", sort=True):
        typed = [str(x).strip() for x in g["blinding_guess"] if str(x).strip()]
        if not typed:
            continue
        raw = typed[-1]
        key = raw.casefold().replace("’", "'")
        guess = names.get(key) or ("don't know" if key in _DONT_KNOW else "other")
        actual = g["treatment"].iloc[0] if "treatment" in g else None
        rows.append({"period": int(p), "guess": guess, "typed": raw, "actual": actual,
                     "correct": (guess == actual) if guess in treatments else pd.NA})
    return pd.DataFrame(rows, columns=["period", "guess", "typed", "actual", "correct"])
