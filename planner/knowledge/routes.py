"""
Routes of administration, as printed on sheets and as people type them.

A module of its own so that regimens and the reference data can both use it without importing
each other.
"""

from __future__ import annotations

import enum

from planner.errors import UnknownNameError

__all__ = ["Route"]


class Route(enum.Enum):
    """
    A route of administration. The value is the abbreviation printed on sheets.
    """

    IP = "i.p."
    SC = "s.c."
    IV = "i.v."
    PO = "p.o."
    IM = "i.m."
    IT = "i.t."

    @property
    def title(self) -> str:
        """The route spelled out."""
        return _ROUTE_TITLES[self]

    @property
    def limit_per(self) -> str:
        """What a volume limit for this route is counted per: body mass ("kg") for the systemic
        routes, injection site for i.m., injection for i.t. (a plain volume: the intrathecal
        space does not grow with the body)."""
        return _LIMIT_PER.get(self, "kg")

    @property
    def key(self) -> str:
        """The form used in files and JSON: "ip", "sc", "iv", "po", "im", "it"."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str, *, where: str = "") -> Route:
        """
        Read a route as people write it: "ip", "i.p.", "IP", "intraperitoneal", "oral", ...

        >>> Route.parse("i.p."), Route.parse("Intrathecal"), Route.parse("oral")
        (<Route.IP: 'i.p.'>, <Route.IT: 'i.t.'>, <Route.PO: 'p.o.'>)
        """
        key = "".join(ch for ch in str(text).lower() if ch.isalnum())
        for route, spellings in _ROUTE_SPELLINGS.items():
            if key in spellings:
                return route
        known = [r.key for r in cls] + sorted(
            {s for ss in _ROUTE_SPELLINGS.values() for s in ss if len(s) > 3}
        )
        raise UnknownNameError(kind="route", name=str(text), known=known, where=where)


_ROUTE_TITLES = {
    Route.IP: "intraperitoneal",
    Route.SC: "subcutaneous",
    Route.IV: "intravenous (bolus)",
    Route.PO: "oral (gavage)",
    Route.IM: "intramuscular",
    Route.IT: "intrathecal",
}
_ROUTE_SPELLINGS = {
    Route.IP: {"ip", "intraperitoneal", "intraperitoneally"},
    Route.SC: {"sc", "sq", "subcutaneous", "subcutaneously", "subcut"},
    Route.IV: {"iv", "intravenous", "intravenously", "ivbolus"},
    Route.PO: {"po", "oral", "orally", "peroral", "gavage", "og"},
    Route.IM: {"im", "intramuscular", "intramuscularly"},
    Route.IT: {"it", "intrathecal", "intrathecally"},
}

_LIMIT_PER = {Route.IM: "site", Route.IT: "injection"}
