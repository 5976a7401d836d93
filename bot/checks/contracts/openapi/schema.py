"""Compare two versions of a schema in the direction the data flows.

What breaks a client depends on who sends the data: a request schema must still accept what it
accepted (no new required properties, no narrowed types or enums); a response schema must not
return what clients never saw (removed or newly optional or nullable properties, new types).
Rule ids are oasdiff's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.checks.contracts.openapi.bounds import narrowed_bounds
from bot.checks.contracts.openapi.spec import Doc, Ptr, SpecChange
from bot.models import Severity

Kind = Literal["param", "request", "response"]
_MAX_DEPTH = 24


@dataclass
class SchemaDiff:
    """Comparison state for one pair of documents: output, and schema pairs already compared."""

    base: Doc
    head: Doc
    out: list[SpecChange] = field(default_factory=list)
    seen: set[tuple[Kind, int, int]] = field(default_factory=set)
    budget: int = 20_000  # schema pairs compared at most: a hostile spec cannot stall a review

    def emit(self, rule: str, severity: Severity, title: str, body: str, **where: Any) -> None:
        self.out.append(SpecChange(rule, severity, title, body, **where))


@dataclass(frozen=True)
class _Flat:
    """A schema with its `allOf` parts merged: what the comparison looks at."""

    types: frozenset[str]
    nullable: bool
    fmt: str | None
    enum: tuple[str, ...] | None
    props: dict[str, tuple[Any, Ptr]]
    required: frozenset[str]
    items: tuple[Any, Ptr] | None
    read_only: bool
    write_only: bool
    ptr: Ptr
    composite: bool  # oneOf/anyOf: the shape depends on the branch; properties not compared


def _types(schema: dict[str, Any]) -> tuple[set[str], bool]:
    raw = schema.get("type")
    types = {str(t) for t in raw} if isinstance(raw, list) else ({str(raw)} if raw else set())
    nullable = "null" in types or bool(schema.get("nullable")) or bool(schema.get("x-nullable"))
    types.discard("null")
    return types, nullable


def _flatten(doc: Doc, schema: Any, ptr: Ptr, depth: int = 0) -> _Flat:
    schema, ptr = doc.resolve(schema, ptr)
    if not isinstance(schema, dict):
        schema = {}
    types, nullable = _types(schema)
    props: dict[str, tuple[Any, Ptr]] = {}
    raw_required = schema.get("required")  # a list in schemas; a boolean on Swagger parameters
    required = {str(r) for r in raw_required} if isinstance(raw_required, list) else set()
    enum = schema.get("enum")
    fmt, items = schema.get("format"), None
    parts = schema.get("allOf")
    for i, part in enumerate(parts if isinstance(parts, list) and depth < 8 else []):
        sub = _flatten(doc, part, (*ptr, "allOf", i), depth + 1)
        props.update(sub.props)
        required |= sub.required
        types = types or set(sub.types)
        enum = enum if enum is not None else (list(sub.enum) if sub.enum else None)
        fmt = fmt or sub.fmt
    raw_props = schema.get("properties")
    if isinstance(raw_props, dict):
        for name, sub_schema in raw_props.items():
            props[str(name)] = (sub_schema, (*ptr, "properties", str(name)))
    if "items" in schema:
        items = (schema["items"], (*ptr, "items"))
    if not types and props:
        types = {"object"}
    return _Flat(
        types=frozenset(types),
        nullable=nullable,
        fmt=str(fmt) if fmt else None,
        enum=tuple(_enum_key(v) for v in enum) if isinstance(enum, list) else None,
        props=props,
        required=frozenset(required),
        items=items,
        read_only=bool(schema.get("readOnly")),
        write_only=bool(schema.get("writeOnly")),
        ptr=ptr,
        composite="oneOf" in schema or "anyOf" in schema,
    )


def _enum_key(value: Any) -> str:
    """A comparable, printable form of an enum value (any YAML value)."""
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Every value of a `narrow`-typed schema is valid under `wide` (integer fits number)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _rule(kind: Kind, root: bool, what: str) -> str:
    if kind == "param":
        return f"request-parameter-{what}"
    side = "request" if kind == "request" else "response"
    return f"{side}-{'body' if root else 'property'}-{what}"


def _describe(t: frozenset[str], fmt: str | None) -> str:
    return "/".join(sorted(t)) + (f" ({fmt})" if fmt else "")


@dataclass(frozen=True)
class At:
    """Where a schema comparison is: which operation, which property path, which direction."""

    kind: Kind
    where: str  # "GET /orders, response 200"
    label: str  # property path, or the parameter name / "body"
    root: bool = True


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
    b, h = _flatten(sd.base, b_node, b_ptr), _flatten(sd.head, h_node, h_ptr)
    _compare_type(sd, at, b, h)
    _compare_enum(sd, at, b, h)
    if at.kind != "response" and isinstance(b_node, dict) and isinstance(h_node, dict):
        _compare_bounds(sd, at, b_node, h)
    _compare_nullable(sd, at, b, h)
    if at.kind != "param" and not (b.composite or h.composite):
        _compare_props(sd, at, b, h, depth=depth)
    if b.items is not None and h.items is not None:
        sub = At(at.kind, at.where, f"{at.label}[]", root=False)
        _compare(sd, sub, b.items, h.items, depth + 1)


def _compare_type(sd: SchemaDiff, at: At, b: _Flat, h: _Flat) -> None:
    if not b.types or not h.types:
        return
    ok = _covers(b.types, h.types) if at.kind == "response" else _covers(h.types, b.types)
    fmt_changed = b.fmt is not None and h.fmt is not None and b.fmt != h.fmt
    if ok and not fmt_changed:
        return
    was, now = _describe(b.types, b.fmt), _describe(h.types, h.fmt)
    sd.emit(
        _rule(at.kind, at.root, "type-changed"),
        "high",
        f"`{at.label}` changed type from {was} to {now} ({at.where})",
        f"The {_noun(at)} `{at.label}` of {at.where} was {was} and is now {now}. "
        + _type_impact(at),
        old_ptr=b.ptr,
        new_ptr=(*h.ptr, "type") if "type" in _raw(sd.head, h.ptr) else h.ptr,
    )


def _raw(doc: Doc, ptr: Ptr) -> dict[str, Any]:
    node = doc.at(ptr)
    return node if isinstance(node, dict) else {}


def _noun(at: At) -> str:
    if at.kind == "param":
        return "request parameter"
    side = "request" if at.kind == "request" else "response"
    return f"{side} {'body' if at.root else 'property'}"


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


def _compare_enum(sd: SchemaDiff, at: At, b: _Flat, h: _Flat) -> None:
    new_ptr = (*h.ptr, "enum") if h.enum is not None else h.ptr
    if at.kind == "response":
        added = [v for v in (h.enum or ()) if b.enum is not None and v not in b.enum]
        if added:
            sd.emit(
                "response-property-enum-value-added",
                "medium",
                f"`{at.label}` can now return {', '.join(added)} ({at.where})",
                f"The response {_noun(at).split()[-1]} `{at.label}` of {at.where} gained the "
                f"enum value(s) {', '.join(added)}. Clients that switch over the known values "
                "may crash or mis-handle the new one; tell them first, or declare the enum as "
                "extensible (`x-extensible-enum`) so they are written to expect new values.",
                old_ptr=b.ptr,
                new_ptr=new_ptr,
            )
        return
    if b.enum is None and h.enum is not None:
        sd.emit(
            _rule(at.kind, at.root, "became-enum"),
            "high",
            f"`{at.label}` was restricted to an enum ({at.where})",
            f"The {_noun(at)} `{at.label}` of {at.where} now only accepts "
            f"{', '.join(h.enum)}; any other value clients send today will be rejected.",
            old_ptr=b.ptr,
            new_ptr=new_ptr,
        )
    removed = [v for v in (b.enum or ()) if h.enum is not None and v not in h.enum]
    if removed:
        sd.emit(
            _rule(at.kind, at.root, "enum-value-removed"),
            "high",
            f"`{at.label}` no longer accepts {', '.join(removed)} ({at.where})",
            f"The {_noun(at)} `{at.label}` of {at.where} dropped the enum value(s) "
            f"{', '.join(removed)}. Requests that send them will be rejected; keep accepting "
            "them (deprecated in the description) until clients have moved.",
            old_ptr=(*b.ptr, "enum"),
            new_ptr=new_ptr,
        )


def _compare_bounds(sd: SchemaDiff, at: At, b_node: dict[str, Any], h: _Flat) -> None:
    h_node = _raw(sd.head, h.ptr)
    for what, was, now in narrowed_bounds(b_node, h_node):
        bound = what.rsplit("-", 1)[0].replace("-", " ")
        pattern = what.startswith("pattern")
        sd.emit(
            _rule(at.kind, at.root, what),
            "medium",
            f"`{at.label}` {bound}: {was} -> {now} ({at.where})",
            f"The {_noun(at)} `{at.label}` of {at.where} now has {bound} {now} (was {was}). "
            + (
                "Values that matched before may no longer match (whether the new pattern is "
                "wider cannot be told automatically); "
                if pattern
                else "Requests with values the old bound accepted will be rejected; "
            )
            + "keep the old bound until clients are known to comply.",
            new_ptr=(*h.ptr, _BOUND_KEYS.get(what.rsplit("-", 1)[0], "pattern")),
        )


_BOUND_KEYS = {
    "max-length": "maxLength",
    "max": "maximum",
    "max-items": "maxItems",
    "min-length": "minLength",
    "min": "minimum",
    "min-items": "minItems",
}


def _compare_nullable(sd: SchemaDiff, at: At, b: _Flat, h: _Flat) -> None:
    h_ptr = h.ptr
    if at.kind == "response" and h.nullable and not b.nullable:
        sd.emit(
            _rule(at.kind, at.root, "became-nullable"),
            "high",
            f"`{at.label}` can now be null ({at.where})",
            f"The response {_noun(at).split()[-1]} `{at.label}` of {at.where} became nullable. "
            "Clients that use the value without a null check will fail; keep it non-null or "
            "add a new nullable field.",
            new_ptr=h_ptr,
        )
    elif at.kind != "response" and b.nullable and not h.nullable:
        sd.emit(
            _rule(at.kind, at.root, "became-not-nullable"),
            "medium",
            f"`{at.label}` no longer accepts null ({at.where})",
            f"The {_noun(at)} `{at.label}` of {at.where} was nullable and is not any more; "
            "clients that send null will be rejected.",
            new_ptr=h_ptr,
        )


def _compare_props(sd: SchemaDiff, at: At, b: _Flat, h: _Flat, *, depth: int) -> None:
    prefix = "" if at.root else f"{at.label}."
    for name, (b_schema, b_ptr) in b.props.items():
        path = prefix + name
        if name not in h.props:
            _removed_prop(sd, at, path, (b_ptr, h.ptr), required=name in b.required)
            continue
        h_schema, hp_ptr = h.props[name]
        _required_change(sd, At(at.kind, at.where, path, root=False), name, b, h)
        sub = At(at.kind, at.where, path, root=False)
        _compare(sd, sub, (b_schema, b_ptr), (h_schema, hp_ptr), depth + 1)
    if at.kind == "request":
        for name, (h_schema, hp_ptr) in h.props.items():
            hidden = _flatten(sd.head, h_schema, hp_ptr).read_only
            if name not in b.props and name in h.required and not hidden:
                sd.emit(
                    "new-required-request-property",
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
    if at.kind == "request":
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
    if _flatten(sd.base, *sd.base.resolve(sd.base.at(b_ptr), b_ptr)).write_only:
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


def _required_change(sd: SchemaDiff, at: At, name: str, b: _Flat, h: _Flat) -> None:
    path = at.label
    h_schema, hp_ptr = h.props[name]
    if at.kind == "request" and name in h.required and name not in b.required:
        if _flatten(sd.head, h_schema, hp_ptr).read_only:
            return
        sd.emit(
            "request-property-became-required",
            "high",
            f"Request property `{path}` became required ({at.where})",
            f"{at.where} now requires `{path}`, which was optional. Clients that omit it will "
            "be rejected; keep it optional with a server-side default.",
            new_ptr=hp_ptr,
        )
    elif at.kind == "response" and name in b.required and name not in h.required:
        if _flatten(sd.head, h_schema, hp_ptr).write_only:
            return
        sd.emit(
            "response-property-became-optional",
            "high",
            f"Response property `{path}` became optional ({at.where})",
            f"`{path}` was always present in {at.where} and may now be missing. Clients that "
            "read it without checking will fail; keep it required or document a default.",
            new_ptr=hp_ptr,
        )
