"""The design owns what it knows: no code outside ``nof1/design/`` branches on its kind.

Two kinds of evidence:

1. a static rule (read with ``ast``, nothing imported): outside ``nof1/design/`` no
   ``isinstance``/``issubclass`` against a concrete design class, no comparison with a
   design kind (``design.kind == "phase"``, ``spec["kind"] != "paired"``, ``type(d) is
   PairedDesign``), no table keyed by kind strings and no lookup by kind
   (``STATISTIC[design.kind]``), and no reading of the serialised ``"kind"`` key
   (``design_from_dict`` is the only reader);
2. a fourth design, defined only in this file, is scheduled, written as a trial
   folder, audited, analysed by its own randomization test and reported, and offered
   by the command line with its own options, without an edit anywhere else.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nof1 import (
    AlternatingDesign,
    PairedDesign,
    PhaseDesign,
    create_trial,
    make_schedule,
    randomization_test,
)
from nof1.cli import main
from nof1.design import Design, DesignOption, design_from_dict
from nof1.design.schedule import Schedule

PACKAGE = Path(__file__).resolve().parents[1] / "nof1"
#: the concrete designs the package ships
BUILT_IN = (PairedDesign, PhaseDesign, AlternatingDesign)
KINDS = frozenset(cls.kind for cls in BUILT_IN)
CLASS_NAMES = frozenset(cls.__name__ for cls in BUILT_IN)


# -- 1. the static rule ------------------------------------------------------------------
def _const_str(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_kind_literal(node: ast.AST) -> bool:
    """A kind string, or a tuple/list/set of kind strings."""
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_is_kind_literal(e) for e in node.elts)
    return _const_str(node) in KINDS


def _is_kind_key_read(node: ast.AST) -> bool:
    """``x["kind"]`` or ``x.get("kind")``: reading the serialised kind."""
    if isinstance(node, ast.Subscript):
        return _const_str(node.slice) == "kind"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get" and bool(node.args)
            and _const_str(node.args[0]) == "kind")


def _is_kind_read(node: ast.AST) -> bool:
    """``x.kind`` (but not numpy's ``dtype.kind``), ``x["kind"]`` or ``x.get("kind")``."""
    if isinstance(node, ast.Attribute) and node.attr == "kind":
        value = node.value
        return not (isinstance(value, ast.Attribute) and value.attr == "dtype")
    return _is_kind_key_read(node)


def _is_design_class(node: ast.AST) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_is_design_class(e) for e in node.elts)
    if isinstance(node, ast.Name):
        return node.id in CLASS_NAMES
    return isinstance(node, ast.Attribute) and node.attr in CLASS_NAMES


def kind_branches(source: str) -> list[tuple[int, str]]:
    """(line, what) of every branch on a design's kind in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("isinstance", "issubclass") and len(node.args) == 2
                and _is_design_class(node.args[1])):
            found.append((node.lineno, f"{node.func.id} against a design class"))
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_kind_read(o) or _is_kind_literal(o) or _is_design_class(o)
                   for o in operands):
                found.append((node.lineno, "comparison with a design kind or class"))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Attribute) \
                and _is_kind_read(node.slice):
            found.append((node.lineno, "lookup by design kind"))
        elif isinstance(node, ast.Dict):
            if sum(k is not None and _is_kind_literal(k) for k in node.keys) >= 2:
                found.append((node.lineno, "table keyed by design kinds"))
        if _is_kind_key_read(node):
            found.append((node.lineno, "reads the serialised 'kind' (use design_from_dict)"))
    return sorted(set(found))


OUTSIDE_DESIGN = sorted(p for p in PACKAGE.rglob("*.py")
                        if (PACKAGE / "design") not in p.parents)


def test_the_rule_sees_every_pattern():
    # guards the test itself: each line below is a kind branch and must be found
    bad = [
        "isinstance(d, PairedDesign)",
        "isinstance(d, (nof1.PhaseDesign, Design))",
        "if design.kind == 'phase': pass",
        "x = 1 if spec['kind'] != 'paired' else 2",
        "ok = d.get('kind') == 'alternating'",
        "ok = kind in ('paired', 'alternating')",
        "ok = type(d) is PhaseDesign",
        "STAT = {'paired': 'A-B', 'phase': 'PA-PB'}",
        "s = STAT[design.kind]",
        "k = json.loads(spec)['kind']",
    ]
    for line in bad:
        assert kind_branches(line), line
    fine = [
        "ok = arr.dtype.kind in 'iub'",            # numpy's kind
        "col = frame['phase']",                    # a column called phase
        "row = {'phase': 1, 'pack': 2}",           # one key that happens to be a kind
        "text = f'a {design.kind} design'",        # naming the kind is not branching on it
        "ok = design.pairs_are_blocks",
    ]
    for line in fine:
        assert not kind_branches(line), line


def test_no_code_outside_design_branches_on_the_design_kind():
    offences = {f"{path.relative_to(PACKAGE.parent)}:{line}": what
                for path in OUTSIDE_DESIGN
                for line, what in kind_branches(path.read_text(encoding="utf-8"))}
    assert len(OUTSIDE_DESIGN) > 50       # the walk saw the package
    assert not offences, (
        "branch on the design's kind outside nof1/design/; ask the design instead (a "
        f"member of nof1.design.Design): {offences}")


def test_only_serialisation_reads_the_kind_key_inside_design():
    readers = {path.name: kind_branches(path.read_text(encoding="utf-8"))
               for path in (PACKAGE / "design").glob("*.py")}
    reading = {name: hits for name, hits in readers.items()
               if any("serialised" in what for _, what in hits)}
    assert set(reading) == {"_base.py"}   # design_from_dict


# -- one wash-out rule -------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_one_washout_rule_for_schedule_folder_and_analysis(tmp_path, seed):
    # a wash-out of 6 days in phases of at least 5: refused by the schedule for every
    # seed (the schedule used to look at the phases drawn, and accepted 5 seeds in 20),
    # by the trial folder, and by the randomization test
    design = PhaseDesign("ABAB", 40, 5)
    rule = r"shorter than the shortest period the design allows \(5 days\)"
    with pytest.raises(ValueError, match=rule):
        make_schedule(design, start="2026-01-05", washout_days=6, rng=seed)
    with pytest.raises(ValueError, match=rule):
        create_trial(tmp_path / "t", design=design, start="2026-01-05", washout_days=6,
                     rng=seed)
    assert not (tmp_path / "t").exists()
    labels = design.draw(rng=seed)
    with pytest.raises(ValueError, match=rule):
        randomization_test(np.arange(40.0), labels, design=design, washout=6)
    # one day less is accepted by all three
    s = make_schedule(design, start="2026-01-05", washout_days=4, rng=seed)
    assert s.periods["n_analysed"].min() >= 1
    assert np.isfinite(randomization_test(np.arange(40.0), labels, design=design,
                                          washout=4).pvalue)


_DESIGNS = st.one_of(
    st.builds(PairedDesign, st.integers(1, 5)),
    st.builds(AlternatingDesign, st.sampled_from([4, 6, 8]), st.sampled_from([None, 1, 2])),
    st.integers(2, 4).flatmap(lambda p: st.integers(1, 4).flatmap(
        lambda m: st.builds(PhaseDesign, st.just("ABAB"[:p]),
                            st.integers(p * m, p * m + 6), st.just(m)))),
)


@settings(max_examples=60, deadline=None)
@given(design=_DESIGNS, unit_days=st.integers(1, 5), washout=st.integers(0, 12),
       seed=st.integers(0, 2**32))
def test_the_washout_rule_is_exactly_every_draw_keeps_analysed_days(design, unit_days,
                                                                     washout, seed):
    # accepted exactly when no admissible assignment has a period without analysed days
    shortest = min(
        int(np.min(np.bincount(design.unit_periods(a))[1:])) for a in design.all_assignments())
    ok = washout < shortest * unit_days
    if ok:
        s = make_schedule(design, start="2026-01-05", period_days=unit_days,
                          washout_days=washout, rng=seed)
        assert s.periods["n_analysed"].min() >= 1
    else:
        with pytest.raises(ValueError, match="shortest period the design allows"):
            make_schedule(design, start="2026-01-05", period_days=unit_days,
                          washout_days=washout, rng=seed)


# -- 2. a fourth design, defined here only -----------------------------------------------
def _abba_class() -> type[Design]:
    class ABBADesign(Design):
        """Counterbalanced cycles: each cycle of four periods is ABBA or BAAB at random."""

        kind = "abba_test_only"
        default_unit_days = 7
        options = (DesignOption("cycles", "n_cycles", 3, "number of ABBA/BAAB cycles"),
                   DesignOption("period_days", "unit_days", 7, "days per period (default 7)"))

        def __init__(self, n_cycles: int = 3):
            self.n_cycles = int(n_cycles)

        @property
        def n_units(self) -> int:
            return 4 * self.n_cycles

        @property
        def n_assignments(self) -> int:
            return 2 ** self.n_cycles

        @property
        def scrt_design(self) -> str:
            return "RBD"

        @property
        def symmetric(self) -> bool:
            return True

        @staticmethod
        def _expand(first: np.ndarray) -> np.ndarray:
            first = np.asarray(first, dtype=np.int8)
            cycle = np.stack([first, 1 - first, 1 - first, first], axis=-1)
            return cycle.reshape(first.shape[:-1] + (-1,))

        def _draw(self, rng: np.random.Generator) -> np.ndarray:
            return self._expand(rng.integers(0, 2, self.n_cycles))

        def _iter(self, chunk_size: int):
            codes = np.array(list(itertools.product((0, 1), repeat=self.n_cycles)),
                             dtype=np.int8)
            for start in range(0, len(codes), chunk_size):
                yield self._expand(codes[start:start + chunk_size])

        def to_dict(self) -> dict:
            return {"kind": self.kind, "n_cycles": self.n_cycles}

        def _is_admissible(self, a: np.ndarray) -> bool:
            c = a.reshape(self.n_cycles, 4)
            return bool(np.all((c[:, 0] != c[:, 1]) & (c[:, 1] == c[:, 2])
                               & (c[:, 0] == c[:, 3])))

    return ABBADesign


@pytest.fixture
def abba():
    cls = _abba_class()
    try:
        yield cls
    finally:  # leave the registry as the package defines it
        Design._by_kind.pop(cls.kind, None)


def _brute_force_pvalue(scores: np.ndarray, labels: np.ndarray, assignments: np.ndarray
                        ) -> float:
    """Two-sided randomization p-value of the difference of means, one assignment at a time."""
    def stat(a):
        return scores[a == 0].mean() - scores[a == 1].mean()

    t = abs(stat(labels))
    values = np.array([abs(stat(a)) for a in assignments])
    return float(np.mean(values >= t - 1e-12))


def test_a_new_design_is_scheduled_and_serialised(abba):
    design = abba(4)
    s = make_schedule(design, start="2026-01-05", washout_days=2, rng=11)
    assert s.period_days == 7                                  # the design's own default
    assert design.is_admissible(s.assignment)
    assert list(s.periods["n_analysed"]) == [5] * 16
    assert design_from_dict(json.loads(json.dumps(design.to_dict()))) == design
    again = Schedule.from_dict(json.loads(json.dumps(s.to_dict())))
    assert np.array_equal(again.assignment, s.assignment) and again.design == design
    with pytest.raises(ValueError, match="shortest period the design allows"):
        make_schedule(design, start="2026-01-05", washout_days=7, rng=11)


def test_a_new_design_is_tested_over_its_own_reference_set(abba):
    design = abba(9)
    rng = np.random.default_rng(2026)
    all_assignments = design.all_assignments()
    assert len({a.tobytes() for a in all_assignments}) == 512
    assert all(design.is_admissible(a) for a in all_assignments)
    for _ in range(3):
        labels = design.draw(rng)
        scores = rng.normal(size=design.n_units) - 0.5 * (labels == 0)
        res = randomization_test(scores, labels, design=design)
        assert res.exact and res.n_assignments == 512
        assert res.pvalue == pytest.approx(
            _brute_force_pvalue(scores, labels, all_assignments), abs=1e-12)
        # Monte Carlo draws come from the design too: an estimate of the same p-value
        # (4 binomial standard errors, plus the observed assignment counted once)
        mc = randomization_test(scores, labels, design=design, n_resamples=400, rng=1)
        assert not mc.exact
        assert abs(mc.pvalue - res.pvalue) < 4 * np.sqrt(0.25 / 400) + 1 / 400
    with pytest.raises(ValueError, match="not an admissible assignment"):
        randomization_test(np.arange(36.0), [0, 1] * 18, design=design)

    class Claims(abba):  # claims a statistic no registered evaluator computes for it
        statistic_bases = ("A-B", "PA-PB")

    with pytest.raises(ValueError, match="no evaluator for statistic 'PA-PB'"):
        randomization_test(np.arange(36.0), labels, design=Claims(9), statistic="PA-PB")


def test_a_new_design_runs_the_whole_trial_workflow(abba, tmp_path):
    from nof1.planning.simulate import simulate_diary
    from nof1.report import render_report
    from nof1.trial import read_trial
    from nof1.trial._atomic import write_file_atomic
    from nof1.workflow import analyze_folder

    trial = create_trial(tmp_path / "t", design=abba(4), start="2026-01-05",
                         washout_days=2, rng=5, entropy="ab" * 32)
    assert "ABBADesign(n_cycles=4)" in trial.summary()
    assert trial.key["allocation"]["randomize_roles"] is False    # symmetric: no coin
    schedule = read_trial(trial.directory, unblind=True).schedule
    diary = simulate_diary(schedule, rng=5)
    write_file_atomic(trial.directory / "participant" / "diary.csv",
                      diary.to_csv(index=False).encode("utf-8"), overwrite=True)
    out = analyze_folder(trial.directory, rng=5,
                         today=trial.protocol.end + dt.timedelta(days=1))
    pain = out.result["pain"]
    rand = pain.tests["randomization"]
    assert rand.exact and rand.n_assignments == 16
    assert rand.design == {"kind": "abba_test_only", "n_cycles": 4}
    assert pain.method == Design.primary_procedure
    assert "ABBADesign(n_cycles=4)" in render_report(out.result, out.diary,
                                                     provenance=out.provenance)


def test_a_new_design_brings_its_command_line_options(abba, tmp_path, capsys):
    assert main(["design", "--help"]) == 0
    helptext = capsys.readouterr().out
    assert "abba_test_only" in helptext
    assert re.search(r"--cycles CYCLES\s+abba_test_only: number of ABBA/BAAB cycles",
                     helptext)
    # a shared option names every design that takes it, with each one's own help
    assert re.search(r"paired/alternating: days per period \(default\s+14\);\s+"
                     r"abba_test_only: days per period \(default 7\)", helptext)
    code = main(["design", str(tmp_path / "t"), "--design", "abba_test_only", "--cycles",
                 "2", "--start", "2030-01-07", "--washout-days", "3"])
    out, err = capsys.readouterr()
    assert code == 0, err
    key = json.loads((tmp_path / "t" / "helper" / "key.json").read_text())
    assert key["schedule"]["design"] == {"kind": "abba_test_only", "n_cycles": 2}
    assert key["schedule"]["period_days"] == 7
    assert "Power: not simulated for a abba_test_only design" in out
    code = main(["design", str(tmp_path / "u"), "--design", "abba_test_only", "--pairs", "3",
                 "--start", "2030-01-07"])
    assert code == 2
    assert "--pairs does not apply to a abba_test_only design" in capsys.readouterr().err
