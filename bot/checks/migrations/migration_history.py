"""A Django field's previous definition: the app's earlier migrations, else the model's base.

`AlterField` carries only the new definition. Whether it adds NOT NULL or changes the column
type depends on the one before, which lives in the migrations this one depends on (walked
back through `dependencies` of the same app, read from the diff or at the base revision) or,
failing that, in the app's `models.py` at the base revision. Everything is parsed, never run.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator, Mapping

from bot.checks.migrations.pyast import argument, call_name, literal_str, parse_python
from bot.models import ContentSource

_MAX_FILES = 80  # migrations read per lookup, at most


class History:
    """Earlier migrations and base models of an app, read lazily and cached."""

    def __init__(self, source: ContentSource | None, diff_texts: Mapping[str, str]) -> None:
        self.source = source
        self.diff_texts = diff_texts
        self._trees: dict[str, ast.Module | None] = {}

    def _tree(self, path: str, *, side: str = "either") -> ast.Module | None:
        key = f"{side}:{path}"
        if key not in self._trees:
            text = self.diff_texts.get(path) if side == "either" else None
            if text is None and self.source is not None:
                text = self.source.read(path, side="base")
                if text is None and side == "either":
                    text = self.source.read(path, side="head")
            self._trees[key] = parse_python(text) if text is not None else None
        return self._trees[key]

    def previous_field(
        self, path: str, tree: ast.Module, model: str, name: str, *, before: int = 0
    ) -> ast.Call | None:
        """The field's definition before the operation on line `before` of this migration
        (earlier operations of the same migration first), or None when it cannot be known."""
        found, name = _defined_in(tree, model, name, before=before)
        if found is not None:
            return found
        folder = posixpath.dirname(path)
        seen = {path}
        queue = _own_dependencies(tree, folder)
        read = 0
        while queue and read < _MAX_FILES:
            dep = queue.pop(0)
            if dep in seen:
                continue
            seen.add(dep)
            earlier = self._tree(dep)
            read += 1
            if earlier is None:
                continue
            found, name = _defined_in(earlier, model, name)
            if found is not None:
                return found
            queue.extend(_own_dependencies(earlier, folder))
        return self._from_models(folder, model, name)

    def _from_models(self, folder: str, model: str, name: str) -> ast.Call | None:
        """The field as the app's models.py declares it at the base revision."""
        app = posixpath.dirname(folder)
        tree = self._tree(posixpath.join(app, "models.py"), side="base")
        if tree is None:
            return None
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name.lower() == model:
                for st in node.body:
                    if (
                        isinstance(st, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == name for t in st.targets)
                        and isinstance(st.value, ast.Call)
                    ):
                        return st.value
        return None


def _own_dependencies(tree: ast.Module, folder: str) -> list[str]:
    """Paths of the migrations of the same app that this one depends on (newest first)."""
    label = posixpath.basename(posixpath.dirname(folder))
    deps: list[tuple[str, str]] = []
    for value in _class_values(tree, "dependencies"):
        if isinstance(value, ast.List | ast.Tuple):
            for item in value.elts:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                    app, name = literal_str(item.elts[0]), literal_str(item.elts[1])
                    if app is not None and name is not None:
                        deps.append((app, name))
    own = [n for a, n in deps if a == label] or ([deps[0][1]] if len(deps) == 1 else [])
    return [posixpath.join(folder, f"{n}.py") for n in own if "__" not in n]


def _class_values(tree: ast.Module, attr: str) -> Iterator[ast.expr]:
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for st in node.body:
                if isinstance(st, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == attr for t in st.targets
                ):
                    yield st.value


def _all_operations(node: ast.expr) -> list[ast.Call]:
    """Every operation, including both sides of SeparateDatabaseAndState (state matters)."""
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    out: list[ast.Call] = []
    for item in node.elts:
        if isinstance(item, ast.Call) and call_name(item) == "SeparateDatabaseAndState":
            for key, pos in (("state_operations", 1), ("database_operations", 0)):
                inner = argument(item, pos, key)
                if inner is not None:
                    out.extend(_all_operations(inner))
        elif isinstance(item, ast.Call):
            out.append(item)
    return out


def _defined_in(
    tree: ast.Module, model: str, name: str, *, before: int = 0
) -> tuple[ast.Call | None, str]:
    """The last definition of model.name in a migration (above line `before`, when given),
    following renames backwards."""
    ops = [op for value in _class_values(tree, "operations") for op in _all_operations(value)]
    if before:
        ops = [op for op in ops if op.lineno < before]
    for op in reversed(ops):
        kind = call_name(op)
        if kind == "CreateModel":
            if (literal_str(argument(op, 0, "name")) or "").lower() != model:
                continue
            fields = argument(op, 1, "fields")
            for item in fields.elts if isinstance(fields, ast.List | ast.Tuple) else []:
                if (
                    isinstance(item, ast.Tuple)
                    and len(item.elts) == 2
                    and literal_str(item.elts[0]) == name
                    and isinstance(item.elts[1], ast.Call)
                ):
                    return item.elts[1], name
            continue
        if (literal_str(argument(op, 0, "model_name")) or "").lower() != model:
            continue
        if kind == "RenameField" and literal_str(argument(op, 2, "new_name")) == name:
            name = literal_str(argument(op, 1, "old_name")) or name
        elif kind in {"AddField", "AlterField"} and literal_str(argument(op, 1, "name")) == name:
            fld = argument(op, 2, "field")
            if isinstance(fld, ast.Call):
                return fld, name
    return None, name
