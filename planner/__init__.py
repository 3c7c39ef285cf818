"""
planner: experiment-protocol planning for in-vivo pharmacology.

The public names are imported lazily, so that ``planner dose`` starts without loading what it
does not use.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Q_",
    "DataFileError",
    "Finding",
    "InputError",
    "Level",
    "Plan",
    "PlannerError",
    "QuantityError",
    "Route",
    "UnknownNameError",
    "build_plan",
    "calculate_dose",
    "convert",
    "dose",
    "format_quantity",
    "load_reference",
    "parse_quantity",
    "prepare_solution",
    "scale",
    "ureg",
]
__version__ = "0.1.0"

_WHERE = {
    "DataFileError": "planner.errors",
    "InputError": "planner.errors",
    "PlannerError": "planner.errors",
    "QuantityError": "planner.errors",
    "UnknownNameError": "planner.errors",
    "Finding": "planner.findings",
    "Level": "planner.findings",
    "Q_": "planner.units.registry",
    "parse_quantity": "planner.units.registry",
    "ureg": "planner.units.registry",
    "Route": "planner.knowledge.routes",
    "calculate_dose": "planner.dosing.dose",
    "Plan": "planner.study.plan",
    "build_plan": "planner.study.build",
    "convert": "planner.api",
    "dose": "planner.api",
    "scale": "planner.api",
    "format_quantity": "planner.units.format",
    "load_reference": "planner.knowledge.loading",
    "prepare_solution": "planner.dosing.preparation",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
