"""Reading a 年度考核情况登记表 back and checking its decisions: what ``validate`` reports on
it and what ``finalize`` refuses (SCORING.md §7).

What the engine wrote (编号, 姓名, 科室, 人员类别, 总分, 建议等次, and the whole 考核数据 sheet,
whose digest is in _meta) must be unchanged; each decision must be one of the person's
choices, 优秀 only where allowed, each pool's 优秀 within its places, 本人意见 同意 or 申请复核.
``final`` adds: every 确定等次 filled, every 申请复核 answered. Every finding names the cell.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.contract.findings import Finding, dedupe, has_errors, in_clerk_order
from qianfen_xl.contract.normalise import ascii_form, clean_text, to_count, to_key, to_text
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.cells import cell_name
from qianfen_xl.intake.package import ZIP_MAGIC, open_package, read_guarded
from qianfen_xl.intake.reading import ScannedBook, SheetTable, find_table
from qianfen_xl.intake.validation import schema_failures
from qianfen_xl.schemas import decisions_schema
from qianfen_xl.schemas.annual import CHOICES, EXCELLENT_ALLOWED, KNOWN
from qianfen_xl.schemas.columns import (
    DECISION_COLUMNS,
    DECISIONS_HEADER_ROW,
    DECISIONS_QUOTA_COLUMN,
    KIND_ANNUAL,
    META_DATA_DIGEST,
    NAME_KIND,
    NAME_PERIOD,
    NAME_UNIT,
    NAME_VERSION,
    QUOTA_DECIDED_OFFSET,
    SHEET_DECISIONS,
    SHEET_META,
    SHEET_ORDER,
    SHEET_YEAR_DATA,
    TEMPLATE_VERSION,
    YEAR_DATA_KEYS,
    YEAR_DATA_NOTES,
    YEAR_FIGURES,
    YEAR_PARTICULARS,
    data_digest,
    is_month_header,
    year_data_headers,
)
from qianfen_xl.scoring.decisions import Decided, choices, over_quota

ENGINE_TEXTS = ("姓名", "科室", "人员类别", "建议等次")  # decisions columns the engine owns
Row = dict[str, object]


@dataclass
class AnnualRegisterFile:
    """A 年度考核情况登记表 as read: header fields, _meta, the two tables."""

    label: str
    sha256: str = ""
    size: int = 0
    kind: str = ""
    version: str = ""
    unit: str = ""
    period: str = ""
    period_cell: tuple[str, str] = ("", "")   # (sheet, cell) of the 年度 the file names
    meta: dict[str, str] = field(default_factory=dict)
    decisions: SheetTable | None = None
    data: SheetTable | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class PersonDecision:
    """One person: the engine's 考核数据 row and the decisions row (header → value), and
    the Excel row of the decision."""

    row: int
    data: Row
    decision: Row

    @property
    def grade(self) -> str:
        return str(self.decision.get("确定等次") or "")


@dataclass(frozen=True)
class CheckedRegister:
    file: AnnualRegisterFile
    people: tuple[PersonDecision, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def decided(self) -> int:
        return sum(1 for p in self.people if p.grade)


def read_annual_register(path: Path, label: str | None = None) -> AnnualRegisterFile:
    """Read the header, _meta and both tables; anything unreadable is a finding."""
    reg = AnnualRegisterFile(label or path.name)
    read = read_guarded(path, reg.label, lambda data: _read(reg, data))
    reg.sha256, reg.size = read.sha256, read.size
    if read.failure is not None:
        reg.findings.append(read.failure)
    return reg


def _read(reg: AnnualRegisterFile, data: bytes) -> None:
    if not data.startswith(ZIP_MAGIC):
        reg.findings.append(Finding("not-a-workbook", reg.label))
        return
    package = open_package(data, reg.label, read=(SHEET_META, SHEET_DECISIONS, SHEET_YEAR_DATA))
    if isinstance(package, Finding):
        reg.findings.append(package)
        return
    package.archive.close()
    book = ScannedBook(package)
    sheet = book.rows

    def named(name: str) -> str:
        return clean_text(to_text(book.named(name)) or "")

    reg.kind, reg.version = named(NAME_KIND), named(NAME_VERSION)
    reg.unit, reg.period = named(NAME_UNIT), named(NAME_PERIOD)
    reg.period_cell = package.names.get(NAME_PERIOD, ("", ""))
    if reg.kind != KIND_ANNUAL:
        reg.findings.append(Finding("template-unknown", reg.label, detail=f"“{reg.kind}”"))
        return
    # A hidden 考核决定 beside a visible "考核决定 ": which one was decided is unknown.
    reg.findings += book.shadowed((SHEET_DECISIONS, SHEET_YEAR_DATA))
    if SHEET_META in book.sheet_names:
        reg.meta = {str(r[0]): to_text(r[1]) or "" for r in sheet(SHEET_META)
                    if len(r) >= 2 and isinstance(r[0], str) and r[0]}
    # 考核决定 has the 优秀 count per pool beside its table: only the table's columns are
    # read; 考核数据 is read whole (figures, months, particulars for the archive pages).
    for name, specs, attr in ((SHEET_DECISIONS, DECISION_COLUMNS, "decisions"),
                              (SHEET_YEAR_DATA, list(YEAR_DATA_KEYS), "data")):
        if name not in book.sheet_names:
            reg.findings.append(Finding("sheet-missing", reg.label, name, "",
                                        f"没有工作表 “{name}”"))
            continue
        table, problems = find_table(sheet(name), name, specs, reg.label,
                                     keep_all=attr == "data")
        reg.findings += problems
        setattr(reg, attr, table)
    reg.findings += book.findings


# ------------------------------------------------------------------------ checking

# The reader keys a column it was not asked for by its ASCII form (测评(百分)): back to
# the name the register writes.
_HEADERS = {ascii_form(h): h for h in (*YEAR_DATA_KEYS, *YEAR_FIGURES, *YEAR_PARTICULARS,
                                       *YEAR_DATA_NOTES)}


def _row(table: SheetTable, row: int) -> Row:
    """A row by header, its text cleaned of what no workbook can hold (Word's line break
    in a 鉴定意见, say), before any writer sees it."""
    out: Row = {}
    for header in table.columns:
        value = table.value(header, row)
        out[_HEADERS.get(header, header)] = clean_text(value) if isinstance(value, str) else value
    return out


def _data_digest(table: SheetTable) -> str:
    """The digest of 考核数据 as read: the columns the register writes (its months as the
    file has them), every row."""
    months = [h for h in (_HEADERS.get(c, c) for c in table.columns) if is_month_header(h)]
    return data_digest(year_data_headers(months), (_row(table, r) for r in table.rows))


def _period_findings(reg: AnnualRegisterFile, standards: Standards,
                     final: bool) -> list[Finding]:
    """The 年度 the file names is what its results are named by: a year or half-year
    within the standards' window, or the register is refused (never a path from a cell).
    Blank only in a register not yet final (the blank template)."""
    if not reg.period and not final:
        return []
    try:
        period = standards.dates.period(reg.period, "年度")
        if period.kind in ("year", "half"):
            return []
        why = "应为年度（如 2026）或半年（如 2026-H1）"
    except PeriodError:
        why = f"应为 {standards.dates.words}之间的年度，如 2026"
    return [Finding("period-invalid", reg.label, *reg.period_cell,
                    f"“{reg.period[:40]}”：{why}")]


def _header_findings(reg: AnnualRegisterFile, standards: Standards) -> list[Finding]:
    out = []
    if reg.version and reg.version.split(".")[0] != TEMPLATE_VERSION.split(".")[0]:
        out.append(Finding("template-version", reg.label, SHEET_META, "B2",
                           f"表内 {reg.version}，当前 {TEMPLATE_VERSION}"))
    digest = reg.meta.get("评分标准哈希", "")
    if digest and digest != standards.short_digest:
        out.append(Finding("standards-differ", reg.label, SHEET_META, "",
                           f"表内 {digest}，当前 {standards.short_digest}"))
    return out


def _integrity(reg: AnnualRegisterFile, data: dict[str, tuple[int, Row]],
               decisions: SheetTable) -> tuple[list[PersonDecision], list[Finding]]:
    """Each decisions row against the engine's row of the same 编号."""
    findings: list[Finding] = []
    people: list[PersonDecision] = []
    seen: Counter[str] = Counter()
    for row in decisions.rows:
        decision = _row(decisions, row)
        pid = to_key(decision.get("编号")) or ""
        seen[pid] += 1
        where = (reg.label, SHEET_DECISIONS)
        if pid not in data:
            findings.append(Finding("register-id-changed", *where, decisions.cell("编号", row),
                                    f"“{pid}”" if pid else "编号为空"))
            continue
        if seen[pid] > 1:
            findings.append(Finding("register-row-duplicate", *where,
                                    decisions.cell("编号", row), f"“{pid}”"))
            continue
        _, engine = data[pid]
        total, expected = to_count(decision.get("总分"))[0], to_count(engine.get("总分"))[0]
        if total is None or expected is None or abs(total - expected) >= 0.005:
            findings.append(Finding("register-total-changed", *where,
                                    decisions.cell("总分", row),
                                    f"表内 {decision.get('总分')}，系统计算为 {engine.get('总分')}"))
        for header in ENGINE_TEXTS:
            typed, wanted = to_text(decision.get(header)) or "", to_text(engine.get(header)) or ""
            if typed != wanted and header in decisions.letters:
                findings.append(Finding("register-value-changed", *where,
                                        decisions.cell(header, row),
                                        f"{header} 为 “{typed}”，应为 “{wanted}”"))
        people.append(PersonDecision(row, engine, decision))
    for pid, (row, _) in data.items():
        if pid not in seen:
            assert reg.data is not None
            findings.append(Finding("register-row-missing", reg.label, SHEET_YEAR_DATA,
                                    reg.data.cell("编号", row), f"“{pid}”"))
    return people, findings


def _frame(standards: Standards, people: list[PersonDecision]) -> pd.DataFrame:
    """The decisions as the schema checks them, with each person's choices beside."""
    rows = [p.row for p in people]
    frame = pd.DataFrame({h: [to_text(p.decision.get(h)) for p in people]
                          for h in ("确定等次", "本人意见", "复核结果")},
                         index=pd.Index(rows, dtype="int64"), dtype=object)
    frame[CHOICES] = [_choices(standards, p) for p in people]
    frame[EXCELLENT_ALLOWED] = [to_text(p.data.get("可评优秀")) != "否" for p in people]
    frame[KNOWN] = True
    return frame


def _who(p: PersonDecision) -> str:
    return f"{p.data.get('编号')} {p.data.get('姓名')}"


def _decision_findings(reg: AnnualRegisterFile, standards: Standards,
                       people: list[PersonDecision], table: SheetTable,
                       final: bool) -> list[Finding]:
    by_row = {p.row: p for p in people}
    frame = _frame(standards, people)
    column = {"decision-grade-invalid": "确定等次", "decision-excellent-ineligible": "确定等次",
              "decision-missing": "确定等次", "decision-review-pending": "复核结果",
              "decision-opinion-invalid": "本人意见"}
    out = []
    blank: set[int] = set()  # rows without a 确定等次: one finding says how many and where
    failures = schema_failures(decisions_schema(standards, final), frame)
    for failure in failures:
        if failure.row is None:
            continue
        if failure.rule == "decision-missing":
            blank.add(failure.row)
            continue
        p, header = by_row[failure.row], column.get(failure.rule, "确定等次")
        out.append(Finding(failure.rule, reg.label, SHEET_DECISIONS,
                           table.cell(header, failure.row), _detail(standards, failure.rule, p)))
    if blank:
        out.append(_blank_decisions(reg.label, table, [by_row[r] for r in sorted(blank)]))
    decided = [Decided(p.row, to_text(p.data.get("考核池")) or "",
                       to_count(p.data.get("总分"))[0] or 0.0, p.grade) for p in people]
    # A decision refused on its own (优秀 not allowed) is no 优秀 to count: the quota
    # counts the 优秀 that may stand, and names each of them, not one singled out.
    refused = {f.row for f in failures if f.row is not None
               and f.rule in ("decision-excellent-ineligible", "decision-grade-invalid")}
    pools = list(standards.grading.pools)
    excellent = standards.grading.excellent
    for excess in over_quota(standards, decided, refused):
        cell = (cell_name(DECISIONS_HEADER_ROW + 1 + pools.index(excess.pool),
                          DECISIONS_QUOTA_COLUMN + QUOTA_DECIDED_OFFSET)
                if excess.pool in pools else "")
        who = "、".join(f"{_who(by_row[row])}（{table.cell('确定等次', row)}）"
                       for row in excess.rows)
        out.append(Finding("decision-quota-exceeded", reg.label, SHEET_DECISIONS, cell,
                           f"考核池 {excess.pool} 名额 {excess.places} 人，已定{excellent} "
                           f"{excess.decided} 人：{who}"))
    return out


BLANK_CELLS_SHOWN = 5


def _blank_decisions(label: str, table: SheetTable, people: list[PersonDecision]) -> Finding:
    """decision-missing once for all the blank 确定等次: at the first, naming how many and
    the first few cells (who, when only one)."""
    cells = [table.cell("确定等次", p.row) for p in people]
    if len(people) == 1:
        detail = _who(people[0])
    else:
        more = " 等" if len(cells) > BLANK_CELLS_SHOWN else ""
        detail = f"共 {len(people)} 人（{'、'.join(cells[:BLANK_CELLS_SHOWN])}{more}）"
    return Finding("decision-missing", label, SHEET_DECISIONS, cells[0], detail)


def _choices(standards: Standards, p: PersonDecision) -> tuple[str, ...]:
    return choices(standards, to_text(p.data.get("人员类别")) or "",
                   to_text(p.data.get("限定等次")) or "")


def _detail(standards: Standards, rule: str, p: PersonDecision) -> str:
    if rule == "decision-grade-invalid":
        options = "、".join(_choices(standards, p))
        return f"{_who(p)}：“{p.grade}”，可选 {options}"
    if rule == "decision-excellent-ineligible":
        return f"{_who(p)}：{to_text(p.data.get('说明')) or ''}"
    if rule == "decision-opinion-invalid":
        return f"“{to_text(p.decision.get('本人意见'))}”"
    return _who(p)


def check_annual_register(reg: AnnualRegisterFile, standards: Standards, *,
                          final: bool = False) -> CheckedRegister:
    """Check a register as read; ``final`` for ``finalize`` (no blank, no open 复核)."""
    findings = list(reg.findings)
    if reg.kind != KIND_ANNUAL or reg.decisions is None or reg.data is None or has_errors(
            findings):
        return CheckedRegister(reg, (), tuple(findings))
    findings += _header_findings(reg, standards) + _period_findings(reg, standards, final)
    data: dict[str, tuple[int, Row]] = {}
    for row in reg.data.rows:
        pid = to_key(reg.data.value("编号", row))
        if pid and pid not in data:
            data[pid] = (row, _row(reg.data, row))
    if _data_digest(reg.data) != reg.meta.get(META_DATA_DIGEST):
        findings.append(Finding("register-data-changed", reg.label, SHEET_YEAR_DATA, "",
                                "与生成时的校验码不符"))
    people, problems = _integrity(reg, data, reg.decisions)
    findings += problems
    findings += _decision_findings(reg, standards, people, reg.decisions, final)
    return CheckedRegister(reg, tuple(people), tuple(in_clerk_order(dedupe(findings),
                                                                    SHEET_ORDER)))
