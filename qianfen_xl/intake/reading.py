"""Reading a register file: header fields by defined name, sheets by name, columns by header.

python-calamine reads the cells (fast, and it never evaluates or runs anything); the
workbook's defined names are read from ``xl/workbook.xml`` with defusedxml. Anything that
keeps a file from being read becomes a finding, never an exception.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from python_calamine import CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.limits import (
    MAX_SHEETS,
    LimitExceeded,
)
from qianfen_xl.contract.normalise import ascii_form, is_blank
from qianfen_xl.intake.cells import FormulaCells, column_name, split_cell
from qianfen_xl.intake.package import (
    ENCRYPTED_STREAM,
    OLE_MAGIC,
    ZIP_MAGIC,
    Package,
    checked_sheet,
    open_package,
    read_guarded,
)
from qianfen_xl.intake.xmlscan import SheetMeasure, measure_xml, rows_through
from qianfen_xl.schemas.columns import (
    HEADER_CELLS,
    HEADER_NAMES,
    INCIDENT_COLUMNS,
    META_SCORE_ROWS,
    ROSTER_COLUMNS,
    ROSTER_HEADER_ROW,
    ROSTER_ROWS,
    SCORE_KEY_HEADERS,
    SCORE_NAMES,
    SCORES_HEADER_ROW,
    SHEET_INCIDENTS,
    SHEET_META,
    SHEET_ROSTER,
    SHEET_SCORES,
    ColumnSpec,
)

if TYPE_CHECKING:
    import pandas as pd

HEADER_SCAN_ROWS = 20
Rows = Sequence[Sequence[object]]  # a sheet's cells, row by row (row 0 = sheet row 1)
MergedRanges = Sequence[tuple[tuple[int, int], tuple[int, int]]]  # ((r0, c0), (r1, c1)), 0-based
FORMULA_SHEETS = (SHEET_INCIDENTS, SHEET_SCORES)  # whose live cells must stay formulas
CONTRACT_SHEETS = (SHEET_INCIDENTS, SHEET_ROSTER, SHEET_SCORES)  # never hidden, never doubled
READ_SHEETS = (*CONTRACT_SHEETS, SHEET_META)  # measured by the package scan as it unpacks them


@dataclass
class SheetTable:
    """The rows under a header row: ``columns`` maps each header to its values (blank = None),
    ``rows`` holds their Excel row numbers. ``frame`` is the same as a DataFrame (index =
    Excel row), built only when asked: the batch pools the columns of many files instead."""

    sheet: str
    header_row: int
    letters: dict[str, str]
    columns: dict[str, list[object]]
    rows: list[int]

    def cell(self, header: str, row: int) -> str:
        return f"{self.letters.get(header, '')}{row}"

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        import pandas as pd  # only the year's files are checked as frames: imported then

        return pd.DataFrame(self.columns, index=pd.Index(self.rows, dtype="int64"), dtype=object)

    def value(self, header: str, row: int) -> object:
        """The value under ``header`` in Excel row ``row`` (None when blank or absent)."""
        at = self.position.get(row)
        values = self.columns.get(header)
        return None if at is None or values is None else values[at]

    @functools.cached_property
    def position(self) -> dict[int, int]:
        """Excel row → its place in the columns."""
        return {r: k for k, r in enumerate(self.rows)}


@dataclass
class RegisterFile:
    path: Path
    label: str
    sha256: str
    size: int
    readable: bool = False
    format: str = "xlsx"        # xlsx · xlsm · xls (legacy, read through calamine)
    macros: bool = False        # an .xlsm's VBA project: noted, never run
    header: dict[str, object] = field(default_factory=dict)
    header_cells: dict[str, tuple[str, str]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    roster: SheetTable | None = None
    incidents: SheetTable | None = None
    scores: SheetTable | None = None
    # Cells holding a formula, per sheet (None: unknown for this format).
    formula_cells: dict[str, FormulaCells] | None = None


def cell_value(rows: Rows, cell: str) -> object:
    c, r = split_cell(cell)
    r, c = r - 1, c - 1
    if r >= 0 and c >= 0 and r < len(rows) and c < len(rows[r]):
        value = rows[r][c]
        return None if is_blank(value) else value
    return None


def check_sheet_count(book: CalamineWorkbook, label: str) -> None:
    """LimitExceeded (too-many-sheets) when the workbook has more sheets than a register
    may."""
    if len(book.sheet_names) > MAX_SHEETS:
        raise LimitExceeded(Finding("too-many-sheets", label,
                                    detail=f"{len(book.sheet_names)} 个，上限 {MAX_SHEETS} 个"))


def visibility(book: CalamineWorkbook) -> list[tuple[str, bool]]:
    """Each sheet's name and whether it is visible, in tab order (for
    :func:`shadowed_sheets`)."""
    return [(m.name, m.visible == SheetVisibleEnum.Visible) for m in book.sheets_metadata]


def duplicate_rows(label: str, sheet: str, measure: SheetMeasure | None) -> list[Finding]:
    """row-duplicate for the first few row numbers the scan found given twice."""
    return [Finding("row-duplicate", label, sheet, f"A{row}", f"第 {row} 行出现两次")
            for row in (measure.duplicate_rows[:5] if measure else ())]


class ScannedBook:
    """A scanned package opened with python-calamine: a sheet's rows (measured by the scan
    before calamine builds them, each sheet parsed once) and a defined name's value. The
    ballots, the 考评录入表, the annual register and a roster .xlsx are read through it,
    within a register's limits: as many sheets, rows and columns; a row number given twice
    (``findings``, row-duplicate); a sheet hidden or shadowed (:meth:`shadowed`)."""

    def __init__(self, package: Package) -> None:
        self.package, self.label = package, package.label
        self.book = CalamineWorkbook.from_filelike(io.BytesIO(package.data))
        check_sheet_count(self.book, self.label)
        self.sheet_names = set(self.book.sheet_names)
        self._rows: dict[str, Rows] = {}
        self.findings: list[Finding] = []

    def rows(self, sheet: str) -> Rows:
        if sheet not in self._rows:
            measure = self.package.measure(sheet)
            grid = checked_sheet(self.book, measure, sheet, self.label)
            self._rows[sheet] = grid.to_python(skip_empty_area=False)
            self.findings += duplicate_rows(self.label, sheet, measure)
        return self._rows[sheet]

    def shadowed(self, contract: Sequence[str]) -> list[Finding]:
        """The ``contract`` sheets hidden, or beside a look-alike (sheet-shadowed)."""
        return shadowed_sheets(self.label, visibility(self.book), contract)

    def named(self, name: str) -> object:
        """The value of the cell a workbook-level defined name points at (None: no such
        name, or its sheet is missing)."""
        ref = self.package.names.get(name)
        if ref is None or ref[0] not in self.sheet_names:
            return None
        return cell_value(self.rows(ref[0]), ref[1])


def find_table(rows: Rows, sheet: str, specs: tuple[ColumnSpec, ...] | list[str],
               label: str, *, keep_all: bool = False) -> tuple[SheetTable | None, list[Finding]]:
    """Locate the header row by its headers (wherever the columns were moved) and take the
    rows below it; fully blank rows are dropped, wherever they are. With ``keep_all`` every
    other headed column of that row comes along too."""
    wanted = [s.header if isinstance(s, ColumnSpec) else s for s in specs]
    live = {s.header for s in specs if isinstance(s, ColumnSpec) and s.live}
    required = [s.header for s in specs if isinstance(s, ColumnSpec) and s.required] or wanted
    longest = max(len(w) for w in wanted) + 8  # longer text is never a header
    best_row, best_hits, best_map = -1, 0, {}
    headers = set(wanted)
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for c, value in enumerate(row):
            if isinstance(value, str) and value and len(value) <= longest:
                key = value if value in headers else ascii_form(value)
                if key in headers and key not in found:
                    found[key] = c
        if len(found) > best_hits:
            best_row, best_hits, best_map = r, len(found), found
            if best_hits == len(headers):
                break  # no later row can hold more
    if best_hits < 2:
        return None, [Finding("column-missing", label, sheet, "",
                              f"找不到表头行（应有 {'、'.join(required)}）")]
    if keep_all:
        for c, value in enumerate(rows[best_row]):
            if isinstance(value, str) and value.strip():
                best_map.setdefault(ascii_form(value), c)
    findings = [
        Finding("column-missing", label, sheet, f"A{best_row + 1}",
                f"表头中没有 “{h}”")
        for h in required if h not in best_map
    ]
    # A row counts when a clerk typed something: live columns (分值 = 0 cached by Excel in
    # every empty row) do not make a row. Blank rows (most of a template) go first.
    inputs = [c for h, c in best_map.items() if h not in live] or list(best_map.values())
    width = max(inputs) + 1
    # calamine's empty cell is "": a row whose first ``width`` cells are all "" is passed
    # over at C speed (the helper columns' cached values fill every row past them).
    kept = [(best_row + 2 + k, row) for k, row in enumerate(rows[best_row + 1:])
            if (row[:width].count("") < width
                and any(row[c] != "" and row[c] is not None for c in inputs)
                if len(row) >= width else any(not is_blank(v) for v in row))]
    data = {h: [_filled(row[c]) if c < len(row) else None for _, row in kept]
            for h, c in best_map.items()}
    # A row of blanks only (spaces, say) is no row either.
    typed = [data[h] for h in best_map if h not in live] or list(data.values())
    keep = [k for k in range(len(kept)) if any(col[k] is not None for col in typed)]
    if len(keep) < len(kept):
        data = {h: [col[k] for k in keep] for h, col in data.items()}
        kept = [kept[k] for k in keep]
    letters = {h: column_name(c) for h, c in best_map.items()}
    return SheetTable(sheet, best_row + 1, letters, data, [r for r, _ in kept]), findings


def _filled(value: object) -> object:
    """A cell's value, None when it is blank (:func:`is_blank`, quicker for calamine's
    values: text, numbers, dates)."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, float):
        return value if value == value else None  # NaN is blank
    return value


def read_register(path: Path, label: str | None = None) -> tuple[RegisterFile, list[Finding]]:
    """Read one register. ``RegisterFile.readable`` is False when it cannot be read as one
    (the findings say why); its SHA-256 and size are known whenever the bytes could be read."""
    reg = RegisterFile(path, label or path.name, "", 0)
    found: list[Finding] = []

    def read(data: bytes) -> None:
        opened = _open_workbook(reg, data, path.suffix.lower())
        if isinstance(opened, list):  # not a workbook we can read: why
            found.extend(opened)
            return
        book, package, findings = opened
        if package is not None:
            found.extend(findings + _read_package(reg, package))
        else:
            assert book is not None  # a legacy workbook, opened as it was recognised
            found.extend(findings + _read_sheets(reg, book, None, {}))
        reg.readable = True

    read_file = read_guarded(path, reg.label, read)
    reg.sha256, reg.size = read_file.sha256, read_file.size
    if read_file.failure is not None:
        reg.readable = False
        return reg, [read_file.failure]
    return reg, found


def _open_workbook(reg: RegisterFile, data: bytes, suffix: str) -> (
        list[Finding] | tuple[CalamineWorkbook | None, Package | None, list[Finding]]):
    """Recognise the file by its bytes (never by its name) and scan it: a legacy file is
    opened with calamine here, a package once it is known what calamine is given of it."""
    label = reg.label
    if data.startswith(ZIP_MAGIC):
        package = open_package(data, label, read=READ_SHEETS, lean=True,
                               named=(*HEADER_NAMES, *SCORE_NAMES))
        if isinstance(package, Finding):
            return [package]
        package.archive.close()  # what the reader needs was kept unpacked
        reg.macros = "xl/vbaProject.bin" in package.members
        reg.format = "xlsm" if reg.macros or suffix == ".xlsm" else "xlsx"
        names = package.names
        reg.header_cells = {n: names[n] for n in (*HEADER_NAMES, *SCORE_NAMES) if n in names}
        fallback_header_cells(reg)
        links = [m for m in package.members if m.startswith("xl/externalLinks/")]
        notes = [Finding("external-links", label, detail=f"{len(links)} 个")] if links else []
        return None, package, notes
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            return [Finding("file-encrypted", label)]
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception:  # noqa: BLE001 (calamine refusing a legacy file means: unreadable)
            return [Finding("legacy-unreadable", label)]
        reg.format = "xls"
        fallback_header_cells(reg)
        what = "WPS 表格文件（.et）" if suffix == ".et" else "旧版 Excel 文件（.xls）"
        return book, None, [Finding("legacy-format", label, detail=what)]
    what = {".et": "WPS 表格文件", ".csv": "CSV 文本文件", ".xls": "损坏的 .xls 文件"}.get(
        suffix, "文件不是 Excel 格式")
    return [Finding("not-a-workbook", label, detail=what)]


def fallback_header_cells(reg: RegisterFile) -> None:
    """A legacy file carries no names we can read, and a re-saved one may have lost some:
    the template's own header cells stand in for a missing name."""
    for name, (sheet, col, row) in HEADER_CELLS.items():
        reg.header_cells.setdefault(name, (sheet, f"{col}{row}"))


def _merged_findings(label: str, sheet: str, ranges: MergedRanges,
                     header_row: int) -> list[Finding]:
    """Merged cells in a table's header or data rows: calamine gives the value to the first
    cell only, so the rest would read as blank. Titles above the header may be merged."""
    out = []
    for (r0, c0), (r1, c1) in ranges:
        if r1 + 1 >= header_row:
            ref = f"{column_name(c0)}{r0 + 1}:{column_name(c1)}{r1 + 1}"
            out.append(Finding("merged-cells", label, sheet, ref.split(":")[0], ref))
    return out


@dataclass(frozen=True)
class Given:
    """What python-calamine is given of a register's sheet: its XML, through row
    ``through`` (None: every row), as the scan measured it."""

    measure: SheetMeasure
    through: int | None


def _letters(specs: tuple[ColumnSpec, ...]) -> str:
    return "".join(column_name(c) for c, spec in enumerate(specs) if not spec.live)


# The columns a clerk types into, where the templates put them: a table is handed to
# calamine through the last row holding a cell of these (and read again whole when its
# header shows its columns elsewhere).
TABLE_INPUTS = {SHEET_INCIDENTS: _letters(INCIDENT_COLUMNS), SHEET_ROSTER: _letters(ROSTER_COLUMNS)}


def given_sheets(package: Package, reg: RegisterFile, *, whole: bool = False) -> dict[str, Given]:
    """What calamine is given of each sheet the reader reads (held unpacked by the scan):
    a table through its last row holding input (its header among them), 得分 through the
    rows its people need, each at least through its named cells. With ``whole``, or when
    a sheet cannot be cut so, the whole sheet. (Rows past a header row that holds every
    header cannot change which row is the header: ``_covers`` checks that it did.)"""
    named: dict[str, int] = {}
    for sheet, cell in reg.header_cells.values():
        named[sheet] = max(named.get(sheet, 0), split_cell(cell)[1])
    out: dict[str, Given] = {}
    roster_through: int | None = None
    for sheet in (SHEET_ROSTER, SHEET_INCIDENTS, SHEET_SCORES, SHEET_META):
        part = package.part(sheet)
        xml = package.held.get(part) if part else None
        if xml is None:
            continue  # not in the package, or too large to hold: measured as it was scanned
        through = named.get(sheet, 1)
        cut = None
        if whole or sheet == SHEET_META:
            pass
        elif sheet in TABLE_INPUTS:
            cut = rows_through(xml, through, TABLE_INPUTS[sheet])
            if sheet == SHEET_ROSTER and cut is not None:
                roster_through = cut[1]
        elif roster_through is not None:  # 得分: a row a person, under its header
            people = roster_through - ROSTER_HEADER_ROW
            cut = rows_through(xml, max(through, SCORES_HEADER_ROW + people))
        view, last = cut if cut is not None else (xml, None)
        out[sheet] = Given(measure_xml(view, reg.label, package.infos[part].filename), last)
    return out


def _covers(reg: RegisterFile, sheet: str, given: Given) -> bool:
    """Whether what calamine was given of ``sheet`` holds all the reader needs: the table's
    header row, holding every header (no later row could then be taken for it), with its
    input columns where the templates put them (so no input lies past the rows given);
    得分 through the last row the cached values are checked in."""
    if given.through is None or sheet == SHEET_META:
        return True
    if sheet in TABLE_INPUTS:
        table = reg.incidents if sheet == SHEET_INCIDENTS else reg.roster
        specs = INCIDENT_COLUMNS if sheet == SHEET_INCIDENTS else ROSTER_COLUMNS
        return (table is not None and len(table.letters) == len(specs)
                and all(table.letters[s.header] in TABLE_INPUTS[sheet]
                        for s in specs if not s.live))
    return (reg.scores is not None and all(h in reg.scores.letters for h in SCORE_KEY_HEADERS)
            and rows_checked(reg, sheet) <= given.through)


def _read_package(reg: RegisterFile, package: Package) -> list[Finding]:
    """Read a scanned register's sheets, each as far as it is in use; when a table turns out
    to reach further (its columns moved), the sheets are read again whole."""
    named = dict(reg.header_cells)
    given = given_sheets(package, reg)
    findings = _read_sheets(reg, _calamine(package, given), package, given)
    if all(_covers(reg, sheet, g) for sheet, g in given.items()):
        return findings
    reg.header_cells, reg.header, reg.meta = named, {}, {}
    reg.roster = reg.incidents = reg.scores = None
    given = given_sheets(package, reg, whole=True)
    return _read_sheets(reg, _calamine(package, given), package, given)


def _calamine(package: Package, given: dict[str, Given]) -> CalamineWorkbook:
    views = {package.part(sheet): g.measure.xml for sheet, g in given.items()
             if g.measure.xml is not None}
    return CalamineWorkbook.from_filelike(io.BytesIO(package.for_calamine(views)))


def _read_sheets(reg: RegisterFile, book: CalamineWorkbook, package: Package | None,
                 given: dict[str, Given]) -> list[Finding]:
    sheets: dict[str, CalamineSheet] = {}  # calamine parses a sheet on every get_sheet_by_name
    cache: dict[str, Rows] = {}
    findings = shadowed_sheets(reg.label, visibility(book))

    def measure_of(name: str) -> SheetMeasure | None:
        if name in given:
            return given[name].measure
        return package.measure(name) if package is not None else None

    def sheet_of(name: str) -> CalamineSheet:
        if name not in sheets:
            measure = measure_of(name)
            sheets[name] = checked_sheet(book, measure, name, reg.label)
            findings.extend(duplicate_rows(reg.label, name, measure))
        return sheets[name]

    check_sheet_count(book, reg.label)

    def rows_of(name: str) -> Rows:
        if name not in cache:
            cache[name] = sheet_of(name).to_python(skip_empty_area=False)
        return cache[name]

    def merged_of(name: str) -> MergedRanges:
        return sheet_of(name).merged_cell_ranges or []

    findings += read_tables(reg, set(book.sheet_names), rows_of, merged_of)
    if package is not None:
        reg.formula_cells = {}
        for name in FORMULA_SHEETS:
            measure = measure_of(name) if name in package.parts else None
            if measure is not None and measure.xml is not None:
                xml = (through_row(measure.xml, rows_checked(reg, name)) if measure.regular
                       else measure.xml)
                reg.formula_cells[name] = FormulaCells(xml, measure.regular)
    return findings


def score_rows(reg: RegisterFile) -> int:
    """How many people the file's 得分 sheet shows (its _meta says; older ones held 60)."""
    shown = reg.meta.get(META_SCORE_ROWS, "")
    return int(float(shown)) if shown.replace(".", "", 1).isdigit() else ROSTER_ROWS


def rows_checked(reg: RegisterFile, sheet: str) -> int:
    """The last row of a formula sheet whose live cells the cached-value check looks at:
    登记's incident rows; 得分's person rows (as many as it shows) and its department cells.
    The formula check keeps a sheet's XML only that far (a chunk holds many files)."""
    if sheet == SHEET_INCIDENTS:
        return max(reg.incidents.rows, default=0) if reg.incidents is not None else 0
    shown = min(len(reg.roster.rows) if reg.roster is not None else 0, score_rows(reg))
    rows = [reg.scores.header_row + shown] if reg.scores is not None else []
    rows += [split_cell(cell)[1] for name, (where, cell) in reg.header_cells.items()
             if where == sheet and name in SCORE_NAMES]
    return max(rows, default=0)


def through_row(xml: bytes, row: int) -> bytes:
    """A regular sheet's XML up to the end of ``row`` (where the next row begins)."""
    cut = xml.find(b'<row r="%d"' % (row + 1))
    return xml if cut == -1 else xml[:cut]


def shadowed_sheets(label: str, sheets: Sequence[tuple[str, bool]],
                    contract_sheets: Sequence[str] = CONTRACT_SHEETS) -> list[Finding]:
    """A contract sheet hidden, or two sheets whose names differ only in blanks, width or
    case (a hidden 登记 beside a visible "登记 "): which one a clerk filled is unknown.

    >>> [f.detail for f in shadowed_sheets("x", [("登记", False), ("登记 ", True)])]
    ['“登记” 已隐藏；另有工作表 “登记 ”']
    """
    out = []
    for contract in contract_sheets:
        alike = [(name, visible) for name, visible in sheets
                 if ascii_form(name).replace(" ", "").casefold() == contract]
        hidden = [name for name, visible in alike if not visible]
        if len(alike) > 1 or hidden:
            others = [f"“{name}”" for name, _ in alike if name not in hidden]
            detail = "、".join(f"“{name}” 已隐藏" for name in hidden)
            if others:
                detail += ("；另有工作表 " if detail else "名称相近的工作表 ") + "、".join(others)
            out.append(Finding("sheet-shadowed", label, contract, "", detail))
    return out


def read_tables(reg: RegisterFile, sheets: set[str],
                rows_of: Callable[[str], Rows],
                merged_of: Callable[[str], MergedRanges] | None = None) -> list[Finding]:
    """Fill a register's header fields, _meta and tables from its sheets' rows (row 0 = sheet
    row 1), wherever the rows come from: calamine for a file, xlwings for an open workbook."""
    label = reg.label
    findings: list[Finding] = []
    for name, (sheet, cell) in list(reg.header_cells.items()):
        if sheet in sheets:
            reg.header[name] = cell_value(rows_of(sheet), cell)
        else:
            del reg.header_cells[name]
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
        if table is not None and merged_of is not None:
            findings += _merged_findings(label, sheet, merged_of(sheet), table.header_row)
        setattr(reg, attr, table)
    if SHEET_SCORES in sheets:
        reg.scores, _ = find_table(rows_of(SHEET_SCORES), SHEET_SCORES, list(SCORE_KEY_HEADERS), label,
                                   keep_all=True)
    return findings
