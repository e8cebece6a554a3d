"""Blinding: secret allocation, random pack codes, the helper's key and its commitment.

The helper (a pharmacist, a friend) fills one pack per period and holds the
*key*: which pack holds which treatment. The participant holds only the
*commitment*, a salted SHA-256 digest of the key *and of the whole
pre-registered plan* (``participant/protocol.json`` without its commitment).
Unblinding recomputes the digest, so nobody can swap the key or rewrite the
plan after seeing the data.

Key format (``helper/key.json``)::

    {"format": "nof1-key", "version": 2,
     "trial_id": "...", "created": "2026-01-04T10:20:30Z",
     "schedule": Schedule.to_dict(),           # assignment and (mixed) seed included
     "packs": [{"period": 1, "code": "K7TM", "treatment": "...",
                "start": "2026-01-12", "end": "2026-01-25"}, ...],
     "allocation": {"seed": 2026 or null, "entropy": "<64 hex digits>" or null,
                    "randomize_roles": true/false, "treatments": [treatment, control],
                    "mixing": "..."},
     "plan": protocol.json without "commitment",
     "salt": "<64 hex digits>", "commitment": "<64 hex digits>"}

Allocation secrecy: in a blinded trial the schedule is drawn from
``mix_seed(seed, entropy)`` (:func:`nof1.design.schedule.mix_seed`), where ``entropy``
is 256 bits from :mod:`secrets` written only here. The user's seed alone
therefore reproduces nothing; the key reproduces the allocation exactly, and
:func:`audit_key` redraws it to check that it was drawn, not chosen. An
open-label trial has no entropy: its seed alone reproduces it.

Commitment::

    payload = {"trial_id", "schedule", "packs", "allocation", "plan"} of the key
    commitment = sha256(bytes.fromhex(salt)
                        + json.dumps(payload, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=True).encode("ascii")).hexdigest()

The salt (32 random bytes) makes the digest useless for guessing: without it
nobody can test candidate allocations against the commitment, even for a
small design. ``created``, ``salt`` and ``commitment`` itself are outside the
payload (``created`` is inside the plan).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._jsonfile import json_text, read_json
from .._validation import check_int
from ..design import design_from_dict
from ..design.schedule import Schedule, make_schedule, mix_seed
from ..exceptions import KeyMismatchError, TrialFileError
from ._atomic import write_file_atomic

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = [
    "PACK_ALPHABET", "make_pack_codes", "make_key", "key_commitment", "verify_key",
    "load_key", "write_key", "unblind", "short_commitment", "seal_key", "audit_key",
    "KEY_VERSION", "MIXING", "plan_digest",
]

#: Characters of pack codes: upper-case letters and digits that are hard to confuse
#: when handwritten or read aloud (no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V, vowels).
PACK_ALPHABET = "3479CFHJKMNPRTWXY"
KEY_FORMAT = "nof1-key"
GROUP_KEY_FORMAT = "nof1-group-key"
KEY_VERSION = 2
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _is_digest(value: Any) -> bool:
    """Whether ``value`` is a SHA-256 digest as nof1 writes it: 64 lower-case hex digits."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


_KEY_FIELDS = ("format", "version", "trial_id", "created", "schedule", "packs", "allocation",
               "plan", "salt", "commitment")
_PAYLOAD_FIELDS = ("trial_id", "schedule", "packs", "allocation", "plan")
#: how the allocation seed is derived (recorded in every key)
MIXING = ('blinded: seed = int.from_bytes(sha256(b"nof1-allocation-v2:" + '
          'bytes.fromhex(entropy) + b":" + (b"none" if seed is None else '
          'str(seed).encode())).digest(), "big"); open-label: seed as given; then '
          'nof1.make_schedule(design, ..., randomize_roles=randomize_roles, rng=seed)')


# -- pack codes and ids -----------------------------------------------------
def make_pack_codes(n: int, *, length: int = 4) -> list[str]:
    """Draw ``n`` distinct random pack codes from :data:`PACK_ALPHABET`.

    Codes come from the operating system's secure generator (:mod:`secrets`),
    independently of the allocation seed: the same seed gives the same
    allocation but new codes, and a code says nothing about its period or
    its contents.

    Parameters
    ----------
    n : int
        Number of codes (one per period), 1 to 1000.
    length : int
        Characters per code, 3 to 8 (default 4: 17**4 = 83,521 possible codes).

    Returns
    -------
    list of str
        Distinct codes, in random order.

    Raises
    ------
    ValueError, TypeError
        If ``n`` or ``length`` is out of range or not an integer.

    Examples
    --------
    >>> codes = make_pack_codes(3)
    >>> len(set(codes)), all(len(c) == 4 and set(c) <= set(PACK_ALPHABET) for c in codes)
    (3, True)
    """
    n = check_int(n, "n", minimum=1, maximum=1000)
    length = check_int(length, "length", minimum=3, maximum=8)
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < n:
        code = "".join(secrets.choice(PACK_ALPHABET) for _ in range(length))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def _make_trial_id() -> str:
    raw = "".join(secrets.choice(PACK_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _utc_now() -> str:
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def short_commitment(commitment: str) -> str:
    """The first 16 hex digits of a commitment, as printed on the participant's sheets.

    Parameters
    ----------
    commitment : str
        A commitment from :func:`key_commitment` (64 hex digits).

    Returns
    -------
    str
        Its first 16 characters (64 bits: enough to tell trials apart by eye).

    Examples
    --------
    >>> short_commitment("abcf2125d41d3758b5d70c270df525491be4d1e0effd46bb2b751248916e1f6d")
    'abcf2125d41d3758'
    """
    return str(commitment)[:16]


# -- key and commitment ---------------------------------------------------------
def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True).encode("ascii")


def key_commitment(key: dict[str, Any]) -> str:
    """SHA-256 commitment of a key: ``sha256(salt bytes + canonical JSON payload)``.

    Parameters
    ----------
    key : dict
        A key as written by :func:`make_key` (only ``trial_id``, ``schedule``,
        ``packs``, ``allocation``, ``plan`` and ``salt`` are used).

    Returns
    -------
    str
        64 lower-case hex digits.

    Raises
    ------
    TrialFileError
        If the key lacks a field or its salt is not 64 hex digits.

    Notes
    -----
    The payload is ``{"trial_id", "schedule", "packs", "allocation", "plan"}`` serialized with
    ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True)``;
    the salt's 32 bytes are prepended before hashing. The digest can be
    recomputed with any SHA-256 tool (e.g. ``sha256sum``) from those bytes.

    References
    ----------
    .. [1] NIST FIPS 180-4, Secure Hash Standard (SHA-256), 2015.

    Examples
    --------
    >>> key = {"trial_id": "T", "schedule": {}, "packs": [], "allocation": {}, "plan": {},
    ...        "salt": "01" * 32}
    >>> key_commitment(key)
    'e206fba8c761e6f0d3574bb98b8cf90e8f1f321611d405c9102fe1360a3ff707'
    """
    if not isinstance(key, dict):
        raise TrialFileError("the key must be a JSON object")
    missing = [f for f in (*_PAYLOAD_FIELDS, "salt") if f not in key]
    if missing:
        raise TrialFileError(f"the key has no {missing[0]!r} field")
    salt = key["salt"]
    if not _is_digest(salt):
        raise TrialFileError("the key's salt must be 64 lower-case hex digits")
    payload = {f: key[f] for f in _PAYLOAD_FIELDS}
    try:
        blob = _canonical(payload)
    except (TypeError, ValueError) as exc:
        raise TrialFileError(f"the key cannot be serialized: {exc}") from None
    return hashlib.sha256(bytes.fromhex(salt) + blob).hexdigest()


def plan_digest(plan: dict[str, Any]) -> str:
    """Unsalted SHA-256 of a plan's canonical JSON (the plan is public; nothing to hide).

    A group key carries it, so that a blinded analysis, which does not read the
    helper's key, can still check that ``protocol.json`` is the committed plan.

    Parameters
    ----------
    plan : dict
        ``Protocol.plan()`` or the ``plan`` of a key.

    Returns
    -------
    str
        64 lower-case hex digits.

    Examples
    --------
    >>> plan_digest({"primary": "pain"}) == plan_digest({"primary": "pain"})
    True
    >>> plan_digest({"primary": "pain"}) == plan_digest({"primary": "sleep"})
    False
    """
    try:
        return hashlib.sha256(_canonical(plan)).hexdigest()
    except (TypeError, ValueError) as exc:
        raise TrialFileError(f"the plan cannot be serialized: {exc}") from None


def make_key(schedule: Schedule, *, trial_id: str | None = None,
             created: str | None = None, allocation: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    """The helper's key for a schedule: random pack codes, salt and commitment.

    Parameters
    ----------
    schedule : Schedule
        The drawn schedule (its allocation and seed go into the key).
    trial_id : str, optional
        Identifier printed on every sheet (default: random, e.g. ``"K7TM-X9QR"``).
    created : str, optional
        UTC creation time in ISO format (default: now).
    allocation : dict, optional
        How the schedule was drawn: ``seed`` (the user's, or None), ``entropy``
        (64 hex digits mixed in with :func:`nof1.design.schedule.mix_seed`, or None),
        ``randomize_roles`` and ``treatments`` (in the order given, before any
        role swap). Default: the schedule's own seed, no entropy — an
        open-label record, reproducible from the seed alone.

    Returns
    -------
    dict
        The key (format in the module docstring), with ``plan`` None until
        :func:`seal_key` adds the protocol. One pack per period of the
        schedule; pack codes from :func:`make_pack_codes`.

    Raises
    ------
    TypeError
        If ``schedule`` is not a :class:`~nof1.Schedule`.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> key = make_key(s, trial_id="TEST-0001")
    >>> for pack in key["packs"]:
    ...     print(pack["period"], pack["treatment"], pack["start"], pack["end"])
    1 placebo 2026-01-05 2026-01-18
    2 magnesium 2026-01-19 2026-02-01
    3 magnesium 2026-02-02 2026-02-15
    4 placebo 2026-02-16 2026-03-01
    >>> key["commitment"] == key_commitment(key)
    True
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"`schedule` must be a nof1 Schedule, got {type(schedule).__name__}")
    trial_id = _make_trial_id() if trial_id is None else str(trial_id)
    created = _utc_now() if created is None else str(created)
    if allocation is None:
        treatments = list(schedule.treatments[::-1] if schedule.roles_swapped
                          else schedule.treatments)
        allocation = {"seed": int(schedule.seed), "entropy": None,
                      "randomize_roles": bool(schedule.roles_swapped),
                      "treatments": treatments}
    allocation = {**allocation, "mixing": MIXING}
    periods = schedule.periods
    codes = make_pack_codes(len(periods))
    packs = [{"period": int(row.period), "code": code, "treatment": str(row.treatment),
              "start": row.start.isoformat(), "end": row.end.isoformat()}
             for row, code in zip(periods.itertuples(), codes, strict=True)]
    key: dict[str, Any] = {"format": KEY_FORMAT, "version": KEY_VERSION, "trial_id": trial_id,
                           "created": created, "schedule": schedule.to_dict(),
                           "packs": packs, "allocation": allocation, "plan": None,
                           "salt": secrets.token_hex(32)}
    key["commitment"] = key_commitment(key)
    return key


def seal_key(key: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``key`` that commits to ``plan`` (the protocol without its commitment).

    Parameters
    ----------
    key : dict
        From :func:`make_key`.
    plan : dict
        ``Protocol.plan()``: every field of ``protocol.json`` except ``commitment``.

    Returns
    -------
    dict
        The key with ``plan`` set (as its JSON round trip) and the commitment
        recomputed over allocation and plan together.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=12345))
    >>> sealed = seal_key(key, {"primary": "pain"})
    >>> sealed["commitment"] != key["commitment"], sealed["commitment"] == key_commitment(sealed)
    (True, True)
    """
    if not isinstance(plan, dict):
        raise TypeError("`plan` must be a dict (Protocol.plan())")
    try:
        plan = json.loads(json.dumps(plan, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise TrialFileError(f"the plan cannot be serialized: {exc}") from None
    out = {**key, "plan": plan}
    out["commitment"] = key_commitment(out)
    return out


def audit_key(key: dict[str, Any]) -> Schedule:
    """Redraw the allocation from the key's seed and entropy; check it is the recorded one.

    Parameters
    ----------
    key : dict
        A key (version 2) whose ``allocation`` records the user's seed, the
        secret entropy, the role coin and the treatments in the given order.

    Returns
    -------
    Schedule
        The redrawn schedule (equal to the recorded one).

    Raises
    ------
    KeyMismatchError
        If the recorded schedule is not the one its seed and entropy draw: the
        allocation was chosen or edited, not drawn.
    TrialFileError
        If the allocation record is malformed.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> key = make_key(make_schedule(PairedDesign(3), start="2026-01-05", rng=12345))
    >>> audit_key(key).assignment.tolist() == key["schedule"]["assignment"]
    True
    >>> key["schedule"]["assignment"] = [1 - a for a in key["schedule"]["assignment"]]
    >>> audit_key(key)
    Traceback (most recent call last):
    ...
    nof1.exceptions.KeyMismatchError: the key's allocation is not the one its seed ...
    """
    alloc, spec = key.get("allocation"), key.get("schedule")
    if not isinstance(alloc, dict) or not isinstance(spec, dict):
        raise TrialFileError("the key's allocation record is missing or malformed")
    try:
        entropy, seed = alloc["entropy"], alloc["seed"]
        if entropy is None:
            drawn_seed = check_int(seed, "allocation seed", minimum=0)
        else:
            drawn_seed = mix_seed(seed, entropy)
        roles = alloc["randomize_roles"]
        if not isinstance(roles, bool):
            raise TypeError("randomize_roles must be true or false")
        redrawn = make_schedule(design_from_dict(spec["design"]), start=spec["start"],
                                period_days=spec["period_days"],
                                run_in_days=spec["run_in_days"],
                                washout_days=spec["washout_days"],
                                treatments=tuple(alloc["treatments"]),
                                randomize_roles=roles, rng=drawn_seed)
    except (KeyError, TypeError, ValueError) as exc:
        raise TrialFileError(f"the key's allocation record cannot be read: {exc}") from None
    if redrawn.to_dict() != spec:
        raise KeyMismatchError("the key's allocation is not the one its seed and entropy "
                               "draw: it was chosen or edited, not drawn")
    return redrawn


def verify_key(key: dict[str, Any], commitment: str) -> None:
    """Check a key against the commitment the participant holds.

    Parameters
    ----------
    key : dict
        The helper's key (e.g. from :func:`load_key`).
    commitment : str
        The participant's commitment (``protocol.json``), 64 hex digits.

    Returns
    -------
    None
        The key matches (otherwise an exception is raised).

    Raises
    ------
    ValueError
        If ``commitment`` is not 64 hex digits.
    KeyMismatchError
        If the recomputed digest differs from ``commitment`` or from the key's own
        ``commitment`` field (the message is one line).
    TrialFileError
        If the key lacks a field or its salt is malformed.

    Notes
    -----
    Digests are compared with :func:`hmac.compare_digest`.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=12345))
    >>> verify_key(key, key["commitment"])          # intact: returns None
    >>> key["packs"][0]["treatment"] = "magnesium"   # edited after the fact
    >>> verify_key(key, key["commitment"])
    Traceback (most recent call last):
    ...
    nof1.exceptions.KeyMismatchError: the key does not match the commitment ...
    """
    if not isinstance(commitment, str) or not _is_digest(commitment.strip().lower()):
        raise ValueError("`commitment` must be 64 hex digits (a SHA-256 digest)")
    commitment = commitment.strip().lower()
    actual = key_commitment(key)
    if not hmac.compare_digest(actual, commitment):
        raise KeyMismatchError(
            f"the key does not match the commitment {short_commitment(commitment)} "
            f"(key digest {short_commitment(actual)}): it was edited or belongs to another trial")
    own = key.get("commitment")
    if not isinstance(own, str) or not hmac.compare_digest(own.lower(), commitment):
        raise KeyMismatchError("the key's own commitment field does not match its content")


def load_key(path: str | Path) -> dict[str, Any]:
    """Read a key file and check its format (not its commitment: see :func:`verify_key`).

    Parameters
    ----------
    path : str or Path
        Usually ``helper/key.json``.

    Returns
    -------
    dict
        The key.

    Raises
    ------
    TrialFileError
        If the file is missing, unreadable, not JSON, or not a nof1 key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, make_schedule
    >>> key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=12345))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_key(key, pathlib.Path(tmp) / "key.json")
    ...     load_key(path) == key
    True
    """
    path = Path(path)
    key = read_json(path, "key file")
    if not isinstance(key, dict) or key.get("format") != KEY_FORMAT:
        raise TrialFileError(f"{path} is not a nof1 key (format {KEY_FORMAT!r})")
    if key.get("version") != KEY_VERSION:
        raise TrialFileError(f"{path}: unsupported key version {key.get('version')!r} "
                             f"(this nof1 reads version {KEY_VERSION})")
    missing = [f for f in _KEY_FIELDS if f not in key]
    if missing:
        raise TrialFileError(f"{path}: the key has no {missing[0]!r} field")
    if not isinstance(key["packs"], list) or not all(isinstance(p, dict) for p in key["packs"]):
        raise TrialFileError(f"{path}: the key's packs must be a list of objects")
    for name in ("schedule", "allocation"):
        if not isinstance(key[name], dict):
            raise TrialFileError(f"{path}: the key's {name} must be an object")
    return key


def write_key(key: dict[str, Any], path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a key (or a group key) as JSON, atomically (temp file, then rename).

    Parameters
    ----------
    key : dict
        A key from :func:`make_key` or a group key from :func:`group_key`.
    path : str or Path
        Destination; its folder must exist.
    overwrite : bool
        Replace an existing file (default False: refuse).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    TrialExistsError
        If ``path`` exists and ``overwrite`` is False.
    TrialFileError
        If the folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from nof1 import PairedDesign, make_schedule
    >>> from nof1.exceptions import TrialExistsError
    >>> key = make_key(make_schedule(PairedDesign(2), start="2026-01-05", rng=12345))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_key(key, pathlib.Path(tmp) / "key.json")
    ...     try:
    ...         write_key(key, path)                 # an existing key is kept
    ...     except TrialExistsError:
    ...         print("refused")
    ...     print(path.name, load_key(path)["commitment"] == key["commitment"])
    refused
    key.json True
    """
    return write_file_atomic(path, json_text(key).encode("utf-8"), overwrite=overwrite)


# -- unblinding -------------------------------------------------------------------
def unblind(key: dict[str, Any], commitment: str) -> Schedule:
    """Verify a key, then return the schedule it holds.

    Parameters
    ----------
    key : dict
        The helper's key.
    commitment : str
        The participant's commitment.

    Returns
    -------
    Schedule
        ``Schedule.from_dict(key["schedule"])``, after checking that the packs
        list one pack per period with that period's treatment and dates, and
        that the allocation is the one the key's seed and entropy draw
        (:func:`audit_key`).

    Raises
    ------
    KeyMismatchError
        If the key fails its commitment or its allocation audit.
    TrialFileError
        If the key matches but its schedule or packs are inconsistent.

    Notes
    -----
    Verifying first means an analysis can only ever use the allocation that
    was committed to before the data existed.

    Examples
    --------
    >>> from nof1 import PairedDesign, make_schedule
    >>> s = make_schedule(PairedDesign(2), start="2026-01-05", rng=12345)
    >>> key = make_key(s)
    >>> unblind(key, key["commitment"]).periods["treatment"].tolist()
    ['placebo', 'magnesium', 'magnesium', 'placebo']
    """
    verify_key(key, commitment)
    try:
        schedule = Schedule.from_dict(key["schedule"])
    except (KeyError, TypeError, ValueError) as exc:
        raise TrialFileError(f"the key's schedule cannot be read: {exc}") from None
    _check_packs(key["packs"], schedule)
    audit_key(key)
    return schedule


def _check_packs(packs: list[dict[str, Any]], schedule: Schedule) -> None:
    periods = schedule.periods
    if len(packs) != len(periods):
        raise TrialFileError(f"the key lists {len(packs)} packs for {len(periods)} periods")
    codes = [p.get("code") for p in packs]
    if len(set(codes)) != len(codes):
        raise TrialFileError("the key's pack codes are not distinct")
    for pack, row in zip(packs, periods.itertuples(), strict=True):
        expected = {"period": int(row.period), "treatment": str(row.treatment),
                    "start": row.start.isoformat(), "end": row.end.isoformat()}
        got = {k: pack.get(k) for k in expected}
        if got != expected:
            raise TrialFileError(f"the key's pack {pack.get('code')!r} disagrees with the "
                                 f"schedule for period {int(row.period)}")
