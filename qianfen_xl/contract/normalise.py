"""Cell values as clerks type them → the values the schemas check.

Full-width digits and letters (``１２``, ``Ｎ０３－０５``) are read as their ASCII forms in
codes, 编号, 次数 and dates; dates may be real dates, Excel serial numbers or text
(``2026-11-17``, ``2026/11/17``, ``2026年11月17日``). Free text (事由, 姓名) is never altered.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pandas as pd

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def ascii_form(text: str) -> str:
    """Full-width → ASCII (NFKC), dashes unified, surrounding blanks removed."""
    # Headers, codes and ids recur file after file: short texts are remembered (long ones
    # are not, so a hostile file cannot fill the cache with megabytes).
    return _ascii_form_short(text) if len(text) <= 64 else _ascii_form(text)


def _ascii_form(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[‐‑‒–—―−－]", "-", folded).strip()


_ascii_form_short = functools.lru_cache(maxsize=4096)(_ascii_form)


def to_text(value: object) -> str | None:
    """Free text as typed (a number typed in a text column reads as its digits)."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def to_key(value: object) -> str | None:
    """An identifier (编号): ASCII form, so ``Ａ０１`` and ``A01`` are the same person."""
    text = to_text(value)
    return ascii_form(text) if text is not None else None


def to_code(value: object) -> str | None:
    """The item or addition code of a 项目 cell: ``N03-05 办公时间…`` → ``N03-05``."""
    text = to_key(value)
    if text is None:
        return None
    return text.split()[0].upper()


def to_count(value: object) -> tuple[float | None, bool]:
    """(number, unreadable?) for a 次数 cell."""
    if is_blank(value):
        return None, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int | float):
        return float(value), False
    try:
        number = float(ascii_form(str(value)))
    except ValueError:
        return None, True
    return (number, False) if math.isfinite(number) else (None, True)


def to_date(value: object) -> tuple[date | None, bool]:
    """(date, unreadable?) for a 日期 cell."""
    if is_blank(value):
        return None, False
    if isinstance(value, datetime):
        return value.date(), False
    if isinstance(value, date):
        return value, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # Excel's last date is 9999-12-31
            return EXCEL_EPOCH + timedelta(days=int(value)), False
        return None, True
    text = ascii_form(str(value))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date(), False
        except ValueError:
            continue
    return None, True


def normalise_incidents(raw: pd.DataFrame) -> pd.DataFrame:
    """The 登记 frame for the schema: same index (Excel rows), typed columns and two flags
    (``_date_bad``/``_count_bad``) marking cells that held something unreadable."""
    dates = [to_date(v) for v in raw.get("日期", pd.Series(index=raw.index, dtype=object))]
    counts = [to_count(v) for v in raw.get("次数", pd.Series(index=raw.index, dtype=object))]

    def column(name: str, fn: Callable[[object], str | None]) -> pd.Series:
        source = raw[name] if name in raw else pd.Series(None, index=raw.index, dtype=object)
        return pd.Series([fn(v) for v in source], index=raw.index, dtype=object)

    return pd.DataFrame(
        {
            "日期": pd.to_datetime(pd.Series([d for d, _ in dates], index=raw.index,
                                             dtype=object)).astype("datetime64[ns]"),
            "编号": column("编号", to_key),
            "姓名": column("姓名", to_text),
            "项目": column("项目", to_code),
            "次数": pd.Series([c for c, _ in counts], index=raw.index, dtype="float64"),
            "事由": column("事由", to_text),
            "登记人": column("登记人", to_text),
            "_date_bad": pd.Series([b for _, b in dates], index=raw.index, dtype=bool),
            "_count_bad": pd.Series([b for _, b in counts], index=raw.index, dtype=bool),
            **_bookkeeping(raw),
        },
        index=raw.index,
    )


def _bookkeeping(raw: pd.DataFrame) -> dict[str, pd.Series]:
    """Columns the caller added (``_file``, ``_row``) pass through unchanged."""
    return {c: raw[c] for c in raw.columns if isinstance(c, str) and c.startswith("_")}


def normalise_roster(raw: pd.DataFrame) -> pd.DataFrame:
    """The 人员 frame for the schema: 编号 in ASCII form, the other columns as typed."""
    def column(name: str, fn: Callable[[object], str | None]) -> list[str | None]:
        return [fn(v) for v in raw[name]] if name in raw else [None] * len(raw)

    data = {"编号": column("编号", to_key)}
    data |= {h: column(h, to_text) for h in ("姓名", "科室", "口", "人员类别", "岗位层级")}
    frame = pd.DataFrame(data, index=raw.index, dtype=object)
    for name, values in _bookkeeping(raw).items():
        frame[name] = values
    return frame
