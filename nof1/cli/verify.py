"""``nof1 verify`` and ``nof1 groups``: check the key; write a group key."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .status import _participant_commitment, _refuse


# -- nof1 verify ---------------------------------------------------------------------
def _add_verify_parser(sub: Any) -> None:
    p = sub.add_parser("verify", help="check the key, the plan and every printed commitment",
                       description="Check helper/key.json against the commitment in "
                                   "participant/protocol.json, redraw the allocation from the "
                                   "key's seed and entropy, check every field of the "
                                   "protocol against the committed plan and every printed "
                                   "copy of the commitment (schedule.html, calendar.ics, "
                                   "the diary pages). "
                                   "Prints the full commitment: compare it with the copy kept "
                                   "at the start. Exit codes: 0 all agree; 1 the key does not "
                                   "match the commitment; 2 a file cannot be read; 3 the "
                                   "protocol or a printed copy disagrees.")
    p.add_argument("directory", type=Path, help="the trial folder")


def _cmd_verify(args: argparse.Namespace) -> int:
    from ..exceptions import KeyMismatchError, PlanMismatchError
    from ..trial import verify_trial

    try:
        commitment = verify_trial(args.directory)
    except PlanMismatchError as exc:
        return _refuse(exc, _participant_commitment(args.directory))
    except KeyMismatchError as exc:
        return _refuse(exc, _participant_commitment(args.directory))
    print("key matches the commitment; allocation redrawn from the key and equal; protocol "
          "plan and printed copies (schedule.html, calendar.ics, diary pages) agree")
    print(f"commitment: {commitment}")
    return 0


# -- nof1 groups ---------------------------------------------------------------------------
def _add_groups_parser(sub: Any) -> None:
    p = sub.add_parser("groups", help="(helper) write a group key for a blinded analysis",
                       description="From helper/key.json, write a group key that says which "
                                   "packs hold the same thing (groups X and Y) but not which "
                                   "is which treatment, so the analysis can be run and "
                                   "checked before unblinding: nof1 analyze DIR --groups FILE.")
    p.add_argument("directory", type=Path, help="the trial folder")
    p.add_argument("--output", type=Path, default=None,
                   help="where to write it (default DIR/helper/groups.json; never overwritten)")


def _cmd_groups(args: argparse.Namespace) -> int:
    from ..trial.blinded_analysis import group_key
    from ..trial.blinding import load_key, plan_digest, write_key

    output = args.output or args.directory / "helper" / "groups.json"
    if output.exists():
        raise FileExistsError(f"{output} exists; remove it or choose --output")

    key = load_key(args.directory / "helper" / "key.json")
    groups = group_key(key)
    if isinstance(key.get("plan"), dict):  # lets a blinded analysis check the protocol too
        groups["plan_sha256"] = plan_digest(key["plan"])
    write_key(groups, output)
    print(f"Group key: {output} ({len(groups['groups'])} packs in groups X and Y; "
          f"it does not say which group is which treatment)")
    print(f"Blinded analysis: nof1 analyze {args.directory} --groups {output}")
    return 0
