"""Worker processes of a batch, and what happens when one dies.

Each worker may grow only by the limits' memory ceiling (``cap_memory``). A file that needs
more, or that kills its worker any other way, breaks the process pool: every chunk that was
in flight is then taken in again, each in a process of its own, and a chunk whose process
dies again is taken in one file per process. So a file that kills its process costs only
itself, reported as ``file-too-large`` (it ran out of memory) or ``file-unreadable``, and
every other file of the batch is scored as if nothing had happened.

A batch too small for a pool, and ``validate``, take files in within their own process,
except a legacy (OLE) workbook, which the package scan cannot measure before calamine
builds it: that is taken in by a process of its own under the same ceiling
(``intake_guarded``).
"""

from __future__ import annotations

import faulthandler
import gc
import hashlib
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import DefaultContext, ForkContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from qianfen_xl.contract.findings import Finding
from qianfen_xl.contract.limits import (
    TIME_LIMIT_SECONDS,
    WORKER_MEMORY_BYTES,
    LimitExceeded,
    cap_memory,
    read_source,
)
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.package import is_legacy_workbook
from qianfen_xl.intake.register import Submission, intake_many

Chunk = Sequence[tuple[Path, str]]
_worker_standards: Standards | None = None


def fork_context() -> ForkContext | DefaultContext:
    """fork keeps the imported modules: a worker starts in milliseconds, not seconds."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def init_worker(standards: Standards) -> None:
    global _worker_standards
    _worker_standards = standards
    # What the worker inherits (modules, standards) is never garbage: frozen, collections
    # here skip it, which saves ~5 % per file and leaves those pages shared with the parent.
    gc.freeze()
    # Ctrl+C reaches the whole process group: only the parent acts on it (it cancels the
    # pool), so a worker never dies half-way through a chunk with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker that dies is reported by the parent, against its file: a dump of its Python
    # stack (faulthandler, when the parent enabled it) would only alarm whoever reads it.
    faulthandler.disable()
    # Nor what a runtime prints as it dies (python-calamine's Rust: "memory allocation of
    # 536870912 bytes failed"); every failure the worker survives is a finding already.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    os.close(quiet)
    cap_memory()


def worker_pool(standards: Standards, workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` checking processes (forked, each started by
    :func:`init_worker`): a batch's, or the inbox's kept warm."""
    return ProcessPoolExecutor(workers, mp_context=fork_context(), initializer=init_worker,
                               initargs=(standards,))


def intake_in_worker(chunk: Chunk) -> list[Submission]:
    assert _worker_standards is not None
    return intake_many(chunk, _worker_standards, keep_score=False)


def intake_kept(chunk: Chunk) -> list[Submission]:
    """As :func:`intake_in_worker`, keeping each register's own score (what ``validate``
    reports): for a service that checks one upload at a time in its pool (the inbox)."""
    assert _worker_standards is not None
    return intake_many(chunk, _worker_standards, keep_score=True)


def intake_guarded(chunk: Chunk, standards: Standards, *,
                   keep_score: bool = True) -> list[Submission]:
    """Take a chunk in within this process, unless a file of it is a legacy workbook: then
    the chunk goes to a process of its own under the memory ceiling (a file that exhausts
    it costs only itself, ``file-too-large``), as in a batch's pool."""
    if any(is_legacy_workbook(path) for path, _ in chunk):
        return recover([chunk], standards, 1, keep_score=keep_score)[0]
    return intake_many(chunk, standards, keep_score=keep_score)


def _alone(conn: Connection, chunk: Chunk, standards: Standards, keep_score: bool) -> None:
    """A process of its own for one chunk: its submissions go back through ``conn``."""
    init_worker(standards)
    conn.send(intake_many(chunk, standards, keep_score=keep_score))
    conn.close()


def run_alone(chunks: Sequence[Chunk], standards: Standards, workers: int, *,
              keep_score: bool = False) -> list[list[Submission] | int]:
    """Each chunk in a process of its own, ``workers`` at a time: its submissions, or the
    exit code of the process that died taking it in (-9: killed; -6: aborted, as Rust does
    when an allocation fails; -14: stopped past its time)."""
    context = fork_context()
    out: list[list[Submission] | int] = [0] * len(chunks)
    waiting = list(range(len(chunks)))[::-1]
    running: dict[Connection, _Running] = {}
    try:
        while waiting or running:
            while waiting and len(running) < max(1, workers):
                k = waiting.pop()
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_alone,
                                          args=(send, chunks[k], standards, keep_score))
                process.start()
                send.close()
                limit = TIME_LIMIT_SECONDS * len(chunks[k]) + 30  # the per-file limit each
                running[receive] = _Running(k, process, time.monotonic() + limit)
            soonest = min(r.deadline for r in running.values())
            ready = wait(list(running), timeout=max(0.0, soonest - time.monotonic()))
            for conn in (c for c in ready if isinstance(c, Connection)):
                task = running.pop(conn)
                out[task.index] = _receive(conn, task.process)
            for conn, task in list(running.items()):
                if time.monotonic() > task.deadline:  # hung: counted as too slow
                    task.process.kill()
                    task.process.join()
                    conn.close()
                    del running[conn]
                    out[task.index] = -signal.SIGALRM
    finally:
        for task in running.values():
            task.process.kill()
    return out


@dataclass(frozen=True)
class _Running:
    index: int
    process: BaseProcess
    deadline: float


def _receive(conn: Connection, process: BaseProcess) -> list[Submission] | int:
    try:
        result: list[Submission] = conn.recv()
    except (EOFError, OSError):
        process.join()
        return process.exitcode or -1
    finally:
        conn.close()
    process.join()
    return result


def recover(chunks: Sequence[Chunk], standards: Standards, workers: int, *,
            keep_score: bool = False) -> list[list[Submission]]:
    """Take in chunks whose worker pool broke: each chunk alone, then the files of a chunk
    that dies again one by one; a file that dies alone gets the finding that says why."""
    first = run_alone(chunks, standards, workers, keep_score=keep_score)
    dead = [k for k, result in enumerate(first) if isinstance(result, int)]
    singles = [[item] for k in dead for item in chunks[k]]
    second = iter(run_alone(singles, standards, workers, keep_score=keep_score)
                  if singles else [])
    out = []
    for chunk, result in zip(chunks, first, strict=True):
        if not isinstance(result, int):
            out.append(result)
            continue
        subs = []
        for path, label in chunk:
            alone = next(second)
            subs += alone if not isinstance(alone, int) else [died(path, label, alone)]
        out.append(subs)
    return out


def died(path: Path, label: str, exitcode: int) -> Submission:
    """The submission of a file whose process died taking it in."""
    if exitcode in (-signal.SIGKILL, -signal.SIGABRT):
        finding = Finding("file-too-large", label, detail=(
            f"读取时超出内存上限（每个进程可增加 {WORKER_MEMORY_BYTES / 2**30:g} GB）"))
    elif exitcode == -signal.SIGALRM:
        finding = Finding("file-too-slow", label, detail=f"超过 {TIME_LIMIT_SECONDS} 秒")
    else:
        finding = Finding("file-unreadable", label, detail=f"读取此文件的进程意外退出（{exitcode}）")
    sha256, size = "", 0
    try:
        data = read_source(path, label)
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
    except (LimitExceeded, OSError):
        pass
    return Submission(label, sha256, size, False, findings=(finding,))
