"""The scoring engine (SCORING.md §4): pure functions from standards + people + incidents to scores.

Nothing else in qianfen-xl computes a score; templates' formulas, UDFs and the batch are
checked against these functions. No I/O here.

>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> p = score_person(s, "A01", "张三", [Incident(None, "A01", "N03-05", 2)])
>>> p.norms["N03"], p.total
(96.0, 696.0)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from qianfen_xl.contract.standards import Standards

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Person:
    """One row of the roster (人员)."""

    id: str
    name: str
    department: str = ""
    line: str = ""
    category: str = ""
    level: str = ""


@dataclass(frozen=True, slots=True)
class Incident:
    """One row of the incident log (登记): a deduction item or an addition, ``count`` times.

    ``person`` is the 编号, or None/"" for a department-level row. ``source`` (the file and
    cell it came from) and ``recorder`` (登记人) are provenance, not part of its identity.
    """

    day: date | None
    person: str | None
    code: str
    count: int = 1
    reason: str = ""
    source: str = field(default="", compare=False)
    recorder: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class PersonScore:
    id: str
    name: str
    norms: Mapping[str, float]
    additions: float
    total: float
    vetoes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DepartmentScore:
    department: str
    people: tuple[PersonScore, ...]
    member_mean: float
    norms: Mapping[str, float]
    additions: float
    total: float
    vetoes: tuple[str, ...] = ()


def share_of(share: float, count: int) -> int:
    """Places for a ``share`` of ``count`` people or departments, rounded down, the share
    taken as written (0.58 × 50 is 28.999… in binary floating point, yet 29).

    >>> share_of(0.58, 50), share_of(0.2, 8), share_of(0.3, 12)
    (29, 1, 3)
    """
    return math.floor(Decimal(str(share)) * count)


def round_score(value: float, decimals: int = 2) -> float:
    """Round half away from zero, as Excel's ROUND does on the value it displays.

    Like Excel, the binary float is first read at 15 significant digits, so 1042.525
    (stored as 1042.52499…) rounds to 1042.53.

    >>> round_score(2.675), round_score(-0.125), round(0.125, 2)
    (2.68, -0.13, 0.12)
    """
    if float(value).is_integer():  # most scores are whole: nothing to round
        return float(value)
    exact = Decimal(f"{value:.15g}")
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _is_department_row(person: str | None) -> bool:
    return person is None or str(person).strip() == ""


def _signed_points(standards: Standards, code: str) -> tuple[str | None, float, bool]:
    """(norm or None for an addition, points per occurrence signed, veto)."""
    item = standards.item_by_code.get(code)
    if item is not None:
        return item.norm, -item.points, item.veto
    addition = standards.addition_by_code.get(code)
    if addition is not None:
        return None, addition.points, False
    raise ValueError(f"项目代码无效: {code}")


def item_points(standards: Standards, code: str, count: float) -> float:
    """The signed points of one incident row (分值): −count × points, or +count × addition."""
    return _signed_points(standards, code)[1] * count


def _tally(standards: Standards, incidents: Iterable[Incident]) -> tuple[
    dict[str, dict[str, float]], dict[str, float], dict[str, list[str]]
]:
    """Sum signed points by (编号 or "" for department, norm or "+" for additions)."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    additions: dict[str, float] = defaultdict(float)
    vetoes: dict[str, list[str]] = defaultdict(list)
    dept_norms = {n.code for n in standards.department_norms}
    for inc in incidents:
        norm, points, veto = _signed_points(standards, inc.code)
        who = "" if _is_department_row(inc.person) else str(inc.person).strip()
        if norm is None:
            additions[who] += points * inc.count
            continue
        # Department norms count for the department whoever the row names.
        owner = "" if norm in dept_norms else who
        sums[owner][norm] += points * inc.count
        if veto:
            vetoes[owner].append(inc.code)
    return sums, additions, vetoes


def _norm_score(full: float, signed_sum: float, decimals: int) -> float:
    return round_score(max(0.0, full + signed_sum), decimals)


def _person_from_tally(standards: Standards, person_id: str, name: str,
                       norm_sums: Mapping[str, float], addition_sum: float,
                       vetoes: Sequence[str]) -> PersonScore:
    d = standards.decimals
    norms = {n.code: _norm_score(n.full, norm_sums.get(n.code, 0.0), d)
             for n in standards.individual_norms}
    additions = round_score(min(standards.person_additions_cap, addition_sum), d)
    total = round_score(min(standards.individual_base, sum(norms.values()) + additions), d)
    return PersonScore(person_id, name, norms, additions, total, tuple(vetoes))


def score_person(standards: Standards, person_id: str, name: str,
                 incidents: Iterable[Incident]) -> PersonScore:
    """个人得分 for one person over the given incidents (those of other people are ignored)."""
    mine = [i for i in incidents if not _is_department_row(i.person)
            and str(i.person).strip() == person_id]
    sums, additions, vetoes = _tally(standards, mine)
    return _person_from_tally(standards, person_id, name, sums.get(person_id, {}),
                              additions.get(person_id, 0.0), vetoes.get(person_id, []))


def score_department(standards: Standards, department: str, roster: Sequence[Person],
                     incidents: Iterable[Incident]) -> DepartmentScore:
    """科室得分 and every member's 个人得分 for one period's incidents.

    ``member_mean`` is the rounded mean of the members' scores (0 with no members);
    the department total adds the department norms and the capped department additions,
    and never exceeds 满分.
    """
    d = standards.decimals
    sums, additions, vetoes = _tally(standards, incidents)
    people = tuple(
        _person_from_tally(standards, p.id, p.name, sums.get(p.id, {}),
                           additions.get(p.id, 0.0), vetoes.get(p.id, []))
        for p in roster
    )
    member_mean = _mean(standards, [p.total for p in people])
    norms = {n.code: _norm_score(n.full, sums.get("", {}).get(n.code, 0.0), d)
             for n in standards.department_norms}
    dept_additions = round_score(min(standards.department_additions_cap,
                                     additions.get("", 0.0)), d)
    total = round_score(min(standards.full_marks,
                            member_mean + sum(norms.values()) + dept_additions), d)
    all_vetoes = tuple(vetoes.get("", [])) + tuple(v for p in people for v in p.vetoes)
    return DepartmentScore(department, people, member_mean, norms, dept_additions, total,
                           all_vetoes)


def _mean(standards: Standards, values: Sequence[float]) -> float:
    if not values:
        return 0.0
    return round_score(sum(values) / len(values), standards.decimals)


def competition_ranks(scores: Mapping[K, float]) -> dict[K, int]:
    """Competition ranks (并列): equal scores share a rank and the next rank skips.

    >>> competition_ranks({"a": 90.0, "b": 95.0, "c": 90.0, "d": 80.0})
    {'a': 2, 'b': 1, 'c': 2, 'd': 4}
    """
    ordered = sorted(scores.values(), reverse=True)
    first_at: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_at.setdefault(value, position)
    return {key: first_at[value] for key, value in scores.items()}


def incidents_between(incidents: Iterable[Incident], start: date, end: date) -> list[Incident]:
    """The incidents dated within [start, end] (week-to-date: end = today)."""
    return [i for i in incidents if i.day is not None and start <= i.day <= end]


def grade_for(standards: Standards, score: float, category: str = "") -> str:
    """The 等次 whose score line the score reaches (before any quota or eligibility), in
    the vocabulary of ``category`` (the first 人员类别's when blank).

    >>> from qianfen_xl.contract.standards import load_standards
    >>> grade_for(load_standards(), 899.99), grade_for(load_standards(), 900)
    ('称职', '优秀')
    >>> grade_for(load_standards(), 800, "事业编人员")
    '合格'
    """
    levels = standards.grade_levels(category or standards.categories[0])
    for level in levels:
        if score >= level.min_score:
            return level.name
    return levels[-1].name


def trimmed_mean(standards: Standards, values: Sequence[float]) -> float:
    """去掉一个最高分、去掉一个最低分: the mean after dropping one highest and one lowest
    value when there are at least ``ballots.trim_min_ballots`` of them; rounded.

    >>> from qianfen_xl.contract.standards import load_standards
    >>> trimmed_mean(load_standards(), [60, 80, 80, 90, 100])
    83.33
    """
    ordered = sorted(values)
    if len(ordered) >= standards.ballots["trim_min_ballots"]:
        ordered = ordered[1:-1]
    return _mean(standards, ordered)
