"""The ranking workbook for HR (PRODUCT.md, register contract): 排名, 科室明细, 个人明细,
月度趋势, 校验报告, 数据来源, and a hidden _meta (sheets written as ``reports.xlsx`` does).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from xlsxwriter.utility import quote_sheetname
from xlsxwriter.workbook import Workbook

from qianfen_xl.batch.consolidation import SCORED, Consolidation, DepartmentMonth
from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.findings import REPORT_COLUMNS
from qianfen_xl.contract.standards import Standards
from qianfen_xl.reports.xlsx import (
    HEADER_ROW,
    SCORE_FORMAT,
    Column,
    SheetWriter,
    add_chart,
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

KIND_RANKING = "千分制考核汇总"
CHART_COLUMNS = 3          # small line charts side by side in 月度趋势 …
SMALL_MULTIPLES_MAX = 60   # … one per department, for at most this many (a district has 300)
CHART_ROWS = 11            # sheet rows a small chart takes
CHART_LINES_PER_PAGE = 3   # rows of small charts on one printed page


def write_ranking_workbook(result: Consolidation, standards: Standards, path: Path) -> Path:
    """Write the workbook atomically; identical results give identical bytes."""
    return write_xlsx(path, lambda wb: fill_ranking_workbook(wb, result, standards))


def fill_ranking_workbook(wb: Workbook, result: Consolidation, standards: Standards) -> None:
    subtitle = (f"单位：{result.unit}    期间：{result.period.label}"
                f"（{result.period.start:%Y-%m-%d} 至 {result.period.end:%Y-%m-%d}）    "
                f"评分标准：{standards.name} {standards.version}（{standards.short_digest}）")
    _ranking_sheet(wb, result, subtitle)
    _departments_sheet(wb, result, standards, subtitle)
    _people_sheet(wb, result, standards, subtitle)
    _trend_sheet(wb, result, standards, subtitle)
    _report_sheet(wb, result, subtitle)
    _sources_sheet(wb, result, subtitle)
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


def _ranking_sheet(wb: Workbook, result: Consolidation, subtitle: str) -> None:
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
    sheet = SheetWriter(wb, "月度趋势", f"{result.unit} 科室得分月度趋势", subtitle, columns)
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
    if scored:
        if len(departments) > 15:  # a long table: the chart starts on a page of its own
            breaks.append(anchor)
        _rank_bars(wb, sheet, standards, latest, first, scored, anchor, data_col)
        anchor += max(16, 4 + scored * 2)
    if len(months) > 1:
        values = [v for m in months for d in departments if (v := score(m, d)) is not None]
        breaks += _small_multiples(wb, sheet, standards, departments, len(months), first,
                                   anchor, data_col, floor=min(values, default=0.0))
    sheet.ws.set_h_pagebreaks(breaks)


def _rank_bars(wb: Workbook, sheet: SheetWriter, standards: Standards, month: str, first: int,
               count: int, anchor: int, data_col: int) -> None:
    """The month's scores as horizontal bars, rank 1 on top, from 0 to 满分, each labelled."""
    name = sheet.title
    col = data_col + len(sheet.columns) - 2  # the latest month's copy
    bar = add_chart(wb, "bar")
    bar.add_series({"name": [name, HEADER_ROW - 1, len(sheet.columns) - 1],
                    "categories": [name, first - 1, 0, first + count - 2, 0],
                    "values": [name, first - 1, col, first + count - 2, col],
                    "fill": {"color": "#4472C4"}, "gap": 60,
                    "data_labels": {"value": True, "num_format": SCORE_FORMAT}})
    bar.set_title({"name": f"{month} 科室得分（按名次）"})
    bar.set_x_axis({"name": "得分", "min": 0, "max": standards.full_marks,
                    "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    bar.set_y_axis({"reverse": True})  # categories top-down: rank 1 first
    bar.set_legend({"none": True})
    bar.show_hidden_data()  # the copy it reads is in hidden columns
    bar.set_size({"width": 720, "height": 80 + 26 * count})
    sheet.ws.insert_chart(anchor, 0, bar)


def _small_multiples(wb: Workbook, sheet: SheetWriter, standards: Standards,
                     departments: list[str], months: int, first: int, anchor: int,
                     data_col: int, floor: float) -> list[int]:
    """One small line chart per department (up to SMALL_MULTIPLES_MAX, in rank order), all
    on one axis from just below the lowest score to 满分: a cut axis, said in every title.
    Returns the rows where a page should break, so that no chart is cut in print."""
    low = max(0, math.floor((floor - 5) / 10) * 10)
    name = sheet.title
    shown = departments[:SMALL_MULTIPLES_MAX]
    for k, department in enumerate(shown):
        line = add_chart(wb, "line")
        row = first - 1 + k
        line.add_series({"name": department,
                         "categories": [name, HEADER_ROW - 1, 1, HEADER_ROW - 1, months],
                         "values": [name, row, data_col, row, data_col + months - 1],
                         "line": {"color": "#404040", "width": 1.5},
                         "marker": {"type": "circle", "size": 4,
                                    "fill": {"color": "#404040"}, "border": {"color": "#404040"}}})
        line.set_title({"name": f"{department}（纵轴自 {low:g} 起）", "name_font": {"size": 10}})
        line.set_y_axis({"min": low, "max": standards.full_marks, "num_format": "0",
                         "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        line.set_legend({"none": True})
        line.show_blanks_as("gap")
        line.show_hidden_data()  # the copy it reads is in hidden columns
        line.set_size({"width": 320, "height": 200})
        sheet.ws.insert_chart(anchor + (k // CHART_COLUMNS) * CHART_ROWS,
                              (k % CHART_COLUMNS) * 5, line, {"y_offset": 8})
    lines = -(-len(shown) // CHART_COLUMNS)
    if len(departments) > len(shown):
        sheet.ws.write_string(anchor + lines * CHART_ROWS, 0,
                              f"其余 {len(departments) - len(shown)} 个科室的趋势见上表。")
    return [anchor + k * CHART_ROWS for k in range(0, lines, CHART_LINES_PER_PAGE)]


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


def _meta_sheet(wb: Workbook, result: Consolidation, standards: Standards) -> None:
    ws = wb.add_worksheet("_meta")
    rows: Iterable[tuple[str, str]] = (
        ("类型", KIND_RANKING), ("版本", TEMPLATE_VERSION), ("单位", result.unit),
        ("期间", result.period.label), ("评分标准", standards.name),
        ("评分标准版本", standards.version), ("评分标准哈希", standards.short_digest),
        ("生成程序", "qianfen-xl"))
    for r, (key, value) in enumerate(rows):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, text(value))
    ws.hide()
