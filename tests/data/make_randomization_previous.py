"""Randomization p-values and intervals of simulated diaries, by the previous implementation.

For 40 simulated trials (paired designs with 3-40 pairs of 14-day periods, 7 wash-out
days; some periods below the completeness rule; and ABAB phase designs over 84 days)
this writes the primary units (period means or daily scores), the labels and the
p-values and 95% intervals computed by commit fc157a6 (listing or meet-in-the-middle),
imported beside the current code with ``benchmarks/_previous.py``, to
``randomization_previous.json``. ``tests/test_rand_regression.py`` checks the current
implementation (integer DP, batch meet-in-the-middle, subset means) against it.

    python tests/data/make_randomization_previous.py
"""

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
from _previous import load_previous  # noqa: E402


def main() -> None:
    prev = load_previous("fc157a6")
    from nof1_prev.analysis import randomization_ci, randomization_test
    from nof1_prev.analysis._tables import period_table
    from nof1_prev.data import read_diary
    from nof1_prev.simulate import simulate_diary

    rng = np.random.default_rng(2026)
    cases = []
    for i in range(40):
        phase = i % 8 == 7
        if phase:
            design = prev.PhaseDesign("ABAB", n_occasions=84, min_phase=7)
            s = prev.make_schedule(design, start="2026-01-05", rng=i)
        else:
            k = int(rng.choice([3, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 30, 40]))
            s = prev.make_schedule(prev.PairedDesign(k), start="2026-01-05", period_days=14,
                                   washout_days=7, rng=i)
        diary = simulate_diary(s, missing=float(rng.choice([0.05, 0.3, 0.45])), rng=i)
        data = read_diary(diary, s, warn=False).data
        if "condition" not in data.columns:
            data = data.merge(s.days[["date", "condition", "treatment", "pair"]], on="date",
                              how="left", suffixes=("_diary", ""))
        for outcome in ("pain", "sleep"):
            if phase:
                units = data[data["period"].notna()]
                scores = units[outcome].to_numpy(dtype=float)
                labels = units["condition"].to_numpy(dtype=str)
                kw = {"statistic": "PA-PB"}
            else:
                per = period_table(data, outcome)
                scores = per["mean"].to_numpy(dtype=float)
                labels = per["condition"].to_numpy(dtype=str)
                kw = {}
            a, b = scores[labels == "A"], scores[labels == "B"]
            if np.isnan(a).all() or np.isnan(b).all():
                continue
            case = {"design": s.design.to_dict(), "outcome": outcome,
                    "scores": [None if np.isnan(v) else float(v) for v in scores],
                    "labels": "".join(labels), **kw}
            for alt in ("two-sided", "less"):
                r = randomization_test(scores, labels, design=s.design, alternative=alt, **kw)
                case[f"pvalue_{alt}"] = r.pvalue
                case[f"exact_{alt}"] = bool(r.exact)
            if s.design.n_assignments <= 2**30:
                ci = randomization_ci(scores, labels, design=s.design, **kw)
                case["ci"] = [ci.ci_low, ci.ci_high]
            cases.append(case)
    (HERE / "randomization_previous.json").write_text(json.dumps(cases, allow_nan=True))


if __name__ == "__main__":
    main()
