"""Messages in a clerk's order: a file's findings sheet by sheet (the workbook's tabs), row
by row, column by column; what concerns the whole file first (a workbook that is no
register says so before anything else); blank 确定等次 counted in one line; a quarter run
on the wrong folder says so in the summary."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook

from qianfen_xl import api
from qianfen_xl.cli import main
from qianfen_xl.contract.findings import in_clerk_order
from qianfen_xl.schemas.columns import INCIDENT_HEADER_ROW, SHEET_ORDER

from builders import register, street_month

FIRST_ROW = INCIDENT_HEADER_ROW + 1  # the first incident row of 登记


def _set(*cells: tuple[str, str, object]):
    def edit(wb):
        for sheet, ref, value in cells:
            wb[sheet][ref] = value
    return edit


def test_a_registers_findings_come_sheet_by_sheet_row_by_row(tmp_path, standards):
    # mistakes typed in no particular order: 人员 first, then 登记 bottom to top
    path = register(tmp_path, standards, edit=_set(
        ("人员", "F4", "处长"), ("登记", f"G{FIRST_ROW + 2}", None),
        ("登记", f"E{FIRST_ROW}", "两次"), ("登记", f"D{FIRST_ROW}", "N11-01")))
    report = api.validate(path, standards=standards)
    where = [(f.sheet, f.cell) for f in report.findings]
    assert where == [("登记", f"D{FIRST_ROW}"), ("登记", f"E{FIRST_ROW}"),
                     ("登记", f"G{FIRST_ROW + 2}"), ("人员", "F4")]
    assert list(report.findings) == in_clerk_order(report.findings, SHEET_ORDER)


def test_a_workbook_that_is_no_register_says_so_first(tmp_path, standards):
    wb = Workbook()
    wb.active.title = "汇总"
    wb.active["A1"] = "各科室得分"
    wb.save(tmp_path / "汇总.xlsx")
    report = api.validate(tmp_path / "汇总.xlsx", standards=standards)
    assert report.findings[0].code == "template-unknown"
    assert str(report.findings[0]).startswith("[错误] 汇总.xlsx: 不是本系统的登记表")


def test_finalize_on_a_blank_register_says_in_one_line_how_many_and_where(year_run, tmp_path,
                                                                          capsys):
    register = Path(shutil.copy(year_run["register"], tmp_path / "年度考核情况登记表_2026.xlsx"))
    assert main(["finalize", str(register), "--out", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr().out.splitlines()
    blank = [line for line in printed if "确定等次未填写" in line]
    assert blank == ["  [错误] 年度考核情况登记表_2026.xlsx › 考核决定!G6: 确定等次未填写："
                     "共 17 人（G6、G7、G8、G9、G10 等）。定稿前每人都要有确定等次"
                     "（班子成员填写上级审定的等次）"]
    assert not (tmp_path / "out").exists()


def test_a_quarter_run_on_a_months_folder_names_the_folders_periods(tmp_path, standards,
                                                                    capsys):
    street = street_month(tmp_path, standards, departments=("社保所", "城市管理科"))
    code = main(["consolidate", str(street.inbox), "--period", "2026-Q3", "--out",
                 str(tmp_path / "q3.xlsx"), "--workers", "1"])
    assert code == 2  # nothing of the quarter to consolidate
    printed = capsys.readouterr().out
    assert ("另有 10 个登记表不在 2026-Q3（2026-07-01 至 2026-09-30）内，未计入；文件夹中的"
            "登记表：周考核情况登记表 2026-W45 至 2026-W49。请确认文件夹和 --period 是否有误。"
            ) in printed
