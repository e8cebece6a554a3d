"""Printable, self-contained HTML sheets (inline CSS, no external assets).

- ``schedule.html`` (participant): dates, pack codes, diary questions,
  commitment. Never a treatment.
- ``packs.html`` (helper): a filling sheet with each pack's CONTENTS, then
  cut-out labels for the packs (code, dates, days; no contents).
"""

from __future__ import annotations

import datetime as _dt
from html import escape
from typing import Any

from ..blinding import short_commitment
from ..protocol import Protocol

__all__ = ["schedule_html", "packs_html"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 2em;
       color: #111; max-width: 60em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; }
th, td { border: 1px solid #888; padding: 0.3em 0.5em; text-align: left; }
th { background: #eee; }
.code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 1.15em;
        font-weight: bold; letter-spacing: 0.12em; }
.hash { font-family: "DejaVu Sans Mono", Consolas, monospace; word-break: break-all; }
.banner { border: 3px solid #b00; color: #b00; font-weight: bold; font-size: 1.3em;
          padding: 0.4em 0.8em; margin: 0.8em 0; text-align: center; }
.warn { border: 2px solid #444; padding: 0.5em 0.8em; margin: 0.8em 0; }
.small { font-size: 0.85em; color: #444; }
.labels { display: flex; flex-wrap: wrap; gap: 0.4em; }
.label { border: 1px dashed #333; padding: 0.6em 0.8em; width: 15em; break-inside: avoid; }
.pagebreak { break-before: page; page-break-before: always; }
@media print { body { margin: 1cm; } .noprint { display: none; } }
"""


def _page(title: str, body: str) -> bytes:
    html = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")
    return html.encode("utf-8")


def _banner(protocol: Protocol) -> str:
    if protocol.blinded:
        return ""
    return '<div class="banner">OPEN-LABEL (not blinded)</div>\n'


def _commitment(protocol: Protocol) -> str:
    return (f'<p>Commitment <span class="hash">{short_commitment(protocol.commitment)}</span>'
            f'<br><span class="small">full: <span class="hash">{protocol.commitment}</span>'
            f"</span></p>\n")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def schedule_html(protocol: Protocol) -> bytes:
    """The participant's printable schedule (no treatment names)."""
    p = protocol
    rows = []
    if p.run_in_days:
        run_in_end = p.start + _dt.timedelta(days=p.run_in_days - 1)
        rows.append(["run-in", "no pack", p.start.isoformat(), run_in_end.isoformat(),
                     str(p.run_in_days), "no"])
    for pack in p.packs:
        rows.append([str(pack["period"]), f'<span class="code">{escape(pack["code"])}</span>',
                     escape(pack["start"]), escape(pack["end"]), str(pack["n_days"]),
                     f"from {escape(pack['first_analysed'])}"])
    questions = "".join(
        f"<li><b>{escape(o.name)}</b>{' (primary)' if o.name == p.primary else ''}: "
        f"{escape(o.question)} [{o.low:g}&ndash;{o.high:g}]</li>" for o in p.outcomes)
    body = (
        f"<h1>Personal trial {escape(p.trial_id)}: schedule</h1>\n{_banner(p)}"
        f"<p>{escape(p.start.isoformat())} to {escape(p.end.isoformat())} &middot; "
        f"{p.n_days} days &middot; {p.n_periods} periods</p>\n{_commitment(p)}"
        f"<h2>Packs</h2>\n<p>Take the pack of each period every day from its first to its last "
        f"day; start a new pack on the first day of the next period. Keep packs in their "
        f"labelled order.</p>\n"
        + _table(["Period", "Pack", "First day", "Last day", "Days", "Analysed"], rows)
        + "<h2>Daily diary (diary.csv)</h2>\n<p>Every evening, one row per day:</p>\n"
        f"<ul>{questions}<li><b>took_pack</b>: yes / no</li>"
        "<li><b>side_effects</b> and <b>notes</b>: free text</li>"
        "<li><b>blinding_guess</b>: on the last day of each period, which treatment you "
        "think the pack held (or &ldquo;don&rsquo;t know&rdquo;)</li></ul>\n"
        "<p>Leave a day empty rather than filling it in later from memory.</p>\n"
        f'<p class="small">{escape(p.disclaimer)}</p>\n')
    return _page(f"Trial {p.trial_id} schedule", body)


def packs_html(protocol: Protocol, key: dict[str, Any]) -> bytes:
    """The helper's sheet: pack contents, then cut-out labels without contents."""
    p = protocol
    blind_note = ("Keep this sheet and key.json away from the participant until the analysis "
                  "is done. Fill all packs so they look, weigh and taste the same."
                  if p.blinded else
                  "Open-label trial: the participant may know the contents; packs still follow "
                  "this random order.")
    rows = [[str(pk["period"]), f'<span class="code">{escape(pk["code"])}</span>',
             escape(pk["start"]), escape(pk["end"]), str(pp["n_days"]),
             f"<b>{escape(pk['treatment'])}</b>"]
            for pk, pp in zip(key["packs"], p.packs, strict=True)]
    labels = "".join(
        f'<div class="label"><div class="code">{escape(pp["code"])}</div>'
        f"<div>{escape(pp['start'])} to {escape(pp['end'])}</div>"
        f"<div>{pp['n_days']} days &middot; one dose daily</div>"
        f'<div class="small">Trial {escape(p.trial_id)} &middot; '
        f"{short_commitment(p.commitment)}"
        f"{'' if p.blinded else ' &middot; OPEN-LABEL'}</div></div>\n"
        for pp in p.packs)
    body = (
        f"<h1>Personal trial {escape(p.trial_id)}: packs (helper only)</h1>\n{_banner(p)}"
        f'<div class="warn">{escape(blind_note)}</div>\n{_commitment(p)}'
        "<h2>Filling sheet</h2>\n"
        + _table(["Period", "Pack", "First day", "Last day", "Days (doses)", "CONTENTS"], rows)
        + '<h2 class="pagebreak">Labels</h2>\n<p class="small noprint">Cut along the dashed '
        "lines; the labels do not name the contents.</p>\n"
        f'<div class="labels">\n{labels}</div>\n<p class="small">{escape(p.disclaimer)}</p>\n')
    return _page(f"Trial {p.trial_id} packs", body)
