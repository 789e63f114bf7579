"""Who may be graded, and who may be 优秀: the facts of a person's year at their boundaries
(SCORING.md §7, the standards file's ``grades.eligibility`` and ``grades.sanctions``).

Each test is one boundary, worked by hand on the boundary itself and one unit either side:
a day in the unit, a day of leave, a sanction's first or last day, a quarter graded 好. The
period is the calendar year: 2026 has 365 days (half is 182.5), 2028 has 366 (half is 183).
"""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards, parse_standards
from qianfen_xl.scoring.eligibility import Case, verdicts
from qianfen_xl.scoring.facts import PersonFacts

S = load_standards()
IN_UNIT = S.grading.rule("in_unit").limit   # 0.5: in the unit under this share → 不定等次
LEAVE = S.grading.rule("leave").limit       # 0.5: 病事假 over this share → 不定等次
Y2026 = (date(2026, 1, 1), date(2026, 12, 31))  # 365 days
Y2028 = (date(2028, 1, 1), date(2028, 12, 31))  # 366 days: a leap year


def found(period, standards=S, quarters=(), **facts):
    """The verdicts on one person, as (effect, reason); [] when the person is graded freely."""
    case = Case(PersonFacts(**facts), *period, quarters=quarters)
    return [(v.effect, v.reason) for v in verdicts(standards, case)]


def effects(period, standards=S, quarters=(), **facts):
    return [effect for effect, _ in found(period, standards, quarters, **facts)]


def office(**quarter):
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["quarter"] |= quarter
    return parse_standards(data)


# ------------------------------------------------------------------ 入职: in the unit

def test_a_new_hire_in_the_unit_half_the_year_or_more_is_graded():
    """"在本单位工作不足半年的（含新录用、试用期），只写评语，不定等次" (SCORING.md §7).

    2026 has 365 days; half is 182.5. Hired 2026-07-02: 183 days in the unit (07-02 to 12-31,
    both counted), not under half → graded. Hired 2026-07-01: 184 days → graded."""
    assert IN_UNIT * 365 == 182.5
    assert found(Y2026, hired=date(2026, 7, 2)) == []
    assert found(Y2026, hired=date(2026, 7, 1)) == []


def test_a_new_hire_under_half_the_year_is_not_graded():
    """Hired 2026-07-03: 182 days of 365, under half (182.5) → 不定等次, only 评语 written."""
    assert found(Y2026, hired=date(2026, 7, 3)) == [
        ("ungraded", "2026-07-03 入职，本期在本单位 182 天，不足 50%：只写评语，不定等次")]


def test_in_a_leap_year_exactly_half_the_year_in_the_unit_is_graded():
    """2028 has 366 days; half is exactly 183. Hired 2028-07-02: 183 days, exactly half,
    which is not *under* half → graded. 2028-07-01: 184 days → graded. 2028-07-03: 182 days
    → 不定等次."""
    assert IN_UNIT * 366 == 183
    assert found(Y2028, hired=date(2028, 7, 2)) == []
    assert found(Y2028, hired=date(2028, 7, 1)) == []
    assert effects(Y2028, hired=date(2028, 7, 3)) == ["ungraded"]


def test_half_of_a_half_year_is_counted_on_its_own_days():
    """The period is the one assessed: 2026-H1 has 181 days (half 90.5), 2028-H1 182 (half
    91). Hired 04-01: 91 days to 06-30 → graded in both (in 2028, exactly half); hired
    04-02: 90 days → 不定等次 in both."""
    h1_2026, h1_2028 = (date(2026, 1, 1), date(2026, 6, 30)), (date(2028, 1, 1), date(2028, 6, 30))
    assert found(h1_2026, hired=date(2026, 4, 1)) == found(h1_2028, hired=date(2028, 4, 1)) == []
    assert found(h1_2026, hired=date(2026, 4, 2)) == [
        ("ungraded", "2026-04-02 入职，本期在本单位 90 天，不足 50%：只写评语，不定等次")]
    assert effects(h1_2028, hired=date(2028, 4, 2)) == ["ungraded"]


def test_hired_on_the_first_day_of_the_year_is_in_the_unit_the_whole_year():
    """入职 on 2026-01-01, or any day before: the whole year in the unit → graded."""
    assert found(Y2026, hired=date(2026, 1, 1)) == []
    assert found(Y2026, hired=date(2025, 12, 31)) == []
    assert found(Y2026, hired=date(2026, 1, 2)) == []  # 364 days


def test_hired_on_the_last_day_of_the_year_is_one_day_in_the_unit():
    """入职 on 2026-12-31: the last day counts, 1 day in the unit → 不定等次."""
    assert found(Y2026, hired=date(2026, 12, 31)) == [
        ("ungraded", "2026-12-31 入职，本期在本单位 1 天，不足 50%：只写评语，不定等次")]


# ------------------------------------------------------------------ 病事假 and 产假

@pytest.mark.parametrize(("days", "graded"), [(182, True), (182.5, True), (183, False)])
def test_leave_of_exactly_half_the_year_is_graded(days, graded):
    """"病、事假累计超过考核年度半年的，不定等次" (SCORING.md §7: over half the year).

    2026: half is 182.5 days. 182 or exactly 182.5 days of 病事假 are not *over* half →
    graded; 183 days are → 不定等次."""
    assert LEAVE * 365 == 182.5
    assert effects(Y2026, leave_days=days) == ([] if graded else ["ungraded"])


def test_leave_over_half_the_year_is_not_graded_and_says_so():
    """183 days of leave in 2026 → 不定等次, the reason naming the days and the share."""
    assert found(Y2026, leave_days=183) == [
        ("ungraded", "病事假累计 183 天，超过本期的 50%（产假不计）：不定等次")]


@pytest.mark.parametrize(("days", "graded"), [(182.5, True), (183, True), (183.5, False)])
def test_in_a_leap_year_leave_of_exactly_183_days_is_graded(days, graded):
    """2028 has 366 days, half exactly 183: 183 days of leave are not over half → graded;
    183.5 days are → 不定等次."""
    assert effects(Y2028, leave_days=days) == ([] if graded else ["ungraded"])


def test_maternity_leave_is_kept_apart_from_sick_and_personal_leave():
    """"产假不计入病事假" (SCORING.md §7: maternity leave does not count).

    100 days of 病事假 and 158 of 产假 (258 together, over half of 365): only the 100 count →
    graded; the 产假 is shown as a note that changes nothing."""
    assert found(Y2026, leave_days=100, maternity_days=158) == [
        ("", "产假 158 天，不计入病事假")]


def test_maternity_leave_never_tips_sick_leave_over_half():
    """182 days of 病事假 (under half) and a whole year's 产假: still graded, the 产假 noted;
    183 days of 病事假 with 产假 beside them: 不定等次 for the 病事假 alone (产假不计)."""
    assert effects(Y2026, leave_days=182, maternity_days=365) == [""]
    assert found(Y2026, leave_days=183, maternity_days=98) == [
        ("ungraded", "病事假累计 183 天，超过本期的 50%（产假不计）：不定等次")]


def test_maternity_leave_of_the_whole_year_alone_is_graded():
    """A year of 产假 and no 病事假 column filled in: graded, the 产假 noted."""
    assert effects(Y2026, maternity_days=365) == [""]


# ------------------------------------------------------------------ 立案审查

def test_a_person_under_investigation_is_deferred_and_one_not_is_graded():
    """"正在接受立案审查的，暂缓确定等次，结案后补定" (SCORING.md §7)."""
    assert effects(Y2026, investigation=True) == ["deferred"]
    assert found(Y2026, investigation=False) == []


# ------------------------------------------------------------------ 处分: its first and last day

def test_a_warning_given_on_the_first_day_of_the_year_bars_excellent():
    """"受警告处分的，当年不得评为优秀" (SCORING.md §7: 警告 in the year → not 优秀; its
    ``applies = "in_year"``). Given 2026-01-01, the year's first day → not 优秀; given the
    day before, 2025-12-31 → another year's warning, shown as a note only."""
    assert effects(Y2026, sanction="警告", sanction_date=date(2026, 1, 1)) == ["not_excellent"]
    assert found(Y2026, sanction="警告", sanction_date=date(2025, 12, 31)) == [
        ("", "2025-12-31 受警告处分，本期不在影响期内")]


def test_a_warning_given_on_the_last_day_of_the_year_bars_excellent():
    """Given 2026-12-31, the year's last day → not 优秀; given 2027-01-01 → not this year's."""
    assert effects(Y2026, sanction="警告", sanction_date=date(2026, 12, 31)) == ["not_excellent"]
    assert effects(Y2026, sanction="警告", sanction_date=date(2027, 1, 1)) == [""]


def test_a_demerit_still_in_force_on_the_first_day_of_the_year_leaves_it_ungraded():
    """"受记过以上处分的，在处分期间只写评语，不定等次" (SCORING.md §7: 记过 or heavier in
    force). 记过 is in force 12 months, counted from the day it is given (政务处分期自处分决定
    生效之日起计算): given 2025-01-02, its last day is 2026-01-01, the year's first day →
    不定等次. Given 2025-01-01, its last day is 2025-12-31 → over before the year began."""
    assert found(Y2026, sanction="记过", sanction_date=date(2025, 1, 2)) == [
        ("ungraded", "2025-01-02 受记过处分（影响期 12 个月，至 2026-01-01）："
                     "处分期间只写评语，不定等次")]
    assert found(Y2026, sanction="记过", sanction_date=date(2025, 1, 1)) == [
        ("", "2025-01-01 受记过处分，本期不在影响期内")]


def test_a_demerit_given_on_the_last_day_of_the_year_leaves_it_ungraded():
    """记过 given 2026-12-31: in force on the year's last day → 不定等次; given 2027-01-01 →
    not in force in 2026."""
    assert effects(Y2026, sanction="记过", sanction_date=date(2026, 12, 31)) == ["ungraded"]
    assert effects(Y2026, sanction="记过", sanction_date=date(2027, 1, 1)) == [""]


def test_each_sanction_is_in_force_for_its_own_months():
    """记大过 18 months, 降级 and 撤职 24: given 2024-07-02, 记大过's last day is 2026-01-01
    (in force in 2026 → 不定等次); given 2024-07-01 it ended 2025-12-31. 降级 given
    2024-01-02 ends 2026-01-01 → 不定等次; given 2024-01-01 → ended 2025-12-31."""
    assert effects(Y2026, sanction="记大过", sanction_date=date(2024, 7, 2)) == ["ungraded"]
    assert effects(Y2026, sanction="记大过", sanction_date=date(2024, 7, 1)) == [""]
    for heavy in ("降级", "撤职"):
        assert effects(Y2026, sanction=heavy, sanction_date=date(2024, 1, 2)) == ["ungraded"]
        assert effects(Y2026, sanction=heavy, sanction_date=date(2024, 1, 1)) == [""]


def test_a_sanction_without_its_date_or_not_in_the_standards_changes_nothing():
    """A 处分 needs its 处分日期 to be judged (the roster refuses one without it); a name
    the standards file does not list is no sanction here."""
    assert found(Y2026, sanction="记过") == []
    assert found(Y2026, sanction="通报", sanction_date=date(2026, 3, 1)) == []


# ------------------------------------------------------------------ 平时考核 and 优秀

def test_exactly_the_required_number_of_good_quarters_allows_excellent():
    """An office may require, as data, that "优秀 needs at least two 好 quarters" (SCORING.md
    §8). Two 好 → may be 优秀; three → may be; one → not 优秀."""
    two = office(excellent_needs_good=2)
    assert found(Y2026, two, quarters=("好", "好", "较好", "较好")) == []
    assert found(Y2026, two, quarters=("好", "好", "好", "较好")) == []
    assert found(Y2026, two, quarters=("好", "较好", "较好", "较好")) == [
        ("not_excellent", "平时考核“好”的季度 1 个，少于 2 个，不能评为优秀")]


def test_a_poor_quarter_bars_excellent_only_where_the_office_says_so():
    """"… and no 较差" is the office's choice (``excellent_forbids_poor``): with it, one 较差
    quarter bars 优秀 however many 好; without it, the 好 count alone decides."""
    quarters = ("好", "好", "较差", "好")
    assert found(Y2026, office(excellent_needs_good=2), quarters=quarters) == []
    assert found(Y2026, office(excellent_forbids_poor=True), quarters=quarters) == [
        ("not_excellent", "平时考核有“较差”的季度，不能评为优秀")]
    assert found(Y2026, office(excellent_forbids_poor=True),
                 quarters=("好", "一般", "一般", "好")) == []


def test_people_not_graded_by_quarter_are_not_held_to_the_good_quarters_rule():
    """"Each quarter, each person (班子成员 aside) gets a grade" (SCORING.md §8): 班子成员 have
    no 平时考核 here (every quarter blank), so the rule on 好 quarters cannot bar them from
    优秀 (they are graded by the level above). A person graded in one quarter of the two
    required is held to it."""
    two = office(excellent_needs_good=2, excellent_forbids_poor=True)
    assert found(Y2026, two, quarters=("", "", "", "")) == []
    assert effects(Y2026, two, quarters=("", "", "好", "较好")) == ["not_excellent"]
