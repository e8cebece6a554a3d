"""The report's figures as hand-written SVG: sharp at any size, small, and fast.

Drawing a report's six to eight figures with matplotlib took 1.5–1.8 s (figure set-up,
tick and text layout); writing the same marks as SVG elements takes a few
milliseconds and needs no matplotlib at all. The figures draw the numbers the view
holds and compute nothing inferential; they follow the conventions of
:mod:`nof1.report.plots` (colours, benefit orientation, pair labels that never overlap),
which draws the same pictures for notebooks.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Sequence
from html import escape

import numpy as np

from .._style import CONDITION_COLORS, OBSERVED_COLOR, UNANALYSED_COLOR, spread

FONT = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
INK = "#222"
MUTED = "#555"
#: generous width of one character of 12-pixel sans-serif text (for margins and legends)
CHAR = 7.4


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


class Canvas:
    """A minimal SVG writer in pixel coordinates (origin top left)."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK,
             width: float = 1.0, dash: str = "") -> None:
        d = f" stroke-dasharray='{dash}'" if dash else ""
        self.parts.append(f"<line x1='{_f(x1)}' y1='{_f(y1)}' x2='{_f(x2)}' y2='{_f(y2)}' "
                          f"stroke='{stroke}' stroke-width='{width:g}'{d}/>")

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str,
             opacity: float = 1.0) -> None:
        o = f" fill-opacity='{opacity:g}'" if opacity != 1 else ""
        self.parts.append(f"<rect x='{_f(x)}' y='{_f(y)}' width='{_f(max(w, 0))}' "
                          f"height='{_f(max(h, 0))}' fill='{fill}'{o}/>")

    def circle(self, cx: float, cy: float, r: float, *, fill: str, stroke: str = "") -> None:
        s = f" stroke='{stroke}'" if stroke else ""
        self.parts.append(f"<circle cx='{_f(cx)}' cy='{_f(cy)}' r='{r:g}' fill='{fill}'{s}/>")

    def polyline(self, xs: Sequence[float], ys: Sequence[float], *, stroke: str = INK,
                 width: float = 1.0) -> None:
        """A line through the points, broken where a value is missing."""
        run: list[str] = []
        for x, y in zip(xs, ys, strict=True):
            if math.isfinite(y):
                run.append(f"{_f(x)},{_f(y)}")
                continue
            self._run(run, stroke, width)
            run = []
        self._run(run, stroke, width)

    def _run(self, run: list[str], stroke: str, width: float) -> None:
        if len(run) > 1:
            self.parts.append(f"<polyline points='{' '.join(run)}' fill='none' "
                              f"stroke='{stroke}' stroke-width='{width:g}'/>")

    def text(self, x: float, y: float, s: str, *, size: float = 12, anchor: str = "start",
             fill: str = INK, weight: str = "", rotate: bool = False) -> None:
        w = f" font-weight='{weight}'" if weight else ""
        r = f" transform='rotate(-90 {_f(x)} {_f(y)})'" if rotate else ""
        self.parts.append(f"<text x='{_f(x)}' y='{_f(y)}' font-size='{size:g}' "
                          f"text-anchor='{anchor}' dominant-baseline='middle' "
                          f"fill='{fill}'{w}{r}>{escape(s)}</text>")

    def svg(self) -> str:
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{_f(self.width)}' "
                f"height='{_f(self.height)}' viewBox='0 0 {_f(self.width)} "
                f"{_f(self.height)}' font-family=\"{FONT}\">"
                f"<rect width='100%' height='100%' fill='#fff'/>{''.join(self.parts)}</svg>")


def nice_ticks(low: float, high: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values (steps of 1, 2 or 5 times a power of ten) in [low, high].

    Examples
    --------
    >>> nice_ticks(-2.3, 2.3, 6)
    [-2.0, -1.0, 0.0, 1.0, 2.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    steps = [m * mag for m in (10, 5, 2.5, 2, 1)] + [m * mag / 10 for m in (5, 2.5, 2, 1)]
    ticks: list[float] = []
    # the smallest round step of at least `raw`, or smaller ones until two ticks fit
    for step in [s for s in steps if s >= raw][-1:] + [s for s in steps if s < raw]:
        first = math.ceil(low / step - 1e-9)
        last = math.floor(high / step + 1e-9)
        ticks = [round(k * step, 12) + 0.0 for k in range(first, last + 1)]
        if len(ticks) >= 2:
            break
    return ticks


def _label(v: float) -> str:
    return f"{v:g}".replace("-", "−")


def _scale(d0: float, d1: float, p0: float, p1: float) -> Callable[[float], float]:
    k = (p1 - p0) / (d1 - d0) if d1 != d0 else 0.0
    return lambda v: p0 + (v - d0) * k


# -- forest ------------------------------------------------------------------------------
def forest(rows: Sequence[tuple[str, bool, float, float, float, float]], *,
           treatment: str, blinded: bool = False) -> str:
    """Effects oriented to benefit: right is better on every row.

    ``rows``: (outcome, higher_is_better, benefit estimate, benefit CI low, high, MCID).
    An unbounded end of an interval is drawn as an arrow to the edge of the plot.
    ``blinded``: the rows are raw differences group X − group Y, drawn without any
    direction of benefit.
    """
    left = 16 + CHAR * max([len(r[0]) for r in rows] + [17])
    width, top, row_h, bottom = 480.0, 12.0, 46.0, 52.0
    height = top + row_h * len(rows) + bottom
    reach = max([abs(v) for r in rows for v in r[2:5] if math.isfinite(v)]
                + [r[5] for r in rows] + [0.5]) * 1.15
    x = _scale(-reach, reach, left, width - 16)
    c = Canvas(width, height)
    plot_bottom = top + row_h * len(rows)
    for v in nice_ticks(-reach, reach):
        c.line(x(v), top, x(v), plot_bottom, stroke="#e6e6e6")
        c.text(x(v), plot_bottom + 12, _label(v), size=11, anchor="middle", fill=MUTED)
    for i, (name, hib, est, low, high, mcid) in enumerate(rows):
        yc = top + row_h * (i + 0.5)
        c.rect(x(-mcid), yc - row_h * 0.36, x(mcid) - x(-mcid), row_h * 0.72, fill="#e3e3e3")
        c.text(8, yc - 7, name, size=13, weight="600")
        if not blinded:
            c.text(8, yc + 9, f"({'higher' if hib else 'lower'} is better)", size=11,
                   fill=MUTED)
        if not math.isfinite(est):
            c.text(x(0), yc, "not estimable", size=11, anchor="middle", fill=MUTED)
            continue
        if not (math.isnan(low) or math.isnan(high)):
            lo, hi = max(low, -reach), min(high, reach)
            c.line(x(lo), yc, x(hi), yc, width=2)
            for end, bounded, step in ((lo, math.isfinite(low), -1), (hi, math.isfinite(high),
                                                                      1)):
                if bounded:
                    c.line(x(end), yc - 6, x(end), yc + 6, width=2)
                else:  # no bound on this side: an arrow head at the edge
                    c.line(x(end), yc, x(end) - step * 8, yc - 5, width=2)
                    c.line(x(end), yc, x(end) - step * 8, yc + 5, width=2)
        c.circle(x(est), yc, 5, fill=INK)
    c.line(x(0), top, x(0), plot_bottom, stroke="#777", width=1.2)
    c.line(left, plot_bottom, width - 16, plot_bottom, stroke="#999")
    if blinded:
        c.text((left + width - 16) / 2, plot_bottom + 34, "group X − group Y (points)",
               size=12, anchor="middle")
        return c.svg()
    c.text(left, plot_bottom + 34, "← worse", size=12, fill=MUTED)
    c.text(width - 16, plot_bottom + 34, "better →", size=12, anchor="end", fill=MUTED)
    c.text((left + width - 16) / 2, plot_bottom + 34, f"benefit with {treatment} (points)",
           size=12, anchor="middle")
    return c.svg()


# -- daily series ------------------------------------------------------------------------
def series(dates: Sequence[_dt.date], scores: np.ndarray, analysed: np.ndarray,
           periods: Sequence[tuple[int, int, str]], *, low: float, high: float, name: str,
           better: str, names: dict[str, str]) -> str:
    """Daily scores with the treatment periods shaded and unanalysed days in grey.

    ``periods``: (first day index, last day index, condition letter).
    """
    width, left, right, top, bottom = 560.0, 48.0, 12.0, 32.0, 32.0
    height = 210.0
    n = len(dates)
    x = _scale(0, max(n, 1), left, width - right)
    y = _scale(low, high, height - bottom, top)
    c = Canvas(width, height)
    for first, last, cond in periods:
        c.rect(x(first), top, x(last + 1) - x(first), height - bottom - top,
               fill=CONDITION_COLORS.get(cond, "#999"), opacity=0.18)
    for v in nice_ticks(low, high, 3):
        c.line(left, y(v), width - right, y(v), stroke="#e6e6e6")
        c.text(left - 6, y(v), _label(v), size=12, anchor="end", fill=MUTED)
    step = max(7, 7 * math.ceil(n / 7 / 6))
    for i in range(0, n, step):
        c.line(x(i + 0.5), height - bottom, x(i + 0.5), height - bottom + 4, stroke="#999")
        c.text(x(i + 0.5), height - bottom + 14, dates[i].strftime("%d %b"), size=11,
               anchor="middle", fill=MUTED)
    xs = [x(i + 0.5) for i in range(n)]
    ys = [y(v) if math.isfinite(v) else math.nan for v in scores]
    c.polyline(xs, ys, stroke="#333", width=1)
    for xi, yi, a in zip(xs, ys, analysed, strict=True):
        if math.isfinite(yi):
            c.circle(xi, yi, 2.2, fill="#333" if a else UNANALYSED_COLOR)
    c.text(14, (top + height - bottom) / 2, f"{name} ({better} is better)", size=12,
           anchor="middle", rotate=True)
    lx = left
    for letter in ("A", "B"):
        c.rect(lx, 8, 14, 12, fill=CONDITION_COLORS[letter], opacity=0.45)
        c.text(lx + 19, 14, names[letter], size=12)
        lx += 32 + 0.62 * 12 * len(names[letter])
    c.circle(lx + 5, 14, 3, fill=UNANALYSED_COLOR)
    c.text(lx + 13, 14, "not analysed (run-in, wash-out)", size=12)
    return c.svg()


# -- period means by pair ----------------------------------------------------------------
def period_means(pairs: Sequence[tuple[int, float, float]], singles: dict[str, list[float]],
                 *, name: str, names: dict[str, str]) -> str:
    """Each pair's control and treatment period means joined by a line.

    ``pairs``: (pair, control mean, treatment mean) for complete pairs; ``singles``:
    condition letter -> means of periods without a complete pair.
    """
    width, height, top, bottom, left = 360.0, 280.0, 14.0, 40.0, 52.0
    values = [v for p in pairs for v in p[1:]] + [v for vs in singles.values() for v in vs]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = max(hi - lo, 1.0) * 0.08
    y = _scale(lo - pad, hi + pad, height - bottom, top)
    x_b, x_a = left + 50, left + 170
    c = Canvas(width, height)
    for v in nice_ticks(lo - pad, hi + pad, 5):
        c.line(left, y(v), width - 10, y(v), stroke="#eee")
        c.text(left - 6, y(v), _label(v), size=11, anchor="end", fill=MUTED)
    for _, b, a in pairs:
        c.line(x_b, y(b), x_a, y(a), stroke="#999")
    for letter, xpos in (("B", x_b), ("A", x_a)):
        vals = [p[1] if letter == "B" else p[2] for p in pairs] + singles.get(letter, [])
        for v in vals:
            c.circle(xpos, y(v), 4.5, fill=CONDITION_COLORS[letter])
        c.text(xpos, height - bottom + 16, names[letter], size=12, anchor="middle")
    if pairs:
        # 13-pixel steps keep the 11-pixel labels apart; leaders join them to their points
        label_y = spread(np.array([y(a) for _, _, a in pairs]), 13.0)
        for (pair, _, a), ly in zip(pairs, label_y, strict=True):
            c.line(x_a + 6, y(a), x_a + 40, ly, stroke="#bbb", width=0.6)
            c.text(x_a + 44, ly, f"pair {pair}", size=11, fill=MUTED)
    c.text(14, (top + height - bottom) / 2, f"period mean of {name}", size=11,
           anchor="middle", rotate=True)
    return c.svg()


# -- randomization distribution ----------------------------------------------------------
def null_histogram(null: np.ndarray, observed: float, *, name: str) -> str:
    """Histogram of the statistic over the design's assignments, observed value marked."""
    width, height, top, bottom, left, right = 520.0, 240.0, 26.0, 44.0, 56.0, 14.0
    null = null[np.isfinite(null)]
    lo, hi = float(min(null.min(), observed)), float(max(null.max(), observed))
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    lo, hi = lo - 0.04 * (hi - lo), hi + 0.04 * (hi - lo)
    n_bins = int(min(40, max(8, math.sqrt(null.size))))
    counts, edges = np.histogram(null, bins=n_bins, range=(lo, hi))
    x = _scale(lo, hi, left, width - right)
    top_count = max(int(counts.max()), 1)
    y = _scale(0, top_count * 1.05, height - bottom, top)
    c = Canvas(width, height)
    for v in nice_ticks(0, top_count * 1.05, 4):
        c.line(left, y(v), width - right, y(v), stroke="#eee")
        c.text(left - 6, y(v), f"{v:,.0f}", size=11, anchor="end", fill=MUTED)
    for k, e0, e1 in zip(counts, edges[:-1], edges[1:], strict=True):
        if k:
            c.rect(x(e0) + 0.5, y(k), x(e1) - x(e0) - 1, y(0) - y(k), fill="#bdbdbd")
    for v in nice_ticks(lo, hi, 6):
        c.text(x(v), height - bottom + 14, _label(v), size=11, anchor="middle", fill=MUTED)
    c.line(left, y(0), width - right, y(0), stroke="#999")
    c.line(x(observed), top - 8, x(observed), y(0), stroke=OBSERVED_COLOR, width=2.5)
    anchor = "end" if x(observed) > width / 2 else "start"
    shift = -6 if anchor == "end" else 6
    c.text(x(observed) + shift, top - 2, f"observed {_label(float(f'{observed:.3g}'))}",
           size=12, anchor=anchor, fill=OBSERVED_COLOR)
    c.text((left + width - right) / 2, height - 10,
           f"effect on {name} under each assignment the design could have drawn",
           size=12, anchor="middle")
    c.text(14, (top + height - bottom) / 2, "assignments", size=11, anchor="middle",
           rotate=True)
    return c.svg()
