"""The assessment group's decisions (确定等次) against the rules, at their boundaries
(SCORING.md §7, ``scoring/decisions.py``): what a decision may say, and which 优秀 decisions
a pool has beyond its places — counted on all the pool's people, whatever was decided.
"""

from __future__ import annotations

from qianfen_xl.contract.standards import load_standards
from qianfen_xl.scoring.decisions import Decided, choices, over_quota

S = load_standards()


def decided(*rows, pool="公务员"):
    """Rows 1, 2, … of one pool as (total, 确定等次)."""
    return [Decided(k, pool, total, grade) for k, (total, grade) in enumerate(rows, start=1)]


def test_as_many_excellent_as_places_is_within_the_quota():
    """Ten people, two places: two decided 优秀 → nothing beyond the quota."""
    assert over_quota(S, decided(*[(950, "优秀")] * 2, *[(800, "称职")] * 8)) == []


def test_one_excellent_more_than_the_places_names_the_pool_and_everyone_decided_excellent():
    """Ten people, two places, three decided 优秀 at 950, 940, 930: the pool is over its
    quota, and which two stay is the assessment group's to decide, so all three are named
    (best total first), with the pool's places — none singled out."""
    rows = decided((950, "优秀"), (940, "优秀"), (930, "优秀"), *[(800, "称职")] * 7)
    assert [(e.pool, e.decided, e.places, e.rows) for e in over_quota(S, rows)] == [
        ("公务员", 3, 2, (1, 2, 3))]


def test_among_equal_totals_the_rows_are_named_in_their_order():
    """Three 优秀 all at 930 for two places: rows 1, 2 and 3, in the register's order."""
    rows = decided(*[(930, "优秀")] * 3, *[(800, "称职")] * 7)
    assert [e.rows for e in over_quota(S, rows)] == [(1, 2, 3)]


def test_a_decision_refused_for_eligibility_is_no_excellent_to_count():
    """Two places, three 优秀 decided, one of them for a person who may not be 优秀 (refused
    on its own, row 3): the two that may stand are within the places, and nobody else is
    blamed for the refused one."""
    rows = decided((950, "优秀"), (940, "优秀"), (990, "优秀"), *[(800, "称职")] * 7)
    assert over_quota(S, rows, refused={3}) == []
    assert [e.rows for e in over_quota(S, rows)] == [(3, 1, 2)]


def test_the_places_count_every_person_of_the_pool_whatever_the_decision():
    """Four 称职 and one 不定等次 are a pool of 5 → one place: one 优秀 is within it. Without
    the fifth person, a pool of 4 has no place and that 优秀 is beyond it."""
    five = decided((950, "优秀"), *[(800, "称职")] * 3, (0, "不定等次"))
    assert over_quota(S, five) == []
    assert [e.places for e in over_quota(S, five[:4])] == [0]


def test_people_outside_the_pools_are_never_over_quota():
    """班子成员 (pool "") decided 优秀 take no pool's place."""
    assert over_quota(S, decided((990, "优秀"), (980, "优秀"), pool="")) == []


def test_a_decision_offers_the_vocabulary_and_the_two_marks_or_only_the_required_one():
    """A 公务员's decision: 优秀 称职 基本称职 不称职 or 不定等次 / 暂缓; a person a fact makes
    不定等次 may only be 不定等次."""
    assert choices(S, "公务员") == ("优秀", "称职", "基本称职", "不称职", "不定等次", "暂缓")
    assert choices(S, "工勤人员", "暂缓") == ("暂缓",)
