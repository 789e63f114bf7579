"""The standards file: norms, items, additions, caps, weights, grades, loaded once, immutable.

The default scheme ships as ``qianfen_xl/data/standards.toml``; an office may pass its own.
A broken file is refused with a :class:`StandardsError` naming the key, e.g.
``norms[2].items[4].points: 必须是不小于 0 的数``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from qianfen_xl.contract.calendar import WorkCalendar, parse_calendar
from qianfen_xl.contract.checking import check_keys as _check_keys
from qianfen_xl.contract.checking import fail as _fail
from qianfen_xl.contract.checking import freeze as _freeze
from qianfen_xl.contract.checking import number as _number
from qianfen_xl.contract.checking import table as _table
from qianfen_xl.contract.checking import text as _text
from qianfen_xl.contract.checking import texts as _texts
from qianfen_xl.contract.checking import weights as _weights
from qianfen_xl.contract.checking import whole as _whole
from qianfen_xl.contract.dates import DEFAULT_WINDOW, DateWindow, parse_dates
from qianfen_xl.contract.errors import StandardsError, describe_os_error
from qianfen_xl.contract.grading import Grading, parse_grading
from qianfen_xl.contract.limits import LimitExceeded, read_source

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "standards.toml"
SCOPES = ("individual", "department")
UNIT_KINDS = ("department", "leadership")
# What a department's period missing a register becomes: not ranked (block), or ranked on
# the registers it has, with a warning (warn).
COMPLETENESS = ("block", "warn")


@dataclass(frozen=True, slots=True)
class Item:
    """One deduction item, e.g. ``N03-05``: points per occurrence are deducted from its norm."""

    code: str
    norm: str
    no: int
    text: str
    points: float
    scope: str
    group: str = ""
    veto: bool = False
    units: tuple[str, ...] = UNIT_KINDS

    @property
    def label(self) -> str:
        """What the 项目 dropdown shows: the code, a space, the text (a long one up to the
        end of a clause, marked with "…", never cut in the middle of a word)."""
        return f"{self.code} {short_text(self.text)}"


@dataclass(frozen=True, slots=True)
class Addition:
    """One addition (加分), e.g. ``B01 街道通报表扬 +5`` per occurrence."""

    code: str
    text: str
    points: float

    @property
    def label(self) -> str:
        return f"{self.code} {self.text}"


@dataclass(frozen=True, slots=True)
class Norm:
    code: str
    name: str
    scope: str
    full: float
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class GradeLevel:
    name: str
    min_score: float


@dataclass(frozen=True, slots=True, eq=False)
class Standards:
    """The whole scheme. Build it with :func:`load_standards`; never mutate it."""

    name: str
    version: str
    unit: str
    leadership_unit: str
    regulation_unit: str
    full_marks: float
    individual_base: float
    decimals: int
    person_additions_cap: float
    department_additions_cap: float
    levels: tuple[str, ...]
    categories: tuple[str, ...]
    lines: Mapping[str, str]
    norms: tuple[Norm, ...]
    additions: tuple[Addition, ...]
    annual: Mapping[str, Any]
    ballots: Mapping[str, Any]
    grading: Grading
    calendar: WorkCalendar
    advanced_department: Mapping[str, Any]
    quarter: Mapping[str, Any]
    digest: str
    completeness: str = "block"
    dates: DateWindow = DEFAULT_WINDOW

    @property
    def grades(self) -> tuple[GradeLevel, ...]:
        """The grades of the first 人员类别's vocabulary with their score lines."""
        return self.grade_levels(self.categories[0])

    def grade_levels(self, category: str) -> tuple[GradeLevel, ...]:
        """A 人员类别's grades with their score lines, best first."""
        names = self.grading.vocabulary(category)
        return tuple(GradeLevel(n, s) for n, s in zip(names, self.grading.min_scores,
                                                      strict=True))

    @property
    def excellent_grade(self) -> str:
        return self.grading.excellent

    @property
    def excellent_quota(self) -> float:
        return self.grading.quota

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for norm in self.norms for item in norm.items)

    @property
    def individual_norms(self) -> tuple[Norm, ...]:
        return tuple(n for n in self.norms if n.scope == "individual")

    @property
    def department_norms(self) -> tuple[Norm, ...]:
        return tuple(n for n in self.norms if n.scope == "department")

    @property
    def item_by_code(self) -> Mapping[str, Item]:
        return _item_index(self)

    @property
    def addition_by_code(self) -> Mapping[str, Addition]:
        return _addition_index(self)

    @property
    def norm_by_code(self) -> Mapping[str, Norm]:
        return _norm_index(self)

    @property
    def short_digest(self) -> str:
        return self.digest[:12]

    def text_for(self, text: str, unit: str) -> str:
        """An item's text as a unit's register shows it: where the regulation names its own
        street (``regulation_unit``), the unit's name.

        >>> s = load_standards()
        >>> "柳荫街道" in s.text_for(s.item_by_code["N02-03"].text, "柳荫街道")
        True
        """
        return text.replace(self.regulation_unit, unit) if self.regulation_unit else text


LABEL_LENGTH = 20  # characters of an item's text the 项目 dropdown (and cell) shows
_CLAUSE_ENDS = "，,；;。：:、"


def short_text(text: str, limit: int = LABEL_LENGTH) -> str:
    """``text`` as it fits a dropdown: whole when short, else up to the last clause end
    (，；。：、) within ``limit`` characters, else ``limit`` characters; cut text ends in "…".

    >>> short_text("上班时间必须佩戴胸卡。行政执法人员执行公务时要按规定持证着装上岗。")
    '上班时间必须佩戴胸卡…'
    >>> short_text("办公时间上网聊天、玩游戏")
    '办公时间上网聊天、玩游戏'
    """
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(ch) for ch in _CLAUSE_ENDS)
    return (head[:cut] if cut >= limit // 3 else head).rstrip() + "…"


# Standards compare by identity (eq=False), so these per-object indexes can be cached.
@cache
def _item_index(standards: Standards) -> Mapping[str, Item]:
    return MappingProxyType({item.code: item for item in standards.items})


@cache
def _addition_index(standards: Standards) -> Mapping[str, Addition]:
    return MappingProxyType({a.code: a for a in standards.additions})


@cache
def _norm_index(standards: Standards) -> Mapping[str, Norm]:
    return MappingProxyType({n.code: n for n in standards.norms})


# ---------------------------------------------------------------- loading and checking

_TOP_KEYS = {
    "standards", "scoring", "people", "additions", "annual", "ballots", "grades",
    "advanced_department", "calendar", "quarter", "consolidation", "norms", "dates",
}
# Sections that score nothing, so an office may change them without its registers
# reporting standards-differ: the working-day calendar, the window of years a date may
# fall in.
_UNHASHED = {"calendar", "dates"}
_KEYS = {
    "standards": {"name", "version", "unit", "leadership_unit", "regulation_unit"},
    "scoring": {
        "full_marks", "individual_base", "default_points", "decimals",
        "person_additions_cap", "department_additions_cap",
    },
    "people": {"levels", "categories", "lines"},
    "addition": {"code", "text", "points"},
    "annual": {
        "regular_max", "evaluation_multiplier", "assessment_multiplier", "total_min",
        "total_max", "year_weights", "department_weights",
    },
    "ballots": {"trim_min_ballots", "subtotal_min_marks", "all_staff_group", "grade_points",
                "abstain", "weights"},
    "advanced_department": {"share", "minimum", "min_score", "within"},
    "quarter": {"grades", "pending", "poor_below", "fair_below", "best_share", "best_minimum",
                "not_graded", "excellent_needs_good", "excellent_forbids_poor"},
    "consolidation": {"completeness"},
    "norm": {"code", "name", "scope", "full", "points", "items"},
    "item": {"no", "group", "text", "points", "veto", "units"},
}


def _load_norms(raw: Any, default_points: float, leadership: str) -> tuple[Norm, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail("norms", "至少需要一个规范")
    norms: list[Norm] = []
    seen_norms: set[str] = set()
    for i, nd in enumerate(raw):
        path = f"norms[{i}]"
        if not isinstance(nd, dict):
            raise _fail(path, "必须是一个表")
        _check_keys(nd, path, _KEYS["norm"])
        code = _text(nd, "code", path)
        if code in seen_norms:
            raise _fail(f"{path}.code", f"规范代码 {code} 重复")
        seen_norms.add(code)
        scope = nd.get("scope")
        if scope not in SCOPES:
            raise _fail(f"{path}.scope", f"必须是 {' 或 '.join(SCOPES)}")
        full = _number(nd, "full", path)
        norm_points = _number(nd, "points", path, default=default_points)
        items: list[Item] = []
        raw_items = nd.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise _fail(f"{path}.items", "至少需要一个条款")
        seen_no: set[int] = set()
        for j, it in enumerate(raw_items):
            ipath = f"{path}.items[{j}]"
            if not isinstance(it, dict):
                raise _fail(ipath, "必须是一个表")
            _check_keys(it, ipath, _KEYS["item"])
            no = it.get("no")
            if isinstance(no, bool) or not isinstance(no, int) or not 1 <= no <= 99:
                raise _fail(f"{ipath}.no", "条款号必须是 1 到 99 的整数")
            if no in seen_no:
                raise _fail(f"{ipath}.no", f"条款号 {code}-{no:02d} 重复")
            seen_no.add(no)
            units = it.get("units", list(UNIT_KINDS))
            if not isinstance(units, list) or not units or any(u not in UNIT_KINDS for u in units):
                raise _fail(f"{ipath}.units", f"必须是 {UNIT_KINDS} 中的值组成的列表")
            veto = it.get("veto", False)
            if not isinstance(veto, bool):
                raise _fail(f"{ipath}.veto", "必须是 true 或 false")
            items.append(Item(
                code=f"{code}-{no:02d}", norm=code, no=no, text=_text(it, "text", ipath),
                points=_number(it, "points", ipath, default=norm_points), scope=scope,
                group=str(it.get("group", "")), veto=veto, units=tuple(units),
            ))
        norms.append(Norm(code, _text(nd, "name", path), scope, full, tuple(items)))
    return tuple(norms)


def _load_additions(raw: Any, norms: tuple[Norm, ...]) -> tuple[Addition, ...]:
    if not isinstance(raw, list):
        raise _fail("additions", "必须是表的列表")
    additions: list[Addition] = []
    item_codes = {item.code for n in norms for item in n.items}
    for i, ad in enumerate(raw):
        path = f"additions[{i}]"
        if not isinstance(ad, dict):
            raise _fail(path, "必须是一个表")
        _check_keys(ad, path, _KEYS["addition"])
        code = _text(ad, "code", path)
        if code in item_codes or code in {a.code for a in additions}:
            raise _fail(f"{path}.code", f"代码 {code} 重复")
        if " " in code:
            raise _fail(f"{path}.code", "代码不能含空格")
        additions.append(Addition(code, _text(ad, "text", path), _number(ad, "points", path)))
    return tuple(additions)


def _check_scoring(scoring: Mapping[str, Any], norms: tuple[Norm, ...]) -> None:
    """满分 and the individual base must be what the norms add up to."""
    individual_base = _number(scoring, "individual_base", "scoring")
    individual_sum = sum(n.full for n in norms if n.scope == "individual")
    if not math.isclose(individual_sum, individual_base):
        raise _fail("scoring.individual_base",
                    f"个人计分基数 {individual_base:g} 不等于个人规范满分之和 {individual_sum:g}")
    if not math.isclose(sum(n.full for n in norms), _number(scoring, "full_marks", "scoring")):
        raise _fail("scoring.full_marks", "满分不等于各规范满分之和")
    for key in ("person_additions_cap", "department_additions_cap"):
        _number(scoring, key, "scoring")


def _check_annual(annual: Mapping[str, Any], ballots: Mapping[str, Any]) -> None:
    """The year's weights and bounds, and the 民主测评 rules."""
    for key in ("year_weights", "department_weights"):
        _weights(annual.get(key), f"annual.{key}")
    for key in ("regular_max", "total_min", "total_max"):
        _number(annual, key, "annual")
    for key in ("evaluation_multiplier", "assessment_multiplier"):
        _number(annual, key, "annual", maximum=100)
    if _number(annual, "total_min", "annual") > _number(annual, "total_max", "annual"):
        raise _fail("annual.total_min", "不能大于 total_max")
    raw_bw = ballots.get("weights")
    if not isinstance(raw_bw, dict) or not raw_bw:
        raise _fail("ballots.weights", "必须按被测评对象层级给出权重")
    for level, w in raw_bw.items():
        _weights(w, f"ballots.weights.{level}")
    gp = ballots.get("grade_points")
    if not isinstance(gp, dict) or not gp:
        raise _fail("ballots.grade_points", "必须列出等次对应分数")
    for k in gp:
        _number(gp, k, "ballots.grade_points", maximum=100)
    for k in ("trim_min_ballots", "subtotal_min_marks"):
        _whole(ballots, k, "ballots")
    _text(ballots, "all_staff_group", "ballots")
    abstain = _texts(ballots, "abstain", "ballots")
    if set(abstain) & set(gp):
        raise _fail("ballots.abstain", "弃权选项不能与 ballots.grade_points 中的等次同名")


def _check_advanced(advanced: Mapping[str, Any]) -> None:
    if _number(advanced, "share", "advanced_department") > 1:
        raise _fail("advanced_department.share", "比例必须在 0 到 1 之间")
    _whole(advanced, "minimum", "advanced_department")
    _number(advanced, "min_score", "advanced_department")
    if advanced.get("within") not in ("street", "line"):
        raise _fail("advanced_department.within", "必须是 street 或 line")


def _check_quarter(quarter: Mapping[str, Any], levels: tuple[str, ...]) -> None:
    """平时考核 (SCORING.md §8): four grades best first, thresholds, the 好 share."""
    grades = _texts(quarter, "grades", "quarter")
    if len(grades) != 4:
        raise _fail("quarter.grades", "必须依次列出四个等次（如 好、较好、一般、较差）")
    if _text(quarter, "pending", "quarter") in grades:
        raise _fail("quarter.pending", "不能与等次同名")
    if _number(quarter, "poor_below", "quarter") > _number(quarter, "fair_below", "quarter"):
        raise _fail("quarter.poor_below", "不能高于 fair_below")
    if _number(quarter, "best_share", "quarter") > 1:
        raise _fail("quarter.best_share", "比例必须在 0 到 1 之间")
    _whole(quarter, "best_minimum", "quarter")
    not_graded = quarter.get("not_graded")
    if not isinstance(not_graded, list) or any(v not in levels for v in not_graded):
        raise _fail("quarter.not_graded", f"必须是 people.levels 中的值组成的列表：{'、'.join(levels)}")
    needs = quarter.get("excellent_needs_good")
    if isinstance(needs, bool) or not isinstance(needs, int) or not 0 <= needs <= 4:
        raise _fail("quarter.excellent_needs_good", "必须是 0 到 4 的整数（0 表示不设此条件）")
    if not isinstance(quarter.get("excellent_forbids_poor"), bool):
        raise _fail("quarter.excellent_forbids_poor", "必须是 true 或 false")


def _load_consolidation(data: Mapping[str, Any]) -> str:
    """How consolidation treats a period missing a register (optional section: block)."""
    if "consolidation" not in data:
        return COMPLETENESS[0]
    section = _table(data, "consolidation", "consolidation", _KEYS["consolidation"])
    value = section.get("completeness", COMPLETENESS[0])
    if value not in COMPLETENESS:
        raise _fail("consolidation.completeness", f"必须是 {' 或 '.join(COMPLETENESS)}")
    return str(value)


def parse_standards(data: Mapping[str, Any]) -> Standards:
    """Check a parsed standards document and build the immutable :class:`Standards`."""
    _check_keys(data, "(顶层)", _TOP_KEYS)
    head = _table(data, "standards", "standards", _KEYS["standards"])
    scoring = _table(data, "scoring", "scoring", _KEYS["scoring"])
    people = _table(data, "people", "people", _KEYS["people"])
    annual = _table(data, "annual", "annual", _KEYS["annual"])
    ballots = _table(data, "ballots", "ballots", _KEYS["ballots"])
    advanced = _table(data, "advanced_department", "advanced_department",
                      _KEYS["advanced_department"])
    quarter = _table(data, "quarter", "quarter", _KEYS["quarter"])

    decimals = scoring.get("decimals")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise _fail("scoring.decimals", "必须是 0 到 6 的整数")
    leadership = _text(head, "leadership_unit", "standards")
    norms = _load_norms(data.get("norms"), _number(scoring, "default_points", "scoring"),
                        leadership)
    _check_scoring(scoring, norms)
    lines = people.get("lines")
    if not isinstance(lines, dict) or not lines:
        raise _fail("people.lines", "必须列出各口及其主管办公室")
    _check_annual(annual, ballots)
    categories, levels = _texts(people, "categories", "people"), _texts(people, "levels", "people")
    grading = parse_grading(data, categories, levels)
    _check_advanced(advanced)
    _check_quarter(quarter, levels)

    # The hash names what scores a register: the working-day calendar is not part of it, so
    # an office adding next year's holidays changes no template's hash (数据来源 names the
    # calendar used, by its own digest); nor is the window of years a date may fall in.
    scored = {k: v for k, v in data.items() if k not in _UNHASHED}
    digest = hashlib.sha256(
        json.dumps(scored, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                   default=str).encode()  # TOML dates as their ISO text
    ).hexdigest()
    return Standards(
        name=_text(head, "name", "standards"),
        version=str(head.get("version", "")),
        unit=_text(head, "unit", "standards"),
        leadership_unit=leadership,
        regulation_unit=_text(head, "regulation_unit", "standards")
        if "regulation_unit" in head else "",
        full_marks=float(scoring["full_marks"]),
        individual_base=float(scoring["individual_base"]),
        decimals=decimals,
        person_additions_cap=float(scoring["person_additions_cap"]),
        department_additions_cap=float(scoring["department_additions_cap"]),
        levels=levels,
        categories=categories,
        lines=_freeze(lines),
        norms=norms,
        additions=_load_additions(data.get("additions", []), norms),
        annual=_freeze(annual),
        ballots=_freeze(ballots),
        grading=grading,
        calendar=parse_calendar(data),
        advanced_department=_freeze(advanced),
        quarter=_freeze(quarter),
        digest=digest,
        completeness=_load_consolidation(data),
        dates=parse_dates(data),
    )


def load_standards(path: str | os.PathLike[str] | None = None) -> Standards:
    """Load and check a standards file (the shipped default when ``path`` is None). The
    file is read each time, so an edit is seen at once (by a spreadsheet's UDFs too, in a
    process that stays up); what it holds is parsed once, and the same text gives the
    same ``Standards``."""
    return _load(str(Path(path).resolve()) if path else str(DEFAULT_PATH))


def _load(path: str) -> Standards:
    # Read as a submitted file is: a regular file (a pipe would block), not through a
    # link, within the size limit.
    try:
        raw = read_source(Path(path), Path(path).name)
    except LimitExceeded as exc:
        raise StandardsError(f"无法读取评分标准文件 {path}：{exc.finding.message}") from exc
    except OSError as exc:
        raise StandardsError(f"无法读取评分标准文件 {path}：{describe_os_error(exc)}") from exc
    return _parsed(raw, path)


@lru_cache(maxsize=32)  # an office's folder of schemes (QIANFEN_XL_STANDARDS) fits
def _parsed(raw: bytes, path: str) -> Standards:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StandardsError(f"评分标准文件 {path} 不是有效的 TOML: {exc}") from exc
    except RecursionError as exc:  # arrays or tables nested thousands deep
        raise StandardsError(f"评分标准文件 {path} 不是有效的 TOML: 嵌套层数过多") from exc
    return parse_standards(data)
