"""Bayesian analysis of period-level pair differences (conjugate normal model).

The pair differences d_j = (period mean under A) - (period mean under B) are
modelled as d_j ~ N(delta, sigma^2) with a normal-inverse-gamma prior, so the
posterior of the effect delta is a Student t in closed form. Results report
direction-aware probabilities of benefit, of a benefit at least as large as
the minimal clinically important difference (MCID), and of a difference
smaller than the MCID.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._validation import check_choice, check_float
from .period import _ArrayResultMixin

__all__ = ["NormalInverseGammaPrior", "BayesResult", "make_prior", "bayes_paired",
           "prior_sensitivity", "PRIOR_PRESETS", "DEFAULT_PRIOR"]

#: names accepted by :func:`make_prior` and ``bayes_paired(prior=...)``
PRIOR_PRESETS = ("reference", "weakly_informative", "sceptical", "enthusiastic")
#: the default prior: calibrated (its credible interval is the paired t interval)
DEFAULT_PRIOR = "reference"
#: priors of the default prior-sensitivity table
SENSITIVITY_PRIORS = ("reference", "sceptical", "enthusiastic")


@dataclasses.dataclass(frozen=True)
class NormalInverseGammaPrior:
    """Conjugate prior: delta | sigma^2 ~ N(m0, sigma^2 / k0), sigma^2 ~ InvGamma(a0, b0).

    Parameters
    ----------
    m0 : float
        Prior centre of the effect delta (outcome units, A - B).
    k0 : float
        Prior weight of m0, in pairs (>= 0): the prior counts like k0 pair
        differences equal to m0; 0 is a flat (improper) prior for delta.
    a0, b0 : float
        Shape and scale of the inverse-gamma prior of sigma^2 (a0 >= -1/2,
        b0 >= 0); a0 = nu0/2 and b0 = nu0 s0^2/2 for a scaled inverse
        chi-square prior with nu0 degrees of freedom centred on s0^2.
        ``k0 = 0, a0 = -1/2, b0 = 0`` is the reference prior
        p(delta, sigma^2) ∝ 1/sigma^2 (see :func:`make_prior`).
    name : str
        Label shown in results.

    Notes
    -----
    The marginal prior of delta is a Student t with 2 a0 degrees of freedom,
    location m0 and scale sqrt(b0 / (a0 k0)).

    Examples
    --------
    >>> from nof1.analysis import NormalInverseGammaPrior
    >>> prior = NormalInverseGammaPrior(m0=0.0, k0=1.0, a0=2.0, b0=2.0)
    >>> round(prior.delta_scale, 3)
    1.0
    """

    m0: float
    k0: float
    a0: float
    b0: float
    name: str = "custom"

    def __post_init__(self) -> None:
        check_float(self.m0, "m0")
        check_float(self.k0, "k0", minimum=0.0)
        check_float(self.a0, "a0", minimum=-0.5)
        check_float(self.b0, "b0", minimum=0.0)
        if not isinstance(self.name, str):
            raise TypeError("`name` must be a string")

    @property
    def proper(self) -> bool:
        """Whether the prior is a proper distribution (k0, a0 and b0 all > 0)."""
        return self.k0 > 0 and self.a0 > 0 and self.b0 > 0

    @property
    def delta_scale(self) -> float:
        """Scale of the marginal Student-t prior of delta (infinite if improper)."""
        if not self.proper:
            return math.inf
        return math.sqrt(self.b0 / (self.a0 * self.k0))


def make_prior(name: str, *, mcid: float, higher_is_better: bool,
               sd_guess: float | None = None) -> NormalInverseGammaPrior:
    """A named prior preset, scaled to the outcome through its MCID and a guess of the SD.

    Parameters
    ----------
    name : {'reference', 'weakly_informative', 'sceptical', 'enthusiastic'}
    mcid : float
        Minimal clinically important difference, in outcome units (> 0).
    higher_is_better : bool
        Direction of benefit (sets the sign of the enthusiastic prior's centre).
    sd_guess : float, optional
        Prior guess s0 of the SD of a pair difference of period means, in
        outcome units; default ``mcid`` (on 0-10 daily symptom ratings with an
        MCID of 1 point, pair differences of period means typically vary by
        0.5-1.5 points).

    Returns
    -------
    NormalInverseGammaPrior

    Raises
    ------
    ValueError
        Unknown name, or non-positive ``mcid``/``sd_guess``.

    Notes
    -----
    ``reference`` (the default of :func:`bayes_paired` and :func:`nof1.analyze`)
    is the independence Jeffreys prior p(delta, sigma^2) ∝ 1/sigma^2
    (m0 = 0, k0 = 0, a0 = -1/2, b0 = 0). It is scale-free: it needs no guess of
    the SD, and its posterior for delta is a Student t with n − 1 degrees of
    freedom centred on the mean difference with scale s/sqrt(n), so its
    equal-tailed credible interval *is* the paired t interval and covers the
    true effect with exactly the stated probability for normal pair
    differences, whatever sigma/MCID (probability matching: Jeffreys 1961,
    §3.4; Welch & Peers 1963; Gelman et al. 2013, BDA3 §3.2). It needs at least
    two pairs that are not all equal.

    The other presets share a weak prior for the variance,
    sigma^2 ~ scaled-Inv-chi^2(nu0 = 1, s0^2), i.e. a0 = 1/2, b0 = s0^2/2: one
    pseudo-observation's worth of information centred on s0. They differ in
    the prior of the effect delta | sigma ~ N(m0, sigma^2/k0):

    - ``weakly_informative``: m0 = 0, k0 = 0.01 — a prior SD of 10 sigma for
      delta, worth 1/100 of a pair; the marginal prior is a Cauchy with scale
      10 s0 (10 points for pain with an MCID of 1 on a 0-10 scale). Proper,
      but its variance prior (one pseudo-observation at s0) makes credible
      intervals too narrow when pair differences vary more than s0: 95%
      intervals cover 88-93% for sigma/MCID = 2-4 with 3-12 pairs
      (``tests/test_calibration.py``); kept for comparison, not the default.
    - ``sceptical``: m0 = 0, k0 = (1.5 s0 / MCID)^2 — at sigma = s0 the prior
      SD of delta is MCID/1.5 (``docs/methods.md`` §2.5), so about 87%
      of its mass lies within ±MCID; worth k0 (2.25 by default) pairs showing
      no effect. Because sigma is uncertain the marginal prior is a Cauchy with
      scale MCID/1.5 (63% within ±MCID).
    - ``enthusiastic``: as sceptical but centred on a benefit of one MCID
      (m0 = -MCID when lower is better, +MCID when higher is better).

    The presets depend on the outcome scale only through ``mcid`` and
    ``sd_guess`` (both in outcome units), so they rescale with the outcome.
    The sceptical and enthusiastic priors shrink towards their centres on
    purpose; their intervals are not meant to have frequentist coverage (the
    operating characteristics of the decision rule that uses the sceptical
    prior are reported by :func:`nof1.simulate_power`).

    References
    ----------
    .. [1] Jeffreys H (1961). Theory of Probability, 3rd ed., §3.4.
    .. [2] Welch BL, Peers HW (1963). On formulae for confidence points based on
       integrals of weighted likelihoods. JRSS B 25:318-329.
    .. [3] Gelman A et al. (2013). Bayesian Data Analysis, 3rd ed., §3.2.

    Examples
    --------
    >>> from nof1.analysis import make_prior
    >>> p = make_prior("sceptical", mcid=1.0, higher_is_better=False)
    >>> p.m0, p.k0, p.a0, p.b0
    (0.0, 2.25, 0.5, 0.5)
    """
    name = check_choice(name, "prior", PRIOR_PRESETS)
    mcid = check_float(mcid, "mcid", minimum=0.0, inclusive=False)
    if not isinstance(higher_is_better, bool):
        raise TypeError("`higher_is_better` must be True or False")
    if name == "reference":
        return NormalInverseGammaPrior(0.0, 0.0, -0.5, 0.0, name=name)
    s0 = mcid if sd_guess is None else check_float(sd_guess, "sd_guess", minimum=0.0,
                                                   inclusive=False)
    a0, b0 = 0.5, 0.5 * s0 ** 2
    if name == "weakly_informative":
        return NormalInverseGammaPrior(0.0, 0.01, a0, b0, name=name)
    k0 = (1.5 * s0 / mcid) ** 2
    if name == "sceptical":
        return NormalInverseGammaPrior(0.0, k0, a0, b0, name=name)
    m0 = mcid if higher_is_better else -mcid
    return NormalInverseGammaPrior(m0, k0, a0, b0, name=name)


@dataclasses.dataclass(frozen=True)
class BayesResult(_ArrayResultMixin):
    """Posterior of the effect delta (A - B) from pair differences.

    Scalars for one trial; arrays (one entry per row of ``d``) for a batch.

    Attributes
    ----------
    estimate : float
        Posterior mean of delta (A - B, outcome units).
    posterior_sd : float
        Posterior SD of delta (infinite if the posterior t has <= 2 df).
    ci_low, ci_high : float
        Equal-tailed credible interval.
    credible_level : float
    p_benefit : float
        P(delta favours A): P(delta < 0) when lower is better, P(delta > 0)
        when higher is better.
    p_benefit_mcid : float
        P(benefit >= MCID): P(delta <= -MCID) (lower better) or P(delta >= MCID).
    p_within_mcid : float
        P(|delta| < MCID), the region of practical equivalence.
    p_harm_mcid : float
        P(harm >= MCID), the mirror of ``p_benefit_mcid``. The last three sum to 1.
    mcid : float
    higher_is_better : bool
    posterior_df, posterior_loc, posterior_scale : float
        Parameters of the Student-t posterior of delta.
    prior : str
        Name of the prior.
    prior_m0, prior_k0, prior_a0, prior_b0 : float
    n_pairs : int
        Complete pair differences used.
    n_dropped : int
        Missing (NaN) pair differences.
    method : str
    """

    estimate: Any
    posterior_sd: Any
    ci_low: Any
    ci_high: Any
    credible_level: float
    p_benefit: Any
    p_benefit_mcid: Any
    p_within_mcid: Any
    p_harm_mcid: Any
    mcid: float
    higher_is_better: bool
    posterior_df: Any
    posterior_loc: Any
    posterior_scale: Any
    prior: str
    prior_m0: float
    prior_k0: float
    prior_a0: float
    prior_b0: float
    n_pairs: Any
    n_dropped: Any
    method: str = "conjugate normal model for pair differences (normal-inverse-gamma prior)"

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "posterior_sd", "ci_low", "ci_high", "credible_level", "p_benefit",
        "p_benefit_mcid", "p_within_mcid", "p_harm_mcid", "mcid", "higher_is_better",
        "posterior_df", "posterior_loc", "posterior_scale", "prior", "prior_m0", "prior_k0",
        "prior_a0", "prior_b0", "n_pairs", "n_dropped", "method")

    def summary(self) -> str:
        better = "higher" if self.higher_is_better else "lower"
        head = [f"{self.method}; prior: {self.prior} (m0={self.prior_m0:g}, "
                f"k0={self.prior_k0:g}, a0={self.prior_a0:g}, b0={self.prior_b0:g})",
                "No hypothesis test: the posterior probabilities below describe how plausible "
                "a benefit of treatment A over control B is, given the model, prior and data "
                f"({better} scores are better; MCID = {self.mcid:g}).",
                "Decision thresholds for these probabilities should be pre-registered."]
        if self.is_batch:
            return "\n".join(head + [f"batch of {np.size(self.estimate)} analyses"])
        pct = f"{100 * self.credible_level:g}%"
        return "\n".join(head + [
            f"n_pairs = {self.n_pairs} ({self.n_dropped} missing)",
            f"posterior mean A - B = {self.estimate:.4g} ({pct} credible interval "
            f"{self.ci_low:.4g} to {self.ci_high:.4g})",
            f"P(benefit) = {self.p_benefit:.3f}; P(benefit >= MCID) = {self.p_benefit_mcid:.3f}; "
            f"P(|effect| < MCID) = {self.p_within_mcid:.3f}; "
            f"P(harm >= MCID) = {self.p_harm_mcid:.3f}",
        ])


def _resolve_prior(prior: Any, mcid: float, higher_is_better: bool,
                   sd_guess: float | None) -> NormalInverseGammaPrior:
    if isinstance(prior, NormalInverseGammaPrior):
        return prior
    if isinstance(prior, str):
        return make_prior(prior, mcid=mcid, higher_is_better=higher_is_better,
                          sd_guess=sd_guess)
    raise TypeError("`prior` must be a preset name "
                    f"({', '.join(repr(p) for p in PRIOR_PRESETS)}) or a NormalInverseGammaPrior")


def bayes_paired(d: Any, *, mcid: float, higher_is_better: bool,
                 prior: str | NormalInverseGammaPrior = DEFAULT_PRIOR,
                 credible_level: float = 0.95, sd_guess: float | None = None) -> BayesResult:
    """Posterior of the treatment effect from period-level pair differences.

    Parameters
    ----------
    d : array_like
        Pair differences d_j = (A period mean) - (B period mean), 1-D, or 2-D
        ``(n_batch, k)`` for many trials at once (fields become arrays).
        NaN marks a missing pair.
    mcid : float
        Minimal clinically important difference (> 0, outcome units).
    higher_is_better : bool
        Direction of benefit of the outcome.
    prior : str or NormalInverseGammaPrior
        A preset name (see :func:`make_prior`) or an explicit prior.
    credible_level : float
        Level of the equal-tailed credible interval.
    sd_guess : float, optional
        Passed to :func:`make_prior` for a preset prior.

    Returns
    -------
    BayesResult

    Raises
    ------
    ValueError
        Bad arguments; (1-D input) no complete pair difference, or too few
        (or all equal) differences for an improper prior's posterior to be
        proper. In a batch such rows give NaN.

    Notes
    -----
    Model: d_j ~ N(delta, sigma^2) independently; prior
    delta | sigma^2 ~ N(m0, sigma^2/k0), sigma^2 ~ InvGamma(a0, b0). With n
    complete differences, mean d̄ and S = Σ (d_j - d̄)², the posterior is
    normal-inverse-gamma with

        k_n = k0 + n,  m_n = (k0 m0 + n d̄) / k_n,
        a_n = a0 + n/2,  b_n = b0 + S/2 + k0 n (d̄ - m0)² / (2 k_n),

    and the marginal posterior of delta is Student t with 2 a_n degrees of
    freedom, location m_n and scale sqrt(b_n / (a_n k_n)). Probabilities are
    direction-aware: benefit means delta < 0 when lower scores are better.
    The model ignores autocorrelation between periods; the period is the unit.

    References
    ----------
    .. [1] Gelman A et al. (2013). Bayesian Data Analysis, 3rd ed., §3.3.
    .. [2] Schmid CH, Yang J (2022). Bayesian models for N-of-1 trials. Harvard
       Data Science Review (Special Issue 3).

    Examples
    --------
    >>> from nof1.analysis import bayes_paired
    >>> d = [-1.2, -0.4, -0.9, 0.1, -1.5, -0.7]    # pain: A - B per pair
    >>> res = bayes_paired(d, mcid=1.0, higher_is_better=False)
    >>> round(res.estimate, 3), round(res.p_benefit, 3), round(res.p_benefit_mcid, 3)
    (-0.767, 0.989, 0.182)

    Under the default reference prior the credible interval is the paired t
    interval:

    >>> from scipy import stats
    >>> ci = stats.ttest_1samp(d, 0.0).confidence_interval()
    >>> bool(abs(res.ci_low - ci.low) < 1e-12 and abs(res.ci_high - ci.high) < 1e-12)
    True
    """
    try:
        x = np.asarray(d, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("`d` must be array-like of numbers (pair differences)") from exc
    if x.ndim not in (1, 2):
        raise ValueError(f"`d` must be 1-D (pairs) or 2-D (batch, pairs); got ndim={x.ndim}")
    if np.isinf(x).any():
        raise ValueError("`d` must be finite (NaN marks a missing pair)")
    mcid = check_float(mcid, "mcid", minimum=0.0, inclusive=False)
    if not isinstance(higher_is_better, bool):
        raise TypeError("`higher_is_better` must be True or False")
    credible_level = check_float(credible_level, "credible_level", minimum=0.0, maximum=1.0,
                                 inclusive=False)
    pr = _resolve_prior(prior, mcid, higher_is_better, sd_guess)
    one = x.ndim == 1
    x = np.atleast_2d(x)
    ok = ~np.isnan(x)
    n = ok.sum(axis=-1)
    if one and n[0] == 0:
        raise ValueError("no complete pair difference to analyse")
    with np.errstate(invalid="ignore", divide="ignore"):
        dbar = np.where(n > 0, np.where(ok, x, 0.0).sum(axis=-1) / np.maximum(n, 1), pr.m0)
    ss = (np.where(ok, x - dbar[:, None], 0.0) ** 2).sum(axis=-1)
    kn = pr.k0 + n
    mn = (pr.k0 * pr.m0 + n * dbar) / kn
    an = pr.a0 + n / 2
    bn = pr.b0 + ss / 2 + pr.k0 * n * (dbar - pr.m0) ** 2 / (2 * kn)
    improper = (an <= 0) | (bn <= 0) | (kn <= 0)
    if one and improper[0]:
        raise ValueError(f"the {pr.name} prior needs at least two pair differences that are "
                         f"not all equal (got {int(n[0])})")
    an = np.where(improper, np.nan, an)
    df = 2 * an
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(bn / (an * kn))
    post = stats.t(df, loc=mn, scale=scale)
    q = stats.t.ppf(0.5 + credible_level / 2, df)
    low, high = mn - q * scale, mn + q * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.where(df > 2, scale * np.sqrt(df / np.where(df > 2, df - 2, 1.0)), np.inf)
    p_gt0 = post.sf(0.0)
    p_lt0 = post.cdf(0.0)
    p_ge = post.sf(mcid)        # P(delta >= mcid)
    p_le = post.cdf(-mcid)      # P(delta <= -mcid)
    if higher_is_better:
        benefit, benefit_mcid, harm_mcid = p_gt0, p_ge, p_le
    else:
        benefit, benefit_mcid, harm_mcid = p_lt0, p_le, p_ge
    within = post.cdf(mcid) - post.cdf(-mcid)

    def out(v: np.ndarray) -> Any:
        return float(v[0]) if one else v

    return BayesResult(
        estimate=out(mn), posterior_sd=out(sd), ci_low=out(low), ci_high=out(high),
        credible_level=credible_level, p_benefit=out(benefit),
        p_benefit_mcid=out(benefit_mcid), p_within_mcid=out(within),
        p_harm_mcid=out(harm_mcid), mcid=mcid, higher_is_better=higher_is_better,
        posterior_df=out(df), posterior_loc=out(mn), posterior_scale=out(scale),
        prior=pr.name, prior_m0=pr.m0, prior_k0=pr.k0, prior_a0=pr.a0, prior_b0=pr.b0,
        n_pairs=int(n[0]) if one else n, n_dropped=int(x.shape[-1] - n[0]) if one
        else x.shape[-1] - n,
    )


def prior_sensitivity(d: Any, *, mcid: float, higher_is_better: bool,
                      priors: Iterable[str | NormalInverseGammaPrior] | None = None,
                      credible_level: float = 0.95,
                      sd_guess: float | None = None) -> pd.DataFrame:
    """The Bayesian analysis under several priors, one row per prior.

    Parameters
    ----------
    d : array_like
        1-D pair differences A - B (NaN = missing pair).
    mcid : float
    higher_is_better : bool
    priors : iterable of str or NormalInverseGammaPrior, optional
        Default: ``('reference', 'sceptical', 'enthusiastic')``.
    credible_level : float
    sd_guess : float, optional
        Passed to :func:`make_prior` for preset names.

    Returns
    -------
    pandas.DataFrame
        The columns of :meth:`BayesResult.to_frame`, one row per prior.

    Raises
    ------
    ValueError
        ``d`` is not 1-D, or as :func:`bayes_paired`.

    Notes
    -----
    With few pairs the prior matters; showing a sceptical and an
    enthusiastic prior beside the reference one shows how much
    (``docs/methods.md`` §2.5).

    Examples
    --------
    >>> from nof1.analysis import prior_sensitivity
    >>> d = [-1.2, -0.4, -0.9, 0.1, -1.5, -0.7]
    >>> table = prior_sensitivity(d, mcid=1.0, higher_is_better=False)
    >>> table[["prior", "estimate", "p_benefit"]].round(3)
              prior  estimate  p_benefit
    0     reference    -0.767      0.989
    1     sceptical    -0.558      0.970
    2  enthusiastic    -0.830      0.997
    """
    if np.ndim(d) != 1:
        raise ValueError("`d` must be 1-D for a sensitivity table")
    chosen = SENSITIVITY_PRIORS if priors is None else tuple(priors)
    if not chosen:
        raise ValueError("`priors` must name at least one prior")
    rows = [bayes_paired(d, mcid=mcid, higher_is_better=higher_is_better, prior=p,
                         credible_level=credible_level, sd_guess=sd_guess).to_frame()
            for p in chosen]
    return pd.concat(rows, ignore_index=True)
