"""Descriptive summaries of a parallel-group trial: n, mean and SD by subgroup, arm and visit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._data import check_column, check_frame, check_visits, numeric, visit_column

__all__ = ["cohort_summary", "SUMMARY_COLUMNS"]

#: columns of the frame returned by :func:`cohort_summary`
SUMMARY_COLUMNS: tuple[str, ...] = ("outcome", "subgroup", "arm", "visit", "n", "mean", "sd")


def _levels(values: pd.Series) -> list[Any]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna())
        return [c for c in values.cat.categories if c in present]
    return sorted(values.dropna().unique(), key=str)


def cohort_summary(data: pd.DataFrame, outcome: str, *,
                   visits: Sequence[str] = ("d0", "d28"), arm: str = "arm",
                   by: str | None = None, treatments: Sequence[str] | None = None,
                   change: bool = True, overall: bool = True) -> pd.DataFrame:
    """Number, mean and standard deviation of an outcome by subgroup, arm and visit.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per participant; the outcome at visit ``v`` is in column
        ``f"{outcome}_{v}"``.
    outcome : str
        Column stem, e.g. ``"dass_stress"``.
    visits : sequence of str, default ('d0', 'd28')
        Visit labels, baseline first.
    arm : str, default 'arm'
        Column with each participant's arm.
    by : str, optional
        Column defining subgroups (e.g. baseline severity).
    treatments : sequence of str, optional
        Arms in display order (default: sorted); arms not listed are left out.
    change : bool, default True
        Add rows with visit ``"change"``: last visit minus first, for
        participants with both.
    overall : bool, default True
        With ``by``, also add rows for the whole sample (subgroup ``"all"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``outcome, subgroup, arm, visit, n, mean, sd``: one row per
        subgroup x arm x visit. ``n`` counts non-missing values; ``sd`` is the
        sample standard deviation (``ddof=1``), NaN when ``n < 2``. Without
        ``by`` the subgroup is ``"all"``.

    Raises
    ------
    ValueError
        If a column is missing or not numeric, or a listed arm has no rows.

    Notes
    -----
    mean = sum(x) / n and sd = sqrt(sum((x - mean)^2) / (n - 1)) over the
    non-missing values of each cell, as trial reports print "mean ± SD".

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1.cohort import cohort_summary
    >>> df = pd.DataFrame({"arm": ["mg", "mg", "pl", "pl"],
    ...                    "stress_d0": [20, 24, 22, 23], "stress_d28": [10, 16, 21, 25]})
    >>> cohort_summary(df, "stress", treatments=["mg", "pl"])
       outcome subgroup arm  visit  n  mean        sd
    0   stress      all  mg     d0  2  22.0  2.828427
    1   stress      all  mg    d28  2  13.0  4.242641
    2   stress      all  mg change  2  -9.0  1.414214
    3   stress      all  pl     d0  2  22.5  0.707107
    4   stress      all  pl    d28  2  23.0  2.828427
    5   stress      all  pl change  2   0.5  2.121320
    """
    data = check_frame(data)
    visits = check_visits(visits)
    check_column(data, arm, "arm")
    values = {v: numeric(data, visit_column(data, outcome, v)) for v in visits}
    if change and len(visits) >= 2:
        values["change"] = values[visits[-1]] - values[visits[0]]
    arms = data[arm]
    if treatments is None:
        arm_levels = _levels(arms)
    else:
        if isinstance(treatments, str) or not isinstance(treatments, Sequence):
            raise TypeError("`treatments` must be a sequence of arm names")
        arm_levels = list(treatments)
        if not arm_levels or len(set(arm_levels)) != len(arm_levels):
            raise ValueError(f"`treatments` must be distinct arm names, got {treatments!r}")
        missing = [a for a in arm_levels if not (arms == a).any()]
        if missing:
            raise ValueError(f"no participant in arm(s) {missing!r} (column {arm!r})")
    groups: list[tuple[Any, np.ndarray]] = []
    if by is not None:
        check_column(data, by, "by")
        sub = data[by]
        groups += [(level, (sub == level).to_numpy()) for level in _levels(sub)]
    if by is None or overall:
        groups.append(("all", np.ones(len(data), dtype=bool)))
    rows = []
    for level, in_group in groups:
        for a in arm_levels:
            mask = in_group & (arms == a).to_numpy()
            for visit, series in values.items():
                x = series.to_numpy()[mask]
                x = x[~np.isnan(x)]
                n = x.size
                rows.append((outcome, level, a, visit, n,
                             float(x.mean()) if n else np.nan,
                             float(x.std(ddof=1)) if n > 1 else np.nan))
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    out["n"] = out["n"].astype(np.int64)
    return out
