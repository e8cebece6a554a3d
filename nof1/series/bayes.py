"""Bayesian hierarchical normal model of a series, exact by quadrature over tau.

Model (docs/methods.md §2.10; Gelman et al., Bayesian Data Analysis, 3rd ed., §5.4)::

    y_i | theta_i ~ N(theta_i, v_i)      (v_i known: the per-person or pooled variance)
    theta_i | mu, tau ~ N(mu, tau^2)
    mu ~ N(0, mu_prior_sd^2),  tau ~ half-normal(tau_scale) or half-Cauchy(tau_scale)

Given tau everything is normal, so mu and each theta_i are integrated analytically and
only tau needs numerical integration: Gauss-Legendre quadrature over the range where the
posterior of tau has mass. Posterior probabilities are mixtures of normal tail areas over
the tau nodes; the results are exact up to the quadrature error (checked in the tests
against an independent importance sampler).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import special, stats

from .._results import ResultMixin
from .._validation import check_choice, check_confidence_level, check_float
from .meta import _one_outcome, within_variances

__all__ = ["BayesSeriesResult", "bayes_series"]

#: quadrature nodes over tau (mu, tau), and for the persons' mixtures
N_NODES = 256
PERSON_NODES = 64


@dataclasses.dataclass(frozen=True, eq=False)
class BayesSeriesResult(ResultMixin):
    """Posterior of the mean effect, the spread and every person's effect.

    ``estimate``, ``ci_low``, ``ci_high``: posterior mean and equal-tailed credible
    interval of mu. ``p_benefit``: P(mu is in the direction of benefit);
    ``p_benefit_mcid``: P(mu is a benefit of at least the MCID); ``p_new_benefit_mcid``:
    the same for a new person's effect (predictive). ``persons`` has, per person,
    the unpooled ``yi`` (and ``vi``), the shrunken posterior mean ``theta``, its SD and
    credible interval, ``p_benefit`` and ``p_benefit_mcid``.

    Attributes
    ----------
    outcome : str
        The outcome pooled.
    estimate, sd, ci_low, ci_high : float
        Posterior mean, SD and equal-tailed credible interval of the mean effect mu
        (treatment − control).
    p_benefit, p_benefit_mcid, p_new_benefit_mcid : float
        The posterior probabilities described above.
    tau_mean, tau_median, tau_low, tau_high : float
        Posterior mean, median and equal-tailed credible interval of the
        between-person SD tau.
    mcid : float
        The minimal clinically important difference used for ``p_benefit_mcid``.
    higher_is_better : bool
        Which direction of the effect is a benefit.
    prior : str
        The priors on mu and tau, in words.
    within : str
        'pooled' or 'person': how the within-person variances were estimated.
    n_persons : int
        Persons analysed.
    confidence_level : float
        Level of the credible intervals.
    persons : DataFrame
        One row per person, the columns above.
    method : str
        The model and how its posterior is computed.
    """

    outcome: str
    estimate: float
    sd: float
    ci_low: float
    ci_high: float
    p_benefit: float
    p_benefit_mcid: float
    p_new_benefit_mcid: float
    tau_mean: float
    tau_median: float
    tau_low: float
    tau_high: float
    mcid: float
    higher_is_better: bool
    prior: str
    within: str
    n_persons: int
    confidence_level: float
    persons: pd.DataFrame
    method: str = "hierarchical normal model, exact by quadrature over tau"

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "outcome", "estimate", "sd", "ci_low", "ci_high", "p_benefit", "p_benefit_mcid",
        "p_new_benefit_mcid", "tau_mean", "tau_median", "tau_low", "tau_high", "mcid",
        "higher_is_better", "prior", "within", "n_persons", "confidence_level", "method")

    def summary(self) -> str:
        pct = f"{100 * self.confidence_level:g}%"
        better = "higher" if self.higher_is_better else "lower"
        return "\n".join([
            f"Bayesian hierarchical model for {self.outcome} ({self.method}); prior: "
            f"{self.prior}",
            f"mean effect {self.estimate:.3g} ({pct} credible interval {self.ci_low:.3g} to "
            f"{self.ci_high:.3g}); {better} is better",
            f"P(mean effect is a benefit) = {self.p_benefit:.3f}; P(benefit >= MCID "
            f"{self.mcid:g}) = {self.p_benefit_mcid:.3f}; for a new person "
            f"{self.p_new_benefit_mcid:.3f}",
            f"between-person SD tau: median {self.tau_median:.3g} ({pct} interval "
            f"{self.tau_low:.3g} to {self.tau_high:.3g})",
        ])


@functools.lru_cache(maxsize=4)
def _nodes(n: int = 256) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)


def _log_prior_tau(tau: np.ndarray, kind: str, scale: float) -> np.ndarray:
    if kind == "half-normal":
        return stats.halfnorm.logpdf(tau, scale=scale)
    return stats.halfcauchy.logpdf(tau, scale=scale)


def _log_post_tau(tau: np.ndarray, y: np.ndarray, v: np.ndarray, s0: float, kind: str,
                  scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log p(tau | y) up to a constant, and m(tau), prec(tau) of mu | tau, y."""
    out = np.empty(tau.size)
    m = np.empty(tau.size)
    prec = np.empty(tau.size)
    for j, t in enumerate(tau):
        w = 1.0 / (v + t * t)
        pr = 1.0 / s0**2 + w.sum()
        mm = (w * y).sum() / pr
        out[j] = (0.5 * np.log(w).sum() - 0.5 * np.log(pr)
                  - 0.5 * ((w * y * y).sum() - pr * mm * mm))
        m[j], prec[j] = mm, pr
    return out + _log_prior_tau(tau, kind, scale), m, prec


def _mixture_quantile(q: float, weights: np.ndarray, means: np.ndarray, sds: np.ndarray
                      ) -> np.ndarray:
    """Quantile of sum_j weights_j N(means[..., j], sds[..., j]) (vectorised).

    Newton steps from the normal approximation, then bisection for any entry whose CDF
    is not within 1e-12 of ``q``.
    """
    mean = (means * weights).sum(axis=-1)
    sd = np.sqrt(((sds**2 + means**2) * weights).sum(axis=-1) - mean**2)
    x = mean + stats.norm.ppf(q) * sd

    def cdf(z: np.ndarray) -> np.ndarray:
        return (special.ndtr((z[..., None] - means) / sds) * weights).sum(axis=-1)

    for _ in range(8):
        zs = (x[..., None] - means) / sds
        f = (special.ndtr(zs) * weights).sum(axis=-1) - q
        dens = (np.exp(-0.5 * zs**2) / (np.sqrt(2 * np.pi) * sds) * weights).sum(axis=-1)
        x = x - f / np.maximum(dens, 1e-300)
    bad = ~(np.abs(cdf(x) - q) < 1e-12)
    if np.any(bad):
        mb, sb = means[bad], sds[bad]
        lo = (mb - 12 * sb).min(axis=-1)
        hi = (mb + 12 * sb).max(axis=-1)
        for _ in range(60):
            mid = (lo + hi) / 2
            c = (special.ndtr((mid[..., None] - mb) / sb) * weights).sum(axis=-1)
            lo = np.where(c < q, mid, lo)
            hi = np.where(c < q, hi, mid)
        x = np.array(x, dtype=float)
        x[bad] = (lo + hi) / 2
    return x


def bayes_series(persons: pd.DataFrame, *, outcome: str | None = None, mcid: float | None = None,
                 higher_is_better: bool | None = None, within: str = "auto",
                 mu_prior_sd: float = 10.0, tau_prior: str = "half-normal",
                 tau_scale: float = 1.0, credible_level: float = 0.95) -> BayesSeriesResult:
    """Bayesian hierarchical normal model of per-person effects, by quadrature over tau.

    Parameters
    ----------
    persons : DataFrame
        Per-person results (``PersonResults.persons``); ``mcid`` and
        ``higher_is_better`` are read from it when not given.
    outcome : str, optional
        Which outcome (needed when the table holds several).
    mcid : float, optional
        Minimal clinically important difference (outcome units, > 0).
    higher_is_better : bool, optional
        Direction of benefit.
    within : {'auto', 'pooled', 'person'}
        Within-person variance, as :func:`~nof1.series.meta_analysis`.
    mu_prior_sd : float
        SD of the normal prior on mu, centred at 0 (default 10 outcome units: weakly
        informative on a 0-10 scale).
    tau_prior : {'half-normal', 'half-Cauchy'}
        Prior family of tau (Gelman 2006, Bayesian Analysis 1:515).
    tau_scale : float
        Its scale (default 1 outcome unit: between-person SDs above about 2 points on a
        0-10 scale are a priori unlikely).
    credible_level : float

    Returns
    -------
    BayesSeriesResult

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"person": list("abcde"), "estimate": [-1.2, -0.4, -0.9, 0.1, -1.5],
    ...                   "n_pairs": 6, "sd_difference": 1.2, "mcid": 1.0,
    ...                   "higher_is_better": False})
    >>> res = bayes_series(p)
    >>> round(res.estimate, 3), round(res.p_benefit, 3)
    (-0.779, 0.981)
    >>> res.persons[["person", "yi", "theta", "p_benefit_mcid"]].round(3)
      person   yi  theta  p_benefit_mcid
    0      a -1.2 -0.966           0.436
    1      b -0.4 -0.611           0.141
    2      c -0.9 -0.833           0.308
    3      d  0.1 -0.390           0.062
    4      e -1.5 -1.098           0.559
    """
    credible_level = check_confidence_level(credible_level)
    tau_prior = check_choice(tau_prior, "tau_prior", ("half-normal", "half-Cauchy"))
    s0 = check_float(mu_prior_sd, "mu_prior_sd", minimum=0.0, inclusive=False)
    scale = check_float(tau_scale, "tau_scale", minimum=0.0, inclusive=False)
    persons, outcome = _one_outcome(persons, outcome)
    if mcid is None:
        if "mcid" not in persons:
            raise ValueError("`mcid` must be given (no `mcid` column)")
        mcid = float(persons["mcid"].iloc[0])
    if higher_is_better is None:
        if "higher_is_better" not in persons:
            raise ValueError("`higher_is_better` must be given (no such column)")
        higher_is_better = bool(persons["higher_is_better"].iloc[0])
    mcid = check_float(mcid, "mcid", minimum=0.0)
    d, how, _, _ = within_variances(persons, within=within)
    y, v = d["yi"].to_numpy(float), d["vi"].to_numpy(float)
    if y.size < 2:
        raise ValueError("at least 2 persons are needed")
    # where does p(tau | y) have mass? a coarse grid, then Gauss-Legendre on that range
    top = max(10 * scale if tau_prior == "half-normal" else 100 * scale,
              3 * np.sqrt(np.var(y) + v.max()))
    coarse = np.linspace(0.0, top, 801)
    lp, _, _ = _log_post_tau(coarse, y, v, s0, tau_prior, scale)
    keep = np.flatnonzero(lp > lp.max() - 40)
    t_hi = coarse[min(keep.max() + 1, coarse.size - 1)]
    t_lo = coarse[max(keep.min() - 1, 0)]
    x, wq = _nodes(N_NODES)
    tau = t_lo + (x + 1) * (t_hi - t_lo) / 2
    lp, m, prec = _log_post_tau(tau, y, v, s0, tau_prior, scale)
    wt = wq * np.exp(lp - lp.max())
    wt /= wt.sum()
    # nodes that carry no mass (below 1e-15 of the total) are dropped from the mixtures
    live = wt > 1e-15
    tau, m, prec, wt = tau[live], m[live], prec[live], wt[live] / wt[live].sum()
    sd_mu = 1.0 / np.sqrt(prec)
    sign = 1.0 if higher_is_better else -1.0
    # mu
    est = float(wt @ m)
    sd = float(np.sqrt(wt @ (sd_mu**2 + m**2) - est**2))
    alpha = 1 - credible_level
    lo_mu = float(_mixture_quantile(alpha / 2, wt, m, sd_mu))
    hi_mu = float(_mixture_quantile(1 - alpha / 2, wt, m, sd_mu))
    p_ben = float(wt @ special.ndtr(sign * m / sd_mu))
    p_mcid = float(wt @ special.ndtr((sign * m - mcid) / sd_mu))
    sd_new = np.sqrt(sd_mu**2 + tau**2)
    p_new = float(wt @ special.ndtr((sign * m - mcid) / sd_new))
    # tau: its CDF on a fine grid (trapezoid) for the quantiles
    fine = np.linspace(t_lo, t_hi, 1501)
    dens = np.exp(_log_post_tau(fine, y, v, s0, tau_prior, scale)[0] - lp.max())
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2)])
    cdf /= cdf[-1]

    def tq(q: float) -> float:
        return float(np.interp(q, cdf, fine))
    # persons: theta_i | tau, y ~ N((1 - B) y + B m, v (1 - B) + B^2 / prec), B = v/(v+tau^2),
    # mixed over a 64-node Gauss-Legendre rule on the range where p(tau | y) exceeds
    # e^-30 of its maximum (n x 64 instead of n x 256 normal tail areas)
    mass = np.flatnonzero(dens > np.exp(-30) * dens.max())
    p_lo, p_hi = fine[max(mass.min() - 1, 0)], fine[min(mass.max() + 1, fine.size - 1)]
    xp, wp = _nodes(PERSON_NODES)
    tau = p_lo + (xp + 1) * (p_hi - p_lo) / 2
    lpp, m, prec = _log_post_tau(tau, y, v, s0, tau_prior, scale)
    wt = wp * np.exp(lpp - lpp.max())
    wt /= wt.sum()
    b = v[:, None] / (v[:, None] + tau[None, :] ** 2)
    mean_i = (1 - b) * y[:, None] + b * m[None, :]
    sd_i = np.sqrt(v[:, None] * (1 - b) + b**2 / prec[None, :])
    theta = mean_i @ wt
    theta_sd = np.sqrt((sd_i**2 + mean_i**2) @ wt - theta**2)
    out = pd.DataFrame({
        "person": d["person"].to_numpy(), "yi": y, "vi": v, "theta": theta,
        "theta_sd": theta_sd,
        "theta_low": _mixture_quantile(alpha / 2, wt, mean_i, sd_i),
        "theta_high": _mixture_quantile(1 - alpha / 2, wt, mean_i, sd_i),
        "p_benefit": special.ndtr(sign * mean_i / sd_i) @ wt,
        "p_benefit_mcid": special.ndtr((sign * mean_i - mcid) / sd_i) @ wt})
    prior = (f"mu ~ N(0, {s0:g}^2); tau ~ {tau_prior}(scale {scale:g}); v_i known "
             f"({how} within-person variance)")
    return BayesSeriesResult(
        outcome=outcome, estimate=est, sd=sd, ci_low=lo_mu, ci_high=hi_mu, p_benefit=p_ben,
        p_benefit_mcid=p_mcid, p_new_benefit_mcid=p_new, tau_mean=float(wt @ tau),
        tau_median=tq(0.5), tau_low=tq(alpha / 2), tau_high=tq(1 - alpha / 2), mcid=mcid,
        higher_is_better=bool(higher_is_better), prior=prior, within=how,
        n_persons=int(y.size), confidence_level=credible_level, persons=out)

