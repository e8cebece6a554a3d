"""Power simulation: agreement with the closed form, exact type I error, decision rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nof1 import PairedDesign, PhaseDesign
from nof1.planning.power import (
    paired_t_power,
    period_mean_sd,
    power_grid,
    required_pairs,
    simulate_power,
)


def test_closed_form_matches_scipy_noncentral_t_definition():
    # power = P(|T| > t_crit) with T ~ nct(k-1, delta sqrt(k) / (sqrt 2 sd_p)); values from
    # scipy.stats.nct directly, the definition, and from simulation of the t statistic
    k, sd_p, effect = 6, 0.5, 0.8
    ncp = effect * np.sqrt(k) / (np.sqrt(2) * sd_p)
    rng = np.random.default_rng(3)
    d = rng.normal(effect, np.sqrt(2) * sd_p, size=(200_000, k))
    t = d.mean(1) / (d.std(1, ddof=1) / np.sqrt(k))
    simulated = np.mean(np.abs(t) > stats.t.ppf(0.975, k - 1))
    closed = paired_t_power(effect, n_pairs=k, sd_period=sd_p)
    assert closed == pytest.approx(stats.nct.sf(stats.t.ppf(0.975, 5), 5, ncp)
                                   + stats.nct.cdf(-stats.t.ppf(0.975, 5), 5, ncp), rel=1e-12)
    assert simulated == pytest.approx(closed, abs=4 * np.sqrt(closed * (1 - closed) / 200_000))


def test_period_mean_sd_matches_direct_ar1_variance():
    m, rho, sd = 9, 0.5, 1.3
    idx = np.arange(m)
    cov = sd**2 * rho ** np.abs(idx[:, None] - idx[None, :])
    direct = np.sqrt(cov.sum() / m**2 + 0.2**2)
    assert period_mean_sd(sd=sd, rho=rho, period_sd=0.2, n_days=m) == pytest.approx(direct,
                                                                                    rel=1e-12)


@pytest.mark.parametrize(("rho", "period_sd"), [(0.0, 0.3), (0.4, 0.2)])
def test_simulated_paired_t_power_agrees_with_closed_form(rho, period_sd):
    res = simulate_power(PairedDesign(5), effect=-0.9, sd=1.2, rho=rho, period_sd=period_sd,
                         period_days=12, washout_days=4, n_sims=20_000,
                         methods=("paired_t",), rng=11)
    row = res.table.iloc[0]
    # 4 Monte Carlo SEs (SE ~ 0.0035); the closed form ignores the (tiny) correlation of
    # neighbouring period means through the AR(1) noise across the wash-out
    assert row.rejection_rate == pytest.approx(res.closed_form_paired_t, abs=4 * row.mc_se)


def test_type_one_error_of_the_exact_randomization_test_is_exactly_attained_size():
    """With continuous data and 6 pairs, P(p <= 0.05) = P(p <= 2/64) = 2/64 exactly."""
    res = simulate_power(PairedDesign(6), effect=0.0, rho=0.6, period_sd=0.5, n_sims=20_000,
                         methods=("randomization", "paired_t"), rng=5)
    rand, tt = res.table.set_index("method").loc[["randomization", "paired_t"]].itertuples()
    assert rand.rejection_rate == pytest.approx(2 / 64, abs=4 * np.sqrt(2 / 64 * 62 / 64 / 2e4))
    assert tt.rejection_rate == pytest.approx(0.05, abs=4 * np.sqrt(0.05 * 0.95 / 2e4))


def test_bayesian_decision_rule():
    null = simulate_power(PairedDesign(6), effect=0.0, n_sims=4000, methods=("bayes",), rng=1)
    big = simulate_power(PairedDesign(6), effect=-2.5, sd=1.0, n_sims=4000, methods=("bayes",),
                         rng=1)
    n_row, b_row = null.table.iloc[0], big.table.iloc[0]
    # with no effect the rule "P(benefit >= MCID) >= 0.8" rarely fires: right decision often
    assert n_row.correct_decision == pytest.approx(1 - n_row.rejection_rate)
    assert n_row.correct_decision > 0.95
    assert b_row.correct_decision == pytest.approx(b_row.rejection_rate)
    assert b_row.correct_decision > 0.9


def test_gls_runs_on_fewer_simulations_and_reports_how_many():
    res = simulate_power(PairedDesign(4), effect=-1.0, n_sims=500, n_sims_gls=20, rng=2)
    table = res.table.set_index("method")
    assert table.loc["gls_ar1", "n_sims"] == 20
    assert table.loc["randomization", "n_sims"] == 500
    assert "20 simulated trials" in res.summary()


def test_required_pairs_stops_at_the_first_k_reaching_the_target():
    tab = required_pairs(effect=-1.5, sd=1.0, rho=0.2, period_sd=0.2, period_days=10,
                         washout_days=3, method="paired_t", n_sims=2000, rng=4)
    assert tab["reached"].sum() == 1
    assert tab["reached"].iloc[-1]
    assert (tab["power"].iloc[:-1] < 0.8).all()


def test_power_grid_skips_periods_not_longer_than_the_washout():
    grid = power_grid(n_pairs=[3], period_days=[5, 7, 14], washout_days=7, effect=-1.0,
                      n_sims=100, rng=1)
    assert grid["period_days"].tolist() == [14]


def test_invalid_arguments():
    with pytest.raises(TypeError, match="paired"):
        simulate_power(PhaseDesign("ABAB", 56, 7), effect=-1)
    with pytest.raises(ValueError, match="methods"):
        simulate_power(PairedDesign(3), effect=-1, methods=("anova",))
    with pytest.raises(ValueError, match="washout_days"):
        simulate_power(PairedDesign(3), effect=-1, period_days=7, washout_days=7)


@pytest.mark.parametrize("legacy", [False, True])
def test_decision_rule_of_analyze_and_simulate_power_agree_trial_by_trial(legacy):
    """The same simulated trials, analysed by analyze() and by simulate_power(), under the
    current rule and under a rule stored without prior_version (the legacy prior)."""
    import datetime as dt

    from nof1 import Outcome, Schedule, analyze, read_diary
    from nof1.analysis import DecisionRule

    rule = DecisionRule(outcome="pain", mcid=1.0, probability_threshold=0.7)
    spec = rule.to_dict()
    if legacy:
        spec = {k: v for k, v in spec.items() if k not in ("prior_version", "prior_spec")}
    design = PairedDesign(4)
    res = simulate_power(design, effect=-1.2, sd=1.0, rho=0.3, period_days=10,
                         washout_days=3, n_sims=40, methods=("bayes",), keep_trials=True,
                         decision_rule=spec, rng=7)
    assert res.rule["prior_version"] == (1 if legacy else 2)
    trials = res.trials
    verdicts = trials["verdict"]
    assert set(verdicts) >= {"met", "inconclusive"}  # the comparison covers several verdicts
    pain = Outcome("pain", "pain today", low=-100.0, high=100.0, higher_is_better=False,
                   mcid=1.0)
    start = dt.date(2026, 1, 5)
    for i in range(len(verdicts)):
        s = Schedule(design=design, assignment=trials["assignments"][i],
                     treatments=("magnesium", "placebo"), start=start, period_days=10,
                     run_in_days=0, washout_days=3, seed=0)
        scores = trials["scores"][i]
        frame = pd.DataFrame({"date": [(start + dt.timedelta(days=j)).isoformat()
                                       for j in range(scores.size)],
                              "pain": [repr(float(v)) for v in scores]})
        diary = read_diary(frame, s, outcomes=[pain], warn=False)
        result = analyze(diary, s, decision_rule=spec, rng=0)
        assert result.decision["verdict"] == verdicts[i], i
        assert result.decision["legacy_prior"] is legacy
    assert res.decisions.set_index("decision").loc["met", "probability"] == pytest.approx(
        np.mean(verdicts == "met"))


def test_power_reports_the_probability_of_each_decision_under_the_protocol_rule():
    res = simulate_power(PairedDesign(6), effect=-1.0, n_sims=4000, methods=("bayes",),
                         rng=3)
    dec = res.decisions.set_index("decision")["probability"]
    assert list(dec.index) == ["met", "not worthwhile", "inconclusive"]
    assert dec.sum() == pytest.approx(1.0)
    assert res.rule["prior"] == "sceptical" and res.rule["probability_threshold"] == 0.8
    assert res.table.iloc[0]["rejection_rate"] == pytest.approx(dec["met"])
    assert "not worthwhile" in res.summary()
    lenient = simulate_power(PairedDesign(6), effect=-1.0, n_sims=4000, methods=("bayes",),
                             decision_rule={"outcome": "pain", "mcid": 1.0,
                                            "prior": "weakly_informative"}, rng=3)
    # the protocol's sceptical rule fires less often than the weak-prior rule (which, at a
    # benefit of exactly the MCID, fires more often than the 20% its threshold allows)
    assert lenient.decisions.iloc[0]["probability"] > 2 * dec["met"]


def test_power_grid_reports_every_decision_of_the_rule():
    from nof1.planning.power import power_grid

    grid = power_grid(n_pairs=[4, 6], period_days=[14], effect=-1.5, method="bayes",
                      n_sims=500, rng=1)
    probs = grid[["p_met", "p_not_worthwhile", "p_inconclusive"]]
    assert (probs.sum(axis=1) - 1).abs().max() < 1e-12
    assert (grid["power"] == grid["p_met"]).all()
    assert grid["p_met"].iloc[1] > grid["p_met"].iloc[0]  # more pairs, more often met


@pytest.mark.parametrize("k", [5, 9])
def test_randomization_power_is_that_of_the_listed_reference_set(k):
    # simulate_power counts without listing the 2**k assignments (it keeps no null
    # distribution); its rejections are those of the test that lists them
    from nof1.analysis import randomization_test
    from nof1.planning.power import _period_means

    res = simulate_power(PairedDesign(k), effect=-0.6, sd=1.0, rho=0.3, period_days=9,
                         washout_days=2, n_sims=600, alpha=0.1,
                         methods=("randomization",), keep_trials=True, rng=5)
    assign = res.trials["assignments"]
    means = _period_means(res.trials["scores"], 2 * k, 9, 2)
    listed = randomization_test(means, np.where(assign == 0, "A", "B"),
                                design=PairedDesign(k), keep_null=True)
    assert listed.null_distribution.shape == (600, 2 ** k)
    rate = np.mean(np.asarray(listed.pvalue) <= 0.1)
    assert 0.1 < rate < 0.9
    assert res.table.iloc[0]["rejection_rate"] == rate


@pytest.mark.parametrize("onset", [0.0, 2.0])
def test_simulated_scores_do_not_depend_on_the_block_size(monkeypatch, onset):
    # simulate_scores works through blocks of trials; the scores are the same numbers
    # (bit for bit) whatever the block size, with run-in days and unequal periods too
    from nof1.planning import simulate

    cond = np.repeat([-1, 0, 1, 1, 0, 1, 0], [3, 5, 5, 4, 5, 5, 5])
    period = np.repeat([0, 1, 2, 3, 4, 5, 6], [3, 5, 5, 4, 5, 5, 5])
    runs = []
    for block in (1 << 15, 64, 1):
        monkeypatch.setattr(simulate, "_BLOCK_VALUES", block)
        runs.append(simulate.simulate_scores(cond, period, effect=-1.0, onset_days=onset,
                                             n_sims=300, rng=3))
    assert runs[0].tobytes() == runs[1].tobytes() == runs[2].tobytes()
    # the AR(1) noise and period shifts are there: not a constant, not the mean alone
    assert runs[0].std() > 1.0
