"""The roster's and the incident log's checks (``register``'s pandera schemas) in plain
Python, on columns (``contract.normalise``: ``roster_columns``, ``incident_columns``, with the
register's context added as in ``register``): what the batch and ``validate`` run.

pandera's fixed cost per call and its frames cost more than the checks themselves on a
chunk of registers; these give, row for row, the failures the schemas give (the tests
hold the two equal, on every hostile file and on random registers): a failing row of a
column's check names its column, one of a check of the row names no column (the rule's
column is named by ``validation.BLAME``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from qianfen_xl.contract.normalise import ID_MAX_LENGTH, Columns
from qianfen_xl.contract.standards import Standards
from qianfen_xl.schemas.columns import (
    FILE,
    ID_BLANK,
    ID_TEXT,
    KNOWN,
    LEADERSHIP,
    PERIOD_END,
    PERIOD_START,
    ROSTER_ID,
    ROSTER_NAME,
)

Failed = tuple[str, int, str | None]  # rule, row (position), column (None: the whole row)


def blank(value: object) -> bool:
    """Blank as the schemas see a cell: missing, or text of blanks only."""
    return value is None or (isinstance(value, str) and not value.strip())


def roster_failures(standards: Standards, cols: Columns) -> list[Failed]:
    """Every failing cell of the 人员 columns of one or many registers (``_file``)."""
    lines, categories, levels = (frozenset(standards.lines), frozenset(standards.categories),
                                 frozenset(standards.levels))
    out: list[Failed] = []
    seen: set[tuple[Any, str]] = set()
    for k, (file, pid, name, line, category, level) in enumerate(zip(
            cols[FILE], cols["编号"], cols["姓名"], cols["口"], cols["人员类别"],
            cols["岗位层级"], strict=True)):
        no_id, no_name = blank(pid), blank(name)
        if no_id and not no_name:
            out.append(("roster-id-missing", k, None))
        if no_name and not no_id:
            out.append(("roster-name-missing", k, None))
        if not no_id:
            if len(pid) > ID_MAX_LENGTH:
                out.append(("roster-id-too-long", k, "编号"))
            folded = (file, pid.lower())  # the formulas match a 编号 ignoring case
            if folded in seen:
                out.append(("roster-id-duplicate", k, None))
            seen.add(folded)
        for value, allowed, rule, column in (
                (line, lines, "roster-line-unknown", "口"),
                (category, categories, "roster-category-unknown", "人员类别"),
                (level, levels, "roster-level-unknown", "岗位层级")):
            if not blank(value) and value not in allowed:
                out.append((rule, k, column))
    return out


@cache
def _catalogue(standards: Standards) -> tuple[frozenset[str], ...]:
    s = standards
    return (frozenset([*s.item_by_code, *s.addition_by_code]),
            frozenset(i.code for i in s.items if i.scope == "department"),
            frozenset(i.code for i in s.items if i.scope == "individual"),
            frozenset(i.code for i in s.items if "department" not in i.units))


def incident_failures(standards: Standards, cols: Columns) -> list[Failed]:
    """Every failing cell of the 登记 columns, with each row's context (``_start`` …)."""
    codes, department_items, individual_items, leadership_only = _catalogue(standards)
    out: list[Failed] = []
    rows = zip(
        cols["日期"], cols["编号"], cols["姓名"], cols["项目"], cols["次数"], cols["事由"],
        cols["_date_bad"], cols["_count_bad"], cols[PERIOD_START], cols[PERIOD_END],
        cols[LEADERSHIP], cols[KNOWN], cols[ROSTER_NAME], cols[ROSTER_ID], cols[ID_TEXT],
        cols[ID_BLANK], strict=True)
    for k, (day, pid, name, code, count, reason, date_bad, count_bad, start, end, leadership,
            known, roster_name, roster_id, id_text, id_blank) in enumerate(rows):
        no_id, no_code = blank(pid), blank(code)
        if not no_code and code not in codes:
            out.append(("item-code-unknown", k, "项目"))
        if count is not None and not (count >= 1 and count.is_integer()):
            out.append(("count-not-whole", k, "次数"))
        if day is not None and start is not None and not start <= day <= end:
            out.append(("date-outside-period", k, None))
        if day is None and not date_bad:
            out.append(("date-missing", k, None))
        if no_code:
            out.append(("item-missing", k, None))
        if count is None and not count_bad:
            out.append(("count-missing", k, None))
        if blank(reason):
            out.append(("reason-missing", k, None))
        if no_id and code in individual_items:
            out.append(("person-required", k, None))
        if not no_id and code in department_items:
            out.append(("person-not-allowed", k, None))
        if not leadership and code in leadership_only:
            out.append(("item-leadership-only", k, None))
        if not no_id and not known:
            out.append(("person-unknown", k, None))
        # The formulas match a 编号 exactly as typed: one the reader recognises only after
        # folding full-width forms or trimming spaces is a row the sheet cannot score.
        if not id_blank and (no_id or (known and id_text != roster_id)):
            out.append(("person-id-inexact", k, None))
        if not blank(name) and roster_name is not None and name.strip() != roster_name:
            out.append(("person-name-mismatch", k, None))
    return out
