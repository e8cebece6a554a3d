"""Build the SYNTHETIC cohort shaped like the 2022 magnesium-vs-placebo trial.

Macian et al., Nutrients 2022;14:2088 (NCT03887000) published subgroup summaries
but no participant data. This script makes up participants whose summaries
round to the published values (one decimal; p-values to three decimals under
the tests stated below). The data are synthetic: they are not the trial's data
and say nothing about any real person. See README.md beside this file for the
published numbers, their sources, and every assumption.

Run from anywhere:

    python sample_data/trial2022/make_trial2022.py

It rewrites ``trial2022_synthetic.csv`` beside this file; the result is
deterministic (seeded) and takes a few seconds.

Method: draw plausible scores with a seeded generator, then improve them by a
seeded local search over integer values (DASS-42 stress 0-42; BPI severity in
quarter points, as the mean of four 0-10 items) until every target statistic
lies well inside the interval that rounds to its published value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

SEED = 20220517  # the article's publication date
CSV_NAME = "trial2022_synthetic.csv"
ARMS = ("magnesium", "placebo")
SUBGROUPS = ("mild/moderate", "severe")  # baseline DASS-42 stress <= 25 / > 25

#: participants per arm x subgroup (ASSUMED: the article's numbers were not available)
SIZES = {("magnesium", "mild/moderate"): 12, ("magnesium", "severe"): 28,
         ("placebo", "mild/moderate"): 18, ("placebo", "severe"): 22}

#: variables: name -> (scale divisor, lowest, highest) in stored integer units
VARIABLES = {"s0": (1, 0, 42), "s28": (1, 0, 42), "b0": (4, 0, 40), "b28": (4, 0, 40)}
BASELINE_RANGE = {"mild/moderate": (19, 25), "severe": (26, 42)}  # inclusion: stress > 18


@dataclass(frozen=True)
class Target:
    """A statistic to reproduce: its value rounds to ``value`` at ``decimals``."""

    label: str
    kind: str          # "mean", "sd", "welch_change" or "welch_end"
    arms: tuple        # one arm (mean, sd) or both (p-values)
    subgroups: tuple   # subgroups pooled for the statistic
    variable: str      # "s" (stress) or "b" (BPI); with a visit suffix for mean/sd
    value: float
    decimals: int
    source: str        # "published" or "assumed"

    @property
    def half(self) -> float:
        return 0.5 * 10.0 ** -self.decimals


MM, SEV, BOTH = ("mild/moderate",), ("severe",), SUBGROUPS
MG, PL = ("magnesium",), ("placebo",)
TARGETS = [
    # published (abstract, and the structured summary for the subgroup values)
    Target("stress d0, Mg, mild/moderate", "mean", MG, MM, "s0", 22.1, 1, "published"),
    Target("stress d0 SD, Mg, mild/moderate", "sd", MG, MM, "s0", 2.8, 1, "published"),
    Target("stress d28, Mg, mild/moderate", "mean", MG, MM, "s28", 12.3, 1, "published"),
    Target("stress d28 SD, Mg, mild/moderate", "sd", MG, MM, "s28", 7.0, 1, "published"),
    Target("stress d0, Pl, mild/moderate", "mean", PL, MM, "s0", 21.9, 1, "published"),
    Target("stress d0 SD, Pl, mild/moderate", "sd", PL, MM, "s0", 2.3, 1, "published"),
    Target("stress d28, Pl, mild/moderate", "mean", PL, MM, "s28", 22.9, 1, "published"),
    Target("stress d28 SD, Pl, mild/moderate", "sd", PL, MM, "s28", 11.9, 1, "published"),
    Target("BPI d0, Mg, mild/moderate", "mean", MG, MM, "b0", 5.7, 1, "published"),
    Target("BPI d0 SD, Mg, mild/moderate", "sd", MG, MM, "b0", 1.3, 1, "published"),
    Target("BPI d28, Mg, mild/moderate", "mean", MG, MM, "b28", 5.1, 1, "published"),
    Target("BPI d28 SD, Mg, mild/moderate", "sd", MG, MM, "b28", 1.7, 1, "published"),
    Target("BPI d0, Pl, mild/moderate", "mean", PL, MM, "b0", 5.3, 1, "published"),
    Target("BPI d0 SD, Pl, mild/moderate", "sd", PL, MM, "b0", 0.7, 1, "published"),
    Target("BPI d28, Pl, mild/moderate", "mean", PL, MM, "b28", 5.6, 1, "published"),
    Target("BPI d28 SD, Pl, mild/moderate", "sd", PL, MM, "b28", 1.2, 1, "published"),
    Target("stress d28, Mg, all", "mean", MG, BOTH, "s28", 21.8, 1, "published"),
    Target("stress d28 SD, Mg, all", "sd", MG, BOTH, "s28", 9.6, 1, "published"),
    Target("stress d28, Pl, all", "mean", PL, BOTH, "s28", 21.6, 1, "published"),
    Target("stress d28 SD, Pl, all", "sd", PL, BOTH, "s28", 10.8, 1, "published"),
    # published p-values, reproduced under an ASSUMED test (Welch t; the article's
    # tests were not available)
    Target("p stress change, mild/moderate", "welch_change", ARMS, MM, "s", 0.003, 3,
           "published"),
    Target("p BPI change, mild/moderate", "welch_change", ARMS, MM, "b", 0.029, 3, "published"),
    Target("p stress change, severe", "welch_change", ARMS, SEV, "s", 0.320, 3, "published"),
    Target("p stress d28, all", "welch_end", ARMS, BOTH, "s28", 0.930, 3, "published"),
    # ASSUMED values for what was not published (severe subgroup)
    Target("stress d0, Mg, severe", "mean", MG, SEV, "s0", 32.5, 1, "assumed"),
    Target("stress d0 SD, Mg, severe", "sd", MG, SEV, "s0", 4.5, 1, "assumed"),
    Target("stress d0, Pl, severe", "mean", PL, SEV, "s0", 29.7, 1, "assumed"),
    Target("stress d0 SD, Pl, severe", "sd", PL, SEV, "s0", 3.5, 1, "assumed"),
    Target("BPI d0, Mg, severe", "mean", MG, SEV, "b0", 6.3, 1, "assumed"),
    Target("BPI d0 SD, Mg, severe", "sd", MG, SEV, "b0", 1.4, 1, "assumed"),
    Target("BPI d28, Mg, severe", "mean", MG, SEV, "b28", 6.0, 1, "assumed"),
    Target("BPI d28 SD, Mg, severe", "sd", MG, SEV, "b28", 1.6, 1, "assumed"),
    Target("BPI d0, Pl, severe", "mean", PL, SEV, "b0", 6.1, 1, "assumed"),
    Target("BPI d0 SD, Pl, severe", "sd", PL, SEV, "b0", 1.3, 1, "assumed"),
    Target("BPI d28, Pl, severe", "mean", PL, SEV, "b28", 5.8, 1, "assumed"),
    Target("BPI d28 SD, Pl, severe", "sd", PL, SEV, "b28", 1.5, 1, "assumed"),
]

#: every statistic must end within this fraction of its rounding half-interval
MARGIN = 0.8

#: starting distribution per cell: (mean, sd) of s0, s28, b0, b28 and corr(d0, d28)
_START = {
    ("magnesium", "mild/moderate"): ((22.1, 2.8), (12.3, 7.0), (5.7, 1.3), (5.1, 1.7), 0.3, 0.6),
    ("placebo", "mild/moderate"): ((21.9, 2.3), (22.9, 11.9), (5.3, 0.7), (5.6, 1.2), 0.3, 0.6),
    ("magnesium", "severe"): ((32.5, 4.5), (25.9, 7.5), (6.3, 1.4), (6.0, 1.6), 0.4, 0.6),
    ("placebo", "severe"): ((29.7, 3.5), (20.5, 10.0), (6.1, 1.3), (5.8, 1.5), 0.4, 0.6),
}


# --------------------------------------------------------------------------- statistics

def _cell_sums(cell: dict[str, np.ndarray]) -> dict[str, int]:
    """Exact integer sufficient statistics of one arm x subgroup cell."""
    out = {"n": int(cell["s0"].size)}
    for name, x in cell.items():
        out["S" + name] = int(x.sum())
        out["Q" + name] = int((x * x).sum())
    out["Cs"] = int((cell["s0"] * cell["s28"]).sum())
    out["Cb"] = int((cell["b0"] * cell["b28"]).sum())
    return out


def _pooled(sums: dict) -> dict[tuple, dict[str, int]]:
    """Sums pooled over the subgroup sets the targets use, per arm."""
    out = {}
    for arm in ARMS:
        for subgroups in (MM, SEV, BOTH):
            cells = [sums[(arm, s)] for s in subgroups]
            out[(arm, subgroups)] = {k: sum(c[k] for c in cells) for k in cells[0]}
    return out


def _mean_var(n: int, s: int, q: int, scale: int) -> tuple[float, float]:
    return s / n / scale, (n * q - s * s) / (n * (n - 1)) / scale ** 2


def _change_mean_var(p: dict, v: str) -> tuple[float, float]:
    n, scale = p["n"], VARIABLES[v + "0"][0]
    s = p["S" + v + "28"] - p["S" + v + "0"]
    q = p["Q" + v + "28"] + p["Q" + v + "0"] - 2 * p["C" + v]
    return _mean_var(n, s, q, scale)


def _welch_p(m1: float, v1: float, n1: int, m2: float, v2: float, n2: int) -> float:
    a, b = v1 / n1, v2 / n2
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n2 - 1))
    t = (m1 - m2) / math.sqrt(a + b)
    return float(2 * special.stdtr(df, -abs(t)))


def statistic(target: Target, pooled: dict) -> float:
    """Value of a target statistic from the pooled sums (see ``_pooled``)."""
    pooled = [pooled[(arm, target.subgroups)] for arm in target.arms]
    if target.kind in ("mean", "sd"):
        p = pooled[0]
        m, v = _mean_var(p["n"], p["S" + target.variable], p["Q" + target.variable],
                         VARIABLES[target.variable][0])
        return m if target.kind == "mean" else math.sqrt(v)
    if target.kind == "welch_change":
        (m1, v1), (m2, v2) = (_change_mean_var(p, target.variable) for p in pooled)
    else:
        (m1, v1), (m2, v2) = (
            _mean_var(p["n"], p["S" + target.variable], p["Q" + target.variable],
                      VARIABLES[target.variable][0]) for p in pooled)
    return _welch_p(m1, v1, pooled[0]["n"], m2, v2, pooled[1]["n"])


def _loss(sums: dict, targets: list[Target], keep: list[Target]) -> tuple[float, bool]:
    """Squared distance to ``targets`` (in rounding half-intervals) and whether all are met.

    Infinite if a statistic of ``keep`` leaves its margin.
    """
    pooled = _pooled(sums)
    for target in keep:
        if abs(statistic(target, pooled) - target.value) > MARGIN * target.half:
            return math.inf, False
    total, done = 0.0, True
    for target in targets:
        z = (statistic(target, pooled) - target.value) / target.half
        total += z * z
        done = done and abs(z) <= MARGIN
    return total, done


# --------------------------------------------------------------------------- search

def _bounds(cell_key: tuple, var: str) -> tuple[int, int]:
    if var == "s0":
        return BASELINE_RANGE[cell_key[1]]
    return VARIABLES[var][1:]


def _start(rng: np.random.Generator) -> dict:
    cells = {}
    for key, n in SIZES.items():
        (m0, s0), (m28, s28), (mb0, sb0), (mb28, sb28), r_s, r_b = _START[key]
        cell = {}
        for (v0, v28, pars0, pars28, r) in (("s0", "s28", (m0, s0), (m28, s28), r_s),
                                             ("b0", "b28", (mb0, sb0), (mb28, sb28), r_b)):
            scale = VARIABLES[v0][0]
            z0, e = rng.standard_normal(n), rng.standard_normal(n)
            x0 = pars0[0] + pars0[1] * z0
            x28 = pars28[0] + pars28[1] * (r * z0 + math.sqrt(1 - r * r) * e)
            for var, x in ((v0, x0), (v28, x28)):
                lo, hi = _bounds(key, var)
                cell[var] = np.clip(np.rint(x * scale), lo, hi).astype(np.int64)
        cells[key] = cell
    return cells


def _propose(cells: dict, rng: np.random.Generator, keys: list, weights: np.ndarray):
    """Change the cohort in place by one random move; return a function undoing it (or None)."""
    key = keys[rng.choice(len(keys), p=weights)]
    var = ("s0", "s28", "b0", "b28")[rng.integers(4)]
    x = cells[key][var]
    lo, hi = _bounds(key, var)
    i, j = (int(k) for k in rng.integers(x.size, size=2))
    kind = rng.random()
    if kind < 0.4:  # one value up or down
        new = int(x[i]) + (1 if rng.random() < 0.5 else -1)
        if not lo <= new <= hi:
            return key, None
        old = int(x[i])
        x[i] = new

        def undo() -> None:
            x[i] = old
    elif kind < 0.8 or var.endswith("0"):  # one up, another down: same mean, other SD
        if i == j or not (x[i] < hi and x[j] > lo):
            return key, None
        x[i] += 1
        x[j] -= 1

        def undo() -> None:
            x[i] -= 1
            x[j] += 1
    else:  # swap two end values: same marginal, other pairing with baseline
        if x[i] == x[j]:
            return key, None
        x[i], x[j] = x[j], x[i]

        def undo() -> None:
            x[i], x[j] = x[j], x[i]
    return key, undo


def build_cohort(seed: int = SEED, max_steps: int = 200_000) -> pd.DataFrame:
    """The synthetic cohort: one row per participant (deterministic for a seed).

    Stage 1 fits the means and SDs; stage 2 fits the p-values while keeping
    the means and SDs within their margins.
    """
    rng = np.random.default_rng(seed)
    cells = _start(rng)
    sums = {key: _cell_sums(cell) for key, cell in cells.items()}
    keys = list(SIZES)
    weights = np.array([SIZES[k] for k in keys], dtype=float)
    weights /= weights.sum()
    step = 0
    summaries = [t for t in TARGETS if t.kind in ("mean", "sd")]
    pvalues = [t for t in TARGETS if t not in summaries]
    for targets, keep in ((summaries, []), (pvalues, summaries)):
        loss, done = _loss(sums, targets, keep)
        while not done:
            step += 1
            if step > max_steps:
                raise RuntimeError(f"no cohort found within {max_steps} steps (loss {loss:.3g})")
            key, undo = _propose(cells, rng, keys, weights)
            if undo is None:
                continue
            before = sums[key]
            sums[key] = _cell_sums(cells[key])
            new_loss, new_done = _loss(sums, targets, keep)
            if new_loss < loss:
                loss, done = new_loss, new_done
            else:
                undo()
                sums[key] = before
    return _to_frame(cells, rng)


def _to_frame(cells: dict, rng: np.random.Generator) -> pd.DataFrame:
    parts = []
    for (arm, _sub), cell in cells.items():
        parts.append(pd.DataFrame({
            "arm": arm,
            "dass_stress_d0": cell["s0"], "dass_stress_d28": cell["s28"],
            "bpi_severity_d0": cell["b0"] / 4, "bpi_severity_d28": cell["b28"] / 4}))
    df = pd.concat(parts, ignore_index=True)
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df.insert(0, "participant", [f"S{i:03d}" for i in range(1, len(df) + 1)])
    df["synthetic"] = True
    return df


def to_csv_text(df: pd.DataFrame) -> str:
    """The CSV text exactly as committed (LF line ends, BPI with two decimals)."""
    return df.to_csv(index=False, float_format="%.2f", lineterminator="\n")


def check(df: pd.DataFrame) -> list[tuple[str, float, float, str]]:
    """(label, target, achieved, source) for every target, recomputed from the frame."""
    cells = {}
    for arm, sub in SIZES:
        in_sub = (df["dass_stress_d0"] <= 25) == (sub == "mild/moderate")
        part = df[(df["arm"] == arm) & in_sub]
        cells[(arm, sub)] = {
            "s0": part["dass_stress_d0"].to_numpy(np.int64),
            "s28": part["dass_stress_d28"].to_numpy(np.int64),
            "b0": np.rint(part["bpi_severity_d0"].to_numpy() * 4).astype(np.int64),
            "b28": np.rint(part["bpi_severity_d28"].to_numpy() * 4).astype(np.int64)}
    sums = {key: _cell_sums(cell) for key, cell in cells.items()}
    pooled = _pooled(sums)
    return [(t.label, t.value, statistic(t, pooled), t.source) for t in TARGETS]


def main() -> None:
    df = build_cohort()
    path = Path(__file__).with_name(CSV_NAME)
    path.write_text(to_csv_text(df), encoding="utf-8", newline="")
    for label, value, got, source in check(df):
        print(f"{label:36s} {source:9s} target {value:7.3f}  achieved {got:8.4f}")
    print(f"wrote {path} ({len(df)} participants, SYNTHETIC)")


if __name__ == "__main__":
    main()
