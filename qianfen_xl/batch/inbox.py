"""The batch at the edges: find the files in an inbox, take them in (in parallel, with a
progress bar when there are many), consolidate, and write the outputs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tqdm import tqdm

from qianfen_xl.batch.consolidation import Consolidation, consolidate
from qianfen_xl.contract.periods import Period
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.register import Submission, intake_many
from qianfen_xl.scoring.engine import Person

# What is taken as a submitted register. Formats we cannot read are still listed, so the
# office gets a finding ("save as .xlsx") instead of a file silently left out.
REGISTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb", ".csv")
PROGRESS_MIN_FILES = 50
SERIAL_BELOW = 16  # fewer files than this: a worker pool costs more than it saves
CHUNK_MAX = 128    # files validated together in one pooled schema run …
CHUNK_MIN = 16     # … and the smallest chunk handed out toward the end


def is_candidate(path: Path) -> bool:
    """A register file, not an Office/LibreOffice lock file or a hidden temporary file."""
    name = path.name
    return (path.suffix.lower() in REGISTER_SUFFIXES
            and not name.startswith(("~$", ".~lock", ".")))


def discover(inbox: Path) -> list[tuple[Path, str]]:
    """Every candidate file under ``inbox`` (recursively), with its label: the path
    relative to the inbox. Sorted, so a run's order never depends on the file system."""
    if inbox.is_file():
        return [(inbox, inbox.name)]
    found = []
    for root, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(root) / name
            if is_candidate(path):
                found.append((path, path.relative_to(inbox).as_posix()))
    return sorted(found, key=lambda item: item[1])


def chunk_sizes(total: int, workers: int) -> list[int]:
    """How many files each chunk takes, in order: large chunks first (each is validated in
    one pooled pandera run, whose fixed cost ~9 ms they share), then smaller ones, so
    that the workers run out of work together instead of one waiting on another's last
    large chunk (guided self-scheduling).

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


_worker_standards: Standards | None = None


def _init_worker(standards: Standards) -> None:
    global _worker_standards
    _worker_standards = standards
    # What the worker inherits (modules, standards) is never garbage: frozen, collections
    # here skip it, which saves ~5 % per file and leaves those pages shared with the parent.
    gc.freeze()
    # Ctrl+C reaches the whole process group: only the parent acts on it (it cancels the
    # pool), so a worker never dies half-way through a chunk with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _intake_in_worker(chunk: list[tuple[Path, str]]) -> list[Submission]:
    assert _worker_standards is not None
    return intake_many(chunk, _worker_standards, keep_score=False)


def intake_all(files: Sequence[tuple[Path, str]], standards: Standards, workers: int | None = None,
               progress: bool | None = None) -> list[Submission]:
    """Take every file in, in order. ``workers`` defaults to every core; the progress bar
    shows on a terminal when there are many files (``progress`` forces it on or off)."""
    workers = workers or os.cpu_count() or 1
    show = progress if progress is not None else (len(files) >= PROGRESS_MIN_FILES
                                                  and sys.stderr.isatty())
    bar = tqdm(total=len(files), disable=not show, unit="个", desc="读取与校验",
               file=sys.stderr)
    out: list[Submission] = []
    # Files go in chunks: each chunk is validated in one pooled schema run.
    chunks, at = [], 0
    for size in chunk_sizes(len(files), workers):
        chunks.append(list(files[at:at + size]))
        at += size
    with bar:
        if workers <= 1 or len(files) < SERIAL_BELOW:
            for chunk in chunks:
                out += intake_many(chunk, standards, keep_score=False)
                bar.update(len(chunk))
            return out
        # fork keeps the imported modules: a worker starts in milliseconds, not seconds.
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(standards,)) as pool:
            try:
                for subs in pool.map(_intake_in_worker, chunks):
                    out += subs
                    bar.update(len(subs))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)  # interrupted: stop at once
                raise
    return out


def run_consolidation(inbox: Path, period: Period, standards: Standards, *,
                      roster: Sequence[Person] = (), workers: int | None = None,
                      progress: bool | None = None,
                      on_found: Callable[[int], None] | None = None) -> Consolidation:
    files = discover(inbox)
    if on_found is not None:
        on_found(len(files))
    submissions = intake_all(files, standards, workers, progress)
    return consolidate(standards, submissions, period, roster)
