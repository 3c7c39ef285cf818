"""
Safety results as data: a computed dose or plan carries its findings instead of raising.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["Finding", "Level", "worst"]


class Level(enum.Enum):
    """How serious a finding is; the CLI exits 1 when any finding is an error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.ERROR: 2}


@attrs.frozen(kw_only=True)
class Finding:
    """
    One result of a safety check.

    >>> Finding(level=Level.WARNING, code="volume-above-good-practice", message="...").level.value
    'warning'
    """

    level: Level = attrs.field(validator=attrs.validators.instance_of(Level))
    """How serious it is."""
    code: str = attrs.field(validator=attrs.validators.min_len(1))
    """A stable identifier that scripts can match, e.g. ``volume-above-maximum``."""
    message: str = attrs.field(validator=attrs.validators.min_len(1))
    """One sentence a person reads: what was found, against which limit."""
    subject: str = ""
    """What the finding is about: an animal id, a day, a quantity name."""
    source: str = ""
    """Where the rule or limit comes from (citation and locator), or why it is assumed."""

    def to_json(self) -> dict[str, str]:
        """Return the JSON form: level, code, message, and subject and source when set."""
        data = {"level": self.level.value, "code": self.code, "message": self.message}
        if self.subject:
            data["subject"] = self.subject
        if self.source:
            data["source"] = self.source
        return data


def worst(findings: tuple[Finding, ...] | list[Finding]) -> Level | None:
    """Return the most serious level among ``findings``, or None when there are none."""
    if not findings:
        return None
    return max((f.level for f in findings), key=_RANK.__getitem__)
