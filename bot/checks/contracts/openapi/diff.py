"""Breaking changes between two OpenAPI/Swagger documents: operations, parameters, bodies,
responses and security. Rule ids are oasdiff's (https://github.com/oasdiff/oasdiff).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.checks.contracts.openapi.lifecycle import compare_operation
from bot.checks.contracts.openapi.operations import (
    removed_operation,
    removed_paths,
    removed_webhooks,
)
from bot.checks.contracts.openapi.params import compare_parameters
from bot.checks.contracts.openapi.schema import At, SchemaDiff, compare
from bot.checks.contracts.openapi.spec import Doc, Node, Ptr, SpecChange

_TEMPLATE = re.compile(r"\{[^}/]*\}")
OpAt = tuple[Node, Ptr]


def _norm(path: str) -> str:
    """`/orders/{id}` and `/orders/{order_id}` are the same path to a client."""
    return _TEMPLATE.sub("{}", path)


def diff_specs(base: Doc, head: Doc, today: date | None = None) -> list[SpecChange]:
    """Every breaking (or notable) change from `base` to `head`; sunset dates are judged
    against `today` (the current date when not given)."""
    sd = SchemaDiff(base, head, today=today or date.today())
    b_ops = {(_norm(p), m): (p, op, ptr) for p, m, op, ptr in base.operations()}
    h_ops = {(_norm(p), m): (p, op, ptr) for p, m, op, ptr in head.operations()}
    h_paths = {np for np, _ in h_ops}
    removed_paths(sd, b_ops, h_paths)
    removed_webhooks(sd)
    for key, (path, b_op, b_ptr) in b_ops.items():
        where = f"{key[1].upper()} {path}"
        if key not in h_ops:
            if key[0] in h_paths:
                removed_operation(sd, where, b_op, b_ptr, _path_ptr(head, h_ops, key[0]))
            continue
        _, h_op, h_ptr = h_ops[key]
        compare_operation(sd, where, (b_op, b_ptr), (h_op, h_ptr))
        compare_parameters(sd, where, b_ptr, h_ptr)
        _compare_request_body(sd, where, (b_op, b_ptr), (h_op, h_ptr))
        _compare_responses(sd, where, (b_op, b_ptr), (h_op, h_ptr))
        _compare_security(sd, where, (b_op, b_ptr), (h_op, h_ptr))
    return sd.out


def _path_ptr(head: Doc, h_ops: dict[tuple[str, str], tuple[str, Node, Ptr]], norm: str) -> Ptr:
    for (np, _), (_, _, ptr) in h_ops.items():
        if np == norm:
            return ptr[:-1]
    return ("paths",)


def _compare_request_body(sd: SchemaDiff, where: str, b: OpAt, h: OpAt) -> None:
    b_req, b_media, _ = sd.base.request_body(*b)
    h_req, h_media, h_body = sd.head.request_body(*h)
    if h_req and not b_req:
        rule = "request-body-became-required" if b_media else "request-body-added-required"
        sd.emit(
            rule,
            "high",
            f"Request body is now required ({where})",
            f"{where} now requires a request body. Clients that send none will be rejected.",
            new_ptr=h_body,
        )
    for media, schema in b_media.items():
        if media not in h_media:
            if h_media:
                sd.emit(
                    "request-body-media-type-removed",
                    "high",
                    f"Request media type {media} no longer accepted ({where})",
                    f"{where} no longer accepts `{media}` bodies; clients that send it will get "
                    "415s. Keep accepting it until they have moved.",
                    old_ptr=schema[1][:-1],
                    new_ptr=h_body,
                    removal=True,
                )
            continue
        compare(sd, At("request", f"{where} request body", "body"), schema, h_media[media])


def _compare_responses(sd: SchemaDiff, where: str, b: OpAt, h: OpAt) -> None:
    b_resp, h_resp = sd.base.responses(*b), sd.head.responses(*h)
    h_ptr = h[1]
    for status, (b_media, rptr) in b_resp.items():
        if status not in h_resp:
            _removed_status(sd, where, status, rptr, (*h_ptr, "responses"))
            continue
        h_media, hr_ptr = h_resp[status]
        _compare_headers(sd, f"{where}, response {status}", rptr, hr_ptr)
        for media, schema in b_media.items():
            label = f"{where}, response {status}"
            if media not in h_media:
                sd.emit(
                    "response-media-type-removed",
                    "high",
                    f"Response media type {media} removed ({label})",
                    f"{label} no longer returns `{media}`. Clients that ask for it (Accept) or "
                    "parse it will fail; keep returning it until they have moved.",
                    old_ptr=schema[1][:-1],
                    new_ptr=hr_ptr,
                    removal=True,
                )
                continue
            compare(sd, At("response", label, "body"), schema, h_media[media])


def _compare_headers(sd: SchemaDiff, where: str, b_rptr: Ptr, h_rptr: Ptr) -> None:
    b_headers, h_headers = sd.base.response_headers(b_rptr), sd.head.response_headers(h_rptr)
    for name, (required, hptr) in b_headers.items():
        if name in h_headers:
            if required and not h_headers[name][0]:
                sd.emit(
                    "response-header-became-optional",
                    "medium",
                    f"Response header {name} became optional ({where})",
                    f"{where} may now omit the `{name}` header it always sent; clients that "
                    "read it without checking will fail.",
                    new_ptr=h_headers[name][1],
                )
            continue
        which = "required" if required else "optional"
        sd.emit(
            f"{which}-response-header-removed",
            "high" if required else "medium",
            f"Response header {name} removed ({where})",
            f"{where} no longer documents the {which} `{name}` header. Clients that read it "
            "(pagination cursors, Location, rate limits) will break; keep sending it until "
            "they have moved.",
            old_ptr=hptr,
            new_ptr=h_rptr,
            removal=True,
        )


def _removed_status(sd: SchemaDiff, where: str, status: str, rptr: Ptr, parent: Ptr) -> None:
    success = status.startswith("2")
    kind = "success" if success else "non-success"
    sd.emit(
        f"response-{kind}-status-removed",
        "high" if success else "medium",
        f"Response {status} removed ({where})",
        f"{where} no longer documents the {status} response. Clients that handle it "
        + (
            "as their success path will treat the new status as an error."
            if success
            else "may get another status they do not expect for the same situation."
        ),
        old_ptr=rptr,
        new_ptr=parent,
        removal=True,
    )


def _satisfies(client: dict[str, list[str]], req: dict[str, list[str]]) -> bool:
    """A client holding `client`'s credentials and scopes satisfies requirement `req`."""
    return all(s in client and set(scopes) <= set(client[s]) for s, scopes in req.items())


def _compare_security(sd: SchemaDiff, where: str, b: OpAt, h: OpAt) -> None:
    b_sec, b_sptr = sd.base.security(*b)
    h_sec, h_sptr = sd.head.security(*h)
    h_ptr = h[1]
    if b_sptr == h_sptr == ("security",):
        where = "the API"  # one finding for a document-wide change, not one per operation
    if not h_sec or any(not alt for alt in h_sec):
        return  # anonymous access is (still) allowed: no client is locked out
    for alt in b_sec or [{}]:
        if any(_satisfies(alt, h_alt) for h_alt in h_sec):
            continue
        rule = _security_rule(alt, h_sec, glob=where == "the API")
        names = " + ".join(alt) or "no authentication"
        sd.emit(
            rule,
            "high",
            f"Clients using {names} are locked out of {where}",
            f"The security requirements of {where} changed: {_describe_sec(b_sec)} -> "
            f"{_describe_sec(h_sec)}. Clients that authenticate with {names} no longer satisfy "
            "any requirement and will get 401/403. Accept the old scheme alongside the new one "
            "until clients have moved.",
            new_ptr=h_sptr if sd.head.at(h_sptr) is not None else h_ptr,
        )


def _security_rule(
    alt: dict[str, list[str]], h_sec: list[dict[str, list[str]]], *, glob: bool
) -> str:
    """oasdiff's id for a lock-out: auth on a public operation is `security-added`, a scope
    now required on the same schemes `security-scope-added`, else the old requirement is
    gone (`security-removed`); `api-global-...` when the document-wide security changed."""
    grown = [h for h in h_sec if _satisfies(h, alt)]
    if not alt:
        what = "security-added"
    elif any(set(h) == set(alt) for h in grown):
        what = "security-scope-added"
    else:
        what = "security-removed"
    return f"api-global-{what}" if glob else f"api-{what}"


def _describe_sec(reqs: list[dict[str, Any]]) -> str:
    if not reqs:
        return "none"
    return " or ".join(
        " + ".join(f"{k}{'[' + ','.join(v) + ']' if v else ''}" for k, v in alt.items()) or "none"
        for alt in reqs
    )
