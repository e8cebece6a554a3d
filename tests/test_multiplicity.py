"""Holm adjustment against statsmodels.stats.multitest.multipletests."""

from __future__ import annotations

import gc
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from nof1.analysis import holm


def _statsmodels_holm(pvalues, alpha):
    """``multipletests(..., method="holm")``, without the full garbage collection it runs on
    every Holm call (statsmodels 0.14-0.15): late in a test session that takes about 0.3 s a
    call and does not touch the result."""
    with mock.patch.object(gc, "collect", lambda *args: 0):
        return multipletests(pvalues, alpha=alpha, method="holm")


@pytest.mark.parametrize("pvalues", [
    [0.01, 0.04, 0.03, 0.5],
    [0.2],
    [0.001, 0.001, 0.04, 0.04, 0.9],       # ties
    [0.6, 0.5, 0.4],                        # adjusted values capped at 1
])
def test_holm_matches_statsmodels(pvalues):
    res = holm(pvalues, alpha=0.05)
    # reference: multipletests(pvalues, alpha=0.05, method="holm")
    reject, adjusted, *_ = multipletests(pvalues, alpha=0.05, method="holm")
    np.testing.assert_allclose(res.pvalue_adjusted, adjusted, rtol=1e-12)
    np.testing.assert_array_equal(res.reject, reject)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12), st.floats(0.001, 0.5))
def test_holm_property_matches_statsmodels(pvalues, alpha):
    res = holm(pvalues, alpha=alpha)
    reject, adjusted, *_ = _statsmodels_holm(pvalues, alpha)
    np.testing.assert_allclose(res.pvalue_adjusted, adjusted, rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(res.reject, reject)
    assert np.all(res.pvalue_adjusted >= res.pvalue)


def test_holm_with_names_and_missing_values():
    res = holm({"stress": 0.012, "sleep": np.nan, "fatigue": 0.03})
    assert res.names == ("stress", "sleep", "fatigue")
    reject, adjusted, *_ = multipletests([0.012, 0.03], method="holm")
    np.testing.assert_allclose(res.pvalue_adjusted[[0, 2]], adjusted, rtol=1e-12)
    assert np.isnan(res.pvalue_adjusted[1]) and not res.reject[1]
    frame = res.to_frame()
    assert list(frame["name"]) == ["stress", "sleep", "fatigue"] and len(frame) == 3
    assert "H0" in res.summary() and "stress" in res.summary()


def test_holm_validates():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        holm([0.2, 1.2])
    with pytest.raises(ValueError, match="1-D"):
        holm([[0.1, 0.2]])
    with pytest.raises(ValueError, match="alpha"):
        holm([0.1], alpha=0.0)
