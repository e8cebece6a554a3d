"""Schedules: calendar layout, wash-out, run-in, reproducibility from the recorded seed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign, Schedule, make_schedule


def test_layout_paired():
    s = make_schedule(PairedDesign(3), start="2026-03-02", period_days=14, run_in_days=7,
                      washout_days=5, rng=7)
    days = s.days
    assert len(days) == s.n_days == 7 + 6 * 14
    assert days["date"].iloc[0].date() == dt.date(2026, 3, 2)
    assert s.end == dt.date(2026, 3, 2) + dt.timedelta(days=s.n_days - 1)
    run_in = days.iloc[:7]
    assert run_in["period"].isna().all() and not run_in["analysed"].any()
    assert run_in["treatment"].isna().all()
    periods = s.periods
    assert periods["n_days"].tolist() == [14] * 6
    assert periods["n_analysed"].tolist() == [9] * 6
    assert periods["pair"].tolist() == [1, 1, 2, 2, 3, 3]
    # each pair holds both treatments
    for _, g in periods.groupby("pair"):
        assert sorted(g["treatment"]) == ["magnesium", "placebo"]
    # analytic wash-out: the first 5 days of each period are not analysed
    in_period = days[days["period"].notna()]
    assert (in_period["analysed"] == (in_period["day_in_period"] > 5)).all()


def test_phase_design_uses_days_and_phases():
    design = PhaseDesign("ABAB", n_occasions=56, min_phase=10)
    s = make_schedule(design, start="2026-01-01", washout_days=3, rng=3)
    assert s.period_days == 1 and s.n_days == 56
    periods = s.periods
    assert len(periods) == 4 and periods["n_days"].min() >= 10
    assert periods["condition"].tolist() == ["A", "B", "A", "B"]
    assert periods["pair"].tolist() == [1, 1, 2, 2]
    assert (periods["n_analysed"] == periods["n_days"] - 3).all()


def test_alternating_has_no_pairs():
    s = make_schedule(AlternatingDesign(8, max_run=2), start="2026-01-01", period_days=7, rng=1)
    assert s.days["pair"].isna().all()
    assert len(s.periods) == 8


def test_same_seed_same_schedule_and_recorded_seed_reproduces():
    kw = dict(start="2026-01-05", period_days=14, washout_days=7)
    a = make_schedule(PairedDesign(6), rng=2026, **kw)
    b = make_schedule(PairedDesign(6), rng=2026, **kw)
    np.testing.assert_array_equal(a.assignment, b.assignment)
    fresh = make_schedule(PairedDesign(6), **kw)  # OS entropy
    again = make_schedule(PairedDesign(6), rng=fresh.seed, **kw)
    np.testing.assert_array_equal(fresh.assignment, again.assignment)
    from_gen = make_schedule(PairedDesign(6), rng=np.random.default_rng(5), **kw)
    np.testing.assert_array_equal(
        from_gen.assignment, make_schedule(PairedDesign(6), rng=from_gen.seed, **kw).assignment)


def test_known_allocation_is_stable_across_machines():
    """Pin one allocation: numpy's PCG64 stream and our draw are deterministic for a seed.

    If this fails after a numpy upgrade, previously issued schedules could no longer be
    reproduced from their seeds — that is a release blocker, not a test to update lightly.
    """
    s = make_schedule(PairedDesign(6), start="2026-01-05", rng=20260105)
    fresh = np.random.default_rng(20260105).integers(0, 2, size=6)
    np.testing.assert_array_equal(s.assignment[0::2], fresh)


def test_without_seed_allocations_differ():
    draws = {tuple(make_schedule(PairedDesign(10), start="2026-01-05").assignment)
             for _ in range(5)}
    assert len(draws) > 1


def test_randomize_roles_swaps_treatments_reproducibly():
    design = PhaseDesign("ABAB", 40, 7)
    seen = set()
    for seed in range(20):
        s = make_schedule(design, start="2026-01-01", randomize_roles=True, rng=seed)
        seen.add(s.treatments)
        assert s.active == "magnesium" and s.control == "placebo"
        assert s.roles_swapped == (s.treatments[0] == "placebo")
        assert make_schedule(design, start="2026-01-01", randomize_roles=True,
                             rng=seed).treatments == s.treatments
    assert seen == {("magnesium", "placebo"), ("placebo", "magnesium")}


def test_roundtrip_dict():
    s = make_schedule(PhaseDesign("ABA", 30, 5), start="2026-01-01", washout_days=2, rng=4)
    t = Schedule.from_dict(s.to_dict())
    np.testing.assert_array_equal(s.assignment, t.assignment)
    assert t.to_dict() == s.to_dict()
    bad = s.to_dict()
    bad["assignment"] = [1 - x for x in bad["assignment"]]
    with pytest.raises(ValueError, match="not admissible"):
        Schedule.from_dict(bad)


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(start="yesterday"), "YYYY-MM-DD"),
    (dict(start="2026-01-01", period_days=0), "period_days"),
    (dict(start="2026-01-01", washout_days=14), "washout_days"),
    (dict(start="2026-01-01", treatments=("magnesium", "Magnesium")), "distinct"),
    (dict(start="2026-01-01", rng=-1), "rng"),
    (dict(start="2026-01-01", rng="abc"), "rng"),
])
def test_invalid_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_schedule(PairedDesign(2), **kwargs)


@settings(max_examples=60, deadline=None)
@given(k=st.integers(1, 8), period_days=st.integers(2, 28), run_in=st.integers(0, 14),
       data=st.data(), seed=st.integers(0, 2**32))
def test_schedule_properties(k, period_days, run_in, data, seed):
    washout = data.draw(st.integers(0, period_days - 1))
    s = make_schedule(PairedDesign(k), start=dt.date(2026, 1, 1), period_days=period_days,
                      run_in_days=run_in, washout_days=washout, rng=seed)
    days = s.days
    assert len(days) == run_in + 2 * k * period_days
    assert (days["date"].diff().dropna() == np.timedelta64(1, "D")).all()
    assert days["analysed"].sum() == 2 * k * (period_days - washout)
    assert s.design.is_admissible(s.assignment)
    per = s.periods
    assert (per["n_days"] == period_days).all()
    assert per.groupby("pair")["treatment"].nunique().eq(2).all()
