"""Each kind of bad input PRODUCT.md lists, dropped into a street's inbox beside the good
registers: the bad file gets its finding (named by file, sheet and cell), and the good files
still consolidate to the same scores. Never a traceback."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from qianfen_xl import validate
from qianfen_xl.batch.consolidation import consolidate, consolidation_period
from qianfen_xl.batch.inbox import discover, intake_all, run_consolidation
from qianfen_xl.cli import main
from qianfen_xl.scoring.engine import Incident, Person, score_department

from builders import KIND_MONTHLY, add_macros, encrypt, register, street_month

NOV = consolidation_period("2026-11")
DEPT = "测试科"
PEOPLE = [Person("T01", "钱思远", DEPT, "行政口", "公务员", "科室负责人"),
          Person("T02", "冯若溪", DEPT, "行政口", "工勤人员", "一般工作人员")]
GOOD = [Incident(date(2026, 11, 17), "T01", "N03-05", 2, "办公时间玩游戏"),
        Incident(date(2026, 11, 18), "T02", "B01", 1, "街道通报表扬"),
        Incident(date(2026, 11, 19), None, "N08-02", 1, "事后补报")]
NAME = "测试科_2026-11.xlsx"  # a monthly register: one file makes 测试科's whole month
ROW = 6  # first incident row


@pytest.fixture(scope="module")
def built(tmp_path_factory, standards):
    street = street_month(tmp_path_factory.mktemp("street"), standards,
                          departments=("社保所", "城市管理科"))
    subs = intake_all(discover(street.inbox), standards, workers=1)
    baseline = consolidate(standards, subs, NOV)
    return street, {r.department: r.score for r in baseline.requested[0].departments}


@pytest.fixture
def inbox(tmp_path, built):
    shutil.copytree(built[0].inbox, tmp_path / "inbox")
    return tmp_path / "inbox"


def dept_register(folder, standards, edit=None, name=NAME, week=""):
    """A good register of 测试科 (before ``edit`` breaks it): its month, or one ``week``."""
    if week:
        return register(folder, standards, period=week, roster=PEOPLE, incidents=GOOD,
                        department=DEPT, edit=edit, name=name)
    return register(folder, standards, kind=KIND_MONTHLY, period="2026-11", roster=PEOPLE,
                    incidents=GOOD, department=DEPT, edit=edit, name=name)


def consolidated(inbox, standards):
    return consolidate(standards, intake_all(discover(inbox), standards, workers=1), NOV)


def check_batch(result, built, *, scored_as=None):
    """The good departments keep their scores; 测试科 is scored as given, or not at all."""
    rows = {r.department: r for r in result.requested[0].departments}
    for department, score in built[1].items():
        assert rows[department].score == score
    if scored_as is not None:
        assert rows[DEPT].status == "已计分" and rows[DEPT].score.total == scored_as
    return rows


def found(result, label):
    return [(f.code, f.sheet, f.cell) for f in result.findings if f.file == label]


def expected_total(standards, incidents=GOOD):
    return score_department(standards, DEPT, PEOPLE, incidents).total


# ---------------------------------------------------------------- files that are not registers

def test_not_a_workbook(inbox, standards, built):
    (inbox / "测试科.xlsx").write_text("这不是表格", encoding="utf-8")
    result = consolidated(inbox, standards)
    assert found(result, "测试科.xlsx") == [("not-a-workbook", "", "")]
    check_batch(result, built)
    assert {s.submission.label: s.status for s in result.sources}["测试科.xlsx"] == "无法读取"


def test_a_corrupt_zip(inbox, standards, built):
    good = dept_register(inbox, standards)
    good.write_bytes(good.read_bytes()[:5000])
    result = consolidated(inbox, standards)
    assert found(result, NAME) == [("file-corrupt", "", "")]
    check_batch(result, built)


def test_a_valid_zip_that_is_not_a_workbook(inbox, standards, built):
    with zipfile.ZipFile(inbox / "测试科.xlsx", "w") as z:
        z.writestr("readme.txt", "hello")
    result = consolidated(inbox, standards)
    assert found(result, "测试科.xlsx") == [("not-a-workbook", "", "")]
    check_batch(result, built)


def test_an_encrypted_workbook(inbox, standards, built, tmp_path):
    encrypt(dept_register(tmp_path, standards), inbox / NAME)
    result = consolidated(inbox, standards)
    (finding,) = [f for f in result.findings if f.file == NAME]
    assert (finding.code, finding.sheet, finding.cell) == ("file-encrypted", "", "")
    assert "取消密码" in finding.message
    check_batch(result, built)


@pytest.mark.libreoffice
def test_legacy_xls_and_wps_et_are_read(inbox, standards, built, tmp_path, lo_profile):
    from libreoffice import convert

    (xls,) = convert([dept_register(tmp_path, standards)], tmp_path / "xls", lo_profile, "xls")
    shutil.copy(xls, inbox / "测试科.xls")
    result = consolidated(inbox, standards)
    assert found(result, "测试科.xls") == [("legacy-format", "", "")]
    check_batch(result, built, scored_as=expected_total(standards))
    # WPS .et files are the same compound-file format: read them the same way.
    (inbox / "测试科.xls").rename(inbox / "测试科.et")
    result = consolidated(inbox, standards)
    assert found(result, "测试科.et") == [("legacy-format", "", "")]
    assert "WPS" in next(f.detail for f in result.findings if f.file == "测试科.et")
    check_batch(result, built, scored_as=expected_total(standards))


@pytest.mark.libreoffice
def test_a_legacy_xls_that_asks_for_gigabytes_costs_only_itself(inbox, standards, built,
                                                                tmp_path, lo_profile):
    """A 200 KB .xls whose sheets reach IV65536: python-calamine builds every sheet of a
    legacy file as it opens it (half a gigabyte each), and the package scan cannot measure
    one first. Even in a batch too small for a worker pool, and in validate, it is read in
    a process of its own under the memory ceiling: it alone is refused, the batch goes on."""
    from libreoffice import convert

    def reach_far(wb):
        for ws in wb.worksheets:
            ws["IV65536"] = "远"

    (xls,) = convert([dept_register(tmp_path, standards, edit=reach_far)], tmp_path / "xls",
                     lo_profile, "xls")
    assert xls.stat().st_size < 250_000
    shutil.copy(xls, inbox / "测试科.xls")
    result = consolidated(inbox, standards)
    assert found(result, "测试科.xls") == [("file-too-large", "", "")]
    check_batch(result, built)
    assert [f.code for f in validate(inbox / "测试科.xls").findings] == ["file-too-large"]


def test_an_unreadable_et_or_xls_asks_to_save_as_xlsx(inbox, standards, built):
    (inbox / "测试科.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (inbox / "旧表.xls").write_bytes(b"not really an xls")
    result = consolidated(inbox, standards)
    assert found(result, "测试科.et") == [("legacy-unreadable", "", "")]
    assert found(result, "旧表.xls") == [("not-a-workbook", "", "")]
    assert "另存为 .xlsx" in next(f.message for f in result.findings if f.file == "测试科.et")
    check_batch(result, built)


def test_another_template_or_version(inbox, standards, built):
    other = Workbook()
    other.active.title = "Sheet1"
    other.active["A1"] = "科室月报"
    other.save(inbox / "别的表.xlsx")

    def version(wb):
        wb["_meta"]["B2"] = "2.0"
    dept_register(inbox, standards, edit=version)
    result = consolidated(inbox, standards)
    assert ("template-unknown", "", "") in found(result, "别的表.xlsx")
    assert found(result, NAME) == [("template-version", "_meta", "B2")]
    rows = check_batch(result, built)
    assert rows[DEPT].status == "退回修改"


# ---------------------------------------------------------------- cells and columns

def cell(ref, value, sheet="登记"):
    def edit(wb):
        wb[sheet][ref] = value
    return edit


def merge(wb):
    ws = wb["登记"]
    ws[f"A{ROW + 1}"] = None
    ws.merge_cells(f"A{ROW}:A{ROW + 1}")


def move_columns(wb):
    ws = wb["登记"]
    for r in range(5, ROW + len(GOOD)):
        ws[f"D{r}"].value, ws[f"G{r}"].value = ws[f"G{r}"].value, ws[f"D{r}"].value


def full_width_code(wb):
    wb["登记"][f"D{ROW}"] = "Ｎ０３－０５"


def text_dates_and_counts(wb):
    ws = wb["登记"]
    ws[f"A{ROW}"], ws[f"E{ROW}"] = "2026年11月17日", "２"
    ws[f"A{ROW + 1}"] = "2026/11/18"


def blank_rows(wb):
    ws = wb["登记"]
    for col in "ABCDEGH":  # every input column; 分值 (F) keeps its formula in every row
        ws[f"{col}{ROW + 40}"].value = ws[f"{col}{ROW + 2}"].value
        ws[f"{col}{ROW + 2}"].value = None


@pytest.mark.parametrize(("edit", "expected"), [
    (cell("E5", "数量"), [("column-missing", "登记", "A5")]),
    (merge, [("merged-cells", "登记", f"A{ROW}"), ("date-missing", "登记", f"A{ROW + 1}")]),
    (cell(f"E{ROW}", "两次"), [("text-in-number", "登记", f"E{ROW}")]),
    (cell(f"B{ROW}", "T09"), [("person-unknown", "登记", f"B{ROW}")]),
    (text_dates_and_counts, [("date-as-text", "登记", f"A{ROW}"),
                             ("text-in-number", "登记", f"E{ROW}"),
                             ("date-as-text", "登记", f"A{ROW + 1}")]),
    (cell("F2", "2026-W46"), [("date-outside-period", "登记", f"A{ROW}"),
                               ("date-outside-period", "登记", f"A{ROW + 1}"),
                               ("date-outside-period", "登记", f"A{ROW + 2}")]),
], ids=["renamed-column", "merged-cells", "text-in-number", "person-not-in-roster",
        "text-dates-and-counts", "wrong-week"])
def test_a_broken_register_is_returned_with_the_cell_named(inbox, standards, built, edit,
                                                           expected):
    # The wrong week needs a weekly register (its W47 dates in a register that says W46).
    week = "2026-W47" if expected[0][0] == "date-outside-period" else ""
    dept_register(inbox, standards, edit=edit, week=week)
    result = consolidated(inbox, standards)
    assert found(result, NAME) == expected
    rows = check_batch(result, built)
    assert rows[DEPT].status == "退回修改"


@pytest.mark.parametrize("edit", [full_width_code, blank_rows],
                         ids=["full-width-code", "blank-rows"])
def test_what_clerks_type_is_read_right(inbox, standards, built, edit):
    dept_register(inbox, standards, edit=edit)
    result = consolidated(inbox, standards)
    assert found(result, NAME) == []
    check_batch(result, built, scored_as=expected_total(standards))


def test_moved_columns_are_read_by_header(inbox, standards, built):
    """Values moved between columns (not as Excel moves columns, formulas along) are read
    by header and scored right; the sheet's own figures, from the columns its formulas
    name, are only warned about."""
    dept_register(inbox, standards, edit=move_columns)
    result = consolidated(inbox, standards)
    assert {code for code, _, _ in found(result, NAME)} == {"score-cache-mismatch"}
    check_batch(result, built, scored_as=expected_total(standards))


def test_formulas_overwritten_by_constants_are_warned_and_recomputed(inbox, standards, built):
    def overwrite(wb):
        wb["得分"]["K7"] = 700      # T01's 个人得分 (really 696)
        wb["登记"][f"F{ROW}"] = -4  # the right 分值, but typed over the formula
    dept_register(inbox, standards, edit=overwrite)
    result = consolidated(inbox, standards)
    assert found(result, NAME) == [("formula-overwritten", "登记", f"F{ROW}"),  # tab order
                                   ("formula-overwritten", "得分", "K7")]
    check_batch(result, built, scored_as=expected_total(standards))


# ---------------------------------------------------------------- submissions

def test_the_same_file_twice_counts_once(inbox, standards, built):
    first = dept_register(inbox, standards)
    shutil.copy(first, inbox / "测试科_副本.xlsx")
    result = consolidated(inbox, standards)
    assert found(result, "测试科_副本.xlsx") == [("file-duplicate", "", "")]
    check_batch(result, built, scored_as=expected_total(standards))
    statuses = {s.submission.label: s.status for s in result.sources}
    assert statuses[NAME] == "已计分" and statuses["测试科_副本.xlsx"] == "重复文件"


def test_a_register_of_another_period_is_left_out_and_named(inbox, standards, built):
    register(inbox, standards, period="2026-W40", roster=PEOPLE, department=DEPT,
             incidents=[Incident(date(2026, 9, 30), "T01", "N03-04", 1, "串岗")], name=NAME)
    result = consolidated(inbox, standards)
    assert found(result, NAME) == [("period-outside", "", "")]
    rows = check_batch(result, built)
    assert rows[DEPT].status == "未报送" and rows[DEPT].score is None


def test_a_macro_workbook_is_read_never_run(inbox, standards, built, tmp_path):
    xlsm = add_macros(dept_register(tmp_path, standards), inbox / "测试科.xlsm")
    before = hashlib.sha256(xlsm.read_bytes()).hexdigest()
    result = consolidated(inbox, standards)
    check_batch(result, built, scored_as=expected_total(standards))
    (src,) = [s for s in result.sources if s.submission.label == "测试科.xlsm"]
    assert src.submission.macros and src.submission.format == "xlsm"
    assert hashlib.sha256(xlsm.read_bytes()).hexdigest() == before


def test_office_lock_files_are_skipped(inbox, standards):
    (inbox / "~$社保所.xlsx").write_bytes(b"lock")
    (inbox / ".~lock.社保所.xlsx#").write_text("lock")
    assert not [p for p, label in discover(inbox) if "lock" in label or label.startswith("~$")]
    # … and each is listed in 数据来源 as skipped, with why, never read.
    result = run_consolidation(inbox, NOV, standards, workers=1)
    skipped = {s.submission.label: s.note for s in result.sources if s.status == "已跳过"}
    assert sorted(skipped) == [".~lock.社保所.xlsx#", "~$社保所.xlsx"]
    assert "临时文件" in skipped["~$社保所.xlsx"] and not any(
        f.file in skipped for f in result.findings)


# ---------------------------------------------------------------- outputs

def test_text_from_inputs_is_written_as_text(inbox, standards, tmp_path):
    evil = '=HYPERLINK("http://x","y")'
    people = [Person("T01", evil, DEPT, "行政口", "公务员", "科室负责人"), PEOPLE[1]]
    register(inbox, standards, kind=KIND_MONTHLY, period="2026-11", roster=people,
             department=DEPT, incidents=GOOD, name=NAME)
    other = [Person("X01", "+cmd|' /C calc'!A0", "别科", "党口", "公务员", "科室负责人")]
    register(inbox, standards, kind=KIND_MONTHLY, period="2026-11", roster=other,
             department="别科",
             incidents=[Incident(date(2026, 11, 19), "X01", "=1+1", 1, "@SUM(1)")],
             name="别科.xlsx")
    out = tmp_path / "排名.xlsx"
    main(["consolidate", str(inbox), "--period", "2026-11", "--out", str(out), "--workers", "1"])
    with zipfile.ZipFile(out) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"<t>=HYPERLINK(" in sheets
    wb = load_workbook(out)
    report = [c.value for row in wb["校验报告"].iter_rows() for c in row]
    assert any(isinstance(v, str) and "“=1+1”" in v for v in report)
    names = [c for row in wb["个人明细"].iter_rows() for c in row if c.value == evil]
    assert names and all(c.data_type == "s" for c in names)


def test_an_interrupted_write_leaves_no_partial_file(inbox, standards, tmp_path, monkeypatch):
    from xlsxwriter.workbook import Workbook as Book

    out = tmp_path / "排名.xlsx"

    def crash(self):
        with open(self.filename, "wb") as fh:
            fh.write(b"PK\x03\x04 half a workbook")
        raise KeyboardInterrupt
    monkeypatch.setattr(Book, "close", crash)
    code = main(["consolidate", str(inbox), "--period", "2026-11", "--out", str(out),
                 "--workers", "1"])
    assert code == 130
    assert list(tmp_path.glob("*.xlsx")) == [] and list(tmp_path.glob(".*")) == []


def test_sources_are_never_modified(inbox, standards, tmp_path):
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p, _ in discover(inbox)}
    main(["consolidate", str(inbox), "--period", "2026-11", "--out", str(tmp_path / "o.xlsx"),
          "--monthly-out", str(tmp_path / "m"), "--workers", "1"])
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p, _ in discover(inbox)} == before
