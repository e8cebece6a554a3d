"""The series data model: collecting trial folders, validating and writing the tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nof1 import PairedDesign, create_trial
from nof1.exceptions import KeyMismatchError, TrialExistsError
from nof1.outcomes import DEFAULT_OUTCOMES, Outcome
from nof1.planning.simulate import simulate_diary
from nof1.series import (
    SeriesError,
    analyze_series,
    collect_series,
    read_series,
    validate_series,
    write_series,
)
from nof1.series.simulate import simulate_series


def _filled_trial(path, seed, outcomes=None):
    t = create_trial(path, design=PairedDesign(3), start="2026-01-05", period_days=7,
                     washout_days=2, rng=seed, outcomes=outcomes)
    simulate_diary(t.schedule, rng=seed, outcomes=outcomes).to_csv(
        path / "participant" / "diary.csv", index=False)
    return path


@pytest.fixture()
def folders(tmp_path):
    return [_filled_trial(tmp_path / f"person{i}", i) for i in range(4)]


def test_collect_reads_every_trial_and_its_covariates(folders, tmp_path):
    cov = pd.DataFrame({"person": [f"person{i}" for i in range(4)],
                        "baseline_stress": [20, 24, 27, 31], "age": [40, 50, 35, 61]})
    s = collect_series(folders, covariates=cov)
    assert s.persons == [f"person{i}" for i in range(4)]
    assert s.covariates == ["baseline_stress", "age"]
    assert len(s.diary) == 4 * (7 + 6 * 7)
    # the collected allocation is the key's: the batch result equals analyze()'s
    from nof1 import analyze, read_trial

    res = analyze_series(s, outcomes=["pain"]).persons.set_index("person")
    for f in folders:
        t = read_trial(f, unblind=True)
        one = analyze(f / "participant" / "diary.csv", t.schedule, outcomes=["pain"])
        assert res.loc[f.name, "pvalue"] == one["pain"].tests["randomization"].pvalue
        assert res.loc[f.name, "estimate"] == pytest.approx(one["pain"].estimate, rel=1e-12)


def test_a_tampered_key_is_refused_naming_the_trial(folders):
    key = folders[2] / "helper" / "key.json"
    spec = json.loads(key.read_text())
    spec["schedule"]["assignment"] = spec["schedule"]["assignment"][::-1]
    key.write_text(json.dumps(spec))
    with pytest.raises(KeyMismatchError, match="person2"):
        collect_series(folders)


def test_mixed_outcome_definitions_are_refused(folders, tmp_path):
    pain = DEFAULT_OUTCOMES["pain"]
    other = Outcome(name="pain", question=pain.question, mcid=2.0)
    odd = _filled_trial(tmp_path / "odd", 9, outcomes=[other])
    with pytest.raises(SeriesError, match="odd.*outcome definitions differ"):
        collect_series(folders + [odd])


def test_covariates_must_match_the_persons(folders):
    cov = pd.DataFrame({"person": ["person0", "person1", "person2", "stranger"],
                        "baseline_stress": [20, 24, 27, 31]})
    with pytest.raises(SeriesError, match="stranger"):
        collect_series(folders, covariates=cov)


@pytest.fixture()
def small():
    return simulate_series(5, n_pairs=3, rng=12345,
                           covariates=pd.DataFrame({"person": [f"P{i}" for i in range(5)],
                                                    "baseline_stress": [19, 22, 25, 30, 35]}))


def test_duplicated_person_is_named(small):
    trials = pd.concat([small.trials, small.trials.iloc[[1]]], ignore_index=True)
    with pytest.raises(SeriesError, match=r"duplicated person\(s\) \['P1'\] \(rows 3, 7\)"):
        validate_series(trials, small.diary)


def test_person_in_one_table_only(small):
    with pytest.raises(SeriesError, match="person 'P4' has no trial"):
        validate_series(small.trials.iloc[:4], small.diary)
    with pytest.raises(SeriesError, match=r"\['P4'\] have no diary rows \(row 6\)"):
        validate_series(small.trials, small.diary[small.diary["person"] != "P4"])


def test_mixed_outcomes_in_the_trials_table(small):
    t = small.trials.copy()
    spec = json.loads(t.at[3, "outcomes"])
    spec[0]["mcid"] = 2.0
    t.at[3, "outcomes"] = json.dumps(spec)
    with pytest.raises(SeriesError, match="mixed outcome definitions.*row 5"):
        validate_series(t, small.diary)


def test_bad_diary_values_are_named(small):
    d = small.diary.copy()
    d.loc[10, "pain"] = 11.0
    with pytest.raises(SeriesError, match=r"`pain` must be a number in \[0, 10\] \(row 12\)"):
        validate_series(small.trials, d)
    d = pd.concat([small.diary, small.diary.iloc[[0]]], ignore_index=True)
    with pytest.raises(SeriesError, match="same person and date twice"):
        validate_series(small.trials, d)
    d = small.diary.copy()
    d.loc[0, "date"] = pd.Timestamp("2030-01-01")
    with pytest.raises(SeriesError, match="outside the person's schedule"):
        validate_series(small.trials, d)
    t = small.trials.copy()
    t.at[0, "assignment"] = "AAAAAA"
    with pytest.raises(SeriesError, match="not admissible.*row 2"):
        validate_series(t, small.diary)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_and_read_back(small, tmp_path, fmt):
    out = write_series(small, tmp_path / "series", format=fmt)
    assert sorted(p.name for p in out.iterdir()) == [f"diary.{fmt}", f"trials.{fmt}"]
    back = read_series(out)
    pd.testing.assert_frame_equal(back.trials, small.trials, check_dtype=False)
    for c in ["pain", "stress", "sleep"]:
        np.testing.assert_array_equal(back.diary[c], small.diary[c])
    assert (back.diary["date"] == small.diary["date"]).all()
    assert back.diary["took_pack"].astype(object).fillna(-1).tolist() == \
        small.diary["took_pack"].astype(object).fillna(-1).tolist()
    with pytest.raises(TrialExistsError):
        write_series(small, out, format=fmt)
    assert sorted(p.name for p in out.iterdir()) == [f"diary.{fmt}", f"trials.{fmt}"]


# -- property: any corruption gives a valid series or a SeriesError, never a crash ----
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_BASE = simulate_series(3, n_pairs=2, period_days=5, washout_days=1, run_in_days=2, rng=5)
_VALUES = st.one_of(st.none(), st.just(""), st.just("x"), st.integers(-5, 50),
                    st.floats(allow_nan=True, allow_infinity=True), st.just("2026-13-01"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=st.sampled_from(["trials", "diary"]), row=st.integers(0, 10_000),
       column=st.integers(0, 100), value=_VALUES, drop=st.booleans(), dup=st.booleans())
def test_corrupted_tables_raise_series_error_or_validate(table, row, column, value, drop,
                                                         dup):
    trials = _BASE.trials.astype(object).copy()
    diary = _BASE.diary.astype(object).copy()
    frame = trials if table == "trials" else diary
    r = row % len(frame)
    c = frame.columns[column % len(frame.columns)]
    frame.iat[r, frame.columns.get_loc(c)] = value
    if drop:
        frame = frame.drop(index=frame.index[(r + 1) % len(frame)])
    if dup:
        frame = pd.concat([frame, frame.iloc[[r % len(frame)]]], ignore_index=True)
    if table == "trials":
        trials = frame
    else:
        diary = frame
    try:
        s = validate_series(trials, diary)
    except SeriesError:
        return
    assert len(s) == s.trials["person"].nunique()
    assert set(s.diary["person"]) == set(s.trials["person"])
