"""A week's ranking (`consolidate --period 2026-W47`): each department's weekly register of
that ISO week scored as the register scores itself — the score `validate` prints for the
file — ranked competition-style; 已计分, 退回修改 or 未报送, never 不完整; conflicts and
identity checked as for a month; the workbook and JSON in a month's shape."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

import qianfen_xl
from qianfen_xl.batch.consolidation import MISSING, RETURNED, SCORED, consolidate
from qianfen_xl.batch.inbox import discover, intake_all
from qianfen_xl.cli import main
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo.month import DemoInbox, write_demo_month

WEEK = "2026-W47"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> DemoInbox:
    return write_demo_month(tmp_path_factory.mktemp("demo"), standards, "2026-11")


def weekly_of(demo: DemoInbox, week: str) -> dict[str, Path]:
    return {p.parent.name: p for p in demo.folder.rglob(f"*_{week}_周考核情况登记表.xlsx")}


@pytest.mark.parametrize("which", ["plain", "flawed"])
def test_a_week_ranks_each_register_as_validate_scores_it(demo: DemoInbox, standards: Standards,
                                                           which: str) -> None:
    week = WEEK if which == "plain" else demo.flawed.name.split("_")[1]
    flawed = demo.flawed.parent.name if which == "flawed" else None
    ranking = qianfen_xl.consolidate(demo.folder, week, roster=demo.roster_file,
                                     standards=standards, workers=1)
    [result] = ranking.result.requested
    assert result.period == parse_period(week)
    rows = {r.department: r for r in result.departments}
    files = weekly_of(demo, week)
    assert set(rows) == {p.department for p in demo.roster}
    assert rows[demo.late].status == MISSING and demo.late not in files
    scores = {}
    for department, path in files.items():
        report = qianfen_xl.validate(path, standards=standards)
        row = rows[department]
        if department == flawed:
            assert (report.status, row.status, row.score) == ("退回修改", RETURNED, None)
            continue
        assert report.score is not None and row.status == SCORED and row.score is not None
        assert row.score.total == report.score.total
        assert [(p.id, p.total) for p in row.score.people] == [
            (p.id, p.total) for p in report.score.people]
        if row.ranked:
            scores[department] = report.score.total
    assert all(r.status in (SCORED, RETURNED, MISSING) for r in result.departments)
    # competition ranks: one more than the number of departments scoring higher
    assert {d: rows[d].rank for d in scores} == {
        d: 1 + sum(v > s for v in scores.values()) for d, s in scores.items()}
    assert rows[standards.leadership_unit].rank is None
    assert ranking.exit_code == 1


def test_a_week_checks_conflicts_and_identity_as_a_month(demo: DemoInbox,
                                                         standards: Standards) -> None:
    subs = intake_all(discover(demo.folder), standards, workers=1)
    files = weekly_of(demo, WEEK)
    first, second = sorted(files)[:2]
    label = {department: files[department].relative_to(demo.folder).as_posix()
             for department in (first, second)}
    original = next(s for s in subs if s.label == label[first])
    other = dataclasses.replace(original, label=f"{first}/另一份.xlsx", sha256="0" * 64,
                                incidents=original.incidents[:-1])
    stranger = next(s for s in subs if s.label == label[second])
    stranger = dataclasses.replace(stranger, department="不存在科")
    subs = [s for s in subs if s.label != label[second]] + [other, stranger]
    result = consolidate(standards, subs, parse_period(WEEK), demo.roster)
    rows = {r.department: r for r in result.requested[0].departments}
    assert rows[first].status == RETURNED
    assert set(rows[first].files) == {label[first], f"{first}/另一份.xlsx"}
    assert rows["不存在科"].status == RETURNED and rows[second].status == MISSING
    codes = {(f.file, f.code) for f in result.findings}
    assert {(label[first], "register-conflict"), (f"{first}/另一份.xlsx", "register-conflict"),
            (label[second], "department-unknown")} <= codes
    # the month's other weeks are where they belong: not flagged as in the wrong folder
    assert not any(f.code == "period-outside" for f in result.findings)


def test_consolidate_takes_a_week_and_writes_a_months_shapes(demo: DemoInbox, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    outputs = {}
    for period in (WEEK, "2026-11"):
        out, data = tmp_path / f"排名_{period}.xlsx", tmp_path / f"排名_{period}.json"
        assert main(["consolidate", str(demo.folder), "--period", period, "--roster",
                     str(demo.roster_file), "--out", str(out), "--json", str(data),
                     "--workers", "1"]) == 1  # a department sent nothing
        outputs[period] = (load_workbook(out).sheetnames,
                           json.loads(data.read_text(encoding="utf-8")))
    printed = capsys.readouterr().out
    assert f"千分制考核排名 {WEEK}" in printed
    (week_sheets, week), (month_sheets, month) = outputs[WEEK], outputs["2026-11"]
    assert week_sheets == month_sheets
    assert week.keys() == month.keys()
    assert week["months"][0].keys() == month["months"][0].keys()
    assert [d.keys() for d in week["months"][0]["departments"]] == [
        d.keys() for d in month["months"][0]["departments"]]
    assert (week["period"], [m["period"] for m in week["months"]]) == (WEEK, [WEEK])
    assert week["departments"]["不完整"] == 0 and week["departments"]["未报送"] == 1
