"""Multiplicity adjustment for secondary outcomes (Holm's step-down procedure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import check_float

__all__ = ["HolmResult", "holm"]


@dataclasses.dataclass(frozen=True)
class HolmResult(ResultMixin):
    """Holm-adjusted p-values, one per hypothesis, in the order given.

    Attributes
    ----------
    names : tuple of str
        Hypothesis (outcome) names; ``'1'``, ``'2'``, ... when none were given.
    pvalue : numpy.ndarray
        The unadjusted p-values.
    pvalue_adjusted : numpy.ndarray
        Holm-adjusted p-values (NaN where the input was NaN).
    reject : numpy.ndarray of bool
        ``pvalue_adjusted <= alpha``.
    alpha : float
        Family-wise error rate used for ``reject``.
    method : str
    """

    names: tuple[str, ...]
    pvalue: np.ndarray
    pvalue_adjusted: np.ndarray
    reject: np.ndarray
    alpha: float
    method: str = "Holm step-down adjustment (family-wise error rate)"

    def to_frame(self) -> pd.DataFrame:
        """One row per hypothesis: name, pvalue, pvalue_adjusted, reject, alpha, method."""
        return pd.DataFrame({"name": list(self.names), "pvalue": self.pvalue,
                             "pvalue_adjusted": self.pvalue_adjusted, "reject": self.reject,
                             "alpha": self.alpha, "method": self.method})

    def to_dict(self) -> dict[str, Any]:
        return {name: float(p) for name, p in zip(self.names, self.pvalue_adjusted, strict=True)}

    def summary(self) -> str:
        m = int(np.sum(~np.isnan(self.pvalue)))
        lines = [f"{self.method}, {m} hypotheses, alpha = {self.alpha:g}",
                 "Each H0: no difference between A and B on that outcome; H1: a difference. "
                 "The adjustment keeps the chance of any false rejection at most alpha."]
        for name, p, padj, rej in zip(self.names, self.pvalue, self.pvalue_adjusted,
                                      self.reject, strict=True):
            lines.append(f"  {name}: p = {p:.4g}, Holm-adjusted p = {padj:.4g}"
                         + (" (rejected)" if rej else ""))
        return "\n".join(lines)


def holm(pvalues: Any, *, alpha: float = 0.05) -> HolmResult:
    """Holm's step-down adjustment of a family of p-values.

    Parameters
    ----------
    pvalues : array_like or mapping
        1-D p-values, or a mapping ``{name: pvalue}`` (e.g. one per secondary
        outcome). NaN entries are left out of the family and stay NaN.
    alpha : float
        Family-wise error rate for the ``reject`` flags.

    Returns
    -------
    HolmResult

    Raises
    ------
    ValueError
        A p-value outside [0, 1], or input that is not 1-D.

    Notes
    -----
    With the m non-missing p-values sorted, p_(1) <= ... <= p_(m), the
    adjusted values are p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j)).
    Rejecting where p~ <= alpha controls the family-wise error rate at alpha
    under any dependence between the tests. Matches
    ``statsmodels.stats.multitest.multipletests(p, method='holm')``.

    References
    ----------
    .. [1] Holm S (1979). A simple sequentially rejective multiple test
       procedure. Scand J Stat 6:65-70.

    Examples
    --------
    >>> from nof1.analysis import holm
    >>> res = holm({"stress": 0.012, "sleep": 0.04, "fatigue": 0.30})
    >>> res.pvalue_adjusted
    array([0.036, 0.08 , 0.3  ])
    >>> res.reject
    array([ True, False, False])
    """
    alpha = check_float(alpha, "alpha", minimum=0.0, maximum=1.0, inclusive=False)
    if isinstance(pvalues, Mapping):
        names = tuple(str(k) for k in pvalues)
        values = list(pvalues.values())
    else:
        values = pvalues
        names = None
    try:
        p = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("`pvalues` must be numbers (array-like or a mapping name -> p)") from exc
    if p.ndim != 1:
        raise ValueError(f"`pvalues` must be 1-D; got ndim={p.ndim}")
    finite = ~np.isnan(p)
    if np.any((p[finite] < 0) | (p[finite] > 1)):
        raise ValueError("`pvalues` must lie in [0, 1]")
    if names is None:
        names = tuple(str(i + 1) for i in range(p.size))
    adjusted = np.full(p.size, np.nan)
    idx = np.flatnonzero(finite)
    m = idx.size
    if m:
        order = np.argsort(p[idx], kind="stable")
        scaled = np.minimum(1.0, (m - np.arange(m)) * p[idx][order])
        adjusted[idx[order]] = np.maximum.accumulate(scaled)
    reject = np.where(finite, adjusted <= alpha, False)
    return HolmResult(names=names, pvalue=p, pvalue_adjusted=adjusted, reject=reject,
                      alpha=alpha)
