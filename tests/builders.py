"""Registers built from the real templates for tests: a roster, incidents, then edits."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo.sample import random_incidents
from qianfen_xl.excel.vba import vba_modules
from qianfen_xl.forms.filling import fill_incidents
from qianfen_xl.forms.registers import FLAVOUR_FORMULAS, FLAVOUR_UDF, build_register
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
    """A filled register; named .xlsm, the UDF flavour carrying its VBA project, as a
    department sends back the .xlsm template."""
    xlsm = name.endswith(".xlsm")
    wb = build_register(kind, standards, department=department, period=period, roster=roster,
                        flavour=FLAVOUR_UDF if xlsm else FLAVOUR_FORMULAS)
    fill_incidents(wb, standards, incidents, {p.id: p.name for p in roster})
    if edit is not None:
        edit(wb)
    return save_workbook(wb, tmp / name, vba=vba_modules() if xlsm else None)




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
                 departments: Sequence[str] = ("社保所", "城市管理科", "党建工作部"),
                 suffix: str = ".xlsx") -> Street:
    """Weekly registers of several departments for November 2026, from the real templates
    (the ``suffix`` one: .xlsx or .xlsm), with seeded random incidents (the engine's inputs
    are kept for the expected scores)."""
    rng = random.Random(seed)
    inbox = tmp / "inbox"
    street = Street(inbox, STREET, {}, [])
    for department in departments:
        people = [p for p in STREET if p.department == department]
        street.incidents[department] = []
        for week in WEEKS:
            incidents = random_incidents(standards, people, parse_period(week), rng, rate=1.5)
            street.incidents[department] += incidents
            name = f"{department}/{department}_{week}{suffix}"
            (inbox / department).mkdir(parents=True, exist_ok=True)
            street.files.append(register(inbox, standards, period=week, roster=people,
                                         incidents=incidents, department=department,
                                         name=name))
    return street


def decide_as_proposed(register: Path, appraisal: str = "") -> Path:
    """Type the decisions into a 年度考核情况登记表 as the assessment group would: every
    proposal taken (the level above's grade for 班子成员), the two tied at the 优秀 boundary
    decided apart, 同意, and ``appraisal`` as everyone's 鉴定意见."""
    wb = load_workbook(register)
    ws = wb["考核决定"]
    tied = []
    for r in range(6, ws.max_row + 1):
        proposal = ws[f"F{r}"].value
        if proposal == "待定":
            tied.append(r)
        ws[f"G{r}"], ws[f"I{r}"] = proposal.split("（")[0], "同意"
        if appraisal:
            ws[f"H{r}"] = appraisal
    ws[f"G{tied[0]}"], ws[f"G{tied[1]}"] = "优秀", "称职"  # the assessment group decides
    wb.save(register)
    return register


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




# ---------------------------------------------------------------- a small street's year

YEAR = "2026"
LEADER = Person("L01", "韩立新", "街道领导班子", "党口", "公务员", "班子成员")
YEAR_PEOPLE = [
    LEADER,
    Person("S01", "张晓明", "社保所", "行政口", "公务员", "科室负责人"),
    *(Person(f"S0{k}", name, "社保所", "行政口", "公务员", "一般工作人员")
      for k, name in zip(range(2, 7), ("李海燕", "王建国", "刘丽华", "陈志强", "杨秀英"), strict=True)),
    Person("S07", "赵文博", "社保所", "行政口", "事业编人员", "一般工作人员"),
    Person("S08", "黄雨萱", "社保所", "行政口", "工勤人员", "一般工作人员"),
    Person("U01", "周国庆", "城市管理科", "行政口", "公务员", "科室负责人"),
    *(Person(f"U0{k}", name, "城市管理科", "行政口", "公务员", "一般工作人员")
      for k, name in zip(range(2, 6), ("吴春梅", "徐子涵", "孙立新", "胡婉清"), strict=True)),
    *(Person(f"U0{k}", name, "城市管理科", "行政口", "事业编人员", "一般工作人员")
      for k, name in zip(range(6, 9), ("朱振华", "高思远", "林桂兰"), strict=True)),
]
ROSTER_FACTS_HEADER = ("编号,姓名,科室,口,人员类别,岗位层级,性别,出生年月,政治面貌,任现职时间,职务职级,"
                       "从事或分管工作,入职日期,病事假天数,产假天数,立案审查,处分,处分日期")
# 编号 → (入职日期, 病事假天数, 产假天数, 立案审查, 处分, 处分日期): what §7 makes of each
YEAR_FACTS = {
    "S02": ("2026-07-20", "", "", "", "", ""),        # in the unit under half the year
    "S03": ("", "200", "", "", "", ""),               # sick leave over half the year
    "S04": ("", "", "", "是", "", ""),                # under investigation: 暂缓
    "S05": ("", "", "", "", "警告", "2026-05-12"),    # 警告 in the year: not 优秀
    "U02": ("", "", "", "", "记过", "2025-10-08"),    # 记过 in force until 2026-10: 不定等次
    "U03": ("", "10", "150", "", "", ""),             # maternity leave never counts
}
VETOED = "U04"  # a veto incident (N09-01) in March


def year_roster_csv(path: Path, people: Sequence[Person] = YEAR_PEOPLE,
                    facts: dict[str, tuple[str, ...]] = YEAR_FACTS) -> Path:
    """The street roster with the optional columns of the year (particulars for all)."""
    lines = [ROSTER_FACTS_HEADER]
    for k, p in enumerate(people):
        particulars = ("男" if k % 2 else "女", f"{1970 + k}.0{1 + k % 9}", "中共党员",
                       "2020.03", "一级科员" if p.level != "科室负责人" else "科长", f"{p.department}工作")
        row = (p.id, p.name, p.department, p.line, p.category, p.level, *particulars,
               *facts.get(p.id, ("",) * 6))
        lines.append(",".join(row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def street_year(tmp: Path, standards: Standards, people: Sequence[Person] = YEAR_PEOPLE) -> Path:
    """A year's inbox from the real templates: every department's twelve monthly registers
    (one incident a month, a veto for VETOED in March), the 机关全体人员 ballots of the
    half-year and the year-end, and the 考评录入表 of both. Totals differ person by
    person."""
    from qianfen_xl.forms.ballots import build_assessment, build_ballot, ratees_of

    inbox = tmp / "inbox"
    departments: dict[str, list[Person]] = {}
    for p in people:
        departments.setdefault(p.department, []).append(p)
    for m in range(1, 13):
        for d, members in departments.items():
            rows = [Incident(date(2026, m, 5), members[(m + 1) % len(members)].id, "N07-04",
                             1 + m % 2, "周例会迟到")]
            if m == 3 and any(p.id == VETOED for p in members):
                rows.append(Incident(date(2026, 3, 12), VETOED, "N09-01", 1, "索取财物"))
            register(inbox, standards, kind=KIND_MONTHLY, period=f"2026-{m:02d}",
                     roster=members, incidents=rows, department=d,
                     name=f"{d}_2026-{m:02d}.xlsx")
    everyone = ratees_of(standards, "机关全体人员", people)
    for period in ("2026-H1", YEAR):
        for k in range(6):
            wb = build_ballot(standards, "机关全体人员", period, everyone)
            ws = wb["测评"]
            ws["H2"] = f"{period}-{k}"
            for r in range(5, 5 + len(everyone)):
                ws[f"D{r}"] = 86 + (r * 3 + k) % 13
            save_workbook(wb, inbox / period / f"全体_{k}.xlsx")
        wb = build_assessment(standards, period, people)
        ws = wb["考评"]
        for r in range(5, ws.max_row + 1):
            ws[f"D{r}"] = 950 if ws[f"C{r}"].value == "科室" else 80 + (r * 7) % 19
        save_workbook(wb, inbox / f"考评录入表_{period}.xlsx")
    return inbox


__all__ = ["DEPT", "INCIDENTS", "KIND_MONTHLY", "KIND_WEEKLY", "LEADER", "MONTH", "ROSTER",
           "STREET", "VETOED", "WEEK", "WEEKS", "YEAR", "YEAR_FACTS", "YEAR_PEOPLE", "Street", "add_macros",
           "encrypt", "read_charts", "register", "street_month", "street_year",
           "year_roster_csv"]


def bound(which: str, xml: str) -> float | None:
    """A chart's value-axis bound (None: the application chooses)."""
    import re

    found = re.search(rf'<c:{which} val="([^"]+)"', xml)
    return float(found.group(1)) if found else None


def read_charts(path: Path) -> list[dict]:
    """Each chart of a workbook, in order, as a reader checks it: title, categories (the
    cells its range names), axis bounds, whether values are labelled."""
    import re
    import zipfile

    book = load_workbook(path)

    def cells(ref):
        sheet, cols = ref.rsplit("!", 1)
        return [c.value for row in book[sheet.strip("'")][cols.replace("$", "")] for c in row]

    with zipfile.ZipFile(path) as z:
        names = sorted((n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
                       key=lambda n: int(re.search(r"\d+", n).group()))
        out = []
        for n in names:
            xml = z.read(n).decode()
            title = "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml.split("</c:title>")[0]))
            cat = xml.split("<c:cat>")[1].split("</c:cat>")[0] if "<c:cat>" in xml else ""
            refs = re.findall(r"<c:f>([^<]*)</c:f>", cat)
            out.append({"title": title,
                        "categories": cells(refs[0]) if refs else [],
                        "min": bound("min", xml), "max": bound("max", xml),
                        "labels": '<c:showVal val="1"/>' in xml})
    return out
