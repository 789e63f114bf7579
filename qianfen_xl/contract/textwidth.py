"""How much room a text takes in a spreadsheet column, in Excel's width units (a CJK
character counts two): the report and form writers size columns and rows by it, since no
application sizes rows a file did not."""

from __future__ import annotations

import math


def text_width(value: str) -> int:
    """Columns the text takes: a CJK (or other wide) character counts two.

    >>> text_width("一站式服务大厅"), text_width("2026-W47")
    (14, 8)
    """
    if value.isascii():  # file names, hashes, numbers: one column a character (C speed)
        return len(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)


def wrapped_lines(value: str, width: float) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide.

    >>> wrapped_lines("登记表有错误，见校验报告：城市管理科_2026-W49_周考核情况登记表.xlsx", 44)
    2
    """
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in value.split("\n"))
