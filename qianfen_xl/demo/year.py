"""``qianfen-xl demo --year``: a whole fictional year of the built-in street, written as
an office would collect it: each department's twelve 月考核情况登记表 (one month never
sent, one veto incident in March), the 民主测评票 of every rater group for the half-year
and the year-end (a few 不了解 among them), the 考评录入表 of both, and the year's roster
with its particulars and facts (a July hire, long sick leave, maternity leave, a 警告).
The year-end 考评录入表 carries one adjustment that ties two civil servants at the edge
of their pool's 优秀 places, so the register shows a 待定 for the assessment group.
Deterministic by seed."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from qianfen_xl.batch.annual import run_annual
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo.month import write_roster_csv
from qianfen_xl.demo.people import YearCases, particulars, with_cases, year_cases
from qianfen_xl.demo.sample import departments_of, random_incidents, street_roster
from qianfen_xl.forms.ballots import build_assessment, build_ballot, ratees_of, rater_groups
from qianfen_xl.forms.filling import clear_incidents, fill_incidents
from qianfen_xl.forms.registers import build_register, register_filename
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import KIND_MONTHLY, RATEE_DEPARTMENT
from qianfen_xl.scoring.engine import Incident, Person
from qianfen_xl.scoring.facts import PersonFacts
from qianfen_xl.scoring.grades import excellent_places
from qianfen_xl.scoring.year import PersonAnnual

BALLOTS_PER_GROUP = {"机关全体人员": 9, "主管口领导": 4, "工委领导班子": 5}
HEAD_BALLOTS = 1  # the department head's own assessment of each staff member
HIRE_MONTH = 7    # the July hire's first month on the registers (入职日期 in people.py)
DONT_KNOW = 0.04  # share of 全体 marks that are 不了解
TIE_NOTE = "考核小组决定的加分（演示：与优秀名额边界的人员同分）"


@dataclass(frozen=True)
class DemoYear:
    folder: Path
    roster: list[Person]
    missing: tuple[str, str]   # (department, month) never sent
    vetoed: str                # the person with a veto incident in March
    roster_file: Path = Path()  # the year's roster with its optional columns
    facts: dict[str, PersonFacts] = field(default_factory=dict)
    cases: YearCases | None = None
    tied: tuple[str, ...] = ()  # 编号 of the two people tied at the 优秀 boundary


def write_demo_year(out: Path, standards: Standards, year: int = 2026,
                    seed: int = 2026) -> DemoYear:
    rng = random.Random(seed)
    roster = street_roster(standards, seed)
    by_department = departments_of(roster)
    ordinary = [d for d in by_department if d != standards.leadership_unit]
    missing = (rng.choice(ordinary), f"{year}-{rng.randint(2, 11):02d}")
    vetoed = rng.choice(by_department[ordinary[0]][1:])
    inbox = out / "年度材料"
    cases = year_cases(standards, roster, seed)
    for department, staff in by_department.items():
        wb, people, filled = None, staff, 0
        for m in range(1, 13):
            label = f"{year}-{m:02d}"
            # The July hire is on the department's register from July on.
            current = [p for p in staff if p.id != cases.hired or m >= HIRE_MONTH]
            if wb is None or current != people:
                people, filled = current, 0
                wb = build_register(KIND_MONTHLY, standards, department=department,
                                    roster=people)
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
    scores = {}
    for period in (f"{year}-H1", str(year)):
        assessed = [p for p in roster if p.id != cases.hired or period == str(year)]
        _write_ballots(inbox / "民主测评" / period, standards, assessed, period, rng)
        scores[period] = {p: rng.randint(880, 990) if p in by_department else rng.randint(82, 98)
                          for p in [*(r.id for r in assessed), *ordinary]}
        _write_assessment(inbox, standards, assessed, period, scores[period])
    facts = with_cases(particulars(standards, roster, seed), cases, year)
    demo = DemoYear(inbox, roster, missing, vetoed.name, Path(), facts, cases)
    return _with_tie(out, demo, standards, year, scores[str(year)])


def _write_assessment(inbox: Path, standards: Standards, roster: list[Person], period: str,
                      scores: dict[str, int], adjustment: tuple[str, float] | None = None) -> None:
    wb = build_assessment(standards, period, roster)
    ws = wb["考评"]
    for r in range(5, ws.max_row + 1):
        ratee = ws[f"A{r}"].value
        if ratee in scores:
            ws[f"D{r}"] = scores[ratee]
        if adjustment is not None and ratee == adjustment[0]:
            ws[f"E{r}"], ws[f"F{r}"] = adjustment[1], TIE_NOTE
    save_workbook(wb, inbox / "考评" / f"考评录入表_{period}.xlsx")


def _contenders(standards: Standards, people: tuple[PersonAnnual, ...], pool: str,
                but: str) -> list[PersonAnnual]:
    """The pool's people who reach 优秀's score line and may be 优秀, best first."""
    line = standards.grading.min_scores[0]
    return sorted((p for p in people if p.grade.pool == pool and p.grade.excellent_allowed
                   and not p.grade.required and p.year.total >= line and p.id != but),
                  key=lambda p: (-p.year.total, p.id))


def _with_tie(out: Path, demo: DemoYear, standards: Standards, year: int,
              scores: dict[str, int]) -> DemoYear:
    """Run the year once; give the best civil servant of the pool a 警告 (no longer 优秀),
    and the first one past the pool's places the adjustment that ties them with the last
    one within: both 待定. Writes the year's roster with its facts."""
    assert demo.cases is not None
    first = run_annual(demo.folder, parse_period(str(year)), standards, roster=demo.roster,
                       facts=demo.facts, workers=1)
    pool = next(iter(standards.grading.pools))
    best = _contenders(standards, first.result.people, pool, "")
    cases = replace(demo.cases, warned=best[0].id)
    contenders = _contenders(standards, first.result.people, pool, cases.warned)
    places = excellent_places(standards, sum(1 for p in first.result.people
                                             if p.grade.pool == pool))
    tied: tuple[str, ...] = ()
    if 0 < places < len(contenders):  # another seed may leave too few: then no tie
        inside, outside = contenders[places - 1], contenders[places]
        gap = round(inside.year.total - outside.year.total, standards.decimals)
        _write_assessment(demo.folder, standards, demo.roster, str(year), scores,
                          (outside.id, gap))
        tied = (inside.id, outside.id)
    facts = with_cases(demo.facts, cases, year)
    roster_file = write_roster_csv(demo.roster, out / f"人员名单_{year}.csv", facts)
    return replace(demo, roster_file=roster_file, facts=facts, cases=cases, tied=tied)


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
                    if group == standards.ballots["all_staff_group"] and rng.random() < DONT_KNOW:
                        ws[f"E{r}"] = standards.ballots["abstain"][-1]
                    elif rng.random() < 0.7:
                        ws[f"D{r}"] = rng.randint(70, 100)
                    else:
                        ws[f"E{r}"] = rng.choice(list(standards.ballots["grade_points"])[:3])
                save_workbook(wb, folder / f"测评票_{number:04d}.xlsx")
