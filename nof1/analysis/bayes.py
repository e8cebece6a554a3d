"""Bayesian analysis of period-level pair differences.

The pair differences d_j = (period mean under A) - (period mean under B) are
modelled as d_j ~ N(delta, sigma^2). Two families of prior are offered:

- :class:`NormalInverseGammaPrior`, the conjugate prior (the reference prior
  p(delta, sigma^2) ∝ 1/sigma^2 is its limit): the posterior of delta is a
  Student t in closed form;
- :class:`NormalEffectPrior`, a normal prior for the effect in outcome units,
  independent of the noise, with the scale-free reference prior
  p(sigma^2) ∝ 1/sigma^2 for the variance (the sceptical and enthusiastic
  presets): the posterior of delta is one-dimensional and is computed by
  quadrature over log sigma^2.

Results report direction-aware probabilities of benefit, of a benefit at least
as large as the minimal clinically important difference (MCID), and of a
difference smaller than the MCID.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import special

from .._validation import check_choice, check_float
from .period import _ArrayResultMixin

__all__ = ["NormalInverseGammaPrior", "NormalEffectPrior", "BayesResult", "make_prior",
           "bayes_paired", "prior_sensitivity", "PRIOR_PRESETS", "DEFAULT_PRIOR",
           "PRIOR_VERSION"]

#: names accepted by :func:`make_prior` and ``bayes_paired(prior=...)``
PRIOR_PRESETS = ("reference", "weakly_informative", "sceptical", "enthusiastic")
#: the default prior: calibrated (its credible interval is the paired t interval)
DEFAULT_PRIOR = "reference"
#: priors of the default prior-sensitivity table
SENSITIVITY_PRIORS = ("reference", "sceptical", "enthusiastic")
#: current version of the preset definitions (see :func:`make_prior`); version 1 is the
#: normal-inverse-gamma sceptical and enthusiastic priors of protocols committed before it
PRIOR_VERSION = 2
#: versions :func:`make_prior` knows
PRIOR_VERSIONS = (1, 2)
#: the sceptical and enthusiastic presets have prior SD of the effect MCID / SCEPTICAL_DIVISOR
SCEPTICAL_DIVISOR = 1.5

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

    def to_dict(self) -> dict[str, Any]:
        """The full specification, as a protocol stores it (JSON-friendly)."""
        return {"family": "normal-inverse-gamma", "m0": float(self.m0), "k0": float(self.k0),
                "a0": float(self.a0), "b0": float(self.b0)}


@dataclasses.dataclass(frozen=True)
class NormalEffectPrior:
    """Effect prior in outcome units, independent of the noise; reference prior for the noise.

    delta ~ N(m0, sd^2) and p(sigma^2) ∝ 1/sigma^2, independently.

    Parameters
    ----------
    m0 : float
        Prior centre of the effect delta (outcome units, A - B).
    sd : float
        Prior SD of delta (outcome units, > 0).
    name : str
        Label shown in results.

    Notes
    -----
    This is the form of the sceptical and enthusiastic priors of Spiegelhalter,
    Freedman & Parmar (1994) and Spiegelhalter, Abrams & Myles (2004, §5.5):
    a normal prior for the effect on the scale of the outcome, set from the
    clinically important difference, with no assumption about the size of the
    noise. Unlike the conjugate prior delta | sigma^2 ~ N(m0, sigma^2/k0), its
    spread does not grow with sigma, and the variance gets the scale-free
    Jeffreys prior, so no guess of the SD can make the posterior
    overconfident. With n >= 2 pair differences that are not all equal the
    posterior is proper; the marginal posterior of delta is

        p(delta | d) ∝ N(delta; m0, sd^2) · [S + n (d̄ − delta)^2]^(−n/2),

    a normal density times a Student-t kernel (S = Σ (d_j − d̄)^2), computed by
    :func:`bayes_paired` by quadrature.

    References
    ----------
    .. [1] Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian approaches
       to randomized trials. JRSS A 157:357-416.
    .. [2] Spiegelhalter DJ, Abrams KR, Myles JP (2004). Bayesian Approaches to
       Clinical Trials and Health-Care Evaluation. Wiley, §5.5.

    Examples
    --------
    >>> from nof1.analysis import NormalEffectPrior
    >>> NormalEffectPrior(m0=0.0, sd=2 / 3, name="sceptical").to_dict()["variance"]
    'reference: p(sigma^2) ∝ 1/sigma^2'
    """

    m0: float
    sd: float
    name: str = "custom"

    def __post_init__(self) -> None:
        check_float(self.m0, "m0")
        check_float(self.sd, "sd", minimum=0.0, inclusive=False)
        if not isinstance(self.name, str):
            raise TypeError("`name` must be a string")

    proper = False  # the variance prior is improper (the posterior is proper, n >= 2)

    @property
    def delta_scale(self) -> float:
        """Prior SD of delta."""
        return float(self.sd)

    def to_dict(self) -> dict[str, Any]:
        """The full specification, as a protocol stores it (JSON-friendly)."""
        return {"family": "normal effect, reference variance", "m0": float(self.m0),
                "effect_sd": float(self.sd), "variance": "reference: p(sigma^2) ∝ 1/sigma^2"}


Prior = NormalInverseGammaPrior | NormalEffectPrior


def make_prior(name: str, *, mcid: float, higher_is_better: bool,
               sd_guess: float | None = None, version: int = PRIOR_VERSION) -> Prior:
    """A named prior preset, scaled to the outcome through its MCID.

    Parameters
    ----------
    name : {'reference', 'weakly_informative', 'sceptical', 'enthusiastic'}
    mcid : float
        Minimal clinically important difference, in outcome units (> 0).
    higher_is_better : bool
        Direction of benefit (sets the sign of the enthusiastic prior's centre).
    sd_guess : float, optional
        Prior guess s0 of the SD of a pair difference of period means, in
        outcome units; default ``mcid``. Used only by the priors with an
        informative variance prior (``weakly_informative``, and the version-1
        sceptical and enthusiastic priors); the others ignore it.
    version : {2, 1}
        Version of the preset definitions: 2 (current) or 1, the
        normal-inverse-gamma sceptical and enthusiastic priors of protocols
        committed before version 2 (kept so that such a protocol keeps its
        committed meaning). ``reference`` and ``weakly_informative`` are the
        same in both versions.

    Returns
    -------
    NormalInverseGammaPrior or NormalEffectPrior

    Raises
    ------
    ValueError
        Unknown name or version, or non-positive ``mcid``/``sd_guess``.

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

    ``sceptical`` (version 2) is a :class:`NormalEffectPrior`: delta ~ N(0,
    (MCID/1.5)^2) in outcome units, independent of the noise, with the
    reference prior p(sigma^2) ∝ 1/sigma^2 — the sceptical prior of
    Spiegelhalter, Freedman & Parmar (1994), with about 87% of its mass
    within ±MCID (the prior SD MCID/1.5 is this toolkit's convention,
    ``docs/methods.md`` §2.5). ``enthusiastic`` is the same centred on a
    benefit of one MCID (m0 = -MCID when lower is better, +MCID when higher is
    better). Being scale-free in sigma, they stay calibrated when pair
    differences vary more (or less) than the MCID: the decision rule that uses
    the sceptical prior says "met" under a true benefit below the MCID at most
    as often as its threshold allows, and the sceptical 95% credible interval
    covers true effects within ±MCID at least 94% of the time over sigma/MCID
    0.25-4 and 3-12 pairs (``tests/test_bayes_calibration.py``). Being
    sceptical, its interval undercovers large true effects (it shrinks them
    towards no effect): it is not meant as a confidence interval beyond ±MCID.

    ``weakly_informative`` and the version-1 sceptical and enthusiastic priors
    are normal-inverse-gamma with a weak prior for the variance,
    sigma^2 ~ scaled-Inv-chi^2(nu0 = 1, s0^2), i.e. a0 = 1/2, b0 = s0^2/2: one
    pseudo-observation's worth of information centred on s0 = ``sd_guess``.
    ``weakly_informative`` has m0 = 0, k0 = 0.01 (a Cauchy marginal prior for
    delta with scale 10 s0); version-1 ``sceptical`` has m0 = 0,
    k0 = (1.5 s0 / MCID)^2, and version-1 ``enthusiastic`` m0 = ±MCID with the
    same k0. Their variance prior makes credible intervals and posterior
    probabilities overconfident when pair differences vary more than s0
    (95% intervals cover 88-93% for sigma/MCID = 2-4 with 3-12 pairs); they are
    kept for comparison and for protocols committed with them.

    References
    ----------
    .. [1] Jeffreys H (1961). Theory of Probability, 3rd ed., §3.4.
    .. [2] Welch BL, Peers HW (1963). On formulae for confidence points based on
       integrals of weighted likelihoods. JRSS B 25:318-329.
    .. [3] Gelman A et al. (2013). Bayesian Data Analysis, 3rd ed., §3.2.
    .. [4] Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian approaches
       to randomized trials. JRSS A 157:357-416.

    Examples
    --------
    >>> from nof1.analysis import make_prior
    >>> make_prior("sceptical", mcid=1.5, higher_is_better=False)
    NormalEffectPrior(m0=0.0, sd=1.0, name='sceptical')
    >>> p = make_prior("sceptical", mcid=1.0, higher_is_better=False, version=1)
    >>> p.m0, p.k0, p.a0, p.b0
    (0.0, 2.25, 0.5, 0.5)
    """
    name = check_choice(name, "prior", PRIOR_PRESETS)
    mcid = check_float(mcid, "mcid", minimum=0.0, inclusive=False)
    if not isinstance(higher_is_better, bool):
        raise TypeError("`higher_is_better` must be True or False")
    if isinstance(version, bool) or version not in PRIOR_VERSIONS:
        raise ValueError(f"`version` must be one of {PRIOR_VERSIONS}, got {version!r}")
    if name == "reference":
        return NormalInverseGammaPrior(0.0, 0.0, -0.5, 0.0, name=name)
    centre = 0.0 if name != "enthusiastic" else (mcid if higher_is_better else -mcid)
    if version >= 2 and name in ("sceptical", "enthusiastic"):
        return NormalEffectPrior(centre, mcid / SCEPTICAL_DIVISOR, name=name)
    s0 = mcid if sd_guess is None else check_float(sd_guess, "sd_guess", minimum=0.0,
                                                   inclusive=False)
    a0, b0 = 0.5, 0.5 * s0 ** 2
    if name == "weakly_informative":
        return NormalInverseGammaPrior(0.0, 0.01, a0, b0, name=name)
    return NormalInverseGammaPrior(centre, (1.5 * s0 / mcid) ** 2, a0, b0, name=name)


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
        Parameters of the Student-t posterior of delta (normal-inverse-gamma
        priors; NaN for a :class:`NormalEffectPrior`, whose posterior is not a t).
    prior : str
        Name of the prior.
    prior_m0, prior_k0, prior_a0, prior_b0 : float
        Parameters of a normal-inverse-gamma prior (``prior_m0`` is the prior
        centre of either family; the others are NaN for a NormalEffectPrior).
    prior_sd : float
        Prior SD of delta of a :class:`NormalEffectPrior` (NaN otherwise).
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
    prior_sd: float = math.nan

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "posterior_sd", "ci_low", "ci_high", "credible_level", "p_benefit",
        "p_benefit_mcid", "p_within_mcid", "p_harm_mcid", "mcid", "higher_is_better",
        "posterior_df", "posterior_loc", "posterior_scale", "prior", "prior_m0", "prior_k0",
        "prior_a0", "prior_b0", "prior_sd", "n_pairs", "n_dropped", "method")

    def summary(self) -> str:
        better = "higher" if self.higher_is_better else "lower"
        if math.isfinite(self.prior_sd):
            spec = f"delta ~ N({self.prior_m0:g}, {self.prior_sd:.4g}^2), p(sigma^2) ∝ 1/sigma^2"
        else:
            spec = (f"m0={self.prior_m0:g}, k0={self.prior_k0:g}, a0={self.prior_a0:g}, "
                    f"b0={self.prior_b0:g}")
        head = [f"{self.method}; prior: {self.prior} ({spec})",
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
                   sd_guess: float | None, version: int = PRIOR_VERSION) -> Prior:
    if isinstance(prior, NormalInverseGammaPrior | NormalEffectPrior):
        return prior
    if isinstance(prior, str):
        return make_prior(prior, mcid=mcid, higher_is_better=higher_is_better,
                          sd_guess=sd_guess, version=version)
    raise TypeError("`prior` must be a preset name "
                    f"({', '.join(repr(p) for p in PRIOR_PRESETS)}), a NormalInverseGammaPrior "
                    "or a NormalEffectPrior")


# -- posteriors ----------------------------------------------------------------------------
class _TPosterior:
    """Student-t posterior of delta (normal-inverse-gamma prior), vectorised over rows."""

    def __init__(self, df: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> None:
        self.df, self.loc, self.scale = df, loc, scale

    def cdf(self, c: float) -> np.ndarray:
        return special.stdtr(self.df, (c - self.loc) / self.scale)

    def sf(self, c: float) -> np.ndarray:
        return special.stdtr(self.df, (self.loc - c) / self.scale)

    def ppf(self, q: float) -> np.ndarray:
        return self.loc + self.scale * special.stdtrit(self.df, q)

    @property
    def mean(self) -> np.ndarray:
        return self.loc

    @property
    def sd(self) -> np.ndarray:
        df = self.df
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(df > 2, self.scale * np.sqrt(df / np.where(df > 2, df - 2, 1.0)),
                            np.where(np.isnan(df), np.nan, np.inf))


def _nig_posterior(n: np.ndarray, dbar: np.ndarray, ss: np.ndarray,
                   pr: NormalInverseGammaPrior) -> _TPosterior:
    kn = pr.k0 + n
    with np.errstate(invalid="ignore", divide="ignore"):
        mn = np.where(kn > 0, (pr.k0 * pr.m0 + n * dbar) / np.where(kn > 0, kn, 1.0), pr.m0)
        an = pr.a0 + n / 2
        bn = pr.b0 + ss / 2 + pr.k0 * n * (dbar - pr.m0) ** 2 / (2 * kn)
        improper = (an <= 0) | (bn <= 0) | (kn <= 0)
        an = np.where(improper, np.nan, an)
        scale = np.sqrt(bn / (an * kn))
    return _TPosterior(2 * an, mn, scale)


#: log-density drop (relative to a point inside the mass) at which the quadrature over
#: log sigma^2 is truncated: e^-25 ≈ 1e-11
_DROP = 27.0
#: largest node spacing in z, absolute and times sqrt(nu) (a fraction of the SD of z)
_STEP, _STEP_SD = 0.3, 1.0


def _quadrature_nodes(ratio: np.ndarray, gain: np.ndarray, nu: np.ndarray,
                      n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the range [lo, hi] of z = log(sigma^2 / s^2) that holds the mass, and a step.

    The log-density of z is −(nu/2)(z + e^−z) − ½ log(tau² + s² e^z / n)
    − (d̄ − m0)² / (2 (tau² + s² e^z / n)). Below its maximum at z = 0 of the first
    term, the density falls doubly exponentially; above, at least linearly with slope
    nu/2 (and n/2 once s² e^z / n > tau²). The normal factor can gain at most
    ½ log(1 + ratio) for small sigma and ``gain`` = (d̄ − m0)²/(2(tau² + s²/n)) for large
    sigma; the bounds below allow for both, so the truncated mass is below e^-_DROP.
    """
    d_lo = _DROP + 0.5 * np.log1p(ratio)
    z = -np.log1p(2 * d_lo / nu)
    for _ in range(4):                                  # e^-z = 1 + 2 d_lo/nu - z
        z = -np.log(1 + 2 * d_lo / nu - z)
    lo = z - 0.5
    d_hi = _DROP + gain
    zc = np.log1p(1 / ratio)                            # s² e^z / n = tau² + s²/n beyond zc
    hi = 1 + 2 * d_hi / nu
    hi = np.where(hi > zc, (d_hi + nu / 2 + zc / 2) / (n / 2), hi) + 0.5
    step = np.minimum(_STEP, _STEP_SD / np.sqrt(nu))
    return lo, hi, step


class _MixturePosterior:
    """Posterior of delta under a NormalEffectPrior, as a mixture of normals over sigma^2.

    Given sigma^2, delta | d ~ N(mu, v) with v = 1/(1/tau² + n/sigma²) and
    mu = v (m0/tau² + n d̄/sigma²). The marginal posterior of z = log(sigma²/s²) is
    proportional to exp(−(nu/2)(z + e^−z)) · N(d̄; m0, tau² + sigma²/n) (nu = n − 1,
    s² = S/nu), smooth and with exponentially decaying tails, so the trapezoidal rule in
    z converges geometrically (Trefethen & Weideman 2014, SIAM Rev 56:385); the nodes
    are spaced at most 0.25 and at most 1.1/sqrt(nu) apart (a fraction of the SD of
    z). Each probability is then a weighted sum of normal CDFs, and the quantiles are
    found by safeguarded Newton steps on that sum.
    """

    def __init__(self, n: np.ndarray, dbar: np.ndarray, ss: np.ndarray,
                 pr: NormalEffectPrior) -> None:
        rows = n.size
        self.valid = (n >= 2) & (ss > 0)
        self.mu = np.full((rows, 1), np.nan)
        self.v = np.full((rows, 1), np.nan)
        self.w = np.full((rows, 1), np.nan)
        self.sv = self.v
        idx = np.flatnonzero(self.valid)
        if not idx.size:
            return
        tau2 = pr.sd ** 2
        nv, dv, sv = n[idx].astype(float), dbar[idx], ss[idx]
        nu = nv - 1
        s2 = sv / nu
        ratio = s2 / (nv * tau2)
        gain = (dv - pr.m0) ** 2 / (2 * (tau2 + s2 / nv))
        lo, hi, step = _quadrature_nodes(ratio, gain, nu, nv)
        m = np.ceil((hi - lo) / step).astype(int) + 1
        # rows grouped by node count (a multiple of 8), so that a batch shares few grids
        size = np.maximum(16, 8 * np.ceil(m / 8)).astype(int)
        width = int(size.max())
        mu = np.full((rows, width), 0.0)
        v = np.full((rows, width), 1.0)
        w = np.zeros((rows, width))
        for k in np.unique(size):
            sel = np.flatnonzero(size == k)
            rr = idx[sel]
            z = lo[sel, None] + (hi[sel] - lo[sel])[:, None] * np.linspace(0.0, 1.0, k)
            sig2 = s2[sel, None] * np.exp(z)
            var_d = tau2 + sig2 / nv[sel, None]
            logw = (-0.5 * nu[sel, None] * (z + np.exp(-z)) - 0.5 * np.log(var_d)
                    - (dv[sel, None] - pr.m0) ** 2 / (2 * var_d))
            ww = np.exp(logw - logw.max(axis=1, keepdims=True))
            ww[:, [0, -1]] *= 0.5                                  # trapezoidal rule
            w[rr, :k] = ww / ww.sum(axis=1, keepdims=True)
            prec = 1 / tau2 + nv[sel, None] / sig2
            v[rr, :k] = 1 / prec
            mu[rr, :k] = (pr.m0 / tau2 + nv[sel, None] * dv[sel, None] / sig2) / prec
        w[~self.valid] = np.nan
        self.mu, self.v, self.w = mu, v, w
        self.sv = np.sqrt(v)

    def cdf(self, c: float) -> np.ndarray:
        return (self.w * special.ndtr((c - self.mu) / self.sv)).sum(axis=1)

    def sf(self, c: float) -> np.ndarray:
        return (self.w * special.ndtr((self.mu - c) / self.sv)).sum(axis=1)

    @property
    def mean(self) -> np.ndarray:
        return (self.w * self.mu).sum(axis=1)

    @property
    def sd(self) -> np.ndarray:
        mean = self.mean[:, None]
        return np.sqrt((self.w * (self.v + (self.mu - mean) ** 2)).sum(axis=1))

    def ppf(self, q: float) -> np.ndarray:
        """Quantile by Newton steps kept inside a bracket (bisection when they leave it).

        A mixture's quantile lies between the smallest and the largest quantile of its
        components, which is the starting bracket.
        """
        out = np.full(self.valid.shape, np.nan)
        rows = np.flatnonzero(self.valid)
        if not rows.size:
            return out
        w, mu, sv = self.w[rows], self.mu[rows], self.sv[rows]
        zq = special.ndtri(q)
        comp = np.where(w > 0, mu + zq * sv, np.nan)
        lo, hi = np.nanmin(comp, axis=1), np.nanmax(comp, axis=1)
        x = np.clip(self.mean[rows] + zq * self.sd[rows], lo, hi)
        active = np.arange(rows.size)
        for _ in range(100):
            u = (x[active, None] - mu[active]) / sv[active]
            wa = w[active]
            f = (wa * special.ndtr(u)).sum(axis=1) - q
            dens = (wa * np.exp(-0.5 * u * u) / sv[active]).sum(axis=1) / math.sqrt(2 * math.pi)
            xa = x[active]
            la = np.where(f < 0, xa, lo[active])
            ha = np.where(f > 0, xa, hi[active])
            with np.errstate(divide="ignore", invalid="ignore"):
                nxt = xa - f / dens
            nxt = np.where((nxt > la) & (nxt < ha), nxt, 0.5 * (la + ha))
            done = (np.abs(nxt - xa) <= 1e-13 * (1 + np.abs(xa))) | (f == 0)
            lo[active], hi[active], x[active] = la, ha, np.where(f == 0, xa, nxt)
            active = active[~done]
            if not active.size:
                break
        out[rows] = x
        return out


def _summaries(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ok = ~np.isnan(x)
    n = ok.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dbar = np.where(ok, x, 0.0).sum(axis=-1) / np.maximum(n, 1)
    ss = (np.where(ok, x - dbar[:, None], 0.0) ** 2).sum(axis=-1)
    # differences equal to rounding error count as all equal (S = 0)
    scale = np.where(ok, np.abs(x), 0.0).max(axis=-1, initial=0.0)
    ss = np.where(ss <= n * (1e-12 * scale) ** 2, 0.0, ss)
    return ok, n, dbar, ss


def _posterior(n: np.ndarray, dbar: np.ndarray, ss: np.ndarray,
               pr: Prior) -> _TPosterior | _MixturePosterior:
    if isinstance(pr, NormalEffectPrior):
        return _MixturePosterior(n, dbar, ss, pr)
    return _nig_posterior(n, np.where(n > 0, dbar, pr.m0), ss, pr)


def _as_batch(d: Any) -> np.ndarray:
    try:
        x = np.asarray(d, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("`d` must be array-like of numbers (pair differences)") from exc
    if x.ndim not in (1, 2):
        raise ValueError(f"`d` must be 1-D (pairs) or 2-D (batch, pairs); got ndim={x.ndim}")
    if np.isinf(x).any():
        raise ValueError("`d` must be finite (NaN marks a missing pair)")
    return x


def posterior_benefit(d: Any, prior: Prior, *, mcid: float,
                      higher_is_better: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(benefit >= MCID) and P(any benefit) per row of a 2-D batch, without intervals.

    The fast path of :meth:`nof1.analysis.DecisionRule.decide` (and so of
    :func:`nof1.simulate_power`): the same posterior as :func:`bayes_paired`.
    Returns ``(p_benefit_mcid, p_benefit, n_pairs)``; NaN where the posterior is
    improper (fewer than two pairs, or, for an improper prior, all equal).
    """
    x = np.atleast_2d(_as_batch(d))
    _, n, dbar, ss = _summaries(x)
    post = _posterior(n, dbar, ss, prior)
    if higher_is_better:
        return post.sf(mcid), post.sf(0.0), n
    return post.cdf(-mcid), post.cdf(0.0), n


def bayes_paired(d: Any, *, mcid: float, higher_is_better: bool,
                 prior: str | Prior = DEFAULT_PRIOR,
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
    prior : str, NormalInverseGammaPrior or NormalEffectPrior
        A preset name (see :func:`make_prior`; current version) or an explicit prior.
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
        (or all equal) differences for the posterior to be proper. In a batch
        such rows give NaN.

    Notes
    -----
    Model: d_j ~ N(delta, sigma^2) independently.

    *Normal-inverse-gamma prior* delta | sigma^2 ~ N(m0, sigma^2/k0),
    sigma^2 ~ InvGamma(a0, b0). With n complete differences, mean d̄ and
    S = Σ (d_j - d̄)², the posterior is normal-inverse-gamma with

        k_n = k0 + n,  m_n = (k0 m0 + n d̄) / k_n,
        a_n = a0 + n/2,  b_n = b0 + S/2 + k0 n (d̄ - m0)² / (2 k_n),

    and the marginal posterior of delta is Student t with 2 a_n degrees of
    freedom, location m_n and scale sqrt(b_n / (a_n k_n)).

    *Normal effect prior* delta ~ N(m0, tau^2), p(sigma^2) ∝ 1/sigma^2
    (:class:`NormalEffectPrior`): the marginal posterior of delta is
    ∝ N(delta; m0, tau^2) · [S + n(d̄ − delta)^2]^(−n/2), a one-dimensional
    density with no closed form. It is computed as a mixture, over sigma^2,
    of the normal posteriors of delta given sigma^2, weighted by the marginal
    posterior of log sigma^2, by the trapezoidal rule on a grid wide enough
    to hold all but e^-34 of the mass (relative error of probabilities about
    1e-9 against adaptive quadrature over delta and Gibbs sampling: see
    ``tests/test_bayes.py``). It needs n >= 2 differences that are not all
    equal.

    Probabilities are direction-aware: benefit means delta < 0 when lower
    scores are better. The model ignores autocorrelation between periods;
    the period is the unit.

    References
    ----------
    .. [1] Gelman A et al. (2013). Bayesian Data Analysis, 3rd ed., §3.3.
    .. [2] Schmid CH, Yang J (2022). Bayesian models for N-of-1 trials. Harvard
       Data Science Review (Special Issue 3).
    .. [3] Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian approaches
       to randomized trials. JRSS A 157:357-416.

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

    The sceptical prior pulls the estimate towards no effect:

    >>> scep = bayes_paired(d, mcid=1.0, higher_is_better=False, prior="sceptical")
    >>> round(scep.estimate, 3), round(scep.p_benefit_mcid, 3)
    (-0.651, 0.077)
    """
    x = _as_batch(d)
    mcid = check_float(mcid, "mcid", minimum=0.0, inclusive=False)
    if not isinstance(higher_is_better, bool):
        raise TypeError("`higher_is_better` must be True or False")
    credible_level = check_float(credible_level, "credible_level", minimum=0.0, maximum=1.0,
                                 inclusive=False)
    pr = _resolve_prior(prior, mcid, higher_is_better, sd_guess)
    one = x.ndim == 1
    x = np.atleast_2d(x)
    _, n, dbar, ss = _summaries(x)
    if one and n[0] == 0:
        raise ValueError("no complete pair difference to analyse")
    post = _posterior(n, dbar, ss, pr)
    if one and not np.isfinite(post.cdf(0.0)[0]):
        raise ValueError(f"the {pr.name} prior needs at least two pair differences that are "
                         f"not all equal (got {int(n[0])})")
    tail = (1 - credible_level) / 2
    low, high = post.ppf(tail), post.ppf(1 - tail)
    p_gt0, p_lt0 = post.sf(0.0), post.cdf(0.0)
    p_ge, p_le = post.sf(mcid), post.cdf(-mcid)     # P(delta >= mcid), P(delta <= -mcid)
    if higher_is_better:
        benefit, benefit_mcid, harm_mcid = p_gt0, p_ge, p_le
    else:
        benefit, benefit_mcid, harm_mcid = p_lt0, p_le, p_ge
    within = 1.0 - p_ge - p_le

    def out(v: np.ndarray) -> Any:
        return float(v[0]) if one else v

    nan = np.full(n.shape, np.nan)
    if isinstance(post, _TPosterior):
        df, loc, scale = post.df, post.loc, post.scale
        params = dict(prior_m0=pr.m0, prior_k0=pr.k0, prior_a0=pr.a0, prior_b0=pr.b0)
        method = BayesResult.method
    else:
        df = loc = scale = nan
        params = dict(prior_m0=pr.m0, prior_k0=math.nan, prior_a0=math.nan,
                      prior_b0=math.nan, prior_sd=pr.sd)
        method = ("normal model for pair differences (normal prior for the effect, reference "
                  "prior for the variance; posterior by quadrature)")
    return BayesResult(
        estimate=out(post.mean), posterior_sd=out(post.sd), ci_low=out(low),
        ci_high=out(high), credible_level=credible_level, p_benefit=out(benefit),
        p_benefit_mcid=out(benefit_mcid), p_within_mcid=out(within),
        p_harm_mcid=out(harm_mcid), mcid=mcid, higher_is_better=higher_is_better,
        posterior_df=out(df), posterior_loc=out(loc), posterior_scale=out(scale),
        prior=pr.name, n_pairs=int(n[0]) if one else n,
        n_dropped=int(x.shape[-1] - n[0]) if one else x.shape[-1] - n, method=method,
        **params)


def prior_sensitivity(d: Any, *, mcid: float, higher_is_better: bool,
                      priors: Iterable[str | Prior] | None = None,
                      credible_level: float = 0.95,
                      sd_guess: float | None = None) -> pd.DataFrame:
    """The Bayesian analysis under several priors, one row per prior.

    Parameters
    ----------
    d : array_like
        1-D pair differences A - B (NaN = missing pair).
    mcid : float
    higher_is_better : bool
    priors : iterable of str, NormalInverseGammaPrior or NormalEffectPrior, optional
        Default: ``('reference', 'sceptical', 'enthusiastic')`` (current version).
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
    1     sceptical    -0.651      0.981
    2  enthusiastic    -0.801      0.997
    """
    if np.ndim(d) != 1:
        raise ValueError("`d` must be 1-D for a sensitivity table")
    chosen = SENSITIVITY_PRIORS if priors is None else tuple(priors)
    if not chosen:
        raise ValueError("`priors` must name at least one prior")
    rows = [bayes_paired(d, mcid=mcid, higher_is_better=higher_is_better, prior=p,
                         credible_level=credible_level, sd_guess=sd_guess)
            for p in chosen]
    fields = BayesResult._frame_fields
    return pd.DataFrame([[getattr(r, f) for f in fields] for r in rows], columns=list(fields))
