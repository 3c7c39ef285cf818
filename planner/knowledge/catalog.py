"""
Finding what people name: every documented regimen, and a shipped protocol, a documented
regimen or a protocol file by the id or path people type (``planner show``, ``new --from``).

Every function takes names as people type them and raises only
:class:`~planner.errors.PlannerError` for bad input; checks on a valid protocol are findings.

>>> [r.id for r in regimens()][:2]
['obara2011-cci779-single', 'obara2011-cci779-4daily']
"""

from __future__ import annotations

from pathlib import Path

from planner.errors import UnknownNameError
from planner.knowledge.loading import list_protocols, load_protocol, load_reference
from planner.knowledge.protocols import Protocol
from planner.knowledge.reference import Reference
from planner.knowledge.regimens import Regimen

__all__ = ["lookup", "regimens"]


def regimens(reference: Reference | None = None) -> tuple[Regimen, ...]:
    """Return every documented regimen, in the order of the seed files."""
    return (reference or load_reference()).regimens


def _is_file(name: str) -> bool:
    # Path.is_file() raises, rather than answer False, for a name too long for the filesystem
    # or holding NUL; neither can name a file.
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def lookup(
    item_id: str, reference: Reference | None = None, *, where: str = "ID"
) -> Protocol | Regimen:
    """
    Return the shipped protocol or the documented regimen with this id, or the protocol in a
    file when ``item_id`` is a path (ends with .toml, or names an existing file).

    Raises:
        UnknownNameError: no protocol and no regimen has this id.
        DataFileError: the protocol file is missing or broken.
    """
    reference = reference or load_reference()
    if item_id.endswith(".toml") or _is_file(item_id):
        return load_protocol(Path(item_id), reference=reference)
    if item_id in list_protocols():
        return load_protocol(item_id, reference=reference)
    for regimen in reference.regimens:
        if regimen.id == item_id:
            return regimen
    known = [*list_protocols(), *(r.id for r in reference.regimens)]
    raise UnknownNameError(kind="protocol or regimen", name=item_id, known=known, where=where)
