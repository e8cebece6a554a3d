"""nof1 analyze / demo / power: success paths and the bad inputs a participant produces."""

from __future__ import annotations

import json
import shutil

import pytest

from nof1.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    code = main(["demo", str(root / "trial"), "--seed", "3"])
    assert code == 0
    return root / "trial"


def _copy(demo, tmp_path):
    target = tmp_path / "trial"
    shutil.copytree(demo, target)
    (target / "report.html").unlink()
    return target


def _one_error_line(capsys):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nof1: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_demo_writes_a_report(demo):
    report = demo / "report.html"
    assert report.exists() and report.stat().st_size > 10_000
    assert (demo / "participant" / "diary.csv").read_text().count("\n") == 176


def test_demo_refuses_an_existing_folder(demo, capsys):
    before = sorted(p.name for p in demo.rglob("*"))
    assert main(["demo", str(demo)]) == 2
    assert "exists" in _one_error_line(capsys)
    assert sorted(p.name for p in demo.rglob("*")) == before


def test_analyze_table_and_report(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    assert main(["analyze", str(trial)]) == 0
    out = capsys.readouterr().out
    assert "pain" in out and "primary" in out and "Report:" in out
    assert (trial / "report.html").exists()
    # a second run does not overwrite the report without --force
    before = (trial / "report.html").read_bytes()
    assert main(["analyze", str(trial)]) == 2
    assert "--force" in _one_error_line(capsys)
    assert (trial / "report.html").read_bytes() == before
    assert main(["analyze", str(trial), "--force"]) == 0


def test_analyze_json(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    assert main(["analyze", str(trial), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["primary"] == "pain"
    assert [o["outcome"] for o in data["outcomes"]] == ["pain", "stress", "sleep"]
    assert not (trial / "report.html").exists()


def _edit_diary(trial, row, column, value):
    path = trial / "participant" / "diary.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


@pytest.mark.parametrize(("edit", "message"), [
    (("pain", "11"), "pain score 11 on 2026-01-19 is outside its scale 0-10"),
    (("date", "yesterday"), "'yesterday' is not a date"),
    (("date", "2026-01-14"), "2026-01-14 appears 2 times"),
    (("pain", "bad"), "'bad' is not a number"),
])
def test_bad_diary_is_one_line_and_writes_nothing(demo, tmp_path, capsys, edit, message):
    trial = _copy(demo, tmp_path)
    _edit_diary(trial, 15, *edit)  # row 15 = 2026-01-19
    assert main(["analyze", str(trial)]) == 2
    assert message in _one_error_line(capsys)
    assert not (trial / "report.html").exists()


def test_key_from_another_trial(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    assert main(["design", str(tmp_path / "other"), "--start", "2026-01-05", "--seed", "3",
                 "--yes"]) == 0
    capsys.readouterr()
    shutil.copy(tmp_path / "other" / "helper" / "key.json", trial / "helper" / "key.json")
    assert main(["analyze", str(trial)]) == 1
    assert "commitment" in _one_error_line(capsys)
    assert not (trial / "report.html").exists()


def test_missing_diary_and_not_a_trial(tmp_path, demo, capsys):
    trial = _copy(demo, tmp_path)
    (trial / "participant" / "diary.csv").unlink()
    assert main(["analyze", str(trial)]) == 2
    assert "not found" in _one_error_line(capsys)
    assert main(["analyze", str(tmp_path / "nowhere")]) == 2
    assert "not a trial folder" in _one_error_line(capsys)


def test_power_command(tmp_path, capsys):
    plot = tmp_path / "power.png"
    code = main(["power", "--pairs", "4", "--sims", "300", "--gls-sims", "5",
                 "--grid-pairs", "3-5", "--grid-period-days", "10,14", "--plot", str(plot),
                 "--seed", "1"])
    assert code == 0
    out = capsys.readouterr().out
    assert "randomization" in out and "paired_t" in out and "gls_ar1" in out
    assert "10-day" in out and "14-day" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["power", "--sims", "10", "--plot", str(plot)]) == 2
    assert "exists" in _one_error_line(capsys)
    assert main(["power", "--grid-pairs", "x-3"]) == 2
    assert "3-10" in _one_error_line(capsys)
    assert main(["power", "--washout-days", "20"]) == 2
    _one_error_line(capsys)


def test_blinded_analysis_from_the_command_line(demo, tmp_path, capsys):
    trial = _copy(demo, tmp_path)
    assert main(["groups", str(trial)]) == 0
    groups = trial / "helper" / "groups.json"
    text = groups.read_text()
    assert "magnesium" not in text and "placebo" not in text
    assert main(["groups", str(trial)]) == 2  # never overwritten
    assert "exists" in _one_error_line(capsys)
    report = tmp_path / "blinded.html"
    assert main(["analyze", str(trial), "--groups", str(groups), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "blinded analysis" in out and "group X − group Y" in out
    assert "magnesium" not in out and report.exists()
    for word in ("benefit", "worthwhile", "is met"):
        assert word not in out.replace("No decision", ""), word


def test_a_constant_outcome_gets_a_note_and_the_others_are_analysed(demo, tmp_path, capsys):
    import pandas as pd

    trial = _copy(demo, tmp_path)
    path = trial / "participant" / "diary.csv"
    diary = pd.read_csv(path, dtype=str, keep_default_na=False)
    diary.loc[diary["sleep"] != "", "sleep"] = "7"
    diary.to_csv(path, index=False)
    assert main(["analyze", str(trial)]) == 0
    out = capsys.readouterr().out
    assert "- sleep was 7 on every analysed day, so there is no difference to analyse." in out
    assert "- pain was " in out and "Pre-registered decision rule (pain" in out
    assert "sleep was 7 on every analysed day" in (trial / "report.html").read_text()
