"""Plots draw results (structure, not pixels); the report is one self-contained HTML file."""

from __future__ import annotations

import re

import matplotlib
import pytest

from nof1 import PairedDesign, analyze, make_schedule, plots, read_diary
from nof1.power import power_grid
from nof1.report import DISCLAIMER, render_report, write_report
from nof1.simulate import simulate_diary

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def analysed():
    s = make_schedule(PairedDesign(4), start="2026-01-05", period_days=10, run_in_days=5,
                      washout_days=3, rng=8)
    diary = read_diary(simulate_diary(s, rng=8), s, warn=False)
    return s, diary, analyze(diary, s)


def test_series_has_one_span_per_period_and_greys_unanalysed_days(analysed):
    s, diary, _ = analysed
    ax = plots.plot_series(diary, "pain")
    assert len(ax.patches) == s.n_periods
    lines = ax.get_lines()
    assert len(lines) == 2
    n_unanalysed = int((~diary.data["analysed"]).sum())
    assert len(lines[1].get_xdata()) == n_unanalysed
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "magnesium" in labels and "placebo" in labels
    plots.close(ax)


def test_period_means_and_effects(analysed):
    _, _, result = analysed
    ax = plots.plot_period_means(result["pain"].periods, outcome="pain")
    assert len(ax.collections) == 2  # one scatter per condition
    assert len(ax.get_lines()) == 4  # one line per pair
    plots.close(ax)
    ax = plots.plot_effects(result.to_frame())
    assert len(ax.containers) == 3  # one error bar per outcome
    assert [t.get_text() for t in ax.get_yticklabels()] == ["pain", "stress", "sleep"]
    plots.close(ax)


def test_null_distribution_marks_the_observed_statistic(analysed):
    _, _, result = analysed
    rand = result["pain"].tests["randomization"]
    ax = plots.plot_null_distribution(rand)
    assert ax.get_lines()[0].get_xdata()[0] == pytest.approx(rand.statistic)
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == len(rand.null_distribution)
    plots.close(ax)


def test_plot_power_and_errors():
    grid = power_grid(n_pairs=[3, 5], period_days=[10, 14], washout_days=3, effect=-1.0,
                      n_sims=200, rng=1)
    ax = plots.plot_power(grid)
    assert len(ax.containers) == 2
    plots.close(ax)
    with pytest.raises(ValueError, match="lacks columns"):
        plots.plot_effects(grid)
    with pytest.raises(ValueError, match="too large"):
        plots.plot_null_distribution(type("R", (), {"null_distribution": None})())


def test_report_is_self_contained_and_says_the_disclaimer_once(analysed, tmp_path):
    _, diary, result = analysed
    page = render_report(result, diary)
    assert page.count(DISCLAIMER) == 1
    assert not re.search(r"""(src|href)=["']https?://""", page)
    n_images = len(re.findall(r"data:image/png;base64,", page))
    assert n_images == 1 + 2 * 3 + 1  # effects, (series + period means) per outcome, null
    for name in ("pain", "stress", "sleep"):
        assert f"<h2>{name}" in page
    path = write_report(page, tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == page
    with pytest.raises(FileExistsError):
        write_report("other", path)
    assert path.read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert len(page) > 10_000  # the plots are embedded
