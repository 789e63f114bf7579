"""The classic add-in's 校验本表 button: validate the workbook open in Excel and write the
findings to its 校验结果 sheet (called through RunPython; see macros/qianfen.bas).

:func:`validation_rows` is the whole logic, on plain values (so it is tested without
Excel); :func:`validate_caller` only moves values between Excel and it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from qianfen_xl.contract.findings import REPORT_COLUMNS
from qianfen_xl.contract.standards import Standards, load_standards
from qianfen_xl.intake.reading import RegisterFile, fallback_header_cells, read_tables
from qianfen_xl.intake.register import check_register
from qianfen_xl.schemas.columns import HEADER_NAMES, SCORE_NAMES, SHEET_VALIDATION

_REF = re.compile(r"^=?'?(?P<sheet>.+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)$")


def validation_rows(standards: Standards, label: str, sheets: Mapping[str, list[list[Any]]],
                    names: Mapping[str, str]) -> list[list[Any]]:
    """The 校验结果 sheet for a workbook given as its sheets' values (from A1) and its
    defined names (name → ``='登记'!$D$2``): a summary line, then every finding."""
    reg = RegisterFile(Path(label), label, "", 0, readable=True)
    for name in (*HEADER_NAMES, *SCORE_NAMES):
        match = _REF.match(names.get(name, ""))
        if match:
            reg.header_cells[name] = (match["sheet"].replace("''", "'"),
                                      f"{match['col']}{match['row']}")
    fallback_header_cells(reg)
    findings = read_tables(reg, set(sheets), lambda s: [list(r) for r in sheets[s]])
    checked = check_register(reg, findings, standards)
    if checked.score is not None:
        summary = (f"校验通过（警告 {len(checked.findings)} 个）。"
                   f"科室得分 {checked.score.total:.2f}")
    else:
        summary = f"共 {sum(f.is_error for f in checked.findings)} 个错误：请按下表修改后再报送。"
    rows = [[f.as_row()[h] for h in REPORT_COLUMNS] for f in checked.findings]
    return [[summary], [], list(REPORT_COLUMNS), *rows]


def validate_caller() -> None:  # runs inside Excel on Windows
    """RunPython entry point of the 校验本表 button."""
    import xlwings as xw

    book = xw.Book.caller()
    sheets = {}
    for sheet in book.sheets:
        last = sheet.used_range.last_cell
        sheets[sheet.name] = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
    names = {n.name: n.refers_to or "" for n in book.names}
    rows = validation_rows(load_standards(), book.name, sheets, names)
    if SHEET_VALIDATION in [s.name for s in book.sheets]:
        target = book.sheets[SHEET_VALIDATION]
        target.clear()
    else:
        target = book.sheets.add(SHEET_VALIDATION, after=book.sheets[-1])
    width = len(REPORT_COLUMNS)
    target.range("A1").value = [r + [""] * (width - len(r)) for r in rows]
    target.range("A1").api.Font.Bold = True
    target.activate()
