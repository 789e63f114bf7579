"""The built-in fictional street: departments, people and realistic incidents, deterministic
by seed. Every name here is invented; it exists so that ``qianfen-xl demo`` needs nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from qianfen_xl.contract.periods import Period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.scoring.engine import Incident, Person

# (科室, 口, size)
DEPARTMENTS: tuple[tuple[str, str, int], ...] = (
    ("党建工作部", "党口", 7),
    ("工委办公室", "党口", 6),
    ("纪检监察室", "党口", 4),
    ("宣传统战科", "党口", 5),
    ("社区建设科", "党口", 6),
    ("办事处办公室", "行政口", 7),
    ("城市管理科", "行政口", 8),
    ("社会事务科", "行政口", 7),
    ("财政经济科", "行政口", 6),
    ("社保所", "行政口", 8),
    ("综合执法队", "行政口", 8),
    ("一站式服务大厅", "行政口", 6),
)
LEADERSHIP_SIZE = 6

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = ("晓明", "海燕", "建国", "丽华", "志强", "秀英", "文博", "雨萱", "国庆", "春梅", "子涵",
          "立新", "婉清", "振华", "思远", "桂兰", "浩然", "玉洁", "德明", "欣怡", "宏伟", "静怡",
          "家豪", "慧敏", "俊杰", "淑芬", "天佑", "梦琪", "永刚", "若溪")

# Common items carry most of the weight: what a weekly self-check really finds.
_COMMON = {"N03-04": 6, "N03-07": 5, "N03-09": 5, "N04-06": 6, "N07-04": 6, "N07-05": 5,
           "N02-06": 3, "N05-08": 2, "N01-01": 3, "N03-01": 3, "N04-01": 2}
_DEPT_COMMON = {"N06-02": 3, "N08-02": 2, "N10-04": 3, "N10-05": 2}


def street_roster(standards: Standards, seed: int = 2026) -> list[Person]:
    """About 80 people in 12 departments and the leadership unit, with all levels and
    categories; 编号 are unique across the street."""
    rng = random.Random(seed)
    names: set[str] = set()

    def new_name() -> str:
        while True:
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
            if name not in names:
                names.add(name)
                return name

    people: list[Person] = []
    head_level, staff_level = standards.levels[1], standards.levels[2]
    lines = list(standards.lines)
    for i in range(LEADERSHIP_SIZE):
        people.append(Person(f"L{i + 1:02d}", new_name(), standards.leadership_unit,
                             lines[i % len(lines)], standards.categories[0], standards.levels[0]))
    for d, (department, line, size) in enumerate(DEPARTMENTS, start=1):
        for k in range(size):
            category = standards.categories[0]
            if department in ("社保所", "一站式服务大厅", "综合执法队") and k >= 2:
                category = standards.categories[2]
            elif k == size - 1:
                category = standards.categories[1]
            level = head_level if k == 0 else staff_level
            people.append(Person(f"D{d:02d}{k + 1:02d}", new_name(), department, line,
                                 category, level))
    return people


def departments_of(roster: Sequence[Person]) -> dict[str, list[Person]]:
    out: dict[str, list[Person]] = {}
    for p in roster:
        out.setdefault(p.department, []).append(p)
    return out


_REASONS = {
    "N03-04": "上班时间到其他科室聊天", "N03-07": "办公时间在工位吃早餐", "N03-09": "办公室内大声喧哗",
    "N04-06": "上班时间未佩戴胸卡", "N07-04": "周例会迟到", "N07-05": "会议期间接打手机",
    "N02-06": "办公电话长时间闲谈", "N05-08": "与同事交谈时言语不文明", "N01-01": "来访群众进门未起身问候",
    "N03-01": "办公室地面卫生差", "N04-01": "上班穿拖鞋", "N06-02": "工作日中午关门无人值守",
    "N08-02": "事后补报请示", "N10-04": "月度报表逾期未交", "N10-05": "加班未报行政办备案",
    "B01": "街道通报表扬", "B02": "获区级表彰", "B04": "收到群众表扬信",
}


def random_incidents(standards: Standards, people: Sequence[Person], period: Period,
                     rng: random.Random, *, rate: float = 0.35) -> list[Incident]:
    """A week's or month's incidents for one department: roughly ``rate`` per person a week."""
    days = [period.start + timedelta(days=k) for k in range((period.end - period.start).days + 1)]
    workdays = [d for d in days if standards.calendar.is_workday(d)] or days
    weeks = max(1, len(days) // 7)
    items = [c for c in _COMMON if c in standards.item_by_code]
    out: list[Incident] = []
    for p in people:
        for _ in range(_poisson(rng, rate * weeks)):
            code = rng.choices(items, weights=[_COMMON[c] for c in items])[0]
            out.append(Incident(rng.choice(workdays), p.id, code, 1 + (rng.random() < 0.1),
                                _REASONS.get(code, "检查发现")))
        if rng.random() < 0.04 * weeks:
            code = rng.choice(["B01", "B04", "B04", "B02"])
            out.append(Incident(rng.choice(workdays), p.id, code, 1, _REASONS[code]))
    dept_items = [c for c in _DEPT_COMMON if c in standards.item_by_code]
    for _ in range(_poisson(rng, 0.3 * weeks)):
        code = rng.choices(dept_items, weights=[_DEPT_COMMON[c] for c in dept_items])[0]
        out.append(Incident(rng.choice(workdays), None, code, 1, _REASONS[code]))
    out.sort(key=lambda i: (i.day or date.min, i.person or "", i.code))
    return out


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small rates of a week.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
