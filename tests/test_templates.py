"""The register contract in every generated template, and the committed templates in sync."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from qianfen_xl.cli import main
from qianfen_xl.contract.standards import load_standards
from qianfen_xl.excel.vba import vba_modules
from qianfen_xl.forms.annual_register import write_annual_template
from qianfen_xl.forms.registers import FLAVOUR_FORMULAS, FLAVOUR_UDF, write_templates
from qianfen_xl.schemas.columns import (
    HEADER_NAMES,
    INCIDENT_COLUMNS,
    INCIDENT_HELPERS,
    KIND_MONTHLY,
    KIND_WEEKLY,
    ROSTER_COLUMNS,
    ROSTER_HELPERS,
    SCORES_HEADER_ROW,
    SCORES_LIMITS_ROW,
)

from conftest import ROOT

COMMITTED = ROOT / "workbook_templates"
NAMES = ("周考核情况登记表.xlsx", "月考核情况登记表.xlsx")
XLSM = ("周考核情况登记表.xlsm", "月考核情况登记表.xlsm")
ANNUAL = "年度考核情况登记表.xlsx"


def _table_headers(ws, table):
    row = ws[table.ref][0]
    return [c.value for c in row]


@pytest.mark.parametrize("name", NAMES)
def test_committed_template_keeps_the_register_contract(name):
    wb = openpyxl.load_workbook(COMMITTED / name)
    assert wb.sheetnames == ["登记", "得分", "人员", "评分标准", "_meta"]
    assert wb["_meta"].sheet_state == "hidden"
    for defined in (*HEADER_NAMES, "qf_member_mean", "qf_dept_total", "qf_problem_count"):
        assert defined in wb.defined_names, defined
    kind_sheet, kind_cell = next(wb.defined_names["qf_kind"].destinations)
    assert wb[kind_sheet][kind_cell.replace("$", "")].value == name.removesuffix(".xlsx")
    assert "roster" in wb["人员"].tables and "incidents" in wb["登记"].tables
    # The contract's columns first; the formulas' helper columns after them, hidden.
    assert _table_headers(wb["人员"], wb["人员"].tables["roster"]) == [
        *(c.header for c in ROSTER_COLUMNS), *ROSTER_HELPERS]
    assert _table_headers(wb["登记"], wb["登记"].tables["incidents"]) == [
        *(c.header for c in INCIDENT_COLUMNS), *INCIDENT_HELPERS]
    assert [wb["登记"].column_dimensions[c].hidden for c in "HIJKLM"] == [False] + [True] * 5
    scores = wb["得分"]
    assert [c.value for c in scores[SCORES_HEADER_ROW]] == [
        "编号", "姓名", "N01", "N02", "N03", "N04", "N05", "N07", "N09", "加分", "个人得分",
        None, "科室得分", "得分"]
    # The department block beside the first person rows, the problem count below its total.
    first = SCORES_HEADER_ROW + 1
    labels = [scores.cell(row=r, column=13).value for r in range(first, first + 7)]
    assert labels == ["成员平均（每人不超过 700）", "N06 全日制办公制规范", "N08 请示报告规范",
                      "N10 工作作风和办事效率规范", "科室加分（不超过 50）", "科室得分（满分 1000）",
                      "无法计分的行"]
    assert [next(wb.defined_names[n].destinations) for n in (
        "qf_member_mean", "qf_dept_total", "qf_problem_count")] == [
        ("得分", "$N$7"), ("得分", "$N$12"), ("得分", "$N$13")]
    assert [c.value for c in scores[SCORES_LIMITS_ROW]][2:11] == [100] * 7 + [30, 700]


@pytest.mark.parametrize("name", NAMES)
def test_dropdowns_point_at_existing_lists(name):
    wb = openpyxl.load_workbook(COMMITTED / name)
    std = wb["评分标准"]
    codes = [std.cell(row=r, column=1).value for r in range(4, std.max_row + 1)]
    items = [c for c in codes if c and re.fullmatch(r"N\d\d-\d\d", c)]
    assert len(items) == 82
    formulas = {dv.formula1: str(dv.sqref) for dv in wb["登记"].data_validations.dataValidation}
    assert {"qf_ids", "qf_item_list", "qf_period_start", "1"} <= set(formulas)
    for name_ in ("qf_ids", "qf_item_list", "qf_lines", "qf_categories", "qf_levels",
                  "qf_period_start", "qf_period_end", "qf_codes", "qf_cat_points"):
        sheet, ref = next(wb.defined_names[name_].destinations)
        assert sheet in wb.sheetnames
    sheet, ref = next(wb.defined_names["qf_item_list"].destinations)
    labels = [c[0].value for c in wb[sheet][ref.replace("$", "")]]
    assert labels[0].startswith("N01-01 ") and labels[-1].startswith("B04 ")
    assert len(labels) == 86


@pytest.mark.parametrize("name", NAMES)
def test_inputs_unlocked_formulas_and_catalogue_protected(name):
    wb = openpyxl.load_workbook(COMMITTED / name)
    log = wb["登记"]
    assert log.protection.sheet and wb["得分"].protection.sheet and wb["评分标准"].protection.sheet
    # Input columns are formatted as Excel saves a formatted column (a clerk's entry takes
    # the column's format and unlocked protection); the template has no empty cells there.
    assert (6, 1) not in log._cells and (6, 4) not in log._cells
    assert [log.column_dimensions[c].protection.locked for c in "ABCDEGH"] == [False] * 7
    assert log.column_dimensions["A"].number_format == "yyyy-mm-dd"
    assert wb["人员"].column_dimensions["A"].protection.locked is False
    assert log["F6"].protection.locked is True        # 分值 (formula)
    assert str(log["F6"].value).startswith("=IF(")
    assert log["D2"].protection.locked is False       # 科室
    assert log.freeze_panes == "A6"
    assert int(log.page_setup.paperSize) == 9  # A4
    # The register is signed once: on the page of its scores.
    assert "填表人" in wb["得分"].oddFooter.left.text and "审核人" in wb["得分"].oddFooter.left.text
    assert [ws.oddFooter.left.text for ws in (log, wb["人员"], wb["评分标准"])] == [None] * 3


def _xml_parts(path: Path) -> dict[str, bytes]:
    """Each part of the package, with what changes on every save blanked (as XlsxWriter's
    comparison tests do)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:modified[^<]*</dcterms:modified>", b"",
                                        parts["docProps/core.xml"])
    return parts


def test_committed_templates_match_the_generator(tmp_path):
    """Fails when workbook_templates/ drifts from the generator: run `make templates`."""
    written = write_templates(tmp_path, load_standards(), flavours=(FLAVOUR_FORMULAS, FLAVOUR_UDF),
                              vba=vba_modules())
    written.append(write_annual_template(tmp_path, load_standards()))
    assert sorted(p.name for p in written) == sorted((*NAMES, *XLSM, ANNUAL))
    for path in written:
        assert _xml_parts(path) == _xml_parts(COMMITTED / path.name), (
            f"{path.name} differs from workbook_templates/: run `make templates`")


def test_templates_with_a_roster_write_one_prefilled_pair_per_department(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("编号,姓名,科室,口,人员类别,岗位层级\n"
                      "A01,张晓明,社保所,行政口,公务员,科室负责人\n"
                      "A02,李海燕,社保所,行政口,事业编人员,一般工作人员\n"
                      "B01,王建国,城市管理科,行政口,公务员,科室负责人\n", encoding="utf-8-sig")
    out = tmp_path / "out"
    assert main(["templates", "--out", str(out), "--roster", str(roster), "--unit", "柳荫街道",
                 "--week", "2026-W47", "--month", "2026-11"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["城市管理科_2026-11_月考核情况登记表.xlsx",
                     "城市管理科_2026-W47_周考核情况登记表.xlsx",
                     "社保所_2026-11_月考核情况登记表.xlsx",
                     "社保所_2026-W47_周考核情况登记表.xlsx"]
    wb = openpyxl.load_workbook(out / "社保所_2026-W47_周考核情况登记表.xlsx")
    assert [wb["登记"][c].value for c in ("B2", "D2", "F2")] == ["柳荫街道", "社保所", "2026-W47"]
    assert [wb["人员"].cell(row=r, column=1).value for r in (4, 5, 6)] == ["A01", "A02", None]


def test_templates_refuse_a_bad_roster_with_cells(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("编号,姓名,科室,口,人员类别,岗位层级\n"
                      "A01,张晓明,社保所,行政口,公务员,处长\n", encoding="utf-8")
    assert main(["templates", "--out", str(tmp_path / "o"), "--roster", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "roster.csv › roster!F2" in err and "岗位层级无效" in err


def test_kinds_are_the_contract_names():
    assert (KIND_WEEKLY, KIND_MONTHLY) == ("周考核情况登记表", "月考核情况登记表")


@pytest.mark.parametrize("name", XLSM)
def test_the_xlsm_flavour_calls_the_udfs_in_the_same_cells(name):
    path = COMMITTED / name
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml")
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    wb = openpyxl.load_workbook(path)
    scores = wb["得分"]
    formula = scores["A7"].value
    assert formula.ref == "A7:N66" and formula.text == (
        "=QF_SCORES(qf_incident_table,qf_roster_table,60,qf_standards,qf_period_start,"
        "qf_period_end,qf_leadership)")
    sheet, cell = next(wb.defined_names["qf_dept_total"].destinations)
    assert (sheet, cell) == ("得分", "$N$12")  # the same place as the native template's
    assert wb["登记"]["F6"].value == "=QF_POINTS($D6,$E6,qf_standards)"
    assert wb["登记"]["G3"].value.text == "=QF_CHECK(qf_incident_table,qf_roster_table,qf_standards)"
    conf = wb["xlwings.conf"]
    assert conf.sheet_state == "hidden" and [conf["A1"].value, conf["B1"].value] == [
        "UDF_MODULES", "qianfen_xl.udfs"]
    native = openpyxl.load_workbook(COMMITTED / name.replace(".xlsm", ".xlsx"))
    assert [ws.title for ws in native] == [ws.title for ws in wb][:-1]


def _validations(ws):
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
            for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize(("name", "within"), [(NAMES[0], "本周"), (NAMES[1], "本月")])
def test_inputs_guide_and_alerts_name_the_rule(name, within):
    from qianfen_xl.contract.findings import RULES

    wb = openpyxl.load_workbook(COMMITTED / name)
    log = _validations(wb["登记"])
    assert (log["A"].promptTitle, log["A"].prompt) == (
        "填写日期", f"{within}内的日期（见表头“起止”），如 2026-11-17")
    assert [(log[c].promptTitle, log[c].showInputMessage) for c in "BDEG"] == [
        ("选择编号", True), ("选择项目", True), ("填写次数", True), ("填写事由", True)]
    for col, rule in (("A", "date-outside-period"), ("B", "person-unknown"),
                      ("E", "count-not-whole")):
        assert log[col].errorTitle == RULES[rule].title and f"规则 {rule}" in log[col].error
    roster = _validations(wb["人员"])
    assert roster["F"].errorTitle == RULES["roster-level-unknown"].title


def test_the_units_name_where_the_regulation_names_its_street(tmp_path, standards):
    """N02-03 says what to answer the phone with: the regulation's street is the unit's."""
    write_templates(tmp_path, standards, unit="柳荫街道")
    std = openpyxl.load_workbook(tmp_path / "周考核情况登记表.xlsx")["评分标准"]
    text = next(std.cell(row=r, column=4).value for r in range(4, std.max_row + 1)
                if std.cell(row=r, column=1).value == "N02-03")
    assert "这里是柳荫街道科" in text and "马连洼" not in text
    assert "马连洼街道" in standards.item_by_code["N02-03"].text  # the standards as written


def test_the_item_dropdown_ends_on_a_clause_never_mid_word(standards):
    from qianfen_xl.contract.standards import LABEL_LENGTH

    for item in standards.items:
        shown = item.label.removeprefix(f"{item.code} ")
        if shown == item.text:
            continue
        head = shown.removesuffix("…")
        assert shown.endswith("…") and item.text.startswith(head), item.code
        cut_at_clause = item.text[len(head)] in "，,；;。：:、"
        assert cut_at_clause or len(head) == LABEL_LENGTH, (item.code, shown)


@pytest.mark.libreoffice
def test_the_blank_template_shows_no_department_score_until_someone_is_on_the_roster(
        tmp_path, lo_profile):
    """The department norms alone (300) are no department's score: 科室得分 and its parts
    stay blank, as saved and as LibreOffice computes them, until a person is typed on 人员;
    then the score shows (one person, nothing recorded: 700 + 300)."""
    from libreoffice import convert

    def block(path: Path, data_only: bool = True) -> dict[str, object]:
        wb = openpyxl.load_workbook(path, data_only=data_only)
        out = {}
        for name in ("qf_member_mean", "qf_dept_total", "qf_problem_count"):
            sheet, cell = next(wb.defined_names[name].destinations)
            out[name] = wb[sheet][cell.replace("$", "")].value
        return out

    blank = COMMITTED / "周考核情况登记表.xlsx"
    wb = openpyxl.load_workbook(blank)
    wb["人员"]["A4"], wb["人员"]["B4"] = "A01", "张晓明"
    typed = tmp_path / "typed.xlsx"
    wb.save(typed)
    empty = {"qf_member_mean": None, "qf_dept_total": None, "qf_problem_count": 0}
    assert block(blank) == empty
    recalculated = convert([blank, typed], tmp_path / "lo", lo_profile)
    assert block(recalculated[0]) == empty
    assert block(recalculated[1]) == {"qf_member_mean": 700, "qf_dept_total": 1000,
                                      "qf_problem_count": 0}
