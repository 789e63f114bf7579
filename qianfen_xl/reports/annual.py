"""The annual ranking workbook for HR: 个人年度 (平时 by month and mean, 测评, 考评, total,
等次), 科室年度 (the year score, rank, 先进科室 and why not), 测评汇总 (per ratee and group,
never a rater), 校验报告, 数据来源; a 12-month trend chart and the grade distribution."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from xlsxwriter.workbook import Workbook

from qianfen_xl.batch.annual import AnnualRun
from qianfen_xl.contract.atomic import FIXED_TIME
from qianfen_xl.contract.findings import REPORT_COLUMNS
from qianfen_xl.contract.standards import Standards
from qianfen_xl.reports.xlsx import (
    HEADER_ROW,
    SCORE_FORMAT,
    Column,
    SheetWriter,
    add_chart,
    write_xlsx,
)
from qianfen_xl.scoring.grades import PENDING
from qianfen_xl.scoring.year import AnnualResult

KIND_ANNUAL = "年度考核汇总"
ADVANCED = "先进科室"


def write_annual_workbook(run: AnnualRun, standards: Standards, unit: str, period: str,
                          path: Path) -> Path:
    return write_xlsx(path, lambda wb: _fill(wb, run, standards, unit, period))


def _fill(wb: Workbook, run: AnnualRun, standards: Standards, unit: str, period: str) -> None:
    subtitle = (f"单位：{unit}    期间：{period}    评分标准：{standards.name} {standards.version}"
                f"（{standards.short_digest}）")
    title = f"{unit} {period}"
    _people_sheet(wb, run.result, standards, title, subtitle)
    _pending_sheet(wb, run.result, title, subtitle)
    _departments_sheet(wb, run.result, title, subtitle)
    _evaluations_sheet(wb, run.result, title, subtitle)
    _report_sheet(wb, run, subtitle)
    _sources_sheet(wb, run, subtitle)
    wb.set_properties({"title": f"{title} {KIND_ANNUAL}", "author": "qianfen-xl",
                       "created": FIXED_TIME})


def _people_sheet(wb: Workbook, r: AnnualResult, standards: Standards, title: str,
                  subtitle: str) -> None:
    months = list(r.months)
    people = SheetWriter(wb, "个人年度", f"{title} 个人年度考核", subtitle, [
        Column("编号", 9), Column("姓名", 10), Column("科室", 16),
        *[Column(m, 9, SCORE_FORMAT) for m in months],
        Column("平时", 9, SCORE_FORMAT), Column("测评（百分）", 10, SCORE_FORMAT),
        Column("测评分", 9, SCORE_FORMAT), Column("考评分", 9, SCORE_FORMAT),
        Column("调整", 7, SCORE_FORMAT), Column("总分", 9, SCORE_FORMAT), Column("等次", 8),
        Column("说明", 40, wrap=True)])
    for p in sorted(r.people, key=lambda p: (-p.year.total, p.id)):
        missing = [m for m, v in zip(months, p.monthly, strict=True) if v is None]
        notes = [p.grade.reason] if p.grade.reason else []
        if p.vetoes and not p.grade.reason:
            notes.append(f"一票否决：{'、'.join(p.vetoes)}（不能评为优秀）")
        if missing:
            notes.append("缺少月度得分（不计入平均）：" + "、".join(missing))
        people.add([p.id, p.name, p.department, *p.monthly, p.year.regular, p.evaluation,
                    p.year.evaluation, p.year.assessment, p.year.adjustments, p.year.total,
                    p.grade.grade, "；".join(notes)])
    grades = Counter(p.grade.grade for p in r.people)
    order = [*(g.name for g in standards.grades), PENDING]
    anchor = people.row + 2
    people.ws.write_string(anchor, 0, "等次")
    people.ws.write_string(anchor, 1, "人数")
    for k, g in enumerate(order, start=1):
        people.ws.write_string(anchor + k, 0, g)
        people.ws.write_number(anchor + k, 1, grades.get(g, 0))
    chart = add_chart(wb, "column")
    chart.add_series({"name": "人数", "categories": ["个人年度", anchor + 1, 0, anchor + len(order), 0],
                      "values": ["个人年度", anchor + 1, 1, anchor + len(order), 1]})
    chart.set_title({"name": "等次分布"})
    chart.set_legend({"none": True})
    people.ws.insert_chart(anchor, 3, chart)


def _pending_sheet(wb: Workbook, r: AnnualResult, title: str, subtitle: str) -> None:
    pending = [p for p in r.people if p.grade.grade == PENDING]
    if pending:
        ties = SheetWriter(wb, "待定名单", f"{title} 优秀名额边界同分人员（请考核小组决定）",
                           subtitle, [Column("编号", 9), Column("姓名", 10), Column("科室", 16),
                                      Column("总分", 9, SCORE_FORMAT), Column("说明", 60, wrap=True)])
        for p in sorted(pending, key=lambda p: p.id):
            ties.add([p.id, p.name, p.department, p.year.total, p.grade.reason])


def _departments_sheet(wb: Workbook, r: AnnualResult, title: str, subtitle: str) -> None:
    months = list(r.months)
    depts = SheetWriter(wb, "科室年度", f"{title} 科室年度考核", subtitle, [
        Column("名次", 6), Column("科室", 16), Column("口", 8),
        *[Column(m, 9, SCORE_FORMAT) for m in months],
        Column("考评", 9, SCORE_FORMAT), Column("年度得分", 10, SCORE_FORMAT),
        Column(ADVANCED, 9), Column("说明", 40, wrap=True)])
    first = depts.row
    for d in r.departments:
        place = d.rank if d.rank is not None else ("不完整" if d.missing else "")
        depts.add([place, d.department, d.line or "—", *d.monthly, d.assessment, d.total,
                   ADVANCED if d.advanced else "", d.advanced_note])
    if r.departments and len(months) > 1:
        trend = add_chart(wb, "line")
        for k in range(len(r.departments)):
            trend.add_series({"name": ["科室年度", first + k, 1],
                              "categories": ["科室年度", HEADER_ROW - 1, 3, HEADER_ROW - 1,
                                             2 + len(months)],
                              "values": ["科室年度", first + k, 3, first + k, 2 + len(months)]})
        trend.set_title({"name": "科室月度得分趋势"})
        trend.set_size({"width": 960, "height": 420})
        depts.ws.insert_chart(depts.row + 2, 1, trend)


def _evaluations_sheet(wb: Workbook, r: AnnualResult, title: str, subtitle: str) -> None:
    summary = SheetWriter(wb, "测评汇总", f"{title} 民主测评汇总（不含测评人信息）",
                          subtitle, [Column("对象", 14), Column("测评（百分）", 11, SCORE_FORMAT),
                                     Column("各测评组", 60, wrap=True),
                                     Column("并入全体的组", 24)])
    for ratee, e in sorted(r.evaluations.items()):
        groups = "；".join(f"{g.group} {g.ballots} 票 {g.mean:.2f}"
                          + ("（去掉最高最低）" if g.trimmed else "") for g in e.groups)
        summary.add([ratee, e.score, groups, "、".join(e.folded)])


def _report_sheet(wb: Workbook, run: AnnualRun, subtitle: str) -> None:
    report = SheetWriter(wb, "校验报告", "校验报告", subtitle,
                         [Column(h, 30 if h == "文件" else 60 if h == "说明" else 9,
                                 wrap=h == "说明") for h in REPORT_COLUMNS])
    for f in run.findings:
        row = f.as_row()
        report.add([row[h] for h in REPORT_COLUMNS])


def _sources_sheet(wb: Workbook, run: AnnualRun, subtitle: str) -> None:
    sources = SheetWriter(wb, "数据来源", "数据来源", subtitle, [
        Column("文件", 34), Column("SHA-256", 66), Column("字节", 10, "#,##0"),
        Column("模板", 18), Column("期间", 10), Column("状态", 12)])
    for src in run.consolidation.sources:
        s = src.submission
        sources.add([s.label, s.sha256, s.size, s.kind, s.period.label if s.period else "",
                     src.status])
    for ef in run.evaluations:
        ok = not any(f.is_error for f in ef.findings)
        sources.add([ef.label, ef.sha256, ef.size, ef.kind,
                     ef.period.label if ef.period else "", "已计入" if ok else "有错误"])
