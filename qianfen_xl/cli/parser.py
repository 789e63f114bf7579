"""The command line's grammar, in Chinese: argparse's errors, usage line and help sections
translated (on argparse's public surface), every option's default shown in --help."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

EXIT_ARGUMENTS = 2  # as argparse exits on a bad command line


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
               (r"^命令:$", "命令："),
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
        self.exit(EXIT_ARGUMENTS, f"{self.prog}：错误：{message}\n"
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
    for add in (_templates, _validate, _consolidate, _annual, _finalize, _serve, _demo,
                _inbox):
        add(sub)
    return parser


def _templates(sub: argparse._SubParsersAction[Parser]) -> None:
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
                   help="同时生成调用 xlwings 函数、内含 VBA 宏的 .xlsm 版本（需要 pyOpenVBA）"
                        " (also the .xlsm UDF flavour, carrying its VBA project)")


def _validate(sub: argparse._SubParsersAction[Parser]) -> None:
    v = sub.add_parser("validate", help="校验登记表并计分 (validate registers and print scores)")
    v.add_argument("files", nargs="+", type=Path, help="登记表文件 (register files)")
    v.add_argument("--json", action="store_true",
                   help="以 JSON 输出每个文件的结果 (print the reports as JSON)")


def _consolidate(sub: argparse._SubParsersAction[Parser]) -> None:
    c = sub.add_parser("consolidate", help="汇总各科室登记表并排名 (consolidate an inbox "
                                           "into the ranking workbook)")
    c.add_argument("inbox", type=Path, help="存放各科室登记表的文件夹 (folder of registers)")
    c.add_argument("--period", required=True,
                   help="汇总期间：周 2026-W47、月 2026-11、季度 2026-Q3（含平时考核等次）、半年 2026-H1 "
                        "或年 2026 (week, month, quarter, half-year or year)")
    c.add_argument("--out", type=Path, default=None,
                   help="排名表 .xlsx (ranking workbook); 默认 排名_期间.xlsx")
    c.add_argument("--roster", type=Path, default=None,
                   help="全街道人员名单 .xlsx/.csv：没有登记表的科室显示为未报送 (street roster)")
    c.add_argument("--json", type=Path, default=None, help="同时写出 JSON 结果 (results as JSON)")
    c.add_argument("--monthly-out", type=Path, default=None,
                   help="为每个科室生成预填的月考核情况登记表 (pre-filled monthly registers)")
    c.add_argument("--workers", type=int, default=None,
                   help="并行进程数，默认全部 CPU (parallel workers; default all cores)")


def _annual(sub: argparse._SubParsersAction[Parser]) -> None:
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


def _finalize(sub: argparse._SubParsersAction[Parser]) -> None:
    fz = sub.add_parser("finalize", help="年度考核定稿：校验考核决定，写出考核结果、公示名单和入档登记表 "
                                         "(check the annual register's decisions, write the results)")
    fz.add_argument("register", type=Path, help="填好确定等次的年度考核情况登记表 .xlsx")
    fz.add_argument("--out", type=Path, required=True, help="输出文件夹 (output folder)")
    fz.add_argument("--history", type=Path, default=None,
                    help="往年考核结果 JSON 所在文件夹：提示连续优秀和连续等次偏低 (earlier years' JSON)")
    fz.add_argument("--notice-start", default="", metavar="日期",
                    help="公示开始日期，如 2027-01-04；默认为次年第一个工作日 (first day of the 公示)")


def _serve(sub: argparse._SubParsersAction[Parser]) -> None:
    sv = sub.add_parser("serve", help="在内网服务器上运行 xlwings Server，为 Excel 提供千分制函数 "
                                      "(serve the UDFs to Excel through xlwings Server)")
    sv.add_argument("--dir", type=Path, default=Path("qianfen-server"),
                    help="服务器项目文件夹，不存在时自动生成 (server project folder)")
    sv.add_argument("--host", default="127.0.0.1", help="监听地址；内网使用请填 0.0.0.0")
    sv.add_argument("--port", type=int, default=8000, help="端口 (port)")
    sv.add_argument("--init-only", action="store_true",
                    help="只生成项目文件夹，不启动 (write the project and stop)")


def _demo(sub: argparse._SubParsersAction[Parser]) -> None:
    d = sub.add_parser("demo", help="用内置的虚构街道演示 (run the main job on a fictional street)")
    d.add_argument("--out", type=Path, default=Path("demo-output"), help="输出文件夹")
    d.add_argument("--seed", type=int, default=2026, help="随机种子 (deterministic data)")
    d.add_argument("--month", default="2026-11", help="示例的月份 (the month of the sample)")
    d.add_argument("--year", default="",
                   help="演示整个年度（月登记表、民主测评、考评、等次与先进科室），如 2026 (a whole year)")
    d.add_argument("--inbox", type=Path, default=None, metavar="DIR",
                   help="建立演示街道的收件箱，并收下它一个月的登记表；之后运行 inbox serve DIR "
                        "(an inbox holding the demo street's month)")


def _inbox(sub: argparse._SubParsersAction[Parser]) -> None:
    ib = sub.add_parser("inbox", help="内网收件箱：各科室上传登记表，考核办查看报送情况 "
                                      "(the office's intranet inbox)")
    cmds = ib.add_subparsers(dest="inbox_command", required=True, metavar="命令", title="命令",
                             parser_class=Parser)
    init = cmds.add_parser("init", help="建立收件箱，为每个科室和考核办生成访问码 (create the inbox)")
    init.add_argument("dir", type=Path, metavar="DIR", help="收件箱文件夹 (inbox folder)")
    init.add_argument("--unit", required=True, help="单位名称 (unit name)")
    init.add_argument("--roster", type=Path, required=True,
                      help="全街道人员名单 .xlsx/.csv：每个科室一个访问码 (street roster)")
    init.add_argument("--standards", dest="inbox_standards", type=Path, default=None,
                      help="评分标准文件；默认使用内置方案 (standards TOML)")
    init.add_argument("--add-departments", action="store_true",
                      help="收件箱已存在时，只为名单中新增的科室生成访问码 (codes for new departments)")
    serve = cmds.add_parser("serve", help="启动收件箱网站 (serve the inbox)")
    serve.add_argument("dir", type=Path, metavar="DIR", help="收件箱文件夹 (inbox folder)")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址；内网使用请填 0.0.0.0")
    serve.add_argument("--port", type=int, default=8000, help="端口 (port)")
    serve.add_argument("--workers", type=int, default=None,
                       help="校验登记表的进程数，默认全部 CPU (checking processes)")
