"""``nof1 analyze`` and its report: the results are printed even when the report is refused."""

from __future__ import annotations

import shutil

import pytest

from nof1.cli import main


@pytest.fixture(scope="module")
def trial(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-report")
    assert main(["demo", str(root / "trial"), "--seed", "5"]) == 0
    return root / "trial"


def test_existing_report_is_kept_but_the_table_is_printed(trial, tmp_path, capsys):
    folder = tmp_path / "trial"
    shutil.copytree(trial, folder)
    before = (folder / "report.html").read_bytes()
    capsys.readouterr()
    assert main(["analyze", str(folder)]) == 2
    captured = capsys.readouterr()
    # the whole table and the interpretations are on standard output
    assert "pain" in captured.out and "stress" in captured.out and "sleep" in captured.out
    assert "primary" in captured.out and "decision rule" in captured.out
    assert "Report:" not in captured.out
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nof1: error: ")
    assert "--force" in err[0] and "results are above" in err[0]
    assert (folder / "report.html").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in trial.iterdir())


def test_json_output_comes_before_the_refusal(trial, tmp_path, capsys):
    import json

    folder = tmp_path / "trial"
    shutil.copytree(trial, folder)
    capsys.readouterr()
    code = main(["analyze", str(folder), "--format", "json", "--report",
                 str(folder / "report.html")])
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads(captured.out)["primary"] == "pain"
    assert "exists" in captured.err


def test_report_carries_the_trials_provenance(trial, tmp_path, capsys):
    from nof1.trial import read_trial

    folder = tmp_path / "trial"
    shutil.copytree(trial, folder)
    assert main(["analyze", str(folder), "--force"]) == 0
    assert "Report:" in capsys.readouterr().out
    page = (folder / "report.html").read_text(encoding="utf-8")
    protocol = read_trial(folder).protocol
    head = page[:page.index("<details")]
    assert protocol.trial_id in head and protocol.commitment in head
    assert "<dt>Helper&#x27;s key checked against the commitment</dt><dd>yes</dd>" in head


def test_the_demos_own_report_carries_its_provenance(trial):
    from nof1.trial import read_trial

    page = (trial / "report.html").read_text(encoding="utf-8")
    protocol = read_trial(trial).protocol
    head = page[:page.index("<details")]
    assert protocol.trial_id in head and protocol.commitment in head
    for label in ("Plan (protocol) checked against the commitment",
                  "Printed copies of the commitment agree with the protocol"):
        assert f"<dt>{label}</dt><dd>yes</dd>" in head
    assert "<dt>Interim analysis (before the trial&#x27;s end)</dt><dd>no</dd>" in head
    assert "not available" not in head
