# The public top-level namespace of nof1.
#
# This stub is read twice: by type checkers and IDEs, and at run time by
# ``lazy_loader.attach_stub`` in ``__init__.py``, which turns every import below
# into an attribute that is imported on first use (SPEC 1). ``import nof1``
# therefore loads none of numpy, pandas, scipy, statsmodels or matplotlib.
# To export a new name, add it here: nothing else needs to change.


# subpackages and modules, as attributes (``nof1.analysis`` after ``import nof1``)
from . import (
    analysis as analysis,
    cohort as cohort,
    data as data,
    design as design,
    exceptions as exceptions,
    instruments as instruments,
    outcomes as outcomes,
    planning as planning,
    report as report,
    series as series,
    trial as trial,
    workflow as workflow,
)

# design
from .design import (
    AlternatingDesign as AlternatingDesign,
    Design as Design,
    PairedDesign as PairedDesign,
    PhaseDesign as PhaseDesign,
)
from .design.schedule import (
    Schedule as Schedule,
    make_schedule as make_schedule,
)

# blinding, protocol, trial folders
from .trial.blinding import (
    load_key as load_key,
    make_key as make_key,
    unblind as unblind,
    verify_key as verify_key,
)
from .trial.blinded_analysis import (
    group_key as group_key,
    schedule_from_groups as schedule_from_groups,
)
from .trial.protocol import (
    Protocol as Protocol,
    read_protocol as read_protocol,
)
from .trial import (
    Trial as Trial,
    create_trial as create_trial,
    read_trial as read_trial,
    verify_trial as verify_trial,
)

# data
from .outcomes import (
    DEFAULT_OUTCOMES as DEFAULT_OUTCOMES,
    Outcome as Outcome,
)
from .data import (
    Diary as Diary,
    read_diary as read_diary,
)

# analysis
from .analysis.decision import DecisionRule as DecisionRule
from .analysis.trial import (
    OutcomeResult as OutcomeResult,
    TrialResult as TrialResult,
    analyze as analyze,
)
from .analysis import (
    bayes_paired as bayes_paired,
    gls_ar1 as gls_ar1,
    holm as holm,
    naive_day_ttest as naive_day_ttest,
    nap as nap,
    paired_period_test as paired_period_test,
    percent_change as percent_change,
    prior_sensitivity as prior_sensitivity,
    randomization_ci as randomization_ci,
    randomization_test as randomization_test,
    wilcoxon_period_test as wilcoxon_period_test,
    within_person_smd as within_person_smd,
)

# planning
from .planning.power import (
    paired_t_power as paired_t_power,
    required_pairs as required_pairs,
    simulate_power as simulate_power,
)

# instruments and parallel-group trials
from .instruments import (
    bpi_interference as bpi_interference,
    bpi_severity as bpi_severity,
    dass_severity as dass_severity,
    score_dass as score_dass,
)
from .cohort import (
    arm_comparisons as arm_comparisons,
    cohort_summary as cohort_summary,
    compare_arms as compare_arms,
    group_sizes_for_pvalue as group_sizes_for_pvalue,
    subgroup_interaction as subgroup_interaction,
    ttest_from_summary as ttest_from_summary,
)

__version__: str
__all__: list[str]
