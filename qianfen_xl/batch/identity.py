"""Who a register says it is, checked across the batch before anything is ranked.

- With the street's roster, a register whose 科室 is not on it is an 错误 (a misspelled
  "社保局" would otherwise rank as a department of its own), with the roster's name one
  character away offered ("是否应为 “社保所”？").
- With or without a roster, one 编号 on the 人员 sheets of two departments' registers whose
  periods overlap is an 错误 on both, each naming the other file: a person is scored in
  one department only, and appears once in 个人明细.
- Two different registers of one department and one period are a conflict (an 错误 on
  each, naming the others): which one counts cannot be known.

Each finding is attached to its register, which is then 退回修改 like any register with
an 错误.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from qianfen_xl.contract.findings import Finding
from qianfen_xl.intake.register import Submission
from qianfen_xl.scoring.engine import Person


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one character changed, added or removed.

    >>> one_edit_apart("社保局", "社保所"), one_edit_apart("社保", "社保所"), one_edit_apart("A", "A")
    (True, True, False)
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:k] + long[k + 1:] == short for k in range(len(long)))


def unknown_departments(subs: Iterable[Submission], known: set[str]) -> list[Finding]:
    """A register of a department the roster does not have."""
    out = []
    for s in subs:
        if s.department in known:
            continue
        near = sorted(d for d in known if one_edit_apart(s.department, d))
        hint = f"，是否应为 {' 或 '.join(f'“{d}”' for d in near)}？" if near else ""
        out.append(Finding("department-unknown", s.label, detail=f"“{s.department}”{hint}"))
    return out


def people_in_two_departments(subs: Sequence[Submission]) -> list[Finding]:
    """One 编号 in two departments' registers whose periods overlap: an 错误 on each file,
    naming the people and the other files."""
    by_person: dict[str, dict[str, list[Submission]]] = defaultdict(lambda: defaultdict(list))
    for s in subs:
        for p in s.roster:
            by_person[p.id][s.department].append(s)
    people: dict[str, dict[str, str]] = defaultdict(dict)   # file → 编号 → 姓名
    elsewhere: dict[str, set[str]] = defaultdict(set)       # file → the other files
    for pid, departments in by_person.items():
        if len(departments) < 2:
            continue
        for s in (s for files in departments.values() for s in files):
            others = {o.label for d, files in departments.items() if d != s.department
                      for o in files if _overlap(s, o)}
            if others:
                people[s.label][pid] = next(p.name for p in s.roster if p.id == pid)
                elsewhere[s.label] |= others
    out = []
    for label, named in people.items():
        who = [f"{pid} {name}" for pid, name in sorted(named.items())]
        files = sorted(elsewhere[label])
        out.append(Finding("person-two-departments", label, detail=(
            f"{'、'.join(who[:5])}{f' 等 {len(who)} 人' if len(who) > 5 else ''} "
            f"也在 {'、'.join(files[:3])}{' 等' if len(files) > 3 else ''} 的人员表中")))
    return out


def conflicts(subs: Sequence[Submission]) -> list[Finding]:
    """Two different registers for one department and period: an 错误 naming the others."""
    groups: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for s in subs:
        if s.period is not None:
            groups[(s.department, s.period.label)].append(s)
    out = []
    for (department, period), group in groups.items():
        for s in group if len(group) > 1 else ():
            others = "、".join(o.label for o in group if o is not s)
            out.append(Finding("register-conflict", s.label,
                               detail=f"{department} {period}：另见 {others}"))
    return out


def attach(subs: Sequence[Submission], findings: Iterable[Finding]) -> list[Submission]:
    """The submissions with the batch's findings about each added to its own."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_file[f.file].append(f)
    return [replace(s, findings=s.findings + tuple(by_file[s.label])) if s.label in by_file
            else s for s in subs]


def _overlap(a: Submission, b: Submission) -> bool:
    return (a.period is not None and b.period is not None
            and a.period.start <= b.period.end and b.period.start <= a.period.end)


def roster_departments(roster: Sequence[Person], leadership_unit: str) -> set[str]:
    """The departments a roster names, and the leadership unit (always known)."""
    return {p.department for p in roster} | {leadership_unit}
