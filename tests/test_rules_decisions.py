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


def test_one_excellent_more_than_the_places_is_named_at_the_lowest_total():
    """Ten people, two places, three decided 优秀 at 950, 940, 930: the one beyond is the
    lowest, 930 (row 3), with the pool's count and places."""
    rows = decided((950, "优秀"), (940, "优秀"), (930, "优秀"), *[(800, "称职")] * 7)
    assert [(e.row, e.pool, e.decided, e.places) for e in over_quota(S, rows)] == [
        (3, "公务员", 3, 2)]


def test_among_equal_totals_the_last_row_is_beyond_the_quota():
    """Three 优秀 all at 930 for two places: row 3, the last, is named."""
    rows = decided(*[(930, "优秀")] * 3, *[(800, "称职")] * 7)
    assert [e.row for e in over_quota(S, rows)] == [3]


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
