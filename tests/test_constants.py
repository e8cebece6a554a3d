"""Constants shared across layers are defined once (``nof1/_constants.py``) and used, not copied."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nof1 import _constants

PACKAGE = Path(__file__).resolve().parents[1] / "nof1"


def _strings(path: Path) -> list[str]:
    """The string literals of a module's code (docstrings of modules, classes and
    functions left out: prose may quote a value)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_the_disclaimer_is_not_copied(path):
    if path.name == "_constants.py":
        return
    copies = [s for s in _strings(path) if "medical advice" in s]
    assert not copies, f"{path}: use nof1._constants.DISCLAIMER instead of {copies}"


def test_the_adherence_threshold_reaches_every_reader():
    from nof1.analysis import _primary, trial
    from nof1.data import diary
    from nof1.report import _view

    assert diary.MIN_ADHERENCE is _primary.MIN_ADHERENCE is _constants.MIN_ADHERENCE
    assert trial.MIN_ADHERENCE is _view.MIN_ADHERENCE is _constants.MIN_ADHERENCE
    pct = f"{_constants.MIN_ADHERENCE:.0%}"
    assert f"per protocol (adherence >= {pct})" in _view._ANALYSIS_LABELS
    assert pct in _view._SENSITIVITY_LABELS["per_protocol"]


def test_the_disclaimer_is_the_one_shown():
    from nof1.report import DISCLAIMER as in_report
    from nof1.trial.protocol import DISCLAIMER as in_protocol

    assert in_report is in_protocol is _constants.DISCLAIMER


def test_the_start_range_is_the_same_for_the_folder_and_the_command_line():
    from nof1.cli import _common
    from nof1.trial import folder

    assert folder.START_RANGE is _common.START_RANGE is _constants.START_RANGE


def test_the_series_test_draws_as_many_resamples_as_the_trial_test():
    from nof1.analysis import randomization
    from nof1.series import randtest

    assert randtest.DEFAULT_RESAMPLES is randomization.DEFAULT_RESAMPLES
