"""The import contract: dependencies follow the flow of a trial, one way.

design <- trial <- data <- analysis <- planning | report <- workflow <- series <- cli
(``DESIGN.md``, "The flow"). The test reads every module of ``nof1/`` with
``ast`` (nothing is imported) and checks, for every import statement, at the
top of a module or inside a function:

1. a module imports only from its own layer or lower ones, and groups that
   share a layer (planning and report; design, instruments and cohort) do not
   import each other;
2. only ``nof1.report.plots`` and ``nof1.series.plots`` import matplotlib;
3. nothing ``nof1.analysis`` loads, directly or through other modules, writes
   trial files (the trial folder, blinding and protocol writers, report, plots);
4. no import sits inside a function to dodge an import cycle: a function-local
   import of a nof1 module is allowed (the command line uses them to start
   fast) unless importing that module at the top would load the importing
   module again. The cases that exist today are listed in ``CYCLE_DODGES``.

The layers are written for the current module layout; when modules move, edit
``LAYERS`` (and delete entries from ``CYCLE_DODGES`` as they are resolved).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nof1"

#: lowest first; a layer is one group, or several groups that must not import each other
LAYERS: list[dict[str, tuple[str, ...]]] = [
    {"foundation": ("nof1._validation", "nof1._results", "nof1._inference", "nof1.exceptions",
                    "nof1.outcomes", "nof1._style", "nof1._jsonfile",
                    "nof1._constants")},
    {"design": ("nof1.design",),
     "instruments": ("nof1.instruments",),
     "cohort": ("nof1.cohort",)},
    {"trial": ("nof1.trial",)},
    {"data": ("nof1.data",)},
    {"analysis": ("nof1.analysis",)},
    {"planning": ("nof1.planning",),
     "report": ("nof1.report",)},
    {"workflow": ("nof1.workflow",)},
    {"series": ("nof1.series",)},
    {"cli": ("nof1.cli",)},
]

#: the only modules that may import matplotlib
MATPLOTLIB_USERS = ("nof1.report.plots", "nof1.series.plots")

#: modules that write trial files; nothing analysis loads may reach them
FILE_WRITERS = ("nof1.trial", "nof1.report")

#: function-local imports that exist only because a top-level import would close a cycle
#: (importer, imported) -> why; each is a debt to pay off, not a pattern to copy
CYCLE_DODGES: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    target: str           # a module or package of nof1, or a third-party top-level name
    names: tuple[str, ...]
    local: bool           # inside a function
    runtime: bool         # False under ``if TYPE_CHECKING:``
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> list[Import]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, local: bool, runtime: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(module, alias.name, (), local, runtime, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                names = tuple(alias.name for alias in child.names)
                submodules = [n for n in names if f"{source}.{n}" in MODULES]
                for name in submodules:     # ``from . import bayes`` imports a module
                    found.append(Import(module, f"{source}.{name}", (), local, runtime,
                                        child.lineno))
                rest = tuple(n for n in names if n not in submodules)
                if rest or not submodules:
                    found.append(Import(module, source, rest, local, runtime, child.lineno))
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, True, runtime)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                visit(child, local, False)
            else:
                visit(child, local, runtime)

    visit(ast.parse(path.read_text(), filename=str(path)), False, True)
    return found


IMPORTS = [imp for module in MODULES for imp in _imports(module)]
INTERNAL = [imp for imp in IMPORTS if imp.target.split(".")[0] == "nof1"]


def _place(module: str) -> tuple[int, str] | None:
    """(layer index, group) of a module; None for the package root."""
    for rank, layer in enumerate(LAYERS):
        for group, prefixes in layer.items():
            if any(module == p or module.startswith(p + ".") for p in prefixes):
                return rank, group
    return None


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _edges(module: str, *, with_local: bool) -> set[str]:
    """The nof1 modules that running ``module``'s imports loads first: each target and
    its packages (the packages that contain ``module`` itself are loading already)."""
    out: set[str] = set()
    for imp in INTERNAL:
        if imp.importer == module and imp.runtime and (with_local or not imp.local):
            for target in (*_parents(imp.target), imp.target):
                if target != "nof1" and not (module + ".").startswith(target + "."):
                    out.add(target)       # the root is a lazy facade: it loads nothing
    return out


def _loads(module: str, *, with_local: bool) -> set[str]:
    """Every nof1 module that importing ``module`` (and, with ``with_local``, calling
    its functions) loads, ``module`` and its packages included."""
    seen = {m for m in (*_parents(module), module) if m != "nof1"}
    todo = list(seen)
    while todo:
        for target in _edges(todo.pop(), with_local=with_local) - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_every_module_has_a_layer():
    unplaced = [m for m in MODULES if m != "nof1" and _place(m) is None]
    assert not unplaced, f"add these modules to LAYERS: {unplaced}"


def test_the_parser_sees_known_imports():
    # guards the test itself: a resolver bug would make every rule pass vacuously
    pairs = {(i.importer, i.target, i.local) for i in INTERNAL}
    assert ("nof1.analysis.randomization", "nof1.analysis._rand_ci", False) in pairs
    assert ("nof1.trial.folder", "nof1.trial.protocol", False) in pairs
    assert ("nof1.trial.blinding", "nof1.trial._atomic", False) in pairs
    assert ("nof1.cli.power", "nof1.planning.power", True) in pairs
    assert any(i.target == "matplotlib.pyplot" and i.importer == "nof1.report.plots"
               for i in IMPORTS)


@pytest.mark.parametrize("imp", INTERNAL, ids=lambda i: f"{i.importer}:{i.line}")
def test_imports_point_down_the_flow(imp):
    if imp.target == "nof1":
        # the root package is a lazy facade; modules may take only its version from it
        assert set(imp.names) <= {"__version__"}, f"{imp.importer} imports {imp.names} from nof1"
        return
    (low, low_group), (high, high_group) = _place(imp.target), _place(imp.importer)
    assert low < high or (low == high and low_group == high_group), (
        f"{imp.importer} (layer {high_group}) imports {imp.target} (layer {low_group}) "
        f"at line {imp.line}")


def test_only_plots_and_report_import_matplotlib():
    users = {(i.importer, i.line) for i in IMPORTS if i.target.split(".")[0] == "matplotlib"
             and not any(i.importer == m or i.importer.startswith(m + ".")
                         for m in MATPLOTLIB_USERS)}
    assert not users
    assert {i.importer for i in IMPORTS if i.target.startswith("matplotlib")} <= set(
        MATPLOTLIB_USERS)


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("nof1.analysis")])
def test_analysis_never_loads_a_file_writer(module):
    reached = _loads(module, with_local=True)
    writers = {m for m in reached if any(m == w or m.startswith(w + ".") for w in FILE_WRITERS)}
    assert not writers, f"{module} loads {sorted(writers)}"


def test_no_function_local_import_dodges_a_cycle():
    dodges = {}
    for imp in INTERNAL:
        if imp.local and imp.target != "nof1" and imp.importer in _loads(imp.target,
                                                                          with_local=False):
            dodges[(imp.importer, imp.target)] = imp.line
    unexpected = {pair: line for pair, line in dodges.items() if pair not in CYCLE_DODGES}
    assert not unexpected, (
        f"function-local imports that hide an import cycle: {unexpected}; restructure "
        f"the modules instead (see CYCLE_DODGES for the known cases)")
    resolved = set(CYCLE_DODGES) - set(dodges)
    assert not resolved, f"these cycles are gone: delete them from CYCLE_DODGES: {resolved}"


def test_no_import_cycle_at_import_time():
    for module in MODULES:
        if module == "nof1":
            continue
        reached: set[str] = set()
        todo = list(_edges(module, with_local=False))
        while todo:
            current = todo.pop()
            if current not in reached:
                reached.add(current)
                todo.extend(_edges(current, with_local=False))
        assert module not in reached, f"{module} imports itself through a cycle"
