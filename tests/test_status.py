"""``nof1 status``, the refusal to analyse before the end, interim looks and provenance."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import shutil

import pytest

import nof1
from nof1 import PairedDesign, create_trial
from nof1.cli import main
from nof1.exceptions import TrialNotFinishedError
from nof1.planning.simulate import simulate_diary
from nof1.workflow import analyze_folder, last_analysed_day, trial_status

START = dt.date(2026, 1, 5)  # run-in 5-11 Jan; periods 12-25 Jan, 26 Jan-8 Feb, ...


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line(code, err, expected):
    assert code == expected, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nof1: error: ")


def _fill(folder, days: dict[dt.date, dict[str, str]]) -> None:
    """Write scores into the participant's diary template for the given days."""
    path = folder / "participant" / "diary.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row.update(days.get(dt.date.fromisoformat(row["date"]), {}))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def trial(tmp_path):
    return create_trial(tmp_path / "t", design=PairedDesign(2), start=START)


# -- nof1 status ----------------------------------------------------------------------
def test_status_counts_days_and_names_the_pack(trial, capsys):
    days = {START + dt.timedelta(days=i): {"pain": "5", "stress": "4", "sleep": "6"}
            for i in range(10) if i != 3}
    days[START + dt.timedelta(days=3)] = {"pain": "", "stress": "", "sleep": ""}
    days[START + dt.timedelta(days=4)] = {"pain": "", "stress": "3", "sleep": ""}  # partial
    _fill(trial.directory, days)
    today = dt.date(2026, 1, 15)  # period 1 (12-25 Jan), day 11 of the trial
    status = trial_status(trial.directory, today=today)
    packs = trial.protocol.packs
    assert status.stage == "period" and status.period == 1 and status.pack == packs[0]["code"]
    # 10 days before today (5-14 Jan): 9 with a score (8 full, 1 partial), 1 blank
    assert (status.days_recorded, status.days_missing, status.days_elapsed) == (9, 1, 11)
    assert status.next_change == dt.date(2026, 1, 26) and status.next_pack == packs[1]["code"]
    assert status.end == trial.protocol.end == dt.date(2026, 3, 8)
    assert status.last_analysed == dt.date(2026, 3, 8)
    code, out, err = _run(capsys, "status", trial.directory, "--today", "2026-01-15")
    assert code == 0 and err == ""
    assert f"period 1 of 4, pack {packs[0]['code']}" in out
    assert "9 day(s) recorded, 1 missing" in out
    assert f"Next pack: {packs[1]['code']} from 2026-01-26" in out
    assert "analysis possible from 2026-03-09" in out and trial.protocol.commitment in out


@pytest.mark.parametrize("today, stage", [("2026-01-04", "not started"),
                                          ("2026-01-08", "run-in"),
                                          ("2026-03-08", "period"),
                                          ("2026-03-09", "finished")])
def test_status_stages(trial, today, stage):
    status = trial_status(trial.directory, today=dt.date.fromisoformat(today))
    assert status.stage == stage
    if stage == "run-in":
        assert status.next_pack == trial.protocol.packs[0]["code"]
    if stage in ("finished", "period"):  # the last day is in the last pack
        assert status.next_change is None


def test_status_reads_the_participant_folder_only_and_reveals_nothing(tmp_path, capsys):
    """Trials with different allocations give the same status, once ids, codes and
    commitments are blanked; the helper's folder is not needed."""
    outputs = []
    for i in range(6):
        t = create_trial(tmp_path / f"t{i}", design=PairedDesign(2), start=START)
        shutil.rmtree(t.helper_dir)
        for today in ("2026-01-08", "2026-01-20", "2026-02-27"):
            code, out, err = _run(capsys, "status", t.directory, "--today", today)
            assert code == 0 and err == ""
            for secret in ("magnesium", "placebo"):
                assert secret not in out.lower()
            blank = out.replace(t.protocol.trial_id, "ID").replace(t.protocol.commitment, "C")
            for p in t.protocol.packs:
                blank = blank.replace(p["code"], f"PACK{p['period']}")
            outputs.append((today, blank))
    by_day: dict[str, set[str]] = {}
    for today, text in outputs:
        by_day.setdefault(today, set()).add(text)
    assert all(len(texts) == 1 for texts in by_day.values())


def test_status_json_and_bad_input(trial, capsys):
    code, out, _ = _run(capsys, "status", trial.directory, "--today", "2026-01-20",
                        "--format", "json")
    spec = json.loads(out)
    assert code == 0 and spec["period"] == 1 and spec["today"] == "2026-01-20"
    code, _, err = _run(capsys, "status", trial.directory, "--today", "20/01/2026")
    _one_line(code, err, 2)
    code, _, err = _run(capsys, "status", trial.directory.parent / "nowhere")
    _one_line(code, err, 2)


def test_status_refuses_a_tampered_printed_copy(trial, capsys):
    path = trial.participant_dir / "schedule.html"
    c = trial.protocol.commitment
    path.write_text(path.read_text().replace(c, "f" * 64))
    code, _, err = _run(capsys, "status", trial.directory)
    _one_line(code, err, 3)
    assert c in err


# -- analysis before the end ------------------------------------------------------------
@pytest.fixture
def running(tmp_path):
    """A trial in progress: started 30 days ago, so its last analysed day is ahead."""
    start = dt.date.today() - dt.timedelta(days=30)
    t = create_trial(tmp_path / "running", design=PairedDesign(3), start=start)
    simulate_diary(t.schedule, rng=3).to_csv(t.participant_dir / "diary.csv", index=False)
    return t


def test_analyze_refuses_before_the_end(running, capsys):
    code, out, err = _run(capsys, "analyze", running.directory)
    _one_line(code, err, 4)
    assert last_analysed_day(running).isoformat() in err and "--interim" in err
    assert out == "" and not (running.directory / "report.html").exists()
    with pytest.raises(TrialNotFinishedError):
        analyze_folder(running.directory)
    # the API can be asked as on a later day
    later = last_analysed_day(running) + dt.timedelta(days=1)
    assert analyze_folder(running.directory, today=later, rng=1).provenance["interim"] is False


def test_interim_look_shows_completeness_only(running, capsys):
    code, out, err = _run(capsys, "analyze", running.directory, "--interim")
    assert code == 0 and err == ""
    assert "no allocation shown" in out.lower() and "n_analysed" in out
    for word in ("magnesium", "placebo", "estimate", "pvalue"):
        assert word not in out.lower()
    assert not (running.directory / "report.html").exists()
    code, _, err = _run(capsys, "analyze", running.directory, "--interim", "--format", "json")
    _one_line(code, err, 4)
    with pytest.raises(TrialNotFinishedError, match="group key"):
        analyze_folder(running.directory, interim=True)


def test_interim_look_with_a_group_key_is_blinded(running, tmp_path, capsys):
    groups = tmp_path / "groups.json"
    assert main(["groups", str(running.directory), "--output", str(groups)]) == 0
    capsys.readouterr()
    code, out, err = _run(capsys, "analyze", running.directory, "--interim", "--groups",
                          groups, "--report", tmp_path / "r.html")
    assert code == 0, err
    assert "group X − group Y" in out and "INTERIM" in out
    assert "magnesium" not in out.lower() and "placebo" not in out.lower()


def test_a_pre_registered_unblinded_interim_look(tmp_path, capsys):
    start = dt.date.today() - dt.timedelta(days=30)
    t = create_trial(tmp_path / "t", design=PairedDesign(3), start=start,
                     unblinded_interim=True)
    simulate_diary(t.schedule, rng=3).to_csv(t.participant_dir / "diary.csv", index=False)
    assert t.protocol.analysis_plan["unblinded_interim"] is True
    code, _, err = _run(capsys, "analyze", t.directory, "--format", "json")
    _one_line(code, err, 4)  # still refused without --interim
    code, out, err = _run(capsys, "analyze", t.directory, "--interim", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["provenance"]["interim"] is True


def test_design_flag_pre_registers_the_interim_look(tmp_path, capsys):
    assert main(["design", str(tmp_path / "t"), "--unblinded-interim"]) == 0
    spec = json.loads((tmp_path / "t" / "participant" / "protocol.json").read_text())
    assert spec["analysis_plan"]["unblinded_interim"] is True


# -- provenance -------------------------------------------------------------------------
def test_provenance_in_json_and_table(tmp_path, capsys):
    t = create_trial(tmp_path / "t", design=PairedDesign(3), start=START)
    diary = t.participant_dir / "diary.csv"
    simulate_diary(t.schedule, rng=4).to_csv(diary, index=False)
    digest = hashlib.sha256(diary.read_bytes()).hexdigest()
    code, out, err = _run(capsys, "analyze", t.directory, "--format", "json")
    assert code == 0, err
    prov = json.loads(out)["provenance"]
    assert prov["commitment"] == t.protocol.commitment and prov["trial_id"] == t.protocol.trial_id
    assert prov["key_verified"] is True and prov["plan_verified"] is True
    assert prov["diary_sha256"] == digest and prov["nof1_version"] == nof1.__version__
    code, out, err = _run(capsys, "analyze", t.directory)
    assert code == 0, err
    footer = next(line for line in out.splitlines() if line.startswith("Provenance:"))
    assert t.protocol.commitment in footer and digest in footer and "key verified" in footer
    assert re.search(rf"nof1 {re.escape(nof1.__version__)}$", footer)
