"""Plots draw results (structure, not pixels); the report is one self-contained HTML file."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text

from nof1 import PairedDesign, analyze, make_schedule, read_diary
from nof1.planning.power import power_grid
from nof1.planning.simulate import simulate_diary
from nof1.report import DISCLAIMER, plots, render_report, write_report
from nof1.report._model import benefit_sentence
from nof1.report._view import build_view

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def analysed():
    s = make_schedule(PairedDesign(4), start="2026-01-05", period_days=10, run_in_days=5,
                      washout_days=3, rng=8)
    diary = read_diary(simulate_diary(s, rng=8), s, warn=False)
    return s, diary, analyze(diary, s)


@pytest.fixture(scope="module")
def analysed6():
    """Six pairs: 64 assignments, enough for a bounded 95% randomization interval."""
    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, run_in_days=7,
                      washout_days=7, rng=3)
    diary = read_diary(simulate_diary(s, rng=3), s, warn=False)
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


@pytest.mark.parametrize("fixture", ["analysed", "analysed6"])
def test_effects_are_drawn_oriented_to_benefit(fixture, request):
    """Right is better on every row: lower-is-better outcomes are re-signed.

    With 4 pairs (16 assignments) no 95% randomization interval is bounded: the bar
    then runs to both edges of the axis; with 6 pairs it is bounded.
    """
    _, _, result = request.getfixturevalue(fixture)
    frame = result.to_frame()
    ax = plots.plot_effects(frame, treatment="magnesium")
    left, right = ax.get_xlim()
    assert left == pytest.approx(-right)  # "worse" and "better" get the same room
    bounded = 0
    for container, row in zip(ax.containers, frame.itertuples(), strict=True):
        sign = 1 if row.higher_is_better else -1
        x = container.lines[0].get_xdata()[0]
        assert x == pytest.approx(sign * row.estimate)
        low, high = container.lines[2][0].get_segments()[0][:, 0]
        expected = sorted((sign * row.ci_low, sign * row.ci_high))
        expected = [left if e == -np.inf else right if e == np.inf else e for e in expected]
        assert sorted((low, high)) == pytest.approx(expected)
        bounded += bool(np.isfinite(row.ci_low) and np.isfinite(row.ci_high))
    assert bounded == (0 if fixture == "analysed" else 3)
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


def test_headline_is_in_each_outcomes_direction_of_benefit(analysed6):
    """Same numbers and interval as the CLI's headline, oriented to benefit, attained level said."""
    _, diary, result = analysed6
    view = build_view(result, diary, title="t")
    for h, r in zip(view.headlines, result.outcomes.values(), strict=True):
        better = "higher" if r.higher_is_better else "lower"
        benefit = r.estimate if r.higher_is_better else -r.estimate
        word = better if benefit > 0 else {"higher": "lower", "lower": "higher"}[better]
        m = re.match(rf"{r.outcome} was ([0-9.]+) points? {word} on magnesium than on "
                     rf"placebo; 95% CI (.*) \(attains 96.9%\)$", h.sentence)
        assert m, h.sentence
        assert float(m.group(1)) == pytest.approx(abs(r.estimate), abs=0.05, rel=0.05)
        # the headline procedure's interval (randomization test), as the CLI prints it
        assert r.attained_level == pytest.approx(1 - 2 / 64)
        ends = [float(v) for v in re.findall(r"[0-9.]+", m.group(2))]
        assert sorted(ends) == pytest.approx(sorted(abs(v) for v in (r.ci_low, r.ci_high)),
                                             rel=0.05)
        for number in re.findall(r"[0-9]+\.?[0-9]*", m.group(1) + " " + m.group(2)):
            assert number in r.headline  # the same rounding as the CLI's sentence
    assert view.headlines[0].rule.startswith("the pre-registered rule: ")
    verdict = result.decision["verdict"]
    assert verdict in ("met", "not worthwhile", "inconclusive")
    assert view.headlines[0].rule.split(": ")[1].startswith(verdict)


def test_methods_table_lists_every_procedure_with_its_role(analysed6):
    _, diary, result = analysed6
    view = build_view(result, diary, title="t")
    for o, r in zip(view.outcomes, result.outcomes.values(), strict=True):
        assert len(o.methods.rows) == len(r.analyses)
        roles = [row[1] for row in o.methods.rows]
        assert roles[0] == "headline" and roles.count("headline") == 1
        assert set(roles) <= {"headline", "secondary", "sensitivity", "comparison only"}
        assert "sensitivity" in roles and "secondary" in roles
        # the headline row is the headline: same interval, its attained level
        assert o.methods.rows[0][3].endswith("(attains 96.9%)")
        assert o.methods.rows[0][4] == f"{r.pvalue:.3f}"
    page = render_report(result, diary)
    assert "reference (the default" in page and "weakly informative" not in page
    # the prior table says what its intervals are worth (shrinkage is not coverage)
    assert "pulled towards" in page and "as little as 90%" in page


@pytest.mark.parametrize(("est", "low", "high", "hib", "expected"), [
    (-1.2, -1.7, -0.7, False, "pain was 1.2 points lower on A than on B; 95% CI 0.7 to 1.7 "
                              "points lower"),
    (0.4, -0.3, 1.1, False, "pain was 0.4 points higher on A than on B; 95% CI 1.1 points "
                            "higher to 0.3 points lower"),
    (0.6, 0.2, 1.0, True, "pain was 0.6 points higher on A than on B; 95% CI 0.2 to 1 "
                          "point higher"),
    (-1.0, float("nan"), float("nan"), True, "pain was 1 point lower on A than on B; no "
                                              "95% interval (too few assignments or scored "
                                              "periods)"),
    (-1.0, float("-inf"), float("inf"), True, "pain was 1 point lower on A than on B; no "
                                               "95% interval (too few assignments or scored "
                                               "periods)"),
    (-0.71, -3.38, 1.97, False, "pain was 0.71 points lower on A than on B; 95% CI 2 points "
                                "higher to 3.4 points lower"),
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
    assert "in group X than in group Y" in view.headlines[0].sentence
    assert "two-sided p = " in view.headlines[0].sentence
    assert result.decision["text"] not in page
    for word in ("worthwhile", "pre-registered rule:", "benefit", "better"):
        assert word not in page[:page.index("<details")]
    assert "P(any benefit)" not in page


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


def test_a_constant_outcome_shows_its_note_and_the_others_are_reported():
    """sleep = 7 every day: no numbers, tables or pair figure for it; the rest as usual."""
    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, run_in_days=7,
                      washout_days=7, rng=3)
    diary = read_diary(simulate_diary(s, rng=3).assign(sleep=7), s, warn=False)
    result = analyze(diary, s)
    assert not result["sleep"].analysed and result["pain"].analysed
    view = build_view(result, diary, title="t")
    sleep = view.outcomes[2]
    assert view.headlines[2].sentence == "sleep: not analysed"
    assert view.headlines[2].detail == result["sleep"].note
    assert sleep.methods is None and sleep.periods is None and sleep.pairs is None
    assert view.outcomes[0].methods is not None
    page = render_report(result, diary)
    assert page.count(result["sleep"].note) >= 3  # first screen, methods, diagnostics
    assert page.count("<img ") == 1 + 2 * 2 + 1 + 1  # no period-means figure for sleep
    assert "<td>sleep</td><td data-label='Role'>secondary</td>" \
           "<td data-label='Effect (magnesium − placebo)'>not analysed</td>" in page


def test_provenance_of_a_trial_folder_is_shown_with_human_labels(analysed6):
    _, diary, result = analysed6
    given = {"trial_id": "T-1", "commitment": "c" * 64, "key_verified": True,
             "plan_verified": True, "printed_copies_verified": False,
             "analysis": "unblinded", "interim": False, "diary_sha256": "d" * 64,
             "analysed_on": "2026-06-29", "nof1_version": "9.9"}
    shown = dict(build_view(result, diary, title="t", provenance=given).provenance)
    assert shown["Plan (protocol) checked against the commitment"] == "yes"
    assert shown["Printed copies of the commitment agree with the protocol"] == "no"
    assert shown["Interim analysis (before the trial's end)"] == "no"
    assert shown["Analysed on"] == "2026-06-29" and shown["nof1 version"] == "9.9"
    assert shown["Analysis"] == "unblinded"
    assert "not available" not in shown.values()
