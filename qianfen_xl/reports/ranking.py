"""The ranking workbook for HR (PRODUCT.md, register contract): 排名, 科室明细, 个人明细,
月度趋势, 校验报告, 数据来源, and a hidden _meta (sheets written as ``reports.xlsx`` does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qianfen_xl.batch.consolidation import (
    INCOMPLETE,
    MISSING,
    RETURNED,
    Consolidation,
    DepartmentMonth,
)
from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.register import Submission
from qianfen_xl.reports.charts import PAGE_ROWS, Series, bar_rows, rank_bars, small_multiples
from qianfen_xl.reports.xlsx import (
    SCORE_FORMAT,
    Column,
    SheetWriter,
    report_sheet,
    scheme_label,
    text,
    write_xlsx,
)
from qianfen_xl.schemas.columns import (
    NAME_KIND,
    NAME_PERIOD,
    NAME_UNIT,
    NAME_VERSION,
    TEMPLATE_VERSION,
)
from qianfen_xl.scoring.quarter import good_share

if TYPE_CHECKING:  # XlsxWriter is imported when the workbook is written
    from xlsxwriter.workbook import Workbook

KIND_RANKING = "千分制考核汇总"
LEADERSHIP_NOTE = "街道领导班子单独计分，不参加科室排名"


def write_ranking_workbook(result: Consolidation, standards: Standards, path: Path) -> Path:
    """Write the workbook atomically; identical results give identical bytes."""
    return write_xlsx(path, lambda wb: fill_ranking_workbook(wb, result, standards))


def fill_ranking_workbook(wb: Workbook, result: Consolidation, standards: Standards) -> None:
    from xlsxwriter.utility import quote_sheetname

    where = (f"单位：{result.unit}    期间：{result.period.label}"
             f"（{result.period.start:%Y-%m-%d} 至 {result.period.end:%Y-%m-%d}）    ")
    subtitle = where + scheme_label(standards)
    _ranking_sheet(wb, result, subtitle)
    if result.quarter:
        _quarter_sheet(wb, result, standards, subtitle)
    _departments_sheet(wb, result, standards, subtitle)
    _people_sheet(wb, result, standards, subtitle)
    _trend_sheet(wb, result, standards, subtitle)
    _report_sheet(wb, result, subtitle)
    _sources_sheet(wb, result, where + scheme_label(standards, named=True),
                   standards.calendar.describe())
    _meta_sheet(wb, result, standards)
    for name, (sheet, ref) in {NAME_UNIT: ("排名", "$B$2"), NAME_PERIOD: ("排名", "$D$2"),
                               NAME_KIND: ("_meta", "$B$1"),
                               NAME_VERSION: ("_meta", "$B$2")}.items():
        wb.define_name(name, f"={quote_sheetname(sheet)}!{ref}")
    wb.set_properties({"title": f"{result.unit} {result.period.label} {KIND_RANKING}",
                       "author": "qianfen-xl", "created": FIXED_TIME})


def ranking_order(rows: Iterable[DepartmentMonth]) -> list[DepartmentMonth]:
    """Ranked departments by rank, then those not scored, then the leadership unit."""
    def key(r: DepartmentMonth) -> tuple[int, int, float]:
        group = 0 if r.rank is not None else (2 if not r.ranked else 1)
        return (group, r.rank or 0, -(r.score.total if r.score else 0))
    return sorted(rows, key=key)


def status_note(r: DepartmentMonth, returned: Collection[str] = ()) -> str:
    """Why a department's month is not ranked ("" when it is scored), for 排名 · 说明:
    for 退回修改 the files to fix (those of ``returned`` among its files; all of them when
    none is named)."""
    missing = f"缺少周登记表 {'、'.join(r.missing)}" if r.missing else ""
    if r.status == RETURNED:
        note = "登记表有错误，见校验报告：" + "、".join(files_to_fix(r, returned))
        return f"{note}；另{missing}" if missing else note
    if r.status == INCOMPLETE:
        return f"{missing}，不参加排名（已收到：{'、'.join(r.files)}）"
    return "未收到登记表" if r.status == MISSING else ""


def files_to_fix(r: DepartmentMonth, returned: Collection[str] = ()) -> tuple[str, ...]:
    """The files a 退回修改 month must have fixed: those of ``returned`` among its files
    (all of them when none is named); none for any other status."""
    if r.status != RETURNED:
        return ()
    return tuple(f for f in r.files if f in returned) or tuple(r.files)


def ranking_note(r: DepartmentMonth, returned: Collection[str] = ()) -> str:
    """排名 · 说明 of a row: :func:`status_note`, or for the leadership unit that it is
    scored apart."""
    return status_note(r, returned) if r.ranked else LEADERSHIP_NOTE


def returned_files(result: Consolidation) -> set[str]:
    """The files to send back (数据来源 · 退回修改)."""
    return {s.submission.label for s in result.sources if s.status == RETURNED}


def _ranking_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> None:
    columns = [Column("期间", 10, align="center"), Column("名次", 9, align="center"),
               Column("科室", 18), Column("口", 8, align="center"),
               Column("得分", 10, SCORE_FORMAT), Column("口内名次", 9, align="center"),
               Column("状态", 10, align="center"), Column("说明", 44, wrap=True)]
    returned = returned_files(result)
    # Row 2 holds the header fields the defined names qf_unit (B2) and qf_period (D2) name.
    fields = ["单位", result.unit, "期间", result.period.label, "", subtitle.split("    ")[-1]]
    sheet = SheetWriter(wb, "排名", f"{result.unit} 千分制考核排名（{result.period.label}）",
                        fields, columns)
    for month in result.requested:
        for r in ranking_order(month.departments):
            place: object = r.rank if r.rank is not None else r.status
            if not r.ranked:
                place = "—"
            sheet.add([month.period.label, place, r.department, r.line or "—",
                       r.score.total if r.score else None, r.line_rank,
                       r.status, ranking_note(r, returned)])


def _quarter_sheet(wb: Workbook, result: Consolidation, standards: Standards,
                   subtitle: str) -> None:
    """季度考核 (SCORING.md §8): per person the three months, their mean and the grade with
    its reason, department by department; then per department how many were graded each
    grade, and the share of 好."""
    months = [m.period.label for m in result.requested]
    grades = [*standards.quarter["grades"], standards.quarter["pending"]]
    sheet = SheetWriter(wb, "季度考核", f"{result.unit} {result.period.label} 平时考核（季度）",
                        subtitle, [Column("编号", 9), Column("姓名", 10), Column("科室", 16),
                                   *[Column(m, 9, SCORE_FORMAT) for m in months],
                                   Column("平均", 9, SCORE_FORMAT),
                                   Column("等次", 7, align="center"),
                                   Column("说明", 48, wrap=True)])
    order = {d: k for k, d in enumerate(r.department for m in result.requested
                                        for r in m.departments)}
    ranked = sorted(result.quarter, key=lambda g: order.get(g.department, len(order)))
    for g in ranked:
        sheet.add([g.id, g.name, g.department, *g.months, g.mean, g.grade, g.note])
    sheet.append([])
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    name = wb.add_format({"border": 1, "border_color": "#A6A6A6"})
    cell = wb.add_format({"border": 1, "border_color": "#A6A6A6", "align": "center"})
    share = wb.add_format({"border": 1, "border_color": "#A6A6A6", "align": "center",
                           "num_format": "0%"})
    # 科室 across the first two columns (编号, 姓名 above): every name shows whole
    sheet.ws.merge_range(sheet.row, 0, sheet.row, 1, "科室", head)
    sheet.append([None, None, "参评人数", *grades[:1], f"“{grades[0]}”的比例", *grades[1:]],
                 [None, None, *[head] * (len(grades) + 2)])
    counts = Counter((g.department, g.grade) for g in result.quarter)
    for department, (good, total) in sorted(good_share(standards, result.quarter).items(),
                                            key=lambda item: order.get(item[0], len(order))):
        sheet.ws.merge_range(sheet.row, 0, sheet.row, 1, text(department), name)
        sheet.append([None, None, total, good, good / total if total else 0.0,
                      *(counts.get((department, grade), 0) for grade in grades[1:])],
                     [None, None, cell, cell, share, *[cell] * (len(grades) - 1)])


def registers_note(files: Sequence[str], made_of: Mapping[str, Submission]) -> str:
    """The registers a department's month was made of, briefly (数据来源 lists each file):
    their kind and periods, e.g. "周考核情况登记表 ×5（2026-W45 至 2026-W49）"."""
    kinds: dict[str, list[str]] = {}
    for label in files:
        sub = made_of.get(label)
        if sub is not None and sub.period is not None:
            kinds.setdefault(sub.kind, []).append(sub.period.label)
    parts = []
    for kind, periods in kinds.items():
        span = periods[0] if len(periods) == 1 else f"{min(periods)} 至 {max(periods)}"
        parts.append(f"{kind} ×{len(periods)}（{span}）" if len(periods) > 1
                     else f"{kind}（{span}）")
    return "；".join(parts)


def _departments_sheet(wb: Workbook, result: Consolidation, standards: Standards,
                       subtitle: str) -> None:
    dept_norms = [n.code for n in standards.department_norms]
    columns = [Column("期间", 10), Column("科室", 18), Column("口", 8), Column("状态", 10),
               Column("人数", 6), Column("成员平均", 10, SCORE_FORMAT),
               *[Column(c, 8, SCORE_FORMAT) for c in dept_norms],
               Column("科室加分", 9, SCORE_FORMAT), Column("科室得分", 10, SCORE_FORMAT),
               Column("名次", 6, align="center"), Column("一票否决", 14),
               Column("登记表", 30, wrap=True)]
    sheet = SheetWriter(wb, "科室明细", f"{result.unit} 科室得分明细（{result.period.label}）",
                        subtitle, columns)
    made_of = {s.submission.label: s.submission for s in result.sources}
    for month in result.requested:  # earlier months are only for 月度趋势
        for r in month.departments:
            s = r.score
            values = ([s.member_mean, *(s.norms[c] for c in dept_norms), s.additions, s.total]
                      if s else [None] * (len(dept_norms) + 3))
            sheet.add([month.period.label, r.department, r.line or "—", r.status,
                       len(s.people) if s else None, *values, r.rank,
                       "、".join(s.vetoes) if s else "", registers_note(r.files, made_of)])


def _people_sheet(wb: Workbook, result: Consolidation, standards: Standards,
                  subtitle: str) -> None:
    norms = [n.code for n in standards.individual_norms]
    columns = [Column("期间", 10), Column("编号", 9), Column("姓名", 10), Column("科室", 18),
               *[Column(c, 8, SCORE_FORMAT) for c in norms], Column("加分", 8, SCORE_FORMAT),
               Column("个人得分", 10, SCORE_FORMAT), Column("一票否决", 14)]
    sheet = SheetWriter(wb, "个人明细", f"{result.unit} 个人得分明细（{result.period.label}）",
                        subtitle, columns)
    for month in result.requested:
        for r in month.scored():
            for p in r.score.people if r.score else ():
                sheet.add([month.period.label, p.id, p.name, r.department,
                           *[p.norms[c] for c in norms], p.additions, p.total,
                           "、".join(p.vetoes)])


def _trend_sheet(wb: Workbook, result: Consolidation, standards: Standards,
                 subtitle: str) -> None:
    """The departments' months, best of the latest month first; a bar chart of that month in
    rank order (axis from 0 to 满分, every bar labelled), and with several months one small
    line chart per department, all on the same axis (its cut marked in its title)."""
    months = [m.period.label for m in result.months]
    table = {(m.period.label, r.department): r for m in result.months for r in m.departments}

    def score(month: str, department: str) -> float | None:
        r = table.get((month, department))
        return r.score.total if r is not None and r.score is not None else None

    latest = months[-1]
    departments = sorted(
        dict.fromkeys(r.department for m in result.months for r in m.departments if r.ranked),
        key=lambda d: -(score(latest, d) or -1.0))  # stable: unscored keep the roster order
    columns = [Column("科室", 18), *[Column(m, 10, SCORE_FORMAT) for m in months]]
    span = months[0] if len(months) == 1 else f"{months[0]} 至 {latest}"
    sheet = SheetWriter(wb, "月度趋势", f"{result.unit} 科室得分月度趋势（{span}）", subtitle,
                        columns)
    # The charts read a copy of the scores alone, in hidden columns to the right: a month
    # not scored is a blank there (a gap in the line), where the table shows its status.
    data_col = len(columns) + 1
    sheet.ws.set_column(data_col, data_col + len(months) - 1, None, None, {"hidden": True})
    first = sheet.row + 1
    for d in departments:
        shown: list[object] = [d]
        for m in months:
            r = table.get((m, d))
            shown.append(score(m, d) if score(m, d) is not None else (r.status if r else ""))
        sheet.add([*shown, None, *(score(m, d) for m in months)])
    if not departments:
        return
    scored = sum(1 for d in departments if score(latest, d) is not None)
    anchor = sheet.row + 2
    breaks = []
    copies = (data_col, data_col + len(months) - 1)
    if scored:
        if anchor + bar_rows(scored) > PAGE_ROWS:  # not whole below the table: on a page
            breaks.append(anchor)                  # of its own
        bars = Series(first - 1, first + scored - 2, 0, (copies[1], copies[1]))
        anchor += rank_bars(wb, sheet, bars, f"{latest} 科室得分（按名次）",
                            standards.full_marks, anchor)
    if len(months) > 1:
        values = [v for m in months for d in departments if (v := score(m, d)) is not None]
        lines = Series(first - 1, first + len(departments) - 2, 0, copies, (1, len(months)))
        breaks += small_multiples(wb, sheet, lines, departments, min(values, default=0.0),
                                  standards.full_marks, anchor)
    sheet.ws.set_h_pagebreaks(breaks)


def _report_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> None:
    errors = sum(f.is_error for f in result.findings)
    report_sheet(wb, f"校验报告：错误 {errors} 个，警告 {len(result.findings) - errors} 个",
                 subtitle, result.findings)


def _sources_sheet(wb: Workbook, result: Consolidation, subtitle: str, calendar: str) -> None:
    columns = [Column("文件", 34, wrap=True), Column("SHA-256", 34, wrap=True),
               Column("字节", 10, "#,##0"),
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
    sheet.note(calendar)


def _meta_sheet(wb: Workbook, result: Consolidation, standards: Standards) -> None:
    ws = wb.add_worksheet("_meta")
    rows: Iterable[tuple[str, str]] = (
        ("类型", KIND_RANKING), ("版本", TEMPLATE_VERSION), ("单位", result.unit),
        ("期间", result.period.label), ("评分标准", standards.name),
        ("评分标准版本", standards.version), ("评分标准哈希", standards.short_digest),
        ("生成程序", "qianfen-xl"), ("工作日历", standards.calendar.digest))
    for r, (key, value) in enumerate(rows):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, text(value))
    ws.hide()
