"""Randomization-test engines: exactness of the fast paths, Monte Carlo, batches.

The fast paths (doubling, meet-in-the-middle, prefix sums over change points,
half-split enumeration of alternating orders) are checked against plain
enumeration of ``design.all_assignments()`` with a direct numpy statistic.
"""

from __future__ import annotations

import numpy as np
import pytest

from nof1 import AlternatingDesign, PairedDesign, PhaseDesign
from nof1.analysis import randomization_test
from nof1.analysis._rand_engine import paired_mitm_count


def direct_statistic(scores, assignments, statistic="A-B", washout=0):
    """mean(A) - mean(B) (or mean of phase means) per assignment row, plain numpy loops."""
    out = []
    for a in np.atleast_2d(assignments):
        keep = ~np.isnan(scores)
        runs = np.concatenate([[0], np.cumsum(np.diff(a) != 0)])
        if washout:
            start = np.concatenate([[0], np.flatnonzero(np.diff(a) != 0) + 1])
            pos = np.arange(a.size) - start[runs]
            keep &= pos >= washout
        if statistic == "A-B":
            va, vb = scores[keep & (a == 0)], scores[keep & (a == 1)]
            out.append(va.mean() - vb.mean() if va.size and vb.size else np.nan)
        else:
            means = {0: [], 1: []}
            for r in np.unique(runs):
                sel = keep & (runs == r)
                if sel.any():
                    means[int(a[runs == r][0])].append(scores[sel].mean())
            out.append(np.mean(means[0]) - np.mean(means[1])
                       if means[0] and means[1] else np.nan)
    return np.array(out)


ORDER_CASES = [
    (PairedDesign(7), "A-B", 0),
    (AlternatingDesign(12), "A-B", 0),
    (AlternatingDesign(14, max_run=2), "A-B", 0),
    (AlternatingDesign(16, max_run=3), "A-B", 0),
    (PhaseDesign("AB", 20, 4), "A-B", 2),
    (PhaseDesign("ABA", 21, 4), "PA-PB", 1),
    (PhaseDesign("ABAB", 30, 4), "A-B", 0),
    (PhaseDesign("ABAB", 30, 4), "PA-PB", 3),
    (PhaseDesign("ABABA", 26, 3), "PA-PB", 2),
    (PhaseDesign("ABABAB", 24, 3), "A-B", 1),
]


@pytest.mark.parametrize(("design", "statistic", "washout"), ORDER_CASES,
                         ids=[f"{d!r}-{s}-w{w}" for d, s, w in ORDER_CASES])
def test_null_distribution_in_design_order(design, statistic, washout):
    rng = np.random.default_rng(4)
    scores = np.round(rng.normal(5, 2, size=design.n_units), 1)
    scores[rng.choice(design.n_units, size=3, replace=False)] = np.nan
    labels = design.draw(rng)
    res = randomization_test(scores, labels, design=design, statistic=statistic,
                             washout=washout)
    expected = direct_statistic(scores, design.all_assignments(), statistic, washout)
    np.testing.assert_allclose(res.null_distribution, expected, rtol=1e-10, atol=1e-12)
    assert res.statistic == pytest.approx(
        direct_statistic(scores, labels, statistic, washout)[0], rel=1e-12)


# --- meet-in-the-middle -------------------------------------------------------------------

def brute_count(scores, observed, tail):
    """Count over all 2^k orders of a paired design, integer scores, no missing: exact."""
    k = scores.size // 2
    d = scores[0::2] - scores[1::2]  # first minus second period of each pair
    sign_obs = np.where(observed[0::2] == 0, 1, -1)
    t = int(np.dot(sign_obs, d))  # k * (mean(A) - mean(B)), an integer
    total = 0
    for start in range(0, 2**k, 1 << 16):  # every sign vector, from the bits of its code
        codes = np.arange(start, min(2**k, start + (1 << 16)))
        signs = 1 - 2 * ((codes[:, None] >> np.arange(k)) & 1)
        dist = signs @ d
        if tail == "greater":
            total += int(np.sum(dist >= t))
        elif tail == "less":
            total += int(np.sum(dist <= t))
        else:
            total += int(np.sum(np.abs(dist) >= abs(t)))
    return total


@pytest.mark.parametrize("k", [1, 2, 5, 8, 11, 14, 16])
@pytest.mark.parametrize("tail", ["greater", "less", "two-sided"])
def test_mitm_equals_brute_force_with_ties(k, tail):
    rng = np.random.default_rng(k)
    design = PairedDesign(k)
    observed = design.draw(rng)
    scores = rng.integers(0, 4, size=2 * k).astype(float)  # many ties
    xc = scores - scores.mean()
    t = direct_statistic(xc, observed)[0]
    gamma = 1e-10 * (abs(t) + np.abs(xc).max())
    assert paired_mitm_count(xc, t, gamma, tail) == brute_count(scores.astype(int), observed,
                                                                 tail)


@pytest.mark.parametrize("tail", ["greater", "less", "two-sided"])
def test_mitm_with_missing_equals_enumeration(tail):
    rng = np.random.default_rng(2)
    design = PairedDesign(10)
    observed = design.draw(rng)
    scores = rng.integers(0, 5, size=20).astype(float)
    scores[[1, 2, 3, 8, 9]] = np.nan  # pairs with one and with two missing periods
    xc = scores - np.nanmean(scores)
    dist = direct_statistic(xc, design.all_assignments())
    t = direct_statistic(xc, observed)[0]
    gamma = 1e-10 * (abs(t) + np.nanmax(np.abs(xc)))
    hit = {"greater": dist >= t - gamma, "less": dist <= t + gamma,
           "two-sided": np.abs(dist) >= abs(t) - gamma}[tail]
    assert paired_mitm_count(xc, t, gamma, tail) == int(np.sum(hit | np.isnan(dist)))


def test_public_exact_paths_match_brute_force():
    k = 21  # 2,097,152 orders: beyond the doubling limit, still countable by brute force
    rng = np.random.default_rng(21)
    design = PairedDesign(k)
    observed = design.draw(rng)
    scores = rng.integers(0, 6, size=2 * k).astype(float)
    # integers: the grid DP; times pi: off any grid, meet-in-the-middle (same ties)
    for data, method in ((scores, "exact dynamic programme"),
                         (scores * np.pi, "exact meet-in-the-middle")):
        for tail in ("greater", "two-sided"):
            res = randomization_test(data, observed, design=design, alternative=tail)
            assert res.method == method and res.null_distribution is None
            expected = brute_count(scores.astype(int), observed, tail)
            assert res.pvalue == pytest.approx(expected / 2**k, rel=1e-12)


def test_forty_pairs_exact():
    rng = np.random.default_rng(40)
    design = PairedDesign(40)
    labels = design.draw(rng)
    res = randomization_test(rng.normal(size=80) + 0.3 * (labels == 0), labels, design=design,
                             alternative="less")
    assert res.exact and res.n_assignments == 2**40
    count = res.pvalue * 2**40
    assert count == round(count)  # a count over the whole set
    assert 0 < res.pvalue <= 1


# --- Monte Carlo --------------------------------------------------------------------------

@pytest.mark.parametrize("design", [PhaseDesign("ABAB", 84, 7), PairedDesign(13),
                                    AlternatingDesign(20, max_run=3)], ids=repr)
def test_monte_carlo_within_mc_error_of_exact(design):
    rng = np.random.default_rng(8)
    labels = design.draw(rng)
    scores = np.round(rng.normal(5, 1.5, size=design.n_units) - 0.4 * (labels == 0), 1)
    exact = randomization_test(scores, labels, design=design, alternative="less")
    b = 4000
    mc = randomization_test(scores, labels, design=design, alternative="less",
                            n_resamples=b, rng=12345)
    assert not mc.exact and mc.n_resamples == b and mc.null_distribution.shape == (b,)
    p = exact.pvalue
    se = np.sqrt(p * (1 - p) / b)
    assert abs(mc.pvalue - p) <= 4 * se + 1 / b
    b_count = mc.pvalue * (b + 1) - 1  # p = (b + 1) / (B + 1)
    assert b_count == pytest.approx(round(b_count), abs=1e-6)


@pytest.mark.parametrize("design", [PairedDesign(4), PhaseDesign("ABAB", 24, 4),
                                    AlternatingDesign(8)], ids=repr)
def test_n_resamples_at_least_the_set_size_means_exact(design):
    # as scipy.stats.permutation_test: n_resamples >= number of assignments -> exact
    rng = np.random.default_rng(5)
    labels = design.draw(rng)
    scores = rng.normal(size=design.n_units)
    exact = randomization_test(scores, labels, design=design)
    for b in (design.n_assignments, 10 * design.n_assignments):
        res = randomization_test(scores, labels, design=design, n_resamples=b, rng=1)
        assert res.exact and res.n_resamples is None and res.pvalue == exact.pvalue
    mc = randomization_test(scores, labels, design=design,
                            n_resamples=design.n_assignments - 1, rng=1)
    assert not mc.exact and mc.n_resamples == design.n_assignments - 1


def test_monte_carlo_never_zero():
    design = PairedDesign(30)
    labels = design.draw(rng=1)
    scores = np.where(labels == 0, 10.0, 0.0)  # the most extreme assignment
    res = randomization_test(scores, labels, design=design, alternative="greater",
                             n_resamples=999, rng=2)
    assert res.pvalue == pytest.approx(1 / 1000, rel=1e-12)


def test_monte_carlo_when_too_large_to_enumerate():
    design = AlternatingDesign(40)  # C(40, 20) = 1.4e11 orders
    labels = design.draw(rng=3)
    res = randomization_test(np.arange(40.0), labels, design=design, rng=4)
    assert not res.exact and res.n_resamples == 9_999 and res.method == "Monte Carlo"
    assert 1 / 10_000 <= res.pvalue <= 1


def test_monte_carlo_reproducible_and_rng_used():
    design = PhaseDesign("ABAB", 60, 5)
    labels = design.draw(rng=5)
    scores = np.random.default_rng(5).normal(size=60)
    a = randomization_test(scores, labels, design=design, n_resamples=500, rng=9)
    b = randomization_test(scores, labels, design=design, n_resamples=500,
                           rng=np.random.default_rng(9))
    c = randomization_test(scores, labels, design=design, n_resamples=500, rng=10)
    assert a.pvalue == b.pvalue
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    assert not np.array_equal(a.null_distribution, c.null_distribution)


# --- batches ------------------------------------------------------------------------------

BATCH_DESIGNS = [PairedDesign(6), PhaseDesign("ABAB", 24, 4), AlternatingDesign(10, max_run=2),
                 PairedDesign(22)]


@pytest.mark.parametrize("design", BATCH_DESIGNS, ids=repr)
@pytest.mark.parametrize("n_resamples", [None, 300])
def test_batch_equals_one_at_a_time(design, n_resamples):
    rng = np.random.default_rng(6)
    n = 5
    labels = design.draw(rng, size=n)
    scores = rng.normal(size=(n, design.n_units)) - 0.5 * (labels == 0)
    scores[0, 2] = np.nan
    batch = randomization_test(scores, labels, design=design, alternative="greater",
                               n_resamples=n_resamples, rng=1)
    assert batch.is_batch and batch.pvalue.shape == (n,) and batch.statistic.shape == (n,)
    for i in range(n):
        one = randomization_test(scores[i], labels[i], design=design, alternative="greater",
                                 n_resamples=n_resamples, rng=1)
        assert batch.pvalue[i] == pytest.approx(one.pvalue, rel=1e-12)
        assert batch.statistic[i] == pytest.approx(one.statistic, rel=1e-12)
        if one.null_distribution is not None:
            np.testing.assert_allclose(batch.null_distribution[i], one.null_distribution,
                                       rtol=1e-10, atol=1e-12)
    frame = batch.to_frame()
    assert frame.shape[0] == n and (frame["pvalue"].to_numpy() == batch.pvalue).all()
    assert "data sets" in batch.summary()


def test_batch_one_labels_row_and_undefined_rows():
    design = PairedDesign(3)
    labels = [0, 1, 1, 0, 0, 1]
    scores = np.array([[1, 2, 3, 4, 5, 6], [np.nan, 2, 3, np.nan, np.nan, 6.0]])
    res = randomization_test(scores, labels, design=design)
    assert np.isfinite(res.pvalue[0]) and np.isnan(res.pvalue[1]) and np.isnan(res.statistic[1])
