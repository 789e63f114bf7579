"""The package scan: every part of a workbook's zip container, unpacked in bounded chunks
and looked at before any parser sees it.

- Any markup declaration (``<!DOCTYPE``, ``<!ENTITY`` …) anywhere in any XML part, in
  UTF-8 or UTF-16, split across chunks or not, refuses the file (``xml-entities``, the part
  named): no parser ever meets a DTD.
- A part that unpacks to more than its directory entry says is a zip bomb; one that cannot
  be unpacked (an encrypted entry, a method we do not read) refuses the file.
- A worksheet is measured: how far out its cells reach (python-calamine allocates the whole
  rectangle up to the farthest cell, ~10 GB for one cell at XFD19000), and which row
  numbers it gives twice. A regular sheet (every cell written ``<c r="A1…">`` within
  Z9999, every row with its ``r``: what every spreadsheet program writes) is measured by
  three C-speed searches; any other is walked cell by cell as calamine reads it.
- A register's table sheet is handed to calamine through its last row in use
  (:func:`rows_through`): the hundreds of template rows below, which hold only formulas,
  are left out, and what calamine is given is what is measured (:func:`measure_xml`).

Time and memory are bounded: one chunk at a time (an irregular sheet, walked whole, only
up to ``WALK_MAX_BYTES``), and the zip limits bound the total.
"""

from __future__ import annotations

import functools
import re
import struct
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, replace

from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.limits import (
    HOLD_BYTES,
    SCAN_CHUNK_BYTES,
    WALK_MAX_BYTES,
    LimitExceeded,
)
from qianfen_xl.intake.cells import walk_cells

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

OVERLAP = 64  # bytes a search looks past a chunk's end (a cell tag is shorter)
PACKED_SLICE = 1 << 18  # packed bytes handed to zlib at a time
# Parts no parser reads as XML (pictures, the VBA project): not searched for declarations.
BINARY_SUFFIXES = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf",
                   ".wmf", ".wdp", ".jfif", ".ico")
# A regular sheet's cells and rows: anything else sends it to the walk.
_IRREGULAR_CELL = re.compile(rb'<c(?! r="[A-Z]\d{1,4}")[\s>/]')
_PREFIXED = re.compile(rb'<[^\s<>/:!?]+:(?:c|row)[\s>/]')  # <x:c …> is a cell to calamine
_ROWS = re.compile(rb'<row(?: r="([1-9]\d{0,8})")?[\s>/]')  # no leading zero: "07" is 7
REGULAR_ROWS, REGULAR_COLS = 9_999, 26  # how far a regular sheet's cells can reach
_REGULAR_CELL = re.compile(rb'<c r="[A-Z](\d{1,4})"')


@dataclass(frozen=True)
class SheetMeasure:
    """How far a worksheet's cells reach (from 1), and what else the scan saw in it."""

    rows: int
    cols: int
    far: str                            # the farthest cell, named ("" for a regular sheet)
    duplicate_rows: tuple[int, ...]
    regular: bool                       # every cell and row carries its r (fast checks hold)
    xml: bytes | None = None            # the unpacked part (or what calamine is given of it)


def declares(buf: bytes) -> bool:
    """A markup declaration (``<!`` not opening a comment or CDATA) in UTF-8 or UTF-16.

    >>> declares(b"<a><!-- x --><![CDATA[y]]></a>"), declares(b"<!DOCTYPE a>")
    (False, True)
    >>> declares("<!ENTITY x 'y'>".encode("utf-16-le"))
    True
    """
    at = buf.find(b"!")
    while at != -1:
        window = buf[max(0, at - 3):at + 6].replace(b"\0", b"")
        k = window.find(b"<!")
        if k != -1 and window[k + 2:k + 3] not in (b"-", b"[", b""):
            return True
        at = buf.find(b"!", at + 1)
    return False


def member_data(data: bytes, info: zipfile.ZipInfo, label: str) -> memoryview:
    """The packed bytes of one entry, from its local header (never past the file's end)."""
    at = info.header_offset
    if data[at:at + 4] != b"PK\x03\x04" or info.flag_bits & 0x1:
        raise LimitExceeded(_corrupt(label, info.filename, "压缩项已加密或损坏"))
    name_len, extra_len = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_len + extra_len
    if start + info.compress_size > len(data):
        raise LimitExceeded(_corrupt(label, info.filename, "压缩项不完整"))
    return memoryview(data)[start:start + info.compress_size]


def unpacked(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile,
             label: str) -> Iterator[bytes]:
    """An entry's content, one chunk at a time; never more than its directory entry says."""
    total = 0
    for chunk in _inflate(data, info, archive, label):
        total += len(chunk)
        if total > info.file_size:
            raise LimitExceeded(Finding("zip-bomb", label, detail=(
                f"{info.filename} 解压后超过目录所记的 {info.file_size:,} 字节")))
        yield chunk
    if total != info.file_size:
        raise LimitExceeded(_corrupt(label, info.filename, "解压后大小与目录不符"))


def _inflate(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile,
             label: str) -> Iterator[bytes]:
    if info.compress_type == zipfile.ZIP_STORED:
        packed = member_data(data, info, label)
        for at in range(0, len(packed), SCAN_CHUNK_BYTES):
            yield bytes(packed[at:at + SCAN_CHUNK_BYTES])
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        packed = member_data(data, info, label)
        try:  # fed a slice at a time: the unconsumed input zlib copies stays small
            for at in range(0, len(packed), PACKED_SLICE):
                left: bytes | memoryview = packed[at:at + PACKED_SLICE]
                while left and not inflater.eof:
                    chunk = inflater.decompress(left, SCAN_CHUNK_BYTES)
                    left = inflater.unconsumed_tail
                    if chunk:
                        yield chunk
            # All input taken, zlib may still hold output of it (a match cut off at the
            # chunk's length): drained, a chunk at a time, before the end is judged.
            while not inflater.eof and (chunk := inflater.decompress(b"", SCAN_CHUNK_BYTES)):
                yield chunk
        except zlib.error as exc:
            raise LimitExceeded(_corrupt(label, info.filename, "压缩数据损坏")) from exc
        if not inflater.eof:
            raise LimitExceeded(_corrupt(label, info.filename, "压缩数据不完整"))
    else:  # bzip2, lzma: zipfile unpacks them in chunks too
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(SCAN_CHUNK_BYTES):
                    yield chunk
        except (NotImplementedError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise LimitExceeded(_corrupt(label, info.filename, "不支持的压缩方式或数据损坏")) from exc


def _corrupt(label: str, part: str, why: str) -> Finding:
    return Finding("file-corrupt", label, detail=f"{part}：{why}")


def scan_part(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile, label: str, *,
              keep: bool = False) -> bytes | None:
    """Scan one part: LimitExceeded when it declares entities or is no honest entry. Its
    unpacked content comes back when ``keep`` (and it is no larger than HOLD_BYTES)."""
    found = _scan(data, info, archive, label, sheet=False, keep=keep)
    return None if isinstance(found, SheetMeasure) else found


def measure_sheet(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile, label: str, *,
                  keep: bool = False) -> SheetMeasure:
    """Scan a worksheet part and measure it (its XML kept on the measure when ``keep``)."""
    found = _scan(data, info, archive, label, sheet=True, keep=keep)
    if not isinstance(found, SheetMeasure):
        raise TypeError("a sheet is always measured")
    return found


def _scan(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile, label: str, *,
          sheet: bool, keep: bool) -> SheetMeasure | bytes | None:
    xml = sheet or not info.filename.lower().endswith(BINARY_SUFFIXES)
    rows: list[bytes] | None = [] if sheet else None  # None once the sheet is irregular
    whole = _in_one_piece(data, info, label)
    if whole is not None:  # every part of a register: one buffer, no chunk seams
        if xml and declares(whole):
            raise LimitExceeded(Finding("xml-entities", label, detail=info.filename))
        if rows is not None and not _regular(whole, len(whole), rows):
            rows = None
        content = whole if keep else None
    else:
        rows, content = _scan_chunks(data, info, archive, label, xml, rows, keep)
    if not sheet:
        return content
    if rows is None:
        return _walked(data, info, archive, label, content)
    return SheetMeasure(REGULAR_ROWS, REGULAR_COLS, "", _twice(rows), True, content)


def _twice(rows: list[bytes]) -> tuple[int, ...]:
    """The row numbers given twice (as written: no leading zeros, so equal numbers are
    equal bytes)."""
    if len(set(rows)) == len(rows):
        return ()
    return tuple(sorted(int(n) for n, times in Counter(rows).items() if times > 1))


def measure_xml(xml: bytes, label: str, part: str) -> SheetMeasure:
    """Measure a sheet's XML held in memory (what calamine is given of it), kept on the
    measure: three C-speed searches when it is regular, else a walk."""
    rows: list[bytes] = []
    if _regular(xml, len(xml), rows):
        return SheetMeasure(REGULAR_ROWS, REGULAR_COLS, "", _twice(rows), True, xml)
    return _walk(xml, label, part)


@functools.cache
def _inputs_or_irregular(inputs: str) -> re.Pattern[bytes]:
    """A cell of one of the columns ``inputs`` (letters), or any cell not written the
    regular way; a regular cell of another column is passed over at C speed."""
    others = "".join(c for c in _LETTERS if c not in inputs)
    return re.compile(rb'<c(?! r="[%s]\d{1,4}")[\s>/]' % others.encode())


def rows_through(xml: bytes, through: int, inputs: str = "") -> tuple[bytes, int] | None:
    """A sheet's XML without its rows after ``through`` (everything after ``</sheetData>``,
    merged cells among it, stays), for calamine to read only the rows in use, and the last
    row it keeps; None when no row comes after them. With ``inputs`` (the letters of a table's input columns),
    ``through`` is first raised to the last row holding a cell of those columns: the rows
    left out hold only regular cells of the other columns (the template's formulas).
    Also None when the sheet cannot be cut so: a cell not written the regular way after
    the last input, a row without its number, or an element with a namespace prefix in
    the rows left out (calamine could place any of those in a row that is read).

    >>> sheet = (b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1"><f>A1</f></c></row>'
    ...          b'<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="C3"><f>1</f></c>'
    ...          b'</row></sheetData><mergeCells/>')
    >>> rows_through(sheet, 1, "AB")
    (b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1"><f>A1</f></c></row><row r="2"><c r="A2"><v>2</v></c></row></sheetData><mergeCells/>', 2)
    >>> rows_through(sheet, 1, "AB") == rows_through(sheet, 2), rows_through(sheet, 1, "ABC")
    (True, None)
    """
    start = 0
    if inputs:
        found = deque(_inputs_or_irregular(inputs).finditer(xml), maxlen=1)  # the last
        if found:
            last = found[0]
            cell = _REGULAR_CELL.match(xml, last.start())
            if cell is None:
                return None
            through, start = max(through, int(cell.group(1))), last.end()
    cut = xml.find(b'<row r="%d"' % (through + 1), start)  # where it usually is
    if cut == -1:  # the next rows hold nothing, and were not written
        for row in _ROWS.finditer(xml, start):
            if row.group(1) and int(row.group(1)) > through:
                cut = row.start()
                break
        else:
            return None
    end = xml.rfind(b"</sheetData>")  # near the end: found from there
    if end < cut or (inputs and _prefixed(xml, end, cut)):
        return None
    return xml[:cut] + xml[end:], through


def _in_one_piece(data: bytes, info: zipfile.ZipInfo, label: str) -> bytes | None:
    """A small stored or deflated part, unpacked in one call (never past one chunk)."""
    if info.file_size > SCAN_CHUNK_BYTES or info.compress_size > SCAN_CHUNK_BYTES:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        whole = bytes(member_data(data, info, label))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            whole = inflater.decompress(member_data(data, info, label), info.file_size + 1)
        except zlib.error as exc:
            raise LimitExceeded(_corrupt(label, info.filename, "压缩数据损坏")) from exc
        if len(whole) <= info.file_size and not inflater.eof:
            raise LimitExceeded(_corrupt(label, info.filename, "压缩数据不完整"))
    else:
        return None
    if len(whole) > info.file_size:
        raise LimitExceeded(Finding("zip-bomb", label, detail=(
            f"{info.filename} 解压后超过目录所记的 {info.file_size:,} 字节")))
    if len(whole) != info.file_size:
        raise LimitExceeded(_corrupt(label, info.filename, "解压后大小与目录不符"))
    return whole


def _scan_chunks(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile, label: str,
                 xml: bool, rows: list[bytes] | None,
                 keep: bool) -> tuple[list[bytes] | None, bytes | None]:
    """A large part, a chunk at a time: the row numbers (None when irregular) and, when
    ``keep`` and it is no larger than HOLD_BYTES, its content."""
    held: list[bytes] | None = [] if keep and info.file_size <= HOLD_BYTES else None
    tail = b""
    for chunk in unpacked(data, info, archive, label):
        buf = tail + chunk if tail else chunk
        if xml and declares(buf):
            raise LimitExceeded(Finding("xml-entities", label, detail=info.filename))
        # Judge what starts before the last tag that may run past the chunk's end; the
        # rest goes on with the next chunk (a declaration is looked for in both).
        cut = buf.rfind(b"<", 0, len(buf) - OVERLAP)
        if cut <= 0 or len(buf) - cut > SCAN_CHUNK_BYTES:
            cut = max(0, len(buf) - OVERLAP)
        if rows is not None and not _regular(buf, cut, rows):
            rows = None
        tail = buf[cut:]
        if held is not None:
            held.append(chunk)
    if rows is not None and not _regular(tail, len(tail), rows):
        rows = None
    return rows, (b"".join(held) if held is not None else None)


def _regular(buf: bytes, end: int, rows: list[bytes]) -> bool:
    """Whether the cells and rows in ``buf[:end]`` are regular, collecting the row numbers
    (``end`` is where a tag starts, so no tag before it is cut)."""
    if _IRREGULAR_CELL.search(buf, 0, end) or _prefixed(buf, end):
        return False
    found = _ROWS.findall(buf, 0, end)
    if b"" in found:
        return False  # a row without r=, or with it spelled otherwise: walk the sheet
    rows += found
    return True


def _prefixed(buf: bytes, end: int, start: int = 0) -> bool:
    """A cell or row element with a namespace prefix between ``start`` and ``end`` (found
    from the few colons of a sheet, which is quicker than a search through its many
    tags)."""
    at = buf.find(b":", start, end)
    while at != -1:
        if buf[at + 1:at + 2] in (b"c", b"r") and _PREFIXED.match(buf, max(0, buf.rfind(b"<", 0, at))):
            return True
        at = buf.find(b":", at + 1, end)
    return False


def _walked(data: bytes, info: zipfile.ZipInfo, archive: zipfile.ZipFile, label: str,
            content: bytes | None) -> SheetMeasure:
    """An irregular sheet, walked whole as calamine reads it."""
    if content is None:
        if info.file_size > WALK_MAX_BYTES:
            raise LimitExceeded(Finding("sheet-too-large", label, "", "", (
                f"{info.filename} 解压后 {info.file_size / 2**20:.0f} MB，且单元格未按常规写出")))
        content = b"".join(unpacked(data, info, archive, label))
    measure = _walk(content, label, info.filename)
    return measure if info.file_size <= HOLD_BYTES else replace(measure, xml=None)


def _walk(xml: bytes, label: str, part: str) -> SheetMeasure:
    walk = walk_cells(xml)
    if walk.broken:
        raise LimitExceeded(_corrupt(label, part, "有无法识别的单元格位置"))
    return SheetMeasure(walk.rows, walk.cols, walk.far, tuple(sorted(walk.duplicate_rows)),
                        False, xml)
