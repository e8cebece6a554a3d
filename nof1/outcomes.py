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

__all__ = ["Outcome", "DEFAULT_OUTCOMES", "default_outcomes", "outcome_from_dict"]

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
        higher_is_better=False, mcid=1.0,
        mcid_source=("Salaffi et al. 2004, Eur J Pain 8:283 (1 point / 15%); "
                     "Farrar et al. 2001, Pain 94:149 (2 points / 30% = much improved)"),
    ),
    "stress": Outcome(
        name="stress",
        question="Overall stress today (0 = no stress, 10 = worst stress imaginable)",
        higher_is_better=False, mcid=1.0,
        mcid_source=("No anchor-based MCID published for a stress NRS; 1 point pre-registered "
                     "by convention (cf. half-SD rule, Norman et al. 2003, Med Care 41:582)"),
    ),
    "sleep": Outcome(
        name="sleep",
        question="Quality of last night's sleep (0 = terrible, 10 = excellent)",
        higher_is_better=True, mcid=1.0,
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
