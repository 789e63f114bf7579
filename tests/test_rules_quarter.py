"""平时考核: a quarter's grade at its boundaries (SCORING.md §8, the standards' ``[quarter]``).

"较差 with a veto incident in the quarter or a mean below 630; 一般 below 670; otherwise 好
for the best 40% of the department (rounded down, at least 1; ties at the boundary listed,
not broken), 较好 for the rest." The mean is of the months on file, rounded to 2 decimals
(half away from zero) before it is compared: what the reader sees is what is graded.
"""

from __future__ import annotations

import tomllib

from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards, parse_standards
from qianfen_xl.scoring.quarter import PersonQuarter, full_quarters, quarter_grades

S = load_standards()
POOR = S.quarter["poor_below"]     # 630: a mean below it is 较差
FAIR = S.quarter["fair_below"]     # 670: a mean below it is 一般
CENT = 0.01
Q3 = ["2026-07", "2026-08", "2026-09"]


def person(pid, monthly, department="社保所", vetoes=()):
    return PersonQuarter(pid, f"人{pid}", department, "一般工作人员", tuple(monthly),
                         tuple(vetoes))


def alone(monthly, standards=S, vetoes=()):
    """(grade, note) of one person, the only one graded in their department."""
    (g,) = quarter_grades(standards, Q3, [person("A", monthly, vetoes=vetoes)])
    return g.grade, g.note


def department(means, standards=S):
    """The grades of a department whose people have these quarter means, in order."""
    people = [person(f"P{k}", [m] * 3) for k, m in enumerate(means)]
    return [g.grade for g in quarter_grades(standards, Q3, people)]


def test_a_quarter_mean_of_exactly_630_is_fair_not_poor():
    """"较差 … below 630": a mean of 630.00 is not below it → 一般 (it is below 670); 629.99
    → 较差; 630.01 → 一般."""
    assert alone([POOR] * 3) == ("一般", "季度平均 630.00 低于 670")
    assert alone([POOR - CENT] * 3) == ("较差", "季度平均 629.99 低于 630")
    assert alone([POOR + CENT] * 3) == ("一般", "季度平均 630.01 低于 670")


def test_a_quarter_mean_of_exactly_670_is_not_fair():
    """"一般 below 670": 670.00 is not below it → the person competes for 好 (alone in the
    department, they take its one place); 669.99 → 一般; 670.01 → 好."""
    assert alone([FAIR] * 3) == ("好", "")
    assert alone([FAIR - CENT] * 3) == ("一般", "季度平均 669.99 低于 670")
    assert alone([FAIR + CENT] * 3) == ("好", "")


def test_the_mean_is_rounded_to_two_decimals_before_it_is_compared():
    """Months 629.99, 630, 630: the mean is 629.99666…, shown and compared as 630.00 → 一般,
    not 较差. Months 629.99, 629.99, 630: 629.99333… → 629.99 → 较差."""
    assert alone([POOR - CENT, POOR, POOR]) == ("一般", "季度平均 630.00 低于 670")
    assert alone([POOR - CENT, POOR - CENT, POOR]) == ("较差", "季度平均 629.99 低于 630")


def test_a_mean_rounding_up_to_670_competes_for_good():
    """Months 669.99, 670, 670: mean 669.99666… → 670.00 → not 一般 → 好 (alone); months
    669.99, 669.99, 670: 669.99333… → 669.99 → 一般."""
    assert alone([FAIR - CENT, FAIR, FAIR]) == ("好", "")
    assert alone([FAIR - CENT, FAIR - CENT, FAIR])[0] == "一般"


def test_a_mean_of_half_a_cent_rounds_half_up_before_it_is_compared():
    """A mean of 629.995 (months of an office whose points have three decimals) rounds half
    away from zero to 630.00 → 一般; 629.994 rounds to 629.99 → 较差."""
    assert alone([629.995] * 3) == ("一般", "季度平均 630.00 低于 670")
    assert alone([629.994] * 3)[0] == "较差"


def test_a_veto_makes_the_quarter_poor_even_with_the_best_mean_and_a_missing_month():
    """"较差 with a veto incident in the quarter": the veto decides before the mean and before
    a missing month (which alone would leave the grade 待定)."""
    assert alone([700, 700, 700], vetoes=["N09-05"]) == (
        "较差", "季度内有一票否决事项（N09-05）")
    assert alone([700, None, 700], vetoes=["N09-05"])[0] == "较差"


def test_a_missing_first_or_last_month_leaves_the_grade_pending():
    """"The mean of the months on file; a missing month is shown and the grade is 待定",
    whether the quarter's first month is missing or its last."""
    assert alone([None, 700, 700]) == ("待定", "缺少 2026-07 的月度得分")
    assert alone([700, 700, None]) == ("待定", "缺少 2026-09 的月度得分")


def test_one_or_two_people_have_one_good_place():
    """40% of 1 is 0.4 and of 2 is 0.8, rounded down to 0, but "at least 1" → one 好."""
    assert department([700]) == ["好"]
    assert department([700, 690]) == ["好", "较好"]


def test_five_people_have_exactly_two_good_places():
    """40% of 4 = 1.6 → 1 好; of 5 = exactly 2 → 2 好; of 6 = 2.4 → 2 好."""
    assert department([700, 695, 690, 685]) == ["好", "较好", "较好", "较好"]
    assert department([700, 695, 690, 685, 680]) == ["好", "好", "较好", "较好", "较好"]
    assert department([700, 695, 690, 685, 680, 675]) == ["好", "好"] + ["较好"] * 4


def test_the_share_is_of_everyone_graded_pending_included():
    """"The best 40% of the department": of the five graded (one 待定 for a missing month
    among them) → 2 places for the four who compete."""
    people = [person(f"P{k}", [m] * 3) for k, m in enumerate([700, 695, 690, 685])]
    people.append(person("M", [700, None, 700]))
    grades = {g.id: g.grade for g in quarter_grades(S, Q3, people)}
    assert grades == {"P0": "好", "P1": "好", "P2": "较好", "P3": "较好", "M": "待定"}


def test_a_tie_that_fills_the_last_good_place_exactly_is_good():
    """Five people, two places: two tied at the top (ranks 1 and 1) take both → 好, 好."""
    assert department([700, 700, 690, 680, 675]) == ["好", "好", "较好", "较好", "较好"]


def test_a_tie_across_the_last_good_place_is_pending_not_broken():
    """Two places; 690 is tied by two people at rank 2, one place left for two → both 待定,
    for the department to decide (SCORING.md §8: "ties at the boundary listed, not broken")."""
    people = [person(f"P{k}", [m] * 3) for k, m in enumerate([700, 690, 690, 680, 675])]
    grades = [(g.grade, g.note) for g in quarter_grades(S, Q3, people)]
    assert grades[0] == ("好", "")
    assert grades[1] == grades[2] == (
        "待定", "与其他 1 人同为 690.00，跨越“好”的名额（本科室 2 名），请科室研究决定")
    assert [g for g, _ in grades[3:]] == ["较好", "较好"]


def test_a_tie_just_after_the_last_good_place_is_better_for_all():
    """Two places, taken by 700 and 690; 680 tied at rank 3 → both 较好."""
    assert department([700, 690, 680, 680, 675]) == ["好", "好", "较好", "较好", "较好"]


def test_the_good_share_is_rounded_down_as_written_not_as_a_float():
    """An office's share of 58% of a 50-person department: 29 places exactly (0.58 × 50 is
    28.999… in binary floating point, which must not round down to 28)."""
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["quarter"]["best_share"] = 0.58
    grades = department([700 - k * 0.5 for k in range(50)], parse_standards(data))
    assert grades.count("好") == 29


def test_a_quarter_counts_only_when_its_first_and_last_months_are_in_the_period():
    """A quarter is graded from its three months: months 2026-02 … 2026-12 hold Q2, Q3 and
    Q4 but not Q1 (January missing); 2025-12 … 2026-03 hold 2026-Q1 alone."""
    months = [f"2026-{m:02d}" for m in range(2, 13)]
    assert [q for q, _ in full_quarters(months)] == ["2026-Q2", "2026-Q3", "2026-Q4"]
    assert full_quarters(["2025-12", "2026-01", "2026-02", "2026-03"]) == [("2026-Q1", [1, 2, 3])]
    assert full_quarters(["2026-10", "2026-11"]) == []
