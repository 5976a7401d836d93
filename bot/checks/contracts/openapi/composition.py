"""`oneOf`/`anyOf`/`allOf` compared member by member, the way oasdiff does, not flattened.

Members are paired by `$ref` name, then by identical content, then by likeness (title,
property names, type), so an edited member is compared as a change, not read as one member
removed and another added. A request that loses an alternative, or a response that gains one,
breaks clients; so does an `allOf` part added to a request (a new constraint) or removed from a
response (a guarantee gone). A body that becomes a `oneOf` is reported once as wrapped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.checks.contracts.openapi.flat import (
    canonical,
    is_null_schema,
    members,
    nullable_alternative,
)
from bot.checks.contracts.openapi.spec import Doc, Ptr
from bot.checks.contracts.openapi.state import At, SchemaDiff, noun, rule

Pair = tuple[Any, Ptr]
Recurse = Callable[[At, Pair, Pair], None]
_NAMES = {"oneOf": "one-of", "anyOf": "any-of", "allOf": "all-of"}
_LIKENESS = 0.5  # below this, two unmatched members are a removal and an addition


@dataclass
class Composition:
    """What the composition comparison decided for the rest of the schema comparison."""

    skip_base: set[int] = field(default_factory=set)  # allOf parts not to merge (base)
    skip_head: set[int] = field(default_factory=set)  # allOf parts not to merge (head)
    shape_changed: bool = False  # wrapped or unwrapped: properties are not comparable


def _unwrap(doc: Doc, node: Any, ptr: Ptr) -> tuple[Any, Ptr]:
    """`oneOf: [X, {type: "null"}]` is X (nullability is compared elsewhere)."""
    node, ptr = doc.resolve(node, ptr)
    if isinstance(node, dict):
        alt = nullable_alternative(doc, node, ptr)
        if alt is not None:
            return doc.resolve(*alt)
    return node, ptr


def _name(part: Any) -> str | None:
    ref = part.get("$ref") if isinstance(part, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _canon(doc: Doc, part: Any, ptr: Ptr) -> str | None:
    node, _ = doc.resolve(part, ptr)
    return canonical(node)


def _features(doc: Doc, part: Any, ptr: Ptr) -> tuple[str, set[str], str]:
    node, _ = doc.resolve(part, ptr)
    if not isinstance(node, dict):
        return "", set(), ""
    props = node.get("properties")
    return (
        str(node.get("title", "")),
        set(props) if isinstance(props, dict) else set(),
        str(node.get("type", "")),
    )


def _likeness(a: tuple[str, set[str], str], b: tuple[str, set[str], str]) -> float:
    if a[0] and a[0] == b[0]:
        return 1.0
    if a[1] or b[1]:
        return len(a[1] & b[1]) / len(a[1] | b[1])
    return 0.6 if a[2] and a[2] == b[2] else 0.0


def _by_name(doc: Doc, part: Pair) -> str | None:
    return _name(part[0])


def _canon_of(doc: Doc, part: Pair) -> str | None:
    return _canon(doc, *part)


def match(
    base: Doc, b_parts: list[Pair], head: Doc, h_parts: list[Pair]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """(paired indexes, removed base indexes, added head indexes)."""
    pairs: list[tuple[int, int]] = []
    left, right = list(range(len(b_parts))), list(range(len(h_parts)))
    keys: tuple[Callable[[Doc, Pair], str | None], ...] = (_by_name, _canon_of)
    for key in keys:
        for i in list(left):
            k = key(base, b_parts[i])
            if k is None:
                continue
            j = next((j for j in right if key(head, h_parts[j]) == k), None)
            if j is not None:
                pairs.append((i, j))
                left.remove(i)
                right.remove(j)
    scored = sorted(
        (
            (_likeness(_features(base, *b_parts[i]), _features(head, *h_parts[j])), i, j)
            for i in left
            for j in right
        ),
        reverse=True,
    )
    for score, i, j in scored:
        if score >= _LIKENESS and i in left and j in right:
            pairs.append((i, j))
            left.remove(i)
            right.remove(j)
    return pairs, left, right


def _member(doc: Doc, part: Pair) -> str:
    name = _name(part[0])
    if name:
        return name
    node, _ = doc.resolve(*part)
    title = node.get("title") if isinstance(node, dict) else None
    return str(title) if title else f"#{part[1][-1]}"


def compare_composition(
    sd: SchemaDiff, at: At, base: Pair, head: Pair, recurse: Recurse
) -> Composition:
    """Report member changes of `oneOf`/`anyOf`/`allOf`; compare paired alternatives."""
    result = Composition()
    b_node, b_ptr = _unwrap(sd.base, *base)
    h_node, h_ptr = _unwrap(sd.head, *head)
    if not isinstance(b_node, dict) or not isinstance(h_node, dict):
        return result
    for key in ("oneOf", "anyOf"):
        b_parts = [
            p for p in members(sd.base, b_node, b_ptr, key) if not is_null_schema(sd.base, *p)
        ]
        h_parts = [
            p for p in members(sd.head, h_node, h_ptr, key) if not is_null_schema(sd.head, *p)
        ]
        if b_parts and h_parts:
            pairs, removed, added = match(sd.base, b_parts, sd.head, h_parts)
            _report(
                sd, at, key, ([b_parts[i] for i in removed], [h_parts[j] for j in added]), h_ptr
            )
            for i, j in pairs:
                recurse(at, b_parts[i], h_parts[j])
        elif h_parts and not _is_composite(b_node):
            result.shape_changed = True
            _wrapped(sd, at, key, h_parts, h_ptr)
        elif b_parts and not _is_composite(h_node):
            result.shape_changed = True
            kept = match(sd.base, b_parts, sd.head, [(h_node, h_ptr)])[1]
            _report(sd, at, key, ([b_parts[i] for i in kept], []), h_ptr)
    b_all = members(sd.base, b_node, b_ptr, "allOf")
    h_all = members(sd.head, h_node, h_ptr, "allOf")
    if b_all and h_all:
        _, removed, added = match(sd.base, b_all, sd.head, h_all)
        result.skip_base, result.skip_head = set(removed), set(added)
        _report(sd, at, "allOf", ([b_all[i] for i in removed], [h_all[j] for j in added]), h_ptr)
    return result


def _is_composite(node: dict[str, Any]) -> bool:
    return isinstance(node.get("oneOf"), list) or isinstance(node.get("anyOf"), list)


def _report(
    sd: SchemaDiff, at: At, key: str, changed: tuple[list[Pair], list[Pair]], h_ptr: Ptr
) -> None:
    """oneOf/anyOf: a removed alternative breaks requests, an added one responses; allOf the
    other way round (a part is a constraint in requests and a guarantee in responses)."""
    if at.kind == "param":
        return
    removed, added = changed
    name = _NAMES[key]
    narrowing = key == "allOf"
    gone = (
        (added if narrowing else removed)
        if at.kind == "request"
        else (removed if narrowing else added)
    )
    if not gone:
        return
    verb = "added" if gone is added else "removed"
    listed = ", ".join(_member(sd.head if gone is added else sd.base, p) for p in gone)
    impact = {
        ("request", False): "Clients that send the removed shape will be rejected.",
        ("request", True): "Every request must now also satisfy the new part; clients that "
        "do not know it will be rejected.",
        ("response", False): "Clients that only handle the shapes they know will fail on "
        "the new one.",
        ("response", True): "What the removed part guaranteed in every response may now be "
        "missing.",
    }[(at.kind, narrowing)]
    sd.emit(
        rule(at.kind, at.root, f"{name}-{verb}"),
        "high",
        f"`{at.label}` {key} {verb}: {listed} ({at.where})",
        f"The {noun(at)} `{at.label}` of {at.where} {verb} the {key} member(s) {listed}. " + impact,
        old_ptr=gone[0][1] if gone is removed else None,
        new_ptr=gone[0][1] if gone is added else (*h_ptr,),
        removal=gone is removed,
    )


def _wrapped(sd: SchemaDiff, at: At, key: str, h_parts: list[Pair], h_ptr: Ptr) -> None:
    """A plain schema turned into alternatives: once, as oasdiff reports it."""
    listed = ", ".join(_member(sd.head, p) for p in h_parts)
    if at.root and key == "oneOf":
        side = "request" if at.kind == "request" else "response"
        sd.emit(
            f"{side}-body-wrapped-in-one-of",
            "high",
            f"The {side} body was wrapped in oneOf ({at.where})",
            f"The {side} body of {at.where} is now one of {listed}. "
            + (
                "A payload that was valid may now match several alternatives (rejected by "
                "oneOf) or none; "
                if side == "request"
                else "Fields every response carried may now be absent depending on the "
                "alternative; "
            )
            + "keep the old schema as it was, or version the operation.",
            new_ptr=(*h_ptr, key),
        )
    elif at.kind == "response":
        _report(sd, at, key, ([], h_parts), h_ptr)
