"""Recalculate workbooks in gnumeric (``ssconvert --recalc``), the second spreadsheet engine
of the parity tests: it cannot read structured references, so every formula must do without.
One file per call (``ssconvert -M`` refuses two registers)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def ssconvert() -> str | None:
    return shutil.which("ssconvert")


def recalculate(files: list[Path], outdir: Path) -> list[Path]:
    """Open each file in gnumeric, recalculate every formula, save it as .xlsx in ``outdir``."""
    exe = ssconvert()
    if exe is None:
        raise RuntimeError("gnumeric (ssconvert) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        target = outdir / f"{f.stem}.xlsx"
        done = subprocess.run([exe, "--recalc", str(f), str(target)], capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"ssconvert failed on {f.name}: {done.stderr[-500:]}")
        out.append(target)
    return out
