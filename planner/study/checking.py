"""
A protocol's own checks: each treatment computed for the species' reference weight and checked
against its regimen, then the protocol-wide rules of :mod:`planner.checks.protocol`. A plan
runs them first (:func:`planner.study.build.build_plan`); ``planner check`` shows them with
every check of the plan (:func:`planner.api.check_protocol`).

>>> from planner.knowledge.loading import load_protocol, load_reference
>>> reference = load_reference()
>>> _, found = protocol_findings(load_protocol("obara2011-cci779-acute"), reference)
>>> [f.code for f in found]
['no-solubility-on-record', 'assumed-values']
"""

from __future__ import annotations

import attrs

from planner.checks import protocol as rules
from planner.checks.rules import AppliedRule
from planner.dosing.dose import DoseResult, calculate_dose
from planner.errors import DataFileError, PlannerError
from planner.findings import Finding
from planner.knowledge.protocols import Protocol, Treatment
from planner.knowledge.reference import Compound, Form, Reference
from planner.knowledge.regimens import Regimen

__all__ = ["ProtocolCheck", "TreatmentCheck", "protocol_findings"]


@attrs.frozen(kw_only=True)
class TreatmentCheck:
    """One treatment of a protocol, computed for the species' reference weight."""

    treatment: Treatment
    regimen: Regimen
    compound: Compound
    form: Form
    """The form the dose is stated in (the parent compound unless the treatment names one)."""
    result: DoseResult
    """The dose for one animal of the species' reference weight (FDA 2005)."""


@attrs.frozen(kw_only=True)
class ProtocolCheck:
    """A validated protocol, its treatments computed, and the findings of its checks."""

    protocol: Protocol
    source: str
    """Where the protocol was read from (a path, or the id of a shipped protocol)."""
    treatments: tuple[TreatmentCheck, ...]
    findings: tuple[Finding, ...]
    limit_profile: str = ""
    """The volume limits in use (see Reference.profile_summary)."""
    rules: tuple[AppliedRule, ...] = ()
    """Every limit the checks applied, with its source."""


def _compute(
    protocol: Protocol, number: int, treatment: Treatment, reference: Reference, source: str
) -> TreatmentCheck:
    regimen = reference.find_regimen(treatment.regimen)
    compound, parent = reference.find_compound(regimen.compound.value)
    form = next(
        (f for f in compound.forms if treatment.form and f.id == treatment.form.value), parent
    )
    species = reference.find_species(protocol.species.value)
    try:
        result = calculate_dose(
            treatment.dose.value,
            weight=species.reference_weight.value,
            species=species,
            route=regimen.route.value,
            reference=reference,
            dose_volume=treatment.dose_volume.value,
            compound=compound,
            form=form,
            subject=regimen.id,
        )
    except PlannerError as error:
        raise DataFileError(
            path=source, key=f"treatment[{number}]", message=getattr(error, "detail", str(error))
        ) from None
    return TreatmentCheck(
        treatment=treatment, regimen=regimen, compound=compound, form=form, result=result
    )


def protocol_findings(
    protocol: Protocol, reference: Reference, *, source: str = ""
) -> tuple[tuple[TreatmentCheck, ...], tuple[Finding, ...]]:
    """
    Run a valid protocol's checks (pure): each treatment's dose for the species' reference
    weight through the per-dose rules, then :data:`planner.checks.protocol.TREATMENT_RULES`
    (dose and schedule against the regimen, the first vehicle component against recorded
    solubility) on each treatment and :data:`planner.checks.protocol.PROTOCOL_RULES` once.

    Raises:
        DataFileError: a treatment whose dose cannot be computed (e.g. a molar dose without a
            molecular weight).
    """
    checks: list[TreatmentCheck] = []
    findings: list[Finding] = []
    for number, treatment in enumerate(protocol.treatment):
        check = _compute(protocol, number, treatment, reference, source or protocol.id)
        checks.append(check)
        case = rules.TreatmentCase(
            protocol=protocol,
            treatment=treatment,
            regimen=check.regimen,
            compound=check.compound,
            form=check.form,
            concentration=check.result.concentration,
            dose_findings=check.result.findings,
            reference=reference,
        )
        for rule in rules.TREATMENT_RULES:
            findings.extend(rule(case))
    for protocol_rule in rules.PROTOCOL_RULES:
        findings.extend(protocol_rule(protocol, source))
    return tuple(checks), tuple(findings)
