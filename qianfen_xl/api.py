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
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qianfen_xl.batch.consolidation import Consolidation, consolidation_period
from qianfen_xl.batch.inbox import run_consolidation
from qianfen_xl.batch.workers import intake_guarded
from qianfen_xl.contract.errors import OutputError, QianfenError
from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.standards import Standards, load_standards
from qianfen_xl.intake.register import Submission
from qianfen_xl.reports.ranking_json import ranking_dict, score_dict, write_ranking_json
from qianfen_xl.schemas.columns import KIND_ANNUAL
from qianfen_xl.scoring.engine import DepartmentScore, Person

if TYPE_CHECKING:  # the year-end parts are imported when used: validate and consolidate
    from qianfen_xl.batch.finalize import Finalized  # start faster without them; so are
    from qianfen_xl.intake.annual_register import CheckedRegister  # rosters (pandas) and
                                                    # what writes workbooks (XlsxWriter, openpyxl)

__all__ = ["Finding", "QianfenError", "Ranking", "Report", "Results", "Standards",
           "consolidate", "finalize", "load_standards", "validate"]

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
    people: int | None = None    # a 年度考核情况登记表: its people …
    decided: int | None = None   # … and how many have a 确定等次

    @classmethod
    def of(cls, sub: Submission) -> Report:
        return cls(sub.label, sub.kind, sub.department, sub.period.label if sub.period else "",
                   sub.findings, sub.score, sub.readable)

    @classmethod
    def of_register(cls, checked: CheckedRegister) -> Report:
        reg = checked.file
        readable = reg.kind == KIND_ANNUAL and reg.decisions is not None
        return cls(reg.label, reg.kind, "", reg.period, checked.findings, None, readable,
                   len(checked.people) if readable else None,
                   checked.decided if readable else None)

    @property
    def status(self) -> str:
        if not self.readable:
            return UNREADABLE
        if self.people is not None:  # an annual register: no score, its decisions checked
            return PASSED if not self.errors else RETURNED
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
                "score": score_dict(self.score) if self.score is not None else None,
                **({"people": self.people, "decided": self.decided}
                   if self.people is not None else {})}


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
        from qianfen_xl.reports.ranking import write_ranking_workbook

        return write_ranking_workbook(self.result, self.standards, Path(path))

    def write_json(self, path: StrPath) -> Path:
        return write_ranking_json(self.result, Path(path))

    def write_monthly_registers(self, folder: StrPath) -> list[Path]:
        from qianfen_xl.reports.monthly import write_monthly_registers

        return write_monthly_registers(self.result, self.standards, Path(folder))


def _standards(standards: Standards | StrPath | None) -> Standards:
    if isinstance(standards, Standards):
        return standards
    return load_standards(standards)


def validate(path: StrPath, *, standards: Standards | StrPath | None = None) -> Report:
    """Check one register file (never raises for a bad file: see the report's findings).
    A 年度考核情况登记表 is checked as the decisions it holds (blank 确定等次 allowed)."""
    path = Path(path)
    rules = _standards(standards)
    sub = intake_guarded([(path, path.name)], rules)[0]
    if sub.kind == KIND_ANNUAL:
        from qianfen_xl.intake.annual_register import check_annual_register, read_annual_register

        return Report.of_register(check_annual_register(read_annual_register(path, path.name),
                                                        rules))
    return Report.of(sub)


@dataclass(frozen=True)
class Results:
    """What :func:`finalize` made of a filled 年度考核情况登记表: the final results, or the
    findings that refuse them; it writes the results workbook, JSON and archive pages."""

    result: Finalized
    standards: Standards

    @property
    def ok(self) -> bool:
        return self.result.ok

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.result.findings

    def to_dict(self) -> dict[str, object]:
        from qianfen_xl.reports.results import results_dict

        return results_dict(self.result, self.standards)

    def write(self, folder: StrPath) -> list[Path]:
        """考核结果_YEAR.xlsx, 考核结果_YEAR.json and 入档/ (only when :attr:`ok`)."""
        if not self.ok:
            raise OutputError("登记表的确定等次不符合规定，未写出考核结果：请先改正各项错误")
        from qianfen_xl.reports.results import write_results

        return write_results(self.result, self.standards, Path(folder))


def finalize(register: StrPath, *, standards: Standards | StrPath | None = None,
             history: StrPath | None = None, publicity_start: date | None = None) -> Results:
    """Read a filled 年度考核情况登记表 and check its decisions as final: every 确定等次
    filled and within the rules (vocabulary, eligibility, each pool's 优秀 places), every
    申请复核 answered. ``history``: a folder of earlier years' results JSON (flags 连续优秀
    and repeated low grades). ``publicity_start``: the 公示's first day (default: the first
    working day of the next year)."""
    from qianfen_xl.batch.finalize import run_finalize

    rules = _standards(standards)
    if publicity_start is not None:
        rules.dates.check_day(publicity_start, "公示开始日期")
    return Results(run_finalize(Path(register), rules,
                                history=Path(history) if history is not None else None,
                                publicity_start=publicity_start), rules)


def consolidate(inbox: StrPath, period: str, *, roster: StrPath | Sequence[Person] = (),
                standards: Standards | StrPath | None = None, workers: int | None = None,
                progress: bool | None = None,
                on_found: Callable[[int], None] | None = None) -> Ranking:
    """Check, score and rank every register under ``inbox`` for ``period`` (a week such as
    ``2026-W47``, a month ``2026-11``, a quarter ``2026-Q3``, a half-year ``2026-H1`` or a
    year ``2026``). ``roster`` (a file or people) names the street's departments: one that
    sent nothing is 未报送. ``on_found`` hears how many files were found, before they are
    read."""
    rules = _standards(standards)
    folder = Path(inbox)
    if not folder.exists():
        raise OutputError(f"找不到文件夹 {folder}")
    if isinstance(roster, str | os.PathLike):
        from qianfen_xl.intake.roster import read_roster

        people = read_roster(Path(roster), rules)
    else:
        people = list(roster)
    rules.dates.period(period, "汇总期间")  # within the standards' years
    result = run_consolidation(folder, consolidation_period(period), rules, roster=people,
                               workers=workers, progress=progress, on_found=on_found)
    return Ranking(result, rules)
