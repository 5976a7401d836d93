"""DRF: a view whose queryset does not load the relations its serializer nests.

A `ModelSerializer` with `customer = CustomerSerializer()`, `source="customer.email"` or a
`SerializerMethodField` reading `obj.items` runs one query per listed object unless the
view's queryset (`queryset = ...` or `get_queryset()`) has `select_related` /
`prefetch_related` for it. Reported on the view's queryset line, or, when only the
serializer changed, on the serializer's field line.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from bot.checks.queries.common import Hit
from bot.checks.queries.orm_models import ModelIndex, Serializer, is_view
from bot.checks.queries.querysets import Query, query_of

__all__ = ["is_view", "serializer_hits", "view_hit"]


def view_parts(cls: ast.ClassDef) -> tuple[ast.expr | None, int, str]:
    """The view's queryset expression, its line, and its serializer class name."""
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
    return queryset, line, serializer


def _missing(index: ModelIndex, ser: Serializer, query: Query) -> list[tuple[str, str, int]]:
    out = []
    for name, line in ser.reads.items():
        rel = index.relation(query.model, name)
        if rel is None or name in query.loaded or (not rel.many and "*" in query.loaded):
            continue
        out.append((name, "prefetch_related" if rel.many else "select_related", line))
    return out


def _hit(
    query: Query, ser_name: str, ser: Serializer, missing: list[tuple[str, str, int]], line: int
) -> Hit:
    names = ", ".join(f"{query.model}.{name}" for name, _, _ in missing)
    fix = " and ".join(f'`{tool}("{name}")`' for name, tool, _ in missing)
    where = ", ".join(f"`{name}` (line {at})" for name, _, at in missing)
    return Hit(
        "n-plus-one-query",
        line,
        f"{ser_name} reads {names} per row",
        fix=f"{fix} on the view's queryset",
        note=f"`{ser_name}` in {ser.path} serializes {where} for every object the view lists.",
    )


def view_hit(
    index: ModelIndex, cls: ast.ClassDef, assigns: dict[str, list[ast.expr]]
) -> Hit | None:
    """The view's finding, on its queryset line (or the class line)."""
    queryset, line, name = view_parts(cls)
    ser = index.serializers.get(name)
    query = query_of(queryset, assigns) if queryset is not None else None
    if ser is None or query is None:
        return None
    missing = _missing(index, ser, query)
    if not missing:
        return None
    return replace(_hit(query, name, ser, missing, line), fallback_lines=(cls.lineno,))


def serializer_hits(
    index: ModelIndex, cls: ast.ClassDef, path: str, diff_paths: frozenset[str]
) -> list[Hit]:
    """Findings on a changed serializer's fields for views outside the diff that serve it."""
    ser = index.serializers.get(cls.name)
    if ser is None or ser.path != path:
        return []
    out = []
    for view_path, view in index.views:
        if view_path in diff_paths:
            continue  # that view is reviewed itself, on its queryset line
        queryset, _, name = view_parts(view)
        query = query_of(queryset, {}) if queryset is not None and name == cls.name else None
        if query is None:
            continue
        for missing in _missing(index, ser, query):
            hit = _hit(query, cls.name, ser, [missing], missing[2])
            out.append(
                replace(hit, note=f"{hit.note} `{view.name}` ({view_path}) does not load it.")
            )
    return out
