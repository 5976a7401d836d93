"""Liquibase changelogs: the hazards of each change type, and `<sql>` for squawk.

Liquibase never builds an index CONCURRENTLY by itself and validates constraints at once
(unless `validate="false"`, Liquibase 4.19+), so those are reported on existing tables; a
table created earlier in the same changelog is new and empty.
"""

from __future__ import annotations

from bot.checks.migrations.liquibase_read import Change, read_xml, read_yaml
from bot.checks.migrations.pyast import VOLATILE_SQL, emit
from bot.checks.migrations.sql_sources import embedded_snippet
from bot.checks.migrations.text import Analysis, MigrationText

_DEFAULTS = ("defaultValue", "defaultValueNumeric", "defaultValueBoolean", "defaultValueDate",
             "defaultValueComputed", "defaultValueSequenceNext")  # fmt: skip
_SIMPLE = {
    "dropColumn": ("ban-drop-column", "drops a column"),
    "dropTable": ("ban-drop-table", "drops a table"),
    "renameColumn": ("renaming-column", "renames a column"),
    "renameTable": ("renaming-table", "renames a table"),
    "dropIndex": ("require-concurrent-index-deletion", "drops an index without CONCURRENTLY"),
    "addNotNullConstraint": ("adding-not-nullable-field", "sets NOT NULL on an existing column"),
    "dropNotNullConstraint": ("ban-drop-not-null", "drops NOT NULL"),
    "addUniqueConstraint": ("disallowed-unique-constraint", "adds a unique constraint"),
    "addPrimaryKey": ("adding-serial-primary-key-field", "adds a primary key"),
    "createIndex": ("require-concurrent-index-creation", "builds an index without CONCURRENTLY"),
    "addForeignKeyConstraint": ("adding-foreign-key-constraint", "adds a validated foreign key"),
}
_ANY_TABLE = frozenset({"dropTable", "renameTable", "dropColumn", "renameColumn"})
_FIX = {
    "require-concurrent-index-creation": (
        "Use `<sql>CREATE INDEX CONCURRENTLY ...</sql>` in a changeSet with "
        '`runInTransaction="false"` (Liquibase has no concurrent createIndex).'
    ),
    "adding-foreign-key-constraint": (
        '`validate="false"` on addForeignKeyConstraint (Liquibase 4.19+), then VALIDATE '
        "CONSTRAINT in a later changeSet."
    ),
}


def _is_true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def analyse_liquibase(mt: MigrationText, pg_major: int) -> Analysis:
    """Findings and SQL snippets of one changelog file."""
    out = Analysis()
    lower = mt.path.lower()
    changes = read_xml(mt.text) if lower.endswith(".xml") else read_yaml(mt.text)
    new = {c.attrs.get("tableName", "").lower() for c in changes if c.kind == "createTable"}
    out.new_tables |= new - {""}
    for change in changes:
        attrs = change.attrs
        table = (
            attrs.get("tableName") or attrs.get("baseTableName") or attrs.get("oldTableName", "")
        )
        if table.lower() in new and change.kind not in _ANY_TABLE:
            continue
        if change.kind == "addColumn":
            _add_column(mt, out, change, table, pg_major)
        elif change.kind == "modifyDataType":
            _say(mt, out, change, "changing-column-type",
                 f"changes `{table}.{change.attrs.get('columnName', '?')}` to "
                 f"`{change.attrs.get('newDataType', '?')}`, which rewrites the table unless it "
                 "only widens a varchar")  # fmt: skip
        elif change.kind in _SIMPLE:
            if change.kind == "addForeignKeyConstraint" and change.attrs.get("validate") == "false":
                continue
            rule, text = _SIMPLE[change.kind]
            _say(mt, out, change, rule, f"{text} on `{table}`")
        elif change.kind in {"sql", "createProcedure"} and change.sql.strip():
            snippet = embedded_snippet(
                mt.path,
                change.sql,
                first_line=change.sql_line,
                last_line=change.sql_line + change.sql.count("\n"),
                added=mt.added,
                in_transaction=change.in_transaction,
                framework="liquibase",
                anchor=change.line,
            )
            if snippet is not None:
                out.snippets.append(snippet)
    return out


def _say(mt: MigrationText, out: Analysis, change: Change, rule: str, text: str) -> None:
    emit(out, mt, change.line, rule, detail=f"`<{change.kind}>` {text}.", fix=_FIX.get(rule))


def _add_column(
    mt: MigrationText, out: Analysis, change: Change, table: str, pg_major: int
) -> None:
    for col in change.columns:
        name = f"`{table}.{col.attrs.get('name', '?')}`"
        defaults = [col.attrs[k] for k in _DEFAULTS if k in col.attrs]
        cons = col.constraints
        not_null = cons.get("nullable", "").lower() == "false" or _is_true(cons.get("primaryKey"))
        line = col.line
        if defaults and (pg_major < 11 or any(VOLATILE_SQL.search(d + "(") for d in defaults)):
            emit(out, mt, line, "adding-field-with-default",
                 detail=f"{name} is added with the default `{defaults[0]}`.")  # fmt: skip
        elif not_null and not defaults:
            emit(out, mt, line, "adding-required-field",
                 detail=f"{name} is added NOT NULL with no default value.")  # fmt: skip
        if _is_true(cons.get("unique")):
            emit(out, mt, line, "disallowed-unique-constraint", detail=f"{name} is unique.")
        if cons.get("references") or cons.get("referencedTableName"):
            emit(out, mt, line, "adding-foreign-key-constraint",
                 detail=f"{name} adds a foreign key validated at once.", fix=_FIX.get(
                     "adding-foreign-key-constraint"))  # fmt: skip
