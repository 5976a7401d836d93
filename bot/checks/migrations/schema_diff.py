"""Declarative schemas (Atlas HCL, Drizzle `pgTable`): compare base and head, report hazards.

A declarative schema says what the database should look like; the tool (atlas, drizzle-kit)
writes the DDL. So the hazards are read from the difference between the base and the head
schema: what the generated migration will do. A table or column that disappears with another
of the same shape appearing in its place is read as a rename, as drizzle-kit and atlas ask.
Removals sit on the removed line (the LEFT side of the diff).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.checks.migrations.pyast import VOLATILE_SQL
from bot.checks.migrations.rules import make_finding
from bot.checks.migrations.sql_sources import is_widening
from bot.models import Finding


@dataclass
class Column:
    name: str
    line: int
    type: str
    nullable: bool
    default: str | None = None  # the database default's text, None when there is none
    unique: bool = False
    references: bool = False
    end: int = 0  # last line of the definition (0: the first line only)


@dataclass
class Index:
    name: str
    line: int
    unique: bool = False


@dataclass
class Table:
    name: str
    line: int
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    foreign_keys: dict[str, int] = field(default_factory=dict)  # name -> line
    checks: dict[str, int] = field(default_factory=dict)
    uniques: dict[str, int] = field(default_factory=dict)


Schema = dict[str, Table]


@dataclass
class Sides:
    """Where findings may go: added lines (head) and removed lines (base) of the file."""

    path: str
    added: frozenset[int]
    removed: frozenset[int]
    fix: dict[str, str] = field(default_factory=dict)  # rule -> the tool's own safe way
    findings: list[Finding] = field(default_factory=list)

    def new(self, line: int, rule: str, detail: str, end: int = 0) -> None:
        line = next((n for n in range(line, max(line, end) + 1) if n in self.added), line)
        if line in self.added:
            self.findings.append(
                make_finding(self.path, line, rule, detail=detail, fix=self.fix.get(rule))
            )

    def old(self, line: int, rule: str, detail: str) -> None:
        if line in self.removed:
            found = make_finding(self.path, line, rule, detail=detail, fix=self.fix.get(rule))
            self.findings.append(found.model_copy(update={"side": "LEFT"}))


def _shape(table: Table) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((c.name, c.type) for c in table.columns.values()))


def compare(old: Schema, new: Schema, out: Sides) -> None:
    """Every hazard of going from the old schema to the new one."""
    gone = {n: t for n, t in old.items() if n not in new}
    born = {n: t for n, t in new.items() if n not in old}
    for name, table in list(born.items()):
        twin = next((o for o in gone.values() if _shape(o) == _shape(table)), None)
        if twin is not None and table.columns:
            out.new(table.line, "renaming-table", f"Table `{twin.name}` is renamed to `{name}`.")
            del gone[twin.name], born[name]
    for name, table in gone.items():
        out.old(table.line, "ban-drop-table", f"Table `{name}` is removed from the schema.")
    for name, table in new.items():
        if name in old:
            _table(old[name], table, out)


def _table(old: Table, new: Table, out: Sides) -> None:
    gone = {n: c for n, c in old.columns.items() if n not in new.columns}
    born = {n: c for n, c in new.columns.items() if n not in old.columns}
    for name, col in list(born.items()):
        twin = next((o for o in gone.values() if o.type == col.type), None)
        if twin is not None and len(gone) == 1 and len(born) == 1:
            out.new(col.line, "renaming-column", f"`{new.name}.{twin.name}` becomes `{name}`.")
            del gone[twin.name], born[name]
    for name, col in gone.items():
        out.old(col.line, "ban-drop-column", f"Column `{old.name}.{name}` is removed.")
    for col in born.values():
        _added_column(new.name, col, out)
    for name, col in new.columns.items():
        if name in old.columns:
            _changed_column(new.name, old.columns[name], col, out)
    for name, idx in new.indexes.items():
        if name not in old.indexes:
            what = "unique index" if idx.unique else "index"
            out.new(
                idx.line,
                "require-concurrent-index-creation",
                f"A new {what} `{name}` on `{new.name}` is built without CONCURRENTLY.",
            )
    for name, idx in old.indexes.items():
        if name not in new.indexes:
            out.old(idx.line, "require-concurrent-index-deletion", f"Index `{name}` is dropped.")
    _constraints(old, new, out)


def _constraints(old: Table, new: Table, out: Sides) -> None:
    for name, line in new.foreign_keys.items():
        if name not in old.foreign_keys:
            out.new(line, "adding-foreign-key-constraint", f"Foreign key `{name}` is added.")
    for name, line in new.checks.items():
        if name not in old.checks:
            out.new(line, "constraint-missing-not-valid", f"Check `{name}` is added.")
    for name, line in new.uniques.items():
        if name not in old.uniques:
            out.new(line, "disallowed-unique-constraint", f"Unique `{name}` is added.")


def _added_column(table: str, col: Column, out: Sides) -> None:
    where = f"`{table}.{col.name}`"
    if col.default is not None and VOLATILE_SQL.search(col.default):
        out.new(
            col.line,
            "adding-field-with-default",
            f"{where} is added with the volatile default `{col.default}`.",
        )
    elif not col.nullable and col.default is None:
        out.new(
            col.line,
            "adding-required-field",
            f"{where} is added NOT NULL without a database default.",
        )
    if col.references:
        out.new(col.line, "adding-foreign-key-constraint", f"{where} references another table.")
    if col.unique:
        out.new(col.line, "disallowed-unique-constraint", f"{where} is added as unique.")


def _changed_column(table: str, old: Column, new: Column, out: Sides) -> None:
    where = f"`{table}.{new.name}`"
    if old.type != new.type and not is_widening(old.type, new.type):
        out.new(
            new.line,
            "changing-column-type",
            f"{where} changes type from `{old.type}` to `{new.type}`.",
            new.end,
        )
    if old.nullable and not new.nullable:
        out.new(new.line, "adding-not-nullable-field", f"{where} becomes NOT NULL.", new.end)
    elif new.nullable and not old.nullable:
        out.new(new.line, "ban-drop-not-null", f"{where} becomes nullable.", new.end)
    if new.unique and not old.unique:
        out.new(new.line, "disallowed-unique-constraint", f"{where} becomes unique.", new.end)
    if new.references and not old.references:
        out.new(
            new.line, "adding-foreign-key-constraint", f"{where} now references a table.", new.end
        )
