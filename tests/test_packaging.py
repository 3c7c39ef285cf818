"""
Tests for the built wheel: the data folders ship in it, and the installed CLI works from a
folder outside the repository (so nothing is found through the source checkout).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
DATA = {
    "seeds": "planner/_data/seeds",
    "templates": "planner/_data/templates",
    "protocols": "planner/_data/protocols",
}
"""Repository folder -> where hatch's force-include puts it in the wheel."""
DOSE_ARGS = ["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL", "--json"]


def _check(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, **kwargs
    )
    assert 0 == done.returncode, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(name="wheel", scope="module")
def _wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the repository with ``python -m build --wheel``."""
    outdir = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-isolation")  # the backend is already here: no download, no network
    _check([*command, str(ROOT)], cwd=outdir)
    wheels = list(outdir.glob("planner-*.whl"))
    assert 1 == len(wheels), wheels
    return wheels[0]


@pytest.fixture(name="installed", scope="module")
def _installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed by ``pip install --no-deps --target``; dependencies are this venv's."""
    target = tmp_path_factory.mktemp("site")
    _check(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "--disable-pip-version-check",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ]
    )
    return target


@pytest.fixture(name="outside")
def _outside(tmp_path: Path) -> Path:
    """A working folder outside the repository."""
    assert ROOT not in tmp_path.resolve().parents
    return tmp_path


def _env(target: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # PYTHONPATH comes before site-packages, so the installed copy shadows an editable install.
    env["PYTHONPATH"] = str(target)
    env.update(extra)
    return env


class TestWheelContents:
    """The wheel carries the code, the unit definitions and every data folder."""

    def test_units_definitions(self, wheel):
        """planner/units/units.txt ships beside planner/units/registry.py, which reads it."""
        names = zipfile.ZipFile(wheel).namelist()

        assert "planner/units/units.txt" in names
        assert "planner/units/registry.py" in names

    @pytest.mark.parametrize("folder", sorted(DATA))
    def test_data_folder(self, wheel, folder):
        """The folder ships under planner/_data/ and holds every file of the repository's folder."""
        names = set(zipfile.ZipFile(wheel).namelist())
        shipped = {n for n in names if n.startswith(DATA[folder] + "/")}
        expected = {
            f"{DATA[folder]}/{p.relative_to(ROOT / folder).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }

        assert shipped, f"nothing under {DATA[folder]}/ in {wheel.name}"
        assert expected <= shipped

    def test_seed_tables(self, wheel):
        """Every seeds/*.toml reference table is in the wheel."""
        names = set(zipfile.ZipFile(wheel).namelist())
        expected = {f"planner/_data/seeds/{p.name}" for p in (ROOT / "seeds").glob("*.toml")}

        assert expected
        assert expected <= names


class TestInstalledCli:
    """The installed wheel answers from outside the repository."""

    def test_imports_installed_copy(self, installed, outside):
        """``import planner`` finds the installed copy, not the source checkout."""
        done = _check(
            [sys.executable, "-c", "import planner; print(planner.__file__)"],
            cwd=outside,
            env=_env(installed),
        )

        assert installed.resolve() in Path(done.stdout.strip()).resolve().parents

    def test_python_m_dose(self, installed, outside):
        """``python -m planner dose ... --json`` gives 0.675 mg in 0.27 mL, from the wheel."""
        # Without the on-disk cache the reference tables are parsed from the wheel's TOML files.
        done = _check(
            [sys.executable, "-m", "planner", *DOSE_ARGS],
            cwd=outside,
            env=_env(installed, PLANNER_NO_CACHE="1"),
        )
        data = json.loads(done.stdout)

        assert {"value": 0.27, "unit": "mL"} == data["volume"]
        assert {"value": 0.675, "unit": "mg"} == data["amount"]

    def test_console_script(self, installed, outside):
        """The ``planner`` console script pip wrote (entry point planner.cli:main) works."""
        script = installed / "bin" / "planner"
        if not script.exists():  # pragma: no cover - pip's layout for --target scripts
            pytest.skip(f"pip wrote no console script at {script}")
        done = _check([str(script), *DOSE_ARGS], cwd=outside, env=_env(installed))

        assert 0.27 == json.loads(done.stdout)["volume"]["value"]

    def test_invalid_input(self, installed, outside):
        """Invalid input still exits 2 with one line on stderr when installed."""
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "planner",
                "dose",
                "25 mg/kg",
                "--weight",
                "27",
                "--concentration",
                "2.5 mg/mL",
            ],
            cwd=outside,
            env=_env(installed),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

        assert 2 == done.returncode
        assert 1 == len(done.stderr.splitlines()), done.stderr
        assert done.stderr.startswith("planner: error: --weight: ")

    def test_plan_renders_from_the_wheel(self, installed, outside):
        """``planner plan`` finds its templates and protocols inside the installed wheel."""
        done = _check(
            [
                sys.executable,
                "-m",
                "planner",
                "plan",
                "obara2011-cci779-chronic",
                "--seed",
                "1",
                "--out",
                "plan.html",
            ],
            cwd=outside,
            env=_env(installed),
        )
        html = (outside / "plan.html").read_text(encoding="utf-8")

        assert "planner: wrote plan.html (40 animals, 160 doses, seed 1)" in done.stderr
        assert "obara2011-cci779-chronic" in html
        assert (
            str(installed)
            in _check(
                [
                    sys.executable,
                    "-c",
                    "from planner._resources import data_dir; print(data_dir('templates'))",
                ],
                cwd=outside,
                env=_env(installed),
            ).stdout
        )
