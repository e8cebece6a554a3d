"""Test-suite configuration: the ``slow`` set.

The default ``pytest`` run (the README's command) leaves out the tests listed in
``SLOW``: simulation-based calibration (type I error and coverage over thousands
of simulated trials), notebook executions, the guessed-seed attack simulations, a
Dask cluster run and the heaviest reference comparisons. Nothing is dropped:
``pytest -m slow`` runs exactly that set, and ``.ci/run`` runs both; both use one
worker process per CPU (pytest-xdist, ``addopts`` in ``pyproject.toml``). The list
lives here, in one place, so that marking a test slow needs no edit of the test
module; an entry that matches no collected test fails the run when the whole suite
is collected, so the list cannot go stale.
"""

from __future__ import annotations

import pytest

#: test files, ``file::test_name`` (all parametrizations) or ``file::test_name[id]`` (one),
#: that run only with ``-m slow``
SLOW = (
    # times: CPU seconds of one test (parametrizations summed), measured under load
    "tests/test_notebooks.py::test_notebook_runs_without_errors",   # about 40 s idle
    "tests/test_calibration.py",
    "tests/test_cohort.py::test_calibration_under_null",
    # analyze() on all 250 stored trials (about a minute idle; a sample runs by default)
    "tests/test_analyze_regression.py::test_numbers_unchanged_all",
    "tests/test_analyze_regression.py::test_bayes_numbers_unchanged_all",
    "tests/test_bayes_calibration.py::test_decision_rule_calibration_over_the_whole_grid",
    "tests/test_bayes_calibration.py::test_legacy_prior_overstates_probabilities_at_four_mcids_of_noise",  # noqa: E501
    "tests/test_bayes_calibration.py::test_sceptical_interval_coverage_over_the_whole_grid",
    # all 200 trials; every 4th runs by default
    "tests/test_series_batch.py::test_batch_equals_analyze_person_by_person[all]",
    "tests/test_series_calibration.py",                                       # about 19 s
    # a Dask LocalCluster with two worker processes
    "tests/test_series_dask.py::test_local_cluster_gives_the_in_process_results",  # about 14 s
    # the posterior against two-dimensional adaptive quadrature, every prior and version
    "tests/test_bayes.py::test_posterior_matches_two_dimensional_numerical_integration",
    # guessed-seed attacks on 40 trials per design made with `nof1 design` (the module's
    # `attacked` fixture, about 10 s) and on 40 runs of the README's command; the
    # deterministic tamper and blinding checks stay in the default run
    "tests/test_attacks.py::test_guessed_seeds_recover_no_more_than_chance",
    "tests/test_attacks.py::test_control_the_same_attacker_wins_against_a_seed_only_draw",
    "tests/test_attacks.py::test_the_key_reproduces_the_allocation_the_seed_does_not",
    "tests/test_attacks.py::test_readme_example_a_participant_only_attacker_fails",  # 4 s
)


def _matches(nodeid: str, entry: str) -> bool:
    if "[" in entry:                       # one parametrization, named in full
        return nodeid == entry
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
