"""Registers built from the real templates for tests: a roster, incidents, then edits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY

from qianfen_xl.engine import Incident, Person
from qianfen_xl.filling import fill_incidents
from qianfen_xl.standards import Standards
from qianfen_xl.templates import build_register, save_workbook

DEPT = "社保所"
ROSTER = [
    Person("A01", "张晓明", DEPT, "行政口", "公务员", "科室负责人"),
    Person("A02", "李海燕", DEPT, "行政口", "事业编人员", "一般工作人员"),
    Person("A03", "王建国", DEPT, "行政口", "工勤人员", "一般工作人员"),
]
WEEK = "2026-W47"  # 2026-11-16 … 2026-11-22
INCIDENTS = [
    Incident(date(2026, 11, 16), "A01", "N03-05", 2, "办公时间玩游戏"),
    Incident(date(2026, 11, 17), "A02", "N09-01", 1, "索取服务对象财物"),
    Incident(date(2026, 11, 17), None, "N06-02", 1, "中午关门"),
    Incident(date(2026, 11, 18), "A03", "B01", 1, "街道通报表扬"),
]


def register(tmp: Path, standards: Standards, *, kind: str = KIND_WEEKLY, period: str = WEEK,
             roster: Sequence[Person] = ROSTER, incidents: Sequence[Incident] = INCIDENTS,
             department: str = DEPT, edit: Callable[[Workbook], None] | None = None,
             name: str = "register.xlsx") -> Path:
    wb = build_register(kind, standards, department=department, period=period, roster=roster)
    fill_incidents(wb, standards, incidents, {p.id: p.name for p in roster})
    if edit is not None:
        edit(wb)
    return save_workbook(wb, tmp / name)


__all__ = ["DEPT", "INCIDENTS", "KIND_MONTHLY", "KIND_WEEKLY", "ROSTER", "WEEK", "register"]
