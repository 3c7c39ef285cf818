"""
The on-disk caches (pint's registry cache and planner's reference cache) never break a command:
a file cut short (a full disk, a killed first run) is rebuilt without a word (issue 14).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

ARGS = ["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"]


def _planner(cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PLANNER_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-m", "planner", *ARGS],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


class TestTruncatedCaches:
    def test_cut_short_files_are_rebuilt(self, tmp_path):
        """Every cache file cut to its first 100 bytes (or emptied): the next run answers as
        the first did, prints nothing on stderr, and leaves readable caches behind."""
        first = _planner(tmp_path)
        pickles = sorted(tmp_path.rglob("*.pickle"))
        assert 0 == first.returncode
        assert {"pint", "planner"} <= {p.parent.name for p in pickles}
        for path in pickles:
            data = path.read_bytes()
            path.write_bytes(data[:100] if path.parent.name == "pint" else b"")

        again = _planner(tmp_path)

        assert (0, first.stdout, "") == (again.returncode, again.stdout, again.stderr)
        for path in tmp_path.rglob("*.pickle"):
            with path.open("rb") as handle:
                pickle.load(handle)  # readable again
