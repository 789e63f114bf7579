"""What the command prints: tables padded for a terminal (a CJK character is two columns
wide), a register's findings and scores, the ranking, the quarter's grades, the summary,
and command lines a user can copy as they stand."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from qianfen_xl import api
from qianfen_xl.batch.consolidation import OUTSIDE, RETURNED, SKIPPED, USED, Consolidation
from qianfen_xl.contract.standards import Standards
from qianfen_xl.reports.ranking import ranking_order
from qianfen_xl.scoring.engine import DepartmentScore


def echo(*lines: str) -> None:
    for line in lines:
        print(line)


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width, counting CJK characters as two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - cols)
    return fill + text if right else text + fill


def format_scores(standards: Standards, score: DepartmentScore) -> list[str]:
    """The 得分 sheet as a text table."""
    codes = [n.code for n in standards.individual_norms]
    widths = [8] * len(codes) + [8, 10]
    head = ["  " + pad("编号", 8) + pad("姓名", 8)
            + "".join(pad(h, w, True) for h, w in zip([*codes, "加分", "个人得分"], widths,
                                                      strict=True))]
    lines = head
    for p in score.people:
        values = [*(p.norms[c] for c in codes), p.additions, p.total]
        lines.append("  " + pad(p.id, 8) + pad(p.name, 8)
                     + "".join(pad(f"{v:.2f}", w, True) for v, w in zip(values, widths,
                                                                        strict=True)))
    dept = "  ".join(f"{code} {value:.2f}" for code, value in score.norms.items())
    lines.append(f"  成员平均 {score.member_mean:.2f}  {dept}  科室加分 {score.additions:.2f}"
                 f"  科室得分 {score.total:.2f}")
    return lines


def format_report(standards: Standards, path: Path, report: api.Report) -> list[str]:
    """One file's findings and scores, as ``validate`` prints them."""
    if not report.readable:
        return [f"{path.name}: 无法作为登记表读取", *(f"  {f}" for f in report.findings)]
    title = "  ".join(x for x in (report.kind, report.department, report.period) if x)
    lines = [f"{path.name}  ·  {title}", *(f"  {f}" for f in report.findings)]
    if report.people is not None:  # a 年度考核情况登记表
        state = (f"校验通过（错误 0，警告 {report.warnings}）" if not report.errors else
                 f"共 {report.errors} 个错误、{report.warnings} 个警告，请改正")
        lines.append(f"  {state}。{report.people} 人，已填确定等次 {report.decided} 人。")
    elif report.score is not None:
        lines.append(f"  校验通过（错误 0，警告 {report.warnings}）。得分：")
        lines += format_scores(standards, report.score)
    else:
        lines.append(f"  共 {report.errors} 个错误、{report.warnings} 个警告：退回修改，未计分。")
    return lines


def format_ranking(result: Consolidation) -> list[str]:
    """排名 as a text table, one block per requested month."""
    lines = []
    for month in result.requested:
        lines.append(f"{result.unit} 千分制考核排名 {month.period.label}")
        lines.append("  " + pad("名次", 8) + pad("科室", 18) + pad("口", 8)
                     + pad("得分", 10, True) + "  状态")
        for r in ranking_order(month.departments):
            place = str(r.rank) if r.rank is not None else ("—" if not r.ranked else "")
            score = f"{r.score.total:.2f}" if r.score else ""
            lines.append("  " + pad(place, 8) + pad(r.department, 18) + pad(r.line or "—", 8)
                         + pad(score, 10, True) + f"  {r.status}")
    return lines


def format_quarter(standards: Standards, result: Consolidation) -> list[str]:
    """The quarter's 平时考核: per department how many of each grade, then who is 待定 or
    较差, and why."""
    if not result.quarter:
        return []
    rules = standards.quarter
    grades = [*rules["grades"], rules["pending"]]
    lines = [f"{result.unit} {result.period.label} 平时考核（季度）",
             "  " + pad("科室", 18) + "".join(pad(g, 6, True) for g in grades)]
    counts = Counter((g.department, g.grade) for g in result.quarter)
    for department in dict.fromkeys(g.department for g in result.quarter):
        lines.append("  " + pad(department, 18) + "".join(
            pad(str(counts.get((department, g), 0)), 6, True) for g in grades))
    for g in result.quarter:
        if g.grade in (rules["pending"], rules["grades"][3]):
            lines.append(f"  {g.grade}：{g.id} {g.name}（{g.department}）{g.note}")
    return lines


def format_summary(result: Consolidation) -> list[str]:
    """The counts under the ranking, from the same statuses 排名 and 数据来源 show."""
    counts = result.department_counts()
    whose = "科室" if len(result.requested) == 1 else "科室（各月合计）"
    departments = "，".join(f"{status} {n} 个" for status, n in counts.items() if n)
    errors = sum(f.is_error for f in result.findings)
    files = result.file_counts()
    skipped = f"，跳过的文件 {files[SKIPPED]} 个" if files.get(SKIPPED) else ""
    return [f"{whose}：{departments or '无'}。", *format_outside(result),
            f"校验：错误 {errors} 个，警告 {len(result.findings) - errors} 个；"
            f"退回修改的文件 {files.get(RETURNED, 0)} 个{skipped}"
            f"（详见排名表的“校验报告”和“数据来源”）。"]


def format_outside(result: Consolidation) -> list[str]:
    """How many registers lie outside the period, and the periods the folder holds (by
    kind, first to last): a run on the wrong folder, or for the wrong period, says so."""
    outside = sum(s.status == OUTSIDE for s in result.sources)
    if not outside:
        return []
    spans: dict[str, list[str]] = {}
    for s in result.sources:
        sub = s.submission
        if sub.kind and sub.period is not None:
            spans.setdefault(sub.kind, []).append(sub.period.label)
    held = "；".join(f"{kind} {min(labels)}" + (f" 至 {max(labels)}" if len(set(labels)) > 1
                                               else "")
                    for kind, labels in sorted(spans.items()))
    period = result.period
    line = (f"另有 {outside} 个登记表不在 {period.label}（{period.start:%Y-%m-%d} 至 "
            f"{period.end:%Y-%m-%d}）内，未计入；文件夹中的登记表：{held}。")
    if not any(s.status == USED for s in result.sources):
        line += "请确认文件夹和 --period 是否有误。"
    return [line]


def command_line(*args: object) -> str:
    """A qianfen-xl command line the user can copy as it stands: ``qianfen-xl`` when that is
    on the PATH (an activated venv), else the path of the script now running (such as
    .venv/bin/qianfen-xl), else ``python -m qianfen_xl``; arguments quoted only as needed."""
    script = Path(sys.argv[0])
    found = shutil.which("qianfen-xl")
    if script.name == "qianfen-xl" and found and Path(found).resolve() == script.resolve():
        words = ["qianfen-xl"]
    elif script.name == "qianfen-xl":
        words = [_relative(script)]
    else:
        words = [_relative(Path(sys.executable)), "-m", "qianfen_xl"]
    words += [str(a) for a in args]
    return " ".join(w if _SAFE.fullmatch(w) else shlex.quote(w) for w in words)


_SAFE = re.compile(r"[^\s'\"$`\\&|;<>()*?\[\]{}~!#]+")  # words a shell takes as they are


def _relative(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (.venv/bin/qianfen-xl)."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
