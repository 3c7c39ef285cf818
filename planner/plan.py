"""
A plan: a protocol made concrete for one cohort. Who is in which group under which code, what
happens on which day, each animal's dose on each dosing day, the solutions to prepare, the
compound to order, every finding, and every assumption the plan rests on.

:func:`build_plan` is pure: no files, no printing, no formatting. Rendering is
:mod:`planner.render`'s job.

>>> from planner.loading import load_protocol
>>> plan = build_plan(load_protocol("obara2011-cci779-acute"), seed=1)
>>> len(plan.animals), [g.size for g in plan.groups]
(40, [8, 8, 8, 8, 8])
>>> row = next(plan.dose_rows())
>>> row.administration.day, row.dose.concentration == Q_("2.5", "mg/mL"), row.dose.volume
(7, True, None)
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import attrs

from planner.allocation import Allocation, Stratum, allocate, balanced_sizes
from planner.calendar import Administration, CalendarEvent, administrations, build_calendar
from planner.cohort import Animal, Cohort, Weighing, placeholder_cohort
from planner.conversions import per_area_to_per_mass
from planner.dosing import _check_syringe, check_volume, check_weight, drawn_volume
from planner.errors import DataFileError
from planner.findings import Finding, Level
from planner.format import round_step
from planner.knowledge import protocol_findings
from planner.preparation import Preparation, prepare_solution, prepare_vehicle
from planner.protocols import Protocol, Treatment, facts_of
from planner.provenance import Citation, Fact, Status
from planner.reference import Compound, Form, Reference, Route, Species, Syringe, VolumeLimit
from planner.regimens import Regimen
from planner.safety import (
    AppliedRule,
    blinding_findings,
    cosolvent_findings,
    daily_volume_findings,
    dose_basis_findings,
    rules_applied,
    site_findings,
    weight_change_findings,
)
from planner.units import Q_, Kind, Quantity, basis, is_kind

__all__ = [
    "DEFAULT_DEAD_VOLUME",
    "DEFAULT_OVERAGE",
    "Assumption",
    "Batch",
    "CompoundTotal",
    "Dose",
    "DoseRow",
    "Plan",
    "PlanGroup",
    "PlanTreatment",
    "build_plan",
]

DEFAULT_OVERAGE = Fact(
    value=Decimal("0.1"),
    status=Status.ASSUMED,
    source="planner's default: 10 % extra solution covers losses in drawing up and re-drawing",
)
"""Extra fraction of solution made for each batch."""
DEFAULT_DEAD_VOLUME = Fact(
    value=Q_("0.1", "mL"),
    status=Status.ASSUMED,
    source="planner's default: volume lost once per batch in the vial, syringe hub and needle",
)
"""Volume lost once per batch."""

# Per-dose checks that build_plan runs on each animal's own weight and volume; the protocol
# check runs them at the species' reference weight, which only matters without weights.
_PER_DOSE = frozenset(
    {
        "volume-hard-to-measure",
        "volume-below-graduation",
        "volume-exceeds-syringes",
        "weight-outside-range",
    }
)
_SHOWN_SUBJECTS = 5


@attrs.frozen(kw_only=True)
class PlanGroup:
    """A group as allocated: the protocol's group, its blinding code and its animals."""

    index: int
    """Position in the protocol's list of groups."""
    name: str
    condition: str
    code: str
    """Blinding code ("A", "B", ...): the only name used on bench sheets."""
    size: int
    """Number of animals allocated to it."""
    planned: Fact[int]
    """The protocol's n."""
    drug: tuple[str, ...]
    """Regimens whose compound it receives."""
    vehicle: tuple[str, ...]
    """Regimens whose vehicle alone it receives."""
    status: Status
    source: str
    animals: tuple[str, ...]
    """Ids of its animals, in cohort order."""


@attrs.frozen(kw_only=True)
class PlanTreatment:
    """One treatment of the protocol, resolved: regimen, compound, form, route, solution."""

    index: int
    """Position in the protocol's treatments."""
    treatment: Treatment
    regimen: Regimen
    compound: Compound
    form: Form
    """The form the dose is stated in (the parent compound unless the protocol names a form)."""
    route: Route
    concentration: Quantity
    """Concentration of the dosing solution, in the form the dose is stated in."""
    label: str
    """Suffix of the vial label ("1", "2") when animals get several treatments, else ""."""

    @property
    def per_kg(self) -> bool:
        """True when the injection volume scales with body weight."""
        return is_kind(self.treatment.dose_volume.value, Kind.DOSE_VOLUME)

    @property
    def amount_unit(self) -> str:
        """Unit the amount per animal is given in: mg, or umol for a molar dose."""
        return "mg" if basis(self.treatment.dose.value.units) == "mass" else "umol"


@attrs.frozen(kw_only=True)
class Dose:
    """One animal's dose of one treatment at one body weight (shared by equal weights)."""

    weight: Quantity | None
    """Body weight the dose is computed for; None when the animal has not been weighed."""
    amount: Quantity | None
    """Amount of compound (0 for vehicle); None when it needs a weight that is not known."""
    concentration: Quantity
    """Concentration of the solution injected (0 for vehicle)."""
    volume: Quantity | None
    """Injection volume, unrounded; None when it needs a weight that is not known."""
    measured: Quantity | None
    """The volume rounded to the syringe's graduation, as drawn up."""
    syringe: Syringe | None
    """The smallest syringe on record that holds the volume."""


@attrs.frozen(kw_only=True)
class DoseRow:
    """One administration to one animal."""

    animal: Animal
    group: PlanGroup
    treatment: PlanTreatment
    administration: Administration
    vehicle: bool
    """True for a vehicle-control administration (same volume, no compound)."""
    weighing: Weighing | None
    """The weighing the dose uses: the latest on or before the dose day."""
    dose: Dose

    @property
    def vial(self) -> str:
        """The coded vial the dose is drawn from: group code plus treatment label."""
        return self.group.code + self.treatment.label

    @property
    def compound(self) -> str:
        """The compound's name, or "vehicle"."""
        return "vehicle" if self.vehicle else self.treatment.compound.name


@attrs.frozen(kw_only=True)
class Batch:
    """One solution to prepare on one dosing day."""

    day: int
    treatment: PlanTreatment
    vehicle: bool
    """True for the vehicle alone."""
    codes: tuple[str, ...]
    """Codes of the vials to fill from it."""
    injections: int
    """Number of injections it covers."""
    estimated: int
    """How many of those volumes were estimated from an assumed weight (animal not weighed)."""
    preparation: Preparation


@attrs.frozen(kw_only=True)
class CompoundTotal:
    """Compound to weigh over the whole study for one treatment."""

    treatment: PlanTreatment
    form: Form
    """The form weighed."""
    mass: Quantity
    batches: int


@attrs.frozen(kw_only=True)
class Assumption:
    """A value the plan rests on that no source states."""

    key: str
    """Where it is: a protocol key path ("treatment[0].dose_volume"), or "plan.overage"."""
    fact: Fact[Any]


@attrs.frozen(kw_only=True)
class Plan:
    """Everything a printed plan shows, as data."""

    protocol: Protocol
    source: str
    """Where the protocol came from: a shipped id or a file path."""
    reference: Reference = attrs.field(eq=False, repr=False)
    citation: Citation
    species: Species
    cohort: Cohort
    seed: int
    allocation: Allocation
    groups: tuple[PlanGroup, ...]
    treatments: tuple[PlanTreatment, ...]
    administrations: tuple[Administration, ...]
    calendar: tuple[CalendarEvent, ...]
    start: datetime.date | None
    """Calendar date of study day 0, when given."""
    overage: Fact[Decimal]
    dead_volume: Fact[Quantity]
    estimate_weight: Fact[Quantity] | None
    """Weight assumed for unweighed animals when sizing batches, if any was needed."""
    batches: tuple[Batch, ...]
    totals: tuple[CompoundTotal, ...]
    findings: tuple[Finding, ...]
    assumptions: tuple[Assumption, ...]
    input_hash: str
    """SHA-256 (first 16 hex digits) of everything the numbers depend on: the protocol, the
    weights, seed, start, allocation options, overage, dead volume and the reference data used
    (species, volume limits, syringes, compounds and regimens)."""
    doses: dict[tuple[int, bool, Decimal | None], Dose] = attrs.field(eq=False, repr=False)
    """Shared doses by (treatment index, vehicle, weight in g)."""
    grams: dict[int, Decimal] = attrs.field(eq=False, repr=False)
    """Each weighing's weight in g, by id() of the Weighing (the cohort keeps them alive)."""

    @property
    def rules(self) -> tuple[AppliedRule, ...]:
        """Every limit the plan's checks apply, with its source (printed with the findings)."""
        used = {id(d.syringe): d.syringe for d in self.doses.values() if d.syringe is not None}
        syringes = sorted(used.values(), key=lambda s: s.capacity.value)
        return rules_applied(self.treatments, self.species, self.reference, syringes)

    @property
    def limit_profile(self) -> str:
        """The volume limits in use, for print: the lab's profile, or the shipped default."""
        return self.reference.profile_summary

    @property
    def animals(self) -> tuple[Animal, ...]:
        """The cohort's animals, in cohort order."""
        return self.cohort.animals

    def group_of(self, number: int) -> PlanGroup:
        """Return the group of the animal at position ``number`` of the cohort."""
        return self.groups[self.allocation.groups[number]]

    def date_of(self, day: int) -> datetime.date | None:
        """Return the calendar date of a study day, or None without a start date."""
        return None if self.start is None else self.start + datetime.timedelta(days=day)

    @property
    def dosing_days(self) -> tuple[int, ...]:
        """The days with at least one administration, in order."""
        return tuple(sorted({a.day for a in self.administrations}))

    def dose_rows(self, day: int | None = None) -> Iterator[DoseRow]:
        """
        Yield every administration to every animal (or those of one day): by time, then
        treatment order, then animal in cohort order. Rows are made on demand.
        """
        by_regimen = {t.regimen.id: t for t in self.treatments}
        members = [(animal, self.group_of(n)) for n, animal in enumerate(self.animals)]
        for administration in self.administrations:
            if day is not None and administration.day != day:
                continue
            treatment = by_regimen[administration.regimen]
            for animal, group in members:
                if treatment.regimen.id in group.drug:
                    vehicle = False
                elif treatment.regimen.id in group.vehicle:
                    vehicle = True
                else:
                    continue
                weighing = animal.weighing_on(administration.day)
                grams = None if weighing is None else self.grams[id(weighing)]
                yield DoseRow(
                    animal=animal,
                    group=group,
                    treatment=treatment,
                    administration=administration,
                    vehicle=vehicle,
                    weighing=weighing,
                    dose=self.doses[(treatment.index, vehicle, grams)],
                )

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error-level findings."""
        return tuple(f for f in self.findings if f.level is Level.ERROR)


def _weights_in_grams(cohort: Cohort) -> dict[int, Decimal]:
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


# --- treatments and doses ----------------------------------------------------------------------


def _resolve(
    protocol: Protocol, reference: Reference, source: str, several: bool
) -> tuple[PlanTreatment, ...]:
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
class _Rates:
    """A treatment's dose and volume as plain numbers in fixed units, for speed."""

    amount: Decimal
    """mg (or umol) per g of body weight, or per animal when not per_kg."""
    volume: Decimal
    """mL per g of body weight, or per animal when not per_kg."""
    per_kg: bool


def _rates(treatment: PlanTreatment, species: Species) -> _Rates:
    dose = treatment.treatment.dose.value
    if is_kind(dose, Kind.DOSE_PER_AREA):
        dose = per_area_to_per_mass(dose, species)
    volume = treatment.treatment.dose_volume.value
    unit = treatment.amount_unit
    if treatment.per_kg:
        return _Rates(
            amount=Decimal(dose.to(f"{unit}/g").magnitude),
            volume=Decimal(volume.to("mL/g").magnitude),
            per_kg=True,
        )
    return _Rates(
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
        result = []
        for items in self.found.values():
            subject, first = items[0]
            if len(items) == 1:
                result.append(attrs.evolve(first, subject=subject))
                continue
            subjects = list(dict.fromkeys(s for s, _ in items))
            shown = ", ".join(subjects[:_SHOWN_SUBJECTS])
            more = len(subjects) - _SHOWN_SUBJECTS
            result.append(
                attrs.evolve(
                    first,
                    message=f"{len(items)} doses; the first ({subject}): {first.message}",
                    subject=shown + (f" and {more} more" if more > 0 else ""),
                )
            )
        return result


def _dose(
    treatment: PlanTreatment,
    rates: _Rates,
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
    if graduation is None or round_step(volume, graduation) == 0 or volume < graduation * 10:
        findings += _check_syringe(dose.volume, dose.syringe, reference, subject="")
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
) -> None:
    if species.weight_range is None:
        return
    low, high = (Decimal(q.to("g").magnitude) for q in species.weight_range.value)
    for animal in cohort.animals:
        for weighing in animal.weighings:
            if not low <= grams_of[id(weighing)] <= high:
                day = "" if weighing.day is None else f", day {weighing.day}"
                collector.add(
                    "weights",
                    f"animal {animal.id}{day}",
                    check_weight(weighing.weight, species, reference),
                )


# --- the plan ---------------------------------------------------------------------------------


def _groups(protocol: Protocol, cohort: Cohort, allocation: Allocation) -> tuple[PlanGroup, ...]:
    result = []
    for index, group in enumerate(protocol.group):
        members = allocation.members(index)
        result.append(
            PlanGroup(
                index=index,
                name=group.name,
                condition=group.condition,
                code=allocation.codes[index],
                size=len(members),
                planned=group.n,
                drug=group.drug,
                vehicle=group.vehicle,
                status=group.status,
                source=group.source,
                animals=tuple(cohort.animals[m].id for m in members),
            )
        )
    return tuple(result)


def _input_hash(
    protocol: Protocol,
    cohort: Cohort,
    seed: int,
    start: datetime.date | None,
    block_size: int | None,
    stratify: Sequence[Stratum],
    *,
    overage: Decimal,
    dead_volume: Quantity,
    reference_text: str,
) -> str:
    from planner.format import unit_key
    from planner.loading import protocol_data

    texts: dict[Any, str] = {}

    def units(weighing: Weighing) -> str:
        unit = weighing.weight.units
        if unit not in texts:
            texts[unit] = unit_key(unit)
        return texts[unit]

    data = {
        "protocol": protocol_data(protocol),
        "id": protocol.id,
        "animals": [
            [a.id, a.cage, a.sex, [[str(w.weight.magnitude), units(w), w.day] for w in a.weighings]]
            for a in cohort.animals
        ],
        "seed": seed,
        "start": start.isoformat() if start else None,
        "block_size": block_size,
        "stratify": [s.value for s in stratify],
        "overage": str(overage),
        "dead_volume": str(dead_volume),
        # The reference data the numbers depend on: limits, syringes, species, compounds.
        "reference": reference_text,
    }
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _assumptions(
    protocol: Protocol, treatments: Sequence[PlanTreatment], extra: Sequence[Assumption]
) -> tuple[Assumption, ...]:
    found = [Assumption(key=key, fact=fact) for key, fact in facts_of(protocol) if fact.assumed]
    found += [
        Assumption(key=f"{protocol.group[n].name}: group", fact=_group_fact(g))
        for n, g in enumerate(protocol.group)
        if g.status is Status.ASSUMED
    ]
    seen = set()
    for treatment in treatments:
        regimen = treatment.regimen
        if regimen.id in seen:
            continue
        seen.add(regimen.id)
        found += [
            Assumption(key=f"regimen {regimen.id}: {name}", fact=fact)
            for name, fact in regimen.schedule_facts.items()
            if fact.assumed
        ]
    return tuple(found) + tuple(extra)


def _group_fact(group: Any) -> Fact[str]:
    return Fact(value=group.name, status=group.status, source=group.source)


def build_plan(
    protocol: Protocol,
    *,
    reference: Reference | None = None,
    weights: Cohort | None = None,
    seed: int,
    start: datetime.date | None = None,
    block_size: int | None = None,
    stratify: Sequence[Stratum] = (),
    source: str = "",
    overage: Fact[Decimal] = DEFAULT_OVERAGE,
    dead_volume: Fact[Quantity] = DEFAULT_DEAD_VOLUME,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """
    Make a protocol concrete for a cohort: allocation, blinding codes, calendar, doses,
    preparations, totals, findings and assumptions. Pure: reads and writes nothing.

    Args:
        protocol: a loaded, valid protocol.
        reference: the reference data it was checked against (default: the shipped data).
        weights: the cohort from a weights CSV; None for numbered animals with no weights
            (one per place in the protocol's groups; sheets leave the weights blank).
        seed: the allocation seed; the same seed gives the same plan.
        start: calendar date of study day 0.
        block_size, stratify: allocation options (:func:`planner.allocation.allocate`).
        source: where the protocol came from, for messages.
        progress: called as ``progress(done, total)`` while doses are computed (animals x
            treatments), for a progress bar; it must not raise.

    Raises:
        InputError: allocation options that do not fit the cohort (e.g. stratification by
            cage without cages).
        DataFileError: a treatment whose dose and dose volume need a solution per animal.
    """
    if reference is None:
        from planner.loading import load_reference

        reference = load_reference()
    source = source or protocol.id
    species = reference.find_species(protocol.species.value)
    citation = reference.citation(protocol.citation)
    placeholder = weights is None
    cohort = weights or placeholder_cohort(protocol.animals, prefix=species.name[:1].upper())
    findings: list[Finding] = []
    sizes = [g.n.value for g in protocol.group]
    if len(cohort.animals) != sum(sizes):
        findings.append(
            Finding(
                level=Level.WARNING,
                code="cohort-size-differs",
                message=(
                    f"the weights file has {len(cohort.animals)} animals, but the protocol's "
                    f"groups add up to {sum(sizes)}: groups are made as equal as possible"
                ),
                subject=cohort.source,
            )
        )
        if len(cohort.animals) < len(sizes):
            raise DataFileError(
                path=cohort.source,
                key="",
                message=(
                    f"{len(cohort.animals)} animal(s) for {len(sizes)} groups; expected at least "
                    "one animal per group"
                ),
            )
        sizes = list(balanced_sizes(len(cohort.animals), len(sizes)))
    allocation = allocate(
        cohort.animals, sizes, seed=seed, block_size=block_size, stratify=stratify
    )
    groups = _groups(protocol, cohort, allocation)
    several = len(protocol.treatment) > 1
    treatments = _resolve(protocol, reference, source, several)
    _, protocol_level = protocol_findings(protocol, reference, source=source)
    findings += [f for f in protocol_level if placeholder or f.code not in _PER_DOSE]

    collector = _Collector()
    grams_of = _weights_in_grams(cohort)
    if not placeholder:
        _weight_findings(cohort, grams_of, species, reference, collector)
    syringes = _Syringes(reference)
    doses: dict[tuple[int, bool, Decimal | None], Dose] = {}
    sums: dict[tuple[int, int, bool], list[Any]] = {}
    estimate: Fact[Quantity] | None = None
    missing = _Collector()
    schedule = administrations(protocol)
    steps, done = len(treatments) * len(cohort.animals), 0
    for treatment in treatments:
        given = [a for a in schedule if a.regimen == treatment.regimen.id]
        rates = _rates(treatment, species)
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
                        treatment, rates, weighing, key[2], vehicle, syringes, ceilings
                    )
                    doses[key] = dose
                    if volume is not None:
                        collector.add(
                            f"t{treatment.index}",
                            f"animal {animal.id}, day {administration.day}",
                            _dose_findings(dose, volume, graduation, reference, treatment, species),
                        )
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
                            [
                                Finding(
                                    level=Level.WARNING,
                                    code="weight-missing",
                                    message=(
                                        f"no weighing of animal {animal.id} on or before day "
                                        f"{administration.day}: its volume is left blank; weigh "
                                        "it and enter the volume by hand or re-plan"
                                    ),
                                )
                            ],
                        )
                else:
                    batch[0] += volume
    if not placeholder:
        for subject, finding in weight_change_findings(cohort, grams_of, reference):
            collector.add("weight-change", subject, [finding])
    findings += collector.merged() + missing.merged()
    for treatment in treatments:
        findings += cosolvent_findings(treatment, reference)
        findings += dose_basis_findings(treatment, reference)
    findings += site_findings(groups, treatments, schedule, reference)
    findings += daily_volume_findings(groups, treatments, schedule, species, reference)
    findings += blinding_findings(groups, treatments)
    if placeholder:
        findings.append(
            Finding(
                level=Level.INFO,
                code="no-weights",
                message=(
                    "no weights file: animals are numbered placeholders and the weight and volume "
                    "columns are left for hand entry; give --weights to have them filled in"
                ),
            )
        )

    extra: list[Assumption] = [
        Assumption(key="plan.overage", fact=overage),
        Assumption(key="plan.dead_volume", fact=dead_volume),
    ]
    if any(b[2] for b in sums.values()):
        high = species.weight_range.value[1] if species.weight_range else None
        weight = high if high is not None else species.reference_weight.value
        estimate = Fact(
            value=weight,
            status=Status.ASSUMED,
            source=(
                "unweighed animals are counted at the top of the species' weight range when "
                "sizing the solutions, so that there is enough; weigh them and re-plan"
                if high is not None
                else "unweighed animals are counted at the species' reference weight"
            ),
        )
        extra.append(Assumption(key="plan.estimate_weight", fact=estimate))
    used = {id(d.syringe): d.syringe for d in doses.values() if d.syringe is not None}
    extra += [
        Assumption(key=f"syringe {s.name}: graduation", fact=s.graduation)
        for s in used.values()
        if s.graduation.assumed
    ]

    batches = _batches(treatments, sums, estimate, species, overage, dead_volume)
    totals = _totals(treatments, batches)
    findings.sort(key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.level.value])
    return Plan(
        protocol=protocol,
        source=source,
        reference=reference,
        citation=citation,
        species=species,
        cohort=cohort,
        seed=seed,
        allocation=allocation,
        groups=groups,
        treatments=treatments,
        administrations=schedule,
        calendar=build_calendar(protocol),
        start=start,
        overage=overage,
        dead_volume=dead_volume,
        estimate_weight=estimate,
        batches=batches,
        totals=totals,
        findings=tuple(findings),
        assumptions=_assumptions(protocol, treatments, extra),
        input_hash=_input_hash(
            protocol,
            cohort,
            seed,
            start,
            block_size,
            stratify,
            overage=overage.value,
            dead_volume=dead_volume.value,
            reference_text=repr(
                (
                    species,
                    reference.limits,
                    reference.syringes,
                    [(t.compound, t.regimen) for t in treatments],
                )
            ),
        ),
        doses=doses,
        grams=grams_of,
    )


def _batches(
    treatments: Sequence[PlanTreatment],
    sums: dict[tuple[int, int, bool], list[Any]],
    estimate: Fact[Quantity] | None,
    species: Species,
    overage: Fact[Decimal],
    dead_volume: Fact[Quantity],
) -> tuple[Batch, ...]:
    result = []
    for (day, index, vehicle), (known, count, unknown, codes) in sorted(sums.items()):
        treatment = treatments[index]
        total = known
        if unknown:
            assert estimate is not None
            rates = _rates(treatment, species)
            grams = Decimal(estimate.value.to("g").magnitude)
            total += rates.volume * grams * unknown
        volumes = [Q_(total, "mL")]
        components = treatment.treatment.vehicle.value.components
        if vehicle:
            preparation = prepare_vehicle(
                volumes=volumes,
                vehicle=components,
                overage=overage.value,
                dead_volume=dead_volume.value,
            )
        else:
            preparation = prepare_solution(
                concentration=treatment.concentration,
                volumes=volumes,
                overage=overage.value,
                dead_volume=dead_volume.value,
                vehicle=components,
                compound=treatment.compound,
                dose_form=treatment.form,
                weigh_form=treatment.form,
            )
        result.append(
            Batch(
                day=day,
                treatment=treatment,
                vehicle=vehicle,
                codes=tuple(sorted(codes)),
                injections=count,
                estimated=unknown,
                preparation=preparation,
            )
        )
    return tuple(result)


def _totals(
    treatments: Sequence[PlanTreatment], batches: Sequence[Batch]
) -> tuple[CompoundTotal, ...]:
    result = []
    for treatment in treatments:
        mine = [b for b in batches if b.treatment.index == treatment.index and not b.vehicle]
        if not mine:
            continue
        mass = sum((b.preparation.mass_to_weigh for b in mine), Q_(0, "mg"))
        result.append(
            CompoundTotal(treatment=treatment, form=treatment.form, mass=mass, batches=len(mine))
        )
    return tuple(result)
