"""Two-stage pooling against metafor 3.8-1 (tests/data/series_reference.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nof1.series.meta import meta_analysis, meta_regression, random_effects, within_variances

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "series_reference.json").read_text())
# deterministic numbers: R and Python both converge REML to 1e-12
RTOL = 1e-9

FIELDS = ["estimate", "se", "ci_low", "ci_high", "statistic", "pvalue", "tau2", "tau2_ci_low",
          "tau2_ci_high", "q", "q_pvalue", "pi_low", "pi_high"]


@pytest.mark.parametrize("name", ["pooled", "person", "homog"])
def test_random_effects_matches_metafor_knha(name):
    d = pd.read_csv(DATA / f"series_meta_{name}.csv")
    res = random_effects(d["yi"], d["vi"])
    ref = REF[f"meta_{name}"]
    for f in FIELDS:
        np.testing.assert_allclose(getattr(res, f), ref[f], rtol=RTOL, atol=1e-12, err_msg=f)


def test_homogeneous_data_put_tau2_on_the_boundary():
    d = pd.read_csv(DATA / "series_meta_homog.csv")
    res = random_effects(d["yi"], d["vi"])
    assert res.tau2 == 0.0 and res.tau2_ci_high == 0.0 and res.i2 == 0.0


def test_i2_from_q():
    d = pd.read_csv(DATA / "series_meta_pooled.csv")
    res = random_effects(d["yi"], d["vi"])
    assert res.i2 == pytest.approx((res.q - (len(d) - 1)) / res.q, rel=1e-12)


@pytest.mark.parametrize("mods,key", [("baseline_stress", "metareg_stress"),
                                       ("stress_band", "metareg_band")])
def test_meta_regression_matches_metafor(mods, key):
    d = pd.read_csv(DATA / "series_meta_pooled.csv")
    # meta_regression takes per-person results; give it yi as the estimate and the
    # vi through a pooled SD that reproduces them: v_i = s^2 / k_i with one s
    s2 = (d["vi"] * d["n_pairs"]).iloc[0]
    assert np.allclose(d["vi"] * d["n_pairs"], s2)
    persons = d.assign(estimate=d["yi"], sd_difference=np.sqrt(s2))
    res = meta_regression(persons, mods, within="pooled")
    ref = REF[key]
    c = res.coefficients
    np.testing.assert_allclose(c["estimate"], ref["coef"], rtol=RTOL)
    np.testing.assert_allclose(c["se"], ref["se"], rtol=RTOL)
    np.testing.assert_allclose(c["statistic"], ref["statistic"], rtol=RTOL)
    np.testing.assert_allclose(c["pvalue"], ref["pvalue"], rtol=RTOL)
    np.testing.assert_allclose(c["ci_low"], ref["ci_low"], rtol=RTOL)
    np.testing.assert_allclose(c["ci_high"], ref["ci_high"], rtol=RTOL)
    for f, r in [("statistic", "f"), ("pvalue", "f_pvalue"), ("tau2", "tau2"),
                 ("tau2_ci_low", "tau2_ci_low"), ("tau2_ci_high", "tau2_ci_high"), ("q", "q")]:
        np.testing.assert_allclose(getattr(res, f), ref[r], rtol=RTOL, err_msg=f)
    assert c["term"].tolist()[1] in ("baseline_stress", "stress_band[severe]")


def test_within_variances_pooled_formula():
    p = pd.DataFrame({"person": list("abc"), "estimate": [1.0, 2.0, 3.0],
                      "n_pairs": [3, 6, 1], "sd_difference": [1.0, 2.0, np.nan]})
    d, how, s2, dropped = within_variances(p, within="pooled")
    assert how == "pooled" and dropped == 0
    assert s2 == pytest.approx((2 * 1 + 5 * 4) / 7)
    np.testing.assert_allclose(d["vi"], s2 / np.array([3, 6, 1]))
    d, how, s2, dropped = within_variances(p, within="person")
    assert dropped == 1 and np.isnan(s2)
    np.testing.assert_allclose(d["vi"], [1 / 3, 4 / 6])
    assert within_variances(p, within="auto")[1] == "pooled"
    many = p.assign(n_pairs=[12, 12, 12], sd_difference=1.0)
    assert within_variances(many, within="auto")[1] == "person"


def test_meta_analysis_picks_the_outcome():
    p = pd.DataFrame({"person": list("abcdab"), "outcome": ["pain"] * 4 + ["sleep"] * 2,
                      "estimate": [-1.0, -0.5, -1.5, 0.2, 0.1, 0.0], "n_pairs": 6,
                      "sd_difference": 1.0})
    with pytest.raises(ValueError, match="`outcome` must be given"):
        meta_analysis(p)
    res = meta_analysis(p, outcome="pain")
    assert res.n_persons == 4 and res.outcome == "pain"
    assert "prediction interval" in res.summary()
    assert list(res.to_frame().columns)[:3] == ["outcome", "estimate", "se"]


def test_bad_input():
    with pytest.raises(ValueError, match="at least 2 persons"):
        random_effects([1.0], [0.1])
    with pytest.raises(ValueError, match="positive"):
        random_effects([1.0, 2.0], [0.1, 0.0])
    p = pd.DataFrame({"person": list("abc"), "estimate": [1.0, 2.0, 3.0], "n_pairs": 4,
                      "sd_difference": 1.0, "x": [1.0, np.nan, 2.0]})
    with pytest.raises(ValueError, match="missing for person"):
        meta_regression(p, "x")
    with pytest.raises(ValueError, match="not a column"):
        meta_regression(p, "nope")
