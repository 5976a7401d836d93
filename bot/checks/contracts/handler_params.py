"""FastAPI handlers whose signature gained a required client parameter (a 422 for old clients)."""

from __future__ import annotations

import ast
import re

from bot.checks.contracts.changes import ContractChange
from bot.checks.contracts.statements import QUOTED as _Q
from bot.checks.contracts.statements import TEXT as _TEXT
from bot.checks.contracts.statements import is_open as _open
from bot.checks.contracts.statements import statement as _statement
from bot.models import DiffLine, FileDiff

# FastAPI fills these from the request or the app, never from the client's query or body.
_INJECTED = re.compile(
    r"\b(Depends|Security|Request|Response|WebSocket|BackgroundTasks|HTTPConnection"
    r"|Session|AsyncSession|SecurityScopes)\b"
)
_DEF = re.compile(r"^\s*(async\s+)?def\s+(\w+)\s*\(")
_ROUTE_DECORATOR = re.compile(rf"@[\w.]*\.(get|post|put|patch|delete|api_route)\(\s*{_Q}")


def _required_params(signature: str) -> dict[str, str] | None:
    """Client-supplied parameters without a default: name -> annotation text."""
    try:
        tree = ast.parse(signature.strip() + "\n    pass\n")
    except SyntaxError:
        return None
    fn = tree.body[0]
    if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    args = fn.args
    positional = args.posonlyargs + args.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = list(zip(positional, [*defaults, *args.defaults], strict=True))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    out: dict[str, str] = {}
    for arg, default in pairs:
        annotation = ast.unparse(arg.annotation) if arg.annotation else ""
        default_text = ast.unparse(default) if default is not None else ""
        if arg.arg in ("self", "cls") or _INJECTED.search(annotation + " " + default_text):
            continue
        if default is None or re.fullmatch(r"(\w+\()?\.\.\.(\)|,.*\))?", default_text):
            out[arg.arg] = annotation
    return out


def _route_defs(file: FileDiff, kind: str) -> dict[str, tuple[str, DiffLine, str]]:
    """Route handler name -> (signature, its first changed line, route path), one side."""
    out: dict[str, tuple[str, DiffLine, str]] = {}
    for hunk in file.hunks:
        if "def " not in "\n".join(map(_TEXT, hunk.lines)):
            continue
        view = [ln for ln in hunk.lines if ln.kind in (kind, " ")]
        for i, line in enumerate(view):
            m = _DEF.match(line.text) if "def " in line.text else None
            if m is None or (line.kind != kind and not _open(line.text)):
                continue  # the latter: a one-line signature on a context line
            text, taken = _statement(view, i)
            changed = next((ln for ln in taken if ln.kind == kind), None)
            if changed is None:
                continue
            above = " ".join(ln.text for ln in view[max(0, i - 6) : i])
            route = _ROUTE_DECORATOR.search(above)
            if route is not None:
                out[m.group(2)] = (text, changed, route.group("path"))
    return out


def signature_changes(file: FileDiff) -> list[ContractChange]:
    """New required query/body parameters of a FastAPI handler whose signature changed."""
    old_defs = _route_defs(file, "-")
    if not old_defs:
        return []  # only a handler on both sides can have changed
    new_defs = _route_defs(file, "+")
    changes: list[ContractChange] = []
    for name, (new_sig, line, path) in new_defs.items():
        if name not in old_defs:
            continue
        old_req, new_req = _required_params(old_defs[name][0]), _required_params(new_sig)
        old_all = _all_params(old_defs[name][0])
        if old_req is None or new_req is None:
            continue
        for param, annotation in new_req.items():
            if param in old_req or re.search(rf"\{{{param}(:[^}}]*)?\}}", path):
                continue
            was = "optional" if param in old_all else "absent"
            typed = f"{param}: {annotation}" if annotation else param
            changes.append(
                ContractChange(
                    "new-required-request-parameter",
                    "high",
                    f"`{name}` now requires `{param}` (was {was})",
                    f"The handler `{name}` ({path or '/'}) now takes `{typed}` with no "
                    "default, so FastAPI rejects every request that omits it with a 422. "
                    "Give it a default (`= None` or a sensible value) so existing clients "
                    "keep working.",
                    new_line=line.new_no,
                )
            )
    return changes


def _all_params(signature: str) -> set[str]:
    try:
        fn = ast.parse(signature.strip() + "\n    pass\n").body[0]
    except SyntaxError:
        return set()
    if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    a = fn.args
    return {x.arg for x in (*a.posonlyargs, *a.args, *a.kwonlyargs)}
