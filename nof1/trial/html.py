"""Printable, self-contained HTML sheets (inline CSS, no external assets).

- ``schedule.html`` (participant): dates, pack codes, diary questions,
  commitment. Never a treatment.
- ``packs.html`` (helper): what to prepare (counts per pack and in total),
  how to get a matching placebo, a filling sheet with each pack's CONTENTS,
  the end-of-trial steps, then cut-out labels for the packs (code, dates,
  doses; in a blinded trial every label names both products alike).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from html import escape
from typing import Any

from .blinding import short_commitment
from .protocol import Protocol

__all__ = ["schedule_html", "packs_html", "HelperKit"]


@dataclasses.dataclass(frozen=True)
class HelperKit:
    """What the helper puts in the packs (shown only on the helper's sheet and labels).

    Parameters
    ----------
    product : str
        What a treatment pack holds, e.g. ``"magnesium citrate 300 mg"`` (may be empty).
    control_product : str
        What a control pack holds, e.g. ``"placebo capsule, same size and colour"``.
    doses_per_day : int
        Doses (capsules) per day, for the counts to prepare (default 1).

    Examples
    --------
    >>> kit = HelperKit("magnesium citrate 300 mg", "placebo capsule", doses_per_day=2)
    >>> kit.product, kit.doses_per_day
    ('magnesium citrate 300 mg', 2)
    """

    product: str = ""
    control_product: str = ""
    doses_per_day: int = 1

    def __post_init__(self) -> None:
        for name in ("product", "control_product"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"`{name}` must be text")
        if (isinstance(self.doses_per_day, bool) or not isinstance(self.doses_per_day, int)
                or not 1 <= self.doses_per_day <= 24):
            raise ValueError(f"`doses_per_day` must be a whole number from 1 to 24, got "
                             f"{self.doses_per_day!r}")

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
        + "<h2>Daily diary</h2>\n<p>Every evening, open <b>diary.html</b> (in this folder, on a "
        "phone or computer; it works offline) and answer the day's questions, or fill in "
        "<b>paper-diary.html</b> printed out. Export <b>diary.csv</b> from the diary page "
        "regularly and at the end. The questions:</p>\n"
        f"<ul>{questions}<li><b>took_pack</b>: yes / no</li>"
        "<li><b>side_effects</b> and <b>notes</b>: free text</li>"
        "<li><b>blinding_guess</b>: on the last day of each period, which treatment you "
        "think the pack held (or &ldquo;don&rsquo;t know&rdquo;)</li></ul>\n"
        "<p>Leave a day empty rather than filling it in later from memory.</p>\n"
        f'<p class="small">{escape(p.disclaimer)}</p>\n')
    return _page(f"Trial {p.trial_id} schedule", body)


def _contents(kit: HelperKit, treatment: str, control: str) -> str:
    product = kit.control_product if treatment == control else kit.product
    return f"{treatment}: {product}" if product else treatment


def _label_contents(protocol: Protocol, kit: HelperKit) -> str:
    """The same text on every label of a blinded trial: both products, alphabetically."""
    if not (kit.product or kit.control_product):
        return ""
    control = protocol.control
    names = sorted(_contents(kit, t, control) for t in protocol.treatments)
    return " or ".join(names)


def _prepare(protocol: Protocol, key: dict[str, Any], kit: HelperKit) -> str:
    control = protocol.control
    totals: dict[str, int] = {}
    for pk, pp in zip(key["packs"], protocol.packs, strict=True):
        what = _contents(kit, pk["treatment"], control)
        totals[what] = totals.get(what, 0) + pp["n_days"] * kit.doses_per_day
    n_packs = len(protocol.packs)
    items = "".join(f"<li><b>{escape(what)}</b>: {count} doses</li>"
                    for what, count in sorted(totals.items()))
    return (f"<h2>What to prepare</h2>\n<p>{n_packs} packs, {kit.doses_per_day} dose(s) per "
            f"day for the days of each pack (counts per pack in the filling sheet). In "
            f"total:</p>\n<ul>{items}</ul>\n<p class=\"small\">Keep a few spare doses of each, "
            f"stored apart and labelled, in case one is lost; never let the participant choose "
            f"between them.</p>\n")


_PLACEBO = (
    "<h2>A matching placebo</h2>\n"
    "<p>The placebo must look, weigh, smell and taste like the treatment, and come in the same "
    "container, so that nobody can tell the packs apart. Ways to get one:</p>\n<ul>"
    "<li>Ask a pharmacist: many pharmacies (especially compounding pharmacies) can fill "
    "identical opaque capsules with the product and with an inert filler such as "
    "microcrystalline cellulose.</li>"
    "<li>Over-encapsulation: put each tablet or capsule of the product into a larger opaque "
    "capsule (the same size and colour for all), and fill the same capsules with the inert "
    "filler for the placebo; weigh a few of each to check they match.</li>"
    "<li>Powders and drinks: a product that tastes is hard to blind; ask a pharmacist "
    "about a matching taste, or run an open-label trial (<code>--open-label</code>).</li>"
    "</ul>\n<p><b>Ask a pharmacist before repacking or making anything that will be "
    "swallowed</b> (dose, fillers, storage, hygiene). A noticeable side effect (for "
    "magnesium, loose stools) can reveal a pack's contents; the participant records side "
    "effects and end-of-period guesses, and the analysis reports them.</p>\n")


def _end_steps(protocol: Protocol) -> str:
    return (
        "<h2>At the end of the trial</h2>\n<ol>"
        "<li>Collect the participant's diary: the <code>diary.csv</code> exported from "
        "<code>diary.html</code> (or the paper diary, typed in) goes into "
        "<code>participant/diary.csv</code> of the trial folder.</li>"
        "<li><code>nof1 groups DIR</code>: writes a group key (which packs match, not what "
        "they hold), so the analysis can be run and checked before anyone is unblinded "
        "(<code>nof1 analyze DIR --groups DIR/helper/groups.json</code>).</li>"
        "<li><code>nof1 verify DIR</code>: checks that this key still matches the commitment "
        f"<span class=\"hash\">{short_commitment(protocol.commitment)}</span> printed on the "
        "participant's papers.</li>"
        "<li><code>nof1 analyze DIR</code>: unblinds with the key, prints the results and "
        "writes the report.</li></ol>\n")


def packs_html(protocol: Protocol, key: dict[str, Any], *, kit: HelperKit | None = None
               ) -> bytes:
    """The helper's sheet: what to prepare, pack contents, end steps, then labels.

    Parameters
    ----------
    protocol : Protocol
    key : dict
        The helper's key (pack contents come from here).
    kit : HelperKit, optional
        Products and doses per day (default: no product named, one dose a day).

    Returns
    -------
    bytes
        A self-contained printable HTML page.
    """
    p = protocol
    kit = kit or HelperKit()
    blind_note = ("Keep this sheet and key.json away from the participant until the analysis "
                  "is done. Fill all packs so they look, weigh and taste the same."
                  if p.blinded else
                  "Open-label trial: the participant may know the contents; packs still follow "
                  "this random order.")
    rows = [[str(pk["period"]), f'<span class="code">{escape(pk["code"])}</span>',
             escape(pk["start"]), escape(pk["end"]),
             f"{pp['n_days']} days &times; {kit.doses_per_day} = "
             f"{pp['n_days'] * kit.doses_per_day}",
             f"<b>{escape(_contents(kit, pk['treatment'], p.control))}</b>"]
            for pk, pp in zip(key["packs"], p.packs, strict=True)]
    same = _label_contents(p, kit) if p.blinded else ""
    contents = {pk["code"]: _contents(kit, pk["treatment"], p.control) for pk in key["packs"]}
    labels = "".join(
        f'<div class="label"><div class="code">{escape(pp["code"])}</div>'
        f"<div>{escape(pp['start'])} to {escape(pp['end'])}</div>"
        f"<div>{pp['n_days']} days &middot; {kit.doses_per_day} dose(s) daily &middot; "
        f"{pp['n_days'] * kit.doses_per_day} doses</div>"
        + (f'<div class="small">Contains {escape(same)}</div>' if same else "")
        + ("" if p.blinded else f"<div><b>{escape(contents[pp['code']])}</b></div>")
        + f'<div class="small">Trial {escape(p.trial_id)} &middot; '
        f"{short_commitment(p.commitment)}"
        f"{'' if p.blinded else ' &middot; OPEN-LABEL'}</div></div>\n"
        for pp in p.packs)
    body = (
        f"<h1>Personal trial {escape(p.trial_id)}: packs (helper only)</h1>\n{_banner(p)}"
        f'<div class="warn">{escape(blind_note)}</div>\n{_commitment(p)}'
        + _prepare(p, key, kit) + (_PLACEBO if p.blinded else "")
        + "<h2>Filling sheet</h2>\n"
        + _table(["Period", "Pack", "First day", "Last day", "Doses", "CONTENTS"], rows)
        + _end_steps(p)
        + '<h2 class="pagebreak">Labels</h2>\n<p class="small noprint">Cut along the dashed '
        "lines; " + ("every label reads the same apart from its code and dates, so the "
                     "labels do not tell the packs' contents apart" if p.blinded else
                     "open-label: each label names its contents") + ".</p>\n"
        f'<div class="labels">\n{labels}</div>\n<p class="small">{escape(p.disclaimer)}</p>\n')
    return _page(f"Trial {p.trial_id} packs", body)
