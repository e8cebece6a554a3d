"""Randomization test of a series' sharp null: the treatment has no effect in anyone.

Under the sharp null every score would have been the same under any admissible
assignment, and each person's allocation was drawn independently from their own design.
For paired designs re-drawing the order of pair j of person i flips the sign of the pair
difference ``d_ij``, so the reference set is the product of every person's ``2**k_i``
orders (docs/methods.md §2.10). The statistic is a weighted sum of the persons' mean
pair differences, ``T = sum_i c_i mean_j d_ij``; its null distribution is the
convolution of independent two-point distributions ``±c_i d_ij / k_i``:

- **exact** when the ``c_i d_ij / k_i`` lie on a common grid small enough for an integer
  dynamic programme (period means of whole-number scores usually do);
- **Monte Carlo** otherwise: ``p = (b + 1) / (B + 1)`` from ``B`` independent sign draws.

This tests "any effect in anyone", not moderation: "a constant effect" is not a sharp
null. Moderators are tested with the models (:func:`~nof1.series.meta_regression`).
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import as_rng, check_alternative, check_choice, check_int
from ..analysis.randomization import DEFAULT_RESAMPLES
from .meta import _one_outcome

__all__ = ["SeriesRandomizationResult", "series_randomization_test", "MAX_GRID"]

#: the exact convolution is used when the integer grid has at most this many points per
#: side (and pairs x grid stays below MAX_WORK)
MAX_GRID = 2_000_000
MAX_WORK = 400_000_000
_CHUNK = 2048


@dataclasses.dataclass(frozen=True, eq=False)
class SeriesRandomizationResult(ResultMixin):
    """Randomization test of the sharp null of no effect in any person.

    ``statistic`` is ``T = sum_i c_i mean_j d_ij`` (treatment − control);
    ``log2_n_assignments`` the size of the reference set (``sum_i k_i`` sign flips).

    Attributes
    ----------
    outcome : str
        The outcome tested.
    statistic : float
        The observed ``T``.
    pvalue : float
        Share of the reference set at least as extreme as ``T`` (exact), or the
        Monte Carlo estimate ``(1 + hits) / (1 + n_resamples)``.
    exact : bool
        True when the p-value is exact (convolution over the persons' reference sets).
    n_resamples : int or None
        Monte Carlo draws (None when exact).
    log2_n_assignments : int
        log2 of the number of assignments in the reference set.
    alternative : str
        ``'two-sided'``, ``'greater'`` or ``'less'``.
    weights : str
        ``'equal'`` (``c_i = 1/n``) or ``'pairs'`` (``c_i = k_i / sum k``).
    n_persons, n_pairs : int
        Persons and complete pair differences in the test.
    method : str
        The test, in words.
    """

    outcome: str
    statistic: float
    pvalue: float
    exact: bool
    n_resamples: int | None
    log2_n_assignments: int
    alternative: str
    weights: str
    n_persons: int
    n_pairs: int
    method: str

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "statistic", "pvalue", "exact", "n_resamples", "log2_n_assignments",
        "alternative", "weights", "n_persons", "n_pairs", "method")

    def summary(self) -> str:
        how = ("exact, by convolution over the product of the persons' reference sets"
               if self.exact else f"Monte Carlo with {self.n_resamples} draws")
        return "\n".join([
            f"Series randomization test for {self.outcome}: {self.n_persons} persons, "
            f"{self.n_pairs} complete pairs; 2^{self.log2_n_assignments} assignments",
            "H0 (sharp): the treatment changes no score of any person. "
            f"H1: {self.alternative}.",
            f"T = {self.statistic:.4g} ({self.weights} weights), p = {self.pvalue:.4g} ({how})",
        ])


def _grid(a: np.ndarray) -> np.ndarray | None:
    """Integers m with a = m * delta for one delta, if such a small grid exists."""
    fr = []
    for x in a:
        f = Fraction(float(x)).limit_denominator(100_000)
        if abs(float(f) - x) > 1e-10 * max(1.0, abs(x)):
            return None
        fr.append(f)
    den = 1
    for f in fr:
        den = den * f.denominator // math.gcd(den, f.denominator)
        if den > MAX_GRID:
            return None
    m = np.array([int(f * den) for f in fr], dtype=np.int64)
    g = int(np.gcd.reduce(np.abs(m[m != 0]))) if np.any(m) else 1
    return m // max(g, 1)


def _exact(m: np.ndarray, obs: int, alternative: str) -> float | None:
    s = int(np.abs(m).sum())
    if s > MAX_GRID or m.size * (2 * s + 1) > MAX_WORK:
        return None
    dist = np.zeros(2 * s + 1)
    dist[s] = 1.0
    lo = hi = s  # occupied range
    for v in np.abs(m):
        v = int(v)
        if v == 0:
            continue
        new = np.zeros_like(dist)
        new[lo - v:hi - v + 1] += 0.5 * dist[lo:hi + 1]
        new[lo + v:hi + v + 1] += 0.5 * dist[lo:hi + 1]
        dist, lo, hi = new, lo - v, hi + v
    values = np.arange(-s, s + 1)
    if alternative == "greater":
        p = dist[values >= obs].sum()
    elif alternative == "less":
        p = dist[values <= obs].sum()
    else:
        p = dist[np.abs(values) >= abs(obs)].sum()
    return float(min(p, 1.0))


def series_randomization_test(pairs: pd.DataFrame, *, outcome: str | None = None,
                              weights: str = "equal", alternative: str = "two-sided",
                              n_resamples: int | None = None, rng: Any = None
                              ) -> SeriesRandomizationResult:
    """Test the sharp null "no effect in anyone" over every person's own reference set.

    Parameters
    ----------
    pairs : DataFrame
        ``PersonResults.pairs``: ``person``, ``difference`` (treatment − control) per
        pair of a paired design; incomplete pairs are left out (the reference set of the
        complete pairs is still each person's sign flips).
    outcome : str, optional
        Which outcome (needed when ``pairs`` holds several).
    weights : {'equal', 'pairs'}
        ``'equal'``: ``c_i = 1/n`` (T is the mean of the persons' mean differences);
        ``'pairs'``: ``c_i = k_i / sum k`` (T is the mean of all pair differences).
    alternative : {'two-sided', 'greater', 'less'}
    n_resamples : int, optional
        Force Monte Carlo with this many draws. Default: exact when possible, else
        9,999 draws.
    rng : None, int or Generator
        For Monte Carlo draws.

    Returns
    -------
    SeriesRandomizationResult

    Examples
    --------
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"person": ["a"] * 3 + ["b"] * 3,
    ...                       "difference": [-1.0, -0.5, -1.5, -0.25, 0.5, -1.0]})
    >>> res = series_randomization_test(pairs)
    >>> res.exact, res.pvalue  # 8 of the 64 sign patterns are as extreme, either way
    (True, 0.125)
    """
    alternative = check_alternative(alternative)
    weights = check_choice(weights, "weights", ("equal", "pairs"))
    pairs, outcome = _one_outcome(pairs, outcome)
    data = pairs.dropna(subset=["difference"])
    if data.empty:
        raise ValueError("no complete pair in the series")
    codes, persons = pd.factorize(data["person"])
    k = np.bincount(codes)
    n = k.size
    c = np.full(n, 1.0 / n) if weights == "equal" else k / k.sum()
    d = data["difference"].to_numpy(dtype=float)
    a = d * (c / k)[codes]                 # T = sum a_ij (signs +1 observed)
    t_obs = float(a.sum())
    # exact: on a common grid, with integer weights n*c_i/k_i for 'equal', sum k/k_i ...
    scale = n if weights == "equal" else k.sum()
    # the dynamic programme costs at least 2 P^2 (every |m| >= 1): skip the grid search
    small = 2 * d.size**2 <= MAX_WORK
    m = _grid(d * (scale * c / k)[codes]) if small and n_resamples is None else None
    p = None
    if m is not None:
        p = _exact(m, int(m.sum()), alternative)
    if p is not None:
        return SeriesRandomizationResult(
            outcome=outcome, statistic=t_obs, pvalue=p, exact=True,
            n_resamples=None, log2_n_assignments=int(d.size), alternative=alternative,
            weights=weights, n_persons=n, n_pairs=int(d.size),
            method="exact convolution over the product of the persons' 2^k orders")
    b = DEFAULT_RESAMPLES if n_resamples is None else check_int(n_resamples, "n_resamples",
                                                                 minimum=1)
    rng = as_rng(rng)
    tol = 1e-10 * (abs(t_obs) + np.abs(a).sum())
    hits = 0
    chunk = max(1, min(_CHUNK, (1 << 23) // d.size))
    total = a.sum()
    n_bytes = -(-d.size // 8)
    for s in range(0, b, chunk):
        size = min(chunk, b - s)
        # random sign bits, 8 per byte: T = 2 * sum(a over +1 signs) - sum(a)
        raw = rng.integers(0, 256, size=(size, n_bytes), dtype=np.uint8)
        bits = np.unpackbits(raw, axis=1, count=d.size)
        tb = 2.0 * (bits.astype(np.float64) @ a) - total
        if alternative == "greater":
            hits += int(np.sum(tb >= t_obs - tol))
        elif alternative == "less":
            hits += int(np.sum(tb <= t_obs + tol))
        else:
            hits += int(np.sum(np.abs(tb) >= abs(t_obs) - tol))
    return SeriesRandomizationResult(
        outcome=outcome, statistic=t_obs, pvalue=(hits + 1) / (b + 1),
        exact=False, n_resamples=b, log2_n_assignments=int(d.size), alternative=alternative,
        weights=weights, n_persons=n, n_pairs=int(d.size),
        method="Monte Carlo over the product of the persons' 2^k orders (no small exact "
               "grid)" if n_resamples is None else "Monte Carlo (requested)")
