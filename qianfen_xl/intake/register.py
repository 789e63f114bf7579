"""Checking registers: read → header → roster and incident log (checks pooled) → score
→ cached values. Every way a register is checked goes through :func:`check_registers`: a
file (:func:`intake`), a batch's chunk of files (:func:`intake_many`, the unit of parallel
work), and a workbook open in Excel (the 校验本表 button, ``excel.addin``).

It never raises for bad content, and what it returns is small and picklable (no frames, no
workbook), so worker processes hand it back cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from qianfen_xl.contract.findings import Finding, dedupe, has_errors, in_clerk_order
from qianfen_xl.contract.limits import TIME_LIMIT_SECONDS, LimitExceeded, time_limit
from qianfen_xl.contract.normalise import to_text
from qianfen_xl.contract.periods import Period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.reading import RegisterFile, read_register
from qianfen_xl.intake.validation import (
    Checked,
    CheckedRegister,
    Tables,
    cached_score_findings,
    check_header,
    check_many,
    finish_register,
)
from qianfen_xl.schemas.columns import NAME_VERSION, REGISTER_KINDS, SHEET_ORDER
from qianfen_xl.scoring.engine import DepartmentScore, Incident, Person, score_department

Read = tuple[RegisterFile, list[Finding]]  # a register as read, and what reading found


@dataclass(frozen=True)
class Submission:
    """A register as checked. ``score`` is the register's own score (all its rows), present
    when it has no 错误."""

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
    """Read a batch of files, then check them together (:func:`check_registers`). The batch
    passes ``keep_score=False``: a file's own score is only needed here, to check its cached
    values, and dropping it keeps the parent's memory small."""
    return check_registers([read_file(path, label) for path, label in files], standards,
                           keep_score=keep_score)


def read_file(path: Path, label: str) -> Read:
    """One file read within the time limit; any failure is a finding."""
    try:
        with time_limit(TIME_LIMIT_SECONDS, label):
            return read_register(path, label)
    except LimitExceeded as exc:  # the time limit struck outside read_register's own guard
        return RegisterFile(path, label, "", 0), [exc.finding]
    except Exception as exc:  # noqa: BLE001 (one bad file never stops a batch)
        return RegisterFile(path, label, "", 0), list(_failed(label, exc).findings)


def check_register(reg: RegisterFile, read_findings: list[Finding],
                   standards: Standards) -> Submission:
    """Check one register as read (from a file, or from a workbook open in Excel)."""
    return check_registers([(reg, read_findings)], standards)[0]


def check_registers(read: list[Read], standards: Standards, *,
                    keep_score: bool = True) -> list[Submission]:
    """Check registers as read: each one's header, then all their rosters and incident logs
    together (one schema run for the lot), then each one's score and cached values. One bad
    register never spoils the others: if the pooled check fails, each is checked alone.

    ``read`` is emptied as the registers are checked: each one's sheets are let go once it
    is scored, so a chunk never holds them all at once."""
    checked = [_header(reg, found, standards) for reg, found in read]
    ours = [c for c in checked if c is not None and c.kind in REGISTER_KINDS]
    tables = [Tables(c.file.label, c.file.roster, c.file.incidents, c.department, c.period)
              for c in ours]
    try:
        results = check_many(standards, tables)
    except Exception:  # noqa: BLE001 (isolate the file that broke the pooled check)
        results = [_check_alone(standards, t) for t in tables]
    shared: dict[Person, Person] = {}  # one object per person: pickled once per chunk
    for register, (people, incidents, found) in zip(ours, results, strict=True):
        finish_register(register, [shared.setdefault(p, p) for p in people], incidents, found)
    pending = list(zip(read, checked, strict=True))[::-1]
    read.clear()
    del ours, tables, results, checked
    out = []
    while pending:
        (reg, found), c = pending.pop()
        try:
            sub = _submission(reg, found, c, standards)
            out.append(sub if keep_score else replace(sub, score=None))
        except Exception as exc:  # noqa: BLE001 (one bad file never stops a batch)
            out.append(_failed(reg.label, exc))
    return out


def _header(reg: RegisterFile, found: list[Finding],
            standards: Standards) -> CheckedRegister | None:
    """The header checks of a readable file (None: not readable, or it broke them)."""
    if not reg.readable:
        return None
    try:
        return check_header(reg, standards, found)
    except Exception as exc:  # noqa: BLE001 (one bad file never stops a batch)
        reg.readable = False
        found[:] = list(_failed(reg.label, exc).findings)
        return None


def _check_alone(standards: Standards, tables: Tables) -> Checked:
    try:
        return check_many(standards, [tables])[0]
    except Exception as exc:  # noqa: BLE001 (one bad file never stops a batch)
        return [], [], list(_failed(tables.label, exc).findings)


def _failed(label: str, exc: Exception) -> Submission:
    return Submission(label, "", 0, False, findings=(
        Finding("file-corrupt", label, detail=f"读取时出错（{type(exc).__name__}）"),))


def _submission(reg: RegisterFile, read_findings: list[Finding],
                checked: CheckedRegister | None, standards: Standards) -> Submission:
    if checked is None:
        return Submission(reg.label, reg.sha256, reg.size, False,
                          findings=tuple(in_clerk_order(read_findings, SHEET_ORDER)))
    findings = list(checked.findings)
    score = None
    if checked.ok and checked.kind in REGISTER_KINDS:
        score = score_department(standards, checked.department, checked.roster,
                                 checked.incidents)
        findings += cached_score_findings(reg, standards, score, checked.incidents)
    return Submission(
        reg.label, reg.sha256, reg.size, True, reg.format, reg.macros, checked.kind,
        to_text(reg.header.get(NAME_VERSION)) or reg.meta.get("模板版本", ""),
        checked.unit, checked.department, checked.period, tuple(checked.roster),
        tuple(checked.incidents), tuple(in_clerk_order(dedupe(findings), SHEET_ORDER)), score)
