"""
Tests for planner.units.format: numbers and units as people read them, the ISMP way.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from planner.units.format import (
    auto_unit,
    format_fixed,
    format_number,
    format_quantity,
    json_quantity,
    json_value,
    round_significant,
    round_step,
    unit_key,
    unit_text,
)
from planner.units.registry import Q_, parse_unit
from tests.strategies import positive_decimals, signed_decimals


class TestFormatNumber:
    """format_number writes 3 significant figures, no trailing zero, a leading zero, commas."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Decimal("5.0"), "5"),  # no trailing zero
            (Decimal("5"), "5"),
            (Decimal("2.50"), "2.5"),
            (Decimal(".5"), "0.5"),  # leading zero
            (Decimal("0.5"), "0.5"),
            (Decimal("0.675"), "0.675"),
            (Decimal("0.67549"), "0.675"),  # 3 significant figures
            (Decimal("0.6745"), "0.675"),  # halves away from zero
            (Decimal("0.6744"), "0.674"),
            (Decimal("2.027027"), "2.03"),  # 25 x 3 / 37
            (Decimal("0.000123456"), "0.000123"),
            (Decimal("0.0009995"), "0.001"),
            (Decimal("12.5"), "12.5"),
            (Decimal("999.5"), "1,000"),  # rounds up into the next decade, with a comma
            (Decimal("1000"), "1,000"),  # commas from 1,000
            (Decimal("1500"), "1,500"),
            (Decimal("12345"), "12,300"),
            (Decimal("1234567"), "1,230,000"),
            (Decimal("1E+5"), "100,000"),  # never an exponent
            (Decimal("1E-7"), "0.0000001"),
            (Decimal("0"), "0"),
            (Decimal("0.00"), "0"),
            (Decimal("-0.05"), "-0.05"),
            (Decimal("-1234"), "-1,230"),
            (1500, "1,500"),
        ],
    )
    def test_valid(self, value, expected):
        """Each number is written as worked out by hand."""
        assert expected == format_number(value)

    @pytest.mark.parametrize(
        ("value", "sig", "expected"),
        [
            (Decimal("0.67549"), 4, "0.6755"),
            (Decimal("1.23456"), 1, "1"),
            (Decimal("3.0382"), 5, "3.0382"),
            (Decimal("2.4000"), 4, "2.4"),
        ],
    )
    def test_significant_figures(self, value, sig, expected):
        """The number of significant figures can be chosen; trailing zeros still go."""
        assert expected == format_number(value, sig=sig)

    @given(signed_decimals())
    @example(Decimal("999.5"))
    @example(Decimal("0.0009995"))
    @example(Decimal("1E+5"))
    @example(Decimal("1E-9"))
    @example(Decimal("100"))
    @example(Decimal("-0.5"))
    def test_ismp_shape(self, value):
        """No exponent, no trailing zero after a decimal point, no naked leading decimal point."""
        text = format_number(value)

        assert "e" not in text.lower()
        assert not ("." in text and text.endswith("0"))
        assert not text.endswith(".")
        assert not text.startswith(".")
        assert not text.startswith("-.")

    @given(signed_decimals())
    @example(Decimal("999.5"))
    @example(Decimal("0.0009995"))
    @example(Decimal("123456789"))
    def test_parses_back_within_half_a_unit(self, value):
        """The printed text reads back within half a unit of the 3rd significant figure."""
        text = format_number(value)

        back = Decimal(text.replace(",", ""))
        half_unit = Decimal(5).scaleb(value.adjusted() - 3) if value else Decimal(0)
        assert abs(back - value) <= half_unit

    @given(positive_decimals().filter(lambda d: d >= 1000))
    def test_commas_group_thousands(self, value):
        """Numbers of 1,000 and more carry commas every three digits of the whole part."""
        text = format_number(value)

        whole = text.partition(".")[0]
        groups = whole.split(",")
        assert len(groups) >= 2
        assert all(len(g) == 3 for g in groups[1:])
        assert 1 <= len(groups[0]) <= 3


class TestRoundSignificant:
    """round_significant rounds to significant figures, halves away from zero."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Decimal("0.6745"), Decimal("0.675")),
            (Decimal("12345"), Decimal("12300")),
            (Decimal("-0.6745"), Decimal("-0.675")),
            (Decimal("0"), Decimal("0")),
        ],
    )
    def test_valid(self, value, expected):
        """Each value rounds to the number worked out by hand."""
        assert expected == round_significant(value)


class TestFormatFixed:
    """format_fixed rounds to a syringe's step and writes the number the ISMP way."""

    @pytest.mark.parametrize(
        ("value", "step", "expected"),
        [
            (Decimal("0.2749"), Decimal("0.01"), "0.27"),
            (Decimal("0.275"), Decimal("0.01"), "0.28"),  # halves away from zero
            (Decimal("2"), Decimal("0.01"), "2"),  # no trailing zeros from the step
            (Decimal("0.27"), Decimal("0.01"), "0.27"),
            (Decimal("0.5"), Decimal("0.2"), "0.6"),  # 0.5 / 0.2 = 2.5 -> 3 steps
            (Decimal("1234.5"), Decimal("1"), "1,235"),
            (Decimal("0.004"), Decimal("0.01"), "0"),
        ],
    )
    def test_valid(self, value, step, expected):
        """Each value is rounded to the step as worked out by hand."""
        assert expected == format_fixed(value, step=step)

    @pytest.mark.parametrize(
        ("value", "step", "expected"),
        [
            (Decimal("0.2749"), Decimal("0.01"), Decimal("0.27")),
            (Decimal("0.675"), Decimal("0.2"), Decimal("0.6")),  # 3.375 steps -> 3
            (Decimal("0.7"), Decimal("0.2"), Decimal("0.8")),  # 3.5 steps -> 4
        ],
    )
    def test_round_step(self, value, step, expected):
        """round_step gives the nearest multiple of the step."""
        assert expected == round_step(value, step)


class TestUnitText:
    """unit_text prints units for people: mcg, mcL, mL, mg/m2; never the micro sign."""

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("ug/mL", "mcg/mL"),
            ("mcg", "mcg"),
            ("\N{MICRO SIGN}g", "mcg"),
            ("\N{GREEK SMALL LETTER MU}g/kg", "mcg/kg"),
            ("uL", "mcL"),
            ("\N{MICRO SIGN}L", "mcL"),
            ("ml", "mL"),
            ("mL", "mL"),
            ("mg/m**2", "mg/m2"),
            ("mg/m2", "mg/m2"),
            ("mL/kg", "mL/kg"),
            ("mg/kg", "mg/kg"),
            ("umol/kg", "micromol/kg"),
            ("mM", "mM"),
            ("uM", "micromolar"),
            ("%", "%"),
            ("d", "day"),
            ("h", "h"),
            ("g/mol", "g/mol"),
        ],
    )
    def test_valid(self, unit, expected):
        """Each unit is printed as ISMP recommends."""
        assert expected == unit_text(unit)

    @pytest.mark.parametrize("unit", ["ug", "uL", "ug/mL", "ml", "ug/uL", "umol/uL"])
    def test_never_micro_sign_nor_lowercase_ml(self, unit):
        """Printed units carry neither a micro sign, a 'u' prefix, nor 'ml'."""
        text = unit_text(unit)

        assert "\N{MICRO SIGN}" not in text
        assert "\N{GREEK SMALL LETTER MU}" not in text
        assert "ml" not in text
        assert not text.startswith("u")


class TestUnitKey:
    """unit_key writes units as short text that pint parses (the JSON and CSV form)."""

    @pytest.mark.parametrize(
        ("unit", "expected"),
        [
            ("mcg/g", "ug/g"),
            ("mg/m2", "mg/m**2"),
            ("umol/kg", "umol/kg"),
            ("mL", "mL"),
            ("ml", "mL"),
            ("%", "percent"),
        ],
    )
    def test_valid(self, unit, expected):
        """Each unit has the key worked out by hand."""
        assert expected == unit_key(unit)

    @pytest.mark.parametrize(
        "unit", ["mcg/g", "mg/m2", "umol/kg", "mL/kg", "mM", "ug/mL", "g/mol", "%", "h"]
    )
    def test_round_trip(self, unit):
        """The key parses back to a unit with the same size: one of it is one of the original."""
        one = Q_(1, parse_unit(unit))

        assert Decimal(1) == one.to(parse_unit(unit_key(unit))).magnitude


class TestAutoUnit:
    """auto_unit picks the unit a person reads a quantity in best."""

    @pytest.mark.parametrize(
        ("quantity", "expected"),
        [
            (Q_("0.01", "mL"), "uL"),
            (Q_("0.27", "mL"), "mL"),
            (Q_("0.1", "mL"), "mL"),
            (Q_(1500, "mL"), "mL"),  # a lab measures litres in mL
            (Q_("0.675", "mg"), "mg"),
            (Q_("0.05", "mg"), "ug"),
            (Q_(75, "mg/m**2"), "mg/m**2"),
            (Q_(25, "mcg/g"), "mg/kg"),
            (Q_("0.05", "mg/mL"), "ug/mL"),
            (Q_("2.5", "mg/mL"), "mg/mL"),
            (Q_(5, "mM"), "mM"),
            (Q_(40, "umol/kg"), "umol/kg"),
            (Q_(10, "uL/g"), "mL/kg"),
            (Q_(30, "min"), "min"),
            (Q_(3, "d"), "h"),
        ],
    )
    def test_valid(self, quantity, expected):
        """Each quantity gets the display unit worked out from the ladders."""
        assert expected == auto_unit(quantity)

    def test_invalid(self):
        """A quantity of no known kind has no display unit."""
        with pytest.raises(ValueError, match="no display unit"):
            auto_unit(Q_(1, "m"))


class TestFormatQuantity:
    """format_quantity writes a quantity the ISMP way, converted and rounded."""

    @pytest.mark.parametrize(
        ("quantity", "unit", "expected"),
        [
            (Q_("5.0", "mg"), "mg", "5 mg"),  # no trailing zero
            (Q_("0.5", "mL"), "mL", "0.5 mL"),  # leading zero
            (Q_(".5", "mL"), None, "0.5 mL"),
            (Q_("0.67500", "mg"), "mg", "0.675 mg"),
            (Q_("0.675", "mg"), None, "0.675 mg"),
            (Q_(1, "mg"), "mg", "1 mg"),
            (Q_("2.0273", "mg/kg"), None, "2.03 mg/kg"),  # 3 significant figures
            (Q_(1500, "mg"), "mg", "1,500 mg"),  # commas from 1,000
            (Q_(1500, "mL"), "mL", "1,500 mL"),
            (Q_(10, "ug"), None, "10 mcg"),  # mcg, not the micro sign
            (Q_(10, "ug"), "ug", "10 mcg"),
            (Q_("0.01", "mL"), None, "10 mcL"),  # microliters as mcL
            (Q_(5, "uL"), "uL", "5 mcL"),
            (Q_(5, "mL"), "ml", "5 mL"),  # mL, never ml
            (Q_(12500, "uL"), "mL", "12.5 mL"),
            (Q_(25, "mcg/g"), None, "25 mg/kg"),
            (Q_(75, "mg/m2"), None, "75 mg/m2"),
            (Q_("2.5", "mg/mL"), None, "2.5 mg/mL"),
            (Q_("0.05", "mg/mL"), None, "50 mcg/mL"),
            (Q_(5, "mM"), None, "5 mM"),
            (Q_(25, "percent"), None, "25 %"),
            (Q_(2, "h"), None, "2 h"),
            (Q_("1E+5", "mg"), "mg", "100,000 mg"),  # never an exponent
            (Q_("1E-7", "mg"), "mg", "0.0000001 mg"),
        ],
    )
    def test_valid(self, quantity, unit, expected):
        """Each quantity is written as worked out by hand."""
        assert expected == format_quantity(quantity, unit)

    @pytest.mark.parametrize(
        ("quantity", "step", "expected"),
        [
            (Q_("0.27", "mL"), Q_("0.01", "mL"), "0.27 mL"),
            (Q_("0.2749", "mL"), Q_("0.01", "mL"), "0.27 mL"),
            (Q_("0.2", "mL"), Q_("0.01", "mL"), "0.2 mL"),
            (Q_("1.234", "mL"), Q_("0.1", "mL"), "1.2 mL"),
            (Q_(275, "uL"), Q_(10, "uL"), "0.28 mL"),  # the step is converted to the unit
        ],
    )
    def test_step(self, quantity, step, expected):
        """With a step, the volume is rounded to what the syringe measures."""
        assert expected == format_quantity(quantity, "mL", step=step)

    def test_significant_figures(self):
        """sig=4 keeps a fourth figure."""
        assert "3.038 mg/mL" == format_quantity(Q_("3.0382", "mg/mL"), sig=4)

    @given(
        positive_decimals(),
        st.sampled_from(["ug", "mg", "g", "uL", "mL", "L", "ug/mL", "mg/mL", "mg/kg", "mg/m**2"]),
    )
    def test_ismp_shape(self, value, unit):
        """Any quantity prints without exponent, micro sign, 'ml', 'cc' or a naked decimal point."""
        text = format_quantity(Q_(value, unit))

        number, _, printed_unit = text.partition(" ")
        assert "e" not in number.lower()
        assert not number.startswith(".")
        assert not ("." in number and number.endswith("0"))
        assert "\N{MICRO SIGN}" not in text
        assert "\N{GREEK SMALL LETTER MU}" not in text
        assert "ml" not in printed_unit
        assert "cc" not in printed_unit
        assert not printed_unit.startswith("u")


class TestJson:
    """JSON keeps the unrounded value and a unit pint parses."""

    @pytest.mark.parametrize(
        ("quantity", "unit", "expected"),
        [
            (Q_(25, "mcg/g"), "mg/kg", {"value": 25, "unit": "mg/kg"}),
            (Q_("0.675", "mg"), None, {"value": 0.675, "unit": "mg"}),
            (Q_(75, "mg/m2"), None, {"value": 75, "unit": "mg/m**2"}),
            (Q_(10, "uL"), None, {"value": 10, "unit": "uL"}),
            (Q_("2.0270270270", "mg/kg"), "mg/kg", {"value": 2.027027027, "unit": "mg/kg"}),
        ],
    )
    def test_json_quantity(self, quantity, unit, expected):
        """Each quantity gives the JSON worked out by hand, unrounded."""
        assert expected == json_quantity(quantity, unit)

    @pytest.mark.parametrize(
        ("value", "expected", "kind"),
        [
            (Decimal("2.0"), 2, int),
            (Decimal("25"), 25, int),
            (Decimal("0.675"), 0.675, float),
            (Decimal("1E+3"), 1000, int),
        ],
    )
    def test_json_value(self, value, expected, kind):
        """Whole numbers become ints, others the nearest float."""
        result = json_value(value)

        assert expected == result
        assert kind is type(result)
