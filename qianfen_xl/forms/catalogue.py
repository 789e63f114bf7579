"""评分标准: the read-only catalogue every register carries, written from the standards.

Printed: 代码 … 适用单位. Beside it, outside the print area and hidden: the 下拉显示 the 项目
dropdown lists, the helpers the formulas look items up in (norm number, needs a 编号, only
for the leadership) and the lists of the roster's dropdowns (口, 人员类别, 岗位层级).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.standards import Standards, short_text
from qianfen_xl.forms.layout import CAT
from qianfen_xl.forms.style import (
    BOLD,
    header_row,
    protect_sheet,
    setup_print,
    sheet_ref,
    sheet_title,
)
from qianfen_xl.schemas.columns import (
    CATALOGUE_COLUMNS,
    CATALOGUE_HEADER_ROW,
    CATALOGUE_HELPERS,
    CATALOGUE_PRINTED,
    SHEET_STANDARDS,
)

WIDTHS = (9, 22, 8, 60, 9, 9, 9, 12, 44)
SCOPE_TEXT = {"individual": "个人", "department": "科室"}
LINE_HEIGHT = 16.5  # points per line of CJK text at the default size
LISTS_FROM = len(CATALOGUE_COLUMNS) + len(CATALOGUE_HELPERS) + 2  # a gap after the helpers


@dataclass(frozen=True)
class CatalogueLists:
    """The ranges the roster's dropdowns list (口, 人员类别, 岗位层级)."""

    lines: str
    categories: str
    levels: str


def _width(text: str) -> float:
    """Columns a text takes: a letter or digit one, a CJK character or a mark about one and
    a half (as LibreOffice and Excel draw them), with a little slack."""
    return sum(1.0 if ch.isascii() and ch.isalnum() else 1.5 for ch in text) * 1.02


def item_label(standards: Standards, code: str, unit: str) -> str:
    """What the 项目 dropdown shows for ``code`` in a register of ``unit``."""
    item = standards.item_by_code.get(code)
    if item is None:
        return standards.addition_by_code[code].label
    return f"{item.code} {short_text(standards.text_for(item.text, unit))}"


def write_standards_sheet(ws: Worksheet, standards: Standards, unit: str) -> CatalogueLists:
    printed = CATALOGUE_COLUMNS.index("适用单位") + 1
    sheet_title(ws, f"评分标准：{standards.name}（{standards.version}）", printed)
    ws.cell(row=2, column=1, value=f"评分标准哈希 {standards.short_digest}；本表只读，"
                                    "如需修改请由管理员编辑评分标准文件后重新生成模板。")
    header_row(ws, CATALOGUE_HEADER_ROW, CATALOGUE_COLUMNS, WIDTHS)
    keys = {n.code: k for k, n in enumerate(standards.norms, start=1)}
    rows: list[tuple[str | int | float, ...]] = []
    for norm in standards.norms:
        for item in norm.items:
            leader = "department" not in item.units
            rows.append((item.code, norm.name, f"{item.group}{item.no}" if item.group else item.no,
                         standards.text_for(item.text, unit), SCOPE_TEXT[item.scope],
                         -item.points, "是" if item.veto else "", "街道领导班子" if leader else "全部",
                         item_label(standards, item.code, unit),
                         keys[norm.code], int(item.scope == "individual"), int(leader)))
    rows += [(a.code, "加分", "", a.text, "个人/科室", a.points, "", "全部", a.label, 0, 0, 0)
             for a in standards.additions]
    text_col = CATALOGUE_COLUMNS.index("内容")
    for r, values in enumerate(rows, start=CATALOGUE_HEADER_ROW + 1):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            cell.alignment = Alignment(wrap_text=c == text_col + 1, vertical="top")
            if isinstance(v, str):
                cell.data_type = "s"
        # Not every application sizes a wrapped row when it opens the file: say how tall.
        lines = math.ceil(_width(str(values[text_col])) / WIDTHS[text_col])
        ws.row_dimensions[r].height = LINE_HEIGHT * max(1, lines)
    for c, header in enumerate(CATALOGUE_HELPERS, start=len(CATALOGUE_COLUMNS) + 1):
        ws.cell(row=CATALOGUE_HEADER_ROW, column=c, value=header).font = BOLD
        ws.column_dimensions[get_column_letter(c)].hidden = True
    last = CATALOGUE_HEADER_ROW + len(rows)
    lists = _write_lists(ws, standards)
    ws.freeze_panes = f"A{CATALOGUE_HEADER_ROW + 1}"
    setup_print(ws, f"{CATALOGUE_HEADER_ROW}:{CATALOGUE_HEADER_ROW}", landscape=True)
    ws.print_area = f"A1:{CATALOGUE_PRINTED}{last}"
    assert CAT["适用单位"] == CATALOGUE_PRINTED
    protect_sheet(ws)
    return lists


def _write_lists(ws: Worksheet, standards: Standards) -> CatalogueLists:
    refs = []
    for offset, (header, names) in enumerate((("口", list(standards.lines)),
                                              ("人员类别", list(standards.categories)),
                                              ("岗位层级", list(standards.levels)))):
        col = LISTS_FROM + offset
        letter = get_column_letter(col)
        ws.cell(row=CATALOGUE_HEADER_ROW, column=col, value=header).font = BOLD
        ws.column_dimensions[letter].width = 12
        ws.column_dimensions[letter].hidden = True
        for r, v in enumerate(names, start=CATALOGUE_HEADER_ROW + 1):
            ws.cell(row=r, column=col, value=v).data_type = "s"
        refs.append(sheet_ref(SHEET_STANDARDS, letter, CATALOGUE_HEADER_ROW + 1,
                              CATALOGUE_HEADER_ROW + len(names)))
    return CatalogueLists(*refs)
