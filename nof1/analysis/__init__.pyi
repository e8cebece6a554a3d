# The public namespace of nof1.analysis.
#
# Read by type checkers and, at run time, by ``lazy_loader.attach_stub`` in
# ``__init__.py``: every name below is imported on first use, so that
# ``from nof1.analysis import randomization_test`` loads the randomization modules
# and not scipy.stats, statsmodels or the Bayesian quadrature. To export a new
# name, add it here.

from .bayes import (
    DEFAULT_PRIOR as DEFAULT_PRIOR,
    PRIOR_PRESETS as PRIOR_PRESETS,
    PRIOR_VERSION as PRIOR_VERSION,
    BayesResult as BayesResult,
    EffectPrior as EffectPrior,
    NormalInverseGammaPrior as NormalInverseGammaPrior,
    bayes_paired as bayes_paired,
    make_prior as make_prior,
    prior_sensitivity as prior_sensitivity,
)
from .decision import (
    Decision as Decision,
    DecisionRule as DecisionRule,
)
from .effect_sizes import (
    EffectSizeResult as EffectSizeResult,
    mean_difference as mean_difference,
    nap as nap,
    percent_change as percent_change,
    within_person_smd as within_person_smd,
)
from .models import (
    DayTTestResult as DayTTestResult,
    GLSResult as GLSResult,
    gls_ar1 as gls_ar1,
    naive_day_ttest as naive_day_ttest,
)
from .multiplicity import (
    HolmResult as HolmResult,
    holm as holm,
)
from .period import (
    PairedTestResult as PairedTestResult,
    WilcoxonResult as WilcoxonResult,
    paired_period_test as paired_period_test,
    wilcoxon_period_test as wilcoxon_period_test,
)
from .randomization import (
    RandomizationCIResult as RandomizationCIResult,
    RandomizationTestResult as RandomizationTestResult,
    randomization_ci as randomization_ci,
    randomization_test as randomization_test,
)

