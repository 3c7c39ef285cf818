"""
The one place where numbers and units become text, following medication-safety practice (ISMP).

- No trailing zero ("5 mg", never "5.0 mg"); always a leading zero ("0.5 mL", never ".5 mL").
- A space between number and unit; commas in numbers of 1,000 and more; never an exponent.
- "mcg" and "mcL", never the micro sign (read as "m"); "mL" with a capital L, never "cc".
- Doses to 3 significant figures; volumes to the step a syringe can measure.

pint's own formatter is never used for output: its text changes between versions (the micro
sign changed code point in 2026) and breaks several of the rules above. JSON and CSV keep the
unrounded value with a unit text that pint itself can parse (:func:`json_quantity`).

>>> format_quantity(Q_("0.67500", "mg"), "mg")
'0.675 mg'
>>> format_quantity(Q_("12500", "uL"), "mL")
'12.5 mL'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from planner.units.registry import Q_, Kind, Quantity, Unit, _exponents, basis, is_kind, parse_unit  # noqa: F401 - Q_ for doctests

__all__ = [
    "auto_unit",
    "format_entered",
    "format_fixed",
    "format_number",
    "format_quantity",
    "json_quantity",
    "json_value",
    "unit_key",
    "unit_text",
]

# Unit names in the registry (planner/units.txt) split into prefix and base. Keys are written with
# pint-parsable symbols (they are also the JSON form); text follows ISMP ("mcg", "mcL", "mL").
_PREFIXES = {
    "kilo": "k",
    "deci": "d",
    "centi": "c",
    "milli": "m",
    "micro": "u",
    "nano": "n",
    "": "",
}
_BASES = {
    "gram": "g",
    "meter": "m",
    "mole": "mol",
    "second": "s",
    "liter": "L",
    "molar": "M",
    "minute": "min",
    "hour": "h",
    "day": "d",
    "week": "week",
    "percent": "percent",
    "mcg": "ug",
}
# Printed forms where the symbol would be unsafe or unclear: never the micro sign, "u" or "d".
_PRINTED = {
    "ug": "mcg",
    "uL": "mcL",
    "umol": "micromol",
    "uM": "micromolar",
    "percent": "%",
    "d": "day",
    "week": "week",
    "us": "microsecond",
    "um": "micrometer",
    "ng": "nanogram",
    "nL": "nanoliter",
}


def _split_name(name: str) -> tuple[str, str]:
    if name in _BASES:
        return "", name
    for prefix in _PREFIXES:
        if prefix and name.startswith(prefix) and name[len(prefix) :] in _BASES:
            return prefix, name[len(prefix) :]
    raise ValueError(f"planner has no symbol for unit {name!r}")


def _symbol(name: str, *, printed: bool) -> str:
    prefix, base = _split_name(name)
    symbol = _PREFIXES[prefix] + _BASES[base]
    return _PRINTED.get(symbol, symbol) if printed else symbol


def _render(unit: Unit, *, printed: bool) -> str:
    top: list[str] = []
    bottom: list[str] = []
    for name, exponent in _exponents(unit):
        symbol = _symbol(name, printed=printed)
        power = abs(exponent)
        if power != 1:
            symbol += str(power) if printed else f"**{power}"
        (top if exponent > 0 else bottom).append(symbol)
    text = "*".join(top) if top else ("1" if bottom else "")
    return "/".join([text, *bottom]) if bottom else text


def unit_key(unit: Unit | str) -> str:
    """
    Return a unit as short text that pint parses: the form JSON and CSV use.

    >>> unit_key("mcg/g"), unit_key("mg/m2"), unit_key("umol/kg")
    ('ug/g', 'mg/m**2', 'umol/kg')
    """
    return _render(parse_unit(unit) if isinstance(unit, str) else unit, printed=False)


def unit_text(unit: Unit | str) -> str:
    """
    Return a unit as it is printed for people ("ug" -> "mcg", "uL" -> "mcL", "mg/m**2" -> "mg/m2").

    >>> unit_text("ug/mL"), unit_text("uL"), unit_text("mg/m**2"), unit_text("mL/kg")
    ('mcg/mL', 'mcL', 'mg/m2', 'mL/kg')
    """
    return _render(parse_unit(unit) if isinstance(unit, str) else unit, printed=True)


# For each kind (and mass or substance basis), candidate units from small to large, each with the
# smallest value (in that unit) it is used from: 0.05 mg is written 50 mcg, 12 g stays 12 g.
_LADDERS: dict[tuple[Kind, str | None], list[tuple[str, str]]] = {
    (Kind.AMOUNT, "mass"): [("ug", "0"), ("mg", "0.1"), ("g", "10")],
    (Kind.AMOUNT, "substance"): [("umol", "0"), ("mmol", "1")],
    (Kind.VOLUME, None): [("uL", "0"), ("mL", "0.1"), ("L", "10")],
    (Kind.CONCENTRATION, "mass"): [("ug/mL", "0"), ("mg/mL", "0.1")],
    (Kind.CONCENTRATION, "substance"): [("uM", "0"), ("mM", "0.1")],
    (Kind.DOSE_PER_MASS, "mass"): [("ug/kg", "0"), ("mg/kg", "0.1")],
    (Kind.DOSE_PER_MASS, "substance"): [("umol/kg", "0")],
    (Kind.DOSE_PER_AREA, "mass"): [("ug/m**2", "0"), ("mg/m**2", "0.1")],
    (Kind.DOSE_PER_AREA, "substance"): [("umol/m**2", "0")],
    (Kind.DOSE_VOLUME, None): [("mL/kg", "0")],
    (Kind.MOLAR_MASS, None): [("g/mol", "0")],
    (Kind.FRACTION, None): [("percent", "0")],
    (Kind.DURATION, None): [("min", "0"), ("h", "1")],
}
_ORDER = (
    Kind.DOSE_PER_MASS,
    Kind.DOSE_PER_AREA,
    Kind.DOSE_VOLUME,
    Kind.CONCENTRATION,
    Kind.MOLAR_MASS,
    Kind.AMOUNT,
    Kind.VOLUME,
    Kind.FRACTION,
    Kind.DURATION,
)


def kind_of(quantity: Quantity) -> Kind | None:
    """Return the kind of a quantity, most specific first; None for unknown combinations."""
    for kind in _ORDER:
        if is_kind(quantity, kind):
            return kind
    return None


def auto_unit(quantity: Quantity) -> str:
    """
    Choose the unit a person reads a quantity in best (0.675 mg, 10 mcL, 2.5 mg/mL).

    >>> auto_unit(Q_("0.01", "mL")), auto_unit(Q_("0.675", "mg")), auto_unit(Q_(75, "mg/m2"))
    ('uL', 'mg', 'mg/m**2')
    """
    kind = kind_of(quantity)
    if kind is None:
        raise ValueError(f"planner has no display unit for {quantity.units}")
    base = (
        basis(quantity.units)
        if kind in {Kind.AMOUNT, Kind.CONCENTRATION, Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA}
        else None
    )
    ladder = _LADDERS[(kind, base)]
    chosen = ladder[0][0]
    for unit, threshold in ladder:
        if abs(quantity.to(unit).magnitude) >= Decimal(threshold):
            chosen = unit
    return chosen


def _plain(value: Decimal) -> str:
    """Write a Decimal in fixed notation with no trailing zero and commas from 1,000."""
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}"
    return sign + grouped + (f".{fraction}" if fraction else "")


def round_significant(value: Decimal, sig: int = 3) -> Decimal:
    """
    Round to ``sig`` significant figures, halves away from zero.

    >>> round_significant(Decimal("0.6745")), round_significant(Decimal("12345"))
    (Decimal('0.675'), Decimal('1.23E+4'))
    """
    if value == 0:
        return Decimal(0)
    quantum = Decimal(1).scaleb(value.adjusted() - sig + 1)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int, *, sig: int = 3) -> str:
    """
    Write a number to ``sig`` significant figures the ISMP way.

    >>> format_number(Decimal("5.0")), format_number(Decimal(".5")), format_number(Decimal("12345"))
    ('5', '0.5', '12,300')
    """
    return _plain(round_significant(Decimal(value), sig))


def round_step(value: Decimal, step: Decimal) -> Decimal:
    """Round to the nearest multiple of ``step``, halves away from zero."""
    return (value / step).to_integral_value(rounding=ROUND_HALF_UP) * step


def format_fixed(value: Decimal, *, step: Decimal) -> str:
    """
    Write a number rounded to a multiple of ``step`` (e.g. 0.01 for a 1 mL syringe).

    >>> format_fixed(Decimal("0.2749"), step=Decimal("0.01")), format_fixed(Decimal("2"), step=Decimal("0.01"))
    ('0.27', '2')
    """
    return _plain(round_step(value, step))


def format_quantity(
    quantity: Quantity, unit: str | None = None, *, sig: int = 3, step: Quantity | None = None
) -> str:
    """
    Write a quantity for people: converted to ``unit`` (or the best unit), rounded, ISMP style.

    With ``step`` (a quantity of the same kind), the value is rounded to a multiple of it, as a
    syringe measures; otherwise to ``sig`` significant figures.

    >>> format_quantity(Q_("0.27", "mL"), "mL", step=Q_("0.01", "mL"))
    '0.27 mL'
    >>> format_quantity(Q_(25, "mcg/g"))
    '25 mg/kg'
    """
    unit = unit or auto_unit(quantity)
    value = quantity.to(unit).magnitude
    if step is not None:
        number = format_fixed(value, step=step.to(unit).magnitude)
    else:
        number = format_number(value, sig=sig)
    text = unit_text(unit)
    return f"{number} {text}" if text else number


def format_entered(quantity: Quantity, unit: str | None = None) -> str:
    """
    Write a measured value as it was entered: every significant digit kept (at least 3), so
    that a weight of 19.99 g is echoed as 19.99 g, never rounded to 20 g.

    >>> format_entered(Q_("19.99", "g"), "g"), format_entered(Q_("0.02", "kg"), "g")
    ('19.99 g', '20 g')
    """
    unit = unit or auto_unit(quantity)
    value = Decimal(quantity.to(unit).magnitude)
    digits = len(value.normalize().as_tuple().digits) if value else 1
    number = format_number(value, sig=max(3, digits))
    text = unit_text(unit)
    return f"{number} {text}" if text else number


def json_value(value: Decimal) -> int | float:
    """Return a JSON number for a Decimal: an int when whole, else the nearest float."""
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


def json_quantity(quantity: Quantity, unit: str | None = None) -> dict[str, Any]:
    """
    Return ``{"value": ..., "unit": ...}``: the unrounded value, and a unit text pint parses.

    >>> json_quantity(Q_(25, "mcg/g"), "mg/kg")
    {'value': 25, 'unit': 'mg/kg'}
    """
    unit = unit_key(unit or auto_unit(quantity))
    return {"value": json_value(quantity.to(unit).magnitude), "unit": unit}
