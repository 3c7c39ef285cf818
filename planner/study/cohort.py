"""
A cohort of animals and their body weights, read from a weights CSV file.

The file has a header row and one row per weighing::

    animal,weight,day,cage,sex
    M01,27.1 g,0,C1,F
    M01,28.0 g,7,C1,F
    M02,0.0265 kg,0,C1,F

``animal`` and ``weight`` are required, ``day``, ``cage`` and ``sex`` optional. A weight carries
its unit; an animal weighed on several days has one row per day. Ids, cages and sexes are visible
text on one line (no line breaks, control or zero-width characters). Rows are numbered as a
spreadsheet numbers them (the header is row 1), and every error names the row and column.

>>> cohort = parse_weights("animal,weight\\nM01,27.1 g\\n", source="weights.csv")
>>> cohort.animals[0].first_weight
<Quantity(27.1, 'gram')>
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
from attrs import validators as v

from planner.errors import DataFileError, InputError, QuantityError
from planner.units.registry import (
    Kind,
    Quantity,
    Unit,
    is_kind,
    parse_quantity,
    require_positive,
    ureg,
)

__all__ = [
    "Animal",
    "Cohort",
    "Weighing",
    "parse_weights",
    "placeholder_cohort",
    "read_weights",
]


@functools.lru_cache(maxsize=64)
def _is_mass(unit: Unit) -> bool:
    return is_kind(unit, Kind.MASS)


def _positive_mass(
    _instance: object, attribute: attrs.Attribute[Quantity], value: Quantity
) -> None:
    # has_kind(Kind.MASS) with the kind check cached per unit: a weights file of 10,000 rows
    # holds a handful of units, and this validator runs for every row.
    if not (
        isinstance(value, ureg.Quantity)
        and isinstance(value.magnitude, Decimal)
        and _is_mass(value.units)
    ):
        raise QuantityError(got=value, expected=Kind.MASS.describe(), where=attribute.name)
    require_positive(value, where=attribute.name)


@attrs.frozen(kw_only=True)
class Weighing:
    """
    One body weight of one animal, on a study day or for the whole study.
    """

    weight: Quantity = attrs.field(validator=_positive_mass)
    """The body weight, a mass greater than zero, in the unit it was given in."""
    day: int | None = attrs.field(default=None, validator=v.optional(v.instance_of(int)))
    """The study day of the weighing; None when no day was given (it applies to every day)."""
    row: int = attrs.field(default=0, validator=[v.instance_of(int), v.ge(0)])
    """The row of the weights file it was read from (the header is row 1); 0 when not read."""


def _day_order(weighing: Weighing) -> tuple[int, int]:
    return (0, 0) if weighing.day is None else (1, weighing.day)


def _sorted_weighings(weighings: Iterable[Weighing]) -> tuple[Weighing, ...]:
    return tuple(sorted(weighings, key=_day_order))


def _one_per_day(_instance: object, _attribute: object, value: tuple[Weighing, ...]) -> None:
    days = [w.day for w in value]
    if len(set(days)) != len(days):
        raise ValueError(f"an animal has one weighing per day at most; got days {days}")


@attrs.frozen(kw_only=True)
class Animal:
    """
    One animal: its id, cage and sex as given, and its weighings.
    """

    id: str = attrs.field(validator=(v.instance_of(str), v.min_len(1)))
    """The animal's id as written in the weights file, e.g. ``M01``."""
    cage: str = attrs.field(default="", validator=v.instance_of(str))
    """The cage, "" when not given."""
    sex: str = attrs.field(default="", validator=v.instance_of(str))
    """The sex as written in the file, "" when not given."""
    weighings: tuple[Weighing, ...] = attrs.field(
        default=(),
        converter=_sorted_weighings,
        validator=[v.deep_iterable(v.instance_of(Weighing)), _one_per_day],
    )
    """The weighings: the one without a day first, then by day."""

    def weighing_on(self, day: int) -> Weighing | None:
        """
        Return the weighing that applies on ``day``: the latest one on that day or before it.

        A weighing without a day applies to every day until a dated one takes over.

        >>> from planner.units.registry import Q_
        >>> animal = Animal(id="M01", weighings=(Weighing(weight=Q_(27, "g"), day=0),))
        >>> animal.weighing_on(3).weight, animal.weighing_on(-1)
        (<Quantity(27, 'gram')>, None)
        """
        for weighing in reversed(self.weighings):
            if weighing.day is None or weighing.day <= day:
                return weighing
        return None

    @property
    def first_weight(self) -> Quantity | None:
        """The weight of the earliest weighing (the one without a day comes first), or None."""
        return self.weighings[0].weight if self.weighings else None


def _unique_ids(_instance: object, _attribute: object, value: tuple[Animal, ...]) -> None:
    seen: set[str] = set()
    for animal in value:
        if animal.id in seen:
            raise ValueError(f"animal ids must be unique; {animal.id!r} appears twice")
        seen.add(animal.id)


if TYPE_CHECKING:
    # converter=tuple, as mypy's attrs plugin sees it: it cannot solve tuple's type variable.
    def _animals(animals: Iterable[Animal], /) -> tuple[Animal, ...]: ...

else:
    _animals = tuple


@attrs.frozen(kw_only=True)
class Cohort:
    """
    The animals of a study, from a weights file or numbered placeholders.
    """

    animals: tuple[Animal, ...] = attrs.field(
        converter=_animals, validator=[v.deep_iterable(v.instance_of(Animal)), _unique_ids]
    )
    """The animals, in the order they first appear in the file."""
    source: str = attrs.field(default="", validator=v.instance_of(str))
    """The weights file as given; "" for a placeholder cohort."""

    @property
    def placeholder(self) -> bool:
        """True for numbered animals without weights (no weights file was given)."""
        return self.source == ""


def placeholder_cohort(count: int, *, prefix: str = "") -> Cohort:
    """
    Return ``count`` numbered animals without weights, for a plan drafted before the cohort exists.

    Numbers are zero-padded to at least two digits so that they sort as text.

    >>> [a.id for a in placeholder_cohort(3, prefix="M").animals]
    ['M01', 'M02', 'M03']

    Raises:
        InputError: ``count`` is not a whole number of at least one.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InputError(got=count, expected="a whole number of animals, at least 1")
    width = max(2, len(str(count)))
    return Cohort(animals=tuple(Animal(id=f"{prefix}{i:0{width}d}") for i in range(1, count + 1)))


MAX_LABEL = 64
"""The longest animal id, cage or sex a weights CSV may give (they are printed in table cells)."""
MAX_WEIGHTS_BYTES = 64 * 1024 * 1024
"""The largest weights CSV planner reads."""


def read_weights(path: str | Path) -> Cohort:
    """
    Read a weights CSV file.

    Raises:
        DataFileError: the file cannot be read, or it breaks a rule of the format.
    """
    source = str(path)
    if not source.strip():  # Path("") is the current folder: say what is wrong instead
        raise DataFileError(
            path=repr(source), key="", message="no file name given; expected a weights CSV file"
        )
    if "\0" in source:  # read_bytes() raises ValueError for it, not OSError
        raise DataFileError(
            path=source, key="", message="cannot be read: the file name holds a NUL character"
        )
    if source == "-":
        raise DataFileError(
            path=source,
            key="",
            message="weights are not read from standard input; give the path of a CSV file",
        )
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_WEIGHTS_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DataFileError(path=source, key="", message=f"cannot be read: {reason}") from None
    if len(data) > MAX_WEIGHTS_BYTES:
        raise DataFileError(
            path=source,
            key="",
            message=f"is larger than {MAX_WEIGHTS_BYTES // 1024 // 1024} MiB; 10,000 animals "
            "weighed daily for 28 days take about 8 MiB: is it the right file?",
        )
    return parse_weights(data, source=source)


# --- parsing ---------------------------------------------------------------------------------

_REQUIRED = ("animal", "weight")
_OPTIONAL = ("day", "cage", "sex")
_COLUMNS = "expected columns: animal, weight, and optionally day, cage, sex"
_BOM = "\ufeff"
# Bytes that are not UTF-8 are decoded to lone surrogates U+DC80..U+DCFF (surrogateescape), so
# that the CSV reader can still number the rows and the first bad byte is found in its row.
# Text given as str may hold other lone surrogates, which no UTF-8 file can.
_UNDECODABLE = re.compile("[\ud800-\udfff]")
_BARE_NUMBER = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
# Days are whole numbers in ASCII digits; int() alone would also take "1_0" and other scripts'
# digits, and refuses more than 4300 digits with its own error.
_DAY = re.compile(r"[+-]?[0-9]{1,9}")


class _Row:
    """One row of the file on its way to a Weighing (mutable while the file is read)."""

    __slots__ = ("cage", "cage_row", "day", "number", "sex", "sex_row", "weight")

    def __init__(
        self, *, number: int, weight: Quantity, day: int | None, cage: str, sex: str
    ) -> None:
        self.number, self.weight, self.day, self.cage, self.sex = number, weight, day, cage, sex
        # The row each of cage and sex was first given in, for messages about disagreements.
        self.cage_row = self.sex_row = number


def _decode(data: bytes | str) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="surrogateescape")
    return data.removeprefix(_BOM)


def _records(text: str, source: str) -> list[tuple[int, list[str]]]:
    """Split the text into CSV records numbered from 1, as a spreadsheet numbers its rows."""
    records = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    try:
        for number, fields in enumerate(reader, start=1):
            for field in fields:
                bad = _UNDECODABLE.search(field)
                if bad:
                    code = ord(bad.group())
                    what = f"byte 0x{code - 0xDC00:02x}" if code >= 0xDC80 else f"U+{code:04X}"
                    raise DataFileError(
                        path=source,
                        key=f"row {number}",
                        message=f"the file is not UTF-8 text ({what} cannot be read); "
                        "expected a CSV file saved as UTF-8",
                    )
            records.append((number, fields))
    except csv.Error as exc:
        # A file separated by semicolons or tabs with quoted values trips the CSV reader
        # before the header is looked at: name the separator, as for an unquoted file.
        first = text.split("\n", 1)[0]
        separator = _separator(first) if "," not in first else None
        if separator:
            raise DataFileError(
                path=source,
                key="row 1 (header)",
                message=f"the file is separated by {separator}; expected commas",
            ) from None
        raise DataFileError(
            path=source,
            key=f"row {number + 1}",
            message=f"cannot be read as CSV ({exc}); expected comma-separated values, "
            'with any value that holds a comma or a quote in double quotes ("")',
        ) from None
    return records


def _blank(fields: list[str]) -> bool:
    return all(not field.strip() for field in fields)


def _separator(text: str) -> str | None:
    """The separator a one-column header line shows instead of commas, in words, or None."""
    return "semicolons" if ";" in text else "tabs" if "\t" in text else None


def _header(number: int, fields: list[str], source: str) -> dict[str, int]:
    """Return the index of each column named in the header."""
    key = f"row {number} (header)"
    if len(fields) == 1:
        separator = _separator(fields[0])
        if separator:
            raise DataFileError(
                path=source,
                key=key,
                message=f"the file is separated by {separator}; expected commas",
            )
    known = _REQUIRED + _OPTIONAL
    columns: dict[str, int] = {}
    for index, field in enumerate(fields):
        name = field.strip().lower()
        if not name:
            raise DataFileError(
                path=source, key=key, message=f"column {index + 1} has no name; {_COLUMNS}"
            )
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            suggestion = f" (did you mean {close[0]!r}?)" if close else ""
            raise DataFileError(
                path=source,
                key=key,
                message=f"unknown column {field.strip()!r}{suggestion}; {_COLUMNS}",
            )
        if name in columns:
            raise DataFileError(
                path=source,
                key=key,
                message=f"column {name!r} appears twice (columns {columns[name] + 1} and "
                f"{index + 1}); expected each column once",
            )
        columns[name] = index
    for name in _REQUIRED:
        if name not in columns:
            raise DataFileError(
                path=source, key=key, message=f"missing column {name!r}; {_COLUMNS}"
            )
    return columns


def _weight(text: str, key: str, source: str, cache: dict[str, Quantity]) -> Quantity:
    quantity = cache.get(text)
    if quantity is not None:
        return quantity
    if _BARE_NUMBER.fullmatch(text):
        number = text.strip()
        raise DataFileError(
            path=source,
            key=key,
            message=f"got {number!r}; expected a weight with its unit, e.g. '{number} g'",
        )
    try:
        quantity = parse_quantity(text, Kind.MASS, where=key)
    except QuantityError as exc:
        raise DataFileError(path=source, key=key, message=exc.detail) from None
    cache[text] = quantity
    return quantity


def _day(text: str, key: str, source: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not _DAY.fullmatch(text):
        raise DataFileError(
            path=source,
            key=key,
            message=f"got {text!r}; expected a whole study day, e.g. 0, 7 or -3, or a blank cell",
        )
    return int(text)


# Characters a label must not hold: controls (line breaks, tabs, NUL), format characters
# (zero-width spaces, direction overrides) and line or paragraph separators. An id with one of
# them prints on two lines, or looks the same as another animal's id ("M01" and "M\u200b01").
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _visible(text: str, key: str, source: str) -> None:
    """Refuse an id, cage or sex that holds a control, format or line-separator character."""
    if text.isprintable():  # the fast path: str.isprintable() is False for all of _INVISIBLE
        return
    import unicodedata

    for char in text:
        if unicodedata.category(char) in _INVISIBLE:
            raise DataFileError(
                path=source,
                key=key,
                message=f"got {text!r}, which holds the invisible or control character "
                f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')}); expected visible "
                "characters only, on one line",
            )


def _agree(row: _Row, first: _Row, name: str, animal: str, source: str) -> None:
    """Fill in a blank cage or sex from the animal's later rows; refuse a different one."""
    value, known = getattr(row, name), getattr(first, name)
    if not value or value == known:
        return
    if not known:
        setattr(first, name, value)  # the first row carries what the animal's rows agree on
        setattr(first, f"{name}_row", row.number)
        return
    raise DataFileError(
        path=source,
        key=f"row {row.number}, column {name}",
        message=f"got {name} {value!r} for animal {animal!r}, which row "
        f"{getattr(first, f'{name}_row')} gives as {known!r}; expected the same {name} on every "
        "row of an animal (or a blank cell)",
    )


def parse_weights(data: bytes | str, *, source: str) -> Cohort:
    """
    Read the text of a weights CSV file; ``source`` names the file in errors.

    Raises:
        DataFileError: the text breaks a rule of the format (see the module docstring).
    """
    records = _records(_decode(data), source)
    records = [(number, fields) for number, fields in records if not _blank(fields)]
    if not records:
        raise DataFileError(
            path=source,
            key="",
            message="no animals: the file is empty; expected a header row "
            "(animal,weight,...) and a row for each weighing",
        )
    header_number, header = records[0]
    columns = _header(header_number, header, source)
    if len(records) == 1:
        raise DataFileError(
            path=source,
            key="",
            message="no animals: the file has a header but no rows; "
            "expected a row for each weighing",
        )
    animal_at, weight_at = columns["animal"], columns["weight"]
    day_at, cage_at, sex_at = (columns.get(name) for name in _OPTIONAL)
    width = len(header)
    cache: dict[str, Quantity] = {}
    rows: dict[str, list[_Row]] = {}  # in order of first appearance
    seen: dict[tuple[str, int | None], int] = {}  # (animal, day) -> row
    for number, fields in records[1:]:
        if len(fields) != width:
            raise DataFileError(
                path=source,
                key=f"row {number}",
                message=f"has {len(fields)} fields, the header has {width}; expected "
                f"{width} comma-separated fields (put a value that holds a comma in double quotes)",
            )
        animal = fields[animal_at].strip()
        if not animal:
            raise DataFileError(
                path=source,
                key=f"row {number}, column animal",
                message="the animal id is empty; expected an id such as 'M01'",
            )
        day = fields[day_at] if day_at is not None else ""
        row = _Row(
            number=number,
            weight=_weight(fields[weight_at], f"row {number}, column weight", source, cache),
            day=_day(day, f"row {number}, column day", source),
            cage="" if cage_at is None else fields[cage_at].strip(),
            sex="" if sex_at is None else fields[sex_at].strip(),
        )
        for name, value in (("animal", animal), ("cage", row.cage), ("sex", row.sex)):
            _visible(value, f"row {number}, column {name}", source)
            if len(value) > MAX_LABEL:
                raise DataFileError(
                    path=source,
                    key=f"row {number}, column {name}",
                    message=f"{len(value):,} characters; expected at most {MAX_LABEL}, as a "
                    "label on a cage card or a tube",
                )
        earlier = rows.setdefault(animal, [])
        if earlier:
            _agree(row, earlier[0], "cage", animal, source)
            _agree(row, earlier[0], "sex", animal, source)
        other = seen.setdefault((animal, row.day), number)
        if other != number:
            when = "without a day" if row.day is None else f"on day {row.day}"
            raise DataFileError(
                path=source,
                key=f"row {number}",
                message=f"animal {animal!r} is weighed twice {when} (rows {other} and {number}); "
                "expected one weighing per animal and day",
            )
        earlier.append(row)
    return Cohort(
        animals=tuple(
            Animal(
                id=animal,
                cage=series[0].cage,
                sex=series[0].sex,
                weighings=tuple(Weighing(weight=r.weight, day=r.day, row=r.number) for r in series),
            )
            for animal, series in rows.items()
        ),
        source=source,
    )
