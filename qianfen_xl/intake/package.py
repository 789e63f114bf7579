"""A workbook's zip container: opened and checked before any cell is read.

The container is refused as a whole when it is a zip bomb (from its directory, before
anything is unpacked) or not a workbook at all; its defined names and sheet parts are read
from ``xl/workbook.xml`` with defusedxml. python-calamine reads the cells afterwards; a
panic of its Rust code is caught here too, so that one malformed file never stops a batch.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree

from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.limits import check_archive, entity_member

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_REF = re.compile(r"^'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


def defined_names(root: Any) -> dict[str, tuple[str, str]]:
    """Workbook-level defined names that point at one cell: name → (sheet, ``B2``), from
    the parsed ``xl/workbook.xml``."""
    out: dict[str, tuple[str, str]] = {}
    for node in root.iter(f"{_NS}definedName"):
        if node.get("localSheetId") is not None:
            continue
        match = _REF.match((node.text or "").strip())
        if match:
            sheet = match["sheet"].replace("''", "'")
            out[node.get("name", "")] = (sheet, f"{match['col']}{match['row']}")
    return out


def sheet_parts(archive: zipfile.ZipFile, book: Any) -> dict[str, str]:
    """Sheet name → its XML part in the archive (``xl/worksheets/sheet2.xml``)."""
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship")}
    out = {}
    for node in book.iter(f"{_NS}sheet"):
        target = targets.get(node.get(f"{_DOC_RELS}id"), "")
        out[node.get("name", "")] = (target.lstrip("/") if target.startswith("/")
                                     else posixpath.normpath(f"xl/{target}"))
    return out


class ParserPanic(Exception):
    """python-calamine's Rust code panicked on the file (a date cell out of range, say)."""


@contextlib.contextmanager
def calamine_panics() -> Iterator[None]:
    """Turn a panic of python-calamine into :class:`ParserPanic`. pyo3 raises a panic as
    ``PanicException``, a BaseException that cannot be imported: ``except Exception`` lets
    it through, and one malformed file would stop a whole batch."""
    try:
        yield
    except BaseException as exc:
        if type(exc).__name__ == "PanicException":
            raise ParserPanic(str(exc)) from exc
        raise


def parse_failure(data: bytes, label: str, exc: Exception) -> Finding:
    """Why a parser refused the file: an XML entity declaration, or plain damage."""
    with contextlib.suppress(Exception):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = entity_member(archive)
        if member is not None:
            return Finding("xml-entities", label, detail=member)
    if isinstance(exc, ParserPanic):
        return Finding("file-corrupt", label,
                       detail="有无法解析的单元格（如超出范围的日期），请在 Excel 中检查后另存")
    return Finding("file-corrupt", label, detail=f"无法解析（{type(exc).__name__}）")


@dataclass
class Package:
    """A workbook's zip container, opened and checked: its parts, its workbook-level defined
    names, and which part holds each sheet."""

    archive: zipfile.ZipFile
    members: set[str]
    names: dict[str, tuple[str, str]]
    parts: dict[str, str]


def open_package(data: bytes, label: str) -> Package | Finding:
    """Open an OOXML workbook's bytes: a finding when it is no workbook; LimitExceeded
    when it is a zip bomb (refused from the directory, before anything is unpacked)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return Finding("file-corrupt", label, detail="压缩结构损坏或文件不完整")
    check_archive(archive, label)
    members = set(archive.namelist())
    if "xl/workbook.xml" not in members:
        archive.close()
        what = ("OpenDocument 表格（.ods）" if "content.xml" in members
                else "压缩包，其中没有 Excel 工作簿")
        return Finding("not-a-workbook", label, detail=f"文件是{what}")
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    return Package(archive, members, defined_names(book), sheet_parts(archive, book))
