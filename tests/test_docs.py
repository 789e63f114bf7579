"""The project's own documents: every link of the README and of docs/ leads to a file of
this repository (no document named that the project does not carry), and every worked
example of docs/ is what the engine computes."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from qianfen_xl.scoring.engine import (
    Incident,
    Person,
    competition_ranks,
    round_score,
    score_department,
    score_person,
)
from qianfen_xl.scoring.evaluation import Ballot, evaluate
from qianfen_xl.scoring.grades import (
    Candidate,
    advanced_departments,
    excellent_places,
    propose_grades,
)
from qianfen_xl.scoring.quarter import PersonQuarter, quarter_grades
from qianfen_xl.scoring.year import combine_year, department_year, person_year

from conftest import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def links(doc: Path) -> list[str]:
    return LINK.findall(doc.read_text(encoding="utf-8"))


def test_docs_exist_and_the_readme_links_to_them():
    assert {p.name for p in DOCUMENTS} >= {"README.md", "scoring.md", "grades.md",
                                          "quarters.md", "advanced-departments.md"}
    assert "docs/README.md" in links(ROOT / "README.md")


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_resolves_to_a_file_of_the_repository(doc):
    for target in links(doc):
        assert "://" not in target and not target.startswith("mailto:"), target
        path = (doc.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT) and path.is_file(), f"{doc.name}: {target}"


@pytest.mark.parametrize("doc", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_document_is_named_that_the_project_does_not_carry(doc):
    carried = {p.name for p in ROOT.rglob("*.md") if ".venv" not in p.parts}
    named = set(re.findall(r"[\w-]+\.md\b", doc.read_text(encoding="utf-8")))
    assert named <= carried, named - carried


# ------------------------------------------------------- the worked examples of docs/

def test_scoring_person_example(standards):
    """docs/scoring.md §3: 张三 696.00; no deduction and a B02 is still 700."""
    p = score_person(standards, "A01", "张三", [Incident(None, "A01", "N03-05", 2),
                                                Incident(None, "A01", "N09-03", 1),
                                                Incident(None, "A01", "B01", 1)])
    assert (p.norms["N03"], p.norms["N09"], p.additions, p.total) == (96.0, 95.0, 5.0, 696.0)
    assert score_person(standards, "A02", "李四", [Incident(None, "A02", "B02", 1)]).total == 700


def test_scoring_department_example(standards):
    """docs/scoring.md §4: 成员平均 698.00, N06 98.00, 科室得分 capped at 1000.00; §5, §6."""
    people = [Person("A01", "张三"), Person("A02", "李四"), Person("A03", "王五")]
    d = score_department(standards, "社保所", people, [
        Incident(None, "A01", "N03-05", 2), Incident(None, "A02", "N01-01", 1),
        Incident(None, None, "N06-01", 1), Incident(None, None, "B01", 1)])
    assert [p.total for p in d.people] == [696.0, 698.0, 700.0]
    assert (d.member_mean, d.norms["N06"], d.additions, d.total) == (698.0, 98.0, 5.0, 1000.0)
    assert round_score(2093 / 3) == 697.67
    assert competition_ranks({"a": 95, "b": 90, "c": 90, "d": 80}) == {
        "a": 1, "b": 2, "c": 2, "d": 4}


def test_grades_year_examples(standards):
    """docs/grades.md §1: 957.50 for a person, 976.93 for a department."""
    year = person_year(standards, [698, 696, 700, 696], combine_year(standards, 80, 90),
                       combine_year(standards, 85, 90))
    assert (year.regular, year.evaluation, year.assessment, year.total) == (
        697.5, 172.0, 88.0, 957.5)
    assert department_year(standards, [996, 994.5, 998], 900) == 976.93


def test_grades_ballot_example(standards):
    """docs/grades.md §2: 87.50, the group subtotals not shown."""
    ballots = [Ballot("科室负责人", "r1", "A01", 90)] + [
        Ballot("机关全体人员", f"r{k + 2}", "A01", v)
        for k, v in enumerate([95, 80, "称职", 70, "优秀", "弃权"])]
    e = evaluate(standards, ballots, {"A01": "一般工作人员"})["A01"]
    assert {g.group: g.mean for g in e.groups} == {"机关全体人员": 85.0, "科室负责人": 90.0}
    assert (e.score, e.subtotals_shown) == (87.5, False)


def test_grades_quota_example(standards):
    """docs/grades.md §3: places 4/2/1/0; a tie across the last place is 待定."""
    assert [excellent_places(standards, n) for n in (20, 12, 8, 4)] == [4, 2, 1, 0]
    totals = [960, 950, 950, 940, 930, 920, 910, 905, 880, 700]
    grades = propose_grades(standards, {f"G{k}": Candidate(t, "公务员", "一般工作人员")
                                        for k, t in enumerate(totals)})
    assert [grades[f"G{k}"].proposal for k in range(10)] == [
        "优秀", "待定", "待定", "称职", "称职", "称职", "称职", "称职", "称职", "基本称职"]
    assert grades["G3"].reason == "优秀名额已满（公务员 2 名，名次 4）"


def test_grades_publicity_example(standards):
    """docs/grades.md §6: five working days, the National Day holidays skipped."""
    assert standards.calendar.publicity(date(2027, 1, 4)) == (date(2027, 1, 4), date(2027, 1, 8))
    assert standards.calendar.publicity(date(2026, 9, 28)) == (date(2026, 9, 28),
                                                              date(2026, 10, 9))


def test_quarters_example(standards):
    """docs/quarters.md: of seven, two 好 (40 % rounded down), 一般 at 650, 较差 at 620."""
    means = [700, 699, 698, 697, 696, 650, 620]
    people = [PersonQuarter(f"P{k}", f"人{k}", "社保所", "一般工作人员", (m, m, m))
              for k, m in enumerate(means)]
    graded = quarter_grades(standards, ["2026-07", "2026-08", "2026-09"], people)
    assert [g.grade for g in graded] == ["好", "好", "较好", "较好", "较好", "一般", "较差"]


def test_advanced_departments_example(standards):
    """docs/advanced-departments.md: 3 places of 12; the vetoed third passes its place to
    the fourth; a department missing a month is none."""
    totals = {"纪检监察室": 989.96, "社保所": 988.84, "党建工作部": 987.46, "城市管理科": 986.08,
              "一站式服务大厅": 984.25, "工委办公室": 988.15,
              **{f"科室{k}": 970.0 - k for k in range(6)}}
    vetoes = {"党建工作部": ["N09-01"]}
    missing = {"工委办公室": ["2026-07"]}
    ranked = [d for d in sorted(totals, key=lambda d: -totals[d]) if d != "工委办公室"]
    result = advanced_departments(standards, totals, {}, vetoes, missing,
                                  {d: k for k, d in enumerate(ranked, start=1)})
    assert [d for d in ranked if result[d].advanced] == ["纪检监察室", "社保所", "城市管理科"]
    assert result["党建工作部"].reason == "一票否决（N09-01）"
    assert result["一站式服务大厅"].reason == "名次 5，先进科室 3 个名额已满"
    assert result["工委办公室"].reason == "缺少月度得分：2026-07"
