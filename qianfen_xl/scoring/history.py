"""Earlier years' final grades beside this year's (SCORING.md §7): 优秀 several years in a
row (a 记三等功 proposal) and a low grade several years in a row, for HR; how many years,
and which grades are low, come from the standards (``grades.history``). Pure functions.

>>> from qianfen_xl.contract.standards import load_standards
>>> s = load_standards()
>>> years = {2024: {"A": ("公务员", "优秀")}, 2025: {"A": ("公务员", "基本称职")}}
>>> [(f.flag, f.detail) for f in history_flags(s, 2026, {"A": ("公务员", "不称职")}, years)]
[('连续 2 年等次偏低', '2025 年度基本称职、2026 年度不称职：请按规定处理')]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards

Grades = Mapping[str, tuple[str, str]]  # 编号 → (人员类别, 等次) of one year


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    flag: str
    detail: str


def _position(standards: Standards, category: str, grade: str) -> int | None:
    """The grade's place in the person's vocabulary (0 = 优秀), None for a mark."""
    vocabulary = standards.grading.vocabulary(category)
    return vocabulary.index(grade) if grade in vocabulary else None


def _run(year: int, years: int, current: tuple[str, str], pid: str,
         earlier: Mapping[int, Grades]) -> list[tuple[int, tuple[str, str] | None]]:
    """(year, (人员类别, 等次)) from ``years - 1`` years back up to this one."""
    back = [(year - k, earlier.get(year - k, {}).get(pid)) for k in range(years - 1, 0, -1)]
    return [*back, (year, current)]


def history_flags(standards: Standards, year: int, current: Grades,
                  earlier: Mapping[int, Grades]) -> list[Flag]:
    """Flags for this ``year``'s people from the ``earlier`` years' final grades."""
    rules, excellent = standards.grading.history, standards.grading.excellent
    out = []
    for pid, now in sorted(current.items()):
        run = _run(year, rules.excellent_years, now, pid, earlier)
        if all(g is not None and _position(standards, *g) == 0 for _, g in run):
            out.append(Flag(pid, f"连续 {rules.excellent_years} 年{excellent}",
                            f"{run[0][0]}–{year} 年度均为{excellent}，可按规定提出记三等功"))
        run = _run(year, rules.low_years, now, pid, earlier)
        positions = [None if g is None else _position(standards, *g) for _, g in run]
        if all(p is not None and p + 1 >= rules.low_from for p in positions):
            grades = "、".join(f"{y} 年度{g[1]}" for y, g in run if g is not None)
            out.append(Flag(pid, f"连续 {rules.low_years} 年等次偏低", f"{grades}：请按规定处理"))
    return out
