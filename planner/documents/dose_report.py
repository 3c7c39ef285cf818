"""
Short answers for the terminal and their JSON forms, for ``dose``, ``convert`` and ``scale``.

Every number goes through :mod:`planner.units.format`; every literature value is shown with its source,
and assumed values are marked "assumed, verify".
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from planner.checks.dose import STOP_DOSE, STOP_REWEIGH, shown_volume
from planner.dosing.conversions import Conversion, Scaling
from planner.dosing.dose import DoseResult
from planner.findings import Finding
from planner.knowledge.loading import load_reference
from planner.knowledge.reference import Compound, Form, Reference
from planner.units.format import (
    format_entered,
    format_number,
    format_quantity,
    json_quantity,
    unit_key,
)
from planner.units.registry import Q_, Kind, Quantity, basis, is_kind

__all__ = [
    "conversion_json",
    "conversion_text",
    "dose_json",
    "dose_text",
    "scaling_json",
    "scaling_text",
]


def _amount_unit(quantity: Quantity) -> str:
    return "mg" if basis(quantity.units) == "mass" else "umol"


def _dose_unit(quantity: Quantity) -> str:
    mass = basis(quantity.units) == "mass"
    if is_kind(quantity, Kind.DOSE_PER_MASS):
        return "mg/kg" if mass else "umol/kg"
    if is_kind(quantity, Kind.DOSE_PER_AREA):
        return "mg/m**2" if mass else "umol/m**2"
    return _amount_unit(quantity)


def _finding_line(finding: Finding) -> str:
    source = f" [{finding.source}]" if finding.source else ""
    return f"{finding.level.value.upper()}: {finding.message}{source}"


def _weight_unit(weight: Quantity) -> str:
    return "g" if weight < Q_(1, "kg") else "kg"


_STOPS = {
    "weight-implausible": STOP_REWEIGH,
    "dose-above-limit-dose": STOP_DOSE,
    "dose-far-above-documented": STOP_DOSE,
}
"""Findings whose numbers cannot be right: the volume line says this instead of a volume."""


def _stop(findings: Sequence[Finding]) -> str:
    return next((_STOPS[f.code] for f in findings if f.code in _STOPS), "")


def dose_text(result: DoseResult, reference: Reference | None = None) -> str:
    """The answer to ``planner dose`` for a person (sources from ``reference``, by default the
    shipped data; give the one the dose was computed with)."""
    reference = reference or load_reference()
    what = result.form.name if result.form else "dose"
    lines = []
    weight = (
        f" for a {format_entered(result.weight, _weight_unit(result.weight))} {result.species.name}"
        if result.weight is not None
        else f" for a {result.species.name}"
    )
    lines.append(f"{what} {format_quantity(result.dose)} {result.route.value}{weight}")
    lines.append(f"  amount         {format_quantity(result.amount)}")
    lines.append(f"  concentration  {format_quantity(result.concentration)}")
    unit = "mL" if result.volume >= Q_("0.1", "mL") else "uL"
    step = result.syringe.graduation.value if result.syringe is not None else None
    # One rounding per value: the computed volume as every message gives it, and the volume as
    # drawn up in the syringe when its graduation makes it another number.
    volume = shown_volume(result.volume)
    drawn = shown_volume(result.volume, step) if step is not None else volume
    if drawn != volume:
        volume = f"{volume}, drawn up as {drawn}"
    per_kg = (
        f" ({format_quantity(result.dose_volume, 'mL/kg')})"
        if result.dose_volume is not None
        else ""
    )
    stop = _stop(result.findings)
    if stop:
        # The weight or the dose cannot be right: no volume is printed, so none is given.
        lines.append(f"  volume         {stop}")
    else:
        lines.append(f"  volume         {volume}{per_kg}")
    if result.syringe is not None and not stop:
        syringe = result.syringe
        lines.append(
            f"  measured with  {syringe.name}, graduated every {format_quantity(syringe.graduation.value, unit, sig=3)} "
            f"(assumed, verify)"
        )
    if result.limit is not None:
        limit = result.limit
        limit_unit = "mL/kg" if limit.per == "kg" else None
        per = "" if limit.per == "kg" else f" per {limit.per}"
        lines.append(
            f"  volume limit   {result.species.name} {result.route.value}: good practice "
            f"{format_quantity(limit.good_practice.value, limit_unit)}, maximum {format_quantity(limit.maximum.value, limit_unit)}{per} "
            f"[{reference.provenance(limit.good_practice, limit.citation)}]"
        )
    if result.findings:
        lines.extend(_finding_line(f) for f in result.findings)
    else:
        lines.append("No findings: within good practice for the species and route.")
    return "\n".join(lines)


def dose_json(result: DoseResult) -> dict[str, Any]:
    """The JSON object of ``planner dose --json``."""
    return {
        "dose": json_quantity(result.dose, _dose_unit(result.dose)),
        "weight": json_quantity(result.weight, "g") if result.weight is not None else None,
        "species": result.species.id,
        "route": result.route.key,
        "compound": result.form.name if result.form else None,
        "amount": json_quantity(result.amount, _amount_unit(result.amount)),
        "volume": json_quantity(result.volume, "mL"),
        "concentration": json_quantity(
            result.concentration, "mg/mL" if basis(result.concentration.units) == "mass" else "mM"
        ),
        "dose_volume": json_quantity(result.dose_volume, "mL/kg")
        if result.dose_volume is not None
        else None,
        "syringe": {
            "name": result.syringe.name,
            "graduation": json_quantity(result.syringe.graduation.value, "mL"),
            "status": "assumed",
        }
        if result.syringe
        else None,
        "findings": [f.to_json() for f in result.findings],
    }


def _form_change(compound: Compound, source: Form, target: Form, given: Quantity) -> str:
    """
    The factor a change of form applied, in the basis it was applied in: by mass, the ratio of
    the molecular weights per parent molecule; by amount of substance, the ratio of the parent
    molecules per formula unit (1 morphine per morphine, 2 per morphine sulfate).
    """
    if basis(given.units) == "substance":
        factor = Decimal(source.parent_units) / Decimal(target.parent_units)
        parent = compound.parent.name
        why = (
            f"by amount of substance: {source.parent_units} {parent} per {source.name}, "
            f"{target.parent_units} per {target.name}"
        )
    else:
        factor = compound.salt_factor(target) / compound.salt_factor(source)
        why = "by mass: the molecular weights, per molecule of the parent compound"
    return f"as {target.name} instead of {source.name}: x {format_number(factor, sig=4)} ({why})"


def conversion_text(result: Conversion) -> str:
    """The answer to ``planner convert`` for a person."""
    reference = load_reference()
    text = f"{format_quantity(result.given)} = {format_quantity(result.result, result.unit)}"
    notes = []
    if result.to_form is not None and result.form is not None and result.compound is not None:
        notes.append(_form_change(result.compound, result.form, result.to_form, result.given))
    used_form = result.to_form or result.form
    if used_form is not None:
        mw = used_form.molar_mass
        notes.append(
            f"{used_form.name} MW {format_quantity(mw.value, 'g/mol', sig=6)} [{reference.provenance(mw, result.compound.citation if result.compound else '')}]"
        )
    if result.species is not None:
        km = result.species.km
        notes.append(
            f"{result.species.name} Km {format_number(km.value)} [{reference.provenance(km, result.species.citation)}]"
        )
    return text + "".join(f"\n  {note}" for note in notes)


def conversion_json(result: Conversion) -> dict[str, Any]:
    """The JSON object of ``planner convert --json``: one quantity."""
    return json_quantity(result.result, result.unit)


def scaling_text(result: Scaling) -> str:
    """The answer to ``planner scale`` for a person."""
    reference = load_reference()
    unit = (
        unit_key(result.result.units)
        if is_kind(result.given, Kind.DOSE_PER_MASS)
        else _dose_unit(result.result)
    )
    source, target = result.source, result.target
    return (
        f"{format_quantity(result.given)} in {source.name} = {format_quantity(result.result, unit)} in {target.name}\n"
        f"  body surface area scaling: x Km {format_number(source.km.value)} / Km {format_number(target.km.value)} "
        f"[{reference.provenance(source.km, source.citation)}]"
    )


def scaling_json(result: Scaling) -> dict[str, Any]:
    """The JSON object of ``planner scale --json``: one quantity."""
    unit = (
        unit_key(result.result.units)
        if is_kind(result.given, Kind.DOSE_PER_MASS)
        else _dose_unit(result.result)
    )
    return json_quantity(result.result, unit)
