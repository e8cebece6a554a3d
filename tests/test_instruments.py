"""DASS and BPI scoring: hand-worked examples, band edges, input forms and errors.

Expected values are worked out by hand in the comments (item keys and cut-offs:
docs/methods.md §3.1-§3.2; DASS-21 keys: UW-Madison ARC scoring syntax).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nof1.instruments import (
    BPI_INTERFERENCE_ITEMS,
    BPI_SEVERITY_ITEMS,
    DASS_ITEMS,
    DASS_SEVERITY_LABELS,
    bpi_interference,
    bpi_severity,
    dass_severity,
    score_dass,
)

# ----------------------------------------------------------------------------- DASS scoring


def mod4_responses(n_items: int) -> dict[int, int]:
    """Item i rated i mod 4 (0-3): a pattern whose sums are easy to check by hand."""
    return {i: i % 4 for i in range(1, n_items + 1)}


def test_dass42_hand_worked():
    # stress items 1 6 8 11 12 14 18 22 27 29 32 33 35 39, mod 4:
    #   1 2 0 3 0 2 2 2 3 1 0 1 3 3 -> 23 (moderate, 19-25)
    # depression 3 5 10 13 16 17 21 24 26 31 34 37 38 42:
    #   3 1 2 1 0 1 1 0 2 3 2 1 2 2 -> 21 (severe, 21-27)
    # anxiety 2 4 7 9 15 19 20 23 25 28 30 36 40 41:
    #   2 0 3 1 3 3 0 3 1 0 2 0 0 1 -> 19 (severe, 15-19)
    # check: all 42 items sum to 10 * 6 + 1 + 2 = 63 = 23 + 21 + 19
    scores = score_dass(mod4_responses(42))
    assert scores.to_dict() == {"depression": 21, "anxiety": 19, "stress": 23}
    bands = dass_severity(scores.to_frame().T)
    assert bands.iloc[0].tolist() == ["severe", "severe", "moderate"]


def test_dass21_hand_worked_doubles_sums():
    # stress 1 6 8 11 12 14 18 -> 1 2 0 3 0 2 2 = 10 -> x2 = 20 (moderate)
    # depression 3 5 10 13 16 17 21 -> 3 1 2 1 0 1 1 = 9 -> 18 (moderate, 14-20)
    # anxiety 2 4 7 9 15 19 20 -> 2 0 3 1 3 3 0 = 12 -> 24 (extremely severe, 20+)
    # check: items 1..21 sum to 5 * 6 + 1 = 31 = 10 + 9 + 12
    scores = score_dass(mod4_responses(21), form="DASS-21")
    assert scores.to_dict() == {"depression": 18, "anxiety": 24, "stress": 20}
    assert dass_severity(scores["anxiety"], scale="anxiety") == "extremely severe"


def test_dass21_all_threes_reach_dass42_maximum():
    assert score_dass(np.full(21, 3), form="DASS-21").tolist() == [42, 42, 42]
    assert score_dass(np.full(42, 3)).tolist() == [42, 42, 42]


def test_item_keys_partition_the_form():
    for form, n in (("DASS-42", 42), ("DASS-21", 21)):
        items = [i for keys in DASS_ITEMS[form].values() for i in keys]
        assert sorted(items) == list(range(1, n + 1))


def test_input_forms_agree():
    items = mod4_responses(42)
    expected = score_dass(items)
    by_prefix = {f"q{i}": v for i, v in items.items()}
    padded = {f"dass_{i:02d}": v for i, v in items.items()}
    array = np.array([items[i] for i in range(1, 43)])
    for form in (pd.Series(items), by_prefix, padded, array, list(array)):
        pd.testing.assert_series_equal(score_dass(form), expected)
    names = [f"x{i}" for i in range(42, 0, -1)]  # reversed names: needs `columns`
    named = {names[i - 1]: v for i, v in items.items()}
    pd.testing.assert_series_equal(score_dass(named, columns=names), expected)


def test_dataframe_is_vectorized_and_keeps_index():
    rng = np.random.default_rng(12345)
    raw = rng.integers(0, 4, size=(5, 42))
    frame = pd.DataFrame(raw, columns=[f"q{i}" for i in range(1, 43)],
                         index=[f"p{k}" for k in range(5)])
    frame["participant_age"] = 40  # other columns are ignored
    frame["dass_stress_d0"] = 99  # numbered, but not items 1..42
    out = score_dass(frame)
    assert list(out.index) == list(frame.index)
    assert list(out.columns) == ["depression", "anxiety", "stress"]
    for k in range(5):
        pd.testing.assert_series_equal(out.iloc[k], score_dass(raw[k]), check_names=False)
    np.testing.assert_array_equal(score_dass(raw).to_numpy(), out.to_numpy())


def test_scales_subset_needs_only_its_items():
    stress_only = {i: 2 for i in DASS_ITEMS["DASS-42"]["stress"]}
    assert score_dass(stress_only, scales=["stress"]).to_dict() == {"stress": 28}
    assert score_dass(stress_only, scales="stress")["stress"] == 28
    with pytest.raises(ValueError, match="missing item"):
        score_dass(stress_only)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=42, max_size=42), st.integers(1, 42))
def test_each_item_raises_exactly_one_subscale(values, item):
    base = score_dass(values)
    assert base.sum() == sum(values)
    bumped = list(values)
    if bumped[item - 1] == 3:
        bumped[item - 1] = 2
        step = -1
    else:
        bumped[item - 1] += 1
        step = 1
    diff = score_dass(bumped) - base
    owner = next(s for s, keys in DASS_ITEMS["DASS-42"].items() if item in keys)
    assert diff[owner] == step
    assert (diff.drop(owner) == 0).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=21, max_size=21))
def test_dass21_is_twice_the_keyed_sums(values):
    out = score_dass(values, form="DASS-21")
    assert out.sum() == 2 * sum(values)
    assert (out % 2 == 0).all()


# ----------------------------------------------------------------------------- DASS errors

def test_missing_item_names_item_column_and_row():
    frame = pd.DataFrame([mod4_responses(42)] * 3, index=["a", "b", "c"])
    frame.loc["b", 12] = np.nan
    with pytest.raises(ValueError, match=r"item 12 \(column 12\) in row 'b' is missing"):
        score_dass(frame)


@pytest.mark.parametrize("bad", [4, -1, 1.5, 99])
def test_out_of_range_item_is_an_error(bad):
    items = {f"q{i}": 1 for i in range(1, 43)}
    items["q7"] = bad
    with pytest.raises(ValueError, match=r"item 7 \(column 'q7'\) is .*integers 0-3"):
        score_dass(items)


def test_other_dass_errors():
    with pytest.raises(ValueError, match="form"):
        score_dass(np.ones(42), form="DASS-40")
    with pytest.raises(ValueError, match="scales"):
        score_dass(np.ones(42), scales=["worry"])
    with pytest.raises(ValueError, match="42 items"):
        score_dass(np.ones(21))
    with pytest.raises(ValueError, match="must hold numbers"):
        score_dass({i: "often" for i in range(1, 43)})
    with pytest.raises(TypeError):
        score_dass(3)
    both = {**{f"q{i}": 1 for i in range(1, 43)}, **{f"r{i}": 1 for i in range(1, 43)}}
    with pytest.raises(ValueError, match="more than one set"):
        score_dass(both)
    with pytest.raises(ValueError, match="`columns`"):
        score_dass({f"q{i}": 1 for i in range(1, 43)}, columns=["q1", "q2"])


# ----------------------------------------------------------------------------- DASS bands

STRESS_EDGES = [(0, "normal"), (14, "normal"), (15, "mild"), (18, "mild"), (19, "moderate"),
                (25, "moderate"), (26, "severe"), (33, "severe"), (34, "extremely severe"),
                (42, "extremely severe")]
DEPRESSION_EDGES = [(9, "normal"), (10, "mild"), (13, "mild"), (14, "moderate"),
                    (20, "moderate"), (21, "severe"), (27, "severe"), (28, "extremely severe")]
ANXIETY_EDGES = [(7, "normal"), (8, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
                 (15, "severe"), (19, "severe"), (20, "extremely severe")]


@pytest.mark.parametrize(("scale", "edges"), [("stress", STRESS_EDGES),
                                               ("depression", DEPRESSION_EDGES),
                                               ("anxiety", ANXIETY_EDGES)])
def test_band_edges(scale, edges):
    for score, label in edges:
        assert dass_severity(score, scale=scale) == label, (scale, score)
    scores = [s for s, _ in edges]
    cat = dass_severity(scores, scale=scale)
    assert list(cat) == [label for _, label in edges]
    assert cat.ordered and list(cat.categories) == list(DASS_SEVERITY_LABELS)


def test_stress_edges_through_item_scoring():
    # 14 stress items: a total of k is k // 3 items at 3 plus one item at k % 3
    keys = DASS_ITEMS["DASS-42"]["stress"]
    for total, label in [(14, "normal"), (15, "mild"), (18, "mild"), (19, "moderate"),
                         (25, "moderate"), (26, "severe"), (33, "severe"),
                         (34, "extremely severe")]:
        items = dict.fromkeys(keys, 0)
        for k in keys[: total // 3]:
            items[k] = 3
        items[keys[total // 3]] = total % 3
        score = score_dass(items, scales="stress")["stress"]
        assert score == total
        assert dass_severity(score, scale="stress") == label


def test_dass21_band_via_doubling():
    # DASS-21 raw stress 7 -> 14 (normal), raw 8 -> 16 (mild): the manual's raw cut 8
    keys = DASS_ITEMS["DASS-21"]["stress"]
    for raw, label in [(7, "normal"), (8, "mild"), (12, "moderate"), (13, "severe"),
                       (17, "extremely severe")]:
        items = dict.fromkeys(keys, 0)
        for k in keys[: raw // 3]:
            items[k] = 3
        items[keys[raw // 3]] = raw % 3
        score = score_dass(items, form="DASS-21", scales="stress")["stress"]
        assert score == 2 * raw
        assert dass_severity(score, scale="stress") == label


def test_non_integer_scores_use_lower_bounds():
    assert dass_severity(14.5, scale="stress") == "normal"
    assert dass_severity(25.5, scale="stress") == "moderate"


def test_severity_keeps_series_index_and_name():
    s = pd.Series([3, 40], index=["x", "y"], name="dass_stress_d0")
    out = dass_severity(s, scale="stress")
    assert list(out.index) == ["x", "y"] and out.name == "dass_stress_d0"
    assert out.tolist() == ["normal", "extremely severe"]
    assert out.cat.ordered


@pytest.mark.parametrize("bad", [-1, 43, np.nan, np.inf])
def test_severity_rejects_out_of_range(bad):
    with pytest.raises(ValueError, match="0-42"):
        dass_severity([10, bad], scale="stress")


def test_severity_needs_a_scale():
    with pytest.raises(ValueError, match="`scale` is required"):
        dass_severity(10)
    with pytest.raises(ValueError, match="scale"):
        dass_severity(10, scale="Stress")
    with pytest.raises(ValueError, match="scale"):
        dass_severity(pd.DataFrame({"worry": [1]}))


# ----------------------------------------------------------------------------- BPI


def test_bpi_severity_hand_worked():
    # (8 + 3 + 5 + 6) / 4 = 22 / 4 = 5.5
    assert bpi_severity({"worst": 8, "least": 3, "average": 5, "now": 6}) == 5.5
    # (7 + 2 + 4 + 4) / 4 = 17 / 4 = 4.25: severity moves in quarter points
    assert bpi_severity([7, 2, 4, 4]) == 4.25
    assert bpi_severity(np.zeros(4)) == 0.0 and bpi_severity(np.full(4, 10)) == 10.0


def test_bpi_severity_frame_and_renamed_columns():
    frame = pd.DataFrame({"bpi3": [8, 10], "bpi4": [3, 6], "bpi5": [5, 8], "bpi6": [6, 9],
                          "id": ["a", "b"]}, index=[10, 11])
    mapping = dict(zip(BPI_SEVERITY_ITEMS, ["bpi3", "bpi4", "bpi5", "bpi6"], strict=True))
    out = bpi_severity(frame, columns=mapping)
    # (10 + 6 + 8 + 9) / 4 = 33 / 4 = 8.25
    pd.testing.assert_series_equal(out, pd.Series([5.5, 8.25], index=[10, 11],
                                                  name="bpi_severity"))
    pd.testing.assert_series_equal(bpi_severity(frame, columns=["bpi3", "bpi4", "bpi5", "bpi6"]),
                                   out)
    np.testing.assert_array_equal(bpi_severity(np.array([[8, 3, 5, 6], [10, 6, 8, 9]])),
                                  [5.5, 8.25])


@pytest.mark.parametrize("bad", [11, -1, 2.5, np.nan])
def test_bpi_severity_item_errors(bad):
    with pytest.raises(ValueError, match=r"BPI severity item least .*integers 0-10"):
        bpi_severity({"worst": 8, "least": bad, "average": 5, "now": 6})


def test_bpi_severity_missing_column():
    with pytest.raises(ValueError, match="not found"):
        bpi_severity(pd.DataFrame({"worst": [1], "least": [1], "average": [1]}))


def test_bpi_interference_hand_worked():
    # all seven: (4 + 6 + 2 + 3 + 5 + 7 + 1) / 7 = 28 / 7 = 4
    assert bpi_interference([4, 6, 2, 3, 5, 7, 1]) == 4.0
    # five answered: (4 + 6 + 2 + 5 + 7) / 5 = 24 / 5 = 4.8
    assert bpi_interference([4, 6, 2, None, 5, 7, None]) == pytest.approx(4.8, rel=1e-12)
    # exactly four answered is still valid: (10 + 0 + 5 + 5) / 4 = 5
    items = dict(zip(BPI_INTERFERENCE_ITEMS, [10, 0, 5, 5, None, None, None], strict=True))
    assert bpi_interference(items) == 5.0


def test_bpi_interference_too_few_answered_names_row():
    frame = pd.DataFrame([[1, 2, 3, 4, 5, 6, 7], [1, 2, 3, np.nan, np.nan, np.nan, np.nan]],
                         columns=list(BPI_INTERFERENCE_ITEMS), index=["p1", "p2"])
    with pytest.raises(ValueError, match=r"at least 4 of 7 .*3 answered in row 'p2'"):
        bpi_interference(frame)
    assert bpi_interference(frame.iloc[[0]]).tolist() == [4.0]
    with pytest.raises(ValueError, match="at least 7 of 7"):
        bpi_interference([1, 2, 3, 4, 5, 6, None], min_answered=7)
    with pytest.raises(ValueError, match="min_answered"):
        bpi_interference([1, 2, 3, 4, 5, 6, 7], min_answered=8)


def test_bpi_interference_range_error():
    with pytest.raises(ValueError, match=r"item mood .*is 12"):
        bpi_interference([1, 12, 3, 4, 5, 6, 7])
