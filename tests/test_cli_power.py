"""``nof1 power``: every requested grid cell shown and explained, a readable header, help text
on every option, a progress bar on a terminal."""

from __future__ import annotations

import argparse
import re
import sys

import pytest

from nof1.cli import _parser, main


def _power(capsys, *argv):
    code = main(["power", "--sims", "200", "--gls-sims", "0", "--seed", "3", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_every_requested_cell_is_shown_and_explained(capsys):
    code, out, _ = _power(capsys, "--grid-pairs", "4-6", "--grid-period-days", "7,14,21")
    assert code == 0
    grid = out[out.index("Power of the randomization test against"):]
    header = grid.splitlines()[1].split()
    assert header == ["7-day", "14-day", "21-day"]
    rows = {int(line.split()[0]): line.split()[1:] for line in grid.splitlines()[3:6]}
    assert sorted(rows) == [4, 5, 6]
    # a period as long as the wash-out has no analysed day: shown, not dropped
    assert all(r[0] == "n/a" for r in rows.values())
    assert "n/a: a 7-day period with 7 wash-out days has no analysed day" in grid
    # 4 and 5 pairs cannot reach p < 0.05 (2/16, 2/32): shown as 0*, explained
    assert rows[4][1:] == ["0*", "0*"] and rows[5][1:] == ["0*", "0*"]
    assert "0*: with 4, 5 pair(s) the randomization test cannot reach p < 0.05" in grid
    assert all(re.fullmatch(r"0\.\d\d|1\.00", v) for v in rows[6][1:])


def test_readable_header_and_method_names(capsys):
    code, out, _ = _power(capsys, "--pairs", "3")
    assert code == 0
    assert "{" not in out and "'kind'" not in out
    assert out.startswith("Power of a paired design: 3 pairs of 14-day periods, the first 7 "
                          "days of each not analysed (42 analysed days).\nAssumed: true effect "
                          "-1 (treatment − control; lower is better), daily SD 1.5")
    assert "randomization test (exact, period means)" in out
    assert "Note: with 3 pairs the randomization test cannot reach p < 0.05 (smallest " \
           "two-sided p = 2/2^3 = 0.25)" in out
    assert "gls_ar1" not in out                      # --gls-sims 0 leaves it out


def test_all_cells_without_analysed_days(tmp_path, capsys):
    plot = tmp_path / "p.png"
    code, out, _ = _power(capsys, "--grid-pairs", "6", "--grid-period-days", "5,7",
                          "--period-days", "14", "--plot", str(plot))
    assert code == 0 and not plot.exists()
    assert "Plot: not written" in out and out.count("has no analysed day") == 2


def test_progress_bar_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    code, _, err = _power(capsys, "--grid-pairs", "6-7")
    assert code == 0
    assert "simulating" in err and "method" in err and "design" in err


def test_no_progress_bar_in_a_pipe(capsys):
    code, _, err = _power(capsys, "--grid-pairs", "6")
    assert code == 0 and err == ""


@pytest.mark.parametrize("command", ["power", "design"])
def test_every_option_has_help(command):
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    parser = sub.choices[command]
    for action in parser._actions:
        if action.option_strings and action.dest != "help":
            assert action.help and len(action.help) > 10, (command, action.option_strings)


def test_help_lists_the_workflow_with_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    steps = ["nof1 design my-trial", "nof1 status my-trial", "participant/diary.html",
             "nof1 groups my-trial", "nof1 verify my-trial", "nof1 analyze my-trial"]
    where = [out.index(s) for s in steps]
    assert where == sorted(where)
    assert "--outcome \"mood:0-10:higher" in out and "--product" in out
    # the exit codes are listed once, from EXIT_CODES (test_cli_red_team checks each line)
    assert out.count("exit codes:") == 1 and out.index("exit codes:") > where[-1]
