"""Recalculate workbooks in LibreOffice headless (the real spreadsheet client in our tests).

LibreOffice keeps cached values of .xlsx files unless told otherwise; a private profile sets
OOXMLRecalcMode to 0 ("always recalculate"), see PITFALLS.md.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


CHUNK = 40  # files per soffice call: one call for hundreds once stopped early with rc 0


def convert(files: list[Path], outdir: Path, profile: Path, fmt: str = "xlsx") -> list[Path]:
    """Open each file in LibreOffice (recalculating every formula) and save it as ``fmt``
    (``xlsx``, or ``pdf`` to see the pages as printed). Files go in batches, one soffice
    call each (20 files in one call take a third of 20 calls); an output missing after a
    call is asked for once more."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    outdir.mkdir(parents=True, exist_ok=True)
    out = [outdir / f"{f.stem}.{fmt}" for f in files]
    for p in out:
        p.unlink(missing_ok=True)

    def run(batch: list[Path]) -> None:
        subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile.resolve()}", "--headless",
             "--norestore", "--convert-to", fmt, "--outdir", str(outdir), *map(str, batch)],
            check=True, capture_output=True, timeout=600,
        )

    for k in range(0, len(files), CHUNK):
        run(files[k:k + CHUNK])
    again = [f for f, p in zip(files, out, strict=True) if not p.exists()]
    if again:
        run(again)
    missing = [p for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return out
