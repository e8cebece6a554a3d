"""The participant's calendar (``calendar.ics``, RFC 5545), written with :mod:`icalendar`.

Events: one all-day event on the first day of every period, naming its pack
code ("Start pack K7TM"); one all-day event for the start of the run-in, if
any; and a daily diary reminder, a short timed event repeated every day of
the trial (``RRULE:FREQ=DAILY;COUNT=n_days``) with a display alarm. The
reminder uses floating local time, so it rings at the same clock time
wherever the participant is. No event names a treatment.
"""

from __future__ import annotations

import datetime as _dt

import icalendar

from ..protocol import Protocol

__all__ = ["calendar_ics", "PRODID"]

PRODID = "-//nof1//nof1 personal trial calendar//EN"
REMINDER_MINUTES = 10


def _created(protocol: Protocol) -> _dt.datetime:
    text = protocol.created.replace("Z", "+00:00")
    return _dt.datetime.fromisoformat(text).astimezone(_dt.timezone.utc)


def _event(uid: str, stamp: _dt.datetime, summary: str, description: str) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("summary", summary)
    ev.add("description", description)
    return ev


def calendar_ics(protocol: Protocol, *, diary_time: _dt.time = _dt.time(20, 0)) -> bytes:
    """The trial calendar as iCalendar bytes.

    Parameters
    ----------
    protocol : Protocol
        Dates, pack codes, trial id and commitment (printed in full in every
        event, a copy that ``nof1 verify`` checks) come from here.
    diary_time : datetime.time
        Local clock time of the daily diary reminder (default 20:00).

    Returns
    -------
    bytes
        An RFC 5545 ``VCALENDAR`` (CRLF line endings, folded lines).
    """
    stamp = _created(protocol)
    tid = protocol.trial_id
    open_label = "" if protocol.blinded else "OPEN-LABEL (not blinded). "
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Personal trial {tid}")
    # the full digest, so that `nof1 verify` can compare this printed copy with protocol.json
    footer = f"Trial {tid}, commitment {protocol.commitment}. {protocol.disclaimer}"

    if protocol.run_in_days:
        ev = _event(f"{tid}-run-in@nof1", stamp, "Trial run-in starts: diary only, no pack",
                    f"{open_label}Run-in of {protocol.run_in_days} day(s): fill in the diary "
                    f"every day; no pack yet. {footer}")
        ev.add("dtstart", protocol.start)
        ev.add("dtend", protocol.start + _dt.timedelta(days=1))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)

    n = protocol.n_periods
    for pack in protocol.packs:
        start = _dt.date.fromisoformat(pack["start"])
        ev = _event(f"{tid}-period-{pack['period']}@nof1", stamp,
                    f"Start pack {pack['code']}",
                    f"{open_label}Period {pack['period']} of {n}: take pack {pack['code']} "
                    f"from {pack['start']} to {pack['end']} ({pack['n_days']} days). {footer}")
        ev.add("dtstart", start)
        ev.add("dtend", start + _dt.timedelta(days=1))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)

    first = _dt.datetime.combine(protocol.start, diary_time)
    ev = _event(f"{tid}-diary@nof1", stamp, "Trial diary",
                f"{open_label}Fill in today's diary row: "
                f"{', '.join(protocol.outcome_names)}, pack taken, side effects. {footer}")
    ev.add("dtstart", first)
    ev.add("duration", _dt.timedelta(minutes=REMINDER_MINUTES))
    ev.add("rrule", {"freq": "daily", "count": protocol.n_days})
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Fill in the trial diary")
    alarm.add("trigger", _dt.timedelta(0))
    ev.add_component(alarm)
    cal.add_component(ev)
    return cal.to_ical()
