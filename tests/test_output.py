"""
Tests for planner.documents.output: atomic writes that never overwrite without --force.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from planner.documents import output
from planner.documents.output import check_writable, write_atomically
from planner.errors import OutputError


def _leftovers(folder) -> list[str]:
    """Return the names of temporary files left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _failing_chunks():
    """Yield one chunk, then fail as a renderer might."""
    yield "first part\n"
    raise RuntimeError("template error")


class TestWriteAtomically:
    """write_atomically writes all or nothing, and never over a file without force."""

    def test_writes_text(self, tmp_path):
        """str chunks are written in UTF-8, line ends as given."""
        path = tmp_path / "plan.md"

        written = write_atomically(path, ["# Plan\r\n", "5 mcg \u2013 0.5 mL\n"])

        assert path == written
        assert "# Plan\r\n5 mcg \u2013 0.5 mL\n".encode() == path.read_bytes()
        assert [] == _leftovers(tmp_path)

    def test_writes_bytes(self, tmp_path):
        """bytes chunks are written as they are."""
        path = tmp_path / "plan.pdf"

        write_atomically(str(path), [b"%PDF-1.7\n", b"\x00\xff"])

        assert b"%PDF-1.7\n\x00\xff" == path.read_bytes()

    def test_no_chunks(self, tmp_path):
        """No chunks give an empty file."""
        path = tmp_path / "empty.csv"

        write_atomically(path, [])

        assert b"" == path.read_bytes()

    def test_mode_follows_umask(self, tmp_path):
        """The file gets the mode of any new file (0o666 less the umask), not 0o600."""
        path = tmp_path / "plan.md"
        umask = os.umask(0o022)
        try:
            write_atomically(path, ["x"])
        finally:
            os.umask(umask)

        assert 0o644 == stat.S_IMODE(path.stat().st_mode)

    def test_no_overwrite_without_force(self, tmp_path):
        """An existing file is refused and left untouched."""
        path = tmp_path / "plan.md"
        path.write_text("original")

        with pytest.raises(OutputError) as info:
            write_atomically(path, ["new"])

        assert f"{path}: already exists; use --force to overwrite it" == str(info.value)
        assert "original" == path.read_text()
        assert [] == _leftovers(tmp_path)

    def test_overwrite_with_force(self, tmp_path):
        """With force an existing file is replaced."""
        path = tmp_path / "plan.md"
        path.write_text("original")

        write_atomically(path, ["new"], force=True)

        assert "new" == path.read_text()
        assert [] == _leftovers(tmp_path)

    def test_file_appearing_meanwhile_is_not_overwritten(self, tmp_path):
        """A file created while the chunks are written is kept; the write fails."""
        path = tmp_path / "plan.md"

        def chunks():
            yield "ours"
            path.write_text("theirs")

        with pytest.raises(OutputError, match="already exists"):
            write_atomically(path, chunks())

        assert "theirs" == path.read_text()
        assert [] == _leftovers(tmp_path)

    def test_missing_folder(self, tmp_path):
        """A folder that does not exist is named in the message."""
        path = tmp_path / "absent" / "plan.md"

        with pytest.raises(OutputError) as info:
            write_atomically(path, ["x"])

        assert f"the folder {tmp_path / 'absent'} does not exist" == info.value.message

    def test_path_is_a_folder(self, tmp_path):
        """A path that is a folder is refused, with or without force."""
        (tmp_path / "out").mkdir()

        for force in (False, True):
            with pytest.raises(OutputError) as info:
                write_atomically(tmp_path / "out", ["x"], force=force)
            assert "is a folder" == info.value.message

    def test_parent_is_a_file(self, tmp_path):
        """A path under a file is refused."""
        (tmp_path / "file").write_text("x")

        with pytest.raises(OutputError) as info:
            write_atomically(tmp_path / "file" / "plan.md", ["x"])

        assert f"{tmp_path / 'file'} is not a folder" == info.value.message

    def test_exception_mid_iteration(self, tmp_path):
        """An exception raised by the chunks is raised again, and no file is left behind."""
        path = tmp_path / "plan.md"

        with pytest.raises(RuntimeError, match="template error"):
            write_atomically(path, _failing_chunks())

        assert not path.exists()
        assert [] == _leftovers(tmp_path)

    def test_keyboard_interrupt(self, tmp_path):
        """Ctrl-C during the write leaves no temporary file and no output."""
        path = tmp_path / "plan.md"

        def chunks():
            yield "part"
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            write_atomically(path, chunks())

        assert ([], False) == (_leftovers(tmp_path), path.exists())

    def test_exception_with_force_keeps_old_file(self, tmp_path):
        """A failed forced write leaves the old file as it was."""
        path = tmp_path / "plan.md"
        path.write_text("original")

        with pytest.raises(RuntimeError):
            write_atomically(path, _failing_chunks(), force=True)

        assert "original" == path.read_text()
        assert [] == _leftovers(tmp_path)

    @pytest.mark.parametrize("chunks", [["text", b"bytes"], [b"bytes", "text"], ["text", 5]])
    def test_mixed_chunks(self, tmp_path, chunks):
        """Chunks of another type than the first are a TypeError, and nothing is written."""
        path = tmp_path / "plan.md"

        with pytest.raises(TypeError):
            write_atomically(path, chunks)

        assert ([], False) == (_leftovers(tmp_path), path.exists())

    def test_temporary_name(self, tmp_path):
        """The temporary file is hidden, beside the output, named after it, ending .tmp."""
        path = tmp_path / "plan.md"
        seen = []

        def chunks():
            seen.extend(_leftovers(tmp_path))
            yield "x"

        write_atomically(path, chunks())

        assert 1 == len(seen)
        assert seen[0].startswith(".plan.md.")

    def test_without_hard_links(self, tmp_path, monkeypatch):
        """Where hard links are not supported, the file is renamed into place instead."""

        def no_link(*_args):
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(output.os, "link", no_link)
        path = tmp_path / "plan.md"

        write_atomically(path, ["x"])

        assert ("x", []) == (path.read_text(), _leftovers(tmp_path))

    def test_without_hard_links_no_overwrite(self, tmp_path, monkeypatch):
        """Without hard links, a file that appeared meanwhile is still not overwritten."""

        def no_link(*_args):
            raise OSError(errno.ENOTSUP, "Operation not supported")

        monkeypatch.setattr(output.os, "link", no_link)
        path = tmp_path / "plan.md"

        def chunks():
            yield "ours"
            path.write_text("theirs")

        with pytest.raises(OutputError, match="already exists"):
            write_atomically(path, chunks())

        assert ("theirs", []) == (path.read_text(), _leftovers(tmp_path))

    def test_write_error(self, tmp_path, monkeypatch):
        """A disk that fills up is an OutputError, and the temporary file is removed."""

        def full(*_args):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(output.os, "fsync", full)
        path = tmp_path / "plan.md"

        with pytest.raises(OutputError) as info:
            write_atomically(path, ["x"])

        assert "cannot be written: No space left on device" == info.value.message
        assert ([], False) == (_leftovers(tmp_path), path.exists())

    def test_permission_denied_on_create(self, tmp_path, monkeypatch):
        """A folder that refuses new files gives 'cannot be written: Permission denied'."""
        real_open = os.open

        def denied(name, flags, mode=0o777, **kwargs):
            if str(name).endswith(".tmp"):
                raise PermissionError(errno.EACCES, "Permission denied")
            return real_open(name, flags, mode, **kwargs)

        monkeypatch.setattr(output.os, "open", denied)

        with pytest.raises(OutputError) as info:
            write_atomically(tmp_path / "plan.md", ["x"])

        assert "cannot be written: Permission denied" == info.value.message

    def test_unwritable_folder(self, tmp_path, monkeypatch):
        """A folder the user may not write in is refused before anything is written.

        chmod does not stop root (CI runs as root), so the folder is refused the way the
        kernel refuses it: access(W_OK) and every create in it fail with EACCES."""
        folder = tmp_path / "locked"
        folder.mkdir()
        real_open = output.os.open

        def locked(path, *args, **kwargs):
            if Path(path).parent == folder:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(output.os, "open", locked)

        with pytest.raises(OutputError) as info:
            write_atomically(folder / "plan.md", ["x"])

        assert ("cannot be written: Permission denied", []) == (
            info.value.message,
            list(folder.iterdir()),
        )

    def test_is_an_os_error(self, tmp_path):
        """OutputError is also an OSError, for callers that catch those."""
        path = tmp_path / "plan.md"
        path.write_text("x")

        with pytest.raises(OSError):  # noqa: PT011 - the builtin base class is the point
            write_atomically(path, ["y"])


class TestCheckWritable:
    """check_writable refuses early what write_atomically would refuse."""

    def test_valid(self, tmp_path):
        """A new file in an existing folder is fine, and returned as a Path."""
        assert tmp_path / "plan.md" == check_writable(str(tmp_path / "plan.md"))

    def test_existing_with_force(self, tmp_path):
        """An existing file is fine with force."""
        path = tmp_path / "plan.md"
        path.write_text("x")

        assert path == check_writable(path, force=True)

    @pytest.mark.parametrize(
        ("setup", "name", "force", "message"),
        [
            ("file", "plan.md", False, "already exists; use --force to overwrite it"),
            ("folder", "plan.md", True, "is a folder"),
            ("folder", "plan.md", False, "is a folder"),
            ("none", "absent/plan.md", False, "the folder {tmp}/absent does not exist"),
            ("dangling", "plan.md", False, "already exists; use --force to overwrite it"),
        ],
    )
    def test_invalid(self, tmp_path, setup, name, force, message):
        """Each case is refused with its message."""
        path = tmp_path / name
        if setup == "file":
            path.write_text("x")
        elif setup == "folder":
            path.mkdir()
        elif setup == "dangling":
            path.symlink_to(tmp_path / "nowhere")

        with pytest.raises(OutputError) as info:
            check_writable(path, force=force)

        assert message.format(tmp=tmp_path) == info.value.message
        assert str(path) == info.value.path


class TestNeverHarmed:
    """Even with force, an input, a device or a pipe is never written over; modes are kept."""

    def test_input_refused_even_with_force(self, tmp_path):
        """The output is the command's input (by another name, a hard link): refused, intact."""
        source = tmp_path / "weights.csv"
        source.write_text("animal,weight\nM01,25 g\n", encoding="utf-8")
        alias = tmp_path / "alias.csv"
        os.link(source, alias)

        with pytest.raises(OutputError) as info:
            write_atomically(alias, ["x"], force=True, inputs=[str(source)])

        assert "is an input of this command" in info.value.message
        assert ("animal,weight\nM01,25 g\n", []) == (
            source.read_text(encoding="utf-8"),
            sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")),
        )

    def test_fifo_refused_even_with_force(self, tmp_path):
        """A FIFO is not replaced by a regular file: refused, and it is still a FIFO."""
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)

        with pytest.raises(OutputError) as info:
            write_atomically(fifo, ["x"], force=True)

        assert "is not a regular file" in info.value.message
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    def test_device_refused(self):
        """/dev/null is a device: refused with force too, and left as it is."""
        with pytest.raises(OutputError) as info:
            write_atomically("/dev/null", ["x"], force=True)

        assert "is not a regular file" in info.value.message
        assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)

    def test_mode_kept(self, tmp_path):
        """A 0600 file (a blinding key) replaced with force stays 0600, with the new text."""
        key = tmp_path / "key.csv"
        key.write_text("old", encoding="utf-8")
        key.chmod(0o600)

        write_atomically(key, ["new"], force=True)

        assert (0o600, "new") == (stat.S_IMODE(key.stat().st_mode), key.read_text("utf-8"))

    @pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
    def test_signal_leaves_no_temporary_file(self, tmp_path, signame):
        """SIGTERM or SIGHUP while writing: the process ends by that signal, and neither the
        output nor a temporary file is left behind."""
        import signal
        import subprocess
        import sys
        import time

        ready = tmp_path / "ready"
        script = (
            "import pathlib, time\n"
            "from planner.documents.output import write_atomically\n"
            "def chunks():\n"
            "    yield 'first\\n'\n"
            f"    pathlib.Path({str(ready)!r}).write_text('x')\n"
            "    time.sleep(60)\n"
            "    yield 'never\\n'\n"
            f"write_atomically({str(tmp_path / 'plan.md')!r}, chunks())\n"
        )
        process = subprocess.Popen([sys.executable, "-c", script])
        try:
            for _ in range(600):
                if ready.exists():
                    break
                time.sleep(0.05)
            process.send_signal(getattr(signal, signame))
            code = process.wait(timeout=60)
        finally:
            process.kill()

        assert (-getattr(signal, signame), ["ready"]) == (
            code,
            sorted(p.name for p in tmp_path.iterdir()),
        )
