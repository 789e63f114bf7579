"""The standards file's year grades (SCORING.md §7), checked into immutable rules: the four
grades of each 人员类别's vocabulary and their score lines, the 优秀 quota pools, who is
outside them, what 建议等次 shows when it is no grade, and which facts of a person's year
make them 不定等次, 暂缓 or not 优秀.

Every eligibility rule names a ``fact`` (see :data:`FACTS`); adding a kind of fact means one
entry here, one rule function in ``scoring.eligibility`` and, if it is read from the
roster, one column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from qianfen_xl.contract.checking import (
    check_keys,
    fail,
    number,
    share,
    table,
    tables,
    text,
    texts,
    whole,
)

# What a fact can do to a grade, the most severe first: 暂缓 (graded later), 不定等次
# (only an appraisal is written), not 优秀.
DEFERRED, UNGRADED, NOT_EXCELLENT = "deferred", "ungraded", "not_excellent"
EFFECTS = (DEFERRED, UNGRADED, NOT_EXCELLENT)
# The facts an eligibility rule may name, with the keys each takes besides fact/effect:
# in_unit (入职日期: share of the period in the unit, below a limit), leave (病事假天数,
# 产假 apart: share of the period, above a limit), investigation (立案审查), sanction
# (处分 and 处分日期: see grades.sanctions, which say each sanction's effect).
FACTS: dict[str, set[str]] = {
    "in_unit": {"below"}, "leave": {"above"}, "investigation": set(), "sanction": set()}
# When a sanction counts: given within the period, or in force at any time of it.
SANCTION_APPLIES = ("in_year", "in_force")
SANCTION_MONTHS_MAX = 600  # a sanction's 影响期 (the longest the law gives is 24 months)
HISTORY_YEARS_MAX = 50     # years of earlier results a history flag may look back over

_KEYS = {
    "grades": {"min_scores", "excellent_quota", "quota_minimum", "quota_minimum_from",
               "outside_pools", "vocabularies", "pools", "marks", "eligibility", "sanctions",
               "history"},
    "history": {"excellent_years", "low_years", "low_from"},
    "marks": {"pending", "higher_level", "ungraded", "deferred"},
    "sanction": {"name", "months", "applies", "effect"},
}


@dataclass(frozen=True, slots=True)
class Marks:
    """What 建议等次 shows when it is no grade of the vocabulary."""

    pending: str         # 待定: a tie across the 优秀 quota, for the assessment group
    higher_level: str    # 报上级审定: 班子成员, graded by the level above
    ungraded: str        # 不定等次
    deferred: str        # 暂缓

    def of_effect(self, effect: str) -> str:
        return {DEFERRED: self.deferred, UNGRADED: self.ungraded}.get(effect, "")


@dataclass(frozen=True, slots=True)
class FactRule:
    """One eligibility rule: a fact of the person's year, its limit and its effect."""

    fact: str
    effect: str
    limit: float | None = None   # in_unit: below this share; leave: above this share


@dataclass(frozen=True, slots=True)
class Sanction:
    name: str            # 警告, 记过, …
    months: int          # how long it is in force (影响期)
    applies: str         # in_year | in_force
    effect: str


@dataclass(frozen=True, slots=True)
class HistoryRules:
    """Flags from earlier years' final grades: 优秀 ``excellent_years`` years in a row (a
    记三等功 proposal); the ``low_from``-th grade or lower ``low_years`` years in a row."""

    excellent_years: int
    low_years: int
    low_from: int


@dataclass(frozen=True, slots=True, eq=False)
class Grading:
    min_scores: tuple[float, ...]               # the score line of each grade, best first
    vocabularies: Mapping[str, tuple[str, ...]]  # 人员类别 → its grades, best first
    pools: Mapping[str, tuple[str, ...]]        # quota pool → its 人员类别
    quota: float                                # 优秀 share of a pool, rounded down
    quota_minimum: int                          # at least this many places …
    quota_minimum_from: int                     # … in a pool of at least this many people
    outside_pools: tuple[str, ...]              # 岗位层级 graded by the level above
    marks: Marks
    eligibility: tuple[FactRule, ...]
    sanctions: tuple[Sanction, ...]
    history: HistoryRules

    @property
    def excellent(self) -> str:
        """优秀: the best grade of every vocabulary (checked to be the same word)."""
        return next(iter(self.vocabularies.values()))[0]

    def vocabulary(self, category: str) -> tuple[str, ...]:
        """The grades of a 人员类别 (the first vocabulary for one the file does not list)."""
        return self.vocabularies.get(category) or next(iter(self.vocabularies.values()))

    def pool_of(self, category: str, level: str) -> str:
        """The quota pool of a person; "" for one outside the pools (班子成员)."""
        if level in self.outside_pools:
            return ""
        return next((p for p, members in self.pools.items() if category in members),
                    next(iter(self.pools)))

    def sanction(self, name: str) -> Sanction | None:
        return next((s for s in self.sanctions if s.name == name), None)

    def rule(self, fact: str) -> FactRule | None:
        return next((r for r in self.eligibility if r.fact == fact), None)


def _vocabularies(raw: Any, categories: tuple[str, ...],
                  levels: int) -> dict[str, tuple[str, ...]]:
    path = "grades.vocabularies"
    if not isinstance(raw, dict) or not raw:
        raise fail(path, "必须按人员类别列出等次")
    out = {c: texts(raw, c, path) for c in raw}
    for category in categories:
        if category not in out:
            raise fail(path, f"缺少人员类别 {category} 的等次")
    for category, names in out.items():
        if category not in categories:
            raise fail(f"{path}.{category}", "不是 people.categories 中的人员类别")
        if len(names) != levels:
            raise fail(f"{path}.{category}", f"等次个数应与 grades.min_scores 相同（{levels} 个）")
    if len({names[0] for names in out.values()}) != 1:
        raise fail(path, "各人员类别的第一个等次（优秀）必须相同")
    return out


def _pools(raw: Any, categories: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    path = "grades.pools"
    if not isinstance(raw, dict) or not raw:
        raise fail(path, "必须列出优秀名额的考核池")
    out = {p: texts(raw, p, path) for p in raw}
    seen: dict[str, str] = {}
    for pool, members in out.items():
        for category in members:
            if category not in categories:
                raise fail(f"{path}.{pool}", f"{category} 不是 people.categories 中的人员类别")
            if category in seen:
                raise fail(f"{path}.{pool}", f"{category} 已在考核池 {seen[category]} 中")
            seen[category] = pool
    missing = [c for c in categories if c not in seen]
    if missing:
        raise fail(path, f"人员类别 {'、'.join(missing)} 不在任何考核池中")
    return out


def _eligibility(raw: Any) -> tuple[FactRule, ...]:
    rules: list[FactRule] = []
    for i, entry in enumerate(tables(raw, "grades.eligibility")):
        path = f"grades.eligibility[{i}]"
        fact = entry.get("fact")
        if fact not in FACTS:
            raise fail(f"{path}.fact", f"必须是 {'、'.join(FACTS)} 之一")
        check_keys(entry, path, {"fact", "effect"} | FACTS[fact])
        effect = entry.get("effect", "")
        if fact != "sanction" and effect not in EFFECTS:
            raise fail(f"{path}.effect", f"必须是 {'、'.join(EFFECTS)} 之一")
        if fact == "sanction" and "effect" in entry:
            raise fail(f"{path}.effect", "处分的效果在 grades.sanctions 中按处分种类给出")
        limit = next((share(entry, k, path) for k in FACTS[fact]), None)
        if any(r.fact == fact for r in rules):
            raise fail(f"{path}.fact", f"{fact} 重复")
        rules.append(FactRule(fact, effect, limit))
    return tuple(rules)


def _sanctions(raw: Any) -> tuple[Sanction, ...]:
    out: list[Sanction] = []
    for i, entry in enumerate(tables(raw, "grades.sanctions")):
        path = f"grades.sanctions[{i}]"
        check_keys(entry, path, _KEYS["sanction"])
        name = text(entry, "name", path)
        if any(s.name == name for s in out):
            raise fail(f"{path}.name", f"处分 {name} 重复")
        applies, effect = entry.get("applies"), entry.get("effect")
        if applies not in SANCTION_APPLIES:
            raise fail(f"{path}.applies", f"必须是 {'、'.join(SANCTION_APPLIES)} 之一")
        if effect not in EFFECTS:
            raise fail(f"{path}.effect", f"必须是 {'、'.join(EFFECTS)} 之一")
        out.append(Sanction(name, whole(entry, "months", path, maximum=SANCTION_MONTHS_MAX),
                            applies, effect))
    return tuple(out)


def _min_scores(grades: Mapping[str, Any]) -> tuple[float, ...]:
    raw = grades.get("min_scores")
    if not isinstance(raw, list) or len(raw) < 2:
        raise fail("grades.min_scores", "必须列出每个等次的分数线（从高到低）")
    lines = tuple(number({"v": v}, "v", "grades.min_scores") for v in raw)
    if list(lines) != sorted(lines, reverse=True):
        raise fail("grades.min_scores", "等次必须按分数线从高到低排列")
    return lines


def _history(grades: Mapping[str, Any], levels: int) -> HistoryRules:
    raw = table(grades, "history", "grades.history", _KEYS["history"])
    rules = HistoryRules(*(whole(raw, k, "grades.history", maximum=HISTORY_YEARS_MAX) for k in
                           ("excellent_years", "low_years", "low_from")))
    if not 1 <= rules.low_from <= levels:
        raise fail("grades.history.low_from", f"必须是 1 到 {levels} 的等次序号")
    if rules.excellent_years < 1 or rules.low_years < 1:
        raise fail("grades.history", "年数至少为 1")
    return rules


def parse_grading(data: Mapping[str, Any], categories: tuple[str, ...],
                  levels: tuple[str, ...]) -> Grading:
    """The ``[grades]`` section, checked against the people's categories and levels."""
    grades = table(data, "grades", "grades", _KEYS["grades"])
    min_scores = _min_scores(grades)
    marks = table(grades, "marks", "grades.marks", _KEYS["marks"])
    outside = texts(grades, "outside_pools", "grades") if "outside_pools" in grades else ()
    for level in outside:
        if level not in levels:
            raise fail("grades.outside_pools", f"{level} 不是 people.levels 中的岗位层级")
    eligibility = _eligibility(grades.get("eligibility", []))
    sanctions = _sanctions(grades.get("sanctions", []))
    if sanctions and not any(r.fact == "sanction" for r in eligibility):
        raise fail("grades.sanctions", "列出了处分，但 grades.eligibility 中没有 fact = \"sanction\"")
    return Grading(
        min_scores=min_scores,
        vocabularies=MappingProxyType(_vocabularies(grades.get("vocabularies"), categories,
                                                    len(min_scores))),
        pools=MappingProxyType(_pools(grades.get("pools"), categories)),
        quota=share(grades, "excellent_quota", "grades"),
        quota_minimum=whole(grades, "quota_minimum", "grades"),
        quota_minimum_from=whole(grades, "quota_minimum_from", "grades"),
        outside_pools=outside,
        marks=Marks(*(text(marks, k, "grades.marks") for k in
                      ("pending", "higher_level", "ungraded", "deferred"))),
        eligibility=eligibility,
        sanctions=sanctions,
        history=_history(grades, len(min_scores)),
    )
