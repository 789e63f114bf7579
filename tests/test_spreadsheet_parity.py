"""Registers filled from code, recalculated by two spreadsheet engines, LibreOffice and
gnumeric: every person's and department's score and every norm equals the engine's to the
cent, every formula cell recalculates to the value saved with it, and the rows the formulas
cannot score are counted in qf_problem_count."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.demo.sample import departments_of, random_incidents, street_roster
from qianfen_xl.scoring.engine import Incident, Person, score_department

from builders import INCIDENTS, ROSTER, register
from gnumeric import recalculate
from libreoffice import convert
from random_registers import RandomRegister, write_random

N_RANDOM = 12   # random registers (weekly and monthly, with problem rows) in each engine
SEED = 16
ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")
ENGINES = ("LibreOffice", "gnumeric")
SCORES_FIRST_ROW = 7  # 得分's first person row; the department block beside, in M:N


def _four_problems(wb) -> None:
    """One row the formulas cannot score for each of the four rules."""
    rows = [(date(2026, 11, 18), "A01", "N11-01 不存在", 1),      # unknown 项目
            (date(2026, 11, 18), "A01", "N03-05", 1.5),           # 次数 not whole
            (date(2026, 11, 18), "Z99", "N03-05", 1),             # 编号 not on the roster
            (date(2026, 12, 1), "A02", "N03-05", 1)]              # 日期 outside the week
    for r, (day, pid, item, count) in enumerate(rows, start=10):
        ws = wb["登记"]
        ws[f"A{r}"], ws[f"B{r}"], ws[f"D{r}"], ws[f"E{r}"], ws[f"G{r}"] = (
            day, pid, item, count, "检查发现")


def _fixed_cases(folder: Path, standards) -> list[RandomRegister]:
    cases = [RandomRegister(register(folder, standards, name="hand.xlsx"), standards,
                            "周考核情况登记表", "社保所", ROSTER, list(INCIDENTS)),
             RandomRegister(register(folder, standards, name="four.xlsx", edit=_four_problems),
                            standards, "周考核情况登记表", "社保所", ROSTER, list(INCIDENTS),
                            {10: "item", 11: "count", 12: "person", 13: "date"})]
    # A member mean on the half cent: 699.125 → 699.13 (Excel's ROUND, half away from 0).
    eight = [Person(f"A{i}", f"人{i}") for i in range(8)]
    half = [Incident(date(2026, 11, 17), "A1", "N09-01", 1, "x"),
            Incident(date(2026, 11, 18), "A2", "N03-01", 1, "y"),
            Incident(date(2026, 11, 19), None, "B04", 20, "z"),       # 60 → the cap, 50
            Incident(date(2026, 11, 19), None, "N08-03", 60, "w")]    # floored at 0
    assert score_department(standards, "", eight, half).member_mean == 699.13
    cases.append(RandomRegister(register(folder, standards, roster=eight, incidents=half,
                                         name="round.xlsx"), standards, "周考核情况登记表",
                                "社保所", eight, half))
    # A period that cannot be read: the header says how to type it, every date passes.
    cases.append(RandomRegister(register(folder, standards, period="第47周", name="noperiod.xlsx"),
                                standards, "周考核情况登记表", "社保所", ROSTER, list(INCIDENTS)))
    rng = random.Random(47)
    people = list(departments_of(street_roster(standards, seed=47)).values())[1]
    month = random_incidents(standards, people, parse_period("2026-11"), rng, rate=3.0)
    cases.append(RandomRegister(register(folder, standards, kind="月考核情况登记表",
                                         period="2026-11", roster=people, incidents=month,
                                         name="month.xlsx"), standards, "月考核情况登记表",
                                "社保所", people, month))
    return cases


Cells = dict[tuple[str, str], object]  # (sheet, "F6") → value


def cells_of(path: Path, *, formulas: bool = False) -> Cells:
    """Every cell's value (``formulas``: the formula cells' formulas only), read once."""
    wb = openpyxl.load_workbook(path, data_only=not formulas, read_only=True)
    out = {(ws.title, c.coordinate): c.value for ws in wb.worksheets
           for row in ws.iter_rows() for c in row
           if hasattr(c, "coordinate") and (not formulas or c.data_type == "f")}
    wb.close()
    return out


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, standards, lo_profile, gnumeric_ready):
    """The cases, each with its formula cells and saved values, and every engine's
    recalculated values."""
    folder = tmp_path_factory.mktemp("parity")
    cases = _fixed_cases(folder, standards) + write_random(folder / "random", N_RANDOM, SEED)
    assert {c.kind for c in cases} == {"周考核情况登记表", "月考核情况登记表"}
    assert sum(c.problems > 0 for c in cases) >= 4  # problem rows of every kind, in many
    paths = [c.path for c in cases]
    outputs = {"LibreOffice": convert(paths, folder / "lo", lo_profile),
               "gnumeric": recalculate(paths, folder / "gnumeric")}
    saved = [(cells_of(p, formulas=True), cells_of(p)) for p in paths]
    return cases, saved, {e: [cells_of(p) for p in out] for e, out in outputs.items()}


def _scores(cells: Cells) -> tuple[list[dict[str, object]], dict[str, object]]:
    """得分 as recalculated: the person rows by header, the block by label."""
    columns = "ABCDEFGHIJK"
    header = [cells.get(("得分", f"{c}{SCORES_FIRST_ROW - 1}")) for c in columns]
    people = []
    for r in range(SCORES_FIRST_ROW, SCORES_FIRST_ROW + 200):
        row = {h: cells.get(("得分", f"{c}{r}")) for h, c in zip(header, columns, strict=True)}
        if row["编号"] not in ("", None):
            people.append(row)
    block = {cells.get(("得分", f"M{r}")): cells.get(("得分", f"N{r}")) for r in range(7, 14)}
    return people, block


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("engine", ENGINES)
def test_scores_equal_the_engine_to_the_cent(recalculated, engine):
    cases, _, outputs = recalculated
    compared = 0
    for case, cells in zip(cases, outputs[engine], strict=True):
        errors = {k: v for k, v in cells.items() if isinstance(v, str) and v.startswith(ERRORS)}
        assert errors == {}, case.path.name
        expected = case.expected()
        people, block = _scores(cells)
        assert [p["编号"] for p in people] == [p.id for p in expected.people], case.path.name
        for got, person in zip(people, expected.people, strict=True):
            want = {**person.norms, "加分": person.additions, "个人得分": person.total}
            assert {k: round(got[k], 2) for k in want} == want, (case.path.name, person.id)
            compared += len(want)
        want = {"成员平均（每人不超过 700）": expected.member_mean,
                **{f"{n.code} {n.name}": expected.norms[n.code]
                   for n in case.standards.department_norms},
                f"科室加分（不超过 {case.standards.department_additions_cap:g}）": expected.additions,
                "科室得分（满分 1000）": expected.total, "无法计分的行": case.problems}
        assert {k: round(block[k], 2) for k in want} == want, case.path.name
        compared += len(want)
    assert compared > 1000


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("engine", ENGINES)
def test_every_formula_cell_recalculates_to_the_value_saved_with_it(recalculated, engine):
    """What a viewer that never recalculates shows is what the spreadsheet computes."""
    cases, saved, outputs = recalculated
    compared = 0
    for case, (formulas, values), again in zip(cases, saved, outputs[engine], strict=True):
        differ = {k: (values.get(k), again.get(k)) for k in formulas
                  if not _same(values.get(k), again.get(k))}
        assert differ == {}, case.path.name
        compared += len(formulas)
    assert compared > 30000


def _same(saved: object, recalculated: object) -> bool:
    """openpyxl reads an empty text result as None, and a date-formatted number as a date."""
    if hasattr(recalculated, "toordinal"):
        return recalculated.toordinal() - date(1899, 12, 30).toordinal() == saved  # type: ignore[attr-defined]
    if isinstance(saved, int | float) and isinstance(recalculated, int | float):
        return abs(saved - recalculated) < 1e-9
    return (saved or "") == (recalculated or "")


@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.parametrize("engine", ENGINES)
def test_one_bad_row_of_each_kind_counts_four_problems(recalculated, engine):
    """An unknown 项目, a 次数 of 1.5, a 编号 not on the roster, a date outside the week:
    qf_problem_count = 4 (and 0 on the clean register); the other rows still score."""
    cases, _, outputs = recalculated
    wb = openpyxl.load_workbook(cases[0].path, read_only=True)
    sheet, cell = next(wb.defined_names["qf_problem_count"].destinations)
    wb.close()
    counts = {case.path.stem: cells[(sheet, cell.replace("$", ""))]
              for case, cells in zip(cases[:2], outputs[engine][:2], strict=True)}
    assert counts == {"hand": 0, "four": 4}
    people, _ = _scores(outputs[engine][1])   # the four rows score nothing; the rest does
    assert [p["个人得分"] for p in people] == [p.total for p in cases[1].expected().people]
