"""Outcome specifications: scale, direction of benefit, MCID and its source.

The defaults are daily 0-10 ratings of pain, stress and sleep quality. Sources
for the minimal clinically important differences (MCIDs) are in
``docs/methods.md`` §2.9 and §3:

- Pain NRS 0-10: 1 point (or 15%) is the minimal clinically important change
  (Salaffi et al., Eur J Pain 2004;8:283); about 2 points or 30% is "much
  improved" (Farrar et al., Pain 2001;94:149).
- Sleep quality 0-10 (0 = terrible, 10 = excellent, as the SQS, Snyder et al.,
  J Clin Sleep Med 2018;14:1849): 1 point, from 10 mm on a 100-mm VAS
  (Zisapel & Nir, J Sleep Res 2003;12:291).
- Stress NRS 0-10: no anchor-based MCID has been published; 1 point is a
  pre-registered convention, in line with the generic half-SD rule
  (Norman, Sloan & Wyrwich, Med Care 2003;41:582).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ._validation import check_float

__all__ = ["Outcome", "DEFAULT_OUTCOMES", "default_outcomes", "outcome_from_dict",
           "parse_outcome_spec", "outcome_spec", "read_outcomes_file"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A daily outcome: its scale, which direction is better, and its MCID.

    Parameters
    ----------
    name : str
        Column name in the diary (lower-case ``snake_case``).
    question : str
        The diary question, as shown to the participant.
    low, high : float
        Ends of the scale; scores outside are errors.
    higher_is_better : bool
        Direction of benefit (False for pain and stress, True for sleep quality).
    mcid : float
        Minimal clinically important difference, in scale units (> 0).
    mcid_source : str
        Where the MCID comes from.
    low_label, high_label : str
        Anchors: what the ends of the scale mean (e.g. "no pain", "worst pain
        imaginable"); shown beside the scale in the diary. Empty if not given.

    Examples
    --------
    >>> from nof1.outcomes import DEFAULT_OUTCOMES
    >>> pain = DEFAULT_OUTCOMES["pain"]
    >>> pain.benefit(-1.5)   # a 1.5-point drop in pain is a benefit
    1.5
    """

    name: str
    question: str
    low: float = 0.0
    high: float = 10.0
    higher_is_better: bool = False
    mcid: float = 1.0
    mcid_source: str = ""
    low_label: str = ""
    high_label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"outcome `name` must be lower-case snake_case, got {self.name!r}")
        low = check_float(self.low, "low")
        high = check_float(self.high, "high")
        if not low < high:
            raise ValueError(f"outcome {self.name!r}: `low` must be below `high`")
        mcid = check_float(self.mcid, "mcid", minimum=0.0, inclusive=False)
        if mcid > high - low:
            raise ValueError(f"outcome {self.name!r}: `mcid` exceeds the scale range")
        if not isinstance(self.higher_is_better, bool):
            raise TypeError("`higher_is_better` must be True or False")
        for field in ("question", "mcid_source", "low_label", "high_label"):
            if not isinstance(getattr(self, field), str):
                raise TypeError(f"outcome {self.name!r}: `{field}` must be text")

    @property
    def direction(self) -> str:
        """'higher' or 'lower': which direction is better."""
        return "higher" if self.higher_is_better else "lower"

    def benefit(self, effect: float) -> float:
        """Effect (treatment − control) re-signed so that positive means benefit."""
        return effect if self.higher_is_better else -effect

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def outcome_from_dict(spec: dict[str, Any]) -> Outcome:
    """Build an :class:`Outcome` from a dict (as stored in protocol.json).

    Parameters
    ----------
    spec : dict
        Fields of :class:`Outcome` (``name`` and ``question`` required; the others
        take their defaults), e.g. from ``Outcome.to_dict()``.

    Returns
    -------
    Outcome

    Raises
    ------
    ValueError
        If ``spec`` has a field that :class:`Outcome` does not know, or a value
        :class:`Outcome` rejects (name not snake_case, ``low >= high``, MCID out
        of range).
    TypeError
        If ``name`` or ``question`` is missing, or ``higher_is_better`` is not a bool.

    Examples
    --------
    >>> fatigue = outcome_from_dict({"name": "fatigue", "question": "Fatigue today (0-10)",
    ...                              "mcid": 1.5})
    >>> fatigue.low, fatigue.high, fatigue.mcid, fatigue.direction
    (0.0, 10.0, 1.5, 'lower')
    >>> outcome_from_dict(fatigue.to_dict()) == fatigue
    True
    >>> outcome_from_dict({"name": "fatigue", "question": "?", "scale": "NRS"})
    Traceback (most recent call last):
    ...
    ValueError: unknown outcome fields ['scale']; allowed [...]
    """
    fields = {f.name for f in dataclasses.fields(Outcome)}
    unknown = set(spec) - fields
    if unknown:
        raise ValueError(f"unknown outcome fields {sorted(unknown)}; allowed {sorted(fields)}")
    return Outcome(**spec)


DEFAULT_OUTCOMES: dict[str, Outcome] = {
    "pain": Outcome(
        name="pain",
        question="Average pain over the last 24 hours (0 = no pain, 10 = worst pain imaginable)",
        higher_is_better=False, mcid=1.0, low_label="no pain",
        high_label="worst pain imaginable",
        mcid_source=("Salaffi et al. 2004, Eur J Pain 8:283 (1 point / 15%); "
                     "Farrar et al. 2001, Pain 94:149 (2 points / 30% = much improved)"),
    ),
    "stress": Outcome(
        name="stress",
        question="Overall stress today (0 = no stress, 10 = worst stress imaginable)",
        higher_is_better=False, mcid=1.0, low_label="no stress",
        high_label="worst stress imaginable",
        mcid_source=("No anchor-based MCID published for a stress NRS; 1 point pre-registered "
                     "by convention (cf. half-SD rule, Norman et al. 2003, Med Care 41:582)"),
    ),
    "sleep": Outcome(
        name="sleep",
        question="Quality of last night's sleep (0 = terrible, 10 = excellent)",
        higher_is_better=True, mcid=1.0, low_label="terrible", high_label="excellent",
        mcid_source="Zisapel & Nir 2003, J Sleep Res 12:291 (10 mm on a 100-mm VAS)",
    ),
}


def default_outcomes() -> list[Outcome]:
    """The default outcomes, pain (primary), stress and sleep.

    Returns
    -------
    list of Outcome
        A new list of the values of :data:`DEFAULT_OUTCOMES`, in diary order.

    Examples
    --------
    >>> [(o.name, o.direction, o.mcid) for o in default_outcomes()]
    [('pain', 'lower', 1.0), ('stress', 'lower', 1.0), ('sleep', 'higher', 1.0)]
    """
    return list(DEFAULT_OUTCOMES.values())


# -- outcomes people define ------------------------------------------------------------
#: MCID source recorded when a 0-10 outcome is defined without one
CONVENTION_SOURCE = ("1 point on a 0-10 scale, pre-registered by convention "
                     "(no published anchor; cf. half-SD rule, Norman et al. 2003, "
                     "Med Care 41:582)")
_KEYS = ("mcid", "question", "low", "high", "source")
_KEY_SPLIT = re.compile(r":(?=\s*(?:" + "|".join(_KEYS) + r")\s*=)")
_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SCALE = re.compile(rf"^({_NUM})\s*-\s*({_NUM})$")


def _number(text: str, what: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"outcome {spec!r}: {what} must be a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"outcome {spec!r}: {what} must be finite, got {text!r}")
    return value


def parse_outcome_spec(spec: str) -> Outcome:
    """An :class:`Outcome` from a one-line specification.

    ``NAME[:LOW-HIGH][:lower|higher][:mcid=X][:question=TEXT][:low=TEXT][:high=TEXT]
    [:source=TEXT]``

    A default outcome's name alone (``pain``, ``stress``, ``sleep``) gives it as
    defined in :data:`DEFAULT_OUTCOMES`, and any field given overrides the
    default. Any other name needs its direction of benefit (``lower`` or
    ``higher``: which direction is better), so that it is pre-registered and
    never guessed. The scale defaults to 0-10; on a 0-10 scale the MCID
    defaults to 1 point (recorded as a convention); on any other scale
    ``mcid=`` is required. Text fields (``question=``, ``low=``, ``high=``,
    ``source=``) run to the next ``:key=`` and may hold colons (but not a colon
    directly followed by a key), so put the scale and the direction before them.

    Parameters
    ----------
    spec : str
        The specification, e.g.
        ``"mood:0-10:higher:mcid=1.5:question=How was your mood today?"``.

    Returns
    -------
    Outcome

    Raises
    ------
    ValueError
        Unknown key or part, a key given twice, a bad number or scale, a missing
        direction or MCID, or a value :class:`Outcome` rejects.
    TypeError
        If ``spec`` is not a string.

    Examples
    --------
    >>> mood = parse_outcome_spec("mood:0-10:higher:mcid=1.5:question=How was your "
    ...                           "mood today?:low=very low:high=very good")
    >>> mood.name, mood.low, mood.high, mood.direction, mood.mcid
    ('mood', 0.0, 10.0, 'higher', 1.5)
    >>> mood.question, mood.low_label, mood.high_label
    ('How was your mood today?', 'very low', 'very good')
    >>> parse_outcome_spec("pain:mcid=2").mcid      # a default outcome, MCID changed
    2.0
    >>> parse_outcome_spec("fatigue")
    Traceback (most recent call last):
    ...
    ValueError: outcome 'fatigue': say which direction is better, e.g. 'fatigue:lower' ...
    >>> parse_outcome_spec(outcome_spec(mood)) == mood
    True
    """
    if not isinstance(spec, str):
        raise TypeError(f"an outcome specification must be text, got {type(spec).__name__}")
    text = spec.strip()
    head, *keyed = _KEY_SPLIT.split(text)
    parts = [p.strip() for p in head.split(":")]
    for i, item in enumerate(keyed):   # a number's value ends at a colon; text keeps colons
        key, _, value = item.partition("=")
        if key.strip().lower() == "mcid" and ":" in value:
            value, *rest = value.split(":")
            keyed[i] = f"{key}={value}"
            parts += [r.strip() for r in rest]
    name = parts[0].lower()
    if not _NAME.match(name):
        raise ValueError(f"outcome {spec!r}: the name must be lower-case letters, digits and "
                         f"underscores, starting with a letter, got {parts[0]!r}")
    fields: dict[str, Any] = {}
    for part in parts[1:]:
        low_part = part.lower()
        scale = _SCALE.match(part)
        if low_part in ("lower", "higher"):
            if "higher_is_better" in fields:
                raise ValueError(f"outcome {spec!r}: the direction is given twice")
            fields["higher_is_better"] = low_part == "higher"
        elif scale:
            if "low" in fields:
                raise ValueError(f"outcome {spec!r}: the scale is given twice")
            fields["low"] = _number(scale.group(1), "the scale's low end", spec)
            fields["high"] = _number(scale.group(2), "the scale's high end", spec)
        else:
            raise ValueError(f"outcome {spec!r}: cannot read {part!r}; expected a scale such "
                             f"as 0-10, 'lower' or 'higher', or one of "
                             f"{', '.join(k + '=' for k in _KEYS)}")
    given: set[str] = set()
    for item in keyed:
        key, _, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key in given:
            raise ValueError(f"outcome {spec!r}: {key}= is given twice")
        given.add(key)
        if key == "mcid":
            fields["mcid"] = _number(value, "mcid", spec)
        elif key == "source":
            fields["mcid_source"] = value
        elif key == "question":
            fields["question"] = value
        else:  # low / high anchors
            fields[f"{key}_label"] = value
    if name in DEFAULT_OUTCOMES:
        return dataclasses.replace(DEFAULT_OUTCOMES[name], **fields)
    if "higher_is_better" not in fields:
        raise ValueError(f"outcome {spec!r}: say which direction is better, e.g. "
                         f"'{name}:lower' or '{name}:higher'")
    low, high = fields.setdefault("low", 0.0), fields.setdefault("high", 10.0)
    if "mcid" not in fields:
        if (low, high) != (0.0, 10.0):
            raise ValueError(f"outcome {spec!r}: on a {low:g}-{high:g} scale give the "
                             f"minimal clinically important difference, e.g. mcid=...")
        fields["mcid"] = 1.0
        fields.setdefault("mcid_source", CONVENTION_SOURCE)
    fields.setdefault("mcid_source", "given when the trial was designed")
    if not fields.get("question"):
        anchors = [f"{v:g} = {fields[k]}" for v, k in ((low, "low_label"), (high, "high_label"))
                   if fields.get(k)]
        fields["question"] = (f"{name.replace('_', ' ').capitalize()} today "
                              f"({', '.join(anchors) or f'{low:g} to {high:g}'})")
    return Outcome(name=name, **fields)


def _fmt(value: float) -> str:
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def outcome_spec(outcome: Outcome) -> str:
    """The one-line specification of an outcome (read back by :func:`parse_outcome_spec`).

    Parameters
    ----------
    outcome : Outcome

    Returns
    -------
    str

    Examples
    --------
    >>> print(outcome_spec(DEFAULT_OUTCOMES["sleep"])[:60])
    sleep:0-10:higher:mcid=1:question=Quality of last night's sl
    """
    if not isinstance(outcome, Outcome):
        raise TypeError("`outcome` must be a nof1 Outcome")
    parts = [outcome.name, f"{_fmt(outcome.low)}-{_fmt(outcome.high)}", outcome.direction,
             f"mcid={_fmt(outcome.mcid)}", f"question={outcome.question}"]
    parts += [f"{k}={v}" for k, v in (("low", outcome.low_label), ("high", outcome.high_label),
                                      ("source", outcome.mcid_source))]
    return ":".join(parts)


def read_outcomes_file(path: Any) -> list[Outcome]:
    """Outcomes from a small text file: one :func:`parse_outcome_spec` line per outcome.

    Blank lines and lines starting with ``#`` are skipped.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    list of Outcome

    Raises
    ------
    ValueError
        A line cannot be read (the message names the file and line), the file
        defines no outcome, or a name appears twice.
    OSError
        The file cannot be read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "outcomes.txt"
    ...     _ = path.write_text("# my outcomes\\npain\\nmood:higher:mcid=1.5\\n")
    ...     [(o.name, o.direction, o.mcid) for o in read_outcomes_file(path)]
    [('pain', 'lower', 1.0), ('mood', 'higher', 1.5)]
    """
    from pathlib import Path

    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"outcomes file {path} is not UTF-8 text") from None
    out: list[Outcome] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            outcome = parse_outcome_spec(line)
        except ValueError as exc:
            raise ValueError(f"{path}, line {number}: {exc}") from None
        if any(o.name == outcome.name for o in out):
            raise ValueError(f"{path}, line {number}: outcome {outcome.name!r} is defined twice")
        out.append(outcome)
    if not out:
        raise ValueError(f"outcomes file {path} defines no outcome")
    return out
