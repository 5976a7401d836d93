"""From two versions of a spec's text to located contract changes.

`yaml.compose` gives every node's start mark, so a JSON pointer maps to the line of its key;
JSON is YAML, so one map serves both. The map is built only when there is a change to place.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.checks.openapi_changes import ContractChange
from bot.checks.openapi_diff import diff_specs
from bot.checks.openapi_spec import Doc, Ptr, SpecChange, parse_spec

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def line_map(text: str) -> dict[Ptr, int]:
    """JSON pointer (as a tuple) -> 1-based line of its key (or item) in the text."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except (yaml.YAMLError, RecursionError):
        return {}
    out: dict[Ptr, int] = {}
    if root is None:
        return out
    out[()] = root.start_mark.line + 1
    stack: list[tuple[yaml.Node, Ptr]] = [(root, ())]
    while stack:
        node, ptr = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*ptr, str(key.value))
                out.setdefault(child, key.start_mark.line + 1)
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                out.setdefault((*ptr, i), item.start_mark.line + 1)
                stack.append((item, (*ptr, i)))
    return out


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


def _locate(change: SpecChange, old: dict[Ptr, int], new: dict[Ptr, int]) -> ContractChange:
    return ContractChange(
        rule=change.rule,
        severity=change.severity,
        title=change.title,
        body=change.body,
        new_line=_line(new, change.new_ptr),
        old_line=old.get(change.old_ptr) if change.old_ptr else None,
        new_parents=_parents(new, change.new_ptr),
        removal=change.removal,
    )


def spec_changes(base_text: str, head_text: str) -> list[ContractChange] | None:
    """Located changes between two versions; None when either side is not a parsable spec."""
    base, head = parse_spec(base_text), parse_spec(head_text)
    if base is None or head is None:
        return None
    try:
        found = diff_specs(Doc(base), Doc(head))
    except RecursionError:
        return None
    if not found:
        return []
    old, new = line_map(base_text), line_map(head_text)
    return [_locate(c, old, new) for c in found]
