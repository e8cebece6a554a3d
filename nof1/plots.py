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

__all__ = ["plot_series", "plot_period_means", "plot_effects", "plot_null_distribution",
           "plot_power", "CONDITION_COLORS"]

#: colours of condition A (treatment) and B (control); colour-blind safe (Okabe-Ito)
CONDITION_COLORS = {"A": "#0072B2", "B": "#E69F00"}
_UNANALYSED = "#BBBBBB"


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

    Returns
    -------
    matplotlib.axes.Axes
        One shaded span per period (``ax.patches``), one line of daily scores.
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
    """
    ax = _axes(ax, figsize=(5, 3.2))
    names = _names(periods)
    data = periods.dropna(subset=["mean"])
    if data["pair"].notna().all():
        wide = data.pivot_table(index="pair", columns="condition", values="mean")
        for pair, row in wide.iterrows():
            if {"A", "B"} <= set(row.dropna().index):
                ax.plot([0, 1], [row["B"], row["A"]], color="0.6", lw=1)
                ax.annotate(f"pair {int(pair)}", (1, row["A"]), xytext=(4, 0),
                            textcoords="offset points", fontsize=7, va="center")
    for x, letter in ((0, "B"), (1, "A")):
        vals = data.loc[data["condition"] == letter, "mean"]
        ax.scatter(np.full(len(vals), x), vals, color=CONDITION_COLORS[letter], zorder=3,
                   label=names[letter])
    ax.set_xticks([0, 1], [names["B"], names["A"]])
    ax.set_xlim(-0.4, 1.6)
    ax.set_ylabel(f"period mean{' of ' + outcome if outcome else ''}")
    return ax


def plot_effects(frame: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Effect estimates with confidence intervals and the MCID band, one row per outcome.

    Parameters
    ----------
    frame : DataFrame
        Columns ``outcome``, ``estimate``, ``ci_low``, ``ci_high``, ``mcid`` and
        ``higher_is_better`` (e.g. ``TrialResult.to_frame()``).

    Returns
    -------
    matplotlib.axes.Axes
        One error bar per outcome; the shaded band is -MCID..+MCID.
    """
    needed = {"outcome", "estimate", "ci_low", "ci_high", "mcid", "higher_is_better"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"`frame` lacks columns {sorted(missing)}")
    ax = _axes(ax, figsize=(6, 0.8 + 0.6 * len(frame)))
    ys = np.arange(len(frame))[::-1]
    for y, row in zip(ys, frame.itertuples(), strict=True):
        ax.fill_betweenx([y - 0.35, y + 0.35], -row.mcid, row.mcid, color="0.85", lw=0)
        ax.errorbar(row.estimate, y, xerr=[[row.estimate - row.ci_low],
                                           [row.ci_high - row.estimate]],
                    fmt="o", color="0.1", capsize=3)
        better = "higher" if row.higher_is_better else "lower"
        ax.annotate(f"{better} is better", (1.0, y), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", fontsize=7, va="center")
    ax.axvline(0, color="0.4", lw=0.8)
    ax.set_yticks(ys, frame["outcome"].tolist())
    ax.set_xlabel("effect: treatment − control (grey band: ± MCID)")
    return ax


def plot_null_distribution(result: Any, *, ax: Axes | None = None, bins: int | str = "auto"
                           ) -> Axes:
    """The randomization distribution of the statistic with the observed value marked.

    Parameters
    ----------
    result : RandomizationTestResult
        With ``null_distribution`` (not None) and ``statistic``.
    """
    null = getattr(result, "null_distribution", None)
    if null is None:
        raise ValueError("this result did not keep its null distribution (too large)")
    null = np.asarray(null, dtype=float)
    null = null[np.isfinite(null)]
    ax = _axes(ax, figsize=(5, 3.2))
    ax.hist(null, bins=bins, color="0.75", edgecolor="white")
    ax.axvline(float(result.statistic), color="#D55E00", lw=2,
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
        From :func:`nof1.power.power_grid` (``n_pairs``, ``period_days``, ``power``,
        ``mc_se``).
    target : float
        Target power, drawn as a dashed line.
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
    """Close the figures of the given axes (used by the report after saving)."""
    items = fig_or_axes if isinstance(fig_or_axes, Sequence) else [fig_or_axes]
    for item in items:
        plt.close(getattr(item, "figure", item))
