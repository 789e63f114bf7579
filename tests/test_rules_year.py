"""The half-year and year at their boundaries (SCORING.md §5, §7–§8; ``scoring/year.py``):
the weights of the year's 测评 and 考评, the total's bounds reached exactly, 平时 rounded half
up, the months of a person hired in the year, and the year assembled from its months — a
366-day year, a veto's quarter, and the 班子成员 outside the quarter grades.

The assembled years are built from the engine's own month scores (no workbook): each month
every department is scored from its incidents, as consolidation gives it to the year.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards, parse_standards
from qianfen_xl.scoring.engine import DepartmentScore, Incident, Person, score_department
from qianfen_xl.scoring.evaluation import Evaluation
from qianfen_xl.scoring.facts import PersonFacts
from qianfen_xl.scoring.year import assemble_year, combine_year, department_year, person_year

S = load_standards()
TOP = S.annual["regular_max"]     # 700: 平时 at most
MAX = S.annual["total_max"]       # 1000


@dataclass(frozen=True)
class Month:
    """A department's month as the year reads it (consolidation's DepartmentMonth)."""

    department: str
    ranked: bool
    score: DepartmentScore | None
    members: Sequence[Person]


def staff(pid, department="社保所", level="一般工作人员"):
    return Person(pid, f"人{pid}", department, "行政口", "公务员", level)


def year(people, year_=2026, incidents=(), facts=None, standards=S):
    """The year of ``people`` (each month scored from ``incidents``, dated), every one with
    测评 100 and 考评 100: a person with no deduction totals 700 + 200 + 100 = 1000."""
    months = {}
    for m in range(1, 13):
        label = f"{year_}-{m:02d}"
        rows = []
        for d in dict.fromkeys(p.department for p in people):
            members = tuple(p for p in people if p.department == d)
            mine = [i for i in incidents if i.day and i.day.month == m]
            rows.append(Month(d, d != standards.leadership_unit,
                              score_department(standards, d, members, mine), members))
        months[label] = rows
    period = str(year_)
    evaluations = {period: {p.id: Evaluation(p.id, (), 100.0, False) for p in people}}
    assessments = {period: {p.id: 100.0 for p in people}}
    result = assemble_year(standards, months, [period], evaluations, assessments, {},
                           facts=facts or {})
    return {p.id: p for p in result.people}


# ------------------------------------------------------------------ the year's parts

def test_the_year_weighs_the_half_year_04_and_the_year_end_06():
    """"The year uses 0.4 × half-year evaluation + 0.6 × year-end evaluation": 70 and 90 →
    28 + 54 = 82 (the weights swapped would give 78). One alone stands for the year."""
    assert combine_year(S, 70, 90) == 82.0
    assert (combine_year(S, 70, None), combine_year(S, None, 90)) == (70, 90)
    assert combine_year(S, None, None) is None


def test_the_total_reaches_1000_exactly_and_never_passes_it():
    """"平时 (≤700) + 测评 (≤200) + 考评 (≤100) + adjustments, clamped to [0, 1000]": 700 + 200
    + 100 = 1000; with +0.01 of adjustments, still 1000."""
    assert person_year(S, [TOP], 100, 100).total == 1000
    assert person_year(S, [TOP], 100, 100, adjustments=0.01).total == MAX
    assert person_year(S, [TOP], 100, 99.99).total == 999.99


def test_the_total_reaches_0_exactly_and_never_goes_below():
    """700 of 平时 and −700 of adjustments → 0; −700.01 → still 0, never negative."""
    assert person_year(S, [TOP], 0, 0, adjustments=-700).total == 0
    assert person_year(S, [TOP], 0, 0, adjustments=-700.01).total == 0


def test_the_regular_part_is_the_mean_of_the_months_rounded_half_up():
    """Six months of an office whose items deduct 0.1 point: five at 699.9 and one at 699.99
    → 4199.49 / 6 = 699.915 → 平时 699.92, half away from zero (Python's round gives
    699.91); 测评 83.13 × 2 = 166.26; 考评 90 → 956.18."""
    year_ = person_year(S, [699.9] * 5 + [699.99], 83.13, 90)
    assert (year_.regular, year_.evaluation, year_.total) == (699.92, 166.26, 956.18)
    assert round(4199.49 / 6, 2) == 699.91


def test_a_department_year_leaves_a_missing_month_out_of_its_mean():
    """"0.8 × 平时 + 0.2 × 考评": months 990, (none), 1000 → 平时 995 → 796 + 180 = 976."""
    assert department_year(S, [990, None, 1000], 900) == 976.0


# ------------------------------------------------------------------ the year assembled

def test_a_month_ending_on_the_hire_date_is_the_persons():
    """入职 2026-07-31: July ended on the hire date → July is the person's (its score counts
    in 平时); June is not. 入职 2026-08-01: July ended before it → not the person's."""
    on_last_day = year([staff("A01")], facts={"A01": PersonFacts(hired=date(2026, 7, 31))})
    assert on_last_day["A01"].monthly[5:7] == (None, 700)
    next_day = year([staff("A01")], facts={"A01": PersonFacts(hired=date(2026, 8, 1))})
    assert next_day["A01"].monthly[6:8] == (None, 700)


def test_the_assembled_year_of_a_leap_year_has_366_days():
    """2028: half the year is 183 days. 入职 2028-07-02 (183 days) → graded; 入职 2028-07-03
    (182 days) → 不定等次."""
    people = [staff("A01"), staff("A02")]
    facts = {"A01": PersonFacts(hired=date(2028, 7, 2)), "A02": PersonFacts(hired=date(2028, 7, 3))}
    grades = {pid: p.grade.proposal for pid, p in year(people, 2028, facts=facts).items()}
    assert grades == {"A01": "称职", "A02": "不定等次"}  # A01: a pool of 2 has no 优秀 place


def test_a_veto_in_the_quarters_last_month_makes_that_quarter_poor_and_the_year_not_excellent():
    """N09-01 on 2026-03-31, the last day of Q1: Q1 is 较差 whatever its mean, and the year
    "一票否决 … ineligible for 优秀": 990 → 称职, though first of a pool of five (one place)."""
    people = [staff(f"A0{k}") for k in range(1, 6)]
    veto = Incident(date(2026, 3, 31), "A01", "N09-01", 1, "事由")
    a01 = year(people, incidents=[veto])["A01"]
    assert (a01.quarters[0], a01.year.total, a01.grade.proposal) == ("较差", 999.58, "称职")
    assert a01.notes[0] == "一票否决（N09-01），不能评为优秀"


def test_leadership_is_not_held_to_the_good_quarters_rule():
    """With an office's rule "优秀 needs at least two 好 quarters", the 班子成员 — who get no
    quarter grade here — keep 优秀（报上级审定） at 1000; the staff without 好 quarters (five
    equal means: every quarter 待定) are not 优秀."""
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["quarter"]["excellent_needs_good"] = 2
    office = parse_standards(data)
    people = [staff("L01", "街道领导班子", "班子成员"), *(staff(f"A0{k}") for k in range(1, 6))]
    result = year(people, standards=office)
    assert (result["L01"].quarters, result["L01"].grade.proposal) == (
        ("", "", "", ""), "优秀（报上级审定）")
    assert result["A01"].quarters == ("待定",) * 4
    assert "平时考核“好”的季度 0 个，少于 2 个，不能评为优秀" in result["A01"].notes
