"""
The rules for one administration: the body weight against the species' plausible range, the
injection volume against the route's limits, and whether a syringe on record can measure it.

Each rule takes plain values and returns findings naming their source. :data:`DOSE_RULES` is the
list :func:`planner.dosing.dose.calculate_dose` runs on every dose it computes (``planner dose``,
and each treatment ``planner check`` computes for the species' reference weight); a plan runs
the same functions on each animal's dose (:mod:`planner.study.doses`).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from planner.findings import Finding, Level
from planner.knowledge.reference import Reference, Species, Syringe, VolumeLimit
from planner.knowledge.routes import Route
from planner.units.format import format_quantity, round_step
from planner.units.registry import Q_, Quantity

__all__ = [
    "DOSE_RULES",
    "HARD_TO_MEASURE",
    "DoseCase",
    "check_syringe",
    "check_volume",
    "check_weight",
    "dose_findings",
    "weighing_missing",
]

HARD_TO_MEASURE = 10
"""A volume of fewer graduations than this is hard to measure: a one-graduation error is more
than 10 % of the dose (planner's rule, printed with the syringe's graduation as its source)."""


@attrs.frozen(kw_only=True)
class DoseCase:
    """One administration as the per-dose rules see it: every value already computed."""

    volume: Quantity
    """The injection volume, unrounded."""
    weight: Quantity | None
    """The body weight; None for a fixed dose given without one."""
    species: Species
    route: Route
    limit: VolumeLimit | None
    """The volume limit for the species and route; None when none is on record."""
    syringe: Syringe | None
    """The smallest syringe on record that holds the volume; None when none does."""
    reference: Reference
    subject: str = ""
    """What the findings are about (an animal, a regimen), for the message."""


def _show(quantity: Quantity) -> str:
    return format_quantity(quantity)


def check_weight(
    weight: Quantity, species: Species, reference: Reference, *, subject: str = ""
) -> list[Finding]:
    """
    Warn when a weight is outside the species' plausible range (a typo or a sick animal).
    """
    fact = species.weight_range
    if fact is None:
        return []
    low, high = fact.value
    if low <= weight <= high:
        return []
    unit = "g" if high < Q_(1, "kg") else "kg"
    return [
        Finding(
            level=Level.WARNING,
            code="weight-outside-range",
            message=(
                f"weight {format_quantity(weight, unit)} is outside the plausible range for {species.name}, "
                f"{format_quantity(low, unit)} to {format_quantity(high, unit)}: check the weighing"
            ),
            subject=subject,
            source=reference.provenance(fact, species.citation),
        )
    ]


def check_volume(
    volume: Quantity,
    weight: Quantity | None,
    limit: VolumeLimit | None,
    reference: Reference,
    *,
    species: Species,
    route: Route,
    subject: str = "",
) -> list[Finding]:
    """
    Compare an injection volume with good practice (warning above it) and the possible maximum
    (error above it) for the species and route. A volume exactly at a limit passes.
    """
    if limit is None:
        return [
            Finding(
                level=Level.INFO,
                code="no-volume-limit",
                message=f"no volume limit on record for {species.name} {route.value}; check your institution's limits",
                subject=subject,
            )
        ]
    per_kg = limit.per == "kg"
    if per_kg and weight is None:
        return [
            Finding(
                level=Level.INFO,
                code="volume-not-checked",
                message="no body weight, so the volume per kg was not checked",
                subject=subject,
            )
        ]
    measured = volume / weight if per_kg and weight is not None else volume
    unit = "mL/kg" if per_kg else "uL" if volume < Q_("0.1", "mL") else "mL"
    shown = f"{_show(volume)} ({format_quantity(measured, unit)})" if per_kg else _show(volume)
    where = f"{species.name} {route.value}" + ("" if per_kg else f", per {limit.per}")
    for fact, level, code, label in (
        (limit.maximum, Level.ERROR, "volume-above-maximum", "the possible maximum"),
        (limit.good_practice, Level.WARNING, "volume-above-good-practice", "good practice"),
    ):
        if measured > fact.value:
            return [
                Finding(
                    level=level,
                    code=code,
                    message=f"{shown} is above {label} for {where}, {format_quantity(fact.value, unit)}",
                    subject=subject,
                    source=reference.provenance(fact, limit.citation),
                )
            ]
    return []


def check_syringe(
    volume: Quantity, syringe: Syringe | None, reference: Reference, *, subject: str
) -> list[Finding]:
    if syringe is None:
        largest = reference.syringes[-1] if reference.syringes else None
        return [
            Finding(
                level=Level.WARNING,
                code="volume-exceeds-syringes",
                message=f"{_show(volume)} is more than any syringe on record holds: split it or use a pump",
                subject=subject,
                source=""
                if largest is None
                else f"{largest.name}: {reference.provenance(largest.capacity, largest.citation)}",
            )
        ]
    graduation = syringe.graduation.value
    source = reference.provenance(syringe.graduation, syringe.citation)
    step = graduation.to("mL").magnitude
    if round_step(volume.to("mL").magnitude, step) == 0:
        return [
            Finding(
                level=Level.ERROR,
                code="volume-below-graduation",
                message=f"{_show(volume)} is less than half a graduation ({_show(graduation)}) of a {syringe.name}: dilute the solution",
                subject=subject,
                source=source,
            )
        ]
    if volume < graduation * HARD_TO_MEASURE:
        return [
            Finding(
                level=Level.WARNING,
                code="volume-hard-to-measure",
                message=f"{_show(volume)} is fewer than {HARD_TO_MEASURE} graduations ({_show(graduation)}) of a {syringe.name}: "
                "a one-graduation error is more than 10 %; consider a more dilute solution",
                subject=subject,
                source=source,
            )
        ]
    return []


def weighing_missing(animal: str, day: int) -> Finding:
    """A dose per kg with no weighing of the animal on or before the dose day: its volume is
    left blank for hand entry (a plan with a weights file)."""
    return Finding(
        level=Level.WARNING,
        code="weight-missing",
        message=(
            f"no weighing of animal {animal} on or before day {day}: its volume is left blank; "
            "weigh it and enter the volume by hand or re-plan"
        ),
    )


def weight_in_range(case: DoseCase) -> list[Finding]:
    """The body weight within the species' plausible range (:func:`check_weight`)."""
    if case.weight is None:
        return []
    return check_weight(case.weight, case.species, case.reference, subject=case.subject)


def volume_within_limits(case: DoseCase) -> list[Finding]:
    """The injection volume within the route's good practice and maximum (:func:`check_volume`)."""
    return check_volume(
        case.volume,
        case.weight,
        case.limit,
        case.reference,
        species=case.species,
        route=case.route,
        subject=case.subject,
    )


def syringe_can_measure(case: DoseCase) -> list[Finding]:
    """A syringe on record holds the volume and can measure it (:func:`check_syringe`)."""
    return check_syringe(case.volume, case.syringe, case.reference, subject=case.subject)


DOSE_RULES: tuple[Callable[[DoseCase], list[Finding]], ...] = (
    weight_in_range,
    volume_within_limits,
    syringe_can_measure,
)
"""The rules every computed dose goes through, in the order their findings are listed."""


def dose_findings(case: DoseCase) -> list[Finding]:
    """Run :data:`DOSE_RULES` on one administration."""
    return [finding for rule in DOSE_RULES for finding in rule(case)]
