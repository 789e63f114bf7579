"""Reading a register file: header fields by defined name, sheets by name, columns by header.

python-calamine reads the cells (fast, and it never evaluates or runs anything); the
workbook's defined names are read from ``xl/workbook.xml`` with defusedxml. Anything that
keeps a file from being read becomes a finding, never an exception.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from defusedxml import ElementTree
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from .findings import Finding
from .normalise import ascii_form, is_blank
from .schemas.columns import (
    HEADER_NAMES,
    INCIDENT_COLUMNS,
    ROSTER_COLUMNS,
    SCORE_NAMES,
    SHEET_INCIDENTS,
    SHEET_META,
    SHEET_ROSTER,
    SHEET_SCORES,
    ColumnSpec,
)

HEADER_SCAN_ROWS = 20
SCORE_HEADERS = ["编号", "姓名", "个人得分"]  # locate the 得分 header row; its other columns come along
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REF = re.compile(r"^'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


@dataclass
class SheetTable:
    """The rows under a header row. ``frame`` index = Excel row number; columns = headers."""

    sheet: str
    header_row: int
    letters: dict[str, str]
    frame: pd.DataFrame

    def cell(self, header: str, row: int) -> str:
        return f"{self.letters.get(header, '')}{row}"


@dataclass
class RegisterFile:
    path: Path
    label: str
    sha256: str
    size: int
    header: dict[str, object] = field(default_factory=dict)
    header_cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    roster: SheetTable | None = None
    incidents: SheetTable | None = None
    scores: SheetTable | None = None


def file_digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def defined_names(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """Workbook-level defined names that point at one cell: name → (sheet, ``B2``)."""
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    out: dict[str, tuple[str, str]] = {}
    for node in root.iter(f"{_NS}definedName"):
        if node.get("localSheetId") is not None:
            continue
        match = _REF.match((node.text or "").strip())
        if match:
            sheet = match["sheet"].replace("''", "'")
            out[node.get("name", "")] = (sheet, f"{match['col']}{match['row']}")
    return out


def _cell_value(rows: list[list[object]], cell: str) -> object:
    match = re.match(r"([A-Z]+)(\d+)", cell)
    if not match:
        return None
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    r, c = int(match.group(2)) - 1, col - 1
    if r < len(rows) and c < len(rows[r]):
        value = rows[r][c]
        return None if is_blank(value) else value
    return None


def _sheet_rows(book: CalamineWorkbook, name: str) -> list[list[object]]:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def find_table(rows: list[list[object]], sheet: str, specs: tuple[ColumnSpec, ...] | list[str],
               label: str, *, keep_all: bool = False) -> tuple[SheetTable | None, list[Finding]]:
    """Locate the header row by its headers (wherever the columns were moved) and take the
    rows below it; fully blank rows are dropped, wherever they are. With ``keep_all`` every
    other headed column of that row comes along too."""
    wanted = [s.header if isinstance(s, ColumnSpec) else s for s in specs]
    live = {s.header for s in specs if isinstance(s, ColumnSpec) and s.live}
    required = [s.header for s in specs if isinstance(s, ColumnSpec) and s.required] or wanted
    best_row, best_hits, best_map = -1, 0, {}
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for c, value in enumerate(row):
            if isinstance(value, str):
                key = ascii_form(value)
                if key in wanted and key not in found:
                    found[key] = c
        if len(found) > best_hits:
            best_row, best_hits, best_map = r, len(found), found
    if best_hits < 2:
        return None, [Finding("column-missing", label, sheet, "",
                              f"找不到表头行（应有 {'、'.join(required)}）")]
    if keep_all:
        for c, value in enumerate(rows[best_row]):
            if isinstance(value, str) and value.strip():
                best_map.setdefault(ascii_form(value), c)
    findings = [
        Finding("column-missing", label, sheet, f"{get_column_letter(1)}{best_row + 1}",
                f"表头中没有 “{h}”")
        for h in required if h not in best_map
    ]
    body = rows[best_row + 1:]
    data = {h: [row[c] if c < len(row) else None for row in body] for h, c in best_map.items()}
    frame = pd.DataFrame(data, index=pd.RangeIndex(best_row + 2, best_row + 2 + len(body)),
                         dtype=object)
    frame = frame.map(lambda v: None if is_blank(v) else v)
    # A row counts when a clerk typed something: live columns (分值 = 0 cached by Excel in
    # every empty row) do not make a row.
    inputs = [h for h in best_map if h not in live]
    frame = frame.dropna(how="all", subset=inputs or None)
    letters = {h: get_column_letter(c + 1) for h, c in best_map.items()}
    return SheetTable(sheet, best_row + 1, letters, frame), findings


def read_register(path: Path, label: str | None = None) -> tuple[RegisterFile | None,
                                                                  list[Finding]]:
    """Read one register. Returns (None, findings) when it cannot be read as a register."""
    label = label or path.name
    try:
        sha, size = file_digest(path)
    except OSError as exc:
        return None, [Finding("file-unreadable", label, detail=exc.strerror or str(exc))]
    if not zipfile.is_zipfile(path):
        return None, [Finding("not-a-workbook", label, detail="文件不是 .xlsx 格式")]
    reg = RegisterFile(path, label, sha, size)
    try:
        with zipfile.ZipFile(path) as archive:
            names = defined_names(archive)
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 (any parser failure means: not readable)
        return None, [Finding("not-a-workbook", label, detail=f"无法解析（{type(exc).__name__}）")]

    findings: list[Finding] = []
    sheets = set(book.sheet_names)
    cache: dict[str, list[list[object]]] = {}

    def rows_of(sheet: str) -> list[list[object]]:
        if sheet not in cache:
            cache[sheet] = _sheet_rows(book, sheet)
        return cache[sheet]

    for name in (*HEADER_NAMES, *SCORE_NAMES):
        if name in names and names[name][0] in sheets:
            sheet, cell = names[name]
            reg.header_cells[name] = (sheet, cell)
            reg.header[name] = _cell_value(rows_of(sheet), cell)
    if SHEET_META in sheets:
        for row in rows_of(SHEET_META):
            if len(row) >= 2 and isinstance(row[0], str) and row[0]:
                reg.meta[row[0]] = "" if is_blank(row[1]) else str(row[1])

    for sheet, specs, attr in ((SHEET_ROSTER, ROSTER_COLUMNS, "roster"),
                               (SHEET_INCIDENTS, INCIDENT_COLUMNS, "incidents")):
        if sheet not in sheets:
            findings.append(Finding("sheet-missing", label, sheet, "", f"没有工作表 “{sheet}”"))
            continue
        table, problems = find_table(rows_of(sheet), sheet, specs, label)
        findings += problems
        setattr(reg, attr, table)
    if SHEET_SCORES in sheets:
        reg.scores, _ = find_table(rows_of(SHEET_SCORES), SHEET_SCORES, SCORE_HEADERS, label,
                                   keep_all=True)
    return reg, findings
