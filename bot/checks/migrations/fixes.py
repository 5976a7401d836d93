"""The safe way, in each framework's own terms, for the hazards whose fix depends on it."""

from __future__ import annotations

_CONCURRENT_INDEX = {
    "alembic": (
        "Create it with `op.create_index(..., postgresql_concurrently=True)` inside "
        "`with op.get_context().autocommit_block():` (CONCURRENTLY cannot run in the "
        "migration's transaction; it takes SHARE UPDATE EXCLUSIVE and does not block writes)."
    ),
    "django": (
        "Use `django.contrib.postgres.operations.AddIndexConcurrently` in a migration with "
        "`atomic = False` (CONCURRENTLY cannot run in a transaction; it does not block writes)."
    ),
    "rails": (
        "Add `disable_ddl_transaction!` to the migration class and "
        "`algorithm: :concurrently` to the index (it does not block writes)."
    ),
    "laravel": (
        "Build it with `DB::statement('CREATE INDEX CONCURRENTLY ...')` in a migration with "
        "`public $withinTransaction = false;` (it does not block writes)."
    ),
    "efcore": (
        'Npgsql: `.Annotation("Npgsql:CreatedConcurrently", true)` on `CreateIndex`, in a '
        "migration run outside a transaction (`migrationBuilder.Sql(..., "
        "suppressTransaction: true)` for raw SQL)."
    ),
    "sequelize": (
        "Pass `concurrently: true` to `addIndex` and do not run it inside a transaction."
    ),
    "knex": (
        "Use `knex.raw('CREATE INDEX CONCURRENTLY ...')` in a migration with "
        "`exports.config = { transaction: false }`."
    ),
    "typeorm": (
        "Use `queryRunner.query('CREATE INDEX CONCURRENTLY ...')` in a migration with "
        "`transaction = false` (TypeORM 0.3+)."
    ),
    "sql": (
        "Use `CREATE INDEX CONCURRENTLY` in a migration that does not run inside a transaction "
        "(goose: `-- +goose NO TRANSACTION`; Flyway runs it non-transactionally by itself)."
    ),
}

_IN_TRANSACTION = {
    "alembic": "Wrap it in `with op.get_context().autocommit_block():`.",
    "django": "Set `atomic = False` on the migration and keep other operations out of it.",
    "rails": "Add `disable_ddl_transaction!` to the migration class.",
    "sql": (
        "Run this migration without a transaction (goose: `-- +goose NO TRANSACTION`; dbmate: "
        "`-- migrate:up transaction:false`), with nothing else in it."
    ),
}

_CONCURRENT_DROP = {
    "alembic": (
        "`op.drop_index(..., postgresql_concurrently=True)` inside "
        "`with op.get_context().autocommit_block():`."
    ),
    "django": "`RemoveIndexConcurrently` in a migration with `atomic = False`.",
    "rails": "`disable_ddl_transaction!` and `remove_index ..., algorithm: :concurrently`.",
}

_FOREIGN_KEY = {
    "alembic": (
        "`op.create_foreign_key(..., postgresql_not_valid=True)`, then in a later migration "
        "`op.execute('ALTER TABLE ... VALIDATE CONSTRAINT ...')`."
    ),
    "django": (
        "Add the field with `db_constraint=False`, then add the constraint with "
        "`RunSQL('... NOT VALID')` and `RunSQL('... VALIDATE CONSTRAINT ...')` in a separate "
        "migration."
    ),
    "rails": (
        "`add_foreign_key ..., validate: false`, then `validate_foreign_key` in a separate "
        "migration."
    ),
}

_CHECK = {
    "alembic": (
        "`op.create_check_constraint(..., postgresql_not_valid=True)`, then VALIDATE "
        "CONSTRAINT in a separate migration."
    ),
    "django": (
        "`django.contrib.postgres.operations.AddConstraintNotValid`, then "
        "`ValidateConstraint` in a separate migration."
    ),
    "rails": (
        "`add_check_constraint ..., validate: false`, then `validate_check_constraint` in a "
        "separate migration."
    ),
}

_UNIQUE = {
    "alembic": (
        "Create a unique index with `postgresql_concurrently=True` inside an "
        "`autocommit_block()`, then `op.execute('ALTER TABLE ... ADD CONSTRAINT ... UNIQUE "
        "USING INDEX ...')`."
    ),
    "django": (
        "`AddIndexConcurrently` with a unique index (or `RunSQL('CREATE UNIQUE INDEX "
        "CONCURRENTLY ...')`) in a migration with `atomic = False`, then add the constraint "
        "`USING INDEX`."
    ),
    "rails": (
        "`add_index ..., unique: true, algorithm: :concurrently` with `disable_ddl_transaction!`."
    ),
}

_DROP_COLUMN = {
    "django": (
        "Expand/contract: first release the model without the field and a migration that only "
        "drops it from the state (`SeparateDatabaseAndState(state_operations=[RemoveField(...)])`"
        "), then drop the column in a later release."
    ),
    "rails": (
        "Expand/contract: first deploy with the column in `self.ignored_columns`, then remove "
        "it in a later migration."
    ),
}

_NOT_NULL = {
    "django": (
        "Backfill NULLs in batches first; add `AddConstraintNotValid(CheckConstraint(condition="
        "Q(col__isnull=False), ...))`, `ValidateConstraint` in a later migration, and only then "
        "the `AlterField` (PostgreSQL 12+ uses the validated check and skips the scan)."
    ),
}

_TYPE_CHANGE = {
    "django": (
        "Add a new field with the new type, write both from the code, backfill in batches, "
        "switch reads, and remove the old field in a later release."
    ),
}

_FIXES: dict[str, dict[str, str]] = {
    "adding-not-nullable-field": _NOT_NULL,
    "changing-column-type": _TYPE_CHANGE,
    "ban-drop-column": _DROP_COLUMN,
    "require-concurrent-index-creation": _CONCURRENT_INDEX,
    "ban-concurrent-index-creation-in-transaction": _IN_TRANSACTION,
    "require-concurrent-index-deletion": _CONCURRENT_DROP,
    "adding-foreign-key-constraint": _FOREIGN_KEY,
    "constraint-missing-not-valid": _CHECK,
    "disallowed-unique-constraint": _UNIQUE,
}


def fix_for(framework: str, rule: str) -> str | None:
    """The framework's safe way for this rule, or None for the rule's general advice."""
    return _FIXES.get(rule, {}).get(framework)
