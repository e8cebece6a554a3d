"""Same p-values and intervals as the previous implementation, on simulated diaries.

``tests/data/randomization_previous.json`` holds the primary units (period means of
whole-number diary scores, some periods missing; daily scores for ABAB designs) of 40
simulated trials with the p-values and 95% intervals of commit fc157a6 (listing every
assignment or meet-in-the-middle); ``tests/data/make_randomization_previous.py`` made it.
The current code counts paired designs by the integer DP (scores on a grid of 1/14
and similar) and bounds intervals by subset means.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nof1.analysis import randomization_ci, randomization_test
from nof1.design import design_from_dict

CASES = json.loads((Path(__file__).parent / "data" / "randomization_previous.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['design']['kind']}-{c['outcome']}")
def test_same_pvalues_and_intervals_as_previous_implementation(case):
    design = design_from_dict(case["design"])
    scores = np.array([np.nan if v is None else v for v in case["scores"]])
    labels = list(case["labels"])
    kw = {"statistic": case["statistic"]} if "statistic" in case else {}
    for alt in ("two-sided", "less"):
        res = randomization_test(scores, labels, design=design, alternative=alt, **kw)
        assert res.exact
        assert res.pvalue == pytest.approx(case[f"pvalue_{alt}"], rel=1e-12, abs=0)
    if "ci" in case:
        ci = randomization_ci(scores, labels, design=design, **kw)
        # beyond 20 pairs the previous code searched to 1e-10 of the data scale (scores 0-10)
        atol = 1e-12 if design.n_assignments <= 2**20 else 1e-9
        np.testing.assert_allclose([ci.ci_low, ci.ci_high], case["ci"], rtol=1e-9, atol=atol)
