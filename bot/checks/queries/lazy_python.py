"""N+1 through relations in Python: a lazy relation read on each item of a queryset.

`for o in Order.objects.filter(...): o.customer.email` runs one query per order unless the
queryset says `select_related("customer")`; `o.items.count()` one per order unless it says
`prefetch_related("items")` (and `o.items.filter(...)` always does). SQLAlchemy relationships
load lazily unless the statement has `joinedload`/`selectinload`/... or the relationship a
non-lazy `lazy=`. DRF: a serializer that nests a relation, served by a view whose queryset
does not load it. What is a relation comes from the model index (bot.checks.queries.orm_models).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from bot.checks.queries.common import Hit
from bot.checks.queries.orm_models import ModelIndex, Relation

_LOADERS = frozenset(
    {"joinedload", "selectinload", "subqueryload", "contains_eager", "immediateload"}
)
_ALWAYS_QUERY = frozenset(
    {"filter", "exclude", "order_by", "annotate", "aggregate", "values", "values_list", "get",
     "create", "update", "delete", "latest", "earliest", "distinct"}
)  # fmt: skip
_MANAGER = frozenset({"all", "count", "exists", "first", "last", *_ALWAYS_QUERY})
_VIEW_BASES = ("ViewSet", "APIView", "ListAPIView", "GenericAPIView", "ListCreateAPIView")
HINTS = (".objects", "select(", "query(")


@dataclass
class Query:
    model: str
    django: bool
    loaded: set[str] = field(default_factory=set)  # "*" : select_related() of every FK


def _str(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def query_of(expr: ast.expr, assigns: dict[str, list[ast.expr]], depth: int = 0) -> Query | None:
    """The model a queryset / statement expression reads, and the relations it loads."""
    exprs = assigns.get(expr.id, []) if isinstance(expr, ast.Name) else [expr]
    found: Query | None = None
    loaded: set[str] = set()
    for value in exprs:
        for node in ast.walk(value):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                if isinstance(node.value, ast.Name) and found is None:
                    found = Query(node.value.id, django=True)
            elif isinstance(node, ast.Call):
                _loads(node, loaded)
                first = node.args[0] if node.args else None
                if (
                    _call_name(node) in {"select", "query"}
                    and isinstance(first, ast.Name)
                    and first.id[:1].isupper()
                    and found is None
                ):
                    found = Query(first.id, django=False)
            elif isinstance(node, ast.Name) and depth < 2 and node.id in assigns:
                rest = {k: [v for v in vs if v is not value] for k, vs in assigns.items()}
                sub = query_of(node, rest, depth + 1)
                if sub is not None:
                    found = found or sub
                    loaded |= sub.loaded
    if found is not None:
        found.loaded |= loaded
    return found


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _loads(call: ast.Call, loaded: set[str]) -> None:
    name = _call_name(call)
    if name == "select_related" and not call.args:
        loaded.add("*")
    if name in {"select_related", "prefetch_related"}:
        for arg in call.args:
            inner = arg.args[0] if isinstance(arg, ast.Call) and arg.args else arg
            text = _str(inner)
            if text:
                loaded.add(text.split("__")[0])
    elif name in _LOADERS and call.args:
        first = call.args[0]
        if isinstance(first, ast.Attribute):
            loaded.add(first.attr)
        elif (text := _str(first)) is not None:
            loaded.add(text)


def _targets(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    return []


class RelationWalker(ast.NodeVisitor):
    """Loops over model instances, and DRF views, in one module."""

    def __init__(self, index: ModelIndex, lines: dict[int, str]) -> None:
        self.index = index
        self.lines = lines
        self.hits: list[Hit] = []
        self.assigns: list[dict[str, list[ast.expr]]] = [{}]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        scope: dict[str, list[ast.expr]] = {}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign):
                for t in sub.targets:
                    if isinstance(t, ast.Name):
                        scope.setdefault(t.id, []).append(sub.value)
        self.assigns.append(scope)
        self.generic_visit(node)
        self.assigns.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(b in ast.unparse(base) for base in node.bases for b in _VIEW_BASES):
            self._view(node)
        self.generic_visit(node)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._loop(_targets(node.target), node.iter, [*node.body, *node.orelse])
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_ListComp(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        for gen in node.generators:
            self._loop(_targets(gen.target), gen.iter, [node.elt, *gen.ifs])
        self.generic_visit(node)

    visit_SetComp = visit_ListComp
    visit_GeneratorExp = visit_ListComp

    def visit_DictComp(self, node: ast.DictComp) -> None:
        for gen in node.generators:
            self._loop(_targets(gen.target), gen.iter, [node.key, node.value])
        self.generic_visit(node)

    def _loop(self, names: list[str], iterable: ast.expr, body: list[ast.AST]) -> None:
        if len(names) != 1:
            return
        query = query_of(iterable, self.assigns[-1])
        if query is None:
            return
        var = names[0]
        seen: set[str] = set()
        for part in body:
            for node in ast.walk(part):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == var
                    and node.attr not in seen
                ):
                    parent_call = _method_after(part, node)
                    if self._lazy(query, node.attr, parent_call):
                        seen.add(node.attr)
                        self._hit(query, var, node, parent_call)

    def _lazy(self, query: Query, attr: str, method: str | None) -> bool:
        rel = self.index.relation(query.model, attr)
        if rel is None and query.django and (attr.endswith("_set") or method in _MANAGER):
            rel = Relation(many=True)
        if rel is None or not rel.lazy:
            return False
        if query.django and rel.many and method in _ALWAYS_QUERY:
            return True
        if attr in query.loaded:
            return False
        return not (query.django and not rel.many and "*" in query.loaded)

    def _hit(self, query: Query, var: str, node: ast.Attribute, method: str | None) -> None:
        rel = self.index.relation(query.model, node.attr) or Relation(many=True)
        access = f"{var}.{node.attr}" + (f".{method}()" if method else "")
        if query.django:
            tool = "prefetch_related" if rel.many else "select_related"
            fix = f'`{tool}("{node.attr}")` on the `{query.model}` queryset'
            if rel.many and method in _ALWAYS_QUERY:
                fix = (
                    f'`prefetch_related(Prefetch("{node.attr}", queryset=...))` with the filter '
                    "inside it (a prefetched relation still queries on `.filter()`)"
                )
        else:
            tool = "selectinload" if rel.many else "joinedload"
            fix = f"`.options({tool}({query.model}.{node.attr}))` on the statement"
        detail = f"{access}: lazy relation of {query.model}"
        self.hits.append(Hit("n-plus-one-query", node.lineno, detail, fix=fix))

    def _view(self, cls: ast.ClassDef) -> None:
        queryset: ast.expr | None = None
        serializer = ""
        line = cls.lineno
        for st in cls.body:
            if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
                if st.targets[0].id == "queryset":
                    queryset, line = st.value, st.lineno
                elif st.targets[0].id == "serializer_class" and isinstance(st.value, ast.Name):
                    serializer = st.value.id
            elif isinstance(st, ast.FunctionDef) and st.name == "get_queryset":
                ret = next((r for r in ast.walk(st) if isinstance(r, ast.Return)), None)
                if ret is not None and ret.value is not None:
                    queryset, line = ret.value, ret.lineno
        ser = self.index.serializers.get(serializer)
        query = query_of(queryset, self.assigns[-1]) if queryset is not None else None
        if ser is None or query is None:
            return
        missing: list[tuple[str, str, int]] = []
        for rel_name, field_line in ser.reads.items():
            rel = self.index.relation(query.model, rel_name)
            if rel is None or rel_name in query.loaded or (not rel.many and "*" in query.loaded):
                continue
            tool = "prefetch_related" if rel.many else "select_related"
            missing.append((rel_name, tool, field_line))
        if not missing:
            return
        names = ", ".join(f"{query.model}.{name}" for name, _, _ in missing)
        fix = " and ".join(f'`{tool}("{name}")`' for name, tool, _ in missing)
        where = ", ".join(f"`{name}` (line {at})" for name, _, at in missing)
        self.hits.append(
            Hit(
                "n-plus-one-query",
                line,
                f"{serializer} reads {names} per row",
                fix=f"{fix} on this view's queryset",
                note=f"`{serializer}` in {ser.path} serializes {where} for every object the "
                "view lists.",
                fallback_lines=(cls.lineno,),
            )
        )


def _method_after(root: ast.AST, attr: ast.Attribute) -> str | None:
    """`o.items.count()` -> "count" for the `o.items` node; None when not a method call."""
    for node in ast.walk(root):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.value is attr
        ):
            return node.func.attr
    return None


def scan_relations(trees: list[ast.Module], index: ModelIndex, lines: dict[int, str]) -> list[Hit]:
    """Relation N+1 hits of one file's trees."""
    hits: list[Hit] = []
    for tree in trees:
        walker = RelationWalker(index, lines)
        walker.visit(tree)
        hits.extend(walker.hits)
    return hits
