"""
Expected doses, worked out independently of planner (issue 11): the hostile-input suite checks
the numbers planner prints against these, not only its exit status.

Nothing here imports planner. Quantities are read by a small reader of our own with a unit table
written out by hand (below), and the formulas are the ones a person uses at the bench:

- amount = body weight x dose (per body mass), dose / Km x weight (per body surface area), or the
  dose itself (per animal);
- volume = amount / concentration, or weight x dose volume (per body mass), or the fixed volume;
- drawn-up volume = the volume rounded to the graduation of the smallest syringe that holds it,
  halves up; rounded down instead where rounding up would cross a volume limit the volume itself
  keeps; none when that gives 0.

The syringes, Km values, volume limits and molecular weights are copied by hand from seeds/
(equipment.toml, fda2005-km.toml, diehl2001-volumes.toml, compounds.toml); if a seed changes, the
copy here must be changed on purpose.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "KM",
    "SYRINGES",
    "Reading",
    "check_dose_json",
    "check_plan_rows",
    "close",
    "csv_rows",
    "drawn",
    "read",
    "syringe_for",
]

# --- units, by hand ----------------------------------------------------------------------------
# unit text -> (kind, factor to the kind's base unit). Bases: mass g, dose mg/kg, molar dose
# umol/kg, area dose mg/m2, amount mg, molar amount umol, concentration mg/mL, molar
# concentration mM (= umol/mL), dose volume mL/kg, volume mL.
_MICRO = ("u", "mc", "\N{MICRO SIGN}", "\N{GREEK SMALL LETTER MU}")
UNITS: dict[str, tuple[str, Decimal]] = {
    "g": ("mass", Decimal(1)),
    "kg": ("mass", Decimal(1000)),
    "mg": ("mass", Decimal("0.001")),
    "mg/kg": ("dose", Decimal(1)),
    "mpk": ("dose", Decimal(1)),
    "g/kg": ("dose", Decimal(1000)),
    "umol/kg": ("molar-dose", Decimal(1)),
    "mmol/kg": ("molar-dose", Decimal(1000)),
    "nmol/g": ("molar-dose", Decimal(1)),
    "mg/m2": ("area-dose", Decimal(1)),
    "mg/m^2": ("area-dose", Decimal(1)),
    "mg/m**2": ("area-dose", Decimal(1)),
    "mg/mL": ("concentration", Decimal(1)),
    "g/L": ("concentration", Decimal(1)),
    "mM": ("molar-concentration", Decimal(1)),
    "uM": ("molar-concentration", Decimal("0.001")),
    "mL/kg": ("dose-volume", Decimal(1)),
    "mL": ("volume", Decimal(1)),
    "L": ("volume", Decimal(1000)),
    "umol": ("molar-amount", Decimal(1)),
}
for _p in _MICRO:
    UNITS[f"{_p}g"] = ("mass", Decimal("0.000001"))
    UNITS[f"{_p}g/g"] = ("dose", Decimal(1))  # 1 mcg/g = 1 mg/kg
    UNITS[f"{_p}g/kg"] = ("dose", Decimal("0.001"))
    UNITS[f"{_p}L/g"] = ("dose-volume", Decimal(1))  # 1 uL/g = 1 mL/kg
    UNITS[f"{_p}L"] = ("volume", Decimal("0.001"))
    for _q in _MICRO:
        UNITS[f"{_p}g/{_q}L"] = ("concentration", Decimal(1))
# A per-animal dose written as a mass is an amount in mg.
_AMOUNTS = {"mass": ("amount", Decimal(1000))}  # factor from g to mg

_NUMBER = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,3}))?\s*(\S+)\s*$")


class Reading:
    """A quantity as read here: kind, value in the kind's base unit (Decimal)."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: Decimal) -> None:
        self.kind = kind
        self.value = value

    def __repr__(self) -> str:
        return f"Reading({self.kind!r}, {self.value})"


def read(text: str, *, as_dose: bool = False) -> Reading | None:
    """
    Read ``text`` ("25 mg/kg", "0.027 kg") with the hand-written unit table; None for anything
    this reader does not know (the oracle then does not check numbers; it never guesses).
    ASCII digits only, no sign: a negative or odd number is not read.
    """
    match = _NUMBER.match(text)
    if match is None or (not text.isascii() and not any(m in text for m in _MICRO[2:])):
        return None
    number = Decimal(match[1]).scaleb(int(match[2] or 0))
    unit = UNITS.get(match[3])
    if unit is None:
        return None
    kind, factor = unit
    if as_dose and kind in _AMOUNTS:
        kind, factor = _AMOUNTS[kind][0], factor * _AMOUNTS[kind][1]
    if number <= 0:
        return None
    return Reading(kind, number * factor)


# --- reference values, copied by hand from seeds/ ----------------------------------------------

KM = {
    "mouse": 3,
    "hamster": 5,
    "rat": 6,
    "ferret": 7,
    "guinea-pig": 8,
    "rabbit": 12,
    "dog": 20,
    "monkey": 12,
    "marmoset": 6,
    "squirrel-monkey": 7,
    "baboon": 20,
    "micro-pig": 27,
    "mini-pig": 35,
    "child": 25,
    "human": 37,
}
"""Km (kg/m2) per species, FDA 2005 Table 1 (seeds/fda2005-km.toml)."""

SYRINGES = [
    (Decimal("0.010"), Decimal("0.0002"), "10 mcL glass microsyringe"),
    (Decimal("0.025"), Decimal("0.0005"), "25 mcL glass microsyringe"),
    (Decimal("0.100"), Decimal("0.002"), "100 mcL glass microsyringe"),
    (Decimal("0.5"), Decimal("0.01"), "0.5 mL insulin syringe"),
    (Decimal("1"), Decimal("0.01"), "1 mL syringe"),
    (Decimal("3"), Decimal("0.1"), "3 mL syringe"),
    (Decimal("5"), Decimal("0.2"), "5 mL syringe"),
    (Decimal("10"), Decimal("0.2"), "10 mL syringe"),
]
"""(capacity mL, graduation mL, name), smallest first (seeds/equipment.toml)."""

MOLAR_MASS = {"temsirolimus": Decimal("1030.29"), "cci-779": Decimal("1030.29")}
"""g/mol (seeds/compounds.toml; DrugBank DB06287 gives 1030.2871: compared to 1e-4)."""

MOUSE_IP = (Decimal(20), Decimal(80))
"""Mouse i.p. good practice and maximum, mL/kg (Diehl et al. 2001, Table 1)."""


def syringe_for(volume: Decimal) -> tuple[Decimal, Decimal, str] | None:
    """The smallest syringe that holds ``volume`` mL in one draw, or None."""
    for syringe in SYRINGES:
        if volume <= syringe[0]:
            return syringe
    return None


def drawn(volume: Decimal, step: Decimal, ceilings: Iterable[Decimal] = ()) -> Decimal | None:
    """
    The volume drawn up: nearest multiple of ``step``, halves up; rounded down instead where the
    nearest would cross a ceiling the volume keeps; None when that is 0.

    Worked by hand: 0.275 mL on a 0.01 mL syringe is 27.5 graduations, rounded half up to 28:
    0.28 mL; 0.004 mL is 0.4 graduations, 0: None.
    """
    nearest = (volume / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    if any(volume <= ceiling < nearest for ceiling in ceilings):
        nearest = (volume / step).quantize(Decimal(1), rounding=ROUND_FLOOR) * step
    return nearest if nearest > 0 else None


def close(expected: Decimal | float, actual: Any, rel: float = 1e-9) -> bool:
    """Whether ``actual`` (a JSON number or CSV text) equals ``expected`` to ``rel``."""
    return math.isclose(float(expected), float(actual), rel_tol=rel, abs_tol=0.0)


# --- planner dose --json -----------------------------------------------------------------------

_JSON_UNITS = {
    "mg": ("amount", Decimal(1)),
    "umol": ("molar-amount", Decimal(1)),
    "mL": ("volume", Decimal(1)),
    "mg/mL": ("concentration", Decimal(1)),
    "mM": ("molar-concentration", Decimal(1)),
    "mL/kg": ("dose-volume", Decimal(1)),
}


def _json_value(quantity: Mapping[str, Any], kind: str) -> Decimal:
    unit = _JSON_UNITS.get(quantity["unit"])
    assert unit is not None, f"unexpected unit for {kind}: {quantity}"
    assert kind == unit[0], f"unexpected unit for {kind}: {quantity}"
    return Decimal(repr(quantity["value"])) * unit[1]


def check_dose_json(
    data: Mapping[str, Any],
    *,
    dose: str,
    weight: str,
    concentration: str | None,
    dose_volume: str | None,
    species: str = "mouse",
    compound: str | None = None,
) -> bool:
    """
    Assert that ``planner dose --json`` output ``data`` holds the amount, volume, concentration,
    dose volume and syringe worked out here from the texts given on the command line. Return
    False (checking nothing) when a text is one this oracle does not read.
    """
    d, w = read(dose, as_dose=True), read(weight)
    given = read(concentration) if concentration is not None else None
    per = read(dose_volume) if dose_volume is not None else None
    if d is None or w is None or w.kind != "mass" or (given is None and per is None):
        return False
    kg = w.value / 1000
    # amount, in mg or umol
    if d.kind == "dose":
        amount, basis = d.value * kg, "mass"
    elif d.kind == "molar-dose":
        amount, basis = d.value * kg, "substance"
    elif d.kind == "area-dose":
        if species not in KM:
            return False
        amount, basis = d.value / KM[species] * kg, "mass"
    elif d.kind == "amount":
        amount, basis = d.value, "mass"
    else:
        return False
    shown = _json_value(data["amount"], "amount" if basis == "mass" else "molar-amount")
    assert close(amount, shown), f"amount: expected {amount}, planner gave {data['amount']}"
    # volume
    if given is not None:
        if given.kind not in {"concentration", "molar-concentration"}:
            return False
        wanted = "mass" if given.kind == "concentration" else "substance"
        rel = 1e-9
        if wanted != basis:
            mw = MOLAR_MASS.get((compound or "").strip().lower())
            if mw is None:
                return True  # the amount was checked; the molar mass is not copied here
            # mg / (g/mol) = mmol, x 1000 for umol; umol x g/mol = mcg, / 1000 for mg.
            amount = amount / mw * 1000 if wanted == "substance" else amount * mw / 1000
            rel = 1e-4
        volume = amount / given.value
    else:
        assert per is not None
        if per.kind == "dose-volume":
            volume = per.value * kg
        elif per.kind == "volume":
            volume = per.value
        else:
            return False
        rel = 1e-9
        concentration_kind = "concentration" if basis == "mass" else "molar-concentration"
        expected_c = amount / volume
        shown_c = _json_value(data["concentration"], concentration_kind)
        assert close(expected_c, shown_c), (
            f"concentration: expected {expected_c}, planner gave {data['concentration']}"
        )
    shown_v = _json_value(data["volume"], "volume")
    assert close(volume, shown_v, rel), (
        f"volume: expected {volume} mL, planner gave {data['volume']}"
    )
    per_kg = _json_value(data["dose_volume"], "dose-volume")
    assert close(volume / kg, per_kg, rel), (
        f"dose volume: expected {volume / kg} mL/kg, planner gave {data['dose_volume']}"
    )
    syringe = syringe_for(Decimal(repr(float(shown_v))))
    if syringe is None:
        assert data["syringe"] is None, data["syringe"]
    else:
        assert syringe[2] == data["syringe"]["name"], (syringe, data["syringe"])
        assert close(syringe[1], data["syringe"]["graduation"]["value"])
    return True


# --- planner plan --format csv -----------------------------------------------------------------


def csv_rows(text: str) -> list[dict[str, str]]:
    """The dose rows of a CSV plan, as dicts by column name."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


def check_plan_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    treatments: Mapping[str, tuple[str, str]],
    weighings: Mapping[str, Sequence[tuple[int | None, Decimal]]] | None,
    ceilings: tuple[Decimal, Decimal] | None = MOUSE_IP,
) -> int:
    """
    Assert every dose row of a plan (CSV rows, or JSON doses flattened the same way) against
    the hand formulas; return how many rows had a weight to check.

    Args:
        rows: dicts with the CSV columns (regimen, vehicle, day, weight_g, weighing_day, amount,
            concentration, volume_mL, measured_volume_mL, syringe).
        treatments: regimen id -> (dose text, dose volume text) as the protocol writes them.
        weighings: animal id (as the CSV writes it) -> [(day or None, grams)], or None for a
            placeholder cohort (every weight, amount and volume is then left blank).
        ceilings: the volume limits (good practice, maximum) in mL/kg for the route, or None.
    """
    checked = 0
    for row in rows:
        where = f"row {row}"
        dose_text, volume_text = treatments[row["regimen"]]
        dose, per = read(dose_text, as_dose=True), read(volume_text)
        assert dose is not None, dose_text
        assert per is not None, volume_text
        vehicle = row["vehicle"] in {"yes", True}
        if weighings is None:
            if dose.kind != "amount":
                assert "" == row["weight_g"] == row["amount"] == row["volume_mL"], where
            elif per.kind == "volume":
                # Per animal: no weight needed. By hand, 10 mcg in 10 uL is 0.01 mg in 0.01 mL.
                assert close(0 if vehicle else dose.value, row["amount"]), f"amount; {where}"
                assert close(per.value, row["volume_mL"]), f"volume; {where}"
            continue
        chosen = weighing_on(weighings[row["animal"]], int(row["day"]))
        if chosen is None:
            assert "" == row["weight_g"] == row["volume_mL"] == row["measured_volume_mL"], where
            continue
        day, grams = chosen
        checked += 1
        assert close(grams, row["weight_g"]), f"weight: expected {grams} g; {where}"
        assert ("" if day is None else str(day)) == str(row["weighing_day"]), where
        kg = grams / 1000
        amount = dose.value * kg if dose.kind == "dose" else dose.value
        volume = per.value * kg if per.kind == "dose-volume" else per.value
        assert close(0 if vehicle else amount, row["amount"]), f"amount: {amount} mg; {where}"
        assert close(volume, row["volume_mL"]), f"volume: expected {volume} mL; {where}"
        syringe = syringe_for(volume)
        if syringe is None:
            assert close(volume, row["measured_volume_mL"]), where
            assert "" == row["syringe"], where
            continue
        assert syringe[2] == row["syringe"], where
        limits = [c * kg for c in ceilings] if ceilings and per.kind == "dose-volume" else []
        expected = drawn(volume, syringe[1], limits)
        if expected is None:
            assert "" == row["measured_volume_mL"], f"drawn-up volume: none; {where}"
        else:
            assert close(expected, row["measured_volume_mL"]), (
                f"drawn-up volume: expected {expected} mL; {where}"
            )
    return checked


def weighing_on(
    weighings: Sequence[tuple[int | None, Decimal]], day: int
) -> tuple[int | None, Decimal] | None:
    """The latest dated weighing on or before ``day``; else the undated one; else None."""
    dated = [w for w in weighings if w[0] is not None and w[0] <= day]
    if dated:
        return max(dated, key=lambda w: w[0])
    undated = [w for w in weighings if w[0] is None]
    return undated[0] if undated else None
