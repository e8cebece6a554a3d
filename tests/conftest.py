"""Test-suite configuration: the ``slow`` set.

The default ``pytest`` run (the README's command) leaves out the tests listed in
``SLOW``: simulation-based calibration (type I error and coverage over thousands
of simulated trials), notebook executions and the heaviest property-based
searches. Nothing is dropped: ``pytest -m slow`` runs exactly that set, and
``.ci/run`` runs both. The list lives here, in one place, so that marking a test
slow needs no edit of the test module; an entry that matches no collected test
fails the run when the whole suite is collected, so the list cannot go stale.
"""

from __future__ import annotations

import pytest

#: test files, or ``file::test_name`` (all parametrizations), that run only with ``-m slow``
SLOW = (
    "tests/test_notebooks.py::test_notebook_runs_without_errors",   # about 40 s idle
    "tests/test_calibration.py",
    "tests/test_cohort.py::test_calibration_under_null",
    # analyze() on all 250 stored trials (about a minute idle; a sample runs by default)
    "tests/test_analyze_regression.py::test_numbers_unchanged_all",
    "tests/test_analyze_regression.py::test_bayes_numbers_unchanged_all",
    "tests/test_bayes_calibration.py::test_decision_rule_calibration_over_the_whole_grid",
    "tests/test_bayes_calibration.py::test_legacy_prior_overstates_probabilities_at_four_mcids_of_noise",  # noqa: E501
    "tests/test_bayes_calibration.py::test_sceptical_interval_coverage_over_the_whole_grid",
)


def _matches(nodeid: str, entry: str) -> bool:
    name = nodeid.split("[", 1)[0]
    return name == entry or name.startswith(entry + "::")


@pytest.hookimpl(tryfirst=True)    # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    used = set()
    for item in items:
        for entry in SLOW:
            if _matches(item.nodeid, entry):
                item.add_marker(pytest.mark.slow)
                used.add(entry)
    whole_suite = not config.args or config.args == config.getini("testpaths")
    unused = set(SLOW) - used
    if whole_suite and not config.getoption("keyword") and unused:
        raise pytest.UsageError(f"tests/conftest.py SLOW lists tests that do not exist: "
                                f"{sorted(unused)}")
