"""Execute every notebook in notebooks/ top to bottom; any error fails the test.

The notebooks run in a Jupyter kernel named ``python3`` against the installed
package and ``sample_data/``, with the notebook's folder as working directory.
The kernel must be this interpreter (the project's environment). CI must make
that so, e.g. with ``python -m ipykernel install --sys-prefix`` in the virtual
environment before running pytest (a kernelspec whose command is a bare
``python`` is resolved by jupyter_client to the running interpreter).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "python3"


def test_notebooks_are_found():
    assert ROOT / "notebooks" / "02_trial_2022_subgroups.ipynb" in NOTEBOOKS


def test_kernel_is_this_interpreter():
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:  # pragma: no cover - environment problem
        pytest.fail(f"no Jupyter kernel named {KERNEL!r}; run "
                    f"`{sys.executable} -m ipykernel install --sys-prefix`")
    command = spec.argv[0]
    # jupyter_client replaces these bare names by sys.executable when it starts the kernel
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    same = command in bare or Path(command).resolve() == Path(sys.executable).resolve()
    assert same, (f"kernel {KERNEL!r} runs {command!r}, not this interpreter "
                  f"{sys.executable!r}; run `{sys.executable} -m ipykernel install --sys-prefix`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_errors(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors
