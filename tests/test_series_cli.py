"""nof1 series collect / analyze: outputs, one-line errors, exit codes, nothing half-written."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd

from nof1 import PairedDesign, create_trial
from nof1.cli import main
from nof1.planning.simulate import simulate_diary
from nof1.series import analyze_series, bayes_series, meta_analysis, write_series
from nof1.series.plots import forest_plot, moderator_plot
from nof1.series.simulate import draw_cohort_2022, simulate_series

matplotlib.use("Agg")


def _trial(path, seed):
    t = create_trial(path, design=PairedDesign(3), start="2026-01-05", period_days=7,
                     washout_days=2, rng=seed)
    simulate_diary(t.schedule, rng=seed).to_csv(path / "participant" / "diary.csv",
                                                index=False)
    return path


def test_collect_then_analyze(tmp_path, capsys):
    dirs = [_trial(tmp_path / f"p{i}", i) for i in range(5)]
    cov = tmp_path / "cov.csv"
    pd.DataFrame({"person": [d.name for d in dirs],
                  "baseline_stress": [20, 23, 27, 30, 35]}).to_csv(cov, index=False)
    out = tmp_path / "series"
    assert main(["series", "collect", *map(str, dirs), "--out", str(out),
                 "--covariates", str(cov)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["diary.csv", "trials.csv"]
    code = main(["series", "analyze", str(out), "--moderator", "baseline_stress",
                 "--prespecified", "--no-progress"])
    assert code == 0, capsys.readouterr().err
    files = sorted(p.name for p in (out / "analysis").iterdir())
    assert {"report.html", "persons.csv", "pooled.csv"} <= set(files)
    page = (out / "analysis" / "report.html").read_text()
    assert page.count("data:image/png;base64") == 2 and "pre-specified moderator" in page
    assert "<script" not in page and "src=\"http" not in page  # self-contained
    table = pd.read_csv(out / "analysis" / "persons.csv")
    assert table["person"].tolist() == [d.name for d in dirs]
    assert {"estimate", "theta", "p_benefit_mcid", "baseline_stress"} <= set(table.columns)


def test_collect_refuses_a_tampered_key_and_writes_nothing(tmp_path, capsys):
    dirs = [_trial(tmp_path / f"p{i}", i) for i in range(3)]
    key = dirs[1] / "helper" / "key.json"
    spec = json.loads(key.read_text())
    spec["salt"] = "0" * len(spec["salt"])
    key.write_text(json.dumps(spec))
    out = tmp_path / "series"
    assert main(["series", "collect", *map(str, dirs), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "p1" in err and err.startswith("nof1: error: trial")
    assert not out.exists()


def test_analyze_errors_are_one_line(tmp_path, capsys):
    s = simulate_series(6, n_pairs=3, rng=1)
    write_series(s, tmp_path / "s")
    assert main(["series", "analyze", str(tmp_path / "s"), "--moderator", "age",
                 "--no-progress"]) == 2
    assert "must be a person-level covariate" in capsys.readouterr().err
    assert not (tmp_path / "s" / "analysis").exists()
    assert main(["series", "analyze", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no trials.csv" in err
    (tmp_path / "s" / "analysis").mkdir()
    (tmp_path / "s" / "analysis" / "keep.txt").write_text("mine")
    assert main(["series", "analyze", str(tmp_path / "s")]) == 2
    assert (tmp_path / "s" / "analysis" / "keep.txt").read_text() == "mine"


def test_forest_and_moderator_plots_structure():
    cohort = draw_cohort_2022(15, rng=3)
    s = simulate_series(15, effects={"stress": -1.0}, covariates=cohort, rng=3)
    r = analyze_series(s, outcomes=["stress"])
    meta = meta_analysis(r.persons)
    ax = forest_plot(r.persons, meta, bayes_series(r.persons))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "pooled" and labels[1:] == r.persons["person"].tolist()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == ["benefit >= MCID (1)", "own trial (95% CI)",
                              "pooled mean (95% CI)", "prediction interval",
                              "shrunken (95% credible)"]
    assert "← benefit" in ax.get_xlabel()
    matplotlib.pyplot.close(ax.figure)
    from nof1.series import meta_regression

    mr = meta_regression(r.persons, "baseline_stress", covariates=r.covariates)
    ax = moderator_plot(r.persons, r.covariates, "baseline_stress", mr, cut=25.5)
    line = ax.get_lines()[-3]  # the regression line before the reference lines
    y = line.get_ydata()
    x = line.get_xdata()
    c = mr.coefficients["estimate"].to_numpy()
    np.testing.assert_allclose(y, c[0] + c[1] * x)
    matplotlib.pyplot.close(ax.figure)


def test_no_progress_bar_when_standard_error_is_not_a_terminal(tmp_path, capsys):
    # a log file or a pipe (here pytest's capture) must not collect bar redraws
    write_series(simulate_series(6, n_pairs=3, rng=2), tmp_path / "s")
    assert main(["series", "analyze", str(tmp_path / "s")]) == 0
    err = capsys.readouterr().err
    assert "%|" not in err and "persons" not in err, err
