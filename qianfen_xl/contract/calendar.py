"""The one working-day calendar: a day is a working day when it is a weekday not listed as
a holiday, or a listed 调休 working day (a weekend day worked instead). It serves the 公示
of the proposed 优秀 (SCORING.md §7: its first and last working day) and completeness (a
month is owed the weekly register of every ISO week with a working day in it).

>>> cal = WorkCalendar(holidays=frozenset({date(2026, 10, 1)}), workdays=frozenset(),
...                    official_years=(2026,), publicity_days=5)
>>> cal.publicity(date(2026, 9, 28))   # Mon … Wed, the 1st off, Fri, then Mon
(datetime.date(2026, 9, 28), datetime.date(2026, 10, 5))
>>> from qianfen_xl.contract.periods import parse_period
>>> cal.owed_weeks(parse_period("2026-11"))  # Sunday 1 November is no working day
('2026-W45', '2026-W46', '2026-W47', '2026-W48', '2026-W49')
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from qianfen_xl.contract.checking import check_keys, dates, fail, whole
from qianfen_xl.contract.periods import Period, week_of

_KEYS = {"publicity_days", "official_years", "holidays", "workdays"}
SATURDAY = 5
PUBLICITY_MAX = 60  # working days: a 公示 of more is a typing error (and a long loop)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]           # 调休: weekend days that are working days
    official_years: tuple[int, ...]     # years whose 放假调休 notice is listed in full
    publicity_days: int                 # 公示: at least this many working days

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < SATURDAY and day not in self.holidays)

    def next_workday(self, day: date) -> date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def publicity(self, start: date) -> tuple[date, date]:
        """The 公示's first and last day: from the first working day on or after ``start``,
        ``publicity_days`` working days counting the first."""
        first = day = self.next_workday(start)
        for _ in range(self.publicity_days - 1):
            day = self.next_workday(day + timedelta(days=1))
        return first, day

    def working_days(self, period: Period) -> Iterator[date]:
        day = period.start
        while day <= period.end:
            if self.is_workday(day):
                yield day
            day += timedelta(days=1)

    def owed_weeks(self, period: Period) -> tuple[str, ...]:
        """The ISO weeks with at least one working day within ``period``, in order: for a
        month, the weekly registers it is owed (a week all holidays is owed none)."""
        return tuple(dict.fromkeys(week_of(day) for day in self.working_days(period)))

    def unlisted_years(self, first: date, last: date) -> list[int]:
        """Years of the span whose official 调休 arrangement the file does not list: there
        only weekends and the statutory holidays the file has are known."""
        return [y for y in range(first.year, last.year + 1) if y not in self.official_years]

    @property
    def digest(self) -> str:
        """A short fingerprint of the days: which calendar a result was computed with (the
        calendar is not in the standards' hash, so adding a year's days changes no register)."""
        days = [sorted(self.holidays), sorted(self.workdays), sorted(self.official_years),
                self.publicity_days]
        return hashlib.sha256(repr(days).encode()).hexdigest()[:12]

    def describe(self) -> str:
        """The calendar in a line, for 数据来源: which years are listed in full."""
        partial = sorted({d.year for d in self.holidays} - set(self.official_years))
        listed = "、".join(map(str, sorted(self.official_years))) or "无"
        text = f"工作日历（{self.digest}）：放假调休安排已列入 {listed} 年"
        if partial:
            text += f"，{'、'.join(map(str, partial))} 年只列法定节假日"
        return text


def parse_calendar(data: Mapping[str, Any]) -> WorkCalendar:
    """The ``[calendar]`` section: holidays and 调休 working days as TOML dates."""
    raw = data.get("calendar")
    if not isinstance(raw, dict):
        raise fail("calendar", "缺少此项，或不是一个表 (table)")
    check_keys(raw, "calendar", _KEYS)
    holidays, workdays = dates(raw, "holidays", "calendar"), dates(raw, "workdays", "calendar")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise fail("calendar.workdays", f"{both[0]} 同时列为节假日和调休上班日")
    weekday = next((d for d in workdays if d.weekday() < SATURDAY), None)
    if weekday is not None:
        raise fail("calendar.workdays", f"{weekday} 不是周末：调休上班日应是周六或周日")
    years = raw.get("official_years", [])
    if not isinstance(years, list) or not all(type(y) is int for y in years):
        raise fail("calendar.official_years", "必须是年份列表，如 [2026]")
    days = whole(raw, "publicity_days", "calendar", maximum=PUBLICITY_MAX)
    if days < 1:
        raise fail("calendar.publicity_days", "公示至少 1 个工作日")
    return WorkCalendar(frozenset(holidays), frozenset(workdays), tuple(years), days)
