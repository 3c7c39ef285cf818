"""
Tests for planner.documents.templates: the printed plan in HTML, Markdown and PDF.

Expected numbers are worked by hand from the fixture weights (tests/fixtures/weights-chronic.csv)
and the protocol (25 mg/kg at 10 mL/kg, so 2.5 mg/mL and 0.01 mL per g of body weight, drawn up
in a 0.5 mL syringe graduated every 0.01 mL).

The golden files in tests/snapshots/ are compared byte for byte, with planner's version masked
as $VERSION. After an intended change, regenerate them and review the diff:

    python tests/test_render.py --update
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import attrs
import jinja2
import pytest

import planner
from planner.documents.templates import (
    css_string,
    date,
    day,
    fact,
    make_env,
    mass4,
    md,
    plan_context,
    qty,
    render_html,
    render_markdown,
    render_pdf,
    vol,
)
from planner.knowledge.loading import load_protocol, load_reference
from planner.knowledge.provenance import Fact, Status
from planner.study.build import build_plan
from planner.study.cohort import read_weights
from planner.study.plan import Plan
from planner.units.registry import Q_
from tests.browser import needs_chromium

HERE = Path(__file__).resolve().parent
SNAPSHOTS = HERE / "snapshots"
WEIGHTS = HERE / "fixtures" / "weights-chronic.csv"
UPDATE_COMMAND = "python tests/test_render.py --update"
START = datetime.date(2026, 3, 2)
CHRONIC = "obara2011-cci779-chronic"
DRUG_NAMES = ("temsirolimus", "CCI-779", "Torisel")


# --- plans and documents (also used by the --update command, so no pytest fixtures) -----------


@functools.cache
def _reference():
    return load_reference()


@functools.cache
def _plan(protocol_id: str, weights: bool = False) -> Plan:
    """The plan for a shipped protocol, seed 1; with the fixture weights and a start date."""
    reference = _reference()
    protocol = load_protocol(protocol_id, reference=reference)
    if not weights:
        return build_plan(protocol, reference=reference, seed=1)
    # The file name as a user types it, so that the documents do not hold this machine's path.
    cohort = attrs.evolve(read_weights(WEIGHTS), source="tests/fixtures/weights-chronic.csv")
    return build_plan(protocol, reference=reference, weights=cohort, seed=1, start=START)


SNAPSHOT_CASES = {
    f"{CHRONIC}.html": (CHRONIC, False, "html"),
    f"{CHRONIC}.md": (CHRONIC, False, "md"),
    f"{CHRONIC}-weights.html": (CHRONIC, True, "html"),
    f"{CHRONIC}-weights.md": (CHRONIC, True, "md"),
    "xu2014-rapamycin-it.md": ("xu2014-rapamycin-it", False, "md"),
}
"""Golden file name -> (protocol, with the fixture weights, format)."""


def _mask(text: str) -> str:
    """Replace what changes between releases (planner's version) with a placeholder."""
    return text.replace(f"planner {planner.__version__}", "planner $VERSION")


def _document(name: str) -> str:
    protocol_id, weights, fmt = SNAPSHOT_CASES[name]
    plan = _plan(protocol_id, weights)
    text = render_html(plan) if fmt == "html" else render_markdown(plan)
    return _mask(text)


def update_snapshots() -> None:
    """Write every golden file from the current templates."""
    SNAPSHOTS.mkdir(exist_ok=True)
    for name in sorted(SNAPSHOT_CASES):
        (SNAPSHOTS / name).write_text(_document(name), encoding="utf-8", newline="")
        print(f"wrote {SNAPSHOTS / name}")


# --- helpers that read the documents ------------------------------------------------------------


def _text(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities (and no-break spaces) resolved."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("\xa0", " ")


def _cells(row: str) -> list[str]:
    return [" ".join(_text(c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def _dosing_sections(document: str) -> list[str]:
    return re.findall(r'<section class="sheet dosing">(.*?)</section>', document, re.S)


def _sheet(document: str, study_day: int) -> str:
    """The dosing sheet of one study day (the chronic protocol doses once a day)."""
    sheets = [s for s in _dosing_sections(document) if f"Dosing sheet: day {study_day}," in s]
    assert 1 == len(sheets)
    return sheets[0]


def _row(sheet: str, animal: str) -> dict[str, str]:
    """One animal's row of a dosing sheet, by column name."""
    header = [
        "animal",
        "cage",
        "vial",
        "weight",
        "weighed",
        "volume",
        "syringe",
        "time",
        "initials",
    ]
    for row in re.findall(r"<tr>(.*?)</tr>", sheet, re.S):
        cells = _cells(row)
        if cells and cells[0] == animal:
            return dict(zip(header, cells, strict=True))
    raise AssertionError(f"no row for {animal}")


def _section(document: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', document, re.S)
    assert match is not None
    return match[1]


@pytest.fixture(name="chronic", scope="module")
def _chronic() -> Plan:
    return _plan(CHRONIC, True)


@pytest.fixture(name="chronic_html", scope="module")
def _chronic_html(chronic: Plan) -> str:
    return render_html(chronic)


# --- the tests -------------------------------------------------------------------------------------


class TestSnapshots:
    """Every printable document matches its golden file."""

    @pytest.mark.parametrize("name", sorted(SNAPSHOT_CASES))
    def test_snapshot(self, name: str):
        """The document is its golden file, byte for byte (planner's version masked)."""
        path = SNAPSHOTS / name
        expected = None
        if path.exists():
            with path.open(encoding="utf-8", newline="") as file:
                expected = file.read()

        assert expected == _document(name), (
            f"{name} differs from tests/snapshots/{name}. If the change is intended, run "
            f"`{UPDATE_COMMAND}` and review the diff."
        )


class TestFilters:
    """The filters decide every printed number."""

    def test_qty_three_significant_figures(self):
        """25 mg/kg / 10 mL/kg = 2.5 mg/mL, written without a trailing zero."""
        assert "2.5 mg/mL" == qty(Q_(25, "mg/kg") / Q_(10, "mL/kg"), "mg/mL")

    def test_vol_rounds_to_the_graduation(self):
        """27.1 g x 10 mL/kg = 0.271 mL: 0.27 mL on a syringe graduated every 0.01 mL."""
        assert "0.27 mL" == vol(Q_("27.1", "g") * Q_(10, "mL/kg"), Q_("0.01", "mL"))

    def test_vol_rounds_halves_up(self):
        """22.5 g x 10 mL/kg = 0.225 mL: exactly half a graduation, drawn up as 0.23 mL."""
        assert "0.23 mL" == vol(Q_("0.225", "mL"), Q_("0.01", "mL"))

    def test_vol_no_trailing_zero(self):
        """30 g x 10 mL/kg = 0.3 mL, never "0.30 mL"."""
        assert "0.3 mL" == vol(Q_("0.300", "mL"), Q_("0.01", "mL"))

    def test_vol_small_volumes_in_mcl(self):
        """A volume under 0.1 mL is written in mcL: 0.0102 mL at 0.2 mcL steps is 10.2 mcL."""
        assert "10.2 mcL" == vol(Q_("0.0102", "mL"), Q_("0.2", "uL"))

    def test_vol_unknown(self):
        """An unknown volume prints nothing (a box to fill in by hand)."""
        assert "" == vol(None, Q_("0.01", "mL"))

    def test_mass4(self):
        """7.1675 mL x 2.5 mg/mL = 17.91875 mg, weighed as 17.92 mg (4 significant figures)."""
        assert "17.92 mg" == mass4(Q_("7.1675", "mL") * Q_("2.5", "mg/mL"), "mg")

    def test_fact_marks_assumptions(self):
        """An assumed value says so; a stated one does not."""
        assumed = Fact(value=Q_(10, "mL/kg"), status=Status.ASSUMED, source="usual")
        stated = Fact(value=Q_(25, "mg/kg"), status=Status.STATED, source="abstract")

        assert ("10 mL/kg (ASSUMED - verify)", "25 mg/kg") == (fact(assumed), fact(stated))

    def test_day_and_date(self):
        """Days are "day N"; dates ISO 8601."""
        assert ("day -14", "2026-03-09", "") == (
            day(-14),
            date(datetime.date(2026, 3, 9)),
            date(None),
        )

    def test_md_escapes_pipes_and_html(self):
        """A Markdown cell cannot end early nor carry raw HTML."""
        assert "a \\| &lt;b>" == md("a | <b>")

    def test_css_string_cannot_close_the_style(self):
        """A CSS string holds no quote nor angle bracket that could end it or the <style>."""
        assert '"x \\"y\\" \\3c /style\\3e "' == str(css_string('x "y" </style>'))

    def test_html_joins_number_and_unit(self, chronic: Plan):
        """In HTML a number and its unit are joined by a no-break space; Markdown keeps a space."""
        assert (True, True) == (
            "<strong>0.27&nbsp;mL</strong>" in render_html(chronic),
            "**0.27 mL**" in render_markdown(chronic),
        )


class TestEnvironment:
    """make_env builds one strict environment."""

    def test_cached(self):
        """The environment for the shipped templates is built once."""
        assert make_env() is make_env()

    def test_strict_undefined(self, tmp_path: Path):
        """A typo in a (user) template raises instead of printing nothing."""
        (tmp_path / "plan.md.jinja").write_text("{{ protocol.titel }}\n", encoding="utf-8")

        with pytest.raises(jinja2.UndefinedError, match="titel"):
            render_markdown(_plan(CHRONIC), template_dir=tmp_path)

    def test_user_templates_first(self, tmp_path: Path):
        """A template in the user's folder replaces the shipped one of the same name."""
        (tmp_path / "plan.md.jinja").write_text("{{ protocol.id }}|{{ plan.seed }}\n", "utf-8")

        assert f"{CHRONIC}|1\n" == render_markdown(_plan(CHRONIC), template_dir=tmp_path)

    def test_autoescape_html_only(self):
        """HTML templates are autoescaped; Markdown templates are not."""
        env = make_env()

        assert (True, True, False) == (
            env.autoescape("plan.html.jinja"),
            env.autoescape("_macros.html.jinja"),
            env.autoescape("plan.md.jinja"),
        )

    def test_unknown_paper(self):
        """Only A4 and Letter are laid out."""
        with pytest.raises(ValueError, match="letter"):
            render_html(_plan(CHRONIC), paper="a3")

    def test_no_number_formatting_in_templates(self):
        """Templates format no number themselves: no format(), round or printf-style %."""
        folder = Path(planner.documents.templates.__file__).resolve().parent.parent / "templates"
        found = [
            (path.name, match)
            for path in sorted(folder.glob("*.jinja"))
            for match in re.findall(
                r"\{\{[^}]*(?:\|round|\|format|\|float|\|int|\"%|'%|\.format\()[^}]*\}\}",
                path.read_text(encoding="utf-8"),
            )
        ]

        assert [] == found


class TestDeterminism:
    """The same inputs give the same bytes."""

    def test_same_bytes(self):
        """Two plans built from the same inputs render to identical HTML and Markdown."""
        first = _plan(CHRONIC, True)
        cohort = attrs.evolve(read_weights(WEIGHTS), source="tests/fixtures/weights-chronic.csv")
        reference = _reference()
        second = build_plan(
            load_protocol(CHRONIC, reference=reference),
            reference=reference,
            weights=cohort,
            seed=1,
            start=START,
        )

        assert (render_html(first), render_markdown(first)) == (
            render_html(second),
            render_markdown(second),
        )

    def test_no_timestamp(self):
        """Without a start date the document holds no date at all: no time of rendering."""
        plan = _plan(CHRONIC)
        found = re.findall(r"\d{4}-\d\d-\d\d", render_html(plan) + render_markdown(plan))

        assert [] == found

    def test_same_plan_again(self, chronic: Plan):
        """Rendering one plan again gives the same HTML: nothing is kept from the first time
        (the time it takes: benchmarks/units.py)."""
        first = render_html(chronic)

        assert first == render_html(chronic)


class TestTitle:
    """Section 1: the title block."""

    def test_citation_and_ids(self, chronic_html: str):
        """The title block names the protocol, its version, the source, seed and input hash."""
        title = _text(
            re.search(r'<section class="first" id="title">(.*?)</section>', chronic_html, re.S)[1]
        )
        plan = _plan(CHRONIC, True)
        wanted = [
            f"{CHRONIC}, version 1",
            "Obara et al. 2011",
            "doi:10.1016/j.pain.2011.07.025",
            "PMID 21917376",
            "Seed 1",
            f"Input hash {plan.input_hash}",
            "2026-03-02: spared nerve injury",
        ]

        assert [] == [w for w in wanted if w not in " ".join(title.split())]

    def test_day_zero_without_start(self):
        """Without a start date the plan says what day 0 is."""
        text = render_markdown(_plan(CHRONIC))

        assert "day 0 = spared nerve injury or sham surgery" in text

    def test_do_not_dose_banner(self, chronic: Plan):
        """A plan with an error is headed DO NOT DOSE, and so is every dosing sheet."""
        from planner.findings import Finding, Level

        error = Finding(level=Level.ERROR, code="volume-above-maximum", message="too much")
        plan = attrs.evolve(chronic, findings=(error, *chronic.findings))
        document = render_html(plan)
        sheets = _dosing_sections(document)

        days = len(plan_context(plan)["preparation"])

        # The title block, each preparation day and each dosing sheet.
        assert (1 + days + len(sheets), True) == (
            document.count("DO NOT DOSE: 1 error(s)"),
            all("DO NOT DOSE" in s for s in sheets),
        )

    def test_no_banner_without_errors(self, chronic_html: str):
        """A plan without errors has no DO NOT DOSE banner."""
        assert "DO NOT DOSE" not in chronic_html


class TestBlinding:
    """Dosing sheets are blinded; the key is on its own page."""

    def test_sheets_name_no_group_compound_or_amount(self, chronic: Plan, chronic_html: str):
        """No group name, compound name, mg amount or "vehicle" on any dosing sheet."""
        banned = [g.name for g in chronic.groups] + list(DRUG_NAMES) + ["vehicle"]
        found = [
            (n, word)
            for n, sheet in enumerate(_dosing_sections(chronic_html))
            for word in banned
            if word.lower() in _text(sheet).lower()
        ]
        amounts = [
            m
            for sheet in _dosing_sections(chronic_html)
            for m in re.findall(r"\bmc?g\b", _text(sheet))
        ]

        assert ([], [], 4) == (found, amounts, len(_dosing_sections(chronic_html)))

    def test_markdown_sheets_blinded(self, chronic: Plan):
        """The Markdown dosing sheets name no group nor compound either; its key does."""
        text = render_markdown(chronic)
        sheets = text.split("## 6. Dosing sheets")[1].split("## 7. BLINDING KEY")[0]
        key = text.split("## 7. BLINDING KEY")[1]
        names = [g.name for g in chronic.groups] + list(DRUG_NAMES)

        assert ([], [], True) == (
            [n for n in names if n.lower() in sheets.lower()],
            re.findall(r"\bmc?g\b", sheets),
            all(g.name in key for g in chronic.groups),
        )

    def test_rows_look_alike(self, chronic_html: str):
        """Every row of a sheet has the same markup, whether its vial holds drug or vehicle."""
        sheet = _sheet(chronic_html, 7)
        rows = re.findall(r"<tr>(\s*<td class=\"entry\">.*?)</tr>", sheet, re.S)
        shapes = {re.sub(r">[^<]*<", "><", row) for row in rows}

        assert (40, 1) == (len(rows), len(shapes))

    def test_key_names_groups(self, chronic: Plan, chronic_html: str):
        """The key page names every group, its code and the compound."""
        key = _text(_section(chronic_html, "key"))
        wanted = ["BLINDING KEY - keep sealed, away from the bench", "temsirolimus 25 mg/kg i.p."]
        wanted += [g.name for g in chronic.groups]

        assert [] == [w for w in wanted if w not in key]

    def test_key_lists_every_animal(self, chronic: Plan, chronic_html: str):
        """The key lists each animal with its code: M01 is in sham + CCI-779 (code B), seed 1."""
        key = _section(chronic_html, "key")
        rows = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", key, re.S)]
        animals = [r for r in rows if len(r) == 4]

        assert (40, ["M01", "1", "B", "sham + CCI-779"]) == (len(animals), animals[0])

    def test_design_shows_no_membership(self, chronic_html: str):
        """The study design section does not say which animal is in which group."""
        design = _text(_section(chronic_html, "design"))

        assert [] == re.findall(r"\bM\d\d\b", design)


class TestDosingSheets:
    """Section 6: one blinded sheet per dosing day and time."""

    @pytest.mark.parametrize(
        ("study_day", "animal", "weight", "weighed", "volume"),
        [
            # 27.1 g (day 7) x 10 mL/kg = 0.271 mL -> 0.27 mL at 0.01 mL graduations.
            (7, "M01", "27.1 g", "", "0.27 mL"),
            # Day 8 uses the day-7 weighing: still 0.27 mL, and the sheet says when it was weighed.
            (8, "M01", "27.1 g", "day 7", "0.27 mL"),
            # Reweighed on day 9: 27.8 g x 10 mL/kg = 0.278 mL -> 0.28 mL.
            (9, "M01", "27.8 g", "", "0.28 mL"),
            (10, "M01", "27.8 g", "day 9", "0.28 mL"),
            # 22.5 g -> 0.225 mL: a half graduation rounds up, 0.23 mL.
            (7, "M02", "22.5 g", "", "0.23 mL"),
            # 30.0 g -> 0.3 mL, printed without a trailing zero; the weight too.
            (7, "M03", "30 g", "", "0.3 mL"),
            # M14 (sham + CCI-779): 23.9 g -> 0.239 mL -> 0.24 mL.
            (7, "M14", "23.9 g", "", "0.24 mL"),
            # M05 is sham + vehicle: 26.1 g -> 0.261 mL -> 0.26 mL, the same rule as for drug.
            (7, "M05", "26.1 g", "", "0.26 mL"),
        ],
    )
    def test_volumes(self, chronic_html, study_day, animal, weight, weighed, volume):
        """Each printed volume is the weight x 10 mL/kg, drawn up to 0.01 mL."""
        row = _row(_sheet(chronic_html, study_day), animal)

        assert (weight, weighed, volume, "0.5 mL insulin syringe") == (
            row["weight"],
            row["weighed"],
            row["volume"],
            row["syringe"],
        )

    def test_hand_entry_fields_blank(self, chronic_html: str):
        """Time given and initials are left blank for the technician."""
        row = _row(_sheet(chronic_html, 7), "M01")

        assert ("", "") == (row["time"], row["initials"])

    def test_volume_rule(self, chronic_html: str):
        """Each sheet states the volume rule, the same for every vial."""
        sheet = " ".join(_text(_sheet(chronic_html, 7)).split())

        assert (
            "Every vial: volume = body weight \N{MULTIPLICATION SIGN} 10 mL/kg (ASSUMED - verify), intraperitoneal (i.p.)"
            in sheet
        )

    def test_double_check_block(self, chronic_html: str):
        """Every sheet carries the independent double check and the sign-off fields."""
        wanted = (
            "Checker: recalculate every volume from the weight yourself, without looking at the "
            "preparer's figures; compare; STOP and do not dose on any discrepancy."
        )
        sheets = [" ".join(_text(s).split()) for s in _dosing_sections(chronic_html)]

        assert [True] * 4 == [
            wanted in s and all(f in s for f in ("Prepared by", "Checked by", "Date", "Time"))
            for s in sheets
        ]

    def test_weighed_sheets_have_no_lookup(self, chronic_html: str):
        """With every animal weighed, no sheet needs the hand-entry lookup table."""
        assert "Volume lookup" not in chronic_html

    def test_unweighed_rows_blank(self):
        """Without weights, the weight and volume cells are left blank."""
        row = _row(_sheet(render_html(_plan(CHRONIC)), 7), "M01")

        assert ("", "", "", "") == (row["weight"], row["weighed"], row["volume"], row["syringe"])

    def test_lookup_table(self):
        """Without weights each sheet has a lookup: 26.5 to 27.4 g -> 0.27 mL (x 0.01 mL/g)."""
        document = render_html(_plan(CHRONIC))
        lookups = re.findall(r'<div class="lookup-block">(.*?)</div>', document, re.S)
        cells = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", lookups[0], re.S)]
        pairs = {(row[i], row[i + 1]) for row in cells for i in range(0, len(row) - 1, 2) if row[i]}

        # 26.5 g -> 0.265 mL rounds up to 0.27 mL; 27.4 g -> 0.274 mL rounds down to 0.27 mL.
        # The typical mouse range (18-35 g) in 1 g bands: 18-18.4 g, then 18.5-19.4 g, ...,
        # 34.5-35 g: one band for each volume from 0.18 to 0.35 mL, 18 in all.
        assert (4, True, True, True, 18) == (
            len(lookups),
            ("26.5 g to 27.4 g", "0.27 mL") in pairs,
            ("18 g to 18.4 g", "0.18 mL") in pairs,
            ("34.5 g to 35 g", "0.35 mL") in pairs,
            len(pairs),
        )

    def test_per_animal_volume(self):
        """Intrathecal doses are a fixed 10 mcL per animal, in a 10 mcL microsyringe."""
        text = render_markdown(_plan("xu2014-rapamycin-it"))

        assert "| R01 |  | **A2** | ____ |  | **10 mcL** | 10 mcL glass microsyringe | | |" in text

    def test_one_sheet_per_time(self):
        """Two regimens twice a day for 7 days give 28 sheets (07:30, 08:00, 19:30, 20:00)."""
        context = plan_context(_plan("xu2014-rapamycin-it"))

        assert (28, ["07:30", "08:00", "19:30", "20:00"]) == (
            len(context["sheets"]),
            [s["time"] for s in context["sheets"][:4]],
        )


class TestPreparation:
    """Section 5: what the unblinded preparer makes each day."""

    # The drug animals (codes B, C and D with seed 1) and their day-7 weights in grams, from
    # tests/fixtures/weights-chronic.csv.
    DAY7_DRUG_WEIGHTS: ClassVar[dict[str, str]] = {
        "M01": "27.1", "M02": "22.5", "M03": "30.0", "M04": "23.0", "M06": "28.9",
        "M10": "28.3", "M12": "28.1", "M13": "28.0", "M14": "23.9", "M16": "22.9",
        "M18": "28.5", "M20": "23.7", "M21": "24.0", "M22": "29.8", "M23": "28.4",
        "M24": "30.0", "M27": "26.5", "M29": "29.0", "M31": "26.6", "M32": "27.7",
        "M33": "24.9", "M38": "28.0", "M39": "26.8", "M40": "25.9",
    }  # fmt: skip

    def test_drug_animals(self, chronic: Plan):
        """The hand-worked example below uses the animals the plan doses with drug on day 7."""
        drug = sorted(r.animal.id for r in chronic.dose_rows(7) if not r.vehicle)

        assert sorted(self.DAY7_DRUG_WEIGHTS) == drug

    def test_mass_to_weigh(self, chronic_html: str):
        """
        Day 7: 24 drug animals weigh 642.5 g; x 0.01 mL/g = 6.425 mL; x 1.1 + 0.1 mL = 7.1675 mL
        (printed 7.168 mL); x 2.5 mg/mL = 17.91875 mg, weighed as 17.92 mg.
        """
        grams = sum(Decimal(w) for w in self.DAY7_DRUG_WEIGHTS.values())
        day_7 = re.search(
            r'<section class="sheet preparation">\s*<h2>Preparation: day 7,(.*?)</section>',
            chronic_html,
            re.S,
        )[1]
        text = " ".join(_text(day_7).split())

        assert Decimal("642.5") == grams
        assert Decimal("17.91875") == (
            grams * Decimal("0.01") * Decimal("1.1") + Decimal("0.1")
        ) * Decimal("2.5")
        assert [] == [
            w
            for w in (
                "Weigh 17.92 mg of temsirolimus",
                "7.168 mL = 6.425 mL to inject \N{MULTIPLICATION SIGN} (1 + 10 % overage) + 0.1 mL dead volume",
                "2.5 mg/mL of temsirolimus",
                "B, C, D (24 injection(s) this day)",
                "A, E (16 injection(s) this day)",
                "Prepared by",
                "Checked by",
            )
            if w not in text
        ]

    def test_components_in_order(self, chronic_html: str):
        """7.1675 mL at 5 % is 0.358375 mL each of ethanol, Tween-80, PEG-400; saline 85 %."""
        section = re.search(r"Preparation: day 7,(.*?)</section>", chronic_html, re.S)[1]
        rows = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", section, re.S)]
        components = [r for r in rows if len(r) == 4][:4]

        # 7.1675 x 0.85 = 6.092375 mL -> 6.092 mL.
        assert [
            ["1", "ethanol (absolute)", "5 %", "0.3584 mL"],
            ["2", "Tween-80", "5 %", "0.3584 mL"],
            ["3", "PEG-400", "5 %", "0.3584 mL"],
            ["4", "0.9% saline", "85 %", "6.092 mL"],
        ] == components

    def test_total_compound(self, chronic_html: str):
        """Days 7 and 8: 17.91875 mg each; days 9 and 10 (after reweighing): 17.95175 mg each."""
        # Day 9 drug animals weigh 643.7 g: (6.437 x 1.1 + 0.1) x 2.5 = 17.95175 mg.
        total = Decimal("17.91875") * 2 + Decimal("17.95175") * 2
        overview = " ".join(_text(_section(chronic_html, "preparation")).split())

        assert (Decimal("71.741"), True) == (total, "temsirolimus 71.74 mg 4" in overview)

    def test_estimated_volumes(self):
        """Without weights, unweighed animals are counted at 35 g (the top of the typical mouse
        range): 24 x 0.35 mL = 8.4 mL; x 1.1 + 0.1 = 9.34 mL."""
        text = " ".join(_text(render_html(_plan(CHRONIC))).split())

        assert (
            "9.34 mL = 8.4 mL to inject" in text,
            "24 of 24 volumes: unweighed animals counted at 35 g (ASSUMED - verify)" in text,
        ) == (True, True)


class TestSections:
    """The other sections: ARRIVE, timeline, findings and assumptions, footers."""

    def test_order(self, chronic_html: str):
        """The sections come in the order of the brief."""
        headings = re.findall(r"<h2>(\d)\.", chronic_html)

        assert ["2", "3", "4", "5", "6", "6", "6", "6", "7", "8"] == headings

    def test_arrive_items(self, chronic: Plan):
        """All ten ARRIVE items, gaps marked; n is a placeholder."""
        items = plan_context(chronic)["arrive"]

        assert (list(range(1, 11)), ["gap", "gap"], True) == (
            [i["number"] for i in items],
            [items[2]["status"], items[6]["status"]],
            "placeholder - power calculation needed." in " ".join(items[1]["lines"]),
        )

    def test_arrive_exclusion_from_notes(self):
        """Item 3 is filled when the protocol mentions exclusion (xu2014 does)."""
        items = plan_context(_plan("xu2014-rapamycin-it"))["arrive"]

        assert ("filled", True) == (
            items[2]["status"],
            any("Exclude rats" in line for line in items[2]["lines"]),
        )

    def test_timeline_picture(self, chronic_html: str):
        """The timeline SVG scales to the page and marks 4 doses among its 26 events."""
        svg = re.search(r"<svg[^>]*>(.*?)</svg>", chronic_html, re.S)

        assert (True, 4, 26) == (
            'viewBox="0 0 720 ' in svg[0],
            svg[1].count('width="7" height="7"'),
            svg[1].count("<circle") + svg[1].count('width="7" height="7"'),
        )

    def test_timeline_table_marks_assumed(self, chronic_html: str):
        """The day table marks assumed days and times "verify"; tests timed after a dose say so."""
        text = " ".join(_text(_section(chronic_html, "timeline")).split())

        assert (
            "10 2026-03-12 10:00 test von Frey (mechanical) and acetone (cold), both hind paws, after each daily dose (1 h after dose 4) verify"
            in text
        )

    def test_assumptions_verify(self, chronic: Plan, chronic_html: str):
        """Every assumption is listed and marked ASSUMED - verify; the overage as 10 %."""
        section = _section(chronic_html, "findings")
        table = section.split("Assumptions (every one: verify)")[1]
        rows = [_cells(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)][1:]

        assert (len(chronic.assumptions), [], ["plan.overage", "10 % (ASSUMED - verify)"]) == (
            len(rows),
            [r for r in rows if "ASSUMED - verify" not in r[1]],
            next(r[:2] for r in rows if r[0] == "plan.overage"),
        )

    def test_every_section_ends_with_footer(self, chronic: Plan, chronic_html: str):
        """Each section's last paragraph is the footer line with id, version, hash and planner."""
        footer = (
            f"{CHRONIC} | version 1 | input {chronic.input_hash} | planner {planner.__version__}"
        )
        sections = re.findall(r"<section[^>]*>(.*?)</section>", chronic_html, re.S)
        last = [re.findall(r'<p class="footer-line">(.*?)</p>', s)[-1:] for s in sections]

        assert [True] * len(sections) == [
            bool(p) and html.unescape(p[0]).startswith(footer) and s.rstrip().endswith("</p>")
            for p, s in zip(last, sections, strict=True)
        ]

    def test_running_footer(self, chronic: Plan, chronic_html: str):
        """The @page rule prints the footer and "page N of M" on every page."""
        assert (True, True) == (
            f'content: "{CHRONIC} | version 1 | input {chronic.input_hash} | planner'
            in chronic_html,
            'content: "page " counter(page) " of " counter(pages);' in chronic_html,
        )

    @pytest.mark.parametrize(("paper", "size"), [("a4", "size: A4;"), ("letter", "size: letter;")])
    def test_paper(self, chronic: Plan, paper: str, size: str):
        """render_html lays the plan out for A4 (the default) or Letter."""
        document = render_html(chronic, paper=paper)

        assert (True, True) == (size in document, f'data-paper="{paper}"' in document)


class TestEscaping:
    """Text from a protocol cannot inject markup."""

    def test_group_name_escaped(self, chronic: Plan):
        """A group named <script>alert(1)</script> is printed as text in HTML and Markdown."""
        protocol = chronic.protocol
        evil = "<script>alert(1)</script>"
        groups = (attrs.evolve(protocol.group[0], name=evil), *protocol.group[1:])
        reference = _reference()
        plan = build_plan(attrs.evolve(protocol, group=groups), reference=reference, seed=1)
        document, markdown = render_html(plan), render_markdown(plan)

        assert (False, True, False, True) == (
            evil in document,
            "&lt;script&gt;alert(1)&lt;/script&gt;" in document,
            evil in markdown,
            "&lt;script>alert(1)&lt;/script>" in markdown,
        )


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(name="pdf", scope="module")
def _pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "plan.pdf"
    path.write_bytes(render_pdf(_plan(CHRONIC, True)))
    return path


@needs_chromium
class TestPdf:
    """render_pdf prints the HTML with WeasyPrint."""

    def test_is_pdf(self, pdf: Path):
        """The bytes are a PDF of more than five pages."""
        pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(pdf)))[1])

        assert (b"%PDF", True) == (pdf.read_bytes()[:4], pages > 5)

    def test_key_numbers(self, pdf: Path):
        """The PDF's text holds the protocol id, the concentration, a mass and hand-worked volumes."""
        text = " ".join(_poppler("pdftotext", str(pdf), "-").replace("\xa0", " ").split())
        wanted = [CHRONIC, "2.5 mg/mL", "17.92 mg", "0.27 mL", "0.23 mL", "0.28 mL", "page 1 of"]

        assert [] == [w for w in wanted if w not in text]

    def test_same_bytes(self, pdf: Path):
        """WeasyPrint writes no date into the PDF: the same plan gives the same bytes."""
        assert pdf.read_bytes() == render_pdf(_plan(CHRONIC, True))

    def test_nothing_in_the_side_margins(self, pdf: Path):
        """No word runs into the 15 mm side margins (42.5 pt)."""
        from tests.browser import overflowing_words

        assert [] == overflowing_words(pdf, margin_pt=42.5 - 1)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(f"usage: {UPDATE_COMMAND}")
    update_snapshots()
