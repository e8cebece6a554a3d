"""Analysis of personal trials: period-level tests, day-level models, effect sizes, Bayes."""

from .bayes import (
    DEFAULT_PRIOR,
    PRIOR_PRESETS,
    PRIOR_VERSION,
    BayesResult,
    EffectPrior,
    NormalInverseGammaPrior,
    bayes_paired,
    make_prior,
    prior_sensitivity,
)
from .decision import Decision, DecisionRule
from .effect_sizes import (
    EffectSizeResult,
    mean_difference,
    nap,
    percent_change,
    within_person_smd,
)
from .models import DayTTestResult, GLSResult, gls_ar1, naive_day_ttest
from .multiplicity import HolmResult, holm
from .period import PairedTestResult, WilcoxonResult, paired_period_test, wilcoxon_period_test
from .randomization import (
    RandomizationCIResult,
    RandomizationTestResult,
    randomization_ci,
    randomization_test,
)

__all__ = [
    "NormalInverseGammaPrior", "EffectPrior", "BayesResult", "make_prior",
    "bayes_paired", "prior_sensitivity", "PRIOR_PRESETS", "DEFAULT_PRIOR", "PRIOR_VERSION",
    "HolmResult", "holm",
    "DecisionRule", "Decision",
    "EffectSizeResult", "mean_difference", "percent_change", "within_person_smd", "nap",
    "GLSResult", "DayTTestResult", "gls_ar1", "naive_day_ttest",
    "PairedTestResult", "WilcoxonResult", "paired_period_test", "wilcoxon_period_test",
    "RandomizationTestResult", "RandomizationCIResult", "randomization_test",
    "randomization_ci",
]
