"""Validating a register read by ``reading``: header fields, roster and incident log.

The roster and incident-log checks run in plain Python (``schemas.checks``), the twins of
the declared pandera schemas (``schemas.register``, run lazily: every failure at once);
each failure becomes a finding naming the Excel cell. A register with no 错误 yields the
engine's inputs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from qianfen_xl.contract.findings import RULES, Finding, dedupe, has_errors
from qianfen_xl.contract.normalise import (
    Columns,
    incident_columns,
    normalise_incidents,
    normalise_roster,
    roster_columns,
    to_count,
    to_text,
)
from qianfen_xl.contract.periods import Period, parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.reading import RegisterFile, SheetTable, score_rows
from qianfen_xl.schemas.checks import incident_failures, roster_failures
from qianfen_xl.schemas.columns import (
    FILE,
    INCIDENT_COLUMNS,
    KIND_ANNUAL,
    KIND_ASSESSMENT,
    KIND_BALLOT,
    KNOWN,
    LEADERSHIP,
    NAME_DEPARTMENT,
    NAME_DEPT_TOTAL,
    NAME_KIND,
    NAME_MEMBER_MEAN,
    NAME_PERIOD,
    NAME_PROBLEM_COUNT,
    NAME_UNIT,
    NAME_VERSION,
    PERIOD_END,
    PERIOD_START,
    REGISTER_KINDS,
    ROSTER_COLUMNS,
    ROSTER_ID,
    ROSTER_NAME,
    TEMPLATE_VERSION,
)
from qianfen_xl.scoring.engine import DepartmentScore, Incident, Person, item_points

if TYPE_CHECKING:  # pandera runs the declared schemas only when asked: imported then
    import pandas as pd
    import pandera.pandas as pa

ROSTER_HEADERS = tuple(c.header for c in ROSTER_COLUMNS)
INCIDENT_HEADERS = tuple(c.header for c in INCIDENT_COLUMNS)
# The column a frame-wide check points at.
BLAME = {"roster-id-duplicate": "编号", "date-outside-period": "日期", "date-as-text": "日期",
         "person-id-inexact": "编号",
         "assessment-invalid": "考评分",
    "date-missing": "日期", "item-missing": "项目", "count-missing": "次数",
    "reason-missing": "事由", "person-required": "编号", "person-not-allowed": "编号",
    "item-leadership-only": "项目", "person-unknown": "编号", "person-name-mismatch": "姓名",
    "incident-duplicate": "事由", "roster-sanction-date-missing": "处分",
    "roster-id-missing": "编号", "roster-name-missing": "姓名",
}
SHOW_VALUE = {"item-code-unknown", "person-unknown", "count-not-whole", "date-outside-period",
              "text-in-number", "date-invalid", "date-as-text", "person-id-inexact",
              "roster-id-too-long",
              "roster-level-unknown", "roster-category-unknown", "roster-line-unknown",
              "roster-id-duplicate", "person-name-mismatch", "item-leadership-only",
              "roster-date-invalid", "roster-days-invalid", "roster-flag-invalid",
              "roster-sanction-unknown"}


@dataclass
class CheckedRegister:
    """A register after validation: its findings, and the engine's inputs when it has no 错误."""

    file: RegisterFile
    kind: str = ""
    unit: str = ""
    department: str = ""
    period: Period | None = None
    roster: list[Person] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


class Failure(NamedTuple):
    """One failure pandera reported, as a finding's parts: a registered rule, the row of the
    checked frame (None when the whole column or table failed), the column, and the value."""

    rule: str
    row: int | None
    column: str | None
    case: str = ""


def rule_for(check: str, column: str | None) -> str:
    """The registered rule for what pandera reports: our checks are named by their rule;
    pandera's own (a missing column, a type it could not read, any other built-in check, a
    check that failed to run) map onto the catalogue, never onto a code of their own.

    >>> rule_for("item-code-unknown", "项目"), rule_for("column_in_dataframe", "次数")
    ('item-code-unknown', 'column-missing')
    >>> rule_for("dtype('float64')", "次数"), rule_for("dtype('datetime64[ns]')", "日期")
    ('text-in-number', 'date-invalid')
    >>> rule_for("dtype('object')", "事由"), rule_for("not_nullable", "姓名")
    ('value-invalid', 'value-invalid')
    """
    if check in RULES:
        return check
    if check in ("column_in_dataframe", "column_in_schema"):
        return "column-missing"
    if check.startswith(("dtype(", "coerce_dtype(")):  # the dtype the column should have
        if "datetime" in check:
            return "date-invalid"
        if "float" in check or "int" in check:
            return "text-in-number"
    return "value-invalid"


def schema_failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> list[Failure]:
    """Every failure of ``frame`` against ``schema`` (pandera run lazily: all at once)."""
    import pandas as pd
    import pandera.errors as pa_errors

    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        out = []
        for check, row, column, case in zip(cases["check"], cases["index"], cases["column"],
                                            cases["failure_case"], strict=True):
            col = column if isinstance(column, str) and column in frame.columns else None
            at = None if pd.isna(row) else int(row)
            rule = rule_for(str(check), col)
            text = "" if at is not None else str(case)
            if rule == "column-missing":
                text = f"表头中没有 “{case}”"
            out.append(Failure(rule, at, col, text))
        return out
    return []


def findings_from_failures(failures: Iterable[Failure], table: SheetTable,
                           label: str) -> list[Finding]:
    """The findings of ``failures`` against ``table`` (rows are Excel rows): each names the
    cell, or for a failure of a whole column its header cell."""
    out: list[Finding] = []
    for f in sorted(set(failures), key=lambda f: (f.row or 0, f.rule, f.column or "")):
        header = BLAME.get(f.rule) or f.column or ""
        if f.row is None:
            cell = table.cell(header, table.header_row) if header in table.letters else ""
            out.append(Finding(f.rule, label, table.sheet, cell, f.case))
            continue
        if header not in table.letters:
            continue  # a missing column is reported once, as column-missing
        value = table.value(header, f.row)
        detail = f"“{value}”" if f.rule in SHOW_VALUE and value is not None else ""
        out.append(Finding(f.rule, label, table.sheet, table.cell(header, f.row), detail))
    return out


def check_header(reg: RegisterFile, standards: Standards,
                 read_findings: list[Finding] | None = None) -> CheckedRegister:
    """The header fields (kind, version, standards, department, period); ``kind`` stays
    blank when the file is not one of our registers."""
    checked = CheckedRegister(reg, findings=list(read_findings or []))
    _check_header(reg, checked, standards)
    return checked


def _check_header(reg: RegisterFile, checked: CheckedRegister, standards: Standards) -> None:
    label = reg.label
    kind = to_text(reg.header.get(NAME_KIND)) or reg.meta.get("模板类型", "")
    if kind in (KIND_BALLOT, KIND_ASSESSMENT, KIND_ANNUAL):  # ours, but not a month's
        checked.findings = [f for f in checked.findings  # it has no 登记 or 人员, rightly
                            if f.code not in ("sheet-missing", "column-missing")]
        if kind == KIND_ANNUAL:  # checked on its own (intake.annual_register)
            checked.kind = kind
            checked.findings.append(Finding("annual-register-file", label))
        else:
            checked.findings.append(Finding("evaluation-file", label, detail=kind))
        return
    if kind not in REGISTER_KINDS:
        checked.findings.append(Finding("template-unknown", label, detail=f"模板类型为 “{kind}”"
                                        if kind else "没有模板类型（qf_kind）"))
        return
    checked.kind = kind
    version = to_text(reg.header.get(NAME_VERSION)) or reg.meta.get("模板版本", "")
    if version and version.split(".")[0] != TEMPLATE_VERSION.split(".")[0]:
        sheet, cell = reg.header_cells.get(NAME_VERSION, ("", ""))
        checked.findings.append(Finding("template-version", label, sheet, cell,
                                        f"表内 {version}，当前 {TEMPLATE_VERSION}"))
    digest = reg.meta.get("评分标准哈希", "")
    if digest and digest != standards.short_digest:
        checked.findings.append(Finding("standards-differ", label, "_meta", "",
                                        f"表内 {digest}，当前 {standards.short_digest}"))
    checked.unit = to_text(reg.header.get(NAME_UNIT)) or ""
    checked.department = to_text(reg.header.get(NAME_DEPARTMENT)) or ""
    for name, value in ((NAME_DEPARTMENT, checked.department),
                        (NAME_PERIOD, to_text(reg.header.get(NAME_PERIOD)))):
        if not value:
            sheet, cell = reg.header_cells.get(name, ("", ""))
            checked.findings.append(Finding("header-missing", label, sheet, cell,
                                            "科室" if name == NAME_DEPARTMENT else "期间"))
    raw_period = to_text(reg.header.get(NAME_PERIOD))
    if raw_period:
        sheet, cell = reg.header_cells.get(NAME_PERIOD, ("", ""))
        try:
            period = parse_period(raw_period)
        except ValueError:
            checked.findings.append(Finding("period-invalid", label, sheet, cell,
                                            f"“{raw_period}”"))
            return
        if period.kind != REGISTER_KINDS[kind]:
            checked.findings.append(Finding("period-kind-mismatch", label, sheet, cell,
                                            f"“{raw_period}”"))
            return
        if not standards.dates.holds_period(period):  # a year 9999, say
            checked.findings.append(Finding("period-invalid", label, sheet, cell,
                                            f"“{raw_period}”：{standards.dates.outside}"))
            return
        checked.period = period


def finish_register(checked: CheckedRegister, people: list[Person], incidents: list[Incident],
                    findings: list[Finding]) -> CheckedRegister:
    checked.roster, checked.incidents = people, incidents
    shown, roster = score_rows(checked.file), checked.file.roster
    if len(people) > shown and roster is not None:
        findings = [*findings, Finding(
            "roster-too-large", checked.file.label, roster.sheet,
            roster.cell("编号", roster.rows[shown]) if len(roster.rows) > shown else "",
            f"{len(people)} 人，得分表只有 {shown} 行")]
    checked.findings = dedupe(checked.findings + findings)
    if not checked.ok:
        checked.incidents = []
    return checked


@dataclass
class Tables:
    """One register's roster and incident log, with what they are checked against."""

    label: str
    roster: SheetTable | None
    incidents: SheetTable | None
    department: str = ""
    period: Period | None = None


def check_tables(standards: Standards, label: str, roster_table: SheetTable | None,
                 incident_table: SheetTable | None, *, department: str = "",
                 period: Period | None = None) -> tuple[list[Person], list[Incident],
                                                        list[Finding]]:
    """The roster and the incident log of one register: (people, incidents, findings).

    Also used on ranges passed to the UDFs, where there is no file (``label`` names the
    sheet the clerk is looking at) and no period to check dates against."""
    return check_many(standards, [Tables(label, roster_table, incident_table, department,
                                         period)])[0]


def _pooled(tables: list[tuple[int, SheetTable]], headers: Sequence[str]) -> Columns:
    """Many registers' tables as one, column by column, with ``_file`` (position in the
    batch) and ``_row`` (the Excel row); rows are positions."""
    data: Columns = {h: [] for h in headers}
    files: list[int] = []
    rows: list[int] = []
    for i, table in tables:
        n = len(table.rows)
        for h in headers:
            data[h].extend(table.columns.get(h) or [None] * n)
        files.extend([i] * n)
        rows.extend(table.rows)
    data[FILE] = files
    data["_row"] = rows
    return data


def _frame(columns: Columns) -> pd.DataFrame:
    """Pooled columns as the frame the pandera schemas check (plain positional index)."""
    import pandas as pd

    return pd.DataFrame({h: pd.Series(v, dtype=object if not h.startswith("_") else None)
                         for h, v in columns.items()})


def _failures_by_file(failures: Iterable[Failure], pooled: Columns) -> dict[int, list[Failure]]:
    """Pooled failures (rows are positions in the pooled rows) by file, with Excel rows."""
    files, rows = pooled[FILE], pooled["_row"]
    out: dict[int, list[Failure]] = defaultdict(list)
    for f in failures:
        assert f.row is not None  # check_many checks a table-wide failure file by file
        out[int(files[f.row])].append(f._replace(row=int(rows[f.row])))
    return out


class _TableWide(Exception):
    """A failure of a whole column or table in a pooled run: which file caused it is not
    known, so each file is checked on its own."""


Checked = tuple[list[Person], list[Incident], list[Finding]]


def check_many(standards: Standards, batch: Sequence[Tables], *,
               declared: bool = False) -> list[Checked]:
    """Check many registers at once: each check runs once over the pooled rows of the
    whole batch. Returns, per register, its people, its incidents and its findings.

    The checks run in plain Python (``schemas.checks``); ``declared`` runs the declared
    pandera schemas (``schemas.register``) instead, on frames: the same findings (the tests
    compare), at several times the cost (pandera's fixed cost per call dwarfs the work on
    a chunk of small registers)."""
    try:
        findings: list[list[Finding]] = [[] for _ in batch]
        people, names = _check_rosters(standards, batch, findings, declared)
        incidents = _check_logs(standards, batch, names, findings, declared)
    except _TableWide:
        return [check_many(standards, [t], declared=declared)[0] for t in batch]
    return [(people[i], incidents[i], dedupe(findings[i])) for i in range(len(batch))]


def _checked_rows(failures: list[Failure], pooled: Columns, batch: Sequence[Tables],
                  attr: str, findings: list[list[Finding]]) -> None:
    """Pooled failures → each file's findings; a table-wide failure names its one file."""
    if any(f.row is None for f in failures):
        if len(batch) > 1:
            raise _TableWide
        table = getattr(batch[0], attr)
        findings[0] += findings_from_failures([f for f in failures if f.row is None], table,
                                              batch[0].label)
        failures = [f for f in failures if f.row is not None]
    for i, rows in _failures_by_file(failures, pooled).items():
        findings[i] += findings_from_failures(rows, getattr(batch[i], attr), batch[i].label)


Names = dict[tuple[int, str], tuple[str, str]]  # (register, 编号) → (姓名, 编号 as typed)


def _check_rosters(standards: Standards, batch: Sequence[Tables],
                   findings: list[list[Finding]],
                   declared: bool) -> tuple[list[list[Person]], Names]:
    """Every register's roster (人员): the people, and (register, 编号) → (姓名, the 编号
    as the roster's cell holds it)."""
    people: list[list[Person]] = [[] for _ in batch]
    names: Names = {}
    rosters = [(i, t.roster) for i, t in enumerate(batch) if t.roster is not None]
    if not rosters:
        return people, names
    pooled = _pooled(rosters, ROSTER_HEADERS)
    roster = roster_columns(pooled, len(pooled[FILE]))
    if declared:
        from qianfen_xl.schemas.register import roster_schema

        failures = schema_failures(roster_schema(standards),
                                   normalise_roster(_frame(pooled)))
    else:
        failures = [Failure(*f) for f in roster_failures(standards, roster)]
    _checked_rows(failures, roster, batch, "roster", findings)
    columns = [roster[h] for h in (FILE, "_row", "_id_text", *ROSTER_HEADERS)]
    for i, row, typed, pid, name, dept, line, category, level in zip(*columns, strict=True):
        t = batch[i]
        if not (pid and name):
            continue
        if t.department and dept and dept != t.department:
            assert t.roster is not None
            findings[i].append(Finding("roster-department-mismatch", t.label, t.roster.sheet,
                                       t.roster.cell("科室", int(row)), f"“{dept}”"))
        if (i, pid) not in names:
            names[(i, pid)] = (name, typed)
            people[i].append(Person(pid, name, dept or t.department, line or "",
                                    category or "", level or ""))
    return people, names


def _check_logs(standards: Standards, batch: Sequence[Tables], names: Names,
                findings: list[list[Finding]], declared: bool) -> list[list[Incident]]:
    """Every register's incident log (登记): the incidents, with their source cells."""
    incidents: list[list[Incident]] = [[] for _ in batch]
    logs = [(i, t.incidents) for i, t in enumerate(batch) if t.incidents is not None]
    if not logs:
        return incidents
    pooled = _pooled(logs, INCIDENT_HEADERS)
    log = incident_columns(pooled, len(pooled[FILE]))
    _add_context(log, batch, names, standards)
    if declared:
        from qianfen_xl.schemas.register import incident_schema

        failures = schema_failures(incident_schema(standards), _incident_frame(pooled, log))
    else:
        failures = [Failure(*f) for f in incident_failures(standards, log)]
    failures += _read_failures(log)
    _checked_rows(failures, log, batch, "incidents", findings)
    # One object per distinct value (dates, 编号, 项目, 事由, 登记人 repeat across a batch):
    # the results are pickled to the parent, which then holds each once per batch.
    seen: dict[object, object] = {}
    one = seen.setdefault
    columns = [[one(v, v) for v in log[h]] for h in ("日期", "编号", "项目", "事由", "登记人")]
    counts = [int(c) if c is not None else 0 for c in log["次数"]]
    for i, row, count, day, pid, code, reason, recorder in zip(
            log[FILE], log["_row"], counts, *columns, strict=True):
        sheet = batch[i].incidents
        assert sheet is not None
        incidents[i].append(Incident(day, pid, code, count, reason or "",
                                     source=f"{batch[i].label} › {sheet.sheet}!{row}",
                                     recorder=recorder or ""))
    return incidents


def _incident_frame(pooled: Columns, log: Columns) -> pd.DataFrame:
    """The pooled incident rows as the frame the declared schema checks: typed, with each
    row's context (``_start`` and ``_end`` as datetime64, NaT without a period)."""
    import pandas as pd

    frame = normalise_incidents(_frame(pooled))
    for name in (PERIOD_START, PERIOD_END):
        frame[name] = pd.to_datetime(pd.Series(log[name], index=frame.index, dtype=object)
                                     ).astype("datetime64[ns]")
    for name in (LEADERSHIP, KNOWN):
        frame[name] = pd.Series(log[name], index=frame.index, dtype=bool)
    for name in (ROSTER_NAME, ROSTER_ID):
        frame[name] = pd.Series(log[name], index=frame.index, dtype=object)
    return frame


def _read_failures(log: Columns) -> list[Failure]:
    """What the cells say before any schema: a date or a count that cannot be read, a date
    or number typed as text, and an incident entered twice in one register."""
    out = [Failure("date-invalid", k, "日期") for k, bad in enumerate(log["_date_bad"]) if bad]
    out += [Failure("text-in-number", k, "次数") for k, (bad, text) in
            enumerate(zip(log["_count_bad"], log["_count_text"], strict=True)) if bad or text]
    out += [Failure("date-as-text", k, "日期") for k, text in enumerate(log["_date_text"])
            if text]
    seen: set[tuple[object, ...]] = set()
    for k, key in enumerate(zip(log[FILE], log["日期"], log["编号"], log["项目"], log["事由"],
                                strict=True)):
        if key in seen and key[3] is not None:
            out.append(Failure("incident-duplicate", k, "事由"))
        seen.add(key)
    return out


def _add_context(log: Columns, batch: Sequence[Tables], names: Names,
                 standards: Standards) -> None:
    """Each incident row gets its register's context as columns (see schemas.register)."""
    files = log[FILE]
    periods = [batch[i].period for i in files]
    log[PERIOD_START] = [p.start if p else None for p in periods]
    log[PERIOD_END] = [p.end if p else None for p in periods]
    log[LEADERSHIP] = [batch[i].department == standards.leadership_unit for i in files]
    known = [names.get((i, pid)) for i, pid in zip(files, log["编号"], strict=True)]
    log[ROSTER_NAME] = [k[0] if k else None for k in known]
    log[ROSTER_ID] = [k[1] if k else None for k in known]
    log[KNOWN] = [k is not None for k in known]


def cached_score_findings(reg: RegisterFile, standards: Standards,
                          score: DepartmentScore,
                          incidents: list[Incident] | None = None) -> list[Finding]:
    """Cached values never count. A live cell (得分, 分值) that holds a constant instead of
    its formula, or whose saved value differs from the engine's recomputed one, is a 警告.

    The person rows of 得分 follow the roster's order (row i shows roster person i).
    """
    checks: list[tuple[str, str, object, float]] = []  # sheet, cell, cached value, engine value
    findings: list[Finding] = []
    table = reg.scores
    if table is not None and score.people:
        headers = [h for h in (*score.people[0].norms, "加分", "个人得分") if h in table.columns]
        visible = score.people[:score_rows(reg)]  # the rest are scored but not on the sheet
        columns = [(h, table.letters[h], table.columns[h]) for h in headers]
        for row, person in enumerate(visible, start=table.header_row + 1):
            k = table.position.get(row)
            expected = {**person.norms, "加分": person.additions, "个人得分": person.total}
            for h, letter, column in columns:
                checks.append((table.sheet, f"{letter}{row}",
                               column[k] if k is not None else None, expected[h]))
    # A register validate passes has no row its formulas cannot score: its cached
    # qf_problem_count must be 0 (the helper columns' values are not scores: not read).
    for name, value in ((NAME_MEMBER_MEAN, score.member_mean), (NAME_DEPT_TOTAL, score.total),
                        (NAME_PROBLEM_COUNT, 0.0)):
        if name in reg.header_cells:
            checks.append((*reg.header_cells[name], reg.header.get(name), value))
    log = reg.incidents
    if log is not None and "分值" in log.letters:
        for row, inc in zip(log.rows, incidents or [], strict=False):
            checks.append((log.sheet, log.cell("分值", row), log.value("分值", row),
                           item_points(standards, inc.code, inc.count)))
    cells = reg.formula_cells or {}
    formulas = {sheet: cells[sheet].among(cell for s, cell, _, _ in checks if s == sheet)
                for sheet in {s for s, _, _, _ in checks} if sheet in cells}
    for sheet, cell, raw, value in checks:
        # (calamine's float, the cached value of a number, is taken as it is)
        cached = raw if raw.__class__ is float and math.isfinite(raw) else to_count(raw)[0]
        if sheet in formulas and cell not in formulas[sheet]:
            shown = "空白" if cached is None else f"数值 {cached:g}"
            findings.append(Finding("formula-overwritten", reg.label, sheet, cell,
                                    f"表内为{shown}，重新计算为 {value:g}"))
        elif cached is not None and abs(cached - value) >= 0.005:
            findings.append(Finding("score-cache-mismatch", reg.label, sheet, cell,
                                    f"表内 {cached:g}，重新计算为 {value:g}"))
    return dedupe(findings)
