"""Diary reading: what people type, errors that stop, warnings that are recorded."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nof1 import Outcome, PairedDesign, make_schedule
from nof1.data import read_diary
from nof1.exceptions import DiaryError, DiaryWarning

HEADER = "date,day,period,pack,pain,stress,sleep,took_pack,side_effects,notes,blinding_guess\n"


@pytest.fixture()
def schedule():
    # 2 pairs of 4-day periods, 2 run-in days, 1 wash-out day: 18 days from 2026-01-05
    return make_schedule(PairedDesign(2), start="2026-01-05", period_days=4, run_in_days=2,
                         washout_days=1, rng=3)


def _write(tmp_path, rows, header=HEADER):
    path = tmp_path / "diary.csv"
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _full_rows(schedule, fmt=lambda d, i: f"{d},,,,{i % 10},3,6,yes,,,"):
    return [fmt(d.date().isoformat(), i) for i, d in enumerate(schedule.days["date"])]


def test_complete_diary_reads_without_issues(tmp_path, schedule):
    diary = read_diary(_write(tmp_path, _full_rows(schedule)), schedule)
    assert diary.issues == ()
    assert len(diary.data) == schedule.n_days
    assert diary.data["pain"].tolist() == [i % 10 for i in range(schedule.n_days)]
    assert diary.data["took_pack"].all()
    assert set(diary.data["treatment"].dropna()) == {"magnesium", "placebo"}


def test_typing_tolerance(tmp_path, schedule):
    rows = _full_rows(schedule)
    rows[3] = " 2026-01-08 ,,,, 7.5 , 3 ,,Y,,,"
    rows[4] = '2026-01-09,,,,"6,5",NA,-,no,,,'
    rows[5] = ""  # blank line in the middle
    diary = read_diary(_write(tmp_path, rows), schedule, warn=False)
    d = diary.data.set_index("date")
    assert d.loc["2026-01-08", "pain"] == 7.5
    assert d.loc["2026-01-09", "pain"] == 6.5
    assert math.isnan(d.loc["2026-01-09", "stress"])
    assert not d.loc["2026-01-09", "took_pack"]
    kinds = [i.kind for i in diary.issues]
    assert "decimal_comma" in kinds and "missing_days" in kinds


def test_semicolon_csv_from_european_spreadsheet(tmp_path, schedule):
    rows = [r.replace(",", ";") for r in _full_rows(schedule)]
    rows[2] = rows[2].replace(";3;", ";3,5;", 1)
    diary = read_diary(_write(tmp_path, rows, HEADER.replace(",", ";")), schedule, warn=False)
    assert diary.data.loc[2, "stress"] == 3.5


def test_unquoted_decimal_comma_in_comma_csv_is_a_clear_error(tmp_path):
    s = make_schedule(PairedDesign(1), start="2026-01-05", period_days=2, rng=1)
    path = _write(tmp_path, ["2026-01-05,7,5,3"], header="date,pain,stress,sleep\n")
    # 7,5 splits into two fields, so the row has the right width but shifted values; a row
    # with one more field than the header is caught explicitly:
    path.write_text("date,pain,stress,sleep\n2026-01-05,7,5,3,6\n", encoding="utf-8")
    with pytest.raises(DiaryError, match="decimal comma"):
        read_diary(path, s)


@pytest.mark.parametrize(("cell_row", "match"), [
    ("2026-01-07,,,,11,3,6,yes,,,", r"pain score 11 on 2026-01-07 is outside its scale 0-10"),
    ("2026-01-07,,,,-1,3,6,yes,,,", "outside its scale"),
    ("2026-01-07,,,,seven,3,6,yes,,,", "'seven' is not a number"),
    ("yesterday,,,,5,3,6,yes,,,", "'yesterday' is not a date"),
    ("13/13/2026,,,,5,3,6,yes,,,", "13/13/2026. does not exist"),
    ("2026.01.07,,,,5,3,6,yes,,,", "YYYY-MM-DD"),
    ("2026-02-30,,,,5,3,6,yes,,,", "does not exist"),
    ("2026-01-07,,,,5,3,6,maybe,,,", "not yes or no"),
])
def test_errors_stop_with_one_clear_message(tmp_path, schedule, cell_row, match):
    rows = _full_rows(schedule)
    rows[2] = cell_row
    with pytest.raises(DiaryError, match=match) as info:
        read_diary(_write(tmp_path, rows), schedule)
    assert "\n" not in str(info.value)


def test_duplicate_date(tmp_path, schedule):
    rows = _full_rows(schedule)
    rows.append(rows[4])
    with pytest.raises(DiaryError, match="2026-01-09 appears 2 times"):
        read_diary(_write(tmp_path, rows), schedule)


def test_unknown_and_missing_columns(tmp_path, schedule):
    with pytest.raises(DiaryError, match="no column for outcome 'pain'"):
        read_diary(_write(tmp_path, [], header="date,pian,stress,sleep\n"), schedule)
    with pytest.raises(DiaryError, match="no column for outcome 'sleep'"):
        read_diary(_write(tmp_path, [], header="date,pain,stress\n"), schedule)
    with pytest.raises(DiaryError, match="not found"):
        read_diary(tmp_path / "nope.csv", schedule)


def test_user_defined_outcome(tmp_path, schedule):
    fatigue = Outcome("fatigue", "Fatigue today (0-100)", low=0, high=100, mcid=10,
                      mcid_source="example")
    rows = [f"{d.date().isoformat()},{i * 3}" for i, d in enumerate(schedule.days["date"])]
    diary = read_diary(_write(tmp_path, rows, header="date,fatigue\n"), schedule,
                       outcomes=[fatigue], warn=False)
    assert diary.data["fatigue"].max() == 3 * (schedule.n_days - 1)


def test_warnings_recorded_and_emitted(tmp_path, schedule):
    rows = _full_rows(schedule)
    del rows[8:11]  # three missing days inside periods
    rows.append("2027-01-01,,,,5,5,5,yes,,,")  # outside the schedule
    rows = [r.replace(",yes,", ",no,") if i in (3, 4, 5) else r for i, r in enumerate(rows)]
    with pytest.warns(DiaryWarning, match="outside the schedule"):
        diary = read_diary(_write(tmp_path, rows), schedule)
    kinds = {i.kind for i in diary.issues}
    assert kinds == {"missing_days", "outside_schedule", "low_adherence"}
    assert len(diary.data) == schedule.n_days  # missing days stay as NaN rows
    assert diary.data["pain"].isna().sum() == 3
    comp = diary.completeness()
    assert comp["pain"].min() < 1


def test_participant_side_schedule_frame(tmp_path, schedule):
    """Reading works from schedule.csv columns alone (no allocation needed)."""
    frame = schedule.days[["date", "day", "period", "analysed"]].copy()
    frame["analysed"] = np.where(frame["analysed"], "yes", "no")
    diary = read_diary(_write(tmp_path, _full_rows(schedule)), frame)
    assert "treatment" not in diary.data.columns
    assert diary.data["analysed"].sum() == schedule.days["analysed"].sum()


@settings(max_examples=200, deadline=None)
@given(value=st.decimals(min_value=0, max_value=10, places=2), comma=st.booleans(),
       pad=st.sampled_from(["", " ", "  "]))
def test_any_typed_score_in_range_parses_back(value, comma, pad):
    s = make_schedule(PairedDesign(1), start="2026-01-05", period_days=1, rng=0)
    text = f"{value}"
    if comma:
        text = text.replace(".", ",")
    frame = pd.DataFrame({"date": ["2026-01-05"], "pain": [pad + text + pad],
                          "stress": [""], "sleep": [""]})
    diary = read_diary(frame, s, warn=False)
    assert diary.data.loc[0, "pain"] == pytest.approx(float(value), abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.floats(min_value=10.001, max_value=1e6),
                       st.floats(max_value=-0.001, min_value=-1e6)))
def test_any_out_of_range_score_is_rejected(value):
    s = make_schedule(PairedDesign(1), start="2026-01-05", period_days=1, rng=0)
    frame = pd.DataFrame({"date": ["2026-01-05"], "pain": [repr(value)],
                          "stress": [""], "sleep": [""]})
    with pytest.raises(DiaryError):
        read_diary(frame, s, warn=False)


@pytest.mark.parametrize("seed", range(8))
def test_grid_by_position_equals_the_merge(seed, monkeypatch):
    """The diary frame built by position equals the pandas merge it replaced."""
    import functools

    from nof1.data import diary as diary_mod
    from nof1.planning.simulate import simulate_diary

    rng = np.random.default_rng(seed)
    s = make_schedule(PairedDesign(int(rng.integers(1, 5))), start="2026-01-05",
                      period_days=5, run_in_days=int(rng.integers(0, 3)),
                      washout_days=int(rng.integers(0, 2)), rng=seed)
    typed = simulate_diary(s, missing=0.3, rng=seed)
    typed = typed.drop(index=rng.choice(len(typed), size=3, replace=False))  # days not typed
    extra = typed.iloc[:2].copy()
    extra["date"] = ["2025-12-01", "2027-03-01"]  # outside the schedule
    typed = pd.concat([typed, extra]).sample(frac=1.0, random_state=seed)  # any order
    if seed % 2:
        typed["energy"] = rng.integers(0, 9, size=len(typed)).astype(str)  # unplanned number
        typed["mood"] = rng.choice(["ok", "", "tired"], size=len(typed))  # unplanned text
    if seed % 3 == 0:
        typed = typed.drop(columns=["took_pack"])
    fast = read_diary(typed, s, warn=False)
    monkeypatch.setattr(diary_mod, "_on_grid", functools.partial(diary_mod._on_grid,
                                                                 merge=True))
    slow = read_diary(typed, s, warn=False)
    pd.testing.assert_frame_equal(fast.data, slow.data)
    assert fast.issues == slow.issues and fast.unplanned == slow.unplanned
    assert {"outside_schedule", "missing_days"} <= {i.kind for i in fast.issues}


def test_on_schedule_refuses_other_periods_on_the_same_dates():
    from nof1.planning.simulate import simulate_diary

    s = make_schedule(PairedDesign(2), start="2026-01-05", period_days=3, rng=1)
    same_days = make_schedule(PairedDesign(3), start="2026-01-05", period_days=2, rng=1)
    assert (s.days["date"] == same_days.days["date"]).all()
    diary = read_diary(simulate_diary(s, rng=1), s, warn=False)
    assert diary.on_schedule(make_schedule(PairedDesign(2), start="2026-01-05",
                                           period_days=3, rng=2)).data.shape == diary.data.shape
    with pytest.raises(ValueError, match="periods are not the schedule's"):
        diary.on_schedule(same_days)


def test_a_diary_frame_is_read_without_changing_it(schedule):
    """The reader works on a copy-on-write view: the caller's frame, its column names,
    index and cells stay as they were."""
    dates = pd.date_range("2026-01-05", periods=18).strftime("%Y-%m-%d")
    frame = pd.DataFrame({" Date": dates, "PAIN": ["3"] * 18, "Stress": [4.0] * 18,
                          "sleep": [5] * 18, "took_pack": ["yes"] * 18},
                         index=np.arange(100, 118))
    before = frame.copy(deep=True)
    diary = read_diary(frame, schedule, warn=False)
    pd.testing.assert_frame_equal(frame, before)
    assert (diary.data["pain"].dropna() == 3.0).all()
    diary.data.loc[0, "pain"] = 9.0          # and the diary's frame is its own
    pd.testing.assert_frame_equal(frame, before)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(float("nan")),  # numbers as a diary holds them
                          st.integers(-300, 1300).map(lambda i: i / 100),
                          st.integers(0, 10).map(float)), min_size=1, max_size=30))
def test_a_number_column_reads_as_its_typed_text_does(values):
    """Scores given as numbers (a DataFrame column) are read as the same numbers typed
    as text would be, and a score outside the scale stops both with the same message."""
    from nof1.data._parse import parse_scores

    dates = pd.Series(pd.date_range("2026-01-05", periods=len(values)))
    numbers = pd.Series(values, dtype=float)
    typed = pd.Series(["" if np.isnan(v) else repr(v) for v in values], dtype=object)
    outcomes = []
    for column in (numbers, typed):
        try:
            scores, commas = parse_scores(column, "pain", dates, 0.0, 10.0)
            outcomes.append(("ok", scores.to_numpy(), commas))
        except DiaryError as exc:
            outcomes.append(("error", str(exc), None))
    (kind_n, got_n, commas_n), (kind_t, got_t, commas_t) = outcomes
    assert kind_n == kind_t
    if kind_n == "ok":
        np.testing.assert_array_equal(got_n, got_t)
        assert commas_n == commas_t == []
    else:
        assert got_n == got_t
