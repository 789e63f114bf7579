"""Report workbooks with XlsxWriter (public API only): a sheet is a title, a subtitle, a
frozen header row and typed rows, A4 and fit to width; text is always written as text.

Written row by row (constant memory) into a temporary file renamed into place: for a
district's ten street-years (some 750,000 cells) XlsxWriter writes in well under half the
time openpyxl's write-only mode takes (measured in benchmarks/). Identical contents give
identical bytes: fixed document time, and XlsxWriter's fixed zip member times.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsFloat

from qianfen_xl.contract.atomic import write_atomic
from qianfen_xl.contract.findings import REPORT_COLUMNS, Finding
from qianfen_xl.contract.normalise import clean_text
from qianfen_xl.contract.standards import Standards
from qianfen_xl.contract.textwidth import text_width, wrapped_lines

if TYPE_CHECKING:  # XlsxWriter is imported when a workbook is written (write_xlsx)
    from xlsxwriter.chart import Chart
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

EXCEL_CELL_TEXT_MAX = 32767
EXCEL_MAX_ROWS = 1_048_576  # rows of a sheet (XlsxWriter refuses, returning -1, past them)
HEADER_ROW = 3  # title, subtitle, then the header row (1-based)
SCORE_FORMAT = "0.00"
A4 = 9
CELL_BORDER = "#A6A6A6"
LINE_HEIGHT = 15  # points a line of wrapped text takes
FIT_MAX = 40  # a column of unwrapped text widens to its longest text, up to this width
SPAN_MIN = 100  # a one-line subtitle up to this wide prints whole beside a narrower table
OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
           "strings_to_urls": False}


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None
    wrap: bool = False
    align: str = ""  # "center" for ranks, codes and short marks beside text columns


def text(value: str) -> str:
    """Text as a cell can hold it: characters XML forbids become U+FFFD (Word's line break
    a line break: ``clean_text``), and text longer than Excel's cell limit is cut (with an
    ellipsis) rather than lost on open."""
    clean = clean_text(value)
    if len(clean) > EXCEL_CELL_TEXT_MAX:
        clean = clean[: EXCEL_CELL_TEXT_MAX - 1] + "…"
    return clean


class SheetWriter:
    """One sheet: title, subtitle, a frozen header row, then typed rows.

    A subtitle given as one text runs over the empty cells to its right, or, when it has
    several lines or is wider than both the table and SPAN_MIN, spans the table wrapped
    (the row as tall as its lines); given as a list, its items go in the cells of row 2.
    A column of unwrapped text widens to its longest text (up to FIT_MAX), so that no name
    is cut by the cell beside it, on screen or on paper. Rows past Excel's last row
    (``EXCEL_MAX_ROWS``) go on in a sheet of their own, "个人明细 (2)" after "个人明细", titled
    and headed alike: no row is ever dropped."""

    def __init__(self, wb: Workbook, title: str, heading: str, subtitle: str | Sequence[str],
                 columns: Sequence[Column], *, landscape: bool = True) -> None:
        self.wb = wb
        self.title = title
        self.columns = columns
        self.part, self.max_rows = 1, EXCEL_MAX_ROWS
        self._heading, self._sub, self._landscape = heading, subtitle, landscape
        self.formats: list[Format | None] = []
        self._wrapped = [i for i, col in enumerate(columns) if col.wrap]
        self._widths = [col.width for col in columns]
        self._fitted = [i for i, col in enumerate(columns) if not col.wrap]
        self._begin(title, heading)

    def _begin(self, name: str, heading: str) -> None:
        """A sheet named ``name``: set up, titled, its header row written (the formats are
        made once, for the first sheet, and shared by those that continue it)."""
        wb, columns = self.wb, self.columns
        self.ws: Worksheet = wb.add_worksheet(name)
        ws = self.ws
        first = not self.formats
        for i, col in enumerate(columns):
            ws.set_column(i, i, self._widths[i])
            if not first:
                continue
            # Every data cell is bordered, so a printed table reads as one.
            spec: dict[str, Any] = {"border": 1, "border_color": CELL_BORDER, "valign": "top"}
            if col.number_format:
                spec["num_format"] = col.number_format
            if col.wrap:
                spec["text_wrap"] = True
            if col.align:
                spec["align"] = col.align
            self.formats.append(wb.add_format(spec))
        ws.freeze_panes(HEADER_ROW, 0)
        ws.repeat_rows(0, HEADER_ROW - 1)
        ws.set_paper(A4)
        if self._landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_footer("&C第 &P 页，共 &N 页")
        self.row = 0  # rows written so far (= the 1-based number of the last one)
        if first:
            self._title = wb.add_format({"bold": True, "font_size": 14})
        self.append([heading], [self._title])
        if isinstance(self._sub, str):
            self._subtitle(self._sub)
        else:
            self.append(list(self._sub))
        if first:
            self._head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                        "align": "center", "valign": "vcenter",
                                        "text_wrap": True})
        if any(text_width(c.header) > c.width for c in columns):
            ws.set_row(HEADER_ROW - 1, 30)  # a header that wraps gets two lines' height
        self.append([c.header for c in columns], [self._head] * len(columns))

    def _room(self) -> None:
        """A sheet that holds as many rows as Excel can goes on in the next one."""
        if self.row >= self.max_rows:
            self.part += 1
            self._begin(f"{self.title} ({self.part})", f"{self._heading}（续 {self.part}）")

    def _subtitle(self, value: str) -> None:
        """One line over the empty cells to its right; several lines, or one wider than
        the table and SPAN_MIN, across the table's columns, wrapped."""
        if "\n" not in value and text_width(value) <= max(SPAN_MIN, sum(self._widths)):
            self.append([value])
            return
        last = len(self.columns) - 1
        fmt = self.wb.add_format({"text_wrap": True, "valign": "top"})
        lines = wrapped_lines(value, sum(self._widths))
        if lines > 1:  # a little more than a table's line: nothing touches the header
            self.ws.set_row(self.row, LINE_HEIGHT * lines + 4)
        if last > 0:
            self.ws.merge_range(self.row, 0, self.row, last, text(value), fmt)
        else:
            self.ws.write_string(self.row, 0, text(value), fmt)
        self.row += 1

    def append(self, values: Sequence[object], formats: Sequence[Format | None] = ()) -> None:
        self._room()
        # The hot loop of a report (hundreds of thousands of cells): locals, no lookups.
        r, ws = self.row, self.ws
        string, number, blank = ws.write_string, ws.write_number, ws.write_blank
        if len(formats) < len(values):
            formats = [*formats, *[None] * (len(values) - len(formats))]
        for c, (value, fmt) in enumerate(zip(values, formats, strict=False)):
            if isinstance(value, str):
                if value:
                    # isprintable (C speed) rules out every control character at once
                    clean = value.isprintable() and len(value) <= EXCEL_CELL_TEXT_MAX
                    string(r, c, value if clean else text(value), fmt)
                elif fmt is not None:
                    blank(r, c, None, fmt)
            elif value is None:
                if fmt is not None:
                    blank(r, c, None, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, fmt)
            elif isinstance(value, int | float):
                number(r, c, value, fmt)
            elif isinstance(value, SupportsFloat):  # a NumPy number, say
                number(r, c, float(value), fmt)
            else:
                string(r, c, text(str(value)), fmt)
        self.row += 1

    def add(self, values: Sequence[object]) -> None:
        """A data row, formatted by its columns; as tall as its wrapped text needs (no
        application measures rows a file did not size)."""
        self._room()
        lines = 1
        for i in self._wrapped:
            value = values[i] if i < len(values) else None
            if isinstance(value, str) and value:
                lines = max(lines, wrapped_lines(value, self.columns[i].width))
        if lines > 1:
            self.ws.set_row(self.row, LINE_HEIGHT * lines)
        widths = self._widths
        for i in self._fitted:
            value = values[i] if i < len(values) else None
            # a text of n characters is at most 2n wide: most never need measuring
            if (isinstance(value, str) and widths[i] < FIT_MAX
                    and 2 * len(value) + 1 > widths[i]):
                wanted = min(FIT_MAX, text_width(value) + 1.5)
                if wanted > widths[i]:
                    widths[i] = wanted
                    self.ws.set_column(i, i, wanted)
        self.append(values, self.formats)

    def note(self, line: str) -> None:
        """A line of text under the table, after an empty row (outside its borders)."""
        self.row += 1
        self.append([line])


def scheme_label(standards: Standards, *, named: bool = False) -> str:
    """The scheme a report was scored with, as its headers say it: version and hash (the
    unit beside it is the office's); its name too where the scheme itself is meant
    (数据来源)."""
    name = f"：{standards.name} " if named else " "
    return f"评分标准{name}{standards.version}（{standards.short_digest}）"


# 校验报告's columns: the file's path and the rule (its Chinese name and its code) wrap
REPORT_WIDTHS = {"文件": 30, "工作表": 8, "单元格": 8, "级别": 6, "规则": 20, "说明": 60}
REPORT_WRAPPED = ("文件", "规则", "说明")


def report_sheet(wb: Workbook, heading: str, subtitle: str,
                 findings: Iterable[Finding]) -> SheetWriter:
    """校验报告: one row per finding, in the order given (a clerk's: file, sheet, row)."""
    sheet = SheetWriter(wb, "校验报告", heading, subtitle,
                        [Column(h, REPORT_WIDTHS[h], wrap=h in REPORT_WRAPPED)
                         for h in REPORT_COLUMNS])
    for f in findings:
        row = f.as_row()
        sheet.add([row[h] for h in REPORT_COLUMNS])
    return sheet


def add_chart(wb: Workbook, kind: str) -> Chart:
    """A new chart of ``kind`` (XlsxWriter answers None only for an unknown kind)."""
    chart = wb.add_chart({"type": kind})
    if chart is None:
        raise ValueError(f"unknown chart type {kind!r}")
    return chart


def write_xlsx(path: Path, fill: Callable[[Workbook], None]) -> Path:
    """Write an XlsxWriter workbook atomically: ``fill`` adds its sheets."""
    import xlsxwriter

    def write(tmp: Path) -> None:
        # XlsxWriter streams rows to scratch files: in a folder removed whatever happens.
        with tempfile.TemporaryDirectory(prefix="qianfen-") as scratch:
            wb = xlsxwriter.Workbook(str(tmp), {**OPTIONS, "tmpdir": scratch})
            fill(wb)
            wb.close()
    return write_atomic(path, write)
