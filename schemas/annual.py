"""pandera schemas for the year: the roster's facts of the year (its optional columns) and
the 年度考核情况登记表's decisions table. Checks are named by their rule code; the callers
map failures back to cells.

Frames arrive normalised: texts stripped (None when blank), dates as ``datetime.date``,
day counts as float; a cell that held something unreadable has its ``_bad_<column>`` flag
set. The decisions frame carries, per row, what the engine proposed for that person:
``_choices`` (the words 确定等次 may take), ``_excellent_allowed`` and ``_known`` (its
编号 is one the engine graded).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from qianfen_xl.contract.standards import Standards
from qianfen_xl.schemas.columns import (
    FACT_DATES,
    FACT_DAYS,
    FACT_FLAG,
    FACT_SANCTION,
    FLAG_NO,
    FLAG_YES,
    OPINION_REVIEW,
    OPINIONS,
)

CHOICES = "_choices"
EXCELLENT_ALLOWED = "_excellent_allowed"
KNOWN = "_known"


def bad(column: str) -> str:
    """The flag column marking unreadable cells of ``column``."""
    return f"_bad_{column}"


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | (s.astype("string").str.strip() == "")


@cache
def roster_facts_schema(standards: Standards) -> pa.DataFrameSchema:
    """The roster's facts of the year: dates readable, day counts numbers ≥ 0, 立案审查
    是 or 否, 处分 a sanction of the standards with its date."""
    sanctions = [s.name for s in standards.grading.sanctions]

    def flags(rule: str) -> pa.Column:
        return pa.Column(bool, required=False, checks=pa.Check(lambda s: ~s, name=rule))

    columns: dict[str, pa.Column] = {bad(c): flags("roster-date-invalid") for c in FACT_DATES}
    columns |= {bad(c): flags("roster-days-invalid") for c in FACT_DAYS}
    columns |= {c: pa.Column(float, nullable=True, required=False, checks=pa.Check(
        lambda s: s.isna() | (s >= 0), name="roster-days-invalid")) for c in FACT_DAYS}
    columns[FACT_FLAG] = pa.Column(object, nullable=True, required=False, checks=pa.Check(
        lambda s: _blank(s) | s.isin([FLAG_YES, FLAG_NO]), name="roster-flag-invalid"))
    columns[FACT_SANCTION] = pa.Column(object, nullable=True, required=False, checks=pa.Check(
        lambda s: _blank(s) | s.isin(sanctions), name="roster-sanction-unknown"))

    def dated(df: pd.DataFrame) -> pd.Series:
        """A known sanction needs its date (an unknown one is reported as such)."""
        if FACT_SANCTION not in df:
            return pd.Series(True, index=df.index)
        when = df["处分日期"] if "处分日期" in df else pd.Series(None, index=df.index)
        return (~df[FACT_SANCTION].isin(sanctions) | when.notna()
                | df.get(bad("处分日期"), pd.Series(False, index=df.index)))

    return pa.DataFrameSchema(columns, checks=[pa.Check(dated, name="roster-sanction-date-missing")],
                              strict=False, name="roster-facts")


@cache
def decisions_schema(standards: Standards, final: bool) -> pa.DataFrameSchema:
    """The decisions table: 确定等次 one of the person's choices, 优秀 only where allowed,
    本人意见 同意 or 申请复核. ``final`` (finalize): every 确定等次 filled and every 申请复核
    answered in 复核结果."""
    excellent = standards.grading.excellent

    def chosen(df: pd.DataFrame) -> pd.Series:
        grade = df["确定等次"]
        ok = [g is None or g in c for g, c in zip(grade, df[CHOICES], strict=True)]
        return pd.Series(ok, index=df.index) | ~df[KNOWN]

    def allowed(df: pd.DataFrame) -> pd.Series:
        return ~((df["确定等次"] == excellent) & ~df[EXCELLENT_ALLOWED] & df[KNOWN])

    checks = [pa.Check(chosen, name="decision-grade-invalid"),
              pa.Check(allowed, name="decision-excellent-ineligible")]
    if final:
        checks += [
            pa.Check(lambda df: ~_blank(df["确定等次"]) | ~df[KNOWN], name="decision-missing"),
            pa.Check(lambda df: ~((df["本人意见"] == OPINION_REVIEW) & _blank(df["复核结果"])),
                     name="decision-review-pending"),
        ]
    return pa.DataFrameSchema(
        {"本人意见": pa.Column(object, nullable=True, checks=pa.Check(
            lambda s: _blank(s) | s.isin(list(OPINIONS)), name="decision-opinion-invalid"))},
        checks=checks, strict=False, name="decisions")
