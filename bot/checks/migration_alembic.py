"""Alembic revisions: the hazards of what `upgrade()` does, read from the syntax tree.

`downgrade()` is never looked at: only what a migration does going forward counts. Alembic's
default `env.py` runs migrations inside a transaction; `op.get_context().autocommit_block()`
leaves it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bot.checks.migration_fixes import fix_for
from bot.checks.migration_pyast import (
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
    receiver,
    source_of,
)
from bot.checks.migration_text import Analysis, MigrationText
from bot.checks.sql_sources import is_widening

_DML_TABLE = re.compile(
    r"^\s*(?:UPDATE\s+(?:ONLY\s+)?|INSERT\s+INTO\s+|DELETE\s+FROM\s+(?:ONLY\s+)?)([\w.\"]+)",
    re.IGNORECASE,
)
_SESSION_DATA = frozenset(
    {
        "execute",
        "exec_driver_sql",
        "bulk_save_objects",
        "add_all",
        "bulk_insert_mappings",
        "bulk_update_mappings",
    }
)
_REQUIRED_FIX = (
    "Add it with `nullable=True` (or a constant `server_default`), deploy code that writes it, "
    "backfill in batches, then `op.alter_column(..., nullable=False)` in a later migration "
    "(after a validated `CHECK (col IS NOT NULL)` on PostgreSQL 12+)."
)


TableOf = Callable[[int, str], str]  # (position, keyword) -> the table an op works on


@dataclass
class _Ctx:
    in_tx: bool = True
    batch: dict[str, str] = field(default_factory=dict)  # batch_op alias -> table


@dataclass
class _State:
    mt: MigrationText
    out: Analysis
    pg_major: int
    schema: list[int] = field(default_factory=list)
    data: list[int] = field(default_factory=list)
    table_vars: dict[str, str] = field(default_factory=dict)


def _calls(stmts: list[ast.stmt], ctx: _Ctx) -> Iterator[tuple[ast.Call, _Ctx]]:
    for st in stmts:
        if isinstance(st, ast.With | ast.AsyncWith):
            inner = _Ctx(ctx.in_tx, dict(ctx.batch))
            for item in st.items:
                name = call_name(item.context_expr)
                if name == "autocommit_block":
                    inner.in_tx = False
                elif name == "batch_alter_table" and isinstance(item.context_expr, ast.Call):
                    table = literal_str(argument(item.context_expr, 0, "table_name"))
                    if table and isinstance(item.optional_vars, ast.Name):
                        inner.batch[item.optional_vars.id] = table.lower()
            yield from _calls(st.body, inner)
        elif isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        elif isinstance(st, ast.If | ast.For | ast.AsyncFor | ast.While | ast.Try):
            for body in _bodies(st):
                yield from _calls(body, ctx)
        else:
            for node in ast.walk(st):
                if isinstance(node, ast.Call):
                    yield node, ctx


def _bodies(st: ast.stmt) -> Iterator[list[ast.stmt]]:
    for part in ("body", "orelse", "finalbody"):
        yield getattr(st, part, [])
    for handler in getattr(st, "handlers", []):
        yield handler.body


def analyse_alembic(mt: MigrationText, tree: ast.Module, *, pg_major: int) -> Analysis:
    """Findings and SQL snippets for the upgrade functions of one revision."""
    state = _State(mt, Analysis(), pg_major)
    calls: list[tuple[ast.Call, _Ctx]] = []
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and (
            fn.name == "upgrade" or fn.name.startswith("upgrade_")
        ):
            calls.extend(_calls(fn.body, _Ctx()))
            _table_vars(fn, state)
    for call, _ in calls:
        if receiver(call) == "op" and call_name(call) == "create_table":
            table = literal_str(argument(call, 0, "table_name"))
            if table:
                state.out.new_tables.add(table.lower())
    for call, ctx in calls:
        _visit(state, call, ctx)
    if state.schema and state.data:
        emit(
            state.out,
            mt,
            min(state.data),
            "mixed-schema-data-migration",
            detail=(
                f"This revision changes rows (line {min(state.data)}) and the schema (line "
                f"{min(state.schema)}) in the same transaction."
            ),
            fix=(
                "Move the data change to its own revision, or run it in batches inside "
                "`with op.get_context().autocommit_block():` after the schema change."
            ),
        )
    return state.out


def _table_vars(fn: ast.FunctionDef, state: _State) -> None:
    """`t = op.create_table("x", ...)` / `t = sa.table("x", ...)`: which table `t` is."""
    for node in fn.body:  # top-level assignments of upgrade(): where table objects are made
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and call_name(node.value) in {"create_table", "table", "Table"}
        ):
            table = literal_str(argument(node.value, 0, "name"))
            for target in node.targets:
                if table and isinstance(target, ast.Name):
                    state.table_vars[target.id] = table.lower()


def _visit(state: _State, call: ast.Call, ctx: _Ctx) -> None:
    who = receiver(call)
    name = call_name(call)
    if who == "op" or who in ctx.batch:
        _op(state, call, ctx, ctx.batch.get(who))
    elif name in _SESSION_DATA:
        if ctx.in_tx:
            state.data.append(call.lineno)
        if name in {"execute", "exec_driver_sql"} and call.args:
            add_sql(
                state.out,
                state.mt,
                call.args[0],
                anchor=call.lineno,
                in_transaction=ctx.in_tx,
                framework="alembic",
            )


def _op(state: _State, call: ast.Call, ctx: _Ctx, batch_table: str | None) -> None:
    name = call_name(call)
    shift = 1 if batch_table is not None else 0

    def table(position: int, key: str) -> str:
        if batch_table is not None:
            return batch_table
        return (literal_str(argument(call, position, key)) or "").lower()

    handler = _HANDLERS.get(name)
    if handler is not None:
        handler(state, call, ctx, table, shift)


def _existing(state: _State, table: str, call: ast.Call, ctx: _Ctx) -> bool:
    if table in state.out.new_tables:
        return False
    if ctx.in_tx:
        state.schema.append(call.lineno)
    return True


def _add_column(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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


def _alter_column(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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


def _create_index(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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


def _drop_index(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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
    def handle(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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
    def handle(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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


def _execute(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
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


def _bulk_insert(state: _State, call: ast.Call, ctx: _Ctx, table: TableOf, shift: int) -> None:
    target = call.args[0] if call.args else None
    name = state.table_vars.get(target.id, "") if isinstance(target, ast.Name) else ""
    if ctx.in_tx and name not in state.out.new_tables:
        state.data.append(call.lineno)


Handler = Callable[[_State, ast.Call, _Ctx, TableOf, int], None]

_HANDLERS: dict[str, Handler] = {
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
