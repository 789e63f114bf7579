"""Who may be graded, and who may be 优秀 (SCORING.md §7): the facts of a person's year, each
judged by one rule of the standards file's ``grades.eligibility`` into a :class:`Verdict`
with its reason. Pure functions.

Each kind of fact has one function in :data:`RULES`; a new kind (a quarter's grades, say)
is one more function there, with its entry in ``contract.grading.FACTS``.

>>> from datetime import date
>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> case = Case(PersonFacts(hired=date(2026, 7, 20)), date(2026, 1, 1), date(2026, 12, 31))
>>> [(v.effect, v.reason) for v in verdicts(s, case)]
[('ungraded', '2026-07-20 入职，本期在本单位 165 天，不足 50%：只写评语，不定等次')]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from qianfen_xl.contract.grading import EFFECTS, NOT_EXCELLENT, FactRule, Grading
from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.facts import PersonFacts

NOTE = ""  # a verdict that changes nothing: a fact shown for the reader (产假 not counted)


@dataclass(frozen=True, slots=True)
class Verdict:
    effect: str    # deferred · ungraded · not_excellent · "" (a note only)
    reason: str


@dataclass(frozen=True, slots=True)
class Case:
    """What eligibility looks at for one person: the roster's facts, the period assessed and
    the veto items recorded against the person in it."""

    facts: PersonFacts
    start: date
    end: date
    vetoes: Sequence[str] = ()
    quarters: Sequence[str] = ()  # 平时考核 of each quarter of the period ("" not graded)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _share(value: float) -> str:
    return f"{value:.0%}"


def _effect_words(rule: FactRule, grading: Grading) -> str:
    """What a rule's effect is called in the standards' words (不定等次, 暂缓…)."""
    return grading.marks.of_effect(rule.effect) or rule.effect


def in_unit(rule: FactRule, case: Case, grading: Grading) -> Verdict | None:
    hired = case.facts.hired
    if hired is None or hired <= case.start or rule.limit is None:
        return None
    days = max(0, (case.end - hired).days + 1)
    if days >= rule.limit * case.days:
        return None
    effect = _effect_words(rule, grading)
    return Verdict(rule.effect, f"{hired.isoformat()} 入职，本期在本单位 {days} 天，"
                                f"不足 {_share(rule.limit)}：只写评语，{effect}")


def leave(rule: FactRule, case: Case, grading: Grading) -> Verdict | None:
    days, maternity = case.facts.leave_days, case.facts.maternity_days
    apart = Verdict(NOTE, f"产假 {maternity:g} 天，不计入病事假") if maternity else None
    if days is None or rule.limit is None or days <= rule.limit * case.days:
        return apart
    effect = _effect_words(rule, grading)
    return Verdict(rule.effect, f"病事假累计 {days:g} 天，超过本期的 {_share(rule.limit)}"
                                f"（产假不计）：{effect}")


def investigation(rule: FactRule, case: Case, grading: Grading) -> Verdict | None:
    if not case.facts.investigation:
        return None
    effect = _effect_words(rule, grading)
    return Verdict(rule.effect, f"正在接受立案审查：{effect}，结案后补定等次")


def _months_later(day: date, months: int) -> date:
    """The day ``months`` calendar months after ``day`` (the month's last day at most)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
               nxt - timedelta(days=1))


def sanction(rule: FactRule, case: Case, grading: Grading) -> Verdict | None:
    name, given = case.facts.sanction, case.facts.sanction_date
    kind = grading.sanction(name) if name else None
    if kind is None or given is None:
        return None
    # In force from the day given (counted) to the day before the same date ``months`` later.
    last = _months_later(given, kind.months) - timedelta(days=1)
    counts = (case.start <= given <= case.end if kind.applies == "in_year"
              else given <= case.end and last >= case.start)
    if not counts:
        return Verdict(NOTE, f"{given.isoformat()} 受{name}处分，本期不在影响期内")
    what = ("不得评为" + grading.excellent if kind.effect == NOT_EXCELLENT
            else "处分期间只写评语，" + grading.marks.of_effect(kind.effect))
    return Verdict(kind.effect, f"{given.isoformat()} 受{name}处分（影响期 {kind.months} 个月，"
                                f"至 {last.isoformat()}）：{what}")


Rule = Callable[[FactRule, Case, Grading], Verdict | None]
RULES: dict[str, Rule] = {"in_unit": in_unit, "leave": leave,
                          "investigation": investigation, "sanction": sanction}


def verdicts(standards: Standards, case: Case) -> list[Verdict]:
    """Every verdict on one person: a veto first, then each rule of the standards file in
    its order (notes, which change nothing, included)."""
    grading = standards.grading
    out = []
    if case.vetoes:
        out.append(Verdict(NOT_EXCELLENT, f"一票否决（{'、'.join(case.vetoes)}），"
                                          f"不能评为{grading.excellent}"))
    quarterly = quarters(standards, case)
    if quarterly is not None:
        out.append(quarterly)
    for rule in grading.eligibility:
        found = RULES[rule.fact](rule, case, grading)
        if found is not None:
            out.append(found)
    return out


def quarters(standards: Standards, case: Case) -> Verdict | None:
    """The office's optional rule on 平时考核 (``quarter.excellent_needs_good`` 好 quarters at
    least, and, with ``quarter.excellent_forbids_poor``, no 较差 quarter) for 优秀. A person
    graded in no quarter here (班子成员: by the level above) is not held to it."""
    rules, excellent = standards.quarter, standards.grading.excellent
    needs, forbids = rules["excellent_needs_good"], rules["excellent_forbids_poor"]
    good, poor = rules["grades"][0], rules["grades"][3]
    if not (needs or forbids) or not any(case.quarters):
        return None
    if forbids and poor in case.quarters:
        return Verdict(NOT_EXCELLENT, f"平时考核有“{poor}”的季度，不能评为{excellent}")
    count = sum(1 for g in case.quarters if g == good)
    if count < needs:
        return Verdict(NOT_EXCELLENT, f"平时考核“{good}”的季度 {count} 个，少于 {needs} 个，"
                                      f"不能评为{excellent}")
    return None


def strongest(found: Sequence[Verdict]) -> str:
    """The most severe effect among the verdicts ("" when none changes the grade)."""
    effects = {v.effect for v in found}
    return next((e for e in EFFECTS if e in effects), NOTE)
