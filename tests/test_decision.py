"""DecisionRule: parsing the protocol's rule, thresholds, batches, and the verdict vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from nof1.analysis import DecisionRule, bayes_paired
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
