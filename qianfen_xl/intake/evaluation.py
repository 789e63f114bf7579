"""Reading filled 民主测评票 and 考评录入表: the ballots (anonymous: a ballot is known by its
group and 票号 only) and the 考评 scores, each bad cell a finding naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandera.pandas as pa

from qianfen_xl.contract.findings import Finding, dedupe
from qianfen_xl.contract.normalise import to_count, to_key, to_text
from qianfen_xl.contract.periods import Period, parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.package import (
    ZIP_MAGIC,
    open_package,
    read_guarded,
)
from qianfen_xl.intake.reading import ScannedBook, SheetTable, find_table
from qianfen_xl.intake.validation import findings_from_failures, schema_failures
from qianfen_xl.schemas import assessment_schema, ballot_schema
from qianfen_xl.schemas.columns import (
    ASSESSMENT_COLUMNS,
    BALLOT_COLUMNS,
    KIND_ASSESSMENT,
    KIND_BALLOT,
    NAME_BALLOT_NO,
    NAME_GROUP,
    NAME_KIND,
    NAME_PERIOD,
    SHEET_ASSESSMENT,
    SHEET_BALLOT,
)
from qianfen_xl.scoring.evaluation import Ballot, ballot_points

EVALUATION_KINDS = {KIND_BALLOT: (SHEET_BALLOT, BALLOT_COLUMNS),
                    KIND_ASSESSMENT: (SHEET_ASSESSMENT, ASSESSMENT_COLUMNS)}


@dataclass
class EvaluationFile:
    label: str
    sha256: str = ""
    size: int = 0
    kind: str = ""
    group: str = ""
    ballot_no: str = ""
    period: Period | None = None
    table: SheetTable | None = None
    findings: list[Finding] = field(default_factory=list)


def read_evaluation(path: Path, label: str | None = None) -> EvaluationFile:
    ef = EvaluationFile(label or path.name)
    read = read_guarded(path, ef.label, lambda data: _read_sheet(ef, data))
    ef.sha256, ef.size = read.sha256, read.size
    if read.failure is not None:
        ef.findings.append(read.failure)
    return ef


def _read_sheet(ef: EvaluationFile, data: bytes) -> None:
    """The header fields and the table of a ballot or 考评 file's bytes, into ``ef``."""
    label = ef.label
    if not data.startswith(ZIP_MAGIC):
        ef.findings.append(Finding("not-a-workbook", label))
        return
    package = open_package(data, label, read=(SHEET_BALLOT, SHEET_ASSESSMENT))
    if isinstance(package, Finding):
        ef.findings.append(package)
        return
    package.archive.close()
    book = ScannedBook(package)
    value = book.named
    ef.kind = to_text(value(NAME_KIND)) or ""
    if ef.kind not in EVALUATION_KINDS:
        ef.findings.append(Finding("template-unknown", label, detail=f"“{ef.kind}”"))
        return
    ef.group = to_text(value(NAME_GROUP)) or ""
    ef.ballot_no = to_key(value(NAME_BALLOT_NO)) or ""
    raw_period = to_text(value(NAME_PERIOD)) or ""
    try:
        ef.period = parse_period(raw_period)
    except ValueError:
        sheet, cell = package.names.get(NAME_PERIOD, ("", ""))
        ef.findings.append(Finding("period-invalid", label, sheet, cell, f"“{raw_period}”"))
    sheet, specs = EVALUATION_KINDS[ef.kind]
    ef.table, problems = find_table(book.rows(sheet), sheet, specs, label)
    ef.findings += problems


def ballots_from(standards: Standards, ef: EvaluationFile) -> list[Ballot]:
    """The ballot's marks; a mark that is neither a 0–100 score, a grade nor an abstention
    (弃权/不了解), or a score and a grade that disagree, is a finding on ``ef`` (and not
    counted). An abstention is returned with its word as the value."""
    t = ef.table
    if t is None:
        return []
    rater = f"{ef.group}#{ef.ballot_no or ef.label}"
    bad = _schema_findings(ballot_schema(standards), ef)
    out = []
    seen: set[str] = set()
    for row in t.rows:
        if row in bad:
            continue
        ratee = to_key(t.value("对象", row))
        score, grade = to_count(t.value("分数", row))[0], to_text(t.value("等次", row))
        value = score if score is not None else grade
        if not ratee or value is None:
            continue
        if ratee in seen:  # one mark per ratee on a ballot: the first counts
            ef.findings.append(Finding("ballot-duplicate", ef.label, t.sheet,
                                       t.cell("对象", row), f"“{ratee}”"))
            continue
        seen.add(ratee)
        mark = ballot_points(standards, value)
        if score is not None and grade is not None and ballot_points(standards, grade) != mark:
            ef.findings.append(Finding("ballot-conflict", ef.label, t.sheet,
                                       t.cell("等次", row), f"{score} 与 {grade}"))
            continue
        # An abstention (弃权/不了解) is kept as its word: not counted, but counted as cast.
        out.append(Ballot(ef.group, rater, ratee, mark if mark is not None else str(value)))
    return out


def _schema_findings(schema: pa.DataFrameSchema, ef: EvaluationFile) -> set[int]:
    """Run a schema on the file's table; its failures become findings. Returns the bad rows
    (every row, when a whole column failed)."""
    table = ef.table
    assert table is not None
    failures = schema_failures(schema, table.frame)
    ef.findings[:] = dedupe(ef.findings + findings_from_failures(failures, table, ef.label))
    if any(f.row is None for f in failures):
        return set(table.rows)
    return {f.row for f in failures if f.row is not None}


def assessment_rows(standards: Standards, ef: EvaluationFile) -> tuple[
        dict[str, float], dict[str, float]]:
    """(对象 → 考评分, 对象 → 调整) of a 考评录入表; bad values are findings, not counted."""
    t = ef.table
    scores: dict[str, float] = {}
    adjustments: dict[str, float] = {}
    if t is None:
        return scores, adjustments
    bad = _schema_findings(assessment_schema(standards), ef)
    for row in t.rows:
        key = to_key(t.value("对象", row))
        if not key or row in bad:
            continue
        score = to_count(t.value("考评分", row))[0]
        if score is not None:
            scores[key] = score
        adjustment = to_count(t.value("调整", row))[0]
        if adjustment:
            adjustments[key] = adjustment
    return scores, adjustments
