"""
The limits a plan applies, as a table: for the species and the routes and vehicles its
treatments use, each volume limit (from the limit profile), sites and volume per day,
co-solvent shares, body weight range and change, and syringe graduations, each with its source.

The plan prints it (section 8), ``planner check --json`` and the JSON plan carry it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from planner.checks.dose import DOCUMENTED_FACTOR, LIMIT_DOSE
from planner.checks.plan import (
    COSOLVENT_LIMITS,
    DAILY_VOLUME_RULE,
    SITES_PER_DAY,
    WEIGHT_CHANGE,
    WEIGHT_CHANGE_STOP,
    TreatmentView,
)
from planner.knowledge.provenance import Fact
from planner.knowledge.reference import Reference, Species, Syringe
from planner.knowledge.routes import Route
from planner.units.format import format_quantity, unit_key

__all__ = ["AppliedRule", "rules_applied"]


@attrs.frozen(kw_only=True)
class AppliedRule:
    """One limit a plan is checked against, as the plan prints it: what, for what, and why."""

    rule: str
    """What is limited, e.g. "volume per dose, good practice"."""
    applies_to: str
    """What it is applied to, e.g. "mouse intraperitoneal"."""
    value: str
    """The limit, formatted, e.g. "20 mL/kg"."""
    source: str
    """Where the limit comes from (citation and locator), or for an assumed limit why it is
    assumed (print it beside an ASSUMED mark)."""
    assumed: bool
    """Whether the limit is assumed rather than taken from a source."""
    profile: str = ""
    """The short name of the limit profile a volume limit comes from; "" for other rules."""


def _rule_source(reference: Reference, fact: Fact[Any], citation: str = "") -> str:
    """A rule's source: citation and locator, or for an assumed value the reason alone (the
    plan marks it assumed beside it)."""
    return fact.source if fact.assumed else reference.provenance(fact, citation or fact.citation)


def _volume_rules(
    species: Species, routes: Sequence[Route], reference: Reference
) -> Iterator[AppliedRule]:
    for route in routes:
        where = f"{species.name} {route.title}"
        limit = reference.volume_limit(species, route)
        if limit is None:
            yield AppliedRule(
                rule="volume per dose",
                applies_to=where,
                value="no limit on record",
                source="check your institution's limits",
                assumed=True,
            )
            continue
        raised = reference.raised_from(limit)
        for fact, label in ((limit.good_practice, "good practice"), (limit.maximum, "maximum")):
            above = (
                f"; raises the shipped maximum, {raised.shown(raised.maximum)} "
                f"({reference.limit_source(raised)})"
                if raised is not None and fact is limit.maximum
                else ""
            )
            yield AppliedRule(
                rule=f"volume per dose, {label}",
                applies_to=where,
                value=limit.shown(fact),
                source=_rule_source(reference, fact, limit.citation) + above,
                assumed=fact.assumed,
                profile=reference.limit_source(limit),
            )
        if limit.per == "kg":
            yield AppliedRule(
                rule="volume by one route in one day",
                applies_to=where,
                value=f"{DAILY_VOLUME_RULE.value} ({limit.shown(limit.maximum)})",
                source=_rule_source(reference, DAILY_VOLUME_RULE),
                assumed=True,
            )
        sites = SITES_PER_DAY.get(route)
        if sites is not None:
            yield AppliedRule(
                rule="injection sites per day",
                applies_to=where,
                value=f"at most {sites.value}",
                source=_rule_source(reference, sites),
                assumed=sites.assumed,
            )


def rules_applied(
    treatments: Sequence[TreatmentView],
    species: Species,
    reference: Reference,
    syringes: Sequence[Syringe] = (),
) -> tuple[AppliedRule, ...]:
    """
    Every limit the plan's checks apply, for the species and the routes and vehicles the
    treatments use: volume limits (from the limit profile), sites and volume per day, co-solvent
    shares, body weight range and change, and the graduations of ``syringes`` (default: every
    syringe on record, when no volume is known yet).
    """
    routes = list(dict.fromkeys(t.route for t in treatments))
    rules = list(_volume_rules(species, routes, reference))
    names = {c.name for t in treatments for c in t.treatment.vehicle.value.components}
    for name, pattern, limit in COSOLVENT_LIMITS:
        used = sorted(n for n in names if re.search(pattern, n, re.IGNORECASE))
        if used:
            rules.append(
                AppliedRule(
                    rule=f"{name} share of the solution",
                    applies_to=", ".join(used),
                    value=f"at most {format_quantity(limit.value)} v/v",
                    source=_rule_source(reference, limit),
                    assumed=limit.assumed,
                )
            )
    for fact, label in (
        (species.warning_weight, "body weight, warning outside"),
        (species.plausible_weight, "body weight, not dosed outside"),
    ):
        if fact is None:
            continue
        low, high = fact.value
        rules.append(
            AppliedRule(
                rule=label,
                applies_to=species.name,
                value=f"{format_quantity(low)} to {format_quantity(high)}",
                source=_rule_source(reference, fact, species.citation),
                assumed=fact.assumed,
            )
        )
    rules.append(
        AppliedRule(
            rule="dose per body mass",
            applies_to="every treatment",
            value=f"at most {format_quantity(LIMIT_DOSE.value)}",
            source=LIMIT_DOSE.source,
            assumed=False,
        )
    )
    rules.append(
        AppliedRule(
            rule="dose against the documented doses of the compound",
            applies_to="every treatment",
            value=f"at most {DOCUMENTED_FACTOR.value} times the highest",
            source=DOCUMENTED_FACTOR.source,
            assumed=True,
        )
    )
    rules.append(
        AppliedRule(
            rule="weight change between weighings",
            applies_to=species.name,
            value=f"at most {format_quantity(WEIGHT_CHANGE.value)}",
            source=_rule_source(reference, WEIGHT_CHANGE),
            assumed=True,
        )
    )
    rules.append(
        AppliedRule(
            rule="weight change between weighings, not dosed beyond",
            applies_to=species.name,
            value=f"{format_quantity(WEIGHT_CHANGE_STOP.value)}",
            source=_rule_source(reference, WEIGHT_CHANGE_STOP),
            assumed=True,
        )
    )
    for syringe in syringes or reference.syringes:
        rules.append(
            AppliedRule(
                rule="smallest measurable step",
                applies_to=syringe.name,
                value=format_quantity(
                    syringe.graduation.value, unit_key(syringe.capacity.value.units)
                ),
                source=_rule_source(reference, syringe.graduation, syringe.citation),
                assumed=syringe.graduation.assumed,
            )
        )
    return tuple(rules)
