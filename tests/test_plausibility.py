"""
Nothing implausible reaches the bench (issue 14, item 1): a weight no animal of the species can
have, a change between weighings beyond the stop threshold, or a dose no animal should get is
an error that stops that animal's dose ("DO NOT DOSE" where the volume would be), while the
other animals keep theirs; milder cases stay warnings naming their own animal.

Bounds (seeds/fda2005-km.toml and planner/checks, all printed with their source):
mouse typical 18-35 g (warning outside), plausible 15-45 g (error outside); rat typical
200-600 g, plausible 150-800 g; weight change warning above 10 %, error above 20 %; dose per
body mass error above 2,000 mg/kg (OECD limit dose) and above 10 x the highest documented dose
of the compound (temsirolimus: 25 mg/kg, Obara et al. 2011). Every expected number is worked
by hand in the test.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner import cli

CHRONIC = "obara2011-cci779-chronic"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        cli.main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def dose_json(capsys, dose: str, weight: str, concentration: str, *extra: str):
    """``planner dose --json``: (exit status, the parsed object)."""
    code, out, err = run(
        capsys, "dose", dose, "--weight", weight, "--concentration", concentration, "--json", *extra
    )
    assert "" == err
    return code, json.loads(out)


def levels(data) -> dict[str, str]:
    """The findings of a JSON answer, code -> level."""
    return {f["code"]: f["level"] for f in data["findings"]}


class TestDoseWeight:
    """``planner dose`` with mouse and rat weights at, just inside and just outside each bound."""

    @pytest.mark.parametrize(
        ("weight", "expected"),
        [
            ("14.9 g", {"weight-implausible": "error"}),
            ("15 g", {"weight-outside-range": "warning"}),
            ("17.9 g", {"weight-outside-range": "warning"}),
            ("18 g", {}),
            ("35 g", {}),
            ("35.1 g", {"weight-outside-range": "warning"}),
            ("45 g", {"weight-outside-range": "warning"}),
            ("45.1 g", {"weight-implausible": "error"}),
            ("2.38 g", {"weight-implausible": "error"}),  # a decimal slip for 23.8 g
        ],
    )
    def test_mouse_bounds(self, capsys, weight, expected):
        """Warning outside 18-35 g, error outside 15-45 g, bounds included (25 mg/kg at
        2.5 mg/mL is 10 mL/kg: no volume finding at any of these weights)."""
        code, data = dose_json(capsys, "25 mg/kg", weight, "2.5 mg/mL")

        assert (expected, 1 if "error" in expected.values() else 0) == (levels(data), code)

    def test_mouse_of_22_kg(self, capsys):
        """A '22 kg' mouse (a unit slip for 22 g) is stopped: exit 1, and the text prints no
        volume, only DO NOT DOSE (22,000 g x 25 mg/kg / 2.5 mg/mL would be 220 mL)."""
        code, out, _ = run(
            capsys, "dose", "25 mg/kg", "--weight", "22 kg", "--concentration", "2.5 mg/mL"
        )
        volume_line = next(line for line in out.splitlines() if line.startswith("  volume  "))

        assert (1, "  volume         DO NOT DOSE: reweigh") == (code, volume_line)
        assert "220 mL" not in volume_line
        assert "measured with" not in out

    def test_warning_keeps_the_volume(self, capsys):
        """At 15 g (a warning) the volume is printed: 25 mg/kg x 0.015 kg = 0.375 mg;
        / 2.5 mg/mL = 0.15 mL."""
        code, out, _ = run(
            capsys, "dose", "25 mg/kg", "--weight", "15 g", "--concentration", "2.5 mg/mL"
        )

        assert 0 == code
        assert "  volume         0.15 mL (10 mL/kg)" in out.splitlines()

    @pytest.mark.parametrize(
        ("weight", "expected"),
        [
            ("149.9 g", {"weight-implausible": "error"}),
            ("150 g", {"weight-outside-range": "warning"}),
            ("199.9 g", {"weight-outside-range": "warning"}),
            ("200 g", {}),
            ("300 g", {}),  # an ordinary adult rat, flagged before (the Km range ended at 270 g)
            ("600 g", {}),
            ("600.1 g", {"weight-outside-range": "warning"}),
            ("800 g", {"weight-outside-range": "warning"}),
            ("800.1 g", {"weight-implausible": "error"}),
        ],
    )
    def test_rat_bounds(self, capsys, weight, expected):
        """Rats: warning outside 200-600 g, error outside 150-800 g (2 mg/kg at 1 mg/mL is
        2 mL/kg, within i.p. good practice for rats, 10 mL/kg)."""
        code, data = dose_json(capsys, "2 mg/kg", weight, "1 mg/mL", "--species", "rat")

        assert (expected, 1 if "error" in expected.values() else 0) == (levels(data), code)


class TestDoseCeiling:
    """A dose per kg above the OECD limit dose, or 10 x the compound's documented dose."""

    def test_unit_slip(self, capsys):
        """'25 mg/g' is 25,000 mg/kg: above the 2,000 mg/kg limit dose, so no volume."""
        code, out, _ = run(
            capsys, "dose", "25 mg/g", "--weight", "27 g", "--concentration", "2.5 mg/mL"
        )

        assert 1 == code
        assert "  volume         DO NOT DOSE: check the dose and its unit" in out.splitlines()
        assert "ERROR: 25,000 mg/kg is above 2,000 mg/kg, the limit dose" in out

    @pytest.mark.parametrize(
        ("dose", "expected"),
        [
            # 2000 mg/kg x 0.027 kg = 54 mg; / 100 mg/mL = 0.54 mL = 20 mL/kg: i.p. good practice
            ("2000 mg/kg", {}),
            # 2000.1 mg/kg: 20.001 mL/kg, just above good practice too
            (
                "2000.1 mg/kg",
                {"dose-above-limit-dose": "error", "volume-above-good-practice": "warning"},
            ),
            ("2 g/kg", {}),  # the same 2000 mg/kg in other units
        ],
    )
    def test_limit_dose(self, capsys, dose, expected):
        """The limit dose, 2,000 mg/kg, passes; just above it is an error (no compound named,
        so only the limit dose applies)."""
        code, data = dose_json(capsys, dose, "27 g", "100 mg/mL")

        assert (expected, 1 if "error" in expected.values() else 0) == (levels(data), code)

    @pytest.mark.parametrize(
        ("dose", "expected"),
        [
            ("250 mg/kg", {}),  # 10 x 25 mg/kg: at the bound
            ("251 mg/kg", {"dose-far-above-documented": "error"}),
            ("25 mg/kg", {}),
        ],
    )
    def test_ten_times_documented(self, capsys, dose, expected):
        """Temsirolimus is documented at 25 mg/kg at most: 250 mg/kg passes, 251 does not.
        (250 mg/kg x 0.027 kg = 6.75 mg; / 25 mg/mL = 0.27 mL, 10 mL/kg.)"""
        code, data = dose_json(capsys, dose, "27 g", "25 mg/mL", "--compound", "temsirolimus")

        assert (expected, 1 if "error" in expected.values() else 0) == (levels(data), code)

    def test_per_animal_dose_against_per_animal_regimens(self, capsys):
        """Morphine i.t. is dosed per animal in the Xu 2014 regimens (10 mcg, itself assumed);
        101 mcg is more than 10 x that, 100 mcg is not. Rat of 300 g, fixed 10 mcL volume."""
        results = {}
        for dose in ("100 mcg", "101 mcg"):
            _, out, _ = run(
                capsys,
                "dose",
                dose,
                "--weight",
                "300 g",
                "--dose-volume",
                "10 uL",
                "--species",
                "rat",
                "--route",
                "it",
                "--compound",
                "morphine",
                "--json",
            )
            results[dose] = "dose-far-above-documented" in levels(json.loads(out))

        assert {"100 mcg": False, "101 mcg": True} == results


def _weights(path: Path, special: dict[str, list[tuple[str, int]]]) -> Path:
    """A weights CSV for the chronic protocol's 40 mice: 25 g on day 0, except ``special``."""
    rows = ["animal,weight,day"]
    for n in range(1, 41):
        animal = f"M{n:02d}"
        for weight, day in special.get(animal, [("25 g", 0)]):
            rows.append(f"{animal},{weight},{day}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _plan_csv(capsys, weights: Path) -> tuple[int, list[dict[str, str]], dict]:
    """The chronic plan as CSV rows and as JSON (exit status of the CSV run)."""
    code, out, _ = run(
        capsys,
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
    _, js, _ = run(
        capsys,
        "plan",
        CHRONIC,
        "--weights",
        str(weights),
        "--seed",
        "1",
        "--format",
        "json",
        "--out",
        "-",
    )
    return code, list(csv.DictReader(io.StringIO(out))), json.loads(js)


class TestPlanStopsOneAnimal:
    """In a plan, an implausible weighing stops that animal's doses and no other's."""

    def test_decimal_slip(self, capsys, tmp_path):
        """M01 weighed '2.38 g': its 4 rows say DO NOT DOSE: reweigh with no drawn-up volume;
        M02 at 25 g keeps 0.25 mL (25 g x 10 mL/kg); exit 1; one error naming M01."""
        code, rows, plan = _plan_csv(capsys, _weights(tmp_path / "w.csv", {"M01": [("2.38 g", 0)]}))
        m01 = [r for r in rows if r["animal"] == "M01"]
        m02 = [r for r in rows if r["animal"] == "M02"]
        errors = [f for f in plan["findings"] if f["level"] == "error"]

        assert 1 == code
        assert [("DO NOT DOSE: reweigh", "")] * 4 == [
            (r["stop"], "" if r["stop"] else r["measured_volume_mL"]) for r in m01
        ]
        assert [("", "0.25")] * 4 == [(r["stop"], r["measured_volume_mL"]) for r in m02]
        assert [("weight-implausible", "animal M01, day 0")] == [
            (f["code"], f["subject"]) for f in errors
        ]

    def test_markdown_sheet_prints_the_stop(self, capsys, tmp_path):
        """The bench sheet's volume cell for M01 reads DO NOT DOSE: reweigh, and no volume."""
        weights = _weights(tmp_path / "w.csv", {"M01": [("2.38 g", 0)]})
        _, out, _ = run(
            capsys,
            "plan",
            CHRONIC,
            "--weights",
            str(weights),
            "--seed",
            "1",
            "--format",
            "md",
            "--out",
            "-",
        )
        m01 = [line for line in out.splitlines() if line.startswith("| M01 |") and " g | " in line]

        assert 4 == len(m01)
        assert all("**DO NOT DOSE: reweigh**" in line for line in m01)
        assert not any("mL" in line for line in m01)

    @pytest.mark.parametrize(
        ("later", "expected_level", "stopped"),
        [
            ("22.5 g", "warning", False),  # -10 %: at the warning bound, no finding at all
            ("22.4 g", "warning", False),  # -10.4 %: a warning, still dosed
            ("20 g", "warning", False),  # -20 %: at the stop bound, a warning
            ("19.9 g", "error", True),  # -20.4 %: stopped
            ("30.1 g", "error", True),  # +20.4 %: stopped
        ],
    )
    def test_weight_change(self, capsys, tmp_path, later, expected_level, stopped):
        """M01 25 g on day 0, then ``later`` on day 8: a change above 10 % warns, above 20 %
        stops M01's doses from day 8 (days 8, 9, 10), naming M01; day 7 uses the day-0 weight."""
        weights = _weights(tmp_path / "w.csv", {"M01": [("25 g", 0), (later, 8)]})
        code, rows, plan = _plan_csv(capsys, weights)
        stops = [(r["day"], r["stop"]) for r in rows if r["animal"] == "M01"]
        changes = [f for f in plan["findings"] if f["code"].startswith("weight-change")]

        expected_stops = [
            ("7", ""),
            *[(d, "DO NOT DOSE: reweigh and examine" if stopped else "") for d in ("8", "9", "10")],
        ]
        assert expected_stops == stops
        if later == "22.5 g":
            assert [] == changes
        else:
            assert [(expected_level, "animal M01, day 8")] == [
                (f["level"], f["subject"]) for f in changes
            ]
        assert (1 if stopped else 0) == code

    def test_a_slip_does_not_stop_the_next_weighing(self, capsys, tmp_path):
        """M01 '2.5 g' on day 0 (a slip) and 25 g on day 8: day 7 is stopped (reweigh), days 8
        to 10 are dosed at 0.25 mL; no weight-change finding compares 25 g with the slip."""
        weights = _weights(tmp_path / "w.csv", {"M01": [("2.5 g", 0), ("25 g", 8)]})
        _, rows, plan = _plan_csv(capsys, weights)
        m01 = [(r["day"], r["stop"], r["measured_volume_mL"]) for r in rows if r["animal"] == "M01"]

        assert ("7", "DO NOT DOSE: reweigh") == m01[0][:2]
        assert [("8", "", "0.25"), ("9", "", "0.25"), ("10", "", "0.25")] == m01[1:]
        assert [] == [f for f in plan["findings"] if f["code"].startswith("weight-change")]


class TestCheckCeiling:
    """``planner check`` stops a protocol whose dose is above the limit dose."""

    def test_unit_slip_in_a_protocol(self, capsys, tmp_path):
        """A protocol dosing '25 mg/g' (25,000 mg/kg): exit 1 with dose-above-limit-dose."""
        from planner._resources import data_dir

        text = (data_dir("protocols") / f"{CHRONIC}.toml").read_text(encoding="utf-8")
        assert 'value = "25 mg/kg"' in text
        path = tmp_path / "slip.toml"
        path.write_text(text.replace('value = "25 mg/kg"', 'value = "25 mg/g"', 1), "utf-8")

        code, out, _ = run(capsys, "check", str(path), "--json")
        codes = {f["code"] for f in json.loads(out)["findings"] if f["level"] == "error"}

        assert 1 == code
        assert "dose-above-limit-dose" in codes


class TestWeightEchoed:
    """A weight is printed as it was entered (issue 14, item 7)."""

    @pytest.mark.parametrize(
        ("weight", "shown"),
        [("19.99 g", "19.99 g"), ("27 g", "27 g"), ("0.02501 kg", "25.01 g"), ("27.0 g", "27 g")],
    )
    def test_dose_header(self, capsys, weight, shown):
        """The header echoes the weight's digits: 19.99 g is not rounded to 20 g."""
        _, out, _ = run(
            capsys, "dose", "25 mg/kg", "--weight", weight, "--concentration", "2.5 mg/mL"
        )

        assert f"dose 25 mg/kg i.p. for a {shown} mouse" == out.splitlines()[0]


class TestOneVolumeOneRounding:
    """One output gives each volume one way (issue 14, item 7)."""

    def test_error_line_matches_volume_line(self, capsys):
        """25 mg/kg, 27 g, 0.1 mg/mL: 0.675 mg / 0.1 mg/mL = 6.75 mL, drawn up in a 10 mL
        syringe graduated every 0.2 mL as 6.8 mL. The volume line gives both, labelled; the
        error line the same 6.75 mL (never 6.8 mL on one line and 6.75 mL on another unlabelled,
        nor '0.2 mL is above 0.2 mL')."""
        code, out, _ = run(
            capsys, "dose", "25 mg/kg", "--weight", "27 g", "--concentration", "0.1 mg/mL"
        )

        assert 1 == code
        assert "  volume         6.75 mL, drawn up as 6.8 mL (250 mL/kg)" in out.splitlines()
        assert "ERROR: 6.75 mL (250 mL/kg) is above the possible maximum for mouse i.p." in out

    def test_same_number_said_once(self, capsys):
        """27 g at 2.5 mg/mL: 0.27 mL computed and drawn up: said once."""
        _, out, _ = run(
            capsys, "dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"
        )

        assert "  volume         0.27 mL (10 mL/kg)" in out.splitlines()


class TestFormFactorLabel:
    """convert between a salt and its base says the factor it applied (issue 14, item 7)."""

    @pytest.mark.parametrize(
        ("given", "source", "target", "result", "label"),
        [
            # 10 umol morphine in 2-morphine formula units: 10 / 2 = 5 umol of the salt
            (
                "10 umol/kg",
                "morphine",
                "morphine sulfate pentahydrate",
                "10 micromol/kg = 5 micromol/kg",
                "x 0.5 (by amount of substance: 1 morphine per morphine, 2 per morphine "
                "sulfate pentahydrate)",
            ),
            # 10 umol of the salt holds 20 umol morphine; x 285.34 g/mol = 5.7068 mg
            (
                "10 umol/kg",
                "morphine sulfate pentahydrate",
                "morphine",
                "10 micromol/kg = 5.71 mg/kg",
                "x 2 (by amount of substance: 2 morphine per morphine sulfate pentahydrate, 1 per "
                "morphine)",
            ),
            # by mass: 758.83 / (2 x 285.34) = 1.3297
            (
                "10 mg/kg",
                "morphine",
                "morphine sulfate pentahydrate",
                "10 mg/kg = 13.3 mg/kg",
                "x 1.33 (by mass: the molecular weights, per molecule of the parent compound)",
            ),
        ],
    )
    def test_factor_in_its_basis(self, capsys, given, source, target, result, label):
        """The printed factor is the one applied: molar counts parents, mass uses the MWs."""
        to = "mg/kg" if result.endswith("mg/kg") else "umol/kg"
        _, out, _ = run(
            capsys, "convert", given, "--to", to, "--compound", source, "--to-form", target
        )
        lines = out.splitlines()

        assert (result, f"  as {target} instead of {source}: {label}") == (lines[0], lines[1])


class TestBanner:
    """The plan's banner says whom it stops: one animal, or the whole plan."""

    def test_one_animal_stopped(self, capsys, tmp_path):
        """M01 weighed 2.38 g: the banner names M01 and lets the others be dosed; it does not
        say 'Do not dose from this sheet'."""
        weights = _weights(tmp_path / "w.csv", {"M01": [("2.38 g", 0)]})
        _, out, _ = run(
            capsys, "plan", CHRONIC, "--weights", str(weights), "--seed", "1", "--format", "md",
            "--out", "-",
        )  # fmt: skip

        assert "> **DO NOT DOSE 1 animal(s): M01**" in out
        assert "DO NOT DOSE: 1 error(s)" not in out

    def test_whole_plan_stopped(self, capsys, tmp_path):
        """A dose above the limit dose is no animal's: the banner stops the plan."""
        from planner._resources import data_dir

        text = (data_dir("protocols") / f"{CHRONIC}.toml").read_text(encoding="utf-8")
        path = tmp_path / "slip.toml"
        path.write_text(text.replace('value = "25 mg/kg"', 'value = "25 mg/g"', 1), "utf-8")

        code, out, _ = run(capsys, "plan", str(path), "--seed", "1", "--format", "md", "--out", "-")

        assert 1 == code
        assert "> **DO NOT DOSE: " in out
        assert "animal(s):" not in out


class TestMolarDoses:
    def test_molar_dose_with_a_compound(self, capsys):
        """40 umol/kg of morphine i.p. (found by the hostile oracle: a DimensionalityError):
        answered, and not compared with the intrathecal doses per animal of Xu 2014 (another
        route and basis): 40 umol/kg x 0.027 kg = 1.08 umol; / (2.5 mg/mL / 285.34 g/mol) =
        0.12327 mL, drawn up as 0.12 mL."""
        code, data = dose_json(capsys, "40 umol/kg", "27 g", "2.5 mg/mL", "--compound", "morphine")

        assert "dose-far-above-documented" not in levels(data)
        assert "0.123" == f"{data['volume']['value']:.3f}"
        assert code in (0, 1)


class TestCheckVerdict:
    def test_per_animal_errors(self, capsys, tmp_path):
        """check --weights with M01 at 2.38 g ends naming the animal not to dose, not a
        protocol that does not match its regimen; exit 1."""
        weights = _weights(tmp_path / "w.csv", {"M01": [("2.38 g", 0)]})
        code, out, _ = run(capsys, "check", CHRONIC, "--weights", str(weights))

        assert (
            1,
            "1 error(s): do not dose 1 animal(s) as weighed (M01); the others may be dosed.",
        ) == (
            code,
            out.splitlines()[-1],
        )
