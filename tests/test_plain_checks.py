"""The roster and incident-log checks run in plain Python (schemas/checks.py); the declared
pandera schemas (schemas/register.py) stay the contract. The two give the same people,
incidents and findings: on every file of the hostile corpus, on random registers with
every kind of bad row, and on tables of any values a cell can hold."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.errors import OutOfBoundsDatetime

from qianfen_xl.contract.normalise import to_date
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.intake.reading import SheetTable, read_register
from qianfen_xl.intake.validation import Tables, check_header, check_many
from qianfen_xl.schemas.columns import INCIDENT_COLUMNS, REGISTER_KINDS, ROSTER_COLUMNS

from hostile import CASES, PEOPLE
from random_registers import write_random


def _tables(standards, paths) -> list[Tables]:
    """The registers' tables as the batch checks them (header checked first)."""
    out = []
    for path in paths:
        reg, found = read_register(path, path.name)
        if not reg.readable:
            continue
        checked = check_header(reg, standards, found)
        if checked.kind in REGISTER_KINDS:
            out.append(Tables(reg.label, reg.roster, reg.incidents, checked.department,
                              checked.period))
    return out


def _same(standards, batch: list[Tables]) -> None:
    plain = check_many(standards, batch)
    declared = check_many(standards, batch, declared=True)
    assert plain == declared
    for t in batch:  # and one register at a time, as validate checks it
        assert check_many(standards, [t]) == check_many(standards, [t], declared=True)


def test_the_plain_checks_equal_the_schemas_on_the_hostile_corpus(tmp_path, standards):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    paths = []
    for case in CASES:
        folder = tmp_path / case.name
        folder.mkdir()
        path = case.build(folder, standards, scratch)
        if path is not None and path.is_file():
            paths.append(path)
    batch = _tables(standards, paths)
    assert len(batch) >= 10
    _same(standards, batch)


def test_the_plain_checks_equal_the_schemas_on_random_registers(tmp_path, standards):
    registers = write_random(tmp_path, 6, seed=25)
    batch = _tables(standards, [r.path for r in registers])
    assert len(batch) == 6 and sum(len(t.incidents.rows) for t in batch if t.incidents) > 50
    _same(standards, batch)


VALUES = (st.none() | st.text(max_size=12) | st.integers(-3, 10**6) | st.floats()
          | st.booleans() | st.dates(date(2026, 10, 20), date(2026, 12, 10))
          | st.datetimes(datetime(2026, 10, 20), datetime(2026, 12, 10))
          | st.sampled_from(["", " ", "\u3000", "N03-05", "Ｎ０３－０５ 办公", "N99-99", "B01",
                             "N06-02", "T01", "t01", "Ｔ０１", " T01", "T02", "钱思远", "冯若溪",
                             "两次", "2026-11-17", "2026/11/18", "1.5", "2", "行政口", "党口",
                             "公务员", "科室负责人", "坏", "x" * 101]))


def _table(sheet: str, specs, rows: list[list[object]], first: int) -> SheetTable:
    headers = [s.header for s in specs]
    letters = {h: chr(65 + k) for k, h in enumerate(headers)}
    columns = {h: [row[k] for row in rows] for k, h in enumerate(headers)}
    return SheetTable(sheet, first - 1, letters, columns, list(range(first, first + len(rows))))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(data=st.data(), files=st.integers(1, 3))
def test_the_plain_checks_equal_the_schemas_on_any_cell_values(standards, data, files):
    batch = []
    for k in range(files):
        roster = data.draw(st.lists(st.lists(VALUES, min_size=6, max_size=6), max_size=5))
        roster += [[p.id, p.name, p.department, p.line, p.category, p.level]
                   for p in PEOPLE[:data.draw(st.integers(0, 2))]]
        log = data.draw(st.lists(st.lists(VALUES, min_size=8, max_size=8), max_size=8))
        period = data.draw(st.sampled_from([None, "2026-11", "2026-W47"]))
        department = data.draw(st.sampled_from(["", "测试科", standards.leadership_unit]))
        batch.append(Tables(f"f{k}.xlsx", _table("人员", ROSTER_COLUMNS, roster, 4),
                            _table("登记", INCIDENT_COLUMNS, log, 6), department,
                            parse_period(period) if period else None))
    plain = check_many(standards, batch)
    try:
        declared = check_many(standards, batch, declared=True)
    except OutOfBoundsDatetime:  # pandas' datetime64[ns] ends on 2262-04-11; a date cannot
        assert any(d and d.year >= 2262 for d, _ in map(to_date, _cells(batch, "日期")))
        return
    assert plain == declared


def _cells(batch: list[Tables], header: str) -> list[object]:
    return [v for t in batch if t.incidents for v in t.incidents.columns[header]]


def test_a_person_needs_both_an_id_and_a_name(standards):
    """A roster row with a 姓名 and no 编号, or a 编号 and no 姓名, is named (the declared
    schema checked these cells column by column, where pandera never sees a blank one:
    such a person was silently left out); a row with neither is no person."""
    roster = _table("人员", ROSTER_COLUMNS, [
        ["T01", "钱思远", "测试科", "行政口", "公务员", "科室负责人"],
        [None, "冯若溪", "测试科", None, None, None],
        ["T03", " ", "测试科", None, None, None],
        [None, None, "测试科", "行政口", None, None]], 4)
    for declared in (False, True):
        people, _, findings = check_many(standards, [Tables("r.xlsx", roster, None)],
                                         declared=declared)[0]
        assert [p.id for p in people] == ["T01"]
        assert [(f.code, f.cell) for f in findings] == [("roster-id-missing", "A5"),
                                                        ("roster-name-missing", "B6")]
