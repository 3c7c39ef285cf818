"""
Tests for ``planner plan``: the files it writes, its refusals (exit 2, nothing written), the
CSV and JSON contracts with hand-worked numbers, and the delayed progress bar.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner import cli
from tests.test_cli import assert_one_line_error, run

CHRONIC = "obara2011-cci779-chronic"


@pytest.fixture(name="run")
def _run(capsys: pytest.CaptureFixture[str]):
    """``run(*args) -> (code, out, err)`` bound to this test's capsys."""

    def _call(*args: str) -> tuple[int, str, str]:
        return run(*args, capsys=capsys)

    return _call


@pytest.fixture(name="here")
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _weights(folder: Path, rows: list[str] | None = None) -> Path:
    rows = rows or [f"M{n:02d},25 g,0,{(n - 1) // 4 + 1},male" for n in range(1, 41)]
    path = folder / "weights.csv"
    path.write_text("animal,weight,day,cage,sex\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


class TestWriting:
    def test_default_file_name(self, run, here):
        """Without --out, the plan is written as PROTOCOL_ID.html in the current folder."""
        code, _, err = run("plan", CHRONIC, "--seed", "1")

        assert 0 == code
        assert (here / f"{CHRONIC}.html").is_file()
        assert f"planner: wrote {CHRONIC}.html (40 animals, 160 doses, seed 1)" in err

    @pytest.mark.parametrize("fmt", ["md", "csv", "json"])
    def test_format_is_the_extension(self, run, here, fmt):
        """--format md/csv/json writes PROTOCOL_ID.md/.csv/.json."""
        code, _, _ = run("plan", CHRONIC, "--seed", "1", "--format", fmt)

        assert 0 == code
        assert (here / f"{CHRONIC}.{fmt}").is_file()

    def test_existing_file_is_never_overwritten(self, run, here):
        """An existing output file is refused with exit 2 and left as it was."""
        target = here / f"{CHRONIC}.csv"
        target.write_text("keep me", encoding="utf-8")

        code, _, err = run("plan", CHRONIC, "--seed", "1", "--format", "csv")

        assert 2 == code
        assert (
            f"planner: error: {CHRONIC}.csv: already exists; use --force to overwrite it"
            == assert_one_line_error(err)
        )
        assert "keep me" == target.read_text(encoding="utf-8")

    def test_force_overwrites(self, run, here):
        """With --force the existing file is replaced by the plan."""
        target = here / "plan.csv"
        target.write_text("old", encoding="utf-8")

        code, _, _ = run(
            "plan", CHRONIC, "--seed", "1", "--format", "csv", "--out", "plan.csv", "--force"
        )

        assert 0 == code
        assert target.read_text(encoding="utf-8").startswith("animal,cage,sex,group,code")

    def test_missing_folder(self, run, here):
        """An output folder that does not exist is refused, nothing is created."""
        code, _, err = run("plan", CHRONIC, "--seed", "1", "--out", "no/such/plan.html")

        assert 2 == code
        assert "does not exist" in assert_one_line_error(err)
        assert [] == list(here.iterdir())

    def test_stdout(self, run, here):
        """--out - writes the document to stdout and no file."""
        code, out, _ = run("plan", CHRONIC, "--seed", "1", "--format", "json", "--out", "-")

        assert 0 == code
        assert CHRONIC == json.loads(out)["protocol"]
        assert [] == list(here.iterdir())

    def test_seed_is_reported_when_not_given(self, run, here):
        """Without --seed, the seed used is printed so that the plan can be made again."""
        code, out, err = run("plan", CHRONIC, "--format", "json", "--out", "-")
        seed = json.loads(out)["seed"]

        assert 0 == code
        assert f"give --seed {seed} to make the same plan again" in err

    def test_same_seed_same_bytes(self, run, here):
        """Two runs with the same seed write identical JSON."""
        _, first, _ = run("plan", CHRONIC, "--seed", "5", "--format", "json", "--out", "-")
        _, second, _ = run("plan", CHRONIC, "--seed", "5", "--format", "json", "--out", "-")

        assert first == second

    def test_protocol_file(self, run, here, reference):
        """A protocol given as a file path is planned, named after the file."""
        from planner._resources import data_dir

        source = data_dir("protocols") / f"{CHRONIC}.toml"
        copy = here / "my-copy.toml"
        copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")

        code, _, _ = run("plan", str(copy), "--seed", "1", "--format", "csv")

        assert 0 == code
        assert (here / "my-copy.csv").is_file()

    def test_error_finding_exits_1_and_writes(self, run, here):
        """A dose that differs from the regimen is an error: the plan is written, exit 1."""
        from planner._resources import data_dir

        text = (data_dir("protocols") / f"{CHRONIC}.toml").read_text(encoding="utf-8")
        changed = here / "changed.toml"
        changed.write_text(
            text.replace('dose = { value = "25 mg/kg"', 'dose = { value = "30 mg/kg"'),
            encoding="utf-8",
        )

        code, _, err = run("plan", str(changed), "--seed", "1", "--format", "json")

        assert 1 == code
        assert "planner: error: dose 30 mg/kg differs from the 25 mg/kg" in err
        assert (here / "changed.json").is_file()


class TestRefusals:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (
                ("--format", "docx"),
                "planner: error: --format: got 'docx'; expected one of html, pdf, md, csv, json",
            ),
            (
                ("--start", "2026-3-2"),
                "planner: error: --start: got '2026-3-2'; expected a date written YYYY-MM-DD, "
                "e.g. 2026-03-02",
            ),
            (
                ("--start", "2026-02-30"),
                "planner: error: --start: got '2026-02-30'; expected a date that exists: February "
                "2026 has 28 days, so 2026-02-30 is no day of the calendar",
            ),
            (("--seed", "-1"), "planner: error: --seed: got '-1'; expected a seed of 0 or more"),
            (
                ("--stratify", "colour"),
                "planner: error: --stratify: got 'colour'; expected one of cage, sex, weight",
            ),
            (
                ("--paper", "a5"),
                "planner: error: --paper: got 'a5'; expected one of a4, letter",
            ),
        ],
    )
    def test_bad_option(self, run, here, args, message):
        """A bad option value is one line naming the option; nothing is written."""
        code, _, err = run("plan", CHRONIC, "--seed", "1", *args)

        assert 2 == code
        assert message == assert_one_line_error(err)
        assert [] == list(here.iterdir())

    def test_unknown_protocol(self, run, here):
        """An unknown protocol id is refused with the known ids."""
        code, _, err = run("plan", "obara2011-cci779-chronik")

        assert 2 == code
        assert "unknown protocol 'obara2011-cci779-chronik'; did you mean" in assert_one_line_error(
            err
        )

    def test_bad_weight_row(self, run, here):
        """A weight without a unit is refused naming the file, row and column."""
        weights = _weights(here, ["M01,25 g,0,1,male", "M02,25,0,1,male"])

        code, _, err = run("plan", CHRONIC, "--seed", "1", "--weights", str(weights))
        line = assert_one_line_error(err)

        assert 2 == code
        assert line.startswith(f"planner: error: {weights}: row 3, column weight:")
        assert not (here / f"{CHRONIC}.html").exists()

    def test_stratify_by_cage_needs_cages(self, run, here):
        """Stratifying by cage without a cage column is refused."""
        weights = here / "w.csv"
        weights.write_text(
            "animal,weight\n" + "\n".join(f"M{n:02d},25 g" for n in range(1, 41)) + "\n",
            encoding="utf-8",
        )

        code, _, err = run(
            "plan", CHRONIC, "--seed", "1", "--weights", str(weights), "--stratify", "cage"
        )

        assert 2 == code
        assert "--stratify" in assert_one_line_error(err)


class TestCsv:
    def test_rows_and_unrounded_values(self, run, here):
        """25 g mice: 0.25 mL each, 0.625 mg for drug rows and 0 for vehicle, unrounded."""
        weights = _weights(here)
        code, out, _ = run(
            "plan",
            CHRONIC,
            "--seed",
            "1",
            "--weights",
            str(weights),
            "--format",
            "csv",
            "--out",
            "-",
        )
        rows = list(csv.DictReader(io.StringIO(out)))

        assert 0 == code
        assert 160 == len(rows)
        assert {"0.25"} == {r["volume_mL"] for r in rows}
        assert {("no", "0.625", "2.5"), ("yes", "0", "0")} == {
            (r["vehicle"], r["amount"], r["concentration"]) for r in rows
        }

    def test_start_date_column(self, run, here):
        """With --start 2026-03-02 (day 0), the first dose day 7 is 2026-03-09."""
        code, out, _ = run(
            "plan", CHRONIC, "--seed", "1", "--start", "2026-03-02", "--format", "csv", "--out", "-"
        )
        first = next(csv.DictReader(io.StringIO(out)))

        assert 0 == code
        assert ("7", "2026-03-09", "09:00") == (first["day"], first["date"], first["time"])

    def test_formula_injection(self, run, here):
        """Ids and cages that a spreadsheet would run as formulas are written with a leading
        apostrophe (OWASP); ordinary text and the JSON keep them as given."""
        payloads = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)"]
        quoted = ['"' + p.replace('"', '""') + '"' for p in payloads]  # CSV quoting
        rows = [f"{q},25 g,0,=cage,male" for q in quoted]
        rows += [f"M{n:02d},25 g,0,C2,male" for n in range(1, 37)]
        weights = _weights(here, rows)
        args = ("plan", CHRONIC, "--seed", "1", "--weights", str(weights), "--out", "-")
        code, out, _ = run(*args, "--format", "csv")
        _, text, _ = run(*args, "--format", "json")
        cells = {(r["animal"], r["cage"]) for r in csv.DictReader(io.StringIO(out))}

        assert 0 == code
        assert {("'" + p, "'=cage") for p in payloads} <= cells
        assert ("M01", "C2") in cells
        assert set(payloads) <= {a["id"] for a in json.loads(text)["animals"]}


class TestJson:
    def test_contract(self, run, here):
        """The JSON has protocol, animals with id and group, and doses with quantity objects."""
        weights = _weights(here)
        _, out, _ = run(
            "plan",
            CHRONIC,
            "--seed",
            "1",
            "--weights",
            str(weights),
            "--format",
            "json",
            "--out",
            "-",
        )
        data = json.loads(out)
        dose = next(d for d in data["doses"] if not d["vehicle"])

        assert CHRONIC == data["protocol"]
        assert 40 == len(data["animals"])
        assert {"id", "group"} <= set(data["animals"][0])
        assert {"value": 0.625, "unit": "mg"} == dose["amount"]
        assert {"value": 0.25, "unit": "mL"} == dose["volume"]
        assert {"value": 2.5, "unit": "mg/mL"} == dose["concentration"]
        assert "temsirolimus" == dose["compound"]
        assert 7 == dose["day"]

    def test_placeholder_quantities_are_null(self, run, here):
        """Without weights, amount and volume are null and the concentration is known."""
        _, out, _ = run("plan", CHRONIC, "--seed", "1", "--format", "json", "--out", "-")
        dose = next(d for d in json.loads(out)["doses"] if not d["vehicle"])

        assert (None, None) == (dose["amount"], dose["volume"])
        assert {"value": 2.5, "unit": "mg/mL"} == dose["concentration"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestProgress:
    def test_quiet_before_the_delay(self):
        """Nothing is drawn while the plan has taken less than the delay."""
        stream = _Terminal()
        progress = cli._Progress(stream=stream, delay=1.0, clock=iter([0.0, 0.5]).__next__)

        progress(10, 100)

        assert "" == stream.getvalue()

    def test_bar_after_the_delay(self):
        """After the delay, on a terminal, the bar shows the stage's label."""
        stream = _Terminal()
        times = iter([0.0, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.1, 2.2])
        progress = cli._Progress(stream=stream, delay=1.0, clock=lambda: next(times, 3.0))

        progress.stage("Writing rows")(50, 100)
        progress.close()

        assert "Writing rows" in stream.getvalue()

    def test_no_bar_when_not_a_terminal(self):
        """Output redirected to a file gets no progress bar."""
        stream = io.StringIO()
        progress = cli._Progress(stream=stream, delay=0.0)

        progress(50, 100)

        assert "" == stream.getvalue()


class TestInputsNeverOverwritten:
    """planner plan never writes over its own input, even with --force (issue 14)."""

    @pytest.mark.parametrize("which", ["weights", "protocol", "limits"])
    def test_output_is_an_input(self, run, here, which):
        """--out naming the weights CSV, the protocol file or the limits file: exit 2, one
        line naming the input, and the file is byte for byte as it was."""
        from planner._resources import data_dir

        weights = _weights(here)
        protocol = here / "mine.toml"
        protocol.write_text(
            (data_dir("protocols") / f"{CHRONIC}.toml").read_text(encoding="utf-8"), "utf-8"
        )
        limits = here / "limits.toml"
        limits.write_text(
            (data_dir("seeds") / "diehl2001-volumes.toml")
            .read_text(encoding="utf-8")
            .replace('key = "diehl2001"', 'key = "mylab"'),
            "utf-8",
        )
        target = {"weights": weights, "protocol": protocol, "limits": limits}[which]
        before = target.read_bytes()

        code, out, err = run(
            "plan",
            str(protocol),
            "--weights",
            str(weights),
            "--limits",
            str(limits),
            "--seed",
            "1",
            "--format",
            "csv",
            "--out",
            str(target),
            "--force",
        )

        assert (2, "") == (code, out)
        assert "is an input of this command" in assert_one_line_error(err)
        assert before == target.read_bytes()
