"""
Tests for planner.checks.plan and the rounding rule of planner.dosing.dose.drawn_volume: every check at
its boundary (a value exactly at a limit passes, just past it is found), with hand-worked numbers.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.checks import plan as safety
from planner.dosing.dose import drawn_volume
from planner.dosing.preparation import VehicleComponent
from planner.findings import Level
from planner.knowledge.loading import load_protocol
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Route
from planner.study.build import build_plan
from planner.study.calendar import Administration
from planner.study.cohort import parse_weights
from planner.study.plan import DEFAULT_OVERAGE
from planner.units.registry import Q_


def _fact(value):
    return Fact(value=value, status=Status.ASSUMED, source="test")


@pytest.fixture(name="chronic", scope="module")
def _chronic(reference):
    return build_plan(load_protocol("obara2011-cci779-chronic"), reference=reference, seed=1)


def _with_vehicle(treatment, components):
    vehicle = treatment.treatment.vehicle
    new = attrs.evolve(vehicle, value=attrs.evolve(vehicle.value, components=tuple(components)))
    return attrs.evolve(treatment, treatment=attrs.evolve(treatment.treatment, vehicle=new))


class TestDrawnVolume:
    @pytest.mark.parametrize(
        ("volume", "step", "ceilings", "expected"),
        [
            ("0.271", "0.01", [], "0.27"),
            ("0.275", "0.01", [], "0.28"),
            ("0.005", "0.01", [], "0.01"),
            ("0.0049", "0.01", [], None),
            ("0.4995", "0.01", ["0.5"], "0.5"),
            ("0.4995", "0.01", ["0.4995"], "0.49"),
            ("0.4996", "0.01", ["0.4995"], "0.5"),
        ],
    )
    def test_examples(self, volume, step, ceilings, expected):
        """Nearest graduation; rounded down only where rounding up would pass a limit it respects."""
        result = drawn_volume(Decimal(volume), Decimal(step), [Decimal(c) for c in ceilings])

        assert (None if expected is None else Decimal(expected)) == result

    @given(
        volume=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(5), places=4),
        step=st.sampled_from(
            [Decimal("0.0002"), Decimal("0.002"), Decimal("0.01"), Decimal("0.1")]
        ),
        ceilings=st.lists(
            st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(5), places=4), max_size=3
        ),
    )
    def test_never_misleads(self, volume, step, ceilings):
        """Never zero, within one graduation of the volume, never past a limit the volume respects."""
        result = drawn_volume(volume, step, ceilings)

        if result is None:
            assert volume < step
            return
        assert result > 0
        assert abs(result - volume) <= step
        assert result % step == 0
        for ceiling in ceilings:
            if volume <= ceiling:
                assert result <= ceiling


class TestWeightChange:
    def _plan(self, reference, second):
        rows = [f"M{n:02d},25 g,0,1,male" for n in range(2, 41)]
        rows += ["M01,25 g,0,1,male", f"M01,{second},9,1,male"]
        cohort = parse_weights(
            ("animal,weight,day,cage,sex\n" + "\n".join(rows)).encode(), source="w.csv"
        )
        plan = build_plan(
            load_protocol("obara2011-cci779-chronic"), reference=reference, weights=cohort, seed=1
        )
        return [f for f in plan.findings if f.code == "weight-change"]

    def test_at_the_threshold_passes(self, reference):
        """25 g to 27.5 g is exactly +10 %: no finding."""
        assert [] == self._plan(reference, "27.5 g")

    def test_gain_above(self, reference):
        """25 g to 27.6 g is +10.4 %: a warning naming the animal and day."""
        (finding,) = self._plan(reference, "27.6 g")

        assert (Level.WARNING, "animal M01, day 9") == (finding.level, finding.subject)
        assert (
            "animal M01 weighed 27.6 g on day 9 and 25 g on day 0: a change of +10.4 %, more than "
            "10 %: check the animal and the record"
        ) == finding.message

    def test_loss_above(self, reference):
        """25 g to 22.4 g is -10.4 %: a warning."""
        assert 1 == len(self._plan(reference, "22.4 g"))


class TestCosolvent:
    @pytest.mark.parametrize(("share", "found"), [("10 %", False), ("10.5 %", True)])
    def test_dmso_boundary(self, chronic, reference, share, found):
        """DMSO at 10 % passes; 10.5 % is above the (assumed) 10 % limit."""
        treatment = _with_vehicle(
            chronic.treatments[0],
            [
                VehicleComponent(name="DMSO", percent=Q_(Decimal(share.split()[0]), "percent")),
                VehicleComponent(name="saline"),
            ],
        )
        findings = safety.cosolvent_findings(treatment, reference)

        assert found == bool(findings)
        if found:
            assert findings[0].source.startswith("assumed (")

    def test_peg_limit_is_50(self, chronic, reference):
        """PEG-400 at 50 % passes and at 51 % is found."""
        ok = _with_vehicle(
            chronic.treatments[0],
            [
                VehicleComponent(name="PEG-400", percent=Q_(50, "percent")),
                VehicleComponent(name="water"),
            ],
        )
        high = _with_vehicle(
            chronic.treatments[0],
            [
                VehicleComponent(name="PEG-400", percent=Q_(51, "percent")),
                VehicleComponent(name="water"),
            ],
        )

        assert ([], 1) == (
            safety.cosolvent_findings(ok, reference),
            len(safety.cosolvent_findings(high, reference)),
        )


def _schedule(regimen, per_day, days=(1,)):
    return [
        Administration(regimen=regimen, number=n, day=day, minute=8 * 60 + n, event=0)
        for n, day in enumerate([d for d in days for _ in range(per_day)], 1)
    ]


class TestSites:
    def _im(self, chronic):
        treatment = chronic.treatments[0]
        regimen = attrs.evolve(treatment.regimen, route=_fact(Route.IM))
        return attrs.evolve(treatment, regimen=regimen, route=Route.IM)

    def test_two_im_sites_pass(self, chronic, reference):
        """Two i.m. injections a day are within Diehl's 2 sites."""
        treatment = self._im(chronic)

        assert [] == safety.site_findings(
            chronic.groups, [treatment], _schedule(treatment.regimen.id, 2), reference
        )

    def test_three_im_sites_warn(self, chronic, reference):
        """Three i.m. injections a day: one warning per group, citing Diehl et al. 2001."""
        treatment = self._im(chronic)
        findings = safety.site_findings(
            chronic.groups, [treatment], _schedule(treatment.regimen.id, 3), reference
        )

        assert 5 == len(findings)
        assert {"Diehl et al. 2001, Table 1 footnote (as reproduced)"} == {
            f.source for f in findings
        }


class TestSitesAfterAQuietDay:
    def test_later_day_still_checked(self, chronic, reference):
        """Two i.m. injections on day 1 (within the 2 sites), three on day 2: the day-2 excess
        is still found for every group (killed mutant: 'continue' -> 'break' in site_findings,
        which stopped at the first day within the limit)."""
        treatment = chronic.treatments[0]
        regimen = attrs.evolve(treatment.regimen, route=_fact(Route.IM))
        treatment = attrs.evolve(treatment, regimen=regimen, route=Route.IM)
        schedule = _schedule(regimen.id, 2, days=(1,)) + [
            Administration(regimen=regimen.id, number=2 + n, day=2, minute=8 * 60 + n, event=0)
            for n in range(1, 4)
        ]

        findings = safety.site_findings(chronic.groups, [treatment], schedule, reference)

        assert [2] * 5 == [int(f.message.split(" on day ")[1].split(";")[0]) for f in findings]


class TestDailyVolume:
    def _ip(self, chronic, volume):
        treatment = chronic.treatments[0]
        return attrs.evolve(
            treatment,
            treatment=attrs.evolve(treatment.treatment, dose_volume=_fact(Q_(volume, "mL/kg"))),
        )

    def test_at_the_maximum_passes(self, chronic, reference):
        """Two 40 mL/kg i.p. injections in a day are 80 mL/kg, the mouse maximum: no finding."""
        treatment = self._ip(chronic, 40)
        findings = safety.daily_volume_findings(
            chronic.groups,
            [treatment],
            _schedule(treatment.regimen.id, 2),
            chronic.species,
            reference,
        )

        assert [] == findings

    def test_above_the_maximum(self, chronic, reference):
        """Two 41 mL/kg injections are 82 mL/kg, above 80: a warning with the (assumed) rule."""
        treatment = self._ip(chronic, 41)
        findings = safety.daily_volume_findings(
            chronic.groups,
            [treatment],
            _schedule(treatment.regimen.id, 2),
            chronic.species,
            reference,
        )

        assert 5 == len(findings)
        assert "82 mL/kg" in findings[0].message
        assert "assumed" in findings[0].source


class TestDoseBasis:
    def test_per_animal_for_a_per_kg_regimen(self, chronic, reference):
        """0.5 mg per animal where the regimen gives 25 mg/kg is an error."""
        treatment = chronic.treatments[0]
        changed = attrs.evolve(
            treatment, treatment=attrs.evolve(treatment.treatment, dose=_fact(Q_("0.5", "mg")))
        )

        (finding,) = safety.dose_basis_findings(changed, reference)

        assert (Level.ERROR, "dose-basis-differs-from-regimen") == (finding.level, finding.code)

    def test_same_basis(self, chronic, reference):
        """The shipped dose is per kg like its regimen: no finding."""
        assert [] == safety.dose_basis_findings(chronic.treatments[0], reference)


class TestBlinding:
    def test_shipped_protocols_do_not_leak(self, chronic):
        """Every group of the chronic protocol gets the injection (drug or vehicle)."""
        assert [] == safety.blinding_findings(chronic.groups, chronic.treatments)

    def test_group_without_injection(self, chronic):
        """A group that gets no injection at all shows itself on the sheet: a warning."""
        groups = list(chronic.groups)
        groups[0] = attrs.evolve(groups[0], drug=(), vehicle=())

        (finding,) = safety.blinding_findings(groups, chronic.treatments)

        assert "blinding-leak" == finding.code
        assert f"groups {groups[0].code} get no injection" in finding.message


class TestInputHash:
    def test_overage_changes_the_hash(self, reference):
        """The printed amounts depend on the overage, so the hash does too."""
        protocol = load_protocol("obara2011-cci779-chronic")
        first = build_plan(protocol, reference=reference, seed=1)
        other = build_plan(
            protocol,
            reference=reference,
            seed=1,
            overage=attrs.evolve(DEFAULT_OVERAGE, value=Decimal("0.3")),
        )

        assert first.input_hash != other.input_hash
