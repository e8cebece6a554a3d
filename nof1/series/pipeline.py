"""The whole series analysis of one outcome: pooled, one-stage, Bayesian, randomization,
and optionally one moderator."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from .batch import PersonResults
from .bayes import BayesSeriesResult, bayes_series
from .meta import MetaResult, meta_analysis
from .moderators import ModeratorResult, moderator_analysis
from .onestage import OneStageResult, one_stage
from .randtest import SeriesRandomizationResult, series_randomization_test

__all__ = ["SeriesAnalysis", "pool_outcome"]

#: above this many persons the one-stage MixedLM is skipped by default (its cost grows
#: quickly; the two-stage model with pooled variance estimates the same quantities)
ONE_STAGE_MAX_PERSONS = 5_000
#: above this many pairs the series randomization test uses 999 Monte Carlo draws (its
#: cost is draws x pairs; the p-value's resolution is then 0.001, and says so)
LARGE_SERIES_PAIRS = 50_000


@dataclasses.dataclass(frozen=True, eq=False)
class SeriesAnalysis:
    """Every pooled result of one outcome (fields may be None when not computed).

    Attributes
    ----------
    outcome : str
        The outcome pooled.
    results : PersonResults
        Every person's own result (all outcomes analysed).
    meta : MetaResult
        Two-stage random-effects meta-analysis (the pooled headline).
    one_stage : OneStageResult or None
        Mixed model on pair differences; None when it was not fitted.
    bayes : BayesSeriesResult
        Bayesian hierarchical model, with every person's shrunken effect.
    randomization : SeriesRandomizationResult
        Randomization test of the sharp null of no effect in anyone.
    moderator : ModeratorResult or None
        The moderator analysis, when a moderator was named.
    """

    outcome: str
    results: PersonResults
    meta: MetaResult
    one_stage: OneStageResult | None
    bayes: BayesSeriesResult
    randomization: SeriesRandomizationResult
    moderator: ModeratorResult | None

    def persons_table(self) -> pd.DataFrame:
        """Per person: own result, shrunken estimate, P(benefit >= MCID), covariates."""
        own = self.results.persons[self.results.persons["outcome"] == self.outcome]
        shr = self.bayes.persons[["person", "theta", "theta_low", "theta_high", "p_benefit",
                                  "p_benefit_mcid"]]
        return (own.merge(shr, on="person", how="left")
                .merge(self.results.covariates, on="person", how="left"))

    def to_frame(self) -> pd.DataFrame:
        """One row per pooled analysis: estimate, interval, p-value."""
        rows = [{"analysis": "two-stage random effects (HKSJ)", "estimate": self.meta.estimate,
                 "ci_low": self.meta.ci_low, "ci_high": self.meta.ci_high,
                 "pvalue": self.meta.pvalue}]
        if self.one_stage is not None:
            rows.append({"analysis": "one-stage mixed model", "estimate": self.one_stage.estimate,
                         "ci_low": self.one_stage.ci_low, "ci_high": self.one_stage.ci_high,
                         "pvalue": self.one_stage.pvalue})
        rows.append({"analysis": "Bayesian hierarchical (posterior mean, credible interval)",
                     "estimate": self.bayes.estimate, "ci_low": self.bayes.ci_low,
                     "ci_high": self.bayes.ci_high, "pvalue": float("nan")})
        rows.append({"analysis": "randomization test, sharp null (statistic, p)",
                     "estimate": self.randomization.statistic, "ci_low": float("nan"),
                     "ci_high": float("nan"), "pvalue": self.randomization.pvalue})
        out = pd.DataFrame(rows)
        out.insert(0, "outcome", self.outcome)
        return out

    def summary(self) -> str:
        parts = [self.meta.summary()]
        if self.one_stage is not None:
            parts.append(self.one_stage.summary())
        parts += [self.bayes.summary(), self.randomization.summary()]
        if self.moderator is not None:
            parts.append(self.moderator.summary())
        return "\n\n".join(parts)


def pool_outcome(results: PersonResults, outcome: str, *, moderator: str | None = None,
                 prespecified: bool = False, n_moderators_tried: int = 1,
                 within: str = "auto", one_stage_model: bool | None = None,
                 rng: Any = None, **bayes_kw: Any) -> SeriesAnalysis:
    """Run every pooled analysis of one outcome.

    Parameters
    ----------
    results : PersonResults
    outcome : str
    moderator : str, optional
        A person-level covariate for :func:`~nof1.series.moderators.moderator_analysis`.
    prespecified, n_moderators_tried
        Credibility of the moderator analysis.
    within : {'auto', 'pooled', 'person'}
    one_stage_model : bool, optional
        Fit the one-stage model (default: when at most 5,000 persons).
    rng : None, int or Generator
        For a Monte Carlo randomization test (999 draws above 50,000 pairs, else exact
        or 9,999 draws).
    **bayes_kw
        Prior settings for :func:`~nof1.series.bayes_series`.

    Returns
    -------
    SeriesAnalysis
    """
    persons = results.persons[results.persons["outcome"] == outcome]
    pairs = results.pairs[results.pairs["outcome"] == outcome]
    if persons.empty:
        raise ValueError(f"no results for outcome {outcome!r}")
    n = persons["person"].nunique()
    fit_one = n <= ONE_STAGE_MAX_PERSONS if one_stage_model is None else one_stage_model
    meta = meta_analysis(persons, within=within)
    os_ = one_stage(pairs) if fit_one else None
    bayes = bayes_series(persons, within=within, **bayes_kw)
    n_pairs = int(pairs["difference"].notna().sum())
    rand = series_randomization_test(
        pairs, rng=rng, n_resamples=None if n_pairs <= LARGE_SERIES_PAIRS else 999)
    mod = (moderator_analysis(results, moderator, outcome=outcome, prespecified=prespecified,
                              n_moderators_tried=n_moderators_tried, within=within,
                              one_stage_model=fit_one)
           if moderator is not None else None)
    return SeriesAnalysis(outcome=outcome, results=results, meta=meta, one_stage=os_,
                          bayes=bayes, randomization=rand, moderator=mod)
