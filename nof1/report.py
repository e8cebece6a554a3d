"""A self-contained HTML report of a trial's analysis (plots embedded, no external assets)."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__

__all__ = ["render_report", "write_report", "DISCLAIMER"]

DISCLAIMER = "A research and self-tracking tool, not medical advice."

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0;display:block;overflow-x:auto}
td,th{border:1px solid #ccc;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f4f4f4}
.note{color:#555;font-size:.9em} .warn{background:#fff4e0;border-left:4px solid #e69f00;
padding:.4em .8em} .box{background:#f6f9fc;border-left:4px solid #0072b2;padding:.5em .9em}
img{max-width:100%} footer{margin-top:3em;color:#777;font-size:.85em}
@media print{h2{page-break-after:avoid} img{page-break-inside:avoid}}
"""


def _png(ax: Any) -> str:
    from .plots import close

    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=110)
    close(ax)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, na_rep="–", float_format=lambda x: f"{x:.3g}",
                         border=0)


def render_report(result: Any, diary: Any, *, title: str = "Personal trial report") -> str:
    """Render the analysis of a trial as one self-contained HTML page.

    Parameters
    ----------
    result : TrialResult
        From :func:`nof1.analyze`.
    diary : Diary
        The diary that was analysed (for the daily series plots).
    title : str

    Returns
    -------
    str
        HTML with the plots embedded as PNG data URIs.

    Examples
    --------
    >>> from nof1 import PairedDesign, analyze, make_schedule, read_diary
    >>> from nof1.simulate import simulate_diary
    >>> s = make_schedule(PairedDesign(3), start="2026-01-05", period_days=7, rng=12345)
    >>> diary = read_diary(simulate_diary(s, rng=12345), s, warn=False)
    >>> page = render_report(analyze(diary, s), diary)
    >>> page.startswith("<!DOCTYPE html>"), page.count(DISCLAIMER)
    (True, 1)
    """
    from . import plots

    s = result.schedule
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(title)}</h1>",
             f"<p class='note'>{e(s.active)} vs {e(s.control)} · {e(repr(s.design))} · "
             f"{s.start.isoformat()} to {s.end.isoformat()} · {s.n_days} days "
             f"({s.run_in_days} run-in; first {s.washout_days} days of each period not "
             f"analysed)</p>",
             f"<p class='box'><b>{e(DISCLAIMER)}</b> Effects are {e(s.active)} − "
             f"{e(s.control)}, in each outcome's own units.</p>"]
    if result.issues:
        parts.append("<div class='warn'><b>Data warnings</b><ul>" + "".join(
            f"<li>{e(i.message)}</li>" for i in result.issues) + "</ul></div>")

    parts.append("<h2>Summary</h2>")
    frame = result.to_frame()
    cols = [c for c in ("outcome", "role", "estimate", "ci_low", "ci_high", "mcid", "pvalue",
                        "pvalue_holm", "p_benefit", "p_benefit_mcid", "completeness",
                        "adherence") if c in frame or c == "role"]
    shown = frame.assign(role=frame["primary"].map({True: "primary", False: "secondary"}))
    if "exploratory" in frame:  # unplanned diary columns (nof1.analysis._exploratory)
        shown.loc[frame["exploratory"].fillna(False).astype(bool), "role"] = "exploratory"
    parts.append(_table(shown[cols]))
    parts.append("<p class='note'>pvalue: exact randomization test over the design's own "
                 "admissible assignments (two-sided); pvalue_holm: Holm-adjusted across "
                 "secondary outcomes; p_benefit / p_benefit_mcid: posterior probability of "
                 "any benefit / of a benefit at least as large as the MCID.</p>")
    for r in result.outcomes.values():
        parts.append(f"<p><b>{e(r.outcome)}</b>: {e(r.interpretation)}</p>")
    parts.append(f"<p class='box'>{e(result.decision['text'])}</p>")
    b = result.blinding
    if b["n_periods_guessed"]:
        parts.append(f"<p>Blinding guesses: {b['n_correct']} of {b['n_definite']} definite "
                     f"end-of-period guesses named the right treatment "
                     f"({b['n_periods_guessed'] - b['n_definite']} \"don't know\" or other); "
                     f"exact binomial test against guessing at chance p = {b['pvalue']:.3g}. "
                     f"Many right guesses would suggest the blinding was broken.</p>")
        parts.append(_table(result.guesses))
    parts.append(_png(plots.plot_effects(frame)))

    for r in result.outcomes.values():
        o = r.spec
        parts.append(f"<h2>{e(o.name)} ({'primary' if r.primary else 'secondary'})</h2>")
        parts.append(f"<p class='note'>{e(o.question)}. {o.direction.capitalize()} is better. "
                     f"MCID {o.mcid:g} point(s): {e(o.mcid_source)}.</p>")
        parts.append(_png(plots.plot_series(diary, o.name)))
        if r.pairs is not None:
            parts.append(_png(plots.plot_period_means(r.periods, outcome=o.name)))
        shown = r.periods.drop(columns=["condition"], errors="ignore")
        parts.append(_table(shown))
        tests = pd.concat([t.to_frame().assign(test=name) for name, t in r.tests.items()
                           if hasattr(t, "to_frame")], ignore_index=True)
        keep = [c for c in ("test", "estimate", "ci_low", "ci_high", "statistic", "pvalue",
                            "rho", "method") if c in tests]
        parts.append(_table(tests[keep]))
        parts.append("<p class='note'>Pre-registered sensitivity analyses: all period days "
                     "(no analytic wash-out); per protocol (periods with the pack taken on "
                     "fewer than 80% of days left out, and days on which the diary's pack or "
                     "period contradicts the schedule).</p>")
        parts.append(_table(r.sensitivity))
        if r.priors is not None:
            parts.append("<p class='note'>Prior sensitivity of the Bayesian analysis of the "
                         "pair differences.</p>")
            keep = [c for c in ("prior", "estimate", "ci_low", "ci_high", "p_benefit",
                                "p_benefit_mcid", "p_within_mcid") if c in r.priors]
            parts.append(_table(r.priors[keep]))
        rand = r.tests.get("randomization")
        if r.primary and rand is not None and getattr(rand, "null_distribution", None) is not None:
            parts.append(_png(plots.plot_null_distribution(rand)))
        if "gls_ar1" in r.tests:
            parts.append("<p class='note'>gls_ar1 is a model-based day-level analysis "
                         "(AR(1) errors on the real day index, a random period intercept, pair "
                         "effects; between-period degrees of freedom). naive_day_t treats "
                         "days as independent and overstates precision when scores are "
                         "autocorrelated; it is shown only for comparison.</p>")

    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<footer>nof1 {e(__version__)} · {stamp}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


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
    from .trial._atomic import write_file_atomic

    return write_file_atomic(path, html_text.encode("utf-8"), overwrite=overwrite)
