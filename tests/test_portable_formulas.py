"""Every formula the project writes is portable: read from the files' XML (cells, defined
names, Tables' calculated columns, conditional formatting, data validation), none holds a
structured reference, an array trick or a function outside the set that Excel, WPS,
LibreOffice and gnumeric evaluate alike."""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

import pytest

PORTABLE = {"SUM", "SUMIFS", "COUNTIFS", "INDEX", "MATCH", "IF", "IFERROR", "AND", "OR", "NOT",
            "ISNUMBER", "ISLOGICAL", "LEN", "LEFT", "MID", "RIGHT", "FIND", "SUBSTITUTE",
            "UPPER", "EXACT", "INT", "ROUND", "MIN", "MAX", "COUNT", "COUNTA", "DATE", "VALUE",
            "YEAR", "MONTH", "DAY", "WEEKDAY", "CHAR", "ROW"}
UDFS = {"QF_POINTS", "QF_SCORES", "QF_CHECK"}   # the .xlsm flavour's calls
FORMULA_TAGS = re.compile(rb"<(f|formula|formula1|formula2|calculatedColumnFormula)"
                          rb"(\s[^>]*)?>([^<]*)</\1>")
NAMES = re.compile(rb"<definedName [^>]*>([^<]*)</definedName>")
STRING = re.compile(r'"(?:[^"]|"")*"')
STRUCTURED = re.compile(r"[\w.\u4e00-\u9fff]\[|\[#")
FUNCTION = re.compile(r"([A-Z][A-Z0-9_.]*)\(")


def formulas_of(path: Path) -> list[tuple[str, str]]:
    """(part, formula text) of every formula in the package; an array formula's text is
    marked with ``{array}``."""
    out = []
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():
            if not part.endswith(".xml"):
                continue
            xml = z.read(part)
            for tag, attrs, text in FORMULA_TAGS.findall(xml):
                marker = "{array}" if tag == b"f" and b'"array"' in (attrs or b"") else ""
                out.append((part, marker + unescape(text.decode())))
            out += [(part, unescape(t.decode())) for t in NAMES.findall(xml)]
    return out


def problems(text: str, allowed: set[str]) -> list[str]:
    code = STRING.sub('""', text)  # what text literals say is no formula
    found = []
    if STRUCTURED.search(code):
        found.append("structured reference")
    if "{" in code.replace("{array}", ""):
        found.append("array constant")
    if "_xlfn." in code or "_xlws." in code:
        found.append("a function needing _xlfn.")
    found += [f"function {f}" for f in FUNCTION.findall(code) if f not in allowed]
    return found


@pytest.mark.parametrize("what", ["templates", "pairs", "monthly", "weekly", "evaluation"])
def test_no_structured_reference_or_array_trick_in_any_formula(written, what):
    checked = 0
    for path in written[what]:
        udf_flavour = path.suffix == ".xlsm"
        for part, text in formulas_of(path):
            allowed = PORTABLE | UDFS if udf_flavour else PORTABLE
            assert problems(text, allowed) == [], (path.name, part, text[:200])
            # An array formula only where the .xlsm's UDFs return a grid.
            if text.startswith("{array}"):
                assert udf_flavour and text.startswith(("{array}QF_SCORES(", "{array}QF_CHECK(")), (
                    path.name, text)
            checked += 1
    assert checked > (0 if what == "evaluation" else 100)


def test_the_scan_sees_what_it_must_refuse():
    assert problems("SUMPRODUCT((LEFT(qf_inc_item,4)=\"N01-\")*qf_inc_points)", PORTABLE) == [
        "function SUMPRODUCT"]
    assert problems("INDEX(incidents[[#Data],[分值]],1)", PORTABLE) == ["structured reference"]
    assert problems("incidents[分值]", PORTABLE) == ["structured reference"]
    assert problems('_xlfn.MAXIFS(A1:A2,B1:B2,"x")', PORTABLE)[0] == "a function needing _xlfn."
    assert problems('IF(A1="[1]","{x}",0)', PORTABLE) == []  # inside a text literal
