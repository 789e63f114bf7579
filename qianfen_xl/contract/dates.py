"""The years a date may fall in (the standards file's ``[dates]``): every date read from a
cell (a register's period, a roster's 入职日期, an earlier year's results) or given on the
command line (``--period``, ``--year``, ``--notice-start``) lies in this window, or it is a
finding or a clean refusal. Outside it a date is a typing error (``9999``), and the
arithmetic on it (the months of a period, the 公示's working days) would overflow.

>>> window = DateWindow(2000, 2100)
>>> window.holds(date(2026, 11, 17)), window.holds(date(9999, 12, 31))
(True, False)
>>> window.check_day(date(9999, 12, 31), "公示开始日期")
Traceback (most recent call last):
...
qianfen_xl.contract.errors.PeriodError: 公示开始日期 9999-12-31 不在评分标准允许的年份（2000 至 2100 年）内
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from qianfen_xl.contract.checking import check_keys, fail, whole
from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.contract.periods import Period, parse_period

_KEYS = {"first_year", "last_year"}
# Without a [dates] section (an office's older file): the window the shipped file states.
DEFAULT_YEARS = (2000, 2100)
# Any window keeps a year after it for the arithmetic (the next year's 公示, a week's end).
YEAR_BOUNDS = (1900, 9000)


@dataclass(frozen=True, slots=True)
class DateWindow:
    first_year: int
    last_year: int

    @property
    def words(self) -> str:
        return f"{self.first_year} 至 {self.last_year} 年"

    @property
    def outside(self) -> str:
        """What a finding says of a date outside the window."""
        return f"年份应在 {self.words}之间"

    def holds_year(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def holds(self, day: date) -> bool:
        return self.holds_year(day.year)

    def holds_period(self, period: Period) -> bool:
        return self.holds(period.start) and self.holds(period.end)

    def check_day(self, day: date, what: str) -> date:
        """``day``, or a :class:`PeriodError` naming ``what`` when it is outside."""
        if not self.holds(day):
            raise PeriodError(f"{what} {day} 不在评分标准允许的年份（{self.words}）内")
        return day

    def within(self, period: Period, what: str = "期间") -> Period:
        """``period``, or a :class:`PeriodError` when it reaches outside the window."""
        if not self.holds_period(period):
            raise PeriodError(f"{what} “{period.label}” 不在评分标准允许的年份（{self.words}）内")
        return period

    def period(self, label: object, what: str = "期间") -> Period:
        """A period label read and checked: a :class:`PeriodError` when it is no period or
        reaches outside the window."""
        text = str(label).strip() if label is not None else ""
        if text[:4].isdigit() and text[4:5] in ("", "-") and not self.holds_year(int(text[:4])):
            raise PeriodError(f"{what} “{text}” 不在评分标准允许的年份（{self.words}）内")
        return self.within(parse_period(text), what)


DEFAULT_WINDOW = DateWindow(*DEFAULT_YEARS)


def parse_dates(data: Mapping[str, Any]) -> DateWindow:
    """The ``[dates]`` section (optional: 2000 to 2100 without it)."""
    raw = data.get("dates")
    if raw is None:
        return DEFAULT_WINDOW
    if not isinstance(raw, dict):
        raise fail("dates", "必须是一个表 (table)")
    check_keys(raw, "dates", _KEYS)
    low, high = YEAR_BOUNDS
    window = DateWindow(whole(raw, "first_year", "dates", minimum=low, maximum=high),
                        whole(raw, "last_year", "dates", minimum=low, maximum=high))
    if window.first_year > window.last_year:
        raise fail("dates.first_year", "不能晚于 last_year")
    return window
