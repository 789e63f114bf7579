"""The public API: what a script may call, and what the ``qianfen-xl`` command calls too.

>>> import qianfen_xl
>>> report = qianfen_xl.validate("no-such-file.xlsx")
>>> report.status, [f.code for f in report.findings]
('无法读取', ['file-unreadable'])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qianfen_xl.batch.consolidation import Consolidation, consolidation_period
from qianfen_xl.batch.inbox import run_consolidation
from qianfen_xl.contract.errors import OutputError, QianfenError
from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.standards import Standards, load_standards
from qianfen_xl.intake.register import Submission, intake
from qianfen_xl.intake.roster import read_roster
from qianfen_xl.reports.monthly import write_monthly_registers
from qianfen_xl.reports.ranking import write_ranking_workbook
from qianfen_xl.reports.ranking_json import ranking_dict, score_dict, write_ranking_json
from qianfen_xl.scoring.engine import DepartmentScore, Person

__all__ = ["Finding", "QianfenError", "Ranking", "Report", "Standards", "consolidate",
           "load_standards", "validate"]

PASSED, RETURNED, UNREADABLE = "校验通过", "退回修改", "无法读取"

StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class Report:
    """What :func:`validate` found in one register: its findings, the scores the engine
    computes when it has no 错误, and a status (校验通过 / 退回修改 / 无法读取)."""

    file: str
    kind: str
    department: str
    period: str
    findings: tuple[Finding, ...]
    score: DepartmentScore | None
    readable: bool

    @classmethod
    def of(cls, sub: Submission) -> Report:
        return cls(sub.label, sub.kind, sub.department, sub.period.label if sub.period else "",
                   sub.findings, sub.score, sub.readable)

    @property
    def status(self) -> str:
        if not self.readable:
            return UNREADABLE
        return PASSED if self.score is not None else RETURNED

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def to_dict(self) -> dict[str, object]:
        """For JSON: the keys in English, as the ranking JSON has them."""
        return {"file": self.file, "kind": self.kind, "department": self.department,
                "period": self.period, "status": self.status, "errors": self.errors,
                "warnings": self.warnings, "findings": [f.as_dict() for f in self.findings],
                "score": score_dict(self.score) if self.score is not None else None}


@dataclass(frozen=True)
class Ranking:
    """What :func:`consolidate` made of an inbox: every department's months, statuses and
    ranks, every file and finding; it writes the ranking workbook, its JSON and the
    pre-filled monthly registers."""

    result: Consolidation
    standards: Standards

    @property
    def exit_code(self) -> int:
        """0 every department scored; 1 some not scored; 2 nothing could be consolidated."""
        return self.result.exit_code

    def to_dict(self) -> dict[str, object]:
        return ranking_dict(self.result)

    def write_workbook(self, path: StrPath) -> Path:
        return write_ranking_workbook(self.result, self.standards, Path(path))

    def write_json(self, path: StrPath) -> Path:
        return write_ranking_json(self.result, Path(path))

    def write_monthly_registers(self, folder: StrPath) -> list[Path]:
        return write_monthly_registers(self.result, self.standards, Path(folder))


def _standards(standards: Standards | StrPath | None) -> Standards:
    if isinstance(standards, Standards):
        return standards
    return load_standards(standards)


def validate(path: StrPath, *, standards: Standards | StrPath | None = None) -> Report:
    """Check one register file (never raises for a bad file: see the report's findings)."""
    path = Path(path)
    return Report.of(intake(path, _standards(standards), path.name))


def consolidate(inbox: StrPath, period: str, *, roster: StrPath | Sequence[Person] = (),
                standards: Standards | StrPath | None = None, workers: int | None = None,
                progress: bool | None = None,
                on_found: Callable[[int], None] | None = None) -> Ranking:
    """Check, score and rank every register under ``inbox`` for ``period`` (a month such as
    ``2026-11``, a half-year ``2026-H1`` or a year ``2026``). ``roster`` (a file or people)
    names the street's departments: one that sent nothing is 未报送. ``on_found`` hears how
    many files were found, before they are read."""
    rules = _standards(standards)
    folder = Path(inbox)
    if not folder.exists():
        raise OutputError(f"找不到文件夹 {folder}")
    people = (read_roster(Path(roster), rules) if isinstance(roster, str | os.PathLike)
              else list(roster))
    result = run_consolidation(folder, consolidation_period(period), rules, roster=people,
                               workers=workers, progress=progress, on_found=on_found)
    return Ranking(result, rules)
