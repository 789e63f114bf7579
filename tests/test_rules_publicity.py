"""公示 of the proposed 优秀 at its boundaries (SCORING.md §7: "published for at least 5 working
days (weekends and the holidays listed in the standards file skipped; 调休 working days
counted)"): the first day counted when it is a working day, a weekend start, a holiday run
and a 调休 Saturday, on 2026's official calendar.
"""

from __future__ import annotations

from datetime import date

from qianfen_xl.contract.standards import load_standards

CALENDAR = load_standards().calendar


def test_a_publicity_starting_on_monday_ends_on_friday():
    """Five working days counting the first: Monday 2026-11-02 … Friday 11-06; from Tuesday
    11-03 the fifth working day is Monday 11-09 (the weekend skipped)."""
    assert CALENDAR.publicity_days == 5
    assert CALENDAR.publicity(date(2026, 11, 2)) == (date(2026, 11, 2), date(2026, 11, 6))
    assert CALENDAR.publicity(date(2026, 11, 3)) == (date(2026, 11, 3), date(2026, 11, 9))


def test_a_publicity_starting_on_a_weekend_begins_on_monday():
    """Saturday 11-07 or Sunday 11-08: the first working day is Monday 11-09 → ends Friday
    11-13."""
    for start in (date(2026, 11, 7), date(2026, 11, 8)):
        assert CALENDAR.publicity(start) == (date(2026, 11, 9), date(2026, 11, 13))


def test_a_holiday_run_is_skipped_and_a_tiaoxiu_saturday_counted():
    """Thursday 2026-04-30 (1), 劳动节 05-01 … 05-05 skipped, 05-06 (2), 05-07 (3), 05-08 (4),
    Saturday 05-09, a 调休 working day (5) → ends Saturday 05-09."""
    assert CALENDAR.publicity(date(2026, 4, 30)) == (date(2026, 4, 30), date(2026, 5, 9))


def test_a_publicity_starting_on_a_holiday_begins_after_it():
    """元旦 2026-01-01 … 01-03, then Sunday 01-04 a 调休 working day: a 公示 from 01-01 begins
    on 01-04 and ends Thursday 01-08."""
    assert CALENDAR.publicity(date(2026, 1, 1)) == (date(2026, 1, 4), date(2026, 1, 8))
