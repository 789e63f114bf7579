"""Year grades as SCORING.md §7 says: a vocabulary per 人员类别, 优秀 places per pool,
班子成员 outside the pools, the facts of the year that make a person 不定等次, 暂缓 or not
优秀 (each with its reason, in the workbooks), and the 公示's working days."""

from __future__ import annotations

import re
import tomllib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from qianfen_xl.contract.errors import StandardsError
from qianfen_xl.contract.standards import DEFAULT_PATH, parse_standards
from qianfen_xl.scoring.eligibility import Case, verdicts
from qianfen_xl.scoring.facts import PersonFacts
from qianfen_xl.scoring.grades import Candidate, excellent_places, propose_grades

YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)


def _raw() -> dict:
    return tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def _office(mutate) -> object:
    data = _raw()
    mutate(data)
    return parse_standards(data)


def _grades(standards, people):
    return propose_grades(standards, {pid: Candidate(*c) for pid, c in people.items()})


def test_twenty_civil_servants_and_eight_shiye_have_at_most_four_and_one_excellent(standards):
    people = {f"G{i:02d}": (990 - i, "公务员", "一般工作人员") for i in range(20)}
    people |= {f"S{i}": (989.5 - i, "事业编人员", "一般工作人员") for i in range(8)}
    grades = _grades(standards, people)
    best = sorted(p for p, g in grades.items() if g.grade == "优秀")
    assert best == ["G00", "G01", "G02", "G03", "S0"]
    assert {grades[p].grade for p in people if p.startswith("S") and p != "S0"} == {"合格"}
    assert grades["G04"].grade == "称职" and "名额已满（公务员 4 名，名次 5）" in grades["G04"].reason


@given(st.floats(0, 1000, allow_nan=False), st.sampled_from(["事业编人员", "工勤人员"]))
def test_a_shiye_or_gongqin_person_is_never_chenzhi(total, category):
    from qianfen_xl.contract.standards import load_standards

    standards = load_standards()
    grade = _grades(standards, {"X": (total, category, "一般工作人员")})["X"]
    assert grade.grade in ("优秀", "合格", "基本合格", "不合格")


def test_the_score_lines_in_each_vocabulary(standards):
    people = {"A": (800, "事业编人员", "一般工作人员"), "B": (650, "工勤人员", "一般工作人员"),
              "C": (599.99, "事业编人员", "一般工作人员"), "D": (650, "公务员", "一般工作人员")}
    assert {p: g.grade for p, g in _grades(standards, people).items()} == {
        "A": "合格", "B": "基本合格", "C": "不合格", "D": "基本称职"}


def test_leadership_takes_no_pool_place_and_is_marked_for_the_level_above(standards):
    people = {f"G{i}": (950 - i, "公务员", "一般工作人员") for i in range(5)}
    people |= {f"L{i}": (999 - i, "公务员", "班子成员") for i in range(3)}
    grades = _grades(standards, people)
    assert [p for p, g in grades.items() if g.grade == "优秀" and g.pool] == ["G0"]  # 5 → 1
    leader = grades["L0"]
    assert (leader.grade, leader.mark, leader.pool, leader.proposal) == (
        "优秀", "报上级审定", "", "优秀（报上级审定）")


@pytest.mark.parametrize(("share", "people", "places"), [
    (0.2, 20, 4), (0.25, 20, 5), (0.15, 20, 3), (0.15, 5, 1), (0.2, 4, 0), (0.29, 100, 29)])
def test_the_quota_share_is_settable_rounded_down_with_its_minimum(share, people, places):
    office = _office(lambda d: d["grades"].update(excellent_quota=share))
    assert excellent_places(office, people) == places


def test_a_tie_across_the_quota_is_listed_not_broken(standards):
    people = {"A": (950, "公务员", "一般工作人员"), "B": (920, "公务员", "一般工作人员"),
              "C": (920, "公务员", "一般工作人员"),
              **{f"P{i}": (800, "公务员", "一般工作人员") for i in range(7)}}
    grades = _grades(standards, people)
    assert grades["A"].grade == "优秀"
    assert (grades["B"].proposal, grades["C"].proposal) == ("待定", "待定")
    assert "同分 920.00" in grades["B"].reason and "考核小组" in grades["B"].reason


def _verdict(standards, **facts):
    return [(v.effect, v.reason) for v in
            verdicts(standards, Case(PersonFacts(**facts), YEAR_START, YEAR_END))]


def test_each_fact_of_the_year_and_its_effect(standards):
    assert _verdict(standards, hired=date(2026, 7, 20)) == [
        ("ungraded", "2026-07-20 入职，本期在本单位 165 天，不足 50%：只写评语，不定等次")]
    assert _verdict(standards, hired=date(2026, 7, 1)) == []  # 184 days: half the year
    assert _verdict(standards, leave_days=183) == [
        ("ungraded", "病事假累计 183 天，超过本期的 50%（产假不计）：不定等次")]
    assert _verdict(standards, leave_days=10, maternity_days=170) == [
        ("", "产假 170 天，不计入病事假")]
    assert _verdict(standards, investigation=True) == [
        ("deferred", "正在接受立案审查：暂缓，结案后补定等次")]
    assert _verdict(standards, sanction="警告", sanction_date=date(2026, 3, 1)) == [
        ("not_excellent", "2026-03-01 受警告处分（影响期 6 个月，至 2026-08-31）：不得评为优秀")]
    assert _verdict(standards, sanction="警告", sanction_date=date(2025, 12, 1))[0][0] == ""
    assert _verdict(standards, sanction="记大过", sanction_date=date(2025, 3, 1))[0][:1] == (
        "ungraded",)  # 18 months: in force until 2026-09
    assert _verdict(standards, sanction="记过", sanction_date=date(2024, 6, 1))[0][0] == ""


def test_the_strongest_fact_decides_and_every_reason_is_kept(standards):
    people = {"A": (990, "公务员", "一般工作人员",
                    tuple(verdicts(standards, Case(PersonFacts(investigation=True,
                                                               leave_days=200),
                                                   YEAR_START, YEAR_END, ("N09-01",))))),
              **{f"P{i}": (900 + i, "公务员", "一般工作人员") for i in range(4)}}
    a = propose_grades(standards, {p: Candidate(*c) for p, c in people.items()})["A"]
    assert (a.proposal, a.required, a.excellent_allowed) == ("暂缓", "暂缓", False)
    assert a.reason.split("；")[0] == "一票否决（N09-01），不能评为优秀"
    assert "病事假累计 200 天" in a.reason and "立案审查" in a.reason


def test_each_fact_in_the_roster_changes_the_grade_with_its_reason_in_the_workbooks(year_run):
    """builders.YEAR_FACTS through `annual --roster`: 个人年度 and the register's decisions
    show the proposal and the reason of each."""
    sheet = load_workbook(year_run["workbook"])["个人年度"]
    total = [c.value for c in sheet[3]].index("总分")
    annual = {r[0]: r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    register = {r[0]: r for r in load_workbook(year_run["register"])["考核决定"].iter_rows(
        min_row=6, values_only=True)}
    expected = {"S02": ("不定等次", "2026-07-20 入职"), "S03": ("不定等次", "病事假累计 200 天"),
                "S04": ("暂缓", "立案审查"), "S05": ("称职", "受警告处分"),
                "U02": ("不定等次", "受记过处分"), "U04": ("称职", "一票否决（N09-01）"),
                "U03": ("优秀", "产假 150 天，不计入病事假"), "L01": ("优秀（报上级审定）", "上级审定")}
    for pid, (proposal, reason) in expected.items():
        row = annual[pid]
        assert (row[-3], reason in row[-1]) == (proposal, True), pid
        assert (register[pid][5], reason in register[pid][11]) == (proposal, True), pid
    assert annual["S05"][total] > annual["U05"][total]  # above a civil servant who is 优秀


@pytest.mark.parametrize(("mutate", "key"), [
    (lambda d: d["grades"]["vocabularies"].pop("工勤人员"), "grades.vocabularies"),
    (lambda d: d["grades"]["vocabularies"].update({"工勤人员": ["优", "合格", "基本合格", "不合格"]}),
     "grades.vocabularies"),
    (lambda d: d["grades"]["pools"].update({"公务员": ["公务员", "工勤人员"]}), "grades.pools"),
    (lambda d: d["grades"].update(excellent_quota=1.5), "grades.excellent_quota"),
    (lambda d: d["grades"]["marks"].update(later="补定"), "grades.marks.later"),
    (lambda d: d["grades"]["sanctions"][0].update(effect="fine"), "grades.sanctions[0].effect"),
    (lambda d: d["grades"]["eligibility"][0].update(fact="age"), "grades.eligibility[0].fact"),
    (lambda d: d["grades"]["eligibility"][1].update(above=2), "grades.eligibility[1].above"),
    (lambda d: d["ballots"].update(fold_below=3), "ballots.fold_below"),
    (lambda d: d["calendar"]["workdays"].append(date(2026, 10, 9)), "calendar.workdays"),
    (lambda d: d["calendar"].update(holidays=["2026-10-01"]), "calendar.holidays"),
])
def test_a_broken_grades_or_calendar_section_is_refused_naming_the_key(mutate, key):
    data = _raw()
    mutate(data)
    with pytest.raises(StandardsError) as info:
        parse_standards(data)
    assert key in str(info.value)


@pytest.mark.parametrize(("start", "first", "last"), [
    (date(2026, 2, 12), date(2026, 2, 12), date(2026, 2, 25)),   # 调休 Sat 2-14, then 春节
    (date(2026, 9, 29), date(2026, 9, 29), date(2026, 10, 10)),  # 国庆, ending on 调休 Sat
    (date(2026, 9, 19), date(2026, 9, 20), date(2026, 9, 24)),   # starts on 调休 Sun 9-20
    (date(2026, 12, 31), date(2026, 12, 31), date(2027, 1, 7)),  # 2027-01-01 a holiday
])
def test_the_publicity_ends_after_five_working_days(standards, start, first, last):
    assert standards.calendar.publicity(start) == (first, last)


def test_the_roster_reads_the_facts_from_xlsx_date_cells(tmp_path, standards):
    from openpyxl import Workbook

    from qianfen_xl.intake.roster import read_street_roster

    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["编号", "姓名", "科室", "口", "人员类别", "岗位层级", "入职日期", "病事假天数",
               "立案审查", "处分", "处分日期", "出生年月", "职务职级"])
    ws.append(["A01", "张晓明", "社保所", "行政口", "公务员", "一般工作人员", date(2026, 7, 20), 12,
               "否", "警告", date(2026, 5, 12), date(1985, 3, 1), "一级科员"])
    ws.append(["A02", "李海燕", "社保所", "行政口", "事业编人员", "一般工作人员"])
    wb.save(tmp_path / "名单.xlsx")
    roster = read_street_roster(tmp_path / "名单.xlsx", standards)
    assert [p.id for p in roster.people] == ["A01", "A02"]
    assert roster.facts == {"A01": PersonFacts(
        hired=date(2026, 7, 20), leave_days=12.0, sanction="警告",
        sanction_date=date(2026, 5, 12), born="1985.03", post="一级科员")}


def test_bad_facts_in_the_roster_are_refused_naming_each_cell(tmp_path, standards):
    from qianfen_xl.intake.roster import RosterError, read_street_roster

    roster = tmp_path / "名单.csv"
    roster.write_text("编号,姓名,科室,口,人员类别,岗位层级,入职日期,病事假天数,立案审查,处分,处分日期\n"
                      "A01,张晓明,社保所,行政口,公务员,一般工作人员,七月,-3,可能,通报,\n"
                      "A02,李海燕,社保所,行政口,公务员,一般工作人员,,,,记过,\n", encoding="utf-8")
    with pytest.raises(RosterError) as info:
        read_street_roster(roster, standards)
    found = re.findall(r"名单\.csv › 名单!([A-Z]+\d+): ([^：。]+)", str(info.value))
    assert found == [("G2", "人员名单中的日期无法识别"), ("H2", "人员名单中的天数无效"),
                     ("I2", "立案审查只能填 是 或 否"), ("J2", "处分种类不在评分标准中"),
                     ("J3", "处分缺少处分日期")]


def test_months_before_the_hire_date_are_not_the_persons(year_run):
    """The street roster lists S02 (hired 2026-07-20) in every month of 社保所: the months
    that ended before the hire are left out of 平时; July counts."""
    book = load_workbook(year_run["workbook"])
    ws = book["个人月度"]
    header = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] == "S02")
    months = row[header.index("2026-01"):header.index("2026-12") + 1]
    assert months[:6] == (None,) * 6 and None not in months[6:]
    assert row[header.index("平时")] == round(sum(months[6:]) / 6, 2)
    year = next(r for r in book["个人年度"].iter_rows(min_row=4, values_only=True)
                if r[0] == "S02")
    assert "缺少月度得分（不计入平均）：2026-01、" in year[-1]


def test_the_annual_workbook_charts_tell_the_truth(year_run, standards):
    """科室年度: the year's scores as bars in rank order from 0 to 满分, each labelled; then one
    small chart per department on one axis whose cut every title says; 等次统计 from 0."""
    from builders import read_charts

    book = load_workbook(year_run["workbook"])
    ranked = [r[1] for r in book["科室年度"].iter_rows(min_row=4, values_only=True) if r[0]]
    grades, bars, *lines = read_charts(year_run["workbook"])
    assert (grades["title"], grades["min"]) == ("建议等次分布（人数）", 0)
    assert bars["categories"] == ranked and (bars["min"], bars["max"]) == (0, standards.full_marks)
    assert bars["labels"]
    assert [c["title"].split("（")[0] for c in lines] == ranked
    assert len({(c["min"], c["max"]) for c in lines}) == 1
    low = lines[0]["min"]
    assert all(c["title"].endswith(f"（纵轴自 {low:g} 起）") for c in lines) and low > 0
