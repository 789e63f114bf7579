"""The command as a clerk or IT person meets it: Chinese for every argument and file error,
never a traceback; every option's default in --help."""

from __future__ import annotations

import pytest

from qianfen_xl.cli import main


def run(capsys, *argv):
    with pytest.raises(SystemExit) as stop:
        main(list(argv))
    return stop.value.code, capsys.readouterr()


@pytest.mark.parametrize(("argv", "message"), [
    (["consolidate", "收件箱"], "qianfen-xl consolidate：错误：缺少必需的参数：--period"),
    (["bogus"], "qianfen-xl：错误：命令 没有 “bogus” 这一项（可选："),
    (["consolidate", "收件箱", "--period", "2026-11", "--workers", "两个"],
     "qianfen-xl consolidate：错误：--workers 的值 “两个” 无效，应为整数"),
    (["annual", "收件箱", "--year", "2026", "--half", "2026-H1"],
     "qianfen-xl annual：错误：--half 不能与 --year 同时使用"),
    (["validate", "a.xlsx", "--colour"], "qianfen-xl：错误：无法识别的参数：--colour"),
])
def test_argument_errors_are_chinese(capsys, argv, message):
    code, out = run(capsys, *argv)
    assert code == 2
    assert message in out.err and "用法：qianfen-xl" in out.err
    assert "error" not in out.err and "usage" not in out.err


def test_help_is_chinese_and_shows_every_default(capsys):
    code, out = run(capsys, "serve", "-h")
    assert code == 0
    assert out.out.startswith("用法：qianfen-xl serve")
    assert "选项：" in out.out and "显示本帮助并退出" in out.out
    assert "（默认：127.0.0.1）" in out.out and "（默认：8000）" in out.out
    assert "（默认：qianfen-server）" in out.out


def test_a_missing_file_is_said_in_chinese(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "没有这个文件.xlsx")]) == 2
    out = capsys.readouterr().out
    assert "[错误] 没有这个文件.xlsx: 文件无法读取：找不到该文件或文件夹。" in out
    assert "No such file" not in out


def test_an_output_that_cannot_be_written_is_said_in_chinese(tmp_path, capsys):
    blocker = tmp_path / "是文件"
    blocker.write_text("x")
    assert main(["templates", "--out", str(blocker / "模板")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qianfen-xl：无法写入") and "路径中有一部分不是文件夹" in err


def test_every_option_is_in_the_readme_with_its_default():
    """The README's command table shows each command's every option, and the option's
    default where it has one (as --help does)."""
    import argparse
    import re

    from qianfen_xl.cli import build_parser

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `qianfen-xl (\w+)([^`]*)`", readme, re.M))
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(rows) == set(commands.choices)
    for name, sub in commands.choices.items():
        for action in sub._actions:
            for option in (o for o in action.option_strings if o.startswith("--")):
                if option == "--help":
                    continue
                assert option in rows[name], (name, option)
                default = action.default
                if default not in (None, False, "") and not isinstance(default, bool):
                    assert f"{option} {default}" in rows[name], (name, option, default)
