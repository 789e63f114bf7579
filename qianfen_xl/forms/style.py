"""What every workbook the project writes with openpyxl shares: borders and fills, titles,
header rows, A4 print setup (the signature line where one signs), sheet protection, data
validation with input prompts, defined names, and the reproducible atomic save that stores
every formula's value (:func:`save_workbook`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.forms.cached import Cached, Finished, save_with_cached_values

SIGNATURE = "填表人：____________      审核人：____________      日期：____________"

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
LIVE_FILL = PatternFill("solid", fgColor="F2F2F2")
TITLE_FONT = Font(name="SimSun", size=16, bold=True)
NOTE = Font(size=9, color="666666")         # guidance under a title
RED = PatternFill("solid", fgColor="FFC7CE")  # a problem (conditional formatting)
RED_TEXT = Font(color="9C0006", bold=True)
BOLD = Font(bold=True)
UNLOCKED = Protection(locked=False)


def red_when(formula: str, *, border: bool = False) -> Rule:
    """Conditional formatting: a red fill where ``formula`` (of the range's first cell)
    holds; with ``border`` the cell's borders too, for a range whose borders come from
    :func:`bordered` (LibreOffice shows only the first rule that holds)."""
    return Rule(type="expression", formula=[formula],
                dxf=DifferentialStyle(fill=RED, border=BORDER if border else None))


def input_columns(ws: Worksheet, formats: dict[str, str]) -> None:
    """Input columns (letter → number format) formatted as Excel saves a formatted column:
    the format and the unlocked protection on the column (``<col style>``), not on each
    empty cell, so that a register holds cells only where there is something."""
    for letter, number_format in formats.items():
        column = ws.column_dimensions[letter]
        column.number_format = number_format
        column.protection = UNLOCKED


def bordered(ws: Worksheet, ref: str) -> None:
    """Borders on every cell of ``ref``, from conditional formatting (which needs no cell);
    added after a sheet's other rules, so that a red row keeps its red."""
    ws.conditional_formatting.add(ref, Rule(type="expression", formula=["TRUE"],
                                            dxf=DifferentialStyle(border=BORDER)))


def as_typed(ws: Worksheet, cell: Cell) -> Cell:
    """A cell given its column's format before a value goes in, as Excel does when a clerk
    types into a formatted column (:func:`input_columns`: its number format, unlocked)."""
    column = ws.column_dimensions.get(cell.column_letter)
    if column is not None and column.has_style and not cell.has_style:
        cell.number_format = column.number_format
        cell.protection = Protection(locked=column.protection.locked,
                                     hidden=column.protection.hidden)
    return cell


def sheet_ref(sheet: str, col: str, first: int, last: int | None = None) -> str:
    end = f":${col}${last}" if last is not None else ""
    return f"'{sheet}'!${col}${first}{end}"


def define_name(wb: Workbook, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=ref)


def new_workbook(first_sheet: str) -> tuple[Workbook, Worksheet]:
    """A new workbook and its first sheet, named."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new openpyxl workbook has one worksheet
    ws.title = first_sheet
    return wb, ws


def fit_to_pages(ws: Worksheet, wide: int = 1, tall: int = 0) -> None:
    """Print scaled to ``wide`` pages across and ``tall`` down (0: as many as it takes)."""
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = wide
    ws.page_setup.fitToHeight = tall


def setup_print(ws: Worksheet, title_rows: str, landscape: bool, *,
                signature: bool = False) -> None:
    """A4, fit to the page's width, title rows on every page, page numbers; the
    填表人/审核人 line in the footer of the one sheet that is signed."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    fit_to_pages(ws)
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    footer = ws.oddFooter
    assert footer is not None and footer.left is not None and footer.right is not None
    if signature:
        footer.left.text = SIGNATURE
        footer.left.size = 9
    footer.right.text = "第 &P 页 / 共 &N 页"
    footer.right.size = 9


def header_row(ws: Worksheet, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    for c, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=c, value=header)
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width


def sheet_title(ws: Worksheet, text: str, last_col: int) -> None:
    """The title across the sheet's first row: always text (a unit named ``=1+2`` stays
    those characters, never a formula)."""
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    cell = ws.cell(row=1, column=1, value=text)
    cell.data_type = "s"
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30


def protect_sheet(ws: Worksheet) -> None:
    """Protect formulas and the catalogue; no password, so an office can still adapt a copy."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


ValidationKind = Literal["whole", "decimal", "list", "date", "time", "textLength", "custom"]
ValidationOperator = Literal["between", "notBetween", "equal", "notEqual", "lessThan",
                             "lessThanOrEqual", "greaterThan", "greaterThanOrEqual"]
ValidationStyle = Literal["stop", "warning", "information"]


Prompt = tuple[str, str]  # (title, text): shown when the cell is selected, or on a wrong entry


def validation(kind: ValidationKind | None, col: str, rows: str, f1: str | None, f2: str | None,
               *, prompt: Prompt, error: Prompt | None = None,
               op: ValidationOperator | None = None,
               style: ValidationStyle = "stop") -> DataValidation:
    """A data validation on ``col`` over ``rows`` (``"6:205"``): ``prompt`` guides as the
    cell is selected; ``error`` (a rule's title and advice) answers a wrong entry.
    ``kind=None`` only guides."""
    dv = DataValidation(type=kind, formula1=f1, formula2=f2, operator=op, allow_blank=True,
                        showInputMessage=True, promptTitle=prompt[0], prompt=prompt[1])
    if error is not None:
        dv.showErrorMessage = True
        dv.errorStyle = style
        dv.errorTitle, dv.error = error
    first, last = rows.split(":")
    dv.add(f"{col}{first}:{col}{last}")
    return dv


def add_validations(ws: Worksheet, items: Sequence[DataValidation]) -> None:
    for dv in items:
        ws.add_data_validation(dv)


Finisher = Callable[[Workbook], Finished]
_FINISHERS: WeakKeyDictionary[Workbook, Finisher] = WeakKeyDictionary()


def before_save(wb: Workbook, finish: Finisher) -> None:
    """What :func:`save_workbook` does to ``wb`` first: ``finish(wb)`` sets what depends on
    the workbook's content as it is then (print areas) and returns the value of every
    formula cell, stored with the formulas (and the columns written as shared formulas).
    A register's writer sets this, so every writer of a register (templates, demo,
    pre-filled registers, tests) stores them."""
    _FINISHERS[wb] = finish


def save_workbook(wb: Workbook, path: Path, values: Cached | None = None, *,
                  vba: Mapping[str, str] | None = None) -> Path:
    """Save atomically and reproducibly (fixed document and zip member times), each
    formula cell with its value: the workbook's own (:func:`before_save`) and ``values``
    (sheet → cell → value) for cells of formulas added by the caller; an .xlsm with the VBA
    project of the modules ``vba``."""
    finish = _FINISHERS.get(wb)
    finished = finish(wb) if finish else Finished({})
    cached: dict[str, dict[str, object]] = {}
    for source in (finished.values, values or {}):
        for sheet, cells in source.items():
            cached.setdefault(sheet, {}).update(cells)
    return save_with_cached_values(wb, path, cached, finished.shared, vba)
