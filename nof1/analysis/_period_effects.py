"""Likelihood machinery for day-level GLS: AR(1) errors plus random period intercepts.

Model for the n analysed days (sorted by day index t)::

    y = X beta + e,   Cov(e) = sigma^2 V,   V = R(rho) + lam Z Z^T,

with R(rho)[i, j] = rho**|t_i - t_j| (AR(1) on the real day index) and Z the
n x m period indicator matrix (days of the same period share an exchangeable
component of relative variance lam >= 0).

Everything is computed from the Gram matrix of the AR(1)-whitened data and
its Cholesky factor (an lme4-style formulation of the mixed model; Bates et
al. 2015). With W the O(n) AR(1) whitening (W R W^T = I: day i becomes
(e_i - rho**h_i e_{i-1}) / sqrt(1 - rho**(2 h_i)) for a gap of h_i days, the
exact AR(1) correlation across missing days) and the augmented matrix::

    M = [ sqrt(lam) W Z   W X   W y ]
        [ I_m             0     0   ]

M^T M = L L^T with L lower triangular, blocks (Z | X | y):

* L_zz L_zz^T = I_m + lam Z^T R^-1 Z  =: C, and log|V| = log|R| + log|C|;
* L_xx L_xx^T = X^T V^-1 X (the Schur complement, by Woodbury);
* beta_hat = L_xx^-T l_yx and the GLS residual sum of squares r^T V^-1 r = l_yy^2.

No n x n matrix is formed, and after one O(n) pass no sum over days either. The
whitened day i > 0 is (D_i + (1 - phi_i) P_i) / sqrt(1 - phi_i^2), D_i = row_i -
row_{i-1}, P_i = row_{i-1}, phi_i = rho**gap_i; so the Gram matrix of W [Z X y] is
a fixed matrix (day 0) plus, for each distinct gap (one day, wash-out, missing
days), three fixed sums over its days (of D D^T, D P^T + P D^T and P P^T) times
1 / (1 - phi^2), 1 / (1 + phi) and (1 - phi) / (1 + phi) (``PeriodModel._prepare_batch``).
The sums are taken in O(n) with ``np.bincount``: the columns of X that are
constant within periods (intercept, treatment, block effects) are Z times a
period-level vector, so only Z, the trend and y enter, and Z has one non-zero
entry per row. A batch of (rho, lam) points then costs one small matrix product
and a Cholesky factorisation of an (m + p + 1)-square matrix per point
(``PeriodModel._factor``). lam = 0 is an ordinary point (the Z block becomes the
identity). ``y`` is centred first (the intercept absorbs the shift; it keeps the
Gram matrix well scaled).

REML sees only the period effects outside the fixed effects. The columns of X that
are constant within periods are Z F (F: their values per period); with F_o and F_perp
orthonormal bases of col(F) and of its complement, Z Z^T = Z F_o F_o^T Z^T +
Z F_perp F_perp^T Z^T, and the first term is X M X^T for a fixed M, which changes
neither the covariance K^T V K of the error contrasts (K^T X = 0) nor beta_hat. So the
restricted likelihood is computed with Z F_perp in place of Z: m - rank(F) columns
instead of m (k - 1 instead of 2k for k pairs with block effects; for 12 pairs the
matrices factorised during the search have 25 rows instead of 38, a third of the
work). The ML likelihood and the covariance of beta_hat (to which the F_o part adds
M) use Z (``PeriodModel._prepare_batch``, ``_Space``).

The (restricted) likelihood is maximised (``PeriodModel.estimate``) by a
coarse grid over (rho, lam) and Newton's method in (atanh rho, log lam) with
finite-difference derivatives from batched evaluations (``_newton``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
from scipy.linalg import lapack

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
#: entries of a stack of augmented matrices factorised at once (256 KB)
_STACK_ENTRIES = 32_768


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


try:
    # the ufunc behind np.linalg.cholesky: it writes NaN for a matrix that is not positive
    # definite (where np.linalg.cholesky raises for the whole stack), and skips the
    # wrapper's checks (a third of the time on the small stacks here)
    from numpy.linalg._umath_linalg import cholesky_lo as _cholesky_lo

    # a private name: used only if it still behaves as relied on (a lower factor with
    # zeros above, and NaN for a matrix that is not positive definite)
    with np.errstate(invalid="ignore"):
        _probe = _cholesky_lo(np.array([[[4.0, 2.0], [2.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]]]),
                              signature="d->d")
    if not (np.array_equal(_probe[0], [[2.0, 0.0], [1.0, 1.0]]) and np.isnan(_probe[1]).all()):
        _cholesky_lo = None
except Exception:  # pragma: no cover - a numpy without it: np.linalg.cholesky below
    _cholesky_lo = None


def _cholesky_nan(a: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors of a stack of matrices, NaN where one is not positive definite."""
    if _cholesky_lo is not None:
        with np.errstate(invalid="ignore"):
            return _cholesky_lo(a, signature="d->d")
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        chol = np.full_like(a, np.nan)
        for i in range(a.shape[0]):
            try:
                chol[i] = np.linalg.cholesky(a[i])
            except np.linalg.LinAlgError:
                pass
        return chol


def _period_days(codes: np.ndarray, m: int) -> np.ndarray:
    """One day (index) of each period 0 .. m - 1 (every period has a day)."""
    day = np.empty(m, dtype=np.intp)
    day[codes] = np.arange(codes.size)
    return day


class PeriodLayout:
    """What a fit takes from its days and periods alone: shared by fits on the same days.

    The day index ``t`` (sorted), the period code of each day (0 .. m - 1) and which
    columns of X are constant within every period (``constant``, one flag per column)
    fix the distinct gaps, the positions every sum of ``PeriodModel._prepare_batch``
    adds to, and the map K from [Z E] to [Z X y] up to the period-level values of the
    constant columns. The trials of a power cell share one layout (their scores and
    conditions differ; their days and periods do not).
    """

    def __init__(self, t: np.ndarray, codes: np.ndarray, m: int, constant: np.ndarray) -> None:
        n = t.size
        self.n, self.m, self.codes = n, m, codes
        gap_values, gap_index = np.unique(np.diff(t), return_inverse=True)
        n_gaps = gap_values.size
        self.gap_values = gap_values
        self.gap_counts = np.bincount(gap_index, minlength=n_gaps).astype(float)
        c = constant.size + 1                            # the columns of [X y]
        is_const = np.append(np.asarray(constant, bool), False)   # y is always an E column
        self.const_cols = np.flatnonzero(is_const)
        e_cols = np.flatnonzero(~is_const)
        self.x_e_cols = e_cols[:-1]                      # columns of X in E (e.g. trend)
        e = e_cols.size
        self.e, self.q, self.d = e, m + e, m + c
        q = self.q
        # one day per period (any day will do: the columns used are constant there)
        self.period_day = _period_days(codes, m)
        k = np.zeros((q, m + c))
        k[np.arange(m), np.arange(m)] = 1.0
        k[m + np.arange(e), m + e_cols] = 1.0
        self.k = k
        # positions of the outer products of D_i = row_i - row_{i-1} and P_i = row_{i-1}
        # in [Z E] (one block of q x q per gap); see PeriodModel._prepare_batch
        n1 = n - 1
        e_at = np.broadcast_to(m + np.arange(e), (n1, e))
        own, prev = codes[1:], codes[:-1]
        # values of D and P: the Z parts are fixed (the E parts are filled in per fit)
        self.d_val = np.zeros((n1, (2 if m else 0) + e))
        self.p_val = np.zeros((n1, (1 if m else 0) + e))
        if m:
            d_idx, p_idx = np.column_stack([own, prev, e_at]), np.column_stack([prev, e_at])
            step = (own != prev).astype(float)
            self.d_val[:, 0], self.d_val[:, 1], self.p_val[:, 0] = step, -step, 1.0
        else:
            d_idx, p_idx = e_at, e_at
        base = gap_index[:, None, None] * (q * q)
        self.idx_dd = (base + d_idx[:, :, None] * q + d_idx[:, None, :]).ravel()
        self.idx_dp = (base + d_idx[:, :, None] * q + p_idx[:, None, :]).ravel()
        self.idx_pp = (base + p_idx[:, :, None] * q + p_idx[:, None, :]).ravel()
        self.size = n_gaps * q * q
        self.n_gaps = n_gaps

    @classmethod
    def of(cls, x: np.ndarray, t: np.ndarray, codes: np.ndarray, m: int) -> PeriodLayout:
        """The layout of a design ``x`` (columns constant within every period found)."""
        if m:
            first = x[_period_days(codes, m)]
            constant = np.all(x == first[codes], axis=0)
        else:
            constant = np.zeros(x.shape[1], bool)
        return cls(t, codes, m, constant)


class _Space:
    """The columns a fit factorises: fixed sums mapped to [Z X y] (or [Z F_perp X y]).

    ``basis`` holds the fixed matrices whose weighted sum (weights of rho) is the Gram
    matrix of the whitened columns; the first ``mz`` columns are period effects (scaled
    by sqrt(lam), plus the identity); ``w_ml`` and ``w_reml`` weigh the log-diagonal of
    the factor into the log-likelihood.
    """

    def __init__(self, basis: np.ndarray, d: int, mz: int, n: int, p: int) -> None:
        self.basis, self.d, self.mz = basis, d, mz
        self.diag_z = np.arange(mz) * (d + 1)          # flat indices of the Z diagonal
        self.w_ml = np.concatenate([np.ones(mz), np.zeros(p), [n]])
        self.w_reml = np.concatenate([np.ones(mz + p), [n - p]])
        self.rows = max(1, min(_GRAM_BLOCK // basis.size, _STACK_ENTRIES // (d * d)))

    @classmethod
    def of(cls, k: np.ndarray, terms_q: np.ndarray, mz: int, n: int, p: int) -> _Space:
        """The space of the columns K maps the [Z E] sums ``terms_q`` to."""
        return cls((k.T @ terms_q @ k).reshape(terms_q.shape[0], -1), k.shape[1], mz, n, p)

    def factor(self, w: np.ndarray, lams: np.ndarray) -> np.ndarray:
        """Factors of the augmented matrices from the weights of the Gram matrix's sums.

        The Gram matrix of the whitened columns with the period-effect rows and columns
        scaled by sqrt(lam), plus the identity there (the module docstring's M^T M).
        """
        r, d, mz = w.shape[0], self.d, self.mz
        aug = (w @ self.basis).reshape(r, d, d)
        if mz:
            root = np.sqrt(lams)[:, None, None]
            aug[:, :mz, :] *= root
            aug[:, :, :mz] *= root
            aug.reshape(r, -1)[:, self.diag_z] += 1.0
        return _cholesky_nan(aug)


class PeriodModel:
    """Data of one fit: y, X (n x p, first column the intercept), Z (n x m), sorted by day.

    ``z`` may be None when ``codes`` (the period of each day, 0 .. m - 1) is given; a
    ``layout`` (``PeriodLayout``) shared with other fits on the same days, and log|X^T X|,
    may be passed in when the caller has them.
    """

    def __init__(self, y: np.ndarray, x: np.ndarray, z: np.ndarray | None, t: np.ndarray, *,
                 codes: np.ndarray | None = None, layout: PeriodLayout | None = None,
                 logdet_xx: float | None = None) -> None:
        if not np.all(x[:, 0] == 1.0):
            raise ValueError("the first column of the design must be the intercept")
        self.y, self.x = y, x
        self.n, self.p = x.shape
        if layout is None:
            if codes is None:
                m = z.shape[1] if z is not None else 0
                codes = np.argmax(z, axis=1) if m else np.zeros(self.n, dtype=np.intp)
            else:
                m = int(codes.max()) + 1 if codes.size else 0
            layout = PeriodLayout.of(x, t, codes, m)
        self.layout = layout
        self.m = layout.m
        self._logdet_xx = (float(np.linalg.slogdet(x.T @ x)[1]) if logdet_xx is None
                           else logdet_xx)
        self._full: _Space | None = None
        self._reml: _Space | None = None
        #: factors computed ahead (``prefetch``), by (rho, lam)
        self._cache: dict[tuple[float, float], tuple[np.ndarray, float]] = {}

    def loglik(self, rho: float, lam: float, reml: bool) -> float:
        """Gaussian log-likelihood maximised over beta and sigma^2 (profile), or REML.

        ML: log N(y; X beta_hat, sigma_hat^2 V) with sigma_hat^2 = rss / n.
        REML: the log-density of the error contrasts K^T y for an orthonormal K
        with K^T X = 0 (Harville 1974), at sigma_hat^2 = rss / (n - p); it
        equals ML's expression with n - p for n, minus log|X^T V^-1 X| / 2,
        plus log|X^T X| / 2.
        """
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(self._loglik(np.array([rho]), np.array([lam]), reml)[0])

    def gls(self, rho: float, lam: float) -> tuple[np.ndarray, np.ndarray, float]:
        """GLS coefficients, their unscaled covariance (X^T V^-1 X)^-1 and sigma_hat^2.

        sigma_hat^2 = r^T V^-1 r / (n - p), the scale statsmodels' GLS reports. From the
        lower Cholesky factor L of the augmented Gram matrix (``_factor``): with
        L_xx, l_yx its X and y blocks, beta = L_xx^-T l_yx and (X^T V^-1 X)^-1 =
        L_xx^-T L_xx^-1.
        """
        chol = self._factor(np.array([rho]), np.array([lam]))[0][0]
        m, p = self.m, self.p
        inv = np.linalg.inv(chol[m:m + p, m:m + p])
        beta = inv.T @ chol[m + p, m:m + p]
        beta[0] += self.y.mean()                 # y was centred; X[:, 0] is the intercept
        return beta, inv.T @ inv, float(chol[m + p, m + p]) ** 2 / (self.n - p)

    # -- batched evaluation: many (rho, lam) points per numpy call -------------------------
    def _prepare_batch(self) -> None:
        """Sums that give the Gram matrix of the whitened [Z X y] at any rho (``_factor``).

        Day i > 0 whitens to (row_i - phi_i row_{i-1}) / sqrt(v_i), phi_i = rho**gap_i,
        v_i = 1 - phi_i^2. Written as (D_i + (1 - phi_i) P_i) / sqrt(v_i) with
        D_i = row_i - row_{i-1} and P_i = row_{i-1}, its outer product is
        (D D^T + (1 - phi)(D P^T + P D^T) + (1 - phi)^2 P P^T) / v: the three sums over
        the days of each distinct gap (1 day, plus wash-out and missing days) are fixed,
        and rho enters only through 1 / v, 1 / (1 + phi) and (1 - phi) / (1 + phi) per
        gap. (This form has no cancellation as rho -> 1, where v -> 0 and
        row_i - phi row_{i-1} -> D_i.) The sums are taken over [Z E]: the columns of
        [X y] that are constant within every period (intercept, treatment, block dummies)
        are Z times a period-level vector f, so only the other columns E (trend, y) and
        Z enter, and D and P have few non-zero entries per day (Z: +1 / -1 at the two
        periods, when they differ); ``K = [I | L]``, the fixed map from [Z E] to
        [Z X y], then gives each sum over [Z X y] as K^T S K.
        """
        lay = self.layout
        m, e, q = lay.m, lay.e, lay.q
        ecol = np.empty((self.n, e))
        ecol[:, :-1] = self.x[:, lay.x_e_cols]
        ecol[:, -1] = self.y - self.y.mean()
        d_val, p_val = lay.d_val.copy(), lay.p_val.copy()
        np.subtract(ecol[1:], ecol[:-1], out=d_val[:, d_val.shape[1] - e:])
        p_val[:, p_val.shape[1] - e:] = ecol[:-1]
        shape = (lay.n_gaps, q, q)
        dd = np.bincount(lay.idx_dd, (d_val[:, :, None] * d_val[:, None, :]).ravel(),
                         lay.size).reshape(shape)
        dp = np.bincount(lay.idx_dp, (d_val[:, :, None] * p_val[:, None, :]).ravel(),
                         lay.size).reshape(shape)
        pp = np.bincount(lay.idx_pp, (p_val[:, :, None] * p_val[:, None, :]).ravel(),
                         lay.size).reshape(shape)
        # day 0 (not whitened: e_0 has the marginal variance) is the same for every rho
        row0 = np.zeros(q)
        if m:
            row0[lay.codes[0]] = 1.0
        row0[m:] = ecol[0]
        k = lay.k.copy()
        f_const = self.x[lay.period_day[:, None], lay.const_cols]
        k[:m, m + lay.const_cols] = f_const
        terms_q = np.concatenate([np.outer(row0, row0)[None],
                                  np.concatenate([dd, dp + dp.transpose(0, 2, 1), pp])])
        # the Gram matrix at rho is a sum of (weight of rho) x (a fixed matrix): one
        # matrix product per batch of points
        self._full = _Space.of(k, terms_q, m, self.n, self.p)
        # REML only sees the period effects outside the span of the fixed effects that
        # are constant within periods (module docstring): Z F_perp for F_perp an
        # orthonormal basis of the complement of col(F), F = those columns per period
        self._reml = self._full
        p_c = lay.const_cols.size
        if 0 < p_c < m:
            # Householder QR of F by LAPACK (dgeqrf, then dorgqr for all of Q): the last
            # m - p_c columns of Q are F_perp
            reflectors, tau, _, _ = lapack.dgeqrf(f_const)
            pivots = np.abs(np.diagonal(reflectors))
            if pivots.min() > pivots.max() * m * np.finfo(float).eps:   # F of full rank
                square = np.zeros((m, m))
                square[:, :p_c] = reflectors
                q_f = lapack.dorgqr(square, tau)[0]
                k_r = np.concatenate([np.vstack([q_f[:, p_c:], np.zeros((e, m - p_c))]),
                                      k[:, m:]], axis=1)
                self._reml = _Space.of(k_r, terms_q, m - p_c, self.n, self.p)

    def _factor(self, rhos: np.ndarray, lams: np.ndarray, restricted: bool = False
                ) -> tuple[np.ndarray, np.ndarray]:
        """Lower Cholesky factors of the augmented matrices, and log|R|, per (rho, lam).

        The augmented matrix is M^T M of the module docstring: the Gram matrix of the
        whitened [Z X y], built from the fixed sums of ``_prepare_batch`` in one product
        of an (r, 1 + 3 x gaps) matrix of weights with the sums, with the Z rows and
        columns scaled by sqrt(lam), plus I_m in the Z block. NaN where a matrix is not
        positive definite. ``restricted``: in the reduced space of the REML likelihood
        (``_Space``; the same restricted likelihood from a smaller matrix).
        """
        if self._cache and not restricted:
            hits = [self._cache.get(key) for key in zip(rhos.tolist(), lams.tolist(), strict=True)]
            if all(hit is not None for hit in hits):
                return (np.stack([hit[0] for hit in hits]),       # type: ignore[index]
                        np.array([hit[1] for hit in hits]))       # type: ignore[index]
        if self._full is None:
            self._prepare_batch()
        space = self._reml if restricted else self._full
        lay = self.layout
        r = rhos.size
        phi = rhos[:, None] ** lay.gap_values                   # (r, gaps)
        v = 1.0 - phi * phi
        inv_1p = 1.0 / (1.0 + phi)
        w = np.concatenate([np.ones((r, 1)), 1.0 / v, inv_1p, (1.0 - phi) * inv_1p], axis=1)
        logdet_r = np.log(v) @ lay.gap_counts
        # in chunks: each product single-threaded in BLAS (see ``gram``), and each stack
        # of matrices small enough to stay in cache (a 40 x 41 x 41 stack takes twice
        # as long as two of 20)
        rows = space.rows
        if r <= rows:
            return space.factor(w, lams), logdet_r
        return np.concatenate([space.factor(w[i:i + rows], lams[i:i + rows])
                               for i in range(0, r, rows)]), logdet_r

    def _loglik(self, rhos: np.ndarray, lams: np.ndarray, reml: bool) -> np.ndarray:
        """(Restricted) log-likelihood at points (rho, lam), as ``loglik`` (NaN: undefined).

        With L the factor of ``_factor``: log|V| = log|R| + 2 sum log diag L_zz,
        log|X^T V^-1 X| = 2 sum log diag L_xx and the residual sum of squares l_yy^2.
        REML from the reduced space (``_Space``).
        """
        return self._loglik_from(*self._factor(rhos, lams, restricted=reml), reml,
                                 restricted=reml)

    def _loglik_from(self, chol: np.ndarray, logdet_r: np.ndarray, reml: bool,
                     restricted: bool = False) -> np.ndarray:
        space = self._reml if restricted else self._full
        d = space.d
        logd = np.log(chol.reshape(chol.shape[0], d * d)[:, ::d + 1])
        n, p = self.n, self.p
        if not reml:
            const = -0.5 * n * (_LOG_2PI - math.log(n) + 1.0)
            return const - 0.5 * logdet_r - logd @ space.w_ml
        k = n - p
        const = -0.5 * (k * (_LOG_2PI - math.log(k) + 1.0) - self._logdet_xx)
        return const - 0.5 * logdet_r - logd @ space.w_reml

    def prefetch(self, rhos: np.ndarray, lams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``_factor`` at points that later calls will ask for again (one batch for all)."""
        chol, logdet_r = self._factor(rhos, lams)
        for key, c, ld in zip(zip(rhos.tolist(), lams.tolist(), strict=True), chol,
                               logdet_r.tolist(), strict=True):
            self._cache[key] = (c, ld)
        return chol, logdet_r

    def beta_variance_pieces(self, rhos: np.ndarray, lams: np.ndarray
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """sigma^2-free pieces for Satterthwaite, per point: (rss, log|V|, log|X^T V^-1 X|,
        [(X^T V^-1 X)^-1]_11)."""
        m, p = self.m, self.p
        chol, logdet_r = self._factor(rhos, lams)
        diag = np.diagonal(chol, axis1=1, axis2=2)
        logd = np.log(diag)
        inv = np.linalg.inv(chol[:, m:m + p, m:m + p])  # L_xx^-1: (X'V^-1X)^-1 = L^-T L^-1
        return (diag[:, m + p] ** 2, logdet_r + 2.0 * logd[:, :m].sum(axis=1),
                2.0 * logd[:, m:m + p].sum(axis=1), (inv[:, :, 1] ** 2).sum(axis=1))

    def _eval(self, eta: np.ndarray, lam: np.ndarray, reml: bool) -> np.ndarray:
        """Log-likelihood at points (rho = tanh(eta), lam); -inf where it is undefined."""
        with np.errstate(invalid="ignore", divide="ignore"):
            f = self._loglik(np.tanh(eta), lam, reml)
        f[~np.isfinite(f)] = -np.inf
        return f

    def estimate(self, *, rho: float | None, lam: float | None, reml: bool,
                 satterthwaite: bool = False) -> tuple[float, float]:
        """Maximise the (restricted) likelihood over the parameters not fixed by the caller.

        rho in [-0.99, 0.99] and lam in [0, 9999]. A coarse grid (rho on
        ``_RHO_GRID_1D``, lam on ``_LAM_GRID``), evaluated in one batch, brackets the
        optimum; Newton's method in (eta, log lam), eta = atanh(rho), with gradient and
        Hessian by finite differences of batched likelihood evaluations, then converges to
        it, eta kept between the grid neighbours of the best grid point, lam = 0 a
        boundary that is entered when the step would cross it and left only when the
        one-sided derivative there is positive (see ``_newton``). Each likelihood
        evaluation is one small matrix product and a Cholesky factorisation of an
        (m + p + 1)-square matrix (for REML, (m - rank F) + p + 1: module docstring). A
        final check sets lam to exactly 0 when that is at least as likely (to 1e-12).

        With ``satterthwaite`` (REML with lam estimated: ``satterthwaite_df`` follows),
        the final check, the GLS fit and the stencil of ``satterthwaite_df`` at both
        outcomes of the check are factorised in one batch, which ``gls`` and
        ``satterthwaite_df`` then reuse (``prefetch``).
        """
        free_rho, free_lam = rho is None, lam is None
        if free_rho and free_lam:
            etas, lams, ee, ll = _GRID
        else:
            etas = _GRID[0] if free_rho else np.array([np.arctanh(rho)])
            lams = _GRID[1] if free_lam else np.array([lam])
            ee, ll = (a.ravel() for a in np.meshgrid(etas, lams, indexing="ij"))
        f = self._eval(ee, ll, reml).reshape(etas.size, lams.size)
        i, j = np.unravel_index(int(np.argmax(f)), f.shape)
        box = (-_ETA_MAX, _ETA_MAX) if free_rho else None
        searches = [_newton(float(etas[i]), float(lams[j]), float(f[i, j]), box, free_lam)]
        # a second basin: likelihood ridges between (high rho, small lam) and (low rho,
        # large lam) can hold two maxima. Restart from the best grid point more than
        # 0.2 away in rho from the maximum found when it is within 1 log-likelihood unit
        # of the best grid point. Which point that is depends on the maximum; it is
        # usually the one seen from the best grid point, so that search runs alongside
        # the first (the same steps, in the same batches) and is kept when it is the one
        guess = _second_start(etas, lams, f, i, j, float(etas[i])) if free_rho else None
        if guess is not None:
            searches.append(_newton(*guess, box, free_lam))
        found = _run_newton(self, searches, reml)
        eta_hat, lam_hat, f_hat = found[0]
        start = _second_start(etas, lams, f, i, j, eta_hat) if free_rho else None
        if start is not None:
            other = (found[1] if start == guess
                     else _run_newton(self, [_newton(*start, box, free_lam)], reml)[0])
            if other[2] > f_hat:
                eta_hat, lam_hat, f_hat = other
        rho_hat = float(np.tanh(eta_hat)) if free_rho else rho
        # the final check (below) and what the caller asks for next, in one batch: the
        # GLS fit and (``satterthwaite``) the stencil of satterthwaite_df, at lam_hat
        # and at lam = 0
        check = free_lam and lam_hat > 0
        outcomes = [lam_hat, 0.0] if check else [lam_hat]
        rhos = [np.tanh(np.full(2, math.atanh(rho_hat)))] if check else []
        lams = [np.array([lam_hat, 0.0])] if check else []
        for lam_out in outcomes:
            if satterthwaite:
                pts = _satterthwaite_points(rho_hat, lam_out, free_rho=free_rho,
                                            free_lam=free_lam)[1]
                rhos.append(pts[:, 1])
                lams.append(pts[:, 0])
            else:
                rhos.append(np.array([rho_hat]))
                lams.append(np.array([lam_out]))
        chol, logdet_r = self.prefetch(np.concatenate(rhos), np.concatenate(lams))
        if check:
            with np.errstate(invalid="ignore", divide="ignore"):
                f = self._loglik_from(chol[:2], logdet_r[:2], reml)
            f[~np.isfinite(f)] = -np.inf
            if f[1] >= f[0] - 1e-12:
                lam_hat = 0.0
        return rho_hat, lam_hat


def _second_start(etas: np.ndarray, lams: np.ndarray, f: np.ndarray, i: int, j: int,
                  eta_hat: float) -> tuple[float, float, float] | None:
    """Where the second search starts (``PeriodModel.estimate``), or None."""
    far = np.abs(np.tanh(etas) - math.tanh(eta_hat)) > 0.2
    if not far.any():
        return None
    rows = np.flatnonzero(far)
    i2, j2 = np.unravel_index(int(np.argmax(f[rows])), (rows.size, lams.size))
    if not f[rows[i2], j2] > f[i, j] - 1.0:
        return None
    return float(etas[rows[i2]]), float(lams[j2]), float(f[rows[i2], j2])


_ETA_MAX = math.atanh(RHO_BOUND)
_LAM_GRID = (0.0, 0.1, 1.0, 10.0, 100.0)
#: the grid (eta = atanh rho, lam) of the first batch: its axes and its points, flattened
_GRID = (np.arctanh(np.asarray(_RHO_GRID_1D)), np.asarray(_LAM_GRID),
         *(a.ravel() for a in np.meshgrid(np.arctanh(np.asarray(_RHO_GRID_1D)),
                                          np.asarray(_LAM_GRID), indexing="ij")))
_LAM_PROBE = np.geomspace(1e-6, 1.0, 7)
_H = 1e-4          # finite-difference step in eta and in log lam
_T_MAX = math.log(LAM_MAX)
_T_MIN = math.log(1e-9)  # below: lam = 0


def _newton(eta: float, lam: float, f_cur: float, bracket: tuple[float, float] | None,
            free_lam: bool) -> Generator[tuple[list[float], list[float]], list[float],
                                         tuple[float, float, float]]:
    """Newton ascent from a grid point: (eta, lam) at the maximum, and the likelihood.

    A generator: it yields the points (eta values, lam values) it needs and is sent their
    log-likelihoods (``_run_newton`` drives it, and evaluates the points of several
    searches in one batch); it returns (eta, lam, log-likelihood) at the maximum.

    Free coordinates: eta (when ``bracket`` is given, kept inside it) and t = log lam
    (when ``free_lam``; t <= log 9999). Each iteration evaluates one batch: the
    stencil around the candidate point, from which the gradient and Hessian come
    (central differences, step 1e-4). A candidate less likely than the current point
    (by more than 1e-10) is rejected and the step halved. lam = 0 is a boundary
    (t = -inf): the interior stencil includes lam = 0 at the same eta, and a step
    that lowers lam moves there when lam = 0 is at least as likely, or when lam
    would fall below 1e-9. On the boundary the stencil has a one-sided probe at
    lam = 1e-6; when the likelihood increases into the interior, a batched search
    over lam in 1e-6 ... 1 restarts the interior search from its best point. Stops
    when the proposed step moves eta by less than 1e-9 and t by less than 1e-7.
    """
    h = _H
    cand_eta, cand_lam = eta, lam
    d_eta = d_t = 0.0
    restarts = 0
    for _ in range(100):
        edge = free_lam and cand_lam == 0.0
        t = math.log(cand_lam) if cand_lam > 0 else -math.inf
        pts_e, pts_l = [cand_eta], [cand_lam]
        if bracket is not None:
            pts_e += [cand_eta + h, cand_eta - h]
            pts_l += [cand_lam, cand_lam]
        k = len(pts_e)
        if free_lam and not edge:
            up = math.exp(t + h)
            pts_e += [cand_eta, cand_eta, cand_eta]
            pts_l += [up, math.exp(t - h), 0.0]
            if bracket is not None:
                pts_e.append(cand_eta + h)
                pts_l.append(up)
        elif edge:        # a one-sided probe and, to leave the boundary, lam in 1e-6 ... 1
            pts_e += [cand_eta] * _LAM_PROBE.size
            pts_l += list(_LAM_PROBE)
        f = yield pts_e, pts_l
        if (cand_eta, cand_lam) != (eta, lam):
            if not f[0] >= f_cur - 1e-10:           # reject: halve the step
                d_eta, d_t = 0.5 * d_eta, 0.5 * d_t
                cand_eta, cand_lam = _move(eta, lam, d_eta, d_t, bracket)
                if (cand_eta, cand_lam) == (eta, lam) or abs(d_eta) + abs(d_t) < 1e-12:
                    break
                continue
            eta, lam = cand_eta, cand_lam
        f_cur = f[0]
        if edge and f[k] > f_cur and restarts < 5:
            restarts += 1
            best = k + f[k:].index(max(f[k:]))
            cand_lam = lam = float(pts_l[best])
            f_cur = float(f[best])
            continue
        grad, curv = [], []
        if bracket is not None:
            grad.append((f[1] - f[2]) / (2 * h))
            curv.append((f[1] - 2 * f_cur + f[2]) / (h * h))
        if free_lam and not edge:
            grad.append((f[k] - f[k + 1]) / (2 * h))
            curv.append((f[k] - 2 * f_cur + f[k + 1]) / (h * h))
        if not grad:
            break
        cross = (f[k + 3] - f[1] - f[k] + f_cur) / (h * h) if len(grad) == 2 else 0.0
        free = [True] * len(grad)
        if bracket is not None and (eta <= bracket[0] and grad[0] < 0
                                    or eta >= bracket[1] and grad[0] > 0):
            free[0] = False                       # rho at its bound, pushing outwards
        if free_lam and not edge and t >= _T_MAX and grad[-1] > 0:
            free[-1] = False                      # lam at its upper bound
        if not any(free):
            break
        if all(free):
            step = _ascent_step(grad, curv, cross)
        else:
            i = free.index(True)
            step = [0.0] * len(grad)
            step[i] = _ascent_step([grad[i]], [curv[i]], 0.0)[0]
        d_eta = float(step[0]) if bracket is not None else 0.0
        d_t = float(step[-1]) if free_lam and not edge else 0.0
        if free_lam and not edge and d_t < 0 and f[k + 2] >= f_cur:
            cand_eta, cand_lam = eta, 0.0         # the boundary is at least as likely
            d_eta = d_t = 0.0
            continue
        cand_eta, cand_lam = _move(eta, lam, d_eta, d_t, bracket)
        if abs(d_eta) < 1e-5 and abs(d_t) < 1e-3 and (cand_lam > 0) == (lam > 0):
            # Newton converges quadratically: after a step this small the error is of
            # the order of its square, so take it without a further evaluation
            return cand_eta, cand_lam, f_cur
    return eta, lam, f_cur


def _run_newton(model: PeriodModel, searches: list[Generator[Any, Any, Any]],
                reml: bool) -> list[tuple[float, float, float]]:
    """Run Newton searches (``_newton``) side by side: one batch per step for all of them."""
    results: list[Any] = [None] * len(searches)
    asks = {i: next(search) for i, search in enumerate(searches)}
    while asks:
        f = model._eval(np.array([e for a in asks.values() for e in a[0]]),
                        np.array([lam for a in asks.values() for lam in a[1]]),
                        reml).tolist()
        start, nxt = 0, {}
        for i, (pts_e, _) in asks.items():
            try:
                nxt[i] = searches[i].send(f[start:start + len(pts_e)])
            except StopIteration as stop:
                results[i] = stop.value
            start += len(pts_e)
        asks = nxt
    return results


def _move(eta: float, lam: float, d_eta: float, d_t: float,
          bracket: tuple[float, float] | None) -> tuple[float, float]:
    """(eta + d_eta, lam e^d_t) within the bracket and lam <= LAM_MAX; lam < 1e-9 -> 0."""
    if bracket is not None:
        eta = min(max(eta + d_eta, bracket[0]), bracket[1])
    if lam > 0 and d_t:
        t = min(math.log(lam) + d_t, _T_MAX)
        lam = math.exp(t) if t > _T_MIN else 0.0
    return eta, lam


def _ascent_step(g: list[float], curv: list[float], cross: float,
                 radius: float = 1.0) -> list[float]:
    """Newton step -H^-1 g, or a Levenberg-Marquardt step -(H - mu I)^-1 g (1 or 2 dims).

    H has diagonal ``curv`` and (2 dims) off-diagonal ``cross``. The plain Newton step
    is used when H is negative definite and the step is at most ``radius`` long;
    otherwise mu = max(0, largest eigenvalue of H) + |g| / radius, which makes
    H - mu I negative definite and the step an ascent direction no longer than
    ``radius``. In closed form (these are 1 x 1 or 2 x 2).
    """
    if not any(g):
        # a stationary point (the search stops there); H - mu I would be singular
        return [0.0] * len(g)
    if len(g) == 1:
        h, gg = float(curv[0]), float(g[0])
        if h < 0 and abs(gg / h) <= radius:
            return [-gg / h]
        mu = max(h, 0.0) + abs(gg) / radius
        return [gg / (mu - h)]
    a, d, b = float(curv[0]), float(curv[1]), float(cross)
    g0, g1 = float(g[0]), float(g[1])
    top = 0.5 * (a + d) + math.hypot(0.5 * (a - d), b)

    def solve(a_: float, d_: float) -> list[float]:     # -(H')^-1 g by Cramer's rule
        det = a_ * d_ - b * b
        return [-(d_ * g0 - b * g1) / det, -(a_ * g1 - b * g0) / det]

    if top < 0:
        step = solve(a, d)
        if math.hypot(step[0], step[1]) <= radius:
            return step
    mu = max(top, 0.0) + math.hypot(g0, g1) / radius
    return solve(a - mu, d - mu)


def satterthwaite_df(model: PeriodModel, rho: float, lam: float, scale: float, *,
                     free_rho: bool, free_lam: bool) -> float | None:
    """Satterthwaite degrees of freedom for the treatment coefficient (REML fit).

    With covariance parameters tau = (sigma^2, sigma_u^2 = lam sigma^2, rho) and
    v(tau) = Var(beta_1) = sigma^2 [(X^T V^-1 X)^-1]_11,
    df = 2 v^2 / (g^T A g), where g is the gradient of v and A the inverse of the
    Hessian of minus the restricted log-likelihood (the asymptotic covariance of the
    REML estimates; Satterthwaite 1946, Giesbrecht & Burns 1985, as in SAS PROC MIXED
    and lmerTest). Minus the restricted log-likelihood is
    ((n - p) log sigma^2 + G(lam, rho) + S(lam, rho) / sigma^2) / 2 with
    G = log|V| + log|X^T V^-1 X| and S the GLS residual sum of squares: its
    derivatives in sigma^2 are analytic, those of G, S and [(X^T V^-1 X)^-1]_11 in
    (lam, rho) come from central differences on one batch of (at most 9) points
    (relative step 1e-3 in lam, 1e-4 in rho), and the chain rule for lam =
    sigma_u^2 / sigma^2 gives the derivatives in tau. Parameters fixed by the caller,
    and a variance at its boundary 0, are held fixed. Returns None when the Hessian
    is not positive definite (a flat or degenerate likelihood).
    """
    use_lam, use_rho = free_lam and lam > 0, free_rho
    h_l, h_r = 1e-3 * lam, 1e-4
    offsets, pts = _satterthwaite_points(rho, lam, free_rho=free_rho, free_lam=free_lam)
    rss_a, logdet_v, logdet_xvx, w11_a = model.beta_variance_pieces(pts[:, 1], pts[:, 0])
    g_fun, rss, w11 = (logdet_v + logdet_xvx).tolist(), rss_a.tolist(), w11_a.tolist()
    at = {o: i for i, o in enumerate(offsets)}
    steps = {"l": h_l, "r": h_r}
    unit = {"l": (1, 0), "r": (0, 1)}

    def d1(vals: list[float], a: str) -> float:
        (i, j) = unit[a]
        return (vals[at[(i, j)]] - vals[at[(-i, -j)]]) / (2 * steps[a])

    def d2(vals: list[float], a: str, b: str) -> float:
        if a == b:
            i, j = unit[a]
            return (vals[at[(i, j)]] - 2 * vals[0] + vals[at[(-i, -j)]]) / steps[a] ** 2
        return (vals[at[(1, 1)]] - vals[at[(1, -1)]] - vals[at[(-1, 1)]]
                + vals[at[(-1, -1)]]) / (4 * h_l * h_r)

    s2, n_p, rss0, w0 = scale, model.n - model.p, rss[0], w11[0]
    names = (["l"] if use_lam else []) + (["r"] if use_rho else [])
    # F(s, lam, rho) = ((n - p) log s + G + S / s) / 2 in natural coordinates (s, lam, rho)
    q = 1 + len(names)
    hess_nat = np.zeros((q, q))
    grad_nat = np.zeros(q)                          # of F, for the chain rule's 2nd term
    hess_nat[0, 0] = 0.5 * (-n_p / s2 ** 2 + 2 * rss0 / s2 ** 3)
    dv_nat = np.zeros(q)                            # gradient of v = s W(lam, rho)
    dv_nat[0] = w0
    for a_i, a in enumerate(names, start=1):
        hess_nat[0, a_i] = hess_nat[a_i, 0] = -0.5 * d1(rss, a) / s2 ** 2
        grad_nat[a_i] = 0.5 * (d1(g_fun, a) + d1(rss, a) / s2)
        dv_nat[a_i] = s2 * d1(w11, a)
        for b_i, b in enumerate(names, start=1):
            if b_i >= a_i:
                hess_nat[a_i, b_i] = hess_nat[b_i, a_i] = 0.5 * (d2(g_fun, a, b)
                                                                 + d2(rss, a, b) / s2)
    # tau = (s, u = lam s, rho): lam = u / s, d lam / d(s, u) = (-lam / s, 1 / s)
    jac = np.eye(q)
    if use_lam:
        jac[1, 0], jac[1, 1] = -lam / s2, 1.0 / s2
    hess = jac.T @ hess_nat @ jac
    grad = jac.T @ dv_nat
    if use_lam:     # second derivatives of lam in (s, u) times dF / d lam
        hess[0, 0] += grad_nat[1] * 2 * lam / s2 ** 2
        hess[0, 1] -= grad_nat[1] / s2 ** 2
        hess[1, 0] = hess[0, 1]
    denom = _inverse_quadratic_form(hess.tolist(), grad.tolist())
    if denom is None or not denom > 0:
        return None
    return 2.0 * (s2 * w0) ** 2 / denom


def _inverse_quadratic_form(a: list[list[float]], g: list[float]) -> float | None:
    """g^T A^-1 g = |L^-1 g|^2 by the Cholesky factorisation A = L L^T (A at most 3 x 3).

    None when A is not positive definite (a pivot not above 0, as LAPACK's potrf).
    """
    n = len(g)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            rest = a[i][j] - sum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                if not rest > 0:
                    return None
                low[i][i] = math.sqrt(rest)
            else:
                low[i][j] = rest / low[j][j]
    w: list[float] = []
    for i in range(n):
        w.append((g[i] - sum(low[i][k] * w[k] for k in range(i))) / low[i][i])
    return sum(v * v for v in w)


def _satterthwaite_points(rho: float, lam: float, *, free_rho: bool, free_lam: bool
                          ) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The stencil of ``satterthwaite_df``: offsets in (lam, rho) steps, and the points."""
    use_lam, use_rho = free_lam and lam > 0, free_rho
    offsets = [(0, 0)]
    if use_lam:
        offsets += [(1, 0), (-1, 0)]
    if use_rho:
        offsets += [(0, 1), (0, -1)]
    if use_lam and use_rho:
        offsets += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    return offsets, np.array(offsets, dtype=float) * [1e-3 * lam, 1e-4] + [lam, rho]


def containment_df(x: np.ndarray, period_codes: np.ndarray, m: int) -> tuple[float, int]:
    """Between-period ("containment") degrees of freedom and the period-level rank.

    df = m - rank(X_bar), where X_bar holds the per-period means of the
    columns of X (intercept, treatment, block dummies, trend): the rank of
    the fixed effects counted at the period level. For k pairs of periods
    with block effects this is 2k - (k + 1) = k - 1, the paired t-test's df.
    """
    p = x.shape[1]
    counts = np.bincount(period_codes, minlength=m)
    sums = np.bincount((period_codes[:, None] * p + np.arange(p)).ravel(), x.ravel(), m * p)
    means = sums.reshape(m, p) / counts[:, None]
    rank = int(np.linalg.matrix_rank(means))
    return float(m - rank), rank
