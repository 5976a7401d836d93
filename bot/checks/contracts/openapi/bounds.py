"""Value bounds of a request schema (lengths, ranges, item counts, patterns) that narrowed.

A request that was valid under the old bounds and is rejected under the new ones breaks the
client that sends it; names follow oasdiff (`...-max-length-decreased`, `...-min-set`, ...).
"""

from __future__ import annotations

from typing import Any

_UPPER = {"maxLength": "max-length", "maximum": "max", "maxItems": "max-items"}
_LOWER = {"minLength": "min-length", "minimum": "min", "minItems": "min-items"}
_COUNTS = {"minLength", "minItems"}  # a lower bound of 0 on a count excludes nothing


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _show(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def narrowed_bounds(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(what, was, now) for every bound that now rejects values the old schema accepted:
    e.g. ("max-length-decreased", "100", "50") or ("pattern-added", "none", "^[a-z]+$")."""
    out: list[tuple[str, str, str]] = []
    for key, name in _UPPER.items():
        was, now = _number(old.get(key)), _number(new.get(key))
        if now is not None and was is None:
            out.append((f"{name}-set", "unbounded", _show(now)))
        elif now is not None and was is not None and now < was:
            out.append((f"{name}-decreased", _show(was), _show(now)))
    for key, name in _LOWER.items():
        was, now = _number(old.get(key)), _number(new.get(key))
        if now is not None and was is None and not (key in _COUNTS and now == 0):
            out.append((f"{name}-set", "unbounded", _show(now)))
        elif now is not None and was is not None and now > was:
            out.append((f"{name}-increased", _show(was), _show(now)))
    was_pattern, now_pattern = old.get("pattern"), new.get("pattern")
    if isinstance(now_pattern, str) and now_pattern != was_pattern:
        what = "pattern-added" if was_pattern is None else "pattern-changed"
        out.append((what, str(was_pattern or "none"), now_pattern))
    return out
