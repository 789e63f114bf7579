"""The year's 等次 at their boundaries (SCORING.md §7, the standards' ``[grades]``): the score
line of each grade in each vocabulary, the 优秀 places of a pool (20% rounded down, at least 1
from 5 people), who counts in a pool, ties at the last place, and the facts that take 优秀
away. (先进科室 is pinned with its own rule.)

Unless a test is about the quota, the person graded stands in a pool of ten 公务员 — two 优秀
places — with nine others at 800, so only the score line decides.
"""

from __future__ import annotations

import tomllib

import pytest

from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards, parse_standards
from qianfen_xl.scoring.eligibility import Verdict
from qianfen_xl.scoring.engine import grade_for
from qianfen_xl.scoring.grades import Candidate, excellent_places, propose_grades

S = load_standards()
LINES = S.grading.min_scores           # 900, 750, 600, 0
CENT = 0.01
STAFF = "一般工作人员"
WARNED = Verdict("not_excellent", "2026-05-12 受警告处分（影响期 6 个月，至 2026-11-11）：不得评为优秀")


def pool(*totals, category="公务员", level=STAFF, verdicts=()):
    """People P0, P1, … with these totals, of one category."""
    return {f"P{k}": Candidate(t, category, level, verdicts) for k, t in enumerate(totals)}


def grade_alone(total, category="公务员"):
    """The grade of one person at ``total`` beside nine others at 800 (two 优秀 places)."""
    people = {"X": Candidate(total, category, STAFF)} | pool(*[800] * 9, category=category)
    return propose_grades(S, people)["X"].proposal


@pytest.mark.parametrize(("total", "grade"), [
    (LINES[0] + CENT, "优秀"), (LINES[0], "优秀"), (LINES[0] - CENT, "称职"),
    (LINES[1], "称职"), (LINES[1] - CENT, "基本称职"),
    (LINES[2], "基本称职"), (LINES[2] - CENT, "不称职"), (0, "不称职")])
def test_each_score_line_is_reached_by_the_score_equal_to_it(total, grade):
    """"优秀 ≥ 900, the second grade ≥ 750, the third ≥ 600, else the fourth": 900.00 is 优秀
    and 899.99 称职; 750.00 称职 and 749.99 基本称职; 600.00 基本称职 and 599.99 不称职."""
    assert grade_alone(total) == grade
    assert grade_for(S, total) == grade  # the UDF's grade agrees


@pytest.mark.parametrize(("total", "grade"), [
    (LINES[0], "优秀"), (LINES[0] - CENT, "合格"), (LINES[1], "合格"), (LINES[1] - CENT, "基本合格"),
    (LINES[2], "基本合格"), (LINES[2] - CENT, "不合格")])
def test_the_same_score_lines_in_the_shiye_vocabulary(total, grade):
    """事业编人员 and 工勤人员 "优秀/合格/基本合格/不合格" on the same lines."""
    assert grade_alone(total, "事业编人员") == grade
    assert grade_for(S, total, "工勤人员") == grade


@pytest.mark.parametrize(("people", "places"), [
    (4, 0), (5, 1), (9, 1), (10, 2), (14, 2), (15, 3), (20, 4), (24, 4), (25, 5)])
def test_excellent_places_are_a_fifth_rounded_down(people, places):
    """"20% of the people … rounded down": 4 → 0.8 → 0; 5 → exactly 1; 9 → 1; 10 → 2;
    14 → 2; 15 → 3; 25 → 5."""
    assert excellent_places(S, people) == places


@pytest.mark.parametrize(("people", "places"), [(4, 0), (5, 1), (6, 1), (13, 1), (14, 2)])
def test_a_pool_of_five_or_more_has_at_least_one_place(people, places):
    """"… at least 1 where the pool has 5 or more people": under 问责 the share is 15%, and
    15% of 5 is 0.75 → the minimum gives 1; of 4 (0.6) → 0, the pool being under 5; of 6
    (0.9) and 13 (1.95) → 1; of 14 (2.1) → 2."""
    assert (S.grading.quota_minimum, S.grading.quota_minimum_from) == (1, 5)
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["grades"]["excellent_quota"] = 0.15
    assert excellent_places(parse_standards(data), people) == places


def test_a_pool_of_four_has_no_excellent_place():
    """Four 公务员 at 950 … 920: no place → all 称职, the first told why."""
    grades = propose_grades(S, pool(950, 940, 930, 920))
    assert {g.proposal for g in grades.values()} == {"称职"}
    assert grades["P0"].reason == "优秀名额已满（公务员 0 名，名次 1）"


def test_a_person_not_graded_still_counts_in_the_pool():
    """"20% of the people who take part … (those 不定等次 included)": four at 950 … 920 and a
    fifth 不定等次 make a pool of 5 → one place → P0 优秀."""
    people = pool(950, 940, 930, 920) | {"N": Candidate(990, "公务员", STAFF, (
        Verdict("ungraded", "2026-07-20 入职，本期在本单位 165 天，不足 50%：只写评语，不定等次"),))}
    grades = propose_grades(S, people)
    assert [p for p, g in grades.items() if g.grade == "优秀"] == ["P0"]
    assert (grades["N"].proposal, grades["N"].required) == ("不定等次", "不定等次")


def test_leadership_does_not_count_in_the_pool():
    """班子成员 "are outside the street's quota pools": four staff and one 班子成员 are a pool
    of 4 → no place; the 班子成员 at 990 is 优秀（报上级审定）."""
    people = pool(950, 940, 930, 920) | {"L": Candidate(990, "公务员", "班子成员")}
    grades = propose_grades(S, people)
    assert [p for p, g in grades.items() if g.grade == "优秀"] == ["L"]
    assert grades["L"].proposal == "优秀（报上级审定）"


def test_civil_servants_and_shiye_staff_are_separate_pools():
    """"公务员 and 事业/工勤 are separate pools": four 公务员 and one 事业编人员 are pools of 4
    and 1 → no 优秀; three 事业编人员 and two 工勤人员 are one pool of 5 → one 优秀."""
    apart = pool(950, 940, 930, 920) | {"S": Candidate(990, "事业编人员", STAFF)}
    assert not any(g.grade == "优秀" for g in propose_grades(S, apart).values())
    together = pool(950, 940, 930, category="事业编人员") | {
        "G0": Candidate(990, "工勤人员", STAFF), "G1": Candidate(910, "工勤人员", STAFF)}
    grades = propose_grades(S, together)
    assert [p for p, g in grades.items() if g.grade == "优秀"] == ["G0"]
    assert grades["G1"].proposal == "合格"


def test_a_tie_that_fills_the_last_place_exactly_is_excellent():
    """Ten people, two places: two at 950 (rank 1, 1) take both → 优秀; 930 is third → 称职."""
    grades = propose_grades(S, pool(950, 950, 930, *[800] * 7))
    assert [grades[p].proposal for p in ("P0", "P1", "P2")] == ["优秀", "优秀", "称职"]
    assert grades["P2"].reason == "优秀名额已满（公务员 2 名，名次 3）"


def test_a_tie_across_the_last_place_is_pending_for_the_assessment_group():
    """Two places: 950 takes one; two at 930 (rank 2) for the last one → both 待定, "listed
    (待定) for the assessment group to decide", never broken by row order."""
    grades = propose_grades(S, pool(950, 930, 930, *[800] * 7))
    assert [grades[p].proposal for p in ("P0", "P1", "P2")] == ["优秀", "待定", "待定"]
    assert grades["P1"].reason == "与其他 1 人同分 930.00，跨越优秀名额（公务员 2 名），请考核小组决定"


def test_a_fact_against_excellent_gives_the_second_grade_and_frees_the_place():
    """"警告 sanction in the year → not 优秀": the warned person at 950 is 称职 and takes no
    place; the two places go to 940 and 930."""
    people = pool(940, 930, *[800] * 8) | {"W": Candidate(950, "公务员", STAFF, (WARNED,))}
    grades = propose_grades(S, people)
    assert sorted(p for p, g in grades.items() if g.grade == "优秀") == ["P0", "P1"]
    assert (grades["W"].proposal, grades["W"].excellent_allowed) == ("称职", False)
    assert grades["W"].reason == WARNED.reason


def test_a_fact_against_excellent_leaves_a_score_under_the_line_alone():
    """Warned at 899.99: 称职 by the score line, as without the warning; warned at 749.99:
    基本称职 — a fact against 优秀 never lowers another grade."""
    for total, grade in ((LINES[0] - CENT, "称职"), (LINES[1] - CENT, "基本称职")):
        people = {"W": Candidate(total, "公务员", STAFF, (WARNED,))} | pool(*[800] * 9)
        assert propose_grades(S, people)["W"].proposal == grade


def test_a_deferred_person_has_no_grade_whatever_the_score():
    """"under investigation (立案审查) → 暂缓, graded later (补定)": 990 → no grade, 暂缓
    required of the decision, and the place goes to the next."""
    people = pool(950, *[800] * 9) | {"D": Candidate(990, "公务员", STAFF, (
        Verdict("deferred", "正在接受立案审查：暂缓，结案后补定等次"),))}
    grades = propose_grades(S, people)
    assert (grades["D"].grade, grades["D"].proposal, grades["D"].required) == ("", "暂缓", "暂缓")
    assert grades["P0"].proposal == "优秀"
