"""
Knowledge: what is known and where it comes from. Facts with their status and source
(``provenance``), the reference data (``reference``: species, compounds, volume limits,
syringes), documented regimens and their studies (``regimens``), replication protocols
(``protocols``), reading all of them from TOML (``loading``), looking them up by the ids people
type (``catalog``) and drafting a new protocol from a regimen (``starter``).

Imports only :mod:`planner.units` and the bottom modules (errors, findings).
"""
