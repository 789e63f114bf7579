"""The inbox in a real browser (Debian's Chromium driven by Playwright) against a real
uvicorn on a loopback port: a department signs in, uploads a register with wrong cells and
sees them named, uploads the corrected file and sees 已计分; the office sees the board
change and downloads a ranking workbook equal to the command's. And a restart: stop the
server, start it again, and every upload, status and the audit log are there."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qianfen_xl.cli import main
from qianfen_xl.contract.standards import Standards

from inbox_helpers import MONTH, DemoFiles, codes, demo_files, make_inbox, unpack

CHROMIUM = Path("/usr/bin/chromium")
QIANFEN = Path(sys.executable).with_name("qianfen-xl")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed (.ci/run installs it)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``qianfen-xl inbox serve DIR`` on a loopback port, as an office runs it."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [str(QIANFEN), "inbox", "serve", str(folder), "--port", str(self.port),
             "--workers", "1"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the inbox did not start within 60 s")

    def get_json(self, path: str, code: str) -> object:
        request = urllib.request.Request(self.url + path,
                                         headers={"Authorization": f"Bearer {code}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> DemoFiles:
    return demo_files(tmp_path_factory.mktemp("demo"), standards)


@pytest.fixture
def server(tmp_path: Path, files: DemoFiles) -> Iterator[Server]:
    folder = make_inbox(tmp_path / "inbox", files, skip=(files.flawed,))
    running = Server(folder, tmp_path / "server.log")
    yield running
    running.stop()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


def sign_in(page: object, url: str, code: str) -> None:
    page.goto(url + "/")  # type: ignore[attr-defined]
    page.fill("#code", code)  # type: ignore[attr-defined]
    page.click("button.primary")  # type: ignore[attr-defined]


def board_cell(page: object, department: str) -> str:
    return page.locator(  # type: ignore[attr-defined]
        f'td[data-department="{department}"][data-month="{MONTH}"]').get_attribute("data-status")


def test_department_fixes_a_register_and_the_office_sees_it(
        server: Server, browser: object, files: DemoFiles, tmp_path: Path) -> None:
    dept = files.flawed_department
    code = codes(server.folder)
    office = browser.new_page()  # type: ignore[attr-defined]
    sign_in(office, server.url, code["考核办"])
    office.wait_for_url("**/office")
    assert board_cell(office, dept) == "不完整"  # its W49 has not come in

    page = browser.new_page()  # type: ignore[attr-defined]
    sign_in(page, server.url, code[dept])
    page.wait_for_url("**/department")
    page.set_input_files("#files", str(files.flawed))
    card = page.locator(".result").first
    card.locator("table.findings").wait_for(timeout=30_000)
    assert card.locator(".state").inner_text() == "退回修改"
    rows = card.locator("table.findings tbody tr").all_inner_texts()
    assert any("登记!D11" in r and "项目代码不存在" in r for r in rows)
    assert any("登记!E12" in r and "两次" in r for r in rows)
    page.locator(f'#periods .month:has-text("{MONTH}") .badge').first.wait_for()

    office.reload()
    assert board_cell(office, dept) == "退回修改"

    # the corrected file, dropped on the page as a clerk drags it from the desktop
    data = list(files.corrected.read_bytes())
    page.evaluate("""([name, bytes]) => {
        const file = new File([new Uint8Array(bytes)], name);
        const transfer = new DataTransfer();
        transfer.items.add(file);
        document.getElementById("drop").dispatchEvent(
            new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""", [files.corrected.name, data])
    page.locator(".result.ok").first.wait_for(timeout=30_000)
    # the months are redrawn after the upload: a locator, found again until it says so
    from playwright.sync_api import expect

    status = page.locator(f'#periods article.month:has(h3:text-is("{MONTH}")) .badge').first
    expect(status).to_have_text("已计分", timeout=30_000)

    office.reload()
    assert board_cell(office, dept) == "已计分"
    assert f"{dept}：{MONTH}" not in office.locator("#reminders").input_value()

    with office.expect_download() as download:
        office.click(f'a[href="/api/ranking.xlsx?period={MONTH}"]')
    got = tmp_path / "网页下载.xlsx"
    download.value.save_as(got)
    with office.expect_download() as download:
        office.click('a[href="/office/counting.zip"]')
    folder = unpack(Path(download.value.path()).read_bytes(), tmp_path / "counting")
    expected = tmp_path / "命令.xlsx"
    assert main(["consolidate", str(folder / "登记表"), "--period", MONTH, "--roster",
                 str(folder / "人员名单.csv"), "--out", str(expected), "--workers", "1"]) == 1
    assert got.read_bytes() == expected.read_bytes()


def test_state_survives_a_restart(server: Server, files: DemoFiles, tmp_path: Path) -> None:
    office = codes(server.folder)["考核办"]
    dept = files.flawed_department
    request = urllib.request.Request(
        server.url + "/api/registers", method="POST",
        headers={"Authorization": f"Bearer {codes(server.folder)[dept]}",
                 "Content-Type": "multipart/form-data; boundary=b0undary"},
        data=(b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; "
              b"filename=\"w49.xlsx\"\r\n\r\n" + files.flawed.read_bytes()
              + b"\r\n--b0undary--\r\n"))
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
    before = [server.get_json(p, office) for p in
              ("/api/audit", f"/api/status?period={MONTH}", "/api/board?year=2026")]
    server.stop()
    again = Server(server.folder, tmp_path / "again.log")
    try:
        after = [again.get_json(p, office) for p in
                 ("/api/audit", f"/api/status?period={MONTH}", "/api/board?year=2026")]
    finally:
        again.stop()
    server.process = again.process  # stopped already; the fixture's stop is then a no-op
    server.log = (tmp_path / "again.log").open("ab")
    assert after == before
    audit = after[0]
    assert isinstance(audit, dict) and audit["uploads"][0]["file"] == "w49.xlsx"
