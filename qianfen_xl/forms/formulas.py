"""The registers' portable formulas: what Excel, WPS, LibreOffice and gnumeric all evaluate
alike (measured in LibreOffice and gnumeric; tests recalculate random registers in both).

Only SUM, SUMIFS/COUNTIFS on numeric keys, INDEX/MATCH (wildcards escaped, the hit confirmed
by EXACT), IF, IFERROR, AND, OR, NOT, ISNUMBER, ISLOGICAL, LEN, LEFT, MID, FIND, SUBSTITUTE,
UPPER, EXACT, INT, ROUND, MIN, MAX, COUNT, COUNTA, DATE, VALUE, YEAR, MONTH, DAY, WEEKDAY,
RIGHT, CHAR, ROW,
over workbook-level names and A1 ranges. Never a structured reference (gnumeric cannot read
one), an array evaluation (SUMPRODUCT over LEFT(...) is wrong in gnumeric), TRIM (gnumeric
strips every Unicode space, Excel only U+0020) or a function needing ``_xlfn.``.

Each incident row computes helpers (hidden Table columns): the code of its 项目, the item's
position in the catalogue, the person's position on the roster, the norm it scores and its
status (blank, scored, problem). Sums filter on those numbers, never on text, so ids holding
``*``, ``?`` or ``~`` cannot match by wildcard. A row the formulas cannot score scores
nothing and counts in ``qf_problem_count``; ``forms/model.py`` says in Python what every
formula gives, and ``contract/normalise`` reads cells the way these formulas do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.utils import get_column_letter

from qianfen_xl.contract.normalise import CODE_SEPARATORS, DASHES, FORMULA_SPACES, ID_MAX_LENGTH
from qianfen_xl.contract.standards import Standards
from qianfen_xl.forms.layout import (
    BLANK,
    CAT,
    CODE,
    INC,
    INPUTS,
    ITEM,
    NO_PERIOD_END,
    NO_PERIOD_START,
    NORM,
    NOT_SCORED,
    PROBLEM,
    ROS,
    SCORED,
    STATUS,
    WHO,
    RegisterLayout,
)
from qianfen_xl.schemas.columns import (
    KIND_WEEKLY,
    SCORE_DEPT_ADDITIONS,
    SCORE_DEPT_TOTAL,
    SCORE_MEMBER_MEAN,
    SCORE_PROBLEMS,
    SCORES_BLOCK_VALUE,
    SCORES_HEADER_ROW,
    SHEET_INCIDENTS,
    SHEET_META,
    SHEET_ROSTER,
    SHEET_STANDARDS,
    department_block,
    score_headers,
)

# Defined names the formulas use, besides the contract's (qf_kind … qf_problem_count).
INCIDENT_NAMES = {"date": "日期", "id": "编号", "name": "姓名", "item": "项目", "count": "次数",
                  "points": "分值", "reason": "事由", "recorder": "登记人", "who": WHO,
                  "norm": NORM, "status": STATUS}
TAIL_NAMES = ("date", "id", "name", "item", "count", "reason", "recorder")
META_CELLS = {"qf_standards": "B5", "qf_period_start": "B8", "qf_period_end": "B9",
              "qf_leadership": "B11"}


def ref(sheet: str, col: str, first: int, last: int | None = None) -> str:
    end = f":${col}${last}" if last is not None else ""
    return f"'{sheet}'!${col}${first}{end}"


def defined_names(layout: RegisterLayout) -> dict[str, str]:
    """The formulas' names over plain ranges (never over a Table): the incident columns
    down to the rows just below the Table, the input columns of the rows below those (the
    tail, counted as problems), the catalogue, the roster and the period."""
    f, e, t = layout.first, layout.names_end, layout.tail_end
    names = {f"qf_inc_{k}": ref(SHEET_INCIDENTS, INC[h], f, e) for k, h in INCIDENT_NAMES.items()}
    names |= {f"qf_tail_{k}": ref(SHEET_INCIDENTS, INC[INCIDENT_NAMES[k]], e + 1, t)
              for k in TAIL_NAMES}
    c0, c1 = layout.catalogue_first, layout.catalogue_last
    names |= {name: ref(SHEET_STANDARDS, CAT[h], c0, c1) for name, h in (
        ("qf_codes", "代码"), ("qf_cat_points", "每次分值"), ("qf_item_list", "下拉显示"),
        ("qf_cat_norm", "_规范"), ("qf_cat_person", "_需编号"), ("qf_cat_leader", "_仅班子"))}
    r0, r1 = layout.roster_first, layout.roster_last
    names |= {name: ref(SHEET_ROSTER, ROS[h], r0, r1) for name, h in (
        ("qf_ids", "编号"), ("qf_roster_names", "姓名"), ("qf_roster_keys", "_键"),
        ("qf_roster_first", "_首位"))}
    names |= {name: ref(SHEET_META, cell[0], int(cell[1:])) for name, cell in META_CELLS.items()}
    return names


# ------------------------------------------------------------------ text as the formulas read it

EMPTY = '""'


def _literal(ch: str) -> str:
    return f"CHAR({ord(ch)})" if ord(ch) < 32 else f'"{ch}"'


def without_spaces(expr: str) -> str:
    """``expr`` with every character the formulas count as blank removed."""
    for space in FORMULA_SPACES:
        expr = f'SUBSTITUTE({expr},{_literal(space)},"")'
    return expr


def is_blank(expr: str) -> str:
    return f'{without_spaces(expr)}=""'


def code_substitutions(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(from, to): the full-width forms (both cases) of every character the catalogue's
    codes use, and the dashes, read as the ASCII character (what a Chinese input method in
    full-width mode types)."""
    alphabet = sorted(set("".join(codes)))
    pairs: list[tuple[str, str]] = []
    for ch in alphabet:
        if "!" <= ch <= "~":
            variants = sorted({ch.upper(), ch.lower()}) if ch.isalpha() else [ch]
            pairs += [(chr(ord(v) + 0xFEE0), ch.upper()) for v in variants]
    if "-" in alphabet:
        pairs += [(d, "-") for d in DASHES]
    return pairs


def escaped(text: str) -> str:
    """``text`` with MATCH's wildcards escaped (``~`` first): an exact, case-blind key."""
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({text},"~","~~"),"*","~*"),"?","~?")'


# ------------------------------------------------------------------ 登记 rows

def code_formula(r: int, substitutions: Sequence[tuple[str, str]]) -> str:
    """_代码: the 项目's text before its first space (leading spaces skipped), full-width
    forms and dashes read as ASCII, in upper case."""
    x = f"$D{r}&\"\""
    for separator in CODE_SEPARATORS:
        x = f'SUBSTITUTE({x},"{separator}"," ")'
    start = f'IFERROR(FIND(LEFT(SUBSTITUTE({x}," ",""),1),{x}),1)'
    token = f'MID({x},{start},FIND(" ",{x}&" ",{start})-{start})'
    for old, new in substitutions:
        token = f'SUBSTITUTE({token},"{old}","{new}")'
    return f"=UPPER({token})"


def row_formulas(r: int, substitutions: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The formulas of incident row ``r``: 分值 and the helpers, by column letter."""
    a, b, e, g = (f"${INC[h]}{r}" for h in ("日期", "编号", "次数", "事由"))
    code, item, who, status = (f"${INC[h]}{r}" for h in (CODE, ITEM, WHO, STATUS))
    key = f'{b}&""'
    hit = f"MATCH({escaped(key)},qf_roster_keys,0)"
    used = "&".join(f"${INC[h]}{r}" for h in INPUTS)
    number = "AND(ISNUMBER({0}),NOT(ISLOGICAL({0})))"
    person_item = f"INDEX(qf_cat_person,{item})"
    scored = ",".join((
        f"{e}>=1", f"{e}=INT({e})", f"INT({a})>=qf_period_start", f"INT({a})<=qf_period_end",
        f"OR({who}>0,{person_item}=0)",                                  # person-required
        f"NOT(AND({who}>0,INDEX(qf_cat_norm,{item})>0,{person_item}=0))",  # person-not-allowed
        f"OR(INDEX(qf_cat_leader,{item})=0,qf_leadership=1)",            # leadership-only
        f"NOT({is_blank(g + '&' + EMPTY)})",                             # reason-missing
    ))
    return {
        INC["分值"]: (f'=IF(OR({item}=0,NOT({number.format(e)})),"",'
                     f"{e}*INDEX(qf_cat_points,{item}))"),
        INC[CODE]: code_formula(r, substitutions),
        INC[ITEM]: (f'=IF({code}="",0,IFERROR(IF(EXACT(INDEX(qf_codes,MATCH({code},qf_codes,0)),'
                    f"{code}),MATCH({code},qf_codes,0),0),0))"),
        INC[WHO]: (f"=IF({is_blank(key)},0,IF(LEN({key})>{ID_MAX_LENGTH},{NOT_SCORED},"
                   f"IFERROR(IF(AND(EXACT(INDEX(qf_roster_keys,{hit}),{key}),"
                   f"COUNTIFS(qf_roster_first,{hit})=1),{hit},{NOT_SCORED}),{NOT_SCORED})))"),
        INC[NORM]: f"=IF({status}={SCORED},INDEX(qf_cat_norm,{item}),{NOT_SCORED})",
        INC[STATUS]: (f"=IFERROR(IF({is_blank(used)},{BLANK},"
                      f"IF(AND({item}>0,{who}>=0,{number.format(a)},{number.format(e)}),"
                      f"IF(AND({scored}),{SCORED},{PROBLEM}),{PROBLEM})),{PROBLEM})"),
    }


def incident_formulas(r: int, substitutions: Sequence[tuple[str, str]],
                      native: bool) -> dict[str, str]:
    """Row ``r``'s formulas in either flavour (the .xlsm's 分值 calls QF_POINTS)."""
    if native:
        return row_formulas(r, substitutions)
    return {INC["分值"]: f"=QF_POINTS($D{r},$E{r},qf_standards)"}


def problem_count_formula() -> str:
    """qf_problem_count: rows whose status is a problem; rows with input but no helper
    formulas (inserted or appended where no calculated column filled them); input below
    the names. Each COUNTIFS starts with a range that must be non-empty ("<>"):
    LibreOffice shrinks a first range with a "" criterion to its column's data area."""
    terms = [f"COUNTIFS(qf_inc_status,{PROBLEM})"]
    for prefix, extra in (("qf_inc_", ['qf_inc_status,""']), ("qf_tail_", [])):
        for k, col in enumerate(TAIL_NAMES):
            criteria = [f'{prefix}{col},"<>"', *(f'{prefix}{c},""' for c in TAIL_NAMES[:k]),
                        *extra]
            terms.append(f"COUNTIFS({','.join(criteria)})")
    return "=" + "+".join(terms)


def problem_row_rule(r: int) -> str:
    """Conditional formatting of row ``r`` within the names: a problem, or input without
    the helper formulas."""
    typed = f"COUNTA($A{r}:$E{r},$G{r}:$H{r})>0"
    return f'OR(${INC[STATUS]}{r}={PROBLEM},AND(${INC[STATUS]}{r}="",{typed}))'


def tail_row_rule(r: int) -> str:
    return f"COUNTA($A{r}:$E{r},$G{r}:$H{r})>0"


# ------------------------------------------------------------------ 人员 rows

def roster_formulas(r: int) -> dict[str, str]:
    return {ROS["_键"]: roster_key_formula(r), ROS["_首位"]: roster_first_formula(r)}


def roster_key_formula(r: int) -> str:
    return f'=${ROS["编号"]}{r}&""'


def roster_first_formula(r: int) -> str:
    """_首位: the position of the first 编号 equal to this one ignoring case (MATCH's
    equality): a 编号 on two rows makes COUNTIFS(qf_roster_first, p) > 1, and the rows
    naming it problems."""
    key = f"${ROS['_键']}{r}"
    return (f'=IF(OR({key}="",LEN({key})>{ID_MAX_LENGTH}),"",'
            f'IFERROR(MATCH({escaped(key)},qf_roster_keys,0),""))')


def roster_duplicate_rule(r: int) -> str:
    first = f"${ROS['_首位']}{r}"
    return f'AND({first}<>"",COUNTIFS(qf_roster_first,{first})>1)'


# ------------------------------------------------------------------ 得分

def person_formulas(r: int, standards: Standards) -> dict[str, str]:
    """Row ``r`` of 得分 shows the roster's person ``r - header row`` (from 1): 编号, 姓名,
    each individual norm, 加分, 个人得分, by column letter. Every row the same formula,
    moved down (written once, as a shared formula)."""
    d = standards.decimals
    headers = score_headers(standards)
    add, total = len(headers) - 1, len(headers)
    add_col = _letter(add)
    shown = f'=IF($A{r}="","",'
    i = f"ROW()-{SCORES_HEADER_ROW}"
    out = {1: f'=IFERROR(INDEX(qf_ids,{i})&"","")',
           2: f'{shown}INDEX(qf_roster_names,{i})&"")'}
    keys = _norm_keys(standards)
    for c, norm in enumerate(standards.individual_norms, start=3):
        out[c] = (f"{shown}ROUND(MAX(0,{norm.full:g}+SUMIFS(qf_inc_points,qf_inc_who,{i},"
                  f"qf_inc_norm,{keys[norm.code]})),{d}))")
    out[add] = (f"{shown}ROUND(MIN({standards.person_additions_cap:g},"
                f"SUMIFS(qf_inc_points,qf_inc_who,{i},qf_inc_norm,0)),{d}))")
    out[total] = (f"{shown}ROUND(MIN({standards.individual_base:g},SUM(C{r}:{add_col}{r})),"
                  f"{d}))")
    return {_letter(c): f for c, f in out.items()}


def block_formulas(standards: Standards, layout: RegisterLayout) -> dict[str, str]:
    """The department block's values, by key (see schemas.columns.department_block): blank
    while no one is on the roster (a department without people has no score yet)."""
    d = standards.decimals
    col = _letter(len(score_headers(standards)))
    people = f"{col}{layout.scores_first}:{col}{layout.scores_last}"
    keys = _norm_keys(standards)
    out = {SCORE_MEMBER_MEAN: f"ROUND(SUM({people})/COUNT({people}),{d})"}
    for norm in standards.department_norms:
        out[norm.code] = (f"ROUND(MAX(0,{norm.full:g}+SUMIFS(qf_inc_points,qf_inc_norm,"
                          f"{keys[norm.code]})),{d})")
    out[SCORE_DEPT_ADDITIONS] = (f"ROUND(MIN({standards.department_additions_cap:g},"
                                 f"SUMIFS(qf_inc_points,qf_inc_who,0,qf_inc_norm,0)),{d})")
    parts = [k for k, _ in department_block(standards)][:-2]  # mean, norms, additions
    v = SCORES_BLOCK_VALUE
    out[SCORE_DEPT_TOTAL] = (f"ROUND(MIN({standards.full_marks:g},SUM({v}{layout.block_row(0)}"
                             f":{v}{layout.block_row(len(parts) - 1)})),{d})")
    out = {key: f'=IF(COUNT({people})=0,"",{formula})' for key, formula in out.items()}
    out[SCORE_PROBLEMS] = problem_count_formula()
    return out


def _norm_keys(standards: Standards) -> dict[str, int]:
    """A norm's number in the catalogue's _规范 column (an addition's is 0)."""
    return {n.code: k for k, n in enumerate(standards.norms, start=1)}


def _letter(column: int) -> str:
    return get_column_letter(column)


# ------------------------------------------------------------------ the period (_meta)

def _period_text() -> str:
    return without_spaces('qf_period&""')


def period_formulas(kind: str) -> tuple[str, str]:
    """_meta's 期间起 and 期间止 from the period typed in the header (ISO week or month);
    the widest bounds when it cannot be read."""
    p, low, high = _period_text(), NO_PERIOD_START, NO_PERIOD_END
    start = META_CELLS["qf_period_start"]
    if kind == KIND_WEEKLY:
        jan4 = f"DATE(VALUE(LEFT({p},4)),1,4)"
        first = (f'=IFERROR(IF(OR(LEN({p})<>8,MID({p},5,2)<>"-W"),{low},'
                 f"{jan4}-WEEKDAY({jan4},2)+1+7*(VALUE(MID({p},7,2))-1)),{low})")
        return first, f"=IF({start}<={low},{high},{start}+6)"
    first = (f'=IFERROR(IF(OR(LEN({p})<>7,MID({p},5,1)<>"-"),{low},'
             f"DATE(VALUE(LEFT({p},4)),VALUE(MID({p},6,2)),1)),{low})")
    return first, f"=IF({start}<={low},{high},DATE(YEAR({start}),MONTH({start})+1,1)-1)"


def _iso_date(expr: str) -> str:
    return (f'YEAR({expr})&"-"&RIGHT("0"&MONTH({expr}),2)&"-"&RIGHT("0"&DAY({expr}),2)')


def period_display(kind: str) -> str:
    """The header's 起止: the period's first and last day, or how to type the period."""
    example = "2026-W47" if kind == KIND_WEEKLY else "2026-11"
    return (f'=IF(qf_period_start<={NO_PERIOD_START},"起止：请填写期间，如 {example}",'
            f'"起止："&{_iso_date("qf_period_start")}&" 至 "&{_iso_date("qf_period_end")})')


def leadership_formula(standards: Standards) -> str:
    """1 when the register is the leadership unit's (its items N10-01, N10-02 are valid)."""
    unit = standards.leadership_unit
    for space in FORMULA_SPACES:
        unit = unit.replace(space, "")
    return f'=IF({without_spaces("qf_department&" + EMPTY)}="{unit}",1,0)'
