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
from .bayes import (
    PRIOR_PRESETS,
    PRIOR_VERSION,
    PRIOR_VERSIONS,
    benefit_verdicts,
    make_prior,
    posterior_benefit,
)

__all__ = ["DecisionRule", "Decision", "VERDICTS"]

#: what the version-1 ("legacy") sceptical and enthusiastic priors were, in words
LEGACY_PRIOR_TEXT = ("legacy prior (version 1, as protocols committed before version 2 define "
                     "it): normal-inverse-gamma with one pseudo-observation at SD = MCID for "
                     "the variance, whose probabilities are overconfident when pair "
                     "differences vary more than the MCID")

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
    current : Decision or None
        For one trial judged under a legacy (version-1) prior: the verdict the same rule
        gives under the current version of its prior, for comparison (the committed
        rule's verdict is ``verdict``).
    """

    verdict: Any
    p_benefit_mcid: Any
    p_benefit: Any
    n_pairs: Any
    rule: DecisionRule
    current: Decision | None = None

    _frame_fields: ClassVar[tuple[str, ...]] = ("verdict", "p_benefit_mcid", "p_benefit",
                                                "n_pairs")

    @property
    def text(self) -> str:
        """The decision in words (one trial)."""
        r = self.rule
        if self.verdict == "not evaluable":
            return (f"Pre-registered decision rule ({r.outcome}, {r.prior_label}): not "
                    f"evaluable; it needs at least two complete pairs of periods whose "
                    f"differences are not all equal (got {self.n_pairs} pairs).")
        outcome = {"met": "the condition for 'worthwhile' is met.",
                   "not worthwhile": "the condition for 'not worthwhile' is met.",
                   "inconclusive": "neither condition is met: inconclusive."}[self.verdict]
        return (f"Pre-registered decision rule ({r.outcome}, {r.prior_label}): the probability "
                f"of a benefit of at least the MCID ({r.mcid:g}) is {self.p_benefit_mcid:.2f} "
                f"(needed: {r.probability_threshold:g} or more), the probability of any "
                f"benefit is {self.p_benefit:.2f} (below {r.no_benefit_threshold:g} means "
                f"'not worthwhile'): {outcome}{self._comparison}")

    @property
    def _comparison(self) -> str:
        c = self.current
        if c is None:
            return ""
        return (f" For comparison only, under the calibrated version-{c.rule.prior_version} "
                f"{c.rule.prior} prior of newer protocols the verdict would be "
                f"'{c.verdict}' (probability of a benefit of at least the MCID "
                f"{c.p_benefit_mcid:.2f}).")

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: verdict, probabilities, thresholds, prior and text (one trial)."""
        return {"verdict": self.verdict, "p_benefit_mcid": float(self.p_benefit_mcid),
                "p_benefit": float(self.p_benefit), "n_pairs": int(self.n_pairs),
                "probability_threshold": self.rule.probability_threshold,
                "no_benefit_threshold": self.rule.no_benefit_threshold,
                "prior": self.rule.prior, "prior_version": self.rule.prior_version,
                "legacy_prior": self.rule.legacy_prior, "outcome": self.rule.outcome,
                "text": self.text,
                **({"current_prior_verdict": self.current.verdict} if self.current else {})}

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
    - **not evaluable**: fewer than two complete pairs, pair differences that are all equal
      (the posterior under the reference variance prior is then improper), or no pairs
      (other designs).

    What the threshold guarantees: under the sceptical prior, the rule says "met" only
    when the reference-prior (flat) posterior probability of a benefit of at least the
    MCID is at least as large, and that probability is one minus the one-sided paired
    t-test p-value against a benefit of exactly the MCID. So for normal pair differences,
    whenever the true benefit is smaller than the MCID (no effect included), the rule
    says "met" with probability at most 1 − ``probability_threshold`` (0.2 by default),
    whatever the size of the noise; under no effect far less often
    (``tests/test_bayes_calibration.py``).

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
        A preset of :func:`nof1.analysis.make_prior`; default ``"sceptical"``: the effect
        has a Cauchy prior centred on no effect with scale MCID/1.5 in outcome units (the
        data must overcome a prior centred on no effect), with the scale-free reference
        prior for the variance.
    mcid_source : str
        Where the MCID comes from.
    prior_version : int
        Version of the preset definitions (:data:`nof1.analysis.PRIOR_VERSION`, default
        the current one, 2). A stored rule without it (a protocol committed before the
        version was recorded) is version 1, the legacy normal-inverse-gamma sceptical
        prior it was committed with: :meth:`from_dict` keeps that meaning, and the
        verdict says that the legacy prior was used.

    Examples
    --------
    >>> from nof1.analysis import DecisionRule
    >>> rule = DecisionRule(outcome="pain", mcid=1.0)
    >>> dec = rule.decide([-1.4, -0.8, -1.6, -0.5, -1.2, -0.9], higher_is_better=False)
    >>> dec.verdict, round(dec.p_benefit_mcid, 2)
    ('inconclusive', 0.54)
    >>> DecisionRule.from_dict(rule.to_dict()) == rule
    True
    """

    outcome: str
    mcid: float
    probability_threshold: float = 0.8
    no_benefit_threshold: float = 0.5
    prior: str = "sceptical"
    mcid_source: str = ""
    prior_version: int = PRIOR_VERSION

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
        if isinstance(self.prior_version, bool) or self.prior_version not in PRIOR_VERSIONS:
            raise ValueError(f"`prior_version` must be one of {PRIOR_VERSIONS}, got "
                             f"{self.prior_version!r}")

    @property
    def legacy_prior(self) -> bool:
        """Whether the prior is a version-1 sceptical or enthusiastic prior."""
        return self.prior_version == 1 and self.prior in ("sceptical", "enthusiastic")

    def prior_model(self, higher_is_better: bool) -> Any:
        """The prior object (:func:`nof1.analysis.make_prior`) the rule evaluates under."""
        return make_prior(self.prior, mcid=self.mcid, higher_is_better=higher_is_better,
                          version=self.prior_version)

    @property
    def prior_spec(self) -> dict[str, Any]:
        """The prior's full specification, as the protocol records it.

        The enthusiastic prior's centre depends on the outcome's direction; its ``m0`` is
        given as the MCID on the side of benefit.
        """
        spec = self.prior_model(higher_is_better=True).to_dict()
        if self.prior == "enthusiastic":
            spec["m0"] = f"a benefit of {self.mcid:g} (one MCID)"
        return {"name": self.prior, "version": self.prior_version, **spec}

    @property
    def prior_label(self) -> str:
        """The prior in a few words (for the verdict)."""
        if self.legacy_prior:
            return f"{self.prior} prior, {LEGACY_PRIOR_TEXT}"
        if self.prior in ("sceptical", "enthusiastic"):
            centre = "no effect" if self.prior == "sceptical" else "a benefit of one MCID"
            return (f"{self.prior} prior: effect centred on {centre}, Cauchy with scale "
                    "MCID/1.5, independent of the noise, reference prior for the variance")
        return f"{self.prior} prior"

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> DecisionRule:
        """Parse ``Protocol.decision_rule`` (unknown keys such as ``text`` are ignored).

        A protocol written before the prior was stored gets ``"sceptical"``, the prior its
        text names. A rule without ``prior_version`` is version 1 (the legacy prior it was
        committed with). A stored ``prior_spec`` must be the specification its name and
        version define.

        Raises
        ------
        ValueError, TypeError
            A missing ``outcome``/``mcid``, an out-of-range value, or a ``prior_spec`` that
            disagrees with the prior's name and version.
        """
        if isinstance(spec, DecisionRule):
            return spec
        if not isinstance(spec, dict):
            raise TypeError("a decision rule must be a dict (Protocol.decision_rule)")
        missing = [k for k in ("outcome", "mcid") if k not in spec]
        if missing:
            raise ValueError(f"the decision rule has no {missing[0]!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        rule = cls(**{"prior_version": 1, **{k: v for k, v in spec.items() if k in names}})
        stored = spec.get("prior_spec")
        if stored is not None and not _same_spec(stored, rule.prior_spec):
            raise ValueError(f"the decision rule's prior_spec {stored!r} is not the "
                             f"{rule.prior} prior of version {rule.prior_version} "
                             f"({rule.prior_spec!r})")
        return rule

    def to_dict(self) -> dict[str, Any]:
        """The protocol's ``decision_rule`` entry (with the prior's specification and text)."""
        return {**dataclasses.asdict(self), "prior_spec": self.prior_spec, "text": self.text}

    @property
    def text(self) -> str:
        """The rule in words, as stated in the protocol."""
        unit = "point" if self.mcid == 1 else "points"
        return (f"Pre-registered rule: the treatment is judged worthwhile for this person if "
                f"the posterior probability that it improves {self.outcome} by at least the "
                f"MCID ({self.mcid:g} {unit}) is at least {self.probability_threshold:g} "
                f"(Bayesian model of the pair differences, {self.prior_label}); judged not "
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
        p_mcid, p_any, n = posterior_benefit(x, self.prior_model(higher_is_better),
                                             mcid=self.mcid, higher_is_better=higher_is_better)
        ok = (n >= 2) & np.isfinite(p_mcid) & np.isfinite(p_any)
        verdict = _verdicts(ok, p_mcid >= self.probability_threshold,
                            p_any < self.no_benefit_threshold)
        if one:
            current = None
            if self.legacy_prior and verdict[0] != "not evaluable":
                now = dataclasses.replace(self, prior_version=PRIOR_VERSION)
                current = now.decide(x[0], higher_is_better=higher_is_better)
            return Decision(verdict=str(verdict[0]), p_benefit_mcid=float(p_mcid[0]),
                            p_benefit=float(p_any[0]), n_pairs=int(n[0]), rule=self,
                            current=current)
        return Decision(verdict=verdict, p_benefit_mcid=p_mcid, p_benefit=p_any, n_pairs=n,
                        rule=self)

    def verdicts(self, d: Any, *, higher_is_better: bool) -> np.ndarray:
        """The verdicts alone for a batch of trials: ``decide(d, ...).verdict``, for less.

        The decision-only path of :func:`nof1.simulate_power`. The verdict of every row is
        the one :meth:`decide` gives (and so :func:`nof1.analyze`): under the Cauchy
        sceptical and enthusiastic priors a cheaper quadrature answers the two threshold
        questions, and rows whose probability it puts within
        :data:`nof1.analysis.bayes.FAST_MARGIN` of a threshold are computed as
        :meth:`decide` computes them (:func:`nof1.analysis.bayes.benefit_verdicts`;
        ``tests/test_decision.py`` checks the agreement row by row).

        Parameters
        ----------
        d : array_like
            2-D ``(n_trials, n_pairs)`` pair differences (treatment − control); NaN marks
            a missing pair.
        higher_is_better : bool
            The outcome's direction of benefit.

        Returns
        -------
        numpy.ndarray of object
            One of :data:`VERDICTS` per row.

        Examples
        --------
        >>> import numpy as np
        >>> from nof1.analysis import DecisionRule
        >>> rule = DecisionRule(outcome="pain", mcid=1.0)
        >>> d = np.random.default_rng(1).normal(-1.5, 1.0, size=(4, 6))
        >>> rule.verdicts(d, higher_is_better=False).tolist() == list(
        ...     rule.decide(d, higher_is_better=False).verdict)
        True
        """
        x = np.atleast_2d(np.asarray(d, dtype=float))
        met, no_benefit, ok = benefit_verdicts(
            x, self.prior_model(higher_is_better), mcid=self.mcid,
            higher_is_better=higher_is_better, probability_threshold=self.probability_threshold,
            no_benefit_threshold=self.no_benefit_threshold)
        return _verdicts(ok, met, no_benefit)


def _verdicts(ok: np.ndarray, met: np.ndarray, no_benefit: np.ndarray) -> np.ndarray:
    """The rule's verdict per row from its two threshold answers (object array)."""
    return np.where(~ok, "not evaluable",
                    np.where(met, "met", np.where(no_benefit, "not worthwhile",
                                                  "inconclusive"))).astype(object)


def _same_spec(a: Any, b: dict[str, Any]) -> bool:
    """Equal specifications (numbers equal to rounding, other values exactly)."""
    if not isinstance(a, dict) or set(a) != set(b):
        return False
    for k, v in b.items():
        w = a[k]
        if isinstance(v, float) and not isinstance(w, bool) and isinstance(w, int | float):
            if not np.isclose(w, v, rtol=1e-12, atol=0.0):
                return False
        elif w != v:
            return False
    return True
