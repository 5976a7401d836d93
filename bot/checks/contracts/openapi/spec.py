"""OpenAPI 3.x and Swagger 2 documents: parsing, local `$ref`s, and one view of both versions.

The comparison in `openapi_diff` sees parameters, request bodies, responses and security the
same way whichever version a spec is written in; everything version-specific is here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from bot.checks.contracts.openapi import refs
from bot.checks.contracts.openapi.refs import FILE, External, file_of, target_path
from bot.models import Severity

Ptr = refs.Ptr
Node = dict[str, Any]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SPEC_KEY = re.compile(
    r"""^\s*["']?(openapi|swagger)["']?\s*:\s*["']?[23]|"(openapi|swagger)"\s*:\s*"[23]""",
    re.MULTILINE,
)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_MAX_REF_HOPS = 32
EMPTY: Node = {}  # what an unresolvable reference stands for; shared, never modified


@dataclass(frozen=True)
class SpecChange:
    """A contract change found by comparing two documents, located by JSON pointer."""

    rule: str
    severity: Severity
    title: str
    body: str
    old_ptr: Ptr | None = None
    new_ptr: Ptr | None = None  # the changed node, or for removals the parent in the new document
    removal: bool = False


def looks_like_spec(text: str) -> bool:
    """True when the text has an `openapi:`/`swagger:` key (YAML or JSON) near its top."""
    return bool(_SPEC_KEY.search(text[:4000]))


def parse_spec(text: str) -> Node | None:
    """The document as data, or None when it is empty, invalid, or not OpenAPI/Swagger."""
    if not text.strip():
        return None
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - CSafeLoader/SafeLoader only
    except (ValueError, yaml.YAMLError, RecursionError):
        return None
    return data if is_spec(data) else None


def is_spec(data: Any) -> bool:
    """An OpenAPI or Swagger document: a mapping with an `openapi` or `swagger` key."""
    return isinstance(data, dict) and ("openapi" in data or "swagger" in data)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class Doc:
    """A parsed document with `$ref` resolution that follows chains and stops on cycles;
    with `external`, references to other files of the repository are followed too (their
    nodes' pointers start with a file token, see `refs`)."""

    def __init__(self, root: Node, *, path: str = "", external: External | None = None) -> None:
        self.root = root
        self.path = path
        self.external = external
        self.swagger2 = str(root.get("swagger", "")).startswith("2")

    def at(self, ptr: Ptr) -> Any:
        node: Any = self.root
        other = file_of(ptr)
        if other is not None:
            node = self.external.root(other) if self.external else None
            ptr = ptr[1:]
        for raw in ptr:
            token = raw
            if isinstance(node, list) and isinstance(raw, str) and raw.isdigit():
                token = int(raw)  # `#/allOf/0`: list positions in a `$ref` are text
            if isinstance(node, dict):
                # YAML reads `200:` as a number; pointers hold text.
                key = token if token in node else next((k for k in node if str(k) == token), None)
                if key is None:
                    return None
                node = node[key]
            elif isinstance(node, list) and isinstance(token, int) and token < len(node):
                node = node[token]
            else:
                return None
        return node

    def resolve(self, node: Any, ptr: Ptr) -> tuple[Any, Ptr]:
        """Follow local `$ref`s; an external or broken reference resolves to an empty node."""
        for _ in range(_MAX_REF_HOPS):
            if not isinstance(node, dict) or "$ref" not in node:
                return node, ptr
            ref = node["$ref"]
            target = self._target(ref, ptr) if isinstance(ref, str) else None
            if target is None:
                return EMPTY, ptr
            ptr = target
            node = self.at(ptr)
            if node is None:
                return EMPTY, ptr
        return EMPTY, ptr

    def _target(self, ref: str, ptr: Ptr) -> Ptr | None:
        """The pointer a `$ref` names from the file `ptr` is in."""
        ref_file, _, fragment = ref.partition("#")
        if fragment and not fragment.startswith("/"):
            return None  # `#anchor` names: not followed
        tokens = tuple(_unescape(t) for t in fragment[1:].split("/")) if fragment else ()
        current = file_of(ptr)
        if not ref_file:
            return (FILE + current, *tokens) if current is not None else tokens
        if self.external is None:
            return None
        path = target_path(current if current is not None else self.path, ref_file)
        if path is None:
            return None
        return tokens if path == self.path else (FILE + path, *tokens)

    def _media(self, op: Node, key: str) -> list[str]:
        found = op.get(key) or self.root.get(key) or ["application/json"]
        return [m for m in found if isinstance(m, str)] if isinstance(found, list) else []

    def operations(self) -> Iterator[tuple[str, str, Node, Ptr]]:
        """(path, method, operation, pointer) for every operation."""
        paths = self.root.get("paths")
        if not isinstance(paths, dict):
            return
        for path, raw in paths.items():
            item, item_ptr = self.resolve(raw, ("paths", str(path)))
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                op = item.get(method)
                if isinstance(op, dict):
                    yield str(path), method, op, (*item_ptr, method)

    def parameters(self, op_ptr: Ptr) -> dict[tuple[str, str], tuple[Node, Ptr]]:
        """(in, name) -> (parameter, pointer); the operation's override the path item's."""
        out: dict[tuple[str, str], tuple[Node, Ptr]] = {}
        for ptr in (op_ptr[:-1], op_ptr):
            params = self.at((*ptr, "parameters"))
            if not isinstance(params, list):
                continue
            for i, raw in enumerate(params):
                param, pptr = self.resolve(raw, (*ptr, "parameters", i))
                if (
                    isinstance(param, dict)
                    and "name" in param
                    and param.get("in") not in (None, "body")
                ):
                    loc, name = str(param["in"]), str(param["name"])
                    # HTTP header names are case-insensitive: X-Trace and x-trace are one.
                    out[(loc, name.lower() if loc == "header" else name)] = (param, pptr)
        return out

    def param_schema(self, param: Node, ptr: Ptr) -> tuple[Any, Ptr]:
        if self.swagger2:
            return param, ptr
        if "schema" in param:
            return self.resolve(param["schema"], (*ptr, "schema"))
        content = param.get("content")
        if isinstance(content, dict):
            for media, item in content.items():
                if isinstance(item, dict) and "schema" in item:
                    return self.resolve(item["schema"], (*ptr, "content", media, "schema"))
        return EMPTY, ptr

    def request_body(self, op: Node, op_ptr: Ptr) -> tuple[bool, dict[str, tuple[Any, Ptr]], Ptr]:
        """(required, media type -> (schema, pointer), body pointer); nothing when no body."""
        if self.swagger2:
            return self._swagger_body(op, op_ptr)
        if "requestBody" not in op:
            return False, {}, op_ptr
        body, bptr = self.resolve(op["requestBody"], (*op_ptr, "requestBody"))
        if not isinstance(body, dict):
            return False, {}, op_ptr
        return bool(body.get("required")), self._content(body, bptr), bptr

    def _swagger_body(self, op: Node, op_ptr: Ptr) -> tuple[bool, dict[str, Any], Ptr]:
        found: tuple[Node, Ptr] | None = None
        for ptr in (op_ptr[:-1], op_ptr):
            params = self.at((*ptr, "parameters"))
            for i, raw in enumerate(params if isinstance(params, list) else []):
                param, pptr = self.resolve(raw, (*ptr, "parameters", i))
                if isinstance(param, dict) and param.get("in") == "body":
                    found = (param, pptr)
        if found is None:
            return False, {}, op_ptr
        param, pptr = found
        schema = self.resolve(param.get("schema", {}), (*pptr, "schema"))
        return bool(param.get("required")), {m: schema for m in self._media(op, "consumes")}, pptr

    def _content(self, node: Node, ptr: Ptr) -> dict[str, tuple[Any, Ptr]]:
        content = node.get("content")
        if not isinstance(content, dict):
            return {}
        out: dict[str, tuple[Any, Ptr]] = {}
        for media, item in content.items():
            schema = item.get("schema", {}) if isinstance(item, dict) else {}
            out[str(media)] = self.resolve(schema, (*ptr, "content", str(media), "schema"))
        return out

    def responses(self, op: Node, op_ptr: Ptr) -> dict[str, tuple[dict[str, Any], Ptr]]:
        """Status -> (media type -> (schema, pointer), response pointer)."""
        raw = op.get("responses")
        if not isinstance(raw, dict):
            return {}
        out: dict[str, tuple[dict[str, Any], Ptr]] = {}
        for status, raw_resp in raw.items():
            resp, rptr = self.resolve(raw_resp, (*op_ptr, "responses", str(status)))
            if not isinstance(resp, dict):
                continue
            if self.swagger2:
                media: dict[str, Any] = {}
                if "schema" in resp:
                    schema = self.resolve(resp["schema"], (*rptr, "schema"))
                    media = {m: schema for m in self._media(op, "produces")}
                out[str(status)] = (media, rptr)
            else:
                out[str(status)] = (self._content(resp, rptr), rptr)
        return out

    def response_headers(self, rptr: Ptr) -> dict[str, tuple[bool, Ptr]]:
        """Lower-cased header name -> (required, pointer) of one response."""
        resp = self.at(rptr)
        headers = resp.get("headers") if isinstance(resp, dict) else None
        out: dict[str, tuple[bool, Ptr]] = {}
        for name, raw in headers.items() if isinstance(headers, dict) else ():
            header, _ = self.resolve(raw, (*rptr, "headers", str(name)))
            required = isinstance(header, dict) and header.get("required") is True
            out[str(name).lower()] = (required, (*rptr, "headers", str(name)))
        return out

    def security(self, op: Node, op_ptr: Ptr) -> tuple[list[dict[str, list[str]]], Ptr]:
        """The requirements in force for an operation (its own, else the document's)."""
        if "security" in op:
            raw, ptr = op["security"], (*op_ptr, "security")
        else:
            raw, ptr = self.root.get("security", []), ("security",)
        reqs: list[dict[str, list[str]]] = []
        for alt in raw if isinstance(raw, list) else []:
            if isinstance(alt, dict):
                reqs.append({str(k): sorted(map(str, _as_list(v))) for k, v in alt.items()})
        return reqs, ptr


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
