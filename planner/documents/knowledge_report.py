"""
Text and JSON for ``planner regimens``, ``show``, ``check`` and ``new``.

Every number goes through :mod:`planner.units.format`. Every literature value is printed with its
provenance: "[stated: Obara et al. 2011, abstract]", or "[ASSUMED - verify: <why>]" for a value
the source does not state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planner.checks.protocol import assumed_count
from planner.documents.export import limits_json
from planner.findings import Finding
from planner.knowledge.loading import load_reference
from planner.knowledge.protocols import (
    EventKind,
    Protocol,
    TimelineEvent,
    Treatment,
    treatment_concentration,
)
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Reference, Route
from planner.knowledge.regimens import Regimen, Study
from planner.knowledge.starter import NewProtocol
from planner.study.checking import ProtocolCheck
from planner.units.format import format_number, format_quantity, json_quantity
from planner.units.registry import Kind, Quantity, is_kind, is_quantity

__all__ = [
    "check_json",
    "check_text",
    "mark",
    "new_text",
    "protocol_text",
    "regimen_text",
    "regimens_json",
    "regimens_text",
    "show_text",
]

ASSUMED = "ASSUMED - verify"
"""How every assumed value is marked in text output."""


def mark(fact: Fact[Any], reference: Reference, citation: str) -> str:
    """
    Return a fact's provenance for print: "[stated: Obara et al. 2011, abstract]" or
    "[ASSUMED - verify: <why>]", with its note if it has one.
    """
    if fact.assumed:
        text = f"{ASSUMED}: {fact.source}"
    else:
        short = reference.citation(fact.citation or citation).short
        text = f"{fact.status.value}: {short}, {fact.source}"
    if fact.note:
        text += f"; note: {fact.note}"
    return f"[{text}]"


def _value(value: Any) -> str:
    if is_quantity(value):
        return format_quantity(value)
    if isinstance(value, Route):
        return f"{value.value} ({value.title})"
    if isinstance(value, int) and not isinstance(value, bool):
        return format_number(value)
    if isinstance(value, tuple):
        return ", ".join(_value(x) for x in value)
    return str(value)


def _line(
    label: str,
    fact: Fact[Any] | None,
    reference: Reference,
    citation: str,
    *,
    value: str | None = None,
) -> str | None:
    if fact is None:
        return None
    shown = _value(fact.value) if value is None else value
    return f"  {label:<14}{shown}  {mark(fact, reference, citation)}"


def _join(lines: Sequence[str | None]) -> str:
    """Join lines, leaving out the ones that are None (facts not given); "" is a blank line."""
    return "\n".join(line for line in lines if line is not None)


def _schedule(regimen: Regimen) -> str:
    count = format_number(regimen.doses.value)
    if regimen.interval is None:
        return f"{count} dose"
    return f"{count} doses, every {format_quantity(regimen.interval.value)}"


def _status_text(regimen: Regimen) -> str:
    status = regimen.status
    if status is Status.ASSUMED:
        return f"ASSUMED: {', '.join(regimen.assumed_fields)}"
    return str(status.value)  # str(): mypy types an enum narrowed by `is` as having an Any value


# --- planner regimens ------------------------------------------------------------------------


def regimens_text(regimens: Sequence[Regimen], reference: Reference | None = None) -> str:
    """The table of ``planner regimens``, with the sources underneath."""
    reference = reference or load_reference()
    header = ("ID", "COMPOUND", "DOSE", "ROUTE", "SCHEDULE", "SPECIES", "STATUS")
    rows = [header]
    for regimen in regimens:
        compound, _ = reference.find_compound(regimen.compound.value)
        rows.append(
            (
                regimen.id,
                compound.name,
                format_quantity(regimen.dose.value),
                regimen.route.value.value,
                _schedule(regimen),
                regimen.species.value,
                _status_text(regimen),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]]
        ).rstrip()
        for row in rows
    ]
    keys = dict.fromkeys(r.citation for r in regimens)
    lines.append("")
    lines.append(
        "STATUS is 'stated' when the source states the compound, dose, route, number of doses, interval and"
    )
    lines.append(
        "species; otherwise the assumed ones are named. 'planner show ID' gives each value's source;"
    )
    lines.append("'planner new NEW_ID --from ID' starts a protocol from a regimen.")
    lines.append("Sources:")
    for key in keys:
        citation = reference.citation(key)
        ids = ", ".join(
            x
            for x in (
                f"doi:{citation.doi}" if citation.doi else "",
                f"PMID {citation.pmid}" if citation.pmid else "",
            )
            if x
        )
        lines.append(f"  {citation.short}: {citation.journal}" + (f"; {ids}" if ids else ""))
    return "\n".join(lines)


def _json_quantity(quantity: Quantity) -> dict[str, Any]:
    return json_quantity(quantity)


def regimens_json(
    regimens: Sequence[Regimen], reference: Reference | None = None
) -> list[dict[str, Any]]:
    """The JSON list of ``planner regimens --json``."""
    reference = reference or load_reference()
    result = []
    for regimen in regimens:
        citation = reference.citation(regimen.citation)
        result.append(
            {
                "id": regimen.id,
                "name": regimen.name,
                "compound": regimen.compound.value,
                "dose": _json_quantity(regimen.dose.value),
                "route": regimen.route.value.key,
                "doses": regimen.doses.value,
                "interval": _json_quantity(regimen.interval.value)
                if regimen.interval is not None
                else None,
                "species": regimen.species.value,
                "source": f"{citation.short}, {regimen.source}",
                "status": regimen.status.value,
                "assumed": list(regimen.assumed_fields),
                "citation": regimen.citation,
            }
        )
    return result


# --- planner show ----------------------------------------------------------------------------


def _citation_line(key: str, reference: Reference) -> str:
    c = reference.citation(key)
    parts = [
        c.authors.rstrip("."),
        c.title.rstrip("."),
        c.journal + (f" ({c.year})" if c.year else ""),
    ]
    ids = [f"doi:{c.doi}" if c.doi else "", f"PMID {c.pmid}" if c.pmid else ""]
    return "Source: " + ". ".join(p for p in parts if p) + "".join(f"; {i}" for i in ids if i)


def _study_text(study: Study, model_id: str, reference: Reference) -> str:
    cite = study.citation
    lines: list[str | None] = [
        f"Study {study.id}: {study.title}",
        _line("strain", study.strain, reference, cite),
        _line("sex", study.sex, reference, cite),
    ]
    model = study.find_model(model_id) if model_id else None
    if model is not None:
        lines += [
            _line("model", model.kind, reference, cite),
            _line("model name", model.name, reference, cite),
            _line("procedure", model.procedure, reference, cite),
        ]
    lines += [
        _line("outcomes", study.outcomes, reference, cite),
        _line("tests", study.tests, reference, cite),
    ]
    lines += [
        _line("control" if i == 0 else "", fact, reference, cite)
        for i, fact in enumerate(study.controls)
    ]
    if study.results:
        lines.append("  Results reported:")
        lines += [f"  - {fact.value} {mark(fact, reference, cite)}" for fact in study.results]
    if study.not_stated:
        lines.append("  Not stated by the source (each protocol must assume it, and says so):")
        lines += [f"  - {item}" for item in study.not_stated]
    return _join(lines)


def regimen_text(regimen: Regimen, reference: Reference | None = None) -> str:
    """``planner show REGIMEN``: every value with its provenance, then the study's context."""
    reference = reference or load_reference()
    cite = regimen.citation
    compound, _ = reference.find_compound(regimen.compound.value)
    lines: list[str | None] = [
        f"Regimen {regimen.id}: {regimen.name}",
        _citation_line(cite, reference),
        f"Documented in: {reference.citation(cite).short}, {regimen.source}",
        "",
        _line(
            "compound",
            regimen.compound,
            reference,
            cite,
            value=f"{compound.name} ({regimen.compound.value})",
        ),
        _line("dose", regimen.dose, reference, cite),
        _line("route", regimen.route, reference, cite),
        _line("doses", regimen.doses, reference, cite),
        _line("interval", regimen.interval, reference, cite)
        if regimen.interval
        else "  interval      none (one dose)",
        _line("species", regimen.species, reference, cite),
    ]
    if regimen.alongside:
        lines.append(f"  given with    {', '.join(regimen.alongside)}")
    if regimen.note:
        lines.append(f"  note          {regimen.note}")
    assumed = regimen.assumed_fields
    lines.append("")
    lines.append(
        f"Schedule status: {regimen.status.value}"
        + (
            f" ({', '.join(assumed)} assumed)"
            if assumed
            else " (every schedule value is stated by the source)"
        )
    )
    lines.append("")
    lines.append(_study_text(reference.find_study(regimen.study), regimen.model, reference))
    return _join(lines)


def _days(days: tuple[int, ...]) -> str:
    if len(days) == 1:
        return f"day {days[0]}"
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"days {days[0]} to {days[-1]}"
    return "days " + ", ".join(str(d) for d in days[:-1]) + f" and {days[-1]}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _event_lines(number: int, event: TimelineEvent, reference: Reference, cite: str) -> list[str]:
    lines = [
        f"  {number}. {event.kind.value}: {event.what}",
        f"     {_days(event.days.value)}  {mark(event.days, reference, cite)}",
    ]
    if event.times is not None:
        lines.append(
            f"     at {_and(list(event.times.value))}  {mark(event.times, reference, cite)}"
        )
    if event.after_dose is not None:
        after = _and([format_quantity(x) for x in event.after_dose.value])
        lines.append(
            f"     {after} after the first dose of the day of {event.regimen}  {mark(event.after_dose, reference, cite)}"
        )
    elif event.kind is EventKind.DOSING:
        lines.append(f"     gives {event.administrations} dose(s) of {event.regimen}")
    return lines


def _treatment_lines(
    number: int, treatment: Treatment, reference: Reference, cite: str
) -> list[str | None]:
    regimen = reference.find_regimen(treatment.regimen)
    lines: list[str | None] = [
        f"Treatment {number}: {regimen.id} ({regimen.name})",
        _line("dose", treatment.dose, reference, cite),
        _line("regimen dose", regimen.dose, reference, regimen.citation),
        _line("route", regimen.route, reference, regimen.citation),
        _line("doses", regimen.doses, reference, regimen.citation),
        _line("interval", regimen.interval, reference, regimen.citation),
    ]
    if treatment.form is not None:
        _, form = reference.find_compound(treatment.form.value)
        lines.append(_line("form", treatment.form, reference, cite, value=form.name))
    lines.append(_line("dose volume", treatment.dose_volume, reference, cite))
    concentration = treatment_concentration(treatment)
    if concentration is not None:
        lines.append(
            f"  {'concentration':<14}{format_quantity(concentration)}  [derived: dose / dose volume]"
        )
    vehicle = treatment.vehicle
    lines.append(_line("vehicle", vehicle, reference, cite, value=vehicle.value.name))
    lines.append("    order of addition (% v/v of the final volume):")
    for index, component in enumerate(vehicle.value.components, start=1):
        share = format_quantity(component.percent) if component.percent is not None else "to volume"
        lines.append(f"    {index}. {component.name}, {share}")
    if vehicle.value.steps:
        lines.append("    preparation:")
        lines += [f"    - {step}" for step in vehicle.value.steps]
    return lines


def protocol_text(protocol: Protocol, reference: Reference | None = None) -> str:
    """``planner show PROTOCOL``: animals, treatments, groups and timeline, with provenance."""
    reference = reference or load_reference()
    cite = protocol.citation
    assumed, total = assumed_count(protocol)
    lines: list[str | None] = [
        f"Protocol {protocol.id} (version {protocol.version}): {protocol.title}",
        _citation_line(cite, reference),
    ]
    if protocol.based_on:
        lines.append(f"Started from: {protocol.based_on}")
    if protocol.summary:
        lines.append(protocol.summary)
    lines += [
        "",
        "Animals",
        _line("species", protocol.species, reference, cite),
        _line("strain", protocol.strain, reference, cite),
        _line("sex", protocol.sex, reference, cite),
        _line("age", protocol.age, reference, cite),
    ]
    for number, treatment in enumerate(protocol.treatment, start=1):
        lines += ["", *_treatment_lines(number, treatment, reference, cite)]
    lines += ["", f"Groups ({format_number(protocol.animals)} animals)"]
    for number, group in enumerate(protocol.group, start=1):
        gets = [*(f"{r} (drug)" for r in group.drug), *(f"{r} (vehicle)" for r in group.vehicle)]
        why = (
            f"[{ASSUMED}: {group.source}]"
            if group.status is Status.ASSUMED
            else f"[{group.status.value}: {reference.citation(cite).short}, {group.source}]"
        )
        lines += [
            f"  {number}. {group.name}  {why}",
            f"     condition: {group.condition}; receives: {', '.join(gets) if gets else 'nothing'}",
            f"     n = {format_number(group.n.value)}  {mark(group.n, reference, cite)}",
        ]
    lines += ["", f"Timeline (day 0: {protocol.day_zero})"]
    for number, event in enumerate(protocol.timeline, start=1):
        lines += _event_lines(number, event, reference, cite)
    if protocol.notes:
        lines += ["", "Notes", *(f"  - {note}" for note in protocol.notes)]
    lines += [
        "",
        f"{assumed} of {total} values are assumed (marked {ASSUMED}): verify each before use.",
    ]
    return _join(lines)


def show_text(item: Protocol | Regimen, reference: Reference | None = None) -> str:
    """The answer to ``planner show ID``."""
    if isinstance(item, Protocol):
        return protocol_text(item, reference)
    return regimen_text(item, reference)


# --- planner check ---------------------------------------------------------------------------


def _finding_line(finding: Finding) -> str:
    subject = f" ({finding.subject})" if finding.subject else ""
    source = f" [{finding.source}]" if finding.source else ""
    return f"{finding.level.value.upper()}{subject}: {finding.message}{source}"


def check_head(result: ProtocolCheck) -> list[str]:
    """The lines ``planner check`` prints before the findings: the protocol and each treatment."""
    protocol = result.protocol
    lines = [
        f"{result.source}: valid protocol {protocol.id} (version {protocol.version}), "
        f"{len(protocol.treatment)} treatment(s), {len(protocol.group)} groups, {protocol.animals} animals",
        f"  volume limits: {result.limit_profile}; {len(result.rules)} rules applied, listed "
        "with their sources by --json and in the plan",
    ]
    for check in result.treatments:
        dose = check.result
        species = dose.species
        assert dose.weight is not None  # the dose is computed at the reference weight (checking.py)
        weight = format_quantity(
            dose.weight, "g" if species.reference_weight.value.to("kg").magnitude < 1 else "kg"
        )
        per_kg = (
            f" ({format_quantity(dose.dose_volume, 'mL/kg')})"
            if is_kind(check.treatment.dose_volume.value, Kind.DOSE_VOLUME)
            and dose.dose_volume is not None
            else ""
        )
        lines.append(
            f"  {check.regimen.id}: {format_quantity(dose.dose)} {dose.route.value} for a {weight} {species.name} "
            f"(reference weight): {format_quantity(dose.amount)} in {format_quantity(dose.volume)}{per_kg} "
            f"of {format_quantity(dose.concentration)}"
        )
    return lines


def check_verdict(result: ProtocolCheck) -> str:
    """The line ``planner check`` ends with: how many errors, or none."""
    errors = [f for f in result.findings if f.level.value == "error"]
    if not errors:
        return "No error-level findings."
    # Errors about one animal (a weighing that cannot be right) stop that animal only.
    animals = sorted(
        {
            f.subject.split(",")[0].removeprefix("animal ")
            for f in errors
            if f.subject.startswith("animal ")
        }
    )
    if all(f.subject.startswith("animal ") for f in errors):
        return (
            f"{len(errors)} error(s): do not dose {len(animals)} animal(s) as weighed "
            f"({', '.join(animals)}); the others may be dosed."
        )
    return f"{len(errors)} error(s): the protocol does not match its regimen(s) or a limit."


def check_text(result: ProtocolCheck) -> str:
    """
    The answer to ``planner check FILE`` as plain lines, one finding a line (for a file or a
    pipe, where grep should find a whole finding on one line).
    """
    lines = check_head(result)
    lines += [_finding_line(f) for f in result.findings]
    lines.append(check_verdict(result))
    return "\n".join(lines)


def check_json(result: ProtocolCheck) -> dict[str, Any]:
    """The JSON object of ``planner check --json``."""
    return {
        "protocol": result.protocol.id,
        "version": result.protocol.version,
        "valid": True,
        "treatments": [
            {
                "regimen": c.regimen.id,
                "dose": json_quantity(c.result.dose),
                "weight": json_quantity(c.result.weight, "g")
                if c.result.weight is not None
                else None,
                "amount": json_quantity(c.result.amount),
                "volume": json_quantity(c.result.volume, "mL"),
                "concentration": json_quantity(c.result.concentration),
            }
            for c in result.treatments
        ],
        "limits": limits_json(result.limit_profile, result.rules),
        "findings": [f.to_json() for f in result.findings],
    }


# --- planner new -----------------------------------------------------------------------------


def new_text(result: NewProtocol) -> str:
    """The answer to ``planner new``."""
    assumed, total = assumed_count(result.protocol)
    return (
        f"wrote {result.path}: protocol {result.protocol.id}, from {result.source_kind} {result.protocol.based_on}\n"
        f"  {assumed} of {total} values are assumed: edit them, then run 'planner check {result.path}'"
    )
