"""
Plan throughput: a 10,000-animal, 28-daily-dose plan written as CSV, and the 40-animal HTML plan
of the chronic CCI-779 protocol, each as a whole ``planner plan`` process.

Usage::

    python benchmarks/plan.py [--animals N] [--days N] [--runs N] [--check]

Targets (issue 4): the large CSV plan in at most 5 s and 500 MB peak memory (resident set of
the planner process); the 40-animal HTML plan in at most 1 s.

Baselines, measured in the same run with the same interpreter:

- for the CSV: the floor cost of writing the same number of rows of the same width with
  Python's csv module from values already in memory (no planning at all), in a child process;
- for the HTML: the start-up of the same interpreter importing what every planner process
  needs (pint, with its cached registry, and jinja2).

It prints each median, the ratio to its baseline, peak memory, and PASS or FAIL. Exits 0 unless
--check is given and a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CSV_SECONDS, CSV_MB, HTML_SECONDS = 5.0, 500.0, 1.0

# Runs a command and reports its peak resident memory (ru_maxrss of the child, in KiB on Linux).
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(code, elapsed, peak)
"""

_FLOOR = """
import csv, sys
rows, width = int(sys.argv[1]), int(sys.argv[2])
row = ["M00001", "3", "male", "nerve injury + CCI-779", "B", "B", "12", "2026-03-14", "09:00",
       "6", "obara2011-cci779-28daily", "temsirolimus", "no", "27.3", "7", "0.6825", "mg", "2.5",
       "mg/mL", "0.273", "0.27", "0.5 mL insulin syringe"][:width]
with open(sys.argv[3], "w", newline="") as handle:
    writer = csv.writer(handle, lineterminator="\\n")
    for _ in range(rows):
        writer.writerow(row)
"""

_IMPORTS = "import pint, jinja2; pint.UnitRegistry(cache_folder=':auto:')"


def planner_command() -> list[str]:
    """Return the ``planner`` console script beside this interpreter, or ``python -m planner``."""
    script = Path(sys.executable).parent / "planner"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "planner"]


def measure(command: list[str], cwd: str) -> tuple[float, float]:
    """Run a command once; return (seconds, peak MB). Raise if it fails (exit 2 or worse)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    code, seconds, peak_kib = done.stdout.split()
    if int(code) not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {code}")
    return float(seconds), int(peak_kib) / 1024


def write_inputs(folder: Path, animals: int, days: int) -> tuple[Path, Path]:
    """
    Write a protocol like the chronic CCI-779 one but with ``days`` daily doses and groups that
    add up to ``animals``, and a weights CSV with a weighing every 7 days for each animal.
    """
    from planner.knowledge import _toml
    from planner.knowledge.loading import load_protocol, load_reference, protocol_data

    reference = load_reference()
    base = load_protocol("obara2011-cci779-chronic", reference=reference)
    data = protocol_data(base)
    groups = len(data["group"])
    per_group = [animals // groups + (1 if n < animals % groups else 0) for n in range(groups)]
    for group, n in zip(data["group"], per_group, strict=True):
        group["n"]["value"] = n
    first = 7
    for event in data["timeline"]:
        if event["kind"] == "dosing" or (event["kind"] == "test" and "regimen" in event):
            event["days"]["value"] = list(range(first, first + days))
        if event["kind"] == "tissue":
            event["days"]["value"] = [first + days]
    protocol = folder / "bench-28daily.toml"
    protocol.write_text(_toml.dumps(data), encoding="utf-8")
    rng = random.Random(2026)
    lines = ["animal,weight,day,cage,sex"]
    for number in range(1, animals + 1):
        weight = rng.uniform(22, 30)
        for day in range(0, first + days, 7):
            lines.append(f"M{number:05d},{weight:.1f} g,{day},{(number - 1) // 4 + 1},male")
            weight += rng.uniform(-0.5, 0.8)
    weights = folder / "bench-weights.csv"
    weights.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return protocol, weights


def median_of(runs: int, command: list[str], cwd: str) -> tuple[float, float]:
    """Return the median seconds and the largest peak MB of ``runs`` runs."""
    results = [measure(command, cwd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--animals", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    planner = planner_command()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        protocol, weights = write_inputs(folder, args.animals, args.days)
        rows = args.animals * args.days
        plan_csv = [
            *planner,
            "plan",
            str(protocol),
            "--weights",
            str(weights),
            "--format",
            "csv",
            "--seed",
            "1",
            "--force",
            "--out",
            str(folder / "plan.csv"),
        ]
        measure(plan_csv, tmp)  # warm the caches (reference data, bytecode)
        floor = [sys.executable, "-c", _FLOOR, str(rows), "22", str(folder / "floor.csv")]
        seconds, peak = median_of(args.runs, plan_csv, tmp)
        base, _ = median_of(args.runs, floor, tmp)
        written = sum(1 for _ in (folder / "plan.csv").open()) - 1
        ok = seconds <= CSV_SECONDS and peak <= CSV_MB and written == rows
        failed |= not ok
        print(
            f"CSV plan, {args.animals:,} animals x {args.days} daily doses ({written:,} rows): "
            f"median {seconds:.2f} s, peak {peak:.0f} MB; csv-module floor {base:.2f} s; "
            f"ratio {seconds / base:.1f}; target <= {CSV_SECONDS:g} s and <= {CSV_MB:g} MB: "
            f"{'PASS' if ok else 'FAIL'}"
        )

        html = [
            *planner,
            "plan",
            "obara2011-cci779-chronic",
            "--weights",
            str(_fixture_weights(folder)),
            "--format",
            "html",
            "--seed",
            "1",
            "--force",
            "--out",
            str(folder / "plan.html"),
        ]
        measure(html, tmp)
        seconds, peak = median_of(max(args.runs, 5), html, tmp)
        base, _ = median_of(max(args.runs, 5), [sys.executable, "-c", _IMPORTS], tmp)
        ok = seconds <= HTML_SECONDS
        failed |= not ok
        print(
            f"HTML plan, chronic CCI-779, 40 animals: median {seconds:.2f} s, peak {peak:.0f} MB; "
            f"python + pint + jinja2 start-up {base:.2f} s; ratio {seconds / base:.1f}; "
            f"target <= {HTML_SECONDS:g} s: {'PASS' if ok else 'FAIL'}"
        )
    return 1 if failed and args.check else 0


def _fixture_weights(folder: Path) -> Path:
    rng = random.Random(40)
    lines = ["animal,weight,day,cage,sex"]
    for number in range(1, 41):
        lines.append(f"M{number:02d},{rng.uniform(22, 30):.1f} g,0,{(number - 1) // 4 + 1},male")
    path = folder / "weights-40.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    started = time.perf_counter()
    status = main()
    print(f"(benchmark took {time.perf_counter() - started:.0f} s)")
    sys.exit(status)
