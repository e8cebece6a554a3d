"""analyze(): consistency with the individual functions, design kinds, orientation, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from nof1 import (
    AlternatingDesign,
    PairedDesign,
    PhaseDesign,
    analyze,
    group_key,
    make_schedule,
    paired_period_test,
    randomization_ci,
    randomization_test,
    read_diary,
    schedule_from_groups,
)
from nof1.planning.simulate import simulate_diary


@pytest.fixture(scope="module")
def paired_trial():
    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, run_in_days=7,
                      washout_days=7, rng=20260105)
    diary = read_diary(simulate_diary(s, rng=11), s, warn=False)
    return s, diary, analyze(diary, s)


def _period_means(diary, outcome):
    d = diary.data[diary.data["analysed"]]
    return d.groupby("period")[outcome].mean()


def test_primary_analysis_matches_the_individual_functions(paired_trial):
    s, diary, result = paired_trial
    for name in ("pain", "stress", "sleep"):
        means = _period_means(diary, name)
        cond = s.period_conditions
        r = result[name]
        np.testing.assert_allclose(r.periods["mean"].to_numpy(), means.to_numpy(), rtol=1e-12)
        a = means.to_numpy()[np.flatnonzero(cond == 0)]
        b = means.to_numpy()[np.flatnonzero(cond == 1)]
        # pairs: each pair's A and B period (pairs are consecutive periods)
        order_a = np.argsort(np.flatnonzero(cond == 0) // 2)
        order_b = np.argsort(np.flatnonzero(cond == 1) // 2)
        tt = paired_period_test(a[order_a], b[order_b])
        # every period scored: the randomization statistic is the mean pair difference
        assert r.estimate == pytest.approx(tt.estimate, rel=1e-12)
        assert r.tests["paired_t"].ci_low == pytest.approx(tt.ci_low, rel=1e-12)
        labels = np.where(cond == 0, "A", "B")
        # estimate, interval and p-value all from the randomization test
        ci = randomization_ci(means.to_numpy(), labels, design=s.design)
        assert (r.estimate, r.ci_low, r.ci_high) == pytest.approx(
            (ci.estimate, ci.ci_low, ci.ci_high), rel=1e-12)
        rt = randomization_test(means.to_numpy(), labels, design=s.design)
        assert r.pvalue == pytest.approx(rt.pvalue, rel=1e-12)  # symmetric design
        assert rt.n_assignments == 64
        assert r.attained_level == pytest.approx(1 - 2 / 64)
        assert r.analyses.iloc[0][["role", "pvalue"]].tolist() == ["primary", r.pvalue]


def test_holm_for_secondary_outcomes(paired_trial):
    _, _, result = paired_trial
    frame = result.to_frame().set_index("outcome")
    assert frame.loc["pain", "pvalue_holm"] == frame.loc["pain", "pvalue"]
    raw = frame.loc[["stress", "sleep"], "pvalue"].to_numpy()
    expected = multipletests(raw, method="holm")[1]  # statsmodels 0.15
    np.testing.assert_allclose(frame.loc[["stress", "sleep"], "pvalue_holm"], expected)


def test_washout_days_do_not_enter_the_analysis(paired_trial):
    s, diary, result = paired_trial
    data = diary.data.copy()
    data.loc[~data["analysed"], "pain"] = 10.0  # wild values on run-in and wash-out days
    changed = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s,
                      outcomes=["pain"])
    assert changed["pain"].estimate == pytest.approx(result["pain"].estimate, rel=1e-12)
    assert changed["pain"].pvalue == pytest.approx(result["pain"].pvalue, rel=1e-12)


def test_incomplete_period_is_treated_as_missing(paired_trial):
    s, diary, _ = paired_trial
    data = diary.data.copy()
    in_p3 = (data["period"] == 3) & data["analysed"]
    data.loc[in_p3.to_numpy().nonzero()[0][:5], "pain"] = np.nan  # 2 of 7 days left
    res = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s,
                  outcomes=["pain"])
    per = res["pain"].periods.set_index("period")
    assert np.isnan(per.loc[3, "mean"]) and per.loc[3, "n_scored"] <= 2
    assert res["pain"].tests["paired_t"].n_dropped == 1
    assert np.isfinite(res["pain"].pvalue)


def test_effect_sign_is_treatment_minus_control_for_every_design():
    """A large simulated benefit (pain -3) shows as a negative estimate whatever the roles."""
    cases = [
        (PairedDesign(4), dict(period_days=10, washout_days=3)),
        (AlternatingDesign(12, max_run=2), dict(period_days=10, washout_days=3)),
        (PhaseDesign("ABAB", 120, 20), dict(washout_days=5)),
    ]
    seen_swapped = False
    for design, kw in cases:
        for seed in range(4):
            s = make_schedule(design, start="2026-01-05", randomize_roles=True, rng=seed, **kw)
            seen_swapped |= s.roles_swapped
            diary = simulate_diary(s, effects={"pain": -3.0, "stress": 0.0, "sleep": 0.0},
                                   sd=0.8, rho=0.2, period_sd=0.1, onset_days=0.0,
                                   missing=0.0, rng=seed)
            # simulate_diary applies the effect to condition A; make it follow the active
            # treatment instead when the roles were swapped
            if s.roles_swapped:
                diary = simulate_diary(s, effects={"pain": 3.0, "stress": 0.0, "sleep": 0.0},
                                       baselines={"pain": 4.0}, sd=0.8, rho=0.2,
                                       period_sd=0.1, onset_days=0.0, missing=0.0, rng=seed)
            r = analyze(diary, s, outcomes=["pain"])["pain"]
            assert r.estimate < -2.0, (design, seed, r.estimate)
            assert r.ci_low < r.estimate < r.ci_high
            assert "lower with magnesium than with placebo" in r.interpretation
    assert seen_swapped


def test_too_small_design_says_so_instead_of_an_interval():
    s = make_schedule(AlternatingDesign(6), start="2026-01-05", period_days=7, rng=1)
    r = analyze(simulate_diary(s, rng=1), s, outcomes=["pain"])["pain"]
    assert np.isinf(r.ci_low) or np.isinf(r.ci_high)
    assert "no 95% interval can be given" in r.interpretation
    assert "smallest possible two-sided p-value is 0.1" in r.note
    assert r.attained_level == 1.0


def test_phase_design_uses_the_daily_randomization_test():
    s = make_schedule(PhaseDesign("ABAB", 84, 14), start="2026-01-05", washout_days=3, rng=2)
    res = analyze(simulate_diary(s, rng=3), s)
    rand = res["pain"].tests["randomization"]
    assert rand.n_assignments == PhaseDesign("ABAB", 84, 14).n_assignments
    assert "paired_t" not in res["pain"].tests and res["pain"].pairs is None


def test_blinded_analysis_with_group_key(paired_trial, tmp_path):
    s, diary, result = paired_trial
    from nof1 import create_trial, read_trial

    trial = create_trial(tmp_path / "t", design=PairedDesign(6), start="2026-01-05", rng=5)
    key = read_trial(trial.directory, unblind=True).key
    groups = group_key(key, rng=1)
    blind = schedule_from_groups(groups, trial.protocol)
    assert blind.treatments == ("group X", "group Y")
    res = analyze(simulate_diary(blind, rng=1), blind)
    assert "group X" in res["pain"].interpretation
    assert res.blinded and res.decision["verdict"] is None
    text = res.summary() + " ".join(r.headline + r.interpretation
                                    for r in res.outcomes.values())
    for word in ("benefit", "worthwhile", "better", "MCID of", "magnesium", "placebo"):
        assert word not in text.replace("judged against the MCID", ""), word
    assert "unknown until the key is opened" in res["pain"].headline
    assert "two-sided p" in res["pain"].headline
    frame = res.to_frame()
    assert "p_benefit" not in frame and "nap" not in frame
    assert res.blinding["scored"] is False and len(res.guesses) == 0
    assert res["pain"].priors is None


def test_constant_or_empty_outcome_gets_a_note_and_the_others_are_analysed(paired_trial):
    s, diary, result = paired_trial
    data = diary.data.copy()
    data["sleep"] = 7.0
    data.loc[data["period"].notna(), "stress"] = np.nan
    res = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s)
    assert res["sleep"].note == "sleep was 7 on every analysed day, so there is no " \
        "difference to analyse."
    assert np.isnan(res["sleep"].estimate) and not res["sleep"].analysed
    assert "no score on any analysed day" in res["stress"].headline
    pain = res["pain"]
    assert pain.estimate == pytest.approx(result["pain"].estimate, rel=1e-12)
    assert pain.pvalue_holm == pain.pvalue
    assert res.decision["verdict"] == result.decision["verdict"]
    assert "sleep was 7 on every analysed day" in res.summary()
    # a degenerate primary outcome: the rule is not evaluable, secondary outcomes still run
    res = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s,
                  primary="sleep")
    assert res.decision["verdict"] == "not evaluable"
    assert res["pain"].pvalue_holm == pytest.approx(res["pain"].pvalue)


def test_result_objects_show_themselves(paired_trial):
    _, _, result = paired_trial
    frame = result.to_frame()
    for col in ("outcome", "primary", "estimate", "ci_low", "ci_high", "pvalue", "pvalue_holm",
                "pvalue_paired_t", "pvalue_gls_ar1", "p_benefit", "p_benefit_mcid",
                "p_within_mcid", "mcid", "higher_is_better"):
        assert col in frame.columns
    assert frame["primary"].tolist() == [True, False, False]
    text = result.summary()
    assert "not medical advice" in text and "H0" not in text.split("\n")[0]
    assert result._repr_html_().startswith("<div>")
    assert isinstance(pd.concat([result.to_frame(), result.to_frame()]), pd.DataFrame)
    assert result["pain"].to_frame().shape[0] == 1


def test_invalid_arguments(paired_trial):
    s, diary, _ = paired_trial
    with pytest.raises(ValueError, match="outcomes"):
        analyze(diary, s, outcomes=["fatigue"])
    with pytest.raises(ValueError, match="primary"):
        analyze(diary, s, outcomes=["pain"], primary="sleep")
    with pytest.raises(TypeError, match="schedule"):
        analyze(diary, "schedule.csv")
    with pytest.raises(ValueError, match="confidence_level"):
        analyze(diary, s, confidence_level=95)


def test_sensitivity_analyses(paired_trial):
    s, diary, result = paired_trial
    sens = result["pain"].sensitivity.set_index("analysis")
    assert list(sens.index) == ["all_days", "per_protocol"]
    # all days: the period means of every period day
    d = diary.data[diary.data["period"].notna()]
    means = d.groupby("period")["pain"].mean().to_numpy()
    cond = s.period_conditions
    diffs = [means[i] - means[i + 1] if cond[i] == 0 else means[i + 1] - means[i]
             for i in range(0, 12, 2)]
    assert sens.loc["all_days", "estimate"] == pytest.approx(np.mean(diffs), rel=1e-12)
    # per protocol: a period where the pack was mostly not taken is left out
    data = diary.data.copy()
    data.loc[data["period"] == 5, "took_pack"] = False
    res = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s,
                  outcomes=["pain"])
    pp = res["pain"].sensitivity.set_index("analysis").loc["per_protocol"]
    share = data.assign(t=data["took_pack"].astype("Float64")).groupby("period")["t"].mean()
    assert share.loc[5] == 0 and pp["n_periods"] == 12 - int((share < 0.8).sum())
    assert sens.loc["per_protocol", "n_periods"] == 12 - int(
        (diary.data.assign(t=diary.data["took_pack"].astype("Float64"))
         .groupby("period")["t"].mean() < 0.8).sum()) > pp["n_periods"]
    assert res["pain"].estimate == pytest.approx(result["pain"].estimate)


def test_decision_rule_uses_the_sceptical_prior_and_thresholds(paired_trial):
    from nof1.analysis import DecisionRule, bayes_paired
    from nof1.analysis.trial import evaluate_decision_rule

    _, _, result = paired_trial
    pain = result["pain"]
    d = pain.pairs["difference"].to_numpy()
    b = bayes_paired(d, mcid=1.0, higher_is_better=False, prior="sceptical")
    dec = result.decision
    assert dec["prior"] == "sceptical"
    assert dec["p_benefit_mcid"] == pytest.approx(float(b.p_benefit_mcid), rel=1e-12)
    expected = ("met" if b.p_benefit_mcid >= 0.8 else
                "not worthwhile" if b.p_benefit < 0.5 else "inconclusive")
    assert dec["verdict"] == expected
    assert dec["text"] in result.summary()
    strict = evaluate_decision_rule(pain, {"probability_threshold": 0.999999,
                                           "no_benefit_threshold": 0.5})
    assert strict["verdict"] in {"inconclusive", "not worthwhile"}
    lenient = evaluate_decision_rule(pain, {"probability_threshold": 0.51,
                                            "no_benefit_threshold": 0.01})
    assert lenient["verdict"] == ("met" if b.p_benefit_mcid >= 0.51 else "inconclusive")
    never = evaluate_decision_rule(pain, {"no_benefit_threshold": 0.999999})
    assert never["verdict"] in {"met", "not worthwhile"}
    # the protocol's stored rule (a dict with text) gives the same verdict as the class
    rule = DecisionRule(outcome="pain", mcid=1.0)
    assert evaluate_decision_rule(pain, rule.to_dict()) == evaluate_decision_rule(pain, rule)


def test_decision_rule_not_evaluable_without_pairs():
    s = make_schedule(PhaseDesign("ABAB", 84, 14), start="2026-01-05", washout_days=3, rng=2)
    res = analyze(simulate_diary(s, rng=3), s)
    assert res.decision["verdict"] == "not evaluable"


def test_blinding_guesses_are_compared_with_the_packs(paired_trial):
    s, diary, _ = paired_trial
    data = diary.data.copy()
    last = data[data["period"].notna()].groupby("period")["date"].max()
    truth = s.periods.set_index("period")["treatment"]
    typed = {1: truth[1].upper(), 2: truth[2], 3: "Don’t know", 4: "the blue one",
             5: "placebo" if truth[5] == "magnesium" else "magnesium"}
    for period, text in typed.items():
        data.loc[data["date"] == last[period], "blinding_guess"] = text
    res = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s,
                  outcomes=["pain"])
    g = res.guesses.set_index("period")
    assert g.loc[1, "correct"] and g.loc[2, "correct"] and not g.loc[5, "correct"]
    assert g.loc[3, "guess"] == "don't know" and g.loc[4, "guess"] == "unrecognised"
    b = res.blinding
    # the simulated diary says "don't know" at the end of every other period
    assert (b["n_periods_guessed"], b["n_definite"], b["n_correct"]) == (12, 3, 2)
    # scipy.stats.binomtest(2, 3, 0.5).pvalue == 1.0 (two-sided, exact)
    assert b["pvalue"] == pytest.approx(1.0)
    assert "2 of 3 definite guesses" in res.summary()


def test_scores_constant_within_each_condition_are_analysed(paired_trial):
    s, diary, _ = paired_trial
    data = diary.data.copy()
    data["pain"] = np.where(data["condition"] == "A", 4.0, 6.0)
    res = analyze(type(diary)(data=data, outcomes=diary.outcomes, issues=()), s,
                  outcomes=["pain"])
    pain = res["pain"]
    assert (pain.estimate, pain.ci_low, pain.ci_high) == pytest.approx((-2.0, -2.0, -2.0))
    assert pain.pvalue == pytest.approx(2 / 64)
    assert "within_person_smd" not in pain.effect_sizes  # undefined: no variation
    assert res.decision["verdict"] == "met"


def test_a_verdict_that_the_headline_interval_does_not_support_is_flagged():
    flagged = 0
    for seed in range(1, 9):
        s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, run_in_days=7,
                          washout_days=7, rng=seed)
        res = analyze(simulate_diary(s, rng=seed), s, outcomes=["pain"], rng=seed)
        pain, dec = res["pain"], res.decision
        should = dec["verdict"] == "met" and pain.ci_high >= 0  # pain: benefit is negative
        assert ("note" in dec) == should, seed
        if should:
            flagged += 1
            assert dec["note"] in dec["text"] and "still contains 0" in dec["note"]
    assert flagged >= 1
