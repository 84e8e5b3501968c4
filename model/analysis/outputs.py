"""Writing outputs safely: the --out folder, its lock, atomic files and harmless CSV cells.

Every command's output folder goes through ``OutFolder``: it is checked before any work
(a folder, or a missing one whose parent can be written), locked against a second process
(``.lock`` holds the owner's pid; the lock is an ``flock`` the kernel drops when the
process dies, even on SIGKILL), and marked ``INCOMPLETE`` while the command runs, the
marker removed only when every file is written. Files are written to a uniquely named
temporary file in the same folder and moved into place with ``os.replace``, so a crash or a
full disk never leaves half a file under its final name. Text cells of every CSV that a
spreadsheet would execute (starting with ``= + - @``, a tab or a carriage return) are
prefixed with an apostrophe. Names are labels, never paths: ``safe_name`` turns any label
into one file-name component.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

LOCK_NAME = ".lock"
INCOMPLETE_NAME = "INCOMPLETE"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class OutError(RuntimeError):
    """The output folder cannot be used (message for the user, exit 2)."""


def short(value: object, limit: int = 60) -> str:
    """``repr``-like text of ``value`` cut to ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def safe_name(label: str, limit: int = 80) -> str:
    """One file-name component for ``label``: letters, digits, ``. _ -`` only.

    A label that is already safe is kept as it is; any other gets its unsafe characters
    replaced and a short hash of the original appended, so different labels never share a
    file. The result never starts with a dot and never contains a separator.
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", label).lstrip(".-") or "x"
    if slug == label and len(label) <= limit:
        return label
    digest = hashlib.sha256(label.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug[:limit]}-{digest}"


def _neutral(value: object) -> object:
    """``value`` with an apostrophe in front when a spreadsheet would run it as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
        return value  # a plain negative or signed number
    except ValueError:
        return "'" + value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names, index) cannot be formulas."""
    text = [c for c in frame.columns if frame[c].dtype == object
            or isinstance(frame[c].dtype, pd.StringDtype)
            or isinstance(frame[c].dtype, pd.CategoricalDtype)]
    frame = frame.copy()
    for column in text:
        frame[column] = frame[column].astype(object).map(_neutral)
    frame.columns = [_neutral(c) for c in frame.columns]
    if frame.index.dtype == object:
        frame.index = frame.index.map(_neutral)
    return frame


def temporary_path(path: Path) -> Path:
    """A unique temporary name beside ``path`` that keeps its suffix (plots need it)."""
    return path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
                          f"{path.suffix}")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path; move it onto ``path`` if the block succeeds, else delete it."""
    path = Path(path)
    temporary = temporary_path(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def write_atomic(path: Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(temporary)`` then move the temporary file onto ``path``."""
    with atomic_path(path) as temporary:
        writer(temporary)
    return Path(path)


def write_csv(frame: pd.DataFrame, path: Path, index: bool = False) -> Path:
    """Write ``frame`` as CSV atomically, text cells neutralised."""
    return write_atomic(path, lambda p: neutralise(frame).to_csv(p, index=index))


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` atomically."""
    return write_atomic(path, lambda p: Path(p).write_text(text))


def write_json(path: Path, data: object) -> Path:
    """Write ``data`` as indented JSON atomically."""
    return write_text(path, json.dumps(data, indent=2, default=str))


def is_disk_full(err: BaseException) -> bool:
    """True for an OSError saying the disk (or quota, or file size limit) is full."""
    return isinstance(err, OSError) and err.errno in DISK_FULL


# Folders no output may go into (as root every one of them is writable). Not /usr, /var or
# /opt: a project (and its default --out) may legitimately live below them.
SYSTEM_FOLDERS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys")


def check_writable(out: Path, option: str = "--out") -> None:
    """Raise ``OutError`` unless ``out`` is (or can be made) a writable folder.

    Nothing is created: a missing folder is fine when its nearest existing parent is a
    writable folder.
    """
    out = Path(out)
    resolved = out.resolve()
    if resolved == Path(resolved.anchor) or any(
            resolved == Path(d) or Path(d) in resolved.parents for d in SYSTEM_FOLDERS):
        raise OutError(f"{option} {short(out)}: a system folder; allowed: a folder of your "
                       "own, e.g. --out results")
    if out.exists() and not out.is_dir():
        raise OutError(f"{option} {short(out)}: is a file; allowed: a folder (new or existing)")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutError(f"{option} {short(out)}: {short(existing)} is a file; allowed: a "
                       "folder path")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutError(f"{option} {short(out)}: {short(existing)} is not writable; allowed: "
                       "a writable folder")


class OutFolder:
    """An output folder held by this process: checked, locked and marked until finished.

    Use as a context manager around a command's work. On entry: ``check_writable``, the
    folder is created, ``.lock`` is locked (``OutError`` "in use by pid N" if another
    process holds it) and ``INCOMPLETE`` is written. ``finish()`` removes the marker once
    every output is written; leaving the block without ``finish()`` keeps it, with the
    reason. The lock is released on exit (and by the kernel if the process dies).
    """

    def __init__(self, out: Path, command: str, option: str = "--out"):
        """Remember the folder, the command (for the marker) and the option's name."""
        self.out, self.command, self.option = Path(out), command, option
        self._lock_fd: int | None = None
        self.note = "the command stopped before writing every output"

    def __enter__(self) -> "OutFolder":
        """Check, create, lock and mark the folder."""
        check_writable(self.out, self.option)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise OutError(f"{self.option} {short(self.out)}: cannot write there "
                           f"({err.strerror}); allowed: a writable folder") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise OutError(f"{self.option} {short(self.out)}: in use by pid {holder} (another "
                           "command writes there); allowed: wait for it or use another "
                           f"{self.option}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd
        previous = self.out / INCOMPLETE_NAME
        self.resumed_incomplete = previous.exists()
        self.mark(self.note)
        return self

    def mark(self, note: str) -> None:
        """(Re)write the INCOMPLETE marker with ``note`` (what a reader should know)."""
        self.note = note
        with contextlib.suppress(OSError):
            write_text(self.out / INCOMPLETE_NAME,
                       f"{self.command} (pid {os.getpid()}, started "
                       f"{time.strftime('%Y-%m-%d %H:%M:%S')}) did not finish: {note}.\n"
                       "Files here may mix this run and an earlier one. Run the same command "
                       "again to finish (finished runs in runs/ are kept).\n")

    def finish(self) -> None:
        """Every output is written: remove the INCOMPLETE marker."""
        (self.out / INCOMPLETE_NAME).unlink(missing_ok=True)

    def __exit__(self, *exc) -> None:
        """Release the lock (the marker stays unless ``finish`` was called)."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def set_aside(path: Path) -> Path:
    """Rename a damaged file to ``<name>.damaged-<n>`` beside it and return the new path."""
    n = 1
    while (target := path.with_name(f"{path.name}.damaged-{n}")).exists():
        n += 1
    os.replace(path, target)
    return target


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yield a fresh hidden folder inside ``out``; on success move its files into ``out``.

    For writers that take a folder: each of their files reaches ``out`` whole (one
    ``os.replace`` each) or not at all. The staging folder is always removed.
    """
    import shutil

    stage = Path(out) / f".stage-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    stage.mkdir()
    try:
        yield stage
        for path in sorted(stage.iterdir()):
            os.replace(path, Path(out) / path.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
