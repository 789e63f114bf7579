"""A corpus of hostile and broken year-end materials, built from the real templates: the
民主测评票 and 考评录入表 beside a street's year, the roster, a filled 年度考核情况登记表,
the earlier years' results (--history) and an office's standards file. Each case says what
it must produce: the finding codes of its file, or the words of a clean refusal. Used by
test_hostile_year.py (as hostile.py is by test_hostile.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from qianfen_xl.contract.standards import DEFAULT_PATH, Standards
from qianfen_xl.forms.ballots import build_assessment, build_ballot
from qianfen_xl.forms.style import save_workbook

from builders import YEAR, YEAR_PEOPLE

EVERYONE = "机关全体人员"
EXTRA = "附加"  # the cases' folder in the inbox: sorts after the street's own files


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[..., Path | None]
    expected: tuple[str, ...]   # finding codes of its file; or words of the refusal


def rezip(source: Path, target: Path, edit: Callable[[str, bytes], bytes]) -> Path:
    """Copy a workbook's parts through ``edit`` (name, bytes) → bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, edit(item.filename, src.read(item.filename)))
    return target


def _ratee(pid: str) -> tuple[str, str, str]:
    p = next(p for p in YEAR_PEOPLE if p.id == pid)
    return p.id, p.name, p.level


def _ballot(folder: Path, s: Standards, name: str, group: str, ratees, marks,
            period: str = YEAR, number: str = "") -> Path:
    wb = build_ballot(s, group, period, ratees)
    ws = wb["测评"]
    ws["H2"] = number or f"附加-{name}"
    for r, mark in enumerate(marks, start=5):
        ws[f"D{r}"] = mark
    return save_workbook(wb, folder / f"{name}.xlsx")


def _assessment(folder: Path, s: Standards, name: str,
                edit: Callable[[object, dict[str, int]], None]) -> Path:
    """A second 考评录入表 of the year (the street's own came first), ``edit``ed by row."""
    wb = build_assessment(s, YEAR, YEAR_PEOPLE)
    ws = wb["考评"]
    rows = {ws[f"A{r}"].value: r for r in range(5, ws.max_row + 1)}
    edit(ws, rows)
    return save_workbook(wb, folder / f"{name}.xlsx")


# ------------------------------------------------------------ the evaluation files

def unknown_group(folder: Path, s: Standards) -> Path:
    """A ballot of a group the standards do not weigh, every mark 100: counted for nothing
    before, and listed as 已计入."""
    ratees = [_ratee(p.id) for p in YEAR_PEOPLE]
    return _ballot(folder, s, "未知测评组", "全体干部", ratees, [100] * len(ratees))


def ratee_unknown(folder: Path, s: Standards) -> Path:
    """A mark for someone on no roster and no register."""
    return _ballot(folder, s, "名单外对象", EVERYONE, [("Z99", "查无此人", "一般工作人员")], [100])


def ratee_not_rated(folder: Path, s: Standards) -> Path:
    """A 工委领导班子 ballot marking a staff member, whom that group does not rate."""
    return _ballot(folder, s, "不测评的对象", "工委领导班子", [_ratee("S02")], [60])


def ballot_year_9999(folder: Path, s: Standards) -> Path:
    return _ballot(folder, s, "期间9999", EVERYONE, [_ratee("S02")], [60], period="9999")


def forged_category(folder: Path, s: Standards) -> Path:
    """A second 考评录入表 typing S01's 类别 as 科室 to let a 950 through: the range is the
    roster's (0–100 for a person), and S01 already has a 考评 in the street's file."""
    def edit(ws, rows):
        ws[f"C{rows['S01']}"], ws[f"D{rows['S01']}"] = "科室", 950
    return _assessment(folder, s, "考评录入表_改类别", edit)


def assessed_twice(folder: Path, s: Standards) -> Path:
    """S03's row given twice in one file (the second kept, silently, before); the first
    of them also repeats the street's own 考评 of S03."""
    def edit(ws, rows):
        ws[f"D{rows['S03']}"] = 60
        ws[f"A{rows['S04']}"], ws[f"D{rows['S04']}"] = "S03", 99
    return _assessment(folder, s, "考评录入表_重复", edit)


def assessed_unknown(folder: Path, s: Standards) -> Path:
    def edit(ws, rows):
        ws[f"A{rows['S05']}"], ws[f"D{rows['S05']}"] = "Z98", 90
    return _assessment(folder, s, "考评录入表_名单外", edit)


EVALUATION_CASES = (
    Case("unknown_group", unknown_group, ("ballot-group-unknown",)),
    Case("ratee_unknown", ratee_unknown, ("ratee-unknown",)),
    Case("ratee_not_rated", ratee_not_rated, ("ballot-ratee-not-rated",)),
    Case("ballot_year_9999", ballot_year_9999, ("period-invalid",)),
    Case("forged_category", forged_category,
         ("assessment-category-mismatch", "assessment-duplicate", "assessment-invalid")),
    Case("assessed_twice", assessed_twice, ("assessment-duplicate",)),
    Case("assessed_unknown", assessed_unknown, ("ratee-unknown",)),
)


# ------------------------------------------------------------ the roster (--roster)

ROSTER_HEAD = "编号,姓名,科室,口,人员类别,岗位层级,入职日期"


def _roster_rows(extra: dict[str, str] | None = None) -> list[str]:
    extra = extra or {}
    return [ROSTER_HEAD] + [f"{p.id},{p.name},{p.department},{p.line},{p.category},{p.level},"
                            f"{extra.get(p.id, '')}" for p in YEAR_PEOPLE]


def _roster_xlsx(path: Path, cells: dict[str, object] | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    for line in _roster_rows():
        ws.append(line.split(","))
    for ref, value in (cells or {}).items():
        ws[ref] = value
    wb.save(path)
    return path


def roster_far_cell(scratch: Path, s: Standards) -> Path:
    """One far cell (XFD1048576): python-calamine would build a 17 billion cell grid."""
    return _roster_xlsx(scratch / "人员名单_远处单元格.xlsx", {"XFD1048576": "x"})


def roster_entities(scratch: Path, s: Standards) -> Path:
    source = _roster_xlsx(scratch / "源.xlsx")
    return rezip(source, scratch / "人员名单_实体.xlsx", lambda n, d: (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + d.split(b"?>")[-1]
        if n == "xl/workbook.xml" else d))


def roster_shadowed(scratch: Path, s: Standards) -> Path:
    """A hidden 人员 beside a visible "人员 ": which one is the roster?"""
    path = _roster_xlsx(scratch / "源2.xlsx")
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb["人员"])
    copy.title = "人员 "
    wb["人员"].sheet_state = "hidden"
    wb.save(scratch / "人员名单_影子.xlsx")
    return scratch / "人员名单_影子.xlsx"


def roster_fifo(scratch: Path, s: Standards) -> Path:
    path = scratch / "人员名单_管道.csv"
    os.mkfifo(path)
    return path


def roster_link_to_device(scratch: Path, s: Standards) -> Path:
    path = scratch / "人员名单_设备.csv"
    path.symlink_to("/dev/zero")
    return path


def roster_year_9999(scratch: Path, s: Standards) -> Path:
    path = scratch / "人员名单_9999.csv"
    path.write_text("\n".join(_roster_rows({"S06": "9999-12-31"})) + "\n", encoding="utf-8")
    return path


def roster_csv_wide(scratch: Path, s: Standards) -> Path:
    """A CSV row of 5,000 fields: as far past a register's columns as the .xlsx far cell."""
    path = scratch / "人员名单_宽.csv"
    rows = _roster_rows()
    rows[1] += "," * 5000
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


ROSTER_CASES = (
    Case("roster_far_cell", roster_far_cell, ("工作表过大", "XFD1048576")),
    Case("roster_entities", roster_entities, ("XML 实体声明",)),
    Case("roster_shadowed", roster_shadowed, ("被隐藏或有名称相近的工作表",)),
    Case("roster_fifo", roster_fifo, ("不是普通文件",)),
    Case("roster_link_to_device", roster_link_to_device, ("链接",)),
    Case("roster_year_9999", roster_year_9999, ("人员名单中的日期无法识别", "G8")),
    Case("roster_csv_wide", roster_csv_wide, ("工作表过大", "5,007 列，上限 64 列")),
)


# ------------------------------------------------------------ the filled annual register

def _edit_sheet(register: Path, sheet: str, pid: str, header: str, value: object) -> Path:
    wb = load_workbook(register)
    ws = wb[sheet]
    head = 5 if sheet == "考核决定" else 3
    col = next(c.column_letter for c in ws[head] if c.value == header)
    row = next(r for r in range(head + 1, ws.max_row + 1) if ws[f"A{r}"].value == pid)
    ws[f"{col}{row}"] = value
    wb.save(register)
    return register


def month_typed_over(register: Path) -> Path:
    """A month's score of S01 typed over on 考核数据 (printed on the 入档 page)."""
    return _edit_sheet(register, "考核数据", "S01", "3月", 612.5)


def post_typed_over(register: Path) -> Path:
    return _edit_sheet(register, "考核数据", "S06", "职务职级", "处长")


def note_typed_over(register: Path) -> Path:
    return _edit_sheet(register, "考核数据", "S02", "需要说明的情况", "")


def period_path(register: Path) -> Path:
    """A 年度 that would put the results outside --out."""
    return _period(register, "2026/../../X")


def period_9999(register: Path) -> Path:
    return _period(register, "9999")


def _period(register: Path, value: str) -> Path:
    wb = load_workbook(register)
    wb["考核决定"]["D2"] = value
    wb.save(register)
    return register


def decisions_shadowed(register: Path) -> Path:
    """A hidden 考核决定 (what the reader took) beside a visible "考核决定 " (what the
    clerk filled)."""
    wb = load_workbook(register)
    copy = wb.copy_worksheet(wb["考核决定"])
    copy.title = "考核决定 "
    wb["考核决定"].sheet_state = "hidden"
    wb.active = wb.sheetnames.index("考核决定 ")
    wb.save(register)
    return register


REGISTER_CASES = (
    Case("month_typed_over", month_typed_over, ("register-data-changed",)),
    Case("post_typed_over", post_typed_over, ("register-data-changed",)),
    Case("note_typed_over", note_typed_over, ("register-data-changed",)),
    Case("period_path", period_path, ("period-invalid",)),
    Case("period_9999", period_9999, ("period-invalid",)),
    Case("decisions_shadowed", decisions_shadowed, ("sheet-shadowed",)),
)


# ------------------------------------------------------------ --history

def history_fifo(folder: Path) -> None:
    os.mkfifo(folder / "管道.json")


def history_device(folder: Path) -> None:
    (folder / "设备.json").symlink_to("/dev/zero")


def history_deep(folder: Path) -> None:
    (folder / "嵌套.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def history_huge_number(folder: Path) -> None:
    (folder / "超大数.json").write_text('{"year": 1e400, "people": []}', encoding="utf-8")


def history_nan(folder: Path) -> None:
    (folder / "非数.json").write_text('{"year": NaN, "people": []}', encoding="utf-8")


def history_year_9999(folder: Path) -> None:
    (folder / "9999.json").write_text(json.dumps({"year": 9999, "people": []}),
                                      encoding="utf-8")


def history_wrong_shape(folder: Path) -> None:
    (folder / "形状.json").write_text(json.dumps({"year": 2025, "people": [{"id": 1}]}),
                                      encoding="utf-8")


def history_too_large(folder: Path) -> None:
    with (folder / "过大.json").open("wb") as fh:
        fh.truncate(9 * 2**20)  # sparse: 9 MB of nothing


HISTORY_CASES = {
    "管道.json": history_fifo, "设备.json": history_device, "嵌套.json": history_deep,
    "超大数.json": history_huge_number, "非数.json": history_nan, "9999.json": history_year_9999,
    "形状.json": history_wrong_shape, "过大.json": history_too_large,
}


# ------------------------------------------------------------ the standards file

def _standards_text(edit: Callable[[str], str]) -> str:
    return edit(DEFAULT_PATH.read_text(encoding="utf-8"))


def _replace(pattern: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        changed, count = re.subn(pattern, new, text, count=1, flags=re.M)
        assert count == 1, pattern
        return changed
    return edit


STANDARDS_CASES = (
    # (name, edit of the default file's text, words the refusal must hold)
    ("minimum_as_text", _replace(r"^minimum = 1$", 'minimum = "3"'),
     "advanced_department.minimum"),
    ("min_score_as_text", _replace(r"^min_score = 900$", 'min_score = "900"'),
     "advanced_department.min_score"),
    ("trim_as_text", _replace(r"^trim_min_ballots = 5", 'trim_min_ballots = "5"'),
     "ballots.trim_min_ballots"),
    ("publicity_days_absurd", _replace(r"^publicity_days = 5", "publicity_days = 1000000000"),
     "calendar.publicity_days"),
    ("history_years_absurd", _replace(r"^excellent_years = 3", "excellent_years = 1000000000"),
     "grades.history.excellent_years"),
    ("sanction_months_absurd", _replace(r"^months = 6$", "months = 99999999"),
     "grades.sanctions[0].months"),
    ("cap_absurd", _replace(r"^person_additions_cap = 30", "person_additions_cap = 1e308"),
     "scoring.person_additions_cap"),
    ("window_absurd", _replace(r"^last_year = 2100", "last_year = 99999"), "dates.last_year"),
    ("deep_nesting", lambda t: t + "\n[deep]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n",
     "嵌套层数过多"),
)


def standards_fifo(folder: Path) -> Path:
    path = folder / "管道.toml"
    os.mkfifo(path)
    return path


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
