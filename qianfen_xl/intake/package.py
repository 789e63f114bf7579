"""A workbook's zip container: opened, scanned and checked before any cell is read.

The container is refused as a whole when it is a zip bomb or holds a part twice (from its
directory, before anything is unpacked), when an XML part that is scanned declares a DTD or
entities (the scan of ``xmlscan``, before any parser sees a part), or when it is no
workbook at all. Its defined names, sheets and sheet parts are read from
``xl/workbook.xml`` with defusedxml. python-calamine reads the cells afterwards, a sheet
only once the scan has shown how far its cells reach; a panic of its Rust code is caught
here too, so that one malformed file never stops a batch.

Every part is scanned (``open_package``), or, for a register (``lean``), only the parts
python-calamine reads: then calamine is given a package of those parts alone
(``Package.for_calamine``), so no parser ever sees a part that was not scanned.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from python_calamine import CalamineSheet, CalamineWorkbook

from qianfen_xl.contract.errors import describe_os_error
from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.limits import (
    HOLD_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    LimitExceeded,
    check_archive,
    opened_source,
    read_source,
)
from qianfen_xl.intake.xmlscan import (
    SheetMeasure,
    measure_sheet,
    measure_xml,
    member_data,
    scan_part,
)

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_REF = re.compile(r"^'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


def is_legacy_workbook(path: Path) -> bool:
    """A legacy (OLE) workbook, .xls or .et, whatever its name: the package scan cannot
    measure its sheets, and python-calamine builds every sheet of it on opening (a 130 KB
    .xls can ask for 1.7 GB), so it is only ever read in a process under the memory
    ceiling (``batch.workers.intake_guarded``). A file that cannot be opened, or is opened
    only as a submitted file never is (a pipe, a device, a link: ``opened_source``), is not
    one: reading it then reports why."""
    try:
        with opened_source(path, path.name) as (fd, _):
            return os.read(fd, len(OLE_MAGIC)) == OLE_MAGIC
    except (OSError, LimitExceeded):
        return False


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


SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
# The parts that say what the others are: scanned (and kept) before they are parsed.
STRUCTURE = ("[content_types].xml", "_rels/.rels", "xl/workbook.xml",
             "xl/_rels/workbook.xml.rels")
# What python-calamine reads on opening a workbook, besides the sheets asked for (calamine's
# Xlsx::new: the package's relationships, shared strings, styles, the workbook and its
# relationships). A lean package holds these and the sheets read, nothing else.
CALAMINE_READS = ("_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                  "xl/styles.xml", "xl/sharedstrings.xml")


@dataclass(frozen=True)
class SheetEntry:
    """A sheet as ``xl/workbook.xml`` lists it: its name, state and part."""

    name: str
    state: str      # visible · hidden · veryHidden
    part: str       # as python-calamine resolves the target ("" when it has none)


def calamine_part(target: str) -> str:
    """The part python-calamine reads for a sheet's relationship target.

    >>> calamine_part("worksheets/sheet1.xml"), calamine_part("/xl/worksheets/s.xml")
    ('xl/worksheets/sheet1.xml', 'xl/worksheets/s.xml')
    """
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else f"xl/{target}"


def sheet_entries(rels_xml: bytes, book: Any) -> list[SheetEntry]:
    """Every sheet of the workbook, in its order."""
    rels = ElementTree.fromstring(rels_xml)
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_RELS}Relationship")}
    out = []
    for node in book.iter(f"{_NS}sheet"):
        # calamine takes r:id whatever namespace the prefix names: so does this.
        rid = next((v for k, v in node.attrib.items() if k.endswith("}id")), "")
        out.append(SheetEntry(node.get("name", ""), node.get("state", "visible"),
                              calamine_part(targets.get(rid, "") or "")))
    return out


Structure = tuple[dict[str, tuple[str, str]], tuple[SheetEntry, ...]]
_STRUCTURES: dict[tuple[bytes, bytes | None], Structure] = {}
_REMEMBERED_BYTES = 1 << 16  # a register's workbook.xml is a few KB


def workbook_structure(book_xml: bytes, rels_xml: bytes | None) -> Structure:
    """The defined names and the sheets of ``xl/workbook.xml`` and its relationships (both
    scanned), parsed with defusedxml. The registers of one template carry the same two
    parts, byte for byte: small ones are parsed once a process (a few dozen kept)."""
    key = (book_xml, rels_xml)
    found = _STRUCTURES.get(key)
    if found is None:
        book = ElementTree.fromstring(book_xml)
        found = (defined_names(book),
                 tuple(sheet_entries(rels_xml, book)) if rels_xml is not None else ())
        if len(book_xml) + len(rels_xml or b"") <= _REMEMBERED_BYTES:
            if len(_STRUCTURES) >= 64:
                _STRUCTURES.clear()
            _STRUCTURES[key] = found
    return found


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


def parse_failure(label: str, exc: Exception) -> Finding:
    """Why a parser refused the file (the scan has ruled out entity declarations)."""
    if isinstance(exc, ParserPanic):
        return Finding("file-corrupt", label,
                       detail="有无法解析的单元格（如超出范围的日期），请在 Excel 中检查后另存")
    return Finding("file-corrupt", label, detail=f"无法解析（{type(exc).__name__}）")


@dataclass
class Guarded:
    """A submitted file as :func:`read_guarded` read it: its SHA-256 and size (whenever its
    bytes could be read), or the one finding that says why it could not be read at all."""

    sha256: str = ""
    size: int = 0
    failure: Finding | None = None


def read_guarded(path: Path, label: str, read: Callable[[bytes], None]) -> Guarded:
    """The bytes of a submitted file, read within the limits (``contract.limits``) and handed
    to ``read``: whatever goes wrong, the limits, the system, a parser, memory, is the one
    finding returned, naming the file; never an exception (one bad file never stops a
    batch)."""
    out = Guarded()
    try:
        data = read_source(path, label)
    except LimitExceeded as exc:
        return Guarded(failure=exc.finding)
    except OSError as exc:
        return Guarded(failure=Finding("file-unreadable", label,
                                       detail=describe_os_error(exc, with_path=False)))
    out.sha256, out.size = hashlib.sha256(data).hexdigest(), len(data)
    try:
        with calamine_panics():
            read(data)
    except LimitExceeded as exc:
        out.failure = exc.finding
    except MemoryError:
        out.failure = Finding("file-too-large", label, detail="读取时超出内存上限")
    except Exception as exc:  # noqa: BLE001 (any parser failure means: not readable)
        out.failure = parse_failure(label, exc)
    return out


@dataclass
class Package:
    """A workbook's zip container, opened and scanned: its parts, its workbook-level defined
    names, its sheets and the part of each, the parts kept unpacked, and how far each
    worksheet's cells reach (the sheets read are measured by the scan; any other when it is
    asked for)."""

    archive: zipfile.ZipFile
    data: bytes
    label: str
    infos: dict[str, zipfile.ZipInfo]                 # by part name, lower case
    names: dict[str, tuple[str, str]]
    sheets: list[SheetEntry]
    measures: dict[str, SheetMeasure] = field(default_factory=dict)  # by part, lower case
    held: dict[str, bytes] = field(default_factory=dict)  # scanned and kept unpacked
    scanned: set[str] | None = None   # the parts scanned, when not every part was (lean)

    def __post_init__(self) -> None:
        self.members = set(self.archive.namelist())
        self.parts: dict[str, str] = {}  # sheet → its part (the first of a name, as calamine)
        for s in self.sheets:
            self.parts.setdefault(s.name, s.part)

    def part(self, sheet: str) -> str:
        """The part of ``sheet``, lower case ("" when the workbook names none)."""
        return self.parts.get(sheet, "").lower()

    def measure(self, sheet: str) -> SheetMeasure | None:
        """How far the cells of ``sheet`` reach. A sheet whose part the workbook does not
        name is bounded by the farthest-reaching worksheet part of the package: calamine
        only reads a part under xl/worksheets (or chart- and dialogsheets)."""
        part = self.part(sheet)
        if part in self.infos:
            return self._measured(part)
        every = [self._measured(name) for name in self.infos
                 if _is_sheet_part(name) and (self.scanned is None or name in self.scanned)]
        return max(every, key=lambda m: (m.rows * m.cols, m.rows), default=None)

    def _measured(self, part: str) -> SheetMeasure:
        if part not in self.measures:
            if part in self.held:
                self.measures[part] = measure_xml(self.held[part], self.label,
                                                  self.infos[part].filename)
            else:
                with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
                    self.measures[part] = measure_sheet(self.data, self.infos[part], archive,
                                                        self.label)
        return self.measures[part]

    def for_calamine(self, views: Mapping[str, bytes] | None = None) -> bytes:
        """The package python-calamine reads: assembled from the parts as the scan read them,
        each once (a lean package: only the parts scanned). A part kept unpacked is stored
        so (calamine need not inflate it again), given as ``views`` has it (by part: what
        calamine is given of a sheet, measured); every other part as it came."""
        views = views or {}
        entries, directory, at = [], [], 0
        for name, info in self.infos.items():
            if self.scanned is not None and name not in self.scanned:
                continue
            body: bytes | memoryview | None = views.get(name, self.held.get(name))
            if body is not None:
                method, crc, size = zipfile.ZIP_STORED, info.CRC, len(body)
                if name in views:  # what calamine is given of it: a CRC of its own
                    crc = zlib.crc32(body)
                packed = size
            else:
                body = member_data(self.data, info, self.label)
                method, crc, size = info.compress_type, info.CRC, info.file_size
                packed = info.compress_size
            encoded = info.filename.encode()
            fields = (20, 0x800, method, 0, 0x21, crc, packed, size, len(encoded))
            local = struct.pack("<4s5H3IH", b"PK\x03\x04", *fields) + b"\0\0"
            directory.append(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, *fields, 0, 0, 0,
                                         0, 0, at) + encoded)
            entries += [local, encoded, body]
            at += len(local) + len(encoded) + len(body)
        central = b"".join(directory)
        end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
                          len(central), at, 0)
        return b"".join([*entries, central, end])


def _is_sheet_part(name: str) -> bool:
    return name.startswith(SHEET_FOLDERS) and not name.endswith(".rels")


def open_package(data: bytes, label: str, *, read: tuple[str, ...] = (),
                 keep: tuple[str, ...] = (), lean: bool = False,
                 named: tuple[str, ...] = ()) -> Package | Finding:
    """Open an OOXML workbook's bytes and scan it: a finding when it is no workbook;
    LimitExceeded when it is a zip bomb, holds a part twice, declares XML entities or is
    damaged. Every part is scanned, the sheets named in ``read`` measured on the way (their
    XML kept for those in ``keep``). ``lean`` scans only what python-calamine reads: the
    parts it opens a workbook with, the sheets of ``read`` and those the defined names of
    ``named`` point at, kept unpacked (measured once it is known what of them calamine is
    given); ``for_calamine`` then leaves every other part out."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return Finding("file-corrupt", label, detail="压缩结构损坏或文件不完整")
    check_archive(archive, label)
    infos = {info.filename.lower(): info for info in archive.infolist()}
    if "xl/workbook.xml" not in infos:
        archive.close()
        what = ("OpenDocument 表格（.ods）" if "content.xml" in infos
                else "压缩包，其中没有 Excel 工作簿")
        return Finding("not-a-workbook", label, detail=f"文件是{what}")
    structure: dict[str, bytes | None] = {}
    for name in STRUCTURE:
        if name in infos and (not lean or name in CALAMINE_READS):
            structure[name] = scan_part(data, infos[name], archive, label, keep=True)
    names, sheets = workbook_structure(structure["xl/workbook.xml"] or b"",
                                       structure.get("xl/_rels/workbook.xml.rels"))
    package = Package(archive, data, label, infos, dict(names), list(sheets),
                      scanned=set(structure) if lean else None)
    package.held.update((name, xml) for name, xml in structure.items() if xml is not None)
    measured = {package.part(name) for name in read}
    measured |= {package.part(package.names[n][0]) for n in named if n in package.names}
    kept = {package.part(name) for name in keep}
    for name, info in infos.items():
        if name in structure:
            continue
        if lean:
            if name in CALAMINE_READS or (name in measured and _is_sheet_part(name)):
                _hold(package, name, info)
        elif name in measured and _is_sheet_part(name):
            measure = package.measures[name] = measure_sheet(data, info, archive, label,
                                                             keep=name in kept)
            if measure.xml is not None:
                package.held[name] = measure.xml
        else:
            scan_part(data, info, archive, label)
    return package


def _hold(package: Package, name: str, info: zipfile.ZipInfo) -> None:
    """Scan a part a lean package holds, and keep it unpacked (a sheet too large to keep
    is measured whole as it is scanned, and given to calamine as it came)."""
    assert package.scanned is not None
    package.scanned.add(name)
    if _is_sheet_part(name) and info.file_size > HOLD_BYTES:
        package.measures[name] = measure_sheet(package.data, info, package.archive,
                                               package.label)
        return
    xml = scan_part(package.data, info, package.archive, package.label, keep=True)
    if xml is not None:
        package.held[name] = xml


def checked_sheet(book: CalamineWorkbook, measure: SheetMeasure | None, name: str,
                  label: str) -> CalamineSheet:
    """One sheet from calamine, never one whose cells reach past the limits: measured by
    the scan before calamine builds its grid (a legacy .xls, which the scan cannot read, is
    bounded by its format, 65,536 × 256, and checked once built)."""
    if measure is not None:
        check_extent(label, name, measure.rows, measure.cols, measure.far)
    sheet = book.get_sheet_by_name(name)
    check_extent(label, name, sheet.height, sheet.width, "")
    return sheet


def check_extent(label: str, sheet: str, rows: int, cols: int, far: str) -> None:
    """LimitExceeded (sheet-too-large) when a sheet reaches past MAX_ROWS or MAX_COLUMNS
    (``far``: its farthest cell, named when known)."""
    where = f"（最远的单元格 {far}）" if far else ""
    if rows > MAX_ROWS:
        raise LimitExceeded(Finding("sheet-too-large", label, sheet, "",
                                    f"{rows:,} 行，上限 {MAX_ROWS:,} 行{where}"))
    if cols > MAX_COLUMNS:
        raise LimitExceeded(Finding("sheet-too-large", label, sheet, "",
                                    f"{cols:,} 列，上限 {MAX_COLUMNS} 列{where}"))
