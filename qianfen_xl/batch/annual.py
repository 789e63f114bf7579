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
from qianfen_xl.scoring.year import AnnualResult, assemble_year


@dataclass(frozen=True)
class AnnualRun:
    result: AnnualResult
    consolidation: Consolidation
    evaluations: tuple[EvaluationFile, ...]
    findings: tuple[Finding, ...]
    halves: tuple[str, ...]
    facts: Mapping[str, PersonFacts] = field(default_factory=dict)


def evaluation_periods(period: Period) -> tuple[str, ...]:
    """The evaluations a period combines: a half-year its own; a year H1 and year-end."""
    return (period.label,) if period.kind == "half" else (f"{period.label}-H1", period.label)


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
    evaluations = tuple(read_evaluation(p, label) for p, label in files if label in aside)
    halves = evaluation_periods(period)
    months = {m.period.label: m.departments for m in consolidation.requested}
    level_of = {m.id: m.level for rows in months.values() for r in rows for m in r.members}
    level_of |= {r.department: RATEE_DEPARTMENT for rows in months.values() for r in rows}
    lines = {r.department: r.line for rows in months.values() for r in rows}
    findings: list[Finding] = []
    marks: dict[str, list[Ballot]] = defaultdict(list)
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    adjustments: dict[str, float] = {}
    first_of: dict[tuple[str, str, str], str] = {}  # (period, group, 票号) → the first file
    for ef in evaluations:
        if ef.period is None or ef.period.label not in halves:
            if ef.period is not None:
                findings.append(Finding("period-outside", ef.label,
                                        detail=f"表内期间 {ef.period.label}"))
            continue
        if ef.kind == KIND_ASSESSMENT:
            values, changes = assessment_rows(standards, ef)
            scores[ef.period.label] |= values
            if ef.period.label == halves[-1]:  # the period's own decision stands for it
                adjustments |= changes
            continue
        key = (ef.period.label, ef.group, ef.ballot_no or ef.label)
        if key in first_of:  # the same ballot twice: counted once
            findings.append(Finding("ballot-duplicate", ef.label,
                                    detail=f"与 {first_of[key]} 是同一测评组、同一票号"))
            continue
        first_of[key] = ef.label
        marks[ef.period.label] += ballots_from(standards, ef)
    by_period = {half: evaluate(standards, ballots, level_of) for half, ballots in marks.items()}
    result = assemble_year(standards, months, halves, by_period, scores, lines, adjustments,
                           facts)
    findings = [f for ef in evaluations for f in ef.findings] + findings
    if standards.completeness != "warn":
        findings += [Finding("period-incomplete", f"{d.department}（{period.label}）",
                             detail=f"缺少月度得分 {'、'.join(d.missing)}")
                     for d in result.departments if d.missing]
    return AnnualRun(result, consolidation, evaluations, tuple(consolidation.findings)
                     + tuple(findings), halves, facts or {})
