"""Scoring of the DASS (depression, anxiety, stress) and of the Brief Pain Inventory.

DASS (Lovibond & Lovibond 1995) — public domain
    Items are rated 0-3 over the past week. Each subscale score is the sum of
    its items: 14 items per subscale on the DASS-42 (range 0-42), 7 items on
    the DASS-21, whose sums are doubled to put them on the DASS-42 metric.
    Severity bands are those of the DASS manual on the DASS-42 metric:

    ================  ==========  =======  ======
    band              depression  anxiety  stress
    ================  ==========  =======  ======
    normal            0-9         0-7      0-14
    mild              10-13       8-9      15-18
    moderate          14-20       10-14    19-25
    severe            21-27       15-19    26-33
    extremely severe  28+         20+      34+
    ================  ==========  =======  ======

Brief Pain Inventory (Cleeland) — copyrighted
    Severity = mean of the four 0-10 items worst, least, average and "now"
    (short form items 3-6); interference = mean of the seven 0-10 items
    (item 9 A-G), valid when at least 4 of 7 are answered. The BPI is
    copyrighted and may need a licence: this module scores it but ships none
    of its wording; items are named by short keys only.

Sources are collected in ``docs/methods.md`` §3.1-§3.2.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_choice, check_int

__all__ = [
    "DASS_SCALES", "DASS_FORMS", "DASS_ITEMS", "DASS_SEVERITY_LABELS", "DASS_CUTOFFS",
    "BPI_SEVERITY_ITEMS", "BPI_INTERFERENCE_ITEMS",
    "score_dass", "dass_severity", "bpi_severity", "bpi_interference",
]

#: the three DASS subscales, in the order of the output columns
DASS_SCALES: tuple[str, ...] = ("depression", "anxiety", "stress")

#: number of items on each DASS form and the multiplier to the DASS-42 metric
DASS_FORMS: dict[str, tuple[int, int]] = {"DASS-42": (42, 1), "DASS-21": (21, 2)}

#: item numbers of each subscale, per form
DASS_ITEMS: dict[str, dict[str, tuple[int, ...]]] = {
    "DASS-42": {
        "depression": (3, 5, 10, 13, 16, 17, 21, 24, 26, 31, 34, 37, 38, 42),
        "anxiety": (2, 4, 7, 9, 15, 19, 20, 23, 25, 28, 30, 36, 40, 41),
        "stress": (1, 6, 8, 11, 12, 14, 18, 22, 27, 29, 32, 33, 35, 39),
    },
    "DASS-21": {
        "depression": (3, 5, 10, 13, 16, 17, 21),
        "anxiety": (2, 4, 7, 9, 15, 19, 20),
        "stress": (1, 6, 8, 11, 12, 14, 18),
    },
}

#: severity labels, mildest first (the order of the categorical)
DASS_SEVERITY_LABELS: tuple[str, ...] = ("normal", "mild", "moderate", "severe",
                                         "extremely severe")

#: lowest DASS-42-metric score of the bands mild, moderate, severe, extremely severe
DASS_CUTOFFS: dict[str, tuple[int, int, int, int]] = {
    "depression": (10, 14, 21, 28),
    "anxiety": (8, 10, 15, 20),
    "stress": (15, 19, 26, 34),
}

#: BPI short-form severity items (3 worst, 4 least, 5 average, 6 right now), each 0-10
BPI_SEVERITY_ITEMS: tuple[str, ...] = ("worst", "least", "average", "now")

#: BPI short-form interference items (9 A-G), each 0-10
BPI_INTERFERENCE_ITEMS: tuple[str, ...] = ("general_activity", "mood", "walking", "work",
                                           "relations", "sleep", "enjoyment")

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


# --------------------------------------------------------------------------- reading items

def _as_frame(responses: Any, n_positional: int, what: str) -> tuple[pd.DataFrame, bool, bool]:
    """Responses as a frame; also whether it is one respondent and whether columns are positional.

    Positional frames (from arrays) have columns 0..n_positional-1 in item order.
    """
    if isinstance(responses, pd.DataFrame):
        return responses, False, False
    if isinstance(responses, pd.Series):
        return responses.to_frame().T, True, False
    if isinstance(responses, Mapping):
        return pd.DataFrame([dict(responses)]), True, False
    if isinstance(responses, (str, bytes)) or np.ndim(responses) == 0:
        raise TypeError(f"`responses` must be a mapping, Series, DataFrame or array of {what} "
                        f"items, got {type(responses).__name__}")
    try:
        arr = np.asarray(responses, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`responses` must hold numbers (the {what} item ratings)") from None
    if arr.ndim not in (1, 2) or arr.shape[-1] != n_positional:
        raise ValueError(f"an array of {what} responses must have {n_positional} items in item "
                         f"order (one row per respondent), got shape {arr.shape}")
    single = arr.ndim == 1
    return pd.DataFrame(np.atleast_2d(arr)), single, True


def _item_values(frame: pd.DataFrame, cols: Sequence[Any], labels: Sequence[str],
                 high: int, what: str, allow_missing: bool = False) -> np.ndarray:
    """The item columns as a float array, checked: integers 0..high (NaN only if allowed)."""
    out = np.empty((len(frame), len(cols)))
    for j, (col, label) in enumerate(zip(cols, labels, strict=True)):
        try:
            column = pd.to_numeric(frame[col], errors="raise")
            out[:, j] = column.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise ValueError(f"{what} item {label} (column {col!r}) must hold numbers") from None
    bad = ~np.isnan(out) & ((out < 0) | (out > high) | (out != np.round(out)))
    if not allow_missing:
        bad |= np.isnan(out)
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        row = frame.index[i]
        where = f" in row {row!r}" if len(frame) > 1 or row != 0 else ""
        value = out[i, j]
        problem = "is missing" if np.isnan(value) else f"is {value:g}"
        raise ValueError(f"{what} item {labels[j]} (column {cols[j]!r}){where} {problem}; "
                         f"items must be integers 0-{high}"
                         f" ({int(bad.sum())} invalid value(s) in all)")
    return out


def _find_numbered(keys: Sequence[Any], needed: Sequence[int], what: str) -> dict[int, Any]:
    """Map item numbers to keys named 1, 2, ... or '<prefix><number>' (one common prefix)."""
    groups: dict[str | None, dict[int, Any]] = {}
    for key in keys:
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            groups.setdefault(None, {})[int(key)] = key
        elif isinstance(key, str) and (m := _NUMBERED.match(key.strip())):
            groups.setdefault(m.group(1), {}).setdefault(int(m.group(2)), key)
    need = set(needed)
    complete = [g for g in groups.values() if need <= set(g)]
    if len(complete) == 1:
        return complete[0]
    hint = (f"name the {what} items by their number (1, 2, ... or a common prefix such as "
            f"'q1', 'q2', ...) or pass `columns`")
    if complete:
        raise ValueError(f"more than one set of columns looks like {what} items; {hint}")
    best = max(groups.values(), key=lambda g: len(need & set(g)), default={})
    missing = sorted(need - set(best))
    shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
    raise ValueError(f"{what} items not found: missing item(s) {shown}; {hint}")


# --------------------------------------------------------------------------- DASS

def score_dass(responses: Any, *, form: str = "DASS-42",
               scales: Sequence[str] = DASS_SCALES,
               columns: Sequence[Any] | None = None) -> pd.Series | pd.DataFrame:
    """Score the DASS-42 or DASS-21: subscale sums on the DASS-42 metric (0-42).

    Parameters
    ----------
    responses : mapping, Series, DataFrame or array
        Item ratings, integers 0-3. One respondent: a mapping or Series keyed
        by item, or a 1-D array with all items in item order. Several
        respondents: a DataFrame (one row per person, one column per item;
        other columns are ignored) or a 2-D array. Keys are the item numbers
        (``1``, ``2``, ...) or one common prefix followed by the number
        (``"q1"``, ``"dass_1"``, ``"q01"``, ...).
    form : {'DASS-42', 'DASS-21'}
        The questionnaire. DASS-21 sums are multiplied by 2.
    scales : sequence of {'depression', 'anxiety', 'stress'}
        Subscales to score; only their items are needed.
    columns : sequence, optional
        The item columns (or keys) in item order, all 42 or 21 of them, when
        they are not named by number.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        One respondent: a Series indexed by subscale. Several: a DataFrame
        with one integer column per subscale and the index of ``responses``.

    Raises
    ------
    ValueError
        If an item is missing, not an integer or outside 0-3 (the message
        names the item, its column and the row), if the items cannot be
        found, or if ``form`` or ``scales`` is not allowed.

    Notes
    -----
    Subscale score = sum of its items (DASS-42) or 2 x sum (DASS-21), so both
    forms share the DASS-42 cut-offs of :func:`dass_severity`. Item keys:
    DASS-42 from the official form (numbering as on the NovoPsych form);
    DASS-21 from the University of Wisconsin ARC scoring syntax
    (depression 3, 5, 10, 13, 16, 17, 21; anxiety 2, 4, 7, 9, 15, 19, 20;
    stress 1, 6, 8, 11, 12, 14, 18). At least one public summary
    (measurely.com.au) swaps the depression and anxiety item lists; the
    lists here follow the scoring syntax.

    No rule for missing items is applied: a missing item is an error. The
    DASS manual's guidance on missing responses was not available to us,
    so any imputation is left to the user, explicitly.

    References
    ----------
    .. [1] Lovibond SH, Lovibond PF. Manual for the Depression Anxiety Stress
       Scales. 2nd ed. Sydney: Psychology Foundation; 1995.
    .. [2] University of Wisconsin-Madison, Addiction Research Center.
       Depression Anxiety Stress Scale-21 (DASS21), scoring syntax.
       https://arc.psych.wisc.edu/self-report/depression-anxiety-stress-scale-21-dass21/

    Examples
    --------
    >>> from nof1.instruments import score_dass
    >>> items = {i: 1 for i in range(1, 22)}   # every DASS-21 item rated 1
    >>> items[1] = 3                           # a stress item
    >>> score_dass(items, form="DASS-21")
    depression    14
    anxiety       14
    stress        18
    dtype: int64
    """
    form = check_choice(form, "form", DASS_FORMS)
    if isinstance(scales, str):
        scales = (scales,)
    scales = tuple(check_choice(s, "scales", DASS_SCALES) for s in scales)
    if not scales or len(set(scales)) != len(scales):
        raise ValueError("`scales` must name each of 'depression', 'anxiety', 'stress' "
                         f"at most once, and at least one; got {scales!r}")
    n_items, multiplier = DASS_FORMS[form]
    keys = DASS_ITEMS[form]
    needed = sorted(i for s in scales for i in keys[s])
    frame, single, positional = _as_frame(responses, n_items, form)
    if positional:
        col_of = {i: i - 1 for i in needed}
    elif columns is not None:
        if isinstance(columns, str) or len(columns) != n_items:
            raise ValueError(f"`columns` must list all {n_items} {form} item columns in item "
                             f"order, got {columns!r}")
        col_of = {i: columns[i - 1] for i in needed}
        absent = [c for c in col_of.values() if c not in frame.columns]
        if absent:
            raise ValueError(f"`columns` names columns not in `responses`: {absent!r}")
    else:
        col_of = _find_numbered(list(frame.columns), needed, form)
    cols = [col_of[i] for i in needed]
    values = _item_values(frame, cols, [str(i) for i in needed], 3, form)
    position = {item: j for j, item in enumerate(needed)}
    scores = {s: multiplier * values[:, [position[i] for i in keys[s]]].sum(axis=1)
              for s in scales}
    out = pd.DataFrame({s: v.astype(np.int64) for s, v in scores.items()}, index=frame.index)
    if single:
        return out.iloc[0].rename(None)
    return out


def dass_severity(scores: Any, *, scale: str | None = None) -> Any:
    """Severity band of DASS scores on the DASS-42 metric (manual cut-offs).

    Parameters
    ----------
    scores : number, array-like, Series or DataFrame
        Subscale scores on the DASS-42 metric, 0-42 (DASS-21 sums doubled,
        as :func:`score_dass` returns them). A DataFrame is read column by
        column; its columns must be subscale names (as from :func:`score_dass`).
    scale : {'depression', 'anxiety', 'stress'}
        Which cut-offs to use; required unless ``scores`` is a DataFrame.

    Returns
    -------
    str, pandas.Categorical, pandas.Series or pandas.DataFrame
        The band label for a number; otherwise an ordered categorical with
        categories ``DASS_SEVERITY_LABELS`` (a Series or DataFrame keeps the
        index and names of the input).

    Raises
    ------
    ValueError
        If a score is missing, not finite or outside 0-42, or ``scale`` is not
        a subscale name.

    Notes
    -----
    Bands (DASS-42 metric), from the DASS manual as reproduced in
    ``docs/methods.md`` §3.1: stress normal 0-14, mild 15-18, moderate
    19-25, severe 26-33, extremely severe 34+; depression 0-9, 10-13, 14-20,
    21-27, 28+; anxiety 0-7, 8-9, 10-14, 15-19, 20+. A score belongs to the
    highest band whose lowest score it reaches, so a non-integer score
    (say an average) of 14.5 is "normal" and 15 is "mild".

    Other tables exist and are not used here: Pouteau et al. (2018) call
    DASS-42 stress >= 25 "severe/extremely severe" (the manual starts
    "severe" at 26), and PMC6708020 prints non-standard cut-offs (stress
    normal 0-10). The labels are dimensional, not diagnoses.

    References
    ----------
    .. [1] Lovibond SH, Lovibond PF. Manual for the Depression Anxiety Stress
       Scales. 2nd ed. Sydney: Psychology Foundation; 1995.
    .. [2] Pouteau E, et al. Superiority of magnesium and vitamin B6 over
       magnesium alone on severe stress in healthy adults with low
       magnesemia: a randomized, single-blind clinical trial. PLoS One
       2018;13:e0208454.

    Examples
    --------
    >>> from nof1.instruments import dass_severity
    >>> dass_severity(25, scale="stress"), dass_severity(26, scale="stress")
    ('moderate', 'severe')
    >>> list(dass_severity([14, 15, 34], scale="stress"))
    ['normal', 'mild', 'extremely severe']
    """
    if isinstance(scores, pd.DataFrame):
        if scale is not None:
            raise ValueError("`scale` must be None for a DataFrame: its columns name the scales")
        return pd.DataFrame({c: dass_severity(scores[c], scale=c) for c in scores.columns},
                            index=scores.index)
    if scale is None:
        raise ValueError("`scale` is required: one of 'depression', 'anxiety', 'stress'")
    scale = check_choice(scale, "scale", DASS_SCALES)
    try:
        values = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("`scores` must be numbers (DASS-42-metric scores)") from None
    bad = ~np.isfinite(values) | (values < 0) | (values > 42)
    if bad.any():
        first = values[bad].flat[0]
        what = "missing" if np.isnan(first) else f"{first:g}"
        raise ValueError(f"DASS {scale} scores must be finite numbers in 0-42 (DASS-42 metric); "
                         f"got {what} ({int(bad.sum())} invalid value(s))")
    codes = np.searchsorted(np.asarray(DASS_CUTOFFS[scale]), values, side="right")
    if values.ndim == 0:
        return DASS_SEVERITY_LABELS[int(codes)]
    cat = pd.Categorical.from_codes(np.ravel(codes), categories=list(DASS_SEVERITY_LABELS),
                                    ordered=True)
    if isinstance(scores, pd.Series):
        return pd.Series(cat, index=scores.index, name=scores.name)
    if values.ndim != 1:
        raise ValueError(f"`scores` must be a number or one-dimensional, got shape "
                         f"{values.shape}")
    return cat


# --------------------------------------------------------------------------- BPI

def _bpi_items(responses: Any, items: tuple[str, ...], columns: Any, what: str,
               allow_missing: bool) -> tuple[np.ndarray, pd.DataFrame, bool, bool]:
    frame, single, positional = _as_frame(responses, len(items), what)
    if positional:
        cols: list[Any] = list(range(len(items)))
    elif columns is None:
        cols = list(items)
    elif isinstance(columns, Mapping):
        unknown = set(columns) - set(items)
        if unknown:
            raise ValueError(f"`columns` keys must be {what} items {items}, got {sorted(unknown)}")
        cols = [columns.get(k, k) for k in items]
    elif not isinstance(columns, str) and len(columns) == len(items):
        cols = list(columns)
    else:
        raise ValueError(f"`columns` must map the {what} items {items} to column names, or "
                         f"list {len(items)} columns in that order; got {columns!r}")
    absent = [c for c in cols if c not in frame.columns]
    if absent:
        raise ValueError(f"{what} item column(s) not found: {absent!r}")
    values = _item_values(frame, cols, list(items), 10, what, allow_missing=allow_missing)
    return values, frame, single, positional


def _bpi_output(score: np.ndarray, frame: pd.DataFrame, single: bool, positional: bool,
                name: str) -> Any:
    if single:
        return float(score[0])
    if positional:
        return score
    return pd.Series(score, index=frame.index, name=name)


def bpi_severity(responses: Any, *, columns: Any = None) -> Any:
    """Brief Pain Inventory pain severity: the mean of the four severity items.

    Parameters
    ----------
    responses : mapping, Series, DataFrame or array
        Ratings 0-10 (integers) of the items ``BPI_SEVERITY_ITEMS``:
        ``worst``, ``least``, ``average``, ``now`` (short form items 3-6).
        A mapping/Series/DataFrame is keyed by these names (DataFrame: one
        row per person); an array lists them in this order (2-D: one row per
        person).
    columns : mapping or sequence, optional
        Other column names: ``{"worst": "bpi3", ...}`` or four names in the
        order above.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Severity, 0-10, a multiple of 0.25 (a Series named ``bpi_severity``
        for a DataFrame, an array for a 2-D array).

    Raises
    ------
    ValueError
        If an item is missing, not an integer, or outside 0-10.

    Notes
    -----
    severity = (worst + least + average + now) / 4. All four items are
    required. The BPI is copyrighted (Cleeland; licence and fees may apply
    to its use); nothing of its wording is included here.

    References
    ----------
    .. [1] Cleeland CS, Ryan KM. Pain assessment: global use of the Brief Pain
       Inventory. Ann Acad Med Singapore 1994;23:129-138.
    .. [2] NINDS Common Data Elements: Brief Pain Inventory (Short Form).
       https://www.commondataelements.ninds.nih.gov/

    Examples
    --------
    >>> from nof1.instruments import bpi_severity
    >>> bpi_severity({"worst": 8, "least": 3, "average": 5, "now": 6})
    5.5
    """
    values, frame, single, positional = _bpi_items(
        responses, BPI_SEVERITY_ITEMS, columns, "BPI severity", allow_missing=False)
    return _bpi_output(values.mean(axis=1), frame, single, positional, "bpi_severity")


def bpi_interference(responses: Any, *, columns: Any = None, min_answered: int = 4) -> Any:
    """Brief Pain Inventory interference: the mean of the answered interference items.

    Parameters
    ----------
    responses : mapping, Series, DataFrame or array
        Ratings 0-10 (integers; NaN or None = not answered) of the items
        ``BPI_INTERFERENCE_ITEMS``: ``general_activity``, ``mood``,
        ``walking``, ``work``, ``relations``, ``sleep``, ``enjoyment``
        (short form item 9 A-G). Keyed or ordered as in :func:`bpi_severity`.
    columns : mapping or sequence, optional
        Other column names, as in :func:`bpi_severity`.
    min_answered : int, default 4
        Fewest answered items for a valid score (1-7).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Interference, 0-10 (a Series named ``bpi_interference`` for a
        DataFrame, an array for a 2-D array).

    Raises
    ------
    ValueError
        If an answered item is not an integer in 0-10, or fewer than
        ``min_answered`` items are answered (the message names the row).

    Notes
    -----
    interference = mean of the answered items, valid when at least 4 of the
    7 are answered (the usual scoring rule; ``docs/methods.md`` §3.2).

    References
    ----------
    .. [1] Cleeland CS, Ryan KM. Pain assessment: global use of the Brief Pain
       Inventory. Ann Acad Med Singapore 1994;23:129-138.
    .. [2] NINDS Common Data Elements: Brief Pain Inventory (Short Form).
       https://www.commondataelements.ninds.nih.gov/

    Examples
    --------
    >>> from nof1.instruments import bpi_interference
    >>> bpi_interference([4, 6, 2, None, 5, 7, None])   # 5 of 7 answered
    4.8
    """
    min_answered = check_int(min_answered, "min_answered", minimum=1,
                             maximum=len(BPI_INTERFERENCE_ITEMS))
    values, frame, single, positional = _bpi_items(
        responses, BPI_INTERFERENCE_ITEMS, columns, "BPI interference", allow_missing=True)
    answered = (~np.isnan(values)).sum(axis=1)
    short = answered < min_answered
    if short.any():
        i = int(np.argmax(short))
        where = "" if single else f" in row {frame.index[i]!r}"
        raise ValueError(f"BPI interference needs at least {min_answered} of 7 items answered; "
                         f"{int(answered[i])} answered{where} "
                         f"({int(short.sum())} row(s) too incomplete)")
    score = np.nansum(values, axis=1) / answered
    return _bpi_output(score, frame, single, positional, "bpi_interference")
