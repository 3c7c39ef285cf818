"""
Machine-readable plans: the dose rows as CSV and the whole plan as JSON, with unrounded values.

Both carry the blinding key (group names beside codes, amounts that differ between drug and
vehicle): they are for the unblinded coordinator and for analysis, not for the bench.

CSV columns (one row per administration to one animal, in time order):

``animal, cage, sex, group, code, vial, day, date, time, dose_number, regimen, compound,
vehicle, weight_g, weighing_day, amount, amount_unit, concentration, concentration_unit,
volume_mL, measured_volume_mL, syringe``

Numbers are written in full (no rounding, no exponent); a value that needs a weight that was
not given is left empty.

Text that came from a protocol or a weights CSV (animal id, cage, sex, group, compound) and
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading
apostrophe (``'=HYPERLINK(...)``), as OWASP advises against CSV injection: a spreadsheet would
otherwise run it as a formula. JSON is written as given.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from planner.checks.rules import AppliedRule
from planner.knowledge.provenance import Fact
from planner.study.calendar import CalendarEvent
from planner.study.plan import Batch, Dose, Plan
from planner.units.format import json_quantity, json_value, unit_key
from planner.units.registry import Quantity, is_quantity

__all__ = [
    "CSV_COLUMNS",
    "count_rows",
    "csv_chunks",
    "plan_json",
    "text_cell",
    "to_json",
]

CSV_COLUMNS = (
    "animal",
    "cage",
    "sex",
    "group",
    "code",
    "vial",
    "day",
    "date",
    "time",
    "dose_number",
    "regimen",
    "compound",
    "vehicle",
    "weight_g",
    "weighing_day",
    "amount",
    "amount_unit",
    "concentration",
    "concentration_unit",
    "volume_mL",
    "measured_volume_mL",
    "syringe",
    "stop",
)

Progress = Callable[[int, int], None]
_CHUNK = 5000


def _number(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    """``text`` safe for a spreadsheet cell: prefixed with "'" where it would start a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _magnitude(quantity: Quantity | None, unit: str) -> str:
    if quantity is None:
        return ""
    return _number(Decimal(quantity.to(unit).magnitude))


def count_rows(plan: Plan) -> int:
    """Return how many dose rows the plan has (administrations x animals receiving them)."""
    receiving: dict[str, int] = {}
    for number in range(len(plan.animals)):
        group = plan.group_of(number)
        for regimen in (*group.drug, *group.vehicle):
            receiving[regimen] = receiving.get(regimen, 0) + 1
    return sum(receiving.get(a.regimen, 0) for a in plan.administrations)


def csv_chunks(plan: Plan, *, progress: Progress | None = None) -> Iterator[str]:
    """
    Yield the dose-row CSV in pieces of a few thousand rows (so that a large plan is never
    held in memory as one string), calling ``progress(rows done, rows in all)`` after each.
    """
    total = count_rows(plan) if progress is not None else 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    doses: dict[int, tuple[str, ...]] = {}
    animals: dict[int, tuple[str, ...]] = {}
    times: dict[int, tuple[Any, ...]] = {}
    done = 0
    for row in plan.dose_rows():
        dose = row.dose
        fields = doses.get(id(dose))
        if fields is None:
            fields = doses[id(dose)] = _dose_fields(dose)
        prefix = animals.get(id(row.animal))
        if prefix is None or prefix[3] != row.group.name:
            prefix = animals[id(row.animal)] = (
                text_cell(row.animal.id),
                text_cell(row.animal.cage),
                text_cell(row.animal.sex),
                text_cell(row.group.name),
                row.group.code,
            )
        when = times.get(id(row.administration))
        if when is None:
            administration = row.administration
            date = plan.date_of(administration.day)
            when = times[id(administration)] = (
                administration.day,
                date.isoformat() if date else "",
                administration.time,
                administration.number,
                administration.regimen,
            )
        weighing = row.weighing
        writer.writerow(
            (
                *prefix,
                row.vial,
                *when,
                text_cell(row.compound),
                "yes" if row.vehicle else "no",
                fields[0],
                "" if weighing is None or weighing.day is None else weighing.day,
                *fields[1:],
                row.stop,
            )
        )
        done += 1
        if done % _CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress is not None:
                progress(done, total)
    yield buffer.getvalue()
    if progress is not None:
        progress(done, total)


def _dose_fields(dose: Dose) -> tuple[str, ...]:
    amount_unit = unit_key(dose.amount.units) if dose.amount is not None else "mg"
    concentration_unit = unit_key(dose.concentration.units)
    return (
        _magnitude(dose.weight, "g"),
        _magnitude(dose.amount, amount_unit),
        amount_unit,
        _magnitude(dose.concentration, concentration_unit),
        concentration_unit,
        _magnitude(dose.volume, "mL"),
        _magnitude(dose.measured, "mL"),
        dose.syringe.name if dose.syringe is not None else "",
    )


# --- JSON ---------------------------------------------------------------------------------------


def _q(quantity: Quantity | None, unit: str | None = None) -> dict[str, Any] | None:
    return None if quantity is None else json_quantity(quantity, unit)


def _fact(fact: Fact[Any]) -> dict[str, Any]:
    value = fact.value
    if isinstance(value, tuple):
        shown: Any = [_plain(v) for v in value]
    else:
        shown = _plain(value)
    data = {"value": shown, "status": fact.status.value, "source": fact.source}
    if fact.note:
        data["note"] = fact.note
    return data


def _plain(value: Any) -> Any:
    if is_quantity(value):
        return json_quantity(value, unit_key(value.units))
    if isinstance(value, Decimal):
        return json_value(value)
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(getattr(value, "name", value))


def _event(plan: Plan, event: CalendarEvent) -> dict[str, Any]:
    date = plan.date_of(event.day)
    return {
        "day": event.day,
        "date": date.isoformat() if date else None,
        "time": event.time or None,
        "kind": event.kind.value,
        "what": event.what,
        "regimen": event.regimen or None,
        "after_dose": _q(event.after, "h"),
        "dose_number": event.dose_number,
        "assumed": event.assumed,
    }


def _batch(plan: Plan, batch: Batch) -> dict[str, Any]:
    prep = batch.preparation
    date = plan.date_of(batch.day)
    return {
        "day": batch.day,
        "date": date.isoformat() if date else None,
        "regimen": batch.treatment.regimen.id,
        "vehicle": batch.vehicle,
        "vials": list(batch.codes),
        "injections": batch.injections,
        "estimated_volumes": batch.estimated,
        "concentration": _q(prep.concentration),
        "injected_volume": _q(prep.injected_volume, "mL"),
        "overage": json_value(prep.overage),
        "dead_volume": _q(prep.dead_volume, "mL"),
        "total_volume": _q(prep.total_volume, "mL"),
        "weigh_form": prep.weigh_form.name if prep.weigh_form else None,
        "salt_factor": json_value(prep.salt_factor),
        "mass_to_weigh": _q(prep.mass_to_weigh, "mg"),
        "components": [
            {
                "name": c.name,
                "percent": json_value(Decimal(c.percent.to("percent").magnitude)),
                "volume": _q(c.volume, "mL"),
            }
            for c in prep.components
        ],
        "steps": list(prep.steps),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    """
    Return the whole plan as JSON-ready data: protocol, allocation, animals, calendar, doses
    (unrounded quantity objects), preparations, totals, findings and assumptions.
    """
    import planner

    citation = plan.citation
    animals = []
    for number, animal in enumerate(plan.animals):
        group = plan.group_of(number)
        animals.append(
            {
                "id": animal.id,
                "group": group.name,
                "code": group.code,
                "cage": animal.cage or None,
                "sex": animal.sex or None,
                "block": plan.allocation.blocks[number],
                "weighings": [
                    {"day": w.day, "weight": json_quantity(w.weight, "g")} for w in animal.weighings
                ],
            }
        )
    doses = []
    for row in plan.dose_rows():
        date = plan.date_of(row.administration.day)
        doses.append(
            {
                "animal": row.animal.id,
                "group": row.group.name,
                "code": row.group.code,
                "vial": row.vial,
                "day": row.administration.day,
                "date": date.isoformat() if date else None,
                "time": row.administration.time or None,
                "dose_number": row.administration.number,
                "regimen": row.administration.regimen,
                "compound": row.compound,
                "vehicle": row.vehicle,
                "weight": _q(row.dose.weight, "g"),
                "weighing_day": row.weighing.day if row.weighing is not None else None,
                "amount": _q(row.dose.amount, row.treatment.amount_unit),
                "concentration": _q(row.dose.concentration),
                "volume": _q(row.dose.volume, "mL"),
                "measured_volume": _q(row.dose.measured, "mL"),
                "syringe": row.dose.syringe.name if row.dose.syringe else None,
                "stop": row.stop or None,
            }
        )
    return {
        "planner": planner.__version__,
        "protocol": plan.protocol.id,
        "version": plan.protocol.version,
        "title": plan.protocol.title,
        "source": plan.source,
        "citation": {
            "key": citation.key,
            "short": citation.short,
            "title": citation.title,
            "journal": citation.journal or None,
            "year": citation.year,
            "doi": citation.doi or None,
            "pmid": citation.pmid or None,
        },
        "input_hash": plan.input_hash,
        "limits": limits_json(plan.limit_profile, plan.rules),
        "seed": plan.seed,
        "start": plan.start.isoformat() if plan.start else None,
        "day_zero": plan.protocol.day_zero,
        "species": plan.species.id,
        "allocation": {
            "method": "permuted blocks",
            "block_size": plan.allocation.block_size,
            "stratify": [s.value for s in plan.allocation.stratify],
            "seed": plan.allocation.seed,
        },
        "groups": [
            {
                "name": g.name,
                "code": g.code,
                "condition": g.condition,
                "size": g.size,
                "planned": _fact(g.planned),
                "drug": list(g.drug),
                "vehicle": list(g.vehicle),
                "status": g.status.value,
                "source": g.source,
                "animals": list(g.animals),
            }
            for g in plan.groups
        ],
        "treatments": [
            {
                "regimen": t.regimen.id,
                "compound": t.compound.name,
                "form": t.form.name,
                "route": t.route.value,
                "dose": _q(t.treatment.dose.value, unit_key(t.treatment.dose.value.units)),
                "dose_volume": _q(
                    t.treatment.dose_volume.value, unit_key(t.treatment.dose_volume.value.units)
                ),
                "concentration": _q(t.concentration),
                "vehicle": t.treatment.vehicle.value.name,
                "vial_label": t.label or None,
            }
            for t in plan.treatments
        ],
        "animals": animals,
        "calendar": [_event(plan, e) for e in plan.calendar],
        "doses": doses,
        "preparations": [_batch(plan, b) for b in plan.batches],
        "totals": [
            {
                "regimen": t.treatment.regimen.id,
                "form": t.form.name,
                "mass": _q(t.mass, "mg"),
                "batches": t.batches,
            }
            for t in plan.totals
        ],
        "findings": [f.to_json() for f in plan.findings],
        "assumptions": [{"key": a.key, **_fact(a.fact)} for a in plan.assumptions],
    }


def to_json(plan: Plan) -> str:
    """Return the plan as indented JSON text, ending with a newline."""
    return json.dumps(plan_json(plan), indent=2, ensure_ascii=False) + "\n"


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
