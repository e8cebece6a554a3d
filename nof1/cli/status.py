"""``nof1 status``: where the trial stands today, from the participant's files only.

Also the one-line refusals shared by ``verify`` and ``analyze``: a protocol or a
printed copy that disagrees with the commitment (exit 3), a trial not finished
(exit 4).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._common import _date


def _refuse(exc: Exception, commitment: str | None = None) -> int:
    """Print ``exc`` as one line (with the full commitment) and return its exit code."""
    text = " ".join(str(exc).split())
    if commitment and commitment not in text:
        text += f" (commitment in protocol.json: {commitment})"
    print(f"nof1: error: {text}", file=sys.stderr)
    return int(getattr(exc, "exit_code", 1))


def _participant_commitment(directory: Path) -> str | None:
    """The commitment in protocol.json, or None if it cannot be read (for messages only)."""
    import json

    try:
        spec = json.loads((directory / "participant" / "protocol.json").read_text("utf-8"))
        value = spec.get("commitment") if isinstance(spec, dict) else None
        return value if isinstance(value, str) and len(value) == 64 else None
    except (OSError, ValueError):
        return None


def _add_status_parser(sub: Any) -> None:
    p = sub.add_parser("status", help="where the trial stands today (reveals nothing)",
                       description="From participant/ only (never the helper's key): today's "
                                   "period and pack code, days recorded and missing in the "
                                   "diary, the next pack change, the last analysed day and "
                                   "the end date. Nothing printed depends on the allocation.")
    p.add_argument("directory", type=Path, help="the trial folder")
    p.add_argument("--today", type=_date, default=None,
                   help="report as on this day, YYYY-MM-DD (default: today)")
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="text (default) or JSON on standard output")


def _cmd_status(args: argparse.Namespace) -> int:
    import json

    from ..exceptions import PlanMismatchError
    from ..workflow import trial_status

    try:
        status = trial_status(args.directory, today=args.today)
    except PlanMismatchError as exc:
        return _refuse(exc, _participant_commitment(args.directory))
    if args.format == "json":
        print(json.dumps(status.to_dict(), indent=2))
    else:
        print(status.summary())
    return 0
