"""
Tests for planner.knowledge.reference: routes, species, compounds, limits and syringes, and the lookups of
the shipped reference data.

The shipped values are checked against facts.md, written out here: Km and weight ranges from
FDA 2005 Table 1 (section 5), molecular weights (section 3.1), volumes from Diehl et al. 2001
Table 1 (section 4).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from planner.errors import QuantityError, UnknownNameError
from planner.findings import Finding, Level, worst
from planner.knowledge.provenance import Citation, Fact, Status
from planner.knowledge.reference import Compound, Form, Route, Species, Syringe, VolumeLimit
from planner.units.registry import Q_


def _fact(value, status: Status = Status.STATED, source: str = "Table 1") -> Fact:
    """Build a Fact with a default status and source."""
    return Fact(value=value, status=status, source=source)


def _species(**changes) -> Species:
    """Build a valid mouse, with ``changes`` applied."""
    fields = {
        "id": "mouse",
        "name": "mouse",
        "km": _fact(Decimal(3)),
        "reference_weight": _fact(Q_("0.02", "kg")),
        "weight_range": _fact(
            (Q_("0.011", "kg"), Q_("0.034", "kg")), Status.ASSUMED, "as recalled"
        ),
    }
    return Species(**{**fields, **changes})


def _limit(**changes) -> VolumeLimit:
    """Build a valid mouse i.p. limit, with ``changes`` applied."""
    fields = {
        "species": "mouse",
        "route": Route.IP,
        "good_practice": _fact(Q_(20, "mL/kg")),
        "maximum": _fact(Q_(80, "mL/kg")),
    }
    return VolumeLimit(**{**fields, **changes})


class TestRoute:
    """Route.parse reads routes as people write them."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("ip", Route.IP),
            ("i.p.", Route.IP),
            ("IP", Route.IP),
            ("intraperitoneal", Route.IP),
            ("sc", Route.SC),
            ("s.c.", Route.SC),
            ("SQ", Route.SC),
            ("subcutaneous", Route.SC),
            ("iv", Route.IV),
            ("i.v.", Route.IV),
            ("intravenous", Route.IV),
            ("po", Route.PO),
            ("p.o.", Route.PO),
            ("oral", Route.PO),
            ("gavage", Route.PO),
            ("im", Route.IM),
            ("i.m.", Route.IM),
            ("intramuscular", Route.IM),
            ("it", Route.IT),
            ("i.t.", Route.IT),
            ("Intrathecal", Route.IT),
        ],
    )
    def test_valid(self, text, expected):
        """Each spelling reads as its route."""
        assert expected is Route.parse(text)

    @pytest.mark.parametrize("text", ["intranasal", "in", "", "topical", "i.p.v."])
    def test_invalid(self, text):
        """An unknown route is an UnknownNameError located where it came from."""
        with pytest.raises(UnknownNameError) as info:
            Route.parse(text, where="route")

        assert "route" == info.value.where
        assert "route" == info.value.kind

    def test_key_and_title(self):
        """Routes have a file key, a printed abbreviation and a spelled-out title."""
        assert ("ip", "i.p.", "intraperitoneal") == (Route.IP.key, Route.IP.value, Route.IP.title)


class TestSpecies:
    """Species checks its Km, reference weight and weight range."""

    def test_valid(self):
        """A species with Km, reference weight and weight range builds; aliases are a tuple."""
        species = _species(aliases=["mice", " Mus musculus "])

        assert ("mice", "Mus musculus") == species.aliases

    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"km": _fact(Decimal(0))}, ValueError),
            ({"km": _fact(Decimal(-3))}, ValueError),
            ({"km": _fact(3.0)}, TypeError),
            ({"km": Decimal(3)}, TypeError),
            ({"reference_weight": _fact(Q_("0.02", "mL"))}, QuantityError),
            ({"reference_weight": _fact(Q_("0.02", "mg/kg"))}, QuantityError),
            ({"weight_range": _fact((Q_("0.034", "kg"), Q_("0.011", "kg")))}, ValueError),
            ({"weight_range": _fact((Q_("0.011", "kg"), Q_("0.011", "kg")))}, ValueError),
            ({"weight_range": _fact((Q_("0.011", "mL"), Q_("0.034", "mL")))}, ValueError),
            ({"id": ""}, ValueError),
        ],
    )
    def test_invalid(self, changes, error):
        """A non-positive Km, a wrong-kind weight or an empty or inverted range is refused."""
        with pytest.raises(error):
            _species(**changes)


class TestVolumeLimit:
    """VolumeLimit checks that its limits are consistent."""

    @pytest.mark.parametrize(
        "changes",
        [
            {},
            {
                "route": Route.IM,
                "per": "site",
                "good_practice": _fact(Q_("0.05", "mL")),
                "maximum": _fact(Q_("0.1", "mL")),
            },
            {
                "route": Route.IT,
                "per": "injection",
                "good_practice": _fact(Q_(5, "uL")),
                "maximum": _fact(Q_(10, "uL")),
            },
            {"maximum": _fact(Q_(20, "mL/kg"))},  # maximum equal to good practice
        ],
    )
    def test_valid(self, changes):
        """Per-kg limits in mL/kg and per-site or per-injection limits as volumes build."""
        limit = _limit(**changes)

        assert limit.good_practice.value <= limit.maximum.value

    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"maximum": _fact(Q_(10, "mL/kg"))}, ValueError),
            ({"per": "site"}, ValueError),
            (
                {"good_practice": _fact(Q_("0.05", "mL")), "maximum": _fact(Q_("0.1", "mL"))},
                ValueError,
            ),
            ({"good_practice": _fact(Q_(20, "mg/kg"))}, QuantityError),
            (
                {
                    "per": "week",
                    "good_practice": _fact(Q_("0.05", "mL")),
                    "maximum": _fact(Q_("0.1", "mL")),
                },
                ValueError,
            ),
            ({"route": "ip"}, TypeError),
            ({"species": ""}, ValueError),
        ],
    )
    def test_invalid(self, changes, error):
        """A maximum below good practice, mixed per-kg and plain limits, or a bad field fail."""
        with pytest.raises(error):
            _limit(**changes)


class TestSyringe:
    """Syringe checks that its graduation is smaller than its capacity."""

    def test_valid(self):
        """A 1 mL syringe with 0.01 mL steps builds."""
        syringe = Syringe(
            name="1 mL syringe", capacity=_fact(Q_(1, "mL")), graduation=_fact(Q_("0.01", "mL"))
        )

        assert "1 mL syringe" == syringe.name

    @pytest.mark.parametrize(
        ("capacity", "graduation", "error"),
        [
            (Q_(1, "mL"), Q_(1, "mL"), ValueError),
            (Q_(1, "mL"), Q_(2, "mL"), ValueError),
            (Q_(1, "mg"), Q_("0.01", "mL"), QuantityError),
        ],
    )
    def test_invalid(self, capacity, graduation, error):
        """A graduation not below capacity, or a capacity that is not a volume, is refused."""
        with pytest.raises(error):
            Syringe(name="s", capacity=_fact(capacity), graduation=_fact(graduation))


class TestCompound:
    """Compound and Form check their fields; the first form is the parent."""

    def test_parent_and_salt_factor(self):
        """The salt factor is MW(form) / (n x MW(parent)): 758.83 / (2 x 285.34) for sulfate."""
        base = Form(id="b", name="base", molar_mass=_fact(Q_("285.34", "g/mol")))
        salt = Form(id="s", name="salt", molar_mass=_fact(Q_("758.83", "g/mol")), parent_units=2)
        compound = Compound(id="m", name="m", forms=[base, salt])

        factor = compound.salt_factor(salt)

        assert base is compound.parent
        assert abs(Decimal("758.83") / (2 * Decimal("285.34")) - factor) <= Decimal("1e-20")
        assert Decimal(1) == compound.salt_factor(base)

    @pytest.mark.parametrize(
        ("changes", "error"),
        [
            ({"molar_mass": _fact(Q_("285.34", "g"))}, QuantityError),
            ({"parent_units": 0}, ValueError),
            ({"parent_units": 1.5}, TypeError),
            ({"name": ""}, ValueError),
        ],
    )
    def test_invalid_form(self, changes, error):
        """A molar mass that is not g/mol, a parent count below 1 or an empty name is refused."""
        fields = {"id": "b", "name": "base", "molar_mass": _fact(Q_("285.34", "g/mol")), **changes}

        with pytest.raises(error):
            Form(**fields)

    def test_invalid_no_forms(self):
        """A compound needs at least one form."""
        with pytest.raises(ValueError, match="forms"):
            Compound(id="m", name="m", forms=[])


class TestProvenance:
    """Facts carry their status and source; citations strip their text."""

    @pytest.mark.parametrize(
        ("status", "assumed"),
        [(Status.STATED, False), (Status.DERIVED, False), (Status.ASSUMED, True)],
    )
    def test_assumed(self, status, assumed):
        """Only an assumed fact is marked assumed."""
        assert assumed == _fact(1, status).assumed

    @pytest.mark.parametrize(
        ("fields", "error"),
        [
            ({"value": 1, "status": "stated", "source": "Table 1"}, TypeError),
            ({"value": 1, "status": Status.STATED, "source": "  "}, ValueError),
        ],
    )
    def test_invalid_fact(self, fields, error):
        """A status that is not a Status, or an empty source, is refused."""
        with pytest.raises(error):
            Fact(**fields)

    def test_citation_strips(self):
        """Citation text fields are stripped."""
        citation = Citation(key=" fda2005 ", short=" FDA 2005 ", title=" Guidance ")

        assert ("fda2005", "FDA 2005", "Guidance") == (citation.key, citation.short, citation.title)


class TestFindings:
    """Findings are data: a level, a stable code and a message."""

    def test_to_json(self):
        """The JSON form has level, code and message, and subject and source only when set."""
        finding = Finding(
            level=Level.WARNING, code="volume-above-good-practice", message="m", subject="M1"
        )

        assert {
            "level": "warning",
            "code": "volume-above-good-practice",
            "message": "m",
            "subject": "M1",
        } == finding.to_json()

    @pytest.mark.parametrize(
        ("levels", "expected"),
        [
            ([], None),
            ([Level.INFO], Level.INFO),
            ([Level.INFO, Level.WARNING], Level.WARNING),
            ([Level.ERROR, Level.WARNING, Level.INFO], Level.ERROR),
        ],
    )
    def test_worst(self, levels, expected):
        """worst returns the most serious level, or None without findings."""
        findings = [Finding(level=level, code="c", message="m") for level in levels]

        assert expected is worst(findings)

    @pytest.mark.parametrize(
        ("fields", "error"),
        [
            ({"level": "warning", "code": "c", "message": "m"}, TypeError),
            ({"level": Level.WARNING, "code": "", "message": "m"}, ValueError),
            ({"level": Level.WARNING, "code": "c", "message": ""}, ValueError),
        ],
    )
    def test_invalid(self, fields, error):
        """A level that is not a Level, or an empty code or message, is refused."""
        with pytest.raises(error):
            Finding(**fields)


class TestReferenceLookups:
    """Reference finds species and compounds by id, name or alias, ignoring case."""

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("mouse", "mouse"),
            ("MOUSE", "mouse"),
            ("mice", "mouse"),
            ("Mus musculus", "mouse"),
            ("rat", "rat"),
            ("Rattus norvegicus", "rat"),
            ("guinea pig", "guinea-pig"),
            ("guinea-pig", "guinea-pig"),
            ("Guinea_Pig", "guinea-pig"),
            ("human", "human"),
            ("Homo sapiens", "human"),
            ("adult", "human"),
            ("rhesus", "monkey"),
            ("beagle", "dog"),
        ],
    )
    def test_find_species(self, reference, name, expected):
        """Each name finds its species."""
        assert expected == reference.find_species(name).id

    def test_find_species_unknown_suggests(self, reference):
        """An unknown species close to known ones is refused with suggestions and the ids."""
        with pytest.raises(UnknownNameError) as info:
            reference.find_species("mose", where="species")

        assert (
            "species: unknown species 'mose'; did you mean 'mouse', 'marmoset', 'monkey'? "
            "Known: mouse, hamster, rat, ferret, guinea-pig, rabbit, dog, monkey, marmoset, "
            "squirrel-monkey, baboon, micro-pig, mini-pig, child, human"
        ) == str(info.value)

    def test_find_species_unknown(self, reference):
        """An unknown species with no close match is refused with the known ids."""
        with pytest.raises(UnknownNameError) as info:
            reference.find_species("zebrafish")

        message = str(info.value)
        assert message.startswith("unknown species 'zebrafish'")
        assert "did you mean" not in message
        assert message.endswith(
            "Known: mouse, hamster, rat, ferret, guinea-pig, rabbit, dog, monkey, marmoset, "
            "squirrel-monkey, baboon, micro-pig, mini-pig, child, human"
        )

    @pytest.mark.parametrize(
        ("name", "compound", "form"),
        [
            ("temsirolimus", "temsirolimus", "temsirolimus"),
            ("CCI-779", "temsirolimus", "temsirolimus"),
            ("cci779", "temsirolimus", "temsirolimus"),
            ("Torisel", "temsirolimus", "temsirolimus"),
            ("Torin1", "torin1", "torin1"),
            ("Torin 1", "torin1", "torin1"),
            ("sirolimus", "rapamycin", "rapamycin"),
            ("morphine", "morphine", "morphine"),
            ("morphine base", "morphine", "morphine"),
            ("morphine sulfate pentahydrate", "morphine", "morphine-sulfate-pentahydrate"),
            ("morphine sulphate pentahydrate", "morphine", "morphine-sulfate-pentahydrate"),
            ("morphine HCl trihydrate", "morphine", "morphine-hydrochloride-trihydrate"),
            ("Morphine Hydrochloride Trihydrate", "morphine", "morphine-hydrochloride-trihydrate"),
        ],
    )
    def test_find_compound(self, reference, name, compound, form):
        """Each name finds its compound and form (the parent for the compound's own name)."""
        found, found_form = reference.find_compound(name)

        assert (compound, form) == (found.id, found_form.id)

    def test_find_compound_unknown(self, reference):
        """An unknown compound is an UnknownNameError located where it came from."""
        with pytest.raises(UnknownNameError) as info:
            reference.find_compound("aspirin", where="compound")

        assert "compound" == info.value.where

    @pytest.mark.parametrize(
        ("volume", "expected"),
        [
            (Q_(5, "uL"), "10 mcL glass microsyringe"),
            (Q_(10, "uL"), "10 mcL glass microsyringe"),
            (Q_("10.1", "uL"), "25 mcL glass microsyringe"),
            (Q_("0.27", "mL"), "0.5 mL insulin syringe"),
            (Q_("0.5", "mL"), "0.5 mL insulin syringe"),
            (Q_(1, "mL"), "1 mL syringe"),
            (Q_("2.4", "mL"), "3 mL syringe"),
            (Q_(10, "mL"), "10 mL syringe"),
        ],
    )
    def test_syringe_for(self, reference, volume, expected):
        """The smallest syringe that holds the volume in one draw is chosen."""
        assert expected == reference.syringe_for(volume).name

    def test_syringe_for_too_large(self, reference):
        """No syringe on record holds more than 10 mL."""
        assert None is reference.syringe_for(Q_("10.1", "mL"))

    def test_volume_limit_none(self, reference):
        """A species and route without a limit on record gives None."""
        assert None is reference.volume_limit(reference.find_species("hamster"), Route.IP)

    @pytest.mark.parametrize(
        ("species", "record", "expected"),
        [
            ("mouse", "km", "FDA 2005, Table 1 (as reproduced)"),
            (
                "mouse",
                "weight_range",
                "assumed (Table 1 working weight range, as recalled; "
                "not verified against the guidance)",
            ),
        ],
    )
    def test_provenance(self, reference, species, record, expected):
        """A stated fact is cited by short name and locator; an assumed one says so, with why."""
        animal = reference.find_species(species)

        assert expected == reference.provenance(getattr(animal, record), animal.citation)

    def test_unknown_citation(self, reference):
        """An unknown citation key is an UnknownNameError."""
        with pytest.raises(UnknownNameError):
            reference.citation("nobody2099")


class TestShippedValues:
    """The shipped seeds hold the values of the cited sources (facts.md)."""

    @pytest.mark.parametrize(
        ("species", "km"),
        [
            ("mouse", 3),
            ("hamster", 5),
            ("rat", 6),
            ("ferret", 7),
            ("guinea-pig", 8),
            ("rabbit", 12),
            ("dog", 20),
            ("monkey", 12),
            ("marmoset", 6),
            ("squirrel-monkey", 7),
            ("baboon", 20),
            ("micro-pig", 27),
            ("mini-pig", 35),
            ("child", 25),
            ("human", 37),
        ],
    )
    def test_km(self, reference, species, km):
        """Km per species is FDA 2005 Table 1's, as stated."""
        fact = reference.find_species(species).km

        assert Decimal(km) == fact.value
        assert Status.STATED is fact.status

    @pytest.mark.parametrize(
        ("species", "low", "high"),
        [("mouse", "11 g", "34 g"), ("rat", "80 g", "270 g"), ("rabbit", "0.9 kg", "3.0 kg")],
    )
    def test_weight_range(self, reference, species, low, high):
        """The working weight range is FDA 2005 Table 1's as recalled, and marked assumed."""
        fact = reference.find_species(species).weight_range

        assert (Q_(*low.split()), Q_(*high.split())) == fact.value
        assert fact.assumed

    @pytest.mark.parametrize(
        ("name", "molar_mass"),
        [
            ("temsirolimus", "1030.29"),
            ("Torin1", "607.64"),
            ("rapamycin", "914.19"),
            ("morphine", "285.34"),
            ("morphine sulfate pentahydrate", "758.83"),
            ("morphine hydrochloride trihydrate", "375.85"),
        ],
    )
    def test_molar_mass(self, reference, name, molar_mass):
        """Molecular weights are those of facts.md section 3.1."""
        _, form = reference.find_compound(name)

        assert Decimal(molar_mass) == form.molar_mass.value.to("g/mol").magnitude

    def test_morphine_sulfate_has_two_morphines(self, reference):
        """Morphine sulfate pentahydrate holds two morphine molecules per formula unit."""
        _, form = reference.find_compound("morphine sulfate pentahydrate")

        assert 2 == form.parent_units

    @pytest.mark.parametrize(
        ("species", "route", "good", "most", "per"),
        [
            ("mouse", "ip", "20 mL/kg", "80 mL/kg", "kg"),
            ("mouse", "sc", "10 mL/kg", "40 mL/kg", "kg"),
            ("mouse", "po", "10 mL/kg", "50 mL/kg", "kg"),
            ("mouse", "iv", "5 mL/kg", "25 mL/kg", "kg"),
            ("mouse", "im", "0.05 mL", "0.1 mL", "site"),
            ("mouse", "it", "5 uL", "10 uL", "injection"),
            ("rat", "ip", "10 mL/kg", "20 mL/kg", "kg"),
            ("rat", "sc", "5 mL/kg", "10 mL/kg", "kg"),
            ("rat", "po", "10 mL/kg", "40 mL/kg", "kg"),
            ("rat", "iv", "5 mL/kg", "20 mL/kg", "kg"),
            ("rat", "im", "0.1 mL", "0.2 mL", "site"),
            ("rat", "it", "10 uL", "20 uL", "injection"),
        ],
    )
    def test_volume_limits(self, reference, species, route, good, most, per):
        """Volume limits are Diehl et al. 2001 Table 1's (i.t. assumed), with their basis."""
        limit = reference.volume_limit(reference.find_species(species), Route.parse(route))

        assert Q_(*good.split()) == limit.good_practice.value
        assert Q_(*most.split()) == limit.maximum.value
        assert per == limit.per
        assert (route == "it") == limit.good_practice.assumed


class TestPlural:
    """Species names for several animals, as the plan's title block prints them ("40 mice")."""

    @pytest.mark.parametrize(
        ("species_id", "plural"),
        [
            ("mouse", "mice"),
            ("rat", "rats"),
            ("guinea-pig", "guinea pigs"),
            ("monkey", "monkeys (rhesus)"),
            ("child", "children"),
        ],
    )
    def test_plural(self, reference, species_id, plural):
        assert plural == reference.find_species(species_id).plural
