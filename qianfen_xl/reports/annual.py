"""The annual ranking workbook for HR: 个人年度 (平时 by month and mean, 测评, 考评, total,
建议等次 with its pool and reason), 待定名单, 科室年度 (the year score, rank, 先进科室 and why
not), 测评汇总 (per ratee the combined 测评 and the count of valid marks; group subtotals only
where every group has enough valid marks; never a rater), 校验报告, 数据来源; the year's
scores in rank order and one small trend chart per department; the proposals counted per
pool."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from xlsxwriter.workbook import Workbook

from qianfen_xl.batch.annual import AnnualRun
from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.standards import Standards
from qianfen_xl.reports.charts import Series, rank_bars, small_multiples
from qianfen_xl.reports.xlsx import (
    SCORE_FORMAT,
    Column,
    SheetWriter,
    add_chart,
    report_sheet,
    scheme_label,
    write_xlsx,
)
from qianfen_xl.scoring.evaluation import Evaluation
from qianfen_xl.scoring.year import AnnualResult

KIND_ANNUAL = "年度考核汇总"
ADVANCED = "先进科室"


def write_annual_workbook(run: AnnualRun, standards: Standards, unit: str, period: str,
                          path: Path) -> Path:
    return write_xlsx(path, lambda wb: _fill(wb, run, standards, unit, period))


def _fill(wb: Workbook, run: AnnualRun, standards: Standards, unit: str, period: str) -> None:
    where = f"单位：{unit}    期间：{period}    "
    subtitle = where + scheme_label(standards)
    title = f"{unit} {period}"
    _people_sheet(wb, run.result, standards, title, subtitle)
    _grade_sheet(wb, run.result, standards, title, subtitle)
    _pending_sheet(wb, run.result, standards, title, subtitle)
    _departments_sheet(wb, run.result, standards, title, subtitle)
    _evaluations_sheet(wb, run.result, standards, title, subtitle)
    _report_sheet(wb, run, subtitle)
    _sources_sheet(wb, run, where + scheme_label(standards, named=True),
                   standards.calendar.describe())
    wb.set_properties({"title": f"{title} {KIND_ANNUAL}", "author": "qianfen-xl",
                       "created": FIXED_TIME})


def grade_order(standards: Standards) -> list[str]:
    """Every grade of every vocabulary, best first, then the marks: the tally's rows."""
    g = standards.grading
    grades = [name for position in range(len(g.min_scores))
              for name in dict.fromkeys(v[position] for v in g.vocabularies.values())]
    marks = g.marks
    return [*grades, marks.pending, marks.higher_level, marks.ungraded, marks.deferred]


def _people_sheet(wb: Workbook, r: AnnualResult, standards: Standards, title: str,
                  subtitle: str) -> None:
    """The year per person, best first: 平时, 测评, 考评, total, the 平时考核 grade of each
    quarter, and the proposal with its reason; the months themselves are on 个人月度."""
    months = list(r.months)
    people = SheetWriter(wb, "个人年度", f"{title} 个人年度考核", subtitle, [
        Column("编号", 9), Column("姓名", 10), Column("科室", 16), Column("人员类别", 10),
        Column("平时", 9, SCORE_FORMAT), Column("测评（百分）", 10, SCORE_FORMAT),
        Column("测评分", 9, SCORE_FORMAT), Column("考评分", 9, SCORE_FORMAT),
        Column("调整", 7, SCORE_FORMAT), Column("总分", 9, SCORE_FORMAT),
        *[Column(q.replace("-Q", " 第") + "季度", 8, align="center") for q in r.quarters],
        Column("建议等次", 14, align="center"), Column("考核池", 14),
        Column("说明", 50, wrap=True)])
    for p in sorted(r.people, key=lambda p: (-p.year.total, p.id)):
        missing = [m for m, v in zip(months, p.monthly, strict=True) if v is None]
        notes = [p.grade.reason] if p.grade.reason else []
        if missing:
            notes.append("缺少月度得分（不计入平均）：" + "、".join(missing))
        people.add([p.id, p.name, p.department, p.category, p.year.regular,
                    p.evaluation, p.year.evaluation, p.year.assessment, p.year.adjustments,
                    p.year.total, *(g or "—" for g in p.quarters), p.grade.proposal,
                    p.grade.pool, "；".join(notes)])
    monthly = SheetWriter(wb, "个人月度", f"{title} 个人月度得分（平时）", subtitle, [
        Column("编号", 9), Column("姓名", 10), Column("科室", 16),
        *[Column(m, 9, SCORE_FORMAT) for m in months], Column("平时", 9, SCORE_FORMAT)])
    for p in r.people:  # roster order: the leadership first, then the departments
        monthly.add([p.id, p.name, p.department, *p.monthly, p.year.regular])


def _grade_sheet(wb: Workbook, r: AnnualResult, standards: Standards, title: str,
                 subtitle: str) -> None:
    """The proposals counted per grade and pool (and outside the pools), with a chart of
    the same counts: one bar colour per pool, the axis from 0, every bar labelled."""
    order = grade_order(standards)
    pools = [*standards.grading.pools, ""]
    heads = [pool or "考核池外（报上级审定）" for pool in pools]
    sheet = SheetWriter(wb, "等次统计", f"{title} 建议等次统计", subtitle,
                        [Column("建议等次", 14), *[Column(h, 14, align="center") for h in heads],
                         Column("合计", 8, align="center")], landscape=False)
    counts = Counter((p.grade.pool, p.grade.kind) for p in r.people)
    first = sheet.row
    for grade in order:
        row = [counts.get((pool, grade), 0) for pool in pools]
        sheet.add([grade, *row, sum(row)])
    chart = add_chart(wb, "column")
    for k, head in enumerate(heads, start=1):
        chart.add_series({"name": head,
                          "categories": [sheet.title, first, 0, first + len(order) - 1, 0],
                          "values": [sheet.title, first, k, first + len(order) - 1, k],
                          "data_labels": {"value": True}})
    chart.set_title({"name": "建议等次分布（人数）"})
    chart.set_y_axis({"min": 0, "major_gridlines": {"visible": True,
                                                    "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 320})
    sheet.ws.insert_chart(sheet.row + 1, 0, chart)


def _pending_sheet(wb: Workbook, r: AnnualResult, standards: Standards, title: str,
                   subtitle: str) -> None:
    pending = [p for p in r.people if p.grade.kind == standards.grading.marks.pending]
    if pending:
        ties = SheetWriter(wb, "待定名单", f"{title} 优秀名额边界同分人员（请考核小组决定）",
                           subtitle, [Column("编号", 9), Column("姓名", 10), Column("科室", 16),
                                      Column("考核池", 14), Column("总分", 9, SCORE_FORMAT),
                                      Column("说明", 60, wrap=True)])
        for p in sorted(pending, key=lambda p: p.id):
            ties.add([p.id, p.name, p.department, p.grade.pool, p.year.total, p.grade.reason])


def _departments_sheet(wb: Workbook, r: AnnualResult, standards: Standards, title: str,
                       subtitle: str) -> None:
    months = list(r.months)
    depts = SheetWriter(wb, "科室年度", f"{title} 科室年度考核", subtitle, [
        Column("名次", 6, align="center"), Column("科室", 16), Column("口", 8, align="center"),
        *[Column(m, 9, SCORE_FORMAT) for m in months],
        Column("考评", 9, SCORE_FORMAT), Column("年度得分", 10, SCORE_FORMAT),
        Column(ADVANCED, 9, align="center"), Column("说明", 40, wrap=True)])
    first = depts.row
    for d in r.departments:
        place = d.rank if d.rank is not None else ("不完整" if d.missing else "")
        depts.add([place, d.department, d.line or "—", *d.monthly, d.assessment, d.total,
                   ADVANCED if d.advanced else
                   standards.grading.marks.pending if d.advanced_pending else "",
                   d.advanced_note])
    if not r.departments:
        return
    anchor = depts.row + 2
    total = 3 + len(months) + 1  # 年度得分
    rows = first + len(r.departments) - 1
    anchor += rank_bars(wb, depts, Series(first, rows, 1, (total, total)),
                        f"{title} 科室年度得分（按名次）", standards.full_marks, anchor)
    if len(months) > 1:
        values = [v for d in r.departments for v in d.monthly if v is not None]
        depts.ws.set_h_pagebreaks(small_multiples(
            wb, depts, Series(first, rows, 1, (3, 2 + len(months))),
            [d.department for d in r.departments], min(values, default=0.0),
            standards.full_marks, anchor))


def evaluation_groups(e: Evaluation, shown_from: float) -> str:
    """A ratee's groups as 测评汇总 shows them: each group's valid marks, abstentions and
    mean when every group has enough valid marks; otherwise no subtotal at all."""
    if not e.subtotals_shown:
        return f"有测评组有效票少于 {shown_from:g} 张：不显示分组小计"
    return "；".join(f"{g.group} {g.marks} 票" + (f"（弃权 {g.abstentions}）" if g.abstentions
                                                   else "")
                    + (f" {g.mean:.2f}" if g.mean is not None else "")
                    + ("（去掉最高最低）" if g.trimmed else "") for g in e.groups)


def _evaluations_sheet(wb: Workbook, r: AnnualResult, standards: Standards, title: str,
                       subtitle: str) -> None:
    shown_from = standards.ballots["subtotal_min_marks"]
    summary = SheetWriter(wb, "测评汇总", f"{title} 民主测评汇总（不含测评人信息）",
                          subtitle, [Column("编号", 9), Column("姓名", 10), Column("科室", 16),
                                     Column("测评（百分）", 11, SCORE_FORMAT),
                                     Column("有效票", 8, align="center"),
                                     Column("弃权", 7, align="center"),
                                     Column("各测评组", 60, wrap=True)])
    # People in roster order (the leadership first), then the departments as 科室.
    ratees = [(p.id, p.name, p.department) for p in r.people]
    ratees += [(d, d, "（科室）") for d in dict.fromkeys(p.department for p in r.people)]
    for key, name, department in ratees:
        e = r.evaluations.get(key)
        if e is not None:
            summary.add([key if name != key else "", name, department, e.score, e.marks,
                         e.abstentions, evaluation_groups(e, shown_from)])


def _report_sheet(wb: Workbook, run: AnnualRun, subtitle: str) -> None:
    report_sheet(wb, "校验报告", subtitle, run.findings)


def _sources_sheet(wb: Workbook, run: AnnualRun, subtitle: str, calendar: str) -> None:
    sources = SheetWriter(wb, "数据来源", "数据来源", subtitle, [
        Column("文件", 34, wrap=True), Column("SHA-256", 34, wrap=True),
        Column("字节", 10, "#,##0"), Column("模板", 18), Column("期间", 10), Column("状态", 24, wrap=True)])
    for src in run.consolidation.sources:
        s = src.submission
        sources.add([s.label, s.sha256, s.size, s.kind, s.period.label if s.period else "",
                     src.status])
    for ef in run.evaluations:  # 已计入 only what counted, whole (run.statuses)
        sources.add([ef.label, ef.sha256, ef.size, ef.kind,
                     ef.period.label if ef.period else "", run.statuses.get(ef.label, "")])
    sources.note(calendar)
