"""Randomization test: SCRT reference values, independent brute force, scipy, errors.

Reference p-values come from SCRT 1.3.1 (R 4.2.2), exhaustive procedure
``pvalue.systematic(design, statistic, limit, data)``, stored with the data in
tests/data/scrt_cases.json beside the R script that produced them (provenance in
tests/data/README.md). The brute-force checks below re-implement SCRT's rule
(R/pvalue.systematic.R: ``p = #(dist >= observed or NA) / quantity``, means with
``na.rm=TRUE``) in exact rational arithmetic over itertools-generated assignments,
independently of the package's enumeration and statistic code.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.analysis import (
    RandomizationTestResult,
    randomization_test,
)

REFERENCE = Path(__file__).parent / "data" / "scrt_cases.json"
CASES = json.loads(REFERENCE.read_text())


def scrt_design(case: dict):
    """Map SCRT design names to ours (one score per unit)."""
    n = len(case["scores"])
    name = case["design"]
    if name in ("AB", "ABA", "ABAB"):
        return PhaseDesign(name, n_occasions=n, min_phase=case["limit"])
    if name == "RBD":
        return PairedDesign(n // 2)
    if name == "CRD":
        return AlternatingDesign(n)
    if name == "ATD":
        return AlternatingDesign(n, max_run=case["limit"])
    raise AssertionError(f"unknown SCRT design {name}")


# SCRT statistic -> (statistic, alternative) in our vocabulary, both spellings
SCRT_MAP = {
    "A-B": [("A-B", "greater")],
    "B-A": [("A-B", "less"), ("B-A", "greater")],
    "|A-B|": [("A-B", "two-sided"), ("|A-B|", "two-sided"), ("|A-B|", "greater")],
    "PA-PB": [("PA-PB", "greater")],
    "PB-PA": [("PA-PB", "less"), ("PB-PA", "greater")],
    "|PA-PB|": [("PA-PB", "two-sided"), ("|PA-PB|", "two-sided")],
}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_scrt_reference_cases(case):
    # SCRT 1.3.1, R 4.2.2: pvalue.systematic(design=case$design, statistic=case$statistic,
    #   limit=case$limit, data=data.frame(labels, scores)) -> case$pvalue;
    #   quantity(design, MT=length(scores), limit) -> case$n_assignments
    design = scrt_design(case)
    assert design.n_assignments == case["n_assignments"]
    for statistic, alternative in SCRT_MAP[case["statistic"]]:
        res = randomization_test(case["scores"], case["labels"], design=design,
                                 statistic=statistic, alternative=alternative)
        assert res.exact
        assert res.n_assignments == case["n_assignments"]
        np.testing.assert_allclose(res.pvalue, case["pvalue"], rtol=1e-12, atol=0)


def test_reference_file_covers_all_scrt_designs_but_atd():
    assert {c["design"] for c in CASES} == {"AB", "ABAB", "RBD", "CRD"}


# --- independent brute force (exact rational arithmetic) ---------------------------------

def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values, Fraction(0)) / len(values) if values else None


def _scrt_statistic(scores, labels, statistic, phases=None):
    """SCRT's statistics on Fractions; None where it cannot be computed (R's NA)."""
    a = [s for s, c in zip(scores, labels, strict=True) if c == 0]
    b = [s for s, c in zip(scores, labels, strict=True) if c == 1]
    if statistic in ("A-B", "B-A", "|A-B|"):
        ma, mb = _mean(a), _mean(b)
        if ma is None or mb is None:
            return None
        d = ma - mb
    else:  # mean of phase means over the phases (runs) of the assignment
        runs = [list(g) for _, g in itertools.groupby(zip(labels, scores, strict=True),
                                                      key=lambda t: t[0])]
        means = {0: [], 1: []}
        for run in runs:
            m = _mean([s for _, s in run])
            if m is not None:
                means[run[0][0]].append(m)
        if not means[0] or not means[1]:
            return None
        d = _mean(means[0]) - _mean(means[1])
    return {"A-B": d, "B-A": -d, "|A-B|": abs(d), "PA-PB": d, "PB-PA": -d, "|PA-PB|": abs(d)}[
        statistic]


def _brute_pvalue(scores, observed, assignments, statistic):
    """SCRT's pvalue.systematic rule over a list of assignments."""
    t = _scrt_statistic(scores, observed, statistic)
    dist = [_scrt_statistic(scores, a, statistic) for a in assignments]
    return Fraction(sum(1 for v in dist if v is None or v >= t), len(dist))


def _paired_assignments(k):
    return [sum(([c, 1 - c] for c in firsts), []) for firsts in itertools.product((0, 1),
                                                                                  repeat=k)]


def _alternating_assignments(n, max_run=None):
    out = []
    for a_pos in itertools.combinations(range(n), n // 2):
        a = [1] * n
        for i in a_pos:
            a[i] = 0
        runs = [len(list(g)) for _, g in itertools.groupby(a)]
        if max_run is None or max(runs) <= max_run:
            out.append(a)
    return out


def _phase_assignments(phases, n, min_phase):
    out = []
    p = len(phases)
    for cps in itertools.combinations(range(1, n), p - 1):
        bounds = (0, *cps, n)
        lengths = [e - s for s, e in zip(bounds[:-1], bounds[1:], strict=True)]
        if min(lengths) >= min_phase:
            out.append([0 if phases[i] == "A" else 1 for i in range(p) for _ in range(lengths[i])])
    return out


def _fractions(values):
    return [None if v is None else Fraction(str(v)) for v in values]


def _floats(values):
    return [np.nan if v is None else float(v) for v in values]


BRUTE_CASES = [
    # (name, design, assignments, observed, scores with None = missing, statistics)
    ("paired, missing incl. a pair with no A data",
     PairedDesign(5), _paired_assignments(5), [0, 1, 1, 0, 0, 1, 1, 0, 0, 1],
     [5.1, None, 4.2, 6.3, None, 5.5, 6.0, 4.4, 3.9, 5.2], ("A-B", "B-A", "|A-B|")),
    ("paired, one period per condition left",
     PairedDesign(3), _paired_assignments(3), [0, 1, 1, 0, 0, 1],
     [5.0, None, None, 6.5, None, 4.0], ("A-B", "B-A", "|A-B|")),
    ("alternating with run cap 2 (SCRT ATD limit 2)",
     AlternatingDesign(12, max_run=2), _alternating_assignments(12, 2),
     [0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1],
     [4.1, 5.2, 6.0, 3.9, 5.5, 4.0, 4.2, 5.9, 3.3, 4.4, 5.0, 5.1], ("A-B", "B-A", "|A-B|")),
    ("alternating with run cap 3, missing, decimals that tie in exact arithmetic",
     AlternatingDesign(10, max_run=3), _alternating_assignments(10, 3),
     [0, 0, 1, 1, 1, 0, 1, 0, 0, 1],
     [0.1, 0.2, 0.3, None, 0.6, 0.3, 0.1, 0.2, 0.4, 0.3], ("A-B", "B-A", "|A-B|")),
    ("alternating, several missing so that some orders have no A data",
     AlternatingDesign(8), _alternating_assignments(8), [0, 1, 0, 1, 1, 0, 1, 0],
     [None, 3.0, 4.5, None, 2.5, None, 3.5, None], ("A-B", "B-A", "|A-B|")),
    ("ABAB, missing, a phase without data",
     PhaseDesign("ABAB", 20, 3), _phase_assignments("ABAB", 20, 3),
     [0] * 5 + [1] * 6 + [0] * 4 + [1] * 5,
     [6, 5, None, 7, 6, None, None, None, 4, 3, 4, 6, 5, 7, 6, 3, 4, None, 3, 2],
     ("A-B", "|A-B|", "PA-PB", "PB-PA", "|PA-PB|")),
    ("ABA, PA-PB (SCRT passes B2 = NA)",
     PhaseDesign("ABA", 15, 3), _phase_assignments("ABA", 15, 3),
     [0] * 4 + [1] * 6 + [0] * 5,
     [3, 4, 3, 5, 7, 6, 8, 7, 6, 7, 4, 3, None, 4, 5], ("A-B", "PA-PB", "|PA-PB|")),
]


@pytest.mark.parametrize("case", BRUTE_CASES, ids=[c[0] for c in BRUTE_CASES])
def test_against_brute_force_scrt_rule(case):
    _, design, assignments, observed, scores, statistics = case
    assert len(assignments) == design.n_assignments
    for statistic in statistics:
        expected = _brute_pvalue(_fractions(scores), observed, assignments, statistic)
        res = randomization_test(_floats(scores), observed, design=design, statistic=statistic,
                                 alternative="greater" if "|" not in statistic else "two-sided")
        assert res.pvalue == pytest.approx(float(expected), rel=1e-12, abs=0)


def test_brute_force_case_has_assignments_without_a_data():
    """The 'no A data' convention is exercised: some assignments have an undefined statistic."""
    _, design, assignments, observed, scores, _ = BRUTE_CASES[4]
    dist = [_scrt_statistic(_fractions(scores), a, "A-B") for a in assignments]
    assert any(v is None for v in dist)
    res = randomization_test(_floats(scores), observed, design=design)
    assert np.isnan(res.null_distribution).sum() == sum(v is None for v in dist)


def test_washout_brute_force():
    """Wash-out: the first w occasions of every phase are dropped for EACH assignment."""
    design = PhaseDesign("ABAB", 20, 4)
    w = 2
    observed = [0] * 6 + [1] * 5 + [0] * 4 + [1] * 5
    scores = [5, 6, 3, 2, 3, 2, 4, 6, 6, 5, 6, 5, 3, 2, 3, 6, 7, 6, None, 7]
    fr = _fractions(scores)

    def stat(a, name):
        kept = list(fr)
        for i in range(len(a)):
            if i < w or any(a[j] != a[j - 1] for j in range(max(1, i - w + 1), i + 1)):
                kept[i] = None
        return _scrt_statistic(kept, a, name)

    for name in ("A-B", "PA-PB"):
        t = stat(observed, name)
        assignments = _phase_assignments("ABAB", 20, 4)
        dist = [stat(a, name) for a in assignments]
        expected = Fraction(sum(1 for v in dist if v is None or v >= t), len(dist))
        res = randomization_test(_floats(scores), observed, design=design, statistic=name,
                                 alternative="greater", washout=w)
        assert res.pvalue == pytest.approx(float(expected), rel=1e-12, abs=0)
        assert res.statistic == pytest.approx(float(t), rel=1e-12)


# --- research/peers.md C17: sleeping pills (scdtb), a day-level completely randomized design --
# 14 days, E (treatment) = A, C = B; one-sided 77/3432 and two-sided 154/3432 unrestricted;
# with runs <= 2: 12/518 and 24/518.
PILLS_LABELS = list("ECECCECEECCEEC")
PILLS_SCORES = [6, 5, 7, 4, 5, 6, 5, 7, 4, 5, 4, 6, 7, 6]


@pytest.mark.parametrize(("max_run", "n", "one_sided", "two_sided"),
                         [(None, 3432, 77, 154), (2, 518, 12, 24)])
def test_sleeping_pills_c17(max_run, n, one_sided, two_sided):
    design = AlternatingDesign(14, max_run=max_run)
    labels = ["A" if c == "E" else "B" for c in PILLS_LABELS]
    greater = randomization_test(PILLS_SCORES, labels, design=design, alternative="greater")
    both = randomization_test(PILLS_SCORES, labels, design=design)
    assert greater.n_assignments == n
    assert greater.statistic == pytest.approx(1.2857142857142858, rel=1e-12)
    assert greater.pvalue == pytest.approx(one_sided / n, rel=1e-12)
    assert both.pvalue == pytest.approx(two_sided / n, rel=1e-12)


# --- agreement with scipy.stats.permutation_test ------------------------------------------

@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("integer", [False, True])
def test_paired_matches_scipy_samples(alternative, integer):
    rng = np.random.default_rng(7)
    design = PairedDesign(9)
    labels = design.draw(rng)
    scores = rng.normal(5, 1, size=18) - 0.4 * (labels == 0)
    if integer:
        scores = np.round(scores * 2)
    a, b = scores[labels == 0], scores[labels == 1]  # pair j: A and B period of pair j
    ref = stats.permutation_test(
        (a, b), lambda x, y, axis: np.mean(x - y, axis=axis), permutation_type="samples",
        n_resamples=np.inf, alternative=alternative, vectorized=True)
    res = randomization_test(scores, labels, design=design, alternative=alternative)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)
    np.testing.assert_allclose(np.sort(res.null_distribution), np.sort(ref.null_distribution),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_alternating_matches_scipy_independent(alternative):
    rng = np.random.default_rng(11)
    design = AlternatingDesign(12)
    labels = design.draw(rng)
    scores = np.round(rng.normal(5, 1, size=12), 1) + 0.5 * (labels == 0)
    ref = stats.permutation_test(
        (scores[labels == 0], scores[labels == 1]),
        lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis),
        permutation_type="independent", n_resamples=np.inf, alternative=alternative,
        vectorized=True)
    res = randomization_test(scores, labels, design=design, alternative=alternative)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-12)


# --- mapping of statistic names and alternatives -------------------------------------------

def test_statistic_spellings_agree():
    design = PhaseDesign("ABAB", 24, 4)
    case = dict(scores=[6, 2, 5, 3, 4, 4, 1, 2, 3, 1, 3, 2, 2, 3, 4, 2, 4, 3, 0, 1, 2, 0, 2, 1],
                labels=list("AAAAAABBBBBBAAAAAABBBBBB"))
    p = {}
    for stat_, alt in [("A-B", "greater"), ("A-B", "less"), ("A-B", "two-sided"),
                       ("B-A", "greater"), ("B-A", "less"), ("B-A", "two-sided"),
                       ("|A-B|", "two-sided"), ("|A-B|", "greater")]:
        res = randomization_test(case["scores"], case["labels"], design=design,
                                 statistic=stat_, alternative=alt)
        p[stat_, alt] = res.pvalue
        if stat_ == "B-A":
            assert res.statistic == -2.0
        elif stat_ == "|A-B|":
            assert res.alternative == "two-sided"
    assert p["B-A", "greater"] == p["A-B", "less"]
    assert p["B-A", "less"] == p["A-B", "greater"]
    assert p["|A-B|", "two-sided"] == p["|A-B|", "greater"] == p["A-B", "two-sided"]
    assert p["B-A", "two-sided"] == p["A-B", "two-sided"]


# --- results ------------------------------------------------------------------------------

def test_result_object():
    design = PairedDesign(4)
    labels = "ABBAABBA"
    res = randomization_test([5, 6, 7, 5, 4, 6, 6, 4], list(labels), design=design,
                             alternative="less")
    assert isinstance(res, RandomizationTestResult)
    assert res.design == {"kind": "paired", "n_pairs": 4}
    assert res.null_distribution.shape == (16,)
    frame = res.to_frame()
    assert frame.shape[0] == 1
    assert frame.loc[0, "pvalue"] == res.pvalue
    text = res.summary()
    assert "H0:" in text and "H1:" in text and "smaller" in text
    assert "<pre>" in res._repr_html_()
    with pytest.raises(AttributeError):
        res.pvalue = 0.5  # frozen


def test_null_distribution_dropped_when_large():
    design = PhaseDesign("ABAB", 365, 14)  # 5,013,320 assignments
    rng = np.random.default_rng(3)
    labels = design.draw(rng)
    res = randomization_test(rng.normal(size=365), labels, design=design)
    assert res.exact and res.null_distribution is None
    assert res.n_assignments == 5_013_320


# --- errors -------------------------------------------------------------------------------

PAIRED = PairedDesign(3)
GOOD = dict(scores=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], labels="ABBAAB")


def call(**kw):
    args = dict(GOOD, design=PAIRED)
    args.update(kw)
    return randomization_test(args.pop("scores"), list(args.pop("labels")), **args)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(scores=[1.0, 2.0, 3.0]), ValueError, "`scores` has 3 entries.*design has 6"),
    (dict(labels="ABBA"), ValueError, "`labels` has 4 entries"),
    (dict(labels="AABBAB"), ValueError, "not an admissible assignment"),
    (dict(labels="ABBCAB"), ValueError, "'A'/'B'"),
    (dict(statistic="mean"), ValueError, "`statistic` must be one of"),
    (dict(statistic="PA-PB"), ValueError, "needs a PhaseDesign"),
    (dict(statistic="|A-B|", alternative="less"), ValueError, "contradictory"),
    (dict(alternative="bigger"), ValueError, "`alternative` must be one of"),
    (dict(washout=1), ValueError, "phase designs"),
    (dict(n_resamples=0), ValueError, "`n_resamples` must be >= 1"),
    (dict(n_resamples=1.5), TypeError, "`n_resamples` must be an integer"),
    (dict(design="paired"), TypeError, "`design` must be a nof1 Design"),
    (dict(scores=[1.0, np.inf, 3, 4, 5, 6]), ValueError, "finite or NaN"),
    (dict(scores=[np.nan] * 6), ValueError, "no non-missing value"),
    (dict(scores=[np.nan, 1, 2, np.nan, np.nan, 3]), ValueError, "cannot be computed"),
    (dict(scores=["a", "b", "c", "d", "e", "f"]), TypeError, "`scores` must be numbers"),
    (dict(rng="seed"), TypeError, "`rng`"),
])
def test_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        call(**kwargs)


def test_errors_phase_and_alternating():
    phase = PhaseDesign("ABAB", 20, 4)
    scores = np.arange(20.0)
    with pytest.raises(ValueError, match="not an admissible"):
        randomization_test(scores, [1] * 5 + [0] * 5 + [1] * 5 + [0] * 5, design=phase)  # BABA
    with pytest.raises(ValueError, match="not an admissible"):
        randomization_test(scores, [0] * 3 + [1] * 7 + [0] * 5 + [1] * 5, design=phase)  # 3 < 4
    with pytest.raises(ValueError, match=r"shorter than the shortest period the design "
                                         r"allows \(4 days\)"):
        randomization_test(scores, [0] * 5 + [1] * 5 + [0] * 5 + [1] * 5, design=phase,
                           washout=4)
    with pytest.raises(ValueError, match="needs a PhaseDesign"):
        randomization_test(np.arange(8.0), "ABABABAB", design=AlternatingDesign(8),
                           statistic="|PA-PB|")
    with pytest.raises(ValueError, match="not an admissible"):
        randomization_test(np.arange(8.0), list("AAABBBAB"), design=AlternatingDesign(8, 2))
    with pytest.raises(ValueError, match=r"row 1\)"):
        randomization_test(np.ones((2, 6)), [[0, 1, 1, 0, 0, 1], [0, 0, 1, 1, 0, 1]],
                           design=PAIRED)
    with pytest.raises(ValueError, match="`labels` has 3 rows"):
        randomization_test(np.ones((2, 6)), [[0, 1, 1, 0, 0, 1]] * 3, design=PAIRED)


def test_labels_forms_are_equivalent():
    scores = [6, 2, 5, 3, 4, 4, 1, 2, 3, 1, 3, 2, 2, 3, 4, 2, 4, 3, 0, 1, 2, 0, 2, 1]
    design = PhaseDesign("ABAB", 24, 4)
    forms = [["A1"] * 6 + ["B1"] * 6 + ["A2"] * 6 + ["B2"] * 6,
             list("AAAAAABBBBBBAAAAAABBBBBB"), [0] * 6 + [1] * 6 + [0] * 6 + [1] * 6,
             np.array([False] * 6 + [True] * 6 + [False] * 6 + [True] * 6),
             [" a"] * 6 + ["b "] * 6 + ["a"] * 6 + ["b"] * 6]
    pvalues = {randomization_test(scores, f, design=design).pvalue for f in forms}
    assert len(pvalues) == 1
