"""Design-faithful randomization tests and confidence intervals.

The reference set of the test is exactly the design's own set of admissible
assignments (``Design.iter_assignments``): the 2**k orders of a paired design,
the admissible phase-change points of a phase design, the balanced (optionally
run-capped) orders of an alternating design. Conventions follow the R package
SCRT 1.3.1 (Bulte & Onghena), whose values the tests reproduce.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import as_rng
from ..design import Design, PairedDesign
from . import _rand_ci, _rand_inputs, _rand_paired
from ._rand_engine import (
    DRAW_CHUNK,
    count_extreme,
    make_evaluator,
    mc_draws,
    paired_mitm_count,
    tie_tolerance,
)
from ._rand_inputs import (
    DEFAULT_RESAMPLES,
    MAX_EXACT_PAIRS,
    StatSpec,
    check_n_resamples,
    prepare,
)
from ._rand_inputs import choose_method as _choose_method
from ._rand_results import RandomizationCIResult, RandomizationTestResult

__all__ = ["randomization_test", "randomization_ci", "RandomizationTestResult",
           "RandomizationCIResult"]

#: complete rows of a batch are counted by vectorised meet-in-the-middle up to this many pairs
MAX_BATCH_MITM_PAIRS = 24
#: the null distribution is returned when it has at most this many values
MAX_KEEP = 1 << 20


def _paired_exact(design: PairedDesign, x: np.ndarray, xc: np.ndarray, obs: np.ndarray,
                  t: np.ndarray, gamma: np.ndarray, tail: str
                  ) -> tuple[np.ndarray, str] | None:
    """Exact p-values of a paired design without listing its 2**k assignments.

    Per row: an integer dynamic programme when the scores lie on a grid
    (``_rand_paired``), meet-in-the-middle otherwise (up to ``MAX_EXACT_PAIRS``
    pairs; complete rows of a batch vectorised). None when some row can be
    counted neither way.
    """
    k = design.n_pairs
    n_rows = x.shape[0]
    pvalue = np.full(n_rows, np.nan)
    defined = ~np.isnan(t)
    complete = ~np.isnan(x).any(axis=1)
    used = set()
    todo = np.flatnonzero(defined)
    if n_rows > 1 and k <= MAX_BATCH_MITM_PAIRS:
        fast = todo[complete[todo]]
        if fast.size:
            counts = _rand_paired.mitm_complete_counts(xc[fast], t[fast], gamma[fast], tail)
            pvalue[fast] = counts / design.n_assignments
            used.add("meet-in-the-middle")
        todo = todo[~complete[todo]]
    for i in todo.tolist():
        scale = _rand_paired.grid_scale(x[i])
        if scale is not None and _rand_paired.dp_feasible(x[i], scale):
            hits, total = _rand_paired.dp_pvalue(x[i], obs[i], scale, tail)
            pvalue[i] = hits / total
            used.add("dynamic programme")
        elif k <= MAX_EXACT_PAIRS:
            pvalue[i] = paired_mitm_count(xc[i], t[i], gamma[i], tail) / design.n_assignments
            used.add("meet-in-the-middle")
        else:
            return None
    return pvalue, "exact " + " + ".join(sorted(used) or ["dynamic programme"])


def _mc_values(design: Design, ev: Any, xc: np.ndarray, rng: np.random.Generator,
               n: int):
    """Blocks ``(n_rows, draws)`` of the statistic under Monte Carlo draws from the design.

    Paired designs without missing scores draw the pair bits directly (the same
    random numbers ``design.draw`` uses) and compute ``k * T = d @ eps`` from the
    k pair differences, instead of expanding 2k labels and two matrix products.
    """
    if ev.draws_pair_bits and not ev.has_missing:
        k = design.n_pairs
        d = (xc[:, 0::2] - xc[:, 1::2]) / k  # first minus second period, over k
        total = d.sum(axis=1)
        dt2 = np.ascontiguousarray(2.0 * d.T)
        for start in range(0, n, DRAW_CHUNK):
            bits = rng.integers(0, 2, size=(min(DRAW_CHUNK, n - start), k))
            # bit 1 = the second period is A: T = sum(d) - 2 * (bits @ d)
            yield total[:, None] - (bits.astype(np.float64) @ dt2).T
        return
    if ev.draws_changepoints:
        # change points drawn directly (the random numbers design.draw uses), then phase
        # sums from the prefix sums: no n_occasions-long label rows
        for start in range(0, n, DRAW_CHUNK):
            size = min(DRAW_CHUNK, n - start)
            cps = design.draw_changepoints(rng, size)
            for r0 in range(0, size, ev.chunk_rows):
                yield ev._from_bounds(ev._bounds(cps[r0:r0 + ev.chunk_rows]), per_row=False)
        return
    for draws in mc_draws(design, rng, n):
        for start in range(0, draws.shape[0], ev.chunk_rows):
            yield ev.from_assignments(draws[start:start + ev.chunk_rows])


def _product_pvalues(design: Design, xc: np.ndarray, t: np.ndarray, gamma: np.ndarray,
                     spec: StatSpec, washout: int) -> np.ndarray | None:
    """Exact p-values counted on the reference set as a union of products, or None.

    Equal to counting over the enumerated set (see ``_rand_phase``), row by row.
    """
    pvalue = np.full(xc.shape[0], np.nan)
    one = np.ones(1)
    for i in np.flatnonzero(~np.isnan(t)).tolist():
        prod = make_evaluator(design, xc[i:i + 1], spec.base, washout).product()
        if prod is None:
            return None
        ti, gi = float(t[i]), float(gamma[i])
        if spec.tail == "greater":
            hits = prod.count_at_least(one, ti - gi)
        elif spec.tail == "less":
            hits = prod.count_at_least(-one, -(ti + gi))
        else:
            c = abs(ti) - gi
            hits = (prod.n_defined if c <= 0 else
                    prod.count_at_least(one, c) + prod.count_at_least(-one, c))
        pvalue[i] = (hits + prod.n_undefined) / design.n_assignments
    return pvalue


def randomization_test(scores: Any, labels: Any, *, design: Design, statistic: str = "A-B",
                       alternative: str = "two-sided", n_resamples: int | None = None,
                       washout: int = 0, rng: Any = None,
                       keep_null: bool | None = None) -> RandomizationTestResult:
    r"""Randomization test whose reference set is the design's own admissible set.

    Parameters
    ----------
    scores : array_like, shape (n_units,) or (n_batch, n_units)
        One score per design unit: period means for paired and alternating
        designs, daily (occasion) scores for phase designs. NaN = missing. A 2-D
        array analyses ``n_batch`` data sets at once (power simulations).
    labels : array_like, shape (n_units,) or (n_batch, n_units)
        The observed assignment: ``'A'``/``'B'`` per unit, SCRT's phase labels
        ``'A1'``, ``'B1'``, ``'A2'``, ``'B2'`` (digits ignored), or 0/1
        (0 = A). It must be admissible under ``design``. 1-D labels with 2-D
        scores apply to every row.
    design : Design
        The design the assignment was drawn from (``PairedDesign``,
        ``PhaseDesign``, ``AlternatingDesign``).
    statistic : {'A-B', 'B-A', '|A-B|', 'PA-PB', 'PB-PA', '|PA-PB|'}
        ``'A-B'``: difference of the condition means over non-missing units.
        ``'PA-PB'``: mean of the A-phase means minus mean of the B-phase means
        (phase designs only). ``'B-...'`` reverse the sign; ``'|...|'`` are
        the absolute values (two-sided).
    alternative : {'two-sided', 'greater', 'less'}
        Tail of the named statistic that counts as extreme. Default: two-sided.
    n_resamples : int or None
        ``None`` (default): exact over the whole admissible set when it can be
        counted (see Notes), Monte Carlo with 9,999 draws otherwise (``note``
        then says why). An integer smaller than the number of admissible
        assignments: Monte Carlo with that many draws; at least that number:
        exact, as in ``scipy.stats.permutation_test``.
    washout : int
        Phase designs only: the first ``washout`` occasions of every phase are
        left out of the statistic, for the observed and for every admissible
        assignment (analytic wash-out). Must be below ``design.min_phase``.
    rng : None, int or numpy.random.Generator
        Randomness for Monte Carlo draws.
    keep_null : bool or None
        Paired designs: whether to list all 2**k values of the statistic and
        return them as ``null_distribution`` (possible up to 20 pairs). ``None``
        (default): listed up to 12 pairs (4,096 values, as fast as counting),
        counted without listing beyond. ``False``: never kept (any design).

    Returns
    -------
    RandomizationTestResult
        ``statistic``, ``pvalue``, ``null_distribution``, ``n_assignments``,
        ``n_resamples``, ``exact``, ``alternative``, ``statistic_name``,
        ``design``, ``method``, ``washout``; arrays per data set for a batch.

    Raises
    ------
    TypeError
        If ``design`` is not a Design, or scores/labels have the wrong type.
    ValueError
        On wrong lengths, labels that are not an admissible assignment, an
        unknown statistic, a phase statistic on a design without phases, a
        contradictory statistic/alternative pair (``'|A-B|'`` with ``'less'``),
        ``washout`` on a non-phase design, or (1-D input) an observed statistic
        that cannot be computed (no non-missing score in a condition).

    Notes
    -----
    H0 (sharp null): each score would have been the same under any admissible
    assignment. Let :math:`T(a)` be the statistic under assignment :math:`a`
    and :math:`\mathcal{A}` the admissible set (:math:`N` assignments). The
    exact p-value is

    .. math:: p = \#\{a \in \mathcal{A} : T(a) \ge T(a_{obs})\} / N

    for ``alternative='greater'`` (``<=`` for 'less', ``|T(a)| >= |T(a_obs)|``
    for 'two-sided'). Ties count as extreme. The integer dynamic programme
    (paired designs, scores on a grid) compares the statistics exactly, as
    fractions. Every other method compares floating-point values with an
    absolute tolerance ``1e-10 * (|T(a_obs)| + max |centred score|)``, so that
    assignments tied in exact arithmetic are not lost to rounding. This is
    wider than ``scipy.stats.permutation_test``'s (``100 * machine epsilon *
    |T(a_obs)|``, about ``2.2e-14 |T(a_obs)|``, which is 0 when the observed
    statistic is 0): statistics within it of the observed one count as ties
    although they may differ in exact arithmetic, which can only happen for
    scores that differ by about 1e-10 of their scale. An assignment whose statistic cannot be
    computed (a condition or all phases of one condition without data) counts as
    extreme. Missing scores stay at their time points and are left out of the
    means. Monte Carlo: ``p = (b + 1) / (B + 1)`` with ``B = n_resamples``
    draws (with replacement) from the design and the observed assignment
    included (Hope 1968), so ``p`` is never 0 and the test stays valid. In a
    batch, the same draws serve every row.

    SCRT's ``pvalue.systematic`` is always the upper tail of its statistic:
    SCRT ``'A-B'`` is ``statistic='A-B', alternative='greater'``; SCRT
    ``'B-A'`` is ``('A-B', 'less')`` or ``('B-A', 'greater')``; SCRT
    ``'|A-B|'`` is ``('A-B', 'two-sided')`` or ``'|A-B|'`` (with 'two-sided'
    or 'greater'); likewise for ``'PA-PB'``. The default, a two-sided test of
    the difference of condition means, is SCRT's ``'|A-B|'``.

    Exact by default. Paired designs: the 2**k values listed by doubling up to
    12 pairs (20 with ``keep_null=True``); otherwise counted without listing --
    by an integer dynamic programme over the sum of the A scores when every
    score is a fraction with denominator at most 840 (period means of whole-
    number days; any number of pairs), else by meet-in-the-middle up to 40
    pairs, else Monte Carlo (``note`` says so). Other designs: enumerated up to
    10,000,000 assignments (phase designs by prefix sums over the change
    points). Phase designs with three or more phases and statistic 'PA-PB'
    whose reference set has at least 100,000 assignments (and no null
    distribution is kept) are counted without listing them: with the middle
    change point fixed, the statistic is a left term plus a right term, so the
    set is a union of products and each count is a sorted merge; values within
    1e-11 of the data scale of the threshold are re-evaluated as enumeration
    evaluates them, so the p-values are the enumeration's (``_rand_phase``;
    milliseconds for ABAB 365/14, 5,013,320 assignments). The floating-point
    engines work on scores centred at their mean, which leaves the statistic
    unchanged and keeps rounding small.

    References
    ----------
    .. [1] Bulte, I., & Onghena, P. (2008). An R package for single-case
       randomization tests. Behavior Research Methods, 40, 467-478.
    .. [2] Edgington, E. S., & Onghena, P. (2007). Randomization Tests (4th ed.).
       Chapman & Hall/CRC.
    .. [3] Hope, A. C. A. (1968). A simplified Monte Carlo significance test
       procedure. JRSS B, 30, 582-598.

    Examples
    --------
    A paired design with 6 pairs of periods and one mean pain score per period;
    A (the treatment) came out lower in every pair, the most extreme of the
    64 orders in either direction:

    >>> from nof1 import PairedDesign
    >>> from nof1.analysis import randomization_test
    >>> design = PairedDesign(n_pairs=6)
    >>> labels = design.draw(rng=12345)
    >>> "".join("AB"[v] for v in labels)
    'BAABBAABABBA'
    >>> scores = [5.6, 4.3, 4.9, 5.8, 6.2, 4.8, 4.1, 5.0, 5.2, 5.5, 6.0, 4.4]
    >>> res = randomization_test(scores, labels, design=design)
    >>> print(f"{res.statistic:.4f} {res.pvalue} {res.n_assignments}")
    -1.0667 0.03125 64

    An ABAB phase design (SCRT's example data), one-sided like SCRT's ``'A-B'``:

    >>> from nof1 import PhaseDesign
    >>> scores = [6, 2, 5, 3, 4, 4, 1, 2, 3, 1, 3, 2, 2, 3, 4, 2, 4, 3, 0, 1, 2, 0, 2, 1]
    >>> labels = list("AAAAAABBBBBBAAAAAABBBBBB")
    >>> design = PhaseDesign("ABAB", n_occasions=24, min_phase=4)
    >>> res = randomization_test(scores, labels, design=design, alternative="greater")
    >>> print(f"{res.pvalue:.6f} = {round(res.pvalue * res.n_assignments)}/{res.n_assignments}")
    0.030303 = 5/165
    """
    design, spec, washout, x, obs, batch = prepare(scores, labels, design, statistic,
                                                    alternative, washout)
    n_resamples = n_resamples_asked = check_n_resamples(n_resamples)
    if keep_null is not None and not isinstance(keep_null, bool):
        raise TypeError("`keep_null` must be None, True or False")
    rng = as_rng(rng)
    method = _choose_method(design, n_resamples, keep_null)
    note = ""

    reported = make_evaluator(design, x, spec.base, washout).observed(obs)
    if not batch and np.isnan(reported[0]):
        raise ValueError("the observed statistic cannot be computed: a condition (or every "
                         "phase of one condition) has no non-missing score")
    xc = x - np.nanmean(x, axis=1, keepdims=True)
    ev = make_evaluator(design, xc, spec.base, washout)
    t = ev.observed(obs)
    gamma = tie_tolerance(t, xc)
    null = None
    pvalue = None

    if method == "exact paired":
        found = _paired_exact(design, x, xc, obs, t, gamma, spec.tail)
        if found is None:
            method = "Monte Carlo"
            note = (f"exact counting is impossible here (more than {MAX_EXACT_PAIRS} pairs and "
                    f"scores not on a grid of small denominators), so the p-value is Monte "
                    f"Carlo")
        else:
            pvalue, method = found
    if method == "Monte Carlo" and (n_resamples is None or n_resamples >= design.n_assignments):
        n_resamples = DEFAULT_RESAMPLES if n_resamples is None else n_resamples

    if (pvalue is None and method == "exact enumeration"
            and (keep_null is False or x.shape[0] * design.n_assignments > MAX_KEEP)
            and design.n_assignments >= _rand_inputs.MIN_PRODUCT_ASSIGNMENTS):
        pvalue = _product_pvalues(design, xc, t, gamma, spec, washout)
    if pvalue is None:
        counts = np.zeros(x.shape[0], dtype=np.int64)
        if method == "exact enumeration":
            total = design.n_assignments
            if x.shape[0] * total <= MAX_KEEP and keep_null is not False:
                null = np.empty((x.shape[0], total))
            for rows, cols, values in ev.exact_chunks():
                counts[rows] += count_extreme(values, t[rows], gamma[rows], spec.tail,
                                              ev.has_missing)
                if null is not None:
                    null[rows, cols] = values
            pvalue = counts / total
        else:
            total = n_resamples
            if x.shape[0] * total <= MAX_KEEP and keep_null is not False:
                null = np.empty((x.shape[0], total))
            col = 0
            for values in _mc_values(design, ev, xc, rng, n_resamples):
                counts += count_extreme(values, t, gamma, spec.tail, ev.has_missing)
                if null is not None:
                    null[:, col:col + values.shape[1]] = values
                col += values.shape[1]
            pvalue = (counts + 1) / (total + 1)

    exact = method != "Monte Carlo"
    pvalue = np.where(np.isnan(t), np.nan, pvalue)
    statistic_out = spec.report(reported)
    null_out = None if null is None else spec.report(null)
    if not batch:
        statistic_out, pvalue = float(statistic_out[0]), float(pvalue[0])
        null_out = None if null_out is None else null_out[0]
    return RandomizationTestResult(
        statistic=statistic_out, pvalue=pvalue, null_distribution=null_out,
        n_assignments=design.n_assignments, n_resamples=None if exact else n_resamples,
        exact=exact, alternative=spec.alternative, statistic_name=spec.name,
        design=design.to_dict(), method=method, washout=washout, note=note,
        _inputs=None if batch else {"scores": x[0].copy(), "labels": obs[0].copy(),
                                    "design": design, "washout": washout,
                                    "n_resamples": n_resamples_asked, "rng": rng},
    )


def randomization_ci(scores: Any, labels: Any, *, design: Design,
                     confidence_level: float = 0.95, statistic: str = "A-B",
                     washout: int = 0, n_resamples: int | None = None,
                     rng: Any = None) -> RandomizationCIResult:
    r"""Confidence interval for a constant additive effect, by inverting the randomization test.

    Parameters
    ----------
    scores, labels, design, washout, n_resamples, rng
        As in :func:`randomization_test` (one data set: 1-D scores and labels).
    confidence_level : float
        Confidence level in (0, 1), default 0.95.
    statistic : {'A-B', 'B-A', 'PA-PB', 'PB-PA'}
        The effect: difference of condition means (``'A-B'``, treatment minus
        control) or of mean phase means (phase designs); ``'B-...'`` gives
        the interval for the reversed difference.

    Returns
    -------
    RandomizationCIResult
        ``estimate`` (the observed statistic), ``ci_low``, ``ci_high``,
        ``confidence_level``, ``min_pvalue``, ``note``, ``method``, ...

    Raises
    ------
    ValueError
        As :func:`randomization_test`; also for an absolute statistic
        (``'|A-B|'``), which has no signed effect to bound.

    Notes
    -----
    Model: a constant additive effect :math:`\delta`: each score under A is the
    score it would have had under B plus :math:`\delta`. H0: effect =
    :math:`\delta` is tested by subtracting :math:`\delta` from the scores
    observed under A and running the randomization test on the result. With
    :math:`\alpha = 1 -` ``confidence_level``, the interval is the set of
    :math:`\delta` rejected by neither one-sided test at level :math:`\alpha/2`
    (equivalently, two-sided p-value :math:`2\min(p_{less}, p_{greater}) >
    \alpha`). For each assignment :math:`a`, :math:`T_\delta(a) -
    T_\delta(a_{obs}) = T_0(a) - T_0(a_{obs}) + \delta (1 - g(a))` with
    :math:`g(a) \le 1` the statistic of the indicator of the observed A units,
    so each one-sided p-value is a monotone step function of :math:`\delta`
    and the set is an interval. Paired designs whose pairs are complete or
    wholly missing and whose scores lie on a grid (period means of whole-number
    days): flipping a set F of pairs moves the statistic to or above the
    observed one exactly when the mean of the observed A - B differences over
    F is at most the shift, so each bound is an order statistic of the means
    of all subsets of pair differences; a dynamic programme counts the subsets
    of each size and integer sum, and the bound is found as an exact fraction
    (method 'subset means'; milliseconds for 62 pairs). Otherwise the bounds
    are solved exactly over the reference set (the crossing points of all
    assignments; method 'crossing points'; for large phase designs counted as
    above, only the assignments crossing beyond a trial shift are listed, with
    the same result); for paired designs beyond 20
    pairs off a grid, by a bracketed root search on meet-in-the-middle counts
    (regula falsi with bisection safeguards) to a tolerance of 1e-10 relative
    to the data scale (method 'search'; about 0.3 s for 30 pairs, several
    seconds for 40, longer when many assignments tie). The bounds are closed: at
    ``ci_low`` the upper-tail p-value already exceeds :math:`\alpha/2`.

    The estimate is the observed statistic (not a Hodges-Lehmann centre), in
    keeping with the effect definition mean(A) - mean(B).

    If even an infinite shift cannot push a one-sided p-value to
    :math:`\alpha/2` or below (too few admissible assignments: ``min_pvalue`` >
    :math:`\alpha/2`), that bound is infinite and ``note`` says so.

    References
    ----------
    .. [1] Edgington, E. S., & Onghena, P. (2007). Randomization Tests (4th ed.),
       ch. 3 (confidence intervals by test inversion).
    .. [2] Garthwaite, P. H. (1996). Confidence intervals from randomization tests.
       Biometrics, 52, 1387-1393.

    Examples
    --------
    >>> from nof1 import PairedDesign
    >>> from nof1.analysis import randomization_ci
    >>> design = PairedDesign(n_pairs=8)
    >>> labels = design.draw(rng=12345)
    >>> scores = [5.6, 4.3, 4.9, 5.8, 6.2, 4.8, 4.1, 5.0,
    ...           5.2, 5.5, 6.0, 4.4, 5.3, 5.1, 5.9, 4.2]
    >>> ci = randomization_ci(scores, labels, design=design)
    >>> print(f"{ci.estimate:.4f} [{ci.ci_low:.4f}, {ci.ci_high:.4f}]")
    -1.0375 [-1.5333, -0.5500]

    With 4 pairs (16 assignments) the one-sided p-value cannot go below
    1/16 > 0.025, so a 95% interval cannot be bounded:

    >>> small = PairedDesign(n_pairs=4)
    >>> ci = randomization_ci(scores[:8], labels[:8], design=small)
    >>> ci.ci_low, ci.ci_high, ci.min_pvalue
    (-inf, inf, 0.0625)
    """
    return RandomizationCIResult(**_rand_ci.invert(
        scores, labels, design=design, confidence_level=confidence_level, statistic=statistic,
        washout=washout, n_resamples=n_resamples, rng=rng))


def tails_and_interval(scores: Any, labels: Any, *, design: Design, statistic: str = "A-B",
                      confidence_level: float = 0.95, washout: int = 0, rng: Any = None
                      ) -> tuple[RandomizationTestResult, float, RandomizationCIResult]:
    """Both one-sided tests and the interval of one data set, sharing their work.

    Returns ``(greater, p_less, ci)``: ``randomization_test(..., alternative='greater')``,
    the p-value of ``alternative='less'`` and ``randomization_ci(...)``, the same numbers
    as the three calls (each given ``rng``). When the interval comes from a subset table
    (paired designs on a grid), that table holds both tails' counts, so the 'less' test
    is not run again; its 'greater' count must equal the test's, or the test is run.
    """
    greater = randomization_test(scores, labels, design=design, statistic=statistic,
                                 alternative="greater", washout=washout, rng=rng)
    inv, tails = _rand_ci.invert_with_tails(scores, labels, design=design,
                                            confidence_level=confidence_level,
                                            statistic=statistic, washout=washout, rng=rng)
    ci = RandomizationCIResult(**inv)
    n = design.n_assignments
    if tails is not None and greater.exact and tails[0] / n == greater.pvalue:
        return greater, tails[1] / n, ci
    less = randomization_test(scores, labels, design=design, statistic=statistic,
                              alternative="less", washout=washout, rng=rng)
    return greater, float(less.pvalue), ci
