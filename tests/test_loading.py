"""
Tests for planner.knowledge.loading: TOML seed files into reference objects, with located error messages.

Each broken file is a tiny TOML fixture written to tmp_path; every error is asserted as the exact
one-line message: the file, the key path inside it, and what was expected.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from planner._resources import data_dir
from planner.errors import DataFileError, PlannerError
from planner.knowledge.loading import (
    load_reference,
    load_seed_file,
    load_toml,
    read_toml,
    structure,
)
from planner.knowledge.provenance import Citation, Status
from planner.knowledge.reference import Reference, Route

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

CITATION = """
[citation]
key = "tiny"
short = "Tiny 2024"
title = "A tiny table"
"""

SPECIES = (
    CITATION
    + """
[[species]]
id = "mouse"
name = "mouse"
km = { value = "3", status = "stated", source = "Table 1" }
reference_weight = { value = "0.02 kg", status = "stated", source = "Table 1" }
"""
)

LIMIT = (
    CITATION
    + """
[[limit]]
species = "mouse"
route = "ip"
good_practice = { value = "20 mL/kg", status = "stated", source = "Table 1" }
maximum = { value = "80 mL/kg", status = "stated", source = "Table 1" }
"""
)

COMPOUND = (
    CITATION
    + """
[[compound]]
id = "morphine"
name = "morphine"

[[compound.forms]]
id = "morphine"
name = "morphine"
molar_mass = { value = "285.34 g/mol", status = "stated", source = "Merck Index" }
"""
)


@pytest.fixture(name="write")
def _write(tmp_path):
    """Return a function that writes a TOML text to a file in tmp_path and returns its path."""

    def write(text: str, name: str = "tiny.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(name="no_disk_cache", autouse=True)
def _no_disk_cache(monkeypatch):
    """Keep loader tests off the on-disk cache of reference data."""
    monkeypatch.setenv("PLANNER_NO_CACHE", "1")


class TestReadToml:
    """read_toml turns unreadable files into DataFileError."""

    def test_valid(self, write):
        """A valid file reads as a dict."""
        path = write(CITATION)

        assert {
            "citation": {"key": "tiny", "short": "Tiny 2024", "title": "A tiny table"}
        } == read_toml(path)

    def test_invalid_toml(self, write):
        """Invalid TOML names the file and gives the parser's message."""
        text = CITATION + "this is = = not toml\n"
        path = write(text)
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            parser_says = str(exc)

        with pytest.raises(DataFileError) as info:
            read_toml(path)

        assert f"{path}: not valid TOML: {parser_says}" == str(info.value)
        assert "" == info.value.key

    def test_missing_file(self, tmp_path):
        """A missing file is named."""
        path = tmp_path / "nothing.toml"

        with pytest.raises(DataFileError) as info:
            read_toml(path)

        assert f"{path}: no such file" == str(info.value)

    def test_not_utf8(self, tmp_path):
        """A file that is not UTF-8 text is named as such."""
        path = tmp_path / "latin1.toml"
        path.write_bytes('title = "caf\u00e9"\n'.encode("latin-1"))

        with pytest.raises(DataFileError) as info:
            read_toml(path)

        assert f"{path}: not valid TOML: the file is not UTF-8 text" == str(info.value)


class TestLoadSeedFile:
    """load_seed_file loads one seed file; errors name file, key path and what was expected."""

    def test_valid_species(self, write):
        """A tiny species file loads, and the record takes the file's citation."""
        seed = load_seed_file(write(SPECIES))

        assert Citation(key="tiny", short="Tiny 2024", title="A tiny table") == seed.citation
        (mouse,) = seed.species
        assert "mouse" == mouse.id
        assert Decimal(3) == mouse.km.value
        assert Status.STATED == mouse.km.status
        assert Decimal("0.02") == mouse.reference_weight.value.to("kg").magnitude
        assert "tiny" == mouse.citation

    def test_valid_limit(self, write):
        """A tiny limit file loads with its route parsed and per kg by default."""
        (limit,) = load_seed_file(write(LIMIT)).limit

        assert Route.IP is limit.route
        assert "kg" == limit.per
        assert Decimal(80) == limit.maximum.value.to("mL/kg").magnitude

    def test_valid_compound(self, write):
        """A tiny compound file loads with its form's molecular weight."""
        (compound,) = load_seed_file(write(COMPOUND)).compound

        assert Decimal("285.34") == compound.parent.molar_mass.value.to("g/mol").magnitude
        assert 1 == compound.parent.parent_units

    def test_own_citation_kept(self, write):
        """A record that names its own citation keeps it."""
        text = SPECIES.replace('name = "mouse"\n', 'name = "mouse"\ncitation = "other"\n')

        (mouse,) = load_seed_file(write(text)).species

        assert "other" == mouse.citation

    @pytest.mark.parametrize(
        ("text", "key", "message"),
        [
            pytest.param(
                SPECIES + 'colour = "brown"\n',
                "species[0]",
                "unknown key(s) colour; expected only: id, name, aliases, km, reference_weight, "
                "body_surface_area, weight_range, typical_weight, plausible_weight, citation",
                id="unknown key",
            ),
            pytest.param(
                SPECIES + "[extra]\na = 1\n",
                "",
                "unknown key(s) extra; expected only: citation, species, compound, limit, syringe, "
                "study, regimen",
                id="unknown table",
            ),
            pytest.param(
                LIMIT.replace(
                    'source = "Table 1" }\nmaximum', 'source = "Table 1", page = 3 }\nmaximum'
                ),
                "limit[0].good_practice",
                "unknown key(s) page; expected only: value, status, source, citation, note",
                id="unknown key in a fact",
            ),
            pytest.param(
                SPECIES.replace('name = "mouse"\n', ""),
                "species[0].name",
                "required key missing",
                id="missing key",
            ),
            pytest.param(
                SPECIES.replace(
                    'km = { value = "3", status = "stated", source = "Table 1" }\n', ""
                ),
                "species[0].km",
                "required key missing",
                id="missing fact",
            ),
            pytest.param(
                SPECIES.replace('key = "tiny"\n', ""),
                "citation.key",
                "required key missing",
                id="missing citation key",
            ),
            pytest.param(
                SPECIES.replace('value = "3"', 'value = "3 mg"'),
                "species[0].km.value",
                "expected a number; got '3 mg'",
                id="km given as a quantity",
            ),
            pytest.param(
                SPECIES.replace('"0.02 kg"', '"0.02 mL"'),
                "species[0].reference_weight",
                "got '0.02 milliliter'; expected a mass, e.g. '27 g'",
                id="weight given as a volume",
            ),
            pytest.param(
                SPECIES.replace('"0.02 kg"', "0.02"),
                "species[0].reference_weight.value",
                "expected a quantity as text with its unit, e.g. '25 mg/kg'; got 0.02",
                id="quantity given as a bare number",
            ),
            pytest.param(
                LIMIT.replace('"20 mL/kg"', '"20 mg/kg"'),
                "limit[0].good_practice",
                "got '20 milligram / kilogram'; expected a dose volume per body mass, "
                "e.g. '10 mL/kg' or "
                "'10 uL/g' or a volume, e.g. '0.25 mL'",
                id="limit given as a dose",
            ),
            pytest.param(
                LIMIT.replace('"20 mL/kg"', '"20 cc/kg"'),
                "limit[0].good_practice.value",
                "got '20 cc/kg'; expected a quantity with its unit, e.g. '25 mg/kg' "
                "('cc' is an error-prone abbreviation (ISMP): write mL)",
                id="error-prone unit",
            ),
            pytest.param(
                SPECIES.replace(
                    'km = { value = "3", status = "stated"',
                    'km = { value = "3", status = "guessed"',
                ),
                "species[0].km.status",
                "expected one of 'stated', 'derived', 'assumed'",
                id="bad status",
            ),
            pytest.param(
                SPECIES.replace('value = "3"', 'value = "-3"'),
                "species[0]",
                "'km' must be > 0: -3",
                id="negative km",
            ),
            pytest.param(
                LIMIT.replace('"80 mL/kg"', '"10 mL/kg"'),
                "limit[0]",
                "maximum 10 mL/kg is below good practice 20 mL/kg",
                id="maximum below good practice",
            ),
            pytest.param(
                LIMIT.replace('route = "ip"', 'route = "ip"\nper = "site"'),
                "limit[0]",
                "good_practice and maximum must both be per kg (mL/kg) when per = 'kg', "
                "else both volumes",
                id="per site with mL/kg limits",
            ),
            pytest.param(
                LIMIT.replace('route = "ip"', 'route = "im"\nper = "week"')
                .replace('"20 mL/kg"', '"0.05 mL"')
                .replace('"80 mL/kg"', '"0.1 mL"'),
                "limit[0]",
                "'per' must be in ('kg', 'site', 'injection') (got 'week')",
                id="bad per",
            ),
            pytest.param(
                LIMIT.replace('"ip"', '"intranasal"'),
                "limit[0].route",
                "unknown route 'intranasal'; did you mean 'intravenously', 'intravenous', "
                "'intrathecal'? Known: ip, sc, iv, po, im, it, gavage, intramuscular, "
                "intramuscularly, intraperitoneal, intraperitoneally, intrathecal, intrathecally, "
                "intravenous, intravenously, ivbolus, oral, orally, peroral, subcut, subcutaneous, "
                "subcutaneously",
                id="unknown route",
            ),
            pytest.param(
                COMPOUND.replace('"285.34 g/mol"', '"285.34 g"'),
                "compound[0].forms[0].molar_mass",
                "got '285.34 gram'; expected a molar mass, e.g. '1030.29 g/mol'",
                id="molar mass given as a mass",
            ),
            pytest.param(
                COMPOUND + "parent_units = 0\n",
                "compound[0].forms[0]",
                "'parent_units' must be >= 1: 0",
                id="zero parent units",
            ),
        ],
    )
    def test_invalid(self, write, text, key, message):
        """A broken file raises one DataFileError: file, key path, what was expected."""
        path = write(text)

        with pytest.raises(DataFileError) as info:
            load_seed_file(path)

        assert (f"{path}: {key}: {message}" if key else f"{path}: {message}") == str(info.value)
        assert key == info.value.key
        assert str(path) == info.value.path

    def test_error_is_a_planner_error_and_value_error(self, write):
        """DataFileError is both a PlannerError and a ValueError."""
        path = write(SPECIES + 'colour = "brown"\n')

        with pytest.raises(PlannerError):
            load_seed_file(path)
        with pytest.raises(ValueError, match="unknown key"):
            load_seed_file(path)

    def test_invalid_toml(self, write):
        """An invalid TOML seed file is a DataFileError naming the file."""
        path = write(SPECIES + "km = \n")

        with pytest.raises(DataFileError) as info:
            load_seed_file(path)

        assert str(info.value).startswith(f"{path}: not valid TOML: ")


class TestStructure:
    """structure and load_toml work for any attrs class, with located errors."""

    def test_valid(self, tmp_path):
        """A citation table structures into a Citation."""
        data = {"key": "k", "short": "S", "title": "T", "year": 2001}

        assert Citation(key="k", short="S", title="T", year=2001) == structure(
            data, Citation, path=tmp_path / "c.toml"
        )

    def test_invalid(self, tmp_path):
        """A missing key is named with its path."""
        path = tmp_path / "c.toml"

        with pytest.raises(DataFileError) as info:
            structure({"key": "k", "short": "S"}, Citation, path=path)

        assert f"{path}: title: required key missing" == str(info.value)

    def test_load_toml(self, write):
        """load_toml reads and structures a file."""
        path = write('key = "k"\nshort = "S"\ntitle = "T"\n')

        assert Citation(key="k", short="S", title="T") == load_toml(path, Citation)


class TestLoadReference:
    """load_reference loads every seed file in a folder into one Reference."""

    @pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.glob("*.toml")))
    def test_every_shipped_seed_file_loads(self, name):
        """Each shipped seed file loads on its own and names its citation."""
        seed = load_seed_file(SEEDS / name)

        assert seed.citation.key

    def test_the_four_reference_tables_are_shipped(self):
        """The compound, volume, equipment and Km tables are among the shipped seed files."""
        names = {p.name for p in data_dir("seeds").glob("*.toml")}

        assert {
            "compounds.toml",
            "diehl2001-volumes.toml",
            "equipment.toml",
            "fda2005-km.toml",
        } <= names

    def test_shipped_reference(self, reference):
        """The shipped seeds hold one citation per file, 15 species, 12 limits and 8 syringes."""
        counts = (
            len(reference.citations),
            len(reference.species),
            len(reference.limits),
            len(reference.syringes),
        )

        assert (len(list(data_dir("seeds").glob("*.toml"))), 15, 12, 8) == counts

    def test_shipped_compounds(self, reference):
        """The four compounds of the seed studies are on record."""
        ids = {c.id for c in reference.compounds}

        assert {"temsirolimus", "torin1", "rapamycin", "morphine"} <= ids

    def test_disk_cache_gives_the_same_reference(self, reference):
        """Parsing the seeds afresh, without any cache, gives the reference in use."""
        fresh = load_reference.__wrapped__(data_dir("seeds"))

        assert isinstance(fresh, Reference)
        assert reference == fresh

    def test_tiny_folder(self, tmp_path, write):
        """A folder with a species file and a limit file loads into one reference."""
        write(SPECIES, "a-species.toml")
        write(LIMIT.replace('key = "tiny"', 'key = "tiny2"'), "b-limits.toml")

        reference = load_reference(tmp_path)

        assert ["mouse"] == [s.id for s in reference.species]
        assert reference.volume_limit(reference.find_species("mouse"), Route.IP) is not None

    def test_unknown_species_in_limit(self, tmp_path, write):
        """A limit for a species no file defines is named with its file and key."""
        write(SPECIES, "a-species.toml")
        path = write(
            LIMIT.replace('key = "tiny"', 'key = "tiny2"').replace('"mouse"', '"gerbil"'),
            "b-limits.toml",
        )

        with pytest.raises(DataFileError) as info:
            load_reference(tmp_path)

        assert f"{path}: limit[0].species: unknown species 'gerbil'; known: mouse" == str(
            info.value
        )

    def test_broken_file_in_folder(self, tmp_path, write):
        """A broken file in the folder stops the load with its own located error."""
        write(SPECIES, "a-species.toml")
        path = write(SPECIES.replace('name = "mouse"\n', ""), "b-broken.toml")

        with pytest.raises(DataFileError) as info:
            load_reference(tmp_path)

        assert f"{path}: species[0].name: required key missing" == str(info.value)
