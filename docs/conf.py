"""Sphinx configuration for the nof1 documentation.

Build (warnings are errors)::

    pip install -e '.[docs]'
    sphinx-build -W --keep-going -b html docs docs/_build/html

The API pages are generated at build time from the package itself (the
top-level names from ``nof1/__init__.pyi``, the modules from their ``__all__``),
so a new public name appears without editing the docs. The notebooks in
``notebooks/`` are rendered with their stored outputs; they are never executed
here (``tests/test_notebooks.py`` executes them).
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import nof1  # noqa: E402

project = "nof1"
author = "nof1 developers"
copyright = "2026, nof1 developers"
release = version = nof1.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# Docstrings write absolute values as plain text, |d| or |A-B|; reST would read them
# as substitutions, so each is defined as itself.
_ABSOLUTE_VALUES = ("d", "delta", "rho", "A-B", "PA-PB", "effect", "x")
rst_prolog = "\n".join(f".. |{v}| replace:: \\|{v}\\|" for v in _ABSOLUTE_VALUES)

# -- notebooks: stored outputs only ----------------------------------------------------
nb_execution_mode = "off"
nb_merge_streams = True
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

# -- API reference ----------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"          # the numpydoc Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# no intersphinx: the build must not need the network

# -- HTML ---------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"nof1 {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_static_path: list[str] = []


# -- generated pages ----------------------------------------------------------------------
def _stub_groups() -> list[tuple[str, list[str]]]:
    """The top-level names in the order and groups of ``nof1/__init__.pyi``."""
    groups: list[tuple[str, list[str]]] = []
    title = None
    for line in (ROOT / "nof1" / "__init__.pyi").read_text().splitlines():
        if line.startswith("# ") and not line.startswith("# subpackages") and title is None:
            title = line[2:].strip()
        if line.startswith("from .") and title is not None:
            groups.append((title, []))
            title = "-"
            if " as " in line and not line.rstrip().endswith("("):
                # a one-line import: ``from .x import Name as Name``
                groups[-1][1].append(line.split(" import ")[1].split(" as ")[0].strip())
        if line.startswith("    ") and " as " in line and groups:
            groups[-1][1].append(line.split(" as ")[0].strip())
        if not line.strip():
            title = None
    merged: list[tuple[str, list[str]]] = []
    for title, names in groups:
        if title == "-" and merged:
            merged[-1][1].extend(names)
        else:
            merged.append((title, names))
    return [(t.capitalize(), n) for t, n in merged]


def _public_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(nof1.__path__, prefix="nof1."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]):
            continue
        names.append(info.name)
    return sorted(names)


def _module_names(module) -> list[str]:
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__]


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


#: subpackages outside the top-level namespace whose names get their own index section
SUBPACKAGE_SECTIONS = (("Series of personal trials", "nof1.series",
                        "Pooling several people's trials"),)


def _index_text() -> str:
    """``api/index.rst``: the top-level names by group, the subpackages, the modules."""
    lines = ["API reference", "=============", "",
             "Every public name of the top-level ``nof1`` namespace, then each module.",
             "Each object is documented once, under the shortest public name that",
             "exports it; other modules that re-export it link there.", "",
             ".. currentmodule:: nof1", ""]
    for title, names in _stub_groups():
        lines += [title, "-" * len(title), "", ".. autosummary::", "   :toctree: generated/",
                  "", *(f"   {n}" for n in names), ""]
    for label, package, blurb in SUBPACKAGE_SECTIONS:
        title = f"{label} (``{package}``)"
        names = importlib.import_module(package).__all__
        lines += [title, "-" * len(title), "", f"{blurb}; documented under :mod:`{package}`.",
                  "", f".. currentmodule:: {package}", "", ".. autosummary::", "",
                  *(f"   {n}" for n in names), "", ".. currentmodule:: nof1", ""]
    lines += ["Modules", "-------", "", ".. toctree::", "   :maxdepth: 1", "",
              *(f"   {m}" for m in _public_modules()), ""]
    return "\n".join(lines)


def _api_pages() -> None:
    api = HERE / "api"
    _write_if_changed(api / "index.rst", _index_text())
    modules = _public_modules()
    # the home of each object: nof1 itself, else the shallowest module exporting it
    home: dict[int, str] = {id(getattr(nof1, n)): "nof1" for n in nof1.__all__
                            if n != "__version__"}
    loaded = {m: importlib.import_module(m) for m in modules}
    for name in sorted(modules, key=lambda m: (m.count("."), m)):
        for attr in _module_names(loaded[name]):
            home.setdefault(id(getattr(loaded[name], attr)), name)
    for name, module in loaded.items():
        own, elsewhere = [], []
        for attr in _module_names(module):
            where = home[id(getattr(module, attr))]
            (own if where == name else elsewhere).append(f"{where}.{attr}")
        body = [f"``{name}``", "=" * (len(name) + 4), "", f".. automodule:: {name}",
                "   :no-members:", "", f".. currentmodule:: {name}", ""]
        if own:
            body += [".. autosummary::", "   :toctree: generated/", "",
                     *(f"   {n.rpartition('.')[2]}" for n in own), ""]
        if elsewhere:
            body += ["Also available here: " + ", ".join(f":obj:`{n}`" for n in elsewhere)
                     + ".", ""]
        _write_if_changed(api / f"{name}.rst", "\n".join(body))


#: the subcommands, in the order of the trial workflow
COMMANDS = ("design", "status", "verify", "groups", "analyze", "demo", "power",
            "series", "series collect", "series analyze")


def _cli_page() -> None:
    """``nof1 --help`` and every ``nof1 COMMAND --help``, as the installed command prints them."""
    import subprocess
    import textwrap

    def helptext(*args: str) -> str:
        run = subprocess.run([sys.executable, "-m", "nof1.cli", *args, "--help"],
                             capture_output=True, text=True, check=True, cwd=ROOT,
                             env={**os.environ, "COLUMNS": "88"})
        return textwrap.indent(run.stdout.rstrip(), "   ")

    lines = ["Command line", "============", "",
             "The ``nof1`` command is a thin shell over the public functions; see",
             ":doc:`../workflow` for the order in which a trial uses it. This page is",
             "generated from the command's own ``--help``.", "",
             "``nof1``", "--------", "", ".. code-block:: text", "", helptext(), ""]
    for command in COMMANDS:
        title = f"``nof1 {command}``"
        lines += [title, "-" * len(title), "", ".. code-block:: text", "",
                  helptext(*command.split()), ""]
    _write_if_changed(HERE / "api" / "cli.rst", "\n".join(lines))


def _copy_notebooks() -> None:
    target = HERE / "notebooks"
    target.mkdir(exist_ok=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        dest = target / nb.name
        if not dest.exists() or dest.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, dest)


def _generate(app, config) -> None:
    _api_pages()
    _cli_page()
    _copy_notebooks()


def setup(app):
    # config-inited comes before Sphinx lists the source files, so the generated
    # pages are found and autosummary writes their stubs
    app.connect("config-inited", _generate)
    return {"parallel_read_safe": True}
