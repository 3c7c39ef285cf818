"""
One entry point for every plan document: choose the format, get the content in pieces.

>>> FORMATS
('html', 'pdf', 'md', 'csv', 'json')
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from planner.errors import InputError
from planner.study.plan import Plan

__all__ = ["FORMATS", "PAPERS", "check_format", "render"]

FORMATS = ("html", "pdf", "md", "csv", "json")
"""Formats ``planner plan --format`` writes; each is also the file extension."""
PAPERS = ("a4", "letter")
"""Paper sizes the printable formats (html, pdf) lay out for."""


MAX_PRINTED_DOSES = 5_000
"""The most doses a printable plan (html, md, pdf) lays out; the 40-mouse chronic plan has 160."""


def check_format(fmt: str, paper: str = "a4") -> None:
    """
    Refuse an unknown format or paper size, before any work is done.

    Raises:
        InputError: naming --format or --paper.
    """
    if fmt not in FORMATS:
        raise InputError(got=fmt, expected=f"one of {', '.join(FORMATS)}", where="--format")
    if paper not in PAPERS:
        raise InputError(got=paper, expected=f"one of {', '.join(PAPERS)}", where="--paper")


def render(
    plan: Plan,
    fmt: str,
    *,
    paper: str = "a4",
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[str] | Iterator[bytes]:
    """
    Return the plan as a document, in pieces: text for html, md, csv and json, bytes for pdf.

    CSV is streamed a few thousand rows at a time (a plan for 10,000 animals is never one
    string); ``progress(done, total)`` is called as rows are written.

    Raises:
        InputError: an unknown format or paper size.
    """
    check_format(fmt, paper)
    if fmt == "csv":
        from planner.documents.export import csv_chunks

        return csv_chunks(plan, progress=progress)
    if fmt == "json":
        from planner.documents.export import to_json

        return iter([to_json(plan)])
    from planner.documents.export import count_rows

    rows = count_rows(plan)
    if rows > MAX_PRINTED_DOSES:
        raise InputError(
            got=fmt,
            expected=f"csv or json for a plan of {rows:,} doses: a printable plan holds at most "
            f"{MAX_PRINTED_DOSES:,} (some 300 pages of dosing sheets); print a day's sheets from a "
            "plan with fewer animals or days",
            where="--format",
        )
    from planner.documents import templates as templates

    if fmt == "html":
        return iter([templates.render_html(plan, paper=paper)])
    if fmt == "md":
        return iter([templates.render_markdown(plan)])
    return iter([templates.render_pdf(plan, paper=paper)])
