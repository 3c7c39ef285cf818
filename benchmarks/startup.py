"""
Start-up time of ``planner dose`` against a bare pint registry, as whole processes.

Usage::

    python benchmarks/startup.py [--runs N] [--warmup N] [--target RATIO] [--check]

Runs ``planner dose "25 mg/kg" --weight "27 g" --concentration "2.5 mg/mL" --json`` and a bare
``python -c "import pint; pint.UnitRegistry(cache_folder=':auto:')"`` with the same interpreter,
alternately, and prints both medians in milliseconds, their ratio and PASS or FAIL against the
target (planner / pint <= 1.15). Exits 0 unless --check is given and the target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOSE_ARGS = ["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL", "--json"]
BASELINE = [sys.executable, "-c", "import pint; pint.UnitRegistry(cache_folder=':auto:')"]
TARGET = 1.15


def planner_command() -> list[str]:
    """
    Return the command that runs ``planner dose``: the console script beside this interpreter,
    or ``python -m planner`` if there is none.
    """
    bindir = Path(sys.executable).parent
    for name in ("planner", "planner.exe"):
        script = bindir / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script), *DOSE_ARGS]
    return [sys.executable, "-m", "planner", *DOSE_ARGS]


def time_once(command: list[str], cwd: str) -> float:
    """
    Run ``command`` once; return its wall-clock time in milliseconds.

    Raises:
        RuntimeError: the command failed, so its time would mean nothing.
    """
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise RuntimeError(
            f"{command} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}"
        )
    return elapsed


def _compile_planner() -> None:
    """
    Write planner's bytecode first, as ``pip install`` does for a regular install (and did for
    pint): an editable install under PYTHONDONTWRITEBYTECODE would otherwise recompile planner's
    modules on every run while pint's come precompiled, which is not a like-for-like comparison.
    """
    import compileall

    import planner

    compileall.compile_dir(str(Path(planner.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument(
        "--runs", type=int, default=21, help="timed runs of each command (at least 15; default 21)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="untimed runs of each command first (default 2)"
    )
    parser.add_argument(
        "--target", type=float, default=TARGET, help=f"largest passing ratio (default {TARGET})"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the ratio is above the target"
    )
    args = parser.parse_args(argv)
    if args.runs < 15:
        parser.error("--runs must be at least 15")

    planner = planner_command()
    _compile_planner()
    timings: dict[str, list[float]] = {"planner": [], "pint": []}
    # Run outside the repository so that nothing is picked up from the working directory, and
    # alternate the two commands so that drift in machine load affects both alike.
    with tempfile.TemporaryDirectory(prefix="planner-startup-") as cwd:
        for _ in range(args.warmup):
            time_once(planner, cwd)
            time_once(BASELINE, cwd)
        for _ in range(args.runs):
            timings["planner"].append(time_once(planner, cwd))
            timings["pint"].append(time_once(BASELINE, cwd))

    planner_ms = statistics.median(timings["planner"])
    pint_ms = statistics.median(timings["pint"])
    ratio = planner_ms / pint_ms
    passed = ratio <= args.target
    command = " ".join(planner[: len(planner) - len(DOSE_ARGS)])
    rows = {
        "interpreter": f"{sys.executable} (Python {sys.version.split()[0]})",
        "planner command": f"{command} {DOSE_ARGS[0]} ...",
        "runs": f"{args.runs} each, after {args.warmup} warm-up runs, alternating",
    }
    for name, label in (("planner", "planner dose"), ("pint", "bare pint")):
        ms = timings[name]
        median = statistics.median(ms)
        rows[label] = f"median {median:.1f} ms (min {min(ms):.1f}, max {max(ms):.1f})"
    rows["ratio"] = f"{ratio:.2f} (target <= {args.target:g}): {'PASS' if passed else 'FAIL'}"
    for label, text in rows.items():
        print(f"{label:<16} {text}")
    return 1 if args.check and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
