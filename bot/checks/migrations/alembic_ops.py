"""Alembic `op.*` operations: one handler per operation that can lock or break a table.

Split from bot.checks.migrations.alembic, which walks `upgrade()` and hands every `op.*` (or
`batch_op.*`) call here through HANDLERS, along with the transaction context it runs in.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.checks.migrations.fixes import fix_for
from bot.checks.migrations.pyast import (
    VOLATILE_SQL,
    add_sql,
    append_keyword,
    argument,
    call_name,
    emit,
    is_const,
    is_dml,
    keyword,
    literal_str,
    source_of,
)
from bot.checks.migrations.sql_sources import is_widening
from bot.checks.migrations.text import Analysis, MigrationText

_DML_TABLE = re.compile(
    r"^\s*(?:UPDATE\s+(?:ONLY\s+)?|INSERT\s+INTO\s+|DELETE\s+FROM\s+(?:ONLY\s+)?)([\w.\"]+)",
    re.IGNORECASE,
)
_REQUIRED_FIX = (
    "Add it with `nullable=True` (or a constant `server_default`), deploy code that writes it, "
    "backfill in batches, then `op.alter_column(..., nullable=False)` in a later migration "
    "(after a validated `CHECK (col IS NOT NULL)` on PostgreSQL 12+)."
)


TableOf = Callable[[int, str], str]  # (position, keyword) -> the table an op works on


@dataclass
class Ctx:
    """Where a call runs: inside the transaction or not, and the batch_op aliases in scope."""

    in_tx: bool = True
    batch: dict[str, str] = field(default_factory=dict)  # batch_op alias -> table


@dataclass
class State:
    """What the analysis of one revision has gathered so far."""

    mt: MigrationText
    out: Analysis
    pg_major: int
    schema: list[int] = field(default_factory=list)
    data: list[int] = field(default_factory=list)
    table_vars: dict[str, str] = field(default_factory=dict)


def _existing(state: State, table: str, call: ast.Call, ctx: Ctx) -> bool:
    if table in state.out.new_tables:
        return False
    if ctx.in_tx:
        state.schema.append(call.lineno)
    return True


def _add_column(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
    tbl = table(0, "table_name")
    col = argument(call, 1 - shift, "column")
    if not _existing(state, tbl, call, ctx) or not isinstance(col, ast.Call):
        return
    col_name = literal_str(col.args[0]) if col.args else None
    nullable = keyword(col, "nullable")
    not_null = is_const(nullable, False) or (
        is_const(keyword(col, "primary_key"), True) and not is_const(nullable, True)
    )
    default = keyword(col, "server_default")
    has_default = default is not None and not is_const(default, None)
    generated = [a for a in col.args if call_name(a) in {"Identity", "Computed"}]
    what = f"`{source_of(state.mt, call)}` adds `{col_name or '?'}` to `{tbl}`"
    if generated or (
        has_default and (VOLATILE_SQL.search(ast.unparse(default or call)) or state.pg_major < 11)
    ):
        kind = (
            "an identity/generated column"
            if generated
            else "a default that is volatile (or PostgreSQL < 11)"
        )
        emit(
            state.out,
            state.mt,
            call.lineno,
            "adding-field-with-default",
            detail=f"{what} with {kind}.",
        )
    elif not_null and not has_default:
        emit(
            state.out,
            state.mt,
            call.lineno,
            "adding-required-field",
            detail=f"{what} as NOT NULL without a `server_default` (a Python-side `default=` "
            "does not fill existing rows).",
            fix=_REQUIRED_FIX,
        )
    if any(call_name(a) in {"CHAR", "NCHAR"} for a in col.args[1:2]):
        emit(state.out, state.mt, call.lineno, "ban-char-field", detail=f"{what} as `CHAR`.")


def _alter_column(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
    tbl = table(0, "table_name")
    if not _existing(state, tbl, call, ctx):
        return
    col = literal_str(argument(call, 1 - shift, "column_name")) or "?"
    what = f"`{source_of(state.mt, call)}`"
    line = call.lineno
    new_type = keyword(call, "type_")
    if new_type is not None and not is_widening(
        _sql_type(keyword(call, "existing_type")), _sql_type(new_type)
    ):
        emit(
            state.out,
            state.mt,
            line,
            "changing-column-type",
            detail=f"{what} changes the type of `{tbl}.{col}`.",
        )
    if keyword(call, "new_column_name") is not None:
        emit(state.out, state.mt, line, "renaming-column", detail=f"{what} renames `{tbl}.{col}`.")
    nullable = keyword(call, "nullable")
    if is_const(nullable, False):
        emit(
            state.out,
            state.mt,
            line,
            "adding-not-nullable-field",
            detail=f"{what} sets `{tbl}.{col}` NOT NULL.",
        )
    elif is_const(nullable, True):
        emit(
            state.out,
            state.mt,
            line,
            "ban-drop-not-null",
            detail=f"{what} makes `{tbl}.{col}` nullable.",
        )


_VARCHAR_TYPES = frozenset({"String", "VARCHAR", "Unicode", "NVARCHAR"})
_TEXT_TYPES = frozenset({"Text", "TEXT", "UnicodeText"})


def _sql_type(node: ast.expr | None) -> str:
    """`sa.String(64)` -> "varchar(64)", `sa.Text()` -> "text"; other types -> ""."""
    if node is None:
        return ""
    name = call_name(node)
    if name in _TEXT_TYPES:
        return "text"
    if name not in _VARCHAR_TYPES:
        return ""
    size = argument(node, 0, "length") if isinstance(node, ast.Call) else None
    if isinstance(size, ast.Constant) and isinstance(size.value, int):
        return f"varchar({size.value})"
    return "varchar"


def _create_index(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
    tbl = table(1, "table_name")
    concurrently = is_const(keyword(call, "postgresql_concurrently"), True)
    what = f"`{source_of(state.mt, call)}`"
    if concurrently and ctx.in_tx:
        emit(
            state.out,
            state.mt,
            call.lineno,
            "ban-concurrent-index-creation-in-transaction",
            detail=f"{what} builds the index CONCURRENTLY inside the migration's transaction.",
            fix=fix_for("alembic", "ban-concurrent-index-creation-in-transaction"),
        )
    if not _existing(state, tbl, call, ctx) or concurrently:
        return
    emit(
        state.out,
        state.mt,
        call.lineno,
        "require-concurrent-index-creation",
        detail=f"{what} builds an index on `{tbl}` without `postgresql_concurrently=True`.",
        fix=fix_for("alembic", "require-concurrent-index-creation"),
    )


def _drop_index(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
    tbl = table(1, "table_name")
    if not _existing(state, tbl, call, ctx) or is_const(
        keyword(call, "postgresql_concurrently"), True
    ):
        return
    emit(
        state.out,
        state.mt,
        call.lineno,
        "require-concurrent-index-deletion",
        detail=f"`{source_of(state.mt, call)}` drops an index without CONCURRENTLY.",
        fix=fix_for("alembic", "require-concurrent-index-deletion"),
    )


def _simple(rule: str, position: int, key: str, verb: str) -> Handler:
    def handle(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
        tbl = table(position, key)
        if not _existing(state, tbl, call, ctx):
            return
        emit(
            state.out,
            state.mt,
            call.lineno,
            rule,
            detail=f"`{source_of(state.mt, call)}` {verb} `{tbl}`.",
        )

    return handle


def _constraint(rule: str, position: int, key: str, *, not_valid: bool) -> Handler:
    def handle(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
        tbl = table(position, key)
        if not _existing(state, tbl, call, ctx):
            return
        if not_valid and is_const(keyword(call, "postgresql_not_valid"), True):
            return
        suggestion = (
            append_keyword(state.mt, call, "postgresql_not_valid=True") if not_valid else None
        )
        emit(
            state.out,
            state.mt,
            call.lineno,
            rule,
            detail=f"`{source_of(state.mt, call)}` adds a constraint to `{tbl}`.",
            fix=fix_for("alembic", rule),
            suggestion=suggestion,
        )

    return handle


def _execute(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
    sql = add_sql(
        state.out,
        state.mt,
        argument(call, 0, "sqltext"),
        anchor=call.lineno,
        in_transaction=ctx.in_tx,
        framework="alembic",
    )
    if sql is None or not ctx.in_tx:
        return
    if is_dml(sql):
        m = _DML_TABLE.match(sql)
        target = (m.group(1).strip('"').split(".")[-1].lower()) if m else ""
        if target not in state.out.new_tables:
            state.data.append(call.lineno)
    else:
        state.schema.append(call.lineno)


def _bulk_insert(state: State, call: ast.Call, ctx: Ctx, table: TableOf, shift: int) -> None:
    target = call.args[0] if call.args else None
    name = state.table_vars.get(target.id, "") if isinstance(target, ast.Name) else ""
    if ctx.in_tx and name not in state.out.new_tables:
        state.data.append(call.lineno)


Handler = Callable[[State, ast.Call, Ctx, TableOf, int], None]

HANDLERS: dict[str, Handler] = {
    "add_column": _add_column,
    "alter_column": _alter_column,
    "create_index": _create_index,
    "drop_index": _drop_index,
    "drop_column": _simple("ban-drop-column", 0, "table_name", "drops a column of"),
    "drop_table": _simple("ban-drop-table", 0, "table_name", "drops"),
    "rename_table": _simple("renaming-table", 0, "old_table_name", "renames"),
    "create_foreign_key": _constraint(
        "adding-foreign-key-constraint", 1, "source_table", not_valid=True
    ),
    "create_check_constraint": _constraint(
        "constraint-missing-not-valid", 1, "table_name", not_valid=True
    ),
    "create_unique_constraint": _constraint(
        "disallowed-unique-constraint", 1, "table_name", not_valid=False
    ),
    "create_primary_key": _constraint(
        "adding-serial-primary-key-field", 1, "table_name", not_valid=False
    ),
    "execute": _execute,
    "bulk_insert": _bulk_insert,
}
