"""Consolidation (SCORING.md §4): which registers make each department's month, its score
and status, the ranks, and what became of every file. Pure: submissions in, results out.

A monthly register supersedes the weeklies of its department and month; otherwise the
weeklies are pooled, and an incident counts in the month of its date. Nothing is ranked
that cannot be trusted:
- a register with a 错误 is 退回修改 and keeps its department's month unscored; so is a
  register the batch finds wrong (``identity``: a 科室 not on the roster, a person in two
  departments' registers, two different registers for one department and period);
- a month built from weeklies needs every ISO week with a working day in it, by the
  standards' working-day calendar (a week all holidays is owed none; one whose only working
  day is a 调休 weekend day is owed): one missing makes the month 不完整 (the weeks named),
  shown and not ranked, unless the standards' ``completeness`` is "warn". A month in a year
  whose 调休 arrangement the calendar does not list is checked on the days it has, with a
  警告 (``calendar-year-unlisted``);
- a department with no file is 未报送.

A week (``2026-W47``) ranks each department's weekly register of that ISO week as the
register scores itself (its own rows and people: what ``validate`` prints for the file):
已计分, 退回修改 (its 错误, or the batch's: conflicts, identity) or 未报送 — a week is one
register, never 不完整. Its result has the shape of a month's (one "month", the week).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from qianfen_xl.batch import identity
from qianfen_xl.contract.findings import Finding, in_clerk_order
from qianfen_xl.contract.periods import Period, parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.register import Submission
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY, SHEET_ORDER
from qianfen_xl.scoring.engine import (
    DepartmentScore,
    Incident,
    Person,
    competition_ranks,
    incidents_between,
    score_department,
)
from qianfen_xl.scoring.quarter import PersonQuarter, QuarterGrade, quarter_grades
from qianfen_xl.scoring.year import gather_months

# A department's month.
SCORED, RETURNED, INCOMPLETE, MISSING = "已计分", "退回修改", "不完整", "未报送"
STATUSES = (SCORED, RETURNED, INCOMPLETE, MISSING)
# What became of a file (数据来源 · 状态).
USED, SUPERSEDED, OUTSIDE, DUPLICATE, UNREADABLE, UNUSED, SKIPPED = (
    "已计分", "已由月表替代", "不在本期", "重复文件", "无法读取", "未计分", "已跳过")


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
    missing: tuple[str, ...] = ()    # the weeks a 不完整 month lacks

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
    calendar_digest: str = ""        # the working-day calendar (not in the standards' hash)
    quarter: tuple[QuarterGrade, ...] = ()  # 平时考核, when the period is a quarter

    @property
    def requested(self) -> tuple[MonthResult, ...]:
        return tuple(m for m in self.months if m.requested)

    def department_counts(self) -> dict[str, int]:
        """How many departments' months of the requested period have each status, as 排名
        shows them (the leadership unit counts too)."""
        rows = [d for m in self.requested for d in m.departments]
        return {status: sum(d.status == status for d in rows) for status in STATUSES}

    def file_counts(self) -> dict[str, int]:
        """How many files have each status, as 数据来源 shows them."""
        return Counter(s.status for s in self.sources)

    @property
    def exit_code(self) -> int:
        """0 every department scored; 1 some not scored; 2 nothing could be consolidated."""
        rows = [d for m in self.requested for d in m.departments]
        if not any(d.status == SCORED for d in rows):
            return 2
        return 0 if all(d.status == SCORED for d in rows) else 1


def consolidation_period(label: str) -> Period:
    """A period ``consolidate`` takes: a week, month, quarter, half-year or year."""
    return parse_period(label)


@dataclass
class _Ledger:
    """What became of each file, and the batch's own findings, as months are assembled."""

    status: dict[str, str] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    owed: dict[Period, tuple[str, ...]] = field(default_factory=dict)  # month → weeks checked

    def mark(self, sub: Submission, status: str, note: str = "") -> None:
        # 已计分 wins over everything; 退回修改 over the quieter statuses.
        order = [USED, RETURNED, UNUSED, SUPERSEDED, OUTSIDE]
        old = self.status.get(sub.label)
        if old is None or order.index(status) < order.index(old):
            self.status[sub.label] = status
            self.note[sub.label] = note


def consolidate(standards: Standards, submissions: Iterable[Submission], period: Period,
                roster: Sequence[Person] = (),
                skipped: Sequence[tuple[str, str]] = ()) -> Consolidation:
    """The period's months from the submissions. ``skipped`` lists files the inbox held but
    did not take in (owner files), with why, for 数据来源."""
    ledger = _Ledger()
    unique = _drop_duplicates(sorted(submissions, key=lambda s: s.label), ledger)
    months = ([(period, True)] if period.kind == "week"
              else _months(period, [s for s in unique if _attributable(s)]))
    unique = _checked_across(standards, unique, roster, months)
    subs = sorted(unique + [s for s in submissions if ledger.status.get(s.label) == DUPLICATE],
                  key=lambda s: s.label)
    attributable = [s for s in unique if _attributable(s)]
    for s in unique:
        if not s.readable:
            ledger.status[s.label] = UNREADABLE
        elif not _attributable(s):
            ledger.mark(s, RETURNED if not s.ok else UNUSED)

    lines = _department_lines(standards, roster, attributable)
    by_department: dict[str, list[Submission]] = defaultdict(list)
    for s in attributable:
        by_department[s.department].append(s)
    results = []
    for month, requested in months:
        rows = [_department_week(standards, month, d, line, by_department[d], ledger)
                if month.kind == "week" else
                _department_month(standards, month, d, line, by_department[d], roster, ledger)
                for d, line in lines.items()]
        results.append(MonthResult(month, requested, tuple(_rank(rows))))
    ledger.findings += _unlisted_calendar(standards, ledger.owed)

    considered = {m.label for m, _ in months}
    # A week's month(s): their other registers are where they belong, not in the wrong folder.
    near = {m.label for m in period.months()} if period.kind == "week" else set()
    outside = []
    for s in attributable:
        touched = {m.label for m in _period(s).months()}
        if s.label not in ledger.status and not touched & considered:
            ledger.mark(s, OUTSIDE)
            if not touched & near:
                outside.append(s)
    ledger.findings += _outside_findings(period, outside)
    sources = tuple(Source(s, ledger.status.get(s.label, OUTSIDE), ledger.note.get(s.label, ""))
                    for s in subs)
    sources += tuple(Source(Submission(label, "", 0, False), SKIPPED, note)
                     for label, note in skipped)
    findings = tuple(in_clerk_order(dict.fromkeys(_evaluation_files_summed(
        period, [f for s in subs if ledger.status.get(s.label) not in (DUPLICATE, OUTSIDE)
                 for f in s.findings])
        + ledger.findings), SHEET_ORDER))
    units = Counter(s.unit for s in attributable if s.unit)
    unit = units.most_common(1)[0][0] if units else standards.unit
    quarter = (_quarter_grades(standards, results, roster) if period.kind == "quarter"
               else ())
    return Consolidation(unit, period, tuple(results), sources, findings,
                         standards.short_digest, standards.calendar.digest, quarter)


def _quarter_grades(standards: Standards, results: Sequence[MonthResult],
                    roster: Sequence[Person]) -> tuple[QuarterGrade, ...]:
    """Every person's 平时考核 grade of the quarter, from its three months as scored here;
    a person of the roster with no month scored is listed too (待定, the months named)."""
    months = [m for m in results if m.requested]
    labels = [m.period.label for m in months]
    tracks, _ = gather_months(labels, {m.period.label: m.departments for m in months})
    people = [PersonQuarter(pid, t.name, t.department, t.level, tuple(t.monthly), t.vetoes)
              for pid, t in tracks.items()]
    people += [PersonQuarter(p.id, p.name, p.department, p.level, (None,) * len(labels))
               for p in roster if p.id not in tracks]
    return tuple(quarter_grades(standards, labels, people))


def _checked_across(standards: Standards, unique: list[Submission], roster: Sequence[Person],
                    months: Sequence[tuple[Period, bool]]) -> list[Submission]:
    """The registers that feed the months, checked against one another and the roster
    (``identity``); what is found is attached to each register."""
    if not months:
        return unique
    start, end = months[0][0].start, months[-1][0].end
    feeding = [s for s in unique if _attributable(s)
               and _period(s).start <= end and _period(s).end >= start]
    found = identity.conflicts(feeding) + identity.people_in_two_departments(feeding)
    if roster:
        known = identity.roster_departments(roster, standards.leadership_unit)
        found += identity.unknown_departments(feeding, known)
    return identity.attach(unique, found)


# More than this many registers of the run's own year(s) outside its period are a year's
# folder consolidated for a part of it: one 警告 sums them up (数据来源 lists each file).
STRAY_REGISTERS = 3


def _outside_findings(period: Period, outside: Sequence[Submission]) -> list[Finding]:
    """A 警告 for each register outside ``period``: a register of another year is named on
    its own (a wrong folder), and so are a few of the year's other periods; more of those
    than ``STRAY_REGISTERS`` are counted in one 警告, month by month."""
    years = {period.start.year, period.end.year}
    of_year = [bool({_period(s).start.year, _period(s).end.year} & years) for s in outside]
    many = sum(of_year) > STRAY_REGISTERS
    summed = [s for s, same in zip(outside, of_year, strict=True) if many and same]
    findings = [Finding("period-outside", s.label,
                        detail=f"表内期间 {_period(s).label}，本次汇总 {period.label}")
                for s, same in zip(outside, of_year, strict=True) if not (many and same)]
    if summed:
        months = sorted({m for s in summed for m in _period(s).months()})
        findings.append(Finding("periods-outside-year", period.label,
                                detail=f"{len(summed)} 个登记表，期间在 {_month_runs(months)}"))
    return findings


def _evaluation_files_summed(period: Period, findings: list[Finding]) -> list[Finding]:
    """The registers' findings, with the ballots and 考评录入表 of a year's folder (more than
    ``STRAY_REGISTERS`` of them, each a ``evaluation-file`` 警告) counted in one 警告."""
    aside = [f for f in findings if f.code == "evaluation-file"]
    if len(aside) <= STRAY_REGISTERS:
        return findings
    kinds = Counter(f.detail for f in aside)
    counted = "、".join(f"{kind} {n} 份" for kind, n in sorted(kinds.items()))
    return ([f for f in findings if f.code != "evaluation-file"]
            + [Finding("evaluation-files", period.label, detail=counted)])


def _month_runs(months: Sequence[Period]) -> str:
    """Sorted months as runs of consecutive months.

    >>> _month_runs([parse_period(m) for m in ("2026-01", "2026-02", "2026-03", "2026-06",
    ...                                         "2026-12", "2027-01")])
    '2026-01 至 2026-03、2026-06、2026-12 至 2027-01'
    """
    runs: list[list[Period]] = []
    for month in months:
        if runs and runs[-1][-1].end + timedelta(days=1) == month.start:
            runs[-1].append(month)
        else:
            runs.append([month])
    return "、".join(r[0].label if len(r) == 1 else f"{r[0].label} 至 {r[-1].label}"
                    for r in runs)


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
    """The requested months, and for a single month the earlier months of the same year
    that have a monthly register in the inbox (shown in 月度趋势 only: the year so far). A
    quarter, half-year or year is its own months alone."""
    requested = period.months()
    if period.kind != "month":
        return [(m, True) for m in requested]
    earlier = {_period(s) for s in subs if s.kind == KIND_MONTHLY
               and _period(s).start.year == period.end.year and _period(s).end < period.start}
    return [(m, False) for m in sorted(earlier)] + [(m, True) for m in requested]


def _department_month(standards: Standards, month: Period, department: str, line: str,
                      mine: Sequence[Submission], roster: Sequence[Person],
                      ledger: _Ledger) -> DepartmentMonth:
    """One department's month, from that department's submissions."""
    monthly = [s for s in mine if s.kind == KIND_MONTHLY and s.period == month]
    weekly = sorted((s for s in mine if s.kind == KIND_WEEKLY
                     and _period(s).start <= month.end and _period(s).end >= month.start),
                    key=lambda s: (_period(s).start, s.label))
    base = DepartmentMonth(month, department, line, MISSING,
                           ranked=department != standards.leadership_unit)
    if monthly:
        for s in weekly:
            ledger.mark(s, SUPERSEDED if s.ok else RETURNED,
                        f"以 {monthly[0].label} 为准" if s.ok else "")
        return _month_of(standards, base, monthly, roster, ledger)
    if not weekly:
        return base
    weeks = {_period(s).label for s in weekly}
    if month not in ledger.owed:
        ledger.owed[month] = standards.calendar.owed_weeks(month)
    missing = tuple(w for w in ledger.owed[month] if w not in weeks)
    where = f"{department}（{month.label}）"
    if missing and standards.completeness == "warn":
        ledger.findings.append(Finding("week-missing", where, detail="、".join(missing)))
        missing = ()
    elif missing:
        ledger.findings.append(Finding("period-incomplete", where,
                                       detail=f"缺少周登记表 {'、'.join(missing)}"))
    return _month_of(standards, replace(base, missing=missing), weekly, roster, ledger)


def _unlisted_calendar(standards: Standards,
                       owed: dict[Period, tuple[str, ...]]) -> list[Finding]:
    """A 警告 for each month checked for its weeks in a year whose 调休 arrangement the
    calendar does not list (its owed weeks are then those of weekends and statutory days)."""
    return [Finding("calendar-year-unlisted", month.label,
                     detail=f"{year} 年；{month.label} 应报送的周登记表按周末和已列的法定节假日"
                            f"计为 {'、'.join(weeks) or '无'}")
            for month, weeks in sorted(owed.items())
            for year in standards.calendar.unlisted_years(month.start, month.end)]


def _department_week(standards: Standards, week: Period, department: str, line: str,
                     mine: Sequence[Submission], ledger: _Ledger) -> DepartmentMonth:
    """One department's week: its weekly register of that ISO week, scored as the register
    scores itself (``intake``: its own people, all its rows)."""
    files = [s for s in mine if s.kind == KIND_WEEKLY and s.period == week]
    base = DepartmentMonth(week, department, line, MISSING,
                           ranked=department != standards.leadership_unit)
    if not files:
        return base
    if (sent_back := _sent_back(base, files, ledger)) is not None:
        return sent_back
    register = files[0]  # one: two different ones conflict (退回修改), copies are dropped
    score = score_department(standards, department, register.roster, register.incidents)
    ledger.mark(register, USED)
    return replace(base, status=SCORED, score=score, files=(register.label,),
                   members=register.roster, incidents=register.incidents)


def _sent_back(base: DepartmentMonth, files: Sequence[Submission],
               ledger: _Ledger) -> DepartmentMonth | None:
    """退回修改 when any of the registers has an 错误 (the others are not used); else None."""
    if all(s.ok for s in files):
        return None
    for s in files:
        if s.ok:
            ledger.mark(s, UNUSED, "同科室同期另有登记表需退回修改")
        else:
            ledger.mark(s, RETURNED)
    return replace(base, status=RETURNED, files=tuple(s.label for s in files))


def _month_of(standards: Standards, base: DepartmentMonth, files: Sequence[Submission],
              roster: Sequence[Person], ledger: _Ledger) -> DepartmentMonth:
    """The month from the registers that make it: 退回修改 when any has an 错误, 不完整
    when a week is missing (``base.missing``), scored otherwise."""
    labels = tuple(s.label for s in files)
    if (sent_back := _sent_back(base, files, ledger)) is not None:
        return sent_back
    if base.missing:
        for s in files:
            ledger.mark(s, UNUSED, f"本月周登记表不全（缺 {'、'.join(base.missing)}），未计分")
        return replace(base, status=INCOMPLETE, files=labels)
    month = base.month
    members = _members(base.department, roster, files)
    incidents = tuple(i for s in files
                      for i in incidents_between(s.incidents, month.start, month.end))
    score = score_department(standards, base.department, members, incidents)
    for s in files:
        ledger.mark(s, USED)
    return replace(base, status=SCORED, score=score, files=labels, members=tuple(members),
                   incidents=incidents, from_weeklies=files[0].kind == KIND_WEEKLY)


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
