"""DecisionRule: parsing the protocol's rule, thresholds, batches, and the verdict vocabulary."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nof1.analysis import PRIOR_VERSION, DecisionRule, bayes_paired, make_prior
from nof1.analysis.decision import VERDICTS

D = np.array([-2.4, -1.8, -2.6, -1.5, -2.2, -1.9])


def test_verdicts_follow_the_thresholds_of_the_sceptical_posterior():
    rule = DecisionRule(outcome="pain", mcid=1.0)
    for shift in np.linspace(-2.0, 4.0, 13):
        d = D + shift
        b = bayes_paired(d, mcid=1.0, higher_is_better=False, prior="sceptical")
        expected = ("met" if b.p_benefit_mcid >= 0.8 else
                    "not worthwhile" if b.p_benefit < 0.5 else "inconclusive")
        dec = rule.decide(d, higher_is_better=False)
        assert dec.verdict == expected
        assert dec.p_benefit_mcid == pytest.approx(b.p_benefit_mcid, rel=1e-12)
    # direction: the same numbers on a higher-is-better outcome are a harm
    assert rule.decide(D, higher_is_better=True).verdict == "not worthwhile"


def test_batch_agrees_with_one_trial_at_a_time_and_counts_missing_pairs():
    rng = np.random.default_rng(1)
    d = rng.normal(-1.0, 1.0, size=(200, 5))
    d[3, :4] = np.nan                      # one pair left: not evaluable
    d[4, 1] = np.nan
    rule = DecisionRule(outcome="pain", mcid=1.0, probability_threshold=0.7)
    batch = rule.decide(d, higher_is_better=False)
    for i in range(200):
        one = rule.decide(d[i], higher_is_better=False)
        assert one.verdict == batch.verdict[i]
    assert batch.verdict[3] == "not evaluable" and batch.n_pairs[4] == 4
    assert set(batch.verdict) <= set(VERDICTS)
    assert len(batch.to_frame()) == 200
    assert "met:" in batch.summary()


def test_protocol_dict_round_trip_and_defaults():
    old = {"outcome": "pain", "mcid": 1.0, "mcid_source": "Salaffi 2004",
           "probability_threshold": 0.9, "no_benefit_threshold": 0.5, "text": "..."}
    rule = DecisionRule.from_dict(old)       # written before the prior was stored
    assert rule.prior == "sceptical" and rule.probability_threshold == 0.9
    assert DecisionRule.from_dict(rule.to_dict()) == rule
    assert "sceptical prior" in rule.text and "0.9" in rule.text


@pytest.mark.parametrize(("spec", "exc"), [
    ({"mcid": 1.0}, ValueError),
    ({"outcome": "pain"}, ValueError),
    ({"outcome": "pain", "mcid": 0.0}, ValueError),
    ({"outcome": "pain", "mcid": 1.0, "probability_threshold": 0.5}, ValueError),
    ({"outcome": "pain", "mcid": 1.0, "no_benefit_threshold": 1.0}, ValueError),
    ({"outcome": "pain", "mcid": 1.0, "prior": "optimistic"}, ValueError),
    ("pain", TypeError),
])
def test_bad_rules_are_refused(spec, exc):
    with pytest.raises(exc):
        DecisionRule.from_dict(spec)


# the prior's version: a committed rule keeps its meaning -----------------------------------
LEGACY = {"outcome": "pain", "mcid": 1.0, "probability_threshold": 0.8,
          "no_benefit_threshold": 0.5, "prior": "sceptical", "text": "..."}


def test_a_stored_rule_without_prior_version_is_read_as_the_legacy_prior():
    rule = DecisionRule.from_dict(LEGACY)
    assert rule.prior_version == 1 and rule.legacy_prior
    legacy = make_prior("sceptical", mcid=1.0, higher_is_better=False, version=1)
    assert rule.prior_model(False) == legacy
    rng = np.random.default_rng(8)
    d = rng.normal(-1.2, 2.5, size=(300, 4))
    dec = rule.decide(d, higher_is_better=False)
    b = bayes_paired(d, mcid=1.0, higher_is_better=False, prior=legacy)
    np.testing.assert_allclose(dec.p_benefit_mcid, b.p_benefit_mcid, rtol=1e-12)
    # ... and it is not the current prior: the two disagree on some of these trials
    now = DecisionRule(outcome="pain", mcid=1.0).decide(d, higher_is_better=False)
    assert np.any(now.verdict != dec.verdict)
    one = rule.decide(D, higher_is_better=False)
    out = one.to_dict()
    assert out["legacy_prior"] is True and out["prior_version"] == 1
    assert "legacy prior" in out["text"] and "For comparison only" in out["text"]
    assert out["current_prior_verdict"] == DecisionRule(outcome="pain", mcid=1.0).decide(
        D, higher_is_better=False).verdict
    assert "legacy" not in DecisionRule(outcome="pain", mcid=1.0).decide(
        D, higher_is_better=False).text


def test_new_rules_record_the_prior_specification_and_round_trip():
    rule = DecisionRule(outcome="pain", mcid=1.5, mcid_source="x")
    spec = rule.to_dict()
    assert spec["prior_version"] == PRIOR_VERSION == 2 and not rule.legacy_prior
    assert spec["prior_spec"] == {
        "name": "sceptical", "version": 2, "m0": 0.0, "effect_scale": 1.0, "effect_df": 1.0,
        "family": "Student-t effect (df = 1: Cauchy), reference prior for the variance",
        "variance": "p(sigma^2) ∝ 1/sigma^2"}
    back = DecisionRule.from_dict(json.loads(json.dumps(spec)))
    assert back == rule and back.to_dict() == spec
    # a specification that is not what the name and version define is refused
    bad = json.loads(json.dumps(spec))
    bad["prior_spec"]["effect_scale"] = 2.0
    with pytest.raises(ValueError, match="prior_spec"):
        DecisionRule.from_dict(bad)
    bad = {**spec, "prior_version": 1}            # a v2 specification labelled version 1
    with pytest.raises(ValueError, match="prior_spec"):
        DecisionRule.from_dict(bad)
    for version in (0, 3, True, "2"):
        with pytest.raises(ValueError, match="prior_version"):
            DecisionRule.from_dict({**LEGACY, "prior_version": version})


def test_the_protocol_writes_the_rule_that_decision_rule_writes():
    """protocol.py cannot import the analysis layer, so it spells the rule out itself;
    both spellings must be one rule (fields, prior specification and text)."""
    from nof1 import PairedDesign, make_schedule
    from nof1.outcomes import default_outcomes
    from nof1.trial.blinding import make_key
    from nof1.trial.protocol import make_protocol

    s = make_schedule(PairedDesign(4), start="2026-01-05", rng=3)
    for threshold in (0.8, 0.9):
        p = make_protocol(s, make_key(s), outcomes=default_outcomes(), primary="pain",
                          blinded=True, decision_threshold=threshold)
        rule = DecisionRule.from_dict(p.decision_rule)
        assert not rule.legacy_prior
        assert rule.to_dict() == p.decision_rule


def test_the_sample_trial_was_committed_with_the_legacy_prior_and_keeps_it():
    from pathlib import Path

    path = (Path(__file__).resolve().parents[1] / "sample_data" / "personal_trial" / "trial"
            / "participant" / "protocol.json")
    stored = json.loads(path.read_text(encoding="utf-8"))["decision_rule"]
    rule = DecisionRule.from_dict(stored)
    assert ("prior_version" in stored) != rule.legacy_prior


def test_equal_differences_are_judged_by_the_limit_of_the_posterior():
    rule = DecisionRule(outcome="pain", mcid=1.0)
    assert rule.decide([-2.0, -2.0, -2.0], higher_is_better=False).verdict == "met"
    assert rule.decide([0.0, 0.0, 0.0], higher_is_better=False).verdict == "inconclusive"
    assert rule.decide([0.5, 0.5], higher_is_better=False).verdict == "not worthwhile"
    assert rule.decide([0.5, np.nan], higher_is_better=False).verdict == "not evaluable"


@pytest.mark.parametrize("version", [None, 1, 2])
def test_prior_table_uses_the_rules_prior_version(version):
    # the sceptical row of the prior table is the prior the verdict used, also for a
    # protocol committed with the legacy version-1 prior (no prior_version stored)
    from nof1 import PairedDesign, analyze, make_schedule
    from nof1.planning.simulate import simulate_diary

    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, washout_days=7,
                      rng=3)
    rule = {"outcome": "pain", "mcid": 1.0, "prior": "sceptical"}
    if version is not None:
        rule["prior_version"] = version
    r = analyze(simulate_diary(s, rng=3), s, decision_rule=rule)
    table = r.outcomes["pain"].priors
    row = table.loc[table["prior"] == "sceptical", "p_benefit_mcid"].item()
    assert row == pytest.approx(r.decision["p_benefit_mcid"], rel=1e-12)
    assert r.decision["legacy_prior"] == (version in (None, 1))


def _batch(rng, rows, k):
    """Pair differences over a wide range of effects and noise (half of the rows up to
    1e6 MCID), a few missing pairs, rounded (tied, sometimes all equal) rows and rows with
    one or two pairs left."""
    top = np.where(np.arange(rows)[:, None] % 2 == 0, 2.0, 14.0)
    mu = rng.normal(0.0, 1.0, (rows, 1)) * np.exp(rng.uniform(-3.0, top))
    sd = np.exp(rng.uniform(-4.0, top + 1.0))
    d = mu + sd * rng.normal(size=(rows, k))
    d[rng.random((rows, k)) < 0.03] = np.nan
    d[:40] = np.round(d[:40])
    d[40:45, 1:] = np.nan
    d[45:50, 2:] = np.nan
    return d


@pytest.mark.parametrize("prior, version", [("sceptical", 2), ("enthusiastic", 2),
                                            ("sceptical", 1), ("reference", 2)])
@pytest.mark.parametrize("higher", [False, True])
def test_verdicts_alone_agree_with_decide_row_by_row(prior, version, higher):
    rng = np.random.default_rng(7)
    rule = DecisionRule(outcome="pain", mcid=1.0, prior=prior, prior_version=version)
    for k in (2, 3, 6, 13, 20, 45):
        d = _batch(rng, 3000, k)
        fast = rule.verdicts(d, higher_is_better=higher)
        full = rule.decide(d, higher_is_better=higher).verdict
        assert fast.dtype == object and fast.shape == (3000,)
        assert (fast == full).all(), (k, np.flatnonzero(fast != full)[:5])


def test_verdicts_recompute_exactly_the_rows_near_a_threshold(monkeypatch):
    # the fast path answers most rows itself; the full quadrature gets the rows that have
    # fewer than three pairs or all-equal differences, and those whose fast probability
    # is within FAST_MARGIN of a threshold
    from nof1.analysis import bayes

    rng = np.random.default_rng(3)
    d = rng.normal(-1.0, 1.2, size=(4000, 8))
    d[0] = 1.0                                       # all equal
    d[1, 2:] = np.nan                                # two pairs
    rule = DecisionRule(outcome="pain", mcid=1.0)
    seen = []
    full = bayes.posterior_benefit

    def spy(x, *args, **kwargs):
        seen.append(np.asarray(x).copy())
        return full(x, *args, **kwargs)

    monkeypatch.setattr(bayes, "posterior_benefit", spy)
    verdict = rule.verdicts(d, higher_is_better=False)
    assert len(seen) == 1
    p_mcid, p_any, _ = full(d, rule.prior_model(False), mcid=1.0, higher_is_better=False)
    near = ((np.abs(p_mcid - 0.8) <= 2 * bayes.FAST_MARGIN)
            | (np.abs(p_any - 0.5) <= 2 * bayes.FAST_MARGIN))
    recomputed = {tuple(np.nan_to_num(r, nan=99.0)) for r in seen[0]}
    rows = {tuple(np.nan_to_num(r, nan=99.0)) for r in d}
    assert len(recomputed) < 0.02 * len(rows)
    assert {tuple(np.nan_to_num(d[i], nan=99.0)) for i in (0, 1)} <= recomputed
    # every row the fast path answered itself was clear of both thresholds
    answered = np.array([tuple(np.nan_to_num(r, nan=99.0)) not in recomputed for r in d])
    assert not (answered & (np.abs(p_mcid - 0.8) <= 0.5 * bayes.FAST_MARGIN)).any()
    assert not (answered & (np.abs(p_any - 0.5) <= 0.5 * bayes.FAST_MARGIN)).any()
    assert near[~answered].sum() >= 1
    assert list(verdict) == list(rule.decide(d, higher_is_better=False).verdict)
