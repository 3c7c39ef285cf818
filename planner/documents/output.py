"""
Writing output files safely: all or nothing, and never over an existing file without ``force``.

A file is written to a temporary file beside it, flushed to disk, and then put in place in one
step: hard-linked to its name without ``force`` (which fails if the name exists, even if the file
appeared meanwhile), or renamed over it with ``force``. A reader never sees half a file, and a
failure, Ctrl-C, SIGTERM or SIGHUP leaves no temporary file behind.

Even with ``force``, an output is never one of the command's inputs (the same file under any
name), nor anything but a regular file (a device, a FIFO, a socket); a replaced file keeps its
permissions (a 0600 blinding key stays 0600).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType

from planner.errors import OutputError

__all__ = ["check_name", "check_writable", "write_atomically"]

_EXISTS = "already exists; use --force to overwrite it"
# Errors os.link gives on filesystems without hard links (FAT, some network and FUSE mounts).
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EXDEV}


def _error(path: Path, exc: OSError) -> OutputError:
    """Translate an OSError met while writing ``path`` into an OutputError."""
    if exc.errno == errno.ENOENT and not path.parent.is_dir():
        return OutputError(path=str(path), message=f"the folder {path.parent} does not exist")
    if exc.errno == errno.EEXIST:
        return OutputError(path=str(path), message=_EXISTS)
    if exc.errno == errno.EISDIR or path.is_dir():
        return OutputError(path=str(path), message="is a folder")
    reason = exc.strerror or type(exc).__name__
    return OutputError(path=str(path), message=f"cannot be written: {reason}")


def check_name(path: str | Path) -> Path:
    """
    Return ``path`` as a Path, once it is known to be a name the filesystem can look up.

    ``Path.exists()`` and its kin raise, rather than answer, for a name holding NUL (ValueError)
    or longer than the filesystem allows (OSError ENAMETOOLONG); this turns both into an
    OutputError before any of them is asked.

    Raises:
        OutputError: the name holds NUL, or it (or one of its folders) is too long.
    """
    text = os.fspath(path)
    if "\0" in text:
        raise OutputError(path=text, message="holds a NUL character, which no file name can")
    try:
        os.lstat(text)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise OutputError(
                path=text,
                message="is too long for the filesystem (at most 255 bytes a name)",
            ) from None
        # Anything else (e.g. permission denied on a folder) is for the caller's checks to name.
    return Path(text)


def check_writable(
    path: str | Path, *, force: bool = False, inputs: Sequence[str | Path] = ()
) -> Path:
    """
    Check, before any work is done, that ``path`` can be written; return it as a Path.

    The folder must exist and be a folder that can be written to, ``path`` must not be a folder,
    and without ``force`` it must not exist. With ``force`` an existing ``path`` must be a
    regular file, and never the same file as one of ``inputs`` (the files the command reads).

    Raises:
        OutputError: one of these does not hold, or the name is unusable (see check_name).
    """
    path = check_name(path)
    folder = path.parent
    if not folder.exists():
        raise OutputError(path=str(path), message=f"the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputError(path=str(path), message=f"{folder} is not a folder")
    if path.is_dir():
        raise OutputError(path=str(path), message="is a folder")
    existing = _stat(path)
    if existing is not None:
        for source in inputs:
            other = _stat(Path(source))
            if other is not None and (other.st_dev, other.st_ino) == (
                existing.st_dev,
                existing.st_ino,
            ):
                raise OutputError(
                    path=str(path),
                    message=f"is an input of this command ({source}); planner never writes over "
                    "its input, even with --force: choose another --out",
                )
        if not stat.S_ISREG(existing.st_mode):
            raise OutputError(
                path=str(path),
                message="is not a regular file (a device, a pipe or a socket); planner writes "
                "only regular files: choose another --out, or --out - for standard output",
            )
    if not force and os.path.lexists(path):
        raise OutputError(path=str(path), message=_EXISTS)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(path=str(path), message=f"cannot be written: {os.strerror(errno.EACCES)}")
    return path


def _stat(path: Path) -> os.stat_result | None:
    """The file ``path`` names (following links), or None when there is none to stat."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _create_temporary(path: Path) -> tuple[int, Path]:
    """Create an empty temporary file beside ``path``; return its descriptor and path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            # Mode 0o666 less the umask, as for any new file (tempfile.mkstemp would give 0o600).
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
        except OSError as exc:
            raise _error(path, exc) from None
    raise OutputError(  # pragma: no cover - 100 collisions of 32 random bits
        path=str(path), message="cannot be written: no free temporary file name"
    )


def _encoded(chunks: Iterable[str | bytes]) -> Iterator[bytes]:
    """Yield the chunks as bytes: str chunks in UTF-8, as long as all chunks are of one type."""
    kind: type | None = None
    for chunk in chunks:
        current = str if isinstance(chunk, str) else bytes
        if not isinstance(chunk, str | bytes | bytearray):
            raise TypeError(f"chunks must be str or bytes, got {type(chunk).__name__}")
        if kind is None:
            kind = current
        elif current is not kind:
            raise TypeError(
                f"chunks must all be {kind.__name__} (as the first one), got {current.__name__}"
            )
        yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)


def _put_in_place(temporary: Path, path: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # fails if path exists, atomically
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # No hard links here: check, then rename. A file appearing in between is overwritten.
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(temporary, path)


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for the new file to disk, where the platform allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open folders
        return
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on folders
        pass
    finally:
        os.close(descriptor)


class _Terminated(BaseException):
    """Raised in place of SIGTERM or SIGHUP while a file is written, so that the temporary file
    is removed before the process ends with the signal's status."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise _Terminated(signum)


@contextlib.contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """
    While writing, turn SIGTERM and SIGHUP into an exception (as Python does SIGINT), so that
    the caller's clean-up runs; then end the process as the signal would have.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {s: signal.getsignal(s) for s in wanted}
    for signum in wanted:
        if previous[signum] in (signal.SIG_DFL, None):
            signal.signal(signum, _raise_terminated)
    try:
        yield
    except _Terminated as terminated:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        signal.signal(terminated.signum, signal.SIG_DFL)
        os.kill(os.getpid(), terminated.signum)
        raise SystemExit(128 + terminated.signum) from None  # pragma: no cover - killed above
    finally:
        for signum, handler in previous.items():
            if signal.getsignal(signum) is _raise_terminated:
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def write_atomically(
    path: str | Path,
    chunks: Iterable[str | bytes],
    *,
    force: bool = False,
    inputs: Sequence[str | Path] = (),
) -> Path:
    """
    Write ``chunks`` to ``path`` all at once, or not at all; return the path written.

    str chunks are written in UTF-8 as they are (line ends are not translated); the type of the
    first chunk decides, and a chunk of the other type is a TypeError. Without ``force`` an
    existing file is never overwritten, even one that appears while the chunks are written;
    with it, a replaced file keeps its permission bits. ``path`` is never one of ``inputs``.
    An exception raised by ``chunks`` (or a KeyboardInterrupt, SIGTERM or SIGHUP) is raised
    again, or the signal delivered, once the temporary file is removed.

    Raises:
        OutputError: the folder does not exist, the path is a folder, an input, not a regular
            file, or exists (without ``force``), or the file cannot be written.
    """
    path = check_writable(path, force=force, inputs=inputs)
    with _cleanup_on_signals():
        descriptor, temporary = _create_temporary(path)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for data in _encoded(chunks):
                    try:
                        handle.write(data)
                    except OSError as exc:
                        raise _error(path, exc) from None
                try:
                    handle.flush()
                    os.fsync(handle.fileno())
                except OSError as exc:
                    raise _error(path, exc) from None
            existing = _stat(path) if force else None
            if existing is not None:
                with contextlib.suppress(OSError):
                    os.chmod(temporary, stat.S_IMODE(existing.st_mode))
            try:
                _put_in_place(temporary, path, force=force)
            except OSError as exc:
                raise _error(path, exc) from None
            _sync_folder(path.parent)
        finally:
            # After a link this removes the temporary name; after a rename nothing is left.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    return path
