"""
Mutation testing of the dosing, checks, preparation and plan modules (issue 11).

Each mutant is one small change to one target file (a number, a comparison, an operator, a
condition negated, a loop that never runs, ...). The relevant fast tests of that file run
against it; a mutant is *killed* when a test fails (or the run times out) and *survives* when
every test passes. A surviving mutant in a formula or a threshold means a wrong number on a
dosing sheet that no test would catch.

    python benchmarks/mutation.py --sample 60     # a fixed, seeded sample (CI): about 8 minutes
    python benchmarks/mutation.py                 # every mutant (1,272): 3 to 4 hours on 2 cores
    python benchmarks/mutation.py --list          # count the mutants per file, run nothing
    python benchmarks/mutation.py --only dosing   # the mutants of the files whose path has 'dosing'

Run it with the interpreter of the environment planner is installed in, with cosmic-ray
(`pip install cosmic-ray`); it exits 1 when a mutant survives that is not listed in
EQUIVALENT below, 0 otherwise.

Mutants come from cosmic-ray's operators (their mutation positions and how each is applied);
the runner is our own: two workers, each in a private copy of the repository (so the work tree
is never mutated), run only the tests listed for the mutated file, with `-x` so that a killed
mutant stops at the first failure.

To move a target (the modules are being split into subpackages), edit TARGETS and nothing else.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# --- what to mutate and which tests judge it: edit here when modules move ----------------------

# (target file, functions to mutate (None: the whole file), tests that judge its mutants).
# The file itself is added to the tests: its doctests run too.
_CORE_TESTS = ["tests/test_boundaries.py"]
TARGETS: list[tuple[str, tuple[str, ...] | None, list[str]]] = [
    (
        "planner/dosing/dose.py",
        None,
        [*_CORE_TESTS, "tests/test_dosing.py", "tests/test_plausibility.py", "tests/test_cli.py"],
    ),
    (
        "planner/checks/dose.py",
        None,
        [
            *_CORE_TESTS,
            "tests/test_dosing.py",
            "tests/test_plausibility.py",
            "tests/test_safety.py",
            "tests/test_cli.py",
        ],
    ),
    (
        "planner/checks/plan.py",
        None,
        [
            *_CORE_TESTS,
            "tests/test_safety.py",
            "tests/test_plan.py",
            "tests/test_plausibility.py",
            "tests/test_cli_plan.py",
        ],
    ),
    (
        "planner/checks/protocol.py",
        None,
        [*_CORE_TESTS, "tests/test_knowledge.py", "tests/test_cli_knowledge.py"],
    ),
    (
        "planner/dosing/preparation.py",
        None,
        [*_CORE_TESTS, "tests/test_preparation.py", "tests/test_plan.py"],
    ),
    (
        "planner/study/doses.py",
        None,
        [
            *_CORE_TESTS,
            "tests/test_plan.py",
            "tests/test_safety.py",
            "tests/test_plausibility.py",
            "tests/test_cli_plan.py",
        ],
    ),
    (
        "planner/study/batches.py",
        None,
        [*_CORE_TESTS, "tests/test_plan.py", "tests/test_preparation.py", "tests/test_render.py"],
    ),
    (
        "planner/study/build.py",
        None,
        [*_CORE_TESTS, "tests/test_plan.py", "tests/test_safety.py", "tests/test_plausibility.py"],
    ),
    (
        "planner/study/checking.py",
        None,
        [*_CORE_TESTS, "tests/test_knowledge.py", "tests/test_cli_knowledge.py"],
    ),
]

# Mutants that survive for a good reason: no input through planner's entry points can tell them
# from the original (equivalent mutants). Each entry: the original line, a regular expression the
# mutated line matches, and why. Both are compared with all whitespace removed, and by text, not
# position, so that the list survives edits elsewhere and the move of modules.
_PRE_SELECT_DOSE = (
    "plan._dose_findings only pre-selects the doses that go to _check_syringe, which applies the "
    "same tests itself (no syringe, rounds to 0, fewer than 10 graduations): a mutant that "
    "selects more doses changes no finding"
)
_PRE_SELECT_WEIGHT = (
    "plan._weight_findings only pre-selects the weighings that go to check_weight, which applies "
    "the range itself: a mutant that selects more weighings changes no finding"
)
_SORTED_ALREADY = (
    "the (group, day, route) items come in schedule order (chronological) and groups in index "
    "order, so they are already sorted by (day, group); the first day a group exceeds a limit is "
    "the one reported whatever the key"
)
EQUIVALENT: list[tuple[str | None, str, str]] = [
    (
        None,  # any line: the comparisons of a quantity's basis with "mass"
        r'.*basis\([\w.]+\)<="mass".*',
        'a basis is "mass" or "substance", and "substance" <= "mass" is false, as "==" would be',
    ),
    (
        "@attrs.frozen(kw_only=True)",
        r"@attrs\.frozen\(kw_only=False\)",
        "every construction passes keywords; kw_only=False only also allows positional arguments",
    ),
    (
        "nearest = (volume / step).to_integral_value(rounding=ROUND_FLOOR) * step",
        r"nearest=\(volume//step\).*",
        "Decimal // truncates toward zero, which is the floor for positive volumes and steps",
    ),
    (
        'unit = "g" if high < Q_(1, "kg") else "kg"',
        r'unit="g"ifhigh<=Q_\(1,"kg"\)else"kg"',
        "no species' weight range ends at exactly 1 kg, and only the unit of the message would change",
    ),
    (
        'got="both" if concentration is not None else None,',
        r'got="both"ifconcentrationisNoneelseNone,',
        "unreachable: planner.api.dose and the CLI refuse both or neither before calculate_dose",
    ),
    (
        "if len(items) == 1:",
        r"iflen\(items\)<=1:",
        "a merged group of findings is never empty",
    ),
    (
        "if graduation is None or round_step(volume, graduation) == 0 or volume < graduation * 10:",
        r"ifgraduationisNoneorround_step\(volume,graduation\)(!=|>=|>|<|<=|is|isnot)0orvolume<graduation\*10:",
        _PRE_SELECT_DOSE,
    ),
    (
        "if graduation is None or round_step(volume, graduation) == 0 or volume < graduation * 10:",
        r"ifgraduationisNoneorround_step\(volume,graduation\)==(1|-1)orvolume<graduation\*10:",
        _PRE_SELECT_DOSE,
    ),
    (
        "if graduation is None or round_step(volume, graduation) == 0 or volume < graduation * 10:",
        r"ifgraduationisNoneorround_step\(volume,graduation\)==0orvolume(<=|!=|isnot)graduation\*10:",
        _PRE_SELECT_DOSE,
    ),
    (
        "if graduation is None or round_step(volume, graduation) == 0 or volume < graduation * 10:",
        r"ifgraduationisNoneorround_step\(volume,graduation\)==0orvolume<graduation(\*11|\+10):",
        _PRE_SELECT_DOSE,
    ),
    (
        "if not low <= grams_of[id(weighing)] <= high:",
        r"ifnotlow<grams_of\[id\(weighing\)\]<=high:",  # not != : it would skip weights below
        _PRE_SELECT_WEIGHT,
    ),
    (
        "if not low <= grams_of[id(weighing)] <= high:",
        r"ifnotlow<=grams_of\[id\(weighing\)\]<high:",  # not != : it would skip weights above
        _PRE_SELECT_WEIGHT,
    ),
    (
        "if stated > 100 or (not balance and vehicle and stated != 100):",
        r"ifstated>100or\(notbalanceandvehicleandstated<100\):",
        "shares above 100 % are refused by the first test already",
    ),
    (
        "and weigh_form != dose_form",
        r"orweigh_form!=dose_form",
        "every caller passes either the compound with its forms (drug batches) or no compound and "
        "no form (vehicle batches), so the forms differ only when all are given",
    ),
    (
        "if number == 0 and mass is not None:",
        r"ifnumber<=0andmassisnotNone:",
        "enumerate never counts below 0",
    ),
    ("elif number == 0:", r"elifnumber<=0:", "enumerate never counts below 0"),
    (
        'f"Dissolve in vehicle to a final volume of {format_quantity(total, sig=4)}; mix until clear."',
        r".*",
        "unreachable: a vehicle without components is refused when the protocol is loaded, and "
        "prepare_vehicle replaces these steps",
    ),
    (
        "f\"{before.day}: a change of {'+' if change > 0 else '-'}{format_quantity(Q_(abs(change), 'percent'), sig=3)}, \"",
        r".*change(>-1|>1|>=0|>=1|>=-1)else.*",
        "only changes of more than 10 % are reported, never one between -1 % and +1 %",
    ),
    (
        "_per_day(groups, treatments, schedule).items(), key=lambda kv: (kv[0][1], kv[0][0])",
        r".*key=lambdakv:\(kv\[-?\d\]\[-?\d\],kv\[-?\d\]\[-?\d\]\)",
        _SORTED_ALREADY,
    ),
]

# cosmic-ray operators left out, and why (see also _skip below):
# - ReplaceBinaryOperator_*_{BitAnd,BitOr,BitXor,LShift,RShift}: Decimal and pint Quantity have
#   no bit operations, so these raise TypeError the first time the line runs: they measure
#   line coverage, which the other operators measure too, and would triple the mutant count.
# - any operator on the bare `*` of a signature (keyword-only marker): see _bare_star.
# - ReplaceBinaryOperator_BitOr_*: every `|` in these files is a type annotation (`X | None`)
#   under `from __future__ import annotations`, never evaluated.
_BIT_OPS = ("BitAnd", "BitOr", "BitXor", "LShift", "RShift")

ROOT = Path(__file__).resolve().parent.parent
_COPY = ["planner", "tests", "seeds", "templates", "protocols", "pyproject.toml", "README.md"]
SAMPLE_SEED = 20261206


# --- mutants ------------------------------------------------------------------------------------


class Mutant:
    def __init__(self, path: str, operator: str, args: dict, occurrence: int, line: int, function: str, text: str):
        self.path, self.operator, self.args, self.occurrence = path, operator, args, occurrence
        self.line, self.function, self.text = line, function, text

    @property
    def id(self) -> str:
        return f"{self.path}:{self.operator.removeprefix('core/')}:{self.occurrence}"

    mutated: str = ""
    """The mutated line (set when the mutant is applied)."""

    def equivalent(self) -> str | None:
        original, mutated = _squash(self.text), _squash(self.mutated)
        for line, pattern, reason in EQUIVALENT:
            if (line is None or _squash(line) == original) and re.fullmatch(pattern, mutated):
                return reason
        return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _annotation_lines(tree: ast.AST) -> set[tuple[int, int]]:
    """(line, column) of every node inside a type annotation."""
    inside: set[tuple[int, int]] = set()
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
    for root in roots:
        for sub in ast.walk(root):
            if hasattr(sub, "lineno"):
                inside.add((sub.lineno, sub.col_offset))
    return inside


def _functions(tree: ast.AST) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of every function, innermost last."""
    return [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def _skip(operator: str) -> bool:
    name = operator.removeprefix("core/")
    if name.startswith("ReplaceBinaryOperator_"):
        _, source, target = name.split("_")
        return source in _BIT_OPS or target in _BIT_OPS
    return False


def _bare_star(lines: list[str], line: int, column: int) -> bool:
    """Whether the position is the bare ``*`` of a signature (keyword-only marker), which
    cosmic-ray takes for a multiplication; ``/`` there only makes the arguments before it
    positional-only, which no call in planner relies on."""
    rest = lines[line - 1][column:]
    return rest.startswith("*") and rest[1:].lstrip().startswith((",", ")"))


def collect() -> list[Mutant]:
    """Every mutant of every target, in a stable order."""
    from cosmic_ray.ast import ast_nodes, get_ast_from_path
    from cosmic_ray.commands.init import _operators

    mutants = []
    for path, only, _tests in TARGETS:
        source = (ROOT / path).read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        annotations = _annotation_lines(tree)
        functions = _functions(tree)
        module = get_ast_from_path(ROOT / path)
        for name, args, operator in _operators({}):
            positions = (
                pos for node in ast_nodes(module) for pos in operator.mutation_positions(node)
            )
            for occurrence, (start, _end) in enumerate(positions):
                line, column = start
                if _skip(name) or (line, column) in annotations or _bare_star(lines, line, column):
                    continue
                enclosing = [f for f in functions if f[0] <= line <= f[1]]
                function = enclosing[-1][2] if enclosing else "<module>"
                top = min(enclosing, key=lambda f: f[0])[2] if enclosing else "<module>"
                if only is not None and top not in only:
                    continue
                text = lines[line - 1].strip()
                mutants.append(Mutant(path, name, args, occurrence, line, function, text))
    return mutants


def mutated_source(mutant: Mutant) -> str | None:
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator

    operator = get_operator(mutant.operator)(**mutant.args)
    source = (ROOT / mutant.path).read_text(encoding="utf-8")
    return mutate_code(source, operator, mutant.occurrence)


def diff(mutant: Mutant, mutated: str) -> str:
    original = (ROOT / mutant.path).read_text(encoding="utf-8").splitlines()
    changed = [
        line
        for line in difflib.unified_diff(original, mutated.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return "\n".join("      " + line.strip() for line in changed)


# --- running ------------------------------------------------------------------------------------


def _tests_for(path: str) -> list[str]:
    for target, _only, tests in TARGETS:
        if target == path:
            return [t for t in tests if (ROOT / t).exists()] + [path]
    raise KeyError(path)


def _pytest(workdir: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    """Run pytest in a worker's copy: 'passed', 'failed' or 'timeout', and the seconds taken."""
    env = dict(
        os.environ,
        PYTHONPATH=str(workdir),  # before site-packages: the copy's planner, not the editable one
        XDG_CACHE_HOME=str(workdir / ".cache"),
        PYTHONDONTWRITEBYTECODE="1",
        CI_REQUIRE_BROWSER="",
    )
    command = [
        sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
        "--hypothesis-seed=0",
        *tests,
    ]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    return ("passed" if done.returncode == 0 else "failed"), time.monotonic() - started


def _make_copy(parent: Path, number: int) -> Path:
    workdir = parent / f"worker-{number}"
    for name in _COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, workdir / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        elif source.exists():
            workdir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, workdir / name)
    return workdir


def run(mutants: list[Mutant], workers: int, timeout_factor: float) -> list[tuple[Mutant, str, str]]:
    parent = Path(tempfile.mkdtemp(prefix="planner-mutation-"))
    try:
        copies = [_make_copy(parent, n) for n in range(workers)]
        # Baseline: the tests must pass unmutated, and their time sets the time limit.
        baseline: dict[str, float] = {}
        for path in sorted({m.path for m in mutants}):
            outcome, seconds = _pytest(copies[0], _tests_for(path), timeout=600)
            if outcome != "passed":
                sys.exit(f"mutation: the tests of {path} fail without a mutant; fix them first")
            baseline[path] = seconds
            print(f"baseline {path}: {seconds:.1f} s", flush=True)
        free = list(copies)
        results: list[tuple[Mutant, str, str]] = []

        def one(mutant: Mutant) -> tuple[Mutant, str, str]:
            workdir = free.pop()
            target = workdir / mutant.path
            original = target.read_text(encoding="utf-8")
            try:
                mutated = mutated_source(mutant)
                if mutated is None:
                    return mutant, "not-applied", ""
                target.write_text(mutated, encoding="utf-8")
                changed = mutated.splitlines()
                mutant.mutated = changed[mutant.line - 1] if mutant.line <= len(changed) else ""
                limit = baseline[mutant.path] * timeout_factor + 10
                outcome, _ = _pytest(workdir, _tests_for(mutant.path), timeout=limit)
                return mutant, "survived" if outcome == "passed" else "killed", diff(mutant, mutated)
            finally:
                target.write_text(original, encoding="utf-8")
                free.append(workdir)

        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            for number, result in enumerate(pool.map(one, mutants), start=1):
                results.append(result)
                mutant, outcome, _ = result
                if outcome != "killed":
                    print(f"[{number}/{len(mutants)}] {outcome}: {mutant.id} (line {mutant.line})", flush=True)
                elif number % 25 == 0:
                    print(f"[{number}/{len(mutants)}] ...", flush=True)
        return results
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, metavar="N", help="run a fixed, seeded sample of N mutants")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED, help="seed of the sample")
    parser.add_argument("--only", metavar="TEXT", help="only the target files whose path contains TEXT")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--timeout-factor", type=float, default=3.0, help="time limit per mutant, as a multiple of the unmutated run (plus 10 s)")
    parser.add_argument("--list", action="store_true", help="count the mutants and exit")
    args = parser.parse_args(argv)

    started = time.monotonic()
    mutants = collect()
    if args.only:
        mutants = [m for m in mutants if args.only in m.path]
    if args.list:
        for path in dict.fromkeys(m.path for m in mutants):
            print(f"{path}: {sum(m.path == path for m in mutants)} mutants")
        print(f"total: {len(mutants)}")
        return 0
    if args.sample is not None and args.sample < len(mutants):
        mutants = sorted(random.Random(args.seed).sample(mutants, args.sample), key=lambda m: (m.path, m.line, m.id))
    results = run(mutants, args.workers, args.timeout_factor)

    applied = [r for r in results if r[1] != "not-applied"]
    killed = sum(r[1] == "killed" for r in applied)
    survivors = [r for r in applied if r[1] == "survived"]
    excused = [r for r in survivors if r[0].equivalent()]
    unexplained = [r for r in survivors if not r[0].equivalent()]
    print()
    for title, group in (("surviving mutants", unexplained), ("equivalent mutants (survive by design)", excused)):
        if not group:
            continue
        print(f"{title}:")
        for mutant, _, shown in group:
            print(f"  {mutant.id}  line {mutant.line} in {mutant.function}()")
            print(shown)
            if mutant.equivalent():
                print(f"      why: {mutant.equivalent()}")
    total = len(applied)
    score = killed / total if total else 1.0
    print()
    print(
        f"mutation score: {killed}/{total} killed ({score:.1%}); "
        f"{len(excused)} equivalent, {len(unexplained)} surviving; "
        f"{'sample of ' + str(args.sample) + ', seed ' + str(args.seed) if args.sample else 'full run'}; "
        f"{time.monotonic() - started:.0f} s"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
