"""Where a 周/月考核情况登记表 puts things: rows of its tables, the columns of the helper
formulas, and the ranges its defined names cover. One object per register, computed from
the standards, the kind, the incident rows and the roster's size; the sheet writers, the
formulas and the model of the cached values all read it."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from qianfen_xl.contract.standards import Standards
from qianfen_xl.schemas.columns import (
    CATALOGUE_COLUMNS,
    CATALOGUE_HEADER_ROW,
    CATALOGUE_HELPERS,
    INCIDENT_COLUMNS,
    INCIDENT_HEADER_ROW,
    INCIDENT_HELPERS,
    INCIDENT_MARGIN,
    INCIDENT_TAIL,
    ROSTER_COLUMNS,
    ROSTER_HEADER_ROW,
    ROSTER_HELPERS,
    SCORES_HEADER_ROW,
    department_block,
)


def _letters(headers: tuple[str, ...]) -> dict[str, str]:
    return {h: get_column_letter(c) for c, h in enumerate(headers, start=1)}


INCIDENT_HEADERS = (*(c.header for c in INCIDENT_COLUMNS), *INCIDENT_HELPERS)
ROSTER_HEADERS = (*(c.header for c in ROSTER_COLUMNS), *ROSTER_HELPERS)
CATALOGUE_HEADERS = (*CATALOGUE_COLUMNS, *CATALOGUE_HELPERS)
INC = _letters(INCIDENT_HEADERS)       # 登记: header → column letter
ROS = _letters(ROSTER_HEADERS)         # 人员
CAT = _letters(CATALOGUE_HEADERS)      # 评分标准
# The 登记 columns a clerk types in (a row is in use when any of them holds something).
INPUTS = ("日期", "编号", "姓名", "项目", "次数", "事由", "登记人")
CODE, ITEM, WHO, NORM, STATUS = INCIDENT_HELPERS   # the helpers by meaning

# The .xlsm's UDFs get the tables as plain ranges (no structured reference anywhere).
NAME_INCIDENT_TABLE = "qf_incident_table"
NAME_ROSTER_TABLE = "qf_roster_table"
PERIOD_DISPLAY = "G2"  # 登记's 起止: the period's first and last day (from _meta)

# _STATUS of an incident row: blank, scored, or a problem the formulas cannot score.
BLANK, SCORED, PROBLEM = 0, 1, 2
NOT_SCORED = -1   # _规范 of a row not scored; _人员 of a 编号 not (exactly, once) on the roster
# Period bounds when the period cannot be read: every date passes (the header check says
# why). Plain serials: DATE(1900,1,1) is 1 in Excel and gnumeric but 2 in LibreOffice.
NO_PERIOD_START, NO_PERIOD_END = 1, 2958465


@dataclass(frozen=True)
class RegisterLayout:
    kind: str
    incident_rows: int          # rows of the incidents Table
    roster_rows: int            # rows of the roster Table = person rows of 得分
    catalogue_rows: int         # items and additions on 评分标准
    block_rows: int             # the department block beside the person rows

    @classmethod
    def of(cls, kind: str, standards: Standards, incident_rows: int,
           roster_rows: int) -> RegisterLayout:
        return cls(kind, incident_rows, roster_rows,
                   len(standards.items) + len(standards.additions),
                   len(department_block(standards)))

    # 登记
    @property
    def first(self) -> int:
        return INCIDENT_HEADER_ROW + 1

    @property
    def last(self) -> int:
        return INCIDENT_HEADER_ROW + self.incident_rows

    @property
    def names_end(self) -> int:
        return self.last + INCIDENT_MARGIN

    @property
    def tail_end(self) -> int:
        return self.names_end + INCIDENT_TAIL

    # 人员
    @property
    def roster_first(self) -> int:
        return ROSTER_HEADER_ROW + 1

    @property
    def roster_last(self) -> int:
        return ROSTER_HEADER_ROW + self.roster_rows

    # 评分标准
    @property
    def catalogue_first(self) -> int:
        return CATALOGUE_HEADER_ROW + 1

    @property
    def catalogue_last(self) -> int:
        return CATALOGUE_HEADER_ROW + self.catalogue_rows

    # 得分
    @property
    def scores_first(self) -> int:
        return SCORES_HEADER_ROW + 1

    @property
    def scores_last(self) -> int:
        return SCORES_HEADER_ROW + self.roster_rows

    def block_row(self, position: int) -> int:
        """The 得分 row of the department block's ``position``-th line (from 0)."""
        return self.scores_first + position
