"""The inbox under load, on loopback (bounded in count and time; not a test).

Builds (once, into benchmarks/.data/inbox-street/) a street of 40 departments with a year of weekly
registers (52 weeks, 2,080 files, from the real templates, filled through the same model as
the demo), then against a real `qianfen-xl inbox serve` on 127.0.0.1:
(1) 40 departments upload one register each at the same moment: every upload answered 201,
    every one in the audit log, no "database is locked";
(2) a register's findings on a warm server: the time of one upload, median of 20, against
    the baseline of checking the same files in this process (qianfen_xl.validate);
(3) the office board for 40 departments × 52 weeks (/office, and /api/board): median of
    20 renders once warm, and the first (cold) render, against the baseline of the same
    server answering for a static file (/static/inbox.css), measured in the same run.

    .venv/bin/python benchmarks/inbox_load.py [--port 18391] [--uploads 40]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from generate import street_people, write_department

from qianfen_xl.contract.standards import load_standards
from qianfen_xl.demo.month import write_roster_csv
from qianfen_xl.scoring.engine import Person

HERE = Path(__file__).parent
DATA = HERE / ".data" / "inbox-street"
QIANFEN = Path(sys.executable).with_name("qianfen-xl")
DEPARTMENTS = 40


def street() -> tuple[Path, list[Person]]:
    """40 departments (generate.py's street 1 and ten of street 2's), their weekly
    registers of the year: made once, in parallel, as generate.py makes them."""
    standards = load_standards()
    people = {**street_people(1, standards), **dict(list(street_people(2, standards).items())[:10])}
    roster = DATA / "人员名单.csv"
    done = DATA / ".complete"
    if not done.exists():
        shutil.rmtree(DATA, ignore_errors=True)
        tasks = [(DATA / "登记表", 1 if d.startswith("街道1·") else 2, d, mine, 2026 * 1000 + k)
                 for k, (d, mine) in enumerate(people.items())]
        with concurrent.futures.ProcessPoolExecutor() as pool:
            made = sum(pool.map(write_department, tasks))
        write_roster_csv([p for mine in people.values() for p in mine], roster)
        print(f"made {made} registers of {len(people)} departments", flush=True)
        done.touch()
    return roster, [p for mine in people.values() for p in mine]


def codes(folder: Path) -> dict[str, str]:
    import csv

    with (folder / "访问码.csv").open(encoding="utf-8-sig") as fh:
        return {r["科室"]: r["访问码"] for r in csv.DictReader(fh)}


def post(url: str, code: str, path: Path) -> tuple[int, float, str]:
    body = (b"--qfb\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.xlsx\"\r\n\r\n"
            + path.read_bytes() + b"\r\n--qfb--\r\n")
    request = urllib.request.Request(url + "/api/registers", data=body, method="POST", headers={
        "Authorization": f"Bearer {code}", "Content-Type": "multipart/form-data; boundary=qfb"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            text = r.read().decode()
            return r.status, time.perf_counter() - start, text
    except urllib.error.HTTPError as exc:
        return exc.code, time.perf_counter() - start, exc.read().decode()


def get(url: str, code: str) -> tuple[float, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {code}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as r:
        data = r.read()
    return time.perf_counter() - start, data


def checking_times(paths: list[Path]) -> list[float]:
    """Seconds to check each register in this process (the public API's validate), once
    warm: the floor under an upload's answer, which also carries the file and stores it."""
    from qianfen_xl import validate

    validate(paths[0])
    times = []
    for path in paths:
        start = time.perf_counter()
        validate(path)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18391)
    parser.add_argument("--uploads", type=int, default=DEPARTMENTS)
    args = parser.parse_args()
    began = time.monotonic()
    roster, _ = street()
    folder = DATA.parent / "inbox-run"
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([str(QIANFEN), "inbox", "init", str(folder), "--unit", "压测街道",
                    "--roster", str(roster)], check=True, stdout=subprocess.DEVNULL)
    code = codes(folder)
    files = sorted(f for f in (DATA / "登记表").rglob("*.xlsx") if "周考核" in f.name)
    # the year's registers, all but week 52, received before the server starts
    from qianfen_xl.inbox.service import Inbox

    inbox = Inbox(folder)
    start = time.perf_counter()
    inbox.checker.start()
    with concurrent.futures.ThreadPoolExecutor(inbox.checker.workers) as pool:
        list(pool.map(lambda p: inbox.receive_path(p.parent.name, p),
                      [f for f in files if "W52" not in f.name]))
    inbox.close()
    print(f"received {len(files) - DEPARTMENTS} registers in {time.perf_counter() - start:.1f} s")
    url = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([str(QIANFEN), "inbox", "serve", str(folder), "--port",
                               str(args.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", args.port), 1).close()
                break
            except OSError:
                time.sleep(0.2)
        office = code["考核办"]
        cold, _ = get(url + "/api/board?year=2026", office)
        # (1) every department uploads its week 52 at once
        last = [f for f in files if "W52" in f.name][:args.uploads]
        with concurrent.futures.ThreadPoolExecutor(len(last)) as pool:
            results = list(pool.map(lambda p: post(url, code[p.parent.name], p), last))
        statuses = [s for s, _, _ in results]
        locked = sum("locked" in t for _, _, t in results)
        times = sorted(t for _, t, _ in results)
        _, audit = get(url + "/api/audit", office)
        import json

        logged = len(json.loads(audit)["uploads"])
        kept = {p.name.split(".")[0] for p in (folder / "files").rglob("*") if p.is_file()}
        sent = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
        print(f"(1) {len(last)} uploads at once: {statuses.count(201)} answered 201, "
              f"{locked} 'database is locked', audit rows {logged} (expected {len(files)}), "
              f"files lost {len(sent - kept)}; "
              f"slowest answer {times[-1]:.2f} s, median {statistics.median(times):.2f} s")
        # (2) one register's findings on a warm server
        sample = [post(url, code[p.parent.name], p)[1] for p in last[:20]]
        checked = checking_times(last[:20])
        print(f"(2) one upload's findings, warm: median {statistics.median(sample) * 1000:.0f} ms, "
              f"max {max(sample) * 1000:.0f} ms (20 uploads); "
              f"{statistics.median(sample) / statistics.median(checked):.2f}× checking the same "
              f"file in this process (median {statistics.median(checked) * 1000:.0f} ms)")
        # (3) the board, 40 departments × 52 weeks
        get(url + "/api/board?year=2026", office)
        html = [get(url + "/office", office)[0] for _ in range(20)]
        board = [get(url + "/api/board?year=2026", office)[0] for _ in range(20)]
        static = [get(url + "/static/inbox.css", office)[0] for _ in range(20)]
        floor = statistics.median(static)
        print(f"(3) board JSON, warm: median {statistics.median(board) * 1000:.0f} ms, max "
              f"{max(board) * 1000:.0f} ms; first render after start {cold * 1000:.0f} ms; "
              f"/office page (HTML) median {statistics.median(html) * 1000:.0f} ms, max "
              f"{max(html) * 1000:.0f} ms; against the server's static file "
              f"(median {floor * 1000:.1f} ms): board JSON {statistics.median(board) / floor:.1f}×, "
              f"/office {statistics.median(html) / floor:.1f}×")
        print(f"whole run {time.monotonic() - began:.0f} s; load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
