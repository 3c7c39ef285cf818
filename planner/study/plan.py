"""
A plan: a protocol made concrete for one cohort. Who is in which group under which code, what
happens on which day, each animal's dose on each dosing day, the solutions to prepare, the
compound to order, every finding, and every assumption the plan rests on.

This module holds the plan's data; :func:`planner.study.build.build_plan` makes one (pure: no
files, no printing, no formatting). Rendering is :mod:`planner.documents`' job.

>>> from planner.knowledge.loading import load_protocol
>>> from planner.study.build import build_plan
>>> plan = build_plan(load_protocol("obara2011-cci779-acute"), seed=1)
>>> len(plan.animals), [g.size for g in plan.groups]
(40, [8, 8, 8, 8, 8])
>>> row = next(plan.dose_rows())
>>> row.administration.day, row.dose.concentration == Q_("2.5", "mg/mL"), row.dose.volume
(7, True, None)
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs

from planner.checks.rules import AppliedRule, rules_applied
from planner.dosing.preparation import Preparation
from planner.findings import Finding, Level
from planner.knowledge.protocols import Protocol, Treatment
from planner.knowledge.provenance import Citation, Fact, Status
from planner.knowledge.reference import Compound, Form, Reference, Species, Syringe
from planner.knowledge.regimens import Regimen
from planner.knowledge.routes import Route
from planner.study.allocation import Allocation
from planner.study.calendar import Administration, CalendarEvent
from planner.study.cohort import Animal, Cohort, Weighing
from planner.units.registry import Q_, Kind, Quantity, basis, is_kind

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
    stop: str = ""
    """What a sheet prints instead of the volume when an error-level finding stops this dose
    ("DO NOT DOSE: ..."); "" when it may be given."""


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
    stop: str = ""
    """What the sheet prints instead of the volume when this animal must not be dosed
    ("DO NOT DOSE: reweigh", ...): its weighing or its dose raised an error; "" otherwise."""

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
    stops: dict[int, str] = attrs.field(factory=dict, eq=False, repr=False)
    """Weighings (by id()) whose animal must not be dosed with them, with what the sheet
    prints instead of the volume."""

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
                dose = self.doses[(treatment.index, vehicle, grams)]
                stop = "" if weighing is None else self.stops.get(id(weighing), "")
                yield DoseRow(
                    animal=animal,
                    group=group,
                    treatment=treatment,
                    administration=administration,
                    vehicle=vehicle,
                    weighing=weighing,
                    dose=dose,
                    stop=stop or dose.stop,
                )

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error-level findings."""
        return tuple(f for f in self.findings if f.level is Level.ERROR)
