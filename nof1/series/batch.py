"""Per-person results for every trial of a series at once.

Paired designs take a vectorised path: the period means of all persons come from one
pass over the long diary (``numpy.bincount``), and the paired t-test and the exact
randomization test run once per design on a matrix with one row per person. No pandas
object is made per trial. The numbers are those of :func:`nof1.analyze` person by
person (its period table, paired t-test and randomization test; the day-level GLS is not
run). Trials of other designs (phase, alternating) go through :func:`nof1.analyze`
one by one and are marked so in ``method``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._validation import as_rng, check_confidence_level, check_float, check_int
from ..analysis import paired_period_test, randomization_test
from ..analysis._tables import MIN_COMPLETENESS
from ..design import design_from_dict
from .data import Series, schedule_of

__all__ = ["PersonResults", "analyze_series", "PERSON_COLUMNS", "PAIR_COLUMNS"]

PERSON_COLUMNS = ("person", "outcome", "design", "n_pairs", "n_dropped", "estimate", "se",
                  "ci_low", "ci_high", "statistic", "df", "pvalue_t", "pvalue",
                  "n_assignments", "exact", "sd_difference", "completeness", "adherence",
                  "higher_is_better", "mcid", "method")
PAIR_COLUMNS = ("person", "outcome", "pair", "mean_a", "mean_b", "difference")

_VECTOR_METHOD = ("paired t-test on period means (estimate, CI); exact randomization test "
                  "over the design's 2^k orders (p); vectorised batch")


@dataclasses.dataclass(frozen=True, eq=False)
class PersonResults(ResultMixin):
    """Each person's own (unpooled) result, for every analysed outcome.

    Attributes
    ----------
    persons : DataFrame
        One row per person and outcome (:data:`PERSON_COLUMNS`): ``estimate`` is the
        mean pair difference treatment − control with its paired-t ``se``, CI,
        ``statistic``, ``df`` and ``pvalue_t``; ``pvalue`` is the randomization test over
        the person's own design (the headline p-value of :func:`nof1.analyze`);
        ``sd_difference`` is the SD of the pair differences.
    pairs : DataFrame
        One row per person, outcome and pair (:data:`PAIR_COLUMNS`).
    covariates : DataFrame
        The trials table's person-level columns (``person`` first).
    confidence_level : float
        Level of the per-person intervals.
    """

    persons: pd.DataFrame
    pairs: pd.DataFrame
    covariates: pd.DataFrame
    confidence_level: float

    def to_frame(self) -> pd.DataFrame:
        return self.persons.merge(self.covariates, on="person", how="left")

    def summary(self) -> str:
        n = self.persons["person"].nunique()
        outs = ", ".join(self.persons["outcome"].unique())
        return (f"Per-person results of {n} trials ({outs}); mean pairs per person "
                f"{self.persons['n_pairs'].mean():.1f}")


def _check_outcomes(series: Series, outcomes: Sequence[str] | None) -> list[str]:
    names = series.outcome_names if outcomes is None else list(outcomes)
    for n in names:
        series.outcome(n)
    if not names:
        raise ValueError("`outcomes` must name at least one outcome")
    return names


def _paired_block(series: Series, rows: np.ndarray, diary_rows: np.ndarray,
                  names: list[str], *, min_completeness: float, confidence_level: float,
                  rng: np.random.Generator) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """All persons of one paired design (``rows`` of the trials table) at once."""
    t = series.trials.iloc[rows]
    design = design_from_dict(json.loads(t["design"].iat[0]))
    n, units, k = len(t), design.n_units, design.n_units // 2
    d = series.diary.iloc[diary_rows]
    local = pd.Index(t["person"].to_numpy()).get_indexer(d["person"].to_numpy())
    start = pd.to_datetime(t["start"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    day = d["date"].to_numpy().astype("datetime64[D]").astype(np.int64) - start[local] + 1
    run_in = t["run_in_days"].to_numpy()[local]
    pdays = t["period_days"].to_numpy()[local]
    wash = t["washout_days"].to_numpy()[local]
    since = day - run_in - 1
    in_period = since >= 0
    unit = np.where(in_period, since // pdays, 0)
    analysed = in_period & (since % pdays >= wash)
    cell = local * units + unit
    n_analysed = (t["period_days"].to_numpy() - t["washout_days"].to_numpy())[:, None]
    assign = np.frombuffer("".join(t["assignment"]).encode(), dtype=np.uint8).reshape(n, units)
    assign = (assign == ord("B")).astype(np.int8)         # 0 = A, 1 = B (schedule letters)
    swapped = t["roles_swapped"].to_numpy(dtype=bool)
    active = np.where(swapped[:, None], assign == 1, assign == 0)  # unit under treatment
    took = d["took_pack"] if "took_pack" in d else None
    if took is not None:
        tk = took.to_numpy(dtype=float, na_value=np.nan)
        ok = in_period & ~np.isnan(tk)
        adher = (np.bincount(local[ok], tk[ok], minlength=n)
                 / np.bincount(local[ok], minlength=n))
    else:
        adher = np.full(n, np.nan)
    persons, pairs = [], []
    pair_idx = np.arange(k)
    for name in names:
        o = series.outcome(name)
        y = d[name].to_numpy(dtype=float)
        ok = analysed & ~np.isnan(y)
        sums = np.bincount(cell[ok], y[ok], minlength=n * units).reshape(n, units)
        cnt = np.bincount(cell[ok], minlength=n * units).reshape(n, units)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / cnt
        valid = (cnt > 0) & (cnt / n_analysed >= min_completeness)
        means = np.where(valid, means, np.nan)
        completeness = cnt.sum(axis=1) / (n_analysed[:, 0] * units)
        # pair p holds units 2p, 2p+1; mean under the active treatment minus control
        u0, u1 = means[:, 0::2], means[:, 1::2]
        first_active = active[:, 0::2]
        mean_a = np.where(first_active, u0, u1)
        mean_b = np.where(first_active, u1, u0)
        tt = paired_period_test(mean_a, mean_b, confidence_level=confidence_level)
        rand = randomization_test(means, assign, design=design, statistic="A-B",
                                  alternative="two-sided", rng=rng)
        diff = mean_a - mean_b
        with np.errstate(invalid="ignore"):
            sd = np.sqrt(np.asarray(tt.se) ** 2 * np.asarray(tt.n_pairs))
        persons.append(pd.DataFrame({
            "person": t["person"].to_numpy(), "outcome": name, "design": t["design"].to_numpy(),
            "n_pairs": np.asarray(tt.n_pairs), "n_dropped": np.asarray(tt.n_dropped),
            "estimate": tt.estimate, "se": tt.se, "ci_low": tt.ci_low, "ci_high": tt.ci_high,
            "statistic": tt.statistic, "df": tt.df, "pvalue_t": tt.pvalue,
            "pvalue": np.broadcast_to(rand.pvalue, (n,)),
            "n_assignments": int(rand.n_assignments),
            "exact": np.broadcast_to(rand.exact, (n,)), "sd_difference": sd,
            "completeness": completeness, "adherence": adher,
            "higher_is_better": o.higher_is_better, "mcid": o.mcid, "method": _VECTOR_METHOD}))
        pairs.append(pd.DataFrame({
            "person": np.repeat(t["person"].to_numpy(), k), "outcome": name,
            "pair": np.tile(pair_idx + 1, n), "mean_a": mean_a.ravel(),
            "mean_b": mean_b.ravel(), "difference": diff.ravel()}))
    return persons, pairs


def _one_by_one(series: Series, row: int, diary_rows: np.ndarray, names: list[str], *,
                min_completeness: float, confidence_level: float,
                rng: np.random.Generator) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """A trial of a design without a vectorised path, through :func:`nof1.analyze`."""
    from ..analysis.trial import analyze

    t = series.trials.iloc[row]
    schedule = schedule_of(t)
    d = series.diary.iloc[diary_rows]
    raw = pd.DataFrame({"date": d["date"].dt.strftime("%Y-%m-%d")})
    for name in series.outcome_names:
        raw[name] = d[name].map(lambda v: "" if np.isnan(v) else f"{v:g}").to_numpy()
    if "took_pack" in d:
        raw["took_pack"] = d["took_pack"].map({True: "yes", False: "no"}).fillna("").to_numpy()
    from ..data import read_diary

    diary = read_diary(raw, schedule, outcomes=series.outcomes, warn=False)
    res = analyze(diary, schedule, outcomes=names, primary=names[0],
                  confidence_level=confidence_level, min_completeness=min_completeness,
                  rng=rng)
    persons, pairs = [], []
    for name in names:
        r = res[name]
        tt = r.tests.get("paired_t")
        rand = r.tests["randomization"]
        persons.append(pd.DataFrame([{
            "person": t["person"], "outcome": name, "design": t["design"],
            "n_pairs": np.nan if tt is None else tt.n_pairs,
            "n_dropped": np.nan if tt is None else tt.n_dropped, "estimate": r.estimate,
            "se": np.nan if tt is None else tt.se, "ci_low": r.ci_low, "ci_high": r.ci_high,
            "statistic": np.nan if tt is None else tt.statistic,
            "df": np.nan if tt is None else tt.df,
            "pvalue_t": np.nan if tt is None else tt.pvalue, "pvalue": r.pvalue,
            "n_assignments": rand.n_assignments, "exact": rand.exact,
            "sd_difference": np.nan if tt is None else tt.se * np.sqrt(tt.n_pairs),
            "completeness": r.completeness, "adherence": r.adherence,
            "higher_is_better": r.higher_is_better, "mcid": r.mcid,
            "method": r.method + "; one trial at a time"}]))
        if r.pairs is not None:
            pairs.append(r.pairs.assign(person=t["person"], outcome=name)[list(PAIR_COLUMNS)])
    return persons, pairs


def analyze_series(series: Series, *, outcomes: Sequence[str] | None = None,
                   confidence_level: float = 0.95,
                   min_completeness: float = MIN_COMPLETENESS, chunk_size: int = 2000,
                   progress: bool = False, rng: Any = None) -> PersonResults:
    """Each person's own result, for all persons at once.

    Parameters
    ----------
    series : Series
        From :func:`~nof1.series.read_series`, :func:`~nof1.series.collect_series` or
        :func:`~nof1.series.simulate.simulate_series`.
    outcomes : sequence of str, optional
        Outcomes to analyse (default all).
    confidence_level : float
        Of the per-person paired-t intervals.
    min_completeness : float
        A period whose analysed days are scored less often than this is missing
        (as :func:`nof1.analyze`).
    chunk_size : int
        Persons analysed together (memory bound; results do not depend on it when the
        randomization tests are exact).
    progress : bool
        Show a progress bar (tqdm) over the chunks.
    rng : None, int or Generator
        Only used by randomization tests that fall back to Monte Carlo (more than 40
        pairs, or non-paired designs with very large reference sets).

    Returns
    -------
    PersonResults

    Notes
    -----
    For a paired design the per-person numbers equal those of :func:`nof1.analyze`:
    period means over the analysed (post-wash-out) days, a period with fewer than
    ``min_completeness`` of its analysed days scored counts as missing, the paired
    t-test on the complete pairs (estimate, CI, ``pvalue_t``) and the exact
    randomization test over the ``2**k`` orders (``pvalue``).

    Examples
    --------
    >>> from nof1.series.simulate import simulate_series
    >>> s = simulate_series(20, n_pairs=6, effects={"pain": -1.0}, rng=12345)
    >>> res = analyze_series(s, outcomes=["pain"])
    >>> res.persons[["person", "estimate", "pvalue"]].head(3).round(3)
      person  estimate  pvalue
    0   P001    -0.413   0.531
    1   P002    -0.595   0.312
    2   P003    -0.933   0.125
    """
    if not isinstance(series, Series):
        raise TypeError("`series` must be a nof1.series.Series")
    names = _check_outcomes(series, outcomes)
    confidence_level = check_confidence_level(confidence_level)
    min_completeness = check_float(min_completeness, "min_completeness", minimum=0.0,
                                   maximum=1.0)
    chunk_size = check_int(chunk_size, "chunk_size", minimum=1)
    rng = as_rng(rng)
    trials, diary = series.trials, series.diary
    # diary rows of each person (both tables are sorted by person)
    persons = trials["person"].to_numpy()
    dp = diary["person"].to_numpy()
    lo = np.searchsorted(dp, persons, side="left")
    hi = np.searchsorted(dp, persons, side="right")
    kinds = trials["design"].to_numpy()
    groups: list[tuple[str, np.ndarray]] = []
    for spec in pd.unique(kinds):
        rows = np.flatnonzero(kinds == spec)
        for s in range(0, rows.size, chunk_size):
            groups.append((spec, rows[s:s + chunk_size]))
    out_p: list[pd.DataFrame] = []
    out_pairs: list[pd.DataFrame] = []
    it: Any = groups
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(groups, desc="persons", unit="chunk", leave=False)
    kw = dict(min_completeness=min_completeness, confidence_level=confidence_level, rng=rng)
    for spec, rows in it:
        if design_from_dict(json.loads(spec)).pairs_are_blocks:
            drows = np.concatenate([np.arange(lo[r], hi[r]) for r in rows])
            p, q = _paired_block(series, rows, drows, names, **kw)
            out_p += p
            out_pairs += q
        else:
            for r in rows:
                p, q = _one_by_one(series, int(r), np.arange(lo[r], hi[r]), names, **kw)
                out_p += p
                out_pairs += q
    per = pd.concat(out_p, ignore_index=True)
    per["outcome"] = pd.Categorical(per["outcome"], categories=names)
    per = per.sort_values(["outcome", "person"], kind="stable").reset_index(drop=True)
    per["outcome"] = per["outcome"].astype(str)
    pairs = (pd.concat(out_pairs, ignore_index=True) if out_pairs
             else pd.DataFrame(columns=list(PAIR_COLUMNS)))
    cov = trials[["person"] + series.covariates].reset_index(drop=True)
    return PersonResults(persons=per[list(PERSON_COLUMNS)], pairs=pairs, covariates=cov,
                         confidence_level=confidence_level)

