"""pandera schemas for the register sheets, built from the standards and the register's context.

Each check is named by its rule code in ``qianfen_xl.findings.RULES``; ``validation`` turns
pandera's failure cases back into findings naming the cell. Frames arrive normalised
(see ``qianfen_xl.normalise``): codes without their text, 次数 as float, 日期 as
datetime64 (NaT when blank or unreadable). The schemas depend on the standards only
(built once, cached); what depends on each register is in the frame's ``_`` columns.

These are the declared schemas; ``checks`` runs the roster's and the incident log's in plain
Python, row for row the same (tests/test_plain_checks.py holds the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pandas as pd
import pandera.pandas as pa

from qianfen_xl.contract.normalise import ID_MAX_LENGTH
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


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def _per_file(df: pd.DataFrame, columns: list[str]) -> list[str]:
    return [FILE, *columns] if FILE in df.columns else columns


@cache
def roster_schema(standards: Standards) -> pa.DataFrameSchema:
    def allowed(values: tuple[str, ...] | list[str], rule: str) -> pa.Check:
        return pa.Check(lambda s: _blank(s) | s.isin(list(values)), name=rule)

    def unique_ids(df: pd.DataFrame) -> pd.Series:
        # The registers' formulas look a 编号 up ignoring case (Excel's MATCH): "a01" and
        # "A01" cannot both be on one roster.
        folded = df.assign(_folded=df["编号"].astype("string").str.lower())
        return _blank(df["编号"]) | ~folded.duplicated(_per_file(df, ["_folded"]), keep="first")

    def short_ids(s: pd.Series) -> pd.Series:
        return _blank(s) | (s.astype("string").str.len() <= ID_MAX_LENGTH)

    return pa.DataFrameSchema(
        {
            "编号": pa.Column(object, nullable=True,
                            checks=pa.Check(short_ids, name="roster-id-too-long")),
            "姓名": pa.Column(object, nullable=True),
            "口": pa.Column(object, nullable=True,
                           checks=allowed(list(standards.lines), "roster-line-unknown")),
            "人员类别": pa.Column(object, nullable=True,
                              checks=allowed(standards.categories, "roster-category-unknown")),
            "岗位层级": pa.Column(object, nullable=True,
                              checks=allowed(standards.levels, "roster-level-unknown")),
        },
        checks=[pa.Check(unique_ids, name="roster-id-duplicate"),
                # A person is a 编号 and a 姓名: a row with one of them lacks the other (a
                # check of the row: a column's check never sees its blank cells).
                pa.Check(lambda df: ~(_blank(df["编号"]) & ~_blank(df["姓名"])),
                         name="roster-id-missing"),
                pa.Check(lambda df: ~(_blank(df["姓名"]) & ~_blank(df["编号"])),
                         name="roster-name-missing")],
        strict=False,
        name="roster",
    )


@cache
def incident_schema(standards: Standards) -> pa.DataFrameSchema:
    s = standards
    codes = list(s.item_by_code) + list(s.addition_by_code)
    department_items = [i.code for i in s.items if i.scope == "department"]
    individual_items = [i.code for i in s.items if i.scope == "individual"]
    leadership_only = [i.code for i in s.items if "department" not in i.units]

    def in_period(df: pd.DataFrame) -> pd.Series:
        day = df["日期"]
        return (day.isna() | df[PERIOD_START].isna()
                | ((day >= df[PERIOD_START]) & (day <= df[PERIOD_END])))

    def name_matches(df: pd.DataFrame) -> pd.Series:
        expected = df[ROSTER_NAME]
        return _blank(df["姓名"]) | expected.isna() | (df["姓名"].astype("string").str.strip()
                                                       == expected)

    def id_as_on_roster(df: pd.DataFrame) -> pd.Series:
        """The formulas match a 编号 exactly as typed: one the reader recognises only after
        folding full-width forms or trimming spaces is a row the sheet cannot score."""
        seen_blank = _blank(df["编号"])
        exact = df[ID_TEXT] == df[ROSTER_ID]
        return df[ID_BLANK] | (~seen_blank & (~df[KNOWN] | exact))

    def wide(rule: str, fn: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
        return pa.Check(fn, name=rule)

    return pa.DataFrameSchema(
        {
            "日期": pa.Column("datetime64[ns]", nullable=True),
            "编号": pa.Column(object, nullable=True),
            "姓名": pa.Column(object, nullable=True),
            "项目": pa.Column(object, nullable=True, checks=pa.Check(
                lambda c: _blank(c) | c.isin(codes), name="item-code-unknown")),
            "次数": pa.Column(float, nullable=True, checks=pa.Check(
                lambda c: c.isna() | ((c >= 1) & (c == c.round())), name="count-not-whole")),
            "事由": pa.Column(object, nullable=True),
        },
        checks=[
            wide("date-outside-period", in_period),
            wide("date-missing", lambda df: df["日期"].notna() | df["_date_bad"]),
            wide("item-missing", lambda df: ~_blank(df["项目"])),
            wide("count-missing", lambda df: df["次数"].notna() | df["_count_bad"]),
            wide("reason-missing", lambda df: ~_blank(df["事由"])),
            wide("person-required",
                 lambda df: ~(df["项目"].isin(individual_items) & _blank(df["编号"]))),
            wide("person-not-allowed",
                 lambda df: ~(df["项目"].isin(department_items) & ~_blank(df["编号"]))),
            wide("item-leadership-only",
                 lambda df: df[LEADERSHIP] | ~df["项目"].isin(leadership_only)),
            wide("person-unknown", lambda df: _blank(df["编号"]) | df[KNOWN]),
            wide("person-id-inexact", id_as_on_roster),
            wide("person-name-mismatch", name_matches),
        ],
        strict=False,
        name="incidents",
    )


def _numeric(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.map(lambda v: v if not isinstance(v, bool) else None),
                         errors="coerce")


@cache
def ballot_schema(standards: Standards) -> pa.DataFrameSchema:
    """A 民主测评票's rows: 分数 0–100, or an 等次 or an abstention (弃权/不了解) from the
    standards; not both different."""
    grades = [*standards.ballots["grade_points"], *standards.ballots["abstain"]]

    def score_ok(s: pd.Series) -> pd.Series:
        number = _numeric(s)
        return _blank(s) | (number.notna() & number.between(0, 100))

    return pa.DataFrameSchema(
        {
            "对象": pa.Column(object, nullable=True),
            "分数": pa.Column(object, nullable=True, required=False,
                            checks=pa.Check(score_ok, name="ballot-invalid")),
            "等次": pa.Column(object, nullable=True, required=False, checks=pa.Check(
                lambda s: _blank(s) | s.astype("string").str.strip().isin(grades),
                name="ballot-invalid")),
        },
        strict=False,
        name="ballots",
    )


@cache
def assessment_schema(standards: Standards) -> pa.DataFrameSchema:
    """A 考评录入表's rows: 考评分 0–100 for a person, 0–满分 for a department; 调整 a number."""
    def score_ok(df: pd.DataFrame) -> pd.Series:
        number = _numeric(df["考评分"])
        high = (df["类别"] == "科室").map({True: standards.full_marks, False: 100.0})
        return _blank(df["考评分"]) | (number.notna() & (number >= 0) & (number <= high))

    return pa.DataFrameSchema(
        {
            "对象": pa.Column(object, nullable=True),
            "调整": pa.Column(object, nullable=True, required=False, checks=pa.Check(
                lambda s: _blank(s) | _numeric(s).notna(), name="adjustment-invalid")),
        },
        checks=[pa.Check(score_ok, name="assessment-invalid")],
        strict=False,
        name="assessments",
    )
