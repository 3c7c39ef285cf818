"""
Hostile command lines for every command: random and near-miss values for every argument and
option (quantities, units, numbers with exponents, NaN, infinity, empty strings, micro sign and
Greek mu, full-width digits, NUL, very long values), options repeated, unknown, or missing their
value, values that look like options, and paths that do not exist, are folders, or are files
that must not be overwritten.

Every case runs through the oracle in tests/hostile.py, in a fresh folder that holds the files
named below (FILES), with a verdict (ok, refuse or either). A successful ``dose --json`` is
checked against the hand formulas of tests/expected.py, and so is a successful ``plan`` of a
shipped protocol written as CSV or JSON.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests import expected, hostile
from tests.strategies import (
    SPECIES_WITH_KM,
    exponent_quantity_texts,
    near_miss_quantity_texts,
    quantity_texts,
    unit_texts,
)

pytestmark = pytest.mark.hostile

ROOT = Path(__file__).resolve().parent.parent
ACUTE = "obara2011-cci779-acute"
CHRONIC = "obara2011-cci779-chronic"
PROTOCOLS = sorted(p.stem for p in (ROOT / "protocols").glob("*.toml"))
REGIMENS = [
    "obara2011-cci779-single",
    "obara2011-cci779-4daily",
    "obara2011-torin1-single",
    "obara2011-torin1-4daily",
    "xu2014-rapamycin-it-prevention",
]
KEEP = b"a file that must not change\n"
"""The bytes of every existing file the case folder holds."""


def _weights() -> bytes:
    rows = "".join(f"M{n:02d},{20 + n % 9} g,7,{(n - 1) // 4 + 1},male\n" for n in range(1, 41))
    return ("animal,weight,day,cage,sex\n" + rows).encode()


FILES = {
    "p.toml": (ROOT / "protocols" / f"{ACUTE}.toml").read_bytes(),
    "bad.toml": b"title = \n",
    "w.csv": _weights(),
    "bad.csv": b"animal;weight\nM01;27 g\n",
    "lab.toml": (
        b'[citation]\nkey = "lab"\nshort = "Lab 2026"\ntitle = "Lab limits"\n\n[[limit]]\n'
        b'species = "mouse"\nroute = "ip"\n'
        b'good_practice = { value = "10 mL/kg", status = "stated", source = "4.2" }\n'
        b'maximum = { value = "20 mL/kg", status = "stated", source = "4.2" }\n'
    ),
    "badlab.toml": b'[citation]\nkey = "diehl2001"\nshort = "x"\ntitle = "x"\n\n[[limit]]\n',
    "exists.html": KEEP,
    "exists.csv": KEEP,
    "exists.toml": KEEP,
}
"""Files in each case folder (and an empty folder, "folder")."""


def prepare(folder: Path) -> None:
    """Put FILES and an empty folder named "folder" into the case folder."""
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    (folder / "folder").mkdir()


def planner(
    argv: Sequence[str],
    *,
    expect: str,
    names: Sequence[str] = (),
    outputs: Sequence[str] | None = (),
) -> hostile.Outcome:
    """
    Run ``planner ARGV`` in a prepared case folder through the oracle (family "cli"), with the
    verdict ``expect``; check the numbers of a successful dose or plan run.
    """
    with hostile.workdir() as folder:
        prepare(folder)
        outcome = hostile.run(
            "cli",
            argv,
            folder,
            expect=expect,
            names=names,
            outputs=outputs,
            force="--force" in argv,
        )
        if outcome.code != 2:
            check_numbers(argv, outcome, folder)
        return outcome


# --- the numbers of a successful run ----------------------------------------------------------

_VALUED = {
    "dose": {
        "--weight": "weight",
        "-w": "weight",
        "--concentration": "concentration",
        "-c": "concentration",
        "--dose-volume": "dose_volume",
        "-v": "dose_volume",
        "--compound": "compound",
        "--species": "species",
        "--route": "route",
        "--limits": "limits",
    },
    "plan": {
        "--weights": "weights",
        "--limits": "limits",
        "--format": "format",
        "--out": "out",
        "--seed": "seed",
        "--start": "start",
        "--stratify": "stratify",
        "--block-size": "block_size",
        "--paper": "paper",
    },
}
_FLAGS = {"dose": {"--json": "json"}, "plan": {"--force": "force"}}


def parse_line(argv: Sequence[str]) -> tuple[list[str], dict[str, str]] | None:
    """
    Read a dose or plan command line as click does (an option's value is the next word, the
    last of a repeated option wins, ``--`` ends the options): the positional arguments and the
    options by name. None for a line this reader does not follow (an unknown option, a missing
    value, --help): its numbers are then not checked.
    """
    command = argv[0] if argv else ""
    valued, flags = _VALUED.get(command), _FLAGS.get(command, {})
    if valued is None:
        return None
    positional: list[str] = []
    options: dict[str, str] = {}
    words = list(argv[1:])
    while words:
        word = words.pop(0)
        if word == "--":
            positional += words
            break
        name, eq, value = word.partition("=")
        if word.startswith("--") and eq and name in valued:
            options[valued[name]] = value
        elif word in valued:
            if not words:
                return None
            options[valued[word]] = words.pop(0)
        elif word in flags:
            options[flags[word]] = "yes"
        elif word.startswith("-") and word != "-":
            return None  # unknown, --help, or a flag given a value
        else:
            positional.append(word)
    return positional, options


def check_numbers(argv: Sequence[str], outcome: hostile.Outcome, folder: Path) -> None:
    """A successful ``dose --json`` or CSV/JSON ``plan`` gives the hand-worked numbers."""
    line = parse_line(argv)
    if line is None:
        return
    positional, options = line
    if argv[0] == "dose" and options.get("json") and len(positional) == 1:
        if options.get("limits") not in {None, "lab.toml"}:
            return
        expected.check_dose_json(
            json.loads(outcome.out),
            dose=positional[0],
            weight=options["weight"],
            concentration=options.get("concentration"),
            dose_volume=options.get("dose_volume"),
            species=options.get("species", "mouse"),
            compound=options.get("compound"),
        )
    elif argv[0] == "plan" and len(positional) == 1:
        check_plan_output(positional[0], options, outcome, folder)


PLANNED = {
    # protocol -> {regimen: (dose, dose volume)}, copied by hand from protocols/*.toml
    ACUTE: {"obara2011-cci779-single": ("25 mg/kg", "10 mL/kg")},
    CHRONIC: {"obara2011-cci779-4daily": ("25 mg/kg", "10 mL/kg")},
    "p.toml": {"obara2011-cci779-single": ("25 mg/kg", "10 mL/kg")},  # a copy of ACUTE
}
W_CSV = {f"M{n:02d}": [(7, Decimal(20 + n % 9))] for n in range(1, 41)}
"""The weighings of w.csv (see _weights): animal -> [(day, grams)]."""


def check_plan_output(
    protocol: str, options: dict[str, str], outcome: hostile.Outcome, folder: Path
) -> None:
    """The dose rows of a CSV or JSON plan of a shipped protocol hold the hand-worked numbers."""
    fmt = options.get("format", "html")
    if protocol not in PLANNED or fmt not in {"csv", "json"}:
        return
    if options.get("weights") not in {None, "w.csv"} or options.get("limits") == "lab.toml":
        return
    out = options.get("out", f"{protocol}.{fmt}")
    text = outcome.out if out == "-" else (folder / out).read_text("utf-8")
    if fmt == "csv":
        rows = expected.csv_rows(text)
    else:
        rows = [_flat(dose) for dose in json.loads(text)["doses"]]
    weighings = W_CSV if options.get("weights") == "w.csv" else None
    expected.check_plan_rows(rows, treatments=PLANNED[protocol], weighings=weighings)


def _flat(dose: dict) -> dict[str, object]:
    """A dose of the JSON plan as a CSV row (numbers as text, empty for null)."""

    def value(q: dict | None) -> str:
        return "" if q is None else repr(q["value"])

    return {
        "animal": dose["animal"],
        "regimen": dose["regimen"],
        "vehicle": dose["vehicle"],
        "day": dose["day"],
        "weight_g": value(dose["weight"]),
        "weighing_day": "" if dose["weighing_day"] is None else dose["weighing_day"],
        "amount": value(dose["amount"]),
        "volume_mL": value(dose["volume"]),
        "measured_volume_mL": value(dose["measured_volume"]),
        "syringe": dose["syringe"] or "",
    }


# --- values -----------------------------------------------------------------------------------


def _safe(text: str) -> str:
    # Random text used as a path stays inside the case folder: no folder separators (the suite
    # runs as whatever user runs the tests, perhaps root).
    return text.replace("/", "_").replace("\\", "_")


SPECIAL = [
    "nan",
    "NaN mg/kg",
    "inf",
    "-inf",
    "inf g",
    "1e999999",
    "1e999999 mg/kg",
    "",
    " ",
    "\N{MICRO SIGN}g",
    "\N{GREEK SMALL LETTER MU}g",
    "25 \N{MICRO SIGN}g/g",
    "25 \N{GREEK SMALL LETTER MU}g/g",
    "25 mg/kg",
    "\uff12\uff15 mg/kg",  # full-width digits
    "25 mg/kg\x00",
    "25 mg/kg\udcff",  # a byte that is not UTF-8, as Python decodes it from argv
    "x" * 10_000,
    "25 " + "mg/" * 2000 + "kg",
    "--weight",
    "--",
    "-",
    "--json",
    "-w",
    "--help",
    "-25 mg/kg",
    "1,5 mg/kg",
    "25 %",
    "25 cc",
    "25 IU",
    "25",
]
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    quantity_texts(),
    near_miss_quantity_texts(),
    exponent_quantity_texts(),
)
"""Hostile values for any argument."""


def values(good: Sequence[str], *extra: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Good values about half the time (so that the other arguments get tested), else hostile."""
    return st.one_of(st.sampled_from(list(good)), HOSTILE, *extra)


ODD_PATHS = ["x" * 300, "x" * 300 + ".toml", "x\x00", "x\x00.toml", "", " ", ".", "..", "~", "-"]
"""Names no file can have (too long, NUL), blank names, and names of folders."""


def paths(names: Sequence[str]) -> st.SearchStrategy[str]:
    """Paths: the given names (files of the case folder, missing ones), odd ones, or random."""
    return st.one_of(st.sampled_from(list(names)), st.sampled_from(ODD_PATHS), HOSTILE.map(_safe))


DOSES = ["25 mg/kg", "25 mcg/g", "40 umol/kg", "75 mg/m2", "10 mcg", "25mg/kg", "25 mpk"]
WEIGHTS = ["27 g", "0.027 kg", "27000 mg", "27g", "250 g", "3 kg"]
CONCENTRATIONS = ["2.5 mg/mL", "5 mM", "1 mg/mL", "0.01 mg/mL", "2.5 mcg/uL"]
VOLUMES = ["10 mL/kg", "10 uL/g", "10 uL", "0.2 mL", "100 mL/kg"]
COMPOUNDS = [
    "temsirolimus",
    "CCI-779",
    "Torin1",
    "morphine",
    "morphine sulfate pentahydrate",
    "rapamycin",
    "Temsirolimus",
    "temsirolimu",
    "cci779",
    "temsirolimus ",
]
SPECIES = [*SPECIES_WITH_KM, "Mouse", "mice", "MOUSE", "m\N{LATIN SMALL LETTER O WITH ACUTE}use"]
ROUTES = ["ip", "i.p.", "intraperitoneal", "sc", "iv", "po", "oral", "im", "it", "intrathecal"]
ROUTES += ["IP", "i.p", "i..p.", "ip.", "intra-peritoneal", "topical", "s.c."]
UNITS = ["umol/kg", "mg/m2", "mM", "mcg/g", "mg/kg", "g", "mL", "mg/mL", "uL/g", "h"]
FORMS = ["morphine sulfate pentahydrate", "morphine hydrochloride trihydrate", "morphine"]
FORMS += ["temsirolimus", "morphine sulphate", "free base"]
IDS = [*PROTOCOLS, *REGIMENS, "p.toml", "bad.toml", "missing.toml", "folder", "w.csv"]
IDS += [f"{ACUTE}.toml", f"./{ACUTE}", ACUTE.upper(), ACUTE[:-1], f" {ACUTE}", "exists.toml"]

STARTS = ["2026-03-02", "2026-02-30", "tomorrow", "2026-3-2", "20260302", "9999-12-25"]
STARTS += ["0001-01-02", "2026-W10-1", " 2026-03-02 ", "2026-03-02T09:00"]
QUANTITY = values(DOSES + WEIGHTS + CONCENTRATIONS)
IDENTIFIERS = paths(IDS)
OPTION_LIKE = ["--json", "--", "-", "--weight", "--out", "--force", "-x", "--bogus"]


@attrs.frozen
class Option:
    """An option of a command: its spellings, and the strategy of its values (None: a flag)."""

    names: tuple[str, ...]
    values: st.SearchStrategy[str] | None = None


@attrs.frozen
class Command:
    """A command, the strategy of its positional argument, and its options."""

    name: str
    positional: st.SearchStrategy[str] | None
    options: tuple[Option, ...]


JSON = Option(("--json",))
LIMITS = Option(
    ("--limits",),
    paths(["lab.toml", "badlab.toml", "bad.toml", "p.toml", "missing.toml", "folder", "w.csv"]),
)
COMMANDS = {
    "dose": Command(
        "dose",
        values(DOSES),
        (
            Option(("--weight", "-w"), values(WEIGHTS)),
            Option(("--concentration", "-c"), values(CONCENTRATIONS)),
            Option(("--dose-volume", "-v"), values(VOLUMES)),
            Option(("--compound",), values(COMPOUNDS)),
            Option(("--species",), values(SPECIES)),
            Option(("--route",), values(ROUTES)),
            LIMITS,
            JSON,
        ),
    ),
    "convert": Command(
        "convert",
        QUANTITY,
        (
            Option(("--to",), values(UNITS, unit_texts())),
            Option(("--compound",), values(COMPOUNDS)),
            Option(("--species",), values(SPECIES)),
            Option(("--to-form",), values(FORMS)),
            JSON,
        ),
    ),
    "scale": Command(
        "scale",
        values(DOSES),
        (Option(("--from",), values(SPECIES)), Option(("--to",), values(SPECIES)), JSON),
    ),
    "regimens": Command("regimens", None, (JSON,)),
    "show": Command("show", IDENTIFIERS, ()),
    "check": Command("check", IDENTIFIERS, (LIMITS, JSON)),
    "new": Command(
        "new",
        paths(["mylab-x", "x.toml", "exists", "../x", "", ".hidden", "a" * 300, "-x", "my lab"]),
        (
            Option(("--from",), IDENTIFIERS),
            Option(("--out",), paths(["folder", ".", "missing", "exists.csv", "", "folder/"])),
        ),
    ),
    "plan": Command(
        "plan",
        paths([ACUTE, CHRONIC, "p.toml", "bad.toml", "missing.toml", "folder", REGIMENS[0]]),
        (
            Option(("--weights",), paths(["w.csv", "bad.csv", "missing.csv", "folder", ""])),
            LIMITS,
            Option(
                ("--format",),
                # pdf is left out of random cases: WeasyPrint takes seconds per plan.
                values(["html", "md", "csv", "json", "HTML", "xlsx", " csv", "csv "]),
            ),
            Option(
                ("--out",),
                paths(["-", "out.csv", "out.html", "folder", "missing/out.csv", "exists.csv"]),
            ),
            Option(
                ("--seed",),
                values(
                    ["0", "1", "-1", "1.5", "1e3", "99999999999999999999", "9" * 5000, "0x10"],
                    st.integers().map(str),
                ),
            ),
            Option(
                ("--start",),
                values(STARTS),
            ),
            Option(("--force",)),
            Option(("--stratify",), values(["cage", "sex", "weight", "Cage", "age", "cage,sex"])),
            Option(("--block-size",), values(["10", "5", "0", "-1", "1.5", "3", "1e3"])),
            Option(("--paper",), values(["a4", "letter", "A4", "Letter", "legal"])),
        ),
    ),
}

_RANDOM = st.randoms(use_true_random=False)  # seeded by Hypothesis: a failure reproduces


@st.composite
def command_lines(draw: st.DrawFn, command: Command) -> list[str]:
    """
    A command line for ``command``: usually one positional argument; each option absent, once
    or twice, spelled long or short, as ``--name value`` or ``--name=value``; sometimes an
    unknown option, and sometimes an option without its value at the end.
    """
    rng = draw(_RANDOM)
    groups: list[list[str]] = []
    if command.positional is not None:
        for _ in range(rng.choice([1, 1, 1, 1, 1, 0, 2])):
            groups.append([draw(command.positional)])
    for option in command.options:
        chance = rng.random()
        for _ in range(0 if chance < 0.3 else 1 if chance < 0.9 else 2):
            name = rng.choice(option.names)
            if option.values is None:
                groups.append([name])
                continue
            value = draw(option.values)
            if name.startswith("--") and rng.random() < 0.1:
                groups.append([f"{name}={value}"])
            else:
                groups.append([name, value])
    if rng.random() < 0.05:
        groups.append([rng.choice([*OPTION_LIKE, "--weigth", "--json=1", "-"])])
    rng.shuffle(groups)
    valued = [o for o in command.options if o.values is not None]
    if valued and rng.random() < 0.05:
        groups.append([rng.choice(rng.choice(valued).names)])  # no value follows
    return [command.name, *itertools.chain.from_iterable(groups)]


GOOD_SPECIES = [s for s in SPECIES if s.isascii()]  # "mouse" with an accented o is no species
GOOD_ROUTES = [r for r in ROUTES if r != "topical"]  # planner has no limits for topical
GOOD_COMPOUNDS = [c for c in COMPOUNDS if c != "temsirolimu"]  # a typo, not a name
_MOLAR = {"40 umol/kg", "5 mM"}


def dose_verdict(argv: Sequence[str]) -> str:
    """
    The verdict of a dose command line: "ok" when it is well formed and every value is one of
    the good ones above (with a compound wherever a mass must become an amount of substance);
    "refuse" when it ends with an option that needs a value, or is well formed but lacks the
    weight, or gives neither or both of --concentration and --dose-volume, or not exactly one
    DOSE; otherwise "either", because a
    randomly drawn value may well be a valid one ("0.5 mg/kg" is as likely as "nan").
    """
    words = list(argv[1:])
    if "--" not in words and "--help" not in words and words:
        # An option at the end with no value after it (and not itself a value): click refuses.
        valued = _VALUED["dose"]
        if words[-1] in valued and (len(words) < 2 or words[-2] not in valued):
            return "refuse"
    line = parse_line(argv)
    if line is None:
        return "either"
    positional, options = line
    if len(positional) != 1 or "weight" not in options:
        return "refuse"
    if ("concentration" in options) == ("dose_volume" in options):
        return "refuse"
    good = (
        positional[0] in DOSES
        and options["weight"] in WEIGHTS
        and options.get("concentration", CONCENTRATIONS[0]) in CONCENTRATIONS
        and options.get("dose_volume", VOLUMES[0]) in VOLUMES
        and options.get("species", "mouse") in GOOD_SPECIES
        and options.get("route", "ip") in GOOD_ROUTES
        and options.get("compound", COMPOUNDS[0]) in GOOD_COMPOUNDS
        and options.get("limits", "lab.toml") == "lab.toml"
    )
    if not good:
        return "either"
    mixed = "concentration" in options and (positional[0] in _MOLAR) != (
        options["concentration"] in _MOLAR
    )
    if mixed and "compound" not in options:
        return "refuse"  # mass to amount of substance needs a compound
    return "ok"


@st.composite
def valid_dose_lines(draw: st.DrawFn) -> list[str]:
    """A valid dose --json command line, its values from the good lists above."""
    argv = ["dose", draw(st.sampled_from(DOSES)), "--weight", draw(st.sampled_from(WEIGHTS))]
    if draw(st.booleans()):
        argv += ["--concentration", draw(st.sampled_from(CONCENTRATIONS))]
        mixed = (argv[1] in _MOLAR) != (argv[-1] in _MOLAR)
    else:
        argv += ["--dose-volume", draw(st.sampled_from(VOLUMES))]
        mixed = False
    if mixed or draw(st.booleans()):
        argv += ["--compound", draw(st.sampled_from(GOOD_COMPOUNDS))]
    if draw(st.booleans()):
        argv += ["--species", draw(st.sampled_from(GOOD_SPECIES))]
    if draw(st.booleans()):
        argv += ["--route", draw(st.sampled_from(GOOD_ROUTES))]
    return [*argv, "--json"]


class TestEveryCommand:
    """
    Whatever the arguments, each command exits 0, 1 or 2, and 2 with one line. Verdicts: dose
    lines get theirs from dose_verdict; the other commands' random lines are "either" (their
    values are drawn at random from good and hostile ones, and any of them may be valid), and
    their successful dose and plan runs are checked against the hand formulas.
    """

    @hostile.examples(800)
    @given(argv=command_lines(COMMANDS["dose"]))
    @example(argv=["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"])
    @example(argv=["dose", "nan", "--weight", "inf", "--concentration", "-inf"])
    @example(argv=["dose", "25 mg/kg", "-w", "27 g", "-w", "28 g", "-c", "2.5 mg/mL"])
    @example(
        argv=["dose", "25 \N{MICRO SIGN}g/g", "-w", "27 g", "-v", "10 \N{GREEK SMALL LETTER MU}L/g"]
    )
    @example(argv=["dose", "\uff12\uff15 mg/kg", "-w", "27 g", "-c", "2.5 mg/mL", "--json"])
    @example(argv=["dose", "25 mg/kg\x00", "-w", "27 g", "-c", "2.5 mg/mL"])
    @example(argv=["dose", "25 mg/kg", "--weight", "--concentration", "2.5 mg/mL"])
    @example(argv=["dose", "25 mg/kg", "--weight=27 g", "--dose-volume=10 mL/kg", "--bogus"])
    @example(argv=["dose", "25 mg/kg", "-w", "27 g", "-c", "2.5 mg/mL", "-v", "10 mL/kg"])
    @example(argv=["dose", "25 mg/kg", "-w", "27 g", "--"])
    def test_dose(self, argv: list[str]):
        """Any command line of planner dose passes the oracle, with its verdict and numbers."""
        planner(argv, expect=dose_verdict(argv))

    @hostile.examples(250)
    @given(argv=valid_dose_lines())
    def test_valid_dose(self, argv: list[str]):
        """A valid dose line is computed (exit 0 or 1), with the hand-worked numbers."""
        outcome = planner(argv, expect="ok")
        line = parse_line(argv)
        assert line is not None
        positional, options = line
        checked = expected.check_dose_json(
            json.loads(outcome.out),
            dose=positional[0],
            weight=options["weight"],
            concentration=options.get("concentration"),
            dose_volume=options.get("dose_volume"),
            species=options.get("species", "mouse"),
            compound=options.get("compound"),
        )
        assert checked, f"the oracle read none of {argv}"

    @hostile.examples(800)
    @given(argv=command_lines(COMMANDS["convert"]))
    @example(argv=["convert", "25 mg/kg", "--to", "umol/kg", "--compound", "temsirolimus"])
    @example(argv=["convert", "25 mg/kg", "--to", "mg/m2", "--species", "mouse"])
    @example(argv=["convert", "1e999999 mg", "--to", "g"])
    @example(argv=["convert", "1e-999999 mg", "--to", "g"])
    @example(
        argv=["convert", "10 mg/kg", "--to", "mg/kg", "--to-form", "morphine sulfate pentahydrate"]
    )
    def test_convert(self, argv: list[str]):
        """Any command line of planner convert passes the oracle."""
        planner(argv, expect="either")

    @hostile.examples(500)
    @given(argv=command_lines(COMMANDS["scale"]))
    @example(argv=["scale", "25 mg/kg", "--from", "mouse", "--to", "human"])
    @example(argv=["scale", "1e14 mg/kg", "--from", "mouse", "--to", "human"])
    @example(argv=["scale", "25 mg/kg", "--from", "mouse", "--to", "mouse", "--json"])
    def test_scale(self, argv: list[str]):
        """Any command line of planner scale passes the oracle."""
        planner(argv, expect="either")

    @hostile.examples(60)
    @given(argv=command_lines(COMMANDS["regimens"]))
    @example(argv=["regimens", "--json", "--json"])
    @example(argv=["regimens", "extra"])
    def test_regimens(self, argv: list[str]):
        """Any command line of planner regimens passes the oracle."""
        planner(argv, expect="either")

    @hostile.examples(500)
    @given(argv=command_lines(COMMANDS["show"]))
    @example(argv=["show", "obara2011-torin1-4daily"])
    @example(argv=["show", "p.toml"])
    @example(argv=["show", "folder"])
    def test_show(self, argv: list[str]):
        """Any command line of planner show passes the oracle."""
        planner(argv, expect="either")

    @hostile.examples(500)
    @given(argv=command_lines(COMMANDS["check"]))
    @example(argv=["check", "p.toml", "--json"])
    @example(argv=["check", "bad.toml"])
    @example(argv=["check", "w.csv"])
    def test_check(self, argv: list[str]):
        """Any command line of planner check passes the oracle."""
        planner(argv, expect="either")

    @hostile.examples(400)
    @given(argv=command_lines(COMMANDS["new"]))
    @example(argv=["new", "mylab-x", "--from", ACUTE])
    @example(argv=["new", "mylab-x", "--from", "obara2011-cci779-single", "--out", "folder"])
    @example(argv=["new", "exists", "--from", ACUTE])
    def test_new(self, argv: list[str]):
        """planner new: files appear only on success, and never over an existing one."""
        planner(argv, expect="either", outputs=None)

    @hostile.examples(700)
    @given(argv=command_lines(COMMANDS["plan"]))
    @example(argv=["plan", ACUTE, "--format", "csv", "--out", "-", "--seed", "1"])
    @example(argv=["plan", CHRONIC, "--weights", "w.csv", "--format", "md", "--seed", "1"])
    @example(argv=["plan", ACUTE, "--format", "csv", "--out", "exists.csv", "--force"])
    @example(
        argv=["plan", ACUTE, "--seed", "99999999999999999999", "--out", "-", "--format", "json"]
    )
    def test_plan(self, argv: list[str]):
        """planner plan: files appear only on success, and never over an existing one."""
        planner(argv, expect="either", outputs=None)

    @hostile.examples(400)
    @given(
        argv=st.lists(st.one_of(HOSTILE, st.sampled_from([*COMMANDS, *OPTION_LIKE])), max_size=5)
    )
    @example(argv=[])
    @example(argv=["--help"])
    @example(argv=["dos"])
    @example(argv=["Dose", "25 mg/kg"])
    @example(argv=["--version"])
    @example(argv=["plan", "--help"])
    def test_any_command_line(self, argv: list[str]):
        """Any words at all, including unknown commands."""
        planner(argv, expect="either", outputs=None)


# --- bad by construction: exit 2, naming the problem ------------------------------------------

NOT_QUANTITIES = [
    "nan mg/kg",
    "NaN",
    "inf mg/kg",
    "-inf mg/kg",
    "Infinity g",
    "1e999999 mg/kg",
    "1e999999",
    "",
    " ",
    "25 mg/kg\x00",
    "1,5 mg/kg",
    "25",
    "25 %",
    "25 cc",
    "25 IU",
    "25 units",
    "0 mg/kg",
    "-25 mg/kg",
    "mg/kg",
    "25 mg/kg/day",
    "25 furlong",
    "x" * 10_000,
]


CONVERTIBLE = {"25", "25 %", "0 mg/kg", "-25 mg/kg", "25 mg/kg/day", "25 furlong"}
"""NOT_QUANTITIES that convert may read as quantities, of another kind than mg/kg."""


@st.composite
def one_bad_quantity(draw: st.DrawFn) -> tuple[list[str], str]:
    """A valid dose, convert or scale command line with one value replaced by a non-quantity."""
    value = draw(
        st.one_of(
            st.sampled_from(NOT_QUANTITIES), st.sampled_from(NOT_QUANTITIES).map(lambda v: f" {v} ")
        )
    )
    lines = {
        "dose-DOSE": (["dose", "{}", "-w", "27 g", "-c", "2.5 mg/mL"], "DOSE"),
        "dose-weight": (["dose", "25 mg/kg", "--weight={}", "-c", "2.5 mg/mL"], "--weight"),
        "dose-concentration": (
            ["dose", "25 mg/kg", "-w", "27 g", "--concentration={}"],
            "--concentration",
        ),
        "dose-volume": (["dose", "25 mg/kg", "-w", "27 g", "--dose-volume={}"], "--dose-volume"),
        "convert": (["convert", "{}", "--to", "mg/kg"], "QUANTITY"),
        "scale": (["scale", "{}", "--from", "mouse", "--to", "rat"], "DOSE"),
    }
    template, where = lines[draw(st.sampled_from(sorted(lines)))]
    if template[0] == "convert" and value.strip() in CONVERTIBLE:
        where = "QUANTITY|--to"  # a quantity convert may take, but not into mg/kg
    if value.lstrip().startswith("-") and "{}" in template[1]:
        # A positional argument that starts with "-" reads as an option: put it after "--".
        template = [template[0], *template[2:], "--", "{}"]
    argv = [part.replace("{}", value) for part in template]
    return argv, where


class TestBadValues:
    """Values that are bad by construction exit 2, naming the option (or argument)."""

    @hostile.examples(300)
    @given(case=one_bad_quantity())
    def test_not_a_quantity(self, case: tuple[list[str], str]):
        """NaN, infinity, overflow, empty, NUL, commas, bare numbers, refused units."""
        argv, where = case
        outcome = planner(argv, expect="refuse")
        assert any(w.lower() in outcome.error.lower() for w in where.split("|")), outcome.err

    @hostile.examples(400)
    @given(
        option=st.sampled_from(
            [
                ("--seed", ["-1", "1.5", "1e3", "", " ", "0x10", "one", "9" * 5000, "1_000x"]),
                (
                    "--start",
                    [
                        "2026-02-30",
                        "",
                        "tomorrow",
                        "2026-13-01",
                        "26-03-02",
                        "2026-03-02T09:00",
                        "2026/03/02",
                    ],
                ),
                ("--format", ["xlsx", "", "html5", "pdf ", "c sv"]),
                ("--paper", ["legal", "", "a5", "A 4"]),
                ("--stratify", ["age", "", "cage sex", "cages"]),
                ("--block-size", ["0", "-1", "1.5", "", "3", "7"]),
                ("--weights", ["missing.csv", "folder", "bad.csv", "", "missing/w.csv"]),
            ]
        ),
        pick=st.integers(0, 100),
        fmt=st.sampled_from(["csv", "json", "md", "html"]),
    )
    def test_plan_option(self, option: tuple[str, list[str]], pick: int, fmt: str):
        """plan with one bad option, the others valid: exit 2, naming the option or path."""
        name, choices = option
        value = choices[pick % len(choices)]
        argv = ["plan", CHRONIC, "--weights", "w.csv", "--seed", "1", "--format", fmt]
        argv += ["--out", f"out.{fmt}", f"{name}={value}"]
        outcome = planner(argv, expect="refuse")
        named = [name, value.strip() or "''"]
        assert any(n in outcome.error for n in named), outcome.err

    @hostile.examples(300)
    @given(
        argv=command_lines(COMMANDS["plan"]), target=st.sampled_from(["exists.csv", "exists.html"])
    )
    def test_plan_never_overwrites(self, argv: list[str], target: str):
        """--out naming an existing file, without --force: exit 2, the file untouched."""
        argv = [a for a in argv if a not in {"--force", "--help"} and not a.startswith("--out")]
        planner([*argv, "--out", target], expect="refuse")

    @hostile.examples(200)
    @given(
        argv=command_lines(COMMANDS["plan"]),
        target=st.sampled_from(["missing/out.csv", "folder", "folder/", "exists.csv/x.csv"]),
    )
    def test_plan_out_unwritable(self, argv: list[str], target: str):
        """--out into a missing folder, or a folder: exit 2, nothing written."""
        argv = [a for a in argv if a not in {"--help"} and not a.startswith("--out")]
        planner([*argv, "--out", target], expect="refuse")

    @hostile.examples(150)
    @given(source=IDENTIFIERS, out=st.sampled_from([None, "folder", "."]))
    def test_new_never_overwrites(self, source: str, out: str | None):
        """new over an existing NEW_ID.toml: exit 2, the file untouched."""
        argv = ["new", "exists", "--from", source, *(["--out", out] if out else [])]
        if out == "folder":
            argv[1] = "../exists"  # an id with a folder separator is refused too
        planner(argv, expect="refuse")


# --- explicit cases ---------------------------------------------------------------------------


class TestExplicit:
    """Hand-picked command lines with the expected exit status."""

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            (["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"], 0),
            (["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "0.01 mg/mL"], 1),
            (["dose", "25 mg/kg", "--weight", "27 g"], 2),
            (["dose", "25 mg/kg", "-w", "27 g", "-c", "2.5 mg/mL", "-v", "10 mL/kg"], 2),
            (["dose", "25 mg/kg", "--weight"], 2),
            (["dose", "25 mg/kg", "--weigth", "27 g"], 2),
            (["dose", "25 mg/kg", "-w", "27 g", "-c", "2.5 mg/mL", "--route", "topical"], 2),
            (["dose", "25 mg/kg", "-w", "27 g", "-c", "2.5 mg/mL", "--species", "unicorn"], 2),
            (["dose", "25 mg/kg", "-w", "27 g", "-c", "2.5 mg/mL", "--compound", "x\x00"], 2),
            (["convert", "25 mg/kg", "--to", "umol/kg"], 2),
            (["convert", "25 mg/kg", "--to", ""], 2),
            (["convert", "25 mg/kg", "--to", "mL"], 2),
            (["scale", "25 mg/kg", "--from", "mouse"], 2),
            (["scale", "25 mg", "--from", "mouse", "--to", "rat"], 2),
            (["regimens", "--json"], 0),
            (["regimens", "x"], 2),
            (["show", "nothing-like-this"], 2),
            (["show", ""], 2),
            (["check", "missing.toml"], 2),
            (["check", "bad.toml"], 2),
            (["check", "folder"], 2),
            (["check", "w.csv"], 2),
            (["check", ""], 2),
            (["new", "x/y", "--from", ACUTE], 2),
            (["new", "mylab-x", "--from", "nothing"], 2),
            (["new", "mylab-x", "--from", ACUTE, "--out", "missing"], 2),
            (["new", "mylab-x", "--from", ACUTE, "--out", "exists.csv"], 2),
            (["plan", ACUTE, "--out", "exists.html"], 2),
            (["plan", ACUTE, "--format", "pdf", "--out", "exists.html"], 2),
            (["plan", ACUTE, "--format", "pdf", "--paper", "legal"], 2),
            (["plan", ACUTE, "--format", "csv", "--out", "missing/x.csv"], 2),
            (["plan", ACUTE, "--seed", "-1", "--out", "-"], 2),
            (["plan", ACUTE, "--seed", "1e3"], 2),
            (["plan", ACUTE, "--start", "2026-02-30"], 2),
            (["plan", ACUTE, "--start", ""], 2),
            (["plan", ACUTE, "--start", "tomorrow"], 2),
            (["plan", ACUTE, "--stratify", "cage"], 2),
            (["plan", CHRONIC, "--weights", "w.csv", "--stratify", "age"], 2),
            (["plan", CHRONIC, "--weights", "folder"], 2),
            (["plan", CHRONIC, "--weights", "missing.csv"], 2),
            (["plan", CHRONIC, "--weights", "/dev/null", "--out", "-"], 2),
            (["plan", "missing.toml"], 2),
            (["plan", "obara2011-cci779-single"], 2),
            (["plan", ACUTE, "--block-size", "0"], 2),
            (["plan", ACUTE, "--format", "csv", "--out", "x.csv", "--seed", "7"], 0),
        ],
    )
    def test_exit_status(self, argv: list[str], expected: int):
        """Each command line gives the expected exit status, through the oracle."""
        outcome = planner(argv, expect="refuse" if expected == 2 else "ok", outputs=None)

        assert expected == outcome.code, outcome.err

    def test_dose_volume(self):
        """planner dose "25 mg/kg" --weight "27 g" --concentration "2.5 mg/mL" --json gives the
        volume worked by hand: 25 mg/kg x 0.027 kg = 0.675 mg; 0.675 mg / 2.5 mg/mL = 0.27 mL
        (10 mL/kg), in the 0.5 mL insulin syringe."""
        argv = ["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL", "--json"]
        data = json.loads(planner(argv, expect="ok").out)

        assert {"value": 0.675, "unit": "mg"} == data["amount"]
        assert {"value": 0.27, "unit": "mL"} == data["volume"]
        assert {"value": 10, "unit": "mL/kg"} == data["dose_volume"]
        assert "0.5 mL insulin syringe" == data["syringe"]["name"]
        assert [] == data["findings"]

    def test_dose_volume_text(self):
        """The same dose as text prints the volume drawn up: 0.27 mL, to the 0.01 mL
        graduation of the 0.5 mL syringe."""
        argv = ["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"]
        out = planner(argv, expect="ok").out

        assert "  volume         0.27 mL (10 mL/kg)" in out.splitlines()

    def test_existing_file_untouched(self):
        """plan --out over an existing file without --force leaves its bytes as they were."""
        with hostile.workdir() as folder:
            prepare(folder)
            outcome = hostile.run(
                "cli",
                ["plan", ACUTE, "--format", "csv", "--out", "exists.csv"],
                folder,
                expect="refuse",
                names=["exists.csv"],
            )

            assert KEEP == (folder / "exists.csv").read_bytes()
            assert "--force" in outcome.error


# --- bugs this suite found ---------------------------------------------------------------------


class TestFoundBugs:
    """Regression cases for bugs the random tests found: each exits 2 with one line."""

    @pytest.mark.parametrize(
        ("argv", "names"),
        [
            (["show", "x" * 300], ["ID", "unknown protocol or regimen"]),
            (["new", "a" * 300, "--from", ACUTE], ["NEW_ID", "at most 100"]),
            (["new", "mylab-x", "--from", ACUTE, "--out", "x" * 300], ["too long"]),
            (["plan", ACUTE, "--format", "csv", "--out", "x" * 300 + ".csv"], ["too long"]),
            (["plan", ACUTE, "--format", "csv", "--out", "x" * 300 + "/p.csv"], ["too long"]),
        ],
        ids=["show", "new-id", "new-out", "plan-out", "plan-out-folder"],
    )
    def test_long_name(self, argv: list[str], names: list[str]):
        """A name too long for the filesystem (an OSError traceback once) exits 2 with one line."""
        planner(argv, expect="refuse", names=names)

    @pytest.mark.parametrize(
        "argv",
        [
            ["new", "mylab-x", "--from", ACUTE, "--out", "folder\x00"],
            ["plan", ACUTE, "--format", "csv", "--out", "out\x00.csv"],
        ],
        ids=["new-out", "plan-out"],
    )
    def test_nul_in_path(self, argv: list[str]):
        """A path holding NUL (possible through main(argv), not from a shell; a ValueError
        traceback once) exits 2, and the NUL is printed as an escape, not as the byte."""
        outcome = planner(argv, expect="refuse", names=["NUL", "\\x00"])

        assert "\x00" not in outcome.err

    @pytest.mark.parametrize(
        "argv",
        [
            ["plan", CHRONIC, "--start", "9999-12-25", "--format", "csv", "--out", "-"],
            ["plan", CHRONIC, "--start", "0001-01-02", "--format", "md", "--out", "x.md"],
        ],
        ids=["late", "early"],
    )
    def test_start_out_of_calendar(self, argv: list[str]):
        """A --start that puts a protocol day outside the calendar exits 2, naming --start."""
        planner(argv, expect="refuse", names=["--start"])

    @pytest.mark.parametrize(
        "argv",
        [
            ["convert", "10\N{SUPERSCRIPT THREE} mcg", "--to", "mcg"],
            ["dose", "10\N{SUPERSCRIPT THREE} mcg", "-w", "27 g", "-c", "1 mg/mL"],
            ["dose", "25 mg/kg", "-w", "2\N{SUPERSCRIPT FIVE} g", "-c", "2.5 mg/mL"],
            [
                "scale",
                "2\N{SUPERSCRIPT ONE}\N{SUPERSCRIPT ZERO} mg/kg",
                "--from",
                "mouse",
                "--to",
                "rat",
            ],
        ],
        ids=["convert", "dose-amount", "dose-weight", "scale"],
    )
    def test_superscript_digits(self, argv: list[str]):
        """A number written with superscript digits is refused, not read as other digits."""
        planner(argv, expect="refuse")


class TestFixed:
    """Bugs this suite found and fixed in planner/loading.py and planner/cohort.py."""

    @pytest.mark.parametrize(
        ("argv", "name"),
        [
            (["check", "x" * 300 + ".toml"], "File name too long"),
            (["check", "x" * 300], "unknown protocol"),
            (["check", "x\x00.toml"], "NUL"),
            (["check", "x\x00"], "unknown protocol"),
            (["check", ""], "unknown protocol ''"),
            (["plan", "", "--out", "-"], "unknown protocol ''"),
            (["plan", "x" * 300 + ".toml", "--out", "-"], "File name too long"),
            (["plan", CHRONIC, "--weights", "", "--out", "-"], "no file name given"),
            (["plan", CHRONIC, "--weights", "x\x00", "--out", "-"], "NUL"),
            (["plan", CHRONIC, "--weights", "x" * 300, "--out", "-"], "File name too long"),
        ],
    )
    def test_one_line(self, argv: list[str], name: str):
        """Names too long, names with NUL and blank names exit 2 with one line, not a traceback."""
        planner(argv, expect="refuse", names=[name])
