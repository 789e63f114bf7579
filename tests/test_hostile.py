"""Hostile input: the corpus in hostile.py beside good registers, and fuzzed registers.
Every file ends scored or with findings naming it; no exception escapes; the good files'
scores do not move; sources are never changed; an interrupted run leaves nothing behind."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from qianfen_xl.batch.consolidation import consolidate, consolidation_period
from qianfen_xl.batch.inbox import discover, intake_all
from qianfen_xl.cli import main
from qianfen_xl.contract.limits import check_archive
from qianfen_xl.intake.cells import cell_name
from qianfen_xl.intake.register import intake_many

from builders import register, street_month
from hostile import (
    CASES,
    DECLARED_PARTS,
    UNREAD_PARTS,
    base,
    declared_in_unread_part,
    far_cell,
    shared_strings_heavy,
    without_references,
)

NOV = consolidation_period("2026-11")
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(scope="module")
def good(tmp_path_factory, standards):
    street = street_month(tmp_path_factory.mktemp("good"), standards,
                          departments=("社保所", "城市管理科"))
    subs = intake_all(discover(street.inbox), standards, workers=1)
    scores = {r.department: r.score for r in consolidate(standards, subs, NOV)
              .requested[0].departments}
    return street, scores


def expected_for(case):
    if case.name == "unreadable" and ROOT_USER:
        return ()  # root reads any file: this case only bites for an ordinary user
    return case.expected


def test_every_hostile_file_gets_its_finding_and_the_good_scores_stand(tmp_path, standards,
                                                                       good, capsys):
    street, scores = good
    inbox = tmp_path / "inbox"
    shutil.copytree(street.inbox, inbox)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    labels = {}
    for case in CASES:
        folder = inbox / case.name
        folder.mkdir()
        path = case.build(folder, standards, scratch)
        labels[case.name] = path.relative_to(inbox).as_posix()
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in inbox.rglob("*") if p.is_file() and not p.is_symlink()
              and os.access(p, os.R_OK)}

    out = tmp_path / "排名.xlsx"
    code = main(["consolidate", str(inbox), "--period", "2026-11", "--out", str(out),
                 "--json", str(tmp_path / "r.json"), "--workers", "2"])
    printed = capsys.readouterr()
    assert code == 1 and "Traceback" not in printed.out + printed.err

    import json
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    codes: dict[str, set[str]] = {}
    for f in data["findings"]:
        codes.setdefault(f["file"], set()).add(f["code"])
    for case in CASES:
        label = labels[case.name]
        want = set(expected_for(case))
        got = codes.get(label, set())
        if want:
            assert want <= got, (case.name, got)
        else:
            assert not any(c for c in got if c in _ERRORS), (case.name, got)
    listed = {s["file"]: s for s in data["sources"]}
    assert set(labels.values()) <= set(listed)
    for case, part in DECLARED_PARTS.items():  # the declaration is named where it is
        assert [f["detail"] for f in data["findings"] if f["file"] == labels[case]
                and f["code"] == "xml-entities"] == [part], case
    assert listed[labels["owner-file"]]["status"] == "已跳过"
    for d in data["months"][0]["departments"]:
        if d["department"] in scores:
            assert d["total"] == scores[d["department"]].total
    # (测试科's several W47 registers conflict with one another, as they should)
    assert {s["department"] for s in data["sources"] if s["status"] == "已计分"} >= {
        "公式科", "长文本科"}
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before}
    assert after == before
    with zipfile.ZipFile(out) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"\x01" not in sheets


_ERRORS = {"file-corrupt", "not-a-workbook", "sheet-missing", "column-missing"}


def test_a_file_that_vanished_after_discovery_is_unreadable(tmp_path, standards):
    path = base(tmp_path, standards, "消失.xlsx")
    files = discover(tmp_path)
    path.unlink()
    (sub,) = intake_many(files, standards)
    assert [f.code for f in sub.findings] == ["file-unreadable"] and not sub.readable


def test_archive_limits_are_checked_before_unpacking(tmp_path, standards, monkeypatch):
    import qianfen_xl.contract.limits as limits
    from qianfen_xl.contract.limits import LimitExceeded

    path = base(tmp_path, standards)
    monkeypatch.setattr(limits, "MAX_UNCOMPRESSED_BYTES", 100_000)
    with zipfile.ZipFile(path) as archive, pytest.raises(LimitExceeded) as caught:
        check_archive(archive, path.name)
    assert caught.value.finding.code == "zip-bomb" and "解压后" in caught.value.finding.detail


def test_a_sheet_that_omits_the_optional_references_scores_exactly(tmp_path, standards):
    """Cells and rows written without the r= a reader can infer: the same scores, and no
    false "公式被改写为数值" (the formula check places cells as calamine does)."""
    good = base(tmp_path, standards, "good.xlsx")
    bare = without_references(tmp_path, standards, tmp_path)
    with zipfile.ZipFile(bare) as z:  # really bare: but where a column skips
        log, scores = z.read("xl/worksheets/sheet1.xml"), z.read("xl/worksheets/sheet2.xml")
        assert log.count(b"<row r=") == 0 and log.count(b'<c r="A') == 0
        assert scores.count(b'<c r="') * 50 < scores.count(b"<c ")
    expected, got = intake_many([(good, "good.xlsx"), (bare, bare.name)], standards)
    assert got.findings == () and got.score == expected.score


def test_calamine_reads_the_same_values_from_the_package_as_scanned(tmp_path, standards, good):
    """python-calamine is given a package of the parts the scan read (the sheets stored,
    each table through its last row in use): every value it reads of those rows is what it
    reads from the file, and the rows left out hold no input."""
    from python_calamine import CalamineWorkbook

    from qianfen_xl.intake.package import open_package
    from qianfen_xl.intake.reading import (
        READ_SHEETS,
        TABLE_INPUTS,
        RegisterFile,
        fallback_header_cells,
        given_sheets,
    )
    from qianfen_xl.schemas.columns import HEADER_NAMES, SCORE_NAMES

    street, _ = good
    bare = without_references(tmp_path, standards, tmp_path)  # walked: given whole
    files = [*street.files, base(tmp_path, standards, "月表.xlsx"), bare]
    cut = {}
    for path in files:
        data = path.read_bytes()
        package = open_package(data, path.name, read=READ_SHEETS, lean=True,
                               named=(*HEADER_NAMES, *SCORE_NAMES))
        reg = RegisterFile(path, path.name, "", 0, header_cells={
            n: package.names[n] for n in (*HEADER_NAMES, *SCORE_NAMES) if n in package.names})
        fallback_header_cells(reg)
        given = given_sheets(package, reg)
        views = {package.part(s): g.measure.xml for s, g in given.items()}
        original = CalamineWorkbook.from_filelike(io.BytesIO(data))
        scanned = CalamineWorkbook.from_filelike(io.BytesIO(package.for_calamine(views)))
        assert scanned.sheet_names == original.sheet_names
        with zipfile.ZipFile(io.BytesIO(package.for_calamine(views))) as lean:
            assert not any(n.startswith(("docProps/", "xl/theme/")) for n in lean.namelist())
        for sheet in READ_SHEETS:
            rows = scanned.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            whole = original.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            for got, full in zip(rows, whole, strict=False):
                assert got == full[:len(got)] and not any(full[len(got):])
            inputs = [ord(c) - 65 for c in TABLE_INPUTS.get(sheet, "")]
            assert not any(row[c] for row in whole[len(rows):] for c in inputs if c < len(row))
        cut[path] = {s: g.through for s, g in given.items()}
    tables = ("登记", "人员", "得分")  # (_meta, a few rows, is given whole)
    assert all(cut[p][s] is not None for p in files if p != bare for s in tables)
    assert set(cut[bare].values()) == {None}


def test_a_declaration_in_a_part_no_parser_reads_never_meets_one(tmp_path, standards):
    """A register's parts that nothing reads (document properties, the theme, the tables'
    definitions, the catalogue sheet) are not unpacked at all: python-calamine is given a
    package without them, so a declaration there never meets a parser, and the register
    is read as it is."""
    from qianfen_xl.intake.package import open_package
    from qianfen_xl.intake.reading import READ_SHEETS

    clean = intake_many([(base(tmp_path, standards), "base.xlsx")], standards)[0]
    for part in UNREAD_PARTS:
        path = declared_in_unread_part(tmp_path, standards, part)
        package = open_package(path.read_bytes(), path.name, read=READ_SHEETS, lean=True)
        with zipfile.ZipFile(io.BytesIO(package.for_calamine())) as given:
            assert part not in given.namelist() and "xl/workbook.xml" in given.namelist()
        read = intake_many([(path, "base.xlsx")], standards)[0]
        assert (read.score, read.findings) == (clean.score, clean.findings), part


def test_validate_refuses_the_far_cell_without_aborting(tmp_path, standards):
    """One cell at XFD19000 made python-calamine allocate ~10 GB (exit 134): now the sheet
    is measured first and refused, in a process of its own here so an abort would show."""
    path = far_cell(tmp_path, standards, tmp_path)
    exe = Path(sys.executable).parent / "qianfen-xl"
    proc = subprocess.run([str(exe), "validate", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "工作表过大" in proc.stdout and "最远的单元格 XFD19000" in proc.stdout


def test_validate_refuses_a_pipe_without_waiting_on_it(tmp_path):
    """A named pipe given to validate: the legacy-workbook sniff opened it as a file and
    waited for a writer for ever; it is refused as no regular file."""
    path = tmp_path / "管道.xlsx"
    os.mkfifo(path)
    exe = Path(sys.executable).parent / "qianfen-xl"
    proc = subprocess.run([str(exe), "validate", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "不是普通文件" in proc.stdout


def test_a_worker_that_dies_costs_only_its_file(tmp_path, standards, good, monkeypatch):
    """A 15 MB register inside every size limit whose shared strings need ~800 MB in
    python-calamine, with the workers' ceiling lowered to 64 MB: its worker dies (Rust
    aborts when an allocation fails), the pool is recovered, the file is reported as
    file-too-large and every other file is scored exactly as before."""
    import qianfen_xl.contract.limits as limits

    street, scores = good
    inbox = tmp_path / "inbox"
    shutil.copytree(street.inbox, inbox)
    for k in range(3):  # enough files for the pool (the good street has 10)
        shutil.copytree(street.inbox / "社保所", inbox / f"副本{k}")
    heavy = shared_strings_heavy(inbox, standards, tmp_path, strings=6_000_000)
    monkeypatch.setattr(limits, "WORKER_MEMORY_BYTES", 64 * 2**20)
    subs = intake_all(discover(inbox), standards, workers=2)
    by_label = {s.label: s for s in subs}
    dead = by_label[heavy.name]
    assert [f.code for f in dead.findings] == ["file-too-large"] and not dead.readable
    assert dead.sha256 == hashlib.sha256(heavy.read_bytes()).hexdigest()
    originals = [s for s in subs if not s.label.startswith("副本") and s.label != heavy.name]
    result = consolidate(standards, originals, NOV)
    assert {r.department: r.score for r in result.requested[0].departments} == scores
    assert all(s.ok for s in subs if s.label != heavy.name)


# ------------------------------------------------------------------ fuzzing

def _mutate_xml(data: bytes, member: str, position: float, payload: bytes, cut: int) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == member:
                at = int(position * len(body))
                body = body[:at] + payload + body[at + cut:]
            dst.writestr(item.filename, body)
    return out.getvalue()


MEMBERS = ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
           "xl/worksheets/sheet3.xml", "xl/worksheets/sheet5.xml", "xl/sharedStrings.xml",
           "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory, standards):
    folder = tmp_path_factory.mktemp("fuzz")
    good = [register(folder, standards, name="good.xlsx")]
    baseline = intake_many([(good[0], "good.xlsx")], standards)[0]
    victim = base(folder, standards, "victim.xlsx")
    return folder, good[0], baseline, victim.read_bytes()


@settings(max_examples=int(os.environ.get("QIANFEN_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(member=st.sampled_from(MEMBERS), position=st.floats(0, 1),
       payload=st.binary(max_size=40) | st.sampled_from(
           [b"<", b"&lol;", b'"', b"<f>1</f>", b"</row>", b"<!DOCTYPE x>", b"\x00", b"r=\"A0\"",
            b"<c r=\"XFD1048576\"><v>1e308</v></c>"]),
       cut=st.integers(0, 64))
def test_fuzzed_xml_never_escapes_and_spares_the_good_file(fuzz_base, standards, member,
                                                           position, payload, cut):
    folder, good, baseline, victim = fuzz_base
    bad = folder / "fuzzed.xlsx"
    bad.write_bytes(_mutate_xml(victim, member, position, payload, cut))
    fuzzed, again = intake_many([(bad, "fuzzed.xlsx"), (good, "good.xlsx")], standards)
    assert fuzzed.score is not None or fuzzed.findings
    assert again.score == baseline.score and again.findings == baseline.findings


DECLARATIONS = [b'<!DOCTYPE x [<!ENTITY a "b">]>', b"<!doctype x>", b'<!ENTITY a "b">',
                b"<!ELEMENT x ANY>"]


@settings(max_examples=int(os.environ.get("QIANFEN_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), position=st.floats(0, 1), declaration=st.sampled_from(DECLARATIONS))
def test_a_declaration_anywhere_in_a_part_read_is_refused_and_named(fuzz_base, standards, data,
                                                                 position, declaration):
    from qianfen_xl.intake.package import open_package
    from qianfen_xl.intake.reading import READ_SHEETS

    folder, good, baseline, victim = fuzz_base
    # Every part a parser reads (the rest never meets one: see the test above).
    read = open_package(victim, "victim.xlsx", read=READ_SHEETS, lean=True)
    parts = sorted(read.infos[name].filename for name in read.scanned or ())
    member = data.draw(st.sampled_from(parts))
    bad = folder / "declared.xlsx"
    bad.write_bytes(_mutate_xml(victim, member, position, declaration, 0))
    declared, again = intake_many([(bad, "declared.xlsx"), (good, "good.xlsx")], standards)
    assert [(f.code, f.detail) for f in declared.findings] == [("xml-entities", member)]
    assert again.score == baseline.score and again.findings == baseline.findings


def _one_part_zip(name: str, content: bytes) -> tuple[bytes, zipfile.ZipFile]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, content)
    data = out.getvalue()
    return data, zipfile.ZipFile(io.BytesIO(data))


@settings(max_examples=int(os.environ.get("QIANFEN_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(1, 90), sliced=st.integers(1, 40), at=st.integers(0, 600),
       declaration=st.sampled_from(DECLARATIONS),
       encoding=st.sampled_from(["utf-8", "utf-16-le", "utf-16-be"]))
def test_the_scan_finds_a_declaration_wherever_the_chunks_cut_it(monkeypatch, chunk, sliced,
                                                                 at, declaration, encoding):
    """Unpacked a few bytes at a time, a declaration split across any chunk seam, in UTF-8
    or UTF-16, is still found; comments and CDATA alone are not declarations."""
    import qianfen_xl.intake.xmlscan as xmlscan
    from qianfen_xl.contract.limits import LimitExceeded
    from qianfen_xl.intake.xmlscan import scan_part

    monkeypatch.setattr(xmlscan, "SCAN_CHUNK_BYTES", chunk)
    monkeypatch.setattr(xmlscan, "PACKED_SLICE", sliced)
    text = "<a>" + "<!-- 注释 --><![CDATA[x]]><b c='1'>文字</b>" * 20 + "</a>"
    clean = text.encode(encoding)
    data, archive = _one_part_zip("docProps/custom.xml", clean)
    assert scan_part(data, archive.infolist()[0], archive, "x.xlsx") is None
    at = min(at, len(text))
    dirty = (text[:at] + declaration.decode() + text[at:]).encode(encoding)
    data, archive = _one_part_zip("docProps/custom.xml", dirty)
    with pytest.raises(LimitExceeded) as caught:
        scan_part(data, archive.infolist()[0], archive, "x.xlsx")
    assert (caught.value.finding.code, caught.value.finding.detail) == (
        "xml-entities", "docProps/custom.xml")


def _sheet(rows: list[tuple[int | None, list[tuple[str, int, bool, str]]]]) -> bytes:
    """A sheet's XML from rows of (r or None, cells): a cell is (how its reference is written:
    "" none, "A1", "a1", "x:A1" a prefixed element, "'A1'" single quotes; column; whether it
    is an empty <c/>; its value)."""
    out = []
    for number, cells in rows:
        out.append(f'<row r="{number}">' if number else "<row>")
        for style, col, empty, value in cells:
            ref = f"{cell_name(number or 1, col)}"
            attr = {"": "", "A1": f' r="{ref}"', "a1": f' r="{ref.lower()}"',
                    "x:A1": f' r="{ref}"', "'A1'": f" r='{ref}'"}[style]
            tag = "x:c" if style == "x:A1" else "c"
            v = "x:v" if style == "x:A1" else "v"
            out.append(f"<{tag}{attr}/>" if empty else f"<{tag}{attr}><{v}>{value}</{v}></{tag}>")
        out.append("</row>")
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + "".join(out) + "</sheetData></worksheet>").encode()


@pytest.mark.parametrize("repeats", [27, 95, 300])
def test_a_part_whose_last_output_zlib_holds_back_is_read_whole(monkeypatch, repeats):
    """A deflated part whose last input leaves zlib holding output (a match cut off at the
    chunk's length) is read to its end, not refused as 压缩数据不完整; the same part cut
    short still is."""
    import qianfen_xl.intake.xmlscan as xmlscan
    from qianfen_xl.contract.limits import LimitExceeded

    data = b"<row><c r='A1'><v>1</v></c></row>" * repeats + b"x" * (repeats % 7)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("p.xml", data)
    book = buf.getvalue()
    archive = zipfile.ZipFile(io.BytesIO(book))
    info = archive.getinfo("p.xml")
    monkeypatch.setattr(xmlscan, "SCAN_CHUNK_BYTES", 64)
    assert b"".join(xmlscan.unpacked(book, info, archive, "x.xlsx")) == data
    info.compress_size -= 2  # the stream's last bytes missing
    with pytest.raises(LimitExceeded) as refused:
        b"".join(xmlscan.unpacked(book, info, archive, "x.xlsx"))
    assert refused.value.finding.code == "file-corrupt"


SHEET_ROWS = st.lists(st.tuples(
    st.none() | st.integers(1, 300),
    st.lists(st.tuples(st.sampled_from(["", "A1", "a1", "x:A1", "'A1'"]), st.integers(1, 90),
                       st.booleans(), st.integers(0, 9)), max_size=12)), min_size=1, max_size=8)


@settings(max_examples=int(os.environ.get("QIANFEN_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=SHEET_ROWS, chunk=st.integers(40, 400))
def test_the_measure_never_falls_short_of_what_calamine_builds(fuzz_base, monkeypatch, rows,
                                                                chunk):
    """However a sheet's cells are written, the scan's measure reaches at least as far as
    python-calamine's grid does: the bound that keeps it from building a 10 GB one. The
    measure does not depend on where the chunks are cut."""
    from python_calamine import CalamineWorkbook

    import qianfen_xl.intake.xmlscan as xmlscan
    from qianfen_xl.intake.xmlscan import measure_sheet, measure_xml, rows_through

    _, _, _, victim = fuzz_base
    xml = _sheet(rows)
    book = _mutate_xml(victim, "xl/worksheets/sheet3.xml", 0, xml, 10**9)
    archive = zipfile.ZipFile(io.BytesIO(book))
    info = archive.getinfo("xl/worksheets/sheet3.xml")
    whole = measure_sheet(book, info, archive, "x.xlsx")
    monkeypatch.setattr(xmlscan, "SCAN_CHUNK_BYTES", chunk)
    cut = measure_sheet(book, info, archive, "x.xlsx")
    assert (cut.rows, cut.cols, cut.duplicate_rows, cut.regular) == (
        whole.rows, whole.cols, whole.duplicate_rows, whole.regular)
    try:
        grid = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_name("人员")
    except Exception:  # noqa: BLE001 (calamine refusing the sheet allocates nothing)
        return
    if grid.end is not None:
        assert grid.end[0] + 1 <= whole.rows and grid.end[1] + 1 <= whole.cols
    # A table handed to calamine through its last row in use: what it is given is measured,
    # and the rows left out hold nothing calamine could place in a column of the table.
    head = rows_through(xml, 2, "ABCDEF")
    if head is None:
        return
    given = measure_xml(head[0], "x.xlsx", info.filename)
    lean = _mutate_xml(victim, "xl/worksheets/sheet3.xml", 0, head[0], 10**9)
    grid = CalamineWorkbook.from_filelike(io.BytesIO(lean)).get_sheet_by_name("人员")
    if grid.end is not None:
        assert grid.end[0] + 1 <= given.rows and grid.end[1] + 1 <= given.cols
    full = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_name("人员")
    assert not any(row[c] for row in full.to_python(skip_empty_area=False)[head[1]:]
                   for c in range(6) if c < len(row))


CELL_VALUES = (st.text(max_size=30) | st.integers(-10**12, 10**12)
               | st.floats(allow_nan=True, allow_infinity=True) | st.booleans()
               | st.dates() | st.none()
               | st.sampled_from(["=1+1", "+A1", "-", "@x", "N99-99", "Ｎ０３－０５", "两次", "　"]))


# A fuzzed header cell may be a number: openpyxl warns about its own output, which is the point.
@pytest.mark.filterwarnings("ignore:File may not be readable")
@settings(max_examples=int(os.environ.get("QIANFEN_FUZZ_EXAMPLES", 60)) // 2, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(["登记", "人员", "得分", "_meta"]),
                                st.integers(1, 12), st.integers(1, 9), CELL_VALUES),
                      min_size=1, max_size=6),
       drop_rows=st.lists(st.integers(1, 10), max_size=2))
def test_fuzzed_cells_and_rows_never_escape(fuzz_base, tmp_path, standards, edits, drop_rows):
    folder, good, baseline, _ = fuzz_base

    def edit(wb):
        for sheet, row, col, value in edits:
            cell = wb[sheet].cell(row=row, column=col)
            # openpyxl refuses some values or cells (merged): not our input
            with contextlib.suppress(ValueError, TypeError, AttributeError,
                                     IllegalCharacterError):
                cell.value = value
        for row in drop_rows:
            wb["登记"].delete_rows(row)
    try:
        bad = register(tmp_path, standards, name="mutant.xlsx", edit=edit)
    except Exception:  # noqa: BLE001 (openpyxl cannot save this mutant: no input to test)
        reject()
    mutant, again = intake_many([(bad, "mutant.xlsx"), (good, "good.xlsx")], standards)
    assert mutant.score is not None or mutant.findings
    assert again.score == baseline.score


# ------------------------------------------------------------------ interruption

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_leaves_no_output_and_says_so(tmp_path, standards, good, sig):
    street, _ = good
    inbox = tmp_path / "inbox"
    for k in range(40):  # enough files that the run is still going when the signal comes
        shutil.copytree(street.inbox, inbox / f"copy{k}")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    exe = Path(sys.executable).parent / "qianfen-xl"
    proc = subprocess.Popen([str(exe), "consolidate", str(inbox), "--period", "2026-11",
                             "--out", str(out_dir / "排名.xlsx"), "--json",
                             str(out_dir / "r.json"), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert "找到" in proc.stdout.readline()  # files found: now taking them in
    time.sleep(0.2)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "已中断" in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == []
