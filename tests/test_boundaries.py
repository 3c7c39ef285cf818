"""
Every threshold of the dose and plan checks at its boundary (issue 11): at the limit (passes),
just past it (found) and just inside it, through ``planner dose --json``, ``planner check
--json`` and a plan (``planner plan --format json|csv``, or :func:`planner.api.plan` where the
rule needs a route no shipped regimen has), for every species and route that has the rule.

Expected numbers are worked by hand in each test from the limits in seeds/ (volumes:
diehl2001-volumes.toml, weights: fda2005-km.toml, syringes: equipment.toml); none is computed
by planner. Each survivor of the mutation run of issue 11 has a test that kills it:

- (a) plan.py drawing up a volume without the limit ceilings: TestPlanDrawnVolume;
- (b) the hard-to-measure threshold of 10 graduations (dosing.py and plan.py):
  TestSyringeThresholds;
- (c) 3 s.c. sites a day: TestSitesPerDay;
- (d) a 100 % single-component vehicle: TestVehicleShares;
- the ethanol co-solvent limit of 10 %: TestCosolventLimits.

Only stable entry points are used (``planner.cli.main``, ``planner.api``, ``planner.loading``),
so that the tests survive the move of modules into subpackages.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from planner import api
from planner.cli import main
from planner.knowledge.loading import load_reference

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


# --- helpers ---------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``planner ARGS`` in-process; return the exit status, stdout and stderr."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (0 if code is None else code), out, err


def fact(value: object) -> str:
    """A TOML inline fact with the given value (a string, a number or a list)."""
    return f'{{ value = {json.dumps(value)}, status = "assumed", source = "test" }}'


def protocol_text(
    regimen: str,
    *,
    species: str = "mouse",
    dose: str = "25 mg/kg",
    dose_volume: str = "10 mL/kg",
    components: tuple[tuple[str, str | None], ...] = (("0.9% saline", None),),
    days: tuple[int, ...] = (7,),
    times: tuple[str, ...] = ("09:00",),
    n: int = 4,
    form: str | None = None,
    idle: int = 0,
) -> str:
    """A protocol with one treatment given to one group of ``n`` animals (and, with ``idle``,
    a second group of that many animals that gets nothing)."""
    form_line = "" if form is None else f"form = {fact(form)}\n"
    idle_group = (
        ""
        if not idle
        else f"""
[[group]]
name = "untreated"
condition = "naive"
n = {fact(idle)}
status = "assumed"
source = "test"
"""
    )
    shares = ", ".join(
        f'{{ name = "{name}" }}' if share is None else f'{{ name = "{name}", percent = "{share}" }}'
        for name, share in components
    )
    return f"""
title = "boundary case"
version = 1
citation = "obara2011"
day_zero = "start"
species = {fact(species)}
strain = {fact("any")}
sex = {fact("male")}

[[treatment]]
regimen = "{regimen}"
dose = {fact(dose)}
dose_volume = {fact(dose_volume)}
{form_line}vehicle.status = "assumed"
vehicle.source = "test"
vehicle.value.name = "test vehicle"
vehicle.value.components = [{shares}]
vehicle.value.steps = ["Mix."]

[[group]]
name = "treated"
condition = "naive"
drug = ["{regimen}"]
n = {fact(n)}
status = "assumed"
source = "test"
{idle_group}
[[timeline]]
kind = "dosing"
what = "dose"
regimen = "{regimen}"
days = {fact(list(days))}
times = {fact(list(times))}
"""


def weights_csv(grams: list[str], day: int = 0) -> str:
    """A weights CSV: animals A01, A02, ... weighed once on ``day``."""
    rows = [f"A{number:02d},{weight},{day},1,male" for number, weight in enumerate(grams, 1)]
    return "animal,weight,day,cage,sex\n" + "\n".join(rows) + "\n"


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def codes(findings: list[dict[str, str]], prefix: str = "") -> list[tuple[str, str]]:
    """(level, code) of the findings whose code starts with ``prefix``."""
    return [(f["level"], f["code"]) for f in findings if f["code"].startswith(prefix)]


@pytest.fixture(name="cli")
def _cli(capsys):
    def call(*args: str) -> tuple[int, str, str]:
        return run(capsys, *args)

    return call


@pytest.fixture(name="plan_json")
def _plan_json(cli, tmp_path):
    """``plan_json(protocol_text, grams) -> (exit status, plan as JSON)`` through the CLI."""

    def call(text: str, grams: list[str], **options: object) -> tuple[int, dict]:
        protocol = write(tmp_path, "case.toml", text)
        weights = write(tmp_path, "w.csv", weights_csv(grams))
        code, out, err = cli(
            "plan", protocol, "--weights", weights, "--format", "json", "--out", "-", "--seed", "1"
        )
        assert code in (0, 1), err
        return code, json.loads(out)

    return call


# A seed folder with the shipped seeds and regimens for every route (the shipped ones are all
# mouse i.p. and rat i.t.): "bnd-SPECIES-ROUTE-N" is N doses of temsirolimus, 1 mg/kg (or
# 10 mcg per animal for i.m. and i.t.), 2 h apart.
def _regimens() -> str:
    text = []
    for species in ("mouse", "rat"):
        for route in ("ip", "sc", "iv", "po", "im", "it"):
            dose = "10 mcg" if route in ("im", "it") else "1 mg/kg"
            for doses in (1, 2, 3, 4):
                interval = "" if doses == 1 else f"interval = {fact('2 h')}\n"
                text.append(
                    f"""
[[regimen]]
id = "bnd-{species}-{route}-{doses}"
name = "boundary regimen"
study = "obara2011"
model = "nerve-injury"
source = "test"
compound = {fact("temsirolimus")}
dose = {fact(dose)}
route = {fact(route)}
doses = {fact(doses)}
{interval}species = {fact(species)}
"""
                )
    return "".join(text)


@pytest.fixture(name="seeds", scope="module")
def _seeds(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.glob("*.toml"):
        shutil.copy(path, folder / path.name)
    (folder / "zz-boundaries.toml").write_text(
        (SEEDS / "obara2011.toml")
        .read_text(encoding="utf-8")
        .split("[[study]]")[0]
        .replace('"obara2011"', '"boundaries"', 1)
        + _regimens(),
        encoding="utf-8",
    )
    return load_reference(folder)


@pytest.fixture(name="custom_plan")
def _custom_plan(seeds, tmp_path):
    """``custom_plan(protocol_text, grams)`` -> Plan, with the boundary regimens."""

    def call(text: str, grams: list[str]):
        protocol = write(tmp_path, "case.toml", text)
        weights = write(tmp_path, "w.csv", weights_csv(grams))
        return api.plan(protocol, weights=weights, seed=1, reference=seeds)

    return call


def plan_codes(plan, prefix: str) -> list[tuple[str, str]]:
    return [(f.level.value, f.code) for f in plan.findings if f.code.startswith(prefix)]


# --- planner dose: volume limits -------------------------------------------------------------

# (species, route, weight, good practice, maximum) for every limit per kg body weight in
# seeds/diehl2001-volumes.toml. Volumes are given as --dose-volume in mL/kg, so the volume per kg
# checked is exactly the one given (e.g. 20 mL/kg x 20 g = 0.4 mL, and 0.4 mL / 20 g = 20 mL/kg).
PER_KG = [
    ("mouse", "po", "20 g", "10", "50"),
    ("mouse", "sc", "20 g", "10", "40"),
    ("mouse", "ip", "20 g", "20", "80"),
    ("mouse", "iv", "20 g", "5", "25"),
    ("rat", "po", "200 g", "10", "40"),
    ("rat", "sc", "200 g", "5", "10"),
    ("rat", "ip", "200 g", "10", "20"),
    ("rat", "iv", "200 g", "5", "20"),
]

GOOD = ("warning", "volume-above-good-practice")
MAX = ("error", "volume-above-maximum")


def _cases_per_kg():
    for species, route, weight, good, maximum in PER_KG:
        good, maximum = Decimal(good), Decimal(maximum)
        step = Decimal("0.1")
        for volume, expected in (
            (good - step, []),  # just inside good practice
            (good, []),  # at good practice: passes
            (good + step, [GOOD]),  # just above good practice: warning
            (maximum, [GOOD]),  # at the maximum: still only above good practice
            (maximum + step, [MAX]),  # just above the maximum: error
        ):
            yield pytest.param(
                species,
                route,
                weight,
                f"{volume} mL/kg",
                expected,
                id=f"{species}-{route}-{volume}",
            )


# (species, route, good practice, maximum) for the limits per site (i.m.) and per injection
# (i.t.), as plain volumes; "just past" is 2 % past, "just inside" 2 % inside.
PER_VOLUME = [
    ("mouse", "im", "0.05 mL", "0.051 mL", "0.049 mL", "0.1 mL", "0.102 mL"),
    ("rat", "im", "0.1 mL", "0.102 mL", "0.098 mL", "0.2 mL", "0.204 mL"),
    ("mouse", "it", "5 uL", "5.1 uL", "4.9 uL", "10 uL", "10.2 uL"),
    ("rat", "it", "10 uL", "10.2 uL", "9.8 uL", "20 uL", "20.4 uL"),
]


def _cases_per_volume():
    for species, route, good, above_good, below_good, maximum, above_max in PER_VOLUME:
        for volume, expected in (
            (below_good, []),
            (good, []),
            (above_good, [GOOD]),
            (maximum, [GOOD]),
            (above_max, [MAX]),
        ):
            yield pytest.param(species, route, volume, expected, id=f"{species}-{route}-{volume}")


class TestDoseVolumeLimits:
    @pytest.mark.parametrize(
        ("species", "route", "weight", "volume", "expected"), list(_cases_per_kg())
    )
    def test_per_kg(self, cli, species, route, weight, volume, expected):
        """A volume per kg at good practice or at the maximum passes that limit; 0.1 mL/kg past it
        is found (a warning past good practice, an error and exit 1 past the maximum)."""
        code, out, _ = cli(
            "dose", "1 mg/kg", "--weight", weight, "--dose-volume", volume,
            "--species", species, "--route", route, "--json",
        )  # fmt: skip

        assert (expected, 1 if MAX in expected else 0) == (
            codes(json.loads(out)["findings"], "volume-above"),
            code,
        )

    @pytest.mark.parametrize(("species", "route", "volume", "expected"), list(_cases_per_volume()))
    def test_per_site_or_injection(self, cli, species, route, volume, expected):
        """i.m. limits per site and i.t. limits per injection are plain volumes: at the limit
        passes, 2 % past it is found."""
        weight = "20 g" if species == "mouse" else "200 g"
        code, out, _ = cli(
            "dose", "1 mg/kg", "--weight", weight, "--dose-volume", volume,
            "--species", species, "--route", route, "--json",
        )  # fmt: skip

        assert (expected, 1 if MAX in expected else 0) == (
            codes(json.loads(out)["findings"], "volume-above"),
            code,
        )

    def test_messages(self, cli):
        """The messages give the volume, the volume per kg and the limit: 20.1 mL/kg x 20 g =
        0.402 mL for mouse i.p. (good practice 20 mL/kg); 10.1 mL/kg x 200 g = 2.02 mL for rat
        s.c. (maximum 10 mL/kg); 0.102 mL rat i.m. (maximum 0.2 mL per site: 0.204 mL)."""
        found = []
        for args in (
            ("--weight", "20 g", "--dose-volume", "20.1 mL/kg", "--route", "ip"),
            (
                "--weight",
                "200 g",
                "--dose-volume",
                "10.1 mL/kg",
                "--route",
                "sc",
                "--species",
                "rat",
            ),
            ("--weight", "200 g", "--dose-volume", "0.204 mL", "--route", "im", "--species", "rat"),
        ):
            _, out, _ = cli("dose", "1 mg/kg", *args, "--json")
            found += [
                f["message"]
                for f in json.loads(out)["findings"]
                if f["code"].startswith("volume-above")
            ]

        assert [
            "0.402 mL (20.1 mL/kg) is above good practice for mouse i.p., 20 mL/kg",
            "2.02 mL (10.1 mL/kg) is above the possible maximum for rat s.c., 10 mL/kg",
            "0.204 mL is above the possible maximum for rat i.m., per site, 0.2 mL",
        ] == found

    def test_no_limit_on_record(self, cli):
        """A species without volume limits (rabbit, 2 kg) gets an info finding, not a pass."""
        code, out, _ = cli(
            "dose", "1 mg/kg", "--weight", "2 kg", "--dose-volume", "1 mL/kg",
            "--species", "rabbit", "--route", "ip", "--json",
        )  # fmt: skip

        assert (0, [("info", "no-volume-limit")]) == (
            code,
            codes(json.loads(out)["findings"], "no-volume"),
        )

    def test_volume_from_a_concentration(self, cli):
        """25 mg/kg x 20 g = 0.5 mg; at 1.25 mg/mL that is 0.4 mL = 20 mL/kg, mouse i.p. good
        practice exactly: passes. At 1.24 mg/mL, 0.5 / 1.24 = 0.40323 mL = 20.16 mL/kg: found."""
        results = []
        for concentration in ("1.25 mg/mL", "1.24 mg/mL"):
            _, out, _ = cli(
                "dose", "25 mg/kg", "--weight", "20 g", "--concentration", concentration, "--json"
            )
            data = json.loads(out)
            results.append((data["amount"], codes(data["findings"], "volume-above")))

        assert [
            ({"value": 0.5, "unit": "mg"}, []),
            ({"value": 0.5, "unit": "mg"}, [GOOD]),
        ] == results


# --- planner dose: body weight ---------------------------------------------------------------

# Every species' weight range (seeds/fda2005-km.toml), in the unit the range is stated in, with
# a value just below the low end and just above the high end.
# Mouse and rat warn outside their typical range (seeds/fda2005-km.toml typical_weight); the
# other species outside the Km working range. A weight outside a mouse's or rat's plausible range
# is an error that stops the dose: tests/test_plausibility.py.
WEIGHT_RANGES = [
    ("mouse", "18 g", "17.9 g", "35 g", "35.1 g"),
    ("hamster", "47 g", "46.9 g", "157 g", "157.1 g"),
    ("rat", "200 g", "199.9 g", "600 g", "600.1 g"),
    ("ferret", "160 g", "159.9 g", "540 g", "540.1 g"),
    ("guinea-pig", "208 g", "207.9 g", "700 g", "700.1 g"),
    ("rabbit", "0.9 kg", "0.89 kg", "3 kg", "3.01 kg"),
    ("dog", "5 kg", "4.99 kg", "17 kg", "17.01 kg"),
    ("monkey", "1.4 kg", "1.39 kg", "4.9 kg", "4.91 kg"),
    ("marmoset", "140 g", "139.9 g", "720 g", "720.1 g"),
    ("squirrel-monkey", "290 g", "289.9 g", "970 g", "970.1 g"),
    ("baboon", "7 kg", "6.99 kg", "23 kg", "23.01 kg"),
    ("micro-pig", "10 kg", "9.99 kg", "33 kg", "33.01 kg"),
    ("mini-pig", "25 kg", "24.99 kg", "64 kg", "64.01 kg"),
]


def _weight_cases():
    for species, low, below, high, above in WEIGHT_RANGES:
        for weight, found in ((low, False), (below, True), (high, False), (above, True)):
            yield pytest.param(species, weight, found, id=f"{species}-{weight}")


class TestWeightRange:
    @pytest.mark.parametrize(("species", "weight", "found"), list(_weight_cases()))
    def test_range(self, cli, species, weight, found):
        """A weight at either end of the species' range passes; just outside it is a warning."""
        code, out, _ = cli(
            "dose", "1 mg/kg", "--weight", weight, "--dose-volume", "1 mL/kg",
            "--species", species, "--route", "po", "--json",
        )  # fmt: skip

        assert ([("warning", "weight-outside-range")] if found else [], 0) == (
            codes(json.loads(out)["findings"], "weight"),
            code,
        )

    def test_message(self, cli):
        """The message gives the weight and the range in grams for a mouse."""
        _, out, _ = cli(
            "dose", "1 mg/kg", "--weight", "35.1 g", "--dose-volume", "5 mL/kg", "--json"
        )

        assert [
            "weight 35.1 g is outside the plausible range for mouse, 18 g to 35 g: check the weighing"
        ] == [
            f["message"] for f in json.loads(out)["findings"] if f["code"] == "weight-outside-range"
        ]

    def test_message_in_kg(self, cli):
        """A dog's range (5 kg to 17 kg) is shown in kg."""
        _, out, _ = cli(
            "dose", "1 mg/kg", "--weight", "4.99 kg", "--dose-volume", "1 mL/kg",
            "--species", "dog", "--route", "po", "--json",
        )  # fmt: skip

        assert [
            "weight 4.99 kg is outside the plausible range for dog, 5 kg to 17 kg: check the weighing"
        ] == [
            f["message"] for f in json.loads(out)["findings"] if f["code"] == "weight-outside-range"
        ]


# --- planner dose: syringes ------------------------------------------------------------------


class TestSyringeThresholds:
    # The smallest syringe that holds the volume is used (seeds/equipment.toml). Only the
    # 10 mcL microsyringe (graduation 0.2 uL) takes volumes small enough to be fewer than 10
    # graduations: 10 x 0.2 uL = 2 uL. Every larger syringe takes only volumes above the next
    # smaller one's capacity, which are more than 10 of its graduations (25 mcL: > 10 uL vs
    # 10 x 0.5 = 5 uL; 100 mcL: > 25 uL vs 20 uL; 0.5 mL: > 0.1 mL vs 0.1 mL; ...).
    @pytest.mark.parametrize(
        ("volume", "expected", "status"),
        [
            ("2 uL", [], 0),  # exactly 10 graduations: measurable
            ("2.2 uL", [], 0),
            ("1.9 uL", [("warning", "volume-hard-to-measure")], 0),  # 9.5 graduations
            ("1.1 uL", [("warning", "volume-hard-to-measure")], 0),  # 5.5 graduations
            ("0.1 uL", [("warning", "volume-hard-to-measure")], 0),  # half a graduation: 0.2 uL
            ("0.09 uL", [("error", "volume-below-graduation")], 1),  # rounds to 0
        ],
    )
    def test_graduations(self, cli, volume, expected, status):
        """Fewer than 10 graduations of the syringe is a warning, less than half a graduation an
        error (mouse i.t., a fixed volume per animal)."""
        code, out, _ = cli(
            "dose",
            "1 mg/kg",
            "--weight",
            "20 g",
            "--dose-volume",
            volume,
            "--route",
            "it",
            "--json",
        )
        data = json.loads(out)

        assert ("10 mcL glass microsyringe", expected, status) == (
            data["syringe"]["name"],
            codes(data["findings"], "volume-"),
            code,
        )

    def test_hard_to_measure_message(self, cli):
        """The warning names the volume, the graduation and the syringe."""
        _, out, _ = cli(
            "dose",
            "1 mg/kg",
            "--weight",
            "20 g",
            "--dose-volume",
            "1.9 uL",
            "--route",
            "it",
            "--json",
        )

        assert [
            "1.9 mcL is fewer than 10 graduations (0.2 mcL) of a 10 mcL glass microsyringe: a "
            "one-graduation error is more than 10 %; consider a more dilute solution"
        ] == [f["message"] for f in json.loads(out)["findings"]]

    @pytest.mark.parametrize(
        ("volume", "syringe"),
        [
            ("10 uL", "10 mcL glass microsyringe"),
            ("10.2 uL", "25 mcL glass microsyringe"),
            ("25 uL", "25 mcL glass microsyringe"),
            ("26 uL", "100 mcL glass microsyringe"),
            ("0.1 mL", "100 mcL glass microsyringe"),
            ("0.11 mL", "0.5 mL insulin syringe"),
            ("0.5 mL", "0.5 mL insulin syringe"),
            ("0.51 mL", "1 mL syringe"),
            ("1 mL", "1 mL syringe"),
            ("1.1 mL", "3 mL syringe"),
            ("3 mL", "3 mL syringe"),
            ("3.2 mL", "5 mL syringe"),
            ("5 mL", "5 mL syringe"),
            ("5.2 mL", "10 mL syringe"),
            ("10 mL", "10 mL syringe"),
        ],
    )
    def test_smallest_syringe_that_holds_it(self, cli, volume, syringe):
        """A volume equal to a syringe's capacity uses that syringe; a little more, the next."""
        _, out, _ = cli(
            "dose", "1 mg/kg", "--weight", "250 g", "--dose-volume", volume,
            "--species", "rat", "--route", "po", "--json",
        )  # fmt: skip

        assert syringe == json.loads(out)["syringe"]["name"]

    def test_more_than_any_syringe(self, cli):
        """40 mL/kg x 260 g = 10.4 mL (rat p.o. maximum, exactly) is more than the 10 mL
        syringe: a warning naming the largest syringe as its source, and no syringe."""
        _, out, _ = cli(
            "dose", "1 mg/kg", "--weight", "260 g", "--dose-volume", "40 mL/kg",
            "--species", "rat", "--route", "po", "--json",
        )  # fmt: skip
        data = json.loads(out)

        assert (
            None,
            [
                {
                    "level": "warning",
                    "code": "volume-exceeds-syringes",
                    "message": "10.4 mL is more than any syringe on record holds: split it or use a pump",
                    "source": "10 mL syringe: assumed (common syringe)",
                }
            ],
        ) == (
            data["syringe"],
            [f for f in data["findings"] if f["code"] == "volume-exceeds-syringes"],
        )


# --- planner check: protocol findings ----------------------------------------------------------


@pytest.fixture(name="check")
def _check(cli, tmp_path):
    """``check(protocol_text) -> (exit status, findings)`` through ``planner check --json``."""

    def call(text: str) -> tuple[int, list[dict[str, str]]]:
        code, out, err = cli("check", write(tmp_path, "case.toml", text), "--json")
        assert code in (0, 1), err
        return code, json.loads(out)["findings"]

    return call


class TestCosolventLimits:
    # (component name, limit %) from planner's assumed co-solvent limits; "just above" is
    # 0.5 % more. The balance is saline.
    @pytest.mark.parametrize(
        ("name", "share", "found"),
        [
            ("DMSO", "10 %", False),
            ("DMSO", "10.5 %", True),
            ("ethanol (absolute)", "9.5 %", False),
            ("ethanol (absolute)", "10 %", False),
            ("ethanol (absolute)", "10.5 %", True),
            ("ethanol (absolute)", "15 %", True),
            ("Tween-80", "10 %", False),
            ("Tween-80", "10.5 %", True),
            ("PEG-400", "50 %", False),
            ("PEG-400", "50.5 %", True),
            ("N-methyl-2-pyrrolidone (NMP)", "20 %", False),
            ("N-methyl-2-pyrrolidone (NMP)", "20.5 %", True),
        ],
    )
    def test_limit(self, check, name, share, found):
        """A co-solvent at its limit passes; just above it is a warning (planner check)."""
        text = protocol_text(
            "obara2011-cci779-single", components=((name, share), ("0.9% saline", None))
        )
        _, findings = check(text)

        assert ([("warning", "cosolvent-above-limit")] if found else []) == codes(
            findings, "cosolvent"
        )

    def test_ethanol_message(self, check):
        """Ethanol at 15 % names the 10 % limit."""
        text = protocol_text(
            "obara2011-cci779-single",
            components=(("ethanol (absolute)", "15 %"), ("0.9% saline", None)),
        )
        _, findings = check(text)

        assert [
            "ethanol (absolute) is 15 % of the obara2011-cci779-single vehicle, above the 10 % "
            "usually tolerated for ethanol (intraperitoneal)"
        ] == [f["message"] for f in findings if f["code"] == "cosolvent-above-limit"]


class TestSolubility:
    # Torin1 dissolves in DMSO up to 1 mg/mL (seeds/compounds.toml, assumed). 20 mg/kg in
    # 40 mL/kg is 0.5 mg/mL; dissolved first in DMSO at 50 % of the final volume, the stock is
    # 0.5 x 100 / 50 = 1 mg/mL: at the limit. At 49 %, 0.5 x 100 / 49 = 1.0204 mg/mL: above.
    @pytest.mark.parametrize(
        ("share", "expected"), [("50 %", []), ("49 %", [("error", "above-solubility")])]
    )
    def test_stock_in_the_first_component(self, check, share, expected):
        """The stock (final concentration / share of the first component) against solubility."""
        text = protocol_text(
            "obara2011-torin1-single",
            dose="20 mg/kg",
            dose_volume="40 mL/kg",
            components=(("DMSO", share), ("0.9% saline", None)),
        )
        code, findings = check(text)

        assert (expected, 1 if expected else 0) == (codes(findings, "above-solubility"), code)

    def test_balance_first_is_all_of_the_volume(self, check):
        """A first component without a percentage is 100 % of the volume: 20 mg/kg in 20 mL/kg
        is 1 mg/mL in DMSO, at the limit; in 19 mL/kg it is 1.0526 mg/mL, above it."""
        results = []
        for volume in ("20 mL/kg", "19 mL/kg"):
            text = protocol_text(
                "obara2011-torin1-single", dose="20 mg/kg", dose_volume=volume,
                components=(("DMSO", None),),
            )  # fmt: skip
            results.append(codes(check(text)[1], "above-solubility"))

        assert [[], [("error", "above-solubility")]] == results

    def test_message(self, check):
        """The message gives the stock, the share and the solubility."""
        text = protocol_text(
            "obara2011-torin1-single", dose="20 mg/kg", dose_volume="40 mL/kg",
            components=(("DMSO", "40 %"), ("0.9% saline", None)),
        )  # fmt: skip
        _, findings = check(text)

        # 0.5 mg/mL x 100 / 40 = 1.25 mg/mL
        assert [
            "1.25 mg/mL of Torin1 in DMSO (the first component, 40 % of the final volume) is above "
            "its recorded solubility in DMSO, 1 mg/mL"
        ] == [f["message"] for f in findings if f["code"] == "above-solubility"]


class TestDoseAgainstRegimen:
    @pytest.mark.parametrize(
        ("dose", "found"),
        [("25 mg/kg", False), ("0.025 mg/g", False), ("25.1 mg/kg", True), ("24.9 mg/kg", True)],
    )
    def test_dose(self, check, dose, found):
        """The protocol's dose must equal the regimen's 25 mg/kg, in any unit."""
        code, findings = check(protocol_text("obara2011-cci779-single", dose=dose))

        assert ([("error", "dose-differs-from-regimen")] if found else [], int(found)) == (
            codes(findings, "dose-differs"),
            code,
        )

    def test_per_animal_is_not_per_kg(self, check):
        """10 mcg per animal cannot be compared with 25 mg/kg: it differs."""
        _, findings = check(
            protocol_text("obara2011-cci779-single", dose="10 mcg", dose_volume="10 uL")
        )

        assert [("error", "dose-differs-from-regimen")] == codes(findings, "dose-differs")


class TestScheduleAgainstRegimen:
    # obara2011-cci779-4daily: 4 doses, 24 h apart.
    @pytest.mark.parametrize(
        ("days", "times", "expected"),
        [
            ((7, 8, 9, 10), ("09:00",), []),
            ((0, 1, 2, 3), ("09:00",), []),  # 24 h apart from 09:00 on day 0 (9 h, 33 h, ...)
            ((7, 8, 9), ("09:00",), [("error", "schedule-differs-from-regimen")]),
            ((7, 8, 9, 10, 11), ("09:00",), [("error", "schedule-differs-from-regimen")]),
            ((7, 8, 9, 11), ("09:00",), [("warning", "interval-differs-from-regimen")]),
            ((7, 8), ("09:00", "21:00"), [("warning", "interval-differs-from-regimen")]),
        ],
    )
    def test_schedule(self, check, days, times, expected):
        """The timeline must give the regimen's number of doses (error) at its interval
        (warning)."""
        _, findings = check(protocol_text("obara2011-cci779-4daily", days=days, times=times))

        assert expected == codes(findings, "schedule") + codes(findings, "interval")

    def test_messages(self, check):
        """3 doses of a 4-dose regimen; doses 24 h and 48 h apart for one every 24 h."""
        _, short = check(protocol_text("obara2011-cci779-4daily", days=(7, 8, 9)))
        _, gap = check(protocol_text("obara2011-cci779-4daily", days=(7, 8, 9, 11)))

        assert [
            "the timeline gives 3 dose(s) of obara2011-cci779-4daily; the regimen has 4",
            "doses of obara2011-cci779-4daily are 24 h, 48 h apart; the regimen gives one every 24 h",
        ] == [
            f["message"]
            for f in short + gap
            if f["code"] in ("schedule-differs-from-regimen", "interval-differs-from-regimen")
        ]


# --- plans: doses, weights, preparations -------------------------------------------------------


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class TestPlanDrawnVolume:
    # The volume drawn up is the nearest graduation of the syringe, except that it is never
    # rounded past a volume limit the dose itself respects (survivor (a)): then it is rounded
    # down. Mouse i.p.: good practice 20 mL/kg, maximum 80 mL/kg.
    def test_at_good_practice(self, cli, tmp_path):
        """20 mL/kg: 24.9 g -> 0.498 mL, whose nearest 0.01 mL (0.5 mL syringe) is 0.50 mL, past
        20 mL/kg x 24.9 g = 0.498 mL: drawn 0.49 mL. 24.96 g -> 0.4992 mL: also 0.49 mL.
        25 g -> 0.5 mL exactly. 20.05 g -> 0.401 mL -> 0.40 mL (rounds down anyway)."""
        protocol = write(
            tmp_path, "p.toml", protocol_text("obara2011-cci779-single", dose_volume="20 mL/kg")
        )
        weights = write(tmp_path, "w.csv", weights_csv(["24.9 g", "24.96 g", "25 g", "20.05 g"]))
        code, out, _ = cli(
            "plan", protocol, "--weights", weights, "--format", "csv", "--out", "-", "--seed", "1"
        )
        rows = {r["animal"]: (r["volume_mL"], r["measured_volume_mL"]) for r in _csv_rows(out)}

        assert (0, {
            "A01": ("0.498", "0.49"),
            "A02": ("0.4992", "0.49"),
            "A03": ("0.5", "0.5"),
            "A04": ("0.401", "0.4"),
        }) == (code, rows)  # fmt: skip

    def test_at_the_maximum(self, plan_json):
        """80 mL/kg: 24.9 g -> 1.992 mL (3 mL syringe, 0.1 mL): nearest 2.0 mL is past
        80 mL/kg x 24.9 g = 1.992 mL, so 1.9 mL. 18.7 g -> 1.496 mL: 1.4 mL, not 1.5.
        25 g -> 2 mL exactly."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", dose_volume="80 mL/kg", n=3),
            ["24.9 g", "18.7 g", "25 g"],
        )

        assert {"A01": 1.9, "A02": 1.4, "A03": 2} == {
            d["animal"]: d["measured_volume"]["value"] for d in plan["doses"]
        }

    def test_below_the_limits_rounds_to_nearest(self, plan_json):
        """10 mL/kg: 24.95 g -> 0.2495 mL -> 0.25 mL (half up; 20 mL/kg would be 0.499 mL, not
        crossed); 24.94 g -> 0.2494 mL -> 0.25 mL; 24.84 g -> 0.2484 mL -> 0.25 mL;
        24.44 g -> 0.2444 mL -> 0.24 mL."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", n=4),
            ["24.95 g", "24.94 g", "24.84 g", "24.44 g"],
        )

        assert {"A01": 0.25, "A02": 0.25, "A03": 0.25, "A04": 0.24} == {
            d["animal"]: d["measured_volume"]["value"] for d in plan["doses"]
        }

    def test_per_site_ceiling(self, custom_plan):
        """Mouse i.m. with a volume per kg: the limit is per site (0.05 mL, 0.1 mL). 2 mL/kg x
        24.99 g = 0.04998 mL (100 mcL syringe, 2 uL): nearest 0.05 mL, at good practice, not
        past it: 0.05 mL. 4 mL/kg x 24.99 g = 0.09996 mL: nearest 0.1 mL = the maximum: 0.1 mL."""
        measured = []
        for volume in ("2 mL/kg", "4 mL/kg"):
            plan = custom_plan(
                protocol_text("bnd-mouse-im-1", dose="1 mg/kg", dose_volume=volume, n=1),
                ["24.99 g"],
            )
            measured += [str(r.dose.measured.to("mL").magnitude) for r in plan.dose_rows()]

        assert ["0.05", "0.1"] == [str(Decimal(m).normalize()) for m in measured]


class TestPlanSyringeFindings:
    # Survivor (b): the plan checks each dose with the same 10-graduation threshold.
    def test_fixed_volume(self, plan_json):
        """Rat i.t. (xu2014 morphine: 14 doses, 12 h apart) in 1.9 uL: fewer than 10 x 0.2 uL
        graduations, a warning for the doses; in 2 uL: none."""
        found = []
        for volume in ("1.9 uL", "2 uL"):
            text = protocol_text(
                "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume=volume,
                components=(("0.9% saline", None),), days=(1, 2, 3, 4, 5, 6, 7),
                times=("08:00", "20:00"), n=2,
            )  # fmt: skip
            _, plan = plan_json(text, ["250 g", "260 g"])
            found.append(codes(plan["findings"], "volume-"))

        assert [[("warning", "volume-hard-to-measure")], []] == found

    def test_per_kg_volume(self, plan_json):
        """0.08 mL/kg: 25 g -> 2 uL (10 graduations of the 10 mcL microsyringe): measurable;
        23.75 g -> 1.9 uL: hard to measure; 1.25 g is no mouse, so 12.5 g -> 1 uL: hard too."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", dose_volume="0.08 mL/kg", n=3),
            ["25 g", "23.75 g", "12.5 g"],
        )
        (finding,) = [f for f in plan["findings"] if f["code"] == "volume-hard-to-measure"]

        assert ("warning", "animal A02, day 7, animal A03, day 7") == (
            finding["level"],
            finding["subject"],
        )

    def test_below_half_a_graduation(self, plan_json):
        """0.09 uL per animal rounds to no graduation at all: an error, exit 1; each error names
        its own animal (two weights, two doses, two errors), and no volume is printed."""
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume="0.09 uL",
            days=(1, 2, 3, 4, 5, 6, 7), times=("08:00", "20:00"), n=2,
        )  # fmt: skip
        code, plan = plan_json(text, ["250 g", "260 g"])

        assert (1, [("error", "volume-below-graduation")] * 2) == (
            code,
            codes(plan["findings"], "volume-"),
        )
        assert {"DO NOT DOSE: volume too small to measure"} == {d["stop"] for d in plan["doses"]}


class TestPlanVolumeLimits:
    def test_per_kg_volume_for_a_per_site_limit(self, custom_plan):
        """Mouse i.m. with 2 mL/kg: 25 g -> 0.05 mL, at good practice per site; 25.5 g ->
        0.051 mL, above it. With 4 mL/kg: 25 g -> 0.1 mL, at the maximum (above good practice);
        25.5 g -> 0.102 mL, above the maximum. Each dose is checked (subject: the animal)."""
        results = []
        for volume in ("2 mL/kg", "4 mL/kg"):
            plan = custom_plan(
                protocol_text("bnd-mouse-im-1", dose="1 mg/kg", dose_volume=volume, n=2),
                ["25 g", "25.5 g"],
            )
            results.append(
                sorted(
                    (f.level.value, f.code, f.subject)
                    for f in plan.findings
                    if f.code.startswith("volume-above") and f.subject.startswith("animal")
                )
            )

        assert [
            [("warning", "volume-above-good-practice", "animal A02, day 7")],
            [
                ("error", "volume-above-maximum", "animal A02, day 7"),
                ("warning", "volume-above-good-practice", "animal A01, day 7"),
            ],
        ] == results


class TestPlanWeights:
    def test_weight_range(self, plan_json):
        """Mouse 18 g and 35 g pass; 17.9 g and 35.1 g are outside the typical 18-35 g."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", n=4), ["18 g", "17.9 g", "35 g", "35.1 g"]
        )
        (finding,) = [f for f in plan["findings"] if f["code"] == "weight-outside-range"]

        assert ("warning", "animal A02, day 0, animal A04, day 0") == (
            finding["level"],
            finding["subject"],
        )

    def test_weight_range_rat(self, custom_plan):
        """Rat 200 g and 600 g pass; 199.9 g and 600.1 g are outside the typical 200-600 g."""
        plan = custom_plan(
            protocol_text("bnd-rat-ip-1", species="rat", dose="1 mg/kg", n=4),
            ["200 g", "199.9 g", "600 g", "600.1 g"],
        )

        assert ["animal A02, day 0, animal A04, day 0"] == [
            f.subject for f in plan.findings if f.code == "weight-outside-range"
        ]


class TestVehicleShares:
    # 4 mice of 25 g at 10 mL/kg get 4 x 0.25 = 1 mL; with 10 % overage and 0.1 mL dead volume
    # the batch is 1 x 1.1 + 0.1 = 1.2 mL, and 1.2 mL x 2.5 mg/mL = 3 mg of temsirolimus.
    @pytest.mark.parametrize(
        ("components", "volumes"),
        [
            # survivor (d): one component making up 100 % of the volume
            ((("0.9% saline", "100 %"),), [1.2]),
            ((("0.9% saline", None),), [1.2]),
            ((("DMSO", "10 %"), ("0.9% saline", "90 %")), [0.12, 1.08]),
            ((("ethanol", "5 %"), ("0.9% saline", None)), [0.06, 1.14]),
            ((("ethanol", "5 %"), ("Tween-80", "5 %"), ("0.9% saline", None)), [0.06, 0.06, 1.08]),
        ],
    )
    def test_components(self, plan_json, components, volumes):
        """Each component's volume is its share of the batch; the balance takes the rest."""
        code, plan = plan_json(
            protocol_text("obara2011-cci779-single", components=components),
            ["25 g"] * 4,
        )
        (batch,) = [p for p in plan["preparations"] if not p["vehicle"]]

        assert (0, 1.2, 3, volumes) == (
            code,
            batch["total_volume"]["value"],
            batch["mass_to_weigh"]["value"],
            [c["volume"]["value"] for c in batch["components"]],
        )

    @pytest.mark.parametrize(
        "components",
        [
            (("DMSO", "10 %"), ("0.9% saline", "91 %")),  # 101 %
            (("DMSO", "10 %"), ("0.9% saline", "89 %")),  # 99 %, no balance
            (("DMSO", "50 %"), ("PEG-400", "50.5 %"), ("0.9% saline", None)),  # 100.5 % + balance
            (("DMSO", "10 %"), ("saline", None), ("water", None)),  # two balances
        ],
    )
    def test_shares_that_do_not_add_up(self, cli, tmp_path, components):
        """Shares above 100 %, short of 100 % without a balance, or two balances: refused (exit 2,
        one line naming the vehicle)."""
        protocol = write(
            tmp_path, "p.toml", protocol_text("obara2011-cci779-single", components=components)
        )
        weights = write(tmp_path, "w.csv", weights_csv(["25 g"] * 4))
        code, out, err = cli(
            "plan", protocol, "--weights", weights, "--format", "json", "--out", "-", "--seed", "1"
        )

        assert (2, "", 1) == (code, out, err.count("\n"))
        assert "vehicle" in err

    def test_balance_left_with_nothing(self, cli, tmp_path):
        """DMSO 10 % + PEG-400 90 % + saline as the balance: the balance would be 0 %, so the
        vehicle is refused (exit 2, one line naming the vehicle)."""
        components = (("DMSO", "10 %"), ("PEG-400", "90 %"), ("0.9% saline", None))
        protocol = write(
            tmp_path, "p.toml", protocol_text("obara2011-cci779-single", components=components)
        )
        weights = write(tmp_path, "w.csv", weights_csv(["25 g"] * 4))
        code, _, err = cli(
            "plan", protocol, "--weights", weights, "--format", "json", "--out", "-", "--seed", "1"
        )

        assert (2, 1) == (code, err.count("\n"))
        assert "vehicle" in err


class TestPreparationVolumes:
    def test_steps_give_four_significant_digits(self, plan_json):
        """21.3, 25 and 30 g at 10 mL/kg: 0.213 + 0.25 + 0.3 = 0.763 mL; x 1.1 + 0.1 =
        0.9393 mL; x 2.5 mg/mL = 2.34825 mg, weighed as 2.348 mg; ethanol 10 % = 0.09393 mL,
        saline 90 % = 0.84537 mL, measured as 0.8454 mL (and 0.09393 mL as 93.93 mcL)."""
        _, plan = plan_json(
            protocol_text(
                "obara2011-cci779-single", n=3,
                components=(("ethanol", "10 %"), ("0.9% saline", "90 %")),
            ),
            ["21.3 g", "25 g", "30 g"],
        )  # fmt: skip
        (batch,) = plan["preparations"]

        assert [
            "Weigh 2.348 mg of temsirolimus.",
            "Dissolve it in 93.93 mcL of ethanol (10 %); mix until clear.",
            "Add 0.8454 mL of 0.9% saline (90 %); mix until clear.",
            "Inspect: the solution must be clear with no precipitate before it is drawn up.",
        ] == batch["steps"]

    def test_batch_sums_the_doses(self, plan_json):
        """20, 25 and 30 g at 10 mL/kg: 0.2 + 0.25 + 0.3 = 0.75 mL injected; x 1.1 + 0.1 =
        0.925 mL to make; x 2.5 mg/mL = 2.3125 mg. The vehicle batch is the same volume."""
        _, plan = plan_json(protocol_text("obara2011-cci779-single", n=3), ["20 g", "25 g", "30 g"])
        (batch,) = plan["preparations"]

        assert (0.75, 0.925, 2.3125) == (
            batch["injected_volume"]["value"],
            batch["total_volume"]["value"],
            batch["mass_to_weigh"]["value"],
        )


# --- plans: injections per day (routes no shipped regimen has) --------------------------------


class TestSitesPerDay:
    # Diehl et al. 2001: at most 2 i.m. and 3 s.c. sites a day (survivor (c): s.c.).
    @pytest.mark.parametrize(
        ("species", "route", "doses", "found"),
        [
            ("mouse", "sc", 3, False),
            ("mouse", "sc", 4, True),
            ("rat", "sc", 3, False),
            ("rat", "sc", 4, True),
            ("mouse", "im", 2, False),
            ("mouse", "im", 3, True),
            ("rat", "im", 2, False),
            ("rat", "im", 3, True),
            ("mouse", "ip", 4, False),  # no site limit for i.p.
        ],
    )
    def test_sites(self, custom_plan, species, route, doses, found):
        """N injections 2 h apart on one day, at and one past the route's number of sites."""
        times = ("08:00", "10:00", "12:00", "14:00")[:doses]
        per_animal = route == "im"
        text = protocol_text(
            f"bnd-{species}-{route}-{doses}", species=species,
            dose="10 mcg" if per_animal else "1 mg/kg",
            dose_volume="0.05 mL" if per_animal else "1 mL/kg", times=times, n=1,
        )  # fmt: skip
        plan = custom_plan(text, ["25 g" if species == "mouse" else "250 g"])

        assert ([("warning", "sites-per-day")] if found else []) == plan_codes(plan, "sites")

    def test_message(self, custom_plan):
        """Four s.c. injections on day 7 name the 3 sites advised."""
        text = protocol_text(
            "bnd-mouse-sc-4", dose="1 mg/kg", dose_volume="1 mL/kg",
            times=("08:00", "10:00", "12:00", "14:00"), n=1,
        )  # fmt: skip
        plan = custom_plan(text, ["25 g"])

        assert [
            "group A gets 4 subcutaneous injections on day 7; at most 3 sites a day are advised"
        ] == [f.message for f in plan.findings if f.code == "sites-per-day"]


class TestDailyVolume:
    # The volumes given by one route in one day must not add up to more than the maximum for
    # one dose (assumed rule). Two injections 2 h apart.
    @pytest.mark.parametrize(
        ("species", "route", "volume", "found"),
        [
            ("mouse", "sc", "20 mL/kg", False),  # 2 x 20 = 40 mL/kg, the maximum
            ("mouse", "sc", "20.5 mL/kg", True),  # 41 mL/kg
            ("mouse", "ip", "40 mL/kg", False),  # 80 mL/kg
            ("mouse", "ip", "40.5 mL/kg", True),  # 81 mL/kg
            ("mouse", "po", "25 mL/kg", False),  # 50 mL/kg
            ("mouse", "po", "25.5 mL/kg", True),
            ("mouse", "iv", "12.5 mL/kg", False),  # 25 mL/kg
            ("mouse", "iv", "13 mL/kg", True),  # 26 mL/kg
            ("rat", "sc", "5 mL/kg", False),  # 10 mL/kg
            ("rat", "sc", "5.5 mL/kg", True),  # 11 mL/kg
            ("rat", "ip", "10 mL/kg", False),  # 20 mL/kg
            ("rat", "ip", "10.5 mL/kg", True),
            ("rat", "po", "20 mL/kg", False),  # 40 mL/kg
            ("rat", "po", "20.5 mL/kg", True),
            ("rat", "iv", "10 mL/kg", False),  # 20 mL/kg
            ("rat", "iv", "10.5 mL/kg", True),
        ],
    )
    def test_two_injections(self, custom_plan, species, route, volume, found):
        """Two injections in a day at exactly the maximum in total pass; a little more warns."""
        text = protocol_text(
            f"bnd-{species}-{route}-2", species=species, dose="1 mg/kg", dose_volume=volume,
            times=("08:00", "10:00"), n=1,
        )  # fmt: skip
        plan = custom_plan(text, ["25 g" if species == "mouse" else "250 g"])

        assert ([("warning", "daily-volume-above-maximum")] if found else []) == plan_codes(
            plan, "daily-volume"
        )

    def test_one_injection_is_checked_per_dose(self, custom_plan):
        """A single dose above the maximum is an error of that dose, not a daily-volume warning."""
        text = protocol_text("bnd-mouse-sc-1", dose="1 mg/kg", dose_volume="41 mL/kg", n=1)
        plan = custom_plan(text, ["25 g"])

        assert ([], [("error", "volume-above-maximum")]) == (
            plan_codes(plan, "daily-volume"),
            plan_codes(plan, "volume-above"),
        )

    def test_message(self, custom_plan):
        """2 x 20.5 mL/kg s.c. = 41 mL/kg, more than the 40 mL/kg mouse maximum."""
        text = protocol_text(
            "bnd-mouse-sc-2",
            dose="1 mg/kg",
            dose_volume="20.5 mL/kg",
            times=("08:00", "10:00"),
            n=1,
        )
        plan = custom_plan(text, ["25 g"])

        assert [
            "group A gets 2 subcutaneous injections on day 7 adding up to 41 mL/kg, more than the maximum "
            "for one dose (40 mL/kg)"
        ] == [f.message for f in plan.findings if f.code == "daily-volume-above-maximum"]


class TestSolubilityOfTheFormGiven:
    # Morphine sulfate pentahydrate dissolves in saline up to 50 mg/mL (seeds/compounds.toml);
    # morphine base has no solubility in saline on record. Rat i.t., xu2014 (14 doses, 12 h).
    def _check(self, check, volume, form="morphine-sulfate-pentahydrate"):
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume=volume,
            form=form, days=(1, 2, 3, 4, 5, 6, 7), times=("08:00", "20:00"), n=2,
        )  # fmt: skip
        return codes(check(text)[1], "")

    @pytest.mark.parametrize(
        ("volume", "expected"),
        [
            ("10 uL", []),  # 10 mcg / 10 uL = 1 mg/mL
            ("0.2 uL", []),  # 10 mcg / 0.2 uL = 50 mg/mL: at the solubility
            ("0.19 uL", [("error", "above-solubility")]),  # 52.6 mg/mL
        ],
    )
    def test_salt_in_saline(self, check, volume, expected):
        """The form the protocol names is the one whose solubility is checked."""
        found = [c for c in self._check(check, volume) if "solubility" in c[1]]

        assert expected == found

    def test_base_has_none_on_record(self, check):
        """Morphine base: no solubility in saline on record, an info finding."""
        found = [c for c in self._check(check, "10 uL", form="morphine") if "solubility" in c[1]]

        assert [("info", "no-solubility-on-record")] == found


class TestPlanRows:
    def test_only_groups_that_receive_it(self, plan_json):
        """Two treated and three untreated animals: one dose row for each treated animal,
        whatever the order of the animals in the cohort."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", n=2, idle=3),
            ["20 g", "21 g", "22 g", "23 g", "24 g"],
        )
        treated = {a["id"] for a in plan["animals"] if a["group"] == "treated"}

        assert (2, treated) == (len(plan["doses"]), {d["animal"] for d in plan["doses"]})

    def test_molar_dose(self, plan_json):
        """25 umol/kg in 10 mL/kg is 2.5 mM; a 20 g mouse gets 25 x 0.02 = 0.5 umol in 0.2 mL."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", dose="25 umol/kg", n=1), ["20 g"]
        )
        (dose,) = plan["doses"]

        assert (
            {"value": 2.5, "unit": "mM"},
            {"value": 0.5, "unit": "umol"},
            {"value": 0.2, "unit": "mL"},
        ) == (plan["treatments"][0]["concentration"], dose["amount"], dose["volume"])

    def test_salt_form(self, plan_json):
        """10 mcg of morphine sulfate pentahydrate in 10 uL is 1 mg/mL of that form, the form
        weighed."""
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume="10 uL",
            form="morphine-sulfate-pentahydrate", days=(1, 2, 3, 4, 5, 6, 7),
            times=("08:00", "20:00"), n=1,
        )  # fmt: skip
        _, plan = plan_json(text, ["250 g"])

        assert ("morphine sulfate pentahydrate", {"value": 1, "unit": "mg/mL"}) == (
            plan["treatments"][0]["form"],
            plan["treatments"][0]["concentration"],
        )


class TestMergedFindings:
    def test_one(self, plan_json):
        """One animal outside the weight range: the finding as it is, with the animal as subject."""
        _, plan = plan_json(protocol_text("obara2011-cci779-single", n=2), ["25 g", "36 g"])
        (finding,) = [f for f in plan["findings"] if f["code"] == "weight-outside-range"]

        assert (
            "animal A02, day 0",
            "weight 36 g is outside the plausible range for mouse, 18 g to 35 g: check the weighing",
        ) == (finding["subject"], finding["message"])

    @pytest.mark.parametrize(
        ("count", "subject"),
        [
            (
                5,
                "animal A01, day 0, animal A02, day 0, animal A03, day 0, animal A04, day 0, animal A05, day 0",
            ),
            (
                6,
                "animal A01, day 0, animal A02, day 0, animal A03, day 0, animal A04, day 0, animal A05, day 0 and 1 more",
            ),
            (
                8,
                "animal A01, day 0, animal A02, day 0, animal A03, day 0, animal A04, day 0, animal A05, day 0 and 3 more",
            ),
        ],
    )
    def test_many(self, plan_json, count, subject):
        """Several warnings: one finding that counts the weighings, quotes the first and names at
        most 5 subjects (36 g to 43 g: above the typical 35 g, within the plausible 45 g)."""
        _, plan = plan_json(
            protocol_text("obara2011-cci779-single", n=count), [f"{36 + n} g" for n in range(count)]
        )
        (finding,) = [f for f in plan["findings"] if f["code"] == "weight-outside-range"]

        assert (
            subject,
            f"{count} weighings; the first (animal A01, day 0): weight 36 g is outside the "
            "plausible range for mouse, 18 g to 35 g: check the weighing",
        ) == (finding["subject"], finding["message"])


class TestPlanPerInjectionLimit:
    def test_fixed_volume_checked_once(self, plan_json):
        """Rat i.t. 10.2 uL per animal is above the 10 uL good practice: one warning for the
        treatment (the volume is the same for every animal), not one per dose."""
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume="10.2 uL",
            days=(1, 2, 3, 4, 5, 6, 7), times=("08:00", "20:00"), n=2,
        )  # fmt: skip
        _, plan = plan_json(text, ["250 g", "260 g"])

        assert [("warning", "volume-above-good-practice", "xu2014-morphine-it-repeated")] == [
            (f["level"], f["code"], f["subject"])
            for f in plan["findings"]
            if f["code"].startswith("volume-above")
        ]


class TestPlanRecord:
    def test_regimen_assumptions_and_hash(self, plan_json):
        """The plan lists the regimen's assumed dose, number of doses and interval, and its
        input hash has 16 hex digits."""
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume="10 uL",
            days=(1, 2, 3, 4, 5, 6, 7), times=("08:00", "20:00"), n=1,
        )  # fmt: skip
        _, plan = plan_json(text, ["250 g"])

        assert (
            [
                "regimen xu2014-morphine-it-repeated: dose",
                "regimen xu2014-morphine-it-repeated: doses",
                "regimen xu2014-morphine-it-repeated: interval",
            ],
            16,
        ) == (
            [a["key"] for a in plan["assumptions"] if a["key"].startswith("regimen")],
            len(plan["input_hash"]),
        )
        int(plan["input_hash"], 16)

    def test_progress(self, tmp_path):
        """Progress is reported every 500 doses computed, out of animals x treatments: 500
        animals and one treatment report (500, 500) once."""
        protocol = write(tmp_path, "p.toml", protocol_text("obara2011-cci779-single", n=500))
        weights = write(tmp_path, "w.csv", weights_csv(["25 g"] * 500))
        calls = []
        api.plan(
            protocol,
            weights=weights,
            seed=1,
            progress=lambda done, total: calls.append((done, total)),
        )

        assert [(500, 500)] == calls


class TestPlanTwoRegimens:
    def test_each_batch_counts_its_own_injections(self):
        """xu2014-rapamycin-it: 4 groups of 8 rats; each regimen is given twice a day on days
        5-11, as drug to 2 groups and as vehicle to the other 2. So each day's batch of each
        regimen, drug or vehicle, is for 16 rats x 2 injections = 32 injections."""
        plan = api.plan("xu2014-rapamycin-it", seed=1)

        assert {
            ("xu2014-morphine-it-repeated", False): 32,
            ("xu2014-morphine-it-repeated", True): 32,
            ("xu2014-rapamycin-it-prevention", False): 32,
            ("xu2014-rapamycin-it-prevention", True): 32,
        } == {(b.treatment.regimen.id, b.vehicle): b.injections for b in plan.batches if b.day == 5}


class TestPlanLargeVolumes:
    def test_more_than_any_syringe(self, custom_plan):
        """Rat p.o. 40 mL/kg (the maximum): 250 g -> 10 mL fits the 10 mL syringe, drawn as
        10 mL; 260 g -> 10.4 mL fits no syringe: a warning for that dose, and the volume as
        computed."""
        plan = custom_plan(
            protocol_text(
                "bnd-rat-po-1", species="rat", dose="1 mg/kg", dose_volume="40 mL/kg", n=2
            ),
            ["250 g", "260 g"],
        )
        rows = {
            r.animal.id: (
                r.dose.syringe.name if r.dose.syringe else None,
                Decimal(r.dose.measured.to("mL").magnitude),
            )
            for r in plan.dose_rows()
        }

        assert (
            {"A01": ("10 mL syringe", Decimal(10)), "A02": (None, Decimal("10.4"))},
            [("warning", "volume-exceeds-syringes", "animal A02, day 7")],
        ) == (
            rows,
            [
                (f.level.value, f.code, f.subject)
                for f in plan.findings
                if f.code == "volume-exceeds-syringes"
            ],
        )


class TestFindingOrder:
    def test_errors_then_warnings_then_infos(self, plan_json):
        """Findings are listed by level, errors first, whatever order the checks found them in:
        here a warning (3 animals for a group of 2) is found before the errors (11 mcg for the
        regimen's 10 mcg; 0.09 uL, below half a graduation, for each dose), infos (solubility,
        assumed values) between them, and a warning (280 g is above the rat range) after."""
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="11 mcg", dose_volume="0.09 uL",
            days=(1, 2, 3, 4, 5, 6, 7), times=("08:00", "20:00"), n=2,
        )  # fmt: skip
        _, plan = plan_json(text, ["250 g", "260 g", "280 g"])
        levels = [f["level"] for f in plan["findings"]]
        rank = {"error": 0, "warning": 1, "info": 2}

        assert {"error", "warning", "info"} == set(levels)
        assert sorted(levels, key=rank.__getitem__) == levels


class TestOncePerGroup:
    def test_daily_volume_on_two_days(self, custom_plan):
        """2 x 20.5 mL/kg s.c. on days 7 and 8: one warning for the group, naming day 7."""
        text = protocol_text(
            "bnd-mouse-sc-4", dose="1 mg/kg", dose_volume="20.5 mL/kg", days=(7, 8),
            times=("08:00", "10:00"), n=1,
        )  # fmt: skip
        plan = custom_plan(text, ["25 g"])

        assert [
            "group A gets 2 subcutaneous injections on day 7 adding up to 41 mL/kg, more than the "
            "maximum for one dose (40 mL/kg)"
        ] == [f.message for f in plan.findings if f.code == "daily-volume-above-maximum"]

    def test_sites_on_two_days(self, custom_plan):
        """4 s.c. injections on days 7 and 8: one warning for the group, naming day 7."""
        text = protocol_text(
            "bnd-mouse-sc-4", dose="1 mg/kg", dose_volume="1 mL/kg", days=(7, 8),
            times=("08:00", "10:00", "12:00", "14:00"), n=1,
        )  # fmt: skip
        plan = custom_plan(text, ["25 g"])

        assert [
            "group A gets 4 subcutaneous injections on day 7; at most 3 sites a day are advised"
        ] == [f.message for f in plan.findings if f.code == "sites-per-day"]


class TestRulesApplied:
    def test_per_kg_route_has_a_daily_rule(self, plan_json):
        """Mouse i.p. (limits per kg): good practice 20 mL/kg, maximum 80 mL/kg, and the daily
        total is held to the maximum for one dose (80 mL/kg); the 10 % ethanol limit is listed
        for the ethanol in the vehicle."""
        _, plan = plan_json(
            protocol_text(
                "obara2011-cci779-single", n=1,
                components=(("ethanol (absolute)", "5 %"), ("0.9% saline", None)),
            ),
            ["25 g"],
        )  # fmt: skip

        assert [
            ("volume per dose, good practice", "mouse intraperitoneal", "20 mL/kg"),
            ("volume per dose, maximum", "mouse intraperitoneal", "80 mL/kg"),
            (
                "volume by one route in one day",
                "mouse intraperitoneal",
                "the maximum for one dose (80 mL/kg)",
            ),
            ("ethanol share of the solution", "ethanol (absolute)", "at most 10 % v/v"),
            ("body weight, warning outside", "mouse", "18 g to 35 g"),
            ("body weight, not dosed outside", "mouse", "15 g to 45 g"),
            ("dose per body mass", "every treatment", "at most 2,000 mg/kg"),
            (
                "dose against the documented doses of the compound",
                "every treatment",
                "at most 10 times the highest",
            ),
            ("weight change between weighings", "mouse", "at most 10 %"),
            ("weight change between weighings, not dosed beyond", "mouse", "20 %"),
        ] == [(r["rule"], r["applies_to"], r["limit"]) for r in plan["limits"]["rules"][:10]]

    def test_per_injection_route_has_none(self, plan_json):
        """Rat i.t. (limits per injection): no daily rule and no sites rule."""
        text = protocol_text(
            "xu2014-morphine-it-repeated", species="rat", dose="10 mcg", dose_volume="10 uL",
            days=(1, 2, 3, 4, 5, 6, 7), times=("08:00", "20:00"), n=1,
        )  # fmt: skip
        _, plan = plan_json(text, ["250 g"])

        assert [
            ("volume per dose, good practice", "rat intrathecal", "10 mcL per injection"),
            ("volume per dose, maximum", "rat intrathecal", "20 mcL per injection"),
            ("body weight, warning outside", "rat", "200 g to 600 g"),
            ("body weight, not dosed outside", "rat", "150 g to 800 g"),
        ] == [(r["rule"], r["applies_to"], r["limit"]) for r in plan["limits"]["rules"][:4]]

    def test_sites_rule(self, custom_plan):
        """Mouse s.c.: at most 3 sites a day (Diehl et al. 2001); mouse i.m.: 2."""
        found = []
        for regimen, dose, volume in (
            ("bnd-mouse-sc-1", "1 mg/kg", "1 mL/kg"),
            ("bnd-mouse-im-1", "10 mcg", "0.05 mL"),
        ):
            plan = custom_plan(protocol_text(regimen, dose=dose, dose_volume=volume, n=1), ["25 g"])
            found += [
                (r.applies_to, r.value) for r in plan.rules if r.rule == "injection sites per day"
            ]

        assert [("mouse subcutaneous", "at most 3"), ("mouse intramuscular", "at most 2")] == found
