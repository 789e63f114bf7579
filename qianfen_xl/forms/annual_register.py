"""The 年度考核情况登记表 (annual register): the official register of the year's decisions
(PRODUCT.md's contract), generated with openpyxl.

Sheets: ``考核决定`` with the Excel Table ``decisions`` (编号, 姓名, 科室, 人员类别, 总分, 建议等次
from the engine; 确定等次 from a dropdown of the person's vocabulary, 鉴定意见, 本人意见,
复核结果 typed by the assessment group; 考核池 and 说明 beside them) and a live count of the
优秀 decided per pool against its places; ``登记表``, one printable A4 page per person that
shows that person's row by formula; ``考核数据``, the year's figures and particulars the pages
show and the proposal the decisions are checked against (its digest in ``_meta``); and the
hidden ``_meta`` (kind, version, standards, digest, the dropdown lists).

Formulas are INDEX/MATCH/COUNTIFS over defined names on plain ranges (no structured
references), and every formula cell is saved with its value (``forms.cached``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.normalise import clean_text
from qianfen_xl.contract.standards import Standards
from qianfen_xl.contract.textwidth import text_width, wrapped_lines
from qianfen_xl.forms.annual_pages import (
    PageHead,
    PageSink,
    page_values,
    setup_pages,
    write_page,
)
from qianfen_xl.forms.cached import save_with_cached_values
from qianfen_xl.forms.style import (
    BOLD,
    BORDER,
    UNLOCKED,
    define_name,
    fit_to_pages,
    header_row,
    new_workbook,
    protect_sheet,
    setup_print,
    sheet_ref,
    sheet_title,
    validation,
)
from qianfen_xl.schemas.columns import (
    DECISION_COLUMNS,
    DECISION_INPUTS,
    DECISIONS_HEADER_ROW,
    DECISIONS_QUOTA_COLUMN,
    KIND_ANNUAL,
    META_DATA_DIGEST,
    NAME_KIND,
    NAME_PERIOD,
    NAME_UNIT,
    NAME_VERSION,
    OPINIONS,
    REVIEW_RESULTS,
    SHEET_DECISIONS,
    SHEET_META,
    SHEET_PAGES,
    SHEET_YEAR_DATA,
    TABLE_DECISIONS,
    TABLE_YEAR_DATA,
    TEMPLATE_VERSION,
    YEAR_DATA_HEADER_ROW,
    YEAR_DATA_NOTES,
    YEAR_FIGURES,
    data_digest,
    is_month_header,
    month_header,
    year_data_headers,
)
from qianfen_xl.scoring.decisions import choices
from qianfen_xl.scoring.facts import NO_FACTS, PersonFacts
from qianfen_xl.scoring.grades import excellent_places
from qianfen_xl.scoring.year import PersonAnnual

YES, NO = "是", "否"
# Defined-name suffixes of the columns the pages and the quota count read.
DEC_NAMES = {"编号": "id", "姓名": "name", "科室": "dept", "人员类别": "category", "总分": "total",
             "建议等次": "proposal", "确定等次": "grade", "鉴定意见": "appraisal",
             "本人意见": "opinion", "复核结果": "review", "考核池": "pool", "说明": "note"}
DATA_NAMES = {"编号": "id", "平时": "regular", "测评（百分）": "eval100", "测评分": "evaluation",
              "考评分": "assessment", "调整": "adjustment", "性别": "gender", "出生年月": "born",
              "政治面貌": "party", "任现职时间": "since", "职务职级": "post",
              "从事或分管工作": "duties", "需要说明的情况": "remarks"}
QUOTA_COLUMN = DECISIONS_QUOTA_COLUMN  # the 优秀 count per pool, right of the decisions table
WRAPPED_DECISIONS = ("建议等次", "鉴定意见", "复核结果", "考核池", "说明")
DATA_NOTES_WIDTH = 30  # 考核数据's notes wrap at this width; its other columns fit their
DATA_FIELD_MAX = 24    # values, up to this width
DATA_PAGE_WIDTH = 150  # 考核数据 prints this many width units a landscape page (an 8-point font)
META_LISTS_COLUMN = 4  # D: the dropdown lists of 确定等次 on _meta
Row = dict[str, object]


@dataclass(frozen=True)
class AnnualRegister:
    """What the register holds: the rows of 考核数据 and of decisions (header → value),
    the month headers, unit and period."""

    data: list[Row]
    decisions: list[Row]
    months: tuple[str, ...]
    unit: str
    period: str


def _text(value: str | None) -> str:
    return value or ""


def data_row(p: PersonAnnual, facts: PersonFacts, months: Sequence[str]) -> Row:
    """A person's row of 考核数据: the proposal, the figures, the months, particulars, notes."""
    g = p.grade
    row: Row = {"编号": p.id, "姓名": p.name, "科室": p.department, "人员类别": p.category,
                "岗位层级": p.level, "考核池": g.pool, "总分": p.year.total,
                "建议等次": g.proposal, "可评优秀": YES if g.excellent_allowed else NO,
                "限定等次": g.required, "平时": p.year.regular, "测评（百分）": p.evaluation,
                "测评分": p.year.evaluation, "考评分": p.year.assessment,
                "调整": p.year.adjustments}
    row |= {month_header(m): v for m, v in zip(months, p.monthly, strict=True)}
    row |= {"性别": facts.gender, "出生年月": facts.born, "政治面貌": facts.party,
            "任现职时间": facts.in_post_since, "职务职级": facts.post,
            "从事或分管工作": facts.duties, "说明": g.reason,
            "需要说明的情况": "；".join(p.notes)}
    # Text from the registers and the roster, cleaned before the writer sees it.
    return {k: clean_text(v) if isinstance(v, str) else v for k, v in row.items()}


def decision_row(data: Row) -> Row:
    """The decisions row the engine writes: its columns from 考核数据, the inputs blank."""
    row = {c.header: data.get(c.header, "") for c in DECISION_COLUMNS}
    return row | dict.fromkeys(DECISION_INPUTS, "")


def register_of(people: Sequence[PersonAnnual], facts: Mapping[str, PersonFacts],
                months: Sequence[str], unit: str, period: str,
                leadership: str = "") -> AnnualRegister:
    """The register's rows: the leadership unit first, then the people in their order."""
    order = sorted(people, key=lambda p: p.department != leadership)  # else as given
    data = [data_row(p, facts.get(p.id, NO_FACTS), months) for p in order]
    return AnnualRegister(data, [decision_row(d) for d in data],
                          tuple(month_header(m) for m in months), clean_text(unit), period)


# ------------------------------------------------------------------------ the sheets

def _write_rows(ws: Worksheet, first: int, headers: Sequence[str], rows: Sequence[Row],
                formats: Mapping[str, str]) -> int:
    """Rows of values under a header row (text always as text); returns the last row."""
    last = first + max(1, len(rows)) - 1
    for r, row in enumerate(rows, start=first):
        for c, header in enumerate(headers, start=1):
            value = row.get(header)
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str) and value:
                cell.value, cell.data_type = value, "s"
            elif isinstance(value, int | float):
                cell.value = value
    for r in range(first, last + 1):
        for c, header in enumerate(headers, start=1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            cell.number_format = formats.get(header, "@")
    return last


def _table(ws: Worksheet, name: str, header: int, last: int, width: int) -> None:
    table = Table(displayName=name, ref=f"A{header}:{get_column_letter(width)}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)


def _names(wb: Workbook, prefix: str, sheet: str, headers: Sequence[str],
           suffixes: Mapping[str, str], first: int, last: int) -> dict[str, str]:
    """A defined name over each named column's data rows: header → name."""
    out = {}
    for c, header in enumerate(headers, start=1):
        suffix = suffixes.get(header) or (f"m{int(header[:-1]):02d}" if is_month_header(header)
                                          else "")
        if suffix:
            name = f"qf_{prefix}_{suffix}"
            define_name(wb, name, sheet_ref(sheet, get_column_letter(c), first, last))
            out[header] = name
    return out


def _year_data_sheet(wb: Workbook, reg: AnnualRegister) -> dict[str, str]:
    ws = wb.create_sheet(SHEET_YEAR_DATA)
    headers = year_data_headers(reg.months)
    sheet_title(ws, f"{reg.unit} {reg.period} 年度考核数据（系统生成，请勿修改）", len(headers))
    ws["A2"] = ("登记表各页由本表和考核决定表取数；确定等次按本表的人员类别、考核池、可评优秀和限定等次"
                "校验，本表的校验码记在隐藏的 _meta 工作表中。")
    ws["A2"].font = Font(size=9, color="666666")
    widths = [DATA_NOTES_WIDTH if h in YEAR_DATA_NOTES else _fitted_width(h, reg.data)
              for h in headers]
    header_row(ws, YEAR_DATA_HEADER_ROW, headers, widths)
    numbers = {h: "0.00" for h in ("总分", *YEAR_FIGURES, *reg.months)}
    first = YEAR_DATA_HEADER_ROW + 1
    last = _write_rows(ws, first, headers, reg.data, numbers)
    top, notes = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(reg.data, start=first):  # the notes wrap, each row as tall
        lines = max(wrapped_lines(str(row.get(h) or ""), DATA_NOTES_WIDTH)
                    for h in YEAR_DATA_NOTES)
        for c, h in enumerate(headers, start=1):
            ws.cell(row=r, column=c).alignment = notes if h in YEAR_DATA_NOTES else top
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines
    _table(ws, TABLE_YEAR_DATA, YEAR_DATA_HEADER_ROW, last, len(headers))
    ws.freeze_panes = f"C{first}"
    # printed readable: across as many landscape pages as its width needs, 编号 and 姓名
    # and the header on every page (one page would shrink it to about 3 pt)
    setup_print(ws, f"{YEAR_DATA_HEADER_ROW}:{YEAR_DATA_HEADER_ROW}", landscape=True)
    fit_to_pages(ws, wide=math.ceil(sum(widths) / DATA_PAGE_WIDTH))
    ws.print_title_cols = "A:B"
    protect_sheet(ws)
    return _names(wb, "data", SHEET_YEAR_DATA, headers, DATA_NAMES, first, last)


def _fitted_width(header: str, rows: Sequence[Row]) -> float:
    """A column as wide as its header or its widest value (numbers with two decimals)."""
    def shown(value: object) -> str:
        return f"{value:.2f}" if isinstance(value, int | float) else str(value or "")
    return min(DATA_FIELD_MAX, 2 + max([text_width(header),
                                        *(text_width(shown(r.get(header))) for r in rows)]))


def _list_name(wb: Workbook, lists: dict[tuple[str, ...], str], options: tuple[str, ...]) -> str:
    """The defined name of a dropdown list of ``options`` on _meta (written once)."""
    if options not in lists:
        meta = wb[SHEET_META]
        col = get_column_letter(META_LISTS_COLUMN + len(lists))
        name = f"qf_choices_{len(lists) + 1}"
        meta[f"{col}1"] = name
        for r, option in enumerate(options, start=2):
            meta[f"{col}{r}"] = option
        define_name(wb, name, sheet_ref(SHEET_META, col, 2, 1 + len(options)))
        lists[options] = name
    return lists[options]


def row_choices(standards: Standards, data: Row) -> tuple[str, ...]:
    """What a person's 确定等次 dropdown offers: their choices, 优秀 left out where it is
    not allowed."""
    options = choices(standards, str(data.get("人员类别") or ""), str(data.get("限定等次") or ""))
    if data.get("可评优秀") == NO:
        options = tuple(o for o in options if o != standards.grading.excellent)
    return options


def _decision_validations(ws: Worksheet, wb: Workbook, standards: Standards,
                          reg: AnnualRegister, first: int) -> None:
    """确定等次: each row's dropdown is its person's choices; 本人意见 同意/申请复核;
    复核结果 a suggestion list (free text allowed)."""
    lists: dict[tuple[str, ...], str] = {}
    for category in standards.categories:  # every vocabulary is on _meta, even unused
        _list_name(wb, lists, choices(standards, category))
    by_list: dict[str, DataValidation] = {}
    headers = [c.header for c in DECISION_COLUMNS]
    col = {h: get_column_letter(headers.index(h) + 1) for h in ("确定等次", "本人意见", "复核结果")}
    last = first + max(1, len(reg.data)) - 1
    rows = reg.data or [{"人员类别": standards.categories[0]}]
    for r, d in enumerate(rows, start=first):
        name = _list_name(wb, lists, row_choices(standards, d))
        if name in by_list:
            by_list[name].add(f"{col['确定等次']}{r}")
        else:
            by_list[name] = validation(
                "list", col["确定等次"], f"{r}:{r}", name, None,
                prompt=("选择确定等次", "从下拉列表选择该人员的等次（只列出其人员类别的等次）"),
                error=("确定等次有误", "请从下拉列表选择该人员的等次（规则 decision-grade-invalid）"))
    for dv in by_list.values():
        ws.add_data_validation(dv)
    ws.add_data_validation(validation(
        "list", col["本人意见"], f"{first}:{last}", '"' + ",".join(OPINIONS) + '"', None,
        prompt=("本人意见", "选择 " + " 或 ".join(OPINIONS)),
        error=("本人意见有误", "请选择 " + " 或 ".join(OPINIONS))))
    ws.add_data_validation(validation(
        "list", col["复核结果"], f"{first}:{last}", '"' + ",".join(REVIEW_RESULTS) + '"', None,
        prompt=("复核结果", "申请复核的，由考核小组填写复核结论；可从列表选择"),
        error=("复核结果", "可从列表选择，也可填写复核结论"), style="information"))


def _quota_block(ws: Worksheet, standards: Standards, reg: AnnualRegister,
                 names: Mapping[str, str], cached: dict[str, object]) -> None:
    """Per pool: people, 优秀 places, 优秀 decided so far (live), a warning when over."""
    heads = ("考核池", "人数", "优秀名额", "已定优秀", "提示")
    row = DECISIONS_HEADER_ROW
    for k, head in enumerate(heads):
        cell = ws.cell(row=row, column=QUOTA_COLUMN + k, value=head)
        cell.font, cell.border = BOLD, BORDER
    excellent = standards.grading.excellent
    for r, pool in enumerate(standards.grading.pools, start=row + 1):
        people = sum(1 for d in reg.data if d.get("考核池") == pool)
        col = [get_column_letter(QUOTA_COLUMN + k) for k in range(len(heads))]
        ws[f"{col[0]}{r}"] = pool
        ws[f"{col[1]}{r}"] = people
        ws[f"{col[2]}{r}"] = excellent_places(standards, people)
        ws[f"{col[3]}{r}"] = (f'=COUNTIFS({names["确定等次"]},"{excellent}",'
                              f'{names["考核池"]},{col[0]}{r})')
        ws[f"{col[4]}{r}"] = f'=IF({col[3]}{r}>{col[2]}{r},"超出名额","")'
        cached[f"{col[3]}{r}"] = 0
        cached[f"{col[4]}{r}"] = ""
        ws[f"{col[4]}{r}"].font = Font(color="C00000", bold=True)
        for c in col:
            ws[f"{c}{r}"].border = BORDER
    for k, width in enumerate((18, 7, 9, 9, 10)):
        ws.column_dimensions[get_column_letter(QUOTA_COLUMN + k)].width = width


def _decisions_sheet(ws: Worksheet, wb: Workbook, standards: Standards,
                     reg: AnnualRegister, cached: dict[str, object]) -> dict[str, str]:
    headers = [c.header for c in DECISION_COLUMNS]
    sheet_title(ws, f"{reg.unit} {reg.period} {KIND_ANNUAL}", len(headers))
    for ref, text, value in (("A2", "单位", reg.unit), ("C2", "年度", reg.period)):
        ws[ref] = text
        ws[ref].font = BOLD
        target = ws[f"{chr(ord(ref[0]) + 1)}2"]
        target.value, target.data_type, target.border = value, "s", BORDER
    ws["E2"] = f"共 {len(reg.data)} 人"
    ws["A3"] = ("只填写确定等次（下拉选择，按人员类别）、鉴定意见、本人意见（同意/申请复核）和复核结果；"
                "其余各列由系统生成，请勿修改。每人一页的年度考核登记表见“登记表”工作表；"
                "填好后运行 qianfen-xl finalize 定稿。")
    ws["A3"].font = Font(size=9, color="666666")
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(headers))
    ws.row_dimensions[3].height = 30
    header_row(ws, DECISIONS_HEADER_ROW, headers, [c.width for c in DECISION_COLUMNS])
    first = DECISIONS_HEADER_ROW + 1
    formats = {c.header: c.number_format for c in DECISION_COLUMNS}
    last = _write_rows(ws, first, headers, reg.decisions, formats)
    for r in range(first, last + 1):
        for header in DECISION_INPUTS:
            ws.cell(row=r, column=headers.index(header) + 1).protection = UNLOCKED
        # text typed or written at any length wraps (the application sizes the row as
        # the clerk types): never cut by the next column, on screen or on paper
        for header in WRAPPED_DECISIONS:
            ws.cell(row=r, column=headers.index(header) + 1).alignment = Alignment(
                wrap_text=True, vertical="top")
    _table(ws, TABLE_DECISIONS, DECISIONS_HEADER_ROW, last, len(headers))
    names = _names(wb, "dec", SHEET_DECISIONS, headers, DEC_NAMES, first, last)
    _decision_validations(ws, wb, standards, reg, first)
    _quota_block(ws, standards, reg, names, cached)
    ws.freeze_panes = f"C{first}"
    setup_print(ws, f"1:{DECISIONS_HEADER_ROW}", landscape=True)
    ws.print_area = f"A1:{get_column_letter(len(headers))}{last}"
    protect_sheet(ws)
    return names


def _pages_sheet(ws: Worksheet, reg: AnnualRegister, names: Mapping[tuple[str, str], str],
                 cached: dict[str, object]) -> None:
    """One A4 page per decisions row, each after a page break; the helper cells (the row
    each page shows) outside the print area."""
    setup_pages(ws)
    sink = PageSink(live=True, names=names, cached=cached)
    head = PageHead(reg.unit, reg.period, reg.months)
    ids = [d.get("编号") for d in reg.data]
    top = 1
    for k in range(1, max(1, len(reg.decisions)) + 1):
        row = reg.decisions[k - 1] if reg.decisions else {}
        position = ids.index(row["编号"]) + 1 if row.get("编号") in ids else 0
        values = page_values(row, reg.data[position - 1] if position else {})
        end = write_page(ws, top, k, head, values, sink, position)
        if k < max(1, len(reg.decisions)):
            ws.row_breaks.append(Break(id=end - 1))
        top = end
    ws.print_area = f"A1:H{top - 1}"
    protect_sheet(ws)


def _meta(wb: Workbook, standards: Standards, reg: AnnualRegister) -> None:
    meta = wb.create_sheet(SHEET_META)
    rows = (("模板类型", KIND_ANNUAL), ("模板版本", TEMPLATE_VERSION),
            ("评分标准", standards.name), ("评分标准哈希", standards.short_digest),
            (META_DATA_DIGEST, data_digest(year_data_headers(reg.months), reg.data)), ("人数", str(len(reg.data))))
    for r, (key, value) in enumerate(rows, start=1):
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=value).data_type = "s"
    meta.sheet_state = "hidden"
    protect_sheet(meta)


def build_annual_register(standards: Standards, reg: AnnualRegister) -> tuple[
        Workbook, dict[str, dict[str, object]]]:
    """The workbook and the values of its formula cells (sheet → cell → value)."""
    wb, decisions = new_workbook(SHEET_DECISIONS)
    pages = wb.create_sheet(SHEET_PAGES)
    _meta(wb, standards, reg)
    data_names = _year_data_sheet(wb, reg)
    wb.move_sheet(SHEET_META, offset=1)
    cached: dict[str, dict[str, object]] = {SHEET_DECISIONS: {}, SHEET_PAGES: {}}
    dec_names = _decisions_sheet(decisions, wb, standards, reg, cached[SHEET_DECISIONS])
    names = {("dec", h): n for h, n in dec_names.items()}
    names |= {("data", h): n for h, n in data_names.items()}
    _pages_sheet(pages, reg, names, cached[SHEET_PAGES])
    define_name(wb, NAME_KIND, sheet_ref(SHEET_META, "B", 1))
    define_name(wb, NAME_VERSION, sheet_ref(SHEET_META, "B", 2))
    define_name(wb, NAME_UNIT, sheet_ref(SHEET_DECISIONS, "B", 2))
    define_name(wb, NAME_PERIOD, sheet_ref(SHEET_DECISIONS, "D", 2))
    wb.properties.creator = "qianfen-xl"
    wb.properties.title = KIND_ANNUAL
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb, cached


def write_annual_register(path: Path, standards: Standards, reg: AnnualRegister) -> Path:
    wb, cached = build_annual_register(standards, reg)
    return save_with_cached_values(wb, path, cached)


def write_annual_template(out: Path, standards: Standards, *, unit: str | None = None) -> Path:
    """The blank 年度考核情况登记表 (one empty row and its page) for workbook_templates/."""
    reg = AnnualRegister([], [], tuple(f"{m}月" for m in range(1, 13)),
                         unit or standards.unit, "")
    return write_annual_register(out / f"{KIND_ANNUAL}.xlsx", standards, reg)
