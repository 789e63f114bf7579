"""Writing outputs atomically: a temporary file in the target folder, renamed into place.

An interrupted write leaves the previous file (or none), never a partial one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from qianfen_xl.contract.errors import OutputError, describe_os_error


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp",
                                        dir=target.parent)
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{describe_os_error(exc)}") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output is an ordinary file
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` and move the result to ``target``."""
    with atomic_path(target) as tmp:
        write(tmp)
    return Path(target)


class Staging:
    """The outputs of one command, written as a set (:func:`staged_outputs`): each file is
    written into a hidden staging folder beside its target and moved into place only once
    every one of them is written; a failure or an interruption before then leaves none of
    them, and the files they would have replaced as they were."""

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}     # target folder → its staging folder
        self._made: list[Path] = []              # target folders this run created
        self._moves: list[tuple[Path, Path]] = []  # (staged, target)

    def path(self, target: Path) -> Path:
        """Where to write ``target`` for now (a writer may write there atomically too)."""
        target = Path(target)
        if any(t == target for _, t in self._moves):
            raise OutputError(f"同一输出文件写了两次：{target}")
        folder = self._folder(target.parent)
        staged = folder / f"{len(self._moves)}-{target.name}"
        self._moves.append((staged, target))
        return staged

    def _folder(self, parent: Path) -> Path:
        if parent not in self._folders:
            try:
                missing = [p for p in (parent, *parent.parents) if not p.exists()]
                parent.mkdir(parents=True, exist_ok=True)
                self._made += missing
                self._folders[parent] = Path(tempfile.mkdtemp(prefix=".qianfen-staging-",
                                                              dir=parent))
            except OSError as exc:
                raise OutputError(f"无法写入 {parent}：{describe_os_error(exc)}") from exc
        return self._folders[parent]

    def commit(self) -> None:
        """Move every staged file into place: the files they replace are set aside first,
        and put back if any move fails."""
        previous: list[tuple[Path, Path]] = []
        placed: list[Path] = []
        try:
            for staged, target in self._moves:
                if not staged.exists():
                    raise OutputError(f"输出文件未写出：{target}")
                if target.exists() or target.is_symlink():
                    keep = staged.with_name(staged.name + ".previous")
                    os.replace(target, keep)
                    previous.append((keep, target))
            for staged, target in self._moves:
                os.replace(staged, target)
                placed.append(target)
        except BaseException as exc:
            for target in placed:
                target.unlink(missing_ok=True)
            for keep, target in previous:
                os.replace(keep, target)
            if isinstance(exc, OSError) and not isinstance(exc, OutputError):
                raise OutputError(f"无法写入 {exc.filename or ''}：{describe_os_error(exc)}") from exc
            raise

    def discard(self) -> None:
        """Remove the staging folders (and what is left in them), and the target folders
        this run created that stayed empty."""
        for folder in self._folders.values():
            shutil.rmtree(folder, ignore_errors=True)
        for made in sorted(self._made, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                made.rmdir()  # only when empty


@contextlib.contextmanager
def staged_outputs() -> Iterator[Staging]:
    """Write a command's set of outputs whole or not at all::

        with staged_outputs() as stage:
            write_workbook(stage.path(out / "a.xlsx"))
            write_json(stage.path(out / "a.json"))
    """
    stage = Staging()
    try:
        yield stage
        stage.commit()
    finally:
        stage.discard()


ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_TIME = datetime(*ZIP_TIME)  # document properties: identical inputs → identical files
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def freeze_zip(path: Path, *, macro_enabled: bool = False) -> None:
    """Make an .xlsx written by openpyxl reproducible, in place: every zip member gets the
    same fixed time, and the document's 'modified' time (which openpyxl stamps on save)
    is set to the fixed time too. Identical contents then give identical bytes.

    ``macro_enabled`` declares the workbook an .xlsm (Excel refuses an .xlsm whose main
    part says .xlsx); its VBA project is added in Excel (see macros/)."""
    frozen = path.with_name(path.name + ".frozen")
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(frozen, "w") as dst:
            for item in src.infolist():
                info = zipfile.ZipInfo(item.filename, ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = item.external_attr
                data = src.read(item.filename)
                if item.filename == "docProps/core.xml":
                    data = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
                if macro_enabled and item.filename == "[Content_Types].xml":
                    data = data.replace(_XLSX_MAIN, _XLSM_MAIN)
                dst.writestr(info, data)
        shutil.move(frozen, path)
    finally:
        frozen.unlink(missing_ok=True)
