"""
The study calendar: every event of a protocol's timeline laid out day by day, with each dose
at its clock time and each test at its time after a dose.

Days count from day 0 (the protocol's ``day_zero``: surgery or induction). A test timed
``after_dose`` is placed after every dose of its regimen on each of its days; a test 24 h after
a 09:00 dose on day 10 falls on day 11 at 09:00.

>>> from planner.knowledge.loading import load_protocol
>>> events = build_calendar(load_protocol("obara2011-cci779-acute"))
>>> [(e.day, e.time, e.kind.value) for e in events if e.day == 7][:3]
[(7, '08:00', 'test'), (7, '09:00', 'dosing'), (7, '10:00', 'test')]
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs

from planner.knowledge.protocols import EventKind, Protocol, TimelineEvent
from planner.units.registry import Quantity

__all__ = ["Administration", "CalendarEvent", "administrations", "build_calendar", "clock"]

_DAY = 24 * 60


def clock(minute: int | None) -> str:
    """
    Write minutes after midnight as "HH:MM"; "" for an untimed event.

    >>> clock(570), clock(None)
    ('09:30', '')
    """
    if minute is None:
        return ""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


@attrs.frozen(kw_only=True)
class Administration:
    """One administration of a regimen: the n-th dose, on a day, at a time."""

    regimen: str
    """Id of the regimen dosed."""
    number: int
    """1 for the first dose of the regimen, 2 for the second, ..."""
    day: int
    """Study day."""
    minute: int | None
    """Minutes after midnight; None when the protocol gives no clock time."""
    event: int
    """Index of the dosing event in the protocol's timeline."""

    @property
    def time(self) -> str:
        """The clock time "HH:MM", or "" when untimed."""
        return clock(self.minute)


def administrations(protocol: Protocol) -> tuple[Administration, ...]:
    """
    Return every administration of every regimen, in time order (untimed doses first on their
    day), numbered per regimen.
    """
    found: list[tuple[int, int, int, str, int]] = []
    order = {regimen: number for number, regimen in enumerate(protocol.regimens)}
    for index, event in enumerate(protocol.timeline):
        if event.kind is not EventKind.DOSING:
            continue
        times = [_minutes(t) for t in event.times.value] if event.times is not None else [-1]
        for day in event.days.value:
            for minute in times:
                found.append((day, minute, order.get(event.regimen, 0), event.regimen, index))
    found.sort()
    counts: dict[str, int] = {}
    result = []
    for day, minute, _, regimen, index in found:
        counts[regimen] = counts.get(regimen, 0) + 1
        result.append(
            Administration(
                regimen=regimen,
                number=counts[regimen],
                day=day,
                minute=None if minute < 0 else minute,
                event=index,
            )
        )
    return tuple(result)


@attrs.frozen(kw_only=True)
class CalendarEvent:
    """One thing to do on one study day."""

    day: int
    """Study day (day 0 is the protocol's ``day_zero``)."""
    minute: int | None
    """Minutes after midnight; None when the protocol gives no time."""
    kind: EventKind
    """Acclimatisation, baseline, surgery, dosing, test, tissue, ..."""
    what: str
    """What is done, as the protocol words it."""
    regimen: str = ""
    """The regimen dosed, or the regimen a timed test follows."""
    after: Quantity | None = None
    """For a test timed after a dose: how long after."""
    dose_number: int | None = None
    """For a dose, or a test timed after one: which dose of the regimen."""
    assumed: bool = False
    """True when the day or time is assumed, not stated by the source."""
    event: int = 0
    """Index of the event in the protocol's timeline."""

    @property
    def time(self) -> str:
        """The clock time "HH:MM", or "" when untimed."""
        return clock(self.minute)


def _assumed(event: TimelineEvent) -> bool:
    facts = [event.days, event.times, event.after_dose]
    return any(f is not None and f.assumed for f in facts)


def _after_minutes(after: Quantity) -> Decimal:
    return Decimal(after.to("min").magnitude)


def build_calendar(protocol: Protocol) -> tuple[CalendarEvent, ...]:
    """
    Return every event of the protocol's timeline on its day and time, sorted by day, then
    time (untimed events last: "after the last test"), then the timeline's order.
    """
    doses = administrations(protocol)
    events: list[CalendarEvent] = []
    for index, event in enumerate(protocol.timeline):
        assumed = _assumed(event)
        if event.kind is EventKind.DOSING:
            events.extend(
                CalendarEvent(
                    day=dose.day,
                    minute=dose.minute,
                    kind=event.kind,
                    what=event.what,
                    regimen=event.regimen,
                    dose_number=dose.number,
                    assumed=assumed,
                    event=index,
                )
                for dose in doses
                if dose.event == index
            )
        elif event.after_dose is not None:
            for day in event.days.value:
                # after_dose counts from the day's first dose of the regimen (protocols/README.md):
                # "30 min after the morning dose", not after every dose of a twice-daily regimen.
                given = [d for d in doses if d.regimen == event.regimen and d.day == day]
                given.sort(key=lambda d: _DAY if d.minute is None else d.minute)
                for dose in given[:1]:
                    for after in event.after_dose.value:
                        start = (dose.minute or 0) + _after_minutes(after)
                        whole = int(start)
                        events.append(
                            CalendarEvent(
                                day=day + whole // _DAY,
                                minute=whole % _DAY if dose.minute is not None else None,
                                kind=event.kind,
                                what=event.what,
                                regimen=event.regimen,
                                after=after,
                                dose_number=dose.number,
                                assumed=assumed,
                                event=index,
                            )
                        )
        else:
            times = [_minutes(t) for t in event.times.value] if event.times is not None else [None]
            events.extend(
                CalendarEvent(
                    day=day,
                    minute=minute,
                    kind=event.kind,
                    what=event.what,
                    regimen=event.regimen,
                    assumed=assumed,
                    event=index,
                )
                for day in event.days.value
                for minute in times
            )
    events.sort(key=lambda e: (e.day, _DAY if e.minute is None else e.minute, e.event))
    return tuple(events)


def date_of(start: datetime.date | None, day: int) -> datetime.date | None:
    """Return the calendar date of a study day, given the date of day 0; None without one."""
    return None if start is None else start + datetime.timedelta(days=day)
