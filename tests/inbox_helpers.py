"""Building inboxes for the inbox's tests: the demo street's month of registers (and the
same month with the flawed register written correctly), received as uploads."""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass
from pathlib import Path

from qianfen_xl.contract.standards import Standards
from qianfen_xl.demo import month as demo_month
from qianfen_xl.inbox.service import Inbox, init_inbox

MONTH = "2026-11"


@dataclass(frozen=True)
class DemoFiles:
    folder: Path          # 登记表/科室/… as the demo writes them
    roster: Path
    flawed: Path          # the register with a wrong 项目 code and 次数 in words
    corrected: Path       # the same register, filled correctly
    late: str             # the department that sent nothing

    @property
    def flawed_department(self) -> str:
        return self.flawed.parent.name


def demo_files(root: Path, standards: Standards) -> DemoFiles:
    demo = demo_month.write_demo_month(root / "demo", standards, MONTH)
    original = demo_month._make_mistakes
    demo_month._make_mistakes = lambda *args: None  # the same seed: the same incidents
    try:
        clean = demo_month.write_demo_month(root / "clean", standards, MONTH)
    finally:
        demo_month._make_mistakes = original
    corrected = clean.folder / demo.flawed.relative_to(demo.folder)
    return DemoFiles(demo.folder, demo.roster_file, demo.flawed, corrected, demo.late)


def codes(folder: Path) -> dict[str, str]:
    with (folder / "访问码.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {row["科室"]: row["访问码"] for row in csv.DictReader(fh)}


def make_inbox(folder: Path, files: DemoFiles, *, skip: tuple[Path, ...] = ()) -> Path:
    """An inbox holding every demo register but ``skip``, received as uploads."""
    init_inbox(folder, "柳荫街道", files.roster)
    inbox = Inbox(folder, workers=1)
    try:
        for path in sorted(files.folder.rglob("*.xlsx")):
            if path not in skip:
                inbox.receive_path(path.parent.name, path)
    finally:
        inbox.close()
    return folder


def unpack(data: bytes, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "download.zip"
    archive.write_bytes(data)
    with zipfile.ZipFile(archive) as z:
        z.extractall(folder)
    archive.unlink()
    return folder
