"""nof1: personal (N-of-1) trials — randomized blinded schedules, design-based analysis.

A research and self-tracking tool, not medical advice.
"""

__version__ = "0.1.0"

from .analysis import (  # noqa: E402
    bayes_paired,
    gls_ar1,
    holm,
    naive_day_ttest,
    nap,
    paired_period_test,
    percent_change,
    prior_sensitivity,
    randomization_ci,
    randomization_test,
    wilcoxon_period_test,
    within_person_smd,
)
from .analysis.decision import DecisionRule  # noqa: E402
from .analysis.trial import OutcomeResult, TrialResult, analyze  # noqa: E402
from .blinded_analysis import group_key, schedule_from_groups  # noqa: E402
from .blinding import load_key, make_key, unblind, verify_key  # noqa: E402
from .cohort import (  # noqa: E402
    arm_comparisons,
    cohort_summary,
    compare_arms,
    group_sizes_for_pvalue,
    subgroup_interaction,
    ttest_from_summary,
)
from .data import Diary, read_diary  # noqa: E402
from .design import AlternatingDesign, Design, PairedDesign, PhaseDesign  # noqa: E402
from .instruments import bpi_interference, bpi_severity, dass_severity, score_dass  # noqa: E402
from .outcomes import DEFAULT_OUTCOMES, Outcome  # noqa: E402
from .power import paired_t_power, required_pairs, simulate_power  # noqa: E402
from .protocol import Protocol, read_protocol  # noqa: E402
from .schedule import Schedule, make_schedule  # noqa: E402
from .trial import Trial, create_trial, read_trial, verify_trial  # noqa: E402

__all__ = [
    "__version__",
    # design
    "Design", "PairedDesign", "PhaseDesign", "AlternatingDesign", "Schedule", "make_schedule",
    # blinding, protocol, trial folders
    "make_key", "verify_key", "load_key", "unblind", "group_key", "schedule_from_groups",
    "Protocol", "read_protocol", "Trial", "create_trial", "read_trial", "verify_trial",
    # data
    "Outcome", "DEFAULT_OUTCOMES", "Diary", "read_diary",
    # analysis
    "analyze", "TrialResult", "OutcomeResult", "DecisionRule", "randomization_test",
    "randomization_ci",
    "paired_period_test", "wilcoxon_period_test", "gls_ar1", "naive_day_ttest",
    "percent_change", "within_person_smd", "nap", "bayes_paired", "prior_sensitivity", "holm",
    # planning
    "simulate_power", "required_pairs", "paired_t_power",
    # instruments and parallel-group trials
    "score_dass", "dass_severity", "bpi_severity", "bpi_interference",
    "cohort_summary", "compare_arms", "arm_comparisons", "subgroup_interaction",
    "ttest_from_summary", "group_sizes_for_pvalue",
]
