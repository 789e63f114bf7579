"""Hostile year-end materials (corpus in hostile_year.py): every case is a finding naming
its file or a clean refusal (exit 1 or 2, a Chinese message, no traceback); nothing is
written on refusal; the numbers of everything good stay what they were; outputs appear
as a whole set or not at all."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hostile_year import (
    EVALUATION_CASES,
    EXTRA,
    HISTORY_CASES,
    REGISTER_CASES,
    ROSTER_CASES,
    STANDARDS_CASES,
    copy_tree,
    standards_fifo,
)
from openpyxl import load_workbook

from qianfen_xl import api
from qianfen_xl.cli import main
from qianfen_xl.contract.errors import OutputError
from qianfen_xl.forms.annual_register import AnnualRegister, write_annual_register
from qianfen_xl.schemas.columns import KIND_MONTHLY

from builders import YEAR_PEOPLE, register

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, so that a hang fails the test instead of
    stopping the suite."""
    return subprocess.run([sys.executable, "-m", "qianfen_xl", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(book: Path, sheet: str, first: int = 4) -> list[tuple]:
    wb = load_workbook(book, read_only=True)
    return [r for r in wb[sheet].iter_rows(min_row=first, values_only=True) if any(r)]


def _accept_all(path: Path) -> Path:
    """Every proposal taken as the decision (the 待定 of a pool as its second grade), 同意."""
    wb = load_workbook(path)
    ws = wb["考核决定"]
    for r in range(6, ws.max_row + 1):
        proposal = ws[f"F{r}"].value
        if proposal:
            ws[f"G{r}"], ws[f"I{r}"] = proposal.split("（")[0], "同意"
    wb.save(path)
    return path


@pytest.fixture
def filled(year_run, tmp_path) -> Path:
    return _accept_all(Path(shutil.copy(year_run["register"], tmp_path / "登记表_2026.xlsx")))


# ------------------------------------------------------------ ballots and 考评 in the inbox

@pytest.fixture(scope="module")
def hostile_year(year_run, tmp_path_factory, standards):
    """The street's year with the hostile evaluation files beside its own and a month's
    register whose 期间 says 9999-12, its roster with control characters in a 姓名 and a
    particular; through `qianfen-xl annual`."""
    tmp = tmp_path_factory.mktemp("hostile-year")
    inbox = copy_tree(year_run["inbox"], tmp / "inbox")
    labels = {}
    for case in EVALUATION_CASES:
        folder = inbox / EXTRA / case.name
        folder.mkdir(parents=True)
        labels[case.name] = case.build(folder, standards).relative_to(inbox).as_posix()
    roster = tmp / "人员名单.csv"  # control characters in a name and a particular
    roster.write_text(year_run["roster"].read_text(encoding="utf-8-sig").replace(
        "张晓明", "张\x01晓\x0b明").replace("社保所工作", "社保\x02所工作"), encoding="utf-8")
    year_9999 = register(inbox / EXTRA, standards, kind=KIND_MONTHLY, period="2026-05",
                         roster=[p for p in YEAR_PEOPLE if p.department == "社保所"],
                         incidents=[], department="社保所", name="社保所_9999-12.xlsx",
                         edit=lambda wb: setattr(wb["登记"]["F2"], "value", "9999-12"))
    labels["register_9999"] = year_9999.relative_to(inbox).as_posix()
    out = tmp / "年度考核_2026.xlsx"
    code = main(["annual", str(inbox), "--year", "2026", "--roster", str(roster),
                 "--out", str(out), "--workers", "1"])
    return code, out, labels


def test_every_hostile_evaluation_file_is_a_finding_naming_it(hostile_year):
    code, out, labels = hostile_year
    assert code == 1  # 错误 among the materials
    found: dict[str, set[str]] = {}
    for row in _rows(out, "校验报告"):  # 规则: the rule's name, its code in brackets
        found.setdefault(row[0], set()).add(row[4].rsplit("（", 1)[-1].rstrip("）"))
    for case in EVALUATION_CASES:
        assert found.get(labels[case.name]) == set(case.expected), case.name
    assert found.get(labels["register_9999"]) == {"period-invalid"}


def test_the_good_numbers_stand_beside_the_hostile_files(hostile_year, year_run):
    """The forged 950, the unknown group's 100s, the marks for nobody: none of them moves
    a total, a grade or a department's year."""
    _, out, _ = hostile_year
    people = {r[0]: r[4:10] + r[-3:-1] for r in _rows(out, "个人年度")}
    baseline = {r[0]: r[4:10] + r[-3:-1] for r in _rows(year_run["workbook"], "个人年度")}
    assert people == baseline
    depts = {r[1]: r[-4:] for r in _rows(out, "科室年度")}
    assert depts == {r[1]: r[-4:] for r in _rows(year_run["workbook"], "科室年度")}


def test_a_file_not_counted_is_never_listed_as_counted(hostile_year):
    _, out, labels = hostile_year
    status = {r[0]: r[5] for r in _rows(out, "数据来源")}
    assert status[labels["unknown_group"]] == "未计入（测评组 “全体干部” 不在评分标准中）"
    assert status[labels["ballot_year_9999"]].startswith("未计入")
    for case in EVALUATION_CASES:
        assert status[labels[case.name]] != "已计入", case.name
    assert status["考评录入表_2026.xlsx"] == "已计入"


def test_control_characters_in_a_name_reach_the_register_cleaned(hostile_year):
    _, out, _ = hostile_year
    register = out.with_name("年度考核情况登记表_2026.xlsx")
    rows = {r[0]: r for r in _rows(register, "考核数据")}
    assert rows["S01"][1] == "张\ufffd晓\n明"  # Word's line break a line break
    assert "社保\ufffd所工作" in rows["S01"]


# ------------------------------------------------------------ the roster

@pytest.mark.parametrize("case", ROSTER_CASES, ids=[c.name for c in ROSTER_CASES])
def test_a_hostile_roster_is_refused_cleanly(case, year_run, tmp_path, standards):
    path = case.build(tmp_path, standards)
    out = tmp_path / "年度.xlsx"
    done = run_cli("annual", str(year_run["inbox"]), "--year", "2026", "--roster", str(path),
                   "--out", str(out), "--workers", "1", timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    for words in case.expected:
        assert words in done.stderr, (case.name, done.stderr)
    assert not out.exists() and not out.with_name("年度考核情况登记表_2026.xlsx").exists()


def test_control_characters_in_a_roster_field_are_cleaned_not_fatal(year_run, tmp_path,
                                                                      standards):
    from qianfen_xl.intake.roster import read_street_roster

    text = year_run["roster"].read_text(encoding="utf-8-sig")
    bad = tmp_path / "人员名单.csv"
    bad.write_text(text.replace("社保所工作", "社保\x01所\x0b工作", 1), encoding="utf-8")
    facts = read_street_roster(bad, standards).facts
    assert {f.duties for f in facts.values()} >= {"社保\ufffd所\n工作"}


# ------------------------------------------------------------ the annual register

@pytest.mark.parametrize("case", REGISTER_CASES, ids=[c.name for c in REGISTER_CASES])
def test_a_tampered_register_is_refused_and_nothing_is_written(case, filled, tmp_path,
                                                               capsys):
    case.build(filled)
    before = _files(tmp_path)
    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out)]) == 1
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err and "未定稿" in printed.out
    assert {f.code for f in api.finalize(filled).findings if f.is_error} == set(case.expected)
    assert _files(tmp_path) == before  # nothing written, in --out or beside it
    assert main(["validate", str(filled)]) == 1


def test_a_figure_typed_over_is_named_with_the_sheet(filled):
    from hostile_year import month_typed_over

    month_typed_over(filled)
    (finding,) = [f for f in api.validate(filled).findings if f.is_error]
    assert (finding.code, finding.sheet) == ("register-data-changed", "考核数据")


def test_a_word_line_break_in_an_appraisal_reaches_every_archive_page(filled, tmp_path):
    """鉴定意见 pasted from Word carries _x000B_: the whole set is written, the break a
    line break."""
    wb = load_workbook(filled)
    ws = wb["考核决定"]
    rows = [r for r in range(6, ws.max_row + 1) if ws[f"A{r}"].value]
    ws[f"H{rows[1]}"] = "工作认真_x000B_负责_x0001_。"
    wb.save(filled)
    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out)]) == 0
    pages = sorted((out / "入档").iterdir())
    assert len(pages) == len(rows)
    page = next(p for p in pages if p.name.startswith(f"{ws[f'A{rows[1]}'].value}_"))
    cells = [c.value for row in load_workbook(page)["登记表"].iter_rows() for c in row]
    assert "工作认真\n负责\ufffd。" in cells


def test_a_unit_named_like_a_formula_stays_text_in_the_register(tmp_path, standards):
    path = write_annual_register(tmp_path / "r.xlsx", standards,
                                 AnnualRegister([], [], ("1月",), "=1+2", "2026"))
    with zipfile.ZipFile(path) as z:
        sheets = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
    # (the pages quote the unit inside a formula's text: "=1+2 "&…, a string)
    assert not [n for n, xml in sheets.items() if re.search(rb"<f>1\+2", xml)]
    wb = load_workbook(path)
    assert wb["考核决定"]["A1"].value == "=1+2 2026 年度考核情况登记表"
    assert wb["考核决定"]["A1"].data_type == "s" and wb["考核数据"]["A1"].data_type == "s"


def test_a_notice_start_outside_the_years_is_refused(filled, tmp_path, capsys):
    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out), "--notice-start",
                 "9999-12-31"]) == 2
    assert "公示开始日期 9999-12-31 不在评分标准允许的年份（2000 至 2100 年）内" in (
        capsys.readouterr().err)
    assert not out.exists()


def test_history_files_a_user_can_make_are_findings_never_a_hang(filled, tmp_path):
    history = tmp_path / "往年"
    history.mkdir()
    for build in HISTORY_CASES.values():
        build(history)
    out = tmp_path / "结果"
    done = run_cli("finalize", str(filled), "--out", str(out), "--history", str(history),
                   timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    for name in HISTORY_CASES:
        assert f"[警告] {name}: 往年考核结果文件无法读取" in done.stdout, name
    assert (out / "考核结果_2026.json").exists()


# ------------------------------------------------------------ the standards file

@pytest.mark.parametrize(("name", "edit", "key"), STANDARDS_CASES,
                         ids=[c[0] for c in STANDARDS_CASES])
def test_a_broken_standards_number_is_refused_at_load_naming_the_key(name, edit, key,
                                                                    tmp_path, capsys):
    from qianfen_xl.contract.standards import DEFAULT_PATH

    path = tmp_path / "office.toml"
    path.write_text(edit(DEFAULT_PATH.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["--standards", str(path), "templates", "--out", str(tmp_path / "t")]) == 2
    printed = capsys.readouterr()
    assert key in printed.err and "Traceback" not in printed.err
    assert not (tmp_path / "t").exists()


def test_a_standards_file_that_is_a_pipe_is_refused(tmp_path):
    done = run_cli("--standards", str(standards_fifo(tmp_path)), "templates", "--out",
                   str(tmp_path / "t"), timeout=60)
    assert done.returncode == 2 and "不是普通文件" in done.stderr


# ------------------------------------------------------------ periods from flags and cells

@pytest.mark.parametrize("args", [
    ("annual", "{inbox}", "--year", "9999"),
    ("annual", "{inbox}", "--half", "1999-H2"),
    ("consolidate", "{inbox}", "--period", "9999-12"),
    ("demo", "--year", "9999"),
    ("templates", "--month", "9999-12"),
])
def test_a_period_flag_outside_the_years_is_refused(args, year_run, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [a.format(inbox=year_run["inbox"]) for a in args] + ["--out", str(out)]
    assert main(argv) == 2
    assert "不在评分标准允许的年份（2000 至 2100 年）内" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------ whole sets or nothing

def test_finalize_writes_its_set_whole_or_leaves_the_last_one(filled, tmp_path, monkeypatch):
    import qianfen_xl.reports.results as results

    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out)]) == 0
    before = _files(out)
    written = results.write_archive_page
    calls = []

    def failing(path, *args):
        calls.append(path)
        if len(calls) == 5:
            raise OutputError("磁盘空间已满")
        return written(path, *args)

    monkeypatch.setattr(results, "write_archive_page", failing)
    wb = load_workbook(filled)
    wb["考核决定"]["H7"] = "改过的鉴定意见"
    wb.save(filled)
    with pytest.raises(OutputError):
        api.finalize(filled).write(out)
    assert _files(out) == before  # the previous set, every file of it, as it was
    assert not [p for p in out.rglob("*") if p.name.startswith(".qianfen-staging")]


def test_annual_writes_the_workbook_and_the_register_together_or_neither(year_run, tmp_path,
                                                                         monkeypatch):
    import qianfen_xl.forms.annual_register as forms

    def failing(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(forms, "write_annual_register", failing)
    out = tmp_path / "年度" / "年度考核_2026.xlsx"
    assert main(["annual", str(year_run["inbox"]), "--year", "2026", "--out", str(out),
                 "--workers", "1"]) == 2
    assert not (tmp_path / "年度").exists()  # nor the folder it made for them


def test_a_second_run_replaces_the_set(filled, tmp_path):
    out = tmp_path / "结果"
    assert main(["finalize", str(filled), "--out", str(out)]) == 0
    first = _files(out)
    wb = load_workbook(filled)
    wb["考核决定"]["H7"] = "第二次定稿的鉴定意见"
    wb.save(filled)
    assert main(["finalize", str(filled), "--out", str(out)]) == 0
    second = _files(out)
    assert set(second) == set(first) and second != first
    assert sorted(os.listdir(out)) == ["入档", "考核结果_2026.json", "考核结果_2026.xlsx"]


def test_a_department_named_like_a_path_writes_inside_out(tmp_path):
    """Text from a file never becomes a path: a roster's 科室 "../逃逸" names files in --out."""
    roster = tmp_path / "名单.csv"
    roster.write_text("编号,姓名,科室,口,人员类别,岗位层级\nA01,张三,../逃逸,行政口,公务员,科室负责人\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    assert main(["templates", "--out", str(out), "--roster", str(roster),
                 "--evaluation", "2026"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "名单.csv"]
    assert all(p.parent == out for p in out.rglob("*"))
