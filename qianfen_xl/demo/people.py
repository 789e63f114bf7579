"""The fictional street's people as the year's roster describes them: the particulars the
年度考核登记表 prints (性别, 出生年月, 政治面貌, 任现职时间, 职务职级, 从事或分管工作) and, for a
few people, the facts of the year that bear on the grade: a July hire, long sick leave, a
警告 sanction, maternity leave (which changes nothing). Deterministic by seed; every name
and fact is invented."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import Person
from qianfen_xl.scoring.facts import PersonFacts

_PARTY = ("中共党员",) * 7 + ("群众", "群众", "民盟盟员")
_POSTS = {  # (岗位层级 index, 人员类别 index) → 职务职级 choices
    (0, 0): ("党工委书记（正处级）", "办事处主任（正处级）", "党工委副书记（副处级）",
             "办事处副主任（副处级）"),
    (1, 0): ("科长（正科级）",), (1, 1): ("班长（技术工二级）",), (1, 2): ("主任（管理八级）",),
    (2, 0): ("一级科员", "四级主任科员", "二级主任科员"), (2, 1): ("技术工三级", "技术工二级"),
    (2, 2): ("专业技术十级", "管理九级", "专业技术十二级"),
}


@dataclass(frozen=True)
class YearCases:
    """Who the demo's facts of the year concern (编号)."""

    hired: str        # joined in July: 不定等次
    sick: str         # long sick leave: 不定等次
    maternity: str    # maternity leave: counted as nothing
    warned: str = ""  # a 警告 in the year: not 优秀 (chosen once the totals are known)


def particulars(standards: Standards, roster: Sequence[Person], seed: int) -> dict[
        str, PersonFacts]:
    """Everyone's particulars: gender, birth month, party, post since, post, duties."""
    rng = random.Random(seed + 1)
    departments = [p.department for p in roster if p.department != standards.leadership_unit]
    out = {}
    for p in roster:
        level = standards.levels.index(p.level) if p.level in standards.levels else 2
        category = standards.categories.index(p.category) if p.category in standards.categories \
            else 0
        post = rng.choice(_POSTS.get((level, category), ("一级科员",)))
        duties = (f"分管{rng.choice(departments)}等工作" if level == 0 else
                  f"主持{p.department}全面工作" if level == 1 else f"{p.department}日常工作")
        out[p.id] = PersonFacts(
            gender=rng.choice("男女"), born=f"{rng.randint(1966, 1998)}.{rng.randint(1, 12):02d}",
            party=rng.choice(_PARTY),
            in_post_since=f"{rng.randint(2012, 2024)}.{rng.randint(1, 12):02d}",
            post=post, duties=duties)
    return out


def year_cases(standards: Standards, roster: Sequence[Person], seed: int) -> YearCases:
    """Three staff members of three departments, none of them a department head."""
    rng = random.Random(seed + 2)
    staff = [p for p in roster if p.level == standards.levels[-1]]
    civil = [p for p in staff if p.category == standards.categories[0]]
    others = [p for p in staff if p.category != standards.categories[0]]
    hired = rng.choice(civil)
    sick = rng.choice([p for p in others if p.department != hired.department])
    maternity = rng.choice([p for p in civil if p.department not in (hired.department,
                                                                    sick.department)])
    return YearCases(hired.id, sick.id, maternity.id)


def with_cases(facts: dict[str, PersonFacts], cases: YearCases, year: int) -> dict[
        str, PersonFacts]:
    """The particulars with the facts of the year added for the people of ``cases``."""
    out = dict(facts)
    out[cases.hired] = replace(out[cases.hired], hired=date(year, 7, 20),
                               in_post_since=f"{year}.07")
    out[cases.sick] = replace(out[cases.sick], leave_days=196)
    out[cases.maternity] = replace(out[cases.maternity], gender="女", maternity_days=158,
                                   leave_days=6)
    if cases.warned:
        out[cases.warned] = replace(out[cases.warned], sanction="警告",
                                    sanction_date=date(year, 5, 12))
    return out
