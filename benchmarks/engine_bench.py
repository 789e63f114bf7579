"""Engine throughput: one department-month scored from a month of incidents, against the
baseline of merely building the same Incident records (ratio, same process).

    .venv/bin/python benchmarks/engine_bench.py
"""

from __future__ import annotations

import random

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import load_standards
from qianfen_xl.demo.sample import departments_of, random_incidents, street_roster
from qianfen_xl.scoring.engine import Incident, score_department

from timing import median_time


def main() -> None:
    standards = load_standards()
    roster = street_roster(standards)
    rng = random.Random(1)
    month = parse_period("2026-11")
    depts = departments_of(roster)
    data = {d: random_incidents(standards, p, month, rng, rate=5.0) for d, p in depts.items()}
    n = sum(len(v) for v in data.values())

    def baseline() -> None:
        for incidents in data.values():
            [Incident(i.day, i.person, i.code, i.count, i.reason) for i in incidents]

    def engine() -> None:
        for d, incidents in data.items():
            score_department(standards, d, depts[d], incidents)

    b, e = median_time(baseline), median_time(engine)
    print(f"{len(depts)} departments, {len(roster)} people, {n} incidents")
    print(f"baseline (build records): {b * 1e3:.2f} ms; engine: {e * 1e3:.2f} ms; "
          f"ratio engine/baseline {e / b:.1f}x; {n / e:,.0f} incidents/s")


if __name__ == "__main__":
    main()
