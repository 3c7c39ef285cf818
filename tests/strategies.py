"""
Hypothesis strategies shared by the tests.

Numbers are built as Decimal(integer).scaleb(exponent) so that every value is exact and its
size is under control; quantity texts mix well-formed input with the near misses people type
(exponents, 'nan', micro signs, full-width digits, commas, unit words planner refuses).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

__all__ = [
    "SPECIES_WITH_KM",
    "animal_ids",
    "any_texts",
    "cohort_animals",
    "convertible_units",
    "decimals",
    "dose_units",
    "exponent_quantity_texts",
    "factors",
    "group_sizes",
    "near_miss_quantity_texts",
    "positive_decimals",
    "quantity_texts",
    "signed_decimals",
    "strata",
    "unit_texts",
    "weight_tables",
    "weight_texts",
    "weights_files",
]

# Species ids in seeds/fda2005-km.toml (FDA 2005 Table 1).
SPECIES_WITH_KM = (
    "mouse",
    "hamster",
    "rat",
    "ferret",
    "guinea-pig",
    "rabbit",
    "dog",
    "monkey",
    "marmoset",
    "squirrel-monkey",
    "baboon",
    "micro-pig",
    "mini-pig",
    "child",
    "human",
)


def decimals(
    *, min_exponent: int = -9, max_exponent: int = 6, max_digits: int = 7
) -> st.SearchStrategy[Decimal]:
    """Positive Decimals with up to ``max_digits`` significant digits, scaled by 10**exponent."""
    return st.builds(
        lambda digits, exponent: Decimal(digits).scaleb(exponent),
        st.integers(min_value=1, max_value=10**max_digits - 1),
        st.integers(min_value=min_exponent, max_value=max_exponent),
    )


def positive_decimals() -> st.SearchStrategy[Decimal]:
    """Positive Decimals from 1e-9 to about 1e13, as doses, weights and volumes come."""
    return decimals()


def signed_decimals() -> st.SearchStrategy[Decimal]:
    """Decimals of either sign, zero, and arbitrary ones from Hypothesis' own generator."""
    return st.one_of(
        decimals(),
        decimals().map(lambda d: -d),
        st.just(Decimal(0)),
        st.decimals(
            min_value=Decimal("-1e12"),
            max_value=Decimal("1e12"),
            allow_nan=False,
            allow_infinity=False,
        ),
    )


def factors() -> st.SearchStrategy[Decimal]:
    """Scale factors for body weights: 0.001 to about 1000, exact."""
    return decimals(min_exponent=-3, max_exponent=0, max_digits=4)


def dose_units() -> st.SearchStrategy[str]:
    """Units of a dose per body mass, by mass and by amount of substance."""
    return st.sampled_from(
        ["mg/kg", "ug/g", "mcg/g", "ug/kg", "g/kg", "umol/kg", "mmol/kg", "nmol/g"]
    )


# Pairs of units of the same kind, for there-and-back conversions.
_CONVERTIBLE = [
    ("mg", "ug"),
    ("g", "mg"),
    ("kg", "g"),
    ("mcg", "ng"),
    ("mL", "uL"),
    ("L", "mL"),
    ("mL", "L"),
    ("mg/kg", "ug/g"),
    ("mg/kg", "mcg/g"),
    ("mg/kg", "g/kg"),
    ("umol/kg", "nmol/g"),
    ("mg/m**2", "ug/cm**2"),
    ("mL/kg", "uL/g"),
    ("mg/mL", "ug/uL"),
    ("mg/mL", "g/L"),
    ("mM", "uM"),
    ("mM", "mol/L"),
    ("mM", "umol/mL"),
    ("g/mol", "mg/mmol"),
    ("h", "min"),
    ("d", "h"),
    ("week", "d"),
    ("min", "s"),
]


def convertible_units() -> st.SearchStrategy[tuple[str, str]]:
    """A pair of units of one kind, in either order."""
    return st.sampled_from(_CONVERTIBLE).flatmap(lambda pair: st.sampled_from([pair, pair[::-1]]))


def any_texts() -> st.SearchStrategy[str]:
    """Any text at all."""
    return st.text()


# Numbers with exponents: small, at the edges of Decimal's default context (Emax 999999) and beyond.
_EXPONENT_NUMBERS = st.builds(
    lambda m, sep, e: f"{m}{sep}{e}",
    st.one_of(st.integers(-1000, 1000), positive_decimals().map(str)),
    st.sampled_from(["e", "E", "e+", "E+", "e-", "E-"]),
    st.one_of(
        st.integers(0, 30),
        st.sampled_from([14, 15, 16, 999998, 999999, 1000000, 1000001, 10**7, 10**18, 10**30]),
        st.integers(0, 10**8),
    ),
)

_FULL_WIDTH = str.maketrans(
    "0123456789.", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff0e"
)

_NUMBER_TEXTS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    positive_decimals().map(str),
    _EXPONENT_NUMBERS,
    st.sampled_from(
        [
            "nan",
            "NaN",
            "inf",
            "-inf",
            "Infinity",
            "sNaN",
            "1e1000000",
            "1e-1000000",
            "9e999999",
            "1e15",
            "1e-15",
            ".5",
            "5.",
            "0",
            "-0",
            "0.0",
            "+1",
            "-1",
            "1_000",
            "1,5",
            "1,000",
            "1.000,5",
            "2,5",
            "",
            " ",
            "0x10",
            "1/2",
            "½",
            "²",
            "٣",
            "1 000",
        ]
    ),
    positive_decimals().map(lambda d: str(d).translate(_FULL_WIDTH)),
)

_UNIT_TEXTS = st.one_of(
    st.sampled_from(
        [
            "mg/kg",
            "mcg/g",
            "ug/g",
            "\N{MICRO SIGN}g/g",
            "\N{GREEK SMALL LETTER MU}g/g",
            "mpk",
            "MPK",
            "mg/m2",
            "mg/m^2",
            "mg/m**2",
            "mg/m²",
            "mg per kg",
            "uL",
            "\N{MICRO SIGN}L",
            "mL",
            "ml",
            "cc",
            "mM",
            "mg/mL",
            "g/mol",
            "%",
            "%%",
            "units",
            "unit",
            "U",
            "IU",
            "iu",
            "qd",
            "bid",
            "tid",
            "qod",
            "gr",
            "mkd",
            "h",
            "min",
            "d",
            "",
            "/",
            "*",
            "**",
            "mg/",
            "/kg",
            "mg//kg",
            "mg**99",
            "mg2",
            "\uff4d\uff47/\uff4b\uff47",
            "mg/kg/d",
            "mg·kg⁻¹",
            "mg kg-1",
            "mg/kg)",
            "(mg",
            "g_",
            "_",
            "kg/kg",
            "mol/mol",
            "furlong",
            "stone",
            "lb",
            "oz",
            "grain",
            "\x00",
            "\n",
            "\u200b",
        ]
    ),
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/*^%0123456789 _-().µμ",
        max_size=12,
    ),
)


_GOOD_UNITS = st.sampled_from(
    ["mg", "mg/kg", "mcg/g", "mL", "uL", "mM", "mg/mL", "mg/m2", "g", "%", "h"]
)


def near_miss_quantity_texts() -> st.SearchStrategy[str]:
    """Texts shaped like quantities, with the mistakes and tricks people and tools produce."""
    return st.builds(
        lambda lead, number, sep, unit, trail: f"{lead}{number}{sep}{unit}{trail}",
        st.sampled_from(["", " ", "\u00a0", "\t"]),
        _NUMBER_TEXTS,
        st.sampled_from(["", " ", "  ", "\u00a0", "\u2009", "\t", "\n", ","]),
        # Good units half the time, so that the number part is what gets tested.
        st.one_of(_GOOD_UNITS, _UNIT_TEXTS),
        st.sampled_from(["", " ", ".", ",", "\n"]),
    )


def exponent_quantity_texts() -> st.SearchStrategy[str]:
    """A number with an exponent, of any size, and a unit planner knows."""
    return st.builds(
        lambda number, sep, unit: f"{number}{sep}{unit}",
        _EXPONENT_NUMBERS,
        st.sampled_from(["", " "]),
        _GOOD_UNITS,
    )


def quantity_texts() -> st.SearchStrategy[str]:
    """Any text, or a near miss of a quantity."""
    return st.one_of(any_texts(), near_miss_quantity_texts())


# --- weights files and cohorts (planner.study.cohort, planner.study.allocation) ---------------------------
# planner is imported inside the strategies below, so that the other tests' strategies do not
# depend on these modules.

_WEIGHT_UNITS = ["g", "kg", "mg", "mcg", "ug"]


def animal_ids() -> st.SearchStrategy[str]:
    """Animal ids as people write them: letters, digits, punctuation (commas, quotes), spaces."""
    return (
        st.text(
            alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")),
            min_size=1,
            max_size=8,
        )
        .map(str.strip)
        .filter(bool)
    )


def weight_texts() -> st.SearchStrategy[tuple[Decimal, str, str]]:
    """A body weight as (value, unit, text), e.g. (Decimal('27.1'), 'g', '27.1 g')."""
    return st.builds(
        lambda value, unit, sep: (value, unit, f"{value}{sep}{unit}"),
        decimals(min_exponent=-3, max_exponent=3, max_digits=5),
        st.sampled_from(_WEIGHT_UNITS),
        st.sampled_from(["", " "]),
    )


@st.composite
def weight_tables(draw: st.DrawFn) -> list[tuple[str, Decimal, str, str, int | None]]:
    """
    The rows of a valid weights file as (animal, value, unit, weight text, day), in file order.

    Each animal has one to four weighings on distinct days, one of them perhaps without a day;
    the rows of different animals are interleaved.
    """
    ids = draw(st.lists(animal_ids(), min_size=1, max_size=6, unique=True))
    rows = []
    for animal in ids:
        days = draw(
            st.lists(
                st.one_of(st.none(), st.integers(-30, 400)), min_size=1, max_size=4, unique=True
            )
        )
        for day in days:
            value, unit, text = draw(weight_texts())
            rows.append((animal, value, unit, text, day))
    return draw(st.permutations(rows))


_HEADERS = [
    "animal,weight",
    "animal,weight,day",
    "Animal, Weight ,DAY,cage,sex",
    "\ufeffanimal,weight,day",
    "animal;weight",
    "animal,wieght",
    "animal,weight,weight",
    "",
]
_CELLS = st.one_of(
    st.sampled_from(["M01", "27.1 g", "27.1", "0.03 kg", "7", "-3", "7.5", "", " ", '"', '""']),
    st.text(max_size=6),
)


def weights_files() -> st.SearchStrategy[bytes]:
    """Bytes that are, or nearly are, a weights file; and arbitrary bytes."""
    rows = st.lists(st.lists(_CELLS, min_size=1, max_size=6).map(",".join), max_size=5)
    structured = st.builds(
        lambda header, body, end: end.join([header, *body]).encode("utf-8", "surrogatepass"),
        st.sampled_from(_HEADERS),
        rows,
        st.sampled_from(["\n", "\r\n", "\r"]),
    )
    return st.one_of(st.binary(max_size=300), structured)


@st.composite
def cohort_animals(draw: st.DrawFn, count: int, *, cages: int = 4) -> tuple[Any, ...]:
    """
    ``count`` animals with ids, cages (of ``cages``), sexes, and one weighing each.

    Weights come in grams or kilograms and repeat, so that ranking must convert and break ties.
    """
    from planner.study.cohort import Animal, Weighing
    from planner.units.registry import Q_

    animals = []
    for index in range(count):
        grams = Decimal(draw(st.integers(150, 400))) / 10
        weight = Q_(grams, "g") if draw(st.booleans()) else Q_(grams / 1000, "kg")
        animals.append(
            Animal(
                id=f"M{index + 1:03d}",
                cage=f"C{draw(st.integers(1, cages))}",
                sex=draw(st.sampled_from(["F", "M"])),
                weighings=(Weighing(weight=weight, day=0),),
            )
        )
    return tuple(animals)


def group_sizes(*, max_groups: int = 5, max_size: int = 12) -> st.SearchStrategy[tuple[int, ...]]:
    """Sizes of one to ``max_groups`` groups, each of 1 to ``max_size`` animals."""
    return st.lists(st.integers(1, max_size), min_size=1, max_size=max_groups).map(tuple)


def strata() -> st.SearchStrategy[tuple[Any, ...]]:
    """A choice of planner.study.allocation.Stratum: none, one, or several, in any order."""
    from planner.study.allocation import Stratum

    return st.lists(st.sampled_from(list(Stratum)), unique=True, max_size=3).map(tuple)


def unit_texts() -> st.SearchStrategy[str]:
    """Unit texts: the ones planner knows, the ones it refuses, and near misses of both."""
    return st.one_of(_GOOD_UNITS, _UNIT_TEXTS)
