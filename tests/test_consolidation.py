"""A month of several departments' registers, consolidated end to end: the ranking workbook
holds the engine's scores, the right ranks and statuses, and every file with its SHA-256."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from datetime import date

import pytest
from openpyxl import load_workbook

from qianfen_xl.batch.consolidation import consolidate, consolidation_period
from qianfen_xl.batch.inbox import discover, intake_all
from qianfen_xl.cli import main
from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.demo.month import write_roster_csv
from qianfen_xl.scoring.engine import Incident, Person, competition_ranks, score_department

from builders import KIND_MONTHLY, STREET, read_charts, register, street_month

NOV = consolidation_period("2026-11")


def sheet_rows(path, sheet):
    """The table under a ranking sheet's header row (row 3) as dicts, down to its first
    empty row (a note may follow, as under 数据来源)."""
    ws = load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    table = []
    for r in rows[3:]:
        if all(v is None for v in r):
            break
        table.append(dict(zip(header, r, strict=False)))
    return table


def run(inbox, tmp_path, *extra, roster=STREET, period="2026-11"):
    out = tmp_path / "排名.xlsx"
    args = ["consolidate", str(inbox), "--period", period, "--out", str(out),
            "--json", str(tmp_path / "排名.json"), "--workers", "1", *extra]
    if roster:
        args += ["--roster", str(write_roster_csv(list(roster), tmp_path / "名单.csv"))]
    code = main(args)
    return code, out, json.loads((tmp_path / "排名.json").read_text(encoding="utf-8"))


def expected_scores(street, standards, month=NOV, departments=None):
    out = {}
    for d in departments or street.incidents:
        members = [p for p in street.roster if p.department == d]
        out[d] = score_department(standards, d, members,
                                  street.month_incidents(d, month.start, month.end))
    return out


@pytest.fixture(scope="module", params=[".xlsx", ".xlsm"], ids=["xlsx", "xlsm"])
def built_street(request, tmp_path_factory, standards):
    """The street's weekly registers, all of one template: what holds for the .xlsx holds
    for the .xlsm departments send back (its VBA project read, never run)."""
    return street_month(tmp_path_factory.mktemp("street"), standards, suffix=request.param)


@pytest.fixture
def street(tmp_path, built_street):
    """A fresh copy of the street's inbox for each test (tests add files to it)."""
    inbox = tmp_path / "inbox"
    shutil.copytree(built_street.inbox, inbox)
    return dataclasses.replace(built_street, inbox=inbox, files=[
        inbox / p.relative_to(built_street.inbox) for p in built_street.files])


def test_a_month_consolidates_to_the_engine_scores(tmp_path, standards, street, capsys):
    code, out, data = run(street.inbox, tmp_path)
    assert code == 1  # 工委办公室 sent nothing
    expected = expected_scores(street, standards)
    ranks = competition_ranks({d: s.total for d, s in expected.items()})

    ranking = {r["科室"]: r for r in sheet_rows(out, "排名")}
    for d, score in expected.items():
        assert (ranking[d]["得分"], ranking[d]["名次"], ranking[d]["状态"]) == (
            score.total, ranks[d], "已计分")
    assert ranking["工委办公室"]["名次"] == "未报送" and ranking["工委办公室"]["得分"] is None
    assert {r["口"] for r in ranking.values()} == {"行政口", "党口"}

    people = {r["编号"]: r for r in sheet_rows(out, "个人明细")}
    for score in expected.values():
        for p in score.people:
            row = people[p.id]
            assert (row["个人得分"], row["加分"]) == (p.total, p.additions)
            assert all(row[code] == value for code, value in p.norms.items())
    assert len(people) == sum(len(s.people) for s in expected.values())

    details = {r["科室"]: r for r in sheet_rows(out, "科室明细")}
    for d, score in expected.items():
        assert details[d]["成员平均"] == score.member_mean
        assert all(details[d][code] == value for code, value in score.norms.items())

    sources = {r["文件"]: r for r in sheet_rows(out, "数据来源")}
    assert len(sources) == len(street.files)
    for path in street.files:
        row = sources[path.relative_to(street.inbox).as_posix()]
        assert row["SHA-256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert row["字节"] == path.stat().st_size and row["状态"] == "已计分"

    assert [d["total"] for m in data["months"] for d in m["departments"]
            if d["department"] in expected] == [s.total for s in expected.values()]
    printed = capsys.readouterr().out
    assert "千分制考核排名 2026-11" in printed and "未报送" in printed


def test_the_workbook_is_print_ready_and_keeps_the_contract_names(tmp_path, street):
    _, out, _ = run(street.inbox, tmp_path)
    wb = load_workbook(out)
    assert wb.sheetnames[:6] == ["排名", "科室明细", "个人明细", "月度趋势", "校验报告", "数据来源"]
    for name in wb.sheetnames[:6]:
        ws = wb[name]
        assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert wb["个人明细"]["L4"].number_format == "0.00"
    assert "xxx街道" in wb["排名"]["A1"].value and "2026-11" in wb["排名"]["A1"].value
    names = {n: next(wb.defined_names[n].destinations) for n in ("qf_unit", "qf_period")}
    assert wb["排名"][names["qf_period"][1].replace("$", "")].value == "2026-11"
    assert list(sheet_rows(out, "校验报告")[0]) == ["文件", "工作表", "单元格", "级别", "规则", "说明"]


def test_parallel_workers_give_the_same_result(tmp_path, standards, street):
    files = discover(street.inbox)
    serial = intake_all(files, standards, workers=1)
    parallel = intake_all(files * 2, standards, workers=2)[: len(files)]
    assert serial == parallel


def test_weekly_to_monthly_round_trip(tmp_path, standards, street):
    monthly = tmp_path / "月表"
    code, _, first = run(street.inbox, tmp_path, "--monthly-out", str(monthly))
    written = sorted(p.name for p in monthly.iterdir())
    assert written == sorted(f"{d}_2026-11_月考核情况登记表.xlsx" for d in ("社保所", "城市管理科",
                                                                        "党建工作部"))
    again = tmp_path / "again"
    again.mkdir()
    _, _, second = run(monthly, again)

    def totals(data):
        return {(d["department"], p["id"]): p["total"] for m in data["months"]
                for d in m["departments"] for p in d["people"]} | {
            d["department"]: d["total"] for m in data["months"] for d in m["departments"]}
    assert totals(second) == totals(first)
    assert all(s["kind"] == "月考核情况登记表" and s["status"] == "已计分"
               for s in second["sources"])


def test_a_monthly_register_supersedes_the_weeklies(tmp_path, standards, street):
    people = [p for p in STREET if p.department == "社保所"]
    inspection = [Incident(date(2026, 11, 12), "A02", "N04-06", 3, "两办检查：未戴胸卡")]
    month_incidents = street.month_incidents("社保所", NOV.start, NOV.end) + inspection
    register(street.inbox, standards, kind=KIND_MONTHLY, period="2026-11", roster=people,
             incidents=month_incidents, name="社保所_2026-11_月.xlsx")
    _, out, data = run(street.inbox, tmp_path)
    expected = score_department(standards, "社保所", people, month_incidents)
    row = next(d for d in data["months"][0]["departments"] if d["department"] == "社保所")
    assert row["total"] == expected.total and row["files"] == ["社保所_2026-11_月.xlsx"]
    statuses = {r["文件"]: r["状态"] for r in sheet_rows(out, "数据来源")}
    assert statuses["社保所_2026-11_月.xlsx"] == "已计分"
    assert {s for f, s in statuses.items() if f.startswith("社保所/")} == {"已由月表替代"}


def test_a_week_across_two_months_feeds_both(tmp_path, standards):
    # One week alone makes no complete month: scored here under completeness = "warn"
    # (test_trust.py holds the default, "block").
    standards = dataclasses.replace(standards, completeness="warn")
    people = [p for p in STREET if p.department == "社保所"]
    nov30 = Incident(date(2026, 11, 30), "A01", "N03-04", 1, "串岗")
    dec1 = Incident(date(2026, 12, 1), "A02", "N03-07", 2, "吃早餐")
    register(tmp_path, standards, period="2026-W49", roster=people, incidents=[nov30, dec1],
             name="社保所_W49.xlsx")
    subs = intake_all(discover(tmp_path), standards, workers=1)
    for label, incident in (("2026-11", nov30), ("2026-12", dec1)):
        result = consolidate(standards, subs, consolidation_period(label))
        (row,) = result.requested[0].departments
        assert row.incidents == (incident,)
        assert row.score.total == score_department(standards, "社保所", people, [incident]).total


def test_two_monthly_registers_for_one_month_conflict(tmp_path, standards, street):
    people = [p for p in STREET if p.department == "社保所"]
    for name, count in (("社保所_11月.xlsx", 1), ("社保所_11月_修改.xlsx", 2)):
        register(street.inbox, standards, kind=KIND_MONTHLY, period="2026-11", roster=people,
                 incidents=[Incident(date(2026, 11, 3), "A01", "N03-04", count, "串岗")],
                 name=name)
    code, out, data = run(street.inbox, tmp_path)
    conflicts = [f for f in data["findings"] if f["code"] == "register-conflict"]
    assert sorted(f["file"] for f in conflicts) == ["社保所_11月.xlsx", "社保所_11月_修改.xlsx"]
    assert "社保所_11月_修改.xlsx" in next(f["detail"] for f in conflicts
                                           if f["file"] == "社保所_11月.xlsx")
    ranking = {r["科室"]: r for r in sheet_rows(out, "排名")}
    assert ranking["社保所"]["名次"] == "退回修改" and code == 1


def test_statuses_ranks_and_exit_codes(tmp_path, standards, street):
    # A register with a 错误 returns its department's month; the rest are still ranked.
    register(street.inbox, standards, period="2026-W46", department="党建工作部",
             roster=[p for p in STREET if p.department == "党建工作部"],
             incidents=[Incident(date(2026, 11, 10), "P01", "N11-01", 1, "自拟")],
             name="党建工作部/党建工作部_2026-W46.xlsx")
    code, out, data = run(street.inbox, tmp_path)
    assert code == 1
    ranking = {r["科室"]: r for r in sheet_rows(out, "排名")}
    assert ranking["党建工作部"]["名次"] == "退回修改"
    assert "党建工作部_2026-W46.xlsx" in ranking["党建工作部"]["说明"]
    scored = {d: r["名次"] for d, r in ranking.items() if r["状态"] == "已计分"}
    assert sorted(scored.values()) == [1, 2]
    report = sheet_rows(out, "校验报告")
    assert any(r["规则"] == "项目代码不存在（item-code-unknown）" and r["单元格"] == "D6"
               for r in report)

    only_good = tmp_path / "good"
    only_good.mkdir()
    assert run(street.inbox / "社保所", only_good, roster=())[0] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["consolidate", str(empty), "--period", "2026-11", "--out",
                 str(tmp_path / "x.xlsx")]) == 2


def test_the_leadership_unit_is_scored_but_never_ranked(tmp_path, standards):
    leaders = [Person("L01", "王晓明", standards.leadership_unit, "", "公务员", "班子成员")]
    register(tmp_path, standards, kind=KIND_MONTHLY, period="2026-11", roster=leaders,
             department=standards.leadership_unit,
             incidents=[Incident(date(2026, 11, 17), None, "N10-01", 1, "未按时召开民主生活会")])
    register(tmp_path, standards, kind=KIND_MONTHLY, period="2026-11", name="社保所.xlsx")
    result = consolidate(standards, intake_all(discover(tmp_path), standards, workers=1), NOV)
    rows = {r.department: r for r in result.requested[0].departments}
    assert rows[standards.leadership_unit].rank is None
    assert rows[standards.leadership_unit].score.norms["N10"] == 98
    assert rows["社保所"].rank == 1


def test_a_half_year_scores_and_ranks_every_month(tmp_path, standards):
    inbox = tmp_path / "inbox"
    for month in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"):
        day = date(int(month[:4]), int(month[5:]), 10)
        for d, people in (("社保所", STREET[:3]), ("城市管理科", STREET[3:5])):
            n = 1 + int(month[5:]) % 3 if d == "社保所" else 2
            register(inbox, standards, kind=KIND_MONTHLY, period=month, roster=people,
                     department=d, name=f"{d}_{month}.xlsx",
                     incidents=[Incident(day, people[0].id, "N03-04", n, "串岗")])
    code, out, data = run(inbox, tmp_path, roster=(), period="2026-H2")
    assert code == 0
    assert [m["period"] for m in data["months"]] == [f"2026-{m:02d}" for m in range(7, 13)]
    trend = sheet_rows(out, "月度趋势")
    assert [r["科室"] for r in trend[:2]] == ["社保所", "城市管理科"]  # December's order
    assert [trend[0][f"2026-{m:02d}"] for m in range(7, 13)] == [
        score_department(standards, "社保所", STREET[:3], [
            Incident(date(2026, m, 10), "A01", "N03-04", 1 + m % 3)]).total for m in range(7, 13)]
    ranking = sheet_rows(out, "排名")
    assert len(ranking) == 12 and {r["期间"] for r in ranking} == {f"2026-{m:02d}" for m in
                                                                    range(7, 13)}
    bars, *lines = read_charts(out)
    # December in rank order (城市管理科 ahead), from 0 to 满分, every bar labelled
    december = {r["科室"]: r["2026-12"] for r in trend}
    assert bars["categories"] == sorted(december, key=lambda d: -december[d])
    assert (bars["min"], bars["max"], bars["labels"]) == (0, standards.full_marks, True)
    # then one small chart per department, the same cut axis for all, said in the title
    lowest = min(v for r in trend for k, v in r.items() if k != "科室")
    low = (lowest - 5) // 10 * 10  # the tens just below the lowest score, with a margin
    assert [c["title"] for c in lines] == [f"{d}（纵轴自 {low:g} 起）" for d in bars["categories"]]
    assert {(c["min"], c["max"]) for c in lines} == {(low, standards.full_marks)}
    # each small chart's category axis is cells that hold the month labels
    months = [f"2026-{m:02d}" for m in range(7, 13)]
    assert [c["categories"] for c in lines] == [months] * len(lines)


def test_a_quarter_is_its_own_months_in_the_trend_and_the_json(tmp_path, standards):
    """Monthly registers of May to September, consolidated for 2026-Q3: 月度趋势, its
    charts and the JSON hold July to September only (the header says 2026-Q3); the earlier
    registers are outside the period: six of the year's other months, so one 警告 counts
    them (数据来源 lists each)."""
    inbox = tmp_path / "inbox"
    labels = [f"2026-{m:02d}" for m in range(5, 10)]
    for month in labels:
        for d, people in (("社保所", STREET[:3]), ("城市管理科", STREET[3:5]),
                          ("党建工作部", STREET[5:7])):
            register(inbox, standards, kind=KIND_MONTHLY, period=month, roster=people,
                     department=d, name=f"{d}_{month}.xlsx", incidents=[Incident(
                         date(2026, int(month[5:]), 10), people[0].id, "N03-04",
                         1 + int(month[5:]) % 3, "串岗")])
    code, out, data = run(inbox, tmp_path, roster=(), period="2026-Q3")
    assert code == 0
    quarter = labels[2:]
    assert [m["period"] for m in data["months"]] == quarter
    trend = load_workbook(out, read_only=True)["月度趋势"]
    rows = list(trend.iter_rows(max_row=3, values_only=True))
    assert rows[0][0] == "xxx街道 科室得分月度趋势（2026-07 至 2026-09）"
    assert [v for v in rows[2] if v] == ["科室", *quarter]
    _, *lines = read_charts(out)
    assert [c["categories"] for c in lines] == [quarter] * 3
    assert not overlapping_charts(out)  # three side by side, over the hidden columns
    outside = [(f["code"], f["file"], f["detail"]) for f in data["findings"]
               if f["code"].startswith("period")]
    assert outside == [("periods-outside-year", "2026-Q3",
                        "6 个登记表，期间在 2026-05 至 2026-06")]
    statuses = [s["status"] for s in data["sources"] if s["file"].endswith(("_2026-05.xlsx",
                                                                           "_2026-06.xlsx"))]
    assert statuses == ["不在本期"] * 6


@pytest.mark.parametrize("months", [(5, 6), (5, 6, 7, 8, 9)])
def test_a_register_of_another_year_is_named_and_the_years_others_summed_past_three(
        tmp_path, standards, months):
    """社保所's April is consolidated from a folder that also holds its 2025-11 register
    (a wrong folder: named on its own) and later months of 2026: two of them are named one
    by one, five are one 警告 counting them (earlier months would be 月度趋势's)."""
    inbox = tmp_path / "inbox"
    people = STREET[:3]
    for year, month in [(2026, 4), (2025, 11), *[(2026, m) for m in months]]:
        label = f"{year}-{month:02d}"
        register(inbox, standards, kind=KIND_MONTHLY, period=label, roster=people,
                 department="社保所", name=f"社保所_{label}.xlsx", incidents=[Incident(
                     date(year, month, 10), people[0].id, "N03-04", 1, "串岗")])
    code, _, data = run(inbox, tmp_path, roster=(), period="2026-04")
    assert code == 0
    outside = [(f["code"], f["file"], f["detail"]) for f in data["findings"]
               if f["code"].startswith("period")]
    other_year = ("period-outside", "社保所_2025-11.xlsx", "表内期间 2025-11，本次汇总 2026-04")
    if len(months) == 2:
        assert outside == [other_year] + [
            ("period-outside", f"社保所_2026-{m:02d}.xlsx", f"表内期间 2026-{m:02d}，本次汇总 2026-04")
            for m in months]
    else:
        assert outside == [other_year, ("periods-outside-year", "2026-04",
                                        "5 个登记表，期间在 2026-05 至 2026-09")]
    assert sum(s["status"] == "不在本期" for s in data["sources"]) == len(months) + 1


def overlapping_charts(path):
    """Pairs of charts drawn over one another (their anchors' cell boxes intersect)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist()
                      if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
    point = r"<xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff><xdr:row>(\d+)</xdr:row>"
    boxes = [((int(c0), int(o0)), int(r0), (int(c1), int(o1)), int(r1))
             for c0, o0, r0, c1, o1, r1 in re.findall(
                 rf"<xdr:from>{point}.*?</xdr:from><xdr:to>{point}", xml)]
    return [(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1:]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def test_a_week_is_a_consolidation_period_but_not_a_week_that_never_was():
    assert consolidation_period("2026-W47").kind == "week"  # tests/test_week_ranking.py
    with pytest.raises(PeriodError):
        consolidation_period("2027-W53")  # 2027 has 52 ISO weeks


def test_demo_prints_a_ranking_and_writes_the_workbook(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "千分制考核排名 2026-11" in printed and "未报送" in printed and "退回修改" in printed
    ranking = sheet_rows(tmp_path / "排名_2026-11.xlsx", "排名")
    assert len(ranking) == 13  # 12 departments and the leadership unit
    assert sum(r["状态"] == "已计分" for r in ranking) == 11
    # The demo's registers carry every formula's value, and it is the engine's.
    from test_cached_values import formulas_without_value

    registers = sorted((tmp_path / "登记表").rglob("*.xlsx"))
    assert len(registers) == 60 and not any(formulas_without_value(p) for p in registers)
    report = sheet_rows(tmp_path / "排名_2026-11.xlsx", "校验报告")
    assert not [r for r in report for code in ("score-cache-mismatch", "formula-overwritten")
                if f"（{code}）" in r["规则"]]
    # Consolidating the same inbox again gives the same workbook, byte for byte.
    again = tmp_path / "again.xlsx"
    main(["consolidate", str(tmp_path / "登记表"), "--period", "2026-11", "--out", str(again),
          "--roster", str(tmp_path / "人员名单.csv")])
    assert again.read_bytes() == (tmp_path / "排名_2026-11.xlsx").read_bytes()


def test_a_progress_bar_shows_on_request(standards, street, capsys):
    intake_all(discover(street.inbox), standards, workers=1, progress=True)
    err = capsys.readouterr().err
    assert "读取与校验" in err and "15/15" in err


def test_rows_past_excels_last_row_go_on_in_a_sheet_of_their_own(tmp_path, street,
                                                                   monkeypatch):
    """A city's year holds more person-months than a sheet has rows (Excel's 1,048,576;
    XlsxWriter drops a row past them and answers -1): 个人明细 goes on in 个人明细 (2)…,
    each with the title and the header, and no row is lost (the limit lowered here)."""
    import qianfen_xl.reports.xlsx as xlsx

    _, whole, _ = run(street.inbox, tmp_path)
    rows = sheet_rows(whole, "个人明细")
    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 3 + 2)  # title, subtitle, header, 2 rows
    out = tmp_path / "拆分" / "排名.xlsx"
    assert main(["consolidate", str(street.inbox), "--period", "2026-11", "--out", str(out),
                 "--roster", str(write_roster_csv(list(STREET), tmp_path / "名单.csv")),
                 "--workers", "1"]) == 1
    wb = load_workbook(out, read_only=True)
    parts = [n for n in wb.sheetnames if n.startswith("个人明细")]
    assert parts == ["个人明细", *(f"个人明细 ({k})" for k in range(2, len(parts) + 1))]
    assert len(parts) == -(-len(rows) // 2) > 2
    split = [r for name in parts for r in sheet_rows(out, name)]
    assert split == rows and all(len(sheet_rows(out, name)) <= 2 for name in parts)
    assert wb[parts[1]]["A1"].value == wb["个人明细"]["A1"].value + "（续 2）"
