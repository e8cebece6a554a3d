"""Plain-language, direction-aware statements of an effect against its MCID."""

from __future__ import annotations

import math

from ..outcomes import Outcome

__all__ = ["interpret_effect"]


def _percent(p: float) -> str:
    """A probability as a whole percentage that never rounds to a false 0% or 100%."""
    if p > 0.99:
        return ">99%"
    if p < 0.01:
        return "<1%"
    return f"{p:.0%}"


def interpret_effect(outcome: Outcome, estimate: float, ci_low: float, ci_high: float, *,
                     treatment: str = "treatment", control: str = "control",
                     confidence_level: float = 0.95, p_benefit: float | None = None,
                     p_benefit_mcid: float | None = None) -> str:
    """Describe an effect (treatment - control) against the outcome's MCID, in words.

    The interval is re-signed so that positive means benefit (lower pain and stress,
    higher sleep quality are better), then compared with 0 and with the MCID.

    Examples
    --------
    >>> from nof1.outcomes import DEFAULT_OUTCOMES
    >>> import textwrap
    >>> text = interpret_effect(DEFAULT_OUTCOMES["pain"], -1.6, -2.4, -0.8,
    ...                         treatment="magnesium", control="placebo")
    >>> print(textwrap.fill(text, 80))
    pain was 1.6 points lower with magnesium than with placebo (95% CI 0.8 to 2.4
    points lower). The interval excludes no difference but includes benefits
    smaller than the MCID of 1 point.
    """
    if not math.isfinite(estimate):
        return f"{outcome.name}: not enough data to estimate the effect"
    lo, hi = sorted((outcome.benefit(ci_low), outcome.benefit(ci_high)))
    m = outcome.mcid
    worse = "lower" if outcome.higher_is_better else "higher"

    def num(x: float) -> str:
        return f"{abs(x):.2g}"

    def size(x: float) -> str:
        return f"{num(x)} point{'' if num(x) == '1' else 's'}"

    if estimate == 0:
        head = f"{outcome.name} was the same with {treatment} and {control}"
    else:
        # "lower"/"higher" refer to the raw scale, whatever the direction of benefit
        raw = "higher" if estimate > 0 else "lower"
        head = f"{outcome.name} was {size(estimate)} {raw} with {treatment} than with {control}"
    pct = f"{100 * confidence_level:g}%"
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return (f"{head}. The design admits too few assignments (or too few periods were "
                f"scored) for a {pct} interval, so the size of the effect cannot be judged "
                f"against the MCID of {size(outcome.mcid)}.")
    raw_lo, raw_hi = sorted((ci_low, ci_high))
    if raw_lo >= 0:
        ci = f"{pct} CI {num(raw_lo)} to {size(raw_hi)} higher"
    elif raw_hi <= 0:
        ci = f"{pct} CI {num(raw_hi)} to {size(raw_lo)} lower"
    else:
        ci = f"{pct} CI {size(raw_lo)} lower to {size(raw_hi)} higher"
    mcid = f"the MCID of {size(m)}"
    if lo >= m:
        verdict = f"The whole interval shows a benefit of at least {mcid}."
    elif lo > 0:
        verdict = f"The interval excludes no difference but includes benefits smaller than {mcid}."
    elif hi <= -m:
        verdict = f"The whole interval shows a harm ({worse} is worse) of at least {mcid}."
    elif hi < 0:
        verdict = "The interval excludes no difference and points to harm."
    elif lo > -m and hi < m:
        verdict = f"The interval lies within ±{size(m)}: no difference as large as the MCID."
    else:
        verdict = (f"The interval includes no difference as well as differences as large as "
                   f"{mcid}: the trial cannot tell.")
    text = f"{head} ({ci}). {verdict}"
    if p_benefit is not None and p_benefit_mcid is not None:
        text += (f" Posterior probability (weakly informative prior) of any benefit "
                 f"{_percent(p_benefit)}, of a benefit of at least the MCID "
                 f"{_percent(p_benefit_mcid)}.")
    return text
