"""Failure modes found by trying to break the command line: each is one line and a
documented exit code, never a traceback, a misleading message or a half-written file."""

from __future__ import annotations

import json
import shutil

import pytest

from nof1.cli import EXIT_CODES, main
from nof1.exceptions import KeyMismatchError, Nof1Error, PlanMismatchError, TrialNotFinishedError


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("red")
    assert main(["demo", str(root / "trial"), "--seed", "4"]) == 0
    return root / "trial"


def _copy(demo, tmp_path):
    target = tmp_path / "trial"
    shutil.copytree(demo, target)
    (target / "report.html").unlink()
    return target


def _one_line(capsys, start="nof1: error: "):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(start) and "Traceback" not in err
    assert ".tmp-" not in err  # never a hidden temporary's name
    return lines[0]


def test_help_documents_every_exit_code(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out
    for code, what in EXIT_CODES.items():
        assert f"  {code:<4} {what}" in out
    assert set(EXIT_CODES) == {0, 1, 2, 3, 4, 130, 143}


@pytest.mark.parametrize(("error", "code"), [
    (KeyMismatchError("k"), 1), (Nof1Error("x"), 2), (PlanMismatchError("p"), 3),
    (TrialNotFinishedError("t"), 4), (OverflowError("date value out of range"), 2),
    (RecursionError("maximum recursion depth exceeded"), 2), (MemoryError(), 2),
    (EOFError(), 2)])
def test_each_error_class_has_its_documented_exit_code(monkeypatch, capsys, error, code):
    import nof1.cli as cli

    def fail(args):
        raise error

    monkeypatch.setitem(cli._COMMANDS, "verify", (cli._COMMANDS["verify"][0], fail))
    assert main(["verify", "somewhere"]) == code
    _one_line(capsys)


def test_a_200000_character_diary_cell(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    path = trial / "participant" / "diary.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[20].split(",")
    cells[header.index("notes")] = "x" * 200_000
    lines[20] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["analyze", str(trial)]) == 2
    line = _one_line(capsys)
    assert "line 21 of diary.csv" in line and len(line) < 300
    assert not (trial / "report.html").exists()


def test_the_red_team_row_is_refused_not_shifted(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    path = trial / "participant" / "diary.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[15].split(",")
    lines[15] = ",".join(cells[:4] + ["6", "5", "4"] + [""] * (len(cells) - 4 - 3 + 2))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["analyze", str(trial)]) == 2
    assert "line 16 of diary.csv has" in _one_line(capsys)


@pytest.mark.parametrize("name", ["participant/protocol.json", "helper/key.json"])
def test_deeply_nested_json_is_bad_input(demo, tmp_path, capsys, name):
    trial = _copy(demo, tmp_path)
    (trial / name).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code = main(["analyze", str(trial)])
    assert code == 2  # not 1, which means "key mismatch"
    _one_line(capsys)


def test_deeply_nested_group_key(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    groups = tmp_path / "groups.json"
    groups.write_text('{"a":' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    assert main(["analyze", str(trial), "--groups", str(groups)]) == 2
    assert "nested too deeply" in _one_line(capsys)


@pytest.mark.parametrize(("damage", "says"), [
    (lambda t: t[:-3], "not valid JSON"),
    (lambda t: t.replace('"commitment": "', '"commitment": "zz'), "not a SHA-256 digest"),
    (lambda t: t.replace('"X"', '"Z"'), "'groups' must map"),
    (lambda t: "[]", "not a nof1 group key"),
])
def test_a_damaged_group_key_is_not_called_another_trials(demo, tmp_path, capsys, damage,
                                                          says):
    trial = _copy(demo, tmp_path)
    assert main(["groups", str(trial)]) == 0
    capsys.readouterr()
    groups = trial / "helper" / "groups.json"
    groups.write_text(damage(groups.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["analyze", str(trial), "--groups", str(groups)]) == 2
    line = _one_line(capsys)
    assert says in line and "another trial" not in line


def test_a_well_formed_group_key_of_another_trial(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    assert main(["groups", str(trial)]) == 0
    groups = trial / "helper" / "groups.json"
    spec = json.loads(groups.read_text(encoding="utf-8"))
    spec["commitment"] = "0" * 64
    groups.write_text(json.dumps(spec), encoding="utf-8")
    capsys.readouterr()
    assert main(["analyze", str(trial), "--groups", str(groups)]) == 1
    assert "another trial" in _one_line(capsys)


def test_json_output_is_valid_json_without_nan(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    path = trial / "participant" / "diary.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    col = lines[0].split(",").index("blinding_guess")
    lines = [lines[0]] + [",".join(c if j != col else "" for j, c in enumerate(row.split(",")))
                          for row in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # no guesses: NaN pvalue
    assert main(["analyze", str(trial), "--format", "json"]) == 0
    out = capsys.readouterr().out

    def refuse(token):
        raise AssertionError(f"bare {token} in JSON output")

    data = json.loads(out, parse_constant=refuse)
    assert data["blinding"]["pvalue"] is None and data["blinding"]["n_definite"] == 0


def test_a_write_failure_names_the_report_not_the_temporary(demo, tmp_path, capsys,
                                                            monkeypatch):
    import nof1.trial._atomic as atomic

    trial = _copy(demo, tmp_path)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    assert main(["analyze", str(trial)]) == 2
    line = _one_line(capsys)
    assert f"cannot write {trial / 'report.html'}: No space left on device" in line
    assert sorted(p.name for p in trial.iterdir()) == ["helper", "participant"]


@pytest.mark.parametrize(("args", "says"), [
    (["--start", "0001-01-05"], "between 2000-01-01 and 2099-12-31"),
    (["--start", "2600-01-05"], "between 2000-01-01 and 2099-12-31"),
    (["--design", "phase", "--days", "100000"], "--days must be <= 1830"),
])
def test_implausible_designs_are_refused_with_the_allowed_range(tmp_path, capsys, args, says):
    assert main(["design", str(tmp_path / "t"), *args]) == 2
    assert says in _one_line(capsys)
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("args", [
    ["--pairs", "62", "--period-days", "366"],                 # about 124 years
    ["--design", "alternating", "--periods", "60", "--period-days", "60"],
])
def test_a_paired_or_alternating_trial_of_decades_is_refused(tmp_path, capsys, args):
    assert main(["design", str(tmp_path / "t"), "--start", "2030-01-07", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "at most 1830 days (five years)" in err
    assert not (tmp_path / "t").exists()


def test_create_trial_refuses_a_start_in_year_one(tmp_path):
    from nof1 import PairedDesign, create_trial

    with pytest.raises(ValueError, match="between 2000-01-01 and 2099-12-31"):
        create_trial(tmp_path / "t", design=PairedDesign(2), start="0001-01-01")
    assert not (tmp_path / "t").exists()
