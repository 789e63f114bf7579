"""The ``qianfen-xl`` command: templates, validate, consolidate, annual, finalize, serve, demo.

Exit codes: 0 clean (every department scored); 1 a register has 错误 (some department not
scored); 2 a file or the command cannot run at all (nothing could be consolidated);
130 interrupted (Ctrl+C or SIGTERM), with no partial output left behind.
Messages for people are Chinese; a traceback is never shown for bad input.

The parts: ``parser`` (the command line, in Chinese), ``commands`` (what each command does,
on the public API), ``text`` (what is printed).
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from qianfen_xl.cli.commands import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_UNREADABLE,
    annual_inbox,
    consolidate_inbox,
    finalize_register,
    run_demo,
    run_demo_year,
    validate_files,
)
from qianfen_xl.cli.parser import build_parser
from qianfen_xl.cli.text import command_line, echo
from qianfen_xl.contract.errors import PeriodError, QianfenError, describe_os_error
from qianfen_xl.contract.standards import load_standards

__all__ = ["build_parser", "command_line", "entry", "main"]


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
            from qianfen_xl.intake.roster import read_roster

            for label in (args.week, args.month):
                if label:
                    standards.dates.period(label)
            roster = read_roster(args.roster, standards) if args.roster else []
            flavours = (FLAVOUR_FORMULAS, FLAVOUR_UDF) if args.xlsm else (FLAVOUR_FORMULAS,)
            vba = None
            if args.xlsm:  # the .xlsm registers carry the add-in's VBA modules
                from qianfen_xl.excel.vba import vba_modules

                vba = vba_modules()
            written = write_templates(args.out, standards, unit=args.unit, roster=roster,
                                      week=args.week, month=args.month, flavours=flavours,
                                      vba=vba)
            if not roster:  # the blank annual register (`annual` writes it pre-filled)
                from qianfen_xl.forms.annual_register import write_annual_template

                written.append(write_annual_template(args.out, standards, unit=args.unit))
            if args.evaluation:
                if (standards.dates.period(args.evaluation).kind not in ("half", "year")
                        or not roster):
                    raise PeriodError("--evaluation 需要半年或年（如 2026-H1、2026）和 --roster")
                written += write_evaluation_templates(args.out, standards, roster,
                                                      args.evaluation, unit=args.unit)
            echo(f"已写入 {len(written)} 个模板到 {args.out}：",
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
            from qianfen_xl.intake.roster import read_street_roster

            street = read_street_roster(args.roster, standards) if args.roster else None
            return annual_inbox(args.inbox, args.year or args.half, standards, out=args.out,
                                roster=street, registers=args.registers, workers=args.workers)
        if args.command == "finalize":
            return finalize_register(args.register, standards, out=args.out,
                                     history=args.history, publicity_start=args.notice_start)
        if args.command == "serve":
            from qianfen_xl.excel.server import init_project, serve

            if args.init_only:
                echo(f"已生成 xlwings Server 项目：{init_project(args.dir)}")
                return EXIT_OK
            return serve(args.dir, args.host, args.port)
        if args.command == "inbox":
            from qianfen_xl.cli.inbox import run_inbox

            return run_inbox(args, standards)
        if args.command == "demo":
            if args.inbox is not None:
                from qianfen_xl.cli.inbox import run_demo_inbox

                return run_demo_inbox(args.inbox, standards, args.seed, args.month)
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
