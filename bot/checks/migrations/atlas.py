"""Atlas HCL schemas (`table "users" { column "email" { ... } }`), read into a Schema.

A small line reader for the blocks Atlas writes (`atlas schema inspect`) and people edit:
`table`, `column`, `index`, `foreign_key`, `check`, `unique`; one attribute per line. Columns
are NOT NULL unless `null = true`, as in Atlas. Never evaluated.
"""

from __future__ import annotations

import re

from bot.checks.migrations.schema_diff import Column, Index, Schema, Table

_BLOCK = re.compile(r'^\s*(\w+)(?:\s+"([^"]+)")?\s*\{\s*(.*)$')
_ATTR = re.compile(r"^\s*(\w+)\s*=\s*(.+?)\s*,?\s*$")
_CLOSE = re.compile(r"^\s*\}")
_SQL_CALL = re.compile(r'^sql\(\s*"(.*)"\s*\)$')


def _value(raw: str) -> str:
    raw = raw.strip()
    if m := _SQL_CALL.match(raw):
        return m.group(1)
    return raw.strip('"')


def _type(raw: str) -> str:
    t = " ".join(_value(raw).lower().replace('"', "").split())
    t = re.sub(r"^sql\((.*)\)$", r"\1", t)
    return {"int": "integer", "int4": "integer", "int8": "bigint", "bool": "boolean"}.get(t, t)


def parse_atlas(text: str) -> Schema:
    """Tables with their columns, indexes and constraints, with the line each starts on."""
    schema: Schema = {}
    stack: list[tuple[str, str, int]] = []  # (block kind, name, line)
    attrs: list[dict[str, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        code = line.split("#", 1)[0].split("//", 1)[0]
        if m := _BLOCK.match(code):
            stack.append((m.group(1), m.group(2) or "", number))
            attrs.append({})
            rest = m.group(3)
            for part in rest.rstrip("}").split(";") if rest.strip() else []:
                if a := _ATTR.match(part):
                    attrs[-1][a.group(1)] = a.group(2)
            if rest.strip().endswith("}"):
                _close(schema, stack, attrs, number)
            continue
        if _CLOSE.match(code) and stack:
            _close(schema, stack, attrs, number)
        elif (a := _ATTR.match(code)) and attrs:
            attrs[-1][a.group(1)] = a.group(2)
    return schema


def _close(
    schema: Schema, stack: list[tuple[str, str, int]], attrs: list[dict[str, str]], end: int
) -> None:
    kind, name, line = stack.pop()
    values = attrs.pop()
    if kind == "table" and not stack:
        table = schema.setdefault(name, Table(name, line))
        table.line = line
        return
    if not stack or stack[-1][0] != "table":
        return
    table_name = stack[-1][1]
    table = schema.setdefault(table_name, Table(table_name, stack[-1][2]))
    if kind == "column":
        default = values.get("default")
        table.columns[name] = Column(
            name,
            line,
            _type(values.get("type", "")),
            nullable=values.get("null", "false").strip() == "true",
            default=_value(default) if default is not None else None,
            end=end,
        )
    elif kind == "index":
        table.indexes[name] = Index(name, line, values.get("unique", "").strip() == "true")
    elif kind == "foreign_key":
        table.foreign_keys[name] = line
    elif kind == "check":
        table.checks[name] = line
    elif kind == "unique":
        table.uniques[name] = line
