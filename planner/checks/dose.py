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
from decimal import Decimal

import attrs

from planner.findings import Finding, Level
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Compound, Reference, Species, Syringe, VolumeLimit
from planner.knowledge.routes import Route
from planner.units.format import format_entered, format_quantity, round_step
from planner.units.registry import Q_, Kind, Quantity, basis, is_kind

__all__ = [
    "DOCUMENTED_FACTOR",
    "DOSE_RULES",
    "HARD_TO_MEASURE",
    "LIMIT_DOSE",
    "STOP_DOSE",
    "STOP_REWEIGH",
    "DoseCase",
    "check_syringe",
    "check_volume",
    "check_weight",
    "dose_findings",
    "dose_plausible",
    "highest_documented",
    "shown_volume",
    "weighing_missing",
    "weight_bounds",
]

STOP_REWEIGH = "DO NOT DOSE: reweigh"
"""What a sheet prints in place of the volume for an animal whose weight cannot be right."""

STOP_DOSE = "DO NOT DOSE: check the dose and its unit"
"""What is printed in place of the volume for a dose no animal should get."""

LIMIT_DOSE = Fact(
    value=Q_(2000, "mg/kg"),
    status=Status.STATED,
    source=(
        "OECD TG 420, 423 and 425 (as reproduced): 2000 mg/kg is the limit test dose of acute "
        "oral toxicity testing (5000 mg/kg only exceptionally)"
    ),
)
"""A dose per body mass above which no pharmacology study doses: a unit slip."""

DOCUMENTED_FACTOR = Fact(
    value=Decimal(10),
    status=Status.ASSUMED,
    source=(
        "planner's rule: a dose more than 10 times the highest documented dose of the compound "
        "is more likely a slip (mg for mcg, per g for per kg) than a plan"
    ),
)
"""How far above the highest documented dose of a compound a dose may be."""

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
    dose_per_kg: Quantity | None = None
    """The dose as mass per body mass (mg/kg), when a weight is known and the dose is a mass
    (or a molar dose with a compound's MW); None otherwise."""
    amount: Quantity | None = None
    """The amount for this animal as a mass (a molar amount through the compound's MW); None
    when it cannot be one."""
    compound: Compound | None = None
    """The compound, when named: its documented regimens bound a plausible dose."""
    per_animal: bool = False
    """Whether the dose is given per animal (a fixed amount) rather than per body mass."""


def _show(quantity: Quantity) -> str:
    return format_quantity(quantity)


def shown_volume(volume: Quantity, step: Quantity | None = None) -> str:
    """
    An injection volume for print, the one way every line of an output shows it: in mcL below
    0.1 mL, else mL, rounded to the syringe's graduation ``step`` when one is known (as it is
    drawn up), else to 3 significant figures.
    """
    unit = "uL" if volume < Q_("0.1", "mL") else "mL"
    return format_quantity(volume, unit, step=step)


def check_weight(
    weight: Quantity, species: Species, reference: Reference, *, subject: str = ""
) -> list[Finding]:
    """
    An error when a weight is outside what an animal of the species can weigh (a decimal or
    unit slip: the animal is not dosed until reweighed); a warning when it is outside what
    ordinary adults weigh (a typo or a sick animal). A weight exactly at a bound passes.
    """
    plausible = species.plausible_weight
    if plausible is not None:
        low, high = plausible.value
        if not low <= weight <= high:
            unit = _weight_unit(high)
            return [
                Finding(
                    level=Level.ERROR,
                    code="weight-implausible",
                    message=(
                        f"weight {format_entered(weight, unit)} is outside what a {species.name} can weigh, "
                        f"{format_quantity(low, unit)} to {format_quantity(high, unit)}: {STOP_REWEIGH} "
                        "(a slip of the decimal point or the unit?)"
                    ),
                    subject=subject,
                    source=reference.provenance(plausible, species.citation),
                )
            ]
    fact = species.warning_weight
    if fact is None:
        return []
    low, high = fact.value
    if low <= weight <= high:
        return []
    unit = _weight_unit(high)
    return [
        Finding(
            level=Level.WARNING,
            code="weight-outside-range",
            message=(
                f"weight {format_entered(weight, unit)} is outside the plausible range for {species.name}, "
                f"{format_quantity(low, unit)} to {format_quantity(high, unit)}: check the weighing"
            ),
            subject=subject,
            source=reference.provenance(fact, species.citation),
        )
    ]


def _weight_unit(high: Quantity) -> str:
    return "g" if high < Q_(1, "kg") else "kg"


def weight_bounds(species: Species) -> tuple[Quantity, Quantity] | None:
    """The weights inside which :func:`check_weight` finds nothing (None: no range on record),
    for callers that screen many weighings before calling it."""
    for fact in (species.warning_weight, species.plausible_weight):
        if fact is not None:
            return fact.value
    return None


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
    # The computed volume, as the dose's volume line shows it (which adds the drawn-up volume
    # when the syringe's graduation rounds it): never "0.2 mL is above 0.2 mL".
    volume_text = shown_volume(volume)
    shown = f"{volume_text} ({format_quantity(measured, unit)})" if per_kg else volume_text
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


def dose_plausible(case: DoseCase) -> list[Finding]:
    """
    An error for a dose no animal should get: per body mass above the limit dose of acute
    toxicity testing (:data:`LIMIT_DOSE`), or more than :data:`DOCUMENTED_FACTOR` times the
    highest documented dose of the compound (in the same basis: per kg, or per animal). A
    dose exactly at a bound passes.
    """
    if case.dose_per_kg is not None and case.dose_per_kg > LIMIT_DOSE.value:
        return [
            Finding(
                level=Level.ERROR,
                code="dose-above-limit-dose",
                message=(
                    f"{format_quantity(case.dose_per_kg, 'mg/kg')} is above "
                    f"{format_quantity(LIMIT_DOSE.value)}, the limit dose of acute toxicity "
                    f"tests: {STOP_DOSE} (mg for mcg? per g for per kg?)"
                ),
                subject=case.subject,
                source=LIMIT_DOSE.source,
            )
        ]
    if case.compound is None:
        return []
    # Compared in the basis the dose is given in (per kg, or per animal) and for the same route:
    # an intrathecal dose per animal says nothing of a systemic dose per kg.
    per_kg, per_animal = highest_documented(case.compound, case.reference, case.route)
    given, documented, unit = (
        (case.amount, per_animal, None) if case.per_animal else (case.dose_per_kg, per_kg, "mg/kg")
    )
    if given is None or documented is None:
        return []
    dose, regimen = documented
    if given <= dose * DOCUMENTED_FACTOR.value:
        return []
    return [
        Finding(
            level=Level.ERROR,
            code="dose-far-above-documented",
            message=(
                f"{format_quantity(given, unit)} is more than "
                f"{DOCUMENTED_FACTOR.value} times the highest documented dose of "
                f"{case.compound.name} {case.route.value}, {format_quantity(dose, unit)} "
                f"(regimen {regimen}): {STOP_DOSE}"
            ),
            subject=case.subject,
            source=f"regimen {regimen}; rule assumed ({DOCUMENTED_FACTOR.source})",
        )
    ]


def highest_documented(
    compound: Compound, reference: Reference, route: Route
) -> tuple[tuple[Quantity, str] | None, tuple[Quantity, str] | None]:
    """
    The highest documented dose of ``compound`` by ``route`` among the regimens on record, with
    the regimen's id: (per body mass in mg/kg, per animal in mg); None where no regimen doses it
    so (molar doses are left out).
    """
    per_kg: tuple[Quantity, str] | None = None
    per_animal: tuple[Quantity, str] | None = None
    for regimen in reference.regimens:
        try:
            found, _ = reference.find_compound(regimen.compound.value)
        except LookupError:
            continue
        dose = regimen.dose.value
        if found is not compound or regimen.route.value is not route:
            continue
        if basis(dose.units) != "mass":
            continue
        if is_kind(dose, Kind.DOSE_PER_MASS):
            value = dose.to("mg/kg")
            if per_kg is None or value > per_kg[0]:
                per_kg = (value, regimen.id)
        elif is_kind(dose, Kind.AMOUNT):
            value = dose.to("mg")
            if per_animal is None or value > per_animal[0]:
                per_animal = (value, regimen.id)
    return per_kg, per_animal


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
    dose_plausible,
    weight_in_range,
    volume_within_limits,
    syringe_can_measure,
)
"""The rules every computed dose goes through, in the order their findings are listed."""


def dose_findings(case: DoseCase) -> list[Finding]:
    """Run :data:`DOSE_RULES` on one administration."""
    return [finding for rule in DOSE_RULES for finding in rule(case)]
