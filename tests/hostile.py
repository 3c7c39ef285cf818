"""
The hostile-input suite's shared parts: the oracle every case goes through, the case counter,
the Hypothesis settings, and a pytest plugin that reports how many cases ran.

The property (issue 5): whatever a user gives planner (arguments, a protocol file, a weights
file), the CLI either succeeds (exit 0, or 1 when a check of a valid input found an
error-level problem) or exits 2 with exactly one line on stderr, ``planner: error: ...``, that
names the problem. Never a traceback, never another exit status, never a temporary file left
behind, and after exit 2 no output file at all.

Every case also has a verdict (issue 11), ``expect``: "ok" (valid input: exit 0 or 1, never 2),
"refuse" (broken input: exit 2, the error line naming what is broken) or "either" (only where
the input is truly ambiguous; each caller says why). Exit 1 is judged from the findings planner
reports (JSON ``findings`` of level "error", ``ERROR`` lines of ``check`` and ``dose``,
``planner: error:`` lines of ``plan``): exit 1 needs one, and exit 0 must have none. The numbers
of successful runs are checked by the callers against tests/expected.py.

Cases are derandomized: each profile has a fixed seed (SEED; ``PLANNER_HOSTILE_SEED=N`` runs
another), printed in the summary line, so that a failure reproduces.

The suite runs the CLI in-process (``planner.cli.main``), in a fresh temporary folder as the
current folder for each case. ``PLANNER_HOSTILE=release`` runs ten times the examples of the
default ("ci") run; see CONTRIBUTING.md.

The plugin is registered from tests/conftest.py (``pytest_plugins``), and prints after the run::

    hostile-input suite: 10,510 cases (cli 6,334, protocol 2,125, weights 2,051; profile ci, seed 11)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, seed, settings

from planner import cli

__all__ = [
    "COUNTS",
    "EXPECTS",
    "FAMILIES",
    "PROFILE",
    "SEED",
    "Outcome",
    "count",
    "error_findings",
    "examples",
    "run",
    "run_isolated",
    "time_limit",
    "workdir",
]

FAMILIES = ("cli", "protocol", "weights")
COUNTS: Counter[str] = Counter()
"""Cases run in this session, per family."""

# --- Hypothesis settings ----------------------------------------------------------------------
# The profiles are applied per test (``@examples(n)``), never loaded globally: loading one would
# change the number of examples of every other Hypothesis test in the run.

_PROFILES = {"ci": 1, "release": 10}
PROFILE = os.environ.get("PLANNER_HOSTILE", "").strip().lower() or "ci"
"""The profile of this run: "ci" (the default) or "release" (PLANNER_HOSTILE=release)."""
if PROFILE not in _PROFILES:
    raise ValueError(
        f"PLANNER_HOSTILE={os.environ['PLANNER_HOSTILE']!r}; expected one of "
        f"{', '.join(_PROFILES)} (or unset for ci)"
    )

_SEEDS = {"ci": 11, "release": 1011}
"""The fixed seed of each profile (issue 11: a failure must reproduce)."""
SEED = int(os.environ.get("PLANNER_HOSTILE_SEED", "").strip() or _SEEDS[PROFILE])
"""The seed of this run: the profile's, or PLANNER_HOSTILE_SEED to draw other cases."""

for _name in _PROFILES:
    settings.register_profile(
        f"hostile-{_name}",
        deadline=None,  # a case is a whole CLI run; the first one also loads reference data
        database=None,  # the same cases on every run: no replay of earlier failures
        print_blob=True,  # a failure prints the @reproduce_failure line
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,  # a valid table has at least one animal per group
        ],
    )


def examples(ci: int) -> Any:
    """
    Decorate a hostile test (above ``@given``): ``ci`` examples in the default run, ten times as
    many with PLANNER_HOSTILE=release, drawn from the fixed SEED.
    """
    chosen = settings(
        settings.get_profile(f"hostile-{PROFILE}"), max_examples=ci * _PROFILES[PROFILE]
    )

    def decorate(test: Any) -> Any:
        return seed(SEED)(chosen(test))

    return decorate


def count(family: str, cases: int = 1) -> None:
    """Count ``cases`` run cases of ``family`` ("cli", "protocol" or "weights")."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    COUNTS[family] += cases


# --- the oracle -------------------------------------------------------------------------------

_BASE: Path | None = None


def _base() -> Path:
    """A folder for this session's case folders, removed at exit."""
    global _BASE
    if _BASE is None or not _BASE.is_dir():
        _BASE = Path(tempfile.mkdtemp(prefix="planner-hostile-"))
        import atexit

        atexit.register(shutil.rmtree, _BASE, ignore_errors=True)
    return _BASE


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    """A fresh, empty temporary folder for one case (not yet the current folder); removed after."""
    folder = Path(tempfile.mkdtemp(dir=_base()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder``: relative path -> bytes (None for a folder)."""
    files: dict[str, bytes | None] = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs:
            files[os.path.relpath(os.path.join(root, name), folder)] = None
        for name in names:
            path = os.path.join(root, name)
            files[os.path.relpath(path, folder)] = Path(path).read_bytes()
    return files


def _stream() -> io.TextIOWrapper:
    # A text stream with a .buffer, as sys.stdout has (``plan --format pdf --out -`` writes
    # bytes to sys.stdout.buffer).
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="replace")


@attrs.frozen
class Outcome:
    """What one CLI run did."""

    argv: tuple[str, ...]
    code: int
    out: str
    err: str
    created: frozenset[str]
    """Files that the run created in the case folder."""

    @property
    def error(self) -> str:
        """The one error line of an exit-2 run, without its ``planner: error: `` prefix."""
        return self.err.splitlines()[0].removeprefix("planner: error: ") if self.err else ""


LIMIT = 30.0
"""Seconds one case may take before it fails as hanging (the first also loads reference data)."""


def _describe(argv: Sequence[str], code: object, out: str, err: str) -> str:
    return f"planner {list(argv)!r}\nexit {code!r}\n--- stdout ---\n{out[:2000]}\n--- stderr ---\n{err[:2000]}"


def run(
    family: str | None,
    argv: Sequence[str],
    folder: Path,
    *,
    expect: str,
    names: Sequence[str] = (),
    outputs: Collection[str] | None = (),
    force: bool = False,
    limit: float = LIMIT,
) -> Outcome:
    """
    Run ``planner ARGV`` in-process with ``folder`` as the current folder, and check the oracle.

    Args:
        family: the family to count the case in; None to not count it (a second run of a case).
        argv: the arguments.
        folder: the case folder; the files the case needs are already in it.
        expect: the verdict: "ok" (must not exit 2), "refuse" (must exit 2) or "either".
        names: texts the error line must hold if the run exits 2 (a file name, "row 4").
        outputs: the files (relative to ``folder``) a successful run may create or, with
            ``force``, change; None for any new file. Nothing else may change, whatever the
            exit status, and no temporary file may be left.
        force: whether the files in ``outputs`` may be overwritten.
        limit: seconds the run may take; a run that takes longer fails (TimeoutError).

    Returns:
        The outcome, for further checks.
    """
    if family is not None:
        count(family)
    before = _snapshot(folder)
    out, err = _stream(), _stream()
    # stderr as Python sets it up for a terminal or a pipe: characters it cannot encode are
    # escaped, not an error. stdout is strict, as in a UTF-8 locale.
    err.reconfigure(errors="backslashreplace")
    previous = os.getcwd()
    code: object = "no exit"
    os.chdir(folder)
    try:
        with (
            time_limit(limit),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            cli.main(list(argv))
    except SystemExit as exit_:
        code = 0 if exit_.code is None else exit_.code
    except BaseException as exc:
        raise AssertionError(
            f"{type(exc).__name__} escaped planner.cli.main: {exc!r}\n"
            + _describe(argv, "(exception)", _text(out), _text(err))
        ) from exc
    finally:
        os.chdir(previous)
    return _judge(
        argv,
        code,
        _text(out),
        _text(err),
        before,
        _snapshot(folder),
        names=names,
        outputs=outputs,
        force=force,
        expect=expect,
    )


def run_isolated(
    family: str | None,
    argv: Sequence[str],
    folder: Path,
    *,
    seconds: float,
    memory: int = 1024**3,
    expect: str,
    names: Sequence[str] = (),
    outputs: Collection[str] | None = (),
) -> Outcome:
    """
    As :func:`run`, but in a child process limited to ``seconds`` and ``memory`` bytes (POSIX),
    for a case that may hang or fill the memory: one C-level allocation of many gigabytes
    cannot be interrupted in-process, and would take the test run (or the machine) down.
    """
    import subprocess
    import sys

    if family is not None:
        count(family)

    def _limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    before = _snapshot(folder)
    script = "import sys; from planner.cli import main; main(sys.argv[1:])"
    try:
        child = subprocess.run(
            [sys.executable, "-c", script, *argv],
            cwd=folder,
            capture_output=True,
            timeout=seconds,
            # preexec_fn is unsafe with threads; the test process runs none.
            preexec_fn=_limit if os.name == "posix" else None,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"planner {list(argv)!r} still running after {seconds} s") from exc
    stdout = child.stdout.decode("utf-8", errors="replace")
    stderr = child.stderr.decode("utf-8", errors="replace")
    return _judge(
        argv,
        child.returncode,
        stdout,
        stderr,
        before,
        _snapshot(folder),
        names=names,
        outputs=outputs,
        force="--force" in argv,
        expect=expect,
    )


def _judge(
    argv: Sequence[str],
    code: object,
    stdout: str,
    stderr: str,
    before: dict[str, bytes | None],
    after: dict[str, bytes | None],
    *,
    expect: str,
    names: Sequence[str],
    outputs: Collection[str] | None,
    force: bool,
) -> Outcome:
    """Check one run against the oracle (see :func:`run`); return its outcome."""
    if expect not in EXPECTS:
        raise ValueError(f"expect={expect!r}; expected one of {', '.join(EXPECTS)}")
    report = _describe(argv, code, stdout, stderr) + f"\nverdict: {expect}"

    assert code in {0, 1, 2}, report
    assert "Traceback" not in stdout + stderr, report
    leftovers = [name for name in after if name.endswith(".tmp")]
    assert not leftovers, f"temporary files left behind: {leftovers}\n{report}"
    created = frozenset(after.keys() - before.keys())
    changed = {name for name in before.keys() & after.keys() if before[name] != after[name]}
    removed = before.keys() - after.keys()
    assert not removed, f"files removed: {sorted(removed)}\n{report}"
    lines = stderr.splitlines()
    if expect == "refuse":
        assert 2 == code, f"broken input must be refused (exit 2)\n{report}"
    if expect == "ok":
        assert code in {0, 1}, f"valid input must not be refused (exit 2)\n{report}"
    if code == 2:
        assert 1 == len(lines), f"exit 2 must print exactly one line on stderr\n{report}"
        assert lines[0].startswith("planner: error: "), report
        assert not stdout, f"exit 2 must print nothing on stdout\n{report}"
        assert not created, f"exit 2 must write nothing; created {sorted(created)}\n{report}"
        assert not changed, f"exit 2 must change nothing; changed {sorted(changed)}\n{report}"

        for name in names:
            assert name in lines[0], f"the error line does not name {name!r}\n{report}"
    else:
        # What a successful run prints on stderr is planner's own lines (plan's findings,
        # "wrote", the seed), never a stray message.
        strays = [line for line in lines if not line.startswith("planner: ")]
        assert not strays, f"unexpected stderr lines {strays}\n{report}"
        errors = error_findings(argv, stdout, stderr)
        if code == 1:
            assert errors, f"exit 1 must come with an error-level finding\n{report}"
        else:
            assert not errors, f"exit 0 with error-level findings {errors}\n{report}"
        if outputs is not None:
            unexpected = (created | changed) - set(outputs)
            assert not unexpected, f"unexpected files written: {sorted(unexpected)}\n{report}"
            if not force:
                assert not changed, f"files overwritten without --force: {sorted(changed)}"
    assert isinstance(code, int)
    return Outcome(argv=tuple(argv), code=code, out=stdout, err=stderr, created=created)


EXPECTS = ("ok", "refuse", "either")
"""The verdicts a case may have."""

_COMMANDS = {"dose", "convert", "scale", "regimens", "show", "check", "new", "plan"}
_TEXT_ERROR = re.compile(r"^ERROR\b")


def _command(argv: Sequence[str]) -> str | None:
    return argv[0] if argv and argv[0] in _COMMANDS else None


def error_findings(argv: Sequence[str], stdout: str, stderr: str) -> list[str]:
    """
    The error-level findings a successful run reported, parsed from its output: ``plan`` prints
    them on stderr (``planner: error: ...``); ``dose`` and ``check`` in their JSON (``findings``
    of level "error") or, as text, one ``ERROR ...`` line each. Other commands report none.
    """
    command = _command(argv)
    if command == "plan":
        return [line for line in stderr.splitlines() if line.startswith("planner: error: ")]
    if command not in {"dose", "check"}:
        return []
    try:
        data = json.loads(stdout)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        return [
            f"{f.get('code')}: {f.get('message')}"
            for f in data["findings"]
            if isinstance(f, dict) and f.get("level") == "error"
        ]
    return [line for line in stdout.splitlines() if _TEXT_ERROR.match(line)]


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """
    Raise TimeoutError in the main thread if the block takes longer than ``seconds`` (POSIX;
    elsewhere the block runs without a limit). A case that hangs then fails instead.
    """
    import signal

    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        yield
        return

    def _expire(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expire)
    # Then again every second: code that catches Exception cannot swallow the hang for good.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- the pytest plugin ------------------------------------------------------------------------


def pytest_configure(config: Any) -> None:
    """Register the ``hostile`` marker (``-m "not hostile"`` skips the suite)."""
    config.addinivalue_line(
        "markers", "hostile: the hostile-input suite (tests/test_hostile_*.py, issue 5)"
    )


def pytest_sessionfinish(session: Any) -> None:
    """In a pytest-xdist worker, hand this worker's counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["hostile_counts"] = dict(COUNTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the pytest-xdist controller, add up the counts of a worker that finished."""
    COUNTS.update(getattr(node, "workeroutput", {}).get("hostile_counts", {}))


def summary() -> str:
    """The line the suite prints: total cases, then per family."""
    total = sum(COUNTS.values())
    parts = ", ".join(f"{family} {COUNTS[family]:,}" for family in FAMILIES)
    return f"hostile-input suite: {total:,} cases ({parts}; profile {PROFILE}, seed {SEED})"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many hostile cases ran, if any did."""
    if sum(COUNTS.values()):
        terminalreporter.write_sep("-", "hostile-input suite")
        terminalreporter.write_line(summary())
