"""等次 with the 优秀 quota per pool, and 先进科室 (SCORING.md §7). Pure functions; every
vocabulary, score line, pool, share, minimum and mark comes from the standards file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from qianfen_xl.contract.grading import DEFERRED, UNGRADED
from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.eligibility import Verdict, strongest
from qianfen_xl.scoring.engine import competition_ranks, share_of


@dataclass(frozen=True, slots=True)
class Grade:
    """The proposed 等次 of one person, and what a decision on it must respect."""

    grade: str                     # a grade of the person's vocabulary ("" when none)
    reason: str = ""
    mark: str = ""                 # 待定 · 报上级审定 · 不定等次 · 暂缓 (the standards' words)
    pool: str = ""                 # the 优秀 quota pool ("" outside the pools)
    excellent_allowed: bool = True  # no veto and no fact against 优秀
    required: str = ""             # the mark a decision must keep (不定等次, 暂缓)

    @property
    def proposal(self) -> str:
        """What 建议等次 shows: ``称职``, ``待定``, ``不定等次``, ``优秀（报上级审定）``."""
        if self.grade and self.mark:
            return f"{self.grade}（{self.mark}）"
        return self.mark or self.grade

    @property
    def kind(self) -> str:
        """What the person counts as in a tally of proposals: the mark, else the grade."""
        return self.mark or self.grade


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person to grade: the year total, 人员类别, 岗位层级 and the eligibility verdicts."""

    total: float
    category: str
    level: str
    verdicts: tuple[Verdict, ...] = ()


def excellent_places(standards: Standards, people: int) -> int:
    """优秀 places of a pool of ``people``: the quota share rounded down, at least the
    minimum in a pool of at least ``quota_minimum_from`` people.

    >>> from qianfen_xl.contract.standards import load_standards
    >>> s = load_standards()
    >>> excellent_places(s, 20), excellent_places(s, 8), excellent_places(s, 4)
    (4, 1, 0)
    """
    g = standards.grading
    places = share_of(g.quota, people)
    return max(places, g.quota_minimum) if people >= g.quota_minimum_from else places


def threshold_grade(standards: Standards, total: float) -> int:
    """The position in the vocabulary of the grade whose score line ``total`` reaches."""
    lines = standards.grading.min_scores
    return next((i for i, line in enumerate(lines) if total >= line), len(lines) - 1)


def propose_grades(standards: Standards, people: Mapping[str, Candidate]) -> dict[str, Grade]:
    """建议等次 for everyone (SCORING.md §7): by score line in the person's vocabulary; 优秀
    limited per pool (share of the pool's people, those 不定等次 included); people tied
    across a pool's boundary all 待定, for the assessment group to decide; 班子成员 outside
    the pools, marked 报上级审定; a veto or a fact of the year against 优秀, and the facts
    that make a person 不定等次 or 暂缓, with their reasons."""
    g = standards.grading
    out: dict[str, Grade] = {}
    pools: dict[str, list[str]] = defaultdict(list)
    contenders: dict[str, dict[str, float]] = defaultdict(dict)
    for pid, c in people.items():
        pool = g.pool_of(c.category, c.level)
        if pool:
            pools[pool].append(pid)
        grade, wins = _ungated(standards, c, pool)
        out[pid] = grade
        if wins:
            contenders[pool][pid] = c.total
    for pool, members in pools.items():
        _apply_quota(standards, pool, excellent_places(standards, len(members)),
                     contenders[pool], people, out)
    return out


def _reasons(c: Candidate) -> list[str]:
    return [v.reason for v in c.verdicts]


def _ungated(standards: Standards, c: Candidate, pool: str) -> tuple[Grade, bool]:
    """A person's grade before the quota, and whether they contend for 优秀 in a pool."""
    g = standards.grading
    vocabulary = g.vocabulary(c.category)
    effect = strongest(c.verdicts)
    allowed = effect == ""
    reasons = _reasons(c)
    if effect in (DEFERRED, UNGRADED):
        mark = g.marks.of_effect(effect)
        return Grade("", "；".join(reasons), mark, pool, False, mark), False
    position = threshold_grade(standards, c.total)
    if position == 0 and not allowed:
        position = 1
    if not pool:
        reasons.append(f"{c.level}由上级审定等次，不占本单位{g.excellent}名额")
        return Grade(vocabulary[position], "；".join(reasons), g.marks.higher_level, "",
                     allowed), False
    wins = position == 0
    return Grade(vocabulary[position], "；".join(reasons), "", pool, allowed), wins


def _apply_quota(standards: Standards, pool: str, places: int, contenders: Mapping[str, float],
                 people: Mapping[str, Candidate], out: dict[str, Grade]) -> None:
    """Within a pool: 优秀 for the best ``places`` contenders; a tie across the boundary
    leaves all the tied 待定; the rest get their vocabulary's second grade."""
    g = standards.grading
    ranks = competition_ranks(contenders)
    for pid, score in contenders.items():
        rank, tied = ranks[pid], sum(1 for v in contenders.values() if v == score)
        c, before = people[pid], out[pid]
        second = g.vocabulary(c.category)[1]
        if rank + tied - 1 <= places:
            continue
        if rank <= places:
            why = (f"与其他 {tied - 1} 人同分 {score:.2f}，跨越{g.excellent}名额"
                   f"（{pool} {places} 名），请考核小组决定")
            out[pid] = replace(before, grade="", mark=g.marks.pending,
                               reason="；".join([*_reasons(c), why]))
        else:
            why = f"{g.excellent}名额已满（{pool} {places} 名，名次 {rank}）"
            out[pid] = replace(before, grade=second, reason="；".join([*_reasons(c), why]))


@dataclass(frozen=True, slots=True)
class Advanced:
    """Whether a department is 先进科室, and if not, why not; ``pending`` when it is tied
    with others across the last place (listed for the assessment group to decide)."""

    advanced: bool
    reason: str = ""
    pending: bool = False


def advanced_places(standards: Standards, departments: int) -> int:
    """先进科室 places among ``departments``: the share rounded down, at least the minimum.

    >>> from qianfen_xl.contract.standards import load_standards
    >>> s = load_standards()
    >>> advanced_places(s, 12), advanced_places(s, 10), advanced_places(s, 3)
    (3, 3, 1)
    """
    rules = standards.advanced_department
    return max(int(rules["minimum"]), share_of(rules["share"], departments))


def _excluded(standards: Standards, total: float, vetoes: Sequence[str],
              missing: Sequence[str]) -> str:
    """Why a department cannot be 先进科室 at all ("" when it can)."""
    line = standards.advanced_department["min_score"]
    if vetoes:
        return f"一票否决（{'、'.join(vetoes)}）"
    if missing:
        return f"缺少月度得分：{'、'.join(missing)}"
    if total < line:
        return f"年度得分低于 {line:g}"
    return ""


def advanced_departments(standards: Standards, totals: Mapping[str, float],
                         lines: Mapping[str, str], vetoes: Mapping[str, Sequence[str]],
                         missing_months: Mapping[str, Sequence[str]],
                         ranks: Mapping[str, int] | None = None) -> dict[str, Advanced]:
    """先进科室 (SCORING.md §7): the places are the share of the departments (rounded down,
    at least the minimum), within the street or each 口. A department with a veto, a
    missing month or a year score under ``min_score`` cannot be one and never occupies a
    place: the places go down the ranking of the eligible departments by year score, and
    those tied across the last place are all listed (``pending``), none awarded. For every
    department, whether it is one and, if not, why not; ``ranks`` are the 名次 the
    departments show (a reason quotes a department's own, so the rank is one everywhere;
    by default, the competition rank within the group)."""
    rules = standards.advanced_department
    groups: dict[str, list[str]] = defaultdict(list)
    for d in totals:
        groups[lines.get(d, "") if rules["within"] == "line" else ""].append(d)
    out: dict[str, Advanced] = {}
    for members in groups.values():
        places = advanced_places(standards, len(members))
        shown = ranks if ranks is not None else competition_ranks(
            {d: totals[d] for d in members})
        eligible: dict[str, float] = {}
        for d in members:
            why = _excluded(standards, totals[d], vetoes.get(d, ()), missing_months.get(d, ()))
            if why:
                out[d] = Advanced(False, why)
            else:
                eligible[d] = totals[d]
        order = competition_ranks(eligible)
        for d, total in eligible.items():
            tied = [o for o, t in eligible.items() if t == total and o != d]
            if order[d] + len(tied) <= places:
                out[d] = Advanced(True)
            elif order[d] <= places:
                out[d] = Advanced(False, f"与{'、'.join(tied)}同分 {total:.2f}，跨越先进科室名额"
                                         f"（{places} 个），请考核小组决定", pending=True)
            else:
                where = f"名次 {shown[d]}，" if d in shown else ""
                out[d] = Advanced(False, f"{where}先进科室 {places} 个名额已满")
    return out
