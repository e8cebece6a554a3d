"""Results of ``nof1.analyze`` on simulated trials, by the implementation before the speed work.

For 250 simulated trials (``tests/_analyze_cases.py``: mostly paired designs, every 25th
an alternating and every 25th a phase design; missing days, low adherence, off-protocol
days, constant and empty outcomes, unplanned columns, blinded and role-swapped
schedules) this runs ``analyze`` of commit 47df35a (the last commit before the analyze
speed work), imported beside the current code with ``benchmarks/_previous.py``, and
writes every number of ``to_frame()``/``to_dict()`` and of the per-outcome tables to

- ``analyze_previous.json.xz``: everything that does not depend on the Bayesian
  analyses (the schedule of each case is stored too, so the inputs do not depend on the
  randomization engines);
- ``analyze_previous_bayes.json.xz``: the decision rule, prior sensitivity, Bayes rows
  and columns and the texts quoting posterior probabilities (kept apart so that a change
  of the priors can regenerate them without touching the rest).

``tests/test_analyze_regression.py`` compares the current implementation with them.

    python tests/data/make_analyze_previous.py [REV]
    python tests/data/make_analyze_previous.py --bayes-only REV

``--bayes-only`` rewrites the Bayes file alone, from ``REV``: done when the priors
changed on purpose (the calibrated version-2 sceptical prior, issue 9), so that the
Bayes file records the current priors while the main file keeps 47df35a.
"""

import json
import lzma
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
sys.path.insert(0, str(HERE.parent))
from _analyze_cases import case_params, make_schedule_dict, run_analyze, snapshot  # noqa: E402
from _previous import load_previous  # noqa: E402

N_CASES = 250
REV = "47df35a"


def main(rev: str = REV, bayes_only: bool = False) -> None:
    prev = load_previous(rev)
    main_out, bayes_out = {"rev": rev, "cases": []}, {"rev": rev, "cases": []}
    for i in range(N_CASES):
        p = case_params(i)
        spec = make_schedule_dict(prev, p)
        try:
            res = run_analyze(prev, p, prev.Schedule.from_dict(spec))
        except Exception as exc:  # stored: a crash is part of the behaviour compared
            a, b = {"error": f"{type(exc).__name__}: {exc}"}, {}
        else:
            a, b = snapshot(res)
        main_out["cases"].append({"params": p, "schedule": spec, **a})
        bayes_out["cases"].append(b)
        print(i, p["kind"], flush=True)
    outputs = [("analyze_previous_bayes.json.xz", bayes_out)]
    if not bayes_only:
        outputs.insert(0, ("analyze_previous.json.xz", main_out))
    for name, obj in outputs:
        with lzma.open(HERE / name, "wt", encoding="utf-8", preset=9) as f:
            json.dump(obj, f, separators=(",", ":"), allow_nan=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--bayes-only"]:
        main(args[1], bayes_only=True)
    else:
        main(*args)
