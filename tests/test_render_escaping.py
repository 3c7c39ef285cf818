"""
Markup cannot get in (issue 5, item 3): names from protocol files and weights CSVs are escaped
in the HTML plan, and headless Chromium shows them as text without running them.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from planner.documents.templates import render_html
from planner.knowledge.loading import load_protocol, load_reference
from planner.study.build import build_plan
from planner.study.cohort import parse_weights
from tests.browser import needs_chromium, pdf_text, print_to_pdf

# If the page ran either payload, the whole body would read PWNED and nothing else.
GROUP = "<script>document.body.innerHTML='PWNED'</script>"
ANIMAL = "<img src=x onerror=\"document.body.innerHTML='PWNED'\">"


def _hostile_html() -> str:
    reference = load_reference()
    protocol = load_protocol("obara2011-cci779-chronic", reference=reference)
    group = attrs.evolve(protocol.group[0], name=GROUP)
    protocol = attrs.evolve(protocol, group=(group, *protocol.group[1:]))
    rows = [f'"{ANIMAL.replace(chr(34), chr(34) * 2)}",25 g,0,1,male'] + [
        f"M{n:02d},25 g,0,1,male" for n in range(2, 41)
    ]
    cohort = parse_weights(
        ("animal,weight,day,cage,sex\n" + "\n".join(rows)).encode(), source="w.csv"
    )
    return render_html(build_plan(protocol, reference=reference, weights=cohort, seed=1))


class TestEscaping:
    def test_payloads_are_escaped(self):
        """Neither payload appears as markup in the HTML; both appear escaped."""
        html = _hostile_html()

        assert GROUP not in html
        assert ANIMAL not in html
        assert "&lt;script&gt;document.body.innerHTML=" in html
        assert "&lt;img src=x onerror=" in html

    @needs_chromium
    def test_chromium_shows_text_and_runs_nothing(self, tmp_path: Path):
        """Printed by Chromium, the payloads show literally and the plan is still there."""
        page = tmp_path / "plan.html"
        page.write_text(_hostile_html(), encoding="utf-8")
        text = pdf_text(print_to_pdf(page, tmp_path / "plan.pdf"))
        flat = " ".join(text.split())

        assert "<script>document.body.innerHTML='PWNED'</script>" in flat
        assert "onerror=" in flat
        assert "obara2011-cci779-chronic" in flat
        assert "BLINDING KEY" in flat
