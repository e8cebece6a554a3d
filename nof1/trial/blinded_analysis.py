"""Blinded analysis: the helper reveals only which packs hold the same thing.

Before the names are known, the analysis plan can be checked on real data with
two anonymous groups, X and Y. The helper makes a group key from the full key
(:func:`group_key`); :func:`schedule_from_groups` turns it into a schedule whose
conditions are "group X" and "group Y".
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._jsonfile import read_json
from .._validation import as_rng
from ..design import design_from_dict
from ..design.schedule import Schedule
from ..exceptions import KeyMismatchError, TrialFileError
from .blinding import GROUP_KEY_FORMAT, _is_digest, verify_key

if TYPE_CHECKING:
    from .protocol import Protocol

__all__ = ["group_key", "load_group_key", "schedule_from_groups"]

def group_key(key: dict[str, Any], rng: Any = None) -> dict[str, Any]:
    """What the helper can hand over for a blinded analysis: which packs match.

    Each pack code maps to group ``"X"`` or ``"Y"``; packs with the same
    treatment share a group, and the treatments stay hidden.

    Parameters
    ----------
    key : dict
        The helper's key (checked against its own commitment field).
    rng : None, int or numpy.random.Generator
        Decides which treatment becomes group X (paired and alternating designs).

    Returns
    -------
    dict
        ``{"format": "nof1-group-key", "version": 1, "trial_id", "commitment",
        "groups": {code: "X" or "Y"}}``.

    Notes
    -----
    For paired and alternating designs, X is a random one of the two
    treatments; both labellings are admissible because these designs are
    symmetric. Phase designs fix the order of the phases (``"ABAB"``), so X is
    always the condition of the first phase (condition A); which treatment that
    is was decided by a coin when the schedule was drawn, and stays hidden.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_key, make_schedule
    >>> key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=12345))
    >>> sorted(group_key(key, rng=12345)["groups"].values())
    ['X', 'X', 'Y', 'Y']
    """
    verify_key(key, key.get("commitment", ""))
    gen = as_rng(rng)
    treatments = list(key["schedule"]["treatments"])
    if design_from_dict(key["schedule"]["design"]).symmetric:
        x = treatments[int(gen.integers(0, 2))]
    else:
        x = treatments[0]
    groups = {p["code"]: ("X" if p["treatment"] == x else "Y") for p in key["packs"]}
    return {"format": GROUP_KEY_FORMAT, "version": 1, "trial_id": key["trial_id"],
            "commitment": key["commitment"], "groups": groups}


def _check_group_key(groups: Any, where: str) -> dict[str, Any]:
    """The group key's shape: format, version, commitment digest, pack -> "X"/"Y"."""
    if not isinstance(groups, dict) or groups.get("format") != GROUP_KEY_FORMAT:
        raise TrialFileError(f"{where} is not a nof1 group key (format {GROUP_KEY_FORMAT!r})")
    if groups.get("version") != 1:
        raise TrialFileError(f"{where}: unsupported group key version "
                             f"{str(groups.get('version'))[:20]!r}")
    commitment = groups.get("commitment")
    if not _is_digest(commitment):
        raise TrialFileError(f"{where}: the group key's commitment is not a SHA-256 digest "
                             f"(64 hex digits); the file is damaged")
    mapping = groups.get("groups")
    if not isinstance(mapping, dict) or not mapping or not all(
            isinstance(k, str) and v in ("X", "Y") for k, v in mapping.items()):
        raise TrialFileError(f"{where}: the group key's 'groups' must map each pack code to "
                             f"\"X\" or \"Y\"; the file is damaged")
    return groups


def load_group_key(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a group key file (its shape; not yet which trial it belongs to).

    Parameters
    ----------
    path : path
        The group key written by ``nof1 groups`` (default ``helper/groups.json``).

    Returns
    -------
    dict
        The group key, for :func:`schedule_from_groups`.

    Raises
    ------
    TrialFileError
        If the file is missing, unreadable, not JSON (the message gives the line), nested
        too deeply, or not a well-formed group key. A damaged file is never reported as
        belonging to another trial: that is said only of a well-formed key whose
        commitment differs (:class:`~nof1.exceptions.KeyMismatchError`).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from nof1 import PairedDesign, make_key, make_schedule
    >>> key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=12345))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "groups.json"
    ...     _ = path.write_text(json.dumps(group_key(key, rng=1))[:-1])   # one brace lost
    ...     try:
    ...         load_group_key(path)
    ...     except TrialFileError as exc:
    ...         print(str(exc).split(": ", 1)[1])
    not valid JSON (line 1, column ...); the file is damaged: ask the helper for a new copy
    """
    path = Path(path)
    groups = read_json(path, "group key",
                       hint="; the file is damaged: ask the helper for a new copy")
    return _check_group_key(groups, f"group key {path}")


def schedule_from_groups(groups: dict[str, Any], protocol: Protocol) -> Schedule:
    """A schedule whose two conditions are the blinded groups X and Y.

    Parameters
    ----------
    groups : dict
        Output of :func:`group_key`.
    protocol : Protocol
        The participant's protocol (design, dates and pack codes).

    Returns
    -------
    Schedule
        Condition A is ``"group X"``, condition B ``"group Y"``; ``seed`` is 0
        (a group schedule is not drawn and cannot be reproduced from a seed).

    Raises
    ------
    KeyMismatchError
        If the group key belongs to another trial, or its pack codes are not the
        protocol's, or the groups are not an admissible assignment.
    TrialFileError
        If ``groups`` is not a group key.

    Notes
    -----
    Each design unit takes the group of the pack in use on its first day.
    With this schedule a blinded analysis estimates X − Y; whether that is
    treatment − control or its negative stays unknown until the full key is
    opened.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_key, make_schedule
    >>> from nof1.outcomes import default_outcomes
    >>> from nof1.trial.protocol import make_protocol
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> key = make_key(s)
    >>> protocol = make_protocol(s, key, outcomes=default_outcomes(), primary="pain",
    ...                          blinded=True)
    >>> g = schedule_from_groups(group_key(key, rng=12345), protocol)
    >>> g.treatments, g.design.is_admissible(g.assignment)
    (('group X', 'group Y'), True)
    """
    _check_group_key(groups, "`groups`")
    if groups["commitment"] != protocol.commitment:
        raise KeyMismatchError("the group key belongs to another trial (commitment differs)")
    mapping = groups["groups"]
    codes = [p["code"] for p in protocol.packs]
    if set(mapping) != set(codes) or not set(mapping.values()) <= {"X", "Y"}:
        raise KeyMismatchError("the group key's pack codes are not this trial's packs")
    design = design_from_dict(protocol.design)
    n_units = design.n_units
    unit_start = [protocol.start + _dt.timedelta(days=protocol.run_in_days
                                                 + i * protocol.period_days)
                  for i in range(n_units)]
    assignment = np.empty(n_units, dtype=np.int8)
    for i, day in enumerate(unit_start):
        pack = next((p for p in protocol.packs if p["start"] <= day.isoformat() <= p["end"]),
                    None)
        if pack is None:
            raise TrialFileError(f"no pack in the protocol covers {day.isoformat()}")
        assignment[i] = 0 if mapping[pack["code"]] == "X" else 1
    if not design.is_admissible(assignment):
        raise KeyMismatchError("the groups do not form an admissible assignment of the design")
    return Schedule(design=design, assignment=assignment, treatments=("group X", "group Y"),
                    start=protocol.start, period_days=protocol.period_days,
                    run_in_days=protocol.run_in_days, washout_days=protocol.washout_days,
                    seed=0)
