"""
Tests for planner.units.registry: the registry, Q_, kinds, and the one parser for typed quantities.
"""

from __future__ import annotations

from decimal import Decimal

import pint
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from planner.errors import InputError, QuantityError
from planner.units.registry import (
    Q_,
    Kind,
    basis,
    has_kind,
    is_kind,
    parse_quantity,
    parse_unit,
    require_kind,
    ureg,
)
from tests.strategies import (
    convertible_units,
    exponent_quantity_texts,
    near_miss_quantity_texts,
    positive_decimals,
    quantity_texts,
)

REL = Decimal("1e-20")


def _close(expected: Decimal, actual: Decimal, rel: Decimal = REL) -> bool:
    """Tell whether two Decimals agree to a relative tolerance."""
    return abs(expected - actual) <= rel * abs(expected)


class TestQ:
    """Q_ builds quantities with exact Decimal magnitudes."""

    def test_decimal_magnitude_from_text(self):
        """A text value becomes an exact Decimal magnitude."""
        q = Q_("0.1", "mL")

        assert Decimal("0.1") == q.magnitude
        assert isinstance(q.magnitude, Decimal)

    def test_float_goes_through_its_shortest_text(self):
        """0.1 + 0.2 mL is exactly 0.3 mL, because floats are read through their text form."""
        total = Q_(0.1, "mL") + Q_(0.2, "mL")

        assert Decimal("0.3") == total.to("mL").magnitude

    def test_worked_example_amount(self):
        """25 mg/kg x 27 g is exactly 0.675 mg (25 x 0.027 = 0.675)."""
        amount = (Q_(25, "mg/kg") * Q_(27, "g")).to("mg")

        assert Decimal("25") * Decimal("0.027") == amount.magnitude
        assert Decimal("0.675") == amount.magnitude

    def test_grams_to_kilograms(self):
        """27 g is exactly 0.027 kg."""
        assert Decimal("0.027") == Q_("27", "g").to("kg").magnitude

    def test_bool_refused(self):
        """A bool is not a quantity's value."""
        with pytest.raises(TypeError):
            Q_(True, "mg")

    def test_unit_text_goes_through_the_parser(self):
        """The unit text of Q_ is read by parse_unit, so an error-prone word is refused."""
        with pytest.raises(QuantityError):
            Q_(5, "cc")


class TestParseQuantity:
    """parse_quantity reads what people type, refuses the rest with a reason."""

    @pytest.mark.parametrize(
        "text",
        [
            "25 mg/kg",
            "25mg/kg",
            "25 mcg/g",
            "25 ug/g",
            "25 \N{MICRO SIGN}g/g",  # U+00B5 micro sign
            "25 \N{GREEK SMALL LETTER MU}g/g",  # U+03BC Greek mu
            "0.025 g/kg",
            "25000 ug/kg",
            "25 mpk",
            "25 MPK",
            "25 mg per kg",
            "  25   mg/kg  ",
            "\uff12\uff15 mg/kg",  # full-width digits, folded by NFKC
            "25\u00a0mg/kg",  # non-breaking space
            "2.5e1 mg/kg",
        ],
    )
    def test_valid_25_mg_per_kg(self, text):
        """Every spelling of 25 mg/kg reads as a dose per body mass equal to 25 mg/kg."""
        q = parse_quantity(text, Kind.DOSE_PER_MASS)

        assert Decimal(25) == q.to("mg/kg").magnitude
        assert is_kind(q, Kind.DOSE_PER_MASS)

    @pytest.mark.parametrize(
        ("text", "kind", "unit", "value"),
        [
            ("75 mg/m2", Kind.DOSE_PER_AREA, "mg/m**2", Decimal(75)),
            ("75 mg/m^2", Kind.DOSE_PER_AREA, "mg/m**2", Decimal(75)),
            ("75 mg/m\N{SUPERSCRIPT TWO}", Kind.DOSE_PER_AREA, "mg/m**2", Decimal(75)),
            ("10 uL", Kind.VOLUME, "uL", Decimal(10)),
            ("10 \N{MICRO SIGN}L", Kind.VOLUME, "uL", Decimal(10)),
            ("10 uL", Kind.VOLUME, "mL", Decimal("0.01")),
            ("0.25 mL", Kind.VOLUME, "mL", Decimal("0.25")),
            ("0.25 ml", Kind.VOLUME, "uL", Decimal(250)),
            (".5 mL", Kind.VOLUME, "mL", Decimal("0.5")),
            ("5 mM", Kind.CONCENTRATION, "mM", Decimal(5)),
            ("5 mM", Kind.CONCENTRATION, "umol/mL", Decimal(5)),
            ("2.5 mg/mL", Kind.CONCENTRATION, "mg/mL", Decimal("2.5")),
            ("2.5 mg/mL", Kind.CONCENTRATION, "ug/uL", Decimal("2.5")),
            ("27 g", Kind.MASS, "kg", Decimal("0.027")),
            ("1e-3 g", Kind.AMOUNT, "mg", Decimal(1)),
            ("2 umol", Kind.AMOUNT, "umol", Decimal(2)),
            ("40 umol/kg", Kind.DOSE_PER_MASS, "umol/kg", Decimal(40)),
            ("10 mL/kg", Kind.DOSE_VOLUME, "mL/kg", Decimal(10)),
            ("10 uL/g", Kind.DOSE_VOLUME, "mL/kg", Decimal(10)),
            ("1030.29 g/mol", Kind.MOLAR_MASS, "g/mol", Decimal("1030.29")),
            ("5 %", Kind.FRACTION, "percent", Decimal(5)),
            ("24 h", Kind.DURATION, "d", Decimal(1)),
            ("30 min", Kind.DURATION, "s", Decimal(1800)),
        ],
    )
    def test_valid_kinds(self, text, kind, unit, value):
        """Each text parses to its kind and to the value worked out by hand."""
        q = parse_quantity(text, kind)

        assert value == q.to(unit).magnitude
        assert is_kind(q, kind)

    @pytest.mark.parametrize(
        ("text", "hint"),
        [
            ("25 %", "a percentage is not a dose"),
            ("25", "a number alone has no unit"),
        ],
    )
    def test_invalid_dose_names_expected_kind(self, text, hint):
        """A percentage or a bare number is refused as a dose, naming the kind expected."""
        with pytest.raises(QuantityError) as info:
            parse_quantity(text, Kind.DOSE_PER_MASS)

        message = str(info.value)
        assert "expected a dose per body mass" in message
        assert hint in message
        assert text == info.value.got

    def test_invalid_dose_exact_message(self):
        """Refusing '25 %' as a dose names the option, the value and the kind in one line."""
        with pytest.raises(QuantityError) as info:
            parse_quantity("25 %", Kind.DOSE_PER_MASS, where="DOSE")

        assert (
            "DOSE: got '25 %'; expected a dose per body mass, e.g. '25 mg/kg', '25 mcg/g' or "
            "'40 umol/kg' "
            "(a percentage is not a dose; pint would read mg/kg and % alike, planner does not)"
        ) == str(info.value)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("25 units", "activity units"),
            ("25 unit", "activity units"),
            ("25 U", "activity units"),
            ("25 IU", "activity units"),
            ("25 U/kg", "activity units"),
            ("25 qd", "dosing-frequency"),
            ("25 mg/kg qd", "dosing-frequency"),
            ("25 mg bid", "dosing-frequency"),
            ("5 cc", "write mL"),
            ("1 gr", "grain or gram"),
            ("25 mkd", "write mg/kg"),
        ],
    )
    def test_invalid_refused_abbreviations(self, text, reason):
        """Error-prone abbreviations are refused with the reason, not misread."""
        with pytest.raises(QuantityError) as info:
            parse_quantity(text)

        assert reason in str(info.value)
        assert text == info.value.got

    @pytest.mark.parametrize(
        ("text", "hint"),
        [
            ("1,5 mg", "'.' as the decimal point"),
            ("1,000 mg", "without separators"),
            ("", "the value is empty"),
            ("   ", "the value is empty"),
            ("nan mg", "must start with a number"),
            ("NaN", "must start with a number"),
            ("inf mg", "must start with a number"),
            ("Infinity mg/kg", "must start with a number"),
            ("mg", "must start with a number"),
            ("0 mg", "greater than zero"),
            ("0.0 mL", "greater than zero"),
            ("-5 mg", "greater than zero"),
            ("1e20 mg", "out of any plausible range"),
            ("1e-20 mg", "out of any plausible range"),
            ("1e1000000 mg", ""),
            ("5 furlongs", "unknown unit"),
            ("5 mg/", "write units as words"),
            ("5 mg//kg", "write units as words"),
            ("5 1/kg", "write units as words"),
        ],
    )
    def test_invalid(self, text, hint):
        """Malformed numbers and units are refused with a QuantityError that says why."""
        with pytest.raises(QuantityError) as info:
            parse_quantity(text)

        assert hint in str(info.value)

    def test_not_a_string(self):
        """A non-string is refused with a QuantityError, not a TypeError."""
        with pytest.raises(QuantityError):
            parse_quantity(25)  # type: ignore[arg-type]

    def test_where_prefixes_the_message(self):
        """The location given by the caller starts the message."""
        with pytest.raises(QuantityError) as info:
            parse_quantity("25", Kind.MASS, where="--weight")

        assert (
            "--weight: got '25'; expected a mass, e.g. '27 g' (a number alone has no unit)"
            == str(info.value)
        )

    def test_minutes_to_hours(self):
        """30 min is 0.5 h to within 1e-20 (1/60 is not a finite decimal, so not exactly)."""
        hours = parse_quantity("30 min", Kind.DURATION).to("h").magnitude

        assert _close(Decimal("0.5"), hours)

    def test_error_is_a_value_error(self):
        """QuantityError is also a ValueError and an InputError, so callers may catch either."""
        with pytest.raises(ValueError, match="a percentage is not a dose"):
            parse_quantity("25 %", Kind.DOSE_PER_MASS)
        with pytest.raises(InputError):
            parse_quantity("25 %", Kind.DOSE_PER_MASS)

    def test_zero_allowed_when_not_positive(self):
        """With positive=False zero is accepted."""
        q = parse_quantity("0 mg", Kind.AMOUNT, positive=False)

        assert Decimal(0) == q.magnitude

    def test_negative_refused_even_when_not_positive(self):
        """With positive=False a negative value is still refused."""
        with pytest.raises(QuantityError) as info:
            parse_quantity("-1 mg", Kind.AMOUNT, positive=False)

        assert "must not be negative" in str(info.value)

    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            ("25 mg/kg", Kind.MASS),
            ("27 g", Kind.DOSE_PER_MASS),
            ("10 mL/kg", Kind.DOSE_PER_MASS),
            ("0.25 mL", Kind.MASS),
            ("5 mM", Kind.DOSE_PER_MASS),
            ("75 mg/m2", Kind.DOSE_PER_MASS),
            ("2.5 mg/mL", Kind.DOSE_VOLUME),
            ("25 mg/kg", Kind.FRACTION),
            ("1 kg/kg", Kind.DOSE_PER_MASS),
            ("25 mg/kg/d", Kind.DOSE_PER_MASS),
        ],
    )
    def test_invalid_wrong_kind(self, text, kind):
        """A valid quantity of another kind is refused, naming the kind expected."""
        with pytest.raises(QuantityError) as info:
            parse_quantity(text, kind)

        assert f"expected {kind.value}" in str(info.value)

    @given(quantity_texts())
    def test_any_text_is_a_quantity_or_a_quantity_error(self, text):
        """Whatever the text, parse_quantity returns a Quantity or raises QuantityError."""
        try:
            result = parse_quantity(text)
        except QuantityError:
            return

        assert isinstance(result, ureg.Quantity)
        assert isinstance(result.magnitude, Decimal)

    @given(exponent_quantity_texts())
    def test_numbers_with_exponents(self, text):
        """A number with an exponent of any size gives a Quantity or a QuantityError."""
        try:
            result = parse_quantity(text)
        except QuantityError:
            return

        assert Decimal("1e-15") <= result.magnitude < Decimal("1e15")

    @given(near_miss_quantity_texts(), st.sampled_from(list(Kind)))
    @example("1e1000000 mg", Kind.AMOUNT)
    @example("9e999999 mg/kg", Kind.DOSE_PER_MASS)
    @example("25 \N{GREEK SMALL LETTER MU}g/g", Kind.DOSE_PER_MASS)
    @example("\uff12\uff15 mg", Kind.AMOUNT)
    def test_near_misses_with_a_kind(self, text, kind):
        """A near miss checked against a kind gives a Quantity of that kind or a QuantityError."""
        try:
            result = parse_quantity(text, kind, positive=False)
        except QuantityError:
            return

        assert is_kind(result, kind)


class TestParseQuantityAccepts:
    """
    The refuse-or-parse properties above would pass a parser that refused everything; these
    pin the other side: every valid spelling parses, to the value written (factors by hand).
    """

    # (spelling, canonical unit, factor from the spelling to the canonical unit)
    SPELLINGS = (
        ("mg/kg", "mg/kg", Decimal(1)),
        ("mpk", "mg/kg", Decimal(1)),
        ("mcg/g", "mg/kg", Decimal(1)),  # 1 mcg/g = 1e-3 mg / 1e-3 kg
        ("ug/g", "mg/kg", Decimal(1)),
        ("\N{MICRO SIGN}g/g", "mg/kg", Decimal(1)),
        ("g/kg", "mg/kg", Decimal(1000)),
        ("mg", "mg", Decimal(1)),
        ("mcg", "mg", Decimal("0.001")),
        ("g", "mg", Decimal(1000)),
        ("mL", "mL", Decimal(1)),
        ("uL", "mL", Decimal("0.001")),
        ("mg/mL", "mg/mL", Decimal(1)),
        ("mL/kg", "mL/kg", Decimal(1)),
        ("uL/g", "mL/kg", Decimal(1)),  # 1 uL/g = 1e-3 mL / 1e-3 kg
        ("umol/kg", "umol/kg", Decimal(1)),
        ("mg/m2", "mg/m**2", Decimal(1)),
        ("mM", "mM", Decimal(1)),
    )

    @given(
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100000), places=3),
        st.sampled_from(SPELLINGS),
        st.sampled_from(["", " "]),
    )
    def test_valid_spellings_parse_to_their_value(self, number, spelling, separator):
        """'<number><sep><unit>' parses, and equals number x the unit's factor."""
        unit, canonical, factor = spelling
        result = parse_quantity(f"{number}{separator}{unit}")

        assert number * factor == result.to(canonical).magnitude

    @given(
        st.integers(1, 999),
        st.integers(-6, 6),
        st.sampled_from(["mg", "mL", "mg/kg"]),
    )
    def test_exponents_in_range_parse(self, mantissa, exponent, unit):
        """'<m>e<k> unit' with a modest exponent parses to m x 10**k."""
        result = parse_quantity(f"{mantissa}e{exponent} {unit}")

        assert Decimal(mantissa).scaleb(exponent) == result.to(unit).magnitude


class TestParseUnit:
    """parse_unit reads units as people write them, refusing the error-prone ones."""

    @pytest.mark.parametrize(
        ("text", "same_as"),
        [
            ("mg/kg", "milligram/kilogram"),
            ("mcg", "microgram"),
            ("ug", "microgram"),
            ("\N{MICRO SIGN}g", "microgram"),
            ("\N{GREEK SMALL LETTER MU}g", "microgram"),
            ("\N{MICRO SIGN}L", "microliter"),
            ("ml", "milliliter"),
            ("mg/m2", "milligram/meter**2"),
            ("mg/m^2", "milligram/meter**2"),
            ("mg per kg", "milligram/kilogram"),
            ("mpk", "milligram/kilogram"),
            ("mM", "millimolar"),
            ("%", "percent"),
        ],
    )
    def test_valid(self, text, same_as):
        """Each spelling reads as the unit meant: one of it is exactly one of the unit meant."""
        one = ureg.Quantity(Decimal(1), parse_unit(text))

        assert Decimal(1) == one.to(same_as).magnitude

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("units", "activity units"),
            ("U", "activity units"),
            ("IU", "activity units"),
            ("qd", "dosing-frequency"),
            ("cc", "write mL"),
            ("furlong", "unknown unit"),
            ("mg/", "write units as words"),
            ("", "write units as words"),
        ],
    )
    def test_invalid(self, text, reason):
        """Refused unit words raise a QuantityError with the reason."""
        with pytest.raises(QuantityError) as info:
            parse_unit(text)

        assert reason in str(info.value)


class TestIsKind:
    """is_kind tells kinds apart by the written units, not only by dimension."""

    @pytest.mark.parametrize(
        ("quantity", "kind"),
        [
            (Q_(25, "mg/kg"), Kind.DOSE_PER_MASS),
            (Q_(25, "ug/g"), Kind.DOSE_PER_MASS),
            (Q_(40, "umol/kg"), Kind.DOSE_PER_MASS),
            (Q_(75, "mg/m**2"), Kind.DOSE_PER_AREA),
            (Q_(10, "mL/kg"), Kind.DOSE_VOLUME),
            (Q_("2.5", "mg/mL"), Kind.CONCENTRATION),
            (Q_(5, "mM"), Kind.CONCENTRATION),
            (Q_(27, "g"), Kind.MASS),
            (Q_(27, "g"), Kind.AMOUNT),
            (Q_(2, "umol"), Kind.AMOUNT),
            (Q_("0.25", "mL"), Kind.VOLUME),
            (Q_("607.64", "g/mol"), Kind.MOLAR_MASS),
            (Q_(5, "percent"), Kind.FRACTION),
            (Q_(24, "h"), Kind.DURATION),
            (ureg.Quantity(Decimal(3)), Kind.NUMBER),
        ],
    )
    def test_valid(self, quantity, kind):
        """Each quantity is of its kind."""
        assert is_kind(quantity, kind)

    @pytest.mark.parametrize(
        ("quantity", "kind"),
        [
            (Q_(25, "percent"), Kind.DOSE_PER_MASS),
            (Q_(25, "mg/kg"), Kind.FRACTION),
            (Q_(25, "mg/kg"), Kind.NUMBER),
            (Q_(10, "mL/kg"), Kind.DOSE_PER_MASS),
            (Q_(2, "umol"), Kind.MASS),
            (Q_("0.25", "mL"), Kind.MASS),
            (Q_(5, "mM"), Kind.DOSE_PER_MASS),
            (ureg.Quantity(Decimal(3)), Kind.DOSE_PER_MASS),
            (ureg.Quantity(Decimal(3)), Kind.FRACTION),
        ],
    )
    def test_invalid(self, quantity, kind):
        """Each quantity is not of the kind named."""
        assert not is_kind(quantity, kind)


class TestRequireKind:
    """require_kind passes the right kind through and refuses the rest."""

    def test_valid(self):
        """A quantity of one of the kinds is returned as it is."""
        q = Q_(25, "mg/kg")

        assert q is require_kind(q, Kind.MASS, Kind.DOSE_PER_MASS)

    def test_invalid(self):
        """A quantity of another kind raises a QuantityError naming every kind accepted."""
        with pytest.raises(QuantityError) as info:
            require_kind(Q_(25, "percent"), Kind.DOSE_PER_MASS, Kind.AMOUNT, where="dose")

        assert (
            "dose: got '25 percent'; expected a dose per body mass, e.g. '25 mg/kg', '25 mcg/g' or "
            "'40 umol/kg' or an amount of compound (a mass or an amount of substance), "
            "e.g. '0.5 mg' or '2 umol'"
        ) == str(info.value)


class TestHasKind:
    """has_kind is an attrs validator for Decimal quantities of given kinds."""

    class _Attribute:
        name = "volume"

    def test_valid(self):
        """A Decimal quantity of the kind passes."""
        assert None is has_kind(Kind.VOLUME)(None, self._Attribute(), Q_("0.25", "mL"))

    @pytest.mark.parametrize(
        "value",
        [
            Q_(25, "mg"),
            ureg.Quantity(0.25, "milliliter"),  # a float magnitude
            Decimal("0.25"),
            "0.25 mL",
            None,
        ],
    )
    def test_invalid(self, value):
        """A wrong kind, a float magnitude or a non-quantity fails, naming the field."""
        with pytest.raises(QuantityError) as info:
            has_kind(Kind.VOLUME)(None, self._Attribute(), value)

        assert "volume" == info.value.where


class TestBasis:
    """basis tells whether a unit counts compound by mass or by amount of substance."""

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("umol/kg", "substance"),
            ("mg/kg", "mass"),
            ("mg/mL", "mass"),
            ("mM", "substance"),
            ("umol/mL", "substance"),
            ("mg", "mass"),
            ("umol", "substance"),
            ("mL", None),
            ("mL/kg", None),
        ],
    )
    def test_basis(self, unit, expected):
        """Each unit has the basis worked out from its numerator."""
        assert expected == basis(parse_unit(unit))


class TestRoundTrip:
    """Unit conversions are exact enough to go there and back."""

    @given(positive_decimals(), convertible_units())
    def test_there_and_back(self, value, units):
        """Converting to a unit of the same kind and back gives the value again (rel 1e-20)."""
        start, other = units

        back = Q_(value, start).to(other).to(start).magnitude

        assert _close(value, back)

    @given(positive_decimals(), convertible_units())
    def test_conversion_is_not_lossy_to_pint_floats(self, value, units):
        """A conversion keeps a Decimal magnitude."""
        start, other = units

        converted = Q_(value, start).to(other)

        assert isinstance(converted.magnitude, Decimal)

    def test_registry_is_the_one_registry(self):
        """Quantities from Q_ and parse_quantity belong to the one registry and combine."""
        total = Q_(1, "mL") + parse_quantity("250 uL")

        assert Decimal("1.25") == total.to("mL").magnitude
        assert isinstance(ureg, pint.UnitRegistry)


class TestSuperscripts:
    @pytest.mark.parametrize(
        "text", ["10\u00b3 mcg", "2\u2075 g", "\u00b2\u2075 mg", "1.\u2075 mg"]
    )
    def test_digit_in_a_number_refused(self, text):
        """A superscript digit inside a number would be read as a plain digit: refused."""
        with pytest.raises(QuantityError, match="superscript"):
            parse_quantity(text)

    def test_superscript_in_a_unit_is_a_power(self):
        """In a unit a superscript is a power: '75 mg/m\u00b2' is 75 mg per square metre."""
        assert Q_(75, "mg/m**2") == parse_quantity("75 mg/m\u00b2")
