"""The batch at the edges: find the files in an inbox, take them in (in parallel, with a
progress bar when there are many), consolidate, and write the outputs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qianfen_xl.batch.consolidation import Consolidation, consolidate
from qianfen_xl.batch.workers import (
    intake_guarded,
    intake_in_worker,
    recover,
    worker_pool,
)
from qianfen_xl.contract.periods import Period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.register import Submission
from qianfen_xl.scoring.engine import Person

if TYPE_CHECKING:  # the progress bar is imported when it shows
    from tqdm import tqdm

# What is taken as a submitted register. Formats we cannot read are still listed, so the
# office gets a finding ("save as .xlsx") instead of a file silently left out.
REGISTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb", ".csv")
PROGRESS_MIN_FILES = 50
SERIAL_BELOW = 16  # fewer files than this: a worker pool costs more than it saves
CHUNK_MAX = 128    # files checked together (one pooled run of the checks, one reply) …
CHUNK_MIN = 16     # … and the smallest chunk handed out toward the end


SKIPPED = {"~$": "Excel/WPS 打开文件时生成的临时文件（~$ 开头），未读取",
           ".": "隐藏文件，未读取"}


def skipped_note(path: Path) -> str:
    """Why a file that looks like a register is not taken in ("" when it is): an owner
    file (``~$社保所.xlsx``, ``.~lock.社保所.xlsx#``, written while a workbook is open) or
    a hidden file."""
    if path.name.startswith(".~lock.") and path.name.endswith("#"):
        return "LibreOffice 打开文件时生成的锁定文件，未读取"
    if path.suffix.lower() not in REGISTER_SUFFIXES:
        return ""
    return next((note for prefix, note in SKIPPED.items() if path.name.startswith(prefix)), "")


def is_candidate(path: Path) -> bool:
    """A register file, not an Office/LibreOffice lock file or a hidden temporary file."""
    name = path.name
    return (path.suffix.lower() in REGISTER_SUFFIXES
            and not name.startswith(("~$", ".~lock", ".")))


def discover(inbox: Path) -> list[tuple[Path, str]]:
    """Every candidate file under ``inbox`` (recursively), with its label: the path
    relative to the inbox. Sorted, so a run's order never depends on the file system."""
    return find_files(inbox)[0]


def find_files(inbox: Path) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """The candidate files under ``inbox`` (as :func:`discover`), and the files left out
    that look like registers (owner and hidden files): label and why, for 数据来源."""
    if inbox.is_file():
        return [(inbox, inbox.name)], []
    found, skipped = [], []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(root) / name
            label = path.relative_to(inbox).as_posix()
            if is_candidate(path):
                found.append((path, label))
            elif note := skipped_note(path):
                skipped.append((label, note))
    return sorted(found, key=lambda item: item[1]), sorted(skipped)


def chunk_sizes(total: int, workers: int) -> list[int]:
    """How many files each chunk takes, in order: large chunks first (each is checked in
    one pooled run and answered in one reply, whose fixed costs they share), then smaller
    ones, so that the workers run out of work together instead of one waiting on
    another's last large chunk (guided self-scheduling).

    >>> sizes = chunk_sizes(1920, 2)
    >>> sizes[:2], sizes[-5:], sum(sizes)
    ([128, 128], [17, 16, 16, 16, 2], 1920)
    >>> chunk_sizes(40, 4), chunk_sizes(5, 2)
    ([16, 16, 8], [5])
    """
    out, left = [], total
    while left:
        size = min(left, max(CHUNK_MIN, min(CHUNK_MAX, -(-left // (2 * workers)))))
        out.append(size)
        left -= size
    return out


def intake_all(files: Sequence[tuple[Path, str]], standards: Standards, workers: int | None = None,
               progress: bool | None = None) -> list[Submission]:
    """Take every file in, in order. ``workers`` defaults to every core; the progress bar
    shows on a terminal when there are many files (``progress`` forces it on or off). A
    worker that dies costs only the file that killed it (``workers.recover``)."""
    workers = workers or os.cpu_count() or 1
    show = progress if progress is not None else (len(files) >= PROGRESS_MIN_FILES
                                                  and sys.stderr.isatty())
    bar = _progress(len(files), show)
    # Files go in chunks: each chunk is checked in one pooled run of the checks.
    chunks, at = [], 0
    for size in chunk_sizes(len(files), workers):
        chunks.append(list(files[at:at + size]))
        at += size
    with bar:
        if workers <= 1 or len(files) < SERIAL_BELOW:
            out = []
            for chunk in chunks:
                out += intake_guarded(chunk, standards, keep_score=False)
                bar.update(len(chunk))
            return out
        return _in_pool(chunks, standards, workers, bar)


class _Quiet(contextlib.nullcontext[None]):
    """No progress bar (nothing to show, or no terminal): tqdm is not even imported."""

    def update(self, n: int) -> None:
        pass


def _progress(total: int, show: bool) -> tqdm[Any] | _Quiet:
    if not show:
        return _Quiet()
    from tqdm import tqdm

    return tqdm(total=total, unit="个", desc="读取与校验", file=sys.stderr)


def _in_pool(chunks: list[list[tuple[Path, str]]], standards: Standards, workers: int,
             bar: tqdm[Any] | _Quiet) -> list[Submission]:
    done: list[list[Submission] | None] = [None] * len(chunks)
    with worker_pool(standards, workers) as pool:
        try:
            futures = [pool.submit(intake_in_worker, chunk) for chunk in chunks]
            for k, future in enumerate(futures):
                with contextlib.suppress(BrokenProcessPool):
                    done[k] = future.result()
                    bar.update(len(chunks[k]))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # interrupted: stop at once
            raise
    broken = [k for k, subs in enumerate(done) if subs is None]
    if broken:
        for k, subs in zip(broken, recover([chunks[k] for k in broken], standards, workers),
                           strict=True):
            done[k] = subs
            bar.update(len(subs))
    return [sub for subs in done if subs is not None for sub in subs]


def run_consolidation(inbox: Path, period: Period, standards: Standards, *,
                      roster: Sequence[Person] = (), workers: int | None = None,
                      progress: bool | None = None,
                      on_found: Callable[[int], None] | None = None) -> Consolidation:
    files, skipped = find_files(inbox)
    if on_found is not None:
        on_found(len(files))
    submissions = intake_all(files, standards, workers, progress)
    return consolidate(standards, submissions, period, roster, skipped=skipped)
