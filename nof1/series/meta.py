"""Two-stage random-effects meta-analysis of the per-person effects, and meta-regression.

Model (docs/methods.md §2.10): ``y_i = x_i' beta + u_i + e_i``, ``u_i ~ N(0, tau^2)``,
``e_i ~ N(0, v_i)`` with ``v_i`` treated as known: person i's mean pair difference
``y_i`` and its squared standard error ``v_i``. ``tau^2`` by REML (Fisher scoring, as
metafor), the Hartung-Knapp-Sidik-Jonkman interval, a prediction interval, Cochran's Q,
I^2 and the Q-profile interval for ``tau^2``. The numbers are checked against
``metafor::rma(yi, vi, method = "REML", test = "knha")`` (tests/data/metafor_*.R).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._inference import t_interval, t_pvalue
from .._results import ResultMixin
from .._validation import check_choice, check_confidence_level

__all__ = ["MetaResult", "MetaRegressionResult", "random_effects", "meta_analysis",
           "meta_regression", "within_variances", "FEW_PAIRS"]

#: below this median number of pairs per person, ``within='auto'`` pools the within-person
#: variance: a person's own variance then has fewer than 9 degrees of freedom (relative SE
#: sqrt(2/(k-1)) > 0.47) and inflates tau^2 (+35% at 6 pairs, +100% at 3 pairs in the
#: simulation of docs/methods.md §2.10)
FEW_PAIRS = 10


# -- the engine on arrays ------------------------------------------------------------
def _wls(y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = 1.0 / (v + tau2)
    xtw = x.T * w
    a = np.linalg.inv(xtw @ x)
    b = a @ (xtw @ y)
    return w, a, b


def _reml_tau2(y: np.ndarray, v: np.ndarray, x: np.ndarray, *, tol: float = 1e-12,
               maxiter: int = 1000) -> tuple[float, int]:
    """REML tau^2 by Fisher scoring with step halving at the 0 boundary (as metafor).

    Uses O(n p^2) traces instead of the n x n matrix P = W - W X (X'WX)^-1 X'W.
    """
    k, p = x.shape
    # start: DerSimonian-Laird
    w0, _, b0 = _wls(y, v, x, 0.0)
    q = float(np.sum(w0 * (y - x @ b0) ** 2))
    xtw = x.T * w0
    trp = w0.sum() - np.trace(np.linalg.solve(xtw @ x, xtw * w0 @ x))
    tau2 = max(0.0, (q - (k - p)) / trp) if trp > 0 else 0.0
    for it in range(1, maxiter + 1):
        w, a, b = _wls(y, v, x, tau2)
        py = w * (y - x @ b)
        xtw2x = (x.T * w**2) @ x
        xtw3x = (x.T * w**3) @ x
        ax2 = a @ xtw2x
        tr_p = w.sum() - np.trace(ax2)
        tr_pp = np.sum(w**2) - 2 * np.trace(a @ xtw3x) + np.trace(ax2 @ ax2)
        adj = (py @ py - tr_p) / tr_pp
        while tau2 + adj < 0:
            adj /= 2
            if abs(adj) < tol:
                adj = -tau2
                break
        tau2 = tau2 + adj
        if abs(adj) <= tol * max(1.0, tau2):
            return max(tau2, 0.0), it
    raise ArithmeticError("REML estimation of tau^2 did not converge")  # pragma: no cover


def _q_gen(y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float) -> float:
    w, _, b = _wls(y, v, x, tau2)
    return float(np.sum(w * (y - x @ b) ** 2))


def _q_profile(y: np.ndarray, v: np.ndarray, x: np.ndarray, confidence_level: float
               ) -> tuple[float, float]:
    """Q-profile interval for tau^2 (Viechtbauer 2007): Q_gen(tau^2) = chi^2 quantiles."""
    df = x.shape[0] - x.shape[1]
    alpha = 1 - confidence_level
    hi_target = stats.chi2.ppf(alpha / 2, df)      # upper bound of tau^2
    lo_target = stats.chi2.ppf(1 - alpha / 2, df)  # lower bound of tau^2
    q0 = _q_gen(y, v, x, 0.0)

    def solve(target: float) -> float:
        if q0 <= target:
            return 0.0
        upper = max(1.0, 10 * np.var(y))
        while _q_gen(y, v, x, upper) > target:
            upper *= 10
        return float(optimize.brentq(lambda t: _q_gen(y, v, x, t) - target, 0.0, upper,
                                     xtol=1e-14, rtol=1e-12))

    return solve(lo_target), solve(hi_target)


@dataclasses.dataclass(frozen=True, eq=False)
class _Fit:
    coef: np.ndarray
    vcov: np.ndarray        # Knapp-Hartung
    vcov_wald: np.ndarray
    tau2: float
    df: int
    q: float
    q_df: int
    weights: np.ndarray
    s2_kh: float
    iterations: int


def _fit(y: np.ndarray, v: np.ndarray, x: np.ndarray) -> _Fit:
    k, p = x.shape
    if k - p < 1:
        raise ValueError(f"{k} persons are too few for {p} coefficient(s); need at least "
                         f"{p + 1}")
    tau2, it = _reml_tau2(y, v, x)
    w, a, b = _wls(y, v, x, tau2)
    s2 = float(np.sum(w * (y - x @ b) ** 2) / (k - p))
    wf, _, bf = _wls(y, v, x, 0.0)
    q = float(np.sum(wf * (y - x @ bf) ** 2))
    return _Fit(coef=b, vcov=s2 * a, vcov_wald=a, tau2=tau2, df=k - p, q=q, q_df=k - p,
                weights=w, s2_kh=s2, iterations=it)


# -- results ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class MetaResult(ResultMixin):
    """Random-effects meta-analysis of per-person effects (treatment − control).

    Attributes
    ----------
    outcome : str
        The outcome pooled.
    estimate, se, ci_low, ci_high, statistic, df, pvalue
        Pooled mean effect mu with its Hartung-Knapp-Sidik-Jonkman SE, t interval and
        two-sided t-test of mu = 0 on ``df = n_persons - 1``.
    tau2, tau, tau2_ci_low, tau2_ci_high
        Between-person variance (REML) and its Q-profile interval.
    pi_low, pi_high
        Prediction interval for a new person's effect: ``mu ± t_{n-2} sqrt(tau^2 +
        se^2)`` (Higgins, Thompson & Spiegelhalter 2009; IntHout et al. 2016). **Not
        calibrated** when tau^2 is small next to the within-person variances and persons
        are few: in simulated series of 20 persons with 3-6 pairs and tau = 0.5 its
        coverage was 0.84-0.90 for a nominal 0.95 (tests/test_series_calibration.py;
        Partlett & Riley 2017, Stat Med 36:301); with tau = 0 it is conservative.
    q, q_df, q_pvalue, i2
        Cochran's Q (inverse-variance weights), its chi-square test of homogeneity, and
        I^2 = max(0, (Q - df)/Q) (Higgins & Thompson 2002).
    n_persons, n_excluded : int
    within : str
        'pooled' (v_i = s_p^2 / k_i, s_p^2 pooled over persons) or 'person'
        (v_i = s_i^2 / k_i).
    s2_pooled : float
        The pooled within-person variance of a pair difference (NaN for 'person').
    confidence_level : float
        Level of the confidence, Q-profile and prediction intervals.
    alternative : str
        ``'two-sided'``: the test of mu = 0 is always two-sided.
    method : str
        The estimator of tau^2 and the interval for mu.
    data : DataFrame
        ``person, yi, vi, weight`` of the analysed persons.
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
    tau: float
    tau2_ci_low: float
    tau2_ci_high: float
    pi_low: float
    pi_high: float
    q: float
    q_df: int
    q_pvalue: float
    i2: float
    n_persons: int
    n_excluded: int
    within: str
    s2_pooled: float
    confidence_level: float
    alternative: str
    method: str
    data: pd.DataFrame

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "estimate", "se", "ci_low", "ci_high", "statistic", "df", "pvalue",
        "tau2", "tau", "tau2_ci_low", "tau2_ci_high", "pi_low", "pi_high", "q", "q_df",
        "q_pvalue", "i2", "n_persons", "n_excluded", "within", "s2_pooled",
        "confidence_level", "alternative", "method")

    def summary(self) -> str:
        pct = f"{100 * self.confidence_level:g}%"
        return "\n".join([
            f"Random-effects meta-analysis of {self.n_persons} persons' effects on "
            f"{self.outcome} ({self.method}; within-person variance: {self.within})",
            "H0: the mean effect (treatment − control) over persons is 0; H1: it is not 0.",
            f"mean effect {self.estimate:.3g} ({pct} CI {self.ci_low:.3g} to "
            f"{self.ci_high:.3g}); t({self.df:g}) = {self.statistic:.3g}, "
            f"p = {self.pvalue:.3g}",
            f"between-person SD tau = {self.tau:.3g} (tau^2 {self.tau2:.3g}, {pct} CI "
            f"{self.tau2_ci_low:.3g} to {self.tau2_ci_high:.3g})",
            f"{pct} prediction interval for a new person: {self.pi_low:.3g} to "
            f"{self.pi_high:.3g} (may under-cover with few persons and small tau; "
            f"see the documentation)",
            f"Q = {self.q:.3g} on {self.q_df} df (p = {self.q_pvalue:.3g}); "
            f"I^2 = {100 * self.i2:.0f}%",
            *([f"{self.n_excluded} person(s) left out (too few complete pairs)"]
              if self.n_excluded else []),
        ])


@dataclasses.dataclass(frozen=True, eq=False)
class MetaRegressionResult(ResultMixin):
    """Mixed-effects meta-regression (REML, Knapp-Hartung t and F tests).

    ``coefficients`` has one row per term: ``term, estimate, se, statistic, df, pvalue,
    ci_low, ci_high``. ``statistic``/``pvalue`` are the omnibus F test of every
    moderator coefficient (not the intercept) on ``(df_num, df)`` degrees of freedom.
    ``tau2`` is the residual between-person variance.

    Attributes
    ----------
    outcome : str
        The outcome whose per-person effects are regressed.
    coefficients : DataFrame
        One row per term (intercept first), the columns above; t tests on ``df``.
    statistic, pvalue : float
        Omnibus Knapp-Hartung F test that every moderator coefficient is 0.
    df_num, df : int
        Numerator and denominator degrees of freedom of that F test
        (``df = n_persons`` minus the number of terms).
    tau2, tau2_ci_low, tau2_ci_high : float
        Residual between-person variance (REML) and its Q-profile interval.
    q, q_df, q_pvalue
        Residual heterogeneity statistic Q_E, its degrees of freedom and chi-square
        p-value.
    n_persons, n_excluded : int
        Persons analysed, and persons left out (too few complete pairs).
    within : str
        'pooled' or 'person': how the within-person variances were estimated
        (as :class:`MetaResult`).
    confidence_level : float
        Level of the coefficient and tau^2 intervals.
    method : str
        The estimator of tau^2 and the tests.
    data : DataFrame
        ``person, yi, vi`` and the moderators of the analysed persons.
    """

    outcome: str
    coefficients: pd.DataFrame
    statistic: float
    df_num: int
    df: int
    pvalue: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    q: float
    q_df: int
    q_pvalue: float
    n_persons: int
    n_excluded: int
    within: str
    confidence_level: float
    method: str
    data: pd.DataFrame

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "statistic", "df_num", "df", "pvalue", "tau2", "tau2_ci_low",
        "tau2_ci_high", "q", "q_df", "q_pvalue", "n_persons", "n_excluded", "within",
        "confidence_level", "method")

    def summary(self) -> str:
        lines = [f"Meta-regression of {self.n_persons} persons' effects on {self.outcome} "
                 f"({self.method}; within-person variance: {self.within})",
                 "H0: the effect does not depend on the moderator(s); H1: it does.",
                 f"F({self.df_num}, {self.df}) = {self.statistic:.3g}, p = {self.pvalue:.3g};"
                 f" residual tau^2 = {self.tau2:.3g}"]
        for r in self.coefficients.itertuples():
            lines.append(f"  {r.term:<24} {r.estimate:9.3g} (SE {r.se:.3g}) "
                         f"t({r.df:g}) = {r.statistic:.3g}, p = {r.pvalue:.3g}")
        return "\n".join(lines)


# -- inputs -----------------------------------------------------------------------------
def within_variances(persons: pd.DataFrame, *, within: str = "auto"
                     ) -> tuple[pd.DataFrame, str, float, int]:
    """Per-person ``yi`` and ``vi`` from per-person results (one outcome).

    Parameters
    ----------
    persons : DataFrame
        Columns ``person``, ``estimate``, ``n_pairs``, ``sd_difference`` (as
        ``PersonResults.persons`` for one outcome).
    within : {'auto', 'pooled', 'person'}
        'pooled': ``v_i = s_p^2 / k_i`` with ``s_p^2 = sum (k_i - 1) s_i^2 / sum (k_i - 1)``;
        'person': ``v_i = s_i^2 / k_i``; 'auto': pooled when the median number of pairs
        is below :data:`FEW_PAIRS`.

    Returns
    -------
    (DataFrame, str, float, int)
        ``person, yi, vi, n_pairs`` of the usable persons, the variance option used,
        the pooled variance (NaN for 'person') and the number of persons left out.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"person": ["a", "b"], "estimate": [-1.0, 0.5],
    ...                   "n_pairs": [3, 6], "sd_difference": [1.0, 2.0]})
    >>> d, how, s2, dropped = within_variances(p, within="pooled")
    >>> how, round(s2, 4), d["vi"].round(4).tolist()
    ('pooled', 3.1429, [1.0476, 0.5238])
    """
    within = check_choice(within, "within", ("auto", "pooled", "person"))
    need = {"person", "estimate", "n_pairs", "sd_difference"}
    if not need <= set(persons.columns):
        raise ValueError(f"`persons` must have columns {sorted(need)}")
    k = persons["n_pairs"].to_numpy(dtype=float)
    y = persons["estimate"].to_numpy(dtype=float)
    s = persons["sd_difference"].to_numpy(dtype=float)
    if within == "auto":
        within = "pooled" if np.nanmedian(k) < FEW_PAIRS else "person"
    if within == "pooled":
        has_sd = (k >= 2) & np.isfinite(s)
        dfs = k[has_sd] - 1
        if dfs.sum() < 1:
            raise ValueError("no person has 2 complete pairs: no within-person variance")
        s2 = float(np.sum(dfs * s[has_sd] ** 2) / dfs.sum())
        ok = (k >= 1) & np.isfinite(y)
        v = s2 / np.where(ok, k, np.nan)
    else:
        s2 = float("nan")
        ok = (k >= 2) & np.isfinite(y) & np.isfinite(s) & (s > 0)
        v = np.where(ok, s**2 / np.where(ok, k, 1), np.nan)
    out = pd.DataFrame({"person": persons["person"].to_numpy()[ok], "yi": y[ok], "vi": v[ok],
                        "n_pairs": k[ok].astype(int)})
    return out, within, s2, int((~ok).sum())


def _one_outcome(persons: pd.DataFrame, outcome: str | None) -> tuple[pd.DataFrame, str]:
    if "outcome" in persons.columns:
        names = list(pd.unique(persons["outcome"]))
        if outcome is None:
            if len(names) != 1:
                raise ValueError(f"`outcome` must be given: the table holds {names}")
            outcome = names[0]
        if outcome not in names:
            raise ValueError(f"`outcome` must be one of {names}, got {outcome!r}")
        persons = persons[persons["outcome"] == outcome]
    return persons, outcome or "effect"


def random_effects(yi: Any, vi: Any, *, confidence_level: float = 0.95,
                   outcome: str = "effect", within: str = "given",
                   s2_pooled: float = float("nan"), n_excluded: int = 0,
                   persons: Sequence[str] | None = None) -> MetaResult:
    """Random-effects meta-analysis of effects ``yi`` with known variances ``vi``.

    REML ``tau^2``; the Hartung-Knapp-Sidik-Jonkman interval and t-test on ``k - 1`` df
    (metafor ``test = "knha"``, q not truncated); the prediction interval
    ``mu ± t_{k-2} sqrt(tau^2 + se^2)``; Cochran's Q, I^2 and the Q-profile interval.

    Parameters
    ----------
    yi, vi : array_like
        Effects and their (within-person) variances, one per person.
    confidence_level : float
    outcome, within, s2_pooled, n_excluded, persons
        Carried into the result.

    Returns
    -------
    MetaResult

    References
    ----------
    .. [1] Viechtbauer W (2005). Bias and efficiency of meta-analytic variance estimators
       in the random-effects model. J Educ Behav Stat 30:261-293.
    .. [2] IntHout J, Ioannidis JPA, Borm GF (2014). The Hartung-Knapp-Sidik-Jonkman
       method for random effects meta-analysis is straightforward and considerably
       outperforms the standard DerSimonian-Laird method. BMC Med Res Methodol 14:25.
    .. [3] Viechtbauer W (2007). Confidence intervals for the amount of heterogeneity in
       meta-analysis. Stat Med 26:37-52.
    .. [4] Higgins JPT, Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of
       random-effects meta-analysis. JRSS A 172:137-159.

    Examples
    --------
    >>> res = random_effects([-1.2, -0.4, -0.9, 0.1, -1.5], [0.2, 0.3, 0.25, 0.2, 0.4])
    >>> round(res.estimate, 4), round(res.tau2, 4), round(res.pvalue, 4)
    (-0.7364, 0.1642, 0.0613)
    """
    confidence_level = check_confidence_level(confidence_level)
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    if y.ndim != 1 or y.shape != v.shape:
        raise ValueError("`yi` and `vi` must be 1-D arrays of the same length")
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("`yi` must be finite and `vi` finite and positive")
    k = y.size
    if k < 2:
        raise ValueError(f"at least 2 persons are needed; got {k}")
    x = np.ones((k, 1))
    f = _fit(y, v, x)
    mu, se = float(f.coef[0]), float(np.sqrt(f.vcov[0, 0]))
    df = k - 1
    t = mu / se
    p = float(t_pvalue(t, df, "two-sided"))
    ci_low, ci_high = t_interval(mu, se, df, "two-sided", confidence_level)
    if k >= 3:  # prediction interval for a new person, t on k - 2 df (Higgins et al. 2009)
        pi = t_interval(mu, np.sqrt(f.tau2 + se**2), k - 2, "two-sided", confidence_level)
    else:
        pi = (np.nan, np.nan)
    lo2, hi2 = _q_profile(y, v, x, confidence_level)
    i2 = max(0.0, (f.q - df) / f.q) if f.q > 0 else 0.0
    data = pd.DataFrame({"person": list(persons) if persons is not None else np.arange(k),
                         "yi": y, "vi": v, "weight": f.weights / f.weights.sum()})
    return MetaResult(
        outcome=outcome, estimate=mu, se=se, ci_low=ci_low, ci_high=ci_high,
        statistic=float(t), df=float(df), pvalue=p, tau2=float(f.tau2),
        tau=float(np.sqrt(f.tau2)), tau2_ci_low=lo2, tau2_ci_high=hi2, pi_low=float(pi[0]),
        pi_high=float(pi[1]), q=f.q, q_df=df, q_pvalue=float(stats.chi2.sf(f.q, df)),
        i2=float(i2), n_persons=k, n_excluded=n_excluded, within=within,
        s2_pooled=s2_pooled, confidence_level=confidence_level, alternative="two-sided",
        method="REML tau^2, Hartung-Knapp-Sidik-Jonkman CI", data=data)


def meta_analysis(persons: pd.DataFrame, *, outcome: str | None = None,
                  within: str = "auto", confidence_level: float = 0.95) -> MetaResult:
    """Two-stage random-effects meta-analysis of per-person results.

    Parameters
    ----------
    persons : DataFrame
        ``PersonResults.persons`` (or any frame with ``person, estimate, n_pairs,
        sd_difference`` and optionally ``outcome``).
    outcome : str, optional
        Which outcome to pool (needed when the frame holds several).
    within : {'auto', 'pooled', 'person'}
        Within-person variance (see :func:`within_variances`). 'auto' pools it when
        persons have fewer than :data:`FEW_PAIRS` pairs (median).
    confidence_level : float

    Returns
    -------
    MetaResult

    Examples
    --------
    >>> from nof1.series.simulate import simulate_series
    >>> from nof1.series import analyze_series
    >>> s = simulate_series(30, n_pairs=6, effects={"pain": -1.0}, rng=12345)
    >>> res = meta_analysis(analyze_series(s, outcomes=["pain"]).persons)
    >>> round(res.estimate, 2), res.within, res.n_persons
    (-1.0, 'pooled', 30)
    """
    persons, outcome = _one_outcome(persons, outcome)
    d, how, s2, dropped = within_variances(persons, within=within)
    return random_effects(d["yi"], d["vi"], confidence_level=confidence_level,
                          outcome=outcome, within=how, s2_pooled=s2, n_excluded=dropped,
                          persons=d["person"].tolist())


def _design_matrix(frame: pd.DataFrame, mods: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    cols, names = [np.ones(len(frame))], ["intercept"]
    for m in mods:
        if m not in frame.columns:
            raise ValueError(f"moderator {m!r} is not a column; have {list(frame.columns)}")
        col = frame[m]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            levels = sorted(pd.unique(col.dropna().astype(str)))
            if len(levels) < 2:
                raise ValueError(f"moderator {m!r} has fewer than 2 levels")
            for lev in levels[1:]:
                cols.append((col.astype(str) == lev).to_numpy(dtype=float))
                names.append(f"{m}[{lev}]")
        else:
            cols.append(col.to_numpy(dtype=float))
            names.append(m)
    return np.column_stack(cols), names


def _coefficients(terms: list[str], beta: np.ndarray, se: np.ndarray, df: float,
                  confidence_level: float) -> pd.DataFrame:
    """Table of coefficients with two-sided t tests and intervals on ``df`` degrees of freedom."""
    t = beta / se
    low, high = t_interval(beta, se, df, "two-sided", confidence_level)
    return pd.DataFrame({"term": terms, "estimate": beta, "se": se, "statistic": t,
                         "df": float(df), "pvalue": t_pvalue(t, df, "two-sided"),
                         "ci_low": low, "ci_high": high})


def meta_regression(persons: pd.DataFrame, mods: Sequence[str] | str, *,
                    covariates: pd.DataFrame | None = None, outcome: str | None = None,
                    within: str = "auto", confidence_level: float = 0.95
                    ) -> MetaRegressionResult:
    """Meta-regression of per-person effects on person-level moderators.

    Parameters
    ----------
    persons : DataFrame
        Per-person results (see :func:`meta_analysis`).
    mods : str or sequence of str
        Moderator columns (of ``persons`` or ``covariates``). Numeric columns enter as
        they are; text or boolean columns as indicators of every level but the first
        (sorted), e.g. ``stress_band[severe]``.
    covariates : DataFrame, optional
        Person-level covariates with a ``person`` column (e.g. ``PersonResults.covariates``).
    outcome, within, confidence_level
        As :func:`meta_analysis`.

    Returns
    -------
    MetaRegressionResult

    Notes
    -----
    metafor's ``rma(yi, vi, mods = ~ x, method = "REML", test = "knha")``: REML residual
    ``tau^2``, coefficients by weighted least squares with weights ``1/(v_i + tau^2)``,
    Knapp-Hartung variances (scaled by the weighted residual mean square), t tests on
    ``k - p`` df and the omnibus F test of the moderators.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"person": list("abcdef"), "estimate": [-2, -1.5, -1, 0, .2, -.1],
    ...                   "n_pairs": 6, "sd_difference": 1.2,
    ...                   "stress": [20, 21, 24, 30, 33, 28]})
    >>> res = meta_regression(p, "stress")
    >>> res.coefficients[["term", "estimate"]].round(3)
            term  estimate
    0  intercept    -5.138
    1     stress     0.169
    """
    confidence_level = check_confidence_level(confidence_level)
    mods = [mods] if isinstance(mods, str) else list(mods)
    if not mods:
        raise ValueError("`mods` must name at least one moderator")
    persons, outcome = _one_outcome(persons, outcome)
    d, how, _, dropped = within_variances(persons, within=within)
    frame = persons.set_index("person")
    if covariates is not None:
        frame = frame.drop(columns=[c for c in covariates.columns
                                    if c in frame.columns and c != "person"])
        frame = frame.join(covariates.set_index("person"), how="left")
    cov = frame.reindex(d["person"]).reset_index()
    for m in mods:
        if m in cov and cov[m].isna().any():
            raise ValueError(f"moderator {m!r} is missing for person(s) "
                             f"{cov.loc[cov[m].isna(), 'person'].tolist()[:5]}")
    x, names = _design_matrix(cov, mods)
    y, v = d["yi"].to_numpy(), d["vi"].to_numpy()
    f = _fit(y, v, x)
    coefs = _coefficients(names, f.coef, np.sqrt(np.diag(f.vcov)), f.df, confidence_level)
    b = f.coef[1:]
    m = b.size
    fstat = float(b @ np.linalg.solve(f.vcov[1:, 1:], b) / m)
    lo2, hi2 = _q_profile(y, v, x, confidence_level)
    data = cov[["person"] + [c for c in mods if c in cov]].assign(yi=y, vi=v)
    return MetaRegressionResult(
        outcome=outcome, coefficients=coefs, statistic=fstat, df_num=m, df=f.df,
        pvalue=float(stats.f.sf(fstat, m, f.df)), tau2=f.tau2, tau2_ci_low=lo2,
        tau2_ci_high=hi2, q=f.q, q_df=f.q_df, q_pvalue=float(stats.chi2.sf(f.q, f.q_df)),
        n_persons=len(y), n_excluded=dropped, within=how, confidence_level=confidence_level,
        method="REML tau^2, Knapp-Hartung tests", data=data)
