"""From two versions of a spec's text to located contract changes.

`yaml.compose` gives every node's start mark, so a JSON pointer maps to the line of its key;
JSON is YAML, so one map serves both. The map is built only when there is a change to place.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver

from bot.checks.contracts.changes import ContractChange
from bot.checks.contracts.openapi.diff import diff_specs
from bot.checks.contracts.openapi.refs import External, Reader, file_of
from bot.checks.contracts.openapi.spec import Doc, Ptr, SpecChange, is_spec, parse_spec

_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_NULL = {"", "~", "null", "Null", "NULL"}
_NUMERIC_START = frozenset("0123456789-+.")


_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


def _make_loader() -> Any:
    """libyaml's parser without PyYAML's per-scalar regex resolution (`_scalar` types plain
    scalars itself): composing a large spec gets about a third cheaper. Without libyaml,
    the pure-Python SafeLoader composes the same nodes."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return yaml.SafeLoader

    class Loader(CParser, SafeConstructor, BaseResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            BaseResolver.__init__(self)

        # libyaml asks Python for every node's tag and path context; `_scalar` types values
        # itself, so constant answers do (a measurable share of a large spec's load time).
        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return _TAGS.get(kind, "tag:yaml.org,2002:str")

    return Loader


_Loader = _make_loader()


def _int_with_prefix(value: str) -> int:
    return int(value, 0)  # 0x1f, 0o17, 0b1


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value: quoted scalars are text; plain ones are null, bool, number or text."""
    value = node.value
    if node.style:  # quoted or block; plain is None (Python parser) or "" (libyaml)
        return value
    if value in _NULL:
        return None
    flag = _BOOL.get(value.lower())
    if flag is not None:
        return flag
    if value[0] in _NUMERIC_START:
        for convert in (int, _int_with_prefix, float):
            try:
                return convert(value)
            except ValueError:
                continue
    return value


def load_with_lines(text: str) -> tuple[Any, dict[Ptr, int]] | None:
    """The YAML (or JSON) document as data, plus JSON pointer -> 1-based line of its key or item.

    One `compose` (libyaml when available) serves both: much cheaper than `load` and `compose`
    separately, which matters when a change touches hundreds of specs.
    """
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    lines: dict[Ptr, int] = {}
    if root is None:
        return None, lines
    lines[()] = root.start_mark.line + 1
    return _Builder(lines).build(root, ()), lines


class _Builder:
    """Nodes to data. An alias is the same node object, built once and shared (as PyYAML
    does), so a "billion laughs" document costs its size, not its expansion."""

    def __init__(self, lines: dict[Ptr, int]) -> None:
        self.lines = lines
        self.built: dict[int, Any] = {}

    def build(self, node: yaml.Node, ptr: Ptr, depth: int = 0) -> Any:
        if depth > 200:
            raise RecursionError("document nested too deeply")
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if id(node) in self.built:
            return self.built[id(node)]
        if isinstance(node, yaml.SequenceNode):
            items: list[Any] = []
            self.built[id(node)] = items
            for i, item in enumerate(node.value):
                self.lines.setdefault((*ptr, i), item.start_mark.line + 1)
                items.append(self.build(item, (*ptr, i), depth + 1))
            return items
        out: dict[Any, Any] = {}
        self.built[id(node)] = out
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag.endswith(":merge") or key_node.value == "<<":
                value = self.build(value_node, ptr, depth + 1)
                merged.extend(value if isinstance(value, list) else [value])
                continue
            key = (
                _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            )
            child = (*ptr, str(key))
            self.lines.setdefault(child, key_node.start_mark.line + 1)
            out[key] = self.build(value_node, child, depth + 1)
        for source in merged:  # `<<: *base`: explicit keys win over merged ones
            for key, value in source.items() if isinstance(source, dict) else ():
                out.setdefault(key, value)
        return out


def line_map(text: str) -> dict[Ptr, int]:
    """JSON pointer (as a tuple) -> 1-based line of its key (or item) in the text."""
    loaded = load_with_lines(text)
    return loaded[1] if loaded else {}


def _line(lines: dict[Ptr, int], ptr: Ptr | None) -> int | None:
    """The line of the pointer, or of its nearest ancestor that has one."""
    if ptr is None:
        return None
    for end in range(len(ptr), 0, -1):
        found = lines.get(ptr[:end])
        if found is not None:
            return found
    return None


def _parents(lines: dict[Ptr, int], ptr: Ptr | None) -> tuple[int, ...]:
    if not ptr:
        return ()
    found = (lines.get(ptr[:end]) for end in range(len(ptr) - 1, 0, -1))
    return tuple(n for n in found if n is not None)


Side = tuple[dict[Ptr, int], External | None]


def _in_file(ptr: Ptr | None, side: Side) -> tuple[str | None, dict[Ptr, int], Ptr | None]:
    """(other file or None, its line map, the pointer within it)."""
    other = file_of(ptr) if ptr else None
    if other is None or ptr is None:
        return None, side[0], ptr
    return other, (side[1].lines(other) if side[1] else {}), ptr[1:]


def _locate(change: SpecChange, old: Side, new: Side) -> ContractChange:
    new_file, new_lines, new_ptr = _in_file(change.new_ptr, new)
    old_file, old_lines, old_ptr = _in_file(change.old_ptr, old)
    path = new_file if change.new_ptr is not None else old_file
    if change.new_ptr is not None and change.old_ptr is not None and old_file != new_file:
        old_ptr = None  # the removed node is in another file than the change is reported in
    return ContractChange(
        rule=change.rule,
        severity=change.severity,
        title=change.title,
        body=change.body,
        new_line=_line(new_lines, new_ptr),
        old_line=old_lines.get(old_ptr) if old_ptr else None,
        new_parents=_parents(new_lines, new_ptr),
        removal=change.removal,
        path=path,
    )


@lru_cache(maxsize=64)  # monorepos repeat specs (per-service copies, generated clients)
def _load(text: str) -> tuple[Any, dict[Ptr, int] | None] | None:
    """JSON is parsed by `json` (fast) and mapped to lines only if needed; YAML in one pass."""
    if text.lstrip().startswith("{"):
        return parse_spec(text), None
    loaded = load_with_lines(text)
    if loaded is None:
        return None
    data, lines = loaded
    return (data if is_spec(data) else None), lines


def _external(read: Reader | None) -> External | None:
    return External(read, load_with_lines) if read is not None else None


def spec_changes(
    base_text: str,
    head_text: str,
    *,
    today: date | None = None,
    path: str = "",
    read_base: Reader | None = None,
    read_head: Reader | None = None,
) -> list[ContractChange] | None:
    """Located changes between two versions; None when either side is not a parsable spec.

    Sunset dates are judged against `today` (the current date when not given). With readers,
    `$ref`s to other files (relative to `path`) are followed at the same revision; a change
    inside such a file names it in `ContractChange.path`.
    """
    base, head = _load(base_text), _load(head_text)
    if base is None or head is None or base[0] is None or head[0] is None:
        return None
    b_ext, h_ext = _external(read_base), _external(read_head)
    try:
        found = diff_specs(
            Doc(base[0], path=path, external=b_ext), Doc(head[0], path=path, external=h_ext), today
        )
    except RecursionError:
        return None
    if not found:
        return []
    old = base[1] if base[1] is not None else line_map(base_text)
    new = head[1] if head[1] is not None else line_map(head_text)
    return [_locate(c, (old, b_ext), (new, h_ext)) for c in found]
