"""Access codes, sessions and the brake on guessing.

A code is 12 characters from an alphabet without look-alikes (about 60 bits), shown in
groups of four: ``K7QD-2M9X-HRTB``. The database keeps only its SHA-256; a code given is
hashed and compared with every stored hash in constant time (``hmac.compare_digest``), so
neither the answer nor its timing tells how close a guess came. Five wrong codes from one
address within a minute, and that address waits before it may try again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Sequence

from qianfen_xl.inbox.db import Code

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 12
FAILURES_ALLOWED = 5
WINDOW_SECONDS = 60.0
ROLE_DEPARTMENT, ROLE_OFFICE = "department", "office"
ROLE_NAMES = {ROLE_DEPARTMENT: "科室", ROLE_OFFICE: "考核办"}


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """What a person types, as the code it means: case, blanks and dashes do not matter.

    >>> normalise_code(" k7qd 2m9x-hrtb ")
    'K7QD2M9XHRTB'
    """
    return "".join(c for c in text.upper() if c.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("utf-8")).hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def match_code(given: str, codes: Sequence[Code]) -> Code | None:
    """The code ``given`` is, comparing its hash with every stored one (all of them, in
    constant time each, whatever matches)."""
    digest = hash_code(given)
    found = None
    for code in codes:
        if hmac.compare_digest(digest, code.code_hash) and found is None:
            found = code
    return found


class Brake:
    """Counts wrong codes per address: past FAILURES_ALLOWED in WINDOW_SECONDS, the
    address must wait until the oldest of them is a window old."""

    def __init__(self, allowed: int = FAILURES_ALLOWED, window: float = WINDOW_SECONDS) -> None:
        self.allowed = allowed
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds this address must still wait (0: it may try)."""
        with self._lock:
            recent = self._recent(address)
            if len(recent) < self.allowed:
                return 0.0
            return max(0.0, recent[0] + self.window - time.monotonic())

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(time.monotonic())
            if len(self._failures) > 10_000:  # forget idle addresses: memory stays bounded
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def _recent(self, address: str) -> deque[float]:
        recent = self._failures.setdefault(address, deque())
        while recent and recent[0] < time.monotonic() - self.window:
            recent.popleft()
        while len(recent) > self.allowed:
            recent.popleft()
        return recent


def wait_message(seconds: float) -> str:
    return (f"访问码错误次数过多（1 分钟内 {FAILURES_ALLOWED} 次），请 {max(1, round(seconds))} "
            "秒后再试；如忘记访问码，请向考核办索取")
