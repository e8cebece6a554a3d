"""Protocol and decision-rule fields are type-checked on load: clear errors naming the field."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nof1 import PairedDesign, create_trial
from nof1.cli import main
from nof1.exceptions import TrialFileError
from nof1.trial.protocol import Protocol, read_protocol


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    folder = tmp_path_factory.mktemp("types") / "t"
    create_trial(folder, design=PairedDesign(2), start="2026-01-05")
    return json.loads((folder / "participant" / "protocol.json").read_text())


def _set(spec, path, value):
    target = spec
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value


BAD = [
    (("blinded",), "no", "'blinded' must be true or false"),
    (("blinded",), 1, "'blinded' must be true or false"),
    (("decision_rule",), None, "'decision_rule' must be an object"),
    (("decision_rule", "probability_threshold"), "x", "'decision_rule.probability_threshold'"),
    (("decision_rule", "probability_threshold"), 2, "'decision_rule.probability_threshold'"),
    (("decision_rule", "probability_threshold"), True, "'decision_rule.probability_threshold'"),
    (("decision_rule", "probability_threshold"), 0.5, "'decision_rule.probability_threshold'"),
    (("decision_rule", "no_benefit_threshold"), "0.5", "'decision_rule.no_benefit_threshold'"),
    (("decision_rule", "mcid"), -1, "'decision_rule.mcid'"),
    (("decision_rule", "outcome"), "sleep", "'decision_rule.outcome'"),
    (("decision_rule", "prior"), "enthusiastic", "'decision_rule.prior'"),
    (("analysis_plan",), [], "'analysis_plan' must be an object"),
    (("analysis_plan", "unblinded_interim"), "yes", "'analysis_plan.unblinded_interim'"),
    (("analysis_plan", "sensitivity"), "none", "'analysis_plan.sensitivity'"),
    (("analysis_plan", "alpha"), 5, "'analysis_plan.alpha'"),
    (("n_days",), "63", "'n_days' must be a whole number"),
    (("washout_days",), -1, "'washout_days'"),
    (("period_days",), 14.0, "'period_days'"),
    (("treatments",), ["magnesium"], "'treatments'"),
    (("control",), "water", "'control'"),
    (("packs", 0, "code"), 5, "'packs[0].code'"),
    (("packs", 1, "n_days"), None, "'packs[1].n_days'"),
    (("outcomes", 0, "mcid"), "1", "'outcomes[0].mcid'"),
    (("outcomes", 0, "higher_is_better"), "no", "'outcomes[0].higher_is_better'"),
    (("min_pvalue",), {"two-sided": 0.25}, "'min_pvalue'"),
    (("commitment",), "abc", "'commitment'"),
    (("trial_id",), 7, "'trial_id'"),
]


@pytest.mark.parametrize("path, value, words", BAD)
def test_bad_field_types_are_named(spec, tmp_path, path, value, words):
    bad = json.loads(json.dumps(spec))
    _set(bad, path, value)
    with pytest.raises(TrialFileError, match=words.replace("[", r"\[").replace(".", r"\.")):
        Protocol.from_dict(bad)
    file = tmp_path / "protocol.json"
    file.write_text(json.dumps(bad))
    with pytest.raises(TrialFileError, match="protocol field"):
        read_protocol(file)


@pytest.mark.parametrize("path, value, words", BAD[:6])
def test_cli_reports_a_bad_type_in_one_line_with_exit_2(tmp_path, capsys, path, value, words):
    folder = tmp_path / "t"
    assert main(["design", str(folder), "--start", "2026-01-05", "--pairs", "2", "--yes"]) == 0
    file = folder / "participant" / "protocol.json"
    bad = json.loads(file.read_text())
    _set(bad, path, value)
    file.write_text(json.dumps(bad))
    capsys.readouterr()
    for command in ("verify", "status", "analyze"):
        assert main([command, str(folder)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and words in err and "Traceback" not in err


def test_nan_and_infinity_are_not_numbers(spec):
    for value in (float("nan"), float("inf")):
        bad = json.loads(json.dumps(spec))
        bad["decision_rule"]["probability_threshold"] = value
        with pytest.raises(TrialFileError, match="probability_threshold"):
            Protocol.from_dict(bad)


_JSON = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                  st.text(max_size=5), st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
_FIELDS = ["trial_id", "created", "nof1_version", "blinded", "treatments", "control", "design",
           "n_assignments", "min_pvalue", "start", "end", "run_in_days", "period_days",
           "washout_days", "n_days", "packs", "outcomes", "primary", "analysis_plan",
           "decision_rule", "commitment"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_FIELDS), value=_JSON)
def test_any_value_in_any_field_loads_or_raises_trial_file_error(spec, field, value):
    """Whatever a field holds, loading gives a Protocol or one TrialFileError, nothing else."""
    bad = json.loads(json.dumps(spec))
    bad[field] = value
    try:
        Protocol.from_dict(bad)
    except TrialFileError as exc:
        assert "\n" not in str(exc)
