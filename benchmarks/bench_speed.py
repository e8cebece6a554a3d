# ruff: noqa: B023  (the timed lambdas are called at once, inside their loop iteration)
"""Speed where people wait (issue 11): current code against the previous one, in one run.

Every figure is measured in this run. "previous" is the package as of commit
``fc157a6`` (before this work), imported beside the current one as ``nof1_prev``
(``benchmarks/_previous.py``); scipy is ``scipy.stats.permutation_test`` with
``permutation_type='samples'`` on the pair differences (exact when n_resamples >= 2**k).
SCRT is not installable on this machine (R has no SCRT package here), so SCRT was NOT
measured in this run; see ``bench_randomization.py`` for SCRT figures recorded elsewhere.

Run from the repository root::

    python benchmarks/bench_speed.py            # everything (several minutes)
    python benchmarks/bench_speed.py exact gls  # some sections: exact ci analyze gls power mc
                                                # (ci includes the ABAB 365/14 test and interval)

Times are the best of a few repeats (``time.perf_counter``) after a warm-up. On a shared
machine they are noisy; the ratios (same run, same load) are the more stable figures.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).parent))
import _scrt  # noqa: E402
from _previous import PREVIOUS, load_previous  # noqa: E402

import nof1  # noqa: E402

prev = load_previous()


def best(fn: Callable[[], object], repeats: int = 5,
         clock: Callable[[], float] = time.perf_counter) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def fmt(sec: float) -> str:
    return f"{sec * 1e3:9.3f} ms" if sec < 10 else f"{sec:9.1f} s "


def ratio(old: float | None, new: float) -> str:
    return f"{old / new:8.1f}x" if old else f"{'-':>9}"


def grid_case(k: int, rng: np.random.Generator, lib=nof1, missing: int = 0):
    """Paired design, period means of 14 whole-number days (a grid of 1/14)."""
    design = lib.PairedDesign(k)
    labels = nof1.PairedDesign(k).draw(rng)
    days = rng.integers(0, 11, size=(2 * k, 14)) - (labels == 0)[:, None]
    x = days.clip(0, 10).mean(axis=1)
    if missing:
        x[rng.choice(2 * k, size=missing, replace=False)] = np.nan
    return design, labels, x


def section_exact(rng: np.random.Generator) -> None:
    print("\n1. Exact paired randomization p-values (scores on a grid: means of 14 whole days)")
    print(f"{'pairs':>5} {'alternative':>11} {'missing':>7} {'method':>26} {'current':>12} "
          f"{'previous':>12} {'ratio':>9} {'scipy':>12} {'ratio':>9}")
    for k in (1, 5, 10, 13, 16, 18, 20, 25, 30, 40, 50, 62):
        for alt, miss in (("two-sided", 0), ("less", 0), ("two-sided", 2)):
            if miss and k < 3:
                continue
            design, labels, x = grid_case(k, rng, missing=miss)
            if np.isnan(x[labels == 0]).all() or np.isnan(x[labels == 1]).all():
                continue
            res = nof1.analysis.randomization_test(x, labels, design=design, alternative=alt)
            new = best(lambda: nof1.analysis.randomization_test(
                x, labels, design=design, alternative=alt))
            old = None
            old_note = ""
            if k <= 40:
                pd_ = prev.PairedDesign(k)
                old_res = prev.analysis.randomization_test(x, labels, design=pd_, alternative=alt)
                assert old_res.pvalue == res.pvalue or not old_res.exact, (k, alt)
                old = best(lambda: prev.analysis.randomization_test(
                    x, labels, design=pd_, alternative=alt), 2 if k > 20 else 5)
            elif k > 40:
                old_note = "(was MC)"
            sp, same = None, True
            if 2 <= k <= 16 and not miss:
                first_a = labels[0::2] == 0
                a = np.where(first_a, x[0::2], x[1::2])
                b = np.where(first_a, x[1::2], x[0::2])

                def run_scipy(a=a, b=b, alt=alt, k=k):
                    return stats.permutation_test(
                        (a, b), lambda u, v, axis: np.mean(u - v, axis=axis),
                        permutation_type="samples", alternative=alt, n_resamples=2**k,
                        vectorized=True)

                same = np.isclose(run_scipy().pvalue, res.pvalue, rtol=1e-12)
                sp = best(run_scipy, 3)
            old_txt = fmt(old) if old else f"{old_note:>12}"
            sp_txt = (fmt(sp) + ("" if same else "*")) if sp else f"{'':>12}"
            print(f"{k:>5} {alt:>11} {miss:>7} {res.method:>26} {fmt(new)} {old_txt} "
                  f"{ratio(old, new)} {sp_txt} {ratio(sp, new) if sp else '':>9}")
            sys.stdout.flush()
    print("   (* scipy's p-value differs: its tie tolerance is 100 machine epsilons of |T|)")
    # off the grid: meet-in-the-middle
    for k in (20, 30, 40):
        design = nof1.PairedDesign(k)
        labels = design.draw(rng)
        x = rng.normal(size=2 * k)
        res = nof1.analysis.randomization_test(x, labels, design=design)
        new = best(lambda: nof1.analysis.randomization_test(
            x, labels, design=design), 2)
        pd_ = prev.PairedDesign(k)
        old = best(lambda: prev.analysis.randomization_test(
            x, labels, design=pd_), 1)
        print(f"{k:>5} {'two-sided':>11} {0:>7} {res.method + ' (normal)':>26} {fmt(new)} "
              f"{fmt(old)} {ratio(old, new)}")


def _scrt_labels(design, labels: np.ndarray) -> list[str]:
    """SCRT's labels: 'A'/'B' per unit, with the phase number for designs that repeat a
    phase (ABA, ABAB)."""
    letters = np.where(np.asarray(labels) == 0, "A", "B")
    if not isinstance(design, nof1.PhaseDesign) or len(design.phases) <= 2:
        return letters.tolist()
    change = np.concatenate([[True], letters[1:] != letters[:-1]])
    phase = np.cumsum(change)
    return [f"{c}{(p + 1) // 2}" for c, p in zip(letters, phase, strict=True)]


def section_scrt(rng: np.random.Generator) -> None:
    """SCRT and nof1 on the same data in the same run (only when SCRT is installed)."""
    print("\n0. SCRT 1.3.1 pvalue.systematic vs nof1 randomization_test, same data, same run")
    if _scrt.version() is None:
        print("   SCRT not installed: nothing measured (see benchmarks/_scrt.py)")
        return
    cases = []
    for k, stat in ((5, "|A-B|"), (10, "|A-B|"), (14, "|A-B|"), (14, "B-A"), (16, "|A-B|"),
                    (18, "|A-B|")):
        design, labels, x = grid_case(k, rng)
        cases.append((f"paired, {k} pairs", design, labels, x, "RBD", stat, None))
    for name, n, limit in (("ABAB", 24, 4), ("AB", 30, 5), ("ABAB", 84, 7),
                           ("ABA", 45, 5)):
        design = nof1.PhaseDesign(name, n, limit)
        labels = design.draw(rng)
        x = np.round(rng.normal(5, 2, size=n) - 0.8 * (labels == 0)).clip(0, 10)
        cases.append((f"{name} {n} days, phases >= {limit}", design, labels, x, name,
                      "A-B" if name == "AB" else "PA-PB", limit))  # SCRT: no PA-PB for AB
    ours = {"|A-B|": ("A-B", "two-sided"), "B-A": ("A-B", "less"), "A-B": ("A-B", "greater"),
            "PA-PB": ("PA-PB", "greater")}
    timed = _scrt.time_cases([{"design": d, "statistic": st, "limit": lim,
                               "labels": _scrt_labels(des, lab), "scores": x}
                              for _, des, lab, x, d, st, lim in cases], repeats=1)
    print(f"{'case':<32} {'SCRT stat':>9} {'assignments':>12} {'nof1':>12} {'SCRT':>12} "
          f"{'ratio':>9}  same p")
    for (what, design, labels, x, _, stat, _), (p_scrt, sec_scrt) in zip(cases, timed,
                                                                          strict=True):
        statistic, alt = ours[stat]
        res = nof1.analysis.randomization_test(x, labels, design=design, statistic=statistic,
                                               alternative=alt)
        new = best(lambda: nof1.analysis.randomization_test(
            x, labels, design=design, statistic=statistic, alternative=alt), 5)
        same = "yes" if np.isclose(res.pvalue, p_scrt, rtol=1e-12, atol=0) else \
            f"no ({res.pvalue:.6g} vs {p_scrt:.6g})"
        print(f"{what:<32} {stat:>9} {design.n_assignments:>12,} {fmt(new)} {fmt(sec_scrt)} "
              f"{ratio(sec_scrt, new)}  {same}")
    print("   (SCRT timed inside R by proc.time, 1 ms resolution, one call after a warm-up)")
    print("\n0b. Whole processes (start-up, import/library, one test): python -c vs Rscript -e")
    for what, design, labels, x, scrt_design, stat, lim in (cases[2], cases[8]):
        statistic, alt = ours[stat]
        ctor = (f"PairedDesign({design.n_pairs})" if isinstance(design, nof1.PairedDesign)
                else f"PhaseDesign({design.phases!r}, {design.n_occasions}, "
                     f"{design.min_phase})")
        code = (f"from nof1 import PairedDesign, PhaseDesign; "
                f"from nof1.analysis import randomization_test; "
                f"print(randomization_test({x.tolist()}, {labels.tolist()}, design={ctor}, "
                f"statistic={statistic!r}, alternative={alt!r}).pvalue)")
        ours_s = best(lambda: subprocess.run([sys.executable, "-c", code], check=True,
                                             capture_output=True), 3)
        theirs = _scrt.process_seconds({"design": scrt_design, "statistic": stat,
                                        "limit": lim, "labels": _scrt_labels(design, labels),
                                        "scores": x})
        print(f"   {what:<32} nof1 {fmt(ours_s)}  SCRT {fmt(theirs)}  "
              f"({theirs / ours_s:.1f}x)")


def section_ci(rng: np.random.Generator) -> None:
    print("\n1b. Randomization CI by test inversion, paired (grid data)")
    print(f"{'pairs':>5} {'method':>16} {'current':>12} {'previous':>12} {'ratio':>9}")
    for k in (6, 12, 18, 20, 30, 40, 62):
        design, labels, x = grid_case(k, rng)
        res = nof1.analysis.randomization_ci(x, labels, design=design)
        new = best(lambda: nof1.analysis.randomization_ci(
            x, labels, design=design), 3)
        old = None
        if k <= 30:
            pd_ = prev.PairedDesign(k)
            old_res = prev.analysis.randomization_ci(x, labels, design=pd_)
            assert np.isclose(old_res.ci_low, res.ci_low, rtol=1e-9, atol=1e-12), k
            assert np.isclose(old_res.ci_high, res.ci_high, rtol=1e-9, atol=1e-12), k
            old = best(lambda: prev.analysis.randomization_ci(
                x, labels, design=pd_), 1)
        old_txt = fmt(old) if old else " " * 12
        print(f"{k:>5} {res.method:>16} {fmt(new)} {old_txt} {ratio(old, new)}")
    section_phase_ci(rng)


def section_phase_ci(rng: np.random.Generator) -> None:
    """ABAB 365/14: exact test and inverted interval (product counting vs enumeration)."""
    design = nof1.PhaseDesign("ABAB", 365, 14)
    print(f"\n1c. Phase design ABAB 365/14 ({design.n_assignments:,} assignments), statistic "
          f"PA-PB, wash-out 3, 20 missing days")
    print(f"{'what':<24} {'current':>12} {'previous':>12} {'ratio':>9}")
    labels = design.draw(rng)
    x = np.round(rng.normal(5, 2, size=365) - 0.8 * (labels == 0)).clip(0, 10)
    x[rng.choice(365, size=20, replace=False)] = np.nan
    kw = dict(statistic="PA-PB", washout=3)
    pd_ = prev.PhaseDesign("ABAB", 365, 14)
    cases = [(f"test ({alt})", "randomization_test", dict(alternative=alt))
             for alt in ("greater", "two-sided")] + [("interval (95%)", "randomization_ci", {})]
    for what, fn, extra in cases:
        new_fn = getattr(nof1.analysis, fn)
        old_fn = getattr(prev.analysis, fn)
        new_res = new_fn(x, labels, design=design, **kw, **extra)
        old_res = old_fn(x, labels, design=pd_, **kw, **extra)
        for f in ("pvalue", "ci_low", "ci_high"):  # identical, not just close
            assert getattr(new_res, f, None) == getattr(old_res, f, None), (what, f)
        new = best(lambda: new_fn(x, labels, design=design, **kw, **extra), 5)
        old = best(lambda: old_fn(x, labels, design=pd_, **kw, **extra), 1)
        print(f"{what:<24} {fmt(new)} {fmt(old)} {ratio(old, new)}")


#: the last commit before the analyze() speed work (shared period tables, no pandas
#: group-bys in the diary reader): the "before" column of section 2
ANALYZE_BEFORE = "47df35a"


def load_before(rev: str = ANALYZE_BEFORE):
    """``nof1`` as of ``rev`` under the name ``nof1_before`` (``_previous.load_previous``)."""
    return load_previous(rev, name="nof1_before")


def section_analyze(rng: np.random.Generator) -> None:
    from nof1.planning.simulate import simulate_diary

    before = load_before()
    print(f"\n2. analyze() (3 outcomes, default analyses, no HTML); 'before' is commit "
          f"{ANALYZE_BEFORE} (before the analyze speed work), 'previous' {PREVIOUS}")
    print(f"{'trial':<34} {'current':>12} {'before':>12} {'ratio':>9} {'previous':>12} "
          f"{'ratio':>9}")
    for name, design, lib_design, period_days, washout in (
            ("paired, 6 pairs x 14 days", nof1.PairedDesign(6), prev.PairedDesign(6), 14, 7),
            ("ABAB 365/14 diary", nof1.PhaseDesign("ABAB", 365, 14),
             prev.PhaseDesign("ABAB", 365, 14), None, 0)):
        s = nof1.make_schedule(design, start="2026-01-05", period_days=period_days,
                               washout_days=washout, rng=12345)
        s_old = prev.make_schedule(lib_design, start="2026-01-05", period_days=period_days,
                                   washout_days=washout, rng=12345)
        s_before = before.Schedule.from_dict(s.to_dict())
        diary = simulate_diary(s, rng=12345)
        new_res = nof1.analyze(diary, s)
        old_res = prev.analyze(diary, s_old)
        before_res = before.analyze(diary, s_before)
        # same numbers as before the speed work (tests/test_analyze_regression.py checks
        # 250 trials); GLS is refitted elsewhere, so it is compared to 1e-4
        for a, b in ((new_res.to_frame(), before_res.to_frame()),):
            for col in a.columns:
                if a[col].dtype.kind == "f":
                    tol = 1e-4 if "gls" in col else 1e-9
                    np.testing.assert_allclose(a[col], b[col], rtol=tol, err_msg=col)
        # the headline changed on purpose since the previous commit (one procedure: the
        # randomization test with its inverted CI); the procedures both versions compute
        # must agree
        for o, r_new in new_res.outcomes.items():
            r_old = old_res.outcomes[o]
            for test in ("randomization", "paired_t"):
                if test in r_new.tests and test in r_old.tests:
                    # a phase design's headline p is now equal-tailed (2 x the smaller
                    # one-sided p), which differs from the old |T| p by design
                    fields = ("estimate", "ci_low", "ci_high") + (
                        ("pvalue",) if name.startswith("paired") else ())
                    for f in fields:
                        x = getattr(r_new.tests[test], f, None)
                        y = getattr(r_old.tests[test], f, None)
                        if x is not None and y is not None:
                            np.testing.assert_allclose(float(x), float(y), rtol=1e-6,
                                                       atol=1e-9, err_msg=f"{o} {test} {f}")
        reps = 7 if name.startswith("paired") else 1
        new = best(lambda: nof1.analyze(diary, s), reps)
        bef = best(lambda: before.analyze(diary, s_before), reps)
        old = best(lambda: prev.analyze(diary, s_old), 1)
        print(f"{name:<34} {fmt(new)} {fmt(bef)} {ratio(bef, new)} {fmt(old)} "
              f"{ratio(old, new)}")
        if name.startswith("paired"):
            # CPU time of this process: less disturbed by other processes on a shared machine
            new_cpu = best(lambda: nof1.analyze(diary, s), reps, clock=time.process_time)
            bef_cpu = best(lambda: before.analyze(diary, s_before), reps,
                           clock=time.process_time)
            print(f"{'  same, CPU time of this process':<34} {fmt(new_cpu)} {fmt(bef_cpu)} "
                  f"{ratio(bef_cpu, new_cpu)}")
        if name.startswith("paired"):
            _analyze_parts(diary, s)
            # the result's tables are built when first read: what reading all of them adds
            tables = ("periods", "pairs", "sensitivity", "priors", "analyses")

            def read_all() -> None:
                res = nof1.analyze(diary, s)
                res.guesses  # noqa: B018
                for r in res.outcomes.values():
                    for t in tables:
                        getattr(r, t)

            print(f"{'  same, then reading every table':<34} {fmt(best(read_all, reps))}")


def _analyze_parts(diary, s) -> None:
    """Where the current analyze() spends its time (the parts owned by other modules)."""
    import nof1.analysis.randomization as rand_mod
    import nof1.analysis.trial as trial_mod

    spent: dict[str, float] = {}
    wrapped = []
    for mod, fname, label in ((trial_mod.models, "gls_ar1", "GLS fits (models.gls_ar1)"),
                              (trial_mod.bayes, "prior_sensitivity_columns",
                               "prior sensitivity (its numbers)"),
                              (trial_mod, "_decide", "decision rule (Bayes)"),
                              (trial_mod, "_read_diary", "reading the diary"),
                              (rand_mod, "tails_and_interval",
                               "randomization tests and intervals")):
        orig = getattr(mod, fname)

        def timed(*a, _orig=orig, _label=label, **k):
            t0 = time.perf_counter()
            try:
                return _orig(*a, **k)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - t0

        setattr(mod, fname, timed)
        wrapped.append((mod, fname, orig))
    try:
        n = 7
        t0 = time.perf_counter()
        for _ in range(n):
            nof1.analyze(diary, s)
        total = (time.perf_counter() - t0) / n
    finally:
        for mod, fname, orig in wrapped:
            setattr(mod, fname, orig)
    print(f"   of which (mean of {n} calls, {fmt(total).strip()} each):")
    for label, sec in spent.items():
        print(f"   {label:<46} {fmt(sec / n)} ({100 * sec / n / total:4.1f}%)")


def gls_case(rng: np.random.Generator, k: int):
    from nof1.planning.simulate import simulate_scores

    assign = np.concatenate([rng.permutation([0, 1]) for _ in range(k)])
    days = np.repeat(assign, 14)
    period = np.repeat(np.arange(2 * k), 14)
    y = simulate_scores(days[None], period + 1, effect=-0.8, sd=1.5, rho=0.4, period_sd=0.4,
                        baseline=5.0, rng=rng)[0]
    return y, np.where(days == 0, "A", "B"), period // 2, period


def section_gls(rng: np.random.Generator) -> None:
    print("\n3. GLS with AR(1) errors and random period intercepts (REML; all days analysed)")
    print(f"{'days':>5} {'model':<24} {'current':>12} {'previous':>12} {'ratio':>9}")
    for k in (6, 13):
        y, lab, blk, per = gls_case(rng, k)
        for model, kw in (("period intercepts", {"periods": per}), ("AR(1) only", {})):
            new_fit = nof1.analysis.gls_ar1(y, lab, blocks=blk, **kw)
            old_fit = prev.analysis.gls_ar1(y, lab, blocks=blk, **kw)
            assert np.isclose(new_fit.estimate, old_fit.estimate, rtol=1e-5)
            new = best(lambda: nof1.analysis.gls_ar1(y, lab, blocks=blk, **kw), 7)
            old = best(lambda: prev.analysis.gls_ar1(y, lab, blocks=blk, **kw), 3)
            print(f"{y.size:>5} {model:<24} {fmt(new)} {fmt(old)} {ratio(old, new)}")
    print("\n3b. GLS power cells: simulate_power(methods=('gls_ar1',)), 14-day periods, "
          "7 wash-out days,\n    effect -1, SD 1.5, rho 0.3, period drift SD 0.3, "
          "period intercepts (REML)")
    print(f"{'pairs':>5} {'trials':>6} {'current':>12} {'previous':>12} {'ratio':>9} "
          f"{'rate (cur/prev)':>16}")
    n_gls = 40
    for k in (3, 6, 12):
        gkw = dict(effect=-1.0, sd=1.5, rho=0.3, period_sd=0.3, washout_days=7,
                   period_days=14, methods=("gls_ar1",), n_sims=n_gls, n_sims_gls=n_gls)
        a = nof1.simulate_power(nof1.PairedDesign(k), rng=1, **gkw).table
        b = prev.power.simulate_power(prev.PairedDesign(k), rng=1, **gkw).table
        new = best(lambda: nof1.simulate_power(nof1.PairedDesign(k), rng=1, **gkw), 2)
        old = best(lambda: prev.power.simulate_power(prev.PairedDesign(k), rng=1, **gkw), 1)
        rates = f"{a.rejection_rate.iloc[0]:.3f}/{b.rejection_rate.iloc[0]:.3f}"
        print(f"{k:>5} {n_gls:>6} {fmt(new)} {fmt(old)} {ratio(old, new)} {rates:>16}")
    print("    (rates differ where the previous code used k - 1 df: Satterthwaite df now)")


#: the commit before the decision-only path of the decision rule (section 4)
POWER_BEFORE = "cdaff71"


def _power_pair(old_power, old_design, k: int, period_days: int, kw: dict):
    """One power cell by the current and an earlier implementation, one after the other:
    (current result, earlier result, current seconds, earlier seconds)."""
    t0 = time.perf_counter()
    a = nof1.simulate_power(nof1.PairedDesign(k), period_days=period_days, rng=1, **kw)
    t1 = time.perf_counter()
    b = old_power(old_design(k), period_days=period_days, rng=1, **kw)
    return a, b, t1 - t0, time.perf_counter() - t1


def section_power(rng: np.random.Generator, full_previous: bool) -> None:
    print("\n4. Power grid: 3-20 pairs x period 7/14/21/28 days (wash-out 3), 4,000 trials per "
          "cell;\n   randomization + paired t + Bayesian decision rule (simulate_power)")
    kw = dict(effect=-1.0, sd=1.5, rho=0.3, period_sd=0.3, washout_days=3,
              methods=("randomization", "paired_t", "bayes"), n_sims=4000)
    cells = [(k, p) for p in (7, 14, 21, 28) for k in range(3, 21)]
    t0 = time.perf_counter()
    for k, p in cells:
        nof1.simulate_power(nof1.PairedDesign(k), period_days=p, rng=1, **kw)
    new_total = time.perf_counter() - t0
    print(f"   current: {len(cells)} cells in {new_total:.1f} s")
    # the same grid, cell by cell against the commit before the decision-only rule path
    # (same load for both); every table must be identical
    before = load_previous(POWER_BEFORE, "nof1_power_before")
    new_s = old_s = 0.0
    for k, p in cells:
        a, b, dt_new, dt_old = _power_pair(before.simulate_power, before.PairedDesign, k, p,
                                           kw)
        new_s, old_s = new_s + dt_new, old_s + dt_old
        assert a.table.equals(b.table) and a.decisions.equals(b.decisions), (k, p)
    print(f"   interleaved with {POWER_BEFORE} (version-2 prior by full quadrature): "
          f"{new_s:.1f} s vs {old_s:.1f} s = {old_s / new_s:.2f}x; identical tables")
    sample = cells if full_previous else [(k, 14) for k in (3, 10, 16, 18, 20)]
    new_s = old_s = 0.0
    for k, p in sample:
        a, b, dt_new, dt_old = _power_pair(prev.power.simulate_power, prev.PairedDesign, k, p,
                                           kw)
        new_s, old_s = new_s + dt_new, old_s + dt_old
        # the decision rule's prior changed on purpose (version 2): compare the tests only
        same = a.table["method"].isin(["randomization", "paired_t"])
        assert np.allclose(a.table.rejection_rate[same],
                           b.table.set_index("method").loc[a.table.method[same],
                                                           "rejection_rate"]), (k, p)
    what = "all cells" if full_previous else f"cells {sample} (run with --full-power for all)"
    print(f"   same cells, current vs previous ({what}): {new_s:.2f} s vs {old_s:.2f} s "
          f"= {old_s / new_s:.1f}x; identical test rejection rates")
    n_gls = 40
    for k in (6, 12):
        gkw = dict(effect=-1.0, sd=1.5, rho=0.3, period_sd=0.3, washout_days=7,
                   period_days=14, methods=("gls_ar1",), n_sims=n_gls, n_sims_gls=n_gls)
        new = best(lambda: nof1.simulate_power(
            nof1.PairedDesign(k), rng=1, **gkw), 1)
        old = best(lambda: prev.power.simulate_power(
            prev.PairedDesign(k), rng=1, **gkw), 1)
        print(f"   GLS cell, {k} pairs x 14 days, {n_gls} trials: {fmt(new)} vs {fmt(old)} "
              f"= {old / new:.1f}x")


def section_mc(rng: np.random.Generator) -> None:
    print("\n5. Monte Carlo, 10^6 draws")
    k = 30
    design = nof1.PairedDesign(k)
    labels = design.draw(rng)
    x = rng.normal(size=2 * k) - 0.3 * (labels == 0)
    b = 10**6
    d = (x[0::2] - x[1::2]) / k
    first_a = labels[0::2] == 0
    t = float(np.where(first_a, d, -d).sum())

    def bare():
        r = np.random.default_rng(1)
        signs = 1.0 - 2.0 * r.integers(0, 2, size=(b, k))
        return np.count_nonzero(np.abs(signs @ d) >= abs(t))

    base = best(bare, 2)
    new = best(lambda: nof1.analysis.randomization_test(x, labels, design=design,
                                                        n_resamples=b, rng=1), 2)
    pd_ = prev.PairedDesign(k)
    old = best(lambda: prev.analysis.randomization_test(x, labels, design=pd_,
                                                        n_resamples=b, rng=1), 1)
    print(f"   paired, 30 pairs: current {fmt(new)}, bare numpy sign flips {fmt(base)} "
          f"(current / bare = {new / base:.2f}), previous {fmt(old)} ({old / new:.1f}x)")
    design = nof1.PhaseDesign("ABAB", 365, 14)
    labels = design.draw(rng)
    x = rng.normal(size=365)
    new = best(lambda: nof1.analysis.randomization_test(x, labels, design=design,
                                                        n_resamples=b, rng=1), 1)
    pd_ = prev.PhaseDesign("ABAB", 365, 14)
    old = best(lambda: prev.analysis.randomization_test(x, labels, design=pd_,
                                                        n_resamples=b, rng=1), 1)
    print(f"   ABAB 365/14: current {fmt(new)}, previous {fmt(old)} ({old / new:.1f}x)")


SECTIONS = {"scrt": section_scrt, "exact": section_exact, "ci": section_ci,
            "analyze": section_analyze, "gls": section_gls, "power": section_power,
            "mc": section_mc}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", help=f"sections to run, any of "
                        f"{', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--full-power", action="store_true",
                        help="time the previous implementation on the whole power grid "
                             "(about 3-10 minutes)")
    args = parser.parse_args(argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {list(SECTIONS)}")
    print(f"nof1 speed benchmark: current working tree vs previous commit {PREVIOUS}; "
          f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"{platform.machine()}")
    print(_scrt.status_line())
    rng = np.random.default_rng(20261128)
    for name in args.sections or SECTIONS:
        if name == "power":
            section_power(rng, args.full_power)
        else:
            SECTIONS[name](rng)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
