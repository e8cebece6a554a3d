"""Confidence intervals by inverting the randomization test.

The bounds must sit exactly where the one-sided p-values of
``randomization_test`` on shifted data cross alpha/2, and the interval must
cover a simulated constant effect at the rate the design's discreteness allows.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.analysis import RandomizationCIResult, randomization_ci, randomization_test
from nof1.analysis._rand_ci import crossing_points, product_bounds_of, search_paired


def shifted_pvalues(scores, labels, design, delta, **kw):
    """One-sided p-values of H0: effect = delta (delta subtracted from the A scores)."""
    a = np.array([0 if str(v).upper().startswith("A") or v == 0 else 1 for v in labels])
    x = np.asarray(scores, dtype=float) - delta * (a == 0)
    greater = randomization_test(x, labels, design=design, alternative="greater", **kw).pvalue
    less = randomization_test(x, labels, design=design, alternative="less", **kw).pvalue
    return greater, less


CI_CASES = [
    (PairedDesign(8), {}, {}),
    (PairedDesign(10), {}, {"n_resamples": 2000, "rng": 3}),
    (PhaseDesign("ABAB", 40, 5), {"statistic": "PA-PB", "washout": 2}, {}),
    (PhaseDesign("AB", 60, 5), {}, {}),
    (AlternatingDesign(14, max_run=2), {}, {}),
]


@pytest.mark.parametrize(("design", "stat_kw", "mc_kw"), CI_CASES,
                         ids=[f"{d!r}-{s}-{m}" for d, s, m in CI_CASES])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_bounds_are_where_pvalues_cross(design, stat_kw, mc_kw, level):
    rng = np.random.default_rng(17)
    labels = design.draw(rng)
    scores = np.round(rng.normal(5, 1.2, size=design.n_units) - 1.0 * (labels == 0), 2)
    scores[rng.choice(design.n_units, size=2, replace=False)] = np.nan
    ci = randomization_ci(scores, labels, design=design, confidence_level=level,
                          **stat_kw, **mc_kw)
    alpha2 = (1 - level) / 2
    assert np.isfinite(ci.ci_low) and np.isfinite(ci.ci_high)
    assert ci.ci_low <= ci.estimate <= ci.ci_high
    eps = 1e-7 * (np.nanmax(np.abs(scores)) + 1)
    kw = {**stat_kw, **mc_kw}
    g_in, _ = shifted_pvalues(scores, labels, design, ci.ci_low, **kw)
    g_in2, _ = shifted_pvalues(scores, labels, design, ci.ci_low + eps, **kw)
    g_out, _ = shifted_pvalues(scores, labels, design, ci.ci_low - eps, **kw)
    assert g_in > alpha2 and g_in2 > alpha2 and g_out <= alpha2
    _, l_in = shifted_pvalues(scores, labels, design, ci.ci_high, **kw)
    _, l_in2 = shifted_pvalues(scores, labels, design, ci.ci_high - eps, **kw)
    _, l_out = shifted_pvalues(scores, labels, design, ci.ci_high + eps, **kw)
    assert l_in > alpha2 and l_in2 > alpha2 and l_out <= alpha2


def test_reversed_statistic_negates_interval():
    design = PairedDesign(7)
    labels = design.draw(rng=2)
    scores = np.random.default_rng(2).normal(size=14)
    ab = randomization_ci(scores, labels, design=design)
    ba = randomization_ci(scores, labels, design=design, statistic="B-A")
    assert (ba.estimate, ba.ci_low, ba.ci_high) == pytest.approx(
        (-ab.estimate, -ab.ci_high, -ab.ci_low), rel=1e-12)
    assert ba.statistic_name == "B-A"


def test_unreachable_level_gives_infinite_bounds_and_note():
    design = PairedDesign(5)  # one-sided p >= 1/32 > 0.025
    labels = design.draw(rng=1)
    scores = np.arange(10.0)
    ci = randomization_ci(scores, labels, design=design)
    assert (ci.ci_low, ci.ci_high) == (-np.inf, np.inf)
    assert ci.min_pvalue == pytest.approx(1 / 32) and "cannot reach" in ci.note
    assert "Note:" in ci.summary()
    ci90 = randomization_ci(scores, labels, design=design, confidence_level=0.9)  # 1/32 <= 0.05
    assert np.isfinite(ci90.ci_low) and np.isfinite(ci90.ci_high) and ci90.note == ""


def test_paired_interval_from_subset_means():
    """Paired, no missing data: bounds are means of subsets of the pair differences.

    With e_j the A-minus-B difference of pair j, flipping the set F of pairs gives
    T_delta(a) - T_delta(a_obs) = -(2/k) sum_{j in F} (e_j - delta), which is >= 0
    exactly when delta >= mean_F(e). The upper-tail count at delta is therefore
    1 (the observed order) + #{F nonempty: mean_F(e) <= delta}; it exceeds
    N alpha/2 = 6.4 (k = 7, alpha = 0.1) from the 6th smallest subset mean on.
    """
    k = 7
    design = PairedDesign(k)
    labels = design.draw(rng=4)
    scores = np.random.default_rng(4).normal(size=2 * k)
    e = scores[labels == 0] - scores[labels == 1]
    means = np.sort([e[list(f)].mean() for r in range(1, k + 1)
                     for f in itertools.combinations(range(k), r)])
    ci = randomization_ci(scores, labels, design=design, confidence_level=0.9)
    assert ci.ci_low == pytest.approx(means[5], rel=1e-12)
    assert ci.ci_high == pytest.approx(means[-6], rel=1e-12)


def test_search_agrees_with_crossing_points():
    """Paired designs beyond 20 pairs search the bounds on meet-in-the-middle counts."""
    k = 21
    design = PairedDesign(k)
    rng = np.random.default_rng(21)
    labels = design.draw(rng)
    scores = rng.normal(size=2 * k) + 0.5 * (labels == 0)
    scores[[3, 10, 11]] = np.nan
    xc = scores - np.nanmean(scores)
    exact = crossing_points(design, xc[None], labels[None], "A-B", 0, 0.05, None)
    search = search_paired(xc, labels, 0.05)
    scale = np.nanmax(np.abs(xc))
    assert search[0] == pytest.approx(exact[0], abs=1e-8 * scale)
    assert search[1] == pytest.approx(exact[1], abs=1e-8 * scale)
    assert search[2] == pytest.approx(exact[2], rel=1e-12)
    ci = randomization_ci(scores, labels, design=design)
    assert ci.method == "search" and ci.exact
    assert (ci.ci_low, ci.ci_high) == pytest.approx(search[:2], rel=1e-12)


def test_coverage_under_constant_effect():
    """Coverage of the 95% interval over simulated paired trials with a constant effect.

    8 pairs: N = 256 orders; each one-sided test at 0.025 rejects with probability
    floor(256 * 0.025) / 256 = 6/256 under its null (continuous data), so the
    interval covers with probability 1 - 12/256 = 0.953 exactly. With 400 trials
    the Monte Carlo SE is sqrt(0.953 * 0.047 / 400) = 0.011; allow 3 SE.
    """
    design = PairedDesign(8)
    rng = np.random.default_rng(2024)
    effect = -1.2
    n_sims = 400
    covered = 0
    for _ in range(n_sims):
        labels = design.draw(rng)
        drift = np.repeat(rng.normal(0, 0.5, size=8), 2)  # pair-level drift
        scores = 5 + drift + rng.standard_t(4, size=16) + effect * (labels == 0)
        ci = randomization_ci(scores, labels, design=design)
        covered += ci.ci_low <= effect <= ci.ci_high
    expected = 1 - 12 / 256
    se = np.sqrt(expected * (1 - expected) / n_sims)
    assert abs(covered / n_sims - expected) <= 3 * se


def test_ci_result_and_errors():
    design = PhaseDesign("ABAB", 24, 4)
    scores = [6, 2, 5, 3, 4, 4, 1, 2, 3, 1, 3, 2, 2, 3, 4, 2, 4, 3, 0, 1, 2, 0, 2, 1]
    labels = ["A1"] * 6 + ["B1"] * 6 + ["A2"] * 6 + ["B2"] * 6
    ci = randomization_ci(scores, labels, design=design, confidence_level=0.9)
    assert isinstance(ci, RandomizationCIResult)
    assert ci.estimate == 2.0 and ci.exact and ci.method == "crossing points"
    assert ci.to_frame().shape[0] == 1 and "90%" in ci.summary()
    with pytest.raises(ValueError, match="has no sign"):
        randomization_ci(scores, labels, design=design, statistic="|A-B|")
    with pytest.raises(ValueError, match="one data set"):
        randomization_ci(np.ones((2, 24)), labels, design=design)
    with pytest.raises(ValueError, match="`confidence_level`"):
        randomization_ci(scores, labels, design=design, confidence_level=1.5)
    with pytest.raises(ValueError, match="needs a PhaseDesign"):
        randomization_ci(np.ones(8), "ABABABAB", design=PairedDesign(4), statistic="PA-PB")


# -- phase designs counted as a union of products (``_rand_phase``) --------------------

def _phase_case(phases, n, min_phase, washout, missing, seed):
    """A phase trial with whole-number scores (many exact ties), missing days and, for
    some seeds, a gap long enough to leave a phase of some assignments without data."""
    rng = np.random.default_rng(seed)
    design = PhaseDesign(phases, n, min_phase)
    obs = design.draw(rng)[None]
    x = np.round(rng.normal(5, 2, size=n) - 1.0 * (obs[0] == 0)).clip(0, 10)
    if missing:
        x[rng.choice(n, size=missing, replace=False)] = np.nan
        if seed % 3 == 0:
            s0 = rng.integers(0, n - 2 * min_phase)
            x[s0:s0 + min_phase + washout + 3] = np.nan
    x = x[None]
    return design, x - np.nanmean(x), obs


PRODUCT_CASES = [(phases, n, mp, w, miss)
                 for phases, n, mp in (("ABA", 30, 3), ("ABAB", 40, 4), ("BABA", 44, 5),
                                       ("ABABA", 30, 3), ("ABABAB", 30, 3))
                 for w in (0, 2) for miss in (0, 5)]


@pytest.mark.parametrize("case", PRODUCT_CASES, ids=str)
def test_product_counts_and_bounds_equal_enumeration(case):
    """Counts and interval bounds from the product equal those of full enumeration, bit
    for bit, on 12 simulated trials per design (ties, missing days, undefined phases)."""
    from nof1.analysis._rand_engine import count_extreme, make_evaluator, tie_tolerance

    n_patterns = 0  # trials where some assignments have a phase without data
    for seed in range(12):
        design, xc, obs = _phase_case(*case, seed)
        w = case[3]
        ev = make_evaluator(design, xc, "PA-PB", w)
        t = ev.observed(obs)
        if np.isnan(t[0]):
            continue
        gamma = tie_tolerance(t, xc)
        prod = ev.product()
        assert prod.n_total == design.n_assignments
        n_patterns += len(prod.blocks) > 1 or prod.n_undefined > 0
        ti, gi, one = float(t[0]), float(gamma[0]), np.ones(1)
        c = abs(ti) - gi
        counted = {
            "greater": prod.count_at_least(one, ti - gi),
            "less": prod.count_at_least(-one, -(ti + gi)),
            "two-sided": (prod.n_defined if c <= 0 else
                          prod.count_at_least(one, c) + prod.count_at_least(-one, c)),
        }
        for tail, hits in counted.items():
            listed = sum(int(count_extreme(v, t, gamma, tail)[0]) for _, _, v in ev.exact_chunks())
            assert hits + prod.n_undefined == listed, (seed, tail)
        for alpha in (0.05, 0.1, 0.5):
            old = crossing_points(design, xc, obs, "PA-PB", w, alpha, None)
            new = product_bounds_of(design, xc, obs, "PA-PB", w, alpha)
            assert new == old, (seed, alpha)
    if case[4]:
        assert n_patterns  # the gaps did leave phases without data


def test_product_bounds_are_where_pvalues_cross():
    """Brute-force inversion: at the product's bounds the one-sided p-values of the
    shifted data cross alpha/2 (ABAB 40/4: 2,925 assignments, listed by the test)."""
    design, xc, obs = _phase_case("ABAB", 40, 4, 1, 3, 5)
    scores, labels = xc[0], obs[0]
    low, high, _ = product_bounds_of(design, xc, obs, "PA-PB", 1, 0.1)
    kw = {"statistic": "PA-PB", "washout": 1}
    eps = 1e-7 * (np.nanmax(np.abs(scores)) + 1)
    assert shifted_pvalues(scores, labels, design, low, **kw)[0] > 0.05
    assert shifted_pvalues(scores, labels, design, low - eps, **kw)[0] <= 0.05
    assert shifted_pvalues(scores, labels, design, high, **kw)[1] > 0.05
    assert shifted_pvalues(scores, labels, design, high + eps, **kw)[1] <= 0.05


def test_public_functions_use_the_product_with_identical_results(monkeypatch):
    """ABAB 365/14 (5,013,320 assignments) with missing days: the public test and interval
    counted on the product equal full enumeration (the product switched off)."""
    from nof1.analysis import _rand_inputs

    design = PhaseDesign("ABAB", 365, 14)
    rng = np.random.default_rng(365)
    labels = design.draw(rng)
    scores = np.round(rng.normal(5, 2, size=365) - 0.8 * (labels == 0)).clip(0, 10)
    scores[rng.choice(365, size=20, replace=False)] = np.nan
    kw = {"design": design, "statistic": "PA-PB", "washout": 3}
    new = [randomization_test(scores, labels, alternative=alt, **kw).pvalue
           for alt in ("greater", "less", "two-sided")]
    new_ci = randomization_ci(scores, labels, **kw)
    monkeypatch.setattr(_rand_inputs, "MIN_PRODUCT_ASSIGNMENTS", 10**12)
    old = [randomization_test(scores, labels, alternative=alt, **kw).pvalue
           for alt in ("greater", "less", "two-sided")]
    old_ci = randomization_ci(scores, labels, **kw)
    assert new == old
    assert (new_ci.ci_low, new_ci.ci_high, new_ci.min_pvalue) == (
        old_ci.ci_low, old_ci.ci_high, old_ci.min_pvalue)


@pytest.mark.parametrize("case", ["grid", "grid, whole pair missing", "grid, half pair missing",
                                  "off grid", "B-A", "phase", "alternating"])
def test_tails_and_interval_gives_the_three_calls_numbers(case):
    """``tails_and_interval`` (used by analyze) equals the 'greater' and 'less' tests and
    the interval run separately, whichever way it gets them."""
    from nof1.analysis.randomization import tails_and_interval

    rng = np.random.default_rng(sum(map(ord, case)))
    statistic, washout = "A-B", 0
    if case == "phase":
        design = PhaseDesign("ABAB", 30, 4)
        statistic, washout = "PA-PB", 1
        n = 30
    elif case == "alternating":
        design, n = AlternatingDesign(10), 10
    else:
        design, n = PairedDesign(7), 14
    for _ in range(4):
        obs = design.draw(rng)
        x = rng.integers(0, 11, size=(n, 7)).mean(axis=1) - 0.8 * (obs == 0)
        if case == "off grid":
            x = x + rng.normal(0, 1e-3, size=n)
        if case == "grid, whole pair missing":
            x[[4, 5]] = np.nan
        if case == "grid, half pair missing":
            x[5] = np.nan
        if case == "B-A":
            statistic = "B-A"
        kw = dict(design=design, statistic=statistic, washout=washout, rng=3)
        greater, p_less, ci = tails_and_interval(x, obs, confidence_level=0.9, **kw)
        ref_g = randomization_test(x, obs, alternative="greater", **kw)
        ref_l = randomization_test(x, obs, alternative="less", **kw)
        ref_ci = randomization_ci(x, obs, confidence_level=0.9, **kw)
        assert greater.pvalue == ref_g.pvalue and p_less == ref_l.pvalue
        assert greater.method == ref_g.method
        assert (ci.estimate, ci.ci_low, ci.ci_high, ci.method, ci.min_pvalue) == (
            ref_ci.estimate, ref_ci.ci_low, ref_ci.ci_high, ref_ci.method, ref_ci.min_pvalue)
