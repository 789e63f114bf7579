"""The 民主测评票 (one ballot of one rater group) and the 考评录入表 (the assessment group's
考评 scores), generated from the roster and the standards (SCORING.md §6).

Who a rater group rates is read from the standards' ballot weights: a group rates every
ratee whose level (or 科室) gives it a weight. A group named after a level (科室负责人)
rates within its own department, so it gets one ballot per department.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.findings import RULES
from qianfen_xl.contract.normalise import file_part
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.style import (
    BORDER,
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
    ASSESSMENT_COLUMNS,
    BALLOT_COLUMNS,
    KIND_ASSESSMENT,
    KIND_BALLOT,
    NAME_BALLOT_NO,
    NAME_GROUP,
    NAME_KIND,
    NAME_PERIOD,
    NAME_UNIT,
    NAME_VERSION,
    RATEE_DEPARTMENT,
    SHEET_ASSESSMENT,
    SHEET_BALLOT,
    SHEET_META,
    TABLE_ASSESSMENTS,
    TABLE_BALLOTS,
    TEMPLATE_VERSION,
    ColumnSpec,
)
from qianfen_xl.scoring.engine import Person

HEADER_ROW = 4

_UNLOCKED_FIELDS = ("B2", "D2", "F2", "H2")  # 单位, 测评组/—, 期间, 票号


def ratees_of(standards: Standards, group: str, roster: Sequence[Person]) -> list[
        tuple[str, str, str]]:
    """(对象, 名称, 类别) that ``group`` rates: people by level, then departments."""
    weights = standards.ballots["weights"]
    people = [(p.id, p.name, p.level) for p in roster if group in weights.get(p.level, {})]
    departments = []
    if group in weights.get(RATEE_DEPARTMENT, {}):
        names = dict.fromkeys(p.department for p in roster
                              if p.department != standards.leadership_unit)
        departments = [(d, d, RATEE_DEPARTMENT) for d in names]
    return people + departments


def rater_groups(standards: Standards) -> list[str]:
    return list(dict.fromkeys(g for w in standards.ballots["weights"].values() for g in w))


def _table(ws: Worksheet, name: str, specs: Sequence[ColumnSpec], rows: Sequence[Sequence[str]],
           unlocked: Sequence[str]) -> int:
    header_row(ws, HEADER_ROW, [c.header for c in specs], [c.width for c in specs])
    first = HEADER_ROW + 1
    last = HEADER_ROW + max(1, len(rows))
    for r, values in enumerate(rows, start=first):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    for r in range(first, last + 1):
        for c, spec in enumerate(specs, start=1):
            box = ws.cell(row=r, column=c)
            box.number_format = spec.number_format
            box.border = BORDER  # printed and filled by hand, too
            if spec.header in unlocked:
                box.protection = UNLOCKED
    table = Table(displayName=name, ref=f"A{HEADER_ROW}:{get_column_letter(len(specs))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = f"A{first}"
    return last


def _header_fields(ws: Worksheet, labels: Sequence[tuple[str, str, str]]) -> None:
    for (label_ref, label, value), value_ref in zip(labels, _UNLOCKED_FIELDS, strict=False):
        ws[label_ref] = label
        ws[label_ref].font = Font(bold=True)
        ws[value_ref] = value
        ws[value_ref].data_type = "s"
        ws[value_ref].protection = UNLOCKED


def _note(ws: Worksheet, last_col: str, text: str) -> None:
    """The sheet's guidance under the title, wrapped across the printed width."""
    ws.merge_cells(f"A3:{last_col}3")
    ws["A3"] = text
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[3].height = 30


def _meta(wb: Workbook, kind: str, standards: Standards) -> None:
    meta = wb.create_sheet(SHEET_META)
    for row in (("模板类型", kind), ("模板版本", TEMPLATE_VERSION),
                ("评分标准", standards.name), ("评分标准哈希", standards.short_digest)):
        meta.append(list(row))
    meta.sheet_state = "hidden"
    protect_sheet(meta)
    define_name(wb, NAME_KIND, sheet_ref(SHEET_META, "B", 1))
    define_name(wb, NAME_VERSION, sheet_ref(SHEET_META, "B", 2))
    wb.properties.creator = "qianfen-xl"
    wb.properties.created = wb.properties.modified = FIXED_TIME


def build_ballot(standards: Standards, group: str, period: str, ratees: Sequence[
        tuple[str, str, str]], *, unit: str | None = None) -> Workbook:
    """One ballot: the ratees listed, 分数 (0–100) or 等次 from a dropdown for each."""
    unit = unit or standards.unit
    wb, ws = new_workbook(SHEET_BALLOT)
    sheet_title(ws, f"{unit} {KIND_BALLOT}（{group}）", 8)  # over the header fields too
    _header_fields(ws, (("A2", "单位", unit), ("C2", "测评组", group), ("E2", "期间", period),
                        ("G2", "票号", "")))
    abstain = "、".join(standards.ballots["abstain"])
    _note(ws, "H", "每人只填一张票，不署名；每个对象填分数（0–100）或选择等次，二者选一；"
                   f"不了解的对象可选“{abstain}”（不计分）。票号由组织者编写，用于发现重复的票。")
    ws["A3"].font = Font(size=9, color="666666")
    last = _table(ws, TABLE_BALLOTS, BALLOT_COLUMNS, ratees, ("分数", "等次"))
    grades = [*standards.ballots["grade_points"], *standards.ballots["abstain"]]
    rows = f"{HEADER_ROW + 1}:{last}"
    invalid = RULES["ballot-invalid"]
    add_validations(ws, [
        validation("whole", "D", rows, "0", "100", op="between",
                   prompt=("填写分数", "0 到 100 的整数；也可以在“等次”中选择，二者只填一项"),
                   error=(invalid.title, f"{invalid.advice}（规则 ballot-invalid）")),
        validation("list", "E", rows, '"' + ",".join(grades) + '"', None,
                   prompt=("选择等次", "从下拉列表选择：" + "、".join(grades)),
                   error=(invalid.title, f"{invalid.advice}（规则 ballot-invalid）")),
    ])
    for name, col in ((NAME_UNIT, "B"), (NAME_GROUP, "D"), (NAME_PERIOD, "F"),
                      (NAME_BALLOT_NO, "H")):
        define_name(wb, name, sheet_ref(SHEET_BALLOT, col, 2))
    setup_print(ws, f"1:{HEADER_ROW}", landscape=False)  # anonymous: no signature line
    ws.print_area = f"A1:H{last}"  # the table, and the header fields to 票号
    protect_sheet(ws)
    _meta(wb, KIND_BALLOT, standards)
    return wb


def build_assessment(standards: Standards, period: str, roster: Sequence[Person], *,
                     unit: str | None = None) -> Workbook:
    """The 考评录入表: every person (考评 0–100, including the 述职) and every department
    (0–1000, the 总结 and the supervising leader's 测评)."""
    unit = unit or standards.unit
    wb, ws = new_workbook(SHEET_ASSESSMENT)
    sheet_title(ws, f"{unit} {KIND_ASSESSMENT}", len(ASSESSMENT_COLUMNS))
    _header_fields(ws, (("A2", "单位", unit), ("C2", "", ""), ("E2", "期间", period)))
    _note(ws, "F", "个人考评分 0–100（含述职）；科室考评分 0–1000（总结与主管领导测评）。"
                "调整：经考核小组决定对个人总分的加减分，请在说明中写明依据。")
    ws["A3"].font = Font(size=9, color="666666")
    rows = [(p.id, p.name, p.level) for p in roster]
    rows += [(d, d, RATEE_DEPARTMENT) for d in dict.fromkeys(
        p.department for p in roster if p.department != standards.leadership_unit)]
    last = _table(ws, TABLE_ASSESSMENTS, ASSESSMENT_COLUMNS, rows, ("考评分", "调整", "说明"))
    for name, col in ((NAME_UNIT, "B"), (NAME_PERIOD, "F")):
        define_name(wb, name, sheet_ref(SHEET_ASSESSMENT, col, 2))
    setup_print(ws, f"1:{HEADER_ROW}", landscape=False, signature=True)
    ws.print_area = f"A1:{get_column_letter(len(ASSESSMENT_COLUMNS))}{last}"
    protect_sheet(ws)
    _meta(wb, KIND_ASSESSMENT, standards)
    return wb


def write_evaluation_templates(out: Path, standards: Standards, roster: Sequence[Person],
                               period: str, *, unit: str | None = None) -> list[Path]:
    """Every rater group's ballot (per department for a level-named group) and the
    考评录入表, for the half-year or year ``period``."""
    written = []
    for group in rater_groups(standards):
        scopes: list[tuple[str, Sequence[Person]]] = [("", roster)]
        if group in standards.levels:
            departments = dict.fromkeys(p.department for p in roster)
            scopes = [(d, [p for p in roster if p.department == d]) for d in departments]
        for department, people in scopes:
            ratees = [r for r in ratees_of(standards, group, people)
                      if not department or r[2] != RATEE_DEPARTMENT]
            if not ratees:
                continue
            where = file_part(department) if department else ""
            name = "_".join(x for x in (KIND_BALLOT, file_part(group), where, period) if x)
            wb = build_ballot(standards, group, period, ratees, unit=unit)
            written.append(save_workbook(wb, out / f"{name}.xlsx"))
    wb = build_assessment(standards, period, roster, unit=unit)
    written.append(save_workbook(wb, out / f"{KIND_ASSESSMENT}_{period}.xlsx"))
    return written
