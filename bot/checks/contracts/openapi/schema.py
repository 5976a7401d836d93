"""Compare two versions of a schema in the direction the data flows.

What breaks a client depends on who sends the data: a request schema must still accept what it
accepted (no new required properties, no narrowed types, enums or bounds, no new constraints);
a response schema must not return what clients never saw (removed or newly optional or
nullable properties, new types, alternatives or looser bounds). Rule ids are oasdiff's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.checks.contracts.openapi.composition import compare_composition
from bot.checks.contracts.openapi.flat import Flat, flatten
from bot.checks.contracts.openapi.keywords import compare_keywords
from bot.checks.contracts.openapi.spec import Ptr
from bot.checks.contracts.openapi.state import At, Kind, SchemaDiff
from bot.checks.contracts.openapi.values import (
    compare_bounds,
    compare_enum,
    compare_nullable,
    compare_type,
)

__all__ = ["At", "Kind", "SchemaDiff", "compare"]
_MAX_DEPTH = 24


def compare(sd: SchemaDiff, at: At, base: tuple[Any, Ptr], head: tuple[Any, Ptr]) -> None:
    """Emit every breaking change between two versions of one schema."""
    _compare(sd, at, base, head, 0)


def _compare(
    sd: SchemaDiff, at: At, base: tuple[Any, Ptr], head: tuple[Any, Ptr], depth: int
) -> None:
    b_node, b_ptr = sd.base.resolve(*base)
    h_node, h_ptr = sd.head.resolve(*head)
    # By object, not pointer: YAML aliases share one object under many pointers, and a
    # schema compared once under one of them needs no second look.
    key = (at.kind, id(b_node), id(h_node))
    if depth > _MAX_DEPTH or key in sd.seen or sd.budget <= 0:
        return
    sd.seen.add(key)
    sd.budget -= 1

    def recurse(sub: At, b_pair: tuple[Any, Ptr], h_pair: tuple[Any, Ptr]) -> None:
        _compare(sd, sub, b_pair, h_pair, depth + 1)

    comp = compare_composition(sd, at, (b_node, b_ptr), (h_node, h_ptr), recurse)
    b = flatten(sd.base, b_node, b_ptr, skip=comp.skip_base)
    h = flatten(sd.head, h_node, h_ptr, skip=comp.skip_head)
    compare_nullable(sd, at, b, h)
    if comp.shape_changed:
        return  # reported once as wrapped/unwrapped; the branches are not the old schema
    if compare_type(sd, at, b, h):
        return  # one finding: the old bounds, enum and properties no longer apply
    compare_enum(sd, at, b, h)
    compare_bounds(sd, at, b.node, h)
    compare_keywords(sd, at, (b.node, b.ptr), (h.node, h.ptr), recurse)
    if at.kind != "param" and not (b.composite or h.composite):
        _compare_props(sd, at, b, h, depth=depth)
    if b.items is not None and h.items is not None:
        _compare(sd, at.sub(f"{at.label}[]"), b.items, h.items, depth + 1)


def _access(sd: SchemaDiff, at: At, schema: Any, ptr: Ptr, *, head: bool) -> At:
    """The property's place, knowing whether it is readOnly or writeOnly."""
    flat = flatten(sd.head if head else sd.base, schema, ptr)
    return replace(
        at, read_only=at.read_only or flat.read_only, write_only=at.write_only or flat.write_only
    )


def _compare_props(sd: SchemaDiff, at: At, b: Flat, h: Flat, *, depth: int) -> None:
    prefix = "" if at.root else f"{at.label}."
    for name, (b_schema, b_ptr) in b.props.items():
        path = prefix + name
        if name not in h.props:
            _removed_prop(sd, at, path, (b_ptr, h.ptr), required=name in b.required)
            continue
        h_schema, hp_ptr = h.props[name]
        sub = _access(sd, at.sub(path), h_schema, hp_ptr, head=True)
        _required_change(sd, sub, name, b, h)
        _write_only_change(sd, sub, name, (b, b_schema, b_ptr), h)
        _compare(sd, sub, (b_schema, b_ptr), (h_schema, hp_ptr), depth + 1)
    if at.kind == "request":
        for name, (h_schema, hp_ptr) in h.props.items():
            added = flatten(sd.head, h_schema, hp_ptr)
            if name not in b.props and name in h.required and not added.read_only:
                sd.emit(
                    "new-required-request-property" + _with_default(added),
                    "high",
                    f"New required request property `{prefix + name}` ({at.where})",
                    f"{at.where} now requires `{prefix + name}` in the request body. Every "
                    "existing client omits it and will be rejected; make it optional with a "
                    "server-side default, then require it in a new version.",
                    new_ptr=hp_ptr,
                )


def _removed_prop(
    sd: SchemaDiff, at: At, path: str, ptrs: tuple[Ptr, Ptr], *, required: bool
) -> None:
    b_ptr, h_ptr = ptrs
    removed = flatten(sd.base, sd.base.at(b_ptr), b_ptr)
    if at.kind == "request":
        if removed.read_only:
            return  # clients never sent it
        sd.emit(
            "request-property-removed",
            "medium",
            f"Request property `{path}` removed ({at.where})",
            f"{at.where} no longer documents the request property `{path}`. Clients that send "
            "it may be rejected (when additional properties are refused) or silently ignored; "
            "deprecate it first and keep accepting it until clients have stopped sending it.",
            old_ptr=b_ptr,
            new_ptr=h_ptr,
            removal=True,
        )
        return
    if removed.write_only or at.write_only:
        return
    which = "required" if required else "optional"
    sd.emit(
        f"response-{which}-property-removed",
        "high" if required else "medium",
        f"Response property `{path}` removed ({at.where})",
        f"The {which} response property `{path}` is gone from {at.where}. Clients that read "
        "it will break or silently lose data; deprecate it first, keep returning it until "
        "clients have moved, then remove it (or version the endpoint).",
        old_ptr=b_ptr,
        new_ptr=h_ptr,
        removal=True,
    )


def _required_change(sd: SchemaDiff, at: At, name: str, b: Flat, h: Flat) -> None:
    path = at.label
    _, hp_ptr = h.props[name]
    if at.kind == "request" and name in h.required and name not in b.required:
        if at.read_only:
            return
        sd.emit(
            "request-property-became-required" + _with_default(flatten(sd.head, *h.props[name])),
            "high",
            f"Request property `{path}` became required ({at.where})",
            f"{at.where} now requires `{path}`, which was optional. Clients that omit it will "
            "be rejected; keep it optional with a server-side default.",
            new_ptr=hp_ptr,
        )
    elif at.kind == "response" and name in b.required and name not in h.required:
        if at.write_only:
            return
        sd.emit(
            "response-property-became-optional",
            "high",
            f"Response property `{path}` became optional ({at.where})",
            f"`{path}` was always present in {at.where} and may now be missing. Clients that "
            "read it without checking will fail; keep it required or document a default.",
            new_ptr=hp_ptr,
        )


def _with_default(prop: Flat) -> str:
    """oasdiff names a newly required property that has a default apart: the default is a
    server-side fallback, not a reason for a request without it to be valid."""
    return "-with-default" if "default" in prop.node else ""


def _write_only_change(
    sd: SchemaDiff, at: At, name: str, base: tuple[Flat, Any, Ptr], h: Flat
) -> None:
    """A required response property that was writeOnly (never returned) is now returned:
    only safe if servers always returned it despite the old contract (oasdiff warns)."""
    _, b_schema, b_ptr = base
    if at.kind != "response" or name not in h.required or at.write_only:
        return
    if not flatten(sd.base, b_schema, b_ptr).write_only:
        return
    sd.emit(
        "response-required-property-became-not-write-only",
        "medium",
        f"Response property `{at.label}` is no longer write-only ({at.where})",
        f"`{at.label}` of {at.where} was writeOnly (never returned) and is now a required "
        "response property. Clients written against the old contract do not expect it; "
        "this is safe only if the server always returned it.",
        new_ptr=h.props[name][1],
    )
