"""Entry point of the ``nof1`` console script: signals are handled before any import.

This module lives outside the ``nof1`` package on purpose: importing anything in
``nof1`` first imports the whole package (numpy, pandas, scipy; a second or
more), and a Ctrl-C during that time would otherwise end in a traceback. Here
the handlers are installed first, with the standard library only:

- SIGINT (Ctrl-C) raises ``KeyboardInterrupt``; the command prints one line,
  ``nof1: interrupted``, and exits with 130;
- SIGTERM raises :class:`Terminated` (a ``SystemExit`` with code 143), so that
  every ``finally`` block runs and no temporary file or folder is left behind;
  the command prints ``nof1: terminated`` and exits with 143.

After the first signal both are ignored, so a second Ctrl-C cannot interrupt
the clean-up of the first.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143
_received: list[str] = []


class Terminated(SystemExit):
    """SIGTERM arrived: unwind (running every clean-up) and exit with code 143."""

    def __init__(self) -> None:
        super().__init__(EXIT_TERMINATED)


def _ignore_further() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


def _on_sigint(signum: int, frame: Any) -> None:
    _ignore_further()
    _received.append("interrupted")
    raise KeyboardInterrupt


def _on_sigterm(signum: int, frame: Any) -> None:
    _ignore_further()
    _received.append("terminated")
    raise Terminated


def install() -> None:
    """Handle SIGINT and SIGTERM as described above (main thread only)."""
    signal.signal(signal.SIGINT, _on_sigint)
    signal.signal(signal.SIGTERM, _on_sigterm)


def _say(word: str, code: int) -> int:
    try:
        print(f"nof1: {word}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed: the exit code still tells
        pass
    return code


def run() -> None:
    """Install the signal handlers, then run ``nof1.cli.main`` and exit with its code."""
    install()
    try:
        try:
            from nof1.cli import main

            code = main()
        finally:  # from here on a late signal cannot raise into the exit path
            _ignore_further()
    except KeyboardInterrupt:
        code = _say("interrupted", EXIT_INTERRUPTED)
    except Terminated:
        code = EXIT_TERMINATED
    if _received == ["terminated"]:
        code = _say("terminated", EXIT_TERMINATED)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
