"""Drawing conventions shared by the matplotlib plots and the report's SVG figures."""

from __future__ import annotations

import numpy as np

#: colours of condition A (treatment) and B (control); colour-blind safe (Okabe-Ito)
CONDITION_COLORS = {"A": "#0072B2", "B": "#E69F00"}
#: the observed statistic, against a grey randomization distribution (Okabe-Ito vermilion)
OBSERVED_COLOR = "#D55E00"
#: days that are not analysed (run-in, analytic wash-out)
UNANALYSED_COLOR = "#BBBBBB"


def spread(values: np.ndarray, gap: float) -> np.ndarray:
    """Label positions at least ``gap`` apart, in the order of ``values``, centred on them.

    Used to place one label per point (e.g. "pair 3") without overlaps: positions keep
    the order of the values, consecutive positions differ by at least ``gap``, and the
    mean displacement is zero.

    Examples
    --------
    >>> spread(np.array([1.0, 1.1, 3.0]), 0.5).round(3).tolist()
    [0.867, 1.367, 2.867]
    """
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    pos = values[order].copy()
    for i in range(1, len(pos)):
        pos[i] = max(pos[i], pos[i - 1] + gap)
    pos -= np.mean(pos - values[order])
    out = np.empty_like(pos)
    out[order] = pos
    return out
