"""平时考核: quarters worked by hand (SCORING.md §8)."""

from __future__ import annotations

import pytest

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import parse_standards
from qianfen_xl.scoring.quarter import PersonQuarter, good_share, quarter_grades

Q3 = ["2026-07", "2026-08", "2026-09"]


def staff(pid, monthly, department="社保所", vetoes=(), level="一般工作人员"):
    return PersonQuarter(pid, f"人{pid}", department, level, tuple(monthly), tuple(vetoes))


def graded(standards, people):
    return {g.id: (g.grade, g.note) for g in quarter_grades(standards, Q3, people)}


def test_a_quarter_is_a_period_of_three_months():
    q3 = parse_period("2026-Q3")
    assert [m.label for m in q3.months()] == Q3
    assert (str(q3.start), str(q3.end)) == ("2026-07-01", "2026-09-30")


def test_a_veto_in_august_makes_the_quarter_poor_whatever_the_mean(standards):
    people = [staff("A", [700, 690, 700], vetoes=["N09-01"]), staff("B", [700, 700, 700])]
    assert graded(standards, people)["A"] == ("较差", "季度内有一票否决事项（N09-01）")


def test_a_mean_of_650_is_fair_and_below_630_poor(standards):
    people = [staff("A", [640, 650, 660]), staff("B", [620, 630, 635]), staff("C", [700] * 3)]
    grades = graded(standards, people)
    assert grades["A"] == ("一般", "季度平均 650.00 低于 670")
    assert grades["B"] == ("较差", "季度平均 628.33 低于 630")
    assert grades["C"] == ("好", "")


def test_a_missing_september_leaves_the_grade_pending_with_the_reason(standards):
    people = [staff("A", [700, 700, None]), staff("B", [700, 699, 698])]
    assert graded(standards, people)["A"] == ("待定", "缺少 2026-09 的月度得分")


def test_the_best_forty_percent_of_a_department_are_good(standards):
    # Ten people: four places (40 %, rounded down); the one at 660 is 一般 but still counts
    # among the ten the share is taken of.
    means = [700, 699, 698, 697, 696, 695, 694, 693, 692, 660]
    people = [staff(f"P{k}", [m] * 3) for k, m in enumerate(means)]
    grades = graded(standards, people)
    assert [grades[f"P{k}"][0] for k in range(10)] == ["好"] * 4 + ["较好"] * 5 + ["一般"]


def test_seven_equal_means_across_the_last_good_place_are_all_pending(standards):
    # Ten people, four places; seven share the best mean: none of them can be told apart.
    people = [staff(f"E{k}", [698, 698, 698]) for k in range(7)]
    people += [staff(f"L{k}", [680, 680, 680]) for k in range(3)]
    grades = graded(standards, people)
    assert {grades[f"E{k}"] for k in range(7)} == {
        ("待定", "与其他 6 人同为 698.00，跨越“好”的名额（本科室 4 名），请科室研究决定")}
    assert {grades[f"L{k}"][0] for k in range(3)} == {"较好"}
    assert good_share(standards, quarter_grades(standards, Q3, people)) == {"社保所": (0, 10)}


def test_departments_are_graded_apart_and_leaders_not_here(standards):
    people = [staff("A", [700] * 3, "社保所"), staff("B", [690] * 3, "社保所"),
              staff("C", [680] * 3, "城市管理科"),
              staff("L", [700] * 3, "街道领导班子", level="班子成员")]
    grades = graded(standards, people)
    assert grades == {"A": ("好", ""), "B": ("较好", ""), "C": ("好", "")}


def test_the_thresholds_and_share_are_data(standards, standards_data):
    standards_data["quarter"] |= {"fair_below": 690, "best_share": 0.5}
    office = parse_standards(standards_data)
    people = [staff(f"P{k}", [m] * 3) for k, m in enumerate([700, 699, 698, 680])]
    assert [graded(office, people)[f"P{k}"][0] for k in range(4)] == ["好", "好", "较好", "一般"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("grades", ["好", "较好", "一般"], "quarter.grades"),
    ("best_share", 1.5, "quarter.best_share"),
    ("not_graded", ["处长"], "quarter.not_graded"),
    ("excellent_needs_good", 5, "quarter.excellent_needs_good"),
])
def test_a_broken_quarter_section_is_refused_naming_the_key(standards_data, key, value, message):
    from qianfen_xl.contract.errors import StandardsError

    standards_data["quarter"][key] = value
    with pytest.raises(StandardsError, match=message):
        parse_standards(standards_data)


def test_an_office_may_require_good_quarters_for_excellent(standards_data):
    from datetime import date

    from qianfen_xl.scoring.eligibility import Case, verdicts
    from qianfen_xl.scoring.facts import PersonFacts

    year = (date(2026, 1, 1), date(2026, 12, 31))
    two_good = Case(PersonFacts(), *year, quarters=("好", "较好", "好", "较好"))
    one_poor = Case(PersonFacts(), *year, quarters=("好", "好", "较差", "好"))
    default = parse_standards(standards_data)  # the rule is off by default
    assert verdicts(default, two_good) == verdicts(default, one_poor) == []
    standards_data["quarter"] |= {"excellent_needs_good": 3, "excellent_forbids_poor": True}
    office = parse_standards(standards_data)
    assert [(v.effect, v.reason) for v in verdicts(office, two_good)] == [
        ("not_excellent", "平时考核“好”的季度 2 个，少于 3 个，不能评为优秀")]
    assert [(v.effect, v.reason) for v in verdicts(office, one_poor)] == [
        ("not_excellent", "平时考核有“较差”的季度，不能评为优秀")]
