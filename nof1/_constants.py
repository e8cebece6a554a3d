"""Constants that several layers share, each defined once, with its source.

Kept in the foundation layer (nothing here imports anything) so that the diary
reader, the analysis, the protocol, the report and the command line all read the
same value instead of a copy of it.
"""

from __future__ import annotations

__all__ = ["DISCLAIMER", "MIN_ADHERENCE"]

#: printed in every protocol, report, summary and ``nof1 --help``: nof1 gives no
#: medical advice (project brief)
DISCLAIMER = "A research and self-tracking tool, not medical advice."

#: a period whose share of diary days with the pack taken is below this is flagged by
#: :func:`nof1.read_diary` and left out of the per-protocol sensitivity analysis; a
#: conventional threshold, our choice (``docs/methods.md`` §4.3)
MIN_ADHERENCE = 0.8
