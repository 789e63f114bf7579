"""The built-in fictional street's month, written as the departments would submit it:
weekly registers from the real templates, one department late, one register with mistakes.
Deterministic by seed. Used by ``qianfen-xl demo`` and by the tests.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from qianfen_xl.contract.periods import Period, parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo.sample import departments_of, random_incidents, street_roster
from qianfen_xl.forms.filling import fill_incidents
from qianfen_xl.forms.registers import (
    build_register,
    register_filename,
)
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import (
    FLAG_YES,
    INCIDENT_HEADER_ROW,
    KIND_WEEKLY,
    ROSTER_COLUMNS,
    ROSTER_FACT_COLUMNS,
)
from qianfen_xl.scoring.engine import Person
from qianfen_xl.scoring.facts import PersonFacts


@dataclass(frozen=True)
class DemoInbox:
    folder: Path
    roster: list[Person]
    roster_file: Path
    late: str            # the department that sent nothing
    flawed: Path         # the register with mistakes


def write_roster_csv(people: list[Person], path: Path,
                     facts: Mapping[str, PersonFacts] | None = None) -> Path:
    """The roster as CSV; with ``facts``, the optional columns of the year too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = [c.header for c in ROSTER_FACT_COLUMNS] if facts is not None else []
    with path.open("w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel opens it right
        writer = csv.writer(fh)
        writer.writerow([c.header for c in ROSTER_COLUMNS] + extra)
        for p in people:
            row = [p.id, p.name, p.department, p.line, p.category, p.level]
            if facts is not None:
                row += _fact_cells(facts.get(p.id, PersonFacts()))
            writer.writerow(row)
    return path


def _fact_cells(f: PersonFacts) -> list[str]:
    """A person's optional columns, in ROSTER_FACT_COLUMNS' order."""
    def day(d: date | None) -> str:
        return d.isoformat() if d else ""

    def days(n: float | None) -> str:
        return f"{n:g}" if n is not None else ""

    return [f.gender, f.born, f.party, f.in_post_since, f.post, f.duties, day(f.hired),
            days(f.leave_days), days(f.maternity_days), FLAG_YES if f.investigation else "",
            f.sanction, day(f.sanction_date)]


def write_demo_month(out: Path, standards: Standards, month: str = "2026-11",
                     seed: int = 2026) -> DemoInbox:
    """Every department's weekly registers for the month's weeks, in one folder each."""
    period = parse_period(month)
    rng = random.Random(seed)
    roster = street_roster(standards, seed)
    by_department = departments_of(roster)
    ordinary = [d for d in by_department if d != standards.leadership_unit]
    late = ordinary[rng.randrange(len(ordinary))]
    flawed_department = rng.choice([d for d in ordinary if d != late])
    weeks = standards.calendar.owed_weeks(period)
    flawed_week = rng.choice(weeks)
    inbox = out / "登记表"
    flawed = inbox
    for department, people in by_department.items():
        if department == late:
            continue
        recorder = people[0].name
        for week in weeks:
            span = parse_period(week)
            incidents = random_incidents(standards, people, span, rng)
            wb = build_register(KIND_WEEKLY, standards, department=department, period=week,
                                roster=people)
            fill_incidents(wb, standards, incidents, {p.id: p.name for p in people}, recorder)
            path = inbox / department / register_filename(KIND_WEEKLY, department, week)
            if (department, week) == (flawed_department, flawed_week):
                _make_mistakes(wb, span, len(incidents))
                flawed = path
            save_workbook(wb, path)
    roster_file = write_roster_csv(roster, out / "人员名单.csv")
    return DemoInbox(inbox, roster, roster_file, late, flawed)


def _make_mistakes(wb: Workbook, span: Period, filled: int) -> None:
    """What clerks really do: a made-up item code, and 次数 written in words."""
    ws = wb["登记"]
    row = INCIDENT_HEADER_ROW + filled + 1
    ws[f"A{row}"] = span.start
    ws[f"B{row}"], ws[f"D{row}"], ws[f"E{row}"], ws[f"G{row}"] = None, "N11-01", 1, "自拟项目"
    ws[f"A{row + 1}"] = span.start
    ws[f"D{row + 1}"], ws[f"E{row + 1}"], ws[f"G{row + 1}"] = "N06-02", "两次", "中午无人值守"
