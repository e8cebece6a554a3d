"""Constants that several layers share, each defined once, with its source.

Kept in the foundation layer (nothing here imports anything) so that the diary
reader, the analysis, the protocol, the report and the command line all read the
same value instead of a copy of it.
"""

from __future__ import annotations

import datetime as _dt

__all__ = ["DISCLAIMER", "MAX_DAYS", "MIN_ADHERENCE", "START_RANGE"]

#: printed in every protocol, report, summary and ``nof1 --help``: nof1 gives no
#: medical advice (project brief)
DISCLAIMER = "A research and self-tracking tool, not medical advice."

#: a period whose share of diary days with the pack taken is below this is flagged by
#: :func:`nof1.read_diary` and left out of the per-protocol sensitivity analysis; a
#: conventional threshold, our choice (``docs/methods.md`` §4.3)
MIN_ADHERENCE = 0.8

#: the dates a trial may start on (``create_trial`` and ``nof1 design --start``): a year
#: outside this range is a typing error, not a plan
START_RANGE = (_dt.date(2000, 1, 1), _dt.date(2099, 12, 31))

#: the longest personal trial nof1 plans, in days, run-in included: five years (a longer
#: one is almost certainly a typing error, e.g. --period-days 366 for 36); a phase
#: design has at most this many daily occasions
MAX_DAYS = 5 * 366
