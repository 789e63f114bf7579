"""Reading a street's roster file (--roster): .xlsx/.xlsm (sheet 人员, or the first sheet) or
.csv (UTF-8 with or without BOM, or GB18030/GBK as Chinese Excel saves it), columns found
by header: 编号, 姓名, 科室, 口, 人员类别, 岗位层级, and the optional columns of the year
(schemas.columns.ROSTER_FACT_COLUMNS): the particulars the 年度考核登记表 prints and the
facts that bear on the grade."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from qianfen_xl.contract.dates import DateWindow
from qianfen_xl.contract.errors import QianfenError, describe_os_error
from qianfen_xl.contract.findings import Finding, dedupe, has_errors
from qianfen_xl.contract.limits import LimitExceeded, read_source
from qianfen_xl.contract.normalise import (
    clean_text,
    normalise_roster,
    to_count,
    to_date,
    to_key,
    to_text,
)
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.package import ZIP_MAGIC, calamine_panics, check_extent, open_package
from qianfen_xl.intake.reading import Rows, ScannedBook, SheetTable, find_table
from qianfen_xl.intake.validation import findings_from_failures, schema_failures
from qianfen_xl.schemas import roster_facts_schema, roster_schema
from qianfen_xl.schemas.annual import bad
from qianfen_xl.schemas.columns import (
    FACT_DATES,
    FACT_DAYS,
    FACT_FLAG,
    FLAG_YES,
    ROSTER_COLUMNS,
    ROSTER_FACT_COLUMNS,
    SHEET_ROSTER,
)
from qianfen_xl.scoring.engine import Person
from qianfen_xl.scoring.facts import PersonFacts

FACT_HEADERS = tuple(c.header for c in ROSTER_FACT_COLUMNS)
CSV_HEADERS = ("编号", "姓名", "科室")  # a CSV read as GB18030 must show these


class RosterError(QianfenError, ValueError):
    """The roster file cannot be used; the message lists its findings."""


@dataclass(frozen=True)
class Roster:
    """A street roster: its people, and the facts its optional columns give (by 编号)."""

    people: list[Person]
    facts: dict[str, PersonFacts] = field(default_factory=dict)


def decode_csv(data: bytes) -> str:
    """A CSV roster's text: UTF-8 (with or without its BOM, as "CSV UTF-8" saves it), else
    GB18030 (GBK's superset: Excel on Chinese Windows saves "CSV（逗号分隔）" so). Each is
    tried strictly, never guessed: bytes that are neither are refused (UnicodeDecodeError),
    and so is a GB18030 reading in which the roster's headers do not appear.

    >>> decode_csv("编号,姓名,科室".encode("gb18030")) == decode_csv("\ufeff编号,姓名,科室".encode())
    True
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    if not all(header in text for header in CSV_HEADERS):
        raise UnicodeDecodeError("gb18030", data, 0, len(data), "no roster header")
    return text


def _rows(path: Path) -> tuple[str, Rows, list[Finding]]:
    """The roster's sheet, rows and what the package scan found, read as a submitted file
    is (``read_source``: within the size limit, never through a link, never from a pipe
    or device); an .xlsx through the package scan, its sheet measured before it is built,
    within a register's sheets, rows and columns. LimitExceeded when it breaks a limit."""
    data = read_source(path, path.name)
    if path.suffix.lower() == ".csv":
        rows: Rows = [list(r) for r in csv.reader(io.StringIO(decode_csv(data), newline=""))]
        check_extent(path.name, "", len(rows), max(map(len, rows), default=0), "")
        return path.stem, rows, []
    if not data.startswith(ZIP_MAGIC):
        raise LimitExceeded(Finding("not-a-workbook", path.name,
                                    detail="人员名单应为 .xlsx 或 .csv"))
    package = open_package(data, path.name)
    if isinstance(package, Finding):
        raise LimitExceeded(package)
    package.archive.close()
    book = ScannedBook(package)
    sheet = SHEET_ROSTER if SHEET_ROSTER in book.sheet_names else book.book.sheet_names[0]
    rows = book.rows(sheet)  # measured by the scan before calamine builds it
    return sheet, rows, book.shadowed((SHEET_ROSTER,)) + book.findings


def read_roster(path: Path, standards: Standards) -> list[Person]:
    """The people of the roster file; raises :class:`RosterError` naming every bad cell."""
    return read_street_roster(path, standards).people


def read_street_roster(path: Path, standards: Standards) -> Roster:
    """The people and their facts; raises :class:`RosterError` naming every bad cell."""
    try:
        with calamine_panics():
            sheet, rows, scanned = _rows(path)
    except LimitExceeded as exc:
        raise RosterError(f"无法读取人员名单 {path}：{exc.finding.message}") from exc
    except OSError as exc:
        raise RosterError(f"无法读取人员名单 {path}：{describe_os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise RosterError(f"无法读取人员名单 {path}：既不是 UTF-8 也不是 GB18030（GBK）编码的 CSV，"
                          "请在 Excel 中另存为“CSV UTF-8”或 .xlsx") from exc
    except Exception as exc:
        raise RosterError(f"无法读取人员名单 {path}：文件已损坏或不是表格"
                          f"（{type(exc).__name__}）") from exc
    table, findings = find_table(rows, sheet, ROSTER_COLUMNS + ROSTER_FACT_COLUMNS, path.name)
    findings = scanned + findings
    facts: dict[str, PersonFacts] = {}
    if table is not None:
        # Text cleaned of what no workbook can hold before any writer sees it.
        table.columns = {h: [clean_text(v) if isinstance(v, str) else v for v in column]
                         for h, column in table.columns.items()}
        frame = normalise_roster(table.frame)
        failures = schema_failures(roster_schema(standards), frame)
        findings += findings_from_failures(failures, table, path.name)
        findings += _blank_departments(frame, table, path.name)
        found, fact_findings = _facts(table, standards, path.name)
        findings += fact_findings
        facts = {pid: f for pid, f in found.items() if f != PersonFacts()}
    if table is None or has_errors(findings):
        raise RosterError("人员名单有误：\n" + "\n".join(f"  {f}" for f in findings if f.is_error))
    people = [Person(r["编号"], r["姓名"], r["科室"], r["口"] or "", r["人员类别"] or "",
                     r["岗位层级"] or "") for _, r in frame.iterrows()]
    return Roster(people, facts)


def _blank_departments(frame: pd.DataFrame, table: SheetTable, label: str) -> list[Finding]:
    return [Finding("header-missing", label, table.sheet, table.cell("科室", int(row)), "科室")
            for row in frame.index[frame["科室"].isna()]]


def _month_text(value: object) -> str:
    """出生年月, 任现职时间 as the official form writes them (``1985.03``); text as typed."""
    if isinstance(value, datetime | date):
        return f"{value.year}.{value.month:02d}"
    return to_text(value) or ""


def _window_date(value: object, window: DateWindow) -> tuple[date | None, bool]:
    """A roster's date, unreadable when it is outside the standards' years (a 9999)."""
    day, bad = to_date(value)
    return (None, True) if day is not None and not window.holds(day) else (day, bad)


def _fact_frame(table: SheetTable, window: DateWindow) -> pd.DataFrame:
    """The fact columns present, typed, with a ``_bad_`` flag per date and day column."""
    raw = table.frame
    data: dict[str, object] = {}
    for column in FACT_DATES:
        if column in raw:
            parsed = [_window_date(v, window) for v in raw[column]]
            data[column] = pd.Series([d for d, _ in parsed], index=raw.index, dtype=object)
            data[bad(column)] = pd.Series([b for _, b in parsed], index=raw.index, dtype=bool)
    for column in FACT_DAYS:
        if column in raw:
            parsed_days = [to_count(v) for v in raw[column]]
            data[column] = pd.Series([d for d, _ in parsed_days], index=raw.index, dtype=float)
            data[bad(column)] = pd.Series([b for _, b in parsed_days], index=raw.index,
                                          dtype=bool)
    for column in (FACT_FLAG, "处分"):
        if column in raw:
            data[column] = pd.Series([to_text(v) for v in raw[column]], index=raw.index,
                                     dtype=object)
    return pd.DataFrame(data, index=raw.index)


def _facts(table: SheetTable, standards: Standards,
           label: str) -> tuple[dict[str, PersonFacts], list[Finding]]:
    present = [h for h in FACT_HEADERS if h in table.letters]
    if not present:
        return {}, []
    frame = _fact_frame(table, standards.dates)
    failures = [f._replace(column=f.column.removeprefix("_bad_")) if f.column else f
                for f in schema_failures(roster_facts_schema(standards), frame)]
    findings = dedupe(findings_from_failures(failures, table, label))
    out: dict[str, PersonFacts] = {}
    for row in table.rows:
        pid = to_key(table.value("编号", row))
        if not pid:
            continue

        def text(column: str, at: int = row) -> str:
            return to_text(table.value(column, at)) or ""

        def number(column: str, at: int = row) -> float | None:
            return to_count(table.value(column, at))[0]

        out[pid] = PersonFacts(
            hired=_window_date(table.value("入职日期", row), standards.dates)[0],
            leave_days=number("病事假天数"), maternity_days=number("产假天数"),
            investigation=text(FACT_FLAG) == FLAG_YES, sanction=text("处分"),
            sanction_date=_window_date(table.value("处分日期", row), standards.dates)[0],
            gender=text("性别"), born=_month_text(table.value("出生年月", row)),
            party=text("政治面貌"), in_post_since=_month_text(table.value("任现职时间", row)),
            post=text("职务职级"), duties=text("从事或分管工作"))
    return out, findings
