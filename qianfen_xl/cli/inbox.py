"""``qianfen-xl inbox init|serve`` and ``qianfen-xl demo --inbox``: the intranet inbox
(``qianfen_xl.inbox``) set up, served, and filled with the demo street's month."""

from __future__ import annotations

import argparse
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from qianfen_xl.cli.commands import EXIT_OK
from qianfen_xl.cli.text import command_line, echo, pad
from qianfen_xl.contract.standards import Standards


def _print_codes(folder: Path, codes: list[tuple[str, str, str]]) -> None:
    from qianfen_xl.inbox.service import CODES_FILE  # imported already: codes were made

    echo("访问码（只显示这一次；已写入 " + str(folder / CODES_FILE) + "，请妥善保管并分发给各科室）：")
    for role, department, code in codes:
        echo("  " + pad(role, 8) + pad(department, 18) + code)


def run_inbox(args: argparse.Namespace, standards: Standards) -> int:
    from qianfen_xl.inbox.service import init_inbox

    if args.inbox_command == "init":
        codes = init_inbox(args.dir, args.unit, args.roster,
                           args.inbox_standards or args.standards,
                           add_departments=args.add_departments)
        if not codes:
            echo("名单中没有新的科室，未生成新的访问码。")
            return EXIT_OK
        echo(f"已{'为新科室生成访问码' if args.add_departments else '建立收件箱'}：{args.dir}")
        _print_codes(args.dir, codes)
        echo("", "启动：" + command_line("inbox", "serve", args.dir))
        return EXIT_OK
    return serve(args.dir, args.host, args.port, args.workers)


def serve(folder: Path, host: str, port: int, workers: int | None = None) -> int:
    import uvicorn

    from qianfen_xl.inbox.app import create_app

    app = create_app(folder, workers=workers)
    echo(f"收件箱 {folder} 已启动：http://{host}:{port}/ （按 Ctrl+C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False,
                timeout_graceful_shutdown=10)
    return EXIT_OK


def run_demo_inbox(folder: Path, standards: Standards, seed: int, month: str) -> int:
    """An inbox of the built-in street, with its month of registers received as the
    departments would upload them (the late one sends nothing, one register has mistakes)."""
    from qianfen_xl.demo.month import write_demo_month
    from qianfen_xl.inbox.service import Inbox, init_inbox
    from qianfen_xl.intake.register import intake

    with tempfile.TemporaryDirectory() as work:
        demo = write_demo_month(Path(work), standards, month, seed)
        files = sorted(demo.folder.rglob("*.xlsx"))
        unit = intake(files[0], standards).unit or standards.unit  # the unit its registers carry
        codes = init_inbox(folder, unit, demo.roster_file)
        inbox = Inbox(folder)
        try:
            inbox.checker.start()
            with ThreadPoolExecutor(inbox.checker.workers) as pool:
                outcomes = list(pool.map(lambda p: inbox.receive_path(p.parent.name, p), files))
        finally:
            inbox.close()
    echo(f"已建立演示街道 {unit} 的收件箱：{folder}",
         f"  已收到 {len(outcomes)} 份 {month} 的周考核情况登记表（{demo.late} 未报送；"
         f"{demo.flawed.name} 故意填错，应被退回修改）")
    _print_codes(folder, codes)
    echo("", "启动：" + command_line("inbox", "serve", folder),
         "然后在浏览器中打开 http://127.0.0.1:8000/ ，用考核办的访问码登录查看总览。")
    return EXIT_OK
