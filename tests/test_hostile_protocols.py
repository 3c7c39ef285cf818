"""
Hostile protocol files for ``planner check`` and ``planner plan``: every shipped protocol,
mutated. Keys dropped, renamed or added; values replaced by values of another type; numbers out
of range (n = 0, -1, 10**9; doses of 0, -25, 1e308 mg/kg; percentages over 100); days unsorted
or repeated; clock times such as 25:00; references to regimens, species, compounds, forms and
citations that do not exist; and files broken as text (truncated, bytes that are not UTF-8).

Each case writes the mutated protocol as ``p.toml`` in a fresh folder and runs ``planner check
p.toml`` through the oracle in tests/hostile.py; one case in PLAN_EVERY also runs ``planner
plan p.toml --format csv --out out.csv --seed 1``. A file that check refuses, plan must refuse
too; an error line must name the file and, for a single mutation of a key, its table.
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, reject
from hypothesis import strategies as st

from planner.knowledge import _toml
from planner.knowledge.protocols import MAX_GROUP_SIZE
from tests import hostile

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {p.stem: p.read_bytes() for p in sorted((ROOT / "protocols").glob("*.toml"))}
DATA = {name: tomllib.loads(text.decode()) for name, text in SHIPPED.items()}
FILE = "p.toml"
OUT = "out.csv"
PLAN_EVERY = 6
"""One case in PLAN_EVERY also runs plan (check is several times faster)."""

KeyPath = tuple[str | int, ...]
"""A key path into TOML data: table keys and list indices."""


# --- writing TOML -----------------------------------------------------------------------------


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else _string(name)


def _inline(value: Any) -> str:
    """A value as inline TOML (floats, NaN and infinity included)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(x) for x in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def dumps(data: dict[str, Any]) -> str:
    """
    ``data`` as TOML: with planner's own writer (planner.knowledge._toml) where it can write the data, or
    one inline value per top-level key where it cannot (floats, lists of lists, mixed lists).
    """
    try:
        text = _toml.dumps(data)
        if tomllib.loads(text) == data:
            return text
    except (TypeError, tomllib.TOMLDecodeError):
        pass
    return "".join(f"{_key(k)} = {_inline(v)}\n" for k, v in data.items())


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, list):
        return any(_has_nan(x) for x in value)
    if isinstance(value, dict):
        return any(_has_nan(x) for x in value.values())
    return False


# --- mutations --------------------------------------------------------------------------------


def paths(data: Any, prefix: KeyPath = ()) -> Iterator[KeyPath]:
    """Every key path in ``data``, parents before children."""
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        path = (*prefix, key)
        yield path
        if isinstance(value, dict | list):
            yield from paths(value, path)


def _get(data: Any, path: KeyPath) -> Any:
    for key in path:
        data = data[key]
    return data


def _parent(data: Any, path: KeyPath) -> Any:
    return _get(data, path[:-1])


def name_of(path: KeyPath) -> str:
    """The key a path is about: ("group", 2, "n", "value") -> "n"."""
    names = [k for k in path if isinstance(k, str) and k != "value"]
    return names[-1] if names else ""


def dotted(path: KeyPath) -> str:
    """A key path as planner writes it: group[2].n.value."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


OTHER_TYPES: list[Any] = [
    0,
    -1,
    8,
    10**9,
    2**63 - 1,
    1.5,
    float("nan"),
    float("inf"),
    -0.0,
    1e308,
    True,
    False,
    "",
    " ",
    "x",
    "25 mg/kg",
    "8",
    [],
    [1],
    ["x"],
    [[1]],
    [{}],
    {},
    {"value": 8},
    {"value": "x", "status": "stated"},
]
"""Values to put where a value of another type belongs."""

BROKEN = {
    "n": [0, -1, 10**9, 2**31, 1.5, "8", True],
    "dose": [
        "0 mg/kg",
        "-25 mg/kg",
        "1e308 mg/kg",
        "nan mg/kg",
        "inf mg/kg",
        "25 mg",
        "25 mL/kg",
        "25",
        "25 %",
        "1e-20 mg/kg",
        "25 mg/kg/day",
        "250 mg/kg",
        "\uff12\uff15 mg/kg",
        "2.5e1 mg/kg",
    ],
    "dose_volume": [
        "0 mL/kg",
        "-10 mL/kg",
        "1000 mL/kg",
        "10 mg/kg",
        "1e308 uL",
        "10",
        "nan mL/kg",
        "80 mL/kg",
        "81 mL/kg",
        "0.001 uL",
    ],
    "percent": ["150 %", "-5 %", "0 %", "100 %", "nan %", "5 mg", "5", "99.9999 %", "1e3 %"],
    "days": [[10, 9], [7, 7], [], [10**9], [-(10**9)], [2**62], [1.5], ["7"], [7, -7], [0] * 50],
    "times": [
        ["25:00"],
        ["9:00"],
        ["09:60"],
        [""],
        ["noon"],
        ["24:00"],
        ["09:00:00"],
        ["09:00"] * 3,
        ["23:59", "00:00"],
        ["09:00", "09:00"],
    ],
    "after_dose": [["-1 h"], ["0 h"], ["1e9 h"], ["1 mg"], ["nan h"], ["1 h", "1 h"], [], ["25 h"]],
    "version": [0, -1, 10**9, "1", 1.0],
    "regimen": [
        "nothing-like-this",
        "",
        "OBARA2011-CCI779-SINGLE",
        "xu2014-morphine-it-repeated",
        "obara2011-cci779-single",
        "obara2011-cci779-4daily",
        "obara2011-torin1-4daily",
    ],
    "species": ["unicorn", "rat", "human", "", "Mouse", "mice"],
    "citation": ["nobody2020", "", "xu2014", "obara2011", "OBARA2011"],
    "form": ["unknown-form", "", "morphine", "morphine-sulfate-pentahydrate", "temsirolimus"],
    "drug": [["nothing"], [], ["obara2011-cci779-single", "obara2011-cci779-single"], [""]],
    "vehicle": [["nothing"], [""], ["obara2011-cci779-4daily"]],
    "status": ["maybe", "", "Stated", "ASSUMED", "derived"],
    "kind": ["party", "", "Dosing", "dosing", "test", "tissue"],
    "name": ["", " ", "x" * 1000, "nerve injury + vehicle", "a\nb", "<script>alert(1)</script>"],
    "condition": ["", " ", "naive"],
    "title": ["", " ", "x" * 10_000, "a\nb"],
    "based_on": ["nothing", ""],
    "components": [
        [],
        [{"name": "saline"}, {"name": "water"}],
        [{"name": "x", "percent": "101 %"}],
    ],
}
"""Values out of range, inconsistent, or referring to nothing, by the key they go in."""

_TEXTS = [
    "<script>alert(1)</script>",
    "a & b < c > d",
    "{{ 7 * 7 }} {% if x %}",
    "\N{MICRO SIGN}g and \N{GREEK SMALL LETTER MU}g, 25 mg/kg",
    "\u202eright-to-left override",
    "x" * 2000,
    "tab\there",
    "\u00a0non-breaking\u00a0spaces\u00a0",
]
VALID = {
    "n": [1, 2, 3, 12, 50],
    "dose": ["20 mg/kg", "25 mcg/g", "0.025 g/kg", "50 mg/kg", "10 mcg", "2.5e1 mg/kg", "25mg/kg"],
    "dose_volume": ["5 mL/kg", "20 mL/kg", "10 uL/g", "0.2 mL", "10 uL", "50 mL/kg"],
    "percent": ["1 %", "10 %", "0.5 %", "2%"],
    "days": [[7], [7, 8], [-1, 0, 1], [0, 100], [3, 5, 9], [-400, 400]],
    "times": [["08:00"], ["00:00", "23:59"], ["09:00", "17:00"], ["07:30", "08:00", "08:30"]],
    "after_dose": [["30 min"], ["1 h", "2 h"], ["0.5 h"], ["1 d"], ["90 s"]],
    "status": ["stated", "derived", "assumed"],
    "kind": ["acclimatisation", "habituation", "baseline", "surgery", "induction", "test", "other"],
    "version": [1, 2, 99],
    "title": _TEXTS,
    "summary": _TEXTS,
    "day_zero": _TEXTS,
    "what": _TEXTS,
    "source": _TEXTS,
    "note": _TEXTS,
    "notes": [_TEXTS, []],
    "name": _TEXTS,
    "condition": _TEXTS,
    "steps": [_TEXTS, []],
}
"""Values of the right type and in range (some of them odd text), by the key they go in."""
KINDS = ["valid"] * 4 + ["broken"] * 3 + ["drop", "rename", "retype", "add", "copy"]
"""Mutations; the ones that keep the file well-typed come most often."""
RENAMES = [
    "id",
    "Title",
    "titel",
    "dosage",
    "n_",
    "regimens",
    "",
    " ",
    "value ",
    "\u00fc\u00f1\u00ee",
]
ADDED = ["id", "notes2", "dose", "extra", "Value"]


def _mutate(draw: st.DrawFn, data: dict[str, Any], kind: str) -> KeyPath | None:
    """Apply one mutation of ``kind`` to ``data`` in place; return its key path (None: none)."""
    every = list(paths(data))
    if kind in {"valid", "broken"}:
        table = VALID if kind == "valid" else BROKEN
        # Values, not whole fact tables: "days" means days.value, and its items.
        targeted = [p for p in every if name_of(p) in table and not isinstance(_get(data, p), dict)]
        if not targeted:
            return None
        path = draw(st.sampled_from(targeted))
        value = draw(st.sampled_from(table[name_of(path)]))
        if isinstance(path[-1], int) and isinstance(value, list):
            path = path[:-1]  # a list value replaces the list, not one of its items
        _parent(data, path)[path[-1]] = copy.deepcopy(value)
        return path
    if kind == "add":
        tables = [(), *(p for p in every if isinstance(_get(data, p), dict))]
        path = draw(st.sampled_from(tables))
        name = draw(st.sampled_from(ADDED))
        _get(data, path).setdefault(name, copy.deepcopy(draw(st.sampled_from(OTHER_TYPES))))
        return (*path, name)
    if kind == "copy":
        lists = [p for p in every if isinstance(_get(data, p), list) and _get(data, p)]
        if not lists:
            return None
        path = draw(st.sampled_from(lists))
        items = _get(data, path)
        item = copy.deepcopy(draw(st.sampled_from(items)))
        items.insert(draw(st.integers(0, len(items))), item)
        return path
    if not every:
        return None
    path = draw(st.sampled_from(every))
    parent = _parent(data, path)
    if kind == "drop":
        del parent[path[-1]]
    elif kind == "rename":
        new = draw(st.sampled_from(RENAMES))
        if not isinstance(path[-1], str) or new in parent:
            return None
        parent[new] = parent.pop(path[-1])
    else:  # retype
        old = parent[path[-1]]
        others = [v for v in OTHER_TYPES if type(v) is not type(old)]
        parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(others)))
    return path


_COUNTS = st.sampled_from([1, 1, 1, 1, 2, 3])
_KINDS = st.sampled_from(KINDS)


@st.composite
def mutations(
    draw: st.DrawFn, data: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, KeyPath]]]:
    """
    One to three mutations of ``data`` (a copy); return the data and (kind, path) per mutation.
    """
    data = copy.deepcopy(data)
    done: list[tuple[str, KeyPath]] = []
    for _ in range(draw(_COUNTS)):
        kind = draw(_KINDS)
        path = _mutate(draw, data, kind)
        if path is not None:
            done.append((kind, path))
    return data, done


@st.composite
def protocol_files(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, KeyPath]]]:
    """A shipped protocol, mutated, as the bytes of a TOML file, and its mutations."""
    name = draw(st.sampled_from(sorted(DATA)))
    data, done = draw(mutations(DATA[name]))
    if too_slow(data):
        reject()
    text = dumps(data)
    if not _has_nan(data):
        assert data == tomllib.loads(text), "the test's TOML writer lost data"
    return text.encode("utf-8"), done


@st.composite
def broken_texts(draw: st.DrawFn) -> bytes:
    """A shipped protocol file broken as text: cut short, bytes inserted, lines doubled."""
    text = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))]
    how = draw(st.sampled_from(["cut", "insert", "double-line", "bom", "crlf", "drop-line"]))
    at = draw(st.integers(0, len(text)))
    if how == "cut":
        return text[:at]
    if how == "insert":
        insert = draw(
            st.one_of(
                st.sampled_from(
                    [b"\xff", b"\x00", b"\xc3", b"=", b"[", b"]", b'"', b"\n[[group]]\n"]
                ),
                st.binary(min_size=1, max_size=4),
            )
        )
        return text[:at] + insert + text[at:]
    lines = text.split(b"\n")
    line = at % len(lines)
    if how == "double-line":
        lines.insert(line, lines[line])
    elif how == "drop-line":
        del lines[line]
    elif how == "bom":
        return b"\xef\xbb\xbf" + text
    elif how == "crlf":
        return text.replace(b"\n", b"\r\n")
    return b"\n".join(lines)


# --- slow cohorts ------------------------------------------------------------------------------
# A group may hold up to MAX_GROUP_SIZE (10,000) animals; a larger n is refused at once
# (TestFoundBugs). Valid but large placeholder cohorts take seconds each to plan, so the random
# tests reject them (hypothesis.reject) to keep the suite's time; benchmarks/plan.py measures
# large cohorts instead.

MAX_ANIMALS = 5_000
"""Cohorts of more placeholder animals than this, all groups valid, are too slow to test here."""


def too_slow(data: Any) -> bool:
    """Whether the (mutated) protocol ``data`` is a valid but slow cohort of > MAX_ANIMALS."""
    groups = data.get("group") if isinstance(data, dict) else None
    total = 0
    for group in groups if isinstance(groups, list) else ():
        n = group.get("n") if isinstance(group, dict) else None
        value = n.get("value") if isinstance(n, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            if value > MAX_GROUP_SIZE:
                return False  # refused at once
            total += value
    return total > MAX_ANIMALS


# --- the property -----------------------------------------------------------------------------


def check_and_plan(data: bytes, *, plan: bool, table: str = "") -> hostile.Outcome:
    """
    Run ``check p.toml`` (and with ``plan``, plan) on ``data`` in a fresh folder.

    Exit 2 must name p.toml, and ``table`` (the top-level key a single mutation was made in)
    if given. A file check refuses, plan must refuse too.
    """
    names = [FILE, *([table] if table else [])]
    with hostile.workdir() as folder:
        (folder / FILE).write_bytes(data)
        checked = hostile.run("protocol", ["check", FILE], folder, names=names)
        if plan:
            argv = ["plan", FILE, "--format", "csv", "--out", OUT, "--seed", "1"]
            planned = hostile.run(None, argv, folder, names=[FILE], outputs={OUT})
            if checked.code == 2:
                assert 2 == planned.code, f"check refused the file, plan did not:\n{planned.err}"
            if planned.code != 2:
                assert OUT in planned.created, planned.err
    return checked


def _table(done: list[tuple[str, KeyPath]]) -> str:
    """The top-level key a single mutation was made in, where the error must name it."""
    if len(done) != 1:
        return ""
    kind, path = done[0]
    if kind in {"drop", "retype"} and path and isinstance(path[0], str):
        return path[0]
    return ""


class TestMutatedProtocols:
    """A mutated protocol is valid (exit 0 or 1) or refused with one line naming the file."""

    @hostile.examples(1600)
    @given(case=protocol_files(), plan=st.integers(0, PLAN_EVERY - 1))
    def test_check(self, case: tuple[bytes, list[tuple[str, KeyPath]]], plan: int):
        """check (and for a sample, plan) a mutated shipped protocol."""
        data, done = case
        check_and_plan(data, plan=plan == 0, table=_table(done))

    @hostile.examples(500)
    @given(data=broken_texts(), plan=st.integers(0, PLAN_EVERY - 1))
    @example(data=b"", plan=0)
    @example(data=b"\xef\xbb\xbf", plan=0)
    @example(data=b"\x00" * 10, plan=0)
    @example(data=SHIPPED["obara2011-cci779-acute"].decode().encode("utf-16"), plan=0)
    def test_broken_text(self, data: bytes, plan: int):
        """A file broken as text is refused with one line naming it (or is still valid)."""
        check_and_plan(data, plan=plan == 0)


class TestUnmutated:
    """Every shipped protocol, unchanged, is valid through check and plan."""

    @pytest.mark.parametrize("name", sorted(SHIPPED))
    def test_valid(self, name: str):
        """Exit 0 or 1, and plan writes its file."""
        outcome = check_and_plan(dumps(DATA[name]).encode(), plan=True)

        assert outcome.code in {0, 1}


class TestFoundBugs:
    """Regression cases for bugs the random tests found."""

    @pytest.mark.parametrize("n", [MAX_GROUP_SIZE + 1, 10**9])
    def test_huge_n(self, n: int):
        """A group of 10**9 animals (a typo for 8) is refused at once: it once built a
        billion-animal placeholder cohort, filled 24 GB and was killed by the kernel."""
        data = copy.deepcopy(DATA["obara2011-cci779-acute"])
        data["group"][0]["n"]["value"] = n
        with hostile.workdir() as folder:
            (folder / FILE).write_bytes(dumps(data).encode())
            # In a child process: in-process, the cohort of 10**9 animals filled 24 GB and
            # the kernel killed the test run.
            hostile.run_isolated(
                "protocol",
                ["check", FILE],
                folder,
                seconds=4,
                bad=True,
                names=[FILE, "group[0].n", "from 1 to 10,000"],
            )
