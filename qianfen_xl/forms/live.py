"""What a register's save does first (``forms.style.before_save``): print areas that follow
the rows in use, a printed warning when rows in use lie outside them, and the value of
every formula cell (:mod:`forms.model`), stored with the formulas so that a viewer that
never recalculates shows the engine's numbers.

It runs on the workbook as it is when saved, so a register filled or edited after it was
built (the demo, ``consolidate --monthly-out``, the tests) is saved with its own values.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from qianfen_xl.contract.normalise import cell_text
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.cached import Finished
from qianfen_xl.forms.formulas import (
    META_CELLS,
    code_substitutions,
    incident_formulas,
    person_formulas,
    roster_formulas,
)
from qianfen_xl.forms.layout import INC, INPUTS, PERIOD_DISPLAY, ROS, RegisterLayout
from qianfen_xl.forms.model import (
    Evaluation,
    Roster,
    Row,
    block_values,
    evaluate,
    has_input,
    is_leadership,
    period_bounds,
    period_display,
    person_cells,
    points_text,
    scores_grid,
)
from qianfen_xl.schemas.columns import (
    HEADER_CELLS,
    INCIDENT_HEADER_ROW,
    NAME_DEPARTMENT,
    NAME_PERIOD,
    NAME_UNIT,
    SCORES_BLOCK_VALUE,
    SHEET_INCIDENTS,
    SHEET_META,
    SHEET_ROSTER,
    SHEET_SCORES,
    department_block,
)

SPARE_ROWS = 3          # printed below the last row in use
PRINTED_INCIDENTS = 20  # incident rows a register prints at least (a blank one: these)
PRINTED_PEOPLE = 15     # people 人员 and 得分 print at least
WARNING = Font(size=9, color="C00000", bold=True)


def value(ws: Worksheet, row: int, col: str) -> object:
    """A cell's value without creating the cell (``ws.cell`` would add it to the file)."""
    cell = ws._cells.get((row, column_index_from_string(col)))
    return None if cell is None else cell.value


def _is_formula(ws: Worksheet, row: int, col: str) -> bool:
    cell = ws._cells.get((row, column_index_from_string(col)))
    return cell is not None and cell.data_type == "f"


def read_rows(ws: Worksheet, layout: RegisterLayout, native: bool) -> list[Row]:
    """The incident rows the formulas see: the Table's (with their helper formulas), and in
    the native flavour the rows below it that the names and the tail cover."""
    last = min(layout.tail_end if native else layout.last, max(ws.max_row, layout.last))
    helper = INC["_状态"] if native else INC["分值"]
    return [Row(r, {h: value(ws, r, INC[h]) for h in INPUTS}, _is_formula(ws, r, helper),
                counted=r <= layout.names_end)
            for r in range(layout.first, last + 1)]


def read_roster(ws: Worksheet, layout: RegisterLayout) -> Roster:
    rows = range(layout.roster_first, layout.roster_last + 1)
    return Roster(tuple(value(ws, r, ROS["编号"]) for r in rows),
                  tuple(value(ws, r, ROS["姓名"]) for r in rows))


def _header(wb: Workbook, name: str) -> object:
    sheet, col, row = HEADER_CELLS[name]
    return value(wb[sheet], row, col)


def finish_register(wb: Workbook, *, standards: Standards, layout: RegisterLayout,
                    native: bool) -> Finished:
    if not {SHEET_INCIDENTS, SHEET_ROSTER, SHEET_SCORES, SHEET_META} <= set(wb.sheetnames):
        return Finished({})  # no longer a register (a test's broken copy): nothing to add
    inc, ros = wb[SHEET_INCIDENTS], wb[SHEET_ROSTER]
    rows = read_rows(inc, layout, native)
    roster = read_roster(ros, layout)
    start, end = period_bounds(layout.kind, _header(wb, NAME_PERIOD))
    leadership = is_leadership(standards, _header(wb, NAME_DEPARTMENT))
    ev = evaluate(standards, rows, roster, start=start, end=end, leadership=leadership)
    values: dict[str, dict[str, object]] = {SHEET_INCIDENTS: {}, SHEET_ROSTER: {},
                                            SHEET_SCORES: {}, SHEET_META: {}}
    _print_areas(wb, layout, rows, roster, values)
    values[SHEET_META] |= {META_CELLS["qf_period_start"]: start,
                           META_CELLS["qf_period_end"]: end,
                           META_CELLS["qf_leadership"]: int(leadership)}
    values[SHEET_INCIDENTS][PERIOD_DISPLAY] = period_display(layout.kind, start, end)
    if native:
        _native_values(ev, standards, layout, values)
    else:
        _udf_values(wb, ev, standards, layout, rows, values)
    return Finished(values, _shared(standards, layout, wb, native))


def _shared(standards: Standards, layout: RegisterLayout, wb: Workbook,
            native: bool) -> dict[str, list[str]]:
    """The formula columns written as shared formulas: 登记's row formulas and, in the
    native flavour, 人员's helpers and 得分's person rows."""
    substitutions = code_substitutions([*standards.item_by_code, *standards.addition_by_code])
    out = {SHEET_INCIDENTS: shared_columns(
        wb[SHEET_INCIDENTS], layout.first, layout.last,
        lambda r: incident_formulas(r, substitutions, native))}
    if native:
        out[SHEET_ROSTER] = shared_columns(wb[SHEET_ROSTER], layout.roster_first,
                                           layout.roster_last, roster_formulas)
        out[SHEET_SCORES] = shared_columns(wb[SHEET_SCORES], layout.scores_first,
                                           layout.scores_last,
                                           lambda r: person_formulas(r, standards))
    return out


def shared_columns(ws: Worksheet, first: int, last: int,
                   formulas: Callable[[int], dict[str, str]]) -> list[str]:
    """The runs of rows ``first``..``last`` of each column that hold the formula the
    generator writes there (``formulas(row)``: column → formula); a cell a clerk or a test
    changed breaks the run."""
    runs: dict[str, list[list[int]]] = {}
    for r in range(first, last + 1):
        for col, formula in formulas(r).items():
            spans = runs.setdefault(col, [])
            if value(ws, r, col) != formula:
                continue
            if spans and spans[-1][1] == r - 1:
                spans[-1][1] = r
            else:
                spans.append([r, r])
    return [f"{col}{a}:{col}{b}" for col, spans in runs.items() for a, b in spans if b > a]


def _native_values(ev: Evaluation, standards: Standards, layout: RegisterLayout,
                   values: dict[str, dict[str, object]]) -> None:
    inc = values[SHEET_INCIDENTS]
    for r, result in ev.rows.items():
        inc |= {f"{INC['分值']}{r}": result.points, f"{INC['_代码']}{r}": result.code,
                f"{INC['_条目']}{r}": result.item, f"{INC['_人员']}{r}": result.who,
                f"{INC['_规范']}{r}": result.norm, f"{INC['_状态']}{r}": result.status}
    firsts = ev.roster.first_positions()
    for k, (key, first) in enumerate(zip(ev.roster.keys, firsts, strict=True)):
        r = layout.roster_first + k
        values[SHEET_ROSTER] |= {f"{ROS['_键']}{r}": key, f"{ROS['_首位']}{r}": first}
    sco = values[SHEET_SCORES]
    for r, row in enumerate(person_cells(standards, ev), start=layout.scores_first):
        sco |= {f"{get_column_letter(c)}{r}": v for c, v in enumerate(row, start=1)}
    block = block_values(ev)
    for k, (key, _) in enumerate(department_block(standards)):
        sco[f"{SCORES_BLOCK_VALUE}{layout.block_row(k)}"] = block[key]


def _udf_values(wb: Workbook, ev: Evaluation, standards: Standards, layout: RegisterLayout,
                rows: list[Row], values: dict[str, dict[str, object]]) -> None:
    """The .xlsm: QF_POINTS per row, QF_SCORES's grid (its first cell cached, the others
    stored as Excel stores an array's results), QF_CHECK's count and message."""
    inc, scores = wb[SHEET_INCIDENTS], wb[SHEET_SCORES]
    for row in rows:
        values[SHEET_INCIDENTS][f"{INC['分值']}{row.row}"] = points_text(
            standards, row.values.get("项目"), row.values.get("次数"))
    grid = scores_grid(standards, ev)
    for k, line in enumerate(grid):
        for c, v in enumerate(line, start=1):
            ref = f"{get_column_letter(c)}{layout.scores_first + k}"
            if k == 0 and c == 1:
                values[SHEET_SCORES][ref] = v
                continue
            scores[ref].value = v
            if isinstance(v, str):
                scores[ref].data_type = "s"
    in_use = sum(has_input(r.values) for r in rows)
    values[SHEET_INCIDENTS]["G3"] = ev.problems if in_use else 0
    inc["H3"].value = "校验通过" if ev.problems == 0 else "请点击“校验本表”查看问题"


# ------------------------------------------------------------------------ print areas

def _printed(last_in_use: int, least: int, most: int) -> int:
    return min(most, max(last_in_use + SPARE_ROWS, least))


def _print_areas(wb: Workbook, layout: RegisterLayout, rows: list[Row], roster: Roster,
                 values: dict[str, dict[str, object]]) -> None:
    """Print areas over the rows in use (and a few blank ones), and a warning, printed at
    the top, when a row in use lies below them: a clerk typing past them sees it."""
    inc, ros, scores = wb[SHEET_INCIDENTS], wb[SHEET_ROSTER], wb[SHEET_SCORES]
    used = [r.row - INCIDENT_HEADER_ROW for r in rows if r.row <= layout.last and has_input(r.values)]
    printed = _printed(max(used, default=0), PRINTED_INCIDENTS, layout.incident_rows)
    end = INCIDENT_HEADER_ROW + printed
    inc.print_area = f"A1:H{end}"
    inc["A4"] = None
    if printed < layout.incident_rows:
        text = (f"注意：第 {end + 1} 行以后还有登记，不在打印范围内；打印前请在“页面布局 › 打印区域”"
                "中扩大范围。")
        inc["A4"] = (f'=IF(COUNTA($A${end + 1}:$E${layout.last},$G${end + 1}:$H${layout.last})>0,'
                     f'"{text}","")')
        inc["A4"].font = WARNING
        values[SHEET_INCIDENTS]["A4"] = text if max(used, default=0) > printed else ""

    people = _printed(max(roster.shown, default=0), PRINTED_PEOPLE, layout.roster_rows)
    ros.print_area = f"A1:F{layout.roster_first + people - 1}"
    scores.print_area = (f"A1:{SCORES_BLOCK_VALUE}"
                         f"{layout.scores_first + max(people, layout.block_rows) - 1}")
    line = "  ".join(cell_text(_header(wb, n)) for n in (NAME_UNIT, NAME_DEPARTMENT, NAME_PERIOD))
    formula = '=qf_unit&"  "&qf_department&"  "&qf_period'
    if people < layout.roster_rows:
        text = (f"    注意：人员表第 {people + 1} 位以后的人员不在打印范围内；打印前请在“页面布局 › "
                "打印区域”中扩大范围。")
        rest = f"'{SHEET_ROSTER}'!$A${layout.roster_first + people}:$A${layout.roster_last}"
        formula += f'&IF(COUNTA({rest})>0,"{text}","")'
        line += text if any(i > people for i in roster.shown) else ""
    scores["A2"] = formula
    values[SHEET_SCORES]["A2"] = line
