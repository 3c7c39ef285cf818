"""
Provenance: where each literature value comes from, and whether the source states it.

Every value planner takes from the literature is a :class:`Fact`: the value, its
:class:`Status` (the source states it, it is derived from stated values, or it is assumed), the
citation it comes from and a locator inside it ("Table 1", "abstract", "MeSH terms"). A value
the source does not state is ``assumed``, and every printed plan marks it "verify".
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import attrs

__all__ = ["Citation", "Fact", "Status", "fact_value"]

# Covariant: a Fact is frozen, so a Fact[Quantity] is also a Fact[object] (Reference.provenance).
T_co = TypeVar("T_co", covariant=True)


class Status(enum.Enum):
    """Whether the source states a value."""

    STATED = "stated"
    """The cited source states it."""
    DERIVED = "derived"
    """Computed from stated values (e.g. a molecular weight from the formula)."""
    ASSUMED = "assumed"
    """Not in the source: a default to verify before use."""


def _strip(value: str) -> str:
    return value.strip()


@attrs.frozen(kw_only=True)
class Citation:
    """
    A source: a paper, a guidance document, a reference table.
    """

    key: str = attrs.field(converter=_strip, validator=attrs.validators.min_len(1))
    """Short identifier other files use to refer to it, e.g. ``obara2011``."""
    short: str = attrs.field(converter=_strip, validator=attrs.validators.min_len(1))
    """How printed plans name it, e.g. "Obara et al. 2011"."""
    title: str = attrs.field(converter=_strip, validator=attrs.validators.min_len(1))
    """The full title."""
    authors: str = ""
    """Authors as a plain string."""
    journal: str = ""
    """Journal with volume and pages, or the publishing body for a guidance document."""
    year: int | None = None
    """Year of publication."""
    doi: str = ""
    """DOI without the resolver prefix."""
    pmid: str = ""
    """PubMed identifier."""
    url: str = ""
    """Where it can be read, when there is no DOI."""


@attrs.frozen(kw_only=True)
class Fact(Generic[T_co]):
    """
    A value with its provenance.
    """

    value: T_co
    """The value (a quantity, a number, a text)."""
    status: Status = attrs.field(validator=attrs.validators.instance_of(Status))
    """Whether the source states it."""
    source: str = attrs.field(converter=_strip, validator=attrs.validators.min_len(1))
    """Where in the citation (e.g. "Table 1", "abstract"), or for an assumption, why."""
    citation: str = ""
    """Citation key; empty means the citation of the file the fact is in."""
    note: str = ""
    """Anything a reader should know (e.g. a disagreement between sources)."""

    @property
    def assumed(self) -> bool:
        """True when the value is not stated by, nor derived from, a source."""
        return self.status is Status.ASSUMED


def fact_value(validator: Any) -> Any:
    """
    Wrap a validator of plain values so that it checks a :class:`Fact`'s value.
    """

    def _validate(instance: Any, attribute: Any, fact: Any) -> None:
        if fact is None:
            return
        if not isinstance(fact, Fact):
            raise TypeError(f"{attribute.name} must be a Fact, got {fact!r}")
        validator(instance, attribute, fact.value)

    return _validate
