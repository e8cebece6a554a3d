"""Period-level tables from a diary: the period, not the day, is the unit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data._checks import DONT_KNOW

#: periods with fewer scored analysed days than this share are treated as missing
MIN_COMPLETENESS = 0.5


def period_table(data: pd.DataFrame, outcome: str,
                 min_completeness: float = MIN_COMPLETENESS) -> pd.DataFrame:
    """One row per period: pair, condition, treatment, mean of analysed days, counts.

    ``mean`` is NaN when fewer than ``min_completeness`` of the period's analysed days
    have a score (a pre-specified period-validity rule, docs/methods.md §1.7).
    Periods are in increasing order; pair, condition and treatment are those of the
    period's first day. (Grouped with ``numpy.bincount`` rather than a pandas
    group-by: the same table in a fraction of the time; ``tests/test_tables.py``
    compares it with the group-by formulation.)
    """
    period_col = data["period"]
    keep = period_col.notna().to_numpy()
    periods = period_col.to_numpy()[keep]
    uniq, first, inv = np.unique(periods.astype(float), return_index=True,
                                 return_inverse=True)
    m = uniq.size
    analysed = data["analysed"].astype(bool).to_numpy()[keep]
    scores = data[outcome].astype(float).to_numpy()[keep]
    scored = analysed & ~np.isnan(scores)
    n_analysed = np.bincount(inv, weights=analysed, minlength=m).astype(int)
    n_scored = np.bincount(inv, weights=scored, minlength=m).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(inv, weights=np.where(scored, scores, 0.0), minlength=m) / n_scored
        dev = np.where(scored, scores - mean[inv], 0.0)
        sd = np.sqrt(np.bincount(inv, weights=dev * dev, minlength=m) / (n_scored - 1))
        complete = np.where(n_analysed > 0, n_scored / n_analysed, 0.0)
    mean = np.where((n_scored > 0) & (complete >= min_completeness), mean, np.nan)
    sd = np.where(n_scored > 1, sd, np.nan)
    dates = data["date"].to_numpy()[keep]
    order = np.lexsort((dates, inv))
    bounds = np.searchsorted(inv[order], np.arange(m + 1))
    start = dates[order[bounds[:-1]]]
    end = dates[order[bounds[1:] - 1]]

    def firsts(col: str) -> Any:
        return data[col].to_numpy()[keep][first] if col in data else None

    out = pd.DataFrame({
        "period": uniq.astype(int),
        "pair": firsts("pair") if "pair" in data else pd.NA,
        "condition": firsts("condition"),
        "treatment": firsts("treatment"),
        "start": pd.to_datetime(start).date,
        "end": pd.to_datetime(end).date,
        "n_analysed": n_analysed,
        "n_scored": n_scored,
        "completeness": complete,
        "mean": mean,
        "sd": sd,
    })
    out["pair"] = out["pair"].astype("Int64")
    return out


def pair_table(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: mean under A, mean under B, and their difference A - B."""
    pair = periods["pair"]
    has = pair.notna().to_numpy()
    pairs = pair.to_numpy()[has].astype(np.int64)
    cond = periods["condition"].to_numpy()[has]
    mean = periods["mean"].to_numpy(dtype=float)[has]
    uniq, inv = np.unique(pairs, return_inverse=True)
    cols = {}
    for name, letter in (("mean_a", "A"), ("mean_b", "B")):
        value = np.full(uniq.size, np.nan)
        sel = np.flatnonzero((cond == letter) & ~np.isnan(mean))
        # the first non-missing mean of the condition in each pair (pivot_table's 'first')
        value[inv[sel[::-1]]] = mean[sel[::-1]]
        cols[name] = value
    out = pd.DataFrame({"pair": uniq.astype(int), **cols})
    out["difference"] = out["mean_a"] - out["mean_b"]
    return out


_DONT_KNOW = DONT_KNOW  # one vocabulary: the diary reader's (nof1.data._checks)


def guess_table(data: pd.DataFrame, treatments: tuple[str, str]) -> pd.DataFrame:
    """Per period: the participant's last blinding guess and what the pack held.

    A guess naming one of ``treatments`` (case-insensitive) counts as that treatment;
    "don't know" and the like as ``"don't know"``; anything else as ``"unrecognised"``
    (the diary reader records it as an issue) and is not counted as a guess. Periods
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
        guess = names.get(key) or ("don't know" if key in _DONT_KNOW else "unrecognised")
        actual = g["treatment"].iloc[0] if "treatment" in g else None
        rows.append({"period": int(p), "guess": guess, "typed": raw, "actual": actual,
                     "correct": (guess == actual) if guess in treatments else pd.NA})
    return pd.DataFrame(rows, columns=["period", "guess", "typed", "actual", "correct"])
