"""
Starter protocols for ``planner new``: a copy of a shipped protocol, or one built around a
documented regimen with every placeholder (groups, dose volume, vehicle, timeline) marked
assumed with the reason, and its TOML text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import attrs

from planner.errors import InputError
from planner.knowledge._toml import dumps
from planner.knowledge.catalog import lookup
from planner.knowledge.loading import load_reference, protocol_data
from planner.knowledge.protocols import (
    EventKind,
    Group,
    Protocol,
    TimelineEvent,
    Treatment,
    Vehicle,
    VehicleComponent,
)
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Reference
from planner.knowledge.regimens import Regimen
from planner.units.registry import Q_

T = TypeVar("T")

__all__ = ["NEW_ID", "NewProtocol", "protocol_text", "source_kind", "starter", "starter_protocol"]


# Placeholders for a protocol built from a regimen alone. They are not literature values: each
# is written into the new file as "assumed", with the reason, for the user to replace.
_PLACEHOLDER_N = 8
_ACCLIMATISATION_DAYS = 7
_FIRST_DOSE = "09:00"
_TEST_AFTER = ("1", "h")

NEW_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""A protocol id: a file name that needs no quoting, 100 characters at most."""


def _assumed(value: T, why: str) -> Fact[T]:
    return Fact(value=value, status=Status.ASSUMED, source=why)


def _layout(regimen: Regimen, first_day: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Days and clock times that give the regimen's doses at its interval, from ``first_day``."""
    doses = regimen.doses.value
    if regimen.interval is None:
        return (first_day,), (_FIRST_DOSE,)
    hours = regimen.interval.value.to("h").magnitude
    if hours % 24 == 0:
        step = int(hours // 24)
        return tuple(first_day + i * step for i in range(doses)), (_FIRST_DOSE,)
    if 24 % hours == 0 and doses % int(24 // hours) == 0:
        per_day = int(24 // hours)
        start = Decimal(8 * 60)
        times = tuple(
            f"{int((start + i * hours * 60) // 60):02d}:{int((start + i * hours * 60) % 60):02d}"
            for i in range(per_day)
        )
        return tuple(first_day + i for i in range(doses // per_day)), times
    return tuple(first_day + i for i in range(doses)), (_FIRST_DOSE,)


def _treatment_from(regimen: Regimen, reference: Reference, short: str) -> Treatment:
    species = reference.find_species(regimen.species.value)
    limit = reference.volume_limit(species, regimen.route.value)
    if limit is None:
        raise InputError(
            got=regimen.id,
            expected=f"a regimen for a species and route with a volume limit on record "
            f"({species.name} {regimen.route.value} has none)",
            where="--from",
            hint="start from a protocol instead, or add the limit to seeds/",
        )
    where = f"{species.name} {regimen.route.value.value}"
    good = limit.good_practice
    basis_ = "an assumed limit" if good.assumed else reference.provenance(good, limit.citation)
    volume = _assumed(
        good.value,
        f"the injection volume is not on record in {short}: placeholder set to the "
        f"good-practice volume for {where} ({basis_}); a smaller volume is common",
    )
    vehicle = Vehicle(
        name="vehicle to be chosen",
        components=(VehicleComponent(name="vehicle to be chosen"),),
        steps=("Choose the vehicle; list its components (% v/v) in the order they are added.",),
    )
    return Treatment(
        regimen=regimen.id,
        dose=regimen.dose,
        dose_volume=volume,
        vehicle=_assumed(
            vehicle,
            f"the vehicle is not on record in {short}: choose one and check that the "
            "compound stays in solution",
        ),
    )


def _from_regimen(regimen: Regimen, new_id: str, reference: Reference) -> Protocol:
    citation = reference.citation(regimen.citation)
    study = reference.find_study(regimen.study)
    model = study.find_model(regimen.model) if regimen.model else None
    background = [reference.find_regimen(r) for r in regimen.alongside]
    placeholder = "placeholder: not taken from the source"
    # The background regimens (e.g. the morphine that induces tolerance) start on day 1; the
    # regimen itself ends with them, so that a short regimen falls at the end (reversal).
    layouts = {r.id: _layout(r, 1) for r in background}
    last = max((days[-1] for days, _ in layouts.values()), default=None)
    days, times = _layout(regimen, 1)
    if last is not None and days[-1] < last:
        days, times = _layout(regimen, 1 + last - days[-1])
    layouts[regimen.id] = (days, times)
    condition = model.kind.value if model is not None else "study animals"
    label = model.id.replace("-", " ") if model is not None else "animals"
    everyone = [r.id for r in background]
    groups = (
        Group(
            name=f"{label} + vehicle",
            condition=condition,
            drug=tuple(everyone),
            vehicle=(regimen.id,),
            n=_assumed(_PLACEHOLDER_N, f"{placeholder}; set n from a power calculation"),
            status=Status.ASSUMED,
            source="the vehicle control for the drug effect",
        ),
        Group(
            name=f"{label} + {regimen.compound.value}",
            condition=condition,
            drug=(*everyone, regimen.id),
            n=_assumed(_PLACEHOLDER_N, f"{placeholder}; set n from a power calculation"),
            status=Status.STATED,
            source=f"{citation.short}, {regimen.source} (regimen {regimen.id})",
        ),
    )
    timeline = [
        TimelineEvent(
            kind=EventKind.ACCLIMATISATION,
            what="Arrival and acclimatisation to the facility",
            days=_assumed(tuple(range(-_ACCLIMATISATION_DAYS, 0)), placeholder),
        ),
        TimelineEvent(
            kind=EventKind.BASELINE, what="Baseline tests", days=_assumed((0,), placeholder)
        ),
    ]
    for dosed in (*background, regimen):
        d, t = layouts[dosed.id]
        timeline.append(
            TimelineEvent(
                kind=EventKind.DOSING,
                what=f"{dosed.name}: drug or vehicle",
                regimen=dosed.id,
                days=_assumed(d, f"{placeholder}; gives the regimen's number of doses"),
                times=_assumed(t, f"{placeholder}; keeps the regimen's interval"),
            )
        )
    timeline.append(
        TimelineEvent(
            kind=EventKind.TEST,
            what="Behavioural tests (choose them: see 'planner show " + regimen.id + "')",
            regimen=regimen.id,
            days=_assumed(days, placeholder),
            after_dose=_assumed((Q_(*_TEST_AFTER),), placeholder),
        )
    )
    timeline.append(
        TimelineEvent(
            kind=EventKind.TISSUE,
            what="Tissue collection",
            days=_assumed((days[-1] + 1,), placeholder),
        )
    )
    not_on_record = f"not on record in {citation.short}"
    return Protocol(
        id=new_id,
        title=f"Replication of {citation.short}: {regimen.name}",
        citation=regimen.citation,
        based_on=regimen.id,
        summary=f"Started from the documented regimen {regimen.id}. Every value not taken "
        "from the source is a placeholder marked assumed: replace each, then run 'planner check'.",
        species=regimen.species,
        strain=study.strain or _assumed("to be chosen", not_on_record),
        sex=study.sex or _assumed("to be chosen", not_on_record),
        age=_assumed("to be chosen (age or weight range at the start)", not_on_record),
        day_zero=(
            f"start of the study; add the model ({condition}) before dosing"
            if model is not None and not background
            else "start of the study"
        ),
        treatment=tuple(
            _treatment_from(r, reference, citation.short) for r in (*background, regimen)
        ),
        group=groups,
        timeline=tuple(timeline),
    )


def starter_protocol(source_id: str, new_id: str, reference: Reference | None = None) -> Protocol:
    """
    Return a new protocol to edit: a copy of the shipped protocol ``source_id``, or one built
    from the documented regimen ``source_id`` with placeholders marked assumed.

    Raises:
        UnknownNameError: ``source_id`` is no protocol and no regimen.
    """
    reference = reference or load_reference()
    return starter(lookup(source_id, reference, where="--from"), new_id, reference)


def starter(item: Protocol | Regimen, new_id: str, reference: Reference) -> Protocol:
    if isinstance(item, Protocol):
        return attrs.evolve(item, id=new_id, based_on=item.id, version=1)
    return _from_regimen(item, new_id, reference)


@attrs.frozen(kw_only=True)
class NewProtocol:
    """A starter protocol written to disk."""

    path: Path
    protocol: Protocol
    source_kind: str
    """"protocol" or "regimen": what it was started from."""


def _header(protocol: Protocol, kind: str) -> str:
    return (
        f"Protocol {protocol.id}, started with 'planner new' from {kind} {protocol.based_on}.\n"
        "Edit it, then run 'planner check' on this file. A value with status = \"assumed\" is not\n"
        "stated by the source: its source says why; verify it or replace it. Format: protocols/README.md."
    )


def source_kind(item: Protocol | Regimen) -> str:
    """ "protocol" or "regimen": what a new protocol is started from."""
    return "protocol" if isinstance(item, Protocol) else "regimen"


def protocol_text(protocol: Protocol, kind: str) -> str:
    """The new protocol as TOML, with a header saying where it came from and what to do next."""
    return dumps(protocol_data(protocol), header=_header(protocol, kind))
