"""
The knowledge base behind ``planner regimens``, ``show``, ``check`` and ``new``: documented
regimens, replication protocols, the checks a protocol runs and starter protocols.

Every function takes names as people type them and raises only
:class:`~planner.errors.PlannerError` for bad input; checks on a valid protocol are findings.

>>> [r.id for r in regimens()][:2]
['obara2011-cci779-single', 'obara2011-cci779-4daily']
>>> result = check_protocol("obara2011-cci779-acute")
>>> [f.code for f in result.findings]
['no-solubility-on-record', 'assumed-values']
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import attrs

from planner.dosing import DoseResult, calculate_dose
from planner.errors import DataFileError, InputError, OutputError, PlannerError, UnknownNameError
from planner.findings import Finding, Level
from planner.format import format_quantity
from planner.loading import list_protocols, load_protocol, load_reference, protocol_data
from planner.preparation import VehicleComponent
from planner.protocols import (
    EventKind,
    Group,
    Protocol,
    TimelineEvent,
    Treatment,
    Vehicle,
    facts_of,
    schedule_hours,
)
from planner.provenance import Fact, Status
from planner.reference import Compound, Form, Reference
from planner.regimens import Regimen
from planner.safety import AppliedRule
from planner.units import Q_, Kind, Quantity, basis, is_kind

T = TypeVar("T")

__all__ = [
    "NewProtocol",
    "ProtocolCheck",
    "TreatmentCheck",
    "assumed_count",
    "check_protocol",
    "lookup",
    "new_protocol",
    "protocol_findings",
    "regimens",
    "starter_protocol",
    "treatment_concentration",
]


def regimens(reference: Reference | None = None) -> tuple[Regimen, ...]:
    """Return every documented regimen, in the order of the seed files."""
    return (reference or load_reference()).regimens


def _is_file(name: str) -> bool:
    # Path.is_file() raises, rather than answer False, for a name too long for the filesystem
    # or holding NUL; neither can name a file.
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def lookup(
    item_id: str, reference: Reference | None = None, *, where: str = "ID"
) -> Protocol | Regimen:
    """
    Return the shipped protocol or the documented regimen with this id, or the protocol in a
    file when ``item_id`` is a path (ends with .toml, or names an existing file).

    Raises:
        UnknownNameError: no protocol and no regimen has this id.
        DataFileError: the protocol file is missing or broken.
    """
    reference = reference or load_reference()
    if item_id.endswith(".toml") or _is_file(item_id):
        return load_protocol(Path(item_id), reference=reference)
    if item_id in list_protocols():
        return load_protocol(item_id, reference=reference)
    for regimen in reference.regimens:
        if regimen.id == item_id:
            return regimen
    known = [*list_protocols(), *(r.id for r in reference.regimens)]
    raise UnknownNameError(kind="protocol or regimen", name=item_id, known=known, where=where)


# --- checks ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class TreatmentCheck:
    """One treatment of a protocol, computed for the species' reference weight."""

    treatment: Treatment
    regimen: Regimen
    compound: Compound
    form: Form
    """The form the dose is stated in (the parent compound unless the treatment names one)."""
    result: DoseResult
    """The dose for one animal of the species' reference weight (FDA 2005)."""


@attrs.frozen(kw_only=True)
class ProtocolCheck:
    """A validated protocol, its treatments computed, and the findings of its checks."""

    protocol: Protocol
    source: str
    """Where the protocol was read from (a path, or the id of a shipped protocol)."""
    treatments: tuple[TreatmentCheck, ...]
    findings: tuple[Finding, ...]
    limit_profile: str = ""
    """The volume limits in use (see Reference.profile_summary)."""
    rules: tuple[AppliedRule, ...] = ()
    """Every limit the checks applied, with its source."""


def check_protocol(
    path_or_id: str | Path,
    reference: Reference | None = None,
    *,
    weights: str | Path | None = None,
) -> ProtocolCheck:
    """
    Validate a protocol file (or a shipped protocol by id) and run every check of its plan
    without rendering it: the protocol's own checks, and those of the plan for the cohort in
    ``weights`` (a weights CSV) or for numbered animals without weights.

    Raises:
        DataFileError: the file (or the weights CSV) is missing or malformed, or names unknown
            regimens, species, forms or citations.
        UnknownNameError: an id that is no shipped protocol.
    """
    from planner.cohort import read_weights
    from planner.plan import build_plan

    reference = reference or load_reference()
    try:
        protocol = load_protocol(path_or_id, reference=reference)
    except UnknownNameError as error:
        raise error.located("FILE") from None
    treatments, _ = protocol_findings(protocol, reference, source=str(path_or_id))
    cohort = read_weights(weights) if weights is not None else None
    # The allocation does not change any check, so any fixed seed will do.
    plan = build_plan(protocol, reference=reference, weights=cohort, seed=0, source=str(path_or_id))
    # Without weights the plan's "weights left blank" note is about sheets, not a check.
    findings = tuple(f for f in plan.findings if f.code != "no-weights")
    return ProtocolCheck(
        protocol=protocol,
        source=str(path_or_id),
        treatments=treatments,
        findings=findings,
        limit_profile=plan.limit_profile,
        rules=plan.rules,
    )


def _same(a: Quantity, b: Quantity) -> bool:
    try:
        return bool(a.to(b.units).magnitude == b.magnitude)
    except Exception:
        return False


def treatment_concentration(treatment: Treatment) -> Quantity | None:
    """
    Return the concentration a treatment needs (dose / dose volume), or None when it depends on
    the body weight (a per-kg dose in a fixed volume, or the reverse).
    """
    dose, volume = treatment.dose.value, treatment.dose_volume.value
    per_kg = is_kind(dose, Kind.DOSE_PER_MASS), is_kind(volume, Kind.DOSE_VOLUME)
    fixed = is_kind(dose, Kind.AMOUNT), is_kind(volume, Kind.VOLUME)
    if not (all(per_kg) or all(fixed)):
        return None
    return (dose / volume).to("mg/mL" if basis(dose.units) == "mass" else "mM")


def _compute(
    protocol: Protocol, number: int, treatment: Treatment, reference: Reference, source: str
) -> TreatmentCheck:
    regimen = reference.find_regimen(treatment.regimen)
    compound, parent = reference.find_compound(regimen.compound.value)
    form = next(
        (f for f in compound.forms if treatment.form and f.id == treatment.form.value), parent
    )
    species = reference.find_species(protocol.species.value)
    try:
        result = calculate_dose(
            treatment.dose.value,
            weight=species.reference_weight.value,
            species=species,
            route=regimen.route.value,
            reference=reference,
            dose_volume=treatment.dose_volume.value,
            compound=compound,
            form=form,
            subject=regimen.id,
        )
    except PlannerError as error:
        raise DataFileError(
            path=source, key=f"treatment[{number}]", message=getattr(error, "detail", str(error))
        ) from None
    return TreatmentCheck(
        treatment=treatment, regimen=regimen, compound=compound, form=form, result=result
    )


def _text(quantity: Quantity) -> str:
    return format_quantity(quantity)


def _schedule_findings(protocol: Protocol, regimen: Regimen) -> list[Finding]:
    events = protocol.dosing(regimen.id)
    count = sum(e.administrations for e in events)
    findings = []
    if count != regimen.doses.value:
        findings.append(
            Finding(
                level=Level.ERROR,
                code="schedule-differs-from-regimen",
                subject=regimen.id,
                message=f"the timeline gives {count} dose(s) of {regimen.id}; the regimen has {regimen.doses.value}",
                source=f"regimen {regimen.id}",
            )
        )
    hours = schedule_hours(events)
    gaps = sorted({b - a for a, b in itertools.pairwise(hours)})
    if regimen.interval is not None and gaps:
        expected = regimen.interval.value.to("h").magnitude
        if gaps != [expected]:
            shown = ", ".join(_text(Q_(g, "h")) for g in gaps)
            findings.append(
                Finding(
                    level=Level.WARNING,
                    code="interval-differs-from-regimen",
                    subject=regimen.id,
                    message=f"doses of {regimen.id} are {shown} apart; the regimen gives one every {_text(regimen.interval.value)}",
                    source=f"regimen {regimen.id}",
                )
            )
    return findings


def _solubility_findings(check: TreatmentCheck, reference: Reference) -> list[Finding]:
    """
    The compound is dissolved in the vehicle's first component, at the final concentration
    divided by that component's share: an error above the recorded solubility in that solvent,
    an info finding when none is on record (the stock has not been checked).
    """
    components = check.treatment.vehicle.value.components
    first: VehicleComponent = components[0]
    share = first.percent.to("percent").magnitude if first.percent is not None else Decimal(100)
    stock = check.result.concentration * 100 / share
    name = first.name.lower()
    for solubility in check.form.solubility:
        if solubility.limit is None or solubility.solvent.lower() not in name:
            continue
        if stock > solubility.limit.value:
            return [
                Finding(
                    level=Level.ERROR,
                    code="above-solubility",
                    subject=check.regimen.id,
                    message=(
                        f"{_text(stock)} of {check.form.name} in {first.name} (the first component, "
                        f"{_text(Q_(share, 'percent'))} of the final volume) is above its recorded solubility "
                        f"in {solubility.solvent}, {_text(solubility.limit.value)}"
                    ),
                    source=reference.provenance(solubility.limit, check.compound.citation),
                )
            ]
        return []
    return [
        Finding(
            level=Level.INFO,
            code="no-solubility-on-record",
            subject=check.regimen.id,
            message=(
                f"no solubility of {check.form.name} in {first.name} is on record: check that "
                f"{_text(stock)} (the stock in the first component) dissolves before dosing"
            ),
        )
    ]


def _timeline_findings(protocol: Protocol) -> list[Finding]:
    findings = []
    for number, event in enumerate(protocol.timeline):
        if event.after_dose is None:
            continue
        dosed = {day for e in protocol.dosing(event.regimen) for day in e.days.value}
        missing = [day for day in event.days.value if day not in dosed]
        if missing:
            findings.append(
                Finding(
                    level=Level.WARNING,
                    code="test-without-dose",
                    subject=f"timeline[{number}]",
                    message=(
                        f"'{event.what}' is timed after a dose of {event.regimen} on day(s) "
                        f"{', '.join(map(str, missing))}, but no dose of it is given then"
                    ),
                )
            )
    return findings


def _group_findings(protocol: Protocol) -> list[Finding]:
    given = {regimen for group in protocol.group for regimen in group.drug}
    return [
        Finding(
            level=Level.WARNING,
            code="treatment-not-given",
            subject=regimen,
            message=f"no group receives {regimen} as drug",
        )
        for regimen in protocol.regimens
        if regimen not in given
    ]


def assumed_count(protocol: Protocol) -> tuple[int, int]:
    """Return (assumed, total): the protocol's facts and group statuses that are assumed."""
    statuses = [fact.status for _, fact in facts_of(protocol)] + [g.status for g in protocol.group]
    return sum(s is Status.ASSUMED for s in statuses), len(statuses)


def protocol_findings(
    protocol: Protocol, reference: Reference, *, source: str = ""
) -> tuple[tuple[TreatmentCheck, ...], tuple[Finding, ...]]:
    """
    Run a valid protocol's checks (pure): each treatment's dose for the species' reference
    weight with the volume and syringe checks, the dose and schedule against the regimen, the
    first vehicle component against recorded solubility, tests timed after days without a dose,
    and how many values are assumed.

    Raises:
        DataFileError: a treatment whose dose cannot be computed (e.g. a per-kg dose volume with
            a per-animal dose is fine, but a molar dose without a molecular weight is not).
    """
    checks: list[TreatmentCheck] = []
    findings: list[Finding] = []
    for number, treatment in enumerate(protocol.treatment):
        check = _compute(protocol, number, treatment, reference, source or protocol.id)
        checks.append(check)
        regimen = check.regimen
        if not _same(treatment.dose.value, regimen.dose.value):
            findings.append(
                Finding(
                    level=Level.ERROR,
                    code="dose-differs-from-regimen",
                    subject=regimen.id,
                    message=f"dose {_text(treatment.dose.value)} differs from the {_text(regimen.dose.value)} of regimen {regimen.id}",
                    source=reference.provenance(regimen.dose, regimen.citation),
                )
            )
        findings.extend(check.result.findings)
        findings.extend(_schedule_findings(protocol, regimen))
        findings.extend(_solubility_findings(check, reference))
    findings.extend(_group_findings(protocol))
    findings.extend(_timeline_findings(protocol))
    assumed, total = assumed_count(protocol)
    if assumed:
        findings.append(
            Finding(
                level=Level.INFO,
                code="assumed-values",
                subject=protocol.id,
                message=(
                    f"{assumed} of {total} values are assumed, not stated by the source: verify each "
                    f"before use ('planner show {source or protocol.id}' lists them)"
                ),
            )
        )
    return tuple(checks), tuple(findings)


# --- starter protocols -----------------------------------------------------------------------

# Placeholders for a protocol built from a regimen alone. They are not literature values: each
# is written into the new file as "assumed", with the reason, for the user to replace.
_PLACEHOLDER_N = 8
_ACCLIMATISATION_DAYS = 7
_FIRST_DOSE = "09:00"
_TEST_AFTER = ("1", "h")

_NEW_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""A protocol id: a file name that needs no quoting, 100 characters at most."""


def _assumed(value: T, why: str) -> Fact[T]:
    return Fact(value=value, status=Status.ASSUMED, source=why)


def _layout(regimen: Regimen, first_day: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Days and clock times that give the regimen's doses at its interval, from ``first_day``."""
    doses = regimen.doses.value
    if regimen.interval is None:
        return (first_day,), (_FIRST_DOSE,)
    hours = regimen.interval.value.to("h").magnitude
    if hours % 24 == 0:
        step = int(hours // 24)
        return tuple(first_day + i * step for i in range(doses)), (_FIRST_DOSE,)
    if 24 % hours == 0 and doses % int(24 // hours) == 0:
        per_day = int(24 // hours)
        start = Decimal(8 * 60)
        times = tuple(
            f"{int((start + i * hours * 60) // 60):02d}:{int((start + i * hours * 60) % 60):02d}"
            for i in range(per_day)
        )
        return tuple(first_day + i for i in range(doses // per_day)), times
    return tuple(first_day + i for i in range(doses)), (_FIRST_DOSE,)


def _treatment_from(regimen: Regimen, reference: Reference, short: str) -> Treatment:
    species = reference.find_species(regimen.species.value)
    limit = reference.volume_limit(species, regimen.route.value)
    if limit is None:
        raise InputError(
            got=regimen.id,
            expected=f"a regimen for a species and route with a volume limit on record "
            f"({species.name} {regimen.route.value} has none)",
            where="--from",
            hint="start from a protocol instead, or add the limit to seeds/",
        )
    where = f"{species.name} {regimen.route.value.value}"
    good = limit.good_practice
    basis_ = "an assumed limit" if good.assumed else reference.provenance(good, limit.citation)
    volume = _assumed(
        good.value,
        f"the injection volume is not on record in {short}: placeholder set to the "
        f"good-practice volume for {where} ({basis_}); a smaller volume is common",
    )
    vehicle = Vehicle(
        name="vehicle to be chosen",
        components=(VehicleComponent(name="vehicle to be chosen"),),
        steps=("Choose the vehicle; list its components (% v/v) in the order they are added.",),
    )
    return Treatment(
        regimen=regimen.id,
        dose=regimen.dose,
        dose_volume=volume,
        vehicle=_assumed(
            vehicle,
            f"the vehicle is not on record in {short}: choose one and check that the "
            "compound stays in solution",
        ),
    )


def _from_regimen(regimen: Regimen, new_id: str, reference: Reference) -> Protocol:
    citation = reference.citation(regimen.citation)
    study = reference.find_study(regimen.study)
    model = study.find_model(regimen.model) if regimen.model else None
    background = [reference.find_regimen(r) for r in regimen.alongside]
    placeholder = "placeholder: not taken from the source"
    # The background regimens (e.g. the morphine that induces tolerance) start on day 1; the
    # regimen itself ends with them, so that a short regimen falls at the end (reversal).
    layouts = {r.id: _layout(r, 1) for r in background}
    last = max((days[-1] for days, _ in layouts.values()), default=None)
    days, times = _layout(regimen, 1)
    if last is not None and days[-1] < last:
        days, times = _layout(regimen, 1 + last - days[-1])
    layouts[regimen.id] = (days, times)
    condition = model.kind.value if model is not None else "study animals"
    label = model.id.replace("-", " ") if model is not None else "animals"
    everyone = [r.id for r in background]
    groups = (
        Group(
            name=f"{label} + vehicle",
            condition=condition,
            drug=tuple(everyone),
            vehicle=(regimen.id,),
            n=_assumed(_PLACEHOLDER_N, f"{placeholder}; set n from a power calculation"),
            status=Status.ASSUMED,
            source="the vehicle control for the drug effect",
        ),
        Group(
            name=f"{label} + {regimen.compound.value}",
            condition=condition,
            drug=(*everyone, regimen.id),
            n=_assumed(_PLACEHOLDER_N, f"{placeholder}; set n from a power calculation"),
            status=Status.STATED,
            source=f"{citation.short}, {regimen.source} (regimen {regimen.id})",
        ),
    )
    timeline = [
        TimelineEvent(
            kind=EventKind.ACCLIMATISATION,
            what="Arrival and acclimatisation to the facility",
            days=_assumed(tuple(range(-_ACCLIMATISATION_DAYS, 0)), placeholder),
        ),
        TimelineEvent(
            kind=EventKind.BASELINE, what="Baseline tests", days=_assumed((0,), placeholder)
        ),
    ]
    for dosed in (*background, regimen):
        d, t = layouts[dosed.id]
        timeline.append(
            TimelineEvent(
                kind=EventKind.DOSING,
                what=f"{dosed.name}: drug or vehicle",
                regimen=dosed.id,
                days=_assumed(d, f"{placeholder}; gives the regimen's number of doses"),
                times=_assumed(t, f"{placeholder}; keeps the regimen's interval"),
            )
        )
    timeline.append(
        TimelineEvent(
            kind=EventKind.TEST,
            what="Behavioural tests (choose them: see 'planner show " + regimen.id + "')",
            regimen=regimen.id,
            days=_assumed(days, placeholder),
            after_dose=_assumed((Q_(*_TEST_AFTER),), placeholder),
        )
    )
    timeline.append(
        TimelineEvent(
            kind=EventKind.TISSUE,
            what="Tissue collection",
            days=_assumed((days[-1] + 1,), placeholder),
        )
    )
    not_on_record = f"not on record in {citation.short}"
    return Protocol(
        id=new_id,
        title=f"Replication of {citation.short}: {regimen.name}",
        citation=regimen.citation,
        based_on=regimen.id,
        summary=f"Started from the documented regimen {regimen.id}. Every value not taken "
        "from the source is a placeholder marked assumed: replace each, then run 'planner check'.",
        species=regimen.species,
        strain=study.strain or _assumed("to be chosen", not_on_record),
        sex=study.sex or _assumed("to be chosen", not_on_record),
        age=_assumed("to be chosen (age or weight range at the start)", not_on_record),
        day_zero=(
            f"start of the study; add the model ({condition}) before dosing"
            if model is not None and not background
            else "start of the study"
        ),
        treatment=tuple(
            _treatment_from(r, reference, citation.short) for r in (*background, regimen)
        ),
        group=groups,
        timeline=tuple(timeline),
    )


def starter_protocol(source_id: str, new_id: str, reference: Reference | None = None) -> Protocol:
    """
    Return a new protocol to edit: a copy of the shipped protocol ``source_id``, or one built
    from the documented regimen ``source_id`` with placeholders marked assumed.

    Raises:
        UnknownNameError: ``source_id`` is no protocol and no regimen.
    """
    reference = reference or load_reference()
    return _starter(lookup(source_id, reference, where="--from"), new_id, reference)


def _starter(item: Protocol | Regimen, new_id: str, reference: Reference) -> Protocol:
    if isinstance(item, Protocol):
        return attrs.evolve(item, id=new_id, based_on=item.id, version=1)
    return _from_regimen(item, new_id, reference)


@attrs.frozen(kw_only=True)
class NewProtocol:
    """A starter protocol written to disk."""

    path: Path
    protocol: Protocol
    source_kind: str
    """"protocol" or "regimen": what it was started from."""


def _header(protocol: Protocol, kind: str) -> str:
    return (
        f"Protocol {protocol.id}, started with 'planner new' from {kind} {protocol.based_on}.\n"
        "Edit it, then run 'planner check' on this file. A value with status = \"assumed\" is not\n"
        "stated by the source: its source says why; verify it or replace it. Format: protocols/README.md."
    )


def new_protocol(
    new_id: str,
    source_id: str,
    out: str | Path | None = None,
    reference: Reference | None = None,
) -> NewProtocol:
    """
    Write ``NEW_ID.toml`` in ``out`` (default: the current folder), started from a shipped
    protocol or a documented regimen. Never overwrites; the file appears complete or not at all.

    Raises:
        InputError: NEW_ID is not a usable file name.
        UnknownNameError: ``source_id`` is no protocol and no regimen.
        OutputError: the file exists, or the folder is missing or not writable.
    """
    from planner._toml import dumps

    new_id = new_id.removesuffix(".toml")
    if not _NEW_ID.fullmatch(new_id):
        raise InputError(
            got=new_id,
            expected="an id of at most 100 letters, digits, '.', '_' and '-', starting with a "
            "letter or digit, e.g. 'mylab-cci779-acute'",
            where="NEW_ID",
        )
    from planner.output import check_name

    folder = Path(".") if out is None else check_name(out)
    if not folder.is_dir():
        message = "is not a folder" if folder.exists() else "no such folder"
        raise OutputError(path=str(folder), message=message)
    path = folder / f"{new_id}.toml"
    if path.exists():
        raise OutputError(
            path=str(path),
            message="already exists; planner new never overwrites: choose another NEW_ID or move the file",
        )
    reference = reference or load_reference()
    item = lookup(source_id, reference, where="--from")
    protocol = _starter(item, new_id, reference)
    kind = "protocol" if isinstance(item, Protocol) else "regimen"
    text = dumps(protocol_data(protocol), header=_header(protocol, kind))
    _write_atomically(path, text)
    return NewProtocol(path=path, protocol=protocol, source_kind=kind)


def _write_atomically(path: Path, text: str) -> None:
    """Write through planner.output (temporary file, then linked into place), never overwriting."""
    from planner.output import write_atomically

    try:
        write_atomically(path, [text])
    except OutputError as error:
        if path.exists() and "already exists" in error.message:
            raise OutputError(
                path=str(path), message="already exists; planner new never overwrites"
            ) from None
        raise
