"""
Tests for planner.cli: exit statuses, the exact one-line errors, JSON output and docs coverage.

The CLI is run in-process through ``planner.cli.main`` (the console-script entry point), so the
wrapper that turns usage errors into one line is exercised too.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pint
import pytest
import typer

from planner import cli

README = Path(__file__).resolve().parent.parent / "README.md"
COMMANDS = ["dose", "convert", "scale"]

DOSE = ("dose", "25 mg/kg", "--weight", "27 g")
"""25 mg/kg for a 27 g mouse, without a concentration or dose volume."""


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """
    Run ``planner ARGS`` in-process; return the exit status, stdout and stderr.
    """
    capsys.readouterr()  # drop anything printed before the run
    with pytest.raises(SystemExit) as exit_info:
        cli.main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


@pytest.fixture(name="run")
def _run(capsys: pytest.CaptureFixture[str]):
    """``run(*args) -> (code, out, err)`` bound to this test's capsys."""

    def _call(*args: str) -> tuple[int, str, str]:
        return run(*args, capsys=capsys)

    return _call


@pytest.fixture(name="plain_pint", scope="module")
def _plain_pint() -> pint.UnitRegistry:
    """A default pint registry, as a script reading planner's JSON would use."""
    return pint.UnitRegistry()


def assert_one_line_error(err: str) -> str:
    """
    Check that stderr is a single 'planner: error: ' line without a traceback; return it.
    """
    lines = err.splitlines()

    assert 1 == len(lines), err
    assert lines[0].startswith("planner: error: "), err
    assert "Traceback" not in err
    return lines[0]


def assert_quantity(
    expected_value: float, expected_unit: str, actual: dict, ureg: pint.UnitRegistry
) -> None:
    """
    Check a JSON quantity object: its keys, value, unit text, and that pint can read the unit.
    """
    assert {"value", "unit"} == set(actual)
    assert isinstance(actual["value"], int | float)
    assert expected_value == pytest.approx(actual["value"], rel=1e-12, abs=0)
    assert ureg.parse_units(expected_unit) == ureg.parse_units(actual["unit"])


class TestExitStatus:
    """Exit 0 on success, 1 for an error-level finding, 2 for invalid input."""

    def test_success(self, run):
        """A dose within good practice exits 0 and prints to stdout only."""
        code, out, err = run(*DOSE, "--concentration", "2.5 mg/mL")

        assert 0 == code
        assert out
        assert "" == err

    def test_error_finding(self, run):
        """25 mg/kg at 0.2 mg/mL is 3.375 mL (125 mL/kg) for 27 g, above the i.p. maximum."""
        code, out, err = run(*DOSE, "--concentration", "0.2 mg/mL")

        assert 1 == code
        assert "ERROR" in out
        assert "Traceback" not in out + err

    def test_error_finding_json(self, run, plain_pint):
        """The JSON of a dose with an error-level finding lists it and still exits 1."""
        code, out, _ = run(*DOSE, "--concentration", "0.2 mg/mL", "--json")
        data = json.loads(out)

        assert 1 == code
        assert "error" in [f["level"] for f in data["findings"]]
        # 25 mg/kg x 27 g = 0.675 mg; 0.675 mg / 0.2 mg/mL = 3.375 mL
        assert_quantity(0.675 / 0.2, "mL", data["volume"], plain_pint)

    @pytest.mark.parametrize(
        "args",
        [
            pytest.param(
                ("dose", "abc", "--weight", "27 g", "--concentration", "2.5 mg/mL"),
                id="unparsable-dose",
            ),
            pytest.param(
                ("dose", "25 %", "--weight", "27 g", "--concentration", "2.5 mg/mL"),
                id="percent-dose",
            ),
            pytest.param(
                ("dose", "1e999999999 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"),
                id="exponent-beyond-decimal-range",
            ),
            pytest.param(
                ("dose", "NaN mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"),
                id="nan-dose",
            ),
            pytest.param(
                ("dose", "25 mg/kg", "--weight", "inf g", "--concentration", "2.5 mg/mL"),
                id="inf-weight",
            ),
            pytest.param(
                ("dose", "25 mg/kg", "--weight", "2,5 g", "--concentration", "2.5 mg/mL"),
                id="comma-weight",
            ),
            pytest.param(
                ("dose", "", "--weight", "27 g", "--concentration", "2.5 mg/mL"), id="empty-dose"
            ),
            pytest.param(
                ("dose", "25 mg/kg", "--weight", "27", "--concentration", "2.5 mg/mL"),
                id="bare-weight",
            ),
            pytest.param((*DOSE, "--concentration", "0 mg/mL"), id="zero-concentration"),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--dose-volume", "10 mL/kg"), id="both"
            ),
            pytest.param(DOSE, id="neither"),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--compound", "nosuchcompound"),
                id="unknown-compound",
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--species", "dragon"), id="unknown-species"
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--route", "nasal-spray"),
                id="unknown-route",
            ),
            pytest.param(
                ("convert", "25 mg/kg", "--to", "umol/kg"), id="convert-molar-without-compound"
            ),
            pytest.param(
                ("convert", "25 mg/kg", "--to", "mg/m2"), id="convert-area-without-species"
            ),
            pytest.param(("convert", "25 mg/kg", "--to", "furlong"), id="convert-unknown-unit"),
            pytest.param(
                ("scale", "25 mg/kg", "--from", "mouse", "--to", "dragon"),
                id="scale-unknown-species",
            ),
            pytest.param(("dose", "25 mg/kg", "--concentration", "2.5 mg/mL"), id="missing-option"),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--frobnicate"), id="unknown-flag"
            ),
            pytest.param(("frobnicate",), id="unknown-command"),
        ],
    )
    def test_invalid_input(self, run, args):
        """Invalid input exits 2 with one line on stderr, no traceback and nothing on stdout."""
        code, out, err = run(*args)

        assert 2 == code
        assert "" == out
        assert_one_line_error(err)


class TestErrorMessages:
    """The one stderr line names the option, what it got and what was expected."""

    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            pytest.param(
                ("dose", "25 mg/kg", "--weight", "27", "--concentration", "2.5 mg/mL"),
                "planner: error: --weight: got '27'; expected a mass, e.g. '27 g' "
                "(a number alone has no unit)",
                id="bare-weight",
            ),
            pytest.param(
                (*DOSE, "--concentration", "0 mg/mL"),
                "planner: error: --concentration: got '0 mg/mL'; expected a concentration, "
                "e.g. '2.5 mg/mL' or '5 mM' (it must be greater than zero)",
                id="zero-concentration",
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--dose-volume", "10 mL/kg"),
                "planner: error: --concentration/--dose-volume: got 'both'; expected only one of "
                "--concentration and --dose-volume",
                id="both",
            ),
            pytest.param(
                DOSE,
                "planner: error: --concentration/--dose-volume: not given; expected "
                "--concentration (the solution you have) or --dose-volume (e.g. '10 mL/kg')",
                id="neither",
            ),
            pytest.param(
                ("dose", "25 mg/kg", "--concentration", "2.5 mg/mL"),
                "planner: error: Missing option '--weight' / '-w'. (see 'planner --help')",
                id="missing-option",
            ),
        ],
    )
    def test_exact_line(self, run, args, expected):
        """The error line is exactly as documented."""
        code, _, err = run(*args)

        assert 2 == code
        assert expected == assert_one_line_error(err)

    @pytest.mark.parametrize(
        ("args", "prefix", "mentions"),
        [
            pytest.param(
                ("dose", "abc", "--weight", "27 g", "--concentration", "2.5 mg/mL"),
                "planner: error: DOSE: got 'abc'; expected a dose per body mass, e.g. '25 mg/kg'",
                [],
                id="unparsable-dose",
            ),
            pytest.param(
                ("dose", "25 %", "--weight", "27 g", "--concentration", "2.5 mg/mL"),
                "planner: error: DOSE: got '25 %'; expected a dose per body mass",
                ["a percentage is not a dose"],
                id="percent-dose",
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--compound", "nosuchcompound"),
                "planner: error: --compound: unknown compound 'nosuchcompound'",
                ["temsirolimus", "morphine"],
                id="unknown-compound",
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--species", "dragon"),
                "planner: error: --species: unknown species 'dragon'",
                ["mouse", "rat", "human"],
                id="unknown-species",
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--route", "nasal-spray"),
                "planner: error: --route: unknown route 'nasal-spray'",
                ["ip", "sc", "iv", "po"],
                id="unknown-route",
            ),
            pytest.param(
                ("convert", "25 mg/kg", "--to", "umol/kg"),
                "planner: error: --compound: not given; expected a compound name",
                ["molecular weight"],
                id="convert-molar-without-compound",
            ),
            pytest.param(
                ("convert", "25 mg/kg", "--to", "mg/m2"),
                "planner: error: --species: not given; expected a species name",
                ["Km"],
                id="convert-area-without-species",
            ),
            pytest.param(
                (*DOSE, "--concentration", "2.5 mg/mL", "--frobnicate"),
                "planner: error: No such option: --frobnicate",
                ["planner --help"],
                id="unknown-flag",
            ),
        ],
    )
    def test_names_option(self, run, args, prefix, mentions):
        """The error line starts with the option it concerns and what was given."""
        code, _, err = run(*args)
        line = assert_one_line_error(err)

        assert 2 == code
        assert line.startswith(prefix), line
        for word in mentions:
            assert word in line


class TestDoseJson:
    """``planner dose --json`` prints one object with quantities as {value, unit}."""

    def test_concentration(self, run, plain_pint):
        """25 mg/kg for 27 g at 2.5 mg/mL is 0.675 mg in 0.27 mL."""
        code, out, _ = run(*DOSE, "--concentration", "2.5 mg/mL", "--json")
        data = json.loads(out)

        assert 0 == code
        assert {"amount", "volume", "concentration", "findings"} <= set(data)
        assert_quantity(25 * 27 / 1000, "mg", data["amount"], plain_pint)
        assert_quantity(0.675 / 2.5, "mL", data["volume"], plain_pint)
        assert_quantity(2.5, "mg/mL", data["concentration"], plain_pint)
        assert [] == data["findings"]

    def test_dose_volume(self, run, plain_pint):
        """At 10 mL/kg a 27 g mouse gets 0.27 mL, so the solution is 0.675 / 0.27 = 2.5 mg/mL."""
        code, out, _ = run(*DOSE, "--dose-volume", "10 mL/kg", "--json")
        data = json.loads(out)

        assert 0 == code
        assert_quantity(25 * 27 / 1000, "mg", data["amount"], plain_pint)
        assert_quantity(10 * 27 / 1000, "mL", data["volume"], plain_pint)
        assert_quantity(0.675 / 0.27, "mg/mL", data["concentration"], plain_pint)

    def test_findings_shape(self, run):
        """Every finding has a level of error, warning or info, a code and a message."""
        code, out, _ = run(*DOSE, "--concentration", "2.5 mg/mL", "--route", "iv", "--json")
        findings = json.loads(out)["findings"]

        assert 0 == code
        assert findings
        for finding in findings:
            assert finding["level"] in {"error", "warning", "info"}
            assert isinstance(finding["code"], str)
            assert finding["code"]
            assert isinstance(finding["message"], str)
            assert finding["message"]

    def test_every_quantity_is_pint_text(self, run, plain_pint):
        """Every {value, unit} object in the output has a unit a default pint registry reads."""
        _, out, _ = run(*DOSE, "--dose-volume", "10 mL/kg", "--compound", "temsirolimus", "--json")

        def quantities(node):
            if isinstance(node, dict):
                if set(node) == {"value", "unit"}:
                    yield node
                else:
                    for child in node.values():
                        yield from quantities(child)
            elif isinstance(node, list):
                for child in node:
                    yield from quantities(child)

        found = list(quantities(json.loads(out)))

        assert found
        for quantity in found:
            assert isinstance(quantity["value"], int | float)
            plain_pint.parse_units(quantity["unit"])

    @pytest.mark.parametrize(
        ("spelling", "key"),
        [
            ("ip", "ip"),
            ("i.p.", "ip"),
            ("intraperitoneal", "ip"),
            ("it", "it"),
            ("intrathecal", "it"),
            ("sc", "sc"),
            ("iv", "iv"),
            ("po", "po"),
            ("oral", "po"),
        ],
    )
    def test_route_spellings(self, run, spelling, key):
        """Every route spelling of the contract is accepted (i.t. exits 1 on its volume limit)."""
        code, out, err = run(*DOSE, "--concentration", "2.5 mg/mL", "--route", spelling, "--json")

        assert code in {0, 1}, err
        assert key == json.loads(out)["route"]


class TestConvertJson:
    """``planner convert --json`` prints one quantity object."""

    def test_per_area(self, run, plain_pint):
        """25 mg/kg in a mouse (Km 3) is 25 x 3 = 75 mg/m2."""
        code, out, _ = run("convert", "25 mg/kg", "--to", "mg/m2", "--species", "mouse", "--json")

        assert 0 == code
        assert_quantity(25 * 3, "mg/m**2", json.loads(out), plain_pint)

    def test_molar(self, run, plain_pint):
        """25 mg/kg of temsirolimus (MW 1030.29 g/mol) is 25 / 1030.29 x 1000 umol/kg."""
        code, out, _ = run(
            "convert", "25 mg/kg", "--to", "umol/kg", "--compound", "temsirolimus", "--json"
        )

        assert 0 == code
        assert_quantity(25 / 1030.29 * 1000, "umol/kg", json.loads(out), plain_pint)

    def test_salt_form(self, run, plain_pint):
        """10 mg/kg morphine (285.34) is 10 x 758.83 / (2 x 285.34) mg/kg as sulfate (758.83)."""
        code, out, _ = run(
            "convert",
            "10 mg/kg",
            "--to",
            "mg/kg",
            "--compound",
            "morphine",
            "--to-form",
            "morphine sulfate pentahydrate",
            "--json",
        )

        assert 0 == code
        assert_quantity(10 * 758.83 / (2 * 285.34), "mg/kg", json.loads(out), plain_pint)


class TestScaleJson:
    """``planner scale --json`` prints one quantity object."""

    def test_mouse_to_human(self, run, plain_pint):
        """25 mg/kg in a mouse (Km 3) is 25 x 3 / 37 mg/kg in a human (Km 37)."""
        code, out, _ = run("scale", "25 mg/kg", "--from", "mouse", "--to", "human", "--json")
        data = json.loads(out)

        assert 0 == code
        assert {"value", "unit"} == set(data)
        assert 25 * 3 / 37 == pytest.approx(data["value"], abs=1e-9)
        assert plain_pint.parse_units("mg/kg") == plain_pint.parse_units(data["unit"])


class TestText:
    """The text output follows ISMP: mL, no micro sign, no trailing zeros."""

    @pytest.fixture(name="dose_text")
    def _dose_text(self, run) -> str:
        """The text answer for 25 mg/kg, 27 g mouse, 2.5 mg/mL."""
        code, out, _ = run(*DOSE, "--concentration", "2.5 mg/mL")
        assert 0 == code
        return out

    def test_numbers(self, dose_text):
        """The amount and the volume appear as 0.675 mg and 0.27 mL."""

        assert "0.675 mg" in dose_text
        assert "0.27 mL" in dose_text

    @pytest.mark.parametrize(
        "args",
        [
            pytest.param((*DOSE, "--concentration", "2.5 mg/mL"), id="dose"),
            pytest.param((*DOSE, "--concentration", "0.2 mg/mL"), id="dose-error"),
            pytest.param(
                (*DOSE, "--dose-volume", "10 uL/g", "--compound", "temsirolimus"), id="dose-volume"
            ),
            pytest.param(
                (
                    "dose",
                    "10 mcg",
                    "--weight",
                    "27 g",
                    "--concentration",
                    "1 mg/mL",
                    "--route",
                    "it",
                ),
                id="dose-it",
            ),
            pytest.param(
                ("convert", "25 mg/kg", "--to", "umol/kg", "--compound", "temsirolimus"),
                id="convert",
            ),
            pytest.param(
                ("convert", "25 mg/kg", "--to", "mg/m2", "--species", "mouse"), id="convert-area"
            ),
            pytest.param(("scale", "25 mg/kg", "--from", "mouse", "--to", "human"), id="scale"),
        ],
    )
    def test_ismp(self, run, args):
        """No micro sign, no lowercase 'ml', no trailing '.0' or other trailing decimal zero."""
        code, out, _ = run(*args)

        assert code in {0, 1}
        assert out
        assert "µ" not in out
        assert "\N{GREEK SMALL LETTER MU}" not in out
        assert "ml " not in out
        assert re.search(r"\bml\b", out) is None, out
        # Sources in [brackets] quote the literature verbatim ("1030.30 computed from the formula").
        numbers = re.sub(r"\[[^\]]*\]", "", out)
        assert re.search(r"\d\.\d*0(?![\d.])", numbers) is None, out


class TestDocsCoverage:
    """Every command has help text and is documented in README.md."""

    @pytest.mark.parametrize("command", COMMANDS)
    def test_help(self, run, command):
        """``planner COMMAND --help`` exits 0 and prints the command's help."""
        code, out, err = run(command, "--help")
        help_text = typer.main.get_command(cli.app).commands[command].help

        assert 0 == code
        assert help_text
        assert f"planner {command}" in out
        assert "" == err

    @pytest.mark.parametrize("command", COMMANDS)
    def test_in_readme(self, command):
        """README.md shows ``planner COMMAND``."""
        text = README.read_text(encoding="utf-8") if README.exists() else ""

        assert f"planner {command}" in text

    def test_top_level_help(self, run):
        """``planner --help`` exits 0 and lists every command."""
        code, out, _ = run("--help")

        assert 0 == code
        for command in COMMANDS:
            assert command in out

    def test_python_m(self, tmp_path):
        """``python -m planner --help`` exits 0 from outside the repository."""
        done = subprocess.run(
            [sys.executable, "-m", "planner", "--help"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert 0 == done.returncode, done.stderr
        assert "dose" in done.stdout
        assert "Traceback" not in done.stderr


class TestOneLine:
    """Error lines are one printable line, whatever the input held."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("a\n  b\tc", "a b c"),
            ("x\x00.csv", "x\\x00.csv"),
            ("bell\x07", "bell\\x07"),
            ("\x1b[31mred", "\\x1b[31mred"),
            ("rtl\u202emark", "rtl\\u202emark"),
            ("25 \u00b5g and 25 \u03bcg", "25 \u00b5g and 25 \u03bcg"),
        ],
        ids=["white-space", "nul", "bell", "escape", "bidi", "micro-signs-kept"],
    )
    def test_one_line(self, text, expected):
        """White space folds to single spaces; controls print as escapes; letters stay."""
        from planner.cli import one_line

        assert expected == one_line(text)
