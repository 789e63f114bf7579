from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))
# The UDFs are tested through xlwings' Office.js call path, which runs on Linux: xlwings
# reads these before its first import (PRO code, PolyForm Noncommercial: see README).
os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from qianfen_xl.contract.standards import DEFAULT_PATH, Standards, load_standards

settings.register_profile("ci", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parent.parent
REGULATION = ROOT.parent / "shared" / "reference" / "qianfen-regulation.zh.md"
T = TypeVar("T")


def shared(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]) -> T:
    """What ``build`` makes in a folder of its own, made once for the whole run: under
    pytest-xdist the first worker to ask builds it (the others wait on a lock, then read
    the same files and the same returned value). Shared: copy a file before changing it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder, made = root / name, root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if made.exists():
            loaded: T = pickle.loads(made.read_bytes())
            return loaded
        shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
        folder.mkdir()
        result = build(folder)
        made.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def standards() -> Standards:
    return load_standards()


@pytest.fixture(params=["register.xlsx", "register.xlsm"], ids=["xlsx", "xlsm"])
def register_name(request: pytest.FixtureRequest) -> str:
    """The file a department sends back, of either template: the portable-formula .xlsx, or
    the .xlsm calling the UDFs and carrying its VBA project (builders.register makes each).
    A register test that takes it holds for both."""
    return str(request.param)


@pytest.fixture
def standards_data() -> dict[str, Any]:
    """The default standards file as parsed TOML, to edit as an office would."""
    return tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def year_run(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> dict[str, Path]:
    """A small street's year (builders.street_year) with its roster of facts, through
    `qianfen-xl annual`: the inbox, roster, annual workbook and annual register. Shared:
    copy a file before changing it."""
    def build(folder: Path) -> dict[str, Path]:
        from qianfen_xl.cli import main

        from builders import street_year, year_roster_csv

        inbox = street_year(folder, standards)
        roster = year_roster_csv(folder / "人员名单.csv")
        workbook = folder / "年度考核_2026.xlsx"
        assert main(["annual", str(inbox), "--year", "2026", "--roster", str(roster),
                     "--out", str(workbook), "--workers", "1"]) == 0
        return {"inbox": inbox, "roster": roster, "workbook": workbook,
                "register": folder / "年度考核情况登记表_2026.xlsx"}
    return shared(tmp_path_factory, "year", build)


@pytest.fixture(scope="session")
def demo_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`qianfen-xl demo --year 2026` run once: its folder and what it printed. Shared: copy
    a file before changing it."""
    def build(folder: Path) -> tuple[Path, str]:
        import contextlib
        import io

        from qianfen_xl.cli import main

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["demo", "--year", "2026", "--out", str(folder)]) == 0
        return folder, printed.getvalue()
    return shared(tmp_path_factory, "demo-year", build)


@pytest.fixture(scope="session")
def demo_month(tmp_path_factory: pytest.TempPathFactory, standards: Standards) -> Any:
    """The demo's month as `make demo` writes it into demo-output/ (2026-11, seed 2026):
    its registers, roster file, the late department and the flawed register. Shared."""
    from qianfen_xl.demo.month import write_demo_month

    return shared(tmp_path_factory, "demo-month", lambda folder: write_demo_month(
        folder / "demo-output", standards, "2026-11", 2026))


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LibreOffice profile of this process's own (LibreOffice locks a profile: each
    pytest-xdist worker converts with its own)."""
    from libreoffice import soffice

    if soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice (soffice) is not installed")
    return tmp_path_factory.mktemp("lo-profile")


@pytest.fixture(scope="session")
def gnumeric_ready() -> None:
    """gnumeric's ssconvert, the second spreadsheet engine of the parity tests."""
    from gnumeric import ssconvert

    if ssconvert() is None:
        if os.environ.get("CI"):
            pytest.fail("gnumeric is required in CI (.ci/run installs gnumeric)")
        pytest.skip("gnumeric (ssconvert) is not installed")


@pytest.fixture(scope="session")
def written(tmp_path_factory, standards) -> dict[str, list[Path]]:
    """What the commands write: the blank templates, a roster's pre-filled pairs (both
    flavours), the evaluation templates, and --monthly-out's monthly registers. Shared."""
    return shared(tmp_path_factory, "written", lambda out: _written(out, standards))


def _written(out: Path, standards: Standards) -> dict[str, list[Path]]:
    from qianfen_xl.cli import main

    from builders import STREET, street_month

    roster = out / "roster.csv"
    roster.write_text("编号,姓名,科室,口,人员类别,岗位层级\n" + "".join(
        f"{p.id},{p.name},{p.department},{p.line},{p.category},{p.level}\n" for p in STREET),
        encoding="utf-8")
    assert main(["templates", "--out", str(out / "pairs"), "--roster", str(roster), "--xlsm",
                 "--week", "2026-W47", "--month", "2026-11",
                 "--evaluation", "2026"]) == 0
    street = street_month(out, standards)
    assert main(["consolidate", str(street.inbox), "--period", "2026-11", "--out",
                 str(out / "r.xlsx"), "--monthly-out", str(out / "monthly"),
                 "--workers", "1"]) == 0
    pairs = sorted((out / "pairs").iterdir())
    return {
        "templates": sorted((ROOT / "workbook_templates").iterdir()),
        "pairs": [p for p in pairs if "考核情况登记表" in p.name],
        "evaluation": [p for p in pairs if "考核情况登记表" not in p.name],
        "monthly": sorted((out / "monthly").iterdir()),
        "weekly": street.files,
    }
