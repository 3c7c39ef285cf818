"""
The filters every printed number goes through, registered by name in the Jinja environment
(:func:`planner.documents.templates.make_env`): ``qty`` (3 significant figures), ``vol`` (a volume at its
syringe's graduation), ``mass4`` (4 significant figures, for what is weighed or measured out),
``number``, ``day``, ``date`` and ``fact`` (a value with "ASSUMED - verify" when no source states
it), and the text filters ``md`` and ``css_string``.

>>> qty(Q_("0.67500", "mg")), vol(Q_("0.271", "mL"), Q_("0.01", "mL")), mass4(Q_("22.69", "mg"))
('0.675 mg', '0.27 mL', '22.69 mg')
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import jinja2
from markupsafe import Markup, escape

from planner.knowledge.provenance import Fact
from planner.units.format import format_number, format_quantity
from planner.units.registry import Q_, Quantity, is_quantity

__all__ = [
    "ASSUMED",
    "FILTERS",
    "css_string",
    "date",
    "day",
    "fact",
    "mass4",
    "md",
    "number",
    "qty",
    "vol",
]

ASSUMED = "ASSUMED - verify"
"""The marker printed after every value that no source states."""

# --- filters: the one place where printed numbers are decided ---------------------------------

_TENTH_ML = Q_("0.1", "mL")


def qty(quantity: Quantity | None, unit: str | None = None) -> str:
    """
    A quantity to 3 significant figures, in ``unit`` or the unit read best; "" for None.

    >>> qty(Q_(25, "mcg/g")), qty(Q_("2.50", "mg/mL")), qty(None)
    ('25 mg/kg', '2.5 mg/mL', '')
    """
    return "" if quantity is None else format_quantity(quantity, unit, sig=3)


def vol(volume: Quantity | None, step: Quantity | None = None) -> str:
    """
    A volume as drawn up: rounded to ``step`` (the syringe's graduation), in mL, or in mcL
    under 0.1 mL; to 3 significant figures without a step; "" for None.

    >>> vol(Q_("0.225", "mL"), Q_("0.01", "mL")), vol(Q_("0.0102", "mL"), Q_("0.2", "uL"))
    ('0.23 mL', '10.2 mcL')
    """
    if volume is None:
        return ""
    unit = "mL" if volume >= _TENTH_ML else "uL"
    if step is None:
        return format_quantity(volume, unit, sig=3)
    return format_quantity(volume, unit, step=step)


def mass4(quantity: Quantity | None, unit: str | None = None) -> str:
    """
    A quantity to 4 significant figures: a mass to weigh, a volume to measure out, a body weight.

    >>> mass4(Q_("22.69000", "mg")), mass4(Q_("0.45380", "mL")), mass4(Q_("27.1", "g"), "g")
    ('22.69 mg', '0.4538 mL', '27.1 g')
    """
    return "" if quantity is None else format_quantity(quantity, unit, sig=4)


def number(value: Decimal | int | None, sig: int = 4) -> str:
    """
    A plain number (a salt factor, a ratio) to ``sig`` significant figures.

    >>> number(Decimal("1.08500")), number(12)
    ('1.085', '12')
    """
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return format_number(value, sig=sig)


def day(value: int | None) -> str:
    """
    A study day: "day 7", "day -14".

    >>> day(7), day(-14)
    ('day 7', 'day -14')
    """
    return "" if value is None else f"day {value}"


def date(value: datetime.date | None) -> str:
    """
    A calendar date in ISO form (never ambiguous between countries); "" for None.

    >>> date(datetime.date(2026, 3, 9))
    '2026-03-09'
    """
    return "" if value is None else value.isoformat()


def _value_text(value: Any) -> str:
    if is_quantity(value):
        return qty(value)
    if isinstance(value, tuple | list):
        return ", ".join(_value_text(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format_number(value, sig=3)
    if isinstance(value, enum.Enum):
        return str(value.value)
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else str(value)


def fact(value: Fact[Any] | None) -> str:
    """
    A fact's value as text, followed by "(ASSUMED - verify)" when no source states it.

    >>> from planner.knowledge.provenance import Status
    >>> fact(Fact(value=Q_(10, "mL/kg"), status=Status.ASSUMED, source="usual volume"))
    '10 mL/kg (ASSUMED - verify)'
    """
    if value is None:
        return ""
    text = _value_text(value.value)
    return f"{text} ({ASSUMED})" if value.assumed else text


def md(text: Any) -> str:
    """
    Text for a Markdown table cell or line, shown as written: pipes escaped, no raw HTML, no
    link, image or code syntax (a name such as "[x](http://...)" or "![x](y)" from a weights
    file or a protocol is text, not a link), one line.

    >>> md("a | <b>")
    'a \\\\| &lt;b>'
    >>> md("![x](http://e.org) [y](z) `y` [ASSUMED]")
    '\\\\![x\\\\](http://e.org) [y\\\\](z) \\\\`y\\\\` [ASSUMED]'
    """
    # A link or an image needs "](" (reference definitions cannot form on one line), so
    # escaping that, "![" and backticks keeps every name text; other brackets stay as written.
    shown = str(text).replace("\\", "\\\\").replace("![", "\\![").replace("](", "\\](")
    shown = shown.replace("|", "\\|").replace("`", "\\`").replace("<", "&lt;")
    return shown.replace("\r", " ").replace("\n", " ")


def css_string(text: str) -> Markup:
    """
    Text as a quoted CSS string, safe inside a ``<style>`` element.

    >>> str(css_string('a "b" </style>'))
    '"a \\\\"b\\\\" \\\\3c /style\\\\3e "'
    """
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
        .replace("\n", "\\a ")
    )
    return Markup(f'"{escaped}"')


# In HTML a number and its unit are joined by a no-break space, so that "0.27 mL" never splits
# across two lines of a narrow cell; Markdown keeps a plain space.
_NUMBER_UNIT = re.compile(r"(?<=\d) (?=[^\d\s(])")


def _joined(function: Callable[..., str]) -> Callable[..., Any]:
    @jinja2.pass_eval_context
    def wrapper(eval_ctx: jinja2.nodes.EvalContext, *args: Any, **kwargs: Any) -> Any:
        text = function(*args, **kwargs)
        if eval_ctx.autoescape:
            return Markup(_NUMBER_UNIT.sub("&nbsp;", str(escape(text))))
        return text

    wrapper.__doc__ = function.__doc__
    return wrapper


FILTERS: dict[str, Callable[..., Any]] = {
    "qty": _joined(qty),
    "vol": _joined(vol),
    "mass4": _joined(mass4),
    "number": number,
    "day": _joined(day),
    "date": date,
    "fact": _joined(fact),
    "md": md,
    "css_string": css_string,
}
