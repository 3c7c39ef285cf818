"""
The command line: a thin layer that parses, calls one library function, prints, and exits.

Exit status: 0 success (warnings allowed); 1 computed, but an error-level finding was raised;
2 invalid input, with one line on stderr that names the option, what it got and what it expected.

- :mod:`planner.cli.commands` is the typer app: every command, its options, help and usage
  errors.
- :mod:`planner.cli.quick` runs ``dose``, ``convert`` and ``scale`` without importing typer when
  their arguments are plain (the typer app would read them without a word), so that the
  commands people run at the bench and in loops start quickly; anything else goes to the app.
- :mod:`planner.cli.run` is what those three commands do once their arguments are read, and how
  every command prints and fails; both readers call it.

The app's names (``app``, ``_print_check_table``, ``_Progress``) are importable from here; they
load typer when first used.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from planner.cli.run import one_line

__all__ = ["main", "one_line"]

_FROM_COMMANDS = frozenset({"app", "_print_check_table", "_is_terminal"})
_FROM_PLAN = frozenset({"_Progress"})


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """
    Run ``planner`` with ``argv`` (default: the command line) and exit with its status.

    The console script's entry point. ``dose``, ``convert`` and ``scale`` with plain arguments
    run without typer (:mod:`planner.cli.quick`); everything else, help and every usage error go
    to the typer app, with the same output.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if sys.stdout is None and _writes_a_file(args):
        # planner plan --out FILE prints only to stderr: a closed stdout does not matter.
        import os

        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as stdout
    if sys.stdout is None:
        # Started with standard output closed (planner ... >&-): nowhere to print the answer.
        if sys.stderr is not None:
            sys.stderr.write(
                "planner: error: standard output is closed: planner prints its answer there "
                "(give 'planner plan' --out FILE to write a file)\n"
            )
        sys.exit(2)
    _write_utf8(sys.stdout)
    from planner.cli import quick

    try:
        code = quick.main(args)
        if code is None:
            from planner.cli import commands

            commands.main(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped reading (planner plan --out - | head): what it read was whole
        # lines, and stopping is its choice, so exit 0 quietly, as shell tools do.
        _discard_stdout()
        code = 0
    except SystemExit as done:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _discard_stdout()
            sys.exit(0)
        raise done from None
    sys.exit(code)


def _writes_a_file(args: Sequence[str]) -> bool:
    """Whether ``args`` are a ``plan`` that writes a file (its default, or --out other than -)."""
    if not args or args[0] != "plan":
        return False
    out = None
    for number, arg in enumerate(args):
        if arg == "--out" and number + 1 < len(args):
            out = args[number + 1]
        elif arg.startswith("--out="):
            out = arg.removeprefix("--out=")
    return out != "-"


def _write_utf8(stream: Any) -> None:
    """Write UTF-8 whatever the locale says (planner's text has x, mcL, en dashes): an ASCII or
    Latin-1 terminal setting would otherwise end a plan half-written with an encoding error."""
    encoding = getattr(stream, "encoding", None)
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or not encoding or encoding.lower().replace("-", "") == "utf8":
        return
    import contextlib

    with contextlib.suppress(ValueError, OSError):  # written to already, or not reconfigurable
        reconfigure(encoding="utf-8")


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that Python's flush at exit meets no closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def __getattr__(name: str) -> Any:
    if name in _FROM_COMMANDS:
        from planner.cli import commands

        return getattr(commands, name)
    if name in _FROM_PLAN:
        from planner.cli import plan

        return getattr(plan, name)
    raise AttributeError(f"module 'planner.cli' has no attribute {name!r}")
