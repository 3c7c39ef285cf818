"""
Shared fixtures: the shipped reference data and the species and compounds the tests use.

The fixtures are session-scoped: the reference data are immutable (frozen attrs objects), and
Hypothesis refuses function-scoped fixtures in ``@given`` tests.
"""

from __future__ import annotations

import pytest

from planner.knowledge.loading import load_reference
from planner.knowledge.reference import Compound, Form, Reference, Species

pytest_plugins = ["tests.hostile"]  # the hostile-input suite's case count


@pytest.fixture(name="reference", scope="session")
def _reference() -> Reference:
    return load_reference()


@pytest.fixture(name="mouse", scope="session")
def _mouse(reference: Reference) -> Species:
    return reference.find_species("mouse")


@pytest.fixture(name="rat", scope="session")
def _rat(reference: Reference) -> Species:
    return reference.find_species("rat")


@pytest.fixture(name="human", scope="session")
def _human(reference: Reference) -> Species:
    return reference.find_species("human")


@pytest.fixture(name="temsirolimus", scope="session")
def _temsirolimus(reference: Reference) -> Compound:
    compound, _ = reference.find_compound("temsirolimus")
    return compound


@pytest.fixture(name="torin1", scope="session")
def _torin1(reference: Reference) -> Compound:
    compound, _ = reference.find_compound("Torin1")
    return compound


@pytest.fixture(name="morphine", scope="session")
def _morphine(reference: Reference) -> Compound:
    compound, _ = reference.find_compound("morphine")
    return compound


@pytest.fixture(name="morphine_base", scope="session")
def _morphine_base(reference: Reference) -> Form:
    _, form = reference.find_compound("morphine")
    return form


@pytest.fixture(name="morphine_sulfate", scope="session")
def _morphine_sulfate(reference: Reference) -> Form:
    _, form = reference.find_compound("morphine sulfate pentahydrate")
    return form


@pytest.fixture(name="morphine_hcl", scope="session")
def _morphine_hcl(reference: Reference) -> Form:
    _, form = reference.find_compound("morphine hydrochloride trihydrate")
    return form
