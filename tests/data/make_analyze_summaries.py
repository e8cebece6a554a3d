"""Hashes of the summaries of ``nof1.analyze`` without their GLS rows, by an earlier commit.

For the 250 simulated trials of ``analyze_previous.json.xz`` (their stored schedules and
``tests/_analyze_cases.py``'s diaries) this runs ``analyze`` of commit ``REV`` (default
27d6b9f, the commit that wrote ``analyze_previous_bayes.json.xz``), imported beside the
current code with ``benchmarks/_previous.py``, and writes the sha256 of each summary with
the lines that mention GLS left out (``summary_sha256_without_gls``) to
``analyze_summaries_previous.json`` (null where the analysis raised).

``tests/test_analyze_regression.py`` compares the current summaries with them: the text
must be unchanged apart from the GLS rows, whose numbers are compared with the GLS
tolerances (a change in their last printed digit is not a regression).

    python tests/data/make_analyze_summaries.py [REV]
"""

import json
import lzma
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1] / "benchmarks"))
sys.path.insert(0, str(HERE.parent))
from _analyze_cases import run_analyze, summary_sha256_without_gls  # noqa: E402
from _previous import load_previous  # noqa: E402

REV = "27d6b9f"


def main(rev: str = REV) -> None:
    prev = load_previous(rev)
    with lzma.open(HERE / "analyze_previous.json.xz", "rt", encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    out: dict = {"rev": rev, "cases": []}
    for i, case in enumerate(cases):
        p = case["params"]
        try:
            res = run_analyze(prev, p, prev.Schedule.from_dict(case["schedule"]))
        except Exception:  # noqa: BLE001 - no summary: the error is compared elsewhere
            out["cases"].append(None)
        else:
            out["cases"].append(summary_sha256_without_gls(res.summary()))
        print(i, p["kind"], flush=True)
    with open(HERE / "analyze_summaries_previous.json", "w", encoding="utf-8") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
