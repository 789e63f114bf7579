"""The assessment group's decisions (确定等次) against the rules (SCORING.md §7). Pure
functions: which words a person's decision may take, and which 优秀 decisions a pool has
beyond its quota. The row-by-row checks of a register run as its pandera schema (see
``schemas.annual``); these are the parts that need the standards' grading.

>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> choices(s, "事业编人员", "")
('优秀', '合格', '基本合格', '不合格', '不定等次', '暂缓')
>>> choices(s, "公务员", "不定等次")
('不定等次',)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.grades import excellent_places


def choices(standards: Standards, category: str, required: str = "") -> tuple[str, ...]:
    """What 确定等次 may say for a person: their vocabulary and the two marks a decision can
    carry (不定等次, 暂缓); only the required mark when a fact of the year requires it."""
    if required:
        return (required,)
    marks = standards.grading.marks
    return (*standards.grading.vocabulary(category), marks.ungraded, marks.deferred)


@dataclass(frozen=True, slots=True)
class Decided:
    """One decision as the quota sees it: its row (any key the caller maps back to a
    cell), the person's pool ("" outside the pools), total and 确定等次."""

    row: int
    pool: str
    total: float
    grade: str


@dataclass(frozen=True, slots=True)
class Excess:
    """A pool with more 优秀 decisions than places: its places, and the rows of every
    person decided 优秀 in it (best total first): which of them stay 优秀 is for the
    assessment group to decide, so none is singled out."""

    pool: str
    places: int
    rows: tuple[int, ...]

    @property
    def decided(self) -> int:
        return len(self.rows)


def over_quota(standards: Standards, decided: Sequence[Decided],
               refused: Collection[int] = ()) -> list[Excess]:
    """The pools whose 优秀 decisions exceed their places, in the standards' order. A
    pool's places are counted on all its people, whatever their decision; a decision
    refused on its own (``refused``: rows whose 优秀 is not allowed) is no 优秀 to count."""
    excellent = standards.grading.excellent
    members: dict[str, list[Decided]] = defaultdict(list)
    for d in decided:
        if d.pool:
            members[d.pool].append(d)
    out = []
    for pool in sorted(members, key=_pool_order(standards)):
        people = members[pool]
        places = excellent_places(standards, len(people))
        best = [d for d in people if d.grade == excellent and d.row not in refused]
        if len(best) > places:
            ranked = sorted(best, key=lambda d: (-d.total, d.row))
            out.append(Excess(pool, places, tuple(d.row for d in ranked)))
    return out


def _pool_order(standards: Standards) -> Callable[[str], tuple[int, str]]:
    pools = list(standards.grading.pools)
    return lambda pool: (pools.index(pool) if pool in pools else len(pools), pool)
