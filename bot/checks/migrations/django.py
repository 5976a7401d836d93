"""Django migrations: the hazards of a Migration's `operations`, read from the syntax tree.

Reverse operations (`reverse_sql`, `reverse_code`) and `state_operations` are not run going
forward and are not findings. Django runs a migration in one transaction unless the class
says `atomic = False`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.checks.migrations.field_types import changes, volatile_default
from bot.checks.migrations.fixes import fix_for
from bot.checks.migrations.migration_history import History
from bot.checks.migrations.pyast import (
    add_sql,
    argument,
    call_name,
    emit,
    is_const,
    is_dml,
    keyword,
    literal_str,
    resolve_name,
    source_of,
)
from bot.checks.migrations.text import Analysis, MigrationText

_SCHEMA_OPS = frozenset(
    {
        "AddField",
        "RemoveField",
        "AlterField",
        "RenameField",
        "AddIndex",
        "RemoveIndex",
        "AddConstraint",
        "RemoveConstraint",
        "AlterUniqueTogether",
        "AlterIndexTogether",
        "RenameModel",
        "DeleteModel",
        "AlterModelTable",
        "RenameIndex",
    }
)
_NO_COLUMN = frozenset({"ManyToManyField", "GeneratedField"})
_FK = frozenset({"ForeignKey", "OneToOneField"})
_REQUIRED_FIX = (
    "Give the field a `db_default=` (Django 5+: the default stays in the database), or add it "
    "with `null=True`, deploy code that sets it, backfill in batches, then make it NOT NULL "
    "in a later migration."
)


@dataclass
class _State:
    mt: MigrationText
    out: Analysis
    pg_major: int
    atomic: bool
    new_models: set[str]
    tree: ast.Module
    history: History | None = None
    schema: list[int] = field(default_factory=list)
    data: list[int] = field(default_factory=list)


_Handler = Callable[[_State, ast.Call, str], None]


def _migration_class(tree: ast.Module) -> ast.ClassDef | None:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(call_name(b) == "Migration" for b in node.bases):
            return node
    return None


def _class_attr(cls: ast.ClassDef, name: str) -> ast.expr | None:
    for st in cls.body:
        if isinstance(st, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in st.targets
        ):
            return st.value
        if (
            isinstance(st, ast.AnnAssign)
            and isinstance(st.target, ast.Name)
            and st.target.id == name
        ):
            return st.value
    return None


def _operations(node: ast.expr | None) -> list[ast.Call]:
    """Database operations, looking into SeparateDatabaseAndState's database_operations."""
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    ops: list[ast.Call] = []
    for item in node.elts:
        if not isinstance(item, ast.Call):
            continue
        if call_name(item) == "SeparateDatabaseAndState":
            ops.extend(_operations(argument(item, 0, "database_operations")))
        else:
            ops.append(item)
    return ops


def _model(call: ast.Call) -> str:
    return (literal_str(argument(call, 0, "model_name")) or "").lower()


def analyse_django(
    mt: MigrationText, tree: ast.Module, *, pg_major: int, history: History | None = None
) -> Analysis:
    """Findings and SQL snippets for the operations of one migration module."""
    out = Analysis()
    cls = _migration_class(tree)
    if cls is None:
        return out
    ops = _operations(_class_attr(cls, "operations"))
    new_models = {
        (literal_str(argument(op, 0, "name")) or "").lower()
        for op in ops
        if call_name(op) == "CreateModel"
    }
    out.new_tables |= new_models
    atomic = not is_const(_class_attr(cls, "atomic"), False)
    state = _State(mt, out, pg_major, atomic, new_models, tree, history)
    for op in ops:
        _visit(state, op)
    if state.atomic and state.schema and state.data:
        emit(
            out,
            mt,
            min(state.data),
            "mixed-schema-data-migration",
            detail=(
                f"This atomic migration changes rows (line {min(state.data)}) and the schema "
                f"(line {min(state.schema)}) in one transaction."
            ),
            fix=(
                "Move the data migration to its own migration (it may set `atomic = False` "
                "and update in batches)."
            ),
        )
    return out


def _visit(state: _State, op: ast.Call) -> None:
    name = call_name(op)
    line = op.lineno
    model = _model(op)
    what = f"`{source_of(state.mt, op)}`"
    if name in _SCHEMA_OPS and model not in state.new_models:
        state.schema.append(line)
    handler = _HANDLERS.get(name)
    if handler is not None and (model not in state.new_models or name in _ANY_MODEL):
        handler(state, op, what)


def _add_field(state: _State, op: ast.Call, what: str) -> None:
    fld = argument(op, 2, "field")
    if not isinstance(fld, ast.Call) or call_name(fld) in _NO_COLUMN:
        return
    kind = call_name(fld)
    null = is_const(keyword(fld, "null"), True)
    default = keyword(fld, "default")
    if default is None and is_const(keyword(fld, "auto_now_add"), True):
        default = keyword(fld, "auto_now_add")
    if default is None and is_const(keyword(fld, "auto_now"), True):
        default = keyword(fld, "auto_now")
    db_default = keyword(fld, "db_default")
    line = op.lineno
    volatile = volatile_default(db_default)
    if volatile or (state.pg_major < 11 and (default or db_default) is not None):
        emit(
            state.out,
            state.mt,
            line,
            "adding-field-with-default",
            detail=f"{what} adds a column with a default that makes PostgreSQL rewrite the table.",
        )
    elif not null and db_default is None:
        emit(
            state.out,
            state.mt,
            line,
            "adding-required-field",
            detail=f"{what} adds a NOT NULL `{kind}` without a default."
            if default is None
            else f"{what} adds a NOT NULL `{kind}` with a Python-side `default=`: Django adds "
            "the column with that default and drops the default again in the same migration "
            "(also with `preserve_default=False`), so INSERTs of the release still running, "
            "which do not know the column, fail once it is applied.",
            fix=_REQUIRED_FIX,
        )
    if kind in _FK and not is_const(keyword(fld, "db_constraint"), False):
        index = (
            ""
            if is_const(keyword(fld, "db_index"), False)
            else (" It also builds the column's index without CONCURRENTLY, blocking writes.")
        )
        emit(
            state.out,
            state.mt,
            line,
            "adding-foreign-key-constraint",
            detail=f"{what} adds a foreign key that is validated immediately.{index}",
            fix=fix_for("django", "adding-foreign-key-constraint"),
        )
    elif is_const(keyword(fld, "unique"), True):
        emit(
            state.out,
            state.mt,
            line,
            "disallowed-unique-constraint",
            detail=f"{what} adds a column with `unique=True`.",
            fix=fix_for("django", "disallowed-unique-constraint"),
        )
    elif is_const(keyword(fld, "db_index"), True):
        emit(
            state.out,
            state.mt,
            line,
            "require-concurrent-index-creation",
            detail=f"{what} adds a column with `db_index=True`.",
            fix=fix_for("django", "require-concurrent-index-creation"),
        )


def _rule(rule: str, text: str) -> _Handler:
    def handle(state: _State, op: ast.Call, what: str) -> None:
        emit(
            state.out,
            state.mt,
            op.lineno,
            rule,
            detail=f"{what} {text}",
            fix=fix_for("django", rule),
        )

    return handle


def _alter_field(state: _State, op: ast.Call, what: str) -> None:
    new = argument(op, 2, "field")
    name = literal_str(argument(op, 1, "name"))
    old = None
    if state.history is not None and isinstance(new, ast.Call) and name:
        old = state.history.previous_field(
            state.mt.path, state.tree, _model(op), name, before=op.lineno
        )
    if old is not None and isinstance(new, ast.Call):
        for change in changes(old, new):
            emit(
                state.out,
                state.mt,
                op.lineno,
                change.rule,
                detail=f"{what} {change.detail} (previously `{ast.unparse(old)}`).",
                fix=fix_for("django", change.rule),
                severity="info" if change.hint else None,
            )
        return
    # The old definition could not be read, so whether the type changes is unknown;
    # most AlterFields (choices, help_text, max_length growth) run no rewrite: a hint only.
    emit(
        state.out,
        state.mt,
        op.lineno,
        "changing-column-type",
        severity="info",
        title="AlterField may change the column type and rewrite the table",
        detail=f"{what} redefines the column; if its type changes, the table is rewritten "
        "(check the SQL with `manage.py sqlmigrate`).",
    )


def _concurrently(rule_text: str) -> _Handler:
    def handle(state: _State, op: ast.Call, what: str) -> None:
        if state.atomic:
            emit(
                state.out,
                state.mt,
                op.lineno,
                "ban-concurrent-index-creation-in-transaction",
                detail=f"{what} {rule_text} in a migration without `atomic = False`; Django "
                "refuses to run it.",
                fix=fix_for("django", "ban-concurrent-index-creation-in-transaction"),
            )

    return handle


def _add_constraint(state: _State, op: ast.Call, what: str) -> None:
    kind = call_name(argument(op, 1, "constraint") or op)
    if kind == "UniqueConstraint":
        _rule("disallowed-unique-constraint", "adds a unique constraint.")(state, op, what)
    elif kind == "CheckConstraint":
        _rule("constraint-missing-not-valid", "adds a CHECK constraint validated at once.")(
            state, op, what
        )


def _unique_together(state: _State, op: ast.Call, what: str) -> None:
    value = argument(op, 1, "unique_together")
    if isinstance(value, ast.Set | ast.List | ast.Tuple) and value.elts:
        _rule("disallowed-unique-constraint", "adds a unique constraint.")(state, op, what)


def _run_sql(state: _State, op: ast.Call, what: str) -> None:
    sql = resolve_name(state.tree, argument(op, 0, "sql"))
    items = sql.elts if isinstance(sql, ast.List | ast.Tuple) else [sql]
    for raw in items:
        item = resolve_name(state.tree, raw)
        params = isinstance(item, ast.Tuple | ast.List) and len(item.elts) == 2
        node = resolve_name(state.tree, item.elts[0]) if isinstance(item, ast.Tuple) else item
        text = add_sql(
            state.out,
            state.mt,
            node,
            anchor=op.lineno,
            in_transaction=state.atomic,
            framework="django",
            placeholders=params,
        )
        if text is not None:
            (state.data if is_dml(text) else state.schema).append(op.lineno)
        elif node is not None:
            emit(
                state.out,
                state.mt,
                op.lineno,
                "unparsed-sql",
                detail=f"{what} runs SQL built at run time (`{ast.unparse(node)[:80]}`), "
                "which could not be read or linted.",
            )
    reverse = argument(op, 1, "reverse_sql")
    if reverse is None or is_const(reverse, None):
        emit(
            state.out,
            state.mt,
            op.lineno,
            "irreversible-migration",
            detail=f"{what} has no `reverse_sql`, so this migration cannot be unapplied.",
            fix="Pass `reverse_sql=` (use `migrations.RunSQL.noop` when nothing needs undoing).",
        )


def _run_python(state: _State, op: ast.Call, what: str) -> None:
    state.data.append(op.lineno)
    reverse = argument(op, 1, "reverse_code")
    if reverse is None or is_const(reverse, None):
        emit(
            state.out,
            state.mt,
            op.lineno,
            "irreversible-migration",
            detail=f"{what} has no `reverse_code`, so this migration cannot be unapplied.",
            fix="Pass `reverse_code=` (use `migrations.RunPython.noop` when nothing needs "
            "undoing).",
        )


_ANY_MODEL = frozenset({"RunSQL", "RunPython", "AddIndexConcurrently"})
_HANDLERS = {
    "AddField": _add_field,
    "RemoveField": _rule("ban-drop-column", "removes a column."),
    "DeleteModel": _rule("ban-drop-table", "drops the model's table."),
    "RenameField": _rule("renaming-column", "renames a column."),
    "RenameModel": _rule("renaming-table", "renames the model's table."),
    "AlterModelTable": _rule("renaming-table", "renames the model's table."),
    "AlterField": _alter_field,
    "AddIndex": _rule("require-concurrent-index-creation", "builds an index without CONCURRENTLY."),
    "RemoveIndex": _rule(
        "require-concurrent-index-deletion", "drops an index without CONCURRENTLY."
    ),
    "AddIndexConcurrently": _concurrently("builds an index CONCURRENTLY"),
    "RemoveIndexConcurrently": _concurrently("drops an index CONCURRENTLY"),
    "AddConstraint": _add_constraint,
    "AlterUniqueTogether": _unique_together,
    "RunSQL": _run_sql,
    "RunPython": _run_python,
}
