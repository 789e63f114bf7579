"""The VBA project an .xlsm register carries: its modules as source, compiled by Excel.

pyOpenVBA (the optional extra ``xlsm``: ``pip install "qianfen-xl[xlsm]"``) gives the saved
workbook the project Excel makes for a first macro (a document module for the workbook and
one for each sheet, their ``codeName`` set in workbook.xml and each sheet's ``sheetPr``, the
relationship and content type of ``xl/vbaProject.bin``), then adds the standard modules,
each stored as its source alone (compressed as MS-OVBA 2.4.1 says, ``MODULEOFFSET`` 0).

pyOpenVBA keeps the ``_VBA_PROJECT`` stream of the project it copies (an Excel build's
version, 0x00B5, its performance cache zeroed). MS-OVBA 1.6 and 2.3.4.1 say a writer sets
the version to 0xFFFF and writes no cache, so that every Excel ignores the caches and
compiles the project from its source; an Excel whose own version matches the stream's
would use the cache instead. That stream is therefore written as the specification's
example (3.1.1) has it — the very 7 bytes of xlwings' own add-in and standalone workbooks.

The same modules and workbook give the same bytes (no time or random number is written).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from qianfen_xl.contract.errors import OutputError

VBA_PART = "xl/vbaProject.bin"
# Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0001, no PerformanceCache.
SOURCE_ONLY_VBA_PROJECT = b"\xcc\x61\xff\xff\x00\x01\x00"
INSTALL_HINT = 'pip install "qianfen-xl[xlsm]"'


def require_vba_writer() -> None:
    """Refuse, before anything is written, when pyOpenVBA is not installed."""
    try:
        import pyopenvba  # noqa: F401
    except ImportError as exc:
        raise OutputError("生成 .xlsm 登记表需要 pyOpenVBA（写入其中的 VBA 宏工程），"
                          f"请先运行：{INSTALL_HINT}") from exc


def add_vba_project(path: Path, modules: Mapping[str, str]) -> None:
    """Give the saved .xlsm package at ``path`` (any file name) a VBA project holding
    ``modules`` (name → source, CRLF line ends), in place."""
    require_vba_writer()
    from pyopenvba import ExcelFile

    work = path.with_name(path.name + ".xlsm")  # pyOpenVBA tells the format by the suffix
    path.replace(work)
    try:
        with ExcelFile(work) as book:
            project = book.add_vba_project()
            for name, source in modules.items():
                project.add_module(name, source)
            book.save(path)
    finally:
        work.unlink(missing_ok=True)
    _source_only(path)


def _source_only(path: Path) -> None:
    """Write the project's ``_VBA_PROJECT`` stream as MS-OVBA's writer does (0xFFFF)."""
    from pyopenvba.cfb import CFB

    rewritten = path.with_name(path.name + ".vba")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == VBA_PART:
                    cfb = CFB.from_bytes(data)
                    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", SOURCE_ONLY_VBA_PROJECT)
                    data = cfb.to_bytes()
                dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
        rewritten.replace(path)
    finally:
        rewritten.unlink(missing_ok=True)
