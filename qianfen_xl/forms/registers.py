"""The official 周/月考核情况登记表, generated from the standards with openpyxl.

Every score is a native formula (SUMPRODUCT, ROUND, INDEX, VLOOKUP over Table columns) that
Excel, WPS and LibreOffice all compute; the formulas are the engine's rules written out
with the standards' numbers, and tests recalculate them in LibreOffice against the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.style import (
    BOLD,
    BORDER,
    LIVE_FILL,
    SIGNATURE,
    UNLOCKED,
    add_validations,
    define_name,
    header_row,
    new_workbook,
    protect_sheet,
    save_workbook,
    setup_print,
    sheet_ref,
    sheet_title,
    validation,
)
from qianfen_xl.schemas.columns import (
    HEADER_CELLS,
    INCIDENT_COLUMNS,
    INCIDENT_HEADER_ROW,
    INCIDENT_ROWS,
    KIND_MONTHLY,
    KIND_WEEKLY,
    META_SCORE_ROWS,
    NAME_DEPARTMENT,
    NAME_DEPT_TOTAL,
    NAME_MEMBER_MEAN,
    NAME_PERIOD,
    NAME_UNIT,
    REGISTER_KINDS,
    ROSTER_COLUMNS,
    ROSTER_HEADER_ROW,
    ROSTER_ROWS,
    SCORE_DEPT_ADDITIONS,
    SCORE_DEPT_TOTAL,
    SCORE_MEMBER_MEAN,
    SCORES_HEADER_ROW,
    SHEET_INCIDENTS,
    SHEET_META,
    SHEET_ROSTER,
    SHEET_SCORES,
    SHEET_STANDARDS,
    TABLE_INCIDENTS,
    TABLE_ROSTER,
    TEMPLATE_VERSION,
    ColumnSpec,
    department_block,
    score_headers,
)
from qianfen_xl.scoring.engine import Person

# Two flavours from one generator: native formulas (any Excel, WPS, LibreOffice) or the
# xlwings UDFs (the classic add-in; saved as .xlsm).
FLAVOUR_FORMULAS = "formulas"
FLAVOUR_UDF = "udf"
UDF_MODULES = "qianfen_xl.udfs"
XLWINGS_CONF_SHEET = "xlwings.conf"  # xlwings reads workbook-level settings from this sheet


@dataclass(frozen=True)
class StandardsLayout:
    """Where the 评分标准 sheet puts things the other sheets refer to."""

    first_row: int
    last_row: int
    lists: dict[str, str]


def _col(header: str, specs: Sequence[ColumnSpec]) -> str:
    return get_column_letter([s.header for s in specs].index(header) + 1)


# ------------------------------------------------------------------------ 评分标准

def write_standards_sheet(ws: Worksheet, standards: Standards) -> StandardsLayout:
    headers = ["代码", "规范", "条款", "内容", "计分范围", "每次分值", "一票否决", "适用单位",
               "下拉显示"]
    widths = [9, 22, 8, 60, 9, 9, 9, 12, 40]
    sheet_title(ws, f"评分标准：{standards.name}（{standards.version}）", len(headers))
    ws.cell(row=2, column=1, value=f"评分标准哈希 {standards.short_digest}；本表只读，"
                                    "如需修改请由管理员编辑评分标准文件后重新生成模板。")
    header_row(ws, 3, headers, widths)
    row = 4
    scope_text = {"individual": "个人", "department": "科室"}
    for norm in standards.norms:
        for item in norm.items:
            units = "街道领导班子" if "department" not in item.units else "全部"
            values = [item.code, norm.name, f"{item.group}{item.no}" if item.group else item.no,
                      item.text, scope_text[item.scope], -item.points,
                      "是" if item.veto else "", units, item.label]
            for c, v in enumerate(values, start=1):
                ws.cell(row=row, column=c, value=v).alignment = Alignment(wrap_text=c == 4,
                                                                         vertical="top")
            row += 1
    for add in standards.additions:
        values = [add.code, "加分", "", add.text, "个人/科室", add.points, "", "全部", add.label]
        for c, v in enumerate(values, start=1):
            ws.cell(row=row, column=c, value=v)
        row += 1
    last = row - 1
    lists = {"口": list(standards.lines), "人员类别": list(standards.categories),
             "岗位层级": list(standards.levels)}
    refs: dict[str, str] = {}
    for offset, (header, names) in enumerate(lists.items()):
        col = 11 + offset
        letter = get_column_letter(col)
        ws.cell(row=3, column=col, value=header).font = BOLD
        ws.column_dimensions[letter].width = 12
        for r, v in enumerate(names, start=4):
            ws.cell(row=r, column=col, value=v)
        refs[header] = sheet_ref(SHEET_STANDARDS, letter, 4, 3 + len(names))
    ws.freeze_panes = "A4"
    setup_print(ws, "3:3", landscape=True)
    protect_sheet(ws)
    return StandardsLayout(4, last, refs)


# ------------------------------------------------------------------------ 人员

def write_roster_sheet(ws: Worksheet, roster: Sequence[Person], department: str) -> str:
    headers = [c.header for c in ROSTER_COLUMNS]
    sheet_title(ws, "人员名单", len(headers))
    ws.cell(row=2, column=1, value="编号唯一；口、人员类别、岗位层级请从下拉列表选择。")
    header_row(ws, ROSTER_HEADER_ROW, headers, [c.width for c in ROSTER_COLUMNS])
    first = ROSTER_HEADER_ROW + 1
    last = ROSTER_HEADER_ROW + ROSTER_ROWS
    for r in range(first, last + 1):
        for c, spec in enumerate(ROSTER_COLUMNS, start=1):
            cell = ws.cell(row=r, column=c)
            cell.number_format = spec.number_format
            cell.protection = UNLOCKED
            cell.border = BORDER
    for r, p in enumerate(roster, start=first):
        values = [p.id, p.name, p.department or department, p.line, p.category, p.level]
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c).value = v
            ws.cell(row=r, column=c).data_type = "s"
    ref = f"A{ROSTER_HEADER_ROW}:{get_column_letter(len(headers))}{last}"
    table = Table(displayName=TABLE_ROSTER, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = f"A{first}"
    setup_print(ws, f"{ROSTER_HEADER_ROW}:{ROSTER_HEADER_ROW}", landscape=False)
    protect_sheet(ws)
    return sheet_ref(SHEET_ROSTER, "A", first, last)


# ------------------------------------------------------------------------ 登记

def _this_row(column: str) -> str:
    return f"{TABLE_INCIDENTS}[[#This Row],[{column}]]"


def points_formula() -> str:
    """分值 = 次数 × signed points of the code (the text after the code is ignored)."""
    item, count = _this_row("项目"), _this_row("次数")
    code = f'LEFT({item},FIND(" ",{item}&" ")-1)'
    return (f'=IF(OR({item}="",{count}=""),0,'
            f"IFERROR({count}*VLOOKUP({code},qf_points,6,FALSE),0))")


def udf_points_formula() -> str:
    """分值 through the UDF QF_POINTS (the .xlsm flavour)."""
    return f"=QF_POINTS({_this_row('项目')},{_this_row('次数')})"


def write_incident_sheet(ws: Worksheet, kind: str, unit: str, department: str,
                         period: str, rows: int | None = None,
                         flavour: str = FLAVOUR_FORMULAS) -> None:
    specs = INCIDENT_COLUMNS
    headers = [c.header for c in specs]
    sheet_title(ws, f"{unit} {kind}", len(headers))
    labels = (("A2", "单位"), ("C2", "科室"), ("E2", "期间"), ("G2", "起止"))
    for ref, text in labels:
        ws[ref] = text
        ws[ref].font = BOLD
        ws[ref].alignment = Alignment(horizontal="right")
    for name, value in ((NAME_UNIT, unit), (NAME_DEPARTMENT, department), (NAME_PERIOD, period)):
        _, col, row = HEADER_CELLS[name]
        ref = f"{col}{row}"
        ws[ref] = value
        ws[ref].data_type = "s"
        ws[ref].number_format = "@"
        ws[ref].protection = UNLOCKED
        ws[ref].border = BORDER
    ws["H2"] = ('=IF(qf_period_start<=DATE(1900,1,1),"请填写期间，如 '
                + ("2026-W47" if kind == KIND_WEEKLY else "2026-11") + '",'
                'TEXT(qf_period_start,"yyyy-mm-dd")&" 至 "&TEXT(qf_period_end,"yyyy-mm-dd"))')
    ws["A3"] = ("从下拉列表选择编号和项目；个人项目必须填编号，科室项目（全日制办公、请示报告、"
                "工作作风）和科室加分的编号留空。分值和得分自动计算。")
    ws["A3"].font = Font(size=9, color="666666")
    header_row(ws, INCIDENT_HEADER_ROW, headers, [c.width for c in specs])
    first = INCIDENT_HEADER_ROW + 1
    last = INCIDENT_HEADER_ROW + (rows or INCIDENT_ROWS[kind])
    formula = udf_points_formula() if flavour == FLAVOUR_UDF else points_formula()
    if flavour == FLAVOUR_UDF:  # the live check: number of problems, and the first one
        ws["G3"] = ArrayFormula("G3:H3", f"=QF_CHECK({TABLE_INCIDENTS}[#All],{TABLE_ROSTER}[#All])")
        ws["G3"].font = Font(size=9, color="C00000")
    for r in range(first, last + 1):
        for c, spec in enumerate(specs, start=1):
            cell = ws.cell(row=r, column=c)
            cell.number_format = spec.number_format
            cell.border = BORDER
            if spec.live:
                cell.value = formula
                cell.fill = LIVE_FILL
            else:
                cell.protection = UNLOCKED
    columns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, start=1)]
    points_col = headers.index("分值")
    columns[points_col].calculatedColumnFormula = TableFormula(attr_text=formula[1:])
    table = Table(displayName=TABLE_INCIDENTS,
                  ref=f"A{INCIDENT_HEADER_ROW}:{get_column_letter(len(headers))}{last}",
                  tableColumns=columns)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    span = f"{first}:{last}"
    add_validations(ws, [
        validation("date", _col("日期", specs), span, "qf_period_start", "qf_period_end",
            "日期不在本表期间内", "请填写本表期间内的日期，如 2026-11-17", op="between"),
        validation("list", _col("编号", specs), span, "qf_ids", None, "编号不在人员表中",
            "请从下拉列表选择编号；科室项目和科室加分请留空"),
        validation("list", _col("项目", specs), span, "qf_item_list", None, "项目不在评分标准中",
            "请从下拉列表选择项目，也可只填代码，如 N03-05", style="warning"),
        validation("whole", _col("次数", specs), span, "1", None, "次数有误",
            "次数须为不小于 1 的整数", op="greaterThanOrEqual"),
    ])
    ws.freeze_panes = f"A{first}"
    setup_print(ws, f"1:{INCIDENT_HEADER_ROW}", landscape=True)
    protect_sheet(ws)


# ------------------------------------------------------------------------ 得分

def _sum_incidents(*conditions: str) -> str:
    cond = "*".join(f"({c})" for c in conditions)
    return f"SUMPRODUCT({cond}*{TABLE_INCIDENTS}[[#Data],[分值]])"


def _person_rows(ws: Worksheet, standards: Standards, first: int, last: int) -> None:
    """得分's person rows: roster person i in row first + i - 1, each norm, 加分, 个人得分."""
    ind = standards.individual_norms
    width = len(score_headers(standards))
    ids = f"{TABLE_INCIDENTS}[[#Data],[编号]]"
    items = f"{TABLE_INCIDENTS}[[#Data],[项目]]"
    points = f"{TABLE_INCIDENTS}[[#Data],[分值]]"
    add_col = get_column_letter(width - 1)
    d = standards.decimals
    for i, r in enumerate(range(first, last + 1), start=1):
        a = f"$A{r}"
        ws.cell(row=r, column=1, value=f'=IFERROR(INDEX({TABLE_ROSTER}[[#Data],[编号]],{i})&"","")')
        ws.cell(row=r, column=2,
                value=f'=IF({a}="","",INDEX({TABLE_ROSTER}[[#Data],[姓名]],{i})&"")')
        for c, norm in enumerate(ind, start=3):
            prefix = len(norm.code) + 1
            deduction = _sum_incidents(f"{ids}={a}", f'LEFT({items},{prefix})="{norm.code}-"')
            ws.cell(row=r, column=c,
                    value=f'=IF({a}="","",ROUND(MAX(0,{norm.full:g}+{deduction}),{d}))')
        additions = _sum_incidents(f"{ids}={a}", f"{points}>0")
        ws.cell(row=r, column=width - 1,
                value=f'=IF({a}="","",ROUND(MIN({standards.person_additions_cap:g},{additions}),'
                      f"{d}))")
        ws.cell(row=r, column=width,
                value=f'=IF({a}="","",ROUND(MIN({standards.individual_base:g},'
                      f"SUM(C{r}:{add_col}{r})),{d}))")
        for c in range(1, width + 1):
            ws.cell(row=r, column=c).border = BORDER
            if c > 2:
                ws.cell(row=r, column=c).number_format = "0.00"


def _department_rows(ws: Worksheet, standards: Standards, first: int,
                     last: int) -> tuple[int, int]:
    """The department block below the person rows; returns its first and its total row."""
    d = standards.decimals
    ids = f"{TABLE_INCIDENTS}[[#Data],[编号]]"
    items = f"{TABLE_INCIDENTS}[[#Data],[项目]]"
    points = f"{TABLE_INCIDENTS}[[#Data],[分值]]"
    total_col = get_column_letter(len(score_headers(standards)))
    block = department_block(standards)
    start = last + 3
    total_row = start + len(block) - 1
    formulas = {SCORE_MEMBER_MEAN:
                f"=IFERROR(ROUND(AVERAGE({total_col}{first}:{total_col}{last}),{d}),0)"}
    for norm in standards.department_norms:
        deduction = _sum_incidents(f'LEFT({items},{len(norm.code) + 1})="{norm.code}-"')
        formulas[norm.code] = f"=ROUND(MAX(0,{norm.full:g}+{deduction}),{d})"
    dept_add = _sum_incidents(f'{ids}=""', f"{points}>0")
    formulas[SCORE_DEPT_ADDITIONS] = (f"=ROUND(MIN({standards.department_additions_cap:g},"
                                      f"{dept_add}),{d})")
    formulas[SCORE_DEPT_TOTAL] = (f"=ROUND(MIN({standards.full_marks:g},"
                                  f"SUM(C{start}:C{total_row - 1})),{d})")
    ws.cell(row=start - 1, column=1, value=SCORE_DEPT_TOTAL).font = BOLD
    for r, (label, text) in enumerate(block, start=start):
        ws.cell(row=r, column=1, value=label).font = BOLD
        ws.cell(row=r, column=2, value=text)
        ws.cell(row=r, column=3, value=formulas[label]).number_format = "0.00"
        for c in (1, 2, 3):
            ws.cell(row=r, column=c).border = BORDER
    ws.cell(row=total_row, column=3).font = Font(bold=True, size=12)
    return start, total_row


def write_scores_sheet(ws: Worksheet, standards: Standards,
                       flavour: str = FLAVOUR_FORMULAS) -> dict[str, str]:
    """One row per roster person, then the department block. Returns defined names.

    In the UDF flavour one array formula (QF_SCORES) fills the same cells, block included."""
    ind = standards.individual_norms
    headers = score_headers(standards)
    widths = [10, 12, *[9] * len(ind), 8, 10]
    sheet_title(ws, "得分（自动计算）", len(headers))
    ws["A2"] = '=qf_unit&"  "&qf_department&"  "&qf_period'
    ws["A3"] = "个人规范：" + "；".join(f"{n.code} {n.name}" for n in ind)
    ws["A3"].font = Font(size=9, color="666666")
    header_row(ws, SCORES_HEADER_ROW, headers, widths)
    first = SCORES_HEADER_ROW + 1
    last = SCORES_HEADER_ROW + ROSTER_ROWS
    _person_rows(ws, standards, first, last)
    start, total_row = _department_rows(ws, standards, first, last)
    if flavour == FLAVOUR_UDF:
        total_col = get_column_letter(len(headers))
        # The same cells, filled by one array call: QF_SCORES returns this very layout.
        for row_cells in ws.iter_rows(min_row=first, max_row=total_row, max_col=len(headers)):
            for cell in row_cells:
                cell.value = None
        ws.cell(row=first, column=1).value = ArrayFormula(
            f"A{first}:{total_col}{total_row}",
            f"=QF_SCORES({TABLE_INCIDENTS}[#All],{TABLE_ROSTER}[#All],{ROSTER_ROWS})")
    ws.cell(row=total_row + 2, column=1, value=SIGNATURE)
    ws.freeze_panes = f"C{first}"
    setup_print(ws, f"1:{SCORES_HEADER_ROW}", landscape=False)
    protect_sheet(ws)
    return {NAME_MEMBER_MEAN: sheet_ref(SHEET_SCORES, "C", start),
            NAME_DEPT_TOTAL: sheet_ref(SHEET_SCORES, "C", total_row)}


# ------------------------------------------------------------------------ _meta

def _period_bounds(kind: str) -> tuple[str, str]:
    low, high = "DATE(1900,1,1)", "DATE(9999,12,31)"
    if kind == KIND_WEEKLY:
        jan4 = "DATE(VALUE(LEFT(qf_period,4)),1,4)"
        start = (f'=IFERROR(IF(MID(qf_period,5,2)<>"-W",{low},'
                 f"{jan4}-WEEKDAY({jan4},2)+1+7*(VALUE(MID(qf_period,7,2))-1)),{low})")
        end = f"=IF(B8<={low},{high},B8+6)"
    else:
        start = (f'=IFERROR(IF(LEN(qf_period)<>7,{low},'
                 f"DATE(VALUE(LEFT(qf_period,4)),VALUE(MID(qf_period,6,2)),1)),{low})")
        end = f"=IF(B8<={low},{high},DATE(YEAR(B8),MONTH(B8)+1,1)-1)"
    return start, end


def write_meta_sheet(ws: Worksheet, kind: str, standards: Standards) -> None:
    start, end = _period_bounds(kind)
    rows: list[tuple[str, str | int]] = [
        ("模板类型", kind), ("模板版本", TEMPLATE_VERSION), ("评分标准", standards.name),
        ("评分标准版本", standards.version), ("评分标准哈希", standards.short_digest),
        ("生成程序", "qianfen-xl"), ("说明", "本表由 qianfen-xl 生成，请勿修改此工作表"),
        ("期间起", start), ("期间止", end), (META_SCORE_ROWS, ROSTER_ROWS),
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
    made large enough for the month's incidents). ``flavour`` chooses native formulas or
    the xlwings UDFs (then save it with an .xlsm name)."""
    if kind not in REGISTER_KINDS:
        raise ValueError(f"unknown register kind {kind!r}")
    unit = unit or standards.unit
    wb, ws_inc = new_workbook(SHEET_INCIDENTS)
    ws_scores = wb.create_sheet(SHEET_SCORES)
    ws_roster = wb.create_sheet(SHEET_ROSTER)
    ws_std = wb.create_sheet(SHEET_STANDARDS)
    ws_meta = wb.create_sheet(SHEET_META)

    layout = write_standards_sheet(ws_std, standards)
    ids_ref = write_roster_sheet(ws_roster, roster, department)
    write_meta_sheet(ws_meta, kind, standards)
    write_incident_sheet(ws_inc, kind, unit, department, period, incident_rows, flavour)
    names = write_scores_sheet(ws_scores, standards, flavour)
    if flavour == FLAVOUR_UDF:
        conf = wb.create_sheet(XLWINGS_CONF_SHEET)
        conf.append(["UDF_MODULES", UDF_MODULES])
        conf.sheet_state = "hidden"

    for name, (sheet, col, row) in HEADER_CELLS.items():
        define_name(wb, name, sheet_ref(sheet, col, row))
    define_name(wb, "qf_period_start", sheet_ref(SHEET_META, "B", 8))
    define_name(wb, "qf_period_end", sheet_ref(SHEET_META, "B", 9))
    define_name(wb, "qf_points", f"'{SHEET_STANDARDS}'!$A${layout.first_row}:$F${layout.last_row}")
    define_name(wb, "qf_item_list", sheet_ref(SHEET_STANDARDS, "I", layout.first_row, layout.last_row))
    define_name(wb, "qf_ids", ids_ref)
    define_name(wb, "qf_lines", layout.lists["口"])
    define_name(wb, "qf_categories", layout.lists["人员类别"])
    define_name(wb, "qf_levels", layout.lists["岗位层级"])
    for name, ref in names.items():
        define_name(wb, name, ref)

    roster_rows = f"{ROSTER_HEADER_ROW + 1}:{ROSTER_HEADER_ROW + ROSTER_ROWS}"
    add_validations(ws_roster, [
        validation("list", _col(h, ROSTER_COLUMNS), roster_rows, name, None, f"{h}有误",
            f"请从下拉列表选择{h}")
        for h, name in (("口", "qf_lines"), ("人员类别", "qf_categories"),
                        ("岗位层级", "qf_levels"))
    ])
    wb.properties.creator = "qianfen-xl"
    wb.properties.title = kind
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.calculation.fullCalcOnLoad = True
    return wb


def register_filename(kind: str, department: str = "", period: str = "",
                      flavour: str = FLAVOUR_FORMULAS) -> str:
    parts = [p for p in (department, period, kind) if p]
    return "_".join(parts) + (".xlsm" if flavour == FLAVOUR_UDF else ".xlsx")


def write_templates(out: Path, standards: Standards, *, unit: str | None = None,
                    roster: Sequence[Person] = (), week: str = "", month: str = "",
                    flavours: Sequence[str] = (FLAVOUR_FORMULAS,)) -> list[Path]:
    """Write the blank pair, or with a roster one pre-filled pair per department; one
    pair per flavour (.xlsx native formulas, .xlsm xlwings UDFs)."""
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
                written.append(save_workbook(wb, out / name))
    return written
