"""Routes of code-first frameworks seen in the diff: removed, or changed method or path.

Read from the diff lines alone (FastAPI/Flask decorators, Django urls.py, Rails routes.rb,
Express/NestJS, Go routers, Spring mappings); a route removed in one place and added with the
same method and path anywhere in the change (a move, a refactor) is not a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.checks.contracts.changes import ContractChange, to_findings
from bot.checks.contracts.handler_params import signature_changes
from bot.checks.contracts.statements import KIND as _KIND
from bot.checks.contracts.statements import QUOTED as _Q
from bot.checks.contracts.statements import TEXT as _TEXT
from bot.checks.contracts.statements import is_open as _open
from bot.checks.contracts.statements import statement as _statement
from bot.models import DiffLine, FileDiff, Finding

# Receivers that are routers: `client.get("/x")` in a test or `axios.get(...)` is not a route.
_RECEIVER = (
    r"(?:app|api|router|server|bp|blueprint|routes?|mux|r|e|g|v\d+"
    r"|\w*(?:[Rr]outer|[Aa]pp|_bp|[Gg]roup|[Rr]outes))"
)
_PY_DECORATOR = re.compile(
    rf"^\s*@[\w.]*\.(?P<verb>get|post|put|patch|delete|head|options|route|api_route|websocket)"
    rf"\(\s*(?:path\s*=\s*|rule\s*=\s*)?{_Q}"
)
_PY_URL_RULE = re.compile(rf"\.add_url_rule\(\s*{_Q}")
_DJANGO = re.compile(rf"^\s*(?:path|re_path|url)\(\s*{_Q}")
_JS = re.compile(
    rf"\b{_RECEIVER}\.(?P<verb>get|post|put|patch|delete|head|options|all)\(\s*{_Q}", re.I
)
_NEST = re.compile(
    r"^\s*@(?P<verb>Get|Post|Put|Patch|Delete|Head|Options|All)"
    r"\(\s*(?:(['\"`])(?P<path>[^'\"`]*)\2)?\s*\)"
)
_GO = re.compile(
    rf"\b{_RECEIVER}\.(?P<verb>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Get|Post|Put|Patch"
    r"|Delete|Handle|HandleFunc)"
    r'\(\s*"(?P<path>[^"]*)"'
    r'|\bhttp\.(?P<verb2>Handle|HandleFunc)\(\s*"(?P<path2>[^"]*)"'
)
_SPRING = re.compile(
    r"^\s*@(?P<verb>Get|Post|Put|Patch|Delete|Request)Mapping"
    r"\(\s*(?:(?:value|path)\s*=\s*)?\{?\s*\"(?P<path>[^\"]*)\""
)
_RAILS = re.compile(rf"^\s*(?P<verb>get|post|put|patch|delete|match)\s*\(?\s*{_Q}")
_RAILS_RESOURCES = re.compile(r"^\s*(?P<verb>resources?)\s*\(?\s*:(?P<path>\w+)")
_METHODS = re.compile(r"""methods\s*=\s*[\[(]([^\])]*)[\])]""")
_VIA = re.compile(r"""via:\s*(?:\[([^\]]*)\]|:(\w+))""")
_PARAM = re.compile(r"\{[^}]*\}|<[^>]*>|:\w+|\(\?P<\w+>[^)]*\)|\[[^\]]*\]")
_DEPRECATED = re.compile(r"deprecated\s*[=:]\s*[Tt]rue")
_PY_EXT = (".py",)
_JS_EXT = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")


@dataclass(frozen=True, eq=False)  # identity: the same text may be declared twice
class Route:
    method: str
    path: str
    line: DiffLine
    file: FileDiff
    hunk: int
    deprecated: bool = False

    @cached_property
    def key(self) -> tuple[str, str]:
        return self.method, normalise(self.path)


def normalise(path: str) -> str:
    """`/orders/{id}`, `orders/<int:pk>/` and `/orders/:id` are one route."""
    path = _PARAM.sub("{}", path.strip()).strip("^$")
    return "/" + path.strip("/")


def _methods(verb: str, text: str) -> list[str]:
    verb = verb.lower()
    if verb in ("route", "api_route", "match", "add_url_rule"):
        found = _METHODS.search(text) or _VIA.search(text)
        if found:
            names = re.findall(r"\w+", found.group(found.lastindex or 1) or "")
            return sorted({n.upper() for n in names}) or ["GET"]
        return ["ANY"] if verb == "match" else ["GET"]
    if verb == "request":  # Spring: @RequestMapping(..., method = RequestMethod.POST)
        return sorted(set(re.findall(r"RequestMethod\.(\w+)", text))) or ["ANY"]
    if verb in ("handle", "handlefunc", "any", "all"):
        return ["ANY"]
    return ["WS" if verb == "websocket" else verb.upper()]


# Cheap first looks (substring tests): a line without one cannot start a route declaration.
_HINT_PY = ("@", "path(", "url(", "add_url_rule")
_HINT_JS = (".get(", ".post(", ".put(", ".patch(", ".delete(", ".head(", ".options(", ".all(", "@")
_HINT_GO: tuple[str, ...] = (".GET(", ".POST(", ".PUT(", ".PATCH(", ".DELETE(", ".Handle")
_HINT_GO += (".Any(", ".Get(", ".Post(", ".Put(", ".Patch(", ".Delete(", ".HEAD(", ".OPTIONS(")
_HINT_SPRING = ("Mapping(",)
_HINT_RAILS = ("get", "post", "put", "patch", "delete", "match", "resource")
_Patterns = tuple[tuple[str, ...], tuple[re.Pattern[str], ...]]


def _patterns(path: str) -> _Patterns | None:
    """(first-look hint, route patterns) for the file's language and role, or None."""
    name = path.rsplit("/", 1)[-1]
    if path.endswith(_PY_EXT):
        django = (_DJANGO,) if name == "urls.py" or "/urls/" in path else ()
        return _HINT_PY, (_PY_DECORATOR, _PY_URL_RULE, *django)
    if path.endswith(_JS_EXT):
        return _HINT_JS, (_JS, _NEST)
    if path.endswith(".go"):
        return _HINT_GO, (_GO,)
    if path.endswith((".java", ".kt")):
        return _HINT_SPRING, (_SPRING,)
    if path.endswith(".rb") and (name == "routes.rb" or "config/routes/" in path):
        return _HINT_RAILS, (_RAILS, _RAILS_RESOURCES)
    return None


def _routes_in(file: FileDiff, kind: str) -> Iterator[Route]:
    """Routes declared by statements that have a `kind` ("-" or "+") line in them."""
    found = _patterns(file.path)
    if found is None:
        return
    hint, patterns = found
    for h_index, hunk in enumerate(file.hunks):
        # Whole-hunk first looks: no hint contains a newline, so one substring test over the
        # joined text rules out every line at once; a statement needs a `kind` line in it.
        if kind not in "".join(map(_KIND, hunk.lines)):
            continue
        blob = "\n".join(map(_TEXT, hunk.lines))
        if not any(h in blob for h in hint):
            continue
        view = [ln for ln in hunk.lines if ln.kind in (kind, " ")]
        for i, line in enumerate(view):
            text = line.text
            for h in hint:  # a plain loop: any() with a generator costs more than the tests
                if h in text:
                    break
            else:
                continue
            if line.kind != kind and not _open(text):
                continue  # a one-line statement on a context line: nothing of `kind` in it
            text, taken = _statement(view, i)
            changed = next((ln for ln in taken if ln.kind == kind), None)
            if changed is None:
                continue
            for route in _match(patterns, text):
                yield Route(*route, changed, file, h_index, _DEPRECATED.search(text) is not None)


def _match(patterns: Sequence[re.Pattern[str]], text: str) -> list[tuple[str, str]]:
    for pattern in patterns:
        m = pattern.search(text)
        if m is None:
            continue
        groups = m.groupdict()
        verb = groups.get("verb") or groups.get("verb2")
        verb = verb or ("add_url_rule" if pattern is _PY_URL_RULE else "any")
        path = groups.get("path") or groups.get("path2") or ""
        if verb in ("resources", "resource"):
            return _rails_resources(verb, path, text)
        go_method = _GO_METHOD_IN_PATTERN.match(path)  # Go 1.22: "GET /orders/{id}"
        if go_method:
            return [(go_method.group(1), go_method.group(2))]
        return [(method, path) for method in _methods(verb, text)]
    return []


_GO_METHOD_IN_PATTERN = re.compile(r"(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)$")
_RAILS_ACTIONS = {
    "index": ("GET", ""),
    "create": ("POST", ""),
    "new": ("GET", "/new"),
    "show": ("GET", "/:id"),
    "edit": ("GET", "/:id/edit"),
    "update": ("PATCH", "/:id"),
    "destroy": ("DELETE", "/:id"),
}
_ONLY = re.compile(r"\b(only|except):\s*(?:\[([^\]]*)\]|:(\w+))")


def _rails_resources(verb: str, name: str, text: str) -> list[tuple[str, str]]:
    """The routes `resources :orders, only: [...]` (or `except:`) declares, one per action."""
    actions = set(_RAILS_ACTIONS)
    if verb == "resource":  # singular: no index, no :id
        actions.discard("index")
    for which, listed, single in _ONLY.findall(text):
        chosen = set(re.findall(r"\w+", listed or single))
        actions = actions & chosen if which == "only" else actions - chosen
    out = []
    for action in sorted(actions):
        method, suffix = _RAILS_ACTIONS[action]
        if verb == "resource":
            suffix = suffix.replace("/:id", "")
        out.append((method, f"{name}{suffix}"))
    return out


_HunkKey = tuple[str, int]


def _pair(route: Route, added: dict[_HunkKey, list[Route]]) -> Route | None:
    """An added route in the same hunk that replaces `route` (same path or same method)."""
    same_hunk = added.get((route.file.path, route.hunk), [])
    for a in same_hunk:
        if normalise(a.path) == normalise(route.path) and a.method != route.method:
            return a
    near = [a for a in same_hunk if a.method == route.method]
    old_no = route.line.old_no or 0
    return min(near, key=lambda a: abs((a.line.new_no or 0) - old_no), default=None)


def _changed(route: Route, added: dict[_HunkKey, list[Route]]) -> ContractChange | None:
    """The route replaced by another in the same hunk (new method or path), if it was."""
    other = None if route.deprecated else _pair(route, added)
    if other is None:
        return None
    added[(other.file.path, other.hunk)].remove(other)
    where = f"{route.method} {route.path or '/'}"
    what = "method" if other.method != route.method else "path"
    return ContractChange(
        f"route-{what}-changed",
        "high",
        f"Route {where} changed to {other.method} {other.path or '/'}",
        f"The route {where} is now {other.method} {other.path or '/'}. Clients calling the "
        "old one will get 404/405. Keep the old route as an alias (marked deprecated) "
        "until clients have moved.",
        new_line=other.line.new_no,
    )


def _removed(routes: list[Route]) -> ContractChange:
    """One change for the routes one removed declaration made (a `resources`, a methods list)."""
    first = routes[0]
    names = ", ".join(f"{r.method} {r.path or '/'}" for r in routes)
    title = f"Route {names} removed" if len(routes) == 1 else f"Routes removed: {names}"
    if first.deprecated:
        return ContractChange(
            "route-removed-with-deprecation",
            "low",
            f"Deprecated {title[0].lower()}{title[1:]}",
            f"The deprecated route(s) {names} are removed; check that traffic has stopped.",
            old_line=first.line.old_no,
            removal=True,
        )
    return ContractChange(
        "route-removed",
        "high",
        title,
        f"{names}: removed and not re-added anywhere in this change. Clients calling them "
        "will get 404s. Mark them deprecated first (e.g. `deprecated=True` in FastAPI, a "
        "Deprecation/Sunset header), watch their traffic, then remove them.",
        old_line=first.line.old_no,
        removal=True,
    )


def check_routes(files: Sequence[FileDiff]) -> list[Finding]:
    """Removed or changed routes across the change, anchored on the diff."""
    by_file: dict[str, tuple[FileDiff, list[ContractChange]]] = {}
    for file in files:
        if file.path.endswith(_PY_EXT) and file.status == "modified":
            signature = signature_changes(file)
            if signature:
                by_file[file.path] = (file, signature)
    removed = [r for f in files for r in _routes_in(f, "-")]
    added = [r for f in files for r in _routes_in(f, "+")] if removed else []
    keys = {r.key for r in added}
    paths = {normalise(r.path) for r in added if r.method == "ANY"}
    removed_keys = {r.key for r in removed}
    unmatched: dict[_HunkKey, list[Route]] = {}
    for a in added:
        if a.key not in removed_keys:
            unmatched.setdefault((a.file.path, a.hunk), []).append(a)
    gone: dict[tuple[str, int], list[Route]] = {}
    for route in removed:
        if route.key in keys or normalise(route.path) in paths:
            continue
        change = _changed(route, unmatched)
        if change is None:
            gone.setdefault((route.file.path, id(route.line)), []).append(route)
        else:
            by_file.setdefault(route.file.path, (route.file, []))[1].append(change)
    for routes in gone.values():
        file = routes[0].file
        by_file.setdefault(file.path, (file, []))[1].append(_removed(routes))
    return [f for file, changes in by_file.values() for f in to_findings(file, changes)]
