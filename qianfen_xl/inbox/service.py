"""An inbox on disk (``DIR``): creating it, opening it, and taking an upload in.

``DIR/inbox.sqlite`` (the database), ``DIR/files/`` (every file by its SHA-256: registers,
the roster, the standards), ``DIR/tmp/`` (uploads being received), ``DIR/访问码.csv`` (the
codes, written once; the database keeps their hashes only).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

from qianfen_xl.api import Report
from qianfen_xl.contract.atomic import write_atomic
from qianfen_xl.contract.errors import QianfenError
from qianfen_xl.contract.limits import MAX_FILE_BYTES, read_source
from qianfen_xl.contract.standards import Standards, load_standards
from qianfen_xl.inbox.access import ROLE_DEPARTMENT, ROLE_NAMES, ROLE_OFFICE, hash_code, new_code
from qianfen_xl.inbox.checking import Checker
from qianfen_xl.inbox.db import DB_NAME, Database, Upload, now
from qianfen_xl.inbox.files import FileStore, Stored
from qianfen_xl.inbox.ledger import Ledger, departments_of
from qianfen_xl.intake.roster import read_roster
from qianfen_xl.scoring.engine import Person

CODES_FILE = "访问码.csv"
OFFICE = "考核办"


class InboxError(QianfenError):
    """The inbox cannot be created or opened; the message says why, in Chinese."""


@dataclass(frozen=True)
class Outcome:
    """What an upload came to: the HTTP status and the JSON body."""

    status: int
    body: dict[str, object]
    upload: Upload


def init_inbox(folder: Path, unit: str, roster_file: Path, standards_file: Path | None = None,
               *, add_departments: bool = False) -> list[tuple[str, str, str]]:
    """Create the inbox (or, with ``add_departments``, give the roster's new departments
    their codes). Returns the new codes: (角色, 科室, 访问码); also appended to 访问码.csv."""
    db_path = folder / DB_NAME
    if db_path.exists() and not add_departments:
        raise InboxError(f"{folder} 已经是一个收件箱：不会覆盖已有的访问码和登记表。"
                         "如名单中有新科室，请加 --add-departments")
    if not db_path.exists() and add_departments:
        raise InboxError(f"{folder} 还不是收件箱：请先不带 --add-departments 运行 inbox init")
    standards = load_standards(standards_file)
    people = read_roster(roster_file, standards)
    if not people:
        raise InboxError(f"人员名单 {roster_file} 中没有人员")
    folder.mkdir(parents=True, exist_ok=True)
    codes_file = folder / CODES_FILE
    made = [] if add_departments else [p for p in (db_path, *_db_companions(db_path), codes_file)
                                        if not p.exists()]
    store = FileStore(folder)
    db = Database(db_path)
    try:
        roster = store.put(read_source(roster_file, roster_file.name), roster_file.name)
        values = {"unit": unit, "roster_sha256": roster.sha256, "roster_suffix": roster.suffix}
        if standards_file is not None:
            kept = store.put(read_source(standards_file, standards_file.name), ".toml")
            values["standards_sha256"] = kept.sha256
        if not add_departments:
            values["created_at"] = now()
        have = {(c.role, c.department) for c in db.codes()}
        new = [(ROLE_OFFICE, "")] if (ROLE_OFFICE, "") not in have else []
        new += [(ROLE_DEPARTMENT, d) for d in departments_of(people)
                if (ROLE_DEPARTMENT, d) not in have]
        codes = [(role, department, new_code()) for role, department in new]
        _append_codes(codes_file, codes)
        db.add_codes([(role, department, hash_code(code)) for role, department, code in codes])
        db.set_settings(values)
    except BaseException:
        # A new inbox that failed half-way (a full disk, say) is removed, not left as one
        # that cannot be opened and that init refuses to make again.
        db.close()
        for path in made:
            path.unlink(missing_ok=True)
        raise
    finally:
        db.close()
    return [(ROLE_NAMES[role], department or OFFICE, code) for role, department, code in codes]


def _db_companions(db_path: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory files beside the database."""
    return db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")


def _append_codes(path: Path, codes: list[tuple[str, str, str]]) -> None:
    """访问码.csv (UTF-8 with BOM, for Excel): 角色, 科室, 访问码; earlier rows kept."""
    old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if not old:
        writer.writerow(["角色", "科室", "访问码"])
    for role, department, code in codes:
        writer.writerow([ROLE_NAMES[role], department or OFFICE, code])
    text = old + out.getvalue()
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8-sig", newline=""))
    path.chmod(0o600)  # the codes are secrets: only the inbox's owner reads them


class Inbox:
    """An open inbox: its database, files, standards, roster and ledger."""

    def __init__(self, folder: Path, *, workers: int | None = None) -> None:
        if not (folder / DB_NAME).exists():
            raise InboxError(f"{folder} 不是收件箱（找不到 {DB_NAME}）：请先运行 "
                             "qianfen-xl inbox init")
        self.folder = folder
        self.db = Database(folder / DB_NAME)
        self.store = FileStore(folder)
        settings = self.db.settings()
        if "roster_sha256" not in settings:
            self.db.close()
            raise InboxError(f"{folder} 的收件箱没有建完（inbox init 中途失败）：请删除其中的 "
                             f"{DB_NAME}，再运行 qianfen-xl inbox init")
        self.unit = settings.get("unit", "")
        kept = settings.get("standards_sha256")
        self.standards: Standards = load_standards(self.store.path(kept, ".toml")
                                                   if kept else None)
        self.roster_path = self.store.path(settings["roster_sha256"],
                                           settings.get("roster_suffix", ""))
        self.roster = read_roster(self.roster_path, self.standards)
        self.checker = Checker(self.standards, workers)
        self.ledger = Ledger(self.db, self.store, self.standards, self.roster, self.checker)

    def start(self) -> None:
        """Before serving: clear what an interrupted upload left, start the workers, read
        the kept checks (checking again what an older program checked)."""
        self.store.clean_temporary()
        self.checker.start()
        self.ledger.load()

    def close(self) -> None:
        self.checker.close()
        self.db.close()

    def departments(self) -> list[str]:
        return self.ledger.departments()

    def people_of(self, department: str) -> list[Person]:
        return [p for p in self.roster if p.department == department]

    def receive(self, department: str, filename: str, stored: Stored) -> Outcome:
        """Check a stored upload from ``department``; record it in the audit log."""
        sub = self.checker.check(stored.path, filename)
        report = Report.of(sub)
        base = Upload(0, now(), department, filename, stored.sha256, stored.size, 201,
                      report.status, report.errors, report.warnings, sub.kind,
                      sub.period.label if sub.period else "")
        if sub.department and sub.department != department:
            whose = ("另一科室" if sub.department in self.departments()
                     else "人员名单中没有的科室")
            message = (f"这份登记表的科室是“{sub.department}”（{whose}），不是本科室“{department}”，"
                       "未接收：请上传本科室的登记表；如科室名称填错，请在登记表顶部改正后重新上传")
            upload = self.ledger.record(
                replace(base, http_status=403, result=f"拒收：登记表的科室为“{sub.department}”"),
                stored.suffix, None)
            return Outcome(403, {"error": message}, upload)
        counts = bool(sub.readable and sub.kind and sub.department and sub.period)
        upload = self.ledger.record(replace(base, counts=counts),
                                    stored.suffix, sub)
        return Outcome(201, report.to_dict(), upload)

    def refused(self, department: str, filename: str, size: int, reason: str) -> Upload:
        """Record an upload refused before it was stored (too large)."""
        return self.ledger.record(Upload(0, now(), department, filename, "", size, 413,
                                         f"拒收：{reason}"), "", None)

    def receive_path(self, department: str, path: Path) -> Outcome:
        """Take a file from disk in as an upload (the demo's registers)."""
        return self.receive(department, path.name, self.store.put(read_source(path, path.name),
                                                                  path.name))


UPLOAD_LIMIT = MAX_FILE_BYTES
