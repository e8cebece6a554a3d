"""The ``nof1`` command line: a thin shell over the public functions.

Subcommands::

    nof1 design DIR [options]   write a new trial folder and print a design summary
    nof1 verify DIR             check helper/key.json against the participant's commitment
    nof1 groups DIR             (helper) write a group key: which packs match, not what they hold
    nof1 analyze DIR            unblind, analyse the diary, print a table, write a report
    nof1 demo DIR               the whole pipeline on a simulated diary
    nof1 power [options]        simulated power of a paired design (planning)
    nof1 series collect|analyze a series of personal trials: collect, analyse, pool

Exit codes: 0 success; 1 the key does not match the commitment (``verify``);
2 any other expected error (bad option or date, existing folder, unreadable
file). Expected errors print exactly one line, ``nof1: error: ...``, on
stderr and no traceback; nothing is left half-written.

To add a subcommand, write a module with ``_add_<name>_parser(subparsers)`` and
``_cmd_<name>(args) -> int`` and list the pair in ``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..exceptions import KeyMismatchError, Nof1Error
from ._common import EXIT_ERROR, EXIT_MISMATCH, _Parser, _UsageError
from .analyze import _add_analyze_parser, _add_demo_parser, _cmd_analyze, _cmd_demo
from .design import _add_design_parser, _cmd_design, _next_monday, _outcome
from .power import _add_power_parser, _cmd_power
from .series import _add_series_parser, _cmd_series
from .verify import _add_groups_parser, _add_verify_parser, _cmd_groups, _cmd_verify

__all__ = ["main", "run", "_next_monday", "_outcome"]


_COMMANDS: dict[str, tuple[Callable[[Any], None], Callable[[argparse.Namespace], int]]] = {
    "design": (_add_design_parser, _cmd_design),
    "verify": (_add_verify_parser, _cmd_verify),
    "groups": (_add_groups_parser, _cmd_groups),
    "analyze": (_add_analyze_parser, _cmd_analyze),
    "demo": (_add_demo_parser, _cmd_demo),
    "power": (_add_power_parser, _cmd_power),
    "series": (_add_series_parser, _cmd_series),
}


def _parser() -> _Parser:
    from .. import __version__

    parser = _Parser(prog="nof1", description="Personal (N-of-1) trials. A research and "
                                              "self-tracking tool, not medical advice.")
    parser.add_argument("--version", action="version", version=f"nof1 {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add, _ in _COMMANDS.values():
        add(sub)
    return parser


#: parameter names in library messages -> the option a command-line user typed
_FLAGS = {"n_pairs": "--pairs", "n_periods": "--periods", "max_run": "--max-run",
          "phases": "--phases", "n_occasions": "--days", "min_phase": "--min-phase",
          "period_days": "--period-days", "washout_days": "--washout-days",
          "run_in_days": "--run-in-days", "start": "--start", "treatments": "--treatments",
          "outcomes": "--outcomes", "primary": "--primary", "rng": "--seed"}


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, Nof1Error) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror}:{where}" if where else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    for name, flag in _FLAGS.items():
        text = text.replace(f"`{name}`", flag)
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after the program name.

    Returns
    -------
    int
        0 on success, 1 when ``verify`` finds a key that does not match its
        commitment, 2 for any other expected error (one line on stderr).

    Examples
    --------
    >>> main(["--version"])
    nof1 ...
    0
    """
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command][1](args)
    except KeyMismatchError as exc:
        print(f"nof1: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_MISMATCH
    except (_UsageError, Nof1Error, ValueError, OSError) as exc:
        print(f"nof1: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("nof1: error: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point: ``sys.exit(main())``."""
    sys.exit(main())

