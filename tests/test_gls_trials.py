"""GLS with period intercepts on many trials at once: the same numbers as one fit per trial.

``gls_period_trials`` (used by ``simulate_power``) validates and lays out the shared days,
blocks and periods once; every trial must still give exactly what ``gls_ar1`` gives. Also
the pieces the fast path rests on: the rank check by QR against ``np.linalg.matrix_rank``,
the Gram matrix from fixed sums near rho = +-1 against a dense likelihood, and the small
Cholesky of the Satterthwaite step against numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nof1 import PairedDesign, simulate_power
from nof1.analysis import gls_ar1
from nof1.analysis._period_effects import PeriodModel, _inverse_quadratic_form
from nof1.analysis.models import _full_rank_logdet, gls_period_trials


def _cell(k: int, n_trials: int, seed: int, washout: int = 7):
    """Simulated paired trials: scores (trials x analysed days), is_a, time, blocks, periods."""
    rng = np.random.default_rng(seed)
    units = 2 * k
    first_a = rng.random((n_trials, k)) < 0.5
    unit_a = np.stack([first_a, ~first_a], axis=2).reshape(n_trials, units)
    day_a = np.repeat(unit_a, 14, axis=1)
    period = np.repeat(np.arange(units), 14)
    drift = np.repeat(rng.normal(0, 0.4, (n_trials, units)), 14, axis=1)
    noise = np.zeros((n_trials, day_a.shape[1]))
    for t in range(1, noise.shape[1]):
        noise[:, t] = 0.4 * noise[:, t - 1] + rng.normal(0, 1.2, n_trials)
    scores = 5.0 - 0.8 * day_a + drift + noise
    keep = np.tile(np.arange(14) >= washout, units)
    return (scores[:, keep], day_a[:, keep], np.arange(period.size)[keep],
            (period // 2)[keep], period[keep])


def _one_by_one(scores, is_a, time, blocks, periods, confidence_level=0.95):
    fits = [gls_ar1(y, np.where(a, "A", "B"), time=time, blocks=blocks, periods=periods,
                    confidence_level=confidence_level) for y, a in zip(scores, is_a, strict=True)]
    return (np.array([f.pvalue for f in fits]), np.array([f.ci_low for f in fits]),
            np.array([f.ci_high for f in fits]))


@pytest.mark.parametrize(("k", "washout", "seed"), [(2, 7, 1), (3, 7, 2), (6, 0, 3), (12, 7, 4)])
def test_trials_give_exactly_the_numbers_of_one_fit_per_trial(k, washout, seed):
    scores, is_a, time, blocks, periods = _cell(k, 12, seed, washout)
    got = gls_period_trials(scores, is_a, time=time, blocks=blocks, periods=periods,
                            confidence_level=0.9)
    want = _one_by_one(scores, is_a, time, blocks, periods, confidence_level=0.9)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_trials_with_shuffled_days_missing_scores_and_labels():
    scores, is_a, time, blocks, periods = _cell(4, 6, 5)
    order = np.random.default_rng(0).permutation(time.size)       # days in any order
    scores, is_a = scores[:, order].copy(), is_a[:, order]
    time, blocks = time[order], np.array([f"pair {b}" for b in blocks[order]])
    periods = np.array([f"p{p}" for p in periods[order]])
    scores[2, [3, 40]] = np.nan                                    # this trial goes through gls_ar1
    got = gls_period_trials(scores, is_a, time=time, blocks=blocks, periods=periods)
    want = _one_by_one(scores, is_a, time, blocks, periods)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_trials_reject_what_gls_ar1_rejects():
    scores, is_a, time, blocks, periods = _cell(3, 4, 6)
    bad = is_a.copy()
    bad[1] = True                                                  # one condition only
    with pytest.raises(ValueError, match="both conditions"):
        gls_ar1(scores[1], bad[1], time=time, blocks=blocks, periods=periods)
    with pytest.raises(ValueError, match="both conditions"):
        gls_period_trials(scores, bad, time=time, blocks=blocks, periods=periods)
    bad = is_a.copy()
    bad[2, 0] = ~bad[2, 0]                                          # a period mixes conditions
    with pytest.raises(ValueError, match="single condition"):
        gls_period_trials(scores, bad, time=time, blocks=blocks, periods=periods)
    with pytest.raises(ValueError, match="repeat"):
        gls_period_trials(scores, is_a, time=np.zeros(time.size), blocks=blocks,
                          periods=periods)
    with pytest.raises(ValueError, match="same shape"):
        gls_period_trials(scores, is_a[:, :-1], time=time, blocks=blocks, periods=periods)


def test_simulate_power_gls_row_equals_one_gls_ar1_fit_per_trial():
    res = simulate_power(PairedDesign(3), effect=-1.0, sd=1.5, rho=0.3, period_sd=0.3,
                         washout_days=7, period_days=14, methods=("gls_ar1",), n_sims=25,
                         n_sims_gls=25, keep_trials=True, rng=8)
    scores, assign = res.trials["scores"], res.trials["assignments"]
    keep = np.tile(np.arange(14) >= 7, 6)
    period = np.repeat(np.arange(1, 7), 14)
    p, low, high = _one_by_one(scores[:, keep], np.repeat(assign, 14, axis=1)[:, keep] == 0,
                               np.arange(84)[keep], ((period - 1) // 2 + 1)[keep],
                               period[keep])
    row = res.table.set_index("method").loc["gls_ar1"]
    assert row.rejection_rate == np.mean(p <= 0.05)
    assert row.mean_ci_width == np.mean(high - low)


# the rank check --------------------------------------------------------------------------
def _designs():
    rng = np.random.default_rng(9)
    is_a = np.repeat([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], 10)
    block = np.repeat(np.arange(3), 20)
    t = np.arange(60.0) - 29.5
    dummies = [(block == b).astype(float) for b in (1, 2)]
    ones = np.ones(60)
    yield np.column_stack([ones, is_a, *dummies]), True
    yield np.column_stack([ones, is_a, *dummies, t]), True
    yield np.column_stack([ones, is_a, *dummies, t * 1e3]), True                # scales differ
    yield np.column_stack([ones, rng.random(60) < 0.5, rng.normal(size=60)]), True
    yield np.column_stack([ones, is_a, *dummies, 1 - dummies[0] - dummies[1]]), False
    yield np.column_stack([ones, is_a, 1 - is_a]), False
    yield np.column_stack([ones, is_a, *dummies, dummies[0]]), False            # repeated
    yield np.column_stack([ones, is_a, 2 * is_a - 1]), False                     # combination
    yield np.column_stack([ones, np.zeros(60)]), False
    half = np.repeat([1.0, 0.0], 30)                                              # A = block
    yield np.column_stack([ones, half, 1 - half, t]), False


@pytest.mark.parametrize(("x", "full"), list(_designs()))
def test_rank_check_by_qr_agrees_with_matrix_rank(x, full):
    assert (np.linalg.matrix_rank(x) == x.shape[1]) == full
    if full:
        np.testing.assert_allclose(_full_rank_logdet(x), np.linalg.slogdet(x.T @ x)[1],
                                   rtol=1e-12)
    else:
        with pytest.raises(ValueError, match="rank-deficient"):
            _full_rank_logdet(x)


def test_rank_check_needs_more_days_than_coefficients():
    with pytest.raises(ValueError, match="too few days"):
        _full_rank_logdet(np.column_stack([np.ones(2), [1.0, 0.0]]))


# the Gram matrix from fixed sums, close to rho = +-1 -------------------------------------
@pytest.mark.parametrize(("rho", "lam"), [(0.99, 0.02), (-0.99, 1.5), (0.97, 0.0)])
@pytest.mark.parametrize("trend", [False, True])
def test_likelihood_near_the_rho_bounds_equals_dense_computation(rho, lam, trend):
    # irregular days (gaps of 1 to 4 days) and a trend: the sums of D = row_i - row_{i-1}
    # and P = row_{i-1} must not lose digits where 1 - rho**2 is small
    rng = np.random.default_rng(17)
    t = np.sort(rng.choice(120, size=80, replace=False)).astype(float)
    period = (t // 15).astype(int)
    is_a = (period % 2 == 0).astype(float)
    cols = [np.ones(80), is_a] + [(period // 2 == b).astype(float) for b in range(1, 4)]
    if trend:
        cols.append(t - t.mean())
    x = np.column_stack(cols)
    y = 4.0 + 0.5 * is_a + np.cumsum(rng.normal(0, 0.3, 80)) + rng.normal(0, 0.5, 80)
    z = np.eye(period.max() + 1)[period]
    v = rho ** np.abs(t[:, None] - t[None, :]) + lam * z @ z.T
    n, p = x.shape
    # reference: the restricted log-likelihood by dense linear algebra (Harville 1974)
    vinv = np.linalg.inv(v)
    xvx = x.T @ vinv @ x
    beta = np.linalg.solve(xvx, x.T @ vinv @ y)
    r = y - x @ beta
    s2 = r @ vinv @ r / (n - p)
    expected = (stats.multivariate_normal(np.zeros(n), s2 * v).logpdf(r)
                - 0.5 * np.linalg.slogdet(xvx / s2)[1] + 0.5 * np.linalg.slogdet(x.T @ x)[1]
                + 0.5 * p * np.log(2 * np.pi))
    model = PeriodModel(y, x, z, t)
    np.testing.assert_allclose(model.loglik(rho, lam, True), expected, rtol=1e-9)


def test_satterthwaite_quadratic_form_equals_numpy():
    rng = np.random.default_rng(4)
    for q in (1, 2, 3):
        for _ in range(20):
            a = rng.normal(size=(q, q))
            a = a @ a.T + 0.1 * np.eye(q)
            g = rng.normal(size=q)
            np.testing.assert_allclose(_inverse_quadratic_form(a.tolist(), g.tolist()),
                                       g @ np.linalg.solve(a, g), rtol=1e-10)
    assert _inverse_quadratic_form([[1.0, 2.0], [2.0, 1.0]], [1.0, 0.0]) is None
    assert _inverse_quadratic_form([[0.0]], [1.0]) is None
    assert _inverse_quadratic_form([[np.nan]], [1.0]) is None


@pytest.mark.parametrize("trend", [False, True])
def test_restricted_likelihood_from_the_reduced_period_space_equals_the_full_one(trend):
    # REML sees only the period effects outside the span of the period-level fixed effects
    # (Z F_perp); ML and the covariance of beta need all of Z. Both computations of the
    # restricted likelihood, at points across the whole (rho, lam) box
    scores, is_a, time, blocks, periods = _cell(5, 1, 21, washout=4)
    keep = np.random.default_rng(2).random(time.size) > 0.1                 # missing days
    y, t, per = scores[0][keep], time[keep].astype(float), periods[keep]
    cols = [np.ones(y.size), is_a[0][keep].astype(float)]
    cols += [(blocks[keep] == b).astype(float) for b in range(1, 5)]
    if trend:
        cols.append(t - t.mean())
    x = np.column_stack(cols)
    model = PeriodModel(y, x, np.eye(10)[per], t)
    rhos = np.repeat([-0.95, -0.3, 0.0, 0.4, 0.9, 0.99], 5)
    lams = np.tile([0.0, 1e-6, 0.3, 20.0, 9999.0], 6)
    with np.errstate(invalid="ignore", divide="ignore"):
        reduced = model._loglik_from(*model._factor(rhos, lams, restricted=True), True,
                                     restricted=True)
        full = model._loglik_from(*model._factor(rhos, lams), True)
    assert model._reml.mz == 10 - 6 and model._full.mz == 10   # 10 periods, 6 constant columns
    np.testing.assert_allclose(reduced, full, rtol=1e-11)


def test_cholesky_of_a_stack_marks_matrices_that_are_not_positive_definite(monkeypatch):
    from nof1.analysis import _period_effects

    rng = np.random.default_rng(5)
    a = rng.normal(size=(4, 6, 6))
    a = a @ a.transpose(0, 2, 1) + 0.1 * np.eye(6)
    a[2] -= 5 * np.eye(6)                                     # not positive definite
    fast = _period_effects._cholesky_nan(a.copy())
    monkeypatch.setattr(_period_effects, "_cholesky_lo", None)  # np.linalg.cholesky path
    slow = _period_effects._cholesky_nan(a.copy())
    for got in (fast, slow):
        assert np.isnan(got[2]).all() and not np.isnan(got[[0, 1, 3]]).any()
        np.testing.assert_allclose(got[[0, 1, 3]], np.linalg.cholesky(a[[0, 1, 3]]),
                                   rtol=1e-13, atol=1e-13)
