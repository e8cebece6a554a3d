"""Pack codes, the helper's key, its salted SHA-256 commitment, unblinding and group keys."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign, make_schedule
from nof1.exceptions import KeyMismatchError, TrialExistsError, TrialFileError
from nof1.outcomes import default_outcomes
from nof1.trial.blinded_analysis import group_key, schedule_from_groups
from nof1.trial.blinding import (
    PACK_ALPHABET,
    key_commitment,
    load_key,
    make_key,
    make_pack_codes,
    short_commitment,
    unblind,
    verify_key,
    write_key,
)
from nof1.trial.protocol import make_protocol

START = "2026-01-05"


def _schedule(kind: str = "paired", rng: int = 12345, randomize_roles: bool = False):
    design = {"paired": PairedDesign(4), "alternating": AlternatingDesign(8, max_run=2),
              "phase": PhaseDesign("ABAB", n_occasions=40, min_phase=7)}[kind]
    return make_schedule(design, start=START, period_days=1 if kind == "phase" else 14,
                         run_in_days=7, washout_days=3, randomize_roles=randomize_roles,
                         rng=rng)


# -- pack codes -------------------------------------------------------------------
def test_alphabet_has_no_confusable_characters():
    assert not set(PACK_ALPHABET) & set("0OQD1IL2Z5S6G8BUV")
    assert len(set(PACK_ALPHABET)) == len(PACK_ALPHABET) >= 16


@pytest.mark.parametrize("n, length", [(1, 4), (12, 4), (200, 3), (50, 6)])
def test_pack_codes_are_distinct_from_the_alphabet(n, length):
    codes = make_pack_codes(n, length=length)
    assert len(codes) == n == len(set(codes))
    assert all(len(c) == length and set(c) <= set(PACK_ALPHABET) for c in codes)
    assert not {"A", "B"} & set(codes)


def test_pack_codes_can_fill_a_small_code_space():
    # 17**3 = 4913 codes of length 3: 1000 distinct ones need many redraws, still terminates
    assert len(set(make_pack_codes(1000, length=3))) == 1000


@pytest.mark.parametrize("kwargs, exc", [({"n": 0}, ValueError), ({"n": 2.0}, TypeError),
                                         ({"n": 3, "length": 2}, ValueError)])
def test_pack_codes_validate(kwargs, exc):
    with pytest.raises(exc):
        make_pack_codes(**kwargs)


# -- commitment -------------------------------------------------------------------
def test_commitment_matches_a_reference_digest():
    # Reference from GNU coreutils 9.1:
    # { head -c 32 /dev/zero; printf '%s' '{"allocation":{"entropy":null,"seed":7},
    #   "packs":[{"code":"K7TM","treatment":"magn\u00e9sium"}],"plan":{"primary":"pain"},
    #   "schedule":{"seed":7},"trial_id":"TEST-0001"}'; } | sha256sum
    # (one line in the shell; the JSON is canonical: sorted keys, no spaces, ASCII escapes)
    key = {"trial_id": "TEST-0001", "schedule": {"seed": 7},
           "packs": [{"treatment": "magnésium", "code": "K7TM"}], "salt": "00" * 32,
           "allocation": {"seed": 7, "entropy": None}, "plan": {"primary": "pain"},
           "created": "ignored", "commitment": "ignored"}
    expected = "e78d6927eb16ac7e7272b920ff7ccc67a9feeb5ac9c0ce18181eef995f474ac5"
    assert key_commitment(key) == expected
    # creation time and the stored commitment are outside the payload
    key["created"] = "2030-01-01T00:00:00Z"
    assert key_commitment(key) == expected


def test_commitment_reference_with_another_salt():
    # { printf '\x01%.0s' $(seq 32);
    #   printf '%s' '{"allocation":{},"packs":[],"plan":{},"schedule":{},"trial_id":"T"}'; }
    #   | sha256sum        (GNU coreutils 9.1)
    key = {"trial_id": "T", "schedule": {}, "packs": [], "allocation": {}, "plan": {},
           "salt": "01" * 32}
    assert key_commitment(key) == (
        "e206fba8c761e6f0d3574bb98b8cf90e8f1f321611d405c9102fe1360a3ff707")


def test_key_layout():
    s = _schedule()
    key = make_key(s, trial_id="TEST-0001", created="2026-01-01T00:00:00Z")
    assert set(key) == {"format", "version", "trial_id", "created", "schedule", "packs",
                        "allocation", "plan", "salt", "commitment"}
    assert key["format"] == "nof1-key" and key["version"] == 2
    assert key["allocation"]["seed"] == s.seed and key["allocation"]["entropy"] is None
    assert key["schedule"] == s.to_dict()
    assert len(key["salt"]) == 64 and int(key["salt"], 16) >= 0
    periods = s.periods
    assert [p["period"] for p in key["packs"]] == periods["period"].tolist()
    assert [p["treatment"] for p in key["packs"]] == periods["treatment"].tolist()
    assert [p["start"] for p in key["packs"]] == [d.isoformat() for d in periods["start"]]
    assert set(key["packs"][0]) == {"period", "code", "treatment", "start", "end"}
    assert short_commitment(key["commitment"]) == key["commitment"][:16]
    json.dumps(key)  # JSON-serializable


def test_same_schedule_gets_new_codes_salt_and_id():
    s = _schedule()
    k1, k2 = make_key(s), make_key(s)
    assert k1["schedule"] == k2["schedule"]
    assert [p["code"] for p in k1["packs"]] != [p["code"] for p in k2["packs"]]
    assert k1["salt"] != k2["salt"] and k1["trial_id"] != k2["trial_id"]
    assert k1["commitment"] != k2["commitment"]


def _edit_treatment(k):
    p = k["packs"][0]
    p["treatment"] = next(t for t in k["schedule"]["treatments"] if t != p["treatment"])


def _edit_assignment(k):
    a = k["schedule"]["assignment"]
    a[0], a[1] = a[1], a[0]


def _edit_start(k):
    k["schedule"]["start"] = "2026-01-06"


def _edit_salt(k):
    k["salt"] = ("0" if k["salt"][0] != "0" else "1") + k["salt"][1:]


def _swap_packs(k):
    p = k["packs"]
    p[0]["code"], p[1]["code"] = p[1]["code"], p[0]["code"]


def _edit_seed(k):
    k["schedule"]["seed"] += 1


def _edit_trial_id(k):
    k["trial_id"] = "OTHR-TRAL"


@pytest.mark.parametrize("edit", [_edit_treatment, _edit_assignment, _edit_start, _edit_salt,
                                  _swap_packs, _edit_seed, _edit_trial_id])
def test_verify_key_rejects_edits(edit):
    key = make_key(_schedule())
    commitment = key["commitment"]
    verify_key(key, commitment)
    edited = copy.deepcopy(key)
    edit(edited)
    with pytest.raises(KeyMismatchError) as info:
        verify_key(edited, commitment)
    assert "\n" not in str(info.value)
    assert short_commitment(commitment) in str(info.value)


def test_verify_key_rejects_a_recommitted_key():
    # editing the key *and* recomputing its own commitment field still fails against the
    # participant's copy
    key = make_key(_schedule())
    commitment = key["commitment"]
    edited = copy.deepcopy(key)
    _edit_treatment(edited)
    edited["commitment"] = key_commitment(edited)
    with pytest.raises(KeyMismatchError):
        verify_key(edited, commitment)


def test_verify_key_rejects_a_key_from_another_trial():
    s = _schedule()
    key, other = make_key(s), make_key(s)  # even the very same schedule
    with pytest.raises(KeyMismatchError):
        verify_key(other, key["commitment"])


def test_verify_key_rejects_an_edited_own_commitment_field():
    key = make_key(_schedule())
    commitment = key["commitment"]
    key["commitment"] = "0" * 64
    with pytest.raises(KeyMismatchError, match="own commitment"):
        verify_key(key, commitment)


def test_verify_key_accepts_upper_case_and_spaces():
    key = make_key(_schedule())
    verify_key(key, f" {key['commitment'].upper()} ")


@pytest.mark.parametrize("commitment", ["", "abc", "g" * 64, None])
def test_verify_key_validates_the_commitment(commitment):
    with pytest.raises(ValueError, match="commitment"):
        verify_key(make_key(_schedule()), commitment)


@pytest.mark.parametrize("drop", ["salt", "packs", "schedule", "trial_id"])
def test_commitment_of_an_incomplete_key(drop):
    key = make_key(_schedule())
    del key[drop]
    with pytest.raises(TrialFileError, match=drop):
        key_commitment(key)


@pytest.mark.parametrize("salt", ["00" * 32 + "\n", "AB" * 32, "00" * 31, 64])
def test_a_salt_is_exactly_64_lower_case_hex_digits(salt):
    # one rule for every digest nof1 reads (salt, commitment, group key): a trailing
    # newline does not pass, as it did with re.match(r"^...$")
    key = make_key(_schedule())
    key["salt"] = salt
    with pytest.raises(TrialFileError, match="salt"):
        key_commitment(key)


def test_key_and_group_key_files_have_one_layout(tmp_path):
    # the key writer serves the group key too: indented UTF-8 text ending in a newline
    key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=1,
                                 treatments=("magnésium", "placebo")))
    text = write_key(key, tmp_path / "key.json").read_text(encoding="utf-8")
    assert "magnésium" in text and text.endswith("}\n") and text.startswith('{\n  "')
    groups = write_key(group_key(key, rng=1), tmp_path / "groups.json")
    assert json.loads(groups.read_text(encoding="utf-8")) == group_key(key, rng=1)
    assert groups.read_text(encoding="utf-8").startswith('{\n  "format": "nof1-group-key"')


# -- files --------------------------------------------------------------------------
def test_write_and_load_key(tmp_path):
    key = make_key(_schedule())
    path = write_key(key, tmp_path / "key.json")
    assert load_key(path) == key
    with pytest.raises(TrialExistsError):
        write_key(key, path)
    other = make_key(_schedule())
    write_key(other, path, overwrite=True)
    assert load_key(path) == other
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key.json"]  # no temp files left


@pytest.mark.parametrize("content, match", [
    ("{not json", "not valid JSON"),
    ('{"format": "something-else"}', "not a nof1 key"),
    ('{"format": "nof1-key", "version": 1}', "version"),
    ('{"format": "nof1-key", "version": 2}', "has no"),
    ("[1, 2]", "not a nof1 key"),
])
def test_load_key_errors(tmp_path, content, match):
    path = tmp_path / "key.json"
    path.write_text(content)
    with pytest.raises(TrialFileError, match=match):
        load_key(path)


def test_load_key_missing_and_unreadable(tmp_path):
    with pytest.raises(TrialFileError, match="not found"):
        load_key(tmp_path / "nope.json")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(TrialFileError, match="cannot read"):
        load_key(tmp_path / "dir.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(TrialFileError, match="UTF-8"):
        load_key(tmp_path / "bin.json")


# -- unblinding -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["paired", "alternating", "phase"])
def test_unblind_returns_the_schedule(kind):
    s = _schedule(kind, randomize_roles=kind == "phase")
    key = make_key(s)
    out = unblind(key, key["commitment"])
    np.testing.assert_array_equal(out.assignment, s.assignment)
    assert out.to_dict() == s.to_dict()


def test_unblind_rejects_an_edited_key():
    key = make_key(_schedule())
    commitment = key["commitment"]
    _edit_treatment(key)
    with pytest.raises(KeyMismatchError):
        unblind(key, commitment)


def test_unblind_rejects_packs_that_disagree_with_the_schedule():
    # a key that matches its commitment but whose packs were filled in wrongly
    key = make_key(_schedule())
    _edit_treatment(key)
    key["commitment"] = key_commitment(key)
    with pytest.raises(TrialFileError, match="disagrees"):
        unblind(key, key["commitment"])


def test_unblind_rejects_an_inadmissible_schedule():
    key = make_key(_schedule())
    key["schedule"]["assignment"] = [0] * len(key["schedule"]["assignment"])
    key["commitment"] = key_commitment(key)
    with pytest.raises(TrialFileError, match="schedule"):
        unblind(key, key["commitment"])


# -- group keys (blinded analysis) ----------------------------------------------------
def _protocol(schedule, key):
    return make_protocol(schedule, key, outcomes=default_outcomes(), primary="pain",
                         blinded=True)


@pytest.mark.parametrize("kind", ["paired", "alternating", "phase"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_group_key_reveals_only_the_partition(kind, seed):
    s = _schedule(kind, rng=seed, randomize_roles=kind == "phase")
    key = make_key(s)
    groups = group_key(key, rng=seed)
    assert groups["commitment"] == key["commitment"]
    assert set(groups["groups"].values()) == {"X", "Y"}
    text = json.dumps(groups).lower()
    assert not any(t in text for t in s.treatments)
    # same treatment <-> same group
    for p in key["packs"]:
        for q in key["packs"]:
            same_group = groups["groups"][p["code"]] == groups["groups"][q["code"]]
            assert same_group == (p["treatment"] == q["treatment"])
    g = schedule_from_groups(groups, _protocol(s, key))
    assert g.treatments == ("group X", "group Y")
    assert g.design.is_admissible(g.assignment)
    same = np.array_equal(g.assignment, s.assignment)
    assert same or np.array_equal(g.assignment, 1 - s.assignment)
    if kind == "phase":  # X is always the condition of the first phase
        assert same
    assert g.days["date"].equals(s.days["date"])
    assert g.days["analysed"].equals(s.days["analysed"])


def test_group_x_is_random_for_symmetric_designs():
    key = make_key(_schedule("paired"))
    first = key["packs"][0]["code"]
    labels = {group_key(key, rng=seed)["groups"][first] for seed in range(20)}
    assert labels == {"X", "Y"}  # P(all 20 equal) = 2**-19


def test_group_key_of_another_trial_is_rejected():
    s = _schedule()
    key, other = make_key(s), make_key(s)
    with pytest.raises(KeyMismatchError):
        schedule_from_groups(group_key(other, rng=1), _protocol(s, key))
    forged = group_key(key, rng=1)
    forged["groups"] = {"ZZZZ": "X", **dict(list(forged["groups"].items())[1:])}
    with pytest.raises(KeyMismatchError, match="pack codes"):
        schedule_from_groups(forged, _protocol(s, key))
    with pytest.raises(TrialFileError):
        schedule_from_groups({"groups": {}}, _protocol(s, key))


def test_group_key_needs_an_intact_key():
    key = make_key(_schedule())
    _edit_treatment(key)
    with pytest.raises(KeyMismatchError):
        group_key(key)
