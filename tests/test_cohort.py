"""
Tests for planner.study.cohort: the weights CSV file, animals and their weighings, placeholder cohorts.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import DataFileError, InputError, QuantityError
from planner.study.cohort import (
    Animal,
    Cohort,
    Weighing,
    parse_weights,
    placeholder_cohort,
    read_weights,
)
from planner.units.registry import Q_
from tests.strategies import weight_tables, weights_files

SOURCE = "weights.csv"
COLUMNS = "expected columns: animal, weight, and optionally day, cage, sex"


def _parse(text: str | bytes) -> Cohort:
    """Parse a weights table given as text or bytes, named weights.csv."""
    return parse_weights(text, source=SOURCE)


def _table(animals: Cohort) -> list[tuple[str, str, str, list[tuple[int | None, Decimal, str]]]]:
    """Return a cohort as plain data: id, cage, sex and (day, value, unit) per weighing."""
    return [
        (
            a.id,
            a.cage,
            a.sex,
            [(w.day, w.weight.magnitude, str(w.weight.units)) for w in a.weighings],
        )
        for a in animals.animals
    ]


def _error(text: str | bytes) -> DataFileError:
    """Return the DataFileError that parsing ``text`` raises."""
    with pytest.raises(DataFileError) as info:
        _parse(text)
    return info.value


class TestParseWeightsValid:
    """parse_weights reads well-formed tables."""

    def test_worked_example(self):
        """A table with every column gives the animals, in order, with their weighings."""
        cohort = _parse(
            "animal,weight,day,cage,sex\nM01,27.1 g,0,C1,F\nM02,0.0265 kg,0,C1,F\nM01,28 g,7,C1,F\n"
        )

        assert [
            ("M01", "C1", "F", [(0, Decimal("27.1"), "gram"), (7, Decimal(28), "gram")]),
            ("M02", "C1", "F", [(0, Decimal("0.0265"), "kilogram")]),
        ] == _table(cohort)
        assert SOURCE == cohort.source
        assert not cohort.placeholder

    def test_rows_are_numbered_as_in_a_spreadsheet(self):
        """The header is row 1; a blank line still counts as a row."""
        cohort = _parse("animal,weight,day\nM01,27 g,0\n\nM01,28 g,7\n")

        assert [2, 4] == [w.row for w in cohort.animals[0].weighings]

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param(
                "\ufeffanimal,weight\nM01,27 g\n",
                [("M01", "", "", [(None, Decimal(27), "gram")])],
                id="byte-order mark",
            ),
            pytest.param(
                "animal,weight\r\nM01,27 g\r\nM02,26 g\r\n",
                [
                    ("M01", "", "", [(None, Decimal(27), "gram")]),
                    ("M02", "", "", [(None, Decimal(26), "gram")]),
                ],
                id="CRLF line ends",
            ),
            pytest.param(
                "animal,weight\rM01,27 g\rM02,26 g\r",
                [
                    ("M01", "", "", [(None, Decimal(27), "gram")]),
                    ("M02", "", "", [(None, Decimal(26), "gram")]),
                ],
                id="CR line ends (old Mac Excel)",
            ),
            pytest.param(
                'animal,weight,cage\n"M,01","27 g","cage ""A"""\n',
                [("M,01", 'cage "A"', "", [(None, Decimal(27), "gram")])],
                id="quoted fields",
            ),
            pytest.param(
                "animal,weight\n\nM01,27 g\n,\n  ,  \nM02,26 g\n\n",
                [
                    ("M01", "", "", [(None, Decimal(27), "gram")]),
                    ("M02", "", "", [(None, Decimal(26), "gram")]),
                ],
                id="blank lines",
            ),
            pytest.param(
                "animal,weight\nM01,27 g\nM02,0.026 kg\nM03,25000 mg\n",
                [
                    ("M01", "", "", [(None, Decimal(27), "gram")]),
                    ("M02", "", "", [(None, Decimal("0.026"), "kilogram")]),
                    ("M03", "", "", [(None, Decimal(25000), "milligram")]),
                ],
                id="mixed units kept as given",
            ),
            pytest.param(
                " Animal , WEIGHT ,Day\nM01,27 g,\n",
                [("M01", "", "", [(None, Decimal(27), "gram")])],
                id="header case and spaces",
            ),
            pytest.param(
                "weight,sex,animal\n27g, F , M01 \n",
                [("M01", "", "F", [(None, Decimal(27), "gram")])],
                id="any column order, cells stripped",
            ),
            pytest.param(
                "animal,weight,day\nM01,27 g,-3\nM01,27.5 g,0\nM01,28 g,+7\nM01,26 g,\n",
                [
                    (
                        "M01",
                        "",
                        "",
                        [
                            (None, Decimal(26), "gram"),
                            (-3, Decimal(27), "gram"),
                            (0, Decimal("27.5"), "gram"),
                            (7, Decimal(28), "gram"),
                        ],
                    )
                ],
                id="weighing series sorted, blank day first",
            ),
            pytest.param(
                "animal,weight,day,cage,sex\nM01,27 g,0,,\nM01,28 g,7,C1,F\nM01,29 g,14,,F\n",
                [
                    (
                        "M01",
                        "C1",
                        "F",
                        [
                            (0, Decimal(27), "gram"),
                            (7, Decimal(28), "gram"),
                            (14, Decimal(29), "gram"),
                        ],
                    )
                ],
                id="blank cage and sex inherit",
            ),
            pytest.param(
                "animal,weight\nM01,27 g",
                [("M01", "", "", [(None, Decimal(27), "gram")])],
                id="no final line end",
            ),
            pytest.param(
                "animal,weight\nm01,27 g\nM01,28 g\n",
                [
                    ("m01", "", "", [(None, Decimal(27), "gram")]),
                    ("M01", "", "", [(None, Decimal(28), "gram")]),
                ],
                id="ids are case-sensitive",
            ),
        ],
    )
    def test_valid(self, text, expected):
        """Each table reads as the animals and weighings worked out by hand."""
        assert expected == _table(_parse(text))

    def test_bytes_and_text_alike(self):
        """UTF-8 bytes and the same text give the same cohort."""
        text = "animal,weight,cage\nMäus 1,27 g,Käfig 1\n"

        assert _parse(text) == _parse(text.encode("utf-8"))

    def test_same_text_same_quantity_value(self):
        """Repeated weight texts give equal weights (they are parsed once and reused)."""
        cohort = _parse("animal,weight\nM01,27 g\nM02,27 g\n")

        assert cohort.animals[0].first_weight == cohort.animals[1].first_weight

    def test_ten_thousand_rows(self):
        """10,000 rows give 10,000 animals, the last as written (its time: benchmarks/units.py)."""
        rows = [
            f"M{i:05d},{20 + i % 97 / 10} g,{i % 3},C{i // 4},{'FM'[i % 2]}" for i in range(10_000)
        ]
        data = "\n".join(["animal,weight,day,cage,sex", *rows]).encode()

        cohort = parse_weights(data, source=SOURCE)

        assert 10_000 == len(cohort.animals)
        last = cohort.animals[-1]  # row 9999: 20 + 8/10 g on day 0, cage C2499, male
        assert ("M09999", "C2499", "M") == (last.id, last.cage, last.sex)
        assert [(Q_("20.8", "g"), 0)] == [(w.weight, w.day) for w in last.weighings]

    @settings(max_examples=60, deadline=None)
    @given(weight_tables(), st.sampled_from(["\n", "\r\n"]), st.booleans())
    def test_round_trip(self, rows, line_end, bom):
        """A table written with the csv module reads back as written: ids, weights, days."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=line_end)
        writer.writerow(["animal", "weight", "day"])
        for animal, _, _, text, day in rows:
            writer.writerow([animal, text, "" if day is None else day])
        data = ("\ufeff" if bom else "") + out.getvalue()
        expected: dict[str, list] = {}
        for animal, value, unit, _, day in rows:
            expected.setdefault(animal, []).append((day, Q_(value, unit)))

        cohort = parse_weights(data.encode("utf-8"), source=SOURCE)

        assert list(expected) == [a.id for a in cohort.animals]
        for animal in cohort.animals:
            series = sorted(expected[animal.id], key=lambda p: (p[0] is not None, p[0] or 0))
            assert [day for day, _ in series] == [w.day for w in animal.weighings]
            for (_, weight), weighing in zip(series, animal.weighings, strict=True):
                assert weight.magnitude == weighing.weight.magnitude
                assert weight.units == weighing.weight.units

    @settings(max_examples=300, deadline=None)
    @given(weights_files())
    def test_any_bytes_give_cohort_or_data_file_error(self, data):
        """Any bytes at all give a Cohort or a DataFileError naming the file; nothing else."""
        try:
            result: Cohort | DataFileError = parse_weights(data, source=SOURCE)
        except DataFileError as exc:
            result = exc

        if isinstance(result, DataFileError):
            assert (SOURCE, False) == (result.path, "\n" in str(result))
        else:
            assert isinstance(result, Cohort)
            assert result.animals


class TestParseWeightsInvalid:
    """parse_weights refuses each broken rule with the row, column and a one-line reason."""

    @pytest.mark.parametrize(
        ("text", "key", "message"),
        [
            pytest.param(
                "animal,wieght\nM01,27 g\n",
                "row 1 (header)",
                f"unknown column 'wieght' (did you mean 'weight'?); {COLUMNS}",
                id="misspelt column",
            ),
            pytest.param(
                "animal,weight,notes\nM01,27 g,ok\n",
                "row 1 (header)",
                f"unknown column 'notes'; {COLUMNS}",
                id="unknown column",
            ),
            pytest.param(
                "animal,weight,Weight\nM01,27 g,28 g\n",
                "row 1 (header)",
                "column 'weight' appears twice (columns 2 and 3); expected each column once",
                id="duplicated column",
            ),
            pytest.param(
                "animal,day\nM01,0\n",
                "row 1 (header)",
                f"missing column 'weight'; {COLUMNS}",
                id="missing weight",
            ),
            pytest.param(
                "weight\n27 g\n",
                "row 1 (header)",
                f"missing column 'animal'; {COLUMNS}",
                id="missing animal",
            ),
            pytest.param(
                "animal,weight,\nM01,27 g,\n",
                "row 1 (header)",
                f"column 3 has no name; {COLUMNS}",
                id="unnamed column",
            ),
            pytest.param(
                "animal;weight\nM01;27 g\n",
                "row 1 (header)",
                "the file is separated by semicolons; expected commas",
                id="semicolons",
            ),
            pytest.param(
                'animal;weight\n"M01";"27 g"\n',
                "row 1 (header)",
                "the file is separated by semicolons; expected commas",
                id="semicolons with quoted values (the CSV reader fails on row 2)",
            ),
            pytest.param(
                '"animal";"weight"\n"M01";"27 g"\n',
                "row 1 (header)",
                "the file is separated by semicolons; expected commas",
                id="semicolons with a quoted header",
            ),
            pytest.param(
                'animal\tweight\n"M01"\t"27 g"\n',
                "row 1 (header)",
                "the file is separated by tabs; expected commas",
                id="tabs with quoted values",
            ),
            pytest.param(
                "animal\tweight\nM01\t27 g\n",
                "row 1 (header)",
                "the file is separated by tabs; expected commas",
                id="tabs",
            ),
            pytest.param(
                "",
                "",
                "no animals: the file is empty; expected a header row (animal,weight,...) "
                "and a row for each weighing",
                id="empty file",
            ),
            pytest.param(
                "animal,weight\n\n",
                "",
                "no animals: the file has a header but no rows; expected a row for each weighing",
                id="header only",
            ),
            pytest.param(
                "animal,weight\nM01,27 g\nM02,26,5 g\n",
                "row 3",
                "has 3 fields, the header has 2; expected 2 comma-separated fields "
                "(put a value that holds a comma in double quotes)",
                id="too many fields",
            ),
            pytest.param(
                "animal,weight,day\nM01,27 g\n",
                "row 2",
                "has 2 fields, the header has 3; expected 3 comma-separated fields "
                "(put a value that holds a comma in double quotes)",
                id="too few fields",
            ),
            pytest.param(
                "animal,weight\n ,27 g\n",
                "row 2, column animal",
                "the animal id is empty; expected an id such as 'M01'",
                id="empty id",
            ),
            pytest.param(
                "animal,weight\nM01,27.1\n",
                "row 2, column weight",
                "got '27.1'; expected a weight with its unit, e.g. '27.1 g'",
                id="bare number",
            ),
            pytest.param(
                "animal,weight\nM01,0.27 mL\n",
                "row 2, column weight",
                "got '0.27 mL'; expected a mass, e.g. '27 g'",
                id="a volume",
            ),
            pytest.param(
                "animal,weight\nM01,\n",
                "row 2, column weight",
                "got ''; expected a mass, e.g. '27 g' (the value is empty)",
                id="empty weight",
            ),
            pytest.param(
                "animal,weight\nM01,0 g\n",
                "row 2, column weight",
                "got '0 g'; expected a mass, e.g. '27 g' (it must be greater than zero)",
                id="zero weight",
            ),
            pytest.param(
                "animal,weight,day\nM01,27 g,7.5\n",
                "row 2, column day",
                "got '7.5'; expected a whole study day, e.g. 0, 7 or -3, or a blank cell",
                id="fractional day",
            ),
            pytest.param(
                "animal,weight,day\nM01,27 g,0\nM02,26 g,0\nM01,28 g,0\n",
                "row 4",
                "animal 'M01' is weighed twice on day 0 (rows 2 and 4); "
                "expected one weighing per animal and day",
                id="same day twice",
            ),
            pytest.param(
                "animal,weight\nM01,27 g\nM01,28 g\n",
                "row 3",
                "animal 'M01' is weighed twice without a day (rows 2 and 3); "
                "expected one weighing per animal and day",
                id="no day twice",
            ),
            pytest.param(
                "animal,weight,day,cage\nM01,27 g,0,\nM01,28 g,7,C1\nM01,29 g,14,C2\n",
                "row 4, column cage",
                "got cage 'C2' for animal 'M01', which row 3 gives as 'C1'; "
                "expected the same cage on every row of an animal (or a blank cell)",
                id="cage changes",
            ),
            pytest.param(
                "animal,weight,day,sex\nM01,27 g,0,F\nM01,28 g,7,M\n",
                "row 3, column sex",
                "got sex 'M' for animal 'M01', which row 2 gives as 'F'; "
                "expected the same sex on every row of an animal (or a blank cell)",
                id="sex changes",
            ),
        ],
    )
    def test_invalid(self, text, key, message):
        """Each broken table gives the key and message written out here."""
        error = _error(text)

        assert (SOURCE, key, message) == (error.path, error.key, error.message)

    @pytest.mark.parametrize(
        ("data", "key"),
        [
            pytest.param(b"animal,weight\nM\xe9,27 g\n", "row 2", id="latin-1 in row 2"),
            pytest.param(b"animal,weight\r\nM01,27 g\r\n\r\nM\xff,2 g\r\n", "row 4", id="CRLF"),
            pytest.param(b"anim\xc3al,weight\n", "row 1", id="broken sequence in header"),
            pytest.param("animal,weight\nM\ud800,27 g\n", "row 2", id="lone surrogate in text"),
        ],
    )
    def test_invalid_encoding(self, data, key):
        """Bytes that are not UTF-8 are refused naming the row of the first bad byte."""
        error = _error(data)

        assert key == error.key
        assert error.message.startswith("the file is not UTF-8 text")

    def test_invalid_encoding_message(self):
        """The message names the byte and the remedy."""
        error = _error(b"animal,weight\nM\xe9,27 g\n")

        assert (
            "weights.csv: row 2: the file is not UTF-8 text (byte 0xe9 cannot be read); "
            "expected a CSV file saved as UTF-8"
        ) == str(error)

    @pytest.mark.parametrize("day", ["seven", "1_0", "٣", "1e3", "99999999999"])
    def test_invalid_day(self, day):
        """A day that is not a whole number in digits is refused in the day column."""
        error = _error(f"animal,weight,day\nM01,27 g,{day}\n")

        assert "row 2, column day" == error.key

    def test_unterminated_quote(self):
        """A quote that is never closed is refused as unreadable CSV."""
        error = _error('animal,weight\n"M01,27 g\n')

        assert "row 2" == error.key
        assert error.message.startswith("cannot be read as CSV")

    def test_error_is_one_line_with_the_file(self):
        """str() of the error is one line: file, row and column, message."""
        error = _error("animal,weight\nM01,27.1\n")

        assert (
            "weights.csv: row 2, column weight: got '27.1'; expected a weight with its unit, "
            "e.g. '27.1 g'"
        ) == str(error)

    def test_first_error_wins(self):
        """With several bad rows, the first one is reported."""
        error = _error("animal,weight\nM01,27 g\nM02,x\nM03,y\n")

        assert "row 3, column weight" == error.key


class TestReadWeights:
    """read_weights reads a file and names it as given."""

    def test_reads_file(self, tmp_path):
        """The file's bytes are parsed and the source is the path as given."""
        path = tmp_path / "w.csv"
        path.write_bytes(b"\xef\xbb\xbfanimal,weight\r\nM01,27 g\r\n")

        cohort = read_weights(str(path))

        assert str(path) == cohort.source
        assert ["M01"] == [a.id for a in cohort.animals]

    def test_missing_file(self, tmp_path):
        """A missing file is a DataFileError naming it."""
        path = tmp_path / "absent.csv"

        with pytest.raises(DataFileError) as info:
            read_weights(path)

        assert "cannot be read: No such file or directory" == info.value.message
        assert str(path) == info.value.path

    def test_folder(self, tmp_path):
        """A folder is a DataFileError."""
        with pytest.raises(DataFileError) as info:
            read_weights(tmp_path)

        assert "cannot be read: Is a directory" == info.value.message


class TestWeighingOn:
    """Animal.weighing_on picks the latest weighing on or before a day."""

    @pytest.fixture(name="animal")
    def _animal(self):
        return Animal(
            id="M01",
            weighings=(
                Weighing(weight=Q_(28, "g"), day=7),
                Weighing(weight=Q_(26, "g"), day=None),
                Weighing(weight=Q_(27, "g"), day=0),
            ),
        )

    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (5, Q_(27, "g")),  # day 0's weighing: the latest on or before day 5
            (7, Q_(28, "g")),  # day 7's own
            (100, Q_(28, "g")),
            (0, Q_(27, "g")),
            (-3, Q_(26, "g")),  # before any dated weighing: the one without a day
        ],
    )
    def test_worked_examples(self, animal, day, expected):
        """Weighings on days None, 0 and 7: each day uses the one worked out by hand."""
        assert expected == animal.weighing_on(day).weight

    def test_none_before_the_first(self):
        """Without an undated weighing, a day before the first weighing has none."""
        animal = Animal(id="M01", weighings=(Weighing(weight=Q_(27, "g"), day=0),))

        assert None is animal.weighing_on(-1)

    def test_sorted(self, animal):
        """Weighings are kept sorted: the one without a day first, then by day."""
        assert [None, 0, 7] == [w.day for w in animal.weighings]

    def test_first_weight(self, animal):
        """The first weight is the earliest weighing's: the undated one here."""
        assert Q_(26, "g") == animal.first_weight

    def test_no_weighings(self):
        """An animal without weighings has no first weight and no weighing on any day."""
        animal = Animal(id="M01")

        assert (None, None) == (animal.first_weight, animal.weighing_on(0))


class TestDomainObjects:
    """Weighing, Animal and Cohort check their own invariants."""

    @pytest.mark.parametrize(
        "weight", [Q_(1, "mL"), Q_(0, "g"), Q_(-1, "kg"), Q_(25, "mg/kg"), Decimal(27)]
    )
    def test_weighing_invalid_weight(self, weight):
        """A weight must be a mass greater than zero."""
        with pytest.raises(QuantityError):
            Weighing(weight=weight, day=0)

    def test_animal_two_weighings_one_day(self):
        """An animal has one weighing per day at most."""
        with pytest.raises(ValueError, match="one weighing per day"):
            Animal(
                id="M01",
                weighings=(
                    Weighing(weight=Q_(27, "g"), day=1),
                    Weighing(weight=Q_(28, "g"), day=1),
                ),
            )

    def test_animal_needs_id(self):
        """An animal's id is not empty."""
        with pytest.raises(ValueError, match="id"):
            Animal(id="")

    def test_cohort_unique_ids(self):
        """A cohort's ids are unique."""
        with pytest.raises(ValueError, match="'M01' appears twice"):
            Cohort(animals=(Animal(id="M01"), Animal(id="M01")), source=SOURCE)


class TestPlaceholderCohort:
    """placeholder_cohort numbers animals, zero-padded, without weights."""

    @pytest.mark.parametrize(
        ("count", "prefix", "first", "last"),
        [
            (9, "", "01", "09"),
            (1, "", "01", "01"),
            (99, "", "01", "99"),
            (100, "", "001", "100"),
            (12, "M", "M01", "M12"),
            (1000, "rat-", "rat-0001", "rat-1000"),
        ],
    )
    def test_ids(self, count, prefix, first, last):
        """Ids run from 1 to count, padded to max(2, digits of count)."""
        cohort = placeholder_cohort(count, prefix=prefix)

        assert (count, first, last) == (
            len(cohort.animals),
            cohort.animals[0].id,
            cohort.animals[-1].id,
        )

    def test_nine(self):
        """Nine animals are 01 to 09."""
        assert ["01", "02", "03", "04", "05", "06", "07", "08", "09"] == [
            a.id for a in placeholder_cohort(9).animals
        ]

    def test_placeholder(self):
        """A placeholder cohort has no source and no weighings."""
        cohort = placeholder_cohort(3)

        assert (True, "", ()) == (
            cohort.placeholder,
            cohort.source,
            tuple(w for a in cohort.animals for w in a.weighings),
        )

    @pytest.mark.parametrize("count", [0, -1, True, 2.0])
    def test_invalid(self, count):
        """A count that is not a whole number of at least one is refused."""
        with pytest.raises(InputError):
            placeholder_cohort(count)
