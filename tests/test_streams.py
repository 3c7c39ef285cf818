"""
--out - and every printed answer work, or fail with one line, whatever standard output is:
closed, a pipe closed early, or set to another encoding (issue 14, item 5). Each case runs
planner as its own process, as a shell would.
"""

from __future__ import annotations

import os
import subprocess
import sys

CHRONIC = "obara2011-cci779-chronic"
PLAN_MD = ["plan", CHRONIC, "--seed", "1", "--format", "md", "--out", "-"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    return {**env, **extra}


def _planner(args, *, stdout=subprocess.PIPE, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env or _env(),
        timeout=120,
        check=False,
        **kwargs,
    )


class TestClosedStdout:
    def test_out_dash_with_stdout_closed(self):
        """plan --out - with stdout closed: exit 2 and one line saying so, no traceback."""
        script = (
            "import os, subprocess, sys; os.close(1); "
            f"sys.exit(subprocess.run([sys.executable, '-m', 'planner', *{PLAN_MD!r}]).returncode)"
        )
        result = subprocess.run(
            [sys.executable, "-c", script], stderr=subprocess.PIPE, text=True, timeout=120
        )
        lines = result.stderr.splitlines()

        assert (2, 1) == (result.returncode, len(lines))
        assert lines[0].startswith("planner: error: standard output is closed")

    def test_file_output_with_stdout_closed(self, tmp_path):
        """plan --out FILE needs no stdout: with it closed the file is written, exit 0."""
        out = tmp_path / "plan.md"
        args = ["plan", CHRONIC, "--seed", "1", "--format", "md", "--out", str(out)]
        script = (
            "import os, subprocess, sys; os.close(1); "
            f"sys.exit(subprocess.run([sys.executable, '-m', 'planner', *{args!r}]).returncode)"
        )
        result = subprocess.run([sys.executable, "-c", script], timeout=120, check=False)

        assert (0, True) == (result.returncode, out.read_text("utf-8").startswith("# "))


class TestBrokenPipe:
    def test_reader_stops_early(self):
        """plan --out - | head -c 100: planner exits 0 and prints nothing on stderr (the reader
        chose to stop; the shell convention)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "planner", *PLAN_MD],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
        assert process.stdout is not None
        assert process.stderr is not None
        with process.stdout, process.stderr:
            process.stdout.read(100)
            process.stdout.close()
            code = process.wait(timeout=120)
            err = process.stderr.read()

        assert (0, b"") == (code, err)


class TestEncodings:
    def test_ascii_locale_gets_utf8(self):
        """With PYTHONIOENCODING=ascii the Markdown plan is still written whole, in UTF-8 (it
        has the multiplication sign of the preparation formula)."""
        result = _planner(PLAN_MD, env=_env(PYTHONIOENCODING="ascii"))

        assert (0, b"") == (result.returncode, result.stderr)
        assert "\N{MULTIPLICATION SIGN}".encode() in result.stdout
        assert result.stdout.decode("utf-8").endswith("\n")

    def test_latin1_dose(self):
        """planner dose on a Latin-1 stdout answers in UTF-8 bytes, exit 0."""
        result = _planner(
            ["dose", "25 mg/kg", "--weight", "27 g", "--concentration", "2.5 mg/mL"],
            env=_env(PYTHONIOENCODING="latin-1"),
        )

        assert 0 == result.returncode
        assert result.stdout.decode("utf-8").startswith("dose 25 mg/kg i.p. for a 27 g mouse")


class TestMarkdownNames:
    def test_link_and_image_syntax_is_text(self, tmp_path):
        """Animal ids written as a Markdown image or link print as text in the md plan."""
        rows = ["animal,weight"] + [f"M{n:02d},25 g" for n in range(1, 39)]
        rows += ["![x](http://e.org/a.png),25 g", "[y](http://e.org),25 g"]
        weights = tmp_path / "w.csv"
        weights.write_text("\n".join(rows) + "\n", "utf-8")

        result = _planner([*PLAN_MD, "--weights", str(weights)])
        text = result.stdout.decode("utf-8")

        assert 0 == result.returncode
        assert "![x](" not in text
        assert "](http" not in text.replace("\\](http", "")
        assert "\\![x\\](http://e.org/a.png)" in text
