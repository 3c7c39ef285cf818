"""
Building a plan: a protocol made concrete for a cohort, as a short list of named steps. Pure:
reads and writes nothing.

>>> from planner.knowledge.loading import load_protocol
>>> plan = build_plan(load_protocol("obara2011-cci779-acute"), seed=1)
>>> len(plan.animals), [g.size for g in plan.groups]
(40, [8, 8, 8, 8, 8])
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from planner.checks.plan import (
    PlanFacts,
    cohort_size_findings,
    plan_findings,
    treatment_findings,
)
from planner.errors import DataFileError
from planner.findings import Finding, Level
from planner.knowledge.protocols import MAX_DOSES, Protocol, facts_of
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Reference, Species
from planner.study.allocation import Allocation, Stratum, allocate, balanced_sizes
from planner.study.batches import make_batches, totals
from planner.study.calendar import administrations, build_calendar
from planner.study.checking import protocol_findings
from planner.study.cohort import Cohort, Weighing, placeholder_cohort
from planner.study.doses import DoseTable, compute_doses, resolve_treatments, weights_in_grams
from planner.study.plan import (
    DEFAULT_DEAD_VOLUME,
    DEFAULT_OVERAGE,
    Assumption,
    Plan,
    PlanGroup,
    PlanTreatment,
)
from planner.units.registry import Quantity

__all__ = ["build_plan"]

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


_ORDER = {"error": 0, "warning": 1, "info": 2}

_NO_WEIGHTS = Finding(
    level=Level.INFO,
    code="no-weights",
    message=(
        "no weights file: animals are numbered placeholders and the weight and volume "
        "columns are left for hand entry; give --weights to have them filled in"
    ),
)


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
        block_size, stratify: allocation options (:func:`planner.study.allocation.allocate`).
        source: where the protocol came from, for messages.
        progress: called as ``progress(done, total)`` while doses are computed (animals x
            treatments), for a progress bar; it must not raise.

    Raises:
        InputError: allocation options that do not fit the cohort (e.g. stratification by
            cage without cages).
        DataFileError: a treatment whose dose and dose volume need a solution per animal.
    """
    if reference is None:
        from planner.knowledge.loading import load_reference

        reference = load_reference()
    source = source or protocol.id
    species = reference.find_species(protocol.species.value)
    placeholder = weights is None
    cohort = weights or placeholder_cohort(protocol.animals, prefix=species.name[:1].upper())

    findings, sizes = _group_sizes(protocol, cohort)
    allocation = allocate(
        cohort.animals, sizes, seed=seed, block_size=block_size, stratify=stratify
    )
    groups = _groups(protocol, cohort, allocation)
    treatments = resolve_treatments(protocol, reference, source)
    findings += _protocol_level(protocol, reference, source, placeholder)
    schedule = administrations(protocol)
    if len(cohort.animals) * len(schedule) > MAX_DOSES:
        raise DataFileError(
            path=cohort.source,
            key="",
            message=f"{len(cohort.animals):,} animals x {len(schedule):,} administrations make "
            f"more than {MAX_DOSES:,} doses; split the study",
        )
    grams_of = weights_in_grams(cohort)
    table = compute_doses(
        treatments,
        cohort,
        groups,
        allocation,
        schedule,
        species,
        reference,
        grams_of=grams_of,
        placeholder=placeholder,
        progress=progress,
    )
    findings += table.findings
    findings += treatment_findings(treatments, reference)
    findings += plan_findings(
        PlanFacts(
            groups=groups,
            treatments=treatments,
            schedule=schedule,
            species=species,
            reference=reference,
        )
    )
    if placeholder:
        findings.append(_NO_WEIGHTS)
    findings.sort(key=lambda f: _ORDER[f.level.value])

    estimate = _estimate_weight(species) if table.unweighed else None
    batches = make_batches(treatments, table.sums, estimate, species, overage, dead_volume)
    return Plan(
        protocol=protocol,
        source=source,
        reference=reference,
        citation=reference.citation(protocol.citation),
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
        totals=totals(treatments, batches),
        findings=tuple(findings),
        assumptions=_assumptions(
            protocol, treatments, _plan_assumptions(overage, dead_volume, estimate, table)
        ),
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
        doses=table.doses,
        grams=grams_of,
        stops=table.stops,
    )


# --- the steps --------------------------------------------------------------------------------


def _group_sizes(protocol: Protocol, cohort: Cohort) -> tuple[list[Finding], list[int]]:
    """The protocol's group sizes, or sizes as equal as possible for a cohort of another size
    (with the cohort-size finding); at least one animal per group."""
    sizes = [g.n.value for g in protocol.group]
    found = cohort_size_findings(len(cohort.animals), sizes, cohort.source)
    if not found:
        return [], sizes
    if len(cohort.animals) < len(sizes):
        raise DataFileError(
            path=cohort.source,
            key="",
            message=(
                f"{len(cohort.animals)} animal(s) for {len(sizes)} groups; expected at least "
                "one animal per group"
            ),
        )
    return found, list(balanced_sizes(len(cohort.animals), len(sizes)))


def _protocol_level(
    protocol: Protocol, reference: Reference, source: str, placeholder: bool
) -> list[Finding]:
    """The protocol's own findings; with weights, those of the per-dose rules at the
    reference weight are left out (each animal's dose is checked instead)."""
    _, found = protocol_findings(protocol, reference, source=source)
    return [f for f in found if placeholder or f.code not in _PER_DOSE]


def _estimate_weight(species: Species) -> Fact[Quantity]:
    """The weight unweighed animals are counted at when sizing the solutions."""
    high = species.warning_weight.value[1] if species.warning_weight else None
    if high is None:
        return Fact(
            value=species.reference_weight.value,
            status=Status.ASSUMED,
            source="unweighed animals are counted at the species' reference weight",
        )
    return Fact(
        value=high,
        status=Status.ASSUMED,
        source=(
            "unweighed animals are counted at the top of the species' weight range when "
            "sizing the solutions, so that there is enough; weigh them and re-plan"
        ),
    )


def _plan_assumptions(
    overage: Fact[Decimal],
    dead_volume: Fact[Quantity],
    estimate: Fact[Quantity] | None,
    table: DoseTable,
) -> list[Assumption]:
    """The plan's own assumptions: overage, dead volume, the estimated weight, and the
    graduations of the syringes it uses that are assumed."""
    extra = [
        Assumption(key="plan.overage", fact=overage),
        Assumption(key="plan.dead_volume", fact=dead_volume),
    ]
    if estimate is not None:
        extra.append(Assumption(key="plan.estimate_weight", fact=estimate))
    used = {id(d.syringe): d.syringe for d in table.doses.values() if d.syringe is not None}
    extra += [
        Assumption(key=f"syringe {s.name}: graduation", fact=s.graduation)
        for s in used.values()
        if s.graduation.assumed
    ]
    return extra


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
    from planner.knowledge.loading import protocol_data
    from planner.units.format import unit_key

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
