"""The ``nof1 design`` and ``nof1 verify`` commands: output, errors, exit codes, the script."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nof1.cli import _next_monday, main

START = "2030-01-07"  # a Monday in the future (a past start asks for --yes)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_line_error(code: int, err: str, expected_code: int = 2) -> None:
    assert code == expected_code
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nof1: error: ")
    assert "Traceback" not in err


def _key(folder: Path) -> dict:
    return json.loads((folder / "helper" / "key.json").read_text())


# -- nof1 design ----------------------------------------------------------------------
def test_design_defaults_and_summary(tmp_path, capsys):
    code, out, err = _run(capsys, "design", tmp_path / "t", "--start", START, "--seed", "42")
    assert code == 0 and err == ""
    # 7 run-in days + 6 pairs x 2 periods x 14 days = 175 days
    end = dt.date(2030, 1, 7) + dt.timedelta(days=175 - 1)
    assert "Design: paired, 6 pairs = 12 periods of 14 days" in out
    assert "Run-in 7 days; wash-out: first 7 days of each period not analysed" in out
    assert f"Dates: 2030-01-07 to {end.isoformat()} (175 days)" in out
    assert "Admissible assignments: 64; smallest attainable p-value 0.03125 (two-sided)" in out
    assert "WARNING" not in out
    key = _key(tmp_path / "t")
    assert f"keep a copy): {key['commitment']}" in out
    assert "the seed alone does not reproduce it" in out
    assert f"{tmp_path / 't' / 'participant'}" in out and "helper" in out
    assert "Keep helper/ away from the participant" in out
    assert key["allocation"]["seed"] == 42 and key["schedule"]["seed"] != 42
    assert key["schedule"]["treatments"] == ["magnesium", "placebo"]
    assert key["schedule"]["period_days"] == 14
    assert key["schedule"]["washout_days"] == 7 and key["schedule"]["run_in_days"] == 7


def test_design_warns_when_p_cannot_go_below_005(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--pairs", "4", "--start", START)
    assert code == 0
    warning = [line for line in out.splitlines() if line.startswith("WARNING")]
    assert len(warning) == 1
    assert "cannot reach p < 0.05" in warning[0] and "0.125" in warning[0]


def test_default_start_is_next_monday():
    for offset in range(7):
        today = dt.date(2026, 1, 5) + dt.timedelta(days=offset)  # a Monday, then the week
        monday = _next_monday(today)
        assert monday.weekday() == 0 and 1 <= (monday - today).days <= 7


def test_default_start_used(tmp_path, capsys):
    code, _, _ = _run(capsys, "design", tmp_path / "t")
    assert code == 0
    start = dt.date.fromisoformat(_key(tmp_path / "t")["schedule"]["start"])
    assert start.weekday() == 0 and start > dt.date.today()


def test_same_seed_same_allocation_no_seed_different(tmp_path, capsys):
    for name in ("a", "b"):  # open-label: the seed alone reproduces the allocation
        assert _run(capsys, "design", tmp_path / name, "--seed", "2024", "--start", START,
                    "--open-label")[0] == 0
    assert _key(tmp_path / "a")["schedule"] == _key(tmp_path / "b")["schedule"]
    for name in ("c", "d"):  # blinded: the seed is mixed with secret entropy
        assert _run(capsys, "design", tmp_path / name, "--seed", "2024", "--start", START)[0] == 0
    assert _key(tmp_path / "c")["schedule"]["seed"] != _key(tmp_path / "d")["schedule"]["seed"]
    unseeded = []
    for i in range(5):
        assert _run(capsys, "design", tmp_path / f"u{i}", "--start", START)[0] == 0
        unseeded.append(_key(tmp_path / f"u{i}")["schedule"])
    assert len({s["seed"] for s in unseeded}) == 5
    # 5 independent draws from 64 orders all equal with probability 64**-4
    assert len({tuple(s["assignment"]) for s in unseeded}) > 1


def test_design_phase_and_alternating(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "p", "--design", "phase", "--phases", "ABA",
                        "--days", "60", "--min-phase", "14", "--start", START)
    assert code == 0
    assert "phase ABA over 60 days, every phase at least 14 days" in out
    # C(60 - 3*14 + 2, 2) = C(20, 2) = 190 (SCRT quantity(design = "ABA", MT = 60, limit = 14))
    assert "Admissible assignments: 190" in out
    code, out, _ = _run(capsys, "design", tmp_path / "a", "--design", "alternating",
                        "--periods", "8", "--max-run", "2", "--period-days", "21",
                        "--start", START)
    assert code == 0
    assert "alternating, 8 periods of 21 days, at most 2 in a row" in out
    assert _key(tmp_path / "a")["schedule"]["design"] == {"kind": "alternating",
                                                           "n_periods": 8, "max_run": 2}


def test_open_label(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--open-label", "--start", START)
    assert code == 0
    assert "OPEN-LABEL (not blinded)" in out
    protocol = json.loads((tmp_path / "t" / "participant" / "protocol.json").read_text())
    assert protocol["blinded"] is False
    assert protocol["treatments"] == ["magnesium", "no magnesium"]


def test_treatments_outcomes_primary(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--treatments", "zinc, placebo",
                        "--outcomes", "sleep,fatigue:lower,energy:higher", "--primary", "sleep",
                        "--start", START)
    assert code == 0
    assert "Primary outcome: sleep (MCID 1); secondary: fatigue, energy" in out
    header = (tmp_path / "t" / "participant" / "diary.csv").read_text().splitlines()[0]
    assert header == ("date,day,period,pack,sleep,fatigue,energy,took_pack,side_effects,notes,"
                      "blinding_guess")
    protocol = json.loads((tmp_path / "t" / "participant" / "protocol.json").read_text())
    assert protocol["treatments"] == ["placebo", "zinc"] and protocol["control"] == "placebo"
    energy = next(o for o in protocol["outcomes"] if o["name"] == "energy")
    assert energy["higher_is_better"] is True


@pytest.mark.parametrize("args, words", [
    (["--start", "yesterday"], "--start"),
    (["--start", "2026-02-30"], "--start"),
    (["--pairs", "0"], "--pairs"),
    (["--pairs", "two"], "--pairs"),
    (["--design", "crossover"], "--design"),
    (["--design", "phase", "--pairs", "3"], "--pairs"),
    (["--period-days", "7", "--washout-days", "7"], "--washout-days"),
    (["--washout-days", "-1"], "--washout-days"),
    (["--design", "alternating", "--periods", "7"], "--periods"),
    (["--design", "phase", "--days", "20", "--min-phase", "14"], "--days"),
    (["--treatments", "magnesium"], "--treatments"),
    (["--treatments", "magnesium,Magnesium"], "--treatments"),
    (["--outcomes", "mood"], "mood"),
    (["--outcomes", "pain,Notes:lower"], "reserved"),
    (["--primary", "mood"], "primary"),
    (["--seed", "-3"], "--seed"),
    (["--diary-time", "8pm"], "--diary-time"),
    (["--no-such-option"], "unrecognized"),
])
def test_design_errors(tmp_path, capsys, args, words):
    code, out, err = _run(capsys, "design", tmp_path / "t", "--start", START, *args)
    _assert_one_line_error(code, err)
    assert words in err
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary left


def test_design_into_an_existing_folder(tmp_path, capsys):
    assert _run(capsys, "design", tmp_path / "t", "--start", START)[0] == 0
    before = (tmp_path / "t" / "helper" / "key.json").read_bytes()
    code, _, err = _run(capsys, "design", tmp_path / "t", "--start", START)
    _assert_one_line_error(code, err)
    assert "already exists" in err
    assert (tmp_path / "t" / "helper" / "key.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]


def test_design_without_parent_folder(tmp_path, capsys):
    code, _, err = _run(capsys, "design", tmp_path / "missing" / "t", "--start", START)
    _assert_one_line_error(code, err)
    assert "does not exist" in err


def test_no_command_and_help(capsys):
    code, _, err = _run(capsys)
    _assert_one_line_error(code, err)
    assert main(["--help"]) == 0
    assert "design" in capsys.readouterr().out
    assert main(["design", "--help"]) == 0
    assert "--open-label" in capsys.readouterr().out


# -- nof1 verify ------------------------------------------------------------------------
@pytest.fixture
def trial(tmp_path, capsys):
    assert main(["design", str(tmp_path / "t"), "--start", START, "--seed", "5"]) == 0
    capsys.readouterr()
    return tmp_path / "t"


def test_verify_intact(trial, capsys):
    code, out, err = _run(capsys, "verify", trial)
    assert code == 0 and err == ""
    lines = out.strip().splitlines()
    assert lines[0].startswith("key matches the commitment; allocation redrawn")
    assert lines[1] == f"commitment: {_key(trial)['commitment']}"


def test_verify_edited_key(trial, capsys):
    path = trial / "helper" / "key.json"
    key = json.loads(path.read_text())
    a, b = key["schedule"]["assignment"][:2]
    key["schedule"]["assignment"][:2] = [b, a]  # swap the order within the first pair
    path.write_text(json.dumps(key, indent=2))
    code, out, err = _run(capsys, "verify", trial)
    _assert_one_line_error(code, err, expected_code=1)
    assert "does not match the commitment" in err and out == ""
    # the full digest the participant holds, to compare with the copy kept at the start
    commitment = json.loads((trial / "participant" / "protocol.json").read_text())["commitment"]
    assert commitment in err


@pytest.mark.parametrize("damage, words", [
    (lambda p: p.write_text("{ this is not json"), "not valid JSON"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\xff"), "UTF-8"),
    (lambda p: p.unlink(), "not found"),
    (lambda p: (p.unlink(), p.mkdir()), "cannot read"),
    (lambda p: p.write_text('{"format": "nof1-key", "version": 1}'), "no"),
])
def test_verify_unreadable_or_corrupt_key(trial, capsys, damage, words):
    damage(trial / "helper" / "key.json")
    code, _, err = _run(capsys, "verify", trial)
    _assert_one_line_error(code, err, expected_code=2)
    assert words in err


def test_verify_not_a_trial(tmp_path, capsys):
    code, _, err = _run(capsys, "verify", tmp_path)
    _assert_one_line_error(code, err)


# -- the installed script -------------------------------------------------------------
def _script() -> list[str]:
    candidate = Path(sys.executable).with_name("nof1")
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("nof1")
    return [found] if found else [sys.executable, "-m", "nof1.cli"]


def test_installed_command(tmp_path):
    proc = subprocess.run([*_script(), "design", str(tmp_path / "t"), "--start", START,
                           "--seed", "1", "--pairs", "3"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Admissible assignments: 8" in proc.stdout and "WARNING" in proc.stdout
    assert (tmp_path / "t" / "helper" / "key.json").is_file()
    proc = subprocess.run([*_script(), "design", str(tmp_path / "t")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("nof1: error: ")
    assert "Traceback" not in proc.stderr
