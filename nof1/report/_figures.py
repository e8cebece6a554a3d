"""The report's figures: SVG from :mod:`._svg`, embedded as images with meaningful alt text.

Each function takes plain values from the view and returns one ``<img>`` tag whose
``alt`` says what the figure shows, with its numbers.
"""

from __future__ import annotations

import base64
from html import escape

from ._model import NullView, OutcomeDetail, ReportView, pval
from ._svg import forest as _forest
from ._svg import null_histogram
from ._svg import period_means as _period_means
from ._svg import series as _series


def _img(svg: str, alt: str, css: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f"<img class='{css}' alt=\"{escape(alt, quote=True)}\" "
            f"src='data:image/svg+xml;base64,{data}'>")


def forest(view: ReportView) -> str:
    """The first-screen plot: every outcome's effect oriented to benefit."""
    if view.blinded:
        alt = (f"Differences group X − group Y with {view.confidence} confidence intervals, "
               f"one row per outcome; the grey band is ± the minimal clinically important "
               f"difference. " + " ".join(f"{h.sentence}." for h in view.headlines))
    else:
        alt = (f"Effects of {view.active} against {view.control} with {view.confidence} "
               f"confidence intervals, drawn so that right is better for every outcome; the "
               f"grey band is ± the minimal clinically important difference. "
               + " ".join(f"{h.sentence}." for h in view.headlines))
    return _img(_forest(view.forest, treatment=view.active, blinded=view.blinded), alt,
                "forest")


def series(view: ReportView, o: OutcomeDetail) -> str:
    """One outcome's daily scores on the calendar."""
    s = o.series
    alt = (f"Daily {s.outcome} scores from {view.dates[0]} to {view.dates[1]} ({s.better} is "
           f"better); the background marks the {view.active} periods (blue) and the "
           f"{view.control} periods (orange); grey points are run-in and wash-out days, "
           f"which are not analysed.")
    svg = _series(s.dates, s.scores, s.analysed, s.periods, low=s.low, high=s.high,
                  name=s.outcome, better=s.better, names=view.names)
    return _img(svg, alt, "wide")


def period_means(view: ReportView, o: OutcomeDetail) -> str:
    """One outcome's period means, pair by pair (paired designs)."""
    pairs = o.pairs or ()
    higher = o.series.better == "higher"
    better = sum(1 for _, b, a in pairs if (a > b if higher else a < b))
    alt = (f"Period means of {o.name} pair by pair, {view.control} on the left and "
           f"{view.active} on the right, with a line joining the two periods of each pair: "
           f"{o.name} was {o.series.better} (better) on {view.active} in {better} of "
           f"{len(pairs)} complete pairs.")
    return _img(_period_means(pairs, o.singles, name=o.name, names=view.names), alt, "half")


def null_distribution(null: NullView) -> str:
    """The primary outcome's randomization distribution with the observed effect."""
    kind = "all" if null.exact else "a random sample of"
    alt = (f"Histogram of the {null.outcome} effect under {kind} the "
           f"{null.n_assignments:,} assignments the design could have drawn, with the "
           f"observed effect {null.statistic:.3g} marked by a vertical line; two-sided "
           f"p = {pval(null.pvalue)} is the share of assignments at least as extreme.")
    return _img(null_histogram(null.null_distribution, null.statistic, name=null.outcome),
                alt, "half")
