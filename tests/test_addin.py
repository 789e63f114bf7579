"""The classic add-in's pieces: the VBA in macros/ (written by xlwings' own generator), the
校验本表 button's logic, and the .xlsm flavour going through the batch like any register."""

from __future__ import annotations

import inspect
import re
import zipfile

from python_calamine import CalamineWorkbook

from qianfen_xl import udfs
from qianfen_xl.excel.addin import validation_rows
from qianfen_xl.excel.vba import vba_modules, vba_string, write_macros
from qianfen_xl.forms.filling import fill_incidents
from qianfen_xl.forms.registers import FLAVOUR_UDF, build_register
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.intake.register import intake
from qianfen_xl.scoring.engine import score_department

from builders import DEPT, INCIDENTS, ROSTER, WEEK, register
from conftest import ROOT

MACROS = ROOT / "macros"


def test_the_committed_macros_are_what_the_generator_writes(tmp_path):
    """Fails when macros/ drifts from qianfen_xl.udfs: run `make templates`."""
    for path in write_macros(tmp_path):
        assert path.read_bytes() == (MACROS / path.name).read_bytes(), path.name


def test_the_wrappers_call_every_udf_with_its_arguments():
    vba = (MACROS / "qianfen_udfs.bas").read_bytes().decode()
    for f in udfs.UDFS:
        params = inspect.signature(f).parameters.values()
        args = ", ".join(("Optional " if p.default is not p.empty else "") + p.name
                         for p in params)
        assert f"Function {f.__name__}({args})\r\n" in vba
        assert f'XLPy.CallUDF("qianfen_xl.udfs", "{f.__name__}", ' in vba
    assert (MACROS / "xlwings.conf").read_bytes() == b'"UDF_MODULES","qianfen_xl.udfs"\r\n'


def test_our_vba_reads_the_same_in_every_code_page():
    for name in ("qianfen.bas", "qianfen_udfs.bas"):
        assert (MACROS / name).read_bytes().isascii(), name
    button = (MACROS / "qianfen.bas").read_text()
    assert vba_string("校验本表") in button and vba_string("登记") in button
    codes = re.findall(r"ChrW\(&H([0-9A-F]+)\)", vba_string("校验本表"))
    assert "".join(chr(int(c, 16)) for c in codes) == "校验本表"


def _as_excel_gives_it(path):
    """A workbook's sheets (from A1) and defined names, as xlwings reads them in Excel."""
    book = CalamineWorkbook.from_path(str(path))
    sheets = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False)
              for n in book.sheet_names}
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/workbook.xml").decode()
    names = {m[0]: "=" + m[1] for m in re.findall(
        r'<definedName name="([^"]+)"[^>]*>([^<]+)</definedName>', xml)}
    return sheets, {k: v.replace("&apos;", "'") for k, v in names.items()}


def test_the_validate_button_lists_what_the_batch_finds(tmp_path, standards):
    def mistake(wb):
        wb["登记"]["D6"] = "N11-01"
    path = register(tmp_path, standards, edit=mistake)
    rows = validation_rows(standards, path.name, *_as_excel_gives_it(path))
    assert rows[0][0].startswith("共 1 个错误")
    assert rows[2] == ["文件", "工作表", "单元格", "级别", "规则", "说明"]
    assert rows[3][:5] == [path.name, "登记", "D6", "错误", "项目代码不存在（item-code-unknown）"]
    assert [r[4] for r in rows[3:]] == [f"{f.rule.title}（{f.code}）"
                                        for f in intake(path, standards).findings]

    good = register(tmp_path, standards, name="good.xlsx")
    rows = validation_rows(standards, good.name, *_as_excel_gives_it(good))
    total = score_department(standards, DEPT, ROSTER, INCIDENTS).total
    assert rows[0] == [f"校验通过（警告 0 个）。科室得分 {total:.2f}"] and rows[3:] == []


def test_an_xlsm_register_goes_through_the_batch(tmp_path, standards):
    wb = build_register("周考核情况登记表", standards, department=DEPT, period=WEEK,
                        roster=ROSTER, flavour=FLAVOUR_UDF)
    fill_incidents(wb, standards, INCIDENTS, {p.id: p.name for p in ROSTER})
    path = save_workbook(wb, tmp_path / "社保所.xlsm", vba=vba_modules())
    sub = intake(path, standards)
    assert sub.ok and sub.findings == () and sub.format == "xlsm"
    assert sub.score.total == score_department(standards, DEPT, ROSTER, INCIDENTS).total
