"""年度考核情况登记表: one printable register per person (A4 portrait, one page): the
months, 平时, 测评, 考评, total and 等次, with blank areas for 鉴定意见 and signatures.
One workbook with a sheet per person, or one file each."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.forms.style import fit_to_pages, new_workbook, save_workbook
from qianfen_xl.schemas.columns import EXCEL_SHEET_NAME_MAX
from qianfen_xl.scoring.year import PersonAnnual

KIND_ANNUAL_REGISTER = "年度考核情况登记表"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_name(p: PersonAnnual, used: set[str]) -> str:
    base = "".join(ch for ch in f"{p.id} {p.name}" if ch not in "[]:*?/\\")[:EXCEL_SHEET_NAME_MAX]
    name, k = base, 2
    while name in used:
        name = f"{base[:EXCEL_SHEET_NAME_MAX - 3]}_{k}"
        k += 1
    used.add(name)
    return name


def write_person_sheet(ws: Worksheet, p: PersonAnnual, months: Sequence[str], unit: str,
                       period: str) -> None:
    ws.column_dimensions["A"].width = 16
    for col in "BCDEF":
        ws.column_dimensions[col].width = 13
    ws.merge_cells("A1:F1")
    ws["A1"] = f"{unit} {period} {KIND_ANNUAL_REGISTER}"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    info = [("编号", p.id, "姓名", p.name), ("科室", p.department, "岗位层级", p.level)]
    row = 3
    for a, b, c, d in info:
        for col, value in zip("ABCD", (a, b, c, d), strict=True):
            cell = ws[f"{col}{row}"]
            cell.value, cell.data_type, cell.border = value, "s", _BOX
        row += 1
    row += 1
    ws[f"A{row}"] = "月度得分（平时）"
    ws[f"A{row}"].font = Font(bold=True)
    row += 1
    for k in range(0, len(months), 6):
        for col, m, v in zip("ABCDEF", months[k:k + 6], p.monthly[k:k + 6], strict=False):
            ws[f"{col}{row}"] = m
            ws[f"{col}{row + 1}"] = v if v is not None else "缺"
            ws[f"{col}{row}"].border = ws[f"{col}{row + 1}"].border = _BOX
            ws[f"{col}{row + 1}"].number_format = "0.00"
        row += 2
    row += 1
    figures: list[tuple[str, str | float | None]] = [
        ("平时（月均）", p.year.regular), ("测评（百分）", p.evaluation), ("测评分", p.year.evaluation),
        ("考评分", p.year.assessment),
        ("调整", p.year.adjustments), ("年度总分", p.year.total), ("等次", p.grade.grade)]
    for label, figure in figures:
        ws[f"A{row}"] = label
        ws[f"B{row}"] = figure if figure is not None else "—"
        ws[f"A{row}"].border = ws[f"B{row}"].border = _BOX
        ws[f"B{row}"].number_format = "0.00"
        row += 1
    if p.grade.reason or p.vetoes:
        ws[f"A{row}"] = "说明"
        ws[f"B{row}"] = p.grade.reason or f"一票否决：{'、'.join(p.vetoes)}"
        ws.merge_cells(f"B{row}:F{row}")
        ws[f"B{row}"].alignment = _WRAP
        row += 1
    row += 1
    for title, height in (("鉴定意见", 8), ("考核小组意见", 5)):
        ws[f"A{row}"] = title
        ws[f"A{row}"].font = Font(bold=True)
        ws.merge_cells(f"A{row + 1}:F{row + height}")
        ws[f"A{row + 1}"].border = _BOX
        row += height + 2
    ws[f"A{row}"] = "本人签名：____________    考核小组负责人签名：____________    日期：________"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    fit_to_pages(ws, 1, 1)
    ws.print_area = f"A1:F{row}"


def write_annual_registers(people: Sequence[PersonAnnual], months: Sequence[str], unit: str,
                           period: str, out: Path, *, per_person: bool = False) -> list[Path]:
    """All registers in one workbook (a sheet each), or with ``per_person`` one file each."""
    ordered = sorted(people, key=lambda p: (p.department, p.id))
    books: list[tuple[Path, list[PersonAnnual]]] = (
        [(out / f"{KIND_ANNUAL_REGISTER}_{p.id}_{p.name}_{period}.xlsx", [p]) for p in ordered]
        if per_person else [(out, ordered)])
    written = []
    for path, group in books:
        wb: Workbook | None = None
        used: set[str] = set()
        for p in group:
            if wb is None:
                wb, ws = new_workbook(_sheet_name(p, used))
            else:
                ws = wb.create_sheet(_sheet_name(p, used))
            write_person_sheet(ws, p, months, unit, period)
        if wb is None:
            continue
        wb.properties.creator = "qianfen-xl"
        wb.properties.created = wb.properties.modified = FIXED_TIME
        written.append(save_workbook(wb, path))
    return written
