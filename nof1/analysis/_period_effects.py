"""Likelihood machinery for day-level GLS: AR(1) errors plus random period intercepts.

Model for the n analysed days (sorted by day index t)::

    y = X beta + e,   Cov(e) = sigma^2 V,   V = R(rho) + lam Z Z^T,

with R(rho)[i, j] = rho**|t_i - t_j| (AR(1) on the real day index) and Z the
n x m period indicator matrix (days of the same period share an exchangeable
component of relative variance lam >= 0).

Everything is computed from the Gram matrix of the AR(1)-whitened data and
its Cholesky factor (an lme4-style formulation of the mixed model; Bates et
al. 2015). With W the O(n) AR(1) whitening (``_whiten``: W R W^T = I) and
the augmented matrix::

    M = [ sqrt(lam) W Z   W X   W y ]
        [ I_m             0     0   ]

M^T M = T^T T with T upper triangular, blocks (Z | X | y):

* T_zz^T T_zz = I_m + lam Z^T R^-1 Z  =: C, and log|V| = log|R| + log|C|;
* T_xx^T T_xx = X^T V^-1 X (the Schur complement, by Woodbury);
* beta_hat = T_xx^-1 t_xy and the GLS residual sum of squares
  r^T V^-1 r = t_yy^2.

M^T M needs (W [Z X y])^T (W [Z X y]) only once per rho; each lam costs a
Cholesky factorisation of an (m + p + 1)-square matrix. lam = 0 is an
ordinary point (the Z block becomes the identity). ``y`` is centred first
(the intercept absorbs the shift; it keeps the Gram matrix well scaled).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize
from scipy.linalg import eigh_tridiagonal

RHO_BOUND = 0.99
# lam / (1 + lam) is kept in [0, PHI_MAX]: lam <= 9999
PHI_MAX = 0.9999
LAM_MAX = PHI_MAX / (1.0 - PHI_MAX)
_RHO_GRID_1D = (-0.9, -0.5, 0.0, 0.3, 0.6, 0.8, 0.93, 0.99)
_LOG_2PI = math.log(2 * math.pi)


def _whiten(rho: float, gaps: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, float]:
    """Whiten rows of ``m`` (sorted by time) for AR(1) errors; return (whitened, log|R|).

    e_i - rho**h_i e_{i-1} has variance sigma^2 (1 - rho**(2 h_i)) for a gap of
    h_i days, so dividing by its square root gives independent errors.
    """
    phi = rho ** gaps
    v = 1.0 - phi ** 2
    out = m.copy()
    out[1:] = (m[1:] - phi[:, None] * m[:-1]) / np.sqrt(v)[:, None]
    return out, float(np.log(v).sum())


#: row blocks of a Gram matrix stay below this many multiply-adds: OpenBLAS then runs each
#: product on one thread (beyond it, its threads cost 10-50 ms per product on a busy machine)
_GRAM_BLOCK = 250_000


def gram(w: np.ndarray) -> np.ndarray:
    """``w.T @ w`` summed over row blocks small enough for single-threaded BLAS."""
    rows = max(16, _GRAM_BLOCK // max(1, w.shape[1] ** 2))
    if w.shape[0] <= rows:
        return w.T @ w
    out = w[:rows].T @ w[:rows]
    for start in range(rows, w.shape[0], rows):
        block = w[start:start + rows]
        out += block.T @ block
    return out


class PeriodModel:
    """Data of one fit: y, X (n x p, first column the intercept), Z (n x m), sorted by day."""

    def __init__(self, y: np.ndarray, x: np.ndarray, z: np.ndarray, t: np.ndarray) -> None:
        if not np.all(x[:, 0] == 1.0):
            raise ValueError("the first column of the design must be the intercept")
        self.y, self.x, self.z = y, x, z
        self.gaps = np.diff(t)
        self.n, self.p = x.shape
        self.m = z.shape[1]
        self._zxy = np.column_stack([z, x, y - y.mean()])
        self._logdet_xx = float(np.linalg.slogdet(x.T @ x)[1])
        self._cache: dict[float, tuple[np.ndarray, float]] = {}

    def _gram(self, rho: float) -> tuple[np.ndarray, float]:
        """(W [Z X y])^T (W [Z X y]) and log|R| for this rho (the last 8 cached)."""
        hit = self._cache.get(rho)
        if hit is None:
            w, logdet_r = _whiten(rho, self.gaps, self._zxy)
            hit = (gram(w), logdet_r)
            if len(self._cache) >= 8:  # the last few: a search or a difference stencil
                self._cache.pop(next(iter(self._cache)))
            self._cache[rho] = hit
        return hit

    def factor(self, rho: float, lam: float) -> tuple[np.ndarray, float]:
        """Upper triangular T with T^T T = M^T M (module docstring), and log|V|."""
        m = self.m
        gram, logdet_r = self._gram(rho)
        d = np.ones(gram.shape[0])
        d[:m] = math.sqrt(lam)
        g = gram * d[:, None] * d[None, :]
        g[np.arange(m), np.arange(m)] += 1.0
        tri = np.linalg.cholesky(g).T
        logdet_c = 2.0 * float(np.log(np.diag(tri)[:m]).sum())
        return tri, logdet_r + logdet_c

    def loglik(self, rho: float, lam: float, reml: bool) -> float:
        """Gaussian log-likelihood maximised over beta and sigma^2 (profile), or REML.

        ML: log N(y; X beta_hat, sigma_hat^2 V) with sigma_hat^2 = rss / n.
        REML: the log-density of the error contrasts K^T y for an orthonormal K
        with K^T X = 0 (Harville 1974), at sigma_hat^2 = rss / (n - p); it
        equals ML's expression with n - p for n, minus log|X^T V^-1 X| / 2,
        plus log|X^T X| / 2.
        """
        tri, logdet_v = self.factor(rho, lam)
        m, p = self.m, self.p
        rss = float(tri[m + p, m + p]) ** 2
        if not reml:
            return -0.5 * (self.n * (_LOG_2PI + math.log(rss / self.n) + 1.0) + logdet_v)
        k = self.n - p
        logdet_xvx = 2.0 * float(np.log(np.diag(tri)[m:m + p]).sum())
        return -0.5 * (k * (_LOG_2PI + math.log(rss / k) + 1.0) + logdet_v + logdet_xvx
                       - self._logdet_xx)

    def gls(self, rho: float, lam: float) -> tuple[np.ndarray, np.ndarray, float]:
        """GLS coefficients, their unscaled covariance (X^T V^-1 X)^-1 and sigma_hat^2.

        sigma_hat^2 = r^T V^-1 r / (n - p), the scale statsmodels' GLS reports.
        """
        tri, _ = self.factor(rho, lam)
        m, p = self.m, self.p
        txx, txy = tri[m:m + p, m:m + p], tri[m:m + p, m + p]
        inv = np.linalg.inv(txx)     # (not solve_triangular: slow on tiny matrices when
        beta = inv @ txy             # OpenBLAS runs it multithreaded)
        beta[0] += self.y.mean()                 # y was centred; X[:, 0] is the intercept
        return beta, inv @ inv.T, float(tri[m + p, m + p]) ** 2 / (self.n - p)

    def _rho_state(self, rho: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Per rho: eigenvalues a of Z^T R^-1 Z, B U (cross block in its eigenbasis), D, log|R|.

        With A = Z^T R^-1 Z = U diag(a) U^T, the Schur complement of the Z block of
        M^T M is S(lam) = D - (B U) diag(lam / (1 + lam a)) (B U)^T and
        log|C| = sum log(1 + lam a): every lam then costs O(m p^2).
        """
        gram, logdet_r = self._gram(rho)
        m = self.m
        zz = gram[:m, :m]
        if m > 2 and not np.triu(zz, 2).any():
            # periods that are contiguous runs of days: R^-1 is tridiagonal (Markov), so
            # is Z^T R^-1 Z (LAPACK's tridiagonal solver also avoids the BLAS threads
            # that a dense eigh starts, costly on a busy machine)
            a, u = eigh_tridiagonal(np.diagonal(zz).copy(), np.diagonal(zz, 1).copy())
        else:
            a, u = np.linalg.eigh(zz)
        a = np.maximum(a, 0.0)
        return a, gram[m:, :m] @ u, gram[m:, m:], logdet_r

    def _lam_loglik(self, state, lam: float, reml: bool, grad: bool = True
                    ) -> tuple[float, float]:
        """(Restricted) log-likelihood at (rho of ``state``, lam) and its derivative in lam."""
        a, bu, d, logdet_r = state
        p = self.p
        inv = 1.0 / (1.0 + lam * a)
        s = d - (bu * (lam * inv)) @ bu.T
        chol = np.linalg.cholesky(s)  # numpy, not scipy.linalg: its BLAS threads cost
        diag = chol.diagonal()
        rss = float(diag[p]) ** 2
        logdet_c = -float(np.log(inv).sum())
        n_eff = self.n - p if reml else self.n
        value = -0.5 * (n_eff * (_LOG_2PI + math.log(rss / n_eff) + 1.0) + logdet_r + logdet_c)
        if reml:
            logdet_xvx = 2.0 * float(np.log(diag[:p]).sum())
            value -= 0.5 * (logdet_xvx - self._logdet_xx)
        if not grad:
            return value, math.nan
        # derivatives: S' = -(B U) diag(w') (B U)^T with w' = 1 / (1 + lam a)^2. With the
        # Cholesky factor L of S, Y = L_xx^-1 (B U)_x gives tr(S_xx^-1 S'_xx) from the
        # column norms of Y, and (B U)^T v, v = (-S_xx^-1 S_xy, 1), is (B U)_y - L_yx Y.
        dw = inv * inv
        y_ = np.linalg.inv(chol[:p, :p]) @ bu[:p]     # more than the solve on a busy machine
        proj = bu[p] - chol[p, :p] @ y_
        g = -n_eff * float(dw @ (proj * proj)) / rss + float(a @ inv)
        if reml:
            g -= float(dw @ (y_ * y_).sum(axis=0))
        return value, -0.5 * g

    def _best_lam(self, state, reml: bool, warm: list[float],
                  tol: float = 1e-9) -> tuple[float, float]:
        """Maximise over lam in [0, LAM_MAX] for one rho: (lam, log-likelihood).

        Newton's method on t = log lam, with the analytic derivative in lam and a
        secant second derivative (started from the previous rho's, in ``warm``),
        safeguarded by a bracket of the sign change of the derivative (bisection
        in t when a step leaves it); lam = 0 when the derivative there is not
        positive, or when lam = 0 is at least as likely as the stationary point.
        """
        f0, g0 = self._lam_loglik(state, 0.0, reml)
        if g0 <= 0.0:
            return 0.0, f0
        lo, hi = -30.0, math.log(LAM_MAX)                # bracket in t: h(lo) > 0 >= h(hi)
        t = min(max(math.log(max(warm[0], 1e-6)), lo + 1.0), hi - 1e-3)
        slope = warm[1]
        prev = None
        f = f0
        for _ in range(100):
            lam = math.exp(t)
            f, g = self._lam_loglik(state, lam, reml)
            h = lam * g                                   # d loglik / d t
            if h > 0:
                lo = t
            else:
                hi = t
            if prev is not None and h != prev[1]:
                slope = (h - prev[1]) / (t - prev[0])
            prev = (t, h)
            nxt = t - h / slope if slope < 0 else t + (1.0 if h > 0 else -1.0)
            if not lo < nxt < hi or not math.isfinite(nxt):
                nxt = 0.5 * (lo + hi)
            if abs(nxt - t) < tol or hi - lo < tol:
                break
            t = nxt
        if hi >= math.log(LAM_MAX) - 1e-6:  # the search ran to the upper bound
            f_top = self._lam_loglik(state, LAM_MAX, reml, grad=False)[0]
            if f_top > f:
                t, f = math.log(LAM_MAX), f_top
        if f <= f0:
            return 0.0, f0
        warm[0], warm[1] = math.exp(t), slope
        return math.exp(t), f

    def estimate(self, *, rho: float | None, lam: float | None,
                 reml: bool) -> tuple[float, float]:
        """Maximise the (restricted) likelihood over the parameters not fixed by the caller.

        rho in [-0.99, 0.99] and lam in [0, 9999]. The likelihood is profiled:
        for each rho, lam is maximised by a safeguarded Newton search in log lam
        (analytic derivative, warm-started at the previous rho's optimum;
        lam = 0 when the derivative there is not positive), with everything
        computed in the eigenbasis of Z^T R^-1 Z (``_rho_state``), so that a lam
        step costs O(m p^2) after one O(n) whitening per rho. The profile over rho
        is maximised by a coarse grid and ``scipy.optimize.minimize_scalar``
        (bounded Brent) between the grid neighbours of the best point. A final
        check sets lam to exactly 0 when that is at least as likely (to 1e-12).
        """
        free_rho, free_lam = rho is None, lam is None
        warm = [0.1, -1.0]  # last lam > 0 and secant slope of d loglik / d log lam

        def profile(r: float, tol: float = 1e-9) -> tuple[float, float]:
            state = self._rho_state(r)
            if not free_lam:
                return lam, self._lam_loglik(state, lam, reml, grad=False)[0]
            return self._best_lam(state, reml, warm, tol)

        if not free_rho:
            rho_hat = rho
            lam_hat, _ = profile(rho)
        else:
            grid = np.asarray(_RHO_GRID_1D)
            values = [profile(float(r), 1e-3)[1] for r in grid]  # to bracket rho only
            i = int(np.argmax(values))
            lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
            res = optimize.minimize_scalar(lambda r: -profile(r)[1], bounds=(lo, hi),
                                           method="bounded", options={"xatol": 1e-7})
            rho_hat = float(res.x) if -res.fun >= values[i] else float(grid[i])
            lam_hat, _ = profile(rho_hat)
        if free_lam and lam_hat > 0 and \
                self.loglik(rho_hat, 0.0, reml) >= self.loglik(rho_hat, lam_hat, reml) - 1e-12:
            lam_hat = 0.0
        return rho_hat, lam_hat


def satterthwaite_df(model: PeriodModel, rho: float, lam: float, scale: float, *,
                     free_rho: bool, free_lam: bool) -> float | None:
    """Satterthwaite degrees of freedom for the treatment coefficient (REML fit).

    With covariance parameters tau = (sigma^2, sigma_u^2 = lam sigma^2, rho) and
    v(tau) = Var(beta_1) = sigma^2 [(X^T V^-1 X)^-1]_11,
    df = 2 v^2 / (g^T A g), where g is the gradient of v and A the inverse of the
    Hessian of minus the restricted log-likelihood (the asymptotic covariance of the
    REML estimates; Satterthwaite 1946, Giesbrecht & Burns 1985, as in SAS PROC MIXED
    and lmerTest). Derivatives by central differences. Parameters fixed by the caller,
    and a variance at its boundary 0, are held fixed. Returns None when the Hessian is
    not positive definite (a flat or degenerate likelihood).
    """
    theta = np.array([scale, lam * scale, rho])
    free = [0] + ([1] if free_lam and lam > 0 else []) + ([2] if free_rho else [])
    step = np.array([1e-4 * scale, 1e-3 * lam * scale, 1e-4])

    def neg_reml(t: np.ndarray) -> float:
        tri, logdet_v = model.factor(float(t[2]), float(t[1] / t[0]))
        m, p, n = model.m, model.p, model.n
        rss = float(tri[m + p, m + p]) ** 2
        logdet_xvx = 2.0 * float(np.log(np.diag(tri)[m:m + p]).sum())
        return 0.5 * ((n - p) * math.log(t[0]) + logdet_v + logdet_xvx + rss / t[0])

    def var_beta(t: np.ndarray) -> float:
        tri, _ = model.factor(float(t[2]), float(t[1] / t[0]))
        m, p = model.m, model.p
        inv = np.linalg.inv(tri[m:m + p, m:m + p])
        return float(t[0] * (inv[1] @ inv[1]))

    q = len(free)
    grad, hess = np.zeros(q), np.zeros((q, q))
    for a, i in enumerate(free):
        ei = np.zeros(3)
        ei[i] = step[i]
        grad[a] = (var_beta(theta + ei) - var_beta(theta - ei)) / (2 * step[i])
        for b in range(a, q):
            ej = np.zeros(3)
            ej[free[b]] = step[free[b]]
            hess[a, b] = hess[b, a] = (
                neg_reml(theta + ei + ej) - neg_reml(theta + ei - ej)
                - neg_reml(theta - ei + ej) + neg_reml(theta - ei - ej)
            ) / (4 * step[i] * step[free[b]])
    try:
        chol = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return None
    w = np.linalg.solve(chol, grad)
    denom = float(w @ w)
    if not denom > 0:
        return None
    return 2.0 * var_beta(theta) ** 2 / denom


def containment_df(x: np.ndarray, period_codes: np.ndarray, m: int) -> tuple[float, int]:
    """Between-period ("containment") degrees of freedom and the period-level rank.

    df = m - rank(X_bar), where X_bar holds the per-period means of the
    columns of X (intercept, treatment, block dummies, trend): the rank of
    the fixed effects counted at the period level. For k pairs of periods
    with block effects this is 2k - (k + 1) = k - 1, the paired t-test's df.
    """
    counts = np.bincount(period_codes, minlength=m)
    means = np.zeros((m, x.shape[1]))
    np.add.at(means, period_codes, x)
    means /= counts[:, None]
    rank = int(np.linalg.matrix_rank(means))
    return float(m - rank), rank
