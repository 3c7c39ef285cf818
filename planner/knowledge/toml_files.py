"""
TOML text into domain objects: the one place that knows tomllib and cattrs.

Unknown keys are refused (a typo must not pass silently), and every error names the file, the
key path inside it, what was expected and what was found, as one :class:`DataFileError`.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from planner.errors import DataFileError, PlannerError
from planner.knowledge.routes import Route
from planner.units.registry import Quantity, parse_quantity

if TYPE_CHECKING:
    import cattrs

__all__ = ["converter", "load_toml", "read_toml", "structure"]

T = TypeVar("T")

_MARK = "\x1f"  # separates a validator's attribute name from its message inside cattrs' text


def _structure_quantity(value: Any, _type: Any) -> Quantity:
    if not isinstance(value, str):
        raise TypeError(
            f"expected a quantity as text with its unit, e.g. '25 mg/kg'; got {value!r}"
        )
    return parse_quantity(value)


def _structure_decimal(value: Any, _type: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise TypeError(f"expected a number; got {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"expected a number; got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number; got {value!r}")
    return number


def _structure_route(value: Any, _type: Any) -> Route:
    if not isinstance(value, str):
        raise TypeError(f"expected a route such as 'ip'; got {value!r}")
    return Route.parse(value)


# cattrs' own hooks convert what they are given (int("4"), int(4.7), str(5), tuple("abc")): a
# data file that gives the wrong type must fail instead, naming what was expected.
def _structure_int(value: Any, _type: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number; got {value!r}")
    return value


def _structure_str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a text in quotes; got {value!r}")
    return value


def _is_homogeneous_tuple(type_: Any) -> bool:
    from typing import get_args, get_origin

    return (
        get_origin(type_) is tuple and len(get_args(type_)) == 2 and get_args(type_)[1] is Ellipsis
    )


def _tuple_hook_factory(type_: Any, conv: cattrs.Converter) -> Any:
    from cattrs.cols import homogenous_tuple_structure_factory

    inner = homogenous_tuple_structure_factory(type_, conv)

    def _structure_tuple(value: Any, _type: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise TypeError(f'expected a list, e.g. ["a", "b"]; got {value!r}')
        return inner(value, _type)

    return _structure_tuple


@cache
def converter() -> cattrs.Converter:
    """
    Return the converter every TOML file goes through (built on first use: cattrs is only
    imported when a file is actually read).
    """
    import cattrs

    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(Quantity, _structure_quantity)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(Route, _structure_route)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook_factory)
    conv.register_unstructure_hook(Quantity, lambda q: f"{q.magnitude} {q.units:~}")
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(Route, lambda r: r.key)
    return conv


def _message(exc: BaseException, type_: Any) -> str:
    from cattrs.errors import ForbiddenExtraKeysError

    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(a.name for a in attrs.fields(exc.cl)) if attrs.has(exc.cl) else ""
        extra = ", ".join(sorted(exc.extra_fields))
        return f"unknown key(s) {extra}; expected only: {allowed}"
    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, PlannerError):
        where = exc.where
        exc.where = ""
        text = exc.detail
        return f"{where}{_MARK}{text}" if where else text
    if isinstance(type_, type) and issubclass(type_, enum.Enum) and isinstance(exc, ValueError):
        return f"expected one of {', '.join(repr(m.value) for m in type_)}"
    if isinstance(exc, (TypeError, ValueError)):
        # attrs' built-in validators raise with (message, attribute, ...) as args: keep the message.
        text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        short = _TOO_SHORT.fullmatch(text)
        if short:
            # attrs' min_len says "Length of 'condition' must be >= 1: 0": name the key instead.
            name, least = short[1], int(short[2])
            wanted = "a non-empty text" if least == 1 else f"at least {least} items"
            found = "''" if short[3] == "0" else f"{short[3]} items"
            return f"{name}{_MARK}got {found}; expected {wanted}"
        if text and not any(internal in text for internal in _INTERNAL):
            return text
    return f"expected {_expected(type_)}"


_TOO_SHORT = re.compile(r"Length of '(\w+)' must be >= (\d+): (\d+)")

# Messages Python and cattrs raise when a value has the wrong shape (a number where a table
# belongs); they name Python's types, so the loader names what the file should hold instead.
_INTERNAL = ("invalid value for type", "not iterable", "not subscriptable", "has no attribute")


def _expected(type_: Any) -> str:
    """What a value of ``type_`` looks like in a TOML file, in words (never a Python type name)."""
    import types
    import typing

    from planner.knowledge.provenance import Fact

    origin = typing.get_origin(type_)
    if origin in (typing.Union, types.UnionType):
        options = [t for t in typing.get_args(type_) if t is not type(None)]
        return " or ".join(_expected(t) for t in options) or "a value"
    if type_ is Fact or origin is Fact:
        return 'a table such as { value = ..., status = "stated", source = "where it says so" }'
    if origin in (tuple, list) or type_ in (tuple, list):
        return 'a list, e.g. ["a", "b"]'
    if attrs.has(type_) or attrs.has(origin or type(None)):
        return "a table of keys (see protocols/README.md or seeds/README.md)"
    words = {
        int: "a whole number",
        str: "a text in quotes",
        bool: "true or false",
        Decimal: "a number",
        Quantity: "a quantity as text with its unit, e.g. '25 mg/kg'",
    }
    return words.get(type_, "a value of another kind")


def _located(path: Path, lines: list[str]) -> DataFileError:
    # cattrs writes "message @ $.a.b[0]"; the first problem is reported, as one line.
    text = lines[0] if lines else "invalid content"
    message, _, where = text.rpartition(" @ ")
    if not message:
        message, where = text, "$"
    key = where.removeprefix("$").removeprefix(".")
    if _MARK in message:
        attribute, message = message.split(_MARK, 1)
        key = f"{key}.{attribute}" if key else attribute
    more = f" (and {len(lines) - 1} more problem(s))" if len(lines) > 1 else ""
    return DataFileError(path=str(path), key=key, message=message + more)


MAX_TOML_BYTES = 1024 * 1024
"""The largest TOML file planner reads (protocols and seeds are under 20 KiB)."""
MAX_NESTING = 20
"""The deepest nesting of brackets and braces a TOML file may have (planner's files: 4)."""


def _nesting(text: str) -> int:
    """The deepest nesting of [ and { outside strings and comments (an upper bound is enough:
    it keeps the parser and the structuring from recursing out of the stack)."""
    depth = deepest = 0
    quote = ""
    comment = False
    escaped = False
    for char in text:
        if comment:
            comment = char != "\n"
        elif quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            comment = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_toml(path: Path) -> dict[str, Any]:
    """
    Read a TOML file, turning an unreadable or malformed file into a :class:`DataFileError`.
    """
    import tomllib  # only when a file is read; a cached start-up never needs it

    if "\0" in str(path):  # open() raises ValueError for it, not OSError
        raise DataFileError(
            path=str(path), key="", message="cannot be read: the file name holds a NUL character"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)
        if len(data) > MAX_TOML_BYTES:
            raise DataFileError(
                path=str(path),
                key="",
                message=f"is larger than {MAX_TOML_BYTES // 1024} KiB; a protocol, seed or limit "
                "file is a few KiB: is it the right file?",
            )
        text = data.decode("utf-8")
        if _nesting(text) > MAX_NESTING:
            raise DataFileError(
                path=str(path),
                key="",
                message=f"nests tables or lists more than {MAX_NESTING} deep; planner's files "
                "nest at most 4",
            )
        return tomllib.loads(text)
    except FileNotFoundError:
        raise DataFileError(path=str(path), key="", message="no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(path=str(path), key="", message=f"not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise DataFileError(
            path=str(path), key="", message="not valid TOML: the file is not UTF-8 text"
        ) from None
    except OSError as exc:
        raise DataFileError(
            path=str(path), key="", message=f"cannot be read: {exc.strerror}"
        ) from None


def structure(data: Any, cls: type[T], *, path: Path) -> T:
    """
    Structure plain data read from ``path`` into ``cls``; errors name the file and key path.
    """
    import cattrs

    try:
        return converter().structure(data, cls)
    except Exception as exc:
        lines = (
            cattrs.transform_error(exc, path="$", format_exception=_message)
            if isinstance(exc, (cattrs.BaseValidationError, cattrs.ClassValidationError))
            else [f"{_message(exc, cls)} @ $"]
        )
        raise _located(path, lines) from None


def load_toml(path: Path, cls: type[T]) -> T:
    """Read ``path`` and structure it into ``cls``."""
    return structure(read_toml(path), cls, path=path)
