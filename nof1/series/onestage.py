"""One-stage mixed model: pair differences with a random treatment effect by person.

For complete pairs the model on period means
``y_ipt = alpha_ip + (mu + b_i) T_ipt + e_ipt`` (pair-within-person intercepts) is the
same as the model on pair differences ``d_ij = mu + x_i' beta + b_i + e_ij``,
``b_i ~ N(0, tau^2)``, ``e_ij ~ N(0, sigma^2)``: differencing removes the pair
intercepts, and the within-person variance is pooled by the model (docs/methods.md
§2.10). Fitted by REML with :class:`statsmodels.regression.mixed_linear_model.MixedLM`;
checked against ``lme4::lmer(d ~ 1 + (1 | person))`` and ``nlme::lme``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ResultMixin
from .._validation import check_confidence_level
from .meta import _coefficients, _design_matrix, _one_outcome

__all__ = ["OneStageResult", "one_stage"]


@dataclasses.dataclass(frozen=True, eq=False)
class OneStageResult(ResultMixin):
    """REML mixed model on pair differences.

    ``coefficients``: ``term, estimate, se, statistic, df, pvalue, ci_low, ci_high``;
    the t tests use the between-person degrees of freedom ``n_persons - p`` (with few
    persons the Wald z of the model's standard errors is anti-conservative).
    ``estimate`` ... ``pvalue`` repeat the intercept row (the mean effect when there are
    no moderators; the effect at moderator value 0 or the reference level otherwise).
    ``statistic``/``pvalue`` of the moderators' joint Wald F test are
    ``mods_statistic``/``mods_pvalue`` (NaN without moderators).

    Attributes
    ----------
    outcome : str
        The outcome modelled (``'effect'`` when not named).
    estimate, se, ci_low, ci_high, statistic, df, pvalue : float
        The intercept row of ``coefficients``: estimate, standard error, t interval
        and two-sided t test on ``df = n_persons - p``.
    tau2, sigma2 : float
        Between-person variance of the effect and within-person residual variance of a
        pair difference (REML).
    mods_statistic, mods_pvalue : float
        Joint Wald F test of the moderators (NaN without moderators).
    n_persons, n_pairs : int
        Persons and complete pair differences analysed.
    converged : bool
        False when the REML optimisation did not converge (the numbers are then
        unreliable).
    confidence_level : float
        Level of the intervals.
    coefficients : DataFrame
        One row per term, the columns above.
    method : str
        The model.
    """

    outcome: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    pvalue: float
    tau2: float
    sigma2: float
    mods_statistic: float
    mods_pvalue: float
    n_persons: int
    n_pairs: int
    converged: bool
    confidence_level: float
    coefficients: pd.DataFrame
    method: str = "REML mixed model on pair differences, random effect by person"

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "pvalue",
        "tau2", "sigma2", "mods_statistic", "mods_pvalue", "n_persons", "n_pairs",
        "converged", "confidence_level", "method")

    def summary(self) -> str:
        pct = f"{100 * self.confidence_level:g}%"
        lines = [f"One-stage model for {self.outcome}: {self.method}; {self.n_persons} "
                 f"persons, {self.n_pairs} pairs" + ("" if self.converged
                                                     else " (NOT CONVERGED)"),
                 f"tau^2 (between persons) = {self.tau2:.3g}; sigma^2 (within) = "
                 f"{self.sigma2:.3g}"]
        for r in self.coefficients.itertuples():
            lines.append(f"  {r.term:<24} {r.estimate:9.3g} ({pct} CI {r.ci_low:.3g} to "
                         f"{r.ci_high:.3g}) t({r.df:g}) = {r.statistic:.3g}, "
                         f"p = {r.pvalue:.3g}")
        return "\n".join(lines)


def one_stage(pairs: pd.DataFrame, *, mods: Sequence[str] | str | None = None,
              covariates: pd.DataFrame | None = None, outcome: str | None = None,
              confidence_level: float = 0.95) -> OneStageResult:
    """Fit the one-stage random-effects model to the pair differences of a series.

    Parameters
    ----------
    pairs : DataFrame
        ``PersonResults.pairs`` (``person``, ``difference``, optionally ``outcome``);
        incomplete pairs (NaN differences) are left out.
    mods : str or sequence of str, optional
        Person-level moderators (columns of ``pairs`` or ``covariates``); text columns
        become indicators as in :func:`~nof1.series.meta_regression`.
    covariates : DataFrame, optional
        Person-level covariates with a ``person`` column.
    outcome : str, optional
        Which outcome (needed when ``pairs`` holds several).
    confidence_level : float

    Returns
    -------
    OneStageResult

    Examples
    --------
    >>> from nof1.series.simulate import simulate_series
    >>> from nof1.series import analyze_series
    >>> s = simulate_series(30, n_pairs=4, effects={"pain": -1.0}, rng=12345)
    >>> res = one_stage(analyze_series(s, outcomes=["pain"]).pairs)
    >>> round(res.estimate, 2), res.n_persons
    (-1.14, 30)
    """
    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    confidence_level = check_confidence_level(confidence_level)
    mods = [] if mods is None else ([mods] if isinstance(mods, str) else list(mods))
    pairs, outcome = _one_outcome(pairs, outcome)
    data = pairs.dropna(subset=["difference"])
    if covariates is not None:
        data = data.drop(columns=[c for c in covariates.columns
                                  if c in data.columns and c != "person"])
        data = data.merge(covariates, on="person", how="left")
    for m in mods:
        if m in data and data[m].isna().any():
            raise ValueError(f"moderator {m!r} is missing for person(s) "
                             f"{data.loc[data[m].isna(), 'person'].unique().tolist()[:5]}")
    x, terms = _design_matrix(data, mods)
    y = data["difference"].to_numpy(dtype=float)
    groups = data["person"].to_numpy()
    n_persons = int(pd.unique(groups).size)
    p = x.shape[1]
    if n_persons - p < 1 or len(y) <= n_persons:
        raise ValueError(f"{n_persons} persons and {len(y)} complete pairs are too few for "
                         f"a random effect by person and {p} coefficient(s)")
    # centre and scale the moderators for the optimiser, then map back: beta = A beta_s
    centre = np.r_[0.0, x[:, 1:].mean(axis=0)]
    scale = np.r_[1.0, x[:, 1:].std(axis=0)]
    scale[scale == 0] = 1.0
    xs = np.column_stack([np.ones(len(y)), (x[:, 1:] - centre[1:]) / scale[1:]])
    a = np.diag(1.0 / scale)
    a[0, 1:] = -centre[1:] / scale[1:]
    with warnings.catch_warnings(record=True) as caught:  # recorded, not raised
        warnings.simplefilter("always")
        model = MixedLM(y, xs, groups=groups)
        fit = model.fit(reml=True)
    converged = bool(fit.converged) and not any(
        issubclass(w.category, ConvergenceWarning) for w in caught)
    tau2, sigma2 = float(np.asarray(fit.cov_re)[0, 0]), float(fit.scale)
    # GLS at the REML variances (as lme4's fixef/vcov): V_i^-1 by Sherman-Morrison
    codes = np.unique(groups, return_inverse=True)[1]
    counts = np.bincount(codes)
    shrink = tau2 / (sigma2 + counts * tau2)
    sx = np.stack([np.bincount(codes, x[:, j]) for j in range(p)], axis=1)
    sy = np.bincount(codes, y)
    xtvx = (x.T @ x - (sx.T * shrink) @ sx) / sigma2
    xtvy = (x.T @ y - (sx.T * shrink) @ sy) / sigma2
    cov = np.linalg.inv(xtvx)
    beta = cov @ xtvy
    df = float(n_persons - p)
    coefs = _coefficients(terms, beta, np.sqrt(np.diag(cov)), df, confidence_level)
    if p > 1:
        b = beta[1:]
        fstat = float(b @ np.linalg.solve(cov[1:, 1:], b) / b.size)
        fp = float(stats.f.sf(fstat, b.size, df))
    else:
        fstat = fp = float("nan")
    r0 = coefs.iloc[0]
    return OneStageResult(
        outcome=outcome, estimate=float(r0["estimate"]), se=float(r0["se"]),
        ci_low=float(r0["ci_low"]), ci_high=float(r0["ci_high"]),
        statistic=float(r0["statistic"]), df=df, pvalue=float(r0["pvalue"]),
        tau2=tau2, sigma2=sigma2,
        mods_statistic=fstat, mods_pvalue=fp, n_persons=n_persons, n_pairs=len(y),
        converged=converged, confidence_level=confidence_level, coefficients=coefs)


