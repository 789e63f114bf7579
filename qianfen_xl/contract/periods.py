"""Assessment periods: ISO week ``2026-W47``, month ``2026-11``, quarter ``2026-Q3``,
half-year ``2026-H2``, year ``2026``.

>>> q = parse_period("2026-Q3")
>>> (q.kind, str(q.start), str(q.end), [m.label for m in q.months()])
('quarter', '2026-07-01', '2026-09-30', ['2026-07', '2026-08', '2026-09'])
>>> [p.label for p in parse_period("2026").quarters()]
['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from qianfen_xl.contract.errors import PeriodError

_PATTERNS = {
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "half": re.compile(r"^(\d{4})-H([12])$"),
    "year": re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date
    label: str
    kind: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def months(self) -> tuple[Period, ...]:
        """The calendar months this period touches, in order (a week may touch two)."""
        out: list[Period] = []
        y, m = self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            out.append(parse_period(f"{y:04d}-{m:02d}"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)

    def quarters(self) -> tuple[Period, ...]:
        """The calendar quarters this period touches, in order."""
        labels = dict.fromkeys(f"{m.start.year:04d}-Q{(m.start.month + 2) // 3}"
                               for m in self.months())
        return tuple(parse_period(label) for label in labels)


def _month_end(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return nxt - timedelta(days=1)


def parse_period(label: object) -> Period:
    """Read a period label; raise :class:`PeriodError` (Chinese message) when it is not one."""
    text = str(label).strip() if label is not None else ""
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        try:
            if kind == "week":
                week = int(match.group(2))
                start = date.fromisocalendar(year, week, 1)
                return Period(start, start + timedelta(days=6), text, kind)
            if kind == "month":
                month = int(match.group(2))
                return Period(date(year, month, 1), _month_end(year, month), text, kind)
            if kind == "quarter":
                first = 3 * int(match.group(2)) - 2
                return Period(date(year, first, 1), _month_end(year, first + 2), text, kind)
            if kind == "half":
                first = 1 if match.group(2) == "1" else 7
                return Period(date(year, first, 1), _month_end(year, first + 5), text, kind)
            return Period(date(year, 1, 1), date(year, 12, 31), text, kind)
        except ValueError:
            break
    raise PeriodError(f"期间 “{text}” 无法识别：周如 2026-W47，月如 2026-11，季度如 2026-Q3，"
                      "半年如 2026-H2，年如 2026")


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
