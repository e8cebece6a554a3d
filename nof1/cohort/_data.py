"""Reading a wide cohort table: one row per participant, one column per outcome and visit.

An outcome measured at visits ``("d0", "d28")`` lives in the columns
``f"{outcome}_d0"`` and ``f"{outcome}_d28"``; the arm is one column holding the
treatment names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS

from .._inference import t_interval, t_pvalue
from .._validation import check_float, check_treatments


def check_frame(data: Any) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"`data` must be a pandas DataFrame (one row per participant), "
                        f"got {type(data).__name__}")
    return data


def check_column(data: pd.DataFrame, column: Any, name: str) -> Any:
    if column not in data.columns:
        raise ValueError(f"`{name}`: column {column!r} is not in `data`; "
                         f"columns are {list(data.columns)!r}")
    return column


def check_visits(visits: Any, *, minimum: int = 1) -> tuple[str, ...]:
    if isinstance(visits, str) or not isinstance(visits, Sequence):
        raise TypeError(f"`visits` must be a sequence of visit labels such as ('d0', 'd28'), "
                        f"got {visits!r}")
    visits = tuple(visits)
    if len(visits) < minimum or not all(isinstance(v, str) and v for v in visits) \
            or len(set(visits)) != len(visits):
        raise ValueError(f"`visits` must be at least {minimum} distinct non-empty labels, "
                         f"got {visits!r}")
    return visits


def visit_column(data: pd.DataFrame, outcome: str, visit: str) -> str:
    if not isinstance(outcome, str) or not outcome:
        raise TypeError(f"`outcome` must be a column stem such as 'dass_stress', got {outcome!r}")
    col = f"{outcome}_{visit}"
    if col not in data.columns:
        raise ValueError(f"`outcome`/`visits`: column {col!r} is not in `data`; expected one "
                         f"column per visit named '<outcome>_<visit>'")
    return col


def numeric(data: pd.DataFrame, column: str) -> pd.Series:
    try:
        return pd.to_numeric(data[column], errors="raise").astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"column {column!r} must hold numbers") from None


def endpoint_values(data: pd.DataFrame, outcome: str, visits: Any,
                    endpoint: str) -> tuple[pd.Series, pd.Series]:
    """(endpoint values, baseline values): end visit or change from baseline."""
    visits = check_visits(visits, minimum=2)
    if len(visits) != 2:
        raise ValueError(f"`visits` must be (baseline, end), got {visits!r}")
    base = numeric(data, visit_column(data, outcome, visits[0]))
    end = numeric(data, visit_column(data, outcome, visits[1]))
    if endpoint == "end":
        return end, base
    if endpoint == "change":
        return end - base, base
    raise ValueError(f"`endpoint` must be one of 'end', 'change'; got {endpoint!r}")


def arm_indicator(data: pd.DataFrame, arm: str, treatments: Any) -> tuple[pd.Series, tuple]:
    """1.0 for the treatment, 0.0 for the control, NaN for missing; other labels are errors."""
    check_column(data, arm, "arm")
    treatments = check_treatments(treatments)
    labels = data[arm]
    present = labels.dropna().astype(str)
    unknown = sorted(set(present) - set(treatments))
    if unknown:
        raise ValueError(f"`arm` column {arm!r} holds {unknown!r}, which is not one of "
                         f"`treatments` {treatments!r}")
    for name in treatments:
        if not (present == name).any():
            raise ValueError(f"no participant in arm {name!r} (column {arm!r})")
    ind = pd.Series(np.where(labels.astype(str) == treatments[0], 1.0, 0.0), index=data.index)
    ind[labels.isna()] = np.nan
    return ind, treatments


def check_level(confidence_level: Any) -> float:
    return check_float(confidence_level, "confidence_level", minimum=0.0, maximum=1.0,
                       inclusive=False)


class CoefficientTest(NamedTuple):
    """t inference on one coefficient of an ordinary least-squares fit."""

    estimate: float
    se: float
    df: float
    statistic: float
    pvalue: float
    ci_low: float
    ci_high: float
    params: np.ndarray


def ols_coefficient(y: np.ndarray, exog: np.ndarray, index: int, alternative: str,
                    confidence_level: float) -> CoefficientTest:
    """Fit ``y ~ exog`` by OLS; t test and interval of coefficient ``index``.

    The design matrix is passed directly (the formula interface parses its formula on
    every call, which is 30 times slower in simulations).
    """
    fit = OLS(y, exog).fit()
    estimate, se, df = float(fit.params[index]), float(fit.bse[index]), float(fit.df_resid)
    statistic = estimate / se
    low, high = t_interval(estimate, se, df, alternative, confidence_level)
    return CoefficientTest(estimate, se, df, statistic,
                           float(t_pvalue(statistic, df, alternative)), low, high,
                           np.asarray(fit.params))
