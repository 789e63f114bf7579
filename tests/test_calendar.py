"""The one working-day calendar (issue 28): the weeks a month is owed follow the standards'
holidays and 调休 working days, the ranking names only owed weeks, a year the calendar does
not list in full is warned about, and the calendar is outside the standards' hash (adding
next year's holidays breaks no template)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

import qianfen_xl
from qianfen_xl.batch.consolidation import INCOMPLETE, SCORED, consolidate
from qianfen_xl.cli import main
from qianfen_xl.contract.calendar import WorkCalendar
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import DEFAULT_PATH, Standards, load_standards
from qianfen_xl.demo.month import write_demo_month, write_roster_csv
from qianfen_xl.intake.register import Submission
from qianfen_xl.reports.ranking import status_note
from qianfen_xl.reports.ranking_json import ranking_dict
from qianfen_xl.schemas.columns import KIND_WEEKLY

from builders import DEPT, ROSTER, register

TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"


def owed(standards: Standards, month: str) -> tuple[str, ...]:
    return standards.calendar.owed_weeks(parse_period(month))


def weekdays_only() -> WorkCalendar:
    """A calendar listing no day at all: Monday to Friday are the working days."""
    return WorkCalendar(frozenset(), frozenset(), (), 5)


# ------------------------------------------------------------------ the weeks a month owes

def test_february_2026_owes_no_register_for_the_spring_festival_week(standards):
    # W08 (16–22 February) is all holidays; W05's only February day is Sunday 1 February.
    assert owed(standards, "2026-02") == ("2026-W06", "2026-W07", "2026-W09")
    assert not any(standards.calendar.is_workday(date(2026, 2, d)) for d in range(16, 23))


def test_january_2026_owes_w01_for_its_tiao_xiu_sunday(standards):
    """1–3 January are 元旦 holidays: W01's only working day in January is Sunday 4 January,
    a 调休 working day, and that alone makes W01 owed for January."""
    assert owed(standards, "2026-01") == ("2026-W01", "2026-W02", "2026-W03", "2026-W04",
                                          "2026-W05")
    assert [d for d in standards.calendar.working_days(parse_period("2026-W01"))
            if d.month == 1] == [date(2026, 1, 4)]
    without = replace(standards.calendar, workdays=standards.calendar.workdays - {date(2026, 1, 4)})
    assert without.owed_weeks(parse_period("2026-01"))[0] == "2026-W02"


def test_october_2026_owes_no_register_for_the_national_day_week(standards):
    """1–4 October (Thursday to Sunday) are 国庆 holidays: W40's working days are all in
    September; W41 is owed (8 and 9 October, and Saturday 10 October, a 调休 day)."""
    assert owed(standards, "2026-10") == ("2026-W41", "2026-W42", "2026-W43", "2026-W44")
    assert "2026-W40" in owed(standards, "2026-09")
    assert weekdays_only().owed_weeks(parse_period("2026-10"))[0] == "2026-W40"


def test_a_week_of_weekday_holidays_is_owed_for_its_tiao_xiu_saturday():
    calendar = WorkCalendar(frozenset(date(2026, 2, d) for d in range(16, 21)),
                            frozenset({date(2026, 2, 21)}), (2026,), 5)
    assert "2026-W08" in calendar.owed_weeks(parse_period("2026-02"))
    assert list(calendar.working_days(parse_period("2026-W08"))) == [date(2026, 2, 21)]


@pytest.mark.parametrize(("month", "weeks"), [
    # April begins on a Wednesday and ends on a Thursday: W14 and W18 are owed for April…
    ("2026-04", ("2026-W14", "2026-W15", "2026-W16", "2026-W17", "2026-W18")),
    ("2026-03", ("2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14")),
    # …and May begins on Friday 1 May, a holiday like 2 and 3 May: W18 is not owed for May.
    ("2026-05", ("2026-W19", "2026-W20", "2026-W21", "2026-W22")),
    # August ends on Monday 31 August: its last day alone makes W36 owed.
    ("2026-08", ("2026-W32", "2026-W33", "2026-W34", "2026-W35", "2026-W36")),
    # December ends on Thursday 31 December in ISO week 53 …
    ("2026-12", ("2026-W49", "2026-W50", "2026-W51", "2026-W52", "2026-W53")),
    # … whose one January day, Friday 1 January 2027, is 元旦 (a statutory day listed).
    ("2027-01", ("2027-W01", "2027-W02", "2027-W03", "2027-W04")),
])
def test_a_month_that_begins_or_ends_mid_week(standards, month, weeks):
    assert owed(standards, month) == weeks


def test_the_first_and_last_day_of_a_month_are_its_own():
    plain = weekdays_only()
    # Friday 1 January 2027, a working day here, makes 2026-W53 owed for January 2027.
    assert plain.owed_weeks(parse_period("2027-01"))[0] == "2026-W53"
    # Saturday 31 January 2026 is no working day: W05 is owed for January by 26–30 January,
    # and not at all for February (its Sunday 1 February).
    assert plain.owed_weeks(parse_period("2026-01"))[-1] == "2026-W05"
    assert plain.owed_weeks(parse_period("2026-02"))[0] == "2026-W06"


def test_a_leap_day_is_a_working_day_of_february():
    """29 February 2016 was a Monday: W09's only February day, owed for February for it."""
    plain = weekdays_only()
    assert parse_period("2016-02").end == date(2016, 2, 29)
    assert plain.owed_weeks(parse_period("2016-02"))[-1] == "2016-W09"
    assert plain.owed_weeks(parse_period("2016-03"))[0] == "2016-W09"
    # 2015 was no leap year: its February ended on Saturday the 28th, in W09 (owed by 23–27).
    assert plain.owed_weeks(parse_period("2015-02"))[-1] == "2015-W09"
    assert plain.owed_weeks(parse_period("2015-03"))[0] == "2015-W10"


# ------------------------------------------------------------- the gate, on the ranking

def _weekly(department: str, week: str) -> Submission:
    people = tuple(replace(p, department=department, id=f"{department}{p.id}") for p in ROSTER)
    return Submission(f"{department}/{department}_{week}.xlsx", f"{department}{week}", 1, True,
                      kind=KIND_WEEKLY, department=department, period=parse_period(week),
                      roster=people)


def _month(standards: Standards, month: str, sent: dict[str, tuple[str, ...]]):
    subs = [_weekly(d, w) for d, weeks in sent.items() for w in weeks]
    result = consolidate(standards, subs, parse_period(month))
    rows = {r.department: r for r in result.requested[0].departments}
    return result, rows


def test_january_without_w01_is_incomplete_for_w01_only(standards):
    result, rows = _month(standards, "2026-01", {
        "社保所": ("2026-W02", "2026-W03", "2026-W04", "2026-W05"),
        "城市管理科": ("2026-W01", "2026-W02", "2026-W03", "2026-W04", "2026-W05")})
    assert (rows["社保所"].status, rows["社保所"].missing) == (INCOMPLETE, ("2026-W01",))
    assert status_note(rows["社保所"]).startswith("缺少周登记表 2026-W01，不参加排名")
    assert rows["城市管理科"].status == SCORED
    assert not [f for f in result.findings if f.code == "calendar-year-unlisted"]


def test_october_is_scored_without_the_national_day_week(standards):
    _, rows = _month(standards, "2026-10", {
        "社保所": ("2026-W41", "2026-W42", "2026-W43", "2026-W44")})
    assert (rows["社保所"].status, rows["社保所"].missing) == (SCORED, ())


def test_a_year_the_calendar_does_not_list_in_full_is_warned_about(standards):
    """October 2027: only the statutory days are listed (1–3 October): W39 is owed for
    September alone, and the ranking warns that the 调休 arrangement of 2027 is missing."""
    result, rows = _month(standards, "2027-10", {
        "社保所": ("2027-W40", "2027-W41", "2027-W42", "2027-W43")})
    assert rows["社保所"].status == SCORED
    (warning,) = [f for f in result.findings if f.code == "calendar-year-unlisted"]
    assert (warning.file, warning.level) == ("2027-10", "警告")
    assert warning.detail.startswith("2027 年；2027-10 应报送的周登记表") and "2027-W40" in warning.detail
    assert "calendar" in warning.message
    data = ranking_dict(result)
    assert [f["code"] for f in data["findings"]] == ["calendar-year-unlisted"]


def test_the_ranking_names_only_owed_weeks(tmp_path, standards, capsys):
    """February 2026 end to end: 社保所 sends its three owed weeks and is ranked; 城市管理科
    sends W05, W06 and W09 and lacks W07 alone: the 说明, the JSON and the console name
    W07, never the 春节 week."""
    inbox = tmp_path / "登记表"
    city = [replace(p, department="城市管理科", id=p.id.replace("A", "C")) for p in ROSTER]
    for department, people, weeks in ((DEPT, ROSTER, ("W06", "W07", "W09")),
                                      ("城市管理科", city, ("W05", "W06", "W09"))):
        (inbox / department).mkdir(parents=True)
        for week in weeks:
            register(inbox / department, standards, period=f"2026-{week}", roster=people,
                     department=department, incidents=(), name=f"{week}.xlsx")
    roster = write_roster_csv([*ROSTER, *city], tmp_path / "名单.csv")
    out = tmp_path / "排名.xlsx"
    capsys.readouterr()
    code = main(["consolidate", str(inbox), "--period", "2026-02", "--roster", str(roster),
                 "--out", str(out), "--json", str(tmp_path / "排名.json"), "--workers", "1"])
    printed = capsys.readouterr().out
    data = json.loads((tmp_path / "排名.json").read_text(encoding="utf-8"))
    departments = {d["department"]: d for d in data["months"][0]["departments"]}
    assert code == 1
    assert (departments[DEPT]["status"], departments[DEPT]["missing"]) == ("已计分", [])
    assert (departments["城市管理科"]["status"], departments["城市管理科"]["missing"]) == (
        "不完整", ["2026-W07"])
    rows = list(load_workbook(out, read_only=True)["排名"].iter_rows(min_row=4, values_only=True))
    notes = {r[2]: r[7] for r in rows}
    assert notes["城市管理科"].startswith("缺少周登记表 2026-W07，不参加排名")
    assert "W08" not in notes["城市管理科"] and "W08" not in printed
    assert not [f for f in data["findings"] if f["code"] == "calendar-year-unlisted"]
    # 数据来源 names the calendar the weeks were counted with.
    sources = [r[0] for r in load_workbook(out, read_only=True)["数据来源"].iter_rows(
        values_only=True) if r[0]]
    assert sources[-1] == standards.calendar.describe()
    assert data["calendar"] == standards.calendar.digest


def test_the_annual_workbook_names_its_calendar(year_run, standards):
    rows = load_workbook(year_run["workbook"], read_only=True)["数据来源"].iter_rows(
        values_only=True)
    assert [r[0] for r in rows if r[0]][-1] == standards.calendar.describe()


def test_the_demo_month_of_the_spring_festival_sends_what_is_owed(tmp_path, standards):
    """The demo's February: every department sends W06, W07 and W09 (none for the 春节
    week), so none is 不完整; the late one is 未报送, the flawed one 退回修改, as in November."""
    demo = write_demo_month(tmp_path, standards, "2026-02")
    sent = {p.name.split("_")[1] for p in demo.folder.rglob("*.xlsx")}
    assert sent == {"2026-W06", "2026-W07", "2026-W09"}
    ranking = qianfen_xl.consolidate(demo.folder, "2026-02", roster=demo.roster_file,
                                     standards=standards, workers=1)
    statuses = {r.department: r.status for r in ranking.result.requested[0].departments}
    assert statuses[demo.late] == "未报送"
    assert statuses[demo.flawed.parent.name] == "退回修改"
    assert set(statuses.values()) == {"已计分", "未报送", "退回修改"}


# -------------------------------------------------------------- outside the standards' hash

def _with_2027(text: str) -> str:
    """A standards file with days of 2027 added, as an office does when the State
    Council's notice comes out (example days, for the test)."""
    for old, new in (("official_years = [2026]", "official_years = [2026, 2027]"),
                     ("holidays = [", "holidays = [2027-02-09, 2027-02-10, 2027-02-11, "),
                     ("workdays = [", "workdays = [2027-02-20, ")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    return text


def test_the_standards_hash_is_unchanged_when_only_the_calendar_changes(tmp_path, standards):
    path = tmp_path / "office.toml"
    path.write_text(_with_2027(DEFAULT_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    office = load_standards(path)
    assert office.calendar != standards.calendar
    assert office.digest == standards.digest
    assert office.calendar.digest != standards.calendar.digest
    assert "2027" in office.calendar.describe().split("：")[1].split("，")[0]
    # The committed templates carry that hash: every one keeps working.
    meta = dict(load_workbook(TEMPLATES / "周考核情况登记表.xlsx", read_only=True)["_meta"]
                .iter_rows(values_only=True))
    assert meta["评分标准哈希"] == office.short_digest


def test_adding_next_years_holidays_breaks_no_register(tmp_path, monkeypatch):
    """An office scoring with its own standards adds 2027's days to its file: the registers
    made before keep their standards (no standards-differ) and their UDFs find them."""
    from qianfen_xl.excel import udfs

    own = DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "person_additions_cap = 30", "person_additions_cap = 20")
    (tmp_path / "office.toml").write_text(own, encoding="utf-8")
    before = load_standards(tmp_path / "office.toml")
    made = register(tmp_path, before)
    path = tmp_path / "2027" / "office.toml"  # the file as edited (loaded files are cached)
    path.parent.mkdir()
    path.write_text(_with_2027(own), encoding="utf-8")
    after = load_standards(path)
    assert after.calendar.official_years == (2026, 2027)
    report = qianfen_xl.validate(made, standards=after)
    assert report.status == "校验通过"
    assert not [f for f in report.findings if f.code == "standards-differ"]
    monkeypatch.setenv(udfs.STANDARDS_ENV, str(path.parent))
    points = after.item_by_code["N03-05"].points
    assert udfs.QF_POINTS("N03-05", 2.0, before.short_digest) == -2 * points
