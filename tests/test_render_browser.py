"""
The printed plan as a reader prints it: the HTML of the chronic protocol with the fixture weights,
printed to PDF by headless Chromium on A4 and on Letter paper, and read back with poppler.

Expected volumes are worked by hand: 27.1 g x 10 mL/kg = 0.271 mL -> 0.27 mL; 22.5 g -> 0.225 mL
-> 0.23 mL (half up); 27.8 g -> 0.278 mL -> 0.28 mL; 30.0 g -> 0.3 mL; all at the 0.01 mL
graduation of a 0.5 mL syringe. 25 mg/kg / 10 mL/kg = 2.5 mg/mL.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from planner.documents.templates import plan_context, render_html
from planner.knowledge.loading import load_protocol, load_reference
from planner.study.build import build_plan
from planner.study.cohort import read_weights
from planner.study.plan import Plan
from tests.browser import (
    assert_fits_page,
    needs_chromium,
    overflowing_words,
    pdf_page_size,
    pdf_pages,
    pdf_text,
    print_to_pdf,
)

CHRONIC = "obara2011-cci779-chronic"
WEIGHTS = Path(__file__).resolve().parent / "fixtures" / "weights-chronic.csv"
PAPER_POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
"""Paper sizes in points: A4 is 210 x 297 mm, Letter 8.5 x 11 in (72 pt to the inch)."""
DOSING_ROW = re.compile(r"^\s*M\d\d\s+\d+\s+[A-E]\s+\d+(?:\.\d)? g\s.*\bmL\b", re.MULTILINE)
"""A row of a dosing sheet in pdftotext's layout: animal, cage, vial, weight, ..., volume."""
KEY_ROW = re.compile(r"^\s*M\d\d\s+\d+\s+[A-E]\s+(?:nerve injury|sham|naive)", re.MULTILINE)
"""A row of the blinding key's animal list: animal, cage, code, group."""


@pytest.fixture(name="plan", scope="module")
def _plan() -> Plan:
    reference = load_reference()
    cohort = attrs.evolve(read_weights(WEIGHTS), source="tests/fixtures/weights-chronic.csv")
    return build_plan(
        load_protocol(CHRONIC, reference=reference),
        reference=reference,
        weights=cohort,
        seed=1,
        start=datetime.date(2026, 3, 2),
    )


@pytest.fixture(name="printed", scope="module", params=sorted(PAPER_POINTS))
def _printed(
    request: pytest.FixtureRequest, plan: Plan, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The plan printed by Chromium on one paper size: paper, html and pdf paths, pages' text."""
    paper = request.param
    folder = tmp_path_factory.mktemp(f"chromium-{paper}")
    html = folder / "plan.html"
    html.write_text(render_html(plan, paper=paper), encoding="utf-8")
    # Printed with the shrink probe (two invisible words on page 1), to check the width too.
    pdf = print_to_pdf(html, folder / "plan.pdf", probe=True)
    text = pdf_text(pdf).replace("\xa0", " ")
    return {"paper": paper, "html": html, "pdf": pdf, "pages": text.split("\f")[: pdf_pages(pdf)]}


@needs_chromium
class TestChromiumPrint:
    """The HTML plan prints cleanly from a browser."""

    def test_paper_size(self, printed: dict[str, Any]):
        """Every page is the paper asked for (within a point)."""
        width, height = PAPER_POINTS[printed["paper"]]
        pdf = printed["pdf"]
        sizes = [pdf_page_size(pdf, n) for n in (1, len(printed["pages"]))]

        assert [True, True] == [abs(w - width) < 1 and abs(h - height) < 1 for w, h in sizes]

    def test_page_count(self, plan: Plan, printed: dict[str, Any]):
        """
        At least one page for each of: title, design, ARRIVE, timeline, preparation overview,
        each preparation day (4), each dosing sheet (4), the key and the findings: 15. A
        40-animal sheet does not fit one page, so fewer than 3 pages per section in all.
        """
        context = plan_context(plan)
        minimum = 5 + len(context["preparation"]) + len(context["sheets"]) + 2

        assert (15, True) == (minimum, minimum <= len(printed["pages"]) < 3 * minimum)

    def test_key_numbers(self, printed: dict[str, Any]):
        """The hand-worked volumes, the concentration, a mass and the protocol id are printed."""
        text = " ".join(" ".join(printed["pages"]).split())
        wanted = [CHRONIC, "2.5 mg/mL", "17.92 mg", "0.27 mL", "0.23 mL", "0.28 mL", "0.3 mL"]

        assert [] == [w for w in wanted if w not in text]

    def test_row_of_an_animal(self, printed: dict[str, Any]):
        """M01 on day 7: cage 1, vial B, 27.1 g, 0.27 mL, on one line of the printed sheet."""
        day_7 = next(p for p in printed["pages"] if "Dosing sheet: day 7," in p)
        line = next(line for line in day_7.splitlines() if line.strip().startswith("M01"))

        assert ["M01", "1", "B", "27.1", "g", "0.27", "mL", "0.5", "mL", "insulin", "syringe"] == (
            line.split()
        )

    def test_dosing_header_repeats(self, plan: Plan, printed: dict[str, Any]):
        """Every page with dosing rows repeats the sheet's title and column headers."""
        pages = [p for p in printed["pages"] if DOSING_ROW.search(p)]
        sheets = len(plan_context(plan)["sheets"])
        headed = [
            bool(re.search(r"Dosing sheet, day \d+, 2026-03-\d\d, 09:00", p))
            and all(h in p for h in ("Animal", "Vial", "Weight", "Volume", "Syringe", "Initials"))
            for p in pages
        ]

        # More pages than sheets: some sheet runs onto a second page, where the header repeats.
        assert (True, [True] * len(pages)) == (len(pages) > sheets, headed)

    def test_key_header_repeats(self, printed: dict[str, Any]):
        """Every page of the key's animal list says what it is."""
        pages = [p for p in printed["pages"] if KEY_ROW.search(p)]

        assert (True, [True] * len(pages)) == (
            len(pages) >= 1,
            ["BLINDING KEY - keep sealed, away from the bench" in p for p in pages],
        )

    def test_section_footers(self, printed: dict[str, Any]):
        """The footer line with the id, version and input hash ends each of the 15 sections."""
        text = "".join(printed["pages"])

        assert 15 == len(
            re.findall(
                rf"{CHRONIC} \| version 1 \| input [0-9a-f]{{16}} \| planner \S+ \| \d", text
            )
        )

    def test_nothing_overflows(self, printed: dict[str, Any]):
        """No word crosses the page edge, and Chromium did not have to shrink the page to fit."""
        assert [] == overflowing_words(printed["pdf"])

        assert_fits_page(printed["pdf"])
