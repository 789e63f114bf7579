"""Consolidation (SCORING.md §4): which registers make each department's month, its score
and status, the ranks, and what became of every file. Pure: submissions in, results out.

A monthly register supersedes the weeklies of its department and month; otherwise the
weeklies are pooled, and an incident counts in the month of its date. A register with a
错误 is 退回修改 and keeps its department's month unscored; a department with no file is
未报送; two different registers for one department and period are a conflict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.periods import Period, parse_period, week_of
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.register import Submission
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY
from qianfen_xl.scoring.engine import (
    DepartmentScore,
    Incident,
    Person,
    competition_ranks,
    incidents_between,
    score_department,
)

# A department's month.
SCORED, RETURNED, MISSING = "已计分", "退回修改", "未报送"
# What became of a file (数据来源 · 状态).
USED, SUPERSEDED, OUTSIDE, DUPLICATE, UNREADABLE, UNUSED = (
    "已计分", "已由月表替代", "不在本期", "重复文件", "无法读取", "未计分")


@dataclass(frozen=True)
class DepartmentMonth:
    month: Period
    department: str
    line: str
    status: str
    score: DepartmentScore | None = None
    rank: int | None = None          # among the street's 科室, both 口 together
    line_rank: int | None = None     # within its 口
    ranked: bool = True              # False for the leadership unit (shown apart)
    files: tuple[str, ...] = ()      # the registers it was made from
    members: tuple[Person, ...] = ()
    incidents: tuple[Incident, ...] = ()
    from_weeklies: bool = False


@dataclass(frozen=True)
class MonthResult:
    period: Period
    requested: bool                  # False: an earlier month shown only in 月度趋势
    departments: tuple[DepartmentMonth, ...]

    def scored(self) -> list[DepartmentMonth]:
        return [d for d in self.departments if d.status == SCORED]


@dataclass(frozen=True)
class Source:
    """One file found: what it is and what became of it (数据来源)."""

    submission: Submission
    status: str
    note: str = ""


@dataclass(frozen=True)
class Consolidation:
    unit: str
    period: Period
    months: tuple[MonthResult, ...]
    sources: tuple[Source, ...]
    findings: tuple[Finding, ...]
    standards_digest: str = ""

    @property
    def requested(self) -> tuple[MonthResult, ...]:
        return tuple(m for m in self.months if m.requested)

    @property
    def exit_code(self) -> int:
        """0 every department scored; 1 some not scored; 2 nothing could be consolidated."""
        rows = [d for m in self.requested for d in m.departments]
        if not any(d.status == SCORED for d in rows):
            return 2
        return 0 if all(d.status == SCORED for d in rows) else 1


def consolidation_period(label: str) -> Period:
    period = parse_period(label)
    if period.kind == "week":
        raise PeriodError(f"汇总期间 “{label}” 应为月（2026-11）、半年（2026-H1）或年（2026）")
    return period


def workweeks(month: Period) -> list[str]:
    """The ISO weeks with a workday (Mon–Fri) in the month: the weeklies it expects."""
    day, out = month.start, []
    while day <= month.end:
        if day.weekday() < 5 and week_of(day) not in out:
            out.append(week_of(day))
        day += timedelta(days=1)
    return out


@dataclass
class _Ledger:
    """What became of each file, and the batch's own findings, as months are assembled."""

    status: dict[str, str] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def mark(self, sub: Submission, status: str, note: str = "") -> None:
        # 已计分 wins over everything; 退回修改 over the quieter statuses.
        order = [USED, RETURNED, UNUSED, SUPERSEDED, OUTSIDE]
        old = self.status.get(sub.label)
        if old is None or order.index(status) < order.index(old):
            self.status[sub.label] = status
            self.note[sub.label] = note


def consolidate(standards: Standards, submissions: Iterable[Submission], period: Period,
                roster: Sequence[Person] = ()) -> Consolidation:
    subs = sorted(submissions, key=lambda s: s.label)
    ledger = _Ledger()
    unique = _drop_duplicates(subs, ledger)
    attributable = [s for s in unique if _attributable(s)]
    for s in unique:
        if not s.readable:
            ledger.status[s.label] = UNREADABLE
        elif not _attributable(s):
            ledger.mark(s, RETURNED if not s.ok else UNUSED)

    lines = _department_lines(standards, roster, attributable)
    street = {p.department for p in roster}
    if roster:
        for s in attributable:
            if s.department not in street:
                ledger.findings.append(Finding("department-unknown", s.label, detail=f"“{s.department}”"))

    months = _months(period, attributable)
    by_department: dict[str, list[Submission]] = defaultdict(list)
    for s in attributable:
        by_department[s.department].append(s)
    results = []
    for month, requested in months:
        rows = [_department_month(standards, month, d, line, by_department[d], roster, ledger)
                for d, line in lines.items()]
        results.append(MonthResult(month, requested, tuple(_rank(rows))))

    considered = {m.label for m, _ in months}
    for s in attributable:
        if s.label not in ledger.status and not any(m.label in considered
                                                    for m in _period(s).months()):
            ledger.mark(s, OUTSIDE)
            ledger.findings.append(Finding("period-outside", s.label,
                                           detail=f"表内期间 {_period(s).label}，本次汇总 {period.label}"))
    sources = tuple(Source(s, ledger.status.get(s.label, OUTSIDE), ledger.note.get(s.label, ""))
                    for s in subs)
    findings = tuple(dict.fromkeys(
        [f for s in subs if ledger.status.get(s.label) != DUPLICATE for f in s.findings]
        + ledger.findings))
    units = Counter(s.unit for s in attributable if s.unit)
    unit = units.most_common(1)[0][0] if units else standards.unit
    return Consolidation(unit, period, tuple(results), sources, findings,
                         standards.short_digest)


def _period(s: Submission) -> Period:
    """The period of an attributable submission (the only ones months are made of)."""
    if s.period is None:
        raise ValueError(f"{s.label}: no period")
    return s.period


def _attributable(s: Submission) -> bool:
    """Known to be some department's register for some period (even if it has 错误)."""
    return bool(s.kind and s.department and s.period is not None)


def _drop_duplicates(subs: list[Submission], ledger: _Ledger) -> list[Submission]:
    first: dict[str, Submission] = {}
    unique = []
    for s in subs:
        if s.sha256 and s.sha256 in first:
            original = first[s.sha256].label
            ledger.status[s.label] = DUPLICATE
            ledger.note[s.label] = f"与 {original} 相同"
            ledger.findings.append(Finding("file-duplicate", s.label, detail=f"与 {original} 相同"))
            continue
        if s.sha256:
            first[s.sha256] = s
        unique.append(s)
    return unique


def _department_lines(standards: Standards, roster: Sequence[Person],
                      subs: Sequence[Submission]) -> dict[str, str]:
    """Every department to show, in roster order then by name, with its 口."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for p in roster:
        votes[p.department][p.line] += 1
    from_files: dict[str, Counter[str]] = defaultdict(Counter)
    for s in subs:
        for p in s.roster:
            from_files[s.department][p.line] += 1
        from_files[s.department][""] += 0
    for d in sorted(from_files):
        if d not in votes:
            votes[d] = from_files[d]
    out = {}
    for d, counter in votes.items():
        lines = [(n, line) for line, n in counter.items() if line]
        out[d] = "" if d == standards.leadership_unit or not lines else max(lines)[1]
    return out


def _months(period: Period, subs: Sequence[Submission]) -> list[tuple[Period, bool]]:
    """The requested months, and earlier months of the same year that have a monthly
    register in the inbox (shown in 月度趋势 only)."""
    requested = period.months()
    earlier = {_period(s) for s in subs if s.kind == KIND_MONTHLY
               and _period(s).start.year == period.end.year and _period(s).end < period.start}
    return [(m, False) for m in sorted(earlier)] + [(m, True) for m in requested]


def _department_month(standards: Standards, month: Period, department: str, line: str,
                      mine: Sequence[Submission], roster: Sequence[Person],
                      ledger: _Ledger) -> DepartmentMonth:
    """One department's month, from that department's submissions."""
    monthly = [s for s in mine if s.kind == KIND_MONTHLY and s.period == month]
    weekly = [s for s in mine if s.kind == KIND_WEEKLY
              and _period(s).start <= month.end and _period(s).end >= month.start]
    ranked = department != standards.leadership_unit
    base = DepartmentMonth(month, department, line, MISSING, ranked=ranked)

    def returned(files: Sequence[Submission]) -> DepartmentMonth:
        for s in files:
            if s.ok:
                ledger.mark(s, UNUSED, "同科室同期另有登记表需退回修改")
            else:
                ledger.mark(s, RETURNED)
        return DepartmentMonth(month, department, line, RETURNED, ranked=ranked,
                               files=tuple(s.label for s in files))

    if monthly:
        for s in weekly:
            ledger.mark(s, SUPERSEDED if s.ok else RETURNED,
                        f"以 {monthly[0].label} 为准" if s.ok else "")
        if _conflicts(monthly, ledger) or not monthly[0].ok:
            return returned(monthly)
        chosen = monthly
    elif weekly:
        by_week: dict[str, list[Submission]] = defaultdict(list)
        for s in weekly:
            by_week[_period(s).label].append(s)
        conflict = any([_conflicts(group, ledger) for group in by_week.values()])
        if conflict or not all(s.ok for s in weekly):
            return returned(weekly)
        missing = [w for w in workweeks(month) if w not in by_week]
        if missing:
            ledger.findings.append(Finding("week-missing", f"{department}（{month.label}）",
                                           detail="、".join(missing)))
        chosen = sorted(weekly, key=lambda s: _period(s).start)
    else:
        return base

    members = _members(department, roster, chosen)
    incidents = tuple(i for s in chosen
                      for i in incidents_between(s.incidents, month.start, month.end))
    score = score_department(standards, department, members, incidents)
    for s in chosen:
        ledger.mark(s, USED)
    return DepartmentMonth(month, department, line, SCORED, score, ranked=ranked,
                           files=tuple(s.label for s in chosen), members=tuple(members),
                           incidents=incidents,
                           from_weeklies=not monthly)


def _conflicts(group: Sequence[Submission], ledger: _Ledger) -> bool:
    """Two different registers for one department and period: a 错误 naming both."""
    if len(group) < 2:
        return False
    for s in group:
        others = "、".join(o.label for o in group if o is not s)
        ledger.findings.append(Finding("register-conflict", s.label,
                                       detail=f"{s.department} {_period(s).label}：另见 {others}"))
    return True


def _members(department: str, roster: Sequence[Person],
             registers: Sequence[Submission]) -> list[Person]:
    """The street roster's members of the department, then anyone the registers list besides
    (the latest register's row wins for name and attributes)."""
    people: dict[str, Person] = {p.id: p for p in roster if p.department == department}
    for s in registers:
        for p in s.roster:
            if p.id in people and roster:
                continue
            people[p.id] = p
    return list(people.values())


def _rank(rows: list[DepartmentMonth]) -> list[DepartmentMonth]:
    scored = {r.department: r.score.total for r in rows
              if r.status == SCORED and r.ranked and r.score is not None}
    ranks = competition_ranks(scored)
    line_ranks: dict[str, int] = {}
    for line in {r.line for r in rows}:
        line_ranks |= competition_ranks({r.department: scored[r.department] for r in rows
                                         if r.line == line and r.department in scored})
    return [replace(r, rank=ranks.get(r.department), line_rank=line_ranks.get(r.department))
            for r in rows]
