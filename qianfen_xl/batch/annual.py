"""``qianfen-xl annual``: the months of an inbox (as ``consolidate`` scores them), its
民主测评票 and 考评录入表, assembled into the half-year or year (annual.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qianfen_xl.batch.consolidation import Consolidation, consolidate
from qianfen_xl.batch.inbox import find_files, intake_all
from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.periods import Period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.evaluation import (
    EvaluationFile,
    assessment_rows,
    ballots_from,
    read_evaluation,
)
from qianfen_xl.schemas.columns import KIND_ASSESSMENT, RATEE_DEPARTMENT
from qianfen_xl.scoring.engine import Person
from qianfen_xl.scoring.evaluation import Ballot, evaluate
from qianfen_xl.scoring.facts import PersonFacts
from qianfen_xl.scoring.year import AnnualResult, MonthRow, assemble_year


@dataclass(frozen=True)
class AnnualRun:
    result: AnnualResult
    consolidation: Consolidation
    evaluations: tuple[EvaluationFile, ...]
    findings: tuple[Finding, ...]
    halves: tuple[str, ...]
    facts: Mapping[str, PersonFacts] = field(default_factory=dict)
    # What became of each evaluation file (数据来源's 状态): 已计入, or why not (wholly or
    # in part); by its label.
    statuses: Mapping[str, str] = field(default_factory=dict)


COUNTED, PARTLY, NOT_COUNTED = "已计入", "部分计入", "未计入"


def evaluation_periods(period: Period) -> tuple[str, ...]:
    """The evaluations a period combines: a half-year its own; a year H1 and year-end."""
    return (period.label,) if period.kind == "half" else (f"{period.label}-H1", period.label)


def ratee_levels(months: Mapping[str, Sequence[MonthRow]], roster: Sequence[Person],
                 leadership: str) -> dict[str, str]:
    """Who may be rated or assessed, and as what: each person (on the registers of the
    period or on the roster) by 岗位层级, each department as 科室 (the leadership unit is
    no 科室 to rate)."""
    levels = {p.id: p.level for p in roster}
    levels |= {m.id: m.level for rows in months.values() for r in rows for m in r.members}
    departments = {p.department for p in roster} | {r.department for rows in months.values()
                                                    for r in rows}
    return levels | {d: RATEE_DEPARTMENT for d in departments if d != leadership}


@dataclass
class _Gathered:
    """The marks and 考评 of the evaluation files, and who came first (duplicates)."""

    marks: dict[str, list[Ballot]] = field(default_factory=lambda: defaultdict(list))
    scores: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    adjustments: dict[str, float] = field(default_factory=dict)
    first_ballot: dict[tuple[str, str, str], str] = field(default_factory=dict)
    first_assessed: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    first_file: dict[str, str] = field(default_factory=dict)   # a 考评录入表's SHA-256 → label
    findings: list[Finding] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)


def _gather(standards: Standards, evaluations: Sequence[EvaluationFile],
            halves: Sequence[str], level_of: Mapping[str, str]) -> _Gathered:
    out = _Gathered()
    for ef in evaluations:
        out.statuses[ef.label] = _take(standards, ef, halves, level_of, out)
    return out


def _take(standards: Standards, ef: EvaluationFile, halves: Sequence[str],
          level_of: Mapping[str, str], out: _Gathered) -> str:
    """Count one evaluation file into ``out``; returns its status for 数据来源."""
    if ef.table is None or ef.period is None:
        return f"{NOT_COUNTED}（无法读取，见校验报告）"
    if ef.period.label not in halves:
        out.findings.append(Finding("period-outside", ef.label,
                                    detail=f"表内期间 {ef.period.label}"))
        return f"{NOT_COUNTED}（期间 {ef.period.label} 不在本次范围）"
    period = ef.period.label
    if ef.kind == KIND_ASSESSMENT:
        if ef.sha256 in out.first_file:  # the same file twice: counted once
            out.findings.append(Finding("file-duplicate", ef.label,
                                        detail=f"与 {out.first_file[ef.sha256]} 相同"))
            return f"{NOT_COUNTED}（与 {out.first_file[ef.sha256]} 相同）"
        out.first_file[ef.sha256] = ef.label
        for a in assessment_rows(standards, ef, level_of):
            label, where = out.first_assessed.setdefault((period, a.key),
                                                         (ef.label, f"{a.sheet}!{a.cell}"))
            if label != ef.label:  # in another 考评录入表 of the period
                ef.findings.append(Finding("assessment-duplicate", ef.label, a.sheet, a.cell,
                                           f"“{a.key}” 已在 {label} › {where} 填写，只计第一个"))
                continue
            if a.score is not None:
                out.scores[period][a.key] = a.score
            if a.adjustment and period == halves[-1]:  # the period's own decision stands
                out.adjustments[a.key] = a.adjustment
    else:
        key = (period, ef.group, ef.ballot_no or ef.label)
        if key in out.first_ballot:  # the same ballot twice: counted once
            out.findings.append(Finding("ballot-duplicate", ef.label, detail=(
                f"与 {out.first_ballot[key]} 是同一测评组、同一票号")))
            return f"{NOT_COUNTED}（与 {out.first_ballot[key]} 票号相同）"
        out.first_ballot[key] = ef.label
        marks = ballots_from(standards, ef, level_of)
        if any(f.code == "ballot-group-unknown" for f in ef.findings):
            return f"{NOT_COUNTED}（测评组 “{ef.group}” 不在评分标准中）"
        out.marks[period] += marks
    if any(f.is_error for f in ef.findings):
        return f"{PARTLY}（有错误的单元格未计入，见校验报告）"
    return COUNTED


def run_annual(inbox: Path, period: Period, standards: Standards, *,
               roster: Sequence[Person] = (), facts: Mapping[str, PersonFacts] | None = None,
               workers: int | None = None) -> AnnualRun:
    """The half-year or year of an inbox; ``facts`` (编号 → the roster's facts of the year)
    bear on the grades (SCORING.md §7)."""
    files, skipped = find_files(inbox)
    # Intake reads every file once and tells the evaluation files apart (evaluation-file).
    subs = intake_all(files, standards, workers)
    aside = {s.label for s in subs if any(f.code == "evaluation-file" for f in s.findings)}
    consolidation = consolidate(standards, [s for s in subs if s.label not in aside], period,
                                roster, skipped)
    evaluations = tuple(read_evaluation(p, label, standards.dates) for p, label in files
                        if label in aside)
    halves = evaluation_periods(period)
    months = {m.period.label: m.departments for m in consolidation.requested}
    level_of = ratee_levels(months, roster, standards.leadership_unit)
    lines = {r.department: r.line for rows in months.values() for r in rows}
    got = _gather(standards, evaluations, halves, level_of)
    by_period = {half: evaluate(standards, ballots, level_of)
                 for half, ballots in got.marks.items()}
    result = assemble_year(standards, months, halves, by_period, got.scores, lines,
                           got.adjustments, facts)
    findings = [f for ef in evaluations for f in ef.findings] + got.findings
    if standards.completeness != "warn":
        findings += [Finding("period-incomplete", f"{d.department}（{period.label}）",
                             detail=f"缺少月度得分 {'、'.join(d.missing)}")
                     for d in result.departments if d.missing]
    return AnnualRun(result, consolidation, evaluations, tuple(consolidation.findings)
                     + tuple(findings), halves, facts or {}, got.statuses)
