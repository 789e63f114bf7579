"""``qianfen-xl finalize``: a filled 年度考核情况登记表 read back, its decisions checked as
final (SCORING.md §7), and, when nothing breaks the rules, the year's final results: each
person's decided 等次 with its note, the 公示 of the 优秀 (its first and last working day),
and the flags from earlier years' results (``--history``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qianfen_xl.contract.errors import OutputError, describe_os_error
from qianfen_xl.contract.findings import Finding, has_errors
from qianfen_xl.contract.limits import LimitExceeded, read_json
from qianfen_xl.contract.normalise import to_count, to_text
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.annual_register import (
    CheckedRegister,
    PersonDecision,
    check_annual_register,
    read_annual_register,
)
from qianfen_xl.schemas.columns import KIND_ANNUAL, is_month_header
from qianfen_xl.scoring.history import Flag, Grades, history_flags

RESULTS = "考核结果"  # DIR/考核结果_YEAR.xlsx and .json


@dataclass(frozen=True)
class FinalPerson:
    id: str
    name: str
    department: str
    category: str
    level: str
    post: str          # 职务职级
    pool: str
    total: float
    grade: str         # the decided 等次 (or 不定等次 / 暂缓)
    note: str
    source: PersonDecision   # the register's rows, for the archive page


@dataclass(frozen=True)
class Finalized:
    label: str                      # the register's file
    unit: str
    period: str                     # 2026
    months: tuple[str, ...]         # 考核数据's month columns
    people: tuple[FinalPerson, ...]
    findings: tuple[Finding, ...]
    publicity: tuple[date, date] | None   # 公示: first and last working day
    flags: tuple[Flag, ...]
    readable: bool = True           # False: not a 年度考核情况登记表 that could be read

    @property
    def ok(self) -> bool:
        return bool(self.people) and not has_errors(self.findings)

    @property
    def year(self) -> int:
        return int(self.period[:4])


def _note(standards: Standards, p: PersonDecision, flags: list[Flag]) -> str:
    """What the results say beside a grade: why 不定等次/暂缓, the 复核, HR's flags."""
    marks = standards.grading.marks
    grade = p.grade
    parts = []
    if grade in (marks.ungraded, marks.deferred):
        parts.append(to_text(p.data.get("需要说明的情况")) or to_text(p.data.get("说明")) or "")
    review = to_text(p.decision.get("复核结果"))
    if review:
        parts.append(f"复核结果：{review}")
    parts += [f"{f.flag}：{f.detail}" for f in flags]
    return "；".join(x for x in parts if x)


def _person(standards: Standards, p: PersonDecision, flags: list[Flag]) -> FinalPerson:
    def text(key: str) -> str:
        return to_text(p.data.get(key)) or ""

    return FinalPerson(text("编号"), text("姓名"), text("科室"), text("人员类别"),
                       text("岗位层级"), text("职务职级"), text("考核池"),
                       to_count(p.data.get("总分"))[0] or 0.0, p.grade,
                       _note(standards, p, flags), p)


def read_history(folder: Path, standards: Standards) -> tuple[dict[int, Grades],
                                                            list[Finding]]:
    """Earlier years' results (the JSON ``finalize`` writes): year → 编号 → (人员类别, 等次).
    Each file is read as a submitted file is (``read_json``: a regular file, not through a
    link, within size and depth limits, numbers finite); one that is not such a result, or
    repeats a year, is a finding and not used. A folder that is not there cannot be used."""
    if not folder.is_dir():
        raise OutputError(f"找不到往年考核结果的文件夹 {folder}")
    years: dict[int, Grades] = {}
    source: dict[int, str] = {}
    findings = []
    for path in sorted(folder.glob("*.json")):
        try:
            year, grades = _results_of(read_json(path, path.name), standards)
            if year in years:
                raise ValueError(f"与 {source[year]} 是同一年度（{year}）")
        except LimitExceeded as exc:
            why = exc.finding.rule.title + (f"：{exc.finding.detail}" if exc.finding.detail
                                            else "")
        except OSError as exc:
            why = describe_os_error(exc, with_path=False)
        except ValueError as exc:
            why = str(exc)
        else:
            years[year], source[year] = grades, path.name
            continue
        findings.append(Finding("history-unreadable", path.name, detail=why))
    return years, findings


def _results_of(data: object, standards: Standards) -> tuple[int, Grades]:
    """(year, 编号 → (人员类别, 等次)) of a results JSON, or ValueError saying what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("不是考核结果（应为 qianfen-xl finalize 写出的 JSON）")
    year, people = data.get("year"), data.get("people")
    window = standards.dates
    if type(year) is not int or not window.holds_year(year):
        raise ValueError(f"year 应为 {window.words}之间的年份（现为 {str(year)[:20]}）")
    if not isinstance(people, list):
        raise ValueError("缺少人员列表（people）")
    grades: dict[str, tuple[str, str]] = {}
    for k, person in enumerate(people, start=1):
        fields = person if isinstance(person, dict) else {}
        pid, grade, category = (fields.get(key, "") for key in ("id", "grade", "category"))
        if not (isinstance(pid, str) and pid and isinstance(grade, str) and grade
                and isinstance(category, str)):
            raise ValueError(f"people 第 {k} 项应有编号（id）和等次（grade）")
        grades[pid] = (category, grade)
    return year, grades


def default_publicity_start(standards: Standards, period: str) -> date:
    """Without ``--notice-start``: the first working day of the year after the period's."""
    return standards.calendar.next_workday(date(int(period[:4]) + 1, 1, 1))


def run_finalize(register: Path, standards: Standards, *, history: Path | None = None,
                 publicity_start: date | None = None) -> Finalized:
    """Read and check the register as final; the results when it is clean."""
    checked: CheckedRegister = check_annual_register(read_annual_register(register),
                                                     standards, final=True)
    reg = checked.file
    findings = list(checked.findings)
    months = tuple(h for h in (reg.data.columns if reg.data else ()) if is_month_header(h))
    readable = reg.kind == KIND_ANNUAL and reg.decisions is not None and reg.data is not None
    if not checked.ok or not reg.period:
        return Finalized(reg.label, reg.unit, reg.period, months, (), tuple(findings), None, (),
                         readable)
    earlier: Mapping[int, Grades] = {}
    if history is not None:
        earlier, problems = read_history(history, standards)
        findings += problems
    year = int(reg.period[:4])
    current = {to_text(p.data.get("编号")) or "": (to_text(p.data.get("人员类别")) or "", p.grade)
               for p in checked.people}
    flags = history_flags(standards, year, current, earlier) if earlier else []
    people = tuple(_person(standards, p, [f for f in flags if f.id == pid])
                   for p, pid in zip(checked.people, current, strict=True))
    first, last = standards.calendar.publicity(
        publicity_start or default_publicity_start(standards, reg.period))
    unlisted = standards.calendar.unlisted_years(first, last)
    if unlisted:
        findings.append(Finding("calendar-year-unlisted", reg.label,
                                detail=f"{'、'.join(map(str, unlisted))} 年；"
                                       f"公示 {first} 至 {last}"))
    return Finalized(reg.label, reg.unit, reg.period, months, people, tuple(findings),
                     (first, last), tuple(flags))
