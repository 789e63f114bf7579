"""Earlier years' final grades beside this year's, at their boundaries (SCORING.md §7: "flag
连续三年优秀 (记三等功 proposal), and the fourth-grade or third-grade twice in a row, for
HR"; the standards' ``grades.history``: 3 years, 2 years, from the third grade).
"""

from __future__ import annotations

from qianfen_xl.contract.standards import load_standards
from qianfen_xl.scoring.history import history_flags

S = load_standards()
RULES = S.grading.history


def flags(now, earlier, category="公务员"):
    """(flag, detail) for person A graded ``now`` in 2026 after ``earlier`` {year: grade}."""
    years = {y: {"A": (category, g)} for y, g in earlier.items()}
    return [(f.flag, f.detail) for f in history_flags(S, 2026, {"A": (category, now)}, years)]


def test_three_excellent_years_in_a_row_propose_a_merit():
    """优秀 in 2024, 2025 and 2026 → 连续 3 年优秀, 记三等功 may be proposed."""
    assert RULES.excellent_years == 3
    assert flags("优秀", {2024: "优秀", 2025: "优秀"}) == [
        ("连续 3 年优秀", "2024–2026 年度均为优秀，可按规定提出记三等功")]


def test_two_excellent_years_are_not_three():
    """优秀 in 2025 and 2026 only (2024 称职, or no record of 2024) → no flag; four in a row
    → one flag, for the last three."""
    assert flags("优秀", {2024: "称职", 2025: "优秀"}) == []
    assert flags("优秀", {2025: "优秀"}) == []
    assert len(flags("优秀", {2023: "优秀", 2024: "优秀", 2025: "优秀"})) == 1


def test_a_gap_year_breaks_the_run():
    """优秀 in 2023, 2025 and 2026 but 称职 in 2024: not in a row → no flag."""
    assert flags("优秀", {2023: "优秀", 2024: "称职", 2025: "优秀"}) == []


def test_this_year_must_be_excellent_too():
    """优秀 in 2024 and 2025, 称职 in 2026 → no flag."""
    assert flags("称职", {2024: "优秀", 2025: "优秀"}) == []


def test_the_third_grade_twice_in_a_row_is_flagged():
    """基本称职 (the third grade) in 2025 and 2026 → 连续 2 年等次偏低."""
    assert flags("基本称职", {2025: "基本称职"}) == [
        ("连续 2 年等次偏低", "2025 年度基本称职、2026 年度基本称职：请按规定处理")]


def test_the_second_grade_is_not_low():
    """称职 then 基本称职, or 基本称职 then 称职: the second grade is not low → no flag."""
    assert flags("基本称职", {2025: "称职"}) == []
    assert flags("称职", {2025: "基本称职"}) == []


def test_low_grades_are_read_in_each_years_vocabulary():
    """基本合格 as 事业编人员 in 2025 and 不称职 as 公务员 in 2026: the third and the fourth
    grade of each year's vocabulary → flagged."""
    years = {2025: {"A": ("事业编人员", "基本合格")}}
    found = history_flags(S, 2026, {"A": ("公务员", "不称职")}, years)
    assert [f.detail for f in found] == ["2025 年度基本合格、2026 年度不称职：请按规定处理"]


def test_a_year_without_a_grade_breaks_a_low_run():
    """不定等次 in 2025 is no grade: 不称职 in 2026 alone → no flag."""
    assert flags("不称职", {2025: "不定等次"}) == []
