"""
Tests for the quick reader (planner.cli.quick): ``dose``, ``convert`` and ``scale`` without typer.

The quick reader is acceptable only if what it does cannot be told from the typer app: every
argument vector here runs through ``planner.cli.main`` (the console script's entry point, which
tries the quick reader first) and through ``planner.cli.commands.main`` (the typer app alone),
and stdout, stderr and the exit status must be the same bytes. The vectors are valid and
invalid ones, missing and repeated options, unknown flags, ``--``, the short flags, ``--json``
and ``--limits``; a Hypothesis test then strings random words of the same kinds together.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import cli
from planner.cli import commands, quick

LAB = """\
[citation]
key = "mylab-limits-2026"
short = "Lab policy 2026"
title = "Injection volumes approved by our animal welfare body"

[[limit]]
species = "mouse"
route = "ip"
good_practice = { value = "5 mL/kg", status = "stated", source = "policy 4.2" }
maximum = { value = "8 mL/kg", status = "stated", source = "policy 4.3" }
"""

D = ("dose", "25 mg/kg")
W = ("--weight", "27 g")
C = ("--concentration", "2.5 mg/mL")

# Argument vectors the quick reader runs itself: the typer app reads them without a word.
QUICK = [
    (*D, *W, *C),
    (*D, *W, *C, "--json"),
    (*D, "-w", "27 g", "-c", "2.5 mg/mL"),
    (*D, "-w27 g", "-c2.5 mg/mL", "--json"),
    (*D, "--weight=27 g", "--concentration=2.5 mg/mL"),
    ("dose", *W, *C, "25 mg/kg"),
    ("dose", *W, "25 mg/kg", *C, "--json"),
    ("dose", "--json", *W, *C, "--", "25 mg/kg"),
    ("dose", *W, *C, "--", "-25 mg/kg"),
    ("dose", "-w", "27 g", "--", "25 mg/kg"),
    (*D, "--weight", "20 g", "--weight", "27 g", *C),
    (*D, "-w", "20 g", "-w", "27 g", *C),
    (*D, *W, "-c", "1 mg/mL", "-c2.5 mg/mL", "--json"),
    (*D, *W, *C, "--species", "rat", "--species", "mouse", "--route", "iv", "--route=ip"),
    (*D, *W, "-c", "1 mg/mL", "--concentration", "2.5 mg/mL", "--json", "--json"),
    (*D, *W, "-v", "10 mL/kg"),
    (*D, *W, "--dose-volume", "10 uL", "--json"),
    (*D, *W, "--dose-volume=10 mL/kg", "--species", "rat", "--route", "iv"),
    (*D, *W, *C, "-v", "10 mL/kg"),
    (*D, *W),
    (*D, *W, *C, "--compound", "CCI-779"),
    (*D, *W, *C, "--compound", "temsirolimus", "--json"),
    (*D, *W, *C, "--compound", "no such compound"),
    (*D, *W, *C, "--species", "dog"),
    (*D, *W, *C, "--route", "xx"),
    (*D, *W, "--concentration", "0.1 mg/mL"),
    (*D, *W, "--concentration", "0.1 mg/mL", "--json"),
    (*D, "--weight", "2 g", *C, "--json"),
    (
        "dose",
        "10 mcg",
        "--weight",
        "300 g",
        "--dose-volume",
        "10 uL",
        "--species",
        "rat",
        "--route",
        "it",
        "--compound",
        "rapamycin",
    ),
    ("dose", "75 mg/m2", "--weight", "25 g", "--dose-volume", "10 mL/kg", "--json"),
    ("dose", "40 umol/kg", *W, "--concentration", "1 mg/mL", "--compound", "temsirolimus"),
    ("dose", "25", *W, *C),
    ("dose", "", *W, *C),
    ("dose", "-", *W, *C),
    (*D, "--weight", "", *C),
    (*D, "--weight", "-5 g", *C),
    (*D, "--weight", "--json", *C),
    (*D, "--weight", "--", *C),
    (*D, "-w=27 g", *C),
    (*D, "-wc", *C),
    (*D, "--weight=", *C),
    (*D, *W, "--concentration", "2.5 mg/mL\x1b[31m"),
    (*D, *W, *C, "--compound", "\x1b[31mred\x1b[0m"),
    (*D, *W, *C, "--compound", "bad\x00name\u202e"),
    ("dose", "25 \N{MICRO SIGN}g/g", *W, *C),
    (*D, *W, *C, "--limits", "LAB"),
    (*D, *W, *C, "--limits", "LAB", "--json"),
    (*D, *W, *C, "--limits=LAB"),
    (*D, *W, *C, "--limits", ""),
    (*D, *W, *C, "--limits", "/no/such/limits.toml"),
    ("convert", "25 mg/kg", "--to", "umol/kg", "--compound", "temsirolimus"),
    ("convert", "25 mg/kg", "--to", "mg/m2", "--species", "mouse", "--json"),
    (
        "convert",
        "10 mg/kg",
        "--to",
        "mg/kg",
        "--compound",
        "morphine",
        "--to-form",
        "morphine sulfate pentahydrate",
    ),
    ("convert", "--to=mg/kg", "--", "25 mg/kg"),
    ("convert", "25 mg/kg", "--to", "mM"),
    ("convert", "25 mg/kg", "--to", "nonsense"),
    ("convert", "25 mg/kg", "--to", "g", "--to", "mg/kg", "--json", "--json"),
    ("scale", "25 mg/kg", "--from", "mouse", "--to", "human"),
    ("scale", "25 mg/kg", "--from", "mouse", "--to", "rat", "--json"),
    ("scale", "--to", "rat", "--from=mouse", "75 mg/m2"),
    ("scale", "25 mg/kg", "--from", "mouse", "--to", "unicorn"),
    ("scale", "25 mg/kg", "--from", "rat", "--from", "mouse", "--to", "human"),
]

# Vectors the typer app must read: help, usage errors, and anything the quick reader does not
# recognise. The quick reader hands them over; the test checks the result is the same anyway.
TO_THE_APP = [
    (),
    ("--help",),
    ("dose",),
    ("dose", "--help"),
    (*D, *W, *C, "--help"),
    ("dose", "-h"),
    (*D,),
    (*D, *C),
    ("dose", *W, *C),
    ("dose", "--", "25 mg/kg"),
    (*D, "extra", *W, *C),
    (*D, *W, *C, "--", "extra"),
    (*D, *W, *C, "--foo"),
    (*D, "--wei", "27 g", *C),
    (*D, *W, *C, "--json=1"),
    (*D, *W, *C, "--json="),
    (*D, *W, *C, "-x"),
    (*D, *W, *C, "-5"),
    (*D, *W, "-c"),
    (*D, *C, "--weight"),
    (*D, *W, *C, "---weight", "27 g"),
    (*D, *W, *C, "--=x"),
    (*D, *W, *C, "-j"),
    ("Dose", "25 mg/kg", *W, *C),
    ("--json", *D, *W, *C),
    ("convert",),
    ("convert", "25 mg/kg"),
    ("convert", "25 mg/kg", "--to"),
    ("convert", "25 mg/kg", "--to", "mg/kg", "-c", "x"),
    ("convert", "25 mg/kg", "--to", "mg/kg", "--weight", "27 g"),
    ("scale", "25 mg/kg", "--from", "mouse"),
    ("scale", "25 mg/kg", "--to", "human"),
    ("scale", "25 mg/kg", "--from", "mouse", "--to", "human", "more"),
    ("regimens",),
    ("show", "obara2011-cci779-acute"),
]


@pytest.fixture(name="lab", scope="module")
def _lab(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("limits") / "lab.toml"
    path.write_text(LAB, encoding="utf-8")
    return str(path)


def _args(vector: Sequence[str], lab: str) -> list[str]:
    return [a.replace("LAB", lab) for a in vector]


class _Streams:
    """sys.stdout and sys.stderr as bytes, for one run."""

    def __init__(self, encoding: str = "utf-8") -> None:
        self.encoding = encoding

    def run(
        self, main: Callable[[list[str]], object], args: list[str]
    ) -> tuple[object, bytes, bytes]:
        out = io.TextIOWrapper(io.BytesIO(), encoding=self.encoding, write_through=True)
        err = io.TextIOWrapper(
            io.BytesIO(), encoding=self.encoding, errors="backslashreplace", write_through=True
        )
        saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err
        try:
            main(list(args))
        except SystemExit as exit_:
            code: object = exit_.code
        else:  # pragma: no cover - main always exits
            code = "returned"
        finally:
            sys.stdout, sys.stderr = saved
        return code, _bytes(out), _bytes(err)


def _bytes(stream: io.TextIOWrapper) -> bytes:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue()


def _both(args: list[str], encoding: str = "utf-8") -> tuple[tuple[object, bytes, bytes], ...]:
    streams = _Streams(encoding)
    return streams.run(cli.main, args), streams.run(commands.main, args)


class TestSameAsTheApp:
    """planner.cli.main gives the typer app's stdout, stderr and exit status, byte for byte."""

    @pytest.mark.parametrize("vector", QUICK, ids=repr)
    def test_quick_vectors(self, vector, lab):
        """A vector the quick reader runs: the same bytes and status as the typer app's."""
        args = _args(vector, lab)
        quick_run, app_run = _both(args)

        assert app_run == quick_run
        assert quick_run[0] in {0, 1, 2}

    @pytest.mark.parametrize("vector", TO_THE_APP, ids=repr)
    def test_app_vectors(self, vector, lab):
        """A vector for the typer app: the same bytes and status either way."""
        args = _args(vector, lab)
        quick_run, app_run = _both(args)

        assert app_run == quick_run

    @pytest.mark.parametrize(
        "vector",
        [
            (*D, *W, *C),
            (*D, *W, *C, "--json"),
            (*D, *W, *C, "--compound", "\x1b[31mx"),
            ("convert", "25 mg/kg", "--to", "umol/kg", "--compound", "temsirolimus"),
        ],
        ids=repr,
    )
    def test_ascii_streams(self, vector):
        """On ASCII streams (which click replaces with UTF-8 ones) the output is the app's."""
        quick_run, app_run = _both(list(vector), encoding="ascii")

        assert app_run == quick_run


class TestWhoReads:
    """The quick reader takes the plain vectors and hands everything else to the typer app."""

    @pytest.mark.parametrize("vector", QUICK, ids=repr)
    def test_reads_the_plain_ones(self, vector):
        """Every vector in QUICK is read by the quick reader, not handed over."""
        command = quick.COMMANDS[vector[0]]

        assert quick.parse(command, vector[1:]) is not None

    @pytest.mark.parametrize("vector", TO_THE_APP, ids=repr)
    def test_hands_over_the_rest(self, vector, monkeypatch):
        """Every vector in TO_THE_APP goes to the typer app."""
        for command in quick.COMMANDS.values():
            monkeypatch.setattr(command, "function", _never)

        assert quick.main(list(vector)) is None

    def test_reads_like_click(self):
        """Options in any order, attached values, the last repeat winning, '--' and defaults."""
        command = quick.COMMANDS["dose"]
        args = ["-wc", "--json", "--", "-5 mg/kg"]
        repeated = ["1 mg/kg", "-w", "1 g", "--weight=2 g", "-c", "1 mg/mL", "-c3 mg/mL"]

        assert {
            "dose": "-5 mg/kg",
            "weight": "c",
            "concentration": None,
            "dose_volume": None,
            "compound": None,
            "species": "mouse",
            "route": "ip",
            "limits": None,
            "as_json": True,
        } == quick.parse(command, args)
        parsed = quick.parse(command, repeated)
        assert parsed is not None
        assert ("2 g", "3 mg/mL") == (parsed["weight"], parsed["concentration"])

    def test_completion_goes_to_the_app(self, monkeypatch):
        """With shell completion asked for, the typer app answers."""
        monkeypatch.setenv("_PLANNER_COMPLETE", "bash_complete")

        assert quick.main([*D, *W, *C]) is None


def _never(*_args: object, **_kwargs: object) -> int:
    raise AssertionError("the quick reader ran a vector it should hand over")


class TestTablesMatchTheApp:
    """The quick reader's tables say what the typer app's commands say."""

    @pytest.mark.parametrize("name", sorted(quick.COMMANDS))
    def test_options(self, name):
        """Same argument, option spellings, flags, required options and defaults."""
        click_command = typer.main.get_command(cli.app).commands[name]
        table = quick.COMMANDS[name]
        arguments = [p.name for p in click_command.params if p.param_type_name == "argument"]
        options = [p for p in click_command.params if p.param_type_name == "option"]

        assert [table.argument] == arguments
        assert {
            spelling: p.name
            for p in options
            if not p.is_flag and p.name != "help"
            for spelling in [*p.opts, *p.secondary_opts]
        } == table.options
        assert {
            spelling: p.name
            for p in options
            if p.is_flag and p.name != "help"
            for spelling in [*p.opts, *p.secondary_opts]
        } == table.flags
        assert sorted(p.name for p in options if p.required) == sorted(table.required)
        assert {p.name: p.default for p in options if not p.required and p.name != "help"} == (
            table.defaults
        )
        assert all(not p.multiple and p.nargs == 1 and not p.envvar for p in options)

    @pytest.mark.parametrize("name", sorted(quick.COMMANDS))
    def test_calls_the_same_function(self, name):
        """The typer command's body calls the function the quick reader calls."""
        import inspect

        source = inspect.getsource(getattr(commands, name))

        assert f"run.{quick.COMMANDS[name].function.__name__}(" in source


WORDS = [
    "25 mg/kg",
    "75 mg/m2",
    "10 mcg",
    "27 g",
    "2 g",
    "2.5 mg/mL",
    "0.1 mg/mL",
    "10 mL/kg",
    "umol/kg",
    "mg/kg",
    "mouse",
    "rat",
    "human",
    "ip",
    "iv",
    "temsirolimus",
    "CCI-779",
    "",
    "-",
    "--",
    "-5",
    "x",
    "LAB",
    "\x1b[1m",
]
OPTIONS = [
    "--weight",
    "-w",
    "--concentration",
    "-c",
    "--dose-volume",
    "-v",
    "--compound",
    "--species",
    "--route",
    "--limits",
    "--json",
    "--to",
    "--from",
    "--to-form",
    "--help",
    "-h",
    "--wei",
    "--json=1",
    "-x",
    "--weight=27 g",
    "-w27 g",
    "-c2.5 mg/mL",
    "--to=mg/kg",
    "--from=mouse",
    "--concentration=",
    "-w=2 g",
]


@st.composite
def _vectors(draw: st.DrawFn) -> list[str]:
    """A vector of QUICK or TO_THE_APP with up to four words inserted, dropped or repeated."""
    vector = list(draw(st.sampled_from(QUICK + TO_THE_APP[2:])))
    for _ in range(draw(st.integers(0, 4))):
        edit = draw(st.sampled_from(["insert", "drop", "repeat"]))
        where = draw(st.integers(1, len(vector)))
        if edit == "insert":
            vector.insert(where, draw(st.sampled_from(WORDS + OPTIONS)))
        elif edit == "drop" and where < len(vector):
            del vector[where]
        elif edit == "repeat" and where < len(vector):
            vector.extend(vector[where : where + 2])
    return vector


class TestRandomVectors:
    """Random vectors of the same words: the quick reader and the typer app agree."""

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(vector=_vectors())
    def test_same_bytes(self, vector, lab):
        """Same stdout, stderr and exit status, whoever reads the vector."""
        args = _args(vector, lab)
        quick_run, app_run = _both(args)

        assert app_run == quick_run


SCRIPT = "import sys; from planner.cli{} import main; main(sys.argv[1:])"


def _process(module: str, args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(module), *args],
        cwd=cwd,
        capture_output=True,
        timeout=120,
        check=False,
    )


class TestProcesses:
    """The same, as whole processes, and without typer loaded when it is not needed."""

    @pytest.mark.parametrize(
        "vector",
        [(*D, *W, *C, "--json"), (*D, "-w", "27 g"), (*D, "--wei", "27 g"), ("dose", "--help")],
        ids=repr,
    )
    def test_same_bytes(self, vector, tmp_path):
        """planner and the typer app alone print the same bytes and exit alike."""
        quick_run = _process("", vector, tmp_path)
        app_run = _process(".commands", vector, tmp_path)

        assert (app_run.returncode, app_run.stdout, app_run.stderr) == (
            quick_run.returncode,
            quick_run.stdout,
            quick_run.stderr,
        )

    def test_dose_without_typer(self, tmp_path):
        """planner dose with plain arguments neither imports typer nor rich."""
        probe = (
            "import sys; from planner.cli import main\n"
            "try:\n    main(sys.argv[1:])\n"
            "finally:\n"
            "    print(sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'click', 'rich'}),"
            " file=sys.stderr)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe, *D, *W, *C, "--json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert (0, "[]") == (done.returncode, done.stderr.strip())
