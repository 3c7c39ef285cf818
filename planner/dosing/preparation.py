"""
Solution preparation: how much to make for a number of injections, how much compound to weigh
(salt-corrected), and the volume of each vehicle component in the order of addition.

volume = sum of planned injection volumes x (1 + overage) + dead volume
mass to weigh = volume x concentration x salt factor

>>> prep = prepare_solution(concentration=Q_("2.5", "mg/mL"), volumes=[Q_("0.25", "mL")] * 8,
...                         overage=Decimal("0.2"), dead_volume=Q_(0, "mL"))
>>> prep.total_volume == Q_("2.4", "mL"), prep.mass_to_weigh == Q_(6, "mg")
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from planner.dosing.conversions import change_form, to_basis
from planner.errors import InputError
from planner.knowledge.protocols import VehicleComponent
from planner.knowledge.reference import Compound, Form
from planner.units.registry import Q_, Kind, Quantity, basis, require_kind, require_positive

__all__ = [
    "ComponentVolume",
    "Preparation",
    "VehicleComponent",
    "prepare_solution",
    "prepare_vehicle",
]


@attrs.frozen(kw_only=True)
class ComponentVolume:
    """A vehicle component with the volume to add."""

    name: str
    percent: Quantity
    """Its share of the final volume."""
    volume: Quantity


@attrs.frozen(kw_only=True)
class Preparation:
    """
    A solution to make: its volume, the compound to weigh and the components in order.
    """

    concentration: Quantity
    """Concentration of the dosing solution (as the dose is stated, e.g. free base)."""
    injected_volume: Quantity
    """Sum of the planned injection volumes."""
    overage: Decimal
    """Fraction made in excess of the injected volume (0.1 = 10 %)."""
    dead_volume: Quantity
    """Volume lost in vials, syringes and needles, added once."""
    total_volume: Quantity
    """Volume to prepare."""
    weigh_form: Form | None
    """The form that is weighed (e.g. a salt); None when no compound is named."""
    salt_factor: Decimal
    """Mass of the weighed form per mass of the form the dose is stated in (1 when the same)."""
    mass_to_weigh: Quantity
    """Mass of ``weigh_form`` to weigh."""
    components: tuple[ComponentVolume, ...]
    """Vehicle components in order of addition, with volumes."""
    steps: tuple[str, ...]
    """The preparation written as numbered steps, with "mix until clear" checkpoints."""


def _components(
    vehicle: Sequence[VehicleComponent], total: Quantity
) -> tuple[ComponentVolume, ...]:
    shares = [c.percent.to("percent").magnitude for c in vehicle if c.percent is not None]
    balance = [c for c in vehicle if c.percent is None]
    stated = sum(shares, Decimal(0))
    if len(balance) > 1:
        raise InputError(
            got=", ".join(c.name for c in balance),
            expected="at most one component without a percentage (the balance)",
            where="vehicle",
        )
    if stated > 100 or (not balance and vehicle and stated != 100) or (balance and stated >= 100):
        raise InputError(
            got=f"{stated} %",
            expected="percentages that add up to 100 %, or to less with one balance component",
            where="vehicle",
        )
    result = []
    for component in vehicle:
        share = (
            component.percent.to("percent").magnitude
            if component.percent is not None
            else Decimal(100) - stated
        )
        result.append(
            ComponentVolume(
                name=component.name,
                percent=Q_(share, "percent"),
                volume=(total * share / 100).to("mL"),
            )
        )
    return tuple(result)


def prepare_solution(
    *,
    concentration: Quantity,
    volumes: Sequence[Quantity],
    overage: Decimal = Decimal("0.1"),
    dead_volume: Quantity | None = None,
    vehicle: Sequence[VehicleComponent] = (),
    compound: Compound | None = None,
    dose_form: Form | None = None,
    weigh_form: Form | None = None,
) -> Preparation:
    """
    Plan one batch of dosing solution for the given injection volumes.

    Args:
        concentration: the dosing solution's concentration, in the form the dose is stated in.
        volumes: every planned injection volume the batch must cover.
        overage: extra fraction to make (default 0.1, i.e. 10 %: an assumption to state).
        dead_volume: volume lost once in vial, syringe and needle (default 0.1 mL, assumed).
        vehicle: components in order of addition; the compound is dissolved in the first.
        compound, dose_form, weigh_form: the compound, the form the dose is stated in and the
            form that is weighed; the mass is corrected by MW(weigh) / (n x MW(dose form)).

    Raises:
        InputError: no volumes, a negative overage, or percentages that do not add up.
    """
    require_positive(
        require_kind(concentration, Kind.CONCENTRATION, where="concentration"),
        where="concentration",
    )
    if not volumes:
        raise InputError(
            got="no injections", expected="at least one planned injection volume", where="volumes"
        )
    if overage < 0:
        raise InputError(
            got=str(overage), expected="an overage of zero or more (0.1 = 10 %)", where="overage"
        )
    dead_volume = Q_("0.1", "mL") if dead_volume is None else dead_volume
    require_positive(
        require_kind(dead_volume, Kind.VOLUME, where="dead_volume"), where="dead_volume", zero=True
    )
    injected = sum(
        (
            require_positive(require_kind(x, Kind.VOLUME, where="volumes"), where="volumes").to(
                "mL"
            )
            for x in volumes
        ),
        Q_(0, "mL"),
    )
    total = (injected * (1 + overage) + dead_volume).to("mL")
    amount = total * concentration
    dose_form = dose_form or (compound.parent if compound else None)
    weigh_form = weigh_form or dose_form
    factor = Decimal(1)
    if basis(concentration.units) == "substance":
        amount = to_basis(amount.to("umol"), "mass", dose_form)
    amount = amount.to("mg")
    if (
        compound is not None
        and dose_form is not None
        and weigh_form is not None
        and weigh_form != dose_form
    ):
        weighed = change_form(amount, compound, dose_form, weigh_form).to("mg")
        factor = (weighed / amount).to("").magnitude
        amount = weighed
    components = _components(vehicle, total)
    return Preparation(
        concentration=concentration,
        injected_volume=injected,
        overage=overage,
        dead_volume=dead_volume,
        total_volume=total,
        weigh_form=weigh_form,
        salt_factor=factor,
        mass_to_weigh=amount,
        components=components,
        steps=_steps(amount, weigh_form, components, total),
    )


def prepare_vehicle(
    *,
    volumes: Sequence[Quantity],
    vehicle: Sequence[VehicleComponent],
    overage: Decimal = Decimal("0.1"),
    dead_volume: Quantity | None = None,
) -> Preparation:
    """
    Plan one batch of vehicle alone (for the vehicle-control groups): the same volume rule
    as :func:`prepare_solution`, the same components in the same order, and nothing to weigh.

    >>> from planner.units.registry import Q_
    >>> prep = prepare_vehicle(volumes=[Q_(1, "mL")], vehicle=[VehicleComponent(name="saline")],
    ...                        overage=Decimal(0), dead_volume=Q_(0, "mL"))
    >>> prep.total_volume == Q_(1, "mL"), prep.mass_to_weigh == Q_(0, "mg")
    (True, True)
    """
    if not vehicle:
        raise InputError(
            got="no components", expected="at least one vehicle component", where="vehicle"
        )
    base = prepare_solution(
        concentration=Q_(1, "mg/mL"), volumes=volumes, overage=overage, dead_volume=dead_volume
    )
    components = _components(vehicle, base.total_volume)
    return attrs.evolve(
        base,
        concentration=Q_(0, "mg/mL"),
        weigh_form=None,
        salt_factor=Decimal(1),
        mass_to_weigh=Q_(0, "mg"),
        components=components,
        steps=_steps(None, None, components, base.total_volume),
    )


def _steps(
    mass: Quantity | None,
    form: Form | None,
    components: tuple[ComponentVolume, ...],
    total: Quantity,
) -> tuple[str, ...]:
    from planner.units.format import format_quantity  # formatting only for the written steps

    what = form.name if form else "compound"
    steps = [] if mass is None else [f"Weigh {format_quantity(mass, sig=4)} of {what}."]
    if not components:
        steps.append(
            f"Dissolve in vehicle to a final volume of {format_quantity(total, sig=4)}; mix until clear."
        )
    for number, component in enumerate(components):
        volume = format_quantity(component.volume, sig=4)
        share = format_quantity(component.percent)
        if number == 0 and mass is not None:
            steps.append(f"Dissolve it in {volume} of {component.name} ({share}); mix until clear.")
        elif number == 0:
            steps.append(f"Measure {volume} of {component.name} ({share}).")
        else:
            steps.append(f"Add {volume} of {component.name} ({share}); mix until clear.")
    steps.append("Inspect: the solution must be clear with no precipitate before it is drawn up.")
    return tuple(steps)
