"""
The plan-wide safety checks that look across doses, days and groups, each naming its rule and
its source (a citation, or "assumed" with the reason):

- injection sites per day (i.m. and s.c., Diehl et al. 2001);
- the total volume given by one route in one day, against the maximum for one dose (assumed);
- co-solvent shares against common tolerability limits (assumed: no source on record);
- a change of weight between weighings larger than a set share (assumed threshold);
- a dose stated per kg where the regimen's is per animal, or the reverse;
- a blinded sheet that would reveal the group (groups receiving different injections).

Each function is pure and returns findings; :func:`planner.plan.build_plan` runs them all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from planner.findings import Finding, Level
from planner.format import format_quantity, unit_key
from planner.provenance import Fact, Status
from planner.reference import Reference, Route, Species, Syringe
from planner.units import Q_, Kind, Quantity, is_kind

if TYPE_CHECKING:
    from planner.calendar import Administration
    from planner.cohort import Cohort
    from planner.plan import PlanGroup, PlanTreatment

__all__ = [
    "COSOLVENT_LIMITS",
    "SITES_PER_DAY",
    "WEIGHT_CHANGE",
    "AppliedRule",
    "blinding_findings",
    "cosolvent_findings",
    "daily_volume_findings",
    "dose_basis_findings",
    "limits_json",
    "rules_applied",
    "site_findings",
    "weight_change_findings",
]

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


def _provenance(reference: Reference, fact: Fact[object]) -> str:
    return reference.provenance(fact, fact.citation or "")


def cosolvent_findings(treatment: PlanTreatment, reference: Reference) -> list[Finding]:
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
    cohort: Cohort,
    grams_of: dict[int, Decimal],
    reference: Reference,
    threshold: Fact[Quantity] = WEIGHT_CHANGE,
) -> list[tuple[str, Finding]]:
    """
    Return (subject, finding) for every weighing that differs from the animal's previous one
    by more than ``threshold`` (a share of the previous weight). A change exactly at the
    threshold passes.
    """
    limit = Decimal(threshold.value.to("percent").magnitude)
    found = []
    for animal in cohort.animals:
        dated = [w for w in animal.weighings if w.day is not None]
        for before, after in itertools.pairwise(dated):
            old, new = grams_of[id(before)], grams_of[id(after)]
            change = (new - old) / old * 100
            if abs(change) > limit:
                found.append(
                    (
                        f"animal {animal.id}, day {after.day}",
                        Finding(
                            level=Level.WARNING,
                            code="weight-change",
                            message=(
                                f"animal {animal.id} weighed {format_quantity(after.weight, 'g')} on "
                                f"day {after.day} and {format_quantity(before.weight, 'g')} on day "
                                f"{before.day}: a change of {'+' if change > 0 else '-'}{format_quantity(Q_(abs(change), 'percent'), sig=3)}, "
                                f"more than {format_quantity(threshold.value)}: check the animal and "
                                "the record"
                            ),
                            source=_provenance(reference, threshold),
                        ),
                    )
                )
    return found


def _receives(group: PlanGroup) -> frozenset[str]:
    return frozenset((*group.drug, *group.vehicle))


def _per_day(
    groups: Sequence[PlanGroup],
    treatments: Sequence[PlanTreatment],
    schedule: Iterable[Administration],
) -> dict[tuple[int, int, Route], list[PlanTreatment]]:
    """Injections per (group index, day, route)."""
    by_regimen = {t.regimen.id: t for t in treatments}
    found: dict[tuple[int, int, Route], list[PlanTreatment]] = {}
    for administration in schedule:
        treatment = by_regimen[administration.regimen]
        for group in groups:
            if treatment.regimen.id in _receives(group):
                key = (group.index, administration.day, treatment.route)
                found.setdefault(key, []).append(treatment)
    return found


def site_findings(
    groups: Sequence[PlanGroup],
    treatments: Sequence[PlanTreatment],
    schedule: Iterable[Administration],
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


_DAILY_RULE = Fact(
    value="the maximum for one dose",
    status=Status.ASSUMED,
    source=(
        "Diehl et al. 2001 give limits for one administration; planner assumes that the volumes "
        "given by one route in one day should not add up to more than the maximum for one dose"
    ),
)


def daily_volume_findings(
    groups: Sequence[PlanGroup],
    treatments: Sequence[PlanTreatment],
    schedule: Iterable[Administration],
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
                        f"{_DAILY_RULE.value} ({format_quantity(limit.maximum.value, 'mL/kg')})"
                    ),
                    subject=f"group {groups[index].code}",
                    source=f"{reference.provenance(limit.maximum, limit.citation)}; rule {_provenance(reference, _DAILY_RULE)}",
                )
            )
    return findings


def dose_basis_findings(treatment: PlanTreatment, reference: Reference) -> list[Finding]:
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
    groups: Sequence[PlanGroup], treatments: Sequence[PlanTreatment]
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


# --- the rules a plan applies -------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AppliedRule:
    """One limit a plan is checked against, as the plan prints it: what, for what, and why."""

    rule: str
    """What is limited, e.g. "volume per dose, good practice"."""
    applies_to: str
    """What it is applied to, e.g. "mouse intraperitoneal"."""
    value: str
    """The limit, formatted, e.g. "20 mL/kg"."""
    source: str
    """Where the limit comes from (citation and locator), or for an assumed limit why it is
    assumed (print it beside an ASSUMED mark)."""
    assumed: bool
    """Whether the limit is assumed rather than taken from a source."""
    profile: str = ""
    """The short name of the limit profile a volume limit comes from; "" for other rules."""


def _rule_source(reference: Reference, fact: Fact[Any], citation: str = "") -> str:
    """A rule's source: citation and locator, or for an assumed value the reason alone (the
    plan marks it assumed beside it)."""
    return fact.source if fact.assumed else reference.provenance(fact, citation or fact.citation)


def _volume_rules(
    species: Species, routes: Sequence[Route], reference: Reference
) -> Iterator[AppliedRule]:
    for route in routes:
        where = f"{species.name} {route.title}"
        limit = reference.volume_limit(species, route)
        if limit is None:
            yield AppliedRule(
                rule="volume per dose",
                applies_to=where,
                value="no limit on record",
                source="check your institution's limits",
                assumed=True,
            )
            continue
        for fact, label in ((limit.good_practice, "good practice"), (limit.maximum, "maximum")):
            yield AppliedRule(
                rule=f"volume per dose, {label}",
                applies_to=where,
                value=limit.shown(fact),
                source=_rule_source(reference, fact, limit.citation),
                assumed=fact.assumed,
                profile=reference.limit_source(limit),
            )
        if limit.per == "kg":
            yield AppliedRule(
                rule="volume by one route in one day",
                applies_to=where,
                value=f"{_DAILY_RULE.value} ({limit.shown(limit.maximum)})",
                source=_rule_source(reference, _DAILY_RULE),
                assumed=True,
            )
        sites = SITES_PER_DAY.get(route)
        if sites is not None:
            yield AppliedRule(
                rule="injection sites per day",
                applies_to=where,
                value=f"at most {sites.value}",
                source=_rule_source(reference, sites),
                assumed=sites.assumed,
            )


def rules_applied(
    treatments: Sequence[PlanTreatment],
    species: Species,
    reference: Reference,
    syringes: Sequence[Syringe] = (),
) -> tuple[AppliedRule, ...]:
    """
    Every limit the plan's checks apply, for the species and the routes and vehicles the
    treatments use: volume limits (from the limit profile), sites and volume per day, co-solvent
    shares, body weight range and change, and the graduations of ``syringes`` (default: every
    syringe on record, when no volume is known yet).
    """
    routes = list(dict.fromkeys(t.route for t in treatments))
    rules = list(_volume_rules(species, routes, reference))
    names = {c.name for t in treatments for c in t.treatment.vehicle.value.components}
    for name, pattern, limit in COSOLVENT_LIMITS:
        used = sorted(n for n in names if re.search(pattern, n, re.IGNORECASE))
        if used:
            rules.append(
                AppliedRule(
                    rule=f"{name} share of the solution",
                    applies_to=", ".join(used),
                    value=f"at most {format_quantity(limit.value)} v/v",
                    source=_rule_source(reference, limit),
                    assumed=limit.assumed,
                )
            )
    if species.weight_range is not None:
        low, high = species.weight_range.value
        rules.append(
            AppliedRule(
                rule="body weight",
                applies_to=species.name,
                value=f"{format_quantity(low)} to {format_quantity(high)}",
                source=_rule_source(reference, species.weight_range, species.citation),
                assumed=species.weight_range.assumed,
            )
        )
    rules.append(
        AppliedRule(
            rule="weight change between weighings",
            applies_to=species.name,
            value=f"at most {format_quantity(WEIGHT_CHANGE.value)}",
            source=_rule_source(reference, WEIGHT_CHANGE),
            assumed=True,
        )
    )
    for syringe in syringes or reference.syringes:
        rules.append(
            AppliedRule(
                rule="smallest measurable step",
                applies_to=syringe.name,
                value=format_quantity(
                    syringe.graduation.value, unit_key(syringe.capacity.value.units)
                ),
                source=_rule_source(reference, syringe.graduation, syringe.citation),
                assumed=syringe.graduation.assumed,
            )
        )
    return tuple(rules)


def limits_json(profile: str, rules: Sequence[AppliedRule]) -> dict[str, Any]:
    """The limit profile in use and every rule applied, as JSON-ready data."""
    return {
        "profile": profile,
        "rules": [
            {
                "rule": r.rule,
                "applies_to": r.applies_to,
                "limit": r.value,
                "source": r.source,
                "status": "assumed" if r.assumed else "stated",
            }
            for r in rules
        ],
    }
