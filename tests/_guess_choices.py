"""The diary pages offer the treatments, alphabetically, as the end-of-period guess.

Leak tests remove exactly that list (after checking it is there and alphabetical) before
looking for treatment names: anywhere else a treatment name would be a leak.
"""

from __future__ import annotations

import json
from pathlib import Path

GUESS_PAGES = ("diary.html", "paper-diary.html")


def without_guess_choices(folder: Path, name: str, text: str) -> str:
    """``text`` of participant file ``name`` without its list of guess choices."""
    if name not in GUESS_PAGES:
        return text
    names = json.loads((folder / "participant" / "protocol.json").read_bytes())["treatments"]
    assert names == sorted(names)
    if name == "diary.html":
        choices = '"guesses":' + json.dumps([*names, "don't know"], separators=(",", ":"))
    else:
        choices = "".join(f'<span class="box"></span>{t}' for t in names)
    assert choices in text, name
    return text.replace(choices, "")
