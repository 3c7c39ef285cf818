"""
The typer app: every command of ``planner``, with its options, its help and its usage errors.
The app and the options commands share are in :mod:`planner.cli.shared`; ``plan``, the largest
command, is in :mod:`planner.cli.plan`.

Exit status: 0 success (warnings allowed); 1 computed, but an error-level finding was raised;
2 invalid input, with one line on stderr that names the option, what it got and what it expected.

``dose``, ``convert`` and ``scale`` call the functions in :mod:`planner.cli.run`, which the quick
reader (:mod:`planner.cli.quick`) calls too when it can read the arguments without this app.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer

from planner.cli import plan as plan_command
from planner.cli import run
from planner.cli.run import one_line
from planner.cli.shared import (
    _SETTINGS,
    JsonOption,
    LimitsOption,
    WeightsOption,
    _emit,
    _exit,
    _exit_for,
    _fail,
    _is_terminal,
    _reference,
    app,
)
from planner.errors import PlannerError


@app.command()
def dose(
    dose: Annotated[
        str,
        typer.Argument(
            metavar="DOSE",
            help="Dose per body mass ('25 mg/kg', '25 mcg/g', '40 umol/kg'), per body surface ('75 mg/m2') or per animal ('10 mcg').",
            show_default=False,
        ),
    ],
    weight: Annotated[
        str,
        typer.Option(
            "--weight",
            "-w",
            metavar="MASS",
            help="Body weight with its unit, e.g. '27 g'.",
            show_default=False,
        ),
    ],
    concentration: Annotated[
        str | None,
        typer.Option(
            "--concentration",
            "-c",
            metavar="CONC",
            help="Concentration of the solution you have, e.g. '2.5 mg/mL' or '5 mM'.",
            show_default=False,
        ),
    ] = None,
    dose_volume: Annotated[
        str | None,
        typer.Option(
            "--dose-volume",
            "-v",
            metavar="VOLUME",
            help="Dose volume per body mass ('10 mL/kg', '10 uL/g') or per animal ('10 uL'); the concentration is derived.",
            show_default=False,
        ),
    ] = None,
    compound: Annotated[
        str | None,
        typer.Option(
            "--compound",
            metavar="NAME",
            help="Compound (or salt form), e.g. temsirolimus, CCI-779, 'morphine sulfate pentahydrate'.",
            show_default=False,
        ),
    ] = None,
    species: Annotated[
        str, typer.Option("--species", metavar="NAME", help="Species, e.g. mouse, rat.")
    ] = "mouse",
    route: Annotated[
        str,
        typer.Option(
            "--route", metavar="ROUTE", help="Route: ip, sc, iv, po, im, it (or spelled out)."
        ),
    ] = "ip",
    limits: LimitsOption = None,
    as_json: JsonOption = False,
) -> None:
    """
    Compute one animal's dose: amount, concentration and injection volume, with safety checks.

    Give --concentration (the solution you have) or --dose-volume (the volume you want to
    inject); not both. Exit 0 clean or with warnings, 1 if a check found an error (e.g. a volume
    above the route's maximum), 2 for invalid input.
    """
    _exit(
        run.dose(
            dose,
            weight=weight,
            concentration=concentration,
            dose_volume=dose_volume,
            compound=compound,
            species=species,
            route=route,
            limits=limits,
            as_json=as_json,
        )
    )


@app.command()
def convert(
    quantity: Annotated[
        str,
        typer.Argument(
            metavar="QUANTITY",
            help="Quantity to convert, e.g. '25 mg/kg', '2.5 mg/mL', '10 mg'.",
            show_default=False,
        ),
    ],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="UNIT",
            help="Unit to convert to, e.g. 'umol/kg', 'mg/m2', 'mM', 'mcg/g'.",
            show_default=False,
        ),
    ],
    compound: Annotated[
        str | None,
        typer.Option(
            "--compound",
            metavar="NAME",
            help="Compound or salt form the quantity is stated as (for molar conversions and --to-form).",
            show_default=False,
        ),
    ] = None,
    species: Annotated[
        str | None,
        typer.Option(
            "--species",
            metavar="NAME",
            help="Species (for mg/kg <-> mg/m2 through its Km).",
            show_default=False,
        ),
    ] = None,
    to_form: Annotated[
        str | None,
        typer.Option(
            "--to-form",
            metavar="FORM",
            help="Express the result as another form of the compound, e.g. 'morphine sulfate pentahydrate'.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """
    Convert a dose, amount or concentration: between units, mass and moles (--compound), per
    body mass and per body surface area (--species), and free base and salt (--to-form).
    """
    _exit(
        run.convert(
            quantity, to=to, compound=compound, species=species, to_form=to_form, as_json=as_json
        )
    )


@app.command()
def scale(
    dose: Annotated[
        str,
        typer.Argument(
            metavar="DOSE",
            help="Dose per body mass ('25 mg/kg') or per body surface area ('75 mg/m2').",
            show_default=False,
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="SPECIES",
            help="Species the dose is for, e.g. mouse.",
            show_default=False,
        ),
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to", metavar="SPECIES", help="Species to scale to, e.g. human.", show_default=False
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """
    Scale a dose between species by body surface area (FDA 2005): dose x Km(from) / Km(to).
    """
    _exit(run.scale(dose, source=source, target=target, as_json=as_json))


@app.command()
def regimens(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list instead of text.")
    ] = False,
) -> None:
    """
    List every documented regimen: compound, dose, route, schedule, species, and whether the
    source states each of them (status 'stated') or some are assumed.
    """
    from planner.documents import knowledge_report
    from planner.knowledge import catalog as knowledge

    try:
        result = knowledge.regimens()
    except PlannerError as error:
        _fail(error)
    if as_json:
        _emit(knowledge_report.regimens_json(result))
    else:
        typer.echo(knowledge_report.regimens_text(result))


@app.command()
def show(
    item: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A protocol id (e.g. obara2011-cci779-acute), a regimen id (see 'planner regimens') or a protocol file.",
            show_default=False,
        ),
    ],
) -> None:
    """
    Show a protocol or a regimen with the source of every value; values the source does not
    state are marked "ASSUMED - verify" with the reason.
    """
    from planner.documents import knowledge_report
    from planner.knowledge import catalog as knowledge

    try:
        result = knowledge.lookup(item)
    except PlannerError as error:
        _fail(error)
    typer.echo(knowledge_report.show_text(result))


@app.command()
def check(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A protocol file (or the id of a shipped protocol).",
            show_default=False,
        ),
    ],
    weights: WeightsOption = None,
    limits: LimitsOption = None,
    as_json: JsonOption = False,
) -> None:
    """
    Validate a protocol file and run every check of its plan without rendering it: each
    treatment's dose and volume, the dose and schedule against the documented regimen,
    solubility, co-solvents, injection sites and daily volume, blinding, and with --weights
    each animal's weights and volumes. Run it before every dosing day.

    On a terminal the findings print as a table; piped, one finding a line. Exit 0 clean or
    with warnings, 1 if a check found an error (e.g. a dose that differs from the regimen's), 2
    if the file is invalid.
    """
    from planner import api
    from planner.documents import knowledge_report

    try:
        result = api.check_protocol(file, _reference(limits), weights=weights)
    except PlannerError as error:
        _fail(error)
    if as_json:
        _emit(knowledge_report.check_json(result))
    elif _is_terminal(sys.stdout):
        from rich.console import Console

        _print_check_table(result, Console(highlight=False))
    else:
        typer.echo(knowledge_report.check_text(result))
    _exit_for(result.findings)


def _print_check_table(result: Any, console: Any) -> None:
    """
    Print the answer to ``planner check`` on a terminal: the head and verdict lines of
    knowledge_report.check_text, with the findings as a table (level, code, subject, finding,
    source) that wraps to the terminal's width. ``console`` is a rich Console.
    """
    from rich.table import Table
    from rich.text import Text

    from planner.documents import knowledge_report

    for line in knowledge_report.check_head(result):
        console.print(Text(line))
    if result.findings:
        table = Table(expand=True)
        table.add_column("Level", no_wrap=True)
        table.add_column("Code", overflow="fold")
        table.add_column("Subject", overflow="fold", ratio=2)
        table.add_column("Finding", overflow="fold", ratio=5)
        table.add_column("Source", overflow="fold", ratio=3)
        styles = {"error": "bold red", "warning": "yellow"}
        for finding in result.findings:
            level = finding.level.value
            table.add_row(
                Text(level.upper(), style=styles.get(level, "")),
                Text(finding.code),
                Text(finding.subject),
                Text(finding.message),
                Text(finding.source),
            )
        console.print(table)
    console.print(Text(knowledge_report.check_verdict(result)))


@app.command()
def new(
    new_id: Annotated[
        str,
        typer.Argument(
            metavar="NEW_ID",
            help="Id of the new protocol; the file written is NEW_ID.toml.",
            show_default=False,
        ),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--from",
            metavar="ID",
            help="Protocol (or protocol file) to copy, or documented regimen to build from.",
            show_default=False,
        ),
    ],
    out: Annotated[
        str | None,  # a str, checked by planner: typer's Path conversion raises on a NUL
        typer.Option(
            "--out",
            metavar="DIR",
            help="Folder to write to (default: the current folder).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """
    Start a protocol to edit: write NEW_ID.toml, copied from a protocol or built from a
    documented regimen, with every value the source does not state marked assumed. Never
    overwrites a file.
    """
    from planner import api
    from planner.documents import knowledge_report

    try:
        result = api.new_protocol(new_id, source, out)
    except PlannerError as error:
        _fail(error)
    typer.echo(knowledge_report.new_text(result))


# Registered last, so that 'planner --help' lists it after the others, as before the split.
app.command(name="plan")(plan_command.plan)


def _app_for(args: Sequence[str]) -> typer.Typer:
    """
    Return an app with only the command that ``args`` name, or the whole app.

    Building the click command for every subcommand costs a few milliseconds of every start-up
    (benchmarks/startup.py); the command that runs is the only one a run needs. Help, completion
    and unknown commands get the whole app.
    """
    registered = {
        info.name or info.callback.__name__.replace("_", "-"): info
        for info in app.registered_commands
        if info.callback
    }
    if not args or args[0] not in registered:
        return app
    single = typer.Typer(**_SETTINGS)
    single.callback()(_group)
    single.registered_commands.append(registered[args[0]])
    return single


def _group() -> None:
    """Plan in-vivo pharmacology experiments."""


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """
    Run the CLI through the typer app; usage errors (a missing option, an unknown flag) become
    one line on stderr. :func:`planner.cli.main` calls it when the quick reader cannot read the
    arguments.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(_app_for(args))
    try:
        code = command.main(args=args or ["--help"], prog_name="planner", standalone_mode=False)
    except typer.TyperException as error:
        message = one_line(error.format_message())
        typer.echo(f"planner: error: {message} (see 'planner --help')", err=True)
        sys.exit(getattr(error, "exit_code", 2))
    except typer.Abort:
        typer.echo("planner: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
