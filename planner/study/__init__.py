"""
Study: a protocol made concrete for a cohort. The weights CSV (``cohort``), seeded allocation
and blinding codes (``allocation``), the calendar (``calendar``), the plan's data
(``plan``), the steps that build it (``build``, ``doses``, ``batches``) and the protocol check
that ``planner check`` runs (``checking``). Pure: no files written, nothing printed.
"""
