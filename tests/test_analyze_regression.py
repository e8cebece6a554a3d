"""analyze() gives the same numbers as before its speed work, on 250 simulated trials.

The default run compares a sample (every 10th paired trial and every other design,
about 45 trials); ``pytest -m slow`` compares all 250.

The reference outputs were computed by commit 47df35a (the implementation before the
speed work) with ``tests/data/make_analyze_previous.py``: 230 paired trials and 10
alternating and 10 phase designs (``tests/_analyze_cases.py`` lists what each varies).
Every number and text of ``to_frame()``, ``to_dict()``, the per-outcome tables
(periods, pairs, analyses, sensitivity), the tests and effect sizes is compared.

Tolerances: numbers agree to ``rtol=1e-9`` (the speed work reorders no arithmetic, so
they agree to the last bit today; the margin leaves the randomization engines room to
change a last digit). GLS numbers (``gls_ar1``: a numerical optimum of a likelihood,
refitted by another piece of work) agree to ``rtol=1e-4``. The Bayesian numbers
(decision rule, prior sensitivity, Bayes rows and columns, the texts that quote
posterior probabilities) are stored apart in ``analyze_previous_bayes.json.xz`` and
checked by ``test_bayes_numbers_unchanged``: a deliberate change of the priors
regenerates that file alone, without loosening the rest.
"""

from __future__ import annotations

import json
import lzma
import math
import sys
from pathlib import Path
from typing import Any

import pytest

import nof1

sys.path.insert(0, str(Path(__file__).parent))
from _analyze_cases import case_params, run_analyze, snapshot  # noqa: E402

DATA = Path(__file__).parent / "data"
RTOL, ATOL = 1e-9, 1e-12
#: the GLS fit is a numerical optimum (see the module docstring)
GLS_RTOL, GLS_ATOL = 1e-4, 1e-4  # atol in score points: interval ends near 0
#: Satterthwaite df of GLS come from a finite-difference Hessian of the REML criterion; the
#: faster fit (issue 11) uses another difference stencil, which moves df by up to ~2% when
#: rho sits on its bound (0.99; e.g. case 210: 17.40 vs 17.71) and so the p-value and the
#: interval by up to ~0.2%; estimate and SE still agree to GLS_RTOL.
#: tests/test_models.py compares the fit itself with the previous search and with lmerTest.
GLS_DF_RTOL, GLS_INFERENCE_RTOL = 0.05, 5e-3
GLS_CI_ATOL = 0.01  # score points
#: cases whose GLS variance components are not identified (see assert_same): one
#: analysed day per period, so the period variance and the day-level AR(1) variance
#: cannot be told apart (cases 51, 76, 108, 113, 129, 171, 182, 201, 230)
UNIDENTIFIED_GLS_NUISANCE = tuple(
    f"case {i}." for i in range(250)
    if case_params(i)["kind"] == "paired"
    and case_params(i)["period_days"] - case_params(i)["washout_days"] == 1)
#: the cases on which the previous implementation raised instead of returning a result
#: (they must keep raising the same error until the behaviour is changed on purpose):
#: with a single scored day under one condition, the NAP effect size raises ValueError
KNOWN_ERRORS: set[int] = set()
#: cases that raised before and are analysed now, on purpose; checked by
#: test_fixed_errors_are_analysed instead of against the stored error:
#: case 73 (one scored day under a condition) aborted the whole analysis in the NAP
#: effect size; now that outcome simply has no NAP
FIXED_ERRORS = {73}


def _load(name: str) -> dict[str, Any]:
    with lzma.open(DATA / name, "rt", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def reference() -> tuple[dict[str, Any], dict[str, Any]]:
    return _load("analyze_previous.json.xz"), _load("analyze_previous_bayes.json.xz")


def _current(case: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(main, bayes) snapshots of the current implementation on a case, or its error."""
    p = case["params"]
    assert p == case_params(p["i"])  # the inputs are those the reference saw
    try:
        res = run_analyze(nof1, p, nof1.Schedule.from_dict(case["schedule"]))
    except Exception as exc:  # noqa: BLE001 - compared with the stored error
        return {"error": f"{type(exc).__name__}: {exc}"}, {}
    return snapshot(res)


@pytest.fixture(scope="module")
def current(reference):
    """The current snapshots, computed once per case on first use."""
    cache: dict[int, Any] = {}

    def get(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
        if i not in cache:
            cache[i] = _current(reference[0]["cases"][i])
        return cache[i]

    return get


def _gls(path: str) -> bool:
    return "gls" in path or "GLS" in path


def assert_same(got: Any, want: Any, path: str = "") -> None:
    """Equal structure, equal texts, numbers within the module's tolerances."""
    last = path.rsplit(".", 1)[-1]
    if path.startswith(UNIDENTIFIED_GLS_NUISANCE) and _gls(path) and "estimate" not in last:
        # one analysed day per period (e.g. case 230, four days apart): the period variance
        # and the AR(1) variance cannot be told apart, and the likelihood is flat in rho
        # (case 230, sleep: 0.009 before, 3e-5 now) or even in it when every gap between
        # scored days is even (case 230, stress: -0.889 before, +0.889 now), so these
        # nuisance parameters are wherever a search stops. The REML criterion is flat along
        # that ridge (case 76, stress: -1.41893853320 where the search stops now,
        # -1.41893853315 where it stopped before) while the SE of the treatment effect
        # is not (1.126 vs 1.000), so only the GLS estimate is compared in these cases
        return
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert list(got) == list(want), f"{path}: keys {list(got)} != {list(want)}"
        for k in want:
            assert_same(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        # the rows of a GLS line in a table: find them by the table's analysis column
        for j, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{path}[{j}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), \
            f"{path}: {got!r} != {want!r}"
        if math.isnan(want):
            assert math.isnan(got), f"{path}: {got!r} != nan"
            return
        rtol, atol = (GLS_RTOL, GLS_ATOL) if _gls(path) else (RTOL, ATOL)
        if _gls(path) and path.endswith(".df"):
            rtol = GLS_DF_RTOL
        elif _gls(path) and ("pvalue" in path or "ci_" in path):
            rtol = GLS_INFERENCE_RTOL
            if "ci_" in path:
                # an interval end near 0 moves in absolute, not relative, terms: case 208
                # (df 2.73 vs 2.74) moves an end at 0.057 by 0.003 points
                atol = GLS_CI_ATOL
        assert got == pytest.approx(want, rel=rtol, abs=atol), f"{path}: {got!r} != {want!r}"
    elif isinstance(want, str) and _gls(path) and ".note" in path:
        # the GLS row's note now also states its simulated calibration (issue 9)
        assert got.startswith(want), f"{path}: {got!r} does not extend {want!r}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def _gls_rows(table: dict[str, Any]) -> dict[str, Any]:
    """An analyses table with the GLS row's numbers labelled as GLS (for the tolerance)."""
    if not table or "analysis" not in table["values"]:
        return table
    rows = table["values"]["analysis"]
    values = {k: ([{"gls": v} if str(rows[j]).startswith("GLS") else v
                   for j, v in enumerate(col)] if k != "analysis" else col)
              for k, col in table["values"].items()}
    return {**table, "values": values}


def _prepare(snap: dict[str, Any]) -> dict[str, Any]:
    if "error" in snap:
        return snap
    snap = json.loads(json.dumps(snap, allow_nan=True))  # the stored form (lists, floats)
    for o in snap["outcomes"].values():
        o["analyses"] = _gls_rows(o["analyses"])
    return snap


def test_there_are_enough_cases(reference):
    kinds = [c["params"]["kind"] for c in reference[0]["cases"]]
    assert kinds.count("paired") >= 200
    assert kinds.count("alternating") >= 5 and kinds.count("phase") >= 5
    assert set(c.get("error") is not None for c in reference[0]["cases"]) == {False, True}


def _selection(reference, every: int) -> list[int]:
    """Every ``every``-th case, and all alternating, phase and failing cases."""
    return [i for i, c in enumerate(reference[0]["cases"])
            if i % every == 0 or c["params"]["kind"] != "paired" or i in KNOWN_ERRORS]


def _check_numbers(reference, current, cases: list[int]) -> None:
    for i in cases:
        case = reference[0]["cases"][i]
        want = {k: v for k, v in case.items() if k not in ("params", "schedule")}
        if i in FIXED_ERRORS:
            continue
        if i in KNOWN_ERRORS:
            assert "error" in want
        assert_same(_prepare(current(i)[0]), _prepare(want), f"case {i}")


def _check_bayes(reference, current, cases: list[int]) -> None:
    summaries = json.loads((DATA / "analyze_summaries_previous.json").read_text())
    assert summaries["rev"] == reference[1]["rev"]
    for i in cases:
        got = json.loads(json.dumps(current(i)[1], allow_nan=True))
        want = dict(reference[1]["cases"][i])
        if "summary_sha256" in want:
            # the summary must be unchanged apart from its GLS rows, whose numbers are
            # compared with the GLS tolerances above: the last printed digit of a GLS
            # interval can move within them (case 236: -0.869 before, -0.868 now), and
            # where the GLS nuisance parameters are not identified the interval is wherever
            # the search stops (case 76). So the hash of the rest is compared, with that of
            # the same commit's summaries (tests/data/make_analyze_summaries.py)
            assert got.pop("summary_sha256_without_gls") == summaries["cases"][i], \
                f"case {i}: the summary changed outside its GLS rows"
            del got["summary_sha256"], want["summary_sha256"]
        assert_same(got, want, f"case {i}")


def test_numbers_unchanged(reference, current):
    """A sample of the cases (all of them: ``test_numbers_unchanged_all``, in ``-m slow``)."""
    _check_numbers(reference, current, _selection(reference, 10))


def test_bayes_numbers_unchanged(reference, current):
    _check_bayes(reference, current, _selection(reference, 10))


def test_numbers_unchanged_all(reference, current):
    _check_numbers(reference, current, _selection(reference, 1))


def test_bayes_numbers_unchanged_all(reference, current):
    _check_bayes(reference, current, _selection(reference, 1))


def test_fixed_errors_are_analysed(reference, current):
    for i in FIXED_ERRORS:
        assert "error" in reference[0]["cases"][i]  # it raised before
        got = current(i)[0]
        assert "error" not in got, got
        assert set(got["outcomes"]) == {"pain", "stress", "sleep"}
