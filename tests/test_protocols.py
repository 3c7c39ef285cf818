"""
Tests for planner.knowledge.protocols and the protocol loader (planner.knowledge.loading.load_protocol): the domain
classes' validators, every shipped protocol, each kind of error on a tiny broken file with its
exact message, and load -> dump -> load round trips.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner._resources import data_dir
from planner.dosing.preparation import VehicleComponent
from planner.errors import DataFileError, InputError, PlannerError, QuantityError, UnknownNameError
from planner.knowledge._toml import dumps
from planner.knowledge.loading import (
    list_protocols,
    load_protocol,
    protocol_data,
    structure_protocol,
)
from planner.knowledge.protocols import (
    MAX_DOSES,
    MAX_GROUP_SIZE,
    EventKind,
    Group,
    Protocol,
    TimelineEvent,
    Vehicle,
    facts_of,
    schedule_hours,
)
from planner.knowledge.provenance import Fact, Status
from planner.units.registry import Q_

PROTOCOLS = data_dir("protocols")
SHIPPED = [
    "obara2011-cci779-acute",
    "obara2011-cci779-chronic",
    "obara2011-cci779-inflammatory",
    "obara2011-torin1-acute",
    "obara2011-torin1-chronic",
    "xu2014-rapamycin-it",
]
ACUTE = (PROTOCOLS / "obara2011-cci779-acute.toml").read_text(encoding="utf-8")
"""The text of the acute CCI-779 protocol: broken copies of it are the loader's fixtures."""


def fact(value, status=Status.ASSUMED, source="a reason"):
    """A fact with a default status and source, for building objects in tests."""
    return Fact(value=value, status=status, source=source)


@pytest.fixture(name="no_disk_cache", autouse=True)
def _no_disk_cache(monkeypatch):
    """Keep these tests off the on-disk cache of reference data."""
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")


@pytest.fixture(name="write")
def _write(tmp_path):
    """Return a function that writes a protocol text to tmp_path/<name>.toml and returns the path."""

    def write(text: str, name: str = "tiny") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(name="acute", scope="module")
def _acute():
    """The shipped acute CCI-779 protocol."""
    return load_protocol("obara2011-cci779-acute")


class TestVehicle:
    """A vehicle's components are in order of addition and their percentages add up."""

    @pytest.mark.parametrize(
        "components",
        [
            [VehicleComponent(name="saline")],
            [VehicleComponent(name="DMSO", percent=Q_(10, "%")), VehicleComponent(name="saline")],
            [
                VehicleComponent(name="NMP", percent=Q_(20, "%")),
                VehicleComponent(name="PEG-400", percent=Q_(80, "%")),
            ],
        ],
    )
    def test_valid(self, components):
        """A balance component, or stated shares that make 100 %, are accepted."""
        vehicle = Vehicle(name="v", components=components)

        assert tuple(components) == vehicle.components

    @pytest.mark.parametrize(
        ("components", "message"),
        [
            ([], "components: got 'no components'; expected at least one vehicle component"),
            (
                [VehicleComponent(name="a"), VehicleComponent(name="b")],
                "components: got 'a, b'; expected at most one component without a percentage (the balance)",
            ),
            (
                [
                    VehicleComponent(name="a", percent=Q_(60, "%")),
                    VehicleComponent(name="b", percent=Q_(50, "%")),
                ],
                "components: got '110 %'; expected percentages (v/v) that add up to 100 %, or to less with one balance component",
            ),
            (
                [VehicleComponent(name="a", percent=Q_(60, "%"))],
                "components: got '60 %'; expected percentages (v/v) that add up to 100 %, or to less with one balance component",
            ),
        ],
    )
    def test_invalid(self, components, message):
        """Shares that cannot make the final volume are refused with the reason."""
        with pytest.raises(InputError) as info:
            Vehicle(name="v", components=components)

        assert message == str(info.value)


class TestGroup:
    """A group receives each regimen as drug or as vehicle, never both."""

    def test_valid(self):
        """A group with a drug and a vehicle regimen is built."""
        group = Group(
            name="g",
            condition="naive",
            drug=("a",),
            vehicle=("b",),
            n=fact(8),
            status=Status.ASSUMED,
            source="why",
        )

        assert ("a",) == group.drug

    def test_both(self):
        """A regimen in drug and in vehicle is refused."""
        with pytest.raises(InputError) as info:
            Group(
                name="g",
                condition="naive",
                drug=("a",),
                vehicle=("a",),
                n=fact(8),
                status=Status.ASSUMED,
                source="why",
            )

        assert "vehicle: got 'a'; expected each regimen in drug or in vehicle, not both" == str(
            info.value
        )

    @pytest.mark.parametrize("n", [0, -1, True, "8", 10_001, 10**9])
    def test_invalid_n(self, n):
        """n must be a whole number from 1 to 10,000; 10,001 is just past the bound."""
        with pytest.raises(InputError) as info:
            Group(name="g", condition="naive", n=fact(n), status=Status.ASSUMED, source="why")

        assert "expected a whole number of animals from 1 to 10,000" in str(info.value)

    @pytest.mark.parametrize("n", [1, 10_000])
    def test_n_bounds(self, n):
        """1 and 10,000 animals, the two ends of the range, are accepted."""
        group = Group(name="g", condition="naive", n=fact(n), status=Status.ASSUMED, source="why")

        assert n == group.n.value


class TestTimelineEvent:
    """Timeline events check their days, times, durations and regimen."""

    def test_administrations(self):
        """A dosing event gives one dose at each time on each day: 7 days x 2 times = 14."""
        event = TimelineEvent(
            kind=EventKind.DOSING,
            what="dose",
            regimen="r",
            days=fact(tuple(range(5, 12))),
            times=fact(("08:00", "20:00")),
        )

        assert 14 == event.administrations

    def test_administrations_without_times(self):
        """Without clock times a dosing event gives one dose a day."""
        event = TimelineEvent(
            kind=EventKind.DOSING, what="dose", regimen="r", days=fact((7, 8, 9, 10))
        )

        assert 4 == event.administrations

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            (
                {"days": fact(())},
                InputError,
                "days: got ''; expected a non-empty list of whole day numbers in increasing order",
            ),
            (
                {"days": fact((2, 1))},
                InputError,
                "days: got '2, 1'; expected a non-empty list of whole day numbers in increasing order",
            ),
            (
                {"days": fact((1, 1))},
                InputError,
                "days: got '1, 1'; expected a non-empty list of whole day numbers in increasing order",
            ),
            (
                {"days": fact((1,)), "times": fact(("9:00",))},
                InputError,
                "times: got '9:00'; expected a non-empty list of clock times 'HH:MM' (24 h) in increasing order",
            ),
            (
                {"days": fact((1,)), "times": fact(("24:00",))},
                InputError,
                "times: got '24:00'; expected a non-empty list of clock times 'HH:MM' (24 h) in increasing order",
            ),
            (
                {"days": fact((1,)), "times": fact(("20:00", "08:00"))},
                InputError,
                "times: got '20:00, 08:00'; expected a non-empty list of clock times 'HH:MM' (24 h) in increasing order",
            ),
            (
                {"days": fact((1,)), "regimen": "r", "after_dose": fact((Q_(1, "mg"),))},
                QuantityError,
                "after_dose: got '1 milligram'; expected a duration, e.g. '24 h' or '30 min'",
            ),
            (
                {"days": fact((1,)), "regimen": "r", "after_dose": fact((Q_(3, "h"), Q_(1, "h")))},
                InputError,
                "after_dose: got \"['3 hour', '1 hour']\"; expected durations in increasing order",
            ),
            (
                {"days": fact((1,)), "after_dose": fact((Q_(1, "h"),))},
                InputError,
                "regimen: not given; expected the regimen whose doses after_dose counts from",
            ),
        ],
    )
    def test_invalid(self, kwargs, error, message):
        """Each broken event names the field, what it got and what was expected."""
        with pytest.raises(error) as info:
            TimelineEvent(kind=EventKind.TEST, what="test", **kwargs)

        assert message == str(info.value)

    def test_dosing_needs_regimen(self):
        """A dosing event must name the regimen it doses."""
        with pytest.raises(InputError) as info:
            TimelineEvent(kind=EventKind.DOSING, what="dose", days=fact((1,)))

        assert "regimen: not given; expected the id of the regimen dosed" == str(info.value)

    def test_after_dose_not_on_dosing(self):
        """A dosing event cannot be timed after a dose."""
        with pytest.raises(InputError):
            TimelineEvent(
                kind=EventKind.DOSING,
                what="dose",
                regimen="r",
                days=fact((1,)),
                after_dose=fact((Q_(1, "h"),)),
            )


class TestScheduleHours:
    """schedule_hours puts every administration on one clock, in hours from day 0 at 00:00."""

    def test_twice_daily(self):
        """Days 5 and 6 at 08:00 and 20:00 are 128, 140, 152 and 164 h."""
        event = TimelineEvent(
            kind=EventKind.DOSING,
            what="d",
            regimen="r",
            days=fact((5, 6)),
            times=fact(("08:00", "20:00")),
        )

        assert [Decimal(128), Decimal(140), Decimal(152), Decimal(164)] == schedule_hours((event,))

    def test_half_hours(self):
        """07:30 on day 0 is 7.5 h."""
        event = TimelineEvent(
            kind=EventKind.DOSING, what="d", regimen="r", days=fact((0,)), times=fact(("07:30",))
        )

        assert [Decimal("7.5")] == schedule_hours((event,))


class TestShippedProtocols:
    """Every shipped protocol loads, names its regimens and marks what is assumed."""

    def test_the_shipped_ones(self):
        """The six protocols the issue asks for are shipped, and nothing else."""
        assert SHIPPED == list(list_protocols())

    @pytest.mark.parametrize("protocol_id", SHIPPED)
    def test_loads(self, protocol_id, reference):
        """Each loads by id, with its file stem as id, for the species of its regimens."""
        protocol = load_protocol(protocol_id)

        assert protocol_id == protocol.id
        for regimen_id in protocol.regimens:
            assert reference.find_regimen(regimen_id).species.value == protocol.species.value

    @pytest.mark.parametrize("protocol_id", SHIPPED)
    def test_assumed_values_say_why(self, protocol_id):
        """Every assumed fact has a reason of more than a few words."""
        protocol = load_protocol(protocol_id)

        for key, value in facts_of(protocol):
            if value.assumed:
                assert len(value.source.split()) >= 3, key

    @pytest.mark.parametrize(
        ("protocol_id", "regimens", "groups", "animals"),
        [
            ("obara2011-cci779-acute", ("obara2011-cci779-single",), 5, 40),
            ("obara2011-cci779-chronic", ("obara2011-cci779-4daily",), 5, 40),
            ("obara2011-cci779-inflammatory", ("obara2011-cci779-single-inflammatory",), 4, 32),
            ("obara2011-torin1-acute", ("obara2011-torin1-single",), 4, 32),
            ("obara2011-torin1-chronic", ("obara2011-torin1-4daily",), 4, 32),
            (
                "xu2014-rapamycin-it",
                ("xu2014-morphine-it-repeated", "xu2014-rapamycin-it-prevention"),
                4,
                32,
            ),
        ],
    )
    def test_contents(self, protocol_id, regimens, groups, animals):
        """Each names its regimens, its groups and (with n = 8 per group, assumed) its animals."""
        protocol = load_protocol(protocol_id)

        assert regimens == protocol.regimens
        assert groups == len(protocol.group)
        assert animals == protocol.animals

    def test_acute_values(self, acute):
        """The acute protocol: 25 mg/kg stated, 10 mL/kg assumed, male C57BL/6 mice (MeSH)."""
        (treatment,) = acute.treatment

        assert Q_(25, "mg/kg") == treatment.dose.value
        assert Status.STATED == treatment.dose.status
        assert Q_(10, "mL/kg") == treatment.dose_volume.value
        assert Status.ASSUMED == treatment.dose_volume.status
        assert ("C57BL/6", Status.STATED) == (acute.strain.value, acute.strain.status)
        assert ("male", "MeSH terms (Male)") == (acute.sex.value, acute.sex.source)

    def test_acute_vehicle_in_order(self, acute):
        """The CCI-779 vehicle: ethanol, Tween-80 and PEG-400 at 5 % each, then saline to volume."""
        vehicle = acute.treatment[0].vehicle

        assert Status.ASSUMED == vehicle.status
        assert [
            ("ethanol (absolute)", Q_(5, "%")),
            ("Tween-80", Q_(5, "%")),
            ("PEG-400", Q_(5, "%")),
            ("0.9% saline", None),
        ] == [(c.name, c.percent) for c in vehicle.value.components]

    def test_acute_timeline(self, acute):
        """Acclimatisation, habituation, baseline, surgery, pre-dose test, dosing, tests, tissue."""
        kinds = [e.kind.value for e in acute.timeline]

        assert [
            "acclimatisation",
            "habituation",
            "baseline",
            "surgery",
            "test",
            "dosing",
            "test",
            "tissue",
        ] == kinds
        assert (Q_(1, "h"), Q_(3, "h"), Q_(24, "h")) == acute.timeline[6].after_dose.value

    def test_xu_schedule(self):
        """Xu: rapamycin at 07:30 and 19:30, morphine at 08:00 and 20:00, days 5 to 11: 14 doses each."""
        protocol = load_protocol("xu2014-rapamycin-it")

        for regimen in protocol.regimens:
            assert 14 == sum(e.administrations for e in protocol.dosing(regimen))
        assert ("07:30", "19:30") == protocol.dosing("xu2014-rapamycin-it-prevention")[
            0
        ].times.value

    def test_torin1_chronic_schedule_is_assumed(self):
        """Torin1 chronic: the abstract gives no schedule, so the dosing days are assumed and say so."""
        protocol = load_protocol("obara2011-torin1-chronic")
        (event,) = protocol.dosing("obara2011-torin1-4daily")

        assert Status.ASSUMED == event.days.status
        assert "no Torin1 schedule in the abstract" in event.days.source


class TestLoadProtocolErrors:
    """Each broken protocol file gives one DataFileError: file, key path, what was expected."""

    @pytest.mark.parametrize(
        ("old", "new", "key", "message"),
        [
            pytest.param(
                "version = 1\n",
                'version = 1\ncolour = "brown"\n',
                "",
                "unknown key(s) colour; expected only: id, title, version, citation, based_on, summary, "
                "species, strain, sex, age, day_zero, notes, treatment, group, timeline",
                id="unknown key",
            ),
            pytest.param(
                'dose = { value = "25 mg/kg", status = "stated", source = "abstract" }',
                'dose = { value = "25 mg/kg", status = "stated", source = "abstract", page = 3 }',
                "treatment[0].dose",
                "unknown key(s) page; expected only: value, status, source, citation, note",
                id="unknown key in a fact",
            ),
            pytest.param(
                'title = "Temsirolimus (CCI-779) 25 mg/kg i.p., one dose, in mice with spared nerve injury"\n',
                "",
                "title",
                "required key missing",
                id="missing key",
            ),
            pytest.param(
                'dose = { value = "25 mg/kg", status = "stated", source = "abstract" }\n',
                "",
                "treatment[0].dose",
                "required key missing",
                id="missing fact",
            ),
            pytest.param(
                "n = { value = 8,",
                'n = { value = "eight",',
                "group[0].n.value",
                "expected a whole number; got 'eight'",
                id="wrong type: text for a number",
            ),
            pytest.param(
                "n = { value = 8,",
                "n = { value = 8.5,",
                "group[0].n.value",
                "expected a whole number; got 8.5",
                id="wrong type: fraction for a whole number",
            ),
            pytest.param(
                'condition = "nerve injury"',
                "condition = 5",
                "group[0].condition",
                "expected a text in quotes; got 5",
                id="wrong type: number for a text",
            ),
            pytest.param(
                'vehicle = ["obara2011-cci779-single"]',
                'vehicle = "obara2011-cci779-single"',
                "group[0].vehicle",
                'expected a list, e.g. ["a", "b"]; got \'obara2011-cci779-single\'',
                id="wrong type: text for a list",
            ),
            pytest.param(
                'status = "assumed"\nsource = "the abstract does not mention',
                'status = "maybe"\nsource = "the abstract does not mention',
                "group[0].status",
                "expected one of 'stated', 'derived', 'assumed'",
                id="bad status",
            ),
            pytest.param(
                'dose = { value = "25 mg/kg", status = "stated"',
                'dose = { value = "25 mg/kg", status = "guessed"',
                "treatment[0].dose.status",
                "expected one of 'stated', 'derived', 'assumed'",
                id="bad fact status",
            ),
            pytest.param(
                'kind = "tissue"',
                'kind = "necropsy"',
                "timeline[7].kind",
                "expected one of 'acclimatisation', 'habituation', 'baseline', 'surgery', 'induction', "
                "'dosing', 'test', 'tissue', 'other'",
                id="bad event kind",
            ),
            pytest.param(
                'dose_volume = { value = "10 mL/kg"',
                'dose_volume = { value = "10 mg"',
                "treatment[0].dose_volume",
                "got '10 milligram'; expected a dose volume per body mass, e.g. '10 mL/kg' or '10 uL/g' "
                "or a volume, e.g. '0.25 mL'",
                id="dose volume given as a mass",
            ),
            pytest.param(
                'dose = { value = "25 mg/kg"',
                'dose = { value = "25 %"',
                "treatment[0].dose",
                "got '25 percent'; expected a dose per body mass, e.g. '25 mg/kg', '25 mcg/g' or '40 umol/kg' "
                "or a dose per body surface area, e.g. '75 mg/m2' or an amount of compound (a mass or an "
                "amount of substance), e.g. '0.5 mg' or '2 umol'",
                id="percentage as a dose",
            ),
            pytest.param(
                '{ name = "Tween-80", percent = "5 %" }',
                '{ name = "Tween-80", percent = "95 %" }',
                "treatment[0].vehicle.value.components",
                "got '105 %'; expected percentages (v/v) that add up to 100 %, or to less with one balance component",
                id="vehicle over 100 %",
            ),
            pytest.param(
                "days = { value = [-3, -2]",
                "days = { value = [-2, -3]",
                "timeline[1].days",
                "got '-2, -3'; expected a non-empty list of whole day numbers in increasing order",
                id="days out of order",
            ),
            pytest.param(
                'what = "CCI-779 25 mg/kg or vehicle, i.p."\nregimen = "obara2011-cci779-single"\n',
                'what = "CCI-779 25 mg/kg or vehicle, i.p."\n',
                "timeline[5].regimen",
                "not given; expected the id of the regimen dosed",
                id="dosing without regimen",
            ),
            pytest.param(
                'n = { value = 8, status = "assumed", source = "n per group is not in the abstract; 8 is a placeholder: set n from a power calculation" }',
                "n = 8",
                "group[0].n",
                'expected a table such as { value = ..., status = "stated", source = "where it says so" }',
                id="bare value for a fact (no Python type names)",
            ),
            pytest.param(
                'dose = { value = "25 mg/kg", status = "stated", source = "abstract" }',
                'dose = ["25 mg/kg"]',
                "treatment[0].dose",
                'expected a table such as { value = ..., status = "stated", source = "where it says so" }',
                id="list for a fact",
            ),
        ],
    )
    def test_structure(self, write, old, new, key, message):
        """A malformed file names the file, the key path and what was expected."""
        assert old in ACUTE
        path = write(ACUTE.replace(old, new, 1))

        with pytest.raises(DataFileError) as info:
            load_protocol(path)

        assert (f"{path}: {key}: {message}" if key else f"{path}: {message}") == str(info.value)
        assert key == info.value.key

    @pytest.mark.parametrize(
        ("old", "new", "key", "message"),
        [
            pytest.param(
                'regimen = "obara2011-cci779-single"\ndose',
                'regimen = "obara2011-cci779-singel"\ndose',
                "treatment[0].regimen",
                "unknown regimen 'obara2011-cci779-singel'; known: obara2011-cci779-4daily, obara2011-cci779-single, "
                "obara2011-cci779-single-inflammatory, obara2011-torin1-4daily, obara2011-torin1-single, "
                "xu2014-morphine-it-repeated, xu2014-rapamycin-it-prevention, xu2014-rapamycin-it-reversal "
                "(and 7 more problem(s))",
                id="unknown regimen",
            ),
            pytest.param(
                'species = { value = "mouse"',
                'species = { value = "gerbil"',
                "species.value",
                "unknown species 'gerbil'; known: baboon, child, dog, ferret, guinea-pig, hamster, human, "
                "marmoset, micro-pig, mini-pig, monkey, mouse, rabbit, rat, squirrel-monkey (and 1 more problem(s))",
                id="unknown species",
            ),
            pytest.param(
                'species = { value = "mouse"',
                'species = { value = "rat"',
                "treatment[0].regimen",
                "regimen 'obara2011-cci779-single' is for mouse, but the protocol's species is 'rat'",
                id="species of another regimen",
            ),
            pytest.param(
                'dose = { value = "25 mg/kg", status = "stated", source = "abstract" }',
                'dose = { value = "25 mg/kg", status = "stated", source = "abstract" }\n'
                'form = { value = "morphine", status = "assumed", source = "a test" }',
                "treatment[0].form.value",
                "unknown form 'morphine' of temsirolimus; known: temsirolimus",
                id="unknown form (compound reference)",
            ),
            pytest.param(
                'citation = "obara2011"',
                'citation = "obara2012"',
                "citation",
                "unknown citation 'obara2012'; known: compounds, diehl2001, fda2005, obara2011, "
                "planner-equipment, xu2014",
                id="unknown citation",
            ),
            pytest.param(
                'drug = ["obara2011-cci779-single"]',
                'drug = ["obara2011-torin1-single"]',
                "group[1].drug[0]",
                "regimen 'obara2011-torin1-single' is not among this protocol's treatments: obara2011-cci779-single",
                id="group names a regimen not given",
            ),
            pytest.param(
                'name = "sham + vehicle"',
                'name = "nerve injury + vehicle"',
                "group[2].name",
                "group name 'nerve injury + vehicle' is used twice",
                id="duplicate group",
            ),
        ],
    )
    def test_references(self, write, old, new, key, message):
        """A reference to an unknown regimen, species, form or citation is named with its key path."""
        assert old in ACUTE
        path = write(ACUTE.replace(old, new, 1))

        with pytest.raises(DataFileError) as info:
            load_protocol(path)

        assert f"{path}: {key}: {message}" == str(info.value)

    def test_alongside_needs_its_treatment(self, write):
        """A regimen given alongside another needs a treatment for that one too."""
        text = (PROTOCOLS / "xu2014-rapamycin-it.toml").read_text(encoding="utf-8")
        start = text.index("[[treatment]]")
        end = text.index("[[treatment]]", start + 1)
        path = write(text[:start] + text[end:])

        with pytest.raises(DataFileError) as info:
            load_protocol(path)

        assert str(info.value).startswith(
            f"{path}: treatment[0].regimen: regimen 'xu2014-rapamycin-it-prevention' is given alongside "
            "'xu2014-morphine-it-repeated': add a [[treatment]] for 'xu2014-morphine-it-repeated'"
        )

    def test_id_key(self, write):
        """A protocol's id is its file name: an id key is refused."""
        path = write('id = "other"\n' + ACUTE)

        with pytest.raises(DataFileError) as info:
            load_protocol(path)

        assert (
            f"{path}: id: unknown key(s) id; a protocol's id is its file name ('tiny'): remove the key"
            == str(info.value)
        )

    def test_missing_file(self, tmp_path):
        """A missing file is named."""
        path = tmp_path / "nothing.toml"

        with pytest.raises(DataFileError) as info:
            load_protocol(path)

        assert f"{path}: no such file" == str(info.value)

    def test_invalid_toml(self, write):
        """A file that is not TOML is named as such."""
        path = write(ACUTE + "version = = 2\n")

        with pytest.raises(DataFileError) as info:
            load_protocol(path)

        assert str(info.value).startswith(f"{path}: not valid TOML: ")

    def test_unknown_id(self):
        """An id that is no shipped protocol is an UnknownNameError listing the known ones."""
        with pytest.raises(UnknownNameError) as info:
            load_protocol("obara2011-cci779-acut")

        assert (
            "unknown protocol 'obara2011-cci779-acut'; did you mean 'obara2011-cci779-acute', "
            "'obara2011-cci779-chronic', 'obara2011-cci779-inflammatory'? Known: obara2011-cci779-acute, "
            "obara2011-cci779-chronic, obara2011-cci779-inflammatory, obara2011-torin1-acute, "
            "obara2011-torin1-chronic, xu2014-rapamycin-it"
        ) == str(info.value)

    def test_errors_are_planner_errors(self, write):
        """Every loader error is a PlannerError (the CLI turns it into exit 2)."""
        path = write(ACUTE.replace("version = 1", "version = 0"))

        with pytest.raises(PlannerError):
            load_protocol(path)


# --- round trips -----------------------------------------------------------------------------


def _reload(protocol: Protocol) -> Protocol:
    """Dump a protocol to TOML text, parse it and structure it again."""
    text = dumps(protocol_data(protocol))
    return structure_protocol(
        tomllib.loads(text), protocol_id=protocol.id, path=Path(f"{protocol.id}.toml")
    )


class TestRoundTrip:
    """load -> dump (unstructure to TOML-able data, then TOML text) -> load gives an equal protocol."""

    @pytest.mark.parametrize("protocol_id", SHIPPED)
    def test_shipped(self, protocol_id):
        """Each shipped protocol survives the round trip unchanged."""
        protocol = load_protocol(protocol_id)

        assert protocol == _reload(protocol)

    @pytest.mark.parametrize("protocol_id", SHIPPED)
    def test_data_round_trip(self, protocol_id):
        """The unstructured data structures back into an equal protocol without going through text."""
        protocol = load_protocol(protocol_id)

        assert protocol == structure_protocol(
            protocol_data(protocol), protocol_id=protocol_id, path=Path("x.toml")
        )

    def test_data_is_plain(self, acute):
        """The dumped data holds only TOML types, quantities as text, and no id."""
        data = protocol_data(acute)

        assert "id" not in data
        assert 1 == data["version"]
        assert {"value": "10 mL/kg", "status": "assumed"} == {
            k: data["treatment"][0]["dose_volume"][k] for k in ("value", "status")
        }
        assert ["1 h", "3 h", "24 h"] == data["timeline"][6]["after_dose"]["value"]


_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda s: s.strip())
_DAYS = st.lists(st.integers(-100, 100), min_size=1, max_size=8, unique=True).map(
    lambda xs: tuple(sorted(xs))
)
_DURATIONS = st.lists(st.integers(1, 10_000), min_size=1, max_size=4, unique=True).map(
    lambda xs: tuple(Q_(x, "min") for x in sorted(xs))
)
_STATUS = st.sampled_from(list(Status))


@st.composite
def _variants(draw, base: Protocol):
    """A shipped protocol with texts, statuses, numbers, days and durations replaced at random
    (group sizes kept within the doses a plan may hold: MAX_DOSES)."""
    doses = sum(e.administrations for e in base.timeline if e.kind is EventKind.DOSING)
    largest = min(MAX_GROUP_SIZE, MAX_DOSES // (len(base.group) * doses))
    group = [
        attrs.evolve(
            g,
            name=f"{i} {draw(_TEXT)}",
            n=Fact(value=draw(st.integers(1, largest)), status=draw(_STATUS), source=draw(_TEXT)),
        )
        for i, g in enumerate(base.group)
    ]
    timeline = []
    for event in base.timeline:
        changed = attrs.evolve(event, what=draw(_TEXT))
        if event.after_dose is not None:
            changed = attrs.evolve(
                changed,
                after_dose=Fact(value=draw(_DURATIONS), status=Status.ASSUMED, source=draw(_TEXT)),
            )
        if event.kind is not EventKind.DOSING:
            changed = attrs.evolve(
                changed, days=Fact(value=draw(_DAYS), status=draw(_STATUS), source=draw(_TEXT))
            )
        timeline.append(changed)
    volume = Q_(draw(st.integers(1, 10**6)), "uL/g")
    treatment = [
        attrs.evolve(
            t,
            dose_volume=Fact(
                value=volume,
                status=Status.ASSUMED,
                source=draw(_TEXT),
                note=draw(st.one_of(st.just(""), _TEXT)),
            ),
        )
        for t in base.treatment
    ]
    return attrs.evolve(
        base,
        title=draw(_TEXT),
        summary=draw(st.one_of(st.just(""), _TEXT)),
        version=draw(st.integers(1, 99)),
        notes=tuple(draw(st.lists(_TEXT, max_size=3))),
        group=tuple(group),
        timeline=tuple(timeline),
        treatment=tuple(treatment),
    )


class TestRoundTripProperty:
    """Any texts (quotes, backslashes, control characters, any script) survive the TOML writer."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def test_round_trip(self, data):
        """A protocol with random texts and numbers dumps to TOML and loads back equal."""
        base = load_protocol(data.draw(st.sampled_from(SHIPPED)))
        protocol = data.draw(_variants(base))

        assert protocol == _reload(protocol)
