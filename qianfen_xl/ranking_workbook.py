"""The ranking workbook for HR (PRODUCT.md, register contract): 排名, 科室明细, 个人明细,
月度趋势, 校验报告, 数据来源, and a hidden _meta.

Written with openpyxl in write-only mode (rows stream to disk), to a temporary file renamed
into place. Every string is written as text, never as a formula, whatever it starts with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from .atomic import FIXED_TIME, freeze_zip, write_atomic
from .consolidation import SCORED, Consolidation, DepartmentMonth
from .findings import REPORT_COLUMNS
from .schemas.columns import NAME_KIND, NAME_PERIOD, NAME_UNIT, NAME_VERSION, TEMPLATE_VERSION
from .standards import Standards

KIND_RANKING = "千分制考核汇总"
EXCEL_CELL_TEXT_MAX = 32767
HEADER_ROW = 3  # title, subtitle, then the header row
SCORE_FORMAT = "0.00"
CHART_COLUMNS = 3  # small line charts per row in 月度趋势

_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_TITLE_FONT = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None
    wrap: bool = False


def text(value: str) -> str:
    """Text as a cell can hold it: characters XML forbids become U+FFFD, and text longer
    than Excel's cell limit is cut (with an ellipsis) rather than lost on open."""
    clean = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if len(clean) > EXCEL_CELL_TEXT_MAX:
        clean = clean[: EXCEL_CELL_TEXT_MAX - 1] + "…"
    return clean


class SheetWriter:
    """One sheet: title, subtitle, a frozen header row, then typed rows."""

    def __init__(self, wb: Workbook, title: str, heading: str, subtitle: str | Sequence[str],
                 columns: Sequence[Column], *, landscape: bool = True) -> None:
        self.ws: WriteOnlyWorksheet = wb.create_sheet(title)
        self.columns = columns
        ws = self.ws
        for i, col in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.print_title_rows = f"1:{HEADER_ROW}"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        self.row = 0
        self.append([self.cell(heading, font=_TITLE_FONT)])
        self.append([self.cell(v) for v in ([subtitle] if isinstance(subtitle, str)
                                            else subtitle)])
        self.append([self.cell(c.header, font=_HEAD_FONT, fill=_HEAD_FILL) for c in columns])

    def cell(self, value: object, *, number_format: str | None = None, font: Font | None = None,
             fill: PatternFill | None = None, wrap: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=None)
        if isinstance(value, str):
            cell.value = text(value)
            cell.data_type = "s"  # never a formula, whatever the text starts with
        else:
            cell.value = value
        if number_format and isinstance(value, int | float):
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = _WRAP
        return cell

    def append(self, values: Sequence[object]) -> None:
        self.ws.append(list(values))
        self.row += 1

    def add(self, values: Sequence[object]) -> None:
        """A data row, formatted by its columns."""
        self.append([self.cell(v, number_format=c.number_format, wrap=c.wrap)
                     for v, c in zip(values, self.columns, strict=True)])


def write_ranking_workbook(result: Consolidation, standards: Standards, path: Path) -> Path:
    """Write the workbook atomically; identical results give identical bytes."""
    def write(tmp: Path) -> None:
        wb = build_ranking_workbook(result, standards)
        wb.save(tmp)
        freeze_zip(tmp)
    return write_atomic(path, write)


def build_ranking_workbook(result: Consolidation, standards: Standards) -> Workbook:
    wb = Workbook(write_only=True)
    subtitle = (f"单位：{result.unit}    期间：{result.period.label}"
                f"（{result.period.start:%Y-%m-%d} 至 {result.period.end:%Y-%m-%d}）    "
                f"评分标准：{standards.name} {standards.version}（{standards.short_digest}）")
    ranking = _ranking_sheet(wb, result, subtitle)
    _departments_sheet(wb, result, standards, subtitle)
    _people_sheet(wb, result, standards, subtitle)
    _trend_sheet(wb, result, subtitle)
    _report_sheet(wb, result, subtitle)
    _sources_sheet(wb, result, subtitle)
    meta = _meta_sheet(wb, result, standards)
    for name, (ws, ref) in {NAME_UNIT: (ranking, "$B$2"), NAME_PERIOD: (ranking, "$D$2"),
                            NAME_KIND: (meta, "$B$1"), NAME_VERSION: (meta, "$B$2")}.items():
        wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{ref}")
    wb.properties.creator = "qianfen-xl"
    wb.properties.title = f"{result.unit} {result.period.label} {KIND_RANKING}"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def ranking_order(rows: Iterable[DepartmentMonth]) -> list[DepartmentMonth]:
    """Ranked departments by rank, then those not scored, then the leadership unit."""
    def key(r: DepartmentMonth) -> tuple:
        group = 0 if r.rank is not None else (2 if not r.ranked else 1)
        return (group, r.rank or 0, -(r.score.total if r.score else 0))
    return sorted(rows, key=key)


def _ranking_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> WriteOnlyWorksheet:
    columns = [Column("期间", 10), Column("名次", 9), Column("科室", 18), Column("口", 8),
               Column("得分", 10, SCORE_FORMAT), Column("口内名次", 9), Column("状态", 10),
               Column("说明", 44, wrap=True)]
    # Row 2 holds the header fields the defined names qf_unit (B2) and qf_period (D2) name.
    fields = ["单位", result.unit, "期间", result.period.label, "", subtitle.split("    ")[-1]]
    sheet = SheetWriter(wb, "排名", f"{result.unit} 千分制考核排名（{result.period.label}）",
                        fields, columns)
    for month in result.requested:
        for r in ranking_order(month.departments):
            place: object = r.rank if r.rank is not None else r.status
            note = ""
            if not r.ranked:
                place, note = "—", "街道领导班子单独计分，不参加科室排名"
            elif r.status != SCORED:
                note = ("未收到登记表" if not r.files
                        else "登记表有错误，见校验报告：" + "、".join(r.files))
            sheet.add([month.period.label, place, r.department, r.line or "—",
                       r.score.total if r.score else None, r.line_rank,
                       r.status, note])
    return sheet.ws


def _departments_sheet(wb: Workbook, result: Consolidation, standards: Standards,
                       subtitle: str) -> None:
    dept_norms = [n.code for n in standards.department_norms]
    columns = [Column("期间", 10), Column("科室", 18), Column("口", 8), Column("状态", 10),
               Column("人数", 6), Column("成员平均", 10, SCORE_FORMAT),
               *[Column(c, 8, SCORE_FORMAT) for c in dept_norms],
               Column("科室加分", 9, SCORE_FORMAT), Column("科室得分", 10, SCORE_FORMAT),
               Column("名次", 6), Column("一票否决", 14), Column("来源文件", 40, wrap=True)]
    sheet = SheetWriter(wb, "科室明细", f"{result.unit} 科室得分明细（{result.period.label}）",
                        subtitle, columns)
    for month in result.months:
        for r in month.departments:
            s = r.score
            values = ([s.member_mean, *(s.norms[c] for c in dept_norms), s.additions, s.total]
                      if s else [None] * (len(dept_norms) + 3))
            sheet.add([month.period.label, r.department, r.line or "—", r.status,
                       len(s.people) if s else None, *values, r.rank,
                       "、".join(s.vetoes) if s else "", "\n".join(r.files)])


def _people_sheet(wb: Workbook, result: Consolidation, standards: Standards,
                  subtitle: str) -> None:
    norms = [n.code for n in standards.individual_norms]
    columns = [Column("期间", 10), Column("编号", 9), Column("姓名", 10), Column("科室", 18),
               *[Column(c, 8, SCORE_FORMAT) for c in norms], Column("加分", 8, SCORE_FORMAT),
               Column("个人得分", 10, SCORE_FORMAT), Column("一票否决", 14)]
    sheet = SheetWriter(wb, "个人明细", f"{result.unit} 个人得分明细（{result.period.label}）",
                        subtitle, columns)
    for month in result.months:
        for r in month.scored():
            for p in r.score.people:
                sheet.add([month.period.label, p.id, p.name, r.department,
                           *(p.norms[c] for c in norms), p.additions, p.total,
                           "、".join(p.vetoes)])


def _trend_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> None:
    months = [m.period.label for m in result.months]
    departments = list(dict.fromkeys(r.department for m in result.months
                                     for r in m.departments if r.ranked))
    columns = [Column("科室", 18), *[Column(m, 10, SCORE_FORMAT) for m in months]]
    sheet = SheetWriter(wb, "月度趋势", f"{result.unit} 科室得分月度趋势", subtitle, columns)
    table = {(m.period.label, r.department): r for m in result.months for r in m.departments}
    first = sheet.row + 1
    for d in departments:
        row: list[object] = [d]
        for m in months:
            r = table.get((m, d))
            row.append(r.score.total if r is not None and r.score else
                       (r.status if r is not None else ""))
        sheet.add(row)
    last = sheet.row
    if not departments:
        return
    # Charts go below the table: a bar chart of the latest month, then one line per department.
    anchor_row = last + 3
    bar = BarChart()
    bar.title = f"{months[-1]} 科室得分"
    bar.y_axis.title = "得分"
    bar.legend = None
    bar.add_data(Reference(sheet.ws, min_col=len(months) + 1, min_row=HEADER_ROW, max_row=last),
                 titles_from_data=True)
    bar.set_categories(Reference(sheet.ws, min_col=1, min_row=first, max_row=last))
    bar.width, bar.height = 24, 9
    sheet.ws.add_chart(bar, f"A{anchor_row}")
    if len(months) < 2:
        return
    for i, _ in enumerate(departments):
        line = LineChart()
        line.title = departments[i]
        line.legend = None
        line.add_data(Reference(sheet.ws, min_col=2, max_col=len(months) + 1,
                                min_row=first + i), from_rows=True, titles_from_data=False)
        line.set_categories(Reference(sheet.ws, min_col=2, max_col=len(months) + 1,
                                      min_row=HEADER_ROW))
        line.width, line.height = 10, 6
        col = 1 + (i % CHART_COLUMNS) * 6
        row = anchor_row + 20 + (i // CHART_COLUMNS) * 13
        sheet.ws.add_chart(line, f"{get_column_letter(col)}{row}")


def _report_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> None:
    widths = {"文件": 34, "工作表": 8, "单元格": 8, "级别": 6, "规则": 22, "说明": 70}
    columns = [Column(h, widths[h], wrap=h == "说明") for h in REPORT_COLUMNS]
    errors = sum(f.is_error for f in result.findings)
    sheet = SheetWriter(wb, "校验报告", f"校验报告：错误 {errors} 个，警告 "
                        f"{len(result.findings) - errors} 个", subtitle, columns)
    for f in result.findings:
        row = f.as_row()
        sheet.add([row[h] for h in REPORT_COLUMNS])


def _sources_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> None:
    columns = [Column("文件", 34), Column("SHA-256", 66), Column("字节", 10, "#,##0"),
               Column("模板", 18), Column("版本", 6), Column("科室", 16), Column("期间", 10),
               Column("状态", 12), Column("备注", 30, wrap=True)]
    sheet = SheetWriter(wb, "数据来源", f"数据来源：共 {len(result.sources)} 个文件", subtitle,
                        columns)
    for src in result.sources:
        s = src.submission
        notes = [src.note] if src.note else []
        if s.macros:
            notes.append("含宏（未执行）")
        if s.format == "xls":
            notes.append("旧格式文件")
        sheet.add([s.label, s.sha256, s.size, s.kind, s.version, s.department,
                   s.period.label if s.period else "", src.status, "；".join(notes)])


def _meta_sheet(wb: Workbook, result: Consolidation, standards: Standards) -> WriteOnlyWorksheet:
    ws = wb.create_sheet("_meta")
    rows: Iterable[tuple[str, str]] = (
        ("类型", KIND_RANKING), ("版本", TEMPLATE_VERSION), ("单位", result.unit),
        ("期间", result.period.label), ("评分标准", standards.name),
        ("评分标准版本", standards.version), ("评分标准哈希", standards.short_digest),
        ("生成程序", "qianfen-xl"))
    for key, value in rows:
        k, v = WriteOnlyCell(ws, key), WriteOnlyCell(ws, text(value))
        v.data_type = "s"
        ws.append([k, v])
    ws.sheet_state = "hidden"
    return ws
