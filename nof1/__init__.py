"""nof1: personal (N-of-1) trials — randomized blinded schedules, design-based analysis.

A research and self-tracking tool, not medical advice.
"""

from .design import AlternatingDesign, Design, PairedDesign, PhaseDesign
from .outcomes import DEFAULT_OUTCOMES, Outcome
from .schedule import Schedule, make_schedule

__version__ = "0.1.0"

__all__ = [
    "Design", "PairedDesign", "PhaseDesign", "AlternatingDesign",
    "Schedule", "make_schedule", "Outcome", "DEFAULT_OUTCOMES",
    "__version__",
]
