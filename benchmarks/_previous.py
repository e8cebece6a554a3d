"""The package as of an earlier commit, importable beside the current one as ``nof1_prev``.

Benchmarks compare the current implementation with the previous one in the same
run. ``load_previous(rev)`` extracts ``nof1/`` at git revision ``rev`` (with
``git archive``) into a temporary directory and imports it under the name
``nof1_prev``; the package uses relative imports only, so the two copies do not
mix.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

#: the last commit before the speed work (issue 11): the reference implementation
PREVIOUS = "fc157a6"
ROOT = Path(__file__).resolve().parents[1]


def load_previous(rev: str = PREVIOUS, name: str = "nof1_prev") -> ModuleType:
    """Import ``nof1`` as of git revision ``rev`` under the module name ``name``."""
    if name in sys.modules:
        return sys.modules[name]
    blob = subprocess.run(["git", "archive", rev, "nof1"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    target = Path(tempfile.mkdtemp(prefix=f"{name}_"))
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(target, filter="data")
    init = target / "nof1" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(init.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
