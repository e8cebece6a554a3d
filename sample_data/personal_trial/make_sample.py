"""Make the SIMULATED sample personal trial in ``sample_data/personal_trial/trial/``.

The folder is what ``nof1 design`` writes (``participant/`` and ``helper/``) plus a
filled-in ``participant/diary.csv``. The diary is simulated: no real person kept it.

Steps:

1. write the trial folder into a temporary folder with :func:`nof1.create_trial` and
   the defaults of ``nof1 design``: magnesium vs placebo, 6 pairs of 14-day periods,
   7-day run-in, the first 7 days of every period not analysed, a fixed start and a
   fixed seed. ``nof1 design`` mixes the seed of a blinded trial with 256 bits of
   secret entropy; this *simulated* sample uses a fixed, public entropy instead
   (:data:`SAMPLE_ENTROPY`, all zeros), so that its allocation is reproducible. A real
   trial must never do that: with the entropy known, the seed gives the allocation away;
2. simulate daily scores on the unblinded schedule with
   :func:`nof1.planning.simulate.simulate_diary` (fixed seed, effects stated below), then make
   them look typed by a person: a few blank days, two scores with a decimal comma
   (``"6,5"``), a stray space, notes, side effects and blinding guesses at period
   ends, all within the 0-10 scales;
3. move the folder to ``trial/`` beside this script.

Run from anywhere (it refuses to replace an existing ``trial/`` unless ``--force``)::

    python sample_data/personal_trial/make_sample.py [--force]

Not byte-reproducible: the pack codes, the trial id and the commitment's salt come
from :mod:`secrets`, by design, and the protocol records its creation time. The
allocation (which pack holds what) and the diary's numbers are reproducible from the
seeds below. The committed ``trial/`` was made once with this script.

:data:`ALLOCATION_SEED` was picked by trying seeds upwards from 7360424913 (the seed of
earlier versions of this sample, drawn without entropy) until the draw with the public
entropy gave the same allocation as before, so that the notebook that describes this
sample still describes it. It is a simulated sample: nothing here is evidence.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import nof1
from nof1.planning.simulate import simulate_diary

HERE = Path(__file__).resolve().parent
TARGET = HERE / "trial"

START = "2026-01-05"
ALLOCATION_SEED = 7360425205  # the seed (not date-like, so tests can search for it)
#: public entropy of this SIMULATED sample (a real trial draws 256 secret bits)
SAMPLE_ENTROPY = "0" * 64
DIARY_SEED = 1105            # simulate_diary(rng=...)
TYPING_SEED = 2105           # the "human" touches: blank days, notes, guesses

#: true effects, magnesium − placebo, in points on each 0-10 scale (invented for the sample)
EFFECTS = {"pain": -1.5, "stress": -1.0, "sleep": 0.5}
#: mean scores under placebo
BASELINES = {"pain": 6.0, "stress": 5.0, "sleep": 4.5}
#: daily noise and behaviour of the simulated participant
SIMULATION = {"sd": 1.2, "rho": 0.4, "period_sd": 0.3, "onset_days": 3.0, "missing": 0.04,
              "adherence": 0.95}

DIARY_COLUMNS = ["date", "day", "period", "pack", "pain", "stress", "sleep", "took_pack",
                 "side_effects", "notes", "blinding_guess"]
FILLED = ["pain", "stress", "sleep", "took_pack", "side_effects", "notes", "blinding_guess"]
SCORES = ["pain", "stress", "sleep"]


def design_trial(folder: Path) -> None:
    """What ``nof1 design --start START --seed SEED`` writes, with the public entropy."""
    nof1.create_trial(folder, design=nof1.PairedDesign(6), start=START, period_days=14,
                      run_in_days=7, washout_days=7, rng=ALLOCATION_SEED,
                      entropy=SAMPLE_ENTROPY)


def _set(diary: pd.DataFrame, date: pd.Timestamp, column: str, value: str) -> None:
    diary.loc[diary["date"] == date.date().isoformat(), column] = value


def type_like_a_person(template: pd.DataFrame, filled: pd.DataFrame, days: pd.DataFrame,
                       rng: np.random.Generator) -> pd.DataFrame:
    """Fill the template's columns from the simulation, with what people really type.

    ``template`` is the participant's ``diary.csv`` as strings (date, day, period and
    pack pre-filled); ``filled`` the simulated diary; ``days`` the unblinded schedule's
    day table (used only to place side effects and blinding guesses plausibly).
    """
    diary = template.copy()
    sim = filled.set_index("date")
    for col in FILLED:
        diary[col] = diary["date"].map(sim[col]).fillna("").astype(str)

    days = days.assign(iso=days["date"].dt.date.astype(str))
    analysed = days[days["analysed"]]

    # a label that travels with the data
    diary.loc[0, "notes"] = "SIMULATED sample diary (not a real person)"

    # a three-day gap while travelling (period 5, analysed days), noted afterwards
    gap = analysed[analysed["period"] == 5].iloc[2:5]
    for col in FILLED:
        diary.loc[diary["date"].isin(gap["iso"]), col] = ""
    after = gap["date"].max() + pd.Timedelta(days=1)
    _set(diary, after, "notes", "travel, forgot the diary for 3 days")

    # a flare: the day with the highest pain score, and the next day
    scored = diary[(diary["pain"] != "") & diary["date"].isin(analysed["iso"])]
    worst = pd.Timestamp(scored.loc[pd.to_numeric(scored["pain"]).idxmax(), "date"])
    _set(diary, worst, "notes", "bad flare")
    _set(diary, worst + pd.Timedelta(days=1), "notes", "flare easing")

    # half points typed with a decimal comma (a European keyboard), and one with a point
    candidates = diary.index[(diary["pain"] != "") & diary["date"].isin(analysed["iso"])
                             & ~diary["notes"].str.contains("flare")]
    rows = rng.choice(candidates, size=3, replace=False)
    pain = pd.to_numeric(diary.loc[rows[0], "pain"])
    diary.loc[rows[0], "pain"] = f"{min(pain, 9.0) + 0.5:g}".replace(".", ",")
    sleep = pd.to_numeric(diary.loc[rows[1], "sleep"])
    diary.loc[rows[1], "sleep"] = f"{min(sleep, 9.0) + 0.5:g}".replace(".", ",")
    stress = pd.to_numeric(diary.loc[rows[2], "stress"])
    diary.loc[rows[2], "stress"] = f"{max(stress, 1.0) - 0.5:g}"
    # a stray space and a short "y" for yes
    typed = diary.index[(diary["stress"] != "") & (diary["took_pack"] == "yes")]
    a, b = rng.choice(typed, size=2, replace=False)
    diary.loc[a, "stress"] = " " + diary.loc[a, "stress"]
    diary.loc[b, "took_pack"] = "y"

    # loose stools on a few days (more often in magnesium periods, as in real life)
    in_period = days[days["period"].notna()]
    entered = set(diary.loc[diary["pain"] != "", "date"])
    for treatment, n in (("magnesium", 3), ("placebo", 1)):
        pool = in_period.loc[(in_period["treatment"] == treatment)
                             & in_period["iso"].isin(entered), "iso"].to_numpy()
        for iso in rng.choice(pool, size=n, replace=False):
            diary.loc[diary["date"] == iso, "side_effects"] = "loose stools"

    # blinding guesses at the end of each period: often "don't know", better than chance;
    # none on a day left blank
    last = in_period.groupby("period").tail(1)
    for iso, truth in zip(last["iso"], last["treatment"], strict=True):
        if iso not in entered:
            diary.loc[diary["date"] == iso, "blinding_guess"] = ""
            continue
        other = "placebo" if truth == "magnesium" else "magnesium"
        u = rng.random()
        guess = "don't know" if u < 0.45 else (truth if u < 0.8 else other)
        diary.loc[diary["date"] == iso, "blinding_guess"] = guess
    return diary[DIARY_COLUMNS]


def fill_diary(folder: Path) -> None:
    """Write a filled, simulated ``participant/diary.csv`` into a fresh trial folder."""
    trial = nof1.read_trial(folder, unblind=True)
    schedule = trial.schedule
    filled = simulate_diary(schedule, effects=EFFECTS, baselines=BASELINES, rng=DIARY_SEED,
                            **SIMULATION)
    path = folder / "participant" / "diary.csv"
    template = pd.read_csv(path, dtype=str, keep_default_na=False)
    diary = type_like_a_person(template, filled, schedule.days,
                               np.random.default_rng(TYPING_SEED))
    path.write_text(diary.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="replace an existing trial/")
    args = parser.parse_args(argv)
    if TARGET.exists() and not args.force:
        print(f"{TARGET} exists; use --force to replace it", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "trial"
        design_trial(folder)
        fill_diary(folder)
        nof1.verify_trial(folder)
        if TARGET.exists():
            shutil.rmtree(TARGET)
        shutil.move(folder, TARGET)
    trial = nof1.read_trial(TARGET, unblind=True)
    diary = nof1.read_diary(TARGET / "participant" / "diary.csv", trial.schedule, warn=False)
    result = nof1.analyze(diary, trial.schedule, primary=trial.protocol.primary)
    print(f"wrote {TARGET}")
    print(result.to_frame()[["outcome", "estimate", "ci_low", "ci_high", "pvalue"]]
          .to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
