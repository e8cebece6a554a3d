"""Effect sizes for a personal trial: raw difference, percent change, within-person SMD, NAP.

Prefer the raw difference in outcome units, compared with the outcome's
minimal clinically important difference; the standardized and non-overlap
indices are provided for comparison with the single-case literature
(``docs/methods.md`` §2.8) and share its caveats: their standard errors
assume independent observations, which daily diary scores are not.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from scipy import optimize, special

from .._results import ResultMixin
from .._validation import check_choice, check_confidence_level
from .period import _as_pairs, paired_period_test

__all__ = ["EffectSizeResult", "mean_difference", "percent_change", "within_person_smd", "nap"]


@dataclasses.dataclass(frozen=True)
class EffectSizeResult(ResultMixin):
    """One effect size with its interval.

    Attributes
    ----------
    measure : str
        'mean_difference', 'percent_change', 'smd_pooled', 'smd_control' or 'nap'.
    estimate : float
    se : float
        Standard error (NaN where the interval is not built from one).
    ci_low, ci_high : float
    confidence_level : float
    n_a, n_b : int
        Observations used under A (treatment) and B (control); pairs for the
        paired measures.
    method : str
        How the estimate and interval were computed, with caveats.
    """

    measure: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    confidence_level: float
    n_a: int
    n_b: int
    method: str

    def summary(self) -> str:
        pct = f"{100 * self.confidence_level:g}%"
        return "\n".join([
            f"{self.measure}: {self.estimate:.4g} ({pct} CI {self.ci_low:.4g} to "
            f"{self.ci_high:.4g}); n_a = {self.n_a}, n_b = {self.n_b}",
            f"method: {self.method}",
            "This is an estimate with its interval, not a test: no null hypothesis is tested.",
        ])


def _sample(x: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be array-like of numbers") from exc
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D; got ndim={arr.ndim}")
    if np.isinf(arr).any():
        raise ValueError(f"`{name}` must be finite (NaN marks a missing value)")
    return arr[~np.isnan(arr)]


def _complete_pairs(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_pairs(a, b)
    if a.ndim != 1:
        raise ValueError("`a` and `b` must be 1-D (one period mean per pair)")
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 2:
        raise ValueError(f"at least 2 complete pairs are needed; got {int(ok.sum())}")
    return a[ok], b[ok]


def mean_difference(a: Any, b: Any, *, confidence_level: float = 0.95) -> EffectSizeResult:
    """Mean pair difference A - B of period means, with its paired-t interval.

    Parameters
    ----------
    a, b : array_like
        1-D period means of condition A (treatment) and B (control), one per
        pair; pairs with a NaN are dropped.
    confidence_level : float

    Returns
    -------
    EffectSizeResult
        ``measure='mean_difference'``, in outcome units.

    Raises
    ------
    ValueError
        Fewer than 2 complete pairs, or bad shapes.

    Notes
    -----
    estimate = mean(a_j - b_j), CI = estimate ± t_{k-1} · sd(d)/√k, exactly as
    in :func:`nof1.analysis.paired_period_test` (two-sided interval).

    Examples
    --------
    >>> from nof1.analysis import mean_difference
    >>> res = mean_difference([4.1, 3.8, 4.5, 3.9], [5.0, 4.6, 4.9, 5.2])
    >>> round(res.estimate, 3), round(res.ci_low, 3), round(res.ci_high, 3)
    (-0.85, -1.438, -0.262)
    """
    res = paired_period_test(a, b, confidence_level=confidence_level)
    return EffectSizeResult(
        measure="mean_difference", estimate=float(res.estimate), se=float(res.se),
        ci_low=float(res.ci_low), ci_high=float(res.ci_high),
        confidence_level=res.confidence_level, n_a=res.n_pairs, n_b=res.n_pairs,
        method="mean of pair differences of period means, A - B, paired t interval")


def percent_change(a: Any, b: Any, *, method: str = "fieller",
                   confidence_level: float = 0.95) -> EffectSizeResult:
    """Percent change from control: 100 (mean A - mean B) / mean B over complete pairs.

    Parameters
    ----------
    a, b : array_like
        1-D period means of condition A (treatment) and B (control), one per
        pair; pairs with a NaN are dropped. Scores must be on a ratio-like
        scale with a positive control mean (e.g. 0-10 symptom ratings).
    method : {'fieller', 'delta'}
        How to build the interval (see Notes).
    confidence_level : float

    Returns
    -------
    EffectSizeResult
        ``measure='percent_change'``; ``se`` is the delta-method standard
        error of the percentage in both cases.

    Raises
    ------
    ValueError
        Fewer than 2 complete pairs, a control mean <= 0, or bad arguments.

    Notes
    -----
    With R = ā / b̄ over the k complete pairs, the estimate is 100 (R - 1).

    *Fieller* (default): the interval is the set of ratios r for which the
    paired t-test of a_j - r·b_j = 0 is not rejected, i.e. the roots of
    (ā - r b̄)² = (t²/k) (s_aa - 2 r s_ab + r² s_bb) with t = t_{k-1, 1-α/2}
    and s the sample (co)variances of the pairs. It is exact under normality
    of the pairs and accounts for the correlation of a and b within a pair.
    When the control mean is not clearly away from 0 (b̄² <= t² s_bb / k)
    the set is unbounded and both limits are NaN.

    *Delta*: R ± t_{k-1} · se_R with
    se_R² = (s_aa - 2 R s_ab + R² s_bb) / (k b̄²).

    Examples
    --------
    >>> from nof1.analysis import percent_change
    >>> res = percent_change([4.1, 3.8, 4.5, 3.9], [5.0, 4.6, 4.9, 5.2])
    >>> round(res.estimate, 2), round(res.ci_low, 2), round(res.ci_high, 2)
    (-17.26, -28.1, -5.56)
    """
    method = check_choice(method, "method", ("fieller", "delta"))
    confidence_level = check_confidence_level(confidence_level)
    a, b = _complete_pairs(a, b)
    k = a.size
    ma, mb = a.mean(), b.mean()
    if mb <= 0:
        raise ValueError(f"percent change needs a positive control mean; got mean(b) = {mb:g}")
    cov = np.cov(a, b, ddof=1)
    saa, sbb, sab = cov[0, 0], cov[1, 1], cov[0, 1]
    ratio = ma / mb
    tq = special.stdtrit(k - 1, 0.5 + confidence_level / 2)  # = stats.t.ppf, bit for bit
    se_r = np.sqrt(max(saa - 2 * ratio * sab + ratio ** 2 * sbb, 0.0) / (k * mb ** 2))
    if method == "delta":
        low, high = ratio - tq * se_r, ratio + tq * se_r
        text = "ratio of means over pairs; delta-method t interval (df = k - 1)"
    else:
        q = tq ** 2 / k
        qa = mb ** 2 - q * sbb
        qb = ma * mb - q * sab
        qc = ma ** 2 - q * saa
        disc = qb ** 2 - qa * qc
        if qa > 0 and disc >= 0:
            root = np.sqrt(disc)
            low, high = (qb - root) / qa, (qb + root) / qa
        else:
            low = high = np.nan
        text = ("ratio of means over pairs; Fieller interval (inverts the paired t-test of "
                "a - r*b, df = k - 1)")
    return EffectSizeResult(
        measure="percent_change", estimate=float(100 * (ratio - 1)), se=float(100 * se_r),
        ci_low=float(100 * (low - 1)), ci_high=float(100 * (high - 1)),
        confidence_level=confidence_level, n_a=k, n_b=k, method=text)


def within_person_smd(a_scores: Any, b_scores: Any, *, standardizer: str = "pooled",
                      confidence_level: float = 0.95) -> EffectSizeResult:
    """Within-person standardized mean difference (SingleCaseES ``SMD``), A - B.

    Within-person: not comparable to a between-group Cohen's d.

    Parameters
    ----------
    a_scores, b_scores : array_like
        1-D observations under condition A (treatment) and B (control): either
        the analysed daily scores of each condition (day-level, as
        SingleCaseES does), or the period means (period-level). The choice
        sets the scale: the day-level SD includes day-to-day noise, the
        period-level SD does not, so the two give different values. NaN is
        dropped.
    standardizer : {'pooled', 'control'}
        Divide by the pooled within-condition SD (d_p, default) or by the SD
        of the control condition only (SingleCaseES' baseline SD, d_A).
    confidence_level : float

    Returns
    -------
    EffectSizeResult
        ``measure`` is 'smd_pooled' or 'smd_control'.

    Raises
    ------
    ValueError
        Fewer than 2 observations in a condition, or no variation.

    Notes
    -----
    With m = n_B control and n = n_A treatment observations (SingleCaseES
    notation with B = our A):

    - pooled: s_p² = ((n_A - 1) s_A² + (n_B - 1) s_B²) / (n_A + n_B - 2),
      df = n_A + n_B - 2, d = J (ȳ_A - ȳ_B) / s_p,
      SE = J √(1/n_A + 1/n_B + d²/(2 df));
    - control: df = n_B - 1, d = J (ȳ_A - ȳ_B) / s_B,
      SE = J √(1/n_B + s_A²/(n_A s_B²) + d²/(2 df));

    with Hedges' small-sample correction J = 1 - 3/(4 df - 1) and a normal
    interval d ± z SE (Pustejovsky's SingleCaseES). The sign follows the
    raw difference A - B, not the direction of benefit.

    **Caveats.** The SD is a *within-person* SD, so the index is inflated
    relative to a between-person d ("not comparable to the scale of the SMD
    from a between-groups design"); the SE assumes independent observations
    and is too small for autocorrelated daily scores.

    References
    ----------
    .. [1] Pustejovsky JE, Chen M, Swan DM. SingleCaseES: A calculator for
       single-case effect sizes. R package; vignette "Effect size definitions
       and mathematical details".
    .. [2] Hedges LV (1981). Distribution theory for Glass's estimator of effect
       size and related estimators. J Educ Stat 6:107-128.

    Examples
    --------
    >>> from nof1.analysis import within_person_smd
    >>> control = [20, 20, 26, 25, 22, 23]          # Parker, Vannest & Davis (2011) A phase
    >>> treatment = [28, 25, 24, 27, 30, 30, 29]    # B phase
    >>> round(within_person_smd(treatment, control).estimate, 6)
    1.876247
    """
    standardizer = check_choice(standardizer, "standardizer", ("pooled", "control"))
    confidence_level = check_confidence_level(confidence_level)
    a = _sample(a_scores, "a_scores")
    b = _sample(b_scores, "b_scores")
    if a.size < 2 or b.size < 2:
        raise ValueError("each condition needs at least 2 non-missing observations")
    na, nb = a.size, b.size
    va, vb = a.var(ddof=1), b.var(ddof=1)
    if standardizer == "pooled":
        df = na + nb - 2
        s2 = ((na - 1) * va + (nb - 1) * vb) / df
        sv1 = 1 / na + 1 / nb
    else:
        df = nb - 1
        s2 = vb
        sv1 = 1 / nb + va / (na * vb) if vb > 0 else np.inf
    if s2 <= 0:
        raise ValueError("the scores do not vary: a standardized difference is undefined")
    j = 1 - 3 / (4 * df - 1)
    d = j * (a.mean() - b.mean()) / np.sqrt(s2)
    se = j * np.sqrt(sv1 + d ** 2 / (2 * df))
    z = special.ndtri(0.5 + confidence_level / 2)
    label = "pooled within-condition SD" if standardizer == "pooled" else "control-condition SD"
    return EffectSizeResult(
        measure=f"smd_{standardizer}", estimate=float(d), se=float(se),
        ci_low=float(d - z * se), ci_high=float(d + z * se),
        confidence_level=confidence_level, n_a=na, n_b=nb,
        method=(f"within-person standardized mean difference A - B ({label}, Hedges-corrected); "
                "within-person, not comparable to a between-group d; SE assumes independent "
                "observations"))


def _newcombe5(est: float, m: int, n: int, confidence_level: float,
               xtol: float = 1e-14) -> tuple[float, float]:
    """Newcombe (2006) method-5 interval for an AUC/NAP estimate from m and n observations.

    ``xtol`` is the root-finding tolerance (R's ``uniroot`` default, used by
    SingleCaseES, is ``.Machine$double.eps^0.25``, about 1.2e-4).
    """
    h = (m + n) / 2 - 1
    z = special.ndtri(0.5 + confidence_level / 2)

    def score(x: float) -> float:
        return (m * n * (est - x) ** 2 * (2 - x) * (1 + x)
                - z ** 2 * x * (1 - x) * (2 + h + (1 + 2 * h) * x * (1 - x)))

    rtol = 4 * np.finfo(float).eps
    low = optimize.brentq(score, 0.0, est, xtol=xtol, rtol=rtol) if est > 0 else 0.0
    high = optimize.brentq(score, est, 1.0, xtol=xtol, rtol=rtol) if est < 1 else 1.0
    return float(low), float(high)


def nap(a_scores: Any, b_scores: Any, *, higher_is_better: bool,
        confidence_level: float = 0.95) -> EffectSizeResult:
    """Non-overlap of all pairs: probability that a treatment score beats a control score.

    Parameters
    ----------
    a_scores, b_scores : array_like
        1-D observations under condition A (treatment) and B (control), e.g.
        analysed daily scores. NaN is dropped.
    higher_is_better : bool
        Direction of benefit of the outcome (False for pain and stress).
    confidence_level : float

    Returns
    -------
    EffectSizeResult
        ``measure='nap'``, between 0 and 1 (0.5 = no difference).

    Raises
    ------
    ValueError
        A condition has no observation, or (for the SE) fewer than 2.

    Notes
    -----
    NAP = (1/(n_A n_B)) Σ_i Σ_j [I(a_i better than b_j) + 0.5 I(a_i = b_j)]
    (Parker & Vannest 2009), "better" meaning higher when
    ``higher_is_better`` and lower otherwise; it equals the AUC and
    Mann-Whitney U / (n_A n_B). The SE is the unbiased estimator of Sen
    (1967) / Mee (1990); the interval is Newcombe's (2006) method 5
    (symmetrized score inversion): the roots in x of
    m n (NAP - x)² (2 - x)(1 + x) = z² x (1 - x) (2 + h + (1 + 2h) x (1 - x)),
    h = (m + n)/2 - 1, one below and one above NAP (0 or 1 at the boundary),
    as in SingleCaseES.

    **The SE and interval assume independent observations**; daily scores
    are autocorrelated, so they are too narrow for diary data. NAP also
    ignores the size of the difference (a tiny consistent shift gives NAP 1).

    References
    ----------
    .. [1] Parker RI, Vannest KJ (2009). An improved effect size for single-case
       research: Nonoverlap of all pairs. Behav Ther 40:357-367.
    .. [2] Newcombe RG (2006). Confidence intervals for an effect size measure
       based on the Mann-Whitney statistic. Part 2. Stat Med 25:559-573.

    Examples
    --------
    >>> from nof1.analysis import nap
    >>> control = [20, 20, 26, 25, 22, 23]
    >>> treatment = [28, 25, 24, 27, 30, 30, 29]
    >>> res = nap(treatment, control, higher_is_better=True)
    >>> round(res.estimate, 7), round(res.ci_low, 4), round(res.ci_high, 4)
    (0.9166667, 0.5973, 0.986)
    """
    if not isinstance(higher_is_better, bool):
        raise TypeError("`higher_is_better` must be True or False")
    confidence_level = check_confidence_level(confidence_level)
    a = _sample(a_scores, "a_scores")
    b = _sample(b_scores, "b_scores")
    if a.size < 2 or b.size < 2:
        raise ValueError("each condition needs at least 2 non-missing observations")
    if not higher_is_better:
        a, b = -a, -b
    n, m = a.size, b.size          # n treatment (SingleCaseES B), m control (A)
    q = (a[None, :] > b[:, None]) + 0.5 * (a[None, :] == b[:, None])   # shape (m, n)
    est = float(q.mean())
    q1 = float((q.sum(axis=1) ** 2).sum() / (m * n ** 2))
    q2 = float((q.sum(axis=0) ** 2).sum() / (m ** 2 * n))
    x2 = float((q ** 2).sum() / (m * n))
    var = (est - (m + n - 1) * est ** 2 + n * q1 + m * q2 - 2 * x2) / ((m - 1) * (n - 1))
    se = float(np.sqrt(max(var, 0.0)))
    low, high = _newcombe5(est, m, n, confidence_level)
    direction = "higher" if higher_is_better else "lower"
    return EffectSizeResult(
        measure="nap", estimate=est, se=se, ci_low=low, ci_high=high,
        confidence_level=confidence_level, n_a=n, n_b=m,
        method=(f"non-overlap of all pairs, P(A score {direction} than B score) + 0.5 P(tie); "
                "unbiased SE (Sen 1967), Newcombe method 5 interval; both assume independent "
                "observations"))
