"""Deprecation, sunset dates (`x-sunset`) and stability levels (`x-stability-level`), read the
way oasdiff reads them.

Removing something deprecated is fine once its sunset date has passed and early before it; a
sunset date that does not parse, that is deleted while `deprecated: true` stays, or that moves
into the past is reported; `draft` and `alpha` operations may go without notice; a stability
level that is not draft/alpha/beta/stable is an error, as is a level that decreases.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.checks.contracts.openapi.spec import Node, Ptr
from bot.checks.contracts.openapi.state import SchemaDiff
from bot.models import Severity

LEVELS = ("draft", "alpha", "beta", "stable")  # increasing stability
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
Removal = tuple[str, Severity] | None


class BadValue(ValueError):
    """An `x-sunset` or `x-stability-level` value that does not parse."""


def sunset(node: Node) -> date | None:
    """The node's `x-sunset` date; None when it has none; BadValue when it does not parse
    (a date, or an RFC 3339 date-time, as oasdiff accepts)."""
    if "x-sunset" not in node:
        return None
    value = node["x-sunset"]
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    try:
        if _DATE.match(text):
            return date.fromisoformat(text)
        if _RFC3339.match(text):
            return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
    except ValueError:
        pass
    raise BadValue(f"x-sunset {value!r} is not a date (YYYY-MM-DD) or RFC 3339 date-time")


def stability(node: Node) -> str:
    """The operation's stability level (stable when unset); BadValue when it is not one of
    draft, alpha, beta, stable."""
    value = node.get("x-stability-level")
    if value is None:
        return "stable"
    if value not in LEVELS:
        raise BadValue(f"x-stability-level {value!r} is not one of {', '.join(LEVELS)}")
    return str(value)


def removal(node: Node, today: date, *, path: bool) -> Removal:
    """The rule for removing an operation (or, with `path`, a whole path): None when its
    removal is allowed (draft/alpha, or deprecated past its sunset date)."""
    prefix = "api-path" if path else "api"
    try:
        if stability(node) in ("draft", "alpha"):
            return None
        when = sunset(node) if node.get("deprecated") is True else None
    except BadValue as bad:
        invalid = "x-stability-level" in str(bad)
        return ("api-invalid-stability-level" if invalid else "api-path-sunset-parse"), "high"
    if node.get("deprecated") is not True:
        return f"{prefix}-removed-without-deprecation", "high"
    if when is None:
        return f"{prefix}-removed-with-deprecation", "low"
    return (f"{prefix}-removed-before-sunset", "high") if today < when else None


def parameter_removal(param: Node, today: date) -> Removal:
    """The rule for removing a parameter, following its deprecation and sunset date."""
    if param.get("deprecated") is not True:
        return "request-parameter-removed", "medium"
    try:
        when = sunset(param)
    except BadValue:
        return "request-parameter-sunset-parse", "high"
    if when is None:
        return "request-parameter-removed-with-deprecation", "info"
    if today < when:
        return "request-parameter-removed-before-sunset", "high"
    return None


def compare_operation(
    sd: SchemaDiff, where: str, base: tuple[Node, Ptr], head: tuple[Node, Ptr]
) -> None:
    """Lifecycle changes of an operation that exists in both versions."""
    h_op, h_ptr = head
    levels: list[str] = []
    for op, ptr in (head, base):
        try:
            levels.append(stability(op))
        except BadValue as bad:
            _emit(
                sd,
                "api-invalid-stability-level",
                where,
                str(bad),
                (*ptr, "x-stability-level") if op is h_op else h_ptr,
            )
            return
    now, was = levels
    if LEVELS.index(now) < LEVELS.index(was):
        _emit(
            sd,
            "api-stability-decreased",
            where,
            f"stability decreased from {was} to {now}",
            (*h_ptr, "x-stability-level"),
        )
    _sunset_changes(sd, where, base, head, "api")


def compare_parameter(
    sd: SchemaDiff, where: str, name: str, base: tuple[Node, Ptr], head: tuple[Node, Ptr]
) -> None:
    """Sunset changes of a parameter that exists in both versions."""
    _sunset_changes(sd, f"{where}, parameter `{name}`", base, head, "request-parameter")


def _sunset_changes(
    sd: SchemaDiff, where: str, base: tuple[Node, Ptr], head: tuple[Node, Ptr], prefix: str
) -> None:
    (b_node, _), (h_node, h_ptr) = base, head
    if h_node.get("deprecated") is not True:
        return
    at = (*h_ptr, "x-sunset") if "x-sunset" in h_node else h_ptr
    parse_rule = "api-path-sunset-parse" if prefix == "api" else "request-parameter-sunset-parse"
    if "x-sunset" in b_node and "x-sunset" not in h_node:
        rule = "sunset-deleted" if prefix == "api" else "request-parameter-sunset-deleted"
        _emit(sd, rule, where, "the sunset date was deleted but `deprecated: true` kept", at)
        return
    try:
        now = sunset(h_node)
    except BadValue as bad:
        if b_node.get("x-sunset") != h_node.get("x-sunset"):
            newly = b_node.get("deprecated") is not True and prefix == "api"
            _emit(sd, "api-deprecated-sunset-parse" if newly else parse_rule, where, str(bad), at)
        return
    if now is None:
        return
    if b_node.get("deprecated") is not True:
        if now < sd.today and prefix == "api":
            _emit(
                sd,
                "api-sunset-date-too-small",
                where,
                f"deprecated with a sunset date in the past ({now})",
                at,
            )
        return
    try:
        was = sunset(b_node)
    except BadValue as bad:
        _emit(sd, parse_rule, where, str(bad), at)
        return
    if was is not None and now < was and now < sd.today:
        rule = (
            f"{prefix}-sunset-date-changed-too-small"
            if prefix != "api"
            else "api-sunset-date-changed-too-small"
        )
        _emit(sd, rule, where, f"the sunset date moved from {was} to {now}, in the past", at)


_WHY = {
    "api-invalid-stability-level": "Tools and clients that read the stability level cannot "
    "tell how stable this operation is; use draft, alpha, beta or stable.",
    "api-stability-decreased": "Clients relied on the old stability guarantee; a lower level "
    "lets the operation change without notice.",
    "sunset-deleted": "Clients planning their migration lose the date; keep `x-sunset`.",
    "request-parameter-sunset-deleted": "Clients planning their migration lose the date; "
    "keep `x-sunset`.",
}


def _emit(sd: SchemaDiff, rule: str, where: str, what: str, new_ptr: Ptr) -> None:
    why = _WHY.get(
        rule,
        "Sunset dates tell clients how long they may rely on a deprecated operation; a date "
        "that cannot be read or that is already past gives them no notice.",
    )
    sd.emit(rule, "high", f"{where}: {what}", f"{where}: {what}. {why}", new_ptr=new_ptr)
