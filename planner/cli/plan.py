"""
``planner plan``: the plan of a protocol for a cohort, written as html, md, pdf, csv or json, with
a progress bar on the terminal for a plan that takes more than a second.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from planner.cli.run import one_line
from planner.cli.shared import (
    LimitsOption,
    WeightsOption,
    _exit_for,
    _fail,
    _is_terminal,
    _reference,
)
from planner.errors import PlannerError

__all__ = ["plan"]


class _Progress:
    """
    A progress bar on the terminal (stderr) that appears only once a plan has taken longer
    than ``delay`` seconds; rich is imported only then, so quick plans pay nothing for it.
    """

    def __init__(self, *, stream: Any = None, delay: float = 1.0, clock: Any = None) -> None:
        import time

        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.bar: Any = None
        self.task: Any = None
        self.label = ""

    def stage(self, label: str) -> _Progress:
        """Name what is being done next ("Computing doses", "Writing rows")."""
        self.label = label
        if self.bar is not None:
            self.bar.update(self.task, description=label, completed=0)
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if self.clock() - self.started < self.delay or not _is_terminal(self.stream):
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

            console = Console(file=self.stream, force_terminal=True)
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                console=console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        """Remove the bar, if it was shown."""
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def plan(
    protocol: Annotated[
        str,
        typer.Argument(
            metavar="PROTOCOL",
            help="A shipped protocol id (see 'planner regimens' and protocols/) or a protocol file.",
            show_default=False,
        ),
    ],
    weights: WeightsOption = None,
    limits: LimitsOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="html|pdf|md|csv|json",
            help="Document to write: printable html (default) or pdf, md, csv (dose rows, "
            "unrounded), json (the whole plan).",
        ),
    ] = "html",
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            metavar="PATH",
            help="File to write, or '-' for stdout (default: PROTOCOL_ID.FORMAT here).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            metavar="N",
            help="Allocation seed: the same seed gives the same plan. Default: a random seed, "
            "printed so that the plan can be made again.",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help="Calendar date of study day 0 (the protocol's day 0, e.g. surgery), YYYY-MM-DD.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the output file if it exists.")
    ] = False,
    stratify: Annotated[
        list[str] | None,
        typer.Option(
            "--stratify",
            metavar="cage|sex|weight",
            help="Randomise within cages, sexes or weight-matched blocks (repeatable; needs --weights).",
            show_default=False,
        ),
    ] = None,
    block_size: Annotated[
        int | None,
        typer.Option(
            "--block-size",
            metavar="N",
            help="Permuted-block size, a multiple of the number of groups (default: twice the "
            "number of groups when the cohort holds two such blocks).",
            show_default=False,
        ),
    ] = None,
    paper: Annotated[
        str, typer.Option("--paper", metavar="a4|letter", help="Paper size for html and pdf.")
    ] = "a4",
) -> None:
    """
    Write the plan for a protocol: study design and groups, ARRIVE checklist, timeline,
    preparation sheet, blinded dosing sheets per day with a double-check block, the blinding
    key on its own page, findings and assumptions.

    Exit 0 written (warnings allowed), 1 written but a check found an error (the plan says DO
    NOT DOSE), 2 bad input (nothing written; an existing file is never overwritten without
    --force).
    """
    from planner import api
    from planner.documents import formats as documents
    from planner.documents import output

    progress = _Progress()
    try:
        documents.check_format(fmt, paper)
        if out is None:
            from planner.knowledge.loading import protocol_id

            try:
                out = f"{protocol_id(protocol)}.{fmt}"
            except PlannerError as error:
                raise error.located("PROTOCOL") from None
        # The files the plan reads: an output is never one of them, even with --force.
        inputs = [p for p in (protocol, weights, limits) if p]
        if out != "-":
            output.check_writable(out, force=force, inputs=inputs)
        chosen = seed is None
        if seed is None:
            import secrets

            seed = secrets.randbelow(1_000_000)
        result = api.plan(
            protocol,
            weights=weights,
            seed=seed,
            start=start,
            block_size=block_size,
            stratify=stratify or (),
            reference=_reference(limits),
            progress=progress.stage("Computing doses"),
        )
        chunks = documents.render(result, fmt, paper=paper, progress=progress.stage("Writing rows"))
        if out == "-":
            for chunk in chunks:
                if isinstance(chunk, bytes):
                    sys.stdout.buffer.write(chunk)
                else:
                    sys.stdout.write(chunk)
            sys.stdout.flush()
        else:
            output.write_atomically(out, chunks, force=force, inputs=inputs)
    except PlannerError as error:
        progress.close()
        _fail(error)
    finally:
        progress.close()
    if limits is not None:
        typer.echo(f"planner: volume limits: {one_line(result.limit_profile)}", err=True)
    for finding in result.findings:
        if finding.level.value != "info":
            subject = f" [{finding.subject}]" if finding.subject else ""
            line = one_line(f"{finding.message}{subject}")
            typer.echo(f"planner: {finding.level.value}: {line}", err=True)
    if out != "-":
        from planner.documents.export import count_rows

        animals, rows = len(result.animals), count_rows(result)
        typer.echo(f"planner: wrote {out} ({animals} animals, {rows} doses, seed {seed})", err=True)
    if chosen:
        typer.echo(
            f"planner: no --seed given, so the allocation used seed {seed}: give --seed {seed} "
            "to make the same plan again",
            err=True,
        )
    _exit_for(result.findings)
