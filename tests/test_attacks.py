"""Attacks on a trial's two promises: a secret allocation and a plan nobody can rewrite.

1. A participant who holds only ``participant/`` and guesses the seed (2026, which the
   README's example used to print, or any seed in 0-10,000) predicts the allocation no
   better than chance, for paired, phase and alternating designs. A control run of the
   same attacker against a seed-only draw shows that the attacker is competent.
2. Every field of ``protocol.json`` edited after the start: ``verify`` and ``analyze``
   refuse (well-typed edits of the plan with exit code 3).
3. A key swapped and re-committed together with the commitment in ``protocol.json``:
   refused, because ``schedule.html`` and ``calendar.ics`` still show the original.

The predictor of the allocation from participant-visible files (pack codes) lives in
``tests/test_trial_folder.py``.

Bounds: every chance bound is a one-sided binomial (or Hoeffding) quantile at
level 1e-6, so that a secret allocation fails a test with probability below 1e-6
per assertion, while the seed-only control (which an attacker wins every time)
fails it for certain.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from nof1 import PairedDesign, make_schedule
from nof1.cli import main
from nof1.design import design_from_dict
from nof1.design.schedule import mix_seed
from nof1.planning.simulate import simulate_diary
from nof1.trial import create_trial, read_trial
from nof1.trial.blinding import key_commitment

LEVEL = 1e-6
README_SEED = 2026
#: the README's example after the folder name, with the seed it used to print (and --yes:
#: the date may be in the past when the tests run, which the command otherwise asks about)
README_ARGS = ["--start", "2026-01-05", "--pairs", "6", "--period-days", "14",
               "--washout-days", "7", "--seed", str(README_SEED), "--yes"]
DESIGN_ARGS = {
    "paired": README_ARGS,
    "alternating": ["--design", "alternating", "--periods", "12", "--start", "2026-01-05",
                    "--yes"],
    "phase": ["--design", "phase", "--phases", "ABAB", "--days", "84", "--min-phase", "14",
              "--start", "2026-01-05", "--yes"],
}
N_TRIALS = 40
GUESSED_SEEDS = range(10_001)


def _seeds() -> list[int]:
    """The seeds the attacked trials use: the README's, edges of 0-10,000, then a sample."""
    fixed = [README_SEED, 0, 1, 42, 10_000]
    rest = np.random.default_rng(20260105).choice(10_001, N_TRIALS - len(fixed), replace=False)
    return fixed + [int(s) for s in rest]


# -- the attacker: participant files only ------------------------------------------------
def _protocol(folder: Path) -> dict:
    return json.loads((folder / "participant" / "protocol.json").read_text(encoding="utf-8"))


def _truth(folder: Path) -> list[str]:
    """What the packs hold, per period (from the helper's key: for scoring only)."""
    key = json.loads((folder / "helper" / "key.json").read_text(encoding="utf-8"))
    return [p["treatment"] for p in key["packs"]]


def _seeded_guess(spec: dict, seed: int) -> list[str]:
    """Per-period treatments of the seed-only draw, rebuilt from protocol.json."""
    design = design_from_dict(spec["design"])
    s = make_schedule(design, start=spec["start"], period_days=spec["period_days"],
                      run_in_days=spec["run_in_days"], washout_days=spec["washout_days"],
                      treatments=("magnesium", "placebo"),
                      randomize_roles=design.kind == "phase", rng=seed)
    return s.periods["treatment"].tolist()


@functools.cache
def _phase_table(design_json: str) -> dict[tuple[int, ...], int]:
    """Brute force: phase lengths (in units) -> first seed in 0-10,000 that draws them."""
    design = design_from_dict(json.loads(design_json))
    table: dict[tuple[int, ...], int] = {}
    for seed in GUESSED_SEEDS:
        a = design.draw(np.random.default_rng(seed))
        runs = tuple(int(n) for n in np.diff(np.flatnonzero(np.diff(np.r_[-1, a, -1]))))
        table.setdefault(runs, seed)
    return table


def _attack(spec: dict, known_seed: int) -> list[str]:
    """The participant's best guess of every period's treatment.

    Paired and alternating: the participant sees nothing that depends on the
    allocation, so they redraw from the seed they guessed (the README's, or the one
    they were told). Phase: the phase-change days are visible; if the guessed seed
    does not draw them, they search seeds 0-10,000 for one that does, and use its
    role coin too. ``spec`` is ``participant/protocol.json``.
    """
    if spec["design"]["kind"] != "phase":
        return _seeded_guess(spec, known_seed)
    return _seeded_guess(spec, _phase_seed(spec, known_seed))


def _phase_seed(spec: dict, known_seed: int) -> int:
    lengths = tuple(p["n_days"] // spec["period_days"] for p in spec["packs"])
    design = design_from_dict(spec["design"])
    if known_seed >= 0:
        a = design.draw(np.random.default_rng(known_seed))
        if tuple(int(n) for n in np.diff(np.flatnonzero(np.diff(np.r_[-1, a, -1])))) == lengths:
            return known_seed
    table = _phase_table(json.dumps(spec["design"], sort_keys=True))
    return table.get(lengths, max(known_seed, 0))


def _n_secret(spec: dict) -> int:
    """How many per-period treatment sequences fit what the participant sees: every
    admissible assignment for paired and alternating designs; for a phase design the
    phase-change days are visible (the packs change), so only the two role orders."""
    return 2 if spec["design"]["kind"] == "phase" else spec["n_assignments"]


def _score(guesses: list[list[str]], truths: list[list[str]], n_assignments: int) -> None:
    """Assert that the guesses are no better than chance (one-sided, level 1e-6).

    ``n_assignments``: how many per-period treatment sequences are possible
    (:func:`_n_secret`); each is equally likely under a secret allocation.
    """
    n = len(truths)
    first = sum(g[0] == t[0] for g, t in zip(guesses, truths, strict=True))
    exact = sum(g == t for g, t in zip(guesses, truths, strict=True))
    share = np.mean([np.mean([a == b for a, b in zip(g, t, strict=True)])
                     for g, t in zip(guesses, truths, strict=True)])
    # period 1 holds either treatment with probability 1/2 whatever the guess
    assert first <= stats.binom.isf(LEVEL, n, 0.5), (first, n)
    # the whole allocation: one of the design's admissible assignments, uniformly
    assert exact <= stats.binom.isf(LEVEL, n, 1 / n_assignments), (exact, n)
    # share of periods right: independent trials, each share in [0, 1] with mean 1/2
    # under secrecy; Hoeffding: P(mean - 1/2 >= t) <= exp(-2 n t^2)
    assert share <= 0.5 + math.sqrt(math.log(1 / LEVEL) / (2 * n)), share


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """N_TRIALS blinded trials per design, made with ``nof1 design`` and a guessable seed."""
    root = tmp_path_factory.mktemp("attacked")
    out: dict[str, list[tuple[Path, int]]] = {}
    for kind, args in DESIGN_ARGS.items():
        out[kind] = []
        for i, seed in enumerate(_seeds()):
            folder = root / f"{kind}-{i}"
            argv = ["design", str(folder), *args]
            if "--seed" not in argv:
                argv += ["--seed", str(seed)]
            else:
                argv[argv.index("--seed") + 1] = str(seed)
            assert main(argv) == 0
            out[kind].append((folder, seed))
    return out


@pytest.mark.parametrize("kind", sorted(DESIGN_ARGS))
def test_guessed_seeds_recover_no_more_than_chance(attacked, kind, capsys):
    capsys.readouterr()
    trials = attacked[kind]
    n_assignments = _n_secret(_protocol(trials[0][0]))
    guesses = [_attack(_protocol(folder), seed) for folder, seed in trials]
    truths = [_truth(folder) for folder, _ in trials]
    _score(guesses, truths, n_assignments)


def test_readme_example_a_participant_only_attacker_fails(tmp_path, capsys):
    """The README's command, run as printed, 40 times: the README seed predicts nothing."""
    guesses, truths = [], []
    for i in range(N_TRIALS):
        folder = tmp_path / f"my-trial-{i}"
        assert main(["design", str(folder), *README_ARGS]) == 0
        participant_only = tmp_path / f"participant-copy-{i}"
        shutil.copytree(folder / "participant", participant_only / "participant")
        guesses.append(_attack(_protocol(participant_only), README_SEED))
        truths.append(_truth(folder))
    out = capsys.readouterr().out
    assert "the seed alone does not reproduce" in out
    _score(guesses, truths, n_assignments=64)


@pytest.mark.parametrize("kind", sorted(DESIGN_ARGS))
def test_control_the_same_attacker_wins_against_a_seed_only_draw(attacked, kind):
    """Control: had the allocation been drawn from the seed alone (the seed-only
    ``make_schedule(rng=seed)``, with its seeded role coin), the same attacker would
    recover it every time and the chance bounds would fail. For phase designs the
    brute force also finds, without the seed, a seed that draws the visible
    phase-change days."""
    guesses, truths = [], []
    for folder, seed in attacked[kind]:
        spec = _protocol(folder)
        design = design_from_dict(spec["design"])
        legacy = make_schedule(design, start=spec["start"], period_days=spec["period_days"],
                               run_in_days=spec["run_in_days"],
                               washout_days=spec["washout_days"],
                               randomize_roles=design.kind == "phase", rng=seed)
        periods = legacy.periods
        view = {**spec, "packs": [{"n_days": int(n)} for n in periods["n_days"]]}
        guesses.append(_attack(view, seed))
        truths.append(periods["treatment"].tolist())
        if kind == "phase":  # not told the seed: found from the phase-change days
            found = _phase_seed(view, -1)
            np.testing.assert_array_equal(design.draw(np.random.default_rng(found)),
                                          legacy.assignment)
    assert guesses == truths
    with pytest.raises(AssertionError):
        _score(guesses, truths, _n_secret(_protocol(attacked[kind][0][0])))


def test_the_key_reproduces_the_allocation_the_seed_does_not(attacked):
    for trials in attacked.values():
        for folder, seed in trials[:5]:
            key = json.loads((folder / "helper" / "key.json").read_text())
            assert key["allocation"]["seed"] == seed
            mixed = mix_seed(seed, key["allocation"]["entropy"])
            assert key["schedule"]["seed"] == mixed != seed
            assert read_trial(folder, unblind=True).schedule.to_dict() == key["schedule"]


# -- the plan cannot be rewritten ---------------------------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished blinded trial with a filled diary (simulated)."""
    folder = tmp_path_factory.mktemp("plan") / "trial"
    trial = create_trial(folder, design=PairedDesign(6), start="2026-01-05")
    filled = simulate_diary(trial.schedule, rng=5)
    filled.to_csv(folder / "participant" / "diary.csv", index=False)
    return folder


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _edited(value):
    """A different value of the same JSON type (dates shifted by a day)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 0.9 if value else 0.1
    if value is None:
        return 1
    assert isinstance(value, str)
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value[:8] + ("02" if value[8:] == "01" else "01")
    return value + " (edited)"


def _set(spec, path, value):
    target = spec
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_refused(code, err, codes):
    assert code in codes, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nof1: error: ") and "Traceback" not in err


def test_every_protocol_field_edited_is_refused(finished, tmp_path, capsys):
    path = finished / "participant" / "protocol.json"
    original = path.read_bytes()
    spec = json.loads(original)
    leaves = [(p, v) for p, v in _leaves(spec) if p != ("commitment",)]
    assert len(leaves) > 100
    report = tmp_path / "report.html"
    try:
        for leaf, value in leaves:
            edited = copy.deepcopy(spec)
            _set(edited, leaf, _edited(value))
            path.write_text(json.dumps(edited, indent=2), encoding="utf-8")
            for argv in (("verify", finished), ("analyze", finished, "--report", report)):
                code, out, err = _run(capsys, *argv)
                # 3: the plan differs from the committed one; 2: the edit broke the format
                _assert_refused(code, err, {2, 3})
                assert not report.exists(), leaf
    finally:
        path.write_bytes(original)
    assert _run(capsys, "verify", finished)[0] == 0


#: well-typed edits of the plan that would change a conclusion: exit code 3, naming the field
PLAN_EDITS = {
    "primary": lambda s: s.__setitem__("primary", "sleep") or _plan_primary(s, "sleep"),
    "outcomes": lambda s: s["outcomes"][0].__setitem__("mcid", 2.0),
    "outcomes ": lambda s: s["outcomes"][0].__setitem__("higher_is_better", True),
    "outcomes  ": lambda s: s["outcomes"][0].__setitem__("mcid_source", "another paper"),
    "decision_rule": lambda s: s["decision_rule"].__setitem__("probability_threshold", 0.6),
    "decision_rule ": lambda s: s["decision_rule"].__setitem__("mcid", 0.5),
    "analysis_plan": lambda s: s["analysis_plan"]["sensitivity"].pop(),
    "analysis_plan ": lambda s: s["analysis_plan"].__setitem__("unblinded_interim", True),
    "washout_days": lambda s: s.__setitem__("washout_days", 3),
    "design": lambda s: s["design"].__setitem__("n_pairs", 5),
    "blinded": lambda s: s.__setitem__("blinded", False),
    "start": lambda s: s.__setitem__("start", "2026-01-06"),
}


def _plan_primary(spec, name):
    spec["analysis_plan"]["primary_outcome"] = name
    spec["decision_rule"]["outcome"] = name


@pytest.mark.parametrize("field", sorted(PLAN_EDITS))
def test_plan_edits_exit_3_and_name_the_field(finished, tmp_path, capsys, field):
    path = finished / "participant" / "protocol.json"
    original = path.read_bytes()
    spec = json.loads(original)
    PLAN_EDITS[field](spec)
    commitment = spec["commitment"]
    try:
        path.write_text(json.dumps(spec, indent=2), encoding="utf-8")
        for argv in (("verify", finished),
                     ("analyze", finished, "--report", tmp_path / "r.html")):
            code, out, err = _run(capsys, *argv)
            _assert_refused(code, err, {3})
            assert f"{field.strip()!r}" in err and commitment in err and out == ""
    finally:
        path.write_bytes(original)


# -- key and commitment swapped together -----------------------------------------------------
def _forge(folder: Path) -> tuple[dict, str]:
    """A key holder's careful swap: a different allocation, drawn from new entropy (so the
    audit passes), re-committed, and the new commitment written into protocol.json."""
    key_path = folder / "helper" / "key.json"
    key = json.loads(key_path.read_text())
    alloc = key["allocation"]
    design = design_from_dict(key["schedule"]["design"])
    spec = key["schedule"]
    for i in range(1000):
        entropy = f"{i:064x}"
        s = make_schedule(design, start=spec["start"], period_days=spec["period_days"],
                          run_in_days=spec["run_in_days"], washout_days=spec["washout_days"],
                          treatments=tuple(alloc["treatments"]),
                          randomize_roles=alloc["randomize_roles"],
                          rng=mix_seed(alloc["seed"], entropy))
        if s.to_dict()["assignment"] != spec["assignment"]:
            break
    forged = copy.deepcopy(key)
    forged["allocation"]["entropy"] = entropy
    forged["schedule"] = s.to_dict()
    for pack, row in zip(forged["packs"], s.periods.itertuples(), strict=True):
        pack["treatment"] = row.treatment
    forged["commitment"] = key_commitment(forged)
    key_path.write_text(json.dumps(forged, indent=2))
    protocol_path = folder / "participant" / "protocol.json"
    protocol = json.loads(protocol_path.read_text())
    old = protocol["commitment"]
    protocol["commitment"] = forged["commitment"]
    protocol_path.write_text(json.dumps(protocol, indent=2))
    return forged, old


@pytest.fixture
def copy_of(finished, tmp_path):
    target = tmp_path / "trial"
    shutil.copytree(finished, target)
    return target


def test_key_and_commitment_swapped_together_are_refused(copy_of, capsys):
    original = json.loads((copy_of / "helper" / "key.json").read_text())["schedule"]
    forged, old = _forge(copy_of)
    assert forged["schedule"]["assignment"] != original["assignment"]
    for argv in (("verify", copy_of), ("analyze", copy_of, "--format", "json")):
        code, out, err = _run(capsys, *argv)
        _assert_refused(code, err, {3})
        assert "schedule.html" in err and old in err and forged["commitment"] in err


def test_every_printed_copy_is_checked(copy_of, capsys):
    _forge(copy_of)
    participant = copy_of / "participant"
    html = participant / "schedule.html"
    ics = participant / "calendar.ics"
    new = json.loads((participant / "protocol.json").read_text())["commitment"]
    # rewrite schedule.html too: calendar.ics still shows the original
    original_html = html.read_text()
    old = _protocol_commitment_in(original_html)
    html.write_text(original_html.replace(old, new).replace(old[:16], new[:16]))
    code, _, err = _run(capsys, "verify", copy_of)
    _assert_refused(code, err, {3})
    assert "calendar.ics" in err
    # rewrite every copy: the folder agrees with itself, and verify prints the new digest,
    # which differs from the one printed at the start (the copy the person kept)
    ics_bytes = ics.read_bytes().replace(b"\r\n ", b"")
    ics.write_bytes(ics_bytes.replace(old.encode(), new.encode()))
    code, _, err = _run(capsys, "verify", copy_of)  # the diary pages still show the old one
    _assert_refused(code, err, {3})
    assert "diary.html" in err
    for page in ("diary.html", "paper-diary.html"):
        path = participant / page
        path.write_text(path.read_text().replace(old[:16], new[:16]))
    code, out, _ = _run(capsys, "verify", copy_of)
    assert code == 0 and f"commitment: {new}" in out and old not in out


def _protocol_commitment_in(html: str) -> str:
    import re

    return re.findall(r'class="hash">([0-9a-f]{64})<', html)[0]


@pytest.mark.parametrize("name", ["schedule.html", "calendar.ics", "protocol.json"])
def test_one_printed_copy_edited_is_refused(copy_of, capsys, name):
    path = copy_of / "participant" / name
    commitment = json.loads((copy_of / "participant" / "protocol.json").read_text())[
        "commitment"]
    text = path.read_bytes()
    if name == "calendar.ics":
        text = text.replace(b"\r\n ", b"")
    other = ("0" if commitment[0] != "0" else "1") + commitment[1:]
    assert commitment.encode() in text
    path.write_bytes(text.replace(commitment.encode(), other.encode(), 1))
    for argv in (("verify", copy_of), ("analyze", copy_of, "--format", "json")):
        code, out, err = _run(capsys, *argv)
        _assert_refused(code, err, {3})
        assert out == ""


def test_edited_key_alone_is_exit_1(copy_of, capsys):
    path = copy_of / "helper" / "key.json"
    key = json.loads(path.read_text())
    key["packs"][0]["treatment"], key["packs"][1]["treatment"] = (key["packs"][1]["treatment"],
                                                                  key["packs"][0]["treatment"])
    path.write_text(json.dumps(key))
    for argv in (("verify", copy_of), ("analyze", copy_of, "--format", "json")):
        code, out, err = _run(capsys, *argv)
        _assert_refused(code, err, {1})


def test_a_chosen_allocation_fails_the_audit_even_when_recommitted(copy_of, capsys):
    """A key holder who picks the allocation (instead of drawing it) and re-commits the key
    and every printed copy is caught by the audit: the entropy does not draw it."""
    key_path = copy_of / "helper" / "key.json"
    key = json.loads(key_path.read_text())
    flipped = [1 - a for a in key["schedule"]["assignment"]]
    key["schedule"]["assignment"] = flipped
    s = design_from_dict(key["schedule"]["design"])
    assert s.is_admissible(np.array(flipped))
    for pack in key["packs"]:
        pack["treatment"] = "placebo" if pack["treatment"] == "magnesium" else "magnesium"
    old = key["commitment"]
    key["commitment"] = key_commitment(key)
    key_path.write_text(json.dumps(key))
    for name in ("protocol.json", "schedule.html", "diary.html", "paper-diary.html"):
        p = copy_of / "participant" / name
        p.write_text(p.read_text().replace(old, key["commitment"])
                     .replace(old[:16], key["commitment"][:16]))
    ics = copy_of / "participant" / "calendar.ics"
    ics.write_bytes(ics.read_bytes().replace(b"\r\n ", b"").replace(
        old.encode(), key["commitment"].encode()))
    code, out, err = _run(capsys, "verify", copy_of)
    _assert_refused(code, err, {1})
    assert "not the one its seed and entropy draw" in err


def test_seeds_of_blinded_trials_are_not_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for line in readme.splitlines():
        if "nof1 design" in line and "--seed" in line:
            assert "--open-label" in line, line


def test_blinded_analysis_checks_the_plan_through_the_group_key(copy_of, tmp_path, capsys):
    groups = tmp_path / "groups.json"
    assert main(["groups", str(copy_of), "--output", str(groups)]) == 0
    capsys.readouterr()
    code, out, err = _run(capsys, "analyze", copy_of, "--groups", groups, "--format", "json")
    assert code == 0, err
    prov = json.loads(out)["provenance"]
    assert prov["plan_verified"] is True and prov["key_verified"] is False
    path = copy_of / "participant" / "protocol.json"
    spec = json.loads(path.read_text())
    spec["decision_rule"]["probability_threshold"] = 0.6
    path.write_text(json.dumps(spec, indent=2))
    code, out, err = _run(capsys, "analyze", copy_of, "--groups", groups, "--format", "json")
    _assert_refused(code, err, {3})
    assert spec["commitment"] in err


@pytest.mark.parametrize("page", ["diary.html", "paper-diary.html"])
def test_a_diary_page_with_another_commitment_is_refused(tmp_path, page):
    """A re-committed protocol.json whose diary pages still show the old digest is caught."""
    from nof1.exceptions import PlanMismatchError
    from nof1.trial.folder import check_printed_copies

    trial = create_trial(tmp_path / "t", design=PairedDesign(2), start="2030-01-07")
    commitment = trial.protocol.commitment
    check_printed_copies(trial.directory, commitment)
    path = trial.directory / "participant" / page
    text = path.read_text(encoding="utf-8")
    assert commitment[:16] in text
    path.write_text(text.replace(commitment[:16], "0" * 16), encoding="utf-8")
    with pytest.raises(PlanMismatchError, match=page):
        check_printed_copies(trial.directory, commitment)
