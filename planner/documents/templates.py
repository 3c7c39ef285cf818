"""
Printable plans: HTML for A4 or Letter paper, Markdown, and PDF (WeasyPrint, from the HTML).

:func:`planner.documents.context.plan_context` prepares everything a document shows; the templates in
``templates/`` only lay it out. Every printed number goes through one of the filters of
:mod:`planner.documents.filters`, registered by name in :func:`make_env`.

The documents hold no timestamp: the same inputs give the same bytes.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from planner._resources import data_dir
from planner.documents.context import plan_context
from planner.documents.filters import (  # re-exported: the filters are part of this module's interface
    ASSUMED,
    FILTERS,
    css_string,
    date,
    day,
    fact,
    mass4,
    md,
    number,
    qty,
    vol,
)
from planner.study.plan import Plan

__all__ = [
    "ASSUMED",
    "PAPER_SIZES",
    "css_string",
    "date",
    "day",
    "fact",
    "make_env",
    "mass4",
    "md",
    "number",
    "plan_context",
    "qty",
    "render_html",
    "render_markdown",
    "render_pdf",
    "vol",
]

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
"""Paper names ``render_html(paper=...)`` takes, and the CSS ``@page`` size each one sets."""

# --- the environment -----------------------------------------------------------------------------


def _build_env(template_dir: Path | None) -> jinja2.Environment:
    folders = [str(template_dir)] if template_dir is not None else []
    folders.append(str(data_dir("templates")))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.jinja",), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


@functools.cache
def _default_env() -> jinja2.Environment:
    return _build_env(None)


def make_env(template_dir: Path | None = None) -> jinja2.Environment:
    """
    Return the Jinja environment: templates from ``template_dir`` first (a user's overrides),
    then the shipped ones; undefined names raise; HTML templates (``*.html.jinja``) are
    autoescaped; the number filters are registered by name.

    The environment for the shipped templates is built once and shared (templates compile once);
    treat it as read-only.
    """
    if template_dir is None:
        return _default_env()
    return _build_env(Path(template_dir))


def _paper(paper: str) -> str:
    try:
        return PAPER_SIZES[paper]
    except KeyError:
        raise ValueError(
            f"unknown paper {paper!r}; expected one of {', '.join(PAPER_SIZES)}"
        ) from None


def render_html(plan: Plan, *, paper: str = "a4", template_dir: Path | None = None) -> str:
    """
    Render the plan as one printable HTML document for ``paper`` ("a4" or "letter").

    Raises:
        ValueError: an unknown paper.
        jinja2.UndefinedError: a template names something the context does not hold.
    """
    context = plan_context(plan)
    context["paper"] = paper
    context["page_size"] = _paper(paper)
    return make_env(template_dir).get_template("plan.html.jinja").render(context)


def render_markdown(plan: Plan, *, template_dir: Path | None = None) -> str:
    """Render the plan as Markdown: the same sections, the timeline as a table."""
    return make_env(template_dir).get_template("plan.md.jinja").render(plan_context(plan))


def render_pdf(plan: Plan, *, paper: str = "a4", template_dir: Path | None = None) -> bytes:
    """Render the plan's HTML to PDF with WeasyPrint."""
    # slow to import: only when a PDF is asked for. The ignore: weasyprint ships no type hints
    # (no py.typed, no stubs package), so mypy cannot analyse it.
    import weasyprint  # type: ignore[import-untyped]

    html = render_html(plan, paper=paper, template_dir=template_dir)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
