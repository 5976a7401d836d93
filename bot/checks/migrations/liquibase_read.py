"""Liquibase changelogs (XML, YAML, JSON) read into a flat list of changes with their lines.

XML is read with a tag tokenizer (no entity expansion, no DTDs); YAML and JSON with PyYAML's
safe composer, which keeps each node's line. `<rollback>` content does not run going forward
and is skipped; a changeSet runs in a transaction unless `runInTransaction="false"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

_TAG = re.compile(
    r"<!--.*?-->|<!\[CDATA\[(.*?)\]\]>|<\?.*?\?>|<!.*?>"
    r"|<(/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>",
    re.DOTALL,
)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_SQL_TAGS = frozenset({"sql", "createProcedure"})


@dataclass
class ColumnSpec:
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    constraints: dict[str, str] = field(default_factory=dict)


@dataclass
class Change:
    kind: str
    line: int
    attrs: dict[str, str] = field(default_factory=dict)
    columns: list[ColumnSpec] = field(default_factory=list)
    sql: str = ""
    sql_line: int = 0
    in_transaction: bool = True
    body_start: int = 0


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def read_xml(text: str) -> list[Change]:
    """Changes of every changeSet, in order."""
    out: list[Change] = []
    stack: list[str] = []
    in_tx = True
    current: Change | None = None
    for m in _TAG.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(3) is None:
            continue
        closing, name, self_closing = m.group(2) == "/", _local(m.group(3)), m.group(5) == "/"
        attrs = {
            a.group(1): a.group(2) if a.group(2) is not None else a.group(3) or ""
            for a in _ATTR.finditer(m.group(4) or "")
        }
        if closing:
            if current is not None and current.kind == name and stack[-1:] == [name]:
                if name in _SQL_TAGS:
                    body = text[current.body_start : m.start()]
                    current.sql = body.replace("<![CDATA[", " " * 9).replace("]]>", "   ")
                    current.sql_line = text.count("\n", 0, current.body_start) + 1
                current = None
            if stack and stack[-1] == name:
                stack.pop()
            continue
        parent = stack[-1] if stack else ""
        if name == "changeSet":
            in_tx = attrs.get("runInTransaction", "true").lower() != "false"
        elif parent == "changeSet" and "rollback" not in stack:
            current = Change(name, line, attrs, in_transaction=in_tx, body_start=m.end())
            out.append(current)
        elif current is not None and name == "column" and "rollback" not in stack:
            current.columns.append(ColumnSpec(line, attrs))
        elif current is not None and name == "constraints" and current.columns:
            current.columns[-1].constraints.update(attrs)
        if not self_closing:
            stack.append(name)
        elif current is not None and current.kind == name and parent == "changeSet":
            current = None
    return out


def read_yaml(text: str) -> list[Change]:
    """Changes of a YAML or JSON changelog (JSON is read as YAML, which keeps lines)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    out: list[Change] = []
    log = _get(root, "databaseChangeLog")
    for entry in log.value if isinstance(log, yaml.SequenceNode) else []:
        change_set = _get(entry, "changeSet")
        if change_set is None:
            continue
        in_tx = _scalar(_get(change_set, "runInTransaction")).lower() != "false"
        changes = _get(change_set, "changes")
        for item in changes.value if isinstance(changes, yaml.SequenceNode) else []:
            if isinstance(item, yaml.MappingNode):
                for key, body in item.value:
                    out.append(_change(str(key.value), key.start_mark.line + 1, body, in_tx))
    return out


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v  # type: ignore[no-any-return]
    return None


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _flat(node: yaml.Node | None) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): str(v.value) for k, v in node.value if isinstance(v, yaml.ScalarNode)}


def _change(kind: str, line: int, body: yaml.Node, in_tx: bool) -> Change:
    change = Change(kind, line, _flat(body), in_transaction=in_tx)
    columns = _get(body, "columns")
    for item in columns.value if isinstance(columns, yaml.SequenceNode) else []:
        col = _get(item, "column")
        if col is not None:
            spec = ColumnSpec(col.start_mark.line + 1, _flat(col), _flat(_get(col, "constraints")))
            change.columns.append(spec)
    sql = _get(body, "sql") if kind in _SQL_TAGS else None
    if sql is None and kind in _SQL_TAGS and isinstance(body, yaml.ScalarNode):
        sql = body
    if isinstance(sql, yaml.ScalarNode):
        change.sql = str(sql.value)
        block = sql.style in {"|", ">"}
        change.sql_line = sql.start_mark.line + 1 + (1 if block else 0)
    return change
