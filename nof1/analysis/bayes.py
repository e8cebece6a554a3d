"""Bayesian analysis of period-level pair differences.

The pair differences d_j = (period mean under A) - (period mean under B) are
modelled as d_j ~ N(delta, sigma^2). Two families of prior are offered:

- :class:`NormalInverseGammaPrior`, the conjugate prior (the reference prior
  p(delta, sigma^2) ∝ 1/sigma^2 is its limit): the posterior of delta is a
  Student t in closed form;
- :class:`EffectPrior`, a Student-t (by default Cauchy) prior for the effect in
  outcome units, independent of the noise, with the scale-free reference prior
  p(sigma^2) ∝ 1/sigma^2 for the variance (the sceptical and enthusiastic
  presets): the posterior of delta is one-dimensional and is computed by
  quadrature.

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

__all__ = ["NormalInverseGammaPrior", "EffectPrior", "BayesResult", "make_prior",
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
class EffectPrior:
    """Effect prior in outcome units, independent of the noise; reference prior for the noise.

    delta ~ Student t with ``df`` degrees of freedom, centre ``m0`` and scale ``scale``
    (``df = 1``: Cauchy; ``df = inf``: normal with SD ``scale``), and
    p(sigma^2) ∝ 1/sigma^2, independently.

    Parameters
    ----------
    m0 : float
        Prior centre of the effect delta (outcome units, A - B).
    scale : float
        Prior scale of delta (outcome units, > 0); the SD when ``df`` is infinite.
    df : float
        Degrees of freedom of the prior (>= 1, or ``math.inf``); default 1 (Cauchy).
    name : str
        Label shown in results.

    Notes
    -----
    A sceptical prior in the sense of Spiegelhalter, Freedman & Parmar (1994):
    centred on no effect, on the scale of the outcome and set from the clinically
    important difference, with no assumption about the size of the noise (the
    variance gets the scale-free Jeffreys prior, so no guess of the SD can make the
    posterior overconfident). Its tails matter because the variance is unknown:
    the likelihood of delta is then a Student-t kernel, and a normal prior, whose
    tails are lighter, wins any conflict with the data — the posterior of a trial
    whose pair differences all show a benefit of 4 MCIDs returns towards the prior
    as the observed benefit grows (O'Hagan 1979). A Cauchy prior has heavier tails
    than the likelihood of 3 or more pairs, so the data win when they disagree
    clearly with the prior, while the prior still pulls small and noisy effects
    towards no effect (robust sceptical priors: Fúquene, Cook & Pericchi 2009;
    O'Hagan & Pericchi 2012). With n >= 2 pair differences that are not all equal
    the posterior is proper; the marginal posterior of delta is

        p(delta | d) ∝ prior(delta) · [S + n (d̄ − delta)^2]^(−n/2)

    (S = Σ (d_j − d̄)^2), computed by :func:`bayes_paired` by quadrature.

    References
    ----------
    .. [1] Spiegelhalter DJ, Freedman LS, Parmar MKB (1994). Bayesian approaches
       to randomized trials. JRSS A 157:357-416.
    .. [2] O'Hagan A (1979). On outlier rejection phenomena in Bayes inference.
       JRSS B 41:358-367.
    .. [3] Fúquene JA, Cook JD, Pericchi LR (2009). A case for robust Bayesian
       priors with applications to clinical trials. Bayesian Analysis 4:817-846.
    .. [4] O'Hagan A, Pericchi LR (2012). Bayesian heavy-tailed models and
       conflict resolution: a review. Braz J Probab Stat 26:372-401.

    Examples
    --------
    >>> from nof1.analysis import EffectPrior
    >>> EffectPrior(m0=0.0, scale=2 / 3, name="sceptical").to_dict()["family"]
    'Student-t effect (df = 1: Cauchy), reference prior for the variance'
    """

    m0: float
    scale: float
    df: float = 1.0
    name: str = "custom"

    def __post_init__(self) -> None:
        check_float(self.m0, "m0")
        check_float(self.scale, "scale", minimum=0.0, inclusive=False)
        if isinstance(self.df, bool) or not isinstance(self.df, int | float) or not (
                self.df >= 1):
            raise ValueError(f"`df` must be a number >= 1 or math.inf, got {self.df!r}")
        if not isinstance(self.name, str):
            raise TypeError("`name` must be a string")

    proper = False  # the variance prior is improper (the posterior is proper, n >= 2)

    @property
    def delta_scale(self) -> float:
        """Prior scale of delta."""
        return float(self.scale)

    def to_dict(self) -> dict[str, Any]:
        """The full specification, as a protocol stores it (JSON-friendly)."""
        return {"family": "Student-t effect (df = 1: Cauchy), reference prior for the variance",
                "m0": float(self.m0), "effect_scale": float(self.scale),
                "effect_df": float(self.df) if math.isfinite(self.df) else "inf",
                "variance": "p(sigma^2) ∝ 1/sigma^2"}


Prior = NormalInverseGammaPrior | EffectPrior


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
    NormalInverseGammaPrior or EffectPrior

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

    ``sceptical`` (version 2) is an :class:`EffectPrior`: the effect delta has
    a Cauchy prior centred on no effect with scale MCID/1.5 in outcome units,
    independent of the noise, and the variance the reference prior
    p(sigma^2) ∝ 1/sigma^2. A Cauchy is a normal N(0, (MCID/1.5)^2/w) whose
    precision weight w ~ Gamma(1/2, 1/2) is itself uncertain, so this keeps the
    toolkit's convention of a prior spread of MCID/1.5 (``docs/methods.md`` §2.5;
    the marginal prior of the effect is the same Cauchy as the version-1 prior's
    at sd_guess = MCID, 63% of its mass within ±MCID) while removing the two
    faults of version 1: its spread no longer grows with the noise, and no guess
    of the SD enters. The heavy tails are deliberate: with an unknown variance a
    normal effect prior would overrule clear data (see :class:`EffectPrior`).
    ``enthusiastic`` is the same centred on a benefit of one MCID (m0 = -MCID when
    lower is better, +MCID when higher is better). Being scale-free in sigma,
    the sceptical prior keeps the decision rule calibrated when pair differences
    vary more (or less) than the MCID (see :class:`nof1.analysis.DecisionRule`
    and ``tests/test_bayes_calibration.py``). Being sceptical, its credible
    interval is pulled towards no effect: it covers true effects within
    ±MCID/2 at least 94% of the time over sigma/MCID 0.25-4 and 3-12 pairs, but
    undercovers larger true effects when the noise is about the MCID or more; it
    is not meant as a confidence interval.

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
    .. [5] Fúquene JA, Cook JD, Pericchi LR (2009). A case for robust Bayesian
       priors with applications to clinical trials. Bayesian Analysis 4:817-846.

    Examples
    --------
    >>> from nof1.analysis import make_prior
    >>> make_prior("sceptical", mcid=1.5, higher_is_better=False)
    EffectPrior(m0=0.0, scale=1.0, df=1.0, name='sceptical')
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
        return EffectPrior(centre, mcid / SCEPTICAL_DIVISOR, name=name)
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
        priors; NaN for a :class:`EffectPrior`, whose posterior is not a t).
    prior : str
        Name of the prior.
    prior_m0, prior_k0, prior_a0, prior_b0 : float
        Parameters of a normal-inverse-gamma prior (``prior_m0`` is the prior
        centre of either family; the others are NaN for a EffectPrior).
    prior_scale, prior_df : float
        Scale and degrees of freedom of an :class:`EffectPrior` (NaN otherwise).
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
    prior_scale: float = math.nan
    prior_df: float = math.nan

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "estimate", "posterior_sd", "ci_low", "ci_high", "credible_level", "p_benefit",
        "p_benefit_mcid", "p_within_mcid", "p_harm_mcid", "mcid", "higher_is_better",
        "posterior_df", "posterior_loc", "posterior_scale", "prior", "prior_m0", "prior_k0",
        "prior_a0", "prior_b0", "prior_scale", "prior_df", "n_pairs", "n_dropped", "method")

    def summary(self) -> str:
        better = "higher" if self.higher_is_better else "lower"
        if math.isfinite(self.prior_scale):
            spec = (f"delta ~ t_{self.prior_df:g}(centre {self.prior_m0:g}, scale "
                    f"{self.prior_scale:.4g}), p(sigma^2) ∝ 1/sigma^2")
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
    if isinstance(prior, NormalInverseGammaPrior | EffectPrior):
        return prior
    if isinstance(prior, str):
        return make_prior(prior, mcid=mcid, higher_is_better=higher_is_better,
                          sd_guess=sd_guess, version=version)
    raise TypeError("`prior` must be a preset name "
                    f"({', '.join(repr(p) for p in PRIOR_PRESETS)}), a NormalInverseGammaPrior "
                    "or an EffectPrior")


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
        df = self.df
        if df.size > 64:  # a batch shares few df: the (slow) t quantile once per value
            u, inv = np.unique(df, return_inverse=True)
            t = special.stdtrit(u, q)[inv.reshape(df.shape)]
        else:
            t = special.stdtrit(df, q)
        return self.loc + self.scale * t

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


#: breakpoints of the quadrature panels, in units of each bump's scale on either side of
#: its centre (a geometric ladder out to 2^10 scales), and the Gauss-Legendre rule per panel
_LADDER = np.concatenate([[0.0], 2.0 ** np.arange(-1, 11), -(2.0 ** np.arange(-1, 11))])
_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)


class _PanelPosterior:
    """Posterior of delta under an :class:`EffectPrior`, by panel quadrature over delta.

    The unnormalised density is prior(delta) · [1 + (delta − d̄)² / (nu se²)]^(−n/2)
    (nu = n − 1, se² = S / (n nu)): a bump of width about se at d̄ and one of width
    about the prior scale at m0, possibly far apart. The panels run between
    breakpoints on a geometric ladder around each centre in units of its own width,
    plus the points where probabilities are wanted, so that every panel is narrow
    compared with its distance to the nearest singularity of the integrand and
    8-point Gauss-Legendre is accurate to about 1e-10; beyond the outermost
    breakpoints, where the density falls like |delta|^-(n+1) or faster, the tails are
    integrated after the substitution delta = b + L x / (1 − x). Probabilities at the
    wanted points are sums of whole panels; quantiles are found by Newton steps inside
    the panel that holds them.
    """

    def __init__(self, n: np.ndarray, dbar: np.ndarray, ss: np.ndarray, pr: EffectPrior,
                 cuts: tuple[float, ...], m0: np.ndarray | None = None) -> None:
        # m0: a prior centre per row (rows that differ only in the prior's centre), else pr's
        self.valid = (n >= 2) & (ss > 0)
        # all differences equal: the posterior is the limit as S -> 0, a point mass at d̄
        self.point = (n >= 2) & (ss == 0)
        self.at = dbar
        self.pr = pr
        rows = n.size
        idx = np.flatnonzero(self.valid)
        self.idx = idx
        self.m0 = pr.m0 if m0 is None else np.asarray(m0, dtype=float)[idx]
        centre = self.m0 if m0 is None else self.m0[:, None]
        nv = n[idx].astype(float)
        self.n = nv
        self.dbar = dbar[idx]
        self.se2nu = ss[idx] / nv                          # nu se² = S / n
        se = np.sqrt(self.se2nu / (nv - 1))
        pts = np.concatenate([self.dbar[:, None] + se[:, None] * _LADDER,
                              centre + pr.scale * np.broadcast_to(_LADDER, (idx.size,
                                                                            _LADDER.size)),
                              np.broadcast_to(np.asarray(cuts, float), (idx.size, len(cuts)))],
                             axis=1)
        b = np.sort(pts, axis=1)
        self.b = b
        half = 0.5 * np.diff(b, axis=1)                    # (r, P)
        mid = 0.5 * (b[:, 1:] + b[:, :-1])
        x = mid[..., None] + half[..., None] * _GL_X         # (r, P, 8)
        span = np.maximum(b[:, -1] - b[:, 0], 1e-300)
        u = 0.5 * (_GL_X + 1)                              # (8,) in (0, 1)
        xr = b[:, -1:] + span[:, None] * u / (1 - u)         # right tail nodes
        xl = b[:, :1] - span[:, None] * u / (1 - u)
        jac = span[:, None] / (1 - u) ** 2 * 0.5 * _GL_W   # tail weights
        logs = [self._logf(x), self._logf(xr), self._logf(xl)]
        top = np.maximum(np.max(logs[0], axis=(1, 2)),
                         np.maximum(logs[1].max(axis=1), logs[2].max(axis=1)))
        self.top = top
        f = np.exp(logs[0] - top[:, None, None])
        self.x, self.half = x, half
        self.wf = f * _GL_W * half[..., None]               # (r, P, 8)
        panel = self.wf.sum(axis=2)
        right = (np.exp(logs[1] - top[:, None]) * jac).sum(axis=1)
        left = (np.exp(logs[2] - top[:, None]) * jac).sum(axis=1)
        self.z = left + panel.sum(axis=1) + right
        self.left = left
        self.cum = left[:, None] + np.cumsum(panel, axis=1)   # mass up to each b[:, 1:]
        self.panel = panel
        self.tails = (xl, xr, np.exp(logs[2] - top[:, None]) * jac,
                      np.exp(logs[1] - top[:, None]) * jac)
        self.rows = rows

    def _logf(self, x: np.ndarray) -> np.ndarray:
        pr = self.pr
        shape = (-1,) + (1,) * (x.ndim - 1)
        m0 = self.m0 if np.ndim(self.m0) == 0 else self.m0.reshape(shape)
        t = (x - m0) / pr.scale
        if math.isinf(pr.df):
            logp = -0.5 * t * t
        else:
            logp = -0.5 * (pr.df + 1) * np.log1p(t * t / pr.df)
        r = (x - self.dbar.reshape(shape)) ** 2 / self.se2nu.reshape(shape)
        return logp - 0.5 * self.n.reshape(shape) * np.log1p(r)

    def _full(self, v: Any, point: Any) -> np.ndarray:
        out = np.full(self.rows, np.nan)
        out[self.point] = np.broadcast_to(point, self.rows)[self.point]
        if self.idx.size:
            out[self.idx] = v()
        return out

    def cdf(self, c: float) -> np.ndarray:
        """P(delta <= c) (a point mass at c counts half, as the limit of a symmetric spread)."""
        return self._full(lambda: (self.left + (self.panel * (self.b[:, 1:] <= c)).sum(axis=1))
                          / self.z, (self.at < c) + 0.5 * (self.at == c))

    def sf(self, c: float) -> np.ndarray:
        return self._full(lambda: (self.tails[3].sum(axis=1)
                                   + (self.panel * (self.b[:, :-1] >= c)).sum(axis=1)) / self.z,
                          (self.at > c) + 0.5 * (self.at == c))

    def _moment(self, k: int) -> np.ndarray:
        xl, xr, wl, wr = self.tails
        return ((self.wf * self.x ** k).sum(axis=(1, 2)) + (wl * xl ** k).sum(axis=1)
                + (wr * xr ** k).sum(axis=1)) / self.z

    @property
    def mean(self) -> np.ndarray:
        return self._full(lambda: self._moment(1), self.at)

    @property
    def sd(self) -> np.ndarray:
        def value() -> np.ndarray:
            m = self._moment(1)
            return np.sqrt(np.maximum(self._moment(2) - m * m, 0.0))
        return self._full(value, 0.0)

    def ppf(self, q: float) -> np.ndarray:
        """Quantile: the panel that holds it, then Newton steps on the partial integral."""
        return self.ppfs((q,))[0]

    def ppfs(self, qs: tuple[float, ...]) -> list[np.ndarray]:
        """Several quantiles at once (one Newton loop over rows × quantiles)."""
        m = self.idx.size
        if not m:
            return [self._full(None, self.at) for _ in qs]
        r = np.tile(np.arange(m), len(qs))
        x = self._ppf(r, np.repeat(np.asarray(qs, dtype=float), m), len(qs))
        return [self._full(lambda i=i: x[i * m:(i + 1) * m], self.at) for i in range(len(qs))]

    def _ppf(self, r: np.ndarray, q: np.ndarray, nq: int) -> np.ndarray:
        # r: rows, tiled nq times. Each row iterates until all its nq quantiles have
        # converged and then stays, so that every row gets what it gets on its own.
        target = q * self.z[r]
        cum = self.cum[r]
        p = np.minimum((cum < target[:, None]).sum(axis=1), self.panel.shape[1] - 1)
        j = np.arange(r.size)
        a, bb = self.b[r, p], self.b[r, p + 1]
        need = target - np.where(p > 0, cum[j, np.maximum(p - 1, 0)], self.left[r])
        frac = np.clip(need / np.maximum(self.panel[r, p], 1e-300), 0.0, 1.0)
        x = a + (bb - a) * frac
        lo, hi = a.copy(), bb.copy()
        top = self.top[r]
        tol = 1e-11 * (bb - a)
        still = np.ones(r.size, dtype=bool)
        for _ in range(40):
            h = 0.5 * (x - a)
            nodes = np.concatenate([(a + h)[:, None] + h[:, None] * _GL_X, x[:, None]], axis=1)
            f = np.exp(self._rows_logf(nodes, r) - top[:, None])
            err = (f[:, :-1] * _GL_W).sum(axis=1) * h - need
            lo = np.where(err < 0, x, lo)
            hi = np.where(err > 0, x, hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = err / f[:, -1]
            nxt = x - step
            inside = (nxt >= lo) & (nxt <= hi)
            done = inside & (np.abs(step) <= tol)
            x = np.where(still, np.where(inside, nxt, 0.5 * (lo + hi)), x)
            still &= ~np.tile(done.reshape(nq, -1).all(axis=0), nq)
            if not still.any():
                break
        return x

    def _rows_logf(self, x: np.ndarray, r: np.ndarray) -> np.ndarray:
        pr = self.pr
        t = (x - (self.m0 if np.ndim(self.m0) == 0 else self.m0[r, None])) / pr.scale
        if math.isinf(pr.df):
            logp = -0.5 * t * t
        else:
            logp = -0.5 * (pr.df + 1) * np.log1p(t * t / pr.df)
        rr = (x - self.dbar[r, None]) ** 2 / self.se2nu[r, None]
        return logp - 0.5 * self.n[r, None] * np.log1p(rr)


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


def _posterior(n: np.ndarray, dbar: np.ndarray, ss: np.ndarray, pr: Prior,
               cuts: tuple[float, ...] = ()) -> _TPosterior | _PanelPosterior:
    if isinstance(pr, EffectPrior):
        return _PanelPosterior(n, dbar, ss, pr, cuts)
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
    post = _posterior(n, dbar, ss, prior, cuts=(-mcid, 0.0, mcid))
    if higher_is_better:
        return post.sf(mcid), post.sf(0.0), n
    return post.cdf(-mcid), post.cdf(0.0), n


#: the fast decision path (:func:`benefit_verdicts`) answers a threshold question itself only
#: when its probability is further than this from the threshold; closer rows get the full
#: panel quadrature. ``tests/test_bayes.py`` shows the fast path's error below 1e-5 on the
#: rows it covers over 3-80 pairs, data SD 1e-3 to 1e7 and mean effects up to 1e6 times
#: the prior scale (observed maximum about 1e-6).
FAST_MARGIN = 1e-3
#: geometric ladder around the peak of the prior factor, in units of its half-width
_FAST_LADDER = (1.0, 4.0, 16.0)
#: rows whose prior factor is narrower than this (radians of theta; the prior's scale
#: about 1e-4 of the data's or less) have Cauchy tails that reach past the ladder: the full
#: quadrature computes them
_FAST_MIN_WIDTH = 0.01
#: breakpoints of the likelihood factor cos^n(theta), in units of 1/sqrt(n)
_FAST_LIK = (2.0, 5.0)
_FAST_X, _FAST_W = np.polynomial.legendre.leggauss(8)
#: rows per block of the fast quadrature
_FAST_BLOCK = 256


def _ipow(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """x ** n for row-wise whole n (by squaring when every row has the same n)."""
    if n.size and np.all(n == n[0]):  # (n varies along the last axis of x otherwise)
        k, out, base = int(n[0]), None, x
        while True:
            if k & 1:
                out = base.copy() if out is None else np.multiply(out, base, out=out)
            k >>= 1
            if not k:
                return np.ones_like(x) if out is None else out
            base = base * base
    return x ** n


def _cauchy_cdfs(n: np.ndarray, dbar: np.ndarray, ss: np.ndarray, m0: float, scale: float,
                 cuts: tuple[float, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    """P(delta <= c) for each cut under a Cauchy effect prior, by a cheaper quadrature.

    With A = S/n and delta = d̄ + sqrt(A) tan(theta), the likelihood factor
    [1 + (delta − d̄)²/A]^(−n/2) becomes cos^n(theta) and the posterior density in
    theta on (−pi/2, pi/2) is ∝ cos^n(theta) / D(theta) with
    D = scale² cos² + ((d̄ − m0) cos + sqrt(A) sin)², which has no singularity on the
    real line (its nearest complex zeros, a distance w from its minimum, fix the panel
    ladder). The substitution tau = tan(theta/2) turns every node into rational
    arithmetic and one whole power. 8-point Gauss-Legendre panels run between the
    cuts, 0, ±2 and ±5 widths of cos^n and the minimum of D ± (1, 4, 16) w. Valid rows
    only (n >= 3, S > 0). Returns the CDFs at the cuts and whether the row is covered
    (a finite, positive normalising constant and a prior factor at least
    ``_FAST_MIN_WIDTH`` wide: narrower ones have Cauchy tails beyond the ladder).
    """
    nf = n.astype(float)
    a = ss / nf
    r = np.sqrt(a)
    a0 = dbar - m0
    s2 = scale * scale
    al = 0.5 * (s2 + a0 * a0 + a)
    be = 0.5 * (s2 + a0 * a0 - a)
    ga = a0 * r
    q = np.hypot(be, ga)
    with np.errstate(divide="ignore", invalid="ignore"):
        # D = al + q cos(2 theta - psi): minimum al - q = a s² / (al + q) (no cancellation)
        w = np.arcsinh(np.sqrt(a * s2 / (al + q) / (2.0 * q)))
    half = 0.5 * np.pi
    th_d = 0.5 * (np.arctan2(ga, be) + np.pi)
    th_d = np.where(th_d > half, th_d - np.pi, th_d)
    th_cut = [np.arctan2(c - dbar, r) for c in cuts]
    root = 1.0 / np.sqrt(nf)
    pts = [np.full_like(r, -half), np.zeros_like(r), np.full_like(r, half), th_d, *th_cut]
    pts += [th_d + sign * k * w for k in _FAST_LADDER for sign in (-1.0, 1.0)]
    pts += [sign * k * root for k in _FAST_LIK for sign in (-1.0, 1.0)]
    th = np.clip(np.stack(pts, axis=1), -half, half)
    th = np.where(np.isnan(th), 0.0, th)            # no ladder where D is constant
    b = np.sort(np.tan(0.5 * th), axis=1)           # tau breakpoints in [-1, 1]
    h = 0.5 * np.diff(b, axis=1)
    mid = 0.5 * (b[:, 1:] + b[:, :-1])
    panel = np.empty_like(h)
    # nodes laid out (panel, node, row) so that every operation runs along the rows
    xs = _FAST_X[None, :, None]
    ca, cr = a0 / scale, 2.0 * r / scale
    tiny = np.power(1e-280, 1.0 / nf)               # cos below this: cos^n under 1e-280
    for lo in range(0, r.size, _FAST_BLOCK):      # blocks that stay in cache
        sl = slice(lo, lo + _FAST_BLOCK)
        tau = h[sl].T[:, None, :] * xs
        tau += mid[sl].T[:, None, :]
        qq = tau * tau                              # tau² ...
        p = 1.0 - qq                                # cos = p / qq, dtheta = 2 dtau / qq
        qq += 1.0
        u = p * ca[sl]
        tau *= cr[sl]
        u += tau
        u *= u
        den = p * p
        den += u                                    # p² + u², u = ((d̄ − m0) p + 2 r tau) / scale
        p /= qq
        p[p < tiny[sl]] = 0.0                       # no subnormal numbers (slow) in the power
        f = _ipow(p, n[sl])
        f *= qq
        f /= den                                    # (p/qq)^n qq / (p² + u²)
        panel[sl] = np.tensordot(_FAST_W, f, axes=(0, 1)).T
    panel *= h
    z = panel.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = [(panel * (b[:, 1:] <= np.tan(0.5 * t)[:, None])).sum(axis=1) / z
               for t in th_cut]
    return out, np.isfinite(z) & (z > 0) & (w >= _FAST_MIN_WIDTH)


def benefit_verdicts(d: Any, prior: Prior, *, mcid: float, higher_is_better: bool,
                     probability_threshold: float, no_benefit_threshold: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of a 2-D batch: is P(benefit >= MCID) >= a threshold, is P(benefit) < another?

    The decision-only path of :meth:`nof1.analysis.DecisionRule.verdicts` (and so of
    :func:`nof1.simulate_power`): the answers are those of :func:`posterior_benefit`
    (the same posterior), but under a Cauchy effect prior (the sceptical and
    enthusiastic presets) the probabilities come from a cheaper quadrature
    (:func:`_cauchy_cdfs`, about a third of the nodes and no transcendental function
    per node), and only rows whose fast probability lies within :data:`FAST_MARGIN` of
    a threshold, or that it does not cover (fewer than three pairs, all equal, or a prior
    far narrower than the spread of the data or far from them), are computed by the full
    panel quadrature. Other priors use :func:`posterior_benefit`.

    Returns
    -------
    met, no_benefit, evaluable : numpy.ndarray of bool
        ``P(benefit >= MCID) >= probability_threshold``,
        ``P(benefit) < no_benefit_threshold``, and whether the posterior is proper.
    """
    x = np.atleast_2d(_as_batch(d))
    cuts = (mcid, 0.0) if higher_is_better else (-mcid, 0.0)
    if not (isinstance(prior, EffectPrior) and prior.df == 1):
        p_mcid, p_any, n = posterior_benefit(x, prior, mcid=mcid,
                                             higher_is_better=higher_is_better)
        ok = (n >= 2) & np.isfinite(p_mcid) & np.isfinite(p_any)
        with np.errstate(invalid="ignore"):
            return ok & (p_mcid >= probability_threshold), ok & (
                p_any < no_benefit_threshold), ok
    _, n, dbar, ss = _summaries(x)
    fast = np.flatnonzero((n >= 3) & (ss > 0))
    p_mcid = np.full(n.shape, np.nan)
    p_any = np.full(n.shape, np.nan)
    if fast.size:
        (c_mcid, c_any), covered = _cauchy_cdfs(n[fast], dbar[fast], ss[fast], prior.m0,
                                                prior.scale, cuts)
        if higher_is_better:
            c_mcid, c_any = 1.0 - c_mcid, 1.0 - c_any
        with np.errstate(invalid="ignore"):
            sure = covered & (np.abs(c_mcid - probability_threshold) > FAST_MARGIN)
            sure &= np.abs(c_any - no_benefit_threshold) > FAST_MARGIN
        p_mcid[fast[sure]] = c_mcid[sure]
        p_any[fast[sure]] = c_any[sure]
        done = np.zeros(n.shape, dtype=bool)
        done[fast[sure]] = True
    else:
        done = np.zeros(n.shape, dtype=bool)
    rest = np.flatnonzero(~done)
    if rest.size:
        p_mcid[rest], p_any[rest], _ = posterior_benefit(
            x[rest], prior, mcid=mcid, higher_is_better=higher_is_better)
    ok = (n >= 2) & np.isfinite(p_mcid) & np.isfinite(p_any)
    with np.errstate(invalid="ignore"):
        return ok & (p_mcid >= probability_threshold), ok & (
            p_any < no_benefit_threshold), ok


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
    prior : str, NormalInverseGammaPrior or EffectPrior
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

    *Effect prior* delta ~ t_df(m0, scale), p(sigma^2) ∝ 1/sigma^2
    (:class:`EffectPrior`): the marginal posterior of delta is
    ∝ prior(delta) · [S + n(d̄ − delta)^2]^(−n/2), a one-dimensional density
    with no closed form. It is integrated over delta by 8-point Gauss-Legendre
    panels between breakpoints on geometric ladders around d̄ and m0, in units
    of the width of each (and at ±MCID and 0, so that the probabilities are
    sums of whole panels), with the tails mapped to finite intervals; relative
    error about 1e-9 against adaptive quadrature and Gibbs sampling
    (``tests/test_bayes.py``). It needs n >= 2 differences; when they are all
    equal the posterior is its limit as S -> 0, a point mass at their common
    value (a probability at exactly that value counts one half).

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
    (-0.659, 0.097)
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
    post = _posterior(n, dbar, ss, pr, cuts=(-mcid, 0.0, mcid))
    if one and not np.isfinite(post.cdf(0.0)[0]):
        raise ValueError(f"the {pr.name} prior needs at least two pair differences that are "
                         f"not all equal (got {int(n[0])})")
    fields = _posterior_fields(post, n, x.shape[-1], mcid, higher_is_better, credible_level)
    if one:
        fields = {k: (int(v[0]) if k in ("n_pairs", "n_dropped") else float(v[0]))
                  for k, v in fields.items()}
    return BayesResult(credible_level=credible_level, mcid=mcid,
                       higher_is_better=higher_is_better, **fields, **_prior_fields(pr))


def _posterior_fields(post: _TPosterior | _PanelPosterior, n: np.ndarray, width: int,
                      mcid: float, higher_is_better: bool,
                      credible_level: float) -> dict[str, np.ndarray]:
    """The per-row fields of :class:`BayesResult` from a posterior (arrays)."""
    low, high = _interval(post, credible_level)
    p_gt0, p_lt0 = post.sf(0.0), post.cdf(0.0)
    p_ge, p_le = post.sf(mcid), post.cdf(-mcid)     # P(delta >= mcid), P(delta <= -mcid)
    if higher_is_better:
        benefit, benefit_mcid, harm_mcid = p_gt0, p_ge, p_le
    else:
        benefit, benefit_mcid, harm_mcid = p_lt0, p_le, p_ge
    if isinstance(post, _TPosterior):
        df, loc, scale = post.df, post.loc, post.scale
    else:
        df = loc = scale = np.full(n.shape, np.nan)
    return dict(estimate=post.mean, posterior_sd=post.sd, ci_low=low, ci_high=high,
                p_benefit=benefit, p_benefit_mcid=benefit_mcid,
                p_within_mcid=1.0 - p_ge - p_le, p_harm_mcid=harm_mcid, posterior_df=df,
                posterior_loc=loc, posterior_scale=scale, n_pairs=n, n_dropped=width - n)


def _prior_fields(pr: Prior) -> dict[str, Any]:
    """The prior's fields of :class:`BayesResult`."""
    if isinstance(pr, NormalInverseGammaPrior):
        return dict(prior=pr.name, prior_m0=pr.m0, prior_k0=pr.k0, prior_a0=pr.a0,
                    prior_b0=pr.b0, method=BayesResult.method)
    return dict(prior=pr.name, prior_m0=pr.m0, prior_k0=math.nan, prior_a0=math.nan,
                prior_b0=math.nan, prior_scale=pr.scale, prior_df=float(pr.df),
                method=("normal model for pair differences (Student-t prior for the effect, "
                        "reference prior for the variance; posterior by quadrature)"))


def _interval(post: _TPosterior | _PanelPosterior,
              credible_level: float) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - credible_level) / 2
    if isinstance(post, _PanelPosterior):
        low, high = post.ppfs((tail, 1 - tail))
        return low, high
    return post.ppf(tail), post.ppf(1 - tail)


def credible_interval(d: Any, *, mcid: float, higher_is_better: bool,
                      prior: str | Prior = DEFAULT_PRIOR, credible_level: float = 0.95
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The equal-tailed credible interval of :func:`bayes_paired` alone, per row of a batch.

    The same numbers as ``bayes_paired(d, ...).ci_low`` and ``.ci_high`` (NaN where the
    posterior is improper), without the probabilities and moments (for
    :func:`nof1.simulate_power`).

    Examples
    --------
    >>> import numpy as np
    >>> from nof1.analysis.bayes import credible_interval
    >>> d = np.random.default_rng(1).normal(-1.0, 1.0, size=(3, 6))
    >>> low, high = credible_interval(d, mcid=1.0, higher_is_better=False)
    >>> res = bayes_paired(d, mcid=1.0, higher_is_better=False)
    >>> bool((low == res.ci_low).all() and (high == res.ci_high).all())
    True
    """
    x = np.atleast_2d(_as_batch(d))
    credible_level = check_float(credible_level, "credible_level", minimum=0.0, maximum=1.0,
                                 inclusive=False)
    pr = _resolve_prior(prior, mcid, higher_is_better, None)
    _, n, dbar, ss = _summaries(x)
    return _interval(_posterior(n, dbar, ss, pr, cuts=(-mcid, 0.0, mcid)), credible_level)


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
    priors : iterable of str, NormalInverseGammaPrior or EffectPrior, optional
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
    1     sceptical    -0.659      0.980
    2  enthusiastic    -0.810      0.997
    """
    return sensitivity_frame(prior_sensitivity_columns(
        d, mcid=mcid, higher_is_better=higher_is_better, priors=priors,
        credible_level=credible_level, sd_guess=sd_guess))


def sensitivity_frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """The :func:`prior_sensitivity` table of :func:`prior_sensitivity_columns`."""
    return pd.DataFrame(columns)


def prior_sensitivity_columns(d: Any, *, mcid: float, higher_is_better: bool,
                              priors: Iterable[str | Prior] | None = None,
                              credible_level: float = 0.95,
                              sd_guess: float | None = None) -> dict[str, list[Any]]:
    """The numbers of :func:`prior_sensitivity`, column by column, without the frame
    (``analyze`` builds the frame when the table is first read)."""
    if np.ndim(d) != 1:
        raise ValueError("`d` must be 1-D for a sensitivity table")
    chosen = SENSITIVITY_PRIORS if priors is None else tuple(priors)
    if not chosen:
        raise ValueError("`priors` must name at least one prior")
    x = _as_batch(d)                      # the checks of bayes_paired, in its order
    mcid = check_float(mcid, "mcid", minimum=0.0, inclusive=False)
    if not isinstance(higher_is_better, bool):
        raise TypeError("`higher_is_better` must be True or False")
    credible_level = check_float(credible_level, "credible_level", minimum=0.0, maximum=1.0,
                                 inclusive=False)
    _, n, dbar, ss = _summaries(x[None])
    rows: list[dict[str, Any] | None] = [None] * len(chosen)
    # effect priors that differ only in their centre share one panel quadrature (one row
    # per prior, each computed as it is alone); they are proper from two pairs on
    groups: dict[tuple[float, float], list[tuple[int, EffectPrior]]] = {}
    for i, p in enumerate(chosen):
        pr = _resolve_prior(p, mcid, higher_is_better, sd_guess)
        if isinstance(pr, EffectPrior) and n[0] >= 2:
            groups.setdefault((pr.scale, pr.df), []).append((i, pr))
        else:
            res = bayes_paired(x, mcid=mcid, higher_is_better=higher_is_better, prior=pr,
                               credible_level=credible_level)
            rows[i] = {f: getattr(res, f) for f in BayesResult._frame_fields}
    for members in groups.values():
        m = len(members)
        post = _PanelPosterior(np.repeat(n, m), np.repeat(dbar, m), np.repeat(ss, m),
                               members[0][1], (-mcid, 0.0, mcid),
                               m0=np.array([pr.m0 for _, pr in members]))
        fields = _posterior_fields(post, np.repeat(n, m), x.size, mcid, higher_is_better,
                                   credible_level)
        for j, (i, pr) in enumerate(members):
            row = {k: (int(v[j]) if k in ("n_pairs", "n_dropped") else float(v[j]))
                   for k, v in fields.items()}
            rows[i] = {"credible_level": credible_level, "mcid": mcid,
                       "higher_is_better": higher_is_better, **row, **_prior_fields(pr)}
    return {f: [r[f] for r in rows] for f in BayesResult._frame_fields}
