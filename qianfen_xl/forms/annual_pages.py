"""One printable A4 page per person: the official 年度考核登记表 that goes into the personnel
file (PRODUCT.md). Each field either shows a row of the register by formula (the 登记表
sheet of the 年度考核情况登记表: INDEX over defined names, the row found once per page by
MATCH on its 编号) or, for the archive file ``finalize`` writes, holds the value itself.

The fields, top to bottom: 姓名, 性别, 出生年月, 编号; 政治面貌, 任现职时间, 科室, 岗位层级;
单位及职务职级; 从事或分管工作; 个人总结 (a large box signed by hand); the year's 千分制
figures and months; 主管领导评语和考核等次建议 (鉴定意见 and 建议等次); 机关负责人意见;
考核委员会意见 (the decided 等次); 本人意见 (and 复核结果); 需要说明的情况. Every box has its
signature and date line and full borders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.forms.style import new_workbook, save_workbook
from qianfen_xl.schemas.columns import SHEET_PAGES, YEAR_FIGURES, is_month_header

PAGE_COLUMNS = "ABCDEFGH"
# F holds 出生年月 and 科室 (a department's name whole on one line), D 性别 and 任现职时间
PAGE_WIDTHS = (12, 9, 10, 8, 10, 13, 9, 10)
PAGE_SCALE = 88  # percent: the page fits A4 even where a wider font stands in for Calibri
MATCH_DECISION, MATCH_DATA = "J", "K"   # helper cells (outside the print area): MATCH results
TITLE = "年度考核登记表"
SIGNED = "签名：　　　　　　　　年　　月　　日"
SEALED = "（盖章）　　　　　　　年　　月　　日"
_LINE = Side(style="thin", color="000000")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_LABEL_FONT = Font(name="SimSun", size=10, bold=True)
_FONT = Font(name="SimSun", size=10)

# Where a page field comes from: the decisions table ("dec") or 考核数据 ("data"), the
# column, whether it is a number, and the defined name its column has.
Source = tuple[str, str, bool]


@dataclass
class PageSink:
    """Where a page is written: live (formulas, with the values they compute recorded for
    the cached values) or static (the values themselves, for the archive)."""

    live: bool
    names: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (table, column) → name
    cached: dict[str, object] = field(default_factory=dict)            # cell → value

    def put(self, ws: Worksheet, ref: str, source: Source, value: object, top: int,
            *, prefix: str = "") -> None:
        table, column, number = source
        cell = ws[ref]
        shown = "" if value is None else value
        if not self.live:
            cell.value = f"{prefix}{shown}" if prefix or not number else shown
            if isinstance(cell.value, str):
                cell.data_type = "s"
        else:
            cell.value = self.formula(source, top, prefix)
            self.cached[ref] = f"{prefix}{shown}" if prefix or not number else shown
        if number:
            cell.number_format = "0.00"

    def formula(self, source: Source, top: int, prefix: str = "") -> str:
        table, column, number = source
        at = f"${MATCH_DECISION if table == 'dec' else MATCH_DATA}${top}"
        value = f"INDEX({self.names[(table, column)]},{at})"
        head = '"' + prefix.replace('"', '""') + '"&' if prefix else ""
        if number:
            return f'=IF({at}=0,"",IF({value}="","",{value}))'
        return f'={head}IF({at}=0,"",{value}&"")'


def dec(column: str, number: bool = False) -> Source:
    return ("dec", column, number)


def data(column: str, number: bool = False) -> Source:
    return ("data", column, number)


@dataclass(frozen=True)
class _Page:
    """The page being written: its sheet, its first row, what it shows, and where to."""

    ws: Worksheet
    top: int
    values: Mapping[Source, object]
    sink: PageSink

    def put(self, ref: str, source: Source, *, prefix: str = "") -> None:
        self.sink.put(self.ws, ref, source, self.values.get(source), self.top, prefix=prefix)

    def line(self, row: int, source: Source, prefix: str) -> None:
        """One labelled value on the last line of a box, across B:D (the signature's left)."""
        self.ws.merge_cells(f"B{row}:D{row}")
        self.put(f"B{row}", source, prefix=prefix)
        self.ws[f"B{row}"].font = _FONT


def _border(ws: Worksheet, rows: range, cols: str, *, top: bool = True,
            bottom: bool = True) -> None:
    """Borders around a block of cells (each cell's outer edges of the block)."""
    for r in rows:
        for c in cols:
            ws[f"{c}{r}"].border = Border(
                left=_LINE if c == cols[0] else None, right=_LINE if c == cols[-1] else None,
                top=_LINE if top and r == rows[0] else None,
                bottom=_LINE if bottom and r == rows[-1] else None)


def _label(ws: Worksheet, ref: str, text: str, to: str | None = None) -> None:
    if to:
        ws.merge_cells(f"{ref}:{to}")
    ws[ref] = text
    ws[ref].font = _LABEL_FONT
    ws[ref].alignment = _CENTER


def _grid(page: _Page, row: int, pairs: Sequence[tuple[str, Source]]) -> None:
    """A row of label/value pairs, one per two columns, every cell boxed."""
    ws = page.ws
    ws.row_dimensions[row].height = 28  # two lines of a value that wraps
    for k, (label, source) in enumerate(pairs):
        lab, val = PAGE_COLUMNS[2 * k], PAGE_COLUMNS[2 * k + 1]
        _label(ws, f"{lab}{row}", label)
        page.put(f"{val}{row}", source)
        ws[f"{val}{row}"].alignment = _CENTER
        ws[f"{val}{row}"].font = _FONT
    _border_cells(ws, range(row, row + 1))


def _border_cells(ws: Worksheet, rows: range) -> None:
    for r in rows:
        for c in PAGE_COLUMNS:
            ws[f"{c}{r}"].border = Border(left=_LINE, right=_LINE, top=_LINE, bottom=_LINE)


def _wide(page: _Page, row: int, label: str, source: Source, height: float = 20,
          prefix: str = "") -> None:
    """A label and one value across the rest of the row."""
    ws = page.ws
    _label(ws, f"A{row}", label)
    ws.merge_cells(f"B{row}:H{row}")
    page.put(f"B{row}", source, prefix=prefix)
    ws[f"B{row}"].alignment = Alignment(vertical="center", wrap_text=True)
    ws[f"B{row}"].font = _FONT
    ws.row_dimensions[row].height = height
    _border_cells(ws, range(row, row + 1))


def _box(ws: Worksheet, row: int, label: str, lines: int, height: float,
         signature: str) -> int:
    """A titled box: the label down column A, ``lines`` content rows across B:H, then the
    signature and date line. Returns the first content row."""
    last = row + lines
    _label(ws, f"A{row}", label, f"A{last}")
    ws.merge_cells(f"B{row}:H{last - 1}")
    ws[f"B{row}"].alignment = _WRAP
    ws[f"B{row}"].font = _FONT
    ws.merge_cells(f"E{last}:H{last}")
    ws[f"E{last}"] = signature
    ws[f"E{last}"].alignment = _RIGHT
    ws[f"E{last}"].font = _FONT
    for r in range(row, last):
        ws.row_dimensions[r].height = height
    ws.row_dimensions[last].height = 20
    _border(ws, range(row, last + 1), "A")
    _border(ws, range(row, last), "BCDEFGH", bottom=False)
    _border(ws, range(last, last + 1), "BCDEFGH", top=False)
    return row


@dataclass(frozen=True)
class PageHead:
    unit: str
    period: str
    months: Sequence[str]


def write_page(ws: Worksheet, top: int, k: int, head: PageHead,
               values: Mapping[Source, object], sink: PageSink, data_position: int = 0) -> int:
    """The page of the decisions table's ``k``-th row (1-based) from sheet row ``top``, its
    person being row ``data_position`` of 考核数据; returns the row after the page."""
    ws.merge_cells(f"A{top}:H{top}")
    ws[f"A{top}"] = TITLE
    ws[f"A{top}"].font = Font(name="SimSun", size=18, bold=True)
    ws[f"A{top}"].alignment = _CENTER
    ws.row_dimensions[top].height = 32
    r = top + 1
    ws.row_dimensions[r].height = 18
    ws.merge_cells(f"A{r}:E{r}")
    ws[f"A{r}"] = f"单位：{head.unit}"
    ws.merge_cells(f"F{r}:H{r}")
    ws[f"F{r}"] = f"（{head.period} 年度）"
    ws[f"F{r}"].alignment = _RIGHT
    for ref in (f"A{r}", f"F{r}"):
        ws[ref].font = _FONT
    if sink.live:
        ids = sink.names[("dec", "编号")]
        ws[f"{MATCH_DECISION}{top}"] = f'=IF(INDEX({ids},{k})&""="",0,{k})'
        ws[f"{MATCH_DATA}{top}"] = (f'=IFERROR(MATCH(INDEX({ids},{k})&"",'
                                    f'{sink.names[("data", "编号")]},0),0)')
        filled = values.get(dec("编号")) not in (None, "")
        sink.cached[f"{MATCH_DECISION}{top}"] = k if filled else 0
        sink.cached[f"{MATCH_DATA}{top}"] = data_position if filled else 0
    r += 1
    page = _Page(ws, top, values, sink)
    _grid(page, r, [("姓名", dec("姓名")), ("性别", data("性别")), ("出生年月", data("出生年月")),
                    ("编号", dec("编号"))])
    _grid(page, r + 1, [("政治面貌", data("政治面貌")), ("任现职时间", data("任现职时间")),
                        ("科室", dec("科室")), ("人员类别", dec("人员类别"))])
    _wide(page, r + 2, "单位及职务职级", data("职务职级"), prefix=f"{head.unit} ")
    _wide(page, r + 3, "从事或分管工作", data("从事或分管工作"), height=30)
    r += 4
    _box(ws, r, "个人总结", 5, 30, SIGNED)
    r += 6
    r = _figures(page, r, head)
    first = _box(ws, r, "主管领导评语和考核等次建议", 4, 24, SIGNED)
    page.put(f"B{first}", dec("鉴定意见"))
    page.line(first + 4, dec("建议等次"), "考核等次建议：")
    r += 5
    _box(ws, r, "机关负责人意见", 2, 22, SIGNED)
    r += 3
    first = _box(ws, r, "考核委员会意见", 2, 22, SEALED)
    page.put(f"B{first}", dec("确定等次"), prefix="考核等次：")
    r += 3
    first = _box(ws, r, "本人意见", 2, 22, SIGNED)
    page.put(f"B{first}", dec("本人意见"))
    page.line(first + 2, dec("复核结果"), "复核结果：")
    r += 3
    first = _box(ws, r, "需要说明的情况", 2, 24, SIGNED)
    page.put(f"B{first}", data("需要说明的情况"))
    return r + 3


def _figures(page: _Page, r: int, head: PageHead) -> int:
    """The year's 千分制 figures and the months; returns the row after them."""
    ws = page.ws
    _grid(page, r, [("平时（月均）", data("平时", True)), ("测评（百分）", data("测评（百分）", True)),
                    ("测评分", data("测评分", True)), ("考评分", data("考评分", True))])
    _grid(page, r + 1, [("调整", data("调整", True)), ("年度总分", dec("总分", True)),
                        ("考核池", dec("考核池")), ("建议等次", dec("建议等次"))])
    r += 2
    months = list(head.months)
    rows = 2 * ((len(months) + 5) // 6)
    _label(ws, f"A{r}", "月度得分", f"A{r + rows - 1}")
    for k, month in enumerate(months):
        row, col = r + 2 * (k // 6), PAGE_COLUMNS[1 + k % 6]
        ws[f"{col}{row}"] = month
        ws[f"{col}{row}"].alignment = _CENTER
        ws[f"{col}{row}"].font = _LABEL_FONT
        page.put(f"{col}{row + 1}", data(month, True))
        ws[f"{col}{row + 1}"].alignment = _CENTER
    for row in range(r, r + rows):
        ws.row_dimensions[row].height = 15
    _border_cells(ws, range(r, r + rows))
    return r + rows


def page_values(decision: Mapping[str, object], person: Mapping[str, object]) -> dict[
        Source, object]:
    """What a page shows, by field: the decisions row and the person's 考核数据 row."""
    values: dict[Source, object] = {}
    for header, value in decision.items():
        values[dec(header, header == "总分")] = value
    for header, value in person.items():
        values[data(header, header in YEAR_FIGURES or is_month_header(header))] = value
    return values


def setup_pages(ws: Worksheet) -> None:
    """Column widths and A4 portrait at the page scale; the helper columns hidden."""
    for col, width in zip(PAGE_COLUMNS, PAGE_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for col in (MATCH_DECISION, MATCH_DATA):
        ws.column_dimensions[col].hidden = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.scale = PAGE_SCALE
    ws.print_options.horizontalCentered = True
    margins = ws.page_margins
    margins.left = margins.right = margins.top = margins.bottom = 0.5
    margins.header = margins.footer = 0.3


def write_archive_page(path: Path, head: PageHead, decision: Mapping[str, object],
                       data: Mapping[str, object]) -> Path:
    """One person's final 年度考核登记表 for the personnel file (入档): the page with the
    values themselves, the decided 等次 among them."""
    wb, ws = new_workbook(SHEET_PAGES)
    setup_pages(ws)
    end = write_page(ws, 1, 1, head, page_values(decision, data), PageSink(live=False))
    ws.print_area = f"A1:H{end - 1}"
    wb.properties.creator = "qianfen-xl"
    wb.properties.title = TITLE
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return save_workbook(wb, path)
