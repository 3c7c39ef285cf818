"""
The solutions to prepare: one batch per dosing day, treatment and drug or vehicle, sized for
its injections (unweighed animals at an estimated weight), and the compound each treatment
needs for the whole study.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from planner.dosing.preparation import prepare_solution, prepare_vehicle
from planner.knowledge.provenance import Fact
from planner.knowledge.reference import Species
from planner.study.doses import rates
from planner.study.plan import Batch, CompoundTotal, PlanTreatment
from planner.units.registry import Q_, Quantity

__all__ = ["make_batches", "totals"]


def make_batches(
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
            per_gram = rates(treatment, species).volume
            grams = Decimal(estimate.value.to("g").magnitude)
            total += per_gram * grams * unknown
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


def totals(
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
