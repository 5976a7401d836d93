"""Rails (ActiveRecord) migrations: the hazards of what `def change` / `def up` does.

Statements come from bot.checks.migrations.rails_parse, which keeps only what runs going
forward (`def down` and `dir.down` are skipped); this module holds the rules, one handler per
migration method. Rails wraps each migration in a transaction unless the class calls
`disable_ddl_transaction!`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.checks.migrations.fixes import fix_for
from bot.checks.migrations.pyast import VOLATILE_SQL, emit
from bot.checks.migrations.rails_parse import STRING, Stmt, forward_lines, parse_statements
from bot.checks.migrations.sql_sources import embedded_snippet, split_statements
from bot.checks.migrations.strong_migrations import apply_assured, unwrap_inline
from bot.checks.migrations.text import Analysis, MigrationText

_DATA = re.compile(
    r"\.(update_all|find_each|find_in_batches|in_batches|update!?|save!?|create!?|delete_all|"
    r"destroy_all|insert_all!?|upsert_all)\b"
)
_DML = re.compile(r"^\s*(UPDATE|INSERT|DELETE)\b", re.IGNORECASE)
_COLUMN_TYPES = frozenset(
    {
        "string",
        "text",
        "integer",
        "bigint",
        "float",
        "decimal",
        "numeric",
        "datetime",
        "time",
        "date",
        "binary",
        "boolean",
        "json",
        "jsonb",
        "uuid",
        "timestamp",
        "column",
        "citext",
    }
)


@dataclass
class _State:
    mt: MigrationText
    out: Analysis
    pg_major: int
    in_tx: bool
    schema: list[int] = field(default_factory=list)
    data: list[int] = field(default_factory=list)


_Handler = Callable[[_State, Stmt], None]


def analyse_rails(mt: MigrationText, pg_major: int) -> Analysis:
    """Findings and SQL snippets for one ActiveRecord migration."""
    lines = [unwrap_inline(line) for line in mt.lines]
    state = _State(mt, Analysis(), pg_major, "disable_ddl_transaction!" not in mt.text)
    statements = parse_statements(lines, forward_lines(lines))
    for stmt, _, _ in statements:
        if stmt.method == "create_table" and stmt.table:
            state.out.new_tables.add(stmt.table)
    for stmt, kind, reversible in statements:
        _visit(state, stmt, kind, reversible)
    if state.in_tx and state.schema and state.data:
        emit(
            state.out,
            mt,
            min(state.data),
            "mixed-schema-data-migration",
            detail=f"This migration changes rows (line {min(state.data)}) and the schema "
            f"(line {min(state.schema)}) in one transaction.",
            fix="Move the data change to its own migration with `disable_ddl_transaction!` "
            "and update in batches (`in_batches`).",
        )
    apply_assured(mt, state.out)
    return state.out


def _opt(text: str, pattern: str) -> bool:
    return re.search(pattern, text) is not None


def _visit(state: _State, stmt: Stmt, kind: str, reversible: bool) -> None:
    if _DATA.search(stmt.text):
        state.data.append(stmt.line)
    method = stmt.method
    if method == "execute":
        _execute(state, stmt, kind, reversible)
        return
    if stmt.table in state.out.new_tables or method in {"create_table", "change_table"}:
        return
    handler = _HANDLERS.get(method if stmt.receiver is None else f"t.{method}")
    if handler is None and stmt.receiver is not None and method in _COLUMN_TYPES:
        handler = _add_column
    if handler is not None:
        state.schema.append(stmt.line)
        handler(state, stmt)


def _say(state: _State, stmt: Stmt, rule: str, text: str, suggestion: str | None = None) -> None:
    summary = " ".join(stmt.text.split())
    summary = summary if len(summary) <= 160 else summary[:157] + "..."
    emit(
        state.out,
        state.mt,
        stmt.line,
        rule,
        detail=f"`{summary}` {text}",
        fix=fix_for("rails", rule),
        suggestion=suggestion,
    )


def _add_column(state: _State, stmt: Stmt) -> None:
    text = stmt.text
    has_default = _opt(text, r"\bdefault:")
    if has_default and (VOLATILE_SQL.search(text) or state.pg_major < 11):
        _say(state, stmt, "adding-field-with-default", "adds a column with a volatile default.")
    elif _opt(text, r"\bnull:\s*false") and not has_default:
        _say(state, stmt, "adding-required-field", "adds a NOT NULL column without a default.")


def _timestamps(state: _State, stmt: Stmt) -> None:
    # Rails 5+ makes timestamps NOT NULL unless told otherwise.
    if not _opt(stmt.text, r"\bnull:\s*true") and not _opt(stmt.text, r"\bdefault:"):
        _say(
            state,
            stmt,
            "adding-required-field",
            "adds created_at/updated_at, NOT NULL by default, without a default.",
        )


def _add_index(state: _State, stmt: Stmt) -> None:
    concurrent = _opt(stmt.text, r"algorithm:\s*:concurrently")
    if concurrent and state.in_tx:
        _say(
            state,
            stmt,
            "ban-concurrent-index-creation-in-transaction",
            "builds the index concurrently, but the migration has no `disable_ddl_transaction!`.",
        )
    elif not concurrent:
        _say(
            state,
            stmt,
            "require-concurrent-index-creation",
            "builds an index without `algorithm: :concurrently`.",
        )


def _remove_index(state: _State, stmt: Stmt) -> None:
    if not _opt(stmt.text, r"algorithm:\s*:concurrently"):
        _say(
            state,
            stmt,
            "require-concurrent-index-deletion",
            "drops an index without `algorithm: :concurrently`.",
        )


def _foreign_key(state: _State, stmt: Stmt) -> None:
    if _opt(stmt.text, r"validate:\s*false"):
        return
    one_line = "\n" not in stmt.text and not stmt.text.rstrip().endswith(")")
    suggestion = f"{stmt.text.rstrip()}, validate: false" if one_line else None
    _say(
        state,
        stmt,
        "adding-foreign-key-constraint",
        "adds a foreign key validated at once.",
        suggestion,
    )


def _reference(state: _State, stmt: Stmt) -> None:
    text = stmt.text
    index_off = _opt(text, r"index:\s*false") or _opt(text, r"algorithm:\s*:concurrently")
    if not index_off:
        _say(
            state,
            stmt,
            "require-concurrent-index-creation",
            "also builds an index on the reference without `algorithm: :concurrently`.",
        )
    if _opt(text, r"foreign_key:\s*(true|\{)") and not _opt(text, r"validate:\s*false"):
        _say(state, stmt, "adding-foreign-key-constraint", "adds a foreign key validated at once.")
    if _opt(text, r"\bnull:\s*false") and not _opt(text, r"\bdefault:"):
        _say(state, stmt, "adding-required-field", "adds a NOT NULL reference without a default.")


def _change_null(state: _State, stmt: Stmt) -> None:
    if re.search(r",\s*false\b", stmt.text):
        _say(state, stmt, "adding-not-nullable-field", "sets a column NOT NULL.")
    elif re.search(r",\s*true\b", stmt.text):
        _say(state, stmt, "ban-drop-not-null", "makes a column nullable.")


def _check(state: _State, stmt: Stmt) -> None:
    if not _opt(stmt.text, r"validate:\s*false"):
        _say(
            state,
            stmt,
            "constraint-missing-not-valid",
            "adds a CHECK constraint validated at once.",
        )


def _rule(rule: str, text: str) -> _Handler:
    def handle(state: _State, stmt: Stmt) -> None:
        _say(state, stmt, rule, text)

    return handle


def _execute(state: _State, stmt: Stmt, kind: str, reversible: bool) -> None:
    bodies = list(stmt.heredocs)
    if not bodies and (m := STRING.search(stmt.text)):
        body = next(g for g in m.groups() if g is not None)
        bodies.append((stmt.line + stmt.text[: m.start()].count("\n"), body))
    for first, body in bodies:
        last = first + body.count("\n")
        snippet = embedded_snippet(
            state.mt.path,
            body,
            first_line=first,
            last_line=last,
            added=state.mt.added,
            in_transaction=state.in_tx,
            framework="rails",
            anchor=stmt.line,
        )
        if snippet is not None:
            state.out.snippets.append(snippet)
        dml = any(_DML.match(body[b:e]) for b, e in split_statements(body))
        (state.data if dml else state.schema).append(stmt.line)
    if kind == "change" and not reversible:
        _say(
            state,
            stmt,
            "irreversible-migration",
            "runs raw SQL in `change`, which Rails cannot reverse: rolling back raises "
            "ActiveRecord::IrreversibleMigration.",
        )


_HANDLERS: dict[str, _Handler] = {
    "add_column": _add_column,
    "add_index": _add_index,
    "add_timestamps": _timestamps,
    "t.timestamps": _timestamps,
    "t.index": _add_index,
    "remove_index": _remove_index,
    "t.remove_index": _remove_index,
    "remove_column": _rule("ban-drop-column", "drops a column."),
    "remove_columns": _rule("ban-drop-column", "drops columns."),
    "remove_reference": _rule("ban-drop-column", "drops a reference column."),
    "remove_belongs_to": _rule("ban-drop-column", "drops a reference column."),
    "remove_timestamps": _rule("ban-drop-column", "drops the timestamp columns."),
    "t.remove": _rule("ban-drop-column", "drops a column."),
    "t.remove_references": _rule("ban-drop-column", "drops a reference column."),
    "drop_table": _rule("ban-drop-table", "drops a table."),
    "rename_column": _rule("renaming-column", "renames a column."),
    "t.rename": _rule("renaming-column", "renames a column."),
    "rename_table": _rule("renaming-table", "renames a table."),
    "change_column": _rule("changing-column-type", "changes a column's type."),
    "t.change": _rule("changing-column-type", "changes a column's type."),
    "change_column_null": _change_null,
    "add_foreign_key": _foreign_key,
    "add_reference": _reference,
    "add_belongs_to": _reference,
    "t.references": _reference,
    "t.belongs_to": _reference,
    "add_check_constraint": _check,
    "t.check_constraint": _check,
}
