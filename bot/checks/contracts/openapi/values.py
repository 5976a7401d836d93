"""The values a schema admits: its types (and 3.1 type lists), format, enum, nullability and
bounds, compared in the direction the data flows.

A type change is reported once and nothing else about that schema's values is: a changed type
makes its old bounds, pattern and enum moot.
"""

from __future__ import annotations

from typing import Any

from bot.checks.contracts.openapi.bounds import KEYS, narrowed_bounds, widened_bounds
from bot.checks.contracts.openapi.flat import Flat, covers, describe, enum_key
from bot.checks.contracts.openapi.state import At, SchemaDiff, noun, raw, rule


def compare_type(sd: SchemaDiff, at: At, b: Flat, h: Flat) -> bool:
    """Report a type, format or type-list change; True when one was reported."""
    if not b.types or not h.types:
        return False
    if len(b.types) > 1 or len(h.types) > 1:
        return _list_of_types(sd, at, b, h)
    ok = covers(b.types, h.types) if at.kind == "response" else covers(h.types, b.types)
    fmt_changed = b.fmt is not None and h.fmt is not None and b.fmt != h.fmt
    if ok and not fmt_changed:
        return False
    was, now = describe(b.types, b.fmt), describe(h.types, h.fmt)
    sd.emit(
        rule(at.kind, at.root, "type-changed"),
        "high",
        f"`{at.label}` changed type from {was} to {now} ({at.where})",
        f"The {noun(at)} `{at.label}` of {at.where} was {was} and is now {now}. "
        + _type_impact(at),
        old_ptr=b.ptr,
        new_ptr=(*h.ptr, "type") if "type" in raw(sd.head, h.ptr) else h.ptr,
    )
    return True


def _list_of_types(sd: SchemaDiff, at: At, b: Flat, h: Flat) -> bool:
    """3.1 type lists: a response that may return more types, or a request that accepts
    fewer, breaks clients (`...-list-of-types-widened` / `-narrowed`)."""
    if at.kind == "response":
        changed = sorted(t for t in h.types - b.types if not covers(b.types, frozenset([t])))
        what, verb = "list-of-types-widened", "may now also be"
    else:
        changed = sorted(t for t in b.types - h.types if not covers(h.types, frozenset([t])))
        what, verb = "list-of-types-narrowed", "no longer accepts"
    if not changed or (at.kind == "response" and at.write_only):
        return False
    listed = ", ".join(changed)
    sd.emit(
        rule(at.kind, at.root, what),
        "high",
        f"`{at.label}` {verb} {listed} ({at.where})",
        f"The {noun(at)} `{at.label}` of {at.where} had the types {describe(b.types, None)} "
        f"and now has {describe(h.types, None)}. " + _type_impact(at),
        old_ptr=b.ptr,
        new_ptr=(*h.ptr, "type") if "type" in raw(sd.head, h.ptr) else h.ptr,
    )
    return True


def _type_impact(at: At) -> str:
    if at.kind == "response":
        return (
            "Clients that parse the old type will fail or mis-read the value. Add a new field "
            "with the new type and deprecate the old one, or version the endpoint."
        )
    return (
        "Requests that clients already send with the old type will be rejected. Accept both "
        "types for a transition period, or add a new field and deprecate the old one."
    )


def compare_enum(sd: SchemaDiff, at: At, b: Flat, h: Flat) -> None:
    new_ptr = (*h.ptr, "enum") if h.enum is not None else h.ptr
    if at.kind == "response":
        added = [v for v in (h.enum or ()) if b.enum is not None and v not in b.enum]
        if added and not at.write_only:
            sd.emit(
                "response-property-enum-value-added",
                "medium",
                f"`{at.label}` can now return {', '.join(added)} ({at.where})",
                f"The response {noun(at).split()[-1]} `{at.label}` of {at.where} gained the "
                f"enum value(s) {', '.join(added)}. Clients that switch over the known values "
                "may crash or mis-handle the new one; tell them first, or declare the enum as "
                "extensible (`x-extensible-enum`) so they are written to expect new values.",
                old_ptr=b.ptr,
                new_ptr=new_ptr,
            )
        return
    if at.read_only:
        return  # clients never send a readOnly property
    if b.enum is None and h.enum is not None:
        sd.emit(
            rule(at.kind, at.root, "became-enum"),
            "high",
            f"`{at.label}` was restricted to an enum ({at.where})",
            f"The {noun(at)} `{at.label}` of {at.where} now only accepts "
            f"{', '.join(h.enum)}; any other value clients send today will be rejected.",
            old_ptr=b.ptr,
            new_ptr=new_ptr,
        )
    _extensible_enum(sd, at, b, h)
    removed = [v for v in (b.enum or ()) if h.enum is not None and v not in h.enum]
    if removed:
        sd.emit(
            rule(at.kind, at.root, "enum-value-removed"),
            "high",
            f"`{at.label}` no longer accepts {', '.join(removed)} ({at.where})",
            f"The {noun(at)} `{at.label}` of {at.where} dropped the enum value(s) "
            f"{', '.join(removed)}. Requests that send them will be rejected; keep accepting "
            "them (deprecated in the description) until clients have moved.",
            old_ptr=(*b.ptr, "enum"),
            new_ptr=new_ptr,
        )


def _extensible_enum(sd: SchemaDiff, at: At, b: Flat, h: Flat) -> None:
    """`x-extensible-enum` lists the values a request may carry today; dropping one rejects
    clients that send it (oasdiff: `...-x-extensible-enum-value-removed`)."""
    was, now = b.node.get("x-extensible-enum"), h.node.get("x-extensible-enum")
    body = at.root and at.kind != "param"  # oasdiff has parameter and property ids only
    if body or not isinstance(was, list) or not isinstance(now, list):
        return
    removed = [enum_key(v) for v in was if enum_key(v) not in {enum_key(x) for x in now}]
    if not removed:
        return
    sd.emit(
        rule(at.kind, at.root, "x-extensible-enum-value-removed"),
        "high",
        f"`{at.label}` no longer accepts {', '.join(removed)} ({at.where})",
        f"The {noun(at)} `{at.label}` of {at.where} dropped the x-extensible-enum value(s) "
        f"{', '.join(removed)}; requests that send them will be rejected.",
        new_ptr=(*h.ptr, "x-extensible-enum"),
    )


def compare_bounds(sd: SchemaDiff, at: At, b_node: dict[str, Any], h: Flat) -> None:
    """Request bounds that narrowed, response bounds that widened."""
    h_node = raw(sd.head, h.ptr) or h.node
    if at.kind == "response":
        if at.write_only:
            return
        found = widened_bounds(b_node, h_node)
    elif at.read_only:
        return
    else:
        found = narrowed_bounds(b_node, h_node)
    for what, was, now in found:
        bound = what.rsplit("-", 1)[0].replace("-", " ")
        pattern = what.startswith("pattern")
        if at.kind == "response":
            impact = (
                "Clients sized, validated or parsed values by the old bound and may now get "
                "values outside it; keep the old bound or tell clients first."
            )
        elif pattern:
            impact = (
                "Values that matched before may no longer match (whether the new pattern is "
                "wider cannot be told automatically); keep the old bound until clients are "
                "known to comply."
            )
        else:
            impact = (
                "Requests with values the old bound accepted will be rejected; keep the old "
                "bound until clients are known to comply."
            )
        key = KEYS.get(what.rsplit("-", 1)[0], "pattern")
        sd.emit(
            rule(at.kind, at.root, what),
            "medium",
            f"`{at.label}` {bound}: {was} -> {now} ({at.where})",
            f"The {noun(at)} `{at.label}` of {at.where} now has {bound} {now} (was {was}). "
            + impact,
            new_ptr=(*h.ptr, key) if key in h_node else h.ptr,
        )


def compare_nullable(sd: SchemaDiff, at: At, b: Flat, h: Flat) -> None:
    if at.kind == "response" and h.nullable and not b.nullable and not at.write_only:
        sd.emit(
            rule(at.kind, at.root, "became-nullable"),
            "high",
            f"`{at.label}` can now be null ({at.where})",
            f"The response {noun(at).split()[-1]} `{at.label}` of {at.where} became nullable. "
            "Clients that use the value without a null check will fail; keep it non-null or "
            "add a new nullable field.",
            new_ptr=h.ptr,
        )
    elif at.kind != "response" and b.nullable and not h.nullable and not at.read_only:
        sd.emit(
            rule(at.kind, at.root, "became-not-nullable"),
            "medium",
            f"`{at.label}` no longer accepts null ({at.where})",
            f"The {noun(at)} `{at.label}` of {at.where} was nullable and is not any more; "
            "clients that send null will be rejected.",
            new_ptr=h.ptr,
        )
