"""先进科室 (SCORING.md §7), worked by hand: each test names the rule it pins, and its
docstring quotes the words it pins. Pure functions, no workbooks: these run in a second.

SCORING.md §7: "先进科室: the places are 30% of the departments (at least 1), within the
whole street (option: within each 口). A department with a veto incident, a missing monthly
register or a year score under 900 cannot be one and never occupies a place: the places go
down the ranking of the eligible departments by year score (ties across the last place are
listed for the office to decide). The 名次 a department shows is one rank everywhere."
"""

from __future__ import annotations

import pytest

from qianfen_xl.contract.standards import parse_standards
from qianfen_xl.scoring.engine import competition_ranks
from qianfen_xl.scoring.grades import advanced_departments, advanced_places

TEN = {f"D{k}": 990.0 - 5 * k for k in range(10)}  # 990, 985, … 945: three places (30 %)


def _awarded(verdicts):
    return sorted(d for d, v in verdicts.items() if v.advanced)


def test_a_vetoed_department_ranked_first_never_takes_a_place(standards):
    """"A department with a veto incident … cannot be one and never occupies a place: the
    places go down the ranking of the eligible departments." D0 is first by score and
    vetoed: the three places go to D1, D2 and D3, the next three eligible."""
    verdicts = advanced_departments(standards, TEN, {}, {"D0": ["N09-04"]}, {})
    assert _awarded(verdicts) == ["D1", "D2", "D3"]
    assert verdicts["D0"].reason == "一票否决（N09-04）"


def test_an_incomplete_department_ranked_second_never_takes_a_place(standards):
    """"A department with … a missing monthly register … never occupies a place." D1,
    second by score, misses March: D0, D2 and D3 are 先进科室."""
    verdicts = advanced_departments(standards, TEN, {}, {}, {"D1": ["2026-03"]})
    assert _awarded(verdicts) == ["D0", "D2", "D3"]
    assert verdicts["D1"].reason == "缺少月度得分：2026-03"


def test_a_vetoed_first_and_an_incomplete_second_pass_both_places_down(standards):
    """Both at once: the places go to the first three eligible, D2, D3 and D4; D5, the
    next eligible, is told the places are taken, quoting its own 名次."""
    verdicts = advanced_departments(standards, TEN, {}, {"D0": ["N09-04"]}, {"D1": ["2026-03"]})
    assert _awarded(verdicts) == ["D2", "D3", "D4"]
    assert verdicts["D5"].reason == "名次 6，先进科室 3 个名额已满"


def test_the_score_line_is_met_by_exactly_900(standards):
    """"a year score under 900 cannot be one": 900.00 is not under the line; 899.99 is."""
    verdicts = advanced_departments(standards, {"A": 900.0, "B": 899.99}, {}, {}, {})
    assert verdicts["A"].advanced
    assert not verdicts["B"].advanced and verdicts["B"].reason == "年度得分低于 900"


def test_a_department_under_the_line_never_takes_a_place(standards_data):
    """The line excludes as a veto does: with an office's line of 985 only D0 (990) and D1
    (985, on the line) may be 先进科室; the third place goes to nobody under the line."""
    standards_data["advanced_department"]["min_score"] = 985
    verdicts = advanced_departments(parse_standards(standards_data), TEN, {}, {}, {})
    assert _awarded(verdicts) == ["D0", "D1"]
    assert verdicts["D2"].reason == "年度得分低于 985"


@pytest.mark.parametrize(("departments", "places"), [
    (1, 1), (3, 1), (4, 1), (6, 1), (7, 2), (10, 3), (12, 3), (13, 3), (20, 6), (100, 30)])
def test_the_places_are_30_percent_of_the_departments_rounded_down_at_least_one(
        standards, departments, places):
    """"the places are 30% of the departments (at least 1)": 30 % rounded down (3.6 → 3 for
    the demo's twelve), and one place however few the departments."""
    assert advanced_places(standards, departments) == places


def test_the_share_is_rounded_down_exactly_not_in_binary(standards_data):
    """29 % of 100 departments is 29 places: in binary floating point 0.29 × 100 is
    28.999…, which rounded down would lose a place."""
    standards_data["advanced_department"]["share"] = 0.29
    assert advanced_places(parse_standards(standards_data), 100) == 29


def test_departments_tied_across_the_last_place_are_listed_none_awarded(standards):
    """"ties across the last place are listed for the office to decide": D2 and D3 share
    980.00 across the third place; neither is awarded, both are pending with the reason,
    and D0, D1 keep theirs."""
    totals = {"D0": 990.0, "D1": 985.0, "D2": 980.0, "D3": 980.0, **{
        f"E{k}": 970.0 - k for k in range(6)}}
    verdicts = advanced_departments(standards, totals, {}, {}, {})
    assert _awarded(verdicts) == ["D0", "D1"]
    for d, other in (("D2", "D3"), ("D3", "D2")):
        assert verdicts[d].pending and not verdicts[d].advanced
        assert verdicts[d].reason == (f"与{other}同分 980.00，跨越先进科室名额（3 个），"
                                      "请考核小组决定")
    assert not verdicts["E0"].pending


def test_departments_tied_within_the_places_all_take_places(standards):
    """A tie that fits within the places breaks nothing: D1 and D2 share 985.00 and both
    are 先进科室, with D0; the fourth is not."""
    totals = {"D0": 990.0, "D1": 985.0, "D2": 985.0, **{f"E{k}": 970.0 - k for k in range(7)}}
    assert _awarded(advanced_departments(standards, totals, {}, {}, {})) == ["D0", "D1", "D2"]


def test_a_tie_with_an_excluded_department_takes_no_place_from_it(standards):
    """Only eligible departments are ranked for the places: D3 ties with D2 at 980.00 but
    is vetoed, so D2 takes the third place alone."""
    totals = {"D0": 990.0, "D1": 985.0, "D2": 980.0, "D3": 980.0, **{
        f"E{k}": 970.0 - k for k in range(6)}}
    verdicts = advanced_departments(standards, totals, {}, {"D3": ["N09-01"]}, {})
    assert _awarded(verdicts) == ["D0", "D1", "D2"]


def test_the_rank_in_the_reason_is_the_rank_shown(standards):
    """"The 名次 a department shows is one rank everywhere": given the 名次 shown (here an
    incomplete D1 unranked, as `annual` shows it), a reason quotes exactly that 名次."""
    shown = competition_ranks({d: t for d, t in TEN.items() if d != "D1"})
    verdicts = advanced_departments(standards, TEN, {}, {}, {"D1": ["2026-03"]}, shown)
    assert verdicts["D4"].reason.startswith(f"名次 {shown['D4']}，")
    assert shown["D4"] == 4 and verdicts["D4"].reason.startswith("名次 4，")


def test_within_each_line_the_places_are_counted_per_line(standards_data):
    """"option: within each 口": with within = "line", each 口's places are 30 % of its
    own departments (at least one), and a veto passes a place down within its 口."""
    standards_data["advanced_department"]["within"] = "line"
    office = parse_standards(standards_data)
    lines = {d: ("党口" if k < 4 else "行政口") for k, d in enumerate(TEN)}
    verdicts = advanced_departments(office, TEN, lines, {"D0": ["N09-04"]}, {})
    assert _awarded(verdicts) == ["D1", "D4"]  # 党口: 4 → 1 place; 行政口: 6 → 1 place

