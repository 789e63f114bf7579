"""``qianfen-xl serve``: the 千分制 functions for Excel on Windows, macOS and the web, through
xlwings Server (Office.js custom functions) on the office's intranet machine.

The project folder is made by xlwings Server's own ``xlwings-server init``; its
``custom_functions`` package then imports :mod:`qianfen_xl.udfs`, so the served functions
are the very ones the classic add-in and the tests call.

Licensing: xlwings Server and the Office.js path are xlwings PRO code, dual-licensed; the
PolyForm Noncommercial License 1.0.0 permits use by government institutions, which a
street office is, with ``XLWINGS_LICENSE_KEY=noncommercial``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from qianfen_xl.contract.errors import OutputError

LICENSE_KEY = "noncommercial"
FUNCTIONS_INIT = '''"""千分制 worksheet functions served to Excel (written by `qianfen-xl serve`)."""

from qianfen_xl.excel.udfs import *  # noqa: F403 (every QF_ function)
'''
ENV_SETTINGS = {
    "XLWINGS_LICENSE_KEY": LICENSE_KEY,
    "XLWINGS_PROJECT_NAME": "qianfen-xl",
    "XLWINGS_ENVIRONMENT": "prod",
    "XLWINGS_ENABLE_EXAMPLES": "false",
}


def _server_cli() -> str:
    exe = Path(sys.executable).parent / "xlwings-server"
    found = str(exe) if exe.exists() else shutil.which("xlwings-server")
    if not found:
        raise OutputError("没有安装 xlwings Server：请运行 pip install 'qianfen-xl[server]'")
    return found


def _set_env(path: Path, settings: dict[str, str]) -> None:
    """Set keys in the project's .env, keeping every other line as xlwings-server wrote it."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    seen = set()
    for i, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if key in settings:
            lines[i] = f'{key}="{settings[key]}"'
            seen.add(key)
    lines += [f'{k}="{v}"' for k, v in settings.items() if k not in seen]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def init_project(folder: Path) -> Path:
    """Make (or refresh) the server project in ``folder``; an existing one keeps its keys."""
    folder = folder.resolve()
    if not (folder / ".env").exists():
        env = {**os.environ, "XLWINGS_LICENSE_KEY": LICENSE_KEY}
        done = subprocess.run([_server_cli(), "init", str(folder)], env=env,
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise OutputError(f"xlwings-server init 失败：{done.stderr.strip()[-500:]}")
    functions = folder / "custom_functions"
    (functions / "functions.py").unlink(missing_ok=True)  # xlwings-server's hello example
    (functions / "__init__.py").write_text(FUNCTIONS_INIT, encoding="utf-8")
    _set_env(folder / ".env", ENV_SETTINGS)
    return folder


def server_command(folder: Path, host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The uvicorn command line and environment that serve the project."""
    env = {**os.environ, "XLWINGS_PROJECT_DIR": str(folder.resolve()),
           "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", LICENSE_KEY)}
    cmd = [sys.executable, "-m", "uvicorn", "xlwings_server.main:main_app",
           "--host", host, "--port", str(port)]
    return cmd, env


def serve(folder: Path, host: str, port: int, extra: Sequence[str] = ()) -> int:
    init_project(folder)
    cmd, env = server_command(folder, host, port)
    print(f"xlwings Server：{folder}  →  http://{host}:{port}  （Ctrl+C 停止）")
    try:
        return subprocess.run([*cmd, *extra], env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0
