"""Filling a register's incident log from code, as a clerk would type it (demo, tests,
and the monthly registers the batch pre-fills). Cells are located by header."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.cell.cell import Cell
from openpyxl.utils import range_boundaries
from openpyxl.workbook import Workbook

from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.style import as_typed
from qianfen_xl.schemas.columns import (
    INCIDENT_COLUMNS,
    INCIDENT_HEADER_ROW,
    SHEET_INCIDENTS,
    TABLE_INCIDENTS,
)
from qianfen_xl.scoring.engine import Incident


def incident_label(standards: Standards, code: str) -> str:
    """The 项目 text the dropdown would put in the cell (the code alone when unknown)."""
    item = standards.item_by_code.get(code) or standards.addition_by_code.get(code)
    return item.label if item is not None else code


def fill_incidents(wb: Workbook, standards: Standards, incidents: Sequence[Incident],
                   names: dict[str, str] | None = None, recorder: str = "") -> None:
    """Write incidents into the 登记 table's first empty rows (text always as text)."""
    ws = wb[SHEET_INCIDENTS]
    headers = {ws.cell(row=INCIDENT_HEADER_ROW, column=c).value: c
               for c in range(1, ws.max_column + 1)}
    row = INCIDENT_HEADER_ROW + 1
    while ws.cell(row=row, column=headers["项目"]).value not in (None, ""):
        row += 1
    last = range_boundaries(ws.tables[TABLE_INCIDENTS].ref)[3]
    if last is None or row + len(incidents) - 1 > last:
        raise ValueError(f"{len(incidents)} incidents do not fit the register's table "
                         f"(rows {row}..{last}); use a monthly register or split the period")
    names = names or {}
    for inc in incidents:
        person = inc.person or None
        values = {"日期": inc.day, "编号": person, "姓名": names.get(person or "", None),
                  "项目": incident_label(standards, inc.code), "次数": inc.count,
                  "事由": inc.reason, "登记人": inc.recorder or recorder or None}
        for header, value in values.items():
            cell = ws.cell(row=row, column=headers[header])
            assert isinstance(cell, Cell)  # the table's cells are never merged
            as_typed(ws, cell).value = value
            if isinstance(value, str):
                cell.data_type = "s"
        row += 1


def clear_incidents(wb: Workbook, rows: int) -> None:
    """Empty the first ``rows`` rows of the 登记 table (its formulas stay), so one workbook
    can be filled again for the next period: the cells go, as in the template (their
    columns carry their format)."""
    ws = wb[SHEET_INCIDENTS]
    headers = {ws.cell(row=INCIDENT_HEADER_ROW, column=c).value: c
               for c in range(1, ws.max_column + 1)}
    inputs = [headers[c.header] for c in INCIDENT_COLUMNS if not c.live and c.header in headers]
    for r in range(INCIDENT_HEADER_ROW + 1, INCIDENT_HEADER_ROW + 1 + rows):
        for c in inputs:
            ws._cells.pop((r, c), None)
