"""
The on-disk cache of loaded reference data: reading the seed files with tomllib and cattrs
costs more than the rest of ``planner dose``, so the loaded :class:`Reference` is pickled,
keyed by the seed files, the code that defines the cached classes, and the planner and pint
versions. A missing, stale or unreadable cache is rebuilt; ``PLANNER_NO_CACHE=1`` bypasses it.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

from planner.knowledge.reference import Reference
from planner.units.registry import Quantity, ureg

__all__ = ["cache_file", "read_cache", "write_cache"]


_CACHED_CODE = (
    "knowledge/loading.py",
    "knowledge/reference.py",
    "knowledge/routes.py",
    "knowledge/provenance.py",
    "knowledge/regimens.py",
    "knowledge/toml_files.py",
    "knowledge/cache.py",
    "units/registry.py",
    "units/units.txt",
)
"""The code that defines the cached objects, relative to the package folder."""


def cache_file(paths: list[Path]) -> Path | None:
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


def read_cache(path: Path | None) -> Reference | None:
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except Exception:
        return None
    return value if isinstance(value, Reference) else None


def write_cache(path: Path | None, reference: Reference) -> None:
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
