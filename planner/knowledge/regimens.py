"""
Documented regimens and the studies they come from: what a paper says was given, to which
animals, and what it found, each value a :class:`~planner.knowledge.provenance.Fact` with its status.

A :class:`Regimen` is one dosing schedule (compound, dose, route, number of administrations and
interval, species) as the source documents it; a :class:`Study` holds what the same paper says
about the animals, the models, the outcomes, the controls and the results. Both are built by
:mod:`planner.knowledge.loading` from the ``[[regimen]]`` and ``[[study]]`` tables of ``seeds/*.toml``.

>>> from planner.units.registry import Q_
>>> regimen = Regimen(
...     id="demo-single", name="demo", study="demo", source="abstract",
...     compound=Fact(value="temsirolimus", status=Status.STATED, source="abstract"),
...     dose=Fact(value=Q_(25, "mg/kg"), status=Status.STATED, source="abstract"),
...     route=Fact(value=Route.IP, status=Status.STATED, source="abstract"),
...     doses=Fact(value=1, status=Status.STATED, source="abstract"),
...     species=Fact(value="mouse", status=Status.STATED, source="MeSH terms"))
>>> regimen.status, regimen.assumed_fields
(<Status.STATED: 'stated'>, ())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from attrs import validators as v

from planner.errors import InputError
from planner.knowledge.provenance import Fact, Status, fact_value
from planner.knowledge.routes import Route
from planner.units.registry import Kind, Quantity, has_kind

__all__ = ["Model", "Regimen", "Study", "least_certain", "regimen_problems"]

if TYPE_CHECKING:
    from collections.abc import Iterable

_RANK = {Status.STATED: 0, Status.DERIVED: 1, Status.ASSUMED: 2}


def least_certain(facts: Any) -> Status:
    """
    Return the least certain status among ``facts`` (assumed, then derived, then stated).

    >>> least_certain([Fact(value=1, status=Status.STATED, source="x"),
    ...                Fact(value=2, status=Status.DERIVED, source="y")])
    <Status.DERIVED: 'derived'>
    """
    statuses = [fact.status for fact in facts if fact is not None]
    return max(statuses, key=_RANK.__getitem__, default=Status.STATED)


def _strip(value: str) -> str:
    return value.strip()


if TYPE_CHECKING:
    # converter=_tuple, as mypy's attrs plugin sees it: the plugin cannot solve a generic converter
    # (it leaves __init__ taking Iterable[_T_co], which accepts nothing), so it is declared taking
    # any iterable; the field's own annotation still types the attribute. At run time it is tuple.
    def _tuple(items: Iterable[object], /) -> tuple[Any, ...]: ...

else:
    _tuple = tuple


def _texts(_instance: Any, attribute: Any, value: Any) -> None:
    """Validate a tuple of non-empty texts."""
    if (
        not isinstance(value, tuple)
        or not value
        or not all(isinstance(x, str) and x.strip() for x in value)
    ):
        raise InputError(
            got=value, expected="a non-empty list of non-empty texts", where=attribute.name
        )


def _text(_instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InputError(got=value, expected="a non-empty text", where=attribute.name)


def _facts_of_text(_instance: Any, attribute: Any, value: Any) -> None:
    for fact in value:
        if not isinstance(fact, Fact) or not isinstance(fact.value, str) or not fact.value.strip():
            raise InputError(
                got=getattr(fact, "value", fact),
                expected="facts whose value is a non-empty text",
                where=attribute.name,
            )


_ID = v.matches_re(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@attrs.frozen(kw_only=True)
class Model:
    """
    A disease or injury model a study used: what kind the source names, and which one exactly.
    """

    id: str = attrs.field(validator=_ID)
    """Identifier within the study, e.g. ``nerve-injury``; regimens refer to it."""
    kind: Fact[str] = attrs.field(validator=fact_value(_text))
    """What the source calls it, e.g. "nerve injury (neuropathic pain)"."""
    name: Fact[str] | None = attrs.field(default=None, validator=fact_value(_text))
    """The exact model ("spared nerve injury (SNI)"), often not in an abstract: then assumed."""
    procedure: Fact[str] | None = attrs.field(default=None, validator=fact_value(_text))
    """How it is made (surgery, injection), when recorded."""


@attrs.frozen(kw_only=True)
class Study:
    """
    What one source says about its experiments beyond the dosing: animals, models, outcomes,
    controls and results.
    """

    id: str = attrs.field(validator=_ID)
    """Identifier regimens refer to, e.g. ``obara2011``."""
    title: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """One line on what was studied, in planner's words."""
    strain: Fact[str] | None = attrs.field(default=None, validator=fact_value(_text))
    """Strain or stock of the animals."""
    sex: Fact[str] | None = attrs.field(default=None, validator=fact_value(_text))
    """Sex of the animals."""
    models: tuple[Model, ...] = attrs.field(default=(), converter=_tuple)
    """The disease or injury models."""
    outcomes: Fact[tuple[str, ...]] | None = attrs.field(default=None, validator=fact_value(_texts))
    """What was measured (e.g. mechanical, cold and heat hypersensitivity)."""
    tests: Fact[tuple[str, ...]] | None = attrs.field(default=None, validator=fact_value(_texts))
    """How it was measured (the behavioural tests)."""
    controls: tuple[Fact[str], ...] = attrs.field(
        default=(), converter=_tuple, validator=_facts_of_text
    )
    """Control groups, each with its own status."""
    results: tuple[Fact[str], ...] = attrs.field(
        default=(), converter=_tuple, validator=_facts_of_text
    )
    """What the source reports as results, in planner's words."""
    not_stated: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    """What the source (as far as on record) does not give; protocols must assume it."""
    citation: str = ""
    """Key of the citation the facts come from, unless a fact names its own."""

    def find_model(self, model_id: str) -> Model | None:
        """Return the model with this id, or None."""
        return next((m for m in self.models if m.id == model_id), None)


def _positive(_instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(got=value, expected="a whole number of at least 1", where=attribute.name)


@attrs.frozen(kw_only=True)
class Regimen:
    """
    One documented dosing schedule: a compound, its dose and route, how many administrations
    at what interval, in which species; every value with its provenance.
    """

    id: str = attrs.field(validator=_ID)
    """Identifier, e.g. ``obara2011-cci779-4daily``; protocols refer to it."""
    name: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """One line for people, e.g. "temsirolimus (CCI-779) 25 mg/kg i.p., 4 daily doses"."""
    study: str = attrs.field(validator=v.min_len(1))
    """Id of the :class:`Study` (in the same source) the regimen belongs to."""
    model: str = ""
    """Id of the study's model the regimen was given in; empty when none applies."""
    compound: Fact[str] = attrs.field(validator=fact_value(_text))
    """Compound id in seeds/compounds.toml, e.g. ``temsirolimus``."""
    dose: Fact[Quantity] = attrs.field(
        validator=fact_value(has_kind(Kind.DOSE_PER_MASS, Kind.DOSE_PER_AREA, Kind.AMOUNT))
    )
    """Dose per administration: per body mass (25 mg/kg), per body surface or per animal (10 mcg)."""
    route: Fact[Route] = attrs.field(validator=fact_value(v.instance_of(Route)))
    """Route of administration."""
    doses: Fact[int] = attrs.field(validator=fact_value(_positive))
    """Number of administrations (1 for a single, acute dose)."""
    interval: Fact[Quantity] | None = attrs.field(
        default=None, validator=fact_value(has_kind(Kind.DURATION))
    )
    """Time from one administration to the next; None for a single dose."""
    species: Fact[str] = attrs.field(validator=fact_value(_text))
    """Species id in seeds/fda2005-km.toml, e.g. ``mouse``."""
    alongside: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    """Ids of regimens given with this one (e.g. the morphine that induces tolerance)."""
    source: str = attrs.field(converter=_strip, validator=v.min_len(1))
    """Where in the cited source the regimen is documented, e.g. "abstract"."""
    note: str = ""
    """Anything a reader should know about the regimen as a whole."""
    citation: str = ""
    """Key of the citation the facts come from, unless a fact names its own."""

    @interval.validator
    def _check_interval(self, _attribute: object, fact: Fact[Quantity] | None) -> None:
        if self.doses.value > 1 and fact is None:
            raise InputError(
                got=None,
                expected="an interval (e.g. '24 h') when doses is more than 1",
                where="interval",
            )
        if self.doses.value == 1 and fact is not None:
            raise InputError(
                got=f"{fact.value.magnitude} {fact.value.units}",
                expected="no interval for a single dose",
                where="interval",
            )

    @property
    def schedule_facts(self) -> dict[str, Fact[Any]]:
        """The facts that define the schedule, by field name (interval only when there is one)."""
        facts: dict[str, Fact[Any]] = {
            "compound": self.compound,
            "dose": self.dose,
            "route": self.route,
            "doses": self.doses,
        }
        if self.interval is not None:
            facts["interval"] = self.interval
        facts["species"] = self.species
        return facts

    @property
    def status(self) -> Status:
        """The least certain status among the schedule facts: stated only if all are."""
        return least_certain(self.schedule_facts.values())

    @property
    def assumed_fields(self) -> tuple[str, ...]:
        """Names of the schedule facts that are assumed."""
        return tuple(name for name, fact in self.schedule_facts.items() if fact.assumed)


def _known(names: Any) -> str:
    return ", ".join(sorted(names)) or "none"


def regimen_problems(regimen: Regimen, reference: Any) -> list[tuple[str, str]]:
    """
    Return what is wrong with a regimen's references, as (key path, message) pairs: its study
    and model, compound, species, the regimens given alongside it and its citations.

    ``reference`` is a :class:`planner.knowledge.reference.Reference` holding the regimen.
    """
    problems: list[tuple[str, str]] = []
    study = next((s for s in reference.studies if s.id == regimen.study), None)
    if study is None:
        problems.append(
            (
                "study",
                f"unknown study {regimen.study!r}; known: {_known(s.id for s in reference.studies)}",
            )
        )
    elif regimen.model and study.find_model(regimen.model) is None:
        problems.append(
            (
                "model",
                f"unknown model {regimen.model!r} in study {study.id!r}; "
                f"known: {_known(m.id for m in study.models)}",
            )
        )
    compounds = {c.id for c in reference.compounds}
    if regimen.compound.value not in compounds:
        problems.append(
            (
                "compound.value",
                f"unknown compound {regimen.compound.value!r}; known: {_known(compounds)}",
            )
        )
    species = {s.id for s in reference.species}
    if regimen.species.value not in species:
        problems.append(
            (
                "species.value",
                f"unknown species {regimen.species.value!r}; known: {_known(species)}",
            )
        )
    ids = {r.id for r in reference.regimens}
    for number, other in enumerate(regimen.alongside):
        if other not in ids or other == regimen.id:
            problems.append(
                (
                    f"alongside[{number}]",
                    f"unknown regimen {other!r}; known: {_known(ids - {regimen.id})}",
                )
            )
    keys = {c.key for c in reference.citations}
    for key, fact in _facts(regimen):
        if fact.citation and fact.citation not in keys:
            problems.append(
                (f"{key}.citation", f"unknown citation {fact.citation!r}; known: {_known(keys)}")
            )
    return problems


def _facts(regimen: Regimen) -> list[tuple[str, Fact[Any]]]:
    facts = [
        (name, getattr(regimen, name))
        for name in ("compound", "dose", "route", "doses", "interval", "species")
    ]
    return [(name, fact) for name, fact in facts if fact is not None]
