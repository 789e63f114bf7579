"""The 年度考核情况登记表 round trip: `annual` writes it pre-filled, `validate` accepts it,
the assessment group's decisions typed into it come back through `finalize` as the final
results, and every decision that breaks a rule is refused naming its cell."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qianfen_xl import api
from qianfen_xl.cli import main
from qianfen_xl.schemas.columns import DECISION_COLUMNS

HEADERS = [c.header for c in DECISION_COLUMNS]
COL = {h: chr(ord("A") + k) for k, h in enumerate(HEADERS)}


def _rows(path: Path) -> dict[str, int]:
    """编号 → the Excel row of its decision."""
    ws = load_workbook(path)["考核决定"]
    return {ws[f"A{r}"].value: r for r in range(6, ws.max_row + 1) if ws[f"A{r}"].value}


def _proposals(path: Path) -> dict[str, str]:
    ws = load_workbook(path)["考核决定"]
    return {ws[f"A{r}"].value: ws[f"F{r}"].value for r in range(6, ws.max_row + 1)
            if ws[f"A{r}"].value}


def _decide(path: Path, decisions: dict[str, dict[str, object]]) -> Path:
    """Type decisions into the register as a clerk would (openpyxl, cells by header)."""
    wb = load_workbook(path)
    ws = wb["考核决定"]
    rows = {ws[f"A{r}"].value: r for r in range(6, ws.max_row + 1)}
    for pid, values in decisions.items():
        for header, value in values.items():
            ws[f"{COL[header]}{rows[pid]}"] = value
    wb.save(path)
    return path


def _accepted(path: Path) -> dict[str, dict[str, object]]:
    """Every proposal taken as the decision (the level above's 优秀 for 班子成员), 同意."""
    out: dict[str, dict[str, object]] = {}
    for pid, proposal in _proposals(path).items():
        grade = proposal.split("（")[0]
        out[pid] = {"确定等次": grade, "本人意见": "同意"}
    return out


@pytest.fixture
def filled(year_run, tmp_path) -> Path:
    register = shutil.copy(year_run["register"], tmp_path / "年度考核情况登记表_2026.xlsx")
    return _decide(Path(register), _accepted(Path(register)))


def _errors(results: api.Results) -> list[tuple[str, str, str]]:
    return sorted((f.sheet, f.cell, f.code) for f in results.findings if f.is_error)


# ------------------------------------------------------------------ the register as written

def test_the_register_keeps_the_contract(year_run):
    wb = load_workbook(year_run["register"])
    assert wb.sheetnames == ["考核决定", "登记表", "考核数据", "_meta"]
    assert wb["_meta"].sheet_state == "hidden"
    table = wb["考核决定"].tables["decisions"]
    assert table.ref == "A5:L22"  # 17 people
    assert [c.value for c in wb["考核决定"][5]][:12] == HEADERS
    values = {}
    for name in ("qf_kind", "qf_version", "qf_unit", "qf_period"):
        sheet, cell = next(wb.defined_names[name].destinations)
        values[name] = wb[sheet][cell.replace("$", "")].value
    assert values == {"qf_kind": "年度考核情况登记表", "qf_version": "1.0", "qf_unit": "xxx街道",
                      "qf_period": "2026"}


def _dropdown(wb, cell: str) -> list[str]:
    ws = wb["考核决定"]
    dv = next(dv for dv in ws.data_validations.dataValidation
              if cell in dv.sqref and dv.formula1.startswith("qf_choices"))
    sheet, ref = next(wb.defined_names[dv.formula1].destinations)
    return [c[0].value for c in wb[sheet][ref.replace("$", "")]]


def test_each_decision_offers_the_persons_own_choices(year_run):
    wb = load_workbook(year_run["register"])
    rows = _rows(year_run["register"])
    assert _dropdown(wb, f"G{rows['S07']}") == ["优秀", "合格", "基本合格", "不合格", "不定等次", "暂缓"]
    assert _dropdown(wb, f"G{rows['S01']}") == ["优秀", "称职", "基本称职", "不称职", "不定等次", "暂缓"]
    assert _dropdown(wb, f"G{rows['S05']}") == ["称职", "基本称职", "不称职", "不定等次", "暂缓"]  # 警告
    assert _dropdown(wb, f"G{rows['S02']}") == ["不定等次"]  # a July hire


def test_text_typed_or_written_at_any_length_wraps_in_its_cell(year_run):
    """鉴定意见 and 复核结果 as the assessment group types them, 建议等次, 考核池 and 说明
    as the system writes them: each wraps in its column (never cut by the next cell, on
    screen or on paper); 考核数据's notes too, on rows as tall as they need."""
    wb = load_workbook(year_run["register"])
    ws, first = wb["考核决定"], min(_rows(year_run["register"]).values())
    for header in ("建议等次", "鉴定意见", "复核结果", "考核池", "说明"):
        assert ws[f"{COL[header]}{first}"].alignment.wrap_text, header
    data = wb["考核数据"]
    notes = [c.column_letter for c in data[3] if c.value in ("说明", "需要说明的情况")]
    assert all(data[f"{col}4"].alignment.wrap_text for col in notes) and len(notes) == 2


def test_no_structured_reference_and_every_formula_carries_its_value(year_run):
    with zipfile.ZipFile(year_run["register"]) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    cells = [c for xml in sheets for c in re.findall(r"<c [^>]*>(?:(?!</c>).)*<f>.*?</c>", xml)]
    assert len(cells) > 17 * 30  # the pages' fields, each a formula
    assert not [c for c in cells if "[" in re.search(r"<f>(.*?)</f>", c).group(1)]
    uncached = [c for c in cells if "<v/>" in c or "<v />" in c
                or ("<v></v>" in c and 't="str"' not in c)]
    assert uncached == []


def test_the_written_register_validates(year_run, capsys):
    assert main(["validate", str(year_run["register"])]) == 0
    assert "校验通过（错误 0，警告 0）。17 人，已填确定等次 0 人。" in capsys.readouterr().out


def test_the_blank_template_validates():
    from conftest import ROOT

    report = api.validate(ROOT / "workbook_templates" / "年度考核情况登记表.xlsx")
    assert (report.status, report.people, report.findings) == ("校验通过", 0, ())


# ------------------------------------------------------------------ the round trip

def test_decisions_typed_in_come_back_through_finalize(filled, tmp_path, capsys, standards):
    rows = _decide(filled, {"S01": {"鉴定意见": "工作认真负责。", "本人意见": "申请复核",
                                    "复核结果": "维持原等次"}})
    typed = {pid: d["确定等次"] for pid, d in _accepted(rows).items()}
    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2027 年；公示 2027-01-04 至 2027-01-08" in printed  # 2027's 调休 not yet listed
    data = json.loads((out / "考核结果_2026.json").read_text(encoding="utf-8"))
    assert {p["id"]: p["grade"] for p in data["people"]} == typed
    assert data["year"] == 2026 and data["publicity"] == {
        "start": "2027-01-04", "end": "2027-01-08", "working_days": 5,
        "calendar": standards.calendar.digest}  # the days it was counted with
    people = {p["id"]: p for p in data["people"]}
    assert set(people["S01"]) == {"id", "name", "department", "category", "total", "grade", "note"}
    assert people["S01"]["note"] == "复核结果：维持原等次"
    assert "立案审查" in people["S04"]["note"] and people["S04"]["grade"] == "暂缓"
    book = load_workbook(out / "考核结果_2026.xlsx")
    assert book.sheetnames == ["考核结果通报", "公示名单", "年度考核花名册", "等次统计"]
    listed = [r[1] for r in book["公示名单"].iter_rows(min_row=4, values_only=True)]
    assert listed == ["U03", "U05", "U07"]  # the pools' 优秀; not the 班子's (the level above's)
    assert book["公示名单"]["A2"].value.splitlines() == [
        "公示时间：2027年01月04日 至 2027年01月08日（5 个工作日）", "公示期间如有异议，请向组织人事部门反映。"]
    assert len(list((out / "入档").iterdir())) == 17


def test_the_archive_page_holds_the_final_decision(filled, tmp_path):
    _decide(filled, {"S01": {"鉴定意见": "工作认真负责。"}})
    results = api.finalize(filled)
    written = results.write(tmp_path / "结果")
    page = next(p for p in written if p.name.startswith("S01_"))
    cells = [c.value for row in load_workbook(page)["登记表"].iter_rows() for c in row if c.value]
    assert "考核等次：称职" in cells and "工作认真负责。" in cells and "张晓明" in cells


RULES = [
    ("a blank decision", {"S01": {"确定等次": None}}, [("G", "S01", "decision-missing")]),
    ("a grade outside the vocabulary", {"S07": {"确定等次": "称职"}},
     [("G", "S07", "decision-grade-invalid")]),
    ("a grade for a person to be 不定等次", {"S02": {"确定等次": "称职"}},
     [("G", "S02", "decision-grade-invalid")]),
    ("优秀 for a vetoed person", {"U04": {"确定等次": "优秀"}, "U05": {"确定等次": "称职"}},
     [("G", "U04", "decision-excellent-ineligible")]),
    ("优秀 for a person with a 警告", {"S05": {"确定等次": "优秀"}, "U05": {"确定等次": "称职"}},
     [("G", "S05", "decision-excellent-ineligible")]),
    ("a pending 复核", {"S01": {"本人意见": "申请复核"}}, [("J", "S01", "decision-review-pending")]),
    ("本人意见 not a choice", {"S01": {"本人意见": "不同意"}},
     [("I", "S01", "decision-opinion-invalid")]),
    ("a changed 总分", {"S01": {"总分": 999}}, [("E", "S01", "register-total-changed")]),
    ("a changed 建议等次", {"S01": {"建议等次": "优秀"}}, [("F", "S01", "register-value-changed")]),
]


@pytest.mark.parametrize(("what", "edit", "expected"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_breaking_decision_is_refused_naming_its_cell(filled, tmp_path, what, edit,
                                                                 expected):
    rows = _rows(filled)
    _decide(filled, edit)
    results = api.finalize(filled)
    assert _errors(results) == [("考核决定", f"{col}{rows[pid]}", code)
                                for col, pid, code in expected]
    assert not results.ok
    with pytest.raises(api.QianfenError):
        results.write(tmp_path / "结果")


def test_an_ineligible_excellent_beside_a_full_pool_is_refused_alone(filled):
    """Worked by hand: the 公务员 pool (11 people) has 2 places, taken by U03 and U05. S05
    (a 警告 in the year) decided 优秀 too is refused for that alone: a decision refused
    for eligibility is no 优秀 to count, so no quota finding blames U03 or U05."""
    rows = _rows(filled)
    _decide(filled, {"S05": {"确定等次": "优秀"}})
    assert _errors(api.finalize(filled)) == [
        ("考核决定", f"G{rows['S05']}", "decision-excellent-ineligible")]


def test_a_pool_over_its_quota_names_its_places_and_everyone_decided_excellent(filled):
    """S06 decided 优秀 beside U03 and U05: three for two places. Which two stay is the
    assessment group's to decide, so the finding stands on the pool's count (Q6, the
    公务员 row of the quota block) and names all three, best total first."""
    rows = _rows(filled)
    _decide(filled, {"S06": {"确定等次": "优秀"}})
    (found,) = [f for f in api.finalize(filled).findings if f.is_error]
    assert (found.code, found.sheet, found.cell) == ("decision-quota-exceeded", "考核决定", "Q6")
    assert found.detail == (f"考核池 公务员 名额 2 人，已定优秀 3 人：U03 徐子涵（G{rows['U03']}）、"
                            f"U05 胡婉清（G{rows['U05']}）、S06 杨秀英（G{rows['S06']}）")
    wb = load_workbook(filled)
    assert [c.value for c in wb["考核决定"]["N6":"P6"][0]] == ["公务员", 11, 2]


def test_a_changed_id_is_refused_and_its_person_missed(filled):
    rows = _rows(filled)
    _decide(filled, {"S01": {"编号": "S99"}})
    data_row = 4 + list(rows).index("S01")  # 考核数据 keeps the engine's order
    assert _errors(api.finalize(filled)) == [("考核决定", f"A{rows['S01']}", "register-id-changed"),
                                              ("考核数据", f"A{data_row}", "register-row-missing")]


def test_an_edited_year_data_sheet_is_refused(filled):
    wb = load_workbook(filled)
    ws = wb["考核数据"]
    row = next(r for r in range(4, ws.max_row + 1) if ws[f"A{r}"].value == "S05")
    assert (ws["I3"].value, ws[f"I{row}"].value) == ("可评优秀", "否")
    ws[f"I{row}"] = "是"  # the 警告 no longer keeps S05 from 优秀?
    wb.save(filled)
    assert _errors(api.finalize(filled)) == [("考核数据", "", "register-data-changed")]


def test_finalize_refuses_with_exit_1_and_writes_nothing(filled, tmp_path, capsys):
    rows = _rows(filled)
    _decide(filled, {"S07": {"确定等次": "称职"}})
    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert f"考核决定!G{rows['S07']}: 确定等次不在该人员的可选等次中：S07 赵文博：“称职”" in printed
    assert not out.exists()


def test_validate_reports_a_wrong_decision_but_not_a_blank_one(year_run, tmp_path, capsys):
    register = Path(shutil.copy(year_run["register"], tmp_path / "r.xlsx"))
    rows = _rows(register)
    _decide(register, {"S07": {"确定等次": "称职"}, "S08": {"确定等次": "合格"}})
    report = api.validate(register)
    assert [(f.cell, f.code) for f in report.findings] == [(f"G{rows['S07']}",
                                                            "decision-grade-invalid")]
    assert (report.status, report.decided) == ("退回修改", 2)
    assert main(["validate", str(register)]) == 1


def test_history_flags_three_excellent_years_and_low_grades_twice(filled, tmp_path):
    history = tmp_path / "往年"
    history.mkdir()
    for year, grades in ((2024, {"U03": "优秀"}), (2025, {"U03": "优秀", "U01": "基本称职"})):
        people = [{"id": pid, "category": "公务员", "grade": g} for pid, g in grades.items()]
        (history / f"考核结果_{year}.json").write_text(
            json.dumps({"year": year, "people": people}), encoding="utf-8")
    (history / "坏文件.json").write_text("{", encoding="utf-8")
    _decide(filled, {"U01": {"确定等次": "不称职"}})
    results = api.finalize(filled, history=history)
    assert [(f["id"], f["flag"]) for f in results.to_dict()["flags"]] == [
        ("U01", "连续 2 年等次偏低"), ("U03", "连续 3 年优秀")]
    assert [(f.file, f.code) for f in results.findings] == [
        ("坏文件.json", "history-unreadable"),
        ("年度考核情况登记表_2026.xlsx", "calendar-year-unlisted")]
    written = results.write(tmp_path / "结果")
    assert "历史提示" in load_workbook(written[0]).sheetnames
    assert main(["finalize", str(filled), "--out", str(tmp_path / "x"),
                 "--history", str(tmp_path / "没有")]) == 2


def test_the_publicity_start_can_be_set(filled, tmp_path):
    assert main(["finalize", str(filled), "--out", str(tmp_path / "结果"),
                 "--notice-start", "2026-09-29"]) == 0
    data = json.loads((tmp_path / "结果" / "考核结果_2026.json").read_text(encoding="utf-8"))
    assert data["publicity"]["end"] == "2026-10-10"  # 国庆 skipped, the 调休 Saturday counted


# ------------------------------------------------------------------ in a real spreadsheet

@pytest.mark.libreoffice
def test_a_register_saved_again_in_libreoffice_keeps_its_digest(filled, tmp_path, lo_profile):
    """The digest covers every figure of 考核数据: a spreadsheet program saving the
    register again (as a clerk's does) must not look like an edit."""
    from libreoffice import convert

    (saved,) = convert([filled], tmp_path / "saved", lo_profile)
    assert [f.code for f in api.validate(saved).findings if f.is_error] == []


@pytest.fixture(scope="module")
def register_pdf(year_run, tmp_path_factory, lo_profile) -> Path:
    """The register as LibreOffice prints it."""
    from libreoffice import convert

    (pdf,) = convert([year_run["register"]], tmp_path_factory.mktemp("pdf"), lo_profile, "pdf")
    return pdf


@pytest.mark.libreoffice
def test_the_register_prints_one_a4_page_per_person(year_run, register_pdf):
    pdf = register_pdf
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = [(round(float(w)), round(float(h))) for w, h in
             re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")[:len(sizes)]
    persons = [(k, page) for k, page in enumerate(pages) if "主管领导评语" in page]
    assert {sizes[k] for k, _ in persons} == {(595, 842)}  # A4 portrait, every one
    ids = [re.findall(r"\b([LSU]\d\d)\b", page) for _, page in persons]
    assert sorted(found[0] for found in ids) == sorted(_rows(year_run["register"]))
    assert all(len(set(found)) == 1 for found in ids)  # one person a page, each once


@pytest.mark.libreoffice
def test_the_year_data_prints_readable(register_pdf):
    """考核数据, its last sheet, over several landscape pages at a readable size (it printed
    on one page at about 3 pt), 编号 and 姓名 on every one."""
    text = subprocess.run(["pdftotext", "-layout", str(register_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[:-1]
    first = next(k for k, page in enumerate(text) if "年度考核数据（系统生成，请勿修改）" in page)
    data = range(first, len(text))
    assert len(data) > 1 and all("S01" in text[k] for k in data)
    box = subprocess.run(["pdftotext", "-bbox", "-f", str(first + 1), "-l", str(len(text)),
                          str(register_pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    heights = sorted(float(b) - float(a) for a, b in re.findall(
        r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', box))
    assert heights[len(heights) // 2] >= 6  # points: the median word's height


@pytest.mark.libreoffice
def test_recalculated_pages_show_the_decisions_and_equal_the_cached_values(year_run, filled,
                                                                          tmp_path, lo_profile):
    from libreoffice import convert

    (fresh,) = convert([year_run["register"]], tmp_path / "fresh", lo_profile)
    (typed,) = convert([filled], tmp_path / "typed", lo_profile)
    formulas = load_workbook(year_run["register"])
    cached = load_workbook(year_run["register"], data_only=True)
    computed = load_workbook(fresh, data_only=True)
    differ = [(ws.title, c.coordinate) for ws in formulas for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("=")
              and (cached[ws.title][c.coordinate].value or "")
              != (computed[ws.title][c.coordinate].value or "")]
    assert differ == []
    pages = [c.value for row in load_workbook(typed, data_only=True)["登记表"].iter_rows()
             for c in row if isinstance(c.value, str)]
    assert pages.count("考核等次：不定等次") == 3 and "考核等次：暂缓" in pages
