"""The .xlsm registers carry their VBA project: the modules of macros/, as source that Excel
compiles on opening, read back by olevba (oletools) and by LibreOffice; the same bytes on
every run; xlwings pinned to the module embedded; and a returned .xlsm read, never run.

Excel itself is not available to the tests: that Excel opens the project and runs the
modules is the part no test here can show (see macros/README.md)."""

from __future__ import annotations

import hashlib
import html
import re
import sys
import tomllib
import zipfile

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream

from qianfen_xl.cli import main
from qianfen_xl.excel.vba import vba_modules
from qianfen_xl.forms.registers import FLAVOUR_UDF, write_templates
from qianfen_xl.forms.vba_project import SOURCE_ONLY_VBA_PROJECT

from builders import KIND_MONTHLY, register
from conftest import ROOT

MACROS = ROOT / "macros"
TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xlsm"))
STANDARD_MODULES = ("qianfen_udfs", "qianfen", "xlwings")
SHEETS = ("登记", "得分", "人员", "评分标准", "_meta", "xlwings.conf")


def bas(name: str) -> str:
    """A module of macros/, with CRLF line ends: how VBA stores a module's source."""
    text = (MACROS / f"{name}.bas").read_bytes().decode("ascii")
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def olevba_modules(path) -> dict[str, str]:
    """Module name → source, as olevba extracts them from the workbook."""
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        return {vba_name.rsplit(".", 1)[0]: code
                for _, _, vba_name, code in parser.extract_all_macros()}
    finally:
        parser.close()


def vba_project(path) -> olefile.OleFileIO:
    with zipfile.ZipFile(path) as z:
        return olefile.OleFileIO(z.read("xl/vbaProject.bin"))


def test_the_template_list_is_the_pair():
    assert [p.name for p in TEMPLATES] == ["周考核情况登记表.xlsm", "月考核情况登记表.xlsm"]


@pytest.mark.parametrize("what", ["templates", "pairs"])
def test_olevba_reads_the_modules_of_macros_from_every_xlsm(written, what):
    """The committed templates and a roster's pre-filled .xlsm pairs: the three modules,
    each equal to its macros/ file, beside one document module per sheet and ThisWorkbook."""
    paths = [p for p in written[what] if p.suffix == ".xlsm"]
    assert len(paths) == (2 if what == "templates" else 8)  # four departments
    documents = ["ThisWorkbook", *(f"Sheet{k}" for k in range(1, len(SHEETS) + 1))]
    for path in paths:
        modules = olevba_modules(path)
        assert sorted(modules) == sorted([*documents, *STANDARD_MODULES]), path.name
        for name in STANDARD_MODULES:
            assert modules[name] == bas(name), f"{path.name}: {name}"
        for name in documents:  # only the attributes Excel writes for a document module
            assert modules[name].startswith(f'Attribute VB_Name = "{name}"\r\n')
            assert "Sub " not in modules[name] and "Function " not in modules[name]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_the_project_is_source_only_so_excel_compiles_it(path):
    """MS-OVBA 2.3.4.1: version 0xFFFF and no performance cache; each module's stream is
    its compressed source from the first byte (MODULEOFFSET 0), as olevba decompresses it."""
    ole = vba_project(path)
    try:
        assert ole.openstream("VBA/_VBA_PROJECT").read() == SOURCE_ONLY_VBA_PROJECT
        assert not [e for e in ole.listdir() if e[-1].startswith("__SRP_")]
        for name in STANDARD_MODULES:
            stream = ole.openstream(f"VBA/{name}").read()
            assert decompress_stream(bytearray(stream)).decode("ascii") == bas(name), name
    finally:
        ole.close()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_each_sheet_and_the_workbook_has_the_code_name_of_its_document_module(path):
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
        targets = dict(re.findall(r'Target="/?(?:xl/)?([^"]+)" Id="(rId\d+)"', rels))
        by_id = {rid: target for target, rid in targets.items()}
        code_names = {}
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" state="\w+" '
                                    r'r:id="(rId\d+)"', book):
            sheet = z.read(f"xl/{by_id[rid]}").decode()
            code_names[name] = re.search(r'<sheetPr codeName="(\w+)"', sheet).group(1)
    assert code_names == {name: f"Sheet{k}" for k, name in enumerate(SHEETS, start=1)}
    assert re.search(r'<workbookPr\s+codeName="ThisWorkbook"', book)
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" ' \
           'Target="vbaProject.bin"' in rels
    assert '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' in types
    ole = vba_project(path)
    try:
        declared = ole.openstream("PROJECT").read().decode("ascii")
    finally:
        ole.close()
    for code_name in ("ThisWorkbook", *code_names.values()):
        assert f"Document={code_name}/&H00000000\r\n" in declared
    for name in STANDARD_MODULES:
        assert f"Module={name}\r\n" in declared


def test_the_xlsm_templates_are_the_same_bytes_on_every_run(tmp_path, standards):
    runs = []
    for folder in ("a", "b"):
        written = write_templates(tmp_path / folder, standards, flavours=(FLAVOUR_UDF,),
                                  vba=vba_modules())
        runs.append({p.name: p.read_bytes() for p in written})
    assert runs[0] == runs[1]
    assert runs[0] == {p.name: p.read_bytes() for p in TEMPLATES}


def test_xlwings_is_pinned_to_the_version_of_the_embedded_module():
    """xlwings.bas names the DLL of its own version: the add-in installed on the PC
    (`xlwings addin install`, from the pinned xlwings) must ship that DLL."""
    module = bas("xlwings")
    (version,) = re.findall(r"^'Version: (\S+)\r$", module, re.M)
    dlls = set(re.findall(r'"xlwings(?:32|64)-([\d.]+)\.dll"', module))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("xlwings")]
    assert dlls == {version}
    assert pins == [f"xlwings=={version}"] and xlwings.__version__ == version


def test_the_modules_are_stored_as_vba_stores_them_and_declare_no_name_twice():
    """CRLF line ends only (the VBA editor misreads bare LF on import); and no procedure of
    ours named as one of xlwings' module: Excel's compile would stop at 'Ambiguous name
    detected' (the one compile error that can be ruled out here, without Excel)."""
    declared = {}
    for name in STANDARD_MODULES:
        raw = (MACROS / f"{name}.bas").read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n"), name
        procedures = re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)",
                                raw.decode("ascii"), re.M)
        declared[name] = {p.lower() for p in procedures}
    ours = declared["qianfen_udfs"] | declared["qianfen"]
    assert declared["qianfen_udfs"].isdisjoint(declared["qianfen"])
    assert ours.isdisjoint(declared["xlwings"]) and len(ours) > 10


@pytest.mark.libreoffice
def test_libreoffice_opens_the_modules_as_basic(tmp_path, lo_profile):
    """LibreOffice converts each .xlsm to .ods with the project as its Basic library: the
    document modules, and each module's code as macros/ has it (LibreOffice adds its VBA
    support line and leaves out the Attribute lines)."""
    from libreoffice import convert

    for ods in convert(TEMPLATES, tmp_path / "ods", lo_profile, fmt="ods"):
        with zipfile.ZipFile(ods) as z:
            library = z.read("Basic/VBAProject/script-lb.xml").decode()
            elements = re.findall(r'library:element library:name="([^"]+)"', library)
            assert sorted(elements) == sorted(
                ["ThisWorkbook", *(f"Sheet{k}" for k in range(1, 7)), *STANDARD_MODULES])
            for name in STANDARD_MODULES:
                xml = z.read(f"Basic/VBAProject/{name}.xml").decode()
                assert 'script:moduleType="normal"' in xml
                body = html.unescape(re.search(r"<script:module [^>]*>(.*)</script:module>",
                                               xml, re.S).group(1))
                code = "".join(line for line in bas(name).replace("\r\n", "\n")
                               .splitlines(keepends=True) if not line.startswith("Attribute "))
                lo_header = "Rem Attribute VBA_ModuleType=VBAModule\nOption VBASupport 1\n"
                assert body.rstrip("\n") == (lo_header + code).rstrip("\n"), (ods.name, name)
            sheet = z.read("Basic/VBAProject/Sheet1.xml").decode()
            assert 'script:moduleType="document"' in sheet


def test_a_returned_xlsm_is_accepted_its_macros_noted_never_run(tmp_path, standards, capsys):
    """A department sends back the .xlsm template, filled: the package scan accepts its VBA
    project, validate and consolidate score it, 数据来源 notes the macros, nothing changes
    the file (SECURITY.md: macros are never run)."""
    from openpyxl import load_workbook

    inbox = tmp_path / "inbox"
    path = register(inbox, standards, kind=KIND_MONTHLY, period="2026-11",
                    name="社保所_2026-11.xlsm")
    assert "xl/vbaProject.bin" in zipfile.ZipFile(path).namelist()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert main(["validate", str(path)]) == 0
    assert "校验通过" in capsys.readouterr().out
    out = tmp_path / "排名.xlsx"
    main(["consolidate", str(inbox), "--period", "2026-11", "--out", str(out),
          "--workers", "1"])
    rows = list(load_workbook(out, read_only=True)["数据来源"].iter_rows(values_only=True))
    (row,) = [r for r in rows if r[0] == path.name]
    assert row[7] == "已计分" and "含宏（未执行）" in row[8]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_xlsm_templates_without_pyopenvba_are_refused_before_anything_is_written(
        tmp_path, capsys, monkeypatch):
    """pyOpenVBA is an extra: without it, `templates --xlsm` says how to install it and
    writes no file (not even the .xlsx) rather than .xlsm registers without their macros."""
    monkeypatch.setitem(sys.modules, "pyopenvba", None)  # as if not installed
    out = tmp_path / "模板"
    assert main(["templates", "--out", str(out), "--xlsm"]) == 2
    assert 'pip install "qianfen-xl[xlsm]"' in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
