"""A corpus of hostile and broken submissions, built from the real templates.

Each case writes one file (or link) into an inbox and says which finding codes it must
produce; an empty tuple means the file must still be scored. Used by test_hostile.py.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import Incident, Person

from builders import KIND_MONTHLY, encrypt, register
from builders import add_macros as _add_macros

DEPT = "测试科"
PEOPLE = [Person("T01", "钱思远", DEPT, "行政口", "公务员", "科室负责人"),
          Person("T02", "冯若溪", DEPT, "行政口", "工勤人员", "一般工作人员")]
GOOD = [Incident(date(2026, 11, 17), "T01", "N03-05", 2, "办公时间玩游戏"),
        Incident(date(2026, 11, 18), "T02", "B01", 1, "街道通报表扬")]
BOMB_DTD = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                       .encode() for i in range(1, 10)) + b"]>")


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path, Standards, Path], Path | None]   # (inbox, standards, scratch)
    expected: tuple[str, ...]   # finding codes for its file; () = scored cleanly


def base(folder: Path, standards: Standards, name: str = "base.xlsx", **kw) -> Path:
    """A good monthly register (one file makes its department's whole month)."""
    return register(folder, standards, kind=KIND_MONTHLY, period="2026-11",
                    roster=kw.pop("roster", PEOPLE),
                    incidents=kw.pop("incidents", GOOD), department=kw.pop("department", DEPT),
                    name=name, **kw)


def rezip(source: Path, target: Path, edit: Callable[[str, bytes], bytes | None],
          extra: dict[str, bytes] | None = None) -> Path:
    """Copy a workbook's parts, letting ``edit`` change (or, returning None, drop) each."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = edit(item.filename, src.read(item.filename))
            if data is not None:
                dst.writestr(item.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return target


def _part(name: str, target: str, change: Callable[[bytes], bytes]) -> Callable:
    return lambda n, d: change(d) if n == target else d


def _with_dtd(xml: bytes, entity_in: bytes = b"<t>") -> bytes:
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    return BOMB_DTD + body.replace(entity_in, entity_in + b"&lol9;", 1)


# ------------------------------------------------------------------ the cases

def zip_bomb(inbox: Path, s: Standards, scratch: Path) -> Path:
    return rezip(base(scratch, s), inbox / "压缩炸弹.xlsx", lambda n, d: d,
                 {"xl/media/padding.xml": b" " * (8 * 2**20)})  # 8 MB of spaces → 8 KB


def entity_bomb_sheet(inbox: Path, s: Standards, scratch: Path) -> Path:
    return rezip(base(scratch, s), inbox / "实体炸弹_工作表.xlsx",
                 _part("", "xl/worksheets/sheet3.xml", _with_dtd))


def entity_bomb_workbook(inbox: Path, s: Standards, scratch: Path) -> Path:
    return rezip(base(scratch, s), inbox / "实体炸弹_工作簿.xlsx",
                 _part("", "xl/workbook.xml", lambda d: _with_dtd(d, b"<sheets>")))


def truncated(inbox: Path, s: Standards, scratch: Path) -> Path:
    data = base(scratch, s).read_bytes()
    target = inbox / "截断.xlsx"
    target.write_bytes(data[: len(data) * 2 // 3])
    return target


def zip_not_workbook(inbox: Path, s: Standards, scratch: Path) -> Path:
    target = inbox / "压缩包.xlsx"
    with zipfile.ZipFile(target, "w") as z:
        z.writestr("说明.txt", "这不是登记表")
    return target


def encrypted(inbox: Path, s: Standards, scratch: Path) -> Path:
    return encrypt(base(scratch, s), inbox / "加密.xlsx")


def xls_garbage(inbox: Path, s: Standards, scratch: Path) -> Path:
    target = inbox / "旧表.xls"
    target.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096))
    return target


def et_garbage(inbox: Path, s: Standards, scratch: Path) -> Path:
    target = inbox / "金山.et"
    target.write_bytes(b"WPS ET " + os.urandom(2048))
    return target


def rows_100k(inbox: Path, s: Standards, scratch: Path) -> Path:
    rows = b"".join(b'<row r="%d"><c r="G%d" t="inlineStr"><is><t>x</t></is></c></row>'
                    % (r, r) for r in range(300, 100_300))
    return rezip(base(scratch, s), inbox / "十万行.xlsx",
                 _part("", "xl/worksheets/sheet1.xml",
                       lambda d: d.replace(b"</sheetData>", rows + b"</sheetData>")))


def many_sheets(inbox: Path, s: Standards, scratch: Path) -> Path:
    def edit(wb):
        for i in range(80):
            wb.create_sheet(f"附表{i}")
    return base(inbox, s, "工作表过多.xlsx", edit=edit)


def too_large(inbox: Path, s: Standards, scratch: Path) -> Path:
    target = inbox / "超大文件.xlsx"
    with target.open("wb") as fh:
        fh.truncate(30 * 2**20)  # sparse: cheap to make, too big to read
    return target


def sheet_renamed(inbox: Path, s: Standards, scratch: Path) -> Path:
    def edit(wb):
        wb["登记"].title = "登记表"
    return base(inbox, s, "改了表名.xlsx", edit=edit)


def headers_shuffled(inbox: Path, s: Standards, scratch: Path) -> Path:
    def edit(wb):
        ws = wb["登记"]
        for r in range(5, 8):
            ws[f"A{r}"].value, ws[f"G{r}"].value = ws[f"G{r}"].value, ws[f"A{r}"].value
            ws[f"B{r}"].value, ws[f"E{r}"].value = ws[f"E{r}"].value, ws[f"B{r}"].value
    return base(inbox, s, "表头换位.xlsx", edit=edit)


def constants_for_formulas(inbox: Path, s: Standards, scratch: Path) -> Path:
    def edit(wb):
        wb["得分"]["K7"] = 700
    return base(inbox, s, "公式改数值.xlsx", edit=edit)


def external_links(inbox: Path, s: Standards, scratch: Path) -> Path:
    link = (b'<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><externalBook r:id="rId1" xmlns:r="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships"/></externalLink>')
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            b'Target="http://attacker.invalid/steal.xlsx" TargetMode="External"/>'
            b"</Relationships>")
    return rezip(base(scratch, s), inbox / "外部链接.xlsx", lambda n, d: d,
                 {"xl/externalLinks/externalLink1.xml": link,
                  "xl/externalLinks/_rels/externalLink1.xml.rels": rels})


def auto_run_macro(inbox: Path, s: Standards, scratch: Path) -> Path:
    return _add_macros(base(scratch, s), inbox / "自动宏.xlsm")


def formula_like_text(inbox: Path, s: Standards, scratch: Path) -> Path:
    people = [Person("F01", "=HYPERLINK(\"http://x\",\"y\")", "公式科", "行政口", "公务员",
                     "科室负责人"),
              Person("F02", "+cmd|' /C calc'!A0", "公式科", "行政口", "工勤人员", "一般工作人员")]
    incidents = [Incident(date(2026, 11, 17), "F01", "N03-05", 1, "-2+3"),
                 Incident(date(2026, 11, 18), "F02", "N04-06", 1, "@SUM(A1)")]
    return base(inbox, s, "公式样文字.xlsx", roster=people, incidents=incidents,
                department="公式科")


def control_and_long_text(inbox: Path, s: Standards, scratch: Path) -> Path:
    """A 40,000-character 事由 and control characters in a name (Excel writes them into the
    XML as _x0001_ escapes, which readers turn back into the characters)."""
    people = [Person("L01", "钱思远", "长文本科", "行政口", "公务员", "科室负责人"),
              Person("L02", "冯若溪", "长文本科", "行政口", "工勤人员", "一般工作人员")]
    incidents = [Incident(date(2026, 11, 17), "L01", "N03-05", 1, "很长" * 20_000)]
    path = base(scratch, s, "长文本_源.xlsx", incidents=incidents, department="长文本科",
                roster=people)
    return rezip(path, inbox / "控制字符与长文本.xlsx", lambda n, d: (
        d.replace("冯若溪".encode(), "冯_x0001_若_x001B_溪".encode())
        if n in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml")
        else d))


def date_out_of_range(inbox: Path, s: Standards, scratch: Path) -> Path:
    """A date cell holding a serial no calendar reaches: python-calamine's Rust code panics
    on it (found by the fuzzer); the file must come back with a finding, not stop the run."""
    return rezip(base(scratch, s, "日期越界_源.xlsx"), inbox / "日期越界.xlsx", lambda n, d: (
        re.sub(rb'(<c r="A6"[^>]*>)<v>46343</v>', rb"\1<v>-1e15</v>", d)
        if n == "xl/worksheets/sheet1.xml" else d))


def symlink(inbox: Path, s: Standards, scratch: Path) -> Path | None:
    outside = base(scratch, s, "外面的文件.xlsx")
    target = inbox / "链接.xlsx"
    target.symlink_to(outside)
    return target


def fifo(inbox: Path, s: Standards, scratch: Path) -> Path | None:
    target = inbox / "管道.xlsx"
    os.mkfifo(target)
    return target


def unreadable(inbox: Path, s: Standards, scratch: Path) -> Path | None:
    target = base(inbox, s, "无权限.xlsx")
    target.chmod(0)
    return target


def duplicate(inbox: Path, s: Standards, scratch: Path) -> Path:
    first = base(inbox, s, "测试科_W47.xlsx")
    return Path(shutil.copy(first, inbox / "测试科_W47_副本.xlsx"))


# ------------------------------------------------------------------ issue 14: the promises kept

DOCTYPE = b'<!DOCTYPE x [<!ENTITY a "b">]>'


def _declared(part: str, place: str) -> Callable[[str, bytes], bytes]:
    """An entity declaration put into one part: in its prolog, after its <sheetData>, at its
    very end, or after a 6 KB comment (once only the first 4 KB of a part was looked at)."""
    def edit(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        if place == "sheetData":
            return data.replace(b"</sheetData>", b"</sheetData>" + DOCTYPE, 1)
        if place == "end":
            return data + DOCTYPE
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        comment = b"<!--" + b"x" * 6144 + b"-->" if place == "comment" else b""
        return b'<?xml version="1.0"?>' + comment + DOCTYPE + body
    return edit


def _declaring(part: str, place: str, name: str) -> Callable[[Path, Standards, Path], Path]:
    def build(inbox: Path, s: Standards, scratch: Path) -> Path:
        return rezip(base(scratch, s), inbox / name, _declared(part, place))
    return build


def utf16_declaration(inbox: Path, s: Standards, scratch: Path) -> Path:
    """A part calamine reads, written in UTF-16 (as XML allows), that declares an entity."""
    styles = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE styleSheet [<!ENTITY a "b">]>'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
              ).encode("utf-16")
    return rezip(base(scratch, s), inbox / "UTF16声明.xlsx",
                 lambda n, d: styles if n == "xl/styles.xml" else d)


# A row typed at 19000 that reaches column XFD: calamine would build a 10 GB grid for it.
FAR_ROW = (b'<row r="19000"><c r="A19000" t="inlineStr"><is><t>x</t></is></c>'
           b'<c r="XFD19000" t="inlineStr"><is><t>x</t></is></c></row>')


def far_cell(inbox: Path, s: Standards, scratch: Path) -> Path:
    """45 KB with a row typed at 19000 that reaches XFD19000: measured and refused."""
    return rezip(base(scratch, s), inbox / "远处的单元格.xlsx",
                 _part("", "xl/worksheets/sheet1.xml",
                       lambda d: d.replace(b"</sheetData>", FAR_ROW + b"</sheetData>")))


def far_cell_past_the_rows_read(inbox: Path, s: Standards, scratch: Path) -> Path:
    """One cell at XFD19000 below the rows in use, in no column of the table: calamine is
    given the table only through its last row in use, so it never builds that grid, and the
    register is read as it is."""
    far = b'<row r="19000"><c r="XFD19000" t="inlineStr"><is><t>x</t></is></c></row>'
    return rezip(base(scratch, s), inbox / "表外远处的单元格.xlsx",
                 _part("", "xl/worksheets/sheet1.xml",
                       lambda d: d.replace(b"</sheetData>", far + b"</sheetData>")))


def far_cell_disguised(inbox: Path, s: Standards, scratch: Path) -> Path:
    """The far cell again, in the spellings calamine reads and a plain search would miss:
    a lower-case reference, a namespace prefix, single quotes, and cells without r= that
    run past the last column."""
    runs = b"".join(b"<c><v>1</v></c>" for _ in range(200))
    far = (b'<row r="9"><x:c xmlns:x="urn:x" r=\'xfd19000\'><x:v>1</x:v></x:c></row>'
           b'<row r="10">' + runs + b"</row>")
    return rezip(base(scratch, s), inbox / "伪装的远处单元格.xlsx",
                 _part("", "xl/worksheets/sheet3.xml",
                       lambda d: d.replace(b"</sheetData>", far + b"</sheetData>")))


def duplicate_part(inbox: Path, s: Standards, scratch: Path) -> Path:
    """The 登记 sheet twice in the zip: which copy a reader takes is up to the reader."""
    source = base(scratch, s)
    with zipfile.ZipFile(source) as z:
        other = z.read("xl/worksheets/sheet1.xml").replace("办公时间玩游戏".encode(), "另一份".encode())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: the point
        return rezip(source, inbox / "重复部件.xlsx", lambda n, d: d,
                     {"xl/worksheets/sheet1.xml": other})


def duplicate_row(inbox: Path, s: Standards, scratch: Path) -> Path:
    """Row 7 of 登记 twice: the later one would silently replace the earlier incident."""
    def edit(data: bytes) -> bytes:
        start = data.index(b'<row r="7"')
        end = data.index(b"</row>", start) + len(b"</row>")
        copy = data[start:end].replace("街道通报表扬".encode(), "另一件事".encode())
        after = data.index(b"</row>", data.index(b'<row r="8"')) + len(b"</row>")
        return data[:after] + copy + data[after:]
    return rezip(base(scratch, s), inbox / "重复行号.xlsx",
                 _part("", "xl/worksheets/sheet1.xml", edit))


def hidden_shadow(inbox: Path, s: Standards, scratch: Path) -> Path:
    """A hidden sheet named exactly 登记 beside the visible one a clerk filled, "登记 "."""
    def edit(wb):
        wb["登记"].title = "登记 "
        shadow = wb.create_sheet("登记")
        shadow.sheet_state = "hidden"
        for row in wb["登记 "].iter_rows(max_row=5, values_only=True):
            shadow.append(list(row))
    return base(inbox, s, "隐藏的登记.xlsx", edit=edit)


def size_lie(inbox: Path, s: Standards, scratch: Path) -> Path:
    """A part whose directory entry says it unpacks to far less than it does."""
    target = rezip(base(scratch, s), inbox / "大小不符.xlsx", lambda n, d: d)
    data = bytearray(target.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            data[at + 24:at + 28] = (1000).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    target.write_bytes(bytes(data))
    return target


def implied_references(xml: bytes) -> bytes:
    """The sheet as a writer that leaves out the optional r= writes it: a row's r where it
    is the next row, a cell's r where it is the next column of its row."""
    state = {"row": 0, "col": 0}

    def drop(match: re.Match[bytes]) -> bytes:
        tag, letters, number = match.group(1), match.group(2), int(match.group(3))
        if tag == b"row":
            implied = number == state["row"] + 1
            state["row"], state["col"] = number, 0
        else:
            col = 0
            for letter in letters:
                col = col * 26 + letter - 64
            implied = col == state["col"] + 1
            state["col"] = col
        return b"<" + tag if implied else match.group(0)
    return re.sub(rb'<(row|c) r="([A-Z]*)(\d+)"', drop, xml)


def without_references(inbox: Path, s: Standards, scratch: Path) -> Path:
    """Every sheet written without the r= a reader can infer (allowed, and written so by some
    programs): scored exactly, with no false "公式被改写为数值"."""
    return rezip(base(scratch, s), inbox / "省略单元格位置.xlsx",
                 lambda n, d: implied_references(d) if n.startswith("xl/worksheets/") else d)


def owner_file(inbox: Path, s: Standards, scratch: Path) -> Path:
    """The owner file Excel writes beside an open workbook: listed as skipped, never read."""
    target = inbox / "~$测试科.xlsx"
    target.write_bytes(b"\x07jiaxing " + b"\x00" * 155)
    return target


CASES = (
    Case("zip-bomb", zip_bomb, ("zip-bomb",)),
    Case("entity-bomb-sheet", entity_bomb_sheet, ("xml-entities",)),
    Case("entity-bomb-workbook", entity_bomb_workbook, ("xml-entities",)),
    Case("truncated-zip", truncated, ("file-corrupt",)),
    Case("zip-not-workbook", zip_not_workbook, ("not-a-workbook",)),
    Case("encrypted", encrypted, ("file-encrypted",)),
    Case("xls", xls_garbage, ("legacy-unreadable",)),
    Case("et", et_garbage, ("not-a-workbook",)),
    Case("100k-rows", rows_100k, ("sheet-too-large",)),
    Case("too-many-sheets", many_sheets, ("too-many-sheets",)),
    Case("too-large", too_large, ("file-too-large",)),
    Case("sheet-renamed", sheet_renamed, ("sheet-missing",)),
    Case("headers-shuffled", headers_shuffled, ()),
    Case("formulas-to-constants", constants_for_formulas, ("formula-overwritten",)),
    Case("external-links", external_links, ("external-links",)),
    Case("auto-run-macro", auto_run_macro, ()),
    Case("formula-like-text", formula_like_text, ()),
    Case("control-and-long-text", control_and_long_text, ()),
    Case("date-out-of-range", date_out_of_range, ("file-corrupt",)),
    Case("symlink", symlink, ("file-symlink",)),
    Case("fifo", fifo, ("not-a-regular-file",)),
    Case("unreadable", unreadable, ("file-unreadable",)),
    Case("duplicate", duplicate, ("file-duplicate",)),
    Case("doctype-styles", _declaring("xl/styles.xml", "prolog", "声明_样式.xlsx"),
         ("xml-entities",)),
    Case("doctype-after-sheetdata", _declaring("xl/worksheets/sheet1.xml", "sheetData",
                                               "声明_表尾.xlsx"), ("xml-entities",)),
    Case("doctype-after-comment", _declaring("xl/workbook.xml", "comment", "声明_注释后.xlsx"),
         ("xml-entities",)),
    Case("doctype-in-rels", _declaring("_rels/.rels", "end", "声明_关系.xlsx"),
         ("xml-entities",)),
    Case("doctype-utf16", utf16_declaration, ("xml-entities",)),
    Case("far-cell", far_cell, ("sheet-too-large",)),
    Case("far-cell-past-the-rows-read", far_cell_past_the_rows_read, ()),
    Case("far-cell-disguised", far_cell_disguised, ("sheet-too-large",)),
    Case("duplicate-part", duplicate_part, ("part-duplicate",)),
    Case("duplicate-row", duplicate_row, ("row-duplicate",)),
    Case("hidden-shadow", hidden_shadow, ("sheet-shadowed",)),
    Case("size-lie", size_lie, ("zip-bomb",)),
    Case("without-references", without_references, ()),
    Case("owner-file", owner_file, ()),
)

# The part each declaration case puts its DTD in (the finding names it).
DECLARED_PARTS = {"doctype-styles": "xl/styles.xml",
                  "doctype-after-sheetdata": "xl/worksheets/sheet1.xml",
                  "doctype-after-comment": "xl/workbook.xml", "doctype-in-rels": "_rels/.rels",
                  "doctype-utf16": "xl/styles.xml"}
# Parts of a register no parser reads (python-calamine is given a package without them):
# a declaration there never meets a parser, and the register is read as it is.
UNREAD_PARTS = ("[Content_Types].xml", "docProps/core.xml", "docProps/app.xml",
                "xl/theme/theme1.xml", "xl/worksheets/sheet4.xml", "xl/tables/table1.xml")


def declared_in_unread_part(scratch: Path, s: Standards, part: str) -> Path:
    return rezip(base(scratch, s), scratch / "声明_未读部件.xlsx", _declared(part, "prolog"))


def shared_strings_heavy(inbox: Path, s: Standards, scratch: Path, strings: int) -> Path:
    """A register whose shared-string table holds ``strings`` short strings: inside every
    size limit, yet python-calamine needs some 150 bytes of memory for each one."""
    sst = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main">' + b"".join(b"<si><t>%07x</t></si>" % k
                                                     for k in range(strings)) + b"</sst>")
    target = inbox / "共享字符串过多.xlsx"
    with zipfile.ZipFile(base(scratch, s)) as src, zipfile.ZipFile(
            target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument'
                                    b'.spreadsheetml.sharedStrings+xml"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="'
                                    b'http://schemas.openxmlformats.org/officeDocument/2006/'
                                    b'relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            dst.writestr(item, data)
        dst.writestr("xl/sharedStrings.xml", sst)
    return target
