"""
Dose for one animal: amount from the dose and the body weight, injection volume from the
concentration (or the concentration from a dose volume), and the safety checks that go with them.

>>> from planner.loading import load_reference
>>> ref = load_reference()
>>> result = calculate_dose(
...     Q_(25, "mg/kg"), weight=Q_(27, "g"), concentration=Q_("2.5", "mg/mL"),
...     species=ref.find_species("mouse"), route=Route.IP, reference=ref)
>>> result.amount.to("mg").magnitude, result.volume.to("mL").magnitude
(Decimal('0.675'), Decimal('0.27'))
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

import attrs

from planner.conversions import per_area_to_per_mass, to_basis
from planner.errors import InputError
from planner.findings import Finding, Level
from planner.format import format_quantity, round_step
from planner.reference import Compound, Form, Reference, Route, Species, Syringe, VolumeLimit
from planner.units import Q_, Kind, Quantity, basis, is_kind, require_kind, require_positive

__all__ = [
    "DoseResult",
    "amount_for",
    "calculate_dose",
    "check_volume",
    "check_weight",
    "drawn_volume",
    "measurable_volume",
]


def amount_for(
    dose: Quantity, weight: Quantity | None, *, species: Species | None = None
) -> Quantity:
    """
    Return the amount for one animal: dose per body mass x weight, dose per body surface area
    through the species' Km, or a fixed dose per animal as it is.

    >>> amount_for(Q_(25, "mg/kg"), Q_(27, "g")).to("mg")
    <Quantity(0.675, 'milligram')>
    """
    if is_kind(dose, Kind.AMOUNT):
        return dose.to("mg" if basis(dose.units) == "mass" else "umol")
    if is_kind(dose, Kind.DOSE_PER_AREA):
        if species is None:
            raise InputError(
                got=None,
                expected="a species",
                where="species",
                hint="a dose per body surface area needs the species' Km",
            )
        dose = per_area_to_per_mass(dose, species)
    require_kind(dose, Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, Kind.AMOUNT, where="dose")
    if weight is None:
        raise InputError(
            got=None,
            expected="a body weight",
            where="weight",
            hint="a dose per body mass needs the animal's weight",
        )
    require_kind(weight, Kind.MASS, where="weight")
    return (dose * weight).to("mg" if basis(dose.units) == "mass" else "umol")


@attrs.frozen(kw_only=True)
class DoseResult:
    """
    The dose for one animal and one administration, with the checks run on it.
    """

    dose: Quantity
    """The dose as given (per body mass, per body surface area or per animal)."""
    weight: Quantity | None
    """Body weight the dose was computed for."""
    species: Species
    route: Route
    compound: Compound | None
    form: Form | None
    amount: Quantity
    """Amount of compound for this animal (mg, or umol for a molar dose without a compound)."""
    concentration: Quantity
    """Concentration of the dosing solution."""
    volume: Quantity
    """Injection volume, unrounded (mL)."""
    dose_volume: Quantity | None
    """Volume per body mass (mL/kg), when a weight is known."""
    syringe: Syringe | None
    """The smallest syringe that holds the volume; None when no syringe on record does."""
    limit: VolumeLimit | None
    """The volume limit applied, if any is on record for the species and route."""
    findings: tuple[Finding, ...]


def measurable_volume(volume: Quantity, syringe: Syringe | None) -> Quantity:
    """Return the volume rounded to the syringe's graduation (as measured), or as it is."""
    if syringe is None:
        return volume
    step = syringe.graduation.value.to("mL").magnitude
    return Q_(round_step(volume.to("mL").magnitude, step), "mL")


def drawn_volume(
    volume: Decimal, step: Decimal, ceilings: Sequence[Decimal] = ()
) -> Decimal | None:
    """
    Return the volume to draw up, as a multiple of the syringe's graduation ``step``, such that
    rounding never misleads:

    - it is the nearest multiple (halves up), so it differs from ``volume`` by at most half a
      graduation;
    - except where that would carry it past a limit the volume itself respects (a ceiling in
      ``ceilings`` with volume <= ceiling < rounded): then it is rounded down instead, still
      less than one graduation away;
    - never zero: when even that gives 0, the volume cannot be measured and None is returned
      (the caller reports it; a sheet never prints "0 mL" for a dose).

    All values are in the same unit (mL).

    >>> drawn_volume(Decimal("0.275"), Decimal("0.01")), drawn_volume(Decimal("0.004"), Decimal("0.01"))
    (Decimal('0.28'), None)
    >>> drawn_volume(Decimal("0.4995"), Decimal("0.01"), [Decimal("0.4995")])
    Decimal('0.49')
    """
    nearest = round_step(volume, step)
    if any(volume <= ceiling < nearest for ceiling in ceilings):
        nearest = (volume / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return nearest if nearest > 0 else None


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


def _check_syringe(
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
    if measurable_volume(volume, syringe).magnitude == 0:
        return [
            Finding(
                level=Level.ERROR,
                code="volume-below-graduation",
                message=f"{_show(volume)} is less than half a graduation ({_show(graduation)}) of a {syringe.name}: dilute the solution",
                subject=subject,
                source=source,
            )
        ]
    if volume < graduation * 10:
        return [
            Finding(
                level=Level.WARNING,
                code="volume-hard-to-measure",
                message=f"{_show(volume)} is fewer than 10 graduations ({_show(graduation)}) of a {syringe.name}: "
                "a one-graduation error is more than 10 %; consider a more dilute solution",
                subject=subject,
                source=source,
            )
        ]
    return []


def calculate_dose(
    dose: Quantity,
    *,
    weight: Quantity | None,
    species: Species,
    route: Route,
    reference: Reference,
    concentration: Quantity | None = None,
    dose_volume: Quantity | None = None,
    compound: Compound | None = None,
    form: Form | None = None,
    subject: str = "",
) -> DoseResult:
    """
    Compute one animal's dose: amount, concentration and volume, with findings.

    Give exactly one of ``concentration`` (the solution you have) or ``dose_volume`` (mL/kg,
    uL/g, or a fixed volume per animal: the concentration is then derived).

    Raises:
        InputError: neither or both of concentration and dose_volume, quantities of the wrong
            kind, or a molar conversion without a compound.
    """
    require_positive(dose, where="dose")
    if (concentration is None) == (dose_volume is None):
        raise InputError(
            got="both" if concentration is not None else None,
            expected="exactly one of a concentration or a dose volume",
            where="--concentration/--dose-volume",
        )
    if weight is not None:
        require_positive(require_kind(weight, Kind.MASS, where="weight"), where="weight")
    amount = amount_for(dose, weight, species=species)
    if concentration is not None:
        require_kind(concentration, Kind.CONCENTRATION, where="concentration")
        if concentration.magnitude <= 0:
            raise InputError(
                got=str(concentration),
                expected="a concentration greater than zero",
                where="concentration",
            )
        in_basis = to_basis(amount, basis(concentration.units) or "mass", form)
        volume = (in_basis / concentration).to("mL")
    else:
        assert dose_volume is not None
        require_positive(
            require_kind(dose_volume, Kind.DOSE_VOLUME, Kind.VOLUME, where="dose_volume"),
            where="dose_volume",
        )
        if is_kind(dose_volume, Kind.DOSE_VOLUME):
            if weight is None:
                raise InputError(
                    got=None,
                    expected="a body weight",
                    where="weight",
                    hint="a dose volume per kg needs the weight",
                )
            volume = (dose_volume * weight).to("mL")
        else:
            volume = dose_volume.to("mL")
        concentration = _concentration(dose, amount, volume, dose_volume)
    per_kg = (volume / weight).to("mL/kg") if weight is not None else None
    limit = reference.volume_limit(species, route)
    syringe = reference.syringe_for(volume)
    findings: list[Finding] = []
    if weight is not None:
        findings += check_weight(weight, species, reference, subject=subject)
    findings += check_volume(
        volume, weight, limit, reference, species=species, route=route, subject=subject
    )
    findings += _check_syringe(volume, syringe, reference, subject=subject)
    return DoseResult(
        dose=dose,
        weight=weight,
        species=species,
        route=route,
        compound=compound,
        form=form,
        amount=amount,
        concentration=concentration,
        volume=volume,
        dose_volume=per_kg,
        syringe=syringe,
        limit=limit,
        findings=tuple(findings),
    )


def _concentration(
    dose: Quantity, amount: Quantity, volume: Quantity, dose_volume: Quantity
) -> Quantity:
    # With a per-kg dose and a per-kg volume the concentration does not depend on the weight:
    # compute it from the two rates so that it is exactly dose / dose volume.
    is_mass = basis(amount.units) == "mass"
    unit = "mg/mL" if is_mass else "mM"
    if is_kind(dose, Kind.DOSE_PER_MASS) and is_kind(dose_volume, Kind.DOSE_VOLUME):
        return (dose / dose_volume).to(unit)
    return (amount / volume).to(unit)
