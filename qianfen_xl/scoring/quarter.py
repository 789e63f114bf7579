"""平时考核: each person's quarter grade from the quarter's monthly scores (SCORING.md §8).
Pure functions; every grade name, threshold and share comes from the standards file.

较差 with a veto incident in the quarter or a mean below ``poor_below``; 一般 below
``fair_below``; otherwise 好 for the best share of the department (rounded down, at least
``best_minimum``) and 较好 for the rest. A missing month leaves the grade 待定, and so does a
tie across the last 好 place: neither is decided here, both are listed with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import competition_ranks, round_score, share_of


@dataclass(frozen=True, slots=True)
class PersonQuarter:
    """What a person's quarter grade is made of: the three months (None: not scored) and
    the veto items recorded against them in the quarter."""

    id: str
    name: str
    department: str
    level: str
    monthly: tuple[float | None, ...]
    vetoes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuarterGrade:
    id: str
    name: str
    department: str
    months: tuple[float | None, ...]
    mean: float | None      # of the months on file
    grade: str
    note: str = ""


def quarter_grades(standards: Standards, months: Sequence[str],
                   people: Sequence[PersonQuarter]) -> list[QuarterGrade]:
    """The grade of everyone graded here (the levels in ``quarter.not_graded`` are graded by
    the level above), in the order given; ``months`` label the three months.

    >>> from qianfen_xl.contract.standards import load_standards
    >>> s = load_standards()
    >>> one = PersonQuarter("A01", "张三", "社保所", "一般工作人员", (690.0, 680.0, None))
    >>> g = quarter_grades(s, ["2026-07", "2026-08", "2026-09"], [one])[0]
    >>> (g.mean, g.grade, g.note)
    (685.0, '待定', '缺少 2026-09 的月度得分')
    """
    rules = standards.quarter
    graded = [p for p in people if p.level not in rules["not_graded"]]
    verdicts: dict[str, tuple[str, str]] = {}
    candidates: dict[str, dict[str, float]] = defaultdict(dict)  # department → id → mean
    size: dict[str, int] = defaultdict(int)
    means = {p.id: _mean(standards, p.monthly) for p in graded}
    for p in graded:
        size[p.department] += 1
        verdict = _by_threshold(standards, p, months, means[p.id])
        if verdict is None:
            candidates[p.department][p.id] = means[p.id] or 0.0
        else:
            verdicts[p.id] = verdict
    for department, pool in candidates.items():
        verdicts |= _best_share(standards, pool, size[department])
    return [QuarterGrade(p.id, p.name, p.department, p.monthly, means[p.id], *verdicts[p.id])
            for p in graded]


def _mean(standards: Standards, monthly: Sequence[float | None]) -> float | None:
    present = [m for m in monthly if m is not None]
    return round_score(sum(present) / len(present), standards.decimals) if present else None


def _by_threshold(standards: Standards, p: PersonQuarter, months: Sequence[str],
                  mean: float | None) -> tuple[str, str] | None:
    """A grade the thresholds decide (较差, 一般, or 待定 for a missing month); None when the
    person competes for the department's 好 places."""
    rules = standards.quarter
    good, better, fair, poor = rules["grades"]
    if p.vetoes:
        return poor, f"季度内有一票否决事项（{'、'.join(dict.fromkeys(p.vetoes))}）"
    missing = [m for m, v in zip(months, p.monthly, strict=True) if v is None]
    if missing or mean is None:
        return rules["pending"], f"缺少 {'、'.join(missing)} 的月度得分"
    if mean < rules["poor_below"]:
        return poor, f"季度平均 {mean:.2f} 低于 {rules['poor_below']:g}"
    if mean < rules["fair_below"]:
        return fair, f"季度平均 {mean:.2f} 低于 {rules['fair_below']:g}"
    return None


def _best_share(standards: Standards, pool: Mapping[str, float],
                size: int) -> dict[str, tuple[str, str]]:
    """好 for the department's best share of its ``size`` graded people, 较好 for the rest;
    a tie across the last place is 待定 for all of its members."""
    rules = standards.quarter
    good, better = rules["grades"][:2]
    places = max(int(rules["best_minimum"]), share_of(rules["best_share"], size))
    ranks = competition_ranks(pool)
    out: dict[str, tuple[str, str]] = {}
    for pid, mean in pool.items():
        tied = sum(1 for v in pool.values() if v == mean)
        if ranks[pid] + tied - 1 <= places:
            out[pid] = (good, "")
        elif ranks[pid] <= places:
            out[pid] = (rules["pending"], f"与其他 {tied - 1} 人同为 {mean:.2f}，跨越“{good}”的"
                                          f"名额（本科室 {places} 名），请科室研究决定")
        else:
            out[pid] = (better, "")
    return out


def full_quarters(months: Sequence[str]) -> list[tuple[str, list[int]]]:
    """The calendar quarters all three of whose months are among ``months`` (labels such as
    ``2026-07``), each with the positions of its months.

    >>> full_quarters(["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"])
    [('2026-Q3', [1, 2, 3])]
    """
    at = {m: k for k, m in enumerate(months)}
    out = []
    for label in dict.fromkeys(f"{m[:4]}-Q{(int(m[5:7]) + 2) // 3}" for m in months):
        first = 3 * int(label[-1]) - 2
        wanted = [f"{label[:4]}-{first + k:02d}" for k in range(3)]
        if all(m in at for m in wanted):
            out.append((label, [at[m] for m in wanted]))
    return out


def good_share(standards: Standards, grades: Sequence[QuarterGrade]) -> dict[str, tuple[int, int]]:
    """Per department: (people graded 好, people graded here)."""
    good = standards.quarter["grades"][0]
    out: dict[str, tuple[int, int]] = {}
    for g in grades:
        n, total = out.get(g.department, (0, 0))
        out[g.department] = (n + (g.grade == good), total + 1)
    return out
