"""
What a printed plan shows, prepared from a :class:`~planner.study.plan.Plan`: :func:`plan_context`
gives one entry per section (rows, the timeline's SVG geometry, the ARRIVE checklist, the
limits applied); the templates in ``templates/`` only lay it out.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from planner import __version__
from planner.documents.filters import ASSUMED, fact
from planner.documents.sheets import dosing_sheets
from planner.findings import Finding
from planner.knowledge.protocols import EventKind
from planner.knowledge.provenance import Fact
from planner.study.plan import Plan, PlanGroup, PlanTreatment
from planner.units.registry import Q_

__all__ = ["plan_context"]

# --- the context ---------------------------------------------------------------------------------


def plan_context(plan: Plan) -> dict[str, Any]:
    """
    Return what the templates lay out: one entry per section, prepared from the plan.
    """
    protocol = plan.protocol
    footer = (
        f"{protocol.id} | version {protocol.version} | input {plan.input_hash} | "
        f"planner {__version__}"
    )
    return {
        "plan": plan,
        "protocol": protocol,
        "citation": plan.citation,
        "version": __version__,
        "footer": footer,
        "errors": plan.errors,
        # Errors about one animal stop that animal's doses only (its rows say DO NOT DOSE); the
        # others stop the whole plan.
        "plan_errors": [e for e in plan.errors if not e.subject.startswith("animal ")],
        "stopped": sorted({row.animal.id for row in plan.dose_rows() if row.stop}),
        "assumed_marker": ASSUMED,
        "design": _design(plan),
        "arrive": _arrive(plan),
        "timeline": _timeline(plan),
        "svg": _svg(plan),
        "preparation": _preparation(plan),
        "totals": plan.totals,
        "sheets": dosing_sheets(plan),
        "key": _key(plan),
        "limit_profile": plan.limit_profile,
        "rules": plan.rules,
        "findings": _finding_rows(plan.findings),
        "deviations": _finding_rows(
            [f for f in plan.findings if f.code.endswith("-differs-from-regimen")]
        ),
        "assumptions": [
            {"key": a.key, "fact": _shown(a.key, a.fact), "why": a.fact.source}
            for a in plan.assumptions
        ],
    }


def _shown(key: str, value: Fact[Any]) -> Fact[Any]:
    """The overage is a fraction (0.1): print it as a percentage (10 %)."""
    if key == "plan.overage":
        return Fact(
            value=Q_(Decimal(value.value) * 100, "percent"),
            status=value.status,
            source=value.source,
        )
    return value


def _dose_text(treatment: PlanTreatment) -> str:
    dose = treatment.treatment.dose
    return f"{treatment.form.name} {fact(dose)} {treatment.route.value}"


def _receives(plan: Plan, group: PlanGroup, *, vials: bool = False) -> list[str]:
    """What a group is given, one line per treatment."""
    lines = []
    for treatment in plan.treatments:
        vial = f"vial {group.code}{treatment.label}: " if vials and treatment.label else ""
        vehicle = treatment.treatment.vehicle.value.name
        regimen = treatment.regimen.id
        if regimen in group.drug:
            lines.append(f"{vial}{_dose_text(treatment)} in {vehicle}")
        elif regimen in group.vehicle:
            lines.append(
                f"{vial}vehicle only ({vehicle}), same volume and schedule as "
                f"{treatment.compound.name}"
            )
    return lines or ["nothing (untreated)"]


def _allocation_text(plan: Plan) -> str:
    allocation = plan.allocation
    per_block = allocation.block_size // max(len(plan.groups), 1)
    strata = " and ".join(s.value for s in allocation.stratify)
    stratified = f"stratified by {strata}" if strata else "not stratified"
    times = "once" if per_block == 1 else f"{per_block} times"
    within = "within each stratum" if strata else "in the order the animals are listed"
    return (
        f"Permuted blocks of {allocation.block_size} (each group {times} per block), "
        f"{stratified}, seed {allocation.seed} (Python random.Random), {within}. Animals left "
        "over (fewer than a block) were allocated from one continuing sequence of blocks of one "
        "animal per group, and a group that had reached its planned size was left out of later "
        "blocks, so the groups have exactly their planned sizes. The blinding codes were "
        "assigned to the groups by a separate shuffle. Which animal is in which group is on the "
        "blinding key only."
    )


def _design(plan: Plan) -> dict[str, Any]:
    protocol = plan.protocol
    return {
        "animals": [
            ("Species", fact(protocol.species)),
            ("Strain", fact(protocol.strain)),
            ("Sex", fact(protocol.sex)),
            ("Age", fact(protocol.age) if protocol.age is not None else "not given"),
            (
                "Animals",
                f"{len(plan.animals)}, from {plan.cohort.source}"
                if plan.cohort.source
                else f"{len(plan.animals)} numbered placeholders (no weights file)",
            ),
        ],
        "groups": [
            {
                "name": group.name,
                "condition": group.condition,
                "planned": fact(group.planned),
                "size": group.size,
                "receives": _receives(plan, group),
                "status": ASSUMED
                if group.status.value == "assumed"
                else group.status.value.upper(),
                "source": group.source,
            }
            for group in plan.groups
        ],
        "allocation": _allocation_text(plan),
    }


# --- ARRIVE 2.0 Essential 10 -------------------------------------------------------------------

GAP = "GAP - not in the protocol"


def _item(number: int, title: str, lines: Sequence[str], status: str = "filled") -> dict[str, Any]:
    return {"number": number, "title": title, "lines": list(lines), "status": status}


def _days_text(days: Sequence[int]) -> str:
    """ "day 7" or "days 7, 8, 9" """
    return ("day " if len(days) == 1 else "days ") + ", ".join(str(d) for d in days)


def _arrive(plan: Plan) -> list[dict[str, Any]]:
    protocol = plan.protocol
    groups = plan.groups
    controls = [g.name for g in groups if g.vehicle and not g.drug]
    design = [
        f"{len(groups)} groups: " + "; ".join(g.name for g in groups) + ".",
        "Vehicle controls: " + ("; ".join(controls) if controls else "none") + ".",
        "Experimental unit: the individual animal (each animal is dosed and tested on its own).",
    ]
    assumed_n = [g for g in groups if g.planned.assumed]
    sizes = [f"{g.name}: n = {g.planned.value}" for g in groups]
    sample = [
        "; ".join(sizes) + f" (total {sum(g.planned.value for g in groups)}).",
    ]
    if assumed_n:
        sample.append(
            f"n of {len(assumed_n)} group(s) is assumed: placeholder - power calculation needed."
        )
    texts = list(protocol.notes) + [e.what for e in protocol.timeline]
    exclusion = [t for t in texts if "exclu" in t.lower()]
    blinding = [
        f"Groups are coded {', '.join(sorted(g.code for g in groups))}; dosing sheets show the "
        "codes only, identical for drug and vehicle.",
        "The blinding key (last section) is kept sealed, away from the bench, by someone who "
        "does not dose or test.",
    ] + [n for n in protocol.notes if "code" in n.lower() or "blind" in n.lower()]
    outcomes = [
        f"{e.what} ({_days_text(e.days.value)})" + (f" [{ASSUMED}]" if e.days.assumed else "")
        for e in protocol.timeline
        if e.kind in (EventKind.TEST, EventKind.BASELINE)
    ]
    animals = [
        f"Species: {fact(protocol.species)}.",
        f"Strain: {fact(protocol.strain)}.",
        f"Sex: {fact(protocol.sex)}.",
        f"Age: {fact(protocol.age)}." if protocol.age is not None else f"Age: {GAP}.",
    ]
    procedures = [f"Day 0: {protocol.day_zero}."]
    for treatment in plan.treatments:
        t = treatment.treatment
        events = protocol.dosing(treatment.regimen.id)
        schedule = "; ".join(
            _days_text(e.days.value)
            + (f" at {', '.join(e.times.value)}" if e.times is not None else "")
            + (f" [{ASSUMED}]" if e.days.assumed or (e.times and e.times.assumed) else "")
            for e in events
        )
        procedures.append(
            f"{treatment.compound.name}: {fact(t.dose)}, {treatment.route.title} "
            f"({treatment.route.value}), volume {fact(t.dose_volume)}, vehicle "
            f"{fact(t.vehicle)}; {schedule}."
        )
    return [
        _item(1, "Study design", design),
        _item(2, "Sample size", sample, "verify" if assumed_n else "filled"),
        _item(
            3,
            "Inclusion and exclusion criteria",
            exclusion or [GAP],
            "filled" if exclusion else "gap",
        ),
        _item(4, "Randomisation", [_allocation_text(plan)]),
        _item(5, "Blinding", blinding),
        _item(
            6,
            "Outcome measures",
            outcomes or [GAP],
            ("verify" if any(ASSUMED in o for o in outcomes) else "filled") if outcomes else "gap",
        ),
        _item(7, "Statistical methods", [GAP], "gap"),
        _item(
            8,
            "Experimental animals",
            animals,
            "verify" if any(f.assumed for f in _animal_facts(plan)) else "filled",
        ),
        _item(9, "Experimental procedures", procedures),
        _item(10, "Results", ["To report after the study."], "after the study"),
    ]


def _animal_facts(plan: Plan) -> list[Fact[Any]]:
    protocol = plan.protocol
    facts = [protocol.species, protocol.strain, protocol.sex, protocol.age]
    return [f for f in facts if f is not None]


# --- timeline ----------------------------------------------------------------------------------


def _timeline(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "day": event.day,
            "date": plan.date_of(event.day),
            "time": event.time,
            "kind": event.kind.value,
            "what": event.what,
            "after": event.after,
            "dose_number": event.dose_number,
            "assumed": event.assumed,
        }
        for event in plan.calendar
    ]


_SVG_WIDTH = 720
_SVG_LEFT = 112
_SVG_TOP = 22
_LANE = 20
_NICE_STEPS = (1, 2, 5, 7, 10, 14, 20, 28, 50, 100)


def _svg(plan: Plan) -> dict[str, Any] | None:
    """The timeline picture: one lane per kind of event, one column per day."""
    events = plan.calendar
    if not events:
        return None
    first, last = events[0].day, max(e.day for e in events)
    count = last - first + 1
    cell = Decimal(_SVG_WIDTH - _SVG_LEFT - 8) / count
    kinds = [k for k in EventKind if any(e.kind is k for e in events)]
    height = _SVG_TOP + _LANE * len(kinds) + 6
    step = next((s for s in _NICE_STEPS if count / s <= 32), _NICE_STEPS[-1])

    def x(position: Decimal) -> str:
        return str((_SVG_LEFT + position * cell).quantize(Decimal("0.1")))

    lanes = [
        {
            "label": kind.value,
            "y": _SVG_TOP + _LANE * n,
            "mid": _SVG_TOP + _LANE * n + _LANE // 2,
            "text_y": _SVG_TOP + _LANE * n + _LANE // 2 + 4,
        }
        for n, kind in enumerate(kinds)
    ]
    lane_of = {kind: lanes[n] for n, kind in enumerate(kinds)}
    dosing = sorted({a.day for a in plan.administrations})
    marks = []
    half = Decimal("3.5") / cell  # half the width of a dose's square, in days
    for event in events:
        within = Decimal(event.minute) / 1440 if event.minute is not None else Decimal("0.5")
        middle = lane_of[event.kind]["mid"]
        marks.append(
            {
                "x": x(Decimal(event.day - first) + within),
                "y": middle,
                "x0": x(Decimal(event.day - first) + within - half),
                "y0": str(Decimal(middle) - Decimal("3.5")),
                "dosing": event.kind is EventKind.DOSING,
            }
        )
    bottom = height - 6
    return {
        "width": _SVG_WIDTH,
        "height": height,
        "left": _SVG_LEFT,
        "right": _SVG_WIDTH - 8,
        "top": _SVG_TOP,
        "bottom": bottom,
        "plot_height": bottom - _SVG_TOP,
        "label_y": _SVG_TOP - 8,
        "cell": str(cell.quantize(Decimal("0.1"))),
        "lanes": lanes,
        "days": [
            {
                "x": x(Decimal(d - first)),
                "mid": x(Decimal(d - first) + Decimal("0.5")),
                "label": str(d) if d % step == 0 else "",
                "stroke": "2" if d == 0 else "0.3",
            }
            for d in range(first, last + 1)
        ],
        "dosing": [{"x": x(Decimal(d - first))} for d in dosing],
        "marks": marks,
        "first": first,
        "last": last,
    }


# --- preparation -------------------------------------------------------------------------------


def _preparation(plan: Plan) -> list[dict[str, Any]]:
    days: dict[int, list[dict[str, Any]]] = {}
    for batch in plan.batches:
        prep = batch.preparation
        treatment = batch.treatment
        days.setdefault(batch.day, []).append(
            {
                "vehicle": batch.vehicle,
                "what": "vehicle only"
                if batch.vehicle
                else (prep.weigh_form.name if prep.weigh_form else treatment.form.name),
                "compound": treatment.compound.name,
                "vehicle_name": treatment.treatment.vehicle.value.name,
                "codes": ", ".join(batch.codes),
                "injections": batch.injections,
                "estimated": batch.estimated,
                "concentration": None if batch.vehicle else prep.concentration,
                "injected": prep.injected_volume,
                "overage": Q_(prep.overage * 100, "percent"),
                "dead_volume": prep.dead_volume,
                "total": prep.total_volume,
                "mass": None if batch.vehicle else prep.mass_to_weigh,
                "salt_factor": None if prep.salt_factor == 1 else prep.salt_factor,
                "dose_form": treatment.form.name,
                "components": prep.components,
                "steps": prep.steps,
            }
        )
    return [
        {"day": d, "date": plan.date_of(d), "batches": batches}
        for d, batches in sorted(days.items())
    ]


# --- dosing sheets -----------------------------------------------------------------------------


def _key(plan: Plan) -> dict[str, Any]:
    return {
        "codes": [
            {"code": g.code, "group": g.name, "receives": _receives(plan, g, vials=True)}
            for g in sorted(plan.groups, key=lambda g: (len(g.code), g.code))
        ],
        "animals": [
            {
                "animal": animal.id,
                "cage": animal.cage,
                "code": plan.group_of(n).code,
                "group": plan.group_of(n).name,
            }
            for n, animal in enumerate(plan.animals)
        ],
    }


def _finding_rows(findings: Sequence[Finding]) -> list[dict[str, str]]:
    """Findings as printed rows (level in capitals)."""
    return [
        {
            "level": f.level.value.upper(),
            "code": f.code,
            "message": f.message,
            "subject": f.subject,
            "source": f.source,
        }
        for f in findings
    ]
