"""
Tests for planner.dosing.preparation: how much solution to make, how much compound to weigh (salt
corrected) and the volume of each vehicle component.

volume = sum of injection volumes x (1 + overage) + dead volume; mass = volume x concentration.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from planner.dosing.preparation import ComponentVolume, VehicleComponent, prepare_solution
from planner.errors import InputError, QuantityError
from planner.units.registry import Q_

REL = Decimal("1e-20")


def _close(expected: Decimal, actual: Decimal, rel: Decimal = REL) -> bool:
    """Tell whether two Decimals agree to a relative tolerance."""
    return abs(expected - actual) <= rel * abs(expected)


def _vehicle(*parts: tuple[str, int | str | None]) -> list[VehicleComponent]:
    """Build vehicle components from (name, percent or None for the balance)."""
    return [
        VehicleComponent(name=name, percent=None if share is None else Q_(share, "percent"))
        for name, share in parts
    ]


class TestPrepareSolution:
    """prepare_solution plans one batch of dosing solution."""

    def test_worked_example(self):
        """8 x 0.25 mL, 20 % overage, no dead volume: 2.4 mL; at 2.5 mg/mL, 6 mg."""
        prep = prepare_solution(
            concentration=Q_("2.5", "mg/mL"),
            volumes=[Q_("0.25", "mL")] * 8,
            overage=Decimal("0.2"),
            dead_volume=Q_(0, "mL"),
        )

        assert Decimal(8) * Decimal("0.25") == prep.injected_volume.to("mL").magnitude
        assert Decimal(8) * Decimal("0.25") * Decimal("1.2") == prep.total_volume.to("mL").magnitude
        assert Decimal("2.4") == prep.total_volume.to("mL").magnitude
        assert Decimal("2.4") * Decimal("2.5") == prep.mass_to_weigh.to("mg").magnitude
        assert Decimal(6) == prep.mass_to_weigh.to("mg").magnitude
        assert Decimal(1) == prep.salt_factor
        assert None is prep.weigh_form

    def test_worked_example_steps(self):
        """The worked example is written as weigh, dissolve to volume, inspect."""
        prep = prepare_solution(
            concentration=Q_("2.5", "mg/mL"),
            volumes=[Q_("0.25", "mL")] * 8,
            overage=Decimal("0.2"),
            dead_volume=Q_(0, "mL"),
        )

        assert (
            "Weigh 6 mg of compound.",
            "Dissolve in vehicle to a final volume of 2.4 mL; mix until clear.",
            "Inspect: the solution must be clear with no precipitate before it is drawn up.",
        ) == prep.steps

    def test_defaults(self):
        """Defaults 10 % overage, 0.1 mL dead volume: 2 x 1.1 + 0.1 = 2.3 mL; 5.75 mg."""
        prep = prepare_solution(concentration=Q_("2.5", "mg/mL"), volumes=[Q_("0.25", "mL")] * 8)

        assert Decimal("0.1") == prep.overage
        assert Decimal("0.1") == prep.dead_volume.to("mL").magnitude
        assert Decimal(2) * Decimal("1.1") + Decimal("0.1") == prep.total_volume.to("mL").magnitude
        assert Decimal("2.3") * Decimal("2.5") == prep.mass_to_weigh.to("mg").magnitude

    def test_mixed_volume_units(self):
        """250 mcL + 0.25 mL + 0.3 mL = 0.8 mL; with 200 mcL dead volume 1 mL."""
        prep = prepare_solution(
            concentration=Q_(1, "mg/mL"),
            volumes=[Q_(250, "uL"), Q_("0.25", "mL"), Q_("0.3", "mL")],
            overage=Decimal(0),
            dead_volume=Q_(200, "uL"),
        )

        assert Decimal("0.8") == prep.injected_volume.to("mL").magnitude
        assert Decimal(1) == prep.total_volume.to("mL").magnitude
        assert Decimal(1) == prep.mass_to_weigh.to("mg").magnitude

    def test_salt_sulfate_pentahydrate(self, morphine, morphine_base, morphine_sulfate):
        """4.8 mg morphine base (2.4 mL x 2 mg/mL) is 4.8 x 758.83 / (2 x 285.34) mg sulfate."""
        prep = prepare_solution(
            concentration=Q_(2, "mg/mL"),
            volumes=[Q_("0.25", "mL")] * 8,
            overage=Decimal("0.2"),
            dead_volume=Q_(0, "mL"),
            compound=morphine,
            dose_form=morphine_base,
            weigh_form=morphine_sulfate,
        )

        factor = Decimal("758.83") / (2 * Decimal("285.34"))
        assert _close(factor, prep.salt_factor)
        assert _close(Decimal("4.8") * factor, prep.mass_to_weigh.to("mg").magnitude)
        assert morphine_sulfate == prep.weigh_form
        assert prep.steps[0].startswith(
            "Weigh 6.383 mg of morphine sulfate pentahydrate"
        )  # 6.3826... mg

    def test_salt_hcl_trihydrate(self, morphine, morphine_base, morphine_hcl):
        """4.8 mg morphine base is weighed as 4.8 x 375.85 / 285.34 mg of the HCl trihydrate."""
        prep = prepare_solution(
            concentration=Q_(2, "mg/mL"),
            volumes=[Q_("0.25", "mL")] * 8,
            overage=Decimal("0.2"),
            dead_volume=Q_(0, "mL"),
            compound=morphine,
            dose_form=morphine_base,
            weigh_form=morphine_hcl,
        )

        factor = Decimal("375.85") / Decimal("285.34")
        assert _close(factor, prep.salt_factor)
        assert _close(Decimal("4.8") * factor, prep.mass_to_weigh.to("mg").magnitude)

    def test_dose_form_defaults_to_parent(self, morphine, morphine_sulfate):
        """Without a dose form the dose is taken as the parent (morphine base)."""
        prep = prepare_solution(
            concentration=Q_(2, "mg/mL"),
            volumes=[Q_(1, "mL")],
            overage=Decimal(0),
            dead_volume=Q_(0, "mL"),
            compound=morphine,
            weigh_form=morphine_sulfate,
        )

        assert _close(
            Decimal(2) * Decimal("758.83") / (2 * Decimal("285.34")),
            prep.mass_to_weigh.to("mg").magnitude,
        )

    def test_same_form_no_correction(self, morphine):
        """Weighing the form the dose is stated in needs no correction."""
        prep = prepare_solution(
            concentration=Q_(2, "mg/mL"),
            volumes=[Q_(1, "mL")],
            overage=Decimal(0),
            dead_volume=Q_(0, "mL"),
            compound=morphine,
        )

        assert Decimal(1) == prep.salt_factor
        assert Decimal(2) == prep.mass_to_weigh.to("mg").magnitude
        assert morphine.parent == prep.weigh_form

    def test_molar_concentration(self, torin1):
        """2.4 mL of 5 mM Torin1 is 12 umol x 607.64 g/mol = 7.29168 mg."""
        prep = prepare_solution(
            concentration=Q_(5, "mM"),
            volumes=[Q_("0.25", "mL")] * 8,
            overage=Decimal("0.2"),
            dead_volume=Q_(0, "mL"),
            compound=torin1,
        )

        assert Decimal("2.4") * Decimal("3.0382") == prep.mass_to_weigh.to("mg").magnitude
        assert Decimal("7.29168") == prep.mass_to_weigh.to("mg").magnitude

    def test_molar_concentration_needs_a_compound(self):
        """A molar concentration without a compound has no molecular weight to weigh by."""
        with pytest.raises(InputError):
            prepare_solution(concentration=Q_(5, "mM"), volumes=[Q_("0.25", "mL")])


class TestVehicle:
    """Co-solvent components get their share of the final volume, the balance the rest."""

    def test_dmso_and_saline(self):
        """5 % DMSO of 10 mL is 0.5 mL; the saline balance is 95 %, 9.5 mL."""
        prep = prepare_solution(
            concentration=Q_("2.5", "mg/mL"),
            volumes=[Q_(10, "mL")],
            overage=Decimal(0),
            dead_volume=Q_(0, "mL"),
            vehicle=_vehicle(("DMSO", 5), ("0.9% saline", None)),
        )

        assert (
            ComponentVolume(name="DMSO", percent=Q_(5, "percent"), volume=Q_("0.5", "mL")),
            ComponentVolume(name="0.9% saline", percent=Q_(95, "percent"), volume=Q_("9.5", "mL")),
        ) == prep.components

    def test_four_components(self):
        """5 % DMSO, 40 % PEG-400, 5 % Tween-80, saline of 10 mL: 0.5, 4, 0.5 and 5 mL."""
        prep = prepare_solution(
            concentration=Q_("2.5", "mg/mL"),
            volumes=[Q_(10, "mL")],
            overage=Decimal(0),
            dead_volume=Q_(0, "mL"),
            vehicle=_vehicle(("DMSO", 5), ("PEG-400", 40), ("Tween-80", 5), ("saline", None)),
        )

        assert ["DMSO", "PEG-400", "Tween-80", "saline"] == [c.name for c in prep.components]
        assert [Decimal("0.5"), Decimal(4), Decimal("0.5"), Decimal(5)] == [
            c.volume.to("mL").magnitude for c in prep.components
        ]
        assert [Decimal(5), Decimal(40), Decimal(5), Decimal(50)] == [
            c.percent.to("percent").magnitude for c in prep.components
        ]
        assert prep.total_volume == sum((c.volume for c in prep.components), Q_(0, "mL"))

    def test_components_steps(self):
        """The compound dissolves in the first component; the others follow in order."""
        prep = prepare_solution(
            concentration=Q_("2.5", "mg/mL"),
            volumes=[Q_(10, "mL")],
            overage=Decimal(0),
            dead_volume=Q_(0, "mL"),
            vehicle=_vehicle(("DMSO", 5), ("0.9% saline", None)),
        )

        assert (
            "Weigh 25 mg of compound.",  # 10 mL x 2.5 mg/mL
            "Dissolve it in 0.5 mL of DMSO (5 %); mix until clear.",
            "Add 9.5 mL of 0.9% saline (95 %); mix until clear.",
            "Inspect: the solution must be clear with no precipitate before it is drawn up.",
        ) == prep.steps

    def test_percentages_of_the_total_with_overage(self):
        """With 10 % overage and 0.1 mL dead volume, 5 % DMSO of (2 x 1.1 + 0.1) mL is 0.115 mL."""
        prep = prepare_solution(
            concentration=Q_("2.5", "mg/mL"),
            volumes=[Q_("0.25", "mL")] * 8,
            vehicle=_vehicle(("DMSO", 5), ("saline", None)),
        )

        assert Decimal("2.3") * Decimal("0.05") == prep.components[0].volume.to("mL").magnitude
        assert Decimal("2.3") * Decimal("0.95") == prep.components[1].volume.to("mL").magnitude

    def test_all_stated_adding_to_100(self):
        """Components that add up to 100 % need no balance."""
        prep = prepare_solution(
            concentration=Q_(1, "mg/mL"),
            volumes=[Q_(10, "mL")],
            overage=Decimal(0),
            dead_volume=Q_(0, "mL"),
            vehicle=_vehicle(("ethanol", 10), ("saline", 90)),
        )

        assert [Decimal(1), Decimal(9)] == [c.volume.to("mL").magnitude for c in prep.components]

    @pytest.mark.parametrize(
        ("vehicle", "got"),
        [
            (_vehicle(("DMSO", 5), ("saline", None), ("water", None)), "saline, water"),
            (_vehicle(("DMSO", 60), ("PEG-400", 50), ("saline", None)), "110 %"),
            (_vehicle(("DMSO", 50), ("PEG-400", 40)), "90 %"),
            (_vehicle(("DMSO", 60), ("PEG-400", 50)), "110 %"),
        ],
    )
    def test_invalid(self, vehicle, got):
        """Two balance components, or percentages that do not add up, are refused."""
        with pytest.raises(InputError) as info:
            prepare_solution(concentration=Q_(1, "mg/mL"), volumes=[Q_(10, "mL")], vehicle=vehicle)

        assert "vehicle" == info.value.where
        assert got == info.value.got


class TestPrepareSolutionInvalid:
    """prepare_solution refuses input it cannot plan with."""

    @pytest.mark.parametrize(
        ("kwargs", "where"),
        [
            ({"volumes": []}, "volumes"),
            ({"overage": Decimal("-0.1")}, "overage"),
        ],
    )
    def test_invalid(self, kwargs, where):
        """No injection volumes or a negative overage are input errors located at the argument."""
        arguments = {"concentration": Q_(1, "mg/mL"), "volumes": [Q_(1, "mL")], **kwargs}

        with pytest.raises(InputError) as info:
            prepare_solution(**arguments)

        assert where == info.value.where

    @pytest.mark.parametrize(
        "kwargs",
        [
            pytest.param({"volumes": [Q_(-1, "mL")]}, id="negative injection volume"),
            pytest.param({"dead_volume": Q_(-1, "mL")}, id="negative dead volume"),
            pytest.param({"concentration": Q_(-1, "mg/mL")}, id="negative concentration"),
            pytest.param({"dead_volume": Q_(1, "mg")}, id="dead volume given as a mass"),
        ],
    )
    def test_invalid_values(self, kwargs):
        """Negative volumes or concentration, or a dead volume as a mass, are input errors."""
        arguments = {"concentration": Q_(1, "mg/mL"), "volumes": [Q_(1, "mL")], **kwargs}

        with pytest.raises(InputError):
            prepare_solution(**arguments)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"concentration": Q_(25, "mg/kg")},
            {"concentration": Q_(5, "percent")},
            {"volumes": [Q_(1, "mg")]},
            {"volumes": [Q_(10, "mL/kg")]},
        ],
    )
    def test_invalid_kind(self, kwargs):
        """A concentration or volume of the wrong kind is refused."""
        arguments = {"concentration": Q_(1, "mg/mL"), "volumes": [Q_(1, "mL")], **kwargs}

        with pytest.raises(QuantityError):
            prepare_solution(**arguments)


class TestVehicleComponent:
    """VehicleComponent checks its own name and share."""

    @pytest.mark.parametrize(
        ("name", "percent"), [("DMSO", Q_(5, "percent")), ("  saline  ", None)]
    )
    def test_valid(self, name, percent):
        """A name with a percentage, or alone for the balance, makes a component."""
        component = VehicleComponent(name=name, percent=percent)

        assert name.strip() == component.name

    @pytest.mark.parametrize(
        ("name", "percent", "error"),
        [
            ("", Q_(5, "percent"), ValueError),
            ("   ", None, ValueError),
            ("DMSO", Q_(5, "mL"), QuantityError),
            ("DMSO", Q_(5, "mg/kg"), QuantityError),
            ("DMSO", Decimal(5), QuantityError),
            ("DMSO", Q_(-5, "percent"), ValueError),
        ],
    )
    def test_invalid(self, name, percent, error):
        """An empty name or a share that is not a percentage is refused."""
        with pytest.raises(error):
            VehicleComponent(name=name, percent=percent)
