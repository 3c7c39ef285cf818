"""
Each animal's dose on each dosing day, computed from plain numbers for speed (a plan may hold
hundreds of thousands of doses), with the per-dose rules of :mod:`planner.checks.dose` run on
each distinct dose and each weighing, and their findings merged by rule and treatment.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from planner.checks.dose import (
    HARD_TO_MEASURE,
    STOP_REWEIGH,
    check_syringe,
    check_volume,
    check_weight,
    weighing_missing,
    weight_bounds,
)
from planner.checks.plan import weight_change_findings
from planner.dosing.conversions import per_area_to_per_mass
from planner.dosing.dose import drawn_volume
from planner.errors import DataFileError
from planner.findings import Finding, Level
from planner.knowledge.protocols import Protocol
from planner.knowledge.reference import Reference, Species, Syringe, VolumeLimit
from planner.study.allocation import Allocation
from planner.study.calendar import Administration
from planner.study.cohort import Cohort, Weighing
from planner.study.plan import Dose, PlanGroup, PlanTreatment
from planner.units.format import round_step
from planner.units.registry import Q_, Kind, basis, is_kind

__all__ = ["DoseTable", "compute_doses", "resolve_treatments", "weights_in_grams"]

_SHOWN_SUBJECTS = 5


def weights_in_grams(cohort: Cohort) -> dict[int, Decimal]:
    """Each weighing's weight in g, by id() of the Weighing (the cohort keeps them alive)."""
    units: dict[Any, Decimal] = {}
    result = {}
    for animal in cohort.animals:
        for weighing in animal.weighings:
            weight = weighing.weight
            factor = units.get(weight.units)
            if factor is None:
                factor = units[weight.units] = Decimal(Q_(1, weight.units).to("g").magnitude)
            result[id(weighing)] = (Decimal(weight.magnitude) * factor).normalize()
    return result


def resolve_treatments(
    protocol: Protocol, reference: Reference, source: str
) -> tuple[PlanTreatment, ...]:
    """Each treatment of the protocol with its regimen, compound, form, route and concentration."""
    several = len(protocol.treatment) > 1
    species = reference.find_species(protocol.species.value)
    result = []
    for number, treatment in enumerate(protocol.treatment):
        regimen = reference.find_regimen(treatment.regimen)
        compound, parent = reference.find_compound(regimen.compound.value)
        form = next(
            (f for f in compound.forms if treatment.form and f.id == treatment.form.value), parent
        )
        dose = treatment.dose.value
        if is_kind(dose, Kind.DOSE_PER_AREA):
            dose = per_area_to_per_mass(dose, species)
        volume = treatment.dose_volume.value
        per_kg = is_kind(dose, Kind.DOSE_PER_MASS), is_kind(volume, Kind.DOSE_VOLUME)
        if per_kg[0] != per_kg[1]:
            raise DataFileError(
                path=source,
                key=f"treatment[{number}].dose_volume",
                message=(
                    "a dose per kg needs a dose volume per kg (e.g. '10 mL/kg'), and a dose per "
                    "animal a volume per animal (e.g. '10 uL'), so that one solution serves "
                    "every animal"
                ),
            )
        unit = "mg/mL" if basis(dose.units) == "mass" else "mM"
        result.append(
            PlanTreatment(
                index=number,
                treatment=treatment,
                regimen=regimen,
                compound=compound,
                form=form,
                route=regimen.route.value,
                concentration=(dose / volume).to(unit),
                label=str(number + 1) if several else "",
            )
        )
    return tuple(result)


@attrs.frozen(kw_only=True)
class Rates:
    """A treatment's dose and volume as plain numbers in fixed units, for speed."""

    amount: Decimal
    """mg (or umol) per g of body weight, or per animal when not per_kg."""
    volume: Decimal
    """mL per g of body weight, or per animal when not per_kg."""
    per_kg: bool


def rates(treatment: PlanTreatment, species: Species) -> Rates:
    dose = treatment.treatment.dose.value
    if is_kind(dose, Kind.DOSE_PER_AREA):
        dose = per_area_to_per_mass(dose, species)
    volume = treatment.treatment.dose_volume.value
    unit = treatment.amount_unit
    if treatment.per_kg:
        return Rates(
            amount=Decimal(dose.to(f"{unit}/g").magnitude),
            volume=Decimal(volume.to("mL/g").magnitude),
            per_kg=True,
        )
    return Rates(
        amount=Decimal(dose.to(unit).magnitude),
        volume=Decimal(volume.to("mL").magnitude),
        per_kg=False,
    )


class _Syringes:
    """The syringe for a volume, found by comparing plain numbers (mL)."""

    def __init__(self, reference: Reference) -> None:
        self.choices = [
            (
                Decimal(s.capacity.value.to("mL").magnitude),
                Decimal(s.graduation.value.to("mL").magnitude),
                s,
            )
            for s in reference.syringes
        ]

    def __call__(self, volume: Decimal) -> tuple[Syringe | None, Decimal | None]:
        for capacity, graduation, syringe in self.choices:
            if volume <= capacity:
                return syringe, graduation
        return None, None


class _Collector:
    """Gathers per-dose findings and merges them by code and treatment."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], list[tuple[str, Finding]]] = {}

    def add(self, key: str, subject: str, findings: Sequence[Finding]) -> None:
        for finding in findings:
            self.found.setdefault((finding.code, key), []).append((subject, finding))

    def merged(self) -> list[Finding]:
        """
        One finding per rule and treatment, naming up to five subjects, except errors: each
        error stops one animal's dose, so each names its own animal.
        """
        result: list[Finding] = []
        for (_, key), items in self.found.items():
            subject, first = items[0]
            if len(items) == 1 or first.level is Level.ERROR:
                result.extend(attrs.evolve(f, subject=s) for s, f in items)
                continue
            subjects = list(dict.fromkeys(s for s, _ in items))
            shown = ", ".join(subjects[:_SHOWN_SUBJECTS])
            more = len(subjects) - _SHOWN_SUBJECTS
            noun = "weighings" if key in _PER_WEIGHING else "doses"
            result.append(
                attrs.evolve(
                    first,
                    message=f"{len(items)} {noun}; the first ({subject}): {first.message}",
                    subject=shown + (f" and {more} more" if more > 0 else ""),
                )
            )
        return result


_PER_WEIGHING = frozenset({"weights", "weight-change"})
"""Collector keys whose findings are about weighings, not doses."""

_STOPS = {
    "volume-above-maximum": "DO NOT DOSE: volume above the route's maximum",
    "volume-below-graduation": "DO NOT DOSE: volume too small to measure",
}
"""What a sheet prints in place of the volume for a dose an error-level finding stops."""


def _dose(
    treatment: PlanTreatment,
    rates: Rates,
    weighing: Weighing | None,
    grams: Decimal | None,
    vehicle: bool,
    syringes: _Syringes,
    limits: Sequence[tuple[Decimal, bool]] = (),
) -> tuple[Dose, Decimal | None, Decimal | None]:
    """Return the dose, its unrounded volume in mL and the syringe graduation in mL."""
    unit = treatment.amount_unit
    concentration = treatment.concentration if not vehicle else Q_(0, treatment.concentration.units)
    if rates.per_kg and weighing is None:
        return (
            Dose(
                weight=None,
                amount=None,
                concentration=concentration,
                volume=None,
                measured=None,
                syringe=None,
            ),
            None,
            None,
        )
    factor = grams if rates.per_kg and grams is not None else Decimal(1)
    volume = rates.volume * factor
    amount = Decimal(0) if vehicle else rates.amount * factor
    syringe, graduation = syringes(volume)
    ceilings = [c * (grams if per_kg and grams is not None else 1) for c, per_kg in limits]
    measured = drawn_volume(volume, graduation, ceilings) if graduation is not None else volume
    dose = Dose(
        weight=weighing.weight if weighing is not None else None,
        amount=Q_(amount, unit),
        concentration=concentration,
        volume=Q_(volume, "mL"),
        measured=Q_(measured, "mL") if measured is not None else None,
        syringe=syringe,
    )
    return dose, volume, graduation


def _ceilings(limit: VolumeLimit | None) -> list[tuple[Decimal, bool]]:
    """The limits a drawn-up volume must not be rounded past: (mL per g or mL, per body mass)."""
    if limit is None:
        return []
    unit = "mL/g" if limit.per == "kg" else "mL"
    return [
        (Decimal(fact.value.to(unit).magnitude), limit.per == "kg")
        for fact in (limit.good_practice, limit.maximum)
    ]


def _dose_findings(
    dose: Dose,
    volume: Decimal,
    graduation: Decimal | None,
    reference: Reference,
    treatment: PlanTreatment,
    species: Species,
) -> list[Finding]:
    findings: list[Finding] = []
    assert dose.volume is not None
    if (
        graduation is None
        or round_step(volume, graduation) == 0
        or volume < graduation * HARD_TO_MEASURE
    ):
        findings += check_syringe(dose.volume, dose.syringe, reference, subject="")
    limit = reference.volume_limit(species, treatment.route)
    if limit is not None and (limit.per == "kg") != treatment.per_kg:
        findings += check_volume(
            dose.volume, dose.weight, limit, reference, species=species, route=treatment.route
        )
    return findings


def _weight_findings(
    cohort: Cohort,
    grams_of: dict[int, Decimal],
    species: Species,
    reference: Reference,
    collector: _Collector,
    stops: dict[int, str],
) -> None:
    """Run the weight rule on every weighing outside the bounds where it finds nothing; an
    error stops the doses that use that weighing (recorded in ``stops`` by id())."""
    bounds = weight_bounds(species)
    if bounds is None:
        return
    low, high = (Decimal(q.to("g").magnitude) for q in bounds)
    for animal in cohort.animals:
        for weighing in animal.weighings:
            if not low <= grams_of[id(weighing)] <= high:
                day = "" if weighing.day is None else f", day {weighing.day}"
                found = check_weight(weighing.weight, species, reference)
                if any(f.level is Level.ERROR for f in found):
                    stops[id(weighing)] = STOP_REWEIGH
                collector.add("weights", f"animal {animal.id}{day}", found)


@attrs.frozen(kw_only=True)
class DoseTable:
    """Every distinct dose of a plan, what each batch must hold, and the per-dose findings."""

    doses: dict[tuple[int, bool, Decimal | None], Dose]
    """Shared doses by (treatment index, vehicle, weight in g)."""
    sums: dict[tuple[int, int, bool], list[Any]]
    """Per (day, treatment index, vehicle): [known volume in mL, injections, unweighed
    injections, codes of the vials]."""
    findings: tuple[Finding, ...]
    """The per-dose and per-weighing findings, merged by rule and treatment."""
    stops: dict[int, str]
    """Weighings (by id()) that stop the animal's doses, with what the sheet prints instead."""

    @property
    def unweighed(self) -> bool:
        """Whether some injection has no weighing to size it (the batches estimate it)."""
        return any(batch[2] for batch in self.sums.values())


def compute_doses(
    treatments: Sequence[PlanTreatment],
    cohort: Cohort,
    groups: Sequence[PlanGroup],
    allocation: Allocation,
    schedule: Sequence[Administration],
    species: Species,
    reference: Reference,
    *,
    grams_of: dict[int, Decimal],
    placeholder: bool,
    progress: Callable[[int, int], None] | None = None,
) -> DoseTable:
    """
    Compute each animal's dose of each treatment on each dosing day from its latest weighing,
    run the per-dose rules on each distinct dose (and, with real weights, the weight rules on
    each weighing), and add up what each batch must hold.
    """
    collector = _Collector()
    stops: dict[int, str] = {}
    if not placeholder:
        _weight_findings(cohort, grams_of, species, reference, collector, stops)
    syringes = _Syringes(reference)
    doses: dict[tuple[int, bool, Decimal | None], Dose] = {}
    sums: dict[tuple[int, int, bool], list[Any]] = {}
    missing = _Collector()
    steps, done = len(treatments) * len(cohort.animals), 0
    for treatment in treatments:
        given = [a for a in schedule if a.regimen == treatment.regimen.id]
        per_gram = rates(treatment, species)
        ceilings = _ceilings(reference.volume_limit(species, treatment.route))
        for number, animal in enumerate(cohort.animals):
            done += 1
            if progress is not None and done % 500 == 0:
                progress(done, steps)
            group = groups[allocation.groups[number]]
            if treatment.regimen.id in group.drug:
                vehicle = False
            elif treatment.regimen.id in group.vehicle:
                vehicle = True
            else:
                continue
            for administration in given:
                weighing = animal.weighing_on(administration.day)
                key = (
                    treatment.index,
                    vehicle,
                    None if weighing is None else grams_of[id(weighing)],
                )
                volume: Decimal | None
                if key not in doses:
                    dose, volume, graduation = _dose(
                        treatment, per_gram, weighing, key[2], vehicle, syringes, ceilings
                    )
                    if volume is not None:
                        found = _dose_findings(
                            dose, volume, graduation, reference, treatment, species
                        )
                        dose = _stopped(dose, found)
                        collector.add(
                            f"t{treatment.index}",
                            f"animal {animal.id}, day {administration.day}",
                            found,
                        )
                    doses[key] = dose
                dose = doses[key]
                volume = Decimal(dose.volume.magnitude) if dose.volume is not None else None
                batch = sums.setdefault(
                    (administration.day, treatment.index, vehicle), [Decimal(0), 0, 0, set()]
                )
                batch[1] += 1
                batch[3].add(group.code + treatment.label)
                if volume is None:
                    batch[2] += 1
                    if not placeholder:
                        missing.add(
                            f"t{treatment.index}",
                            f"animal {animal.id}, day {administration.day}",
                            [weighing_missing(animal.id, administration.day)],
                        )
                else:
                    batch[0] += volume
    if not placeholder:
        plausible = species.plausible_weight
        grams: tuple[Decimal, Decimal] | None = None
        if plausible is not None:
            low, high = plausible.value
            grams = (Decimal(low.to("g").magnitude), Decimal(high.to("g").magnitude))
        for subject, changed, finding in weight_change_findings(
            cohort, grams_of, reference, plausible=grams
        ):
            if finding.level is Level.ERROR:
                stops.setdefault(id(changed), "DO NOT DOSE: reweigh and examine")
            collector.add("weight-change", subject, [finding])
    return DoseTable(
        doses=doses,
        sums=sums,
        findings=tuple(collector.merged() + missing.merged()),
        stops=stops,
    )


def _stopped(dose: Dose, findings: Sequence[Finding]) -> Dose:
    """The dose, marked as stopped when an error-level finding is about it."""
    for finding in findings:
        if finding.level is Level.ERROR:
            return attrs.evolve(
                dose, stop=_STOPS.get(finding.code, "DO NOT DOSE: see the findings")
            )
    return dose
