"""
Where the shipped data folders are: inside an installed wheel, or beside the package in a
source checkout (an editable install). Never the current working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """
    Return the folder ``name`` ("seeds", "protocols", "templates") that ships with planner.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"planner's {name}/ folder is missing from the installation ({_PACKAGE})"
    )
