"""One view of a schema for comparing: `allOf` parts merged, `nullable` (3.0), `x-nullable`
(Swagger) and `"null"` in a 3.1 type list read as one notion, and `oneOf: [X, {type: "null"}]`
read as a nullable X.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.checks.contracts.openapi.spec import Doc, Ptr

_MAX_ALLOF_DEPTH = 8


@dataclass(frozen=True)
class Flat:
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
    node: dict[str, Any]  # the schema itself (its nullable alternative's, for X-or-null)
    composite: bool  # oneOf/anyOf with several shapes: compared member by member


def _types(schema: dict[str, Any]) -> tuple[set[str], bool]:
    raw = schema.get("type")
    types = {str(t) for t in raw} if isinstance(raw, list) else ({str(raw)} if raw else set())
    nullable = "null" in types or schema.get("nullable") is True or bool(schema.get("x-nullable"))
    types.discard("null")
    return types, nullable


def is_null_schema(doc: Doc, schema: Any, ptr: Ptr) -> bool:
    """`{type: "null"}` (or `{type: ["null"]}`, `{enum: [null]}`): the null branch of a 3.1
    nullable alternative."""
    node, _ = doc.resolve(schema, ptr)
    if not isinstance(node, dict):
        return False
    raw = node.get("type")
    return raw in ("null", ["null"]) or node.get("enum") == [None]


def members(doc: Doc, schema: dict[str, Any], ptr: Ptr, key: str) -> list[tuple[Any, Ptr]]:
    """The parts of `oneOf`/`anyOf`/`allOf`, with their pointers."""
    parts = schema.get(key)
    if not isinstance(parts, list):
        return []
    return [(part, (*ptr, key, i)) for i, part in enumerate(parts)]


def nullable_alternative(doc: Doc, schema: dict[str, Any], ptr: Ptr) -> tuple[Any, Ptr] | None:
    """X when the schema is `oneOf`/`anyOf: [X, {type: "null"}]` and nothing else."""
    for key in ("oneOf", "anyOf"):
        parts = members(doc, schema, ptr, key)
        if len(parts) < 2 or any(k in schema for k in ("properties", "allOf", "type")):
            continue
        rest = [p for p in parts if not is_null_schema(doc, *p)]
        if len(rest) == 1 and len(parts) > 1:
            return rest[0]
    return None


def flatten(doc: Doc, schema: Any, ptr: Ptr, depth: int = 0, skip: Iterable[int] = ()) -> Flat:
    """The merged view of `schema`; `skip` names `allOf` parts to leave out (ones added or
    removed, which are reported as such rather than through their properties)."""
    schema, ptr = doc.resolve(schema, ptr)
    if not isinstance(schema, dict):
        schema = {}
    alt = nullable_alternative(doc, schema, ptr) if depth < _MAX_ALLOF_DEPTH else None
    if alt is not None:
        inner = flatten(doc, alt[0], alt[1], depth + 1)
        return Flat(**{**inner.__dict__, "nullable": True})
    types, nullable = _types(schema)
    props: dict[str, tuple[Any, Ptr]] = {}
    raw_required = schema.get("required")  # a list in schemas; a boolean on Swagger parameters
    required = {str(r) for r in raw_required} if isinstance(raw_required, list) else set()
    enum = schema.get("enum")
    fmt, items = schema.get("format"), None
    skipped = set(skip)
    parts = members(doc, schema, ptr, "allOf") if depth < _MAX_ALLOF_DEPTH else []
    for i, (part, part_ptr) in enumerate(parts):
        if i in skipped:
            continue
        sub = flatten(doc, part, part_ptr, depth + 1)
        props.update(sub.props)
        required |= sub.required
        types = types or set(sub.types)
        enum = enum if enum is not None else (list(sub.enum) if sub.enum else None)
        fmt = fmt or sub.fmt
        items = items or sub.items
    raw_props = schema.get("properties")
    if isinstance(raw_props, dict):
        for name, sub_schema in raw_props.items():
            props[str(name)] = (sub_schema, (*ptr, "properties", str(name)))
    if "items" in schema and isinstance(schema["items"], dict | bool):
        items = (schema["items"], (*ptr, "items"))
    if not types and props:
        types = {"object"}
    alternatives = [p for k in ("oneOf", "anyOf") for p in members(doc, schema, ptr, k)]
    shapes = [p for p in alternatives if not is_null_schema(doc, *p)]
    return Flat(
        types=frozenset(types),
        nullable=nullable or len(shapes) < len(alternatives),
        fmt=str(fmt) if fmt else None,
        enum=tuple(enum_key(v) for v in enum) if isinstance(enum, list) else None,
        props=props,
        required=frozenset(required),
        items=items,
        read_only=schema.get("readOnly") is True,
        write_only=schema.get("writeOnly") is True,
        ptr=ptr,
        node=schema,
        composite=bool(shapes),
    )


_CANON_NODES = 2_000  # YAML aliases can make a small text a huge value: compare so much only


def canonical(value: Any) -> str | None:
    """A comparable form of any YAML value, or None when it is too large to spell out."""
    budget = [_CANON_NODES]

    def walk(node: Any) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise OverflowError
        if isinstance(node, dict):
            return {str(k): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    try:
        return json.dumps(walk(value), sort_keys=True, default=str)
    except (OverflowError, TypeError, ValueError, RecursionError):
        return None


def enum_key(value: Any) -> str:
    """A comparable, printable form of an enum value (any YAML value)."""
    found = canonical(value)
    return found if found is not None else f"<value {id(value)}>"


def covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Every value of a `narrow`-typed schema is valid under `wide` (integer fits number)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def describe(t: frozenset[str], fmt: str | None) -> str:
    return "/".join(sorted(t)) + (f" ({fmt})" if fmt else "")
