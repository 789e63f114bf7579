"""测评 at its boundaries (SCORING.md §6, the standards' ``[ballots]``): the mark's range, the
grade words, trimming from five valid marks, subtotals shown from three, each ratee level's
group weights, abstentions never counted as marks, and rounding half away from zero — of a
group's mean and of the combined 测评 — where Python's ``round`` would round to even.
"""

from __future__ import annotations

import pytest

from qianfen_xl.contract.standards import load_standards
from qianfen_xl.scoring.evaluation import Ballot, ballot_points, evaluate

S = load_standards()
ALL, HEAD, LEADER, PARTY = "机关全体人员", "科室负责人", "主管口领导", "工委领导班子"
SHOWN_FROM = S.ballots["subtotal_min_marks"]  # 3


def marks(group, ratee, values):
    return [Ballot(group, f"{group}-{k}", ratee, v) for k, v in enumerate(values)]


def score(ballots, level="一般工作人员", ratee="A01"):
    return evaluate(S, ballots, {ratee: level})[ratee]


def test_a_mark_of_0_or_100_counts_and_one_outside_is_refused():
    """"A ballot gives 0-100": both ends are marks; 100.01 and -0.01 are refused."""
    assert (ballot_points(S, 0), ballot_points(S, 100), ballot_points(S, "100")) == (0, 100, 100)
    for outside in (100.01, -0.01, "100.01"):
        with pytest.raises(ValueError, match="0 到 100"):
            ballot_points(S, outside)


def test_each_grade_word_is_its_mark():
    """"优秀 95 / 称职 80 / 基本称职 65 / 不称职 50"; 弃权 and 不了解 are no mark."""
    assert [ballot_points(S, w) for w in ("优秀", "称职", "基本称职", "不称职", "弃权", "不了解")] == [
        95, 80, 65, 50, None, None]


def test_a_group_mean_of_half_a_cent_rounds_half_up():
    """Ten marks: 60, three 80, five 85, 100. Five or more valid marks drop one highest and one
    lowest: (3 × 80 + 5 × 85) / 8 = 83.125 → 83.13, half away from zero (Python's round gives
    83.12). The group alone carries the score: 83.13."""
    result = score(marks(ALL, "A01", [60, 80, 80, 80, 85, 85, 85, 85, 85, 100]))
    (group,) = result.groups
    assert (group.marks, group.trimmed, group.mean, result.score) == (10, True, 83.13, 83.13)
    assert round(83.125, 2) == 83.12


def test_the_combined_evaluation_rounds_half_up():
    """科室负责人 80 (50%) and 全体 83.13 (the ten marks above, 50%): 40 + 41.565 = 81.565 →
    81.57 (Python's round gives 81.56)."""
    ballots = marks(HEAD, "A01", [80]) + marks(ALL, "A01", [60, 80, 80, 80, 85, 85, 85, 85, 85,
                                                             100])
    assert score(ballots).score == 81.57
    assert round(0.5 * 80 + 0.5 * 83.13, 2) == 81.56


def test_subtotals_are_shown_from_three_valid_marks_in_every_group():
    """"For a ratee any of whose groups has fewer than 3 valid marks, no output shows group
    subtotals": 3 and 3 → shown; 2 and 3 → only the combined 测评."""
    three = marks(HEAD, "A01", [80] * SHOWN_FROM) + marks(ALL, "A01", [90] * SHOWN_FROM)
    two = marks(HEAD, "A01", [80] * (SHOWN_FROM - 1)) + marks(ALL, "A01", [90] * SHOWN_FROM)
    assert score(three).subtotals_shown and score(three).score == 85.0
    assert not score(two).subtotals_shown and score(two).score == 85.0


def test_an_abstention_is_no_mark_towards_showing_subtotals():
    """Two marks and one 弃权 in the 科室负责人 group: three ballots, two valid marks → no
    subtotals shown; the abstention is counted as cast, not as a mark."""
    result = score(marks(HEAD, "A01", [80, 80, "弃权"]) + marks(ALL, "A01", [90] * 3))
    assert (result.subtotals_shown, result.marks, result.abstentions) == (False, 5, 1)


def test_an_abstaining_group_gives_its_weight_to_the_others_whatever_it_abstains_with():
    """科室负责人 abstains (不了解), 全体 gives 90: the head's 50% goes to 全体 → 90, not 45."""
    assert score(marks(HEAD, "A01", ["不了解"]) + marks(ALL, "A01", [90, 90, 90])).score == 90.0


@pytest.mark.parametrize(("level", "first", "expected"), [
    ("科室", LEADER, 82.0),          # 0.6 × 90 + 0.4 × 70
    ("科室负责人", LEADER, 80.0),    # 0.5 × 90 + 0.5 × 70
    ("班子成员", PARTY, 80.0),       # 0.5 × 90 + 0.5 × 70
    ("一般工作人员", HEAD, 80.0),    # 0.5 × 90 + 0.5 × 70
])
def test_each_ratee_level_weighs_its_own_groups(level, first, expected):
    """"科室 = 主管领导 60% + 全体 40%; 科室负责人 = 主管领导 50% + 全体 50%; 班子成员 = 领导班子
    50% + 全体 50%; 一般工作人员 = 科室负责人 50% + 全体 50%". The first group gives 90, 全体
    70: the weights show in the result (equal marks would hide them)."""
    ballots = marks(first, "X", [90, 90, 90]) + marks(ALL, "X", [70, 70, 70])
    assert score(ballots, level, "X").score == expected


def test_a_group_the_ratee_level_does_not_weigh_counts_for_nothing():
    """A 科室's ratings by 科室负责人 (not one of its rater groups) change nothing: 82.0 as
    with 主管口领导 and 全体 alone."""
    ballots = (marks(LEADER, "社保所", [90] * 3) + marks(ALL, "社保所", [70] * 3)
               + marks(HEAD, "社保所", [0] * 3))
    assert score(ballots, "科室", "社保所").score == 82.0
