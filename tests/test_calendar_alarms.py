"""Calendar alarms that help keep the protocol: pack changes, blinding guesses, the end."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.trial import create_trial

START = dt.date(2026, 1, 5)
DESIGNS = {"paired": lambda: PairedDesign(3), "alternating": lambda: AlternatingDesign(4),
           "phase": lambda: PhaseDesign("ABAB", n_occasions=60, min_phase=10)}


def _events(tmp_path, kind="paired", **kw):
    trial = create_trial(tmp_path / kind, design=DESIGNS[kind](), start=START, rng=3, **kw)
    cal = icalendar.Calendar.from_ical((trial.participant_dir / "calendar.ics").read_bytes())
    return trial, cal.walk("VEVENT")


def _alarms(event):
    return [(a.decoded("TRIGGER"), str(a["DESCRIPTION"])) for a in event.walk("VALARM")]


@pytest.mark.parametrize("kind", sorted(DESIGNS))
def test_pack_change_alarms(tmp_path, kind):
    trial, events = _events(tmp_path, kind)
    starts = {str(e["SUMMARY"]): e for e in events if str(e["SUMMARY"]).startswith("Start pack")}
    assert len(starts) == trial.protocol.n_periods
    for pack in trial.protocol.packs:
        ev = starts[f"Start pack {pack['code']}"]
        # all-day event at midnight: 20:00 the evening before, 08:00 on the day
        assert _alarms(ev) == [
            (dt.timedelta(hours=-4), f"Tomorrow: start pack {pack['code']}. Have it ready."),
            (dt.timedelta(hours=8), f"Today: start pack {pack['code']}.")]
        assert all(str(a["ACTION"]) == "DISPLAY" for a in ev.walk("VALARM"))


@pytest.mark.parametrize("kind", sorted(DESIGNS))
def test_end_of_period_guess_reminders(tmp_path, kind):
    trial, events = _events(tmp_path, kind, diary_time=dt.time(21, 15))
    guesses = [e for e in events if "record your guess" in str(e["SUMMARY"])]
    assert len(guesses) == trial.protocol.n_periods
    guesses.sort(key=lambda e: e.decoded("DTSTART"))
    for ev, pack in zip(guesses, trial.protocol.packs, strict=True):
        assert ev.decoded("DTSTART") == dt.datetime.combine(
            dt.date.fromisoformat(pack["end"]), dt.time(21, 15))
        assert pack["code"] in str(ev["SUMMARY"])
        assert [t for t, _ in _alarms(ev)] == [dt.timedelta(0)]


def test_trial_end_event(tmp_path):
    trial, events = _events(tmp_path, diary_time=dt.time(20, 0))
    (end,) = [e for e in events if str(e["SUMMARY"]).startswith("Trial ends")]
    assert end.decoded("DTSTART") == trial.protocol.end
    assert end.decoded("DTEND") == trial.protocol.end + dt.timedelta(1)
    assert _alarms(end) == [(dt.timedelta(hours=20, minutes=10),
                             "Trial ends today: export your diary")]
    text = str(end["DESCRIPTION"])
    assert text.index("nof1 groups") < text.index("nof1 verify") < text.index("nof1 analyze")
