"""Reading filled 民主测评票 and 考评录入表: the ballots (anonymous: a ballot is known by its
group and 票号 only) and the 考评 scores, each bad cell a finding naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from qianfen_xl.contract.dates import DEFAULT_WINDOW, DateWindow
from qianfen_xl.contract.findings import Finding, dedupe
from qianfen_xl.contract.normalise import is_blank, to_count, to_key, to_text
from qianfen_xl.contract.periods import Period, parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.cells import split_cell
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
    RATEE_DEPARTMENT,
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
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # defined name → cell

    def at(self, name: str) -> tuple[str, str]:
        """(sheet, cell) of a header field, by its defined name."""
        return self.cells.get(name, ("", ""))


@dataclass(frozen=True)
class Assessed:
    """One 考评录入表 row given: the 对象's 考评分 (None: blank, or the row refused), 调整
    and where."""

    key: str
    score: float | None
    adjustment: float
    sheet: str
    cell: str          # its 对象


def read_evaluation(path: Path, label: str | None = None,
                    window: DateWindow = DEFAULT_WINDOW) -> EvaluationFile:
    """A 民主测评票 or 考评录入表 read through the package scan; its 期间 must lie in
    ``window`` (the standards' years)."""
    ef = EvaluationFile(label or path.name)
    read = read_guarded(path, ef.label, lambda data: _read_sheet(ef, data, window))
    ef.sha256, ef.size = read.sha256, read.size
    if read.failure is not None:
        ef.findings.append(read.failure)
    return ef


def _read_sheet(ef: EvaluationFile, data: bytes, window: DateWindow) -> None:
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
    ef.cells = dict(package.names)
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
        ef.findings.append(Finding("period-invalid", label, *ef.at(NAME_PERIOD),
                                   f"“{raw_period[:40]}”"))
    if ef.period is not None and not window.holds_period(ef.period):
        ef.findings.append(Finding("period-invalid", label, *ef.at(NAME_PERIOD),
                                   f"“{raw_period}”：{window.outside}"))
        ef.period = None
    sheet, specs = EVALUATION_KINDS[ef.kind]
    ef.findings += book.shadowed((sheet,))
    ef.table, problems = find_table(book.rows(sheet), sheet, specs, label)
    ef.findings += problems + book.findings


def rater_groups(standards: Standards) -> set[str]:
    """Every rater group the standards weigh (``ballots.weights``)."""
    return {g for weights in standards.ballots["weights"].values() for g in weights}


def ballots_from(standards: Standards, ef: EvaluationFile,
                 level_of: Mapping[str, str] | None = None) -> list[Ballot]:
    """The ballot's marks; a mark that is neither a 0–100 score, a grade nor an abstention
    (弃权/不了解), or a score and a grade that disagree, is a finding on ``ef`` (and not
    counted). An abstention is returned with its word as the value. A ballot whose group
    the standards do not weigh counts for nothing, and says so (ballot-group-unknown).
    With ``level_of`` (对象 → 岗位层级, or 科室, from the roster and the registers), a
    对象 on neither (ratee-unknown) or one the group does not rate (ballot-ratee-not-rated)
    is a finding, not counted."""
    t = ef.table
    if t is None:
        return []
    if ef.group not in rater_groups(standards):
        ef.findings.append(Finding("ballot-group-unknown", ef.label, *ef.at(NAME_GROUP),
                                   f"“{ef.group}”" if ef.group else "测评组为空"))
        return []
    rater = f"{ef.group}#{ef.ballot_no or ef.label}"
    bad = _schema_findings(ballot_schema(standards), ef)
    weights = standards.ballots["weights"]
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
        where = (ef.label, t.sheet, t.cell("对象", row))
        if level_of is not None:
            level = level_of.get(ratee)
            if level is None:
                ef.findings.append(Finding("ratee-unknown", *where, f"“{ratee}”"))
                continue
            if ef.group not in weights.get(level, {}):
                ef.findings.append(Finding("ballot-ratee-not-rated", *where,
                                           f"“{ratee}”（{level}）不由{ef.group}测评"))
                continue
        if ratee in seen:  # one mark per ratee on a ballot: the first counts
            ef.findings.append(Finding("ballot-duplicate", *where, f"“{ratee}”"))
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


def _schema_findings(schema: pa.DataFrameSchema, ef: EvaluationFile,
                     frame: pd.DataFrame | None = None) -> set[int]:
    """Run a schema on the file's table (or ``frame``, its rows as the schema should see
    them); its failures become findings. Returns the bad rows (every row, when a whole
    column failed)."""
    table = ef.table
    assert table is not None
    failures = schema_failures(schema, table.frame if frame is None else frame)
    ef.findings[:] = dedupe(ef.findings + findings_from_failures(failures, table, ef.label))
    if any(f.row is None for f in failures):
        return set(table.rows)
    return {f.row for f in failures if f.row is not None}


def _roster_kinds(ef: EvaluationFile, level_of: Mapping[str, str]) -> pd.DataFrame:
    """The table with each 对象's 类别 as the roster has it (科室, or the person's
    岗位层级), so that 考评分's range is the roster's, never the file's own column; a 类别
    typed otherwise is a finding (assessment-category-mismatch)."""
    t = ef.table
    assert t is not None
    kinds = []
    for row in t.rows:
        typed = to_text(t.value("类别", row))
        known = level_of.get(to_key(t.value("对象", row)) or "")
        if known is not None and typed is not None and typed != known:
            ef.findings.append(Finding("assessment-category-mismatch", ef.label, t.sheet,
                                       t.cell("类别", row), f"“{typed}”，人员名单中为 {known}"))
        kinds.append(known if known is not None else typed)
    return t.frame.assign(类别=pd.Series(kinds, index=t.frame.index, dtype=object))


def _range_detail(standards: Standards, finding: Finding,
                  kind_at: Mapping[int, str | None]) -> Finding:
    """An assessment-invalid finding saying the range of the 对象's 类别 on the roster."""
    kind = kind_at.get(split_cell(finding.cell)[1])
    if finding.code != "assessment-invalid" or kind is None:
        return finding
    high = standards.full_marks if kind == RATEE_DEPARTMENT else 100.0
    return replace(finding, detail=f"按人员名单为{kind}，考评分应为 0 到 {high:g}")


def assessment_rows(standards: Standards, ef: EvaluationFile,
                    level_of: Mapping[str, str] | None = None) -> list[Assessed]:
    """The rows of a 考评录入表 with a 考评分 or an 调整 typed, one per 对象 (the first; a
    second is assessment-duplicate, naming the first); bad values are findings, not
    counted. With ``level_of`` (the roster's 对象 → 岗位层级 or 科室), 考评分's range is
    that of the 对象's 类别 on the roster, and a 对象 not on it is ratee-unknown."""
    t = ef.table
    if t is None:
        return []
    frame = _roster_kinds(ef, level_of) if level_of is not None else None
    bad = _schema_findings(assessment_schema(standards), ef, frame)
    kind_at = dict(zip(t.rows, frame["类别"], strict=True)) if frame is not None else {}
    ef.findings[:] = [_range_detail(standards, f, kind_at) for f in ef.findings]
    out: list[Assessed] = []
    first: dict[str, str] = {}
    for row in t.rows:
        key = to_key(t.value("对象", row))
        if not key or (is_blank(t.value("考评分", row)) and is_blank(t.value("调整", row))):
            continue  # a row of the template left blank gives no 考评
        cell = t.cell("对象", row)
        if level_of is not None and key not in level_of:
            ef.findings.append(Finding("ratee-unknown", ef.label, t.sheet, cell, f"“{key}”"))
            continue
        if key in first:
            ef.findings.append(Finding("assessment-duplicate", ef.label, t.sheet, cell,
                                       f"“{key}” 已在 {t.sheet}!{first[key]} 填写，只计第一个"))
            continue
        first[key] = cell
        if row in bad:  # refused: given, but nothing of it counts
            out.append(Assessed(key, None, 0.0, t.sheet, cell))
            continue
        out.append(Assessed(key, to_count(t.value("考评分", row))[0],
                            to_count(t.value("调整", row))[0] or 0.0, t.sheet, cell))
    return out
