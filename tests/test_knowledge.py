"""
Tests for the knowledge base: documented regimens and studies in seeds/ (planner.knowledge.regimens and
their loader), the checks a protocol runs and starter protocols (planner.knowledge.catalog), and the
TOML writer (planner.knowledge._toml).

Expected values are written by hand from the seed documents (the Obara 2011 abstract and MeSH
terms, the Xu 2014 abstract and press summary) and from arithmetic done here, never computed
by the code under test.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import api
from planner._resources import data_dir
from planner.checks import protocol as protocol_rules
from planner.errors import DataFileError, InputError, OutputError, UnknownNameError
from planner.findings import Level
from planner.knowledge import catalog as knowledge
from planner.knowledge import protocols, starter
from planner.knowledge._toml import dumps
from planner.knowledge.loading import load_protocol, load_reference, load_seed_file
from planner.knowledge.protocols import EventKind, Protocol
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Route
from planner.knowledge.regimens import Regimen, least_certain
from planner.study import checking
from planner.units.registry import Q_

TABLES = """
[citation]
key = "tiny"
short = "Tiny 2024"
title = "A tiny table"

[[species]]
id = "mouse"
name = "mouse"
km = { value = "3", status = "stated", source = "Table 1" }
reference_weight = { value = "0.02 kg", status = "stated", source = "Table 1" }

[[compound]]
id = "drugx"
name = "drug X"

[[compound.forms]]
id = "drugx"
name = "drug X"
molar_mass = { value = "500 g/mol", status = "stated", source = "label" }
"""
"""A tiny reference table: one species and one compound."""

PAPER = """
[citation]
key = "paper"
short = "Paper 2020"
title = "A paper"

[[study]]
id = "paper"
title = "A study of drug X"

[[study.models]]
id = "injury"
kind = { value = "nerve injury", status = "stated", source = "abstract" }

[[regimen]]
id = "paper-x-daily"
name = "drug X 10 mg/kg i.p. once daily for 3 days"
study = "paper"
model = "injury"
source = "abstract"
compound = { value = "drugx", status = "stated", source = "abstract" }
dose = { value = "10 mg/kg", status = "stated", source = "abstract" }
route = { value = "ip", status = "stated", source = "abstract" }
doses = { value = 3, status = "stated", source = "abstract" }
interval = { value = "24 h", status = "stated", source = "abstract" }
species = { value = "mouse", status = "stated", source = "abstract" }
"""
"""A tiny paper file: one study and one regimen that refers to the tiny table."""

SHIPPED_REGIMENS = [
    "obara2011-cci779-single",
    "obara2011-cci779-4daily",
    "obara2011-torin1-single",
    "obara2011-torin1-4daily",
    "obara2011-cci779-single-inflammatory",
    "xu2014-morphine-it-repeated",
    "xu2014-rapamycin-it-prevention",
    "xu2014-rapamycin-it-reversal",
]


def fact(value, status=Status.STATED, source="abstract"):
    """A fact with a default status and source."""
    return Fact(value=value, status=status, source=source)


@pytest.fixture(name="no_disk_cache", autouse=True)
def _no_disk_cache(monkeypatch):
    """Keep these tests off the on-disk cache of reference data."""
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")


@pytest.fixture(name="folder")
def _folder(tmp_path):
    """Return a function that writes the tiny table and a paper text into tmp_path; it returns the paper's path."""

    def folder(paper: str) -> Path:
        (tmp_path / "a-tables.toml").write_text(TABLES, encoding="utf-8")
        path = tmp_path / "b-paper.toml"
        path.write_text(paper, encoding="utf-8")
        return path

    return folder


class TestRegimen:
    """A Regimen checks its schedule and tells which of its values are assumed."""

    def _regimen(self, **changes):
        values = {
            "id": "r",
            "name": "r",
            "study": "s",
            "source": "abstract",
            "compound": fact("drugx"),
            "dose": fact(Q_(25, "mg/kg")),
            "route": fact(Route.IP),
            "doses": fact(4),
            "interval": fact(Q_(24, "h")),
            "species": fact("mouse"),
        }
        return Regimen(**{**values, **changes})

    def test_stated(self):
        """A regimen whose schedule values are all stated has status stated and nothing assumed."""
        regimen = self._regimen()

        assert (Status.STATED, ()) == (regimen.status, regimen.assumed_fields)

    def test_assumed(self):
        """One assumed value makes the regimen assumed and is named."""
        regimen = self._regimen(
            doses=fact(4, Status.ASSUMED, "no schedule"),
            interval=fact(Q_(24, "h"), Status.ASSUMED, "x"),
        )

        assert (Status.ASSUMED, ("doses", "interval")) == (regimen.status, regimen.assumed_fields)

    def test_derived(self):
        """A derived value, with none assumed, makes the regimen derived."""
        regimen = self._regimen(dose=fact(Q_(25, "mg/kg"), Status.DERIVED, "computed"))

        assert Status.DERIVED == regimen.status

    def test_per_animal_dose(self):
        """A fixed dose per animal (intrathecal micrograms) is a valid dose."""
        regimen = self._regimen(dose=fact(Q_(10, "mcg")), route=fact(Route.IT))

        assert Q_(10, "ug") == regimen.dose.value

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            (
                {"interval": None},
                "interval: not given; expected an interval (e.g. '24 h') when doses is more than 1",
            ),
            ({"doses": fact(1)}, "interval: got '24 hour'; expected no interval for a single dose"),
            ({"doses": fact(0)}, "doses: got '0'; expected a whole number of at least 1"),
            (
                {"dose": fact(Q_(10, "mL/kg"))},
                "dose: got '10 milliliter / kilogram'; expected a dose per body mass, e.g. '25 mg/kg', '25 mcg/g' or "
                "'40 umol/kg' or a dose per body surface area, e.g. '75 mg/m2' or an amount of compound (a mass or an "
                "amount of substance), e.g. '0.5 mg' or '2 umol'",
            ),
            (
                {"interval": fact(Q_(24, "mg"))},
                "interval: got '24 milligram'; expected a duration, e.g. '24 h' or '30 min'",
            ),
            ({"compound": fact("  ")}, "compound: got '  '; expected a non-empty text"),
        ],
    )
    def test_invalid(self, changes, message):
        """Each inconsistent regimen is refused, naming the field."""
        with pytest.raises(InputError) as info:
            self._regimen(**changes)

        assert message == str(info.value)

    def test_least_certain_empty(self):
        """No facts at all count as stated."""
        assert Status.STATED == least_certain([])


class TestShippedRegimens:
    """The documented regimens say what the abstracts state, and mark the rest assumed."""

    def test_ids(self, reference):
        """Eight regimens are documented, in the order of the seed files."""
        assert SHIPPED_REGIMENS == [r.id for r in reference.regimens]

    @pytest.mark.parametrize(
        ("regimen_id", "compound", "dose", "route", "doses", "interval", "species", "assumed"),
        [
            (
                "obara2011-cci779-single",
                "temsirolimus",
                Q_(25, "mg/kg"),
                Route.IP,
                1,
                None,
                "mouse",
                (),
            ),
            (
                "obara2011-cci779-4daily",
                "temsirolimus",
                Q_(25, "mg/kg"),
                Route.IP,
                4,
                Q_(24, "h"),
                "mouse",
                (),
            ),
            ("obara2011-torin1-single", "torin1", Q_(20, "mg/kg"), Route.IP, 1, None, "mouse", ()),
            (
                "obara2011-torin1-4daily",
                "torin1",
                Q_(20, "mg/kg"),
                Route.IP,
                4,
                Q_(24, "h"),
                "mouse",
                ("doses", "interval"),
            ),
            (
                "obara2011-cci779-single-inflammatory",
                "temsirolimus",
                Q_(25, "mg/kg"),
                Route.IP,
                1,
                None,
                "mouse",
                ("dose", "route", "doses"),
            ),
            (
                "xu2014-morphine-it-repeated",
                "morphine",
                Q_(10, "mcg"),
                Route.IT,
                14,
                Q_(12, "h"),
                "rat",
                ("dose", "doses", "interval"),
            ),
            (
                "xu2014-rapamycin-it-prevention",
                "rapamycin",
                Q_(1, "mcg"),
                Route.IT,
                14,
                Q_(12, "h"),
                "rat",
                ("dose", "doses", "interval"),
            ),
            (
                "xu2014-rapamycin-it-reversal",
                "rapamycin",
                Q_(1, "mcg"),
                Route.IT,
                4,
                Q_(12, "h"),
                "rat",
                ("dose", "doses", "interval"),
            ),
        ],
    )
    def test_values(
        self, reference, regimen_id, compound, dose, route, doses, interval, species, assumed
    ):
        """Compound, dose, route, number of doses, interval and species, and which of them are assumed."""
        regimen = reference.find_regimen(regimen_id)

        assert compound == regimen.compound.value
        assert dose == regimen.dose.value
        assert route is regimen.route.value
        assert doses == regimen.doses.value
        assert interval == (regimen.interval.value if regimen.interval else None)
        assert species == regimen.species.value
        assert assumed == regimen.assumed_fields

    def test_obara_citation(self, reference):
        """Obara 2011: journal, DOI and PMID as on PubMed; the authors beyond the first are not on record."""
        citation = reference.citation("obara2011")

        assert (
            "Obara I, et al.",
            "Pain 152(11):2582-2595",
            2011,
            "10.1016/j.pain.2011.07.025",
            "21917376",
        ) == (citation.authors, citation.journal, citation.year, citation.doi, citation.pmid)

    def test_xu_citation(self, reference):
        """Xu 2014: J Clin Invest 124(2):592-603, doi 10.1172/JCI70236, 13 authors from Xu JT to Tao YX."""
        citation = reference.citation("xu2014")
        authors = citation.authors.split(", ")

        assert ("J Clin Invest 124(2):592-603", "10.1172/JCI70236") == (
            citation.journal,
            citation.doi,
        )
        assert (13, "Xu JT", "Tao YX") == (len(authors), authors[0], authors[-1])

    def test_obara_animals(self, reference):
        """Male C57BL/6 mice, both stated by the MeSH terms."""
        study = reference.find_study("obara2011")

        assert ("C57BL/6", Status.STATED, "MeSH terms (Mice, Inbred C57BL)") == (
            study.strain.value,
            study.strain.status,
            study.strain.source,
        )
        assert ("male", Status.STATED) == (study.sex.value, study.sex.status)

    def test_obara_models(self, reference):
        """Both models are stated as kinds; their names (SNI, CFA) are recalled, so assumed."""
        study = reference.find_study("obara2011")

        assert [
            ("nerve-injury", Status.STATED, Status.ASSUMED),
            ("inflammatory", Status.STATED, Status.ASSUMED),
        ] == [(m.id, m.kind.status, m.name.status) for m in study.models]

    def test_obara_outcomes_and_controls(self, reference):
        """Mechanical, cold and heat hypersensitivity are stated; naive and sham controls stated, vehicle assumed."""
        study = reference.find_study("obara2011")

        assert (
            "mechanical hypersensitivity",
            "cold hypersensitivity",
            "heat hypersensitivity",
        ) == study.outcomes.value
        assert [Status.STATED, Status.STATED, Status.ASSUMED] == [c.status for c in study.controls]

    def test_results_are_stated(self, reference):
        """Every result is stated by the abstract (or, for Xu, the press summary)."""
        for study in reference.studies:
            assert all(r.status is Status.STATED for r in study.results), study.id

    def test_xu_strain_assumed(self, reference):
        """Xu 2014: the strain is not on record, so Sprague-Dawley is assumed and says it is recalled."""
        strain = reference.find_study("xu2014").strain

        assert (Status.ASSUMED, True) == (strain.status, "recalled" in strain.source)

    def test_alongside(self, reference):
        """The rapamycin regimens are given alongside the repeated morphine."""
        assert ("xu2014-morphine-it-repeated",) == reference.find_regimen(
            "xu2014-rapamycin-it-reversal"
        ).alongside

    def test_regimen_and_protocol_ids_differ(self, reference):
        """No regimen id is a protocol id, so 'planner show ID' is never ambiguous."""
        protocols = {p.stem for p in data_dir("protocols").glob("*.toml")}

        assert set() == protocols & {r.id for r in reference.regimens}

    def test_find_regimen_unknown(self, reference):
        """An unknown regimen id is an UnknownNameError with a suggestion."""
        with pytest.raises(UnknownNameError) as info:
            reference.find_regimen("obara2011-cci779-singel")

        assert str(info.value).startswith(
            "unknown regimen 'obara2011-cci779-singel'; did you mean 'obara2011-cci779-single'"
        )

    def test_find_study_unknown(self, reference):
        """An unknown study id is an UnknownNameError."""
        with pytest.raises(UnknownNameError):
            reference.find_study("nobody2020")


class TestSeedLoaderErrors:
    """Each broken regimen or study gives one DataFileError: file, key path, expected and found."""

    def test_tiny_valid(self, folder):
        """The tiny folder loads: one regimen with the paper's citation."""
        reference = load_reference(folder(PAPER).parent)
        (regimen,) = reference.regimens

        assert ("paper-x-daily", "paper", 3) == (regimen.id, regimen.citation, regimen.doses.value)

    @pytest.mark.parametrize(
        ("text", "key", "message"),
        [
            pytest.param(
                PAPER + 'colour = "brown"\n',
                "regimen[0]",
                "unknown key(s) colour; expected only: id, name, study, model, compound, dose, route, doses, "
                "interval, species, alongside, source, note, citation",
                id="unknown key",
            ),
            pytest.param(
                PAPER.replace(
                    'dose = { value = "10 mg/kg", status = "stated", source = "abstract" }\n', ""
                ),
                "regimen[0].dose",
                "required key missing",
                id="missing key",
            ),
            pytest.param(
                PAPER.replace("doses = { value = 3,", 'doses = { value = "3",'),
                "regimen[0].doses.value",
                "expected a whole number; got '3'",
                id="wrong type",
            ),
            pytest.param(
                PAPER.replace("doses = { value = 3,", "doses = { value = 2.5,"),
                "regimen[0].doses.value",
                "expected a whole number; got 2.5",
                id="fraction for a whole number",
            ),
            pytest.param(
                PAPER.replace(
                    'dose = { value = "10 mg/kg", status = "stated"',
                    'dose = { value = "10 mg/kg", status = "guessed"',
                ),
                "regimen[0].dose.status",
                "expected one of 'stated', 'derived', 'assumed'",
                id="bad status",
            ),
            pytest.param(
                PAPER.replace('route = { value = "ip"', 'route = { value = "intranasal"'),
                "regimen[0].route.value",
                "unknown route 'intranasal'; did you mean 'intravenously', 'intravenous', 'intrathecal'? "
                "Known: ip, sc, iv, po, im, it, gavage, intramuscular, intramuscularly, intraperitoneal, "
                "intraperitoneally, intrathecal, intrathecally, intravenous, intravenously, ivbolus, oral, "
                "orally, peroral, subcut, subcutaneous, subcutaneously",
                id="unknown route",
            ),
            pytest.param(
                PAPER.replace(
                    'interval = { value = "24 h", status = "stated", source = "abstract" }\n', ""
                ),
                "regimen[0].interval",
                "not given; expected an interval (e.g. '24 h') when doses is more than 1",
                id="interval missing",
            ),
            pytest.param(
                PAPER.replace(
                    "[[study.models]]",
                    'outcomes = { value = "pain", status = "stated", source = "abstract" }'
                    "\n\n[[study.models]]",
                ),
                "study[0].outcomes.value",
                'expected a list, e.g. ["a", "b"]; got \'pain\'',
                id="text for a list",
            ),
        ],
    )
    def test_structure(self, folder, text, key, message):
        """A malformed regimen or study is named with its key path."""
        path = folder(text)

        with pytest.raises(DataFileError) as info:
            load_seed_file(path)

        assert f"{path}: {key}: {message}" == str(info.value)

    @pytest.mark.parametrize(
        ("old", "new", "key", "message"),
        [
            pytest.param(
                'compound = { value = "drugx"',
                'compound = { value = "drugy"',
                "regimen[0].compound.value",
                "unknown compound 'drugy'; known: drugx",
                id="unknown compound",
            ),
            pytest.param(
                'species = { value = "mouse"',
                'species = { value = "gerbil"',
                "regimen[0].species.value",
                "unknown species 'gerbil'; known: mouse",
                id="unknown species",
            ),
            pytest.param(
                'study = "paper"',
                'study = "other"',
                "regimen[0].study",
                "unknown study 'other'; known: paper",
                id="unknown study",
            ),
            pytest.param(
                'model = "injury"',
                'model = "cfa"',
                "regimen[0].model",
                "unknown model 'cfa' in study 'paper'; known: injury",
                id="unknown model",
            ),
            pytest.param(
                'species = { value = "mouse", status = "stated", source = "abstract" }',
                'species = { value = "mouse", status = "stated", source = "abstract" }\nalongside = ["paper-y"]',
                "regimen[0].alongside[0]",
                "unknown regimen 'paper-y'; known: none",
                id="unknown regimen",
            ),
            pytest.param(
                'dose = { value = "10 mg/kg", status = "stated", source = "abstract" }',
                'dose = { value = "10 mg/kg", status = "stated", source = "abstract", citation = "nobody" }',
                "regimen[0].dose.citation",
                "unknown citation 'nobody'; known: paper, tiny",
                id="unknown citation",
            ),
        ],
    )
    def test_references(self, folder, old, new, key, message):
        """A regimen naming an unknown compound, species, study, model, regimen or citation is refused."""
        assert old in PAPER
        path = folder(PAPER.replace(old, new))

        with pytest.raises(DataFileError) as info:
            load_reference(path.parent)

        assert f"{path}: {key}: {message}" == str(info.value)

    def test_duplicate_id(self, folder):
        """Two regimens with one id are refused at the second."""
        path = folder(PAPER + PAPER[PAPER.index("[[regimen]]") :])

        with pytest.raises(DataFileError) as info:
            load_reference(path.parent)

        assert (
            f"{path}: regimen[1].id: regimen id 'paper-x-daily' is used twice; ids must be unique"
            == str(info.value)
        )


class TestLookup:
    """lookup finds a shipped protocol, a regimen or a protocol file."""

    def test_protocol(self):
        """A protocol id gives the protocol."""
        assert isinstance(knowledge.lookup("xu2014-rapamycin-it"), Protocol)

    def test_regimen(self):
        """A regimen id gives the regimen."""
        assert "obara2011-torin1-4daily" == knowledge.lookup("obara2011-torin1-4daily").id

    def test_file(self, tmp_path):
        """A path to a protocol file gives that protocol, with the file stem as id."""
        path = tmp_path / "mine.toml"
        path.write_text(
            (data_dir("protocols") / "obara2011-torin1-acute.toml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )

        assert "mine" == knowledge.lookup(str(path)).id

    def test_unknown(self):
        """An unknown id names both kinds and where it came from."""
        with pytest.raises(UnknownNameError) as info:
            knowledge.lookup("nothing")

        assert str(info.value).startswith("ID: unknown protocol or regimen 'nothing'.")


class TestProtocolFindings:
    """The checks a valid protocol runs: dose, schedule, interval, volume, solubility, assumed values."""

    @pytest.fixture(name="chronic")
    def _chronic(self):
        return load_protocol("obara2011-cci779-chronic")

    @pytest.fixture(name="xu")
    def _xu(self):
        return load_protocol("xu2014-rapamycin-it")

    def _codes(self, protocol, reference):
        # "no solubility on record" (info) is tested on its own below; the other tests look at
        # the rest.
        _, findings = checking.protocol_findings(protocol, reference)
        return [(f.level, f.code) for f in findings if f.code != "no-solubility-on-record"]

    @pytest.mark.parametrize(
        "protocol_id",
        [
            "obara2011-cci779-acute",
            "obara2011-cci779-chronic",
            "obara2011-cci779-inflammatory",
            "obara2011-torin1-acute",
            "obara2011-torin1-chronic",
            "xu2014-rapamycin-it",
        ],
    )
    def test_shipped_are_clean(self, protocol_id, reference):
        """Every shipped protocol checks clean: only the note that values are assumed."""
        assert [(Level.INFO, "assumed-values")] == self._codes(
            load_protocol(protocol_id), reference
        )

    def test_dose_for_reference_weight(self, chronic, reference):
        """25 mg/kg at 10 mL/kg for a 20 g mouse: 0.5 mg in 0.2 mL of 2.5 mg/mL."""
        (check,), _ = checking.protocol_findings(chronic, reference)

        assert (Q_("0.5", "mg"), Q_("0.2", "mL"), Q_("2.5", "mg/mL")) == (
            check.result.amount,
            check.result.volume,
            check.result.concentration,
        )

    def test_xu_doses(self, xu, reference):
        """Morphine 10 mcg in 10 mcL is 1 mg/mL; rapamycin 1 mcg in 10 mcL is 0.1 mg/mL."""
        checks, _ = checking.protocol_findings(xu, reference)

        assert [Q_(1, "mg/mL"), Q_("0.1", "mg/mL")] == [c.result.concentration for c in checks]

    def test_dose_differs(self, chronic, reference):
        """A dose other than the regimen's is an error naming both doses."""
        treatment = attrs.evolve(chronic.treatment[0], dose=fact(Q_(30, "mg/kg")))
        _, findings = checking.protocol_findings(
            attrs.evolve(chronic, treatment=(treatment,)), reference
        )
        (finding,) = [f for f in findings if f.code == "dose-differs-from-regimen"]

        assert Level.ERROR == finding.level
        assert (
            "dose 30 mg/kg differs from the 25 mg/kg of regimen obara2011-cci779-4daily"
            == finding.message
        )

    def test_same_dose_other_unit(self, chronic, reference):
        """25 mcg/g is the same dose as 25 mg/kg."""
        treatment = attrs.evolve(chronic.treatment[0], dose=fact(Q_(25, "mcg/g")))

        assert [(Level.INFO, "assumed-values")] == self._codes(
            attrs.evolve(chronic, treatment=(treatment,)), reference
        )

    def _with_dosing(self, protocol, days, times=None):
        events = []
        for event in protocol.timeline:
            if event.kind is EventKind.DOSING:
                event = attrs.evolve(
                    event,
                    days=fact(days, Status.ASSUMED, "a test"),
                    times=fact(times, Status.ASSUMED, "a test") if times else None,
                )
            events.append(event)
        return attrs.evolve(protocol, timeline=tuple(events))

    def test_schedule_too_few(self, chronic, reference):
        """Three dosing days for a 4-dose regimen is an error."""
        _, findings = checking.protocol_findings(self._with_dosing(chronic, (7, 8, 9)), reference)
        (finding,) = [f for f in findings if f.code == "schedule-differs-from-regimen"]

        assert (
            Level.ERROR,
            "the timeline gives 3 dose(s) of obara2011-cci779-4daily; the regimen has 4",
        ) == (finding.level, finding.message)

    def test_interval_differs(self, chronic, reference):
        """Days 7, 8, 10, 11 are 24 h and 48 h apart: a warning against the daily interval."""
        _, findings = checking.protocol_findings(
            self._with_dosing(chronic, (7, 8, 10, 11)), reference
        )
        (finding,) = [f for f in findings if f.code == "interval-differs-from-regimen"]

        assert (
            Level.WARNING,
            "doses of obara2011-cci779-4daily are 24 h, 48 h apart; the regimen gives one every 24 h",
        ) == (finding.level, finding.message)

    def test_twice_a_day_is_not_daily(self, chronic, reference):
        """
        4 doses on days 7 and 8 at 09:00 and 21:00: the right count but 12 h apart instead of 24 h;
        and both test events (after the doses of days 7 to 10, and 24 h after day 10's) now follow
        days without a dose.
        """
        protocol = self._with_dosing(chronic, (7, 8), ("09:00", "21:00"))

        assert [
            (Level.WARNING, "interval-differs-from-regimen"),
            (Level.WARNING, "test-without-dose"),
            (Level.WARNING, "test-without-dose"),
            (Level.INFO, "assumed-values"),
        ] == self._codes(protocol, reference)

    def test_volume_above_maximum(self, chronic, reference):
        """100 mL/kg i.p. in a mouse is above the 80 mL/kg maximum (Diehl et al. 2001): an error."""
        treatment = attrs.evolve(
            chronic.treatment[0], dose_volume=fact(Q_(100, "mL/kg"), Status.ASSUMED, "a test")
        )
        _, findings = checking.protocol_findings(
            attrs.evolve(chronic, treatment=(treatment,)), reference
        )

        assert (Level.ERROR, "volume-above-maximum") in [(f.level, f.code) for f in findings]

    def test_above_solubility(self, xu, reference):
        """200 mcg rapamycin in 10 mcL (20 mg/mL) with 10 % DMSO needs a 200 mg/mL stock: above 100 mg/mL."""
        treatment = attrs.evolve(xu.treatment[1], dose=fact(Q_(200, "mcg")))
        _, findings = checking.protocol_findings(
            attrs.evolve(xu, treatment=(xu.treatment[0], treatment)), reference
        )
        (finding,) = [f for f in findings if f.code == "above-solubility"]

        assert Level.ERROR == finding.level
        assert (
            "200 mg/mL of rapamycin in DMSO (the first component, 10 % of the final volume) is above its recorded "
            "solubility in DMSO, 100 mg/mL"
        ) == finding.message

    def test_at_solubility_passes(self, xu, reference):
        """100 mcg in 10 mcL (10 mg/mL) with 10 % DMSO is a 100 mg/mL stock: at the limit, no finding."""
        treatment = attrs.evolve(xu.treatment[1], dose=fact(Q_(100, "mcg")))
        _, findings = checking.protocol_findings(
            attrs.evolve(xu, treatment=(xu.treatment[0], treatment)), reference
        )

        assert [] == [
            f for f in findings if f.subject == treatment.regimen and "solubility" in f.code
        ]

    def test_no_solubility_on_record(self, chronic, reference):
        """Temsirolimus has no recorded ethanol solubility: 2.5 mg/mL / 5 % = a 50 mg/mL stock to check."""
        _, findings = checking.protocol_findings(chronic, reference)
        (finding,) = [f for f in findings if f.code == "no-solubility-on-record"]

        assert Level.INFO == finding.level
        assert (
            "no solubility of temsirolimus in ethanol (absolute) is on record: check that 50 mg/mL "
            "(the stock in the first component) dissolves before dosing"
        ) == finding.message

    def test_no_group_gets_the_drug(self, chronic, reference):
        """A treatment no group receives as drug is a warning."""
        groups = tuple(g for g in chronic.group if not g.drug)

        assert (Level.WARNING, "treatment-not-given") in self._codes(
            attrs.evolve(chronic, group=groups), reference
        )

    def test_assumed_count(self, reference):
        """The acute protocol: 22 of its 29 values are assumed (counted in the file: 24 facts, 5 group statuses)."""
        protocol = load_protocol("obara2011-cci779-acute")

        assert (22, 29) == protocol_rules.assumed_count(protocol)

    def test_check_protocol_by_path(self):
        """check_protocol takes a file path too, and says where it read it."""
        path = data_dir("protocols") / "obara2011-torin1-acute.toml"
        result = api.check_protocol(path)

        assert (str(path), "obara2011-torin1-acute") == (result.source, result.protocol.id)


class TestTreatmentConcentration:
    """dose / dose volume when it does not depend on the body weight."""

    @pytest.mark.parametrize(
        ("dose", "volume", "expected"),
        [
            (Q_(25, "mg/kg"), Q_(10, "mL/kg"), Q_("2.5", "mg/mL")),
            (Q_(20, "mg/kg"), Q_(10, "uL/g"), Q_(2, "mg/mL")),
            (Q_(10, "mcg"), Q_(10, "uL"), Q_(1, "mg/mL")),
            (Q_(25, "mg/kg"), Q_(10, "uL"), None),
        ],
    )
    def test_values(self, dose, volume, expected):
        """Per-kg over per-kg and per-animal over per-animal give a concentration; mixed give None."""
        protocol = load_protocol("obara2011-cci779-acute")
        treatment = attrs.evolve(protocol.treatment[0], dose=fact(dose), dose_volume=fact(volume))

        assert expected == protocols.treatment_concentration(treatment)


class TestStarterProtocol:
    """starter_protocol copies a protocol or builds one from a regimen; both check clean."""

    @pytest.mark.parametrize("regimen_id", SHIPPED_REGIMENS)
    def test_from_every_regimen(self, regimen_id, reference):
        """A protocol built from any regimen is valid and checks clean."""
        protocol = starter.starter_protocol(regimen_id, "new-one")

        assert (regimen_id, "new-one") == (protocol.based_on, protocol.id)
        assert [(Level.INFO, "assumed-values")] == [
            (f.level, f.code)
            for f in checking.protocol_findings(protocol, reference)[1]
            if f.code != "no-solubility-on-record"
        ]

    def test_from_protocol(self):
        """A copy of a protocol differs only in id, based_on and version."""
        source = load_protocol("obara2011-cci779-chronic")
        copy = starter.starter_protocol("obara2011-cci779-chronic", "mine")

        assert attrs.evolve(source, id="mine", based_on="obara2011-cci779-chronic") == copy

    def test_from_regimen_keeps_stated_values(self):
        """The regimen's dose and species keep their status; the dose volume is the Diehl good practice, assumed."""
        protocol = starter.starter_protocol("obara2011-torin1-single", "t")
        (treatment,) = protocol.treatment

        assert (Q_(20, "mg/kg"), Status.STATED) == (treatment.dose.value, treatment.dose.status)
        assert (Q_(20, "mL/kg"), Status.ASSUMED) == (
            treatment.dose_volume.value,
            treatment.dose_volume.status,
        )
        assert ("C57BL/6", Status.STATED) == (protocol.strain.value, protocol.strain.status)

    def test_reversal_layout(self):
        """Reversal: morphine twice a day on days 1 to 7; rapamycin's 4 doses on the last 2 days, 12 h apart."""
        protocol = starter.starter_protocol("xu2014-rapamycin-it-reversal", "rev")
        (morphine,) = protocol.dosing("xu2014-morphine-it-repeated")
        (rapamycin,) = protocol.dosing("xu2014-rapamycin-it-reversal")

        assert ((1, 2, 3, 4, 5, 6, 7), ("08:00", "20:00")) == (
            morphine.days.value,
            morphine.times.value,
        )
        assert ((6, 7), ("08:00", "20:00")) == (rapamycin.days.value, rapamycin.times.value)

    def test_unknown(self):
        """An unknown source is named as the --from option."""
        with pytest.raises(UnknownNameError) as info:
            starter.starter_protocol("nothing", "x")

        assert str(info.value).startswith("--from: unknown protocol or regimen 'nothing'.")


class TestNewProtocol:
    """new_protocol writes NEW_ID.toml atomically and never overwrites."""

    def test_writes(self, tmp_path):
        """The file is written, loads as protocol NEW_ID, and no temporary file is left behind."""
        result = api.new_protocol("mine", "obara2011-cci779-acute", tmp_path)

        assert tmp_path / "mine.toml" == result.path
        assert ["mine.toml"] == sorted(os.listdir(tmp_path))
        assert "mine" == load_protocol(result.path).id
        assert "protocol" == result.source_kind

    def test_header(self, tmp_path):
        """The file opens with comment lines saying where it came from."""
        api.new_protocol("mine", "xu2014-rapamycin-it-prevention", tmp_path)
        first = (tmp_path / "mine.toml").read_text(encoding="utf-8").splitlines()[0]

        assert (
            "# Protocol mine, started with 'planner new' from regimen xu2014-rapamycin-it-prevention."
            == first
        )

    def test_suffix_dropped(self, tmp_path):
        """NEW_ID given with .toml writes NEW_ID.toml, not NEW_ID.toml.toml."""
        result = api.new_protocol("mine.toml", "obara2011-cci779-acute", tmp_path)

        assert "mine.toml" == result.path.name

    def test_never_overwrites(self, tmp_path):
        """An existing file is left as it was."""
        path = tmp_path / "mine.toml"
        path.write_text("keep me", encoding="utf-8")

        with pytest.raises(OutputError) as info:
            api.new_protocol("mine", "obara2011-cci779-acute", tmp_path)

        assert (
            f"{path}: already exists; planner new never overwrites: choose another NEW_ID or move the file"
            == str(info.value)
        )
        assert "keep me" == path.read_text(encoding="utf-8")

    def test_missing_folder(self, tmp_path):
        """A folder that does not exist is an OutputError."""
        with pytest.raises(OutputError) as info:
            api.new_protocol("mine", "obara2011-cci779-acute", tmp_path / "no")

        assert f"{tmp_path / 'no'}: no such folder" == str(info.value)

    @pytest.mark.parametrize("new_id", ["", "-x", "a/b", "a b", "../x", ".hidden"])
    def test_bad_id(self, tmp_path, new_id):
        """An id that is not a plain file name is refused before anything is written."""
        with pytest.raises(InputError):
            api.new_protocol(new_id, "obara2011-cci779-acute", tmp_path)

        assert [] == os.listdir(tmp_path)


class TestToml:
    """The TOML writer: what it writes, tomllib reads back the same."""

    def test_layout(self):
        """Scalars and facts inline, tables and arrays of tables below, flat tables as an inline array."""
        data = {
            "a": "x",
            "n": {"value": 8, "status": "assumed", "source": "why"},
            "t": [{"k": 1, "c": [{"name": "DMSO", "percent": "10 %"}], "sub": {"y": {"x": True}}}],
        }

        assert (
            'a = "x"\nn = { value = 8, status = "assumed", source = "why" }\n\n[[t]]\nk = 1\nc = [\n'
            '  { name = "DMSO", percent = "10 %" },\n]\n\n[t.sub]\ny = { x = true }\n'
        ) == dumps(data)

    def test_escapes(self):
        """Quotes, backslashes, newlines, control characters and DEL are escaped."""
        assert 'a = "q\\"b\\\\n\\nt\\tc\\u0001d\\u007F"\n' == dumps({"a": 'q"b\\n\nt\tc\x01d\x7f'})

    def test_header(self):
        """The header becomes comment lines followed by a blank line."""
        assert "# one\n# two\n\nk = 1\n" == dumps({"k": 1}, header="one\ntwo")

    def test_none_left_out(self):
        """None values are not written (TOML has no null)."""
        assert "k = 1\n" == dumps({"k": 1, "x": None})

    def test_refuses_floats(self):
        """A type planner never writes (a float) is refused rather than written lossy."""
        with pytest.raises(TypeError):
            dumps({"x": 0.1})

    @given(
        st.dictionaries(
            st.text(min_size=1, max_size=10),
            st.one_of(
                st.text(),
                st.integers(),
                st.booleans(),
                st.lists(st.text(), max_size=3),
                st.dictionaries(st.text(min_size=1, max_size=5), st.text(), max_size=3),
            ),
            max_size=5,
        )
    )
    def test_round_trip(self, data):
        """Any keys and values of the kinds planner writes read back equal."""
        assert data == tomllib.loads(dumps(data))
