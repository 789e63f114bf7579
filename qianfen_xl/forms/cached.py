"""Cached values for formula cells written by openpyxl.

openpyxl always writes a formula cell as ``<f>…</f><v/>``: a viewer that never recalculates
(Protected View, preview panes, phone apps, some WPS builds) then shows blanks. After the
save, :func:`set_cached_values` writes the value each formula computes into its ``<v>``
(a text result with ``t="str"``), sheet by sheet, in the saved package.
:func:`save_with_cached_values` is :func:`forms.style.save_workbook` with that step.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

import defusedxml.ElementTree as ET
from openpyxl import Workbook

from qianfen_xl.contract.atomic import freeze_zip, write_atomic

Cached = Mapping[str, Mapping[str, object]]  # sheet name → cell ("B5") → value
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EMPTY_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"((?:\s+(?!t=)[a-z]+="[^"]*")*)\s*><f>([^<]*)</f><v\s*/></c>')


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
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


def _cell_xml(cell: bytes, attrs: bytes, formula: bytes, value: object) -> bytes:
    if value is None or value == "":
        return b'<c r="%s"%s t="str"><f>%s</f><v></v></c>' % (cell, attrs, formula)
    if isinstance(value, bool):
        return b'<c r="%s"%s t="b"><f>%s</f><v>%d</v></c>' % (cell, attrs, formula, value)
    if isinstance(value, int | float):
        return b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (cell, attrs, formula,
                                                        repr(float(value)).encode())
    text = escape(str(value)).encode()
    return b'<c r="%s"%s t="str"><f>%s</f><v>%s</v></c>' % (cell, attrs, formula, text)


def set_cached_values(path: Path, values: Cached) -> None:
    """Write ``values`` as the cached results of those formula cells of the saved
    workbook at ``path`` (in place). A cell that is no formula cell is left alone."""
    patched = path.with_name(path.name + ".cached")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w",
                                                           zipfile.ZIP_DEFLATED) as dst:
            parts = {part: values[name] for name, part in _sheet_parts(src).items()
                     if values.get(name)}
            for item in src.infolist():
                data = src.read(item.filename)
                cells = parts.get(item.filename)
                if cells:
                    def fill(m: re.Match[bytes], cells: Mapping[str, object] = cells) -> bytes:
                        ref = m.group(1).decode()
                        if ref not in cells:
                            return m.group(0)
                        return _cell_xml(m.group(1), m.group(2), m.group(3), cells[ref])
                    data = _EMPTY_FORMULA_CELL.sub(fill, data)
                dst.writestr(item, data)
        shutil.move(patched, path)
    finally:
        patched.unlink(missing_ok=True)


def save_with_cached_values(wb: Workbook, path: Path, values: Cached) -> Path:
    """Save atomically and reproducibly, every formula cell of ``values`` with its value."""
    def write(tmp: Path) -> None:
        wb.save(tmp)
        set_cached_values(tmp, values)
        freeze_zip(tmp, macro_enabled=path.suffix.lower() == ".xlsm")
    return write_atomic(path, write)
