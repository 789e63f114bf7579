"""Validating a register read by ``reading``: header fields, roster and incident log.

pandera runs the schemas lazily (every failure at once); each failure becomes a finding
naming the Excel cell. A register with no 错误 yields the engine's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pandera.errors as pa_errors

from .engine import DepartmentScore, Incident, Person, item_points
from .findings import Finding, dedupe, has_errors
from .normalise import normalise_incidents, normalise_roster, to_count, to_text
from .periods import Period, parse_period
from .reading import RegisterFile, SheetTable
from .schemas import RegisterContext, incident_schema, roster_schema, summary_schema
from .schemas.columns import (
    NAME_DEPARTMENT,
    NAME_DEPT_TOTAL,
    NAME_KIND,
    NAME_MEMBER_MEAN,
    NAME_PERIOD,
    NAME_UNIT,
    NAME_VERSION,
    REGISTER_KINDS,
    TEMPLATE_VERSION,
)
from .standards import Standards

# The column a frame-wide check points at.
BLAME = {
    "date-missing": "日期", "item-missing": "项目", "count-missing": "次数",
    "reason-missing": "事由", "person-required": "编号", "person-not-allowed": "编号",
    "item-leadership-only": "项目", "person-unknown": "编号", "person-name-mismatch": "姓名",
    "incident-duplicate": "事由",
}
SHOW_VALUE = {"item-code-unknown", "person-unknown", "count-not-whole", "date-outside-period",
              "roster-level-unknown", "roster-category-unknown", "roster-line-unknown",
              "roster-id-duplicate", "person-name-mismatch", "item-leadership-only"}


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


def schema_failures(schema, frame: pd.DataFrame) -> list[tuple[str, int, str | None]]:  # noqa: ANN001
    """(rule, Excel row, column or None) for every failing cell."""
    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
        out = []
        for check, row, column in zip(cases["check"], cases["index"], cases["column"],
                                      strict=True):
            if pd.isna(row):
                continue
            col = column if isinstance(column, str) and column in frame.columns else None
            out.append((str(check), int(row), col))
        return out
    return []


def findings_from_failures(failures: list[tuple[str, int, str | None]], table: SheetTable,
                           label: str) -> list[Finding]:
    out: list[Finding] = []
    for rule, row, column in sorted(set(failures), key=lambda f: (f[1], f[0])):
        header = BLAME.get(rule) or column or ""
        if header not in table.letters:
            continue  # a missing column is reported once, as column-missing
        value = table.frame.at[row, header] if header in table.frame.columns else None
        detail = f"“{value}”" if rule in SHOW_VALUE and value is not None else ""
        out.append(Finding(rule, label, table.sheet, table.cell(header, row), detail))
    return out


def _check_header(reg: RegisterFile, checked: CheckedRegister, standards: Standards) -> None:
    label = reg.label
    kind = to_text(reg.header.get(NAME_KIND)) or reg.meta.get("模板类型", "")
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
        checked.period = period


def check_register(reg: RegisterFile, standards: Standards,
                   read_findings: list[Finding] | None = None) -> CheckedRegister:
    """Validate a read register against the standards. Never raises for bad content."""
    checked = CheckedRegister(reg, findings=list(read_findings or []))
    _check_header(reg, checked, standards)
    if not checked.kind:
        return checked
    checked.roster, checked.incidents, findings = check_tables(
        standards, reg.label, reg.roster, reg.incidents, department=checked.department,
        period=checked.period)
    checked.findings = dedupe(checked.findings + findings)
    if not checked.ok:
        checked.incidents = []
    return checked


def check_tables(standards: Standards, label: str, roster_table: SheetTable | None,
                 incident_table: SheetTable | None, *, department: str = "",
                 period: Period | None = None) -> tuple[list[Person], list[Incident],
                                                        list[Finding]]:
    """The roster and the incident log of one register: (people, incidents, findings).

    Also used on ranges passed to the UDFs, where there is no file (``label`` names the
    sheet the clerk is looking at) and no period to check dates against."""
    findings: list[Finding] = []
    people: list[Person] = []
    names: dict[str, str] = {}
    if roster_table is not None:
        roster = normalise_roster(roster_table.frame)
        failures = schema_failures(roster_schema(standards), roster)
        findings += findings_from_failures(failures, roster_table, label)
        for row, rec in roster.iterrows():
            if rec["编号"] and rec["姓名"]:
                names.setdefault(rec["编号"], rec["姓名"])
                if department and rec["科室"] and rec["科室"] != department:
                    findings.append(Finding("roster-department-mismatch", label,
                                            roster_table.sheet,
                                            roster_table.cell("科室", int(row)),
                                            f"“{rec['科室']}”"))
        people = [Person(rec["编号"], rec["姓名"], rec["科室"] or department, rec["口"] or "",
                         rec["人员类别"] or "", rec["岗位层级"] or "")
                  for _, rec in roster.drop_duplicates("编号").iterrows()
                  if rec["编号"] and rec["姓名"]]
    incidents: list[Incident] = []
    if incident_table is not None:
        frame = normalise_incidents(incident_table.frame)
        ctx = RegisterContext(standards, names, period,
                              leadership=department == standards.leadership_unit)
        failures = schema_failures(incident_schema(ctx), frame)
        failures += [("date-invalid", int(r), "日期") for r in frame.index[frame["_date_bad"]]]
        failures += [("count-not-whole", int(r), "次数")
                     for r in frame.index[frame["_count_bad"]]]
        key = ["日期", "编号", "项目", "事由"]
        dup = frame.duplicated(subset=key, keep="first") & frame["项目"].notna()
        failures += [("incident-duplicate", int(r), "事由") for r in frame.index[dup]]
        findings += findings_from_failures(failures, incident_table, label)
        incidents = [
            Incident(rec["日期"].date() if not pd.isna(rec["日期"]) else None,
                     rec["编号"], rec["项目"], int(rec["次数"]) if rec["次数"] == rec["次数"]
                     else 0, rec["事由"] or "",
                     source=f"{label} › {incident_table.sheet}!{row}",
                     recorder=rec["登记人"] or "")
            for row, rec in frame.iterrows()
        ]
    return people, incidents, dedupe(findings)


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
    if table is not None:
        rows = range(table.header_row + 1, table.header_row + 1 + len(score.people))
        source = table.frame.reindex(rows)
        frame = pd.DataFrame({"编号": [p.id for p in score.people]}, index=rows, dtype=object)
        for header in source.columns.drop(["编号", "姓名"], errors="ignore"):
            frame[header] = pd.Series([to_count(v)[0] for v in source[header]], index=rows,
                                      dtype="float64")
        findings += findings_from_failures(schema_failures(summary_schema(standards), frame),
                                           table, reg.label)
        for row, person in zip(rows, score.people, strict=True):
            expected = {**person.norms, "加分": person.additions, "个人得分": person.total}
            checks += [(table.sheet, table.cell(h, row), source.at[row, h], v)
                       for h, v in expected.items() if h in source.columns]
    for name, value in ((NAME_MEMBER_MEAN, score.member_mean), (NAME_DEPT_TOTAL, score.total)):
        if name in reg.header_cells:
            checks.append((*reg.header_cells[name], reg.header.get(name), value))
    log = reg.incidents
    if log is not None and "分值" in log.letters:
        for row, inc in zip(log.frame.index, incidents or [], strict=False):
            checks.append((log.sheet, log.cell("分值", int(row)), log.frame.at[row, "分值"],
                           item_points(standards, inc.code, inc.count)))
    formulas = reg.formula_cells or {}
    for sheet, cell, raw, value in checks:
        cached = to_count(raw)[0]
        if sheet in formulas and cell not in formulas[sheet]:
            shown = "空白" if cached is None else f"数值 {cached:g}"
            findings.append(Finding("formula-overwritten", reg.label, sheet, cell,
                                    f"表内为{shown}，重新计算为 {value:g}"))
        elif cached is not None and abs(cached - value) >= 0.005:
            findings.append(Finding("score-cache-mismatch", reg.label, sheet, cell,
                                    f"表内 {cached:g}，重新计算为 {value:g}"))
    return dedupe(findings)
