"""The top-level namespace: every exported name resolves, and start-up stays light.

``nof1/__init__.pyi`` lists the public names; ``lazy_loader`` imports each on first
use. These tests check behaviour (which modules a fresh interpreter has loaded),
not time: the timings live in ``benchmarks/bench_import.py``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import nof1

STUB = Path(nof1.__file__).with_suffix(".pyi")
HEAVY = ("pandas", "scipy", "statsmodels", "matplotlib", "icalendar", "tqdm")


def _loaded_after(code: str) -> set[str]:
    """Top-level package names a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("name", nof1.__all__)
def test_every_exported_name_resolves(name):
    value = getattr(nof1, name)
    assert value is not None
    if callable(value):
        # the attribute is the object its defining module holds, not a stand-in
        assert getattr(sys.modules[value.__module__], value.__qualname__) is value


def test_all_matches_the_stub_and_the_previous_api():
    stub = ast.parse(STUB.read_text())
    names = {alias.asname or alias.name for node in stub.body
             if isinstance(node, ast.ImportFrom) and node.module
             for alias in node.names}
    assert set(nof1.__all__) == names | {"__version__"}
    # names that were public before the namespace became lazy stay public
    for name in ("analyze", "PairedDesign", "make_schedule", "read_diary", "create_trial",
                 "randomization_test", "simulate_power", "score_dass", "compare_arms"):
        assert name in nof1.__all__


def test_star_import_binds_every_name():
    namespace: dict = {}
    exec("from nof1 import *", namespace)
    assert set(nof1.__all__) <= set(namespace)


def test_subpackages_are_attributes_of_the_package():
    for module in ("analysis", "design", "exceptions", "trial", "planning", "report"):
        assert getattr(nof1, module).__name__ == f"nof1.{module}"


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError):
        nof1.no_such_name  # noqa: B018


def test_import_nof1_loads_no_scientific_package():
    loaded = _loaded_after("import nof1")
    assert not loaded & {"numpy", *HEAVY}, loaded & {"numpy", *HEAVY}


def test_console_entry_loads_no_heavy_package():
    # the console script imports nof1.cli and calls run(); --help must not need more
    loaded = _loaded_after("import nof1.cli")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_first_use_loads_the_name_it_needs():
    loaded = _loaded_after("import nof1\nnof1.PairedDesign(3)")
    assert "numpy" in loaded
    assert not loaded & {"statsmodels", "matplotlib"}


ANALYSIS_STUB = Path(nof1.__file__).parent / "analysis" / "__init__.pyi"


def test_analysis_namespace_matches_its_stub_and_every_name_resolves():
    import nof1.analysis as analysis

    stub = ast.parse(ANALYSIS_STUB.read_text())
    names = {alias.asname or alias.name for node in stub.body
             if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert set(analysis.__all__) == names
    for name in names:
        value = getattr(analysis, name)
        if callable(value):
            assert getattr(sys.modules[value.__module__], value.__qualname__) is value


def test_a_randomization_test_needs_neither_pandas_nor_scipy():
    # as a whole process a small exact test is dominated by start-up (issue: SCRT starts
    # in about 0.3 s); the test itself needs numpy only
    loaded = _loaded_after("from nof1 import PairedDesign\n"
                           "from nof1.analysis import randomization_test\n"
                           "d = PairedDesign(6)\n"
                           "randomization_test(list(range(12)), d.draw(1), design=d)")
    assert "numpy" in loaded
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
