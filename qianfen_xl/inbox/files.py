"""The inbox's file store: every file's bytes kept under its SHA-256, never overwritten,
and an upload received into it without trusting anything the request says.

A file is written to a temporary file (``DIR/tmp``), flushed to disk, then renamed to
``DIR/files/ab/abcd….xlsx`` (the name is its SHA-256; the suffix one of a fixed list, as the
readers tell formats by it). A crash mid-upload leaves at most a temporary file, removed at
the next start; the database row is written only once the file is in place. The body of an
upload is counted as it arrives and refused at the size limit, before any parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from qianfen_xl.batch.inbox import REGISTER_SUFFIXES

KEPT_SUFFIXES = (*REGISTER_SUFFIXES, ".toml")
MULTIPART_OVERHEAD = 64 * 1024   # headers and boundaries around the one file of an upload
FILENAME_MAX = 120


class UploadRefused(Exception):
    """An upload that cannot be taken: the HTTP status and the Chinese message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def clean_filename(raw: str) -> str:
    """A file name as sent, made safe to show and to put in a zip: the last path part, no
    control characters, no leading dots, at most FILENAME_MAX characters.

    >>> clean_filename("C:\\\\登记表\\\\..\\\\社保所\\x00.xlsx")
    '社保所.xlsx'
    >>> clean_filename("../../etc/passwd"), clean_filename("")
    ('passwd', '登记表')
    """
    name = re.split(r"[\\/]", raw)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > FILENAME_MAX:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:FILENAME_MAX - len(suffix) - 1] + dot + suffix
                if dot and len(suffix) <= 5 else name[:FILENAME_MAX])
    return name or "登记表"


def kept_suffix(filename: str) -> str:
    """The suffix a stored file gets: the name's, when it is one the readers know."""
    suffix = Path(filename).suffix.lower()
    return suffix if suffix in KEPT_SUFFIXES else ""


@dataclass
class Stored:
    sha256: str
    size: int
    suffix: str
    path: Path


class FileStore:
    def __init__(self, root: Path) -> None:
        self.files = root / "files"
        self.tmp = root / "tmp"
        self.files.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str, suffix: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256) or suffix not in (*KEPT_SUFFIXES, ""):
            raise ValueError("not a stored file's name")
        return self.files / sha256[:2] / f"{sha256}{suffix}"

    def clean_temporary(self) -> int:
        """Remove what an interrupted upload left (at start, before serving)."""
        count = 0
        for item in self.tmp.iterdir():
            with contextlib.suppress(OSError):
                item.unlink()
                count += 1
        return count

    def temporary(self) -> IO[bytes]:
        return tempfile.NamedTemporaryFile(dir=self.tmp, prefix="upload-", delete=False)

    def commit(self, handle: IO[bytes], sha256: str, size: int, suffix: str) -> Stored:
        """Put a written temporary file in place under its hash (flushed to disk first);
        an identical file already stored is kept as it is."""
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        temp = Path(handle.name)
        target = self.path(sha256, suffix)
        if target.exists():
            temp.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            os.replace(temp, target)
            _fsync_dir(target.parent)
        return Stored(sha256, size, suffix, target)

    def put(self, data: bytes, filename: str) -> Stored:
        handle = self.temporary()
        try:
            handle.write(data)
            return self.commit(handle, hashlib.sha256(data).hexdigest(), len(data),
                               kept_suffix(filename))
        except BaseException:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
            raise


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every system lets a folder be opened
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None


@dataclass
class Received:
    filename: str
    stored: Stored


async def receive_file(body: AsyncIterator[bytes], content_type: str,
                       content_length: str | None, store: FileStore, limit: int,
                       field_name: str = "file") -> Received:
    """Stream a ``multipart/form-data`` body into the store: the part named ``field_name``
    hashed and written as it arrives; refused (413) past ``limit`` bytes of file or
    ``limit`` plus the multipart overhead of body, without reading the rest."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "上传格式有误：请以表单文件（multipart/form-data）上传，字段名 file")
    too_large = UploadRefused(413, f"文件超过 {limit // 2**20} MB 的上限，未接收：登记表通常不足 "
                                   "1 MB，请删除多余的工作表或图片后重新上传")
    if content_length is not None:
        with contextlib.suppress(ValueError):
            if int(content_length) > limit + MULTIPART_OVERHEAD:
                raise too_large
    handle = store.temporary()
    digest = hashlib.sha256()
    state = {"size": 0, "found": 0, "body": 0}
    part = _Part()
    header_field, header_value = bytearray(), bytearray()

    def on_part_begin() -> None:
        nonlocal part
        part = _Part()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        part.headers[header_field.decode("latin-1").lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, opts = parse_options_header(part.headers.get("content-disposition", b""))
        part.name = opts.get(b"name", b"").decode("utf-8", "replace")
        raw = opts.get(b"filename")
        part.filename = raw.decode("utf-8", "replace") if raw is not None else None
        if part.name == field_name and part.filename is not None:
            state["found"] += 1

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part.name != field_name or part.filename is None or state["found"] != 1:
            return
        chunk = data[start:end]
        state["size"] += len(chunk)
        if state["size"] > limit:
            raise too_large
        digest.update(chunk)
        handle.write(chunk)

    filename = ""
    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_part_data": on_part_data})
    try:
        async for chunk in body:
            state["body"] += len(chunk)
            if state["body"] > limit + MULTIPART_OVERHEAD:
                raise too_large
            parser.write(chunk)
            if part.filename is not None and part.name == field_name:
                filename = part.filename
        parser.finalize()
        if state["found"] != 1:
            raise UploadRefused(400, "请在表单字段 file 中上传一个登记表文件")
        name = clean_filename(filename)
        # flushed to disk and renamed in a thread: an fsync never holds up other requests
        return Received(name, await run_in_threadpool(store.commit, handle, digest.hexdigest(),
                                                      state["size"], kept_suffix(name)))
    except UploadRefused:
        raise
    except Exception as exc:
        raise UploadRefused(400, "上传的内容不完整或格式有误，请重新上传") from exc
    finally:
        if not handle.closed:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
