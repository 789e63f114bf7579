"""The inbox's storage: one SQLite database (WAL), its schema in numbered SQL files
(``sql/0001_inbox.sql`` …, applied in order and recorded in ``PRAGMA user_version``).

Every query of the inbox is here. One connection serves the whole process, each statement
under a lock, so concurrent requests never meet "database is locked"; another process (the
command line adding departments while the server runs) waits up to ``BUSY_MS``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

BUSY_MS = 30_000
DB_NAME = "inbox.sqlite"


def now() -> str:
    """The local time with its offset, to the second: ``2026-12-03T20:10:32+08:00``."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def migrations() -> list[tuple[int, str]]:
    """The numbered SQL files, in order: (number, script)."""
    folder = resources.files("qianfen_xl.inbox") / "sql"
    out = []
    for item in folder.iterdir():
        name = item.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), item.read_text(encoding="utf-8")))
    return sorted(out)


def statements(script: str) -> Iterator[str]:
    r"""The statements of an SQL script one by one (a trigger's body stays whole), to run
    within a transaction of our own: ``executescript`` would commit it first.

    >>> script = "CREATE TABLE t (x);\nCREATE TRIGGER g BEFORE DELETE ON t\nBEGIN SELECT 1; END;\n"
    >>> [s.split()[1] for s in statements(script)]
    ['TABLE', 'TRIGGER']
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


@dataclass(frozen=True)
class Code:
    id: int
    role: str          # "department" or "office"
    department: str
    code_hash: str


@dataclass(frozen=True)
class Upload:
    """One row of the audit log."""

    id: int
    received_at: str
    department: str
    filename: str
    sha256: str
    bytes: int
    http_status: int
    result: str
    errors: int = 0
    warnings: int = 0
    kind: str = ""
    period: str = ""
    counts: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "received_at": self.received_at, "department": self.department,
                "file": self.filename, "sha256": self.sha256, "bytes": self.bytes,
                "http_status": self.http_status, "result": self.result,
                "errors": self.errors, "warnings": self.warnings, "kind": self.kind,
                "period": self.period}


_UPLOAD_COLUMNS = ("id, received_at, department, filename, sha256, bytes, http_status, "
                   "result, errors, warnings, kind, period, counts")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # an accepted upload survives a crash
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        self._migrate()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _migrate(self) -> None:
        """Apply the migrations not yet applied. The version is read within the write
        transaction that applies them, so two processes opening one database at once (the
        server and ``inbox init --add-departments``) never both apply the same one."""
        with self._lock, self._transaction():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            for number, script in migrations():
                if number > version:
                    for statement in statements(script):
                        self._conn.execute(statement)
                    self._conn.execute(f"PRAGMA user_version={number}")

    # ------------------------------------------------------------------ settings
    def settings(self) -> dict[str, str]:
        with self._lock:
            return dict(self._conn.execute("SELECT key, value FROM settings").fetchall())

    def set_settings(self, values: dict[str, str]) -> None:
        with self._lock, self._transaction():
            self._conn.executemany("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                                   list(values.items()))

    # ------------------------------------------------------------------ codes
    def add_codes(self, rows: list[tuple[str, str, str]]) -> None:
        """(role, department, code_hash) each, together or not at all."""
        stamp = now()
        with self._lock, self._transaction():
            self._conn.executemany(
                "INSERT INTO codes (role, department, code_hash, created_at) VALUES (?, ?, ?, ?)",
                [(*row, stamp) for row in rows])

    def codes(self) -> list[Code]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, role, department, code_hash FROM codes ORDER BY id").fetchall()
        return [Code(*row) for row in rows]

    # ------------------------------------------------------------------ sessions
    def add_session(self, token_hash: str, code_id: int, csrf: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO sessions (token_hash, code_id, csrf, created_at) "
                               "VALUES (?, ?, ?, ?)", (token_hash, code_id, csrf, now()))

    def session(self, token_hash: str) -> tuple[Code, str, str] | None:
        """The code a session signed in with, its CSRF token and when it began."""
        with self._lock:
            row = self._conn.execute(
                "SELECT c.id, c.role, c.department, c.code_hash, s.csrf, s.created_at "
                "FROM sessions s JOIN codes c ON c.id = s.code_id WHERE s.token_hash = ?",
                (token_hash,)).fetchone()
        return (Code(*row[:4]), row[4], row[5]) if row else None

    def drop_session(self, token_hash: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # ------------------------------------------------------------------ files and uploads
    def add_upload(self, upload: Upload, *, suffix: str = "",
                   intake: tuple[str, bytes] | None = None) -> int:
        """Record an upload (its stored file's blob row, and what checking it found) in one
        transaction; the file is already in place. Returns the upload's number."""
        with self._lock, self._transaction():
            if upload.sha256:
                self._conn.execute(
                    "INSERT OR IGNORE INTO blobs (sha256, suffix, bytes, stored_at) "
                    "VALUES (?, ?, ?, ?)", (upload.sha256, suffix, upload.bytes, now()))
            cursor = self._conn.execute(
                f"INSERT INTO uploads ({_UPLOAD_COLUMNS.removeprefix('id, ')}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (upload.received_at, upload.department, upload.filename, upload.sha256,
                 upload.bytes, upload.http_status, upload.result, upload.errors,
                 upload.warnings, upload.kind, upload.period, int(upload.counts)))
            number = cursor.lastrowid
            assert number is not None
            if intake is not None:
                self._conn.execute("INSERT INTO intakes (upload_id, version, submission) "
                                   "VALUES (?, ?, ?)", (number, *intake))
        return number

    def uploads(self, department: str | None = None, *, latest: int | None = None) -> list[Upload]:
        """The audit log in order received (one department's, when given; only the
        ``latest`` so many, when given)."""
        sql = f"SELECT {_UPLOAD_COLUMNS} FROM uploads"
        args: tuple[str | int, ...] = ()
        if department is not None:
            sql, args = sql + " WHERE department = ?", (department,)
        if latest is not None:
            sql, args = sql + " ORDER BY id DESC LIMIT ?", (*args, latest)
        with self._lock:
            rows = self._conn.execute(sql if latest is not None else sql + " ORDER BY id",
                                      args).fetchall()
        if latest is not None:
            rows.reverse()
        return [Upload(int(r[0]), r[1], r[2], r[3], r[4], int(r[5]), int(r[6]), r[7], int(r[8]),
                       int(r[9]), r[10], r[11], bool(r[12])) for r in rows]

    def blob_suffix(self, sha256: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT suffix FROM blobs WHERE sha256 = ?",
                                     (sha256,)).fetchone()
        return str(row[0]) if row else None

    def intakes(self) -> list[tuple[int, str, bytes]]:
        """(upload number, version, pickled submission) of every accepted upload."""
        with self._lock:
            return list(self._conn.execute(
                "SELECT upload_id, version, submission FROM intakes ORDER BY upload_id"))

    def replace_intake(self, upload_id: int, version: str, submission: bytes) -> None:
        with self._lock:
            self._conn.execute("UPDATE intakes SET version = ?, submission = ? "
                               "WHERE upload_id = ?", (version, submission, upload_id))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


