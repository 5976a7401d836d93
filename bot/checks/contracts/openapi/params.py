"""Request parameters: removed (following deprecation and sunset dates), newly required, new
and required, default values changed, and their schemas compared as requests."""

from __future__ import annotations

from typing import Any

from bot.checks.contracts.openapi.flat import enum_key
from bot.checks.contracts.openapi.lifecycle import compare_parameter, parameter_removal
from bot.checks.contracts.openapi.schema import compare
from bot.checks.contracts.openapi.spec import Node, Ptr
from bot.checks.contracts.openapi.state import At, SchemaDiff

ParamKey = tuple[str, str]


def compare_parameters(sd: SchemaDiff, where: str, b_ptr: Ptr, h_ptr: Ptr) -> None:
    b_params, h_params = sd.base.parameters(b_ptr), sd.head.parameters(h_ptr)
    added = [k for k in h_params if k not in b_params]
    for key, (param, pptr) in b_params.items():
        loc, name = key
        if key not in h_params:
            if loc != "path":
                _removed_param(sd, where, key, (param, pptr), h_ptr=h_ptr, added=added)
            continue
        h_param, hp_ptr = h_params[key]
        if h_param.get("required") is True and param.get("required") is not True:
            sd.emit(
                "request-parameter-became-required",
                "high",
                f"{loc} parameter `{name}` became required ({where})",
                f"The {loc} parameter `{name}` of {where} was optional and is now required. "
                "Clients that omit it will get 400s; keep it optional with a default.",
                new_ptr=(*hp_ptr, "required") if "required" in h_param else hp_ptr,
            )
        compare_parameter(sd, where, name, (param, pptr), (h_param, hp_ptr))
        b_schema = sd.base.param_schema(param, pptr)
        h_schema = sd.head.param_schema(h_param, hp_ptr)
        _default_change(sd, where, key, b_schema, h_schema)
        compare(sd, At("param", where, name), b_schema, h_schema)
    for key in added:
        h_param, hp_ptr = h_params[key]
        if h_param.get("required") is True and key[0] != "path":
            renamed = [n for (loc, n) in b_params if loc == key[0] and (loc, n) not in h_params]
            hint = f" It looks like a rename of `{renamed[0]}`." if renamed else ""
            sd.emit(
                "new-required-request-parameter",
                "high",
                f"New required {key[0]} parameter `{key[1]}` ({where})",
                f"{where} now requires the {key[0]} parameter `{key[1]}`.{hint} Every existing "
                "client omits it and will get 400s; make it optional with a default.",
                new_ptr=hp_ptr,
            )


def _removed_param(
    sd: SchemaDiff,
    where: str,
    key: ParamKey,
    base: tuple[Node, Ptr],
    *,
    h_ptr: Ptr,
    added: list[ParamKey],
) -> None:
    (loc, name), (param, pptr) = key, base
    found = parameter_removal(param, sd.today)
    if found is None:
        return  # deprecated, and its sunset date has passed
    rule, severity = found
    renamed = [n for (lc, n) in added if lc == loc]
    hint = f" It looks renamed to `{renamed[0]}`." if renamed else ""
    texts = {
        "request-parameter-removed": (
            f"{loc} parameter `{name}` removed ({where})",
            f"{where} no longer takes the {loc} parameter `{name}`.{hint} Clients that send it "
            "will have it ignored or rejected; deprecate it first and keep accepting it for a "
            "while.",
        ),
        "request-parameter-removed-with-deprecation": (
            f"Deprecated {loc} parameter `{name}` removed ({where})",
            f"The deprecated {loc} parameter `{name}` of {where} was removed.",
        ),
        "request-parameter-removed-before-sunset": (
            f"{loc} parameter `{name}` removed before its sunset date ({where})",
            f"The {loc} parameter `{name}` of {where} was deprecated with an `x-sunset` date "
            "that has not come yet; keep accepting it until then.",
        ),
        "request-parameter-sunset-parse": (
            f"{loc} parameter `{name}` removed with an unreadable sunset date ({where})",
            f"The {loc} parameter `{name}` of {where} had an `x-sunset` that is not a date "
            "(YYYY-MM-DD or RFC 3339), so nobody can tell whether its removal is due.",
        ),
    }
    title, body = texts[rule]
    sd.emit(rule, severity, title, body, old_ptr=pptr, new_ptr=h_ptr, removal=True)


def _default_change(
    sd: SchemaDiff, where: str, key: ParamKey, base: tuple[Any, Ptr], head: tuple[Any, Ptr]
) -> None:
    """A changed or dropped default changes what every client that omits the parameter gets,
    without any of them changing a line."""
    (b_node, _), (h_node, h_ptr) = base, head
    if not isinstance(b_node, dict) or not isinstance(h_node, dict) or "default" not in b_node:
        return
    loc, name = key
    was = enum_key(b_node["default"])
    if "default" not in h_node:
        rule, what = "request-parameter-default-value-removed", f"default {was} removed"
    elif enum_key(h_node["default"]) != was:
        now = enum_key(h_node["default"])
        rule, what = "request-parameter-default-value-changed", f"default {was} -> {now}"
    else:
        return
    sd.emit(
        rule,
        "low",
        f"{loc} parameter `{name}`: {what} ({where})",
        f"The {loc} parameter `{name}` of {where}: {what}. Clients that omit it now get "
        "different behaviour without changing anything; say so in the changelog.",
        new_ptr=(*h_ptr, "default") if "default" in h_node else h_ptr,
    )
