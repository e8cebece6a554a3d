"""Moderator analysis: the 2022 grouping, subgroups, the interaction test and caveats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nof1.series import analyze_series, meta_analysis, meta_regression
from nof1.series.moderators import moderator_analysis, stress_group_2022
from nof1.series.pipeline import pool_outcome
from nof1.series.simulate import draw_cohort_2022, simulate_series


@pytest.fixture(scope="module")
def results():
    rng = np.random.default_rng(31)
    cohort = draw_cohort_2022(40, rng=rng)
    eff = np.where(cohort["baseline_stress"] <= 25, -1.5, 0.0)
    s = simulate_series(40, n_pairs=4, effects={"stress": eff}, covariates=cohort, rng=rng)
    return analyze_series(s, outcomes=["stress"])


def test_2022_grouping_boundaries():
    assert stress_group_2022([19, 25, 25.5, 26, 42]).tolist() == [
        "mild/moderate", "mild/moderate", "severe", "severe", "severe"]
    with pytest.raises(ValueError, match="missing"):
        stress_group_2022([20, np.nan])


def test_subgroups_are_separate_meta_analyses(results):
    res = moderator_analysis(results, "baseline_stress", outcome="stress", prespecified=True)
    assert res.grouping.startswith("2022 grouping")
    persons = results.persons
    cov = results.covariates
    for row in res.subgroups.itertuples():
        who = cov.loc[stress_group_2022(cov["baseline_stress"]) == row.group, "person"]
        m = meta_analysis(persons[persons["person"].isin(who)])
        assert row.n_persons == m.n_persons
        assert row.estimate == pytest.approx(m.estimate, rel=1e-12)
    # the test for subgroup difference is the meta-regression on the group indicator
    cov2 = cov.assign(g=stress_group_2022(cov["baseline_stress"]))
    direct = meta_regression(persons, "g", covariates=cov2)
    assert res.subgroup_test.pvalue == pytest.approx(direct.pvalue, rel=1e-12)
    # and the headline interaction test is the continuous meta-regression's slope
    slope = res.meta_regression.coefficients.iloc[1]
    assert res.pvalue == slope["pvalue"] and slope["estimate"] > 0
    assert res.one_stage is not None
    assert res.pvalue_adjusted == res.pvalue and "pre-specified moderator" in res.caveats


def test_exploratory_caveats_and_bonferroni(results):
    res = moderator_analysis(results, "baseline_stress", outcome="stress",
                             n_moderators_tried=4, one_stage_model=False)
    assert res.pvalue_adjusted == pytest.approx(min(1.0, 4 * res.pvalue))
    assert res.caveats[0].startswith("exploratory")
    assert "4 moderator(s) examined" in res.caveats[1]
    assert "Bonferroni" in res.summary() and res.one_stage is None


def test_cut_and_categorical_moderators(results):
    res = moderator_analysis(results, "age", outcome="stress", cut=45)
    assert res.subgroups["group"].tolist() == ["<= 45", "> 45"]
    res = moderator_analysis(results, "stress_band", outcome="stress")
    assert res.meta_regression is None and res.grouping == "levels of the covariate"
    assert res.pvalue == res.subgroup_test.pvalue
    with pytest.raises(ValueError, match="person-level covariate"):
        moderator_analysis(results, "mood", outcome="stress")
    with pytest.raises(ValueError, match="single value"):
        moderator_analysis(results, "sex", outcome="stress")


def test_pool_outcome_tables(results):
    a = pool_outcome(results, "stress", moderator="baseline_stress", rng=1)
    frame = a.to_frame()
    assert frame["analysis"].str.contains("two-stage").any() and len(frame) == 4
    table = a.persons_table()
    assert len(table) == 40 and {"theta", "p_benefit_mcid", "baseline_stress"} <= set(table)
    assert "Moderation" in a.summary()
    assert isinstance(a.meta.to_frame(), pd.DataFrame)
