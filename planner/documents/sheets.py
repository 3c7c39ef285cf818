"""
The blinded dosing sheets of a printed plan: one per dosing day and time, by blinding code, with
each animal's weight, the volume as drawn up, the syringe, the limits the volumes were checked
against, and (without weights) a weight-to-volume lookup table.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from planner.documents.filters import ASSUMED, fact
from planner.knowledge.provenance import Fact
from planner.study.plan import Plan, PlanTreatment
from planner.units.format import round_step
from planner.units.registry import Q_

__all__ = ["dosing_sheets"]


def _rule(plan: Plan, treatment: PlanTreatment, labels: bool) -> str:
    volume = treatment.treatment.dose_volume
    who = f"Vials ending in {treatment.label}" if labels else "Every vial"
    if treatment.per_kg:
        rule = f"volume = body weight \N{MULTIPLICATION SIGN} {fact(volume)}"
    else:
        rule = f"volume = {fact(volume)} per animal, whatever its weight"
    return (
        f"{who}: {rule}, {treatment.route.title} ({treatment.route.value}); "
        "draw up to the nearest graduation of the syringe named in the row."
    )


def _limits(plan: Plan, treatment: PlanTreatment) -> str:
    """The volume limits a sheet's volumes were checked against, with their source."""
    route = treatment.route
    where = f"{plan.species.name} {route.value}"
    limit = plan.reference.volume_limit(plan.species, route)
    if limit is None:
        return f"No volume limit on record for {where}: check your institution's limits."

    def source(value: Fact[Any]) -> str:
        if value.assumed:
            return f"{ASSUMED}: section 8"
        return plan.reference.provenance(value, limit.citation)

    good, most = limit.good_practice, limit.maximum
    shown = [limit.shown(good), limit.shown(most)]
    if source(good) == source(most):
        return (
            f"Checked against {where} limits: good practice {shown[0]}, maximum {shown[1]} "
            f"({source(good)})."
        )
    return (
        f"Checked against {where} limits: good practice {shown[0]} ({source(good)}), "
        f"maximum {shown[1]} ({source(most)})."
    )


def dosing_sheets(plan: Plan) -> list[dict[str, Any]]:
    sheets: dict[tuple[int, int], dict[str, Any]] = {}
    labels = len(plan.treatments) > 1
    totals = {t.regimen.id: 0 for t in plan.treatments}
    for administration in plan.administrations:
        totals[administration.regimen] += 1
    for row in plan.dose_rows():
        administration = row.administration
        when = administration.day
        key = (when, -1 if administration.minute is None else administration.minute)
        sheet = sheets.get(key)
        if sheet is None:
            sheet = sheets[key] = {
                "day": when,
                "date": plan.date_of(when),
                "time": administration.time,
                "rows": [],
                "treatments": {},
                "missing": 0,
            }
        treatment = row.treatment
        sheet["treatments"].setdefault(
            treatment.index, (treatment, administration.number, totals[treatment.regimen.id])
        )
        weighing = row.weighing
        dose = row.dose
        syringe = dose.syringe
        if dose.measured is None:
            sheet["missing"] += 1
        sheet["rows"].append(
            {
                "animal": row.animal.id,
                "cage": row.animal.cage,
                "vial": row.vial,
                "weight": dose.weight,
                "weighed": weighing.day
                if weighing is not None and weighing.day is not None and weighing.day != when
                else None,
                "volume": None if row.stop else dose.measured,
                "stop": row.stop,
                "step": syringe.graduation.value if syringe is not None else None,
                "syringe": ""
                if row.stop
                else syringe.name
                if syringe is not None
                else ("" if dose.measured is None else _NO_SYRINGE),
                "per_kg": treatment.per_kg,
            }
        )
    result = []
    for (_, _), sheet in sorted(sheets.items()):
        treatments = [sheet["treatments"][i] for i in sorted(sheet["treatments"])]
        sheet["rules"] = [
            _rule(plan, t, labels) + f" Dose {n} of {total}. " + _limits(plan, t)
            for t, n, total in treatments
        ]
        sheet["lookups"] = [
            {"rule": _rule(plan, t, labels), "table": _lookup(plan, t)}
            for t, _, _ in treatments
            if t.per_kg and any(r["volume"] is None and not r["stop"] for r in sheet["rows"])
        ]
        del sheet["treatments"]
        result.append(sheet)
    return result


_NO_SYRINGE = "none on record holds it: STOP, see the findings"
_LOOKUP_COLUMNS = 3
_LOOKUP_WIDTHS = ("21%", "12%")
"""Widths of a weight and a volume column of the lookup table (three pairs fill the page)."""


def _lookup(plan: Plan, treatment: PlanTreatment) -> dict[str, Any]:
    """
    A hand-entry table for a per-kg treatment: bands of body weight (read to 0.1 g, or 1 g for
    animals over 100 g) that give the same volume at the same syringe's graduation, over the
    species' weight range. Computed as the plan computes volumes (volume = weight x dose volume,
    rounded half up to the graduation of the smallest syringe that holds it).
    """
    species = plan.species
    if species.warning_weight is not None:
        low, high = species.warning_weight.value
    else:
        low = species.reference_weight.value / 2
        high = species.reference_weight.value * 2
    low_g = Decimal(low.to("g").magnitude)
    high_g = Decimal(high.to("g").magnitude)
    resolution = Decimal("0.1") if high_g < 100 else Decimal(1)
    rate = Decimal(treatment.treatment.dose_volume.value.to("mL/g").magnitude)
    syringes = [
        (
            Decimal(s.capacity.value.to("mL").magnitude),
            Decimal(s.graduation.value.to("mL").magnitude),
            s,
        )
        for s in plan.reference.syringes
    ]
    bands: list[dict[str, Any]] = []
    weight = (low_g / resolution).to_integral_value(rounding=ROUND_FLOOR) * resolution
    while weight <= high_g:
        volume = rate * weight
        chosen = next(((g, s) for c, g, s in syringes if volume <= c), None)
        measured = round_step(volume, chosen[0]) if chosen else volume
        name = chosen[1].name if chosen else _NO_SYRINGE
        if bands and bands[-1]["key"] == (measured, name):
            bands[-1]["high"] = Q_(weight, "g")
        else:
            bands.append(
                {
                    "key": (measured, name),
                    "low": Q_(weight, "g"),
                    "high": Q_(weight, "g"),
                    "volume": Q_(measured, "mL"),
                    "step": chosen[1].graduation.value if chosen else None,
                    "syringe": name,
                }
            )
        weight += resolution
    names = {band.pop("key")[1] for band in bands}
    per_column = math.ceil(len(bands) / _LOOKUP_COLUMNS)
    rows = [
        [
            bands[c * per_column + r]
            for c in range(_LOOKUP_COLUMNS)
            if c * per_column + r < len(bands)
        ]
        for r in range(per_column)
    ]
    return {
        "bands": bands,
        "rows": rows,
        "columns": _LOOKUP_COLUMNS,
        "resolution": Q_(resolution, "g"),
        "low": Q_(low_g, "g"),
        "high": Q_(high_g, "g"),
        "range": species.warning_weight,
        "syringe": names.pop() if len(names) == 1 else None,
        "widths": _LOOKUP_WIDTHS,
    }


# --- blinding key ------------------------------------------------------------------------------
