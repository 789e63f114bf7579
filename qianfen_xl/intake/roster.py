"""Reading a street's roster file (--roster): .xlsx/.xlsm (sheet 人员, or the first sheet) or
.csv (UTF-8, with or without BOM), columns found by header: 编号, 姓名, 科室, 口, 人员类别, 岗位层级."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from qianfen_xl.contract.errors import QianfenError, describe_os_error
from qianfen_xl.contract.findings import Finding, has_errors
from qianfen_xl.contract.normalise import normalise_roster
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.package import calamine_panics
from qianfen_xl.intake.reading import Rows, SheetTable, find_table
from qianfen_xl.intake.validation import findings_from_failures, schema_failures
from qianfen_xl.schemas import roster_schema
from qianfen_xl.schemas.columns import ROSTER_COLUMNS, SHEET_ROSTER
from qianfen_xl.scoring.engine import Person


class RosterError(QianfenError, ValueError):
    """The roster file cannot be used; the message lists its findings."""


def _rows(path: Path) -> tuple[str, Rows]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return path.stem, [list(r) for r in csv.reader(fh)]
    book = CalamineWorkbook.from_path(str(path))
    sheet = SHEET_ROSTER if SHEET_ROSTER in book.sheet_names else book.sheet_names[0]
    return sheet, book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def read_roster(path: Path, standards: Standards) -> list[Person]:
    """The people of the roster file; raises :class:`RosterError` naming every bad cell."""
    try:
        with calamine_panics():
            sheet, rows = _rows(path)
    except OSError as exc:
        raise RosterError(f"无法读取人员名单 {path}：{describe_os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise RosterError(f"无法读取人员名单 {path}：不是 UTF-8 编码的 CSV，"
                          "请在 Excel 中另存为“CSV UTF-8”或 .xlsx") from exc
    except Exception as exc:
        raise RosterError(f"无法读取人员名单 {path}：文件已损坏或不是表格"
                          f"（{type(exc).__name__}）") from exc
    table, findings = find_table(rows, sheet, ROSTER_COLUMNS, path.name)
    if table is not None:
        frame = normalise_roster(table.frame)
        failures = schema_failures(roster_schema(standards), frame)
        findings += findings_from_failures(failures, table, path.name)
        findings += _blank_departments(frame, table, path.name)
    if table is None or has_errors(findings):
        raise RosterError("人员名单有误：\n" + "\n".join(f"  {f}" for f in findings if f.is_error))
    return [Person(r["编号"], r["姓名"], r["科室"], r["口"] or "", r["人员类别"] or "",
                   r["岗位层级"] or "") for _, r in frame.iterrows()]


def _blank_departments(frame: pd.DataFrame, table: SheetTable, label: str) -> list[Finding]:
    return [Finding("header-missing", label, table.sheet, table.cell("科室", int(row)), "科室")
            for row in frame.index[frame["科室"].isna()]]
