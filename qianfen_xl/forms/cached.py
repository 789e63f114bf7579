"""Cached values for the formula cells openpyxl writes.

openpyxl always writes a formula cell as ``<c r="F6"><f>…</f><v /></c>``: a viewer that never
recalculates (Protected View for e-mail attachments, preview panes, phone apps, some WPS
builds, LibreOffice with its default settings) then shows blanks. :func:`set_cached_values`
writes the value each formula computes into its ``<v>`` in the saved package: a number
as is, a text with ``t="str"``, a truth value with ``t="b"``. Only those cells change.

    save_with_cached_values(wb, path, {"得分": {"N12": 996.5, "A7": "A01"}})

``forms.style.save_workbook`` does this for every workbook the project writes; a writer
that adds formulas of its own passes their values to it (or calls these directly).

A column of one formula copied down (the registers' row formulas) can be written as Excel
writes it, a shared formula: the text once, in the first cell, and a reference to it in the
others. Every application reads it; the file is a fifth of the size and reads faster.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as ET
from openpyxl import Workbook

from qianfen_xl.contract.atomic import freeze_zip, write_atomic

Cached = Mapping[str, Mapping[str, object]]  # sheet name → cell ("B5") → value
Shared = Mapping[str, Sequence[str]]  # sheet name → ranges ("I6:I205") of one formula copied down


@dataclass(frozen=True)
class Finished:
    """What a save adds to the file openpyxl writes: the formulas' values, and the ranges
    written as shared formulas (every cell holds its first cell's formula, moved down)."""

    values: Cached
    shared: Shared = field(default_factory=dict)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A formula cell as openpyxl writes it: no type, the formula, an empty value.
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"((?:\s+(?!t=)[a-z]+="[^"]*")*)\s*>(<f(?:\s[^>]*)?>[^<]*</f>)'
    rb"<v\s*/></c>")
# Characters XML 1.0 cannot carry: Excel writes them as _xHHHH_ (and "_x" itself escaped).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part name in the package."""
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
    out = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        out[sheet.get("name", "")] = part
    return out


def _text(value: str) -> bytes:
    value = _XML_BAD.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def encode(value: object) -> tuple[bytes, bytes]:
    """(the ``t`` attribute, the ``<v>`` text) of a cached value.

    >>> encode(696.0), encode(2.35), encode("A01"), encode(True), encode(None)
    ((b'', b'696'), (b'', b'2.35'), (b' t="str"', b'A01'), (b' t="b"', b'1'), (b' t="str"', b''))
    """
    if isinstance(value, bool):
        return b' t="b"', b"1" if value else b"0"
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"cannot store {value!r} as a cell's value")
        if float(value).is_integer() and abs(value) < 1e15:
            return b"", str(int(value)).encode()
        return b"", repr(float(value)).encode()
    return b' t="str"', _text("" if value is None else str(value))


def _split(ref: str) -> tuple[str, int]:
    letters = ref.rstrip("0123456789")
    return letters, int(ref[len(letters):])


def _sharing(ranges: Sequence[str]) -> dict[str, bytes]:
    """Cell → its ``<f>`` start tag in a shared formula (the first cell's carries the range)."""
    out: dict[str, bytes] = {}
    for si, span in enumerate(ranges):
        first, last = span.split(":")
        col, r0 = _split(first)
        _, r1 = _split(last)
        out[first] = b'<f t="shared" ref="%s" si="%d">' % (span.encode(), si)
        out |= {f"{col}{r}": b'<f t="shared" si="%d"/>' % si for r in range(r0 + 1, r1 + 1)}
    return out


def _fill(xml: bytes, cells: Mapping[str, object], shared: Sequence[str] = ()) -> bytes:
    tags = _sharing(shared)

    def cell(m: re.Match[bytes]) -> bytes:
        ref = m.group(1).decode()
        if ref not in cells and ref not in tags:
            return m.group(0)
        formula = m.group(3)
        tag = tags.get(ref)
        if tag is not None:
            formula = tag if tag.endswith(b"/>") else tag + formula[formula.index(b">") + 1:]
        if ref not in cells:
            return b'<c r="%s"%s>%s<v /></c>' % (m.group(1), m.group(2), formula)
        kind, text = encode(cells[ref])
        return b'<c r="%s"%s%s>%s<v>%s</v></c>' % (m.group(1), m.group(2), kind, formula, text)
    return _FORMULA_CELL.sub(cell, xml)


def set_cached_values(path: Path, values: Cached, shared: Shared | None = None) -> None:
    """Write ``values`` as the cached results of those formula cells of the saved workbook
    at ``path`` (in place); a cell that holds no formula is left alone. The ranges of
    ``shared`` are written as shared formulas (each cell must hold its first cell's formula
    moved down: the caller checks)."""
    shared = shared or {}
    patched = path.with_name(path.name + ".cached")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w",
                                                           zipfile.ZIP_DEFLATED) as dst:
            parts = {part: name for name, part in sheet_parts(src).items()
                     if values.get(name) or shared.get(name)}
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename in parts:
                    name = parts[item.filename]
                    data = _fill(data, values.get(name, {}), shared.get(name, ()))
                dst.writestr(item, data)
        patched.replace(path)
    finally:
        patched.unlink(missing_ok=True)


def save_with_cached_values(wb: Workbook, path: Path, values: Cached,
                            shared: Shared | None = None,
                            vba: Mapping[str, str] | None = None) -> Path:
    """Save atomically and reproducibly, every formula cell of ``values`` with its value
    (and the ranges of ``shared`` as shared formulas); an .xlsm with the VBA project of the
    modules ``vba`` (name → source), see forms/vba_project.py."""
    macro_enabled = path.suffix.lower() == ".xlsm"
    if vba is not None and not macro_enabled:
        raise ValueError(f"VBA modules go into an .xlsm, not {path.name}")

    def write(tmp: Path) -> None:
        wb.save(tmp)
        if any(values.values()) or shared:
            set_cached_values(tmp, values, shared)
        if vba is not None:
            from qianfen_xl.forms.vba_project import add_vba_project

            add_vba_project(tmp, vba)
        freeze_zip(tmp, macro_enabled=macro_enabled)
    return write_atomic(path, write)
