"""Registers as printed: rendered by LibreOffice to PDF, pages counted with pdfinfo and read
with pdftotext. No empty pages, the signature line once, 得分 with the department's score
on its first page, the helper columns never printed."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.demo.sample import random_incidents
from qianfen_xl.forms.ballots import write_evaluation_templates
from qianfen_xl.scoring.engine import Person

from builders import STREET, register
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


def test_every_sheet_of_the_ranking_workbook_prints_whole(tmp_path, standards, lo_profile):
    """The demo's month as HR prints it: every page starts with its sheet's heading (the
    title rows repeat; no empty page), and each sheet takes the pages its rows need."""
    import qianfen_xl
    from qianfen_xl.demo.month import write_demo_month

    demo = write_demo_month(tmp_path, standards, "2026-11", 2026)
    ranking = qianfen_xl.consolidate(demo.folder, "2026-11", roster=demo.roster_file,
                                     standards=standards, workers=1)
    (pdf,) = convert([ranking.write_workbook(tmp_path / "排名.xlsx")], tmp_path / "pdf",
                     lo_profile, fmt="pdf")
    headings = [page.strip().splitlines()[0].strip() for page in pages(pdf)]
    counted = {h: headings.count(h) for h in dict.fromkeys(headings)}
    assert counted == {"xxx街道 千分制考核排名（2026-11）": 1,
                       "xxx街道 科室得分明细（2026-11）": 1,
                       "xxx街道 个人得分明细（2026-11）": 2,   # 84 people
                       "xxx街道 科室得分月度趋势": 1,
                       "校验报告：错误 2 个，警告 0 个": 1,
                       "数据来源：共 60 个文件": 3}         # a full SHA-256 on each row
    assert page_count(pdf) == len(headings) == 9
