"""The register contract's sheets and columns (PRODUCT.md): one list, read by the template
writer (headers, widths, validation), the reader (columns found by header) and the schemas.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from qianfen_xl.contract.standards import Standards

TEMPLATE_VERSION = "1.0"
KIND_WEEKLY = "周考核情况登记表"
KIND_MONTHLY = "月考核情况登记表"
REGISTER_KINDS = {KIND_WEEKLY: "week", KIND_MONTHLY: "month"}

SHEET_ROSTER = "人员"
SHEET_INCIDENTS = "登记"
SHEET_SCORES = "得分"
SHEET_STANDARDS = "评分标准"
SHEET_META = "_meta"
SHEET_VALIDATION = "校验结果"  # written by the add-in's 校验本表 button
TABLE_ROSTER = "roster"
TABLE_INCIDENTS = "incidents"

# Workbook-level defined names of the header fields.
NAME_KIND = "qf_kind"
NAME_VERSION = "qf_version"
NAME_UNIT = "qf_unit"
NAME_DEPARTMENT = "qf_department"
NAME_PERIOD = "qf_period"
HEADER_NAMES = (NAME_KIND, NAME_VERSION, NAME_UNIT, NAME_DEPARTMENT, NAME_PERIOD)
# Defined names of the department block of 得分 (read back to compare cached values).
NAME_MEMBER_MEAN = "qf_member_mean"
NAME_DEPT_TOTAL = "qf_dept_total"
NAME_PROBLEM_COUNT = "qf_problem_count"  # incident rows the formulas cannot score
SCORE_NAMES = (NAME_MEMBER_MEAN, NAME_DEPT_TOTAL, NAME_PROBLEM_COUNT)
# Where the templates put the header fields. The reader follows the defined names; only a
# file that cannot carry them (a legacy .xls saved from a template) falls back to these.
HEADER_CELLS = {
    NAME_KIND: (SHEET_META, "B", 1),
    NAME_VERSION: (SHEET_META, "B", 2),
    NAME_UNIT: (SHEET_INCIDENTS, "B", 2),
    NAME_DEPARTMENT: (SHEET_INCIDENTS, "D", 2),
    NAME_PERIOD: (SHEET_INCIDENTS, "F", 2),
}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    header: str
    width: float
    required: bool = True      # the reader refuses a sheet without it
    live: bool = False         # a formula column (protected)
    number_format: str = "@"


ROSTER_COLUMNS = (
    ColumnSpec("编号", 10),
    ColumnSpec("姓名", 12),
    ColumnSpec("科室", 16),
    ColumnSpec("口", 8),
    ColumnSpec("人员类别", 12),
    ColumnSpec("岗位层级", 14),
)

INCIDENT_COLUMNS = (
    ColumnSpec("日期", 12, number_format="yyyy-mm-dd"),
    ColumnSpec("编号", 9),
    ColumnSpec("姓名", 10, required=False),
    ColumnSpec("项目", 40),
    ColumnSpec("次数", 7, number_format="0"),
    ColumnSpec("分值", 8, required=False, live=True, number_format="0.00;-0.00;;@"),
    ColumnSpec("事由", 30),
    ColumnSpec("登记人", 10, required=False),
)

# 民主测评票 (one rater's ballot) and 考评录入表 (the assessment group's scores).
KIND_BALLOT = "民主测评票"
KIND_ASSESSMENT = "考评录入表"
SHEET_BALLOT = "测评"
SHEET_ASSESSMENT = "考评"
TABLE_BALLOTS = "ballots"
TABLE_ASSESSMENTS = "assessments"
NAME_GROUP = "qf_group"   # the rater group (工委领导班子, 主管口领导, 科室负责人, 机关全体人员)
NAME_BALLOT_NO = "qf_ballot_no"  # 票号: numbers the ballots so a duplicate shows; never a name
RATEE_DEPARTMENT = "科室"  # the 类别 of a department on a ballot (a person's is their 岗位层级)
BALLOT_COLUMNS = (
    ColumnSpec("对象", 14),                  # a person's 编号, or a department's name
    ColumnSpec("名称", 14),
    ColumnSpec("类别", 12),
    ColumnSpec("分数", 8, required=False, number_format="0"),
    ColumnSpec("等次", 10, required=False),
)
ASSESSMENT_COLUMNS = (
    ColumnSpec("对象", 14),
    ColumnSpec("名称", 14),
    ColumnSpec("类别", 12),
    ColumnSpec("考评分", 10, number_format="0.00"),  # people 0–100, departments 0–1000
    ColumnSpec("调整", 8, required=False, number_format="0.00"),  # ± points on a person's total
    ColumnSpec("说明", 30, required=False),
)

# Where the templates put their tables (1-based rows). The reader finds every table by its
# headers wherever it is; these fix where the generator writes them.
ROSTER_HEADER_ROW = 3
INCIDENT_HEADER_ROW = 5
ROSTER_ROWS = 60                   # people a register holds at least (得分 has one row each)
ROSTER_SPARE = 10                  # rows beyond a larger pre-filled roster, for a new colleague
INCIDENT_ROWS = {KIND_WEEKLY: 200, KIND_MONTHLY: 500}
META_SCORE_ROWS = "得分人数"      # _meta: how many people the 得分 sheet of this file shows


def roster_capacity(people: int) -> int:
    """Rows of the 人员 table and person rows of 得分 for a roster of ``people``: the
    template's 60, or more for a larger pre-filled roster (recorded in _meta 得分人数)."""
    return people + ROSTER_SPARE if people > ROSTER_ROWS else ROSTER_ROWS


# Hidden helper columns the portable formulas compute with (forms/formulas.py), each a
# Table column with its calculated-column formula: after 登记人 in the incidents Table,
# after 岗位层级 in the roster Table, and after 下拉显示 on 评分标准 (constants there).
INCIDENT_HELPERS = ("_代码", "_条目", "_人员", "_规范", "_状态")
ROSTER_HELPERS = ("_键", "_首位")
CATALOGUE_COLUMNS = ("代码", "规范", "条款", "内容", "计分范围", "每次分值", "一票否决",
                     "适用单位", "下拉显示")
CATALOGUE_HELPERS = ("_规范", "_需编号", "_仅班子")
CATALOGUE_PRINTED = "H"            # 评分标准 prints 代码 … 适用单位; the rest serve the formulas
CATALOGUE_HEADER_ROW = 3
# Incident rows below the Table that the formulas' names still cover (a row Excel appends to
# the Table gets its formulas and counts), and rows below those whose input is counted as
# a problem (never silently ignored).
INCIDENT_MARGIN = 20
INCIDENT_TAIL = 300

# The 得分 sheet: a note on the ceilings, a row of ceilings, the header row, one row per
# person (编号, 姓名, the individual norms, 加分, 个人得分), and beside the first persons
# the department block (label, value) ending with the problem count.
SCORES_LIMITS_ROW = 5
SCORES_HEADER_ROW = 6
SCORES_BLOCK_LABEL = "M"           # the department block's column of labels …
SCORES_BLOCK_VALUE = "N"           # … and of values; L stays empty between
SCORES_LAST_COLUMN = SCORES_BLOCK_VALUE

SCORE_ID = "编号"
SCORE_NAME = "姓名"
SCORE_ADDITIONS = "加分"
SCORE_PERSON_TOTAL = "个人得分"
SCORE_MEMBER_MEAN = "成员平均"
SCORE_DEPT_ADDITIONS = "科室加分"
SCORE_DEPT_TOTAL = "科室得分"
SCORE_PROBLEMS = "无法计分的行"
SCORE_KEY_HEADERS = (SCORE_ID, SCORE_NAME, SCORE_PERSON_TOTAL)  # enough to find the header row


def score_headers(standards: Standards) -> tuple[str, ...]:
    """The person rows' columns of 得分, in order."""
    return (SCORE_ID, SCORE_NAME, *(n.code for n in standards.individual_norms),
            SCORE_ADDITIONS, SCORE_PERSON_TOTAL)


def department_block(standards: Standards) -> tuple[tuple[str, str], ...]:
    """The department block of 得分, in order: (key, the label the sheet shows). The keys
    are 成员平均, the department norms' codes, 科室加分, 科室得分 and 无法计分的行."""
    return ((SCORE_MEMBER_MEAN, f"成员平均（每人不超过 {standards.individual_base:g}）"),
            *((n.code, f"{n.code} {n.name}") for n in standards.department_norms),
            (SCORE_DEPT_ADDITIONS, f"科室加分（不超过 {standards.department_additions_cap:g}）"),
            (SCORE_DEPT_TOTAL, f"科室得分（满分 {standards.full_marks:g}）"),
            (SCORE_PROBLEMS, SCORE_PROBLEMS))


# The roster's optional columns (the street roster of --roster): the particulars the
# official 年度考核登记表 prints, and the facts of the year that bear on the grade.
ROSTER_FACT_COLUMNS = (
    ColumnSpec("性别", 6, required=False),
    ColumnSpec("出生年月", 10, required=False),
    ColumnSpec("政治面貌", 10, required=False),
    ColumnSpec("任现职时间", 11, required=False),
    ColumnSpec("职务职级", 16, required=False),
    ColumnSpec("从事或分管工作", 24, required=False),
    ColumnSpec("入职日期", 11, required=False, number_format="yyyy-mm-dd"),
    ColumnSpec("病事假天数", 10, required=False, number_format="0"),
    ColumnSpec("产假天数", 9, required=False, number_format="0"),
    ColumnSpec("立案审查", 9, required=False),
    ColumnSpec("处分", 8, required=False),
    ColumnSpec("处分日期", 11, required=False, number_format="yyyy-mm-dd"),
)
FACT_DATES = ("入职日期", "处分日期")
FACT_DAYS = ("病事假天数", "产假天数")
FACT_FLAG = "立案审查"
FLAG_YES, FLAG_NO = "是", "否"
FACT_SANCTION = "处分"

# 年度考核情况登记表 (the annual register): the assessment group's decisions, the year's
# figures the engine computed, and one printable page per person.
KIND_ANNUAL = "年度考核情况登记表"
SHEET_DECISIONS = "考核决定"
SHEET_PAGES = "登记表"
SHEET_YEAR_DATA = "考核数据"
TABLE_DECISIONS = "decisions"
# The sheets of the workbooks the project writes, in their tab order: a file's findings
# are listed in it (contract.findings.in_clerk_order).
SHEET_ORDER = (SHEET_INCIDENTS, SHEET_SCORES, SHEET_ROSTER, SHEET_STANDARDS, SHEET_BALLOT,
               SHEET_ASSESSMENT, SHEET_DECISIONS, SHEET_PAGES, SHEET_YEAR_DATA, SHEET_META)
TABLE_YEAR_DATA = "yeardata"
DECISIONS_HEADER_ROW = 5
YEAR_DATA_HEADER_ROW = 3
OPINION_AGREE, OPINION_REVIEW = "同意", "申请复核"
OPINIONS = (OPINION_AGREE, OPINION_REVIEW)
REVIEW_RESULTS = ("维持原等次", "已改定等次")   # the 复核结果 dropdown (free text allowed)
DECISION_COLUMNS = (
    ColumnSpec("编号", 10),
    ColumnSpec("姓名", 10),
    ColumnSpec("科室", 15),
    ColumnSpec("人员类别", 11),
    ColumnSpec("总分", 9, number_format="0.00"),
    ColumnSpec("建议等次", 17),
    ColumnSpec("确定等次", 11),
    ColumnSpec("鉴定意见", 36),
    ColumnSpec("本人意见", 10),
    ColumnSpec("复核结果", 20),
    ColumnSpec("考核池", 20, required=False),
    ColumnSpec("说明", 48, required=False),
)
DECISION_INPUTS = ("确定等次", "鉴定意见", "本人意见", "复核结果")
# Right of the decisions table, per pool in the standards' order: 考核池, 人数, 优秀名额,
# 已定优秀 (live), 提示; its header on the table's header row.
DECISIONS_QUOTA_COLUMN = 14   # N
QUOTA_DECIDED_OFFSET = 3      # 已定优秀: column Q
# What the register carries of the engine's proposal, per person (考核数据, protected; its
# digest in _meta tells an edit of it): the decisions are checked against these.
YEAR_DATA_KEYS = ("编号", "姓名", "科室", "人员类别", "岗位层级", "考核池", "总分", "建议等次",
                  "可评优秀", "限定等次")
YEAR_FIGURES = ("平时", "测评（百分）", "测评分", "考评分", "调整")
YEAR_PARTICULARS = ("性别", "出生年月", "政治面貌", "任现职时间", "职务职级", "从事或分管工作")
YEAR_DATA_NOTES = ("说明", "需要说明的情况")
META_DATA_DIGEST = "考核数据校验码"


def month_header(label: str) -> str:
    """考核数据's column for a month: ``2026-03`` → ``3月``."""
    return f"{int(label[5:7])}月"


def is_month_header(header: str) -> bool:
    """``3月``, ``12月`` (and not ``出生年月``)."""
    return header.endswith("月") and header[:-1].isdigit() and 1 <= int(header[:-1]) <= 12


def year_data_headers(months: Sequence[str]) -> tuple[str, ...]:
    """考核数据's columns: the proposal's keys, the figures, the months, particulars, notes."""
    return (*YEAR_DATA_KEYS, *YEAR_FIGURES, *months, *YEAR_PARTICULARS, *YEAR_DATA_NOTES)


def digest_text(value: object) -> str:
    """A 考核数据 value as the digest reads it: a number to six decimals (as every
    spreadsheet program saves it again), text without surrounding blanks, blank as ""."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        return f"{float(value):.6f}"
    return str(value).strip()


def data_digest(headers: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """The digest of 考核数据 as the pages show it: its columns, then every row in order,
    every column (the proposal, the figures, the months, the particulars and the notes).
    Written to _meta; compared when the register is read, so no figure, particular or
    note can be changed without the register being refused (register-data-changed)."""
    table = [list(headers), *([digest_text(r.get(h)) for h in headers] for r in rows)]
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# Excel's limits we design around.
EXCEL_SHEET_NAME_MAX = 31
EXCEL_INLINE_LIST_MAX = 255


# Frames arrive pooled: the rows of many registers at once, each row carrying its file's
# context in underscore columns, so one validation covers a whole batch of files.
FILE = "_file"            # which register the row came from (an integer)
PERIOD_START = "_start"   # the register's period (none: NaT in a frame)
PERIOD_END = "_end"
LEADERSHIP = "_leadership"  # the register of the leadership unit (街道领导班子)
ROSTER_NAME = "_roster_name"  # the 姓名 the row's 编号 has in its register's roster
KNOWN = "_known"          # the row's 编号 is in its register's roster
ROSTER_ID = "_roster_id"  # that roster row's 编号 as the formulas read it (ID_TEXT's twin)
ID_TEXT = "_id_text"      # the row's 编号 as the formulas read it (cell&"")
ID_BLANK = "_id_blank"    # … and whether they read it as blank (a department row)
