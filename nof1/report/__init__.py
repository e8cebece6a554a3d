"""A self-contained HTML report of a trial's analysis: readable first, auditable below.

The first screen holds one headline per outcome in its own direction of benefit,
the pre-registered rule's verdict, one plot (effects oriented to benefit) and the
provenance of the analysis; methods, sensitivity analyses, priors, the
randomization distribution and diagnostics follow in collapsible sections with
human column labels. The page has no external resource (images are inline SVG
data URIs), reflows to a phone's width and prints on A4 or US Letter.

Modules: :mod:`._view` (the only code that reads result fields: it turns a result
into the plain view model of :mod:`._model`), :mod:`._svg` (the figures, drawn as SVG without
matplotlib), :mod:`._figures` (alt text and embedding) and :mod:`._html` (markup,
stylesheet, print rules).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

from .._constants import DISCLAIMER
from . import _figures, _html
from ._model import ReportView
from ._view import build_view

__all__ = ["render_report", "write_report", "DISCLAIMER"]



def render_report(result: Any, diary: Any, *, title: str = "Personal trial report",
                  provenance: Mapping[str, Any] | None = None) -> str:
    """Render the analysis of a trial as one self-contained HTML page.

    Parameters
    ----------
    result : TrialResult
        From :func:`nof1.analyze`.
    diary : Diary
        The diary that was analysed (for the daily series plots).
    title : str
        Heading and ``<title>`` of the page.
    provenance : mapping, optional
        ``nof1.workflow.analyze_folder(...).provenance``: any of ``trial_id``,
        ``commitment``, ``key_verified``, ``plan_verified``, ``printed_copies_verified``,
        ``analysis``, ``interim``, ``diary_sha256``, ``analysed_on`` and
        ``nof1_version``, shown in the provenance block (values also read from a
        ``provenance`` attribute of ``result`` when it has one); what neither gives is
        shown as "not available".

    Returns
    -------
    str
        HTML with the plots embedded as SVG data URIs, every image with ``alt`` text.

    Examples
    --------
    >>> from nof1 import PairedDesign, analyze, make_schedule, read_diary
    >>> from nof1.planning.simulate import simulate_diary
    >>> s = make_schedule(PairedDesign(3), start="2026-01-05", period_days=7, rng=12345)
    >>> diary = read_diary(simulate_diary(s, rng=12345), s, warn=False)
    >>> page = render_report(analyze(diary, s), diary, provenance={"trial_id": "T-1"})
    >>> page.startswith("<!DOCTYPE html>"), page.count(DISCLAIMER), "T-1" in page
    (True, 1, True)
    """
    view = build_view(result, diary, title=title, provenance=provenance)
    body = _first_screen(view) + _technical(view)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version = dict(view.provenance).get("nof1 version", "")
    body.append(f"<footer>Report written {stamp} by nof1 {escape(version)}.</footer>")
    return _html.page(title, body)


def _first_screen(view: ReportView) -> list[str]:
    e = escape
    items = "".join(
        f"<li class='headline{' primary' if h.role.startswith('primary') else ''}'>"
        f"<p class='role'>{e(h.role)}</p><p class='sentence'>{e(h.sentence)}</p>"
        f"<p class='rule'>{e(h.rule)}</p><p class='detail'>{e(h.detail)}</p></li>"
        for h in view.headlines)
    out = [f"<header><h1>{e(view.title)}</h1><p class='meta'>{e(view.trial_line)}</p>"
           f"</header>",
           f"<p class='disclaimer'><strong>{e(DISCLAIMER)}</strong> {e(view.effect_note)}</p>",
           "<section aria-labelledby='h-results'><h2 id='h-results'>Results</h2>"
           f"<ul class='headlines'>{items}</ul>"
           + (f"<p class='decision'>{e(view.interval_note)}</p>" if view.interval_note else "")
           + (f"<p class='decision'>{e(view.decision)}</p>" if view.decision else "")
           + _exploratory_line(view)
           + f"<figure>{_figures.forest(view)}<figcaption>{e(_forest_caption(view))}"
           f"</figcaption></figure></section>"]
    if view.warnings:
        out.append("<div class='warn' role='note'><strong>Data warnings</strong><ul>"
                   + "".join(f"<li>{e(w)}</li>" for w in view.warnings) + "</ul></div>")
    rows = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in view.provenance)
    out.append("<section class='provenance' aria-labelledby='h-provenance'>"
               f"<h2 id='h-provenance'>Provenance</h2><dl>{rows}</dl></section>")
    return out


def _forest_caption(view: ReportView) -> str:
    if view.blinded:
        return (f"Each outcome's difference group X − group Y (which group is which "
                f"treatment is unknown until unblinding); bars: {view.confidence} confidence "
                f"intervals; grey band: ± the minimal clinically important difference (MCID).")
    unbounded = any(math.isinf(v) for row in view.forest for v in row[3:5])
    arrow = " (an arrow: no bound on that side)" if unbounded else ""
    return (f"Every outcome drawn so that right is better with {view.active}; bars: "
            f"{view.confidence} confidence intervals{arrow}; grey band: ± the minimal "
            f"clinically important difference (MCID).")


def _exploratory_line(view: ReportView) -> str:
    if view.exploratory is None:
        return ""
    names = [row[0] for row in view.exploratory.rows]
    return (f"<p class='decision'>Not pre-registered: the diary also has {len(names)} "
            f"unplanned column{'s' if len(names) > 1 else ''} ({escape(', '.join(names))}), "
            f"analysed as exploratory only; see “Exploratory (unplanned) outcomes” below."
            f"</p>")


def _technical(view: ReportView) -> list[str]:
    t = _html.table
    out = ["<h2 id='h-technical'>Technical detail</h2>",
           _html.details("summary-table", "All outcomes in numbers", [t(view.summary)]),
           _html.details("methods", "Methods: every analysis of each outcome",
                         [t(o.methods) if o.methods is not None else _not_analysed(o)
                          for o in view.outcomes]),
           _html.details("sensitivity", "Sensitivity analyses",
                         [t(o.sensitivity) if o.sensitivity is not None else _not_analysed(o)
                          for o in view.outcomes])]
    if view.exploratory is not None:
        out.append(_html.details("exploratory", "Exploratory (unplanned) outcomes",
                                 [t(view.exploratory)]))
    priors = [t(o.priors) for o in view.outcomes if o.priors is not None]
    if priors:
        out.append(_html.details("priors", "Priors: the Bayesian analysis under other priors",
                                 [f"<p class='note'>{escape(view.priors_note)}</p>"]
                                 + priors))
    if view.null is not None:
        out.append(_html.details(
            "randomization", "Randomization distribution",
            [f"<figure>{_figures.null_distribution(view.null)}<figcaption>The p-value of "
             f"{escape(view.null.outcome)} compares the observed effect with the effects "
             f"every other schedule the design could have drawn would have given."
             f"</figcaption></figure>"]))
    figs = []
    for o in view.outcomes:
        figs.append(f"<h4>{escape(o.name)}</h4><div class='figures'><figure class='wide'>"
                    f"{_figures.series(view, o)}</figure>")
        if o.pairs is not None:
            figs.append(f"<figure>{_figures.period_means(view, o)}</figure>")
        figs.append("</div>")
        if o.note:
            figs.append(_not_analysed(o))
    sizes = [t(o.effect_sizes) for o in view.outcomes if o.effect_sizes is not None]
    blinding = [f"<h4>Blinding</h4><p>{escape(view.blinding)}</p>"]
    if view.guesses is not None:
        blinding.append(t(view.guesses))
    out.append(_html.details("diagnostics", "Diagnostics: daily scores, periods, blinding",
                             figs + [t(o.periods) for o in view.outcomes
                                     if o.periods is not None] + sizes
                             + blinding))
    out.append(_html.details(
        "outcomes", "Outcomes and how they were measured",
        ["<dl>" + "".join(f"<dt>{escape(o.definition[0])}</dt><dd>"
                          f"{escape(o.definition[1])}</dd>" for o in view.outcomes)
         + "</dl>"]))
    return out


def _not_analysed(o: Any) -> str:
    return (f"<p class='note'><strong>{escape(o.name)}: not analysed.</strong> "
            f"{escape(o.note)}</p>")


def write_report(html_text: str, path: str | os.PathLike[str], *, overwrite: bool = False
                 ) -> Path:
    """Write ``html_text`` to ``path`` atomically (temporary file, then rename).

    Parameters
    ----------
    html_text : str
        The page, e.g. from :func:`render_report`.
    path : path-like
        Where to write it; its folder must exist.
    overwrite : bool
        Replace an existing file (default False: refuse).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is False (the file is left untouched);
        raised as :class:`~nof1.exceptions.TrialExistsError`, a subclass.
    OSError
        If the folder does not exist (:class:`~nof1.exceptions.TrialFileError`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_report("<p>hello</p>", pathlib.Path(tmp) / "report.html")
    ...     try:
    ...         write_report("<p>other</p>", path)
    ...     except FileExistsError:
    ...         print(path.read_text())
    <p>hello</p>
    """
    from ..trial._atomic import write_file_atomic

    return write_file_atomic(path, html_text.encode("utf-8"), overwrite=overwrite)
