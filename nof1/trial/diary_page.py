"""The participant's offline diary page (``participant/diary.html``).

One self-contained HTML file (inline CSS and JavaScript, no server, no network:
its Content-Security-Policy forbids every fetch) that the participant opens each
evening on a phone or a computer. It shows today's date, period and pack code,
asks the protocol's questions with their anchors, keeps the entries in the
browser's local storage (keyed by the trial id), shows which days are missing,
and exports a ``diary.csv`` with exactly the columns of ``participant/diary.csv``,
which :func:`nof1.data.read_diary` reads unchanged; it also imports one.

The page is built from the protocol alone (dates, pack codes, outcomes): like
``schedule.csv`` it names no treatment per period. The treatments appear only
as the choices of the end-of-period blinding guess, in alphabetical order, as
in ``protocol.json``.
"""

from __future__ import annotations

import datetime as _dt
import json
from html import escape
from importlib import resources
from typing import Any

from .blinding import short_commitment
from .protocol import Protocol

__all__ = ["diary_page_html", "diary_days", "diary_columns", "DONT_KNOW"]

#: the blinding-guess choice for "I cannot tell" (read as "don't know" by the analysis)
DONT_KNOW = "don't know"
#: the diary's columns before the outcomes (filled in from the schedule) and after them
DIARY_FIXED_COLUMNS = ("date", "day", "period", "pack")
DIARY_EXTRA_COLUMNS = ("took_pack", "side_effects", "notes", "blinding_guess")


def diary_columns(protocol: Protocol) -> list[str]:
    """The diary's columns: date, day, period, pack, the outcomes, then the fixed extras.

    Parameters
    ----------
    protocol : Protocol

    Returns
    -------
    list of str
        The header of ``participant/diary.csv``.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.outcomes import default_outcomes
    >>> from nof1.trial.protocol import make_protocol
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> diary_columns(p)[:7]
    ['date', 'day', 'period', 'pack', 'pain', 'stress', 'sleep']
    >>> diary_columns(p)[7:]
    ['took_pack', 'side_effects', 'notes', 'blinding_guess']
    """
    return [*DIARY_FIXED_COLUMNS, *protocol.outcome_names, *DIARY_EXTRA_COLUMNS]


def diary_days(protocol: Protocol) -> list[dict[str, Any]]:
    """One record per scheduled day, from the protocol (no allocation).

    Parameters
    ----------
    protocol : Protocol

    Returns
    -------
    list of dict
        ``date`` (ISO), ``day`` (1-based), ``period`` (int, or ``""`` in the
        run-in), ``pack`` (code or ``""``), ``first_of_period`` and
        ``last_of_period`` (bool).

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.outcomes import default_outcomes
    >>> from nof1.trial.protocol import make_protocol
    >>> s = make_schedule(PairedDesign(1), start="2026-01-05", period_days=2, run_in_days=1,
    ...                   washout_days=0, rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> [(d["day"], d["period"], d["last_of_period"]) for d in diary_days(p)]
    [(1, '', False), (2, 1, False), (3, 1, True), (4, 2, False), (5, 2, True)]
    """
    by_date: dict[_dt.date, dict[str, Any]] = {}
    for pack in protocol.packs:
        first = _dt.date.fromisoformat(pack["start"])
        last = _dt.date.fromisoformat(pack["end"])
        day = first
        while day <= last:
            by_date[day] = {"period": int(pack["period"]), "pack": pack["code"],
                            "first_of_period": day == first, "last_of_period": day == last}
            day += _dt.timedelta(days=1)
    out = []
    for i in range(protocol.n_days):
        date = protocol.start + _dt.timedelta(days=i)
        info = by_date.get(date, {"period": "", "pack": "", "first_of_period": False,
                                  "last_of_period": False})
        out.append({"date": date.isoformat(), "day": i + 1, **info})
    return out


def _config(protocol: Protocol) -> dict[str, Any]:
    p = protocol
    return {
        "trial_id": p.trial_id,
        "blinded": p.blinded,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "n_periods": p.n_periods,
        "columns": diary_columns(p),
        "outcomes": [{"name": o.name, "question": o.question, "low": o.low, "high": o.high,
                      "low_label": o.low_label, "high_label": o.high_label,
                      "primary": o.name == p.primary} for o in p.outcomes],
        "guesses": [*sorted(p.treatments), DONT_KNOW],
        "days": diary_days(p),
        "commitment": short_commitment(p.commitment),
        "disclaimer": p.disclaimer,
    }


def _template() -> str:
    return resources.files(__package__).joinpath("diary_page.html").read_text(encoding="utf-8")


def diary_page_html(protocol: Protocol) -> bytes:
    """The participant's offline diary page.

    Parameters
    ----------
    protocol : Protocol
        Dates, pack codes, outcomes (questions, scales, anchors) and the trial id
        come from here; nothing else is needed, and no allocation is used.

    Returns
    -------
    bytes
        A self-contained UTF-8 HTML page.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.outcomes import default_outcomes
    >>> from nof1.trial.protocol import make_protocol
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> page = diary_page_html(p).decode()
    >>> page.startswith("<!DOCTYPE html>"), "http" in page.lower().replace("http-equiv", "")
    (True, False)
    """
    config = json.dumps(_config(protocol), ensure_ascii=False, separators=(",", ":"))
    # a JSON text inside <script> must not close the element
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = (_template().replace("__TITLE__", escape(f"Diary · trial {protocol.trial_id}"))
            .replace("__CONFIG__", config))
    return page.encode("utf-8")
