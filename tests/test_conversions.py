"""
Tests for planner.dosing.conversions: molecular weights, salt forms and body surface area (FDA 2005).

Expected values are worked out by hand from facts.md sections 3 and 5: Km mouse 3, rat 6,
human 37; MW temsirolimus 1030.29, Torin1 607.64, morphine 285.34, morphine sulfate
pentahydrate 758.83 (two morphines per formula unit), morphine HCl trihydrate 375.85.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner import api
from planner.dosing.conversions import (
    change_form,
    convert,
    km_ratio,
    per_area_to_per_mass,
    per_mass_to_per_area,
    scale_dose,
    to_basis,
)
from planner.errors import InputError, QuantityError
from planner.units.registry import Q_, parse_unit
from tests.strategies import SPECIES_WITH_KM, positive_decimals

REL = Decimal("1e-20")


def _close(expected: Decimal, actual: Decimal, rel: Decimal = REL) -> bool:
    """Tell whether two Decimals agree to a relative tolerance."""
    return abs(expected - actual) <= rel * abs(expected)


class TestPerMassToPerArea:
    """mg/kg -> mg/m2 multiplies by the species' Km (FDA 2005 Table 1)."""

    @pytest.mark.parametrize(
        ("dose", "species", "expected"),
        [
            (Q_(25, "mg/kg"), "mouse", Q_(25 * 3, "mg/m**2")),  # CCI-779 in mouse: 75 mg/m2
            (Q_(20, "mg/kg"), "mouse", Q_(20 * 3, "mg/m**2")),  # Torin1 in mouse: 60 mg/m2
            (Q_(1, "mg/kg"), "mouse", Q_(3, "mg/m**2")),  # rapamycin, facts.md section 5
            (Q_(1, "mg/kg"), "rat", Q_(6, "mg/m**2")),
            (Q_(25, "mcg/g"), "mouse", Q_(75, "mg/m**2")),
            (Q_(40, "umol/kg"), "mouse", Q_(40 * 3, "umol/m**2")),
            (Q_(2, "mg/kg"), "human", Q_(2 * 37, "mg/m**2")),
        ],
    )
    def test_valid(self, reference, dose, species, expected):
        """Each dose per body mass gives the dose per body surface area worked out by hand."""
        result = per_mass_to_per_area(dose, reference.find_species(species))

        assert expected.magnitude == result.to(expected.units).magnitude
        assert expected.units == result.units

    def test_invalid(self, mouse):
        """A dose that is not per body mass is refused."""
        with pytest.raises(QuantityError):
            per_mass_to_per_area(Q_(75, "mg/m**2"), mouse)


class TestPerAreaToPerMass:
    """mg/m2 -> mg/kg divides by the species' Km."""

    @pytest.mark.parametrize(
        ("dose", "species", "expected"),
        [
            (Q_(75, "mg/m**2"), "mouse", Decimal(75) / 3),
            (Q_(60, "mg/m**2"), "mouse", Decimal(60) / 3),
            (Q_(75, "mg/m**2"), "human", Decimal(75) / 37),
            (Q_(75, "mg/m**2"), "rat", Decimal(75) / 6),
        ],
    )
    def test_valid(self, reference, dose, species, expected):
        """Each dose per body surface area gives mg/kg worked out by hand."""
        result = per_area_to_per_mass(dose, reference.find_species(species))

        assert _close(expected, result.to("mg/kg").magnitude)

    def test_invalid(self, mouse):
        """A dose that is not per body surface area is refused."""
        with pytest.raises(QuantityError):
            per_area_to_per_mass(Q_(25, "mg/kg"), mouse)

    @given(
        positive_decimals(),
        st.sampled_from(SPECIES_WITH_KM),
        st.sampled_from(["mg/kg", "umol/kg", "ug/g"]),
    )
    def test_round_trip(self, reference, value, species_id, unit):
        """mg/kg -> mg/m2 -> mg/kg through any species gives the dose again (rel 1e-20)."""
        species = reference.find_species(species_id)
        dose = Q_(value, unit)

        back = per_area_to_per_mass(per_mass_to_per_area(dose, species), species)

        assert _close(value, back.to(unit).magnitude)


class TestScaleDose:
    """scale_dose scales by body surface area: dose x Km(source) / Km(target)."""

    def test_cci779_human_equivalent_dose(self, mouse, human):
        """CCI-779 25 mg/kg in mouse is 25 x 3 / 37 = 2.027 mg/kg in humans (HED)."""
        hed = scale_dose(Q_(25, "mg/kg"), mouse, human)

        assert _close(Decimal(25) * 3 / 37, hed.to("mg/kg").magnitude)
        assert Decimal("2.027") == hed.to("mg/kg").magnitude.quantize(Decimal("0.001"))

    def test_torin1_human_equivalent_dose(self, mouse, human):
        """Torin1 20 mg/kg in mouse is about 1.6 mg/kg in humans (facts.md: 20 x 3 / 37)."""
        hed = scale_dose(Q_(20, "mg/kg"), mouse, human)

        assert _close(Decimal(20) * 3 / 37, hed.to("mg/kg").magnitude)
        assert Decimal("1.6") == hed.to("mg/kg").magnitude.quantize(Decimal("0.1"))

    @pytest.mark.parametrize(
        ("dose", "source", "target", "expected"),
        [
            (Q_(25, "mg/kg"), "mouse", "rat", Decimal("12.5")),  # 25 x 3 / 6
            (Q_(25, "mg/kg"), "rat", "human", Decimal(25) * 6 / 37),
            (Q_(1, "mg/kg"), "human", "mouse", Decimal(37) / 3),  # facts.md: x 12.3
            (Q_(1, "mg/kg"), "human", "rat", Decimal(37) / 6),  # facts.md: x 6.2
            (Q_(25, "mg/kg"), "mouse", "mouse", Decimal(25)),
            (
                Q_(75, "mg/m**2"),
                "mouse",
                "human",
                Decimal(75) / 37,
            ),  # per area: the same in every species
        ],
    )
    def test_valid(self, reference, dose, source, target, expected):
        """Each scaling gives the mg/kg worked out by hand."""
        result = scale_dose(dose, reference.find_species(source), reference.find_species(target))

        assert _close(expected, result.to("mg/kg").magnitude)

    def test_keeps_the_unit(self, mouse, rat):
        """A dose per body mass comes back in the unit it was given in."""
        result = scale_dose(Q_(40, "umol/kg"), mouse, rat)

        assert Q_(1, "umol/kg").units == result.units
        assert Decimal(20) == result.magnitude  # 40 x 3 / 6

    @pytest.mark.parametrize("dose", [Q_(10, "mL/kg"), Q_(5, "mg"), Q_(25, "percent")])
    def test_invalid(self, mouse, human, dose):
        """A quantity that is not a dose per body mass or area is refused."""
        with pytest.raises(QuantityError):
            scale_dose(dose, mouse, human)

    @given(positive_decimals())
    def test_mouse_human_mouse_is_identity(self, mouse, human, value):
        """Scaling mouse -> human -> mouse gives the dose again (rel 1e-20)."""
        there = scale_dose(Q_(value, "mg/kg"), mouse, human)

        back = scale_dose(there, human, mouse)

        assert _close(value, back.to("mg/kg").magnitude)

    @given(positive_decimals(), st.sampled_from(SPECIES_WITH_KM), st.sampled_from(SPECIES_WITH_KM))
    def test_any_pair_round_trip(self, reference, value, source_id, target_id):
        """Scaling between any two species and back gives the dose again (rel 1e-20)."""
        source, target = reference.find_species(source_id), reference.find_species(target_id)

        back = scale_dose(scale_dose(Q_(value, "mg/kg"), source, target), target, source)

        assert _close(value, back.to("mg/kg").magnitude)


class TestKmRatio:
    """km_ratio is the factor scale_dose applies."""

    def test_mouse_to_human(self, mouse, human):
        """Mouse to human is 3 / 37 (facts.md: x 0.081)."""
        ratio = km_ratio(mouse, human)

        assert _close(Decimal(3) / 37, ratio)
        assert Decimal("0.081") == ratio.quantize(Decimal("0.001"))


class TestToBasis:
    """to_basis goes between mass and amount of substance through the molecular weight."""

    def test_temsirolimus_dose_in_micromoles(self, temsirolimus):
        """25 mg/kg temsirolimus is 25 / 1030.29 x 1000 umol/kg."""
        result = to_basis(Q_(25, "mg/kg"), "substance", temsirolimus.parent)

        assert _close(Decimal(25) / Decimal("1030.29") * 1000, result.to("umol/kg").magnitude)

    def test_torin1_millimolar_in_mg_per_ml(self, torin1):
        """5 mM Torin1 is 5 mmol/L x 607.64 g/mol = 3.0382 mg/mL."""
        result = to_basis(Q_(5, "mM"), "mass", torin1.parent)

        assert Decimal(5) * Decimal("607.64") / 1000 == result.to("mg/mL").magnitude
        assert Decimal("3.0382") == result.to("mg/mL").magnitude

    def test_amount(self, temsirolimus):
        """1.03029 mg temsirolimus is 1 umol."""
        result = to_basis(Q_("1.03029", "mg"), "substance", temsirolimus.parent)

        assert _close(Decimal(1), result.to("umol").magnitude)

    def test_same_basis_returned_as_is(self):
        """A quantity already on the basis asked for is returned unchanged, without a compound."""
        dose = Q_(25, "mg/kg")

        assert dose is to_basis(dose, "mass", None)

    def test_invalid_without_compound(self):
        """Changing basis without a compound's molecular weight is an input error."""
        with pytest.raises(InputError) as info:
            to_basis(Q_(25, "mg/kg"), "substance", None)

        assert "molecular weight" in str(info.value)

    def test_invalid_kind(self, temsirolimus):
        """A volume does not count compound, so it has no basis to change."""
        with pytest.raises(InputError):
            to_basis(Q_("0.25", "mL"), "substance", temsirolimus.parent)

    @given(positive_decimals(), st.sampled_from(["mg/kg", "mg", "mg/mL", "mg/m**2"]))
    def test_round_trip(self, temsirolimus, value, unit):
        """Mass -> substance -> mass through the MW gives the value again (rel 1e-20)."""
        form = temsirolimus.parent

        back = to_basis(to_basis(Q_(value, unit), "substance", form), "mass", form)

        assert _close(value, back.to(unit).magnitude)


class TestChangeForm:
    """change_form restates a quantity of parent compound as another form (salt, hydrate)."""

    def test_base_to_sulfate_pentahydrate(self, morphine, morphine_base, morphine_sulfate):
        """10 mg/kg morphine base is 10 x 758.83 / (2 x 285.34) mg/kg of the sulfate salt."""
        result = change_form(Q_(10, "mg/kg"), morphine, morphine_base, morphine_sulfate)

        expected = Decimal(10) * Decimal("758.83") / (2 * Decimal("285.34"))
        assert _close(expected, result.to("mg/kg").magnitude)
        assert Q_(1, "mg/kg").units == result.units

    def test_base_to_hcl_trihydrate(self, morphine, morphine_base, morphine_hcl):
        """10 mg/kg morphine base is 10 x 375.85 / 285.34 mg/kg of the HCl trihydrate."""
        result = change_form(Q_(10, "mg/kg"), morphine, morphine_base, morphine_hcl)

        assert _close(
            Decimal(10) * Decimal("375.85") / Decimal("285.34"), result.to("mg/kg").magnitude
        )

    def test_sulfate_to_base(self, morphine, morphine_base, morphine_sulfate):
        """10 mg of the sulfate pentahydrate holds 10 x 2 x 285.34 / 758.83 mg base (75.2 %)."""
        result = change_form(Q_(10, "mg"), morphine, morphine_sulfate, morphine_base)

        assert _close(
            Decimal(10) * 2 * Decimal("285.34") / Decimal("758.83"), result.to("mg").magnitude
        )
        assert Decimal("7.52") == result.to("mg").magnitude.quantize(Decimal("0.01"))

    def test_sulfate_to_hcl(self, morphine, morphine_sulfate, morphine_hcl):
        """10 mg sulfate pentahydrate is 10 x 2 x 375.85 / 758.83 mg HCl trihydrate."""
        result = change_form(Q_(10, "mg"), morphine, morphine_sulfate, morphine_hcl)

        assert _close(
            Decimal(10) * 2 * Decimal("375.85") / Decimal("758.83"), result.to("mg").magnitude
        )

    def test_molar_counts_parent_units(self, morphine, morphine_base, morphine_sulfate):
        """1 mM morphine is 0.5 mM morphine sulfate, which holds two morphines per formula unit."""
        result = change_form(Q_(1, "mM"), morphine, morphine_base, morphine_sulfate)

        assert _close(Decimal("0.5"), result.to("mM").magnitude)

    @pytest.mark.parametrize(
        ("form", "expected", "facts_md"),
        [
            ("sulfate", Decimal("758.83") / (2 * Decimal("285.34")), Decimal("1.33")),
            ("hcl", Decimal("375.85") / Decimal("285.34"), Decimal("1.32")),
        ],
    )
    def test_salt_factor(self, morphine, morphine_sulfate, morphine_hcl, form, expected, facts_md):
        """MW(salt) / (n x MW(base)): 1 mg base = 1.33 mg sulfate or 1.32 mg HCl salt."""
        salt = {"sulfate": morphine_sulfate, "hcl": morphine_hcl}[form]

        factor = morphine.salt_factor(salt)

        assert _close(expected, factor)
        assert facts_md == factor.quantize(Decimal("0.01"))

    def test_invalid_form_of_another_compound(self, morphine, morphine_base, temsirolimus):
        """A form of another compound is refused."""
        with pytest.raises(InputError) as info:
            change_form(Q_(10, "mg"), morphine, morphine_base, temsirolimus.parent)

        assert "two forms of morphine" in str(info.value)


class TestConvert:
    """convert goes to any unit of the same kind, through MW and Km when needed."""

    @pytest.mark.parametrize(
        ("value", "unit", "compound", "species", "expected"),
        [
            (Q_(25, "mg/kg"), "mg/m2", None, "mouse", Decimal(75)),
            (Q_(20, "mg/kg"), "mg/m2", None, "mouse", Decimal(60)),
            (Q_(75, "mg/m2"), "mg/kg", None, "mouse", Decimal(25)),
            (
                Q_(25, "mg/kg"),
                "umol/kg",
                "temsirolimus",
                None,
                Decimal(25) / Decimal("1030.29") * 1000,
            ),
            (Q_(5, "mM"), "mg/mL", "Torin1", None, Decimal("3.0382")),
            (Q_("3.0382", "mg/mL"), "mM", "Torin1", None, Decimal(5)),
            (
                Q_(75, "mg/m2"),
                "umol/kg",
                "temsirolimus",
                "mouse",
                Decimal(25) / Decimal("1030.29") * 1000,
            ),
            (Q_(25, "mcg/g"), "mg/kg", None, None, Decimal(25)),
            (Q_(10, "mL/kg"), "uL/g", None, None, Decimal(10)),
            (Q_("0.25", "mL"), "uL", None, None, Decimal(250)),
            (Q_(24, "h"), "d", None, None, Decimal(1)),
            (Q_(5, "percent"), "percent", None, None, Decimal(5)),
        ],
    )
    def test_valid(self, reference, value, unit, compound, species, expected):
        """Each conversion gives the value worked out by hand (rel 1e-20)."""
        form = reference.find_compound(compound)[1] if compound else None
        animal = reference.find_species(species) if species else None

        result = convert(value, parse_unit(unit), form=form, species=animal)

        assert _close(expected, result.to(parse_unit(unit)).magnitude)

    @pytest.mark.parametrize(
        ("value", "unit", "compound", "species", "message"),
        [
            (Q_(25, "mg/kg"), "mL", None, None, "same kind"),
            (Q_(10, "mL"), "mg", None, None, "same kind"),
            (Q_(25, "mg/kg"), "mg/mL", None, None, "same kind"),
            (Q_(25, "mg/kg"), "mg/m2", None, None, "needs the species' Km"),
            (Q_(25, "mg/kg"), "umol/kg", None, None, "needs a molecular weight"),
            (Q_(25, "mg/kg"), "m", None, None, "a unit planner converts to"),
        ],
    )
    def test_invalid(self, reference, value, unit, compound, species, message):
        """Conversions between kinds, or without the compound or species they need, are refused."""
        with pytest.raises(InputError) as info:
            convert(value, parse_unit(unit))

        assert message in str(info.value)

    @given(positive_decimals(), st.sampled_from(SPECIES_WITH_KM))
    def test_per_mass_per_area_round_trip(self, reference, value, species_id):
        """mg/kg -> mg/m2 -> mg/kg with convert and any species gives the dose again (rel 1e-20)."""
        species = reference.find_species(species_id)

        there = convert(Q_(value, "mg/kg"), parse_unit("mg/m2"), species=species)
        back = convert(there, parse_unit("mg/kg"), species=species)

        assert _close(value, back.to("mg/kg").magnitude)


class TestApi:
    """The text-taking functions behind the convert and scale commands."""

    def test_convert_text(self, reference):
        """'25 mg/kg' to mg/m2 in mouse is 75 mg/m2."""
        result = api.convert("25 mg/kg", to="mg/m2", species="mouse", reference=reference)

        assert Decimal(75) == result.result.to("mg/m**2").magnitude
        assert "mg/m**2" == result.unit

    def test_convert_to_form(self, reference):
        """'10 mg/kg' morphine base as the sulfate is 10 x 758.83 / (2 x 285.34) mg/kg."""
        result = api.convert(
            "10 mg/kg",
            to="mg/kg",
            compound="morphine",
            to_form="morphine sulfate pentahydrate",
            reference=reference,
        )

        expected = Decimal(10) * Decimal("758.83") / (2 * Decimal("285.34"))
        assert _close(expected, result.result.to("mg/kg").magnitude)

    def test_convert_to_form_of_another_compound(self, reference):
        """A --to-form of another compound is refused."""
        with pytest.raises(InputError) as info:
            api.convert(
                "10 mg/kg",
                to="mg/kg",
                compound="morphine",
                to_form="temsirolimus",
                reference=reference,
            )

        assert "--to-form" == info.value.where

    def test_scale_text(self, reference):
        """'25 mg/kg' from mouse to human is 25 x 3 / 37 mg/kg, with the factor 3/37."""
        result = api.scale("25 mg/kg", source="mouse", target="human", reference=reference)

        assert _close(Decimal(25) * 3 / 37, result.result.to("mg/kg").magnitude)
        assert _close(Decimal(3) / 37, result.factor)

    def test_scale_refuses_percent(self, reference):
        """A percentage is not a dose to scale."""
        with pytest.raises(QuantityError) as info:
            api.scale("25 %", source="mouse", target="human", reference=reference)

        assert "DOSE" == info.value.where
