"""Diary reading never shifts, drops or invents a value (issue: trial integrity, point 4).

Rows with a wrong number of fields are errors naming the line; spreadsheet date
formats are read only when unambiguous; packs or periods that contradict the
schedule, unrecognised blinding guesses and columns added mid-trial are recorded
as issues and reach the analysis (per-protocol exclusion, exploratory rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nof1 import PairedDesign, analyze, make_schedule
from nof1.data import read_diary
from nof1.exceptions import DiaryError
from nof1.planning.simulate import simulate_diary

HEADER = "date,pain,stress,sleep,took_pack,side_effects,notes,blinding_guess"


@pytest.fixture()
def schedule():
    return make_schedule(PairedDesign(2), start="2026-01-05", period_days=5, run_in_days=0,
                         washout_days=1, rng=7)


def _write(tmp_path, lines, name="diary.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rows(schedule, fill="5,4,6,yes,,,"):
    return [f"{d.date().isoformat()},{fill}" for d in schedule.days["date"]]


# -- a row never shifts ---------------------------------------------------------------------
@pytest.mark.parametrize("row", [
    "2026-01-05,6,5,4,,,,,",     # pain 6,5 unquoted and surplus empty fields (the red-team row)
    "2026-01-05,6,5,4,yes,,,,",  # one field too many, the last one empty
    "2026-01-05,6,4,yes,,,",     # one field too few
    "2026-01-05",                # only the date
])
def test_a_row_with_a_wrong_field_count_is_an_error_naming_its_line(tmp_path, schedule, row):
    lines = [HEADER] + _rows(schedule)
    lines[4] = row.replace("2026-01-05", "2026-01-08")
    with pytest.raises(DiaryError) as info:
        read_diary(_write(tmp_path, lines), schedule)
    message = str(info.value)
    assert "line 5 of diary.csv" in message
    assert "quote" in message and "';'" in message
    assert "\n" not in message


def test_a_quoted_decimal_comma_is_one_value(tmp_path, schedule):
    lines = [HEADER] + _rows(schedule)
    lines[1] = '2026-01-05,"6,5",5,4,,,,'
    diary = read_diary(_write(tmp_path, lines), schedule, warn=False)
    first = diary.data.iloc[0]
    assert (first["pain"], first["stress"], first["sleep"]) == (6.5, 5.0, 4.0)


def test_line_numbers_count_blank_and_multi_line_rows(tmp_path, schedule):
    lines = [HEADER] + _rows(schedule)
    lines[1] = '2026-01-05,5,4,6,yes,,"a note\nover two lines",'
    lines.insert(3, "")
    lines[6] = "2026-01-09,5,4"  # physical line 8 of the file (header, 2-line row, blank)
    with pytest.raises(DiaryError, match="line 8 of diary.csv"):
        read_diary(_write(tmp_path, lines), schedule)


def test_a_huge_cell_is_one_short_error(tmp_path, schedule):
    lines = [HEADER] + _rows(schedule)
    lines[3] = f"2026-01-07,5,4,6,yes,,{'x' * 200_000},"
    with pytest.raises(DiaryError, match="line 4 of diary.csv has a cell longer") as info:
        read_diary(_write(tmp_path, lines), schedule)
    assert len(str(info.value)) < 300


def test_a_long_cell_in_a_score_column_is_quoted_short(tmp_path, schedule):
    lines = [HEADER] + _rows(schedule)
    lines[3] = f"2026-01-07,{'9' * 100_000}x,4,6,yes,,,"
    with pytest.raises(DiaryError, match=r"is not a number") as info:
        read_diary(_write(tmp_path, lines), schedule)
    assert len(str(info.value)) < 300


# -- Hypothesis: whatever the reader accepts is in the right column -------------------------
_SCORE = st.one_of(
    st.just(""),
    st.integers(0, 10).map(str),
    st.decimals(min_value=0, max_value=10, places=1).map(str),
)
_NOTE = st.text(alphabet="abc xyz,;", max_size=8)


@st.composite
def _diary_text(draw):
    """A diary as typed, the values meant, and each row's number of fields on disk."""
    sep = draw(st.sampled_from([",", ";"]))
    columns = draw(st.permutations(["pain", "stress", "sleep", "notes"]))
    days = pd.date_range("2026-01-05", periods=10)
    chosen = draw(st.lists(st.integers(0, 9), min_size=1, max_size=10, unique=True))
    rows, expected, widths = [], {}, []
    for i in chosen:
        cells, values = [days[i].date().isoformat()], {}
        for col in columns:
            if col == "notes":
                text = draw(_NOTE)
                if sep in text and draw(st.booleans()):
                    text = f'"{text}"'  # quoted: one field
                cells.append(text)
                continue
            typed = draw(_SCORE)
            values[col] = float(typed) if typed else np.nan
            if "." in typed and draw(st.booleans()):  # a decimal comma, quoted or not
                typed = typed.replace(".", ",")
                if sep == "," and draw(st.booleans()):
                    typed = f'"{typed}"'
            if not typed.startswith('"'):
                typed = draw(st.sampled_from(["", " "])) + typed
            cells.append(typed)
        rows.append(sep.join(cells))
        expected[days[i]] = values
        widths.append(sum(1 if c.startswith('"') else c.count(sep) + 1 for c in cells))
    return sep.join(["date", *columns]), rows, expected, widths


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_diary_text())
def test_accepted_diaries_round_trip_and_ragged_rows_are_refused(tmp_path, case):
    header, rows, expected, widths = case
    schedule = make_schedule(PairedDesign(1), start="2026-01-05", period_days=5, rng=1)
    path = tmp_path / "fuzz.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    bad = [i for i, w in enumerate(widths) if w != 5]
    if bad:  # a separator typed unquoted inside a cell: refused, naming the first such line
        with pytest.raises(DiaryError, match=f"line {bad[0] + 2} of fuzz.csv"):
            read_diary(path, schedule, warn=False)
        return
    diary = read_diary(path, schedule, warn=False)
    data = diary.data.set_index("date")
    for day, values in expected.items():
        for col, value in values.items():
            got = data.loc[day, col]
            assert (np.isnan(value) and np.isnan(got)) or got == pytest.approx(value), \
                (day, col, value, got)
    untouched = data.index.difference(list(expected))
    assert data.loc[untouched, ["pain", "stress", "sleep"]].isna().all().all()


# -- dates as spreadsheets rewrite them -----------------------------------------------------
def test_dotted_dates_are_day_first_and_recorded(tmp_path, schedule):
    lines = [HEADER] + [r.replace(r[:10], pd.Timestamp(r[:10]).strftime("%d.%m.%Y"))
                        for r in _rows(schedule)]
    diary = read_diary(_write(tmp_path, lines), schedule, warn=False)
    assert diary.data["pain"].notna().all()
    issue = next(i for i in diary.issues if i.kind == "date_format")
    assert "DD.MM.YYYY" in issue.message and "'05.01.2026' as 2026-01-05" in issue.message


@pytest.mark.parametrize(("fmt", "order"), [("%d/%m/%Y", "D/M/YYYY"),
                                            ("%m/%d/%Y", "M/D/YYYY")])
def test_slashed_dates_read_in_the_one_order_that_fits_the_schedule(tmp_path, schedule, fmt,
                                                                     order):
    lines = [HEADER] + [r.replace(r[:10], pd.Timestamp(r[:10]).strftime(fmt))
                        for r in _rows(schedule)]
    diary = read_diary(_write(tmp_path, lines), schedule, warn=False)
    assert diary.data["pain"].notna().all()  # every day found on its own date
    assert any(order in i.message for i in diary.issues if i.kind == "date_format")


def test_slashed_dates_that_fit_both_orders_are_an_error():
    s = make_schedule(PairedDesign(6), start="2026-01-05", period_days=14, rng=1)
    typed = pd.DataFrame({"date": ["2/3/2026"], "pain": [5], "stress": [5], "sleep": [5]})
    with pytest.raises(DiaryError, match="'2/3/2026' is ambiguous"):
        read_diary(typed, s, warn=False)
    typed["date"] = ["3/3/2026"]  # the same either way
    diary = read_diary(typed, s, warn=False)
    assert diary.data.set_index("date").loc["2026-03-03", "pain"] == 5


# -- contradictions with the schedule --------------------------------------------------------
def _calendar(schedule):
    cal = schedule.days[["date", "period"]].copy()
    cal["pack"] = cal["period"].map(lambda p: f"K{int(p)}Q" if pd.notna(p) else "")
    return cal


def _template_rows(schedule, cal, pain=lambda i: i % 7):
    return [f"{d.date().isoformat()},{'' if pd.isna(p) else int(p)},{k},{pain(i)},4,6,yes,,,"
            for i, (d, p, k) in enumerate(zip(cal["date"], cal["period"], cal["pack"],
                                              strict=True))]


TEMPLATE = "date,period,pack,pain,stress,sleep,took_pack,side_effects,notes,blinding_guess"


def test_pack_and_period_contradictions_are_issues_and_excluded_per_protocol(tmp_path):
    s = make_schedule(PairedDesign(3), start="2026-01-05", period_days=5, washout_days=1,
                      rng=11)
    cal = _calendar(s)
    rows = _template_rows(s, cal)
    rows[3] = rows[3].replace(",K1Q,", ",K2Q,")     # took the next period's pack
    rows[12] = rows[12].replace(",3,K3Q,", ",2,K3Q,")  # wrote the wrong period
    diary = read_diary(_write(tmp_path, [TEMPLATE] + rows), s, calendar=cal, warn=False)
    kinds = {i.kind: i.message for i in diary.issues}
    assert "'K2Q' instead of the schedule's 'K1Q'" in kinds["pack_mismatch"]
    assert "2026-01-17" in kinds["period_mismatch"]
    assert diary.off_protocol.dt.strftime("%Y-%m-%d").tolist() == ["2026-01-08", "2026-01-17"]

    # the per-protocol analysis equals the analysis of the diary without those two days
    blanked = _template_rows(s, cal, pain=lambda i: "" if i in (3, 12) else i % 7)
    ref = read_diary(_write(tmp_path, [TEMPLATE] + blanked, "ref.csv"), s, calendar=cal,
                     warn=False)
    got = analyze(diary, s, outcomes=["pain"]).outcomes["pain"].sensitivity
    want = analyze(ref, s, outcomes=["pain"]).outcomes["pain"]
    pp = got.set_index("analysis").loc["per_protocol"]
    assert pp["estimate"] == pytest.approx(want.estimate, rel=1e-12)
    assert pp["pvalue"] == pytest.approx(want.pvalue, rel=1e-12)
    # ... and the primary analysis still uses every typed value
    assert analyze(diary, s, outcomes=["pain"]).outcomes["pain"].estimate != \
        pytest.approx(want.estimate)


def test_pack_codes_are_checked_from_the_participant_schedule_frame(tmp_path):
    s = make_schedule(PairedDesign(1), start="2026-01-05", period_days=3, rng=1)
    cal = _calendar(s)
    frame = cal.assign(analysed=s.days["analysed"])
    rows = _template_rows(s, cal)
    rows[0] = rows[0].replace(",K1Q,", ",k1q,")  # case does not matter
    diary = read_diary(_write(tmp_path, [TEMPLATE] + rows), frame, warn=False)
    assert not [i for i in diary.issues if i.kind.endswith("_mismatch")]


def test_an_unrecognised_blinding_guess_is_an_issue(tmp_path, schedule):
    lines = [HEADER] + _rows(schedule)
    lines[5] += "magnesum"
    lines[10] += "Placebo"
    lines[4] += "don’t know"
    diary = read_diary(_write(tmp_path, lines), schedule, warn=False)
    issues = [i for i in diary.issues if i.kind == "unrecognised_guess"]
    assert len(issues) == 1
    assert "'magnesum' on 2026-01-09" in issues[0].message
    assert "(1 such guess(es)" in issues[0].message


def test_a_half_filled_day_counts_per_outcome(tmp_path, schedule):
    lines = [HEADER] + _rows(schedule)
    lines[3] = "2026-01-07,7,,,yes,,,"     # pain only
    lines[8] = "2026-01-12,,,,yes,,,"      # nothing (day 8, period 2, analysed)
    diary = read_diary(_write(tmp_path, lines), schedule, warn=False)
    comp = diary.completeness().set_index("period")
    assert comp.loc[1, "pain"] == 1.0 and comp.loc[1, "stress"] == 0.75
    assert comp.loc[2, "pain"] == 0.75
    message = next(i.message for i in diary.issues if i.kind == "missing_days")
    assert "pain 1 (period 2: 1)" in message
    assert "stress 2 (period 1: 1, period 2: 1)" in message
    assert message.endswith("1 day(s) have no score at all")


# -- a column added mid-trial ---------------------------------------------------------------
def test_why_an_unplanned_column_is_not_analysed(schedule):
    typed = pd.DataFrame({"date": ["2026-01-05"], "pain": [5], "stress": [5], "sleep": [5],
                          "empty": [""], "mood (0-10)": ["4"]})
    diary = read_diary(typed, schedule, warn=False)
    messages = [i.message for i in diary.issues if i.kind == "unplanned_column"]
    assert diary.unplanned == ()
    assert any("'empty' is not in the protocol and empty" in m for m in messages)
    assert any("'mood (0-10)'" in m and "name is not usable" in m for m in messages)
    assert diary.data.loc[0, "mood (0-10)"] == "4"  # kept as typed


def test_an_unplanned_column_is_kept_and_analysed_only_as_exploratory():
    s = make_schedule(PairedDesign(4), start="2026-01-05", period_days=7, washout_days=2,
                      rng=5)
    filled = simulate_diary(s, rng=5)
    planned = analyze(read_diary(filled, s, warn=False), s)
    rng = np.random.default_rng(5)
    mood = np.where(np.arange(len(filled)) < 20, np.nan, rng.integers(0, 11, len(filled)))
    extended = filled.assign(mood=mood, comment="ok")
    diary = read_diary(extended, s, warn=False)
    assert diary.unplanned == ("mood",)
    messages = [i.message for i in diary.issues if i.kind == "unplanned_column"]
    assert any("'mood'" in m and "exploratory" in m for m in messages)
    assert any("'comment'" in m and "not a numeric score" in m and "kept as text" in m
               for m in messages)
    assert (diary.data["comment"] == "ok").all()

    result = analyze(diary, s)
    frame = result.to_frame()
    assert frame["outcome"].tolist() == ["pain", "stress", "sleep", "mood"]
    row = frame.iloc[-1]
    assert row["exploratory"] and not row["primary"] and np.isnan(row["pvalue_holm"])
    assert "not pre-registered" in row["note"]
    # the planned analysis is the same with or without the extra column
    want = planned.to_frame()
    pd.testing.assert_frame_equal(frame.iloc[:3][list(want.columns)], want, check_dtype=False)
    # the exploratory estimate is the design's own procedure on the mood column
    ref = analyze(read_diary(filled.assign(pain=mood), s, warn=False), s, outcomes=["pain"])
    assert row["estimate"] == pytest.approx(ref.outcomes["pain"].estimate, rel=1e-12)
    assert row["pvalue"] == pytest.approx(ref.outcomes["pain"].pvalue, rel=1e-12)
    assert "mood (EXPLORATORY" in result.summary()


# -- analyze() uses the schedule it is given ------------------------------------------------
def test_analyze_uses_the_schedule_it_is_given():
    s = make_schedule(PairedDesign(4), start="2026-01-05", period_days=7, washout_days=2,
                      rng=1)
    other = make_schedule(PairedDesign(4), start="2026-01-05", period_days=7, washout_days=3,
                          rng=2)
    assert not np.array_equal(s.assignment, other.assignment)
    filled = simulate_diary(s, rng=3)
    read_with_s = read_diary(filled, s, warn=False)
    got = analyze(read_with_s, other).to_frame()
    want = analyze(read_diary(filled, other, warn=False), other).to_frame()
    pd.testing.assert_frame_equal(got, want)
    # a diary of another calendar is refused, not re-labelled
    moved = make_schedule(PairedDesign(4), start="2026-02-02", period_days=7, rng=2)
    with pytest.raises(ValueError, match="another calendar"):
        analyze(read_with_s, moved)


def test_the_report_labels_an_unplanned_column_exploratory():
    from nof1.report import render_report

    s = make_schedule(PairedDesign(3), start="2026-01-05", period_days=7, washout_days=2,
                      rng=5)
    filled = simulate_diary(s, rng=5)
    diary = read_diary(filled.assign(mood=np.arange(len(filled)) % 4), s, warn=False)
    html = render_report(analyze(diary, s), diary)
    row = html[html.index("<td>mood</td>"):][:200]
    assert "exploratory" in row and "secondary" not in row


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=pd.Timestamp("2000-01-01").date(),
                      max_value=pd.Timestamp("2098-01-01").date()),
       fmt=st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d",
                            "%-d/%-m/%Y", "%-m/%-d/%Y"]))
def test_every_supported_date_format_reads_back_the_same_days(start, fmt):
    s = make_schedule(PairedDesign(1), start=start, period_days=7, rng=1)  # 14 days
    days = s.days["date"]
    pain = [i % 11 for i in range(len(days))]
    typed = pd.DataFrame({"date": [d.strftime(fmt) for d in days], "pain": pain,
                          "stress": 1, "sleep": 1})
    diary = read_diary(typed, s, warn=False)
    assert diary.data["pain"].tolist() == pain  # each on its own day


@settings(max_examples=60, deadline=None)
@given(day=st.integers(1, 12), month=st.integers(1, 12))
def test_a_slashed_date_that_both_orders_place_in_the_trial_is_refused(day, month):
    s = make_schedule(PairedDesign(12), start="2026-01-01", period_days=14, rng=1)  # ~11 months
    typed = pd.DataFrame({"date": [f"{day}/{month}/2026"], "pain": [5], "stress": [5],
                          "sleep": [5]})
    dm, md = pd.Timestamp(2026, month, day), pd.Timestamp(2026, day, month)
    inside = [s.days["date"].min() - pd.Timedelta(days=14) <= d
              <= s.days["date"].max() + pd.Timedelta(days=14) for d in (dm, md)]
    if day != month and all(inside):
        with pytest.raises(DiaryError, match="ambiguous"):
            read_diary(typed, s, warn=False)
    else:
        diary = read_diary(typed, s, warn=False)
        chosen = dm if inside[0] else md
        data = diary.data.set_index("date")
        if chosen in data.index:
            assert data.loc[chosen, "pain"] == 5
        else:
            assert any(i.kind == "outside_schedule" for i in diary.issues)


def test_a_missing_date_in_a_frame_is_an_error(schedule):
    typed = pd.DataFrame({"date": [pd.Timestamp("2026-01-05"), pd.NaT], "pain": [5, 6],
                          "stress": [5, 5], "sleep": [5, 5]})
    with pytest.raises(DiaryError, match="row 3: the date is missing"):
        read_diary(typed, schedule, warn=False)
    typed["date"] = [pd.Timestamp("2026-01-05 18:30"), pd.Timestamp("2026-01-06")]
    assert read_diary(typed, schedule, warn=False).data["pain"].iloc[:2].tolist() == [5, 6]
