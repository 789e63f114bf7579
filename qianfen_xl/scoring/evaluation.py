"""测评: democratic-evaluation ballots (SCORING.md §6). Pure functions; the grade marks,
abstentions, trimming, group weights and the display threshold come from the standards.

Every group's weight always applies, however few its ballots: the 科室负责人's single mark
for a staff member carries its 50%. A group with no valid mark for a ratee has its weight
shared among the groups present, in proportion to their weights. Privacy limits what is
*shown*: a ratee any of whose groups has fewer valid marks than ``subtotal_min_marks``
gets no group subtotals anywhere (:attr:`Evaluation.subtotals_shown`).

>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> ballot_points(s, "优秀"), ballot_points(s, 88), ballot_points(s, "弃权")
(95.0, 88.0, None)
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
    """One rater's mark for one ratee (a person's 编号 or a department's name): 0–100, a
    grade word, or an abstention (弃权/不了解). The rater is only used to find duplicates;
    no result ever carries it."""

    group: str
    rater: str
    ratee: str
    value: float | str


@dataclass(frozen=True, slots=True)
class GroupMean:
    group: str
    marks: int         # valid marks counted
    abstentions: int   # 弃权/不了解: not counted
    mean: float | None  # None: no valid mark (its weight went to the other groups)
    trimmed: bool      # one highest and one lowest dropped


@dataclass(frozen=True, slots=True)
class Evaluation:
    """民主测评 of one ratee: each group's count and mean, and the 0–100 score. The group
    means are for the computation; an output shows them only when ``subtotals_shown``."""

    ratee: str
    groups: tuple[GroupMean, ...]
    score: float
    subtotals_shown: bool

    @property
    def marks(self) -> int:
        return sum(g.marks for g in self.groups)

    @property
    def abstentions(self) -> int:
        return sum(g.abstentions for g in self.groups)


def is_abstention(standards: Standards, value: object) -> bool:
    return isinstance(value, str) and value.strip() in standards.ballots["abstain"]


def ballot_points(standards: Standards, value: float | str) -> float | None:
    """A ballot's mark on 0–100: a number as given, or a grade mapped by the standards;
    None for an abstention. ValueError for anything else."""
    points = standards.ballots["grade_points"]
    if isinstance(value, str):
        text = value.strip()
        if text in points:
            return float(points[text])
        if is_abstention(standards, text):
            return None
        value = float(text)  # a number typed as text; ValueError for anything else
    number = float(value)
    if not 0 <= number <= 100 or math.isnan(number):
        raise ValueError(f"测评分应在 0 到 100 之间：{value}")
    return number


def _group_means(standards: Standards, by_group: Mapping[str, list[float | None]]) -> list[
        GroupMean]:
    trim = standards.ballots["trim_min_ballots"]
    out = []
    for group, values in sorted(by_group.items()):
        marks = [v for v in values if v is not None]
        mean = trimmed_mean(standards, marks) if marks else None
        out.append(GroupMean(group, len(marks), len(values) - len(marks), mean,
                             len(marks) >= trim))
    return out


def evaluate(standards: Standards, ballots: Iterable[Ballot],
             level_of: Mapping[str, str]) -> dict[str, Evaluation]:
    """测评 per ratee (ratee → level as in ``ballots.weights``, e.g. 一般工作人员 or 科室).

    Each group's valid marks are averaged (trimmed, SCORING.md §6); the score is the mean
    of the groups with a valid mark, weighted by the ratee level's group weights (a group
    without a weight for that level counts for nothing), on 0–100. A ratee with no valid,
    weighted mark has no 测评 (absent from the result)."""
    rules = standards.ballots
    everyone, shown_from = rules["all_staff_group"], rules["subtotal_min_marks"]
    marks: dict[str, dict[str, list[float | None]]] = defaultdict(lambda: defaultdict(list))
    for b in ballots:
        marks[b.ratee][b.group].append(ballot_points(standards, b.value))
    out = {}
    for ratee, by_group in marks.items():
        weights = rules["weights"].get(level_of.get(ratee, ""), {everyone: 1.0})
        means = _group_means(standards, by_group)
        used = {m.group: weights.get(m.group, 0.0) for m in means if m.mean is not None}
        total = sum(used.values())
        if not total:  # only abstentions, or only groups without a weight: no 测评
            continue
        score = sum((m.mean or 0.0) * used[m.group] for m in means if m.group in used) / total
        shown = all(m.marks >= shown_from for m in means)
        out[ratee] = Evaluation(ratee, tuple(means), round_score(score, standards.decimals),
                                shown)
    return out
