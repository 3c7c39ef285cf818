"""
The one unit registry, and the one parser for quantities people type.

Everything dimensioned inside planner is a pint Quantity from :data:`ureg`, with a
:class:`~decimal.Decimal` magnitude so that "0.1 mL" stays exactly 0.1 mL and 25 mg/kg x 27 g is
exactly 0.675 mg. The registry is built from ``units.txt`` beside this file, a short list of the
units dosing needs, so that error-prone abbreviations cannot be misread; pint's on-disk cache
makes building it cost a few milliseconds.

>>> parse_quantity("25 mg/kg", Kind.DOSE_PER_MASS)
<Quantity(25, 'milligram / kilogram')>
>>> Q_("27", "g").to("kg").magnitude
Decimal('0.027')
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Callable, ItemsView, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import pint
from pint.util import UnitsContainer

from planner.errors import QuantityError

if TYPE_CHECKING:
    from pint.facets.plain import PlainQuantity, PlainUnit
    from typing_extensions import TypeIs

__all__ = [
    "Q_",
    "Kind",
    "Quantity",
    "basis",
    "has_kind",
    "is_kind",
    "is_quantity",
    "parse_quantity",
    "parse_unit",
    "require_kind",
    "require_positive",
    "ureg",
]

_DEFINITIONS = Path(__file__).with_name("units.txt")


def _build_registry() -> pint.UnitRegistry[Decimal]:
    kwargs: dict[str, Any] = {"non_int_type": Decimal, "autoconvert_offset_to_baseunit": False}
    try:
        return pint.UnitRegistry(str(_DEFINITIONS), cache_folder=":auto:", **kwargs)
    except OSError:  # pragma: no cover - a read-only home: build without the cache, just slower
        return pint.UnitRegistry(str(_DEFINITIONS), **kwargs)
    except Exception:
        # pint's disk cache holds a file it cannot read: cut short by a full disk or a killed
        # first run, or being written by a concurrent one (pint does not write it atomically).
        # Drop the unreadable files and build again, which writes them anew; say nothing
        # unless that fails too, and then build without the cache rather than stop.
        _drop_unreadable_cache()
        try:
            return pint.UnitRegistry(str(_DEFINITIONS), cache_folder=":auto:", **kwargs)
        except Exception:
            return pint.UnitRegistry(str(_DEFINITIONS), **kwargs)


def _drop_unreadable_cache() -> None:
    """Remove the files of pint's disk cache that cannot be unpickled (and their headers)."""
    import pickle

    import platformdirs

    folder = platformdirs.user_cache_path(appname="pint", appauthor=False)
    for path in folder.glob("*.pickle"):
        try:
            with path.open("rb") as handle:
                pickle.load(handle)
        except Exception:
            for broken in (path, path.with_suffix(".json")):
                broken.unlink(missing_ok=True)


ureg: pint.UnitRegistry[Decimal] = _build_registry()
"""The registry. Import it from here; never build another one."""

if TYPE_CHECKING:
    # What the type checker sees: pint's methods (``.to()``, ``.units``, arithmetic) are typed
    # on the plain facet, returning PlainQuantity and PlainUnit, so the aliases name those, with
    # the Decimal magnitude every quantity here has. Every ureg quantity and unit is one of them.
    Quantity: TypeAlias = PlainQuantity[Decimal]
    Unit: TypeAlias = PlainUnit
else:
    # What runs: the classes themselves, for isinstance and for cattrs' hooks (unchanged).
    Quantity = pint.Quantity
    Unit = pint.Unit


def is_quantity(value: object) -> TypeIs[Quantity]:
    """
    Tell whether ``value`` is a pint quantity: ``isinstance(value, Quantity)`` for the type
    checker, which refuses isinstance with the parametrised alias.
    """
    return isinstance(value, pint.Quantity)


def Q_(value: int | float | str | Decimal, unit: str | Unit) -> Quantity:
    """
    Build a quantity from a value and a unit, with a Decimal magnitude.

    Floats go through their shortest text form, so ``Q_(0.1, "mL")`` is exactly 0.1 mL.

    >>> Q_(0.1, "mL") + Q_(0.2, "mL")
    <Quantity(0.3, 'milliliter')>
    """
    if isinstance(value, bool):
        raise TypeError("a quantity's value cannot be a bool")
    magnitude = value if isinstance(value, Decimal) else Decimal(str(value))
    return ureg.Quantity(magnitude, parse_unit(unit) if isinstance(unit, str) else unit)


class Kind(enum.Enum):
    """
    What a quantity stands for; the value is how messages describe it.

    pint sees mg/kg, % and plain numbers all as dimensionless, so a dose per body mass is
    recognised by its written units (a mass or amount over a mass), not by its dimension.
    """

    MASS = "a mass, e.g. '27 g'"
    AMOUNT = "an amount of compound (a mass or an amount of substance), e.g. '0.5 mg' or '2 umol'"
    VOLUME = "a volume, e.g. '0.25 mL'"
    DOSE_PER_MASS = "a dose per body mass, e.g. '25 mg/kg', '25 mcg/g' or '40 umol/kg'"
    DOSE_PER_AREA = "a dose per body surface area, e.g. '75 mg/m2'"
    DOSE_VOLUME = "a dose volume per body mass, e.g. '10 mL/kg' or '10 uL/g'"
    CONCENTRATION = "a concentration, e.g. '2.5 mg/mL' or '5 mM'"
    MOLAR_MASS = "a molar mass, e.g. '1030.29 g/mol'"
    FRACTION = "a percentage, e.g. '5 %'"
    DURATION = "a duration, e.g. '24 h' or '30 min'"
    NUMBER = "a plain number without a unit"

    def describe(self) -> str:
        """Return how a message names this kind."""
        return str(self.value)


def _dims(**exponents: int) -> UnitsContainer:
    # Dimensionalities written out rather than parsed from unit text: parsing a dozen unit
    # expressions at import cost several milliseconds of every command's start-up.
    return UnitsContainer({f"[{name}]": exp for name, exp in exponents.items()})


_MASS = _dims(mass=1)
_SUBSTANCE = _dims(substance=1)
_VOLUME = _dims(length=3)


def _exponents(unit: Unit) -> ItemsView[str, int | Decimal]:
    """Return a unit's names and their exponents as written, before any conversion."""
    # cast: pint types an exponent as any Scalar, complex included, which cannot be compared
    # with 0; a unit's exponents are ints, or Decimals (this registry's non_int_type).
    return cast("ItemsView[str, int | Decimal]", unit._units.items())


def _split(unit: Unit) -> tuple[Any, Any]:
    """Return the dimensionality of a unit's numerator and of its denominator, as written."""
    container = _exponents(unit)  # the units as written, before any conversion
    top = UnitsContainer({n: e for n, e in container if e > 0}, non_int_type=Decimal)
    bottom = UnitsContainer({n: -e for n, e in container if e < 0}, non_int_type=Decimal)
    return ureg.get_dimensionality(top), ureg.get_dimensionality(bottom)


def basis(unit: Unit) -> str | None:
    """
    Return "mass" or "substance" for what a dose, amount or concentration counts, else None.

    >>> basis(ureg.parse_units("umol/kg")), basis(ureg.parse_units("mg/mL")), basis(ureg.parse_units("mM"))
    ('substance', 'mass', 'substance')
    """
    top, _ = _split(unit)
    if top == _MASS:
        return "mass"
    if top == _SUBSTANCE or top == _SUBSTANCE / _VOLUME:
        return "substance"
    return None


def _is_dose_per_mass(unit: Unit) -> bool:
    top, bottom = _split(unit)
    return top in (_MASS, _SUBSTANCE) and bottom == _MASS


def _dim(*wanted: UnitsContainer) -> Callable[[Unit], bool]:
    return lambda unit: unit.dimensionality in wanted and not unit.dimensionless


_MATCHES: dict[Kind, Callable[[Unit], bool]] = {
    Kind.MASS: _dim(_MASS),
    Kind.AMOUNT: _dim(_MASS, _SUBSTANCE),
    Kind.VOLUME: _dim(_VOLUME),
    Kind.DOSE_PER_MASS: _is_dose_per_mass,
    Kind.DOSE_PER_AREA: _dim(_dims(mass=1, length=-2), _dims(substance=1, length=-2)),
    Kind.DOSE_VOLUME: _dim(_dims(length=3, mass=-1)),
    Kind.CONCENTRATION: _dim(_dims(mass=1, length=-3), _dims(substance=1, length=-3)),
    Kind.MOLAR_MASS: _dim(_dims(mass=1, substance=-1)),
    Kind.FRACTION: lambda unit: dict(unit._units) == {"percent": 1},
    Kind.DURATION: _dim(_dims(time=1)),
    Kind.NUMBER: lambda unit: not unit._units,
}


def is_kind(value: Quantity | Unit, kind: Kind) -> bool:
    """
    Tell whether a quantity (or unit) is of a kind, judging mg/kg by its written units.

    >>> is_kind(Q_(25, "mg/kg"), Kind.DOSE_PER_MASS), is_kind(Q_(25, "%"), Kind.DOSE_PER_MASS)
    (True, False)
    """
    unit = value.units if is_quantity(value) else value
    return _MATCHES[kind](unit)


def _expected(kinds: Iterable[Kind]) -> str:
    return " or ".join(kind.describe() for kind in kinds)


def require_kind(value: Quantity, *kinds: Kind, where: str = "") -> Quantity:
    """
    Return ``value`` if it is of one of ``kinds``; otherwise raise :class:`QuantityError`.
    """
    if any(is_kind(value, kind) for kind in kinds):
        return value
    raise QuantityError(got=_plain(value), expected=_expected(kinds), where=where)


def require_positive(value: Quantity, *, where: str = "", zero: bool = False) -> Quantity:
    """
    Return ``value`` if it is greater than zero (or zero, with ``zero``); else raise
    :class:`QuantityError`. Library callers building quantities in code get the same guard as
    text parsed by :func:`parse_quantity`.
    """
    magnitude = value.magnitude
    if magnitude > 0 or (zero and magnitude == 0):
        return value
    expected = "a value of zero or more" if zero else "a value greater than zero"
    raise QuantityError(got=_plain(value), expected=expected, where=where)


def has_kind(*kinds: Kind) -> Callable[[Any, Any, Any], None]:
    """
    Return an attrs validator that accepts only Decimal-valued quantities of ``kinds``.
    """

    def _validate(_instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, ureg.Quantity) or not isinstance(value.magnitude, Decimal):
            raise QuantityError(got=value, expected=_expected(kinds), where=attribute.name)
        require_kind(value, *kinds, where=attribute.name)

    return _validate


def _plain(value: Quantity) -> str:
    return f"{value.magnitude} {value.units}"


# --- parsing ---------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"""
    (?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    \s*
    (?P<unit>.*)
    """,
    re.VERBOSE | re.DOTALL,
)

_UNIT_HELP = "e.g. mg, mcg, g, kg, mL, uL, mol, umol, mM, h, min, d, %"

# Words that pint (or a reader) would take for something else. Each is refused with the reason.
_REFUSED: dict[str, str] = {
    "cc": "'cc' is an error-prone abbreviation (ISMP): write mL",
    "u": "'u'/'U'/'IU'/'units' are activity units, which planner does not use: give a mass or an amount of substance",
    "iu": "'u'/'U'/'IU'/'units' are activity units, which planner does not use: give a mass or an amount of substance",
    "unit": "'units' are activity units, which planner does not use: give a mass or an amount of substance",
    "units": "'units' are activity units, which planner does not use: give a mass or an amount of substance",
    "qd": "'qd' and similar dosing-frequency abbreviations are not quantities: give the interval as a duration, e.g. '24 h'",
    "qod": "'qod' and similar dosing-frequency abbreviations are not quantities: give the interval as a duration, e.g. '48 h'",
    "bid": "'bid' and similar dosing-frequency abbreviations are not quantities: give the interval as a duration, e.g. '12 h'",
    "tid": "'tid' and similar dosing-frequency abbreviations are not quantities: give the interval as a duration, e.g. '8 h'",
    "gr": "'gr' may be read as grain or gram: write g for grams",
    "mkd": "'mkd' is ambiguous: write mg/kg",
}
# Lab shorthand mapped to what a pharmacologist means by it.
_MAPPED: dict[str, str] = {"mpk": "mg/kg", "MPK": "mg/kg"}

_WORD = re.compile(r"[A-Za-z_%]+")
# A unit expression after preprocessing: words with optional integer powers, joined by "/" or "*".
_TOKEN = re.compile(r"[*/]|[A-Za-z%]+(?:\*\*\d)?")
_UNIT_GRAMMAR = re.compile(r"[A-Za-z%]+(?:\*\*\d)?(?:\s*[*/]\s*[A-Za-z%]+(?:\*\*\d)?)*")
_EXPONENT = re.compile(r"(?<=[A-Za-z])(\d+)")


def _is_script_digit(char: str) -> bool:
    decomposition = unicodedata.decomposition(char)
    return (
        decomposition.startswith(("<super>", "<sub>"))
        and unicodedata.normalize("NFKC", char).isdigit()
    )


def _superscript_number(text: str) -> bool:
    """
    True when a superscript or subscript digit is part of a number (first in the text, or after
    a digit or decimal point), where NFKC would silently turn "10³" into "103". In a unit
    ("mg/m²") it follows a letter and is fine.
    """
    stripped = text.strip()
    for index, char in enumerate(stripped):
        if _is_script_digit(char):
            before = stripped[index - 1] if index else ""
            if not before or before.isdigit() or before in ".,·" or _is_script_digit(before):
                return True
    return False


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, non-breaking spaces, superscript digits and the micro sign
    # (U+00B5) into their plain forms; the Greek mu (U+03BC) it leaves, so map it to "u" here.
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\N{GREEK SMALL LETTER MU}", "u").replace("\N{MINUS SIGN}", "-")
    return " ".join(text.split())


def parse_unit(text: str, *, where: str = "", expected: str = "") -> Unit:
    """
    Read a unit as people write it ("mg/kg", "mcg/g", "µL", "mg/m2", "mpk").

    Raises:
        QuantityError: the unit is unknown or error-prone.
    """
    try:
        return _parse_unit_cached(text)
    except QuantityError as exc:
        exc.where, exc.expected = where, expected or exc.expected
        raise


@functools.lru_cache(maxsize=512)
def _parse_unit_cached(text: str) -> Unit:
    # Units are immutable and the same few are read again and again (every seed fact, every CSV
    # row): parse each text once. Errors are not cached; the caller fills in where they came from.
    expected = f"a unit ({_UNIT_HELP})"
    where = ""
    original = text
    text = _normalise(text)
    for word in _WORD.findall(text):
        reason = _REFUSED.get(word.lower())
        if reason:
            raise QuantityError(got=original, expected=expected, where=where, hint=reason)
    for short, meaning in _MAPPED.items():
        text = re.sub(rf"\b{short}\b", meaning, text)
    text = re.sub(r"\s+per\s+", "/", text)
    text = _EXPONENT.sub(r"**\1", text.replace("^", "**"))
    if not _UNIT_GRAMMAR.fullmatch(text):
        raise QuantityError(
            got=original,
            expected=expected,
            where=where,
            hint=f"write units as words joined by '/' or '*', e.g. mg/kg, mg/m2; units {_UNIT_HELP}",
        )
    # The grammar above is all a unit can be here, so the expression is evaluated directly,
    # left to right ("mg/kg/d" is mg per kg per day), without pint's general expression parser.
    exponents: dict[str, int] = {}
    sign = 1
    for token in _TOKEN.findall(text):
        if token in "*/":
            sign = -1 if token == "/" else 1
            continue
        word, _, power = token.partition("**")
        try:
            name = ureg.get_name(word)
        except pint.UndefinedUnitError:
            raise QuantityError(
                got=original,
                expected=expected,
                where=where,
                hint=f"unknown unit {word!r}; known units {_UNIT_HELP}",
            ) from None
        exponents[name] = exponents.get(name, 0) + sign * int(power or 1)
    return ureg.Unit(
        UnitsContainer({n: e for n, e in exponents.items() if e}, non_int_type=Decimal)
    )


def parse_quantity(
    text: str,
    *kinds: Kind,
    where: str = "",
    positive: bool = True,
) -> Quantity:
    """
    Read a quantity as people write it and check that it is of one of ``kinds``.

    Accepts "25 mg/kg", "25mg/kg", "0.025 g/kg", "25 mcg/g", "25 µg/g", "75 mg/m2", "10 uL",
    "5 mM", "2.5 mg/mL" and "1e-3 g". Refuses, with a reason: bare numbers where a unit is
    expected, wrong kinds ("25 %" as a dose), NaN and infinity, commas, error-prone abbreviations
    ("cc", "U", "IU", "units", "qd"); maps "mpk" to mg/kg. With ``positive`` (the default) the value
    must be greater than zero.

    Raises:
        QuantityError: anything that is not such a quantity. Nothing else is raised.

    >>> parse_quantity("25 µg/g", Kind.DOSE_PER_MASS).to("mg/kg")
    <Quantity(25, 'milligram / kilogram')>
    """
    expected = _expected(kinds) if kinds else "a quantity with its unit, e.g. '25 mg/kg'"
    if not isinstance(text, str):
        raise QuantityError(got=text, expected=expected, where=where)
    if _superscript_number(text):
        raise QuantityError(
            got=text,
            expected=expected,
            where=where,
            hint="a number with superscript or subscript digits would be misread (10\u00b3 as "
            "103): write plain digits, e.g. 1000",
        )
    normal = _normalise(text)
    match = _NUMBER.fullmatch(normal)
    if not normal:
        raise QuantityError(got=text, expected=expected, where=where, hint="the value is empty")
    if match is None:
        raise QuantityError(
            got=text,
            expected=expected,
            where=where,
            hint="it must start with a number written with digits and a '.' decimal point",
        )
    try:
        magnitude = Decimal(match["number"])
    except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
        raise QuantityError(got=text, expected=expected, where=where) from None
    unit_text = match["unit"]
    if unit_text.startswith((",", ".")):
        raise QuantityError(
            got=text,
            expected=expected,
            where=where,
            hint="write numbers without separators and with '.' as the decimal point, e.g. 1.5 or 1500",
        )
    try:
        unit = (
            parse_unit(unit_text, where=where, expected=expected)
            if unit_text
            else ureg.parse_units("")
        )
    except QuantityError as exc:
        exc.got = text  # name the whole value, not just its unit part
        raise
    # adjusted() is the power of ten of the leading digit, read without arithmetic (a context
    # operation such as abs() overflows on "1e999999999").
    if not magnitude.is_zero() and not -15 <= magnitude.adjusted() < 15:
        raise QuantityError(
            got=text,
            expected=expected,
            where=where,
            hint="the number is out of any plausible range",
        )
    if positive and magnitude <= 0:
        raise QuantityError(
            got=text, expected=expected, where=where, hint="it must be greater than zero"
        )
    if magnitude < 0:
        raise QuantityError(
            got=text, expected=expected, where=where, hint="it must not be negative"
        )
    quantity = ureg.Quantity(magnitude, unit)
    if kinds and not any(is_kind(quantity, kind) for kind in kinds):
        hint = "a number alone has no unit" if not unit_text else ""
        if unit_text and is_kind(quantity, Kind.FRACTION):
            hint = "a percentage is not a dose; pint would read mg/kg and % alike, planner does not"
        raise QuantityError(got=text, expected=expected, where=where, hint=hint)
    return quantity
