"""
Loading what planner knows: the seed files into one :class:`Reference` (cached on disk by
:mod:`planner.knowledge.cache`), a lab's volume-limit profile over it, and protocols by id or
path, each checked against the reference. The TOML-to-object work is
:mod:`planner.knowledge.toml_files`'; every error names the file and the key path.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from planner._resources import data_dir
from planner.errors import DataFileError
from planner.knowledge.cache import cache_file, read_cache, write_cache
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
from planner.knowledge.toml_files import converter, load_toml, read_toml, structure
from planner.units.registry import Quantity

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
        if limit.per != limit.route.limit_per:
            raise DataFileError(
                path=str(path),
                key=f"limit[{number}].per",
                message=f"{limit.route.value} limits are counted per {limit.route.limit_per}"
                f"{_PER_EXAMPLE[limit.route.limit_per]}; got per {limit.per}. A limit in another "
                "unit would never be compared with a dose",
            )
        seen.add((limit.species, limit.route))
    profile = LimitProfile(citation=loaded.citation, limits=loaded.limit, path=str(path))
    return reference.with_profile(profile)


_PER_EXAMPLE = {
    "kg": " of body mass (mL/kg, e.g. '20 mL/kg')",
    "site": " (per = \"site\", a plain volume such as '0.05 mL')",
    "injection": " (per = \"injection\", a plain volume such as '10 uL')",
}


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
        if limit.per != limit.route.limit_per:
            raise DataFileError(
                path=str(files["limit"]),
                key=f"limit[{number}].per",
                message=f"{limit.route.value} limits are counted per {limit.route.limit_per}; "
                f"got per {limit.per}",
            )
    # Annotated: mypy joins the four record types to object, which has no citation.
    records: tuple[Species | Compound | VolumeLimit | Syringe, ...] = (
        *reference.species,
        *reference.compounds,
        *reference.limits,
        *reference.syringes,
    )
    for record in records:
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
    where = cache_file(paths)
    cached = read_cache(where)
    if cached is not None:
        return cached
    reference = _build_reference(paths)
    write_cache(where, reference)
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


_PROTOCOL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
"""A protocol id (the file's stem), as regimen ids are written."""


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
    if not _PROTOCOL_ID.fullmatch(protocol_id):
        raise DataFileError(
            path=str(path),
            key="",
            message=f"the file name gives the protocol id {protocol_id!r}, which is not a valid id: "
            "use letters, digits, '.', '_' and '-', starting with a letter or digit; rename the "
            "file, e.g. 'mylab-cci779-acute.toml'",
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
