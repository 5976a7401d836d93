"""Python string building read from the syntax tree: which parts are fixed, which are values.

f-strings, `%` formatting, `str.format()` and `+` concatenation all become one list of parts
(text, or the expression spliced in), which the SQL checks lint and the injection rule turns
into a parameterised call when it can do so faithfully.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass

from bot.checks.queries.common import PLACEHOLDER

Part = str | ast.expr

_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?([sdifrgeEGxXouc%])")
_SAFE_CALLS = {"int", "float", "len", "bool", "round", "abs", "quote_name", "quote_ident"}
_SAFE_NAME = re.compile(r"(^|_)(table|tablename|table_name|db_table|schema)$", re.IGNORECASE)


@dataclass(frozen=True)
class Built:
    """A string assembled at run time: its parts and how it was assembled."""

    parts: tuple[Part, ...]
    how: str  # "an f-string", "% formatting", "str.format()", "string concatenation"
    plain: bool  # every spliced part is a bare value (no conversion or format spec)

    @property
    def values(self) -> list[ast.expr]:
        return [p for p in self.parts if not isinstance(p, str)]

    @property
    def unsafe(self) -> list[ast.expr]:
        """Spliced values that may carry data from outside (not constants, counts, placeholders)."""
        return [v for v in self.values if not is_safe_value(v)]

    def text(self) -> str:
        """The SQL with each spliced value replaced by an identifier-like placeholder."""
        out: list[str] = []
        n = 0
        for p in self.parts:
            if isinstance(p, str):
                out.append(p)
            else:
                n += 1
                out.append(PLACEHOLDER.format(n))
        return "".join(out)

    def static_text(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


def build_of(node: ast.expr) -> Built | None:
    """The parts of a run-time string expression, or None when `node` is not one."""
    if isinstance(node, ast.JoinedStr):
        return _joined(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and _is_str(node.left):
        return _percent(str(getattr(node.left, "value", "")), node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concat(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target = node.func.value
        if node.func.attr == "format" and _is_str(target):
            return _format(str(getattr(target, "value", "")), node)
    return None


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _joined(node: ast.JoinedStr) -> Built:
    parts: list[Part] = []
    plain = True
    for v in node.values:
        if isinstance(v, ast.Constant) and isinstance(v.value, str):
            parts.append(v.value)
        elif isinstance(v, ast.FormattedValue):
            plain = plain and v.conversion == -1 and v.format_spec is None
            parts.append(v.value)
    return Built(tuple(parts), "an f-string", plain)


def _percent(fmt: str, right: ast.expr) -> Built | None:
    positional = list(right.elts) if isinstance(right, ast.Tuple) else [right]
    keyed: dict[str, ast.expr] = {}
    if isinstance(right, ast.Dict):
        keyed = {
            k.value: v
            for k, v in zip(right.keys, right.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
    parts: list[Part] = []
    pos, index = 0, 0
    plain = True
    for m in _PERCENT.finditer(fmt):
        parts.append(fmt[pos : m.start()])
        pos = m.end()
        if m.group(2) == "%":
            parts.append("%")
            continue
        plain = plain and m.group(0) in ("%s", "%d")
        if m.group(1):
            value = keyed.get(m.group(1))
        else:
            value = positional[index] if index < len(positional) else None
            index += 1
        if value is None:
            return None
        parts.append(value)
    parts.append(fmt[pos:])
    return Built(tuple(p for p in parts if p != ""), "% formatting", plain)


def _format(fmt: str, call: ast.Call) -> Built | None:
    keyed = {k.arg: k.value for k in call.keywords if k.arg}
    parts: list[Part] = []
    auto = 0
    plain = True
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return None
    for literal, name, spec, conversion in fields:
        if literal:
            parts.append(literal)
        if name is None:
            continue
        plain = plain and not spec and not conversion
        if name == "":
            value: ast.expr | None = call.args[auto] if auto < len(call.args) else None
            auto += 1
        elif name.isdigit():
            value = call.args[int(name)] if int(name) < len(call.args) else None
        else:
            value = keyed.get(name)
            plain = plain and name in keyed
        if value is None:
            return None
        parts.append(value)
    return Built(tuple(parts), "str.format()", plain)


def _concat(node: ast.BinOp) -> Built | None:
    operands: list[ast.expr] = []

    def flatten(e: ast.expr) -> None:
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
            flatten(e.left)
            flatten(e.right)
        else:
            operands.append(e)

    flatten(node)
    if not any(isinstance(o, ast.Constant | ast.JoinedStr) for o in operands):
        return None  # numbers or lists being added, not a string being built
    parts: list[Part] = []
    for o in operands:
        if isinstance(o, ast.Constant):
            if not isinstance(o.value, str):
                return None
            parts.append(o.value)
        elif isinstance(o, ast.JoinedStr):
            parts.extend(_joined(o).parts)
        else:
            parts.append(o)
    return Built(tuple(parts), "string concatenation", True)


def is_safe_value(node: ast.expr) -> bool:
    """Values that cannot carry an injection: constants, numbers, counts, placeholder lists."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _constant_items(node)
    if isinstance(node, ast.Name | ast.Attribute):
        word = node.id if isinstance(node, ast.Name) else node.attr
        return word.isupper() or bool(_SAFE_NAME.search(word))
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in _SAFE_CALLS:
            return True
        return name == "join" and len(node.args) == 1 and _constant_items(node.args[0])
    return False


def _constant_items(node: ast.expr) -> bool:
    """`["%s"] * len(ids)`, `"?" * n`, `("%s" for _ in ids)`: repeated placeholders."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _constant_items(node.left) or _constant_items(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return all(isinstance(e, ast.Constant) for e in node.elts)
    if isinstance(node, ast.ListComp | ast.GeneratorExp):
        return isinstance(node.elt, ast.Constant)
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
