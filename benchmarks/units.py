"""
Throughput of three parts of a plan, in-process: reading 10,000 weights, allocating 10,000
animals, and rendering the 40-animal chronic plan as HTML.

Usage::

    python benchmarks/units.py [--runs N] [--check]

Targets (they were wall-clock assertions in the unit tests, where a loaded machine made them
fail; timings belong here): each case in at most 0.5 s.

Baselines, measured in the same run with the same interpreter, for the ratio:

- weights: Python's csv module reading the same 10,000-row file into lists of strings;
- allocation: shuffling the same 10,000 animals with random.Random and sorting them by cage,
  sex and weight (what any stratified allocation has to do at least);
- HTML: jinja2 rendering, with autoescaping, a bare table with one row per dose row of the same
  plan and as many cells as the plan's CSV export has columns.

It prints each median, its baseline, the ratio and PASS or FAIL. Exits 0 unless --check is given
and a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

TARGET_SECONDS = 0.5
ROOT = Path(__file__).resolve().parent.parent


def median_seconds(runs: int, work: Callable[[], object]) -> float:
    """Run ``work`` once untimed, then ``runs`` times; return the median wall time in seconds."""
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def weights_case() -> tuple[Callable[[], object], Callable[[], object]]:
    """parse_weights over 10,000 rows, and the csv module reading the same bytes."""
    from planner.study.cohort import parse_weights

    rows = [
        f"M{i:05d},{20 + i % 97 / 10} g,{i % 3},C{i // 4},{'FM'[i % 2]}" for i in range(10_000)
    ]
    data = "\n".join(["animal,weight,day,cage,sex", *rows]).encode()

    def planner() -> object:
        cohort = parse_weights(data, source="weights.csv")
        assert len(cohort.animals) == 10_000
        return cohort

    def floor() -> object:
        return list(csv.reader(io.StringIO(data.decode("utf-8"))))

    return planner, floor


def allocation_case() -> tuple[Callable[[], object], Callable[[], object]]:
    """allocate 10,000 animals by cage, sex and weight; and a shuffle and a sort of them."""
    from planner.study.allocation import Stratum, allocate, balanced_sizes
    from planner.study.cohort import Animal, Weighing
    from planner.units.registry import Q_

    animals = [
        Animal(
            id=f"M{i:05d}",
            cage=f"C{i % 50}",
            sex="FM"[i % 2],
            weighings=(Weighing(weight=Q_(Decimal(200 + i % 97) / 10, "g"), day=0),),
        )
        for i in range(10_000)
    ]
    sizes = balanced_sizes(10_000, 3)
    strata = [Stratum.CAGE, Stratum.SEX, Stratum.WEIGHT]

    def planner() -> object:
        allocation = allocate(animals, sizes, seed=5, stratify=strata)
        assert len(allocation.groups) == 10_000
        return allocation

    def floor() -> object:
        order = list(animals)
        random.Random(5).shuffle(order)
        return sorted(order, key=lambda a: (a.cage, a.sex, a.weighings[0].weight.magnitude))

    return planner, floor


_TABLE = """<table>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}
</tr>{% endfor %}</table>"""


def html_case() -> tuple[Callable[[], object], Callable[[], object]]:
    """render_html of the 40-animal chronic plan; and jinja2 writing a table of its dose rows."""
    import jinja2

    from planner.documents.export import count_rows
    from planner.documents.templates import render_html
    from planner.knowledge.loading import load_protocol, load_reference
    from planner.study.build import build_plan
    from planner.study.cohort import read_weights

    reference = load_reference()
    protocol = load_protocol("obara2011-cci779-chronic", reference=reference)
    weights = read_weights(ROOT / "tests" / "fixtures" / "weights-chronic.csv")
    plan = build_plan(protocol, reference=reference, weights=weights, seed=1)
    width = 22  # the columns of planner plan --format csv
    rows: list[list[Any]] = [
        [f"<M{n:02d}>", n, "27.3 g", "0.273 mL", *range(width - 4)]
        for n in range(count_rows(plan))
    ]
    template = jinja2.Environment(autoescape=True).from_string(_TABLE)

    def planner() -> object:
        return render_html(plan)

    def floor() -> object:
        return template.render(rows=rows)

    return planner, floor


CASES = {
    "weights: parse_weights, 10,000 rows": (weights_case, "csv module reading the rows"),
    "allocation: 10,000 animals by cage, sex, weight": (
        allocation_case,
        "shuffle + sort of the animals",
    ),
    "HTML: chronic plan, 40 animals": (html_case, "jinja2 table of its dose rows"),
}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")

    failed = False
    print(f"{args.runs} timed runs of each after one untimed run; target <= {TARGET_SECONDS:g} s")
    for label, (case, floor_label) in CASES.items():
        planner, floor = case()
        seconds = median_seconds(args.runs, planner)
        base = median_seconds(args.runs, floor)
        ok = seconds <= TARGET_SECONDS
        failed |= not ok
        print(
            f"{label}: median {seconds * 1000:.0f} ms; {floor_label} {base * 1000:.0f} ms; "
            f"ratio {seconds / base:.1f}: {'PASS' if ok else 'FAIL'}"
        )
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
