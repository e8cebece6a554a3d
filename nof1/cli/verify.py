"""``nof1 verify`` and ``nof1 groups``: check the key; write a group key."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


# -- nof1 verify ---------------------------------------------------------------------
def _add_verify_parser(sub: Any) -> None:
    p = sub.add_parser("verify", help="check the helper's key against the commitment",
                       description="Check helper/key.json against the commitment in "
                                   "participant/protocol.json. Exit code 1 if they do not "
                                   "match, 2 if a file cannot be read.")
    p.add_argument("directory", type=Path, help="the trial folder")


def _cmd_verify(args: argparse.Namespace) -> int:
    from ..blinding import short_commitment
    from ..trial import verify_trial

    commitment = verify_trial(args.directory)
    print(f"key matches the commitment {short_commitment(commitment)}")
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
    import json

    from ..blinded_analysis import group_key
    from ..blinding import load_key
    from ..trial._atomic import write_file_atomic

    output = args.output or args.directory / "helper" / "groups.json"
    if output.exists():
        raise FileExistsError(f"{output} exists; remove it or choose --output")
    groups = group_key(load_key(args.directory / "helper" / "key.json"))
    write_file_atomic(output, (json.dumps(groups, indent=2) + "\n").encode("utf-8"))
    print(f"Group key: {output} ({len(groups['groups'])} packs in groups X and Y; "
          f"it does not say which group is which treatment)")
    print(f"Blinded analysis: nof1 analyze {args.directory} --groups {output}")
    return 0
