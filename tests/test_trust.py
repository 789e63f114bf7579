"""Nothing ranked that cannot be trusted (issue 14), on the demo's own inbox: a week
removed, a department misspelled, a person in two departments. None of those departments is
ranked, each has its finding, the tables, the JSON and the summary say the same, and every
other department keeps exactly the score and the place it had."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qianfen_xl.cli import main
from qianfen_xl.contract.errors import StandardsError
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import DEFAULT_PATH, load_standards
from qianfen_xl.intake.register import intake
from qianfen_xl.scoring.engine import Incident, competition_ranks

from builders import KIND_MONTHLY, register

MONTH = "2026-11"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_month):
    """The demo's month as written (shared: tests copy its folder), and what consolidating
    it gives."""
    out = tmp_path_factory.mktemp("demo")
    data = _consolidate(demo_month.folder, out / "baseline", demo_month.roster_file)[1]
    return demo_month, _departments(data)


def _consolidate(inbox: Path, out: Path, roster: Path | None, *extra: str):
    out.mkdir(parents=True, exist_ok=True)
    args = ["consolidate", str(inbox), "--period", MONTH, "--out", str(out / "排名.xlsx"),
            "--json", str(out / "排名.json"), "--workers", "1", *extra]
    if roster is not None:
        args += ["--roster", str(roster)]
    code = main(args)
    return code, json.loads((out / "排名.json").read_text(encoding="utf-8"))


def _departments(data) -> dict[str, dict]:
    return {d["department"]: d for d in data["months"][0]["departments"]}


def _copy(demo, tmp_path) -> Path:
    inbox = tmp_path / "登记表"
    shutil.copytree(demo[0].folder, inbox)
    return inbox


def _rows(path: Path, sheet: str) -> list[dict]:
    rows = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[2], r, strict=False)) for r in rows[3:]]


def _others_unchanged(baseline: dict, now: dict, untouched: set[str]) -> None:
    """The departments left alone keep their scores, and their places among themselves."""
    for d in untouched:
        assert now[d]["total"] == baseline[d]["total"] and now[d]["status"] == baseline[d][
            "status"], d
    scored = {d: now[d]["total"] for d in untouched if now[d]["rank"] is not None}
    assert {d: now[d]["rank"] for d in scored} == competition_ranks(scored)


def _findings(data, code: str) -> dict[str, str]:
    return {f["file"]: f["detail"] for f in data["findings"] if f["code"] == code}


def test_a_week_removed_makes_the_month_incomplete_and_unranked(demo, tmp_path, capsys,
                                                                standards):
    baseline = demo[1]
    inbox = _copy(demo, tmp_path)
    victim = "社保所"
    week = standards.calendar.owed_weeks(parse_period(MONTH))[1]
    (removed,) = (inbox / victim).glob(f"*{week}*")
    removed.unlink()
    capsys.readouterr()
    code, data = _consolidate(inbox, tmp_path / "out", demo[0].roster_file)
    now = _departments(data)
    assert baseline[victim]["status"] == "已计分"  # with its five weeks it was ranked
    assert (now[victim]["status"], now[victim]["rank"], now[victim]["total"],
            now[victim]["missing"]) == ("不完整", None, None, [week])
    assert _findings(data, "period-incomplete") == {f"{victim}（{MONTH}）": f"缺少周登记表 {week}"}
    _others_unchanged(baseline, now, set(baseline) - {victim})
    assert code == 1 and data["exit_code"] == 1
    ranking = {r["科室"]: r for r in _rows(tmp_path / "out" / "排名.xlsx", "排名")}
    assert ranking[victim]["名次"] == "不完整" and ranking[victim]["得分"] is None
    assert week in ranking[victim]["说明"] and "不参加排名" in ranking[victim]["说明"]
    people = {r["科室"] for r in _rows(tmp_path / "out" / "排名.xlsx", "个人明细")}
    assert victim not in people  # not scored, so nobody of it is listed either
    printed = capsys.readouterr().out
    assert f"{week}" in printed and "不完整 1 个" in printed


def _misspelled_copy(inbox: Path, real: str, wrong: str) -> tuple[str, str]:
    """A copy of ``real``'s W47 register whose 科室 reads ``wrong``: (copy, original)."""
    (original,) = (inbox / real).glob("*W47*")
    copy = inbox / wrong / original.name.replace(real, wrong)
    copy.parent.mkdir()
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'(<c r="D2"[^>]*><is><t>)' + real.encode() + rb"(</t>)",
                              rb"\g<1>" + wrong.encode() + rb"\g<2>", data)
            dst.writestr(item, data)
    return copy.relative_to(inbox).as_posix(), original.relative_to(inbox).as_posix()


@pytest.mark.parametrize("with_roster", [True, False], ids=["roster", "no-roster"])
def test_a_misspelled_department_ranks_nowhere(demo, tmp_path, with_roster):
    baseline = demo[1]
    inbox = _copy(demo, tmp_path)
    copy, original = _misspelled_copy(inbox, "社保所", "社保局")
    code, data = _consolidate(inbox, tmp_path / "out", demo[0].roster_file if with_roster
                              else None)
    now = _departments(data)
    assert now["社保局"]["status"] == now["社保所"]["status"] == "退回修改"
    assert now["社保局"]["rank"] is None and now["社保所"]["rank"] is None
    unknown = _findings(data, "department-unknown")
    assert unknown == ({copy: "“社保局”，是否应为 “社保所”？"} if with_roster else {})
    twice = _findings(data, "person-two-departments")
    assert set(twice) == {copy, original}
    assert original in twice[copy] and copy in twice[original]
    people = [r["编号"] for r in _rows(tmp_path / "out" / "排名.xlsx", "个人明细")]
    assert len(people) == len(set(people))  # nobody twice
    _others_unchanged(baseline, now, (set(baseline) & set(now)) - {"社保所", "社保局"})
    assert code == 1


def test_one_person_in_two_departments_ranks_neither(demo, tmp_path, standards):
    baseline = demo[1]
    inbox = _copy(demo, tmp_path)
    roster = demo[0].roster
    a, b = "城市管理科", "综合执法队"
    moved = next(p for p in roster if p.department == a)
    (a_file,) = (inbox / a).glob("*W47*")
    (b_file,) = (inbox / b).glob("*W47*")
    b_sub = intake(b_file, standards)
    register(b_file.parent, standards, period=b_sub.period.label, department=b,
             roster=[*b_sub.roster, dataclasses.replace(moved, department=b)],
             incidents=list(b_sub.incidents), name=b_file.name)
    code, data = _consolidate(inbox, tmp_path / "out", demo[0].roster_file)
    now = _departments(data)
    assert now[a]["status"] == now[b]["status"] == "退回修改"
    twice = _findings(data, "person-two-departments")
    labels = {p.relative_to(inbox).as_posix() for p in (a_file, b_file)}
    assert set(twice) == labels and all(moved.id in detail for detail in twice.values())
    _others_unchanged(baseline, now, set(baseline) - {a, b})
    people = [r["编号"] for r in _rows(tmp_path / "out" / "排名.xlsx", "个人明细")]
    assert moved.id not in people and code == 1


def test_the_summary_counts_what_the_tables_show(demo, tmp_path, standards, capsys):
    """Two monthly registers for one department conflict: the department is 退回修改, and so
    are both files (the summary once said "退回修改的文件 0 个" beside a 退回修改 department)."""
    inbox = _copy(demo, tmp_path)
    roster = [p for p in demo[0].roster if p.department == "财政经济科"]
    for name, reason in (("财政经济科_11月.xlsx", "串岗"), ("财政经济科_11月_改.xlsx", "离岗")):
        register(inbox, standards, kind=KIND_MONTHLY, period=MONTH, roster=roster,
                 department="财政经济科", name=name,
                 incidents=[Incident(date(2026, 11, 3), roster[0].id, "N03-04", 1, reason)])
    capsys.readouterr()
    _, data = _consolidate(inbox, tmp_path / "out", demo[0].roster_file)
    printed = capsys.readouterr().out
    statuses = [d["status"] for d in data["months"][0]["departments"]]
    counts = {s: statuses.count(s) for s in ("已计分", "退回修改", "不完整", "未报送")}
    assert data["departments"] == counts
    line = next(x for x in printed.splitlines() if x.startswith("科室："))
    assert line == "科室：" + "，".join(f"{s} {n} 个" for s, n in counts.items() if n) + "。"
    files = [s["status"] for s in data["sources"]]
    returned = files.count("退回修改")
    assert f"退回修改的文件 {returned} 个" in printed and data["files"]["退回修改"] == returned
    conflicted = set(_findings(data, "register-conflict"))
    assert conflicted == {"财政经济科_11月.xlsx", "财政经济科_11月_改.xlsx"}
    assert {s["file"]: s["status"] for s in data["sources"] if s["file"] in conflicted} == {
        f: "退回修改" for f in conflicted}


def test_completeness_warn_ranks_a_month_on_the_weeks_it_has(demo, tmp_path, standards):
    """An office that chooses so in its standards ranks an incomplete month, with a 警告."""
    inbox = _copy(demo, tmp_path)
    week = standards.calendar.owed_weeks(parse_period(MONTH))[0]
    (next((inbox / "社保所").glob(f"*{week}*"))).unlink()
    office = tmp_path / "office.toml"
    office.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace(
        'completeness = "block"', 'completeness = "warn"'), encoding="utf-8")
    code, data = _consolidate(inbox, tmp_path / "out", demo[0].roster_file)
    assert _departments(data)["社保所"]["status"] == "不完整"
    main_args = ["--standards", str(office)]
    out = tmp_path / "warn"
    out.mkdir()
    main([*main_args, "consolidate", str(inbox), "--period", MONTH, "--out",
          str(out / "排名.xlsx"), "--json", str(out / "排名.json"), "--workers", "1",
          "--roster", str(demo[0].roster_file)])
    data = json.loads((out / "排名.json").read_text(encoding="utf-8"))
    row = _departments(data)["社保所"]
    assert row["status"] == "已计分" and row["rank"] is not None and row["missing"] == []
    assert _findings(data, "week-missing") == {f"社保所（{MONTH}）": week}


def test_the_completeness_policy_is_checked_data(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace(
        'completeness = "block"', 'completeness = "maybe"'), encoding="utf-8")
    with pytest.raises(StandardsError, match=r"consolidation\.completeness"):
        load_standards(bad)
    older = tmp_path / "older.toml"  # an office's file from before the section existed
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    older.write_text(text[:text.index("[consolidation]")] + text[text.index("# The ten norms"):],
                     encoding="utf-8")
    assert load_standards(older).completeness == "block"
