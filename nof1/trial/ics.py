"""The participant's calendar (``calendar.ics``, RFC 5545), written with :mod:`icalendar`.

Events:

- one all-day event on the first day of every period, naming its pack code
  ("Start pack K7TM"), with two display alarms: the evening before (20:00,
  "have pack K7TM ready") and at 08:00 on the day;
- on the last day of every period, a short timed event at the diary time with
  an alarm: record the end-of-period blinding guess in the diary;
- one all-day event for the start of the run-in, if any;
- a "trial ends" all-day event on the last day, with an alarm at the diary
  time: export the diary, then the end-of-trial steps;
- a daily diary reminder, a short timed event repeated every day of the trial
  (``RRULE:FREQ=DAILY;COUNT=n_days``) with a display alarm.

Timed events use floating local time, so they ring at the same clock time
wherever the participant is. No event names a treatment.
"""

from __future__ import annotations

import datetime as _dt

import icalendar

from .protocol import Protocol

__all__ = ["calendar_ics", "PRODID"]

PRODID = "-//nof1//nof1 personal trial calendar//EN"
REMINDER_MINUTES = 10
#: alarms of a pack-change day, relative to its (all-day) start at midnight
PACK_ALARMS = ((_dt.timedelta(hours=-4), "Tomorrow: start pack {code}. Have it ready."),
               (_dt.timedelta(hours=8), "Today: start pack {code}."))


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


def _alarm(trigger: _dt.timedelta, text: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", trigger)
    return alarm


def _since_midnight(time: _dt.time) -> _dt.timedelta:
    return _dt.timedelta(hours=time.hour, minutes=time.minute, seconds=time.second)


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
        for trigger, text in PACK_ALARMS:
            ev.add_component(_alarm(trigger, text.format(code=pack["code"])))
        cal.add_component(ev)

        last = _dt.date.fromisoformat(pack["end"])
        ev = _event(f"{tid}-guess-{pack['period']}@nof1", stamp,
                    f"Last day of pack {pack['code']}: record your guess",
                    f"{open_label}Period {pack['period']} of {n} ends today. In tonight's "
                    f"diary, record what you think pack {pack['code']} held (or \"don't "
                    f"know\"). {footer}")
        ev.add("dtstart", _dt.datetime.combine(last, diary_time))
        ev.add("duration", _dt.timedelta(minutes=REMINDER_MINUTES))
        ev.add_component(_alarm(_dt.timedelta(0), f"Last day of pack {pack['code']}: "
                                                  f"record your guess in the diary"))
        cal.add_component(ev)

    ev = _event(f"{tid}-end@nof1", stamp, "Trial ends: last diary day",
                f"{open_label}Last day of the trial. After tonight's diary, export diary.csv "
                f"from diary.html and keep it with the trial folder. Then the helper runs "
                f"'nof1 groups' and 'nof1 verify', and 'nof1 analyze' gives the result. "
                f"{footer}")
    ev.add("dtstart", protocol.end)
    ev.add("dtend", protocol.end + _dt.timedelta(days=1))
    ev.add("transp", "TRANSPARENT")
    ev.add_component(_alarm(_since_midnight(diary_time) + _dt.timedelta(
        minutes=REMINDER_MINUTES), "Trial ends today: export your diary"))
    cal.add_component(ev)

    first = _dt.datetime.combine(protocol.start, diary_time)
    ev = _event(f"{tid}-diary@nof1", stamp, "Trial diary",
                f"{open_label}Open diary.html and fill in today: "
                f"{', '.join(protocol.outcome_names)}, pack taken, side effects. {footer}")
    ev.add("dtstart", first)
    ev.add("duration", _dt.timedelta(minutes=REMINDER_MINUTES))
    ev.add("rrule", {"freq": "daily", "count": protocol.n_days})
    ev.add_component(_alarm(_dt.timedelta(0), "Fill in the trial diary"))
    cal.add_component(ev)
    return cal.to_ical()
