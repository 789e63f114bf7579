"""What the inbox holds, as the office and each department see it: the registers that
count, every department's months as ``consolidate`` makes them, and rankings.

Each accepted upload is checked once (``checking``); what checking found is kept in the
database and here, so nothing is read again to draw the board. A newer register of the same
department, kind and period supersedes the older (which stays in the audit log). The
registers that count are consolidated by the batch's own ``consolidate`` — the same rules
as the command: completeness, conflicts, one person in two departments, a 科室 the roster
does not have — one month at a time, cached until an upload touches that month.

In a consolidation a register is named ``科室/文件名`` (a later file of the same name gets
its upload number): the folder ``counting.zip`` unpacks to, so ``qianfen-xl consolidate``
on that folder gives the same statuses, ranks and scores.
"""

from __future__ import annotations

import hashlib
import importlib
import pickle
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from importlib import metadata
from pathlib import Path, PurePosixPath

from qianfen_xl.batch.consolidation import (
    INCOMPLETE,
    MISSING,
    RETURNED,
    Consolidation,
    DepartmentMonth,
    consolidate,
    consolidation_period,
)
from qianfen_xl.contract.normalise import file_part
from qianfen_xl.contract.periods import Period, month_of, parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.inbox.checking import Checker
from qianfen_xl.inbox.db import Database, Upload
from qianfen_xl.inbox.files import FileStore
from qianfen_xl.intake.register import Submission
from qianfen_xl.reports.ranking import files_to_fix, returned_files, status_note
from qianfen_xl.scoring.engine import Person


def intake_version(standards: Standards) -> str:
    """What a kept check depends on: the program (its version and the source of every
    layer a check goes through) and the standards."""
    try:
        program = metadata.version("qianfen-xl")
    except metadata.PackageNotFoundError:
        program = "unknown"
    digest = hashlib.sha256(program.encode())
    for layer in ("contract", "schemas", "scoring", "intake"):
        module = importlib.import_module(f"qianfen_xl.{layer}")
        for source in sorted(Path(str(module.__file__)).parent.glob("*.py")):
            digest.update(source.read_bytes())
    return f"{program}/{standards.short_digest}/{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class Entry:
    """An accepted upload and what checking it found (labelled with its file name)."""

    upload: Upload
    submission: Submission

    @property
    def key(self) -> tuple[str, str, str] | None:
        """(科室, kind, period) when it is some department's register of some period."""
        s = self.submission
        if not (s.kind and s.department and s.period is not None):
            return None
        return (s.department, s.kind, s.period.label)


def relabel(sub: Submission, label: str) -> Submission:
    """The submission named ``label`` (its findings too), without its own score: as the
    batch takes a file in."""
    findings = tuple(replace(f, file=label) if f.file == sub.label else f
                     for f in sub.findings)
    return replace(sub, label=label, findings=findings, score=None)


def safe_part(text: str) -> str:
    """A department's name as a folder name in a zip, as every output names files
    (``file_part``: no separator, nothing Windows refuses to extract, no leading dot).

    >>> safe_part("../社保所"), safe_part("城管/执法:二"), safe_part(" ")
    ('_社保所', '城管_执法_二', '科室')
    """
    name = text.strip()
    return file_part(name, 60) if name else "科室"


def departments_of(people: Sequence[Person]) -> list[str]:
    """The roster's departments, in the order they first appear."""
    return list(dict.fromkeys(p.department for p in people))


@dataclass(frozen=True)
class Counting:
    """A register that counts: its entry and its name in consolidations."""

    entry: Entry
    label: str


class Ledger:
    def __init__(self, db: Database, store: FileStore, standards: Standards,
                 roster: Sequence[Person], checker: Checker) -> None:
        self.db = db
        self.store = store
        self.standards = standards
        self.roster = list(roster)
        self.checker = checker
        self.version = intake_version(standards)
        self._lock = threading.RLock()
        self._entries: dict[int, Entry] = {}
        self._months: dict[str, Consolidation] = {}
        self._counting: list[Counting] | None = None
        self._superseded: dict[int, int] = {}
        self._owed: dict[str, tuple[str, ...]] = {}   # the calendar does not change
        self._touched: set[str] | None = None

    # ------------------------------------------------------------------ loading, adding
    def load(self) -> int:
        """Read every kept check; a check made by another program version or standards is
        made again from the stored file, as many at once as the checker has workers.
        Returns how many were made again."""
        uploads = {u.id: u for u in self.db.uploads()}
        kept: dict[int, Submission] = {}
        stale: list[Upload] = []
        for number, version, blob in self.db.intakes():
            sub = None
            if version == self.version:
                try:
                    sub = pickle.loads(blob)  # our own database, written by ``record``
                except Exception:  # noqa: BLE001 (an unreadable kept check is made again)
                    sub = None
            if isinstance(sub, Submission):
                kept[number] = sub
            else:
                stale.append(uploads[number])
        with ThreadPoolExecutor(self.checker.workers) as pool:
            for upload, sub in zip(stale, pool.map(self._check_again, stale), strict=True):
                kept[upload.id] = sub
        for number in sorted(kept):
            self._entries[number] = Entry(uploads[number], kept[number])
        return len(stale)

    def _check_again(self, upload: Upload) -> Submission:
        sub = self.checker.check(self.stored_path(upload), upload.filename)
        self.db.replace_intake(upload.id, self.version, pickle.dumps(sub))
        return sub

    def stored_path(self, upload: Upload) -> Path:
        """Where the file of a stored upload is (under the suffix its bytes were first
        stored with)."""
        return self.store.path(upload.sha256, self.db.blob_suffix(upload.sha256) or "")

    def record(self, upload: Upload, suffix: str, sub: Submission | None) -> Upload:
        """Write an upload to the audit log (with its check when accepted) and take it in."""
        kept = (self.version, pickle.dumps(sub)) if sub is not None else None
        number = self.db.add_upload(upload, suffix=suffix, intake=kept)
        upload = replace(upload, id=number)
        if sub is not None:
            with self._lock:
                self._entries[number] = Entry(upload, sub)
                self._counting = None
                self._touched = None
                for month in sub.period.months() if sub.period is not None else ():
                    self._months.pop(month.label, None)
        return upload

    # ------------------------------------------------------------------ what counts
    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    def counting(self) -> list[Counting]:
        """The latest register of each department, kind and period, in upload order."""
        with self._lock:
            if self._counting is None:
                latest: dict[tuple[str, str, str], Entry] = {}
                for entry in sorted(self._entries.values(), key=lambda e: e.upload.id):
                    if entry.upload.counts and (key := entry.key) is not None:
                        latest[key] = entry  # the newest (two threads may record out of order)
                taken: set[str] = set()
                out = []
                for entry in sorted(latest.values(), key=lambda e: e.upload.id):
                    label = f"{safe_part(entry.upload.department)}/{entry.upload.filename}"
                    if label in taken:
                        path = PurePosixPath(label)
                        label = str(path.with_name(f"{path.stem}_{entry.upload.id}{path.suffix}"))
                    taken.add(label)
                    out.append(Counting(entry, label))
                self._counting = out
                self._superseded = {
                    e.upload.id: latest[key].upload.id for e in self._entries.values()
                    if (key := e.key) in latest and latest[key] is not e}
            return self._counting

    def superseded_by(self) -> dict[int, int]:
        """Upload number → the number of the upload that replaced it (kept with what
        counts)."""
        with self._lock:
            self.counting()
            return self._superseded

    def counting_labels(self) -> dict[int, str]:
        return {c.entry.upload.id: c.label for c in self.counting()}

    def submissions(self, within: Period | None = None) -> list[Submission]:
        out = []
        for c in self.counting():
            p = c.entry.submission.period
            if within is None or (p is not None and p.start <= within.end
                                  and p.end >= within.start):
                out.append(relabel(c.entry.submission, c.label))
        return out

    # ------------------------------------------------------------------ consolidations
    def month(self, label: str) -> Consolidation:
        """One month as ``consolidate --period MONTH`` makes it (cached until it changes)."""
        with self._lock:
            if label not in self._months:
                period = parse_period(label)
                self._months[label] = consolidate(self.standards, self.submissions(period),
                                                  period, self.roster)
            return self._months[label]

    def consolidation(self, label: str) -> Consolidation:
        """Any period ``consolidate`` takes, from every register that counts."""
        period = consolidation_period(label)
        return consolidate(self.standards, self.submissions(), period, self.roster)

    def owed(self, month: str) -> tuple[str, ...]:
        """The weekly registers ``month`` is owed: the standards' working-day calendar, as
        ``consolidate`` checks completeness."""
        if month not in self._owed:
            self._owed[month] = self.standards.calendar.owed_weeks(parse_period(month))
        return self._owed[month]

    def cells(self, month: str, today: date) -> list[Cell]:
        """Every department's ``month`` as the board shows it."""
        return month_cells(self.month(month), self.owed(month), today)

    def departments(self) -> list[str]:
        return departments_of(self.roster)

    def touched(self) -> set[str]:
        """Every month a register that counts touches (cached with what counts)."""
        with self._lock:
            if self._touched is None:
                self._touched = {m.label for c in self.counting()
                                 for m in (c.entry.submission.period.months()
                                           if c.entry.submission.period else ())}
            return self._touched

    def months_of(self, year: int, today: date) -> list[str]:
        """The months the board shows for a year: from the first month any register
        touches to the latest (or this month, in the current year)."""
        touched = {m for m in self.touched() if m.startswith(f"{year:04d}-")}
        if today.year == year:
            touched.add(month_of(today))
        if not touched:
            return []
        first, last = min(touched), max(touched)
        return [f"{year:04d}-{m:02d}" for m in range(int(first[5:]), int(last[5:]) + 1)]

    def years(self, today: date) -> list[int]:
        return sorted({int(m[:4]) for m in self.touched()} | {today.year})


IN_PROGRESS = "本月进行中"   # the board's status of a running month not yet scored or returned


def week_ended(label: str, today: date) -> bool:
    """A week is due once it has ended (its Sunday is before ``today``): a week still
    running is not late. Which weeks a month is owed is the standards' calendar's to say
    (``Ledger.owed``)."""
    return parse_period(label).end < today


@dataclass(frozen=True)
class Cell:
    """A department's month on the board."""

    month: str
    department: str
    status: str                         # as ``consolidate`` makes it
    rank: int | None
    total: float | None
    missing: tuple[str, ...]            # as ``consolidate`` names them (a 不完整 month)
    files: tuple[str, ...]
    note: str
    in_progress: bool                   # the month has not ended
    to_fix: tuple[str, ...] = ()        # the files of a 退回修改 month that have 错误
    missing_due: tuple[str, ...] = ()   # owed weeks not received that have ended (late)
    not_due: tuple[str, ...] = ()       # owed weeks not received that have not ended yet

    @property
    def shown(self) -> str:
        """The status the board shows: a month still running that is neither 已计分 nor
        退回修改 is 本月进行中 — not yet 不完整 or 未报送 (its late weeks are named)."""
        if self.in_progress and self.status in (INCOMPLETE, MISSING):
            return IN_PROGRESS
        return self.status

    @property
    def names_to_fix(self) -> str:
        """The files to fix by their names (without the department's folder), as a list."""
        return "、".join(PurePosixPath(f).name for f in self.to_fix)

    @property
    def reason(self) -> str:
        """Why the cell shows what it shows, in a line for the office and the department
        (``note`` is the ranking workbook's 说明): the files to fix by name, the weeks
        late, and for a month still running what has come in."""
        late = f"已到期未收到周登记表 {'、'.join(self.missing_due)}" if self.missing_due else ""
        if self.status == RETURNED:
            return "；".join(p for p in (f"登记表有错误，请改正后重新上传：{self.names_to_fix}",
                                        late) if p)
        if self.shown == IN_PROGRESS:
            parts = [f"{self.month} 尚未结束，已收到 {len(self.files)} 份登记表", late]
            if self.not_due:
                parts.append(f"尚未到期：{'、'.join(self.not_due)}")
            return "；".join(p for p in parts if p)
        if self.status == INCOMPLETE:
            return f"缺少周登记表 {'、'.join(self.missing)}，本月不参加排名"
        return "未收到登记表" if self.status == MISSING else ""

    def as_dict(self) -> dict[str, object]:
        """The keys of ``consolidate --json``'s departments, and the board's own."""
        return {"department": self.department, "status": self.status, "rank": self.rank,
                "total": self.total, "missing": list(self.missing), "files": list(self.files),
                "note": self.note, "shown": self.shown, "reason": self.reason,
                "missing_due": list(self.missing_due), "not_due": list(self.not_due),
                "to_fix": list(self.to_fix)}


def month_cells(result: Consolidation, owed: Sequence[str], today: date) -> list[Cell]:
    """Every department's row of a month's consolidation, as the board shows it; ``owed``:
    the weekly registers the month is owed (``Ledger.owed``)."""
    returned = returned_files(result)
    month = result.requested[0]
    return [_cell(month.period, r, owed, returned, today) for r in month.departments]


def _cell(month: Period, r: DepartmentMonth, owed: Sequence[str], returned: set[str],
          today: date) -> Cell:
    absent = tuple(owed) if r.status == MISSING else r.missing
    return Cell(month.label, r.department, r.status, r.rank,
                r.score.total if r.score is not None else None, r.missing, r.files,
                status_note(r, returned), month.end >= today, files_to_fix(r, returned),
                tuple(w for w in absent if week_ended(w, today)),
                tuple(w for w in absent if not week_ended(w, today)))


def reminders(cells: Sequence[Cell]) -> list[str]:
    """The 催报 lines: each department's month that is 退回修改, or lacks weeks that have
    ended (不完整 or 未报送, or late within a month still running), with what is missing."""
    lines = []
    for c in cells:
        due = "、".join(c.missing_due)
        if c.status == RETURNED:
            lines.append(f"{c.department}：{c.month} 登记表有错误，请改正后重新上传（{c.names_to_fix}）")
        elif c.status == INCOMPLETE and due:
            lines.append(f"{c.department}：{c.month} 缺少周登记表 {due}，请补报")
        elif c.status == MISSING and due:
            lines.append(f"{c.department}：{c.month} 未报送登记表（周登记表 {due}，"
                         "或当月的月登记表），请报送")
    return lines
