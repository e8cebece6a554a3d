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

RHO_BOUND = 0.99
# lam / (1 + lam) is kept in [0, PHI_MAX]: lam <= 9999
PHI_MAX = 0.9999
_RHO_GRID = (-0.8, -0.5, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8, 0.95)
_PHI_GRID = (0.0, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9, 0.99)
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
        self._cache: tuple[float, np.ndarray, float] | None = None

    def _gram(self, rho: float) -> tuple[np.ndarray, float]:
        """(W [Z X y])^T (W [Z X y]) and log|R| for this rho (last one cached)."""
        if self._cache is None or self._cache[0] != rho:
            w, logdet_r = _whiten(rho, self.gaps, self._zxy)
            self._cache = (rho, w.T @ w, logdet_r)
        return self._cache[1], self._cache[2]

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

    def estimate(self, *, rho: float | None, lam: float | None,
                 reml: bool) -> tuple[float, float]:
        """Maximise the (restricted) likelihood over the parameters not fixed by the caller.

        rho in (-0.99, 0.99) and lam in [0, 9999]: the best point of a coarse
        grid (which contains lam = 0), then Nelder-Mead on unbounded
        coordinates a, s with rho = 0.99 tanh(a) and
        lam / (1 + lam) = 0.9999 s^2 / (1 + s^2); s = 0 is lam = 0, where the
        objective is smooth and even in s, so the boundary is an ordinary
        minimum. A final check sets lam to exactly 0 when that is at least
        as likely (to 1e-12), and the grid point is kept if the local search
        does not improve on it. (Nelder-Mead needs no finite-difference
        gradients and calls no BLAS, whose threads cost more than the whole
        fit on problems this small; scipy's bounded Nelder-Mead collapses
        its simplex on the boundary, hence the transformation.)
        """
        free_rho, free_lam = rho is None, lam is None

        def unpack(theta: np.ndarray) -> tuple[float, float]:
            r, i = rho, 0
            if free_rho:
                r, i = RHO_BOUND * math.tanh(theta[0]), 1
            if not free_lam:
                return r, lam
            s2 = theta[i] ** 2
            phi = PHI_MAX * s2 / (1.0 + s2)
            return r, phi / (1.0 - phi)

        def objective(theta: np.ndarray) -> float:
            return -self.loglik(*unpack(theta), reml)

        axes = []
        if free_rho:
            axes.append(np.arctanh(np.asarray(_RHO_GRID) / RHO_BOUND))
        if free_lam:
            phi = np.asarray(_PHI_GRID) / PHI_MAX
            axes.append(np.sqrt(phi / (1.0 - phi)))
        grid = np.array(np.meshgrid(*axes, indexing="ij")).reshape(len(axes), -1).T
        values = np.array([objective(g) for g in grid])
        best = int(np.argmin(values))
        start = grid[best]
        simplex = np.vstack([start, start + np.diag(np.full(start.size, 0.2))])
        res = optimize.minimize(objective, start, method="Nelder-Mead",
                                options={"initial_simplex": simplex, "xatol": 1e-8,
                                         "fatol": 1e-12, "maxfev": 2000})
        rho_hat, lam_hat = unpack(res.x if res.fun <= values[best] else start)
        if free_lam and lam_hat > 0 and \
                self.loglik(rho_hat, 0.0, reml) >= self.loglik(rho_hat, lam_hat, reml) - 1e-12:
            lam_hat = 0.0
        return rho_hat, lam_hat


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
