"""What each formula of a register shows, in Python: the values stored with the formulas
(so a viewer that never recalculates shows the right numbers), the QF_SCORES grid of the
``.xlsm`` flavour, and the expectation the tests hold LibreOffice and gnumeric to.

Scores come from the engine, never from here: the model reads each incident row as the
formulas read it (:func:`classify`: the row's code, item, person, norm and status), hands
the rows the formulas score to :func:`scoring.engine.score_department` (the roster's
people by position, so any 编号 maps to its own row), and puts the engine's results in the
cells that show them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from qianfen_xl.contract.normalise import (
    FORMULA_SPACES,
    ID_MAX_LENGTH,
    cell_text,
    excel_serial,
    is_blank,
    is_formula_blank,
    item_code,
    to_code,
    to_count,
)
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.formulas import code_substitutions
from qianfen_xl.forms.layout import (
    BLANK,
    INPUTS,
    NO_PERIOD_END,
    NO_PERIOD_START,
    NOT_SCORED,
    PROBLEM,
    SCORED,
)
from qianfen_xl.schemas.columns import (
    KIND_WEEKLY,
    SCORE_DEPT_ADDITIONS,
    SCORE_DEPT_TOTAL,
    SCORE_MEMBER_MEAN,
    SCORE_PROBLEMS,
    department_block,
    score_headers,
)
from qianfen_xl.scoring.engine import (
    DepartmentScore,
    Incident,
    Person,
    item_points,
    score_department,
)

Cell = object  # a cell's value as openpyxl holds it or Excel sends it


# ------------------------------------------------------------------ cells as the formulas see them

def is_number(value: Cell) -> bool:
    """ISNUMBER and not ISLOGICAL: a number, a date or a time."""
    return isinstance(value, int | float | date | time) and not isinstance(value, bool) and (
        not isinstance(value, float) or math.isfinite(value))


def number(value: Cell) -> float:
    if isinstance(value, datetime | date):
        return excel_serial(value)
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    assert isinstance(value, int | float)
    return float(value)


def _strip(text: str) -> str:
    for space in FORMULA_SPACES:
        text = text.replace(space, "")
    return text


def _whole(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def _date_serial(year: int, month: int, day: int) -> float:
    """DATE(year, month, day) with the month rolling over into the year, as DATE does."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return excel_serial(date(year, month, 1) + timedelta(days=day - 1))


def period_bounds(kind: str, period: Cell) -> tuple[float, float]:
    """_meta's 期间起 and 期间止 (see formulas.period_formulas)."""
    p = _strip(cell_text(period))
    try:
        if kind == KIND_WEEKLY:
            year, week = _whole(p[:4]), _whole(p[6:8])
            if len(p) != 8 or p[4:6].upper() != "-W" or year is None or week is None:
                return NO_PERIOD_START, NO_PERIOD_END
            jan4 = _date_serial(year, 1, 4)
            start = jan4 - date(year, 1, 4).isoweekday() + 1 + 7 * (week - 1)
            return start, start + 6
        year, month = _whole(p[:4]), _whole(p[5:7])
        if len(p) != 7 or p[4] != "-" or year is None or month is None:
            return NO_PERIOD_START, NO_PERIOD_END
        start = _date_serial(year, month, 1)
        first = date(1899, 12, 30) + timedelta(days=start)
        return start, _date_serial(first.year, first.month + 1, 1) - 1
    except (ValueError, OverflowError):
        return NO_PERIOD_START, NO_PERIOD_END


def iso_day(serial: float) -> str:
    return (date(1899, 12, 30) + timedelta(days=int(serial))).isoformat()


def period_display(kind: str, start: float, end: float) -> str:
    if start <= NO_PERIOD_START:
        return f"起止：请填写期间，如 {'2026-W47' if kind == KIND_WEEKLY else '2026-11'}"
    return f"起止：{iso_day(start)} 至 {iso_day(end)}"


def is_leadership(standards: Standards, department: Cell) -> bool:
    return _strip(cell_text(department)) == _strip(standards.leadership_unit)


# ------------------------------------------------------------------ the roster

@dataclass(frozen=True)
class Roster:
    """The roster's 编号 and 姓名 by position (the Table's rows, blanks included)."""

    ids: tuple[Cell, ...]
    names: tuple[Cell, ...]

    @property
    def keys(self) -> list[str]:             # _键
        return [cell_text(v) for v in self.ids]

    def first_positions(self) -> list[int | str]:  # _首位
        keys = self.keys
        folded: dict[str, int] = {}
        for j, k in enumerate(keys, start=1):
            folded.setdefault(k.lower(), j)
        return ["" if k == "" or len(k) > ID_MAX_LENGTH else folded[k.lower()] for k in keys]

    def position(self, key: str) -> int:
        """_人员 of an incident's 编号: its roster position, 0 for a department row,
        NOT_SCORED when it is not on the roster exactly once."""
        if is_formula_blank(key):
            return 0
        if len(key) > ID_MAX_LENGTH:
            return NOT_SCORED
        keys, firsts = self.keys, self.first_positions()
        hit = next((j for j, k in enumerate(keys, start=1) if k != "" and k.lower() == key.lower()),
                   None)
        if hit is None or keys[hit - 1] != key or firsts.count(hit) != 1:
            return NOT_SCORED
        return hit

    @property
    def shown(self) -> list[int]:
        """Positions 得分 shows a person for (a 编号 is there)."""
        return [i for i, k in enumerate(self.keys, start=1) if k != ""]


# ------------------------------------------------------------------ incident rows

@dataclass(frozen=True)
class Catalogue:
    """评分标准 as the formulas use it: per position, the code, signed points per
    occurrence, norm number (0 = addition), needs a 编号, only for the leadership."""

    codes: tuple[str, ...]
    points: tuple[float, ...]
    norms: tuple[int, ...]
    person: tuple[int, ...]
    leader: tuple[int, ...]
    substitutions: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, standards: Standards) -> Catalogue:
        keys = {n.code: k for k, n in enumerate(standards.norms, start=1)}
        items, adds = standards.items, standards.additions
        codes = tuple(i.code for i in items) + tuple(a.code for a in adds)
        return cls(codes, tuple(-i.points for i in items) + tuple(a.points for a in adds),
                   tuple(keys[i.norm] for i in items) + (0,) * len(adds),
                   tuple(int(i.scope == "individual") for i in items) + (0,) * len(adds),
                   tuple(int("department" not in i.units) for i in items) + (0,) * len(adds),
                   tuple(code_substitutions(codes)))


@dataclass(frozen=True)
class RowResult:
    """One incident row's helpers as the formulas compute them, and its 分值."""

    code: str
    item: int
    who: int
    norm: int
    status: int
    points: float | str


@dataclass(frozen=True)
class Context:
    catalogue: Catalogue
    roster: Roster
    start: float
    end: float
    leadership: bool


def classify(values: Mapping[str, Cell], ctx: Context) -> RowResult:
    """The helpers of a row with the helper formulas (``values``: header → cell)."""
    cat = ctx.catalogue
    code = item_code(values.get("项目"), cat.substitutions)
    item = cat.codes.index(code) + 1 if code in cat.codes else 0
    who = ctx.roster.position(cell_text(values.get("编号")))
    day, count = values.get("日期"), values.get("次数")
    points: float | str = ""
    if item and is_number(count):
        points = number(count) * cat.points[item - 1]
    used = not is_formula_blank("".join(cell_text(values.get(h)) for h in INPUTS))
    status = BLANK if not used else PROBLEM
    if used and item and who >= 0 and is_number(day) and is_number(count):
        k, n = item - 1, number(count)
        ok = (n >= 1 and n == math.floor(n)
              and ctx.start <= math.floor(number(day)) <= ctx.end
              and (who > 0 or cat.person[k] == 0)
              and not (who > 0 and cat.norms[k] > 0 and cat.person[k] == 0)
              and (cat.leader[k] == 0 or ctx.leadership)
              and not is_formula_blank(values.get("事由")))
        status = SCORED if ok else PROBLEM
    return RowResult(code, item, who, cat.norms[item - 1] if status == SCORED else NOT_SCORED,
                     status, points)


def has_input(values: Mapping[str, Cell]) -> bool:
    """COUNTIFS(…,"<>") of a row without helper formulas: any input cell not empty."""
    return any(values.get(h) not in (None, "") for h in INPUTS)


# ------------------------------------------------------------------ the register

@dataclass(frozen=True)
class Row:
    row: int                      # the sheet row
    values: Mapping[str, Cell]    # input header → value
    helpers: bool                 # holds the helper formulas
    counted: bool = True          # within the incident names (else only the tail sees it)


@dataclass
class Evaluation:
    """A register as its formulas compute it."""

    rows: dict[int, RowResult]
    problems: int
    roster: Roster
    score: DepartmentScore
    shown: list[int] = field(default_factory=list)   # roster positions with a 得分 row


def evaluate(standards: Standards, rows: Sequence[Row], roster: Roster, *,
             start: float = NO_PERIOD_START, end: float = NO_PERIOD_END,
             leadership: bool = False) -> Evaluation:
    """The register as its formulas compute it: ``rows`` of 登记, the ``roster``, the
    period's bounds (_meta's 期间起/期间止) and whether it is the leadership unit's."""
    ctx = Context(Catalogue.of(standards), roster, start, end, leadership)
    results: dict[int, RowResult] = {}
    problems = 0
    for row in rows:
        if row.helpers and row.counted:
            result = classify(row.values, ctx)
            results[row.row] = result
            problems += result.status == PROBLEM
        elif has_input(row.values):
            problems += 1
    shown = roster.shown
    people = [Person(f"#{i}", cell_text(roster.names[i - 1])) for i in shown]
    counts = {row.row: row.values.get("次数") for row in rows}
    incidents = [Incident(None, f"#{r.who}" if r.who > 0 else None,
                          ctx.catalogue.codes[r.item - 1], int(number(counts[n])))
                 for n, r in results.items() if r.status == SCORED]
    score = score_department(standards, "", people, incidents)
    return Evaluation(results, problems, roster, score, shown)


def person_cells(standards: Standards, ev: Evaluation) -> list[list[Cell]]:
    """得分's person rows (编号 … 个人得分), one per roster position; blank ones ""."""
    width = len(score_headers(standards))
    by_position = dict(zip(ev.shown, ev.score.people, strict=True))
    out: list[list[Cell]] = []
    for i in range(1, len(ev.roster.ids) + 1):
        p = by_position.get(i)
        if p is None:
            out.append([""] * width)
            continue
        out.append([ev.roster.keys[i - 1], p.name, *p.norms.values(), p.additions, p.total])
    return out


def block_values(ev: Evaluation) -> dict[str, Cell]:
    """The department block's values by key (see schemas.columns.department_block): blank
    while no one is on the roster, as the formulas show them."""
    s = ev.score
    values: dict[str, Cell] = {SCORE_MEMBER_MEAN: s.member_mean, **s.norms,
                               SCORE_DEPT_ADDITIONS: s.additions, SCORE_DEPT_TOTAL: s.total}
    if not ev.shown:
        values = dict.fromkeys(values, "")
    return {**values, SCORE_PROBLEMS: ev.problems}


def scores_grid(standards: Standards, ev: Evaluation) -> list[list[Cell]]:
    """The 得分 area from the first person row: the person columns, an empty column, and
    beside the first persons the department block (label, value). The QF_SCORES result,
    and what the native formulas of the same cells show."""
    block = department_block(standards)
    values = block_values(ev)
    rows = person_cells(standards, ev)
    rows += [[""] * len(score_headers(standards)) for _ in range(len(block) - len(rows))]
    out = []
    for k, row in enumerate(rows):
        label, value = (block[k][1], values[block[k][0]]) if k < len(block) else ("", "")
        out.append([*row, "", label, value])
    return out


def points_text(standards: Standards, item: Cell, count: Cell) -> float | str:
    """QF_POINTS of one row (the .xlsm's 分值): "" without a 项目 or a 次数, the signed
    points, or an error text naming what is wrong."""
    code = to_code(item)
    if code is None or is_blank(count):
        return ""
    if code not in standards.item_by_code and code not in standards.addition_by_code:
        return f"#项目代码无效: {code}"
    n, bad = to_count(count)
    if bad or n is None or n < 1 or not float(n).is_integer():
        return f"#次数无效: {count}"
    return item_points(standards, code, int(n))
