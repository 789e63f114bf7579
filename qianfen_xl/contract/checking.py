"""Checking a parsed standards document, section by section: each helper reads one key,
and a wrong value is refused with a :class:`StandardsError` naming the key, in Chinese
(``grades.excellent_quota: 比例必须在 0 到 1 之间``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from qianfen_xl.contract.errors import StandardsError

# The largest number any score, points, line or cap of the file may be: a 千分制 scheme
# never comes near it, and a larger one (1e308) would overflow the sums into infinity.
SCORE_MAX = 100_000.0
# The largest whole number a count, a number of people or of places may be.
COUNT_MAX = 100_000


def fail(key: str, what: str) -> StandardsError:
    return StandardsError(f"评分标准文件有误 · {key}: {what}")


def table(data: Mapping[str, Any], key: str, path: str, allowed: set[str]) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise fail(path, "缺少此项，或不是一个表 (table)")
    check_keys(value, path, allowed)
    return value


def check_keys(value: Mapping[str, Any], path: str, allowed: set[str]) -> None:
    for k in value:
        if k not in allowed:
            raise fail(f"{path}.{k}", f"未知的键；允许的键：{', '.join(sorted(allowed))}")


def number(data: Mapping[str, Any], key: str, path: str, *, default: Any = None,
           minimum: float = 0.0, maximum: float = SCORE_MAX) -> float:
    """A number from ``minimum`` to ``maximum``: a text, a boolean, NaN or infinity where
    a number belongs is refused here, at load, never met later as a TypeError."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(f"{path}.{key}", f"必须是数（现为 {_shown(value)}）")
    if value < minimum:
        raise fail(f"{path}.{key}", f"必须是不小于 {minimum:g} 的数（现为 {value}）")
    if value > maximum:
        raise fail(f"{path}.{key}", f"不能大于 {maximum:g}（现为 {value:g}）")
    return float(value)


def _shown(value: Any) -> str:
    """A wrong value as the message quotes it: a text in quotes, cut when long."""
    if value is None:
        return "空"
    text = str(value)
    text = text if len(text) <= 40 else text[:40] + "…"
    return f"“{text}”" if isinstance(value, str) else text


def share(data: Mapping[str, Any], key: str, path: str) -> float:
    """A share of a whole: a number from 0 to 1."""
    value = number(data, key, path)
    if value > 1:
        raise fail(f"{path}.{key}", "比例必须在 0 到 1 之间")
    return value


def whole(data: Mapping[str, Any], key: str, path: str, *, default: Any = None,
          minimum: int = 0, maximum: int = COUNT_MAX) -> int:
    """A whole number from ``minimum`` to ``maximum`` (a number of days, years, months,
    people or places: an absurd one would make a loop or a date overflow)."""
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"{path}.{key}", f"必须是整数（现为 {_shown(value)}）")
    if not minimum <= value <= maximum:
        raise fail(f"{path}.{key}", f"必须是 {minimum} 到 {maximum} 的整数（现为 {value}）")
    return value


def text(data: Mapping[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(f"{path}.{key}", "必须是非空文字")
    return value


def texts(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise fail(f"{path}.{key}", "必须是非空的文字列表")
    if len(set(value)) != len(value):
        raise fail(f"{path}.{key}", "列表中有重复")
    return tuple(value)


def dates(data: Mapping[str, Any], key: str, path: str) -> tuple[date, ...]:
    """A list of TOML dates (``2026-10-01``, unquoted), possibly empty."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(type(v) is date for v in value):
        raise fail(f"{path}.{key}", "必须是日期列表，如 [2026-10-01, 2026-10-02]（不加引号）")
    return tuple(value)


def weights(data: object, path: str) -> dict[str, float]:
    if not isinstance(data, dict) or not data:
        raise fail(path, "必须是非空的权重表")
    out = {k: number(data, k, path) for k in data}
    if not math.isclose(sum(out.values()), 1.0, abs_tol=1e-9):
        raise fail(path, f"权重之和必须为 1（现为 {sum(out.values()):g}）")
    return out


def tables(raw: Any, path: str) -> list[dict[str, Any]]:
    """A list of tables (``[[section]]``), possibly empty."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise fail(path, "必须是表的列表")
    return raw


def freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value
