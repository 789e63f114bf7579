"""Half-year and year (SCORING.md §5): the year's 测评 and 考评 from the half-year and
year-end ones, a person's and a department's year, and the year assembled from its months.
Pure functions; every weight and bound comes from the standards file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import DepartmentScore, Person, competition_ranks, round_score
from qianfen_xl.scoring.evaluation import Evaluation
from qianfen_xl.scoring.grades import Grade, advanced_departments, grades_with_quota


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


@dataclass(frozen=True)
class AnnualResult:
    months: tuple[str, ...]
    people: tuple[PersonAnnual, ...]
    departments: tuple[DepartmentAnnual, ...]
    evaluations: Mapping[str, Evaluation]   # the last period's, for 测评汇总 (no raters)


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
class _Track:
    """One person's or department's months as they are gathered."""

    monthly: list[float | None]
    vetoes: list[str] = field(default_factory=list)
    name: str = ""
    department: str = ""
    level: str = ""


def _gather(months: Sequence[str], month_rows: Mapping[str, Sequence[MonthRow]]) -> tuple[
        dict[str, _Track], dict[str, _Track]]:
    """Every person's and every ranked department's monthly scores and vetoes."""
    people: dict[str, _Track] = {}
    departments: dict[str, _Track] = {}
    for k, label in enumerate(months):
        for r in month_rows[label]:
            # The leadership unit's members are assessed like everyone; the unit itself is
            # never among the 科室 (SCORING.md §2).
            d = (departments.setdefault(r.department, _Track([None] * len(months)))
                 if r.ranked else None)
            if r.score is None:
                continue
            if d is not None:
                d.monthly[k] = r.score.total
                d.vetoes += r.score.vetoes
            levels = {m.id: m.level for m in r.members}
            for p in r.score.people:
                entry = people.setdefault(p.id, _Track([None] * len(months)))
                entry.name, entry.department = p.name, r.department
                entry.level = levels.get(p.id, "")
                entry.monthly[k] = p.total
                entry.vetoes += p.vetoes
    return people, departments


def assemble_year(standards: Standards, month_rows: Mapping[str, Sequence[MonthRow]],
                  halves: Sequence[str], evaluations: Mapping[str, Mapping[str, Evaluation]],
                  assessments: Mapping[str, Mapping[str, float]],
                  lines: Mapping[str, str],
                  adjustments: Mapping[str, float] | None = None) -> AnnualResult:
    """The year (or half-year) from its months' department results (``month_rows``: month
    label → the departments' months, as consolidation gives them), the 测评 and 考评 of
    each evaluation period in ``halves`` (one for a half-year; H1 then the year for a year)."""
    months = tuple(month_rows)
    people, departments = _gather(months, month_rows)
    last = evaluations.get(halves[-1], {}) if halves else {}
    return AnnualResult(months, _people_year(standards, people, halves, evaluations, assessments,
                                             adjustments or {}),
                        _departments_year(standards, months, departments, halves, assessments,
                                          lines), last)


def _people_year(standards: Standards, people: Mapping[str, _Track], halves: Sequence[str],
                 evaluations: Mapping[str, Mapping[str, Evaluation]],
                 assessments: Mapping[str, Mapping[str, float]],
                 adjustments: Mapping[str, float]) -> tuple[PersonAnnual, ...]:
    scores = {h: {k: e.score for k, e in evaluations.get(h, {}).items()} for h in halves}
    rows = {}
    for pid, e in people.items():
        ev = _per_period(scores, pid, halves, standards)
        asm = _per_period(assessments, pid, halves, standards)
        rows[pid] = (e, ev, asm, person_year(standards, e.monthly, ev, asm,
                                             adjustments.get(pid, 0.0)))
    vetoes = {pid: tuple(dict.fromkeys(e.vetoes)) for pid, e in people.items()}
    grades = grades_with_quota(standards, {p: row[3].total for p, row in rows.items()}, vetoes)
    return tuple(PersonAnnual(pid, e.name, e.department, e.level, tuple(e.monthly), ev, asm,
                              year, grades[pid], vetoes[pid])
                 for pid, (e, ev, asm, year) in rows.items())


def _departments_year(standards: Standards, months: Sequence[str],
                      departments: Mapping[str, _Track], halves: Sequence[str],
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
        vetoes[d] = tuple(dict.fromkeys(e.vetoes))
    advanced = advanced_departments(standards, totals, lines, vetoes, missing)
    # A department missing a month is shown, not ranked (unless the standards say "warn"):
    # the mean of the months it has is no year to compare.
    ranks = competition_ranks({d: t for d, t in totals.items()
                               if not missing[d] or standards.completeness == "warn"})
    return tuple(sorted(
        (DepartmentAnnual(d, lines.get(d, ""), tuple(e.monthly), missing[d], assessed[d],
                          totals[d], ranks.get(d), advanced[d].advanced, advanced[d].reason,
                          vetoes[d])
         for d, e in departments.items()), key=lambda x: (x.rank or 0, x.department)))
