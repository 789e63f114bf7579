"""The official 周/月考核情况登记表, generated from the standards with openpyxl.

Every score is a portable formula (forms/formulas.py) that Excel, WPS, LibreOffice and
gnumeric compute alike, saved with its value (forms/live.py); the ``.xlsm`` flavour calls the
xlwings UDFs in the same cells instead. The formulas are the engine's rules written out with
the standards' numbers; tests recalculate them in LibreOffice and gnumeric against the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.findings import RULES
from qianfen_xl.contract.normalise import file_part
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms import formulas as F
from qianfen_xl.forms.catalogue import write_standards_sheet
from qianfen_xl.forms.layout import (
    INC,
    INCIDENT_HEADERS,
    NAME_INCIDENT_TABLE,
    NAME_ROSTER_TABLE,
    PERIOD_DISPLAY,
    ROS,
    ROSTER_HEADERS,
    RegisterLayout,
)
from qianfen_xl.forms.live import finish_register
from qianfen_xl.forms.scores_sheet import write_scores_sheet
from qianfen_xl.forms.style import (
    BOLD,
    BORDER,
    LIVE_FILL,
    NOTE,
    UNLOCKED,
    add_validations,
    as_typed,
    before_save,
    bordered,
    define_name,
    header_row,
    input_columns,
    new_workbook,
    protect_sheet,
    red_when,
    save_workbook,
    setup_print,
    sheet_ref,
    sheet_title,
    validation,
)
from qianfen_xl.forms.vba_project import require_vba_writer
from qianfen_xl.schemas.columns import (
    HEADER_CELLS,
    INCIDENT_COLUMNS,
    INCIDENT_HEADER_ROW,
    INCIDENT_HELPERS,
    INCIDENT_ROWS,
    KIND_MONTHLY,
    KIND_WEEKLY,
    META_SCORE_ROWS,
    NAME_DEPARTMENT,
    NAME_PERIOD,
    NAME_UNIT,
    REGISTER_KINDS,
    ROSTER_COLUMNS,
    ROSTER_HEADER_ROW,
    ROSTER_HELPERS,
    SHEET_INCIDENTS,
    SHEET_META,
    SHEET_ROSTER,
    SHEET_SCORES,
    SHEET_STANDARDS,
    TABLE_INCIDENTS,
    TABLE_ROSTER,
    TEMPLATE_VERSION,
    roster_capacity,
)
from qianfen_xl.scoring.engine import Person

# Two flavours from one generator: portable formulas (any Excel, WPS, LibreOffice, gnumeric)
# or the xlwings UDFs (the classic add-in, Excel for Windows; saved as .xlsm).
FLAVOUR_FORMULAS = "formulas"
FLAVOUR_UDF = "udf"
UDF_MODULES = "qianfen_xl.udfs"
XLWINGS_CONF_SHEET = "xlwings.conf"  # xlwings reads workbook-level settings from this sheet


def _table(ws: Worksheet, name: str, ref: str, headers: Sequence[str],
           calculated: dict[str, str]) -> None:
    """An Excel Table over ``ref``; ``calculated`` (header → formula of the first data row,
    A1 form) fills a column's rows as Excel extends the Table."""
    columns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, start=1)]
    for column in columns:
        if column.name in calculated:
            column.calculatedColumnFormula = TableFormula(attr_text=calculated[column.name][1:])
    table = Table(displayName=name, ref=ref, tableColumns=columns)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


def _hide(ws: Worksheet, letters: Sequence[str]) -> None:
    for letter in letters:
        ws.column_dimensions[letter].hidden = True


# ------------------------------------------------------------------------ 人员

def write_roster_sheet(ws: Worksheet, roster: Sequence[Person], department: str,
                       layout: RegisterLayout, native: bool) -> None:
    specs = ROSTER_COLUMNS
    headers = ROSTER_HEADERS if native else tuple(c.header for c in specs)
    sheet_title(ws, "人员名单", len(specs))
    ws["A2"] = "编号唯一；口、人员类别、岗位层级请从下拉列表选择。"
    ws["A2"].font = NOTE
    header_row(ws, ROSTER_HEADER_ROW, headers,
               [c.width for c in specs] + [8] * (len(headers) - len(specs)))
    first, last = layout.roster_first, layout.roster_last
    input_columns(ws, {get_column_letter(c): spec.number_format
                       for c, spec in enumerate(specs, start=1)})
    if native:
        for r in range(first, last + 1):
            for letter, formula in F.roster_formulas(r).items():
                ws[f"{letter}{r}"] = formula
    for r, p in enumerate(roster, start=first):
        values = [p.id, p.name, p.department or department, p.line, p.category, p.level]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            assert isinstance(cell, Cell)  # the table's cells are never merged
            as_typed(ws, cell).value = v
            cell.data_type = "s"
    calculated = ({"_键": F.roster_key_formula(first), "_首位": F.roster_first_formula(first)}
                  if native else {})
    _table(ws, TABLE_ROSTER, f"A{ROSTER_HEADER_ROW}:{get_column_letter(len(headers))}{last}",
           headers, calculated)
    if native:
        _hide(ws, [ROS[h] for h in ROSTER_HELPERS])
        ws.conditional_formatting.add(f"A{first}:F{last}",
                                      red_when(F.roster_duplicate_rule(first), border=True))
    bordered(ws, f"A{first}:{get_column_letter(len(specs))}{last}")
    ws.freeze_panes = f"A{first}"
    setup_print(ws, f"{ROSTER_HEADER_ROW}:{ROSTER_HEADER_ROW}", landscape=False)
    protect_sheet(ws)


def roster_validations(ws: Worksheet, layout: RegisterLayout) -> None:
    rows = f"{layout.roster_first}:{layout.roster_last}"
    dropdowns = [
        validation("list", ROS[header], rows, name, None, prompt=(f"选择{header}", hint),
                   error=(RULES[rule].title, f"{RULES[rule].advice}（规则 {rule}）"))
        for header, name, rule, hint in (
            ("口", "qf_lines", "roster-line-unknown", "从下拉列表选择此人所属的口"),
            ("人员类别", "qf_categories", "roster-category-unknown", "从下拉列表选择人员类别"),
            ("岗位层级", "qf_levels", "roster-level-unknown", "从下拉列表选择岗位层级"))]
    dropdowns.append(validation(None, ROS["编号"], rows, None, None, prompt=(
        "填写编号", "每人一个编号，不能重复（只差大小写也算重复）；登记表按编号原样查找此人")))
    add_validations(ws, dropdowns)


# ------------------------------------------------------------------------ 登记

def _incident_note(standards: Standards) -> str:
    departmental = "、".join(n.name for n in standards.department_norms)
    return (f"从下拉列表选择编号和项目；个人项目必须填编号，科室项目（{departmental}）和科室加分"
            "的编号留空。分值和得分自动计算；无法计分的行标红，并计入得分表的“无法计分的行”。")


def write_incident_sheet(ws: Worksheet, standards: Standards, kind: str, unit: str,
                         department: str, period: str, layout: RegisterLayout,
                         native: bool) -> None:
    specs = INCIDENT_COLUMNS
    headers = INCIDENT_HEADERS if native else tuple(c.header for c in specs)
    sheet_title(ws, f"{unit} {kind}", len(specs))
    for ref, text in (("A2", "单位"), ("C2", "科室"), ("E2", "期间")):
        ws[ref] = text
        ws[ref].font = BOLD
        ws[ref].alignment = Alignment(horizontal="right")
    for name, value in ((NAME_UNIT, unit), (NAME_DEPARTMENT, department), (NAME_PERIOD, period)):
        _, col, row = HEADER_CELLS[name]
        cell = ws[f"{col}{row}"]
        cell.value, cell.data_type, cell.number_format = value, "s", "@"
        cell.protection, cell.border = UNLOCKED, BORDER
    ws[PERIOD_DISPLAY] = F.period_display(kind)
    # (the .xlsm's QF_CHECK fills G3:H3: an array formula cannot sit in merged cells)
    ws.merge_cells(f"A3:{get_column_letter(len(specs) if native else len(specs) - 2)}3")
    ws["A3"] = _incident_note(standards)
    ws["A3"].font = NOTE
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[3].height = 26
    header_row(ws, INCIDENT_HEADER_ROW, headers,
               [c.width for c in specs] + [8] * (len(headers) - len(specs)))
    substitutions = F.code_substitutions(standards.item_by_code.keys() |
                                         standards.addition_by_code.keys())
    input_columns(ws, {get_column_letter(c): spec.number_format
                       for c, spec in enumerate(specs, start=1) if not spec.live})
    live = [(get_column_letter(c), spec) for c, spec in enumerate(specs, start=1) if spec.live]
    for r in range(layout.first, layout.last + 1):
        for letter, spec in live:  # a formula in every row: styled in the cell
            cell = ws[f"{letter}{r}"]
            cell.number_format, cell.border, cell.fill = spec.number_format, BORDER, LIVE_FILL
        for col, formula in F.incident_formulas(r, substitutions, native).items():
            ws[f"{col}{r}"] = formula
    first_row = F.incident_formulas(layout.first, substitutions, native)
    _table(ws, TABLE_INCIDENTS,
           f"A{INCIDENT_HEADER_ROW}:{get_column_letter(len(headers))}{layout.last}", headers,
           {h: first_row[INC[h]] for h in headers if INC[h] in first_row})
    if native:
        _hide(ws, [INC[h] for h in INCIDENT_HELPERS])
        ws.conditional_formatting.add(f"A{layout.first}:H{layout.names_end}",
                                      red_when(F.problem_row_rule(layout.first), border=True))
        ws.conditional_formatting.add(f"A{layout.names_end + 1}:H{layout.tail_end}",
                                      red_when(F.tail_row_rule(layout.names_end + 1)))
    else:  # the live check: number of problems, and the first one
        ws["G3"] = ArrayFormula("G3:H3", f"=QF_CHECK({NAME_INCIDENT_TABLE},{NAME_ROSTER_TABLE},"
                                         "qf_standards)")
        ws["G3"].font = Font(size=9, color="C00000")
    bordered(ws, f"A{layout.first}:{get_column_letter(len(specs))}{layout.last}")
    add_validations(ws, incident_validations(kind, period, layout))
    ws.freeze_panes = f"A{layout.first}"
    setup_print(ws, f"1:{INCIDENT_HEADER_ROW}", landscape=True)
    protect_sheet(ws)


def _example_day(kind: str, period: str) -> str:
    try:
        return parse_period(period).start.isoformat() if period else "2026-11-17"
    except ValueError:
        return "2026-11-17"


def incident_validations(kind: str, period: str, layout: RegisterLayout) -> list[DataValidation]:
    span = f"{layout.first}:{layout.last}"
    within = "本周" if kind == KIND_WEEKLY else "本月"

    def rule(code: str) -> tuple[str, str]:
        return RULES[code].title, f"{RULES[code].advice}（规则 {code}）"

    return [
        validation("date", INC["日期"], span, "qf_period_start", "qf_period_end", op="between",
                   prompt=("填写日期", f"{within}内的日期（见表头“起止”），如 {_example_day(kind, period)}"),
                   error=rule("date-outside-period")),
        validation("list", INC["编号"], span, "qf_ids", None,
                   prompt=("选择编号", "从下拉列表选择被考核人的编号；科室项目和科室加分请留空"),
                   error=rule("person-unknown")),
        validation("list", INC["项目"], span, "qf_item_list", None, style="warning",
                   prompt=("选择项目", "从下拉列表选择项目，也可只填代码，如 N03-05"),
                   error=("不是下拉列表中的项目", "只填代码（如 N03-05）可选“是”保留；代码不存在时"
                          "该行无法计分（规则 item-code-unknown）")),
        validation("whole", INC["次数"], span, "1", None, op="greaterThanOrEqual",
                   prompt=("填写次数", "不小于 1 的整数，如 1、2、3"), error=rule("count-not-whole")),
        validation(None, INC["事由"], span, None, None,
                   prompt=("填写事由", "简要写明发生了什么（必填）")),
    ]


# ------------------------------------------------------------------------ _meta

def write_meta_sheet(ws: Worksheet, kind: str, standards: Standards,
                     layout: RegisterLayout) -> None:
    start, end = F.period_formulas(kind)
    rows: list[tuple[str, str | int]] = [
        ("模板类型", kind), ("模板版本", TEMPLATE_VERSION), ("评分标准", standards.name),
        ("评分标准版本", standards.version), ("评分标准哈希", standards.short_digest),
        ("生成程序", "qianfen-xl"), ("说明", "本表由 qianfen-xl 生成，请勿修改此工作表"),
        ("期间起", start), ("期间止", end), (META_SCORE_ROWS, layout.roster_rows),
        ("领导班子", F.leadership_formula(standards)),
    ]
    for r, (key, value) in enumerate(rows, start=1):
        ws.cell(row=r, column=1, value=key)
        ws.cell(row=r, column=2, value=value)
    ws.sheet_state = "hidden"
    protect_sheet(ws)


# ------------------------------------------------------------------------ the workbook

def build_register(kind: str, standards: Standards, *, unit: str | None = None,
                   department: str = "", period: str = "",
                   roster: Sequence[Person] = (), incident_rows: int | None = None,
                   flavour: str = FLAVOUR_FORMULAS) -> Workbook:
    """A 周/月考核情况登记表 as an openpyxl workbook (pre-filled header and roster if given).

    ``incident_rows`` overrides the kind's table size (a pre-filled monthly register is
    made large enough for the month's incidents); a roster longer than the template's 60
    people gets as many rows (and 得分 as many person rows, recorded in _meta 得分人数).
    ``flavour`` chooses portable formulas or the xlwings UDFs (then save it as .xlsm).
    Saved with :func:`forms.style.save_workbook`, every formula cell carries its value."""
    if kind not in REGISTER_KINDS:
        raise ValueError(f"unknown register kind {kind!r}")
    unit = unit or standards.unit
    native = flavour == FLAVOUR_FORMULAS
    layout = RegisterLayout.of(kind, standards, incident_rows or INCIDENT_ROWS[kind],
                               roster_capacity(len(roster)))
    wb, ws_inc = new_workbook(SHEET_INCIDENTS)
    ws_scores = wb.create_sheet(SHEET_SCORES)
    ws_roster = wb.create_sheet(SHEET_ROSTER)
    ws_std = wb.create_sheet(SHEET_STANDARDS)
    ws_meta = wb.create_sheet(SHEET_META)

    lists = write_standards_sheet(ws_std, standards, unit)
    write_roster_sheet(ws_roster, roster, department, layout, native)
    write_meta_sheet(ws_meta, kind, standards, layout)
    write_incident_sheet(ws_inc, standards, kind, unit, department, period, layout, native)
    names = write_scores_sheet(ws_scores, standards, layout, native)
    if not native:
        conf = wb.create_sheet(XLWINGS_CONF_SHEET)
        conf.append(["UDF_MODULES", UDF_MODULES])
        conf.sheet_state = "hidden"

    for name, (sheet, col, row) in HEADER_CELLS.items():
        define_name(wb, name, sheet_ref(sheet, col, row))
    formula_names = F.defined_names(layout)
    if not native:  # the UDFs read the tables as ranges; the dropdowns and the period stay
        keep = ("qf_ids", "qf_item_list", "qf_standards", "qf_period_start", "qf_period_end",
                "qf_leadership")
        formula_names = {k: formula_names[k] for k in keep}
        formula_names[NAME_INCIDENT_TABLE] = (
            f"'{SHEET_INCIDENTS}'!$A${INCIDENT_HEADER_ROW}:$H${layout.last}")
        formula_names[NAME_ROSTER_TABLE] = (
            f"'{SHEET_ROSTER}'!$A${ROSTER_HEADER_ROW}:$F${layout.roster_last}")
    for name, ref in {**formula_names, **names, "qf_lines": lists.lines,
                      "qf_categories": lists.categories, "qf_levels": lists.levels}.items():
        define_name(wb, name, ref)
    roster_validations(ws_roster, layout)
    wb.properties.creator = "qianfen-xl"
    wb.properties.title = kind
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.calculation.fullCalcOnLoad = True
    before_save(wb, partial(finish_register, standards=standards, layout=layout, native=native))
    return wb


def register_filename(kind: str, department: str = "", period: str = "",
                      flavour: str = FLAVOUR_FORMULAS) -> str:
    parts = [p for p in (file_part(department) if department else "", period, kind) if p]
    return "_".join(parts) + (".xlsm" if flavour == FLAVOUR_UDF else ".xlsx")


def write_templates(out: Path, standards: Standards, *, unit: str | None = None,
                    roster: Sequence[Person] = (), week: str = "", month: str = "",
                    flavours: Sequence[str] = (FLAVOUR_FORMULAS,),
                    vba: Mapping[str, str] | None = None) -> list[Path]:
    """Write the blank pair, or with a roster one pre-filled pair per department; one
    pair per flavour (.xlsx portable formulas, .xlsm xlwings UDFs carrying the VBA
    project of the modules ``vba``: excel.vba.vba_modules())."""
    if FLAVOUR_UDF in flavours:
        if vba is None:
            raise ValueError("the .xlsm flavour carries its VBA modules: pass vba=")
        require_vba_writer()
    written: list[Path] = []
    departments: dict[str, list[Person]] = {}
    for p in roster:
        departments.setdefault(p.department, []).append(p)
    if not departments:
        departments = {"": []}
    for department, people in departments.items():
        for flavour in flavours:
            for kind, period in ((KIND_WEEKLY, week), (KIND_MONTHLY, month)):
                wb = build_register(kind, standards, unit=unit, department=department,
                                    period=period, roster=people, flavour=flavour)
                name = register_filename(kind, department, period, flavour)
                written.append(save_workbook(
                    wb, out / name, vba=vba if flavour == FLAVOUR_UDF else None))
    return written

