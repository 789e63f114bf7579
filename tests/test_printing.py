"""Registers as printed: rendered by LibreOffice to PDF, pages counted with pdfinfo and read
with pdftotext. No empty pages, the signature line once, 得分 with the department's score
on its first page, the helper columns never printed."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.demo.sample import random_incidents
from qianfen_xl.forms.ballots import write_evaluation_templates
from qianfen_xl.scoring.engine import Person

from builders import STREET, decide_as_proposed, register
from conftest import ROOT
from libreoffice import convert

FIFTEEN = [Person(f"A{i:02d}", f"人员{i}", "社保所", "行政口", "公务员", "一般工作人员")
           for i in range(1, 16)]


def pages(pdf: Path) -> list[str]:
    """The text of each page."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(line.split()[-1] for line in info.stdout.splitlines()
                    if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def printed(tmp_path_factory, standards, lo_profile) -> dict[str, Path]:
    if shutil.which("pdfinfo") is None:
        pytest.fail("poppler-utils (pdfinfo, pdftotext) is required (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("printed")
    month = random_incidents(standards, FIFTEEN, parse_period("2026-11"), random.Random(3),
                             rate=3.0)[:40]
    evaluation = write_evaluation_templates(folder / "ev", standards, STREET, "2026")
    files = {
        "blank-week": ROOT / "workbook_templates" / "周考核情况登记表.xlsx",
        "blank-month": ROOT / "workbook_templates" / "月考核情况登记表.xlsx",
        "filled-week": register(folder, standards, name="filled-week.xlsx"),
        "filled-month": register(folder, standards, kind="月考核情况登记表", period="2026-11",
                                 roster=FIFTEEN, incidents=month, name="filled-month.xlsx"),
        "ballot": next(p for p in evaluation if p.name.startswith("民主测评票_科室负责人_社保所")),
        "assessment": next(p for p in evaluation if p.name.startswith("考评录入表")),
    }
    pdfs = convert(list(files.values()), folder / "pdf", lo_profile, fmt="pdf")
    return dict(zip(files, pdfs, strict=True))


@pytest.mark.libreoffice
def test_page_counts(printed):
    """登记 one page (40 incidents: two), 得分 one, 人员 one, 评分标准 four; ballots one."""
    assert {name: page_count(pdf) for name, pdf in printed.items()} == {
        "blank-week": 7, "blank-month": 7, "filled-week": 7, "filled-month": 8,
        "ballot": 1, "assessment": 1}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["blank-week", "blank-month", "filled-week", "filled-month"])
def test_a_register_is_signed_once_and_prints_no_helper(printed, name):
    text = pages(printed[name])
    assert sum(page.count("填表人") for page in text) == 1
    for helper in ("下拉显示", "_状态", "_代码", "_键", "_首位", "_需编号", "岗位层级列表"):
        assert not any(helper in page for page in text), helper
    assert not any(page.strip() == "" for page in text)  # no empty page


@pytest.mark.libreoffice
def test_the_department_score_is_on_the_first_page_of_15_people(printed):
    text = pages(printed["filled-month"])
    (scores,) = [page for page in text if "得分（自动计算）" in page]
    assert "科室得分（满分 1000）" in scores and "无法计分的行" in scores
    assert all(p.name in scores for p in FIFTEEN) and "填表人" in scores
    assert "本科室人员个人得" not in scores  # labels whole, never cut


@pytest.mark.libreoffice
def test_a_ballot_is_anonymous_and_the_assessment_is_signed(printed):
    assert "填表人" not in "".join(pages(printed["ballot"]))
    assert "".join(pages(printed["assessment"])).count("填表人") == 1


@pytest.mark.libreoffice
def test_every_sheet_of_the_ranking_workbook_prints_whole(tmp_path, standards, lo_profile,
                                                          demo_month):
    """The demo's month as HR prints it: every page starts with its sheet's heading (the
    title rows repeat; no empty page), and each sheet takes the pages its rows need."""
    import qianfen_xl

    ranking = qianfen_xl.consolidate(demo_month.folder, "2026-11",
                                     roster=demo_month.roster_file, standards=standards,
                                     workers=1)
    (pdf,) = convert([ranking.write_workbook(tmp_path / "排名.xlsx")], tmp_path / "pdf",
                     lo_profile, fmt="pdf")
    headings = [page.strip().splitlines()[0].strip() for page in pages(pdf)]
    counted = {h: headings.count(h) for h in dict.fromkeys(headings)}
    assert counted == {"xxx街道 千分制考核排名（2026-11）": 1,
                       "xxx街道 科室得分明细（2026-11）": 1,
                       "xxx街道 个人得分明细（2026-11）": 2,   # 84 people
                       "xxx街道 科室得分月度趋势（2026-11）": 2,  # table, chart
                       "校验报告：错误 2 个，警告 0 个": 1,
                       "数据来源：共 60 个文件": 3}         # a full SHA-256 on each row
    assert page_count(pdf) == len(headings) == 10


# ------------------------------------------------------------ the year as HR prints it

DEPARTMENTS = ("街道领导班子", "党建工作部", "工委办公室", "纪检监察室", "宣传统战科", "社区建设科",
               "办事处办公室", "城市管理科", "社会事务科", "财政经济科", "社保所", "综合执法队",
               "一站式服务大厅")
APPRAISAL = ("该同志政治立场坚定，认真贯彻执行党的路线方针政策，工作积极主动，服务群众热情周到，"
             "较好完成了全年各项工作任务，遵守廉洁自律各项规定。")


@pytest.fixture(scope="module")
def year_printed(tmp_path_factory, demo_year, standards, lo_profile) -> dict[str, list[str]]:
    """The demo year's workbooks as printed (the text of each page): the third quarter's
    ranking (of the quarter's registers), the annual workbook, the results of finalize and
    the page for the file of a person of 一站式服务大厅."""
    import qianfen_xl
    from qianfen_xl.cli import main

    folder = tmp_path_factory.mktemp("year-printed")
    demo = demo_year[0]
    inbox = folder / "第三季度"
    for path in (demo / "年度材料" / "月登记表").rglob("*_2026-0[789]_*.xlsx"):
        (inbox / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, inbox / path.parent.name / path.name)
    quarter = qianfen_xl.consolidate(inbox, "2026-Q3", roster=demo / "人员名单_2026.csv",
                                     standards=standards, workers=1)
    register = decide_as_proposed(Path(shutil.copy(
        demo / "年度考核情况登记表_2026.xlsx", folder / "年度考核情况登记表_2026.xlsx")), APPRAISAL)
    assert main(["finalize", str(register), "--out", str(folder / "结果")]) == 0
    files = {"quarter": quarter.write_workbook(folder / "排名_2026-Q3.xlsx"),
             "annual": demo / "年度考核_2026.xlsx",
             "results": folder / "结果" / "考核结果_2026.xlsx",
             "page": next((folder / "结果" / "入档").glob("D12*.xlsx"))}  # 一站式服务大厅
    pdfs = convert(list(files.values()), folder / "pdf", lo_profile, fmt="pdf")
    return {name: pages(pdf) for name, pdf in zip(files, pdfs, strict=True)}


@pytest.mark.libreoffice
def test_the_publicity_prints_both_its_dates(year_printed):
    (notice,) = [p for p in year_printed["results"] if "优秀等次人员公示名单" in p]
    lines = [line.strip() for line in notice.splitlines()]
    assert "公示时间：2027年01月04日 至 2027年01月08日（5 个工作日）" in lines
    assert "公示期间如有异议，请向组织人事部门反映。" in lines


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", ["quarter", "annual", "results", "page"])
def test_every_department_prints_whole_on_every_sheet(year_printed, name):
    """A name cut by the next cell prints as its start (一站式服务大): no page shows the
    start of a department's name without the rest."""
    cut = [(k, word) for k, page in enumerate(year_printed[name], start=1)
           for word in re.findall(r"(?<!\S)\S+", page) for d in DEPARTMENTS
           if word.startswith(d[:3]) and d.startswith(word[:len(d)]) and not word.startswith(d)]
    assert cut == []


@pytest.mark.libreoffice
def test_the_quarter_lists_every_department_whole(year_printed):
    quarter = "".join(p for p in year_printed["quarter"] if "平时考核（季度）" in p)
    assert all(d in quarter for d in DEPARTMENTS if d != "街道领导班子")


@pytest.mark.libreoffice
def test_the_small_trend_charts_print_their_months(year_printed):
    """One small chart per department on 月度趋势, each with the quarter's months under it
    (its category axis is the header cells holding them): on each page, a month's label
    once for the table's header and once per chart."""
    trend = [p for p in year_printed["quarter"] if "科室得分月度趋势（2026-07 至 2026-09）" in p]
    labels = sum(p.count("2026-08") for p in trend)
    assert labels == len(trend) + len(DEPARTMENTS) - 1  # the leadership has no chart
