"""
Tests for planner.study.plan and planner.study.calendar: allocation into groups, the calendar, dose rows,
preparations, totals, findings and assumptions. Expected numbers are worked by hand.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.dosing.dose import calculate_dose
from planner.errors import DataFileError
from planner.knowledge.loading import load_protocol
from planner.knowledge.provenance import Fact, Status
from planner.knowledge.reference import Reference, Route
from planner.study.build import build_plan
from planner.study.calendar import build_calendar, clock
from planner.study.cohort import parse_weights
from planner.study.plan import Plan
from planner.units.registry import Q_

CHRONIC = "obara2011-cci779-chronic"


def _csv(rows: list[str]) -> bytes:
    return ("animal,weight,day,cage,sex\n" + "\n".join(rows) + "\n").encode()


def _cohort(weights: dict[str, list[tuple[str, int]]]):
    rows = [
        f"{animal},{weight},{day},{number // 4 + 1},male"
        for number, (animal, series) in enumerate(weights.items())
        for weight, day in series
    ]
    return parse_weights(_csv(rows), source="w.csv")


def _uniform(weight: str = "25 g", count: int = 40):
    return _cohort({f"M{n:02d}": [(weight, 0)] for n in range(1, count + 1)})


def _plan(reference: Reference, protocol: str = CHRONIC, **options) -> Plan:
    options.setdefault("seed", 1)
    return build_plan(load_protocol(protocol, reference=reference), reference=reference, **options)


class TestAllocation:
    def test_placeholder_animals_fill_the_groups(self, reference):
        """Without weights, one numbered animal per place: 5 groups of 8 make M01 to M40."""
        plan = _plan(reference)

        assert [f"M{n:02d}" for n in range(1, 41)] == [a.id for a in plan.animals]
        assert [8, 8, 8, 8, 8] == [g.size for g in plan.groups]
        assert sorted(a.id for a in plan.animals) == sorted(
            a for g in plan.groups for a in g.animals
        )

    def test_codes_are_distinct_letters(self, reference):
        """Each of the 5 groups gets its own code A to E."""
        plan = _plan(reference)

        assert ["A", "B", "C", "D", "E"] == sorted(g.code for g in plan.groups)

    def test_same_seed_same_plan(self, reference):
        """The same seed gives the same allocation, codes and input hash."""
        first, second = _plan(reference, seed=42), _plan(reference, seed=42)

        assert first.allocation == second.allocation
        assert first.input_hash == second.input_hash

    def test_other_seed_other_allocation(self, reference):
        """Another seed gives another allocation of 40 animals, and another input hash."""
        first, second = _plan(reference, seed=1), _plan(reference, seed=2)

        assert first.allocation.groups != second.allocation.groups
        assert first.input_hash != second.input_hash

    def test_cohort_size_differs(self, reference):
        """38 animals for 5 x 8 places: a warning, and groups of 8, 8, 8, 7, 7."""
        plan = _plan(reference, weights=_uniform(count=38))

        assert [8, 8, 8, 7, 7] == sorted((g.size for g in plan.groups), reverse=True)
        assert "cohort-size-differs" in {f.code for f in plan.findings}

    def test_fewer_animals_than_groups(self, reference):
        """4 animals cannot fill 5 groups: refused naming the weights file."""
        with pytest.raises(DataFileError, match=r"^w\.csv: 4 animal\(s\) for 5 groups"):
            _plan(reference, weights=_uniform(count=4))


class TestCalendar:
    def test_tests_after_each_dose(self, reference):
        """Tests 1 h and 3 h after the 09:00 dose fall at 10:00 and 12:00 the same day."""
        events = build_calendar(load_protocol(CHRONIC, reference=reference))
        day8 = [(e.time, e.kind.value) for e in events if e.day == 8]

        assert [("09:00", "dosing"), ("10:00", "test"), ("12:00", "test")] == day8

    def test_24_hours_after_crosses_midnight(self, reference):
        """24 h after the 09:00 dose on day 10 is day 11 at 09:00."""
        events = build_calendar(load_protocol(CHRONIC, reference=reference))
        late = [e for e in events if e.after is not None and e.after == Q_(24, "h")]

        assert [(11, "09:00", 4)] == [(e.day, e.time, e.dose_number) for e in late]

    def test_dates_from_day_zero(self, reference):
        """With day 0 on 2026-03-02, day 7 is 2026-03-09 and day -14 is 2026-02-16."""
        plan = _plan(reference, start=datetime.date(2026, 3, 2))

        assert datetime.date(2026, 3, 9) == plan.date_of(7)
        assert datetime.date(2026, 2, 16) == plan.date_of(-14)

    def test_dosing_days(self, reference):
        """The chronic protocol doses on days 7 to 10."""
        assert (7, 8, 9, 10) == _plan(reference).dosing_days

    @pytest.mark.parametrize(("minute", "text"), [(0, "00:00"), (570, "09:30"), (None, "")])
    def test_clock(self, minute, text):
        """Minutes after midnight are written HH:MM."""
        assert text == clock(minute)


class TestDoses:
    def test_rows_per_day(self, reference):
        """Every animal is dosed on each of the 4 days: 160 rows, 40 a day."""
        plan = _plan(reference)

        assert 160 == len(list(plan.dose_rows()))
        assert 40 == len(list(plan.dose_rows(day=9)))

    def test_placeholder_rows_leave_weight_and_volume_blank(self, reference):
        """Without weights the volume is unknown but the concentration is 2.5 mg/mL."""
        row = next(r for r in _plan(reference).dose_rows() if not r.vehicle)

        assert (None, None, None) == (row.dose.weight, row.dose.volume, row.dose.amount)
        assert Q_("2.5", "mg/mL") == row.dose.concentration

    def test_volume_from_weight(self, reference):
        """27.1 g x 10 mL/kg = 0.271 mL, drawn up as 0.27 mL; 27.1 g x 25 mg/kg = 0.6775 mg."""
        cohort = _cohort({f"M{n:02d}": [("27.1 g", 0)] for n in range(1, 41)})
        drug = next(r for r in _plan(reference, weights=cohort).dose_rows() if not r.vehicle)

        assert Q_("0.271", "mL") == drug.dose.volume
        assert Q_("0.27", "mL") == drug.dose.measured
        assert Q_("0.6775", "mg") == drug.dose.amount

    def test_vehicle_gets_the_same_volume_and_no_compound(self, reference):
        """A vehicle animal of 27.1 g gets 0.271 mL too, with 0 mg in it."""
        cohort = _cohort({f"M{n:02d}": [("27.1 g", 0)] for n in range(1, 41)})
        row = next(r for r in _plan(reference, weights=cohort).dose_rows() if r.vehicle)

        assert Q_("0.271", "mL") == row.dose.volume
        assert Q_(0, "mg") == row.dose.amount
        assert "vehicle" == row.compound

    def test_latest_weighing_on_or_before_the_dose_day(self, reference):
        """Weighed 27.1 g on day 0 and 25.6 g on day 9: days 7-8 get 0.271 mL, 9-10 0.256 mL."""
        weights = {f"M{n:02d}": [("25 g", 0)] for n in range(2, 41)}
        weights["M01"] = [("27.1 g", 0), ("25.6 g", 9)]
        plan = _plan(reference, weights=_cohort(weights))
        volumes = [
            (r.administration.day, r.dose.volume) for r in plan.dose_rows() if r.animal.id == "M01"
        ]

        assert [
            (7, Q_("0.271", "mL")),
            (8, Q_("0.271", "mL")),
            (9, Q_("0.256", "mL")),
            (10, Q_("0.256", "mL")),
        ] == volumes

    def test_fixed_volume_per_animal(self, reference):
        """Intrathecal doses are 10 mcL per animal whatever the weight, from coded vials A1/A2."""
        plan = _plan(reference, protocol="xu2014-rapamycin-it")
        rows = list(plan.dose_rows(day=5))

        assert {Q_("0.01", "mL")} == {r.dose.volume for r in rows}
        assert {"1", "2"} == {r.vial[-1] for r in rows}

    def test_morphine_amount_per_animal(self, reference):
        """10 mcg morphine sulfate pentahydrate in 10 mcL is 1 mg/mL."""
        plan = _plan(reference, protocol="xu2014-rapamycin-it")
        row = next(
            r
            for r in plan.dose_rows()
            if not r.vehicle and r.treatment.regimen.id == "xu2014-morphine-it-repeated"
        )

        assert Q_("0.01", "mg") == row.dose.amount
        assert Q_(1, "mg/mL") == row.dose.concentration

    @settings(
        max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        st.lists(
            st.decimals(min_value=Decimal("15"), max_value=Decimal("40"), places=1),
            min_size=40,
            max_size=40,
        )
    )
    def test_matches_the_dose_engine(self, reference, grams):
        """Every row's amount and volume equal planner.dosing.dose.calculate_dose for its weight."""
        cohort = _cohort({f"M{n:02d}": [(f"{g} g", 0)] for n, g in enumerate(grams, 1)})
        plan = _plan(reference, weights=cohort)
        species = reference.find_species("mouse")
        compound, form = reference.find_compound("temsirolimus")
        for row in plan.dose_rows(day=7):
            if row.vehicle:
                continue
            engine = calculate_dose(
                Q_(25, "mg/kg"),
                weight=row.dose.weight,
                species=species,
                route=Route.IP,
                reference=reference,
                dose_volume=Q_(10, "mL/kg"),
                compound=compound,
                form=form,
            )

            assert engine.amount == row.dose.amount
            assert engine.volume == row.dose.volume


class TestPreparation:
    def test_batch_with_weights(self, reference):
        """24 drug animals of 25 g: 24 x 0.25 mL = 6 mL, x 1.1 + 0.1 mL = 6.7 mL, x 2.5 = 16.75 mg."""
        plan = _plan(reference, weights=_uniform("25 g"))
        batch = next(b for b in plan.batches if b.day == 7 and not b.vehicle)

        assert 24 == batch.injections
        assert Q_("6.7", "mL") == batch.preparation.total_volume
        assert Q_("16.75", "mg") == batch.preparation.mass_to_weigh

    def test_vehicle_batch(self, reference):
        """16 vehicle animals of 25 g: 4 mL x 1.1 + 0.1 mL = 4.5 mL; 5 % ethanol is 0.225 mL."""
        plan = _plan(reference, weights=_uniform("25 g"))
        batch = next(b for b in plan.batches if b.day == 7 and b.vehicle)

        assert Q_("4.5", "mL") == batch.preparation.total_volume
        assert Q_(0, "mg") == batch.preparation.mass_to_weigh
        assert Q_("0.225", "mL") == batch.preparation.components[0].volume

    def test_total_compound(self, reference):
        """Four days of 16.75 mg is 67 mg of temsirolimus."""
        plan = _plan(reference, weights=_uniform("25 g"))

        assert [Q_(67, "mg")] == [t.mass for t in plan.totals]

    def test_unweighed_animals_sized_at_the_top_of_the_range(self, reference):
        """Without weights, 24 drug doses at the top of the typical mouse range, 35 g:
        24 x 0.35 mL = 8.4 mL; x 1.1 + 0.1 = 9.34 mL; x 2.5 mg/mL = 23.35 mg."""
        plan = _plan(reference)
        batch = next(b for b in plan.batches if b.day == 7 and not b.vehicle)

        assert 24 == batch.estimated
        assert Q_("9.34", "mL") == batch.preparation.total_volume
        assert Q_("23.35", "mg") == batch.preparation.mass_to_weigh
        assert Q_("0.035", "kg") == plan.estimate_weight.value

    def test_vials_per_batch(self, reference):
        """The drug batch fills the three drug groups' vials, the vehicle batch the other two."""
        plan = _plan(reference)
        drug = next(b for b in plan.batches if not b.vehicle)
        vehicle = next(b for b in plan.batches if b.vehicle)
        codes = {g.name: g.code for g in plan.groups}

        assert sorted(
            codes[n] for n in ("nerve injury + CCI-779", "sham + CCI-779", "naive + CCI-779")
        ) == list(drug.codes)
        assert sorted(codes[n] for n in ("nerve injury + vehicle", "sham + vehicle")) == list(
            vehicle.codes
        )


class TestFindings:
    def test_weight_outside_range(self, reference):
        """A 40 g mouse is above the (assumed) 35 g top of the typical range: a warning naming it."""
        weights = {f"M{n:02d}": [("25 g", 0)] for n in range(1, 41)}
        weights["M07"] = [("40 g", 0)]
        plan = _plan(reference, weights=_cohort(weights))
        found = [f for f in plan.findings if f.code == "weight-outside-range"]

        assert ["animal M07, day 0"] == [f.subject for f in found]

    def test_missing_weighing(self, reference):
        """An animal first weighed on day 9 has no volume on days 7 and 8: a warning."""
        weights = {f"M{n:02d}": [("25 g", 0)] for n in range(2, 41)}
        weights["M01"] = [("25.6 g", 9)]
        plan = _plan(reference, weights=_cohort(weights))
        rows = [r for r in plan.dose_rows() if r.animal.id == "M01"]

        assert [None, None] == [r.dose.volume for r in rows[:2]]
        assert "weight-missing" in {f.code for f in plan.findings}

    def test_placeholder_info(self, reference):
        """A plan without weights says so as an info finding."""
        assert "no-weights" in {f.code for f in _plan(reference).findings}

    def test_clean_plan_has_no_errors(self, reference):
        """The shipped chronic protocol with 25 g mice has no error-level finding."""
        assert () == _plan(reference, weights=_uniform("25 g")).errors

    def test_mismatched_dose_and_volume_refused(self, reference):
        """A per-kg dose in a fixed volume would need one solution per animal: refused."""
        protocol = load_protocol(CHRONIC, reference=reference)
        treatment = protocol.treatment[0]
        fixed = attrs.evolve(
            treatment,
            dose_volume=Fact(value=Q_("0.25", "mL"), status=Status.ASSUMED, source="test"),
        )
        bad = attrs.evolve(protocol, treatment=(fixed,))

        with pytest.raises(DataFileError, match=r"treatment\[0\]\.dose_volume"):
            build_plan(bad, reference=reference, seed=1)


class TestAssumptions:
    def test_plan_defaults_are_listed(self, reference):
        """Overage, dead volume and the estimate weight are assumptions the plan prints."""
        keys = {a.key for a in _plan(reference).assumptions}

        assert {"plan.overage", "plan.dead_volume", "plan.estimate_weight"} <= keys

    def test_protocol_assumptions_are_listed(self, reference):
        """The assumed dose volume of the chronic protocol is among the assumptions."""
        keys = {a.key for a in _plan(reference).assumptions}

        assert "treatment[0].dose_volume" in keys

    def test_every_assumption_is_assumed(self, reference):
        """Nothing stated by a source is listed as an assumption."""
        plan = _plan(reference, protocol="xu2014-rapamycin-it")

        assert {Status.ASSUMED} == {a.fact.status for a in plan.assumptions}


class TestAfterDose:
    """after_dose counts from the day's first dose of the regimen (protocols/README.md)."""

    def test_twice_daily_regimen_tested_once_a_day(self, reference):
        """Xu 2014: morphine at 08:00 and 20:00; tail flick '30 min after the morning dose' on
        days 5, 7, 9 and 11 gives 4 tests at 08:30 (not 8, with four more at 20:30)."""
        from planner.knowledge.loading import load_protocol
        from planner.study.calendar import build_calendar

        events = [
            (e.day, e.time)
            for e in build_calendar(load_protocol("xu2014-rapamycin-it", reference=reference))
            if e.what.startswith("Tail flick")
        ]

        assert [(5, "08:30"), (7, "08:30"), (9, "08:30"), (11, "08:30")] == events
