"""Read and format a trial's JSON files (key, protocol, group key).

One mechanism for every JSON file nof1 reads from a trial folder, so that a missing,
unreadable, non-UTF-8, malformed or absurdly nested file always gets the same kind of
message, naming the file and saying what is wrong; and one layout for every JSON file
it writes there (:func:`json_text`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .exceptions import TrialFileError

__all__ = ["read_json", "json_text"]


def read_json(path: str | os.PathLike[str], what: str, *, hint: str = "") -> Any:
    """The parsed content of the JSON file ``path``.

    Parameters
    ----------
    path : path
        The file.
    what : str
        What the file is, for messages (e.g. ``"key file"``).
    hint : str, optional
        Appended to the message when the file is not valid JSON (what to do).

    Raises
    ------
    TrialFileError
        If the file is missing, unreadable, not UTF-8, not valid JSON (the message gives
        the line and column) or nested too deeply to be a trial file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "key.json"
    ...     _ = path.write_text('{"a": [1, 2}')
    ...     try:
    ...         read_json(path, "key file")
    ...     except TrialFileError as exc:
    ...         print(str(exc).split(": ", 1)[1])
    not valid JSON (line 1, column 12)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TrialFileError(f"{what} not found: {path}") from None
    except UnicodeDecodeError:
        raise TrialFileError(f"{what} {path} is not UTF-8 text") from None
    except OSError as exc:
        raise TrialFileError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TrialFileError(f"{what} {path}: not valid JSON (line {exc.lineno}, column "
                             f"{exc.colno}){hint}") from None
    except RecursionError:
        raise TrialFileError(f"{what} {path}: nested too deeply to be a {what}") from None


def json_text(value: Any) -> str:
    """The text of a trial JSON file: indented, UTF-8 characters kept, a final newline.

    Every JSON file nof1 writes into a trial folder (the key, the group key,
    ``protocol.json``) is laid out by this one function, so that the files read the
    same in an editor and differ only where their content does.

    Parameters
    ----------
    value
        A JSON-serialisable value.

    Returns
    -------
    str

    Examples
    --------
    >>> print(json_text({"product": "Magnesiumcitrat 300 mg", "days": [1, 2]}), end="")
    {
      "product": "Magnesiumcitrat 300 mg",
      "days": [
        1,
        2
      ]
    }
    """
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
