"""Ctrl-C and SIGTERM at any moment, and two writers racing for one file.

The real console script is started as a subprocess and sent a signal at a random
moment (a fixed, bounded set of delays drawn from a seeded generator) after its
signal handlers are in place: during the imports, while the trial folder is being
written, during the analysis or while the report is written. Whatever the moment:
the exit code is 130 (SIGINT) or 143 (SIGTERM), or 0 if the command had already
finished; standard error holds one line and no traceback; no hidden temporary is
left behind and every file present is complete.
"""

from __future__ import annotations

import datetime as _dt
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nof1.exceptions import TrialExistsError
from nof1.trial._atomic import write_file_atomic

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads signal dispositions from /proc (Linux)")

#: a start date in the future, so that `nof1 design` has nothing to warn about
START = (_dt.date.today() + _dt.timedelta(days=30)).isoformat()
PARTICIPANT = {"schedule.csv", "calendar.ics", "diary.csv", "protocol.json", "schedule.html"}


def _script() -> list[str]:
    candidate = Path(sys.executable).with_name("nof1")
    if candidate.exists():
        return [str(candidate)]
    found = shutil.which("nof1")
    return [found] if found else [sys.executable, "-c", "import _nof1_entry; _nof1_entry.run()"]


def _handlers_installed(pid: int) -> bool:
    """True once the process catches SIGTERM (Python's defaults leave SIGTERM alone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line.split()[1] for line in status.splitlines()
                      if line.startswith("SigCgt:")), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _run_and_signal(args: list[str], sig: int, delay: float) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([*_script(), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not _handlers_installed(proc.pid) and proc.poll() is None:
        assert time.monotonic() < deadline, "the command never installed its handlers"
        time.sleep(0.001)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _assert_nothing_half_written(root: Path) -> None:
    hidden = [p for p in root.rglob("*") if ".tmp-" in p.name]
    assert hidden == [], hidden
    trial = root / "trial"
    if trial.exists():  # complete or absent, never partial
        assert {p.name for p in (trial / "participant").iterdir()} >= PARTICIPANT
        assert (trial / "helper" / "key.json").is_file()
        json.loads((trial / "helper" / "key.json").read_text(encoding="utf-8"))
    report = trial / "report.html"
    if report.exists():
        assert report.read_text(encoding="utf-8").rstrip().endswith("</html>")


_DELAYS = np.random.default_rng(20260105).uniform(0.0, 1.0, size=4)


@pytest.mark.parametrize(("i", "sig"), [(i, s) for i in range(2)
                                        for s in (signal.SIGINT, signal.SIGTERM)])
def test_a_signal_at_a_random_moment(tmp_path, i, sig):
    # the demo designs, fills, analyses and writes a report: 5-20 s here; the delays
    # spread over that span (scaled per run so that early and late moments are both hit)
    command = ["design", str(tmp_path / "trial"), "--start", START] if i % 2 else \
        ["demo", str(tmp_path / "trial")]
    span = 1.0 if i % 2 else 8.0
    delay = float(_DELAYS[2 * i + (sig == signal.SIGTERM)]) * span
    proc = _run_and_signal(command, sig, delay)
    expected = {signal.SIGINT: (130, "nof1: interrupted"),
                signal.SIGTERM: (143, "nof1: terminated")}[sig]
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:  # finished before the signal arrived
        assert proc.stderr == ""
    else:
        assert (proc.returncode, proc.stderr) == (expected[0], expected[1] + "\n")
    _assert_nothing_half_written(tmp_path)


def test_a_signal_during_the_imports(tmp_path):
    proc = _run_and_signal(["design", str(tmp_path / "trial"), "--start", START],
                           signal.SIGINT, 0.0)
    assert (proc.returncode, proc.stderr) == (130, "nof1: interrupted\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("handler", ["_on_sigint", "_on_sigterm"])
@pytest.mark.parametrize("after_files", [0, 3, 6])
def test_a_signal_while_the_key_is_being_written_leaves_no_temporary(tmp_path, monkeypatch,
                                                                     capsys, handler,
                                                                     after_files):
    """The signal handler itself is called mid-write (deterministic moment)."""
    import _nof1_entry
    import nof1.trial._atomic as atomic
    from nof1.cli import main

    real = atomic._write_bytes
    written = []

    def write_then_signal(path, data):
        if len(written) == after_files:
            getattr(_nof1_entry, handler)(signal.SIGINT, None)
        real(path, data)
        written.append(path)

    monkeypatch.setattr(atomic, "_write_bytes", write_then_signal)
    monkeypatch.setattr(_nof1_entry, "_ignore_further", lambda: None)  # keep pytest's handlers
    monkeypatch.setattr(_nof1_entry, "_received", [])
    code = main(["design", str(tmp_path / "trial"), "--start", START])
    assert code == (130 if handler == "_on_sigint" else 143)
    assert list(tmp_path.iterdir()) == []
    if handler == "_on_sigint":
        assert capsys.readouterr().err == "nof1: interrupted\n"


# -- never overwritten, also under a race ---------------------------------------------------
def _racer(path: str, payload: bytes, barrier, results) -> None:
    barrier.wait()
    try:
        write_file_atomic(path, payload)
        results.put(("won", payload))
    except TrialExistsError:
        results.put(("refused", payload))


@pytest.mark.parametrize("round_", range(3))
def test_racing_writers_exactly_one_wins(tmp_path, round_):
    # not "fork": forking a test process that other tests left with threads (a Dask
    # cluster's event loop, thread pools) can deadlock the child on a lock. "forkserver"
    # forks each writer from a fresh single-threaded server that has imported this
    # module's dependencies once, instead of starting a fresh interpreter that imports
    # them per writer ("spawn", about 1 s of CPU each). (The server does not see pytest's
    # sys.path in Python 3.11, so it preloads the installed modules, not this one.)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["numpy", "pytest", "nof1.exceptions", "nof1.trial._atomic"])
    n = 4
    barrier, results = ctx.Barrier(n), ctx.Queue()
    target = tmp_path / "groups.json"
    procs = [ctx.Process(target=_racer, args=(str(target), f"writer {k}\n".encode() * 2000,
                                              barrier, results)) for k in range(n)]
    for p in procs:
        p.start()
    # read the queue before joining: a child that has put a payload larger than the pipe's
    # buffer does not exit until the payload is read, so joining first waits for the timeout
    outcomes = [results.get(timeout=60) for _ in range(n)]
    for p in procs:
        p.join(60)
    winners = [payload for what, payload in outcomes if what == "won"]
    assert len(winners) == 1, outcomes
    assert target.read_bytes() == winners[0]  # the winner's bytes, whole
    assert [p.name for p in tmp_path.iterdir()] == ["groups.json"]


def test_two_groups_commands_at_once_one_succeeds(tmp_path):
    from nof1.cli import main

    assert main(["design", str(tmp_path / "trial"), "--start", START, "--pairs", "2"]) == 0
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [subprocess.Popen([*_script(), "groups", str(tmp_path / "trial")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for _ in range(2)]
    done = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    codes = sorted(code for _, _, code in done)
    assert codes == [0, 2], done
    loser_err = next(err for _, err, code in done if code == 2)
    assert loser_err.startswith("nof1: error: ") and loser_err.count("\n") == 1
    assert "exists" in loser_err
    spec = json.loads((tmp_path / "trial" / "helper" / "groups.json").read_text())
    assert spec["format"] == "nof1-group-key"
