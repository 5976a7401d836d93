"""What a Django queryset or SQLAlchemy statement reads, and which relations it loads with it.

`Order.objects.filter(...).select_related("customer")` reads Order and loads `customer`;
`select(Book).options(joinedload(Book.author))` reads Book and loads `author`. A name is
followed to its assignments in the same function (`qs = qs.prefetch_related(...)`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_LOADERS = frozenset(
    {"joinedload", "selectinload", "subqueryload", "contains_eager", "immediateload"}
)


_ROWS_NOT_MODELS = frozenset({"values", "values_list", "scalar", "scalars_one", "count", "exists"})


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
                if _call_name(node) in _ROWS_NOT_MODELS:
                    return None  # dicts, tuples or scalars: no relations to read
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
