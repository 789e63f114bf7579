"""The ``qianfen-xl`` command: templates, validate, demo.

Exit codes: 0 clean; 1 a register has 错误; 2 a file or the command cannot run at all.
Messages for people are Chinese; a traceback is never shown for bad input.
"""

from __future__ import annotations

import argparse
import random
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .engine import DepartmentScore
from .errors import QianfenError
from .filling import fill_incidents
from .intake import intake
from .periods import parse_period
from .roster_io import read_roster
from .sample import departments_of, random_incidents, street_roster
from .schemas.columns import KIND_WEEKLY
from .standards import Standards, load_standards
from .templates import build_register, register_filename, save_workbook, write_templates

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


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


def validate_files(paths: Sequence[Path], standards: Standards) -> int:
    worst = EXIT_OK
    for path in paths:
        sub = intake(path, standards)
        if not sub.readable:
            _print(f"{path.name}: 无法作为登记表读取", *(f"  {f}" for f in sub.findings))
            worst = EXIT_UNREADABLE
            continue
        title = "  ".join(x for x in (sub.kind, sub.department,
                                       sub.period.label if sub.period else "") if x)
        _print(f"{path.name}  ·  {title}")
        for f in sub.findings:
            _print(f"  {f}")
        errors = sum(f.is_error for f in sub.findings)
        warnings = len(sub.findings) - errors
        if sub.score is not None:
            _print(f"  校验通过（错误 0，警告 {warnings}）。得分：")
            _print(*format_scores(standards, sub.score))
        else:
            _print(f"  共 {errors} 个错误、{warnings} 个警告：退回修改，未计分。")
            worst = max(worst, EXIT_FINDINGS)
    return worst


def run_demo(out: Path, standards: Standards, seed: int, period_label: str) -> int:
    """Templates, one filled register for a fictional department, validated and scored."""
    period = parse_period(period_label)
    templates = write_templates(out / "模板", standards)
    _print("已生成模板：", *(f"  {p}" for p in templates))
    roster = street_roster(standards, seed)
    department, people = next(iter((d, p) for d, p in departments_of(roster).items()
                                   if d != standards.leadership_unit))
    rng = random.Random(seed)
    incidents = random_incidents(standards, people, period, rng, rate=1.0)
    wb = build_register(KIND_WEEKLY, standards, department=department, period=period.label,
                        roster=people)
    fill_incidents(wb, standards, incidents, {p.id: p.name for p in people}, recorder=people[0].name)
    path = save_workbook(wb, out / "登记表" / register_filename(KIND_WEEKLY, department,
                                                                 period.label))
    _print(f"已填写示例登记表（虚构科室 {department}，{len(incidents)} 条登记）：{path}", "")
    return validate_files([path], standards)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qianfen-xl",
        description="千分制考核：评分标准、登记表模板、校验与计分 "
                    "(1000-point assessment: standards, register templates, validation, scoring)")
    parser.add_argument("--standards", type=Path, default=None,
                        help="评分标准文件 (standards TOML); 默认使用内置方案")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    t = sub.add_parser("templates", help="生成周/月考核情况登记表 (write the register templates)")
    t.add_argument("--out", type=Path, required=True, help="输出文件夹 (output folder)")
    t.add_argument("--unit", default=None, help="单位名称 (unit name)")
    t.add_argument("--roster", type=Path, default=None,
                   help="人员名单 .xlsx/.csv：每个科室生成一套预填的登记表 (one pair per department)")
    t.add_argument("--week", default="", help="预填的周，如 2026-W47 (period of the weekly register)")
    t.add_argument("--month", default="", help="预填的月，如 2026-11 (period of the monthly register)")

    v = sub.add_parser("validate", help="校验登记表并计分 (validate registers and print scores)")
    v.add_argument("files", nargs="+", type=Path, help="登记表文件 (register files)")

    d = sub.add_parser("demo", help="用内置的虚构街道演示 (run the main job on a fictional street)")
    d.add_argument("--out", type=Path, default=Path("demo-output"), help="输出文件夹")
    d.add_argument("--seed", type=int, default=2026, help="随机种子 (deterministic data)")
    d.add_argument("--period", default="2026-W47", help="示例登记表的周 (week of the sample)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        standards = load_standards(args.standards)
        if args.command == "templates":
            for label in (args.week, args.month):
                if label:
                    parse_period(label)
            roster = read_roster(args.roster, standards) if args.roster else []
            written = write_templates(args.out, standards, unit=args.unit, roster=roster,
                                      week=args.week, month=args.month)
            _print(f"已写入 {len(written)} 个登记表模板到 {args.out}：",
                   *(f"  {p.name}" for p in written))
            return EXIT_OK
        if args.command == "validate":
            return validate_files(args.files, standards)
        if args.command == "demo":
            return run_demo(args.out, standards, args.seed, args.period)
    except QianfenError as exc:
        print(f"qianfen-xl: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
