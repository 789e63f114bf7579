"""Half-year and year (SCORING.md §5): the year's 测评 and 考评 from the half-year and
year-end ones, a person's and a department's year, and the year assembled from its months.
Pure functions; every weight and bound comes from the standards file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.eligibility import Case, verdicts
from qianfen_xl.scoring.engine import DepartmentScore, Person, competition_ranks, round_score
from qianfen_xl.scoring.evaluation import Evaluation
from qianfen_xl.scoring.facts import NO_FACTS, PersonFacts
from qianfen_xl.scoring.grades import Candidate, Grade, advanced_departments, propose_grades
from qianfen_xl.scoring.quarter import PersonQuarter, full_quarters, quarter_grades


def combine_year(standards: Standards, half_year: float | None, year_end: float | None) -> (
        float | None):
    """The year's 测评 or 考评 from the half-year and year-end ones (weights 0.4/0.6 by
    default); one of them alone stands for the year."""
    weights = standards.annual["year_weights"]
    if half_year is None or year_end is None:
        value = year_end if year_end is not None else half_year
        return None if value is None else round_score(value, standards.decimals)
    return round_score(weights["half_year"] * half_year + weights["year_end"] * year_end,
                       standards.decimals)


@dataclass(frozen=True, slots=True)
class PersonYear:
    regular: float        # 平时: mean of the months scored (≤ 700)
    months: int           # months that entered the mean
    evaluation: float     # 测评 points (0–100 score × multiplier)
    assessment: float     # 考评 points
    adjustments: float
    total: float


def person_year(standards: Standards, monthly: Sequence[float | None],
                evaluation: float | None, assessment: float | None,
                adjustments: float = 0.0) -> PersonYear:
    """平时 + 测评 + 考评 + adjustments, clamped to [total_min, total_max]. A missing month
    (None) is left out of the mean."""
    a, d = standards.annual, standards.decimals
    present = [m for m in monthly if m is not None]
    regular = round_score(min(a["regular_max"], sum(present) / len(present)), d) if present else 0.0
    ev = round_score((evaluation or 0.0) * a["evaluation_multiplier"], d)
    asm = round_score((assessment or 0.0) * a["assessment_multiplier"], d)
    total = round_score(min(a["total_max"], max(a["total_min"], regular + ev + asm + adjustments)),
                        d)
    return PersonYear(regular, len(present), ev, asm, adjustments, total)


def department_year(standards: Standards, monthly: Sequence[float | None],
                    assessment: float | None) -> float:
    """0.8 × 平时 (mean of the months) + 0.2 × the department's 考评 (0–1000)."""
    w, d = standards.annual["department_weights"], standards.decimals
    present = [m for m in monthly if m is not None]
    regular = sum(present) / len(present) if present else 0.0
    return round_score(w["regular"] * regular + w["assessment"] * (assessment or 0.0), d)


# ------------------------------------------------------------------ the year assembled

@dataclass(frozen=True, slots=True)
class PersonAnnual:
    id: str
    name: str
    department: str
    level: str
    monthly: tuple[float | None, ...]   # one per month of the period; None: not scored
    evaluation: float | None            # 测评 on 0–100 (the year: 0.4 H1 + 0.6 year-end)
    assessment: float | None            # 考评 on 0–100
    year: PersonYear
    grade: Grade
    vetoes: tuple[str, ...]
    category: str = ""                  # 人员类别: the grades' vocabulary and quota pool
    notes: tuple[str, ...] = ()         # the facts of the year that bear on the grade
    quarters: tuple[str, ...] = ()      # 平时考核 of each full quarter ("" where not graded)


@dataclass(frozen=True, slots=True)
class DepartmentAnnual:
    department: str
    line: str
    monthly: tuple[float | None, ...]
    missing: tuple[str, ...]            # months not scored (未报送 or 退回修改)
    assessment: float | None            # 考评 on 0–1000
    total: float
    rank: int | None
    advanced: bool                      # 先进科室
    advanced_note: str                  # why not, when it is not
    vetoes: tuple[str, ...]
    advanced_pending: bool = False      # tied across the last place: for the group to decide


@dataclass(frozen=True)
class AnnualResult:
    months: tuple[str, ...]
    people: tuple[PersonAnnual, ...]
    departments: tuple[DepartmentAnnual, ...]
    evaluations: Mapping[str, Evaluation]   # the last period's, for 测评汇总 (no raters)
    quarters: tuple[str, ...] = ()          # the full quarters of the period (2026-Q1 …)


def _per_period(values: Mapping[str, Mapping[str, float]], key: str, halves: Sequence[str],
                standards: Standards) -> float | None:
    found = [values.get(p, {}).get(key) for p in halves]
    if len(found) == 2:
        return combine_year(standards, found[0], found[1])
    return found[0] if found else None


class MonthRow(Protocol):
    """What the year needs of a department's month (consolidation's DepartmentMonth)."""

    @property
    def department(self) -> str: ...
    @property
    def ranked(self) -> bool: ...  # False for the leadership unit
    @property
    def score(self) -> DepartmentScore | None: ...
    @property
    def members(self) -> Sequence[Person]: ...


@dataclass
class MonthTrack:
    """One person's or department's months as they are gathered: a score and the veto items
    of each month (None and () where it was not scored)."""

    monthly: list[float | None]
    month_vetoes: list[tuple[str, ...]]
    name: str = ""
    department: str = ""
    level: str = ""
    category: str = ""

    @classmethod
    def empty(cls, months: int) -> MonthTrack:
        return cls([None] * months, [()] * months)

    @property
    def vetoes(self) -> tuple[str, ...]:
        """The veto items of all its months, each once, in order."""
        return tuple(dict.fromkeys(v for month in self.month_vetoes for v in month))


def gather_months(months: Sequence[str],
                  month_rows: Mapping[str, Sequence[MonthRow]]) -> tuple[
        dict[str, MonthTrack], dict[str, MonthTrack]]:
    """Every person's and every ranked department's monthly scores and vetoes."""
    people: dict[str, MonthTrack] = {}
    departments: dict[str, MonthTrack] = {}
    for k, label in enumerate(months):
        for r in month_rows[label]:
            # The leadership unit's members are assessed like everyone; the unit itself is
            # never among the 科室 (SCORING.md §2).
            d = (departments.setdefault(r.department, MonthTrack.empty(len(months)))
                 if r.ranked else None)
            if r.score is None:
                continue
            if d is not None:
                d.monthly[k] = r.score.total
                d.month_vetoes[k] = tuple(r.score.vetoes)
            members = {m.id: m for m in r.members}
            for p in r.score.people:
                entry = people.setdefault(p.id, MonthTrack.empty(len(months)))
                entry.name, entry.department = p.name, r.department
                member = members.get(p.id)
                entry.level = member.level if member else ""
                entry.category = member.category if member else ""
                entry.monthly[k] = p.total
                entry.month_vetoes[k] = tuple(p.vetoes)
    return people, departments


def assemble_year(standards: Standards, month_rows: Mapping[str, Sequence[MonthRow]],
                  halves: Sequence[str], evaluations: Mapping[str, Mapping[str, Evaluation]],
                  assessments: Mapping[str, Mapping[str, float]],
                  lines: Mapping[str, str],
                  adjustments: Mapping[str, float] | None = None,
                  facts: Mapping[str, PersonFacts] | None = None) -> AnnualResult:
    """The year (or half-year) from its months' department results (``month_rows``: month
    label → the departments' months, as consolidation gives them), the 测评 and 考评 of
    each evaluation period in ``halves`` (one for a half-year; H1 then the year for a year),
    and the roster's facts of the year (编号 → facts) that bear on the grades."""
    months = tuple(month_rows)
    people, departments = gather_months(months, month_rows)
    last = evaluations.get(halves[-1], {}) if halves else {}
    span = (parse_period(months[0]).start, parse_period(months[-1]).end) if months else (
        date.min, date.min)
    inputs = _YearInputs(months, halves, evaluations, assessments, adjustments or {}, facts or {},
                         span, tuple(parse_period(m).end for m in months))
    return AnnualResult(months, _people_year(standards, people, inputs),
                        _departments_year(standards, months, departments, halves, assessments,
                                          lines), last,
                        tuple(label for label, _ in full_quarters(months)))


def quarter_grades_of(standards: Standards, months: Sequence[str],
                      people: Mapping[str, MonthTrack],
                      monthly: Mapping[str, Sequence[float | None]]) -> dict[
        str, tuple[str, ...]]:
    """Each person's 平时考核 grade of every full quarter of ``months`` ("" where the person
    has no month of that quarter on file, or is not graded here), from ``monthly`` (the
    person's months as they count) and the veto items of those months."""
    out: dict[str, list[str]] = {pid: [] for pid in people}
    for _, at in full_quarters(months):
        cohort = [PersonQuarter(pid, e.name, e.department, e.level,
                                tuple(monthly[pid][k] for k in at),
                                tuple(v for k in at for v in e.month_vetoes[k]))
                  for pid, e in people.items() if any(monthly[pid][k] is not None for k in at)]
        graded = {g.id: g.grade for g in quarter_grades(standards, [months[k] for k in at],
                                                        cohort)}
        for pid in people:
            out[pid].append(graded.get(pid, ""))
    return {pid: tuple(grades) for pid, grades in out.items()}


@dataclass(frozen=True)
class _YearInputs:
    months: Sequence[str]
    halves: Sequence[str]
    evaluations: Mapping[str, Mapping[str, Evaluation]]
    assessments: Mapping[str, Mapping[str, float]]
    adjustments: Mapping[str, float]
    facts: Mapping[str, PersonFacts]
    span: tuple[date, date]
    month_ends: tuple[date, ...]

    def months_in_unit(self, pid: str, monthly: Sequence[float | None]) -> tuple[
            float | None, ...]:
        """A person's months, those that ended before their 入职日期 left out: a street
        roster lists the people of the year in every month's department."""
        hired = self.facts.get(pid, NO_FACTS).hired
        return tuple(None if hired is not None and end < hired else v
                     for v, end in zip(monthly, self.month_ends, strict=True))


def _people_year(standards: Standards, people: Mapping[str, MonthTrack],
                 given: _YearInputs) -> tuple[PersonAnnual, ...]:
    halves = given.halves
    scores = {h: {k: e.score for k, e in given.evaluations.get(h, {}).items()} for h in halves}
    rows = {}
    monthly = {pid: given.months_in_unit(pid, e.monthly) for pid, e in people.items()}
    for pid, e in people.items():
        ev = _per_period(scores, pid, halves, standards)
        asm = _per_period(given.assessments, pid, halves, standards)
        rows[pid] = (e, ev, asm, person_year(standards, monthly[pid], ev, asm,
                                             given.adjustments.get(pid, 0.0)))
    vetoes = {pid: e.vetoes for pid, e in people.items()}
    quarters = quarter_grades_of(standards, given.months, people, monthly)
    found = {pid: tuple(verdicts(standards, Case(given.facts.get(pid, NO_FACTS), *given.span,
                                                  vetoes[pid], quarters[pid])))
             for pid in people}
    grades = propose_grades(standards, {
        pid: Candidate(row[3].total, people[pid].category, people[pid].level, found[pid])
        for pid, row in rows.items()})
    return tuple(PersonAnnual(pid, e.name, e.department, e.level, monthly[pid], ev, asm,
                              year, grades[pid], vetoes[pid], e.category,
                              tuple(v.reason for v in found[pid]), quarters[pid])
                 for pid, (e, ev, asm, year) in rows.items())


def _departments_year(standards: Standards, months: Sequence[str],
                      departments: Mapping[str, MonthTrack], halves: Sequence[str],
                      assessments: Mapping[str, Mapping[str, float]],
                      lines: Mapping[str, str]) -> tuple[DepartmentAnnual, ...]:
    totals: dict[str, float] = {}
    missing: dict[str, tuple[str, ...]] = {}
    vetoes: dict[str, tuple[str, ...]] = {}
    assessed: dict[str, float | None] = {}
    for d, e in departments.items():
        assessed[d] = _per_period(assessments, d, halves, standards)
        totals[d] = department_year(standards, e.monthly, assessed[d])
        missing[d] = tuple(m for m, v in zip(months, e.monthly, strict=True) if v is None)
        vetoes[d] = e.vetoes
    # A department missing a month is shown, not ranked (unless the standards say "warn"):
    # the mean of the months it has is no year to compare.
    ranks = competition_ranks({d: t for d, t in totals.items()
                               if not missing[d] or standards.completeness == "warn"})
    advanced = advanced_departments(standards, totals, lines, vetoes, missing, ranks)
    return tuple(sorted(
        (DepartmentAnnual(d, lines.get(d, ""), tuple(e.monthly), missing[d], assessed[d],
                          totals[d], ranks.get(d), advanced[d].advanced, advanced[d].reason,
                          vetoes[d], advanced[d].pending)
         for d, e in departments.items()), key=lambda x: (x.rank or 0, x.department)))
