"""
Checks: every safety rule, each a small pure function that takes plain data and returns
findings, each finding naming its source (a citation, or "assumed" with the reason).

- ``dose``: one administration (weight range, volume limits, syringe graduation);
  :data:`planner.checks.dose.DOSE_RULES`.
- ``protocol``: a protocol against its documented regimens (dose, schedule, solubility,
  timeline, groups, assumed values); ``TREATMENT_RULES`` and ``PROTOCOL_RULES``.
- ``plan``: across doses, days and groups of a plan (co-solvents, dose basis, sites and
  volume per day, blinding, weight change); ``TREATMENT_RULES`` and ``PLAN_RULES``.
- ``rules``: the table of every limit a plan applies, with its source.

A new rule is one function in the module of what it looks at, and one line in that module's
list. Checks sit below dosing so that a computed dose can be checked where it is computed; they
import only :mod:`planner.knowledge`, :mod:`planner.units` and the bottom modules.
"""
