"""Result tables built on first read (``nof1._results.deferrable``): same tables, any order."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

import nof1
from nof1._results import Deferred, deferrable, replace, unbuilt
from nof1.analysis.trial import evaluate_decision_rule
from nof1.planning.simulate import simulate_diary

TABLES = ("periods", "pairs", "sensitivity", "analyses", "priors")


@pytest.fixture(scope="module")
def trial():
    s = nof1.make_schedule(nof1.PairedDesign(4), start="2026-01-05", period_days=7,
                           washout_days=2, rng=7)
    return s, simulate_diary(s, rng=7)


def test_tables_are_built_only_when_read(trial):
    s, diary = trial
    r = nof1.analyze(diary, s).outcomes["pain"]
    for name in TABLES:
        assert type(unbuilt(r, name)) is Deferred, name
    first = r.analyses
    assert isinstance(first, pd.DataFrame) and r.analyses is first
    assert type(unbuilt(r, "analyses")) is pd.DataFrame
    assert type(unbuilt(r, "periods")) is Deferred   # reading one builds only that one


def test_tables_do_not_depend_on_reading_order_or_pickling(trial):
    s, diary = trial
    a = nof1.analyze(diary, s)
    b = pickle.loads(pickle.dumps(nof1.analyze(diary, s)))   # pickling builds them all
    for name in ("pain", "stress", "sleep"):
        for t in reversed(TABLES):
            x, y = getattr(a.outcomes[name], t), getattr(b.outcomes[name], t)
            if x is None:
                assert y is None
            else:
                pd.testing.assert_frame_equal(x, y)
    pd.testing.assert_frame_equal(a.guesses, b.guesses)
    # the decision is computed from the pair differences, the same as the public function
    assert a.decision["p_benefit_mcid"] == pytest.approx(
        evaluate_decision_rule(a.outcomes["pain"])["p_benefit_mcid"], abs=0)
    assert np.array_equal(a.outcomes["pain"].pairs["difference"],
                          a.outcomes["pain"].pairs["mean_a"] - a.outcomes["pain"].pairs["mean_b"])


def test_replace_keeps_tables_unbuilt_and_dataclasses_replace_builds_them(trial):
    s, diary = trial
    r = nof1.analyze(diary, s).outcomes["stress"]
    r2 = replace(r, pvalue_holm=0.5)
    assert r2.pvalue_holm == 0.5 and type(unbuilt(r2, "analyses")) is Deferred
    r3 = dataclasses.replace(r, pvalue_holm=0.25)
    assert type(unbuilt(r3, "analyses")) is pd.DataFrame
    pd.testing.assert_frame_equal(r2.analyses, r3.analyses)


def test_a_field_without_default_is_required_and_a_deferred_default_is_per_instance():
    @dataclasses.dataclass(frozen=True)
    class R:
        need: list = deferrable()
        table: list = deferrable(Deferred(list))

    with pytest.raises(TypeError):
        R()  # type: ignore[call-arg]
    a, b = R([1]), R([2])
    assert a.table == [] and a.table is not b.table
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.need = [3]  # type: ignore[misc]
