"""The ``nof1`` command line: a thin shell over the public functions.

Subcommands::

    nof1 design DIR [options]   write a new trial folder and print a design summary
    nof1 verify DIR             check helper/key.json against the participant's commitment
    nof1 groups DIR             (helper) write a group key: which packs match, not what they hold
    nof1 analyze DIR            unblind, analyse the diary, print a table, write a report
    nof1 demo DIR               the whole pipeline on a simulated diary
    nof1 power [options]        simulated power of a paired design (planning)
    nof1 status DIR             where the trial stands today (participant files only)
    nof1 series collect|analyze a series of personal trials: collect, analyse, pool

Exit codes (:data:`EXIT_CODES`, also shown by ``nof1 --help``): 0 success;
1 the helper's key does not match its commitment; 2 usage error or bad input;
3 the plan or a printed copy of the commitment disagrees with the commitment;
4 the trial is not finished; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).
Expected errors print exactly one line, ``nof1: error: ...``, on stderr and no
traceback; nothing is left half-written. The console script starts in
``_nof1_entry``, which handles signals before the package is imported.

To add a subcommand, write a module with ``_add_<name>_parser(subparsers)`` and
``_cmd_<name>(args) -> int`` and list the pair in ``_COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .._constants import DISCLAIMER
from ..exceptions import Nof1Error
from ._common import EXIT_CODES, EXIT_ERROR, EXIT_INTERRUPTED, _Parser, _UsageError
from ._help import WORKFLOW
from .analyze import _add_analyze_parser, _add_demo_parser, _cmd_analyze, _cmd_demo
from .design import _add_design_parser, _cmd_design, _next_monday, _outcome
from .power import _add_power_parser, _cmd_power
from .series import _add_series_parser, _cmd_series
from .status import _add_status_parser, _cmd_status
from .verify import _add_groups_parser, _add_verify_parser, _cmd_groups, _cmd_verify

__all__ = ["main", "run", "EXIT_CODES", "_next_monday", "_outcome"]


_COMMANDS: dict[str, tuple[Callable[[Any], None], Callable[[argparse.Namespace], int]]] = {
    "design": (_add_design_parser, _cmd_design),
    "verify": (_add_verify_parser, _cmd_verify),
    "groups": (_add_groups_parser, _cmd_groups),
    "analyze": (_add_analyze_parser, _cmd_analyze),
    "demo": (_add_demo_parser, _cmd_demo),
    "power": (_add_power_parser, _cmd_power),
    "status": (_add_status_parser, _cmd_status),
    "series": (_add_series_parser, _cmd_series),
}


def _parser() -> _Parser:
    from .. import __version__

    epilog = "exit codes:\n" + "\n".join(f"  {code:<4} {what}"
                                          for code, what in EXIT_CODES.items())
    parser = _Parser(prog="nof1", description=f"Personal (N-of-1) trials. {DISCLAIMER}",
                     epilog=WORKFLOW + "\n\n" + epilog,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
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


#: the longest error line printed (a message quoting a huge input is cut)
_MAX_LINE = 400


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, Nof1Error) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror}:{where}" if where else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    for name, flag in _FLAGS.items():
        text = text.replace(f"`{name}`", flag)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_LINE else text[:_MAX_LINE] + " ..."


def _error(exc: BaseException, code: int) -> int:
    print(f"nof1: error: {_one_line(exc)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after the program name.

    Returns
    -------
    int
        An exit code of :data:`EXIT_CODES`: 0 on success, 1 a key that does not
        match its commitment, 2 a usage error or bad input, 3 a plan or printed
        commitment that disagrees, 4 a trial not finished, 130 interrupted; every
        error is one line on stderr.

    Examples
    --------
    >>> main(["--version"])
    nof1 ...
    0
    """
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command][1](args)
    except Nof1Error as exc:  # each class carries its exit code (nof1.exceptions)
        return _error(exc, int(getattr(exc, "exit_code", EXIT_ERROR)))
    except (_UsageError, ValueError, OSError) as exc:
        return _error(exc, EXIT_ERROR)
    except OverflowError as exc:  # a date near year 1 or 9999 in an edited file
        return _error(ValueError(f"a number or date in the input is out of range ({exc})"),
                      EXIT_ERROR)
    except RecursionError:  # json: a file nested thousands of levels deep
        return _error(ValueError("an input file is nested too deeply to be a nof1 file"),
                      EXIT_ERROR)
    except EOFError:  # a question on standard input, and nobody to answer it
        return _error(ValueError("standard input closed before an answer was given"),
                      EXIT_ERROR)
    except MemoryError:
        return _error(ValueError("an input file is too large to read"), EXIT_ERROR)
    except SystemExit as exc:  # --help, --version, and SIGTERM (see _nof1_entry)
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("nof1: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def run() -> None:
    """Entry point of ``python -m nof1.cli``: signal handling as in the console script."""
    try:
        from _nof1_entry import run as launch
    except ImportError:  # the package without its console-script module
        sys.exit(main())
    launch()

