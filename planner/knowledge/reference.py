"""
Reference data as domain objects: species (FDA 2005 Km table), compounds with their salt
forms, and injection-volume limits (Diehl et al. 2001).

The objects are built by :mod:`planner.knowledge.loading` from the TOML files in ``seeds/``; they never
read files themselves, so tests can build them directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs
from attrs import validators as v

from planner.errors import UnknownNameError
from planner.knowledge.provenance import Citation, Fact, fact_value
from planner.knowledge.regimens import Regimen, Study, _tuple
from planner.knowledge.routes import Route
from planner.units.registry import Kind, Quantity, has_kind, is_kind

__all__ = [
    "Compound",
    "Form",
    "LimitProfile",
    "Reference",
    "Route",
    "Solubility",
    "Species",
    "Syringe",
    "VolumeLimit",
]


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(x).strip() for x in values)


@attrs.frozen(kw_only=True)
class Species:
    """
    A species with its body-surface-area conversion factor (FDA 2005, Table 1).
    """

    id: str = attrs.field(validator=v.min_len(1))
    """Identifier used in files and on the command line, e.g. ``mouse``."""
    name: str = attrs.field(validator=v.min_len(1))
    """Printed name."""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Other accepted names ("mice", "Mus musculus")."""
    km: Fact[Decimal] = attrs.field(
        validator=fact_value(v.and_(v.instance_of(Decimal), v.gt(Decimal(0))))
    )
    """Km: multiply a mg/kg dose by it to get mg/m2."""
    reference_weight: Fact[Quantity] = attrs.field(validator=fact_value(has_kind(Kind.MASS)))
    """The body weight Km was derived for."""
    body_surface_area: Fact[Quantity] | None = None
    """Body surface area at the reference weight."""
    weight_range: Fact[tuple[Quantity, Quantity]] | None = attrs.field(default=None)
    """The body weights Km applies to (FDA 2005's working range, low and high). Outside it a
    weight warns, unless ``typical_weight`` is on record."""
    typical_weight: Fact[tuple[Quantity, Quantity]] | None = attrs.field(default=None)
    """Body weights of ordinary adults (low, high): outside it a weight warns (check the
    weighing, or the animal). Takes the place of ``weight_range`` for that warning."""
    plausible_weight: Fact[tuple[Quantity, Quantity]] | None = attrs.field(default=None)
    """The widest body weights an animal of the species can have (low, high): outside it the
    weight is a slip (a decimal point, a unit) and the animal is not dosed until reweighed."""
    citation: str = ""
    """Key of the citation the facts come from, unless a fact names its own."""

    @property
    def warning_weight(self) -> Fact[tuple[Quantity, Quantity]] | None:
        """The range outside which a weight warns: typical adults if on record, else Km's."""
        return self.typical_weight or self.weight_range

    @property
    def plural(self) -> str:
        """The printed name for several animals: "mice", "rats", "monkeys (rhesus)"."""
        head, sep, rest = self.name.partition(" (")
        irregular = {"mouse": "mice", "child": "children"}
        words = head.split(" ")
        last = words[-1]
        words[-1] = irregular.get(last, last if last.endswith("s") else last + "s")
        return " ".join(words) + sep + rest

    @weight_range.validator
    @typical_weight.validator
    @plausible_weight.validator
    def _check_range(
        self, _attribute: object, fact: Fact[tuple[Quantity, Quantity]] | None
    ) -> None:
        if fact is None:
            return
        low, high = fact.value
        if not (is_kind(low, Kind.MASS) and is_kind(high, Kind.MASS)) or not low < high:
            raise ValueError(f"a weight range must be two masses, low < high; got {low}, {high}")


@attrs.frozen(kw_only=True)
class Solubility:
    """How much of a compound form dissolves in a solvent, as far as recorded."""

    solvent: str = attrs.field(validator=v.min_len(1))
    """The solvent ("water", "DMSO", "ethanol")."""
    limit: Fact[Quantity] | None = None
    """The highest concentration known to dissolve; None when only "insoluble" is recorded."""
    text: str = ""
    """What the source says, in brief ("insoluble", "1 in 20 parts")."""


@attrs.frozen(kw_only=True)
class Form:
    """
    One form of a compound as it is weighed: the free base or acid, a salt, a hydrate.
    """

    id: str = attrs.field(validator=v.min_len(1))
    """Identifier, e.g. ``morphine-sulfate-pentahydrate``."""
    name: str = attrs.field(validator=v.min_len(1))
    """Printed name."""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Other accepted names."""
    formula: str = ""
    """Molecular formula, e.g. ``(C17H19NO3)2.H2SO4.5H2O``."""
    molar_mass: Fact[Quantity] = attrs.field(validator=fact_value(has_kind(Kind.MOLAR_MASS)))
    """Molecular weight of this form."""
    parent_units: int = attrs.field(default=1, validator=v.and_(v.instance_of(int), v.ge(1)))
    """Molecules of the parent compound in one formula unit (2 for morphine sulfate)."""
    solubility: tuple[Solubility, ...] = attrs.field(default=(), converter=_tuple)
    """Recorded solubility by solvent."""


@attrs.frozen(kw_only=True)
class Compound:
    """
    A compound and the forms it is weighed in; the first form is the parent (free base).
    """

    id: str = attrs.field(validator=v.min_len(1))
    """Identifier, e.g. ``temsirolimus``."""
    name: str = attrs.field(validator=v.min_len(1))
    """Printed name."""
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names)
    """Other accepted names ("CCI-779")."""
    forms: tuple[Form, ...] = attrs.field(converter=_tuple, validator=v.min_len(1))
    """The forms; ``forms[0]`` is the parent compound itself."""
    citation: str = ""
    """Key of the citation the facts come from, unless a fact names its own."""

    @property
    def parent(self) -> Form:
        """The parent form (free base or acid) that doses are usually stated as."""
        return self.forms[0]

    def salt_factor(self, form: Form) -> Decimal:
        """
        Return mass of ``form`` per mass of parent: MW(form) / (n x MW(parent)).

        A dose stated as the parent is weighed as ``form`` by multiplying by this factor.
        """
        parent = self.parent.molar_mass.value
        ratio = form.molar_mass.value / (form.parent_units * parent)
        return Decimal(ratio.to("").magnitude)


@attrs.frozen(kw_only=True)
class Syringe:
    """A syringe: what it holds and the smallest step it measures."""

    name: str = attrs.field(validator=v.min_len(1))
    """Printed name, e.g. "1 mL syringe"."""
    capacity: Fact[Quantity] = attrs.field(validator=fact_value(has_kind(Kind.VOLUME)))
    """Largest volume it holds."""
    graduation: Fact[Quantity] = attrs.field(validator=fact_value(has_kind(Kind.VOLUME)))
    """Smallest marked step."""
    citation: str = ""
    """Key of the citation the facts come from."""

    @graduation.validator
    def _check(self, _attribute: object, fact: Fact[Quantity]) -> None:
        if not fact.value < self.capacity.value:
            raise ValueError(
                f"graduation {fact.value} must be smaller than capacity {self.capacity.value}"
            )


@attrs.frozen(kw_only=True)
class VolumeLimit:
    """
    The injection volume a route takes in a species: good practice and possible maximum.

    Limits are per body mass (mL/kg) for most routes, per site for i.m. and per injection for
    i.t. (plain volumes).
    """

    species: str = attrs.field(validator=v.min_len(1))
    """Species id."""
    route: Route = attrs.field(validator=v.instance_of(Route))
    """The route."""
    good_practice: Fact[Quantity] = attrs.field(
        validator=fact_value(has_kind(Kind.DOSE_VOLUME, Kind.VOLUME))
    )
    """Volume considered good practice."""
    maximum: Fact[Quantity] = attrs.field(
        validator=fact_value(has_kind(Kind.DOSE_VOLUME, Kind.VOLUME))
    )
    """Possible maximum volume."""
    per: str = attrs.field(default="kg", validator=v.in_(("kg", "site", "injection")))
    """What a limit is counted per: body mass ("kg"), injection site, or injection."""
    citation: str = ""
    """Key of the citation the facts come from, unless a fact names its own."""

    def shown(self, fact: Fact[Quantity]) -> str:
        """One of this limit's values for print: "20 mL/kg", "0.1 mL per site"."""
        from planner.units.format import format_quantity

        if self.per == "kg":
            return format_quantity(fact.value, "mL/kg")
        return f"{format_quantity(fact.value)} per {self.per}"

    @maximum.validator
    def _check(self, _attribute: object, fact: Fact[Quantity]) -> None:
        good, most = self.good_practice.value, fact.value
        per_kg = is_kind(good, Kind.DOSE_VOLUME)
        if per_kg != is_kind(most, Kind.DOSE_VOLUME) or per_kg != (self.per == "kg"):
            raise ValueError(
                "good_practice and maximum must both be per kg (mL/kg) when per = 'kg', else both volumes"
            )
        if most < good:
            from planner.units.format import format_quantity

            raise ValueError(
                f"maximum {format_quantity(most)} is below good practice {format_quantity(good)}"
            )


@attrs.frozen(kw_only=True)
class LimitProfile:
    """
    A lab's own injection-volume limits (``--limits FILE``), from a file in the seed format: a
    citation and ``[[limit]]`` records. Each limit replaces the shipped one for its species and
    route; species and routes it does not list keep the shipped limits (Diehl et al. 2001).
    """

    citation: Citation
    """Where the lab's limits come from (its policy, its committee's approval)."""
    limits: tuple[VolumeLimit, ...] = attrs.field(converter=_tuple, validator=v.min_len(1))
    """The lab's limits, each for one species and route."""
    path: str = ""
    """The file it was read from, as given."""
    raised: tuple[tuple[VolumeLimit, VolumeLimit], ...] = ()
    """(the lab's limit, the shipped one) where the lab's maximum is above the shipped maximum:
    allowed, as the lab's policy, and printed as such."""


def _key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def _by_capacity(syringes: Iterable[Syringe]) -> tuple[Syringe, ...]:
    return tuple(sorted(syringes, key=lambda x: x.capacity.value))


@attrs.frozen(kw_only=True)
class Reference:
    """
    All reference data, with case-insensitive lookups that take aliases.
    """

    citations: tuple[Citation, ...] = attrs.field(converter=_tuple)
    species: tuple[Species, ...] = attrs.field(converter=_tuple)
    compounds: tuple[Compound, ...] = attrs.field(converter=_tuple)
    limits: tuple[VolumeLimit, ...] = attrs.field(converter=_tuple)
    syringes: tuple[Syringe, ...] = attrs.field(default=(), converter=_by_capacity)
    """Syringes from small to large."""
    studies: tuple[Study, ...] = attrs.field(default=(), converter=_tuple)
    """What each source says about its experiments (seeds/obara2011.toml, ...)."""
    regimens: tuple[Regimen, ...] = attrs.field(default=(), converter=_tuple)
    """Documented regimens, in the order of the seed files."""
    profile: LimitProfile | None = None
    """The lab's limit profile applied over the shipped limits, or None (Diehl et al. 2001)."""

    def with_profile(self, profile: LimitProfile) -> Reference:
        """
        Return this reference with ``profile``'s limits in place of the shipped ones for the
        same species and route, and its citation added.

        Raises:
            ValueError: the profile is invalid against this reference (see
                :func:`planner.knowledge.loading.load_limit_profile`, which checks it first).
        """
        replaced = {(limit.species, limit.route) for limit in profile.limits}
        kept = [limit for limit in self.limits if (limit.species, limit.route) not in replaced]
        shipped = {(limit.species, limit.route): limit for limit in self.limits}
        raised = tuple(
            (limit, shipped[(limit.species, limit.route)])
            for limit in profile.limits
            if (limit.species, limit.route) in shipped
            and limit.per == shipped[(limit.species, limit.route)].per
            and limit.maximum.value > shipped[(limit.species, limit.route)].maximum.value
        )
        return attrs.evolve(
            self,
            citations=(*self.citations, profile.citation),
            limits=(*profile.limits, *kept),
            profile=attrs.evolve(profile, raised=raised),
        )

    def raised_from(self, limit: VolumeLimit) -> VolumeLimit | None:
        """The shipped limit ``limit`` (a lab's) raises the maximum of, or None."""
        if self.profile is None:
            return None
        return next((old for new, old in self.profile.raised if new is limit), None)

    @property
    def profile_summary(self) -> str:
        """
        Which volume limits are in use, for print: "Diehl et al. 2001 (planner's default)", or
        the lab's profile and its file, then the shipped source for what it does not list.
        """
        keys = {limit.citation for limit in self.limits}
        if self.profile is not None:
            keys.discard(self.profile.citation.key)
        shipped = ", ".join(sorted(self.citation(key).short for key in keys)) or "none"
        if self.profile is None:
            return f"{shipped} (planner's default)"
        raised = "".join(
            f"; it raises the maximum for {new.species} {new.route.value} from "
            f"{old.shown(old.maximum)} ({self.citation(old.citation).short}) to "
            f"{new.shown(new.maximum)}"
            for new, old in self.profile.raised
        )
        return (
            f"{self.profile.citation.short} (lab profile {self.profile.path}); "
            f"{shipped} for species and routes it does not list{raised}"
        )

    def limit_source(self, limit: VolumeLimit) -> str:
        """The short name of the citation a limit comes from, e.g. "Diehl et al. 2001"."""
        return self.citation(limit.citation).short

    def citation(self, key: str) -> Citation:
        """Return a citation by key."""
        for citation in self.citations:
            if citation.key == key:
                return citation
        raise UnknownNameError(kind="citation", name=key, known=[c.key for c in self.citations])

    def provenance(self, fact: Fact[object], record_citation: str) -> str:
        """
        Return where a fact comes from, for print: "FDA 2005, Table 1" or "assumed: <reason>".
        """
        if fact.assumed:
            return f"assumed ({fact.source})"
        citation = self.citation(fact.citation or record_citation)
        return f"{citation.short}, {fact.source}"

    def find_species(self, name: str, *, where: str = "") -> Species:
        """Return a species by id, name or alias, ignoring case."""
        wanted = _key(name)
        for species in self.species:
            if wanted in {_key(species.id), _key(species.name), *map(_key, species.aliases)}:
                return species
        raise UnknownNameError(
            kind="species", name=name, known=[s.id for s in self.species], where=where
        )

    def find_compound(self, name: str, *, where: str = "") -> tuple[Compound, Form]:
        """
        Return a compound and the form a name refers to ("morphine" is the base, "morphine
        sulfate pentahydrate" the salt), ignoring case and taking aliases.
        """
        wanted = _key(name)
        for compound in self.compounds:
            for form in compound.forms:
                if wanted in {_key(form.id), _key(form.name), *map(_key, form.aliases)}:
                    return compound, form
            if wanted in {_key(compound.id), _key(compound.name), *map(_key, compound.aliases)}:
                return compound, compound.parent
        known = [form.name for c in self.compounds for form in c.forms]
        raise UnknownNameError(kind="compound", name=name, known=known, where=where)

    def syringe_for(self, volume: Quantity) -> Syringe | None:
        """Return the smallest syringe that holds ``volume`` in one draw, or None."""
        for syringe in self.syringes:
            if volume <= syringe.capacity.value:
                return syringe
        return None

    def volume_limit(self, species: Species, route: Route) -> VolumeLimit | None:
        """Return the volume limit for a species and route, or None when none is on record."""
        for limit in self.limits:
            if limit.species == species.id and limit.route is route:
                return limit
        return None

    def find_regimen(self, regimen_id: str, *, where: str = "") -> Regimen:
        """Return a documented regimen by id (exact, as protocols write it)."""
        for regimen in self.regimens:
            if regimen.id == regimen_id:
                return regimen
        raise UnknownNameError(
            kind="regimen", name=regimen_id, known=[r.id for r in self.regimens], where=where
        )

    def find_study(self, study_id: str, *, where: str = "") -> Study:
        """Return a study by id."""
        for study in self.studies:
            if study.id == study_id:
                return study
        raise UnknownNameError(
            kind="study", name=study_id, known=[s.id for s in self.studies], where=where
        )
