"""等次 with the 优秀 quota, and 先进科室 (SCORING.md §7). Pure functions; every threshold,
share and minimum comes from the standards file."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import competition_ranks, grade_for

PENDING = "待定"  # a tie across the 优秀 quota: the assessment group decides


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


@dataclass(frozen=True, slots=True)
class Advanced:
    """Whether a department is 先进科室, and if not, why not."""

    advanced: bool
    reason: str = ""


def advanced_departments(standards: Standards, totals: Mapping[str, float],
                         lines: Mapping[str, str], vetoes: Mapping[str, Sequence[str]],
                         missing_months: Mapping[str, Sequence[str]]) -> dict[str, Advanced]:
    """先进科室: the top share (at least the minimum) by year score, within the street or
    each 口, with a score at least ``min_score``, no veto and no missing month; for every
    department, whether it is one and, if not, why not."""
    rules = standards.advanced_department
    groups: dict[str, list[str]] = defaultdict(list)
    for d in totals:
        groups[lines.get(d, "") if rules["within"] == "line" else ""].append(d)
    out: dict[str, Advanced] = {}
    for members in groups.values():
        places = max(rules["minimum"], math.floor(rules["share"] * len(members)))
        ranks = competition_ranks({d: totals[d] for d in members})
        for d in members:
            if vetoes.get(d):
                out[d] = Advanced(False, f"一票否决（{'、'.join(vetoes[d])}）")
            elif missing_months.get(d):
                out[d] = Advanced(False, f"缺少月度得分：{'、'.join(missing_months[d])}")
            elif totals[d] < rules["min_score"]:
                out[d] = Advanced(False, f"年度得分低于 {rules['min_score']:g}")
            elif ranks[d] > places:
                out[d] = Advanced(False, f"名次 {ranks[d]}，未进前 {places} 名")
            else:
                out[d] = Advanced(True)
    return out
