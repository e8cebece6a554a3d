"""Write the inputs of tests/data/series_reference.R (run once; the CSVs are committed).

    .venv/bin/python tests/data/make_series_inputs.py
"""

from pathlib import Path

import numpy as np

from nof1.series import analyze_series
from nof1.series.meta import within_variances
from nof1.series.simulate import draw_cohort_2022, simulate_series

HERE = Path(__file__).parent

rng = np.random.default_rng(20260512)
cohort = draw_cohort_2022(40, rng=rng)
mild = cohort["baseline_stress"] <= 25
effect = np.where(mild, -1.2, 0.0) + rng.normal(0, 0.4, size=40)
k = rng.choice([3, 4, 6], size=40)
series = simulate_series(40, n_pairs=k, effects={"stress": effect}, covariates=cohort, rng=rng)
res = analyze_series(series, outcomes=["stress"])
pairs = res.pairs.dropna(subset=["difference"]).merge(res.covariates, on="person")
pairs[["person", "pair", "mean_a", "mean_b", "difference", "baseline_stress",
       "stress_band"]].to_csv(
    HERE / "series_pairs.csv", index=False, float_format="%.17g")
for how in ("pooled", "person"):
    d, _, _, _ = within_variances(res.persons, within=how)
    d = d.merge(res.covariates, on="person")
    d[["person", "yi", "vi", "n_pairs", "baseline_stress", "stress_band"]].to_csv(
        HERE / f"series_meta_{how}.csv", index=False, float_format="%.17g")
# a homogeneous set: tau^2 at the 0 boundary
y = np.array([-0.52, -0.61, -0.48, -0.55, -0.58, -0.50])
v = np.array([0.20, 0.25, 0.30, 0.22, 0.28, 0.24])
np.savetxt(HERE / "series_meta_homog.csv", np.column_stack([y, v]), delimiter=",",
           header="yi,vi", comments="", fmt="%.17g")
