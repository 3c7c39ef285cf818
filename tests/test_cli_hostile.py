"""
Hostile input for ``planner dose``: whatever is typed, the CLI exits 0, 1 or 2, and a 2 comes
with exactly one line on stderr and never a traceback.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from planner import cli

NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=1e-30, max_value=1e30).map(lambda x: f"{x:e}"),
    st.sampled_from(
        [
            "",
            "0",
            "-0",
            "+25",
            ".5",
            "5.",
            "1e3",
            "1E-20",
            "1e400",
            "1e-400",
            "1e999999999",
            "2.5e",
            "NaN",
            "nan",
            "-nan",
            "sNaN",
            "inf",
            "-inf",
            "Infinity",
            "∞",
            "1,5",
            "1,000",
            "1.000,5",
            "1_000",
            "0x1A",
            "½",
            "\N{FULLWIDTH DIGIT TWO}\N{FULLWIDTH DIGIT FIVE}",
            "٢٥",
            "25.5.5",
            "--25",
            "1e+3",
        ]
    ),
)
UNITS = st.sampled_from(
    [
        "",
        "mg/kg",
        "mg/ kg",
        "mg / kg",
        "mcg/g",
        "ug/g",
        "\N{MICRO SIGN}g/g",
        "\N{GREEK SMALL LETTER MU}g/g",
        "\N{MICRO SIGN}L",
        "\N{GREEK SMALL LETTER MU}L",
        "mg/m2",
        "mg/m^2",
        "mg/m**2",
        "mg/m²",
        "mg/m**-2",
        "g",
        "kg",
        "mg",
        "umol/kg",
        "mmol",
        "mL",
        "ml",
        "uL",
        "mL/kg",
        "mg/mL",
        "mM",
        "M",
        "%",
        "cc",
        "U",
        "IU",
        "units",
        "mpk",
        "MPK",
        "qd",
        "gr",
        "degC",
        "kelvin",
        "g/g",
        "mg/kg/day",
        "mg*kg",
        "mg/(kg)",
        "mg//kg",
        "mg/",
        "/kg",
        "**",
        "mg**99",
        "mg**0",
        "meter",
        "Mg/kg",
        "g/mol",
        "h",
        "mg/kg,",
        "mg/kg extra",
        "\x00",
        "\n",
        "\t",
        "mg\u00a0/kg",
        "\uff4d\uff47/\uff4b\uff47",  # full-width "mg/kg"
        "mg/kg" * 50,
    ]
)
SEPARATORS = st.sampled_from(["", " ", "  ", "\u00a0", "\t", ",", "\n", "\u2009"])

NEAR_MISS = st.builds(lambda n, s, u: f"{n}{s}{u}", NUMBERS, SEPARATORS, UNITS)
"""Strings that look like quantities: a number (odd or not), a separator and a unit (odd or not)."""

HOSTILE = st.one_of(st.text(), NEAR_MISS, st.sampled_from(["25 mg/kg", "27 g", "2.5 mg/mL"]))
"""Any text, near-miss quantities, and valid values so that the other options get tested too."""


class TestHostileDose:
    """``planner dose`` never crashes, whatever its DOSE, --weight and --concentration are."""

    @settings(
        max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(dose=HOSTILE, weight=HOSTILE, concentration=HOSTILE, as_json=st.booleans())
    # An exponent beyond decimal's Emax (999999): Decimal() reads it exactly, arithmetic overflows.
    @example(dose="1e999999999 mg/kg", weight="27 g", concentration="2.5 mg/mL", as_json=False)
    @example(dose="25 mg/kg", weight="1e1000000 g", concentration="2.5 mg/mL", as_json=True)
    @example(dose="", weight="", concentration="", as_json=False)
    @example(dose="NaN mg/kg", weight="inf g", concentration="\N{MICRO SIGN}g/mL", as_json=False)
    def test_exit_status(
        self,
        capsys: pytest.CaptureFixture[str],
        dose: str,
        weight: str,
        concentration: str,
        as_json: bool,
    ):
        """Exit 0/1 print an answer; exit 2 prints one error line and no traceback."""
        args = ["dose", dose, "--weight", weight, "--concentration", concentration]
        if as_json:
            args.append("--json")
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            cli.main(args)
        out, err = capsys.readouterr()
        code = exit_info.value.code

        assert code in {0, 1, 2}, (code, err)
        assert "Traceback" not in out + err
        if code == 2:
            assert 1 == len(err.splitlines()), err
            assert err.startswith("planner: error: "), err
        else:
            assert out.strip()
            if as_json:
                data = json.loads(out)
                assert {"amount", "volume", "concentration", "findings"} <= set(data)
