"""Series of personal trials: many persons' trials pooled, within persons, at any scale.

- :mod:`~nof1.series.data`: the trials table and the long diary table;
  :func:`collect_series` builds them from trial folders.
- :func:`analyze_series`: every person's own result at once (vectorised).
- :func:`meta_analysis`, :func:`meta_regression`: two-stage random-effects pooling.
- :func:`one_stage`: a mixed model on pair differences with a random effect by person.
- :func:`bayes_series`: Bayesian hierarchical normal model, exact by quadrature over tau.
- :func:`series_randomization_test`: the sharp null of no effect in anyone.
- :func:`moderator_analysis`: meta-regression, one-stage interaction, subgroups.
- :func:`pool_outcome`: all of the above for one outcome; :mod:`~nof1.series.report`
  renders them, :mod:`~nof1.series.plots` draws the forest and moderator plots.
- :func:`write_partitioned`, :func:`analyze_partitioned`: Parquet parts and Dask.
"""

from .batch import PersonResults, analyze_series
from .bayes import BayesSeriesResult, bayes_series
from .collect import collect_series
from .data import (
    Series,
    SeriesError,
    read_series,
    schedule_of,
    series_from_schedules,
    validate_series,
    write_series,
)
from .meta import MetaRegressionResult, MetaResult, meta_analysis, meta_regression, random_effects
from .moderators import ModeratorResult, moderator_analysis, stress_group_2022
from .onestage import OneStageResult, one_stage
from .pipeline import SeriesAnalysis, pool_outcome
from .randtest import SeriesRandomizationResult, series_randomization_test
from .scale import analyze_partitioned, write_partitioned

__all__ = ["Series", "SeriesError", "read_series", "write_series", "validate_series",
           "series_from_schedules", "schedule_of", "collect_series", "PersonResults",
           "analyze_series", "meta_analysis", "meta_regression", "random_effects", "MetaResult",
           "MetaRegressionResult", "one_stage", "OneStageResult", "bayes_series",
           "BayesSeriesResult", "series_randomization_test", "SeriesRandomizationResult",
           "moderator_analysis", "ModeratorResult", "stress_group_2022", "pool_outcome",
           "SeriesAnalysis", "write_partitioned", "analyze_partitioned"]
