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
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the frames are built for the pandera schemas only: pandas comes then
    import pandas as pd

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

# How the registers' portable formulas read a cell (forms/formulas.py writes them; the
# template model and the validator read cells the same way, so that a row the sheet counts
# as a problem is one the validator names, and the other way round).
# A cell made only of these characters is blank to the formulas.
FORMULA_SPACES = (" ", "\u3000", "\u00a0", "\t", "\n", "\r")
# Between an item's code and its text: a space, an ideographic or a no-break space.
CODE_SEPARATORS = ("\u3000", "\u00a0")
DASHES = "‐‑‒–—―−"  # read as "-" in a code (the full-width "－" is one of the full-width forms)
ID_MAX_LENGTH = 100  # a longer 编号 is never matched: Excel's MATCH refuses criteria over 255
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {ord(d): "-" for d in DASHES}


# What no XML 1.0 text may hold (so no workbook can be written with it): control
# characters but tab and line breaks, lone surrogates (an ``_xD800_`` escape read back),
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
WORD_LINE_BREAK = "\x0b"  # Word's manual line break, pasted into a cell as _x000B_


def clean_text(text: str) -> str:
    r"""Text as every writer can take it, cleaned when it is read: Word's line break
    becomes a line break, any other character XML cannot carry U+FFFD.

    >>> clean_text("同意\x0b本人意见"), clean_text("冯\x01若溪")
    ('同意\n本人意见', '冯\ufffd若溪')
    """
    if text.isprintable():  # C speed: no control character at all (the usual case)
        return text
    return _NOT_XML.sub("\ufffd", text.replace(WORD_LINE_BREAK, "\n"))


_NOT_IN_NAMES = frozenset('\\/:*?"<>|')  # separators, and what Windows refuses in a name


def file_part(text: str, limit: int = 40) -> str:
    """Text from a cell as part of a file name, never a path: separators, what Windows
    refuses and control characters become "_", no leading dot or blank, ``limit``
    characters at most.

    >>> file_part("../../X"), file_part("社保所"), file_part("")
    ('_.._X', '社保所', '_')
    """
    clean = "".join("_" if ch in _NOT_IN_NAMES or not ch.isprintable() else ch
                    for ch in text[:limit])
    return clean.lstrip(". ") or "_"


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


def cell_text(value: object) -> str:
    """The text a formula makes of a cell (``cell&""``): a whole number without ".0", a
    date as its serial number, a blank cell "".

    >>> cell_text(1001.0), cell_text(2.5), cell_text(None), cell_text(date(2026, 11, 17))
    ('1001', '2.5', '', '46343')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date):
        value = excel_serial(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    return str(value)


def excel_serial(day: date | datetime) -> float:
    """Excel's serial number of a date (with its time as the fraction)."""
    if isinstance(day, datetime):
        delta = day - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((day - EXCEL_EPOCH).days)


def is_formula_blank(value: object) -> bool:
    """Blank as the formulas see it: empty, or only spaces, tabs and line breaks."""
    text = cell_text(value)
    for space in FORMULA_SPACES:
        text = text.replace(space, "")
    return text == ""


def item_code(value: object, substitutions: Iterable[tuple[str, str]]) -> str:
    """The code the formulas read from a 项目 cell: the text before the first space (an
    ideographic or no-break space counts; leading spaces are skipped), each character of
    ``substitutions`` replaced (full-width forms, dashes), in upper case."""
    text = cell_text(value)
    for separator in CODE_SEPARATORS:
        text = text.replace(separator, " ")
    token = text.lstrip(" ").split(" ", 1)[0]
    for old, new in substitutions:
        token = token.replace(old, new)
    return token.upper()


def to_code(value: object) -> str | None:
    """The item or addition code of a 项目 cell: ``N03-05 办公时间…`` → ``N03-05``.

    Read as the formulas read it (:func:`item_code`), with every full-width form and dash:
    whatever the formulas cannot match to the catalogue, this cannot either.

    >>> to_code("Ｎ０３－０５\u3000办公时间"), to_code(" b01"), to_code("N03-05。说明")
    ('N03-05', 'B01', 'N03-05。说明')
    """
    if is_blank(value):
        return None
    text = cell_text(value)
    for separator in CODE_SEPARATORS:
        text = text.replace(separator, " ")
    token = text.lstrip(" ").split(" ", 1)[0].translate(_FULL_WIDTH).upper()
    return token or None


def to_count(value: object) -> tuple[float | None, bool]:
    """(number, unreadable?) for a 次数 cell: infinity, as a file may hold it (1e309), is no
    number either.

    >>> to_count(2.0), to_count("２"), to_count(float("inf")), to_count("两次")
    ((2.0, False), (2.0, False), (None, True), (None, True))
    """
    if is_blank(value):
        return None, False
    if isinstance(value, bool):
        return None, True
    if isinstance(value, int | float):
        return (float(value), False) if math.isfinite(value) else (None, True)
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


Columns = dict[str, list[Any]]  # a table column by column, rows by position


def incident_columns(raw: Mapping[str, Sequence[object]], rows: int) -> Columns:
    """The 登记 columns for the checks: typed columns and flags: ``_date_bad``/``_count_bad``
    mark cells that held something unreadable, ``_date_text``/``_count_text`` text the
    formulas cannot compute with (a date or a number typed as text), ``_id_text`` is the
    编号 as the formulas read it and ``_id_blank`` whether they read it as blank. 日期 is a
    date or None, 次数 a float or None. Columns the caller added (``_file``, ``_row``)
    pass through."""
    def column(name: str) -> Sequence[object]:
        return raw[name] if name in raw else [None] * rows

    raw_dates, raw_counts = column("日期"), column("次数")
    dates = [to_date(v) for v in raw_dates]
    counts = [to_count(v) for v in raw_counts]
    ids = [cell_text(v) for v in column("编号")]
    return {
        "日期": [d for d, _ in dates],
        "编号": [to_key(v) for v in column("编号")],
        "姓名": [to_text(v) for v in column("姓名")],
        "项目": [to_code(v) for v in column("项目")],
        "次数": [c for c, _ in counts],
        "事由": [to_text(v) for v in column("事由")],
        "登记人": [to_text(v) for v in column("登记人")],
        "_date_bad": [b for _, b in dates],
        "_count_bad": [b for _, b in counts],
        "_date_text": [isinstance(v, str) and d is not None
                       for v, (d, _) in zip(raw_dates, dates, strict=True)],
        "_count_text": [isinstance(v, str) and c is not None
                        for v, (c, _) in zip(raw_counts, counts, strict=True)],
        "_id_text": ids,
        "_id_blank": [is_formula_blank(t) for t in ids],
        **_bookkeeping(raw),
    }


def roster_columns(raw: Mapping[str, Sequence[object]], rows: int) -> Columns:
    """The 人员 columns for the checks: 编号 in ASCII form (``_id_text``: as the formulas
    read it), the other columns as typed. Columns the caller added pass through."""
    def column(name: str, fn: Callable[[object], str | None]) -> list[str | None]:
        return [fn(v) for v in raw[name]] if name in raw else [None] * rows

    out: Columns = {"编号": column("编号", to_key)}
    out |= {h: column(h, to_text) for h in ("姓名", "科室", "口", "人员类别", "岗位层级")}
    out["_id_text"] = [cell_text(v) for v in raw["编号"]] if "编号" in raw else [""] * rows
    return out | _bookkeeping(raw)


def _bookkeeping(raw: Mapping[str, Sequence[object]]) -> Columns:
    """Columns the caller added (``_file``, ``_row``) pass through unchanged."""
    return {c: list(v) for c, v in raw.items() if isinstance(c, str) and c.startswith("_")}


# incident_columns' flags, boolean columns in the frame.
_FLAGS = frozenset({"_date_bad", "_count_bad", "_date_text", "_count_text", "_id_blank"})


def normalise_incidents(raw: pd.DataFrame) -> pd.DataFrame:
    """:func:`incident_columns` as the frame the pandera schema checks (same index):
    日期 as datetime64 (NaT when blank or unreadable), 次数 as float64."""
    import pandas as pd

    cols = incident_columns(_frame_columns(raw), len(raw))
    data: dict[str, pd.Series] = {}
    for name, values in cols.items():
        if name == "日期":
            data[name] = pd.to_datetime(pd.Series(values, index=raw.index, dtype=object)
                                        ).astype("datetime64[ns]")
        elif name == "次数":
            data[name] = pd.Series(values, index=raw.index, dtype="float64")
        elif name in _FLAGS:
            data[name] = pd.Series(values, index=raw.index, dtype=bool)
        elif name in raw and name.startswith("_"):
            data[name] = raw[name]
        else:
            data[name] = pd.Series(values, index=raw.index, dtype=object)
    return pd.DataFrame(data, index=raw.index)


def normalise_roster(raw: pd.DataFrame) -> pd.DataFrame:
    """:func:`roster_columns` as the frame the pandera schema checks (same index)."""
    import pandas as pd

    cols = roster_columns(_frame_columns(raw), len(raw))
    frame = pd.DataFrame({k: v for k, v in cols.items() if k not in raw or not k.startswith("_")},
                         index=raw.index, dtype=object)
    for name in (c for c in raw.columns if isinstance(c, str) and c.startswith("_")):
        frame[name] = raw[name]
    return frame


def _frame_columns(raw: pd.DataFrame) -> dict[str, list[Any]]:
    return {c: raw[c].tolist() for c in raw.columns if isinstance(c, str)}
