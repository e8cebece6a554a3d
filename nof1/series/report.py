"""A self-contained HTML report of a series analysis (plots embedded, no external assets)."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .. import __version__
from ..report import DISCLAIMER
from ..report._html import CSS as _CSS
from ..report.plots import close
from .pipeline import SeriesAnalysis

__all__ = ["render_series_report"]


def _png(ax: Any, alt: str = "figure of the series analysis") -> str:
    """A matplotlib figure as an inline PNG with alt text; closes the figure."""
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=110)
    close(ax)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    return ("<div class='table-wrap'>" + frame.to_html(
        index=False, na_rep="–", float_format=lambda x: f"{x:.3g}", border=0) + "</div>")

_CALIBRATION = (
    "Calibration (tests/test_series_calibration.py, simulated series with fixed seeds): "
    "the coverage of the pooled HKSJ confidence interval and of the prediction interval, "
    "and the type I error of the moderator test, are checked under homogeneous and "
    "heterogeneous effects, with 3 and 6 pairs per person. The Bayesian intervals are "
    "credible intervals under the stated priors, not calibrated frequentist intervals.")


def _section(a: SeriesAnalysis, n_rows: int) -> str:
    from .plots import forest_plot, moderator_plot

    o = a.outcome
    persons = a.results.persons[a.results.persons["outcome"] == o]
    out = [f"<h2>{html.escape(o)}</h2>",
           f"<div class='box'><pre>{html.escape(a.meta.summary())}</pre></div>",
           _table(a.to_frame().drop(columns="outcome")),
           "<h3>Forest plot</h3>",
           "<p class='note'>Open circles: each person's own trial (paired t 95% CI). Filled: "
           "the shrunken estimate of the hierarchical model (95% credible interval). Diamond:"
           " pooled mean (HKSJ 95% CI); dashed: 95% prediction interval for a new person; "
           "shaded: benefit of at least the MCID.</p>",
           _png(forest_plot(persons, a.meta, a.bayes),
                alt="Forest plot: each person's own and shrunken estimate, the pooled "
                    "effect with its prediction interval, and the MCID band")]
    for res in (a.one_stage, a.bayes, a.randomization):
        if res is not None:
            out.append(f"<pre>{html.escape(res.summary())}</pre>")
    m = a.moderator
    if m is not None:
        out.append(f"<h3>Moderator: {html.escape(m.moderator)}</h3>")
        out.append(f"<pre>{html.escape(m.summary())}</pre>")
        out.append(_table(m.subgroups))
        if m.meta_regression is not None:
            cut = 25.5 if m.grouping.startswith("2022") else None
            out.append(_png(moderator_plot(persons, a.results.covariates, m.moderator,
                                           m.meta_regression, cut=cut)))
        if m.caveats:
            out.append("<div class='warn'><ul>" + "".join(
                f"<li>{html.escape(c)}</li>" for c in m.caveats) + "</ul></div>")
    table = a.persons_table()
    cols = [c for c in ["person", "n_pairs", "estimate", "ci_low", "ci_high", "pvalue", "theta",
                        "theta_low", "theta_high", "p_benefit_mcid"] + list(
        a.results.covariates.columns[1:]) if c in table]
    out.append("<h3>Each person</h3>")
    more = len(table) - n_rows
    out.append(_table(table[cols].head(n_rows)))
    if more > 0:
        out.append(f"<p class='note'>{more} more persons in the per-person table file.</p>")
    return "\n".join(out)


def render_series_report(analyses: Sequence[SeriesAnalysis], *,
                         title: str = "Series of personal trials", n_rows: int = 100) -> str:
    """The HTML page of one or more outcomes' series analyses.

    Parameters
    ----------
    analyses : sequence of SeriesAnalysis
        From :func:`~nof1.series.pipeline.pool_outcome`, one per outcome.
    title : str
    n_rows : int
        Persons shown in each per-person table (the full table goes to a file).

    Returns
    -------
    str
        A complete HTML document with the plots embedded as PNG.
    """
    if not analyses:
        raise ValueError("`analyses` must hold at least one outcome")
    first = analyses[0]
    n = first.results.persons["person"].nunique()
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p>{n} persons, each in their own randomized trial; effects are treatment − "
            f"control in each outcome's units. {DISCLAIMER}</p>",
            f"<p class='note'>{html.escape(_CALIBRATION)}</p>"]
    body += [_section(a, n_rows) for a in analyses]
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body)
            + f"<footer>nof1 {__version__}, {stamp}. {DISCLAIMER}</footer></body></html>")
