"""Checking uploads in worker processes: the batch's pool machinery (``batch.workers``),
kept warm for a server.

Each worker may grow only by the memory ceiling of the limits, and reads a file within
their time limit. An upload that kills its worker (memory, a signal) or hangs it breaks only
that worker pool: the file is then checked in a process of its own (``recover``), reported
as ``file-too-large``, ``file-too-slow`` or ``file-unreadable`` when it dies again, and the
pool is started afresh for the next upload. The server itself never reads a workbook.
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from qianfen_xl.batch.workers import died, intake_kept, recover, worker_pool
from qianfen_xl.contract.limits import TIME_LIMIT_SECONDS
from qianfen_xl.contract.standards import Standards
from qianfen_xl.intake.register import Submission

GRACE_SECONDS = 30  # beyond the per-file time limit, before a worker is taken as hung


class Checker:
    """A warm pool of checking processes (``workers`` of them; default: every core)."""

    def __init__(self, standards: Standards, workers: int | None = None) -> None:
        self.standards = standards
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the workers now (forked before the server's threads are busy)."""
        self._current().submit(os.getpid).result()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = worker_pool(self.standards, self.workers)
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if kill:  # a hung worker: end the pool's processes, or shutdown would wait on it
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def check(self, path: Path, label: str) -> Submission:
        """Check one stored file (blocking: call it from a thread). Never raises for the
        file's sake: whatever happens to it is a finding."""
        pool = self._current()
        try:
            future = pool.submit(intake_kept, [(path, label)])
        except (BrokenProcessPool, RuntimeError):
            self._discard(pool)
            return self._alone(path, label)
        try:
            return future.result(timeout=TIME_LIMIT_SECONDS + GRACE_SECONDS)[0]
        except BrokenProcessPool:
            self._discard(pool)
            return self._alone(path, label)
        except FutureTimeout:
            self._discard(pool, kill=True)
            return died(path, label, -signal.SIGALRM)

    def _alone(self, path: Path, label: str) -> Submission:
        return recover([[(path, label)]], self.standards, 1, keep_score=True)[0][0]
