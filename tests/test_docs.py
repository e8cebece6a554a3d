"""The documentation: citations point at sections that exist; the API reference is complete.

The Sphinx build itself runs in CI (``.ci/run``:
``sphinx-build -W --keep-going -b html docs docs/_build/html``).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import nof1

ROOT = Path(__file__).resolve().parents[1]
METHODS = ROOT / "docs" / "methods.md"
#: "docs/methods.md §2.5", "``docs/methods.md`` §3.1-§3.2", "methods.md §2.9 and §3", across lines
CITATION = re.compile(r"methods\.md`*\s*(§[\d.]*\d(?:\s*(?:-|,|and)\s*§[\d.]*\d)*)")


def _sections() -> set[str]:
    heads = re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", METHODS.read_text(), flags=re.M)
    return set(heads)


def _citations() -> list[tuple[str, str]]:
    found = []
    for path in [*sorted((ROOT / "nof1").rglob("*.py")), *sorted((ROOT / "tests").glob("*.py"))]:
        text = path.read_text()
        for match in CITATION.finditer(text):
            for number in re.findall(r"§(\d+(?:\.\d+)?)", match.group(1)):
                found.append((path.relative_to(ROOT).as_posix(), number))
    return found


def _conf():
    spec = importlib.util.spec_from_file_location("docs_conf", ROOT / "docs" / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)       # defines the configuration; generates nothing
    return module


def test_methods_page_has_numbered_sections():
    assert {"1.7", "2.1", "2.3", "2.5", "2.9", "3.1", "4.3"} <= _sections()


def test_every_methods_citation_names_an_existing_section():
    citations = _citations()
    assert len(citations) >= 15          # guards the pattern itself
    missing = [(where, number) for where, number in citations if number not in _sections()]
    assert not missing, missing


def test_no_citation_of_a_file_outside_the_repository():
    for path in sorted((ROOT / "nof1").rglob("*.py")):
        assert "research/methods.md" not in path.read_text(), path


def test_api_reference_lists_every_top_level_name():
    listed = [name for _, names in _conf()._stub_groups() for name in names]
    assert sorted(listed) == sorted(n for n in nof1.__all__ if n != "__version__")
    assert len(listed) == len(set(listed))


def test_api_reference_lists_the_series_subpackage():
    import nof1.series

    index = _conf()._index_text()
    section = index.split("(``nof1.series``)")[1].split("Modules\n")[0]
    listed = re.findall(r"^   (\w+)$", section, flags=re.M)
    assert listed == list(nof1.series.__all__)
    assert "   nof1.series\n" in index            # and its module page


@pytest.mark.parametrize("page", ["index.md", "getting_started.md", "workflow.md",
                                  "methods.md", "notebooks.md", "changelog.md"])
def test_pages_exist(page):
    assert (ROOT / "docs" / page).stat().st_size > 0


def test_getting_started_shows_the_readme_commands():
    readme = (ROOT / "README.md").read_text()
    page = (ROOT / "docs" / "getting_started.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    for command in commands:
        assert command in page


def _public_dataclasses() -> list[type]:
    import dataclasses
    import importlib
    import inspect
    import pkgutil

    found: dict[int, type] = {}
    for info in pkgutil.walk_packages(nof1.__path__, prefix="nof1."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            # a private module's results still reach users as fields of public ones
            names = [n for n, obj in vars(module).items()
                     if n.endswith("Result") and getattr(obj, "__module__", "") == info.name]
        else:
            names = getattr(module, "__all__", [])
        for name in names:
            obj = getattr(module, name)
            if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
                found[id(obj)] = obj
    return sorted(found.values(), key=lambda c: f"{c.__module__}.{c.__qualname__}")


@pytest.mark.parametrize("cls", _public_dataclasses(), ids=lambda c: c.__qualname__)
def test_result_classes_document_their_fields(cls):
    import dataclasses

    name = f"{cls.__module__}.{cls.__qualname__}"
    doc = cls.__doc__ or ""
    assert re.search(r"^\s*(Attributes|Parameters)\n\s*-+\n", doc, re.M), name
    listed = set(re.findall(r"^\s{4}([a-z_0-9, ]+?)(?: :|$)", doc, re.M))
    names = {n.strip() for entry in listed for n in entry.split(",")}
    missing = [f.name for f in dataclasses.fields(cls)
               if not f.name.startswith("_") and f.name not in names]
    assert not missing, f"{name} does not document {missing}"
