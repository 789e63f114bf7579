"""A deterministic synthetic street-year for the benchmarks: per street 30 departments,
300 people, 52 weekly registers per department (1,560) and 12 monthly ones (360), filled
from the real templates with realistic incident counts.

    .venv/bin/python benchmarks/generate.py OUT [--streets N] [--seed S] [--workers W]

Each department's register is built once from the template generator and then filled,
saved, cleared and refilled for every period (saving is what costs; building a fresh
workbook per file would triple the time). Files are saved as the product saves every
register (``forms.style.save_workbook``): formulas shared down their columns and every
formula cell with its value, as a register a clerk saves in Excel is too. Street k's
departments are named ``街道k·科室``, so streets never share a file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from openpyxl.workbook import Workbook

from qianfen_xl.contract.periods import parse_period, week_of
from qianfen_xl.contract.standards import load_standards
from qianfen_xl.demo.sample import random_incidents
from qianfen_xl.forms.filling import clear_incidents, fill_incidents
from qianfen_xl.forms.registers import build_register, register_filename
from qianfen_xl.forms.style import save_workbook
from qianfen_xl.schemas.columns import KIND_MONTHLY, KIND_WEEKLY
from qianfen_xl.scoring.engine import Incident, Person

YEAR = 2026
PEOPLE_PER_DEPARTMENT = 10
DEPARTMENTS = (
    "党建工作部", "工委办公室", "纪检监察室", "宣传统战科", "社区建设科", "组织人事科", "武装部",
    "团工委", "妇联", "工会", "信访办", "司法所", "办事处办公室", "城市管理科", "社会事务科",
    "财政经济科", "社保所", "综合执法队", "一站式服务大厅", "安全生产科", "应急管理办公室",
    "退役军人服务站", "社区服务中心", "文化站", "统计站", "计生办", "环卫所", "城建科", "民政科",
    "劳动保障所",
)
INSPECTION = ("N03-01", "N04-06", "N06-02", "N08-02", "N10-04")  # what the 两办 find monthly


def street_people(street: int, standards) -> dict[str, list[Person]]:
    levels, categories = standards.levels, standards.categories
    out = {}
    for d, name in enumerate(DEPARTMENTS):
        department = f"街道{street}·{name}"
        line = list(standards.lines)[0 if d < 12 else 1]
        out[department] = [
            Person(f"S{street:02d}D{d:02d}P{k:02d}", f"人员{street}-{d}-{k}", department, line,
                   categories[k % len(categories)], levels[1] if k == 0 else levels[2])
            for k in range(PEOPLE_PER_DEPARTMENT)]
    return out


def _refill(wb: Workbook, standards, period: str, incidents, people, previous: int) -> int:
    clear_incidents(wb, previous)
    wb["登记"]["F2"].value = period
    fill_incidents(wb, standards, incidents, {p.id: p.name for p in people}, people[0].name)
    return len(incidents)


def write_department(task: tuple[Path, int, str, list[Person], int]) -> int:
    out, street, department, people, seed = task
    standards = load_standards()
    rng = random.Random(seed)
    folder = out / f"街道{street:02d}" / department
    folder.mkdir(parents=True, exist_ok=True)
    by_month: dict[int, list[Incident]] = {m: [] for m in range(1, 13)}
    weekly = build_register(KIND_WEEKLY, standards, department=department, roster=people)
    filled, files = 0, 0
    for w in range(1, 53):
        label = f"{YEAR}-W{w:02d}"
        incidents = random_incidents(standards, people, parse_period(label), rng)
        for i in incidents:
            if i.day and i.day.year == YEAR:
                by_month[i.day.month].append(i)
        filled = _refill(weekly, standards, label, incidents, people, filled)
        save_workbook(weekly, folder / register_filename(KIND_WEEKLY, department, label))
        files += 1
    monthly = build_register(KIND_MONTHLY, standards, department=department, roster=people)
    filled = 0
    for m in range(1, 13):
        label = f"{YEAR}-{m:02d}"
        first = date(YEAR, m, 1)
        extra = [Incident(first + timedelta(days=rng.randint(0, 27)), None, rng.choice(INSPECTION),
                          1, "两办月度检查发现") for _ in range(rng.randint(0, 3))]
        extra = [Incident(i.day, None if standards.item_by_code[i.code].scope == "department"
                          else people[rng.randrange(len(people))].id, i.code, 1, i.reason)
                 for i in extra]
        filled = _refill(monthly, standards, label, by_month[m] + extra, people, filled)
        save_workbook(monthly, folder / register_filename(KIND_MONTHLY, department, label))
        files += 1
    return files


STAMP = ".stamp"  # what the streets were made from: data made otherwise is made again


def stamp() -> str:
    """The standards' hash and the blank templates' SHA-256 (the generator's output, as a
    test holds): registers made from other templates or standards are not today's."""
    templates = sorted((Path(__file__).resolve().parent.parent / "workbook_templates")
                       .glob("*.xlsx"))
    return " ".join([load_standards().short_digest,
                     *(hashlib.sha256(t.read_bytes()).hexdigest()[:16] for t in templates)])


def generate(out: Path, streets: int = 1, seed: int = 2026, workers: int | None = None) -> int:
    standards = load_standards()
    (out / STAMP).unlink(missing_ok=True)
    tasks = [(out, s, d, people, seed * 1000 + s * 100 + k)
             for s in range(1, streets + 1)
             for k, (d, people) in enumerate(street_people(s, standards).items())]
    with ProcessPoolExecutor(workers or os.cpu_count()) as pool:
        written = sum(pool.map(write_department, tasks))
    (out / STAMP).write_text(stamp())
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--streets", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    t0 = time.perf_counter()
    n = generate(args.out, args.streets, args.seed, args.workers)
    print(f"{n} registers for {args.streets} street(s) in {args.out} "
          f"({time.perf_counter() - t0:.0f} s); weeks start {week_of(date(YEAR, 1, 1))}")


if __name__ == "__main__":
    main()
