"""Query risks in Python, read from the syntax tree (never imported or run).

SQL injection through formatted strings handed to a query call (directly or through a
variable of the same function), queries inside loops, unbounded `.all()` in API handlers,
and the SQL hazards of string literals that hold statements.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field

from bot.checks.queries.common import (
    Hit,
    has_any,
    has_sql,
    looks_like_sql,
    mentions_pagination,
    mentions_sql,
    sql_hits,
)
from bot.checks.queries.pyfix import suggest
from bot.checks.queries.pystrings import Built, build_of, is_safe_value
from bot.models import Severity

QUERY_CALLS = frozenset(
    {
        "execute", "executemany", "executescript", "exec_driver_sql", "exec", "raw", "text",
        "query", "read_sql", "read_sql_query", "fetch", "fetchrow", "fetchval", "RawSQL", "extra",
    }
)  # fmt: skip
_DJANGO_QUERIES = frozenset(
    {
        "get", "filter", "exclude", "first", "last", "count", "exists", "aggregate", "create",
        "get_or_create", "update_or_create", "values", "values_list", "all", "update", "delete",
        "earliest", "latest", "raw", "in_bulk",
    }
)  # fmt: skip
_SESSION_QUERIES = frozenset(
    {
        "query", "execute", "get", "scalars", "scalar", "scalar_one", "scalar_one_or_none",
        "exec", "fetch", "fetchrow", "fetchval", "get_one",
    }
)  # fmt: skip
_SESSION_NAME = re.compile(r"(^|_)(session|db|conn|connection|cursor|cur|tx)$", re.IGNORECASE)
_ROUTE_DECORATOR = re.compile(
    r"\.(get|post|put|patch|delete|route|api_route|websocket)\(|\bapi_view\b|\baction\(",
)
_BOUNDED = re.compile(r"\.(limit|offset|paginate|first|one|one_or_none|scalar)\(|\[[^]]*:")
_BATCHING = re.compile(r"\.(limit|yield_per|iterator)\(|\[[^]]*:")
_N1_FIX_DJANGO = (
    "`select_related()` / `prefetch_related()` on the outer queryset, or one "
    "`filter(id__in=ids)` (`in_bulk()`) before the loop; `bulk_create()` / `bulk_update()` "
    "for writes"
)
_N1_FIX_SQLA = (
    "`selectinload()` / `joinedload()` on the relationship, or one "
    "`select(...).where(Model.id.in_(ids))` before the loop, grouped in Python"
)
_N1_FIX_DBAPI = "one query with `WHERE id = ANY(%s)` (or `IN`) before the loop, or `executemany`"


@dataclass
class _Scope:
    """A function (or the module fragment) being read: its assignments and whether it is a route."""

    node: ast.AST
    route: bool = False
    params: set[str] = field(default_factory=set)
    _assigns: dict[str, list[ast.stmt]] | None = None

    @property
    def assigns(self) -> dict[str, list[ast.stmt]]:
        """Assignments by variable name, collected on first use (few scopes ever need them)."""
        if self._assigns is None:
            self._assigns = {}
            for sub in ast.walk(self.node):
                if isinstance(sub, ast.Assign | ast.AugAssign | ast.AnnAssign):
                    targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                    for t in targets:
                        if isinstance(t, ast.Name):
                            self._assigns.setdefault(t.id, []).append(sub)
        return self._assigns

    def extended(self, value: ast.AST) -> bool:
        """Whether `value` is assigned to a variable the code later appends to (`+=`)."""
        for stmts in self.assigns.values():
            if any(getattr(st, "value", None) is value for st in stmts):
                return any(isinstance(st, ast.AugAssign) for st in stmts)
        return False


_SQL_STARTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "--")
_CALL_HINT = re.compile(
    r"\b(?:execute\w*|exec_driver_sql|raw|text|query|read_sql\w*|fetch\w*|RawSQL|extra)\s*\("
)
_LOOP_HINT = re.compile(r"\b(?:for|while)\b")


_CALL_ANCHORS = ("execute", "exec_driver", "raw", "text(", "query", "read_sql", "fetch", "RawSQL")
_DB_ANCHORS = (".objects", "session", "cursor", "conn", "db.", "cur.", "tx.")


def python_worth_parsing(text: str, *, api: bool, whole_file: bool = False) -> bool:
    """Whether any rule could match: most Python files in a change need no syntax tree.

    With the whole file available (`whole_file`), a loop may start above the hunk.
    """
    if has_any(text, _CALL_ANCHORS) and _CALL_HINT.search(text):
        return True
    if has_sql(text) or (api and ".all()" in text):
        return True
    loops = whole_file or (("for " in text or "while " in text) and bool(_LOOP_HINT.search(text)))
    return loops and has_any(text, _DB_ANCHORS)


def scan_python(
    trees: list[ast.Module],
    *,
    api: bool,
    lines: dict[int, str],
    file_text: str,
    added: set[int] | None = None,
) -> list[Hit]:
    """Every hit in the trees; `api` enables the unbounded-list rule (handlers).

    With `added`, functions and classes that contain no added line are not read at all.
    """
    style = "?" if "sqlite3" in file_text else "$" if "asyncpg" in file_text else "%s"
    hits: list[Hit] = []
    for tree in trees:
        walker = _Walker(api=api, lines=lines, style=style, added=added)
        walker.visit(tree)
        hits.extend(walker.hits)
    return hits


class _Walker(ast.NodeVisitor):
    def __init__(
        self, *, api: bool, lines: dict[int, str], style: str, added: set[int] | None
    ) -> None:
        self.api = api
        self.added = sorted(added) if added is not None else None
        self.lines = lines
        self.style = style
        self.hits: list[Hit] = []
        self.scopes: list[_Scope] = []
        self.loops: list[ast.AST] = []
        self.iterables: dict[int, ast.AST] = {}  # calls of a loop's iterable: run once, before it
        self.string_roots: set[int] = set()

    # --- scopes and loops -------------------------------------------------------------------

    def visit_Module(self, node: ast.Module) -> None:
        self._enter(node, route=False, params=set())

    def _unchanged(self, node: ast.stmt) -> bool:
        """No added line inside the node: nothing in it can carry a finding."""
        if self.added is None:
            return False
        i = bisect.bisect_left(self.added, node.lineno)
        return i == len(self.added) or self.added[i] > (node.end_lineno or node.lineno)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self._unchanged(node):
            self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self._unchanged(node):
            return
        decorators = " ".join(ast.unparse(d) for d in node.decorator_list)
        params = {a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
        route = bool(_ROUTE_DECORATOR.search(decorators)) or "request" in params
        loops, self.loops = self.loops, []
        self._enter(node, route=route, params=params)
        self.loops = loops

    visit_AsyncFunctionDef = visit_FunctionDef

    def _enter(self, node: ast.AST, *, route: bool, params: set[str]) -> None:
        scope = _Scope(node, route=route, params=params)
        self.scopes.append(scope)
        self.generic_visit(node)
        self.scopes.pop()

    def _loop(self, node: ast.AST) -> None:
        first = node.iter if isinstance(node, ast.For | ast.AsyncFor) else None
        gens = getattr(node, "generators", None)
        first = gens[0].iter if gens else first
        for sub in ast.walk(first) if first is not None else ():
            self.iterables[id(sub)] = node
        self.loops.append(node)
        self.generic_visit(node)
        self.loops.pop()

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        it = node.iter
        fixed = isinstance(it, ast.List | ast.Tuple | ast.Set | ast.Constant) or (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Name)
            and it.func.id == "range"
            and all(isinstance(a, ast.Constant) for a in it.args)
        )  # retries and fixed small sets, not data
        if fixed:
            self.generic_visit(node)
        else:
            self._loop(node)

    visit_AsyncFor = visit_For
    visit_While = _loop
    visit_ListComp = _loop
    visit_SetComp = _loop
    visit_DictComp = _loop
    visit_GeneratorExp = _loop

    # --- calls and strings ------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name in QUERY_CALLS and node.args:
            self._injection(node, node.args[0])
        owner = self.iterables.get(id(node))
        if any(loop is not owner for loop in self.loops):
            self._n_plus_one(node, name)
        elif self.api and name == "all" and not node.args and self._in_route():
            self._unbounded(node)
        self._strings(node)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        sql_like = isinstance(value, str) and value.lstrip()[:7].upper().startswith(_SQL_STARTS)
        if sql_like and id(node) not in self.string_roots:  # most strings are not SQL: cheap test
            self._lint_string(node, in_call=False)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if id(node) not in self.string_roots:
            self._lint_string(node, in_call=False)
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if id(node) not in self.string_roots and build_of(node) is not None:
            self._lint_string(node, in_call=False)
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # docstrings and bare strings are documentation
        self.generic_visit(node)

    def _strings(self, call: ast.Call) -> None:
        """Lint the SQL handed to a query call with the lower-case tolerance it deserves."""
        if _call_name(call) in QUERY_CALLS and call.args:
            self._lint_string(call.args[0], in_call=True)
        if build_of(call) is not None:
            self._lint_string(call, in_call=False)

    def _lint_string(self, node: ast.expr, *, in_call: bool) -> None:
        if id(node) in self.string_roots:
            return
        built = build_of(node)
        if built is not None:
            text, dynamic = built.text(), bool(built.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text, dynamic = node.value, False
        else:
            return
        for sub in ast.walk(node):
            self.string_roots.add(id(sub))
        if not looks_like_sql(text, in_query_call=in_call):
            return
        dynamic = dynamic or (bool(self.scopes) and self.scopes[-1].extended(node))
        end = node.end_lineno or node.lineno
        self.hits.extend(sql_hits(text, first_line=node.lineno, last_line=end, dynamic=dynamic))

    # --- rules ------------------------------------------------------------------------------

    def _in_route(self) -> bool:
        return any(s.route for s in self.scopes)

    def _injection(self, call: ast.Call, arg: ast.expr) -> None:
        built = build_of(arg)
        origin: ast.AST = arg
        if built is None and isinstance(arg, ast.Name):
            found, built = self._assigned_build(arg.id, before=call.lineno)
            origin = found or arg
        if built is None or not mentions_sql(built.static_text()):
            return
        if not [v for v in built.unsafe if not self._safe_variable(v)]:
            return
        severity: Severity | None = "critical" if self._from_request(built) else None
        line = getattr(origin, "lineno", call.lineno)
        spliced = ", ".join(f"`{ast.unparse(v)}`" for v in built.unsafe[:3])
        note = f"Spliced in: {spliced}."
        if origin is not arg:
            note += f" The string is built on line {line} and run on line {call.lineno}."
        fix = None
        if origin is arg and call.lineno in self.lines:
            fix = suggest(call, built, line=self.lines[call.lineno], style=self.style)
        lines = (line, call.lineno)
        self.hits.append(
            Hit("sql-injection", line, built.how, severity=severity, note=note, suggestion=fix,
                fallback_lines=lines)
        )  # fmt: skip

    def _assigned_build(self, name: str, *, before: int) -> tuple[ast.AST | None, Built | None]:
        """The unsafe assignment of a query variable in this function, if the SQL is built there."""
        if not self.scopes:
            return None, None
        static: list[str] = []
        unsafe: tuple[ast.stmt, Built] | None = None
        for stmt in self.scopes[-1].assigns.get(name, []):
            value = getattr(stmt, "value", None)
            if stmt.lineno >= before or not isinstance(value, ast.expr):
                continue
            built = build_of(value)
            if built is None and isinstance(stmt, ast.AugAssign) and not _is_str(value):
                built = Built((value,), "string concatenation", False)
            if built is not None:
                static.append(built.static_text())
                if built.unsafe and unsafe is None:
                    unsafe = (stmt, built)
            elif _is_str(value):
                static.append(str(getattr(value, "value", "")))
        if unsafe is None:
            return None, None
        stmt, built = unsafe
        return stmt, Built((*built.parts, " ".join(static)), built.how, plain=False)

    def _safe_variable(self, value: ast.expr) -> bool:
        """A local whose every assignment is safe (`marks = ", ".join(["%s"] * len(ids))`)."""
        if not isinstance(value, ast.Name) or not self.scopes:
            return False
        stmts = self.scopes[-1].assigns.get(value.id, [])
        values = [getattr(st, "value", None) for st in stmts]
        return bool(values) and all(isinstance(v, ast.expr) and is_safe_value(v) for v in values)

    def _from_request(self, built: Built) -> bool:
        params = set().union(*(s.params for s in self.scopes if s.route))
        for value in built.unsafe:
            for sub in ast.walk(value):
                if isinstance(sub, ast.Name) and (sub.id in params or sub.id in ("request", "req")):
                    return True
        return False

    def _n_plus_one(self, call: ast.Call, name: str) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        chain = ast.unparse(func.value)
        if name in _DJANGO_QUERIES and ".objects" in f".{chain}":
            detail, fix = f"{chain}.{name}()", _N1_FIX_DJANGO
        elif name in _SESSION_QUERIES and _SESSION_NAME.search(chain.rsplit(".", 1)[-1]):
            cursor = re.search(r"cur(sor)?$", chain)
            first = call.args[0] if call.args else None
            model = ast.unparse(first) if isinstance(first, ast.Name | ast.Attribute) else ""
            detail, fix = f"{chain}.{name}({model})", _N1_FIX_DBAPI if cursor else _N1_FIX_SQLA
        else:
            return
        statement = self.lines.get(call.lineno, "") or ast.unparse(call)
        if isinstance(self.loops[-1], ast.While) and _BATCHING.search(statement):
            return  # a batch loop: one bounded query per batch is the point
        self.hits.append(Hit("n-plus-one-query", call.lineno, detail, fix=fix))

    def _unbounded(self, call: ast.Call) -> None:
        chain = ast.unparse(call)
        if _BOUNDED.search(chain):
            return
        handler = next((s for s in reversed(self.scopes) if s.route), None)
        if handler is None or mentions_pagination(handler.node):
            return
        self.hits.append(Hit("unbounded-query", call.lineno, _short(chain)))


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
