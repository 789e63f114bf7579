"""The month's score at its boundaries (SCORING.md §3–§4, §7's rounding; the standards'
``[scoring]``): each cap reached exactly and passed by one addition, each ceiling reached
exactly, a norm emptied to exactly 0, the first and last day of a month (February of a leap
year included), and ranks that compare the rounded scores.

Additions are 5 (B01), 10 (B02), 20 (B03) and 3 (B04) per occurrence; a deduction is 2 points
(5 for 廉洁自律, N09).
"""

from __future__ import annotations

from datetime import date

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import load_standards
from qianfen_xl.scoring.engine import (
    Incident,
    Person,
    competition_ranks,
    incidents_between,
    score_department,
    score_person,
)

S = load_standards()
PERSON_CAP, DEPARTMENT_CAP = S.person_additions_cap, S.department_additions_cap   # 30, 50
DAY = date(2026, 11, 17)


def inc(person, code, count=1, day=DAY):
    return Incident(day, person, code, count, "事由")


def person(*incidents):
    return score_person(S, "A01", "甲", [inc("A01", code, n) for code, n in incidents])


def department(*incidents, members=1):
    roster = [Person(f"A{k:02d}", f"人{k}") for k in range(1, members + 1)]
    return score_department(S, "社保所", roster, [inc(None, code, n) for code, n in incidents])


def test_a_persons_additions_of_exactly_the_cap_count_whole():
    """"Capped per period (30 per person per month)": 20 points deducted (660 left), then
    B02 × 3 = 30 → 30 added (690); B02 × 3 + B04 = 33 → 30 (690); B02 × 2 + B04 × 3 = 29
    → 29 (689)."""
    assert PERSON_CAP == 30
    deducted = ("N03-01", 20)
    assert (person(deducted, ("B02", 3)).additions, person(deducted, ("B02", 3)).total) == (30, 690)
    assert person(deducted, ("B02", 3), ("B04", 1)).total == 690
    assert person(deducted, ("B02", 2), ("B04", 3)).total == 689


def test_a_person_reaches_700_exactly_and_never_passes_it():
    """"A total never exceeds its full marks": 30 points deducted and 30 added → 700; 32
    deducted → 698; 28 deducted → 702, kept at 700."""
    assert person(("N03-01", 15), ("B02", 3)).total == 700
    assert person(("N03-01", 16), ("B02", 3)).total == 698
    assert person(("N03-01", 14), ("B02", 3)).total == 700


def test_a_departments_additions_of_exactly_the_cap_count_whole():
    """"50 per department per month": its norms lose 60 (N06 × 30 → 940 with one member at
    700), then B02 × 5 = 50 → 990; B02 × 5 + B04 = 53 → 990; B02 × 4 + B04 × 3 = 49 → 989."""
    assert DEPARTMENT_CAP == 50
    lost = ("N06-01", 30)
    assert (department(lost, ("B02", 5)).additions, department(lost, ("B02", 5)).total) == (50, 990)
    assert department(lost, ("B02", 5), ("B04", 1)).total == 990
    assert department(lost, ("B02", 4), ("B04", 3)).total == 989


def test_a_department_reaches_1000_exactly_and_never_passes_it():
    """满分 1000 "is a ceiling": members 700 + norms 290 (N06 × 5) + B02 = 1000; + B02 + B04
    = 1003 → 1000; + B01 + B04 = 998."""
    assert department(("N06-01", 5), ("B02", 1)).total == 1000
    assert department(("N06-01", 5), ("B02", 1), ("B04", 1)).total == 1000
    assert department(("N06-01", 5), ("B01", 1), ("B04", 1)).total == 998


def test_a_norm_emptied_exactly_stops_at_0_and_never_takes_from_another():
    """"A norm never goes below 0 in a period": N04 × 50 = 100 points → 0; × 49 → 2; × 60 →
    still 0, and a deduction in N03 beside it counts in N03 alone (698 − 100 = 598)."""
    assert person(("N04-01", 50)).norms["N04"] == 0
    assert person(("N04-01", 49)).norms["N04"] == 2
    beyond = person(("N04-01", 60), ("N03-01", 1))
    assert (beyond.norms["N04"], beyond.norms["N03"], beyond.total) == (0, 98, 598)


def test_a_months_first_and_last_day_are_in_it_and_the_days_around_are_not():
    """"An incident belongs to the month of its date": 11-01 and 11-30 are November's; 10-31
    and 12-01 are not."""
    days = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1)]
    november = parse_period("2026-11")
    found = incidents_between([inc("A01", "N03-01", day=d) for d in days], november.start,
                              november.end)
    assert [i.day for i in found] == [date(2026, 11, 1), date(2026, 11, 30)]


def test_february_29_of_a_leap_year_is_februarys():
    """2028-02 ends on the 29th, 2026-02 on the 28th: an incident on 2028-02-29 is February's,
    one on 2028-03-01 is not."""
    feb = parse_period("2028-02")
    assert (feb.end, parse_period("2026-02").end) == (date(2028, 2, 29), date(2026, 2, 28))
    found = incidents_between([inc("A01", "N03-01", day=d) for d in
                               (date(2028, 2, 29), date(2028, 3, 1))], feb.start, feb.end)
    assert [i.day for i in found] == [date(2028, 2, 29)]


def test_ranks_compare_the_rounded_scores():
    """"Ranks compare the rounded values, so what a reader sees is what is ranked": 社保所's
    eight members lose 15 points (5585 / 8 = 698.125 → 698.13, half away from zero) and
    城管科's fifteen lose 28 (10472 / 15 = 698.1333… → 698.13). Both show 998.13 → 并列
    first (Python's round would make 社保所 998.12, second)."""
    a = score_department(S, "社保所", [Person(f"A{k}", "") for k in range(8)],
                         [inc("A0", "N09-02", 3)])
    b = score_department(S, "城管科", [Person(f"B{k}", "") for k in range(15)],
                         [inc("B0", "N03-01", 14)])
    assert (a.member_mean, b.member_mean, a.total, b.total) == (698.13, 698.13, 998.13, 998.13)
    assert competition_ranks({"社保所": a.total, "城管科": b.total}) == {"社保所": 1, "城管科": 1}
