"""One submitted file → a :class:`Submission`: read, validated, and scored on its own.

This is the unit of work the batch runs in parallel; it never raises, and what it returns
is small and picklable (no frames, no workbook), so worker processes hand it back cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .engine import DepartmentScore, Incident, Person, score_department
from .findings import Finding, dedupe, has_errors
from .normalise import to_text
from .periods import Period
from .reading import read_register
from .schemas.columns import NAME_VERSION
from .standards import Standards
from .validation import cached_score_findings, check_register


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
    label = label or path.name
    try:
        return _intake(path, standards, label)
    except Exception as exc:  # noqa: BLE001 (one bad file never stops a batch)
        return Submission(label, "", 0, False, findings=(
            Finding("file-corrupt", label, detail=f"读取时出错（{type(exc).__name__}）"),))


def _intake(path: Path, standards: Standards, label: str) -> Submission:
    reg, read_findings = read_register(path, label)
    if not reg.readable:
        return Submission(label, reg.sha256, reg.size, False, findings=tuple(read_findings))
    checked = check_register(reg, standards, read_findings)
    findings = list(checked.findings)
    score = None
    if checked.ok:
        score = score_department(standards, checked.department, checked.roster,
                                 checked.incidents)
        findings += cached_score_findings(reg, standards, score, checked.incidents)
    return Submission(
        label, reg.sha256, reg.size, True, reg.format, reg.macros, checked.kind,
        to_text(reg.header.get(NAME_VERSION)) or reg.meta.get("模板版本", ""),
        checked.unit, checked.department, checked.period, tuple(checked.roster),
        tuple(checked.incidents), tuple(dedupe(findings)), score)
