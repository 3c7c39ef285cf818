"""
Tests for the limit profile (``--limits FILE``, planner.knowledge.loading.load_limit_profile) and for the
limits a plan prints: the profile in the title block, every rule applied with its source in
section 8, and on each dosing sheet the volume limits of its route.

Boundaries are worked by hand: the chronic CCI-779 protocol injects 10 mL/kg i.p., so a lab
limit of exactly 10 mL/kg passes and 9.9 mL/kg is exceeded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from planner._resources import data_dir
from planner.api import dose as api_dose
from planner.documents.templates import render_markdown
from planner.errors import DataFileError
from planner.knowledge.loading import load_limit_profile, load_protocol, load_reference
from planner.knowledge.reference import Route
from planner.study.build import build_plan
from tests.test_cli import assert_one_line_error, run

CHRONIC = "obara2011-cci779-chronic"

LAB = """\
[citation]
key = "mylab-limits-2026"
short = "Lab policy 2026"
title = "Injection volumes approved by our animal welfare body"

[[limit]]
species = "mouse"
route = "ip"
good_practice = {{ value = "{good}", status = "stated", source = "policy 4.2" }}
maximum = {{ value = "{most}", status = "stated", source = "policy 4.3" }}
"""


def lab_file(folder: Path, good: str = "10 mL/kg", most: str = "20 mL/kg", extra: str = "") -> Path:
    """Write a lab profile with mouse i.p. limits ``good`` and ``most``; return its path."""
    path = folder / "lab.toml"
    path.write_text(LAB.format(good=good, most=most) + extra, encoding="utf-8")
    return path


@pytest.fixture(name="run")
def _run(capsys: pytest.CaptureFixture[str]):
    def _call(*args: str) -> tuple[int, str, str]:
        return run(*args, capsys=capsys)

    return _call


class TestLoad:
    def test_replaces_only_its_species_and_route(self, tmp_path, reference, mouse):
        """The lab's mouse i.p. limits replace Diehl's; mouse s.c. stays Diehl's 10 / 40 mL/kg."""
        lab = load_limit_profile(lab_file(tmp_path), reference)
        ip = lab.volume_limit(mouse, Route.IP)
        sc = lab.volume_limit(mouse, Route.SC)

        assert ("10 mL/kg", "20 mL/kg") == (
            f"{ip.good_practice.value.magnitude} mL/kg",
            f"{ip.maximum.value.magnitude} mL/kg",
        )
        assert "Lab policy 2026, policy 4.3" == lab.provenance(ip.maximum, ip.citation)
        assert "Diehl et al. 2001, Table 1 (as reproduced)" == lab.provenance(
            sc.maximum, sc.citation
        )
        assert (10, 40) == (sc.good_practice.value.magnitude, sc.maximum.value.magnitude)
        assert len(reference.limits) == len(lab.limits)

    def test_summary(self, tmp_path, reference):
        """The plan's line says which profile is in use and what the rest comes from."""
        path = lab_file(tmp_path)

        assert "Diehl et al. 2001 (planner's default)" == reference.profile_summary
        assert (
            f"Lab policy 2026 (lab profile {path}); Diehl et al. 2001 for species and routes it "
            "does not list"
        ) == load_limit_profile(path, reference).profile_summary

    def test_shipped_reference_untouched(self, tmp_path, reference, mouse):
        """Applying a profile gives a new reference; the shipped one keeps Diehl's 20 mL/kg."""
        load_limit_profile(lab_file(tmp_path), reference)

        assert 20 == reference.volume_limit(mouse, Route.IP).good_practice.value.magnitude
        assert reference.profile is None

    @pytest.mark.parametrize(
        ("change", "key", "message"),
        [
            pytest.param(
                lambda t: t + '\n[[species]]\nid = "gerbil"\n',
                "species",
                "a limit profile holds only a [citation] table and [[limit]] records",
                id="other table",
            ),
            pytest.param(
                lambda t: t[: t.index("[[limit]]")],
                "limit",
                "no [[limit]] records; a profile needs one or more",
                id="no limits",
            ),
            pytest.param(
                lambda t: t.replace('species = "mouse"', 'species = "gerbil"'),
                "limit[0].species",
                "unknown species 'gerbil'; known: baboon, child, dog, ferret, guinea-pig, "
                "hamster, human, marmoset, micro-pig, mini-pig, monkey, mouse, rabbit, rat, "
                "squirrel-monkey",
                id="unknown species",
            ),
            pytest.param(
                lambda t: t + t[t.index("[[limit]]") :],
                "limit[1]",
                "a second limit for mouse i.p.; give each species and route once",
                id="species and route twice",
            ),
            pytest.param(
                lambda t: t.replace('key = "mylab-limits-2026"', 'key = "diehl2001"'),
                "citation.key",
                "'diehl2001' is already the key of shipped reference data; give the profile a "
                "key of its own, e.g. 'mylab-limits-2026'",
                id="shipped citation key",
            ),
            pytest.param(
                lambda t: t.replace('route = "ip"', 'route = "ip"\ncitation = "fda2005"'),
                "limit[0].citation",
                "a profile's limits come from its own [citation]; remove this key",
                id="limit borrowing a citation",
            ),
            pytest.param(
                lambda t: t.replace('"20 mL/kg"', '"5 mL/kg"'),
                "limit[0]",
                "maximum 5 mL/kg is below good practice 10 mL/kg",
                id="maximum below good practice",
            ),
            pytest.param(
                lambda t: t.replace('"20 mL/kg"', '"0.2 mL"'),
                "limit[0]",
                "good_practice and maximum must both be per kg (mL/kg) when per = 'kg', else "
                "both volumes",
                id="per kg and plain volume mixed",
            ),
        ],
    )
    def test_refused(self, tmp_path, reference, change, key, message):
        """Each problem is one DataFileError naming the file, the key path and what is wrong."""
        path = tmp_path / "lab.toml"
        path.write_text(change(LAB.format(good="10 mL/kg", most="20 mL/kg")), encoding="utf-8")

        with pytest.raises(DataFileError) as info:
            load_limit_profile(path, reference)

        assert (key, message) == (info.value.key, info.value.message)

    def test_missing_file(self, tmp_path, reference):
        """A missing file names the file."""
        with pytest.raises(DataFileError) as info:
            load_limit_profile(tmp_path / "nope.toml", reference)

        assert f"{tmp_path / 'nope.toml'}: no such file" == str(info.value)


def _weights(folder: Path) -> Path:
    rows = [f"M{n:02d},25 g,0,{(n - 1) // 4 + 1},male" for n in range(1, 41)]
    path = folder / "weights.csv"
    path.write_text("animal,weight,day,cage,sex\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _volume_findings(plan):
    return [f for f in plan.findings if f.code.startswith("volume-above")]


class TestBoundaryInAPlan:
    """The chronic protocol's 10 mL/kg against the lab's limits, at and just past each one."""

    def _plan(self, tmp_path, reference, good, most):
        lab = load_limit_profile(lab_file(tmp_path, good, most), reference)
        return build_plan(load_protocol(CHRONIC, reference=lab), reference=lab, seed=1)

    def test_at_good_practice_passes(self, tmp_path, reference):
        """10 mL/kg against a good practice of exactly 10 mL/kg: no volume finding."""
        assert [] == _volume_findings(self._plan(tmp_path, reference, "10 mL/kg", "20 mL/kg"))

    def test_past_good_practice_warns_with_the_lab_source(self, tmp_path, reference):
        """10 mL/kg against 9.9 mL/kg: a warning that names the lab's policy, not Diehl."""
        (finding,) = _volume_findings(self._plan(tmp_path, reference, "9.9 mL/kg", "20 mL/kg"))

        assert ("warning", "volume-above-good-practice") == (finding.level.value, finding.code)
        assert "Lab policy 2026, policy 4.2" == finding.source
        assert "9.9 mL/kg" in finding.message

    def test_at_maximum_warns_only(self, tmp_path, reference):
        """Good practice 5, maximum exactly 10 mL/kg: above good practice, not above maximum."""
        findings = _volume_findings(self._plan(tmp_path, reference, "5 mL/kg", "10 mL/kg"))

        assert ["volume-above-good-practice"] == [f.code for f in findings]

    def test_past_maximum_is_an_error(self, tmp_path, reference):
        """Maximum 9.9 mL/kg: an error (DO NOT DOSE) citing the lab's policy 4.3."""
        plan = self._plan(tmp_path, reference, "5 mL/kg", "9.9 mL/kg")
        (finding,) = _volume_findings(plan)

        assert ("error", "Lab policy 2026, policy 4.3") == (finding.level.value, finding.source)
        assert "DO NOT DOSE" in render_markdown(plan)

    def test_default_is_diehl(self, reference):
        """Without a profile the same plan passes Diehl's 20 mL/kg good practice."""
        plan = build_plan(load_protocol(CHRONIC), reference=reference, seed=1)

        assert [] == _volume_findings(plan)
        assert plan.limit_profile == "Diehl et al. 2001 (planner's default)"

    def test_profile_changes_the_input_hash(self, tmp_path, reference):
        """The limits are part of what a plan depends on: another profile, another hash."""
        lab = self._plan(tmp_path, reference, "10 mL/kg", "20 mL/kg")
        default = build_plan(load_protocol(CHRONIC), reference=reference, seed=1)

        assert lab.input_hash != default.input_hash


class TestPrinted:
    """What the printed plan says about the limits, with and without a lab profile."""

    def test_sheet_and_section_8_name_the_lab_source(self, tmp_path, reference):
        """Title block, section 8 table and every dosing sheet name the limits and their source."""
        lab = load_limit_profile(lab_file(tmp_path), reference)
        plan = build_plan(load_protocol(CHRONIC, reference=lab), reference=lab, seed=1)
        text = render_markdown(plan)

        assert (
            f"| Volume limits | Lab policy 2026 (lab profile {tmp_path / 'lab.toml'}); Diehl et "
            "al. 2001 for species and routes it does not list; every limit applied is listed in "
            "section 8 |"
        ) in text
        assert (
            "| volume per dose, good practice | mouse intraperitoneal | 10 mL/kg | Lab policy "
            "2026, policy 4.2 |"
        ) in text
        assert (
            "| volume per dose, maximum | mouse intraperitoneal | 20 mL/kg | Lab policy 2026, "
            "policy 4.3 |"
        ) in text
        # The daily total rule follows the profile's maximum, and says it is assumed.
        assert (
            "| volume by one route in one day | mouse intraperitoneal | the maximum for one dose (20 mL/kg) | **ASSUMED - verify**"
            in text
        )
        sheet_line = (
            "Checked against mouse i.p. limits: good practice 10 mL/kg (Lab policy 2026, policy "
            "4.2), maximum 20 mL/kg (Lab policy 2026, policy 4.3)."
        )
        # One line per dosing sheet: the chronic protocol doses on 4 days.
        assert 4 == text.count(sheet_line)

    def test_default_sheet_names_diehl(self, reference):
        """Without a profile each sheet cites Diehl et al. 2001 Table 1, 20 and 80 mL/kg."""
        text = render_markdown(build_plan(load_protocol(CHRONIC), reference=reference, seed=1))

        assert 4 == text.count(
            "Checked against mouse i.p. limits: good practice 20 mL/kg, maximum 80 mL/kg "
            "(Diehl et al. 2001, Table 1 (as reproduced))."
        )
        assert "| Volume limits | Diehl et al. 2001 (planner's default); every limit" in text

    def test_every_rule_has_a_source(self, reference):
        """Each rule of each shipped protocol has a limit and a source, and assumed ones say so."""
        for name in ("obara2011-cci779-chronic", "xu2014-rapamycin-it"):
            plan = build_plan(load_protocol(name), reference=reference, seed=1)
            for rule in plan.rules:
                assert rule.value, rule
                assert rule.source, rule
                if "assumed" in rule.source.lower() or "no source" in rule.source.lower():
                    assert rule.assumed, rule


def _im_reference(tmp_path: Path):
    """The shipped seeds with Xu 2014's intrathecal regimens given i.m. instead (a test seed)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(data_dir("seeds"), seeds)
    xu = seeds / "xu2014.toml"
    text = xu.read_text(encoding="utf-8")
    assert text.count('route = { value = "it"') == 3
    xu.write_text(text.replace('route = { value = "it"', 'route = { value = "im"'), "utf-8")
    return load_reference(seeds)


class TestIntramuscularPerSite:
    """An i.m. plan: 2 injections per rat per day, each checked per site (rat: 0.1 / 0.2 mL)."""

    def _plan(self, tmp_path, volume):
        reference = _im_reference(tmp_path)
        text = (data_dir("protocols") / "xu2014-rapamycin-it.toml").read_text(encoding="utf-8")
        assert text.count('dose_volume = { value = "10 uL"') == 2
        path = tmp_path / "xu-im.toml"
        path.write_text(
            text.replace('dose_volume = { value = "10 uL"', f'dose_volume = {{ value = "{volume}"'),
            encoding="utf-8",
        )
        return build_plan(load_protocol(path, reference=reference), reference=reference, seed=1)

    def test_at_good_practice_per_site(self, tmp_path):
        """100 mcL per site is exactly the rat's 0.1 mL good practice: no volume finding. The
        Xu schedule gives group B 4 injections on day 5, past Diehl's 2 i.m. sites a day: a
        warning citing the footnote, printed in section 8 with the rule it applied."""
        plan = self._plan(tmp_path, "100 uL")
        sites = [f for f in plan.findings if f.code == "sites-per-day"]
        text = render_markdown(plan)

        assert [] == _volume_findings(plan)
        assert (
            "group B gets 4 intramuscular injections on day 5; at most 2 sites a day are advised"
        ) in {f.message for f in sites}
        assert {"Diehl et al. 2001, Table 1 footnote (as reproduced)"} == {f.source for f in sites}
        assert (
            "| injection sites per day | rat intramuscular | at most 2 | Diehl et al. 2001, Table 1 "
            "footnote (as reproduced) |"
        ) in text
        assert (
            "at most 2 sites a day are advised | group B | Diehl et al. 2001, Table 1 footnote"
            in text
        )

    def test_past_good_practice_per_site(self, tmp_path):
        """110 mcL is above 0.1 mL per site: a warning per treatment, citing Diehl per site; the
        sheet names the per-site limits."""
        plan = self._plan(tmp_path, "110 uL")
        findings = _volume_findings(plan)

        assert {"volume-above-good-practice"} == {f.code for f in findings}
        assert {"Diehl et al. 2001, Table 1 (as reproduced), per site"} == {
            f.source for f in findings
        }
        assert "above good practice for rat i.m., per site, 0.1 mL" in findings[0].message
        assert (
            "Checked against rat i.m. limits: good practice 0.1 mL per site, maximum 0.2 mL per "
            "site (Diehl et al. 2001, Table 1 (as reproduced), per site)."
        ) in render_markdown(plan)

    def test_at_and_past_maximum_per_site(self, tmp_path):
        """200 mcL is the 0.2 mL maximum: warnings only; 210 mcL: errors."""
        at = {f.level.value for f in _volume_findings(self._plan(tmp_path / "a", "200 uL"))}
        past = {f.level.value for f in _volume_findings(self._plan(tmp_path / "b", "210 uL"))}

        assert ({"warning"}, {"error"}) == (at, past)


class TestCommandLine:
    def test_plan(self, run, tmp_path, monkeypatch):
        """plan --limits says which limits it used on stderr and prints them in the plan."""
        monkeypatch.chdir(tmp_path)
        lab_file(tmp_path)
        code, _, err = run("plan", CHRONIC, "--seed", "1", "--limits", "lab.toml", "--format", "md")

        assert 0 == code
        assert (
            "planner: volume limits: Lab policy 2026 (lab profile lab.toml); Diehl et al. 2001 "
            "for species and routes it does not list"
        ) in err.splitlines()
        assert "| volume per dose, good practice | mouse intraperitoneal | 10 mL/kg |" in (
            tmp_path / f"{CHRONIC}.md"
        ).read_text(encoding="utf-8")

    def test_check_json(self, run, tmp_path):
        """check --limits --json lists the profile and each rule with limit, source and status."""
        path = lab_file(tmp_path, "9.9 mL/kg", "20 mL/kg")
        code, out, _ = run("check", CHRONIC, "--limits", str(path), "--json")
        data = json.loads(out)

        assert 0 == code  # a warning only
        assert data["limits"]["profile"].startswith("Lab policy 2026 (lab profile ")
        assert {
            "rule": "volume per dose, good practice",
            "applies_to": "mouse intraperitoneal",
            "limit": "9.9 mL/kg",
            "source": "Lab policy 2026, policy 4.2",
            "status": "stated",
        } == data["limits"]["rules"][0]
        assert ["volume-above-good-practice"] == [
            f["code"] for f in data["findings"] if f["code"].startswith("volume-above")
        ]

    def test_dose(self, run, tmp_path):
        """dose: 30 g x 15 mL/kg = 0.45 mL; above the lab's 10 mL/kg good practice, under 20."""
        path = lab_file(tmp_path)
        code, out, _ = run(
            "dose", "25 mg/kg", "-w", "30 g", "-v", "15 mL/kg", "--limits", str(path)
        )

        assert 0 == code
        assert (
            "  volume limit   mouse i.p.: good practice 10 mL/kg, maximum 20 mL/kg "
            "[Lab policy 2026, policy 4.2]"
        ) in out.splitlines()
        assert (
            "WARNING: 0.45 mL (15 mL/kg) is above good practice for mouse i.p., 10 mL/kg "
            "[Lab policy 2026, policy 4.2]"
        ) in out.splitlines()

    def test_dose_api_uses_the_profile(self, tmp_path, reference):
        """The library call takes the reference with the profile applied."""
        lab = load_limit_profile(lab_file(tmp_path, "10 mL/kg", "14 mL/kg"), reference)
        result = api_dose("25 mg/kg", weight="30 g", dose_volume="15 mL/kg", reference=lab)

        assert ["volume-above-maximum"] == [f.code for f in result.findings]

    @pytest.mark.parametrize("command", ["plan", "check", "dose"])
    def test_bad_profile_exit_2(self, run, tmp_path, monkeypatch, command):
        """A broken profile: exit 2, one line naming the file and key, and no plan written."""
        monkeypatch.chdir(tmp_path)
        lab_file(tmp_path, extra='\n[[species]]\nid = "x"\n')
        args = {
            "plan": ["plan", CHRONIC, "--seed", "1", "--format", "md"],
            "check": ["check", CHRONIC],
            "dose": ["dose", "25 mg/kg", "-w", "30 g", "-v", "10 mL/kg"],
        }[command]

        code, _, err = run(*args, "--limits", "lab.toml")

        assert 2 == code
        assert (
            "planner: error: lab.toml: species: a limit profile holds only a [citation] table "
            "and [[limit]] records"
        ) == assert_one_line_error(err)
        assert ["lab.toml"] == sorted(p.name for p in tmp_path.iterdir())

    @pytest.mark.parametrize("value", ["", "nope.toml"])
    def test_missing_profile_exit_2(self, run, tmp_path, monkeypatch, value):
        """An empty --limits or a missing file: exit 2 with one line."""
        monkeypatch.chdir(tmp_path)
        code, _, err = run("check", CHRONIC, "--limits", value)

        assert 2 == code
        expected = (
            "planner: error: --limits: got ''; expected the path of a limit profile file"
            if not value
            else "planner: error: nope.toml: no such file"
        )
        assert expected == assert_one_line_error(err)


_CHRONIC_TEXT = (data_dir("protocols") / f"{CHRONIC}.toml").read_text(encoding="utf-8")
_TWEEN = '{ name = "Tween-80", percent = "5 %" }'
_DOSE = 'dose = { value = "25 mg/kg"'


class TestFindingsCiteTheirSourceOnThePlan:
    """
    Each plan-wide check, just past its boundary, prints a findings row in section 8 whose
    Source cell names the rule's origin (a citation and locator, or "assumed (why)"); exactly
    at the boundary there is no row. Sources are those of the seed files.
    """

    def _rows(self, tmp_path, reference, text, weights=()):
        path = tmp_path / "p.toml"
        path.write_text(text, encoding="utf-8")
        cohort = None
        if weights:
            from planner.study.cohort import parse_weights

            rows = [*weights, *(f"M{n:02d},25 g,0,1,male" for n in range(2, 41))]
            data = ("animal,weight,day,cage,sex\n" + "\n".join(rows)).encode()
            cohort = parse_weights(data, source="w.csv")
        plan = build_plan(
            load_protocol(path, reference=reference), reference=reference, weights=cohort, seed=1
        )
        text = render_markdown(plan)
        findings = text[text.index("### Findings") : text.index("### Deviations")]
        return [
            [cell.strip() for cell in line.strip("|").split(" | ")]
            for line in findings.splitlines()
            if line.startswith("| **")
        ]

    @pytest.mark.parametrize(
        ("at", "past", "weights_at", "weights_past", "code", "source"),
        [
            pytest.param(
                _CHRONIC_TEXT.replace(_TWEEN, _TWEEN.replace("5 %", "10 %")),
                _CHRONIC_TEXT.replace(_TWEEN, _TWEEN.replace("5 %", "10.5 %")),
                (),
                (),
                "cosolvent-above-limit",
                "assumed (a common tolerability limit for rodent injections; no source on "
                "record: verify with your veterinarian)",
                id="co-solvent 10 % / 10.5 % Tween-80",
            ),
            pytest.param(
                _CHRONIC_TEXT,
                _CHRONIC_TEXT.replace(_DOSE, 'dose = { value = "26 mg/kg"'),
                (),
                (),
                "dose-differs-from-regimen",
                "Obara et al. 2011, abstract",
                id="dose 25 / 26 mg/kg against the regimen's 25",
            ),
            pytest.param(
                _CHRONIC_TEXT,
                _CHRONIC_TEXT,
                ("M01,35 g,0,1,male",),
                ("M01,35.1 g,0,1,male",),
                "weight-outside-range",
                "assumed (adult mice of ordinary strains weigh 18-35 g; planner's warning band, not "
                "a published one)",
                id="weight 35 / 35.1 g against the typical mouse range 18-35 g",
            ),
            pytest.param(
                _CHRONIC_TEXT,
                _CHRONIC_TEXT,
                ("M01,25 g,0,1,male", "M01,27.5 g,5,1,male"),
                ("M01,25 g,0,1,male", "M01,27.6 g,5,1,male"),
                "weight-change",
                "assumed (planner's default: a change of more than 10 % between two weighings is "
                "more often a typo or a sick animal than growth; check the animal and the record)",
                id="weight change +10 % / +10.4 %",
            ),
        ],
    )
    def test_boundary(self, tmp_path, reference, at, past, weights_at, weights_past, code, source):
        """At the limit: no row. Just past it: a row for the check, naming its source."""
        (tmp_path / "at").mkdir()
        (tmp_path / "past").mkdir()
        at_rows = self._rows(tmp_path / "at", reference, at, weights_at)
        past_rows = self._rows(tmp_path / "past", reference, past, weights_past)

        assert [] == [r for r in at_rows if r[1] == code]
        found = [r for r in past_rows if r[1] == code]
        assert found
        assert {source} == {r[4] for r in found}


class TestProfileMeaning:
    """A profile's limits must be in the unit its route is checked in; raising a shipped
    maximum is the lab's right, and is said on the plan (issue 14, item 2)."""

    IT_PER_KG = """
[[limit]]
species = "rat"
route = "it"
good_practice = { value = "1 mL/kg", status = "stated", source = "policy 5" }
maximum = { value = "2 mL/kg", status = "stated", source = "policy 5" }
"""

    def test_intrathecal_per_kg_refused(self, run, tmp_path):
        """An i.t. limit per kg (never compared with a per-injection volume, so the check
        would never fire) is refused: exit 2 naming limit[1].per."""
        path = lab_file(tmp_path, extra=self.IT_PER_KG)

        code, out, err = run("check", "xu2014-rapamycin-it", "--limits", str(path))

        assert (2, "") == (code, out)
        line = assert_one_line_error(err)
        assert "limit[1].per" in line
        assert "i.t. limits are counted per injection" in line

    def test_intraperitoneal_per_injection_refused(self, tmp_path, reference):
        """An i.p. limit as a plain volume per injection is refused too (per kg expected)."""
        text = LAB.format(good="0.5 mL", most="1 mL").replace(
            'route = "ip"\n', 'route = "ip"\nper = "injection"\n'
        )
        path = tmp_path / "lab.toml"
        path.write_text(text, encoding="utf-8")

        with pytest.raises(DataFileError) as info:
            load_limit_profile(path, reference)

        assert ("limit[0].per", True) == (
            info.value.key,
            "i.p. limits are counted per kg" in info.value.message,
        )

    def test_raised_maximum_is_said(self, run, tmp_path):
        """A lab maximum of 100 mL/kg for mouse i.p. (Diehl: 80) is accepted, and both the
        summary and the rules applied say that it raises the shipped maximum."""
        path = lab_file(tmp_path, good="20 mL/kg", most="100 mL/kg")

        code, out, _ = run("check", CHRONIC, "--limits", str(path), "--json")
        data = json.loads(out)
        maximum = next(
            r
            for r in data["limits"]["rules"]
            if r["rule"] == "volume per dose, maximum"
            and r["applies_to"] == "mouse intraperitoneal"
        )

        assert 0 == code
        assert data["limits"]["profile"].endswith(
            "; it raises the maximum for mouse i.p. from 80 mL/kg (Diehl et al. 2001) to 100 mL/kg"
        )
        assert (
            "Lab policy 2026, policy 4.3; raises the shipped maximum, 80 mL/kg (Diehl et al. 2001)"
            == maximum["source"]
        )

    def test_lowered_maximum_is_not_flagged(self, run, tmp_path):
        """A stricter lab maximum (20 mL/kg against Diehl's 80) says nothing of raising."""
        code, out, _ = run("check", CHRONIC, "--limits", str(lab_file(tmp_path)), "--json")

        assert (0, False) == (code, "raises" in out)
