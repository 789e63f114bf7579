"""Random filled registers from the real templates, each row either good (it must score,
however a clerk typed it) or bad in a known way (the formulas must count it, validate must
name it). The expected scores come from the engine on the good rows only; nothing here
asks the template model what the formulas compute."""

from __future__ import annotations

import copy
import random
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import (
    DEFAULT_PATH,
    Standards,
    load_standards,
    parse_standards,
)
from qianfen_xl.forms.registers import build_register
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import (
    INCIDENT_HEADER_ROW,
    INCIDENT_MARGIN,
    INCIDENT_ROWS,
    KIND_MONTHLY,
    KIND_WEEKLY,
)
from qianfen_xl.scoring.engine import DepartmentScore, Incident, Person, score_department

# 编号 a roster may hold: wildcards and regex-like characters, digits as numbers.
SPECIAL_IDS = ["a*", "A?1", "~x", "x~", "a~*", "*", "?", "[1]", "^a$", "a+b", "张三01", "x y",
               "<5", "=1", "'q", "#1", "N01-01", "AbC"]
BAD_KINDS = ("item-unknown", "count-fraction", "count-zero", "count-words", "count-text",
             "id-unknown", "id-case", "id-full-width", "id-padded", "date-before", "date-after",
             "date-text", "date-blank", "reason-blank", "person-required", "person-not-allowed",
             "leadership-only", "no-formulas", "below-table")
FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def fractional_standards() -> Standards:
    """The default scheme with fractional points and caps (rounding halves matter)."""
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    points = [0.1, 0.25, 2.35, 0.3, 1.15, 3.05]
    for n, norm in enumerate(data["norms"]):
        for k, item in enumerate(norm["items"]):
            if (n + k) % 3 == 0:
                item["points"] = points[(n * 7 + k) % len(points)]
    for k, addition in enumerate(data["additions"]):
        addition["points"] = [2.5, 0.3, 7.15, 1.05][k]
    data["scoring"]["person_additions_cap"] = 12.5
    data["scoring"]["department_additions_cap"] = 9.95
    return parse_standards(data)


@dataclass
class RandomRegister:
    path: Path
    standards: Standards
    kind: str
    department: str
    roster: list[Person]
    good: list[Incident] = field(default_factory=list)
    bad: dict[int, str] = field(default_factory=dict)   # sheet row → what is wrong
    shared_id: bool = False   # the roster holds one 编号 twice (in another case): an error

    @property
    def problems(self) -> int:
        return len(self.bad)

    def expected(self) -> DepartmentScore:
        return score_department(self.standards, self.department, self.roster, self.good)


class _Maker:
    def __init__(self, rng: random.Random, standards: Standards, kind: str) -> None:
        self.rng, self.s, self.kind = rng, standards, kind
        y = rng.choice([2025, 2026])
        if kind == KIND_WEEKLY:
            self.period = parse_period(f"{y}-W{rng.randint(1, 52):02d}")
        else:
            self.period = parse_period(f"{y}-{rng.randint(1, 12):02d}")
        self.leadership = rng.random() < 0.15
        self.department = standards.leadership_unit if self.leadership else "测试科"

    def roster(self) -> tuple[list[Person], list[object], set[str]]:
        """(people, the 编号 as written, ids shared by two rows ignoring case)."""
        rng = self.rng
        n = rng.choice([0, 1, 3, 5, 8, 12, 15, 20])
        pool = SPECIAL_IDS[:]
        rng.shuffle(pool)
        written: list[object] = []
        while len(written) < n:
            roll = rng.random()
            pid: object = (pool.pop() if roll < 0.3 and pool else 1000 + len(written)
                           if roll < 0.4 else f"{rng.choice('ABS')}{len(written) + 1:02d}")
            if str(pid).lower() not in {str(w).lower() for w in written}:
                written.append(pid)
        shared: set[str] = set()
        if n >= 3 and rng.random() < 0.15:  # a roster error: one id twice, in another case
            twin = next((w for w in written if isinstance(w, str) and w.swapcase() != w), None)
            if twin is not None:
                written.append(twin.swapcase())
                shared = {twin, twin.swapcase()}
        people = [Person(str(w), f"人员{k + 1}", self.department) for k, w in enumerate(written)]
        return people, written, shared

    def day(self) -> object:
        start, end = self.period.start, self.period.end
        d = start + timedelta(days=self.rng.randint(0, (end - start).days))
        return datetime(d.year, d.month, d.day, 15, 30) if self.rng.random() < 0.1 else d

    def item_text(self, code: str, label: str) -> str:
        r = self.rng.random()
        variants = [label, code, code.lower(), code.translate(FULL_WIDTH) + " 说明",
                    code.replace("-", self.rng.choice("‐–—−")) + " x", "  " + label,
                    code + "\u3000" + label.split(" ", 1)[-1], "\u00a0" + code]
        weights = [0.45, 0.2, 0.07, 0.06, 0.06, 0.06, 0.05, 0.05]
        acc = 0.0
        for text, w in zip(variants, weights, strict=True):
            acc += w
            if r < acc:
                return text
        return label


def _items(s: Standards, leadership: bool) -> dict[str, list[tuple[str, str]]]:
    def ok(item) -> bool:
        return leadership or "department" in item.units
    return {
        "individual": [(i.code, i.label) for i in s.items if i.scope == "individual" and ok(i)],
        "department": [(i.code, i.label) for i in s.items if i.scope == "department" and ok(i)],
        "addition": [(a.code, a.label) for a in s.additions],
        "leadership": [(i.code, i.label) for i in s.items if "department" not in i.units],
    }


def random_register(folder: Path, standards: Standards, rng: random.Random, name: str, *,
                    bad_share: float = 0.25, kinds: tuple[str, ...] = BAD_KINDS) -> RandomRegister:
    kind = rng.choice([KIND_WEEKLY, KIND_MONTHLY])
    m = _Maker(rng, standards, kind)
    people, written, shared = m.roster()
    # Everyone on the roster has a 得分 row (two sharing an id, in another case, too: the
    # rows naming that id are problems, so they score full marks).
    reg = RandomRegister(folder / name, standards, kind, m.department, people)
    wb = build_register(kind, standards, department=m.department, period=m.period.label,
                        roster=people)
    ws = wb["登记"]
    for c, pid in enumerate(written, start=4):  # the roster as typed (numbers stay numbers)
        cell = wb["人员"].cell(row=c, column=1)
        cell.value = pid
        cell.data_type = "s" if isinstance(pid, str) else "n"
    reg.shared_id = bool(shared)
    items = _items(standards, m.leadership)
    unique = [(p, w) for p, w in zip(people, written, strict=True) if p.id not in shared]
    last = INCIDENT_HEADER_ROW + INCIDENT_ROWS[kind]
    heavy = rng.random() < 0.3  # many rows on few people: norms reach 0, caps bite
    row = INCIDENT_HEADER_ROW
    for _ in range(rng.randint(0, 40)):
        row += 1 + (rng.random() < 0.1)  # now and then a blank row between
        bad = rng.choice(kinds) if rng.random() < bad_share else None
        if bad == "below-table":
            target = rng.choice([last + 1, last + INCIDENT_MARGIN, last + INCIDENT_MARGIN + 50])
            if target in reg.bad:
                continue
            _good_row(m, ws, target, items, unique[:3] if heavy else unique, reg, record=False)
            reg.bad[target] = bad
            continue
        if bad is None or not _bad_row(m, ws, row, bad, items, unique, shared, reg):
            _good_row(m, ws, row, items, unique[:3] if heavy else unique, reg)
    save_workbook(wb, reg.path)
    return reg


def _put(ws, row: int, values: dict[str, object]) -> None:
    columns = {"日期": "A", "编号": "B", "姓名": "C", "项目": "D", "次数": "E", "事由": "G",
               "登记人": "H"}
    for header, value in values.items():
        cell = ws[f"{columns[header]}{row}"]
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"


def _good_row(m: _Maker, ws, row: int, items, unique, reg: RandomRegister, *,
              record: bool = True) -> None:
    rng = m.rng
    kinds = ["department", "addition"] + (["individual"] * 3 + ["addition"] if unique else [])
    if m.leadership:
        kinds.append("leadership")
    kind = rng.choice(kinds)
    code, label = rng.choice(items[kind])
    item = m.s.item_by_code.get(code)
    person = None
    if kind == "individual" or (kind == "addition" and unique and rng.random() < 0.6) or (
            kind == "leadership" and item is not None and item.scope == "individual"):
        if not unique:
            code, label = rng.choice(items["department"])
        else:
            person = rng.choice(unique)
    count = rng.randint(10, 30) if rng.random() < 0.05 else rng.choice([1, 1, 1, 2, 3])
    day = m.day()
    _put(ws, row, {"日期": day, "编号": person[1] if person else None,
                   "姓名": person[0].name if person and rng.random() < 0.5 else None,
                   "项目": m.item_text(code, label), "次数": count,
                   "事由": rng.choice(["迟到", "=1+1", "+86 电话", "@备注", "未佩戴工牌"]),
                   "登记人": rng.choice([None, "李四"])})
    if record:
        reg.good.append(Incident(day.date() if isinstance(day, datetime) else day,
                                 person[0].id if person else None, code, count))


def _bad_row(m: _Maker, ws, row: int, bad: str, items, unique, shared: set[str],
             reg: RandomRegister) -> bool:
    """Write a row with exactly one thing wrong; False when it cannot be made here."""
    rng = m.rng
    person = rng.choice(unique) if unique else None
    code, label = rng.choice(items["individual"] if person else items["department"])
    values: dict[str, object] = {"日期": m.day(), "编号": person[1] if person else None,
                                 "项目": label, "次数": 1, "事由": "检查发现"}
    start, end = m.period.start, m.period.end
    change: dict[str, dict[str, object]] = {
        "item-unknown": {"项目": rng.choice(["N99-01 不存在", "X", "N0?-01", "*"])},
        "count-fraction": {"次数": 2.5}, "count-zero": {"次数": rng.choice([0, -1])},
        "count-words": {"次数": "两次"}, "count-text": {"次数": rng.choice(["2", "２"])},
        "date-before": {"日期": start - timedelta(days=rng.randint(1, 40))},
        "date-after": {"日期": end + timedelta(days=rng.randint(1, 40))},
        "date-text": {"日期": start.isoformat()}, "date-blank": {"日期": None},
        "reason-blank": {"事由": rng.choice([None, "  "])},
        "id-unknown": {"编号": "ZZ99"},
    }
    if bad in change:
        values |= change[bad]
    elif bad in ("id-case", "id-full-width", "id-padded"):
        if person is None or not isinstance(person[1], str) or person[1].swapcase() == person[1]:
            return False
        pid = person[1]
        values["编号"] = {"id-case": pid.swapcase(), "id-full-width": pid.translate(FULL_WIDTH),
                        "id-padded": pid + " "}[bad]
    elif bad == "person-required":
        values |= {"编号": None, "项目": rng.choice(items["individual"])[1]}
    elif bad == "person-not-allowed":
        if person is None:
            return False
        values["项目"] = rng.choice(items["department"])[1]
    elif bad == "leadership-only":
        if m.leadership:
            return False
        values |= {"项目": rng.choice(items["leadership"])[1], "编号": None}
    elif bad == "no-formulas":  # a row inserted where no calculated column filled it
        for col in "FIJKLM":
            ws[f"{col}{row}"].value = None
    if bad == "id-unknown" and shared and rng.random() < 0.5:
        values["编号"] = sorted(shared)[0]     # an id the roster holds twice
        bad = "id-shared"
    _put(ws, row, values)
    reg.bad[row] = bad
    return True


def write_random(folder: Path, n: int, seed: int, **kw: object) -> list[RandomRegister]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    variants = [fractional_standards(), None]
    out = []
    for k in range(n):
        standards = variants[k % 2] or load_standards()
        out.append(random_register(folder, standards, rng, f"r{seed}_{k:02d}.xlsx", **kw))
    return out


__all__ = ["BAD_KINDS", "RandomRegister", "Workbook", "date", "fractional_standards",
           "random_register", "write_random"]
