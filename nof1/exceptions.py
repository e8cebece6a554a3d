"""Exception and warning classes for problems with the user's data or files.

Argument errors (a wrong type, a value outside the allowed set) raise the
built-in ``TypeError`` / ``ValueError``. Problems with *data* — a diary that
cannot be read, a key that fails its commitment, a trial folder that already
exists — raise the classes below, so that callers (the CLI among them) can
tell an expected problem from a bug.

Each class carries the exit code the command line returns for it
(``exit_code``): 1 a key that does not match its commitment, 2 any other
expected problem, 3 a plan or a printed copy of the commitment that disagrees
with the commitment, 4 a trial that is not finished.
"""

from __future__ import annotations

__all__ = [
    "Nof1Error",
    "DiaryError",
    "KeyMismatchError",
    "TrialExistsError",
    "TrialFileError",
    "Nof1Warning",
    "DiaryWarning",
    "PlanMismatchError",
    "TrialNotFinishedError",
]


class Nof1Error(Exception):
    """Base class for expected problems with the user's data or files."""

    #: exit code of the command line for this problem
    exit_code: int = 2


class DiaryError(Nof1Error, ValueError):
    """A diary cannot be used: unparseable or duplicate dates, out-of-range scores, ..."""


class KeyMismatchError(Nof1Error, ValueError):
    """The helper's key does not match the commitment the participant holds."""

    exit_code = 1


class TrialExistsError(Nof1Error, FileExistsError):
    """A trial folder (or one of its files) already exists and will not be overwritten."""


class TrialFileError(Nof1Error, OSError):
    """A trial file is missing, unreadable, or not in the expected format."""


class Nof1Warning(UserWarning):
    """Base class for warnings about the user's data."""


class DiaryWarning(Nof1Warning):
    """A diary can be analysed but has problems worth knowing (missing days, low adherence)."""


class PlanMismatchError(Nof1Error, ValueError):
    """The protocol, or a printed copy of its commitment, disagrees with what was committed.

    The command line exits with :attr:`exit_code` 3 (tampering or corruption detected).
    """

    exit_code = 3


class TrialNotFinishedError(Nof1Error, ValueError):
    """An analysis was asked for before the schedule's last analysed day.

    The command line exits with :attr:`exit_code` 4 unless ``--interim`` is given.
    """

    exit_code = 4
