"""
TOML files into domain objects: the one place that knows tomllib and cattrs.

Unknown keys are refused (a typo must not pass silently), and every error names the file, the
key path inside it, what was expected and what was found, as one :class:`DataFileError`.
"""

from __future__ import annotations

import enum
import hashlib
import io
import os
import pickle
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from planner._resources import data_dir
from planner.errors import DataFileError, PlannerError
from planner.knowledge.provenance import Citation
from planner.knowledge.reference import (
    Compound,
    LimitProfile,
    Reference,
    Route,
    Species,
    Syringe,
    VolumeLimit,
)
from planner.knowledge.regimens import Regimen, Study
from planner.units.registry import Quantity, parse_quantity, ureg

if TYPE_CHECKING:
    import cattrs

    from planner.knowledge.protocols import Protocol

__all__ = [
    "converter",
    "list_protocols",
    "load_limit_profile",
    "load_protocol",
    "load_reference",
    "load_toml",
    "protocol_data",
    "protocol_id",
    "read_toml",
    "structure",
    "structure_protocol",
]

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
        if text and not any(internal in text for internal in _INTERNAL):
            return text
    return f"expected {_expected(type_)}"


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
            return tomllib.load(handle)
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


@attrs.frozen(kw_only=True)
class SeedFile:
    """One file of seeds/: a citation and the facts that come from it."""

    citation: Citation
    species: tuple[Species, ...] = ()
    compound: tuple[Compound, ...] = ()
    limit: tuple[VolumeLimit, ...] = ()
    syringe: tuple[Syringe, ...] = ()
    study: tuple[Study, ...] = ()
    regimen: tuple[Regimen, ...] = ()


_RECORD_TABLES = ("species", "compound", "limit", "syringe", "study", "regimen")


def load_seed_file(path: Path) -> SeedFile:
    """
    Load one seed file; each record takes the file's citation unless it names its own.
    """
    data = read_toml(path)
    key = data.get("citation", {}).get("key") if isinstance(data.get("citation"), dict) else None
    for table in _RECORD_TABLES:
        records = data.get(table)
        if isinstance(records, list) and key:
            for record in records:
                if isinstance(record, dict):
                    record.setdefault("citation", key)
    return structure(data, SeedFile, path=path)


@attrs.frozen(kw_only=True)
class _ProfileFile:
    citation: Citation
    limit: tuple[VolumeLimit, ...] = ()


def load_limit_profile(path: str | Path, reference: Reference) -> Reference:
    """
    Read a lab's limit profile (``--limits FILE``) and return ``reference`` with it applied.

    The file is in the seed format (seeds/README.md) with a ``[citation]`` table and
    ``[[limit]]`` records only: each names a species the reference knows and a route, at most
    once, and replaces the shipped limit for that species and route.

    Raises:
        DataFileError: the file is missing, not TOML, holds other tables, or a limit is invalid,
            names an unknown species, repeats a species and route, or the citation key is
            already taken by the shipped reference data; the message names the key path.
    """
    path = Path(path)
    data = read_toml(path)
    other = sorted(set(data) - {"citation", "limit"})
    if other:
        raise DataFileError(
            path=str(path),
            key=other[0],
            message="a limit profile holds only a [citation] table and [[limit]] records",
        )
    if not data.get("limit"):
        raise DataFileError(
            path=str(path), key="limit", message="no [[limit]] records; a profile needs one or more"
        )
    citation = data.get("citation")
    key = citation.get("key") if isinstance(citation, dict) else None
    if isinstance(key, str) and isinstance(data["limit"], list):
        for record in data["limit"]:
            if isinstance(record, dict):
                record.setdefault("citation", key)
    loaded = structure(data, _ProfileFile, path=path)
    if loaded.citation.key in {c.key for c in reference.citations}:
        raise DataFileError(
            path=str(path),
            key="citation.key",
            message=f"{loaded.citation.key!r} is already the key of shipped reference data; "
            "give the profile a key of its own, e.g. 'mylab-limits-2026'",
        )
    species = {s.id for s in reference.species}
    seen: set[tuple[str, Route]] = set()
    for number, limit in enumerate(loaded.limit):
        if limit.species not in species:
            raise DataFileError(
                path=str(path),
                key=f"limit[{number}].species",
                message=f"unknown species {limit.species!r}; known: {', '.join(sorted(species))}",
            )
        if limit.citation != loaded.citation.key:
            raise DataFileError(
                path=str(path),
                key=f"limit[{number}].citation",
                message="a profile's limits come from its own [citation]; remove this key",
            )
        if (limit.species, limit.route) in seen:
            raise DataFileError(
                path=str(path),
                key=f"limit[{number}]",
                message=f"a second limit for {limit.species} {limit.route.value}; give each "
                "species and route once",
            )
        seen.add((limit.species, limit.route))
    profile = LimitProfile(citation=loaded.citation, limits=loaded.limit, path=str(path))
    return reference.with_profile(profile)


def _check_references(reference: Reference, files: dict[str, Path]) -> None:
    keys = {c.key for c in reference.citations}
    species = {s.id for s in reference.species}
    for number, limit in enumerate(reference.limits):
        if limit.species not in species:
            raise DataFileError(
                path=str(files["limit"]),
                key=f"limit[{number}].species",
                message=f"unknown species {limit.species!r}; known: {', '.join(sorted(species))}",
            )
    for record in (
        *reference.species,
        *reference.compounds,
        *reference.limits,
        *reference.syringes,
    ):
        if record.citation and record.citation not in keys:
            raise DataFileError(
                path="seeds",
                key=f"{record!r:.60}.citation",
                message=f"unknown citation {record.citation!r}",
            )


@cache
def load_reference(folder: Path | None = None) -> Reference:
    """
    Load every seed file in ``folder`` (default: the shipped seeds/) into one :class:`Reference`.

    The result is cached on disk, keyed by the files' content and the versions of planner and
    pint, so that a command does not parse the TOML again on every start (the same idea as
    pint's registry cache). Set PLANNER_NO_CACHE=1 to bypass it.
    """
    folder = folder or data_dir("seeds")
    paths = sorted(folder.glob("*.toml"))
    cache_file = _cache_file(paths)
    cached = _read_cache(cache_file)
    if cached is not None:
        return cached
    reference = _build_reference(paths)
    _write_cache(cache_file, reference)
    return reference


def _build_reference(paths: list[Path]) -> Reference:
    citations: list[Citation] = []
    species: list[Species] = []
    compounds: list[Compound] = []
    limits: list[VolumeLimit] = []
    syringes: list[Syringe] = []
    studies: list[Study] = []
    regimens: list[Regimen] = []
    origins: list[tuple[Path, int]] = []
    files: dict[str, Path] = {}
    for path in paths:
        seed = load_seed_file(path)
        citations.append(seed.citation)
        species.extend(seed.species)
        compounds.extend(seed.compound)
        limits.extend(seed.limit)
        syringes.extend(seed.syringe)
        studies.extend(seed.study)
        regimens.extend(seed.regimen)
        origins.extend((path, number) for number in range(len(seed.regimen)))
        for table in _RECORD_TABLES:
            if getattr(seed, table):
                files[table] = path
    reference = Reference(
        citations=citations,
        species=species,
        compounds=compounds,
        limits=limits,
        syringes=syringes,
        studies=studies,
        regimens=regimens,
    )
    _check_references(reference, files)
    _check_regimens(reference, origins)
    return reference


def _check_regimens(reference: Reference, origins: list[tuple[Path, int]]) -> None:
    """Check what each regimen refers to: its study and model, compound, species, other regimens."""
    from planner.knowledge.regimens import regimen_problems

    seen: set[str] = set()
    for regimen, (path, number) in zip(reference.regimens, origins, strict=True):
        problems = regimen_problems(regimen, reference)
        if regimen.id in seen:
            problems.insert(
                0, ("id", f"regimen id {regimen.id!r} is used twice; ids must be unique")
            )
        seen.add(regimen.id)
        if problems:
            key, message = problems[0]
            raise _problem(path, f"regimen[{number}].{key}", message, len(problems))


def _problem(path: Path, key: str, message: str, count: int) -> DataFileError:
    more = f" (and {count - 1} more problem(s))" if count > 1 else ""
    return DataFileError(path=str(path), key=key, message=message + more)


# --- protocols -----------------------------------------------------------------------------------


def list_protocols(folder: Path | None = None) -> tuple[str, ...]:
    """
    Return the ids (file stems) of the protocols in ``folder`` (default: the shipped protocols/).
    """
    folder = folder or data_dir("protocols")
    return tuple(sorted(p.stem for p in folder.glob("*.toml")))


def protocol_id(path_or_id: str | Path) -> str:
    """
    Return the id of a protocol given by shipped id or by file path (the file's stem), without
    reading it.

    Raises:
        UnknownNameError: a name that is neither a path nor a shipped protocol.
    """
    return _protocol_path(path_or_id).stem


def _exists(path: Path) -> bool:
    # Path.exists() raises, instead of answering False, for a name too long for the filesystem
    # (OSError ENAMETOOLONG) or holding a NUL character (ValueError).
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _protocol_path(path_or_id: str | Path) -> Path:
    if isinstance(path_or_id, Path):
        return path_or_id
    text = str(path_or_id)
    candidate = Path(text)
    if text.strip() and (
        _exists(candidate) or text.endswith(".toml") or "/" in text or os.sep in text
    ):  # a blank name is no path: Path("") is the current folder
        return candidate
    shipped = data_dir("protocols")
    if text in list_protocols(shipped):
        return shipped / f"{text}.toml"
    from planner.errors import UnknownNameError

    raise UnknownNameError(kind="protocol", name=text, known=list_protocols(shipped))


def structure_protocol(
    data: Any, *, protocol_id: str, path: Path, reference: Reference | None = None
) -> Protocol:
    """
    Structure a protocol's TOML data and check what it refers to against the reference data.

    Raises:
        DataFileError: a malformed protocol or a reference to an unknown regimen, species, form
            or citation, naming the file and key path.
    """
    from planner.knowledge.protocols import Protocol, protocol_problems

    if isinstance(data, dict) and "id" in data:
        raise DataFileError(
            path=str(path),
            key="id",
            message="unknown key(s) id; a protocol's id is its file name "
            f"({path.stem!r}): remove the key",
        )
    payload = {**data, "id": protocol_id} if isinstance(data, dict) else data
    protocol = structure(payload, Protocol, path=path)
    problems = protocol_problems(protocol, reference or load_reference())
    if problems:
        key, message = problems[0]
        raise _problem(path, key, message, len(problems))
    return protocol


def load_protocol(path_or_id: str | Path, *, reference: Reference | None = None) -> Protocol:
    """
    Load a protocol from a file path, or a shipped protocol by id; its id is the file stem.

    Raises:
        UnknownNameError: an id that is no shipped protocol (and no file).
        DataFileError: the file is missing, malformed or refers to unknown names.
    """
    path = _protocol_path(path_or_id)
    return structure_protocol(
        read_toml(path), protocol_id=path.stem, path=path, reference=reference
    )


def protocol_data(protocol: Protocol) -> dict[str, Any]:
    """
    Return a protocol as plain TOML-able data (the inverse of :func:`structure_protocol`):
    values equal to their defaults are left out, and so is the id (the file name).
    """
    data = _dump_converter().unstructure(protocol)
    data.pop("id", None)
    # The version is written even when it is the default, so that people see where to raise it.
    return {"title": data.pop("title"), "version": protocol.version, **data}


def _quantity_text(quantity: Quantity) -> str:
    from planner.units.format import unit_key

    # Written as people edit them: "%" for percent and "mcg" (never "ug") for micrograms.
    unit = re.sub(r"\bug\b", "mcg", unit_key(quantity.units))
    return f"{format(quantity.magnitude, 'f')} {'%' if unit == 'percent' else unit}"


@cache
def _dump_converter() -> cattrs.Converter:
    # Quantities are written as planner's own unit keys (pint's text changes between versions).
    conv = converter().copy(omit_if_default=True)
    conv.register_unstructure_hook(Quantity, _quantity_text)
    return conv


# --- the on-disk cache of loaded reference data ------------------------------------------------

_CACHED_CODE = (
    "knowledge/loading.py",
    "knowledge/reference.py",
    "knowledge/routes.py",
    "knowledge/provenance.py",
    "knowledge/regimens.py",
    "units/registry.py",
    "units/units.txt",
)
"""The code that defines the cached objects, relative to the package folder."""


def _cache_file(paths: list[Path]) -> Path | None:
    if os.environ.get("PLANNER_NO_CACHE"):
        return None
    import pint
    import platformdirs

    from planner import __version__

    digest = hashlib.sha256(f"{__version__}|{pint.__version__}|{pickle.HIGHEST_PROTOCOL}".encode())
    # The code that defines the cached objects is part of the key too, so that a changed class
    # never meets objects pickled from its old shape (a development checkout keeps its version).
    package = Path(__file__).parent.parent
    code = [package / name for name in _CACHED_CODE if (package / name).exists()]
    try:
        for path in [*code, *paths]:
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return (
        Path(platformdirs.user_cache_dir("planner")) / f"reference-{digest.hexdigest()[:32]}.pickle"
    )


def _rebuild_quantity(magnitude: Decimal, units: dict[str, Any]) -> Quantity:
    from pint.util import UnitsContainer

    return ureg.Quantity(magnitude, UnitsContainer(units, non_int_type=Decimal))


class _Pickler(pickle.Pickler):
    # Quantities are pickled as (magnitude, units) and rebuilt in planner's registry, so the
    # cache does not depend on pint's application registry.
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, ureg.Quantity):
            return _rebuild_quantity, (obj.magnitude, dict(obj._units))
        return NotImplemented


def _read_cache(path: Path | None) -> Reference | None:
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except Exception:
        return None
    return value if isinstance(value, Reference) else None


def _write_cache(path: Path | None, reference: Reference) -> None:
    if path is None:
        return
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(reference)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(buffer.getvalue())
        temporary.replace(path)  # atomic: a concurrent reader sees the old file or the new one
    except (OSError, pickle.PicklingError):
        return
