"""得分: one row per roster row (编号, 姓名, the individual norms, 加分, 个人得分), the
department's block beside the first rows (成员平均, the department norms, 科室加分, 科室得分,
无法计分的行), the ceilings said where the scores show, the signature line in its footer.
The portable flavour writes a formula in every cell; the UDF flavour one QF_SCORES array
over the same cells."""

from __future__ import annotations

from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms import formulas as F
from qianfen_xl.forms.layout import NAME_INCIDENT_TABLE, NAME_ROSTER_TABLE, RegisterLayout
from qianfen_xl.forms.style import (
    BOLD,
    BORDER,
    HEAD_FILL,
    NOTE,
    RED,
    RED_TEXT,
    header_row,
    protect_sheet,
    setup_print,
    sheet_ref,
    sheet_title,
)
from qianfen_xl.schemas.columns import (
    NAME_DEPT_TOTAL,
    NAME_MEMBER_MEAN,
    NAME_PROBLEM_COUNT,
    SCORE_DEPT_TOTAL,
    SCORE_MEMBER_MEAN,
    SCORE_PROBLEMS,
    SCORES_BLOCK_LABEL,
    SCORES_BLOCK_VALUE,
    SCORES_HEADER_ROW,
    SCORES_LAST_COLUMN,
    SCORES_LIMITS_ROW,
    SHEET_SCORES,
    department_block,
    score_headers,
)


def _scores_notes(ws: Worksheet, standards: Standards) -> None:
    width = get_column_letter(len(score_headers(standards)))
    notes = (
        "个人规范：" + "；".join(f"{n.code} {n.name}" for n in standards.individual_norms),
        f"个人得分 = 各个人规范得分（满分见“上限”行，扣完为止）+ 加分（不超过 "
        f"{standards.person_additions_cap:g}），不超过 {standards.individual_base:g}；"
        f"科室得分 = 成员平均 + 科室规范 + 科室加分，不超过 {standards.full_marks:g}。",
    )
    for r, text in enumerate(notes, start=3):
        ws.merge_cells(f"A{r}:{width}{r}")
        ws[f"A{r}"] = text
        ws[f"A{r}"].font = NOTE
        ws[f"A{r}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 24
    limits = [n.full for n in standards.individual_norms]
    limits += [standards.person_additions_cap, standards.individual_base]
    ws.cell(row=SCORES_LIMITS_ROW, column=1, value="上限").font = NOTE
    for c, value in enumerate(limits, start=3):
        cell = ws.cell(row=SCORES_LIMITS_ROW, column=c, value=value)
        cell.number_format = '"≤"0'
        cell.font = NOTE
        cell.alignment = Alignment(horizontal="center")


def write_scores_sheet(ws: Worksheet, standards: Standards, layout: RegisterLayout,
                       native: bool) -> dict[str, str]:
    """One row per roster position, the department block beside the first rows. Returns
    the block's defined names. In the UDF flavour one array formula (QF_SCORES) fills the
    same cells, block included."""
    headers = score_headers(standards)
    width = len(headers)
    last_col = SCORES_LAST_COLUMN
    sheet_title(ws, "得分（自动计算）", width + 3)
    ws["A2"] = '=qf_unit&"  "&qf_department&"  "&qf_period'
    _scores_notes(ws, standards)
    header_row(ws, SCORES_HEADER_ROW, headers, [10, 12, *[9] * (width - 4), 8, 10])
    ws.column_dimensions[get_column_letter(width + 1)].width = 2
    for letter, text, size in ((SCORES_BLOCK_LABEL, "科室得分", 26), (SCORES_BLOCK_VALUE, "得分", 10)):
        ws.column_dimensions[letter].width = size
        cell = ws[f"{letter}{SCORES_HEADER_ROW}"]
        cell.value, cell.font, cell.fill, cell.border = text, BOLD, HEAD_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
    block = department_block(standards)
    values = F.block_formulas(standards, layout)
    for r in range(layout.scores_first, layout.scores_last + 1):
        if native:
            for letter, formula in F.person_formulas(r, standards).items():
                ws[f"{letter}{r}"] = formula
        for column in range(1, width + 1):
            ws.cell(row=r, column=column).border = BORDER
            if column > 2:
                ws.cell(row=r, column=column).number_format = "0.00"
    for k, (key, label) in enumerate(block):
        r = layout.block_row(k)
        label_cell, value_cell = ws[f"{SCORES_BLOCK_LABEL}{r}"], ws[f"{SCORES_BLOCK_VALUE}{r}"]
        if native:
            label_cell.value, value_cell.value = label, values[key]
        label_cell.font = BOLD if key in (SCORE_DEPT_TOTAL, SCORE_PROBLEMS) else Font()
        value_cell.number_format = "0" if key == SCORE_PROBLEMS else "0.00"
        label_cell.border = value_cell.border = BORDER
    total = layout.block_row(len(block) - 2)
    problems = layout.block_row(len(block) - 1)
    ws[f"{SCORES_BLOCK_VALUE}{total}"].font = Font(bold=True, size=12)
    ws.conditional_formatting.add(f"{SCORES_BLOCK_VALUE}{problems}", Rule(
        type="cellIs", operator="notEqual", formula=["0"],
        dxf=DifferentialStyle(fill=RED, font=RED_TEXT)))
    if not native:
        ws.cell(row=layout.scores_first, column=1).value = ArrayFormula(
            f"A{layout.scores_first}:{last_col}{layout.scores_last}",
            f"=QF_SCORES({NAME_INCIDENT_TABLE},{NAME_ROSTER_TABLE},{layout.roster_rows},"
            "qf_standards,qf_period_start,qf_period_end,qf_leadership)")
    ws.freeze_panes = f"C{layout.scores_first}"
    setup_print(ws, f"1:{SCORES_HEADER_ROW}", landscape=True, signature=True)
    protect_sheet(ws)
    keys = [key for key, _ in block]
    return {name: sheet_ref(SHEET_SCORES, SCORES_BLOCK_VALUE, layout.block_row(keys.index(key)))
            for name, key in ((NAME_MEMBER_MEAN, SCORE_MEMBER_MEAN),
                              (NAME_DEPT_TOTAL, SCORE_DEPT_TOTAL),
                              (NAME_PROBLEM_COUNT, SCORE_PROBLEMS))}
