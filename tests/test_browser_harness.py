"""
Tests for tests/browser.py, the Chromium print harness, against tests/fixtures/browser/.

The expected numbers come from the fixtures' own comments (rows per page, page counts) and from
the paper sizes: A4 is 210 x 297 mm (595 x 842 pt), US Letter 8.5 x 11 in (612 x 792 pt).
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser import (
    assert_fits_page,
    needs_chromium,
    overflowing_words,
    pdf_page_size,
    pdf_pages,
    pdf_text,
    print_to_pdf,
    render_png,
    shrink_factor,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "browser"

Printer = Callable[..., Path]


@pytest.fixture(name="printed", scope="module")
def _printed(tmp_path_factory: pytest.TempPathFactory) -> Printer:
    """``printed(name, probe=False) -> pdf``: a fixture page printed once per module."""
    out = tmp_path_factory.mktemp("browser")
    cache: dict[tuple[str, bool], Path] = {}

    def _print(name: str, *, probe: bool = False) -> Path:
        if (name, probe) not in cache:
            pdf = out / f"{name}{'.probe' if probe else ''}.pdf"
            cache[name, probe] = print_to_pdf(FIXTURES / f"{name}.html", pdf, probe=probe)
        return cache[name, probe]

    return _print


@pytest.fixture(name="a4_pages", scope="module")
def _a4_pages(printed: Printer) -> list[str]:
    """The A4 plan's text, one string per page."""
    return pdf_text(printed("a4_plan")).split("\f")[:-1]  # pdftotext ends every page with \f


@needs_chromium
@pytest.mark.slow  # about 0.8 s per Chromium run; this module makes ten
class TestPrintToPdf:
    def test_a4_page_size(self, printed: Printer) -> None:
        """@page { size: A4 } gives 595 x 842 pt pages."""
        width, height = pdf_page_size(printed("a4_plan"))

        assert 595 == pytest.approx(width, abs=1)
        assert 842 == pytest.approx(height, abs=1)

    def test_letter_page_size(self, printed: Printer) -> None:
        """@page { size: letter } gives 612 x 792 pt pages."""
        width, height = pdf_page_size(printed("letter_note"))

        assert 612 == pytest.approx(width, abs=1)
        assert 792 == pytest.approx(height, abs=1)

    def test_page_count(self, printed: Printer) -> None:
        """60 rows of 10 mm take 3 A4 pages, and two sections start new pages: 5 in all."""
        assert 5 == pdf_pages(printed("a4_plan"))

    def test_text_pages_match_page_count(self, printed: Printer, a4_pages: list[str]) -> None:
        """Splitting pdftotext's output at form feeds gives one string per page."""
        assert pdf_pages(printed("a4_plan")) == len(a4_pages)

    def test_rows_split_as_computed(self, a4_pages: list[str]) -> None:
        """Page 1 holds 21 animals (title block), page 2 25, page 3 the last 14; none is lost."""
        expected = [
            [f"M{i:03d}" for i in range(1, 22)],
            [f"M{i:03d}" for i in range(22, 47)],
            [f"M{i:03d}" for i in range(47, 61)],
            [],
            [],
        ]

        assert expected == [re.findall(r"\bM\d{3}\b", page) for page in a4_pages]

    def test_table_header_repeats(self, a4_pages: list[str]) -> None:
        """thead { display: table-header-group } prints the column headings on each table page."""
        expected = [True, True, True, False, False]

        assert expected == [
            re.search(r"Animal\s+Group\s+Body weight\s+Volume", page) is not None
            for page in a4_pages
        ]

    def test_running_header_on_every_page(self, a4_pages: list[str]) -> None:
        """The @top-right margin box prints "page N of 5" on each page."""
        expected = [f"Plan FX-A4 page {n} of 5" for n in range(1, 6)]

        assert expected == [page.splitlines()[0].strip() for page in a4_pages]

    def test_known_numbers(self, a4_pages: list[str]) -> None:
        """M027 (27 g at 10 mL/kg) gets 0.27 mL in its row, and the preparation page says so."""
        row = next(line for line in a4_pages[1].splitlines() if "M027" in line)

        assert ["M027", "vehicle", "27 g", "0.27 mL"] == re.split(r"\s{2,}", row.strip())
        assert "A 27 g mouse receives 0.27 mL." in a4_pages[3]

    def test_sections_start_new_pages(self, a4_pages: list[str]) -> None:
        """break-before: page puts each section heading on a page of its own."""
        expected = ["Preparation", "Sign-off"]

        # Line 0 is the running header; the section heading is the page's first line of content.
        assert expected == [
            [line.strip() for line in page.splitlines() if line.strip()][1] for page in a4_pages[3:]
        ]

    def test_no_browser_header_or_footer(self, a4_pages: list[str]) -> None:
        """Chromium's own date, title and file URL are not printed."""
        text = "".join(a4_pages)

        assert "file://" not in text
        assert "Fixture: A4 plan" not in text

    def test_no_pdf_is_an_error(self, tmp_path: Path) -> None:
        """A run killed before it prints raises AssertionError saying so, and leaves no PDF."""
        pdf = tmp_path / "never.pdf"

        with pytest.raises(AssertionError, match=r"printed no PDF .*\(killed after 0\.01 s\)"):
            print_to_pdf(FIXTURES / "letter_note.html", pdf, timeout=0.01)
        assert not pdf.exists()


class TestMissingTools:
    def test_no_browser_is_an_error(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a Chromium on PATH, print_to_pdf fails and names the package to install."""
        monkeypatch.setenv("PATH", str(tmp_path))

        with pytest.raises(AssertionError, match="install Debian's chromium"):
            print_to_pdf(FIXTURES / "letter_note.html", tmp_path / "x.pdf")

    @pytest.mark.parametrize(
        ("require", "expected"), [("", True), ("1", False)], ids=["skip", "required"]
    )
    def test_needs_chromium(self, require: str, expected: bool, tmp_path: Path) -> None:
        """With no tools on PATH the marker skips, unless CI_REQUIRE_BROWSER=1 asks to fail."""
        code = "from tests.browser import needs_chromium; print(needs_chromium.args[0])"
        env = {**os.environ, "PATH": str(tmp_path), "CI_REQUIRE_BROWSER": require}

        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )

        assert (0, str(expected)) == (result.returncode, result.stdout.strip()), result.stderr


@needs_chromium
@pytest.mark.slow  # about 0.8 s per Chromium run; this module makes ten
class TestShrinkFactor:
    @pytest.mark.parametrize("name", ["a4_plan", "letter_note"])
    def test_fitting_page(self, name: str, printed: Printer) -> None:
        """A page whose content fits the page area is printed at its CSS size."""
        assert 1 == pytest.approx(shrink_factor(printed(name, probe=True)), abs=0.002)

    def test_slightly_wide_page_is_shrunk_whole(self, printed: Printer) -> None:
        """A table a little too wide makes Chromium shrink the page, not clip the table."""
        factor = shrink_factor(printed("slightly_wide", probe=True))

        assert 1.05 < factor < 1.45
        assert "0.5 mL insulin syringe" in pdf_text(printed("slightly_wide"))

    def test_too_wide_page_is_shrunk_then_clipped(self, printed: Printer) -> None:
        """Chromium shrinks at most 1.5 times, then drops what does not fit."""
        factor = shrink_factor(printed("too_wide", probe=True))
        text = pdf_text(printed("too_wide"))

        assert 1.5 == pytest.approx(factor, abs=0.01)
        assert "0.27 mL" in text
        assert "FarRightMarker" not in text

    def test_wide_table_on_a_later_page(self, tmp_path: Path) -> None:
        """Chromium shrinks every page alike, so the probe on page 1 sees a wide table on page 3."""
        page = tmp_path / "late.html"
        page.write_text(
            (FIXTURES / "slightly_wide.html")
            .read_text()
            .replace(
                "<table>",
                '<p style="break-after: page">1</p><p style="break-after: page">2</p><table>',
            )
        )

        pdf = print_to_pdf(page, tmp_path / "late.pdf", probe=True)

        assert 3 == pdf_pages(pdf)
        assert 1.05 < shrink_factor(pdf) < 1.45

    def test_probe_is_not_in_plain_prints(self, printed: Printer) -> None:
        """Only probe=True prints the probe words; shrink_factor refuses a PDF without them."""
        pdf = printed("letter_note")

        assert "PrintProbe" not in pdf_text(pdf)
        with pytest.raises(AssertionError, match="probe=True"):
            shrink_factor(pdf)

    def test_probe_keeps_relative_urls(self, tmp_path: Path) -> None:
        """The probed copy is printed from elsewhere but still loads the page's own stylesheet."""
        (tmp_path / "page.css").write_text("@page { size: letter; margin: 0.5in }")
        page = tmp_path / "page.html"
        page.write_text(
            '<!doctype html><html><head><link rel="stylesheet" href="page.css"></head>'
            "<body><p>Linked stylesheet</p></body></html>"
        )

        pdf = print_to_pdf(page, tmp_path / "page.pdf", probe=True)

        assert 612 == pytest.approx(pdf_page_size(pdf)[0], abs=1)
        assert 1 == pytest.approx(shrink_factor(pdf), abs=0.002)

    def test_assert_fits_page_passes(self, printed: Printer) -> None:
        """assert_fits_page accepts the 5-page A4 plan."""
        assert_fits_page(printed("a4_plan", probe=True))

    @pytest.mark.parametrize(
        ("name", "message"),
        [
            ("slightly_wide", r"shrank every page 1\.1\d\d times to fit\. Let"),
            ("too_wide", r"shrank every page 1\.500 times to fit and clipped"),
        ],
    )
    def test_assert_fits_page_fails(self, name: str, message: str, printed: Printer) -> None:
        """assert_fits_page rejects a table wider than the page and says how much it shrank."""
        with pytest.raises(AssertionError, match=message):
            assert_fits_page(printed(name, probe=True))


@needs_chromium
@pytest.mark.slow  # about 0.8 s per Chromium run; this module makes ten
class TestOverflowingWords:
    @pytest.mark.parametrize("name", ["too_wide", "slightly_wide"])
    def test_blind_to_chromium_overflow(self, name: str, printed: Printer) -> None:
        """Chromium shrinks or clips wide tables, so no word crosses the page area's edge."""
        assert [] == overflowing_words(printed(name), margin_pt=15 / 25.4 * 72)

    def test_finds_word_in_margin(self, printed: Printer) -> None:
        """A word printed in the 36 pt right margin of a Letter page is reported."""
        ((page, word, x_max, width),) = overflowing_words(printed("letter_note"), margin_pt=36)

        assert (1, "Side", 612.0) == (page, word, width)
        assert 576 < x_max <= 612

    def test_nothing_past_the_paper(self, printed: Printer) -> None:
        """With no margin given, only words crossing the paper's edge count: none here."""
        assert [] == overflowing_words(printed("letter_note"))


@needs_chromium
@pytest.mark.slow  # about 0.8 s per Chromium run; this module makes ten
class TestRenderPng:
    def test_page_size_at_60_dpi(self, printed: Printer, tmp_path: Path) -> None:
        """An A4 page at 60 dpi is 496 x 702 pixels (595 x 842 pt x 60/72)."""
        png = render_png(printed("a4_plan"), 2, tmp_path / "page2.png")
        header = png.read_bytes()[:24]

        assert b"\x89PNG" == header[:4]
        assert (496, 702) == struct.unpack(">II", header[16:24])
