"""Analysis of a parallel-group randomized trial, with subgroups.

Built to re-read the 2022 magnesium-vs-placebo trial in fibromyalgia (Macian et
al., Nutrients 2022;14:2088) from a wide table with one row per participant:

- :func:`cohort_summary` — n, mean and SD by subgroup x arm x visit;
- :func:`compare_arms`, :func:`arm_comparisons` — between-arm comparisons at the
  end visit and of change from baseline (Welch, pooled t, Mann-Whitney, ANCOVA);
- :func:`subgroup_interaction` — the treatment-by-subgroup interaction test;
- :func:`ttest_from_summary`, :func:`change_sd`, :func:`group_sizes_for_pvalue` —
  tests from published summary statistics, and the group sizes consistent with a
  published p-value.
"""

from .compare import COMPARISON_METHODS, ArmComparisonResult, arm_comparisons, compare_arms
from .interaction import InteractionResult, subgroup_interaction
from .published import (
    SummaryTTestResult,
    change_sd,
    group_sizes_for_pvalue,
    ttest_from_summary,
)
from .summary import SUMMARY_COLUMNS, cohort_summary

__all__ = [
    "cohort_summary", "SUMMARY_COLUMNS",
    "compare_arms", "arm_comparisons", "ArmComparisonResult", "COMPARISON_METHODS",
    "subgroup_interaction", "InteractionResult",
    "ttest_from_summary", "SummaryTTestResult", "change_sd", "group_sizes_for_pvalue",
]
