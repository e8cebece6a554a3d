"""Designs: counts against SCRT's formulas, enumeration, uniform draws, constraints."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.design import as_assignment, design_from_dict

# --- counts -------------------------------------------------------------------------------
# SCRT 1.3.1, R/quantity.R: phase designs choose(MT - P*limit + P - 1, P - 1); RBD 2^(MT/2);
# CRD choose(MT, MT/2); ATD by enumeration. Values below are the ones quoted in the issue and in
# research/peers.md C2 (ATD counts cross-checked there by brute force).
PHASE_COUNTS = [
    ("ABAB", 24, 4, 165),  # quantity(design="ABAB", MT=24, limit=4), SCRT man page example
    ("AB", 20, 5, 11),
    ("AB", 24, 4, 17),
    ("ABA", 24, 4, 91),
    ("ABA", 20, 5, 21),
    ("ABAB", 30, 5, 286),
    ("ABAB", 20, 5, 1),
    ("ABAB", 84, 7, 32509),
    ("ABAB", 365, 14, 5013320),
]
ATD_COUNTS = [(12, 2, 208), (12, 3, 616), (16, 2, 1296), (20, 2, 8196), (20, 3, 66486),
              (70, 2, 136_050_710_238_288)]


@pytest.mark.parametrize(("phases", "n", "limit", "expected"), PHASE_COUNTS)
def test_phase_counts_match_scrt(phases, n, limit, expected):
    design = PhaseDesign(phases, n_occasions=n, min_phase=limit)
    assert design.n_assignments == expected
    p = len(phases)
    assert expected == comb(n - p * limit + p - 1, p - 1)


@pytest.mark.parametrize(("n", "cap", "expected"), ATD_COUNTS)
def test_alternating_capped_counts(n, cap, expected):
    assert AlternatingDesign(n, max_run=cap).n_assignments == expected


@pytest.mark.parametrize("k", [1, 2, 5, 10, 30])
def test_paired_count_is_power_of_two(k):
    assert PairedDesign(k).n_assignments == 2**k


@pytest.mark.parametrize("n", [2, 8, 14, 20])
def test_alternating_uncapped_is_crd(n):
    assert AlternatingDesign(n).n_assignments == comb(n, n // 2)


def _brute_force(design):
    """Admissible 0/1 sequences by filtering all 2^n sequences (independent of the design code)."""
    n = design.n_units
    return {bits for bits in itertools.product((0, 1), repeat=n)
            if design.is_admissible(np.array(bits))}


def _brute_alternating(n, cap):
    out = set()
    for bits in itertools.product((0, 1), repeat=n):
        if sum(bits) != n // 2:
            continue
        longest = max(len(list(g)) for _, g in itertools.groupby(bits))
        if cap is None or longest <= cap:
            out.add(bits)
    return out


def _brute_phase(phases, n, min_phase):
    out = set()
    p = len(phases)
    for cuts in itertools.combinations(range(1, n), p - 1):
        bounds = (0, *cuts, n)
        lengths = np.diff(bounds)
        if (lengths >= min_phase).all():
            seq = []
            for letter, length in zip(phases, lengths, strict=True):
                seq += [0 if letter == "A" else 1] * int(length)
            out.add(tuple(seq))
    return out


@pytest.mark.parametrize("design", [
    PairedDesign(4), AlternatingDesign(10), AlternatingDesign(12, max_run=2),
    AlternatingDesign(10, max_run=3), PhaseDesign("ABAB", 16, 3), PhaseDesign("ABA", 12, 2),
    PhaseDesign("AB", 10, 2),
], ids=repr)
def test_enumeration_equals_brute_force(design):
    enumerated = design.all_assignments()
    as_set = {tuple(int(x) for x in row) for row in enumerated}
    assert len(as_set) == enumerated.shape[0] == design.n_assignments
    if isinstance(design, AlternatingDesign):
        expected = _brute_alternating(design.n_periods, design.max_run)
    elif isinstance(design, PhaseDesign):
        expected = _brute_phase(design.phases, design.n_occasions, design.min_phase)
    else:
        expected = {bits for bits in itertools.product((0, 1), repeat=design.n_units)
                    if all(bits[i] != bits[i + 1] for i in range(0, design.n_units, 2))}
    assert as_set == expected


@pytest.mark.parametrize("design", [
    PairedDesign(7), AlternatingDesign(14, max_run=2), PhaseDesign("ABAB", 30, 4),
], ids=repr)
@pytest.mark.parametrize("chunk_size", [1, 5, 64, 1000])
def test_chunks_bounded_and_order_independent(design, chunk_size):
    chunks = list(design.iter_assignments(chunk_size=chunk_size))
    assert max(c.shape[0] for c in chunks) <= chunk_size
    np.testing.assert_array_equal(np.concatenate(chunks), design.all_assignments())


def test_large_paired_enumeration_is_chunked():
    design = PairedDesign(20)  # 2^20 assignments
    total = 0
    for chunk in design.iter_assignments(chunk_size=1 << 16):
        assert chunk.shape == (min(1 << 16, 2**20 - total), 40)
        total += chunk.shape[0]
    assert total == 2**20
    with pytest.raises(ValueError, match="iter_assignments"):
        design.all_assignments(max_assignments=1000)


def test_phase_changepoints_match_assignments():
    design = PhaseDesign("ABAB", 24, 4)
    cps = np.concatenate(list(design.iter_changepoints()))
    np.testing.assert_array_equal(design.assignments_from_changepoints(cps),
                                  design.all_assignments())
    for row, a in zip(cps[:20], design.all_assignments()[:20], strict=True):
        np.testing.assert_array_equal(design.changepoints(a), row)


# --- uniform draws ------------------------------------------------------------------------
@pytest.mark.parametrize("design", [
    PairedDesign(3), AlternatingDesign(8, max_run=2), AlternatingDesign(8),
    PhaseDesign("ABAB", 14, 3), PhaseDesign("ABA", 10, 2),
], ids=repr)
def test_draws_are_uniform_chi_square(design):
    """Every admissible assignment appears about equally often (chi-square goodness of fit)."""
    rng = np.random.default_rng(20261121)
    index = {tuple(r): i for i, r in enumerate(design.all_assignments().tolist())}
    n_draws = 60 * design.n_assignments
    counts = np.zeros(design.n_assignments)
    for _ in range(n_draws):
        counts[index[tuple(design.draw(rng).tolist())]] += 1
    assert counts.min() > 0
    # H0: uniform; with a fixed seed the test is deterministic. alpha = 0.001 keeps the
    # chance of a false alarm over the 5 cases negligible, while a sampler that is off
    # by 20% on some assignments would be caught.
    assert stats.chisquare(counts).pvalue > 1e-3


def test_non_uniform_sampler_would_fail_the_chi_square():
    """The uniformity check has power: sequential 50/50 draws under a run cap are not uniform."""
    design = AlternatingDesign(8, max_run=2)
    rng = np.random.default_rng(1)
    index = {tuple(r): i for i, r in enumerate(design.all_assignments().tolist())}
    counts = np.zeros(design.n_assignments)
    n = 0
    while n < 60 * design.n_assignments:
        seq, ok = [], True
        for _ in range(8):  # naive: choose among allowed next symbols with equal probability
            allowed = [c for c in (0, 1) if seq.count(c) < 4 and seq[-2:] != [c, c]]
            if not allowed:
                ok = False
                break
            seq.append(int(rng.choice(allowed)))
        if ok:
            counts[index[tuple(seq)]] += 1
            n += 1
    assert stats.chisquare(counts).pvalue < 1e-6


# --- properties ---------------------------------------------------------------------------
designs = st.one_of(
    st.builds(PairedDesign, n_pairs=st.integers(1, 40)),
    st.builds(lambda m, cap: AlternatingDesign(2 * m, max_run=cap),
              st.integers(1, 30), st.one_of(st.none(), st.integers(2, 5))),
    st.builds(lambda phases, n, extra: PhaseDesign(phases, n_occasions=len(phases) * n + extra,
                                                   min_phase=n),
              st.sampled_from(["AB", "ABA", "ABAB", "ABABAB"]), st.integers(1, 14),
              st.integers(0, 60)),
)


@settings(max_examples=150, deadline=None)
@given(design=designs, seed=st.integers(0, 2**63 - 1))
def test_any_draw_is_admissible_and_reproducible(design, seed):
    a = design.draw(rng=seed)
    assert a.dtype == np.int8 and a.shape == (design.n_units,)
    assert design.is_admissible(a)
    np.testing.assert_array_equal(a, design.draw(rng=seed))
    if isinstance(design, PairedDesign):
        assert (a[0::2] + a[1::2] == 1).all()
    if isinstance(design, AlternatingDesign):
        assert a.sum() == design.n_periods // 2
        runs = [len(list(g)) for _, g in itertools.groupby(a.tolist())]
        assert design.max_run is None or max(runs) <= design.max_run
    if isinstance(design, PhaseDesign):
        runs = [len(list(g)) for _, g in itertools.groupby(a.tolist())]
        assert len(runs) == design.n_phases and min(runs) >= design.min_phase
        assert a[0] == design.phase_conditions[0]


@settings(max_examples=50, deadline=None)
@given(design=designs)
def test_roundtrip_and_min_pvalue(design):
    assert design_from_dict(design.to_dict()) == design
    n = design.n_assignments
    assert design.min_pvalue("greater") == pytest.approx(1 / n)
    expected = min(1.0, 2 / n) if design.symmetric else 1 / n
    assert design.min_pvalue("two-sided") == pytest.approx(expected)


def test_min_pvalue_examples():
    # docs/methods.md §2.3: 4 pairs -> two-sided 0.125; 6 pairs -> 0.031
    assert PairedDesign(4).min_pvalue("two-sided") == 0.125
    assert PairedDesign(6).min_pvalue("two-sided") == pytest.approx(0.03125)
    assert PhaseDesign("ABAB", 24, 4).min_pvalue("two-sided") == pytest.approx(1 / 165)


# --- validation ---------------------------------------------------------------------------
@pytest.mark.parametrize(("factory", "match"), [
    (lambda: PairedDesign(0), "n_pairs"),
    (lambda: PairedDesign(2.5), "n_pairs"),
    (lambda: AlternatingDesign(7), "even"),
    (lambda: PhaseDesign("AAB", 20, 2), "alternate"),
    (lambda: PhaseDesign("ABAB", 10, 3), "too short"),
    (lambda: PhaseDesign(12, 10, 3), "phases"),
])
def test_invalid_parameters(factory, match):
    with pytest.raises((ValueError, TypeError), match=match):
        factory()


def test_as_assignment_accepts_labels():
    np.testing.assert_array_equal(as_assignment(["A", "b ", "B"]), [0, 1, 1])
    with pytest.raises(ValueError, match="must be 'A'/'B'.*got 'C'"):
        as_assignment(["A", "C"])
    with pytest.raises(ValueError, match="design has"):
        as_assignment([0, 1], n_units=4)


LABEL_SPELLINGS = st.sampled_from([("A", 0), ("B", 1), (" a", 0), ("b ", 1), ("A2", 0),
                                   ("B1", 1), (0, 0), (1, 1), (True, 1), (False, 0),
                                   (0.0, 0), (1.0, 1)])


@settings(max_examples=60, deadline=None)
@given(st.lists(LABEL_SPELLINGS, min_size=4, max_size=12))
def test_one_label_rule_for_assignments_randomization_and_day_tests(items):
    # one parser (nof1.design.parse_labels) serves the three places that read labels
    from nof1.analysis import randomization_test
    from nof1.analysis.models import naive_day_ttest
    from nof1.design import parse_labels

    texts = [t for t, _ in items if isinstance(t, str)]
    labels = texts if len(texts) == len(items) else [t for t, _ in items if not isinstance(t, str)]
    if len(labels) < 4:
        return
    want = np.array([v for t, v in items if (type(t) is str) == (type(labels[0]) is str)])
    np.testing.assert_array_equal(parse_labels(labels), want)
    np.testing.assert_array_equal(as_assignment(labels), want)
    if 0 < want.sum() < want.size and want.sum() >= 2 and want.size - want.sum() >= 2:
        y = np.arange(want.size, dtype=float)
        day = naive_day_ttest(y, labels)
        assert day.estimate == pytest.approx(y[want == 0].mean() - y[want == 1].mean())
    if want.size % 2 == 0 and 2 * want.sum() == want.size:
        design = AlternatingDesign(want.size, max_run=want.size)
        res = randomization_test(np.arange(want.size, dtype=float), labels, design=design)
        ref = randomization_test(np.arange(want.size, dtype=float), want, design=design)
        assert res.pvalue == ref.pvalue


def test_labels_that_are_neither_condition_are_refused_with_their_value():
    from nof1.design import parse_labels

    with pytest.raises(ValueError, match="'C'"):
        parse_labels(["A", "B", "C"])
    with pytest.raises(ValueError, match="2"):
        parse_labels([0, 1, 2])
    with pytest.raises(ValueError, match="None"):
        parse_labels([None, "A"])
    with pytest.raises(TypeError):
        parse_labels(np.array(["2026-01-05"], dtype="datetime64[D]"))
