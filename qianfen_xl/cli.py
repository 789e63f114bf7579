"""The ``qianfen-xl`` command: templates, validate, consolidate, annual, finalize, serve, demo.

Exit codes: 0 clean (every department scored); 1 a register has 错误 (some department not
scored); 2 a file or the command cannot run at all (nothing could be consolidated);
130 interrupted (Ctrl+C or SIGTERM), with no partial output left behind.
Messages for people are Chinese; a traceback is never shown for bad input.

Only what ``consolidate`` and ``validate`` need is imported up front: the offices run them
on every month, so their start-up is kept short; the other commands import their modules
when they run.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import shlex
import shutil
import signal
import sys
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from qianfen_xl import api
from qianfen_xl.batch.consolidation import RETURNED, SKIPPED, Consolidation
from qianfen_xl.contract.errors import PeriodError, QianfenError, describe_os_error
from qianfen_xl.contract.periods import parse_period
from qianfen_xl.contract.standards import Standards, load_standards
from qianfen_xl.intake.roster import Roster, read_roster, read_street_roster
from qianfen_xl.reports.ranking import ranking_order
from qianfen_xl.schemas.columns import KIND_ANNUAL
from qianfen_xl.scoring.engine import DepartmentScore, Person

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as shells report a Ctrl+C


def _print(*lines: str) -> None:
    for line in lines:
        print(line)


def pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width, counting CJK characters as two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    fill = " " * max(0, width - cols)
    return fill + text if right else text + fill


def format_scores(standards: Standards, score: DepartmentScore) -> list[str]:
    """The 得分 sheet as a text table."""
    codes = [n.code for n in standards.individual_norms]
    widths = [8] * len(codes) + [8, 10]
    head = ["  " + pad("编号", 8) + pad("姓名", 8)
            + "".join(pad(h, w, True) for h, w in zip([*codes, "加分", "个人得分"], widths,
                                                      strict=True))]
    lines = head
    for p in score.people:
        values = [*(p.norms[c] for c in codes), p.additions, p.total]
        lines.append("  " + pad(p.id, 8) + pad(p.name, 8)
                     + "".join(pad(f"{v:.2f}", w, True) for v, w in zip(values, widths,
                                                                        strict=True)))
    dept = "  ".join(f"{code} {value:.2f}" for code, value in score.norms.items())
    lines.append(f"  成员平均 {score.member_mean:.2f}  {dept}  科室加分 {score.additions:.2f}"
                 f"  科室得分 {score.total:.2f}")
    return lines


def validate_files(paths: Sequence[Path], standards: Standards, *, as_json: bool = False) -> int:
    """Check each file and print what was found (as JSON with ``as_json``)."""
    reports = [api.validate(path, standards=standards) for path in paths]
    if as_json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for path, report in zip(paths, reports, strict=True):
            _print(*format_report(standards, path, report))
    if any(r.status == api.UNREADABLE for r in reports):
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if any(r.status == api.RETURNED for r in reports) else EXIT_OK


def format_report(standards: Standards, path: Path, report: api.Report) -> list[str]:
    """One file's findings and scores, as ``validate`` prints them."""
    if not report.readable:
        return [f"{path.name}: 无法作为登记表读取", *(f"  {f}" for f in report.findings)]
    title = "  ".join(x for x in (report.kind, report.department, report.period) if x)
    lines = [f"{path.name}  ·  {title}", *(f"  {f}" for f in report.findings)]
    if report.people is not None:  # a 年度考核情况登记表
        state = (f"校验通过（错误 0，警告 {report.warnings}）" if not report.errors else
                 f"共 {report.errors} 个错误、{report.warnings} 个警告，请改正")
        lines.append(f"  {state}。{report.people} 人，已填确定等次 {report.decided} 人。")
    elif report.score is not None:
        lines.append(f"  校验通过（错误 0，警告 {report.warnings}）。得分：")
        lines += format_scores(standards, report.score)
    else:
        lines.append(f"  共 {report.errors} 个错误、{report.warnings} 个警告：退回修改，未计分。")
    return lines


def format_ranking(result: Consolidation) -> list[str]:
    """排名 as a text table, one block per requested month."""
    lines = []
    for month in result.requested:
        lines.append(f"{result.unit} 千分制考核排名 {month.period.label}")
        lines.append("  " + pad("名次", 8) + pad("科室", 18) + pad("口", 8)
                     + pad("得分", 10, True) + "  状态")
        for r in ranking_order(month.departments):
            place = str(r.rank) if r.rank is not None else ("—" if not r.ranked else "")
            score = f"{r.score.total:.2f}" if r.score else ""
            lines.append("  " + pad(place, 8) + pad(r.department, 18) + pad(r.line or "—", 8)
                         + pad(score, 10, True) + f"  {r.status}")
    return lines


def format_quarter(standards: Standards, result: Consolidation) -> list[str]:
    """The quarter's 平时考核: per department how many of each grade, then who is 待定 or
    较差, and why."""
    if not result.quarter:
        return []
    rules = standards.quarter
    grades = [*rules["grades"], rules["pending"]]
    lines = [f"{result.unit} {result.period.label} 平时考核（季度）",
             "  " + pad("科室", 18) + "".join(pad(g, 6, True) for g in grades)]
    counts = Counter((g.department, g.grade) for g in result.quarter)
    for department in dict.fromkeys(g.department for g in result.quarter):
        lines.append("  " + pad(department, 18) + "".join(
            pad(str(counts.get((department, g), 0)), 6, True) for g in grades))
    for g in result.quarter:
        if g.grade in (rules["pending"], rules["grades"][3]):
            lines.append(f"  {g.grade}：{g.id} {g.name}（{g.department}）{g.note}")
    return lines


def format_summary(result: Consolidation) -> list[str]:
    """The counts under the ranking, from the same statuses 排名 and 数据来源 show."""
    counts = result.department_counts()
    whose = "科室" if len(result.requested) == 1 else "科室（各月合计）"
    departments = "，".join(f"{status} {n} 个" for status, n in counts.items() if n)
    errors = sum(f.is_error for f in result.findings)
    files = result.file_counts()
    skipped = f"，跳过的文件 {files[SKIPPED]} 个" if files.get(SKIPPED) else ""
    return [f"{whose}：{departments or '无'}。",
            f"校验：错误 {errors} 个，警告 {len(result.findings) - errors} 个；"
            f"退回修改的文件 {files.get(RETURNED, 0)} 个{skipped}"
            f"（详见排名表的“校验报告”和“数据来源”）。"]


def consolidate_inbox(inbox: Path, period_label: str, standards: Standards, *, out: Path,
                      roster: Path | Sequence[Person] = (), json_out: Path | None = None,
                      monthly_out: Path | None = None, workers: int | None = None) -> int:
    ranking = api.consolidate(inbox, period_label, roster=roster, standards=standards,
                              workers=workers,
                              on_found=lambda n: _print(f"在 {inbox} 中找到 {n} 个登记表文件。"))
    result = ranking.result
    if not result.sources:
        _print("没有可汇总的登记表（.xlsx/.xlsm）。")
        return EXIT_UNREADABLE
    _print("", *format_ranking(result), "", *format_quarter(standards, result), "",
           *format_summary(result))
    for f in (f for f in result.findings if f.is_error):
        _print(f"  {f}")
    _print(f"已写入排名表：{ranking.write_workbook(out)}")
    if json_out is not None:
        _print(f"已写入 JSON：{ranking.write_json(json_out)}")
    if monthly_out is not None:
        written = ranking.write_monthly_registers(monthly_out)
        _print(f"已生成 {len(written)} 份预填的月考核情况登记表到 {monthly_out}")
    return ranking.exit_code


def annual_inbox(inbox: Path, label: str, standards: Standards, *, out: Path | None = None,
                 roster: Roster | None = None, registers: Path | None = None,
                 workers: int | None = None) -> int:
    """The half-year or year of an inbox: print the departments, write the workbook and,
    for a year (or when asked), the 年度考核情况登记表 pre-filled for the decisions."""
    from qianfen_xl.batch.annual import run_annual
    from qianfen_xl.forms.annual_register import register_of, write_annual_register
    from qianfen_xl.reports.annual import write_annual_workbook

    period = parse_period(label)
    if period.kind not in ("year", "half"):
        raise PeriodError(f"“{label}” 不是年度（2026）或半年（2026-H1）")
    street = roster or Roster([])
    run = run_annual(inbox, period, standards, roster=street.people, facts=street.facts,
                     workers=workers)
    unit = run.consolidation.unit
    out = out or Path(f"年度考核_{label}.xlsx")
    _print(f"{unit} {label} 年度考核：{len(run.result.people)} 人，"
           f"{len(run.result.departments)} 个科室")
    for d in run.result.departments:
        mark = "先进科室" if d.advanced else d.advanced_note
        place = str(d.rank) if d.rank is not None else ("不完整" if d.missing else "")
        _print("  " + pad(place, 8) + pad(d.department, 18)
               + pad(f"{d.total:.2f}", 10, True) + f"  {mark}")
    _print(f"已写入年度汇总表：{write_annual_workbook(run, standards, unit, label, out)}")
    if registers is None and period.kind == "year":
        registers = out.with_name(f"{KIND_ANNUAL}_{label}.xlsx")
    if registers is not None:
        reg = register_of(run.result.people, run.facts, run.result.months, unit, label,
                          standards.leadership_unit)
        _print(f"已写入{KIND_ANNUAL}（{len(reg.data)} 人，每人一页）："
               f"{write_annual_register(registers, standards, reg)}")
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
        _print(f"  {f}")
    if not results.ok:
        errors = sum(f.is_error for f in results.findings)
        _print(f"{register.name}：错误 {errors} 个，未定稿，未写出考核结果。"
               + ("请改正上列单元格后重新运行 finalize。" if done.readable else ""))
        return EXIT_FINDINGS if done.readable else EXIT_UNREADABLE
    written = results.write(out)
    first, last = done.publicity or (None, None)
    best = sum(p.grade == standards.grading.excellent for p in done.people)
    _print(f"{done.unit} {done.period} 年度考核定稿：{len(done.people)} 人，"
           f"{standards.grading.excellent} {best} 人；公示 {first} 至 {last}。",
           f"已写入考核结果：{written[0]}", f"已写入 JSON：{written[1]}",
           f"已写入 {len(written) - 2} 份入档的年度考核登记表到 {out / '入档'}")
    if done.flags:
        _print(f"历史提示 {len(done.flags)} 条（见考核结果的“历史提示”）。")
    return EXIT_OK


def run_demo_year(out: Path, standards: Standards, seed: int, year: str) -> int:
    """A whole fictional year through ``annual``; then what to do with its register."""
    from qianfen_xl.demo.year import write_demo_year

    demo = write_demo_year(out, standards, int(parse_period(year).label), seed)
    names = {p.id: p.name for p in demo.roster}
    cases = demo.cases
    _print(f"已为虚构的 {standards.unit} 生成 {year} 年度材料：{demo.folder}",
           f"  （{demo.missing[0]} 缺 {demo.missing[1]} 月表；{demo.vetoed} 3 月有一票否决事项）")
    if cases is not None:
        _print(f"  人员名单（含入职日期、病事假、处分等可选列）：{demo.roster_file}",
               f"  （{names[cases.hired]} 7 月入职，{names[cases.sick]} 长期病假，"
               f"{names[cases.maternity]} 休产假，{names[cases.warned]} 受警告处分"
               + (f"；{'、'.join(names[t] for t in demo.tied)} 在优秀名额边界同分）"
                  if demo.tied else "）"))
    _print("")
    register = out / f"{KIND_ANNUAL}_{year}.xlsx"
    annual_inbox(demo.folder, year, standards, out=out / f"年度考核_{year}.xlsx",
                 roster=Roster(demo.roster, demo.facts), registers=register)
    # 平时考核 of the third quarter, as `consolidate --period YEAR-Q3` grades it.
    quarter = api.consolidate(demo.folder, f"{year}-Q3", roster=demo.roster,
                              standards=standards)
    _print("", *format_quarter(standards, quarter.result),
           f"已写入第三季度排名表（含“季度考核”）：{quarter.write_workbook(out / f'排名_{year}-Q3.xlsx')}")
    _print("", "下一步：",
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

    templates = write_templates(out / "模板", standards)
    _print("已生成模板：", *(f"  {p}" for p in templates))
    demo = write_demo_month(out, standards, month, seed)
    _print(f"已为虚构的 {standards.unit} 填写 {month} 的周考核情况登记表：{demo.folder}",
           f"  （{demo.late} 未报送；{demo.flawed.name} 故意填错，应被退回修改）", "")
    code = consolidate_inbox(demo.folder, month, standards, out=out / f"排名_{month}.xlsx",
                             roster=demo.roster, json_out=out / f"排名_{month}.json")
    _print("", f"（consolidate 的退出码为 {code}：有科室未计分时为 1。演示本身运行成功。）",
           "试一试：" + command_line("consolidate", demo.folder, "--period", month,
                                   "--roster", demo.roster_file, "--out", "排名.xlsx"))
    return EXIT_OK


def command_line(*args: object) -> str:
    """A qianfen-xl command line the user can copy as it stands: ``qianfen-xl`` when that is
    on the PATH (an activated venv), else the path of the script now running (such as
    .venv/bin/qianfen-xl), else ``python -m qianfen_xl``; arguments quoted only as needed."""
    script = Path(sys.argv[0])
    found = shutil.which("qianfen-xl")
    if script.name == "qianfen-xl" and found and Path(found).resolve() == script.resolve():
        words = ["qianfen-xl"]
    elif script.name == "qianfen-xl":
        words = [_relative(script)]
    else:
        words = [_relative(Path(sys.executable)), "-m", "qianfen_xl"]
    words += [str(a) for a in args]
    return " ".join(w if _SAFE.fullmatch(w) else shlex.quote(w) for w in words)


_SAFE = re.compile(r"[^\s'\"$`\\&|;<>()*?\[\]{}~!#]+")  # words a shell takes as they are


def _relative(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (.venv/bin/qianfen-xl)."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# argparse's own messages, in Chinese (Python 3.11–3.13 word them so).
_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.+)", r"缺少必需的参数：\1"),
    (r"one of the arguments (.+) is required", r"以下参数必须给出其中一个：\1"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数：\1"),
    (r"argument (.+?): invalid choice: '?([^']*)'? \(choose from (.+)\)",
     r"\1 没有 “\2” 这一项（可选：\3）"),
    (r"argument (.+?): expected one argument", r"\1 后面需要一个值"),
    (r"argument (.+?): expected at least one argument", r"\1 后面至少需要一个值"),
    (r"argument (.+?): invalid \w+ value: '?([^']*)'?", r"\1 的值 “\2” 无效，应为整数"),
    (r"argument (.+?): not allowed with argument (.+)", r"\1 不能与 \2 同时使用"),
    (r"ambiguous option: (\S+) could match (.+)", r"选项 \1 不明确，可能是：\2"),
)


class _Formatter(argparse.HelpFormatter):
    """Help in Chinese: "用法：" and every option's default beside its help."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup],
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = action.default not in (None, False, "", argparse.SUPPRESS) and action.option_strings
        return f"{text}（默认：%(default)s）" if shown and "%(default)" not in text else text


_HELP_WORDS = ((r"^positional arguments:$", "参数："), (r"^(optional arguments|options):$", "选项："),
               (r"show this help message and exit", "显示本帮助并退出"))


class Parser(argparse.ArgumentParser):
    """An argument parser that speaks Chinese: its help, its usage line and its errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        text = super().format_help()
        for english, chinese in _HELP_WORDS:
            text = re.sub(english, chinese, text, flags=re.M)
        return text

    def error(self, message: str) -> NoReturn:
        for pattern, chinese in _ARGPARSE_MESSAGES:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, chinese, message)
                break
        else:
            message = f"命令行参数有误：{message}"
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, f"{self.prog}：错误：{message}\n"
                                   f"（查看帮助：{self.prog} -h）\n")


def build_parser() -> Parser:
    parser = Parser(
        prog="qianfen-xl",
        description="千分制考核：评分标准、登记表模板、校验与计分 "
                    "(1000-point assessment: standards, register templates, validation, scoring)")
    parser.add_argument("--standards", type=Path, default=None,
                        help="评分标准文件 (standards TOML); 默认使用内置方案")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令", title="命令",
                                parser_class=Parser)

    t = sub.add_parser("templates", help="生成周/月考核情况登记表和空白的年度考核情况登记表 "
                                         "(write the register templates)")
    t.add_argument("--out", type=Path, required=True, help="输出文件夹 (output folder)")
    t.add_argument("--unit", default=None, help="单位名称 (unit name)")
    t.add_argument("--roster", type=Path, default=None,
                   help="人员名单 .xlsx/.csv：每个科室生成一套预填的登记表 (one pair per department)")
    t.add_argument("--week", default="", help="预填的周，如 2026-W47 (period of the weekly register)")
    t.add_argument("--month", default="", help="预填的月，如 2026-11 (period of the monthly register)")
    t.add_argument("--evaluation", default="", metavar="期间",
                   help="同时生成民主测评票和考评录入表，期间为半年或年，如 2026-H1、2026（需要 --roster）"
                        " (ballots and the assessment sheet for a half-year or year)")
    t.add_argument("--xlsm", action="store_true",
                   help="同时生成调用 xlwings 函数的 .xlsm 版本 (also the .xlsm UDF flavour)")

    v = sub.add_parser("validate", help="校验登记表并计分 (validate registers and print scores)")
    v.add_argument("files", nargs="+", type=Path, help="登记表文件 (register files)")
    v.add_argument("--json", action="store_true",
                   help="以 JSON 输出每个文件的结果 (print the reports as JSON)")

    c = sub.add_parser("consolidate", help="汇总各科室登记表并排名 (consolidate an inbox "
                                           "into the ranking workbook)")
    c.add_argument("inbox", type=Path, help="存放各科室登记表的文件夹 (folder of registers)")
    c.add_argument("--period", required=True,
                   help="汇总期间：月 2026-11、季度 2026-Q3（含平时考核等次）、半年 2026-H1 或年 2026 "
                        "(month, quarter, half-year or year)")
    c.add_argument("--out", type=Path, default=None,
                   help="排名表 .xlsx (ranking workbook); 默认 排名_期间.xlsx")
    c.add_argument("--roster", type=Path, default=None,
                   help="全街道人员名单 .xlsx/.csv：没有登记表的科室显示为未报送 (street roster)")
    c.add_argument("--json", type=Path, default=None, help="同时写出 JSON 结果 (results as JSON)")
    c.add_argument("--monthly-out", type=Path, default=None,
                   help="为每个科室生成预填的月考核情况登记表 (pre-filled monthly registers)")
    c.add_argument("--workers", type=int, default=None,
                   help="并行进程数，默认全部 CPU (parallel workers; default all cores)")

    an = sub.add_parser("annual", help="半年、年度考核：平时、测评、考评、等次与先进科室 "
                                       "(half-year or year: grades and 先进科室)")
    an.add_argument("inbox", type=Path, help="存放月/周登记表、民主测评票和考评录入表的文件夹")
    which = an.add_mutually_exclusive_group(required=True)
    which.add_argument("--year", default="", help="年度，如 2026")
    which.add_argument("--half", default="", help="半年，如 2026-H1")
    an.add_argument("--out", type=Path, default=None, help="年度汇总表 .xlsx (annual workbook)")
    an.add_argument("--roster", type=Path, default=None,
                    help="全街道人员名单 .xlsx/.csv；可选列 入职日期、病事假天数、产假天数、立案审查、处分、"
                         "处分日期 影响等次，性别、出生年月、政治面貌、任现职时间、职务职级、从事或分管工作 "
                         "印在登记表上 (street roster, with the year's optional columns)")
    an.add_argument("--registers", type=Path, default=None,
                    help="年度考核情况登记表 .xlsx（考核决定表 + 每人一页的登记表）；年度默认写在"
                         "汇总表旁，半年只在指定时写出 (the annual register)")
    an.add_argument("--workers", type=int, default=None, help="并行进程数 (parallel workers)")

    fz = sub.add_parser("finalize", help="年度考核定稿：校验考核决定，写出考核结果、公示名单和入档登记表 "
                                         "(check the annual register's decisions, write the results)")
    fz.add_argument("register", type=Path, help="填好确定等次的年度考核情况登记表 .xlsx")
    fz.add_argument("--out", type=Path, required=True, help="输出文件夹 (output folder)")
    fz.add_argument("--history", type=Path, default=None,
                    help="往年考核结果 JSON 所在文件夹：提示连续优秀和连续等次偏低 (earlier years' JSON)")
    fz.add_argument("--notice-start", default="", metavar="日期",
                    help="公示开始日期，如 2027-01-04；默认为次年第一个工作日 (first day of the 公示)")

    sv = sub.add_parser("serve", help="在内网服务器上运行 xlwings Server，为 Excel 提供千分制函数 "
                                      "(serve the UDFs to Excel through xlwings Server)")
    sv.add_argument("--dir", type=Path, default=Path("qianfen-server"),
                    help="服务器项目文件夹，不存在时自动生成 (server project folder)")
    sv.add_argument("--host", default="127.0.0.1", help="监听地址；内网使用请填 0.0.0.0")
    sv.add_argument("--port", type=int, default=8000, help="端口 (port)")
    sv.add_argument("--init-only", action="store_true",
                    help="只生成项目文件夹，不启动 (write the project and stop)")

    d = sub.add_parser("demo", help="用内置的虚构街道演示 (run the main job on a fictional street)")
    d.add_argument("--out", type=Path, default=Path("demo-output"), help="输出文件夹")
    d.add_argument("--seed", type=int, default=2026, help="随机种子 (deterministic data)")
    d.add_argument("--month", default="2026-11", help="示例的月份 (the month of the sample)")
    d.add_argument("--year", default="",
                   help="演示整个年度（月登记表、民主测评、考评、等次与先进科室），如 2026 (a whole year)")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # SIGTERM (a service manager, `kill`) stops a run the way Ctrl+C does: outputs being
    # written are removed, nothing half-written stays behind.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _interrupt) if main_thread else None
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("qianfen-xl：已中断。没有留下写了一半的输出文件，源文件未改动。", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    try:
        standards = load_standards(args.standards)
        if args.command == "templates":
            from qianfen_xl.forms.ballots import write_evaluation_templates
            from qianfen_xl.forms.registers import FLAVOUR_FORMULAS, FLAVOUR_UDF, write_templates

            for label in (args.week, args.month):
                if label:
                    parse_period(label)
            roster = read_roster(args.roster, standards) if args.roster else []
            flavours = (FLAVOUR_FORMULAS, FLAVOUR_UDF) if args.xlsm else (FLAVOUR_FORMULAS,)
            written = write_templates(args.out, standards, unit=args.unit, roster=roster,
                                      week=args.week, month=args.month, flavours=flavours)
            if not roster:  # the blank annual register (`annual` writes it pre-filled)
                from qianfen_xl.forms.annual_register import write_annual_template

                written.append(write_annual_template(args.out, standards, unit=args.unit))
            if args.evaluation:
                if parse_period(args.evaluation).kind not in ("half", "year") or not roster:
                    raise PeriodError("--evaluation 需要半年或年（如 2026-H1、2026）和 --roster")
                written += write_evaluation_templates(args.out, standards, roster,
                                                      args.evaluation, unit=args.unit)
            _print(f"已写入 {len(written)} 个模板到 {args.out}：",
                   *(f"  {p.name}" for p in written))
            return EXIT_OK
        if args.command == "validate":
            return validate_files(args.files, standards, as_json=args.json)
        if args.command == "consolidate":
            out = args.out or Path(f"排名_{args.period}.xlsx")
            return consolidate_inbox(args.inbox, args.period, standards, out=out,
                                     roster=args.roster or (), json_out=args.json,
                                     monthly_out=args.monthly_out, workers=args.workers)
        if args.command == "annual":
            street = read_street_roster(args.roster, standards) if args.roster else None
            return annual_inbox(args.inbox, args.year or args.half, standards, out=args.out,
                                roster=street, registers=args.registers, workers=args.workers)
        if args.command == "finalize":
            return finalize_register(args.register, standards, out=args.out,
                                     history=args.history, publicity_start=args.notice_start)
        if args.command == "serve":
            from qianfen_xl.excel.server import init_project, serve

            if args.init_only:
                _print(f"已生成 xlwings Server 项目：{init_project(args.dir)}")
                return EXIT_OK
            return serve(args.dir, args.host, args.port)
        if args.command == "demo":
            if args.year:
                return run_demo_year(args.out, standards, args.seed, args.year)
            return run_demo(args.out, standards, args.seed, args.month)
    except QianfenError as exc:
        print(f"qianfen-xl：{exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:  # a folder that cannot be listed, an output that cannot be made
        print(f"qianfen-xl：{describe_os_error(exc)}", file=sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_OK


def entry() -> int:
    """The ``qianfen-xl`` command: ``main`` in a process of its own, run once.

    What is imported by now lives until the process ends, so it is frozen: the garbage
    collector never walks it again, in this process or in the forked workers (whose pages
    then stay shared). The run's own objects are frozen at the end, so that exiting does
    not walk them either (0.15 s for a street-year)."""
    gc.freeze()
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(entry())
