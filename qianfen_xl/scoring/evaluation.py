"""测评: democratic-evaluation ballots (SCORING.md §6). Pure functions; the grade marks,
trimming and group weights come from the standards file.

>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> ballot_points(s, "优秀"), ballot_points(s, 88)
(95.0, 88.0)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import round_score, trimmed_mean


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
