"""Plots draw results (structure, not pixels); the report is one self-contained HTML file."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from nof1 import PairedDesign, analyze, make_schedule, plots, read_diary
from nof1.power import power_grid
from nof1.report import DISCLAIMER, render_report, write_report
from nof1.report._model import benefit_sentence
from nof1.report._view import build_view
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
    assert [t.get_text().split("\n")[0] for t in ax.get_yticklabels()] == [
        "pain", "stress", "sleep"]
    plots.close(ax)


def test_effects_are_drawn_oriented_to_benefit(analysed):
    """Right is better on every row: lower-is-better outcomes are re-signed."""
    _, _, result = analysed
    frame = result.to_frame()
    ax = plots.plot_effects(frame, treatment="magnesium")
    for container, row in zip(ax.containers, frame.itertuples(), strict=True):
        sign = 1 if row.higher_is_better else -1
        x = container.lines[0].get_xdata()[0]
        assert x == pytest.approx(sign * row.estimate)
        low, high = container.lines[2][0].get_segments()[0][:, 0]
        assert sorted((low, high)) == pytest.approx(sorted((sign * row.ci_low,
                                                            sign * row.ci_high)))
    left, right = ax.get_xlim()
    assert left == pytest.approx(-right)  # "worse" and "better" get the same room
    assert ax.get_xlabel().startswith("← worse") and ax.get_xlabel().endswith("better →")
    plots.close(ax)


def test_pair_labels_never_overlap():
    """Pairs with nearly equal treatment means used to print their labels on top of each other."""
    import pandas as pd

    means_a = [5.0, 5.02, 5.04, 5.06, 6.0, 6.01, 3.0]
    periods = pd.DataFrame({"pair": [p for p in range(1, 8) for _ in (0, 1)],
                            "condition": ["A", "B"] * 7,
                            "mean": [v for a in means_a for v in (a, a + 1)]})
    ax = plots.plot_period_means(periods, outcome="pain")
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw(renderer)
    # the label's own box (an annotation's box also holds its leader line)
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]
    assert len(boxes) == 7
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
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
    assert not re.search(r"<link|@import|url\(", page)
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == 1 + 2 * 3 + 1  # forest, (series + period means) per outcome, null
    assert all("src='data:image/svg+xml;base64," in img for img in images)
    for img in images:
        alt = re.search(r'alt="([^"]*)"', img).group(1)
        assert len(alt.split()) >= 12
    path = write_report(page, tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == page
    with pytest.raises(FileExistsError):
        write_report("other", path)
    assert path.read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_first_screen_then_technical_sections(analysed):
    """Headlines, the forest plot and provenance come before any collapsible section."""
    _, diary, result = analysed
    page = render_report(result, diary, provenance={"trial_id": "T-42", "key_verified": True})
    first = page.index("<details")
    head = page[:first]
    assert head.count("class='sentence'") == 3 and "class='forest'" in head
    assert "T-42" in head and "not available" in head  # commitment, diary hash not given
    for heading in ("All outcomes in numbers", "Methods", "Sensitivity analyses", "Priors",
                    "Randomization distribution", "Diagnostics"):
        assert heading in page[first:]
    # human labels, not machine names
    for machine in ("pvalue_holm", "p_benefit_mcid", "ci_low", "n_analysed"):
        assert machine not in page
    assert "Holm-adjusted p" in page and "P(benefit ≥ MCID)" in page


def test_headline_is_in_each_outcomes_direction_of_benefit(analysed):
    _, diary, result = analysed
    view = build_view(result, diary, title="t")
    for h, r in zip(view.headlines, result.outcomes.values(), strict=True):
        better = "higher" if r.higher_is_better else "lower"
        benefit = r.estimate if r.higher_is_better else -r.estimate
        word = better if benefit > 0 else {"higher": "lower", "lower": "higher"}[better]
        m = re.match(rf"{r.outcome} was ([0-9.]+) points? {word} on magnesium than on "
                     rf"placebo; 95% CI ", h.sentence)
        assert m, h.sentence
        assert float(m.group(1)) == pytest.approx(abs(r.estimate), abs=0.05, rel=0.05)
    assert view.headlines[0].rule.startswith("the pre-registered rule: ")
    assert result.decision["verdict"] in ("met", "not met", "inconclusive")


@pytest.mark.parametrize(("est", "low", "high", "hib", "expected"), [
    (-1.2, -1.7, -0.7, False, "pain was 1.2 points lower on A than on B; 95% CI 0.7 to 1.7 "
                              "points lower"),
    (0.4, -0.3, 1.1, False, "pain was 0.4 points higher on A than on B; 95% CI 1.1 points "
                            "higher to 0.3 points lower"),
    (0.6, 0.2, 1.0, True, "pain was 0.6 points higher on A than on B; 95% CI 0.2 to 1.0 "
                          "point higher"),
    (-1.0, float("nan"), float("nan"), True, "pain was 1.0 point lower on A than on B; no "
                                              "95% interval (too few assignments or scored "
                                              "periods)"),
])
def test_benefit_sentence(est, low, high, hib, expected):
    assert benefit_sentence("pain", est, low, high, higher_is_better=hib, active="A",
                            control="B", level="95%") == expected


def test_provenance_from_the_result_or_the_caller(analysed):
    _, diary, result = analysed
    shown = dict(build_view(result, diary, title="t").provenance)
    assert shown["Trial id"] == "not available"
    assert shown["nof1 version"]  # always known
    attached = type("R", (), {"provenance": {"diary_sha256": "ab" * 32,
                                             "key_verified": False}})()
    for name in ("outcomes", "schedule", "primary", "issues", "confidence_level",
                 "decision", "guesses", "blinding", "to_frame"):
        setattr(attached, name, getattr(result, name))
    shown = dict(build_view(attached, diary, title="t",
                            provenance={"trial_id": "T-7"}).provenance)
    assert shown["Diary file (SHA-256)"] == "ab" * 32
    assert shown["Helper's key checked against the commitment"] == "no"
    assert shown["Trial id"] == "T-7"


def test_blinded_analysis_reports_effects_but_no_verdict():
    s = make_schedule(PairedDesign(4), start="2026-01-05", period_days=10, washout_days=3,
                      treatments=("group X", "group Y"), rng=8)
    diary = read_diary(simulate_diary(s, rng=8), s, warn=False)
    result = analyze(diary, s)
    page = render_report(result, diary)
    view = build_view(result, diary, title="t")
    assert view.headlines[0].rule.startswith("blinded analysis")
    assert "on group X than on group Y" in view.headlines[0].sentence
    assert result.decision["text"] not in page
    for word in ("worthwhile", "pre-registered rule:"):
        assert word not in page[:page.index("<details")]


def test_report_pair_labels_never_overlap():
    """In the report's SVG, pair labels (11 px text) are at least 13 px apart."""
    from nof1.report import _svg

    pairs = [(p, 6.0, 5.0 + 0.01 * p) for p in range(1, 9)] + [(9, 6.0, 3.0)]
    svg = _svg.period_means(pairs, {}, name="pain", names={"A": "magnesium", "B": "placebo"})
    ys = sorted(float(y) for y in re.findall(r"<text x='[^']*' y='([^']*)'[^>]*>pair \d", svg))
    assert len(ys) == 9
    assert float(np.diff(ys).min()) >= 13 - 0.1  # positions are rounded to 0.1 px
    assert re.findall(r"font-size='(\d+)'[^>]*>pair", svg) == ["11"] * 9


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=30), st.floats(0.01, 5))
def test_spread_keeps_order_and_gaps_and_centre(values, gap):
    from nof1._style import spread

    values = np.array(values)
    pos = spread(values, gap)
    order = np.argsort(values, kind="stable")
    assert np.all(np.diff(pos[order]) >= gap * (1 - 1e-9))  # order kept, gaps respected
    assert np.mean(pos - values) == pytest.approx(0, abs=1e-9 * (1 + np.abs(values).max()))
    if len(values) > 1 and np.diff(np.sort(values)).min() >= gap:
        assert pos == pytest.approx(values)  # nothing moves when there is room


@settings(max_examples=200, deadline=None)
@given(st.floats(-1e4, 1e4), st.floats(1e-3, 1e4), st.integers(2, 8))
def test_nice_ticks_are_round_evenly_spaced_and_inside(low, span, n):
    from nof1.report._svg import nice_ticks

    high = low + span
    ticks = nice_ticks(low, high, n)
    assert len(ticks) >= 1
    assert all(low - 1e-9 * span <= t <= high + 1e-9 * span for t in ticks)
    steps = np.diff(ticks)
    if len(steps):
        assert steps == pytest.approx(steps[0], rel=1e-6)
        mantissa = steps[0] / 10 ** np.floor(np.log10(steps[0]))
        assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-6
        assert len(ticks) <= 2 * n + 1


def test_report_of_a_diary_read_against_the_blinded_calendar():
    """The diary may carry no treatments (read blinded): the schedule colours the periods."""
    s = make_schedule(PairedDesign(3), start="2026-01-05", period_days=7, rng=4)
    raw = simulate_diary(s, rng=4)
    diary = read_diary(raw, s, warn=False)
    blinded = type(diary)(data=diary.data.drop(columns=["condition", "treatment"]),
                          outcomes=diary.outcomes, issues=diary.issues)
    result = analyze(blinded, s)
    view = build_view(result, blinded, title="t")
    expected = [("A" if t == s.active else "B")
                for t in s.days.drop_duplicates("period").dropna(subset=["period"])["treatment"]]
    assert [p[2] for p in view.outcomes[0].series.periods] == expected
    assert render_report(result, blinded).count("<img ") == 8
