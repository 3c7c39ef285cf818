"""
The quick reader: runs ``planner dose``, ``convert`` and ``scale`` without importing typer, when
their arguments are ones the typer app would accept without a word.

Importing typer and building its click command cost about half of what ``planner dose`` added
to a bare pint start-up (benchmarks/startup.py), and a command run at the bench or in a loop
needs neither once its arguments are plain. This module reads such an argument vector exactly
as click's parser does (options in any order, ``--opt=value``, ``-wVALUE``, the last of a
repeated option winning, everything after ``--`` positional) and calls the same function in
:mod:`planner.cli.run` that the typer command calls. Anything else (``--help``, an unknown or
incomplete option, a missing or extra argument, shell completion) returns None, and the typer
app reads the vector instead, with its help and its error messages; so the output, the error
lines and the exit status are the typer app's in every case. tests/test_cli_quick.py checks
that byte for byte over many vectors, and that the tables below match the typer app's options.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from planner.cli import run


class Command:
    """What the quick reader knows of a command: the same as its typer definition."""

    # A plain class: a NamedTuple or a dataclass would cost more start-up than it saves.
    __slots__ = ("argument", "defaults", "flags", "function", "options", "required")

    def __init__(
        self,
        function: Callable[..., int],
        argument: str,
        options: dict[str, str],
        flags: dict[str, str],
        required: tuple[str, ...],
        defaults: dict[str, Any],
    ) -> None:
        self.function = function
        """The function in planner.cli.run that the typer command calls."""
        self.argument = argument
        """The parameter that receives the one positional argument."""
        self.options = options
        """Every spelling of every option that takes a value -> its parameter."""
        self.flags = flags
        """Every spelling of every flag (an option without a value) -> its parameter."""
        self.required = required
        """The parameters of required options."""
        self.defaults = defaults
        """The parameters of the other options -> their default."""


COMMANDS: dict[str, Command] = {
    "dose": Command(
        run.dose,
        "dose",
        {
            "--weight": "weight",
            "-w": "weight",
            "--concentration": "concentration",
            "-c": "concentration",
            "--dose-volume": "dose_volume",
            "-v": "dose_volume",
            "--compound": "compound",
            "--species": "species",
            "--route": "route",
            "--limits": "limits",
        },
        {"--json": "as_json"},
        ("weight",),
        {
            "concentration": None,
            "dose_volume": None,
            "compound": None,
            "species": "mouse",
            "route": "ip",
            "limits": None,
            "as_json": False,
        },
    ),
    "convert": Command(
        run.convert,
        "quantity",
        {"--to": "to", "--compound": "compound", "--species": "species", "--to-form": "to_form"},
        {"--json": "as_json"},
        ("to",),
        {"compound": None, "species": None, "to_form": None, "as_json": False},
    ),
    "scale": Command(
        run.scale,
        "dose",
        {"--from": "source", "--to": "target"},
        {"--json": "as_json"},
        ("source", "target"),
        {"as_json": False},
    ),
}


def parse(command: Command, args: Sequence[str]) -> dict[str, Any] | None:
    """
    The keyword arguments ``args`` (what follows the command's name) give the command, read as
    click reads them; None if click would print help or an error, or if in doubt.
    """
    values: dict[str, Any] = {}
    positional: list[str] = []
    rest = list(args)
    rest.reverse()  # popped from the end: the next argument is rest[-1]
    while rest:
        arg = rest.pop()
        if arg == "--":
            positional.extend(reversed(rest))
            break
        if arg[:1] != "-" or len(arg) == 1:
            positional.append(arg)
            continue
        if arg[:2] == "--":
            name, equals, value = arg.partition("=")
            if name in command.flags and not equals:
                values[command.flags[name]] = True
                continue
            if name not in command.options:
                return None  # unknown, --help, or a flag given a value: the app says so
            if not equals:
                if not rest:
                    return None  # no value: the app says the option requires an argument
                value = rest.pop()
            values[command.options[name]] = value
            continue
        # A single dash: a short option, whose value is the rest of the word or the next one.
        name = arg[:2]
        if name not in command.options:
            return None
        if len(arg) > 2:
            value = arg[2:]
        elif rest:
            value = rest.pop()
        else:
            return None
        values[command.options[name]] = value
    if len(positional) != 1 or any(name not in values for name in command.required):
        return None
    return {**command.defaults, command.argument: positional[0], **values}


def main(args: Sequence[str]) -> int | None:
    """
    Run ``planner ARGS`` if the quick reader can; return the exit status, or None if the typer
    app must read ``args``.

    Around the command it does what click's main does: Ctrl-C exits 130; a closed stdout (as
    in ``planner dose ... | head -1``) exits 1 quietly.
    """
    if not args or args[0] not in COMMANDS:
        return None
    import os

    if os.environ.get("_PLANNER_COMPLETE"):
        return None  # shell completion is the typer app's
    command = COMMANDS[args[0]]
    kwargs = parse(command, args[1:])
    if kwargs is None:
        return None
    argument = kwargs.pop(command.argument)
    try:
        return command.function(argument, **kwargs)
    except EOFError:  # pragma: no cover - no command reads stdin; as click does
        run.echo("", err=True)
        run.echo("planner: aborted", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        import errno

        if error.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        sys.exit(1)
