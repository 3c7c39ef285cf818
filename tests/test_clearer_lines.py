"""
Bad input gets one line that says what was wrong, where and what was expected, and no input can
exhaust planner (issue 14, items 4 and 6): impossible dates, stdin for weights, file names that
are no id, over-long values, oversized and deeply nested files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import assert_one_line_error, run

CHRONIC = "obara2011-cci779-chronic"


@pytest.fixture(name="run")
def _run(capsys: pytest.CaptureFixture[str]):
    def _call(*args: str) -> tuple[int, str, str]:
        return run(*args, capsys=capsys)

    return _call


class TestDates:
    @pytest.mark.parametrize(
        ("start", "says"),
        [
            ("2027-02-29", "February 2027 has 28 days, so 2027-02-29 is no day of the calendar"),
            ("2026-04-31", "April 2026 has 30 days, so 2026-04-31 is no day of the calendar"),
            ("2026-3-2", "expected a date written YYYY-MM-DD, e.g. 2026-03-02"),
            ("2026-13-01", "expected a date written YYYY-MM-DD, e.g. 2026-03-02"),
        ],
    )
    def test_impossible_or_misspelt(self, run, start, says):
        """A date the calendar lacks says so; a date written otherwise says how to write it."""
        code, out, err = run("plan", CHRONIC, "--start", start, "--out", "-", "--format", "csv")

        assert (2, "") == (code, out)
        assert says in assert_one_line_error(err)

    def test_leap_day_exists(self, run):
        """2028-02-29 exists (2028 is a leap year): the plan is made."""
        code, _, _ = run("plan", CHRONIC, "--start", "2028-02-29", "--out", "-", "--format", "csv")

        assert 0 == code


class TestInputs:
    def test_weights_from_stdin_not_supported(self, run):
        """--weights - says that standard input is not read, instead of 'no such file'."""
        code, _, err = run("plan", CHRONIC, "--weights", "-", "--out", "-", "--format", "csv")

        assert 2 == code
        assert "weights are not read from standard input" in assert_one_line_error(err)

    def test_file_name_that_is_no_id(self, run, tmp_path):
        """A protocol file named 'my lab.toml' says the file name is no valid id (no regex)."""
        from planner._resources import data_dir

        path = tmp_path / "my lab.toml"
        path.write_text((data_dir("protocols") / f"{CHRONIC}.toml").read_text("utf-8"), "utf-8")

        code, _, err = run("check", str(path))
        line = assert_one_line_error(err)

        assert 2 == code
        assert "the file name gives the protocol id 'my lab', which is not a valid id" in line
        assert "regex" not in line

    def test_long_value_is_cut(self, run):
        """A 5,000-digit dose is repeated as its start and its length, not in full."""
        code, _, err = run(
            "dose", "9" * 5000 + " mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"
        )
        line = assert_one_line_error(err)

        assert 2 == code
        assert "... (5,006 characters)" in line
        assert len(line) < 600


class TestBoundedInputs:
    def test_endless_weights_file(self, run):
        """/dev/zero as weights: refused after 64 MiB, not read until memory runs out."""
        code, _, err = run("plan", CHRONIC, "--weights", "/dev/zero", "--out", "-")

        assert 2 == code
        assert "is larger than 64 MiB" in assert_one_line_error(err)

    def test_oversized_toml(self, run, tmp_path):
        """A protocol file over 1 MiB is refused before it is parsed."""
        path = tmp_path / "big.toml"
        path.write_text("# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")

        code, _, err = run("check", str(path))

        assert 2 == code
        assert "is larger than 1024 KiB" in assert_one_line_error(err)

    @pytest.mark.parametrize(
        "text",
        [
            "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
            "a = " + "{b = " * 2_000 + "1" + "}" * 2_000 + "\n",
        ],
    )
    def test_deep_nesting(self, run, tmp_path, text):
        """Brackets nested 2,000 or 100,000 deep: one line, not a RecursionError."""
        path = tmp_path / "deep.toml"
        path.write_text(text, encoding="utf-8")

        code, _, err = run("check", str(path))

        assert 2 == code
        assert "nests tables or lists more than 20 deep" in assert_one_line_error(err)

    def test_brackets_in_strings_do_not_count(self, tmp_path):
        """Brackets inside strings and comments are text, not nesting."""
        from planner.knowledge.toml_files import read_toml

        path = tmp_path / "ok.toml"
        path.write_text('a = "' + "[" * 50 + '"\n# ' + "{" * 50 + "\nb = [[1]]\n", "utf-8")

        assert {"a": "[" * 50, "b": [[1]]} == read_toml(Path(path))


class TestBoundedWork:
    """Whatever check accepts is planned in bounded time and memory (issue 14, item 4)."""

    def _protocol(self, tmp_path, old: str, new: str) -> Path:
        from planner._resources import data_dir

        text = (data_dir("protocols") / f"{CHRONIC}.toml").read_text("utf-8")
        assert old in text
        path = tmp_path / "mine.toml"
        path.write_text(text.replace(old, new, 1), "utf-8")
        return path

    def test_day_beyond_three_years(self, run, tmp_path):
        """A timeline day of 1,000,000,000 (it exhausted memory in html) is refused by check."""
        path = self._protocol(tmp_path, "value = [7, 8, 9, 10]", "value = [7, 8, 9, 1000000000]")

        code, _, err = run("check", str(path))

        assert 2 == code
        assert "expected study days from -365 to 1,095" in assert_one_line_error(err)

    def test_last_allowed_day(self, run, tmp_path):
        """Day 1,095 (three years) is accepted by the day rule (the schedule check may warn)."""
        path = self._protocol(tmp_path, "value = [7, 8, 9, 10]", "value = [7, 8, 9, 1095]")

        code, _, _ = run("check", str(path))

        assert code in (0, 1)

    def test_too_many_doses(self, run, tmp_path):
        """40 animals dosed 24 times a day for 600 days: 576,000 doses, over 500,000: refused
        naming timeline (the bound comes before the regimen's schedule is compared)."""
        days = ", ".join(str(d) for d in range(7, 607))
        times = ", ".join(f'"{h:02d}:00"' for h in range(24))
        path = self._protocol(
            tmp_path,
            'days = { value = [7, 8, 9, 10], status = "assumed", source = "4 daily doses',
            f'days = {{ value = [{days}], status = "assumed", source = "4 daily doses',
        )
        text = path.read_text("utf-8")
        dosing = 'times = { value = ["09:00"], status = "assumed", source = "not in the abstract; the same'
        assert dosing in text
        path.write_text(text.replace(dosing, dosing.replace('"09:00"', times)), "utf-8")

        code, _, err = run("check", str(path))
        line = assert_one_line_error(err)

        assert 2 == code
        assert "the plan would hold 576,000 doses (40 animals x 14,400 administrations)" in line

    def test_printable_plan_bounded(self, run, tmp_path):
        """A weights file of 1,300 mice x 4 doses = 5,200 doses: csv is written, html refused
        with the alternative named (at most 5,000 doses print)."""
        rows = ["animal,weight"] + [f"M{n:04d},25 g" for n in range(1, 1301)]
        weights = tmp_path / "w.csv"
        weights.write_text("\n".join(rows) + "\n", "utf-8")

        code_csv, out_csv, _ = run(
            "plan",
            CHRONIC,
            "--weights",
            str(weights),
            "--seed",
            "1",
            "--format",
            "csv",
            "--out",
            "-",
        )
        code_html, out_html, err = run(
            "plan",
            CHRONIC,
            "--weights",
            str(weights),
            "--seed",
            "1",
            "--format",
            "html",
            "--out",
            "-",
        )

        assert (0, 5201) == (code_csv, len(out_csv.splitlines()))
        assert (2, "") == (code_html, out_html)
        assert "expected csv or json for a plan of 5,200 doses" in assert_one_line_error(err)

    def test_long_animal_id(self, run, tmp_path):
        """A 10,000-character animal id (minutes in PDF) is refused naming row and column (at most 64)."""
        weights = tmp_path / "w.csv"
        weights.write_text("animal,weight\n" + "M" * 10_000 + ",25 g\n", "utf-8")

        code, _, err = run("plan", CHRONIC, "--weights", str(weights), "--out", "-")
        line = assert_one_line_error(err)

        assert 2 == code
        assert "row 2, column animal: 10,000 characters; expected at most 64" in line
