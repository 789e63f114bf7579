"""``qianfen-xl demo --year``: a whole fictional year of the built-in street, written as
an office would collect it: each department's twelve 月考核情况登记表 (one month never
sent, one veto incident in March), the 民主测评票 of every rater group for the half-year
and the year-end, and the 考评录入表 of both. Deterministic by seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo.sample import departments_of, random_incidents, street_roster
from qianfen_xl.forms.ballots import build_assessment, build_ballot, ratees_of, rater_groups
from qianfen_xl.forms.filling import clear_incidents, fill_incidents
from qianfen_xl.forms.registers import build_register, register_filename
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import KIND_MONTHLY, RATEE_DEPARTMENT
from qianfen_xl.scoring.engine import Incident, Person

BALLOTS_PER_GROUP = {"机关全体人员": 9, "主管口领导": 4, "工委领导班子": 5}
HEAD_BALLOTS = 2  # a department head's group is small: folded into 全体


@dataclass(frozen=True)
class DemoYear:
    folder: Path
    roster: list[Person]
    missing: tuple[str, str]   # (department, month) never sent
    vetoed: str                # the person with a veto incident in March


def write_demo_year(out: Path, standards: Standards, year: int = 2026,
                    seed: int = 2026) -> DemoYear:
    rng = random.Random(seed)
    roster = street_roster(standards, seed)
    by_department = departments_of(roster)
    ordinary = [d for d in by_department if d != standards.leadership_unit]
    missing = (rng.choice(ordinary), f"{year}-{rng.randint(2, 11):02d}")
    vetoed = rng.choice(by_department[ordinary[0]][1:])
    inbox = out / "年度材料"
    for department, people in by_department.items():
        wb = build_register(KIND_MONTHLY, standards, department=department, roster=people)
        filled = 0
        for m in range(1, 13):
            label = f"{year}-{m:02d}"
            if (department, label) == missing:
                continue
            incidents = random_incidents(standards, people, parse_period(label), rng)
            if m == 3 and department == ordinary[0]:
                incidents.append(Incident(date(year, 3, 12), vetoed.id, "N09-01", 1,
                                          "接受服务对象宴请"))
            clear_incidents(wb, filled)
            wb["登记"]["F2"].value = label
            fill_incidents(wb, standards, incidents, {p.id: p.name for p in people},
                           people[0].name)
            filled = len(incidents)
            save_workbook(wb, inbox / "月登记表" / department /
                          register_filename(KIND_MONTHLY, department, label))
    for period in (f"{year}-H1", str(year)):
        _write_ballots(inbox / "民主测评" / period, standards, roster, period, rng)
        wb = build_assessment(standards, period, roster)
        ws = wb["考评"]
        for r in range(5, ws.max_row + 1):
            kind = ws[f"C{r}"].value
            if kind:
                ws[f"D{r}"] = rng.randint(880, 990) if kind == RATEE_DEPARTMENT else \
                    rng.randint(82, 98)
        save_workbook(wb, inbox / "考评" / f"考评录入表_{period}.xlsx")
    return DemoYear(inbox, roster, missing, vetoed.name)


def _write_ballots(folder: Path, standards: Standards, roster: list[Person], period: str,
                   rng: random.Random) -> None:
    number = 0
    for group in rater_groups(standards):
        scopes = ([[p for p in roster if p.department == d] for d in departments_of(roster)]
                  if group in standards.levels else [roster])
        count = HEAD_BALLOTS if group in standards.levels else BALLOTS_PER_GROUP.get(group, 5)
        for people in scopes:
            ratees = [r for r in ratees_of(standards, group, people)
                      if group not in standards.levels or r[2] != RATEE_DEPARTMENT]
            if not ratees:
                continue
            for _ in range(count):
                number += 1
                wb = build_ballot(standards, group, period, ratees)
                ws = wb["测评"]
                ws["H2"] = f"{period}-{number:04d}"
                for r in range(5, 5 + len(ratees)):
                    if rng.random() < 0.7:
                        ws[f"D{r}"] = rng.randint(70, 100)
                    else:
                        ws[f"E{r}"] = rng.choice(list(standards.ballots["grade_points"])[:3])
                save_workbook(wb, folder / f"测评票_{number:04d}.xlsx")
