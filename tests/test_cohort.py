"""nof1.cohort against scipy, hand formulas (numpy least squares) and simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nof1.cohort import (
    SUMMARY_COLUMNS,
    arm_comparisons,
    change_sd,
    cohort_summary,
    compare_arms,
    group_sizes_for_pvalue,
    subgroup_interaction,
    ttest_from_summary,
)

TREAT = ("magnesium", "placebo")


def make_cohort(rng, n=(9, 11, 8, 12), effect=(-3.0, 1.0), interaction=True, missing=False):
    """Wide frame: arm x subgroup cells of the given sizes, scores at d0 and d28."""
    rows = []
    for (arm, sub), size in zip([(a, s) for s in ("low", "high") for a in TREAT], n,
                                strict=True):
        base = rng.normal(20 if sub == "low" else 30, 3, size)
        shift = (effect[0] if sub == "low" else effect[1]) if interaction else effect[0]
        end = 0.5 * base + 8 + rng.normal(0, 4, size) + (shift if arm == TREAT[0] else 0.0)
        rows.append(pd.DataFrame({"arm": arm, "band": sub, "y_d0": base, "y_d28": end}))
    df = pd.concat(rows, ignore_index=True)
    if missing:
        df.loc[[0, 5], "y_d28"] = np.nan
        df.loc[[3], "y_d0"] = np.nan
    return df


@pytest.fixture
def cohort():
    return make_cohort(np.random.default_rng(12345), missing=True)


# ----------------------------------------------------------------------------- summaries

def test_summary_matches_pandas_groupby(cohort):
    out = cohort_summary(cohort, "y", by="band", treatments=list(TREAT))
    assert tuple(out.columns) == SUMMARY_COLUMNS
    long = cohort.assign(y_change=cohort["y_d28"] - cohort["y_d0"])
    for (sub, arm), part in long.groupby(["band", "arm"]):
        for visit in ("d0", "d28", "change"):
            col = part[f"y_{visit}"].dropna()
            row = out[(out.subgroup == sub) & (out.arm == arm) & (out.visit == visit)]
            assert len(row) == 1
            assert row.n.item() == len(col)
            np.testing.assert_allclose(row["mean"].item(), col.mean(), rtol=1e-12)
            np.testing.assert_allclose(row["sd"].item(), col.std(ddof=1), rtol=1e-12)
    whole = out[out.subgroup == "all"]
    assert len(whole) == 2 * 3
    mg = cohort.loc[cohort.arm == "magnesium", "y_d28"].dropna()
    row = whole[(whole.arm == "magnesium") & (whole.visit == "d28")]
    assert row.n.item() == len(mg)
    np.testing.assert_allclose(row["sd"].item(), mg.std(ddof=1), rtol=1e-12)


def test_summary_order_and_options(cohort):
    out = cohort_summary(cohort, "y", visits=("d28",), treatments=["placebo", "magnesium"])
    assert out.subgroup.unique().tolist() == ["all"]
    assert out.arm.tolist() == ["placebo", "magnesium"]
    assert out.visit.tolist() == ["d28", "d28"]  # no change with one visit
    out = cohort_summary(cohort, "y", by="band", overall=False, change=False)
    assert "all" not in set(out.subgroup) and "change" not in set(out.visit)
    assert out.arm.unique().tolist() == ["magnesium", "placebo"]  # sorted by default
    cat = cohort.assign(band=pd.Categorical(cohort.band, categories=["low", "high"]))
    assert cohort_summary(cat, "y", by="band").subgroup.unique().tolist() == [
        "low", "high", "all"]


def test_summary_errors(cohort):
    with pytest.raises(ValueError, match="y_d7"):
        cohort_summary(cohort, "y", visits=("d0", "d7"))
    with pytest.raises(ValueError, match="`by`"):
        cohort_summary(cohort, "y", by="sex")
    with pytest.raises(ValueError, match="no participant"):
        cohort_summary(cohort, "y", treatments=["magnesium", "sham"])
    with pytest.raises(TypeError, match="DataFrame"):
        cohort_summary(cohort.to_dict(), "y")
    with pytest.raises(ValueError, match="numbers"):
        cohort_summary(cohort.assign(y_d0="high"), "y")


# ----------------------------------------------------------------------------- comparisons

def arms(df, col):
    ok = df[col].notna()
    return (df.loc[ok & (df.arm == TREAT[0]), col].to_numpy(),
            df.loc[ok & (df.arm == TREAT[1]), col].to_numpy())


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("method", ["welch", "pooled"])
def test_t_tests_match_scipy(cohort, method, alternative):
    df = cohort.assign(y_change=cohort.y_d28 - cohort.y_d0)
    for endpoint, col in (("end", "y_d28"), ("change", "y_change")):
        res = compare_arms(cohort, "y", endpoint=endpoint, method=method,
                           alternative=alternative, visits=("d0", "d28"),
                           confidence_level=0.9)
        x, y = arms(df, col)
        ref = stats.ttest_ind(x, y, equal_var=method == "pooled", alternative=alternative)
        ci = ref.confidence_interval(0.9)
        np.testing.assert_allclose([res.statistic, res.pvalue, res.df, res.ci_low, res.ci_high],
                                   [ref.statistic, ref.pvalue, ref.df, ci.low, ci.high],
                                   rtol=1e-12)
        np.testing.assert_allclose(res.estimate, x.mean() - y.mean(), rtol=1e-12)
        assert (res.n_treatment, res.n_control) == (x.size, y.size)


def test_mann_whitney_matches_scipy_and_hodges_lehmann(cohort):
    df = cohort.assign(y_change=cohort.y_d28 - cohort.y_d0)
    res = compare_arms(cohort, "y", method="mann-whitney")
    x, y = arms(df, "y_change")
    ref = stats.mannwhitneyu(x, y)
    assert res.statistic == ref.statistic
    np.testing.assert_allclose(res.pvalue, ref.pvalue, rtol=1e-12)
    diffs = sorted(a - b for a in x for b in y)  # brute-force Hodges-Lehmann
    k = len(diffs)
    hl = diffs[k // 2] if k % 2 else (diffs[k // 2 - 1] + diffs[k // 2]) / 2
    np.testing.assert_allclose(res.estimate, hl, rtol=1e-12)
    assert np.isnan(res.ci_low) and np.isnan(res.df)


def test_ancova_matches_least_squares(cohort):
    res = compare_arms(cohort, "y", method="ancova", endpoint="end")
    ok = cohort[["y_d0", "y_d28"]].notna().all(axis=1)
    d = cohort[ok]
    X = np.column_stack([np.ones(len(d)), (d.arm == TREAT[0]).astype(float), d.y_d0])
    beta, *_ = np.linalg.lstsq(X, d.y_d28.to_numpy(), rcond=None)
    resid = d.y_d28.to_numpy() - X @ beta
    dof = len(d) - 3
    cov = resid @ resid / dof * np.linalg.inv(X.T @ X)
    se = np.sqrt(cov[1, 1])
    t = beta[1] / se
    np.testing.assert_allclose([res.estimate, res.statistic, res.df],
                               [beta[1], t, dof], rtol=1e-9)
    np.testing.assert_allclose(res.pvalue, 2 * stats.t.sf(abs(t), dof), rtol=1e-9)
    q = stats.t.ppf(0.975, dof)
    np.testing.assert_allclose([res.ci_low, res.ci_high],
                               [beta[1] - q * se, beta[1] + q * se], rtol=1e-9)
    # the same adjusted effect whether the endpoint is the end value or the change
    change = compare_arms(cohort, "y", method="ancova", endpoint="change")
    np.testing.assert_allclose([change.estimate, change.pvalue], [res.estimate, res.pvalue],
                               rtol=1e-9)


def test_one_sided_pvalues_and_intervals(cohort):
    two = compare_arms(cohort, "y", method="ancova")
    less = compare_arms(cohort, "y", method="ancova", alternative="less")
    greater = compare_arms(cohort, "y", method="ancova", alternative="greater")
    np.testing.assert_allclose(less.pvalue + greater.pvalue, 1.0, rtol=1e-12)
    np.testing.assert_allclose(min(less.pvalue, greater.pvalue), two.pvalue / 2, rtol=1e-9)
    assert less.ci_low == -np.inf and greater.ci_high == np.inf


def test_compare_errors(cohort):
    with pytest.raises(ValueError, match="method"):
        compare_arms(cohort, "y", method="t")
    with pytest.raises(ValueError, match="endpoint"):
        compare_arms(cohort, "y", endpoint="d28")
    with pytest.raises(ValueError, match="not one of `treatments`"):
        compare_arms(cohort, "y", treatments=("magnesium", "sham"))
    with pytest.raises(ValueError, match="at least 2"):
        compare_arms(cohort.drop(index=cohort.index[cohort.arm == "placebo"][1:]), "y")
    with pytest.raises(ValueError, match="confidence_level"):
        compare_arms(cohort, "y", confidence_level=95)
    with pytest.raises(ValueError, match="alternative"):
        compare_arms(cohort, "y", alternative="two_sided")


def test_arm_comparisons_table(cohort):
    table = arm_comparisons(cohort, "y", by="band")
    assert table.subgroup.tolist()[:5] == ["high"] * 5
    assert len(table) == 3 * 5
    low = cohort[cohort.band == "low"]
    ref = compare_arms(low, "y", endpoint="end", method="welch")
    row = table[(table.subgroup == "low") & (table.endpoint == "end")
                & (table.method == "welch")]
    assert row.pvalue.item() == ref.pvalue
    assert list(table.columns) == ["subgroup"] + list(ref.to_frame().columns)


def test_results_summaries_state_hypotheses(cohort):
    for method in ("welch", "pooled", "mann-whitney", "ancova"):
        text = compare_arms(cohort, "y", method=method).summary()
        assert "H0:" in text and "H1 (two-sided)" in text
    text = subgroup_interaction(cohort, "y", subgroup="band").summary()
    assert "H0: the effect (magnesium - placebo) is the same" in text
    assert "H0: the two population means are equal" in ttest_from_summary(
        1, 1, 5, 0, 1, 5).summary()


# ----------------------------------------------------------------------------- interaction

def test_interaction_is_difference_of_differences(cohort):
    res = subgroup_interaction(cohort, "y", subgroup="band", reference="low")
    d = cohort.assign(c=cohort.y_d28 - cohort.y_d0).dropna(subset=["c"])
    cells = {(s, a): g.c.to_numpy() for (s, a), g in d.groupby(["band", "arm"])}
    eff = {s: cells[(s, TREAT[0])].mean() - cells[(s, TREAT[1])].mean() for s in ("low", "high")}
    np.testing.assert_allclose([res.effect_reference, res.effect_other, res.estimate],
                               [eff["low"], eff["high"], eff["high"] - eff["low"]], rtol=1e-9)
    # pooled residual variance over the four cells, n - 4 df
    sse = sum(((v - v.mean()) ** 2).sum() for v in cells.values())
    n = sum(v.size for v in cells.values())
    se = np.sqrt(sse / (n - 4) * sum(1 / v.size for v in cells.values()))
    t = (eff["high"] - eff["low"]) / se
    np.testing.assert_allclose([res.statistic, res.df, res.pvalue],
                               [t, n - 4, 2 * stats.t.sf(abs(t), n - 4)], rtol=1e-9)
    assert res.n == n
    flipped = subgroup_interaction(cohort, "y", subgroup="band", reference="high")
    np.testing.assert_allclose(flipped.estimate, -res.estimate, rtol=1e-12)
    np.testing.assert_allclose(flipped.pvalue, res.pvalue, rtol=1e-9)


def test_interaction_matches_statsmodels_formula_with_categorical_coding(cohort):
    import statsmodels.formula.api as smf

    d = cohort.assign(c=cohort.y_d28 - cohort.y_d0).dropna(subset=["c"])
    fit = smf.ols("c ~ C(arm, Treatment('placebo')) * C(band, Treatment('low'))",
                  data=d).fit()
    name = "C(arm, Treatment('placebo'))[T.magnesium]:C(band, Treatment('low'))[T.high]"
    res = subgroup_interaction(cohort, "y", subgroup="band", reference="low")
    np.testing.assert_allclose([res.estimate, res.pvalue, res.ci_low, res.ci_high],
                               [fit.params[name], fit.pvalues[name], *fit.conf_int().loc[name]],
                               rtol=1e-9)


def test_interaction_adjusted_matches_least_squares(cohort):
    res = subgroup_interaction(cohort, "y", subgroup="band", reference="low",
                               adjust_baseline=True)
    d = cohort.dropna(subset=["y_d0", "y_d28"])
    treat = (d.arm == TREAT[0]).to_numpy(float)
    other = (d.band == "high").to_numpy(float)
    X = np.column_stack([np.ones(len(d)), treat, other, treat * other, d.y_d0])
    y = (d.y_d28 - d.y_d0).to_numpy()
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    cov = resid @ resid / (len(d) - 5) * np.linalg.inv(X.T @ X)
    np.testing.assert_allclose([res.estimate, res.statistic, res.effect_reference],
                               [beta[3], beta[3] / np.sqrt(cov[3, 3]), beta[1]], rtol=1e-9)


def test_interaction_errors(cohort):
    three = cohort.assign(band=np.resize(["a", "b", "c"], len(cohort)))
    with pytest.raises(ValueError, match="exactly 2 levels"):
        subgroup_interaction(three, "y", subgroup="band")
    with pytest.raises(ValueError, match="reference"):
        subgroup_interaction(cohort, "y", subgroup="band", reference="mid")
    tiny = cohort[~((cohort.band == "low") & (cohort.arm == "placebo"))]
    tiny = pd.concat([tiny, cohort[(cohort.band == "low") & (cohort.arm == "placebo")].head(1)])
    with pytest.raises(ValueError, match="'low' x arm 'placebo' has 1"):
        subgroup_interaction(tiny, "y", subgroup="band")


def test_calibration_under_null():
    # 1000 cohorts with no interaction and no treatment effect: the interaction test and the
    # ANCOVA test should each reject about 5% (MC SE 0.0069; bounds +- 3.5 SE), and the 95%
    # ANCOVA interval should cover the true effect 0 about 95% of the time.
    rng = np.random.default_rng(20220517)
    n_sim = 1000
    rejections = np.zeros(2)
    covered = 0
    for _ in range(n_sim):
        df = make_cohort(rng, n=(10, 10, 10, 10), effect=(0.0, 0.0), interaction=False)
        rejections[0] += subgroup_interaction(df, "y", subgroup="band").pvalue < 0.05
        res = compare_arms(df, "y", method="ancova")
        rejections[1] += res.pvalue < 0.05
        covered += res.ci_low <= 0.0 <= res.ci_high
    rate = rejections / n_sim
    se = np.sqrt(0.05 * 0.95 / n_sim)
    assert np.all(np.abs(rate - 0.05) < 3.5 * se), rate
    assert abs(covered / n_sim - 0.95) < 3.5 * se


def test_interaction_has_power_when_effects_differ():
    rng = np.random.default_rng(7)
    hits = sum(subgroup_interaction(make_cohort(rng, n=(25, 25, 25, 25), effect=(-6.0, 2.0)),
                                    "y", subgroup="band").pvalue < 0.05 for _ in range(40))
    # difference of differences 8, SE about 4.3 * sqrt(4 / 25) = 1.7: power above 0.99
    assert hits >= 36


# ----------------------------------------------------------------------------- published summaries

@pytest.mark.parametrize("equal_var", [False, True])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_ttest_from_summary_matches_scipy(equal_var, alternative):
    # published subgroup values of Macian et al. 2022 at d28 with assumed sizes 12 and 18
    res = ttest_from_summary(12.3, 7.0, 12, 22.9, 11.9, 18, equal_var=equal_var,
                             alternative=alternative)
    ref = stats.ttest_ind_from_stats(12.3, 7.0, 12, 22.9, 11.9, 18, equal_var=equal_var,
                                     alternative=alternative)
    np.testing.assert_allclose([res.statistic, res.pvalue], [ref.statistic, ref.pvalue],
                               rtol=1e-12)
    assert res.method == ("pooled" if equal_var else "welch")


def test_ttest_from_summary_interval_matches_raw_data_test():
    rng = np.random.default_rng(12345)
    x, y = rng.normal(3, 2, 9), rng.normal(1, 4, 14)
    for equal_var in (False, True):
        raw = stats.ttest_ind(x, y, equal_var=equal_var)
        res = ttest_from_summary(x.mean(), x.std(ddof=1), 9, y.mean(), y.std(ddof=1), 14,
                                 equal_var=equal_var, confidence_level=0.9)
        ci = raw.confidence_interval(0.9)
        np.testing.assert_allclose([res.df, res.ci_low, res.ci_high], [raw.df, ci.low, ci.high],
                                   rtol=1e-12)


def test_ttest_from_summary_errors():
    with pytest.raises(ValueError, match="sd1"):
        ttest_from_summary(1, 0, 5, 0, 1, 5)
    with pytest.raises(ValueError, match="n2"):
        ttest_from_summary(1, 1, 5, 0, 1, 1)
    with pytest.raises(TypeError, match="n1"):
        ttest_from_summary(1, 1, 5.5, 0, 1, 5)


def test_change_sd_is_the_sd_of_differences():
    rng = np.random.default_rng(3)
    x0 = rng.normal(22, 3, 30)
    x1 = 0.4 * x0 + rng.normal(0, 6, 30)
    r = np.corrcoef(x0, x1)[0, 1]
    np.testing.assert_allclose(change_sd(x0.std(ddof=1), x1.std(ddof=1), r),
                               (x1 - x0).std(ddof=1), rtol=1e-12)
    np.testing.assert_allclose(change_sd(2.0, [2.0, 2.0], [1.0, -1.0]), [0.0, 4.0], atol=1e-15)
    with pytest.raises(ValueError, match="correlation"):
        change_sd(1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="sd_end"):
        change_sd(1.0, -1.0, 0.5)


def test_group_sizes_exact_values_match_brute_force():
    # no rounding tolerance: consistent <=> scipy's p lies within 0.0005 of 0.003
    out = group_sizes_for_pvalue(12.3, 7.0, 22.9, 11.9, 0.003, n1=range(5, 40),
                                 n2=range(5, 40), mean_tolerance=0, sd_tolerance=0,
                                 only_consistent=False)
    assert len(out) == 35 * 35
    ref = stats.ttest_ind_from_stats(12.3, 7.0, out.n1.to_numpy(), 22.9, 11.9,
                                     out.n2.to_numpy(), equal_var=False)
    np.testing.assert_allclose(out.pvalue, ref.pvalue, rtol=1e-10)
    expected = np.abs(ref.pvalue - 0.003) <= 0.0005
    np.testing.assert_array_equal(out.consistent.to_numpy(), expected)
    assert expected.sum() > 0
    np.testing.assert_array_equal(out.pvalue_min, out.pvalue_max)


def test_group_sizes_rounding_box_contains_sampled_pvalues():
    rng = np.random.default_rng(11)
    out = group_sizes_for_pvalue(-9.8, 6.4, 1.0, 11.2, 0.003, n1=[8, 12, 20], n2=[10, 18],
                                 mean_tolerance=0.1, sd_tolerance=0.1, only_consistent=False)
    for row in out.itertuples():
        m1 = -9.8 + rng.uniform(-0.1, 0.1, 2000)
        m2 = 1.0 + rng.uniform(-0.1, 0.1, 2000)
        s1 = 6.4 + rng.uniform(-0.1, 0.1, 2000)
        s2 = 11.2 + rng.uniform(-0.1, 0.1, 2000)
        p = stats.ttest_ind_from_stats(m1, s1, row.n1, m2, s2, row.n2, equal_var=False).pvalue
        assert row.pvalue_min <= row.pvalue <= row.pvalue_max
        assert p.min() >= row.pvalue_min * (1 - 1e-9)
        assert p.max() <= row.pvalue_max * (1 + 1e-9)
        # the box's extremes are attained (not just bounds): sampled values come close
        assert p.min() <= row.pvalue_min * 1.5 and p.max() >= row.pvalue_max / 1.5


def test_group_sizes_tolerance_widens_the_set():
    kw = dict(n1=range(2, 41), n2=range(2, 41))
    exact = group_sizes_for_pvalue(21.8, 9.6, 21.6, 10.8, 0.930, mean_tolerance=0,
                                   sd_tolerance=0, **kw)
    loose = group_sizes_for_pvalue(21.8, 9.6, 21.6, 10.8, 0.930, **kw)
    pairs = set(zip(exact.n1, exact.n2, strict=True))
    assert pairs < set(zip(loose.n1, loose.n2, strict=True))
    # pooled test: extremes are at the corners of the box
    pooled = group_sizes_for_pvalue(21.8, 9.6, 21.6, 10.8, 0.930, equal_var=True,
                                    n1=[40], n2=[40], only_consistent=False)
    low = stats.ttest_ind_from_stats(21.85, 9.55, 40, 21.55, 10.75, 40, equal_var=True)
    high = stats.ttest_ind_from_stats(21.75, 9.65, 40, 21.65, 10.85, 40, equal_var=True)
    np.testing.assert_allclose([pooled.pvalue_min.item(), pooled.pvalue_max.item()],
                               [low.pvalue, high.pvalue], rtol=1e-9)
    # a box that contains equal means reaches p = 1
    wide = group_sizes_for_pvalue(21.8, 9.6, 21.7, 10.8, 0.930, n1=[40], n2=[40],
                                  only_consistent=False)
    assert wide.pvalue_max.item() == pytest.approx(1.0, abs=1e-12)


def test_group_sizes_errors():
    with pytest.raises(ValueError, match="pvalue"):
        group_sizes_for_pvalue(1, 1, 0, 1, 0.0)
    with pytest.raises(ValueError, match="n1"):
        group_sizes_for_pvalue(1, 1, 0, 1, 0.05, n1=[1, 2])
    with pytest.raises(ValueError, match="sd2"):
        group_sizes_for_pvalue(1, 1, 0, -1, 0.05)
    with pytest.raises(ValueError, match="mean_tolerance"):
        group_sizes_for_pvalue(1, 1, 0, 1, 0.05, mean_tolerance=-0.1)
