"""
Hostile weights files for ``planner plan --weights``: valid tables in every shape the format
allows must plan; tables with one defect must exit 2 with one line naming the file and the row;
anything else must do one or the other.

Every case runs ``planner plan obara2011-cci779-chronic --weights weights.csv --format csv
--out out.csv --seed 1`` in a fresh folder through the oracle in tests/hostile.py. For a valid
table the CSV written is checked row by row against the hand formulas of tests/expected.py:
the weighing each dose uses, amount = weight x 25 mg/kg, volume = weight x 10 mL/kg, and the
volume drawn up in the smallest syringe that holds it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from planner.study.cohort import parse_weights
from tests import expected, hostile
from tests.strategies import animal_ids, weight_tables, weight_texts, weights_files

pytestmark = pytest.mark.hostile

PROTOCOL = "obara2011-cci779-chronic"
FILE = "weights.csv"
OUT = "out.csv"
GROUPS = 5
"""Groups of the protocol: a cohort of fewer animals cannot be allocated (exit 2)."""
ARGV = ("plan", PROTOCOL, "--weights", FILE, "--format", "csv", "--out", OUT, "--seed", "1")
TREATMENTS = {"obara2011-cci779-4daily": ("25 mg/kg", "10 mL/kg")}
"""The protocol's dose and dose volume, copied by hand from protocols/obara2011-cci779-chronic.toml."""

Weighings = Mapping[str, Sequence[tuple[int | None, Decimal]]]
"""Animal id (as the CSV plan writes it) -> [(day or None, grams)]."""


def plan(
    data: bytes, *, expect: str, row: int | None = None, weighings: Weighings | None = None
) -> hostile.Outcome:
    """
    Write ``data`` as the weights file and plan with it in a fresh folder; check the oracle.

    Args:
        data: the file's bytes.
        expect: the verdict: "ok" (a valid table), "refuse" (a defect) or "either".
        row: the row (as a spreadsheet numbers it) the error line must name, if known.
        weighings: what the table holds, worked out by the test, for a valid table: every
            dose row of the plan is checked against it.
    """
    with hostile.workdir() as folder:
        (folder / FILE).write_bytes(data)
        outcome = hostile.run("weights", ARGV, folder, expect=expect, names=[FILE], outputs={OUT})
        if outcome.code == 2:
            if row is not None:
                assert re.search(rf"\brow {row}\b", outcome.error), (
                    f"the error line does not name row {row}: {outcome.err}"
                )
        else:
            assert OUT in outcome.created, outcome.err
            _check_output(data, (folder / OUT).read_bytes(), outcome.err, weighings)
        return outcome


def cell(text: str) -> str:
    """An id as the CSV plan must write it: with a leading apostrophe where a spreadsheet would
    run it as a formula (=, +, -, @, tab, carriage return), as OWASP advises."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _check_output(data: bytes, written: bytes, err: str, weighings: Weighings | None) -> None:
    """
    The CSV plan is whole: one row per dose as the "wrote" line counts them, every row as wide
    as the header, and every animal of the weights file in it, its id unchanged. With the
    table's ``weighings``, every dose row holds the hand-worked weight, amount and volumes.
    """
    wrote = re.search(r"planner: wrote \S+ \((\d+) animals, (\d+) doses", err)
    assert wrote, err
    rows = list(csv.reader(io.StringIO(written.decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]

    assert int(wrote[2]) == len(body), err
    assert all(len(row) == len(header) for row in body)
    if weighings is None:
        # A file of unknown content ("either"): its ids as planner read them.
        ids = {cell(animal.id) for animal in parse_weights(data, source=FILE).animals}
    else:
        ids = set(weighings)
        # 5 groups x 4 daily doses: every animal gets 4 doses (drug or vehicle).
        assert 4 * len(ids) == len(body), err
        dose_rows = expected.csv_rows(written.decode("utf-8"))
        checked = expected.check_plan_rows(dose_rows, treatments=TREATMENTS, weighings=weighings)
        # Every row with a weighing on or before its day was checked against the formulas (a
        # table weighed only after the dosing days leaves every volume blank: nothing to check).
        weighed = sum(
            expected.weighing_on(weighings[r["animal"]], int(r["day"])) is not None
            for r in dose_rows
        )
        assert weighed == checked
    assert int(wrote[1]) == len(ids), err
    if body:
        assert ids == {row[header.index("animal")] for row in body}


# --- valid tables -----------------------------------------------------------------------------
# A table is built as (header, rows, row number of each data row): cells are text, written with
# the csv module so that ids holding commas and quotes are quoted.

_COLUMN_NAMES = {
    "animal": ["animal", "Animal", "ANIMAL", " animal "],
    "weight": ["weight", "Weight", "WEIGHT", "weight "],
    "day": ["day", "Day", " DAY"],
    "cage": ["cage", "Cage"],
    "sex": ["sex", "Sex", "SEX "],
}


# Strategies are built once: building them inside a composite on every draw costs more than
# the CLI run itself.
_IDS = st.lists(animal_ids(), min_size=GROUPS, max_size=8, unique=True)
_DAYS = st.lists(st.one_of(st.none(), st.integers(-30, 400)), min_size=1, max_size=3, unique=True)
_WEIGHT = weight_texts()
# Cosmetic choices (case of the header, spaces, quoting, blank lines, line ends) come from a
# Random seeded by Hypothesis: reproducible, one draw instead of dozens.
_RANDOM = st.randoms(use_true_random=False)  # seeded by Hypothesis: a failure reproduces


@st.composite
def _weighings(draw: st.DrawFn) -> list[tuple[str, Decimal, str, str, int | None]]:
    """As tests.strategies.weight_tables, with GROUPS to 8 animals."""
    rows = []
    for animal in draw(_IDS):
        for day in draw(_DAYS):
            value, unit, text = draw(_WEIGHT)
            rows.append((animal, value, unit, text, day))
    return rows


@st.composite
def tables(
    draw: st.DrawFn, *, need_day: bool = False, few: bool = False
) -> tuple[list[str], list[list[str]]]:
    """
    A valid weights table as (header, rows) of text cells: the required columns, any optional
    ones, in any order, with header names in any case; rows of animals interleaved; cages and
    sexes agree per animal (a later row may leave them blank).

    The table has at least one animal per group of the protocol (5), unless ``few``.
    """
    rows = list(draw(weight_tables()) if few else draw(_weighings()))
    rng = draw(_RANDOM)
    rng.shuffle(rows)
    with_day = need_day or rng.random() < 0.5 or any(d is not None for *_, d in rows)
    if not with_day:
        # Without a day column every weighing is "for the whole study": one per animal.
        firsts: dict[str, tuple] = {}
        for row in rows:
            firsts.setdefault(row[0], row)
        rows = list(firsts.values())
    optional = [name for name in ("cage", "sex") if rng.random() < 0.5]
    columns = ["animal", "weight", *(["day"] if with_day else []), *optional]
    rng.shuffle(columns)
    header = [rng.choice(_COLUMN_NAMES[name]) for name in columns]
    cages: dict[str, str] = {}
    sexes: dict[str, str] = {}
    body = []
    for animal, _value, _unit, text, day in rows:
        cells = {
            "animal": rng.choice([animal, f" {animal}", f"{animal} "]),
            "weight": text,
            "day": ""
            if day is None
            else rng.choice([str(day), f" {day} ", f"+{day}" if day >= 0 else str(day)]),
        }
        for name, known, choices in (
            ("cage", cages, ["1", "2", "C3", "cage 4"]),
            ("sex", sexes, ["male", "female", "M", "F"]),
        ):
            if animal in known:
                cells[name] = rng.choice([known[animal], ""])
            else:
                cells[name] = known[animal] = rng.choice(choices)
        body.append([cells[name] for name in columns])
    return header, body


@st.composite
def encodings(
    draw: st.DrawFn, header: list[str], body: list[list[str]], *, delimiter: str = ","
) -> tuple[bytes, list[int]]:
    """
    Write a table as a file: quoting, line ends, a byte-order mark, blank lines; return the bytes
    and the row number of each data row.
    """
    rng = draw(_RANDOM)
    end = rng.choice(["\n", "\r\n"])
    records: list[list[str]] = [header]
    numbers: list[int] = []
    for cells in body:
        while rng.random() < 0.1:
            records.append([])  # a blank line
        records.append(cells)
        numbers.append(len(records))
    records.extend([] for _ in range(rng.randint(0, 2)))
    buffer = io.StringIO()
    quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=end)
    for record in records:
        if record:
            writer.writerow(record)
        else:
            buffer.write(end)
    text = rng.choice(["", "\ufeff"]) + buffer.getvalue()
    if rng.random() < 0.3:
        text = text.rstrip("\r\n")  # no line end after the last row
    return text.encode("utf-8"), numbers


def weighings_of(header: list[str], body: list[list[str]]) -> dict[str, list]:
    """What a table holds, read here: animal (as the plan writes it) -> [(day, grams)]."""
    columns = [name.strip().lower() for name in header]
    found: dict[str, list] = {}
    for cells in body:
        record = dict(zip(columns, cells, strict=True))
        weight = expected.read(record["weight"])
        assert weight is not None, record["weight"]
        assert "mass" == weight.kind, record["weight"]
        day = record.get("day", "").strip()
        found.setdefault(cell(record["animal"].strip()), []).append(
            (int(day) if day else None, weight.value)
        )
    return found


@st.composite
def valid_tables(draw: st.DrawFn) -> tuple[bytes, dict[str, list]]:
    """The bytes of a valid weights file, and what it holds (weighings_of)."""
    header, body = draw(tables())
    data, _ = draw(encodings(header, body))
    return data, weighings_of(header, body)


@st.composite
def valid_files(draw: st.DrawFn) -> bytes:
    """The bytes of a valid weights file."""
    return draw(valid_tables())[0]


def _cohort(count: int) -> bytes:
    """A valid file of ``count`` mice weighed on day 7, in four cages."""
    rows = "".join(
        f"M{n:02d},{20 + n % 9}.{n % 10} g,7,{(n - 1) // 4 + 1},male\n" for n in range(1, count + 1)
    )
    return ("animal,weight,day,cage,sex\n" + rows).encode()


def _rows(header: str, rows: str, suffix: str = "") -> bytes:
    """A file of ``header`` and ``rows``, with four more animals (one per group of the protocol)."""
    more = "".join(f"X{n},25 g{suffix}\n" for n in range(1, 5))
    return (header + rows + more).encode("utf-8")


def _known(data: bytes) -> tuple[bytes, dict[str, list]]:
    """A hand-made valid file and what it holds (read with the csv module and tests/expected)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return data, weighings_of(rows[0], [r for r in rows[1:] if r])


class TestValidTables:
    """Valid weights files plan: exit 0 or 1 (a finding), never 2, with the right numbers."""

    @hostile.examples(300)
    @given(case=valid_tables())
    @example(case=_known(_cohort(40)))
    @example(case=_known(_cohort(5)))
    @example(case=_known(_cohort(41)))
    @example(case=_known(_rows("\ufeffanimal,weight\r\n", "M01,27.1 g\r\n")))
    @example(
        case=_known(_rows("animal,weight\n", '"M01, left ear",27.1 g\n"say ""hi""",0.0271 kg\n'))
    )
    @example(
        case=_known(
            _rows("animal,weight\n", "<script>alert(1)</script>,27.1 g\n\u03bc-01,27100 mg\n")
        )
    )
    @example(
        case=_known(
            _rows("animal,weight,day\n", "M01,27.1 g,7\nM01,0.0281 kg,8\nM01,29 g,9\n", ",7")
        )
    )
    @example(
        case=_known(_rows("animal,weight\n", "M01,27.1 \u00b5g\nM02,27.1 \u03bcg\nM03,27.1g\n"))
    )
    def test_plans(self, case: tuple[bytes, dict[str, list]]):
        """A valid table never exits 2, and every dose row holds the hand-worked numbers."""
        data, weighings = case
        plan(data, expect="ok", weighings=weighings)

    def test_kilograms(self):
        """Weights in kg plan like the same weights in g. By hand, for M01 at 0.027 kg on
        day 7 (CCI-779 25 mg/kg, 10 mL/kg, 2.5 mg/mL): 25 mg/kg x 0.027 kg = 0.675 mg; 10 mL/kg x
        0.027 kg = 0.27 mL, drawn up as 0.27 mL in the 0.5 mL syringe (graduation 0.01 mL)."""
        data = _rows("animal,weight,day\n", "M01,0.027 kg,7\nM02,0.0301 kg,7\n", ",7")
        outcome = plan(data, expect="ok", weighings=_known(data)[1])

        assert 0 == outcome.code, outcome.err

    def test_kilograms_numbers(self):
        """The CSV row of a 0.027 kg mouse reads 27 g, 0.675 mg (or 0 for vehicle), 0.27 mL."""
        data = _rows("animal,weight,day\n", "M01,0.027 kg,7\n", ",7")
        with hostile.workdir() as folder:
            (folder / FILE).write_bytes(data)
            outcome = hostile.run("weights", ARGV, folder, expect="ok", names=[FILE], outputs={OUT})
            rows = expected.csv_rows((folder / OUT).read_text("utf-8"))

        assert 0 == outcome.code, outcome.err
        first = [r for r in rows if r["animal"] == "M01" and r["day"] == "7"]
        assert 1 == len(first)
        assert "27" == first[0]["weight_g"]
        assert ("0" if first[0]["vehicle"] == "yes" else "0.675") == first[0]["amount"]
        assert "0.27" == first[0]["volume_mL"]
        assert "0.27" == first[0]["measured_volume_mL"]


# --- tables with one defect -------------------------------------------------------------------

_BAD_WEIGHTS = [
    "0 g",
    "-3 g",
    "-0 g",
    "nan g",
    "inf g",
    "27,1 g",
    "27.1",
    "27",
    "",
    " ",
    "27.1 mL",
    "27.1 g/kg",
    "twenty g",
    "1e999999 g",
    "1e16 g",
    "27.1 cc",
    "27.1 %",
    "g",
    "27.1 g g",
    "27.1 IU",
]
_BAD_DAYS = ["1.5", "day 3", "1e3", "\u0663", "9999999999", "7 d", "+", "1_0", "nan", "7,"]
_CELL_DEFECTS = ["weight", "day", "empty-id", "field-count", "duplicate", "cage"]
_HEADER_DEFECTS = ["missing-column", "unknown-column", "duplicate-column", "unnamed-column"]
_BYTE_DEFECTS = ["not-utf8", "open-quote", "delimiter"]


@st.composite
def defective_files(draw: st.DrawFn) -> tuple[bytes, int | None, str]:
    """
    A valid table with exactly one defect; return its bytes, the row the error line must name
    (None when the row is not well defined) and the defect.
    """
    header, body = draw(tables(need_day=True))
    columns = [name.strip().lower() for name in header]
    kind = draw(st.sampled_from(_CELL_DEFECTS + _HEADER_DEFECTS + _BYTE_DEFECTS))
    index = draw(st.integers(0, len(body) - 1))
    target: int | None = index  # the data row whose number the error names
    cells = body[index]
    if kind == "weight":
        cells[columns.index("weight")] = draw(st.sampled_from(_BAD_WEIGHTS))
    elif kind == "day":
        cells[columns.index("day")] = draw(st.sampled_from(_BAD_DAYS))
    elif kind == "empty-id":
        cells[columns.index("animal")] = draw(st.sampled_from(["", " ", "\t"]))
    elif kind == "field-count":
        body[index] = draw(st.sampled_from([[*cells, "extra"], cells[:-1]]))
    elif kind == "duplicate":
        body.append(list(cells))  # the same animal on the same day again, as the last row
        target = len(body) - 1
    elif kind == "cage":
        if "cage" not in columns:
            columns.append("cage")
            header.append("cage")
            for record in body:
                record.append("1")
        conflict = list(cells)
        conflict[columns.index("cage")] = "other cage"
        conflict[columns.index("day")] = "12345"  # a day no weighing of the table has
        body.append(conflict)
        target = len(body) - 1
    elif kind == "missing-column":
        drop = columns.index(draw(st.sampled_from(["animal", "weight"])))
        header.pop(drop)
        for record in body:
            record.pop(drop)
        target = None
    elif kind in {"unknown-column", "duplicate-column", "unnamed-column"}:
        names = {
            "unknown-column": ["wieght", "notes", "Weight (g)", "id", "animal id"],
            "duplicate-column": ["weight", "animal", "Day"],
            "unnamed-column": ["", " "],
        }[kind]
        header.append(draw(st.sampled_from(names)))
        for record in body:
            record.append("x")
        target = None
    delimiter = draw(st.sampled_from([";", "\t"])) if kind == "delimiter" else ","
    data, numbers = draw(encodings(header, body, delimiter=delimiter))
    row = 1 if target is None else numbers[target]
    if kind == "not-utf8":
        data = _in_row(data, row, draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3\x28", b"\x80"])))
    elif kind == "open-quote":
        data = _in_row(data, row, b'"', at_start=True)
        row = None  # an open quote runs on to the end of the file: where it fails varies
    elif kind == "delimiter":
        row = None  # the header names one column; a quoted cell may fail to read as CSV first
    return data, row, kind


def _in_row(data: bytes, row: int, insert: bytes, *, at_start: bool = False) -> bytes:
    """Insert ``insert`` into row ``row`` (a data row: no line breaks inside its cells)."""
    lines = data.split(b"\n")
    line = lines[row - 1]
    position = 0 if at_start else min(1, len(line))
    lines[row - 1] = line[:position] + insert + line[position:]
    return b"\n".join(lines)


class TestDefectiveTables:
    """A table with one defect exits 2, naming the file and the row."""

    @hostile.examples(900)
    @given(case=defective_files())
    def test_refused(self, case: tuple[bytes, int | None, str]):
        """The error line names the weights file and the defective row."""
        data, row, _kind = case
        plan(data, expect="refuse", row=row)

    @pytest.mark.parametrize(
        ("data", "row"),
        [
            (b"", None),
            (b"\n\n\r\n", None),
            (b"\xef\xbb\xbf", None),
            (b"animal,weight\n", None),
            (b"animal,weight,day\n\n\n", None),
            ("animal,weight\nM01,27.1 g\n".encode("utf-16"), 1),
            ("animal,weight\nM\u00e901,27.1 g\n".encode("latin-1"), 2),
            (b"animal;weight\nM01;27.1 g\n", 1),
            (b"animal\tweight\nM01\t27.1 g\n", 1),
            (b"animal,weight\nM01,27,1 g\n", 2),
            (b"animal,weight\nM01,27.1 g\nM01,27.2 g\n", 3),
            (b"animal,weight,day\nM01,27.1 g,0\nM01,0.0272 kg,0\n", 3),
            (b"animal,weight,cage\nM01,27.1 g,1\nM01,27.1 g,2\n", 3),
            (b'animal,weight\n"M01,27.1 g\nM02,27.1 g\n', None),
            (b"animal,weight\nM01,\n", 2),
            (b"weight\n27.1 g\n", 1),
            (b"animal\nM01\n", 1),
            (b"animal,weight,animal\nM01,27.1 g,M02\n", 1),
            (b"a,b,c,d,e,f,g,h,i,j\n1,2,3,4,5,6,7,8,9,10\n", 1),
            (b"animal,weight\nM01,27.1 g\x00\n", 2),
            (b"\xff\xfe\x00\x00", 1),
            (b"animal,weight\r\nM01,-0 g\r\n", 2),
            (b"animal,weight\r\nM01,1e-16 g\r\n", 2),
            # Ids, cages and sexes with line breaks, controls or invisible characters (fixed in
            # planner/cohort.py: an id with a line break printed a finding on two lines).
            (_rows("animal,weight\n", '"M\n01",27.1 g\n'), 2),
            (_rows("animal,weight\n", "M\u200b01,27.1 g\n"), 2),
            (_rows("animal,weight\n", "\u202eM01,27.1 g\n"), 2),
            (_rows("animal,weight\n", "M01\x00,27.1 g\n"), 2),
            (_rows("animal,weight,cage\n", 'M01,27.1 g,"1\t2"\n', ",1"), 2),
            (_rows("animal,weight,sex\n", 'M01,27.1 g,"ma\rle"\n', ",F"), 2),
        ],
    )
    def test_explicit(self, data: bytes, row: int | None):
        """Hand-made broken files exit 2 with one line naming the file (and the row)."""
        plan(data, expect="refuse", row=row)

    @pytest.mark.parametrize(
        "data",
        [
            _rows("animal,weight\n", "M01,27.1 lb\nM02,1 oz\n"),
            _rows("animal,weight\n", "M" * 100_000 + ",27.1 g\n"),
            _rows("animal,weight\n", "M02," + "2" * 5000 + " g\n"),
            _rows("animal,weight\n", "M01,27.1 G\nM02,27.1 grams\nM03,0.0271 Kg\n"),
        ],
    )
    def test_explicit_maybe(self, data: bytes):
        """Odd but perhaps valid files plan or exit 2 with one line naming the file. Verdict
        "either": pounds and ounces, a 100,000-character id, a 5,000-digit weight and unit words
        in other cases are a policy choice (planner may read them or refuse them), not a defect."""
        plan(data, expect="either")


# --- anything at all --------------------------------------------------------------------------


def _noise(data: bytes, position: int, insert: bytes) -> bytes:
    position = position % (len(data) + 1)
    return data[:position] + insert + data[position:]


@st.composite
def mixed_files(draw: st.DrawFn) -> bytes:
    """Valid files with random bytes inserted, near-miss files, and arbitrary bytes."""
    return draw(
        st.one_of(
            weights_files(),
            st.builds(
                _noise,
                valid_files(),
                st.integers(0, 10_000),
                st.one_of(
                    st.binary(min_size=1, max_size=8),
                    st.sampled_from(
                        [b",", b'"', b"\n", b"\r", b"\x00", b";", b"\t", b"\xef\xbb\xbf", b"\xff"]
                    ),
                ),
            ),
            st.builds(
                lambda ids, weights, units: (
                    "animal,weight\n"
                    + "".join(
                        f'"{i.replace(chr(34), chr(34) * 2)}",{w[0]} {u}\n'
                        for i, w, u in zip(ids, weights, units, strict=False)
                    )
                ).encode("utf-8"),
                st.lists(animal_ids(), min_size=1, max_size=5),
                st.lists(weight_texts(), min_size=5, max_size=5),
                st.lists(
                    st.sampled_from(
                        ["g", "kg", "mg", "lb", "oz", "µg", "μg", "grams", "G", "Kg", ""]
                    ),
                    min_size=5,
                    max_size=5,
                ),
            ),
        )
    )


class TestAnyBytes:
    """Whatever the bytes, plan exits 0, 1 or 2 with one line naming the file."""

    @hostile.examples(800)
    @given(data=mixed_files())
    def test_one_line(self, data: bytes):
        """Exit 2 comes with one line naming weights.csv; success writes out.csv. Verdict
        "either": random bytes inserted into a valid file may leave it valid (a digit into a
        weight) or break it, and arbitrary bytes are whatever they are."""
        plan(data, expect="either")


class TestPaths:
    """--weights that is no readable file exits 2 naming it."""

    @pytest.mark.parametrize("name", ["missing.csv", "folder", "folder/", "", " ", "missing/w.csv"])
    def test_unreadable(self, name: str):
        """A missing file, a folder or an empty name."""
        with hostile.workdir() as folder:
            (folder / "folder").mkdir()
            argv = (
                "plan",
                PROTOCOL,
                "--weights",
                name,
                "--format",
                "csv",
                "--out",
                OUT,
                "--seed",
                "1",
            )
            hostile.run(
                "weights", argv, folder, expect="refuse", names=[name.strip()], outputs={OUT}
            )


class TestFewAnimals:
    """A file of fewer animals than the protocol has groups is refused, naming the file."""

    @pytest.mark.parametrize("count", [1, 4])
    def test_names_the_file(self, count: int):
        """Exit 2, one line naming weights.csv (found by this suite; fixed in planner.study)."""
        plan(_cohort(count), expect="refuse")
