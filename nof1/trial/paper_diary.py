"""The printable paper diary (``participant/paper-diary.html``): one A4 page per period.

For people who prefer paper: each page has the period's dates and pack code, the
questions with their scales and anchors, one row per day with a box per outcome,
"pack taken", side effects and notes, and, at the foot of the page, the
end-of-period blinding guess. The run-in, if any, gets its own page. Entries are
copied into the diary page (``diary.html``) or ``diary.csv`` later. No treatment
is named per period. Rows shrink (to 5 mm at least) so that periods of up to 34
days fit on one page; a longer period continues on a second page.
"""

from __future__ import annotations

import datetime as _dt
from html import escape
from itertools import groupby

from .blinding import short_commitment
from .diary_page import DONT_KNOW, diary_days
from .protocol import Protocol

__all__ = ["paper_diary_html"]

_CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #000;
       margin: 0 auto; max-width: 186mm; font-size: 10pt; }
.page { break-after: page; page-break-after: always; padding: 4mm 0; }
.page:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 14pt; margin: 0 0 1mm; }
.meta { margin: 0 0 2mm; }
.code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-weight: bold;
        letter-spacing: 0.12em; font-size: 12pt; }
.banner { border: 2px solid #000; font-weight: bold; text-align: center; padding: 1mm; }
ol.q { margin: 1mm 0 2mm; padding-left: 5mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 0.3mm solid #000; padding: 1mm; vertical-align: top; }
th { font-size: 8.5pt; text-align: center; background: #eee; }
td { height: var(--row, 9mm); }
td.date, td.yn { font-size: 8.5pt; white-space: nowrap; overflow: hidden; }
.guess { margin-top: 3mm; border: 0.4mm solid #000; padding: 2mm; }
.box { display: inline-block; width: 4mm; height: 4mm; border: 0.3mm solid #000;
       vertical-align: middle; margin: 0 1mm 0 4mm; }
.small { font-size: 8pt; color: #333; }
@media screen { body { padding: 1em; } .page { border-bottom: 1px dashed #999; } }
"""


#: height left for the day table on an A4 page (297 mm - 24 mm margins - headings, questions,
#: the guess box and the footer)
_TABLE_MM = 175.0


def _anchors_in(question: str, low_label: str, high_label: str) -> bool:
    """Whether the question already spells out its anchors (as the defaults do)."""
    text = question.lower()
    return bool(low_label or high_label) and all(
        label.lower() in text for label in (low_label, high_label) if label)


def _anchor(low: float, high: float, low_label: str, high_label: str) -> str:
    lo = f"{low:g}" + (f" = {escape(low_label)}" if low_label else "")
    hi = f"{high:g}" + (f" = {escape(high_label)}" if high_label else "")
    return f"{lo} &hellip; {hi}"


def _page(protocol: Protocol, days: list[dict], title: str, in_period: bool) -> str:
    p = protocol
    questions = "".join(
        f"<li><b>{escape(o.name)}</b>: {escape(o.question)}"
        + ("" if _anchors_in(o.question, o.low_label, o.high_label) else
           f" <span class=\"small\">[{_anchor(o.low, o.high, o.low_label, o.high_label)}]"
           "</span>")
        + "</li>" for o in p.outcomes)
    head = ["Date"] + [escape(o.name) for o in p.outcomes]
    head += (["Pack taken?"] if in_period else []) + ["Side effects", "Notes"]
    each = min(7.0, 48.0 / len(p.outcomes))
    widths = [16.0] + [each] * len(p.outcomes) + ([9.0] if in_period else [])
    rest = 100.0 - sum(widths)
    widths += [rest * 0.4, rest * 0.6]
    widths = [f"{w:.1f}%" for w in widths]
    cols = "".join(f'<col style="width:{w}">' for w in widths)
    rows = []
    for d in days:
        date = _dt.date.fromisoformat(d["date"])
        cells = [f'<td class="date">{date.strftime("%a")} {escape(d["date"])}</td>']
        cells += ["<td></td>"] * len(p.outcomes)
        cells += ['<td class="yn small">yes / no</td>'] if in_period else []
        cells += ["<td></td>", "<td></td>"]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    guess = ""
    if in_period:
        choices = "".join(f'<span class="box"></span>{escape(t)}'
                          for t in (*sorted(p.treatments), DONT_KNOW))
        guess = (f'<div class="guess"><b>On the last day ({escape(days[-1]["date"])}):</b> '
                 f"what do you think this pack held? {choices}</div>")
    banner = "" if p.blinded else '<div class="banner">OPEN-LABEL (not blinded)</div>'
    # rows shrink for long periods so that a period still fits on one A4 page
    row_mm = max(5.0, min(9.0, _TABLE_MM / (len(days) + 1)))
    return (f'<section class="page" style="--row:{row_mm:.1f}mm"><h1>{title}</h1>{banner}'
            f'<p class="meta">Trial {escape(p.trial_id)} &middot; {escape(days[0]["date"])} to '
            f'{escape(days[-1]["date"])} &middot; commitment '
            f"{short_commitment(p.commitment)}</p>"
            f'<p class="small">Every evening, write a number for each question (leave it empty '
            f"rather than filling it in later from memory):</p><ol class=\"q\">{questions}</ol>"
            f"<table><colgroup>{cols}</colgroup><thead><tr>"
            + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table>{guess}"
            f'<p class="small">{escape(p.disclaimer)}</p></section>')


def paper_diary_html(protocol: Protocol) -> bytes:
    """The printable paper diary: one A4 page per period (and one for the run-in).

    Parameters
    ----------
    protocol : Protocol

    Returns
    -------
    bytes
        A self-contained UTF-8 HTML page with print CSS (``@page { size: A4 }``).

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.trial.blinding import make_key
    >>> from nof1.outcomes import default_outcomes
    >>> from nof1.trial.protocol import make_protocol
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", run_in_days=7, rng=12345)
    >>> p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
    ...                   blinded=True)
    >>> paper_diary_html(p).decode().count('<section class="page"')   # run-in + 4 periods
    5
    """
    pages = []
    for period, group in groupby(diary_days(protocol), key=lambda d: d["period"]):
        days = list(group)
        if period == "":
            pages.append(_page(protocol, days, "Run-in: diary only, no pack", False))
        else:
            pages.append(_page(protocol, days, f'Period {period} of {protocol.n_periods}: pack '
                                               f'<span class="code">{escape(days[0]["pack"])}'
                                               f"</span>", True))
    html = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Paper diary &middot; trial {escape(protocol.trial_id)}</title>\n"
            f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(pages)
            + "\n</body>\n</html>\n")
    return html.encode("utf-8")
