"""Trial folders: the participant's files, the helper's key, atomic writes."""

from .folder import Trial, create_trial, read_trial, verify_trial
from .html import HelperKit

__all__ = ["Trial", "create_trial", "read_trial", "verify_trial", "HelperKit"]
