"""Every workbook the project writes stores, with every formula, the value it computes: a
viewer that never recalculates (Protected View, a preview pane, a phone) shows the engine's
numbers, read here with openpyxl ``data_only`` and no spreadsheet at all."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from qianfen_xl.contract.standards import Standards
from qianfen_xl.excel import udfs
from qianfen_xl.intake.register import intake
from qianfen_xl.scoring.engine import item_points

from conftest import ROOT

CACHE_RULES = {"score-cache-mismatch", "formula-overwritten"}
_CELL = re.compile(rb"<c r=\"([A-Z]+[0-9]+)\"[^>]*?(?:/>|>(.*?)</c>)", re.S)
_FORMULA = re.compile(rb"<f[ >/]")


def formulas_without_value(path: Path) -> list[str]:
    """The formula cells of the file whose value is missing (openpyxl's ``<v />``)."""
    missing = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            for ref, body in _CELL.findall(z.read(name)):
                if body and _FORMULA.search(body) and not re.search(rb"<v>", body):
                    missing.append(f"{name}!{ref.decode()}")
    return missing


def formula_count(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(len(_FORMULA.findall(z.read(n))) for n in z.namelist()
                   if n.startswith("xl/worksheets/sheet"))


@pytest.mark.parametrize("what", ["templates", "pairs", "monthly", "weekly", "evaluation"])
def test_every_formula_cell_carries_a_value(written, what):
    files = written[what]
    assert files and all(formulas_without_value(p) == [] for p in files), what
    counts = {p.name: formula_count(p) for p in files}
    # The registers are live (the .xlsm's few formulas are the UDF calls; the blank annual
    # register's are its pool counts and the page's lookups); the ballots and the 考评录入表
    # hold no formula at all.
    if what == "evaluation":
        assert set(counts.values()) == {0}
    else:
        assert all(n > (0 if name.startswith("年度") else 200) for name, n in counts.items())


@pytest.mark.parametrize("what", ["templates", "pairs", "monthly", "weekly"])
def test_validate_finds_the_saved_values_equal_to_the_engine(written, standards, what):
    registers = [p for p in written[what] if p.suffix in (".xlsx", ".xlsm")]
    for path in registers:
        sub = intake(path, standards)
        assert not {f.code for f in sub.findings} & CACHE_RULES, path.name


def test_the_monthly_registers_show_the_engines_scores(written, standards):
    """--monthly-out's registers, read without recalculating: every person's score, the
    department's and each incident's 分值 are the engine's."""
    for path in written["monthly"]:
        sub = intake(path, standards)
        assert sub.ok and sub.score is not None
        wb = openpyxl.load_workbook(path, data_only=True)
        scores = wb["得分"]
        for r, person in enumerate(sub.score.people, start=7):
            assert [scores[f"{c}{r}"].value for c in "AK"] == [person.id, person.total]
            assert [scores.cell(row=r, column=c).value for c in range(3, 10)] == list(
                person.norms.values())
        total = next(wb.defined_names["qf_dept_total"].destinations)[1].replace("$", "")
        assert scores[total].value == sub.score.total
        log = wb["登记"]
        assert [log[f"F{6 + k}"].value for k in range(len(sub.incidents))] == [
            item_points(standards, i.code, i.count) for i in sub.incidents]


@pytest.mark.parametrize("name", ["周考核情况登记表.xlsm", "月考核情况登记表.xlsm"])
def test_the_xlsm_stores_what_its_udfs_return(name, standards: Standards):
    """The .xlsm's QF_SCORES grid, QF_POINTS and QF_CHECK, as the UDFs compute them from the
    workbook's own cells."""
    path = ROOT / "workbook_templates" / name
    wb = openpyxl.load_workbook(path, data_only=True)

    def grid(ws, ref):
        return [[c.value for c in row] for row in ws[ref]]

    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    log, roster = wb["登记"], wb["人员"]
    expected = udfs.scores_grid(standards, grid(log, f"A5:H{log.max_row}"),
                                grid(roster, "A3:F63"), 60, start=meta["期间起"],
                                end=meta["期间止"], leadership=bool(meta["领导班子"]))
    saved = [["" if v is None else v for v in row] for row in grid(wb["得分"], "A7:N66")]
    assert saved == [["" if v is None else v for v in row] for row in expected]
    assert {log[f"F{r}"].value for r in range(6, log.max_row + 1)} == {None}  # QF_POINTS: ""
    assert [log["G3"].value, log["H3"].value] == [0, "校验通过"]
