"""The UDFs through xlwings' own call path (Office.js custom functions, which run on Linux):
the metadata Excel's function wizard shows, and every function's value for payloads shaped
as Excel sends them, against the engine on the same data."""

from __future__ import annotations

import asyncio
import json
import random
import re
import socket
import subprocess
import time
import urllib.request
from datetime import date, datetime

import pytest
import xlwings
from xlwings.server import custom_functions_call, custom_functions_meta

from qianfen_xl.contract.normalise import EXCEL_EPOCH
from qianfen_xl.excel import udfs
from qianfen_xl.scoring.engine import (
    Incident,
    competition_ranks,
    grade_for,
    item_points,
    score_department,
    score_person,
    trimmed_mean,
)

from builders import ROSTER

HEADER = ["日期", "编号", "姓名", "项目", "次数", "分值", "事由", "登记人"]
ROSTER_HEADER = ["编号", "姓名", "科室", "口", "人员类别", "岗位层级"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def serial(day: date) -> float:
    return float((day - EXCEL_EPOCH).days)


def payload(name, *args):
    """What Excel (Office.js) posts: every argument a 2-D list, [[None]] when omitted."""
    return {"client": "Office.js", "func_name": name,
            "args": [a if isinstance(a, list) else [[a]] for a in args],
            "caller_address": "[社保所.xlsx]得分!A5", "version": xlwings.__version__,
            "runtime": "1.4", "culture_info_name": "zh-CN", "date_format": "yyyy/m/d"}


def call(name, *args):
    result = asyncio.run(custom_functions_call(payload(name, *args), udfs))
    return result[0][0] if len(result) == 1 and len(result[0]) == 1 else result


def incident_rows(incidents, names=None):
    """An incidents table as Excel sends it: header row, serial dates, floats, None."""
    names = names or {p.id: p.name for p in ROSTER}
    rows = [HEADER]
    for i in incidents:
        rows.append([serial(i.day) if i.day else None, i.person, names.get(i.person or ""),
                     i.code, float(i.count), None, i.reason, None])
    return rows


def roster_rows(people=ROSTER):
    return [ROSTER_HEADER, *[[p.id, p.name, p.department, p.line, p.category, p.level]
                             for p in people]]


def random_incidents(standards, rng, n):
    codes = [i.code for i in standards.items if not i.units] + [a.code for a in
                                                                standards.additions]
    out = []
    for _ in range(n):
        code = rng.choice(codes)
        dept = code in standards.item_by_code and standards.item_by_code[code].scope == "department"
        person = None if dept or rng.random() < 0.05 else rng.choice(ROSTER).id
        out.append(Incident(date(2026, 11, rng.randint(1, 30)), person, code,
                            rng.randint(1, 3), "检查发现"))
    return out


def test_the_wizard_lists_every_udf_with_chinese_help():
    meta = {f["name"]: f for f in custom_functions_meta(udfs)["functions"]}
    assert set(meta) == {f.__name__ for f in udfs.UDFS}
    for f in meta.values():
        assert CJK.search(f["description"]), f["name"]
        for p in f["parameters"]:
            assert CJK.search(p["description"]), (f["name"], p["name"])
    assert [p["name"] for p in meta["QF_POINTS"]["parameters"]] == ["item", "count", "standards"]
    assert meta["QF_SCORES"]["parameters"][2].get("optional") is True


def test_points_of_a_column_with_blanks_additions_and_bad_codes(standards):
    items = [["N03-05 办公时间上网聊天、玩游戏"], ["B01"], [None], ["Ｎ０４－０６"], ["N11-01"],
             ["N09-01"]]
    counts = [[2.0], [1.0], [None], ["２"], [1.0], ["两次"]]
    assert call("QF_POINTS", items, counts) == [
        [item_points(standards, "N03-05", 2)], [5.0], [""],
        [item_points(standards, "N04-06", 2)], ["#项目代码无效: N11-01"], ["#次数无效: 两次"]]
    assert call("QF_POINTS", "N09-01", 1.0) == -5.0


def test_scores_equal_the_engine_on_random_data(standards):
    rng = random.Random(11)
    for _ in range(20):
        incidents = random_incidents(standards, rng, rng.randint(0, 60))
        rows, people = incident_rows(incidents), roster_rows()
        dept = score_department(standards, "", ROSTER, incidents)
        assert call("QF_DEPT", rows, people) == dept.total
        for p in dept.people:
            assert call("QF_PERSON", rows, p.id) == p.total
            assert call("QF_NORM", rows, p.id, "N03") == p.norms["N03"]
        assert call("QF_NORM", rows, None, "N06") == dept.norms["N06"]
        grid = call("QF_SCORES", rows, people)
        assert [r[:11] for r in grid[: len(ROSTER)]] == [
            [p.id, p.name, *p.norms.values(), p.additions, p.total] for p in dept.people]
        assert [r[13] for r in grid[:7]] == [
            dept.member_mean, *dept.norms.values(), dept.additions, dept.total, 0]


def test_ranges_without_headers_dates_as_datetimes_and_moved_columns(standards):
    incidents = [Incident(date(2026, 11, 3), "A01", "N03-05", 2, "玩游戏"),
                 Incident(date(2026, 11, 4), None, "B02", 1, "区级表彰")]
    expected = score_department(standards, "", ROSTER, incidents).total
    body = [r[:] for r in incident_rows(incidents)[1:]]
    assert call("QF_DEPT", body, roster_rows()[1:]) == expected  # data rows only
    classic = [[datetime(2026, 11, 3), *r[1:]] for r in body]  # the classic add-in's dates
    assert call("QF_DEPT", [HEADER, *classic], roster_rows()) == expected
    moved = [[r[3], r[4], r[0], r[1]] for r in incident_rows(incidents)]  # 项目, 次数 first
    assert call("QF_DEPT", moved, roster_rows()) == expected


def test_fixed_rows_pin_the_department_block_where_the_template_has_it(standards):
    grid = call("QF_SCORES", incident_rows([]), roster_rows(), 60.0)
    assert len(grid) == 60 and all(len(r) == 14 for r in grid)
    assert grid[5][12:] == ["科室得分（满分 1000）", 1000] and grid[6][12:] == ["无法计分的行", 0]
    assert call("QF_SCORES", incident_rows([]), roster_rows(), 2.0) == "#人员超过 2 人"


def test_grade_rank_and_trimmed_mean(standards):
    for score in (950.0, 900.0, 899.99, 750.0, 600.0, 10.0):
        assert call("QF_GRADE", score) == grade_for(standards, score)
    scores = [[990.0], [985.5], [None], ["缺考"], [985.5], [970.0]]
    ranks = competition_ranks({0: 990.0, 1: 985.5, 2: 985.5, 3: 970.0})
    assert [call("QF_RANK", v, scores) for v in (990.0, 985.5, 970.0)] == [
        ranks[0], ranks[1], ranks[3]] == [1, 2, 4]
    ballots = [[95.0, 80.0, None], [60.0, 100.0, 80.0]]
    assert call("QF_TRIMMED_MEAN", ballots) == trimmed_mean(standards, [95, 80, 60, 100, 80])
    assert call("QF_GRADE", "abc") == "#分数不是数字: abc"
    assert call("QF_GRADE", None) == ""


def test_check_returns_the_count_and_the_first_problem(standards):
    rows = incident_rows([Incident(date(2026, 11, 3), "A01", "N03-05", 1, "玩游戏"),
                          Incident(date(2026, 11, 4), "Z99", "N11-01", 1, "x")])
    count, first = call("QF_CHECK", rows, roster_rows())[0]
    assert count == 2 and first.startswith("登记第 2 行：项目代码不存在：“N11-01”")
    assert call("QF_CHECK", incident_rows([]), roster_rows()) == [[0, "校验通过"]]


def test_bad_arguments_are_error_texts_never_tracebacks(standards):
    rows = incident_rows([Incident(date(2026, 11, 3), "A01", "N11-01", 1, "x")])
    assert call("QF_DEPT", rows, roster_rows()) == "#项目代码无效: N11-01"
    assert call("QF_PERSON", incident_rows([]), None) == "#请填写编号"
    assert call("QF_NORM", incident_rows([]), "A01", "N99") == "#规范代码无效: N99"
    assert call("QF_NORM", incident_rows([]), None, "N03") == "#N03 为个人规范，请填写编号"
    assert call("QF_PERSON", [["garbage"]], "A01") == score_person(standards, "A01", "", []).total
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}  # Office.js
    rows = [HEADER, [46329.0, "A01", "张晓明", na, 1.0, "", "x", ""]]
    assert call("QF_DEPT", rows, roster_rows()) == "#项目代码无效: #N/A"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_server_project_answers_custom_function_calls(tmp_path, standards):
    from qianfen_xl.excel.server import init_project, server_command

    folder = init_project(tmp_path / "server")
    port = _free_port()
    cmd, env = server_command(folder, "127.0.0.1", port)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/xlwings"
    try:
        for _ in range(150):
            try:
                meta = json.load(urllib.request.urlopen(f"{base}/custom-functions-meta",
                                                        timeout=1))
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read().decode())
                time.sleep(0.1)
        else:
            pytest.fail("xlwings Server did not start")
        assert {f["name"] for f in meta["functions"]} == {f.__name__ for f in udfs.UDFS}
        incidents = random_incidents(standards, random.Random(5), 40)
        body = json.dumps(payload("QF_SCORES", incident_rows(incidents), roster_rows()))
        request = urllib.request.Request(f"{base}/custom-functions-call", data=body.encode(),
                                         headers={"Content-Type": "application/json"})
        result = json.load(urllib.request.urlopen(request, timeout=10))["result"]
        assert result == udfs.scores_grid(standards, incident_rows(incidents), roster_rows())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.libreoffice
def test_engine_udfs_spreadsheet_and_batch_agree_to_the_cent(tmp_path, standards, lo_profile):
    """One random month: the engine, QF_SCORES through xlwings, the native-formula register
    recalculated by LibreOffice, and the consolidated batch output give the same grid."""
    import openpyxl

    from qianfen_xl.cli import main
    from qianfen_xl.scoring.engine import Person

    from builders import KIND_MONTHLY, register
    from libreoffice import convert

    rng = random.Random(2026)
    people = [Person(f"A{i:02d}", f"人员{i}", "社保所", "行政口", "公务员",
                     "科室负责人" if i == 1 else "一般工作人员") for i in range(1, 13)]
    codes = [i.code for i in standards.items if not i.units] + ["B01", "B02", "B04"]
    incidents = []
    for _ in range(300):
        code = rng.choice(codes)
        dept = code in standards.item_by_code and standards.item_by_code[code].scope == "department"
        incidents.append(Incident(date(2026, 11, rng.randint(1, 30)),
                                  None if dept or rng.random() < 0.05 else rng.choice(people).id,
                                  code, rng.randint(1, 3), f"第{len(incidents)}条"))
    inbox = tmp_path / "inbox"
    path = register(inbox, standards, kind=KIND_MONTHLY, period="2026-11", roster=people,
                    incidents=incidents, name="社保所_2026-11.xlsx")
    (recalculated,) = convert([path], tmp_path / "lo", lo_profile)

    wb = openpyxl.load_workbook(recalculated, data_only=True)

    def cells(ws, ref):
        return [["" if c.value is None else c.value for c in row] for row in ws[ref]]

    def as_sent(rows):  # what Excel on the web posts: dates as serial numbers
        return [[serial(v.date()) if isinstance(v, datetime) else v for v in r] for r in rows]

    spreadsheet = cells(wb["得分"], "A7:N66")
    udf = call("QF_SCORES", as_sent(cells(wb["登记"], wb["登记"].tables["incidents"].ref)),
               as_sent(cells(wb["人员"], wb["人员"].tables["roster"].ref)), 60.0)
    engine = score_department(standards, "社保所", people, incidents)
    out = tmp_path / "排名.json"
    main(["consolidate", str(inbox), "--period", "2026-11", "--out", str(tmp_path / "r.xlsx"),
          "--json", str(out), "--workers", "1"])
    batch = json.loads(out.read_text(encoding="utf-8"))["months"][0]["departments"][0]

    def cents(grid):
        return [[f"{v:.2f}" if isinstance(v, float | int) else v for v in row] for row in grid]
    assert cents(udf) == cents(spreadsheet)
    assert cents([r[:11] for r in udf[:12]]) == cents(
        [[p.id, p.name, *p.norms.values(), p.additions, p.total] for p in engine.people])
    assert [p["total"] for p in batch["people"]] == [p.total for p in engine.people]
    assert (udf[5][13], batch["total"]) == (engine.total, engine.total)


def test_the_udfs_score_with_the_standards_the_workbook_was_made_from(tmp_path, monkeypatch,
                                                                      standards):
    """The templates pass their standards' hash: the UDFs score with those standards (the
    built-in ones, or an office's named by QIANFEN_XL_STANDARDS), and say so when they
    have not got them, never scoring with another scheme."""
    from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards

    office_file = tmp_path / "office" / "office.toml"
    office_file.parent.mkdir()
    office_file.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace(
        "person_additions_cap = 30", "person_additions_cap = 20"), encoding="utf-8")
    office = load_standards(office_file)
    rows = incident_rows([Incident(date(2026, 11, 3), "A01", "B02", 5, "区级表彰")])  # +50

    def additions(digest):
        grid = call("QF_SCORES", rows, roster_rows(), 0.0, digest)
        return grid if isinstance(grid, str) else grid[0][9]

    assert additions(standards.short_digest) == 30      # the built-in cap
    assert additions(office.short_digest).startswith("#评分标准不符：本表按评分标准 ")
    monkeypatch.setenv("QIANFEN_XL_STANDARDS", str(office_file.parent))
    assert additions(office.short_digest) == 20         # the office's cap
    assert additions(standards.short_digest) == 30
    assert call("QF_POINTS", "B02", 1.0, "0123456789ab") == (
        f"#评分标准不符：本表按评分标准 0123456789ab 生成，本机只有 {office.short_digest}、"
        f"{standards.short_digest}；请把该评分标准文件的路径设为环境变量 QIANFEN_XL_STANDARDS")
