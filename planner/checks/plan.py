"""
The plan-wide safety checks that look across doses, days and groups, each naming its rule and
its source (a citation, or "assumed" with the reason):

- injection sites per day (i.m. and s.c., Diehl et al. 2001);
- the total volume given by one route in one day, against the maximum for one dose (assumed);
- co-solvent shares against common tolerability limits (assumed: no source on record);
- a change of weight between weighings larger than a set share (assumed threshold);
- a dose stated per kg where the regimen's is per animal, or the reverse;
- a blinded sheet that would reveal the group (groups receiving different injections).

Each function is pure and returns findings. A plan runs :data:`TREATMENT_RULES` on each treatment
and :data:`PLAN_RULES` on the whole plan (:func:`planner.study.build.build_plan`), and the
weight-change rule on its weighings; the limits each rule applies are listed by
:mod:`planner.checks.rules`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Protocol

import attrs

from planner.findings import Finding, Level
from planner.knowledge.protocols import Treatment
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Reference, Species
from planner.knowledge.regimens import Regimen
from planner.knowledge.routes import Route
from planner.units.format import format_entered, format_quantity
from planner.units.registry import Q_, Kind, Quantity, is_kind

__all__ = [
    "COSOLVENT_LIMITS",
    "DAILY_VOLUME_RULE",
    "PLAN_RULES",
    "SITES_PER_DAY",
    "TREATMENT_RULES",
    "WEIGHT_CHANGE",
    "WEIGHT_CHANGE_STOP",
    "GroupView",
    "PlanFacts",
    "TreatmentView",
    "blinding_findings",
    "cohort_size_findings",
    "cosolvent_findings",
    "daily_volume_findings",
    "dose_basis_findings",
    "plan_findings",
    "site_findings",
    "treatment_findings",
    "weight_change_findings",
]


# --- what the rules read: plain data, described by the attributes they use ---------------------
# The plan's own classes (planner.study) have these attributes; the checks never import them, so
# that a rule can be called with any record that has them (a test's, a study record's).


class TreatmentView(Protocol):
    """A protocol treatment resolved against its documented regimen."""

    @property
    def treatment(self) -> Treatment: ...
    @property
    def regimen(self) -> Regimen: ...
    @property
    def route(self) -> Route: ...


class GroupView(Protocol):
    """A group of a plan: its position, blinding code and what it receives."""

    @property
    def index(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def drug(self) -> tuple[str, ...]: ...
    @property
    def vehicle(self) -> tuple[str, ...]: ...


class AdministrationView(Protocol):
    """One administration of a regimen on a study day."""

    @property
    def regimen(self) -> str: ...
    @property
    def day(self) -> int: ...


class WeighingView(Protocol):
    @property
    def day(self) -> int | None: ...
    @property
    def weight(self) -> Quantity: ...


class AnimalView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def weighings(self) -> Sequence[WeighingView]: ...


class CohortView(Protocol):
    @property
    def animals(self) -> Sequence[AnimalView]: ...


_DIEHL_FOOTNOTE = "Table 1 footnote (as reproduced)"

SITES_PER_DAY: dict[Route, Fact[int]] = {
    Route.IM: Fact(value=2, status=Status.STATED, source=_DIEHL_FOOTNOTE, citation="diehl2001"),
    Route.SC: Fact(
        value=3,
        status=Status.STATED,
        source=_DIEHL_FOOTNOTE + ": 2-3 s.c. sites per day; the upper figure is used",
        citation="diehl2001",
    ),
}
"""Most injection sites a route takes in one animal in one day."""

_NO_SOURCE = "a common tolerability limit for rodent injections; no source on record: verify with your veterinarian"

COSOLVENT_LIMITS: tuple[tuple[str, str, Fact[Quantity]], ...] = (
    (
        "DMSO",
        r"\bdmso\b|dimethyl ?sulfoxide",
        Fact(value=Q_(10, "percent"), status=Status.ASSUMED, source=_NO_SOURCE),
    ),
    (
        "ethanol",
        r"\bethanol\b|\balcohol\b",
        Fact(value=Q_(10, "percent"), status=Status.ASSUMED, source=_NO_SOURCE),
    ),
    (
        "Tween-80",
        r"tween|polysorbate",
        Fact(value=Q_(10, "percent"), status=Status.ASSUMED, source=_NO_SOURCE),
    ),
    (
        "PEG-400",
        r"\bpeg\b|peg-?\d|polyethylene glycol",
        Fact(value=Q_(50, "percent"), status=Status.ASSUMED, source=_NO_SOURCE),
    ),
    (
        "N-methyl-2-pyrrolidone",
        r"\bnmp\b|methyl-2-pyrrolidone",
        Fact(value=Q_(20, "percent"), status=Status.ASSUMED, source=_NO_SOURCE),
    ),
)
"""Highest share (v/v) of a co-solvent in an injected solution: (name, pattern, limit)."""

WEIGHT_CHANGE = Fact(
    value=Q_(10, "percent"),
    status=Status.ASSUMED,
    source=(
        "planner's default: a change of more than 10 % between two weighings is more often a "
        "typo or a sick animal than growth; check the animal and the record"
    ),
)
"""Largest change of body weight between consecutive weighings that passes without a warning."""

WEIGHT_CHANGE_STOP = Fact(
    value=Q_(20, "percent"),
    status=Status.ASSUMED,
    source=(
        "planner's default: a change of more than 20 % between two weighings is a slip in the "
        "weighing or the record, or an animal at a humane endpoint (a loss of 20 % is the limit "
        "commonly used): the animal is not dosed until it is reweighed and examined"
    ),
)
"""Largest change of body weight between consecutive weighings at which the animal is still
dosed; beyond it the change is an error for that animal."""


def _provenance(reference: Reference, fact: Fact[object]) -> str:
    return reference.provenance(fact, fact.citation or "")


def cosolvent_findings(treatment: TreatmentView, reference: Reference) -> list[Finding]:
    """Warn when a vehicle component's share is above its common tolerability limit."""
    findings = []
    for component in treatment.treatment.vehicle.value.components:
        if component.percent is None:
            continue
        for name, pattern, limit in COSOLVENT_LIMITS:
            if not re.search(pattern, component.name, re.IGNORECASE):
                continue
            if component.percent.to("percent").magnitude > limit.value.magnitude:
                findings.append(
                    Finding(
                        level=Level.WARNING,
                        code="cosolvent-above-limit",
                        message=(
                            f"{component.name} is {format_quantity(component.percent)} of the "
                            f"{treatment.regimen.id} vehicle, above the {format_quantity(limit.value)} "
                            f"usually tolerated for {name} ({treatment.route.title})"
                        ),
                        subject=treatment.regimen.id,
                        source=_provenance(reference, limit),
                    )
                )
            break
    return findings


def weight_change_findings(
    cohort: CohortView,
    grams_of: dict[int, Decimal],
    reference: Reference,
    threshold: Fact[Quantity] = WEIGHT_CHANGE,
    *,
    stop: Fact[Quantity] = WEIGHT_CHANGE_STOP,
    plausible: tuple[Decimal, Decimal] | None = None,
) -> list[tuple[str, WeighingView, Finding]]:
    """
    Return (subject, weighing, finding) for every weighing that differs from the animal's
    previous one by more than ``threshold`` (a warning) or more than ``stop`` (an error: the
    animal is not dosed with that weighing), as a share of the previous weight. A change
    exactly at a threshold passes. Weighings outside ``plausible`` (g) are errors of their own
    and are left out of the comparison, so that one slip does not stop the next weighing too.
    """
    limit = Decimal(threshold.value.to("percent").magnitude)
    ceiling = Decimal(stop.value.to("percent").magnitude)
    found: list[tuple[str, WeighingView, Finding]] = []
    for animal in cohort.animals:
        dated = [
            w
            for w in animal.weighings
            if w.day is not None
            and (plausible is None or plausible[0] <= grams_of[id(w)] <= plausible[1])
        ]
        for before, after in itertools.pairwise(dated):
            old, new = grams_of[id(before)], grams_of[id(after)]
            change = (new - old) / old * 100
            if abs(change) <= limit:
                continue
            error = abs(change) > ceiling
            rule = stop if error else threshold
            found.append(
                (
                    f"animal {animal.id}, day {after.day}",
                    after,
                    Finding(
                        level=Level.ERROR if error else Level.WARNING,
                        code="weight-change-stop" if error else "weight-change",
                        message=(
                            f"animal {animal.id} weighed {format_entered(after.weight, 'g')} on "
                            f"day {after.day} and {format_entered(before.weight, 'g')} on day "
                            f"{before.day}: a change of {'+' if change > 0 else '-'}{format_quantity(Q_(abs(change), 'percent'), sig=3)}, "
                            f"more than {format_quantity(rule.value)}: "
                            + (
                                "DO NOT DOSE: reweigh and examine the animal"
                                if error
                                else "check the animal and the record"
                            )
                        ),
                        subject=f"animal {animal.id}",
                        source=_provenance(reference, rule),
                    ),
                )
            )
    return found


def _receives(group: GroupView) -> frozenset[str]:
    return frozenset((*group.drug, *group.vehicle))


def _per_day(
    groups: Sequence[GroupView],
    treatments: Sequence[TreatmentView],
    schedule: Iterable[AdministrationView],
) -> dict[tuple[int, int, Route], list[TreatmentView]]:
    """Injections per (group index, day, route)."""
    by_regimen = {t.regimen.id: t for t in treatments}
    found: dict[tuple[int, int, Route], list[TreatmentView]] = {}
    for administration in schedule:
        treatment = by_regimen[administration.regimen]
        for group in groups:
            if treatment.regimen.id in _receives(group):
                key = (group.index, administration.day, treatment.route)
                found.setdefault(key, []).append(treatment)
    return found


def site_findings(
    groups: Sequence[GroupView],
    treatments: Sequence[TreatmentView],
    schedule: Iterable[AdministrationView],
    reference: Reference,
) -> list[Finding]:
    """Warn when animals get more i.m. or s.c. injections in a day than the sites allowed."""
    findings = []
    seen = set()
    for (index, day, route), given in sorted(
        _per_day(groups, treatments, schedule).items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        limit = SITES_PER_DAY.get(route)
        if limit is None or len(given) <= limit.value or (index, route) in seen:
            continue
        seen.add((index, route))
        findings.append(
            Finding(
                level=Level.WARNING,
                code="sites-per-day",
                message=(
                    f"group {groups[index].code} gets {len(given)} {route.title} injections on "
                    f"day {day}; at most {limit.value} sites a day are advised"
                ),
                subject=f"group {groups[index].code}",
                source=_provenance(reference, limit),
            )
        )
    return findings


DAILY_VOLUME_RULE = Fact(
    value="the maximum for one dose",
    status=Status.ASSUMED,
    source=(
        "Diehl et al. 2001 give limits for one administration; planner assumes that the volumes "
        "given by one route in one day should not add up to more than the maximum for one dose"
    ),
)


def daily_volume_findings(
    groups: Sequence[GroupView],
    treatments: Sequence[TreatmentView],
    schedule: Iterable[AdministrationView],
    species: Species,
    reference: Reference,
) -> list[Finding]:
    """
    Warn when the injections one animal gets by one route in one day add up to more than that
    route's maximum for one dose (per kg routes only; per-injection limits such as i.t. are
    checked injection by injection).
    """
    findings = []
    seen = set()
    for (index, day, route), given in sorted(
        _per_day(groups, treatments, schedule).items(), key=lambda kv: (kv[0][1], kv[0][0])
    ):
        limit = reference.volume_limit(species, route)
        if limit is None or limit.per != "kg" or len(given) < 2 or (index, route) in seen:
            continue
        volumes = [t.treatment.dose_volume.value for t in given]
        if not all(is_kind(v, Kind.DOSE_VOLUME) for v in volumes):
            continue
        total = sum((v.to("mL/kg") for v in volumes), Q_(0, "mL/kg"))
        if total > limit.maximum.value:
            seen.add((index, route))
            findings.append(
                Finding(
                    level=Level.WARNING,
                    code="daily-volume-above-maximum",
                    message=(
                        f"group {groups[index].code} gets {len(given)} {route.title} injections on "
                        f"day {day} adding up to {format_quantity(total, 'mL/kg')}, more than "
                        f"{DAILY_VOLUME_RULE.value} ({format_quantity(limit.maximum.value, 'mL/kg')})"
                    ),
                    subject=f"group {groups[index].code}",
                    source=f"{reference.provenance(limit.maximum, limit.citation)}; rule {_provenance(reference, DAILY_VOLUME_RULE)}",
                )
            )
    return findings


def dose_basis_findings(treatment: TreatmentView, reference: Reference) -> list[Finding]:
    """
    An error when the protocol states the dose per kg where the regimen states it per animal
    (intrathecal doses usually are), or the reverse.
    """
    given = treatment.treatment.dose.value
    documented = treatment.regimen.dose.value

    def basis(dose: Quantity) -> str:
        return "per animal" if is_kind(dose, Kind.AMOUNT) else "per body weight"

    if basis(given) == basis(documented):
        return []
    return [
        Finding(
            level=Level.ERROR,
            code="dose-basis-differs-from-regimen",
            message=(
                f"the protocol gives {format_quantity(given)} ({basis(given)}) but regimen "
                f"{treatment.regimen.id} is dosed {basis(documented)} "
                f"({format_quantity(documented)})"
            ),
            subject=treatment.regimen.id,
            source=reference.provenance(treatment.regimen.dose, treatment.regimen.citation),
        )
    ]


def blinding_findings(
    groups: Sequence[GroupView], treatments: Sequence[TreatmentView]
) -> list[Finding]:
    """
    Warn when a blinded sheet would reveal groups: some groups get an injection (drug or
    vehicle) of a treatment that others do not get at all, so the number of injections tells
    them apart. Vehicle doses have the drug's volume per kg by construction.
    """
    findings = []
    for treatment in treatments:
        without = [g for g in groups if treatment.regimen.id not in _receives(g)]
        if without and len(without) < len(groups):
            codes = ", ".join(g.code for g in without)
            findings.append(
                Finding(
                    level=Level.WARNING,
                    code="blinding-leak",
                    message=(
                        f"groups {codes} get no injection of {treatment.regimen.id} (neither drug "
                        "nor vehicle) while the others do: the dosing sheets show who is who; "
                        "give those groups the vehicle on the same schedule"
                    ),
                    subject=treatment.regimen.id,
                    source="blinding practice (ARRIVE 2.0 item 5): every group handled alike",
                )
            )
    return findings


def cohort_size_findings(animals: int, sizes: Sequence[int], source: str) -> list[Finding]:
    """Warn when the weights file holds another number of animals than the protocol's groups
    add up to: the groups are then made as equal as possible."""
    if animals == sum(sizes):
        return []
    return [
        Finding(
            level=Level.WARNING,
            code="cohort-size-differs",
            message=(
                f"the weights file has {animals} animals, but the protocol's "
                f"groups add up to {sum(sizes)}: groups are made as equal as possible"
            ),
            subject=source,
        )
    ]


# --- the lists a plan runs ---------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PlanFacts:
    """What the plan-wide rules look at: the groups, treatments and schedule of one plan."""

    groups: Sequence[GroupView]
    treatments: Sequence[TreatmentView]
    schedule: Sequence[AdministrationView]
    species: Species
    reference: Reference


TREATMENT_RULES: tuple[Callable[[TreatmentView, Reference], list[Finding]], ...] = (
    cosolvent_findings,
    dose_basis_findings,
)
"""The rules a plan runs on each of its treatments, in the order their findings are listed."""


def _sites(facts: PlanFacts) -> list[Finding]:
    return site_findings(facts.groups, facts.treatments, facts.schedule, facts.reference)


def _daily_volume(facts: PlanFacts) -> list[Finding]:
    return daily_volume_findings(
        facts.groups, facts.treatments, facts.schedule, facts.species, facts.reference
    )


def _blinding(facts: PlanFacts) -> list[Finding]:
    return blinding_findings(facts.groups, facts.treatments)


PLAN_RULES: tuple[Callable[[PlanFacts], list[Finding]], ...] = (_sites, _daily_volume, _blinding)
"""The rules a plan runs once across all its groups, days and treatments, in order."""


def treatment_findings(treatments: Sequence[TreatmentView], reference: Reference) -> list[Finding]:
    """Run :data:`TREATMENT_RULES` on each treatment in turn."""
    return [f for t in treatments for rule in TREATMENT_RULES for f in rule(t, reference)]


def plan_findings(facts: PlanFacts) -> list[Finding]:
    """Run :data:`PLAN_RULES`."""
    return [f for rule in PLAN_RULES for f in rule(facts)]
