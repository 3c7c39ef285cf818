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
    from planner.cli import quick

    code = quick.main(args)
    if code is None:
        from planner.cli import commands

        commands.main(args)
    sys.exit(code)


def __getattr__(name: str) -> Any:
    if name in _FROM_COMMANDS:
        from planner.cli import commands

        return getattr(commands, name)
    if name in _FROM_PLAN:
        from planner.cli import plan

        return getattr(plan, name)
    raise AttributeError(f"module 'planner.cli' has no attribute {name!r}")
