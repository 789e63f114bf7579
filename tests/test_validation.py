"""Broken registers produce the right finding at the right cell, and never a traceback."""

from __future__ import annotations

from datetime import date

import pytest

from qianfen_xl.cli import main
from qianfen_xl.intake.reading import read_register
from qianfen_xl.intake.register import check_register
from qianfen_xl.scoring.engine import Incident, score_department

from builders import INCIDENTS, ROSTER, register

FIRST = 6  # the first incident row of the 登记 sheet


def check(path, standards):
    reg, findings = read_register(path)
    assert reg.readable, findings
    return check_register(reg, findings, standards)


def flat(checked):
    return [(f.sheet, f.cell, f.code) for f in checked.findings]


def set_cell(ref, value, sheet="登记"):
    def edit(wb):
        wb[sheet][ref].value = value
    return edit


def test_a_clean_register_scores_as_the_engine(tmp_path, standards, register_name):
    checked = check(register(tmp_path, standards, name=register_name), standards)
    assert checked.findings == ()
    assert (checked.kind, checked.department, checked.period.label) == (
        "周考核情况登记表", "社保所", "2026-W47")
    assert [p.id for p in checked.roster] == ["A01", "A02", "A03"]
    assert list(checked.incidents) == INCIDENTS
    score = score_department(standards, "社保所", checked.roster, checked.incidents)
    assert score.total == score_department(standards, "社保所", ROSTER, INCIDENTS).total


@pytest.mark.parametrize(("edit", "expected"), [
    (set_cell(f"D{FIRST}", "N11-01"), [("登记", f"D{FIRST}", "item-code-unknown")]),
    (set_cell(f"B{FIRST}", "Z99"), [("登记", f"B{FIRST}", "person-unknown")]),
    (set_cell(f"E{FIRST}", "两次"), [("登记", f"E{FIRST}", "text-in-number")]),
    (set_cell(f"E{FIRST}", 1.5), [("登记", f"E{FIRST}", "count-not-whole")]),
    (set_cell(f"E{FIRST}", 0), [("登记", f"E{FIRST}", "count-not-whole")]),
    (set_cell(f"A{FIRST}", date(2026, 12, 1)), [("登记", f"A{FIRST}", "date-outside-period")]),
    (set_cell(f"A{FIRST}", "昨天"), [("登记", f"A{FIRST}", "date-invalid")]),
    (set_cell(f"B{FIRST + 2}", "A01"), [("登记", f"B{FIRST + 2}", "person-not-allowed")]),
    (set_cell(f"B{FIRST}", None), [("登记", f"B{FIRST}", "person-required")]),
    (set_cell(f"C{FIRST}", "李海燕"), [("登记", f"C{FIRST}", "person-name-mismatch")]),
    (set_cell(f"G{FIRST}", None), [("登记", f"G{FIRST}", "reason-missing")]),
    (set_cell(f"D{FIRST + 2}", "N10-01"), [("登记", f"D{FIRST + 2}", "item-leadership-only")]),
    (set_cell("D2", None), [("登记", "D2", "header-missing")]),
    (set_cell("F2", "2026-11"), [("登记", "F2", "period-kind-mismatch")]),
    (set_cell("F2", "第47周"), [("登记", "F2", "period-invalid")]),
    (set_cell("F4", "处长", sheet="人员"), [("人员", "F4", "roster-level-unknown")]),
    (set_cell("A5", "A01", sheet="人员"), [("人员", "A5", "roster-id-duplicate")]),
])
def test_each_broken_cell_is_named(tmp_path, standards, edit, expected, register_name):
    checked = check(register(tmp_path, standards, name=register_name, edit=edit), standards)
    errors = flat(checked)
    if expected[0][2] == "roster-id-duplicate":
        # A02 became a second A01, so A02's incident also names an unknown person (登记
        # first: findings come sheet by sheet in the workbook's order)
        assert errors == [("登记", f"B{FIRST + 1}", "person-unknown"), *expected]
    else:
        assert errors == expected
    assert not checked.ok
    assert checked.incidents == ()


def test_a_full_width_item_code_is_read(tmp_path, standards, register_name):
    """An input method in full-width mode types Ｎ０３－０５: the formulas read it as N03-05,
    and so does validate."""
    def edit(wb):
        wb["登记"][f"D{FIRST}"] = "Ｎ０３－０５\u3000办公时间玩游戏"
    checked = check(register(tmp_path, standards, name=register_name, edit=edit), standards)
    assert checked.findings == ()
    assert checked.incidents[0] == INCIDENTS[0]


def test_dates_and_counts_typed_as_text_are_named(tmp_path, standards, register_name):
    """A date or a count typed as text cannot be computed by the sheet (its row counts in
    qf_problem_count): validate names the cell, even when it could read the text."""
    def edit(wb):
        ws = wb["登记"]
        ws[f"A{FIRST}"] = "2026年11月16日"
        ws[f"E{FIRST}"] = "２"
        ws[f"A{FIRST + 1}"] = "2026-11-17"
    checked = check(register(tmp_path, standards, name=register_name, edit=edit), standards)
    assert flat(checked) == [("登记", f"A{FIRST}", "date-as-text"),
                             ("登记", f"E{FIRST}", "text-in-number"),
                             ("登记", f"A{FIRST + 1}", "date-as-text")]


@pytest.mark.parametrize(("typed", "rule"), [
    ("A01 ", "person-id-inexact"), ("Ａ０１", "person-id-inexact"), ("a01", "person-unknown")])
def test_an_id_not_typed_as_the_roster_has_it_is_named(tmp_path, standards, typed, rule,
                                                       register_name):
    """The sheet finds a person by the 编号 exactly as the roster has it."""
    checked = check(register(tmp_path, standards, name=register_name,
                             edit=set_cell(f"B{FIRST}", typed)), standards)
    assert flat(checked) == [("登记", f"B{FIRST}", rule)]


def test_ids_differing_only_in_case_are_duplicates(tmp_path, standards, register_name):
    checked = check(register(tmp_path, standards, name=register_name,
                             edit=set_cell("A5", "a01", sheet="人员")), standards)
    assert ("人员", "A5", "roster-id-duplicate") in flat(checked)


def test_blank_rows_in_the_middle_are_ignored(tmp_path, standards, register_name):
    far = Incident(date(2026, 11, 20), "A01", "N04-06", 1, "未戴胸卡")

    def edit(wb):
        ws = wb["登记"]
        row = FIRST + 30
        for col, v in zip("ABDEG", (far.day, far.person, far.code, far.count, far.reason),
                          strict=True):
            ws[f"{col}{row}"] = v
    checked = check(register(tmp_path, standards, name=register_name, edit=edit), standards)
    assert checked.findings == ()
    assert checked.incidents[-1] == far


def test_the_same_incident_twice_is_a_warning_and_counts(tmp_path, standards, register_name):
    twice = [*INCIDENTS, INCIDENTS[0]]
    checked = check(register(tmp_path, standards, name=register_name, incidents=twice),
                    standards)
    assert flat(checked) == [("登记", f"G{FIRST + 4}", "incident-duplicate")]
    assert checked.ok and len(checked.incidents) == 5


def test_a_missing_column_is_named(tmp_path, standards, register_name):
    def edit(wb):
        wb["登记"]["E5"].value = "数量"
    checked = check(register(tmp_path, standards, name=register_name, edit=edit), standards)
    assert ("登记", "A5", "column-missing") in flat(checked)
    assert "次数" in checked.findings[0].message


def test_moved_columns_are_found_by_header(tmp_path, standards, register_name):
    def edit(wb):
        ws = wb["登记"]
        for r in range(5, 5 + 1 + len(INCIDENTS)):
            ws[f"G{r}"].value, ws[f"H{r}"].value = ws[f"H{r}"].value, ws[f"G{r}"].value
    checked = check(register(tmp_path, standards, name=register_name, edit=edit), standards)
    # Read by header, scored right. The values were moved, not the columns (Excel moves
    # the formulas along): the sheet's own figures, from the columns its formulas name,
    # are warned about, never trusted.
    assert checked.ok and list(checked.incidents) == INCIDENTS
    assert {f.code for f in checked.findings} == {"score-cache-mismatch"}


def test_messages_are_chinese_and_point_to_the_cell(tmp_path, standards, register_name):
    path = register(tmp_path, standards, name=register_name,
                    edit=set_cell(f"D{FIRST}", "N11-01"))
    (finding,) = check(path, standards).findings
    assert str(finding) == (f"[错误] {register_name} › 登记!D{FIRST}: "
                            "项目代码不存在：“N11-01”。请从下拉列表中选择项目")


def test_a_file_that_is_not_a_workbook(tmp_path, standards, capsys):
    bad = tmp_path / "社保所.xlsx"
    bad.write_text("这不是表格", encoding="utf-8")
    reg, findings = read_register(bad)
    assert not reg.readable and [f.code for f in findings] == ["not-a-workbook"]
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr()
    assert "社保所.xlsx" in out.out and "不是 Excel 工作簿" in out.out
    assert "Traceback" not in out.out + out.err


def test_a_corrupt_zip_is_a_finding(tmp_path, standards, register_name):
    good = register(tmp_path, standards, name=register_name)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    reg, findings = read_register(broken)
    assert not reg.readable and findings[0].code == "file-corrupt"


def test_validate_exit_codes_and_scores(tmp_path, standards, capsys, register_name):
    suffix = register_name.removeprefix("register")
    good = register(tmp_path, standards, name=f"good{suffix}")
    bad = register(tmp_path, standards, name=f"bad{suffix}", edit=set_cell(f"D{FIRST}", "N11-01"))
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert "校验通过" in out and "科室得分 995.00" in out
    assert main(["validate", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "退回修改" in out and f"bad{suffix} › 登记!D6" in out


def test_sources_are_never_modified(tmp_path, standards, register_name):
    path = register(tmp_path, standards, name=register_name)
    before = path.read_bytes()
    main(["validate", str(path)])
    assert path.read_bytes() == before


def test_a_score_formula_overwritten_with_a_constant_is_a_warning(tmp_path, standards, capsys):
    def overwrite(wb):
        wb["得分"]["K7"].value = 650  # A01's 个人得分, was a formula
    path = register(tmp_path, standards, edit=overwrite)
    assert main(["validate", str(path)]) == 0  # a warning does not block
    out = capsys.readouterr().out
    assert "[警告] register.xlsx › 得分!K7: 公式被改写为数值：表内为数值 650，重新计算为 696" in out
    assert "校验通过（错误 0，警告 1）" in out


@pytest.mark.libreoffice
def test_cached_values_saved_by_a_spreadsheet_agree(tmp_path, standards, lo_profile):
    from libreoffice import convert

    (saved,) = convert([register(tmp_path, standards)], tmp_path / "lo", lo_profile)
    reg, findings = read_register(saved)
    assert reg.scores.frame["个人得分"].tolist()[:3] == [696, 695, 700]
    assert check_register(reg, findings, standards).findings == ()


def test_a_department_total_overwritten_is_a_warning(tmp_path, standards):
    def overwrite(wb):
        sheet, ref = next(wb.defined_names["qf_dept_total"].destinations)
        wb[sheet][ref.replace("$", "")].value = 999
    (warning,) = check(register(tmp_path, standards, edit=overwrite), standards).findings
    assert (warning.sheet, warning.code, warning.detail) == (
        "得分", "formula-overwritten", "表内为数值 999，重新计算为 995")


def test_a_formula_overwritten_with_its_own_value_is_still_a_warning(tmp_path, standards):
    def overwrite(wb):
        wb["得分"]["K8"].value = 695   # A02's 个人得分, the right number but no longer live
        wb["登记"][f"F{FIRST}"].value = -4  # A01's 分值 (N03-05 twice)
    found = check(register(tmp_path, standards, edit=overwrite), standards).findings
    assert sorted((f.sheet, f.cell, f.code) for f in found) == [
        ("得分", "K8", "formula-overwritten"), ("登记", f"F{FIRST}", "formula-overwritten")]


def test_filling_more_incidents_than_the_table_holds_is_refused(tmp_path, standards):
    many = [INCIDENTS[0]] * 201  # the weekly table holds 200 rows
    with pytest.raises(ValueError, match="do not fit"):
        register(tmp_path, standards, incidents=many)


@pytest.mark.parametrize("cell_xml", [
    '<c r="F6" s="8"><f>E6*2</f><v>4</v></c>',                    # as Excel writes it
    '<c s="8" r="F6" t="n"><f>E6*2</f><v>4</v></c>',              # attributes in any order
    '<x:c r="F6"><x:f>E6*2</x:f><x:v>4</x:v></x:c>',               # a namespace prefix
    '<c r="F6">\n  <f t="shared" si="0"/>\n  <v>4</v>\n</c>',      # shared, and spaced out
])
def test_a_formula_is_recognised_however_the_saving_program_wrote_it(cell_xml):
    """Excel, LibreOffice and WPS write the same formula cell differently; the check that a
    live cell still holds its formula must not cry wolf at any of them."""
    import io

    from qianfen_xl.intake.reading import FormulaCells

    filler = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"空" * 40}</t></is></c>'
                     f'<c r="F{r}"/></row>' for r in range(7, 900))
    xml = (f'<worksheet><sheetData><row r="5"><c r="F5"><v>1</v></c></row><row r="6">'
           f'{cell_xml}</row>{filler}</sheetData></worksheet>').encode()
    cells = FormulaCells(io.BytesIO(xml))
    assert cells.among(["F5", "F6", "F7", "F899", "F900"]) == {"F6"}


def test_cells_an_array_formula_fills_count_as_formulas():
    import io

    from qianfen_xl.intake.reading import FormulaCells

    rows = "".join(f'<row r="{r}"><c r="B{r}"><v>{r}</v></c></row>' for r in range(6, 80))
    xml = (b'<worksheet><sheetData><row r="5"><c r="A5"><f t="array" ref="A5:K72">'
           b'QF_SCORES(incidents[#All],roster[#All],60)</f><v>1</v></c></row>'
           + rows.encode() + b'</sheetData></worksheet>')
    assert FormulaCells(io.BytesIO(xml)).among(["B6", "K72", "B73", "L6"]) == {"B6", "K72"}


def test_a_prefilled_roster_longer_than_the_template_gets_rows_for_all(tmp_path, standards,
                                                                       register_name):
    from openpyxl import load_workbook

    from qianfen_xl.scoring.engine import Person

    seventy = [Person(f"P{k:02d}", f"人{k}", "社保所", "行政口", "公务员", "一般工作人员")
               for k in range(70)]
    incidents = [Incident(date(2026, 11, 17), "P65", "N03-05", 1, "办公时间玩游戏")]
    path = register(tmp_path, standards, name=register_name, roster=seventy,
                    incidents=incidents)
    sub = check(path, standards)
    assert flat(sub) == [] and len(sub.score.people) == 70
    wb = load_workbook(path, data_only=True)
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    assert meta["得分人数"] == 80 and wb["得分"]["K72"].value == 698  # P65, the 66th row


def test_people_added_below_the_roster_table_are_named_once(tmp_path, standards, register_name):
    """The 得分 sheet shows the rows of the roster Table; people typed below it are scored
    by validate, and that is said once (at the first of them), with the sheet's own
    problem count saying that rows naming them cannot be scored."""
    from qianfen_xl.scoring.engine import Person

    sixty = [Person(f"P{k:02d}", f"人{k}", "社保所", "行政口", "公务员", "一般工作人员")
             for k in range(60)]

    def append(wb):
        for k, r in enumerate(range(64, 69)):
            wb["人员"][f"A{r}"], wb["人员"][f"B{r}"] = f"Q{k}", f"新人{k}"
    incidents = [Incident(date(2026, 11, 17), "P05", "N03-05", 1, "办公时间玩游戏")]
    sub = check(register(tmp_path, standards, name=register_name, roster=sixty,
                         incidents=incidents, edit=append), standards)
    assert flat(sub) == [("人员", "A64", "roster-too-large")]
    assert sub.findings[0].detail == "65 人，得分表只有 60 行"
    assert len(sub.score.people) == 65
