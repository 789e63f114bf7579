"""Half-year and year (SCORING.md §5–§7): 民主测评 ballots, the year's total, 等次 with the
优秀 quota, and 先进科室. Pure functions; every weight, threshold and quota comes from the
standards file. (The annual workbook and the ``annual`` command build on these.)

>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> ballot_points(s, "优秀"), ballot_points(s, 88)
(95.0, 88.0)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import competition_ranks, grade_for, round_score, trimmed_mean

PENDING = "待定"  # a tie across the 优秀 quota: the assessment group decides


@dataclass(frozen=True, slots=True)
class Ballot:
    """One rater's mark for one ratee (a person's 编号 or a department's name). The rater
    is only used to find duplicates; no result ever carries it."""

    group: str
    rater: str
    ratee: str
    value: float | str


@dataclass(frozen=True, slots=True)
class GroupMean:
    group: str
    ballots: int
    mean: float
    trimmed: bool  # one highest and one lowest dropped


@dataclass(frozen=True, slots=True)
class Evaluation:
    """民主测评 of one ratee: the groups shown, those folded into 全体, and the 0–100 score."""

    ratee: str
    groups: tuple[GroupMean, ...]
    folded: tuple[str, ...]
    score: float


def ballot_points(standards: Standards, value: float | str) -> float:
    """A ballot's mark on 0–100: a number as given, or a grade mapped by the standards."""
    points = standards.ballots["grade_points"]
    if isinstance(value, str):
        text = value.strip()
        if text in points:
            return float(points[text])
        value = float(text)  # a number typed as text; ValueError for anything else
    number = float(value)
    if not 0 <= number <= 100 or math.isnan(number):
        raise ValueError(f"测评分应在 0 到 100 之间：{value}")
    return number


def evaluate(standards: Standards, ballots: Iterable[Ballot],
             level_of: Mapping[str, str]) -> dict[str, Evaluation]:
    """测评 per ratee (ratee → level as in ``ballots.weights``, e.g. 一般工作人员 or 科室).

    A group with fewer than ``fold_below`` ballots for a ratee is folded into the all-staff
    group (its ballots join that pool and its weight moves there), so no small group's
    marks can be read off the result. Each group's mean is trimmed (SCORING.md §6); the
    score is the weighted mean over the groups present, on 0–100."""
    rules = standards.ballots
    everyone, fold_below = rules["all_staff_group"], rules["fold_below"]
    marks: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for b in ballots:
        marks[b.ratee][b.group].append(ballot_points(standards, b.value))
    out = {}
    for ratee, by_group in marks.items():
        weights = dict(rules["weights"].get(level_of.get(ratee, ""), {everyone: 1.0}))
        pools = {g: list(v) for g, v in by_group.items()}
        folded = []
        for group in sorted(pools):
            if group != everyone and len(pools[group]) < fold_below:
                pools.setdefault(everyone, []).extend(pools.pop(group))
                weights[everyone] = weights.get(everyone, 0.0) + weights.pop(group, 0.0)
                folded.append(group)
        means = [GroupMean(g, len(v), trimmed_mean(standards, v),
                           len(v) >= rules["trim_min_ballots"]) for g, v in sorted(pools.items())]
        used = {m.group: weights.get(m.group, 0.0) for m in means}
        total = sum(used.values())
        score = (sum(m.mean * used[m.group] for m in means) / total) if total else 0.0
        out[ratee] = Evaluation(ratee, tuple(m for m in means), tuple(folded),
                                round_score(score, standards.decimals))
    return out


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


@dataclass(frozen=True, slots=True)
class Grade:
    grade: str
    reason: str = ""


def grades_with_quota(standards: Standards, totals: Mapping[str, float],
                      vetoes: Mapping[str, Sequence[str]]) -> dict[str, Grade]:
    """等次 by threshold, with 优秀 limited to the quota (share of the people assessed,
    rounded down, at least the minimum). A veto removes eligibility for 优秀. People tied
    across the quota's boundary are not split silently: they all get 待定, with the reason,
    for the assessment group to decide."""
    excellent = standards.excellent_grade
    quota = max(standards.quota_minimum, math.floor(standards.excellent_quota * len(totals)))
    below = {}
    for pid, score in totals.items():
        lower = [g for g in standards.grades if g.name != excellent and score >= g.min_score]
        below[pid] = lower[0].name if lower else standards.grades[-1].name
    out: dict[str, Grade] = {}
    eligible = {}
    for pid, score in totals.items():
        threshold = grade_for(standards, score)
        if threshold != excellent:
            out[pid] = Grade(threshold)
        elif vetoes.get(pid):
            out[pid] = Grade(below[pid], f"一票否决（{'、'.join(vetoes[pid])}），不能评为{excellent}")
        else:
            eligible[pid] = score
    ranks = competition_ranks(eligible)
    for pid, score in eligible.items():
        rank = ranks[pid]
        tied = sum(1 for v in eligible.values() if v == score)
        if rank + tied - 1 <= quota:
            out[pid] = Grade(excellent)
        elif rank <= quota:
            out[pid] = Grade(PENDING, f"与其他 {tied - 1} 人同分 {score:.2f}，跨越{excellent}名额"
                                      f"（{quota} 名），请考核小组决定")
        else:
            out[pid] = Grade(below[pid], f"{excellent}名额已满（{quota} 名）")
    return out


def advanced_departments(standards: Standards, totals: Mapping[str, float],
                         lines: Mapping[str, str], vetoes: Mapping[str, Sequence[str]],
                         missing_months: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """先进科室: the top share (at least the minimum) by year score, within the street or
    each 口, with a score at least ``min_score``, no veto and no missing month. Returns, for
    every department, "" when it is 先进科室, else why not."""
    rules = standards.advanced_department
    groups: dict[str, list[str]] = defaultdict(list)
    for d in totals:
        groups[lines.get(d, "") if rules["within"] == "line" else ""].append(d)
    out = {}
    for members in groups.values():
        places = max(rules["minimum"], math.floor(rules["share"] * len(members)))
        ranks = competition_ranks({d: totals[d] for d in members})
        for d in members:
            if vetoes.get(d):
                out[d] = f"一票否决（{'、'.join(vetoes[d])}）"
            elif missing_months.get(d):
                out[d] = f"缺少月度得分：{'、'.join(missing_months[d])}"
            elif totals[d] < rules["min_score"]:
                out[d] = f"年度得分低于 {rules['min_score']:g}"
            elif ranks[d] > places:
                out[d] = f"名次 {ranks[d]}，未进前 {places} 名"
            else:
                out[d] = ""
    return out


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
    advanced: str                       # "" when 先进科室, else why not
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


def assemble_year(standards: Standards, month_rows: Mapping[str, Sequence], halves: Sequence[str],
                  evaluations: Mapping[str, Mapping[str, Evaluation]],
                  assessments: Mapping[str, Mapping[str, float]],
                  lines: Mapping[str, str],
                  adjustments: Mapping[str, float] | None = None) -> AnnualResult:
    """The year (or half-year) from its months' department results (``month_rows``: month
    label → DepartmentMonth list, as consolidation gives them), the 测评 and 考评 of each
    evaluation period in ``halves`` (one for a half-year; H1 then the year for a year)."""
    months = tuple(month_rows)
    people: dict[str, dict] = {}
    departments: dict[str, dict] = {}
    for k, label in enumerate(months):
        for r in month_rows[label]:
            # The leadership unit's members are assessed like everyone; the unit itself is
            # never among the 科室 (SCORING.md §2).
            d = departments.setdefault(r.department, {"monthly": [None] * len(months),
                                                      "vetoes": []}) if r.ranked else None
            if r.score is None:
                continue
            if d is not None:
                d["monthly"][k] = r.score.total
                d["vetoes"] += r.score.vetoes
            levels = {m.id: m.level for m in r.members}
            for p in r.score.people:
                entry = people.setdefault(p.id, {"monthly": [None] * len(months), "vetoes": []})
                entry |= {"name": p.name, "department": r.department,
                          "level": levels.get(p.id, "")}
                entry["monthly"][k] = p.total
                entry["vetoes"] += p.vetoes
    scores = {h: {k: e.score for k, e in evaluations.get(h, {}).items()} for h in halves}
    person_rows = {}
    for pid, e in people.items():
        ev = _per_period(scores, pid, halves, standards)
        asm = _per_period(assessments, pid, halves, standards)
        person_rows[pid] = (e, ev, asm, person_year(standards, e["monthly"], ev, asm,
                                                    (adjustments or {}).get(pid, 0.0)))
    grades = grades_with_quota(standards, {p: row[3].total for p, row in person_rows.items()},
                               {p: tuple(dict.fromkeys(row[0]["vetoes"]))
                                for p, row in person_rows.items()})
    out_people = tuple(
        PersonAnnual(pid, e["name"], e["department"], e["level"], tuple(e["monthly"]), ev, asm,
                     year, grades[pid], tuple(dict.fromkeys(e["vetoes"])))
        for pid, (e, ev, asm, year) in person_rows.items())
    totals, missing, vetoes = {}, {}, {}
    for d, e in departments.items():
        asm = _per_period(assessments, d, halves, standards)
        totals[d] = department_year(standards, e["monthly"], asm)
        missing[d] = tuple(m for m, v in zip(months, e["monthly"], strict=True) if v is None)
        vetoes[d] = tuple(dict.fromkeys(e["vetoes"]))
        e["assessment"] = asm
    advanced = advanced_departments(standards, totals, lines, vetoes, missing)
    ranks = competition_ranks(totals)
    out_departments = tuple(sorted(
        (DepartmentAnnual(d, lines.get(d, ""), tuple(e["monthly"]), missing[d], e["assessment"],
                          totals[d], ranks[d], advanced[d], vetoes[d])
         for d, e in departments.items()), key=lambda x: (x.rank or 0, x.department)))
    last = evaluations.get(halves[-1], {}) if halves else {}
    return AnnualResult(months, out_people, out_departments, last)
