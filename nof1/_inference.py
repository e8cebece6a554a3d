"""Student-t inference shared by the analyses: p-value and interval by alternative.

One home for "t statistic -> p-value" and "estimate, SE, df -> confidence interval"
so that every test reads the alternative the same way. Both functions broadcast
over arrays (batches of trials) and accept scalars. They call the Student-t
distribution functions of ``scipy.special`` (``stdtr``, ``stdtrit``), which
``scipy.stats.t`` wraps: the same numbers, bit for bit, without the ~0.1 ms of
argument handling per call of the distribution object.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

__all__ = ["t_pvalue", "t_interval"]


def t_pvalue(statistic: Any, df: Any, alternative: str) -> Any:
    """P-value of a t statistic with ``df`` degrees of freedom.

    Parameters
    ----------
    statistic, df : float or array_like
        The t statistic(s) and degrees of freedom (broadcast together).
    alternative : {'two-sided', 'less', 'greater'}
        Already validated (``nof1._validation.check_alternative``).

    Returns
    -------
    float or numpy.ndarray
        ``2 P(T > |t|)``, ``P(T <= t)`` or ``P(T >= t)``.

    Examples
    --------
    >>> from nof1._inference import t_pvalue
    >>> round(float(t_pvalue(2.0, 10, "two-sided")), 4), round(float(t_pvalue(2.0, 10, "less")), 4)
    (0.0734, 0.9633)
    """
    if alternative == "two-sided":
        return 2 * special.stdtr(df, -np.abs(statistic))
    if alternative == "less":
        return special.stdtr(df, statistic)
    return special.stdtr(df, -np.asarray(statistic, dtype=float))


def t_interval(estimate: Any, se: Any, df: Any, alternative: str,
               confidence_level: float) -> tuple[Any, Any]:
    """Confidence interval ``estimate ± q·se`` from a t distribution.

    One-sided for one-sided alternatives: ``(-inf, high]`` for ``'less'`` and
    ``[low, inf)`` for ``'greater'``, so that the interval and the p-value of the
    same alternative agree.

    Parameters
    ----------
    estimate, se, df : float or array_like
        Broadcast together.
    alternative : {'two-sided', 'less', 'greater'}
    confidence_level : float
        In (0, 1).

    Returns
    -------
    (low, high)
        Floats for scalar input, arrays otherwise.

    Examples
    --------
    >>> from nof1._inference import t_interval
    >>> low, high = t_interval(1.0, 0.5, 10, "two-sided", 0.95)
    >>> round(float(low), 4), round(float(high), 4)
    (-0.1141, 2.1141)
    >>> t_interval(1.0, 0.5, 10, "less", 0.95)[0]
    -inf
    """
    estimate = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    if alternative == "two-sided":
        q = special.stdtrit(df, 0.5 + confidence_level / 2)
        low, high = estimate - q * se, estimate + q * se
    else:
        q = special.stdtrit(df, confidence_level)
        if alternative == "less":
            high = estimate + q * se
            low = np.full_like(high, -np.inf)
        else:
            low = estimate - q * se
            high = np.full_like(low, np.inf)
    if np.ndim(low) == 0:
        return float(low), float(high)
    return low, high
