"""
The rules for a protocol against what it replicates: each treatment's dose and schedule against
its documented regimen and its stock against recorded solubility; and across the protocol,
treatments no group receives, tests timed after days without a dose, and how many values are
assumed.

:data:`TREATMENT_RULES` run on each treatment (a :class:`TreatmentCase`: the treatment, its
regimen and the dose computed for the species' reference weight), then :data:`PROTOCOL_RULES`
once; :func:`planner.study.checking.protocol_findings` runs both.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from planner.findings import Finding, Level
from planner.knowledge.protocols import (
    Protocol,
    Treatment,
    VehicleComponent,
    facts_of,
    schedule_hours,
)
from planner.knowledge.provenance import Status
from planner.knowledge.reference import Compound, Form, Reference
from planner.knowledge.regimens import Regimen
from planner.units.format import format_quantity
from planner.units.registry import Q_, Quantity

__all__ = [
    "PROTOCOL_RULES",
    "TREATMENT_RULES",
    "TreatmentCase",
    "assumed_count",
    "assumed_findings",
    "dose_findings",
    "group_findings",
    "schedule_findings",
    "solubility_findings",
    "timeline_findings",
]


@attrs.frozen(kw_only=True)
class TreatmentCase:
    """One treatment of a protocol as the treatment rules see it."""

    protocol: Protocol
    treatment: Treatment
    regimen: Regimen
    compound: Compound
    form: Form
    """The form the dose is stated in."""
    concentration: Quantity
    """The concentration of the dosing solution (dose / dose volume)."""
    dose_findings: Sequence[Finding]
    """The per-dose rules' findings for one animal of the species' reference weight."""
    reference: Reference


def _same(a: Quantity, b: Quantity) -> bool:
    try:
        return bool(a.to(b.units).magnitude == b.magnitude)
    except Exception:
        return False


def _text(quantity: Quantity) -> str:
    return format_quantity(quantity)


def dose_findings(case: TreatmentCase) -> list[Finding]:
    """The protocol's dose against the documented regimen's: an error when they differ."""
    treatment, regimen = case.treatment, case.regimen
    if _same(treatment.dose.value, regimen.dose.value):
        return []
    return [
        Finding(
            level=Level.ERROR,
            code="dose-differs-from-regimen",
            subject=regimen.id,
            message=f"dose {_text(treatment.dose.value)} differs from the {_text(regimen.dose.value)} of regimen {regimen.id}",
            source=case.reference.provenance(regimen.dose, regimen.citation),
        )
    ]


def computed_dose_findings(case: TreatmentCase) -> list[Finding]:
    """The per-dose rules' findings on the treatment's dose for the species' reference weight
    (computed by the caller with :func:`planner.dosing.dose.calculate_dose`), less those about
    the weight itself: the reference weight is the Km table's, not an animal's."""
    return [f for f in case.dose_findings if f.code not in _ABOUT_THE_WEIGHT]


_ABOUT_THE_WEIGHT = frozenset({"weight-outside-range", "weight-implausible"})


def schedule_findings(case: TreatmentCase) -> list[Finding]:
    """The number and spacing of doses in the timeline against the regimen's."""
    protocol, regimen = case.protocol, case.regimen
    events = protocol.dosing(regimen.id)
    count = sum(e.administrations for e in events)
    findings = []
    if count != regimen.doses.value:
        findings.append(
            Finding(
                level=Level.ERROR,
                code="schedule-differs-from-regimen",
                subject=regimen.id,
                message=f"the timeline gives {count} dose(s) of {regimen.id}; the regimen has {regimen.doses.value}",
                source=f"regimen {regimen.id}",
            )
        )
    hours = schedule_hours(events)
    gaps = sorted({b - a for a, b in itertools.pairwise(hours)})
    if regimen.interval is not None and gaps:
        expected = regimen.interval.value.to("h").magnitude
        if gaps != [expected]:
            shown = ", ".join(_text(Q_(g, "h")) for g in gaps)
            findings.append(
                Finding(
                    level=Level.WARNING,
                    code="interval-differs-from-regimen",
                    subject=regimen.id,
                    message=f"doses of {regimen.id} are {shown} apart; the regimen gives one every {_text(regimen.interval.value)}",
                    source=f"regimen {regimen.id}",
                )
            )
    return findings


def solubility_findings(case: TreatmentCase) -> list[Finding]:
    """
    The compound is dissolved in the vehicle's first component, at the final concentration
    divided by that component's share: an error above the recorded solubility in that solvent,
    an info finding when none is on record (the stock has not been checked).
    """
    components = case.treatment.vehicle.value.components
    first: VehicleComponent = components[0]
    share = first.percent.to("percent").magnitude if first.percent is not None else Decimal(100)
    stock = case.concentration * 100 / share
    name = first.name.lower()
    for solubility in case.form.solubility:
        if solubility.limit is None or solubility.solvent.lower() not in name:
            continue
        if stock > solubility.limit.value:
            return [
                Finding(
                    level=Level.ERROR,
                    code="above-solubility",
                    subject=case.regimen.id,
                    message=(
                        f"{_text(stock)} of {case.form.name} in {first.name} (the first component, "
                        f"{_text(Q_(share, 'percent'))} of the final volume) is above its recorded solubility "
                        f"in {solubility.solvent}, {_text(solubility.limit.value)}"
                    ),
                    source=case.reference.provenance(solubility.limit, case.compound.citation),
                )
            ]
        return []
    return [
        Finding(
            level=Level.INFO,
            code="no-solubility-on-record",
            subject=case.regimen.id,
            message=(
                f"no solubility of {case.form.name} in {first.name} is on record: check that "
                f"{_text(stock)} (the stock in the first component) dissolves before dosing"
            ),
        )
    ]


def timeline_findings(protocol: Protocol, source: str) -> list[Finding]:
    """Tests timed after a dose on days when no dose of that regimen is given."""
    findings = []
    for number, event in enumerate(protocol.timeline):
        if event.after_dose is None:
            continue
        dosed = {day for e in protocol.dosing(event.regimen) for day in e.days.value}
        missing = [day for day in event.days.value if day not in dosed]
        if missing:
            findings.append(
                Finding(
                    level=Level.WARNING,
                    code="test-without-dose",
                    subject=f"timeline[{number}]",
                    message=(
                        f"'{event.what}' is timed after a dose of {event.regimen} on day(s) "
                        f"{', '.join(map(str, missing))}, but no dose of it is given then"
                    ),
                )
            )
    return findings


def group_findings(protocol: Protocol, source: str) -> list[Finding]:
    """Treatments that no group receives as drug."""
    given = {regimen for group in protocol.group for regimen in group.drug}
    return [
        Finding(
            level=Level.WARNING,
            code="treatment-not-given",
            subject=regimen,
            message=f"no group receives {regimen} as drug",
        )
        for regimen in protocol.regimens
        if regimen not in given
    ]


def assumed_count(protocol: Protocol) -> tuple[int, int]:
    """Return (assumed, total): the protocol's facts and group statuses that are assumed."""
    statuses = [fact.status for _, fact in facts_of(protocol)] + [g.status for g in protocol.group]
    return sum(s is Status.ASSUMED for s in statuses), len(statuses)


def assumed_findings(protocol: Protocol, source: str) -> list[Finding]:
    """How many of the protocol's values are assumed rather than stated by the source."""
    assumed, total = assumed_count(protocol)
    if not assumed:
        return []
    return [
        Finding(
            level=Level.INFO,
            code="assumed-values",
            subject=protocol.id,
            message=(
                f"{assumed} of {total} values are assumed, not stated by the source: verify each "
                f"before use ('planner show {source or protocol.id}' lists them)"
            ),
        )
    ]


TREATMENT_RULES: tuple[Callable[[TreatmentCase], list[Finding]], ...] = (
    dose_findings,
    computed_dose_findings,
    schedule_findings,
    solubility_findings,
)
"""The rules run on each treatment of a protocol, in the order their findings are listed."""

PROTOCOL_RULES: tuple[Callable[[Protocol, str], list[Finding]], ...] = (
    group_findings,
    timeline_findings,
    assumed_findings,
)
"""The rules run once on the whole protocol (with where it was read from), in order."""
