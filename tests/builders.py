"""Registers built from the real templates for tests: a roster, incidents, then edits."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo.sample import random_incidents
from qianfen_xl.forms.filling import fill_incidents
from qianfen_xl.forms.registers import build_register
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY
from qianfen_xl.scoring.engine import Incident, Person

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




# ---------------------------------------------------------------- a small street's month

MONTH = "2026-11"
WEEKS = ("2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49")  # W49 = Nov 30 – Dec 6
STREET = [
    *ROSTER,
    Person("C01", "赵振华", "城市管理科", "行政口", "公务员", "科室负责人"),
    Person("C02", "孙玉洁", "城市管理科", "行政口", "工勤人员", "一般工作人员"),
    Person("P01", "周德明", "党建工作部", "党口", "公务员", "科室负责人"),
    Person("P02", "吴欣怡", "党建工作部", "党口", "公务员", "一般工作人员"),
    Person("G01", "郑宏伟", "工委办公室", "党口", "公务员", "科室负责人"),  # sends nothing
]


@dataclass
class Street:
    inbox: Path
    roster: list[Person]
    incidents: dict[str, list[Incident]]    # every incident written, by department
    files: list[Path]

    def month_incidents(self, department: str, start: date, end: date) -> list[Incident]:
        return [i for i in self.incidents[department] if i.day and start <= i.day <= end]


def street_month(tmp: Path, standards: Standards, *, seed: int = 7,
                 departments: Sequence[str] = ("社保所", "城市管理科", "党建工作部")) -> Street:
    """Weekly registers of several departments for November 2026, from the real templates,
    with seeded random incidents (the engine's inputs are kept for the expected scores)."""
    rng = random.Random(seed)
    inbox = tmp / "inbox"
    street = Street(inbox, STREET, {}, [])
    for department in departments:
        people = [p for p in STREET if p.department == department]
        street.incidents[department] = []
        for week in WEEKS:
            incidents = random_incidents(standards, people, parse_period(week), rng, rate=1.5)
            street.incidents[department] += incidents
            name = f"{department}/{department}_{week}.xlsx"
            (inbox / department).mkdir(parents=True, exist_ok=True)
            street.files.append(register(inbox, standards, period=week, roster=people,
                                         incidents=incidents, department=department,
                                         name=name))
    return street


def add_macros(path: Path, target: Path) -> Path:
    """The same register as a macro-enabled .xlsm carrying a VBA project with an auto-run
    macro (the bytes are a stand-in: nothing may ever execute them)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"</Types>", b'<Default Extension="bin" ContentType='
                    b'"application/vnd.ms-office.vbaProject"/></Types>')
            dst.writestr(item, data)
        dst.writestr("xl/vbaProject.bin", b"Sub Auto_Open()\r\n  Shell \"calc.exe\"\r\nEnd Sub\r\n")
    return target


def encrypt(path: Path, target: Path, password: str = "1234") -> Path:
    import msoffcrypto.format.ooxml as ooxml

    with path.open("rb") as src, target.open("wb") as dst:
        ooxml.OOXMLFile(src).encrypt(password, dst)
    return target


__all__ = ["DEPT", "INCIDENTS", "KIND_MONTHLY", "KIND_WEEKLY", "MONTH", "ROSTER", "STREET", "WEEK",
           "WEEKS", "Street", "add_macros", "encrypt", "register", "street_month"]
