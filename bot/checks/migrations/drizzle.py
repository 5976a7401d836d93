"""Drizzle schemas in TypeScript (`pgTable("users", { ... }, (t) => [...])`), read into a Schema.

drizzle-kit generates the migration from the difference between the schema it last saw and
this file, so the hazards are those of the base-to-head difference. Read with brackets and
patterns, never run. `$defaultFn`/`$default` are application-side: the column has no
database default. Executed `sql\\`...\\`` in migration scripts is linted as SQL elsewhere.
"""

from __future__ import annotations

import bisect
import re

from bot.checks.migrations.schema_diff import Column, Index, Schema, Table

_TABLE = re.compile(r"\b(?:pg|mysql|sqlite)Table\(\s*[\"'`]([\w.]+)[\"'`]\s*,\s*\{")
_COLUMN = re.compile(r"(?m)^[ \t]*[\"']?(\w+)[\"']?\s*:\s*(\w+)\(\s*(?:[\"'`](\w+)[\"'`])?")
_INDEX = re.compile(r"\b(uniqueIndex|index|unique|foreignKey|check)\(\s*[\"'`]?(\w*)")
_LENGTH = re.compile(r"length\s*:\s*(\d+)")
_DEFAULT = re.compile(r"\.default\((.*?)\)(?=\s*(?:\.|,|$))|\.default(Now|Random)\(\)", re.DOTALL)
_TYPES = {
    "serial": "integer",
    "integer": "integer",
    "int": "integer",
    "bigserial": "bigint",
    "bigint": "bigint",
    "smallint": "smallint",
    "text": "text",
    "boolean": "boolean",
    "timestamp": "timestamp",
    "date": "date",
    "uuid": "uuid",
    "jsonb": "jsonb",
    "json": "json",
    "numeric": "numeric",
    "decimal": "numeric",
    "real": "real",
    "doublePrecision": "double precision",
}


def _close(text: str, start: int, opening: str, closing: str) -> int:
    """Offset just after the bracket that closes the one at `start`."""
    depth = 0
    quote = ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _column_type(builder: str, rest: str) -> str:
    if builder in {"varchar", "char"}:
        m = _LENGTH.search(rest.split(")", 1)[0])
        base = "varchar" if builder == "varchar" else "char"
        return f"{base}({m.group(1)})" if m else base
    return _TYPES.get(builder, builder.lower())


def parse_drizzle(text: str) -> Schema:
    """Every table the file declares, with its columns and extra-config indexes."""
    starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    schema: Schema = {}
    headers = list(_TABLE.finditer(text))
    for k, m in enumerate(headers):
        limit = headers[k + 1].start() if k + 1 < len(headers) else len(text)
        body_start = m.end() - 1
        body_end = min(_close(text, body_start, "{", "}"), limit)
        call_end = min(_close(text, m.start() + m.group(0).index("("), "(", ")"), limit)
        table = Table(m.group(1), line(m.start()))
        body = text[body_start:body_end]
        found = list(_COLUMN.finditer(body))
        for i, col in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(body)
            chunk = body[col.start() : end]
            name = col.group(3) or col.group(1)
            default = _DEFAULT.search(chunk)
            value = None
            if default is not None:
                value = {"Now": "now()", "Random": "gen_random_uuid()"}.get(
                    default.group(2) or "", default.group(1) or ""
                )
            table.columns[name] = Column(
                name,
                line(body_start + col.start() + len(col.group(0)) - len(col.group(0).lstrip())),
                _column_type(col.group(2), chunk[col.end() - col.start() :]),
                nullable=".notNull()" not in chunk and ".primaryKey()" not in chunk,
                default=value,
                unique=".unique()" in chunk,
                references=".references(" in chunk,
                end=line(body_start + col.start() + len(chunk.rstrip())),
            )
        for extra in _INDEX.finditer(text, body_end, call_end):
            kind, name, at = extra.group(1), extra.group(2), line(extra.start())
            if kind in {"index", "uniqueIndex"}:
                table.indexes[name] = Index(name, at, kind == "uniqueIndex")
            elif kind == "foreignKey":
                table.foreign_keys[name or f"line {at}"] = at
            elif kind == "check":
                table.checks[name] = at
            else:
                table.uniques[name or f"line {at}"] = at
        schema[table.name] = table
    return schema
