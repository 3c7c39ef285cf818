"""
What every command of the typer app shares: the app and its settings, the options several
commands take (--json, --weights, --limits), and how a command fails or sets its exit status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer

from planner.cli import run
from planner.errors import PlannerError

__all__ = ["JsonOption", "LimitsOption", "WeightsOption", "app"]

_SETTINGS: dict[str, Any] = dict(
    name="planner",
    help="Plan in-vivo pharmacology experiments: unit-safe doses, conversions and species scaling.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app = typer.Typer(**_SETTINGS)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        metavar="CSV",
        help="Body weights: columns animal, weight (e.g. '27.1 g'), optional day, cage, sex. "
        "Without it, animals are numbered and weights are left blank (see README).",
        show_default=False,
    ),
]

LimitsOption = Annotated[
    str | None,
    typer.Option(
        "--limits",
        metavar="FILE",
        help="Your lab's injection-volume limits (TOML: a [citation] and [[limit]] records, as "
        "in seeds/diehl2001-volumes.toml). Each replaces the shipped limit for its species and "
        "route; the rest stay Diehl et al. 2001.",
        show_default=False,
    ),
]


_reference = run.reference


def _fail(error: PlannerError) -> NoReturn:
    raise typer.Exit(code=run.fail(error))


_emit = run.emit


def _exit(code: int) -> None:
    if code:
        raise typer.Exit(code=code)


def _exit_for(findings: Sequence[Any]) -> None:
    _exit(run.exit_for(findings))


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
