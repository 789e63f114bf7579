"""QF_SCORES through xlwings' own call path (Office.js custom_functions_call, the path
xlwings Server runs): 100 people × 2,000 incidents, median per call (goal: under 20 ms).

Baselines in the same process: the engine alone on already-parsed incidents, and the same
call through the plain Python function (no xlwings conversion), as ratios.

    .venv/bin/python benchmarks/udf_bench.py
"""

from __future__ import annotations

import asyncio
import os
import random
from datetime import date

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings
from xlwings.server import custom_functions_call

from qianfen_xl.contract.normalise import EXCEL_EPOCH
from qianfen_xl.contract.standards import load_standards
from qianfen_xl.excel import udfs
from qianfen_xl.scoring.engine import Person, score_department

from timing import median_time

PEOPLE, INCIDENTS, REPEAT = 100, 2000, 21



def main() -> None:
    standards = load_standards()
    rng = random.Random(3)
    people = [Person(f"P{i:03d}", f"人员{i}", "测试科") for i in range(PEOPLE)]
    codes = [i.code for i in standards.items if not i.units] + ["B01", "B04"]
    incidents = [["日期", "编号", "姓名", "项目", "次数", "分值", "事由", "登记人"]]
    for k in range(INCIDENTS):
        code = rng.choice(codes)
        dept = code in standards.item_by_code and standards.item_by_code[code].scope == "department"
        who = None if dept else rng.choice(people)
        day = date(2026, 11, rng.randint(1, 30))
        incidents.append([float((day - EXCEL_EPOCH).days), who.id if who else None,
                          who.name if who else None, standards.item_by_code.get(code, code)
                          and code, float(rng.randint(1, 2)), None, f"第{k}条", None])
    roster = [["编号", "姓名", "科室", "口", "人员类别", "岗位层级"],
              *[[p.id, p.name, p.department, "行政口", "公务员", "一般工作人员"] for p in people]]
    payload = {"client": "Office.js", "func_name": "QF_SCORES", "args": [incidents, roster],
               "caller_address": "[测试科.xlsx]得分!A5", "version": xlwings.__version__,
               "runtime": "1.4"}
    parsed = udfs.incidents_from(standards, incidents)

    def through_xlwings() -> None:
        asyncio.run(custom_functions_call(payload, udfs))

    def plain_call() -> None:
        udfs.QF_SCORES(incidents, roster)

    def engine() -> None:
        score_department(standards, "测试科", people, parsed)

    grid = asyncio.run(custom_functions_call(payload, udfs))
    assert len(grid) == PEOPLE + 8 and grid[-1][0] == "科室得分"
    x, p, e = median_time(through_xlwings, REPEAT), median_time(plain_call, REPEAT), median_time(engine, REPEAT)
    print(f"QF_SCORES, {PEOPLE} people × {INCIDENTS} incidents, median of {REPEAT} calls")
    print(f"  through xlwings custom_functions_call: {x * 1e3:.1f} ms (goal < 20 ms)")
    print(f"  plain Python call:                     {p * 1e3:.1f} ms "
          f"(xlwings conversion adds {x / p:.2f}x)")
    print(f"  engine alone on parsed incidents:      {e * 1e3:.1f} ms "
          f"(call / engine {x / e:.1f}x)")


if __name__ == "__main__":
    main()
