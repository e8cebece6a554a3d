"""Plots of schedules, diaries and results. The only module that imports matplotlib.

Plots draw what analyses computed; they compute nothing inferential. Each takes
``ax=None`` (a new figure is made when omitted), returns the ``Axes``, and never
calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .._style import CONDITION_COLORS, OBSERVED_COLOR, UNANALYSED_COLOR, spread

__all__ = ["plot_series", "plot_period_means", "plot_effects", "plot_null_distribution",
           "plot_power", "CONDITION_COLORS"]

_UNANALYSED = UNANALYSED_COLOR


def _axes(ax: Axes | None, figsize: tuple[float, float] = (9, 3.2)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _names(data: pd.DataFrame) -> dict[str, str]:
    """Condition letter -> legend label (treatment name when unblinded)."""
    names = {"A": "condition A", "B": "condition B"}
    if "treatment" in data.columns:
        for letter in ("A", "B"):
            found = data.loc[data["condition"] == letter, "treatment"].dropna()
            if len(found):
                names[letter] = str(found.iloc[0])
    return names


def plot_series(diary: Any, outcome: str, *, ax: Axes | None = None) -> Axes:
    """Daily scores with shaded treatment periods and greyed unanalysed days.

    Parameters
    ----------
    diary : nof1.data.Diary
        A diary read against an unblinded schedule (with ``condition``).
    outcome : str
        Outcome column to draw.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One shaded span per period (``ax.patches``), one line of daily scores and
        one of the unanalysed days (run-in, wash-out) in grey.

    Raises
    ------
    ValueError
        If ``outcome`` is not in the diary, or the diary has no conditions (it was
        read against the participant's blinded calendar).

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule, read_diary
    >>> from nof1.report import plots
    >>> from nof1.planning.simulate import simulate_diary
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", period_days=7,
    ...                   run_in_days=3, washout_days=2, rng=12345)
    >>> diary = read_diary(simulate_diary(s, rng=12345), s, warn=False)
    >>> ax = plot_series(diary, "pain")
    >>> len(ax.patches), len(ax.get_lines()), ax.get_ylabel()
    (4, 2, 'pain (lower is better)')
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['magnesium', 'placebo']
    >>> plots.close(ax)
    """
    data = diary.data
    if outcome not in data.columns:
        raise ValueError(f"`outcome` {outcome!r} is not in the diary; choose from "
                         f"{list(diary.outcome_names)}")
    if "condition" not in data.columns:
        raise ValueError("the diary has no conditions: read it against an unblinded schedule")
    ax = _axes(ax)
    names = _names(data)
    dates = data["date"]
    one_day = pd.Timedelta(days=1)
    per = data[data["period"].notna()]
    for _, g in per.groupby("period"):
        cond = g["condition"].iloc[0]
        ax.axvspan(g["date"].min(), g["date"].max() + one_day, color=CONDITION_COLORS[cond],
                   alpha=0.18, lw=0)
    unanalysed = ~data["analysed"].to_numpy(dtype=bool)
    y = data[outcome].to_numpy(dtype=float)
    ax.plot(dates + one_day / 2, y, color="0.2", lw=1, marker="o", ms=2.5, label="daily score")
    ax.plot((dates + one_day / 2)[unanalysed], y[unanalysed], ls="none", marker="o", ms=3,
            color=_UNANALYSED, label="not analysed (run-in, wash-out)")
    handles = [Patch(color=CONDITION_COLORS[c], alpha=0.35, label=names[c]) for c in ("A", "B")]
    ax.legend(handles=handles + ax.get_legend_handles_labels()[0], loc="upper left",
              fontsize=8, ncols=4, frameon=False, bbox_to_anchor=(0, 1.18))
    o = next((o for o in diary.outcomes if o.name == outcome), None)
    if o is not None:
        ax.set_ylim(o.low - 0.3, o.high + 0.3)
        ax.set_ylabel(f"{outcome} ({'higher' if o.higher_is_better else 'lower'} is better)")
    ax.set_xlabel("date")
    ax.margins(x=0.01)
    return ax


def plot_period_means(periods: pd.DataFrame, *, outcome: str = "", ax: Axes | None = None
                      ) -> Axes:
    """Period means by pair: one line per pair joining its two periods.

    Parameters
    ----------
    periods : DataFrame
        Per-period table with columns ``pair``, ``condition``, ``mean`` and optionally
        ``treatment`` (as in an outcome result's ``periods``).
    outcome : str
        Outcome name for the y-axis label (default: none).
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One scatter per condition (``ax.collections``) and, when every period
        belongs to a pair, one line per pair with both periods measured. The pair
        labels on the right are spread out so that they never overlap; a thin
        leader joins each label to its point.

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1.report import plots
    >>> periods = pd.DataFrame({"pair": [1, 1, 2, 2], "condition": ["B", "A", "A", "B"],
    ...                         "mean": [6.1, 4.9, 5.2, 6.4]})
    >>> ax = plot_period_means(periods, outcome="pain")
    >>> len(ax.collections), len(ax.get_lines()), ax.get_ylabel()
    (2, 2, 'period mean of pain')
    >>> plots.close(ax)
    """
    ax = _axes(ax, figsize=(5, 3.2))
    names = _names(periods)
    data = periods.dropna(subset=["mean"])
    labelled: list[tuple[int, float]] = []
    if data["pair"].notna().all():
        wide = data.pivot_table(index="pair", columns="condition", values="mean")
        for pair, row in wide.iterrows():
            if {"A", "B"} <= set(row.dropna().index):
                ax.plot([0, 1], [row["B"], row["A"]], color="0.6", lw=1)
                labelled.append((int(pair), float(row["A"])))
    for x, letter in ((0, "B"), (1, "A")):
        vals = data.loc[data["condition"] == letter, "mean"]
        ax.scatter(np.full(len(vals), x), vals, color=CONDITION_COLORS[letter], zorder=3,
                   label=names[letter])
    ax.set_xticks([0, 1], [names["B"], names["A"]])
    ax.set_xlim(-0.4, 1.6)
    ax.set_ylabel(f"period mean{' of ' + outcome if outcome else ''}")
    if labelled:
        values = data["mean"].to_numpy(dtype=float)
        low, high = float(values.min()), float(values.max())
        pad = max(high - low, 1.0) * 0.08
        ax.set_ylim(low - pad, high + pad)
        # a 7-point label needs about 9 points; the layout may shrink the axes by ~10%
        height_pt = ax.get_position().height * ax.figure.get_figheight() * 72 * 0.9
        gap = (high - low + 2 * pad) * 9 / height_pt
        ys = spread(np.array([y for _, y in labelled]), gap)
        for (pair, y), text_y in zip(labelled, ys, strict=True):
            ax.annotate(f"pair {pair}", (1, y), xytext=(1.12, text_y), textcoords="data",
                        fontsize=7, va="center",
                        arrowprops={"arrowstyle": "-", "color": "0.7", "lw": 0.5,
                                    "shrinkA": 0, "shrinkB": 3})
    return ax


def plot_effects(frame: pd.DataFrame, *, treatment: str = "treatment", ax: Axes | None = None
                 ) -> Axes:
    """Effects oriented to benefit, with confidence intervals and the MCID band.

    Each outcome's effect (treatment − control) is multiplied by −1 when lower
    scores are better, so that on every row **right is better** with the
    treatment: the axis reads "benefit", never a mix of "lower is better" and
    "higher is better". Each row's label says which raw direction is better.

    Parameters
    ----------
    frame : DataFrame
        Columns ``outcome``, ``estimate``, ``ci_low``, ``ci_high``, ``mcid`` and
        ``higher_is_better`` (e.g. ``TrialResult.to_frame()``); raw effects,
        treatment − control.
    treatment : str
        Name of the treatment, for the axis label.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One error bar per estimable outcome (``ax.containers``), first outcome at the
        top; the shaded band is -MCID..+MCID; the x axis is symmetric about 0. An
        interval with no bound on a side (a design too small for the confidence level)
        runs to the edge of the axis there, with an arrow. Exploratory rows (an
        ``exploratory`` column that is True: unplanned outcomes with no direction of
        benefit) are left out.

    Raises
    ------
    ValueError
        If ``frame`` lacks one of the columns above.

    Examples
    --------
    >>> import pandas as pd
    >>> from nof1.report import plots
    >>> frame = pd.DataFrame({"outcome": ["pain", "sleep"], "estimate": [-1.2, 0.6],
    ...                       "ci_low": [-2.0, -0.1], "ci_high": [-0.4, 1.3],
    ...                       "mcid": [1.0, 1.0], "higher_is_better": [False, True]})
    >>> ax = plot_effects(frame, treatment="magnesium")
    >>> len(ax.containers), [t.get_text().split("\\n") for t in ax.get_yticklabels()]
    (2, [['pain', '(lower is better)'], ['sleep', '(higher is better)']])
    >>> float(ax.containers[0].lines[0].get_xdata()[0])   # pain 1.2 lower: benefit +1.2
    1.2
    >>> ax.get_xlabel()
    '← worse    benefit with magnesium, in points (grey: ± MCID)    better →'
    >>> plots.close(ax)
    """
    needed = {"outcome", "estimate", "ci_low", "ci_high", "mcid", "higher_is_better"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"`frame` lacks columns {sorted(missing)}")
    if "exploratory" in frame.columns:  # unplanned columns have no direction of benefit
        frame = frame[~frame["exploratory"].fillna(False).astype(bool)]
    ax = _axes(ax, figsize=(6, 0.9 + 0.6 * len(frame)))
    ys = np.arange(len(frame))[::-1]
    rows = []
    for row in frame.itertuples():
        sign = 1.0 if row.higher_is_better else -1.0
        low, high = sorted((sign * float(row.ci_low), sign * float(row.ci_high)))
        rows.append((sign * float(row.estimate), low, high, float(row.mcid)))
    finite = [abs(v) for r in rows for v in r[:3] if np.isfinite(v)]
    reach = 1.15 * max(finite + [r[3] for r in rows] + [0.5])
    for y, (est, low, high, mcid) in zip(ys, rows, strict=True):
        ax.fill_betweenx([y - 0.35, y + 0.35], -mcid, mcid, color="0.88", lw=0)
        if not np.isfinite(est):
            ax.annotate("not estimable", (0, y), ha="center", va="center", fontsize=8)
            continue
        if np.isnan(low) or np.isnan(high):
            ax.errorbar(est, y, fmt="o", color="0.1")
            continue
        # an unbounded end (a design too small for the level) runs to the edge, as an arrow
        lo, hi = max(low, -reach), min(high, reach)
        bounded = bool(np.isfinite(low) and np.isfinite(high))
        ax.errorbar(est, y, xerr=[[est - lo], [hi - est]], fmt="o", color="0.1",
                    capsize=3 if bounded else 0)
        for end, unbounded, marker in ((lo, np.isinf(low), "<"), (hi, np.isinf(high), ">")):
            if unbounded:
                ax.plot([end], [y], marker=marker, color="0.1", markersize=7, clip_on=False)
    ax.axvline(0, color="0.4", lw=0.8)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(-0.6, len(frame) - 0.4)
    ax.set_yticks(ys, [f"{row.outcome}\n({'higher' if row.higher_is_better else 'lower'} "
                       f"is better)" for row in frame.itertuples()])
    ax.set_xlabel(f"← worse    benefit with {treatment}, in points (grey: ± MCID)    better →")
    return ax


def plot_null_distribution(result: Any, *, ax: Axes | None = None, bins: int | str = "auto"
                           ) -> Axes:
    """The randomization distribution of the statistic with the observed value marked.

    Parameters
    ----------
    result : RandomizationTestResult
        With ``null_distribution`` (not None) and ``statistic``.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).
    bins : int or str
        Histogram bins, as in :meth:`matplotlib.axes.Axes.hist` (default ``"auto"``).

    Returns
    -------
    matplotlib.axes.Axes
        A histogram of the finite values of the null distribution (``ax.patches``)
        and a vertical line at the observed statistic.

    Raises
    ------
    ValueError
        If the result did not keep its null distribution.

    Examples
    --------
    >>> from nof1 import PairedDesign, randomization_test
    >>> from nof1.report import plots
    >>> res = randomization_test([6.1, 4.9, 5.2, 6.4, 5.8, 4.7, 6.0, 5.1],
    ...                          ["B", "A", "A", "B", "B", "A", "B", "A"],
    ...                          design=PairedDesign(4))
    >>> ax = plot_null_distribution(res)
    >>> int(sum(p.get_height() for p in ax.patches))   # the 2**4 admissible assignments
    16
    >>> ax.get_legend().get_texts()[0].get_text()
    'observed -1.1'
    >>> plots.close(ax)
    """
    null = getattr(result, "null_distribution", None)
    if null is None:
        raise ValueError("this result did not keep its null distribution (too large)")
    null = np.asarray(null, dtype=float)
    null = null[np.isfinite(null)]
    ax = _axes(ax, figsize=(5, 3.2))
    ax.hist(null, bins=bins, color="0.75", edgecolor="white")
    ax.axvline(float(result.statistic), color=OBSERVED_COLOR, lw=2,
               label=f"observed {float(result.statistic):.3g}")
    ax.set_xlabel("statistic under each admissible assignment")
    ax.set_ylabel("assignments")
    ax.legend(frameon=False, fontsize=8)
    return ax


def plot_power(grid: pd.DataFrame, *, target: float = 0.8, ax: Axes | None = None) -> Axes:
    """Simulated power against the number of pairs, one line per period length.

    Parameters
    ----------
    grid : DataFrame
        From :func:`nof1.planning.power.power_grid` (``n_pairs``, ``period_days``, ``power``,
        ``mc_se``).
    target : float
        Target power, drawn as a dashed line.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        One line with 95% Monte Carlo error bars per period length (``ax.containers``).

    Raises
    ------
    ValueError
        If ``grid`` lacks one of the columns above.

    Examples
    --------
    >>> from nof1.report import plots
    >>> from nof1.planning.power import power_grid
    >>> grid = power_grid(n_pairs=[3, 5], period_days=[10, 14], washout_days=3,
    ...                   effect=-1.0, n_sims=200, rng=12345)
    >>> ax = plot_power(grid)
    >>> len(ax.containers), [t.get_text() for t in ax.get_legend().get_texts()]
    (2, ['10-day periods', '14-day periods'])
    >>> plots.close(ax)
    """
    needed = {"n_pairs", "period_days", "power", "mc_se"}
    if needed - set(grid.columns):
        raise ValueError(f"`grid` lacks columns {sorted(needed - set(grid.columns))}")
    ax = _axes(ax, figsize=(6, 3.6))
    for p, g in grid.groupby("period_days"):
        g = g.sort_values("n_pairs")
        ax.errorbar(g["n_pairs"], g["power"], yerr=1.96 * g["mc_se"], marker="o", ms=4,
                    capsize=2, label=f"{p}-day periods")
    ax.axhline(target, color="0.5", ls="--", lw=1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("number of pairs")
    ax.set_ylabel("power")
    ax.legend(frameon=False, fontsize=8)
    return ax


def close(fig_or_axes: Sequence[Any] | Any) -> None:
    """Close the figures of the given axes (used by the report after saving).

    Parameters
    ----------
    fig_or_axes : Axes, Figure, or a sequence of them
        What the plot functions returned.

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> periods = pd.DataFrame({"pair": [1, 1], "condition": ["A", "B"], "mean": [4.0, 5.0]})
    >>> ax = plot_period_means(periods)
    >>> ax.figure.number in plt.get_fignums()
    True
    >>> close(ax)
    >>> ax.figure.number in plt.get_fignums()
    False
    """
    items = fig_or_axes if isinstance(fig_or_axes, Sequence) else [fig_or_axes]
    for item in items:
        plt.close(getattr(item, "figure", item))
