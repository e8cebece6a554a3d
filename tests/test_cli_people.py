"""``nof1 design`` for the people around a trial: outcomes they define, the helper's kit,
a start date in the past, and the power of the chosen design."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys

import pytest

from nof1 import PairedDesign
from nof1.cli import main
from nof1.cli.design import DESIGN_POWER_NOISE, _confirm_past_start
from nof1.planning.power import simulate_power
from nof1.trial.protocol import read_protocol

FUTURE = "2030-01-07"


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _participant_text(folder) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (folder / "participant").iterdir())


# -- outcomes people define -----------------------------------------------------------------
def test_custom_outcome_reaches_every_participant_file(tmp_path, capsys):
    spec = ("mood:0-10:higher:mcid=1.5:question=How was your mood today?"
            ":low=very low:high=very good")
    code, out, err = _run(capsys, "design", tmp_path / "t", "--start", FUTURE,
                          "--outcome", "pain", "--outcome", spec, "--seed", "1")
    assert code == 0, err
    part = tmp_path / "t" / "participant"
    protocol = read_protocol(part / "protocol.json")
    assert protocol.outcome_names == ["pain", "mood"] and protocol.primary == "pain"
    mood = protocol.outcomes[1]
    assert (mood.mcid, mood.direction, mood.question, mood.low_label) == (
        1.5, "higher", "How was your mood today?", "very low")
    header = (part / "diary.csv").read_text().splitlines()[0]
    assert header == ("date,day,period,pack,pain,mood,took_pack,side_effects,notes,"
                      "blinding_guess")
    for name in ("diary.html", "paper-diary.html", "schedule.html"):
        assert "How was your mood today?" in (part / name).read_text(), name
    assert "very good" in (part / "paper-diary.html").read_text()
    assert "secondary: mood" in out


def test_outcomes_file_and_combination(tmp_path, capsys):
    path = tmp_path / "outcomes.txt"
    path.write_text("# my diary\nfatigue:lower:low=none:high=exhausted\nsleep\n",
                    encoding="utf-8")
    code, _, err = _run(capsys, "design", tmp_path / "t", "--start", FUTURE,
                        "--outcomes", "pain", "--outcomes-file", path, "--primary", "fatigue")
    assert code == 0, err
    p = read_protocol(tmp_path / "t" / "participant" / "protocol.json")
    assert p.outcome_names == ["pain", "fatigue", "sleep"] and p.primary == "fatigue"


@pytest.mark.parametrize(("argv", "message"), [
    (["--outcome", "mood"], "say which direction is better"),
    (["--outcome", "mood:1-7:higher"], "give the minimal clinically important difference"),
    (["--outcome", "pain", "--outcome", "pain:mcid=2"], "distinct names"),
    (["--outcome", "date:higher"], "reserved"),
])
def test_bad_outcome_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    code, out, err = _run(capsys, "design", tmp_path / "t", "--start", FUTURE, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nof1: error: ") and message in err
    assert not (tmp_path / "t").exists()


def test_bad_outcomes_file_names_its_line(tmp_path, capsys):
    path = tmp_path / "o.txt"
    path.write_text("pain\nmood:sideways\n", encoding="utf-8")
    code, _, err = _run(capsys, "design", tmp_path / "t", "--start", FUTURE,
                        "--outcomes-file", path)
    assert code == 2 and "line 2" in err and err.count("\n") == 1
    code, _, err = _run(capsys, "design", tmp_path / "t", "--start", FUTURE,
                        "--outcomes-file", tmp_path / "missing.txt")
    assert code == 2 and "missing.txt" in err and err.count("\n") == 1


# -- the helper's kit -----------------------------------------------------------------------
def test_helper_kit(tmp_path, capsys):
    code, _, err = _run(capsys, "design", tmp_path / "t", "--start", FUTURE, "--seed", "9",
                        "--pairs", "3", "--period-days", "10", "--washout-days", "3",
                        "--product", "magnesium citrate 300 mg",
                        "--control-product", "cellulose capsule", "--doses-per-day", "2")
    assert code == 0, err
    key = json.loads((tmp_path / "t" / "helper" / "key.json").read_text())
    html = (tmp_path / "t" / "helper" / "packs.html").read_text()
    # per pack: 10 days x 2 doses, its contents named on the filling sheet
    for pack in key["packs"]:
        product = ("magnesium citrate 300 mg" if pack["treatment"] == "magnesium"
                   else "cellulose capsule")
        row = re.search(rf'{pack["code"]}</span></td>.*?</tr>', html).group(0)
        assert "10 days &times; 2 = 20" in row and f"{pack['treatment']}: {product}" in row
    # totals: 3 packs of each, 60 doses each
    assert "<li><b>magnesium: magnesium citrate 300 mg</b>: 60 doses</li>" in html
    assert "<li><b>placebo: cellulose capsule</b>: 60 doses</li>" in html
    assert "Ask a pharmacist" in html
    steps = html[html.index("At the end of the trial"):]
    order = [steps.index(f"<li><code>nof1 {cmd} DIR</code>") for cmd in
             ("groups", "verify", "analyze")]
    assert order == sorted(order)
    # every label reads the same apart from its code and dates
    labels = re.findall(r'<div class="label">(.*?)</div></div>', html)
    assert len(labels) == 6
    stripped = {re.sub(r'<div class="code">\w+</div><div>[\d-]+ to [\d-]+</div>', "", lab)
                for lab in labels}
    assert len(stripped) == 1
    assert ("Contains magnesium: magnesium citrate 300 mg or placebo: cellulose capsule"
            in stripped.pop())
    # nothing on the participant's side names a product
    text = _participant_text(tmp_path / "t")
    assert "citrate" not in text and "cellulose" not in text


def test_open_label_labels_name_their_contents(tmp_path, capsys):
    code, _, _ = _run(capsys, "design", tmp_path / "t", "--start", FUTURE, "--open-label",
                      "--pairs", "2", "--product", "magnesium citrate 300 mg")
    assert code == 0
    html = (tmp_path / "t" / "helper" / "packs.html").read_text()
    labels = re.findall(r'<div class="label">(.*?)</div></div>', html)
    assert sum("magnesium: magnesium citrate 300 mg" in lab for lab in labels) == 2
    assert "A matching placebo" not in html


# -- a start date in the past -----------------------------------------------------------------
def test_past_start_without_a_terminal_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    code, out, err = _run(capsys, "design", tmp_path / "t", "--start", "2020-01-06")
    assert code == 2 and out == ""
    assert err == ("nof1: error: the start date 2020-01-06 is in the past; choose --start "
                   "(default: next Monday) or pass --yes to create the trial anyway\n")
    assert not (tmp_path / "t").exists()


def test_past_start_with_yes_warns_and_writes(tmp_path, capsys):
    code, out, err = _run(capsys, "design", tmp_path / "t", "--start", "2020-01-06", "--yes")
    assert code == 0 and (tmp_path / "t" / "helper" / "key.json").is_file()
    assert err.startswith("nof1: warning: the start date 2020-01-06 is ")
    assert "Dates: 2020-01-06" in out


@pytest.mark.parametrize(("answer", "created"), [("y", True), ("yes", True), ("", False),
                                                 ("n", False)])
def test_past_start_asks_on_a_terminal(tmp_path, capsys, monkeypatch, answer, created):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    code, _, err = _run(capsys, "design", tmp_path / "t", "--start", "2020-01-06")
    assert asked == ["Create the trial with this start date anyway? [y/N] "]
    assert (code == 0) is created and (tmp_path / "t").exists() is created
    if not created:
        assert err.splitlines()[-1] == "nof1: error: nothing written: the start date is in " \
                                       "the past"


def test_today_and_future_are_not_questioned():
    today = dt.date(2026, 3, 2)
    _confirm_past_start(today, False, today=today)
    _confirm_past_start(today + dt.timedelta(1), False, today=today)


# -- power where the design is chosen --------------------------------------------------------
def _power_line(out: str) -> tuple[float, float]:
    m = re.search(r"^Power: (\d+)% \(± (\d+)%\)", out, re.M)
    assert m, out
    return float(m.group(1)) / 100, float(m.group(2)) / 100


def test_design_prints_the_power_of_the_chosen_design(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--start", FUTURE, "--pairs", "6")
    assert code == 0
    power, _ = _power_line(out)
    # an independent, larger simulation (another seed) of the same design and assumptions
    ref = simulate_power(PairedDesign(6), effect=-1.0, period_days=14, washout_days=7,
                         n_sims=8000, methods=("randomization",), rng=98765,
                         **DESIGN_POWER_NOISE)
    p_ref = float(ref.table["rejection_rate"].iloc[0])
    se = (p_ref * (1 - p_ref) * (1 / 8000 + 1 / 2000)) ** 0.5
    assert abs(power - p_ref) <= 4 * se + 0.005          # + rounding of the printed percent
    assert "daily SD 1.5, day-to-day correlation 0.3 and period-to-period SD 0.3" in out
    assert ("nof1 power --pairs 6 --period-days 14 --washout-days 7 --effect -1 --sd 1.5 "
            "--rho 0.3 --period-sd 0.3") in out


def test_design_power_scales_with_the_outcome(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--start", FUTURE, "--pairs", "6",
                        "--outcome", "vas:0-100:lower:mcid=10")
    assert code == 0
    assert "changes vas by its MCID (10)" in out and "daily SD 15," in out
    assert "--effect -10 --sd 15 --rho 0.3 --period-sd 3" in out


def test_design_power_when_p_below_005_is_impossible(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--start", FUTURE, "--pairs", "4")
    assert code == 0
    assert _power_line(out)[0] == 0.0
    assert "p < 0.05 is impossible with this design" in out


def test_design_power_for_other_designs(tmp_path, capsys):
    code, out, _ = _run(capsys, "design", tmp_path / "t", "--start", FUTURE,
                        "--design", "phase")
    assert code == 0 and "Power: not simulated for a phase design" in out
