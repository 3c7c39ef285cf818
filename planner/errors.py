"""
planner's exceptions: one base class, a few subclasses that are also the right builtin.

Exceptions are for *bad input* only. A computed plan or dose that is unsafe is not an error
but a result that carries :class:`planner.findings.Finding` objects.

Every message says where the problem is (a CLI option, a file and key path, a CSV row), what was
found and what was expected, so that the CLI can print it as one line.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "MAX_SHOWN",
    "DataFileError",
    "InputError",
    "OutputError",
    "PlannerError",
    "QuantityError",
    "UnknownNameError",
    "cut",
]


MAX_SHOWN = 80
"""The most characters of a value an error message repeats."""


def cut(text: str, limit: int = MAX_SHOWN) -> str:
    """
    ``text`` as an error message repeats it: whole when short, else its start and its length,
    so that a 10,000-character value does not bury the message.

    >>> cut("x" * 100)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (100 characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[: limit - 18]}... ({len(text):,} characters)"


class PlannerError(Exception):
    """
    Base class of every error planner raises on purpose.
    """

    where: str = ""

    @property
    def detail(self) -> str:
        """The message without its location."""
        return super().__str__()

    def located(self, where: str) -> PlannerError:
        """
        Return this error with its location set, if it had none yet.

        Library functions do not know which CLI option or file key a value came from; their
        callers fill it in on the way out.
        """
        if not self.where:
            self.where = where
        return self


class InputError(PlannerError, ValueError):
    """
    A value was given that planner cannot use.

    Args:
        where: where the value came from: "--weight", "dose", "protocols/x.toml: groups[0].n".
        got: the value as given.
        expected: what would have been accepted.
        hint: an optional remedy.
    """

    def __init__(self, *, got: object, expected: str, where: str = "", hint: str = "") -> None:
        super().__init__(got, expected)
        self.got = got
        self.expected = expected
        self.where = where
        self.hint = hint

    @property
    def detail(self) -> str:
        """The message without its location."""
        if self.got is None:
            text = f"not given; expected {self.expected}"
        else:
            got = self.got if isinstance(self.got, str) else repr(self.got)
            text = f"got {cut(got)!r}; expected {self.expected}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}" if self.where else self.detail


class QuantityError(InputError):
    """
    A quantity could not be read, or is of the wrong kind (a volume where a mass was expected).
    """


class UnknownNameError(PlannerError, LookupError):
    """
    A compound, species, route or other name is not in planner's reference data.

    Args:
        kind: what was looked up ("compound", "species", "route").
        name: the name as given.
        known: the names that would have been accepted.
        where: where the name came from.
    """

    def __init__(self, *, kind: str, name: str, known: Sequence[str], where: str = "") -> None:
        super().__init__(kind, name)
        self.kind = kind
        self.name = name
        self.known = tuple(known)
        self.where = where

    @property
    def detail(self) -> str:
        """The message without its location."""
        import difflib  # only needed on this error path

        close = difflib.get_close_matches(self.name.lower(), [k.lower() for k in self.known], n=3)
        text = f"unknown {self.kind} {cut(self.name)!r}"
        if close:
            text += f"; did you mean {', '.join(repr(c) for c in close)}?"
        return text + ("" if close else ".") + f" Known: {', '.join(self.known)}"

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}" if self.where else self.detail


class DataFileError(PlannerError, ValueError):
    """
    A data file (seed, protocol, weights CSV, limit profile) is malformed.

    Args:
        path: the file.
        key: the key path inside it ("species[2].km.value") or "row 4, column weight".
        message: what was wrong and what was expected.
    """

    def __init__(self, *, path: str, key: str, message: str) -> None:
        super().__init__(path, key, message)
        self.path = path
        self.key = key
        self.message = message
        self.where = f"{path}: {key}" if key else path

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class OutputError(PlannerError, OSError):
    """
    An output file cannot be written (exists without --force, folder missing, not writable).
    """

    def __init__(self, *, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message
        self.where = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
