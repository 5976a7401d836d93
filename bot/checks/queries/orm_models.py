"""Relations of Django and SQLAlchemy models, and what DRF serializers read, from syntax trees.

The N+1 check needs to know that `order.customer` is a foreign key (one query per access)
and `order.items` a reverse relation. Models come from the changed files and, when a content
source is given, from the model modules those files import (read at head, bounded).
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field

from bot.models import ContentSource

_DJANGO_ONE = frozenset({"ForeignKey", "OneToOneField", "ParentalKey"})
_DJANGO_MANY = frozenset({"ManyToManyField", "ParentalManyToManyField", "GenericRelation"})
_EAGER = frozenset(
    {"joined", "selectin", "subquery", "immediate", "raise", "raise_on_sql", "noload"}
)
_MARKERS = ("models.Model", "relationship(", "Serializer", "serializer_class")
_MAX_READS = 24
_VIEW_BASES = ("ViewSet", "APIView", "ListAPIView", "GenericAPIView", "ListCreateAPIView")
_VIEW_MODULES = ("views.py", "viewsets.py", "api.py", "views/__init__.py")


def is_view(cls: ast.ClassDef) -> bool:
    """A DRF view or viewset class (by its bases)."""
    return any(b in ast.unparse(base) for base in cls.bases for b in _VIEW_BASES)


@dataclass
class Relation:
    many: bool
    lazy: bool = True  # SQLAlchemy `lazy="selectin"` etc. load with the parent


@dataclass
class Serializer:
    path: str
    model: str
    reads: dict[str, int] = field(default_factory=dict)  # relation path -> line of the field


@dataclass
class ModelIndex:
    models: dict[str, dict[str, Relation]] = field(default_factory=dict)
    serializers: dict[str, Serializer] = field(default_factory=dict)
    views: list[tuple[str, ast.ClassDef]] = field(default_factory=list)  # DRF views, by path

    def relation(self, model: str, name: str) -> Relation | None:
        return self.models.get(model, {}).get(name)


def _name(node: ast.expr | None) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _func(call: ast.Call) -> str:
    return _name(call.func)


def add_module(index: ModelIndex, tree: ast.Module, path: str) -> None:
    """Every model and serializer class of one module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            _model_class(index, node)
            _serializer_class(index, node, path)
            if "serializer_class" in ast.unparse(node) and is_view(node):
                index.views.append((path, node))


def _model_class(index: ModelIndex, cls: ast.ClassDef) -> None:
    for st in cls.body:
        target, value = _assignment(st)
        if target is None or not isinstance(value, ast.Call):
            continue
        kind = _func(value)
        rels = index.models.setdefault(cls.name, {})
        if kind in _DJANGO_ONE | _DJANGO_MANY:
            rels[target] = Relation(many=kind in _DJANGO_MANY)
            other = _name(value.args[0] if value.args else _kw(value, "to"))
            reverse = _name(_kw(value, "related_name")) or f"{cls.name.lower()}_set"
            if other and other != "self" and not reverse.endswith("+"):
                many = kind != "OneToOneField"
                index.models.setdefault(other, {}).setdefault(reverse, Relation(many=many))
        elif kind == "relationship":
            lazy = _name(_kw(value, "lazy")) or "select"
            many = _many(st, value)
            rels[target] = Relation(many=many, lazy=lazy not in _EAGER)
            other = _name(value.args[0] if value.args else None)
            backref = _name(_kw(value, "backref"))
            if other and backref:
                index.models.setdefault(other, {}).setdefault(backref, Relation(many=True))


def _many(st: ast.stmt, call: ast.Call) -> bool:
    uselist = _kw(call, "uselist")
    if isinstance(uselist, ast.Constant):
        return bool(uselist.value)
    if isinstance(st, ast.AnnAssign):
        text = ast.unparse(st.annotation)
        return any(k in text for k in ("list[", "List[", "Set[", "set["))
    return False


def _assignment(st: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
        return st.targets[0].id, st.value
    if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
        return st.target.id, st.value
    return None, None


def _serializer_class(index: ModelIndex, cls: ast.ClassDef, path: str) -> None:
    if not any("Serializer" in _name(b) for b in cls.bases):
        return
    model = ""
    for st in cls.body:
        if isinstance(st, ast.ClassDef) and st.name == "Meta":
            for inner in st.body:
                target, value = _assignment(inner)
                if target == "model":
                    model = _name(value)
    ser = Serializer(path, model)
    methods = {
        st.name: st for st in cls.body if isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    for st in cls.body:
        target, value = _assignment(st)
        if target is None or not isinstance(value, ast.Call):
            continue
        source = _name(_kw(value, "source")) if _kw(value, "source") is not None else ""
        source_text = _kw(value, "source")
        dotted = source_text.value if isinstance(source_text, ast.Constant) else ""
        kind = _func(value)
        if kind.endswith("Serializer") and kind != "SerializerMethodField":
            ser.reads[str(dotted or target).split(".")[0]] = st.lineno
        elif isinstance(dotted, str) and "." in dotted:
            ser.reads[dotted.split(".")[0]] = st.lineno
        elif kind == "SerializerMethodField":
            name = source or f"get_{target}"
            method = methods.get(_name(_kw(value, "method_name")) or name)
            for rel in _obj_reads(method):
                ser.reads.setdefault(rel, st.lineno)
    index.serializers[cls.name] = ser


def _obj_reads(method: ast.FunctionDef | ast.AsyncFunctionDef | None) -> list[str]:
    """Attributes read off the method's object argument (`obj.items.count()` -> "items")."""
    if method is None or len(method.args.args) < 2:
        return []
    obj = method.args.args[1].arg
    out = []
    for node in ast.walk(method):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == obj
        ):
            out.append(node.attr)
    return out


def worth_indexing(text: str) -> bool:
    return any(m in text for m in _MARKERS)


def imported_modules(tree: ast.Module, path: str) -> list[str]:
    """Repository paths of the modules a file imports by name (`from .models import Order`)."""
    folder = posixpath.dirname(path)
    out: list[str] = []
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or (node.module is None and not node.level):
            continue
        parts = (node.module or "").split(".") if node.module else []
        if node.level:
            base = folder
            for _ in range(node.level - 1):
                base = posixpath.dirname(base)
            stem = posixpath.join(base, *parts) if parts else base
        else:
            stem = posixpath.join(*parts) if parts else ""
        if stem and any(k in stem for k in ("model", "serializer", "schema", "entit")):
            out.extend([f"{stem}.py", f"{stem}/__init__.py"])
    return out


def extend_from_source(
    index: ModelIndex, trees: list[tuple[str, ast.Module]], source: ContentSource, seen: set[str]
) -> None:
    """Models and serializers of the modules the changed files import, read at head."""
    reads = 0
    for path, tree in trees:
        siblings = []
        if any(s.path == path for s in index.serializers.values()):
            folder = posixpath.dirname(path)
            siblings = [posixpath.join(folder, name) for name in _VIEW_MODULES]
        for candidate in [*imported_modules(tree, path), *siblings]:
            if candidate in seen or reads >= _MAX_READS:
                continue
            seen.add(candidate)
            reads += 1
            text = source.read(candidate, side="head")
            if text is None or not worth_indexing(text):
                continue
            try:
                add_module(index, ast.parse(text), candidate)
            except (SyntaxError, ValueError, RecursionError):
                continue
