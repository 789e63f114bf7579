"""Limits on what a submitted file may make us do (SECURITY.md lists them).

A register is some 40–400 KB; these limits are generous for any real register and stop a
hostile or broken file before it costs memory or time. Breaking one is a finding naming
the file, never a crash; the rest of the batch goes on.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
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
MAX_COLUMNS = 64                    # columns of any sheet we read (a register uses ≤ 16)
TIME_LIMIT_SECONDS = 30             # reading and checking one file
# The package scan (intake/xmlscan.py): every part is unpacked a chunk at a time; a sheet
# whose cells are not written the regular way is walked whole, up to WALK_MAX_BYTES; the
# sheets the formula check needs are kept unpacked up to HOLD_BYTES each.
SCAN_CHUNK_BYTES = 2**20
WALK_MAX_BYTES = 64 * 2**20
HOLD_BYTES = 16 * 2**20
# A batch worker process may grow by this much address space beyond what it starts with
# (RLIMIT_AS, where the OS has it): a file that needs more costs that worker, never the
# batch, and is reported as file-too-large.
WORKER_MEMORY_BYTES = 2**30
# A JSON file we read (an earlier year's results: some 300 bytes a person).
MAX_JSON_BYTES = 8 * 2**20
MAX_JSON_DEPTH = 16


class LimitExceeded(Exception):
    """Raised inside reading; turned into the finding it carries."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


@contextlib.contextmanager
def opened_source(path: Path, label: str) -> Iterator[tuple[int, os.stat_result]]:
    """A submitted file opened read-only (its descriptor and status), never through a
    symbolic link, never blocking on a pipe or device: LimitExceeded when it is a link or
    no regular file."""
    if path.is_symlink():
        raise LimitExceeded(Finding("file-symlink", label))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LimitExceeded(Finding("not-a-regular-file", label))
        yield fd, info
    finally:
        os.close(fd)


def read_source(path: Path, label: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a submitted file, opened as :func:`opened_source` opens it, and only
    when it is no larger than ``limit``."""
    with opened_source(path, label) as (fd, info):
        if info.st_size > limit:
            raise LimitExceeded(Finding("file-too-large", label,
                                        detail=f"{info.st_size / 2**20:.1f} MB"))
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:  # grew while it was read
            raise LimitExceeded(Finding("file-too-large", label))
        return data


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = bytes.maketrans(b"[]{}", b"()()")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def json_depth_within(data: bytes, limit: int) -> bool:
    """Whether no array or object of the JSON text nests deeper than ``limit``: each pass
    removes the innermost pairs, at C speed (the parser itself recurses, and a text nested
    100,000 deep would exhaust its stack).

    >>> json_depth_within(b'{"a": [[1], "]]]]"]}', 3), json_depth_within(b"[" * 9 + b"]" * 9, 8)
    (True, False)
    """
    shape = _JSON_STRING.sub(b"", data).translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        if not shape:
            return True
        shape = shape.replace(b"()", b"")
    return not shape


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"数值超出范围：{text[:20]}")
    return value


def _no_constant(text: str) -> object:
    raise ValueError(f"不是有效的数值：{text}")


def read_json(path: Path, label: str) -> object:
    """A JSON file read as a submitted file is (:func:`read_source`: a regular file, not
    through a link) and parsed within limits: at most ``MAX_JSON_BYTES``, nested at most
    ``MAX_JSON_DEPTH`` deep, every number finite (``1e400``, ``NaN`` refused). Raises
    LimitExceeded (the file), OSError, or ValueError with a Chinese reason (its text)."""
    data = read_source(path, label, MAX_JSON_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("不是 UTF-8 编码的文本") from exc
    if not json_depth_within(data, MAX_JSON_DEPTH):
        raise ValueError(f"嵌套超过 {MAX_JSON_DEPTH} 层")
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"不是有效的 JSON（第 {exc.lineno} 行）") from exc


def check_archive(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse a zip bomb from the directory alone, before anything is unpacked, and a
    package holding one part twice (which copy a reader takes is up to the reader; zip
    readers look names up without regard to case)."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise LimitExceeded(Finding("zip-bomb", label, detail=f"{len(members)} 个压缩项"))
    names: set[str] = set()
    for m in members:
        key = m.filename.lower()
        if key in names:
            raise LimitExceeded(Finding("part-duplicate", label, detail=m.filename))
        names.add(key)
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LimitExceeded(Finding("zip-bomb", label,
                                    detail=f"解压后 {total / 2**20:.0f} MB"))
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(1, m.compress_size):
            raise LimitExceeded(Finding("zip-bomb", label, detail=(
                f"{m.filename} 压缩比 {m.file_size // max(1, m.compress_size)}:1")))


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


def cap_memory(extra: int | None = None) -> bool:
    """Let this process grow by at most ``extra`` bytes of address space beyond what it
    holds now (RLIMIT_AS; Linux reads its size from /proc). An allocation past it fails:
    in Python a MemoryError, in python-calamine's Rust code an abort that ends the process,
    which the batch reports against the file it was reading. False where not possible."""
    try:
        import resource

        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[0])
        ceiling = pages * os.sysconf("SC_PAGE_SIZE") + (extra or WORKER_MEMORY_BYTES)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            ceiling = min(ceiling, hard)
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (ImportError, OSError, ValueError):
        return False
    return True
