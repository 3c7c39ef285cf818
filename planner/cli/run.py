"""
What ``dose``, ``convert`` and ``scale`` do once their arguments are read, and how every command
prints and fails.

Both readers of the command line call these functions: the typer app
(:mod:`planner.cli.commands`) and the quick reader (:mod:`planner.cli.quick`), so the two give
the same output and exit status by construction. Nothing here imports typer, so that the quick
reader does not load it; :func:`echo` hands over to typer's own ``echo`` whenever writing the
text as it is could differ from what that would write.

Each command function returns the exit status: 0 success (warnings allowed); 1 computed, but an
error-level finding was raised; 2 invalid input, after one line on stderr.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from planner.errors import PlannerError

# Library errors name the parameter they concern; the CLI names the option a user typed.
_OPTIONS = {
    "weight": "--weight",
    "concentration": "--concentration",
    "dose_volume": "--dose-volume",
    "compound": "--compound",
    "species": "--species",
    "route": "--route",
}


def one_line(text: str) -> str:
    """
    ``text`` as one printable line: runs of white space become one space, and any other
    character a terminal would not show (NUL, escapes, bidi controls) is written as its escape.
    """
    text = " ".join(text.split())
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _plain(stream: Any) -> bool:
    """
    Whether typer's (click's) ``echo`` would write to ``stream`` exactly what it is given: a
    text stream it uses as it is (not ASCII, which click replaces with UTF-8; not the Windows
    console, which it wraps).
    """
    if os.name == "nt":
        return False
    if type(stream) is io.StringIO:
        return True
    if not isinstance(stream, io.TextIOWrapper):
        return False
    import codecs

    try:
        return codecs.lookup(stream.encoding).name != "ascii"
    except LookupError:
        return True


def echo(text: str, *, err: bool = False) -> None:
    """
    Print ``text`` and a newline to stdout (or stderr), then flush: what ``typer.echo`` does.

    Written directly when that gives the same bytes, which is the usual case; otherwise (text
    with an ANSI escape, which click strips when the stream is not a terminal, or a stream click
    would wrap) typer's ``echo`` writes it.
    """
    stream = sys.stderr if err else sys.stdout
    if "\x1b" in text or not _plain(stream):
        import typer

        typer.echo(text, err=err)
        return
    stream.write(text + "\n")
    stream.flush()


def emit(data: Any) -> None:
    """Print ``data`` as indented JSON."""
    echo(json.dumps(data, indent=2, ensure_ascii=False))


def fail(error: PlannerError) -> int:
    """Print ``error`` as one 'planner: error:' line naming the option; return exit status 2."""
    where = error.where
    if where in _OPTIONS:
        error.where = _OPTIONS[where]
    echo(f"planner: error: {one_line(str(error))}", err=True)
    return 2


def exit_for(findings: Sequence[Any]) -> int:
    """The exit status for a computed answer: 1 if a finding is an error, else 0."""
    return 1 if any(f.level.value == "error" for f in findings) else 0


def reference(limits: str | None) -> Any:
    """The reference data, with the lab's limit profile applied when --limits is given."""
    from planner.knowledge.loading import load_limit_profile, load_reference

    loaded = load_reference()
    if limits is None:
        return loaded
    if not limits.strip():
        from planner.errors import InputError

        raise InputError(got=limits, expected="the path of a limit profile file", where="--limits")
    return load_limit_profile(limits, loaded)


def dose(
    dose: str,
    *,
    weight: str,
    concentration: str | None,
    dose_volume: str | None,
    compound: str | None,
    species: str,
    route: str,
    limits: str | None,
    as_json: bool,
) -> int:
    """``planner dose``: compute one animal's dose and print it; return the exit status."""
    from planner import api

    try:
        data = reference(limits)
        result = api.dose(
            dose,
            weight=weight,
            concentration=concentration,
            dose_volume=dose_volume,
            compound=compound,
            species=species,
            route=route,
            reference=data,
        )
    except PlannerError as error:
        return fail(error)
    from planner.documents import dose_report as report

    if as_json:
        emit(report.dose_json(result))
    else:
        echo(report.dose_text(result, data))
    return exit_for(result.findings)


def convert(
    quantity: str,
    *,
    to: str,
    compound: str | None,
    species: str | None,
    to_form: str | None,
    as_json: bool,
) -> int:
    """``planner convert``: convert a quantity and print it; return the exit status."""
    from planner import api
    from planner.documents import dose_report as report

    try:
        result = api.convert(quantity, to=to, compound=compound, species=species, to_form=to_form)
    except PlannerError as error:
        return fail(error)
    if as_json:
        emit(report.conversion_json(result))
    else:
        echo(report.conversion_text(result))
    return 0


def scale(dose: str, *, source: str, target: str, as_json: bool) -> int:
    """``planner scale``: scale a dose between species and print it; return the exit status."""
    from planner import api
    from planner.documents import dose_report as report

    try:
        result = api.scale(dose, source=source, target=target)
    except PlannerError as error:
        return fail(error)
    if as_json:
        emit(report.scaling_json(result))
    else:
        echo(report.scaling_text(result))
    return 0
