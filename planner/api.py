"""
The functions behind each command, taking text as people type it: parse, look up, compute.

Each returns a result object (with findings where checks apply) and raises only
:class:`~planner.errors.PlannerError` for bad input, with ``where`` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from planner.dosing.conversions import Conversion, Scaling, change_form, km_ratio, scale_dose
from planner.dosing.conversions import convert as _convert
from planner.dosing.dose import DoseResult, calculate_dose
from planner.errors import InputError, OutputError, UnknownNameError
from planner.knowledge.loading import load_reference
from planner.knowledge.reference import Compound, Form, Reference, Route
from planner.units.registry import Kind, parse_quantity, parse_unit

if TYPE_CHECKING:
    from planner.knowledge import starter
    from planner.study.checking import ProtocolCheck
    from planner.study.plan import Plan

__all__ = [
    "Conversion",
    "Scaling",
    "check_protocol",
    "convert",
    "dose",
    "new_protocol",
    "plan",
    "scale",
]


def _compound(
    reference: Reference, name: str | None, where: str
) -> tuple[Compound | None, Form | None]:
    if name is None:
        return None, None
    return reference.find_compound(name, where=where)


def dose(
    dose: str,
    *,
    weight: str,
    concentration: str | None = None,
    dose_volume: str | None = None,
    compound: str | None = None,
    species: str = "mouse",
    route: str = "ip",
    reference: Reference | None = None,
) -> DoseResult:
    """
    Compute one animal's dose from text inputs (see :func:`planner.dosing.dose.calculate_dose`).

    >>> dose("25 mg/kg", weight="27 g", concentration="2.5 mg/mL").volume
    <Quantity(0.27, 'milliliter')>
    """
    reference = reference or load_reference()
    given = parse_quantity(dose, Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, Kind.AMOUNT, where="DOSE")
    body = parse_quantity(weight, Kind.MASS, where="weight")
    conc = (
        parse_quantity(concentration, Kind.CONCENTRATION, where="concentration")
        if concentration is not None
        else None
    )
    volume = (
        parse_quantity(dose_volume, Kind.DOSE_VOLUME, Kind.VOLUME, where="dose_volume")
        if dose_volume is not None
        else None
    )
    if conc is None and volume is None:
        raise InputError(
            got=None,
            expected="--concentration (the solution you have) or --dose-volume (e.g. '10 mL/kg')",
            where="--concentration/--dose-volume",
        )
    if conc is not None and volume is not None:
        raise InputError(
            got="both",
            expected="only one of --concentration and --dose-volume",
            where="--concentration/--dose-volume",
        )
    the_species = reference.find_species(species, where="species")
    the_route = Route.parse(route, where="route")
    the_compound, form = _compound(reference, compound, "compound")
    return calculate_dose(
        given,
        weight=body,
        concentration=conc,
        dose_volume=volume,
        species=the_species,
        route=the_route,
        reference=reference,
        compound=the_compound,
        form=form,
    )


def convert(
    quantity: str,
    *,
    to: str,
    compound: str | None = None,
    species: str | None = None,
    to_form: str | None = None,
    reference: Reference | None = None,
) -> Conversion:
    """
    Convert text like "25 mg/kg" to a unit, through a compound's MW or a species' Km if needed.

    >>> convert("25 mg/kg", to="mg/m2", species="mouse").result
    <Quantity(75, 'milligram / meter ** 2')>
    """
    from planner.units.format import unit_key

    reference = reference or load_reference()
    given = parse_quantity(quantity, where="QUANTITY")
    unit = parse_unit(to, where="--to", expected="a unit, e.g. 'umol/kg', 'mg/m2', 'mM'")
    the_compound, form = _compound(reference, compound, "compound")
    the_species = reference.find_species(species, where="species") if species is not None else None
    target_form = None
    value = given
    if to_form is not None:
        if the_compound is None or form is None:
            raise InputError(
                got=None,
                expected="a compound name",
                where="compound",
                hint="--to-form needs the form the quantity is stated as",
            )
        other, target_form = reference.find_compound(to_form, where="--to-form")
        if other is not the_compound:
            raise InputError(
                got=to_form,
                expected=f"a form of {the_compound.name}: {', '.join(f.name for f in the_compound.forms)}",
                where="--to-form",
            )
        value = change_form(given, the_compound, form, target_form)
    result = _convert(value, unit, form=target_form or form, species=the_species)
    return Conversion(
        given=given,
        result=result,
        unit=unit_key(unit),
        compound=the_compound,
        form=form,
        to_form=target_form,
        species=the_species,
    )


def scale(dose: str, *, source: str, target: str, reference: Reference | None = None) -> Scaling:
    """
    Scale a dose between species (FDA 2005): dose x Km(source) / Km(target).

    >>> round(scale("25 mg/kg", source="mouse", target="human").result.magnitude, 3)
    Decimal('2.027')
    """
    reference = reference or load_reference()
    given = parse_quantity(dose, Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, where="DOSE")
    the_source = reference.find_species(source, where="--from")
    the_target = reference.find_species(target, where="--to")
    result = scale_dose(given, the_source, the_target)
    return Scaling(
        given=given,
        result=result,
        source=the_source,
        target=the_target,
        factor=km_ratio(the_source, the_target),
    )


def _date_expected(text: str) -> str:
    """What a --start that is not a date should have been: says so when it is written right
    but names a day the calendar does not have (2027-02-29, 2026-04-31)."""
    import calendar
    import re

    written = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if written:
        year, month, day = (int(g) for g in written.groups())
        if 1 <= month <= 12 and year >= 1:
            days = calendar.monthrange(year, month)[1]
            if day > days or day < 1:
                name = calendar.month_name[month]
                return (
                    f"a date that exists: {name} {year} has {days} days, so {text} is no day of "
                    "the calendar"
                )
    return "a date written YYYY-MM-DD, e.g. 2026-03-02"


def plan(
    protocol: str,
    *,
    weights: str | None = None,
    seed: int,
    start: str | None = None,
    block_size: int | None = None,
    stratify: Sequence[str] = (),
    reference: Reference | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Plan:
    """
    Build the plan for a protocol (a shipped id or a file) and an optional weights CSV.

    ``start`` is the calendar date of study day 0, written YYYY-MM-DD.

    >>> p = plan("obara2011-cci779-chronic", seed=7, start="2026-03-02")
    >>> p.date_of(7).isoformat(), len(list(p.dose_rows()))
    ('2026-03-09', 160)
    """
    import datetime

    from planner.knowledge.loading import load_protocol
    from planner.study.allocation import Stratum
    from planner.study.build import build_plan
    from planner.study.cohort import read_weights

    reference = reference or load_reference()
    if seed < 0:
        raise InputError(got=str(seed), expected="a seed of 0 or more", where="--seed")
    day_zero = None
    if start is not None:
        try:
            day_zero = datetime.date.fromisoformat(start.strip())
        except ValueError:
            raise InputError(
                got=start, expected=_date_expected(start.strip()), where="--start"
            ) from None
        if len(start.strip()) != 10:
            raise InputError(
                got=start, expected="a date written YYYY-MM-DD, e.g. 2026-03-02", where="--start"
            )
    strata = []
    for name in stratify:
        try:
            strata.append(Stratum(name.strip().lower()))
        except ValueError:
            raise InputError(
                got=name,
                expected=f"one of {', '.join(s.value for s in Stratum)}",
                where="--stratify",
            ) from None
    if block_size is not None and block_size < 1:
        raise InputError(
            got=str(block_size), expected="a block size of 1 or more", where="--block-size"
        )
    try:
        loaded = load_protocol(protocol, reference=reference)
    except UnknownNameError as error:
        raise error.located("PROTOCOL") from None
    if day_zero is not None:
        days = [d for event in loaded.timeline for d in event.days.value]
        try:
            for day in (min(days) - 1, max(days) + 2):  # tests after a dose may cross midnight
                day_zero + datetime.timedelta(days=day)
        except OverflowError:
            raise InputError(
                got=start,
                expected=f"a date that leaves days {min(days)} to {max(days)} of the protocol "
                "on the calendar (years 1 to 9999)",
                where="--start",
            ) from None
    cohort = read_weights(weights) if weights is not None else None
    return build_plan(
        loaded,
        reference=reference,
        weights=cohort,
        seed=seed,
        start=day_zero,
        block_size=block_size,
        stratify=tuple(dict.fromkeys(strata)),
        source=protocol,
        progress=progress,
    )


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
    from planner.knowledge.loading import load_protocol
    from planner.study.build import build_plan
    from planner.study.checking import ProtocolCheck, protocol_findings
    from planner.study.cohort import read_weights

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


def new_protocol(
    new_id: str,
    source_id: str,
    out: str | Path | None = None,
    reference: Reference | None = None,
) -> starter.NewProtocol:
    """
    Write ``NEW_ID.toml`` in ``out`` (default: the current folder), started from a shipped
    protocol or a documented regimen. Never overwrites; the file appears complete or not at all.

    Raises:
        InputError: NEW_ID is not a usable file name.
        UnknownNameError: ``source_id`` is no protocol and no regimen.
        OutputError: the file exists, or the folder is missing or not writable.
    """
    from planner.documents.output import check_name
    from planner.knowledge import starter
    from planner.knowledge.catalog import lookup

    new_id = new_id.removesuffix(".toml")
    if not starter.NEW_ID.fullmatch(new_id):
        raise InputError(
            got=new_id,
            expected="an id of at most 100 letters, digits, '.', '_' and '-', starting with a "
            "letter or digit, e.g. 'mylab-cci779-acute'",
            where="NEW_ID",
        )
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
    protocol = starter.starter(item, new_id, reference)
    kind = starter.source_kind(item)
    _write_new(path, starter.protocol_text(protocol, kind))
    return starter.NewProtocol(path=path, protocol=protocol, source_kind=kind)


def _write_new(path: Path, text: str) -> None:
    """Write through planner.documents.output (temporary file, then linked into place), never overwriting."""
    from planner.documents.output import write_atomically

    try:
        write_atomically(path, [text])
    except OutputError as error:
        if path.exists() and "already exists" in error.message:
            raise OutputError(
                path=str(path), message="already exists; planner new never overwrites"
            ) from None
        raise
