"""pandera schemas for the register sheets, built from the standards and the register's context.

Each check is named by its rule code in ``qianfen_xl.findings.RULES``; ``validation`` turns
pandera's failure cases back into findings naming the cell. Frames arrive normalised
(see ``qianfen_xl.normalise``): index = Excel row number, codes without their text,
次数 as float, 日期 as datetime64 (NaT when blank or unreadable).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from qianfen_xl.periods import Period
from qianfen_xl.standards import Standards


@dataclass(frozen=True)
class RegisterContext:
    """What a register is checked against besides the standards."""

    standards: Standards
    roster_names: Mapping[str, str] = field(default_factory=dict)  # 编号 → 姓名
    period: Period | None = None
    leadership: bool = False  # the register of the leadership unit (街道领导班子)


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


def roster_schema(standards: Standards) -> pa.DataFrameSchema:
    def allowed(values: tuple[str, ...] | list[str], rule: str) -> pa.Check:
        return pa.Check(lambda s: _blank(s) | s.isin(list(values)), name=rule)

    return pa.DataFrameSchema(
        {
            "编号": pa.Column(object, nullable=True, checks=[
                pa.Check(lambda s: ~_blank(s), name="roster-id-missing"),
                pa.Check(lambda s: _blank(s) | ~s.duplicated(keep="first"),
                         name="roster-id-duplicate"),
            ]),
            "姓名": pa.Column(object, nullable=True,
                            checks=pa.Check(lambda s: ~_blank(s), name="roster-name-missing")),
            "口": pa.Column(object, nullable=True,
                           checks=allowed(list(standards.lines), "roster-line-unknown")),
            "人员类别": pa.Column(object, nullable=True,
                              checks=allowed(standards.categories, "roster-category-unknown")),
            "岗位层级": pa.Column(object, nullable=True,
                              checks=allowed(standards.levels, "roster-level-unknown")),
        },
        strict=False,
        name="roster",
    )


def incident_schema(ctx: RegisterContext) -> pa.DataFrameSchema:
    s = ctx.standards
    codes = list(s.item_by_code) + list(s.addition_by_code)
    department_items = [i.code for i in s.items if i.scope == "department"]
    individual_items = [i.code for i in s.items if i.scope == "individual"]
    leadership_only = [i.code for i in s.items if "department" not in i.units]
    names = dict(ctx.roster_names)
    period = ctx.period

    def in_period(col: pd.Series) -> pd.Series:
        if period is None:
            return pd.Series(True, index=col.index)
        days = col.dt.date
        return col.isna() | ((days >= period.start) & (days <= period.end))

    def person_known(df: pd.DataFrame) -> pd.Series:
        return _blank(df["编号"]) | df["编号"].isin(list(names))

    def name_matches(df: pd.DataFrame) -> pd.Series:
        expected = df["编号"].map(names)
        return _blank(df["姓名"]) | expected.isna() | (df["姓名"].astype("string").str.strip()
                                                       == expected)

    def wide(rule: str, fn) -> pa.Check:  # noqa: ANN001 (a pandera check function)
        return pa.Check(fn, name=rule)

    return pa.DataFrameSchema(
        {
            "日期": pa.Column("datetime64[ns]", nullable=True,
                            checks=pa.Check(in_period, name="date-outside-period")),
            "编号": pa.Column(object, nullable=True),
            "姓名": pa.Column(object, nullable=True),
            "项目": pa.Column(object, nullable=True, checks=pa.Check(
                lambda c: _blank(c) | c.isin(codes), name="item-code-unknown")),
            "次数": pa.Column(float, nullable=True, checks=pa.Check(
                lambda c: c.isna() | ((c >= 1) & (c == c.round())), name="count-not-whole")),
            "事由": pa.Column(object, nullable=True),
        },
        checks=[
            wide("date-missing", lambda df: df["日期"].notna() | df["_date_bad"]),
            wide("item-missing", lambda df: ~_blank(df["项目"])),
            wide("count-missing", lambda df: df["次数"].notna() | df["_count_bad"]),
            wide("reason-missing", lambda df: ~_blank(df["事由"])),
            wide("person-required",
                 lambda df: ~(df["项目"].isin(individual_items) & _blank(df["编号"]))),
            wide("person-not-allowed",
                 lambda df: ~(df["项目"].isin(department_items) & ~_blank(df["编号"]))),
            wide("item-leadership-only",
                 lambda df: pd.Series(True, index=df.index) if ctx.leadership
                 else ~df["项目"].isin(leadership_only)),
            wide("person-unknown", person_known),
            wide("person-name-mismatch", name_matches),
        ],
        strict=False,
        name="incidents",
    )


def summary_schema(standards: Standards) -> pa.DataFrameSchema:
    """The 得分 sheet's person rows as read back (cached values) from a saved register.

    A value outside its bounds means a formula was overwritten; the engine's score stands.
    """
    def bounded(high: float) -> pa.Column:
        return pa.Column(float, nullable=True, required=False, checks=pa.Check(
            lambda s: s.isna() | s.between(0, high), name="score-cache-mismatch"))

    return pa.DataFrameSchema(
        {
            "编号": pa.Column(object, nullable=True),
            **{n.code: bounded(n.full) for n in standards.individual_norms},
            "加分": bounded(standards.person_additions_cap),
            "个人得分": bounded(standards.individual_base),
        },
        strict=False,
        name="summary",
    )
