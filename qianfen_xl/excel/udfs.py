"""千分制 worksheet functions (xlwings UDFs): thin wrappers over the engine, no scoring here.

One module for both ways xlwings runs Python functions in Excel:

* the classic add-in (Windows, COM): ``xlwings.conf`` has ``UDF_MODULES = qianfen_xl.udfs``
  and ``xlwings.func`` is the classic decorator;
* xlwings Server / xlwings Lite (Office.js; Excel on Windows, macOS and the web): with
  ``XLWINGS_ON_SERVER=true`` the same decorators register custom functions.

Elsewhere the decorators do nothing and these are plain Python functions. Arguments arrive
as Excel sends them (2-D lists, blanks as None, numbers as floats, dates as serial numbers
or datetimes); a bad argument returns a readable error text such as
``#项目代码无效: N11-01``, never a traceback. Parameter names are ASCII because VBA
wrappers and Office.js metadata require it; their Chinese descriptions are in ``doc``.
Function names are upper case, as Excel shows them.

Every function takes, last, the hash of the standards it must score with (the templates
pass their own, ``qf_standards``): the functions use the built-in standards, or an office's
standards files named by the environment variable ``QIANFEN_XL_STANDARDS`` (one file, or a
folder of them), whichever has that hash; when none has it the cell says so
(``#评分标准不符…``), never scoring with another scheme.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import xlwings as xw

from qianfen_xl.contract.errors import StandardsError
from qianfen_xl.contract.normalise import ascii_form, is_blank, to_code, to_count, to_key, to_text
from qianfen_xl.contract.standards import Standards, load_standards
from qianfen_xl.forms.layout import INPUTS, NO_PERIOD_END, NO_PERIOD_START
from qianfen_xl.forms.model import Roster, Row, evaluate, points_text
from qianfen_xl.forms.model import scores_grid as model_grid
from qianfen_xl.intake.reading import find_table
from qianfen_xl.intake.validation import check_tables
from qianfen_xl.schemas.columns import (
    INCIDENT_COLUMNS,
    ROSTER_COLUMNS,
    SHEET_INCIDENTS,
    SHEET_ROSTER,
    ColumnSpec,
)
from qianfen_xl.scoring.engine import (
    Incident,
    Person,
    competition_ranks,
    grade_for,
    round_score,
    score_department,
    score_person,
    trimmed_mean,
)

CATEGORY = "千分制"
HERE = "本表"  # how QF_CHECK names the workbook the clerk is looking at
Grid = list[list[Any]]

_INCIDENTS_DOC = "登记表的 incidents 表（含表头，如 incidents[#All]），或按模板列序的数据区域"
_ROSTER_DOC = "人员表的 roster 表（含表头，如 roster[#All]），或按模板列序的数据区域"
_STANDARDS_DOC = "评分标准哈希（可选，模板中为 qf_standards）：按生成本表的评分标准计分"
STANDARDS_ENV = "QIANFEN_XL_STANDARDS"  # an office's standards file, or a folder of them


class UdfError(ValueError):
    """A bad argument: shown in the cell as ``#`` + the message."""


def available_standards() -> list[Standards]:
    """The office's standards (``QIANFEN_XL_STANDARDS``: a file or a folder of .toml),
    then the built-in ones."""
    configured = os.environ.get(STANDARDS_ENV, "").strip()
    files: list[Path] = []
    if configured:
        path = Path(configured)
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    try:
        return [*(load_standards(f) for f in files), load_standards()]
    except StandardsError as exc:
        raise UdfError(f"{STANDARDS_ENV} 所指的评分标准文件有误：{exc}") from exc


def _standards(wanted: Any = None) -> Standards:
    """The standards whose hash is ``wanted`` (the workbook's), or the first available."""
    code = to_text(_single(wanted, "评分标准")) if wanted is not None else None
    candidates = available_standards()
    if not code:
        return candidates[0]
    for standards in candidates:
        if code in (standards.short_digest, standards.digest):
            return standards
    have = "、".join(s.short_digest for s in candidates)
    raise UdfError(f"评分标准不符：本表按评分标准 {code} 生成，本机只有 {have}；请把该评分标准"
                   f"文件的路径设为环境变量 {STANDARDS_ENV}")


def excel_errors(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a bad argument (or anything unexpected) into an error text in the cell."""
    @functools.wraps(f)
    def wrapper(*args: Any) -> Any:
        try:
            return f(*args)
        except UdfError as exc:
            return f"#{exc}"
        except Exception as exc:  # noqa: BLE001 (a cell shows text, never a traceback)
            return f"#内部错误: {type(exc).__name__}"
    # xlwings reads a function's annotations as converters: Excel's raw values must come
    # in, so it is shown none (the annotations are for the type checker only).
    wrapper.__annotations__ = {}
    return wrapper


# ------------------------------------------------------------------ arguments as Excel sends them

def grid(values: Any) -> Grid:
    """Any Excel argument as a 2-D list: a scalar → [[v]], a row → [row], None → [].

    Range arguments arrive "raw" (xlwings' cleaning stage costs ~80 µs a cell on a server,
    where it tries to import Pyodide for every cell): 2-D lists or tuples, blanks as None
    or "", and Office.js' typed cells as dicts, whose plain value is ``basicValue``."""
    if values is None:
        return []
    if isinstance(values, list | tuple):
        rows = values if values and all(isinstance(r, list | tuple) for r in values) else [values]
        return [[v.get("basicValue") if isinstance(v, dict) else v for v in r] for r in rows]
    return [[values.get("basicValue") if isinstance(values, dict) else values]]


def _header_map(rows: Grid, specs: Sequence[ColumnSpec]) -> tuple[int, dict[str, int]]:
    """(index of the first data row, header → column): the header row if the range has one
    (columns found by name, wherever they were moved), else the template's column order."""
    wanted = {s.header for s in specs}
    for r, row in enumerate(rows[:5]):
        found = {ascii_form(v): c for c, v in enumerate(row)
                 if isinstance(v, str) and ascii_form(v) in wanted}
        if len(found) >= 2:
            return r + 1, found
    return 0, {s.header: c for c, s in enumerate(specs)}


def _column(row: list[Any], columns: dict[str, int], header: str) -> Any:
    c = columns.get(header)
    return row[c] if c is not None and c < len(row) else None


def code_and_count(standards: Standards, raw_item: Any, raw_count: Any) -> tuple[str, int]:
    """The item code and count of a row that has a 项目, or a UdfError saying which is bad."""
    code = to_code(raw_item) or ""
    if code not in standards.item_by_code and code not in standards.addition_by_code:
        raise UdfError(f"项目代码无效: {code}")
    count, bad = to_count(raw_count)
    if bad or count is None or count < 1 or not float(count).is_integer():
        raise UdfError(f"次数无效: {'空白' if is_blank(raw_count) else raw_count}")
    return code, int(count)


def incidents_from(standards: Standards, values: Any) -> list[Incident]:
    """The scoring inputs of an incidents range: the rows with a 项目. An unknown code or a
    count that is not a whole number ≥ 1 is an error (QF_CHECK reports everything else)."""
    rows = grid(values)
    first, columns = _header_map(rows, INCIDENT_COLUMNS)
    out = []
    for row in rows[first:]:
        raw_item = _column(row, columns, "项目")
        if to_code(raw_item) is None:
            continue
        code, count = code_and_count(standards, raw_item, _column(row, columns, "次数"))
        out.append(Incident(None, to_key(_column(row, columns, "编号")), code, count))
    return out


def roster_from(values: Any) -> list[Person]:
    rows = grid(values)
    first, columns = _header_map(rows, ROSTER_COLUMNS)
    people: dict[str, Person] = {}
    for row in rows[first:]:
        pid = to_key(_column(row, columns, "编号"))
        if pid and pid not in people:
            people[pid] = Person(pid, to_text(_column(row, columns, "姓名")) or "",
                                 to_text(_column(row, columns, "科室")) or "")
    return list(people.values())


def _number(value: Any, what: str) -> float | None:
    number, bad = to_count(value)
    if bad:
        raise UdfError(f"{what}不是数字: {value}")
    return number


def numbers_in(values: Any) -> list[float]:
    """The numbers of a range; blanks and text are left out, as Excel's AVERAGE does."""
    return [n for row in grid(values) for v in row if (n := to_count(v)[0]) is not None]


def _single(values: Any, what: str) -> Any:
    cells = [v for row in grid(values) for v in row]
    if len(cells) > 1:
        raise UdfError(f"{what}应为一个单元格")
    return cells[0] if cells else None


# ------------------------------------------------------------------ the functions

@xw.func(category=CATEGORY)
@xw.arg("item", "raw", doc="项目：扣分项或加分项的代码，或下拉列表中的“代码 内容”；可为一列")
@xw.arg("count", "raw", doc="次数：不小于 1 的整数；与项目同形状")
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_POINTS(item: Any, count: Any, standards: Any = None) -> Any:
    """一条登记的分值：扣分项为 −次数×每次扣分，加分项为 +次数×加分。选一列时返回一列。"""
    scheme = _standards(standards)
    items, counts = grid(item), grid(count)
    out: Grid = []
    for r, row in enumerate(items):  # one bad row shows in its own cell
        out.append([points_text(scheme, raw, counts[r][c] if r < len(counts)
                                and c < len(counts[r]) else None)
                    for c, raw in enumerate(row)])
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else out


@xw.func(category=CATEGORY)
@xw.arg("incidents", "raw", doc=_INCIDENTS_DOC)
@xw.arg("person_id", doc="编号：某人的编号；科室规范不需要编号")
@xw.arg("norm", doc="规范代码（见评分标准），如 N03")
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_NORM(incidents: Any, person_id: Any, norm: Any, standards: Any = None) -> Any:
    """某人（或本科室）某一规范的得分：该规范满分减去扣分，最低为 0。"""
    scheme = _standards(standards)
    code = to_key(_single(norm, "规范")) or ""
    code = code.upper()
    if code not in scheme.norm_by_code:
        raise UdfError(f"规范代码无效: {code or '空白'}")
    rows = incidents_from(scheme, incidents)
    pid = to_key(_single(person_id, "编号"))
    if scheme.norm_by_code[code].scope == "department":
        return score_department(scheme, "", [], rows).norms[code]
    if not pid:
        raise UdfError(f"{code} 为个人规范，请填写编号")
    return score_person(scheme, pid, "", rows).norms[code]


@xw.func(category=CATEGORY)
@xw.arg("incidents", "raw", doc=_INCIDENTS_DOC)
@xw.arg("person_id", doc="编号")
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_PERSON(incidents: Any, person_id: Any, standards: Any = None) -> Any:
    """个人得分：个人规范得分之和加封顶后的加分，不超过个人计分基数。"""
    scheme = _standards(standards)
    pid = to_key(_single(person_id, "编号"))
    if not pid:
        raise UdfError("请填写编号")
    return score_person(scheme, pid, "", incidents_from(scheme, incidents)).total


@xw.func(category=CATEGORY)
@xw.arg("incidents", "raw", doc=_INCIDENTS_DOC)
@xw.arg("roster", "raw", doc=_ROSTER_DOC)
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_DEPT(incidents: Any, roster: Any, standards: Any = None) -> Any:
    """科室得分：成员平均 + 科室规范 + 科室加分，不超过科室满分。"""
    scheme = _standards(standards)
    return score_department(scheme, "", roster_from(roster),
                            incidents_from(scheme, incidents)).total


def scores_grid(standards: Standards, incidents: Any, roster: Any, rows: int = 0, *,
                start: float = NO_PERIOD_START, end: float = NO_PERIOD_END,
                leadership: bool = False) -> Grid:
    """The 得分 sheet from its first person row, as the templates lay it out (the same
    cells the portable formulas fill): a row per roster row (编号, 姓名, individual norms,
    加分, 个人得分), padded with blank rows to ``rows``, and beside the first rows the
    department block (label, value) ending with the rows that cannot be scored. Rows are
    read as the formulas read them (forms/model.py); the engine scores them."""
    incident_grid = grid(incidents)
    first, columns = _header_map(incident_grid, INCIDENT_COLUMNS)
    log = [Row(k, {h: _column(row, columns, h) for h in INPUTS}, helpers=True)
           for k, row in enumerate(incident_grid[first:], start=1)]
    roster_grid = grid(roster)
    first, columns = _header_map(roster_grid, ROSTER_COLUMNS)
    people = [(_column(r, columns, "编号"), _column(r, columns, "姓名"))
              for r in roster_grid[first:]]
    if rows and len(people) > rows:
        raise UdfError(f"人员超过 {rows} 人")
    people += [(None, None)] * (rows - len(people))
    ev = evaluate(standards, log, Roster(tuple(p[0] for p in people), tuple(p[1] for p in people)),
                  start=start, end=end, leadership=leadership)
    return model_grid(standards, ev)


@xw.func(category=CATEGORY)
@xw.arg("incidents", "raw", doc=_INCIDENTS_DOC)
@xw.arg("roster", "raw", doc=_ROSTER_DOC)
@xw.arg("rows", doc="人员行数（可选）：补足空行到该行数，与模板的得分表一致")
@xw.arg("standards", doc=_STANDARDS_DOC)
@xw.arg("start", doc="期间起（可选，日期）：不在期间内的登记不计分")
@xw.arg("end", doc="期间止（可选，日期）")
@xw.arg("leadership", doc="是否领导班子的登记表（可选，1 或 0）")
@excel_errors
def QF_SCORES(incidents: Any, roster: Any, rows: Any = 0, standards: Any = None,
              start: Any = None, end: Any = None, leadership: Any = None) -> Any:
    """整张得分表，一次计算：每人一行（编号、姓名、各个人规范、加分、个人得分），
    旁边是科室得分区（成员平均、各科室规范、科室加分、科室得分、无法计分的行）。"""
    low = _number(_single(start, "期间起"), "期间起")
    high = _number(_single(end, "期间止"), "期间止")
    return scores_grid(_standards(standards), incidents, roster, int(_number(rows, "行数") or 0),
                       start=NO_PERIOD_START if low is None else low,
                       end=NO_PERIOD_END if high is None else high,
                       leadership=bool(_number(_single(leadership, "领导班子"), "领导班子")))


@xw.func(category=CATEGORY)
@xw.arg("score", doc="分数")
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_GRADE(score: Any, standards: Any = None) -> Any:
    """按评分标准的分数线给出等次（名额限制另计）。"""
    value = _number(_single(score, "分数"), "分数")
    if value is None:
        return ""
    return grade_for(_standards(standards), value)


@xw.func(category=CATEGORY)
@xw.arg("score", doc="要排名的分数")
@xw.arg("scores", "raw", doc="参与排名的全部分数（空白和文字不计）")
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_RANK(score: Any, scores: Any, standards: Any = None) -> Any:
    """名次（并列占位）：分数相同名次相同，下一名次顺延。"""
    value = _number(_single(score, "分数"), "分数")
    if value is None:
        return ""
    pool = numbers_in(scores)
    decimals = _standards(standards).decimals
    ranks = competition_ranks({i: round_score(v, decimals) for i, v in
                               enumerate([value, *pool])})
    return ranks[0]


@xw.func(category=CATEGORY)
@xw.arg("values", "raw", doc="测评分数区域（空白和文字不计）")
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_TRIMMED_MEAN(values: Any, standards: Any = None) -> Any:
    """去掉一个最高分、去掉一个最低分后的平均分（不少于 5 个分数时）。"""
    numbers = numbers_in(values)
    if not numbers:
        return ""
    return trimmed_mean(_standards(standards), numbers)


@xw.func(category=CATEGORY)
@xw.arg("incidents", "raw", doc=_INCIDENTS_DOC)
@xw.arg("roster", "raw", doc=_ROSTER_DOC)
@xw.arg("standards", doc=_STANDARDS_DOC)
@excel_errors
def QF_CHECK(incidents: Any, roster: Any, standards: Any = None) -> Any:
    """校验本表：返回一行两格——问题个数，第一个问题的说明（无问题时为“校验通过”）。"""
    scheme = _standards(standards)
    tables = []
    for values, specs, sheet in ((roster, ROSTER_COLUMNS, SHEET_ROSTER),
                                 (incidents, INCIDENT_COLUMNS, SHEET_INCIDENTS)):
        rows = grid(values)
        first, _ = _header_map(rows, specs)
        if first == 0:  # no header row: the template's order
            rows = [[s.header for s in specs], *rows]
        table, _ = find_table(rows, sheet, specs, HERE)
        tables.append(table)
    _, _, findings = check_tables(scheme, HERE, *tables)
    if not findings:
        return [[0, "校验通过"]]
    top = findings[0]
    row = "".join(ch for ch in top.cell if ch.isdigit())
    where = f"{top.sheet}第 {int(row) - 1} 行：" if row else ""  # row 1 of the range is the header
    return [[len(findings), f"{where}{top.message}"]]


UDFS = (QF_POINTS, QF_NORM, QF_PERSON, QF_DEPT, QF_SCORES, QF_GRADE, QF_RANK, QF_TRIMMED_MEAN,
        QF_CHECK)
__all__ = [f.__name__ for f in UDFS]
