"""Register schemas (installed as ``qianfen_xl.schemas``): the contract's sheets and columns
(``columns``), the pandera schemas that check roster and incident-log frames
(``register``), their twins in plain Python that the batch and ``validate`` run
(``checks``: the same rules, row for row), and those of the year: the roster's facts and
the annual register's decisions (``annual``).

The pandera schemas are imported on first use (pandas and pandera take half a second to
import, and checking a register does not need them)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qianfen_xl.schemas.annual import decisions_schema, roster_facts_schema
    from qianfen_xl.schemas.register import (
        assessment_schema,
        ballot_schema,
        incident_schema,
        roster_schema,
    )

__all__ = ["assessment_schema", "ballot_schema", "decisions_schema", "incident_schema",
           "roster_facts_schema", "roster_schema"]
_HOME = {"decisions_schema": "annual", "roster_facts_schema": "annual",
         "assessment_schema": "register", "ballot_schema": "register",
         "incident_schema": "register", "roster_schema": "register"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
