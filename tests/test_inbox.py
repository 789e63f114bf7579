"""The inbox's API through the ASGI test client: uploads answered as `validate --json`
answers, every refusal a Chinese error, the status and ranking equal to `consolidate` on the
same files, the audit log kept, the guards on codes and posts, and a crash leaving nothing
half-stored."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette asks for httpx2; httpx still works
    from starlette.testclient import TestClient

import qianfen_xl
from qianfen_xl.cli import main
from qianfen_xl.contract.standards import Standards
from qianfen_xl.inbox import app as inbox_app
from qianfen_xl.inbox.app import create_app
from qianfen_xl.inbox.db import DB_NAME, Database, migrations, statements
from qianfen_xl.inbox.files import FileStore
from qianfen_xl.inbox.service import Inbox

from inbox_helpers import MONTH, DemoFiles, codes, demo_files, make_inbox, unpack


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> DemoFiles:
    return demo_files(tmp_path_factory.mktemp("demo"), standards)


@pytest.fixture(scope="module")
def base_inbox(tmp_path_factory: pytest.TempPathFactory, files: DemoFiles) -> Path:
    return make_inbox(tmp_path_factory.mktemp("base") / "inbox", files)


@pytest.fixture
def inbox(tmp_path: Path, base_inbox: Path) -> Path:
    return Path(shutil.copytree(base_inbox, tmp_path / "inbox"))


@pytest.fixture
def client(inbox: Path) -> Iterator[TestClient]:
    with TestClient(create_app(inbox, workers=1)) as c:
        yield c


def bearer(folder: Path, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {codes(folder)[who]}"}


def upload(client: TestClient, folder: Path, who: str, path: Path,
           name: str | None = None) -> tuple[int, dict[str, object]]:
    r = client.post("/api/registers", headers=bearer(folder, who),
                    files={"file": (name or path.name, path.read_bytes())})
    return r.status_code, r.json()


def test_an_init_that_fails_half_way_leaves_no_inbox_behind(
        tmp_path: Path, files: DemoFiles, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The disk fills as init writes the settings: it says so in Chinese, and leaves no
    database nor 访问码.csv, so that init, run again, makes the inbox."""
    import errno

    def disk_full(self: Database, values: dict[str, str]) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    folder = tmp_path / "inbox"
    args = ["inbox", "init", str(folder), "--unit", "柳荫街道", "--roster", str(files.roster)]
    with monkeypatch.context() as m:
        m.setattr(Database, "set_settings", disk_full)
        assert main(args) == 2
    assert "磁盘空间已满" in capsys.readouterr().err
    assert not (folder / DB_NAME).exists() and not (folder / "访问码.csv").exists()
    assert main(args) == 0
    made = Inbox(folder, workers=1)
    try:
        assert made.unit == "柳荫街道" and len(codes(folder)) == len(made.departments()) + 1
    finally:
        made.close()


def test_a_database_without_its_settings_is_named_not_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    Database(folder / DB_NAME).close()  # as an init cut off before the settings left it
    with pytest.raises(qianfen_xl.QianfenError, match="没有建完.*inbox init"):
        Inbox(folder, workers=1)


def test_init_writes_codes_once_and_keeps_only_hashes(tmp_path: Path, files: DemoFiles,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "inbox"
    assert main(["inbox", "init", str(folder), "--unit", "柳荫街道",
                 "--roster", str(files.roster)]) == 0
    printed = capsys.readouterr().out
    raw = (folder / "访问码.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = raw.decode("utf-8-sig").splitlines()
    assert rows[0] == "角色,科室,访问码"
    assert rows[1].startswith("考核办,考核办,")
    assert len(rows) == 1 + 1 + 13  # the office, 12 departments and the leadership
    database = (folder / "inbox.sqlite").read_bytes()
    for code in codes(folder).values():
        assert code in printed
        assert code.encode() not in database and code.replace("-", "").encode() not in database
    assert main(["inbox", "init", str(folder), "--unit", "柳荫街道",
                 "--roster", str(files.roster)]) == 2
    assert "--add-departments" in capsys.readouterr().err
    assert (folder / "访问码.csv").read_bytes() == raw


def test_add_departments_gives_only_new_departments_codes(tmp_path: Path,
                                                          files: DemoFiles) -> None:
    folder = tmp_path / "inbox"
    assert main(["inbox", "init", str(folder), "--unit", "柳荫街道",
                 "--roster", str(files.roster)]) == 0
    before = codes(folder)
    bigger = tmp_path / "名单.csv"
    bigger.write_text(files.roster.read_text(encoding="utf-8-sig")
                      + "Z01,新同志,新设科,行政口,公务员,一般工作人员\n", encoding="utf-8-sig")
    assert main(["inbox", "init", str(folder), "--unit", "柳荫街道", "--roster", str(bigger),
                 "--add-departments"]) == 0
    after = codes(folder)
    assert set(after) - set(before) == {"新设科"}
    assert {k: after[k] for k in before} == before


def test_an_upload_is_answered_as_validate_json(client: TestClient, inbox: Path,
                                                files: DemoFiles) -> None:
    status, body = upload(client, inbox, files.flawed_department, files.flawed)
    assert status == 201
    assert body == qianfen_xl.validate(files.flawed).to_dict()
    assert [(f["sheet"], f["cell"], f["code"]) for f in body["findings"]] == [  # type: ignore[union-attr]
        ("登记", "D11", "item-code-unknown"), ("登记", "E12", "text-in-number")]


def test_refusals_are_chinese_json(client: TestClient, inbox: Path, files: DemoFiles) -> None:
    register = files.corrected
    r = client.post("/api/registers", files={"file": (register.name, register.read_bytes())})
    assert (r.status_code, r.json()) == (401, {"error": "请先登录：需要有效的访问码"})
    r = client.post("/api/registers", headers={"Authorization": "Bearer NOT-A-CODE"},
                    files={"file": (register.name, register.read_bytes())})
    assert r.status_code == 401 and "访问码无效" in r.json()["error"]
    other = "社保所"
    status, body = upload(client, inbox, other, register)
    assert status == 403
    assert f"“{files.flawed_department}”" in str(body["error"]) and f"“{other}”" in str(body["error"])
    r = client.get("/api/status?period=2026-W47", headers=bearer(inbox, "考核办"))
    assert r.status_code == 400 and r.json()["error"].startswith("状态按月查询")
    r = client.get("/api/status?period=2026-11", headers=bearer(inbox, "社保所"))
    assert (r.status_code, r.json()) == (403, {"error": "此功能只供考核办使用"})
    r = client.get("/api/nothing-here")
    assert (r.status_code, r.json()) == (404, {"error": "找不到该页面"})


def test_too_large_is_refused_while_receiving_and_nothing_is_stored(
        client: TestClient, inbox: Path, files: DemoFiles) -> None:
    stored = sorted(p.name for p in (inbox / "files").rglob("*") if p.is_file())
    big = b"PK\x03\x04" + os.urandom(25 * 2**20 + 10)
    r = client.post("/api/registers", headers=bearer(inbox, "社保所"),
                    files={"file": ("社保所.xlsx", big)})
    assert r.status_code == 413 and "25 MB" in r.json()["error"]
    assert sorted(p.name for p in (inbox / "files").rglob("*") if p.is_file()) == stored
    assert list((inbox / "tmp").iterdir()) == []
    last = client.get("/api/audit", headers=bearer(inbox, "考核办")).json()["uploads"][0]
    assert (last["department"], last["http_status"], last["sha256"]) == ("社保所", 413, "")


def test_status_and_ranking_equal_consolidate_on_the_same_files(
        client: TestClient, inbox: Path, files: DemoFiles, tmp_path: Path) -> None:
    office = bearer(inbox, "考核办")
    assert upload(client, inbox, files.flawed_department, files.corrected)[0] == 201
    folder = unpack(client.get("/office/counting.zip", headers=office).content,
                    tmp_path / "counting")
    roster = folder / "人员名单.csv"
    expected = qianfen_xl.consolidate(folder / "登记表", MONTH, roster=roster, workers=1)
    status = client.get(f"/api/status?period={MONTH}", headers=office).json()
    keys = ("department", "status", "rank", "total", "missing", "files")
    assert status["period"] == MONTH
    assert [{k: d[k] for k in keys} for d in status["departments"]] == [
        {k: d[k] for k in keys} for d in expected.to_dict()["months"][0]["departments"]]
    assert {d["department"]: d["status"] for d in status["departments"]}[
        files.flawed_department] == "已计分"
    # the ranking JSON and workbook are what `consolidate --json/--out` write on that folder
    out = tmp_path / "排名.xlsx"
    assert main(["consolidate", str(folder / "登记表"), "--period", MONTH, "--roster",
                 str(roster), "--out", str(out), "--json", str(tmp_path / "排名.json"),
                 "--workers", "1"]) == 1  # 工委办公室 sent nothing
    r = client.get(f"/api/ranking.json?period={MONTH}", headers=office)
    assert json.loads(r.content) == json.loads((tmp_path / "排名.json").read_bytes())
    r = client.get(f"/api/ranking.xlsx?period={MONTH}", headers=office)
    assert r.status_code == 200 and r.content == out.read_bytes()
    # a week too: the same engine as `consolidate --period 2026-W47`
    assert main(["consolidate", str(folder / "登记表"), "--period", "2026-W47", "--roster",
                 str(roster), "--out", str(out), "--json", str(tmp_path / "周.json"),
                 "--workers", "1"]) == 1
    r = client.get("/api/ranking.json?period=2026-W47", headers=office)
    assert json.loads(r.content) == json.loads((tmp_path / "周.json").read_bytes())
    r = client.get("/api/ranking.xlsx?period=2026-W47", headers=office)
    assert r.content == out.read_bytes()


def test_a_newer_register_supersedes_and_the_audit_keeps_both(
        client: TestClient, inbox: Path, files: DemoFiles) -> None:
    dept = files.flawed_department
    office = bearer(inbox, "考核办")
    before = client.get(f"/api/status?period={MONTH}", headers=office).json()
    row = next(d for d in before["departments"] if d["department"] == dept)
    assert row["status"] == "退回修改" and files.flawed.name in row["note"]
    upload(client, inbox, dept, files.corrected, name="改正后.xlsx")
    after = client.get(f"/api/status?period={MONTH}", headers=office).json()
    row = next(d for d in after["departments"] if d["department"] == dept)
    assert row["status"] == "已计分" and f"{dept}/改正后.xlsx" in row["files"]
    audit = client.get("/api/audit", headers=office).json()["uploads"]
    newest = audit[0]
    old = next(u for u in audit if u["file"] == files.flawed.name)
    assert (newest["file"], newest["state"]) == ("改正后.xlsx", "以此为准")
    assert old["superseded_by"] == newest["id"] and old["state"] == f"已被第 {newest['id']} 号替代"
    assert len(audit) == 61
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        sqlite3.connect(inbox / "inbox.sqlite").execute("DELETE FROM uploads")


def test_wrong_codes_slow_down_the_address(client: TestClient, inbox: Path) -> None:
    for _ in range(5):
        r = client.get("/api/audit", headers={"Authorization": "Bearer WRONG"})
        assert r.status_code == 401
    r = client.get("/api/audit", headers=bearer(inbox, "考核办"))
    assert r.status_code == 429
    assert r.json()["error"].startswith("访问码错误次数过多") and "秒后再试" in r.json()["error"]
    assert int(r.headers["retry-after"]) > 0


def login(client: TestClient, code: str) -> str:
    page = client.get("/").text
    token = re.search(r'name="login_token" value="([^"]+)"', page)
    assert token is not None
    r = client.post("/login", data={"code": code, "login_token": token.group(1)})
    assert r.status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text)
    assert csrf is not None
    return csrf.group(1)


def test_posts_from_a_page_need_its_token_and_origin(client: TestClient, inbox: Path,
                                                     files: DemoFiles) -> None:
    csrf = login(client, codes(inbox)["社保所"])
    register = next(files.folder.glob("社保所/*W47*"))
    body = {"file": (register.name, register.read_bytes())}
    r = client.post("/api/registers", files=body)
    assert r.status_code == 403 and "刷新页面" in r.json()["error"]
    r = client.post("/api/registers", files=body,
                    headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
    assert r.status_code == 403 and "跨站" in r.json()["error"]
    r = client.post("/api/registers", files=body,
                    headers={"X-CSRF-Token": csrf, "Origin": "http://testserver"})
    assert r.status_code == 201
    page = client.get("/").text  # signed in: the login page sends the department home
    assert "报送登记表" in page


def test_the_session_cookie_stays_on_this_site(client: TestClient, inbox: Path) -> None:
    client.get("/")
    token = client.cookies["qf_login"]
    r = client.post("/login", data={"code": codes(inbox)["考核办"], "login_token": token},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office"
    cookie = r.headers["set-cookie"].lower()
    assert "qf_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    r = client.post("/login", data={"code": codes(inbox)["考核办"], "login_token": "forged"})
    assert r.status_code == 403 and "登录页面已过期" in r.text


def test_a_worker_that_dies_costs_only_its_file(client: TestClient, inbox: Path,
                                                files: DemoFiles) -> None:
    app_inbox = client.app.state.inbox  # type: ignore[attr-defined]
    pool = app_inbox.checker._current()
    for process in list(pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
    status, body = upload(client, inbox, files.flawed_department, files.corrected)
    assert (status, body["status"]) == (201, "校验通过")
    assert upload(client, inbox, files.flawed_department, files.corrected)[0] == 201


def test_a_crash_mid_upload_leaves_no_half_stored_file(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    handle = store.temporary()
    handle.write(b"half a register")
    handle.close()  # the process dies here: never committed
    assert [p for p in store.files.rglob("*") if p.is_file()] == []
    assert FileStore(tmp_path).clean_temporary() == 1
    assert list(store.tmp.iterdir()) == []


def test_checks_kept_by_another_version_are_made_again_at_start(inbox: Path) -> None:
    day = date(2026, 12, 3)
    first = Inbox(inbox, workers=1)
    try:
        first.start()
        before = [c.as_dict() for c in first.ledger.cells(MONTH, day)]
        version = first.ledger.version
    finally:
        first.close()
    with contextlib.closing(sqlite3.connect(inbox / DB_NAME)) as db, db:
        older = db.execute("UPDATE intakes SET version = 'an older program'").rowcount
    again = Inbox(inbox, workers=2)
    try:
        again.checker.start()
        assert again.ledger.load() == older > 30
        assert [c.as_dict() for c in again.ledger.cells(MONTH, day)] == before
    finally:
        again.close()
    with contextlib.closing(sqlite3.connect(inbox / DB_NAME)) as db:
        assert db.execute("SELECT DISTINCT version FROM intakes").fetchall() == [(version,)]


def test_two_processes_opening_a_new_inbox_apply_its_schema_once(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    other = sqlite3.connect(path, isolation_level=None)  # another process, migrating first
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN IMMEDIATE")
    opened: list[Database | BaseException] = []

    def open_database() -> None:
        try:
            opened.append(Database(path))
        except BaseException as exc:  # noqa: BLE001 - the test reports it below
            opened.append(exc)

    thread = threading.Thread(target=open_database)
    thread.start()
    time.sleep(0.5)  # it has read the schema's version and waits for the write lock
    for number, script in migrations():
        for statement in statements(script):
            other.execute(statement)
        other.execute(f"PRAGMA user_version={number}")
    other.execute("COMMIT")
    thread.join(60)
    other.close()
    assert len(opened) == 1 and isinstance(opened[0], Database), opened
    assert opened[0].codes() == []
    opened[0].close()


def test_a_department_downloads_its_blank_registers_and_sends_one_back(
        client: TestClient, inbox: Path, files: DemoFiles, tmp_path: Path) -> None:
    """/department/templates.zip: the department's weekly and monthly registers, its
    people and the periods asked for filled in; the week's, sent back as it is, is taken
    as that week (no incident: full marks). A period that is no week is a Chinese 400."""
    import zipfile

    from qianfen_xl.forms.registers import register_filename
    from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY

    who = files.flawed_department
    r = client.get("/department/templates.zip?week=2026-W49&month=2026-12",
                   headers=bearer(inbox, who))
    assert r.status_code == 200
    folder = unpack(r.content, tmp_path / "blank")
    week = register_filename(KIND_WEEKLY, who, "2026-W49")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [week, register_filename(KIND_MONTHLY, who, "2026-12")])
    status, body = upload(client, inbox, who, folder / week)
    assert (status, body["status"], body["department"], body["period"]) == (
        201, "校验通过", who, "2026-W49")
    r = client.get("/department/templates.zip?week=2026-11", headers=bearer(inbox, who))
    assert r.status_code == 400 and "期间 “2026-11” 无效" in r.text
    assert zipfile.is_zipfile(io.BytesIO(client.get(
        "/department/templates.zip", headers=bearer(inbox, who)).content))


def test_a_session_ends_after_a_working_day(client: TestClient, inbox: Path) -> None:
    """Signed in 11 hours ago: still the office; 13 hours ago: sent to sign in again, and
    the session is gone from the database."""
    from datetime import datetime, timedelta

    from qianfen_xl.inbox.web import SESSION_HOURS

    login(client, codes(inbox)["考核办"])
    for hours, still in ((SESSION_HOURS - 1, True), (SESSION_HOURS + 1, False)):
        began = (datetime.now().astimezone() - timedelta(hours=hours)).isoformat(
            timespec="seconds")
        with contextlib.closing(sqlite3.connect(inbox / DB_NAME)) as db, db:
            db.execute("UPDATE sessions SET created_at = ?", (began,))
        r = client.get("/office", follow_redirects=False)
        assert (r.status_code == 200) is still
    assert r.status_code == 303 and r.headers["location"] == "/"
    with contextlib.closing(sqlite3.connect(inbox / DB_NAME)) as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)


def test_pages_are_chinese_and_every_error_is_a_page(client: TestClient, inbox: Path) -> None:
    r = client.get("/nowhere")
    assert r.status_code == 404 and "找不到该页面" in r.text and "Traceback" not in r.text
    assert "<h1>找不到页面</h1>" in r.text
    r = client.get("/logout")
    assert r.status_code == 405 and "<h1>请求方式不支持</h1>" in r.text and "不支持此请求方式" in r.text
    login(client, codes(inbox)["考核办"])
    page = client.get("/office").text
    assert "各科室报送情况" in page and "催报名单" in page
    assert "<strong>柳荫街道</strong>" in page  # init's --unit, whatever the registers say
    assert "工委办公室：2026-11 未报送登记表" in page
    board = client.get("/api/board?year=2026").json()
    assert board["months"][0]["month"] == MONTH
    r = client.get("/office/ranking?period=2026-13")
    assert r.status_code == 400 and "无法识别" in r.text
    # An error page keeps the signed-in office's navigation (and a working 退出).
    r = client.get("/nowhere")
    assert r.status_code == 404 and '<a href="/office">总览</a>' in r.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text)
    assert csrf and client.post("/logout", data={"csrf": csrf.group(1)},
                                follow_redirects=False).status_code == 303
    assert '<a href="/office">总览</a>' not in client.get("/nowhere").text


@pytest.mark.parametrize("day", [date(2026, 12, 3), date(2026, 12, 15)])
def test_the_boards_chips_count_what_its_cells_show(client: TestClient, inbox: Path,
                                                    files: DemoFiles, day: date,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """December is running: its cells show 本月进行中 (the demo's W49 touches it), not
    不完整, and the chips count them so; once W50 has ended it is named late and 催报."""
    monkeypatch.setattr(inbox_app, "today", lambda: day)
    login(client, codes(inbox)["考核办"])
    page = client.get("/office").text
    board = page[page.index('<table class="board"'):page.index("</table>")]
    shown = Counter(re.findall(r"<strong>([^<]+)</strong>", board))
    chips = dict(re.findall(r'data-status="([^"]+)" data-count="(\d+)"', page))
    assert {s: int(n) for s, n in chips.items() if int(n)} == dict(shown)
    december = client.get("/api/board?year=2026").json()
    cells = [c for row in december["departments"] for c in row["months"]
             if c["month"] == "2026-12"]
    assert {c["shown"] for c in cells} <= {"本月进行中", "退回修改"}
    assert shown["本月进行中"] == sum(c["shown"] == "本月进行中" for c in cells) > 0
    assert "不完整" not in shown
    reminders = december["reminders"]
    late = [line for line in reminders if "2026-12" in line]
    assert "_2026-W49_" in files.flawed.name  # the demo's flawed register touches December
    returned = (f"{files.flawed_department}：2026-12 登记表有错误，请改正后重新上传"
                f"（{files.flawed.name}）")
    if day.day == 3:  # no week of December has ended: only the register to fix is asked for
        assert late == [returned]
    else:
        assert f"{files.late}：2026-12 未报送登记表（周登记表 2026-W49、2026-W50，" in "\n".join(late)
        assert any("2026-12 缺少周登记表 2026-W50，请补报" in line for line in late)
        assert "缺 W50" in board


def test_the_office_can_rank_a_week(client: TestClient, inbox: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_app, "today", lambda: date(2026, 12, 3))
    login(client, codes(inbox)["考核办"])
    page = client.get("/office").text
    offered = re.findall(r'href="/office/ranking\?period=([^"]+)"', page)
    assert offered == ["2026-W48", "2026-11", "2026-Q4", "2026-H2", "2026"]
    week = client.get("/office/ranking?period=2026-W48").text
    assert "千分制考核排名（2026-W48）" in week and "不完整" not in week
    assert 'href="/api/ranking.xlsx?period=2026-W48"' in week


def test_demo_inbox_is_served_under_the_unit_its_registers_carry(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "演示收件箱"
    assert main(["demo", "--inbox", str(folder)]) == 0
    assert f"inbox serve {folder}" in capsys.readouterr().out
    with TestClient(create_app(folder, workers=1)) as c:
        entries = c.app.state.inbox.ledger.entries()  # type: ignore[attr-defined]
        units = {e.submission.unit for e in entries}
        assert len(entries) == 60 and len(units) == 1
        login(c, codes(folder)["考核办"])
        page = c.get("/office").text
    assert f"<strong>{units.pop()}</strong>" in page
    assert page.count('data-month="2026-11"') == 13  # a full board: 12 科室 and 班子
