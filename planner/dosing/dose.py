"""
Dose for one animal: amount from the dose and the body weight, injection volume from the
concentration (or the concentration from a dose volume), checked by the per-dose rules of
:mod:`planner.checks.dose`.

>>> from planner.knowledge.loading import load_reference
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

from planner.checks.dose import DoseCase, dose_findings
from planner.dosing.conversions import per_area_to_per_mass, to_basis
from planner.errors import InputError
from planner.findings import Finding
from planner.knowledge.reference import Compound, Form, Reference, Species, Syringe, VolumeLimit
from planner.knowledge.routes import Route
from planner.units.format import round_step
from planner.units.registry import (
    Q_,
    Kind,
    Quantity,
    basis,
    is_kind,
    require_kind,
    require_positive,
)

__all__ = [
    "DoseResult",
    "amount_for",
    "calculate_dose",
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
    amount: Quantity = dose * weight  # pint's operators are untyped
    return amount.to("mg" if basis(dose.units) == "mass" else "umol")


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
    findings = dose_findings(
        DoseCase(
            volume=volume,
            weight=weight,
            species=species,
            route=route,
            limit=limit,
            syringe=syringe,
            reference=reference,
            subject=subject,
            dose_per_kg=_mass_per_kg(amount, weight, form),
            amount=_mass(amount, form),
            per_animal=is_kind(dose, Kind.AMOUNT),
            compound=compound,
        )
    )
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
    concentration: Quantity
    if is_kind(dose, Kind.DOSE_PER_MASS) and is_kind(dose_volume, Kind.DOSE_VOLUME):
        concentration = dose / dose_volume  # pint's operators are untyped
    else:
        concentration = amount / volume
    return concentration.to(unit)


def _mass(amount: Quantity, form: Form | None) -> Quantity | None:
    """The amount as a mass (mg), through the form's MW for a molar amount; None without one."""
    if basis(amount.units) == "mass":
        return amount
    if form is None:
        return None
    return to_basis(amount, "mass", form)


def _mass_per_kg(amount: Quantity, weight: Quantity | None, form: Form | None) -> Quantity | None:
    """The amount per body mass in mg/kg, for the dose plausibility rule; None without a weight,
    or for a molar amount without a form's MW."""
    if weight is None:
        return None
    if basis(amount.units) != "mass":
        if form is None:
            return None
        amount = to_basis(amount, "mass", form)
    per_kg: Quantity = amount / weight  # pint's operators are untyped
    return per_kg.to("mg/kg")
