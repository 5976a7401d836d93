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

from bot.checks.queries.common import Hit
from bot.checks.queries.drf import is_view, serializer_hits, view_hit
from bot.checks.queries.orm_models import ModelIndex, Relation
from bot.checks.queries.querysets import Query, query_of

_ALWAYS_QUERY = frozenset(
    {"filter", "exclude", "order_by", "annotate", "aggregate", "values", "values_list", "get",
     "create", "update", "delete", "latest", "earliest", "distinct"}
)  # fmt: skip
_MANAGER = frozenset({"all", "count", "exists", "first", "last", *_ALWAYS_QUERY})
HINTS = (".objects", "select(", "query(")


def _targets(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    return []


class RelationWalker(ast.NodeVisitor):
    """Loops over model instances, and DRF views, in one module."""

    def __init__(self, index: ModelIndex, path: str, diff_paths: frozenset[str]) -> None:
        self.index = index
        self.path = path
        self.diff_paths = diff_paths
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
        if is_view(node):
            hit = view_hit(self.index, node, self.assigns[-1])
            if hit is not None:
                self.hits.append(hit)
        elif node.name in self.index.serializers:
            self.hits.extend(serializer_hits(self.index, node, self.path, self.diff_paths))
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


def scan_relations(
    trees: list[ast.Module], index: ModelIndex, path: str, diff_paths: frozenset[str]
) -> list[Hit]:
    """Relation N+1 hits of one file's trees."""
    hits: list[Hit] = []
    for tree in trees:
        walker = RelationWalker(index, path, diff_paths)
        walker.visit(tree)
        hits.extend(walker.hits)
    return hits
