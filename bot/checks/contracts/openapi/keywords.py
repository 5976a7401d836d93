"""JSON Schema 2020-12 keywords that OpenAPI 3.1 admits: `const`, `contains`/`minContains`/
`maxContains`, `prefixItems`, `if`/`then`/`else`, `dependentRequired`/`dependentSchemas`,
`unevaluatedItems`/`unevaluatedProperties`, `propertyNames`, `patternProperties` and
`contentMediaType`/`contentEncoding`/`contentSchema`.

Each adds a constraint when present: one that appears in a request (or a stricter value)
rejects payloads clients send today; one that disappears from a response (or a looser value)
lets through values clients never had to handle. Ids are oasdiff's
(`request-property-if-added`, `response-body-prefix-items-added`, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.checks.contracts.openapi.flat import canonical
from bot.checks.contracts.openapi.spec import Ptr
from bot.checks.contracts.openapi.state import At, SchemaDiff, noun, rule

Pair = tuple[Any, Ptr]
Recurse = Callable[[At, Pair, Pair], None]
_PRESENCE = {  # keyword -> oasdiff name: a constraint that holds whenever the keyword is set
    "if": "if",
    "then": "then",
    "else": "else",
    "contains": "contains",
    "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties",
    "propertyNames": "property-names",
    "contentSchema": "content-schema",
}
_PER_KEY = {"dependentSchemas": "dependent-schema", "patternProperties": "pattern-property"}
_CONTENT = {"contentMediaType": "content-media-type", "contentEncoding": "content-encoding"}


def _mapping(node: dict[str, Any], key: str) -> dict[Any, Any]:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _list(node: dict[str, Any], key: str) -> list[Any]:
    value = node.get(key)
    return value if isinstance(value, list) else []


def _same(a: Any, b: Any) -> bool:
    was, now = canonical(a), canonical(b)
    return a is b or (was is not None and was == now)


def _set(node: dict[str, Any], key: str) -> bool:
    """The keyword constrains: present and not the always-true schema."""
    value = node.get(key)
    return key in node and value is not True and value != {}


def _count(node: dict[str, Any], key: str) -> int | None:
    value = node.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def compare_keywords(
    sd: SchemaDiff,
    at: At,
    base: tuple[dict[str, Any], Ptr],
    head: tuple[dict[str, Any], Ptr],
    recurse: Recurse,
) -> None:
    """Report every 3.1 keyword change that breaks clients in this direction."""
    if at.kind == "param" or (at.read_only and at.kind == "request"):
        return
    if at.write_only and at.kind == "response":
        return
    (b, b_ptr), (h, h_ptr) = base, head
    request = at.kind == "request"
    found: list[tuple[str, str, str | None]] = []  # (what, description, keyword at head)
    if "const" in b or "const" in h:
        if "const" in b and "const" in h and not _same(b["const"], h["const"]):
            found.append(("const-changed", f"const {b['const']!r} -> {h['const']!r}", "const"))
        elif request and "const" in h and "const" not in b:
            found.append(("const-added", f"const {h['const']!r} added", "const"))
        elif not request and "const" in b and "const" not in h:
            found.append(("const-removed", f"const {b['const']!r} removed", None))
    for key, name in _PRESENCE.items():
        if request and _set(h, key) and not _set(b, key):
            found.append((f"{name}-added", f"`{key}` added", key))
        elif not request and _set(b, key) and not _set(h, key):
            found.append((f"{name}-removed", f"`{key}` removed", None))
    found.extend(_contains_counts(b, h, request))
    found.extend(_per_key(b, h, request))
    for key, name in _CONTENT.items():
        if b.get(key) != h.get(key) and (key in b or key in h):
            found.append(
                (
                    f"{name}-changed",
                    f"{key} {b.get(key)!r} -> {h.get(key)!r}",
                    key if key in h else None,
                )
            )
    found.extend(_prefix_items(at, (b, b_ptr), (h, h_ptr), recurse))
    for what, text, where in found:
        _emit(sd, at, what, text, (*h_ptr, where) if where else h_ptr)


def _contains_counts(
    b: dict[str, Any], h: dict[str, Any], request: bool
) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for key, name, raising_narrows in (
        ("minContains", "min-contains", True),
        ("maxContains", "max-contains", False),
    ):
        was, now = _count(b, key), _count(h, key)
        if was is None or now is None or was == now:
            continue
        if ((now > was) == raising_narrows) == request:
            direction = "increased" if now > was else "decreased"
            out.append((f"{name}-{direction}", f"{key} {was} -> {now}", key))
    return out


def _per_key(
    b: dict[str, Any], h: dict[str, Any], request: bool
) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for key, name in _PER_KEY.items():
        b_map = _mapping(b, key)
        h_map = _mapping(h, key)
        if request:
            out.extend(
                (f"{name}-added", f"{key} `{k}` added", key) for k in h_map if k not in b_map
            )
        else:
            out.extend(
                (f"{name}-removed", f"{key} `{k}` removed", None) for k in b_map if k not in h_map
            )
    b_dep = _mapping(b, "dependentRequired")
    h_dep = _mapping(h, "dependentRequired")
    for k in sorted(set(b_dep) | set(h_dep), key=str):
        if k in b_dep and k in h_dep and not _same(b_dep[k], h_dep[k]):
            out.append(
                (
                    "dependent-required-changed",
                    f"dependentRequired `{k}` changed",
                    "dependentRequired",
                )
            )
        elif request and k in h_dep and k not in b_dep:
            out.append(
                ("dependent-required-added", f"dependentRequired `{k}` added", "dependentRequired")
            )
        elif not request and k in b_dep and k not in h_dep:
            out.append(("dependent-required-removed", f"dependentRequired `{k}` removed", None))
    return out


def _prefix_items(
    at: At, base: tuple[dict[str, Any], Ptr], head: tuple[dict[str, Any], Ptr], recurse: Recurse
) -> list[tuple[str, str, str | None]]:
    """Positions compared one by one; positions that disappear from a request tuple or
    appear in a response tuple change what is sent or returned there."""
    (b, b_ptr), (h, h_ptr) = base, head
    b_items = _list(b, "prefixItems")
    h_items = _list(h, "prefixItems")
    for i in range(min(len(b_items), len(h_items))):
        b_at = (b_items[i], (*b_ptr, "prefixItems", i))
        recurse(at.sub(f"{at.label}[{i}]"), b_at, (h_items[i], (*h_ptr, "prefixItems", i)))
    if at.kind == "request" and len(h_items) < len(b_items):
        return [
            (
                "prefix-items-removed",
                f"prefixItems {len(b_items)} -> {len(h_items)}",
                "prefixItems" if h_items else None,
            )
        ]
    if at.kind == "response" and len(h_items) > len(b_items):
        return [
            ("prefix-items-added", f"prefixItems {len(b_items)} -> {len(h_items)}", "prefixItems")
        ]
    return []


def _emit(sd: SchemaDiff, at: At, what: str, text: str, new_ptr: Ptr) -> None:
    impact = (
        "Payloads clients send today may now be rejected; keep the old schema or accept both "
        "for a transition period."
        if at.kind == "request"
        else "Responses may now hold values clients never had to handle; keep the old "
        "constraint or tell clients first."
    )
    sd.emit(
        rule(at.kind, at.root, what),
        "high",
        f"`{at.label}`: {text} ({at.where})",
        f"The {noun(at)} `{at.label}` of {at.where} changed: {text}. {impact}",
        new_ptr=new_ptr,
    )
