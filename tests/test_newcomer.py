"""A newcomer's path, copied as it stands: the README's first steps and the hint the demo
prints run verbatim in a fresh folder (beside this checkout's .venv), each with the exit
code the README gives it."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
VENV = ROOT / ".venv"


def first_steps() -> list[tuple[str, int]]:
    """(line, exit code) of the README's first-steps block; ``# 退出码 N`` says N, else 0."""
    block = re.search(r"## First steps.*?```bash\n(.*?)```", README, re.S).group(1)
    out = []
    for line in block.strip().splitlines():
        said = re.search(r"#\s*退出码 (\d+)", line)
        out.append((line, int(said.group(1)) if said else 0))
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    if not (VENV / "bin" / "qianfen-xl").exists():
        pytest.skip("no .venv in this checkout (make test makes it)")
    home = tmp_path_factory.mktemp("checkout")
    for name in ("Makefile", "pyproject.toml", ".venv"):
        (home / name).symlink_to(ROOT / name)
    return home


def shell(folder, script):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # a newcomer's PATH: no venv on it yet
    return subprocess.run(["bash", "-c", script], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_readme_first_steps_and_the_demo_hint_run_as_printed(folder):
    steps = first_steps()
    # One shell for the block (`source` carries on), each line's exit code noted after it.
    script = "\n".join(f"{line}\necho __rc{k}=$?" for k, (line, _) in enumerate(steps))
    result = shell(folder, script)
    codes = {int(k): int(rc) for k, rc in re.findall(r"__rc(\d+)=(\d+)", result.stdout)}
    assert [codes.get(k) for k in range(len(steps))] == [code for _, code in steps], (
        result.stdout[-3000:], result.stderr[-3000:])
    assert "Traceback" not in result.stderr
    assert (folder / "排名.xlsx").exists() and (folder / "排名.json").exists()
    assert sorted(p.name for p in (folder / "我的模板").iterdir()) == [
        "周考核情况登记表.xlsx", "年度考核情况登记表.xlsx", "月考核情况登记表.xlsx"]

    # `make demo` ended with a hint: it too runs as printed.
    hint = re.search(r"^试一试：(.+)$", result.stdout, re.M).group(1)
    # the README's consolidate line is that hint, verbatim (its comment aside)
    assert hint in [line.split("  #")[0] for line, _ in steps]
    (folder / "排名.xlsx").unlink()
    again = shell(folder, hint)
    assert again.returncode == 1, again.stderr  # the demo has a late and a flawed department
    assert "已写入排名表" in again.stdout and (folder / "排名.xlsx").exists()
