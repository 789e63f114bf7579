"""Who a register says it is, across the batch, at its boundaries (``batch/identity.py``;
SCORING.md §4, PRODUCT.md: never rank what is unidentified or conflicting).

- One 编号 on the 人员 sheets of two departments' registers whose periods overlap — by one
  day is enough — is an 错误 on both: a person is scored in one department only. Periods
  that meet end to start without a common day do not overlap.
- Two registers of one department and one period conflict; a department's weekly and
  monthly registers of the same days do not (the monthly supersedes the weeklies).
- A 科室 not on the roster is an 错误, with the roster's name one character away offered.

Weeks are ISO weeks (Monday to Sunday): 2026-W09 runs 02-23 … 03-01, so its last day is
March's first; 2026-W49 runs 11-30 … 12-06, so its first day is November's last; 2026-W22
(05-25 … 05-31) and 2026-W23 (06-01 … 06-07) meet June without overlapping May or June.
"""

from __future__ import annotations

from qianfen_xl.batch.identity import (
    conflicts,
    one_edit_apart,
    people_in_two_departments,
    unknown_departments,
)
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.intake.register import Submission
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY
from qianfen_xl.scoring.engine import Person

ZHANG = Person("A01", "张晓明")
KINDS = {"week": KIND_WEEKLY, "month": KIND_MONTHLY}


def register(department, period, people=(ZHANG,), name=""):
    p = parse_period(period)
    label = name or f"{department}/{period}.xlsx"
    return Submission(label, label, 1, True, kind=KINDS.get(p.kind, ""), department=department,
                      period=p, roster=tuple(people))


def flagged(*subs):
    """The files with an 错误 for a person in two departments."""
    return sorted(f.file for f in people_in_two_departments(list(subs)))


def test_a_week_ending_on_the_first_day_of_a_month_overlaps_that_month():
    """2026-W09 ends Sunday 2026-03-01: one day in common with 2026-03 → 张晓明 in 社保所's
    week and 城管科's March is in two departments at once → an 错误 on both files."""
    week, month = register("社保所", "2026-W09"), register("城管科", "2026-03")
    assert flagged(week, month) == ["城管科/2026-03.xlsx", "社保所/2026-W09.xlsx"]


def test_a_week_starting_on_the_last_day_of_a_month_overlaps_that_month():
    """2026-W49 starts Monday 2026-11-30, November's last day → overlaps 2026-11; it does
    not touch 2026-10."""
    week = register("社保所", "2026-W49")
    assert flagged(week, register("城管科", "2026-11")) == ["城管科/2026-11.xlsx",
                                                            "社保所/2026-W49.xlsx"]
    assert flagged(week, register("城管科", "2026-10")) == []


def test_a_week_ending_the_day_before_a_month_does_not_overlap_it():
    """2026-W22 ends 05-31, June starts 06-01: no common day → no finding, the person may
    have moved department at the month's turn. 2026-W23 starts 06-01: no common day with
    May either."""
    assert flagged(register("社保所", "2026-W22"), register("城管科", "2026-06")) == []
    assert flagged(register("社保所", "2026-W23"), register("城管科", "2026-05")) == []


def test_a_month_and_the_quarter_after_it_do_not_overlap_but_its_own_quarter_does():
    """2026-09 ends 09-30, 2026-Q4 starts 10-01: no finding; 2026-10 lies in 2026-Q4: a
    finding on both."""
    assert flagged(register("社保所", "2026-09"), register("城管科", "2026-Q4")) == []
    assert flagged(register("社保所", "2026-10"), register("城管科", "2026-Q4")) == [
        "城管科/2026-Q4.xlsx", "社保所/2026-10.xlsx"]


def test_a_week_overlapping_a_quarter_by_its_first_day_is_in_two_departments():
    """2025-W14 starts Monday 2025-03-31, the last day of 2025-Q1: one common day → a
    finding; with 2025-Q2 (from 04-01) six common days; with 2024-Q4, none."""
    week = register("社保所", "2025-W14")
    assert flagged(week, register("城管科", "2025-Q1")) == ["城管科/2025-Q1.xlsx",
                                                            "社保所/2025-W14.xlsx"]
    assert len(flagged(week, register("城管科", "2025-Q2"))) == 2
    assert flagged(week, register("城管科", "2024-Q4")) == []


def test_a_week_across_the_new_year_overlaps_both_years():
    """2026-W53 runs 2026-12-28 … 2027-01-03: it overlaps 2026-12 and 2027-01 alike."""
    week = register("社保所", "2026-W53")
    assert len(flagged(week, register("城管科", "2026-12"))) == 2
    assert len(flagged(week, register("城管科", "2027-01"))) == 2
    assert flagged(week, register("城管科", "2027-02")) == []


def test_one_department_may_list_a_person_in_its_weekly_and_monthly_registers():
    """The same 编号 in 社保所's W49 and its 2026-11 and 2026-12: one department → no finding."""
    assert flagged(register("社保所", "2026-W49"), register("社保所", "2026-11"),
                   register("社保所", "2026-12")) == []


def test_only_the_overlapping_register_of_the_other_department_is_named():
    """社保所's W48 (11-23 … 11-29) and W49 (11-30 … 12-06), 城管科's December: W49 shares
    12-01 … 12-06 with December, W48 no day → W49 and December are flagged, each naming
    the other; W48 is not."""
    found = people_in_two_departments([register("社保所", "2026-W48"),
                                       register("社保所", "2026-W49"),
                                       register("城管科", "2026-12")])
    assert {f.file: f.detail for f in found} == {
        "社保所/2026-W49.xlsx": "A01 张晓明 也在 城管科/2026-12.xlsx 的人员表中",
        "城管科/2026-12.xlsx": "A01 张晓明 也在 社保所/2026-W49.xlsx 的人员表中"}


def test_two_registers_of_one_department_and_period_conflict():
    """Two different files of 社保所 for 2026-W49: which one counts cannot be known → an
    错误 on each, naming the other."""
    a = register("社保所", "2026-W49", name="社保所/第49周.xlsx")
    b = register("社保所", "2026-W49", name="社保所/第49周（改）.xlsx")
    assert [(f.file, f.detail) for f in conflicts([a, b])] == [
        ("社保所/第49周.xlsx", "社保所 2026-W49：另见 社保所/第49周（改）.xlsx"),
        ("社保所/第49周（改）.xlsx", "社保所 2026-W49：另见 社保所/第49周.xlsx")]


def test_a_weekly_and_a_monthly_register_of_the_same_days_do_not_conflict():
    """社保所's W49 and its 2026-11 share 11-30; the monthly register supersedes the weeklies
    for November (SCORING.md §4), so they are no conflict. Two departments' registers of one
    period are none either."""
    assert conflicts([register("社保所", "2026-W49"), register("社保所", "2026-11")]) == []
    assert conflicts([register("社保所", "2026-11"), register("城管科", "2026-11")]) == []


def test_a_department_one_character_off_the_roster_is_offered_the_roster_name():
    """"社保局" is one character from "社保所" (changed), "社保" one short, "社保所所" one too
    many → each is an 错误 offering “社保所”; "社会保障所" is further → an 错误 without a hint."""
    known = {"社保所", "城市管理科"}
    found = unknown_departments([register(d, "2026-11") for d in
                                 ("社保局", "社保", "社保所所", "社会保障所", "社保所")], known)
    assert [f.detail for f in found] == ["“社保局”，是否应为 “社保所”？", "“社保”，是否应为 “社保所”？",
                                         "“社保所所”，是否应为 “社保所”？", "“社会保障所”"]


def test_one_edit_apart_is_one_change_insertion_or_deletion_exactly():
    """The same name is no edit; one character changed, added or removed is one; two are not."""
    assert not one_edit_apart("社保所", "社保所")
    assert one_edit_apart("社保所", "社保局") and one_edit_apart("社保所", "社保")
    assert one_edit_apart("社保", "社保所") and one_edit_apart("社保所", "社保所所")
    assert not one_edit_apart("社保所", "社会局") and not one_edit_apart("社保所", "社保所办公")
