"""The exceptions of qianfen-xl: raised only when a command cannot run at all.

Anything wrong *inside a register* is a finding (see ``findings``), never an exception.
"""

from __future__ import annotations


class QianfenError(Exception):
    """Base of every error that stops a qianfen-xl command."""


class StandardsError(QianfenError, ValueError):
    """The standards file is broken; the message names the key."""


class PeriodError(QianfenError, ValueError):
    """A period label such as ``2026-W47`` or ``2026-11`` cannot be read."""


class OutputError(QianfenError, OSError):
    """An output file or folder cannot be written."""
