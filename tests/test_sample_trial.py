"""The committed, SIMULATED sample trial in sample_data/personal_trial/trial/.

Checks that the folder is a valid trial (key, commitment, diary), that it is what
make_sample.py produces, that the analysis runs and agrees with an independent
computation from the raw files, and that the participant's files written by the
toolkit reveal nothing about the allocation.
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _guess_choices import without_guess_choices
from scipy import stats

import nof1
from nof1.cli import main
from nof1.exceptions import DiaryWarning

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "personal_trial"
TRIAL = SAMPLE / "trial"
DIARY = TRIAL / "participant" / "diary.csv"
SCORES = ("pain", "stress", "sleep")


def _load_script():
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLE / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCRIPT = _load_script()


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _key() -> dict:
    return json.loads((TRIAL / "helper" / "key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trial():
    return nof1.read_trial(TRIAL, unblind=True)


@pytest.fixture(scope="module")
def diary(trial):
    return nof1.read_diary(DIARY, trial.schedule, outcomes=list(trial.protocol.outcomes),
                           warn=False)


@pytest.fixture(scope="module")
def result(trial, diary):
    return nof1.analyze(diary, trial.schedule, primary=trial.protocol.primary)


# -- the folder ---------------------------------------------------------------------------
def test_folder_layout():
    assert sorted(p.name for p in TRIAL.iterdir()) == ["helper", "participant"]
    assert sorted(p.name for p in (TRIAL / "participant").iterdir()) == [
        "calendar.ics", "diary.csv", "diary.html", "paper-diary.html", "protocol.json",
        "schedule.csv", "schedule.html"]
    assert sorted(p.name for p in (TRIAL / "helper").iterdir()) == ["key.json", "packs.html"]


def test_key_matches_the_commitment(trial):
    assert nof1.verify_trial(TRIAL) == trial.protocol.commitment
    assert main(["verify", str(TRIAL)]) == 0


def test_design_is_the_documented_one(trial):
    p, s = trial.protocol, trial.schedule
    assert s.design == nof1.PairedDesign(6)
    assert (p.start.isoformat(), p.end.isoformat()) == ("2026-01-05", "2026-06-28")
    assert (p.run_in_days, p.period_days, p.washout_days, p.n_days) == (7, 14, 7, 175)
    assert (s.active, s.control, p.primary, p.blinded) == ("magnesium", "placebo", "pain", True)


def test_allocation_is_reproducible_from_the_documented_seed_and_public_entropy(trial):
    key = _key()
    seed, entropy = key["allocation"]["seed"], key["allocation"]["entropy"]
    assert seed == SCRIPT.ALLOCATION_SEED and entropy == SCRIPT.SAMPLE_ENTROPY == "0" * 64
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert f"seed {seed}" in readme and "public" in readme
    # the mixing, written out independently of nof1.design.schedule.mix_seed
    import hashlib
    mixed = int.from_bytes(hashlib.sha256(b"nof1-allocation-v2:" + bytes(32) + b":"
                                          + str(seed).encode()).digest(), "big")
    assert key["schedule"]["seed"] == mixed
    again = nof1.make_schedule(nof1.PairedDesign(6), start="2026-01-05", period_days=14,
                               run_in_days=7, washout_days=7, rng=mixed)
    assert again.assignment.tolist() == key["schedule"]["assignment"]
    assert again.days["treatment"].equals(trial.schedule.days["treatment"])
    # the allocation the notebook describes (earlier versions of the sample)
    assert key["schedule"]["assignment"] == [1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1]


def test_diary_is_what_the_script_makes(trial):
    """Re-simulate on the committed schedule: the committed diary comes back, cell for cell."""
    committed = pd.read_csv(DIARY, dtype=str, keep_default_na=False)
    template = committed.copy()
    template[SCRIPT.FILLED] = ""
    filled = SCRIPT.simulate_diary(trial.schedule, effects=SCRIPT.EFFECTS,
                                   baselines=SCRIPT.BASELINES, rng=SCRIPT.DIARY_SEED,
                                   **SCRIPT.SIMULATION)
    again = SCRIPT.type_like_a_person(template, filled, trial.schedule.days,
                                      np.random.default_rng(SCRIPT.TYPING_SEED))
    pd.testing.assert_frame_equal(again, committed)


def test_readme_states_the_simulated_effects():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "SIMULATED" in text and "simulated" in text
    row = re.search(r"\| true effect, magnesium − placebo \|(.*)\|", text).group(1)
    stated = [float(v.strip(" *").replace("−", "-")) for v in row.split("|")]
    assert stated == [SCRIPT.EFFECTS[k] for k in SCORES]
    assert f"rng={SCRIPT.DIARY_SEED}" in text and f"rng={SCRIPT.TYPING_SEED}" in text


# -- the diary ----------------------------------------------------------------------------
def test_diary_reads_with_the_expected_issues(trial, diary):
    kinds = [i.kind for i in diary.issues]
    assert sorted(kinds) == ["decimal_comma", "decimal_comma", "missing_days"]
    with pytest.warns(DiaryWarning, match="decimal comma"):
        nof1.read_diary(DIARY, trial.schedule)
    assert len(diary.data) == trial.protocol.n_days
    assert diary.data["notes"].iloc[0].startswith("SIMULATED")


def test_decimal_commas_are_read_as_points(diary):
    raw = _rows(DIARY)
    commas = [(r["date"], name, r[name]) for r in raw for name in SCORES if "," in r[name]]
    assert len(commas) == 2  # one pain, one sleep score (see README)
    data = diary.data.set_index(diary.data["date"].dt.strftime("%Y-%m-%d"))
    for date, name, cell in commas:
        assert data.loc[date, name] == float(cell.replace(",", "."))
        issue = next(i for i in diary.issues if i.kind == "decimal_comma"
                     and i.message.startswith(name))
        assert date in issue.message


def test_scores_and_missing_days_agree_with_the_raw_file(diary):
    raw = _rows(DIARY)
    analysed = {r["date"] for r in _rows(TRIAL / "participant" / "schedule.csv")
                if r["analysed"] == "yes"}
    blank = [r["date"] for r in raw if r["date"] in analysed
             and all(not r[name].strip() for name in SCORES)]
    issue = next(i for i in diary.issues if i.kind == "missing_days")
    assert issue.message.startswith(f"of {len(analysed)} analysed days")
    assert issue.message.endswith(f"{len(blank)} day(s) have no score at all")
    for name in SCORES:  # counted per outcome: a half-filled day is scored for its outcomes
        n = sum(not r[name].strip() for r in raw if r["date"] in analysed) + \
            len(analysed - {r["date"] for r in raw})
        assert (f"{name} {n} (" in issue.message) == (n > 0)
    values = diary.data[list(SCORES)].to_numpy(dtype=float)
    assert np.nanmin(values) >= 0 and np.nanmax(values) <= 10
    n_entered = sum(bool(r[name].strip()) for r in raw for name in SCORES)
    assert np.isfinite(values).sum() == n_entered


# -- the analysis -------------------------------------------------------------------------
def _independent_pair_differences(outcome: str) -> np.ndarray:
    """Magnesium − placebo period means of analysed days, per pair, from the raw files only."""
    key = _key()
    treatment = {p["period"]: p["treatment"] for p in key["packs"]}
    analysed = {r["date"] for r in _rows(TRIAL / "participant" / "schedule.csv")
                if r["analysed"] == "yes"}
    sums: dict[int, list[float]] = {}
    for r in _rows(DIARY):
        cell = r[outcome].strip().replace(",", ".")
        if r["date"] in analysed and cell:
            sums.setdefault(int(r["period"]), []).append(float(cell))
    means = {p: float(np.mean(v)) for p, v in sums.items()}
    out = []
    for pair in range(6):
        first, second = 2 * pair + 1, 2 * pair + 2
        mg, pl = (first, second) if treatment[first] == "magnesium" else (second, first)
        assert treatment[mg] == "magnesium" and treatment[pl] == "placebo"
        out.append(means[mg] - means[pl])
    return np.array(out)


@pytest.mark.parametrize("outcome", SCORES)
def test_analysis_agrees_with_an_independent_computation(result, outcome):
    d = _independent_pair_differences(outcome)
    r = result[outcome]
    tt = stats.ttest_1samp(d, 0.0)
    ci = tt.confidence_interval(0.95)
    paired = r.tests["paired_t"]  # secondary analysis: scipy's paired t
    np.testing.assert_allclose([paired.estimate, paired.ci_low, paired.ci_high],
                               [d.mean(), ci.low, ci.high], rtol=1e-9)
    np.testing.assert_allclose(paired.pvalue, tt.pvalue, rtol=1e-9)
    # exact randomization test by brute force: all 2**6 sign flips of the pair differences
    flips = np.array(list(itertools.product([1.0, -1.0], repeat=6)))
    null = np.abs((flips * d).mean(axis=1))
    p_exact = np.mean(null >= abs(d.mean()) * (1 - 1e-9))
    assert r.estimate == pytest.approx(d.mean(), rel=1e-12)
    assert r.pvalue == pytest.approx(p_exact, rel=1e-12)

    # the headline interval inverts that test: brute-force one-sided p-values at delta
    def p_two(delta):
        t = (flips * (d - delta)).mean(axis=1)
        obs = (d - delta).mean()
        tol = 1e-9 * np.abs(d).max()
        return min(1.0, 2 * min(np.mean(t >= obs - tol), np.mean(t <= obs + tol)))

    eps = 1e-7
    assert p_two(r.ci_low + eps) > 0.05 >= p_two(r.ci_low - eps)
    assert p_two(r.ci_high - eps) > 0.05 >= p_two(r.ci_high + eps)


def test_primary_estimate_has_the_simulated_sign(result):
    assert result.primary == "pain"
    pain = result["pain"]
    assert np.sign(pain.estimate) == np.sign(SCRIPT.EFFECTS["pain"]) == -1
    assert pain.pvalue >= nof1.PairedDesign(6).min_pvalue("two-sided")
    # secondary outcomes carry Holm-adjusted p-values (two secondaries)
    p = sorted((result[n].pvalue, n) for n in ("stress", "sleep"))
    assert result[p[0][1]].pvalue_holm == pytest.approx(min(1.0, 2 * p[0][0]), rel=1e-12)
    assert result[p[1][1]].pvalue_holm == pytest.approx(
        max(min(1.0, 2 * p[0][0]), p[1][0]), rel=1e-12)


def test_cli_analyze_on_a_copy(tmp_path, capsys):
    copy = tmp_path / "trial"
    shutil.copytree(TRIAL, copy)
    assert main(["analyze", str(copy)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "Traceback" not in out
    report = copy / "report.html"
    assert report.is_file() and "pain" in report.read_text(encoding="utf-8")
    assert "decimal comma" in out
    assert main(["analyze", str(copy), "--format", "json"]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert spec["primary"] == "pain"
    assert [o["outcome"] for o in spec["outcomes"]] == list(SCORES)
    # the committed folder itself is untouched by the analysis
    assert not (TRIAL / "report.html").exists()


# -- blinding -----------------------------------------------------------------------------
def _participant_texts(folder: Path, *, drop_guesses: bool) -> dict[str, str]:
    """Every participant file, lower-cased; the protocol without its treatment fields.

    With ``drop_guesses`` the diary's ``blinding_guess`` column is removed: the sample
    participant typed "magnesium" or "placebo" there, which is a guess, not a leak.
    """
    out = {}
    for path in sorted((folder / "participant").iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ics":  # RFC 5545 line folding
            text = text.replace("\r\n ", "").replace("\r\n\t", "")
        text = without_guess_choices(folder, path.name, text)
        if path.name == "protocol.json":
            spec = json.loads(text)
            assert spec["treatments"] == sorted(spec["treatments"])
            del spec["treatments"], spec["control"]
            text = json.dumps(spec, ensure_ascii=False)
        if path.name == "diary.csv" and drop_guesses:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            text = frame.drop(columns="blinding_guess").to_csv(index=False)
        out[path.name] = text.lower()
    return out


def _assert_no_leak(folder: Path, *, drop_guesses: bool) -> None:
    key = json.loads((folder / "helper" / "key.json").read_text(encoding="utf-8"))
    seed = key["schedule"]["seed"]
    secrets_ = [str(seed), f"{seed:x}", key["salt"].lower(), str(key["allocation"]["seed"])]
    for name, text in _participant_texts(folder, drop_guesses=drop_guesses).items():
        for treatment in key["schedule"]["treatments"]:
            assert treatment.lower() not in text, (name, treatment)
        for secret in secrets_:
            assert secret not in text, (name, secret)
        assert set(re.findall(r"[0-9a-f]{64}", text)) <= {key["commitment"]}
        assert not re.search(r'"(assignment|seed|salt|roles_swapped)"\s*:', text)
    for name in ("schedule.csv", "diary.csv"):
        with open(folder / "participant" / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert not {"condition", "treatment", "assignment", "pair"} & set(rows[0])
        assert all(cell.strip().upper() not in {"A", "B"} for row in rows for cell in row)


def test_committed_participant_files_do_not_reveal_the_allocation():
    _assert_no_leak(TRIAL, drop_guesses=True)
    # the only treatment names in the participant's diary are the participant's own guesses
    frame = pd.read_csv(DIARY, dtype=str, keep_default_na=False)
    guesses = set(frame["blinding_guess"]) - {""}
    assert guesses <= {"magnesium", "placebo", "don't know"}


def test_template_from_the_same_design_reveals_nothing(tmp_path):
    """What `nof1 design` writes for the sample's settings, before anyone typed a guess."""
    folder = tmp_path / "trial"
    SCRIPT.design_trial(folder)
    _assert_no_leak(folder, drop_guesses=False)
    template = pd.read_csv(folder / "participant" / "diary.csv", dtype=str,
                           keep_default_na=False)
    assert (template[SCRIPT.FILLED] == "").all().all()
