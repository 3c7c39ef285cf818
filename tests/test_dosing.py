"""
Tests for planner.dosing.dose: the dose for one animal and the safety checks that go with it.

Volume limits are Diehl et al. 2001 Table 1 as reproduced in facts.md section 4 (i.t. limits are
assumed, as in seeds/diehl2001-volumes.toml); the mouse weight range 11-34 g is FDA 2005
Table 1's working range as recalled (facts.md section 5, assumed).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given

from planner import api
from planner.checks.dose import check_volume, check_weight
from planner.dosing.dose import amount_for, calculate_dose, measurable_volume
from planner.errors import InputError, QuantityError, UnknownNameError
from planner.findings import Finding, Level
from planner.knowledge.reference import Route
from planner.units.registry import Q_, Kind, is_kind, parse_quantity
from tests.strategies import dose_units, factors, positive_decimals

# Diehl et al. 2001 Table 1 (facts.md section 4): good practice and possible maximum, written out
# here rather than read from the seeds. mL/kg, except i.m. (mL per site) and i.t. (uL per
# injection, assumed: no source on record).
DIEHL_2001 = [
    ("mouse", "ip", "20 mL/kg", "80 mL/kg"),
    ("mouse", "sc", "10 mL/kg", "40 mL/kg"),
    ("mouse", "po", "10 mL/kg", "50 mL/kg"),
    ("mouse", "iv", "5 mL/kg", "25 mL/kg"),
    ("mouse", "im", "0.05 mL", "0.1 mL"),
    ("mouse", "it", "5 uL", "10 uL"),
    ("rat", "ip", "10 mL/kg", "20 mL/kg"),
    ("rat", "sc", "5 mL/kg", "10 mL/kg"),
    ("rat", "po", "10 mL/kg", "40 mL/kg"),
    ("rat", "iv", "5 mL/kg", "20 mL/kg"),
    ("rat", "im", "0.1 mL", "0.2 mL"),
    ("rat", "it", "10 uL", "20 uL"),
]

# Body weights inside each species' working range (mouse 11-34 g, rat 80-270 g).
WEIGHTS = {"mouse": Q_(25, "g"), "rat": Q_(250, "g")}

# Where a volume sits against the two limits, and the volume finding expected there.
BOUNDARIES = [
    ("at good practice", "good", Decimal(0), []),
    (
        "just above good practice",
        "good",
        Decimal("0.001"),
        [(Level.WARNING, "volume-above-good-practice")],
    ),
    ("at maximum", "max", Decimal(0), [(Level.WARNING, "volume-above-good-practice")]),
    ("just above maximum", "max", Decimal("0.001"), [(Level.ERROR, "volume-above-maximum")]),
]

VOLUME_CODES = {"volume-above-good-practice", "volume-above-maximum"}


def _limit_quantity(row, where: str, extra: Decimal):
    """Return the limit (good practice or maximum) of a table row plus ``extra`` in its own unit."""
    _, _, good, most = row
    limit = parse_quantity(good if where == "good" else most)
    return limit + Q_(extra, limit.units)


def _volume_for(limit, weight):
    """Return the injection volume that sits at ``limit``: per kg times the weight, or as it is."""
    if is_kind(limit, Kind.VOLUME):
        return limit.to("mL")
    return (limit * weight).to("mL")


def _volume_findings(findings):
    """Keep the volume-limit findings, as (level, code)."""
    return [(f.level, f.code) for f in findings if f.code in VOLUME_CODES]


class TestAmountFor:
    """amount_for gives the amount for one animal."""

    def test_worked_example(self):
        """25 mg/kg x 27 g = 0.675 mg, exactly."""
        amount = amount_for(Q_(25, "mg/kg"), Q_(27, "g"))

        assert Decimal("25") * Decimal("0.027") == amount.to("mg").magnitude
        assert Decimal("0.675") == amount.to("mg").magnitude

    @pytest.mark.parametrize(
        ("dose", "weight", "unit", "expected"),
        [
            (Q_(25, "mcg/g"), Q_(27, "g"), "mg", Decimal("0.675")),
            (Q_(25, "mg/kg"), Q_("0.027", "kg"), "mg", Decimal("0.675")),
            (Q_(20, "mg/kg"), Q_(25, "g"), "mg", Decimal("0.5")),  # 20 x 0.025
            (Q_(10, "mg/kg"), Q_(300, "g"), "mg", Decimal(3)),  # 10 x 0.3
            (Q_(40, "umol/kg"), Q_(25, "g"), "umol", Decimal(1)),  # 40 x 0.025
            (Q_(75, "mg/m**2"), Q_(27, "g"), "mg", Decimal("0.675")),  # 75 / 3 = 25 mg/kg in mouse
            (Q_(2, "mg"), Q_(27, "g"), "mg", Decimal(2)),  # a fixed dose per animal
            (Q_(500, "ug"), None, "mg", Decimal("0.5")),
        ],
    )
    def test_valid(self, mouse, dose, weight, unit, expected):
        """Each dose and weight gives the amount worked out by hand."""
        amount = amount_for(dose, weight, species=mouse)

        assert expected == amount.to(unit).magnitude

    def test_invalid_no_weight(self):
        """A dose per body mass without a weight is an input error naming the weight."""
        with pytest.raises(InputError) as info:
            amount_for(Q_(25, "mg/kg"), None)

        assert "weight" == info.value.where

    def test_invalid_per_area_without_species(self):
        """A dose per body surface area without a species is an input error naming the species."""
        with pytest.raises(InputError) as info:
            amount_for(Q_(75, "mg/m**2"), Q_(27, "g"))

        assert "species" == info.value.where

    @pytest.mark.parametrize(
        ("dose", "weight"),
        [
            (Q_(10, "mL/kg"), Q_(27, "g")),
            (Q_(25, "percent"), Q_(27, "g")),
            (Q_("2.5", "mg/mL"), Q_(27, "g")),
            (Q_(25, "mg/kg"), Q_(27, "mL")),
        ],
    )
    def test_invalid_kind(self, dose, weight):
        """A dose or weight of the wrong kind is refused."""
        with pytest.raises(QuantityError):
            amount_for(dose, weight)

    @given(positive_decimals(), positive_decimals(), factors(), dose_units())
    def test_linear_in_weight(self, dose, weight, factor, unit):
        """amount(k x w) == k x amount(w), exactly, with Decimal magnitudes."""
        given_dose = Q_(dose, unit)

        scaled = amount_for(given_dose, Q_(weight * factor, "g"))
        base = amount_for(given_dose, Q_(weight, "g"))

        assert base.magnitude * factor == scaled.to(base.units).magnitude


class TestCheckWeight:
    """
    check_weight warns outside what ordinary adults weigh, and stops the dose (an error)
    outside what an animal of the species can weigh (seeds/fda2005-km.toml: mouse typical
    18-35 g, plausible 15-45 g; rat typical 200-600 g, plausible 150-800 g; all assumed).
    """

    TYPICAL = (
        "assumed (adult mice of ordinary strains weigh 18-35 g; planner's warning band, not a "
        "published one)"
    )

    @pytest.mark.parametrize(
        "weight",
        [
            Q_(18, "g"),
            Q_(35, "g"),
            Q_(27, "g"),
            Q_("0.018", "kg"),
            Q_("0.035", "kg"),
            Q_(18000, "mg"),
        ],
    )
    def test_valid_mouse(self, reference, mouse, weight):
        """A mouse weight from 18 g to 35 g, bounds included, gives no finding."""
        assert [] == check_weight(weight, mouse, reference)

    @pytest.mark.parametrize(
        ("weight", "shown"),
        [
            (Q_("17.9", "g"), "17.9 g"),
            (Q_("35.1", "g"), "35.1 g"),
            (Q_("17.999", "g"), "17.999 g"),  # echoed as entered, never rounded into range
            (Q_("35.001", "g"), "35.001 g"),
            (Q_(15, "g"), "15 g"),
            (Q_(45, "g"), "45 g"),
        ],
    )
    def test_unusual_mouse(self, reference, mouse, weight, shown):
        """A mouse weight outside 18-35 g but within 15-45 g (bounds included) gives one
        weight-outside-range warning."""
        findings = check_weight(weight, mouse, reference, subject="M1")

        assert [
            Finding(
                level=Level.WARNING,
                code="weight-outside-range",
                message=f"weight {shown} is outside the plausible range for mouse, "
                "18 g to 35 g: check the weighing",
                subject="M1",
                source=self.TYPICAL,
            )
        ] == findings

    @pytest.mark.parametrize(
        ("weight", "shown"),
        [
            (Q_("14.9", "g"), "14.9 g"),
            (Q_("45.1", "g"), "45.1 g"),
            (Q_("2.38", "g"), "2.38 g"),  # a decimal slip for 23.8 g
            (Q_(270, "g"), "270 g"),
            (Q_(22, "kg"), "22,000 g"),  # a unit slip for 22 g
        ],
    )
    def test_impossible_mouse(self, reference, mouse, weight, shown):
        """A mouse weight outside 15-45 g is an error that stops the dose."""
        (finding,) = check_weight(weight, mouse, reference, subject="M1")

        assert (Level.ERROR, "weight-implausible", "M1") == (
            finding.level,
            finding.code,
            finding.subject,
        )
        assert finding.message.startswith(
            f"weight {shown} is outside what a mouse can weigh, 15 g to 45 g: DO NOT DOSE: reweigh"
        )

    @pytest.mark.parametrize(
        ("weight", "expected"),
        [
            (Q_(200, "g"), []),
            (Q_(600, "g"), []),
            (Q_(300, "g"), []),  # an ordinary adult rat: no warning (was one above 270 g)
            (Q_("199.9", "g"), ["weight-outside-range"]),
            (Q_("600.1", "g"), ["weight-outside-range"]),
            (Q_(150, "g"), ["weight-outside-range"]),
            (Q_(800, "g"), ["weight-outside-range"]),
            (Q_("149.9", "g"), ["weight-implausible"]),
            (Q_("800.1", "g"), ["weight-implausible"]),
        ],
    )
    def test_rat(self, reference, rat, weight, expected):
        """Rat weights warn outside 200-600 g and stop outside 150-800 g, bounds included."""
        assert expected == [f.code for f in check_weight(weight, rat, reference)]

    def test_no_range_on_record(self, reference, human):
        """A species without a weight range gives no finding."""
        assert [] == check_weight(Q_(60, "kg"), human, reference)

    def test_through_calculate_dose(self, reference, mouse):
        """calculate_dose reports a mouse of 36 g with a weight warning."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(36, "g"),
            concentration=Q_("2.5", "mg/mL"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert ["weight-outside-range"] == [f.code for f in result.findings]


class TestCheckVolume:
    """check_volume compares a volume with Diehl 2001 limits; a volume at a limit passes."""

    @pytest.mark.parametrize(
        ("position", "which", "extra", "expected"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES]
    )
    @pytest.mark.parametrize("row", DIEHL_2001, ids=[f"{r[0]}-{r[1]}" for r in DIEHL_2001])
    def test_boundaries(self, reference, row, position, which, extra, expected):
        """At good practice nothing; above it and at the maximum a warning; above that an error."""
        species = reference.find_species(row[0])
        route = Route.parse(row[1])
        weight = WEIGHTS[row[0]]
        volume = _volume_for(_limit_quantity(row, which, extra), weight)

        findings = check_volume(
            volume,
            weight,
            reference.volume_limit(species, route),
            reference,
            species=species,
            route=route,
        )

        assert expected == [(f.level, f.code) for f in findings]

    @pytest.mark.parametrize(
        ("position", "which", "extra", "expected"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES]
    )
    @pytest.mark.parametrize("row", DIEHL_2001, ids=[f"{r[0]}-{r[1]}" for r in DIEHL_2001])
    def test_boundaries_through_calculate_dose(
        self, reference, row, position, which, extra, expected
    ):
        """calculate_dose at or just above each limit reports the same volume findings."""
        species = reference.find_species(row[0])
        route = Route.parse(row[1])

        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=WEIGHTS[row[0]],
            dose_volume=_limit_quantity(row, which, extra),
            species=species,
            route=route,
            reference=reference,
        )

        assert expected == _volume_findings(result.findings)

    def test_message_per_kg(self, reference, mouse):
        """Above good practice i.p. the message gives the volume, per kg too, and the limit."""
        # 22 mL/kg x 25 g = 0.55 mL
        findings = check_volume(
            Q_("0.55", "mL"),
            Q_(25, "g"),
            reference.volume_limit(mouse, Route.IP),
            reference,
            species=mouse,
            route=Route.IP,
            subject="M1",
        )

        assert [
            Finding(
                level=Level.WARNING,
                code="volume-above-good-practice",
                message="0.55 mL (22 mL/kg) is above good practice for mouse i.p., 20 mL/kg",
                subject="M1",
                source="Diehl et al. 2001, Table 1 (as reproduced)",
            )
        ] == findings

    def test_message_per_site(self, reference, mouse):
        """Above the i.m. maximum the message names the volume per site in mcL."""
        findings = check_volume(
            Q_("0.12", "mL"),
            Q_(25, "g"),
            reference.volume_limit(mouse, Route.IM),
            reference,
            species=mouse,
            route=Route.IM,
        )

        assert [(Level.ERROR, "volume-above-maximum")] == [(f.level, f.code) for f in findings]
        assert (
            "0.12 mL is above the possible maximum for mouse i.m., per site, 0.1 mL"
            == findings[0].message
        )

    def test_message_per_injection(self, reference, mouse):
        """Above the assumed i.t. good practice the message is in mcL, the source assumed."""
        findings = check_volume(
            Q_(6, "uL"),
            Q_(25, "g"),
            reference.volume_limit(mouse, Route.IT),
            reference,
            species=mouse,
            route=Route.IT,
        )

        assert (
            "6 mcL is above good practice for mouse i.t., per injection, 5 mcL"
            == findings[0].message
        )
        assert findings[0].source.startswith("assumed (")

    def test_no_limit_on_record(self, reference):
        """A species and route without a limit gives an info finding to check local limits."""
        hamster = reference.find_species("hamster")

        findings = check_volume(
            Q_("0.5", "mL"), Q_(100, "g"), None, reference, species=hamster, route=Route.IP
        )

        assert [(Level.INFO, "no-volume-limit")] == [(f.level, f.code) for f in findings]

    def test_no_weight_for_per_kg_limit(self, reference, mouse):
        """A per-kg limit without a weight is not checked, and says so."""
        findings = check_volume(
            Q_("0.5", "mL"),
            None,
            reference.volume_limit(mouse, Route.IP),
            reference,
            species=mouse,
            route=Route.IP,
        )

        assert [(Level.INFO, "volume-not-checked")] == [(f.level, f.code) for f in findings]

    def test_per_site_limit_needs_no_weight(self, reference, mouse):
        """An i.m. limit per site is checked without a weight."""
        findings = check_volume(
            Q_("0.06", "mL"),
            None,
            reference.volume_limit(mouse, Route.IM),
            reference,
            species=mouse,
            route=Route.IM,
        )

        assert [(Level.WARNING, "volume-above-good-practice")] == [
            (f.level, f.code) for f in findings
        ]


class TestCalculateDose:
    """calculate_dose computes amount, concentration and volume, with findings."""

    def test_with_concentration(self, reference, mouse):
        """25 mg/kg x 27 g at 2.5 mg/mL is 0.675 mg in 0.27 mL (10 mL/kg), with no finding."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(27, "g"),
            concentration=Q_("2.5", "mg/mL"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert Decimal("0.675") == result.amount.to("mg").magnitude
        assert Decimal("0.675") / Decimal("2.5") == result.volume.to("mL").magnitude
        assert Decimal("0.27") == result.volume.to("mL").magnitude
        assert Decimal(10) == result.dose_volume.to("mL/kg").magnitude  # 0.27 mL / 0.027 kg
        assert () == result.findings
        assert "0.5 mL insulin syringe" == result.syringe.name

    def test_with_dose_volume(self, reference, mouse):
        """10 mL/kg x 27 g = 0.27 mL, and 25 mg/kg / 10 mL/kg = 2.5 mg/mL."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(27, "g"),
            dose_volume=Q_(10, "mL/kg"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert Decimal(10) * Decimal("0.027") == result.volume.to("mL").magnitude
        assert Decimal("0.27") == result.volume.to("mL").magnitude
        assert Decimal(25) / Decimal(10) == result.concentration.to("mg/mL").magnitude
        assert Decimal("0.675") == result.amount.to("mg").magnitude

    def test_with_dose_volume_in_microlitres_per_gram(self, reference, mouse):
        """10 uL/g is 10 mL/kg: 0.27 mL for 27 g, and 2.5 mg/mL for 25 mg/kg."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(27, "g"),
            dose_volume=Q_(10, "uL/g"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert Decimal("0.27") == result.volume.to("mL").magnitude
        assert Decimal("2.5") == result.concentration.to("mg/mL").magnitude

    def test_per_area_dose(self, reference, mouse):
        """75 mg/m2 in a 27 g mouse is 75 / 3 x 0.027 = 0.675 mg, 0.27 mL at 2.5 mg/mL."""
        result = calculate_dose(
            Q_(75, "mg/m**2"),
            weight=Q_(27, "g"),
            concentration=Q_("2.5", "mg/mL"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert Decimal("0.675") == result.amount.to("mg").magnitude
        assert Decimal("0.27") == result.volume.to("mL").magnitude

    def test_molar_dose_with_mass_concentration(self, reference, mouse, temsirolimus):
        """40 umol/kg temsirolimus x 25 g = 1 umol = 1.03029 mg, at 2.5 mg/mL 0.412116 mL."""
        result = calculate_dose(
            Q_(40, "umol/kg"),
            weight=Q_(25, "g"),
            concentration=Q_("2.5", "mg/mL"),
            species=mouse,
            route=Route.IP,
            reference=reference,
            compound=temsirolimus,
            form=temsirolimus.parent,
        )

        assert Decimal(1) == result.amount.to("umol").magnitude
        assert abs(
            Decimal("1.03029") / Decimal("2.5") - result.volume.to("mL").magnitude
        ) <= Decimal("1e-20")

    def test_molar_dose_needs_a_compound(self, reference, mouse):
        """A molar dose with a mass concentration and no compound is refused."""
        with pytest.raises(InputError):
            calculate_dose(
                Q_(40, "umol/kg"),
                weight=Q_(25, "g"),
                concentration=Q_("2.5", "mg/mL"),
                species=mouse,
                route=Route.IP,
                reference=reference,
            )

    def test_fixed_volume_per_animal(self, reference, mouse):
        """10 mcg in 5 mcL i.t. is 2 mg/mL, with no finding at the 5 mcL good practice."""
        result = calculate_dose(
            Q_(10, "ug"),
            weight=Q_(25, "g"),
            dose_volume=Q_(5, "uL"),
            species=mouse,
            route=Route.IT,
            reference=reference,
        )

        assert Decimal(2) == result.concentration.to("mg/mL").magnitude
        assert Decimal("0.005") == result.volume.to("mL").magnitude
        assert [] == _volume_findings(result.findings)

    @pytest.mark.parametrize(
        ("kwargs", "where"),
        [
            ({}, "--concentration/--dose-volume"),
            (
                {"concentration": Q_("2.5", "mg/mL"), "dose_volume": Q_(10, "mL/kg")},
                "--concentration/--dose-volume",
            ),
            ({"concentration": Q_(0, "mg/mL")}, "concentration"),
        ],
    )
    def test_invalid(self, reference, mouse, kwargs, where):
        """Neither or both of concentration and dose volume, or a zero concentration, fail."""
        with pytest.raises(InputError) as info:
            calculate_dose(
                Q_(25, "mg/kg"),
                weight=Q_(27, "g"),
                species=mouse,
                route=Route.IP,
                reference=reference,
                **kwargs,
            )

        assert where == info.value.where

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"concentration": Q_(10, "mL/kg")},
            {"dose_volume": Q_("2.5", "mg/mL")},
            {"concentration": Q_("2.5", "mg/mL"), "weight": Q_(27, "mL")},
        ],
    )
    def test_invalid_kind(self, reference, mouse, kwargs):
        """A concentration, dose volume or weight of the wrong kind is refused."""
        arguments = {"weight": Q_(27, "g"), **kwargs}

        with pytest.raises(QuantityError):
            calculate_dose(
                Q_(25, "mg/kg"), species=mouse, route=Route.IP, reference=reference, **arguments
            )

    @pytest.mark.parametrize(
        ("dose", "kwargs"),
        [
            pytest.param(
                Q_(25, "mg/kg"),
                {"weight": Q_(0, "g"), "concentration": Q_("2.5", "mg/mL")},
                id="zero weight",
            ),
            pytest.param(
                Q_(25, "mg/kg"),
                {"weight": Q_(-27, "g"), "concentration": Q_("2.5", "mg/mL")},
                id="negative weight",
            ),
            pytest.param(
                Q_(-25, "mg/kg"),
                {"weight": Q_(27, "g"), "concentration": Q_("2.5", "mg/mL")},
                id="negative dose",
            ),
            pytest.param(
                Q_(25, "mg/kg"),
                {"weight": Q_(27, "g"), "dose_volume": Q_(-10, "mL/kg")},
                id="negative dose volume",
            ),
            pytest.param(
                Q_(25, "mg/kg"),
                {"weight": Q_(27, "g"), "dose_volume": Q_(0, "mL/kg")},
                id="zero dose volume",
            ),
            pytest.param(
                Q_(25, "mg/kg"),
                {"weight": Q_(27, "g"), "concentration": Q_("-2.5", "mg/mL")},
                id="negative concentration",
            ),
        ],
    )
    def test_invalid_not_positive(self, reference, human, dose, kwargs):
        """A weight or dose volume of zero or less, or a negative dose, is an input error."""
        with pytest.raises(InputError):
            calculate_dose(dose, species=human, route=Route.IP, reference=reference, **kwargs)

    def test_volume_hard_to_measure(self, reference, mouse):
        """0.675 mg at 1000 mg/mL is 0.675 mcL, under 10 graduations of a 10 mcL syringe."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(27, "g"),
            concentration=Q_(1000, "mg/mL"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert ["volume-hard-to-measure"] == [f.code for f in result.findings]

    def test_volume_below_graduation(self, reference, mouse):
        """0.675 mg at 10000 mg/mL is 0.0675 mcL, under half a 0.2 mcL graduation: an error."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(27, "g"),
            concentration=Q_(10000, "mg/mL"),
            species=mouse,
            route=Route.IP,
            reference=reference,
        )

        assert [(Level.ERROR, "volume-below-graduation")] == [
            (f.level, f.code) for f in result.findings
        ]

    def test_volume_exceeds_syringes(self, reference, rat):
        """A 250 g rat at 50 mL/kg p.o. takes 12.5 mL: above the maximum and any syringe."""
        result = calculate_dose(
            Q_(25, "mg/kg"),
            weight=Q_(250, "g"),
            dose_volume=Q_(50, "mL/kg"),
            species=rat,
            route=Route.PO,
            reference=reference,
        )

        assert Decimal("12.5") == result.volume.to("mL").magnitude
        assert None is result.syringe
        assert ["volume-above-maximum", "volume-exceeds-syringes"] == [
            f.code for f in result.findings
        ]


class TestMeasurableVolume:
    """measurable_volume rounds a volume to what a syringe measures."""

    def test_rounds_to_graduation(self, reference):
        """0.2749 mL in a 1 mL syringe (0.01 mL steps) is measured as 0.27 mL."""
        syringe = reference.syringe_for(Q_("0.8", "mL"))

        assert Q_("0.27", "mL") == measurable_volume(Q_("0.2749", "mL"), syringe)

    def test_no_syringe(self):
        """Without a syringe the volume is returned as it is."""
        volume = Q_("12.5", "mL")

        assert volume is measurable_volume(volume, None)


class TestApiDose:
    """api.dose takes the dose as people type it."""

    def test_worked_example(self, reference):
        """'25 mg/kg', '27 g', '2.5 mg/mL' gives 0.27 mL."""
        result = api.dose("25 mg/kg", weight="27 g", concentration="2.5 mg/mL", reference=reference)

        assert Decimal("0.27") == result.volume.to("mL").magnitude

    def test_mpk_and_dose_volume(self, reference):
        """'25 mpk' with '10 mL/kg' gives 2.5 mg/mL."""
        result = api.dose("25 mpk", weight="27 g", dose_volume="10 mL/kg", reference=reference)

        assert Decimal("2.5") == result.concentration.to("mg/mL").magnitude

    @pytest.mark.parametrize(
        ("kwargs", "error", "where"),
        [
            (
                {"dose": "25 %", "weight": "27 g", "concentration": "2.5 mg/mL"},
                QuantityError,
                "DOSE",
            ),
            ({"dose": "25", "weight": "27 g", "concentration": "2.5 mg/mL"}, QuantityError, "DOSE"),
            (
                {"dose": "25 mg/kg", "weight": "27", "concentration": "2.5 mg/mL"},
                QuantityError,
                "weight",
            ),
            (
                {
                    "dose": "25 mg/kg",
                    "weight": "27 g",
                    "concentration": "2.5 mg/mL",
                    "species": "gerbil",
                },
                UnknownNameError,
                "species",
            ),
            (
                {
                    "dose": "25 mg/kg",
                    "weight": "27 g",
                    "concentration": "2.5 mg/mL",
                    "route": "intranasal",
                },
                UnknownNameError,
                "route",
            ),
            ({"dose": "25 mg/kg", "weight": "27 g"}, InputError, "--concentration/--dose-volume"),
        ],
    )
    def test_invalid(self, reference, kwargs, error, where):
        """Bad text input raises the specific error, located at the parameter it came from."""
        with pytest.raises(error) as info:
            api.dose(reference=reference, **kwargs)

        assert where == info.value.where
