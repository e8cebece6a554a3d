"""Planning: power of a personal trial by simulation, through the real design and analysis code.

Every simulated trial draws its own allocation from the design, gets simulated daily
scores (AR(1) noise, between-period drift, optional gradual onset and offset; see
:mod:`nof1.planning.simulate`), has its analytic wash-out removed, and is analysed with the same
functions a user runs: the exact randomization test over the design's reference set,
the period-level paired t-test, the pre-registered decision rule
(:class:`~nof1.analysis.DecisionRule`, the same object :func:`nof1.analyze` applies, so
planning reports the probability of each of its decisions),
and (on fewer simulations, because it fits a model per trial) GLS with AR(1) errors and a
random period intercept, as in :func:`nof1.analyze`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._results import ResultMixin
from .._validation import as_rng, check_float, check_int
from ..analysis.bayes import credible_interval
from ..analysis.decision import VERDICTS, DecisionRule
from ..analysis.models import gls_period_trials
from ..analysis.period import paired_period_test
from ..analysis.randomization import randomization_test
from ..design import Design, PairedDesign
from .simulate import simulate_scores

__all__ = ["PowerResult", "simulate_power", "required_pairs", "power_grid", "paired_t_power",
           "period_mean_sd"]

METHODS = ("randomization", "paired_t", "bayes", "gls_ar1")


def period_mean_sd(*, sd: float, rho: float, period_sd: float, n_days: int) -> float:
    """SD of the mean of ``n_days`` consecutive AR(1) days plus a period shift.

    ``Var = period_sd² + sd²/m · [1 + 2 Σ_{h=1}^{m-1} (1 - h/m) rho^h]``
    (docs/methods.md §2.2).

    Parameters
    ----------
    sd : float
        Marginal SD of the daily AR(1) noise.
    rho : float
        Lag-1 autocorrelation of the daily noise.
    period_sd : float
        SD of the between-period shift (added once per period, not averaged away).
    n_days : int
        Number m of analysed days averaged in a period (>= 1).

    Returns
    -------
    float
        The SD of one period mean.

    Raises
    ------
    ValueError, TypeError
        If ``n_days`` is not an integer >= 1.

    Examples
    --------
    The variance inflation for rho = 0.4 over 14 days is 2.17 (docs/methods.md §2.2 table):

    >>> round(period_mean_sd(sd=1.0, rho=0.4, period_sd=0.0, n_days=14) ** 2 * 14, 2)
    2.17
    """
    m = check_int(n_days, "n_days", minimum=1)
    h = np.arange(1, m)
    vif = 1.0 + 2.0 * np.sum((1.0 - h / m) * rho**h)
    return float(np.sqrt(period_sd**2 + sd**2 * vif / m))


def paired_t_power(effect: float, *, n_pairs: int, sd_period: float, alpha: float = 0.05
                   ) -> float:
    """Closed-form power of the two-sided paired t-test on period means.

    The pair difference has SD ``sqrt(2) * sd_period``; with k pairs the test
    statistic is non-central t with k − 1 degrees of freedom and non-centrality
    ``effect * sqrt(k) / (sqrt(2) * sd_period)`` (Senn's single-patient formula,
    docs/methods.md §2.6).

    Parameters
    ----------
    effect : float
        True difference treatment − control of the period means, in outcome units
        (the power is the same for ``effect`` and ``-effect``).
    n_pairs : int
        Number k of pairs of periods (>= 2).
    sd_period : float
        SD of one period mean (e.g. from :func:`period_mean_sd`), > 0.
    alpha : float
        Two-sided significance level (default 0.05).

    Returns
    -------
    float
        Probability that the two-sided test rejects at level ``alpha``.

    Raises
    ------
    ValueError, TypeError
        If ``n_pairs`` is not an integer >= 2.

    Examples
    --------
    >>> round(paired_t_power(1.0, n_pairs=6, sd_period=0.4), 2)
    0.93
    """
    k = check_int(n_pairs, "n_pairs", minimum=2)
    df = k - 1
    ncp = effect * np.sqrt(k) / (np.sqrt(2.0) * sd_period)
    crit = stats.t.ppf(1 - alpha / 2, df)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))


@dataclasses.dataclass(frozen=True, eq=False)
class PowerResult(ResultMixin):
    """Operating characteristics of a design, per analysis method.

    ``table`` has one row per method: ``method``, ``n_sims``, ``rejection_rate``
    (power; the type I error when ``effect`` is 0; for ``bayes``, the probability that
    the decision rule's condition for "worthwhile" is met), ``mc_se``, ``mean_ci_width``
    (for ``bayes`` the reference-prior credible interval), ``correct_decision``
    (decision rule only) and ``min_pvalue``. ``decisions`` has one row per verdict of
    the pre-registered rule (``decision``, ``probability``, ``mc_se``), and ``rule`` is
    that rule (``DecisionRule.to_dict()``). ``trials`` (only with ``keep_trials=True``)
    holds the simulated ``assignments`` (n_sims, n_units), daily ``scores``
    (n_sims, n_days) and each trial's ``verdict``.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per analysis method, the columns above.
    design : dict
        The design simulated (``Design.to_dict()``).
    effect : float
        True difference treatment − control at full exposure (0: type I error).
    sd, rho, period_sd, onset_days : float
        The daily noise, drift and onset simulated, as given to :func:`simulate_power`.
    period_days, washout_days : int
        Days per period and leading days of each period left out of the analysis.
    alpha : float
        Significance level of the tests.
    mcid : float
        The outcome's MCID, used by the decision rule.
    closed_form_paired_t : float
        Power of the paired t-test on period means from the noncentral t
        distribution (:func:`paired_t_power`), for comparison.
    decisions : pandas.DataFrame
        Probability of each verdict of the decision rule.
    rule : dict
        The decision rule simulated (``DecisionRule.to_dict()``).
    trials : dict or None
        The simulated trials, only with ``keep_trials=True``.
    """

    table: pd.DataFrame
    design: dict[str, Any]
    effect: float
    sd: float
    rho: float
    period_sd: float
    period_days: int
    washout_days: int
    onset_days: float
    alpha: float
    mcid: float
    closed_form_paired_t: float
    decisions: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    rule: dict[str, Any] = dataclasses.field(default_factory=dict)
    trials: dict[str, Any] | None = None

    _frame_fields: ClassVar[tuple[str, ...]] = (
        "effect", "sd", "rho", "period_sd", "period_days", "washout_days", "onset_days",
        "alpha", "mcid", "closed_form_paired_t")

    def to_frame(self) -> pd.DataFrame:
        """The per-method table with the scenario's parameters as columns."""
        return self.table.assign(**{k: v for k, v in self.to_dict().items()})

    def summary(self) -> str:
        kind = "type I error" if self.effect == 0 else "power"
        lines = [f"Simulated {kind} at alpha = {self.alpha:g} for {self.design}: effect "
                 f"{self.effect:g}, daily SD {self.sd:g}, rho {self.rho:g}, period SD "
                 f"{self.period_sd:g}, {self.period_days}-day periods with "
                 f"{self.washout_days} wash-out days"]
        for r in self.table.itertuples():
            extra = (f", right decision {r.correct_decision:.1%}"
                     if np.isfinite(r.correct_decision) else "")
            label = "rule met" if r.method == "bayes" else r.method
            lines.append(f"  {label:<14} {r.rejection_rate:6.1%} ± {r.mc_se:.1%} "
                         f"({r.n_sims} simulated trials){extra}")
        lines.append(f"  closed-form paired t {kind}: {self.closed_form_paired_t:.1%}")
        if len(self.decisions):
            lines.append(f"Pre-registered decision rule ({self.rule.get('prior')} prior, "
                         f"P(benefit >= MCID) >= {self.rule.get('probability_threshold'):g} "
                         f"for 'met', P(any benefit) < "
                         f"{self.rule.get('no_benefit_threshold'):g} for 'not worthwhile'):")
            for r in self.decisions.itertuples():
                lines.append(f"  {r.decision:<15} {r.probability:6.1%} ± {r.mc_se:.1%}")
        return "\n".join(lines)


def _period_means(y: np.ndarray, n_units: int, period_days: int, washout: int) -> np.ndarray:
    """(n_sims, n_days) -> (n_sims, n_units) means of each unit's analysed days."""
    return y.reshape(y.shape[0], n_units, period_days)[:, :, washout:].mean(axis=2)


def simulate_power(design: Design, *, effect: float, sd: float = 1.5, rho: float = 0.3,
                   period_sd: float = 0.3, period_days: int = 14, washout_days: int = 7,
                   onset_days: float = 0.0, mcid: float = 1.0, higher_is_better: bool = False,
                   alpha: float = 0.05, decision_threshold: float = 0.8,
                   decision_rule: DecisionRule | dict[str, Any] | None = None,
                   n_sims: int = 10_000, n_sims_gls: int = 200,
                   methods: tuple[str, ...] = METHODS, keep_trials: bool = False,
                   rng: Any = None) -> PowerResult:
    """Power (or type I error) of a paired design's analyses, by simulation.

    Parameters
    ----------
    design : PairedDesign
        The design to plan (each simulated trial draws its own allocation from it).
    effect : float
        True difference treatment − control at full exposure, in outcome units
        (negative = lower scores under treatment). 0 gives the type I error.
    sd, rho : float
        Daily noise: marginal SD and lag-1 autocorrelation of an AR(1) process.
    period_sd : float
        SD of a between-period shift (slow drift).
    period_days, washout_days : int
        Days per period, and leading days of each period left out of the analysis.
    onset_days : float
        Time constant of a gradual onset and offset of the effect (0 = immediate).
    mcid, higher_is_better : float, bool
        The outcome's MCID and direction (for the decision rule).
    alpha : float
        Two-sided significance level of the tests.
    decision_threshold : float
        Posterior probability of a benefit of at least the MCID that the default rule
        requires (default 0.8); ignored when ``decision_rule`` is given.
    decision_rule : DecisionRule or dict, optional
        The pre-registered rule (``Protocol.decision_rule``); default
        ``DecisionRule(outcome="primary outcome", mcid=mcid,
        probability_threshold=decision_threshold)``, the protocol's default (sceptical
        prior). Its MCID is the rule's own.
    n_sims : int
        Simulated trials for the vectorized methods.
    n_sims_gls : int
        Simulated trials for GLS with AR(1) errors (one model fit per trial).
    methods : tuple of str
        Any of ``"randomization"``, ``"paired_t"``, ``"bayes"`` (the decision rule),
        ``"gls_ar1"``.
    keep_trials : bool
        Keep the simulated assignments, daily scores and verdicts in ``trials``.
    rng : None, int or Generator

    Returns
    -------
    PowerResult

    Raises
    ------
    TypeError
        If ``design`` is not a :class:`~nof1.PairedDesign`, or an argument has the
        wrong type.
    ValueError
        If an argument is out of range (e.g. ``washout_days >= period_days``) or
        ``methods`` names an unknown method.

    Notes
    -----
    A decision is "right" when the rule is met and the true benefit is at least the
    MCID, or it is not met and the benefit is smaller. The decision probabilities are
    those of the rule :func:`nof1.analyze` applies to the same data (a test checks
    this trial by trial).

    Examples
    --------
    >>> from nof1 import PairedDesign
    >>> res = simulate_power(PairedDesign(6), effect=-1.0, sd=1.5, rho=0.3,
    ...                      n_sims=2000, methods=("randomization", "paired_t"), rng=12345)
    >>> res.table[["method", "n_sims"]]
              method  n_sims
    0  randomization    2000
    1       paired_t    2000
    """
    if not (isinstance(design, Design) and design.pairs_are_blocks):
        raise TypeError("simulate_power plans paired designs (the default design); got "
                        f"{type(design).__name__}")
    rng = as_rng(rng)
    effect = check_float(effect, "effect")
    sd = check_float(sd, "sd", minimum=0.0)
    rho = check_float(rho, "rho", minimum=-0.99, maximum=0.99)
    period_sd = check_float(period_sd, "period_sd", minimum=0.0)
    period_days = check_int(period_days, "period_days", minimum=1)
    washout_days = design.check_washout(washout_days, period_days)
    mcid = check_float(mcid, "mcid", minimum=0.0, inclusive=False)
    alpha = check_float(alpha, "alpha", minimum=0.0, maximum=1.0, inclusive=False)
    n_sims = check_int(n_sims, "n_sims", minimum=1)
    n_sims_gls = check_int(n_sims_gls, "n_sims_gls", minimum=0)
    if decision_rule is None:
        rule = DecisionRule(outcome="primary outcome", mcid=mcid,
                            probability_threshold=check_float(
                                decision_threshold, "decision_threshold", minimum=0.5,
                                maximum=1.0, inclusive=False))
    else:
        rule = DecisionRule.from_dict(decision_rule)
    unknown = set(methods) - set(METHODS)
    if unknown or not methods:
        raise ValueError(f"`methods` must be a non-empty subset of {METHODS}, got {methods}")

    k = design.n_pairs
    n_units = design.n_units
    assign = design.draw(rng, size=n_sims)                      # (n_sims, n_units)
    cond_days = np.repeat(assign, period_days, axis=1)
    period = np.repeat(np.arange(1, n_units + 1), period_days)
    y = simulate_scores(cond_days, period, effect=effect, sd=sd, rho=rho, period_sd=period_sd,
                        baseline=0.0, onset_days=onset_days, n_sims=n_sims, rng=rng)
    means = _period_means(y, n_units, period_days, washout_days)
    first_is_a = assign[:, 0::2] == 0
    a = np.where(first_is_a, means[:, 0::2], means[:, 1::2])
    b = np.where(first_is_a, means[:, 1::2], means[:, 0::2])
    rows = []
    decisions = pd.DataFrame(columns=["decision", "probability", "mc_se"])
    verdicts = None

    def row(method: str, reject: np.ndarray, width: float = np.nan,
            correct: float = np.nan, min_p: float = np.nan) -> None:
        n = reject.size
        rate = float(reject.mean()) if n else np.nan
        rows.append({"method": method, "n_sims": n, "rejection_rate": rate,
                     "mc_se": float(np.sqrt(rate * (1 - rate) / n)) if n else np.nan,
                     "mean_ci_width": width, "correct_decision": correct,
                     "min_pvalue": min_p})

    if "randomization" in methods:
        labels = np.where(assign == 0, "A", "B")
        # no null distribution is needed: counted without listing the 2**k assignments
        # (meet-in-the-middle; the same exact p-values, 2-7x faster from 7 to 12 pairs)
        res = randomization_test(means, labels, design=design, alternative="two-sided",
                                 keep_null=False)
        row("randomization", np.asarray(res.pvalue) <= alpha,
            min_p=design.min_pvalue("two-sided"))
    if "paired_t" in methods or "bayes" in methods:
        tt = paired_period_test(a, b, confidence_level=1 - alpha)
        if "paired_t" in methods:
            row("paired_t", np.asarray(tt.pvalue) <= alpha,
                width=float(np.mean(np.asarray(tt.ci_high) - np.asarray(tt.ci_low))))
    if "bayes" in methods:
        verdicts = rule.verdicts(a - b, higher_is_better=higher_is_better)
        fires = verdicts == "met"
        benefit = effect if higher_is_better else -effect
        truth = benefit >= rule.mcid
        low, high = credible_interval(a - b, mcid=rule.mcid, higher_is_better=higher_is_better,
                                      credible_level=1 - alpha)  # reference prior
        row("bayes", fires, width=float(np.nanmean(high - low)),
            correct=float(np.mean(fires == truth)))
        kept = [(v, float(np.mean(verdicts == v))) for v in VERDICTS]
        kept = [(v, q) for v, q in kept if v != "not evaluable" or q > 0]
        decisions = pd.DataFrame({"decision": [v for v, _ in kept],
                                  "probability": [q for _, q in kept],
                                  "mc_se": [float(np.sqrt(q * (1 - q) / n_sims))
                                            for _, q in kept]})
    if "gls_ar1" in methods and n_sims_gls:
        m = min(n_sims_gls, n_sims)
        keep = np.tile(np.arange(period_days) >= washout_days, n_units)
        # one gls_ar1 fit per trial (the days, blocks and periods validated once)
        pvalue, ci_low, ci_high = gls_period_trials(
            y[:m, keep], cond_days[:m, keep] == 0, time=np.arange(period.size)[keep],
            blocks=((period - 1) // 2 + 1)[keep], periods=period[keep],
            confidence_level=1 - alpha)
        reject = pvalue <= alpha
        widths = ci_high - ci_low
        row("gls_ar1", reject, width=float(widths.mean()))

    sd_p = period_mean_sd(sd=sd, rho=rho, period_sd=period_sd,
                          n_days=period_days - washout_days)
    closed = paired_t_power(abs(effect), n_pairs=k, sd_period=sd_p, alpha=alpha) if k >= 2 \
        else float("nan")
    return PowerResult(table=pd.DataFrame(rows), design=design.to_dict(), effect=effect, sd=sd,
                       rho=rho, period_sd=period_sd, period_days=period_days,
                       washout_days=washout_days, onset_days=onset_days, alpha=alpha,
                       mcid=mcid, closed_form_paired_t=closed, decisions=decisions,
                       rule=rule.to_dict(),
                       trials=({"assignments": assign, "scores": y, "verdict": verdicts}
                               if keep_trials else None))


def required_pairs(*, effect: float, sd: float = 1.5, rho: float = 0.3, period_sd: float = 0.3,
                   period_days: int = 14, washout_days: int = 7, alpha: float = 0.05,
                   target_power: float = 0.8, method: str = "randomization",
                   max_pairs: int = 20, n_sims: int = 4000, rng: Any = None,
                   **kwargs: Any) -> pd.DataFrame:
    """The smallest number of pairs whose simulated power reaches ``target_power``.

    Simulates k = 2, 3, ... pairs until the power of ``method`` reaches the target
    (or ``max_pairs``). Returns the table of power against k; the attribute-like
    column ``reached`` marks the first k that reaches the target.

    Parameters
    ----------
    effect : float
        True difference treatment − control at full exposure, in outcome units.
    sd, rho : float
        Marginal SD and lag-1 autocorrelation of the daily AR(1) noise.
    period_sd : float
        SD of a between-period shift.
    period_days, washout_days : int
        Days per period, and leading days of each period left out of the analysis.
    alpha : float
        Two-sided significance level.
    target_power : float
        Power to reach, in (0, 1) (default 0.8).
    method : str
        One of ``"randomization"``, ``"paired_t"``, ``"bayes"``, ``"gls_ar1"``.
    max_pairs : int
        Largest number of pairs tried, 2 to 40 (default 20).
    n_sims : int
        Simulated trials per number of pairs.
    rng : None, int or Generator
        Randomness, shared by all the simulations.
    **kwargs
        Passed on to :func:`simulate_power` (e.g. ``onset_days``, ``mcid``,
        ``higher_is_better``, ``decision_threshold``, ``prior``, ``n_sims_gls``).

    Returns
    -------
    pandas.DataFrame
        One row per number of pairs tried: ``n_pairs``, ``power``, ``mc_se``,
        ``closed_form_paired_t``, ``total_days`` and ``reached`` (True on the first
        row whose power reaches ``target_power``; all False if none does).

    Raises
    ------
    ValueError, TypeError
        If ``method`` is unknown or an argument is out of range (also those
        checked by :func:`simulate_power`).

    Examples
    --------
    >>> tab = required_pairs(effect=-1.0, sd=1.0, rho=0.2, period_sd=0.2, n_sims=1000,
    ...                      rng=12345)
    >>> int(tab.loc[tab["reached"], "n_pairs"].iloc[0])
    7
    """
    rng = as_rng(rng)
    target_power = check_float(target_power, "target_power", minimum=0.0, maximum=1.0,
                               inclusive=False)
    max_pairs = check_int(max_pairs, "max_pairs", minimum=2, maximum=40)
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}, got {method!r}")
    rows = []
    for k in range(2, max_pairs + 1):
        res = simulate_power(PairedDesign(k), effect=effect, sd=sd, rho=rho,
                             period_sd=period_sd, period_days=period_days,
                             washout_days=washout_days, alpha=alpha, n_sims=n_sims,
                             methods=(method,), rng=rng, **kwargs)
        power = float(res.table["rejection_rate"].iloc[0])
        rows.append({"n_pairs": k, "power": power, "mc_se": float(res.table["mc_se"].iloc[0]),
                     "closed_form_paired_t": res.closed_form_paired_t,
                     "total_days": 2 * k * period_days})
        if power >= target_power:
            break
    out = pd.DataFrame(rows)
    out["reached"] = out["power"] >= target_power
    out.loc[out["reached"].cumsum() > 1, "reached"] = False
    return out


def power_grid(*, n_pairs: Any = range(2, 11), period_days: Any = (7, 14, 21, 28),
               washout_days: int = 7, effect: float, method: str = "randomization",
               n_sims: int = 2000, progress: bool = False, rng: Any = None,
               **kwargs: Any) -> pd.DataFrame:
    """Power against the number of pairs and the period length (for planning plots).

    Periods shorter than or equal to the wash-out are skipped. ``progress=True``
    shows a progress bar (tqdm) on standard error.

    Parameters
    ----------
    n_pairs : iterable of int
        Numbers of pairs to simulate (default 2 to 10).
    period_days : iterable of int
        Period lengths in days (default 7, 14, 21, 28).
    washout_days : int
        Leading days of each period left out of the analysis (default 7).
    effect : float
        True difference treatment − control at full exposure, in outcome units.
    method : str
        One of ``"randomization"``, ``"paired_t"``, ``"bayes"``, ``"gls_ar1"``.
    n_sims : int
        Simulated trials per cell of the grid.
    progress : bool
        Show a progress bar (default False).
    rng : None, int or Generator
        Randomness, shared by all the cells.
    **kwargs
        Passed on to :func:`simulate_power` (e.g. ``sd``, ``rho``, ``period_sd``,
        ``onset_days``, ``alpha``).

    Returns
    -------
    pandas.DataFrame
        Columns ``n_pairs``, ``period_days``, ``total_days``, ``method``, ``power``,
        ``mc_se``, ``closed_form_paired_t``; for ``method="bayes"`` also ``p_met``,
        ``p_not_worthwhile`` and ``p_inconclusive`` (the pre-registered rule's
        decisions; ``power`` is ``p_met``); one row per (period length, number of
        pairs), period lengths in the outer loop.

    Raises
    ------
    ValueError
        If ``method`` is unknown, every period length is at most ``washout_days``,
        or an argument is out of range (also those checked by :func:`simulate_power`).
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> grid = power_grid(n_pairs=[4, 6], period_days=[14], effect=-1.0, n_sims=500,
    ...                   rng=12345)
    >>> grid[["n_pairs", "period_days", "total_days"]]
       n_pairs  period_days  total_days
    0        4           14         112
    1        6           14         168
    """
    from tqdm.auto import tqdm

    rng = as_rng(rng)
    if method not in METHODS:
        raise ValueError(f"`method` must be one of {METHODS}, got {method!r}")
    cells = [(k, p) for p in period_days for k in n_pairs if p > washout_days]
    if not cells:
        raise ValueError("every period length is shorter than or equal to the wash-out")
    rows = []
    for k, p in tqdm(cells, disable=not progress, desc="simulating", unit="design"):
        res = simulate_power(PairedDesign(check_int(k, "n_pairs", minimum=1)), effect=effect,
                             period_days=p, washout_days=washout_days, methods=(method,),
                             n_sims=n_sims, rng=rng, **kwargs)
        t = res.table.iloc[0]
        row = {"n_pairs": k, "period_days": p, "total_days": 2 * k * p,
               "method": method, "power": float(t["rejection_rate"]),
               "mc_se": float(t["mc_se"]),
               "closed_form_paired_t": res.closed_form_paired_t}
        for d in res.decisions.itertuples():  # method "bayes": every decision of the rule
            row[f"p_{d.decision.replace(' ', '_')}"] = float(d.probability)
        rows.append(row)
    return pd.DataFrame(rows)
