"""Operations, paths and webhooks that went away, judged by their deprecation, sunset date and
stability level (see `lifecycle`)."""

from __future__ import annotations

from bot.checks.contracts.openapi.lifecycle import removal
from bot.checks.contracts.openapi.spec import METHODS, Doc, Node, Ptr
from bot.checks.contracts.openapi.state import SchemaDiff

Ops = dict[tuple[str, str], tuple[str, Node, Ptr]]

_TEXT = {
    "api-path-removed-without-deprecation": (
        "Path {path} removed without deprecation",
        "{path} ({methods}) is removed, and it was not marked `deprecated: true` first. "
        "Clients calling it will get 404s. Mark it deprecated (with a sunset date) in one "
        "release, watch its traffic, and remove it later, or keep it as an alias.",
    ),
    "api-path-removed-with-deprecation": (
        "Deprecated path {path} removed",
        "{path} ({methods}) was deprecated and is now removed. Make sure its sunset date has "
        "passed and that traffic to it has stopped.",
    ),
    "api-path-removed-before-sunset": (
        "Path {path} removed before its sunset date",
        "{path} ({methods}) was deprecated with an `x-sunset` date that has not come yet. "
        "Clients were promised it until then; keep it until the sunset date.",
    ),
    "api-removed-without-deprecation": (
        "Operation {path} removed without deprecation",
        "{path} is removed and was not marked `deprecated: true` first. Clients calling it "
        "will get 404 or 405; deprecate it in one release and remove it later.",
    ),
    "api-removed-with-deprecation": (
        "Deprecated operation {path} removed",
        "{path} was deprecated and is now removed; make sure its traffic has stopped.",
    ),
    "api-removed-before-sunset": (
        "Operation {path} removed before its sunset date",
        "{path} was deprecated with an `x-sunset` date that has not come yet. Clients were "
        "promised it until then; keep it until the sunset date.",
    ),
    "api-path-sunset-parse": (
        "{path} removed with an unreadable sunset date",
        "{path} ({methods}) was deprecated with an `x-sunset` that is not a date "
        "(YYYY-MM-DD or RFC 3339), so nobody can tell whether its removal is due.",
    ),
    "api-invalid-stability-level": (
        "{path} removed with an invalid stability level",
        "{path} ({methods}) has an `x-stability-level` that is not draft, alpha, beta or "
        "stable, so its removal cannot be judged; fix the level.",
    ),
}


def removed_paths(sd: SchemaDiff, b_ops: Ops, h_paths: set[str]) -> None:
    """One finding per removed path and rule (operations of one path share their fate)."""
    gone: dict[str, list[tuple[str, Node, Ptr]]] = {}
    for (np, method), (path, op, ptr) in b_ops.items():
        if np not in h_paths:
            gone.setdefault(path, []).append((method, op, ptr))
    for path, ops in gone.items():
        by_rule: dict[str, list[str]] = {}
        severity = {}
        for method, op, _ in ops:
            found = removal(op, sd.today, path=True)
            if found is not None:
                by_rule.setdefault(found[0], []).append(method.upper())
                severity[found[0]] = found[1]
        for rule, methods in by_rule.items():
            title, body = _TEXT[rule]
            sd.emit(
                rule,
                severity[rule],
                title.format(path=path),
                body.format(path=path, methods=", ".join(methods)),
                old_ptr=ops[0][2][:-1],
                new_ptr=("paths",),
                removal=True,
            )


def removed_operation(sd: SchemaDiff, where: str, op: Node, b_ptr: Ptr, parent: Ptr) -> None:
    found = removal(op, sd.today, path=False)
    if found is None:
        return
    rule, severity = found
    title, body = _TEXT[rule]
    sd.emit(
        rule,
        severity,
        title.format(path=where),
        body.format(path=where, methods=where.split(maxsplit=1)[0]),
        old_ptr=b_ptr,
        new_ptr=parent,
        removal=True,
    )


def _webhooks(doc: Doc) -> dict[str, tuple[set[str], Ptr]]:
    hooks = doc.root.get("webhooks")
    out: dict[str, tuple[set[str], Ptr]] = {}
    for name, raw in hooks.items() if isinstance(hooks, dict) else ():
        item, _ = doc.resolve(raw, ("webhooks", str(name)))
        methods = {m for m in METHODS if isinstance(item, dict) and isinstance(item.get(m), dict)}
        out[str(name)] = (methods, ("webhooks", str(name)))
    return out


def removed_webhooks(sd: SchemaDiff) -> None:
    """3.1 `webhooks` the API no longer sends (or no longer sends with a method): receivers
    built for them stop getting calls without notice (`webhook-removed`)."""
    base, head = _webhooks(sd.base), _webhooks(sd.head)
    for name, (methods, ptr) in base.items():
        kept = head.get(name, (set(), ("webhooks",)))
        lost = sorted(methods - kept[0])
        if not lost:
            continue
        what = (
            "removed"
            if name not in head
            else f"no longer sent as {', '.join(m.upper() for m in lost)}"
        )
        sd.emit(
            "webhook-removed",
            "high",
            f"Webhook `{name}` {what}",
            f"The webhook `{name}` is {what}. Receivers that subscribed to it stop getting "
            "these calls without any error; deprecate it and announce the end first.",
            old_ptr=ptr if name not in head else (*ptr, lost[0]),
            new_ptr=kept[1] if name in head else ("webhooks",),
            removal=True,
        )
