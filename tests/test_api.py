"""The public API as a script uses it: the README's example runs as printed, validate
--json gives the reports, and every finding comes from the one rule catalogue."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

import qianfen_xl
from qianfen_xl.cli import main
from qianfen_xl.contract.findings import RULES, Finding, catalogue_markdown
from qianfen_xl.intake.reading import SheetTable
from qianfen_xl.intake.validation import findings_from_failures, schema_failures

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_example() -> str:
    section = README.split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_month):
    """A folder holding the demo's demo-output/, as after `make demo` (a copy: the README's
    example writes its workbook here)."""
    home = tmp_path_factory.mktemp("newcomer")
    shutil.copytree(demo_month.folder.parent, home / "demo-output")
    return home


def test_the_readme_example_runs_as_printed(demo):
    printed = io.StringIO()
    cwd = Path.cwd()
    os.chdir(demo)
    try:
        with contextlib.redirect_stdout(printed):
            exec(readme_example(), {})  # the README's own code, verbatim
    finally:
        os.chdir(cwd)
    lines = printed.getvalue().splitlines()
    register = demo / "demo-output/登记表/社保所/社保所_2026-W47_周考核情况登记表.xlsx"
    report = qianfen_xl.validate(register)
    assert report.findings == () and lines[0] == f"校验通过 {report.score.total}"
    # then one line per department of the street: 12 科室 and the leadership unit
    ranked = [line.split() for line in lines[1:]]
    assert len(ranked) == 13
    assert sorted(int(r[2]) for r in ranked if r[1] == "已计分" and r[2] != "None") == list(
        range(1, 11))  # ten ranked 科室; the late one 未报送, the flawed one 退回修改
    assert {r[1] for r in ranked} == {"已计分", "未报送", "退回修改"}
    assert (demo / "排名_2026-11.xlsx").stat().st_size > 10_000


def test_validate_json_prints_each_report(demo, capsys):
    good = demo / "demo-output/登记表/社保所/社保所_2026-W47_周考核情况登记表.xlsx"
    flawed = demo / "demo-output/登记表/城市管理科/城市管理科_2026-W49_周考核情况登记表.xlsx"
    assert main(["validate", "--json", str(good), str(flawed)]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["status"]) for r in reports] == [
        (good.name, "校验通过"), (flawed.name, "退回修改")]
    assert reports[0]["score"]["total"] == qianfen_xl.validate(good).score.total
    assert reports[1]["score"] is None and reports[1]["errors"] == 2
    assert {f["code"] for f in reports[1]["findings"]} == {"item-code-unknown", "text-in-number"}
    assert all(f["level"] == "错误" and f["sheet"] == "登记" for f in reports[1]["findings"])


def test_a_finding_with_an_unregistered_code_cannot_be_made():
    with pytest.raises(ValueError, match="unregistered finding code 'not_nullable'"):
        Finding("not_nullable", "x.xlsx")


def test_whatever_pandera_reports_becomes_a_registered_rule():
    def broken(series):
        raise TypeError("a check that cannot run")

    schema = pa.DataFrameSchema({
        "次数": pa.Column(float, checks=pa.Check.ge(1)),          # pandera's own check
        "事由": pa.Column(object, checks=pa.Check(broken, name="broken")),
        "项目": pa.Column(object),                                # missing from the frame
    })
    frame = pd.DataFrame({"次数": ["两", 0.0], "事由": ["a", "b"]}, index=[6, 7])
    table = SheetTable("登记", 5, {"次数": "E", "事由": "G", "项目": "D"},
                       {"次数": ["两", 0], "事由": ["a", "b"]}, [6, 7])
    findings = findings_from_failures(schema_failures(schema, frame), table, "r.xlsx")
    # A missing column; text in a number column (the cell, and the column's own check then
    # failing as a whole); a check that could not run; a text column of the wrong type.
    assert sorted((f.code, f.cell) for f in findings) == [
        ("column-missing", ""), ("text-in-number", "E6"), ("value-invalid", "E5"),
        ("value-invalid", "G5"), ("value-invalid", "G5")]
    assert all(f.code in RULES for f in findings)


def test_the_readme_lists_every_rule():
    table = README.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert table == catalogue_markdown(), (
        "README's rule table differs: paste `python -m qianfen_xl.contract.findings`")
