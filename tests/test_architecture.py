"""
The package's shape, checked in the test command: the import contracts of pyproject.toml
([tool.importlinter]: layers, no terminal libraries below the CLI, no import circles) and
mypy --strict over planner/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    """The console script ``name`` beside this interpreter (the venv the tests run in)."""
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' installs it")
    return on_path


class TestImportContracts:
    """The layers import downwards only, and nothing forms a circle."""

    def test_contracts_kept(self):
        """lint-imports keeps every contract in pyproject.toml (exit 0, none broken)."""
        result = subprocess.run(
            [_tool("lint-imports"), "--no-cache"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert 0 == result.returncode, result.stdout + result.stderr
        assert "0 broken" in result.stdout

    def test_every_package_is_in_a_layer(self):
        """Each subpackage and top-level module of planner/ is named by the layers contract, so
        that a new one cannot sit outside the rules by accident."""
        text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
        layers = text[text.index("layers = [") : text.index("]", text.index("layers = ["))]
        exempt = {"__init__", "__main__"}
        names = {
            p.stem if p.is_file() else p.name
            for p in (ROOT / "planner").iterdir()
            if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
        } - exempt
        missing = sorted(n for n in names if f"planner.{n}" not in layers)
        assert [] == missing


class TestTypes:
    """planner/ type-checks under the project's mypy configuration."""

    def test_mypy_strict_passes(self):
        """mypy over planner/ with pyproject.toml's [tool.mypy] (strict) finds no error: exit 0
        and "Success". It keeps its cache in .mypy_cache at the repository root: about 0.5 s warm,
        some 11 s cold."""
        result = subprocess.run(
            [_tool("mypy"), "planner"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert 0 == result.returncode, result.stdout + result.stderr
        assert "Success" in result.stdout
