"""
Replication protocols: which documented regimens are given, to which groups of which animals,
in which vehicle and volume, on which days; every value a :class:`~planner.knowledge.provenance.Fact`.

A protocol is read from ``protocols/<id>.toml`` by :func:`planner.knowledge.loading.load_protocol`; its id
is the file stem. Day numbers count from day 0, the day of surgery or induction (or, without
one, the day named by ``day_zero``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
from attrs import validators as v

from planner.errors import InputError
from planner.knowledge.provenance import Fact, Status, fact_value
from planner.knowledge.regimens import _ID, _positive, _text, _tuple
from planner.units.registry import Q_, Kind, Quantity, basis, has_kind, is_kind

__all__ = [
    "EventKind",
    "Group",
    "Protocol",
    "TimelineEvent",
    "Treatment",
    "Vehicle",
    "VehicleComponent",
    "facts_of",
    "protocol_problems",
    "schedule_hours",
    "treatment_concentration",
]


@attrs.frozen(kw_only=True)
class VehicleComponent:
    """
    One component of a vehicle: a name and its share by volume, or None for the balance
    ("saline to volume").
    """

    # mypy's attrs plugin takes only named functions, types and lambdas as converters, not a
    # method such as str.strip; str.strip stays, for its TypeError on a value that is not text.
    name: str = attrs.field(converter=str.strip, validator=v.min_len(1))  # type: ignore[misc]
    """What it is ("DMSO", "PEG-400", "Tween-80", "0.9% saline")."""
    percent: Quantity | None = attrs.field(
        default=None, validator=v.optional(has_kind(Kind.FRACTION))
    )
    """Share of the final volume (v/v), e.g. 5 %; None for the balance."""

    @percent.validator
    def _check_share(self, _attribute: object, value: Quantity | None) -> None:
        if value is not None and not 0 < value.to("percent").magnitude <= 100:
            raise ValueError(
                f"a component's share must be more than 0 % and at most 100 %; got {value.magnitude} %"
            )


def _strip(value: str) -> str:
    return value.strip()


def _check_components(
    _instance: Any, attribute: Any, components: tuple[VehicleComponent, ...]
) -> None:
    if not components:
        raise InputError(
            got="no components", expected="at least one vehicle component", where=attribute.name
        )
    balance = [c.name for c in components if c.percent is None]
    stated = sum(
        (c.percent.to("percent").magnitude for c in components if c.percent is not None), Decimal(0)
    )
    if len(balance) > 1:
        raise InputError(
            got=", ".join(balance),
            expected="at most one component without a percentage (the balance)",
            where=attribute.name,
        )
    if stated > 100 or (not balance and stated != 100) or (balance and stated >= 100):
        raise InputError(
            got=f"{stated} %",
            expected="percentages (v/v) that add up to 100 %, or to less with one "
            "balance component",
            where=attribute.name,
        )


@attrs.frozen(kw_only=True)
class Vehicle:
    """
    What the compound is dissolved in: components (% v/v) in the order they are added.
    """

    name: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """Short name for sheets, e.g. "5% ethanol, 5% Tween-80, 5% PEG-400 in saline"."""
    components: tuple[VehicleComponent, ...] = attrs.field(
        converter=_tuple, validator=_check_components
    )
    """Components in order of addition; the compound is dissolved in the first; one may be the
    balance (no percentage)."""
    steps: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    """How to prepare it, in order."""


@attrs.frozen(kw_only=True)
class Treatment:
    """
    One regimen as this protocol gives it: the dose, the form weighed, volume and vehicle.
    """

    regimen: str = attrs.field(validator=v.min_len(1))
    """Id of the documented regimen (seeds/)."""
    dose: Fact[Quantity] = attrs.field(
        validator=fact_value(has_kind(Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, Kind.AMOUNT))
    )
    """Dose per administration; ``planner check`` compares it with the regimen's."""
    form: Fact[str] | None = attrs.field(default=None, validator=fact_value(_text))
    """Form of the compound the dose is stated in and weighed as (a form id in
    seeds/compounds.toml); None for the parent compound."""
    dose_volume: Fact[Quantity] = attrs.field(
        validator=fact_value(has_kind(Kind.DOSE_VOLUME, Kind.VOLUME))
    )
    """Injection volume per body mass (10 mL/kg) or per animal (10 mcL)."""
    vehicle: Fact[Vehicle] = attrs.field(validator=fact_value(v.instance_of(Vehicle)))
    """The vehicle and how to prepare it."""


MAX_GROUP_SIZE = 10_000
"""The largest group a protocol may hold. Far above any in-vivo study; a larger n is a typo (a
billion-animal placeholder cohort would take hours and all the memory to plan)."""


def _group_size(_instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_GROUP_SIZE:
        raise InputError(
            got=value,
            expected=f"a whole number of animals from 1 to {MAX_GROUP_SIZE:,}",
            where=attribute.name,
        )


@attrs.frozen(kw_only=True)
class Group:
    """
    A group of animals: its condition, what it receives and how many animals.
    """

    name: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """Printed name, e.g. "nerve injury + CCI-779"."""
    condition: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """Condition before treatment: "nerve injury", "sham", "naive", ..."""
    drug: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    """Regimen ids whose compound the group receives."""
    vehicle: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    """Regimen ids whose vehicle alone the group receives, on the same schedule."""
    n: Fact[int] = attrs.field(validator=fact_value(_group_size))
    """Number of animals, at most MAX_GROUP_SIZE."""
    status: Status = attrs.field(validator=v.instance_of(Status))
    """Whether the source states that this group was studied."""
    source: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """Where the source states it or, for an assumed group, why it is included."""

    @vehicle.validator
    def _check(self, _attribute: object, vehicle: tuple[str, ...]) -> None:
        both = sorted(set(vehicle) & set(self.drug))
        if both:
            raise InputError(
                got=", ".join(both),
                expected="each regimen in drug or in vehicle, not both",
                where="vehicle",
            )


class EventKind(enum.Enum):
    """What happens at a point of the timeline."""

    ACCLIMATISATION = "acclimatisation"
    HABITUATION = "habituation"
    BASELINE = "baseline"
    SURGERY = "surgery"
    INDUCTION = "induction"
    DOSING = "dosing"
    TEST = "test"
    TISSUE = "tissue"
    OTHER = "other"


_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


FIRST_DAY, LAST_DAY = -365, 1095
"""The study days a timeline may use: a year before day 0 to three years after it (longer
than a carcinogenicity study). A day beyond is a typo, and would make a plan of years of pages."""
MAX_TIMES = 24
"""The most clock times an event may have in a day (hourly)."""
MAX_AFTER = 24
"""The most time points after a dose an event may have."""
LONGEST_AFTER_DAYS = 30
"""The longest time after a dose an event may be timed, in days."""
MAX_DOSES = 500_000
"""The most doses (animals x administrations) a plan may hold: a CSV of them is written in
seconds; more is a typo, or a study to split."""


def _days(_instance: Any, attribute: Any, days: Any) -> None:
    if (
        not isinstance(days, tuple)
        or not days
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in days)
        or list(days) != sorted(set(days))
    ):
        raise InputError(
            got=", ".join(map(str, days)) if isinstance(days, tuple) else days,
            expected="a non-empty list of whole day numbers in increasing order",
            where=attribute.name,
        )
    if days[0] < FIRST_DAY or days[-1] > LAST_DAY:
        raise InputError(
            got=", ".join(map(str, days)),
            expected=f"study days from {FIRST_DAY} to {LAST_DAY:,} (day 0 is the protocol's "
            "day zero)",
            where=attribute.name,
        )


def _times(_instance: Any, attribute: Any, times: Any) -> None:
    if (
        not isinstance(times, tuple)
        or not times
        or not all(isinstance(t, str) and _CLOCK.fullmatch(t) for t in times)
        or list(times) != sorted(set(times))
    ):
        raise InputError(
            got=", ".join(map(str, times)) if isinstance(times, tuple) else times,
            expected="a non-empty list of clock times 'HH:MM' (24 h) in increasing order",
            where=attribute.name,
        )
    if len(times) > MAX_TIMES:
        raise InputError(
            got=f"{len(times)} times",
            expected=f"at most {MAX_TIMES} clock times a day",
            where=attribute.name,
        )


def _durations(_instance: Any, attribute: Any, values: Any) -> None:
    if not isinstance(values, tuple) or not values:
        raise InputError(
            got=values,
            expected="a non-empty list of durations, e.g. ['1 h', '3 h']",
            where=attribute.name,
        )
    for value in values:
        has_kind(Kind.DURATION)(_instance, attribute, value)
    if list(values) != sorted(set(values)):
        raise InputError(
            got=[f"{x.magnitude} {x.units}" for x in values],
            expected="durations in increasing order",
            where=attribute.name,
        )
    if len(values) > MAX_AFTER or values[-1] > Q_(LONGEST_AFTER_DAYS, "day"):
        raise InputError(
            got=f"{len(values)} durations up to {values[-1].magnitude} {values[-1].units}",
            expected=f"at most {MAX_AFTER} durations, none longer than {LONGEST_AFTER_DAYS} days",
            where=attribute.name,
        )


@attrs.frozen(kw_only=True)
class TimelineEvent:
    """
    Something done on given days: acclimatisation, baseline tests, surgery, dosing, tests at
    times after a dose, tissue collection.
    """

    kind: EventKind = attrs.field(validator=v.instance_of(EventKind))
    """What kind of event it is."""
    what: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """What is done, for people."""
    days: Fact[tuple[int, ...]] = attrs.field(validator=fact_value(_days))
    """Day numbers relative to day 0, in increasing order."""
    times: Fact[tuple[str, ...]] | None = attrs.field(default=None, validator=fact_value(_times))
    """Clock times ("HH:MM") on each of those days; a dosing event gives one dose at each."""
    regimen: str = attrs.field(default="")
    """For dosing: the regimen dosed; for tests and tissue: the regimen whose doses
    ``after_dose`` counts from."""
    after_dose: Fact[tuple[Quantity, ...]] | None = attrs.field(
        default=None, validator=fact_value(_durations)
    )
    """For tests and tissue collection: times after each dose of ``regimen`` on those days."""

    @regimen.validator
    def _check_regimen(self, _attribute: object, regimen: str) -> None:
        if self.kind is EventKind.DOSING and not regimen:
            raise InputError(got=None, expected="the id of the regimen dosed", where="regimen")

    @after_dose.validator
    def _check_after(self, _attribute: object, fact: Fact[tuple[Quantity, ...]] | None) -> None:
        if fact is None:
            return
        if self.kind is EventKind.DOSING:
            raise InputError(
                got="after_dose",
                expected="after_dose only on tests, tissue collection and other events",
                where="after_dose",
            )
        if not self.regimen:
            raise InputError(
                got=None, expected="the regimen whose doses after_dose counts from", where="regimen"
            )

    @property
    def administrations(self) -> int:
        """For a dosing event: how many doses it gives (days x times per day)."""
        return len(self.days.value) * (len(self.times.value) if self.times is not None else 1)


@attrs.frozen(kw_only=True)
class Protocol:
    """
    A replication protocol: animals, treatments, groups and timeline, with provenance.
    """

    id: str = attrs.field(validator=_ID)
    """The file stem, e.g. ``obara2011-cci779-acute``."""
    title: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """One line for people."""
    version: int = attrs.field(default=1, validator=_positive)
    """Version of the protocol, printed on every sheet; raise it when the protocol changes."""
    citation: str = attrs.field(validator=v.min_len(1))
    """Key of the citation the facts come from, unless a fact names its own."""
    based_on: str = ""
    """Id of the protocol or regimen this one was started from (``planner new``)."""
    summary: str = ""
    """A few sentences on what the protocol replicates and what it assumes."""
    species: Fact[str] = attrs.field(validator=fact_value(_text))
    """Species id (seeds/fda2005-km.toml); must be the regimens' species."""
    strain: Fact[str] = attrs.field(validator=fact_value(_text))
    """Strain or stock."""
    sex: Fact[str] = attrs.field(validator=fact_value(_text))
    """Sex of the animals."""
    age: Fact[str] | None = attrs.field(default=None, validator=fact_value(_text))
    """Age or weight range at the start."""
    day_zero: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """What happens on day 0, e.g. "nerve injury or sham surgery"."""
    notes: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    """Cautions and remarks for the people running it."""
    treatment: tuple[Treatment, ...] = attrs.field(converter=_tuple, validator=v.min_len(1))
    """The regimens given, each with dose, volume and vehicle."""
    group: tuple[Group, ...] = attrs.field(converter=_tuple, validator=v.min_len(1))
    """The groups."""
    timeline: tuple[TimelineEvent, ...] = attrs.field(converter=_tuple, validator=v.min_len(1))
    """What happens when, in order."""

    @property
    def regimens(self) -> tuple[str, ...]:
        """Ids of the regimens given, in the order of the treatments."""
        return tuple(t.regimen for t in self.treatment)

    def find_treatment(self, regimen: str) -> Treatment | None:
        """Return the treatment that gives ``regimen``, or None."""
        return next((t for t in self.treatment if t.regimen == regimen), None)

    def dosing(self, regimen: str) -> tuple[TimelineEvent, ...]:
        """Return the dosing events of ``regimen``."""
        return tuple(
            e for e in self.timeline if e.kind is EventKind.DOSING and e.regimen == regimen
        )

    @property
    def animals(self) -> int:
        """Total number of animals over the groups."""
        return sum(g.n.value for g in self.group)


def facts_of(obj: Any, path: str = "") -> Iterator[tuple[str, Fact[Any]]]:
    """
    Yield every :class:`Fact` inside an attrs object (a protocol, a regimen, a study) with its
    key path, e.g. ``("treatment[0].dose_volume", Fact(...))``.
    """
    if isinstance(obj, Fact):
        yield path, obj
        return
    if attrs.has(type(obj)):
        for field in attrs.fields(type(obj)):
            value = getattr(obj, field.name)
            yield from facts_of(value, f"{path}.{field.name}" if path else field.name)
    elif isinstance(obj, tuple):
        for number, item in enumerate(obj):
            if isinstance(item, Fact) or attrs.has(type(item)):
                yield from facts_of(item, f"{path}[{number}]")


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
    concentration: Quantity = dose / volume  # pint's operators are untyped
    return concentration.to("mg/mL" if basis(dose.units) == "mass" else "mM")


def schedule_hours(events: tuple[TimelineEvent, ...]) -> list[Decimal]:
    """
    Return the time of every administration of the given dosing events, in hours from the
    start of day 0, sorted. Events without clock times count as the same time each day.
    """
    hours: list[Decimal] = []
    for event in events:
        times = event.times.value if event.times is not None else ("00:00",)
        for day in event.days.value:
            for clock in times:
                hh, mm = clock.split(":")
                hours.append(Decimal(day) * 24 + Decimal(hh) + Decimal(mm) / 60)
    return sorted(hours)


def _known(names: Any) -> str:
    return ", ".join(sorted(names)) or "none"


def protocol_problems(protocol: Protocol, reference: Any) -> list[tuple[str, str]]:
    """
    Return what is wrong with a protocol's references, as (key path, message) pairs: its
    citation, species, regimens and forms, and the regimens its groups and timeline name.

    ``reference`` is the :class:`planner.knowledge.reference.Reference` the names are looked up in.
    """
    problems: list[tuple[str, str]] = []
    doses = protocol.animals * sum(
        e.administrations for e in protocol.timeline if e.kind is EventKind.DOSING
    )
    if doses > MAX_DOSES:
        problems.append(
            (
                "timeline",
                f"the plan would hold {doses:,} doses ({protocol.animals:,} animals x "
                f"{doses // max(protocol.animals, 1):,} administrations); at most {MAX_DOSES:,}: "
                "split the study or check the days, times and group sizes",
            )
        )
    keys = {c.key for c in reference.citations}
    if protocol.citation not in keys:
        problems.append(
            ("citation", f"unknown citation {protocol.citation!r}; known: {_known(keys)}")
        )
    species = {s.id for s in reference.species}
    if protocol.species.value not in species:
        problems.append(
            (
                "species.value",
                f"unknown species {protocol.species.value!r}; known: {_known(species)}",
            )
        )
    regimens = {r.id: r for r in reference.regimens}
    given = protocol.regimens
    for number, treatment in enumerate(protocol.treatment):
        where = f"treatment[{number}]"
        regimen = regimens.get(treatment.regimen)
        if regimen is None:
            problems.append(
                (
                    f"{where}.regimen",
                    f"unknown regimen {treatment.regimen!r}; known: {_known(regimens)}",
                )
            )
            continue
        if given.index(treatment.regimen) != number:
            problems.append(
                (f"{where}.regimen", f"regimen {treatment.regimen!r} has two [[treatment]] tables")
            )
        if regimen.species.value != protocol.species.value:
            problems.append(
                (
                    f"{where}.regimen",
                    f"regimen {regimen.id!r} is for {regimen.species.value}, but the "
                    f"protocol's species is {protocol.species.value!r}",
                )
            )
        for other in regimen.alongside:
            if other not in given:
                problems.append(
                    (
                        f"{where}.regimen",
                        f"regimen {regimen.id!r} is given alongside {other!r}: add a "
                        f"[[treatment]] for {other!r}",
                    )
                )
        if treatment.form is not None:
            compound = next(
                (c for c in reference.compounds if c.id == regimen.compound.value), None
            )
            forms = {f.id for f in compound.forms} if compound else set()
            if treatment.form.value not in forms:
                problems.append(
                    (
                        f"{where}.form.value",
                        f"unknown form {treatment.form.value!r} of "
                        f"{regimen.compound.value}; known: {_known(forms)}",
                    )
                )
    for number, group in enumerate(protocol.group):
        for table in ("drug", "vehicle"):
            for index, regimen_id in enumerate(getattr(group, table)):
                if regimen_id not in given:
                    problems.append(
                        (
                            f"group[{number}].{table}[{index}]",
                            f"regimen {regimen_id!r} is not among this "
                            f"protocol's treatments: {_known(given)}",
                        )
                    )
    names = [g.name for g in protocol.group]
    for number, name in enumerate(names):
        if names.index(name) != number:
            problems.append((f"group[{number}].name", f"group name {name!r} is used twice"))
    for number, event in enumerate(protocol.timeline):
        if event.regimen and event.regimen not in given:
            problems.append(
                (
                    f"timeline[{number}].regimen",
                    f"regimen {event.regimen!r} is not among this protocol's "
                    f"treatments: {_known(given)}",
                )
            )
    for key, fact in facts_of(protocol):
        if fact.citation and fact.citation not in keys:
            problems.append(
                (f"{key}.citation", f"unknown citation {fact.citation!r}; known: {_known(keys)}")
            )
    return problems
