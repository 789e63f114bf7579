"""Half-year and year, checked against cases worked by hand (SCORING.md §5–§7)."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from qianfen_xl.forms.ballots import build_assessment, ratees_of
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.scoring.engine import Incident
from qianfen_xl.scoring.evaluation import Ballot, ballot_points, evaluate
from qianfen_xl.scoring.grades import Grade
from qianfen_xl.scoring.year import (
    AnnualResult,
    PersonAnnual,
    PersonYear,
    combine_year,
    department_year,
    person_year,
)

from builders import KIND_MONTHLY, STREET, decide_as_proposed, register

ALL = "机关全体人员"


def ballots(group, ratee, values, prefix="r"):
    return [Ballot(group, f"{prefix}{group}{k}", ratee, v) for k, v in enumerate(values)]


def test_a_group_of_five_drops_one_highest_and_one_lowest(standards):
    result = evaluate(standards, ballots(ALL, "A01", [60, 80, 80, 90, 100]), {"A01": "一般工作人员"})
    (group,) = result["A01"].groups
    assert (group.marks, group.mean, group.trimmed) == (5, 83.33, True)  # (80+80+90)/3
    assert result["A01"].score == 83.33


def test_weights_by_ratee_level_and_grades_mapped_to_points(standards):
    marks = (ballots("科室负责人", "A02", ["优秀", "称职", "称职"])            # 95, 80, 80 → 85
             + ballots(ALL, "A02", [90, 90, 70, 80, 100, 60]))              # trim → 82.5
    result = evaluate(standards, marks, {"A02": "一般工作人员"})["A02"]
    assert [(g.group, g.mean) for g in result.groups] == [(ALL, 82.5), ("科室负责人", 85.0)]
    assert result.score == 83.75  # 0.5 × 85 + 0.5 × 82.5
    dept = evaluate(standards, ballots("主管口领导", "社保所", [90, 80, 70])
                    + ballots(ALL, "社保所", [80, 80, 80]), {"社保所": "科室"})["社保所"]
    assert dept.score == 80.0  # 0.6 × 80 + 0.4 × 80


def test_ballot_marks(standards):
    assert ballot_points(standards, " 称职 ") == 80
    for bad in ("很好", 101, -1):
        with pytest.raises(ValueError):
            ballot_points(standards, bad)


def test_the_year_total_and_the_department_year(standards):
    year = person_year(standards, [690, None, 700], evaluation=90, assessment=85)
    assert (year.regular, year.months, year.evaluation, year.assessment, year.total) == (
        695, 2, 180, 85, 960)
    assert person_year(standards, [700], 100, 100, adjustments=50).total == 1000  # clamped
    assert combine_year(standards, 80, 90) == 86.0 and combine_year(standards, None, 90) == 90
    assert department_year(standards, [990, 1000], 900) == 976.0  # 0.8 × 995 + 0.2 × 900


# ------------------------------------------------------------------ the evaluation templates

def test_ballots_and_the_assessment_sheet_from_the_roster(tmp_path, standards):
    from openpyxl import load_workbook

    from qianfen_xl.demo.sample import street_roster
    from qianfen_xl.forms.ballots import write_evaluation_templates

    roster = street_roster(standards)
    written = {p.name: p for p in write_evaluation_templates(tmp_path, standards, roster, "2026")}
    heads = [n for n in written if n.startswith("民主测评票_科室负责人_")]
    assert len(heads) == 12  # one per department: a head rates the own department's staff
    everyone = load_workbook(written["民主测评票_机关全体人员_2026.xlsx"])
    ws = everyone["测评"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert len(rows) == 84 + 12  # every person and every department
    assert {r[2] for r in rows} == {*standards.levels, "科室"}
    assert [c.value for c in ws[4]][:5] == ["对象", "名称", "类别", "分数", "等次"]
    assert "ballots" in ws.tables
    names = {n: next(everyone.defined_names[n].destinations) for n in
             ("qf_kind", "qf_group", "qf_period", "qf_ballot_no")}
    kind_sheet, kind_cell = names["qf_kind"]
    assert everyone[kind_sheet][kind_cell.replace("$", "")].value == "民主测评票"
    assert ws["D2"].value == "机关全体人员" and ws["H2"].value is None  # 票号: no name, ever
    assert ws["D5"].protection.locked is False and ws["A5"].protection.locked is True
    grade_list = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"][0]
    assert grade_list.formula1 == '"优秀,称职,基本称职,不称职,弃权,不了解"'
    leaders = load_workbook(written["民主测评票_工委领导班子_2026.xlsx"])["测评"]
    assert {r[2].value for r in leaders.iter_rows(min_row=5)} == {standards.levels[0]}
    sheet = load_workbook(written["考评录入表_2026.xlsx"])["考评"]
    assert sum(1 for _ in sheet.iter_rows(min_row=5)) == 84 + 12


def test_the_templates_command_writes_the_evaluation_templates(tmp_path, standards):
    from qianfen_xl.cli import main
    from qianfen_xl.demo.month import write_roster_csv
    from qianfen_xl.demo.sample import street_roster

    roster = write_roster_csv(street_roster(standards), tmp_path / "名单.csv")
    assert main(["templates", "--out", str(tmp_path / "o"), "--roster", str(roster),
                 "--evaluation", "2026-H1"]) == 0
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert "考评录入表_2026-H1.xlsx" in names and "民主测评票_机关全体人员_2026-H1.xlsx" in names
    assert main(["templates", "--out", str(tmp_path / "x"), "--evaluation", "2026-11"]) == 2


# ------------------------------------------------------------------ a half-year end to end

def _fill_ballot(folder, standards, group, ratees, marks, ballot_no, name, period="2026-H1"):
    from qianfen_xl.forms.ballots import build_ballot

    wb = build_ballot(standards, group, period, ratees)
    ws = wb["测评"]
    ws["H2"] = ballot_no
    for r, mark in enumerate(marks, start=5):
        ws[f"{'D' if isinstance(mark, int) else 'E'}{r}"] = mark
    return save_workbook(wb, folder / name)


@pytest.fixture(scope="module")
def half_year(tmp_path_factory, standards):
    inbox = tmp_path_factory.mktemp("half") / "inbox"
    people = [p for p in STREET if p.department in ("社保所", "城市管理科")]
    incidents = {}
    for m in range(1, 7):
        for d in ("社保所", "城市管理科"):
            if (d, m) == ("城市管理科", 4):
                continue  # a month never sent
            members = [p for p in people if p.department == d]
            rows = [Incident(date(2026, m, 10), members[m % len(members)].id, "N03-04", m % 3 + 1,
                             "串岗")]
            if (d, m) == ("社保所", 3):
                rows.append(Incident(date(2026, 3, 12), "A02", "N09-01", 1, "索取财物"))
            incidents[(d, m)] = rows
            register(inbox, standards, kind=KIND_MONTHLY, period=f"2026-{m:02d}", roster=members,
                     incidents=rows, department=d, name=f"{d}_2026-{m:02d}.xlsx")
    everyone = ratees_of(standards, "机关全体人员", people)
    marks = [[95, 90, 85, 80, 75, 90, 85], [90, 90, 90, 90, 90, 90, 90],
             [100, 95, 80, 70, 60, 80, 80], [85, 85, 85, 85, 85, 85, 85],
             [90, 80, 70, 90, 80, 70, 90], ["优秀", "称职", "称职", "基本称职", "称职", "优秀", "称职"]]
    ballots = inbox / "测评"
    ballots.mkdir()
    for k, row in enumerate(marks):
        _fill_ballot(ballots, standards, "机关全体人员", everyone, row, f"QT-{k:03d}",
                     f"全体_{k}.xlsx")
    heads = ratees_of(standards, "科室负责人", [p for p in people if p.department == "社保所"])
    for k in range(2):  # two ballots only: they count 50%, but no subtotal is shown
        _fill_ballot(ballots, standards, "科室负责人", heads, [60, 60], f"KZ-{k:03d}",
                     f"科室负责人_{k}.xlsx")
    _fill_ballot(ballots, standards, "机关全体人员", everyone, marks[0], "QT-000", "全体_重复.xlsx")
    wb = build_assessment(standards, "2026-H1", people)
    ws = wb["考评"]
    for r in range(5, 5 + len(people) + 2):
        ws[f"D{r}"] = 90 if ws[f"C{r}"].value != "科室" else 950
        if ws[f"A{r}"].value == "C01":
            ws[f"E{r}"] = -10  # an adjustment the assessment group decided
    save_workbook(wb, inbox / "考评录入表.xlsx")
    return inbox, people, incidents, everyone, marks


def test_a_half_year_end_to_end(half_year, standards, tmp_path):
    from qianfen_xl.batch.annual import run_annual
    from qianfen_xl.contract.periods import parse_period
    from qianfen_xl.scoring.engine import score_department

    inbox, people, incidents, everyone, marks = half_year
    run = run_annual(inbox, parse_period("2026-H1"), standards, workers=1)
    result = run.result
    assert result.months == tuple(f"2026-{m:02d}" for m in range(1, 7))
    ballots = [Ballot("机关全体人员", f"r{k}", ratee[0], ballot_points(standards, mark))
               for k, row in enumerate(marks) for ratee, mark in zip(everyone, row, strict=True)]
    ballots += [Ballot("科室负责人", f"h{k}", h, 60.0) for k in range(2) for h in ("A02", "A03")]
    levels = {p.id: p.level for p in people} | {"社保所": "科室", "城市管理科": "科室"}
    expected_eval = evaluate(standards, ballots, levels)
    by_id = {p.id: p for p in result.people}
    for person in people:
        months = []
        for m in range(1, 7):
            rows = incidents.get((person.department, m))
            members = [p for p in people if p.department == person.department]
            months.append(None if rows is None else next(
                x.total for x in score_department(standards, "", members, rows).people
                if x.id == person.id))
        year = person_year(standards, months, expected_eval[person.id].score, 90,
                           -10 if person.id == "C01" else 0)
        assert by_id[person.id].year == year, person.id
    assert not expected_eval["A02"].subtotals_shown  # 2 marks of 科室负责人 < 3
    assert by_id["A02"].vetoes == ("N09-01",)
    assert [p.grade.grade for p in result.people].count("优秀") <= 1  # 5 people → quota 1
    departments = {d.department: d for d in result.departments}
    assert "一票否决" in departments["社保所"].advanced_note
    assert departments["城市管理科"].advanced_note == "缺少月度得分：2026-04"
    assert departments["城市管理科"].missing == ("2026-04",)
    assert any(f.code == "ballot-duplicate" and f.file == "测评/全体_重复.xlsx"
               for f in run.findings)


def test_the_annual_workbook_never_names_a_rater(half_year, standards, tmp_path):
    from openpyxl import load_workbook

    from qianfen_xl.cli import main

    inbox, *_ = half_year
    out = tmp_path / "年度.xlsx"
    registers = tmp_path / "登记表.xlsx"
    assert main(["annual", str(inbox), "--half", "2026-H1", "--out", str(out),
                 "--registers", str(registers), "--workers", "1"]) == 1  # 4 月 missing
    wb = load_workbook(out)
    assert wb.sheetnames == ["个人年度", "个人月度", "等次统计", "科室年度", "测评汇总",
                             "校验报告", "数据来源"]
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value]
    assert not any("QT-" in v or "KZ-" in v for v in cells)  # 票号: never in any output
    register = load_workbook(registers)
    assert register.sheetnames == ["考核决定", "登记表", "考核数据", "_meta"]
    cells = [str(c.value) for ws in register for row in ws.iter_rows() for c in row if c.value]
    assert not any("QT-" in v or "KZ-" in v for v in cells)


def test_demo_year_runs_the_whole_year(demo_year, tmp_path):
    from openpyxl import load_workbook

    folder, printed = demo_year
    assert "先进科室" in printed and "一票否决" in printed and "缺少月度得分" in printed
    wb = load_workbook(folder / "年度考核_2026.xlsx", read_only=True)
    # The department missing a month is shown, not ranked (completeness = "block").
    departments = list(wb["科室年度"].iter_rows(min_row=4, values_only=True))
    incomplete = [r for r in departments if r[-1] and "缺少月度得分" in r[-1]]
    assert len(incomplete) == 1 and incomplete[0][0] == "不完整"
    # … for the month the demo left out, and for no other reason
    left_out = re.search(r"（(\S+) 缺 (\d{4}-\d{2}) 月表", printed)
    assert left_out is not None
    assert (incomplete[0][1], incomplete[0][-1]) == (left_out[1], f"缺少月度得分：{left_out[2]}")
    assert all(isinstance(r[0], int) for r in departments if r not in incomplete)
    people = list(wb["个人年度"].iter_rows(min_row=4, values_only=True))
    assert sum(1 for r in people if r[0] and str(r[0])[0] in "DL") == 84  # everyone, 班子 too
    register = load_workbook(folder / "年度考核情况登记表_2026.xlsx")
    decisions = register["考核决定"].tables["decisions"]
    assert decisions.ref == "A5:L89"  # 84 people, one row each
    proposals = [r[5] for r in register["考核决定"].iter_rows(min_row=6, values_only=True)]
    assert (proposals.count("待定"), proposals.count("不定等次"), proposals.count("合格") > 0,
            proposals.count("优秀（报上级审定）") > 0) == (2, 2, True, True)
    notes = " ".join(r[11] or "" for r in register["考核决定"].iter_rows(min_row=6,
                                                                        values_only=True))
    assert all(fact in notes for fact in ("入职", "病事假累计", "受警告处分", "产假", "同分"))
    # the demo's folder is shared: its next steps run on a copy, the commands as printed
    # but for the folder they name
    shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    _the_next_steps_work_when_copied(printed.replace(str(folder), str(tmp_path)), tmp_path)


def test_the_demo_year_awards_its_three_places_to_eligible_departments(demo_year, standards):
    """12 departments, 3 places (SCORING.md §7): the vetoed and the incomplete department
    take none, the next eligible ones do; every reason quotes the 名次 the row shows."""
    from openpyxl import load_workbook

    from qianfen_xl.scoring.grades import advanced_places

    tmp_path, printed = demo_year
    wb = load_workbook(tmp_path / "年度考核_2026.xlsx", read_only=True)
    rows = [r for r in wb["科室年度"].iter_rows(min_row=4, values_only=True) if r[1]]
    awarded = [r for r in rows if r[-2] == "先进科室"]
    assert len(awarded) == advanced_places(standards, 12) == 3
    assert [r[0] for r in awarded] == [1, 2, 3]  # the demo's vetoed department is 4th
    assert all(r[-1] is None for r in awarded)
    for r in rows:
        if r[-1] and r[-1].startswith("名次"):
            assert r[-1].startswith(f"名次 {r[0]}，"), r
    assert printed.count("先进科室\n") == 3


def _the_next_steps_work_when_copied(printed, tmp_path):
    """The demo's last lines: validate, then finalize (refused until the decisions are in)."""
    import shlex
    import subprocess

    commands = [line.split("：", 1)[1] for line in printed.splitlines()
                if line.startswith(("  2. 校验：", "  3. 定稿："))]
    assert len(commands) == 2 and "finalize" in commands[1]
    assert subprocess.run(shlex.split(commands[0]), capture_output=True).returncode == 0
    refused = subprocess.run(shlex.split(commands[1]), capture_output=True, text=True)
    assert refused.returncode == 1 and "确定等次未填写" in refused.stdout  # nothing decided yet
    decide_as_proposed(tmp_path / "年度考核情况登记表_2026.xlsx")
    done = subprocess.run(shlex.split(commands[1]), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert len(list((tmp_path / "考核结果" / "入档").iterdir())) == 84


def test_ties_across_the_quota_get_their_own_list_in_the_workbook(tmp_path, standards):
    from openpyxl import load_workbook

    from qianfen_xl.batch.annual import AnnualRun
    from qianfen_xl.batch.consolidation import consolidate, consolidation_period
    from qianfen_xl.reports.annual import write_annual_workbook

    year = PersonYear(690, 6, 190, 90, 0, 970)
    people = tuple(PersonAnnual(pid, name, "社保所", "一般工作人员", (690.0,) * 6, 95, 90, year,
                                Grade("", "与其他 1 人同分 970.00，跨越优秀名额", "待定", "公务员"),
                                (), "公务员")
                   for pid, name in (("A01", "张晓明"), ("A02", "李海燕")))
    result = AnnualResult(tuple(f"2026-{m:02d}" for m in range(1, 7)), people, (), {})
    run = AnnualRun(result, consolidate(standards, [], consolidation_period("2026-H1")), (), (),
                    ("2026-H1",))
    out = write_annual_workbook(run, standards, "xxx街道", "2026-H1", tmp_path / "年度.xlsx")
    rows = list(load_workbook(out)["待定名单"].iter_rows(min_row=4, values_only=True))
    assert [r[:2] for r in rows] == [("A01", "张晓明"), ("A02", "李海燕")]
    assert "跨越优秀名额" in rows[0][5]


def test_bad_marks_on_a_ballot_and_bad_scores_are_findings_naming_the_cell(tmp_path, standards):
    from qianfen_xl.intake.evaluation import assessment_rows, ballots_from, read_evaluation

    from builders import ROSTER

    ratees = [(p.id, p.name, p.level) for p in ROSTER] + [("A03", "王建国", "一般工作人员")]
    path = _fill_ballot(tmp_path, standards, ALL, ratees, [120, "很好", 88, 70], "Q1", "票.xlsx")
    ef = read_evaluation(path)
    marks = ballots_from(standards, ef)
    assert [(b.ratee, b.value) for b in marks] == [("A03", 88.0)]  # one mark per ratee
    assert sorted((f.sheet, f.cell, f.code) for f in ef.findings) == [
        ("测评", "A8", "ballot-duplicate"), ("测评", "D5", "ballot-invalid"),
        ("测评", "E6", "ballot-invalid")]
    wb = build_assessment(standards, "2026-H1", ROSTER)
    ws = wb["考评"]
    ws["D5"], ws["D6"], ws["E7"], ws["D8"] = 101, 95, "减五分", 1200
    ef = read_evaluation(save_workbook(wb, tmp_path / "考评.xlsx"))
    rows = assessment_rows(standards, ef)
    assert [(a.key, a.score, a.adjustment) for a in rows if a.score is not None] == [
        ("A02", 95, 0.0)]
    assert sorted((f.cell, f.code) for f in ef.findings) == [
        ("D5", "assessment-invalid"), ("D8", "assessment-invalid"), ("E7", "adjustment-invalid")]


# ------------------------------------------------------------------ a whole year end to end

@pytest.fixture(scope="module")
def whole_year(tmp_path_factory, standards):
    inbox = tmp_path_factory.mktemp("year") / "inbox"
    people = [p for p in STREET if p.department in ("社保所", "城市管理科")]
    incidents = {}
    for m in range(1, 13):
        for d in ("社保所", "城市管理科"):
            members = [p for p in people if p.department == d]
            rows = [Incident(date(2026, m, 5), members[(m + 1) % len(members)].id, "N07-04",
                             1 + m % 2, "周例会迟到")]
            if (d, m) == ("社保所", 3):
                rows.append(Incident(date(2026, 3, 12), "A02", "N09-01", 1, "索取财物"))
            incidents[(d, m)] = rows
            register(inbox, standards, kind=KIND_MONTHLY, period=f"2026-{m:02d}", roster=members,
                     incidents=rows, department=d, name=f"{d}_2026-{m:02d}.xlsx")
    everyone = ratees_of(standards, "机关全体人员", people)
    marks = {"2026-H1": [[100, 100, 80, 85, 90, 95, 88]] * 3 + [[100, 95, 85, 80, 90, 90, 90]] * 3,
             "2026": [[100, 98, 82, 86, 91, 96, 87]] * 3 + [[100, 97, 84, 83, 92, 91, 89]] * 3}
    for period, rows in marks.items():
        for k, row in enumerate(rows):
            _fill_ballot(inbox / period, standards, "机关全体人员", everyone, row,
                         f"{period}-{k}", f"全体_{k}.xlsx", period)
        wb = build_assessment(standards, period, people)
        ws = wb["考评"]
        for r in range(5, 5 + len(people) + 2):
            ws[f"D{r}"] = (100 if ws[f"A{r}"].value == "A02" else 90) \
                if ws[f"C{r}"].value != "科室" else 950
        save_workbook(wb, inbox / f"考评录入表_{period}.xlsx")
    return inbox, people, incidents, everyone, marks


def test_a_whole_year_equals_the_engine_and_a_march_veto_counts_in_december(whole_year,
                                                                           standards):
    from qianfen_xl.batch.annual import run_annual
    from qianfen_xl.contract.periods import parse_period
    from qianfen_xl.scoring.engine import score_department

    inbox, people, incidents, everyone, marks = whole_year
    run = run_annual(inbox, parse_period("2026"), standards, workers=1)
    levels = {p.id: p.level for p in people} | {"社保所": "科室", "城市管理科": "科室"}
    evaluations = {period: evaluate(standards, [
        Ballot("机关全体人员", f"{period}{k}", ratee[0], float(mark))
        for k, row in enumerate(rows) for ratee, mark in zip(everyone, row, strict=True)], levels)
        for period, rows in marks.items()}
    by_id = {p.id: p for p in run.result.people}
    dept_months = {d: [] for d in ("社保所", "城市管理科")}
    for m in range(1, 13):
        for d in dept_months:
            members = [p for p in people if p.department == d]
            dept_months[d].append(score_department(standards, d, members, incidents[(d, m)]))
    for person in people:
        months = [next(x.total for x in dept_months[person.department][m].people
                       if x.id == person.id) for m in range(12)]
        evaluation = combine_year(standards, evaluations["2026-H1"][person.id].score,
                                  evaluations["2026"][person.id].score)
        assessment = 100 if person.id == "A02" else 90
        assert by_id[person.id].year == person_year(standards, months, evaluation, assessment)
    a02 = by_id["A02"]
    assert a02.year.total >= 900 and a02.grade.grade == "合格"  # 事业编人员: never 称职
    assert "一票否决（N09-01）" in a02.grade.reason
    departments = {d.department: d for d in run.result.departments}
    for d, scores in dept_months.items():
        assert departments[d].total == department_year(standards, [s.total for s in scores], 950)
    assert departments["社保所"].advanced_note == "一票否决（N09-01）"
    # The places are 30 % of all departments (at least one); a vetoed department never
    # occupies one, so the place goes down to the next eligible department (SCORING.md §7).
    assert departments["城市管理科"].advanced and departments["城市管理科"].advanced_note == ""


def test_consolidate_leaves_evaluation_files_aside_without_errors(half_year, standards):
    from qianfen_xl.batch.consolidation import consolidate, consolidation_period
    from qianfen_xl.batch.inbox import discover, intake_all

    inbox, *_ = half_year
    result = consolidate(standards, intake_all(discover(inbox), standards, workers=1),
                         consolidation_period("2026-03"))
    aside = [s for s in result.sources if s.submission.label.startswith("测评/")]
    assert aside and {s.status for s in aside} == {"未计分", "重复文件"}  # one ballot twice
    assert {f.code for f in result.findings if f.file.startswith("测评/")} == {
        "file-duplicate"}  # warnings only: nothing returned
    # More than three of them: one 警告 counts them by kind (数据来源 lists each): the
    # ballots less the duplicate, and the 考评录入表.
    _, _, _, _, marks = half_year
    summed = [f for f in result.findings if f.code.startswith("evaluation-file")]
    assert [(f.code, f.file, f.detail) for f in summed] == [(
        "evaluation-files", "2026-03", f"民主测评票 {len(marks) + 2} 份、考评录入表 1 份")]


def test_an_entity_bomb_in_a_ballot_is_named(tmp_path, standards):
    from qianfen_xl.forms.ballots import build_ballot
    from qianfen_xl.intake.evaluation import read_evaluation

    from hostile import _part, _with_dtd, rezip

    ballot = save_workbook(build_ballot(standards, ALL, "2026", [("A01", "张晓明", "一般工作人员")]),
                           tmp_path / "票.xlsx")
    bomb = rezip(ballot, tmp_path / "炸弹票.xlsx", _part("", "xl/worksheets/sheet1.xml", _with_dtd))
    assert [(f.code, f.detail) for f in read_evaluation(bomb).findings] == [
        ("xml-entities", "xl/worksheets/sheet1.xml")]


def test_the_demo_years_third_quarter_equals_a_recomputation_from_its_months(demo_year,
                                                                             standards):
    """SCORING.md §8 worked again here, from the months the workbook shows (个人月度): a
    quarter's mean of the months on file; a missing month 待定; below 630 较差, below 670
    一般; else 好 for the best 40 % of the department (rounded down, at least 1; a tie across
    the last place 待定), 较好 for the rest. The demo's one veto is in March, not in Q3."""
    import math
    from collections import defaultdict

    from openpyxl import load_workbook

    book = load_workbook(demo_year[0] / "年度考核_2026.xlsx", read_only=True)
    header, *rows = list(book["个人月度"].iter_rows(min_row=3, values_only=True))
    at = [header.index(m) for m in ("2026-07", "2026-08", "2026-09")]
    people = [r for r in rows if r[0] and r[2] != standards.leadership_unit]
    expected, pools = {}, defaultdict(dict)
    for r in people:
        months = [r[k] for k in at]
        mean = round(sum(m for m in months if m is not None) /
                     len([m for m in months if m is not None]) + 1e-9, 2)
        if None in months:
            expected[r[0]] = "待定"
        elif mean < 630:
            expected[r[0]] = "较差"
        elif mean < 670:
            expected[r[0]] = "一般"
        else:
            pools[r[2]][r[0]] = mean
    size = {d: sum(1 for r in people if r[2] == d) for d in {r[2] for r in people}}
    for department, pool in pools.items():
        places = max(1, math.floor(0.4 * size[department]))
        ordered = sorted(pool.values(), reverse=True)
        for pid, mean in pool.items():
            better = sum(1 for v in ordered if v > mean)
            tied = ordered.count(mean)
            expected[pid] = ("好" if better + tied <= places else
                             "待定" if better < places else "较好")
    year = list(book["个人年度"].iter_rows(min_row=3, values_only=True))
    q3 = year[0].index("2026 第3季度")
    shown = {r[0]: r[q3] for r in year[1:] if r[0] and r[2] != standards.leadership_unit}
    assert shown == expected
    assert {"好", "较好"} <= set(shown.values())



def test_the_quarter_consolidated_grades_the_demo_years_third_quarter(demo_year, standards):
    """`consolidate --period 2026-Q3` (the demo's last step): 季度考核 with each person's
    three months, mean and grade; per department the count and share of 好; the JSON's
    quarter_grades the same; and the grades equal the annual workbook's Q3 column."""
    from openpyxl import load_workbook

    import qianfen_xl

    folder, printed = demo_year
    assert "2026-Q3 平时考核（季度）" in printed
    book = load_workbook(folder / "排名_2026-Q3.xlsx", read_only=True)
    assert book.sheetnames[:2] == ["排名", "季度考核"]
    rows = list(book["季度考核"].iter_rows(min_row=3, values_only=True))
    header = rows[0]
    assert header == ("编号", "姓名", "科室", "2026-07", "2026-08", "2026-09", "平均", "等次",
                      "说明")
    people = {r[0]: r for r in rows[1:] if r[0] and r[0][0] in "DL"}
    annual = list(load_workbook(folder / "年度考核_2026.xlsx",
                                read_only=True)["个人年度"].iter_rows(min_row=3,
                                                                    values_only=True))
    q3 = annual[0].index("2026 第3季度")
    assert {pid: r[7] for pid, r in people.items()} == {
        r[0]: r[q3] for r in annual[1:] if r[0] and r[q3] != "—"}
    summary = {r[0]: r for r in rows if r[0] and r[1] is not None and isinstance(r[1], int)}
    for department, (_, total, good, share, *_) in summary.items():
        graded = [r for r in people.values() if r[2] == department]
        assert (total, good) == (len(graded), sum(r[7] == "好" for r in graded))
        assert share == good / total
    ranking = qianfen_xl.consolidate(folder / "年度材料", "2026-Q3", standards=standards,
                                     roster=folder / "人员名单_2026.csv")
    grades = ranking.to_dict()["quarter_grades"]
    assert {g["id"]: g["grade"] for g in grades} == {pid: r[7] for pid, r in people.items()}
    assert set(grades[0]) == {"id", "name", "department", "months", "mean", "grade", "note"}
