"""
Helpers for tests that print HTML with headless Chromium and read the PDF back with poppler.

Use them as ``from tests.browser import needs_chromium, print_to_pdf, pdf_text`` and mark the
tests (or their class) ``@needs_chromium``. They need Debian's ``chromium`` and
``poppler-utils`` (pdftotext, pdfinfo, pdftoppm); ``.ci/run`` installs both and sets
``CI_REQUIRE_BROWSER=1``, which turns the skip into a failure so that CI cannot pass by
skipping.

What Chromium does with content wider than the page (Chromium 156, checked with the fixtures
in ``tests/fixtures/browser/`` and tables 100 to 400 mm wide on an A4 page with 15 mm margins,
whose page area is 180 mm wide):

- It never prints past the page area. If the layout is wider than the page area, it first
  shrinks the *whole document* (every page, every font) until the widest thing fits, by up to
  1.5 times; anything still wider is clipped at the edge of the page area (not the paper's
  edge: the margins stay blank).
- A shrunk table is therefore complete and inside the page, only smaller; a clipped column is
  not in the PDF's text at all, and pdftotext drops any character placed outside the page box
  anyway.

So :func:`overflowing_words` (words whose box crosses the paper's edge, or a side margin)
finds nothing in Chromium's PDFs however wide the table, and neither would a look for ink in the
margin band of a pdftoppm image. The only text Chromium puts in the margins is CSS page margin
boxes (``@page { @top-right { ... } }``), which the margin check does report. WeasyPrint 70,
tried on the same tables, neither shrinks nor clips: the table runs through the margin and off
the paper, where pdftotext drops it, so this check sees only words that happen to land in the
margin.

What does detect overflow in Chromium is the shrink itself: :func:`print_to_pdf` with
``probe=True`` prints a copy of the page with two invisible words (white, 5 pt, at the top left
of page 1) placed 200 CSS px apart, and :func:`shrink_factor` divides that distance, 150 pt, by
their distance in the PDF. 1.0 means the document fits its pages; anything more means something
is wider than the page area (1.5 means it was clipped too). :func:`assert_fits_page` turns that
into a check; it catches a wide table on any page, since Chromium shrinks every page alike.
Tested in ``tests/test_browser_harness.py``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
"""Executable names tried, in order, by :func:`chromium_path`."""

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    # Without these Chromium keeps trying to reach Google's hosts, which this network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # Small /dev/shm (containers) crashes Chromium; Debian's launcher checks for that, but its
    # check breaks when findmnt prints several lines ("[: ...: unexpected operator").
    "--disable-dev-shm-usage",
    # No date, title, URL or page number printed in the margins. Older releases spelled it
    # --print-to-pdf-no-header; Chromium ignores flags it does not know, so pass both.
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
)
"""Flags for every run; :func:`print_to_pdf` adds a fresh profile, the output and the URL."""

REQUIRE_BROWSER = os.environ.get("CI_REQUIRE_BROWSER") == "1"
"""Set by ``.ci/run``: a missing browser or poppler tool fails the tests instead of skipping."""

_POPPLER = ("pdftotext", "pdfinfo", "pdftoppm")
_PROBE_LEFT, _PROBE_RIGHT = "PrintProbeLeftMark", "PrintProbeRightMark"
_PROBE_DISTANCE_PT = 150.0
"""The probe words are 200 CSS px apart, which is 150 pt (96 px = 72 pt = 1 in)."""
_PROBE = (
    '<div aria-hidden="true" style="position: absolute; left: 0; top: 0; width: 0; height: 0;'
    " font: 5pt monospace; color: #fff; white-space: nowrap; overflow: visible;"
    f' pointer-events: none"><span style="position: absolute; left: 0">{_PROBE_LEFT}</span>'
    f'<span style="position: absolute; left: 200px">{_PROBE_RIGHT}</span></div>'
)
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">(.*?)</word>'
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)


def chromium_path() -> str | None:
    """
    Return the path of the first Chromium or Chrome executable on PATH, or None.
    """
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def _missing_tools() -> list[str]:
    missing = [] if chromium_path() is not None else ["chromium"]
    return missing + [tool for tool in _POPPLER if shutil.which(tool) is None]


needs_chromium = pytest.mark.skipif(
    not REQUIRE_BROWSER and bool(_missing_tools()),
    reason=(
        f"needs {', '.join(_missing_tools())} (Debian packages chromium and poppler-utils;"
        " .ci/run installs them)"
    ),
)
"""
Skip a test or class when Chromium or poppler-utils is missing, unless CI_REQUIRE_BROWSER=1.

With CI_REQUIRE_BROWSER=1 the test runs and fails at the first missing tool, saying which.
"""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AssertionError(
            f"{name} is not on PATH: install Debian's poppler-utils (.ci/run does)"
        )
    return path


def _run(*args: str | Path) -> str:
    """
    Run a poppler tool; return its stdout, or raise AssertionError with its stderr.
    """
    command = [_tool(str(args[0])), *map(str, args[1:])]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def _probed_copy(html_path: Path, directory: Path) -> Path:
    """
    Write a copy of ``html_path`` with the shrink probe, resolving relative URLs as before.
    """
    text = html_path.read_text(encoding="utf-8")
    base = f'<base href="{html.escape(html_path.parent.as_uri())}/">'
    head = re.search(r"<head\b[^>]*>", text, re.IGNORECASE) or re.search(
        r"<!doctype[^>]*>", text, re.IGNORECASE
    )
    at = head.end() if head else 0
    text = text[:at] + base + text[at:]
    body_end = [match.start() for match in re.finditer(r"</body\s*>", text, re.IGNORECASE)]
    at = body_end[-1] if body_end else len(text)
    copy = directory / html_path.name
    copy.write_text(text[:at] + _PROBE + text[at:], encoding="utf-8")
    return copy


def _relevant(stderr: str, lines: int = 40) -> str:
    """
    Chromium's stderr without the D-Bus complaints every headless run prints.
    """
    kept = [line for line in stderr.splitlines() if "dbus" not in line.lower()]
    return "\n".join(kept[-lines:]) or "(nothing)"


def print_to_pdf(
    html_path: Path, pdf_path: Path, *, timeout: float = 60, probe: bool = False
) -> Path:
    """
    Print an HTML file to PDF with headless Chromium, as a reader's "Save as PDF" would.

    Each run gets a new empty profile, so runs do not share state. Chromium's own header and
    footer are off; CSS ``@page`` rules (size, margins, margin boxes) apply.

    Args:
        html_path: The page to print; relative URLs in it resolve against its directory.
        pdf_path: Where to write the PDF (replaced if it exists).
        timeout: Seconds before Chromium and its child processes are killed.
        probe: Print a copy with the invisible marker words that :func:`shrink_factor` reads.

    Returns:
        ``pdf_path``.

    Raises:
        AssertionError: No browser was found, the run timed out, or no PDF appeared; the
            message quotes Chromium's output.
    """
    browser = chromium_path()
    if browser is None:
        raise AssertionError(
            f"no Chromium on PATH (tried {', '.join(BROWSER_NAMES)}): install Debian's"
            " chromium (.ci/run does)"
        )
    html_path, pdf_path = html_path.resolve(), pdf_path.resolve()
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="planner-chromium-") as tmp:
        work = Path(tmp)
        source = _probed_copy(html_path, work) if probe else html_path
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work / 'profile'}",
            f"--print-to-pdf={pdf_path}",
            source.as_uri(),
        ]
        log = work / "chromium.log"
        with log.open("wb") as output:
            # A session of its own, so that on a timeout the whole process group (renderer,
            # zygote, GPU process) can be killed, not just the launcher script.
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
            try:
                status, killed = f"exit status {process.wait(timeout=timeout)}", False
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                status, killed = f"killed after {timeout:g} s", True
        if killed:  # a PDF cut off mid-write is no PDF
            pdf_path.unlink(missing_ok=True)
        if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
            stderr = _relevant(log.read_text(encoding="utf-8", errors="replace"))
            raise AssertionError(
                f"Chromium printed no PDF for {html_path} ({status}).\n"
                f"Command: {' '.join(command)}\nChromium's output:\n{stderr}"
            )
    return pdf_path


def pdf_text(pdf: Path) -> str:
    """
    Return the PDF's text laid out as on the page; pages are separated by form feeds (``\\f``).
    """
    return _run("pdftotext", "-layout", "-enc", "UTF-8", pdf, "-")


def pdf_pages(pdf: Path) -> int:
    """
    Return the number of pages.
    """
    match = re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", pdf), re.MULTILINE)
    assert match is not None, f"pdfinfo gave no page count for {pdf}"
    return int(match[1])


def pdf_page_size(pdf: Path, page: int = 1) -> tuple[float, float]:
    """
    Return the width and height of one page in points (A4 is about 595 x 842, Letter 612 x 792).
    """
    info = _run("pdfinfo", "-f", str(page), "-l", str(page), pdf)
    match = re.search(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    assert match is not None, f"pdfinfo gave no size for page {page} of {pdf}"
    return float(match[1]), float(match[2])


def _pages(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, str]]]]:
    """
    Each page's width, height and words (xMin, xMax, text), from ``pdftotext -bbox-layout``.
    """
    xhtml = _run("pdftotext", "-bbox-layout", "-enc", "UTF-8", pdf, "-")
    return [
        (
            float(width),
            float(height),
            [(float(x0), float(x1), html.unescape(w)) for x0, x1, w in _WORD.findall(words)],
        )
        for width, height, words in _PAGE.findall(xhtml)
    ]


def overflowing_words(
    pdf: Path, *, margin_pt: float = 0.0, tolerance_pt: float = 1.0
) -> list[tuple[int, str, float, float]]:
    """
    Find words that cross the page's left or right edge, or a side margin if one is given.

    Chromium never prints such words (see the module docstring): use :func:`assert_fits_page`
    for its PDFs. This check is for renderers that let wide content run into the margins.

    Args:
        pdf: The PDF to check.
        margin_pt: Width of the side margins that words must stay out of (0: the paper's edge).
        tolerance_pt: Slack for glyph boxes that reach just past the line.

    Returns:
        ``(page, word, x_max, page_width)`` for each offending word, pages numbered from 1.
    """
    return [
        (number, word, x_max, width)
        for number, (width, _, words) in enumerate(_pages(pdf), start=1)
        for x_min, x_max, word in words
        if x_max > width - margin_pt + tolerance_pt or x_min < margin_pt - tolerance_pt
    ]


def shrink_factor(pdf: Path) -> float:
    """
    Return how many times Chromium shrank the document to fit the page (1.0: not at all).

    Args:
        pdf: A PDF printed by :func:`print_to_pdf` with ``probe=True``.

    Raises:
        AssertionError: The probe words are not on the first page.
    """
    _, _, words = _pages(pdf)[0]
    found = {word: x_min for x_min, _, word in words if word in (_PROBE_LEFT, _PROBE_RIGHT)}
    assert len(found) == 2, f"no shrink probe on page 1 of {pdf}: print it with probe=True"
    return _PROBE_DISTANCE_PT / (found[_PROBE_RIGHT] - found[_PROBE_LEFT])


def assert_fits_page(pdf: Path, *, tolerance: float = 0.002) -> None:
    """
    Check that nothing in a page printed by Chromium was wider than the page area.

    Args:
        pdf: A PDF printed by :func:`print_to_pdf` with ``probe=True``.
        tolerance: Shrink accepted as rounding (0.002: 0.36 mm on an A4 page area).

    Raises:
        AssertionError: Chromium had to shrink the document (and perhaps clip it) to fit.
    """
    factor = shrink_factor(pdf)
    assert factor <= 1 + tolerance, (
        f"{pdf.name}: something is wider than the page area; Chromium shrank every page"
        f" {factor:.3f} times to fit"
        + (" and clipped what still did not fit" if factor >= 1.49 else "")
        + ". Let table cells wrap, or narrow the widest table."
    )


def render_png(pdf: Path, page: int, out: Path) -> Path:
    """
    Render one page (numbered from 1) at 60 dpi to ``out`` (a ``.png`` path), to look at.
    """
    _run(
        "pdftoppm",
        "-png",
        "-r",
        "60",
        "-f",
        str(page),
        "-l",
        str(page),
        "-singlefile",
        pdf,
        out.with_suffix(""),
    )
    return out.with_suffix(".png")
