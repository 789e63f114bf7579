"""What ``finalize`` writes when the decisions keep the rules: ``考核结果_YEAR.xlsx`` (考核结果
通报 by grade, 公示名单 of the 优秀 with the 公示's first and last working day, the 年度考核
花名册 with the counts per grade and pool for 备案 with the level above, and the history
flags), ``考核结果_YEAR.json`` (the same for scripts, keys in English) and, in ``入档/``, each
person's final 年度考核登记表 for the personnel file."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from xlsxwriter.workbook import Workbook

from qianfen_xl.batch.finalize import RESULTS, Finalized, FinalPerson
from qianfen_xl.contract.atomic import FIXED_TIME, staged_outputs, write_atomic
from qianfen_xl.contract.normalise import file_part
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.annual_pages import PageHead, write_archive_page
from qianfen_xl.reports.annual import grade_order
from qianfen_xl.reports.xlsx import SCORE_FORMAT, Column, SheetWriter, scheme_label, write_xlsx

ARCHIVE = "入档"
OUTSIDE_POOLS = "考核池外（上级审定）"


def results_dict(done: Finalized, standards: Standards) -> dict[str, object]:
    """The results as JSON: keys in English, as the ranking JSON has them."""
    first, last = done.publicity or (None, None)
    return {
        "year": done.year, "period": done.period, "unit": done.unit,
        "standards": standards.short_digest,
        "publicity": {"start": first.isoformat() if first else None,
                      "end": last.isoformat() if last else None,
                      "working_days": standards.calendar.publicity_days,
                      "calendar": standards.calendar.digest},
        "people": [{"id": p.id, "name": p.name, "department": p.department,
                    "category": p.category, "total": p.total, "grade": p.grade,
                    "note": p.note} for p in done.people],
        "counts": [{"pool": pool, "grade": grade, "people": n}
                   for (pool, grade), n in sorted(_counts(done).items())],
        "flags": [{"id": f.id, "flag": f.flag, "detail": f.detail} for f in done.flags],
    }


def _counts(done: Finalized) -> Counter[tuple[str, str]]:
    return Counter((p.pool, p.grade) for p in done.people)


def write_results(done: Finalized, standards: Standards, out: Path) -> list[Path]:
    """The workbook, the JSON and the archive pages, as one set (``staged_outputs``: all
    of them or none); returns what was written. Their names come from the register's
    period, checked to be a year or half-year, and from 编号 and 姓名 made safe: nothing is
    written outside ``out``."""
    stem = f"{RESULTS}_{done.period}"
    data = json.dumps(results_dict(done, standards), ensure_ascii=False, indent=2)
    head = PageHead(done.unit, done.period, done.months)
    written = [out / f"{stem}.xlsx", out / f"{stem}.json"]
    written += [out / ARCHIVE / name for name in archive_names(done)]
    with staged_outputs() as stage:
        write_xlsx(stage.path(written[0]), lambda wb: _fill(wb, done, standards))
        write_atomic(stage.path(written[1]),
                     lambda tmp: tmp.write_text(data + "\n", encoding="utf-8"))
        for p, path in zip(done.people, written[2:], strict=True):
            write_archive_page(stage.path(path), head, p.source.decision, p.source.data)
    return written


def archive_names(done: Finalized) -> list[str]:
    """Each person's archive page's file name: ``编号_姓名_年度考核登记表_2026.xlsx``, its
    parts made safe (``file_part``: no separator, no leading dot, bounded), and unique (a
    second that comes out the same is numbered)."""
    names: list[str] = []
    taken: set[str] = set()
    for p in done.people:
        base = f"{file_part(p.id, 30)}_{file_part(p.name, 30)}_年度考核登记表_{done.period}"
        name, k = f"{base}.xlsx", 1
        while name.casefold() in taken:
            k += 1
            name = f"{base}_{k}.xlsx"
        taken.add(name.casefold())
        names.append(name)
    return names


def _fill(wb: Workbook, done: Finalized, standards: Standards) -> None:
    title = f"{done.unit} {done.period} 年度"
    subtitle = f"单位：{done.unit}    年度：{done.period}    {scheme_label(standards)}"
    _announcement(wb, done, standards, title, subtitle)
    _publicity(wb, done, standards, title)
    _roster(wb, done, title, subtitle)
    _tally(wb, done, standards, title, subtitle)
    if done.flags:
        _flags(wb, done, title, subtitle)
    wb.set_properties({"title": f"{title}考核结果", "author": "qianfen-xl", "created": FIXED_TIME})


def _by_grade(done: Finalized, standards: Standards) -> list[tuple[str, list[FinalPerson]]]:
    order = grade_order(standards)
    grades = sorted({p.grade for p in done.people},
                    key=lambda g: order.index(g) if g in order else len(order))
    return [(g, [p for p in done.people if p.grade == g]) for g in grades]


def _announcement(wb: Workbook, done: Finalized, standards: Standards, title: str,
                  subtitle: str) -> None:
    """考核结果通报: every grade with its people, the 班子成员 (上级审定) apart."""
    sheet = SheetWriter(wb, "考核结果通报", f"{title}考核结果通报", subtitle,
                        [Column("等次", 12), Column("人数", 7), Column("人员（科室）", 90, wrap=True)],
                        landscape=False)
    for grade, people in _by_grade(done, standards):
        inside = [p for p in people if p.pool]
        outside = [p for p in people if not p.pool]
        if inside:
            sheet.add([grade, len(inside), _names(inside)])
        if outside:
            sheet.add([f"{grade}（上级审定）", len(outside), _names(outside)])


def _names(people: Sequence[FinalPerson]) -> str:
    return "、".join(f"{p.name}（{p.department}）" for p in people)


def _publicity(wb: Workbook, done: Finalized, standards: Standards, title: str) -> None:
    """公示名单: the 优秀 of the pools, and the 公示's first and last working day."""
    first, last = done.publicity or (None, None)
    when = (f"公示时间：{first:%Y年%m月%d日} 至 {last:%Y年%m月%d日}"
            f"（{standards.calendar.publicity_days} 个工作日）" if first and last else "")
    # the 公示's dates and the objection line, each a line across the table
    sheet = SheetWriter(wb, "公示名单", f"{title}考核{standards.grading.excellent}等次人员公示名单",
                        "\n".join(x for x in (when, "公示期间如有异议，请向组织人事部门反映。") if x),
                        [Column("序号", 6), Column("编号", 10), Column("姓名", 10),
                         Column("科室", 18), Column("人员类别", 11), Column("职务职级", 20)],
                        landscape=False)
    # The 班子成员's grades are the level above's to publish.
    best = [p for p in done.people if p.grade == standards.grading.excellent and p.pool]
    for k, p in enumerate(best, start=1):
        sheet.add([k, p.id, p.name, p.department, p.category, p.post])


def _roster(wb: Workbook, done: Finalized, title: str, subtitle: str) -> None:
    """年度考核花名册, for 备案 with the level above."""
    sheet = SheetWriter(wb, "年度考核花名册", f"{title}考核花名册", subtitle, [
        Column("编号", 10), Column("姓名", 10), Column("科室", 18), Column("人员类别", 11),
        Column("职务职级", 18), Column("总分", 9, SCORE_FORMAT), Column("等次", 10),
        Column("说明", 60, wrap=True)])
    for p in done.people:
        sheet.add([p.id, p.name, p.department, p.category, p.post, p.total, p.grade, p.note])


def _tally(wb: Workbook, done: Finalized, standards: Standards, title: str,
           subtitle: str) -> None:
    """Counts per grade and pool, and each pool's 优秀 share against its places."""
    pools = [*standards.grading.pools, ""]
    counts = _counts(done)
    grades = [g for g, _ in _by_grade(done, standards)]
    sheet = SheetWriter(wb, "等次统计", f"{title}考核等次统计", subtitle,
                        [Column("考核池", 22), Column("人数", 7),
                         *[Column(g, 9) for g in grades], Column("优秀比例", 9, "0.0%")])
    excellent = standards.grading.excellent
    for pool in pools:
        people = sum(n for (p, _), n in counts.items() if p == pool)
        if not people:
            continue
        share = counts.get((pool, excellent), 0) / people
        sheet.add([pool or OUTSIDE_POOLS, people, *[counts.get((pool, g), 0) for g in grades],
                   share])
    sheet.add(["合计", len(done.people),
               *[sum(n for (_, g2), n in counts.items() if g2 == g) for g in grades], None])


def _flags(wb: Workbook, done: Finalized, title: str, subtitle: str) -> None:
    names = {p.id: (p.name, p.department) for p in done.people}
    sheet = SheetWriter(wb, "历史提示", f"{title}考核历史提示", subtitle, [
        Column("编号", 10), Column("姓名", 10), Column("科室", 18), Column("提示", 16),
        Column("说明", 60, wrap=True)])
    for f in done.flags:
        name, department = names.get(f.id, ("", ""))
        sheet.add([f.id, name, department, f.flag, f.detail])
