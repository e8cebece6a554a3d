"""Plain-language, direction-aware statements of an effect against its MCID.

The sentences are built once, on the result objects (``OutcomeResult.headline`` and
``OutcomeResult.interpretation``), so that the report, the CLI and ``summary()`` tell the
same story. They avoid double negatives and say in words which side each end of the
interval is on.
"""

from __future__ import annotations

import math

from ..outcomes import Outcome

__all__ = ["interpret_effect", "describe_effect", "compare_with_mcid", "describe_blinded"]


def _percent(p: float) -> str:
    """A probability as a whole percentage that never rounds to a false 0% or 100%."""
    if p > 0.99:
        return ">99%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def _num(x: float) -> str:
    return f"{abs(x):.2g}"


def _size(x: float) -> str:
    return f"{_num(x)} point{'' if _num(x) == '1' else 's'}"


def _side(x: float) -> str:
    return "higher" if x > 0 else "lower"


def describe_effect(outcome: Outcome, estimate: float, ci_low: float, ci_high: float, *,
                    treatment: str = "treatment", control: str = "control",
                    confidence_level: float = 0.95) -> str:
    """One sentence: the effect and its interval on the raw scale, in words.

    Examples
    --------
    >>> from nof1.outcomes import DEFAULT_OUTCOMES
    >>> print(describe_effect(DEFAULT_OUTCOMES["pain"], -1.2, -1.7, -0.7, treatment="magnesium",
    ...                       control="placebo"))
    pain was 1.2 points lower with magnesium than with placebo (95% CI 0.7 to 1.7 points lower).
    """
    if not math.isfinite(estimate):
        return f"{outcome.name}: not enough data to estimate the effect."
    if estimate == 0:
        head = f"{outcome.name} was the same with {treatment} and {control}"
    else:
        head = (f"{outcome.name} was {_size(estimate)} {_side(estimate)} with {treatment} "
                f"than with {control}")
    pct = f"{100 * confidence_level:g}%"
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return (f"{head} (no {pct} interval can be given with this design or these data: see "
                f"the note).")
    lo, hi = sorted((ci_low, ci_high))
    if lo > 0:
        ci = f"{pct} CI {_num(lo)} to {_size(hi)} higher"
    elif hi < 0:
        ci = f"{pct} CI {_num(hi)} to {_size(lo)} lower"
    elif lo == 0 and hi == 0:
        ci = f"{pct} CI exactly 0"
    else:
        ci = (f"{pct} CI from {_size(lo)} lower to {_size(hi)} higher" if lo < 0 < hi else
              f"{pct} CI from 0 to {_size(hi if hi else lo)} {_side(hi if hi else lo)}")
    return f"{head} ({ci})."


def compare_with_mcid(outcome: Outcome, ci_low: float, ci_high: float, *,
                      treatment: str = "treatment") -> str:
    """One sentence placing the interval against 0 and the MCID (no double negatives).

    Examples
    --------
    >>> from nof1.outcomes import DEFAULT_OUTCOMES
    >>> import textwrap
    >>> text = compare_with_mcid(DEFAULT_OUTCOMES["pain"], -1.7, -0.7, treatment="magnesium")
    >>> print(textwrap.fill(text, 80))
    Every value in the interval means lower pain with magnesium, but some are
    smaller than the MCID of 1 point.
    """
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return ""
    lo, hi = sorted((outcome.benefit(ci_low), outcome.benefit(ci_high)))
    m = outcome.mcid
    good = "higher" if outcome.higher_is_better else "lower"
    bad = "lower" if outcome.higher_is_better else "higher"
    mcid = f"the MCID of {_size(m)}"
    if lo >= m:
        return (f"Every value in the interval means {good} {outcome.name} with {treatment}, "
                f"by at least {mcid}.")
    if lo > 0:
        return (f"Every value in the interval means {good} {outcome.name} with {treatment}, "
                f"but some are smaller than {mcid}.")
    if hi <= -m:
        return (f"Every value in the interval means {bad} (worse) {outcome.name} with "
                f"{treatment}, by at least {mcid}.")
    if hi < 0:
        return (f"Every value in the interval means {bad} (worse) {outcome.name} with "
                f"{treatment}, but some are smaller than {mcid}.")
    if lo > -m and hi < m:
        return (f"The interval contains 0 and lies within ±{_size(m)}: any difference is "
                f"smaller than {mcid}.")
    return (f"The interval contains 0 as well as differences as large as {mcid}: the trial "
            f"cannot tell whether {treatment} helps.")


def interpret_effect(outcome: Outcome, estimate: float, ci_low: float, ci_high: float, *,
                     treatment: str = "treatment", control: str = "control",
                     confidence_level: float = 0.95, p_benefit: float | None = None,
                     p_benefit_mcid: float | None = None, prior: str = "reference") -> str:
    """Describe an effect (treatment - control) against the outcome's MCID, in words.

    Examples
    --------
    >>> from nof1.outcomes import DEFAULT_OUTCOMES
    >>> import textwrap
    >>> text = interpret_effect(DEFAULT_OUTCOMES["pain"], -1.6, -2.4, -0.8,
    ...                         treatment="magnesium", control="placebo")
    >>> print(textwrap.fill(text, 80))
    pain was 1.6 points lower with magnesium than with placebo (95% CI 0.8 to 2.4
    points lower). Every value in the interval means lower pain with magnesium, but
    some are smaller than the MCID of 1 point.
    """
    text = describe_effect(outcome, estimate, ci_low, ci_high, treatment=treatment,
                           control=control, confidence_level=confidence_level)
    if not math.isfinite(estimate):
        return text
    versus = compare_with_mcid(outcome, ci_low, ci_high, treatment=treatment)
    if versus:
        text += " " + versus
    if p_benefit is not None and p_benefit_mcid is not None and math.isfinite(p_benefit):
        text += (f" Posterior probability ({prior} prior) of any benefit "
                 f"{_percent(p_benefit)}, of a benefit of at least the MCID "
                 f"{_percent(p_benefit_mcid)}.")
    return text


def describe_blinded(outcome: Outcome, estimate: float, ci_low: float, ci_high: float,
                     pvalue: float, *, confidence_level: float = 0.95) -> str:
    """A blinded (group X vs group Y) result: a two-sided difference, no benefit, no verdict.

    Examples
    --------
    >>> from nof1.outcomes import DEFAULT_OUTCOMES
    >>> import textwrap
    >>> text = describe_blinded(DEFAULT_OUTCOMES["pain"], 1.2, 0.7, 1.7, 0.031)
    >>> print(textwrap.fill(text, 80))
    pain was 1.2 points higher in group X than in group Y (95% CI 0.7 to 1.7 points
    higher; two-sided p = 0.031). Which group is which treatment is unknown until
    the key is opened; then this difference becomes treatment − control or its
    negative, and is judged against the MCID and the decision rule.
    """
    text = describe_effect(outcome, estimate, ci_low, ci_high, treatment="group X",
                           control="group Y", confidence_level=confidence_level)
    text = text.replace("with group X than with group Y", "in group X than in group Y")
    text = text.replace("the same with group X and group Y", "the same in group X and group Y")
    if math.isfinite(pvalue) and text.endswith(").") and math.isfinite(estimate):
        text = text[:-2] + f"; two-sided p = {pvalue:.2g})."
    return (f"{text} Which group is which treatment is unknown until the key is opened; then "
            f"this difference becomes treatment − control or its negative, and is judged "
            f"against the MCID and the decision rule.")
