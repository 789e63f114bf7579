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
from qianfen_xl.intake.register import intake_many

from builders import register, street_month
from hostile import CASES, base

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
    listed = {s["file"] for s in data["sources"]}
    assert set(labels.values()) <= listed
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
