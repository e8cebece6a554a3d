"""Randomization schemes for personal trials: paired, phase and alternating designs."""

from ._base import Design, DesignOption, as_assignment, design_from_dict, parse_labels
from .alternating import AlternatingDesign
from .paired import PairedDesign
from .phase import PhaseDesign

__all__ = ["Design", "DesignOption", "PairedDesign", "PhaseDesign", "AlternatingDesign",
           "as_assignment", "design_from_dict", "parse_labels"]
