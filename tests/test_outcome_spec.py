"""Outcomes people define: the one-line specification, its file format, and their round trip."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nof1.outcomes import (
    CONVENTION_SOURCE,
    DEFAULT_OUTCOMES,
    Outcome,
    outcome_spec,
    parse_outcome_spec,
    read_outcomes_file,
)

_KEY_AFTER_COLON = re.compile(r":\s*(mcid|question|low|high|source)\s*=", re.I)

names = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)
texts = (st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"),
                 max_size=40)
         .map(str.strip)
         .filter(lambda t: not _KEY_AFTER_COLON.search(t)))
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def outcomes(draw):
    low = draw(finite)
    width = draw(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False))
    high = low + width
    assume(high > low)
    mcid = draw(st.floats(min_value=1e-6, max_value=1.0)) * (high - low)
    assume(0 < mcid <= high - low)
    return Outcome(name=draw(names), question=draw(texts.filter(bool)), low=low, high=high,
                   higher_is_better=draw(st.booleans()), mcid=mcid,
                   mcid_source=draw(texts), low_label=draw(texts), high_label=draw(texts))


@settings(max_examples=300, deadline=None)
@given(outcomes())
def test_spec_round_trip(outcome):
    assert parse_outcome_spec(outcome_spec(outcome)) == outcome


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_an_outcome_or_a_value_error(text):
    try:
        out = parse_outcome_spec(text)
    except ValueError as exc:
        assert str(exc)  # a message, never an empty error
        return
    assert isinstance(out, Outcome)
    assert out.low < out.high and 0 < out.mcid <= out.high - out.low


@settings(max_examples=200, deadline=None)
@given(names.filter(lambda n: n not in DEFAULT_OUTCOMES), st.sampled_from(["lower", "higher"]),
       st.permutations(["scale", "direction", "mcid"]))
def test_order_of_scale_direction_and_mcid_does_not_matter(name, direction, order):
    pieces = {"scale": "1-7", "direction": direction, "mcid": "mcid=0.5"}
    out = parse_outcome_spec(":".join([name, *(pieces[k] for k in order),
                                       "question=How: today?"]))
    assert (out.low, out.high, out.direction, out.mcid) == (1.0, 7.0, direction, 0.5)
    assert out.question == "How: today?"     # a colon inside a text is kept


def test_issue_example():
    mood = parse_outcome_spec("mood:0-10:higher:mcid=1.5:question=How was your mood today?")
    assert mood == Outcome(name="mood", question="How was your mood today?", low=0, high=10,
                           higher_is_better=True, mcid=1.5,
                           mcid_source="given when the trial was designed")


def test_defaults_and_overrides():
    assert parse_outcome_spec("pain") == DEFAULT_OUTCOMES["pain"]
    assert parse_outcome_spec(" Sleep ") == DEFAULT_OUTCOMES["sleep"]
    pain2 = parse_outcome_spec("pain:mcid=2:source=Farrar et al. 2001")
    assert (pain2.mcid, pain2.mcid_source, pain2.question) == (
        2.0, "Farrar et al. 2001", DEFAULT_OUTCOMES["pain"].question)
    fatigue = parse_outcome_spec("fatigue:lower:low=none:high=exhausted")
    assert (fatigue.low, fatigue.high, fatigue.mcid) == (0.0, 10.0, 1.0)
    assert fatigue.mcid_source == CONVENTION_SOURCE
    assert fatigue.question == "Fatigue today (0 = none, 10 = exhausted)"
    assert parse_outcome_spec("steps:0-20000:higher:mcid=1000").mcid == 1000.0


@pytest.mark.parametrize(("spec", "message"), [
    ("mood", "say which direction is better"),
    ("mood:up", "cannot read 'up'"),
    ("mood:higher:lower", "direction is given twice"),
    ("mood:0-10:1-5:higher", "scale is given twice"),
    ("mood:1-7:higher", "give the minimal clinically important difference"),
    ("mood:higher:mcid=abc", "mcid must be a number"),
    ("mood:higher:mcid=nan", "mcid must be finite"),
    ("mood:higher:mcid=1:mcid=2", "mcid= is given twice"),
    ("mood:higher:mcid=20", "exceeds the scale range"),
    ("mood:10-0:higher:mcid=1", "must be below"),
    ("Mood Score:higher", "lower-case letters"),
    ("", "lower-case letters"),
])
def test_bad_specs(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_outcome_spec(spec)


def test_negative_scale():
    t = parse_outcome_spec("change:-5--1:lower:mcid=0.5")
    assert (t.low, t.high) == (-5.0, -1.0)


def test_outcomes_file(tmp_path):
    path = tmp_path / "outcomes.txt"
    path.write_text("# outcomes\n\npain:mcid=2\n  mood:higher:question=Mood: how was it?\n",
                    encoding="utf-8")
    got = read_outcomes_file(path)
    assert [o.name for o in got] == ["pain", "mood"]
    assert got[1].question == "Mood: how was it?"
    path.write_text("pain\nmood:sideways\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: outcome 'mood:sideways'"):
        read_outcomes_file(path)
    path.write_text("pain\npain:mcid=2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: outcome 'pain' is defined twice"):
        read_outcomes_file(path)
    path.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="defines no outcome"):
        read_outcomes_file(path)
