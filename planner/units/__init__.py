"""
Units: the bottom layer. One restricted pint registry with Decimal magnitudes, the one parser
for what people type (``registry``), and the one ISMP formatter for everything printed
(``format``). Nothing here knows a compound, a species or a protocol.

A new unit spelling goes in ``units.txt`` and ``registry``; a new way of printing a number in
``format``. Conversions that need a compound's MW or a species' Km live in
:mod:`planner.dosing.conversions`.
"""
