"""Plain-language sentences: signs, sides of the MCID, no double negatives (property tests)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from nof1.analysis.interpret import compare_with_mcid, describe_blinded, describe_effect
from nof1.outcomes import DEFAULT_OUTCOMES

PAIN, SLEEP = DEFAULT_OUTCOMES["pain"], DEFAULT_OUTCOMES["sleep"]
finite = st.floats(-8, 8, allow_nan=False).map(lambda x: round(x, 2))


@given(finite, finite, finite)
def test_interval_words_match_the_signs(a, b, est):
    lo, hi = sorted((a, b))
    text = describe_effect(PAIN, est, lo, hi, treatment="magnesium", control="placebo")
    ci = text[text.index("(") + 1:]
    if lo > 0:
        assert ci.endswith("higher).") and "lower" not in ci
    elif hi < 0:
        assert ci.endswith("lower).") and "higher" not in ci
    if est > 0:
        assert "higher with magnesium than with placebo" in text
    elif est < 0:
        assert "lower with magnesium than with placebo" in text


@given(finite, finite, st.sampled_from([PAIN, SLEEP]))
def test_mcid_sentence_places_the_interval_without_double_negatives(a, b, outcome):
    lo, hi = sorted((a, b))
    text = compare_with_mcid(outcome, lo, hi, treatment="magnesium")
    assert not re.search(r"\b(excludes no|not no|no difference)\b", text)
    benefit = sorted((outcome.benefit(lo), outcome.benefit(hi)))
    good = "higher" if outcome.higher_is_better else "lower"
    if benefit[0] > 0:
        assert text.startswith(f"Every value in the interval means {good} ")
        assert ("by at least the MCID" in text) == (benefit[0] >= outcome.mcid)
    elif benefit[1] < 0:
        assert "(worse)" in text
    else:
        assert text.startswith("The interval contains 0")


@given(finite, finite, finite, st.floats(0, 1))
def test_blinded_sentence_has_no_direction_of_benefit(a, b, est, p):
    lo, hi = sorted((a, b))
    text = describe_blinded(PAIN, est, lo, hi, p)
    for word in ("benefit", "better", "worse", "magnesium", "placebo", "worthwhile"):
        assert word not in text
    assert "group X" in text and "unknown until the key is opened" in text
