"""One submitted file → a :class:`Submission`: read, validated, and scored on its own.

This is the unit of work the batch runs in parallel; it never raises, and what it returns
is small and picklable (no frames, no workbook), so worker processes hand it back cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from qianfen_xl.contract.findings import Finding, dedupe, has_errors
from qianfen_xl.contract.limits import TIME_LIMIT_SECONDS, LimitExceeded, time_limit
from qianfen_xl.contract.normalise import to_text
from qianfen_xl.contract.periods import Period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.reading import RegisterFile, read_register
from qianfen_xl.intake.validation import (
    CheckedRegister,
    Tables,
    cached_score_findings,
    check_header,
    check_many,
    finish_register,
)
from qianfen_xl.schemas.columns import NAME_VERSION
from qianfen_xl.scoring.engine import DepartmentScore, Incident, Person, score_department


@dataclass(frozen=True)
class Submission:
    """A file as the batch sees it. ``score`` is the register's own score (all its rows),
    present when it has no 错误."""

    label: str
    sha256: str
    size: int
    readable: bool
    format: str = ""
    macros: bool = False
    kind: str = ""
    version: str = ""
    unit: str = ""
    department: str = ""
    period: Period | None = None
    roster: tuple[Person, ...] = ()
    incidents: tuple[Incident, ...] = ()
    findings: tuple[Finding, ...] = ()
    score: DepartmentScore | None = None

    @property
    def ok(self) -> bool:
        return self.readable and not has_errors(self.findings)


def intake(path: Path, standards: Standards, label: str | None = None) -> Submission:
    """Read, validate and score one file. Anything unexpected becomes a finding."""
    return intake_many([(path, label or path.name)], standards)[0]


def intake_many(files: Sequence[tuple[Path, str]], standards: Standards, *,
                keep_score: bool = True) -> list[Submission]:
    """Take a batch of files in: each is read on its own, then all their rosters and
    incident logs are validated together (one schema run per batch), then each is scored.
    One bad file never spoils the others: if the pooled check fails, each file is checked
    alone. The batch passes ``keep_score=False``: a file's own score is only needed here,
    to check its cached values, and dropping it keeps the parent's memory small."""
    read = [_read(path, label) for path, label in files]
    checked = [_header(reg, found, standards) for reg, found in read]
    ours = [c for c in checked if c is not None and c.kind]
    tables = [Tables(c.file.label, c.file.roster, c.file.incidents, c.department, c.period)
              for c in ours]
    try:
        results = check_many(standards, tables)
    except Exception:  # noqa: BLE001 (isolate the file that broke the pooled check)
        results = [_check_alone(standards, t) for t in tables]
    shared: dict[Person, Person] = {}  # one object per person: pickled once per chunk
    for c, (people, incidents, found) in zip(ours, results, strict=True):
        finish_register(c, [shared.setdefault(p, p) for p in people], incidents, found)
    # Each file's sheets are let go once it is scored: a chunk never holds them all at once.
    pending = list(zip(files, read, checked, strict=True))[::-1]
    del ours, tables, results, read, checked
    out = []
    while pending:
        (_, label), (reg, found), c = pending.pop()
        try:
            sub = _submission(reg, found, c, standards)
            out.append(sub if keep_score else replace(sub, score=None))
        except Exception as exc:  # noqa: BLE001 (one bad file never stops a batch)
            out.append(_failed(label, exc))
    return out


def _read(path: Path, label: str) -> tuple[RegisterFile, list[Finding]]:
    try:
        with time_limit(TIME_LIMIT_SECONDS, label):
            return read_register(path, label)
    except LimitExceeded as exc:  # the time limit struck outside read_register's own guard
        return RegisterFile(path, label, "", 0), [exc.finding]
    except Exception as exc:  # noqa: BLE001
        return RegisterFile(path, label, "", 0), list(_failed(label, exc).findings)


def _header(reg: RegisterFile, found: list[Finding],
            standards: Standards) -> CheckedRegister | None:
    """The header checks of a readable file (None: not readable, or it broke them)."""
    if not reg.readable:
        return None
    try:
        return check_header(reg, standards, found)
    except Exception as exc:  # noqa: BLE001
        reg.readable = False
        found[:] = list(_failed(reg.label, exc).findings)
        return None


def _check_alone(standards: Standards, tables: Tables) -> tuple[list, list, list[Finding]]:
    try:
        return check_many(standards, [tables])[0]
    except Exception as exc:  # noqa: BLE001
        return [], [], list(_failed(tables.label, exc).findings)


def _failed(label: str, exc: Exception) -> Submission:
    return Submission(label, "", 0, False, findings=(
        Finding("file-corrupt", label, detail=f"读取时出错（{type(exc).__name__}）"),))


def _submission(reg: RegisterFile, read_findings: list[Finding],
                checked: CheckedRegister | None, standards: Standards) -> Submission:
    if checked is None:
        return Submission(reg.label, reg.sha256, reg.size, False,
                          findings=tuple(read_findings))
    findings = list(checked.findings)
    score = None
    if checked.ok:
        score = score_department(standards, checked.department, checked.roster,
                                 checked.incidents)
        findings += cached_score_findings(reg, standards, score, checked.incidents)
    return Submission(
        reg.label, reg.sha256, reg.size, True, reg.format, reg.macros, checked.kind,
        to_text(reg.header.get(NAME_VERSION)) or reg.meta.get("模板版本", ""),
        checked.unit, checked.department, checked.period, tuple(checked.roster),
        tuple(checked.incidents), tuple(dedupe(findings)), score)
