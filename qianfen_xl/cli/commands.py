"""What each command does, on the public API (``qianfen_xl.api``), and what it prints.

Only what ``consolidate`` and ``validate`` need is imported up front: the offices run them
on every month, so their start-up is kept short; the other commands import their modules
when they run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qianfen_xl import api
from qianfen_xl.cli.text import (
    command_line,
    echo,
    format_quarter,
    format_ranking,
    format_report,
    format_summary,
    pad,
)
from qianfen_xl.contract.atomic import staged_outputs
from qianfen_xl.contract.errors import PeriodError
from qianfen_xl.contract.standards import Standards
from qianfen_xl.schemas.columns import KIND_ANNUAL
from qianfen_xl.scoring.engine import Person

if TYPE_CHECKING:  # rosters are read with pandas: imported by the commands that read one
    from qianfen_xl.intake.roster import Roster

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as shells report a Ctrl+C


def validate_files(paths: Sequence[Path], standards: Standards, *, as_json: bool = False) -> int:
    """Check each file and print what was found (as JSON with ``as_json``)."""
    reports = [api.validate(path, standards=standards) for path in paths]
    if as_json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for path, report in zip(paths, reports, strict=True):
            echo(*format_report(standards, path, report))
    if any(r.status == api.UNREADABLE for r in reports):
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if any(r.status == api.RETURNED for r in reports) else EXIT_OK


def consolidate_inbox(inbox: Path, period_label: str, standards: Standards, *, out: Path,
                      roster: Path | Sequence[Person] = (), json_out: Path | None = None,
                      monthly_out: Path | None = None, workers: int | None = None) -> int:
    ranking = api.consolidate(inbox, period_label, roster=roster, standards=standards,
                              workers=workers,
                              on_found=lambda n: echo(f"在 {inbox} 中找到 {n} 个登记表文件。"))
    result = ranking.result
    if not result.sources:
        echo("没有可汇总的登记表（.xlsx/.xlsm）。")
        return EXIT_UNREADABLE
    echo("", *format_ranking(result), "", *format_quarter(standards, result), "",
           *format_summary(result))
    for f in (f for f in result.findings if f.is_error):
        echo(f"  {f}")
    echo(f"已写入排名表：{ranking.write_workbook(out)}")
    if json_out is not None:
        echo(f"已写入 JSON：{ranking.write_json(json_out)}")
    if monthly_out is not None:
        written = ranking.write_monthly_registers(monthly_out)
        echo(f"已生成 {len(written)} 份预填的月考核情况登记表到 {monthly_out}")
    return ranking.exit_code


def annual_inbox(inbox: Path, label: str, standards: Standards, *, out: Path | None = None,
                 roster: Roster | None = None, registers: Path | None = None,
                 workers: int | None = None) -> int:
    """The half-year or year of an inbox: print the departments, write the workbook and,
    for a year (or when asked), the 年度考核情况登记表 pre-filled for the decisions."""
    from qianfen_xl.batch.annual import run_annual
    from qianfen_xl.forms.annual_register import register_of, write_annual_register
    from qianfen_xl.intake.roster import Roster
    from qianfen_xl.reports.annual import write_annual_workbook

    period = standards.dates.period(label)
    if period.kind not in ("year", "half"):
        raise PeriodError(f"“{label}” 不是年度（2026）或半年（2026-H1）")
    street = roster or Roster([])
    run = run_annual(inbox, period, standards, roster=street.people, facts=street.facts,
                     workers=workers)
    unit = run.consolidation.unit
    out = out or Path(f"年度考核_{label}.xlsx")
    echo(f"{unit} {label} 年度考核：{len(run.result.people)} 人，"
           f"{len(run.result.departments)} 个科室")
    for d in run.result.departments:
        mark = "先进科室" if d.advanced else d.advanced_note
        place = str(d.rank) if d.rank is not None else ("不完整" if d.missing else "")
        echo("  " + pad(place, 8) + pad(d.department, 18)
               + pad(f"{d.total:.2f}", 10, True) + f"  {mark}")
    if registers is None and period.kind == "year":
        registers = out.with_name(f"{KIND_ANNUAL}_{label}.xlsx")
    reg = (register_of(run.result.people, run.facts, run.result.months, unit, label,
                       standards.leadership_unit) if registers is not None else None)
    with staged_outputs() as stage:  # the workbook and the register: both or neither
        write_annual_workbook(run, standards, unit, label, stage.path(out))
        if reg is not None and registers is not None:
            write_annual_register(stage.path(registers), standards, reg)
    echo(f"已写入年度汇总表：{out}")
    if reg is not None:
        echo(f"已写入{KIND_ANNUAL}（{len(reg.data)} 人，每人一页）：{registers}")
    return EXIT_OK if not any(f.is_error for f in run.findings) else EXIT_FINDINGS


def finalize_register(register: Path, standards: Standards, *, out: Path,
                      history: Path | None = None, publicity_start: str = "") -> int:
    """Check a filled 年度考核情况登记表 as final; when it keeps the rules, write the results."""
    start = None
    if publicity_start:
        try:
            start = date.fromisoformat(publicity_start)
        except ValueError as exc:
            raise PeriodError(f"公示开始日期 “{publicity_start}” 无法识别：请写成 2027-01-04") from exc
    results = api.finalize(register, standards=standards, history=history,
                           publicity_start=start)
    done = results.result
    for f in results.findings:
        echo(f"  {f}")
    if not results.ok:
        errors = sum(f.is_error for f in results.findings)
        echo(f"{register.name}：错误 {errors} 个，未定稿，未写出考核结果。"
               + ("请改正上列单元格后重新运行 finalize。" if done.readable else ""))
        return EXIT_FINDINGS if done.readable else EXIT_UNREADABLE
    written = results.write(out)
    first, last = done.publicity or (None, None)
    best = sum(p.grade == standards.grading.excellent for p in done.people)
    echo(f"{done.unit} {done.period} 年度考核定稿：{len(done.people)} 人，"
           f"{standards.grading.excellent} {best} 人；公示 {first} 至 {last}。",
           f"已写入考核结果：{written[0]}", f"已写入 JSON：{written[1]}",
           f"已写入 {len(written) - 2} 份入档的年度考核登记表到 {out / '入档'}")
    if done.flags:
        echo(f"历史提示 {len(done.flags)} 条（见考核结果的“历史提示”）。")
    return EXIT_OK


def run_demo_year(out: Path, standards: Standards, seed: int, year: str) -> int:
    """A whole fictional year through ``annual``; then what to do with its register."""
    from qianfen_xl.demo.year import write_demo_year
    from qianfen_xl.intake.roster import Roster

    demo = write_demo_year(out, standards, int(standards.dates.period(year).label), seed)
    names = {p.id: p.name for p in demo.roster}
    cases = demo.cases
    echo(f"已为虚构的 {standards.unit} 生成 {year} 年度材料：{demo.folder}",
           f"  （{demo.missing[0]} 缺 {demo.missing[1]} 月表；{demo.vetoed} 3 月有一票否决事项）")
    if cases is not None:
        echo(f"  人员名单（含入职日期、病事假、处分等可选列）：{demo.roster_file}",
               f"  （{names[cases.hired]} 7 月入职，{names[cases.sick]} 长期病假，"
               f"{names[cases.maternity]} 休产假，{names[cases.warned]} 受警告处分"
               + (f"；{'、'.join(names[t] for t in demo.tied)} 在优秀名额边界同分）"
                  if demo.tied else "）"))
    echo("")
    register = out / f"{KIND_ANNUAL}_{year}.xlsx"
    annual_inbox(demo.folder, year, standards, out=out / f"年度考核_{year}.xlsx",
                 roster=Roster(demo.roster, demo.facts), registers=register)
    # 平时考核 of the third quarter, as `consolidate --period YEAR-Q3` grades it.
    quarter = api.consolidate(demo.folder, f"{year}-Q3", roster=demo.roster,
                              standards=standards)
    echo("", *format_quarter(standards, quarter.result),
           f"已写入第三季度排名表（含“季度考核”）：{quarter.write_workbook(out / f'排名_{year}-Q3.xlsx')}")
    echo("", "下一步：",
           f"  1. 打开 {register}，在“考核决定”表中为每人选择确定等次"
           f"（建议等次为待定的由考核小组决定），填写鉴定意见和本人意见；",
           f"  2. 校验：{command_line('validate', register)}",
           f"  3. 定稿：{command_line('finalize', register, '--out', out / '考核结果')}")
    return EXIT_OK


def run_demo(out: Path, standards: Standards, seed: int, month: str) -> int:
    """The main job on the built-in fictional street: a month of weekly registers from the
    templates, consolidated into the ranking workbook."""
    from qianfen_xl.demo.month import write_demo_month
    from qianfen_xl.forms.registers import write_templates

    standards.dates.period(month)
    templates = write_templates(out / "模板", standards)
    echo("已生成模板：", *(f"  {p}" for p in templates))
    demo = write_demo_month(out, standards, month, seed)
    echo(f"已为虚构的 {standards.unit} 填写 {month} 的周考核情况登记表：{demo.folder}",
           f"  （{demo.late} 未报送；{demo.flawed.name} 故意填错，应被退回修改）", "")
    code = consolidate_inbox(demo.folder, month, standards, out=out / f"排名_{month}.xlsx",
                             roster=demo.roster, json_out=out / f"排名_{month}.json")
    echo("", f"（consolidate 的退出码为 {code}：有科室未计分时为 1。演示本身运行成功。）",
           "试一试：" + command_line("consolidate", demo.folder, "--period", month,
                                   "--roster", demo.roster_file, "--out", "排名.xlsx",
                                   "--json", "排名.json"))
    return EXIT_OK
