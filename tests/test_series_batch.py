"""The vectorised per-person path gives analyze()'s numbers, person by person."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nof1 import analyze
from nof1.series import analyze_series, schedule_of
from nof1.series.simulate import simulate_series


def _raw_diary(series, person):
    d = series.diary[series.diary["person"] == person]
    raw = pd.DataFrame({"date": d["date"].dt.strftime("%Y-%m-%d")})
    for name in series.outcome_names:
        raw[name] = d[name].map(lambda v: "" if np.isnan(v) else f"{v:g}").to_numpy()
    raw["took_pack"] = d["took_pack"].map({True: "yes", False: "no"}).fillna("").to_numpy()
    return raw


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(4242)
    n = 200
    s = simulate_series(n, n_pairs=rng.choice([2, 3, 4, 6, 8], size=n),
                        effects={"pain": rng.normal(-0.8, 0.6, n), "sleep": 0.4},
                        missing=0.15, rng=rng)
    # blank runs of days so that some periods fall below the completeness rule
    d = s.diary.copy()
    for p in rng.choice(s.persons, size=60, replace=False):
        rows = np.flatnonzero(d["person"].to_numpy() == p)
        first = rng.integers(0, rows.size - 12)
        d.loc[rows[first:first + rng.integers(4, 12)], ["pain", "stress", "sleep"]] = np.nan
    from nof1.series import validate_series

    return validate_series(s.trials, d)


# every 4th trial (50 of 200, all three outcomes, about 7 s) in the default run; all 200
# trials (about 25 s) in the slow set (tests/conftest.py)
@pytest.mark.parametrize("every", [pytest.param(4, id="every_4th"), pytest.param(1, id="all")])
def test_batch_equals_analyze_person_by_person(series, every):
    res = analyze_series(series)
    per = res.persons.set_index(["person", "outcome"])
    names = series.outcome_names
    n_missing_periods = n_refused = 0
    for i, row in series.trials.iloc[::every].iterrows():
        name = names[i % 3]  # one outcome per trial keeps the test fast
        b = per.loc[(row["person"], name)]
        try:
            one = analyze(_raw_diary(series, row["person"]), schedule_of(row),
                          outcomes=[name])
        except ValueError as exc:  # analyze() needs 2 complete pairs; the batch gives NaN
            assert "2 complete pairs" in str(exc)
            assert b["n_pairs"] < 2 and np.isnan(b["se"]) and np.isnan(b["pvalue_t"])
            n_refused += 1
            continue
        r = one[name]
        if "paired_t" not in r.tests:  # fewer than 2 complete pairs: no paired t, as in the batch
            assert b["n_pairs"] < 2 and np.isnan(b["se"]) and np.isnan(b["pvalue_t"])
            n_refused += 1
            continue
        rand, tt = r.tests["randomization"], r.tests["paired_t"]
        # the headline p-value of analyze() is the batch's randomization p-value
        np.testing.assert_allclose(b["pvalue"], r.pvalue, rtol=1e-12)
        assert b["pvalue"] == rand.pvalue, row["person"]
        assert b["n_assignments"] == rand.n_assignments
        np.testing.assert_allclose(b["pvalue_t"], tt.pvalue, rtol=1e-10)
        np.testing.assert_allclose([b["estimate"], b["se"], b["ci_low"], b["ci_high"]],
                                   [tt.estimate, tt.se, tt.ci_low, tt.ci_high], rtol=1e-10)
        assert b["n_pairs"] == tt.n_pairs and b["n_dropped"] == tt.n_dropped
        np.testing.assert_allclose(b["completeness"], r.completeness, rtol=1e-12)
        np.testing.assert_allclose(b["adherence"], r.adherence, rtol=1e-12)
        pairs = res.pairs[(res.pairs["person"] == row["person"])
                          & (res.pairs["outcome"] == name)]
        np.testing.assert_allclose(pairs["difference"].to_numpy(),
                                   r.pairs["difference"].to_numpy(), rtol=1e-12)
        n_missing_periods += int(r.periods["mean"].isna().sum())
    assert n_missing_periods > 10  # the completeness rule was exercised
    assert n_refused < 10


def test_chunking_does_not_change_results(series):
    a = analyze_series(series, outcomes=["pain"], chunk_size=10_000).persons
    b = analyze_series(series, outcomes=["pain"], chunk_size=7).persons
    pd.testing.assert_frame_equal(a, b)


def test_person_results_frame_and_summary(series):
    res = analyze_series(series, outcomes=["stress"])
    assert len(res.persons) == len(series)
    assert "Per-person results of 200 trials" in res.summary()
    assert (res.persons["method"].str.contains("vectorised")).all()
    with pytest.raises(ValueError, match="`outcome` must be one of"):
        analyze_series(series, outcomes=["mood"])
    with pytest.raises(TypeError):
        analyze_series(series.diary)
