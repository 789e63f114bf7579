"""Limits on what a submitted file may make us do (SECURITY.md lists them).

A register is some 40–400 KB; these limits are generous for any real register and stop a
hostile or broken file before it costs memory or time. Breaking one is a finding naming
the file, never a crash; the rest of the batch goes on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

from qianfen_xl.contract.findings import Finding

MAX_FILE_BYTES = 25 * 2**20         # a file on disk
MAX_MEMBERS = 2_000                 # entries in the zip container
MAX_UNCOMPRESSED_BYTES = 256 * 2**20  # all entries together, unpacked
MAX_RATIO = 200                     # unpacked / packed, for an entry over RATIO_FLOOR
RATIO_FLOOR = 2**20
MAX_SHEETS = 64
MAX_ROWS = 20_000                   # rows of any sheet we read (a register has ≤ 1,000)
TIME_LIMIT_SECONDS = 30             # reading and checking one file


class LimitExceeded(Exception):
    """Raised inside reading; turned into the finding it carries."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def read_source(path: Path, label: str) -> bytes:
    """The bytes of a submitted file, opened read-only, never through a symbolic link,
    never blocking on a pipe or device, and only when it is no larger than the limit."""
    if path.is_symlink():
        raise LimitExceeded(Finding("file-symlink", label))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LimitExceeded(Finding("not-a-regular-file", label))
        if info.st_size > MAX_FILE_BYTES:
            raise LimitExceeded(Finding("file-too-large", label,
                                        detail=f"{info.st_size / 2**20:.1f} MB"))
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)


def check_archive(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse a zip bomb from the directory alone, before anything is unpacked."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise LimitExceeded(Finding("zip-bomb", label, detail=f"{len(members)} 个压缩项"))
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LimitExceeded(Finding("zip-bomb", label,
                                    detail=f"解压后 {total / 2**20:.0f} MB"))
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(1, m.compress_size):
            raise LimitExceeded(Finding("zip-bomb", label, detail=(
                f"{m.filename} 压缩比 {m.file_size // max(1, m.compress_size)}:1")))


def entity_member(archive: zipfile.ZipFile) -> str | None:
    """The first XML part that declares a DTD or entities (only looked for once a parser
    has refused the file, to say why)."""
    for m in archive.infolist():
        if m.filename.endswith((".xml", ".rels")):
            with archive.open(m) as fh:
                head = fh.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                return m.filename
    return None


@contextlib.contextmanager
def time_limit(seconds: float, label: str) -> Iterator[None]:
    """Stop work on one file after ``seconds`` (where the OS offers an interval timer and
    this is the main thread; elsewhere the size limits bound the work instead)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise LimitExceeded(Finding("file-too-slow", label, detail=f"超过 {seconds:g} 秒"))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
