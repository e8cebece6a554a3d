"""Period-level tables from a diary: the period, not the day, is the unit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data._checks import DONT_KNOW

#: periods with fewer scored analysed days than this share are treated as missing
MIN_COMPLETENESS = 0.5


class PeriodIndex:
    """The periods of a diary frame, found once and shared by every analysis of it.

    Holds, for the days that belong to a period (in the frame's order), the period
    number of each day (``inv`` indexes ``periods``), the analysed flag, each
    period's first and last date and the pair, condition and treatment of its first
    day. :meth:`summarise` then turns one outcome's scores into period counts and
    means with a few ``numpy.bincount`` calls, and :meth:`table` into the
    :func:`period_table` frame. ``analyze`` builds one index per diary and uses it for
    every outcome and every sensitivity analysis (they share the periods; only the
    scores or the analysed flags differ).
    """

    def __init__(self, data: pd.DataFrame):
        period_col = data["period"].to_numpy(dtype=float, na_value=np.nan)
        keep = ~np.isnan(period_col)
        uniq, first, inv = np.unique(period_col[keep], return_index=True,
                                     return_inverse=True)
        self.keep = keep
        self.periods = uniq
        self.first = first
        self.inv = inv
        self.m = uniq.size
        self.analysed = data["analysed"].astype(bool).to_numpy()[keep]
        self._dates = data["date"].to_numpy()[keep]
        self._bounds: tuple[Any, Any] | None = None
        self.columns = {col: data[col].to_numpy()[keep] for col in
                        ("pair", "condition", "treatment") if col in data}
        #: per-diary values computed once by the analyses that need them
        self.cache: dict[str, Any] = {}

    def kept(self, values: Any) -> np.ndarray:
        """``values`` (one per row of the frame) restricted to the period days."""
        return np.asarray(values)[self.keep]

    def scores(self, data: pd.DataFrame, outcome: str) -> np.ndarray:
        """The outcome's scores on the period days, as floats."""
        return data[outcome].astype(float).to_numpy()[self.keep]

    def firsts(self, col: str) -> Any:
        """The column's value on each period's first day (None without the column)."""
        values = self.columns.get(col)
        return None if values is None else values[self.first]

    def summarise(self, scores: np.ndarray, analysed: np.ndarray | None = None,
                  min_completeness: float = MIN_COMPLETENESS) -> dict[str, np.ndarray]:
        """Per period: ``n_analysed``, ``n_scored``, ``completeness``, ``mean``, ``sd``.

        ``scores`` and ``analysed`` are per period day (default: the index's analysed
        flags); the formulas are those of :func:`period_table`.
        """
        inv, m = self.inv, self.m
        analysed = self.analysed if analysed is None else analysed
        scored = analysed & ~np.isnan(scores)
        n_analysed = np.bincount(inv, weights=analysed, minlength=m).astype(int)
        n_scored = np.bincount(inv, weights=scored, minlength=m).astype(int)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.bincount(inv, weights=np.where(scored, scores, 0.0),
                               minlength=m) / n_scored
            dev = np.where(scored, scores - mean[inv], 0.0)
            sd = np.sqrt(np.bincount(inv, weights=dev * dev, minlength=m) / (n_scored - 1))
            complete = np.where(n_analysed > 0, n_scored / n_analysed, 0.0)
        mean = np.where((n_scored > 0) & (complete >= min_completeness), mean, np.nan)
        sd = np.where(n_scored > 1, sd, np.nan)
        return {"n_analysed": n_analysed, "n_scored": n_scored, "completeness": complete,
                "mean": mean, "sd": sd}

    def bounds(self) -> tuple[Any, Any]:
        """First and last date of each period (``datetime.date``)."""
        if self._bounds is None:
            dates, inv, m = self._dates, self.inv, self.m
            order = np.lexsort((dates, inv))
            cuts = np.searchsorted(inv[order], np.arange(m + 1))
            start = dates[order[cuts[:-1]]]
            end = dates[order[cuts[1:] - 1]]
            self._bounds = (pd.to_datetime(start).date, pd.to_datetime(end).date)
        return self._bounds

    def table(self, summary: dict[str, np.ndarray]) -> pd.DataFrame:
        """The :func:`period_table` frame of a :meth:`summarise` result."""
        start, end = self.bounds()
        pair = self.firsts("pair")
        return pd.DataFrame({
            "period": self.periods.astype(int),
            "pair": pd.array([pd.NA] * self.m if pair is None else pair, dtype="Int64"),
            "condition": self.firsts("condition"),
            "treatment": self.firsts("treatment"),
            "start": start,
            "end": end,
            **summary,
        })


def period_table(data: pd.DataFrame, outcome: str,
                 min_completeness: float = MIN_COMPLETENESS,
                 index: PeriodIndex | None = None) -> pd.DataFrame:
    """One row per period: pair, condition, treatment, mean of analysed days, counts.

    ``mean`` is NaN when fewer than ``min_completeness`` of the period's analysed days
    have a score (a pre-specified period-validity rule, docs/methods.md §1.7).
    Periods are in increasing order; pair, condition and treatment are those of the
    period's first day. (Grouped with ``numpy.bincount`` rather than a pandas
    group-by: the same table in a fraction of the time; ``tests/test_tables.py``
    compares it with the group-by formulation.) ``index`` is ``PeriodIndex(data)``
    when the caller has it already.
    """
    idx = PeriodIndex(data) if index is None else index
    return idx.table(idx.summarise(idx.scores(data, outcome), None, min_completeness))


def pair_means(pairs: Any, condition: Any, mean: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair numbers, mean under A, mean under B) from per-period arrays.

    ``pairs`` may hold missing values (periods outside a pair), which are left out;
    for each pair and condition the first non-missing mean counts (pivot_table's
    'first').
    """
    pair = pd.array(pairs, dtype="Int64") if not isinstance(pairs, np.ndarray) or \
        pairs.dtype.kind not in "iu" else pairs
    has = ~np.asarray(pd.isna(pair), dtype=bool)
    ints = np.asarray(pair[has], dtype=np.int64)
    cond = np.asarray(condition)[has]
    mean = np.asarray(mean, dtype=float)[has]
    uniq, inv = np.unique(ints, return_inverse=True)
    out = []
    for letter in ("A", "B"):
        value = np.full(uniq.size, np.nan)
        sel = np.flatnonzero((cond == letter) & ~np.isnan(mean))
        value[inv[sel[::-1]]] = mean[sel[::-1]]
        out.append(value)
    return uniq, out[0], out[1]


def pair_frame(uniq: np.ndarray, mean_a: np.ndarray, mean_b: np.ndarray) -> pd.DataFrame:
    """The :func:`pair_table` frame of :func:`pair_means`."""
    return pd.DataFrame({"pair": uniq.astype(int), "mean_a": mean_a, "mean_b": mean_b,
                         "difference": mean_a - mean_b})


def pair_table(periods: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: mean under A, mean under B, and their difference A - B."""
    return pair_frame(*pair_means(periods["pair"].to_numpy(), periods["condition"].to_numpy(),
                                  periods["mean"].to_numpy(dtype=float)))


_DONT_KNOW = DONT_KNOW  # one vocabulary: the diary reader's (nof1.data._checks)


def guess_table(data: pd.DataFrame, treatments: tuple[str, str],
                treatment: Any = None) -> pd.DataFrame:
    """Per period: the participant's last blinding guess and what the pack held.

    A guess naming one of ``treatments`` (case-insensitive) counts as that treatment;
    "don't know" and the like as ``"don't know"``; anything else as ``"unrecognised"``
    (the diary reader records it as an issue) and is not counted as a guess. Periods
    without a guess are left out. ``treatment`` (one per row of ``data``) replaces the
    frame's ``treatment`` column.
    """
    names = {t.casefold(): t for t in treatments}
    keep = data["period"].notna().to_numpy()
    periods = data["period"].to_numpy()[keep]
    typed = data["blinding_guess"].to_numpy(dtype=object)[keep]
    if treatment is None and "treatment" in data:
        treatment = data["treatment"].to_numpy()
    held = [None] * int(keep.sum()) if treatment is None else np.asarray(treatment)[keep]
    first: dict[Any, Any] = {}
    last: dict[Any, str] = {}
    for p, x, t in zip(periods, typed, held, strict=True):
        if p not in first:
            first[p] = t
        text = str(x).strip()
        if text:
            last[p] = text
    rows = []
    for p in sorted(last):
        raw = last[p]
        key = raw.casefold().replace("’", "'")
        guess = names.get(key) or ("don't know" if key in _DONT_KNOW else "unrecognised")
        actual = first[p]
        rows.append({"period": int(p), "guess": guess, "typed": raw, "actual": actual,
                     "correct": (guess == actual) if guess in treatments else pd.NA})
    return pd.DataFrame(rows, columns=["period", "guess", "typed", "actual", "correct"])
