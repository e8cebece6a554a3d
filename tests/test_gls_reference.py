"""GLS with AR(1) errors (and period intercepts) against nlme::lme and the previous implementation.

Reference values are kept in tests/data with the scripts that made them:
``gls_nlme.R`` (nlme 3.1 REML fits of the same model) and ``make_gls_previous.py``
(the Nelder-Mead implementation of commit fc157a6, replaced by the profile search).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nof1.analysis import gls_ar1
from nof1.analysis._period_effects import PeriodModel

DATA = Path(__file__).parent / "data"


def _fit(frame: pd.DataFrame, **kw):
    return gls_ar1(frame.y.to_numpy(), frame.cond.to_numpy(), time=frame.t.to_numpy(),
                   blocks=frame.block.to_numpy(), **kw)


@pytest.mark.parametrize("dataset", range(4))
def test_period_intercepts_equal_nlme_lme(dataset):
    data = pd.read_csv(DATA / "gls_nlme_data.csv")
    ref = pd.read_csv(DATA / "gls_nlme.csv").set_index("dataset").loc[dataset]
    frame = data[data.dataset == dataset]
    res = _fit(frame, periods=frame.period.to_numpy())
    # nlme's optimiser stops at its own tolerance: agreement to about 1e-7 relative
    assert res.estimate == pytest.approx(ref.estimate, rel=1e-6)
    assert res.se == pytest.approx(ref.se, rel=1e-6)
    assert res.rho == pytest.approx(ref.rho, abs=1e-6)
    assert res.sigma == pytest.approx(ref.sigma, rel=1e-6)
    # nlme cannot reach a zero variance exactly (log-scale parameter): ~2e-4 there
    assert res.period_sd == pytest.approx(ref.period_sd, abs=1e-3)


def test_same_optimum_as_previous_implementation():
    data = pd.read_csv(DATA / "gls_previous_data.csv")
    ref = pd.read_csv(DATA / "gls_previous.csv")
    for row in ref.itertuples():
        frame = data[data.dataset == row.dataset]
        res = _fit(frame, estimation=row.estimation,
                   periods=frame.period.to_numpy() if row.periods else None)
        assert res.estimate == pytest.approx(row.estimate, rel=1e-5, abs=1e-7), row
        assert res.se == pytest.approx(row.se, rel=1e-5), row
        assert res.rho == pytest.approx(row.rho, abs=1e-4), row
        if row.periods and row.estimation == "reml" and res.df_method == "Satterthwaite":
            continue  # the previous code used k - 1 df here (conservative)
        assert res.pvalue == pytest.approx(row.pvalue, rel=1e-5, abs=1e-8), row
        assert res.df == row.df
        if row.periods:
            assert res.variance_ratio == pytest.approx(row.variance_ratio, rel=1e-3,
                                                       abs=1e-5), row


def test_profile_search_is_at_least_as_likely_as_previous_optimum():
    data = pd.read_csv(DATA / "gls_previous_data.csv")
    ref = pd.read_csv(DATA / "gls_previous.csv")
    ref = ref[ref.periods]
    for row in ref.itertuples():
        frame = data[(data.dataset == row.dataset) & data.y.notna()].sort_values("t")
        res = _fit(frame, estimation=row.estimation, periods=frame.period.to_numpy())
        x = np.column_stack([np.ones(len(frame)), (frame.cond == "A").to_numpy(float)]
                            + [(frame.block == b).to_numpy(float)
                               for b in sorted(frame.block.unique())[1:]])
        codes = pd.factorize(frame.period)[0]
        z = np.eye(codes.max() + 1)[codes]
        model = PeriodModel(frame.y.to_numpy(), x, z, frame.t.to_numpy(float))
        reml = row.estimation == "reml"
        assert model.loglik(res.rho, res.variance_ratio, reml) >= \
            model.loglik(row.rho, row.variance_ratio, reml) - 1e-9


@pytest.mark.parametrize("dataset", range(4))
def test_satterthwaite_df_equal_lmertest(dataset):
    # rho = 0: lme4's model (random period intercepts, independent days); lmerTest's df
    data = pd.read_csv(DATA / "gls_nlme_data.csv")
    ref = pd.read_csv(DATA / "gls_lmertest.csv").set_index("dataset").loc[dataset]
    frame = data[data.dataset == dataset]
    res = _fit(frame, periods=frame.period.to_numpy(), rho=0.0)
    assert res.df_method == "Satterthwaite"
    assert res.estimate == pytest.approx(ref.estimate, rel=1e-7)
    assert res.se == pytest.approx(ref.se, rel=1e-6)
    # both differentiate numerically (lmerTest with numDeriv): agreement to about 1e-5
    assert res.df == pytest.approx(ref.df, rel=1e-4)


def test_calibration_note_is_set_for_the_report():
    data = pd.read_csv(DATA / "gls_nlme_data.csv")
    frame = data[data.dataset == 0]  # nlme and we put the period variance at (about) 0
    res = _fit(frame, periods=frame.period.to_numpy(), estimation="ml")
    assert res.variance_ratio == 0 and res.note.startswith("the period variance was estimated")
    assert "conservative" in res.note and "Note: " in res.summary()
    res = _fit(frame, periods=frame.period.to_numpy())
    assert res.df_method == "Satterthwaite" and res.note.startswith("Satterthwaite df")
    frame = data[data.dataset == 1]
    res = _fit(frame, periods=frame.period.to_numpy(), variance_ratio=0.5)
    assert res.df_method == "between-period" and res.note.startswith("conservative")
    assert _fit(frame).note.startswith("liberal")


def _design_matrix(frame: pd.DataFrame, trend: bool) -> np.ndarray:
    cols = [np.ones(len(frame)), (frame.cond == "A").to_numpy(float)]
    cols += [(frame.block == b).to_numpy(float) for b in list(dict.fromkeys(frame.block))[1:]]
    if trend:
        cols.append(frame.t.to_numpy(float) - frame.t.mean())
    return np.column_stack(cols)


def test_same_fits_as_the_profile_search_it_replaced():
    # 60 diaries x (REML, ML) x (with, without period intercepts), fitted by the code of
    # commit 47df35a (tests/data/make_gls_search_previous.py). Where both searches reach
    # the same maximum the numbers agree to the optimisers' tolerances; a different
    # maximum is allowed only when it is more likely (a second mode on the rho-lam
    # ridge that the previous search missed).
    data = pd.read_csv(DATA / "gls_search_previous_data.csv")
    ref = pd.read_csv(DATA / "gls_search_previous.csv", keep_default_na=False,
                      na_values=[""])
    same = better = 0
    for row in ref.itertuples():
        frame = data[data.dataset == row.dataset]
        trend = bool(frame.trend.iloc[0])
        kw = dict(estimation=row.estimation, trend=trend,
                  periods=frame.period.to_numpy() if row.periods else None)
        if isinstance(row.error, str) and row.error:
            with pytest.raises(ValueError, match="cannot be separated"):
                _fit(frame, **kw)
            continue
        res = _fit(frame, **kw)
        if row.periods:
            obs = frame[frame.y.notna()].sort_values("t")
            model = PeriodModel(obs.y.to_numpy(), _design_matrix(obs, trend),
                                np.eye(obs.period.nunique())[pd.factorize(obs.period)[0]],
                                obs.t.to_numpy(float))
            reml = row.estimation == "reml"
            new_ll = model.loglik(res.rho, res.variance_ratio, reml)
            old_ll = model.loglik(row.rho, row.variance_ratio, reml)
            assert new_ll >= old_ll - 1e-9, row
            if new_ll > old_ll + 1e-6:
                better += 1
                continue
        same += 1
        assert res.estimate == pytest.approx(row.estimate, rel=1e-5, abs=1e-7), row
        assert res.se == pytest.approx(row.se, rel=1e-5), row
        assert res.rho == pytest.approx(row.rho, abs=1e-4), row
        assert res.df_method == row.df_method, row
        # Satterthwaite's df: both differentiate numerically, with different stencils
        assert res.df == pytest.approx(row.df, rel=2e-3), row
        assert res.pvalue == pytest.approx(row.pvalue, rel=2e-3, abs=1e-8), row
        if row.periods:
            assert res.variance_ratio == pytest.approx(row.variance_ratio, rel=1e-3,
                                                       abs=1e-5), row
    assert same >= 200 and better <= 5, (same, better)
