"""Templates filled programmatically, recalculated by LibreOffice: every live score equals the
engine's to the cent, and no cell holds an error value."""

from __future__ import annotations

import random
from datetime import date

import openpyxl
import pytest

from qianfen_xl.contract.periods import parse_period
from qianfen_xl.demo.sample import departments_of, random_incidents, street_roster
from qianfen_xl.scoring.engine import Incident, Person, item_points, score_department

from builders import INCIDENTS, KIND_MONTHLY, ROSTER, register
from libreoffice import convert

ERRORS = ("#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def _scenarios(standards):
    """(file stem, kind, period, roster, incidents): hand-made, mean ending in .125, random."""
    yield "hand", "周考核情况登记表", "2026-W47", ROSTER, INCIDENTS
    eight = [Person(f"A{i}", f"人{i}") for i in range(8)]
    half = [Incident(date(2026, 11, 17), "A1", "N09-01", 1, "x"),
            Incident(date(2026, 11, 18), "A2", "N03-01", 1, "y"),
            Incident(date(2026, 11, 19), None, "B04", 20, "z"),       # 60 → cap 50
            Incident(date(2026, 11, 19), None, "N08-03", 60, "w")]    # floored at 0
    yield "round", "周考核情况登记表", "2026-W47", eight, half
    rng = random.Random(47)
    roster = street_roster(standards, seed=47)
    for k, people in enumerate(list(departments_of(roster).values())[1:4]):
        period = parse_period("2026-11")
        incidents = random_incidents(standards, people, period, rng, rate=3.0)
        yield f"random{k}", KIND_MONTHLY, "2026-11", people, incidents


@pytest.mark.libreoffice
def test_live_scores_equal_the_engine_to_the_cent(tmp_path, standards, lo_profile):
    cases = list(_scenarios(standards))
    files = [register(tmp_path, standards, kind=kind, period=period, roster=roster,
                      incidents=incidents, name=f"{stem}.xlsx")
             for stem, kind, period, roster, incidents in cases]
    recalculated = convert(files, tmp_path / "lo", lo_profile)
    for (stem, _, _, roster, incidents), path in zip(cases, recalculated, strict=True):
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    assert not (isinstance(v, str) and v.startswith(ERRORS)), (stem, ws.title, v)
        expected = score_department(standards, "x", roster, incidents)
        ws = wb["得分"]
        header = [c.value for c in ws[4]]
        for r, person in enumerate(expected.people, start=5):
            got = dict(zip(header, (c.value for c in ws[r]), strict=True))
            assert got["编号"] == person.id
            for code, value in person.norms.items():
                assert round(got[code], 2) == value, (stem, person.id, code)
            assert round(got["加分"], 2) == person.additions
            assert round(got["个人得分"], 2) == person.total, (stem, person.id)
        assert ws.cell(row=5 + len(expected.people), column=1).value in ("", None)
        block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value
                 for r in range(60, ws.max_row + 1)}
        assert round(block["成员平均"], 2) == expected.member_mean, stem
        for code, value in expected.norms.items():
            assert round(block[code], 2) == value, (stem, code)
        assert round(block["科室加分"], 2) == expected.additions
        assert round(block["科室得分"], 2) == expected.total, stem
        # the per-row 分值 column too
        log = wb["登记"]
        points = [log.cell(row=r, column=6).value for r in range(6, 6 + len(incidents))]
        assert [round(p, 2) for p in points] == [
            round(item_points(standards, i.code, i.count), 2) for i in incidents]


@pytest.mark.libreoffice
def test_rounding_scenario_hits_the_half_cent(standards):
    # The "round" scenario above must exercise half-away-from-zero: 699.125 → 699.13.
    eight = [Person(f"A{i}", f"人{i}") for i in range(8)]
    half = [Incident(date(2026, 11, 17), "A1", "N09-01", 1, "x"),
            Incident(date(2026, 11, 18), "A2", "N03-01", 1, "y")]
    assert score_department(standards, "x", eight, half).member_mean == 699.13
