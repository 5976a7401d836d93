"""Value bounds (lengths, ranges, item and property counts, patterns, multiples) that changed
in the direction that breaks clients.

A request that was valid under the old bounds and is rejected under the new ones breaks the
client that sends it (narrowing); a response value outside the old bounds breaks the client
that relied on them (widening). Names follow oasdiff (`...-max-length-decreased`,
`...-min-set`, `...-max-length-unset`, ...).
"""

from __future__ import annotations

from typing import Any

_UPPER = {
    "maxLength": "max-length",
    "maximum": "max",
    "exclusiveMaximum": "exclusive-max",
    "maxItems": "max-items",
    "maxProperties": "max-properties",
}
_LOWER = {
    "minLength": "min-length",
    "minimum": "min",
    "exclusiveMinimum": "exclusive-min",
    "minItems": "min-items",
    "minProperties": "min-properties",
}
_COUNTS = {"minLength", "minItems", "minProperties"}  # a lower bound of 0 excludes nothing
KEYS = {name: key for key, name in (*_UPPER.items(), *_LOWER.items())} | {
    "pattern": "pattern",
    "unique-items": "uniqueItems",
    "multiple-of": "multipleOf",
}
Bound = tuple[str, str, str]  # (what, was, now)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # 3.0's boolean exclusiveMinimum is a flag, not a bound
    return float(value)


def _show(value: float | None) -> str:
    if value is None:
        return "unbounded"
    return str(int(value)) if value.is_integer() else str(value)


def _multiple_narrowed(was: float, now: float) -> bool:
    """Some multiple of `was` is not a multiple of `now` (5 -> 10 narrows; 10 -> 5 does not)."""
    return now != 0 and (was / now) != int(was / now)


def narrowed_bounds(old: dict[str, Any], new: dict[str, Any]) -> list[Bound]:
    """(what, was, now) for every bound that now rejects values the old schema accepted:
    e.g. ("max-length-decreased", "100", "50") or ("pattern-added", "none", "^[a-z]+$")."""
    out: list[Bound] = []
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
    if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
        out.append(("unique-items-set", "false", "true"))
    was_m, now_m = _number(old.get("multipleOf")), _number(new.get("multipleOf"))
    if now_m is not None and was_m is None:
        out.append(("multiple-of-set", "none", _show(now_m)))
    elif now_m is not None and was_m is not None and _multiple_narrowed(was_m, now_m):
        out.append(("multiple-of-changed", _show(was_m), _show(now_m)))
    return out


def widened_bounds(old: dict[str, Any], new: dict[str, Any]) -> list[Bound]:
    """(what, was, now) for every bound of a response that now lets through values clients
    never had to handle: a raised maximum, a dropped minLength, a removed pattern, ..."""
    out: list[Bound] = []
    for key, name in _UPPER.items():
        was, now = _number(old.get(key)), _number(new.get(key))
        if was is not None and now is None:
            out.append((f"{name}-unset", _show(was), "unbounded"))
        elif was is not None and now is not None and now > was:
            out.append((f"{name}-increased", _show(was), _show(now)))
    for key, name in _LOWER.items():
        was, now = _number(old.get(key)), _number(new.get(key))
        if was is not None and now is None and not (key in _COUNTS and was == 0):
            out.append((f"{name}-unset", _show(was), "unbounded"))
        elif was is not None and now is not None and now < was:
            out.append((f"{name}-decreased", _show(was), _show(now)))
    was_pattern, now_pattern = old.get("pattern"), new.get("pattern")
    if isinstance(was_pattern, str) and now_pattern is None:
        out.append(("pattern-removed", was_pattern, "none"))
    elif (
        isinstance(was_pattern, str) and isinstance(now_pattern, str) and was_pattern != now_pattern
    ):
        out.append(("pattern-changed", was_pattern, now_pattern))
    if old.get("uniqueItems") is True and new.get("uniqueItems") is not True:
        out.append(("unique-items-unset", "true", "false"))
    was_m, now_m = _number(old.get("multipleOf")), _number(new.get("multipleOf"))
    if was_m is not None and now_m is None:
        out.append(("multiple-of-unset", _show(was_m), "none"))
    elif was_m is not None and now_m is not None and _multiple_narrowed(now_m, was_m):
        out.append(("multiple-of-changed", _show(was_m), _show(now_m)))
    return out
