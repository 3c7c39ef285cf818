"""
Dosing: the arithmetic for one animal and one solution. The dose and injection volume
(``dose``), conversions between units that need a compound or a species (``conversions``:
molar, salt and free base, per body surface area, species scaling), and the preparation of a
solution or vehicle (``preparation``).

Runs the per-dose rules of :mod:`planner.checks.dose` on every dose it computes.
"""
