"""qianfen-xl: a street office's 千分制 assessment: standards, registers, validation, scores.

The public API (see the README): ``validate(path) -> Report``, ``consolidate(inbox,
period, ...) -> Ranking``, ``finalize(register, ...) -> Results`` and
``load_standards(path)``. Importing ``qianfen_xl`` loads nothing else until one of them is
used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qianfen_xl.api import (
        Finding,
        QianfenError,
        Ranking,
        Report,
        Results,
        Standards,
        consolidate,
        finalize,
        load_standards,
        validate,
    )

__all__ = ["Finding", "QianfenError", "Ranking", "Report", "Results", "Standards",
           "consolidate", "finalize", "load_standards", "validate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from qianfen_xl import api

        return getattr(api, name)
    raise AttributeError(f"module 'qianfen_xl' has no attribute {name!r}")
