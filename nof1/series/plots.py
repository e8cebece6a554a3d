"""Plots of a series: a forest plot and the effect against a moderator.

They draw results computed elsewhere (nothing inferential is computed here), take
``ax=None``, return the Axes and never call ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .bayes import BayesSeriesResult
from .meta import MetaRegressionResult, MetaResult

__all__ = ["forest_plot", "moderator_plot"]

_OWN = "#777777"
_SHRUNK = "#0072B2"
_POOLED = "#D55E00"
_BAND = "#009E73"


def forest_plot(persons: pd.DataFrame, meta: MetaResult, bayes: BayesSeriesResult | None = None,
                *, max_persons: int = 80, ax: Axes | None = None) -> Axes:
    """Each person's own and shrunken effect, the pooled effect and its prediction interval.

    Parameters
    ----------
    persons : DataFrame
        Per-person results of one outcome (``person, estimate, ci_low, ci_high``; the
        ``higher_is_better`` and ``mcid`` columns set the direction and the MCID band).
    meta : MetaResult
        The pooled effect (diamond: CI; whisker line: prediction interval).
    bayes : BayesSeriesResult, optional
        Shrunken estimates with credible intervals (filled markers).
    max_persons : int
        Draw at most this many persons (the first, in the table's order).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from nof1.series import analyze_series, bayes_series, meta_analysis
    >>> from nof1.series.simulate import simulate_series
    >>> r = analyze_series(simulate_series(12, effects={"pain": -1.0}, rng=12345),
    ...                    outcomes=["pain"])
    >>> ax = forest_plot(r.persons, meta_analysis(r.persons), bayes_series(r.persons))
    >>> len(ax.get_yticklabels())
    13
    >>> plt.close(ax.figure)
    """
    p = persons.head(max_persons).reset_index(drop=True)
    n = len(p)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1.6 + 0.24 * (n + 2)), layout="constrained")
    ypos = np.arange(n)[::-1] + 2.0
    ax.errorbar(p["estimate"], ypos + 0.15, xerr=[p["estimate"] - p["ci_low"],
                                                  p["ci_high"] - p["estimate"]],
                fmt="o", mfc="white", color=_OWN, ms=4, lw=1, label="own trial (95% CI)")
    if bayes is not None:
        b = bayes.persons.set_index("person").reindex(p["person"])
        ok = b["theta"].notna().to_numpy()
        ax.errorbar(b["theta"].to_numpy()[ok], ypos[ok] - 0.15,
                    xerr=[(b["theta"] - b["theta_low"]).to_numpy()[ok],
                          (b["theta_high"] - b["theta"]).to_numpy()[ok]],
                    fmt="o", color=_SHRUNK, ms=4, lw=1, label="shrunken (95% credible)")
    d = np.array([[meta.ci_low, 0.5], [meta.estimate, 0.8], [meta.ci_high, 0.5],
                  [meta.estimate, 0.2]])
    ax.fill(d[:, 0], d[:, 1], color=_POOLED, label="pooled mean (95% CI)")
    if np.isfinite(meta.pi_low):
        ax.plot([meta.pi_low, meta.pi_high], [0.5, 0.5], color=_POOLED, lw=1.2, ls="--",
                label="prediction interval")
    ax.axvline(0, color="black", lw=0.8)
    mcid = float(p["mcid"].iloc[0]) if "mcid" in p else np.nan
    higher = bool(p["higher_is_better"].iloc[0]) if "higher_is_better" in p else None
    if np.isfinite(mcid):
        edge = mcid if higher else -mcid
        ax.axvline(edge, color=_BAND, lw=1, ls=":")
        lo, hi = ax.get_xlim()
        ax.axvspan(edge, hi if higher else lo, color=_BAND, alpha=0.08,
                   label=f"benefit >= MCID ({mcid:g})")
        ax.set_xlim(lo, hi)
    ax.set_yticks(np.r_[0.5, ypos], ["pooled"] + p["person"].astype(str).tolist(),
                  fontsize=7)
    ax.set_ylim(-0.3, n + 2.7)
    if higher is not None:
        arrow = "benefit →" if higher else "← benefit"
        ax.set_xlabel(f"effect on {meta.outcome} (treatment − control); {arrow}")
    ax.legend(fontsize=7, loc="upper right", framealpha=0.9)
    return ax


def moderator_plot(persons: pd.DataFrame, covariates: pd.DataFrame, moderator: str,
                   regression: MetaRegressionResult | None = None, *,
                   cut: float | None = None, ax: Axes | None = None) -> Axes:
    """Each person's effect against a person-level moderator, with the fitted line.

    Parameters
    ----------
    persons : DataFrame
        Per-person results of one outcome.
    covariates : DataFrame
        ``person`` and the moderator column.
    moderator : str
    regression : MetaRegressionResult, optional
        Its intercept and slope are drawn as a line.
    cut : float, optional
        Draw a vertical line between subgroups (e.g. 25.5 for the 2022 grouping).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    data = persons.merge(covariates[["person", moderator]], on="person", how="left")
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4), layout="constrained")[1]
    x = data[moderator].to_numpy(dtype=float)
    ax.errorbar(x, data["estimate"], yerr=[data["estimate"] - data["ci_low"],
                                           data["ci_high"] - data["estimate"]],
                fmt="o", color=_OWN, mfc="white", ms=4, lw=0.7, alpha=0.8,
                label="each person (own trial, 95% CI)")
    if regression is not None:
        grid = np.linspace(np.nanmin(x), np.nanmax(x), 50)
        c = regression.coefficients["estimate"].to_numpy()
        ax.plot(grid, c[0] + c[1] * grid, color=_POOLED, lw=2, label="meta-regression")
    if cut is not None:
        ax.axvline(cut, color="black", ls=":", lw=1)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel(moderator)
    ax.set_ylabel(f"effect on {data['outcome'].iloc[0] if 'outcome' in data else 'outcome'}")
    ax.legend(fontsize=8)
    return ax


