"""
Tests for ``planner regimens``, ``show``, ``check`` and ``new``: exit statuses, exact output
lines and one-line errors, JSON shapes, and that each command is documented.

The CLI is run in-process through ``planner.cli.main`` (the console-script entry point).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pint
import pytest
import typer

from planner import cli
from planner._resources import data_dir
from planner.checks.protocol import assumed_count
from planner.knowledge.loading import load_protocol

README = Path(__file__).resolve().parent.parent / "README.md"
COMMANDS = ["regimens", "show", "check", "new"]
PROTOCOLS = data_dir("protocols")
SHIPPED = [
    "obara2011-cci779-acute",
    "obara2011-cci779-chronic",
    "obara2011-cci779-inflammatory",
    "obara2011-torin1-acute",
    "obara2011-torin1-chronic",
    "xu2014-rapamycin-it",
]


@pytest.fixture(name="no_disk_cache", autouse=True)
def _no_disk_cache(monkeypatch):
    """Keep these tests off the on-disk cache of reference data."""
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")


@pytest.fixture(name="run")
def _run(capsys):
    """``run(*args) -> (code, out, err)``: run planner in-process, catching SystemExit."""

    def _call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            cli.main(list(args))
        out, err = capsys.readouterr()
        code = exit_info.value.code
        return (0 if code is None else code), out, err

    return _call


@pytest.fixture(name="plain_pint", scope="module")
def _plain_pint():
    """A default pint registry, as a script reading planner's JSON would use."""
    return pint.UnitRegistry()


def one_line_error(err: str) -> str:
    """Check that stderr is one 'planner: error: ' line without a traceback; return it."""
    lines = err.splitlines()

    assert 1 == len(lines), err
    assert lines[0].startswith("planner: error: "), err
    return lines[0]


def protocol_text(protocol_id: str = "obara2011-cci779-acute") -> str:
    """The text of a shipped protocol file."""
    return (PROTOCOLS / f"{protocol_id}.toml").read_text(encoding="utf-8")


class TestRegimens:
    """planner regimens lists every documented regimen."""

    def test_text(self, run):
        """A table row per regimen, with the status and the assumed fields named."""
        code, out, err = run("regimens")
        lines = out.splitlines()

        assert (0, "") == (code, err)
        assert ["ID", "COMPOUND", "DOSE", "ROUTE", "SCHEDULE", "SPECIES", "STATUS"] == lines[
            0
        ].split()
        assert [
            "obara2011-cci779-single",
            "temsirolimus",
            "25",
            "mg/kg",
            "i.p.",
            "1",
            "dose",
            "mouse",
            "stated",
        ] == lines[1].split()
        assert [
            "obara2011-torin1-4daily",
            "Torin1",
            "20",
            "mg/kg",
            "i.p.",
            "4",
            "doses,",
            "every",
            "24",
            "h",
            "mouse",
            "ASSUMED:",
            "doses,",
            "interval",
        ] == lines[4].split()
        assert [
            "xu2014-morphine-it-repeated",
            "morphine",
            "10",
            "mcg",
            "i.t.",
            "14",
            "doses,",
            "every",
            "12",
            "h",
            "rat",
            "ASSUMED:",
            "dose,",
            "doses,",
            "interval",
        ] == lines[6].split()

    def test_text_sources(self, run):
        """The sources are listed under the table with DOI and PMID."""
        _, out, _ = run("regimens")

        assert (
            "  Obara et al. 2011: Pain 152(11):2582-2595; doi:10.1016/j.pain.2011.07.025, PMID 21917376"
            in out.splitlines()
        )
        assert (
            "  Xu et al. 2014: J Clin Invest 124(2):592-603; doi:10.1172/JCI70236"
            in out.splitlines()
        )

    def test_json(self, run):
        """--json prints a list of 8 entries with exactly the documented keys."""
        code, out, _ = run("regimens", "--json")
        data = json.loads(out)

        assert 0 == code
        assert 8 == len(data)
        for entry in data:
            assert {
                "id",
                "name",
                "compound",
                "dose",
                "route",
                "doses",
                "interval",
                "species",
                "source",
                "status",
                "assumed",
                "citation",
            } == set(entry)

    def test_json_chronic(self, run):
        """CCI-779 chronic: 25 mg/kg i.p., 4 doses every 24 h, mouse, stated in the Obara abstract."""
        _, out, _ = run("regimens", "--json")
        entry = next(e for e in json.loads(out) if e["id"] == "obara2011-cci779-4daily")

        assert {
            "id": "obara2011-cci779-4daily",
            "name": "temsirolimus (CCI-779) 25 mg/kg i.p., once daily for 4 days (chronic), after nerve injury",
            "compound": "temsirolimus",
            "dose": {"value": 25, "unit": "mg/kg"},
            "route": "ip",
            "doses": 4,
            "interval": {"value": 24, "unit": "h"},
            "species": "mouse",
            "source": "Obara et al. 2011, abstract",
            "status": "stated",
            "assumed": [],
            "citation": "obara2011",
        } == entry

    def test_json_single_dose_interval_null(self, run):
        """A single dose has interval null."""
        _, out, _ = run("regimens", "--json")
        entry = next(e for e in json.loads(out) if e["id"] == "obara2011-torin1-single")

        assert (None, 1, {"value": 20, "unit": "mg/kg"}) == (
            entry["interval"],
            entry["doses"],
            entry["dose"],
        )

    def test_json_assumed(self, run):
        """Xu morphine: 10 mcg i.t., 14 doses every 12 h in rats, with dose and schedule assumed."""
        _, out, _ = run("regimens", "--json")
        entry = next(e for e in json.loads(out) if e["id"] == "xu2014-morphine-it-repeated")

        assert (
            {"value": 10, "unit": "ug"},
            "it",
            14,
            {"value": 12, "unit": "h"},
            "rat",
            "assumed",
            ["dose", "doses", "interval"],
        ) == (
            entry["dose"],
            entry["route"],
            entry["doses"],
            entry["interval"],
            entry["species"],
            entry["status"],
            entry["assumed"],
        )

    def test_json_units_parse_with_pint(self, run, plain_pint):
        """Every dose and interval unit is text a default pint registry parses."""
        _, out, _ = run("regimens", "--json")

        for entry in json.loads(out):
            plain_pint.parse_units(entry["dose"]["unit"])
            if entry["interval"] is not None:
                assert (
                    plain_pint.Quantity(entry["interval"]["value"], entry["interval"]["unit"])
                    .to("h")
                    .magnitude
                    > 0
                )


class TestShow:
    """planner show prints a regimen or a protocol with every value's provenance."""

    def test_regimen(self, run):
        """The Torin1 chronic regimen: dose stated, doses and interval ASSUMED with the reason."""
        code, out, err = run("show", "obara2011-torin1-4daily")
        lines = out.splitlines()

        assert (0, "") == (code, err)
        assert (
            "Regimen obara2011-torin1-4daily: Torin1 20 mg/kg i.p., chronic; schedule assumed as for CCI-779 "
            "(once daily for 4 days)"
        ) == lines[0]
        assert "  dose          20 mg/kg  [stated: Obara et al. 2011, abstract]" in lines
        assert (
            "  doses         4  [ASSUMED - verify: the abstract says 'chronic' but gives no schedule for Torin1; "
            "taken from the CCI-779 chronic regimen (4 daily doses)]"
        ) in lines
        assert "Schedule status: assumed (doses, interval assumed)" in lines

    def test_regimen_study(self, run):
        """The study context follows: strain from MeSH, SNI assumed, what the abstract does not state."""
        _, out, _ = run("show", "obara2011-cci779-single")
        lines = out.splitlines()

        assert (
            "  strain        C57BL/6  [stated: Obara et al. 2011, MeSH terms (Mice, Inbred C57BL); note: the "
            "substrain (e.g. C57BL/6J) is not given]"
        ) in lines
        assert (
            "  model name    spared nerve injury (SNI)  [ASSUMED - verify: the abstract does not name the model; "
            "recalled as the usual model of the Hunt/Geranton group, unverified]"
        ) in lines
        assert "  - n per group" in lines

    def test_protocol(self, run):
        """A protocol: header, dose stated, dose volume assumed, derived concentration, timeline."""
        code, out, _ = run("show", "obara2011-cci779-acute")
        lines = out.splitlines()

        assert 0 == code
        assert (
            "Protocol obara2011-cci779-acute (version 1): Temsirolimus (CCI-779) 25 mg/kg i.p., one dose, "
            "in mice with spared nerve injury"
        ) == lines[0]
        assert "  dose          25 mg/kg  [stated: Obara et al. 2011, abstract]" in lines
        assert "  concentration 2.5 mg/mL  [derived: dose / dose volume]" in lines
        assert "    1. ethanol (absolute), 5 %" in lines
        assert "    4. 0.9% saline, to volume" in lines
        assert "Groups (40 animals)" in lines
        assert (
            "     days -14 to -8  [ASSUMED - verify: not in the abstract; 7 days is a common minimum]"
            in lines
        )
        assert (
            "     1 h, 3 h and 24 h after the first dose of the day of obara2011-cci779-single  [ASSUMED - verify: "
            "behavioural time points are not in the abstract; chosen to span the expected peak and the return "
            "to baseline]"
        ) in lines
        assert (
            "22 of 29 values are assumed (marked ASSUMED - verify): verify each before use."
            == lines[-1]
        )

    @pytest.mark.parametrize("protocol_id", SHIPPED)
    def test_every_assumed_value_is_marked(self, run, protocol_id, reference):
        """
        Every assumed value is printed with 'ASSUMED - verify': the protocol's own, and the
        regimen values shown with each treatment (dose, route, doses, interval).
        """
        protocol = load_protocol(protocol_id)
        own, _ = assumed_count(protocol)
        shown = {"dose", "route", "doses", "interval"}
        of_regimens = sum(
            len(shown & set(reference.find_regimen(r).assumed_fields)) for r in protocol.regimens
        )

        _, out, _ = run("show", protocol_id)

        assert own + of_regimens == out.count("[ASSUMED - verify: ")

    def test_protocol_file(self, run, tmp_path):
        """A protocol file path works too, with the file stem as id."""
        path = tmp_path / "mine.toml"
        path.write_text(protocol_text(), encoding="utf-8")

        code, out, _ = run("show", str(path))

        assert 0 == code
        assert out.startswith("Protocol mine (version 1): ")

    def test_unknown(self, run):
        """An unknown id is one line naming the argument, with suggestions, and exit 2."""
        code, out, err = run("show", "obara2011-torin1-4dialy")
        line = one_line_error(err)

        assert (2, "") == (code, out)
        assert line.startswith(
            "planner: error: ID: unknown protocol or regimen 'obara2011-torin1-4dialy'; did you mean "
            "'obara2011-torin1-4daily'"
        )

    def test_no_numbers_with_trailing_zero_or_micro_sign(self, run):
        """Printed numbers follow ISMP: 'mcg' and 'mcL', never the micro sign, never '.0 '."""
        _, out, _ = run("show", "xu2014-rapamycin-it")

        assert "\N{MICRO SIGN}" not in out
        assert "\N{GREEK SMALL LETTER MU}" not in out
        assert ".0 " not in out
        assert (
            "  dose volume   10 mcL  [ASSUMED - verify: not on record; recalled as about 10 mcL per intrathecal injection, unverified]"
            in out
        )


class TestCheck:
    """planner check: exit 0 clean, 1 for an error-level finding, 2 for an invalid file."""

    @pytest.mark.parametrize("protocol_id", SHIPPED)
    def test_shipped_clean(self, run, protocol_id):
        """Every shipped protocol file checks with exit 0."""
        code, out, err = run("check", str(PROTOCOLS / f"{protocol_id}.toml"))

        assert (0, "") == (code, err)
        assert out.endswith("No error-level findings.\n")

    def test_unknown_id_names_file(self, run):
        """An id that is no shipped protocol: exit 2, the line names the FILE argument."""
        code, _, err = run("check", "obara2011-cci779-acut")

        assert 2 == code
        assert one_line_error(err).startswith(
            "planner: error: FILE: unknown protocol 'obara2011-cci779-acut'; did you mean "
            "'obara2011-cci779-acute'"
        )

    def test_text(self, run):
        """25 mg/kg at 10 mL/kg for the 20 g reference mouse: 0.5 mg in 0.2 mL of 2.5 mg/mL."""
        code, out, _ = run("check", "obara2011-cci779-acute")

        assert 0 == code
        assert [
            "obara2011-cci779-acute: valid protocol obara2011-cci779-acute (version 1), 1 treatment(s), 5 groups, "
            "40 animals",
            # 20 rules: i.p. good practice, maximum and daily total; ethanol, Tween-80 and
            # PEG-400 shares; weight warning and stop ranges; the limit dose and the documented-
            # dose factor; weight change warning and stop; the 8 syringes on record.
            "  volume limits: Diehl et al. 2001 (planner's default); 20 rules applied, listed with "
            "their sources by --json and in the plan",
            "  obara2011-cci779-single: 25 mg/kg i.p. for a 20 g mouse (reference weight): 0.5 mg in 0.2 mL "
            "(10 mL/kg) of 2.5 mg/mL",
            "INFO (obara2011-cci779-single): no solubility of temsirolimus in ethanol (absolute) is on "
            "record: check that 50 mg/mL (the stock in the first component) dissolves before dosing",
            "INFO (obara2011-cci779-acute): 22 of 29 values are assumed, not stated by the source: verify each "
            "before use ('planner show obara2011-cci779-acute' lists them)",
            "No error-level findings.",
        ] == out.splitlines()

    def test_json(self, run, plain_pint):
        """Torin1 acute: 20 mg/kg x 20 g = 0.4 mg; 10 mL/kg x 20 g = 0.2 mL; 0.4 / 0.2 = 2 mg/mL."""
        code, out, _ = run("check", "obara2011-torin1-acute", "--json")
        data = json.loads(out)
        (treatment,) = data["treatments"]

        assert 0 == code
        assert ("obara2011-torin1-acute", 1, True) == (
            data["protocol"],
            data["version"],
            data["valid"],
        )
        assert {"value": 20, "unit": "g"} == treatment["weight"]
        assert {"value": 0.4, "unit": "mg"} == treatment["amount"]
        assert {"value": 0.2, "unit": "mL"} == treatment["volume"]
        assert {"value": 2, "unit": "mg/mL"} == treatment["concentration"]
        assert ["no-solubility-on-record", "assumed-values"] == [
            f["code"] for f in data["findings"]
        ]

    def test_intrathecal(self, run):
        """Xu: 10 mcg morphine in 10 mcL (1 mg/mL); 1 mcg rapamycin in 10 mcL (0.1 mg/mL); a 150 g rat."""
        _, out, _ = run("check", "xu2014-rapamycin-it")
        lines = out.splitlines()

        assert (
            "  xu2014-morphine-it-repeated: 10 mcg i.t. for a 150 g rat (reference weight): 10 mcg in 10 mcL "
            "of 1 mg/mL"
        ) == lines[2]
        assert (
            "  xu2014-rapamycin-it-prevention: 1 mcg i.t. for a 150 g rat (reference weight): 1 mcg in 10 mcL "
            "of 0.1 mg/mL"
        ) == lines[3]

    def test_dose_differs_exit_1(self, run, tmp_path):
        """A dose that differs from the regimen's is an error finding: exit 1, the finding on stdout."""
        path = tmp_path / "mine.toml"
        path.write_text(
            protocol_text().replace('dose = { value = "25 mg/kg"', 'dose = { value = "250 mg/kg"'),
            encoding="utf-8",
        )

        code, out, err = run("check", str(path))

        assert (1, "") == (code, err)
        assert (
            "ERROR (obara2011-cci779-single): dose 250 mg/kg differs from the 25 mg/kg of regimen "
            "obara2011-cci779-single [Obara et al. 2011, abstract]"
        ) in out.splitlines()
        assert (
            "1 error(s): the protocol does not match its regimen(s) or a limit."
            == out.splitlines()[-1]
        )

    def test_schedule_differs_exit_1(self, run, tmp_path):
        """Two dosing days for a single-dose regimen: exit 1."""
        path = tmp_path / "mine.toml"
        old = 'days = { value = [7], status = "assumed", source = "the day after surgery'
        assert old in protocol_text()
        path.write_text(
            protocol_text().replace(
                old, 'days = { value = [7, 8], status = "assumed", source = "the day after surgery'
            ),
            encoding="utf-8",
        )

        code, out, _ = run("check", str(path), "--json")
        errors = [f for f in json.loads(out)["findings"] if f["level"] == "error"]

        assert 1 == code
        assert [
            {
                "level": "error",
                "code": "schedule-differs-from-regimen",
                "subject": "obara2011-cci779-single",
                "message": "the timeline gives 2 dose(s) of obara2011-cci779-single; the regimen has 1",
                "source": "regimen obara2011-cci779-single",
            }
        ] == errors

    def test_invalid_file_exit_2(self, run, tmp_path):
        """An invalid file: exit 2, one stderr line with file, key path, expected and found; nothing on stdout."""
        path = tmp_path / "mine.toml"
        path.write_text(
            protocol_text().replace("n = { value = 8,", 'n = { value = "eight",', 1),
            encoding="utf-8",
        )

        code, out, err = run("check", str(path))

        assert (2, "") == (code, out)
        assert (
            f"planner: error: {path}: group[0].n.value: expected a whole number; got 'eight'"
            == one_line_error(err)
        )

    def test_unknown_regimen_exit_2(self, run, tmp_path):
        """A protocol naming an unknown regimen: exit 2 with the key path."""
        path = tmp_path / "mine.toml"
        path.write_text(
            protocol_text().replace(
                'regimen = "obara2011-cci779-single"\ndose', 'regimen = "nope"\ndose'
            ),
            encoding="utf-8",
        )

        code, _, err = run("check", str(path))

        assert 2 == code
        assert one_line_error(err).startswith(
            f"planner: error: {path}: treatment[0].regimen: unknown regimen 'nope'; known: "
        )

    def test_missing_file_exit_2(self, run, tmp_path):
        """A missing file: exit 2, 'no such file'."""
        path = tmp_path / "nothing.toml"

        code, _, err = run("check", str(path))

        assert 2 == code
        assert f"planner: error: {path}: no such file" == one_line_error(err)

    def test_not_toml_exit_2(self, run, tmp_path):
        """A file that is not TOML: exit 2, one line."""
        path = tmp_path / "mine.toml"
        path.write_text("title = \n[[[", encoding="utf-8")

        code, _, err = run("check", str(path))

        assert 2 == code
        assert one_line_error(err).startswith(f"planner: error: {path}: not valid TOML: ")


class TestNew:
    """planner new writes a starter protocol and never overwrites."""

    def test_from_protocol(self, run, tmp_path, monkeypatch):
        """In the current folder: NEW_ID.toml, which then checks clean."""
        monkeypatch.chdir(tmp_path)

        code, out, err = run("new", "mylab-acute", "--from", "obara2011-cci779-acute")

        assert (0, "") == (code, err)
        assert [
            "wrote mylab-acute.toml: protocol mylab-acute, from protocol obara2011-cci779-acute",
            "  22 of 29 values are assumed: edit them, then run 'planner check mylab-acute.toml'",
        ] == out.splitlines()
        assert 0 == run("check", "mylab-acute.toml")[0]

    def test_from_regimen_out(self, run, tmp_path):
        """With --out, from a regimen: the file is in DIR and checks clean."""
        code, out, _ = run(
            "new", "rev", "--from", "xu2014-rapamycin-it-reversal", "--out", str(tmp_path)
        )

        assert 0 == code
        assert out.startswith(
            f"wrote {tmp_path / 'rev.toml'}: protocol rev, from regimen xu2014-rapamycin-it-reversal\n"
        )
        assert 0 == run("check", str(tmp_path / "rev.toml"))[0]

    def test_exists_exit_2(self, run, tmp_path):
        """An existing file: exit 2, one line, the file untouched."""
        path = tmp_path / "mine.toml"
        path.write_text("mine", encoding="utf-8")

        code, out, err = run(
            "new", "mine", "--from", "obara2011-cci779-acute", "--out", str(tmp_path)
        )

        assert (2, "") == (code, out)
        assert (
            f"planner: error: {path}: already exists; planner new never overwrites: choose another NEW_ID or "
            "move the file"
        ) == one_line_error(err)
        assert "mine" == path.read_text(encoding="utf-8")
        assert ["mine.toml"] == os.listdir(tmp_path)

    def test_unknown_source_exit_2(self, run, tmp_path):
        """An unknown --from: exit 2, naming the option; nothing written."""
        code, _, err = run("new", "mine", "--from", "nothing", "--out", str(tmp_path))

        assert 2 == code
        assert one_line_error(err).startswith(
            "planner: error: --from: unknown protocol or regimen 'nothing'."
        )
        assert [] == os.listdir(tmp_path)

    def test_out_is_a_file_exit_2(self, run, tmp_path):
        """--out naming a file, not a folder, says so (it once said 'no such folder')."""
        target = tmp_path / "notes.txt"
        target.write_text("keep", encoding="utf-8")

        code, _, err = run("new", "mine", "--from", "obara2011-cci779-acute", "--out", str(target))

        assert 2 == code
        assert f"planner: error: {target}: is not a folder" == one_line_error(err)
        assert "keep" == target.read_text(encoding="utf-8")

    def test_bad_id_exit_2(self, run, tmp_path):
        """A NEW_ID that is not a file name: exit 2, one line."""
        code, _, err = run(
            "new", "../escape", "--from", "obara2011-cci779-acute", "--out", str(tmp_path)
        )

        assert 2 == code
        assert (
            "planner: error: NEW_ID: got '../escape'; expected an id of at most 100 letters, digits, "
            "'.', '_' and '-', starting with a letter or digit, e.g. 'mylab-cci779-acute'"
        ) == one_line_error(err)

    def test_missing_from_exit_2(self, run):
        """--from is required: a usage error on one line."""
        code, _, err = run("new", "mine")

        assert 2 == code
        one_line_error(err)


class TestDocs:
    """Every new command has help text and a section in README.md."""

    @pytest.mark.parametrize("command", COMMANDS)
    def test_help(self, run, command):
        """``planner COMMAND --help`` exits 0 and shows the command's docstring."""
        code, out, _ = run(command, "--help")
        help_text = typer.main.get_command(cli.app).commands[command].help

        assert 0 == code
        assert help_text
        assert " ".join(help_text.split()[:6]) in " ".join(out.split())

    @pytest.mark.parametrize("command", COMMANDS)
    def test_in_readme(self, command):
        """README.md has a '### planner COMMAND' section."""
        assert f"### planner {command}\n" in README.read_text(encoding="utf-8")

    def test_protocols_readme_lists_every_protocol(self):
        """protocols/README.md names every shipped protocol."""
        text = (PROTOCOLS / "README.md").read_text(encoding="utf-8")

        for protocol_id in SHIPPED:
            assert f"`{protocol_id}`" in text

    def test_readme_example_matches(self, run):
        """The README's planner check example is what planner prints."""
        _, out, _ = run("check", "obara2011-cci779-acute")

        assert out in README.read_text(encoding="utf-8")


class TestCheckTable:
    """On a terminal, planner check prints its findings as a table (rich), wrapped to width."""

    def test_table(self, tmp_path):
        """A 40 g mouse: a weight-outside-range row with its level, code, subject and source."""
        import io

        from rich.console import Console

        from planner import api, cli

        weights = tmp_path / "w.csv"
        rows = [f"M0{n},25 g" for n in range(1, 7)] + ["M07,40 g"]
        weights.write_text("animal,weight\n" + "\n".join(rows) + "\n", encoding="utf-8")
        result = api.check_protocol("obara2011-cci779-acute", weights=weights)
        out = io.StringIO()

        cli._print_check_table(result, Console(file=out, width=500, color_system=None))
        lines = out.getvalue().splitlines()
        cells = [
            [cell.strip() for cell in line.strip("│").split("│")]
            for line in lines
            if line.startswith("│")
        ]

        assert lines[0].startswith("obara2011-cci779-acute: valid protocol")
        assert ["Level", "Code", "Subject", "Finding", "Source"] == [
            c.strip() for c in next(line for line in lines if "Level" in line).strip("┃").split("┃")
        ]
        assert [
            "WARNING",
            "weight-outside-range",
            "animal M07",
            "weight 40 g is outside the plausible range for mouse, 18 g to 35 g: check the weighing",
            "assumed (adult mice of ordinary strains weigh 18-35 g; planner's warning band, not a "
            "published one)",
        ] in cells
        assert "No error-level findings." == lines[-1]

    def test_terminal_gets_the_table_and_a_pipe_the_lines(self, monkeypatch, capsys):
        """check on a terminal prints box-drawn rows; piped, one finding a line."""
        from planner import cli
        from planner.cli import commands

        class _Tty:
            def __init__(self, stream):
                self.stream = stream

            def isatty(self):
                return True

            def __getattr__(self, name):
                return getattr(self.stream, name)

        with pytest.raises(SystemExit):
            cli.main(["check", "obara2011-cci779-acute"])
        piped = capsys.readouterr().out
        monkeypatch.setattr(cli.sys, "stdout", _Tty(cli.sys.stdout))
        monkeypatch.setattr(commands, "_is_terminal", lambda stream: True)
        with pytest.raises(SystemExit):
            cli.main(["check", "obara2011-cci779-acute"])
        table = capsys.readouterr().out

        assert "INFO (obara2011-cci779-acute): 22 of 29 values are assumed" in piped
        assert "│" not in piped
        assert "assumed-values" in table
        assert "│" in table
