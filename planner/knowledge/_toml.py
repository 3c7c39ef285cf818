"""
A small TOML writer for the plain data planner writes (starter protocols): tables, arrays of
tables, inline tables for facts, strings, whole numbers and booleans. tomllib only reads.

>>> print(dumps({"title": 'a "b"', "n": {"value": 8, "status": "assumed", "source": "why"}}))
title = "a \\"b\\""
n = { value = 8, status = "assumed", source = "why" }
<BLANKLINE>
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["dumps"]

_WIDTH = 80  # a list of texts longer than this is written one item per line
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    return name if _BARE.fullmatch(name) else _string(name)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | bool)


def _is_flat(value: Any) -> bool:
    """A scalar, a list of scalars, or a table of those: written on one line."""
    if _is_scalar(value):
        return True
    if isinstance(value, list):
        return all(_is_scalar(x) for x in value)
    if isinstance(value, dict):
        return all(
            _is_scalar(x) or (isinstance(x, list) and all(_is_scalar(y) for y in x))
            for x in value.values()
        )
    return False


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(x) for x in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return (
            "{ "
            + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
            + " }"
        )
    raise TypeError(f"cannot write {type(value).__name__} to TOML: {value!r}")


def _is_list_of_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(x, dict) for x in value)


def _table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    later: list[tuple[str, Any]] = []
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, list) and value and _is_flat(value) and len(_value(value)) > _WIDTH:
            lines.append(f"{_key(name)} = [")
            lines.extend(f"  {_value(x)}," for x in value)
            lines.append("]")
        elif _is_flat(value):
            lines.append(f"{_key(name)} = {_value(value)}")
        elif _is_list_of_tables(value) and all(_is_flat(x) for x in value):
            lines.append(f"{_key(name)} = [")
            lines.extend(f"  {_value(x)}," for x in value)
            lines.append("]")
        else:
            later.append((name, value))
    for name, value in later:
        dotted = ".".join(_key(p) for p in [*path, name])
        if isinstance(value, dict):
            lines.extend(["", f"[{dotted}]"])
            _table(value, [*path, name], lines)
        elif _is_list_of_tables(value):
            for item in value:
                lines.extend(["", f"[[{dotted}]]"])
                _table(item, [*path, name], lines)
        else:
            raise TypeError(f"cannot write {name!r} to TOML: {value!r}")


def dumps(data: dict[str, Any], *, header: str = "") -> str:
    """
    Return ``data`` as TOML text, after ``header`` written as comment lines.

    None values are left out (TOML has no null).
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if lines:
        lines.append("")
    _table(data, [], lines)
    return "\n".join(lines) + "\n"
