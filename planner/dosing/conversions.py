"""
Conversions that need more than a unit factor: mass and amount of substance through the molecular
weight, salt and free base, and body mass and body surface area through Km (FDA 2005).

>>> from planner.knowledge.loading import load_reference
>>> ref = load_reference()
>>> mouse, human = ref.find_species("mouse"), ref.find_species("human")
>>> scale_dose(Q_(25, "mg/kg"), mouse, human).to("mg/kg").magnitude.quantize(Decimal("0.001"))
Decimal('2.027')
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from planner.errors import InputError
from planner.knowledge.reference import Compound, Form, Species
from planner.units.registry import (
    Q_,
    Kind,
    Quantity,
    Unit,
    basis,
    is_kind,
    is_quantity,
    require_kind,
)

__all__ = [
    "Conversion",
    "Scaling",
    "change_form",
    "convert",
    "per_area_to_per_mass",
    "per_mass_to_per_area",
    "scale_dose",
    "to_basis",
]

# Kinds whose quantities count compound (by mass or by amount of substance).
_COUNTING = (Kind.AMOUNT, Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, Kind.CONCENTRATION)
_PLAIN = (Kind.VOLUME, Kind.DOSE_VOLUME, Kind.MOLAR_MASS, Kind.FRACTION, Kind.DURATION)


@attrs.frozen(kw_only=True)
class Conversion:
    """A converted quantity and what the conversion went through."""

    given: Quantity
    result: Quantity
    unit: str
    """The unit asked for, as pint-parsable text."""
    compound: Compound | None = None
    form: Form | None = None
    to_form: Form | None = None
    species: Species | None = None


@attrs.frozen(kw_only=True)
class Scaling:
    """A dose scaled between species by body surface area."""

    given: Quantity
    result: Quantity
    source: Species
    target: Species
    factor: object
    """Km(source) / Km(target), the factor applied to a per-kg dose."""


def kind_and_basis(value: Quantity | Unit) -> tuple[Kind | None, str | None]:
    """Return the kind of a quantity or unit and, for kinds that count compound, its basis."""
    for kind in _COUNTING:
        if is_kind(value, kind):
            unit = value.units if is_quantity(value) else value
            return kind, basis(unit)
    for kind in _PLAIN:
        if is_kind(value, kind):
            return kind, None
    return None, None


def _text(value: Quantity | Unit) -> str:
    from planner.units.format import format_quantity, unit_text  # formatting only for messages

    try:
        return format_quantity(value) if is_quantity(value) else unit_text(value)
    except ValueError:
        return str(value)


def _need(what: str, why: str, where: str) -> InputError:
    return InputError(got=None, expected=what, where=where, hint=why)


# The unit each counting kind is expressed in after a change of basis.
_CANONICAL = {
    (Kind.AMOUNT, "mass"): "mg",
    (Kind.AMOUNT, "substance"): "umol",
    (Kind.DOSE_PER_MASS, "mass"): "mg/kg",
    (Kind.DOSE_PER_MASS, "substance"): "umol/kg",
    (Kind.DOSE_PER_AREA, "mass"): "mg/m**2",
    (Kind.DOSE_PER_AREA, "substance"): "umol/m**2",
    (Kind.CONCENTRATION, "mass"): "mg/mL",
    (Kind.CONCENTRATION, "substance"): "mM",
}


def to_basis(
    value: Quantity, target: str, form: Form | None, *, where: str = "compound"
) -> Quantity:
    """
    Express a quantity that counts compound by mass ("mass") or amount of substance ("substance").

    Going from one basis to the other needs the form's molecular weight.
    """
    kind, current = kind_and_basis(value)
    if current == target:
        return value
    if kind not in _COUNTING or current is None:
        raise InputError(
            got=_text(value),
            expected="an amount, dose or concentration of a compound",
            where="quantity",
        )
    if form is None:
        raise _need(
            "a compound name",
            f"converting {_text(value)} between mass and amount of substance needs a molecular weight",
            where,
        )
    mw = form.molar_mass.value
    result: Quantity = value / mw if target == "substance" else value * mw
    return result.to(_CANONICAL[(kind, target)])


def change_form(value: Quantity, compound: Compound, source: Form, target: Form) -> Quantity:
    """
    Convert an amount, dose or concentration stated as one form (e.g. morphine base) into the
    same quantity of parent compound expressed as another form (e.g. the sulfate pentahydrate).

    Both forms must belong to ``compound``; the count of parent molecules per formula unit is
    taken into account (2 for morphine sulfate).
    """
    if source not in compound.forms or target not in compound.forms:
        raise InputError(
            got=f"{source.name} -> {target.name}", expected=f"two forms of {compound.name}"
        )
    start_basis = basis(value.units) or "mass"
    moles = to_basis(value, "substance", source) * source.parent_units
    moles_target = moles / target.parent_units
    return to_basis(moles_target, start_basis, target).to(value.units)


def per_mass_to_per_area(dose: Quantity, species: Species) -> Quantity:
    """mg/kg -> mg/m2: multiply by the species' Km (FDA 2005)."""
    require_kind(dose, Kind.DOSE_PER_MASS)
    per_kg = dose.to(f"{'mg' if basis(dose.units) == 'mass' else 'umol'}/kg")
    value = per_kg.magnitude * species.km.value
    return Q_(value, "mg/m**2" if basis(dose.units) == "mass" else "umol/m**2")


def per_area_to_per_mass(dose: Quantity, species: Species) -> Quantity:
    """mg/m2 -> mg/kg: divide by the species' Km (FDA 2005)."""
    require_kind(dose, Kind.DOSE_PER_AREA)
    is_mass = basis(dose.units) == "mass"
    per_m2 = dose.to("mg/m**2" if is_mass else "umol/m**2")
    return Q_(per_m2.magnitude / species.km.value, "mg/kg" if is_mass else "umol/kg")


def scale_dose(dose: Quantity, source: Species, target: Species) -> Quantity:
    """
    Scale a dose between species by body surface area (FDA 2005): dose x Km(source) / Km(target).

    A dose per body mass gives a dose per body mass in the target species, in the same unit. A
    dose per body surface area is the same in every species; it is returned per body mass of
    the target species (mg/m2 / Km(target)).
    """
    if is_kind(dose, Kind.DOSE_PER_AREA):
        return per_area_to_per_mass(dose, target)
    require_kind(dose, Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, where="dose")
    factor = source.km.value / target.km.value
    converted: Quantity = dose * factor  # pint's operators are untyped
    return converted


def convert(
    value: Quantity,
    unit: Unit,
    *,
    form: Form | None = None,
    species: Species | None = None,
) -> Quantity:
    """
    Convert a quantity to ``unit``, through the molecular weight of ``form`` and the Km of
    ``species`` when the conversion needs them; refuse conversions between different kinds.

    Raises:
        InputError: the kinds differ, or the conversion needs a compound or species not given.
    """
    source_kind, source_basis = kind_and_basis(value)
    target_kind, target_basis = kind_and_basis(unit)
    if target_kind is None:
        raise InputError(
            got=_text(unit),
            expected="a unit planner converts to (a dose, amount, concentration, volume, dose volume, molar mass, percentage or duration)",
            where="--to",
        )
    if source_kind is None:
        raise InputError(
            got=_text(value),
            expected="a dose, amount, concentration, volume, dose volume, molar mass, percentage or duration",
            where="quantity",
        )
    if source_kind in _PLAIN or target_kind in _PLAIN:
        if source_kind is not target_kind:
            raise InputError(
                got=_text(unit),
                expected=f"a unit of the same kind as {_text(value)}: {source_kind.describe()}",
                where="--to",
            )
        return value.to(unit)
    result = value
    area_pair = {source_kind, target_kind} == {Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA}
    if source_kind is not target_kind and not area_pair:
        raise InputError(
            got=_text(unit),
            expected=f"a unit of the same kind as {_text(value)}: {source_kind.describe()}",
            where="--to",
        )
    if area_pair:
        if species is None:
            raise _need(
                "a species name",
                f"converting {_text(value)} to {_text(unit)} needs the species' Km (body surface area)",
                "species",
            )
        result = (
            per_mass_to_per_area(result, species)
            if source_kind is Kind.DOSE_PER_MASS
            else per_area_to_per_mass(result, species)
        )
    if target_basis != source_basis and target_basis is not None:
        result = to_basis(result, target_basis, form)
    return result.to(unit)


def km_ratio(source: Species, target: Species) -> Decimal:
    """Return Km(source) / Km(target), the factor :func:`scale_dose` applies."""
    return source.km.value / target.km.value
