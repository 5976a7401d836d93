"""Alembic revisions: the hazards of what `upgrade()` does, read from the syntax tree.

`downgrade()` is never looked at: only what a migration does going forward counts. Alembic's
default `env.py` runs migrations inside a transaction; `op.get_context().autocommit_block()`
leaves it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from bot.checks.migrations.alembic_ops import HANDLERS, Ctx, Handler, State, TableOf
from bot.checks.migrations.pyast import (
    add_sql,
    argument,
    call_name,
    emit,
    literal_str,
    receiver,
)
from bot.checks.migrations.text import Analysis, MigrationText

__all__ = ["Handler", "TableOf", "analyse_alembic"]

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


def _calls(stmts: list[ast.stmt], ctx: Ctx) -> Iterator[tuple[ast.Call, Ctx]]:
    for st in stmts:
        if isinstance(st, ast.With | ast.AsyncWith):
            inner = Ctx(ctx.in_tx, dict(ctx.batch))
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
    state = State(mt, Analysis(), pg_major)
    calls: list[tuple[ast.Call, Ctx]] = []
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and (
            fn.name == "upgrade" or fn.name.startswith("upgrade_")
        ):
            calls.extend(_calls(fn.body, Ctx()))
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


def _table_vars(fn: ast.FunctionDef, state: State) -> None:
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


def _visit(state: State, call: ast.Call, ctx: Ctx) -> None:
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


def _op(state: State, call: ast.Call, ctx: Ctx, batch_table: str | None) -> None:
    name = call_name(call)
    shift = 1 if batch_table is not None else 0

    def table(position: int, key: str) -> str:
        if batch_table is not None:
            return batch_table
        return (literal_str(argument(call, position, key)) or "").lower()

    handler = HANDLERS.get(name)
    if handler is not None:
        handler(state, call, ctx, table, shift)
