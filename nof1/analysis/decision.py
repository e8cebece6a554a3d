"""The pre-registered decision rule: one definition for planning, analysis and the report.

The protocol stores the rule (``Protocol.decision_rule``); :class:`DecisionRule` parses
and serialises it, and its :meth:`DecisionRule.decide` is what :func:`nof1.analyze`,
:func:`nof1.simulate_power` and ``nof1 power`` call, so planning reports the operating
characteristics of exactly the rule the analysis will apply.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import check_choice, check_float
from .bayes import PRIOR_PRESETS, bayes_paired

__all__ = ["DecisionRule", "Decision", "VERDICTS"]

#: the possible verdicts of the rule (in this order in power tables)
VERDICTS = ("met", "not worthwhile", "inconclusive", "not evaluable")


@dataclasses.dataclass(frozen=True, eq=False)
class Decision(ResultMixin):
    """The verdict of a :class:`DecisionRule`, for one trial or a batch.

    Attributes
    ----------
    verdict : str or numpy.ndarray of str
        One of :data:`VERDICTS`.
    p_benefit_mcid, p_benefit : float or numpy.ndarray
        Posterior probabilities (the rule's prior) of a benefit of at least the MCID,
        and of any benefit; NaN when not evaluable.
    n_pairs : int or numpy.ndarray
        Complete pair differences used.
    rule : DecisionRule
    """

    verdict: Any
    p_benefit_mcid: Any
    p_benefit: Any
    n_pairs: Any
    rule: DecisionRule

    _frame_fields: ClassVar[tuple[str, ...]] = ("verdict", "p_benefit_mcid", "p_benefit",
                                                "n_pairs")

    @property
    def text(self) -> str:
        """The decision in words (one trial)."""
        r = self.rule
        if self.verdict == "not evaluable":
            return (f"Pre-registered decision rule ({r.outcome}): not evaluable; it needs at "
                    f"least two complete pairs of periods (got {self.n_pairs}).")
        outcome = {"met": "the condition for 'worthwhile' is met.",
                   "not worthwhile": "the condition for 'not worthwhile' is met.",
                   "inconclusive": "neither condition is met: inconclusive."}[self.verdict]
        return (f"Pre-registered decision rule ({r.outcome}, {r.prior} prior): the probability "
                f"of a benefit of at least the MCID ({r.mcid:g}) is {self.p_benefit_mcid:.2f} "
                f"(needed: {r.probability_threshold:g} or more), the probability of any "
                f"benefit is {self.p_benefit:.2f} (below {r.no_benefit_threshold:g} means "
                f"'not worthwhile'): {outcome}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: verdict, probabilities, thresholds, prior and text (one trial)."""
        return {"verdict": self.verdict, "p_benefit_mcid": float(self.p_benefit_mcid),
                "p_benefit": float(self.p_benefit), "n_pairs": int(self.n_pairs),
                "probability_threshold": self.rule.probability_threshold,
                "no_benefit_threshold": self.rule.no_benefit_threshold,
                "prior": self.rule.prior, "outcome": self.rule.outcome, "text": self.text}

    def to_frame(self) -> pd.DataFrame:
        if np.ndim(self.verdict) == 0:
            return pd.DataFrame([{k: v for k, v in self.to_dict().items() if k != "text"}])
        return pd.DataFrame({"verdict": self.verdict, "p_benefit_mcid": self.p_benefit_mcid,
                             "p_benefit": self.p_benefit, "n_pairs": self.n_pairs})

    def summary(self) -> str:
        if np.ndim(self.verdict) == 0:
            return self.text
        v = np.asarray(self.verdict)
        return "; ".join(f"{name}: {np.mean(v == name):.1%}" for name in VERDICTS)

    # a dict-like view, so that result.decision["verdict"] keeps working
    def __getitem__(self, name: str) -> Any:
        return self.to_dict()[name]


@dataclasses.dataclass(frozen=True)
class DecisionRule:
    """The pre-registered rule that judges a treatment worthwhile, not worthwhile, or neither.

    The rule is Bayesian, on the pair differences of period means of the primary outcome
    (a paired design): with the posterior under ``prior``,

    - **met** ("worthwhile"): P(benefit ≥ MCID) ≥ ``probability_threshold``;
    - **not worthwhile**: otherwise, if P(any benefit) < ``no_benefit_threshold``;
    - **inconclusive**: otherwise;
    - **not evaluable**: fewer than two complete pairs (or no pairs: other designs).

    Parameters
    ----------
    outcome : str
        The outcome the rule judges (the protocol's primary outcome).
    mcid : float
        Minimal clinically important difference (> 0, outcome units).
    probability_threshold : float
        In (0.5, 1); default 0.8 (``docs/methods.md`` §2.5).
    no_benefit_threshold : float
        In (0, 1); default 0.5.
    prior : str
        A preset of :func:`nof1.analysis.make_prior`; default ``"sceptical"`` (prior SD of
        the effect about MCID/1.5: the data must overcome a prior centred on no effect).
    mcid_source : str
        Where the MCID comes from.

    Examples
    --------
    >>> from nof1.analysis import DecisionRule
    >>> rule = DecisionRule(outcome="pain", mcid=1.0)
    >>> dec = rule.decide([-2.4, -1.8, -2.6, -1.5, -2.2, -1.9], higher_is_better=False)
    >>> dec.verdict, round(dec.p_benefit_mcid, 2)
    ('met', 0.88)
    >>> DecisionRule.from_dict(rule.to_dict()) == rule
    True
    """

    outcome: str
    mcid: float
    probability_threshold: float = 0.8
    no_benefit_threshold: float = 0.5
    prior: str = "sceptical"
    mcid_source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.outcome, str) or not self.outcome:
            raise TypeError("`outcome` must be a non-empty string")
        check_float(self.mcid, "mcid", minimum=0.0, inclusive=False)
        check_float(self.probability_threshold, "probability_threshold", minimum=0.5,
                    maximum=1.0, inclusive=False)
        check_float(self.no_benefit_threshold, "no_benefit_threshold", minimum=0.0,
                    maximum=1.0, inclusive=False)
        check_choice(self.prior, "prior", PRIOR_PRESETS)
        if not isinstance(self.mcid_source, str):
            raise TypeError("`mcid_source` must be a string")

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> DecisionRule:
        """Parse ``Protocol.decision_rule`` (unknown keys such as ``text`` are ignored).

        A protocol written before the prior was stored gets ``"sceptical"``, the prior its
        text names.

        Raises
        ------
        ValueError, TypeError
            A missing ``outcome``/``mcid`` or an out-of-range value.
        """
        if isinstance(spec, DecisionRule):
            return spec
        if not isinstance(spec, dict):
            raise TypeError("a decision rule must be a dict (Protocol.decision_rule)")
        missing = [k for k in ("outcome", "mcid") if k not in spec]
        if missing:
            raise ValueError(f"the decision rule has no {missing[0]!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in spec.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        """The protocol's ``decision_rule`` entry (with its text)."""
        return {**dataclasses.asdict(self), "text": self.text}

    @property
    def text(self) -> str:
        """The rule in words, as stated in the protocol."""
        unit = "point" if self.mcid == 1 else "points"
        return (f"Pre-registered rule: the treatment is judged worthwhile for this person if "
                f"the posterior probability that it improves {self.outcome} by at least the "
                f"MCID ({self.mcid:g} {unit}) is at least {self.probability_threshold:g} "
                f"(Bayesian model of the pair differences, {self.prior} prior); judged not "
                f"worthwhile if the probability of any benefit is below "
                f"{self.no_benefit_threshold:g}; otherwise the result is inconclusive. Any "
                f"change of treatment is decided with a clinician.")

    def decide(self, d: Any, *, higher_is_better: bool) -> Decision:
        """Apply the rule to pair differences (treatment − control).

        Parameters
        ----------
        d : array_like
            1-D pair differences of one trial, or 2-D ``(n_trials, n_pairs)``; NaN marks a
            missing pair.
        higher_is_better : bool
            The outcome's direction of benefit.

        Returns
        -------
        Decision
            Scalars for 1-D input, arrays for 2-D input.
        """
        x = np.asarray(d, dtype=float)
        one = x.ndim == 1
        x = np.atleast_2d(x)
        n = np.isfinite(x).sum(axis=1)
        ok = n >= 2
        p_mcid = np.full(x.shape[0], np.nan)
        p_any = np.full(x.shape[0], np.nan)
        if ok.any():
            b = bayes_paired(x[ok], mcid=self.mcid, higher_is_better=higher_is_better,
                             prior=self.prior)
            p_mcid[ok] = np.asarray(b.p_benefit_mcid, dtype=float)
            p_any[ok] = np.asarray(b.p_benefit, dtype=float)
        ok &= np.isfinite(p_mcid)
        verdict = np.where(~ok, "not evaluable",
                           np.where(p_mcid >= self.probability_threshold, "met",
                                    np.where(p_any < self.no_benefit_threshold,
                                             "not worthwhile", "inconclusive")))
        verdict = verdict.astype(object)
        if one:
            return Decision(verdict=str(verdict[0]), p_benefit_mcid=float(p_mcid[0]),
                            p_benefit=float(p_any[0]), n_pairs=int(n[0]), rule=self)
        return Decision(verdict=verdict, p_benefit_mcid=p_mcid, p_benefit=p_any, n_pairs=n,
                        rule=self)
